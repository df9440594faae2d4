import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { describeAddressUnion } from '../../src/describe/addresses.ts';
import { buildAddressSpace } from '../../src/engine/addresses.ts';
import {
  familyBits,
  formatCidr,
  formatIp,
  parseCidr,
  parseIp,
  rangeToCidrs,
  readIp,
  type Cidr,
} from '../../src/base/ip.ts';

describe('IP parsing', () => {
  test('IPv4 and IPv6, with :: compression and an embedded IPv4 tail', () => {
    assert.equal(parseIp('10.1.2.3')?.value, 0x0a010203n);
    assert.equal(parseIp('::1')?.value, 1n);
    assert.equal(parseIp('fd00::')?.value, 0xfd00n << 112n);
    assert.equal(parseIp('::ffff:10.0.0.1')?.value, (0xffffn << 32n) | 0x0a000001n);
    assert.equal(parseIp('10.0.0.256'), undefined);
    assert.equal(parseIp('1::2::3'), undefined);
    assert.equal(parseIp('1:2:3:4:5:6:7:8:9'), undefined);
  });

  test('readIp reads as the API server does (leading zeros are decimal), or names the first rule broken', () => {
    assert.deepEqual(readIp('010.0.0.1'), { family: 4, value: 0x0a000001n, leadingZeros: true });
    assert.deepEqual(readIp('0010.0.0.1'), { family: 4, value: 0x0a000001n, leadingZeros: true });
    assert.deepEqual(parseIp('0010.0.0.1'), { family: 4, value: 0x0a000001n });
    assert.deepEqual(readIp('1.x.3'), { rule: 'not-an-address' });
    assert.deepEqual(readIp('::1.x.3'), { rule: 'ipv4-parts' });
    assert.deepEqual(readIp('::1.2.3.x'), { rule: 'not-a-number', part: 'x' });
    assert.deepEqual(readIp('1.2.3.0300'), { rule: 'over-255', part: '0300' });
    assert.deepEqual(readIp('fe80::1%eth0'), { rule: 'zone' });
    assert.deepEqual(readIp('1::2::3'), { rule: 'two-double-colons' });
    assert.deepEqual(readIp('1:2:3'), { rule: 'group-count', count: 3 });
    assert.deepEqual(readIp('1:2:3:4::5:6:7:8'), { rule: 'too-many-groups', count: 8 });
    assert.deepEqual(readIp('1:g::'), { rule: 'bad-group', part: 'g' });
  });

  test('CIDRs with host bits set parse, marked not canonical', () => {
    const parsed = parseCidr('10.0.0.1/8');
    assert.equal(parsed.ok && formatCidr(parsed.cidr), '10.0.0.0/8');
    assert.equal(parsed.ok && parsed.canonical, false);
    assert.deepEqual(parseCidr('10.0.0.1'), { ok: false, reason: 'no-mask' });
    assert.deepEqual(parseCidr('10.0.0.0/33'), { ok: false, reason: 'bad-prefix' });
  });

  test('IPv6 prints in RFC 5952 form', () => {
    const parsed = parseCidr('2001:0db8:0000:0000:0000:0000:0000:0000/32');
    assert.equal(parsed.ok && formatCidr(parsed.cidr), '2001:db8::/32');
  });

  test('IPv4 needs four parts of one to three digits, each at most 255; leading zeros read as decimal', () => {
    assert.equal(parseIp('0.0.0.0')?.value, 0n);
    assert.equal(parseIp('255.255.255.255')?.value, 0xffffffffn);
    assert.equal(parseIp('010.001.2.03')?.value, 0x0a010203n);
    for (const bad of [
      '1.2.3',
      '1.2.3.4.',
      '.1.2.3',
      '1..2.3',
      '1.2.3.1000',
      '1.2.3.0256',
      '1.2.3.-1',
      ' 1.2.3.4',
      '1.2.3.4 ',
      'a.b.c.d',
      '',
    ]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  test('IPv4 prints as four decimal parts', () => {
    assert.equal(formatIp(4, 0n), '0.0.0.0');
    assert.equal(formatIp(4, 0xffffffffn), '255.255.255.255');
    assert.equal(formatIp(4, 0x0a00ff01n), '10.0.255.1');
  });

  test('a range becomes the fewest covering CIDRs', () => {
    const cidrs = rangeToCidrs(4, 0x0a000000n, 0x0a0000ffn).map(formatCidr);
    assert.deepEqual(cidrs, ['10.0.0.0/24']);
    assert.deepEqual(rangeToCidrs(4, 1n, 2n).map(formatCidr), ['0.0.0.1/32', '0.0.0.2/32']);
    assert.deepEqual(rangeToCidrs(4, 0n, 0xffffffffn).map(formatCidr), ['0.0.0.0/0']);
    assert.deepEqual(rangeToCidrs(4, 0xfffffffen, 0xffffffffn).map(formatCidr), ['255.255.255.254/31']);
  });

  test('ranges split by the largest-aligned-block rule, applied one bit at a time', () => {
    // The rule: from the start, take the largest block aligned at it that fits. rangeToCidrs computes the
    // block size from trailing zeros and length (IPv4 in Numbers); the reference grows it bit by bit.
    const reference = (family: 4 | 6, start: bigint, end: bigint): Cidr[] => {
      const bits = BigInt(familyBits(family));
      const out: Cidr[] = [];
      for (let cur = start; cur <= end;) {
        let size = 0n;
        while (size < bits && cur % (1n << (size + 1n)) === 0n && cur + (1n << (size + 1n)) - 1n <= end)
          size++;
        out.push({ family, start: cur, end: cur + (1n << size) - 1n, prefix: Number(bits - size) });
        cur += 1n << size;
      }
      return out;
    };
    const v4 = fc.oneof(fc.bigInt(0n, 0xffffffffn), fc.bigInt(0x0a000000n, 0x0a0001ffn));
    const v6 = fc.oneof(
      fc.bigInt(0n, (1n << 128n) - 1n),
      fc.bigInt(0xfd00n << 112n, (0xfd00n << 112n) + 0xffffn),
    );
    const range = (family: 4 | 6, address: fc.Arbitrary<bigint>) =>
      fc.tuple(fc.constant(family), address, address);
    fc.assert(
      fc.property(fc.oneof(range(4, v4), range(6, v6)), ([family, a, b]) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        assert.deepEqual(rangeToCidrs(family, start, end), reference(family, start, end));
      }),
      { numRuns: 300 },
    );
    assert.deepEqual(rangeToCidrs(6, 0n, (1n << 128n) - 1n).map(formatCidr), ['::/0']);
    assert.deepEqual(rangeToCidrs(6, 1n, 2n).map(formatCidr), ['::1/128', '::2/128']);
  });
});

describe('address classes', () => {
  test('split at every mentioned CIDR, each described as a CIDR minus the CIDRs nested in it', () => {
    const space = buildAddressSpace(['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16']);
    const descriptions = space.classes.map((c) => space.describe(c.id));
    assert.deepEqual(descriptions, [
      '0.0.0.0/0 except 10.0.0.0/8, 192.168.0.0/16',
      '10.0.0.0/8 except 10.1.0.0/16',
      '10.1.0.0/16',
      '192.168.0.0/16',
      '::/0',
    ]);
  });

  test('the IPv4 and IPv6 roots are one class while no policy names either', () => {
    const space = buildAddressSpace(['10.0.0.0/8']);
    assert.deepEqual(
      space.classes.map((c) => space.describe(c.id)),
      ['0.0.0.0/0 except 10.0.0.0/8; ::/0', '10.0.0.0/8'],
    );
  });

  test('an ipBlock matches exactly its CIDR minus its excepts', () => {
    const space = buildAddressSpace(['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16']);
    const block = space.classesOfBlock('10.0.0.0/8', ['10.1.0.0/16']);
    assert.deepEqual(
      block.map((id) => space.describe(id)),
      ['10.0.0.0/8 except 10.1.0.0/16'],
    );
    assert.equal(
      space.classOfIp('10.1.2.3'),
      space.classes.findIndex((c) => space.describe(c.id) === '10.1.0.0/16'),
    );
  });

  test('unions print as simply as possible', () => {
    const space = buildAddressSpace(['0.0.0.0/0', '10.0.0.0/8']);
    const all = space.classes.map((c) => c.id);
    assert.equal(describeAddressUnion(space, all), 'any address');
    assert.equal(describeAddressUnion(space, [0, 2]), 'any address except 10.0.0.0/8');
  });

  test('blocks around a hole print as "… except …", not as every CIDR of the pieces', () => {
    const space = buildAddressSpace(['10.0.0.0/8', '192.168.0.0/16', '192.168.1.10/32']);
    const ids = space.classes
      .filter((c) => ['10.0.0.0/8', '192.168.0.0/16 except 192.168.1.10/32'].includes(space.describe(c.id)))
      .map((c) => c.id);
    assert.equal(ids.length, 2);
    assert.equal(describeAddressUnion(space, ids), '10.0.0.0/8, 192.168.0.0/16 except 192.168.1.10/32');
  });

  test('every union reads back as exactly its addresses', () => {
    const cidrs = [
      '10.0.0.0/8',
      '10.1.0.0/16',
      '10.1.2.0/24',
      '10.1.2.3/32',
      '192.168.0.0/16',
      '192.168.1.10/32',
      'fd00::/8',
    ];
    const space = buildAddressSpace(cidrs);
    const probes = [
      '10.0.0.1',
      '10.1.0.1',
      '10.1.2.1',
      '10.1.2.3',
      '11.0.0.0',
      '192.168.1.10',
      '192.168.1.11',
      'fd00::1',
      '::1',
    ];
    const inText = (text: string, ip: string): boolean => text.split('; ').some((part) => inPart(part, ip));
    const inPart = (text: string, ip: string): boolean => {
      if (text === 'any address') return true;
      const [plus, minus = ''] = text.replace(/^any address/, '0.0.0.0/0, ::/0').split(' except ');
      const has = (list: string) =>
        list.split(', ').some((c) => {
          const cidr = parseCidr(c);
          const addr = parseIp(ip)!;
          return (
            cidr.ok &&
            cidr.cidr.family === addr.family &&
            cidr.cidr.start <= addr.value &&
            addr.value <= cidr.cidr.end
          );
        });
      return has(plus!) && !(minus !== '' && has(minus));
    };
    fc.assert(
      fc.property(
        fc.subarray(
          space.classes.map((c) => c.id),
          { minLength: 1 },
        ),
        (ids) => {
          const text = describeAddressUnion(space, ids);
          for (const ip of probes)
            assert.equal(inText(text, ip), ids.includes(space.classOfIp(ip)!), `${ip} in ${text}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
