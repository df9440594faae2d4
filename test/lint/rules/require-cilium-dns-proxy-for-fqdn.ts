import rule from '../../../src/lint/rules/require-cilium-dns-proxy-for-fqdn.ts';
import { cnpCilium } from '../../support/builders.ts';
import { stateRuleTester } from '../helpers.ts';
import { dnsProxy, https, kubeDns, shopCluster, web } from '../cilium-fixtures.ts';

const fqdn = { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: https };

/** A DNS proxy rule that lets the proxy see `api.stripe.com` only. */
const dnsProxyFor = (matchName: string) => ({
  toEndpoints: [kubeDns],
  toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchName }] } }],
});

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
    {
      name: 'a DNS rule that covers each name',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [dnsProxyFor('api.stripe.com'), fqdn],
        }),
      ]),
    },
  ],
  invalid: [
    {
      // The DNS rule names one host; the second toFQDNs entry is never looked up through the proxy.
      name: 'a DNS rule that does not cover every name',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          egress: [
            dnsProxyFor('api.stripe.com'),
            {
              toFQDNs: [{ matchName: 'api.stripe.com' }, { matchPattern: '*.wire.example' }],
              toPorts: https,
            },
          ],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[1].toFQDNs[1]'],
      messages: [['"*.wire.example"', 'shop/web', 'matchPattern']],
    },
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
