import rule from '../../../src/lint/rules/no-tier-priority-overlap.ts';
import { anp, cnp } from '../../support/builders.ts';
import { docs, ruleTester, stateRuleTester, yaml } from '../helpers.ts';
import { allPods, shop, data, db, tcp, withTiers, cnpYaml, tierBaseYaml } from '../tier-fixtures.ts';

stateRuleTester(rule, {
  valid: [
    {
      name: 'the same priority, the same action',
      state: withTiers({
        clusterPolicies: [
          cnp('a', { tier: 'Admin', priority: 10, subject: shop, egress: [{ action: 'Deny', to: [db] }] }),
          cnp('b', {
            tier: 'Admin',
            priority: 10,
            subject: allPods,
            egress: [{ action: 'Deny', to: [data] }],
          }),
        ],
      }),
    },
    {
      name: 'the same priority, different actions on different ports',
      state: withTiers({
        clusterPolicies: [
          cnp('a', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [{ action: 'Deny', to: [db], protocols: [tcp(22)] }],
          }),
          cnp('b', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [{ action: 'Accept', to: [db], protocols: [tcp(5432)] }],
          }),
        ],
      }),
    },
    {
      name: 'the same priority, different actions, subjects without a common pod',
      state: withTiers({
        clusterPolicies: [
          cnp('a', { tier: 'Admin', priority: 10, subject: shop, egress: [{ action: 'Deny', to: [db] }] }),
          cnp('b', { tier: 'Admin', priority: 10, subject: data, egress: [{ action: 'Accept', to: [db] }] }),
        ],
      }),
    },
    {
      name: 'different priorities',
      state: withTiers({
        clusterPolicies: [
          cnp('a', { tier: 'Admin', priority: 10, subject: shop, egress: [{ action: 'Deny', to: [db] }] }),
          cnp('b', { tier: 'Admin', priority: 11, subject: shop, egress: [{ action: 'Accept', to: [db] }] }),
        ],
      }),
    },
    {
      name: 'the same priority in different tiers',
      state: withTiers({
        clusterPolicies: [
          cnp('a', { tier: 'Admin', priority: 10, subject: shop, egress: [{ action: 'Deny', to: [db] }] }),
          cnp('b', {
            tier: 'Baseline',
            priority: 10,
            subject: shop,
            egress: [{ action: 'Accept', to: [db] }],
          }),
        ],
      }),
    },
    {
      name: 'a higher-precedence policy decides the common traffic before both',
      state: withTiers({
        clusterPolicies: [
          cnp('first', {
            tier: 'Admin',
            priority: 1,
            subject: allPods,
            egress: [{ action: 'Deny', to: [db] }],
          }),
          cnp('a', { tier: 'Admin', priority: 10, subject: shop, egress: [{ action: 'Deny', to: [db] }] }),
          cnp('b', { tier: 'Admin', priority: 10, subject: shop, egress: [{ action: 'Accept', to: [db] }] }),
        ],
      }),
    },
    {
      // Inside one policy the first matching rule decides: a's Accept never sees TCP 5432.
      name: 'the overlapping rule is not the first match of its own policy',
      state: withTiers({
        clusterPolicies: [
          cnp('a', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [
              { action: 'Deny', to: [db], protocols: [tcp(5432)] },
              { action: 'Accept', to: [db] },
            ],
          }),
          cnp('b', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [{ action: 'Deny', to: [db], protocols: [tcp(5432)] }],
          }),
        ],
      }),
    },
    {
      name: 'one policy decides ingress, the other egress',
      state: withTiers({
        clusterPolicies: [
          cnp('a', {
            tier: 'Admin',
            priority: 10,
            subject: allPods,
            ingress: [{ action: 'Deny', from: [allPods] }],
          }),
          cnp('b', {
            tier: 'Admin',
            priority: 10,
            subject: allPods,
            egress: [{ action: 'Accept', to: [allPods] }],
          }),
        ],
      }),
    },
  ],
  invalid: [
    {
      // Reported once, on the policy netfence orders second (by name for two ClusterNetworkPolicies).
      name: 'two ClusterNetworkPolicies of one priority: Deny and Accept to the same pods',
      state: withTiers({
        clusterPolicies: [
          cnp('b-allow-db', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [{ action: 'Accept', to: [db], protocols: [tcp(5432)] }],
          }),
          cnp('a-deny-data', {
            tier: 'Admin',
            priority: 10,
            subject: allPods,
            egress: [{ action: 'Deny', to: [data] }],
          }),
        ],
      }),
      findings: ['ClusterNetworkPolicy/b-allow-db spec.egress[0]'],
      messages: [
        [
          'ClusterNetworkPolicy/b-allow-db and ClusterNetworkPolicy/a-deny-data both have priority 10 in the Admin tier',
          'egress from shop/web to data/db on 5432/TCP',
          'Accept by spec.egress[0] of this policy, Deny by spec.egress[0] of ClusterNetworkPolicy/a-deny-data',
          'the API leaves the result undefined',
        ],
      ],
    },
    {
      name: 'an AdminNetworkPolicy and an Admin ClusterNetworkPolicy of one priority',
      state: withTiers({
        clusterPolicies: [
          anp('legacy', { priority: 3, subject: shop, ingress: [{ action: 'Pass', from: [data] }] }),
          cnp('new', {
            tier: 'Admin',
            priority: 3,
            subject: shop,
            ingress: [{ action: 'Deny', from: [allPods] }],
          }),
        ],
      }),
      findings: ['AdminNetworkPolicy/legacy spec.ingress[0]'],
      messages: [
        ['Pass by spec.ingress[0] of this policy, Deny by spec.ingress[0] of ClusterNetworkPolicy/new'],
      ],
    },
    {
      // Cluster policies never apply to a pod's traffic to itself: shop/web → shop/web is no example.
      name: 'the example pairs two different workloads when it can',
      state: withTiers({
        clusterPolicies: [
          cnp('a', {
            tier: 'Admin',
            priority: 7,
            subject: shop,
            ingress: [{ action: 'Deny', from: [shop] }],
          }),
          cnp('b', {
            tier: 'Admin',
            priority: 7,
            subject: shop,
            ingress: [{ action: 'Accept', from: [shop] }],
          }),
        ],
      }),
      findings: ['ClusterNetworkPolicy/b spec.ingress[0]'],
      messages: [['decide ingress from shop/api to shop/web on all traffic differently']],
    },
    {
      name: 'Baseline policies of one priority, three of them: one finding per pair that conflicts',
      state: withTiers({
        clusterPolicies: [
          cnp('a', {
            tier: 'Baseline',
            priority: 500,
            subject: allPods,
            ingress: [{ action: 'Deny', from: [allPods] }],
          }),
          cnp('b', {
            tier: 'Baseline',
            priority: 500,
            subject: shop,
            ingress: [{ action: 'Accept', from: [shop] }],
          }),
          cnp('c', {
            tier: 'Baseline',
            priority: 500,
            subject: data,
            ingress: [{ action: 'Accept', from: [shop] }],
          }),
        ],
      }),
      findings: ['ClusterNetworkPolicy/b spec.ingress[0]', 'ClusterNetworkPolicy/c spec.ingress[0]'],
    },
  ],
});

// The same as manifests: each finding at the line of the rule (or field) it is about.
const denyData = (priority: number): string =>
  cnpYaml(
    'deny-data',
    yaml`
      tier: Admin
      priority: ${priority}
      subject: {namespaces: {}}
      egress:
        - action: Deny
          to: [{namespaces: {matchLabels: {team: data}}}]
    `,
  );
const shopToDb = cnpYaml(
  'shop-to-db',
  yaml`
    tier: Admin
    priority: 10
    subject: {namespaces: {matchLabels: {team: shop}}}
    egress:
      - action: Accept  # <-
        to: [{pods: {namespaceSelector: {matchLabels: {team: data}}, podSelector: {matchLabels: {app: db}}}}]
  `,
);

ruleTester(rule, {
  valid: [
    {
      name: 'the exception has a lower priority number',
      yaml: docs(tierBaseYaml, denyData(20), shopToDb.replace('  # <-', '')),
    },
  ],
  invalid: [
    {
      name: 'the exception and the rule have the same priority',
      yaml: docs(tierBaseYaml, denyData(10), shopToDb),
    },
  ],
});
