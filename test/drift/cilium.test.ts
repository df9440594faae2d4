/**
 * Drift of Cilium policies: missing, extra (CiliumNetworkPolicies in the covered namespaces; clusterwide ones
 * when the desired side has some, or with -A) and changed (`spec`/`specs`, key order and `status` aside), and
 * the state with the desired ones in place.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareCiliumPolicies, coveredNamespaces, withDesiredPolicies } from '../../src/engine/drift.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { ccnp, cluster, cnpCilium } from '../support/builders.ts';

const WEB: CiliumRule = { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] };
const OTHER: CiliumRule = { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{}] };

describe('Cilium policy drift', () => {
  test('missing, extra in scope, changed by field; the same content in another key order is in sync', () => {
    const desired = [cnpCilium('shop', 'a', WEB), cnpCilium('shop', 'new', WEB), ccnp('x', WEB)];
    const reordered = ciliumPolicyInfo({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'x' },
      spec: { ingress: [{}], endpointSelector: { matchLabels: { app: 'web' } } },
      status: { conditions: [] },
    } as Parameters<typeof ciliumPolicyInfo>[0]);
    const live = [
      cnpCilium('shop', 'a', OTHER),
      cnpCilium('shop', 'extra', WEB),
      cnpCilium('other', 'elsewhere', WEB),
      reordered,
      ccnp('y', WEB),
    ];
    const scope = { kind: 'namespaces', namespaces: ['shop'] } as const;
    const r = compareCiliumPolicies(desired, live, scope);
    assert.deepEqual(
      r.drifts.map((d) => [d.kind, d.id, d.namespace, d.fields.map((f) => f.join('.')).join(' ')]),
      [
        ['extra', 'CiliumClusterwideNetworkPolicy/y', '', ''],
        ['changed', 'CiliumNetworkPolicy/shop/a', 'shop', 'spec.egress spec.ingress'],
        ['extra', 'CiliumNetworkPolicy/shop/extra', 'shop', ''],
        ['missing', 'CiliumNetworkPolicy/shop/new', 'shop', ''],
      ],
    );
    assert.equal(r.inSync, 1);
    assert.equal(r.outOfScope, 1);
    // Without clusterwide policies on the desired side, the live ones are not its business.
    const noClusterwide = compareCiliumPolicies(desired.slice(0, 2), live, scope);
    assert.ok(!noClusterwide.drifts.some((d) => d.id.startsWith('CiliumClusterwide')));
    assert.equal(noClusterwide.outOfScope, 3);
  });

  test('covered namespaces include those of CiliumNetworkPolicies; the synced state has the desired ones', () => {
    const desired = { ...cluster({}), ciliumPolicies: [cnpCilium('shop', 'a', WEB)] };
    assert.deepEqual(coveredNamespaces(desired), ['shop']);
    const live = {
      ...cluster({}),
      ciliumPolicies: [cnpCilium('shop', 'a', OTHER), cnpCilium('shop', 'b', WEB)],
    };
    const drifts = compareCiliumPolicies(desired.ciliumPolicies, live.ciliumPolicies, {
      kind: 'namespaces',
      namespaces: ['shop'],
    }).drifts;
    const synced = withDesiredPolicies(live, drifts);
    assert.deepEqual(
      synced.ciliumPolicies.map((p) => [p.id, p.specs[0]!.ingress.length]),
      [['CiliumNetworkPolicy/shop/a', 1]],
    );
  });
});
