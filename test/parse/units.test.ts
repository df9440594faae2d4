/**
 * Building blocks: CIDRs as the API server reads them, and its name rules, with reasons and suggested fixes.
 * And robustness: nothing in src/parse throws on bad input (arbitrary text, arbitrary values in fields).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, isStrictSubset, parseCidr, parseIp } from '../../src/parse/cidr.ts';
import {
  dns1035LabelProblems,
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  labelValueProblems,
  portNameProblems,
  qualifiedNameProblems,
  suggestDnsName,
  suggestPortName,
} from '../../src/parse/names.ts';
import { closestMatch } from '../../src/base/suggest.ts';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';

function cidr(text: string): { canonical: string; hostBitsSet: boolean; family: string } | string {
  const r = parseCidr(text);
  return r.ok
    ? { canonical: r.value.canonical, hostBitsSet: r.value.hostBitsSet, family: r.value.family }
    : r.message;
}

describe('parseCidr', () => {
  test('valid IPv4 and IPv6, canonical forms', () => {
    assert.deepEqual(cidr('10.0.0.0/8'), { canonical: '10.0.0.0/8', hostBitsSet: false, family: 'IPv4' });
    assert.deepEqual(cidr('0.0.0.0/0'), { canonical: '0.0.0.0/0', hostBitsSet: false, family: 'IPv4' });
    // RFC 5952: lower case, the longest zero run compressed.
    assert.deepEqual(cidr('2001:DB8:0:0:1:0:0:0/128'), {
      canonical: '2001:db8:0:0:1::/128',
      hostBitsSet: false,
      family: 'IPv6',
    });
    assert.deepEqual(cidr('::/0'), { canonical: '::/0', hostBitsSet: false, family: 'IPv6' });
    assert.deepEqual(cidr('::ffff:10.0.0.0/104'), {
      canonical: '::ffff:a00:0/104',
      hostBitsSet: false,
      family: 'IPv6',
    });
  });

  test('host bits are accepted and reported with the network', () => {
    assert.deepEqual(cidr('192.168.1.77/24'), {
      canonical: '192.168.1.0/24',
      hostBitsSet: true,
      family: 'IPv4',
    });
    assert.deepEqual(cidr('fd00::1/8'), { canonical: 'fd00::/8', hostBitsSet: true, family: 'IPv6' });
    // Go's lenient parser: a prefix with leading zeros, an IPv4 part of more than 3 digits.
    assert.deepEqual(cidr('10.0.0.0/08'), { canonical: '10.0.0.0/8', hostBitsSet: false, family: 'IPv4' });
    assert.deepEqual(cidr('0010.0.0.0/8'), { canonical: '10.0.0.0/8', hostBitsSet: false, family: 'IPv4' });
  });

  test('invalid CIDRs say why', () => {
    assert.equal(cidr('10.0.0.1'), 'CIDR mask is missing in "10.0.0.1". Did you mean "10.0.0.1/32"?');
    assert.equal(cidr('fd00::1'), 'CIDR mask is missing in "fd00::1". Did you mean "fd00::1/128"?');
    assert.equal(
      cidr('10.0.0/8'),
      '"10.0.0/8" is not a valid CIDR: an IPv4 address has 4 numbers separated by dots',
    );
    assert.equal(
      cidr('10.0.0.0/33'),
      '"10.0.0.0/33" is not a valid CIDR: the prefix length 33 is more than 32, the maximum for IPv4',
    );
    assert.equal(
      cidr('10.0.0.0/x'),
      '"10.0.0.0/x" is not a valid CIDR: the prefix length "x" is not a number',
    );
    assert.equal(cidr('1::2::3/64'), `"1::2::3/64" is not a valid CIDR: '::' may appear only once`);
    assert.equal(
      cidr('1:2:3:4:5:6:7:8:9/64'),
      '"1:2:3:4:5:6:7:8:9/64" is not a valid CIDR: an IPv6 address has 8 groups, this one has 9',
    );
    assert.equal(cidr('fe80::1%eth0/64'), '"fe80::1%eth0/64" is not a valid CIDR: a zone (%) is not allowed');
    assert.equal(cidr('example.com'), '"example.com" is not a CIDR: it is not an IPv4 or IPv6 address');
  });

  test('strict subsets', () => {
    const p = (t: string) => {
      const r = parseCidr(t);
      assert.ok(r.ok);
      return r.value;
    };
    assert.equal(isStrictSubset(p('10.1.0.0/16'), p('10.0.0.0/8')), true);
    assert.equal(isStrictSubset(p('10.0.0.0/8'), p('10.0.0.0/8')), false);
    assert.equal(isStrictSubset(p('11.0.0.0/16'), p('10.0.0.0/8')), false);
    assert.equal(isStrictSubset(p('fd00::/16'), p('fd00::/8')), true);
    assert.equal(isStrictSubset(p('::/128'), p('0.0.0.0/0')), false);
  });
});

describe('parseIp / formatIp', () => {
  test('round trips and leading zeros', () => {
    const v4 = parseIp('010.001.0.1');
    assert.ok(v4.ok);
    assert.deepEqual([formatIp(v4.value.family, v4.value.bytes), v4.value.leadingZeros], ['10.1.0.1', true]);
    const v6 = parseIp('fd00:0:0:0:0:0:0:5');
    assert.ok(v6.ok);
    assert.equal(formatIp(v6.value.family, v6.value.bytes), 'fd00::5');
    assert.deepEqual(parseIp('10.0.0.x'), { ok: false, reason: 'it is not an IPv4 or IPv6 address' });
  });
});

describe('names', () => {
  test('a value has no problem exactly when it matches the API server pattern (property)', () => {
    // k8s.io/apimachinery/pkg/util/validation, with their length limits.
    const label = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
    const name = '[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?';
    const accepts = (pattern: string, max: number) => (v: string) =>
      v.length <= max && new RegExp(`^(?:${pattern})$`).test(v);
    const checks: [string, (v: string) => string[], (v: string) => boolean][] = [
      ['dns1123Label', dns1123LabelProblems, accepts(label, 63)],
      ['dns1123Subdomain', dns1123SubdomainProblems, accepts(`${label}(\\.${label})*`, 253)],
      ['labelValue', labelValueProblems, (v) => v === '' || accepts(name, 63)(v)],
      [
        'qualifiedName',
        qualifiedNameProblems,
        (v) => {
          const [prefix, rest, extra] = v.split('/');
          if (extra !== undefined) return false;
          if (rest === undefined) return accepts(name, 63)(v);
          return accepts(`${label}(\\.${label})*`, 253)(prefix!) && accepts(name, 63)(rest);
        },
      ],
    ];
    const chars = fc.constantFrom(...'aZ09-_./ A'.split(''), 'b', 'z', '1');
    const value = fc.oneof(
      fc.string({ unit: chars, maxLength: 12 }),
      fc.string({ unit: chars, minLength: 60, maxLength: 70 }),
    );
    fc.assert(
      fc.property(value, (v) => {
        for (const [what, problems, valid] of checks)
          assert.equal(
            problems(v).length === 0,
            valid(v),
            `${what} ${JSON.stringify(v)}: ${problems(v).join('; ')}`,
          );
      }),
      { numRuns: 2000 },
    );
  });

  test('DNS-1123 label and subdomain, DNS-1035 label', () => {
    assert.deepEqual(dns1123LabelProblems('web-1'), []);
    assert.deepEqual(dns1123LabelProblems('-web'), ['it must start and end with a letter or digit']);
    assert.deepEqual(dns1123LabelProblems('a'.repeat(64)), ['it is 64 characters long, more than 63']);
    assert.deepEqual(dns1123SubdomainProblems('api.example.com'), []);
    assert.deepEqual(dns1123SubdomainProblems('api..com'), [
      'each dot-separated part must start and end with a letter or digit',
    ]);
    assert.deepEqual(dns1035LabelProblems('9lives'), ['it must start with a letter']);
    assert.deepEqual(dns1123LabelProblems(''), ['it is empty']);
  });

  test('label keys and values', () => {
    assert.deepEqual(qualifiedNameProblems('app.kubernetes.io/name'), []);
    assert.deepEqual(qualifiedNameProblems('/name'), ["the prefix before '/' is empty"]);
    assert.deepEqual(qualifiedNameProblems('a/'), ['the name part is empty']);
    assert.deepEqual(qualifiedNameProblems('x'.repeat(64)), [
      'the name part is 64 characters long, more than 63',
    ]);
    assert.deepEqual(labelValueProblems(''), []);
    assert.deepEqual(labelValueProblems('v1.2_x-y'), []);
    assert.deepEqual(labelValueProblems('-v1'), ['it must start and end with a letter or digit']);
  });

  test('IANA service names (named ports)', () => {
    assert.deepEqual(portNameProblems('http'), []);
    assert.deepEqual(portNameProblems('h2c-0'), []);
    assert.deepEqual(portNameProblems('123'), ['it must contain at least one letter']);
    assert.deepEqual(portNameProblems('web--alt'), ["it must not contain '--'"]);
    assert.deepEqual(portNameProblems('-web'), ["it must not start or end with '-'"]);
    assert.deepEqual(portNameProblems('web-'), ["it must not start or end with '-'"]);
    assert.deepEqual(portNameProblems('Web'), ['it contains upper-case letters']);
    assert.deepEqual(portNameProblems('abcdefghijklmnop'), ['it is 16 characters long, more than 15']);
  });

  test('a port name has no problem exactly when it is an IANA service name', () => {
    // RFC 6335 as the API server checks it, written out: what the quick test for valid names must agree with.
    const isServiceName = (v: string): boolean =>
      v.length >= 1 &&
      v.length <= 15 &&
      /^[a-z0-9-]*$/.test(v) &&
      /[a-z]/.test(v) &&
      !v.startsWith('-') &&
      !v.endsWith('-') &&
      !v.includes('--');
    const names = fc.stringMatching(/^[a-zA-Z0-9_.-]{0,18}$/);
    fc.assert(
      fc.property(names, (v) => assert.equal(portNameProblems(v).length === 0, isServiceName(v), v)),
      { numRuns: 2000, examples: [['a-b'], ['a--b'], ['9-a'], ['-'], ['a'.repeat(15)], ['a'.repeat(16)]] },
    );
  });

  test('suggestions', () => {
    assert.equal(suggestDnsName('My_App.V2', 253, true), 'my-app.v2');
    assert.equal(suggestDnsName('ok', 63, false), undefined);
    assert.equal(suggestPortName('HTTP_Alt'), 'http-alt');
    assert.equal(suggestPortName('8080'), undefined);
    assert.equal(closestMatch('ingres', ['podSelector', 'ingress', 'egress', 'policyTypes']), 'ingress');
    assert.equal(closestMatch('INGRESS', ['Ingress', 'Egress']), 'Ingress');
    assert.equal(closestMatch('banana', ['Ingress', 'Egress']), undefined);
  });
});

/** Light by default to keep the suite fast; NETFENCE_FUZZ_RUNS=5000 for a deep run (about 20 s). */
const RUNS = Number(process.env.NETFENCE_FUZZ_RUNS ?? 40);

