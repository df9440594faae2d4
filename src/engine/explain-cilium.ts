/**
 * Explain, for Cilium policies (issue #17): per side, the Cilium rule sets that select the pod (and whether
 * they put it in default deny), every allow and deny rule that matches the connection with the ports it
 * covers, and the L7 entries it passes through; each cited by policy, rule set (`spec`/`specs[i]`), list
 * and rule (`spec.ingressDeny[0]`) and file:line when the policy has an origin. It reads the compiled
 * structures evaluation reads (cilium.ts), so its verdict is `allowedBetween`'s.
 */
import { formatPath, type FieldPath, type SourceLocation } from '../model/problem.ts';
import {
  CILIUM_NAMESPACE_KEY,
  CILIUM_NAMESPACE_LABELS_PREFIX,
  CiliumPolicyKind,
  type CiliumPeerInfo,
  type CiliumPolicyInfo,
} from '../model/cilium.ts';
import type { LabelSelector } from '../model/k8s.ts';
import type { PodClass } from './classes.ts';
import type { CompiledCluster, Direction } from './compile.ts';
import {
  CiliumList,
  ciliumCidrMatchesInCluster,
  ciliumRuleFor,
  ciliumClassIdentity,
  ciliumRulePortsTowards,
  ciliumUnseenDomains,
  ciliumPortReading,
  compileCiliumPorts,
  type CompiledCiliumPeer,
  type CompiledCiliumRule,
  type CompiledCiliumSpec,
} from './cilium.ts';
import { l7Filters, type L7Filter } from './cilium-l7.ts';
import {
  NO_PORTS,
  intersectPorts,
  isEmptyPorts,
  portsContain,
  subtractPorts,
  unionPorts,
  type PortSet,
} from './ports.ts';
import { sortedIncludes } from '../base/sorted.ts';
import { cidrContainsCidr, parseCidr } from '../base/ip.ts';
import type { ClassEnd } from './connectivity.ts';
import type { ExplainEnd, MissDetail, MissReason } from './explain.ts';
import { namedPortMiss, namespaceLabelsOf, nearest, type MissCandidate } from './near-miss.ts';
import { compileSelector, failedRequirements } from './selectors.ts';
import { profileName } from './profiles.ts';

/** One Cilium rule set. */
export interface CiliumSpecCitation {
  /** `CiliumNetworkPolicy/prod/db` */
  policy: string;
  kind: CiliumPolicyKind;
  /** `spec` or `specs[1]` */
  spec: string;
  location: SourceLocation | undefined;
}

/** One rule of a Cilium rule set. */
export interface CiliumRuleCitation extends CiliumSpecCitation {
  list: CiliumList;
  deny: boolean;
  /** Index in the list. */
  rule: number;
  /** `spec.ingressDeny[0]` */
  path: string;
}

/** The peer of a Cilium rule that matched the other end (`src/describe/explain.ts` says it in words). */
export interface CiliumMatchedPeer {
  info: CiliumPeerInfo;
  /** A clusterwide policy's endpoint selector without the namespace label: it matches in every namespace. */
  everyNamespace: boolean;
}

/** A Cilium rule matching the connection on `ports` (within the query). */
export interface CiliumRuleMatch extends CiliumRuleCitation {
  /** The first peer of the rule that matches the other end. */
  peer: CiliumMatchedPeer;
  ports: PortSet;
}

/** An L7 entry the connection passes through, cited. */
export interface CiliumL7Match extends CiliumRuleCitation {
  /** `spec.ingress[0].toPorts[1]` */
  entryPath: string;
  l7: L7Filter['kind'];
  ports: PortSet;
}

/**
 * A Cilium allow rule that would have allowed the connection but for its peer, its ports, or (`subject`)
 * the rule set's `endpointSelector`, which misses the pod by one label while the rule's peer and ports match.
 */
export interface CiliumNearMiss extends CiliumRuleCitation {
  failed: 'ports' | 'peer' | 'both' | 'subject';
  reasons: MissReason[];
}

/** A rule (Cilium or NetworkPolicy) that lets the peer through at L4 alone, cited. */
export interface L4OnlyCitation {
  policy: string;
  /** `spec.ingress[1]` (Cilium: with its `toPorts` entry when it has ports). */
  path: string;
  location: SourceLocation | undefined;
}

/**
 * An L7 entry matching the connection that has no effect on `ports`: an allow of the same side lets the same
 * peer through at L4 alone there (`by`), so Cilium does not filter those ports at L7 (docs/design/cilium.md).
 */
