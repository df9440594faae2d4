/**
 * The address space (`buildAddressSpace`) on small fixed examples, each rule of its construction pinned
 * alone: the tree whatever order CIDRs come in, the numbering of siblings, the exact cover of a remainder,
 * the IPv6 root merged into the IPv4 root's class, lookups at the first and last address of a CIDR among
 * many siblings, and blocks with excepts outside, equal, unordered or nested. `addresses-scale.test.ts`
 * checks the same against a reference at scale.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAddressSpace, type AddressSpace } from '../../src/engine/addresses.ts';
import { formatCidr } from '../../src/base/ip.ts';

const described = (space: AddressSpace, ids: readonly number[]): string[] =>
  ids.map((id) => space.describe(id));
const all = (space: AddressSpace): string[] =>
  described(
    space,
    space.classes.map((c) => c.id),
  );
/** The class described as `text`. */
const idOf = (space: AddressSpace, text: string): number => {
  const id = space.classes.findIndex((c) => space.describe(c.id) === text);
  assert.ok(id >= 0, `no class ${text} in ${all(space).join(' | ')}`);
  return id;
};

describe('the tree of mentioned CIDRs', () => {
  const nested = ['10.1.0.0/16', 'fd00::/8', '10.0.0.0/8', '10.0.0.0/16', 'fd00:1::/32', '192.168.0.0/16'];
  const want = [
    '0.0.0.0/0 except 10.0.0.0/8, 192.168.0.0/16; ::/0 except fd00::/8',
    '10.0.0.0/8 except 10.0.0.0/16, 10.1.0.0/16',
    '10.0.0.0/16',
    '10.1.0.0/16',
    '192.168.0.0/16',
    'fd00::/8 except fd00:1::/32',
    'fd00:1::/32',
  ];

  test('the same classes whatever order the CIDRs are mentioned in (a CIDR and its first half too)', () => {
    assert.deepEqual(all(buildAddressSpace(nested)), want);
    assert.deepEqual(all(buildAddressSpace([...nested].reverse())), want);
    assert.deepEqual(
      all(buildAddressSpace([nested[4]!, nested[0]!, nested[2]!, nested[5]!, nested[1]!, nested[3]!])),
      want,
    );
  });

  test('text that is no CIDR is left out; the same CIDR written twice, or two ways, is one', () => {
    assert.deepEqual(
      all(buildAddressSpace(['garbage', '10.0.0.0/8', '10.0.0.1/8', '10.0.0.0/8', '10.0.0.0/33'])),
      ['0.0.0.0/0 except 10.0.0.0/8; ::/0', '10.0.0.0/8'],
    );
    assert.deepEqual(all(buildAddressSpace([])), ['0.0.0.0/0; ::/0']);
  });

  test('siblings are numbered shortest prefix first, then by address', () => {
    const space = buildAddressSpace(['10.0.0.0/8', '10.1.0.0/24', '10.5.0.0/16', '10.3.0.0/16']);
    assert.deepEqual(all(space), [
      '0.0.0.0/0 except 10.0.0.0/8; ::/0',
      '10.0.0.0/8 except 10.3.0.0/16, 10.5.0.0/16, 10.1.0.0/24',
      '10.3.0.0/16',
      '10.5.0.0/16',
      '10.1.0.0/24',
    ]);
    // Two siblings only: the one at the lower address has the longer prefix, so it comes second.
    assert.deepEqual(all(buildAddressSpace(['10.1.0.0/24', '10.3.0.0/16'])), [
      '0.0.0.0/0 except 10.3.0.0/16, 10.1.0.0/24; ::/0',
      '10.3.0.0/16',
      '10.1.0.0/24',
    ]);
  });

  test('a class is its node minus its children, and its cover the fewest CIDRs of exactly that', () => {
    const space = buildAddressSpace(['10.0.0.0/8', '10.0.0.0/16', '10.128.0.0/9', '10.64.0.0/16']);
    const cover = (text: string): string[] => space.classes[idOf(space, text)]!.cover.map(formatCidr);
    // Children at the start, in the middle and at the end of 10.0.0.0/8.
    assert.deepEqual(cover('10.0.0.0/8 except 10.128.0.0/9, 10.0.0.0/16, 10.64.0.0/16'), [
      '10.1.0.0/16',
      '10.2.0.0/15',
      '10.4.0.0/14',
      '10.8.0.0/13',
      '10.16.0.0/12',
      '10.32.0.0/11',
      '10.65.0.0/16',
      '10.66.0.0/15',
      '10.68.0.0/14',
      '10.72.0.0/13',
      '10.80.0.0/12',
      '10.96.0.0/11',
    ]);
    assert.deepEqual(cover('10.128.0.0/9'), ['10.128.0.0/9']);
    const root = space.classes[0]!;
    assert.deepEqual(root.nodes.map(formatCidr), ['0.0.0.0/0', '::/0']);
    assert.deepEqual(root.except.map(formatCidr), ['10.0.0.0/8']);
    assert.deepEqual(root.cover.map(formatCidr), [
      '0.0.0.0/5',
      '8.0.0.0/7',
      '11.0.0.0/8',
      '12.0.0.0/6',
      '16.0.0.0/4',
      '32.0.0.0/3',
      '64.0.0.0/2',
      '128.0.0.0/1',
      '::/0',
    ]);
  });

  test('a CIDR its children fill is no class; the roots are two classes when a policy names one', () => {
    const space = buildAddressSpace(['10.0.0.0/31', '10.0.0.0/32', '10.0.0.1/32', '::/0']);
    assert.deepEqual(all(space), ['0.0.0.0/0 except 10.0.0.0/31', '10.0.0.0/32', '10.0.0.1/32', '::/0']);
    assert.deepEqual(described(space, space.classesOfBlock('10.0.0.0/31', [])), [
      '10.0.0.0/32',
      '10.0.0.1/32',
    ]);
    assert.deepEqual(all(buildAddressSpace(['0.0.0.0/0', '10.0.0.0/8'])), [
      '0.0.0.0/0 except 10.0.0.0/8',
      '10.0.0.0/8',
      '::/0',
    ]);
    // IPv4 filled by its two halves: the IPv6 root is a class of its own.
    assert.deepEqual(all(buildAddressSpace(['0.0.0.0/1', '128.0.0.0/1', 'fd00::/8'])), [
      '0.0.0.0/1',
      '128.0.0.0/1',
      '::/0 except fd00::/8',
      'fd00::/8',
    ]);
  });

  test('the IPv6 root merged into the IPv4 root keeps its own children and cover', () => {
    const space = buildAddressSpace(['10.0.0.0/8', 'fd00::/8', '2001:db8::/32']);
    const root = space.classes[0]!;
    assert.deepEqual(root.nodes.map(formatCidr), ['0.0.0.0/0', '::/0']);
    assert.deepEqual(root.except.map(formatCidr), ['10.0.0.0/8', 'fd00::/8', '2001:db8::/32']);
    assert.equal(space.describe(0), '0.0.0.0/0 except 10.0.0.0/8; ::/0 except fd00::/8, 2001:db8::/32');
    assert.ok(root.cover.some((c) => formatCidr(c) === '2001:db9::/32'));
    assert.ok(root.cover.some((c) => formatCidr(c) === '11.0.0.0/8'));
    assert.equal(space.classOfIp('::1'), 0);
    assert.equal(space.classOfIp('1.1.1.1'), 0);
    assert.equal(space.classes.length, 4);
  });
});

