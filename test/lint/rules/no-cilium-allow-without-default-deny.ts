import rule from '../../../src/lint/rules/no-cilium-allow-without-default-deny.ts';
import { cnpCilium, policy } from '../../support/builders.ts';
import { cniEngine as cni, deploy, docs, ns, ruleTester, stateRuleTester, yaml } from '../helpers.ts';
import { api, shopCluster, web, cnpSpecs } from '../cilium-fixtures.ts';

const fromApi = { ingress: [{ fromEndpoints: [api] }] };
const getOnly = { http: [{ method: 'GET' }] };
/** From api on 8080, only GET requests (Cilium's HTTP proxy filters them). */
const fromApiL7 = { fromEndpoints: [api], toPorts: [{ ports: [{ port: '8080' }], rules: getOnly }] };

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
    {
      // Only those TLS server names pass.
      name: 'serverNames filter at L7',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [{ ports: [{ port: '8443' }], serverNames: ['web.shop.example'] }],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
    },
    {
      // The use enableDefaultDeny: false exists for: one caller's requests filtered at L7, the rest left open.
      name: 'every allow rule filters at L7',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [fromApiL7],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
    },
    {
      // A non-empty list, a non-empty object or a number as a matcher restricts what passes.
      name: 'request rules whose matchers restrict: a list, an object, a number',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [
                { ports: [{ port: '8080' }], ...{ rules: { http: [{ headers: ['X-Token: 1'] }] } } },
                { ports: [{ port: '8081' }], ...{ rules: { http: [{ headerMatches: { name: 'x' } }] } } },
                { ports: [{ port: '8082' }], ...{ rules: { l7proto: 'r2d2', l7: [{ version: 2 }] } } },
              ],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
    },
  ],
  invalid: [
    {
      // L7 on one port of the rule only: the other port is allowed at L4 alone, and restricts nothing.
      name: 'a rule with L7 rules on some of its ports only counts',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [{ ports: [{ port: '8080' }], rules: getOnly }, { ports: [{ port: '9090' }] }],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [['1 ingress allow rule of this rule set restricts nothing', 'meant to restrict']],
    },
    {
      name: 'beside a rule filtering at L7, a plain allow rule',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [fromApiL7, { fromEntities: ['cluster'] }],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [
        [
          'the 1 ingress allow rule of this rule set restricts nothing',
          '(the 1 rule with L7 rules on every port still filters the requests it matches)',
        ],
      ],
    },
    {
      name: 'an HTTP rule matching every request (http: [{}]) filters nothing',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            { fromEndpoints: [api], toPorts: [{ ports: [{ port: '8080' }], ...{ rules: { http: [{}] } } }] },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [['1 ingress allow rule of this rule set restricts nothing', 'meant to restrict']],
    },
    {
      name: 'one HTTP rule of two matching every request lets every request through',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [
                { ports: [{ port: '8080' }], ...{ rules: { http: [{ method: 'GET' }, { path: '' }] } } },
              ],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [['1 ingress allow rule of this rule set restricts nothing', 'meant to restrict']],
    },
    {
      name: 'a DNS rule matching every name (matchPattern: "*") filters nothing',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [{ ports: [{ port: '8080' }], ...{ rules: { dns: [{ matchPattern: '*' }] } } }],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [['1 ingress allow rule of this rule set restricts nothing', 'meant to restrict']],
    },
    {
      name: 'TLS interception alone filters nothing',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [{ ports: [{ port: '8080' }], ...{ terminatingTLS: { secret: { name: 'tls' } } } }],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [['1 ingress allow rule of this rule set restricts nothing', 'meant to restrict']],
    },
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
      // Matchers set to nothing (null, an absent value, an empty list, `.*`) or a request rule that is not an
      // object (a bare string, null): none filters a request.
      name: 'HTTP rules whose matchers all match every request',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [
                {
                  ports: [{ port: '8080' }],
                  ...{
                    rules: {
                      http: [{ method: null, path: undefined, headers: [], headerMatches: {}, host: '.*' }],
                    },
                  },
                },
              ],
            },
            {
              fromEndpoints: [api],
              toPorts: [{ ports: [{ port: '8081' }], ...{ rules: { http: ['GET'] } } }],
            },
            {
              fromEndpoints: [api],
              toPorts: [{ ports: [{ port: '8082' }], ...{ rules: { http: [null] } } }],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [
        [
          'enableDefaultDeny.ingress is false and nothing else isolates shop/web for ingress, so the 3 ingress allow rules of this rule set restrict nothing: all ingress traffic stays allowed; remove "enableDefaultDeny.ingress: false" if they are meant to restrict',
        ],
      ],
    },
    {
      // `rules: {http: []}` lists no request rule: the port is open at L4 (the empty list is not a filter).
      name: 'an empty list of HTTP rules',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            { fromEndpoints: [api], toPorts: [{ ports: [{ port: '8080' }], ...{ rules: { http: [] } } }] },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
    },
    {
      // TLS interception with an empty list of HTTP rules: the proxy sees the requests but filters none.
      name: 'TLS interception and an empty list of HTTP rules',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [
                {
                  ports: [{ port: '8443' }],
                  ...{ terminatingTLS: { secret: { name: 'tls' } }, rules: { http: [] } },
                },
              ],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
    },
    {
      // Generic L7 rules without `l7proto` name no parser: the port is not sent through a proxy.
      name: 'generic l7 rules without l7proto',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [{ ports: [{ port: '8080' }], ...{ rules: { l7: [{ action: 'deny' }] } } }],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
    },
    {
      // Two lists: the Kafka one matches every request, so the rule filters nothing even though HTTP does.
      name: 'one L7 list of two matching every request',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [
            {
              fromEndpoints: [api],
              toPorts: [
                { ports: [{ port: '8080' }], ...{ rules: { http: [{ method: 'GET' }], kafka: [{}] } } },
              ],
            },
          ],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
    },
    {
      // `toPorts: [{}]`: an entry without ports matches no port, so the rule opens nothing at L4 and is not a
      // rule filtering at L7 either.
      name: 'a rule whose port entry lists no port',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [{ fromEndpoints: [api], toPorts: [{ ...{ rules: getOnly } }] }],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
    },
    {
      name: 'two rules filtering at L7 beside two plain ones: the words for several',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [fromApiL7, fromApiL7, { fromEntities: ['cluster'] }, { fromEntities: ['world'] }],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [
        [
          'so the 2 ingress allow rules of this rule set restrict nothing: all ingress traffic stays allowed; remove "enableDefaultDeny.ingress: false" if they are meant to restrict (the 2 rules with L7 rules on every port still filter the requests they match)',
        ],
      ],
    },
    {
      name: 'one plain rule beside one filtering at L7: the words for one',
      state: shopCluster([
        cnpCilium('shop', 'web', {
          endpointSelector: web,
          ingress: [fromApiL7, { fromEntities: ['cluster'] }],
          enableDefaultDeny: { ingress: false },
        }),
      ]),
      findings: ['shop/CiliumNetworkPolicy/web spec.enableDefaultDeny.ingress'],
      messages: [
        [
          'enableDefaultDeny.ingress is false and nothing else isolates shop/web for ingress, so the 1 ingress allow rule of this rule set restricts nothing: all ingress traffic stays allowed; remove "enableDefaultDeny.ingress: false" if it is meant to restrict (the 1 rule with L7 rules on every port still filters the requests it matches)',
        ],
      ],
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

// Where the profile ignores enableDefaultDeny (Cilium before 1.16, whose CRD has no such field, or
// enable-non-default-deny-policies=false), the rule set is in default deny whatever the field says: the
// finding must say the field is ignored, never that "all traffic stays allowed" (analyze shows it restricted).
/** shop/web's rule set with `enableDefaultDeny.ingress: false` (marked) and one rule towards or from shop/api. */
const webWith = (rule: 'ingress' | 'egress') =>
  docs(
    ns('shop'),
    deploy('shop', 'web'),
    deploy('shop', 'api'),
    yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: web, namespace: shop}
      spec:
        endpointSelector: {matchLabels: {app: web}}
        enableDefaultDeny:
          ingress: false  # <-
        ${rule}:
          - ${rule === 'ingress' ? 'fromEndpoints' : 'toEndpoints'}: [{matchLabels: {app: api}}]
    `,
  );
const layered = webWith('ingress');

ruleTester(rule, {
  valid: [
    {
      name: 'enableDefaultDeny off with rules only in the other direction, under cilium@1.15',
      yaml: webWith('egress'),
      engine: cni('cilium@1.15'),
    },
    {
      // It isolates nothing: no workload to name (a rule set selecting nothing is no-policy-selecting-nothing's).
      name: 'enableDefaultDeny off in a rule set selecting no pod, under cilium@1.15',
      yaml: layered.replace('{matchLabels: {app: web}}', '{matchLabels: {app: none}}'),
      engine: cni('cilium@1.15'),
    },
  ],
  invalid: [
    {
      name: 'enableDefaultDeny: false under cilium (read): the allow rules restrict nothing',
      yaml: layered,
      engine: cni('cilium'),
      messageIds: ['open'],
      messages: [['shop/web', 'restricts nothing']],
    },
    {
      name: 'enableDefaultDeny: false under cilium@1.15 (not in its CRD): ignored, the rule set isolates',
      yaml: layered,
      engine: cni('cilium@1.15'),
      messageIds: ['ignored'],
      messages: [
        [
          'enableDefaultDeny.ingress: false has no effect here',
          'cilium@1.15',
          'cilium#30572',
          'shop/web in default deny for ingress',
        ],
      ],
    },
    {
      name: 'enableDefaultDeny: false with enable-non-default-deny-policies=false: ignored, the rule set isolates',
      yaml: layered,
      engine: cni('cilium', ['enable-non-default-deny-policies=false']),
      messageIds: ['ignored'],
      messages: [
        [
          'enableDefaultDeny.ingress: false has no effect here',
          'enable-non-default-deny-policies=false',
          'shop/web in default deny for ingress',
        ],
      ],
    },
  ],
});
