/**
 * flows-would-deny beyond its table (test/lint/rules/flows-would-deny.ts): how denied flows are grouped into
 * findings (by the two ends, an address by the IP observed), and an Admin Pass above the NetworkPolicy that
 * denies (the NetworkPolicy is blamed, not the cluster policy).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/flows-would-deny.ts';
import { lint } from '../../src/lint/run.ts';
import type { ClusterPolicyInfo, ClusterState, PolicyInfo } from '../../src/model/cluster.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';
import { formatPath } from '../../src/model/problem.ts';
import { cnp, ns as builtNs, pod, policy, withWorkloads } from '../support/builders.ts';
import { tcp as tcpPort } from './tier-fixtures.ts';
import type { ObservedConnection } from '../../src/lint/types.ts';
import { cniEngine, deploy, docs, ns, ruleTester, yaml } from './helpers.ts';
import { api as ciliumApi, cnpSpecs, shopCluster, web as ciliumWeb } from './cilium-fixtures.ts';

const w = (id: string) => ({ kind: 'workload' as const, id });
const base = docs(
  ns('payments'),
  ns('monitoring'),
  deploy('payments', 'gateway'),
  deploy('monitoring', 'prometheus'),
  deploy('monitoring', 'grafana'),
);
/** The gateway's ingress from 203.0.113.0/24 on 443 only; `marker` marks its ingress. */
const publicPolicy = (marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: public, namespace: payments}
  spec:
    podSelector: {}
    ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 443}]}]${marker}
