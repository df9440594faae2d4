/**
 * ClusterNetworkPolicy (`policy.networking.k8s.io` v1alpha2/v1beta1), AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy (v1alpha1), checked as the API server checks them with the CRDs of
 * sigs.k8s.io/network-policy-api v0.3.0 (OpenAPI schema and CEL rules; the experimental channel, a superset
 * of the standard one), plus what older CRDs let through and netfence cannot read (docs/design/tiers.md,
 * "What the API server rejects"). Each message starts with the API server's wording where it has one.
 *
 * Returns the spec as the API reads it: `null` dropped (the API server prunes nulls of non-nullable fields
 * before validating), and the v0.1.x AdminNetworkPolicy peer forms rewritten to the v0.3.0 ones.
 */
import type { ClusterPolicyKind } from '../../model/cluster.ts';
import type {
  AnpPort,
  CnpDestinationPort,
  CnpProtocol,
  LabelSelector,
  NamespacedPod,
  TierEgressPeer,
  TierSubject,
  TierWireRule,
} from '../../model/k8s.ts';
import { formatPath, type FieldPath } from '../../model/problem.ts';
import { closestMatch, withSuggestion } from '../../base/suggest.ts';
import { parseCidr } from '../cidr.ts';
import { isMap, type JsonMap } from '../values.ts';
import { asInt, asList, asMap, asString, checkKnownFields } from './check.ts';
import { aKind, validateLabelSelector } from './meta.ts';
import { validateProtocol } from './ports.ts';
import type { Reporter } from './report.ts';

type Direction = 'ingress' | 'egress';

/** What differs between the kinds. */
interface KindRules {
  kind: ClusterPolicyKind;
  /** Action words of the enum, in the API's order. */
  actions: readonly string[];
  /** The word that allows (CNP `Accept`, ANP/BANP `Allow`). */
  allow: string;
  /** Max rules per direction, and max peers and port entries per rule. */
  max: number;
  /** Egress peer fields of the schema. */
  egressPeers: readonly string[];
  /** `protocols` (CNP) or `ports` (ANP/BANP). */
  portsField: 'protocols' | 'ports';
}

const RULES: Record<ClusterPolicyKind, KindRules> = {
  ClusterNetworkPolicy: {
    kind: 'ClusterNetworkPolicy',
    actions: ['Accept', 'Deny', 'Pass'],
    allow: 'Accept',
    max: 25,
    egressPeers: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'],
    portsField: 'protocols',
  },
  AdminNetworkPolicy: {
    kind: 'AdminNetworkPolicy',
    actions: ['Allow', 'Deny', 'Pass'],
    allow: 'Allow',
    max: 100,
    egressPeers: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'],
    portsField: 'ports',
  },
  BaselineAdminNetworkPolicy: {
    kind: 'BaselineAdminNetworkPolicy',
    actions: ['Allow', 'Deny'],
    allow: 'Allow',
    max: 100,
    egressPeers: ['namespaces', 'pods', 'nodes', 'networks'],
    portsField: 'ports',
  },
};

const INGRESS_PEERS = ['namespaces', 'pods'] as const;
/** Peers that hold no pods, so no named port (the CEL rule of egress rules). */
const UNNAMED_PEERS = ['networks', 'nodes', 'domainNames'] as const;
/** `MaxItems` of `networks` and `domainNames`, for every kind. */
const MAX_ADDRESSES = 25;
const MAX_RULE_NAME = 100;
/** The CRD's pattern for `domainNames` items. */
const DOMAIN_PATTERN =
  /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;
/** The CEL rule's message (the BANP has no domainNames peer, and says so). */
const namedPortRule = (kind: ClusterPolicyKind): string => {
  const peers = kind === 'BaselineAdminNetworkPolicy' ? 'networks/nodes' : 'networks/nodes/domainNames';
  return `Invalid value: ${peers} peer cannot be set with namedPorts since there are no namedPorts for ${peers}`;
};

/** Only one BANP exists, by the CRD's CEL rule. */
export const BASELINE_ADMIN_NAME = 'default';

export const given = (map: JsonMap, fields: readonly string[]): string[] =>
  fields.filter((f) => map[f] !== undefined && map[f] !== null);

export function required(r: Reporter, path: FieldPath, hint: string): void {
  r.error('missing-field', path, `Required value: ${hint}`);
}

