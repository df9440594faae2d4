/**
 * checks/isolation.ts as its four rules use it: which Cilium rule sets count as a namespace's default deny,
 * the workloads each finding names, the texts per direction.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRule } from '../../src/lint/registry.ts';
import { lint } from '../../src/lint/run.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { ccnp, cluster, cnp, ns, pod, policy } from '../support/builders.ts';
import { allPods } from './tier-fixtures.ts';

const ingressDefault = findRule('require-default-deny-ingress')!;
const egressDefault = findRule('require-default-deny-egress')!;
const ingressIsolation = findRule('require-ingress-isolation')!;
const egressIsolation = findRule('require-egress-isolation')!;

const shop = (more: Parameters<typeof cluster>[0] = {}): ClusterState =>
  cluster({
    namespaces: [ns('shop', { team: 'a' })],
    pods: [pod('shop', 'web', { app: 'web' }), pod('shop', 'api', { app: 'api' })],
    ...more,
  });

const findings = (rule: typeof ingressDefault, state: ClusterState) =>
  lint({ state }, { rules: [rule] }).findings.map((f) => ({
    id: f.messageId,
    message: f.message,
    workloads: f.workloads,
  }));

test('a Cilium rule set is a namespace default deny when its selector reads only namespace labels and picks it', () => {
  const ingress: CiliumRule['ingress'] = [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }];
  const cases: [string, CiliumRule, string[]][] = [
    [
      'a label of the namespace',
      { endpointSelector: { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'a' } }, ingress },
      [],
    ],
    [
      'the namespace name',
      { endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'shop' } }, ingress },
      [],
    ],
    [
      'an expression on the namespace name',
      {
        endpointSelector: {
          matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'In', values: ['shop'] }],
        },
        ingress,
      },
      [],
    ],
    [
      'another namespace',
      { endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'other' } }, ingress },
      ['missing'],
    ],
    [
      'another value of the namespace label',
      { endpointSelector: { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'b' } }, ingress },
      ['missing'],
    ],
    [
      'the cluster name: not a namespace label',
      { endpointSelector: { matchLabels: { 'io.cilium.k8s.policy.cluster': 'default' } }, ingress },
      ['missingAllIsolated'],
    ],
    [
      'a pod label beside the namespace name',
      {
        endpointSelector: {
          matchExpressions: [
            { key: 'io.kubernetes.pod.namespace', operator: 'In', values: ['shop'] },
            { key: 'tier', operator: 'DoesNotExist' },
          ],
        },
        ingress,
      },
      ['missingAllIsolated'],
    ],
    [
      'no rule in the direction',
      {
        endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'shop' } },
        egress: [{ toEndpoints: [{}] }],
      },
      ['missing'],
    ],
    ['nodes, not endpoints', { nodeSelector: {}, ingress }, ['missing']],
  ];
  for (const [name, spec, ids] of cases) {
    assert.deepEqual(
      findings(ingressDefault, shop({ ciliumPolicies: [ccnp('c', spec)] })).map((f) => f.id),
      ids,
      name,
    );
  }
});

test('the workloads of a namespace finding: the open ones, or all when each is isolated on its own', () => {
  const isolate = (app: string) =>
    policy('shop', app, { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'] });
  assert.deepEqual(findings(ingressDefault, shop({ policies: [isolate('web')] })), [
    {
      id: 'missing',
      message:
        'Namespace "shop" has no default-deny ingress policy, so any pod or address can connect to 1 of its 2 workloads (shop/api); add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress]',
      workloads: ['shop/Pod/api'],
    },
  ]);
  assert.deepEqual(findings(ingressDefault, shop({ policies: [isolate('web'), isolate('api')] })), [
    {
      id: 'missingAllIsolated',
      message:
        'Namespace "shop" has no default-deny ingress policy: its workloads are isolated one by one, but a new one will not be; add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress]',
      workloads: ['shop/Pod/api', 'shop/Pod/web'],
    },
  ]);
});

test('the texts of the rules differ by direction', () => {
  assert.match(ingressDefault.meta.rationale, /^A pod that no policy selects accepts connections/);
  assert.match(egressDefault.meta.rationale, /^A pod that no policy selects for egress can open connections/);
  assert.equal(
    ingressDefault.meta.fix,
    'Add a NetworkPolicy with an empty podSelector (podSelector: {}) and policyTypes: [Ingress] to the namespace, then one allow policy per workload.',
  );
  assert.equal(
    egressDefault.meta.fix,
    'Add a NetworkPolicy with an empty podSelector (podSelector: {}) and policyTypes: [Egress] to the namespace, then one allow policy per workload, and allow DNS.',
  );
});

test('a workload no policy isolates: named by its pods when it has no label, tiers that deny part of it', () => {
  const isolateWeb = policy('shop', 'web', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Ingress', 'Egress'],
  });
  const state = cluster({
    namespaces: [ns('shop')],
    pods: [pod('shop', 'web', { app: 'web' }), pod('shop', 'bare')],
    policies: [isolateWeb],
  });
  assert.deepEqual(findings(egressIsolation, state), [
    {
      id: 'notIsolated',
      message:
        'Workload "shop/bare" is selected by no NetworkPolicy with Egress in policyTypes, so it can connect anywhere; add a policy selecting its pods, or a default-deny egress policy for namespace "shop"',
      workloads: ['shop/Pod/bare'],
    },
  ]);
  const denyBare22 = cnp('no-ssh', {
    tier: 'Baseline',
    priority: 10,
    subject: { namespaces: {} },
    ingress: [{ action: 'Deny', from: [allPods], protocols: [{ tcp: { destinationPort: { number: 22 } } }] }],
  });
  assert.deepEqual(
    findings(ingressIsolation, { ...state, clusterPolicies: [denyBare22] }).map((f) => f.message),
    [
      'Workload "shop/bare" is selected by no NetworkPolicy with Ingress in policyTypes, so any pod or address can connect to it as far as NetworkPolicies go (cluster policies decide first, and Deny rules of ClusterNetworkPolicy/no-ssh keep part of it out: netfence explain shows one connection); add a policy selecting its pods, or a default-deny ingress policy for namespace "shop"',
    ],
  );
});
