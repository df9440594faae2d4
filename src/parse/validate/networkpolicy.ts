/**
 * NetworkPolicy (networking.k8s.io/v1), checked as `ValidateNetworkPolicy` in kubernetes/pkg/apis/networking
 * does, plus the strict field validation warnings. Returns the spec as the API reads it: `null` dropped,
 * a `null` list item read as `{}`, and nothing else changed (`ingress: []` stays `[]`).
 */
import type {
  IPBlock,
  LabelSelector,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
} from '../../model/k8s.ts';
import type { FieldPath } from '../../model/problem.ts';
import { isStrictSubset, isWithin, parseCidr } from '../cidr.ts';
import type { Cidr } from '../cidr.ts';
import { closestMatch, withSuggestion } from '../../base/suggest.ts';
import { describeValue, isMap, type JsonMap } from '../values.ts';
import { absent, asInt, asList, asMap, asString, checkKnownFields, listAt } from './check.ts';
import { isPlainSelector, validateLabelSelector } from './meta.ts';
import { checkPortName, checkPortNumber, checkPortNumberAt, protocolAt } from './ports.ts';
import { isPortName } from '../names.ts';
import type { Reporter } from './report.ts';

const POLICY_TYPES = ['Ingress', 'Egress'] as const;

export function validateNetworkPolicySpec(
  r: Reporter,
  object: Readonly<Record<string, unknown>>,
): NetworkPolicySpec {
  checkKnownFields(r, [], object, ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const path = ['spec'];
  if (object.spec === undefined || object.spec === null) {
    r.warn(
      'missing-spec',
      path,
      'is missing: the policy then selects every pod of its namespace and denies all their ingress. Write "spec: {podSelector: {}}" if that is what you mean',
    );
    return {};
  }
  const map = asMap(r, path, object.spec);
  if (map === undefined) return {};
  if (isPlainSpec(map)) return map;
  checkKnownFields(r, path, map, SPEC_FIELDS);
  const spec: NetworkPolicySpec = {};

  const podSelector = isPlainSelector(map.podSelector)
    ? (map.podSelector as LabelSelector)
    : validateLabelSelector(r, [...path, 'podSelector'], map.podSelector);
  if (podSelector !== undefined) spec.podSelector = podSelector;

  const ingress = rules(r, path, map.ingress, 'ingress');
  if (ingress !== undefined) spec.ingress = ingress;
  const egress = rules(r, path, map.egress, 'egress');
  if (egress !== undefined) spec.egress = egress;
  const policyTypes = absent(map.policyTypes)
    ? undefined
    : validatePolicyTypes(r, [...path, 'policyTypes'], map.policyTypes);
  if (policyTypes !== undefined) spec.policyTypes = policyTypes;
  return spec;
}

// A value read that is already in its checked form, the check reporting nothing on it (most of a large input),
// is kept as it is instead of copied: the \`isPlain…\` predicates below say so without a path or a problem, and
// only when the copy would be equal to it, key order included (fields in the order the checks write them, no
// null to drop, no Date or bytes a schema made). Anything else is checked, and copied, the long way.

const SPEC_FIELDS = ['podSelector', 'ingress', 'egress', 'policyTypes'] as const;
const INGRESS_RULE_FIELDS = ['from', 'ports'] as const;
const EGRESS_RULE_FIELDS = ['to', 'ports'] as const;
const PORT_FIELDS = ['protocol', 'port', 'endPort'] as const;

/** Whether \`raw\` is a plain mapping whose own keys are some of \`fields\`, in their order, none of them null. */
function isPlainFields(raw: unknown, fields: readonly string[]): raw is JsonMap {
  if (!isMap(raw) || Object.getPrototypeOf(raw) !== Object.prototype) return false;
  let at = 0;
  for (const key in raw) {
    const value = raw[key];
    if (value === undefined || value === null || !Object.hasOwn(raw, key)) return false;
    while (at < fields.length && fields[at] !== key) at++;
    if (at === fields.length) return false;
    at++;
  }
  return true;
}

/** Whether every item of a list read is its own checked form. */
function everyItem(list: readonly unknown[], plain: (item: unknown) => boolean): boolean {
  for (let i = 0; i < list.length; i++) if (!plain(list[i])) return false;
  return true;
}

function isPlainSpec(map: JsonMap): boolean {
  if (!isPlainFields(map, SPEC_FIELDS)) return false;
  const { podSelector, ingress, egress, policyTypes } = map;
  return (
    (podSelector === undefined || isPlainSelector(podSelector)) &&
    (ingress === undefined || (Array.isArray(ingress) && everyItem(ingress, isPlainIngressRule))) &&
    (egress === undefined || (Array.isArray(egress) && everyItem(egress, isPlainEgressRule))) &&
    (policyTypes === undefined || (Array.isArray(policyTypes) && isPlainPolicyTypes(policyTypes)))
  );
}

function isPlainIngressRule(raw: unknown): boolean {
  return isPlainFields(raw, INGRESS_RULE_FIELDS) && isPlainRuleLists(raw.from, raw.ports);
}

function isPlainEgressRule(raw: unknown): boolean {
  return isPlainFields(raw, EGRESS_RULE_FIELDS) && isPlainRuleLists(raw.to, raw.ports);
}

function isPlainRuleLists(peers: unknown, ports: unknown): boolean {
  return (
    (peers === undefined || (Array.isArray(peers) && everyItem(peers, isPlainPeer))) &&
    (ports === undefined || (Array.isArray(ports) && everyItem(ports, isPlainPort)))
  );
}

/** A peer of selectors (an \`ipBlock\`, whose CIDRs are read, is checked the long way). */
function isPlainPeer(raw: unknown): boolean {
  if (!isPlainFields(raw, PEER_FIELDS) || raw.ipBlock !== undefined) return false;
  const { podSelector, namespaceSelector } = raw;
  // (An empty peer is an error.)
  if (podSelector === undefined) return namespaceSelector !== undefined && isPlainSelector(namespaceSelector);
  return (
    isPlainSelector(podSelector) && (namespaceSelector === undefined || isPlainSelector(namespaceSelector))
  );
}

/** A port without \`endPort\` (checked the long way). */
function isPlainPort(raw: unknown): boolean {
  if (!isPlainFields(raw, PORT_FIELDS) || raw.endPort !== undefined) return false;
  const { protocol, port } = raw;
  if (protocol !== undefined && protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') return false;
  return (
    port === undefined ||
    (typeof port === 'number'
      ? Number.isInteger(port) && port >= 1 && port <= 65535
      : typeof port === 'string' && isPortName(port))
  );
}

function listHint(field: 'ingress' | 'egress', peers: 'from' | 'to'): string {
  return `. Write "${field}: []" to allow no ${field}, or "${field}: [{}]" to allow all; a rule is a list item ("- ${peers}: ...")`;
}

type PolicyRule = NetworkPolicyIngressRule | NetworkPolicyEgressRule;

/**
 * The spec's `ingress` or `egress` list read, its rules' peers under `from` or `to`: undefined when absent or not
 * a list, kept as it is when every rule is plain, else each rule that is not checked and copied.
 */
function rules(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  field: 'ingress',
): NetworkPolicyIngressRule[] | undefined;
function rules(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  field: 'egress',
): NetworkPolicyEgressRule[] | undefined;
function rules(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  field: 'ingress' | 'egress',
): PolicyRule[] | undefined {
  if (absent(raw)) return undefined;
  const peersField = field === 'ingress' ? 'from' : 'to';
  const list = asList(r, [...path, field], raw, listHint(field, peersField));
  if (list === undefined) return undefined;
  const plain = field === 'ingress' ? isPlainIngressRule : isPlainEgressRule;
  return everyItem(list, plain)
    ? (list as PolicyRule[])
    : list.map((item, i) =>
        plain(item) ? (item as PolicyRule) : rule(r, [...path, field, i], item, peersField),
      );
}

function rule(r: Reporter, path: FieldPath, raw: unknown, peersField: 'from' | 'to'): PolicyRule {
  // A null item ("- " with nothing after it) decodes to an empty rule, which allows everything.
  const map = raw === null ? {} : (asMap(r, path, raw) ?? {});
  checkKnownFields(r, path, map, [peersField, 'ports']);
  const out: { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] } = {};
  const peers = listAt(r, path, map, peersField);
  if (peers !== undefined) {
    out[peersField] = peers.map((item, i) =>
      isPlainPeer(item) ? (item as NetworkPolicyPeer) : peer(r, [...path, peersField, i], item, peersField),
    );
  }
  const ports = listAt(r, path, map, 'ports');
  if (ports !== undefined) {
    out.ports = everyItem(ports, isPlainPort)
      ? (ports as NetworkPolicyPort[])
      : ports.map((item, i) =>
          isPlainPort(item) ? (item as NetworkPolicyPort) : policyPort(r, [...path, 'ports', i], item),
        );
  }
  return out;
}

const PEER_FIELDS = ['podSelector', 'namespaceSelector', 'ipBlock'] as const;

function peer(r: Reporter, path: FieldPath, raw: unknown, peersField: 'from' | 'to'): NetworkPolicyPeer {
  if (raw !== null && !isMap(raw)) {
    asMap(r, path, raw);
    return {};
  }
  // A null item ("- " with nothing after it) decodes to an empty peer, which the API rejects below.
  const map: JsonMap = raw ?? {};
  checkKnownFields(r, path, map, PEER_FIELDS);
  const out: NetworkPolicyPeer = {};
  // (An absent field is looked at no further: no path is made for it.)
  if (!absent(map.podSelector)) {
    const podSelector = isPlainSelector(map.podSelector)
      ? (map.podSelector as LabelSelector)
      : validateLabelSelector(r, [...path, 'podSelector'], map.podSelector);
    if (podSelector !== undefined) out.podSelector = podSelector;
  }
  if (!absent(map.namespaceSelector)) {
    const namespaceSelector = isPlainSelector(map.namespaceSelector)
      ? (map.namespaceSelector as LabelSelector)
      : validateLabelSelector(r, [...path, 'namespaceSelector'], map.namespaceSelector);
    if (namespaceSelector !== undefined) out.namespaceSelector = namespaceSelector;
  }
  if (!absent(map.ipBlock)) {
    const ipBlock = validateIpBlock(r, [...path, 'ipBlock'], map.ipBlock);
    if (ipBlock !== undefined) out.ipBlock = ipBlock;
  }

  // How many of the three are given (no array: this runs for every peer).
  const given =
    (absent(map.podSelector) ? 0 : 1) +
    (absent(map.namespaceSelector) ? 0 : 1) +
    (absent(map.ipBlock) ? 0 : 1);
  if (given === 0) {
    const empty = PEER_FIELDS.find((f) => f in map);
    const direction = peersField === 'from' ? 'sources' : 'destinations';
    const fix =
      empty !== undefined
        ? `"${empty}:" has no value, which reads as absent. Write "${empty}: {}" to select all`
        : `to allow all ${direction}, remove "${peersField}"; for every pod in every namespace, use "namespaceSelector: {}"`;
    r.error(
      'invalid-peer',
      path,
      `must set podSelector, namespaceSelector or ipBlock, got an empty peer: ${fix}`,
    );
  } else if (!absent(map.ipBlock) && given > 1) {
    const selector = absent(map.podSelector) ? 'namespaceSelector' : 'podSelector';
    r.error(
      'invalid-peer',
      path,
      `may not combine ipBlock with ${selector}: a peer is either selectors or an ipBlock. Split it into two peers (two "- " items)`,
    );
  }
  return out;
}

function validateIpBlock(r: Reporter, path: FieldPath, raw: unknown): IPBlock | undefined {
  const map = asMap(r, path, raw);
  if (map === undefined) return undefined;
  checkKnownFields(r, path, map, ['cidr', 'except']);
  const cidrText = asString(r, [...path, 'cidr'], map.cidr);
  const block: IPBlock = { cidr: cidrText ?? '' };
  let cidr: Cidr | undefined;
  if (cidrText === undefined || cidrText === '') {
    if (map.cidr === undefined || map.cidr === null || cidrText === '')
      r.error('missing-field', [...path, 'cidr'], 'is required, e.g. "10.0.0.0/8" or "0.0.0.0/0"');
  } else {
    cidr = checkCidr(r, [...path, 'cidr'], cidrText);
  }
  const except = asList(r, [...path, 'except'], map.except);
  if (except === undefined) return block;
  block.except = [];
  for (const [i, item] of except.entries()) {
    const itemPath = [...path, 'except', i];
    const text = item === null ? '' : asString(r, itemPath, item);
    if (text === undefined) continue;
    block.except.push(text);
    const inner = checkCidr(r, itemPath, text);
    if (inner === undefined || cidr === undefined) continue;
    if (inner.family !== cidr.family) {
      r.error(
        'invalid-except',
        itemPath,
        `"${text}" is ${inner.family} but cidr "${cidrText}" is ${cidr.family}: an except entry must be a strict subset of cidr`,
      );
    } else if (!isStrictSubset(inner, cidr)) {
      const why =
        inner.prefix === cidr.prefix && isWithin(inner, cidr)
          ? `"${text}" is all of cidr "${cidrText}"`
          : isWithin(cidr, inner)
            ? `"${text}" contains all of cidr "${cidrText}"`
            : `"${text}" is not inside cidr "${cidrText}"`;
      r.error('invalid-except', itemPath, `${why}: an except entry must be a strict subset of cidr`);
    }
  }
  return block;
}

function checkCidr(r: Reporter, path: FieldPath, text: string): Cidr | undefined {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    r.error('invalid-cidr', path, parsed.message);
    return undefined;
  }
  const cidr = parsed.value;
  if (cidr.hostBitsSet) {
    r.warn(
      'cidr-host-bits',
      path,
      `"${text}" has host bits set: Kubernetes 1.36 and later reject it, earlier versions read it as "${cidr.canonical}". Write "${cidr.canonical}"`,
    );
  } else if (cidr.leadingZeros) {
    r.warn(
      'cidr-leading-zeros',
      path,
      `"${text}" has leading zeros: Kubernetes 1.36 and later reject it, earlier versions read it as decimal (other tools as octal). Write "${cidr.canonical}"`,
    );
  }
  return cidr;
}

