import rule from '../../../src/lint/rules/no-ipblock-covering-cluster.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(
  ns('shop'),
  ns('kube-system'),
  deploy('shop', 'web'),
  yaml`
    apiVersion: v1
    kind: Pod
    metadata: {name: api-1, namespace: shop, labels: {app: api}}
    spec:
      containers: [{name: api, image: example/api:1}]
    status: {phase: Running, podIP: 10.244.1.5}
  `,
  yaml`
    apiVersion: v1
    kind: Service
    metadata: {name: kube-dns, namespace: kube-system}
    spec:
      clusterIP: 10.96.0.10
      selector: {k8s-app: kube-dns}
      ports: [{name: dns, port: 53, protocol: UDP}]
  `,
);
const rule_ = (direction: 'ingress' | 'egress', block: string): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: blocks, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: web}}
    policyTypes: [${direction === 'ingress' ? 'Ingress' : 'Egress'}]
    ${direction}:
      - ${direction === 'ingress' ? 'from' : 'to'}:
          - ipBlock: ${block}
`;

ruleTester(rule, {
  valid: [
    { name: 'an address outside the cluster', yaml: docs(base, rule_('egress', '{cidr: 198.51.100.0/24}')) },
    {
      name: 'the cluster ranges left out with except',
      yaml: docs(base, rule_('egress', '{cidr: 10.0.0.0/8, except: [10.244.0.0/16, 10.96.0.0/12]}')),
    },
    {
      // No traffic comes from a Service address: an ingress block over the Service range means nothing to it.
      name: 'an ingress block over the Service range',
      yaml: docs(base, rule_('ingress', '{cidr: 10.96.0.0/12}')),
    },
    {
      // A block this wide is about the internet: no-wide-ipblock judges it, not this rule's Service check.
      name: '0.0.0.0/0 egress does not count as meant for Services',
      yaml: docs(base, rule_('egress', '{cidr: 0.0.0.0/0, except: [10.244.0.0/16]}')),
    },
    {
      // A host-network pod has the node's address: the block is about nodes, not pods.
      name: 'a block over a host-network pod only',
      yaml: docs(
        base,
        yaml`
          apiVersion: v1
          kind: Pod
          metadata: {name: agent-1, namespace: shop, labels: {app: agent}}
          spec:
            hostNetwork: true
            containers: [{name: agent, image: example/agent:1}]
          status: {phase: Running, podIP: 192.168.10.7}
        `,
        rule_('egress', '{cidr: 192.168.10.0/24}'),
      ),
    },
    {
      // A rule without peers has no block to look at; a Service without a cluster IP (headless or not yet
      // given one) has no address to cover.
      name: 'a rule without peers, and a Service without a cluster IP',
      yaml: docs(
        base,
        yaml`
          apiVersion: v1
          kind: Service
          metadata: {name: pending, namespace: shop}
          spec:
            selector: {app: api}
            ports: [{port: 80}]
        `,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: open, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Egress]
            egress: [{}]
        `,
      ),
    },
  ],
  invalid: [
    {
      // Pods are checked even when the input has no Service at all.
      name: 'a block over a pod, in an input without Services',
      yaml: docs(
        base.replace(/---\napiVersion: v1\nkind: Service[^]*$/, ''),
        rule_('ingress', '{cidr: 10.244.1.0/24}  # <-'),
      ),
      messageIds: ['pods'],
    },
    {
      // The finding points at the ipBlock field, not at the peer holding it.
      name: 'a peer written over two lines',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: blocks, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Egress]
            egress:
              - to:
                  - {
                      ipBlock: {cidr: 10.96.0.10/32}}  # <-
        `,
      ),
    },
    {
      // The dual-stack fields repeat the first address: it is listed once.
      name: 'a Service whose clusterIP is also in clusterIPs',
      yaml: docs(
        base.replace('clusterIP: 10.96.0.10', 'clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.10]'),
        rule_('egress', '{cidr: 10.96.0.0/16}  # <-'),
      ),
      messages: [['covers Service addresses (Service kube-system/kube-dns 10.96.0.10), which']],
    },
    {
      name: 'egress to the kube-dns ClusterIP, which policies never see',
      yaml: docs(base, rule_('egress', '{cidr: 10.96.0.10/32}  # <-')),
      messageIds: ['services'],
      messages: [
        [
          'ipBlock 10.96.0.10/32 also covers Service addresses (Service kube-system/kube-dns 10.96.0.10), which policies never see (traffic is translated to pod addresses first); add the Service range to except and select the pods behind the Service instead',
        ],
      ],
    },
    {
      name: 'ingress from a range that holds pod addresses',
      yaml: docs(base, rule_('ingress', '{cidr: 10.244.0.0/16}  # <-')),
      messageIds: ['pods'],
      messages: [
        [
          'ipBlock 10.244.0.0/16 also covers pod addresses (pod shop/api-1 10.244.1.5), and CNIs differ on whether ipBlocks apply to pods; add the pod range to except and select pods with podSelector/namespaceSelector',
        ],
      ],
    },
    {
      // Pods are checked in blocks of any size; Services only in blocks about the size of a Service range.
      name: 'egress to a /8 over pods and Services: the pods are reported',
      yaml: docs(base, rule_('egress', '{cidr: 10.0.0.0/8}  # <-')),
      messageIds: ['pods'],
      messages: [
        [
          'ipBlock 10.0.0.0/8 also covers pod addresses (pod shop/api-1 10.244.1.5), and CNIs differ on whether ipBlocks apply to pods; add the pod range to except and select pods with podSelector/namespaceSelector',
        ],
      ],
    },
    {
      name: 'egress to a /12 with a pod and a Service: one finding each',
      yaml: docs(base.replace('10.244.1.5', '10.100.1.5'), rule_('egress', '{cidr: 10.96.0.0/12}  # <- <-')),
      messageIds: ['services', 'pods'],
      messages: [
        [
          'ipBlock 10.96.0.0/12 also covers Service addresses (Service kube-system/kube-dns 10.96.0.10), which policies never see (traffic is translated to pod addresses first); add the Service range to except and select the pods behind the Service instead',
        ],
        [
          'ipBlock 10.96.0.0/12 also covers pod addresses (pod shop/api-1 10.100.1.5), and CNIs differ on whether ipBlocks apply to pods; add the pod range to except and select pods with podSelector/namespaceSelector',
        ],
      ],
    },
  ],
});
