/**
 * CIDRs and addresses as the API server reads them (src/parse/cidr.ts), reason by reason (issue #20, mutation
 * testing): each rule an address breaks in its own words, the prefix's text, the largest prefix of each
 * family, the range held, and the bytes of an address.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, isStrictSubset, isWithin, parseCidr, parseIp, type Cidr } from '../../src/parse/cidr.ts';

function message(text: string): string {
  const r = parseCidr(text);
  assert.equal(r.ok, false, text);
  return (r as { message: string }).message;
}

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  assert.ok(r.ok, text);
  return r.value;
}

describe('parseCidr', () => {
  test('each rule an address breaks, in its words, with or without a prefix', () => {
    const invalid = (text: string, why: string) => `"${text}" is not a valid CIDR: ${why}`;
    assert.equal(message('1.2.x.4/8'), invalid('1.2.x.4/8', 'it is not an IPv4 or IPv6 address'));
    assert.equal(message('1.2.300.4/8'), invalid('1.2.300.4/8', '300 is more than 255'));
    assert.equal(message('1.2.300.4'), '"1.2.300.4" is not a CIDR: 300 is more than 255');
    assert.equal(
      message('1.2.3.4.5/8'),
      invalid('1.2.3.4.5/8', 'an IPv4 address has 4 numbers separated by dots'),
    );
    assert.equal(message('1..2.3/8'), invalid('1..2.3/8', 'it has an empty part'));
    assert.equal(
      message('fd00::xyz1/64'),
      invalid('fd00::xyz1/64', '"xyz1" is not a group of 1 to 4 hex digits'),
    );
    assert.equal(
      message('1:2::3:4:5:6:7:8/64'),
      invalid('1:2::3:4:5:6:7:8/64', "it has too many groups for '::'"),
    );
    assert.equal(message('1:::2/64'), invalid('1:::2/64', "it has an empty group (use '::' once)"));
    assert.equal(
      message('1:2:3:4:5:6:7/64'),
      invalid('1:2:3:4:5:6:7/64', 'an IPv6 address has 8 groups, this one has 7'),
    );
    assert.equal(message(''), '"" is not a CIDR: it is not an IPv4 or IPv6 address');
    // A prefix with no address before it.
    assert.equal(message('/8'), '"/8" is not a valid CIDR: it is not an IPv4 or IPv6 address');
    assert.equal(message('/::1'), '"/::1" is not a valid CIDR: it is not an IPv4 or IPv6 address');
    // A quote in the text is escaped in the message.
    assert.equal(message('a"b'), '"a\\"b" is not a CIDR: it is not an IPv4 or IPv6 address');
  });

  test('the prefix: 1 to 3 digits, at most 32 for IPv4 and 128 for IPv6', () => {
    const notNumber = (text: string, prefix: string) =>
      `"${text}" is not a valid CIDR: the prefix length "${prefix}" is not a number`;
    for (const [text, prefix] of [
      ['10.0.0.0/0100', '0100'],
      ['10.0.0.0/', ''],
      ['10.0.0.0/-1', '-1'],
      ['10.0.0.0/ 8', ' 8'],
      ['10.0.0.0/8 ', '8 '],
      ['10.0.0.0/8x', '8x'],
      ['10.0.0.0/8/8', '8/8'],
    ] as const)
      assert.equal(message(text), notNumber(text, prefix));
    assert.equal(cidr('10.0.0.0/032').prefix, 32);
    assert.equal(cidr('10.0.0.0/32').canonical, '10.0.0.0/32');
    assert.equal(
      message('10.0.0.0/33'),
      '"10.0.0.0/33" is not a valid CIDR: the prefix length 33 is more than 32, the maximum for IPv4',
    );
    assert.equal(cidr('::/128').canonical, '::/128');
    assert.equal(
      message('::/129'),
      '"::/129" is not a valid CIDR: the prefix length 129 is more than 128, the maximum for IPv6',
    );
  });

  test('the value: family, prefix, range, host bits, leading zeros', () => {
    assert.deepEqual(cidr('10.1.2.3/16'), {
      family: 'IPv4',
      prefix: 16,
      range: { family: 4, start: 0x0a010000n, end: 0x0a01ffffn, prefix: 16 },
      hostBitsSet: true,
      leadingZeros: false,
      canonical: '10.1.0.0/16',
    });
    const zeros = cidr('010.0.0.1/8');
    assert.deepEqual([zeros.leadingZeros, zeros.hostBitsSet, zeros.canonical], [true, true, '10.0.0.0/8']);
    const v6 = cidr('fd00::/8');
    assert.deepEqual([v6.family, v6.prefix, v6.hostBitsSet, v6.leadingZeros], ['IPv6', 8, false, false]);
    assert.equal(v6.range.end - v6.range.start, (1n << 120n) - 1n);
  });

  test('within and strict subsets', () => {
    assert.equal(isWithin(cidr('10.0.0.0/8'), cidr('10.0.0.0/8')), true);
    assert.equal(isWithin(cidr('10.1.0.0/16'), cidr('10.0.0.0/8')), true);
    assert.equal(isWithin(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')), false);
    assert.equal(isWithin(cidr('11.0.0.0/16'), cidr('10.0.0.0/8')), false);
    assert.equal(isStrictSubset(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')), false);
    assert.equal(isStrictSubset(cidr('10.0.0.0/9'), cidr('10.0.0.0/8')), true);
  });
});

describe('parseIp / formatIp', () => {
  test('the bytes of an address, most significant first', () => {
    assert.deepEqual(parseIp('10.1.2.255'), {
      ok: true,
      value: { family: 'IPv4', bytes: [10, 1, 2, 255], leadingZeros: false },
    });
    assert.deepEqual(parseIp('fd00::1:2'), {
      ok: true,
      value: {
        family: 'IPv6',
        bytes: [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2],
        leadingZeros: false,
      },
    });
    assert.deepEqual(parseIp('1.2.300.4'), { ok: false, reason: '300 is more than 255' });
    // Only the IPv4 end of an IPv6 address can have a part that is not a number.
    assert.deepEqual(parseIp('::ffff:1.2.x.4'), { ok: false, reason: '"x" is not a number' });
  });

  test('formatting bytes', () => {
    assert.equal(formatIp('IPv4', [255, 0, 1, 2]), '255.0.1.2');
    assert.equal(formatIp('IPv6', [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]), 'fd00::102');
    assert.equal(formatIp('IPv6', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]), '::ffff:a00:1');
  });
});
