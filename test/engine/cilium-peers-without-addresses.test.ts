/**
 * `src/engine/cilium.ts` after round 15 of issue #20 (docs/mutation/engine.md, "Round 15"): a Cilium peer that
 * stands for no address gives no address class to the connections `analyze` lists (`computeConnectivity`), which
 * read every address class a rule allows.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { cluster, cnpCilium, pod } from '../support/builders.ts';

/** The connections of shop/web (selected by `rules`) and shop/api (selected by nothing), as `src -> dst`. */
function connections(rules: Omit<CiliumRule, 'endpointSelector'>): string[] {
  const state = cluster({
    pods: [
      pod('shop', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
      pod('shop', 'api', { app: 'api' }, { ips: ['10.0.0.2'] }),
    ],
    ciliumPolicies: [
      cnpCilium('shop', 'web', { endpointSelector: { matchLabels: { app: 'web' } }, ...rules }),
    ],
  });
  return computeConnectivity(compileCluster(state)).connections.map((c) => `${c.src} -> ${c.dst}`);
}

describe('Cilium peers that stand for no address', () => {
  test('a cidrGroupRef (not modelled), in an ingress and an egress rule: shop/web gets no connection', () => {
    assert.deepEqual(
      connections({
        ingress: [
          {
            fromCIDRSet: [{ cidrGroupRef: 'office' }],
            toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
          },
        ],
        egress: [{ toCIDRSet: [{ cidrGroupRef: 'office' }], toPorts: [{ ports: [{ port: '8080' }] }] }],
      }),
      // shop/api, which no policy selects, is open both ways; the outside is one address class.
      ['shop/Pod/api -> external:0', 'external:0 -> shop/Pod/api'],
    );
  });

  test('an egress toServices rule that selects no Service, without toPorts: shop/web reaches nothing', () => {
    // Without toPorts the rule applies to no peer (with them, to every peer: cilium/cilium#20067).
    assert.deepEqual(
      connections({ egress: [{ toServices: [{ k8sService: { serviceName: 'nope', namespace: 'shop' } }] }] }),
      [
        'shop/Pod/api -> shop/Pod/web',
        'shop/Pod/api -> external:0',
        'external:0 -> shop/Pod/api',
        'external:0 -> shop/Pod/web',
      ],
    );
  });
});
