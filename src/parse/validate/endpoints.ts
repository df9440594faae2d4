/**
 * EndpointSlices (`discovery.k8s.io/v1`) and Endpoints (`v1`): the backend addresses of a Service, what
 * Cilium's `toServices` resolves a Service without a selector to (issue #17). Checked as the API server does
 * for the fields netfence reads; the facts kept are the addresses Cilium's agent makes backends of:
 *
 * - every address of every endpoint (ready or not: `ParseEndpointSliceV1` keeps them all, each in a backend
 *   state), of a slice whose `addressType` is `IPv4` or `IPv6` (`FQDN` slices make none) and which has a port
 *   of TCP, UDP or SCTP (backends are made per port: without one, none);
 * - an Endpoints object's `addresses` and `notReadyAddresses` of each subset with such a port (Kubernetes'
 *   EndpointSlice mirroring copies them, the not-ready ones as not ready).
 */
import type { FieldPath } from '../../model/problem.ts';
import { parseIp } from '../cidr.ts';
import { asInt, asList, asMap, asString, checkKnownFields } from './check.ts';
import { validateProtocol } from './ports.ts';
import type { Reporter } from './report.ts';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'] as const;

/** The facts of an EndpointSlice or Endpoints object. */
export interface EndpointsFacts {
  /** A slice's `addressType`; `undefined` for Endpoints. */
  addressType: string | undefined;
  /** The backend addresses (see the file comment), each once, in order. */
  addresses: string[];
}

/** Whether a port list has a port of TCP, UDP or SCTP (no `protocol`: TCP); reports bad ports. */
function portsMakeBackends(r: Reporter, path: FieldPath, raw: unknown): boolean {
  let any = false;
  for (const [i, item] of (asList(r, path, raw) ?? []).entries()) {
    const at: FieldPath = [...path, i];
    const port = asMap(r, at, item);
    if (port === undefined) continue;
    checkKnownFields(r, at, port, ['name', 'port', 'protocol', 'appProtocol']);
    asString(r, [...at, 'name'], port.name);
    asString(r, [...at, 'appProtocol'], port.appProtocol);
    const number = asInt(r, [...at, 'port'], port.port);
    if (number !== undefined && (number < 0 || number > 65535))
      r.error('invalid-port', [...at, 'port'], `must be between 0 and 65535, got ${number}`);
    const protocol =
      port.protocol === undefined || port.protocol === null
        ? 'TCP'
        : validateProtocol(r, [...at, 'protocol'], port.protocol);
    if (protocol !== undefined) any = true;
  }
  return any;
}

/** One address: an IP is kept; anything else is reported and left out. */
function addAddress(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  into: string[],
  family: 4 | 6 | undefined,
): void {
  const address = asString(r, path, raw);
  if (address === undefined) return;
  const parsed = parseIp(address);
  if (!parsed.ok) {
    r.error('invalid-address', path, `${JSON.stringify(address)} is not an IP address (${parsed.reason})`);
    return;
  }
  const isV6 = address.includes(':');
  if (family !== undefined && (family === 6) !== isV6) {
    r.error(
      'invalid-address',
      path,
      `${JSON.stringify(address)} is not an IPv${family} address, as the slice's addressType says: use a slice of addressType IPv${isV6 ? 6 : 4}`,
    );
    return;
  }
  if (!into.includes(address)) into.push(address);
}

export function validateEndpointSlice(
  r: Reporter,
  object: Readonly<Record<string, unknown>>,
): EndpointsFacts {
  checkKnownFields(r, [], object, ['apiVersion', 'kind', 'metadata', 'addressType', 'endpoints', 'ports']);
  const addressType = asString(r, ['addressType'], object.addressType);
  if (addressType === undefined) {
    if (object.addressType === undefined || object.addressType === null)
      r.error('missing-field', ['addressType'], `is required: one of ${ADDRESS_TYPES.join(', ')}`);
  } else if (!(ADDRESS_TYPES as readonly string[]).includes(addressType)) {
    r.error(
      'invalid-address-type',
      ['addressType'],
      `${JSON.stringify(addressType)} is not an address type: use ${ADDRESS_TYPES.join(', ')}`,
    );
  }
  const withPorts = portsMakeBackends(r, ['ports'], object.ports);
  const ip = addressType === 'IPv4' || addressType === 'IPv6';
  const family = addressType === 'IPv4' ? 4 : addressType === 'IPv6' ? 6 : undefined;
  const addresses: string[] = [];
  for (const [i, item] of (asList(r, ['endpoints'], object.endpoints) ?? []).entries()) {
    const path: FieldPath = ['endpoints', i];
    const endpoint = asMap(r, path, item);
    if (endpoint === undefined) continue;
    checkKnownFields(r, path, endpoint, [
      'addresses',
      'conditions',
      'hostname',
      'targetRef',
      'deprecatedTopology',
      'nodeName',
      'zone',
      'hints',
    ]);
    const list = asList(r, [...path, 'addresses'], endpoint.addresses);
    if (list === undefined || list.length === 0) {
      r.error('missing-field', [...path, 'addresses'], 'is required: at least one address');
      continue;
    }
    for (const [j, a] of list.entries()) {
      if (ip) addAddress(r, [...path, 'addresses', j], a, addresses, family);
    }
  }
  return { addressType, addresses: withPorts && ip ? addresses : [] };
}

export function validateEndpoints(r: Reporter, object: Readonly<Record<string, unknown>>): EndpointsFacts {
  checkKnownFields(r, [], object, ['apiVersion', 'kind', 'metadata', 'subsets']);
  const addresses: string[] = [];
  for (const [i, item] of (asList(r, ['subsets'], object.subsets) ?? []).entries()) {
    const path: FieldPath = ['subsets', i];
    const subset = asMap(r, path, item);
    if (subset === undefined) continue;
    checkKnownFields(r, path, subset, ['addresses', 'notReadyAddresses', 'ports']);
    const withPorts = portsMakeBackends(r, [...path, 'ports'], subset.ports);
    const mine: string[] = [];
    for (const field of ['addresses', 'notReadyAddresses'] as const) {
      for (const [j, a] of (asList(r, [...path, field], subset[field]) ?? []).entries()) {
        const at: FieldPath = [...path, field, j];
        const address = asMap(r, at, a);
        if (address === undefined) continue;
        checkKnownFields(r, at, address, ['ip', 'hostname', 'nodeName', 'targetRef']);
        if (address.ip === undefined || address.ip === null) {
          r.error('missing-field', [...at, 'ip'], 'is required');
          continue;
        }
        addAddress(r, [...at, 'ip'], address.ip, mine, undefined);
      }
    }
    if (withPorts) for (const a of mine) if (!addresses.includes(a)) addresses.push(a);
  }
  return { addressType: undefined, addresses };
}
