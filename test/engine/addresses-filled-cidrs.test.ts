/**
 * The address space (`buildAddressSpace`): a CIDR its mentioned children fill has no class of its own, and a
 * block on it holds exactly its children's classes (issue #20, round 10: a node's class defaulting to 1
 * instead of none brought class 1 into every such block). And a block that does not parse matches no address,
 * also when its excepts are in the space (looking them up inside it read the missing block).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAddressSpace } from '../../src/engine/addresses.ts';

describe('a CIDR filled by its children', () => {
  const space = buildAddressSpace(['1.0.0.0/8', '10.0.0.0/24', '10.0.0.0/25', '10.0.0.128/25']);
  const described = (ids: readonly number[]): string[] => ids.map((id) => space.describe(id));

  test('has no class: its halves have theirs, after the classes before it', () => {
    assert.deepEqual(described(space.classes.map((c) => c.id)), [
      '0.0.0.0/0 except 1.0.0.0/8, 10.0.0.0/24; ::/0',
      '1.0.0.0/8',
      '10.0.0.0/25',
      '10.0.0.128/25',
    ]);
    assert.equal(space.classOfIp('10.0.0.0'), 2);
    assert.equal(space.classOfIp('10.0.0.255'), 3);
  });

  test('a block on it holds its halves only, not a class numbered before it', () => {
    assert.deepEqual(described(space.classesOfBlock('10.0.0.0/24', [])), ['10.0.0.0/25', '10.0.0.128/25']);
    assert.deepEqual(described(space.classesOfBlock('10.0.0.0/24', ['10.0.0.0/25'])), ['10.0.0.128/25']);
    assert.deepEqual(space.classesOfBlock('10.0.0.0/24', ['10.0.0.0/25', '10.0.0.128/25']), []);
  });
});

describe('a block that is no CIDR', () => {
  test('matches no address, whether its excepts are mentioned or not', () => {
    const space = buildAddressSpace(['10.0.0.0/8', '10.1.0.0/16']);
    assert.deepEqual(space.classesOfBlock('10.0.0.300/8', ['10.1.0.0/16']), []);
    assert.deepEqual(space.classesOfBlock('10.0.0.300/8', ['11.0.0.0/8']), []);
    assert.deepEqual(space.classesOfBlock('10.0.0.0/8', ['10.1.0.0/16']), [1]);
  });
});
