/**
 * IP addresses and CIDRs as the API server reads them (Go's `net.ParseCIDR`, in its lenient form that still
 * accepts leading zeros and host bits), with reasons in plain words instead of "invalid CIDR address". The
 * address grammar and canonical text live in src/base/ip.ts; this file says why a value is wrong.
 */
import {
  cidrContainsCidr,
  cidrOf,
  familyBits,
  formatCidr,
  formatIp as formatValue,
  readIp,
  type Cidr as Range,
  type IpSyntaxError,
  type IpText,
} from '../base/ip.ts';

export type IpFamily = 'IPv4' | 'IPv6';

export interface IpAddress {
  family: IpFamily;
  /** 4 or 16 bytes. */
  bytes: readonly number[];
  /** An IPv4 part written with leading zeros (`010`): read as decimal by the API, as octal by others. */
  leadingZeros: boolean;
}

export interface Cidr {
  readonly family: IpFamily;
  readonly prefix: number;
  /** The addresses it holds: the address as written with host bits cleared, to the last. */
  readonly range: Range;
  /** The address as written had bits set after the prefix (`10.0.0.1/8`). */
  readonly hostBitsSet: boolean;
  readonly leadingZeros: boolean;
  /** `network/prefix` in canonical form: what the API means, and what to write. */
  readonly canonical: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const FAMILY = { 4: 'IPv4', 6: 'IPv6' } as const;

/** Each rule an address can break, in plain words. */
const REASONS = {
  'not-an-address': 'it is not an IPv4 or IPv6 address',
  'ipv4-parts': 'an IPv4 address has 4 numbers separated by dots',
  'empty-part': 'it has an empty part',
  zone: 'a zone (%) is not allowed',
  'two-double-colons': "'::' may appear only once",
  'empty-group': "it has an empty group (use '::' once)",
  'too-many-groups': "it has too many groups for '::'",
} as const;

function reason(error: IpSyntaxError): string {
  if (error.rule === 'not-a-number') return `"${error.part}" is not a number`;
  if (error.rule === 'over-255') return `${error.part} is more than 255`;
  if (error.rule === 'bad-group') return `"${error.part}" is not a group of 1 to 4 hex digits`;
  if (error.rule === 'group-count') return `an IPv6 address has 8 groups, this one has ${error.count}`;
  return REASONS[error.rule];
}

function read(text: string): IpText | { reason: string } {
  const address = readIp(text);
  return 'rule' in address ? { reason: reason(address) } : address;
}

/** An IPv4 or IPv6 address (no prefix). */
export function parseIp(text: string): Parsed<IpAddress> {
  const address = read(text);
  if ('reason' in address) return { ok: false, reason: address.reason };
  const size = address.family === 4 ? 4 : 16;
  const bytes = Array.from({ length: size }, (_, i) =>
    Number((address.value >> BigInt(8 * (size - 1 - i))) & 0xffn),
  );
  return { ok: true, value: { family: FAMILY[address.family], bytes, leadingZeros: address.leadingZeros } };
}

/** Dotted IPv4, or RFC 5952 IPv6 (lower case, longest run of zero groups as `::`). */
export function formatIp(family: IpFamily, bytes: readonly number[]): string {
  return formatValue(
    family === 'IPv4' ? 4 : 6,
    bytes.reduce((value, b) => (value << 8n) | BigInt(b), 0n),
  );
}

/**
 * A CIDR, or a message that quotes it and says what is wrong, e.g.
 * `CIDR mask is missing in "10.0.0.1". Did you mean "10.0.0.1/32"?`
 */
export function parseCidr(text: string): { ok: true; value: Cidr } | { ok: false; message: string } {
  const quoted = JSON.stringify(text);
  const slash = text.indexOf('/');
  const address = read(slash < 0 ? text : text.slice(0, slash));
  if (slash < 0) {
    if ('reason' in address) return { ok: false, message: `${quoted} is not a CIDR: ${address.reason}` };
    const bits = familyBits(address.family);
    return { ok: false, message: `CIDR mask is missing in ${quoted}. Did you mean "${text}/${bits}"?` };
  }
  const invalid = (why: string) => ({ ok: false, message: `${quoted} is not a valid CIDR: ${why}` }) as const;
  if ('reason' in address) return invalid(address.reason);
  const prefixText = text.slice(slash + 1);
  // Go's parser reads up to 3 digits, leading zeros too (`/08`).
  if (!/^[0-9]{1,3}$/.test(prefixText)) return invalid(`the prefix length "${prefixText}" is not a number`);
  const prefix = Number(prefixText);
  const max = familyBits(address.family);
  const family = FAMILY[address.family];
  if (prefix > max)
    return invalid(`the prefix length ${prefix} is more than ${max}, the maximum for ${family}`);
  const range = cidrOf(address, prefix);
  return {
    ok: true,
    value: {
      family,
      prefix,
      range,
      hostBitsSet: range.start !== address.value,
      leadingZeros: address.leadingZeros,
      canonical: formatCidr(range),
    },
  };
}

/** `inner` is a strict subset of `outer`: same family, inside it, and a longer prefix. */
export function isStrictSubset(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix > outer.prefix && isWithin(inner, outer);
}

/** `inner` lies inside `outer` (equal counts). */
export function isWithin(inner: Cidr, outer: Cidr): boolean {
  return cidrContainsCidr(outer.range, inner.range);
}
