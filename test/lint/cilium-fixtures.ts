/** A small cluster for the Cilium lint rules: shop/web, shop/api, data/db and the cluster DNS. */
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { ciliumPolicyInfo, type CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterState, PolicyInfo } from '../../src/model/cluster.ts';
import { cluster, ns, pod } from '../support/builders.ts';

export function shopCluster(ciliumPolicies: CiliumPolicyInfo[], policies: PolicyInfo[] = []): ClusterState {
  return cluster({
    namespaces: [ns('shop'), ns('data'), ns('kube-system')],
    pods: [
      pod('shop', 'web', { app: 'web' }),
      pod('shop', 'api', { app: 'api' }),
      pod('data', 'db', { app: 'db' }),
      pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
    ],
    policies,
    ciliumPolicies,
  });
}

export const web = { matchLabels: { app: 'web' } };
export const api = { matchLabels: { app: 'api' } };
export const kubeDns = {
  matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' },
};
/** An egress rule to kube-dns with DNS L7 rules: lookups go through Cilium's DNS proxy. */
export const dnsProxy = {
  toEndpoints: [kubeDns],
  toPorts: [
    {
      ports: [
        { port: '53', protocol: 'UDP' },
        { port: '53', protocol: 'TCP' },
      ],
      rules: { dns: [{ matchPattern: '*' }] },
    },
  ],
};
export const https = [{ ports: [{ port: '443', protocol: 'TCP' }] }];

/** A CiliumNetworkPolicy with several rule sets (`specs`). */
export function cnpSpecs(namespace: string, name: string, specs: CiliumRule[]): CiliumPolicyInfo {
  return ciliumPolicyInfo({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace },
    specs,
  });
}
