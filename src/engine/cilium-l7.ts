/**
 * Cilium's layer-7 rules (`toPorts[].rules`: http, kafka, dns, l7proto; TLS interception): netfence decides
 * connections at L3/L4, so a connection that an allow rule with L7 rules lets through is "allowed at L4,
 * filtered at L7 by <policy>": Cilium's proxy decides each request. This module says which connections
 * that is, in one shape every output can show:
 *
 * - `l7Filters(compiled, src, dst, allowed)`: for one pair of ends (pod classes or address classes), the
 *   `toPorts` entries with L7 rules that the connection passes through, each with the ports (within
 *   `allowed`) it filters, and the policy, rule set, list and rule it comes from (for `explain`).
 * - `l7Connections(compiled, index)`: per (source, destination) entity pair of the connectivity output, the
 *   ports filtered at L7 and the ids of the policies filtering them (`Connectivity.l7`,
 *   `GroupedConnectivity.l7`): `analyze` marks those connections.
 *
 * An entry counts only on the ports where no allow of the same side (NetworkPolicy, or Cilium rule without L7
 * rules) lets the same peer through at L4 alone: Cilium wildcards that peer at L7 there (Layer 7 docs: "the
 * layer 7 portions of the latter rule will have no effect"; `wildcardL3L4Rule` in `pkg/policy/rule.go`).
 */
import type { CiliumL7 } from '../model/cilium.ts';
import { accessToAddress, accessToPod, type CompiledCluster } from './compile.ts';
import type { ClassEnd, EntityIndex } from './connectivity.ts';
import {
  ciliumRuleFor,
  ciliumRulePortsTowards,
  type CompiledCiliumRule,
  type CompiledCiliumSpec,
} from './cilium.ts';
import type { PodClass } from './classes.ts';
import { NO_PORTS, intersectPorts, isEmptyPorts, subtractPorts, unionPorts, type PortSet } from './ports.ts';
import { sortedIncludes } from '../base/sorted.ts';
import { compareText } from '../base/text.ts';

/** One `toPorts` entry with L7 rules that a connection passes through. */
export interface L7Filter {
  /** The Cilium policy's id: `CiliumNetworkPolicy/prod/api-http`. */
  policy: string;
  /** Position of the rule set in `compiled.cilium.specs`. */
  spec: number;
  /** `ingress` (at the destination) or `egress` (at the source). */
  list: 'ingress' | 'egress';
  /** Index in the list. */
  rule: number;
  /** Index in the rule's `toPorts`. */
  entry: number;
  kind: CiliumL7;
  /** The ports, among those allowed, that this entry filters at L7. */
  ports: PortSet;
}

/** A connection of the output filtered at L7 on `ports` by the policies `policies` (ids, sorted). */
export interface L7Connection {
  src: string;
  dst: string;
  ports: PortSet;
  policies: readonly string[];
}

/** Whether a peer of `given` (read for `subject`, the endpoint its rule set selects) matches `end`. */
function peerMatches(given: CompiledCiliumRule, subject: PodClass, end: ClassEnd): boolean {
  const rule = ciliumRuleFor(given, subject);
  return rule.peers.some(
    (p) =>
      p.everything ||
      ('pod' in end
        ? !p.pods.all && sortedIncludes(p.pods.ids, end.pod)
        : sortedIncludes(p.addresses, end.address)),
  );
}

/** What `compiled` allows from `src` to `dst` (both directions; classes, not single pods). */
export function allowedBetweenEnds(compiled: CompiledCluster, src: ClassEnd, dst: ClassEnd): PortSet {
  const { classes } = compiled;
  let out: PortSet | undefined;
  if ('pod' in src) {
    const e = compiled.egress[src.pod]!;
    out = 'pod' in dst ? accessToPod(e, classes[dst.pod]!) : accessToAddress(e, dst.address);
  }
  if ('pod' in dst) {
    const i = compiled.ingress[dst.pod]!;
    const p = 'pod' in src ? accessToPod(i, classes[src.pod]!) : accessToAddress(i, src.address);
    out = out === undefined ? p : intersectPorts(out, p);
  }
  return out!;
}

