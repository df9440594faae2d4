/**
 * Redundancy, computed with the engine's compiled rules: a rule is redundant when removing it leaves every
 * allowed port between every pair of classes unchanged; a policy, when removing it changes nothing at all.
 *
 * Only the classes a policy selects are visited, grouped by the policies that select them (classes selected
 * by the same policies get the same answer). Decisions are greedy, latest rule first, and a rule found
 * redundant leaves the pool before the next one is judged: so the reported rules can all be removed together,
 * and of two identical rules the first one written is kept.
 */
import { portsTowardsTarget, type Target } from './ports.ts';
import {
  type CompiledCluster,
  type CompiledPolicy,
  type CompiledRule,
  type Direction,
} from '../../engine/compile.ts';
import { sortedIncludes } from '../../base/sorted.ts';
import {
  intersectPorts,
  isEmptyPorts,
  portsSubset,
  unionPorts,
  NO_PORTS,
  type PortSet,
} from '../../engine/ports.ts';

export interface RuleRef {
  policy: CompiledPolicy;
  direction: Direction;
  rule: CompiledRule;
}

export interface RedundantRule extends RuleRef {
  /** Rules that together allow everything this one does (a single one when one suffices). */
  coveredBy: RuleRef[];
  /** Whether `coveredBy` is one rule that covers it alone. */
  single: boolean;
}

export interface RedundantPolicy {
  policy: CompiledPolicy;
  /** Policies that keep its pods isolated without it. */
  isolatedBy: CompiledPolicy[];
}

export interface Redundancy {
  rules: RedundantRule[];
  policies: RedundantPolicy[];
}

class Analysis {
  readonly compiled: CompiledCluster;
  /** Policies found redundant, by index (1: removed). */
  readonly removedPolicies: Uint8Array;
  /** Rules found redundant, by number (`number`). */
  readonly #removed: Uint8Array;
  /** A policy's first rule number: its ingress rules, then its egress rules. */
  readonly #first: number[] = [];
  /** What depends only on the compiled cluster, computed once: a rule's targets, a policy's groups, pools. */
  readonly #targets: (Target[] | undefined)[] = [];
  /** One target per pod class and per address class (by id), shared by the rules' target lists. */
  #podTargets: Target[] | undefined;
  #addressTargets: Target[] | undefined;
  readonly #groups: (number[] | undefined)[][] = [[], []];
  /** Per class: its selecting policies, and for ingress its named ports (which the ports a rule grants hang on). */
  readonly #classKeys: (string | undefined)[][] = [[], []];
  readonly #pools = new Map<number, { ref: RuleRef; n: number }[]>();

  constructor(compiled: CompiledCluster) {
    this.compiled = compiled;
    let n = 0;
    let policies = 0;
    for (const p of compiled.policies) {
      this.#first[p.index] = n;
      n += p.ingress.length + p.egress.length;
      policies = Math.max(policies, p.index + 1);
    }
    this.#removed = new Uint8Array(n);
    this.removedPolicies = new Uint8Array(policies);
  }

  /** A number for each rule of the cluster. */
  number(r: RuleRef): number {
    return (
      this.#first[r.policy.index]! + (r.direction === 'ingress' ? 0 : r.policy.ingress.length) + r.rule.index
    );
  }

  removed(r: RuleRef): boolean {
    return this.#removed[this.number(r)] === 1;
  }

  remove(r: RuleRef): void {
    this.#removed[this.number(r)] = 1;
  }

  matches(rule: CompiledRule, t: Target): boolean {
    if (rule.peers === 'everything') return true;
    if ('address' in t) return rule.peers.some((p) => p.addresses.includes(t.address));
    const host = this.compiled.classes[t.pod]!.hostNetwork;
    return rule.peers.some((p) => (p.pods.all ? !host : sortedIncludes(p.pods.ids, t.pod)));
  }

  /**
   * The ports `rule`, in a policy selecting class `selected`, allows towards `t`; undefined when it allows
   * nothing there. (A rule without ports also allows the other IP protocols: `r.rule.ports.any`.)
   */
  grant(r: RuleRef, selected: number, t: Target): PortSet | undefined {
    if (!this.matches(r.rule, t)) return undefined;
    const ports = portsTowardsTarget(this.compiled, r.direction, r.rule.ports, selected, t);
    if (isEmptyPorts(ports) && !r.rule.ports.any) return undefined;
    return ports;
  }

