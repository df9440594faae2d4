/**
 * The tier rules beyond their tables (test/lint/rules/<id>.ts): the whole message, the place and the workloads
 * of a finding where the tables check parts only, and the orders the messages list things in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import legacy from '../../src/lint/rules/no-legacy-tier-api.ts';
import shadowed from '../../src/lint/rules/no-shadowed-tier-rule.ts';
import unreachable from '../../src/lint/rules/no-unreachable-baseline-rule.ts';
import useless from '../../src/lint/rules/no-useless-pass.ts';
import { anp, cnp, policy } from '../support/builders.ts';
import { stateFindingsOf } from './rule-details.ts';
import { allPods, data, db, shop, tcp, withTiers } from './tier-fixtures.ts';

const shopPods = ['shop/Pod/api', 'shop/Pod/web'];

test('no-legacy-tier-api: an AdminNetworkPolicy without Allow rules nor ports, and the pods it selects', () => {
  const state = withTiers({
    clusterPolicies: [
      // A current policy of other pods before it: its pods are not the ones named.
      cnp('data', { tier: 'Admin', priority: 1, subject: data, ingress: [{ action: 'Deny', from: [shop] }] }),
      anp('deny', { priority: 5, subject: shop, ingress: [{ action: 'Deny', from: [shop] }] }),
    ],
  });
  assert.deepEqual(stateFindingsOf(legacy, state), [
    {
      at: '- AdminNetworkPolicy/deny apiVersion',
      // Nothing after the priority: no "action Allow → Accept", no "ports → protocols".
      message:
        'AdminNetworkPolicy "deny" uses policy.networking.k8s.io/v1alpha1, for which network-policy-api v0.3 ships no CRD; migrate it to a ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1) with tier: Admin and priority: 5',
      workloads: shopPods,
    },
  ]);
});

test('no-shadowed-tier-rule: a rule decided by two earlier policies with two actions, in precedence order', () => {
  // b (priority 10) denies port 80, a (priority 20) accepts 443: c's rule on both ports never applies. The
  // message lists b before a (their order of precedence), not in the order of the input.
  const state = withTiers({
    clusterPolicies: [
      cnp('a', {
        tier: 'Admin',
        priority: 20,
        subject: shop,
        egress: [{ action: 'Accept', to: [db], protocols: [tcp(443)] }],
      }),
      cnp('b', {
        tier: 'Admin',
        priority: 10,
        subject: shop,
        egress: [{ action: 'Deny', to: [db], protocols: [tcp(80)] }],
      }),
      cnp('c', {
        tier: 'Admin',
        priority: 30,
        subject: shop,
        egress: [{ action: 'Accept', to: [db], protocols: [tcp(80), tcp(443)] }],
      }),
    ],
  });
  assert.deepEqual(stateFindingsOf(shadowed, state), [
    {
      at: '- ClusterNetworkPolicy/c spec.egress[0]',
      message:
        'This Admin egress Accept rule never applies: spec.egress[0] of ClusterNetworkPolicy/b and spec.egress[0] of ClusterNetworkPolicy/a decide all the traffic it matches first (Deny, Accept); move it before them if it should apply, or remove it',
      workloads: shopPods,
    },
  ]);
});

test('no-unreachable-baseline-rule: the isolating NetworkPolicies in the order of the input', () => {
  const state = withTiers({
    clusterPolicies: [
      cnp('baseline', {
        tier: 'Baseline',
        priority: 100,
        subject: shop,
        egress: [{ action: 'Deny', to: [allPods] }],
      }),
    ],
    policies: [
      policy('shop', 'api', { podSelector: { matchLabels: { app: 'api' } }, egress: [{}] }),
      policy('shop', 'web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] }),
    ],
  });
  assert.deepEqual(stateFindingsOf(unreachable, state), [
    {
      at: '- ClusterNetworkPolicy/baseline spec.egress[0]',
      message:
        'This Baseline egress rule is never reached: NetworkPolicies (shop/api and shop/web) isolate every pod this policy selects (shop/api and shop/web) for egress, and they decide first; remove it, or move it to the Admin tier if it must apply to them',
      workloads: shopPods,
    },
  ]);
});

test('no-useless-pass: a higher-precedence Admin policy decides everything the Pass matches', () => {
  // first (priority 5) accepts all of data before the Pass is reached: the Pass decides nothing, so it is not
  // reported as useless (no-shadowed-tier-rule reports it).
  const state = withTiers({
    clusterPolicies: [
      cnp('pass-db', { tier: 'Admin', priority: 10, subject: shop, egress: [{ action: 'Pass', to: [db] }] }),
      cnp('first', { tier: 'Admin', priority: 5, subject: shop, egress: [{ action: 'Accept', to: [data] }] }),
    ],
  });
  assert.deepEqual(stateFindingsOf(useless, state), []);
});

test('no-useless-pass: a Pass on a named port only some pods have', () => {
  // web and api name a port http; db and coredns do not: the Pass matches nothing towards them.
  const state = withTiers({
    clusterPolicies: [
      cnp('pass-http', {
        tier: 'Admin',
        priority: 10,
        subject: shop,
        egress: [{ action: 'Pass', to: [allPods], protocols: [{ destinationNamedPort: 'http' }] }],
      }),
    ],
  });
  assert.deepEqual(stateFindingsOf(useless, state), [
    {
      at: '- ClusterNetworkPolicy/pass-http spec.egress[0]',
      message:
        'This Pass rule changes nothing: no NetworkPolicy isolates shop/api and shop/web for egress and no Baseline or later Admin rule denies what it passes, so that traffic is allowed with it and without it; remove it, or add the NetworkPolicies it is meant to hand the traffic to',
      workloads: shopPods,
    },
  ]);
});

test('no-useless-pass: a later Deny towards other pods than the Pass', () => {
  // The Deny to data/db matches nothing the Pass (to shop) passes: the Pass still changes nothing.
  const state = withTiers({
    clusterPolicies: [
      cnp('pass-shop', {
        tier: 'Admin',
        priority: 10,
        subject: shop,
        egress: [
          { action: 'Pass', to: [shop] },
          { action: 'Deny', to: [db] },
        ],
      }),
    ],
  });
  assert.deepEqual(
    stateFindingsOf(useless, state).map((f) => f.at),
    ['- ClusterNetworkPolicy/pass-shop spec.egress[0]'],
  );
});

test('no-shadowed-tier-rule: a named-port rule after a Deny of every pod', () => {
  // db and coredns have no port named http: the rule matches nothing there, and everything it matches
  // elsewhere is denied first.
  const state = withTiers({
    clusterPolicies: [
      cnp('shop-egress', {
        tier: 'Admin',
        priority: 10,
        subject: shop,
        egress: [
          { action: 'Deny', to: [allPods] },
          { action: 'Accept', to: [allPods], protocols: [{ destinationNamedPort: 'http' }] },
        ],
      }),
    ],
  });
  assert.deepEqual(
    stateFindingsOf(shadowed, state).map((f) => f.at),
    ['- ClusterNetworkPolicy/shop-egress spec.egress[1]'],
  );
});