/** `MaxItems` (the API's wording), with the limit and what to do. */
export function checkMaxItems(
  r: Reporter,
  path: FieldPath,
  list: readonly unknown[],
  max: number,
  fix: string,
): void {
  if (list.length <= max) return;
  r.error('too-many', path, `Too many: ${list.length}: must have at most ${max} items. ${fix}`);
}

/** `MinItems=1`. */
export function checkNotEmpty(r: Reporter, path: FieldPath, list: readonly unknown[], fix: string): boolean {
  if (list.length > 0) return true;
  r.error(
    'empty-list',
    path,
    `Invalid value: 0: ${formatPath(path)} in body should have at least 1 items: ${fix}`,
  );
  return false;
}

/**
 * `MinProperties=1, MaxProperties=1` (a union: exactly one field). Returns the one field set, or undefined
 * after reporting.
 */
export function exactlyOne(
  r: Reporter,
  path: FieldPath,
  map: JsonMap,
  fields: readonly string[],
  what: string,
  split = 'Split it into list items, one field each',
): string | undefined {
  const set = given(map, fields);
  if (set.length === 1) return set[0];
  if (set.length === 0) {
    const empty = fields.find((f) => f in map);
    const fix =
      empty !== undefined
        ? `"${empty}:" has no value, which reads as absent. Write "${empty}: {}"`
        : `set one of ${fields.join(', ')}`;
    r.error(
      'invalid-union',
      path,
      `Invalid value: 0: ${formatPath(path)} in body should have at least 1 properties: ${what} needs exactly one field; ${fix}`,
    );
  } else {
    r.error(
      'invalid-union',
      path,
      `Too many: ${set.length}: must have at most 1 item: ${what} sets ${set.join(' and ')}; it takes exactly one. ${split}`,
    );
  }
  return undefined;
}

/** An integer within `[min, max]`, worded as the OpenAPI validation does. */
export function checkRange(
  r: Reporter,
  path: FieldPath,
  value: number,
  min: number,
  max: number,
  hint: string,
): boolean {
  if (value < min) {
    r.error(
      'out-of-range',
      path,
      `Invalid value: ${value}: ${formatPath(path)} in body should be greater than or equal to ${min}. ${hint}`,
    );
    return false;
  }
  if (value > max) {
    r.error(
      'out-of-range',
      path,
      `Invalid value: ${value}: ${formatPath(path)} in body should be less than or equal to ${max}. ${hint}`,
    );
    return false;
  }
  return true;
}

export function checkEnum(
  r: Reporter,
  path: FieldPath,
  value: string,
  supported: readonly string[],
  hint = '',
): boolean {
  if (supported.includes(value)) return true;
  const words = supported.map((s) => `"${s}"`).join(', ');
  r.error(
    'unsupported-value',
    path,
    withSuggestion(
      `Unsupported value: ${JSON.stringify(value)}: supported values: ${words}${hint}`,
      closestMatch(value, supported),
    ),
  );
  return false;
}

