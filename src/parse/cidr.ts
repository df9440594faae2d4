/**
 * IP addresses and CIDRs as the API server reads them (Go's `net.ParseCIDR`, in its lenient form that still
 * accepts leading zeros and host bits), with reasons in plain words instead of "invalid CIDR address".
 */

export type IpFamily = 'IPv4' | 'IPv6';

export interface IpAddress {
  family: IpFamily;
  /** 4 or 16 bytes. */
  bytes: readonly number[];
  /** An IPv4 part written with leading zeros (`010`): read as decimal by the API, as octal by others. */
  leadingZeros: boolean;
}

export interface Cidr {
  family: IpFamily;
  prefix: number;
  /** The address with host bits cleared. */
  network: readonly number[];
  /** The address as written had bits set after the prefix (`10.0.0.1/8`). */
  hostBitsSet: boolean;
  leadingZeros: boolean;
  /** `network/prefix` in canonical form: what the API means, and what to write. */
  canonical: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function parseIPv4(text: string): Parsed<IpAddress> {
  const parts = text.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'an IPv4 address has 4 numbers separated by dots' };
  const bytes: number[] = [];
  let leadingZeros = false;
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part)) {
      return { ok: false, reason: part === '' ? 'it has an empty part' : `"${part}" is not a number` };
    }
    const n = Number(part);
    if (n > 255) return { ok: false, reason: `${part} is more than 255` };
    if (part.length > 1 && part.startsWith('0')) leadingZeros = true;
    bytes.push(n);
  }
  return { ok: true, value: { family: 'IPv4', bytes, leadingZeros } };
}

function parseIPv6(text: string): Parsed<IpAddress> {
  if (text.includes('%')) return { ok: false, reason: 'a zone (%) is not allowed' };
  const halves = text.split('::');
  if (halves.length > 2) return { ok: false, reason: "'::' may appear only once" };
  const groups: number[][] = [];
  let leadingZeros = false;
  for (const [h, half] of halves.entries()) {
    const words: number[] = [];
    const items = half === '' ? [] : half.split(':');
    for (const [i, item] of items.entries()) {
      const last = h === halves.length - 1 && i === items.length - 1;
      if (last && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (!v4.ok) return v4;
        leadingZeros ||= v4.value.leadingZeros;
        const b = v4.value.bytes;
        words.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        words.push(parseInt(item, 16));
      } else {
        return {
          ok: false,
          reason:
            item === ''
              ? "it has an empty group (use '::' once)"
              : `"${item}" is not a group of 1 to 4 hex digits`,
        };
      }
    }
    groups.push(words);
  }
  const head = groups[0] ?? [];
  const tail = groups[1];
  let words: number[];
  if (tail === undefined) {
    if (head.length !== 8)
      return { ok: false, reason: `an IPv6 address has 8 groups, this one has ${head.length}` };
    words = head;
  } else {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return { ok: false, reason: `it has too many groups for '::'` };
    words = [...head, ...Array<number>(missing).fill(0), ...tail];
  }
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  return { ok: true, value: { family: 'IPv6', bytes, leadingZeros } };
}

/** An IPv4 or IPv6 address (no prefix). */
export function parseIp(text: string): Parsed<IpAddress> {
  if (text.includes(':')) return parseIPv6(text);
  if (/^[0-9.]+$/.test(text)) return parseIPv4(text);
  return { ok: false, reason: 'it is not an IPv4 or IPv6 address' };
}

/** Dotted IPv4, or RFC 5952 IPv6 (lower case, longest run of zero groups as `::`). */
export function formatIp(family: IpFamily, bytes: readonly number[]): string {
  if (family === 'IPv4') return bytes.join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}

function maskBytes(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
}

/**
 * A CIDR, or a message that quotes it and says what is wrong, e.g.
 * `CIDR mask is missing in "10.0.0.1". Did you mean "10.0.0.1/32"?`
 */
export function parseCidr(text: string): { ok: true; value: Cidr } | { ok: false; message: string } {
  const quoted = JSON.stringify(text);
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(text);
    if (!ip.ok) return { ok: false, message: `${quoted} is not a CIDR: ${ip.reason}` };
    const bits = ip.value.family === 'IPv4' ? 32 : 128;
    return { ok: false, message: `CIDR mask is missing in ${quoted}. Did you mean "${text}/${bits}"?` };
  }
  const ip = parseIp(text.slice(0, slash));
  if (!ip.ok) return { ok: false, message: `${quoted} is not a valid CIDR: ${ip.reason}` };
  const prefixText = text.slice(slash + 1);
  const max = ip.value.family === 'IPv4' ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(prefixText)) {
    return {
      ok: false,
      message: `${quoted} is not a valid CIDR: the prefix length "${prefixText}" is not a number`,
    };
  }
  const prefix = Number(prefixText);
  if (prefix > max) {
    return {
      ok: false,
      message: `${quoted} is not a valid CIDR: the prefix length ${prefix} is more than ${max}, the maximum for ${ip.value.family}`,
    };
  }
  const network = maskBytes(ip.value.bytes, prefix);
  const hostBitsSet = network.some((b, i) => b !== ip.value.bytes[i]);
  return {
    ok: true,
    value: {
      family: ip.value.family,
      prefix,
      network,
      hostBitsSet,
      leadingZeros: ip.value.leadingZeros,
      canonical: `${formatIp(ip.value.family, network)}/${prefix}`,
    },
  };
}

/** `inner` is a strict subset of `outer`: same family, inside it, and a longer prefix. */
export function isStrictSubset(inner: Cidr, outer: Cidr): boolean {
  if (inner.family !== outer.family || inner.prefix <= outer.prefix) return false;
  const masked = maskBytes(inner.network, outer.prefix);
  return masked.every((b, i) => b === outer.network[i]);
}

/** `inner` lies inside `outer` (equal counts). */
export function isWithin(inner: Cidr, outer: Cidr): boolean {
  if (inner.family !== outer.family || inner.prefix < outer.prefix) return false;
  return maskBytes(inner.network, outer.prefix).every((b, i) => b === outer.network[i]);
}