export interface CiliumShadowedL7 extends CiliumRuleCitation {
  /** `spec.ingress[0].toPorts[1]` */
  entryPath: string;
  l7: L7Filter['kind'];
  ports: PortSet;
  by: L4OnlyCitation[];
}

export interface CiliumSideExplanation {
  /** Rule sets selecting the pod that put it in default deny in this direction. */
  isolatedBy: CiliumSpecCitation[];
  /** Rule sets selecting the pod with rules in this direction but default deny off (`enableDefaultDeny`). */
  openBy: CiliumSpecCitation[];
  /** Allow rules matching the connection, with the query's ports they cover. */
  allows: CiliumRuleMatch[];
  /** Deny rules matching the connection: they win over every allow. */
  denies: CiliumRuleMatch[];
  /** What the allow rules allow (within the query). */
  allowed: PortSet;
  /** What the deny rules deny (within the query). */
  denied: PortSet;
  /**
   * Egress to an address: the `toFQDNs` names of the pod's rules that no DNS rule on port 53 covers, so that
   * Cilium's DNS proxy never sees their lookups and they allow nothing (docs/design/cilium.md).
   */
  unseenNames: (CiliumRuleCitation & { domain: string })[];
  /**
   * When the side allows none of the query (no Cilium nor NetworkPolicy allow matches) and something isolates
   * the pod: the Cilium allow rules that came closest, nearest first, at most 5.
   */
  nearMisses: CiliumNearMiss[];
  /** L7 entries matching the connection whose filter an L4-only allow of the same side cancels. */
  shadowedL7: CiliumShadowedL7[];
}

/** What NetworkPolicies say on the same side, for near misses and L7 shadowing. */
export interface NetworkPolicySideFacts {
  isolated: boolean;
  /** What they allow within the query. */
  allowed: PortSet;
  rules: readonly (L4OnlyCitation & { ports: PortSet })[];
}

function locate(policy: CiliumPolicyInfo, path: FieldPath): SourceLocation | undefined {
  const o = policy.origin;
  if (o === undefined) return undefined;
  return o.locate?.(path) ?? { file: o.file, line: o.line, column: o.column };
}

function citeSpec(compiled: CompiledCluster, s: CompiledCiliumSpec): CiliumSpecCitation {
  const policy = compiled.cilium.policies[s.policy]!;
  return {
    policy: policy.id,
    kind: policy.kind,
    spec: formatPath(s.info.path),
    location: locate(policy, s.info.path),
  };
}

function citeRule(
  compiled: CompiledCluster,
  s: CompiledCiliumSpec,
  list: CiliumList,
  index: number,
): CiliumRuleCitation {
  const policy = compiled.cilium.policies[s.policy]!;
  const path = [...s.info.path, list, index];
  return {
    ...citeSpec(compiled, s),
    list,
    deny: list === CiliumList.IngressDeny || list === CiliumList.EgressDeny,
    rule: index,
    path: formatPath(path),
    location: locate(policy, path),
  };
}

function peerHits(p: CompiledCiliumPeer, end: ClassEnd): boolean {
  return (
    p.everything ||
    ('pod' in end
      ? !p.pods.all && sortedIncludes(p.pods.ids, end.pod)
      : sortedIncludes(p.addresses, end.address))
  );
}

/** A CiliumClusterwideNetworkPolicy's endpoint selector without the namespace label: every namespace. */
function everyNamespace(policy: CiliumPolicyInfo, selector: LabelSelector): boolean {
  if (policy.kind !== CiliumPolicyKind.CiliumClusterwideNetworkPolicy) return false;
  if (selector.matchLabels?.[CILIUM_NAMESPACE_KEY] !== undefined) return false;
  return !(selector.matchExpressions ?? []).some(
    (e) => e.key === CILIUM_NAMESPACE_KEY && e.operator !== 'Exists',
  );
}

/** The first peer of `rule` matching `end`. */
function matchingPeer(
  policy: CiliumPolicyInfo,
  rule: CompiledCiliumRule,
  end: ClassEnd,
): CiliumMatchedPeer | undefined {
  const p = rule.peers.find((q) => peerHits(q, end));
  if (p === undefined) return undefined;
  // The classic pitfall: without the namespace label, a clusterwide policy's peer is every namespace's.
  return {
    info: p.info,
    everyNamespace: p.info.kind === 'endpoints' && everyNamespace(policy, p.info.selector),
  };
}

/** The rule as written (`spec.ingress[0]` of the object), for the field paths of its peers. */
function writtenRule(policy: CiliumPolicyInfo, path: FieldPath): Readonly<Record<string, unknown>> {
  let node: unknown = policy.object;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : {};
}

