/**
 * `computeDrift` (`src/engine/drift.ts`) as a whole, for what mutation testing (issue #20) found unpinned:
 * the counts of policies in sync and out of scope add the NetworkPolicies and the Cilium policies, and the
 * connectivity is compared workload by workload unless asked otherwise.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeDrift } from '../../src/engine/drift.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { cluster, cnpCilium, ns, pod, policy } from '../support/builders.ts';

const WEB: CiliumRule = { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] };
const OPEN = { podSelector: {}, ingress: [{}] };

describe('computeDrift', () => {
  const live = cluster({
    namespaces: [ns('shop'), ns('other')],
    pods: [pod('shop', 'web', { app: 'web' }), pod('shop', 'db', { app: 'db' })],
    policies: [policy('shop', 'open', OPEN), policy('other', 'open', OPEN)],
    ciliumPolicies: [cnpCilium('shop', 'web', WEB), cnpCilium('other', 'web', WEB)],
  });
  const desired = cluster({
    namespaces: [ns('shop')],
    policies: [policy('shop', 'open', OPEN)],
    ciliumPolicies: [cnpCilium('shop', 'web', WEB)],
  });
  const scope = { kind: 'namespaces', namespaces: ['shop'] } as const;

  test('in sync and out of scope count both kinds of policy', () => {
    const d = computeDrift(desired, live, scope, { ipBlockMatchesPods: true });
    assert.deepEqual(d.drifts, []);
    assert.equal(d.inSync, 2, 'shop/open and CiliumNetworkPolicy/shop/web');
    assert.equal(d.outOfScope, 2, 'other/open and CiliumNetworkPolicy/other/web');
  });

  test('the connectivity is compared by workload by default, by pod when asked', () => {
    assert.equal(
      computeDrift(desired, live, scope, { ipBlockMatchesPods: true }).connectivity.granularity,
      'workload',
    );
    const byPod = computeDrift(desired, live, scope, { ipBlockMatchesPods: true }, 'pod').connectivity;
    assert.equal(byPod.granularity, 'pod');
    assert.deepEqual(
      byPod.entities.filter((e) => e.kind !== 'external').map((e) => e.id),
      ['shop/db', 'shop/web'],
    );
  });
});
