import rule from '../../../src/lint/rules/require-dns-egress-udp.ts';
import { coredns, deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('data'), deploy('data', 'report-exporter'), coredns());
const withoutDns = docs(ns('data'), deploy('data', 'report-exporter'));
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
    {
      // The DNS servers resolve through upstream servers: their own restricted egress is not this rule's finding.
      name: 'the DNS pods with restricted egress',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: default-deny-egress, namespace: kube-system}
          spec: {podSelector: {}, policyTypes: [Egress]}
        `,
      ),
    },
    {
      // Without the DNS pods in the input, one rule on UDP 53 of any policy of the pods is enough.
      name: 'without the DNS pods in the input, one rule of two policies allows UDP 53',
      yaml: docs(
        withoutDns,
        restricted(
          '- {to: [{podSelector: {matchLabels: {app: resolver}}}], ports: [{protocol: UDP, port: 53}]}\n- {to: [{podSelector: {matchLabels: {app: postgres}}}], ports: [{port: 5432}]}'.replaceAll(
            '\n',
            '\n      ',
          ),
        ),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: report-exporter-postgres, namespace: data}
          spec:
            podSelector: {matchLabels: {app: report-exporter}}
            egress: [{to: [{podSelector: {matchLabels: {app: postgres}}}], ports: [{port: 5432}]}]
        `,
      ),
    },
    {
      // No `to`: every destination on UDP 53, the cluster DNS among them.
      name: 'UDP 53 to every destination',
      yaml: docs(base, restricted('- ports: [{protocol: UDP, port: 53}]')),
    },
    // The DNS pods are not in the input: any rule that allows UDP 53 counts, whoever its peers are.
    {
      name: 'without the DNS pods in the input, UDP 53 to the pods of every namespace',
      yaml: docs(
        withoutDns,
        restricted('- {to: [{namespaceSelector: {}}], ports: [{protocol: UDP, port: 53}]}'),
      ),
    },
    {
      name: 'without the DNS pods in the input, UDP 53 to some pods',
      yaml: docs(
        withoutDns,
        restricted(
          '- {to: [{podSelector: {matchLabels: {app: report-exporter}}}], ports: [{protocol: UDP, port: 53}]}',
        ),
      ),
    },
    {
      name: 'without the DNS pods in the input, UDP 53 to pods that do not exist',
      yaml: docs(
        withoutDns,
        restricted(
          '- {to: [{podSelector: {matchLabels: {app: resolver}}}], ports: [{protocol: UDP, port: 53}]}',
        ),
      ),
    },
    {
      name: 'without the DNS pods in the input, a UDP port named like DNS',
      yaml: docs(
        withoutDns,
        restricted(
          '- {to: [{podSelector: {matchLabels: {app: resolver}}}], ports: [{protocol: UDP, port: dns-udp}]}',
        ),
      ),
    },
  ],
  invalid: [
    {
      name: 'without the DNS pods in the input, TCP 53 to some pods',
      messages: [
        [
          'Egress of data/report-exporter is restricted, but nothing allows DNS over UDP port 53, so every name lookup fails; add an egress rule to the cluster DNS (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53',
        ],
      ],
      yaml: docs(
        withoutDns,
        restricted(
          '- {to: [{podSelector: {matchLabels: {app: report-exporter}}}], ports: [{protocol: TCP, port: 53}]}',
          '  # <-',
        ),
      ),
    },
    {
      name: 'without the DNS pods in the input, TCP 53 only',
      messages: [
        [
          'Egress of data/report-exporter is restricted, but nothing allows DNS over UDP port 53, so every name lookup fails; add an egress rule to the cluster DNS (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53',
        ],
      ],
      yaml: docs(
        withoutDns,
        restricted('- {to: [{namespaceSelector: {}}], ports: [{protocol: TCP, port: 53}]}', '  # <-'),
      ),
    },
    {
      name: 'without the DNS pods in the input, a TCP port named like DNS',
      messages: [
        [
          'Egress of data/report-exporter is restricted, but nothing allows DNS over UDP port 53, so every name lookup fails; add an egress rule to the cluster DNS (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53',
        ],
      ],
      yaml: docs(
        withoutDns,
        restricted(
          '- {to: [{podSelector: {matchLabels: {app: resolver}}}], ports: [{protocol: TCP, port: dns-tcp}]}',
          '  # <-',
        ),
      ),
    },
    {
      name: 'without the DNS pods in the input, a UDP port with another name',
      messages: [
        [
          'Egress of data/report-exporter is restricted, but nothing allows DNS over UDP port 53, so every name lookup fails; add an egress rule to the cluster DNS (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53',
        ],
      ],
      yaml: docs(
        withoutDns,
        restricted(
          '- {to: [{podSelector: {matchLabels: {app: resolver}}}], ports: [{protocol: UDP, port: syslog}]}',
          '  # <-',
        ),
      ),
    },
    {
      name: 'egress restricted to postgres only',
      messages: [
        [
          'Egress of data/report-exporter is restricted, but nothing allows DNS over UDP port 53 to kube-system/coredns, so every name lookup fails; add an egress rule to the DNS pods (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53',
        ],
      ],
      yaml: docs(base, restricted('- to: [{podSelector: {matchLabels: {app: postgres}}}]', '  # <-')),
    },
    {
      // Policies see pod addresses after Service translation: an ipBlock of the Service IP allows nothing.
      name: 'DNS "allowed" to the kube-dns Service IP',
      messages: [
        [
          'Egress of data/report-exporter is restricted, but nothing allows DNS over UDP port 53 to kube-system/coredns, so every name lookup fails; add an egress rule to the DNS pods (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53',
        ],
      ],
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
      messages: [
        [
          'Egress of data/postgres and data/report-exporter is restricted, but nothing allows DNS over UDP port 53 to kube-system/coredns, so every name lookup fails; add an egress rule to the DNS pods (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53',
        ],
      ],
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
      messages: [
        [
          'This Admin Deny rule denies DNS over UDP port 53 from data/report-exporter to kube-system/coredns, so every name lookup fails; add an Accept rule for the DNS pods (namespace kube-system, pods k8s-app=kube-dns) on UDP 53 and TCP 53 before it',
        ],
      ],
      yaml: docs(base, adminEgress(denyAll.replace('Deny', 'Deny  # <-').replaceAll('\n', '\n      '))),
      messageIds: ['deniedByTier'],
    },
  ],
});
