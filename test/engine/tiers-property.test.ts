/**
 * Cluster-wide policy tiers, against a straightforward reference written here: for random small clusters
 * with random ClusterNetworkPolicies, AdminNetworkPolicies and a BaselineAdminNetworkPolicy, every pod
 * pair (and pod/address pair) and probed port is decided by a first-match walk per direction (Admin tier,
 * NetworkPolicies through the naive evaluator, Baseline tier, allow), and `compileCluster`'s
 * `allowedBetween` must agree. The incremental engine must equal `compileCluster` after NetworkPolicy edits
 * on such clusters, and after random sequences of cluster policy edits (add, change priority or rules,
 * delete, a batch) mixed with NetworkPolicy edits, reporting exactly the connections that changed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCluster, type Endpoint } from '../../src/engine/compile.ts';
import { computeConnectivity, type Connectivity } from '../../src/engine/connectivity.ts';
import { computeGroupedConnectivity } from '../../src/engine/grouped.ts';
import {
  createIncrementalEngine,
  type IncrementalEngine,
  type IncrementalUpdate,
} from '../../src/engine/incremental.ts';
import { portsContain } from '../../src/engine/ports.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import {
  NAMESPACE_NAME_LABEL,
  TierAction,
  type ClusterPolicyInfo,
  type ClusterState,
  type NodeInfo,
  type PodInfo,
  type TierPeerInfo,
  type TierRuleInfo,
} from '../../src/model/cluster.ts';
import {
  PROTOCOLS,
  type AdminNetworkPolicySpec,
  type ClusterNetworkPolicySpec,
  type NetworkPolicySpec,
  type CnpProtocol,
  type LabelSelector,
  type Protocol,
  type TierEgressPeer,
  type TierSubject,
} from '../../src/model/k8s.ts';
import { describeConnectivity } from '../support/verdicts.ts';
import { clusterInputArb, probeIps, probePorts, selectorArb, specArb } from '../support/arbitraries.ts';
import { anp, banp, cluster, cnp, node, policy } from '../support/builders.ts';
import {
  effectivePolicyTypes,
  naiveAllowed,
  parseAddress,
  selectorMatches,
  type NaiveEndpoint,
} from '../support/naive.ts';

const NUM_RUNS = Number(process.env['NETFENCE_TIERS_RUNS'] ?? 120);

const POD_VOCABULARY = { app: ['x', 'y', ''], team: ['x', 'y'] };
const NAMESPACE_VOCABULARY = { team: ['x', 'y', ''], [NAMESPACE_NAME_LABEL]: ['a', 'b', 'c'] };
const NETWORKS = [
  '0.0.0.0/0',
  '10.0.0.0/16',
  '10.0.1.0/24',
  '10.0.1.0/28',
  '10.0.1.5/32',
  'fd00::/64',
  '::/0',
];
const NODE_IPS = ['10.0.1.5', '192.168.1.1', '10.9.9.9', 'fd00::5'];

// ---------------------------------------------------------------------------------------------------------
// Random cluster policies (wire form, then normalized by the builders as the parser does)

const namespacesPeer = selectorArb(NAMESPACE_VOCABULARY).map((namespaces) => ({ namespaces }));
const podsPeer = fc
  .tuple(selectorArb(NAMESPACE_VOCABULARY), selectorArb(POD_VOCABULARY))
  .map(([namespaceSelector, podSelector]) => ({ pods: { namespaceSelector, podSelector } }));
const unknownPeer = fc.constant({});
const ingressPeerArb = fc.oneof(namespacesPeer, podsPeer, unknownPeer);
const egressPeerArb: fc.Arbitrary<TierEgressPeer> = fc.oneof(
  namespacesPeer,
  podsPeer,
  unknownPeer,
  fc
    .uniqueArray(fc.constantFrom(...NETWORKS), { minLength: 1, maxLength: 2 })
    .map((networks) => ({ networks })),
  selectorArb({ role: ['w', 'm'] }).map((nodes) => ({ nodes })),
  fc.constant(null).map(() => ({ domainNames: ['example.com'] })),
);

const PORTS = [53, 80, 443, 8080, 9090];
const cnpProtocolArb: fc.Arbitrary<CnpProtocol> = fc.oneof(
  fc
    .tuple(fc.constantFrom('tcp', 'udp', 'sctp'), fc.constantFrom(...PORTS))
    .map(([p, number]) => ({ [p]: { destinationPort: { number } } })),
  fc
    .tuple(fc.constantFrom('tcp', 'udp'), fc.constantFrom(...PORTS), fc.constantFrom(1, 100, 10000))
    .map(([p, start, d]) => ({
      [p]: { destinationPort: { range: { start, end: Math.min(65535, start + d) } } },
    })),
  fc.constantFrom('http', 'dns', 'metrics').map((destinationNamedPort) => ({ destinationNamedPort })),
);

/** A rule: an action, 1–2 peers, and absent or 1–2 port entries (`protocols` or `ports`, by the API). */
function ruleArb<P, Q>(peer: fc.Arbitrary<P>, actions: readonly string[], port: fc.Arbitrary<Q>) {
  return fc
    .tuple(
      fc.constantFrom(...actions),
      fc.array(peer, { minLength: 1, maxLength: 2 }),
      fc.option(fc.array(port, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    )
    .map(([action, peers, ports]) => ({ action, peers, ports }));
}

const subjectArb: fc.Arbitrary<TierSubject> = fc.oneof(
  selectorArb(NAMESPACE_VOCABULARY).map((namespaces) => ({ namespaces })),
  fc
    .tuple(selectorArb(NAMESPACE_VOCABULARY), selectorArb(POD_VOCABULARY))
    .map(([namespaceSelector, podSelector]) => ({ pods: { namespaceSelector, podSelector } })),
);

const cnpArb = fc
  .tuple(
    fc.constantFrom('Admin', 'Baseline'),
    subjectArb,
    fc.array(ruleArb(ingressPeerArb, ['Accept', 'Deny', 'Pass'], cnpProtocolArb), { maxLength: 3 }),
    fc.array(ruleArb(egressPeerArb, ['Accept', 'Deny', 'Pass'], cnpProtocolArb), { maxLength: 3 }),
  )
  .map(([tier, subject, ingress, egress]) => ({ kind: 'cnp' as const, tier, subject, ingress, egress }));

/** ANP and BANP rules: `ports` in their own shape. */
const anpPortArb = fc.oneof(
  fc
    .tuple(fc.constantFrom('TCP', 'UDP', 'SCTP'), fc.constantFrom(...PORTS))
    .map(([protocol, port]) => ({ portNumber: { protocol, port } })),
  fc.constantFrom('http', 'dns').map((namedPort) => ({ namedPort })),
  fc.constantFrom(...PORTS).map((start) => ({ portRange: { protocol: 'TCP', start, end: start + 50 } })),
);
const anpArb = fc
  .tuple(
    fc.constantFrom('anp', 'banp'),
    subjectArb,
    fc.array(ruleArb(ingressPeerArb, ['Allow', 'Deny', 'Pass'], anpPortArb), { maxLength: 3 }),
    fc.array(ruleArb(egressPeerArb, ['Allow', 'Deny', 'Pass'], anpPortArb), { maxLength: 3 }),
  )
  .map(([kind, subject, ingress, egress]) => ({ kind, subject, ingress, egress }));

type Drawn =
  | {
      kind: 'cnp';
      tier: string;
      subject: TierSubject;
      ingress: { action: string; peers: object[]; ports: CnpProtocol[] | undefined }[];
      egress: { action: string; peers: object[]; ports: CnpProtocol[] | undefined }[];
    }
  | {
      kind: 'anp' | 'banp';
      subject: TierSubject;
      ingress: { action: string; peers: object[]; ports: object[] | undefined }[];
      egress: { action: string; peers: object[]; ports: object[] | undefined }[];
    };

type DrawnRule = { action: string; peers: object[]; ports: object[] | undefined };

/** One drawn policy as the parser normalizes it (a `banp` is the BaselineAdminNetworkPolicy `default`). */
function drawnPolicy(d: Drawn, name: string, priority: number): ClusterPolicyInfo {
  if (d.kind === 'cnp') {
    const rule = (r: DrawnRule, dir: 'from' | 'to') => ({
      action: r.action,
      [dir]: r.peers,
      ...(r.ports === undefined ? {} : { protocols: r.ports }),
    });
    return cnp(name, {
      tier: d.tier,
      priority,
      subject: d.subject,
      ingress: d.ingress.map((r) => rule(r, 'from')),
      egress: d.egress.map((r) => rule(r, 'to')),
    });
  }
  const rule = (r: DrawnRule, dir: 'from' | 'to') => ({
    action: r.action === 'Pass' && d.kind === 'banp' ? 'Deny' : r.action,
    [dir]: r.peers.filter((p) => d.kind !== 'banp' || !('domainNames' in p)),
    ...(r.ports === undefined ? {} : { ports: r.ports }),
  });
  const spec = {
    subject: d.subject,
    ingress: d.ingress
      .map((r) => rule(r, 'from'))
      .filter((r) => ((r as Record<string, unknown>)['from'] as object[]).length > 0),
    egress: d.egress
      .map((r) => rule(r, 'to'))
      .filter((r) => ((r as Record<string, unknown>)['to'] as object[]).length > 0),
  };
  return d.kind === 'anp' ? anp(name, { priority, ...spec }) : banp(spec);
}

/** Priorities are distinct within a tier: the API leaves equal priorities undefined. */
function toClusterPolicies(drawn: readonly Drawn[]): ClusterPolicyInfo[] {
  const out: ClusterPolicyInfo[] = [];
  let hasBanp = false;
  for (const [i, d] of drawn.entries()) {
    if (d.kind === 'banp') {
      if (hasBanp) continue;
      hasBanp = true;
    }
    out.push(drawnPolicy(d, `${d.kind}${i}`, (i * 37) % 101));
  }
  return out;
}

const nodesArb: fc.Arbitrary<NodeInfo[]> = fc
  .array(
    fc.tuple(
      fc.constantFrom('w', 'm'),
      fc.uniqueArray(fc.constantFrom(...NODE_IPS), { minLength: 1, maxLength: 2 }),
    ),
    { maxLength: 2 },
  )
  .map((list) => list.map(([role, ips], i) => node(`n${i}`, { role }, ips)));

const tieredArb = fc
  .tuple(
    clusterInputArb,
    fc.array(fc.oneof(cnpArb, anpArb) as fc.Arbitrary<Drawn>, { minLength: 1, maxLength: 4 }),
    nodesArb,
  )
  .map(([input, drawn, nodes]) => cluster({ ...input, clusterPolicies: toClusterPolicies(drawn), nodes }));

// ---------------------------------------------------------------------------------------------------------
// The reference: per connection, per direction, a first-match walk

type Side = { pod: PodInfo } | { ip: string };

function inCidr(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/') as [string, string];
  const a = parseAddress(ip);
  const b = parseAddress(base);
  if (a.family !== b.family) return false;
  const shift = BigInt((a.family === 4 ? 32 : 128) - Number(len));
  return a.value >> shift === b.value >> shift;
}

function sameAddress(x: string, y: string): boolean {
  const a = parseAddress(x);
  const b = parseAddress(y);
  return a.family === b.family && a.value === b.value;
}

function ipsOf(side: Side): readonly string[] {
  return 'ip' in side ? [side.ip] : side.pod.ips;
}

function nsLabels(state: ClusterState, namespace: string): Readonly<Record<string, string>> {
  return state.namespaces.find((n) => n.name === namespace)?.labels ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

/** namespaces/pods selectors: never host-network pods; empty selectors select all. */
function podMatches(state: ClusterState, pod: PodInfo, nsSel: LabelSelector, podSel: LabelSelector): boolean {
  return (
    !pod.hostNetwork &&
    selectorMatches(nsSel, nsLabels(state, pod.namespace)) &&
    selectorMatches(podSel, pod.labels)
  );
}

function peerMatches(state: ClusterState, peer: TierPeerInfo, action: TierAction, other: Side): boolean {
  switch (peer.kind) {
    case 'namespaces':
      return 'pod' in other && podMatches(state, other.pod, peer.namespaceSelector, {});
    case 'pods':
      return 'pod' in other && podMatches(state, other.pod, peer.namespaceSelector, peer.podSelector);
    case 'networks':
      // A pod whose IPs are unknown has one all the same, in IPv4 as netfence assumes.
      if ('pod' in other && other.pod.ips.length === 0) return peer.cidrs.includes('0.0.0.0/0');
      return ipsOf(other).some((ip) => peer.cidrs.some((c) => inCidr(ip, c)));
    case 'nodes':
      return state.nodes.some(
        (n) =>
          selectorMatches(peer.nodeSelector, n.labels) &&
          n.addresses.some((a) => ipsOf(other).some((ip) => sameAddress(ip, a))),
      );
    case 'domainNames':
      return false;
    case 'unknown':
      return action !== TierAction.Allow;
  }
}

function portMatches(rule: TierRuleInfo, destination: Side, protocol: Protocol, port: number): boolean {
  if (rule.ports === undefined) return true;
  return rule.ports.some((p) =>
    p.kind === 'range'
      ? p.protocol === protocol && p.start <= port && port <= p.end
      : 'pod' in destination &&
        destination.pod.namedPorts.some(
          (n) => n.name === p.name && n.protocol === protocol && n.port === port,
        ),
  );
}

function subjectSelects(state: ClusterState, p: ClusterPolicyInfo, pod: PodInfo): boolean {
  return p.subject.kind === 'namespaces'
    ? podMatches(state, pod, p.subject.namespaceSelector, {})
    : podMatches(state, pod, p.subject.namespaceSelector, p.subject.podSelector);
}

function tierWalk(
  state: ClusterState,
  tier: 'admin' | 'baseline',
  direction: 'ingress' | 'egress',
  self: PodInfo,
  other: Side,
  destination: Side,
  protocol: Protocol,
  port: number,
): TierAction | undefined {
  const policies = state.clusterPolicies
    .filter((p) => p.tier === tier && subjectSelects(state, p, self))
    .sort((a, b) => (a.priority ?? Infinity) - (b.priority ?? Infinity));
  for (const p of policies) {
    for (const rule of p[direction]) {
      if (!portMatches(rule, destination, protocol, port)) continue;
      if (rule.peers.some((peer) => peerMatches(state, peer, rule.action, other))) return rule.action;
    }
  }
  return undefined;
}

function npIsolates(state: ClusterState, pod: PodInfo, direction: 'Ingress' | 'Egress'): boolean {
  return (
    !pod.hostNetwork &&
    state.policies.some(
      (p) =>
        p.namespace === pod.namespace &&
        selectorMatches(p.spec.podSelector ?? {}, pod.labels) &&
        effectivePolicyTypes(p.spec).includes(direction),
    )
  );
}

/** The state with only the NetworkPolicies of one direction (the other direction then allows). */
function oneDirection(state: ClusterState, direction: 'Ingress' | 'Egress'): ClusterState {
  const policies = state.policies
    .filter((p) => effectivePolicyTypes(p.spec).includes(direction))
    .map((p) => ({ ...p, spec: { ...p.spec, policyTypes: [direction] } }));
  // NetworkPolicies only: the naive evaluator walks the cluster tiers too, this reference does that itself.
  return { ...state, policies, clusterPolicies: [] };
}

function endpoint(side: Side): NaiveEndpoint {
  return 'ip' in side
    ? { kind: 'ip', ip: side.ip }
    : { kind: 'pod', namespace: side.pod.namespace, name: side.pod.name };
}

function referenceAllowed(
  state: ClusterState,
  perDirection: { Ingress: ClusterState; Egress: ClusterState },
  src: Side,
  dst: Side,
  protocol: Protocol,
  port: number,
): boolean {
  const opts = { ipBlockMatchesPods: true };
  if ('pod' in src && 'pod' in dst && src.pod === dst.pod) {
    // Hairpin: NetworkPolicies only.
    return naiveAllowed(state, endpoint(src), endpoint(dst), protocol, port, opts);
  }
  const side = (direction: 'Ingress' | 'Egress'): boolean => {
    const selfSide = direction === 'Egress' ? src : dst;
    const other = direction === 'Egress' ? dst : src;
    if (!('pod' in selfSide)) return true;
    const dir = direction === 'Egress' ? 'egress' : 'ingress';
    const admin = tierWalk(state, 'admin', dir, selfSide.pod, other, dst, protocol, port);
    if (admin === TierAction.Allow) return true;
    if (admin === TierAction.Deny) return false;
    if (npIsolates(state, selfSide.pod, direction)) {
      return naiveAllowed(perDirection[direction], endpoint(src), endpoint(dst), protocol, port, opts);
    }
    return tierWalk(state, 'baseline', dir, selfSide.pod, other, dst, protocol, port) !== TierAction.Deny;
  };
  return side('Egress') && side('Ingress');
}

function probes(state: ClusterState): number[] {
  const ports = new Set(probePorts({ ...state }));
  for (const p of PORTS) for (const q of [p - 1, p, p + 1, p + 50, p + 51, p + 100]) ports.add(q);
  return [...ports].filter((p) => p >= 1 && p <= 65535);
}

function toEndpoint(side: Side): Endpoint {
  return endpoint(side);
}

describe('tiers: compileCluster equals a per-pair first-match reference', () => {
  test('random clusters with random cluster policies (property)', () => {
    fc.assert(
      fc.property(tieredArb, (state) => {
        const compiled = compileCluster(state);
        const perDirection = {
          Ingress: oneDirection(state, 'Ingress'),
          Egress: oneDirection(state, 'Egress'),
        };
        const ports = probes(state);
        const ips = [
          ...probeIps({ pods: state.pods, policies: state.policies }),
          ...NODE_IPS,
          '10.0.1.0',
          '10.0.1.15',
        ];
        const pairs: [Side, Side][] = [];
        for (const s of state.pods) {
          for (const d of state.pods) pairs.push([{ pod: s }, { pod: d }]);
          for (const ip of ips) {
            pairs.push([{ pod: s }, { ip }]);
            pairs.push([{ ip }, { pod: s }]);
          }
        }
        for (const [s, d] of pairs) {
          const got = compiled.allowedBetween(toEndpoint(s), toEndpoint(d));
          for (const protocol of PROTOCOLS) {
            for (const port of ports) {
              const want = referenceAllowed(state, perDirection, s, d, protocol, port);
              if (portsContain(got, protocol, port) !== want) {
                assert.fail(
                  `${JSON.stringify(endpoint(s))} -> ${JSON.stringify(endpoint(d))} ${protocol}/${port}: ` +
                    `engine ${formatPorts(got)}, reference ${want ? 'allowed' : 'denied'}`,
                );
              }
            }
          }
        }
        // Grouped connectivity reads cut accesses as connectivity does.
        assert.equal(
          computeGroupedConnectivity(compiled).pairs,
          computeConnectivity(compiled).connections.length,
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Incremental engine on tiered clusters

describe('tiers: the incremental engine equals compileCluster after NetworkPolicy edits', () => {
  test('random NetworkPolicy edits on tiered clusters (property)', () => {
    const editArb = fc.tuple(fc.nat(), fc.constantFrom('a', 'b'), specArb, fc.boolean());
    fc.assert(
      fc.property(tieredArb, fc.array(editArb, { minLength: 1, maxLength: 4 }), (state, edits) => {
        const inc = createIncrementalEngine(state);
        assert.deepEqual(
          describeConnectivity(inc.connectivity()),
          describeConnectivity(computeConnectivity(compileCluster(state))),
        );
        for (const [i, [target, namespace, spec, remove]] of edits.entries()) {
          const current = inc.state.policies;
          if (remove && current.length > 0) inc.removePolicy(current[target % current.length]!.id);
          else if (current.length > 0 && target % 2 === 0) {
            const old = current[target % current.length]!;
            inc.updatePolicy(policy(old.namespace, old.name, spec));
          } else inc.updatePolicy(policy(namespace, `edit${i}`, spec));
          // Cluster policy edits (a full recompile): drop the first one, every other edit.
          if (i % 2 === 1) inc.setClusterPolicies(inc.state.clusterPolicies.slice(1));
          const fresh = compileCluster(inc.state);
          assert.deepEqual(
            describeConnectivity(inc.connectivity()),
            describeConnectivity(computeConnectivity(fresh)),
          );
          for (const s of inc.state.pods) {
            for (const d of inc.state.pods) {
              const a = inc.compiled.allowedBetween(toEndpoint({ pod: s }), toEndpoint({ pod: d }));
              const b = fresh.allowedBetween(toEndpoint({ pod: s }), toEndpoint({ pod: d }));
              assert.equal(formatPorts(a), formatPorts(b), `${s.name} -> ${d.name}`);
            }
          }
        }
      }),
      { numRuns: Math.ceil(NUM_RUNS / 2) },
    );
  });
});

const pairKey = (c: { src: string; dst: string }): string => `${c.src} -> ${c.dst}`;

/** The pairs whose ports differ between two fresh answers: what an update must report as changed, sorted. */
function changedPairs(before: Connectivity, after: Connectivity): string[] {
  const was = new Map(before.connections.map((c) => [pairKey(c), formatPorts(c.ports)]));
  const now = new Map(after.connections.map((c) => [pairKey(c), formatPorts(c.ports)]));
  return [...new Set([...was.keys(), ...now.keys()])].filter((k) => was.get(k) !== now.get(k)).sort();
}

/** One edit of a random sequence: a cluster policy's (add, change, delete, a batch) or a NetworkPolicy's. */
type ClusterEdit =
  | { kind: 'add'; drawn: Drawn; priority: number }
  | { kind: 'priority'; target: number; priority: number }
  | { kind: 'rules'; target: number; cnp: Drawn; anp: Drawn }
  | { kind: 'delete'; target: number }
  | { kind: 'batch'; target: number; drawn: Drawn; priority: number }
  | { kind: 'np'; target: number; namespace: string; spec: NetworkPolicySpec; remove: boolean };

const priorityArb = fc.integer({ min: 0, max: 1000 });
const clusterEditArb: fc.Arbitrary<ClusterEdit> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    drawn: fc.oneof(cnpArb, anpArb),
    priority: priorityArb,
  }),
  fc.record({ kind: fc.constant('priority' as const), target: fc.nat(), priority: priorityArb }),
  fc.record({
    kind: fc.constant('rules' as const),
    target: fc.nat(),
    cnp: cnpArb,
    anp: anpArb,
  }),
  fc.record({ kind: fc.constant('delete' as const), target: fc.nat() }),
  fc.record({
    kind: fc.constant('batch' as const),
    target: fc.nat(),
    drawn: fc.oneof(cnpArb, anpArb),
    priority: priorityArb,
  }),
  fc.record({
    kind: fc.constant('np' as const),
    target: fc.nat(),
    namespace: fc.constantFrom('a', 'b'),
    spec: specArb,
    remove: fc.boolean(),
  }),
);

/** The same cluster policy with a new priority (the BaselineAdminNetworkPolicy has none: unchanged). */
function withPriority(p: ClusterPolicyInfo, priority: number): ClusterPolicyInfo {
  if (p.kind === 'ClusterNetworkPolicy')
    return cnp(p.name, { ...(p.spec as ClusterNetworkPolicySpec), priority });
  if (p.kind === 'AdminNetworkPolicy')
    return anp(p.name, { ...(p.spec as AdminNetworkPolicySpec), priority });
  return p;
}

/** The same cluster policy (kind, name, priority) with newly drawn subject, rules, actions, peers and ports. */
function withRules(p: ClusterPolicyInfo, edit: { cnp: Drawn; anp: Drawn }): ClusterPolicyInfo {
  if (p.kind === 'ClusterNetworkPolicy') return drawnPolicy(edit.cnp, p.name, p.priority!);
  return drawnPolicy(
    { ...edit.anp, kind: p.kind === 'AdminNetworkPolicy' ? 'anp' : 'banp' },
    p.name,
    p.priority ?? 0,
  );
}

function applyClusterEdit(inc: IncrementalEngine, edit: ClusterEdit, i: number): IncrementalUpdate {
  const list = inc.state.clusterPolicies;
  const pick = (target: number): ClusterPolicyInfo | undefined => list[target % Math.max(1, list.length)];
  switch (edit.kind) {
    case 'add':
      return inc.updateClusterPolicy(drawnPolicy(edit.drawn, `new${i}`, edit.priority));
    case 'priority': {
      const p = pick(edit.target);
      return p === undefined
        ? inc.setClusterPolicies(list)
        : inc.updateClusterPolicy(withPriority(p, edit.priority));
    }
    case 'rules': {
      const p = pick(edit.target);
      return p === undefined ? inc.setClusterPolicies(list) : inc.updateClusterPolicy(withRules(p, edit));
    }
    case 'delete': {
      const p = pick(edit.target);
      return inc.removeClusterPolicy(p?.id ?? 'ClusterNetworkPolicy/none');
    }
    case 'batch': {
      // One gone, one new, the rest in reverse order: one update.
      const gone = pick(edit.target)?.id;
      const added = drawnPolicy(edit.drawn, `batch${i}`, edit.priority);
      // Ids stay unique: a new BaselineAdminNetworkPolicy takes the place of the one there is.
      const next = list.filter((p) => p.id !== gone && p.id !== added.id).reverse();
      return inc.setClusterPolicies([...next, added]);
    }
    case 'np': {
      const current = inc.state.policies;
      if (edit.remove && current.length > 0)
        return inc.removePolicy(current[edit.target % current.length]!.id);
      if (current.length > 0 && edit.target % 2 === 0) {
        const old = current[edit.target % current.length]!;
        return inc.updatePolicy(policy(old.namespace, old.name, edit.spec));
      }
      return inc.updatePolicy(policy(edit.namespace, `edit${i}`, edit.spec));
    }
  }
}

describe('tiers: the incremental engine equals compileCluster after cluster policy edits', () => {
  test('random cluster policy edits mixed with NetworkPolicy edits (property)', () => {
    let local = 0;
    fc.assert(
      fc.property(tieredArb, fc.array(clusterEditArb, { minLength: 1, maxLength: 6 }), (state, edits) => {
        const inc = createIncrementalEngine(state);
        let previous = computeConnectivity(compileCluster(state));
        for (const [i, edit] of edits.entries()) {
          const update = applyClusterEdit(inc, edit, i);
          if (!update.recompiled && edit.kind !== 'np') local++;
          const fresh = compileCluster(inc.state);
          const expected = computeConnectivity(fresh);
          const label = `after edit ${i} (${edit.kind})`;
          assert.deepEqual(describeConnectivity(inc.connectivity()), describeConnectivity(expected), label);
          assert.deepEqual(update.changes.map(pairKey).sort(), changedPairs(previous, expected), label);
          assert.deepEqual(
            inc.compiled.tierPolicies.map((p) => `${p.index} ${p.info.id} ${p.tier} ${p.rank}`),
            fresh.tierPolicies.map((p) => `${p.index} ${p.info.id} ${p.tier} ${p.rank}`),
            label,
          );
          for (const s of inc.state.pods) {
            for (const d of inc.state.pods) {
              const a = inc.compiled.allowedBetween(toEndpoint({ pod: s }), toEndpoint({ pod: d }));
              const b = fresh.allowedBetween(toEndpoint({ pod: s }), toEndpoint({ pod: d }));
              assert.equal(formatPorts(a), formatPorts(b), `${label}: ${s.name} -> ${d.name}`);
            }
          }
          previous = expected;
        }
      }),
      { numRuns: NUM_RUNS },
    );
    // The runs exercised the local path, not only recompiles.
    assert.ok(local > NUM_RUNS / 2, `${local} local cluster policy updates`);
  });
});
