import rule from '../../../src/lint/rules/no-cilium-l7-shadowed-by-l4.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('shop'), deploy('shop', 'web'), deploy('shop', 'api'), deploy('shop', 'admin'));
/** api accepts GET from web on 8080, filtered by Cilium's proxy. */
const getOnly = (mark = ''): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: api-get, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: api}}
    ingress:
      - fromEndpoints: [{matchLabels: {app: web}}]
        toPorts:
          - ports: [{port: "8080", protocol: TCP}]  ${mark}
            rules: {http: [{method: GET}]}
`;
const npAllow = (peer: string, port: number): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: np-allow, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: api}}
    ingress:
      - from: [{podSelector: {matchLabels: {app: ${peer}}}}]
        ports: [{port: ${port}}]
`;

/**
 * An L7 rule of web's and api's ingress from 401 addresses (802 pod–peer pairs, web's looked at first), and an
 * L4 allow from one of those addresses into `l4Into` on `port`.
 */
const manyPeers = (l4Into: string, port: number, mark = ''): string =>
  docs(
    base,
    yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: back-get, namespace: shop}
      spec:
        endpointSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}
        ingress:
          - fromCIDR: [${Array.from({ length: 401 }, (_, i) => `10.200.${i >> 8}.${i & 255}/32`).join(', ')}]
            toPorts:
              - ports: [{port: "8080", protocol: TCP}]  ${mark}
                rules: {http: [{method: GET}]}
      ---
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: l4, namespace: shop}
      spec:
        endpointSelector: {matchLabels: {app: ${l4Into}}}
        ingress: [{fromCIDR: [10.200.1.144/32], toPorts: [{ports: [{port: "${port}", protocol: TCP}]}]}]
    `,
  );

ruleTester(rule, {
  valid: [
    {
      name: 'more than 400 pod–peer pairs, an L4 allow of the last peer on another port',
      yaml: manyPeers('api', 9090),
    },
    { name: 'an L7 rule alone filters', yaml: docs(base, getOnly()) },
    {
      name: 'an L4 allow of the same peer on another port',
      yaml: docs(base, getOnly(), npAllow('web', 9090)),
    },
    {
      name: 'an L4 allow of another peer on the same port',
      yaml: docs(base, getOnly(), npAllow('admin', 8080)),
    },
    {
      // The other L4 allow selects other pods (web's ingress): it does not touch api's ingress.
      name: 'an L4 allow for other pods',
      yaml: docs(
        base,
        getOnly(),
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: web-open, namespace: shop}
          spec:
            endpointSelector: {matchLabels: {app: web}}
            ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]
        `,
      ),
    },
  ],
  invalid: [
    {
      // Cilium docs, Layer 7 Examples: "the layer 7 portions of the latter rule will have no effect".
      name: 'a NetworkPolicy allowing the same peer and port at L4',
      yaml: docs(base, getOnly('# <-'), npAllow('web', 8080)),
      messages: [['(http)', 'shop/web on 8080/TCP', 'shop/np-allow spec.ingress[0] allows']],
    },
    {
      name: 'a Cilium L3-only rule from the same peer',
      yaml: docs(
        base,
        getOnly('# <-'),
        yaml`
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: api-from-web, namespace: shop}
          spec:
            endpointSelector: {matchLabels: {app: api}}
            ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]
        `,
      ),
      messages: [['CiliumNetworkPolicy/shop/api-from-web spec.ingress[0] allows']],
    },
    {
      // Every pair is looked at: the shadow is met for the later subject and the last peer.
      name: 'more than 400 pod–peer pairs, the last peer of the later subject shadowed',
      yaml: manyPeers('api', 8080, '# <-'),
      messages: [['10.200.1.144/32 on 8080/TCP', 'CiliumNetworkPolicy/shop/l4 spec.ingress[0] allows']],
    },
    {
      name: 'more than 400 pod–peer pairs, the last peer of the first subject shadowed',
      yaml: manyPeers('web', 8080, '# <-'),
      messages: [['10.200.1.144/32 on 8080/TCP']],
    },
  ],
});
