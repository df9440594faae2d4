/**
 * Checks of the incremental engine (test/engine/incremental-*.test.ts): an edit's answers against a fresh
 * compile of the engine's state, and the changes it reports against the answers before and after.
 */
import assert from 'node:assert/strict';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import { computeConnectivity, type Connectivity } from '../../src/engine/connectivity.ts';
import type { IncrementalEngine, IncrementalUpdate } from '../../src/engine/incremental.ts';
import type { ClusterState, PodInfo, WorkloadInfo } from '../../src/model/cluster.ts';
import type { ClusterNetworkPolicySpec } from '../../src/model/k8s.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cluster, ns, pod } from './builders.ts';
import { describeConnectivity } from './verdicts.ts';

/** The connections that differ between two answers, as `src -> dst: before => after`. */
export function changed(before: Connectivity, after: Connectivity): string[] {
  const key = (c: { src: string; dst: string }): string => `${c.src} -> ${c.dst}`;
  const was = new Map(before.connections.map((c) => [key(c), formatPorts(c.ports)]));
  const now = new Map(after.connections.map((c) => [key(c), formatPorts(c.ports)]));
  const out: string[] = [];
  for (const k of new Set([...was.keys(), ...now.keys()])) {
    const a = was.get(k) ?? 'none';
    const b = now.get(k) ?? 'none';
    if (a !== b) out.push(`${k}: ${a} => ${b}`);
  }
  return out.sort();
}

/** The changes an update reports, in the form of `changed`. */
export function reported(update: IncrementalUpdate): string[] {
  return update.changes
    .map(
      (c) =>
        `${c.src} -> ${c.dst}: ${c.before === undefined ? 'none' : formatPorts(c.before)} => ${
          c.after === undefined ? 'none' : formatPorts(c.after)
        }`,
    )
    .sort();
}

/**
 * Runs `edit` and checks the engine against a fresh compile of its state (with `options`): its connectivity
 * (connections and reach by DNS name), and the changes the update reports against the answers before and
 * after. Returns the update.
 */
export function checked(
  inc: IncrementalEngine,
  edit: () => IncrementalUpdate,
  options: Partial<EngineOptions> = {},
): IncrementalUpdate {
  const before = inc.connectivity();
  const update = edit();
  const fresh = computeConnectivity(compileCluster(inc.state, options));
  assert.deepEqual(describeConnectivity(inc.connectivity()), describeConnectivity(fresh));
  assert.deepEqual(reported(update), changed(before, fresh));
  return update;
}

/** `state` with the pods named in `groups` made one Deployment each (several pods, or one per class). */
export function deployments(state: ClusterState, groups: Record<string, readonly string[]>): ClusterState {
  const workloads: WorkloadInfo[] = state.workloads.filter(
    (w) => !Object.values(groups).some((names) => w.kind === 'Pod' && names.includes(w.name)),
  );
  const pods: PodInfo[] = state.pods.map((p) => {
    const group = Object.entries(groups).find(([, names]) => names.includes(p.name));
    return group === undefined ? p : { ...p, workload: `${p.namespace}/Deployment/${group[0]}` };
  });
  for (const [name, names] of Object.entries(groups)) {
    const first = state.pods.find((p) => p.name === names[0])!;
    workloads.push({
      id: `${first.namespace}/Deployment/${name}`,
      namespace: first.namespace,
      kind: 'Deployment',
      name,
      labels: first.labels,
      pods: [...names],
      replicas: names.length,
    });
  }
  return { ...state, pods, workloads };
}

/**
 * Namespace a: Deployment d over two classes (pods d1 {app: d, v: 1} and d2 {app: d, v: 2}) and the bare pod s,
 * for a class pair a cluster policy patch changes at one class of d (`guardS`), then d's column rebuilt from
 * its other class.
 */
export function dOverTwoClasses(): ClusterState {
  return deployments(
    cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'd1', { app: 'd', v: '1' }),
        pod('a', 'd2', { app: 'd', v: '2' }),
        pod('a', 's', { app: 's' }),
      ],
    }),
    { d: ['d1', 'd2'] },
  );
}

/** An Admin policy of the pods labelled app=s: egress to every pod labelled v=1 denied on TCP `port`, or on all. */
export function guardS(port: number | undefined): ClusterNetworkPolicySpec {
  return {
    tier: 'Admin',
    priority: 1,
    subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 's' } } } },
    egress: [
      {
        action: 'Deny',
        to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { v: '1' } } } }],
        ...(port === undefined ? {} : { protocols: [{ tcp: { destinationPort: { number: port } } }] }),
      },
    ],
  };
}
