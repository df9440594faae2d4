/**
 * `apply --cluster`: the live objects netfence cannot read are left out of the state the impact is measured
 * on, and each is said on stderr (before the plan), but those the custom policy listing puts back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leftOutWarnings } from '../../src/cli/commands/apply.ts';
import { stateFromObjects } from '../../src/k8s/state.ts';
import { baseObjects, cnp, np, pod } from '../admission/fixtures.ts';

const badNp = np('shop', 'odd', {
  podSelector: { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['x'] }] },
});
const badCnp = cnp('shop', 'odd', { endpointSelector: {}, ingress: [null] });

test('a warning line per live object left out, naming it and why', () => {
  const built = stateFromObjects([...baseObjects(), badNp, badCnp]);
  const lines = leftOutWarnings(built.skipped, []);
  assert.equal(lines.length, 2);
  assert.equal(
    lines[0],
    'warning: left out shop/NetworkPolicy/odd: spec.podSelector.matchExpressions[0].operator: "Bogus" is not a selector operator: use In, NotIn, Exists or DoesNotExist\n',
  );
  assert.match(lines[1]!, /^warning: left out shop\/CiliumNetworkPolicy\/odd: spec\.ingress\[0\]/);
  assert.ok(lines[1]!.endsWith('\n'));
});

test('an object read again from its own listing is not left out', () => {
  const built = stateFromObjects([...baseObjects(), badNp, badCnp]);
  assert.deepEqual(
    leftOutWarnings(built.skipped, ['shop/CiliumNetworkPolicy/odd', 'shop/CiliumNetworkPolicy/od']),
    [leftOutWarnings(built.skipped, [])[0]],
  );
  assert.deepEqual(leftOutWarnings(stateFromObjects(baseObjects()).skipped, []), []);
});

test('stateFromObjects: `partial` holds the warnings that bear on answers, each naming its object; not the terminated pods', () => {
  const done = pod('shop', 'job-1', { app: 'job' });
  (done as { status?: unknown }).status = { phase: 'Succeeded' };
  const groups = cnp('shop', 'groups', {
    endpointSelector: {},
    ingress: [{ fromGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }] }],
  });
  const built = stateFromObjects([...baseObjects(), done, groups]);
  assert.deepEqual(
    built.warnings.map((w) => w.code).sort(),
    [...built.partial.map((w) => w.code), 'terminated-pods'].sort(),
  );
  assert.equal(built.partial.length, 1);
  assert.equal(built.partial[0]?.object, 'shop/CiliumNetworkPolicy/groups');
  assert.deepEqual(built.partial[0]?.path, ['spec', 'ingress', 0, 'fromGroups']);
  assert.equal(built.partial[0]?.line, undefined);
  assert.deepEqual(stateFromObjects(baseObjects()).partial, []);
});
