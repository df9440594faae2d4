import rule from '../../../src/lint/rules/no-shadowed-tier-rule.ts';
import { anp, banp, cnp } from '../../support/builders.ts';
import { docs, ruleTester, stateRuleTester } from '../helpers.ts';
import { allPods, shop, db, tcp, withTiers, cnpYaml, tierBaseYaml } from '../tier-fixtures.ts';

stateRuleTester(rule, {
  valid: [
    {
      name: 'a later rule that still decides some ports',
      state: withTiers({
        clusterPolicies: [
          cnp('db', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [
              { action: 'Accept', to: [db], protocols: [tcp(5432)] },
              { action: 'Deny', to: [db] },
            ],
          }),
        ],
      }),
    },
    {
      // Every port of the three protocols is not "no ports": a rule without protocols also matches ICMP.
      name: 'a rule without protocols after one with every TCP, UDP and SCTP port',
      state: withTiers({
        clusterPolicies: [
          cnp('db', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [
              {
                action: 'Deny',
                to: [db],
                protocols: ['tcp', 'udp', 'sctp'].map((p) => ({
                  [p]: { destinationPort: { range: { start: 1, end: 65535 } } },
                })),
              },
              { action: 'Pass', to: [db] },
            ],
          }),
        ],
      }),
    },
    {
      // The API leaves equal priorities unordered: neither shadows the other (no-tier-priority-overlap).
      name: 'a policy of the same priority',
      state: withTiers({
        clusterPolicies: [
          cnp('deny-all', {
            tier: 'Admin',
            priority: 10,
            subject: allPods,
            egress: [{ action: 'Deny', to: [allPods] }],
          }),
          cnp('db', { tier: 'Admin', priority: 10, subject: shop, egress: [{ action: 'Accept', to: [db] }] }),
        ],
      }),
    },
    {
      // Two policies cover web and api between them, but neither selects all of shop: pods added to shop later
      // would reach the rule.
      name: 'higher-precedence policies that each select only some of its pods',
      state: withTiers({
        clusterPolicies: [
          cnp('web', {
            tier: 'Admin',
            priority: 1,
            subject: { pods: { podSelector: { matchLabels: { app: 'web' } } } },
            egress: [{ action: 'Deny', to: [allPods] }],
          }),
          cnp('api', {
            tier: 'Admin',
            priority: 2,
            subject: { pods: { podSelector: { matchLabels: { app: 'api' } } } },
            egress: [{ action: 'Deny', to: [allPods] }],
          }),
          cnp('db', { tier: 'Admin', priority: 10, subject: shop, egress: [{ action: 'Accept', to: [db] }] }),
        ],
      }),
    },
    {
      name: 'an Admin rule does not shadow a Baseline rule (NetworkPolicies sit between the tiers)',
      state: withTiers({
        clusterPolicies: [
          cnp('deny-all', {
            tier: 'Admin',
            priority: 0,
            subject: allPods,
            egress: [{ action: 'Deny', to: [allPods] }],
          }),
          cnp('db', {
            tier: 'Baseline',
            priority: 10,
            subject: shop,
            egress: [{ action: 'Accept', to: [db] }],
          }),
        ],
      }),
    },
    {
      // What a DNS name resolves to is not known statically.
      name: 'a domainNames rule after a rule that denies every address',
      state: withTiers({
        clusterPolicies: [
          cnp('egress', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [
              { action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
              { action: 'Accept', to: [{ domainNames: ['api.example.com'] }] },
            ],
          }),
        ],
      }),
    },
    {
      name: 'a policy that selects no pod',
      state: withTiers({
        clusterPolicies: [
          cnp('nothing', {
            tier: 'Admin',
            priority: 10,
            subject: { namespaces: { matchLabels: { team: 'none' } } },
            egress: [
              { action: 'Deny', to: [allPods] },
              { action: 'Accept', to: [db] },
            ],
          }),
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'an Accept after a Deny of every pod in the same policy',
      state: withTiers({
        clusterPolicies: [
          cnp('shop-egress', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [
              { name: 'deny-all', action: 'Deny', to: [allPods] },
              { action: 'Accept', to: [db], protocols: [tcp(5432)] },
            ],
          }),
        ],
      }),
      findings: ['ClusterNetworkPolicy/shop-egress spec.egress[1]'],
      messageIds: ['overridden'],
      messages: [
        ['Admin egress Accept rule never applies', 'spec.egress[0] "deny-all" of this policy', '(Deny)'],
      ],
    },
    {
      name: 'a rule already decided by an earlier rule of the same action',
      state: withTiers({
        clusterPolicies: [
          cnp('shop-egress', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [
              { action: 'Accept', to: [{ namespaces: { matchLabels: { team: 'data' } } }] },
              { action: 'Accept', to: [db], protocols: [tcp(5432)] },
            ],
          }),
        ],
      }),
      findings: ['ClusterNetworkPolicy/shop-egress spec.egress[1]'],
      messageIds: ['redundant'],
      messages: [
        [
          'This Admin egress rule never decides anything: ',
          ' already decides all the traffic it matches, with the same action (Accept); remove it',
        ],
      ],
    },
    {
      name: 'a rule decided by a higher-precedence policy that selects all of its pods',
      state: withTiers({
        clusterPolicies: [
          cnp('deny-db', {
            tier: 'Admin',
            priority: 5,
            subject: allPods,
            egress: [{ action: 'Deny', to: [db] }],
          }),
          cnp('shop-db', {
            tier: 'Admin',
            priority: 10,
            subject: shop,
            egress: [{ action: 'Accept', to: [db] }],
          }),
        ],
      }),
      findings: ['ClusterNetworkPolicy/shop-db spec.egress[0]'],
      messages: [['spec.egress[0] of ClusterNetworkPolicy/deny-db']],
    },
    {
      // Pass decides too: it ends the tier for that traffic, so later Admin rules never see it.
      name: 'a rule after a Pass of the same traffic',
      state: withTiers({
        clusterPolicies: [
          anp('shop', {
            priority: 10,
            subject: shop,
            ingress: [
              { action: 'Pass', from: [allPods] },
              { action: 'Deny', from: [db], ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }] },
            ],
          }),
        ],
      }),
      findings: ['AdminNetworkPolicy/shop spec.ingress[1]'],
      messageIds: ['overridden'],
    },
    {
      // The ANP and the CNP share the Admin tier, by priority.
      name: 'an AdminNetworkPolicy rule decided by a ClusterNetworkPolicy of the Admin tier',
      state: withTiers({
        clusterPolicies: [
          cnp('deny-db', {
            tier: 'Admin',
            priority: 5,
            subject: allPods,
            ingress: [{ action: 'Deny', from: [db] }],
          }),
          anp('allow-db', { priority: 6, subject: shop, ingress: [{ action: 'Allow', from: [db] }] }),
        ],
      }),
      findings: ['AdminNetworkPolicy/allow-db spec.ingress[0]'],
    },
    {
      // The BaselineAdminNetworkPolicy comes after every Baseline ClusterNetworkPolicy.
      name: 'a BaselineAdminNetworkPolicy rule decided by a Baseline ClusterNetworkPolicy',
      state: withTiers({
        clusterPolicies: [
          cnp('baseline', {
            tier: 'Baseline',
            priority: 1000,
            subject: allPods,
            ingress: [{ action: 'Deny', from: [allPods] }],
          }),
          banp({ subject: shop, ingress: [{ action: 'Allow', from: [shop] }] }),
        ],
      }),
      findings: ['BaselineAdminNetworkPolicy/default spec.ingress[0]'],
    },
    {
      // Named ports resolve per destination pod: on web, "http" is 8080, which the first rule decides.
      name: 'a named-port rule whose port an earlier numeric rule decides',
      state: withTiers({
        clusterPolicies: [
          cnp('web', {
            tier: 'Admin',
            priority: 10,
            subject: { pods: { podSelector: { matchLabels: { app: 'web' } } } },
            ingress: [
              { action: 'Deny', from: [allPods], protocols: [tcp(8080)] },
              { action: 'Accept', from: [shop], protocols: [{ destinationNamedPort: 'http' }] },
            ],
          }),
        ],
      }),
      findings: ['ClusterNetworkPolicy/web spec.ingress[1]'],
    },
  ],
});

