/**
 * flows-would-deny beyond its table (test/lint/rules/flows-would-deny.ts): how denied flows are grouped into
 * findings (by the two ends, an address by the IP observed), an Admin Pass above the NetworkPolicy that
 * denies (the NetworkPolicy is blamed, not the cluster policy), and flows Cilium policies deny.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/flows-would-deny.ts';
import { lint } from '../../src/lint/run.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterPolicyInfo, ClusterState, PolicyInfo } from '../../src/model/cluster.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';
import { formatPath } from '../../src/model/problem.ts';
import { ccnp, cnp, cnpCilium, ns as builtNs, pod, policy, withWorkloads } from '../support/builders.ts';
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
/**
 * shop/web-1 (v=1, 10.0.1.1) and shop/web-2 (v=2, 10.0.1.2), one Deployment `w1` with two pod classes;
 * data/db; zeta/client.
 */
const twoClasses = (input: {
  policies?: PolicyInfo[];
  clusterPolicies?: ClusterPolicyInfo[];
  ciliumPolicies?: CiliumPolicyInfo[];
}) =>
  withWorkloads(
    {
      namespaces: [builtNs('shop', { team: 'shop' }), builtNs('data', { team: 'data' }), builtNs('zeta')],
      pods: [
        pod('shop', 'web-1', { app: 'web', v: '1' }, { ips: ['10.0.1.1'] }),
        pod('shop', 'web-2', { app: 'web', v: '2' }, { ips: ['10.0.1.2'] }),
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

// Cilium policies (in the NetworkPolicy layer): the deny rule, or the rule sets whose default deny decides.
const ciliumFound = (state: ClusterState, observed: readonly ObservedConnection[]) =>
  lint({ state, observed, engine: cniEngine('cilium') }, { rules: [rule] }).findings.map((f) => ({
    id: f.messageId,
    at: `${f.object.id} ${formatPath(f.path)}`,
    message: f.message,
    workloads: f.workloads,
  }));
const shopWeb = w('shop/Pod/web');
const shopApi = w('shop/Pod/api');
const dataDb = w('data/Pod/db');

test('a flow only a CiliumNetworkPolicy denies by default deny: the rule set selecting the pod is named', () => {
  // shop/web's ingress allows shop/api only.
  const state = shopCluster([
    cnpSpecs('shop', 'web-in', [{ endpointSelector: ciliumWeb, ingress: [{ fromEndpoints: [ciliumApi] }] }]),
  ]);
  assert.deepEqual(ciliumFound(state, [tcpFlow(dataDb, shopWeb, 80), tcpFlow(dataDb, shopWeb, 443)]), [
    {
      id: 'ciliumDefault',
      at: 'shop/CiliumNetworkPolicy/web-in specs[0].ingress',
      message:
        'Observed data/db → shop/web on TCP 80,443 would be denied: no ingress rule of the Cilium policies selecting shop/web (CiliumNetworkPolicy/shop/web-in) allows it; add a rule for it, or make sure it should stop',
      workloads: ['data/Pod/db', 'shop/Pod/web'],
    },
  ]);
  // The peer it allows: nothing to report.
  assert.deepEqual(ciliumFound(state, [tcpFlow(shopApi, shopWeb, 80)]), []);
});

test('a flow only a CiliumClusterwideNetworkPolicy egressDeny rule denies: that rule is named', () => {
  // shop/web may reach every endpoint, but not data/db on 5432.
  const state = shopCluster([
    ccnp('no-db', {
      endpointSelector: ciliumWeb,
      egress: [{ toEndpoints: [{}] }],
      egressDeny: [
        {
          toEndpoints: [{ matchLabels: { app: 'db' } }],
          toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
        },
      ],
    }),
  ]);
  assert.deepEqual(ciliumFound(state, [tcpFlow(shopWeb, dataDb, 5432), tcpFlow(shopWeb, dataDb, 80)]), [
    {
      id: 'ciliumDeny',
      at: 'CiliumClusterwideNetworkPolicy/no-db spec.egressDeny[0]',
      message:
        'Observed shop/web → data/db on TCP 5432 would be denied by CiliumClusterwideNetworkPolicy/no-db spec.egressDeny[0] (a Cilium deny rule wins over every allow); narrow the deny rule, or make sure it should stop',
      workloads: ['data/Pod/db', 'shop/Pod/web'],
    },
  ]);
  // What the Cilium policy allows gives no finding.
  assert.deepEqual(ciliumFound(state, [tcpFlow(shopWeb, dataDb, 80), tcpFlow(shopWeb, shopApi, 5432)]), []);
});

test('a Cilium deny rule is named even where a NetworkPolicy allows the flow; a NetworkPolicy isolating too is blamed as before', () => {
  const allowAll = policy('data', 'db-in', { podSelector: {}, ingress: [{}] });
  const denyWeb = cnpCilium('data', 'no-web', {
    endpointSelector: {},
    ingressDeny: [
      { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', app: 'web' } }] },
    ],
  });
  assert.deepEqual(
    ciliumFound(shopCluster([denyWeb], [allowAll]), [tcpFlow(shopWeb, dataDb, 5432)]).map((f) => [
      f.id,
      f.at,
    ]),
    [['ciliumDeny', 'data/CiliumNetworkPolicy/no-web spec.ingressDeny[0]']],
  );
  // A NetworkPolicy isolating data/db and a Cilium rule set in default deny, neither allowing: the NetworkPolicy.
  const onlyApi = cnpCilium('data', 'db-from-api', {
    endpointSelector: {},
    ingress: [
      { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', app: 'api' } }] },
    ],
  });
  assert.deepEqual(
    ciliumFound(shopCluster([onlyApi], [denyIngress('data', 'closed', {})]), [
      tcpFlow(shopWeb, dataDb, 5432),
    ]).map((f) => [f.id, f.at]),
    [['ingress', 'data/NetworkPolicy/closed spec.policyTypes']],
  );
});

test('Cilium default deny: the rule set whose allow rule came closest is blamed; a rule set of deny rules only', () => {
  // Both select data/db for ingress; `web-5432` names shop/web, on another port.
  const dns = cnpCilium('data', 'dns', {
    endpointSelector: {},
    ingress: [
      {
        fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }],
      },
    ],
  });
  const web5432 = cnpCilium('data', 'web-5432', {
    endpointSelector: {},
    ingress: [
      {
        fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', app: 'web' } }],
        toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
      },
    ],
  });
  assert.deepEqual(
    ciliumFound(shopCluster([dns, web5432]), [tcpFlow(shopWeb, dataDb, 80)]).map((f) => [f.at, f.message]),
    [
      [
        'data/CiliumNetworkPolicy/web-5432 spec.ingress',
        'Observed shop/web → data/db on TCP 80 would be denied: no ingress rule of the Cilium policies selecting data/db (CiliumNetworkPolicy/data/dns and CiliumNetworkPolicy/data/web-5432) allows it; add a rule for it, or make sure it should stop',
      ],
    ],
  );
  // Deny rules alone put shop/web in egress default deny too: what they do not deny is denied by it.
  const denyOnly = ccnp('deny-only', {
    endpointSelector: ciliumWeb,
    egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'db' } }] }],
  });
  assert.deepEqual(
    ciliumFound(shopCluster([denyOnly]), [tcpFlow(shopWeb, dataDb, 80), tcpFlow(shopWeb, shopApi, 80)]).map(
      (f) => [f.id, f.at],
    ),
    [
      ['ciliumDeny', 'CiliumClusterwideNetworkPolicy/deny-only spec.egressDeny[0]'],
      ['ciliumDefault', 'CiliumClusterwideNetworkPolicy/deny-only spec.egressDeny'],
    ],
  );
});

