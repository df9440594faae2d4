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