  targets(r: RuleRef): Target[] {
    return (this.#targets[this.number(r)] ??= this.#targetsOf(r.rule));
  }

  #targetsOf(rule: CompiledRule): Target[] {
    const { classes, addressSpace } = this.compiled;
    if (this.#podTargets === undefined) {
      this.#podTargets = [];
      for (const c of classes) this.#podTargets[c.id] = { pod: c.id };
    }
    if (this.#addressTargets === undefined) {
      this.#addressTargets = [];
      for (const a of addressSpace.classes) this.#addressTargets[a.id] = { address: a.id };
    }
    const podTargets = this.#podTargets;
    const addressTargets = this.#addressTargets;
    if (rule.peers === 'everything')
      return [
        ...classes.map((c) => podTargets[c.id]!),
        ...addressSpace.classes.map((a) => addressTargets[a.id]!),
      ];
    // One peer of pods only, the usual: its classes, in order.
    const [only] = rule.peers;
    if (rule.peers.length === 1 && !only!.pods.all && only!.addresses.length === 0) {
      const { ids } = only!.pods;
      if (ids.every((id, i) => i === 0 || ids[i - 1]! < id)) return ids.map((pod) => podTargets[pod]!);
    }
    const pods = new Set<number>();
    const addresses = new Set<number>();
    for (const p of rule.peers) {
      if (p.pods.all) for (const c of classes) if (!c.hostNetwork) pods.add(c.id);
      if (!p.pods.all) for (const id of p.pods.ids) pods.add(id);
      for (const a of p.addresses) addresses.add(a);
    }
    return [
      ...[...pods].sort((a, b) => a - b).map((pod) => podTargets[pod]!),
      ...[...addresses].sort((a, b) => a - b).map((address) => addressTargets[address]!),
    ];
  }

  /** Representatives of the classes a policy selects: one per set of selecting policies (and named ports). */
  groups(policy: CompiledPolicy, direction: Direction): number[] {
    const byPolicy = this.#groups[direction === 'ingress' ? 0 : 1]!;
    return (byPolicy[policy.index] ??= this.#groupsOf(policy, direction));
  }

  #groupsOf(policy: CompiledPolicy, direction: Direction): number[] {
    if (policy.selected.length <= 1) return [...policy.selected];
    const seen = new Map<string, number>();
    for (const id of policy.selected) {
      const key = this.#classKey(id, direction);
      if (!seen.has(key)) seen.set(key, id);
    }
    return [...seen.values()];
  }

  #classKey(id: number, direction: Direction): string {
    const keys = this.#classKeys[direction === 'ingress' ? 0 : 1]!;
    let key = keys[id];
    if (key === undefined) {
      const cls = this.compiled.classes[id]!;
      const ports =
        direction === 'ingress'
          ? cls.namedPorts
              .map((p) => `${p.name}/${p.protocol}/${p.port}`)
              .sort()
              .join(',')
          : '';
      keys[id] = key = `${this.compiled.policiesOfClass[id]!.join(',')}|${ports}`;
    }
    return key;
  }

  /**
   * Rules that may stand in for a rule of `owner` at class `selected`: the other live rules of the policies
   * selecting it. A rule of a namespace-wide policy (podSelector: {}) also applies to pods deployed later, so
   * only other namespace-wide policies may stand in for it.
   */
  pool(owner: CompiledPolicy, exclude: RuleRef, selected: number): RuleRef[] {
    const { direction } = exclude;
    const wide = owner.selector.matchesAll;
    const poolKey = selected * 4 + (direction === 'ingress' ? 0 : 2) + (wide ? 1 : 0);
    let all = this.#pools.get(poolKey);
    if (all === undefined) {
      all = [];
      for (const i of this.compiled.policiesOfClass[selected]!) {
        const q = this.compiled.policies[i]!;
        if (wide && !q.selector.matchesAll) continue;
        for (const rule of direction === 'ingress' ? q.ingress : q.egress) {
          const ref = { policy: q, direction, rule };
          all.push({ ref, n: this.number(ref) });
        }
      }
      this.#pools.set(poolKey, all);
    }
    const excluded = this.number(exclude);
    const out: RuleRef[] = [];
    for (const { ref, n } of all) {
      if (this.removedPolicies[ref.policy.index] === 1) continue;
      if (n !== excluded && this.#removed[n] !== 1) out.push(ref);
    }
    return out;
  }

  /** Whether `r` allows anything at all to the pods its policy selects. */
  effective(r: RuleRef): boolean {
    const targets = this.targets(r);
    return this.groups(r.policy, r.direction).some((c) =>
      targets.some((t) => this.grant(r, c, t) !== undefined),
    );
  }

  /**
   * The rules of `pool` needed to cover `r`, or undefined when they do not cover it (none are needed when `r`
   * allows nothing).
   */
  covered(r: RuleRef, pools: (selected: number) => RuleRef[]): RuleRef[] | undefined {
    const targets = this.targets(r);
    const used = new Set<number>();
    const usedRefs: RuleRef[] = [];
    for (const c of this.groups(r.policy, r.direction)) {
      let pool: RuleRef[] | undefined;
      for (const t of targets) {
        const g = this.grant(r, c, t);
        if (g === undefined) continue;
        const gOther = r.rule.ports.any;
        pool ??= pools(c);
        let ports: PortSet = NO_PORTS;
        let other = false;
        for (const o of pool) {
          const og = this.grant(o, c, t);
          if (og === undefined) continue;
          const ogOther = o.rule.ports.any;
          if (!isEmptyPorts(intersectPorts(og, g)) || (gOther && ogOther)) {
            const n = this.number(o);
            if (!used.has(n)) {
              used.add(n);
              usedRefs.push(o);
            }
          }
          ports = unionPorts(ports, og);
          other ||= ogOther;
        }
        if (!portsSubset(g, ports) || (gOther && !other)) return undefined;
      }
    }
    return usedRefs;
  }
}

