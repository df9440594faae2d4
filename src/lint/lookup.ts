/**
 * Lookups the rules share, built once per lint run from the state and the compiled cluster: which workloads a
 * pod class stands for, which namespaces have workloads, which classes are the cluster's DNS servers.
 */
import type { CompiledCluster, CompiledPolicy, Direction } from '../engine/compile.ts';
import { compileSelector, selectorMatches } from '../engine/selectors.ts';
import type { NamespaceInfo, Origin, WorkloadInfo } from '../model/cluster.ts';
import type { LabelSelector } from '../model/k8s.ts';
import type { ParsedObject } from '../parse/types.ts';
import { compareText } from '../base/text.ts';

/** Labels that mark the cluster DNS pods (CoreDNS or kube-dns, as every distribution labels them). */
export const DNS_POD_LABELS: readonly (readonly [string, string])[] = [
  ['k8s-app', 'kube-dns'],
  ['k8s-app', 'coredns'],
  ['app.kubernetes.io/name', 'coredns'],
  ['k8s-app', 'node-local-dns'],
];

/** The DNS label (key, value) a pod carries, if it is a DNS pod. */
export function dnsLabel(labels: Readonly<Record<string, string>>): readonly [string, string] | undefined {
  return DNS_POD_LABELS.find(([k, v]) => labels[k] === v);
}

export interface Lookup {
  workload(id: string): WorkloadInfo | undefined;
  /** Workload ids of a pod class, sorted. */
  workloadsOfClass(classId: number): readonly string[];
  /** Workload ids of several classes, sorted and unique. */
  workloadsOfClasses(classIds: Iterable<number>): string[];
  /** Pod classes of a workload. */
  classesOfWorkload(workloadId: string): readonly number[];
  /** Workloads of a namespace, by id (host-network ones included). */
  workloadsIn(namespace: string): readonly WorkloadInfo[];
  /** Whether the input has any workload (or pod) in the namespace. */
  hasWorkloads(namespace: string): boolean;
  /** Pod classes of a namespace that policies apply to (not host-network). */
  podClassesIn(namespace: string): readonly number[];
  namespace(name: string): NamespaceInfo | undefined;
  /** Namespaces of the input whose labels a selector matches. */
  namespacesMatching(selector: LabelSelector): NamespaceInfo[];
  /** `namespace/name`, or the full id where two workloads of a namespace share a name. */
  name(workloadId: string): string;
  /** Policies that select a class and affect a direction, in policy order. */
  policiesOf(classId: number, direction: Direction): CompiledPolicy[];
  /** Classes of the cluster DNS pods (`k8s-app=kube-dns` and the like). */
  readonly dnsClasses: readonly number[];
  /** The parsed object an origin points at, when the sources were given. */
  sourceOf(origin: Origin | undefined): ParsedObject | undefined;
}

export function buildLookup(compiled: CompiledCluster, sources: readonly ParsedObject[]): Lookup {
  const { state } = compiled;
  const workloadById = new Map(state.workloads.map((w) => [w.id, w]));
  const classWorkloads: string[][] = compiled.classes.map((cls) =>
    [...new Set(cls.pods.map((p) => p.workload))].sort(compareText),
  );
  const workloadClasses = new Map<string, number[]>();
  for (const cls of compiled.classes) {
    for (const w of classWorkloads[cls.id]!) {
      const list = workloadClasses.get(w);
      if (list === undefined) workloadClasses.set(w, [cls.id]);
      else list.push(cls.id);
    }
  }
  const byNamespace = new Map<string, WorkloadInfo[]>();
  for (const w of [...state.workloads].sort((a, b) => compareText(a.id, b.id))) {
    const list = byNamespace.get(w.namespace);
    if (list === undefined) byNamespace.set(w.namespace, [w]);
    else list.push(w);
  }
  const podNamespaces = new Set(state.pods.map((p) => p.namespace));
  const podClasses = new Map<string, number[]>();
  for (const cls of compiled.classes) {
    if (cls.hostNetwork) continue;
    const list = podClasses.get(cls.namespace);
    if (list === undefined) podClasses.set(cls.namespace, [cls.id]);
    else list.push(cls.id);
  }
  const namespaces = new Map(state.namespaces.map((n) => [n.name, n]));
  const shortCount = new Map<string, number>();
  for (const w of state.workloads) {
    const short = `${w.namespace}/${w.name}`;
    shortCount.set(short, (shortCount.get(short) ?? 0) + 1);
  }
  const dnsClasses = compiled.classes
    .filter((cls) => !cls.hostNetwork && cls.pods.some((p) => dnsLabel(p.labels) !== undefined))
    .map((cls) => cls.id);
  const sourceAt = new Map<string, ParsedObject>();
  for (const s of sources) sourceAt.set(`${s.file}\u0000${s.line}\u0000${s.column}`, s);

  return {
    workload: (id) => workloadById.get(id),
    workloadsOfClass: (id) => classWorkloads[id] ?? [],
    workloadsOfClasses(ids) {
      const out = new Set<string>();
      for (const id of ids) for (const w of classWorkloads[id] ?? []) out.add(w);
      return [...out].sort(compareText);
    },
    classesOfWorkload: (id) => workloadClasses.get(id) ?? [],
    workloadsIn: (ns) => byNamespace.get(ns) ?? [],
    hasWorkloads: (ns) => byNamespace.has(ns) || podNamespaces.has(ns),
    podClassesIn: (ns) => podClasses.get(ns) ?? [],
    namespace: (name) => namespaces.get(name),
    namespacesMatching(selector) {
      const compiledSelector = compileSelector(selector);
      return state.namespaces.filter((n) => selectorMatches(compiledSelector, n.labels));
    },
    name(id) {
      const w = workloadById.get(id);
      if (w === undefined) return id;
      const short = `${w.namespace}/${w.name}`;
      return shortCount.get(short) === 1 ? short : id;
    },
    policiesOf(classId, direction) {
      return (compiled.policiesOfClass[classId] ?? [])
        .map((i) => compiled.policies[i]!)
        .filter((p) => (direction === 'ingress' ? p.affectsIngress : p.affectsEgress));
    },
    dnsClasses,
    sourceOf(origin) {
      if (origin === undefined) return undefined;
      return sourceAt.get(`${origin.file}\u0000${origin.line}\u0000${origin.column}`);
    },
  };
}
