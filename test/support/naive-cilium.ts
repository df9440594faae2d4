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
  options?: { cni?: { sctp: boolean; endPort: 'range' | 'first-port' | 'policy-ignored' } };
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

/** The labels Cilium's identity of a pod carries (`k8s:` source): its own, its namespace, the namespace's labels. */
function identity(h: CiliumHelpers, state: ClusterState, pod: PodInfo): Labels {
  const out: Record<string, string> = { ...pod.labels };
  for (const [k, v] of Object.entries(h.namespaceLabels(state, pod.namespace))) out[NS_LABELS + k] = v;
  out[NS_KEY] = pod.namespace;
  out['io.cilium.k8s.policy.cluster'] = 'default';
  return out;
}

interface Policy {
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
    return { clusterwide, namespace: o.metadata.namespace ?? 'default', rules };
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
  if (self.kind === 'ip' || self.pod.hostNetwork) return undefined;
  const labels = identity(h, conn.state, self.pod);
  const verdict: CiliumVerdict = { isolated: false, allowed: false, denied: false };
  let selected = false;
  for (const p of policies(conn.state)) {
    for (const rule of p.rules) {
      if (rule.endpointSelector === undefined) continue; // a host policy: nodes, not pods
      if (!p.clusterwide && self.pod.namespace !== p.namespace) continue;
      if (!h.selectorMatches(subjectSelector(p, rule.endpointSelector), labels)) continue;
      selected = true;
      const allow = (direction === 'Ingress' ? rule.ingress : rule.egress) ?? [];
      const deny = (direction === 'Ingress' ? rule.ingressDeny : rule.egressDeny) ?? [];
      const field = direction === 'Ingress' ? 'ingress' : 'egress';
      // "the default is true for each traffic direction that has rules": only a direction with rules counts
      // (the agent makes one policy entry per rule), then `enableDefaultDeny` decides.
      verdict.isolated ||= allow.length + deny.length > 0 && (rule.enableDefaultDeny?.[field] ?? true);
      const matches = (r: AnyRule): boolean =>
        peerMatches(h, conn, p, r, direction, other, self) && portsMatch(conn, r);
      if (allow.some(matches)) verdict.allowed = true;
      if (deny.some(matches)) verdict.denied = true;
    }
  }
  return selected ? verdict : undefined;
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
  toPorts?: { ports?: CiliumPortProtocol[] }[];
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
    if (endpoint === undefined) return false;
    const sel = normalized(raw);
    const keys = keysOf(sel);
    if (keys.some((k) => k.startsWith('reserved:'))) return false;
    const labels = identity(h, state, endpoint);
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
  const service = (s: CiliumService): boolean => {
    if (s.k8sService === undefined || endpoint === undefined) return false;
    // No namespace: the Service of that name in any namespace (the agent's `serviceRefMatches`).
    const ns = s.k8sService.namespace;
    return state.services.some((svc) => {
      if (svc.name !== s.k8sService!.serviceName || (ns !== undefined && ns !== '' && svc.namespace !== ns))
        return false;
      const selector = svc.spec.selector;
      if (selector === undefined || Object.keys(selector).length === 0) return false;
      return (
        endpoint.namespace === svc.namespace && h.selectorMatches({ matchLabels: selector }, endpoint.labels)
      );
    });
  };
  return (
    ((e ? r.fromEndpoints : r.toEndpoints) ?? []).some(endpointSelector) ||
    ((e ? r.fromNodes : r.toNodes) ?? []).some(nodeSelector) ||
    ((e ? r.fromCIDR : r.toCIDR) ?? []).some((c) => cidr(c, [])) ||
    ((e ? r.fromCIDRSet : r.toCIDRSet) ?? []).some(
      (s) => s.cidr !== undefined && cidr(s.cidr, s.except ?? []),
    ) ||
    ((e ? r.fromEntities : r.toEntities) ?? []).some(entity) ||
    (e ? [] : (r.toServices ?? [])).some(service)
  );
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
  return entries.some((entry) => {
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
  });
}
