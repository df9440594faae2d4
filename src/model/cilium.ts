/**
 * Cilium's own policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy; issue #17) in one normalized
 * form, and the pure step from the wire object to it. Semantics from Cilium's `pkg/policy/api` doc comments
 * and `pkg/k8s/apis/cilium.io/utils` (how the agent rewrites selectors); see docs/cilium.md.
 *
 * Selectors are normalized to match a pod's *identity labels* (`ciliumIdentityLabels`): its own labels, its
 * namespace under `io.kubernetes.pod.namespace`, each namespace label under
 * `io.cilium.k8s.namespace.labels.<key>`. The `k8s:` and `any:` sources are dropped from keys (a pod label
 * has both); other sources (`reserved:`, `cidr:`, …) keep their prefix, so they never match a pod; a peer
 * selector on one `reserved:<name>` label alone becomes the entity `<name>` (`ciliumReservedEntity`). The
 * namespace scoping the agent adds is added here, so the engine only evaluates selectors:
 * - a CiliumNetworkPolicy's `endpointSelector` always gets its own namespace;
 * - its peer selectors get it too, unless they name the namespace key or a namespace label;
 * - a CiliumClusterwideNetworkPolicy's peer selectors without the namespace key get `Exists` on it (only
 *   Cilium-managed pods, never the host or the world).
 *
 * Pure. It expects an object that validation accepted; on anything else it still returns a value.
 */
import type { FieldPath } from './problem.ts';
import type { Origin } from './cluster.ts';
import type { LabelSelector, LabelSelectorRequirement } from './k8s.ts';
import type {
  CiliumCIDRRule,
  CiliumEgressCommon,
  CiliumIngressCommon,
  CiliumPolicyObject,
  CiliumPortDenyRule,
  CiliumPortProtocol,
  CiliumPortRule,
  CiliumRule,
} from './cilium-wire.ts';

export const CiliumPolicyKind = {
  CiliumNetworkPolicy: 'CiliumNetworkPolicy',
  CiliumClusterwideNetworkPolicy: 'CiliumClusterwideNetworkPolicy',
} as const;
export type CiliumPolicyKind = (typeof CiliumPolicyKind)[keyof typeof CiliumPolicyKind];

/** A CiliumNetworkPolicy (namespaced) or CiliumClusterwideNetworkPolicy as written: `spec`, `specs` or both. */
export type CiliumObject = CiliumPolicyObject & { kind: CiliumPolicyKind };

/** The identity label of a pod's namespace. */
export const CILIUM_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** The prefix of the identity labels that carry the pod's namespace's labels. */
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/** The identity label of a pod's cluster (Cilium's `cluster-name`, `default` unless set). */
export const CILIUM_CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';
/** The identity label of a pod's service account (`spec.serviceAccountName`, `default` when absent). */
export const CILIUM_SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';

/** The label sources that a pod's own labels have (`k8s:`), and the wildcard source (`any:` or none). */
const POD_SOURCES = ['k8s:', 'any:'] as const;

/** Cilium's entities: the identities that are not pods. */
export const CiliumEntity = {
  World: 'world',
  WorldIpv4: 'world-ipv4',
  WorldIpv6: 'world-ipv6',
  Cluster: 'cluster',
  /** Every endpoint of every cluster of the mesh; in a single cluster, the same as `cluster`. */
  ClusterMesh: 'cluster-mesh',
  Host: 'host',
  RemoteNode: 'remote-node',
  KubeApiserver: 'kube-apiserver',
  Ingress: 'ingress',
  Health: 'health',
  Init: 'init',
  Unmanaged: 'unmanaged',
  None: 'none',
  All: 'all',
} as const;
export type CiliumEntity = (typeof CiliumEntity)[keyof typeof CiliumEntity];

const ENTITIES: ReadonlySet<string> = new Set(Object.values(CiliumEntity));

export function isCiliumEntity(word: string): word is CiliumEntity {
  return ENTITIES.has(word);
}

/**
 * One peer of a Cilium rule (the L3 part). The fields of a rule are alternatives (any one matching peer
 * matches). `anyPeer`: the rule lists ports (or ICMP types) and no peer field, so it applies to every peer
 * (Cilium's wildcard selector: pods, hosts and the world). `unsupported`: a field netfence cannot resolve
 * statically (`fromGroups`, `cidrGroupRef`, `fromRequires`, …); it matches nothing, with a warning.
 */
