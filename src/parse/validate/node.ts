/** A Node (v1): what `nodes` peers of cluster policies select (labels) and match (its IP addresses). */
import type { FieldPath } from '../../model/problem.ts';
import { parseIp } from '../cidr.ts';
import { asList, asMap, asString, checkKnownFields } from './check.ts';
import type { Reporter } from './report.ts';

/** The address types that are IPs; the others (Hostname, InternalDNS, ExternalDNS) are names. */
const IP_TYPES = ['InternalIP', 'ExternalIP'];
const OTHER_TYPES = ['Hostname', 'InternalDNS', 'ExternalDNS'];

const NODE_STATUS_FIELDS = [
  'capacity',
  'allocatable',
  'phase',
  'conditions',
  'addresses',
  'daemonEndpoints',
  'nodeInfo',
  'images',
  'volumesInUse',
  'volumesAttached',
  'config',
  'runtimeHandlers',
  'features',
];

/** The IPs of `status.addresses` (InternalIP, ExternalIP), in order, each once. Names are left out. */
export function validateNode(r: Reporter, object: Readonly<Record<string, unknown>>): string[] {
  checkKnownFields(r, [], object, ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  asMap(r, ['spec'], object.spec);
  const status = asMap(r, ['status'], object.status);
  if (status === undefined) return [];
  checkKnownFields(r, ['status'], status, NODE_STATUS_FIELDS);
  const list = asList(r, ['status', 'addresses'], status.addresses);
  const ips: string[] = [];
  for (const [i, item] of (list ?? []).entries()) {
    const path: FieldPath = ['status', 'addresses', i];
    const map = asMap(r, path, item);
    if (map === undefined) continue;
    checkKnownFields(r, path, map, ['type', 'address']);
    const type = asString(r, [...path, 'type'], map.type);
    const address = asString(r, [...path, 'address'], map.address);
    if (type === undefined || address === undefined) {
      if (type === undefined && (map.type === undefined || map.type === null))
        r.error(
          'missing-field',
          [...path, 'type'],
          `is required: one of ${[...IP_TYPES, ...OTHER_TYPES].join(', ')}`,
        );
      if (address === undefined && (map.address === undefined || map.address === null))
        r.error('missing-field', [...path, 'address'], 'is required');
      continue;
    }
    if (!IP_TYPES.includes(type)) continue;
    const parsed = parseIp(address);
    if (!parsed.ok) {
      r.warn(
        'invalid-node-address',
        [...path, 'address'],
        `${JSON.stringify(address)} is of type ${type} but not an IP address (${parsed.reason}): left out, so "nodes" peers do not match it`,
      );
      continue;
    }
    if (!ips.includes(address)) ips.push(address);
  }
  return ips;
}
