/**
 * Explain, for Cilium policies (issue #17): per side, the Cilium rule sets that select the pod (and whether
 * they put it in default deny), every allow and deny rule that matches the connection with the ports it
 * covers, and the L7 entries it passes through; each cited by policy, rule set (`spec`/`specs[i]`), list
 * and rule (`spec.ingressDeny[0]`) and file:line when the policy has an origin. It reads the compiled
 * structures evaluation reads (cilium.ts), so its verdict is `allowedBetween`'s.
 */
import { formatPath, type FieldPath, type SourceLocation } from '../model/problem.ts';
import type { CiliumPolicyInfo, CiliumPolicyKind } from '../model/cilium.ts';
import type { CompiledCluster, Direction } from './compile.ts';
import {
  CiliumList,
  ciliumRuleFor,
  ciliumRulePortsTowards,
  ciliumUnseenDomains,
  type CompiledCiliumRule,
  type CompiledCiliumSpec,
} from './cilium.ts';
import { l7Filters, type L7Filter } from './cilium-l7.ts';
import { NO_PORTS, intersectPorts, isEmptyPorts, unionPorts, type PortSet } from './ports.ts';
import { sortedIncludes } from '../base/sorted.ts';
import type { ClassEnd } from './connectivity.ts';

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

/** A Cilium rule matching the connection on `ports` (within the query). */
export interface CiliumRuleMatch extends CiliumRuleCitation {
  /** The matching peer: its field (`fromEndpoints`, `toEntities`, …) in words, or `any peer`. */
  peer: string;
  ports: PortSet;
}

/** An L7 entry the connection passes through, cited. */
export interface CiliumL7Match extends CiliumRuleCitation {
  /** `spec.ingress[0].toPorts[1]` */
  entryPath: string;
  l7: L7Filter['kind'];
  ports: PortSet;
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

/** The first peer of `rule` matching `end`, in words (`fromEndpoints`, `toEntities: world`, …). */
function matchingPeer(rule: CompiledCiliumRule, end: ClassEnd): string | undefined {
  for (const p of rule.peers) {
    const hit =
      p.everything ||
      ('pod' in end
        ? !p.pods.all && sortedIncludes(p.pods.ids, end.pod)
        : sortedIncludes(p.addresses, end.address));
    if (!hit) continue;
    const info = p.info;
    switch (info.kind) {
      case 'anyPeer':
        return 'any peer (ports only)';
      case 'entity':
        return `entity ${info.entity}`;
      case 'cidr':
        return info.except.length === 0
          ? `CIDR ${info.cidr}`
          : `CIDR ${info.cidr} except ${info.except.join(', ')}`;
      case 'endpoints':
        return 'endpoint selector';
      case 'nodes':
        return 'node selector';
      case 'service':
        return `service ${info.namespace}/${info.name}`;
      default:
        return info.kind;
    }
  }
  return undefined;
}

/**
 * The Cilium part of one side, or undefined when no Cilium rule set selects the pod in this direction (an
 * address, a host-network pod, a pod connecting to its own IP: Cilium policies do not apply).
 */
export function explainCiliumSide(
  compiled: CompiledCluster,
  direction: Direction,
  ends: { subject: ClassEnd; peer: ClassEnd; dst: ClassEnd; hairpin: boolean },
  query: PortSet,
): CiliumSideExplanation | undefined {
  const { cilium, classes } = compiled;
  if (ends.hairpin || !('pod' in ends.subject)) return undefined;
  const allowList = direction === 'ingress' ? CiliumList.Ingress : CiliumList.Egress;
  const denyList = direction === 'ingress' ? CiliumList.IngressDeny : CiliumList.EgressDeny;
  const specs = (cilium.ofClass[ends.subject.pod] ?? [])
    .map((i) => cilium.specs[i]!)
    .filter((s) => s.info.defaultDeny[direction] || s[allowList].length > 0 || s[denyList].length > 0);
  if (specs.length === 0) return undefined;
  const dstClass = 'pod' in ends.dst ? classes[ends.dst.pod] : undefined;
  const out: CiliumSideExplanation = {
    isolatedBy: [],
    openBy: [],
    allows: [],
    denies: [],
    allowed: NO_PORTS,
    denied: NO_PORTS,
    unseenNames:
      direction === 'egress' && !('pod' in ends.peer)
        ? ciliumUnseenDomains(cilium, ends.subject.pod).map((u) => ({
            ...citeRule(compiled, cilium.specs[u.spec]!, CiliumList.Egress, u.rule),
            domain: u.domain,
          }))
        : [],
  };
  for (const s of specs) {
    (s.info.defaultDeny[direction] ? out.isolatedBy : out.openBy).push(citeSpec(compiled, s));
    for (const list of [allowList, denyList]) {
      for (const rule of s[list]) {
        // `host`/`remote-node` read for the subject's node.
        const peer = matchingPeer(ciliumRuleFor(rule, classes[ends.subject.pod]!), ends.peer);
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
  return out;
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