export type CiliumPeerInfo =
  | { kind: 'endpoints'; selector: LabelSelector }
  | { kind: 'nodes'; selector: LabelSelector }
  | { kind: 'cidr'; cidr: string; except: readonly string[] }
  | { kind: 'entity'; entity: CiliumEntity }
  /**
   * `toServices`: a Service by name, or Services by label selector. `namespace` undefined: the Service in any
   * namespace (the agent's `serviceRefMatches`/`serviceSelectorMatches` match an empty namespace everywhere,
   * not only in the policy's).
   */
  | { kind: 'service'; name: string; namespace: string | undefined }
  | { kind: 'serviceSelector'; selector: LabelSelector; namespace: string | undefined }
  | { kind: 'fqdn'; name: string }
  | { kind: 'fqdnPattern'; pattern: string }
  | { kind: 'anyPeer' }
  | { kind: 'unsupported'; field: string; path: FieldPath };

/**
 * One port of a `toPorts` entry. `protocol`: `TCP`, `UDP`, `SCTP`, `ANY` (all three), or another word the CRD
 * allows (`ICMP`, `VRRP`, `IGMP`, …), which no TCP/UDP/SCTP connection has. `range`: a port or a range (`port`
 * absent or `"0"`: 1–65535); `named`: a container port name on the destination pod.
 */
export type CiliumPortInfo =
  | { kind: 'range'; protocol: string; start: number; end: number }
  | { kind: 'named'; protocol: string; name: string };

/**
 * What filters a port rule at layer 7: `http`/`dns` rules (Cilium 1.20's two; `kafka` and `l7proto` from
 * older CRDs), `tls` (TLS termination or origination, or `serverNames`: SNI checked by the proxy), `listener`
 * (traffic handed to a custom Envoy listener).
 */
export const CiliumL7 = {
  Http: 'http',
  Kafka: 'kafka',
  Dns: 'dns',
  L7Proto: 'l7proto',
  Tls: 'tls',
  Listener: 'listener',
} as const;
export type CiliumL7 = (typeof CiliumL7)[keyof typeof CiliumL7];

/**
 * One `toPorts` entry with ports (never empty: an entry without ports matches no port and is left out) and
 * the layer-7 rules that filter inside them. `index`: its position in `toPorts`.
 */
export interface CiliumPortRuleInfo {
  index: number;
  ports: readonly CiliumPortInfo[];
  /** Set when the entry has L7 rules, TLS interception, `serverNames` or a `listener`: allowed at L4, filtered at L7. */
  l7: CiliumL7 | undefined;
}

export interface CiliumRuleInfo {
  /** Position in its list (`ingress[index]`, `egressDeny[index]`, …). */
  index: number;
  /** Empty: the rule matches no peer (an empty rule `{}`, Cilium's "deny all" idiom). */
  peers: readonly CiliumPeerInfo[];
  /** `undefined`: no `toPorts`, every port of every protocol. */
  ports: readonly CiliumPortRuleInfo[] | undefined;
  /** The rule has `icmps`: it allows ICMP, which netfence does not model; with no `toPorts` it allows no TCP/UDP/SCTP. */
  icmp: boolean;
}

export type CiliumSubjectInfo =
  | { kind: 'endpoints'; selector: LabelSelector }
  /** A CiliumClusterwideNetworkPolicy host rule (host firewall): applies to nodes, not pods. */
  | { kind: 'nodes'; selector: LabelSelector };

/** One Cilium rule set (`spec`, or `specs[i]`): a subject and its four rule lists. */
export interface CiliumSpecInfo {
  /** `['spec']` or `['specs', i]`. */
  path: FieldPath;
  subject: CiliumSubjectInfo;
  ingress: readonly CiliumRuleInfo[];
  ingressDeny: readonly CiliumRuleInfo[];
  egress: readonly CiliumRuleInfo[];
  egressDeny: readonly CiliumRuleInfo[];
  /**
   * Whether the rule set puts its subjects in default deny per direction: only when it has rules (allow or
   * deny) in that direction, and then `enableDefaultDeny` when given, else true (the agent makes one policy
   * entry per rule and only entries count, so `enableDefaultDeny.ingress: true` without ingress rules does
   * nothing). A subject is isolated in a direction when any rule set or NetworkPolicy that selects it is.
   */
  defaultDeny: { ingress: boolean; egress: boolean };
  /**
   * The posture where the agent does not read `enableDefaultDeny` (Cilium before 1.16, or
   * `enable-non-default-deny-policies=false`): default deny in each direction that has rules.
   */
  defaultDenyByRules: { ingress: boolean; egress: boolean };
  description: string | undefined;
}