/**
 * The ports on which some allow of one side (`list`: ingress at `dst`, egress at `src`) lets the connection
 * through at L4 alone: a NetworkPolicy allow of an isolating policy (the agent turns NetworkPolicies into L4
 * rules), or a Cilium allow rule's entries without L7 rules (every port for an L3-only rule). Cilium then
 * wildcards that peer at L7 on those ports ("the layer 7 portions of the latter rule will have no effect").
 */
function l4OnlyPorts(
  compiled: CompiledCluster,
  src: ClassEnd,
  dst: ClassEnd,
  list: 'ingress' | 'egress',
): PortSet {
  const { cilium, classes } = compiled;
  const subject = list === 'ingress' ? dst : src;
  const peer = list === 'ingress' ? src : dst;
  if (!('pod' in subject)) return NO_PORTS;
  const np = list === 'ingress' ? compiled.npIngress[subject.pod]! : compiled.npEgress[subject.pod]!;
  let out = !np.isolated
    ? NO_PORTS
    : 'pod' in peer
      ? accessToPod(np, classes[peer.pod]!)
      : accessToAddress(np, peer.address);
  const dstClass = 'pod' in dst ? classes[dst.pod] : undefined;
  for (const i of cilium.ofClass[subject.pod] ?? []) {
    for (const rule of cilium.specs[i]![list]) {
      if (peerMatches(rule, classes[subject.pod]!, peer))
        out = unionPorts(out, ciliumRulePortsTowards(rule.l4Only, dstClass));
    }
  }
  return out;
}

/**
 * The L7 entries a connection from `src` to `dst` allowed on `allowed` passes through, each on the ports
 * where no allow of the same side lets the connection through at L4 alone (there the L7 rules have no
 * effect): a port is filtered at L7 only when every allow of that side that applies carries L7 rules.
 */
export function l7Filters(
  compiled: CompiledCluster,
  src: ClassEnd,
  dst: ClassEnd,
  allowed: PortSet,
): L7Filter[] {
  const { cilium, classes } = compiled;
  if (isEmptyPorts(allowed) || cilium.specs.length === 0) return [];
  const out: L7Filter[] = [];
  const dstClass = 'pod' in dst ? classes[dst.pod] : undefined;
  const visit = (
    s: CompiledCiliumSpec,
    list: 'ingress' | 'egress',
    subject: number,
    peer: ClassEnd,
    open: PortSet,
  ): void => {
    for (const rule of s[list]) {
      if (rule.l7.length === 0 || !peerMatches(rule, classes[subject]!, peer)) continue;
      for (const entry of rule.l7) {
        // Named ports resolve on the destination pod, in both directions.
        const ports = intersectPorts(ciliumRulePortsTowards(entry.ports, dstClass), open);
        if (isEmptyPorts(ports)) continue;
        const policy = cilium.policies[s.policy]!.id;
        out.push({
          policy,
          spec: s.index,
          list,
          rule: rule.index,
          entry: entry.index,
          kind: entry.kind,
          ports,
        });
      }
    }
  };
  const side = (list: 'ingress' | 'egress', subject: number, peer: ClassEnd): void => {
    const specs = cilium.ofClass[subject] ?? [];
    if (!specs.some((i) => cilium.specs[i]![list].some((r) => r.l7.length > 0))) return;
    const open = subtractPorts(allowed, l4OnlyPorts(compiled, src, dst, list));
    if (isEmptyPorts(open)) return;
    for (const i of specs) visit(cilium.specs[i]!, list, subject, peer, open);
  };
  if ('pod' in src) side('egress', src.pod, dst);
  if ('pod' in dst) side('ingress', dst.pod, src);
  return out;
}