const INGRESS_PEER_FIELDS = [
  'fromEndpoints',
  'fromNodes',
  'fromCIDR',
  'fromCIDRSet',
  'fromEntities',
  'fromGroups',
  'fromRequires',
] as const;
const EGRESS_PEER_FIELDS = [
  'toEndpoints',
  'toNodes',
  'toCIDR',
  'toCIDRSet',
  'toEntities',
  'toServices',
  'toFQDNs',
  'toGroups',
  'toRequires',
] as const;
/** Fields the model reads as one peer however many items they have (netfence cannot resolve them). */
const ONE_PEER_FIELDS: ReadonlySet<string> = new Set([
  'fromGroups',
  'fromRequires',
  'toGroups',
  'toRequires',
]);

/**
 * The field path (under the rule) of each normalized peer, in the model's order (`src/model/cilium.ts`
 * `ingressPeers`/`egressPeers`); empty paths when the rule has no peer field (`anyPeer`).
 */
function peerPaths(written: Readonly<Record<string, unknown>>, direction: Direction): FieldPath[] {
  const out: FieldPath[] = [];
  for (const field of direction === 'ingress' ? INGRESS_PEER_FIELDS : EGRESS_PEER_FIELDS) {
    const items = written[field];
    if (!Array.isArray(items) || items.length === 0) continue;
    if (ONE_PEER_FIELDS.has(field)) out.push([field]);
    else items.forEach((_, i) => out.push([field, i]));
  }
  return out;
}

/** Computes one side's near misses and shadowed L7 entries (`explainCiliumSide`). */
class CiliumMisses {
  readonly compiled: CompiledCluster;
  readonly direction: Direction;
  readonly subject: ExplainEnd & { kind: 'pod' };
  readonly peer: ExplainEnd;
  readonly dst: ExplainEnd;
  readonly query: PortSet;

  constructor(
    compiled: CompiledCluster,
    direction: Direction,
    ends: { subject: ExplainEnd & { kind: 'pod' }; peer: ExplainEnd; dst: ExplainEnd },
    query: PortSet,
  ) {
    this.compiled = compiled;
    this.direction = direction;
    this.subject = ends.subject;
    this.peer = ends.peer;
    this.dst = ends.dst;
    this.query = query;
  }

  get dstClass() {
    return this.dst.kind === 'pod' ? this.compiled.classes[this.dst.classId] : undefined;
  }

  /** The pod class whose side this is. */
  get subjectClass(): PodClass {
    return this.compiled.classes[this.subject.classId]!;
  }

  /**
   * Whether a peer of `rule` matches the other end: `host`/`remote-node` read for the subject's node, as the
   * verdict reads them.
   */
  peerMatches(rule: CompiledCiliumRule): boolean {
    const end = classEnd(this.peer);
    return ciliumRuleFor(rule, this.subjectClass).peers.some((p) => peerHits(p, end));
  }

  identity(classId: number): Record<string, string> {
    const cls = this.compiled.classes[classId]!;
    return ciliumClassIdentity(
      cls,
      namespaceLabelsOf(this.compiled.state, cls.namespace),
      this.compiled.options,
    );
  }

  /**
   * The allow rules that came closest: those of the rule sets selecting the pod (peer or ports off), and those
   * of rule sets whose `endpointSelector` misses the pod by one label while the rule's peer and ports match.
   */
  nearMisses(selecting: readonly CompiledCiliumSpec[]): CiliumNearMiss[] {
    const { cilium } = this.compiled;
    const list = this.direction === 'ingress' ? CiliumList.Ingress : CiliumList.Egress;
    const candidates: MissCandidate<CiliumRuleCitation & { subject: boolean }>[] = [];
    for (const s of selecting) {
      for (const rule of s[list]) {
        const peer = this.peerReasons(s, rule);
        const ports = this.portReasons(s, rule);
        if (peer.length === 0 && ports.length === 0) continue;
        candidates.push({
          rule: { ...citeRule(this.compiled, s, list, rule.index), subject: false },
          peer,
          ports,
        });
      }
    }
    const cls = this.subjectClass;
    const mine = new Set(cilium.ofClass[cls.id] ?? []);
    if (!cls.hostNetworkPod) {
      const labels = this.identity(cls.id);
      for (const s of cilium.specs) {
        if (mine.has(s.index) || s.info.subject.kind !== 'endpoints' || s[list].length === 0) continue;
        const policy = cilium.policies[s.policy]!;
        if (policy.namespace !== undefined && policy.namespace !== cls.namespace) continue;
        const failed = failedRequirements(compileSelector(s.info.subject.selector), labels);
        if (failed.length !== 1) continue;
        const path = [...s.info.path, 'endpointSelector'];
        const reason: MissReason = {
          code: 'subject-labels',
          subject: this.subject,
          requirement: failed[0]!,
          labels,
          path: formatPath(path),
          location: locate(policy, path),
        };
        for (const rule of s[list]) {
          if (this.peerReasons(s, rule).length > 0 || this.portReasons(s, rule).length > 0) continue;
          candidates.push({
            rule: { ...citeRule(this.compiled, s, list, rule.index), subject: true },
            peer: [reason],
            ports: [],
          });
        }
      }
    }
    return nearest(candidates).map(({ subject, ...m }) => ({
      ...m,
      failed: subject ? ('subject' as const) : m.failed,
    }));
  }

