/**
 * Tiny builders for ClusterState fixtures, so that a test reads like the cluster it describes:
 *
 *     const state = cluster({ ...base, policies: [policy('prod', 'deny', { podSelector: {}, ingress: [] })] });
 *
 * Named scenarios are built by spreading a base `ClusterInput` and overriding what the case is about.
 */
import {
  NAMESPACE_NAME_LABEL,
  type ClusterPolicyInfo,
  type ClusterState,
  type NodeInfo,
  type NamedPort,
  type NamespaceInfo,
  type PodInfo,
  type PolicyInfo,
  type WorkloadInfo,
} from '../../src/model/cluster.ts';
import type {
  AdminNetworkPolicySpec,
  BaselineAdminNetworkPolicySpec,
  ClusterNetworkPolicySpec,
  NetworkPolicyPort,
  NetworkPolicySpec,
  Protocol,
} from '../../src/model/k8s.ts';
import { clusterPolicyInfo } from '../../src/model/tiers.ts';
import { ciliumPolicyInfo, type CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';

type Labels = Readonly<Record<string, string>>;

/** A namespace defined in the input; it always carries `kubernetes.io/metadata.name`, as the API server sets it. */
export function ns(name: string, labels: Labels = {}): NamespaceInfo {
  return { name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name }, implicit: false };
}

export interface PodOptions {
  ips?: readonly string[];
  namedPorts?: readonly NamedPort[];
  hostNetwork?: boolean;
  /** `spec.nodeName`. */
  nodeName?: string;
  /** `spec.serviceAccountName`. */
  serviceAccount?: string;
}

/** A bare pod: its own `Pod` workload. */
export function pod(namespace: string, name: string, labels: Labels = {}, options: PodOptions = {}): PodInfo {
  return {
    name,
    namespace,
    labels: { ...labels },
    namedPorts: options.namedPorts ?? [],
    ips: options.ips ?? [],
    hostNetwork: options.hostNetwork ?? false,
    ...(options.nodeName === undefined ? {} : { nodeName: options.nodeName }),
    ...(options.serviceAccount === undefined ? {} : { serviceAccount: options.serviceAccount }),
    workload: `${namespace}/Pod/${name}`,
    template: false,
  };
}

/** A named container port: `namedPort('http', 8080)`, protocol TCP unless given. */
export function namedPort(name: string, port: number, protocol: Protocol = 'TCP'): NamedPort {
  return { name, port, protocol };
}

export function policy(namespace: string, name: string, spec: NetworkPolicySpec): PolicyInfo {
  return { id: `${namespace}/${name}`, namespace, name, spec, labels: {}, annotations: {} };
}

/** A CiliumNetworkPolicy (`cilium.io/v2`) with one rule set in `spec`, normalized as the parser does it. */
export function cnpCilium(namespace: string, name: string, spec: CiliumRule): CiliumPolicyInfo {
  return ciliumPolicyInfo({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace },
    spec,
  });
}

/** A CiliumClusterwideNetworkPolicy (`cilium.io/v2`) with one rule set in `spec`, normalized. */
export function ccnp(name: string, spec: CiliumRule): CiliumPolicyInfo {
  return ciliumPolicyInfo({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name },
    spec,
  });
}

/** A ClusterNetworkPolicy (`policy.networking.k8s.io/v1beta1`), normalized as the parser does it. */
export function cnp(name: string, spec: ClusterNetworkPolicySpec): ClusterPolicyInfo {
  return clusterPolicyInfo({
    apiVersion: 'policy.networking.k8s.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec,
  });
}

/** An AdminNetworkPolicy (`policy.networking.k8s.io/v1alpha1`). */
export function anp(name: string, spec: AdminNetworkPolicySpec): ClusterPolicyInfo {
  return clusterPolicyInfo({
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name },
    spec,
  });
}

/** The BaselineAdminNetworkPolicy (`default`, `policy.networking.k8s.io/v1alpha1`). */
export function banp(spec: BaselineAdminNetworkPolicySpec): ClusterPolicyInfo {
  return clusterPolicyInfo({
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'BaselineAdminNetworkPolicy',
    metadata: { name: 'default' },
    spec,
  });
}

/** A Node with labels and IP addresses. */
export function node(name: string, labels: Labels, addresses: readonly string[]): NodeInfo {
  return { name, labels: { ...labels }, addresses };
}

export interface ClusterInput {
  namespaces?: readonly NamespaceInfo[];
  pods?: readonly PodInfo[];
  policies?: readonly PolicyInfo[];
  clusterPolicies?: readonly ClusterPolicyInfo[];
  nodes?: readonly NodeInfo[];
  ciliumPolicies?: readonly CiliumPolicyInfo[];
}

/**
 * A ClusterState from namespaces, pods and policies: every pod gets its own `Pod` workload, and every
 * namespace a pod or policy refers to without being defined is added as implicit (with its name label).
 */