function policyPort(r: Reporter, path: FieldPath, raw: unknown): NetworkPolicyPort {
  // A null item decodes to an empty port: every port of TCP.
  const map = raw === null ? {} : (asMap(r, path, raw) ?? {});
  checkKnownFields(r, path, map, ['protocol', 'port', 'endPort']);
  const out: NetworkPolicyPort = {};
  const protocol = protocolAt(r, path, map);
  if (protocol !== undefined) out.protocol = protocol;

  const port = map.port;
  let numericPort: number | undefined;
  if (typeof port === 'number') {
    if (!Number.isInteger(port)) {
      r.error('wrong-type', [...path, 'port'], `must be an integer or a port name, got ${port}`);
    } else if (checkPortNumberAt(r, path, 'port', port)) {
      numericPort = port;
      out.port = port;
    }
  } else if (typeof port === 'string') {
    if (isPortName(port) || checkPortName(r, [...path, 'port'], port)) out.port = port;
  } else if (port !== undefined && port !== null) {
    r.error('wrong-type', [...path, 'port'], `must be an integer or a port name, got ${describeValue(port)}`);
  }

  const endPort = absent(map.endPort) ? undefined : asInt(r, [...path, 'endPort'], map.endPort);
  if (endPort !== undefined) {
    out.endPort = endPort;
    const endPath = [...path, 'endPort'];
    if (!checkPortNumber(r, endPath, endPort)) {
      // reported
    } else if (port === undefined || port === null) {
      r.error(
        'invalid-end-port',
        endPath,
        `requires port: set port to the first port of the range (endPort is ${endPort})`,
      );
    } else if (typeof port === 'string') {
      r.error(
        'invalid-end-port',
        endPath,
        `cannot be used with a named port (${JSON.stringify(port)}): use a port number`,
      );
    } else if (numericPort !== undefined && endPort < numericPort) {
      r.error('invalid-end-port', endPath, `must be ≥ port (${numericPort}), got ${endPort}`);
    }
  }
  return out;
}

