import rule from '../../../src/lint/rules/no-cilium-shadowed-allow.ts';
import { ccnp, cluster, cnpCilium, ns, pod, policy } from '../../support/builders.ts';
import { stateRuleTester } from '../helpers.ts';
import { api, https, shopCluster, web, cnpSpecs } from '../cilium-fixtures.ts';

const db = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data', app: 'db' } };
const dataNs = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data' } };
const pg = [{ ports: [{ port: '5432', protocol: 'TCP' }] }];
const everyPort = [{ ports: [{ port: '1', endPort: 65535, protocol: 'ANY' }] }];
/** NetworkPolicy peers and ports: data/db by the namespace's name label, port 5432. */
const npDb = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } },
  podSelector: { matchLabels: { app: 'db' } },
};
const npPg = [{ protocol: 'TCP', port: 5432 }];
/** A NetworkPolicy for shop/web with one egress rule. */
const npWebEgress = (to: object[] | undefined, ports: object[] | undefined, name = 'web-egress') =>
  policy('shop', name, {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [{ ...(to === undefined ? {} : { to }), ...(ports === undefined ? {} : { ports }) }],
  });
/** A CiliumNetworkPolicy for shop/web with egress deny rules only. */
const cnpWebDeny = (egressDeny: object[], name = 'lockdown') =>
  cnpCilium('shop', name, { endpointSelector: web, egressDeny });

