import rule from '../../../src/lint/rules/no-unenforced-sctp.ts';
import { cniEngine as cni, deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('tel'), deploy('tel', 'diameter'));
const sctp = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: diameter, namespace: tel}
  spec:
    podSelector: {}
    ingress:
      - ports:
          - port: 3868
            protocol: TCP
          - port: 3868
            protocol: SCTP  # <-
    egress:
      - ports:
          - port: 3868
            protocol: SCTP  # <-
`;
const ciliumSctp = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: diameter, namespace: tel}
  spec:
    endpointSelector: {}
    ingress:
      - toPorts:
          - ports:
              - port: "3868"
                protocol: ANY
              - port: "3868"
                protocol: SCTP  # <-
`;
const tcpOnly = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: diameter, namespace: tel}
  spec:
    podSelector: {}
    ingress:
      - ports: [{port: 3868}, {port: 3869, protocol: UDP}]
`;

ruleTester(rule, {
  valid: [
    { name: 'SCTP without --cni (upstream enforces SCTP)', yaml: docs(base, sctp) },
    { name: 'SCTP under calico', yaml: docs(base, sctp), engine: cni('calico') },
    {
      name: 'SCTP under cilium with enable-sctp=true said',
      yaml: docs(base, sctp, ciliumSctp),
      engine: cni('cilium', ['enable-sctp=true']),
    },
    { name: 'TCP and UDP only under cilium', yaml: docs(base, tcpOnly), engine: cni('cilium') },
    {
      // Without SCTP the datapath drops it all: a deny of SCTP is not an allow that allows nothing.
      name: 'SCTP in a CiliumClusterwideNetworkPolicy’s deny rules under cilium',
      yaml: docs(
        base,
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumClusterwideNetworkPolicy
          metadata: {name: no-sctp}
          specs:
            - endpointSelector: {}
              ingressDeny:
                - toPorts: [{ports: [{port: "3868", protocol: SCTP}]}]
              egressDeny:
                - toPorts: [{ports: [{port: "3868", protocol: SCTP}]}]
        `,
      ),
      engine: cni('cilium'),
    },
  ],
  invalid: [
    {
      name: 'a NetworkPolicy’s SCTP entries under cilium, in both directions',
      yaml: docs(base, sctp),
      engine: cni('cilium'),
      messageIds: ['sctp', 'sctp'],
      messages: [
        ['cilium does not enforce SCTP', 'allows nothing', '--cni-option enable-sctp=true'],
        ['cilium does not enforce SCTP'],
      ],
    },
    {
      name: 'an SCTP allow in the second rule set of a CiliumClusterwideNetworkPolicy',
      yaml: docs(
        base,
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumClusterwideNetworkPolicy
          metadata: {name: diameter}
          specs:
            - endpointSelector: {}
              ingressDeny:
                - toPorts: [{ports: [{port: "3868", protocol: SCTP}]}]
            - endpointSelector: {}
              egress:
                - toPorts: [{ports: [{port: "3868", protocol: SCTP}]}]  # <-
        `,
      ),
      engine: cni('cilium'),
      messageIds: ['sctp'],
    },
    {
      // ANY is TCP and UDP there, and still allows them: only the SCTP entry is reported.
      name: 'a CiliumNetworkPolicy’s SCTP entry under cilium, not its ANY entry',
      yaml: docs(base, ciliumSctp),
      engine: cni('cilium'),
      messageIds: ['sctp'],
    },
    {
      // Calico does not enforce Cilium's policies: their SCTP entries are not reported there.
      name: 'an override on another CNI',
      yaml: docs(base, sctp, ciliumSctp.replace('  # <-', '')),
      engine: cni('calico', ['sctp=false']),
      messageIds: ['sctp', 'sctp'],
      messages: [['calico (sctp=false)', 'drop --cni-option sctp=false'], ['calico (sctp=false)']],
    },
  ],
});
