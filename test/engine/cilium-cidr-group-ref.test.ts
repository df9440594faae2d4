/**
 * `src/engine/cilium.ts` after round 13 of issue #20 (docs/mutation/engine.md, "Round 13"): a peer netfence does
 * not model (`cidrGroupRef`) selects no pod. (The order of the endpoints an `In` requirement selects is pinned in
 * test/lint/no-cilium-l7-shadowed-by-l4-details.test.ts, where it shows.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { portsContain } from '../../src/engine/ports.ts';
import { cluster, cnpCilium, pod } from '../support/builders.ts';
import { endpoint } from '../support/verdicts.ts';

const http = (port: string) => ({ ports: [{ port, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } });

describe('a rule whose only peer is a cidrGroupRef (not modelled)', () => {
  const state = cluster({
    pods: [
      pod('shop', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
      pod('shop', 'api', { app: 'api' }, { ips: ['10.0.0.2'] }),
    ],
    ciliumPolicies: [
      cnpCilium('shop', 'web', {
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [{ fromCIDRSet: [{ cidrGroupRef: 'office' }], toPorts: [http('8080')] }],
        egress: [{ toCIDRSet: [{ cidrGroupRef: 'office' }], toPorts: [{ ports: [{ port: '8080' }] }] }],
      }),
    ],
  });

  test('allows no pod and no address, and isolates the pods it selects', () => {
    const compiled = compileCluster(state);
    const allowed = (src: string, dst: string) =>
      portsContain(compiled.allowedBetween(endpoint(src), endpoint(dst)), 'TCP', 8080);
    assert.deepEqual(
      ['shop/api', '10.0.0.2', '192.0.2.1'].map((dst) => allowed('shop/web', dst)),
      [false, false, false],
    );
    assert.deepEqual(
      ['shop/api', '10.0.0.2', '192.0.2.1'].map((src) => allowed(src, 'shop/web')),
      [false, false, false],
    );
    // shop/api, which no policy selects, is not isolated.
    assert.equal(allowed('shop/api', '192.0.2.1'), true);
  });
});