/** A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy, validated and normalized. */
export interface CiliumPolicyInfo {
  /** `CiliumNetworkPolicy/<namespace>/<name>` or `CiliumClusterwideNetworkPolicy/<name>`. */
  id: string;
  kind: CiliumPolicyKind;
  apiVersion: string;
  /** The policy's namespace; `undefined` for a CiliumClusterwideNetworkPolicy. */
  namespace: string | undefined;
  name: string;
  /** `spec` first (when present), then `specs` in order. */
  specs: readonly CiliumSpecInfo[];
  /** The object as written (for apply, diff and generated YAML). */
  object: CiliumPolicyObject;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  origin?: Origin;
}

/** Who a pod is beyond its labels: its service account and its cluster's name (each `default` when absent). */
export interface CiliumIdentityContext {
  serviceAccount?: string | undefined;
  clusterName?: string | undefined;
}

/**
 * The identity labels Cilium gives a pod, what normalized selectors are matched against: its labels, its
 * namespace and the namespace's labels, its service account (`io.cilium.k8s.policy.serviceaccount`) and its
 * cluster (`io.cilium.k8s.policy.cluster`), as the agent's `GetPodMetadata` adds them.
 */
export function ciliumIdentityLabels(
  podLabels: Readonly<Record<string, string>>,
  namespace: string,
  namespaceLabels: Readonly<Record<string, string>>,
  context: CiliumIdentityContext = {},
): Record<string, string> {
  const out: Record<string, string> = { ...podLabels };
  for (const [k, v] of Object.entries(namespaceLabels)) out[CILIUM_NAMESPACE_LABELS_PREFIX + k] = v;
  out[CILIUM_NAMESPACE_KEY] = namespace;
  out[CILIUM_SERVICE_ACCOUNT_KEY] = context.serviceAccount ?? 'default';
  out[CILIUM_CLUSTER_KEY] = context.clusterName ?? 'default';
  return out;
}

/** The label of every host endpoint (a node's host namespace). */
export const CILIUM_HOST_LABEL = 'reserved:host';

/**
 * Cilium's default label filter (`defaultLabelPrefixCfg` in `pkg/labelsfilter/filter.go`, v1.20.2): label
 * keys starting with one of `IGNORED` are not identity labels, unless one of `INCLUDED` matches a longer start
 * of the key. (The patterns are regular expressions matched at the start of the key.)
 */
const LABEL_FILTER_IGNORED = [
  /^io\.kubernetes/,
  /^kubernetes\.io/,
  /^statefulset\.kubernetes\.io\/pod-name/,
  /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/,
  /^batch\.kubernetes\.io\/controller-uid/,
  /^.*beta\.kubernetes\.io/,
  /^k8s\.io/,
  /^pod-template-generation/,
  /^pod-template-hash/,
  /^controller-revision-hash/,
  /^controller-uid/,
  /^annotation.*/,
  /^etcd_node/,
  /^topology\.kubernetes\.io/,
];
const LABEL_FILTER_INCLUDED = [
  /^io\.kubernetes\.pod\.namespace/,
  /^io\.cilium\.k8s\.namespace\.labels/,
  /^app\.kubernetes\.io/,
  /^io\.cilium\.k8s\.policy\.cluster/,
  /^io\.cilium\.k8s\.policy\.serviceaccount/,
];

/** Whether Cilium's default label filter keeps a (Kubernetes) label key as an identity label. */
export function ciliumKeepsLabel(key: string): boolean {
  const length = (patterns: readonly RegExp[], shortest: boolean): number => {
    let out = 0;
    for (const p of patterns) {
      const m = p.exec(key);
      if (m !== null && (out === 0 || (shortest ? m[0].length < out : m[0].length > out))) out = m[0].length;
    }
    return out;
  };
  const ignored = length(LABEL_FILTER_IGNORED, true);
  return ignored === 0 || length(LABEL_FILTER_INCLUDED, false) > ignored;
}

