import rule from '../../../src/lint/rules/require-cilium-dns-proxy-for-fqdn.ts';
import { cnpCilium } from '../../support/builders.ts';
import { stateRuleTester } from '../helpers.ts';
import { dnsProxy, https, kubeDns, shopCluster, web } from '../cilium-fixtures.ts';

const fqdn = { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: https };

stateRuleTester(rule, {
  valid: [
    {
      name: 'the DNS proxy rule in the same rule set',
      state: shopCluster([cnpCilium('shop', 'web', { endpointSelector: web, egress: [dnsProxy, fqdn] })]),
    },
    {
      // A namespace-wide policy sends every pod's lookups through the proxy.
      name: 'the DNS proxy rule in another policy that selects the pods',
      state: shopCluster([
        cnpCilium('shop', 'web', { endpointSelector: web, egress: [fqdn] }),
        cnpCilium('shop', 'dns', { endpointSelector: {}, egress: [dnsProxy] }),
      ]),
    },
  ],
  invalid: [
    {
      // Port 53 is allowed, but at L4 only: the proxy never sees the answers.
      name: 'DNS allowed at L4 only',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [{ toEndpoints: [kubeDns], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }, fqdn],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[1].toFQDNs'],
      messages: [['"api.stripe.com"', 'shop/web']],
    },
    {
      // The proxy rule selects api only.
      name: 'the DNS proxy rule for other pods',
      state: shopCluster([
        cnpCilium('shop', 'web', { endpointSelector: web, egress: [fqdn] }),
        cnpCilium('shop', 'dns', { endpointSelector: { matchLabels: { app: 'api' } }, egress: [dnsProxy] }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0].toFQDNs'],
    },
  ],
});
