/**
 * no-unknown-named-port beyond its table (test/lint/rules/no-unknown-named-port.ts): a named port beside a
 * number in one rule, peers that match no pod (an ipBlock beside them or not), the names the message lists
 * (sorted), the protocol it names when the destinations define the name on two others, and the field and
 * workloads of each finding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/no-unknown-named-port.ts';
import { coredns, deploy, docs, ns, yaml } from './helpers.ts';
import { findingsOf } from './rule-details.ts';

const base = docs(
  ns('payments'),
  deploy('payments', 'gateway', { ports: ['grpc:50051', 'metrics:9102'] }),
  deploy('payments', 'fraud-check', { ports: ['http:8000', 'metrics:9102'] }),
  deploy('payments', 'alpha', { ports: ['dns:53/UDP'] }),
  deploy('payments', 'beta', { ports: ['dns:53/SCTP'] }),
  coredns(),
);

test('named ports beside numbers, peers matching no pod, names on other protocols', () => {
  // Egress rules 0 and 1 have pod peers that match no pod: no-dead-peer's finding, not this rule's; rule 2
  // has only an ipBlock. Rule 3's destinations define dns on UDP (alpha, met first in class order) and SCTP.
  const text = docs(
    base,
    yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: scrape, namespace: payments}
  spec:
    podSelector: {matchExpressions: [{key: app, operator: In, values: [gateway, fraud-check]}]}
    ingress:
      - ports:
          - port: 9102
          - protocol: TCP
            port: zzzzzz
  ---
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: out, namespace: payments}
  spec:
    podSelector: {matchLabels: {app: gateway}}
    policyTypes: [Egress]
    egress:
      - to: [{podSelector: {matchLabels: {app: none}}}]
        ports: [{port: metrics}]
      - to: [{ipBlock: {cidr: 203.0.113.0/24}}, {podSelector: {matchLabels: {app: none}}}]
        ports: [{port: metrics}]
      - to: [{ipBlock: {cidr: 203.0.113.0/24}}]
        ports: [{port: metrics}]
      - to: [{podSelector: {matchLabels: {app: beta}}}, {podSelector: {matchLabels: {app: alpha}}}]
        ports: [{port: dns}]
`,
  );
  assert.deepEqual(findingsOf(rule, text), [
    {
      at: '140 payments/NetworkPolicy/scrape spec.ingress[0].ports[1].port',
      message:
        'Named port "zzzzzz" (TCP) is defined by none of the pods this policy selects (payments/fraud-check and payments/gateway), so it allows nothing; they define "grpc", "http", "metrics"',
      workloads: ['payments/Deployment/fraud-check', 'payments/Deployment/gateway'],
    },
    {
      at: '154 payments/NetworkPolicy/out spec.egress[2].ports[0].port',
      message:
        'Named port "metrics" can only match pods, but this rule’s destinations are ipBlocks outside the cluster, so it allows nothing; use the port number',
      workloads: [],
    },
    {
      at: '156 payments/NetworkPolicy/out spec.egress[3].ports[0].port',
      message:
        'Named port "dns" is UDP on the destination pods (payments/alpha and payments/beta), not TCP, so it allows nothing; set protocol: UDP',
      workloads: ['payments/Deployment/alpha', 'payments/Deployment/beta'],
    },
  ]);
});
