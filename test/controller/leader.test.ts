/**
 * One round of leader election against a Lease held in memory (the retry period is an hour: only the first
 * try runs, then stop()). The timing (renewals, expiry on the follower's clock) is exercised against the real
 * API server in test/cluster/controller.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runElection, type LeaseStore } from '../../src/controller/leader.ts';
import { ClusterError } from '../../src/k8s/errors.ts';
import type { StoredObject } from '../../src/k8s/controller.ts';

const NOW = new Date('2026-12-05T10:00:00.123Z');

function store(
  initial: Record<string, unknown> | undefined,
  conflict = false,
): LeaseStore & { writes: StoredObject[] } {
  let lease: StoredObject | undefined =
    initial === undefined
      ? undefined
      : { metadata: { name: 'l', namespace: 'ns', resourceVersion: '7' }, spec: initial };
  const writes: StoredObject[] = [];
  return {
    writes,
    get: () => Promise.resolve(lease),
    create(body) {
      writes.push(body);
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: '1' } };
      return Promise.resolve(lease);
    },
    replace(body) {
      if (conflict) return Promise.reject(new ClusterError('conflict', 409, 'Conflict'));
      writes.push(body);
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: '8' } };
      return Promise.resolve(lease);
    },
  };
}

async function oneRound(s: LeaseStore, identity = 'me'): Promise<{ led: boolean[]; errors: string[] }> {
  const led: boolean[] = [];
  const errors: string[] = [];
  const e = runElection(s, 'l', 'ns', {
    identity,
    retryMs: 3_600_000,
    now: () => NOW,
    onStartedLeading: () => led.push(true),
    onStoppedLeading: () => led.push(false),
    onError: (m) => errors.push(m),
  });
  await e.stop();
  return { led, errors };
}

describe('leader election', () => {
  test('no Lease: it creates one and leads; on stop it releases it (empty holder, 1 s)', async () => {
    const s = store(undefined);
    const { led } = await oneRound(s);
    assert.deepEqual(led, [true, false]);
    assert.deepEqual(s.writes[0], {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', namespace: 'ns' },
      spec: {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        renewTime: '2026-12-05T10:00:00.123000Z',
        acquireTime: '2026-12-05T10:00:00.123000Z',
        leaseTransitions: 0,
      },
    });
    const release = s.writes[1]!;
    assert.equal(release.metadata.resourceVersion, '1', 'conditional on the version read');
    assert.deepEqual(
      [
        (release.spec as { holderIdentity: string }).holderIdentity,
        (release.spec as { leaseDurationSeconds: number }).leaseDurationSeconds,
      ],
      ['', 1],
    );
  });

  test('a Lease another replica holds (first seen now): it follows and writes nothing', async () => {
    const s = store({
      holderIdentity: 'other',
      leaseDurationSeconds: 15,
      renewTime: '2020-01-01T00:00:00.000000Z',
      leaseTransitions: 3,
    });
    const { led } = await oneRound(s);
    assert.deepEqual(led, []);
    assert.deepEqual(s.writes, []);
  });

  test('a released Lease: it takes it over at once, counting the transition', async () => {
    const s = store({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 3 });
    const { led } = await oneRound(s);
    assert.deepEqual(led, [true, false]);
    const spec = s.writes[0]!.spec as { holderIdentity: string; leaseTransitions: number };
    assert.deepEqual(
      [spec.holderIdentity, spec.leaseTransitions, s.writes[0]!.metadata.resourceVersion],
      ['me', 4, '7'],
    );
  });

  test('its own Lease (a restart with the same identity): it renews and leads', async () => {
    const s = store({
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      leaseTransitions: 2,
      acquireTime: 'then',
    });
    const { led } = await oneRound(s);
    assert.deepEqual(led, [true, false]);
    const spec = s.writes[0]!.spec as { acquireTime: string; leaseTransitions: number; renewTime: string };
    assert.deepEqual(
      [spec.acquireTime, spec.leaseTransitions, spec.renewTime],
      ['then', 2, '2026-12-05T10:00:00.123000Z'],
    );
  });

  test('another replica wrote first (409): it does not lead, and it is no error', async () => {
    const s = store({ holderIdentity: '', leaseTransitions: 0 }, true);
    const { led, errors } = await oneRound(s);
    assert.deepEqual(led, []);
    assert.deepEqual(errors, []);
  });
});