test('two Cilium deny rules deciding one flow are both named', () => {
  const rules = [{ toEndpoints: [{ matchLabels: { app: 'db' } }] }, { toEndpoints: [{}] }];
  const state = shopCluster([
    ccnp('deny-twice', { endpointSelector: ciliumWeb, egress: [{ toEndpoints: [{}] }], egressDeny: rules }),
  ]);
  assert.deepEqual(
    ciliumFound(state, [tcpFlow(shopWeb, dataDb, 80)]).map((f) => [f.at, f.message]),
    [
      [
        'CiliumClusterwideNetworkPolicy/deny-twice spec.egressDeny[0]',
        'Observed shop/web → data/db on TCP 80 would be denied by CiliumClusterwideNetworkPolicy/deny-twice spec.egressDeny[0] and CiliumClusterwideNetworkPolicy/deny-twice spec.egressDeny[1] (a Cilium deny rule wins over every allow); narrow the deny rule, or make sure it should stop',
      ],
    ],
  );
});

test('flows between the same ends denied by a Cilium deny rule and by default deny: a finding for each', () => {
  const state = shopCluster([
    ccnp('db-80', {
      endpointSelector: ciliumWeb,
      egress: [{ toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: '80' }] }] }],
      egressDeny: [
        { toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: '5432' }] }] },
      ],
    }),
  ]);
  assert.deepEqual(
    ciliumFound(state, [tcpFlow(shopWeb, dataDb, 5432), tcpFlow(shopWeb, dataDb, 6000)]).map((f) => [
      f.id,
      f.message.slice(0, 45),
    ]),
    [
      ['ciliumDeny', 'Observed shop/web → data/db on TCP 5432 would'],
      ['ciliumDefault', 'Observed shop/web → data/db on TCP 6000 would'],
    ],
  );
});