const KINDS: [string, string][] = [
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['v1', 'Pod'],
  ['v1', 'Service'],
  ['v1', 'Namespace'],
  ['v1', 'ReplicationController'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'DaemonSet'],
  ['batch/v1', 'Job'],
  ['batch/v1', 'CronJob'],
];

function run(text: string, file: string): void {
  const parsed = parseManifestText(text, file);
  const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
  for (const p of [...parsed.errors, ...built.errors]) assert.equal(p.severity, 'error');
  for (const o of parsed.objects) o.locate(['spec', 'x', 0, 'y']);
}

describe('robustness', () => {
  test('arbitrary text never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('a.yaml', 'a.json'), (text, file) =>
        run(text, file),
      ),
      { numRuns: RUNS },
    );
  });

  test('arbitrary values in metadata, spec and status never throw', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    // Values shaped like the fields the validators descend into, so that they reach deep code paths.
    const shaped = fc.oneof(
      value,
      fc.record({
        podSelector: value,
        ingress: fc.array(fc.record({ from: value, ports: value })),
        egress: value,
      }),
      fc.record({
        selector: value,
        template: fc.record({ metadata: value, spec: fc.record({ containers: value }) }),
      }),
      fc.record({ containers: fc.array(fc.record({ name: value, image: value, ports: value })) }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        value,
        shaped,
        value,
        ([apiVersion, kind], metadata, spec, status) => {
          run(stringify({ apiVersion, kind, metadata, spec, status }), 'fuzz.yaml');
          run(
            JSON.stringify({ apiVersion, kind, metadata: { name: 'x', ownerReferences: metadata }, spec }),
            'f.json',
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
