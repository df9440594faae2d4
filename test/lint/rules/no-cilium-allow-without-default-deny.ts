import rule from '../../../src/lint/rules/no-cilium-allow-without-default-deny.ts';
import { cnpCilium, policy } from '../../support/builders.ts';
import { stateRuleTester } from '../helpers.ts';
import { api, shopCluster, web, cnpSpecs } from '../cilium-fixtures.ts';

const fromApi = { ingress: [{ fromEndpoints: [api] }] };

stateRuleTester(rule, {
  valid: [
    {
      name: 'default deny left on',
      state: shopCluster([cnpCilium('shop', 'web', { endpointSelector: web, ...fromApi })]),
    },
    {
      // Layered on top of a NetworkPolicy that isolates web: the rule adds to it, as documented.
      name: 'layered on a NetworkPolicy default deny',
      state: shopCluster(
        [
          cnpCilium('shop', 'web', {
            endpointSelector: web,
            ...fromApi,
            enableDefaultDeny: { ingress: false },
          }),
        ],
        [policy('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] })],
      ),
    },
    {
      name: 'layered on another Cilium policy',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ...fromApi,
          enableDefaultDeny: { ingress: false },
        }),
        cnpCilium('shop', 'base', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] }),
      ]),
    },
    {
      // Off for egress only: the ingress rules still isolate.
      name: 'off in the other direction',
      state: shopCluster([
        cnpCilium('shop', 'web', { endpointSelector: web, ...fromApi, enableDefaultDeny: { egress: false } }),
      ]),
    },
  ],
  invalid: [
    {
      name: 'the only policy of its pods',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ...fromApi,
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [['shop/web', '1 ingress allow rule of']],
    },
    {
      // A NetworkPolicy for egress does not isolate ingress.
      name: 'other policies isolate the other direction only',
      state: shopCluster(
        [
          cnpCilium('shop', 'all', {
            endpointSelector: {},
            egress: [{ toEntities: ['world'] }, { toEntities: ['cluster'] }],
            enableDefaultDeny: { egress: false },
          }),
        ],
        [policy('shop', 'web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })],
      ),
      findings: ['shop/CiliumNetworkPolicy/all spec.enableDefaultDeny.egress'],
      messages: [['shop/api and shop/web', '2 egress allow rules']],
    },
    {
      // Another Cilium policy of web that isolates egress only (it has no ingress rule) leaves ingress open.
      name: 'another Cilium policy of the pods without an ingress rule',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ...fromApi,
          enableDefaultDeny: { ingress: false },
        }),
        cnpCilium('shop', 'web-egress', { endpointSelector: web, egress: [{ toEntities: ['cluster'] }] }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
    },
    {
      name: 'in specs[1]',
      state: shopCluster([
        cnpSpecs('shop', 'web', [
          { endpointSelector: api, ...fromApi },
          { endpointSelector: web, ...fromApi, enableDefaultDeny: { ingress: false } },
        ]),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web specs[1].enableDefaultDeny.ingress'],
      messages: [['shop/web', '1 ingress allow rule of']],
    },
  ],
});
