/**
 * The incremental part of the benchmark: after one policy changes, how long until the updated connectivity
 * is ready. Four edits, each the kind a watch mode or the web UI's what-if editing makes: one policy's ports
 * changed, a new policy, a policy removed, and a namespace's default deny removed and put back (which
 * touches every class of the namespace). At the end the result is checked against a fresh compile.
 */
import { compileCluster } from '../src/engine/compile.ts';
import { computeConnectivity, type Connectivity } from '../src/engine/connectivity.ts';
import { createIncrementalEngine } from '../src/engine/incremental.ts';
import { portsEqual } from '../src/engine/ports.ts';
import type { ClusterState, PolicyInfo } from '../src/model/cluster.ts';
import type { NetworkPolicyPort } from '../src/model/k8s.ts';
import type { IncrementalMeasurement } from './measure.ts';

function sameConnections(a: Connectivity, b: Connectivity): boolean {
  if (a.connections.length !== b.connections.length) return false;
  return a.connections.every((c, i) => {
    const d = b.connections[i]!;
    return c.src === d.src && c.dst === d.dst && portsEqual(c.ports, d.ports);
  });
}

/** A copy of `p` whose every single numeric port also allows the next port ("open one more port"). */
function withExtraPort(p: PolicyInfo): PolicyInfo {
  const extra = (x: NetworkPolicyPort): NetworkPolicyPort[] =>
    typeof x.port === 'number' && x.endPort === undefined && x.port < 65535
      ? [x, x.protocol === undefined ? { port: x.port + 1 } : { protocol: x.protocol, port: x.port + 1 }]
      : [x];
  const bump = <T extends { ports?: NetworkPolicyPort[] }>(rule: T): T =>
    rule.ports === undefined ? rule : { ...rule, ports: rule.ports.flatMap(extra) };
  return {
    ...p,
    spec: {
      ...p.spec,
      ...(p.spec.ingress === undefined ? {} : { ingress: p.spec.ingress.map(bump) }),
      ...(p.spec.egress === undefined ? {} : { egress: p.spec.egress.map(bump) }),
    },
  };
}

export function measureIncremental(
  state: ClusterState,
  expected: Connectivity,
  progress: (text: string) => void,
): IncrementalMeasurement {
  const t0 = performance.now();
  const inc = createIncrementalEngine(state);
  const initial = inc.connectivity();
  const initialMs = Math.round(performance.now() - t0);
  progress(`incremental: initial build in ${initialMs} ms`);
  if (!sameConnections(initial, expected))
    throw new Error('incremental engine: initial connectivity differs');

  const edits: IncrementalMeasurement['edits'] = [];
  const run = (kind: string, policy: string, edit: () => { touchedClasses: number }): void => {
    const start = performance.now();
    const update = edit();
    inc.connectivity();
    const ms = Math.round((performance.now() - start) * 10) / 10;
    edits.push({ kind, policy, touchedClasses: update.touchedClasses, ms });
    progress(`incremental: ${kind} ${policy}: ${ms} ms (${update.touchedClasses} classes)`);
  };

  const policies = state.policies;
  const middle = policies[Math.floor(policies.length / 2)];
  const apps = state.workloads.filter(
    (w) => !['kube-system', 'monitoring', 'ingress-nginx'].includes(w.namespace),
  );
  const target = apps[Math.floor(apps.length / 3)] ?? state.workloads[0]!;
  const caller = apps[Math.floor((2 * apps.length) / 3)] ?? state.workloads[0]!;
  if (middle !== undefined) run('change ports', middle.id, () => inc.updatePolicy(withExtraPort(middle)));
  const added: PolicyInfo = {
    id: `${target.namespace}/bench-allow-new-caller`,
    namespace: target.namespace,
    name: 'bench-allow-new-caller',
    labels: {},
    annotations: {},
    spec: {
      podSelector: { matchLabels: target.labels },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': caller.namespace } },
              podSelector: { matchLabels: caller.labels },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8443 }],
        },
      ],
    },
  };
  run('add', added.id, () => inc.updatePolicy(added));
  const removed = policies[Math.floor(policies.length / 4)];
  if (removed !== undefined) run('remove', removed.id, () => inc.removePolicy(removed.id));
  const deny = policies.find((p) => p.name.startsWith('default-deny') && p.namespace === target.namespace);
  if (deny !== undefined) {
    run('remove default deny', deny.id, () => inc.removePolicy(deny.id));
    run('restore default deny', deny.id, () => inc.updatePolicy(deny));
  }

  const fresh = computeConnectivity(compileCluster(inc.state), 'workload');
  const verified = sameConnections(inc.connectivity(), fresh);
  progress(`incremental: ${verified ? 'equals' : 'DIFFERS FROM'} a fresh compile`);
  return { initialMs, edits, verified };
}