// The same as manifests: each finding at the line of the rule (or field) it is about.
const acceptDb = (marker: string): string =>
  `- action: Accept${marker}\n  to: [{pods: {namespaceSelector: {matchLabels: {team: data}}, podSelector: {matchLabels: {app: db}}}}]`;
const denyData = (marker: string): string =>
  `- action: Deny${marker}\n  to: [{namespaces: {matchLabels: {team: data}}}]`;
/** An Admin policy for shop's egress with these rules. */
const shopEgress = (...rules: string[]): string =>
  cnpYaml(
    'shop-egress',
    [
      'tier: Admin',
      'priority: 10',
      'subject: {namespaces: {matchLabels: {team: shop}}}',
      'egress:',
      ...rules.map((r) => r.replaceAll(/^/gm, '  ')),
    ].join('\n'),
  );
ruleTester(rule, {
  valid: [
    {
      name: 'the exception before the rule it is an exception to',
      yaml: docs(tierBaseYaml, shopEgress(acceptDb(''), denyData(''))),
    },
  ],
  invalid: [
    {
      name: 'the exception after the rule it is an exception to, and a duplicate of that rule',
      yaml: docs(tierBaseYaml, shopEgress(denyData(''), acceptDb('  # <-'), denyData('  # <-'))),
      messageIds: ['overridden', 'redundant'],
    },
  ],
});