function validatePolicyTypes(r: Reporter, path: FieldPath, raw: unknown): string[] | undefined {
  const list = asList(r, path, raw);
  if (list === undefined) return undefined;
  if (list.length > 2) {
    r.error(
      'invalid-policy-type',
      path,
      `may not have more than 2 values, got ${list.length}: use "Ingress", "Egress" or both`,
    );
    return list.filter((v): v is string => typeof v === 'string');
  }
  // (Made at its length, and a path only for a problem: every policy comes here, most with a valid list.)
  if (isPlainPolicyTypes(list)) return list as string[];
  const types: string[] = [];
  for (const [i, item] of list.entries()) {
    const itemPath = [...path, i];
    const text = item === null ? '' : asString(r, itemPath, item);
    if (text === undefined) continue;
    if (!(POLICY_TYPES as readonly string[]).includes(text)) {
      r.error(
        'invalid-policy-type',
        itemPath,
        withSuggestion(
          `${JSON.stringify(text)} is not a policy type: use "Ingress" or "Egress"`,
          closestMatch(text, POLICY_TYPES),
        ),
      );
    } else if (types.includes(text)) {
      r.warn('duplicate-policy-type', itemPath, `"${text}" is listed twice: remove the duplicate`);
    }
    types.push(text);
  }
  return types;
}

/** A list of one or two policy types without a duplicate: what `validatePolicyTypes` reads as it is. */
function isPlainPolicyTypes(list: readonly unknown[]): boolean {
  const [first, second] = list;
  if (first !== 'Ingress' && first !== 'Egress') return false;
  return (
    list.length === 1 ||
    (list.length === 2 && (second === 'Ingress' || second === 'Egress') && second !== first)
  );
}
