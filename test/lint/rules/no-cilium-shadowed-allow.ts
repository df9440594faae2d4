import rule from '../../../src/lint/rules/no-cilium-shadowed-allow.ts';
import { cnpCilium } from '../../support/builders.ts';
import { stateRuleTester } from '../helpers.ts';
import { api, https, shopCluster, web } from '../cilium-fixtures.ts';

const db = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data', app: 'db' } };
const dataNs = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data' } };
const pg = [{ ports: [{ port: '5432', protocol: 'TCP' }] }];

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
  ],
});
