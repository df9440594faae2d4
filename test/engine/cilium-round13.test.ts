/**
 * `src/engine/cilium.ts` after round 13 of issue #20 (docs/mutation/engine.md, "Round 13"): a peer netfence does
 * not model (`cidrGroupRef`) selects no pod, and the endpoints an `In` requirement of several values selects come
 * in class order whatever the order of its values (`no-cilium-l7-shadowed-by-l4` looks at a capped number of
 * pairs, subjects in that order).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { portsContain } from '../../src/engine/ports.ts';
import rule from '../../src/lint/rules/no-cilium-l7-shadowed-by-l4.ts';
import { cluster, cnpCilium, pod } from '../support/builders.ts';
import { endpoint } from '../support/verdicts.ts';
import { stateFindingsOf } from '../lint/rule-details.ts';

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

describe('the endpoints of an In requirement of several values', () => {
  // An L7 rule from 400 addresses (an address class each): `no-cilium-l7-shadowed-by-l4` looks at 400 (subject,
  // peer) pairs of an entry at most, so at the first subject only. The subjects are selected by `role In [a,
  // b]`: `b` is read first, so its class comes first, though its value sorts after `a`'s. An L4 allow of the
  // addresses cancels the L7 rule for `b` alone. (`c`, not selected, makes the requirement narrower than every
  // endpoint, so that its values' classes are looked up.)
  const cidrs = Array.from({ length: 400 }, (_, i) => `10.200.${i >> 8}.${i & 255}/32`);
  const state = cluster({
    pods: [pod('shop', 'b', { role: 'b' }), pod('shop', 'a', { role: 'a' }), pod('shop', 'c', { role: 'c' })],
    ciliumPolicies: [
      cnpCilium('shop', 'l7', {
        endpointSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['a', 'b'] }] },
        ingress: [{ fromCIDR: cidrs, toPorts: [http('8080')] }],
      }),
      cnpCilium('shop', 'l4', {
        endpointSelector: { matchLabels: { role: 'b' } },
        ingress: [{ fromCIDR: ['10.200.0.0/16'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
      }),
    ],
  });

  test('come in class order, not in the order of the values: the subject read first is looked at', () => {
    const found = stateFindingsOf(rule, state);
    assert.deepEqual(
      found.map((f) => [f.at, f.workloads]),
      [['- shop/CiliumNetworkPolicy/l7 spec.ingress[0].toPorts[0]', ['shop/Pod/a', 'shop/Pod/b']]],
    );
    assert.match(found[0]!.message, /CiliumNetworkPolicy\/shop\/l4 spec\.ingress\[0\] allows the same peer/);
  });
});
