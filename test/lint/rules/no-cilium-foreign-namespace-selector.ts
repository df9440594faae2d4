import rule from '../../../src/lint/rules/no-cilium-foreign-namespace-selector.ts';
import { ccnp, cnpCilium } from '../../support/builders.ts';
import { stateRuleTester } from '../helpers.ts';
import { shopCluster, web } from '../cilium-fixtures.ts';

const NS = 'k8s:io.kubernetes.pod.namespace';

stateRuleTester(rule, {
  valid: [
    {
      name: "the policy's own namespace",
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: { matchLabels: { [NS]: 'shop', app: 'web' } },
          ingress: [{}],
        }),
      ]),
    },
    {
      name: 'no namespace in the selector',
      state: shopCluster([cnpCilium('shop', 'web', { endpointSelector: web, ingress: [{}] })]),
    },
    {
      // A clusterwide policy's selector may name any namespace.
      name: 'a CiliumClusterwideNetworkPolicy',
      state: shopCluster([
        ccnp('other', { endpointSelector: { matchLabels: { [NS]: 'other' } }, ingress: [{}] }),
      ]),
    },
  ],
  invalid: [
    {
      name: 'matchLabels naming another namespace',
      state: shopCluster([
        cnpCilium('shop', 'wrong-ns', {
          endpointSelector: { matchLabels: { [NS]: 'other' } },
          ingress: [{}],
        }),
      ]),
      findings: [`shop/CiliumNetworkPolicy/wrong-ns spec.endpointSelector.matchLabels.${NS}`],
      messages: [['"other"', '"shop"', 'CiliumClusterwideNetworkPolicy']],
    },
    {
      name: 'matchExpressions In another namespace',
      state: shopCluster([
        cnpCilium('shop', 'wrong-ns', {
          endpointSelector: { matchExpressions: [{ key: NS, operator: 'In', values: ['other'] }] },
          ingress: [{}],
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/wrong-ns spec.endpointSelector.matchExpressions[0]'],
      messages: [['"other"']],
    },
  ],
});
