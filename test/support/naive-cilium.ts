/**
 * The naive reference evaluator's Cilium part (issue #17): CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy read from the object as written (`CiliumPolicyInfo.object`), not from
 * netfence's normalized rules, so that the normalization is checked too. Written from Cilium's
 * `pkg/policy/api` doc comments and docs.cilium.io as quoted in docs/design/cilium.md; it shares no code
 * with `src/engine` or `src/model/cilium.ts`. Slow on purpose: one question at a time.
 */
import type { ClusterState, PodInfo } from '../../src/model/cluster.ts';
import type {
  CiliumCIDRRule,
  CiliumPortProtocol,
  CiliumPortRule,
  CiliumRule,
  CiliumService,
} from '../../src/model/cilium-wire.ts';
import type { LabelSelector, Protocol } from '../../src/model/k8s.ts';

type Labels = Readonly<Record<string, string>>;
export type NaiveSide = { kind: 'pod'; pod: PodInfo } | { kind: 'ip'; ip: string };
type Direction = 'Ingress' | 'Egress';

/** What the Cilium policies selecting one end decide in one direction. */
export interface CiliumVerdict {
  /** Some rule set selecting the pod enables default deny in this direction. */
  isolated: boolean;
  /** Some allow rule matches the connection. */
  allowed: boolean;
  /** Some deny rule matches the connection. */
  denied: boolean;
}

export interface CiliumHelpers {
  selectorMatches(selector: LabelSelector, labels: Labels): boolean;
  namespaceLabels(state: ClusterState, name: string): Labels;
  cidrContains(cidr: string, ip: string): boolean;
  sameAddress(a: string, b: string): boolean;
  family(ip: string): 4 | 6 | undefined;
}

export interface CiliumConnection {
  state: ClusterState;
  source: NaiveSide;
  destination: NaiveSide;
  protocol: Protocol;
  port: number;
  /** The CNI's reading (naive.ts `NaiveCni`): SCTP enforced or not; `endPort` a range or not. */
  options?: {
    cni?: {
      sctp: boolean;
      endPort: 'range' | 'first-port' | 'policy-ignored';
      hostFirewall?: boolean;
      clusterName?: string;
      enableDefaultDeny?: boolean;
    };
  };
}

const NS_KEY = 'io.kubernetes.pod.namespace';
const NS_LABELS = 'io.cilium.k8s.namespace.labels.';

/** "k8s:app" and "any:app" are the pod label "app"; other sources keep their prefix (never a pod label). */
function labelKey(key: string): string {
  if (key.startsWith('k8s:')) return key.slice(4);
  if (key.startsWith('any:')) return key.slice(4);
  return key;
}

function normalized(selector: LabelSelector): LabelSelector {
  const out: LabelSelector = {};
  if (selector.matchLabels !== undefined)
    out.matchLabels = Object.fromEntries(
      Object.entries(selector.matchLabels).map(([k, v]) => [labelKey(k), v]),
    );
  if (selector.matchExpressions !== undefined)
    out.matchExpressions = selector.matchExpressions.map((e) => ({ ...e, key: labelKey(e.key) }));
  return out;
}