test('Cilium default deny of a flow to or from an address names only the workload', () => {
  const state = shopCluster([
    cnpSpecs('shop', 'web-in-cluster', [
      {
        endpointSelector: ciliumWeb,
        // Other address classes are allowed: the flow's own class is the one judged.
        egress: [{ toEndpoints: [{}] }, { toCIDR: ['203.0.113.0/24', '10.0.0.0/8'] }],
        ingress: [{ fromEndpoints: [{}] }, { fromCIDR: ['203.0.113.0/24', '10.0.0.0/8'] }],
      },
    ]),
  ]);
  const outside = { kind: 'external' as const, ip: '198.51.100.9' };
  assert.deepEqual(
    ciliumFound(state, [tcpFlow(shopWeb, outside, 443), tcpFlow(outside, shopWeb, 80)]).map((f) => [
      f.at,
      f.message.split(' (')[0],
      f.workloads,
    ]),
    [
      [
        'shop/CiliumNetworkPolicy/web-in-cluster specs[0].ingress',
        'Observed 198.51.100.9 → shop/web on TCP 80 would be denied: no ingress rule of the Cilium policies selecting shop/web',
        ['shop/Pod/web'],
      ],
      [
        'shop/CiliumNetworkPolicy/web-in-cluster specs[0].egress',
        'Observed shop/web → 198.51.100.9 on TCP 443 would be denied: no egress rule of the Cilium policies selecting shop/web',
        ['shop/Pod/web'],
      ],
    ],
  );
});

// The cases below pin what the mutation run of the Cilium branch left (round 8, after the Cilium fix).
const dbSel = { matchLabels: { app: 'db' } };
const toDbOn = (port: string) => ({ toEndpoints: [dbSel], toPorts: [{ ports: [{ port }] }] });

test('a workload whose pod classes different rules deny: each is named, the pod a flow names by IP its own', () => {
  // Cilium puts both pod classes of shop/w1 in ingress default deny; a NetworkPolicy isolates the v=1 pods only:
  // it denies them, Cilium default deny the v=2 pods (the first class's NetworkPolicy alone was named).
  const state = twoClasses({
    policies: [denyIngress('shop', 'v1-only', { matchLabels: { v: '1' } })],
    ciliumPolicies: [
      cnpCilium('shop', 'web-in', {
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [{ fromEndpoints: [dbSel] }],
      }),
    ],
  });
  const blamed = (to: ObservedConnection['dst']) =>
    lint(
      { state, observed: [tcpFlow(client, to, 80)], engine: cniEngine('cilium') },
      { rules: [rule] },
    ).findings.map((f) => [f.messageId, `${f.object.id} ${formatPath(f.path)}`]);
  assert.deepEqual(blamed(web), [
    ['ciliumDefault', 'shop/CiliumNetworkPolicy/web-in spec.ingress'],
    ['ingress', 'shop/NetworkPolicy/v1-only spec.policyTypes'],
  ]);
  // A flow to a pod's IP names that pod's class's rule only.
  assert.deepEqual(blamed({ kind: 'external', ip: '10.0.1.1' }), [
    ['ingress', 'shop/NetworkPolicy/v1-only spec.policyTypes'],
  ]);
  assert.deepEqual(blamed({ kind: 'external', ip: '10.0.1.2' }), [
    ['ciliumDefault', 'shop/CiliumNetworkPolicy/web-in spec.ingress'],
  ]);
});

test('a workload whose pod classes an Admin rule and a NetworkPolicy deny: both named, each its own policies', () => {
  // The Admin rule denies the v=1 pods' egress to data; a NetworkPolicy isolates both classes' egress.
  const admin = cnp('v1-no-data', {
    tier: 'Admin',
    priority: 10,
    subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { v: '1' } } } },
    egress: [{ action: 'Deny', to: [{ namespaces: { matchLabels: { team: 'data' } } }] }],
  });
  const egressOnly = policy('shop', 'no-egress', { podSelector: {}, policyTypes: ['Egress'] });
  const state = twoClasses({ clusterPolicies: [admin], policies: [egressOnly] });
  assert.deepEqual(
    found(state, [tcpFlow(web, dbEnd, 5432)]).map((f) => f.at),
    ['ClusterNetworkPolicy/v1-no-data spec.egress[0]', 'shop/NetworkPolicy/no-egress spec.policyTypes'],
  );
  assert.deepEqual(
    found(state, [tcpFlow({ kind: 'external', ip: '10.0.1.2' }, dbEnd, 5432)]).map((f) => f.at),
    ['shop/NetworkPolicy/no-egress spec.policyTypes'],
  );
});

