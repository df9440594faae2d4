/**
 * The incremental part of the benchmark: after one policy changes, how long until the updated connectivity
 * is ready. Four edits, each the kind a watch mode or the web UI's what-if editing makes: one policy's ports
 * changed, a new policy, a policy removed, and a namespace's default deny removed and put back (which
 * touches every class of the namespace). On a cluster with ClusterNetworkPolicies (the tiers mix), cluster
 * policy edits too (`clusterEdits`); on one with Cilium policies (the cilium mix), Cilium policy edits
 * (`ciliumEdits`). At the end the result is checked against a fresh compile.
 */
import { compileCluster } from '../src/engine/compile.ts';
import { computeConnectivity, type Connectivity } from '../src/engine/connectivity.ts';
import {
  createIncrementalEngine,
  type IncrementalEngine,
  type IncrementalUpdate,
} from '../src/engine/incremental.ts';
import { portsEqual } from '../src/engine/ports.ts';
import type { ClusterPolicyInfo, ClusterState, PolicyInfo } from '../src/model/cluster.ts';
import { ciliumPolicyInfo, type CiliumPolicyInfo } from '../src/model/cilium.ts';
import type { CiliumRule } from '../src/model/cilium-wire.ts';
import type { ClusterNetworkPolicySpec, NetworkPolicyPort } from '../src/model/k8s.ts';
import { clusterPolicyInfo } from '../src/model/tiers.ts';
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

/** A ClusterNetworkPolicy as the parser reads it. */
function clusterNetworkPolicy(name: string, spec: ClusterNetworkPolicySpec): ClusterPolicyInfo {
  return clusterPolicyInfo({
    apiVersion: 'policy.networking.k8s.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec,
  });
}

/** The same ClusterNetworkPolicy with its spec changed. */
function editedCnp(p: ClusterPolicyInfo, edit: (spec: ClusterNetworkPolicySpec) => ClusterNetworkPolicySpec) {
  return clusterNetworkPolicy(p.name, edit(p.spec));
}

/** CPU time (user + system) of `fn` in ms: the engine runs on one thread, and the machine may be busy. */
function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each cluster policy edit is made and undone this many times; the median of the timed updates is kept. */
const CLUSTER_EDIT_REPEATS = 5;

/**
 * Times an edit and its undo, each made `CLUSTER_EDIT_REPEATS` times (both timed: the median CPU time of an
 * update until the connectivity is ready), and records it in `edits`. An update that recompiles everything
 * is an error: these edits must stay local.
 */
function repeated(
  inc: IncrementalEngine,
  edits: IncrementalMeasurement['edits'],
  progress: (text: string) => void,
): (kind: string, policy: string, edit: () => IncrementalUpdate, undo: () => IncrementalUpdate) => void {
  return (kind, policy, edit, undo) => {
    const times: number[] = [];
    let touched = 0;
    for (let i = 0; i < CLUSTER_EDIT_REPEATS; i++) {
      for (const step of [edit, undo]) {
        times.push(
          cpuMs(() => {
            const update = step();
            if (update.recompiled) throw new Error(`incremental: ${kind} ${policy} recompiled everything`);
            touched = Math.max(touched, update.touchedClasses);
            inc.connectivity();
          }),
        );
      }
    }
    const ms = Math.round(median(times) * 10) / 10;
    edits.push({ kind, policy, touchedClasses: touched, ms });
    progress(`incremental: ${kind} ${policy}: median ${ms} ms CPU of ${times.length} (${touched} classes)`);
  };
}

/**
 * ClusterNetworkPolicy edits on the tiers mix, each made and undone (`repeated`): one tenant's egress lockdown
 * moved to another priority and its port changed, a new Admin deny for one tenant, one team's isolation policy
 * removed (and put back), and the broadest case, the monitoring guardrail that selects every tenant, its ports
 * changed. None adds or drops a CIDR (that recompiles everything: see incremental.ts).
 */
function clusterEdits(
  inc: IncrementalEngine,
  edits: IncrementalMeasurement['edits'],
  progress: (text: string) => void,
): void {
  const byName = new Map(inc.state.clusterPolicies.map((p) => [p.name, p]));
  const lockdown = inc.state.clusterPolicies.find((p) => p.name.startsWith('lockdown-'));
  const isolation = inc.state.clusterPolicies.find((p) => p.name.startsWith('isolate-'));
  const scrape = byName.get('platform-monitoring-scrape');
  const measure = repeated(inc, edits, progress);
  const replace = (
    p: ClusterPolicyInfo,
    next: ClusterPolicyInfo,
  ): [() => IncrementalUpdate, () => IncrementalUpdate] => [
    () => inc.updateClusterPolicy(next),
    () => inc.updateClusterPolicy(p),
  ];
  if (lockdown !== undefined) {
    const moved = editedCnp(lockdown, (spec) => ({ ...spec, priority: 50 }));
    measure('CNP priority', lockdown.id, ...replace(lockdown, moved));
    const port = editedCnp(lockdown, (spec) => ({
      ...spec,
      egress: (spec.egress ?? []).map((r) =>
        r.protocols === undefined ? r : { ...r, protocols: [{ tcp: { destinationPort: { number: 8443 } } }] },
      ),
    }));
    measure('CNP rule ports', lockdown.id, ...replace(lockdown, port));
  }
  const tenant = inc.state.namespaces.find((n) => n.labels['tenant'] !== undefined);
  if (tenant !== undefined) {
    const added = clusterNetworkPolicy('bench-deny-sandbox', {
      tier: 'Admin',
      priority: 30,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': tenant.name } } },
      ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] }],
    });
    measure(
      'CNP add',
      added.id,
      () => inc.updateClusterPolicy(added),
      () => inc.removeClusterPolicy(added.id),
    );
  }
  if (isolation !== undefined)
    measure(
      'CNP remove',
      isolation.id,
      () => inc.removeClusterPolicy(isolation.id),
      () => inc.setClusterPolicies([...inc.state.clusterPolicies, isolation]),
    );
  if (scrape !== undefined) {
    const ports = editedCnp(scrape, (spec) => ({
      ...spec,
      ingress: (spec.ingress ?? []).map((r) => ({
        ...r,
        protocols: [{ tcp: { destinationPort: { range: { start: 9090, end: 9299 } } } }],
      })),
    }));
    measure('CNP rule ports, every tenant', scrape.id, ...replace(scrape, ports));
  }
}

