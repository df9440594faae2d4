/** Services (core/v1): the fields netfence reads (selector, ports, type), checked as the API does. */
import type { ServiceSpec } from '../../model/k8s.ts';
import type { FieldPath } from '../../model/problem.ts';
import { closestMatch, withSuggestion } from '../../base/suggest.ts';
import { asList, asMap, asString, intAt, stringAt } from './check.ts';
import { checkName, validateLabels } from './meta.ts';
import { checkPortName, checkPortNumberAt, protocolAt } from './ports.ts';
import { isDns1123Label, isPortName } from '../names.ts';
import type { Reporter } from './report.ts';

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;

/** Deep copy without `null` map values: the API reads them as absent. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    // `for in` over own keys: the order of `Object.entries`, without its arrays.
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v = (value as Record<string, unknown>)[k];
      if (v !== null) out[k] = dropNulls(v);
    }
    return out;
  }
  return value;
}

export function validateServiceSpec(r: Reporter, object: Readonly<Record<string, unknown>>): ServiceSpec {
  if (object.spec === undefined || object.spec === null) {
    r.error(
      'missing-field',
      ['spec'],
      'is required: a Service needs ports (or clusterIP: None, or type: ExternalName)',
    );
    return {};
  }
  const spec = asMap(r, ['spec'], object.spec);
  if (spec === undefined) return {};
  const type = asString(r, ['spec', 'type'], spec.type);
  if (type !== undefined && !(SERVICE_TYPES as readonly string[]).includes(type)) {
    r.error(
      'invalid-service-type',
      ['spec', 'type'],
      withSuggestion(
        `${JSON.stringify(type)} is not a Service type: use ${SERVICE_TYPES.join(', ')}`,
        closestMatch(type, SERVICE_TYPES),
      ),
    );
  }
  validateLabels(r, ['spec', 'selector'], spec.selector);
  const clusterIP = asString(r, ['spec', 'clusterIP'], spec.clusterIP);
  const ports = asList(r, ['spec', 'ports'], spec.ports) ?? [];
  if (ports.length === 0 && type !== 'ExternalName' && clusterIP !== 'None') {
    r.error(
      'missing-field',
      ['spec', 'ports'],
      'is required: at least one port, unless clusterIP is None (headless) or type is ExternalName',
    );
  }
  const names = new Set<string>();
  for (let i = 0; i < ports.length; i++) validatePort(r, ['spec', 'ports', i], ports[i], ports.length, names);
  return dropNulls(spec) as ServiceSpec;
}

function validatePort(r: Reporter, path: FieldPath, raw: unknown, count: number, names: Set<string>): void {
  const map = asMap(r, path, raw);
  if (map === undefined) {
    if (raw === null) r.error('missing-field', path, 'must be a Service port, got an empty item');
    return;
  }
  // A Service port's name is not what a policy's named port refers to (that is a container port's name).
  const name = stringAt(r, path, map, 'name');
  if (name === undefined || name === '') {
    if (count > 1 && (map.name === undefined || map.name === null || name === ''))
      r.lenient('missing-field', [...path, 'name'], 'is required when a Service has more than one port');
  } else if (
    isDns1123Label(name) ||
    checkName(r, [...path, 'name'], name, 'label', 'Service port name', true)
  ) {
    if (names.has(name))
      r.lenient(
        'duplicate-port-name',
        [...path, 'name'],
        `"${name}" names another port of this Service: port names must be unique`,
      );
    names.add(name);
  }
  protocolAt(r, path, map);
  const port = intAt(r, path, map, 'port');
  if (port === undefined) {
    if (map.port === undefined || map.port === null)
      r.error('missing-field', [...path, 'port'], 'is required: the port the Service listens on');
  } else checkPortNumberAt(r, path, 'port', port);
  const target: unknown = map.targetPort;
  if (typeof target === 'number') {
    if (!Number.isInteger(target))
      r.error('wrong-type', [...path, 'targetPort'], `must be an integer or a port name, got ${target}`);
    // 0 means "same as port", as the API defaults it.
    else if (target !== 0) checkPortNumberAt(r, path, 'targetPort', target);
  } else if (typeof target === 'string') {
    if (!isPortName(target)) checkPortName(r, [...path, 'targetPort'], target);
  } else if (target !== undefined && target !== null) {
    r.error('wrong-type', [...path, 'targetPort'], 'must be an integer or a port name');
  }
}
