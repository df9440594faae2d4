/**
 * The ids of the entities standing for address classes (`src/engine/connectivity.ts`): `externalId` makes
 * `external:<n>`, `addressClassOfId` reads it back, `isExternalId` tells such an id from a workload's or a
 * pod's. Round 14: the formatters and the generator had each read the id by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import {
  addressClassOfId,
  computeConnectivity,
  externalId,
  isExternalId,
} from '../../src/engine/connectivity.ts';
import { ANY_ADDRESS } from '../../src/format/flows.ts';
import { cluster, pod, policy } from '../support/builders.ts';

test('addressClassOfId reads back the class externalId wrote', () => {
  for (const n of [0, 1, 7, 10, 123]) {
    assert.equal(externalId(n), `external:${n}`);
    assert.equal(addressClassOfId(externalId(n)), n);
    assert.equal(isExternalId(externalId(n)), true);
  }
});

test("a workload's or a pod's id is no address class", () => {
  for (const id of ['shop/Deployment/web', 'shop/web-0', 'external/Deployment/x', 'shop/Pod/external:1']) {
    assert.equal(addressClassOfId(id), undefined, id);
    assert.equal(isExternalId(id), false, id);
  }
});

test('the grouped `external:*` is outside the cluster but no one class; a malformed number is no class', () => {
  assert.equal(isExternalId(ANY_ADDRESS), true);
  assert.equal(addressClassOfId(ANY_ADDRESS), undefined);
  for (const id of [
    'external:',
    'external:-1',
    'external:1.5',
    'external:1e2',
    'external: 3',
    'external:3 ',
  ]) {
    assert.equal(addressClassOfId(id), undefined, id);
  }
});

test('every external entity of an answer names its own address class, and no other entity names one', () => {
  const state = cluster({
    pods: [pod('a', 'web', { app: 'web' })],
    policies: [
      policy('a', 'out', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
      }),
    ],
  });
  const conn = computeConnectivity(compileCluster(state), 'workload');
  const external = conn.entities.filter((e) => e.kind === 'external');
  assert.ok(external.length >= 3, 'the policy splits the addresses into several classes');
  for (const e of conn.entities) {
    assert.equal(isExternalId(e.id), e.kind === 'external', e.id);
    assert.equal(addressClassOfId(e.id), e.kind === 'external' ? e.address.id : undefined, e.id);
  }
});
