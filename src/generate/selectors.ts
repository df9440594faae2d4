/**
 * The pod selector of each workload: the smallest set of stable labels that selects exactly its pods within
 * its namespace. Pure.
 *
 * Stable means it survives a rollout, a scale-up and an upgrade: never the hashes and per-pod labels
 * controllers add (`pod-template-hash`, `controller-revision-hash`, `statefulset.kubernetes.io/pod-name`,
 * Job uids), never versions or chart labels, never values that look like hashes.
 */
import type { ClusterState, PodInfo, WorkloadInfo } from '../model/cluster.ts';
import { compareText } from '../base/text.ts';

/** Label keys that change across pods, rollouts or upgrades. */
export const UNSTABLE_LABEL_KEYS: readonly string[] = [
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index',
  'app.kubernetes.io/version',
  'helm.sh/chart',
  'chart',
  'version',
];

/** Keys tried first, in this order; any other stable key comes after them, alphabetically. */
export const PREFERRED_LABEL_KEYS: readonly string[] = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app',
  'k8s-app',
  'app.kubernetes.io/component',
  'component',
  'name',
  'tier',
  'role',
];

/** Subsets larger than this are not searched: all stable labels are used instead. */
const MAX_SUBSET = 3;

export interface WorkloadSelector {
  /** `matchLabels` of the selector; `{}` when the workload has no stable label. */
  matchLabels: Record<string, string>;
  /** Whether it selects exactly the workload's pods in its namespace. */
  exact: boolean;
  /** Other workloads of the namespace it also selects (when not exact), sorted. */
  sharedWith: string[];
}

function looksUnstable(key: string, value: string): boolean {
  if (UNSTABLE_LABEL_KEYS.includes(key)) return true;
  // A hash (`5d8f9c7b6`, a uid) or a version (`1.4.0`, `v2`) as the value.
  if (/^[0-9a-f]{8,}$/.test(value) || /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(value)) return true;
  return /^v?[0-9]+(\.[0-9]+)+([-+].*)?$/.test(value);
}

function keyRank(key: string): number {
  const i = PREFERRED_LABEL_KEYS.indexOf(key);
  return i < 0 ? PREFERRED_LABEL_KEYS.length : i;
}

/** Stable labels of a workload, most preferred first. */
export function stableLabels(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels)
    .filter(([k, v]) => !looksUnstable(k, v))
    .sort(([a], [b]) => keyRank(a) - keyRank(b) || compareText(a, b));
}

function matches(labels: Readonly<Record<string, string>>, wanted: readonly [string, string][]): boolean {
  for (const [k, v] of wanted) if (labels[k] !== v) return false;
  return true;
}

/** Subsets of `items` of size `size`, in order (lexicographic over indices). */
function* subsets<T>(items: readonly T[], size: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === size) {
    yield prefix;
    return;
  }
  for (let i = start; i <= items.length - (size - prefix.length); i++) {
    yield* subsets(items, size, i + 1, [...prefix, items[i]!]);
  }
}

/** The selector of one workload, given the pods of its namespace. */
export function chooseSelector(workload: WorkloadInfo, namespacePods: readonly PodInfo[]): WorkloadSelector {
  const own = namespacePods.filter((p) => p.workload === workload.id);
  const others = namespacePods.filter((p) => p.workload !== workload.id);
  const candidates = stableLabels(workload.labels).filter(([k, v]) => own.every((p) => p.labels[k] === v));
  const selects = (wanted: readonly [string, string][]): string[] =>
    [...new Set(others.filter((p) => matches(p.labels, wanted)).map((p) => p.workload))].sort();
  for (let size = 1; size <= Math.min(MAX_SUBSET, candidates.length); size++) {
    for (const subset of subsets(candidates, size)) {
      if (selects(subset).length === 0)
        return { matchLabels: Object.fromEntries(subset), exact: true, sharedWith: [] };
    }
  }
  const sharedWith = selects(candidates);
  return { matchLabels: Object.fromEntries(candidates), exact: sharedWith.length === 0, sharedWith };
}

/** The selector of every workload of the state, by workload id. */
export function workloadSelectors(state: ClusterState): Map<string, WorkloadSelector> {
  const podsByNamespace = new Map<string, PodInfo[]>();
  for (const p of state.pods) {
    const list = podsByNamespace.get(p.namespace);
    if (list === undefined) podsByNamespace.set(p.namespace, [p]);
    else list.push(p);
  }
  const out = new Map<string, WorkloadSelector>();
  for (const w of state.workloads) out.set(w.id, chooseSelector(w, podsByNamespace.get(w.namespace) ?? []));
  return out;
}
