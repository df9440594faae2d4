import rule from '../../../src/lint/rules/no-unenforced-endport.ts';
import { cniEngine as cni, deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('data'), deploy('data', 'postgres'));
const range = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: scrape, namespace: data}
  spec:
    podSelector: {}
    ingress:
      - ports:
          - port: 9100
            endPort: 9199  # <-
`;
const ciliumRange = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: scrape, namespace: data}
  spec:
    endpointSelector: {}
    ingress:
      - toPorts:
          - ports:
              - port: "9100"
                endPort: 9199  # <-
                protocol: TCP
`;

ruleTester(rule, {
  valid: [
    { name: 'a range without --cni (upstream enforces ranges)', yaml: docs(base, range) },
    { name: 'a range under cilium@1.16', yaml: docs(base, range), engine: cni('cilium@1.16') },
    { name: 'a range under calico', yaml: docs(base, range), engine: cni('calico') },
    { name: 'a Cilium range under cilium@1.16', yaml: docs(base, ciliumRange), engine: cni('cilium@1.16') },
    {
      name: 'a Cilium range under an older Cilium with endport=range said',
      yaml: docs(base, ciliumRange),
      engine: cni('cilium@1.14', ['endport=range']),
    },
    {
      name: 'single ports under cilium@1.15',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: scrape, namespace: data}
          spec:
            podSelector: {}
            ingress:
              - ports: [{port: 9100}, {port: 9101}]
        `,
      ),
      engine: cni('cilium@1.15'),
    },
  ],
  invalid: [
    {
      // cilium#28704: the agent refuses the whole NetworkPolicy.
      name: 'a NetworkPolicy range under cilium@1.15',
      yaml: docs(base, range),
      engine: cni('cilium@1.15'),
      messageIds: ['policyIgnored'],
      messages: [['cilium@1.15', 'cilium#28704', 'whole policy is left out', 'run Cilium ≥ 1.16']],
    },
    {
      // cilium#28684: only the first port.
      name: 'a NetworkPolicy range under cilium@1.14',
      yaml: docs(base, range),
      engine: cni('cilium@1.14'),
      messageIds: ['firstPort'],
      messages: [['cilium@1.14', 'cilium#28684', 'only port 9100']],
    },
    {
      // The CRD had no endPort before 1.16: the API server prunes it (not cilium#28704, which is for NetworkPolicies).
      name: 'a CiliumNetworkPolicy range under cilium@1.15',
      yaml: docs(base, ciliumRange),
      engine: cni('cilium@1.15'),
      messageIds: ['ciliumPruned'],
      messages: [['CRD of cilium@1.15 has no endPort', 'only port 9100']],
    },
    {
      // From 1.16 on the CRD has endPort: only the override decides, and the message names it.
      name: 'a CiliumNetworkPolicy range under cilium@1.16 with endport=first-port said',
      yaml: docs(base, ciliumRange),
      engine: cni('cilium@1.16', ['endport=first-port']),
      messageIds: ['ciliumOverride'],
      messages: [
        [
          'the endport=first-port override governs Cilium policies too',
          'only port 9100',
          'drop the override',
        ],
      ],
    },
    {
      name: 'an override without the issue cited',
      yaml: docs(base, range),
      engine: cni('calico', ['endport=first-port']),
      messageIds: ['firstPort'],
      messages: [['calico (endport=first-port)', 'only port 9100; list the ports one by one']],
    },
  ],
});
