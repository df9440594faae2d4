/**
 * Cilium host policies (issue #17): a CiliumClusterwideNetworkPolicy rule set with `nodeSelector` applies, on
 * the nodes it selects, to the host namespace, host-network pods included, and only with Cilium's host
 * firewall on (Cilium's docs, "Host Policies"; docs/cilium.md). One test per rule, each verdict written by hand
 * and checked on the naive evaluator (which reads the policies as written) and on the engine, under the
 * `cilium` profile with and without `enable-host-firewall=true`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UPSTREAM_PROFILE, resolveCniProfile, type CniProfile } from '../../src/engine/profiles.ts';
import { ciliumHostPolicyWarnings } from '../../src/engine/cilium-host.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { expectVerdictsUnder } from '../support/verdicts.ts';
import { ccnp, cluster, cnpCilium, node, ns, pod } from '../support/builders.ts';

function profile(...overrides: string[]): CniProfile {
  const r = resolveCniProfile('cilium', overrides);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

const FIREWALL = profile('enable-host-firewall=true');
const DEFAULT = profile();

/**
 * Two nodes: n1 (role=worker, kubernetes.io/hostname=n1) at 192.168.0.1 and n2 (role=control) at 192.168.0.2;
 * host-network pods monitoring/exporter-n1 and monitoring/exporter-n2 on them; shop/web and shop/api (pods).
 */
function state(ciliumPolicies: readonly CiliumPolicyInfo[]): ClusterState {
  return cluster({
    namespaces: [ns('shop'), ns('monitoring')],
    pods: [
      pod('shop', 'web', { app: 'web' }, { ips: ['10.0.1.10'] }),
      pod('shop', 'api', { app: 'api' }, { ips: ['10.0.1.20'] }),
      pod('monitoring', 'exporter-n1', { app: 'exporter' }, { ips: ['192.168.0.1'], hostNetwork: true }),
      pod('monitoring', 'exporter-n2', { app: 'exporter' }, { ips: ['192.168.0.2'], hostNetwork: true }),
    ],
    nodes: [
      node('n1', { role: 'worker', 'kubernetes.io/hostname': 'n1' }, ['192.168.0.1']),
      node('n2', { role: 'control', 'kubernetes.io/hostname': 'n2' }, ['192.168.0.2']),
    ],
    ciliumPolicies,
  });
}

const hostPolicy = (name: string, rule: Omit<CiliumRule, 'endpointSelector'>) => ccnp(name, rule);
const workers = { matchLabels: { role: 'worker' } };
const tcp = (port: string) => [{ ports: [{ port, protocol: 'TCP' }] }];

