import type { CiliumEgressRule } from '../../../src/model/cilium-wire.ts';
import type { ClusterState } from '../../../src/model/cluster.ts';
import rule from '../../../src/lint/rules/no-cilium-fqdn-with-world.ts';
import { ccnp, cnpCilium } from '../../support/builders.ts';
import { stateRuleTester } from '../helpers.ts';
import { dnsProxy, https, shopCluster, web } from '../cilium-fixtures.ts';

const fqdn = { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: https };

/** shop/web's egress: DNS through the proxy, api.stripe.com on 443, and `rules`. */
function webEgress(...rules: CiliumEgressRule[]): ClusterState {
  return shopCluster([
    cnpCilium('shop', 'web', { endpointSelector: web, egress: [dnsProxy, fqdn, ...rules] }),
  ]);
}

stateRuleTester(rule, {
  valid: [
    {
      name: 'toFQDNs alone',
      state: shopCluster([cnpCilium('shop', 'web', { endpointSelector: web, egress: [dnsProxy, fqdn] })]),
    },
    {
      // The world rule only opens port 80: the names still restrict 443.
      name: 'world on other ports than the names',
      state: webEgress({ toEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }),
    },
    {
      // "cluster" is every in-cluster identity, never the outside hosts the names stand for.
      name: 'the cluster entity',
      state: webEgress({ toEntities: ['cluster'] }),
    },
  ],
  invalid: [
    {
      name: 'world on every port beside toFQDNs',
      state: webEgress({ toEntities: ['cluster', 'world'] }),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[2].toEntities[1]'],
      messages: [['"world"', 'spec.egress[2]', 'every port', 'spec.egress[1]', '"api.stripe.com"']],
    },
    {
      name: 'all on the same port, in a clusterwide policy',
      state: shopCluster([
        ccnp('egress', {
          endpointSelector: {},
          egress: [
            { toFQDNs: [{ matchPattern: '*.stripe.com' }], toPorts: https },
            { toEntities: ['all'], toPorts: https },
          ],
        }),
      ]),
      findings: ['CiliumClusterwideNetworkPolicy/egress spec.egress[1].toEntities[0]'],
      messages: [['"all"', 'the same ports', '"*.stripe.com"']],
    },
    {
      // A CIDR of every address is the world too; one with exceptions is not reported (it may be deliberate).
      name: 'toCIDR and toCIDRSet of every address',
      state: webEgress(
        { toCIDR: ['10.0.0.0/8', '0.0.0.0/0'], toPorts: https },
        {
          toCIDRSet: [
            { cidrGroupRef: 'partners' },
            { cidr: '10.0.0.0/8' },
            { cidr: '::/0' },
            { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] },
          ],
        },
      ),
      findings: [
        'shop/CiliumNetworkPolicy/web spec.egress[2].toCIDR[1]',
        'shop/CiliumNetworkPolicy/web spec.egress[3].toCIDRSet[2].cidr',
      ],
      messages: [['toCIDR "0.0.0.0/0"'], ['toCIDRSet "::/0"']],
    },
    {
      // The same rule: its peers are alternatives, world included.
      name: 'world-ipv4 in the toFQDNs rule itself',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            { toFQDNs: [{ matchName: 'api.stripe.com' }], toEntities: ['world-ipv4'], toPorts: https },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0].toEntities[0]'],
    },
  ],
});