/** The classes (or addresses) an L7 rule's peers name, among `count` classes/addresses. */
function candidates(rule: CompiledCiliumRule, kind: 'pod' | 'address', count: number): number[] {
  const out = new Set<number>();
  for (const p of rule.peers) {
    if (p.everything) return [...Array(count).keys()];
    if (kind === 'pod') {
      if (!p.pods.all) for (const id of p.pods.ids) out.add(id);
    } else for (const a of p.addresses) out.add(a);
  }
  return [...out];
}

/**
 * Every (source, destination) entity pair whose connection some L7 rule filters, with the filtered ports
 * and policies, sorted by source then destination (entity order). Empty without Cilium L7 rules.
 */
export function l7Connections(
  compiled: CompiledCluster,
  index: Pick<EntityIndex, 'entities' | 'members' | 'firstExternal'>,
): L7Connection[] {
  const { cilium, classes } = compiled;
  const addressCount = compiled.addressSpace.classes.length;
  const pairs = new Map<string, { src: ClassEnd; dst: ClassEnd }>();
  const key = (e: ClassEnd): string => ('pod' in e ? `p${e.pod}` : `a${e.address}`);
  const add = (src: ClassEnd, dst: ClassEnd): void => {
    pairs.set(`${key(src)}>${key(dst)}`, { src, dst });
  };
  for (const s of cilium.specs) {
    const rules = [...s.ingress, ...s.egress].filter((r) => r.l7.length > 0);
    if (rules.length === 0) continue;
    for (const subject of s.selected) {
      for (const rule of rules) {
        const ingress = rule.direction === 'ingress';
        const self: ClassEnd = { pod: subject };
        for (const id of candidates(rule, 'pod', classes.length)) {
          if (ingress) add({ pod: id }, self);
          else add(self, { pod: id });
        }
        for (const a of candidates(rule, 'address', addressCount)) {
          if (ingress) add({ address: a }, self);
          else add(self, { address: a });
        }
      }
    }
  }
  if (pairs.size === 0) return [];
  const entitiesOf = (e: ClassEnd): { entity: number; many: boolean }[] =>
    'pod' in e ? index.members[e.pod]! : [{ entity: index.firstExternal + e.address, many: false }];
  const rows = new Map<string, { src: number; dst: number; ports: PortSet; policies: Set<string> }>();
  for (const { src, dst } of pairs.values()) {
    const filters = l7Filters(compiled, src, dst, allowedBetweenEnds(compiled, src, dst));
    if (filters.length === 0) continue;
    let ports = filters[0]!.ports;
    for (const f of filters) ports = unionPorts(ports, f.ports);
    const sameClass = 'pod' in src && 'pod' in dst && src.pod === dst.pod;
    for (const ms of entitiesOf(src)) {
      for (const md of entitiesOf(dst)) {
        // As in `computeConnectivity`: an entity talks to itself only through two distinct pods.
        if (sameClass && ms.entity === md.entity && !ms.many) continue;
        const k = `${ms.entity}>${md.entity}`;
        let row = rows.get(k);
        if (row === undefined)
          rows.set(k, (row = { src: ms.entity, dst: md.entity, ports, policies: new Set() }));
        else row.ports = unionPorts(row.ports, ports);
        for (const f of filters) row.policies.add(f.policy);
      }
    }
  }
  return [...rows.values()]
    .sort((a, b) => a.src - b.src || a.dst - b.dst)
    .map((r) => ({
      src: index.entities[r.src]!.id,
      dst: index.entities[r.dst]!.id,
      ports: r.ports,
      policies: [...r.policies].sort(compareText),
    }));
}

/** `{ l7 }` for a connectivity answer when some connection is filtered at L7, else `{}` (the field is absent). */
export function l7Field(
  compiled: CompiledCluster,
  index: Pick<EntityIndex, 'entities' | 'members' | 'firstExternal'>,
): { l7?: L7Connection[] } {
  if (compiled.cilium.specs.length === 0) return {};
  const l7 = l7Connections(compiled, index);
  return l7.length > 0 ? { l7 } : {};
}