  /** Why no peer of the rule matches (the closest peer's reasons), or [] when one does. */
  peerReasons(s: CompiledCiliumSpec, rule: CompiledCiliumRule): MissReason[] {
    const policy = this.compiled.cilium.policies[s.policy]!;
    const rulePath = [...s.info.path, rule.list, rule.index];
    const at = (path: FieldPath) => ({ path: formatPath(path), location: locate(policy, path) });
    if (rule.peers.length === 0) return [{ code: 'no-peer', ...at(rulePath) }];
    if (this.peerMatches(rule)) return [];
    const paths = peerPaths(writtenRule(policy, rulePath), rule.direction);
    let best: MissReason[] | undefined;
    for (const p of rule.peers) {
      const sub = paths.length === rule.peers.length ? paths[p.index]! : [];
      const full = [...rulePath, ...sub];
      const reasons = this.peerMiss(s, rule, p, full).map((d) => ({ ...d, ...at(full) }));
      if (best === undefined || reasons.length < best.length) best = reasons;
    }
    return best ?? [];
  }

  /** Why peer `p` (at `path` of the object) does not match the other end, as data. */
  peerMiss(
    s: CompiledCiliumSpec,
    rule: CompiledCiliumRule,
    p: CompiledCiliumPeer,
    path: FieldPath,
  ): MissDetail[] {
    const peer = this.peer;
    const policy = this.compiled.cilium.policies[s.policy]!;
    const { classes, cilium, addressSpace } = this.compiled;
    const info: CiliumPeerInfo = p.info;
    const cls = peer.kind === 'pod' ? classes[peer.classId]! : undefined;
    switch (info.kind) {
      case 'endpoints': {
        if (cls === undefined) return [{ code: 'not-a-pod', peer }];
        if (cls.hostNetworkPod) return [{ code: 'host-network', peer }];
        const identity = this.identity(cls.id);
        // A CiliumNetworkPolicy's peer selector naming no namespace was scoped to the policy's own.
        const raw: LabelSelector = writtenRule(policy, path);
        const scoped =
          policy.namespace !== undefined &&
          !Object.keys(raw.matchLabels ?? {}).some((k) => k.endsWith(CILIUM_NAMESPACE_KEY)) &&
          !(raw.matchExpressions ?? []).some((e) => e.key.endsWith(CILIUM_NAMESPACE_KEY));
        return failedRequirements(compileSelector(info.selector), identity).map((requirement): MissDetail => {
          if (requirement.key === CILIUM_NAMESPACE_KEY && scoped)
            return {
              code: 'cilium-namespace',
              peer,
              namespace: cls.namespace,
              policyNamespace: policy.namespace!,
            };
          if (requirement.key.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX))
            return {
              code: 'namespace-labels',
              namespace: cls.namespace,
              requirement: {
                ...requirement,
                key: requirement.key.slice(CILIUM_NAMESPACE_LABELS_PREFIX.length),
              },
              labels: namespaceLabelsOf(this.compiled.state, cls.namespace),
            };
          return { code: 'pod-labels', peer, requirement, labels: identity };
        });
      }
      case 'nodes':
        if (cls !== undefined && cls.addressClasses.length === 0) return [{ code: 'pod-ip-unknown', peer }];
        return [{ code: 'node-selector', peer, selector: compileSelector(info.selector) }];
      case 'cidr': {
        const inCluster = ciliumCidrMatchesInCluster(this.compiled.options);
        const address = { end: peer, podIp: cls !== undefined };
        let ids: readonly number[];
        if (cls !== undefined) {
          if (!(cls.hostNetworkPod ? inCluster.nodes : inCluster.pods))
            return [{ code: 'ipblock-ignores-pods', rule: cls.hostNetworkPod ? CIDR_NODES : CIDR_PODS }];
          if (cls.addressClasses.length === 0) return [{ code: 'pod-ip-unknown', peer }];
          ids = cls.addressClasses;
        } else {
          const id = (peer as ExplainEnd & { kind: 'address' }).classId;
          if (!inCluster.nodes && !sortedIncludes(cilium.world, id))
            return [{ code: 'ipblock-ignores-pods', rule: CIDR_NODES }];
          ids = [id];
        }
        const nodes = ids.flatMap((id) => addressSpace.classes[id]?.nodes ?? []);
        for (const e of info.except) {
          const parsed = parseCidr(e);
          if (parsed.ok && nodes.some((n) => cidrContainsCidr(parsed.cidr, n)))
            return [{ code: 'in-except', address, cidr: info.cidr, except: e }];
        }
        return [{ code: 'outside-cidr', address, cidr: info.cidr }];
      }
      case 'entity':
        return [{ code: 'entity', peer, entity: info.entity }];
      case 'service':
        return [
          {
            code: 'service',
            peer,
            service: info.namespace === undefined ? info.name : `${info.namespace}/${info.name}`,
          },
        ];
      case 'fqdn':
      case 'fqdnPattern': {
        const domain = info.kind === 'fqdn' ? info.name : info.pattern;
        const unseen = ciliumUnseenDomains(cilium, this.subject.classId).some(
          (u) => u.spec === s.index && u.rule === rule.index && u.domain === domain,
        );
        if (unseen) return [{ code: 'fqdn-unseen', domain }];
        return [{ code: 'dns-name', domains: [domain], address: { end: peer, podIp: cls !== undefined } }];
      }
      case 'serviceSelector':
        return [{ code: 'unknown-peer', fields: ['toServices.k8sServiceSelector'] }];
      case 'unsupported':
        return [{ code: 'unknown-peer', fields: [info.field] }];
      case 'anyPeer':
        return [];
    }
  }

  /** Why the rule's ports allow none of the query, or [] when they allow some. */
  portReasons(s: CompiledCiliumSpec, rule: CompiledCiliumRule): MissReason[] {
    const dst = this.dstClass;
    const resolved = ciliumRulePortsTowards(rule.ports, dst);
    if (!isEmptyPorts(intersectPorts(resolved, this.query))) return [];
    const policy = this.compiled.cilium.policies[s.policy]!;
    const path = [...s.info.path, rule.list, rule.index, 'toPorts'];
    const at = { path: formatPath(path), location: locate(policy, path) };
    const out: MissReason[] = [];
    const names = new Set<string>();
    for (const named of rule.ports.named) {
      if (names.has(named.name) || !queryHas(this.query, named.protocol)) continue;
      names.add(named.name);
      const miss = namedPortMiss(named, this.dst, dst, at);
      if (miss !== undefined) out.push(miss);
    }
    // SCTP entries the profile reads as nothing (Cilium without enable-sctp): say so, not "no SCTP port".
    const sctp = this.sctpDisabled(rule);
    if (sctp !== undefined) out.push({ ...sctp, ...at });
    const named = sctp === undefined ? resolved : unionPorts(resolved, sctp.ports);
    // Beside it, the port lists only when the query misses them too (with SCTP on, the rule would allow none).
    if (!isEmptyPorts(named) && isEmptyPorts(intersectPorts(this.query, named)))
      out.push({ code: 'port-not-in-rule', query: this.query, rulePorts: named, ...at });
    if (out.length === 0) out.push({ code: 'no-ports', icmp: rule.info.icmp, ...at });
    return out;
  }

  /**
   * The SCTP ports the rule's entries name when the CNI profile has SCTP off (they allow nothing); else
   * undefined.
   */
  sctpDisabled(rule: CompiledCiliumRule): (MissDetail & { code: 'sctp-disabled' }) | undefined {
    const cni = this.compiled.options.cni;
    if (cni === undefined || ciliumPortReading(this.compiled.options).sctp) return undefined;
    const entries = (rule.info.ports ?? []).flatMap((e) => e.ports);
    const sctp = entries.filter((p) => p.protocol.toUpperCase() === 'SCTP');
    // No SCTP entry: nothing to say (no entries at all would read as every port).
    if (sctp.length === 0) return undefined;
    const ports = ciliumRulePortsTowards(compileCiliumPorts(sctp), this.dstClass);
    return isEmptyPorts(ports)
      ? undefined
      : {
          code: 'sctp-disabled',
          ports,
          profile: profileName(cni),
          setting: cni.cni === 'cilium' ? 'enable-sctp' : 'sctp',
        };
  }

  /**
   * The L7 entries of allow rules matching the connection on ports where an allow of the same side lets the
   * peer through at L4 alone (a NetworkPolicy rule of an isolating policy, or a Cilium rule's entries without
   * L7 rules): Cilium does not filter those ports at L7 (`l4OnlyPorts` in cilium-l7.ts).
   */
  shadowedL7(
    specs: readonly CompiledCiliumSpec[],
    np: NetworkPolicySideFacts,
    denied: PortSet,
  ): CiliumShadowedL7[] {
    const list = this.direction === 'ingress' ? CiliumList.Ingress : CiliumList.Egress;
    const dst = this.dstClass;
    const matching = specs.flatMap((s) => s[list].filter((r) => this.peerMatches(r)).map((r) => ({ s, r })));
    if (!matching.some(({ r }) => r.l7.length > 0)) return [];
    const l4: (L4OnlyCitation & { ports: PortSet })[] = np.isolated ? [...np.rules] : [];
    for (const { s, r } of matching) {
      const ports = intersectPorts(ciliumRulePortsTowards(r.l4Only, dst), this.query);
      if (!isEmptyPorts(ports)) {
        const cite = citeRule(this.compiled, s, list, r.index);
        l4.push({ policy: cite.policy, path: cite.path, location: cite.location, ports });
      }
    }
    const out: CiliumShadowedL7[] = [];
    for (const { s, r } of matching) {
      for (const entry of r.l7) {
        const ports = subtractPorts(
          intersectPorts(ciliumRulePortsTowards(entry.ports, dst), this.query),
          denied,
        );
        const by = l4.filter((c) => !isEmptyPorts(intersectPorts(c.ports, ports)));
        if (by.length === 0) continue;
        const shadowed = by.reduce((a, c) => unionPorts(a, intersectPorts(c.ports, ports)), NO_PORTS);
        const entryPath = [...s.info.path, list, r.index, 'toPorts', entry.index];
        const cite = citeRule(this.compiled, s, list, r.index);
        const location = locate(this.compiled.cilium.policies[s.policy]!, entryPath) ?? cite.location;
        out.push({
          ...cite,
          location,
          entryPath: formatPath(entryPath),
          l7: entry.kind,
          ports: shadowed,
          by: by.map(({ policy, path, location: l }) => ({ policy, path, location: l })),
        });
      }
    }
    return out;
  }
}

