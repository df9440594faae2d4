import rule from '../../../src/lint/rules/no-useless-pass.ts';
import { anp, banp, cnp, policy } from '../../support/builders.ts';
import { docs, ruleTester, stateRuleTester, yaml } from '../helpers.ts';
import { allPods, shop, data, db, tcp, withTiers, cnpYaml, tierBaseYaml } from '../tier-fixtures.ts';

const passToDb = cnp('pass-db', {
  tier: 'Admin',
  priority: 10,
  subject: shop,
  egress: [{ action: 'Pass', to: [db] }],
});

stateRuleTester(rule, {
  valid: [
    {
      name: 'NetworkPolicies isolate the pods for that direction: they decide what is passed',
      state: withTiers({
        clusterPolicies: [passToDb],
        policies: [policy('shop', 'default-deny', { podSelector: {}, policyTypes: ['Egress'] })],
      }),
    },
    {
      name: 'a Baseline Deny decides what is passed',
      state: withTiers({
        clusterPolicies: [
          passToDb,
          cnp('baseline', {
            tier: 'Baseline',
            priority: 10,
            subject: allPods,
            egress: [{ action: 'Deny', to: [data] }],
          }),
        ],
      }),
    },
    {
      name: 'the BaselineAdminNetworkPolicy denies what is passed',
      state: withTiers({
        clusterPolicies: [passToDb, banp({ subject: shop, egress: [{ action: 'Deny', to: [allPods] }] })],
      }),
    },
    {
      // Without the Pass, the next rule would deny it: the Pass is an exception.
      name: 'a later rule of the same policy denies what is passed',
      state: withTiers({
        clusterPolicies: [
          cnp('shop', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [
              { action: 'Pass', to: [db], protocols: [tcp(5432)] },
              { action: 'Deny', to: [allPods] },
            ],
          }),
        ],
      }),
    },
    {
      name: 'a later Admin policy denies what is passed',
      state: withTiers({
        clusterPolicies: [
          passToDb,
          anp('deny-db', { priority: 900, subject: allPods, egress: [{ action: 'Deny', to: [db] }] }),
        ],
      }),
    },
    {
      // Equal priorities have no defined order: the other policy may come later.
      name: 'an Admin policy of the same priority denies what is passed',
      state: withTiers({
        clusterPolicies: [
          passToDb,
          cnp('deny-db', {
            tier: 'Admin',
            priority: 10,
            subject: allPods,
            egress: [{ action: 'Deny', to: [db] }],
          }),
        ],
      }),
    },
    {
      name: 'a Pass in the Baseline tier (not about delegating to NetworkPolicies)',
      state: withTiers({
        clusterPolicies: [
          cnp('baseline', {
            tier: 'Baseline',
            priority: 10,
            subject: shop,
            egress: [{ action: 'Pass', to: [db] }],
          }),
        ],
      }),
    },
    {
      // That rule decides nothing at all: no-shadowed-tier-rule reports it.
      name: 'a Pass that an earlier rule shadows entirely',
      state: withTiers({
        clusterPolicies: [
          cnp('shop', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [
              { action: 'Accept', to: [data] },
              { action: 'Pass', to: [db] },
            ],
          }),
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'no NetworkPolicy and no Baseline rule: allowed with and without the Pass',
      state: withTiers({ clusterPolicies: [passToDb] }),
      findings: ['ClusterNetworkPolicy/pass-db spec.egress[0]'],
      messages: [['no NetworkPolicy isolates shop/api and shop/web for egress']],
    },
    {
      // A Baseline Accept ends in "allowed" too.
      name: 'only a Baseline Accept matches what is passed',
      state: withTiers({
        clusterPolicies: [
          passToDb,
          cnp('baseline', {
            tier: 'Baseline',
            priority: 10,
            subject: allPods,
            egress: [{ action: 'Accept', to: [db] }],
          }),
        ],
      }),
      findings: ['ClusterNetworkPolicy/pass-db spec.egress[0]'],
    },
    {
      // The Pass decides everything but TCP 5432; the later Deny matches only TCP 5432, which the earlier
      // Accept decides: nothing the Pass hands on is denied anywhere.
      name: 'a later Deny matches only traffic an earlier rule decides',
      state: withTiers({
        clusterPolicies: [
          anp('shop', {
            priority: 10,
            subject: shop,
            egress: [
              { action: 'Allow', to: [db], ports: [{ portNumber: { protocol: 'TCP', port: 5432 } }] },
              { action: 'Pass', to: [db] },
            ],
          }),
          cnp('deny-5432', {
            tier: 'Admin',
            priority: 20,
            subject: allPods,
            egress: [{ action: 'Deny', to: [db], protocols: [tcp(5432)] }],
          }),
        ],
      }),
      findings: ['AdminNetworkPolicy/shop spec.egress[1]'],
    },
    {
      name: 'NetworkPolicies isolate the pods for ingress only; the Pass is an egress rule',
      state: withTiers({
        clusterPolicies: [passToDb],
        policies: [policy('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] })],
      }),
      findings: ['ClusterNetworkPolicy/pass-db spec.egress[0]'],
    },
  ],
});

// The same as manifests: each finding at the line of the rule (or field) it is about.
const delegate = (marker: string): string =>
  cnpYaml(
    'delegate-shop',
    yaml`
      tier: Admin
      priority: 50
      subject: {namespaces: {matchLabels: {team: shop}}}
      ingress:
        - action: Pass${marker}
          from: [{namespaces: {}}]
    `,
  );

ruleTester(rule, {
  valid: [
    {
      name: 'a NetworkPolicy isolates the pods the Pass hands on',
      yaml: docs(
        tierBaseYaml,
        delegate(''),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {}
            ingress: [{from: [{podSelector: {}}]}]
        `,
      ),
    },
  ],
  invalid: [
    {
      name: 'nothing isolates shop and no Baseline rule denies',
      yaml: docs(tierBaseYaml, delegate('  # <-')),
    },
  ],
});
