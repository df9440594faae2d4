/** Pod specs (of Pods and of workload templates): containers, their ports, host networking, IPs. */
import type { NamedPort } from '../../model/cluster.ts';
import type { FieldPath } from '../../model/problem.ts';
import { formatIp, parseIp } from '../cidr.ts';
import { closestMatch, withSuggestion } from '../../base/suggest.ts';
import { absent, asBool, asList, asMap, asString, intAt, listAt, stringAt } from './check.ts';
import { checkName } from './meta.ts';
import { checkPortName, checkPortNumberAt, protocolAt } from './ports.ts';
import { isDns1123Label, isPortName } from '../names.ts';
import type { Reporter } from './report.ts';

export interface PodSpecFacts {
  namedPorts: NamedPort[];
  hostNetwork: boolean;
  /** `spec.nodeName`: the node the pod was scheduled to (set on Pods by the scheduler; absent in templates). */
  nodeName?: string;
  /** `serviceAccountName` (else the deprecated `serviceAccount`); undefined when neither is set. */
  serviceAccount?: string;
}

export interface PodSpecRules {
  /** Restart policies the owner allows; the first is the default, `undefined` means the field is required. */
  restartPolicies: readonly string[];
  restartDefault: string | undefined;
  /** "a Job", for messages. */
  owner: string;
}

export const POD_RESTART: PodSpecRules = {
  restartPolicies: ['Always', 'OnFailure', 'Never'],
  restartDefault: 'Always',
  owner: 'a Pod',
};

/** A pod spec at `path`: containers required, names and ports valid; returns the facts netfence uses. */
export function validatePodSpec(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  rules: PodSpecRules,
): PodSpecFacts {
  const facts: PodSpecFacts = { namedPorts: [], hostNetwork: false };
  if (raw === undefined || raw === null) {
    r.error('missing-field', path, 'is required: a pod spec with at least one container');
    return facts;
  }
  const map = asMap(r, path, raw);
  if (map === undefined) return facts;
  const names = new Set<string>();
  const containers = listAt(r, path, map, 'containers');
  if (containers === undefined || containers.length === 0) {
    if (map.containers === undefined || map.containers === null || containers?.length === 0)
      r.error('missing-field', [...path, 'containers'], 'is required: a pod needs at least one container');
  }
  for (const field of ['containers', 'initContainers'] as const) {
    const list = field === 'containers' ? containers : listAt(r, path, map, field);
    if (list === undefined) continue;
    for (let i = 0; i < list.length; i++) {
      const named = validateContainer(r, [...path, field, i], list[i], names);
      for (const port of named) facts.namedPorts.push(port);
    }
  }
  facts.namedPorts = uniquePorts(facts.namedPorts);
  // (An absent field is looked at no further: no path is made for it.)
  if (!absent(map.hostNetwork))
    facts.hostNetwork = asBool(r, [...path, 'hostNetwork'], map.hostNetwork) ?? false;
  const nodeName = stringAt(r, path, map, 'nodeName');
  if (nodeName !== undefined && nodeName !== '') facts.nodeName = nodeName;
  const account = stringAt(r, path, map, 'serviceAccountName') ?? stringAt(r, path, map, 'serviceAccount');
  if (account !== undefined && account !== '') facts.serviceAccount = account;

  const restart = stringAt(r, path, map, 'restartPolicy');
  if (restart !== undefined && restart !== '' && rules.restartPolicies.includes(restart)) return facts;
  const restartPath = [...path, 'restartPolicy'];
  if (restart === undefined || restart === '') {
    if (
      rules.restartDefault === undefined &&
      (map.restartPolicy === undefined || map.restartPolicy === null || restart === '')
    ) {
      r.error(
        'missing-field',
        restartPath,
        `is required for ${rules.owner}: ${allowedRestarts(rules)} (the default "Always" is not allowed)`,
      );
    }
  } else if (!rules.restartPolicies.includes(restart)) {
    const suggestion = closestMatch(restart, rules.restartPolicies);
    r.error(
      'invalid-restart-policy',
      restartPath,
      withSuggestion(
        `${JSON.stringify(restart)} is not supported for ${rules.owner}: use ${allowedRestarts(rules)}`,
        suggestion,
      ),
    );
  }
  return facts;
}

function allowedRestarts(rules: PodSpecRules): string {
  return rules.restartPolicies.map((p) => `"${p}"`).join(' or ');
}