stateRuleTester(rule, {
  valid: [
    {
      name: 'a deny of other ports',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [{ toEndpoints: [dataNs], toPorts: https }],
        }),
      ]),
    },
    {
      // The deny's selector is narrower (it also requires tier=gold): some db pods may still be reached.
      name: 'a deny of a narrower selector',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [{ toEndpoints: [{ matchLabels: { ...db.matchLabels, tier: 'gold' } }] }],
        }),
      ]),
    },
    {
      // The deny applies to api only: web's allow still works.
      name: 'a deny in a policy for other pods',
      state: shopCluster([
        cnpCilium('shop', 'web', { endpointSelector: web, egress: [{ toEndpoints: [db], toPorts: pg }] }),
        cnpCilium('shop', 'api', { endpointSelector: api, egressDeny: [{ toEntities: ['all'] }] }),
      ]),
    },
    {
      name: 'an ingress deny does not shadow egress',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          ingressDeny: [{ fromEntities: ['all'] }],
        }),
      ]),
    },
    {
      // toServices is never resolved in egressDeny (Cilium resolves it in egress rules only): without toPorts,
      // the deny rule is left with no peer and denies nothing.
      name: 'a toServices deny without toPorts',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] }],
          egressDeny: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] }],
        }),
      ]),
    },
    {
      // toNodes peers: a deny of nodes with one label leaves the other nodes reachable.
      name: 'a deny of fewer nodes',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toNodes: [{ matchLabels: { role: 'edge' } }], toPorts: pg }],
          egressDeny: [{ toNodes: [{ matchLabels: { role: 'edge', zone: 'a' } }] }],
        }),
      ]),
    },
    {
      // A deny of every pod (toEndpoints) says nothing of nodes.
      name: 'a deny of pods does not cover nodes',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toNodes: [{ matchLabels: { role: 'edge' } }], toPorts: pg }],
          egressDeny: [{ toEndpoints: [{}] }],
        }),
      ]),
    },
    {
      name: 'a deny of the IPv4 world leaves the world',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEntities: ['world'], toPorts: https }],
          egressDeny: [{ toEntities: ['world-ipv4'] }],
        }),
      ]),
    },
    {
      name: 'a deny of the world leaves the cluster',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEntities: ['cluster'], toPorts: https }],
          egressDeny: [{ toEntities: ['world'] }],
        }),
      ]),
    },
    {
      name: 'a deny of a CIDR with an exception',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toCIDR: ['10.1.0.0/16'], toPorts: https }],
          egressDeny: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.200.0.0/16'] }] }],
        }),
      ]),
    },
    {
      name: 'a deny of a narrower CIDR',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toCIDR: ['10.1.0.0/16'], toPorts: https }],
          egressDeny: [{ toCIDR: ['10.1.2.0/24'] }],
        }),
      ]),
    },
    {
      name: 'a deny of the cluster leaves a CIDR',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toCIDR: ['10.1.0.0/16'], toPorts: https }],
          egressDeny: [{ toEntities: ['cluster'] }],
        }),
      ]),
    },
    {
      name: 'a deny of the cluster leaves a DNS name',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toFQDNs: [{ matchName: 'api.example.com' }], toPorts: https }],
          egressDeny: [{ toEntities: ['cluster'], toPorts: https }],
        }),
      ]),
    },
    {
      // A Service's backends are not known to be all of db's pods: the deny of db does not surely cover it.
      name: 'a deny of pods leaves a toServices allow',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }], toPorts: pg }],
          egressDeny: [{ toEndpoints: [db] }],
        }),
      ]),
    },
    {
      name: 'a deny of one named port leaves another',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: [{ ports: [{ port: 'postgres', protocol: 'TCP' }] }] }],
          egressDeny: [{ toEndpoints: [db], toPorts: [{ ports: [{ port: 'metrics', protocol: 'TCP' }] }] }],
        }),
      ]),
    },
    {
      name: 'a deny of a named port on UDP leaves it on TCP',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: [{ ports: [{ port: 'postgres', protocol: 'ANY' }] }] }],
          egressDeny: [{ toEndpoints: [db], toPorts: [{ ports: [{ port: 'postgres', protocol: 'UDP' }] }] }],
        }),
      ]),
    },
    {
      name: 'a deny of a selector with an expression leaves pods without the label',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [
            {
              toEndpoints: [
                {
                  ...dataNs,
                  matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }],
                },
              ],
            },
          ],
        }),
      ]),
    },
    {
      // A CiliumNetworkPolicy's toEndpoints: [{}] is the pods of its namespace, not the nodes with its labels.
      name: 'a deny of the namespace pods does not cover nodes with the namespace label',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            {
              toNodes: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', role: 'edge' } }],
              toPorts: pg,
            },
          ],
          egressDeny: [{ toEndpoints: [{}] }],
        }),
      ]),
    },
    {
      // The allow applies to no pod: nothing to report, whatever denies all pods.
      name: 'an allow in a rule set that selects no pod',
      state: shopCluster([
        cnpCilium('shop', 'ghost', {
          endpointSelector: { matchLabels: { app: 'ghost' } },
          egress: [{ toEndpoints: [db], toPorts: pg }],
        }),
        cnpCilium('shop', 'lockdown', { endpointSelector: {}, egressDeny: [{ toEndpoints: [dataNs] }] }),
      ]),
    },
    {
      name: 'a deny of other values of the same key',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            {
              toEndpoints: [{ ...db, matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }] }],
              toPorts: pg,
            },
          ],
          egressDeny: [
            {
              toEndpoints: [
                { ...dataNs, matchExpressions: [{ key: 'tier', operator: 'In', values: ['silver'] }] },
              ],
            },
          ],
        }),
      ]),
    },
    {
      // ['gold', 'silver'] and ['golds', 'ilver'] are other values, whatever the letters joined.
      name: 'a deny of values with the same letters',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            {
              toEndpoints: [
                { ...db, matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] },
              ],
              toPorts: pg,
            },
          ],
          egressDeny: [
            {
              toEndpoints: [
                {
                  ...dataNs,
                  matchExpressions: [{ key: 'tier', operator: 'In', values: ['golds', 'ilver'] }],
                },
              ],
            },
          ],
        }),
      ]),
    },
    {
      // A malformed CIDR (reported by validation) is not taken as covered by any CIDR.
      name: 'an allow of a malformed CIDR',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toCIDR: ['10.1.0.0/99'], toPorts: https }],
          egressDeny: [{ toCIDR: ['10.0.0.0/8'] }],
        }),
      ]),
    },
    {
      // A host policy (nodeSelector) applies to nodes, not to pods: its deny does not shadow web's allow.
      name: 'a deny in a host policy',
      state: shopCluster([
        cnpCilium('shop', 'web', { endpointSelector: web, egress: [{ toEndpoints: [db], toPorts: pg }] }),
        ccnp('hosts', { nodeSelector: {}, egressDeny: [{ toEndpoints: [dataNs] }] }),
      ]),
    },
    {
      // lockdown applies to web only, the allow to web and api: api's traffic gets through.
      name: 'a deny for some of the pods of the allow',
      state: shopCluster([
        cnpCilium('shop', 'shop', { endpointSelector: {}, egress: [{ toEndpoints: [db], toPorts: pg }] }),
        cnpCilium('shop', 'lockdown', { endpointSelector: web, egressDeny: [{ toEndpoints: [dataNs] }] }),
      ]),
    },
    {
      name: 'a deny of UDP and SCTP leaves TCP',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [
            { toEndpoints: [db], toPorts: [{ ports: [{ port: '5432', protocol: 'UDP' }] }] },
            { toEndpoints: [db], toPorts: [{ ports: [{ port: '5432', protocol: 'SCTP' }] }] },
          ],
        }),
      ]),
    },
    {
      // A rule without toPorts allows ICMP too; a deny of every port leaves it.
      name: 'a deny of every port leaves ICMP',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db] }],
          egressDeny: [{ toEndpoints: [db], toPorts: everyPort }],
        }),
      ]),
    },
    {
      // toServices in a deny rule is never resolved, whatever else the rule names: without toPorts it denies nothing.
      name: 'a deny of a Service and pods, without toPorts',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [
            { toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }], toEndpoints: [db] },
          ],
        }),
      ]),
    },
    {
      // The world entity is the addresses outside the cluster, not its pods.
      name: 'a deny of the world leaves pods',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [{ toEntities: ['world'] }],
        }),
      ]),
    },
    {
      // A peer netfence cannot resolve (AWS security groups) is not judged, whatever the deny.
      name: 'an allow of a peer netfence does not resolve, a deny of everything',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }], toPorts: https }],
          egressDeny: [{ toEntities: ['all'] }],
        }),
      ]),
    },
    {
      // VRRP: no TCP, UDP or SCTP connection, nothing netfence models for the deny to take; nothing to name.
      name: 'an allow of a protocol without connections, a deny of its peers',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: [{ ports: [{ port: '112', protocol: 'VRRP' }] }] }],
          egressDeny: [{ toEndpoints: [dataNs] }],
        }),
      ]),
    },
    // NetworkPolicy rules (issue #20): Cilium enforces them beside its own policies, and its deny rules win.
    {
      // `ports: []` is every port and protocol, as no ports: ICMP too, which the deny leaves.
      name: 'a NetworkPolicy rule with an empty list of ports, a deny of every port number',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs], toPorts: everyPort }])],
        [npWebEgress([npDb], [])],
      ),
    },
    {
      // Namespaces labelled team=data may be others than data: a deny of the namespace data does not cover them.
      name: 'a NetworkPolicy rule by a namespace label expression, a deny of one namespace by expression',
      state: shopCluster(
        [
          cnpWebDeny([
            {
              toEndpoints: [
                {
                  matchExpressions: [
                    { key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['data'] },
                  ],
                },
              ],
            },
          ]),
        ],
        [
          npWebEgress(
            [
              {
                namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['data'] }] },
              },
            ],
            npPg,
          ),
        ],
      ),
    },
    {
      name: 'a NetworkPolicy rule, a deny of other ports',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs], toPorts: https }])],
        [npWebEgress([npDb], npPg)],
      ),
    },
    {
      name: 'a NetworkPolicy rule, a deny of a narrower selector',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [{ matchLabels: { ...db.matchLabels, tier: 'gold' } }] }])],
        [npWebEgress([npDb], npPg)],
      ),
    },
    {
      name: 'a NetworkPolicy rule, a deny in a policy for other pods',
      state: shopCluster(
        [cnpCilium('shop', 'lockdown', { endpointSelector: api, egressDeny: [{ toEntities: ['all'] }] })],
        [npWebEgress([npDb], npPg)],
      ),
    },
    {
      // The NetworkPolicy selects web and api; the deny is for web only: api's egress still works.
      name: 'a NetworkPolicy rule, a deny for some of the pods it selects',
      state: shopCluster(
        [cnpWebDeny([{ toEntities: ['all'] }])],
        [
          policy('shop', 'both', {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ to: [npDb], ports: npPg }],
          }),
        ],
      ),
    },
    {
      // Neither a namespaced selector (its own namespace) nor a CIDR covers what it does not surely match.
      name: 'a NetworkPolicy rule, a deny of the cluster leaves an ipBlock',
      state: shopCluster(
        [cnpWebDeny([{ toEntities: ['cluster'] }])],
        [npWebEgress([{ ipBlock: { cidr: '10.1.0.0/16' } }], [{ port: 443 }])],
      ),
    },
    {
      name: 'a NetworkPolicy rule, a deny of a narrower CIDR',
      state: shopCluster(
        [cnpWebDeny([{ toCIDR: ['10.1.2.0/24'] }])],
        [npWebEgress([{ ipBlock: { cidr: '10.1.0.0/16' } }], [{ port: 443 }])],
      ),
    },
    {
      // No `to`: every destination, the world too; the deny is of the cluster only.
      name: 'a NetworkPolicy rule to every destination, a deny of the cluster',
      state: shopCluster([cnpWebDeny([{ toEntities: ['cluster'] }])], [npWebEgress(undefined, npPg)]),
    },
    {
      name: 'a NetworkPolicy egress rule, an ingress deny',
      state: shopCluster(
        [cnpCilium('shop', 'lockdown', { endpointSelector: web, ingressDeny: [{ fromEntities: ['all'] }] })],
        [npWebEgress([npDb], npPg)],
      ),
    },
    {
      // policyTypes leaves egress out: the API ignores its egress rules, there is nothing to shadow.
      name: 'a NetworkPolicy egress rule that policyTypes ignores',
      state: shopCluster(
        [cnpWebDeny([{ toEntities: ['all'] }])],
        [
          policy('shop', 'web-egress', {
            podSelector: { matchLabels: { app: 'web' } },
            policyTypes: ['Ingress'],
            egress: [{ to: [npDb], ports: npPg }],
          }),
        ],
      ),
    },
    {
      name: 'a NetworkPolicy that selects no pod',
      state: shopCluster(
        [ccnp('lockdown', { endpointSelector: {}, egressDeny: [{ toEntities: ['all'] }] })],
        [
          policy('shop', 'ghost', {
            podSelector: { matchLabels: { app: 'ghost' } },
            policyTypes: ['Egress'],
            egress: [{ to: [npDb], ports: npPg }],
          }),
        ],
      ),
    },
    {
      // The namespaces with a label may be others than data: the deny of data does not surely cover them.
      name: 'a NetworkPolicy rule to namespaces by a label, a deny of one namespace',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs] }])],
        [npWebEgress([{ namespaceSelector: { matchLabels: { team: 'data' } } }], npPg)],
      ),
    },
    {
      name: 'a NetworkPolicy rule to its own namespace, a deny of another',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs] }])],
        [npWebEgress([{ podSelector: {} }], npPg)],
      ),
    },
    {
      name: 'a NetworkPolicy rule on UDP, a deny on TCP',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }] }] }])],
        [npWebEgress([npDb], [{ protocol: 'UDP', port: 53 }])],
      ),
    },
    {
      // endPort: the NetworkPolicy rule's range goes past the denied one.
      name: 'a NetworkPolicy rule of a port range, a deny of part of it',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs], toPorts: [{ ports: [{ port: '5000', endPort: 5500 }] }] }])],
        [npWebEgress([npDb], [{ port: 5000, endPort: 5999 }])],
      ),
    },
    {
      // A port without a number: every UDP port; the deny takes every TCP port.
      name: 'a NetworkPolicy rule of every UDP port, a deny of every TCP port',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs], toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }])],
        [npWebEgress([npDb], [{ protocol: 'UDP' }])],
      ),
    },
    {
      // No ports: every port and protocol, ICMP too; the deny takes the TCP, UDP and SCTP ports only.
      name: 'a NetworkPolicy rule of every port, a deny of every port number',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs], toPorts: everyPort }])],
        [npWebEgress([npDb], undefined)],
      ),
    },
    {
      // One peer denied, the other not: the rule still allows some traffic.
      name: 'a NetworkPolicy rule with a peer the deny leaves',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs] }])],
        [npWebEgress([npDb, { ipBlock: { cidr: '192.0.2.0/24' } }], npPg)],
      ),
    },
  ],
  invalid: [
    {
      // With toPorts, the unresolved toServices deny applies to every peer on them: it shadows any allow there.
      name: 'a toServices deny with toPorts shadows every allow on its ports',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [
            { toServices: [{ k8sService: { serviceName: 'other', namespace: 'data' } }], toPorts: pg },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
      messageIds: ['shadowed'],
      messages: [['egress', 'spec.egressDeny[0] denies']],
    },
    {
      name: 'a deny of the whole namespace before an exception for one pod',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [{ toEndpoints: [dataNs] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
      messageIds: ['shadowed'],
      messages: [['egress', 'spec.egressDeny[0] denies']],
    },
    {
      // Two deny rules take the two ports between them.
      name: 'deny rules of another policy that selects all its pods, together',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEntities: ['world'],
              toPorts: [
                {
                  ports: [
                    { port: '80', protocol: 'TCP' },
                    { port: '443', protocol: 'TCP' },
                  ],
                },
              ],
            },
          ],
        }),
        cnpCilium('shop', 'lockdown', {
          endpointSelector: {},
          ingressDeny: [
            { fromEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
            { fromEntities: ['all'], toPorts: https },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.ingress[0]'],
      messages: [
        ['spec.ingressDeny[0] of CiliumNetworkPolicy shop/lockdown', 'spec.ingressDeny[1]', 'deny all'],
      ],
    },
    {
      name: 'an L7 rule on a denied port',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            {
              toEndpoints: [api],
              toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
            },
          ],
          egressDeny: [
            { toEntities: ['cluster'], toPorts: [{ ports: [{ port: '8080', protocol: 'ANY' }] }] },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
      messageIds: ['l7Shadowed'],
      messages: [['L7 (http)']],
    },
    {
      name: 'a deny of every node with the allowed label',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toNodes: [{ matchLabels: { role: 'edge', zone: 'a' } }], toPorts: pg }],
          egressDeny: [{ toNodes: [{ matchLabels: { role: 'edge' } }] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
      messages: [['This egress allow rule never allows anything: spec.egressDeny[0] denies all']],
    },
    {
      name: 'a deny of the world covers its IPv4 part',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEntities: ['world-ipv4'], toPorts: https }],
          egressDeny: [{ toEntities: ['world'] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      name: 'a deny of a wider CIDR',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toCIDR: ['10.1.0.0/16'], toPorts: https }],
          egressDeny: [{ toCIDRSet: [{ cidr: '10.0.0.0/8' }] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      // The addresses a DNS name resolves to are outside the cluster: a deny of the world takes them.
      name: 'a deny of the world covers DNS names',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            {
              toFQDNs: [{ matchName: 'api.example.com' }, { matchPattern: '*.example.com' }],
              toPorts: https,
            },
          ],
          egressDeny: [{ toEntities: ['world'], toPorts: https }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      name: 'a deny of the same named port',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: [{ ports: [{ port: 'postgres', protocol: 'TCP' }] }] }],
          egressDeny: [
            { toEndpoints: [dataNs], toPorts: [{ ports: [{ port: 'postgres', protocol: 'ANY' }] }] },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      name: 'a deny with the same expression, written in another order',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            {
              toEndpoints: [
                { ...db, matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] },
              ],
              toPorts: pg,
            },
          ],
          egressDeny: [
            {
              toEndpoints: [
                {
                  ...dataNs,
                  matchExpressions: [{ key: 'tier', operator: 'In', values: ['silver', 'gold'] }],
                },
              ],
            },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      // The rule set of specs[1] is named as such, and the deny of a cluster-wide policy by its kind and name.
      name: 'a deny of a cluster-wide policy shadows an allow in specs[1]',
      state: shopCluster([
        cnpSpecs('shop', 'web', [
          { endpointSelector: api, egress: [{ toEndpoints: [db], toPorts: https }] },
          { endpointSelector: web, egress: [{ toEndpoints: [db], toPorts: pg }] },
        ]),
        ccnp('lockdown', { endpointSelector: {}, egressDeny: [{ toEndpoints: [dataNs] }] }),
      ]),
      findings: [
        'shop/CiliumNetworkPolicy/web specs[0].egress[0]',
        'shop/CiliumNetworkPolicy/web specs[1].egress[0]',
      ],
      messages: [
        ['spec.egressDeny[0] of CiliumClusterwideNetworkPolicy lockdown denies'],
        ['spec.egressDeny[0] of CiliumClusterwideNetworkPolicy lockdown denies'],
      ],
    },
    {
      // A named port has some number on the pod: a deny of every port takes it (the allow was not reported).
      name: 'a deny of every port shadows an allow of a named port',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: [{ ports: [{ port: 'postgres', protocol: 'TCP' }] }] }],
          egressDeny: [{ toEndpoints: [db] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
      messages: [['spec.egressDeny[0] denies']],
    },
    {
      // The deny of a named port takes some of an allow of every port: both deny rules are named.
      name: 'a deny of a named port beside a deny of every port, against an allow of every port',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db] }],
          egressDeny: [
            { toEndpoints: [db], toPorts: [{ ports: [{ port: 'postgres', protocol: 'TCP' }] }] },
            { toEndpoints: [dataNs] },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
      messages: [['spec.egressDeny[0] and spec.egressDeny[1] deny']],
    },
    {
      // Exists with `values: []` is Exists without values.
      name: 'a deny with Exists written with empty values',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            {
              toEndpoints: [{ ...db, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }],
              toPorts: pg,
            },
          ],
          egressDeny: [
            {
              toEndpoints: [
                { ...dataNs, matchExpressions: [{ key: 'tier', operator: 'Exists', values: [] }] },
              ],
            },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      // A named port on TCP is some TCP port: a deny of every TCP port takes it.
      name: 'a deny of every TCP port shadows an allow of a TCP named port',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: [{ ports: [{ port: 'postgres', protocol: 'TCP' }] }] }],
          egressDeny: [
            { toEndpoints: [db], toPorts: [{ ports: [{ port: '1', endPort: 65535, protocol: 'TCP' }] }] },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      name: 'a deny in specs[1] shadows an allow in specs[0]',
      state: shopCluster([
        cnpSpecs('shop', 'web', [
          { endpointSelector: web, egress: [{ toEndpoints: [db], toPorts: pg }] },
          { endpointSelector: web, egressDeny: [{ toEndpoints: [dataNs] }] },
        ]),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web specs[0].egress[0]'],
      messages: [['specs[1].egressDeny[0] of CiliumNetworkPolicy shop/web denies']],
    },
    {
      // Only the deny rule that takes some of the allowed traffic is named (not the one of port 443, nor ICMP).
      name: 'a deny of the port beside denies of other traffic',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [
            { toEndpoints: [db], toPorts: pg },
            { toEndpoints: [db], toPorts: https },
            { toEndpoints: [db], icmps: [{ fields: [{ type: 8 }] }] },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
      messages: [['never allows anything: spec.egressDeny[0] denies all']],
    },
    {
      name: 'a deny without toPorts shadows an allow of ICMP',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], icmps: [{ fields: [{ type: 8 }] }] }],
          egressDeny: [{ toEndpoints: [db] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      name: 'a deny of ICMP shadows an allow of ICMP',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], icmps: [{ fields: [{ type: 8 }] }] }],
          egressDeny: [{ toEndpoints: [db], icmps: [{ fields: [{ type: 8 }] }] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      // Every port by one deny, ICMP by the other: together they take all an allow without toPorts allows.
      name: 'a deny of every port and a deny of ICMP together',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db] }],
          egressDeny: [
            { toEndpoints: [db], toPorts: everyPort },
            { toEndpoints: [db], icmps: [{ fields: [{ type: 8 }] }] },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
      messages: [['spec.egressDeny[0] and spec.egressDeny[1] deny']],
    },
    {
      // An allow rule in a rule set that selects no pod is shadowed by that set's own deny all the same.
      name: 'an allow and its deny in a rule set that selects no pod',
      state: shopCluster([
        cnpCilium('shop', 'ghost', {
          endpointSelector: { matchLabels: { app: 'ghost' } },
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [{ toEndpoints: [dataNs] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/ghost spec.egress[0]'],
    },
    {
      // The identity of a pod holds its namespace's labels.
      name: 'a deny for the pods of namespaces with a label',
      state: shopCluster([
        cnpCilium('shop', 'web', { endpointSelector: web, egress: [{ toEndpoints: [db], toPorts: pg }] }),
        ccnp('lockdown', {
          endpointSelector: {
            matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'shop' },
          },
          egressDeny: [{ toEndpoints: [dataNs] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      // The identity of a pod holds its service account.
      name: 'a deny for the pods of a service account',
      state: cluster({
        namespaces: [ns('shop'), ns('data')],
        pods: [
          pod('shop', 'web', { app: 'web' }, { serviceAccount: 'web-sa' }),
          pod('data', 'db', { app: 'db' }),
        ],
        ciliumPolicies: [
          cnpCilium('shop', 'web', { endpointSelector: web, egress: [{ toEndpoints: [db], toPorts: pg }] }),
          cnpCilium('shop', 'lockdown', {
            endpointSelector: { matchLabels: { 'k8s:io.cilium.k8s.policy.serviceaccount': 'web-sa' } },
            egressDeny: [{ toEndpoints: [dataNs] }],
          }),
        ],
      }),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      name: 'a toServices deny by selector with toPorts shadows every allow on its ports',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [db], toPorts: pg }],
          egressDeny: [
            {
              toServices: [{ k8sServiceSelector: { selector: { matchLabels: { app: 'other' } } } }],
              toPorts: pg,
            },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    {
      name: 'a deny of the same entity',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEntities: ['cluster'], toPorts: pg }],
          egressDeny: [{ toEntities: ['cluster'] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
    },
    // NetworkPolicy rules (issue #20).
    {
      // The exception written as a NetworkPolicy: the CiliumNetworkPolicy's deny of the namespace wins.
      name: 'a NetworkPolicy rule to a pod of a namespace the Cilium policy denies',
      state: shopCluster([cnpWebDeny([{ toEndpoints: [dataNs] }])], [npWebEgress([npDb], npPg)]),
      findings: ['shop/NetworkPolicy/web-egress spec.egress[0]'],
      messageIds: ['networkPolicy'],
      messages: [
        [
          'This NetworkPolicy egress rule never allows anything under Cilium: spec.egressDeny[0] of CiliumNetworkPolicy shop/lockdown denies all of its peers and ports for the pods the policy selects',
        ],
      ],
    },
    {
      // A pod selector alone: pods of the policy's namespace, as a namespaced Cilium selector reads.
      name: 'a NetworkPolicy ingress rule from pods of its namespace',
      state: shopCluster(
        [cnpCilium('shop', 'lockdown', { endpointSelector: web, ingressDeny: [{ fromEndpoints: [api] }] })],
        [
          policy('shop', 'web-ingress', {
            podSelector: { matchLabels: { app: 'web' } },
            ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080 }] }],
          }),
        ],
      ),
      findings: ['shop/NetworkPolicy/web-ingress spec.ingress[0]'],
      messages: [
        ['NetworkPolicy ingress rule', 'spec.ingressDeny[0] of CiliumNetworkPolicy shop/lockdown denies'],
      ],
    },
    {
      // No from, no ports: everything, from everywhere; only a deny of everything covers it.
      name: 'a NetworkPolicy rule that allows everything, a deny of everything',
      state: shopCluster(
        [ccnp('lockdown', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['all'] }] })],
        [policy('shop', 'open', { podSelector: {}, ingress: [{}] })],
      ),
      findings: ['shop/NetworkPolicy/open spec.ingress[0]'],
      messages: [['spec.ingressDeny[0] of CiliumClusterwideNetworkPolicy lockdown denies']],
    },
    {
      name: 'a NetworkPolicy ipBlock inside a denied CIDR',
      state: shopCluster(
        [cnpWebDeny([{ toCIDR: ['10.0.0.0/8'] }])],
        [npWebEgress([{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] } }], [{ port: 443 }])],
      ),
      findings: ['shop/NetworkPolicy/web-egress spec.egress[0]'],
    },
    {
      // Two Cilium policies take the two ports between them: both are named.
      name: 'a NetworkPolicy rule shadowed by deny rules of two Cilium policies together',
      state: shopCluster(
        [
          cnpWebDeny([{ toEndpoints: [dataNs], toPorts: pg }], 'no-pg'),
          cnpWebDeny([{ toEntities: ['all'], toPorts: https }], 'no-https'),
        ],
        [npWebEgress([npDb], [...npPg, { port: 443 }])],
      ),
      findings: ['shop/NetworkPolicy/web-egress spec.egress[0]'],
      messages: [
        [
          'spec.egressDeny[0] of CiliumNetworkPolicy shop/no-pg and spec.egressDeny[0] of CiliumNetworkPolicy shop/no-https deny all',
        ],
      ],
    },
    {
      // Every pod of every namespace: covered by a clusterwide deny of every endpoint, and by `cluster`.
      name: 'a NetworkPolicy rule to every pod, a deny of every endpoint or of the cluster',
      state: shopCluster(
        [
          ccnp('lockdown', { endpointSelector: {}, egressDeny: [{ toEndpoints: [{}], toPorts: pg }] }),
          cnpWebDeny([{ toEntities: ['cluster'], toPorts: https }]),
        ],
        [
          npWebEgress([{ namespaceSelector: {} }], npPg, 'a'),
          npWebEgress([{ namespaceSelector: {}, podSelector: {} }], [{ port: 443 }], 'b'),
        ],
      ),
      findings: ['shop/NetworkPolicy/a spec.egress[0]', 'shop/NetworkPolicy/b spec.egress[0]'],
      messages: [
        ['spec.egressDeny[0] of CiliumClusterwideNetworkPolicy lockdown denies'],
        ['spec.egressDeny[0] of CiliumNetworkPolicy shop/lockdown denies'],
      ],
    },
    {
      name: 'a NetworkPolicy rule of a named port, a deny of every TCP port',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs], toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }])],
        [npWebEgress([npDb], [{ port: 'postgres' }])],
      ),
      findings: ['shop/NetworkPolicy/web-egress spec.egress[0]'],
    },
    {
      name: 'a NetworkPolicy rule of every UDP port, a deny of every port',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs], toPorts: everyPort }])],
        [npWebEgress([npDb], [{ protocol: 'UDP' }])],
      ),
      findings: ['shop/NetworkPolicy/web-egress spec.egress[0]'],
    },
    {
      name: 'a NetworkPolicy rule of a port range inside a denied range',
      state: shopCluster(
        [cnpWebDeny([{ toEndpoints: [dataNs], toPorts: [{ ports: [{ port: '4000', endPort: 6000 }] }] }])],
        [npWebEgress([npDb], [{ port: 5000, endPort: 5999 }])],
      ),
      findings: ['shop/NetworkPolicy/web-egress spec.egress[0]'],
    },
    {
      // `kubernetes.io/metadata.name In [data]` is the namespace key In [data]; any other namespace label is
      // the identity's `io.cilium.k8s.namespace.labels.<key>`.
      name: 'a NetworkPolicy rule by namespace expressions and labels, denies written in identity labels',
      state: shopCluster(
        [
          cnpWebDeny([
            {
              toEndpoints: [
                {
                  matchExpressions: [
                    { key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['data'] },
                  ],
                },
              ],
              toPorts: pg,
            },
            {
              toEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'data' } }],
              toPorts: https,
            },
          ]),
        ],
        [
          npWebEgress(
            [
              {
                namespaceSelector: {
                  matchExpressions: [
                    { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['data'] },
                  ],
                },
              },
            ],
            npPg,
            'by-name',
          ),
          npWebEgress([{ namespaceSelector: { matchLabels: { team: 'data' } } }], [{ port: 443 }], 'by-team'),
        ],
      ),
      findings: ['shop/NetworkPolicy/by-name spec.egress[0]', 'shop/NetworkPolicy/by-team spec.egress[0]'],
    },
    {
      // Other Cilium policies without deny rules change nothing.
      name: 'a NetworkPolicy rule shadowed, beside a Cilium policy without deny rules',
      state: shopCluster(
        [
          cnpCilium('shop', 'api', { endpointSelector: api, egress: [{ toEndpoints: [db], toPorts: pg }] }),
          cnpWebDeny([{ toEndpoints: [dataNs] }]),
        ],
        [npWebEgress([npDb], npPg)],
      ),
      findings: ['shop/NetworkPolicy/web-egress spec.egress[0]'],
    },
    {
      // `to: []` is every destination, as no `to`.
      name: 'a NetworkPolicy rule with an empty list of peers, a deny of everything on its port',
      state: shopCluster([cnpWebDeny([{ toEntities: ['all'], toPorts: pg }])], [npWebEgress([], npPg)]),
      findings: ['shop/NetworkPolicy/web-egress spec.egress[0]'],
    },
    {
      name: 'a NetworkPolicy rule by a namespace label expression, a deny by the same expression',
      state: shopCluster(
        [
          cnpWebDeny([
            {
              toEndpoints: [
                {
                  matchExpressions: [
                    { key: 'io.cilium.k8s.namespace.labels.team', operator: 'In', values: ['data'] },
                  ],
                },
              ],
            },
          ]),
        ],
        [
          npWebEgress(
            [
              {
                namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['data'] }] },
              },
            ],
            npPg,
          ),
        ],
      ),
      findings: ['shop/NetworkPolicy/web-egress spec.egress[0]'],
    },
    {
      name: 'an allow with L7 rules of two kinds, a deny of everything',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            {
              toEndpoints: [api],
              toPorts: [
                { ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } },
                { ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } },
              ],
            },
          ],
          egressDeny: [{ toEntities: ['all'] }],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0]'],
      messageIds: ['l7Shadowed'],
      messages: [['L7 (dns, http) rules']],
    },
    {
      // A Cilium allow and a NetworkPolicy rule for the same traffic: both cancelled, both reported.
      name: 'a Cilium allow and a NetworkPolicy rule, one deny',
      state: shopCluster(
        [
          cnpCilium('shop', 'web', {
            endpointSelector: web,
            egress: [{ toEndpoints: [db], toPorts: pg }],
            egressDeny: [{ toEndpoints: [dataNs] }],
          }),
        ],
        [npWebEgress([npDb], npPg)],
      ),
      findings: [
        'shop/CiliumNetworkPolicy/web spec.egress[0]',
        'shop/NetworkPolicy/web-egress spec.egress[0]',
      ],
      messageIds: ['shadowed', 'networkPolicy'],
      messages: [
        ['spec.egressDeny[0] denies'],
        ['spec.egressDeny[0] of CiliumNetworkPolicy shop/web denies'],
      ],
    },
  ],
});