const CIDR_PODS = 'cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods';
const CIDR_NODES =
  'cilium: CIDR rules do not match node addresses unless policy-cidr-match-mode includes nodes';

function queryHas(query: PortSet, protocol: keyof PortSet): boolean {
  return query[protocol].length > 0;
}

function classEnd(end: ExplainEnd): ClassEnd {
  return end.kind === 'pod' ? { pod: end.classId } : { address: end.classId };
}

/**
 * The Cilium part of one side, or undefined when no Cilium rule set selects the pod in this direction (an
 * address, a host-network pod, a pod connecting to its own IP: Cilium policies do not apply) and none misses
 * it by one label.
 */
export function explainCiliumSide(
  compiled: CompiledCluster,
  direction: Direction,
  ends: { subject: ExplainEnd; peer: ExplainEnd; dst: ExplainEnd; hairpin: boolean },
  query: PortSet,
  np: NetworkPolicySideFacts,
): CiliumSideExplanation | undefined {
  const { cilium, classes } = compiled;
  const subject = ends.subject;
  if (ends.hairpin || subject.kind !== 'pod' || cilium.specs.length === 0) return undefined;
  const allowList = direction === 'ingress' ? CiliumList.Ingress : CiliumList.Egress;
  const denyList = direction === 'ingress' ? CiliumList.IngressDeny : CiliumList.EgressDeny;
  const specs = (cilium.ofClass[subject.classId] ?? [])
    .map((i) => cilium.specs[i]!)
    .filter((s) => s.info.defaultDeny[direction] || s[allowList].length > 0 || s[denyList].length > 0);
  const peerEnd = classEnd(ends.peer);
  const misses = new CiliumMisses(compiled, direction, { subject, peer: ends.peer, dst: ends.dst }, query);
  if (specs.length === 0) {
    // A NetworkPolicy denies: a rule set missing the pod by one label may be what was meant.
    if (!np.isolated || !isEmptyPorts(np.allowed)) return undefined;
    const nearMisses = misses.nearMisses([]);
    if (nearMisses.length === 0) return undefined;
    return { ...emptySide(), nearMisses };
  }
  const dstClass = ends.dst.kind === 'pod' ? classes[ends.dst.classId] : undefined;
  const out: CiliumSideExplanation = {
    ...emptySide(),
    unseenNames:
      direction === 'egress' && !('pod' in peerEnd)
        ? ciliumUnseenDomains(cilium, subject.classId).map((u) => ({
            ...citeRule(compiled, cilium.specs[u.spec]!, CiliumList.Egress, u.rule),
            domain: u.domain,
          }))
        : [],
  };
  for (const s of specs) {
    (s.info.defaultDeny[direction] ? out.isolatedBy : out.openBy).push(citeSpec(compiled, s));
    const policy = cilium.policies[s.policy]!;
    for (const list of [allowList, denyList]) {
      for (const rule of s[list]) {
        // `host`/`remote-node` read for the subject's node.
        const peer = matchingPeer(policy, ciliumRuleFor(rule, classes[subject.classId]!), peerEnd);
        if (peer === undefined) continue;
        const ports = intersectPorts(ciliumRulePortsTowards(rule.ports, dstClass), query);
        if (isEmptyPorts(ports)) continue;
        const match = { ...citeRule(compiled, s, list, rule.index), peer, ports };
        if (rule.deny) {
          out.denies.push(match);
          out.denied = unionPorts(out.denied, ports);
        } else {
          out.allows.push(match);
          out.allowed = unionPorts(out.allowed, ports);
        }
      }
    }
  }
  // Near misses when nothing of this layer allows any of the query (NetworkPolicies count only when they isolate).
  const npAllowed = np.isolated ? np.allowed : NO_PORTS;
  if ((out.isolatedBy.length > 0 || np.isolated) && isEmptyPorts(unionPorts(out.allowed, npAllowed)))
    out.nearMisses = misses.nearMisses(specs);
  out.shadowedL7 = misses.shadowedL7(specs, np, out.denied);
  return out;
}