describe('host policies', () => {
  const lockDown = hostPolicy('lock-down', {
    nodeSelector: workers,
    ingress: [{ fromEntities: ['cluster'], toPorts: tcp('9100') }],
  });

  test('a host policy applies only with the host firewall on (enable-host-firewall; off by default)', () => {
    expectVerdictsUnder(state([lockDown]), DEFAULT, {
      'shop/web -> monitoring/exporter-n1 TCP/22': 'allow',
      '8.8.8.8 -> monitoring/exporter-n1 TCP/22': 'allow',
    });
    expectVerdictsUnder(state([lockDown]), FIREWALL, {
      'shop/web -> monitoring/exporter-n1 TCP/22': 'deny',
      'shop/web -> monitoring/exporter-n1 TCP/9100': 'allow',
      '8.8.8.8 -> monitoring/exporter-n1 TCP/9100': 'deny', // not in the cluster entity
    });
  });

  test('it applies to the host namespace of the nodes its nodeSelector selects: their host-network pods, not the other nodes', () => {
    expectVerdictsUnder(state([lockDown]), FIREWALL, {
      'shop/web -> monitoring/exporter-n1 TCP/22': 'deny',
      'shop/web -> monitoring/exporter-n2 TCP/22': 'allow', // n2 is not a worker
    });
  });

  test('it selects no pod: pods (not host-network) keep their own policies', () => {
    expectVerdictsUnder(state([lockDown]), FIREWALL, {
      'shop/web -> shop/api TCP/8080': 'allow',
      '8.8.8.8 -> shop/web TCP/443': 'allow',
    });
  });

  test('nodeSelector matches the host endpoint labels: labels Cilium filters out (kubernetes.io/hostname) select nothing', () => {
    const byHostname = hostPolicy('by-hostname', {
      nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'n1' } },
      ingress: [{}],
    });
    const reservedHost = hostPolicy('every-host', {
      nodeSelector: { matchLabels: { 'reserved:host': '' } },
      ingress: [{}],
    });
    expectVerdictsUnder(state([byHostname]), FIREWALL, {
      'shop/web -> monitoring/exporter-n1 TCP/22': 'allow',
    });
    expectVerdictsUnder(state([reservedHost]), FIREWALL, {
      'shop/web -> monitoring/exporter-n1 TCP/22': 'deny',
      'shop/web -> monitoring/exporter-n2 TCP/22': 'deny',
    });
  });

  test('egress rules of a host policy govern traffic from the host namespace; deny rules win', () => {
    const egress = hostPolicy('host-egress', {
      nodeSelector: {},
      egress: [{ toEntities: ['world'], toPorts: tcp('443') }, { toEndpoints: [{}] }],
      egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: tcp('5432') }],
    });
    expectVerdictsUnder(state([egress]), FIREWALL, {
      'monitoring/exporter-n1 -> 8.8.8.8 TCP/443': 'allow',
      'monitoring/exporter-n1 -> 8.8.8.8 TCP/80': 'deny',
      'monitoring/exporter-n2 -> shop/web TCP/8080': 'allow',
      'monitoring/exporter-n2 -> shop/api TCP/5432': 'deny',
      'shop/web -> 8.8.8.8 TCP/80': 'allow', // pods are not the host
    });
  });

  test('a pod selector (endpointSelector) never selects host-network pods, host firewall or not', () => {
    const all = ccnp('every-pod', { endpointSelector: {}, ingress: [{}] });
    expectVerdictsUnder(state([all]), FIREWALL, {
      'shop/web -> monitoring/exporter-n1 TCP/22': 'allow',
      'shop/web -> shop/api TCP/80': 'deny',
    });
  });

  test('a CiliumNetworkPolicy selects no host-network pod of its namespace, host firewall or not', () => {
    const p = cnpCilium('monitoring', 'pods', { endpointSelector: {}, ingress: [{}] });
    expectVerdictsUnder(state([p]), FIREWALL, { 'shop/web -> monitoring/exporter-n1 TCP/22': 'allow' });
  });
});

describe('host policy warnings (what netfence cannot know)', () => {
  const lockDown = ccnp('lock-down', { nodeSelector: workers, ingress: [{}] });

  test('host firewall off: the host policies are reported as not enforced, with the option that turns it on', () => {
    assert.deepEqual(ciliumHostPolicyWarnings(state([lockDown]), DEFAULT), [
      "warning: 1 Cilium host policy (nodeSelector: CiliumClusterwideNetworkPolicy/lock-down) not enforced: cilium has Cilium's host firewall off (its default); if the cluster enables it (hostFirewall.enabled), add --cni-option enable-host-firewall=true",
    ]);
    assert.match(
      ciliumHostPolicyWarnings(state([lockDown]), UPSTREAM_PROFILE)[0]!,
      /add --cni cilium --cni-option enable-host-firewall=true$/,
    );
  });

  test('host firewall on: no Node in the input, or a nodeSelector that selects none of them', () => {
    const noNodes = { ...state([lockDown]), nodes: [] };
    assert.deepEqual(ciliumHostPolicyWarnings(noNodes, FIREWALL), [
      'warning: 1 Cilium host policy (nodeSelector: CiliumClusterwideNetworkPolicy/lock-down) selects no host: the input has no Node, so netfence does not know the nodes it applies to (add the Nodes, or use --cluster)',
    ]);
    const byOs = ccnp('by-os', {
      nodeSelector: { matchLabels: { 'kubernetes.io/os': 'linux' } },
      ingress: [{}],
    });
    assert.deepEqual(ciliumHostPolicyWarnings(state([lockDown, byOs]), FIREWALL), [
      'warning: the Cilium host policy CiliumClusterwideNetworkPolicy/by-os selects no Node of the input (nodeSelector is matched against the node labels Cilium keeps: not kubernetes.io/…, k8s.io/… nor topology.kubernetes.io/…)',
    ]);
    assert.deepEqual(ciliumHostPolicyWarnings(state([lockDown]), FIREWALL), []);
    assert.deepEqual(ciliumHostPolicyWarnings(state([]), DEFAULT), []);
  });
});
