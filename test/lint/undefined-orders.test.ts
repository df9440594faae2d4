/**
 * `undefinedOrders`: the ties `analyze` and `test` print in their note (cluster policies of one tier and
 * priority that decide some traffic differently), one per tier and priority, the Admin tier's first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { undefinedOrders } from '../../src/lint/checks/priority-overlap.ts';
import { cnp } from '../support/builders.ts';
import { data, db, shop, withTiers } from './tier-fixtures.ts';

type TierName = 'Admin' | 'Baseline';
const deny = (name: string, tier: TierName, priority: number, to: typeof db | typeof shop = db) =>
  cnp(name, { tier, priority, subject: shop, egress: [{ action: 'Deny', to: [to] }] });
const accept = (name: string, tier: TierName, priority: number, to: typeof db | typeof shop = db) =>
  cnp(name, { tier, priority, subject: shop, egress: [{ action: 'Accept', to: [to] }] });

test('no tie that decides traffic differently: no group', () => {
  const state = withTiers({
    clusterPolicies: [deny('a', 'Admin', 10), accept('b', 'Admin', 11), deny('c', 'Admin', 12)],
  });
  assert.deepEqual(undefinedOrders(compileCluster(state)), []);
});

test('one group per tier and priority: the Admin tier first, each in evaluation order, its policies once each', () => {
  const state = withTiers({
    clusterPolicies: [
      // Given in the reverse of the order expected.
      accept('b-base', 'Baseline', 5),
      deny('a-base', 'Baseline', 5),
      // Traffic within shop: not decided at priority 10.
      accept('z-admin20', 'Admin', 20, shop),
      deny('y-admin20', 'Admin', 20, shop),
      accept('x-admin10', 'Admin', 10),
      deny('w-admin10', 'Admin', 10),
      // A third policy of the same priority that agrees with w (both deny) and conflicts with x: listed once,
      // in order, though its conflict with x is found before w's.
      cnp('v-admin10', {
        tier: 'Admin',
        priority: 10,
        subject: shop,
        egress: [{ action: 'Deny', to: [data] }],
      }),
    ],
  });
  assert.deepEqual(undefinedOrders(compileCluster(state)), [
    {
      tier: 'admin',
      priority: 10,
      policies: [
        'ClusterNetworkPolicy/v-admin10',
        'ClusterNetworkPolicy/w-admin10',
        'ClusterNetworkPolicy/x-admin10',
      ],
    },
    {
      tier: 'admin',
      priority: 20,
      policies: ['ClusterNetworkPolicy/y-admin20', 'ClusterNetworkPolicy/z-admin20'],
    },
    {
      tier: 'baseline',
      priority: 5,
      policies: ['ClusterNetworkPolicy/a-base', 'ClusterNetworkPolicy/b-base'],
    },
  ]);
});
