import rule from '../../../src/lint/rules/no-unreachable-baseline-rule.ts';
import { banp, cnp, policy } from '../../support/builders.ts';
import { docs, ruleTester, stateRuleTester, yaml } from '../helpers.ts';
import { allPods, shop, withTiers, cnpYaml, shopDefaultDenyIngress, tierBaseYaml } from '../tier-fixtures.ts';

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

// The same as manifests: each finding at the line of the rule (or field) it is about.
const baseline = (subject: string, marker = ''): string =>
  cnpYaml(
    'baseline',
    yaml`
      tier: Baseline
      priority: 100
      subject: ${subject}
      ingress:
        - action: Accept${marker}
          from: [{namespaces: {matchLabels: {team: shop}}}]
        - action: Deny${marker}
          from: [{namespaces: {}}]
    `,
  );

ruleTester(rule, {
  valid: [
    {
      name: 'data/db is not isolated: the rules apply to it',
      yaml: docs(tierBaseYaml, shopDefaultDenyIngress, baseline('{namespaces: {}}')),
    },
  ],
  invalid: [
    {
      name: 'every pod of shop is isolated for ingress: each rule is reported',
      yaml: docs(
        tierBaseYaml,
        shopDefaultDenyIngress,
        baseline('{namespaces: {matchLabels: {team: shop}}}', '  # <-'),
      ),
    },
  ],
});