describe('classOfIp', () => {
  const sixteen = Array.from({ length: 16 }, (_, i) => `10.${i * 2}.0.0/16`);
  const space = buildAddressSpace(['10.0.0.0/8', ...sixteen, '10.6.4.0/24', 'fd00::/8']);

  test('an address falls in its deepest mentioned CIDR, at its first and last address too', () => {
    for (const [ip, text] of [
      ['10.0.0.0', '10.0.0.0/16'],
      ['10.0.255.255', '10.0.0.0/16'],
      ['10.1.0.0', '10.0.0.0/8 except ' + sixteen.join(', ')],
      ['10.14.0.0', '10.14.0.0/16'],
      ['10.13.255.255', '10.0.0.0/8 except ' + sixteen.join(', ')],
      ['10.30.255.255', '10.30.0.0/16'],
      ['10.31.0.0', '10.0.0.0/8 except ' + sixteen.join(', ')],
      ['10.6.4.0', '10.6.4.0/24'],
      ['10.6.4.255', '10.6.4.0/24'],
      ['10.6.5.0', '10.6.0.0/16 except 10.6.4.0/24'],
      ['9.255.255.255', '0.0.0.0/0 except 10.0.0.0/8; ::/0 except fd00::/8'],
      ['11.0.0.0', '0.0.0.0/0 except 10.0.0.0/8; ::/0 except fd00::/8'],
      ['fd00::1', 'fd00::/8'],
      ['fe00::', '0.0.0.0/0 except 10.0.0.0/8; ::/0 except fd00::/8'],
    ] as const) {
      assert.equal(space.describe(space.classOfIp(ip)!), text, ip);
    }
  });

  test('text that is no address has no class', () => {
    assert.equal(space.classOfIp('10.0.0'), undefined);
    assert.equal(space.classOfIp('web'), undefined);
  });
});

