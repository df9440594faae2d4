import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../../src/lint/rules/no-policy-selecting-nothing.ts';
import { cniEngine, deploy, docs, lintText, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(
  ns('monitoring'),
  deploy('monitoring', 'grafana'),
  deploy('monitoring', 'node-exporter', { hostNetwork: true }),
);

ruleTester(rule, {
  valid: [
    {
      // Cilium 1.15 leaves a policy with endPort out (cilium#28704): no-unenforced-endport says so, not this rule.
      name: 'a policy the CNI profile leaves out for its endPort',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: scrape, namespace: monitoring}
          spec:
            podSelector: {}
            ingress: [{ports: [{port: 9100, endPort: 9199}]}]
        `,
      ),
      engine: cniEngine('cilium@1.15'),
    },
    {
      name: 'a selector matching a workload',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-grafana, namespace: monitoring}
          spec:
            podSelector: {matchLabels: {app: grafana}}
        `,
      ),
    },
    {
      // The namespace has no workloads in the input: no-policy-in-empty-namespace judges it.
      name: 'a policy in a namespace without workloads',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: elsewhere}
          spec:
            podSelector: {matchLabels: {app: x}}
        `,
      ),
    },
  ],
  invalid: [
    {
      // Without a CNI profile an endPort is enforced: the policy is judged as any other.
      name: 'a policy with endPort selecting nothing, no CNI profile; labels close to none',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: scrape, namespace: monitoring}
          spec:
            podSelector: {matchLabels: {tier: cache}}  # <-
            ingress: [{ports: [{port: 9100, endPort: 9199}]}]
        `,
      ),
      messages: [
        [
          'podSelector tier=cache matches no pod in namespace "monitoring", so the policy does nothing; make it match the pods it is meant for',
        ],
      ],
    },
    {
      // Cilium 1.15 leaves out only the policies with endPort.
      name: 'a policy without endPort selecting nothing, under cilium@1.15',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: scrape, namespace: monitoring}
          spec:
            podSelector: {matchLabels: {app: grafna}}  # <-
            ingress: [{ports: [{port: 9100}]}]
        `,
      ),
      engine: cniEngine('cilium@1.15'),
      messageIds: ['none'],
    },
    {
      name: 'a label typo (the message suggests app=grafana)',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-grafana, namespace: monitoring}
          spec:
            podSelector:  # <-
              matchLabels: {app: grafna}
        `,
      ),
      messageIds: ['none'],
      messages: [
        [
          'podSelector app=grafna matches no pod in namespace "monitoring", so the policy does nothing. Did you mean app=grafana?',
        ],
      ],
    },
    {
      name: 'a selector that matches only host-network pods',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: node-exporter, namespace: monitoring}
          spec:
            podSelector: {matchLabels: {app: node-exporter}}  # <-
        `,
      ),
      messageIds: ['hostNetwork'],
      messages: [
        [
          'podSelector app=node-exporter matches only host-network pods (monitoring/node-exporter), which NetworkPolicies never apply to, so the policy does nothing; protect them on the nodes instead',
        ],
      ],
    },
  ],
});

test('no-policy-selecting-nothing: a finding on host-network pods names their workloads', () => {
  const policy = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: node-exporter, namespace: monitoring}
    spec:
      podSelector: {matchLabels: {app: node-exporter}}
  `;
  const result = lintText(docs(base, policy), { rules: [rule] });
  assert.deepEqual(
    result.findings.map((f) => [f.ruleId, f.line, f.workloads]),
    // line 47: the podSelector
    [['no-policy-selecting-nothing', 47, ['monitoring/Deployment/node-exporter']]],
  );
});