function emptySide(): CiliumSideExplanation {
  return {
    isolatedBy: [],
    openBy: [],
    allows: [],
    denies: [],
    allowed: NO_PORTS,
    denied: NO_PORTS,
    unseenNames: [],
    nearMisses: [],
    shadowedL7: [],
  };
}

/** The L7 entries (both sides) a connection allowed on `allowed` passes through: allowed at L4, filtered at L7. */
export function explainL7(
  compiled: CompiledCluster,
  src: ClassEnd,
  dst: ClassEnd,
  allowed: PortSet,
): CiliumL7Match[] {
  return l7Filters(compiled, src, dst, allowed).map((f) => {
    const s = compiled.cilium.specs[f.spec]!;
    const cite = citeRule(compiled, s, f.list === 'ingress' ? CiliumList.Ingress : CiliumList.Egress, f.rule);
    const entry = [...s.info.path, f.list, f.rule, 'toPorts', f.entry];
    const location = locate(compiled.cilium.policies[s.policy]!, entry) ?? cite.location;
    return { ...cite, location, entryPath: formatPath(entry), l7: f.kind, ports: f.ports };
  });
}

/**
 * `explain --to <DNS name>`: the Cilium `toFQDNs` rules of the pods of `classes` whose name or pattern matches
 * `name` (`matches`) but that allow nothing of `query` by name: no DNS rule on port 53 covers the name (the
 * DNS proxy never sees its lookups), or their ports miss the query. Nearest first, at most 5.
 */
