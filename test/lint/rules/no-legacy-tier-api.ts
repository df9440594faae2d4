import rule from '../../../src/lint/rules/no-legacy-tier-api.ts';
import { anp, banp, cnp } from '../../support/builders.ts';
import { clusterPolicyInfo } from '../../../src/model/tiers.ts';
import { docs, ruleTester, stateRuleTester, yaml } from '../helpers.ts';
import { shop, data, withTiers, cnpYaml, tierBaseYaml } from '../tier-fixtures.ts';

stateRuleTester(rule, {
  valid: [
    {
      name: 'ClusterNetworkPolicy v1beta1 in both tiers',
      state: withTiers({
        clusterPolicies: [
          cnp('admin', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            ingress: [{ action: 'Deny', from: [shop] }],
          }),
          cnp('baseline', {
            tier: 'Baseline',
            priority: 10,
            subject: shop,
            ingress: [{ action: 'Accept', from: [shop] }],
          }),
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'an AdminNetworkPolicy with Allow rules and ports',
      state: withTiers({
        clusterPolicies: [
          anp('guardrails', {
            priority: 20,
            subject: shop,
            ingress: [
              { action: 'Allow', from: [shop], ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }] },
            ],
          }),
        ],
      }),
      findings: ['AdminNetworkPolicy/guardrails apiVersion'],
      messageIds: ['anp'],
      messages: [
        [
          'AdminNetworkPolicy "guardrails" uses policy.networking.k8s.io/v1alpha1',
          'ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1) with tier: Admin and priority: 20, action Allow → Accept, ports → protocols',
        ],
      ],
    },
    {
      // Nothing to say about actions and ports when there are no Allow rules and no ports.
      name: 'an AdminNetworkPolicy with a Deny rule only',
      state: withTiers({
        clusterPolicies: [
          anp('deny', { priority: 5, subject: shop, ingress: [{ action: 'Deny', from: [shop] }] }),
        ],
      }),
      findings: ['AdminNetworkPolicy/deny apiVersion'],
      messages: [
        [
          'AdminNetworkPolicy "deny" uses policy.networking.k8s.io/v1alpha1, for which network-policy-api v0.3 ships no CRD; migrate it to a ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1) with tier: Admin and priority: 5',
        ],
      ],
    },
    {
      name: 'the BaselineAdminNetworkPolicy',
      state: withTiers({
        clusterPolicies: [banp({ subject: shop, ingress: [{ action: 'Deny', from: [shop] }] })],
      }),
      findings: ['BaselineAdminNetworkPolicy/default apiVersion'],
      messageIds: ['banp'],
      messages: [
        [
          'tier: Baseline and priority: 1000 (after any Baseline policy added later; keep it unique in the tier: the API leaves the order of equal priorities undefined)',
        ],
      ],
    },
    {
      // `generate --tier baseline` writes priority 1000: the advice must not tie with it.
      name: 'the BaselineAdminNetworkPolicy next to Baseline ClusterNetworkPolicies: after the last of them',
      state: withTiers({
        clusterPolicies: [
          banp({ subject: shop, ingress: [{ action: 'Deny', from: [shop] }] }),
          cnp('b', {
            tier: 'Baseline',
            priority: 200,
            subject: shop,
            ingress: [{ action: 'Deny', from: [data] }],
          }),
          cnp('c', {
            tier: 'Baseline',
            priority: 100,
            subject: shop,
            ingress: [{ action: 'Deny', from: [data] }],
          }),
          cnp('a', {
            tier: 'Admin',
            priority: 900,
            subject: shop,
            ingress: [{ action: 'Deny', from: [data] }],
          }),
        ],
      }),
      findings: ['BaselineAdminNetworkPolicy/default apiVersion'],
      messages: [
        ['priority: 201 (after every Baseline policy of the input, the last at 200; keep it unique'],
      ],
    },
    {
      name: 'a Baseline ClusterNetworkPolicy at 1000: the advice says to move it',
      state: withTiers({
        clusterPolicies: [
          banp({ subject: shop, ingress: [{ action: 'Deny', from: [shop] }] }),
          cnp('g', {
            tier: 'Baseline',
            priority: 1000,
            subject: shop,
            ingress: [{ action: 'Deny', from: [data] }],
          }),
        ],
      }),
      findings: ['BaselineAdminNetworkPolicy/default apiVersion'],
      messages: [
        [
          'priority: 1000 (the highest priority, which ClusterNetworkPolicy/g has too: give it a lower one; keep it unique',
        ],
      ],
    },
    {
      name: 'two Baseline ClusterNetworkPolicies at 1000, one at 500',
      state: withTiers({
        clusterPolicies: [
          banp({ subject: shop, ingress: [{ action: 'Deny', from: [shop] }] }),
          cnp('g', {
            tier: 'Baseline',
            priority: 1000,
            subject: shop,
            ingress: [{ action: 'Deny', from: [data] }],
          }),
          cnp('h', {
            tier: 'Baseline',
            priority: 1000,
            subject: data,
            ingress: [{ action: 'Deny', from: [shop] }],
          }),
          cnp('m', {
            tier: 'Baseline',
            priority: 500,
            subject: shop,
            ingress: [{ action: 'Deny', from: [shop] }],
          }),
        ],
      }),
      findings: ['BaselineAdminNetworkPolicy/default apiVersion'],
      messages: [
        [
          'priority: 1000 (the highest priority, which ClusterNetworkPolicy/g, ClusterNetworkPolicy/h have too: give them a lower one; keep it unique',
        ],
      ],
    },
    {
      name: 'a ClusterNetworkPolicy of v1alpha2',
      state: withTiers({
        clusterPolicies: [
          clusterPolicyInfo({
            apiVersion: 'policy.networking.k8s.io/v1alpha2',
            kind: 'ClusterNetworkPolicy',
            metadata: { name: 'old' },
            spec: { tier: 'Admin', priority: 1, subject: shop, ingress: [{ action: 'Deny', from: [shop] }] },
          }),
        ],
      }),
      findings: ['ClusterNetworkPolicy/old apiVersion'],
      messageIds: ['cnp'],
      messages: [['change apiVersion to policy.networking.k8s.io/v1beta1']],
    },
  ],
});

