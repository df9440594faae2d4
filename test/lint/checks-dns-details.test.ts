/**
 * checks/dns.ts as require-dns-egress-udp and -tcp use it: port 53 to every destination with cluster
 * policies cutting some out, two DNS classes, DNS pods not in the input, the classes grouped into one
 * finding, which policy is blamed, and the texts per protocol.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRule } from '../../src/lint/registry.ts';
import { lint } from '../../src/lint/run.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { ClusterPolicyInfo, NodeInfo, PolicyInfo, PodInfo } from '../../src/model/cluster.ts';
import type { CnpEgressRule, NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, cnp, cnpCilium, node, ns, pod, policy } from '../support/builders.ts';

const udp = findRule('require-dns-egress-udp')!;
const tcp = findRule('require-dns-egress-tcp')!;

const coredns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' });
const web = pod('shop', 'web', { app: 'web' });

interface Input {
  pods?: PodInfo[];
  policies?: PolicyInfo[];
  clusterPolicies?: ClusterPolicyInfo[];
  ciliumPolicies?: ReturnType<typeof cnpCilium>[];
  nodes?: NodeInfo[];
}

const findings = (rule: typeof udp, input: Input) =>
  lint(
    {
      state: cluster({
        namespaces: [ns('shop'), ns('kube-system')],
        pods: input.pods ?? [web, coredns],
        policies: input.policies ?? [],
        clusterPolicies: input.clusterPolicies ?? [],
        ciliumPolicies: input.ciliumPolicies ?? [],
        nodes: input.nodes ?? [],
      }),
    },
    { rules: [rule] },
  ).findings.map((f) => ({
    id: f.messageId,
    object: f.object.id,
    message: f.message,
    workloads: f.workloads,
  }));

const egress = (name: string, spec: Omit<NetworkPolicySpec, 'policyTypes'>, namespace = 'shop'): PolicyInfo =>
  policy(namespace, name, { ...spec, policyTypes: ['Egress'] });
const denyAll = egress('deny-all', { podSelector: {} });
const port53 = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];
/** UDP and TCP 53 to every destination. */
const dnsAnywhere = egress('dns-anywhere', { podSelector: {}, egress: [{ ports: port53 }] });
const adminDeny = (to: NonNullable<CnpEgressRule['to']>, protocols?: CnpEgressRule['protocols']) =>
  cnp('no-dns', {
    tier: 'Admin',
    priority: 1,
    subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
    egress: [{ action: 'Deny', to, ...(protocols === undefined ? {} : { protocols }) }],
  });
const kubeSystem = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } };

test('port 53 to every destination, with cluster policies denying some: any address left on 53 will do', () => {
  const cases: [string, ClusterPolicyInfo, string[]][] = [
    ['the DNS pods denied, every address left', adminDeny([kubeSystem]), []],
    [
      'the DNS pods and 10.0.0.0/8 denied, other addresses left',
      adminDeny([kubeSystem, { networks: ['10.0.0.0/8'] }]),
      [],
    ],
    [
      'the DNS pods and every address denied',
      adminDeny([kubeSystem, { networks: ['0.0.0.0/0', '::/0'] }]),
      ['deniedByTier ClusterNetworkPolicy/no-dns'],
    ],
  ];
  // A host-network pod keeps port 53 allowed to "everything" while every address class is cut.
  const exporter = pod('mon', 'exporter', {}, { hostNetwork: true, nodeName: 'n1', ips: ['192.168.0.5'] });
  const everyAddressApart = adminDeny([kubeSystem, { networks: ['0.0.0.0/1', '128.0.0.0/1', '::/0'] }]);
  assert.deepEqual(
    findings(udp, {
      pods: [web, coredns, exporter],
      nodes: [node('n1', {}, ['192.168.0.5'])],
      policies: [dnsAnywhere],
      clusterPolicies: [everyAddressApart],
    }).map((f) => `${f.id} ${f.object}`),
    ['deniedByTier ClusterNetworkPolicy/no-dns'],
  );
  for (const [name, denial, expected] of cases) {
    assert.deepEqual(
      findings(udp, { policies: [dnsAnywhere], clusterPolicies: [denial] }).map((f) => `${f.id} ${f.object}`),
      expected,
      name,
    );
  }
});

test('two classes of DNS pods: reaching one is enough', () => {
  const a = pod('kube-system', 'coredns-a', { 'k8s-app': 'kube-dns', zone: 'a' });
  const b = pod('kube-system', 'coredns-b', { 'k8s-app': 'kube-dns', zone: 'b' });
  const toA = egress('dns-a', {
    podSelector: {},
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { zone: 'a' } },
          },
        ],
        ports: port53,
      },
    ],
  });
  assert.deepEqual(findings(udp, { pods: [web, a, b], policies: [toA] }), []);
  assert.deepEqual(
    findings(udp, { pods: [web, a, b], policies: [denyAll] }).map((f) => f.message),
    [
      'Egress of shop/web is restricted, but nothing allows DNS over UDP port 53 to kube-system/coredns-a and kube-system/coredns-b, so every name lookup fails; add an egress rule to the DNS pods (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53',
    ],
  );
});