export function explainDomainMisses(
  compiled: CompiledCluster,
  classes: readonly number[],
  name: string,
  query: PortSet,
  matches: (pattern: string, name: string) => boolean,
): CiliumNearMiss[] {
  const { cilium } = compiled;
  const candidates = new Map<string, MissCandidate<CiliumRuleCitation>>();
  for (const id of classes) {
    const seen = proxySeesName(compiled, id, name, matches);
    for (const i of cilium.ofClass[id] ?? []) {
      const s = cilium.specs[i]!;
      const policy = cilium.policies[s.policy]!;
      for (const rule of s.egress) {
        const rulePath = [...s.info.path, CiliumList.Egress, rule.index];
        const paths = peerPaths(writtenRule(policy, rulePath), 'egress');
        for (const p of rule.peers) {
          const domain =
            p.info.kind === 'fqdn' ? p.info.name : p.info.kind === 'fqdnPattern' ? p.info.pattern : undefined;
          if (domain === undefined || !matches(domain, name)) continue;
          const peerPath = [...rulePath, ...(paths.length === rule.peers.length ? paths[p.index]! : [])];
          const peer: MissReason[] = seen
            ? []
            : [
                {
                  code: 'fqdn-unseen',
                  domain,
                  path: formatPath(peerPath),
                  location: locate(policy, peerPath),
                },
              ];
          const ports = intersectPorts(rule.ports.numeric, query);
          const portPath = [...rulePath, 'toPorts'];
          const portReasons: MissReason[] = isEmptyPorts(ports)
            ? [
                isEmptyPorts(rule.ports.numeric)
                  ? {
                      code: 'no-ports',
                      icmp: rule.info.icmp,
                      path: formatPath(portPath),
                      location: locate(policy, portPath),
                    }
                  : {
                      code: 'port-not-in-rule',
                      query,
                      rulePorts: rule.ports.numeric,
                      path: formatPath(portPath),
                      location: locate(policy, portPath),
                    },
              ]
            : [];
          if (peer.length === 0 && portReasons.length === 0) continue;
          candidates.set(`${s.index}|${rule.index}|${domain}`, {
            rule: citeRule(compiled, s, CiliumList.Egress, rule.index),
            peer,
            ports: portReasons,
          });
        }
      }
    }
  }
  return nearest([...candidates.values()]);
}

