import rule from '../../../src/lint/rules/no-unreachable-baseline-rule.ts';
import { banp, cnp, policy } from '../../support/builders.ts';
import { stateRuleTester } from '../helpers.ts';
import { allPods, shop, withTiers } from '../tier-fixtures.ts';

const denyIngress = policy('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
const baselineIngress = cnp('baseline', {
  tier: 'Baseline',
  priority: 100,
  subject: shop,
  ingress: [
    { action: 'Accept', from: [shop] },
    { action: 'Deny', from: [allPods] },
  ],
});

stateRuleTester(rule, {
  valid: [
    {
      name: 'some pod it selects is not isolated for that direction',
      state: withTiers({
        clusterPolicies: [baselineIngress],
        policies: [
          policy('shop', 'web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] }),
        ],
      }),
    },
    {
      name: 'the pods are isolated for the other direction only',
      state: withTiers({
        clusterPolicies: [baselineIngress],
        policies: [policy('shop', 'default-deny', { podSelector: {}, policyTypes: ['Egress'] })],
      }),
    },
    {
      name: 'an Admin rule decides before NetworkPolicies',
      state: withTiers({
        clusterPolicies: [
          cnp('admin', {
            tier: 'Admin',
            priority: 100,
            subject: shop,
            ingress: [{ action: 'Deny', from: [allPods] }],
          }),
        ],
        policies: [denyIngress],
      }),
    },
    {
      name: 'a Baseline policy that selects no pod (nothing to reach)',
      state: withTiers({
        clusterPolicies: [
          cnp('none', {
            tier: 'Baseline',
            priority: 100,
            subject: { namespaces: { matchLabels: { team: 'none' } } },
            ingress: [{ action: 'Deny', from: [allPods] }],
          }),
        ],
        policies: [denyIngress],
      }),
    },
  ],
  invalid: [
    {
      name: 'a default-deny NetworkPolicy isolates every pod of the Baseline policy: each rule is reported',
      state: withTiers({ clusterPolicies: [baselineIngress], policies: [denyIngress] }),
      findings: [
        'ClusterNetworkPolicy/baseline spec.ingress[0]',
        'ClusterNetworkPolicy/baseline spec.ingress[1]',
      ],
      messages: [
        [
          'NetworkPolicies (shop/default-deny) isolate every pod this policy selects (shop/api and shop/web) for ingress',
        ],
      ],
    },
    {
      name: 'the BaselineAdminNetworkPolicy, with its pods isolated by two NetworkPolicies',
      state: withTiers({
        clusterPolicies: [banp({ subject: shop, egress: [{ action: 'Deny', to: [allPods] }] })],
        policies: [
          policy('shop', 'web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] }),
          policy('shop', 'api', { podSelector: { matchLabels: { app: 'api' } }, egress: [{}] }),
        ],
      }),
      findings: ['BaselineAdminNetworkPolicy/default spec.egress[0]'],
      messages: [['NetworkPolicies (shop/web and shop/api)']],
    },
  ],
});
