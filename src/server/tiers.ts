/**
 * Which layer decided a connection, per direction and port: an Admin tier rule (ClusterNetworkPolicy tier
 * Admin, AdminNetworkPolicy), NetworkPolicies, a Baseline tier rule (ClusterNetworkPolicy tier Baseline,
 * BaselineAdminNetworkPolicy), or the default (allowed): each connection's `allowedBy` in `/api/model`, and
 * the model's cluster policies in words. (The inspector shows `explain`'s own walk, from `/api/explain`.)
 *
 * A first-match walk over `compiled.tierPolicies` for one pair of class ends, in the order the engine
 * evaluates them (`policiesOfTier`, docs/design/tiers.md), without explain's near misses and texts, so that
 * every connection of the model can afford it. It repeats, for one peer, what `walkTier` in
 * src/engine/decisions.ts computes for all peers at once, and what src/engine/explain.ts walks per segment:
 * test/server/tiers.test.ts checks that its allowed ports are the engine's, and its deciding rules explain's.
 */
import type { ClassSet, CompiledCluster, Direction } from '../engine/compile.ts';
import { accessToAddress, accessToPod, portsTowardsClass } from '../engine/compile.ts';
import type { ClassEnd } from '../engine/connectivity.ts';
import type { PodClass } from '../engine/classes.ts';
import { policiesOfTier } from '../engine/decisions.ts';
import {
  intersectPorts,
  isEmptyPorts,
  NO_PORTS,
  portsToJson,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../engine/ports.ts';
import type { RefIndex } from '../engine/refs.ts';
import { compileSelector } from '../engine/selectors.ts';
import { compileTierPorts } from '../engine/tiers.ts';
import { formatPorts } from '../describe/ports.ts';
import { describeSelector } from '../describe/selectors.ts';
import { toYamlDocument } from '../format/yaml.ts';
import type { CompiledTierPeer, CompiledTierPolicy, CompiledTierRule } from '../engine/tiers.ts';
import { sortedIncludes } from '../base/sorted.ts';
import {
  Tier,
  TierAction,
  type ClusterPolicyInfo,
  type TierPeerInfo,
  type TierPortInfo,
  type TierRuleInfo,
} from '../model/cluster.ts';
import type { LabelSelector } from '../model/k8s.ts';
import type { AllowedByJson, ClusterPolicyJson, ClusterRuleJson, ConnectionJson } from '../contract/api.ts';
import type { DecidedByJson } from '../contract/explain.ts';

/** One step of a direction's walk: a layer (and its policy and rule) that took some of the ports. */
export interface LayerStep {
  layer: DecidedByJson;
  /** The cluster policy and rule (Admin and Baseline layers). */
  policy?: CompiledTierPolicy;
  rule?: CompiledTierRule;
  /** `pass` leaves the tier for the ports it takes: a later layer decides them. */
  action: TierAction;
  ports: PortSet;
}

function peerMatches(peer: CompiledTierPeer, end: ClassEnd, classes: readonly PodClass[]): boolean {
  if (peer.everything) return true;
  if ('address' in end) return sortedIncludes(peer.addresses, end.address);
  const pods: ClassSet = peer.pods;
  return pods.all ? !classes[end.pod]!.hostNetwork : sortedIncludes(pods.ids, end.pod);
}

/** The ports of `rule` (of a policy selecting `subject`) that match traffic with `peer`. */
function rulePorts(
  rule: CompiledTierRule,
  subject: PodClass,
  peer: ClassEnd,
  classes: readonly PodClass[],
): PortSet {
  if (!rule.peers.some((p) => peerMatches(p, peer, classes))) return NO_PORTS;
  // Named ports name a container port of the destination: the subject on ingress, the peer on egress.
  if (rule.direction === 'ingress') return portsTowardsClass(rule.ports, subject);
  return 'pod' in peer ? portsTowardsClass(rule.ports, classes[peer.pod]!) : rule.ports.numeric;
}

/**
 * The walk of one direction of `subject` (the source for egress, the destination for ingress) with `peer`,
 * over `ports`: each step takes the ports it decides; together the allow and deny steps cover `ports`.
 */
export function decideDirection(
  compiled: CompiledCluster,
  direction: Direction,
  subject: number,
  peer: ClassEnd,
  ports: PortSet,
): LayerStep[] {
  const { classes } = compiled;
  const cls = classes[subject]!;
  const steps: LayerStep[] = [];
  let open = ports;
  const walk = (tier: Tier): void => {
    let undecided = open;
    const policies = policiesOfTier(compiled.tierPolicies, compiled.tierPoliciesOfClass[subject] ?? [], tier);
    for (const policy of policies) {
      for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
        if (isEmptyPorts(undecided)) return;
        const taken = intersectPorts(rulePorts(rule, cls, peer, classes), undecided);
        if (isEmptyPorts(taken)) continue;
        steps.push({ layer: tier, policy, rule, action: rule.action, ports: taken });
        undecided = subtractPorts(undecided, taken);
        if (rule.action !== TierAction.Pass) open = subtractPorts(open, taken);
      }
    }
  };
  walk(Tier.Admin);
  if (isEmptyPorts(open)) return steps;
  const np = (direction === 'ingress' ? compiled.npIngress : compiled.npEgress)[subject]!;
  if (np.isolated) {
    const allowed = intersectPorts(
      open,
      'pod' in peer ? accessToPod(np, classes[peer.pod]!) : accessToAddress(np, peer.address),
    );
    const denied = subtractPorts(open, allowed);
    if (!isEmptyPorts(allowed))
      steps.push({ layer: 'network-policy', action: TierAction.Allow, ports: allowed });
    if (!isEmptyPorts(denied))
      steps.push({ layer: 'network-policy', action: TierAction.Deny, ports: denied });
    return steps;
  }
  walk(Tier.Baseline);
  if (!isEmptyPorts(open)) steps.push({ layer: 'default', action: TierAction.Allow, ports: open });
  return steps;
}

