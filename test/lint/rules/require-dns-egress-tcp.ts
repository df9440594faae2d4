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
    {
      name: 'UDP 53 only',
      messages: [
        [
          'Egress of data/report-exporter is restricted, but nothing allows DNS over TCP port 53 to kube-system/coredns, so lookups whose answers do not fit in UDP fail; add TCP 53 next to UDP 53 in the rule to the DNS pods (namespace kube-system, pods k8s-app=kube-dns)',
        ],
      ],
      yaml: docs(base, dnsRule('[{protocol: UDP, port: 53}]', '  # <-')),
    },
    {
      name: 'UDP 53 only, DNS pods not in the input',
      messages: [
        [
          'Egress of data/report-exporter is restricted, but nothing allows DNS over TCP port 53, so lookups whose answers do not fit in UDP fail; add TCP 53 next to UDP 53 in the rule to the cluster DNS (namespace kube-system, pods k8s-app=kube-dns)',
        ],
      ],
      yaml: docs(
        ns('data'),
        deploy('data', 'report-exporter'),
        dnsRule('[{protocol: UDP, port: 53}]', '  # <-'),
      ),
    },
  ],
});
