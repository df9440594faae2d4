/** Observed connections (`--flows`) resolved against the compiled cluster. */
import { externalId } from '../../engine/connectivity.ts';
import type { CompiledRule } from '../../engine/compile.ts';
import type { ExplainEnd } from '../../engine/explain.ts';
import type { PodInfo } from '../../model/cluster.ts';
import type { ObservedConnection, ObservedEnd, RuleContext } from '../types.ts';

export type End =
  | {
      kind: 'workload';
      id: string;
      classes: readonly number[];
      /** The class of the pod the flow names by its IP, when it does (one of `classes`). */
      podClass?: number;
    }
  | { kind: 'address'; id: string; address: number; label: string };

/** The classes of an end, as `explain` takes them. */
export function explainEnds(end: End): ExplainEnd[] {
  return end.kind === 'address'
    ? [{ kind: 'address', classId: end.address, name: end.label }]
    : end.classes.map((classId) => ({ kind: 'pod', classId, name: end.id }));
}

/** The workloads among a connection's ends, sorted (a finding's `workloads`). */
export function endWorkloads(ends: readonly End[]): string[] {
  return ends.flatMap((e) => (e.kind === 'workload' ? [e.id] : [])).sort();
}

/** Resolves an observed end: a workload, or an address (the pod that has it, else an address class). */
export function endpointResolver(ctx: RuleContext): (end: ObservedEnd) => End | undefined {
  const byIp = new Map<string, PodInfo>();
  for (const p of ctx.state.pods) if (!p.hostNetwork) for (const ip of p.ips) byIp.set(ip, p);
  const workload = (id: string): (End & { kind: 'workload' }) | undefined => {
    const classes = ctx.lookup.classesOfWorkload(id);
    return classes.length === 0 ? undefined : { kind: 'workload', id, classes };
  };
  return (end) => {
    if (end.kind === 'workload') return workload(end.id);
    const pod = byIp.get(end.ip);
    if (pod !== undefined) {
      const w = workload(pod.workload);
      const podClass = ctx.compiled.classOfPod(pod.namespace, pod.name);
      return w === undefined || podClass === undefined ? w : { ...w, podClass };
    }
    const address = ctx.compiled.addressSpace.classOfIp(end.ip);
    return address === undefined
      ? undefined
      : { kind: 'address', id: externalId(address), address, label: end.ip };
  };
}

export function endLabel(ctx: RuleContext, end: End): string {
  return end.kind === 'workload' ? ctx.lookup.name(end.id) : end.label;
}

/** Whether a rule's peers match an endpoint (a pod of the workload, or the address class). */
export function ruleMatches(ctx: RuleContext, rule: CompiledRule, end: End): boolean {
  if (rule.peers === 'everything') return true;
  if (end.kind === 'address') return rule.peers.some((p) => p.addresses.includes(end.address));
  return end.classes.some((id) => {
    const host = ctx.compiled.classes[id]!.hostNetwork;
    return (
      rule.peers !== 'everything' && rule.peers.some((p) => (p.pods.all ? !host : p.pods.ids.includes(id)))
    );
  });
}

export interface Resolved {
  src: End;
  dst: End;
  observation: ObservedConnection;
}

/** Observations with both ends known (and at least one a workload); the others are left out. */
export function resolveObserved(ctx: RuleContext): Resolved[] {
  const resolve = endpointResolver(ctx);
  const out: Resolved[] = [];
  for (const observation of ctx.observed ?? []) {
    const src = resolve(observation.src);
    const dst = resolve(observation.dst);
    if (src === undefined || dst === undefined) continue;
    if (src.kind === 'address' && dst.kind === 'address') continue;
    out.push({ src, dst, observation });
  }
  return out;
}