/** The ports the allow steps of a walk take. */
export function allowedPorts(steps: readonly LayerStep[]): PortSet {
  let out = NO_PORTS;
  for (const s of steps) if (s.action === TierAction.Allow) out = unionPorts(out, s.ports);
  return out;
}

/** Both directions of a connection from `src` to `dst` (an address end has no side: nothing to walk). */
export function decideConnection(
  compiled: CompiledCluster,
  src: ClassEnd,
  dst: ClassEnd,
  ports: PortSet,
): { egress: LayerStep[]; ingress: LayerStep[] } {
  return {
    egress: 'pod' in src ? decideDirection(compiled, 'egress', src.pod, dst, ports) : [],
    ingress: 'pod' in dst ? decideDirection(compiled, 'ingress', dst.pod, src, ports) : [],
  };
}

/** A tier peer in words. */
function describePeer(peer: TierPeerInfo): string {
  const sel = (s: LabelSelector): string => describeSelector(compileSelector(s));
  switch (peer.kind) {
    case 'namespaces':
      return `namespaces ${sel(peer.namespaceSelector)}`;
    case 'pods':
      return `pods ${sel(peer.podSelector)} in namespaces ${sel(peer.namespaceSelector)}`;
    case 'nodes':
      return `nodes ${sel(peer.nodeSelector)}`;
    case 'networks':
      return `networks ${peer.cidrs.join(', ')}`;
    case 'domainNames':
      return `domainNames ${peer.domains.join(', ')} (by DNS name)`;
    case 'unknown':
      return `unknown peer (${peer.fields.join(', ')}): matches nothing for an allow rule, everything otherwise`;
  }
}

function rulesJson(rules: readonly TierRuleInfo[]): ClusterRuleJson[] {
  return rules.map((r) => ({
    index: r.index,
    name: r.name ?? null,
    action: r.action,
    peers: r.peers.map(describePeer),
    ports: r.ports === undefined ? 'all ports' : portsText(r.ports),
  }));
}