function keysOf(selector: LabelSelector): string[] {
  return [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
}

/**
 * The labels Cilium's identity of a pod carries (`k8s:` source): its own, its namespace, the namespace's
 * labels, its service account ("io.cilium.k8s.policy.serviceaccount", the pod's serviceAccountName, else the
 * `default` account) and its cluster's name (Cilium's `cluster-name`, "default" unless configured).
 */
function identity(h: CiliumHelpers, conn: CiliumConnection, pod: PodInfo): Labels {
  const out: Record<string, string> = { ...pod.labels };
  for (const [k, v] of Object.entries(h.namespaceLabels(conn.state, pod.namespace))) out[NS_LABELS + k] = v;
  out[NS_KEY] = pod.namespace;
  out['io.cilium.k8s.policy.serviceaccount'] = pod.serviceAccount ?? 'default';
  out['io.cilium.k8s.policy.cluster'] = conn.options?.cni?.clusterName ?? 'default';
  return out;
}

interface Policy {
  /** `CiliumNetworkPolicy/<namespace>/<name>`, `CiliumClusterwideNetworkPolicy/<name>`: as outputs cite it. */
  id: string;
  clusterwide: boolean;
  namespace: string;
  rules: readonly CiliumRule[];
}

const parsed = new WeakMap<ClusterState, Policy[]>();

function policies(state: ClusterState): Policy[] {
  let out = parsed.get(state);
  if (out === undefined) parsed.set(state, (out = parse(state)));
  return out;
}

function parse(state: ClusterState): Policy[] {
  return state.ciliumPolicies.map((info) => {
    const o = info.object;
    const clusterwide = o.kind === 'CiliumClusterwideNetworkPolicy';
    const rules = [...(o.spec === undefined ? [] : [o.spec]), ...(o.specs ?? [])];
    const namespace = o.metadata.namespace ?? 'default';
    const name = o.metadata.name ?? '';
    const id = clusterwide ? `${o.kind}/${name}` : `${o.kind}/${namespace}/${name}`;
    return { id, clusterwide, namespace, rules };
  });
}

/**
 * Cilium's decision for one end. "Traffic to or from a Pod is allowed unless a policy selects it"; a rule set
 * with rules in a direction puts its endpoints in default deny there ("If not specified, the default is true
 * for each traffic direction that has rules"), `enableDefaultDeny` overriding it. Host-network pods are not
 * Cilium endpoints: no policy selects them.
 */
export function naiveCiliumVerdict(
  h: CiliumHelpers,
  conn: CiliumConnection,
  direction: Direction,
): CiliumVerdict | undefined {
  const self = direction === 'Egress' ? conn.source : conn.destination;
  const other = direction === 'Egress' ? conn.destination : conn.source;
  if (self.kind === 'ip') return undefined;
  const hostFirewall = conn.options?.cni?.hostFirewall === true;
  const verdict: CiliumVerdict = { isolated: false, allowed: false, denied: false };
  let selected = false;
  for (const { p, rule } of selecting(h, conn, self.pod, hostFirewall)) {
    selected = true;
    const allow = (direction === 'Ingress' ? rule.ingress : rule.egress) ?? [];
    const deny = (direction === 'Ingress' ? rule.ingressDeny : rule.egressDeny) ?? [];
    const field = direction === 'Ingress' ? 'ingress' : 'egress';
    // "the default is true for each traffic direction that has rules": only a direction with rules counts
    // (the agent makes one policy entry per rule), then `enableDefaultDeny` decides.
    // Before Cilium 1.16 the CRD has no enableDefaultDeny (the API server prunes it), and
    // `enable-non-default-deny-policies=false` makes the agent ignore it: then rules alone decide.
    const readsField = conn.options?.cni?.enableDefaultDeny !== false;
    verdict.isolated ||=
      allow.length + deny.length > 0 && ((readsField ? rule.enableDefaultDeny?.[field] : undefined) ?? true);
    const matches =
      (isDeny: boolean) =>
      (r: AnyRule): boolean =>
        peerMatches(h, conn, p, r, direction, other, self, isDeny) && portsMatch(conn, r);
    if (allow.some(matches(false))) verdict.allowed = true;
    if (deny.some(matches(true))) verdict.denied = true;
  }
  return selected ? verdict : undefined;
}

/**
 * The rule sets (with their policy) that select `pod`: for an endpoint, those whose endpointSelector matches
 * its identity; a host-network pod is the host namespace of its node, which only host policies select (a
 * clusterwide rule set with a nodeSelector matching the host endpoint's labels), and only with the host
 * firewall on ("In each selected node, they apply only to the host namespace, including host-networking pods").
 */
function* selecting(
  h: CiliumHelpers,
  conn: CiliumConnection,
  pod: PodInfo,
  hostFirewall: boolean,
): Generator<{ p: Policy; rule: CiliumRule }> {
  const state = conn.state;
  if (pod.hostNetwork) {
    if (!hostFirewall) return;
    const hostLabels = hostsOf(h, state, pod);
    if (hostLabels.length === 0) return;
    for (const p of policies(state)) {
      for (const rule of p.rules) {
        if (!p.clusterwide || rule.nodeSelector === undefined || rule.endpointSelector !== undefined)
          continue;
        const selector = normalized(rule.nodeSelector);
        if (hostLabels.some((l) => h.selectorMatches(selector, l))) yield { p, rule };
      }
    }
    return;
  }
  const labels = identity(h, conn, pod);
  for (const p of policies(state)) {
    for (const rule of p.rules) {
      if (rule.endpointSelector === undefined) continue; // a host policy: nodes, not pods
      if (!p.clusterwide && pod.namespace !== p.namespace) continue;
      if (h.selectorMatches(subjectSelector(p, rule.endpointSelector), labels)) yield { p, rule };
    }
  }
}

/**
 * The host endpoint labels of the nodes a host-network pod runs on (a Node with one of its IPs): the Node's
 * labels that Cilium's default label filter keeps as identity labels, and `reserved:host`. The filter drops
 * Kubernetes' own label families (`kubernetes.io/…`, `k8s.io/…`, `topology.kubernetes.io/…`, any
 * `…beta.kubernetes.io…`, `io.kubernetes…` but the namespace label) and a few controller labels.
 */
function hostsOf(h: CiliumHelpers, state: ClusterState, pod: PodInfo): Labels[] {
  const dropped = (key: string): boolean =>
    (key.startsWith('io.kubernetes') && !key.startsWith('io.kubernetes.pod.namespace')) ||
    ['kubernetes.io', 'k8s.io', 'topology.kubernetes.io', 'annotation', 'etcd_node'].some((p) =>
      key.startsWith(p),
    ) ||
    key.includes('beta.kubernetes.io') ||
    [
      'statefulset.kubernetes.io/pod-name',
      'apps.kubernetes.io/pod-index',
      'batch.kubernetes.io/job-completion-index',
      'batch.kubernetes.io/controller-uid',
      'pod-template-generation',
      'pod-template-hash',
      'controller-revision-hash',
      'controller-uid',
    ].some((p) => key.startsWith(p));
  return state.nodes
    .filter((n) => n.addresses.some((a) => pod.ips.some((ip) => h.sameAddress(a, ip))))
    .map((n) => ({
      ...Object.fromEntries(Object.entries(n.labels).filter(([k]) => !dropped(k))),
      'reserved:host': '',
    }));
}

/**
 * A CiliumNetworkPolicy's endpointSelector "always applies in namespace of the policy resource, removing
 * illegal namespace match" (Cilium's `ParseToCiliumRule`): a namespace in its `matchLabels` is replaced.
 */
function subjectSelector(p: Policy, raw: LabelSelector): LabelSelector {
  // `AddMatch("k8s:io.kubernetes.pod.namespace", ns)` replaces a `k8s:` namespace match; an unprefixed
  // (`any:`) one is another key and stays beside it. The caller checks the pod's namespace.
  if (p.clusterwide || raw.matchLabels === undefined) return normalized(raw);
  const kept = Object.fromEntries(Object.entries(raw.matchLabels).filter(([k]) => k !== `k8s:${NS_KEY}`));
  return normalized({ ...raw, matchLabels: kept });
}

/** The names of reserved identities (Cilium's `labels.IDName…`), each also an entity of that name. */
const RESERVED_NAMES = [
  'host',
  'remote-node',
  'world',
  'world-ipv4',
  'world-ipv6',
  'kube-apiserver',
  'health',
  'init',
  'ingress',
  'unmanaged',
  'none',
];

/** `name` when the selector's one requirement is the label `reserved:<name>` (empty value, or it exists). */
function reservedName(sel: LabelSelector): string | undefined {
  const labels = Object.entries(sel.matchLabels ?? {});
  const exprs = sel.matchExpressions ?? [];
  let key: string | undefined;
  if (labels.length === 1 && exprs.length === 0 && labels[0]![1] === '') key = labels[0]![0];
  const e = exprs[0];
  if (labels.length === 0 && exprs.length === 1 && e !== undefined) {
    if (e.operator === 'Exists' || (e.operator === 'In' && (e.values ?? []).includes(''))) key = e.key;
  }
  return key?.startsWith('reserved:') === true ? key.slice('reserved:'.length) : undefined;
}

interface AnyRule {
  fromEndpoints?: LabelSelector[];
  toEndpoints?: LabelSelector[];
  fromNodes?: LabelSelector[];
  toNodes?: LabelSelector[];
  fromCIDR?: string[];
  toCIDR?: string[];
  fromCIDRSet?: CiliumCIDRRule[];
  toCIDRSet?: CiliumCIDRRule[];
  fromEntities?: string[];
  toEntities?: string[];
  toServices?: CiliumService[];
  toFQDNs?: unknown[];
  fromGroups?: unknown[];
  toGroups?: unknown[];
  fromRequires?: unknown[];
  toRequires?: unknown[];
  toPorts?: CiliumPortRule[];
  icmps?: unknown[];
}

const SELECTOR_FIELDS = [
  'fromEndpoints',
  'toEndpoints',
  'fromNodes',
  'toNodes',
  'fromCIDR',
  'toCIDR',
  'fromCIDRSet',
  'toCIDRSet',
  'fromEntities',
  'toEntities',
] as const;

const PEER_FIELDS = [
  ...SELECTOR_FIELDS,
  'toServices',
  'toFQDNs',
  'fromGroups',
  'toGroups',
  'fromRequires',
  'toRequires',
] as const;

/** The Node named `name`, if it has addresses (a pod's node is known only then). */
function knownNode(state: ClusterState, name: string | undefined): ClusterState['nodes'][number] | undefined {
  return name === undefined ? undefined : state.nodes.find((n) => n.name === name && n.addresses.length > 0);
}

function isNodeAddress(h: CiliumHelpers, state: ClusterState, ip: string): boolean {
  return state.nodes.some((n) => n.addresses.some((a) => h.sameAddress(a, ip)));
}

/** Any one of the rule's peer fields matching the other end matches (the fields are alternatives). */
function peerMatches(
  h: CiliumHelpers,
  conn: CiliumConnection,
  p: Policy,
  r: AnyRule,
  direction: Direction,
  other: NaiveSide,
  self: { pod: PodInfo },
  deny: boolean,
): boolean {
  const given = PEER_FIELDS.filter((f) => (r[f]?.length ?? 0) > 0);
  // "toPorts" (or ICMP) without any L3 field: every peer. Nothing at all (`{}`): no peer. A selector field
  // given as an empty list selects nothing (the agent's `mergeEndpointSelectors`).
  if (given.length === 0) {
    const emptyList = SELECTOR_FIELDS.some((f) => r[f] !== undefined && r[f].length === 0);
    return !emptyList && ((r.toPorts?.length ?? 0) > 0 || (r.icmps?.length ?? 0) > 0);
  }
  const state = conn.state;
  const e = direction === 'Ingress';
  const pod = other.kind === 'pod' ? other.pod : undefined;
  const endpoint = pod !== undefined && !pod.hostNetwork ? pod : undefined;
  const hostPod = pod !== undefined && pod.hostNetwork ? pod : undefined;
  const ip = other.kind === 'ip' ? other.ip : undefined;
  const nodeIp = ip !== undefined && isNodeAddress(h, state, ip);
  const worldIp = ip !== undefined && !nodeIp ? ip : undefined;

  const endpointSelector = (raw: LabelSelector): boolean => {
    const sel = normalized(raw);
    const keys = keysOf(sel);
    // An entity is a `reserved:` selector (Cilium's entity.go: `fromEntities: [host]` is the selector
    // `reserved:host`), never scoped to a namespace: a selector of that one label is the entity.
    const reserved = reservedName(sel);
    if (reserved !== undefined) return RESERVED_NAMES.includes(reserved) && entity(reserved);
    if (endpoint === undefined) return false;
    if (keys.some((k) => k.startsWith('reserved:'))) return false;
    const labels = identity(h, conn, endpoint);
    // The agent scopes a CiliumNetworkPolicy's peer selectors to its namespace unless they name one.
    if (!p.clusterwide && !keys.includes(NS_KEY) && !keys.some((k) => k.startsWith(NS_LABELS))) {
      if (endpoint.namespace !== p.namespace) return false;
    }
    return h.selectorMatches(sel, labels);
  };
  const nodeSelector = (raw: LabelSelector): boolean => {
    const sel = normalized(raw);
    const addresses = state.nodes.filter((n) => h.selectorMatches(sel, n.labels)).flatMap((n) => n.addresses);
    const ips = ip !== undefined ? [ip] : (hostPod?.ips ?? []);
    return ips.some((x) => addresses.some((a) => h.sameAddress(a, x)));
  };
  const cidr = (c: string, except: readonly string[]): boolean =>
    worldIp !== undefined && h.cidrContains(c, worldIp) && !except.some((x) => h.cidrContains(x, worldIp));
  const entity = (word: string): boolean => {
    switch (word) {
      case 'all':
        return true;
      case 'world':
        return worldIp !== undefined;
      case 'world-ipv4':
        return worldIp !== undefined && h.family(worldIp) === 4;
      case 'world-ipv6':
        return worldIp !== undefined && h.family(worldIp) === 6;
      case 'cluster':
      case 'cluster-mesh':
        return pod !== undefined || nodeIp;
      case 'host':
      case 'remote-node': {
        // `host` is the local node (the subject's), `remote-node` every other; where the subject's node is not
        // known (no nodeName naming a Node with addresses), both stand for every node. A host-network pod on
        // no known node may be on either.
        const local = knownNode(state, self.pod.nodeName);
        if (local === undefined) return hostPod !== undefined || nodeIp;
        const at =
          hostPod !== undefined
            ? knownNode(state, hostPod.nodeName)
            : nodeIp
              ? // The local node's own address is `host`, even where another Node lists it too.
                [local, ...state.nodes].find((n) => n.addresses.some((a) => h.sameAddress(a, ip)))
              : undefined;
        if (hostPod !== undefined && at === undefined) return true;
        if (at === undefined) return false;
        return (at === local) === (word === 'host');
      }
      default:
        return false;
    }
  };
  // toServices: Cilium's agent rewrites an `egress` rule's services (never an `egressDeny` rule's) into
  // toEndpoints (a Service with a selector: its selector in its namespace) and toCIDRSet entries (one
  // without: one per backend address). Nothing written: the rule is left without peers, and then "an empty L3
  // selects all" when it has toPorts (or icmps), nothing when it has none. (No other peer field can be beside
  // toServices: the agent rejects the combination.)
  if (!e && (r.toServices?.length ?? 0) > 0) {
    const targets = deny ? [] : (r.toServices ?? []).flatMap((s) => serviceTargets(h, state, s));
    if (targets.length === 0) return (r.toPorts?.length ?? 0) > 0 || (r.icmps?.length ?? 0) > 0;
    return targets.some((t) =>
      t.kind === 'pods'
        ? endpoint !== undefined &&
          endpoint.namespace === t.namespace &&
          h.selectorMatches({ matchLabels: t.selector }, endpoint.labels)
        : worldIp !== undefined && h.sameAddress(t.ip, worldIp),
    );
  }
  return (
    ((e ? r.fromEndpoints : r.toEndpoints) ?? []).some(endpointSelector) ||
    ((e ? r.fromNodes : r.toNodes) ?? []).some(nodeSelector) ||
    ((e ? r.fromCIDR : r.toCIDR) ?? []).some((c) => cidr(c, [])) ||
    ((e ? r.fromCIDRSet : r.toCIDRSet) ?? []).some(
      (s) => s.cidr !== undefined && cidr(s.cidr, s.except ?? []),
    ) ||
    ((e ? r.fromEntities : r.toEntities) ?? []).some(entity)
  );
}

type ServiceTarget = { kind: 'pods'; namespace: string; selector: Labels } | { kind: 'address'; ip: string };

/**
 * The toEndpoints/toCIDRSet entries one toServices item becomes. `k8sService`: the Service of that name;
 * `k8sServiceSelector`: the Services whose labels the selector matches (the label source is ignored); in
 * `namespace`, or in any namespace without one. A Service labelled with another service proxy's name is not
 * watched by Cilium. A Service's backends: the addresses of its EndpointSlices, and of its Endpoints object
 * when Kubernetes mirrors it (no selector at all, no skip-mirror label).
 */
function serviceTargets(h: CiliumHelpers, state: ClusterState, s: CiliumService): ServiceTarget[] {
  const bySelector = s.k8sServiceSelector;
  const byName = s.k8sService;
  const ns = (bySelector ?? byName)?.namespace;
  const selector: LabelSelector | undefined =
    bySelector === undefined ? undefined : withoutSources(bySelector.selector ?? {});
  const selected = state.services.filter(
    (svc) =>
      svc.labels['service.kubernetes.io/service-proxy-name'] === undefined &&
      (ns === undefined || ns === '' || svc.namespace === ns) &&
      (selector !== undefined
        ? h.selectorMatches(selector, svc.labels)
        : byName !== undefined && svc.name === byName.serviceName),
  );
  return selected.flatMap((svc): ServiceTarget[] => {
    const podSelector = svc.spec.selector ?? {};
    if (Object.keys(podSelector).length > 0)
      return [{ kind: 'pods', namespace: svc.namespace, selector: podSelector }];
    return (state.serviceEndpoints ?? [])
      .filter(
        (x) =>
          x.namespace === svc.namespace &&
          (x.kind === 'EndpointSlice'
            ? x.labels['kubernetes.io/service-name'] === svc.name
            : x.name === svc.name &&
              svc.spec.selector === undefined &&
              x.labels['endpointslice.kubernetes.io/skip-mirror'] !== 'true'),
      )
      .flatMap((x) => x.addresses.map((ip): ServiceTarget => ({ kind: 'address', ip })));
  });
}

function withoutSources(selector: LabelSelector): LabelSelector {
  const key = (k: string): string => (k.includes(':') ? k.slice(k.indexOf(':') + 1) : k);
  return {
    ...(selector.matchLabels === undefined
      ? {}
      : {
          matchLabels: Object.fromEntries(Object.entries(selector.matchLabels).map(([k, v]) => [key(k), v])),
        }),
    ...(selector.matchExpressions === undefined
      ? {}
      : { matchExpressions: selector.matchExpressions.map((x) => ({ ...x, key: key(x.key) })) }),
  };
}

/**
 * `toPorts` absent or empty: every port (an L3-only rule). With `icmps` and no `toPorts`, only ICMP. Each
 * entry's `ports` (none: no port); `protocol` absent, empty or `ANY`: TCP, UDP and SCTP (SCTP only where the
 * CNI enforces it); `endPort` a range only where the CNI reads it so; `port` `"0"` or
 * absent: every port; a name (compared in lower case): the destination pod's container port.
 */
function portsMatch(conn: CiliumConnection, r: AnyRule): boolean {
  const entries = r.toPorts ?? [];
  if (entries.length === 0) return (r.icmps?.length ?? 0) === 0;
  return entries.some((entry) => entryMatches(conn, entry));
}

/** One `toPorts` entry: any of its `ports` (none: no port). */
function entryMatches(
  conn: Pick<CiliumConnection, 'protocol' | 'port' | 'destination' | 'options'>,
  entry: { ports?: CiliumPortProtocol[] },
): boolean {
  // An entry without ports matches no port (the agent iterates its ports).
  const ports = entry.ports ?? [];
  return ports.some((pp) => {
    const protocol = (pp.protocol ?? '').toUpperCase() || 'ANY';
    if (protocol !== 'ANY' && protocol !== conn.protocol) return false;
    // Without `enable-sctp`, Cilium enforces no SCTP: neither `SCTP` nor `ANY` lets SCTP through.
    if (conn.protocol === 'SCTP' && conn.options?.cni?.sctp === false) return false;
    const word = pp.port ?? '0';
    if (/[a-z]/i.test(word)) {
      const dst = conn.destination;
      return (
        dst.kind === 'pod' &&
        dst.pod.namedPorts.some(
          (n) => n.name === word.toLowerCase() && n.protocol === conn.protocol && n.port === conn.port,
        )
      );
    }
    const start = Number(word);
    if (start === 0) return true;
    // Before Cilium 1.16 the CRD had no `endPort`: the entry is its `port` alone.
    const ranges = (conn.options?.cni?.endPort ?? 'range') === 'range';
    const end = ranges && pp.endPort !== undefined && pp.endPort > start ? pp.endPort : start;
    return start <= conn.port && conn.port <= end;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Layer 7 and DNS names

/**
 * Whether a `toPorts` entry hands the connection to Cilium's proxy: L7 `rules` of some kind (Cilium's
 * `L7Rules.IsEmpty` is false), a `listener`, TLS termination or origination, or `serverNames`.
 */
function hasL7(entry: CiliumPortRule): boolean {
  const r = entry.rules;
  const rules =
    r !== undefined &&
    ((r.http?.length ?? 0) > 0 ||
      (r.kafka?.length ?? 0) > 0 ||
      (r.dns?.length ?? 0) > 0 ||
      (r.l7proto ?? '') !== '');
  return (
    rules ||
    (entry.listener ?? null) !== null ||
    (entry.terminatingTLS ?? null) !== null ||
    (entry.originatingTLS ?? null) !== null ||
    (entry.serverNames?.length ?? 0) > 0
  );
}

/**
 * The policies whose L7 rules filter the connection at this side (egress at the source, ingress at the
 * destination), by id, sorted; [] when none does. An allow rule of a rule set selecting the pod, matching the
 * peer, with a `toPorts` entry that matches the port and carries L7 rules, filters it, unless an allow of the
 * same side lets the connection through at L4 alone: a matching entry without L7 rules, a matching rule
 * without `toPorts` (L3 only), or a NetworkPolicy that isolates the pod and allows it (`networkPolicyAllows`):
 * "If a layer 4 rule is specified in the policy, and a similar layer 4 rule with layer 7 rules is also
 * specified, then the layer 7 portions of the latter rule will have no effect" (Cilium's Layer 7 Examples).
 */
export function naiveCiliumL7(
  h: CiliumHelpers,
  conn: CiliumConnection,
  direction: Direction,
  networkPolicyAllows: boolean,
): string[] {
  const self = direction === 'Egress' ? conn.source : conn.destination;
  const other = direction === 'Egress' ? conn.destination : conn.source;
  if (self.kind === 'ip') return [];
  const filtering = new Set<string>();
  let l4Only = networkPolicyAllows;
  for (const { p, rule } of selecting(h, conn, self.pod, conn.options?.cni?.hostFirewall === true)) {
    for (const r of (direction === 'Ingress' ? rule.ingress : rule.egress) ?? []) {
      if (!peerMatches(h, conn, p, r, direction, other, self, false)) continue;
      const entries: CiliumPortRule[] = r.toPorts ?? [];
      if (entries.length === 0) l4Only ||= (r.icmps?.length ?? 0) === 0;
      for (const entry of entries) {
        if (!entryMatches(conn, entry)) continue;
        if (hasL7(entry)) filtering.add(p.id);
        else l4Only = true;
      }
    }
  }
  return l4Only ? [] : [...filtering].sort();
}

/** The name as DNS compares it: lower case, without the final dot. */
function dnsName(text: string): string {
  return text.toLowerCase().replace(/\.$/, '');
}

/**
 * Cilium's `matchPattern` on a name (`pkg/fqdn/matchpattern`): stars alone (`*`, `**`) match every name; a
 * leading `**.` (two or more stars, then a dot) one or more labels; any other `*` any run of DNS characters
 * (letters, digits, `-`, `_`) within one label.
 */
function patternMatches(pattern: string, name: string): boolean {
  const p = dnsName(pattern);
  if (/^\*+$/.test(p)) return true;
  const labels = name.split('.');
  const lead = /^\*{2,}\./.exec(p);
  if (lead !== null) {
    const rest = p.slice(lead[0].length).split('.');
    if (labels.length <= rest.length) return false;
    return labelsMatch(rest, labels.slice(labels.length - rest.length));
  }
  const parts = p.split('.');
  return parts.length === labels.length && labelsMatch(parts, labels);
}

function labelsMatch(patterns: readonly string[], labels: readonly string[]): boolean {
  return patterns.every((pat, i) => {
    const label = labels[i]!;
    const pieces = pat.split('*');
    // Each `*` stands for any run of DNS characters: the pieces must appear in order, anchored at both ends.
    if (pieces.length === 1) return label === pat;
    if (!/^[-a-z0-9_]*$/.test(label)) return false;
    if (!label.startsWith(pieces[0]!) || !label.endsWith(pieces[pieces.length - 1]!)) return false;
    let at = pieces[0]!.length;
    for (const piece of pieces.slice(1, -1)) {
      const found = label.indexOf(piece, at);
      if (found < 0) return false;
      at = found + piece.length;
    }
    return at <= label.length - pieces[pieces.length - 1]!.length;
  });
}

/** A `toFQDNs` item or `rules.dns` item (`matchName` or `matchPattern`) matching `name`. */
function fqdnSelectorMatches(selector: { matchName?: string; matchPattern?: string }, name: string): boolean {
  if (selector.matchName !== undefined) return dnsName(selector.matchName) === name;
  return selector.matchPattern !== undefined && patternMatches(selector.matchPattern, name);
}

/**
 * Whether `pod` reaches the DNS name `name` by name through Cilium policies on `protocol`/`port`: an egress allow
 * rule of a rule set selecting it has a `toFQDNs` item matching the name and its `toPorts` allow the port
 * (a named port never: there is no destination pod to resolve it on); Cilium's DNS proxy sees the pod's lookups
 * of the name (an egress allow `toPorts` entry of a rule set selecting it allows port 53 over UDP or TCP and
 * has `rules.dns` items, one matching the name: only then do `toFQDNs` selectors learn its addresses, "no port
 * 53 rules to trigger DNS interception, which is also required for ToFQDN rules to work"); and the pod's
 * egress deny rules leave at least one address outside the cluster (`outside`) on that port, since the name
 * may resolve to any of them.
 */
export function naiveCiliumReachesName(
  h: CiliumHelpers,
  state: ClusterState,
  pod: PodInfo,
  name: string,
  protocol: Protocol,
  port: number,
  outside: readonly string[],
  hostFirewall = false,
): boolean {
  const wanted = dnsName(name);
  const self: NaiveSide = { kind: 'pod', pod };
  let allowed = false;
  let seen = false;
  const probe: CiliumConnection = { state, source: self, destination: self, protocol, port };
  for (const { rule } of selecting(h, probe, pod, hostFirewall)) {
    for (const r of rule.egress ?? []) {
      const entries = r.toPorts ?? [];
      for (const entry of entries) {
        if ((entry.rules?.dns ?? []).length === 0) continue;
        const dns = (protocol: Protocol) =>
          entryMatches(
            { protocol, port: 53, destination: { kind: 'ip', ip: '0.0.0.0' }, options: {} },
            entry,
          );
        if (
          (dns('UDP') || dns('TCP')) &&
          (entry.rules?.dns ?? []).some((d) => fqdnSelectorMatches(d as { matchName?: string }, wanted))
        )
          seen = true;
      }
      if (!(r.toFQDNs ?? []).some((f) => fqdnSelectorMatches(f, wanted))) continue;
      const at = { protocol, port, destination: { kind: 'ip', ip: '0.0.0.0' } as NaiveSide, options: {} };
      if (entries.length === 0 ? (r.icmps?.length ?? 0) === 0 : entries.some((e) => entryMatches(at, e)))
        allowed = true;
    }
  }
  if (!allowed || !seen) return false;
  return outside.some(
    (ip) =>
      naiveCiliumVerdict(
        h,
        { state, source: self, destination: { kind: 'ip', ip }, protocol, port },
        'Egress',
      )?.denied !== true,
  );
}