/** The spec of a cluster policy, as the API server validates it for `kind`. */
export function validateClusterPolicySpec(
  r: Reporter,
  kind: ClusterPolicyKind,
  object: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  checkKnownFields(r, [], object, ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const rules = RULES[kind];
  const path = ['spec'];
  if (object.spec === undefined || object.spec === null) {
    required(
      r,
      path,
      `${aKind(kind)} needs a spec (subject, ${kind === 'ClusterNetworkPolicy' ? 'tier, priority, ' : kind === 'AdminNetworkPolicy' ? 'priority, ' : ''}ingress and/or egress rules)`,
    );
    return {};
  }
  const map = asMap(r, path, object.spec);
  if (map === undefined) return {};
  const fields =
    kind === 'ClusterNetworkPolicy'
      ? ['tier', 'priority', 'subject', 'ingress', 'egress']
      : kind === 'AdminNetworkPolicy'
        ? ['priority', 'subject', 'ingress', 'egress']
        : ['subject', 'ingress', 'egress'];
  checkKnownFields(r, path, map, fields);
  const spec: Record<string, unknown> = {};

  if (kind === 'ClusterNetworkPolicy') {
    const tier = asString(r, [...path, 'tier'], map.tier);
    if (tier === undefined) {
      if (map.tier === undefined || map.tier === null)
        required(r, [...path, 'tier'], 'set tier: Admin (before NetworkPolicies) or Baseline (after them)');
    } else {
      checkEnum(
        r,
        [...path, 'tier'],
        tier,
        ['Admin', 'Baseline'],
        tier === 'NetworkPolicy'
          ? ' (the NetworkPolicy tier is where networking.k8s.io/v1 NetworkPolicies act)'
          : '',
      );
      spec.tier = tier;
    }
  }
  if (kind !== 'BaselineAdminNetworkPolicy') {
    const priority = asInt(r, [...path, 'priority'], map.priority);
    if (priority === undefined) {
      if (map.priority === undefined || map.priority === null)
        required(r, [...path, 'priority'], 'set a priority from 0 (evaluated first) to 1000 (last)');
    } else {
      checkRange(
        r,
        [...path, 'priority'],
        priority,
        0,
        1000,
        'Use a priority from 0 (evaluated first) to 1000 (last)',
      );
      spec.priority = priority;
    }
  }
  const subject = validateSubject(r, [...path, 'subject'], map.subject, kind);
  if (subject !== undefined) spec.subject = subject;
  for (const direction of ['ingress', 'egress'] as const) {
    const list = asList(r, [...path, direction], map[direction]);
    if (list === undefined) continue;
    checkMaxItems(
      r,
      [...path, direction],
      list,
      rules.max,
      'Merge rules with the same action, or split the policy into two policies',
    );
    spec[direction] = list.map((item, i) => validateRule(r, [...path, direction, i], item, rules, direction));
  }
  return spec;
}

function validateSubject(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  kind: ClusterPolicyKind,
): TierSubject | undefined {
  if (raw === undefined || raw === null) {
    required(
      r,
      path,
      'say whom the policy applies to: "subject: {namespaces: {}}" for every pod, or "subject: {pods: {...}}"',
    );
    return undefined;
  }
  const map = asMap(r, path, raw);
  if (map === undefined) return undefined;
  checkKnownFields(r, path, map, ['namespaces', 'pods']);
  const one = exactlyOne(
    r,
    path,
    map,
    ['namespaces', 'pods'],
    'a subject',
    'Keep namespaces (every pod of the namespaces) or pods (by namespace and pod labels), or write two policies',
  );
  const out: TierSubject = {};
  const namespaces = validateLabelSelector(r, [...path, 'namespaces'], map.namespaces);
  if (namespaces !== undefined) out.namespaces = namespaces;
  if (map.pods !== undefined && map.pods !== null) {
    const pods = validateNamespacedPod(r, [...path, 'pods'], map.pods, kind !== 'ClusterNetworkPolicy');
    if (pods !== undefined) out.pods = pods;
  }
  return one === undefined ? undefined : out;
}

/** `{namespaceSelector, podSelector}`; both required in ANP/BANP, `podSelector` in CNP. */
function validateNamespacedPod(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  namespaceSelectorRequired: boolean,
): NamespacedPod | undefined {
  const map = asMap(r, path, raw);
  if (map === undefined) return undefined;
  checkKnownFields(r, path, map, ['namespaceSelector', 'podSelector']);
  const out: NamespacedPod = {};
  const namespaceSelector = validateLabelSelector(r, [...path, 'namespaceSelector'], map.namespaceSelector);
  if (namespaceSelector !== undefined) out.namespaceSelector = namespaceSelector;
  else if (namespaceSelectorRequired)
    required(r, [...path, 'namespaceSelector'], 'write "namespaceSelector: {}" for pods of every namespace');
  const podSelector = validateLabelSelector(r, [...path, 'podSelector'], map.podSelector);
  if (podSelector !== undefined) out.podSelector = podSelector;
  else
    required(r, [...path, 'podSelector'], 'write "podSelector: {}" for every pod of the selected namespaces');
  return out;
}

function validateRule(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  rules: KindRules,
  direction: Direction,
): TierWireRule {
  const map = asMap(r, path, raw) ?? {};
  const peersField = direction === 'ingress' ? 'from' : 'to';
  checkKnownFields(r, path, map, ['name', 'action', peersField, rules.portsField]);
  const out: TierWireRule = {};

  const name = asString(r, [...path, 'name'], map.name);
  if (name !== undefined) {
    out.name = name;
    if (Buffer.byteLength(name) > MAX_RULE_NAME)
      r.error(
        'too-long',
        [...path, 'name'],
        `Too long: may not be more than ${MAX_RULE_NAME} bytes: the name has ${Buffer.byteLength(name)}. Shorten it`,
      );
  }

  const action = asString(r, [...path, 'action'], map.action);
  if (action === undefined) {
    if (map.action === undefined || map.action === null)
      required(r, [...path, 'action'], `set action: ${rules.actions.join(', ')}`);
  } else {
    out.action = action;
    const other =
      rules.kind === 'ClusterNetworkPolicy'
        ? action === 'Allow'
          ? ' (Allow is the AdminNetworkPolicy word; a ClusterNetworkPolicy says Accept)'
          : ''
        : action === 'Accept'
          ? ` (Accept is the ClusterNetworkPolicy word; ${aKind(rules.kind)} says Allow)`
          : action === 'Pass' && rules.kind === 'BaselineAdminNetworkPolicy'
            ? ' (there is no tier after the baseline to pass to)'
            : '';
    checkEnum(r, [...path, 'action'], action, rules.actions, other);
  }

  const peerList = asList(r, [...path, peersField], map[peersField]);
  if (peerList === undefined) {
    if (map[peersField] === undefined || map[peersField] === null)
      required(
        r,
        [...path, peersField],
        `list the ${direction === 'ingress' ? 'sources' : 'destinations'}; "- namespaces: {}" for every pod`,
      );
  } else {
    const peersPath = [...path, peersField];
    if (checkNotEmpty(r, peersPath, peerList, `list at least one peer; "- namespaces: {}" for every pod`))
      checkMaxItems(r, peersPath, peerList, rules.max, 'Split the rule into two rules with the same action');
    out[peersField] = peerList.map((item, i) =>
      validatePeer(r, [...peersPath, i], item, rules, direction, action),
    );
  }

  const portsPath = [...path, rules.portsField];
  const portList = asList(r, portsPath, map[rules.portsField]);
  let named = false;
  if (portList !== undefined) {
    if (
      checkNotEmpty(r, portsPath, portList, `remove "${rules.portsField}" to match every port, or list ports`)
    )
      checkMaxItems(r, portsPath, portList, rules.max, 'Use port ranges, or split the rule');
    if (rules.portsField === 'protocols') {
      out.protocols = portList.map((item, i) => validateCnpProtocol(r, [...portsPath, i], item));
      named = out.protocols.some((p) => p.destinationNamedPort !== undefined);
    } else {
      out.ports = portList.map((item, i) => validateAnpPort(r, [...portsPath, i], item));
      named = out.ports.some((p) => p.namedPort !== undefined);
    }
  }
  if (named && direction === 'egress') {
    const unnamed = (out.to ?? []).flatMap((p) => UNNAMED_PEERS.filter((f) => p[f] !== undefined));
    if (unnamed.length > 0)
      r.error(
        'named-port-peer',
        path,
        `${namedPortRule(rules.kind)}: this rule has a ${unnamed[0]} peer and a named port. Use port numbers, or put the ${unnamed[0]} peers in a rule of their own`,
      );
  }
  return out;
}

function validatePeer(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  rules: KindRules,
  direction: Direction,
  action: string | undefined,
): TierEgressPeer {
  const map = asMap(r, path, raw) ?? {};
  const fields = direction === 'ingress' ? INGRESS_PEERS : rules.egressPeers;
  checkKnownFields(r, path, map, fields);
  exactlyOne(r, path, map, fields, 'a peer');
  const anp = rules.kind !== 'ClusterNetworkPolicy';
  const out: TierEgressPeer = {};
  if (map.namespaces !== undefined && map.namespaces !== null) {
    const selector = anp
      ? validateAnpNamespaces(r, [...path, 'namespaces'], map.namespaces)
      : validateLabelSelector(r, [...path, 'namespaces'], map.namespaces);
    if (selector !== undefined) out.namespaces = selector;
  }
  if (map.pods !== undefined && map.pods !== null) {
    const pods = anp
      ? validateAnpPodsPeer(r, [...path, 'pods'], map.pods)
      : validateNamespacedPod(r, [...path, 'pods'], map.pods, false);
    if (pods !== undefined) out.pods = pods;
  }
  if (direction === 'ingress') return out;
  if (fields.includes('nodes')) {
    const nodes = validateLabelSelector(r, [...path, 'nodes'], map.nodes);
    if (nodes !== undefined) out.nodes = nodes;
  }
  if (fields.includes('networks')) {
    const networks = validateSet(r, [...path, 'networks'], map.networks, checkNetwork);
    if (networks !== undefined) out.networks = networks;
  }
  if (fields.includes('domainNames')) {
    const domains = validateSet(r, [...path, 'domainNames'], map.domainNames, checkDomainName);
    if (domains !== undefined) {
      out.domainNames = domains;
      if (action !== undefined && action !== rules.allow && rules.actions.includes(action))
        r.warn(
          'domain-names-action',
          [...path, 'domainNames'],
          `domainNames in a ${action} rule: the API server stores it, but the API says "DomainNames is only supported for ${rules.allow} rules", so what a network plugin does with it is undefined (it may ignore the peer). netfence reads it as written. Deny by networks, or make it an ${rules.allow} rule`,
        );
    }
  }
  return out;
}

/** `networks` / `domainNames`: 1–25 strings, a set (`listType=set`: no duplicates). */
function validateSet(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  check: (r: Reporter, path: FieldPath, text: string) => void,
): string[] | undefined {
  const list = asList(r, path, raw);
  if (list === undefined) return undefined;
  if (checkNotEmpty(r, path, list, 'list at least one entry, or remove the peer'))
    checkMaxItems(r, path, list, MAX_ADDRESSES, 'Split the peer into two peers');
  const out: string[] = [];
  for (const [i, item] of list.entries()) {
    const text = asString(r, [...path, i], item);
    if (text === undefined) continue;
    if (out.includes(text)) {
      r.error(
        'duplicate-value',
        [...path, i],
        `Duplicate value: ${JSON.stringify(text)}: remove the second one`,
      );
      continue;
    }
    out.push(text);
    check(r, [...path, i], text);
  }
  return out;
}

/** The CEL rule `isCIDR(self) && cidr(self) == cidr(self).masked()`: a CIDR in canonical form. */
function checkNetwork(r: Reporter, path: FieldPath, text: string): void {
  const parsed = parseCidr(text);
  const api = `Invalid value: ${JSON.stringify(text)}: Invalid CIDR format provided`;
  if (!parsed.ok) r.error('invalid-cidr', path, `${api}: ${parsed.message}`);
  else if (parsed.value.hostBitsSet)
    r.error('invalid-cidr', path, `${api}: it has host bits set. Write "${parsed.value.canonical}"`);
  else if (parsed.value.leadingZeros)
    r.error('invalid-cidr', path, `${api}: it has leading zeros. Write "${parsed.value.canonical}"`);
}

function checkDomainName(r: Reporter, path: FieldPath, text: string): void {
  if (DOMAIN_PATTERN.test(text)) return;
  const why = text.includes('*')
    ? '\'*\' may only be the first label, alone ("*.example.com")'
    : !text.includes('.')
      ? 'a domain name needs at least two labels ("example.com"), a single label ("localhost") cannot be matched'
      : "labels are letters, digits, '-' and '_', not starting or ending with '-'";
  r.error(
    'invalid-domain-name',
    path,
    `Invalid value: ${JSON.stringify(text)}: ${formatPath(path)} in body should match '${DOMAIN_PATTERN.source}': ${why}`,
  );
}

const OLD_NAMESPACE_FIELDS = ['namespaceSelector', 'sameLabels', 'notSameLabels'] as const;

/** Whether a mapping is the v0.1.x `NamespacedPeer` (`{namespaceSelector | sameLabels | notSameLabels}`). */
function isOldNamespacesPeer(raw: unknown): raw is JsonMap {
  return isMap(raw) && OLD_NAMESPACE_FIELDS.some((f) => f in raw);
}

/**
 * An ANP/BANP `namespaces` peer: a label selector (v0.3.0), or the v0.1.x `NamespacedPeer`, whose
 * `namespaceSelector` means the same and is read as it; `sameLabels`/`notSameLabels` are reported.
 */
function validateAnpNamespaces(r: Reporter, path: FieldPath, raw: unknown): LabelSelector | undefined {
  if (!isOldNamespacesPeer(raw)) return validateLabelSelector(r, path, raw);
  checkKnownFields(r, path, raw, OLD_NAMESPACE_FIELDS);
  const set = given(raw, OLD_NAMESPACE_FIELDS);
  if (set.length > 1) {
    r.error(
      'invalid-union',
      path,
      `Too many: ${set.length}: must have at most 1 item: sets ${set.join(' and ')}; it takes exactly one`,
    );
  }
  for (const field of ['sameLabels', 'notSameLabels'] as const) {
    if (!(field in raw)) continue;
    const keys = Array.isArray(raw[field]) ? (raw[field] as unknown[]).map(String) : [];
    const which = field === 'sameLabels' ? 'the same values as' : 'values different from';
    r.error(
      'unsupported-peer',
      [...path, field],
      `${field} (the v0.1.x AdminNetworkPolicy peer) selects the namespaces whose labels ${JSON.stringify(keys)} have ${which} the subject pod's namespace, a comparison per pair of namespaces that netfence cannot evaluate; network-policy-api v0.3.0 removed it. Write one rule per namespace group with "namespaces: {matchLabels: ...}" instead`,
    );
  }
  if (set.length !== 1 || set[0] !== 'namespaceSelector') return undefined;
  const selector = validateLabelSelector(r, [...path, 'namespaceSelector'], raw.namespaceSelector);
  r.warn(
    'old-peer-form',
    [...path, 'namespaceSelector'],
    'is the v0.1.x form of this peer ("namespaces: {namespaceSelector: ...}"); netfence reads it as the selector it holds, which is what it means, and the v0.3.0 form writes the selector directly: "namespaces: {matchLabels: ...}"',
  );
  return selector;
}

/** An ANP/BANP `pods` peer: v0.3.0 `{namespaceSelector, podSelector}`, or v0.1.x `{namespaces, podSelector}`. */
function validateAnpPodsPeer(r: Reporter, path: FieldPath, raw: unknown): NamespacedPod | undefined {
  if (!isMap(raw) || !('namespaces' in raw)) return validateNamespacedPod(r, path, raw, true);
  checkKnownFields(r, path, raw, ['namespaces', 'podSelector']);
  const out: NamespacedPod = {};
  const namespaces = raw.namespaces;
  if (namespaces === undefined || namespaces === null)
    required(
      r,
      [...path, 'namespaces'],
      'write "namespaces: {namespaceSelector: {}}" for pods of every namespace',
    );
  else if (!isOldNamespacesPeer(namespaces)) {
    asMap(r, [...path, 'namespaces'], namespaces);
    if (isMap(namespaces))
      exactlyOne(r, [...path, 'namespaces'], namespaces, OLD_NAMESPACE_FIELDS, 'a namespaces peer');
  } else {
    const selector = validateAnpNamespaces(r, [...path, 'namespaces'], namespaces);
    if (selector !== undefined) out.namespaceSelector = selector;
  }
  const podSelector = validateLabelSelector(r, [...path, 'podSelector'], raw.podSelector);
  if (podSelector !== undefined) out.podSelector = podSelector;
  else
    required(r, [...path, 'podSelector'], 'write "podSelector: {}" for every pod of the selected namespaces');
  return out;
}

const CNP_PROTOCOLS = ['tcp', 'udp', 'sctp', 'destinationNamedPort'] as const;

function validateCnpProtocol(r: Reporter, path: FieldPath, raw: unknown): CnpProtocol {
  const map = asMap(r, path, raw) ?? {};
  checkKnownFields(r, path, map, CNP_PROTOCOLS);
  exactlyOne(r, path, map, CNP_PROTOCOLS, 'a protocols entry');
  const out: CnpProtocol = {};
  for (const field of ['tcp', 'udp', 'sctp'] as const) {
    const fieldPath = [...path, field];
    const options = asMap(r, fieldPath, map[field]);
    if (options === undefined) continue;
    checkKnownFields(r, fieldPath, options, ['destinationPort']);
    const portPath = [...fieldPath, 'destinationPort'];
    const port = asMap(r, portPath, options.destinationPort);
    if (port === undefined) {
      r.error(
        'invalid-union',
        fieldPath,
        `Invalid value: 0: ${formatPath(fieldPath)} in body should have at least 1 properties: give a destinationPort, e.g. "{destinationPort: {number: 443}}"; for every ${field.toUpperCase()} port, "{destinationPort: {range: {start: 1, end: 65535}}}"`,
      );
      out[field] = {};
      continue;
    }
    out[field] = { destinationPort: validateDestinationPort(r, portPath, port) };
  }
  const name = asString(r, [...path, 'destinationNamedPort'], map.destinationNamedPort);
  if (name !== undefined) out.destinationNamedPort = name;
  return out;
}

function validateDestinationPort(r: Reporter, path: FieldPath, map: JsonMap): CnpDestinationPort {
  checkKnownFields(r, path, map, ['number', 'range']);
  exactlyOne(r, path, map, ['number', 'range'], 'a destinationPort');
  const out: CnpDestinationPort = {};
  const number = asInt(r, [...path, 'number'], map.number);
  if (number !== undefined) {
    checkRange(r, [...path, 'number'], number, 1, 65535, 'A port is from 1 to 65535');
    out.number = number;
  }
  const rangePath = [...path, 'range'];
  const range = asMap(r, rangePath, map.range);
  if (range !== undefined) {
    checkKnownFields(r, rangePath, range, ['start', 'end']);
    const bounds = validateBounds(r, rangePath, range);
    if (bounds !== undefined) out.range = bounds;
  }
  return out;
}

/** `start` and `end`, both required, 1–65535, `start < end`. */
function validateBounds(
  r: Reporter,
  path: FieldPath,
  map: JsonMap,
): { start: number; end: number } | undefined {
  const values: Partial<Record<'start' | 'end', number>> = {};
  for (const field of ['start', 'end'] as const) {
    const value = asInt(r, [...path, field], map[field]);
    if (value === undefined) {
      if (map[field] === undefined || map[field] === null)
        required(r, [...path, field], `give the ${field === 'start' ? 'first' : 'last'} port of the range`);
    } else if (checkRange(r, [...path, field], value, 1, 65535, 'A port is from 1 to 65535'))
      values[field] = value;
  }
  const { start, end } = values;
  if (start === undefined || end === undefined) return undefined;
  if (start >= end) {
    const fix =
      start === end
        ? `for the single port ${start}, write "number: ${start}" (CNP) or "portNumber" (ANP)`
        : `swap them: start ${end}, end ${start}`;
    r.error(
      'invalid-port-range',
      path,
      `Invalid value: Start port must be less than End port: start is ${start}, end is ${end}; ${fix}`,
    );
  }
  return { start, end };
}

const ANP_PORTS = ['portNumber', 'namedPort', 'portRange'] as const;

function validateAnpPort(r: Reporter, path: FieldPath, raw: unknown): AnpPort {
  const map = asMap(r, path, raw) ?? {};
  checkKnownFields(r, path, map, ANP_PORTS);
  exactlyOne(r, path, map, ANP_PORTS, 'a ports entry');
  const out: AnpPort = {};
  const numberPath = [...path, 'portNumber'];
  const portNumber = asMap(r, numberPath, map.portNumber);
  if (portNumber !== undefined) {
    checkKnownFields(r, numberPath, portNumber, ['protocol', 'port']);
    const protocol = validateProtocol(r, [...numberPath, 'protocol'], portNumber.protocol);
    const port = asInt(r, [...numberPath, 'port'], portNumber.port);
    if (port === undefined) {
      if (portNumber.port === undefined || portNumber.port === null)
        required(r, [...numberPath, 'port'], 'give the port number, 1 to 65535');
    } else checkRange(r, [...numberPath, 'port'], port, 1, 65535, 'A port is from 1 to 65535');
    out.portNumber = { protocol: protocol ?? 'TCP', ...(port === undefined ? {} : { port }) };
  }
  const name = asString(r, [...path, 'namedPort'], map.namedPort);
  if (name !== undefined) out.namedPort = name;
  const rangePath = [...path, 'portRange'];
  const range = asMap(r, rangePath, map.portRange);
  if (range !== undefined) {
    checkKnownFields(r, rangePath, range, ['protocol', 'start', 'end']);
    const protocol = validateProtocol(r, [...rangePath, 'protocol'], range.protocol);
    const bounds = validateBounds(r, rangePath, range);
    out.portRange = { protocol: protocol ?? 'TCP', ...bounds };
  }
  return out;
}