describe('classesOfBlock', () => {
  const space = buildAddressSpace([
    '10.0.0.0/8',
    '10.1.0.0/16',
    '10.1.2.0/24',
    '10.2.0.0/16',
    '10.3.0.0/16',
    '192.168.0.0/16',
  ]);
  const block = (cidr: string, except: string[] = []): string[] =>
    described(space, space.classesOfBlock(cidr, except));

  test('a block is its CIDR and every CIDR nested in it', () => {
    assert.deepEqual(block('10.1.0.0/16'), ['10.1.0.0/16 except 10.1.2.0/24', '10.1.2.0/24']);
    assert.deepEqual(block('10.0.0.0/8').length, 5);
  });

  test('minus its excepts, in any order, nested ones too', () => {
    const rest = '10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16';
    assert.deepEqual(block('10.0.0.0/8', ['10.3.0.0/16', '10.1.0.0/16']), [rest, '10.2.0.0/16']);
    assert.deepEqual(block('10.0.0.0/8', ['10.1.0.0/16', '10.1.2.0/24']), [
      rest,
      '10.2.0.0/16',
      '10.3.0.0/16',
    ]);
    assert.deepEqual(block('10.0.0.0/8', ['10.1.2.0/24', '10.1.0.0/16']), [
      rest,
      '10.2.0.0/16',
      '10.3.0.0/16',
    ]);
    assert.deepEqual(block('10.0.0.0/8', ['10.1.2.0/24']), [
      rest,
      '10.1.0.0/16 except 10.1.2.0/24',
      '10.2.0.0/16',
      '10.3.0.0/16',
    ]);
  });

  test('a hole inside an earlier hole does not bring back the rest of the earlier one', () => {
    const holes = buildAddressSpace([
      '10.0.0.0/8',
      '10.1.0.0/16',
      '10.1.2.0/24',
      '10.1.3.0/24',
      '10.2.0.0/16',
    ]);
    assert.deepEqual(described(holes, holes.classesOfBlock('10.0.0.0/8', ['10.1.0.0/16', '10.1.2.0/24'])), [
      '10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16',
      '10.2.0.0/16',
    ]);
  });

  test('two except lists that read the same once joined without a separator are two blocks', () => {
    // `0.0.0.0/1` + `61.0.0.0/8` and `0.0.0.0/16` + `1.0.0.0/8` spell the same characters.
    const cidrs = ['0.0.0.0/0', '0.0.0.0/1', '61.0.0.0/8', '0.0.0.0/16', '1.0.0.0/8'];
    const space = buildAddressSpace(cidrs);
    const first = described(space, space.classesOfBlock('0.0.0.0/0', ['0.0.0.0/1', '61.0.0.0/8']));
    const second = described(space, space.classesOfBlock('0.0.0.0/0', ['0.0.0.0/16', '1.0.0.0/8']));
    assert.deepEqual(first, ['0.0.0.0/0 except 0.0.0.0/1']);
    assert.deepEqual(second, [
      '0.0.0.0/0 except 0.0.0.0/1',
      '0.0.0.0/1 except 1.0.0.0/8, 61.0.0.0/8, 0.0.0.0/16',
      '61.0.0.0/8',
    ]);
  });

  test('excepts outside the CIDR, unknown or unreadable are ignored; an except equal to it leaves nothing', () => {
    assert.deepEqual(block('10.1.0.0/16', ['192.168.0.0/16', '10.2.0.0/16', '172.16.0.0/12', 'bad']), [
      '10.1.0.0/16 except 10.1.2.0/24',
      '10.1.2.0/24',
    ]);
    assert.deepEqual(block('10.1.0.0/16', ['10.1.0.0/16']), []);
    assert.deepEqual(block('bad'), []);
  });

  test('each call answers for its own CIDR and excepts (answers are cached)', () => {
    assert.deepEqual(block('10.2.0.0/16'), ['10.2.0.0/16']);
    assert.deepEqual(block('10.3.0.0/16'), ['10.3.0.0/16']);
    assert.deepEqual(block('10.1.0.0/16', ['10.1.2.0/24']), ['10.1.0.0/16 except 10.1.2.0/24']);
    assert.deepEqual(block('10.1.0.0/16'), ['10.1.0.0/16 except 10.1.2.0/24', '10.1.2.0/24']);
    assert.deepEqual(block('10.1.0.0/16', ['10.1.2.0/24']), ['10.1.0.0/16 except 10.1.2.0/24']);
  });

  test('the IPv6 root, merged into the IPv4 root, brings that class and its own subtree', () => {
    const merged = buildAddressSpace(['10.0.0.0/8', 'fd00::/8']);
    assert.deepEqual(described(merged, merged.classesOfBlock('::/0', [])), [
      '0.0.0.0/0 except 10.0.0.0/8; ::/0 except fd00::/8',
      'fd00::/8',
    ]);
    assert.deepEqual(described(merged, merged.classesOfBlock('::/0', ['fd00::/8'])), [
      '0.0.0.0/0 except 10.0.0.0/8; ::/0 except fd00::/8',
    ]);
    assert.deepEqual(described(merged, merged.classesOfBlock('0.0.0.0/0', [])), [
      '0.0.0.0/0 except 10.0.0.0/8; ::/0 except fd00::/8',
      '10.0.0.0/8',
    ]);
  });
});

describe('describe', () => {
  test('an id with no class prints as ?id; a description asked twice is the same', () => {
    const space = buildAddressSpace(['10.0.0.0/8']);
    assert.equal(space.describe(7), '?7');
    assert.equal(space.describe(-1), '?-1');
    assert.equal(space.describe(1), '10.0.0.0/8');
    assert.equal(space.describe(1), '10.0.0.0/8');
    assert.equal(space.describe(0), '0.0.0.0/0 except 10.0.0.0/8; ::/0');
    assert.equal(space.describe(0), '0.0.0.0/0 except 10.0.0.0/8; ::/0');
  });
});