test('the DNS pods not in the input: port 53 allowed by a Cilium rule to some pods or to all, or denied by a tier', () => {
  const cilium = (spec: NonNullable<CiliumRule['egress']>) =>
    cnpCilium('shop', 'cilium-dns', { endpointSelector: {}, egress: spec });
  const toPorts = [{ ports: [{ port: '53', protocol: 'UDP' }] }];
  const https = [{ ports: [{ port: '443', protocol: 'TCP' }] }];
  const resolver = pod('shop', 'resolver', { app: 'resolver' });
  const cases: [string, Input, string[]][] = [
    [
      'to the pods of one app',
      {
        pods: [web, resolver],
        policies: [denyAll],
        ciliumPolicies: [cilium([{ toEndpoints: [{ matchLabels: { app: 'resolver' } }], toPorts }])],
      },
      [],
    ],
    [
      'to every pod of the cluster',
      { pods: [web], policies: [denyAll], ciliumPolicies: [cilium([{ toEntities: ['cluster'], toPorts }])] },
      [],
    ],
    [
      'a tier denies port 53 everywhere: the NetworkPolicy is blamed, not the tier',
      {
        pods: [web],
        policies: [denyAll],
        clusterPolicies: [adminDeny([{ namespaces: {} }], [{ udp: { destinationPort: { number: 53 } } }])],
      },
      ['missing shop/NetworkPolicy/deny-all'],
    ],
    [
      'isolated by a Cilium policy alone: no NetworkPolicy to blame',
      {
        pods: [web, resolver],
        ciliumPolicies: [cilium([{ toEndpoints: [{ matchLabels: { app: 'resolver' } }], toPorts: https }])],
      },
      [],
    ],
  ];
  for (const [name, input, expected] of cases) {
    assert.deepEqual(
      findings(udp, input).map((f) => `${f.id} ${f.object}`),
      expected,
      name,
    );
  }
});

test('the DNS label of a class is read on the pod that has it', () => {
  const other = pod('kube-system', 'aaa');
  assert.deepEqual(
    findings(udp, { pods: [web, other, coredns], policies: [denyAll] }).map((f) => f.message),
    [
      'Egress of shop/web is restricted, but nothing allows DNS over UDP port 53 to kube-system/aaa and kube-system/coredns, so every name lookup fails; add an egress rule to the DNS pods (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53',
    ],
  );
});

test('classes with the same egress make one finding; the DNS pods and unrestricted pods make none', () => {
  const api = pod('shop', 'api', { app: 'api' });
  const webIngress = policy('shop', 'web-in', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Ingress'],
  });
  const dnsDenyAll = egress('deny-all', { podSelector: {} }, 'kube-system');
  const free = pod('free', 'free', { app: 'free' });
  assert.deepEqual(
    findings(udp, { pods: [web, api, coredns, free], policies: [webIngress, denyAll, dnsDenyAll] }).map(
      (f) => `${f.object} ${f.workloads.join(' ')}`,
    ),
    ['shop/NetworkPolicy/deny-all shop/Pod/api shop/Pod/web'],
  );
});

test('the namespace-wide policy is blamed before the first one', () => {
  const webOnly = egress('web-only', { podSelector: { matchLabels: { app: 'web' } } });
  assert.deepEqual(
    findings(udp, { policies: [webOnly, denyAll] }).map((f) => f.object),
    ['shop/NetworkPolicy/deny-all'],
  );
  assert.deepEqual(
    findings(udp, { policies: [webOnly] }).map((f) => f.object),
    ['shop/NetworkPolicy/web-only'],
  );
});

test('over TCP: a tier rule denying it, and the texts of both rules', () => {
  const allowDns = egress('allow-dns', {
    podSelector: {},
    egress: [{ to: [{ namespaceSelector: {} }], ports: port53 }],
  });
  assert.deepEqual(
    findings(tcp, {
      policies: [allowDns],
      clusterPolicies: [adminDeny([kubeSystem], [{ tcp: { destinationPort: { number: 53 } } }])],
    }).map((f) => f.message),
    [
      'This Admin Deny rule denies DNS over TCP port 53 from shop/web to kube-system/coredns, so lookups whose answers do not fit in UDP fail; add an Accept rule for the DNS pods (namespace kube-system, pods k8s-app=kube-dns) on TCP 53 as well as UDP 53 before it',
    ],
  );
  assert.match(udp.meta.rationale, /^Once a policy restricts the egress of a pod/);
  assert.match(tcp.meta.rationale, /^DNS falls back to TCP/);
  assert.match(udp.meta.fix, / on UDP 53 and TCP 53; /);
  assert.match(tcp.meta.fix, / on TCP 53 as well as UDP 53; /);
});