const cache = new WeakMap<CompiledCluster, Redundancy>();

/** Redundant rules and policies of a compiled cluster (computed once per cluster). */
export function findRedundancy(compiled: CompiledCluster): Redundancy {
  const cached = cache.get(compiled);
  if (cached !== undefined) return cached;
  const a = new Analysis(compiled);
  const rules: RedundantRule[] = [];
  for (const policy of [...compiled.policies].reverse()) {
    if (policy.selected.length === 0) continue;
    for (const direction of ['egress', 'ingress'] as const) {
      for (const rule of [...(direction === 'ingress' ? policy.ingress : policy.egress)].reverse()) {
        const ref: RuleRef = { policy, direction, rule };
        const by = a.covered(ref, (c) => a.pool(policy, ref, c));
        // A rule that allows nothing is another rule's finding (dead peer, unknown named port). (Asked only of
        // the rules found covered, which are few: a rule that allows nothing is covered by nothing.)
        if (by === undefined || !a.effective(ref)) continue;
        a.remove(ref);
        const single = by.find((o) => a.covered(ref, () => [o]) !== undefined);
        rules.push({ ...ref, coveredBy: single === undefined ? by : [single], single: single !== undefined });
      }
    }
  }
  const policies: RedundantPolicy[] = [];
  for (const policy of [...compiled.policies].reverse()) {
    if (policy.selected.length === 0) continue;
    const isolatedBy = new Set<CompiledPolicy>();
    let redundant = true;
    for (const direction of ['ingress', 'egress'] as const) {
      if (!(direction === 'ingress' ? policy.affectsIngress : policy.affectsEgress)) continue;
      const own = direction === 'ingress' ? policy.ingress : policy.egress;
      // A rule that allows nothing is a bug to fix (reported by other rules), not a reason to remove its policy.
      if (own.some((rule) => !a.removed({ policy, direction, rule }))) {
        redundant = false;
        break;
      }
      // Removing the policy must leave its pods isolated: a policy that isolates is never redundant just
      // because its rules are empty. A namespace-wide one isolates future pods too, so only another
      // namespace-wide policy can take its place; and a deny-only direction (no rules) is a deliberate
      // default deny, replaceable only by another deny-only one, not by an allow policy that happens to
      // isolate the same pods today.
      const denyOnly = own.length === 0;
      for (const id of policy.selected) {
        const other = compiled.policiesOfClass[id]!.map((i) => compiled.policies[i]!).find(
          (q) =>
            q !== policy &&
            a.removedPolicies[q.index] !== 1 &&
            (direction === 'ingress' ? q.affectsIngress : q.affectsEgress) &&
            (!policy.selector.matchesAll || q.selector.matchesAll) &&
            (!denyOnly || (direction === 'ingress' ? q.ingress : q.egress).length === 0),
        );
        if (other === undefined) {
          redundant = false;
          break;
        }
        isolatedBy.add(other);
      }
      if (!redundant) break;
    }
    if (!redundant) continue;
    a.removedPolicies[policy.index] = 1;
    policies.push({ policy, isolatedBy: [...isolatedBy].sort((x, y) => x.index - y.index) });
  }
  const result: Redundancy = {
    rules: rules
      .filter((r) => a.removedPolicies[r.policy.index] !== 1)
      .sort(
        (x, y) =>
          x.policy.index - y.policy.index ||
          (x.direction === y.direction ? 0 : x.direction < y.direction ? -1 : 1) ||
          x.rule.index - y.rule.index,
      ),
    policies: policies.sort((x, y) => x.policy.index - y.policy.index),
  };
  cache.set(compiled, result);
  return result;
}