/**
 * The identity labels of a node's host endpoint, what a host policy's `nodeSelector` is matched against: the
 * Node's labels through Cilium's default label filter (`startNodeLabelsObserver` in
 * `pkg/endpointmanager/host.go`: `kubernetes.io/hostname`, `kubernetes.io/os`, `topology.kubernetes.io/zone`
 * and the like are not among them), and `reserved:host`.
 */
export function ciliumHostLabels(nodeLabels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(nodeLabels)) if (ciliumKeepsLabel(k)) out[k] = v;
  out[CILIUM_HOST_LABEL] = '';
  return out;
}

/** A selector key without the `k8s:`/`any:` source; other sources keep their prefix. */
export function ciliumLabelKey(key: string): string {
  for (const source of POD_SOURCES) if (key.startsWith(source)) return key.slice(source.length);
  return key;
}

/** The selector with its keys normalized (`ciliumLabelKey`). */
export function normalizeCiliumSelector(selector: LabelSelector): LabelSelector {
  const out: LabelSelector = {};
  if (selector.matchLabels !== undefined) {
    out.matchLabels = Object.fromEntries(
      Object.entries(selector.matchLabels).map(([k, v]) => [ciliumLabelKey(k), v]),
    );
  }
  if (selector.matchExpressions !== undefined) {
    out.matchExpressions = selector.matchExpressions.map((e) => ({ ...e, key: ciliumLabelKey(e.key) }));
  }
  return out;
}

function keys(selector: LabelSelector): string[] {
  return [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
}

function withMatch(selector: LabelSelector, key: string, value: string): LabelSelector {
  return { ...selector, matchLabels: { ...selector.matchLabels, [key]: value } };
}

function withExpression(selector: LabelSelector, requirement: LabelSelectorRequirement): LabelSelector {
  return { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), requirement] };
}

const RESERVED = 'reserved:';
const INIT_KEY = 'reserved:init';

/**
 * The reserved identity names a `reserved:<name>` label stands for, each the entity of the same name: Cilium's
 * `EntitySelectorMapping` (`pkg/policy/api/entity.go`) turns `fromEntities: [host]` into the very endpoint
 * selector `reserved:host`, so such a selector reads exactly as the entity.
 */
const RESERVED_ENTITIES: ReadonlySet<CiliumEntity> = new Set<CiliumEntity>([
  CiliumEntity.World,
  CiliumEntity.WorldIpv4,
  CiliumEntity.WorldIpv6,
  CiliumEntity.Host,
  CiliumEntity.RemoteNode,
  CiliumEntity.KubeApiserver,
  CiliumEntity.Ingress,
  CiliumEntity.Health,
  CiliumEntity.Init,
  CiliumEntity.Unmanaged,
  CiliumEntity.None,
]);

/**
 * The entity an endpoint selector names when its only requirement is a `reserved:<name>` label (reserved
 * labels have no value: `{"reserved:host": ""}`, or `Exists`); undefined otherwise. A `reserved:` key beside
 * other keys stays a selector, which matches no pod (no identity has both).
 */
export function ciliumReservedEntity(selector: LabelSelector): CiliumEntity | undefined {
  const labels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (labels.length + expressions.length !== 1) return undefined;
  const [key, fits] =
    labels.length === 1
      ? [labels[0]![0], labels[0]![1] === '']
      : [
          expressions[0]!.key,
          expressions[0]!.operator === 'Exists' ||
            (expressions[0]!.operator === 'In' && (expressions[0]!.values ?? []).includes('')),
        ];
  if (!fits || !key.startsWith(RESERVED)) return undefined;
  const name = key.slice(RESERVED.length);
  return isCiliumEntity(name) && RESERVED_ENTITIES.has(name) ? name : undefined;
}

