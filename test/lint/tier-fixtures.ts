/**
 * A small cluster for the tier rules' table tests: namespaces `shop` (team=shop) and `data` (team=data),
 * and kube-system with the DNS pods. Cases spread it and add the policies they are about.
 */
import { cluster, namedPort, ns, pod, type ClusterInput } from '../support/builders.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { deploy, docs, ns as nsYaml, yaml } from './helpers.ts';

export const tierBase: ClusterInput = {
  namespaces: [ns('shop', { team: 'shop' }), ns('data', { team: 'data' }), ns('kube-system')],
  pods: [
    pod('shop', 'web', { app: 'web' }, { ips: ['10.0.1.10'], namedPorts: [namedPort('http', 8080)] }),
    pod('shop', 'api', { app: 'api' }, { ips: ['10.0.1.20'], namedPorts: [namedPort('http', 9090)] }),
    pod('data', 'db', { app: 'db' }, { ips: ['10.0.2.10'] }),
    pod(
      'kube-system',
      'coredns',
      { 'k8s-app': 'kube-dns' },
      { ips: ['10.0.0.53'], namedPorts: [namedPort('dns', 53, 'UDP')] },
    ),
  ],
};

/** The base cluster with more cluster policies and NetworkPolicies. */
export function withTiers(more: ClusterInput): ClusterState {
  return cluster({
    ...tierBase,
    clusterPolicies: more.clusterPolicies ?? [],
    policies: more.policies ?? [],
  });
}

/** Subjects and peers: every pod, the namespaces by team, data/db. */
export const allPods = { namespaces: {} };
export const shop = { namespaces: { matchLabels: { team: 'shop' } } };
export const data = { namespaces: { matchLabels: { team: 'data' } } };
export const db = {
  pods: { namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { app: 'db' } } },
};

/** A ClusterNetworkPolicy `protocols` entry for one TCP port. */
export function tcp(port: number): { tcp: { destinationPort: { number: number } } } {
  return { tcp: { destinationPort: { number: port } } };
}

/** As manifests, for tables with `# <-` line markers: shop/web, data/db and data/cache. */
export const tierBaseYaml = docs(
  nsYaml('shop', { team: 'shop' }),
  nsYaml('data', { team: 'data' }),
  deploy('shop', 'web'),
  deploy('data', 'db'),
  deploy('data', 'cache'),
);

/** A ClusterNetworkPolicy manifest (`spec` as YAML lines, indented by two). */
export function cnpYaml(name: string, spec: string, apiVersion = 'v1beta1'): string {
  return [
    `apiVersion: policy.networking.k8s.io/${apiVersion}`,
    'kind: ClusterNetworkPolicy',
    `metadata: {name: ${name}}`,
    'spec:',
    ...spec
      .trim()
      .split('\n')
      .map((l) => `  ${l}`),
  ].join('\n');
}

/** A NetworkPolicy that isolates every pod of shop for ingress. */
export const shopDefaultDenyIngress = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: default-deny, namespace: shop}
  spec:
    podSelector: {}
    policyTypes: [Ingress]
`;
