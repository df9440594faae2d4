import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../../src/lint/rules/no-policy-selecting-nothing.ts';
import { cniEngine, deploy, docs, lintText, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(
  ns('monitoring'),
  deploy('monitoring', 'grafana'),
  deploy('monitoring', 'node-exporter', { hostNetwork: true }),
);

/** A CiliumNetworkPolicy `p` in `namespace` with this endpointSelector (marked) and one ingress rule. */
const cnp = (namespace: string, selector: string) => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: p, namespace: ${namespace}}
  spec:
    endpointSelector: ${selector}  # <-
    ingress: [{fromEntities: [cluster]}]
`;
/** The same as a CiliumClusterwideNetworkPolicy. */
const ccnp = (selector: string) => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata: {name: p}
  spec:
    endpointSelector: ${selector}  # <-
    ingress: [{fromEntities: [cluster]}]
`;

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
    {
      // Cilium rule sets select by identity labels: the pod's labels under k8s:, its namespace's.
      name: 'a CiliumNetworkPolicy and a clusterwide one selecting a workload',
      yaml: docs(
        base,
        cnp('monitoring', '{matchLabels: {k8s:app: grafana}}'),
        ccnp('{matchLabels: {k8s:io.kubernetes.pod.namespace: monitoring}}'),
      ),
    },
    {
      // reserved: labels select Cilium's own endpoints (ingress, health), which no input lists.
      name: 'a rule set selecting a reserved identity',
      yaml: docs(base, ccnp('{matchLabels: {reserved:ingress: ""}}')),
    },
    {
      name: 'a reserved identity beside a pod label, and one in a matchExpression',
      yaml: docs(
        base,
        ccnp('{matchLabels: {app: x, reserved:ingress: ""}}'),
        cnp('monitoring', '{matchExpressions: [{key: reserved:health, operator: Exists}]}'),
      ),
    },
    {
      // Without any pod in the input there is nothing to compare a clusterwide selector with.
      name: 'a clusterwide rule set in an input without pods',
      yaml: docs(ns('monitoring'), ccnp('{matchLabels: {app: prometheus}}')),
    },
    {
      // A host policy selects nodes (cilium-host's warnings say when none), not pods.
      name: 'a host policy (nodeSelector)',
      yaml: docs(
        base,
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumClusterwideNetworkPolicy
          metadata: {name: hosts}
          spec:
            nodeSelector: {matchLabels: {role: none}}
            ingress: [{fromEntities: [cluster]}]
        `,
      ),
    },
    {
      name: 'a CiliumNetworkPolicy in a namespace without workloads',
      yaml: docs(base, cnp('elsewhere', '{matchLabels: {app: x}}')),
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
    {
      name: 'a CiliumNetworkPolicy whose endpointSelector has a typo',
      yaml: docs(base, cnp('monitoring', '{matchLabels: {app: grafna}}')),
      messageIds: ['ciliumNone'],
      messages: [
        [
          'endpointSelector app=grafna selects no pod in namespace "monitoring", so the rule set does nothing. Did you mean app=grafana?',
        ],
      ],
    },
    {
      // A CiliumNetworkPolicy's endpointSelector is limited to its own namespace by the agent.
      name: 'a CiliumNetworkPolicy selecting pods of another namespace only',
      // Nor is a label of another namespace's pods suggested.
      yaml: docs(base, ns('shop'), deploy('shop', 'web'), cnp('shop', '{matchLabels: {app: grafna}}')),
      messageIds: ['ciliumNone'],
      messages: [
        [
          'endpointSelector app=grafna selects no pod in namespace "shop", so the rule set does nothing; make it match the pods it is meant for',
        ],
      ],
    },
    {
      name: 'a clusterwide rule set selecting no pod in any namespace',
      yaml: docs(base, ccnp('{matchLabels: {app: prometheus}}')),
      messageIds: ['ciliumNone'],
      messages: [
        [
          'endpointSelector app=prometheus selects no pod in any namespace, so the rule set does nothing; make it match the pods it is meant for',
        ],
      ],
    },
    {
      // A clusterwide selector may be meant for pods of any namespace: the suggestion looks at every pod.
      name: 'a clusterwide rule set with a typo',
      yaml: docs(base, ns('shop'), deploy('shop', 'web'), ccnp('{matchLabels: {app: grafna}}')),
      messageIds: ['ciliumNone'],
      messages: [
        ['selects no pod in any namespace, so the rule set does nothing. Did you mean app=grafana?'],
      ],
    },
    {
      name: 'a clusterwide rule set selecting only host-network pods of two workloads: named in order',
      yaml: docs(
        base,
        deploy('monitoring', 'zz-exporter', { hostNetwork: true, labels: { tier: 'node' } }),
        deploy('monitoring', 'agent', { hostNetwork: true, labels: { tier: 'node' } }),
        ccnp('{matchLabels: {tier: node}}'),
      ),
      messageIds: ['ciliumHostNetwork'],
      messages: [['host-network pods (monitoring/agent and monitoring/zz-exporter)']],
    },
    {
      // Host-network pods have the host's identity: no endpoint policy ever applies to them.
      name: 'a CiliumNetworkPolicy selecting only host-network pods',
      yaml: docs(base, cnp('monitoring', '{matchLabels: {app: node-exporter}}')),
      messageIds: ['ciliumHostNetwork'],
      messages: [
        [
          "endpointSelector app=node-exporter selects only host-network pods (monitoring/node-exporter), which have the host's identity: Cilium applies no endpoint policy to them, so the rule set does nothing; protect them with a host policy (nodeSelector) instead",
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

test('no-policy-selecting-nothing: a Cilium finding on host-network pods lists their workloads in order', () => {
  const input = docs(
    base,
    deploy('monitoring', 'zz-exporter', { hostNetwork: true, labels: { tier: 'node' } }),
    deploy('monitoring', 'agent', { hostNetwork: true, labels: { tier: 'node' } }),
    ccnp('{matchLabels: {tier: node}}'),
  );
  const result = lintText(input, { rules: [rule] });
  assert.deepEqual(
    result.findings.map((f) => [f.messageId, f.workloads]),
    [['ciliumHostNetwork', ['monitoring/Deployment/agent', 'monitoring/Deployment/zz-exporter']]],
  );
});