`;
const flow = (src: ObservedConnection['src'], port: number): ObservedConnection => ({
  src,
  dst: w('payments/Deployment/gateway'),
  protocol: 'TCP',
  port,
});

ruleTester(rule, {
  valid: [],
  invalid: [
    {
      // Two addresses of one address class: a finding for each IP, each naming it.
      name: 'denied flows from two addresses outside the allowed range',
      yaml: docs(base, publicPolicy('  # <- <-')),
      observed: [
        flow({ kind: 'external', ip: '198.51.100.9' }, 443),
        flow({ kind: 'external', ip: '198.51.100.10' }, 443),
      ],
      messages: [
        ['Observed 198.51.100.10 → payments/gateway on TCP 443'],
        ['Observed 198.51.100.9 → payments/gateway on TCP 443'],
      ],
    },
    {
      // One source on two ports: one finding with both ports.
      name: 'denied flows of one workload on two ports',
      yaml: docs(base, publicPolicy('  # <-')),
      observed: [
        flow(w('monitoring/Deployment/prometheus'), 9102),
        flow(w('monitoring/Deployment/prometheus'), 8080),
      ],
      messages: [['Observed monitoring/prometheus → payments/gateway on TCP 8080,9102 would be denied']],
    },
    {
      // The Admin tier passes the traffic down: the NetworkPolicy decides and is the one to fix.
      name: 'a flow an Admin Pass hands to a NetworkPolicy that denies it',
      yaml: docs(
        base,
        publicPolicy('  # <-'),
        yaml`
          apiVersion: policy.networking.k8s.io/v1beta1
          kind: ClusterNetworkPolicy
          metadata: {name: pass}
          spec:
            tier: Admin
            priority: 10
            subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: payments}}}
            ingress:
              - action: Pass
                from: [{namespaces: {}}]
        `,
      ),
      observed: [flow(w('monitoring/Deployment/prometheus'), 9102)],
      messageIds: ['ingress'],
    },
    {
      // Two workloads denied towards one: a finding for each.
      name: 'denied flows of two workloads',
      yaml: docs(base, publicPolicy('  # <- <-')),
      observed: [
        flow(w('monitoring/Deployment/grafana'), 3000),
        flow(w('monitoring/Deployment/prometheus'), 9102),
      ],
      messages: [
        ['Observed monitoring/grafana → payments/gateway on TCP 3000'],
        ['Observed monitoring/prometheus'],
      ],
    },
    {
      // An Admin Deny of egress to an address: the cluster policy's rule is the one named.
      name: 'a flow to an address an Admin Deny stops',
      yaml: docs(
        base,
        yaml`
          apiVersion: policy.networking.k8s.io/v1beta1
          kind: ClusterNetworkPolicy
          metadata: {name: no-docs-net}
          spec:
            tier: Admin
            priority: 10
            subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: payments}}}
            egress:
              - action: Deny  # <-
                to: [{networks: [198.51.100.0/24]}]
        `,
      ),
      observed: [
        {
          src: w('payments/Deployment/gateway'),
          dst: { kind: 'external', ip: '198.51.100.9' },
          protocol: 'TCP',
          port: 443,
        },
      ],
      messageIds: ['tier'],
    },
  ],
});

// Built states, the findings as the user sees them (object, field path, whole message, workloads).
const found = (state: ClusterState, observed: readonly ObservedConnection[]) =>
  lint({ state, observed }, { rules: [rule] }).findings.map((f) => ({
    at: `${f.object.id} ${formatPath(f.path)}`,
    message: f.message,
    workloads: f.workloads,
  }));
const tcpFlow = (src: ObservedConnection['src'], dst: ObservedConnection['dst'], port: number) => ({
  src,
  dst,
  protocol: 'TCP' as const,
  port,
});
/** shop/web-1 (v=1) and shop/web-2 (v=2), one Deployment `w1` with two pod classes; data/db; zeta/client. */
const twoClasses = (input: { policies?: PolicyInfo[]; clusterPolicies?: ClusterPolicyInfo[] }) =>
  withWorkloads(
    {
      namespaces: [builtNs('shop', { team: 'shop' }), builtNs('data', { team: 'data' }), builtNs('zeta')],
      pods: [
        pod('shop', 'web-1', { app: 'web', v: '1' }),
        pod('shop', 'web-2', { app: 'web', v: '2' }),
        pod('data', 'db', { app: 'db' }),
        pod('zeta', 'client', { app: 'client' }),
      ],
      ...input,
    },
    [1, 1, 0, 0],
    false,
  );
const web = w('shop/Deployment/w1');
const dbEnd = w('data/Pod/db');
const client = w('zeta/Pod/client');
const denyIngress = (namespace: string, name: string, podSelector: LabelSelector): PolicyInfo =>
  policy(namespace, name, { podSelector, policyTypes: ['Ingress'] });

test('a workload some of whose pods let the flow in is not reported', () => {
  // Only the v=1 pods are isolated: the v=2 pods of the same Deployment accept the flow.
  const state = twoClasses({ policies: [denyIngress('shop', 'v1-only', { matchLabels: { v: '1' } })] });
  assert.deepEqual(found(state, [tcpFlow(client, web, 80)]), []);
  // Both isolated: reported, naming both ends, sorted.
  const both = twoClasses({ policies: [denyIngress('shop', 'all', {})] });
  assert.deepEqual(found(both, [tcpFlow(client, web, 80)]), [
    {
      at: 'shop/NetworkPolicy/all spec.policyTypes',
      message:
        'Observed zeta/client → shop/w1 on TCP 80 would be denied: no ingress rule of the policies selecting shop/w1 (shop/all) allows it; add a rule for it, or make sure it should stop',
      workloads: ['shop/Deployment/w1', 'zeta/Pod/client'],
    },
  ]);
});

test('a flow from a workload some of whose pods are allowed is not reported', () => {
  const fromV1 = policy('data', 'from-v1', {
    podSelector: {},
    ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { v: '1' } } }] }],
  });
  assert.deepEqual(found(twoClasses({ policies: [fromV1] }), [tcpFlow(web, dbEnd, 5432)]), []);
});

test('an egress finding blames the policy whose rules name the destination, then a specific one', () => {
  // Both select shop/web; `all-pods` (every pod, listed first) names data/db on another port.
  const allPods = policy('shop', 'all-pods', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      { to: [{ namespaceSelector: { matchLabels: { team: 'data' } } }], ports: [{ port: 5432 }] },
      { to: [{ namespaceSelector: { matchLabels: { team: 'zeta' } } }] },
    ],
  });
  const webOnly = policy('shop', 'web-only', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
  });
  const state = twoClasses({ policies: [allPods, webOnly] });
  assert.deepEqual(
    found(state, [tcpFlow(web, dbEnd, 6000)]).map((f) => [f.at, f.message]),
    [
      [
        'shop/NetworkPolicy/all-pods spec.egress',
        'Observed shop/w1 → data/db on TCP 6000 would be denied: no egress rule of the policies selecting shop/w1 (shop/all-pods and shop/web-only) allows it; add a rule for it, or make sure it should stop',
      ],
    ],
  );
  // No rule names the peer: the policy of a narrower selector is blamed, not the first one.
  assert.deepEqual(
    found(state, [tcpFlow(web, client, 443)]).map((f) => f.at),
    ['shop/NetworkPolicy/web-only spec.egress'],
  );
});

test('an ingress finding blames the policy of a narrower selector when no rule names the source', () => {
  const state = twoClasses({
    policies: [
      denyIngress('data', 'all-pods', {}),
      denyIngress('data', 'db-only', { matchLabels: { app: 'db' } }),
    ],
  });
  assert.deepEqual(
    found(state, [tcpFlow(client, dbEnd, 5432)]).map((f) => [f.at, f.workloads]),
    [['data/NetworkPolicy/db-only spec.policyTypes', ['data/Pod/db', 'zeta/Pod/client']]],
  );
});

test('a flow from an address names only the workload', () => {
  const state = twoClasses({ policies: [denyIngress('data', 'all', {})] });
  assert.deepEqual(
    found(state, [tcpFlow({ kind: 'external', ip: '198.51.100.9' }, dbEnd, 5432)]).map((f) => f.workloads),
    [['data/Pod/db']],
  );
});

test('cluster policy findings: the Admin and Baseline messages, workloads, one per deciding rule', () => {
  const admin = cnp('no-db', {
    tier: 'Admin',
    priority: 10,
    subject: { namespaces: { matchLabels: { team: 'data' } } },
    ingress: [{ action: 'Deny', from: [{ namespaces: {} }], protocols: [tcpPort(5432)] }],
  });
  const baseline = cnp('baseline', {
    tier: 'Baseline',
    priority: 10,
    subject: { namespaces: { matchLabels: { team: 'data' } } },
    ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }],
  });
  const state = twoClasses({ clusterPolicies: [admin, baseline] });
  // Two flows between the same ends, decided by two rules: a finding for each rule.
  assert.deepEqual(found(state, [tcpFlow(client, dbEnd, 5432), tcpFlow(client, dbEnd, 6000)]), [
    {
      at: 'ClusterNetworkPolicy/no-db spec.ingress[0]',
      message:
        'Observed zeta/client → data/db on TCP 5432 would be denied by this Admin ingress Deny rule, which decides before any NetworkPolicy; add an Accept rule for it before this one, or make sure it should stop',
      workloads: ['data/Pod/db', 'zeta/Pod/client'],
    },
    {
      at: 'ClusterNetworkPolicy/baseline spec.ingress[0]',
      message:
        'Observed zeta/client → data/db on TCP 6000 would be denied by this Baseline ingress Deny rule, which decides because no NetworkPolicy isolates data/db for ingress; add an Accept rule for it before this one or a NetworkPolicy that allows it, or make sure it should stop',
      workloads: ['data/Pod/db', 'zeta/Pod/client'],
    },
  ]);
});

test('a cluster policy finding for a flow to an address names only the workload', () => {
  const noDocsNet = cnp('no-docs-net', {
    tier: 'Admin',
    priority: 10,
    subject: { namespaces: {} },
    egress: [{ action: 'Deny', to: [{ networks: ['198.51.100.0/24'] }] }],
  });
  assert.deepEqual(
    found(twoClasses({ clusterPolicies: [noDocsNet] }), [
      tcpFlow(client, { kind: 'external', ip: '198.51.100.9' }, 443),
    ]).map((f) => [f.at, f.workloads]),
    [['ClusterNetworkPolicy/no-docs-net spec.egress[0]', ['zeta/Pod/client']]],
  );
});

test('a flow a cluster policy denies and another a NetworkPolicy denies, between the same ends: two findings', () => {
  const admin = cnp('no-db', {
    tier: 'Admin',
    priority: 10,
    subject: { namespaces: { matchLabels: { team: 'data' } } },
    ingress: [{ action: 'Deny', from: [{ namespaces: {} }], protocols: [tcpPort(5432)] }],
  });
  const state = twoClasses({ clusterPolicies: [admin], policies: [denyIngress('data', 'all', {})] });
  assert.deepEqual(
    found(state, [tcpFlow(client, dbEnd, 5432), tcpFlow(client, dbEnd, 6000)]).map((f) => f.at),
    ['ClusterNetworkPolicy/no-db spec.ingress[0]', 'data/NetworkPolicy/all spec.policyTypes'],
  );
});

test('a flow only a CiliumNetworkPolicy denies: no NetworkPolicy to blame, no finding and no crash', () => {
  // Seen, not changed: the rule reports NetworkPolicy and cluster policy denials only (docs/testing.md, round 8).
  const state = shopCluster([
    cnpSpecs('shop', 'web-in', [{ endpointSelector: ciliumWeb, ingress: [{ fromEndpoints: [ciliumApi] }] }]),
  ]);
  const observed = [tcpFlow(w('data/Pod/db'), w('shop/Pod/web'), 80)];
  assert.deepEqual(lint({ state, observed, engine: cniEngine('cilium') }, { rules: [rule] }).findings, []);
});