/** A rule's ports in words: its numbers and ranges, then its named ports (only those when it has no number). */
function portsText(ports: readonly TierPortInfo[]): string {
  const names = ports.flatMap((p) => (p.kind === 'named' ? [`port named ${p.name}`] : []));
  if (names.length === 0) return formatPorts(compileTierPorts(ports).numeric);
  if (!ports.some((p) => p.kind === 'range')) return names.join(', ');
  return `${formatPorts(compileTierPorts(ports).numeric)}, ${names.join(', ')}`;
}

/** A cluster policy's YAML rebuilt from the state (read from a cluster, or from a List). */
export function renderClusterPolicy(policy: ClusterPolicyInfo): string {
  const metadata: Record<string, unknown> = { name: policy.name };
  if (Object.keys(policy.labels).length > 0) metadata.labels = policy.labels;
  return toYamlDocument({
    value: { apiVersion: policy.apiVersion, kind: policy.kind, metadata, spec: policy.spec },
  });
}

/** The model's `clusterPolicies`: each in evaluation order (Admin tier, then Baseline), with what it selects. */
export function clusterPoliciesJson(
  compiled: CompiledCluster,
  selects: ReadonlyMap<string, readonly string[]>,
  yaml: ReadonlyMap<string, string>,
): ClusterPolicyJson[] {
  const order = [...compiled.tierPolicies].sort(
    (a, b) => (a.tier === b.tier ? 0 : a.tier === Tier.Admin ? -1 : 1) || a.rank - b.rank,
  );
  return order.map(({ info }) => {
    const subject =
      info.subject.kind === 'namespaces'
        ? `namespaces ${describeSelector(compileSelector(info.subject.namespaceSelector))}`
        : describePeer(info.subject);
    return {
      id: info.id,
      kind: info.kind,
      name: info.name,
      tier: info.tier,
      priority: info.priority ?? null,
      file: info.origin?.file ?? null,
      line: info.origin?.line ?? null,
      subject,
      selects: selects.get(info.id) ?? [],
      ingress: rulesJson(info.ingress),
      egress: rulesJson(info.egress),
      yaml: yaml.get(info.id) ?? renderClusterPolicy(info),
    };
  });
}

/**
 * A connection's `allowedBy`: the allow steps of both directions over its ports, for every pair of class
 * ends, each layer/policy/rule once. Undefined when the cluster has no cluster policies. Memoized per pair
 * of class ends and ports (many workloads share classes).
 */
export function allowedByOf(
  index: RefIndex,
): ((src: string, dst: string, ports: PortSet) => ConnectionJson['allowedBy']) | undefined {
  const compiled = index.compiled;
  if (compiled.tierPolicies.length === 0) return undefined;
  const memo = new Map<string, { egress: LayerStep[]; ingress: LayerStep[] }>();
  const endKey = (e: ClassEnd): string => ('pod' in e ? `p${e.pod}` : `a${e.address}`);
  return (src, dst, ports) => {
    const egress = new Map<string, AllowedByJson>();
    const ingress = new Map<string, AllowedByJson>();
    const add = (into: Map<string, AllowedByJson>, steps: readonly LayerStep[]): void => {
      for (const s of steps) {
        if (s.action !== TierAction.Allow) continue;
        const a: AllowedByJson = {
          layer: s.layer,
          policy: s.policy?.info.id ?? null,
          rule: s.rule?.index ?? null,
        };
        into.set(`${a.layer} ${a.policy ?? ''} ${a.rule ?? ''}`, a);
      }
    };
    for (const s of index.ends(src)) {
      for (const d of index.ends(dst)) {
        const key = `${endKey(s)} ${endKey(d)} ${JSON.stringify(portsToJson(ports))}`;
        let walk = memo.get(key);
        if (walk === undefined) memo.set(key, (walk = decideConnection(compiled, s, d, ports)));
        add(egress, walk.egress);
        add(ingress, walk.ingress);
      }
    }
    return { egress: [...egress.values()], ingress: [...ingress.values()] };
  };
}