function uniquePorts(ports: NamedPort[]): NamedPort[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const key = `${p.name}/${p.port}/${p.protocol}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function validateContainer(r: Reporter, path: FieldPath, raw: unknown, names: Set<string>): NamedPort[] {
  const map = asMap(r, path, raw);
  if (map === undefined) {
    if (raw === null) r.error('missing-field', path, 'must be a container, got an empty item');
    return [];
  }
  const name = stringAt(r, path, map, 'name');
  // A container's name and image do not change connectivity: lenient (errors with --strict). (The name's
  // path is made only for a problem: most names are valid, and every container of every workload comes here.)
  if (name === undefined || name === '') {
    if (map.name === undefined || map.name === null || name === '')
      r.lenient('missing-field', [...path, 'name'], 'is required: every container needs a name');
  } else if (isDns1123Label(name) || checkName(r, [...path, 'name'], name, 'label', 'container name', true)) {
    if (names.has(name))
      r.lenient(
        'duplicate-name',
        [...path, 'name'],
        `"${name}" is the name of another container in this pod: container names must be unique`,
      );
    names.add(name);
  }
  const image = stringAt(r, path, map, 'image');
  if (image === undefined || image.trim() === '') {
    if (map.image === undefined || map.image === null || image !== undefined)
      r.lenient(
        'missing-field',
        [...path, 'image'],
        'is required: the image the container runs, e.g. "nginx:1.27"',
      );
  }
  const ports = listAt(r, path, map, 'ports');
  const named: NamedPort[] = [];
  if (ports === undefined) return named;
  const portNames = new Set<string>();
  for (let i = 0; i < ports.length; i++) {
    const item = ports[i];
    const portPath = [...path, 'ports', i];
    const port = asMap(r, portPath, item);
    if (port === undefined) {
      if (item === null) r.error('missing-field', portPath, 'must be a container port, got an empty item');
      continue;
    }
    const number = intAt(r, portPath, port, 'containerPort');
    if (number === undefined) {
      if (port.containerPort === undefined || port.containerPort === null)
        r.error(
          'missing-field',
          [...portPath, 'containerPort'],
          'is required: the port number the container listens on',
        );
    }
    const numberOk = number !== undefined && checkPortNumberAt(r, portPath, 'containerPort', number);
    const hostPort = intAt(r, portPath, port, 'hostPort');
    if (hostPort !== undefined && hostPort !== 0) checkPortNumberAt(r, portPath, 'hostPort', hostPort);
    const protocol = protocolAt(r, portPath, port);
    const portName = stringAt(r, portPath, port, 'name');
    if (portName === undefined || portName === '') continue;
    if (!isPortName(portName) && !checkPortName(r, [...portPath, 'name'], portName)) continue;
    if (portNames.has(portName)) {
      r.error(
        'duplicate-port-name',
        [...portPath, 'name'],
        `"${portName}" names another port of this container: port names must be unique per container`,
      );
      continue;
    }
    portNames.add(portName);
    if (numberOk) named.push({ name: portName, port: number, protocol: protocol ?? 'TCP' });
  }
  return named;
}

/** `status.podIPs[].ip`, or `status.podIP`; IPs that do not parse are left out with a warning. */
export function podIps(r: Reporter, raw: unknown): { ips: string[]; phase: string | undefined } {
  const status = asMap(r, ['status'], raw);
  if (status === undefined) return { ips: [], phase: undefined };
  const phase = asString(r, ['status', 'phase'], status.phase);
  const found: { path: FieldPath; text: string }[] = [];
  const list = asList(r, ['status', 'podIPs'], status.podIPs);
  for (const [i, item] of (list ?? []).entries()) {
    const entry = asMap(r, ['status', 'podIPs', i], item);
    const ip = entry === undefined ? undefined : asString(r, ['status', 'podIPs', i, 'ip'], entry.ip);
    if (ip !== undefined && ip !== '') found.push({ path: ['status', 'podIPs', i, 'ip'], text: ip });
  }
  if (found.length === 0) {
    const ip = asString(r, ['status', 'podIP'], status.podIP);
    if (ip !== undefined && ip !== '') found.push({ path: ['status', 'podIP'], text: ip });
  }
  const ips: string[] = [];
  for (const { path, text } of found) {
    const parsed = parseIp(text);
    if (!parsed.ok) {
      r.warn(
        'invalid-pod-ip',
        path,
        `${JSON.stringify(text)} is not an IP address (${parsed.reason}): ignored`,
      );
      continue;
    }
    const canonical = formatIp(parsed.value.family, parsed.value.bytes);
    if (!ips.includes(canonical)) ips.push(canonical);
  }
  return { ips, phase };
}
