import rule from '../../../src/lint/rules/no-unknown-named-port.ts';
import { coredns, deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(
  ns('payments'),
  deploy('payments', 'gateway', { ports: ['grpc:50051', 'metrics:9102'] }),
  deploy('payments', 'fraud-check', { ports: ['http:8000', 'metrics:9102'] }),
  coredns(),
);
const ingressPorts = (ports: string): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: scrape, namespace: payments}
  spec:
    podSelector: {}
    ingress:
      - ports:
          ${ports}
`;

ruleTester(rule, {
  valid: [
    { name: 'a name every selected pod defines', yaml: docs(base, ingressPorts('- port: metrics')) },
    { name: 'a name some selected pods define', yaml: docs(base, ingressPorts('- port: grpc')) },
    {
      name: 'an egress name defined by the destination pods',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: dns, namespace: payments}
          spec:
            podSelector: {}
            egress:
              - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
                ports: [{protocol: UDP, port: dns}]
        `,
      ),
    },
    {
      // No "to": every pod of the cluster is a destination, CoreDNS's dns among them.
      name: 'an egress name towards everything',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: out, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            egress:
              - ports:
                  - {port: dns, protocol: UDP}
        `,
      ),
    },
    {
      name: 'an egress name towards every pod of every namespace',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: out, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            egress:
              - to: [{namespaceSelector: {}}]
                ports:
                  - {port: dns, protocol: UDP}
        `,
      ),
    },
  ],
  invalid: [
    {
      name: 'an egress name towards everything that no pod defines',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: out, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            egress:
              - ports:
                  - port: grcp  # <-
        `,
      ),
      messageIds: ['undefined'],
    },
    {
      // Selectors never match host-network pods: their named ports are none of the destinations'.
      name: 'an egress name only a host-network pod defines, towards every pod',
      yaml: docs(
        base,
        deploy('payments', 'node-agent', { hostNetwork: true, ports: ['agent:9000'] }),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: out, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            egress:
              - to: [{namespaceSelector: {}}]
                ports:
                  - port: agent  # <-
        `,
      ),
      messageIds: ['undefined'],
    },
    {
      name: 'a name on a protocol the selected pods name no port of',
      yaml: docs(base, ingressPorts('- {port: web, protocol: UDP}  # <-')),
      messages: [
        [
          'Named port "web" (UDP) is defined by none of the pods this policy selects (payments/fraud-check and payments/gateway), so it allows nothing; they name no UDP port, so use the number',
        ],
      ],
    },
    {
      name: 'a name no selected pod defines (the message suggests "metrics")',
      yaml: docs(base, ingressPorts('- port: http-metrics  # <-')),
      messageIds: ['undefined'],
      messages: [
        [
          'Named port "http-metrics" (TCP) is defined by none of the pods this policy selects (payments/fraud-check and payments/gateway), so it allows nothing. Did you mean "metrics"?',
        ],
      ],
    },
    {
      // The selected pods define "metrics" for TCP only.
      name: 'the right name with the wrong protocol',
      yaml: docs(base, ingressPorts('- {protocol: UDP, port: metrics}  # <-')),
      messageIds: ['protocol'],
      messages: [
        [
          'Named port "metrics" is TCP on the pods this policy selects (payments/fraud-check and payments/gateway), not UDP, so it allows nothing; set protocol: TCP',
        ],
      ],
    },
    {
      name: 'an egress name the destination pods do not define',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: to-gateway, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: fraud-check}}
            egress:
              - to: [{podSelector: {matchLabels: {app: gateway}}}]
                ports:
                  - port: http  # <-
        `,
      ),
      messageIds: ['undefined'],
      messages: [
        [
          'Named port "http" (TCP) is defined by none of the destination pods (payments/gateway), so it allows nothing; they define "grpc", "metrics"',
        ],
      ],
    },
    {
      name: 'a name towards addresses outside the cluster',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: to-provider, namespace: payments}
          spec:
            podSelector: {matchLabels: {app: gateway}}
            egress:
              - to: [{ipBlock: {cidr: 203.0.113.0/24}}]
                ports:
                  - port: https  # <-
        `,
      ),
      messageIds: ['ipBlock'],
      messages: [
        [
          'Named port "https" can only match pods, but this rule\u2019s destinations are ipBlocks outside the cluster, so it allows nothing; use the port number',
        ],
      ],
    },
  ],
});
