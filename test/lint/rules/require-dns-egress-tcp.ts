import rule from '../../../src/lint/rules/require-dns-egress-tcp.ts';
import { coredns, deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('data'), deploy('data', 'report-exporter'), coredns());
const dnsRule = (ports: string, marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: report-exporter-egress, namespace: data}
  spec:
    podSelector: {matchLabels: {app: report-exporter}}
    policyTypes: [Egress]
    egress:${marker}
      - to:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
            podSelector: {matchLabels: {k8s-app: kube-dns}}
        ports: ${ports}
`;

ruleTester(rule, {
  valid: [
    {
      name: 'UDP and TCP 53',
      yaml: docs(base, dnsRule('[{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]')),
    },
    {
      name: 'TCP by its port name (dns-tcp)',
      yaml: docs(base, dnsRule('[{protocol: UDP, port: 53}, {port: dns-tcp}]')),
    },
    {
      // Without the DNS pods in the input, any rule on TCP 53 is taken as the DNS rule.
      name: 'the DNS pods are not in the input',
      yaml: docs(
        ns('data'),
        deploy('data', 'report-exporter'),
        dnsRule('[{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]'),
      ),
    },
  ],
  invalid: [
    { name: 'UDP 53 only', yaml: docs(base, dnsRule('[{protocol: UDP, port: 53}]', '  # <-')) },
    {
      name: 'UDP 53 only, DNS pods not in the input',
      yaml: docs(
        ns('data'),
        deploy('data', 'report-exporter'),
        dnsRule('[{protocol: UDP, port: 53}]', '  # <-'),
      ),
    },
  ],
});