export function cluster(input: ClusterInput): ClusterState {
  const namespaces = [...(input.namespaces ?? [])];
  const pods = [...(input.pods ?? [])];
  const policies = [...(input.policies ?? [])];
  for (const name of [...pods.map((p) => p.namespace), ...policies.map((p) => p.namespace)]) {
    if (!namespaces.some((n) => n.name === name)) namespaces.push({ ...ns(name), implicit: true });
  }
  const workloads = pods.map((p) => ({
    id: p.workload,
    namespace: p.namespace,
    kind: 'Pod' as const,
    name: p.name,
    labels: p.labels,
    pods: [p.name],
    replicas: 1,
  }));
  return {
    namespaces,
    workloads,
    pods,
    policies,
    services: [],
    clusterPolicies: [...(input.clusterPolicies ?? [])],
    nodes: [...(input.nodes ?? [])],
    ciliumPolicies: [...(input.ciliumPolicies ?? [])],
  };
}

/**
 * `shop/web` (10.1.0.10) and `shop/db` (10.1.0.20), db admitting `ports` from web's address only (an ipBlock
 * of it): upstream allows web → db there, a profile whose CIDR rules match no pod IP (Cilium's) does not.
 */
export function dbFromWebAddress(ports: NetworkPolicyPort[]): ClusterInput {
  return {
    namespaces: [ns('shop')],
    pods: [
      pod('shop', 'web', { app: 'web' }, { ips: ['10.1.0.10'] }),
      pod('shop', 'db', { app: 'db' }, { ips: ['10.1.0.20'] }),
    ],
    policies: [
      policy('shop', 'db-from-web-ip', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ from: [{ ipBlock: { cidr: '10.1.0.10/32' } }], ports }],
      }),
    ],
  };
}

/** Endpoint shorthands: `podRef('prod', 'web')`, `ipRef('8.8.8.8')`. */
export function podRef(namespace: string, name: string): { kind: 'pod'; namespace: string; name: string } {
  return { kind: 'pod', namespace, name };
}

export function ipRef(ip: string): { kind: 'ip'; ip: string } {
  return { kind: 'ip', ip };
}

// ---------------------------------------------------------------------------------------------------------
// Named scenarios

/**
 * Two namespaces, `prod` (team=a) and `dev` (team=b), each with a `web` and a `db` pod, plus a `monitor`
 * pod in `dev`. No policies: everything is allowed. Cases spread it and add what they are about.
 */
export const twoNamespaces: ClusterInput = {
  namespaces: [ns('prod', { team: 'a' }), ns('dev', { team: 'b' })],
  pods: [
    pod(
      'prod',
      'web',
      { app: 'web' },
      { ips: ['10.0.1.10', 'fd00::10'], namedPorts: [namedPort('http', 8080)] },
    ),
    pod(
      'prod',
      'db',
      { app: 'db', tier: 'data' },
      { ips: ['10.0.1.20'], namedPorts: [namedPort('sql', 5432)] },
    ),
    pod('dev', 'web', { app: 'web' }, { ips: ['10.0.2.10'], namedPorts: [namedPort('http', 9090)] }),
    pod('dev', 'db', { app: 'db' }, { ips: ['10.0.2.20'] }),
    pod('dev', 'monitor', { app: 'monitor' }, { ips: ['10.0.2.30', 'fd00::30'] }),
  ],
  policies: [],
};

/** YAML of `count` Deployments of two replicas, each with its own `app` label, over `namespaces` namespaces. */
export function deploymentsYaml(count: number, namespaces: number): string {
  return Array.from(
    { length: count },
    (_, i) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i}, namespace: ns-${i % namespaces}}\n` +
      `spec:\n  replicas: 2\n  selector: {matchLabels: {app: a${i}}}\n` +
      `  template:\n    metadata: {labels: {app: a${i}}}\n    spec: {containers: [{name: c, image: i}]}\n`,
  ).join('---\n');
}

/**
 * Pods grouped into Deployments (several pods per workload, so that a workload may talk to itself) and, for
 * some, a workload given only by its template: the cases where entity rows merge several classes.
 */
export function withWorkloads(
  input: ClusterInput,
  grouping: readonly number[],
  templates: boolean,
): ClusterState {
  const state = cluster(input);
  const workloads = new Map<string, WorkloadInfo>();
  const pods: PodInfo[] = state.pods.map((p, i) => {
    const group = grouping[i % grouping.length]!;
    if (group === 0) return p;
    const id = `${p.namespace}/Deployment/w${group}`;
    let w = workloads.get(id);
    if (w === undefined) {
      w = {
        id,
        namespace: p.namespace,
        kind: 'Deployment',
        name: `w${group}`,
        labels: p.labels,
        pods: [],
        replicas: 0,
      };
      workloads.set(id, w);
    }
    (w.pods as string[]).push(p.name);
    w.replicas = w.pods.length;
    return { ...p, workload: id };
  });
  const bare = state.workloads.filter((w) => pods.some((p) => p.workload === w.id));
  const all = [...bare, ...workloads.values()];
  if (templates) {
    const first = pods[0]!;
    const id = `${first.namespace}/Deployment/templated`;
    pods.push({ ...first, name: 'templated-deployment-template', workload: id, template: true, ips: [] });
    all.push({
      id,
      namespace: first.namespace,
      kind: 'Deployment',
      name: 'templated',
      labels: first.labels,
      pods: [],
      replicas: 3,
    });
  }
  return { ...state, pods, workloads: all };
}
