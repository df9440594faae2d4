import type { CompiledPolicy, Direction } from '../../engine/compile.ts';
import { NAMESPACE_NAME_LABEL } from '../../model/cluster.ts';
import {
  CILIUM_NAMESPACE_KEY,
  CILIUM_NAMESPACE_LABELS_PREFIX,
  CiliumEntity,
  type CiliumPeerInfo,
  type CiliumPortInfo,
  type CiliumRuleInfo,
} from '../../model/cilium.ts';
import type {
  LabelSelector,
  LabelSelectorRequirement,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from '../../model/k8s.ts';
import {
  allowList,
  sharedCiliumRuleSets,
  denyList,
  denyRulePeers,
  peerCovers,
  policyName,
  ruleName,
  ruleTraffic,
  selectsAllOf,
  trafficCovers,
  trafficOverlaps,
  unionTraffic,
  type CiliumRuleSet,
} from '../checks/cilium.ts';
import { policyRules } from '../checks/policies.ts';
import { listNames } from '../text.ts';
import { RuleCategory, defineRule } from '../types.ts';

interface DenyRef {
  set: CiliumRuleSet;
  rule: CiliumRuleInfo;
}

/**
 * The deny rules that together deny everything `allow` allows, or undefined when some of it gets through, or
 * when no deny takes any of it (no peer, or no traffic netfence models: nothing to name).
 */
function shadowing(allow: CiliumRuleInfo, denies: readonly DenyRef[]): DenyRef[] | undefined {
  const own = ruleTraffic(allow);
  const used = new Set<DenyRef>();
  for (const peer of allow.peers) {
    if (peer.kind === 'unsupported') return undefined;
    const covering = denies.filter((d) => denyRulePeers(d.rule).some((p) => peerCovers(p, peer)));
    const traffic = unionTraffic(covering.map((d) => ruleTraffic(d.rule)));
    if (!trafficCovers(traffic, own)) return undefined;
    // Only the deny rules that take some of the allowed traffic are named.
    for (const d of covering) if (trafficOverlaps(ruleTraffic(d.rule), own)) used.add(d);
  }
  return used.size === 0 ? undefined : denies.filter((d) => used.has(d));
}

/**
 * A NetworkPolicy peer as the endpoint selector of a Cilium rule, in identity labels (model/cilium.ts): the
 * pod selector's requirements, the namespace's (its own, or the namespace selector's on the namespace labels),
 * and `Exists` on the namespace key (pods only). Requirements it surely implies are added (a requirement on
 * `kubernetes.io/metadata.name` is one on the namespace key), so that a deny written either way covers it.
 */
function networkPolicyPeer(peer: NetworkPolicyPeer, namespace: string): CiliumPeerInfo {
  if (peer.ipBlock !== undefined)
    return { kind: 'cidr', cidr: peer.ipBlock.cidr, except: peer.ipBlock.except ?? [] };
  const matchLabels: Record<string, string> = { ...peer.podSelector?.matchLabels };
  const matchExpressions: LabelSelectorRequirement[] = [
    ...(peer.podSelector?.matchExpressions ?? []),
    { key: CILIUM_NAMESPACE_KEY, operator: 'Exists' },
  ];
  const namespaces: LabelSelector | undefined = peer.namespaceSelector;
  if (namespaces === undefined) matchLabels[CILIUM_NAMESPACE_KEY] = namespace;
  else {
    for (const [key, value] of Object.entries(namespaces.matchLabels ?? {})) {
      matchLabels[CILIUM_NAMESPACE_LABELS_PREFIX + key] = value;
      if (key === NAMESPACE_NAME_LABEL) matchLabels[CILIUM_NAMESPACE_KEY] = value;
    }
    for (const e of namespaces.matchExpressions ?? []) {
      matchExpressions.push({ ...e, key: CILIUM_NAMESPACE_LABELS_PREFIX + e.key });
      if (e.key === NAMESPACE_NAME_LABEL) matchExpressions.push({ ...e, key: CILIUM_NAMESPACE_KEY });
    }
  }
  return { kind: 'endpoints', selector: { matchLabels, matchExpressions } };
}

function networkPolicyPort(port: NetworkPolicyPort): CiliumPortInfo {
  const protocol = port.protocol ?? 'TCP';
  if (typeof port.port === 'string') return { kind: 'named', protocol, name: port.port };
  if (port.port === undefined) return { kind: 'range', protocol, start: 1, end: 65535 };
  return { kind: 'range', protocol, start: port.port, end: port.endPort ?? port.port };
}

/**
 * A NetworkPolicy rule as a Cilium allow rule, which the agent makes of it: its peers (none: every peer, the
 * entity `all`) and its ports (none: every port of every protocol).
 */
function networkPolicyRule(
  index: number,
  peers: readonly NetworkPolicyPeer[] | undefined,
  ports: readonly NetworkPolicyPort[] | undefined,
  namespace: string,
): CiliumRuleInfo {
  return {
    index,
    peers:
      peers === undefined || peers.length === 0
        ? [{ kind: 'entity', entity: CiliumEntity.All }]
        : peers.map((p) => networkPolicyPeer(p, namespace)),
    ports:
      ports === undefined || ports.length === 0
        ? undefined
        : [{ index: 0, ports: ports.map(networkPolicyPort), l7: undefined }],
    icmp: false,
  };
}

/** The names of deny rules in a message: `spec.egressDeny[0]`, and ` of <policy>` when not of `set`. */
function denyNames(by: readonly DenyRef[], direction: Direction, set: CiliumRuleSet | undefined): string[] {
  return by.map((d) =>
    d.set === set
      ? ruleName(d.set, denyList(direction), d.rule)
      : `${ruleName(d.set, denyList(direction), d.rule)} of ${policyName(d.set.policy)}`,
  );
}

/** A rule set with deny rules, and the workloads it selects as a set. */
interface DenyingSet {
  set: CiliumRuleSet;
  selects: ReadonlySet<string>;
}

/** The deny rules of a direction of the rule sets that select every one of `workloads` (some). */
function deniesFor(
  sets: readonly DenyingSet[],
  direction: Direction,
  workloads: readonly string[],
): DenyRef[] {
  if (workloads.length === 0) return [];
  return sets
    .filter((s) => workloads.every((w) => s.selects.has(w)))
    .flatMap((s) => s.set.spec[denyList(direction)].map((rule) => ({ set: s.set, rule })));
}

export default defineRule({
  id: 'no-cilium-shadowed-allow',
  meta: {
    severity: 'warning',
    category: RuleCategory.DeadCode,
    description:
      'Every Cilium allow rule, and every NetworkPolicy rule under Cilium, allows some traffic that no Cilium deny rule for the same pods denies',
    rationale:
      'In Cilium a deny rule (ingressDeny, egressDeny) wins over every allow rule, of any policy (NetworkPolicies included), whatever the order. An allow rule whose every peer and port is also denied for all the pods it applies to never allows anything: it reads like an exception to the deny, and it is not one. When the allow rule has L7 rules (http, kafka, dns), the proxy never sees that traffic either.',
    fix: 'Narrow the deny rule (fewer peers, or toPorts without the allowed ports) so that the exception gets through; or remove the allow rule if the deny is what is meant.',
    messages: {
      shadowed:
        'This {{direction}} allow rule never allows anything: {{by}} {{deny}} all of its peers and ports for the pods it applies to, and deny rules win in Cilium; narrow the deny or remove this rule',
      l7Shadowed:
        'This {{direction}} allow rule and its L7 ({{l7}}) rules never see any traffic: {{by}} {{deny}} all of its peers and ports for the pods it applies to, and deny rules win before L7 filtering; narrow the deny or remove this rule',
      networkPolicy:
        'This NetworkPolicy {{direction}} rule never allows anything under Cilium: {{by}} {{deny}} all of its peers and ports for the pods the policy selects, and Cilium deny rules win over NetworkPolicy allows too; narrow the deny or remove this rule',
    },
  },
  check(ctx) {
    const sets = sharedCiliumRuleSets(ctx);
    for (const set of sets) {
      for (const direction of ['ingress', 'egress'] as const satisfies readonly Direction[]) {
        const allows = set.spec[allowList(direction)];
        if (allows.length === 0) continue;
        // Only the rule sets with deny rules in this direction (few) are compared: the comparison is per pair.
        const denies: DenyRef[] = sets
          .filter((s) => s.spec[denyList(direction)].length > 0 && selectsAllOf(s, set))
          .flatMap((s) => s.spec[denyList(direction)].map((rule) => ({ set: s, rule })));
        if (denies.length === 0) continue;
        for (const allow of allows) {
          const by = shadowing(allow, denies);
          if (by === undefined) continue;
          const l7 = [...new Set((allow.ports ?? []).flatMap((p) => (p.l7 === undefined ? [] : [p.l7])))];
          const names = denyNames(by, direction, set);
          ctx.report({
            messageId: l7.length > 0 ? 'l7Shadowed' : 'shadowed',
            data: {
              direction,
              by: listNames(names),
              deny: by.length === 1 ? 'denies' : 'deny',
              l7: l7.join(', '),
            },
            subject: { ciliumPolicy: set.policy },
            path: [...set.spec.path, allowList(direction), allow.index],
            workloads: set.workloads,
          });
        }
      }
    }
    // NetworkPolicy rules: Cilium enforces them beside its own policies, and its deny rules cancel them too.
    const denying: DenyingSet[] = sets
      .filter((s) => s.spec.ingressDeny.length > 0 || s.spec.egressDeny.length > 0)
      .map((set) => ({ set, selects: new Set(set.workloads) }));
    if (denying.length === 0) return;
    const selected = new Map<CompiledPolicy, string[]>();
    for (const visit of policyRules(ctx)) {
      let workloads = selected.get(visit.policy);
      if (workloads === undefined)
        selected.set(visit.policy, (workloads = ctx.lookup.workloadsOfClasses(visit.policy.selected)));
      const denies = deniesFor(denying, visit.direction, workloads);
      if (denies.length === 0) continue;
      const allow = networkPolicyRule(visit.index, visit.peers, visit.ports, visit.policy.info.namespace);
      const by = shadowing(allow, denies);
      if (by === undefined) continue;
      ctx.report({
        messageId: 'networkPolicy',
        data: {
          direction: visit.direction,
          by: listNames(denyNames(by, visit.direction, undefined)),
          deny: by.length === 1 ? 'denies' : 'deny',
        },
        subject: { policy: visit.policy.info },
        path: visit.path,
        workloads,
      });
    }
  },
});
