import rule from '../../../src/lint/rules/require-dns-egress-udp.ts';
import { coredns, deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('data'), deploy('data', 'report-exporter'), coredns());
const restricted = (egress: string, marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: report-exporter-egress, namespace: data}
  spec:
    podSelector: {matchLabels: {app: report-exporter}}
    policyTypes: [Egress]
    egress:${marker}
      ${egress}
`;

ruleTester(rule, {
  valid: [
    {
      name: 'DNS to the kube-dns pods on UDP and TCP 53',
      yaml: docs(
        base,
        restricted(
          yaml`
          - to:
              - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                podSelector: {matchLabels: {k8s-app: kube-dns}}
            ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
        `.replaceAll('\n', '\n      '),
        ),
      ),
    },
    {
      // The port name resolves against the destination pods: CoreDNS calls 53/UDP "dns".
      name: 'DNS by the port name the CoreDNS pods define',
      yaml: docs(base, restricted('- ports: [{protocol: UDP, port: dns}]')),
    },
    {
      // NodeLocal DNSCache answers on a link-local address: any address allowed on 53 counts.
      name: 'DNS to an address (NodeLocal DNSCache)',
      yaml: docs(
        base,
        restricted('- {to: [{ipBlock: {cidr: 169.254.20.10/32}}], ports: [{protocol: UDP, port: 53}]}'),
      ),
    },
    { name: 'egress not restricted', yaml: base },
  ],
  invalid: [
    {
      name: 'egress restricted to postgres only',
      yaml: docs(base, restricted('- to: [{podSelector: {matchLabels: {app: postgres}}}]', '  # <-')),
    },
    {
      // Policies see pod addresses after Service translation: an ipBlock of the Service IP allows nothing.
      name: 'DNS "allowed" to the kube-dns Service IP',
      yaml: docs(
        base,
        restricted(
          '- {to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{protocol: TCP, port: 53}]}',
          '  # <-',
        ),
      ),
    },
    {
      name: 'a namespace-wide deny is blamed (one DNS rule there fixes every pod)',
      yaml: docs(
        base,
        deploy('data', 'postgres'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: default-deny-egress, namespace: data}
          spec:
            podSelector: {}
            policyTypes: [Egress]  # <-
        `,
      ),
    },
  ],
});

// Cluster-wide policy tiers: an Admin rule decides before any NetworkPolicy.
const adminEgress = (rules: string): string => yaml`
  apiVersion: policy.networking.k8s.io/v1beta1
  kind: ClusterNetworkPolicy
  metadata: {name: data-egress}
  spec:
    tier: Admin
    priority: 10
    subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: data}}}
    egress:
      ${rules}
`;
const denyAll = yaml`
  - action: Deny
    to: [{namespaces: {}}, {networks: [0.0.0.0/0, "::/0"]}]
`;

ruleTester(rule, {
  valid: [
    {
      // The Admin Accept decides DNS before the NetworkPolicy (which allows none) is consulted.
      name: 'an Admin Accept of DNS before an Admin Deny of everything',
      yaml: docs(
        base,
        restricted('[]'),
        adminEgress(
          yaml`
          - action: Accept
            to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}]
            protocols: [{udp: {destinationPort: {number: 53}}}, {tcp: {destinationPort: {number: 53}}}]
          ${denyAll.replaceAll('\n', '\n          ')}
        `.replaceAll('\n', '\n      '),
        ),
      ),
    },
  ],
  invalid: [
    {
      // No NetworkPolicy restricts the pod, the Admin Deny does: the finding points at that rule.
      name: 'an Admin Deny of everything, without a DNS allowance before it',
      yaml: docs(base, adminEgress(denyAll.replace('Deny', 'Deny  # <-').replaceAll('\n', '\n      '))),
      messageIds: ['deniedByTier'],
    },
  ],
});