test('Cilium default deny: the rule set of the nearest allow rule is blamed among the specs of one policy', () => {
  const state = shopCluster([
    cnpSpecs('data', 'two', [
      {
        endpointSelector: {},
        ingress: [
          {
            fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
            toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }],
          },
        ],
      },
      {
        endpointSelector: {},
        ingress: [
          {
            fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', app: 'web' } }],
            toPorts: [{ ports: [{ port: '5432' }] }],
          },
        ],
      },
    ]),
  ]);
  assert.deepEqual(
    ciliumFound(state, [tcpFlow(shopWeb, dataDb, 80)]).map((f) => [f.id, f.at]),
    [['ciliumDefault', 'data/CiliumNetworkPolicy/two specs[1].ingress']],
  );
});

test('flows between the same ends denied by two different Cilium deny rules: a finding for each', () => {
  const state = shopCluster([
    ccnp('deny-two-ports', {
      endpointSelector: ciliumWeb,
      egress: [{ toEndpoints: [{}] }],
      egressDeny: [toDbOn('5432'), toDbOn('6000')],
    }),
  ]);
  assert.deepEqual(
    ciliumFound(state, [tcpFlow(shopWeb, dataDb, 5432), tcpFlow(shopWeb, dataDb, 6000)]).map((f) => [
      f.at,
      f.message.slice(0, 45),
    ]),
    [
      [
        'CiliumClusterwideNetworkPolicy/deny-two-ports spec.egressDeny[0]',
        'Observed shop/web → data/db on TCP 5432 would',
      ],
      [
        'CiliumClusterwideNetworkPolicy/deny-two-ports spec.egressDeny[1]',
        'Observed shop/web → data/db on TCP 6000 would',
      ],
    ],
  );
});

test('Cilium ingress default deny by a rule set of ingressDeny rules only: the ingressDeny list is the path', () => {
  const state = shopCluster([
    cnpCilium('data', 'deny-in', {
      endpointSelector: {},
      ingressDeny: [{ fromEndpoints: [ciliumApi], toPorts: [{ ports: [{ port: '5432' }] }] }],
    }),
  ]);
  assert.deepEqual(
    ciliumFound(state, [tcpFlow(shopWeb, dataDb, 80)]).map((f) => [f.id, f.at, f.workloads]),
    [['ciliumDefault', 'data/CiliumNetworkPolicy/deny-in spec.ingressDeny', ['data/Pod/db', 'shop/Pod/web']]],
  );
});

test('a Cilium deny rule of an address range denies a flow to an address: that rule is named', () => {
  const state = shopCluster([
    ccnp('no-doc-net', {
      endpointSelector: ciliumWeb,
      egress: [{ toCIDR: ['0.0.0.0/0'] }],
      egressDeny: [{ toCIDR: ['198.51.100.0/24'] }],
    }),
  ]);
  const outside = { kind: 'external' as const, ip: '198.51.100.9' };
  assert.deepEqual(
    ciliumFound(state, [
      tcpFlow(shopWeb, outside, 443),
      tcpFlow(shopWeb, { kind: 'external', ip: '203.0.113.9' }, 443),
    ]).map((f) => [f.id, f.at, f.message.split(' (')[0]]),
    [
      [
        'ciliumDeny',
        'CiliumClusterwideNetworkPolicy/no-doc-net spec.egressDeny[0]',
        'Observed shop/web → 198.51.100.9 on TCP 443 would be denied by CiliumClusterwideNetworkPolicy/no-doc-net spec.egressDeny[0]',
      ],
    ],
  );
});

test('a workload whose pods two NetworkPolicies isolate: the same finding whichever flow names it first', () => {
  // A flow to web-2's IP, then one to the Deployment: both join one group, its pod classes met v=2 first.
  // The policies are listed, and the most specific one blamed, in pod class order, not in the flows' order.
  const state = twoClasses({
    policies: [
      denyIngress('shop', 'v2-only', { matchLabels: { v: '2' } }),
      denyIngress('shop', 'v1-only', { matchLabels: { v: '1' } }),
    ],
  });
  const byIp = tcpFlow(client, { kind: 'external', ip: '10.0.1.2' }, 80);
  const expected = [
    {
      at: 'shop/NetworkPolicy/v1-only spec.policyTypes',
      message:
        'Observed zeta/client → shop/w1 on TCP 80 would be denied: no ingress rule of the policies selecting shop/w1 (shop/v1-only and shop/v2-only) allows it; add a rule for it, or make sure it should stop',
      workloads: ['shop/Deployment/w1', 'zeta/Pod/client'],
    },
  ];
  assert.deepEqual(found(state, [tcpFlow(client, web, 80), byIp]), expected);
  assert.deepEqual(found(state, [byIp, tcpFlow(client, web, 80)]), expected);
});