/** A `fromEndpoints`/`toEndpoints` item: a `reserved:` selector is its entity, any other a scoped selector. */
function endpointPeer(
  raw: LabelSelector,
  namespace: string | undefined,
  initSubject: boolean,
): CiliumPeerInfo {
  const entity = ciliumReservedEntity(normalizeCiliumSelector(raw));
  return entity !== undefined
    ? { kind: 'entity', entity }
    : { kind: 'endpoints', selector: peerSelector(raw, namespace, initSubject) };
}

/** A peer endpoint selector scoped as the agent scopes it (see the file comment). */
function peerSelector(
  raw: LabelSelector,
  namespace: string | undefined,
  subjectMatchesInit: boolean,
): LabelSelector {
  const selector = normalizeCiliumSelector(raw);
  const ks = keys(selector);
  if (ks.some((k) => k.startsWith(RESERVED))) return selector;
  if (ks.includes(CILIUM_NAMESPACE_KEY)) return selector;
  if (namespace === undefined) {
    return subjectMatchesInit
      ? selector
      : withExpression(selector, { key: CILIUM_NAMESPACE_KEY, operator: 'Exists' });
  }
  if (ks.some((k) => k.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX))) return selector;
  return withMatch(selector, CILIUM_NAMESPACE_KEY, namespace);
}

function cidrPeers(
  cidrs: readonly string[] | undefined,
  sets: readonly CiliumCIDRRule[] | undefined,
  setField: string,
  path: FieldPath,
): CiliumPeerInfo[] {
  const out: CiliumPeerInfo[] = (cidrs ?? []).map((cidr) => ({ kind: 'cidr', cidr, except: [] }));
  (sets ?? []).forEach((s, i) => {
    if (s.cidr !== undefined) out.push({ kind: 'cidr', cidr: s.cidr, except: [...(s.except ?? [])] });
    else out.push({ kind: 'unsupported', field: `${setField}.cidrGroupRef`, path: [...path, setField, i] });
  });
  return out;
}

function entityPeers(
  entities: readonly string[] | undefined,
  field: string,
  path: FieldPath,
): CiliumPeerInfo[] {
  return (entities ?? []).map((e, i) =>
    isCiliumEntity(e)
      ? { kind: 'entity', entity: e }
      : { kind: 'unsupported', field, path: [...path, field, i] },
  );
}

function unsupported(
  items: readonly unknown[] | undefined,
  field: string,
  path: FieldPath,
): CiliumPeerInfo[] {
  return items === undefined || items.length === 0
    ? []
    : [{ kind: 'unsupported', field, path: [...path, field] }];
}

function ingressPeers(
  rule: CiliumIngressCommon,
  namespace: string | undefined,
  initSubject: boolean,
  path: FieldPath,
): CiliumPeerInfo[] {
  return [
    ...(rule.fromEndpoints ?? []).map((s) => endpointPeer(s, namespace, initSubject)),
    ...(rule.fromNodes ?? []).map((s): CiliumPeerInfo => ({
      kind: 'nodes',
      selector: normalizeCiliumSelector(s),
    })),
    ...cidrPeers(rule.fromCIDR, rule.fromCIDRSet, 'fromCIDRSet', path),
    ...entityPeers(rule.fromEntities, 'fromEntities', path),
    ...unsupported(rule.fromGroups, 'fromGroups', path),
    ...unsupported(rule.fromRequires, 'fromRequires', path),
  ];
}

