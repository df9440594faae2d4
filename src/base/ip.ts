/**
 * IPv4 and IPv6 addresses and CIDR prefixes as BigInt values, without any I/O or platform library.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  /** First address (host bits cleared). */
  start: bigint;
  /** Last address, inclusive. */
  end: bigint;
  prefix: number;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function familyBits(family: IpFamily): number {
  return BITS[family];
}

/** The first rule a text breaks, in the order the API server's parser checks them; src/parse/cidr.ts words it. */
export type IpSyntaxError =
  | { rule: 'not-an-address' | 'ipv4-parts' | 'empty-part' | 'zone' | 'two-double-colons' | 'empty-group' }
  | { rule: 'not-a-number' | 'over-255' | 'bad-group'; part: string }
  | { rule: 'group-count' | 'too-many-groups'; count: number };

/** An address as written, read as the API server's lenient parser (Go's `net.ParseIP` before 1.17) does. */
export interface IpText extends IpAddress {
  /** An IPv4 part written with leading zeros (`010`): read as decimal by the API, as octal by others. */
  leadingZeros: boolean;
}

/** Reads an IPv4 or IPv6 address (no prefix), or says which rule it breaks. */
export function readIp(text: string): IpText | IpSyntaxError {
  const ip: IpText = { family: 4, value: 0n, leadingZeros: false };
  if (text.includes(':')) ip.family = 6;
  const value = ip.family === 4 ? readIpv4(text, ip, true) : readIpv6(text, ip);
  if (typeof value === 'object') return value;
  ip.value = BigInt(value);
  return ip;
}

/**
 * Four dot-separated decimal parts, each ≤ 255; `whole`: the text is the address, not the end of an IPv6 one.
 * By hand, in a Number: this runs for every address.
 */
function readIpv4(text: string, flags: IpText, whole: boolean): number | IpSyntaxError {
  let dots = 0;
  let other = text === '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) dots++;
    else if (c < 48 || c > 57) other = true;
  }
  if (other && whole) return { rule: 'not-an-address' };
  if (dots !== 3) return { rule: 'ipv4-parts' };
  let value = 0;
  let n = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c !== 46) {
      if (c < 48 || c > 57) return { rule: 'not-a-number', part: text.slice(start).split('.')[0]! };
      n = n * 10 + c - 48;
      continue;
    }
    if (i === start) return { rule: 'empty-part' };
    if (n > 255) return { rule: 'over-255', part: text.slice(start, i) };
    if (i - start > 1 && text.charCodeAt(start) === 48) flags.leadingZeros = true;
    value = value * 256 + n;
    n = 0;
    start = i + 1;
  }
  return value;
}

/** Eight groups of 1 to 4 hex digits, `::` once for a run of zero groups, the last 32 bits maybe as IPv4. */
function readIpv6(text: string, flags: IpText): bigint | IpSyntaxError {
  if (text.includes('%')) return { rule: 'zone' };
  const halves = text.split('::');
  if (halves.length > 2) return { rule: 'two-double-colons' };
  const groups: number[][] = [];
  for (const [h, half] of halves.entries()) {
    const words: number[] = [];
    const items = half === '' ? [] : half.split(':');
    for (const [i, item] of items.entries()) {
      if (h === halves.length - 1 && i === items.length - 1 && item.includes('.')) {
        const v4 = readIpv4(item, flags, false);
        if (typeof v4 === 'object') return v4;
        words.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        words.push(parseInt(item, 16));
      } else {
        return item === '' ? { rule: 'empty-group' } : { rule: 'bad-group', part: item };
      }
    }
    groups.push(words);
  }
  const [head = [], tail] = groups;
  const count = head.length + (tail?.length ?? 0);
  if (tail === undefined && count !== 8) return { rule: 'group-count', count };
  if (tail !== undefined && count > 7) return { rule: 'too-many-groups', count };
  const words = tail === undefined ? head : [...head, ...Array<number>(8 - count).fill(0), ...tail];
  return words.reduce((value, w) => (value << 16n) | BigInt(w), 0n);
}

/**
 * An address the engine reads: whatever the parse layer accepts, read as the API server reads it (leading
 * zeros are decimal: `010.0.0.1` and `0010.0.0.1` are 10.0.0.1; the parse layer warns about them).
 */
export function parseIp(text: string): IpAddress | undefined {
  const ip = readIp(text);
  return 'rule' in ip ? undefined : { family: ip.family, value: ip.value };
}

export type CidrParse =
  | { ok: true; cidr: Cidr; canonical: boolean }
  | { ok: false; reason: 'no-mask' | 'bad-address' | 'bad-prefix' };

/** Parses `10.0.0.0/8` or `fd00::/8`. Host bits set (`10.0.0.1/8`) parse, with `canonical: false`. */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  const address = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return { ok: false, reason: 'bad-address' };
  if (slash < 0) return { ok: false, reason: 'no-mask' };
  const prefixText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > BITS[address.family]) {
    return { ok: false, reason: 'bad-prefix' };
  }
  const cidr = cidrOf(address, Number(prefixText));
  return { ok: true, cidr, canonical: cidr.start === address.value };
}

/** The CIDR of `prefix` bits that holds `address`. */
export function cidrOf(address: IpAddress, prefix: number): Cidr {
  const hostBits = BigInt(BITS[address.family] - prefix);
  const start = (address.value >> hostBits) << hostBits;
  return { family: address.family, start, end: start + (1n << hostBits) - 1n, prefix };
}

export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 4) {
    const n = Number(value & 0xffffffffn);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run of two or more zero groups.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.family, c.start)}/${c.prefix}`;
}

export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

export function cidrContainsIp(c: Cidr, ip: IpAddress): boolean {
  return c.family === ip.family && c.start <= ip.value && ip.value <= c.end;
}

export function rootCidr(family: IpFamily): Cidr {
  return { family, start: 0n, end: (1n << BigInt(BITS[family])) - 1n, prefix: 0 };
}

/** The fewest CIDRs whose union is exactly `[start, end]`. */
export function rangeToCidrs(family: IpFamily, start: bigint, end: bigint): Cidr[] {
  if (family === 4 && start >= 0n && end <= 0xffffffffn) return rangeToCidrs4(Number(start), Number(end));
  const bits = BITS[family];
  const out: Cidr[] = [];
  let cur = start;
  while (cur <= end) {
    // The largest block aligned at `cur` that fits: as many bits as `cur` has trailing zeros, and as the
    // remaining length has below its top bit.
    const fits = bitLength(end - cur + 1n) - 1;
    const size = cur === 0n ? Math.min(bits, fits) : Math.min(bitLength(cur & -cur) - 1, fits);
    const last = cur + (1n << BigInt(size)) - 1n;
    out.push({ family, start: cur, end: last, prefix: bits - size });
    cur = last + 1n;
  }
  return out;
}

/** Bits needed to write `n` > 0. */
function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** `rangeToCidrs` for IPv4, in Numbers (exact below 2^53): address classes split at thousands of CIDRs. */
function rangeToCidrs4(start: number, end: number): Cidr[] {
  const out: Cidr[] = [];
  let cur = start;
  while (cur <= end) {
    let size = 0;
    while (size < 32) {
      const blockSize = 2 ** (size + 1);
      if (cur % blockSize !== 0 || cur + blockSize - 1 > end) break;
      size++;
    }
    const last = cur + 2 ** size - 1;
    out.push({ family: 4, start: BigInt(cur), end: BigInt(last), prefix: 32 - size });
    cur = last + 1;
  }
  return out;
}
