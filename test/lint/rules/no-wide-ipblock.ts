import rule from '../../../src/lint/rules/no-wide-ipblock.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const egressTo = (block: string): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: egress, namespace: payments}
  spec:
    podSelector: {}
    policyTypes: [Egress]
    egress:
      - to:
          - ipBlock:
              ${block}
        ports: [{port: 443}]
`;
const base = docs(ns('payments'), deploy('payments', 'fraud-check'));

ruleTester(rule, {
  valid: [
    {
      // Peers without ipBlock, and a rule without peers: nothing to judge.
      name: 'egress to pods, and egress on a port to everywhere',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: egress, namespace: payments}
          spec:
            podSelector: {}
            policyTypes: [Egress]
            egress:
              - to: [{podSelector: {}}]
              - ports: [{port: 53, protocol: UDP}]
        `,
      ),
    },
    { name: 'one address', yaml: docs(base, egressTo('cidr: 198.51.100.40/32')) },
    { name: 'a /9 is narrower than the limit', yaml: docs(base, egressTo('cidr: 10.0.0.0/9')) },
    {
      name: 'the whole internet, with exceptions',
      yaml: docs(base, egressTo('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}')),
    },
    {
      // Ingress from anywhere is what a public endpoint is; only egress is judged.
      name: 'ingress from 0.0.0.0/0',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: public, namespace: payments}
          spec:
            podSelector: {}
            ingress:
              - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
        `,
      ),
    },
  ],
  invalid: [
    {
      name: '0.0.0.0/0 without except',
      yaml: docs(base, egressTo('cidr: 0.0.0.0/0  # <-')),
      messageIds: ['everything'],
      messages: [
        [
          'Egress to 0.0.0.0/0 without except lets payments/fraud-check reach every IPv4 address on TCP 443; list the addresses it needs, or add except for what it must not reach',
        ],
      ],
    },
    {
      name: '::/0 without except',
      yaml: docs(base, egressTo('cidr: ::/0  # <-')),
      messageIds: ['everything'],
      messages: [
        [
          'Egress to ::/0 without except lets payments/fraud-check reach every IPv6 address on TCP 443; list the addresses it needs, or add except for what it must not reach',
        ],
      ],
    },
    {
      name: 'a /8',
      yaml: docs(base, egressTo('cidr: 10.0.0.0/8  # <-')),
      messageIds: ['wide'],
      messages: [
        [
          'Egress to 10.0.0.0/8 (16,777,216 addresses) without except lets payments/fraud-check reach all of them on TCP 443; list the addresses it needs, or add except for what it must not reach',
        ],
      ],
    },
    {
      name: 'an IPv6 /32',
      yaml: docs(base, egressTo('cidr: 2001:db8::/32  # <-')),
      messageIds: ['wide'],
      messages: [
        [
          'Egress to 2001:db8::/32 (2^96 addresses) without except lets payments/fraud-check reach all of them on TCP 443; list the addresses it needs, or add except for what it must not reach',
        ],
      ],
    },
  ],
});