function egressPeers(
  rule: CiliumEgressCommon & { toFQDNs?: readonly { matchName?: string; matchPattern?: string }[] },
  namespace: string | undefined,
  initSubject: boolean,
  path: FieldPath,
): CiliumPeerInfo[] {
  const services = (rule.toServices ?? []).map((s, i): CiliumPeerInfo => {
    if (s.k8sService !== undefined) {
      return {
        kind: 'service',
        name: s.k8sService.serviceName ?? '',
        namespace: s.k8sService.namespace === '' ? undefined : s.k8sService.namespace,
      };
    }
    if (s.k8sServiceSelector !== undefined) {
      return {
        kind: 'serviceSelector',
        selector: normalizeCiliumSelector(s.k8sServiceSelector.selector ?? {}),
        namespace: s.k8sServiceSelector.namespace === '' ? undefined : s.k8sServiceSelector.namespace,
      };
    }
    return { kind: 'unsupported', field: 'toServices', path: [...path, 'toServices', i] };
  });
  const fqdns = (rule.toFQDNs ?? []).map((f): CiliumPeerInfo =>
    f.matchName !== undefined
      ? { kind: 'fqdn', name: f.matchName.toLowerCase().replace(/\.$/, '') }
      : { kind: 'fqdnPattern', pattern: (f.matchPattern ?? '').toLowerCase().replace(/\.$/, '') },
  );
  return [
    ...(rule.toEndpoints ?? []).map((s) => endpointPeer(s, namespace, initSubject)),
    ...(rule.toNodes ?? []).map((s): CiliumPeerInfo => ({
      kind: 'nodes',
      selector: normalizeCiliumSelector(s),
    })),
    ...cidrPeers(rule.toCIDR, rule.toCIDRSet, 'toCIDRSet', path),
    ...entityPeers(rule.toEntities, 'toEntities', path),
    ...services,
    ...fqdns,
    ...unsupported(rule.toGroups, 'toGroups', path),
    ...unsupported(rule.toRequires, 'toRequires', path),
  ];
}

/** Cilium's `iana.IsSvcName`: a port written as a name (compared case-insensitively, so kept lower-case). */
const SERVICE_NAME = /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;

/** A port as Go's `strconv.ParseUint(port, 0, 16)` reads it (`"010"` is octal 8), or undefined. */
export function ciliumPortNumber(word: string): number | undefined {
  const m = /^(?:0[xX]([0-9a-fA-F_]+)|0[oO]?([0-7_]+)|0[bB]([01_]+)|([1-9][0-9_]*|0))$/.exec(word);
  if (m === null) return undefined;
  const [, hex, oct, bin, dec] = m;
  const digits = (hex ?? oct ?? bin ?? dec ?? '').replace(/_/g, '');
  const value = parseInt(digits, hex !== undefined ? 16 : oct !== undefined ? 8 : bin !== undefined ? 2 : 10);
  return Number.isNaN(value) || value > 65535 ? undefined : value;
}

export function isCiliumPortName(word: string): boolean {
  return word.length > 0 && word.length <= 15 && SERVICE_NAME.test(word);
}

function portInfo(p: CiliumPortProtocol): CiliumPortInfo {
  // The agent upper-cases the protocol; absent or empty is ANY (TCP, UDP and SCTP).
  const upper = (p.protocol ?? '').toUpperCase();
  const protocol = upper === '' ? 'ANY' : upper;
  const word = p.port ?? '';
  if (isCiliumPortName(word)) return { kind: 'named', protocol, name: word.toLowerCase() };
  const port = word === '' ? 0 : (ciliumPortNumber(word) ?? 0);
  if (port === 0) return { kind: 'range', protocol, start: 1, end: 65535 };
  return {
    kind: 'range',
    protocol,
    start: port,
    // An endPort not above the port is a single port (the agent's L4Filter: `EndPort > Port` is a range).
    end: p.endPort !== undefined && p.endPort > port ? p.endPort : port,
  };
}

function l7Of(rule: CiliumPortRule | CiliumPortDenyRule): CiliumL7 | undefined {
  if (!('rules' in rule) && !('terminatingTLS' in rule) && !('originatingTLS' in rule)) {
    if (!('serverNames' in rule) && !('listener' in rule)) return undefined;
  }
  const full: CiliumPortRule = rule;
  const r = full.rules;
  // The agent's parser choice (pkg/policy/l4.go createL4Filter): a listener wins, then L7 rules, then TLS.
  if (full.listener !== undefined && full.listener !== null) return CiliumL7.Listener;
  if (r?.dns !== undefined && r.dns.length > 0) return CiliumL7.Dns;
  if (r?.http !== undefined && r.http.length > 0) return CiliumL7.Http;
  if (r?.kafka !== undefined && r.kafka.length > 0) return CiliumL7.Kafka;
  if (r?.l7proto !== undefined && r.l7proto !== '') return CiliumL7.L7Proto;
  const tls = full.terminatingTLS ?? full.originatingTLS;
  if ((tls !== undefined && tls !== null) || (full.serverNames ?? []).length > 0) return CiliumL7.Tls;
  return undefined;
}

type AnyRule = (CiliumIngressCommon | CiliumEgressCommon) & {
  toPorts?: readonly (CiliumPortRule | CiliumPortDenyRule)[];
};

