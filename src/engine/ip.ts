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

function parseIpv4(text: string): bigint | undefined {
  // Four dot-separated parts of one to three digits, each ≤ 255. Leading zeros read as decimal, as the API
  // server's (sloppy, legacy-compatible) parser does. By hand, in a Number: this runs for every address.
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      part = part * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || part > 255 || ++dots > 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || part > 255 || dots !== 3) return undefined;
  return BigInt(value * 256 + part);
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length === 0 || text.includes(':::')) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(halves[0]!);
  const right = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (left === undefined || right === undefined) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

export type CidrParse =
  | { ok: true; cidr: Cidr; canonical: boolean }
  | { ok: false; reason: 'no-mask' | 'bad-address' | 'bad-prefix' };

/** Parses `10.0.0.0/8` or `fd00::/8`. Host bits set (`10.0.0.1/8`) parse, with `canonical: false`. */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: parseIp(text) === undefined ? 'bad-address' : 'no-mask' };
  const address = parseIp(text.slice(0, slash));
  if (address === undefined) return { ok: false, reason: 'bad-address' };
  const prefixText = text.slice(slash + 1);
  const bits = BITS[address.family];
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, reason: 'bad-prefix' };
  }
  const prefix = Number(prefixText);
  const hostBits = BigInt(bits - prefix);
  const start = (address.value >> hostBits) << hostBits;
  const end = start + (1n << hostBits) - 1n;
  return {
    ok: true,
    cidr: { family: address.family, start, end, prefix },
    canonical: start === address.value,
  };
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