/** The names and patterns of the DNS rules on port 53 (UDP or TCP) of the egress allow rules selecting `classId`. */
function dnsProxySelectorsOf(compiled: CompiledCluster, classId: number): string[] {
  const { cilium } = compiled;
  const out: string[] = [];
  for (const i of cilium.ofClass[classId] ?? []) {
    for (const rule of cilium.specs[i]!.egress) {
      for (const entry of rule.l7) {
        const p = entry.ports.numeric;
        if (entry.kind === 'dns' && (portsContain(p, 'UDP', 53) || portsContain(p, 'TCP', 53)))
          out.push(...entry.dns);
      }
    }
  }
  return out;
}

/**
 * Whether Cilium's DNS proxy sees the pods of `classId` look `name` up: a DNS rule on port 53 of theirs
 * matches it. Only then do `toFQDNs` selectors learn its addresses (docs/design/cilium.md).
 */
function proxySeesName(
  compiled: CompiledCluster,
  classId: number,
  name: string,
  matches: (pattern: string, name: string) => boolean,
): boolean {
  return dnsProxySelectorsOf(compiled, classId).some((selector) => matches(selector, name));
}

/** What the egress deny rules selecting `classId` deny towards every address outside the cluster. */
function deniedTowardsEveryOutsideAddress(compiled: CompiledCluster, classId: number): PortSet {
  const { cilium } = compiled;
  if (cilium.world.length === 0) return NO_PORTS;
  const denies = (cilium.ofClass[classId] ?? []).flatMap((i) => cilium.specs[i]!.egressDeny);
  if (denies.length === 0) return NO_PORTS;
  let out: PortSet | undefined;
  for (const a of cilium.world) {
    let denied = NO_PORTS;
    for (const rule of denies) {
      if (rule.peers.some((p) => peerHits(p, { address: a })))
        denied = unionPorts(denied, ciliumRulePortsTowards(rule.ports, undefined));
    }
    out = out === undefined ? denied : intersectPorts(out, denied);
  }
  return out ?? NO_PORTS;
}

/**
 * The Cilium `toFQDNs` egress allow rules by which the pods of `classId` reach the DNS name `name`: a `toFQDNs`
 * name or pattern of theirs matches it, the DNS proxy sees its lookups (a DNS rule on port 53 of theirs matches
 * the name itself: `*.example.com` learns the addresses of `api.example.com` when `api.example.com` is looked
 * up through the proxy), on the rule's ports minus what egress deny rules deny towards every address outside
 * the cluster (the name may resolve to any of them).
 */
export function ciliumNameRules(
  compiled: CompiledCluster,
  classId: number,
  name: string,
  matches: (pattern: string, name: string) => boolean,
): { spec: number; rule: number; domain: string; ports: PortSet }[] {
  const { cilium } = compiled;
  const specs = cilium.ofClass[classId] ?? [];
  if (specs.length === 0 || !proxySeesName(compiled, classId, name, matches)) return [];
  const denied = deniedTowardsEveryOutsideAddress(compiled, classId);
  const out: { spec: number; rule: number; domain: string; ports: PortSet }[] = [];
  for (const i of specs) {
    for (const rule of cilium.specs[i]!.egress) {
      for (const p of rule.peers) {
        for (const domain of p.domains) {
          const ports = subtractPorts(rule.ports.numeric, denied);
          if (matches(domain, name) && !isEmptyPorts(ports))
            out.push({ spec: i, rule: rule.index, domain, ports });
        }
      }
    }
  }
  return out;
}