/**
 * The peer fields whose empty list (`fromEndpoints: []`) selects nothing, even with ports: the agent's
 * `mergeEndpointSelectors` (pkg/policy/utils/parserules.go). Absent, they leave the rule to every peer.
 */
const EMPTY_SELECTS_NOTHING = [
  'fromEndpoints',
  'fromNodes',
  'fromEntities',
  'fromCIDR',
  'fromCIDRSet',
  'toEndpoints',
  'toNodes',
  'toEntities',
  'toCIDR',
  'toCIDRSet',
] as const;

function hasEmptyPeerList(rule: AnyRule): boolean {
  const fields = rule as Readonly<Record<string, unknown>>;
  return EMPTY_SELECTS_NOTHING.some((f) => Array.isArray(fields[f]) && fields[f].length === 0);
}

function ruleInfo(rule: AnyRule, index: number, peers: CiliumPeerInfo[]): CiliumRuleInfo {
  const icmp = (rule.icmps ?? []).length > 0;
  const toPorts = rule.toPorts ?? [];
  // An entry without ports matches no port: the agent iterates its (no) ports (pkg/policy/rule.go).
  const ports = toPorts.flatMap((p, i): CiliumPortRuleInfo[] =>
    (p.ports ?? []).length === 0 ? [] : [{ index: i, ports: (p.ports ?? []).map(portInfo), l7: l7Of(p) }],
  );
  // Ports (or ICMP types) and no peer field: the rule applies to every peer. No field at all: to none. A peer
  // field given as an empty list: to none.
  const hasL4 = toPorts.length > 0 || icmp;
  const anyPeer = peers.length === 0 && hasL4 && !hasEmptyPeerList(rule);
  return {
    index,
    peers: anyPeer ? [{ kind: 'anyPeer' }] : peers,
    // No toPorts entry (absent or []) and no ICMP: every port (an L3-only rule). Entries, or ICMP: only theirs.
    ports: hasL4 ? ports : undefined,
    icmp,
  };
}

/**
 * A CiliumNetworkPolicy's `endpointSelector`, always in its namespace (utils.go `ParseToCiliumRule`:
 * `AddMatch("k8s:io.kubernetes.pod.namespace", namespace)`). The match replaces a `k8s:` namespace match of
 * the user (the agent logs it as illegal); an `any:` or unprefixed one stays beside it, so another value
 * selects nothing.
 */
function subjectSelector(raw: LabelSelector, namespace: string): LabelSelector {
  const k8sKey = `k8s:${CILIUM_NAMESPACE_KEY}`;
  const kept: LabelSelector = { ...raw };
  if (raw.matchLabels !== undefined) {
    kept.matchLabels = Object.fromEntries(Object.entries(raw.matchLabels).filter(([k]) => k !== k8sKey));
  }
  const selector = normalizeCiliumSelector(kept);
  const other = selector.matchLabels?.[CILIUM_NAMESPACE_KEY];
  return other === undefined || other === namespace
    ? withMatch(selector, CILIUM_NAMESPACE_KEY, namespace)
    : withExpression(selector, { key: CILIUM_NAMESPACE_KEY, operator: 'In', values: [namespace] });
}

/**
 * Whether a rule set puts its subjects in default deny in a direction: only with rules in it (the agent makes
 * one policy entry per rule, and only entries count), then `enableDefaultDeny` or else true.
 */
function defaultDenyOf(rules: number, enabled: boolean | undefined): boolean {
  return rules > 0 && (enabled ?? true);
}