// The same as manifests: each finding at the line of the rule (or field) it is about.
const spec = yaml`
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {team: data}}}
  ingress:
    - action: Deny
      from: [{namespaces: {matchLabels: {team: shop}}}]
`;

ruleTester(rule, {
  valid: [{ name: 'ClusterNetworkPolicy v1beta1', yaml: docs(tierBaseYaml, cnpYaml('protect-data', spec)) }],
  invalid: [
    {
      name: 'ClusterNetworkPolicy v1alpha2, an AdminNetworkPolicy and the BaselineAdminNetworkPolicy',
      yaml: docs(
        tierBaseYaml,
        cnpYaml('protect-data', spec, 'v1alpha2').replace('v1alpha2', 'v1alpha2  # <-'),
        yaml`
          apiVersion: policy.networking.k8s.io/v1alpha1  # <-
          kind: AdminNetworkPolicy
          metadata: {name: guardrails}
          spec:
            priority: 20
            subject: {namespaces: {}}
            egress:
              - action: Allow
                to: [{namespaces: {matchLabels: {team: data}}}]
                ports: [{portNumber: {protocol: TCP, port: 5432}}]
          ---
          apiVersion: policy.networking.k8s.io/v1alpha1  # <-
          kind: BaselineAdminNetworkPolicy
          metadata: {name: default}
          spec:
            subject: {namespaces: {}}
            ingress:
              - action: Deny
                from: [{namespaces: {}}]
        `,
      ),
      messageIds: ['cnp', 'anp', 'banp'],
    },
  ],
});