/** The same Cilium policy with its (single) rule set changed. */
function editedCilium(p: CiliumPolicyInfo, edit: (spec: CiliumRule) => CiliumRule): CiliumPolicyInfo {
  return ciliumPolicyInfo({ ...p.object, spec: edit(p.object.spec ?? {}) });
}

const TCP_80 = [{ ports: [{ port: '80', protocol: 'TCP' }] }];

/**
 * Edits on the cilium mix, each made and undone (`repeated`): a NetworkPolicy's ports changed on a workload a
 * CiliumNetworkPolicy also selects; one app's CiliumNetworkPolicy with its ingress port changed, removed (and
 * put back), and a new one (an ingress deny from one caller); and the clusterwide ones, each selecting many
 * classes: the cloud metadata deny (every endpoint, egress) narrowed to TCP 80, the data stores' deny of the
 * world (every data store, ingress) narrowed to TCP 80, and the health checks' allow (every endpoint,
 * ingress) narrowed to TCP 80. None adds or drops a CIDR (that recompiles everything: see incremental.ts).
 */
function ciliumEdits(
  inc: IncrementalEngine,
  edits: IncrementalMeasurement['edits'],
  progress: (text: string) => void,
): void {
  const measure = repeated(inc, edits, progress);
  const policies = inc.state.ciliumPolicies;
  const app = policies.find((p) => p.name.endsWith('-cilium') && p.object.spec?.ingress !== undefined);
  if (app !== undefined) {
    const selected = app.object.spec?.endpointSelector?.matchLabels ?? {};
    const np = inc.state.policies.find(
      (p) =>
        p.namespace === app.namespace &&
        Object.entries(p.spec.podSelector?.matchLabels ?? {}).some(([k, v]) => selected[k] === v),
    );
    if (np !== undefined)
      measure(
        'NetworkPolicy ports, Cilium-selected',
        np.id,
        () => inc.updatePolicy(withExtraPort(np)),
        () => inc.updatePolicy(np),
      );
    const ports = editedCilium(app, (spec) => ({
      ...spec,
      ingress: (spec.ingress ?? []).map((r) =>
        r.toPorts === undefined ? r : { ...r, toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] },
      ),
    }));
    measure(
      'CNP rule ports',
      app.id,
      () => inc.updateCiliumPolicy(ports),
      () => inc.updateCiliumPolicy(app),
    );
    measure(
      'CNP remove',
      app.id,
      () => inc.removeCiliumPolicy(app.id),
      () => inc.updateCiliumPolicy(app),
    );
    const caller = policies.find((p) => p !== app && p.name.endsWith('-cilium'));
    const added = ciliumPolicyInfo({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'bench-deny-caller', namespace: app.namespace! },
      spec: {
        endpointSelector: { matchLabels: selected },
        ingressDeny: [{ fromEndpoints: [caller?.object.spec?.endpointSelector ?? {}] }],
      },
    });
    measure(
      'CNP add (deny)',
      added.id,
      () => inc.updateCiliumPolicy(added),
      () => inc.removeCiliumPolicy(added.id),
    );
  }
  const narrowed = (name: string, kind: string, list: 'ingress' | 'ingressDeny' | 'egressDeny'): void => {
    const p = policies.find((q) => q.name === name);
    if (p === undefined) return;
    const next = editedCilium(p, (spec) => ({
      ...spec,
      [list]: (spec[list] ?? []).map((r: object) => ({ ...r, toPorts: TCP_80 })),
    }));
    measure(
      kind,
      p.id,
      () => inc.updateCiliumPolicy(next),
      () => inc.updateCiliumPolicy(p),
    );
  };
  narrowed('platform-deny-cloud-metadata', 'CCNP deny ports, every endpoint', 'egressDeny');
  narrowed('platform-data-stores-no-world', 'CCNP deny ports, data stores', 'ingressDeny');
  narrowed('platform-health-checks', 'CCNP allow ports, every endpoint', 'ingress');
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

  if (state.clusterPolicies.length > 0) clusterEdits(inc, edits, progress);
  if (state.ciliumPolicies.length > 0) ciliumEdits(inc, edits, progress);

  const fresh = computeConnectivity(compileCluster(inc.state), 'workload');
  const verified = sameConnections(inc.connectivity(), fresh);
  progress(`incremental: ${verified ? 'equals' : 'DIFFERS FROM'} a fresh compile`);
  return { initialMs, edits, verified };
}