function specInfo(rule: CiliumRule, path: FieldPath, namespace: string | undefined): CiliumSpecInfo {
  const subject: CiliumSubjectInfo =
    rule.nodeSelector !== undefined && rule.endpointSelector === undefined
      ? { kind: 'nodes', selector: normalizeCiliumSelector(rule.nodeSelector) }
      : {
          kind: 'endpoints',
          selector:
            namespace === undefined
              ? normalizeCiliumSelector(rule.endpointSelector ?? {})
              : subjectSelector(rule.endpointSelector ?? {}, namespace),
        };
  const initSubject = keys(rule.endpointSelector ?? {}).includes(INIT_KEY);
  const ingress = (rule.ingress ?? []).map((r, i) =>
    ruleInfo(r, i, ingressPeers(r, namespace, initSubject, [...path, 'ingress', i])),
  );
  const ingressDeny = (rule.ingressDeny ?? []).map((r, i) =>
    ruleInfo(r, i, ingressPeers(r, namespace, initSubject, [...path, 'ingressDeny', i])),
  );
  const egress = (rule.egress ?? []).map((r, i) =>
    ruleInfo(r, i, egressPeers(r, namespace, initSubject, [...path, 'egress', i])),
  );
  const egressDeny = (rule.egressDeny ?? []).map((r, i) =>
    ruleInfo(r, i, egressPeers(r, namespace, initSubject, [...path, 'egressDeny', i])),
  );
  return {
    path,
    subject,
    ingress,
    ingressDeny,
    egress,
    egressDeny,
    defaultDeny: {
      ingress: defaultDenyOf(ingress.length + ingressDeny.length, rule.enableDefaultDeny?.ingress),
      egress: defaultDenyOf(egress.length + egressDeny.length, rule.enableDefaultDeny?.egress),
    },
    defaultDenyByRules: {
      ingress: defaultDenyOf(ingress.length + ingressDeny.length, undefined),
      egress: defaultDenyOf(egress.length + egressDeny.length, undefined),
    },
    description: rule.description,
  };
}

/** A validated CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy → its normalized form. */
export function ciliumPolicyInfo(object: CiliumPolicyObject): CiliumPolicyInfo {
  const clusterwide = object.kind === CiliumPolicyKind.CiliumClusterwideNetworkPolicy;
  const kind = clusterwide
    ? CiliumPolicyKind.CiliumClusterwideNetworkPolicy
    : CiliumPolicyKind.CiliumNetworkPolicy;
  const name = object.metadata.name ?? '';
  const namespace = clusterwide ? undefined : (object.metadata.namespace ?? 'default');
  const specs: CiliumSpecInfo[] = [];
  if (object.spec !== undefined) specs.push(specInfo(object.spec, ['spec'], namespace));
  (object.specs ?? []).forEach((s, i) => specs.push(specInfo(s, ['specs', i], namespace)));
  return {
    id: namespace === undefined ? `${kind}/${name}` : `${kind}/${namespace}/${name}`,
    kind,
    apiVersion: object.apiVersion,
    namespace,
    name,
    specs,
    object,
    labels: object.metadata.labels ?? {},
    annotations: object.metadata.annotations ?? {},
  };
}

/** The label keys of a pod's namespace in Cilium selectors. */
const NAMESPACE_KEYS: readonly string[] = ['k8s:io.kubernetes.pod.namespace', 'io.kubernetes.pod.namespace'];

/**
 * The namespaces other than `namespace` that a CiliumNetworkPolicy's endpointSelector (as written) names, each
 * with its path under the selector: the agent drops such a match ("illegal namespace match in
 * EndpointSelector") and the rule set selects pods of the policy's own namespace.
 */
export function foreignSelectorNamespaces(
  selector: unknown,
  namespace: string | undefined,
): { path: (string | number)[]; named: string }[] {
  if (typeof selector !== 'object' || selector === null) return [];
  const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  const out: { path: (string | number)[]; named: string }[] = [];
  const labels =
    typeof matchLabels === 'object' && matchLabels !== null ? (matchLabels as Record<string, unknown>) : {};
  for (const key of NAMESPACE_KEYS) {
    const value = labels[key];
    if (typeof value === 'string' && value !== namespace)
      out.push({ path: ['matchLabels', key], named: value });
  }
  (Array.isArray(matchExpressions) ? matchExpressions : []).forEach((e: unknown, i) => {
    if (typeof e !== 'object' || e === null) return;
    const { key, operator, values } = e as { key?: unknown; operator?: unknown; values?: unknown };
    if (typeof key !== 'string' || !NAMESPACE_KEYS.includes(key) || operator !== 'In') return;
    const list: readonly unknown[] = Array.isArray(values) ? values : [];
    const other = list.find((v) => typeof v === 'string' && v !== namespace);
    if (typeof other === 'string') out.push({ path: ['matchExpressions', i], named: other });
  });
  return out;
}
