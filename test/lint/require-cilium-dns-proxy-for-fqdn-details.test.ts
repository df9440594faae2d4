/**
 * require-cilium-dns-proxy-for-fqdn beyond its table (test/lint/rules/require-cilium-dns-proxy-for-fqdn.ts):
 * a finding per uncovered name, each at its own toFQDNs entry (a matchPattern, a matchName) and naming its
 * rule; the workloads sorted; a rule set that selects no pod; a node-selecting rule set (not judged); a DNS
 * proxy rule whose port entries are not all DNS ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/require-cilium-dns-proxy-for-fqdn.ts';
import { ccnp, cnpCilium } from '../support/builders.ts';
import { stateFindingsOf } from './rule-details.ts';
import { dnsProxy, https, kubeDns, shopCluster, web } from './cilium-fixtures.ts';

/** A DNS proxy rule that lets the proxy see `matchName` only. */
const dnsProxyFor = (matchName: string) => ({
  toEndpoints: [kubeDns],
  toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchName }] } }],
});
const fqdn = { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: https };

test('two names the DNS rule does not cover, in the second rule set of the input', () => {
  const state = shopCluster([
    // The first rule set selects no pod and has no toFQDNs: nothing to say about it.
    cnpCilium('shop', 'a-none', {
      endpointSelector: { matchLabels: { app: 'none' } },
      egress: [{ toEntities: ['cluster'] }],
    }),
    cnpCilium('shop', 'shop', {
      endpointSelector: {},
      egress: [
        dnsProxyFor('api.stripe.com'),
        {
          toFQDNs: [
            { matchPattern: '*.wire.example' },
            { matchName: 'api.stripe.com' },
            { matchName: 'b.example' },
          ],
          toPorts: https,
        },
      ],
    }),
  ]);
  const words = (name: string): string =>
    `The toFQDNs name "${name}" of spec.egress[1] never matches for shop/api and shop/web: their DNS rules on port 53 do not cover it, so Cilium's DNS proxy never sees its lookups (explain says the same); widen the DNS rule's matchPattern (or add a matchName) to cover "${name}"`;
  assert.deepEqual(stateFindingsOf(rule, state), [
    {
      at: '- shop/CiliumNetworkPolicy/shop spec.egress[1].toFQDNs[0]',
      message: words('*.wire.example'),
      workloads: ['shop/Pod/api', 'shop/Pod/web'],
    },
    {
      at: '- shop/CiliumNetworkPolicy/shop spec.egress[1].toFQDNs[2]',
      message: words('b.example'),
      workloads: ['shop/Pod/api', 'shop/Pod/web'],
    },
  ]);
});

test('a rule set that selects no pod, one that selects nodes, and a proxy rule with a plain port entry', () => {
  const state = shopCluster([
    cnpCilium('shop', 'none', { endpointSelector: { matchLabels: { app: 'none' } }, egress: [fqdn] }),
    // Host policies: lookups from nodes are not what the rule judges.
    ccnp('nodes', { nodeSelector: {}, egress: [fqdn] }),
    // One of the two port entries has the DNS rules: the lookups go through the proxy.
    cnpCilium('shop', 'web', {
      endpointSelector: web,
      egress: [
        { ...dnsProxy, toPorts: [...dnsProxy.toPorts, { ports: [{ port: '8053', protocol: 'UDP' }] }] },
        fqdn,
      ],
    }),
  ]);
  assert.deepEqual(stateFindingsOf(rule, state), [
    {
      at: '- shop/CiliumNetworkPolicy/none spec.egress[0].toFQDNs',
      message:
        'The toFQDNs of spec.egress[0] ("api.stripe.com") never match: no Cilium egress rule with DNS L7 rules applies to its pods, so Cilium never sees their lookups; add an egress rule to kube-dns on port 53 with rules: {dns: [{matchPattern: "*"}]}',
      workloads: [],
    },
  ]);
});

test('a name written in capitals with a final dot: the finding points at the toFQDNs list', () => {
  // The name is compared in lowercase without the final dot, so no entry is spelled as the message says.
  const state = shopCluster([
    cnpCilium('shop', 'web', {
      endpointSelector: web,
      egress: [dnsProxyFor('api.stripe.com'), { toFQDNs: [{ matchName: 'Docs.Example.' }], toPorts: https }],
    }),
  ]);
  assert.deepEqual(
    stateFindingsOf(rule, state).map((f) => [f.at, f.message.slice(0, 50)]),
    [
      [
        '- shop/CiliumNetworkPolicy/web spec.egress[1].toFQDNs',
        'The toFQDNs name "docs.example" of spec.egress[1] ',
      ],
    ],
  );
});
