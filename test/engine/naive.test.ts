/**
 * Tests of the naive reference evaluator itself, on cases computed by hand. The engine is judged against it,
 * so it gets its own small check.
 */
import { describe, test } from 'node:test';
import type { CnpIngressRule, Protocol } from '../../src/model/k8s.ts';
import assert from 'node:assert/strict';
import { effectivePolicyTypes, naiveAllowed, parseAddress, selectorMatches } from '../support/naive.ts';
import { anp, banp, cluster, cnp, ipRef, namedPort, ns, pod, podRef, policy } from '../support/builders.ts';

const opts = { ipBlockMatchesPods: true };

describe('naive: addresses', () => {
  test('parses IPv4 and every IPv6 spelling to the same number', () => {
    assert.deepEqual(parseAddress('10.0.0.1'), { family: 4, value: 0x0a000001n });
    assert.deepEqual(parseAddress('255.255.255.255'), { family: 4, value: 0xffffffffn });
    assert.deepEqual(parseAddress('::'), { family: 6, value: 0n });
    assert.deepEqual(parseAddress('::1'), { family: 6, value: 1n });
    assert.deepEqual(parseAddress('fd00::'), { family: 6, value: 0xfd00n << 112n });
    const full = parseAddress('2001:0db8:0000:0000:0000:0000:0000:0001');
    assert.deepEqual(parseAddress('2001:db8::1'), full);
    assert.deepEqual(parseAddress('2001:DB8:0:0::1'), full);
    // An embedded IPv4 tail is the last two groups.
    assert.deepEqual(parseAddress('::ffff:10.0.0.1'), { family: 6, value: (0xffffn << 32n) | 0x0a000001n });
    assert.deepEqual(parseAddress('64:ff9b::1.2.3.4'), parseAddress('64:ff9b::102:304'));
  });

  test('rejects malformed addresses instead of guessing', () => {
    for (const bad of [
      '10.0.0',
      '10.0.0.256',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      'fd00:x::',
      '1:2:3:4:5:6:7',
    ]) {
      assert.throws(() => parseAddress(bad), bad);
    }
  });

  test('ipBlock boundaries, except, and family', () => {
    // 10.1.0.0/16 minus 10.1.2.0/24, as ingress allowed to `p`; probe the edges of both ranges.
    const state = cluster({
      pods: [pod('n', 'p')],
      policies: [
        policy('n', 'x', {
          ingress: [{ from: [{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] } }] }],
        }),
      ],
    });
    const expected: [string, boolean][] = [
      ['10.0.255.255', false],
      ['10.1.0.0', true],
      ['10.1.1.255', true],
      ['10.1.2.0', false],
      ['10.1.2.255', false],
      ['10.1.3.0', true],
      ['10.1.255.255', true],
      ['10.2.0.0', false],
      ['::a01:0', false],
    ];
    for (const [ip, allowed] of expected) {
      assert.equal(naiveAllowed(state, ipRef(ip), podRef('n', 'p'), 'TCP', 80, opts), allowed, ip);
    }
  });
});

describe('naive: selectors', () => {
  const labels = { app: 'web', tier: 'front' };
  test('matchLabels and matchExpressions, every operator', () => {
    assert.equal(selectorMatches({}, {}), true);
    assert.equal(selectorMatches({ matchLabels: { app: 'web' } }, labels), true);
    assert.equal(selectorMatches({ matchLabels: { app: 'web', env: 'x' } }, labels), false);
    const expr = (operator: string, values?: string[]) =>
      selectorMatches(
        { matchExpressions: [{ key: 'env', operator, ...(values ? { values } : {}) }] },
        labels,
      );
    assert.equal(expr('In', ['x']), false);
    assert.equal(expr('NotIn', ['x']), true, 'NotIn matches when the key is absent');
    assert.equal(expr('Exists'), false);
    assert.equal(expr('DoesNotExist'), true);
    assert.equal(
      selectorMatches({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels),
      false,
    );
    assert.equal(
      selectorMatches(
        {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }],
        },
        labels,
      ),
      false,
      'matchLabels AND matchExpressions',
    );
    assert.throws(() => expr('Gt', ['1']));
  });
});

describe('naive: policy types and a small cluster', () => {
  test('policyTypes defaulting follows the API server', () => {
    assert.deepEqual(effectivePolicyTypes({}), ['Ingress']);
    assert.deepEqual(effectivePolicyTypes({ egress: [{}] }), ['Ingress', 'Egress']);
    assert.deepEqual(effectivePolicyTypes({ egress: [] }), ['Ingress']);
    assert.deepEqual(effectivePolicyTypes({ policyTypes: [], egress: [{}] }), ['Ingress', 'Egress']);
    assert.deepEqual(effectivePolicyTypes({ policyTypes: ['Egress'], ingress: [{}] }), ['Egress']);
  });

  test('a hand-computed cluster', () => {
    // db accepts TCP 5432 from web in its namespace and from the `ops` namespace; web may only talk to db
    // (by named port) and to DNS outside the cluster.
    const state = cluster({
      namespaces: [ns('app'), ns('ops', { role: 'ops' })],
      pods: [
        pod('app', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
        pod('app', 'db', { app: 'db' }, { ips: ['10.0.0.2'], namedPorts: [namedPort('pg', 5432)] }),
        pod('ops', 'admin', {}, { ips: ['10.0.9.9'] }),
      ],
      policies: [
        policy('app', 'db', {
          podSelector: { matchLabels: { app: 'db' } },
          ingress: [
            {
              from: [
                { podSelector: { matchLabels: { app: 'web' } } },
                { namespaceSelector: { matchLabels: { role: 'ops' } } },
              ],
              ports: [{ port: 5432 }],
            },
          ],
        }),
        policy('app', 'web', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [
            { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'pg' }] },
            { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 53, protocol: 'UDP' }] },
          ],
        }),
      ],
    });
    const web = podRef('app', 'web');
    const db = podRef('app', 'db');
    const admin = podRef('ops', 'admin');
    const cases: [
      Parameters<typeof naiveAllowed>[1],
      Parameters<typeof naiveAllowed>[2],
      Protocol,
      number,
      boolean,
    ][] = [
      [web, db, 'TCP', 5432, true],
      [web, db, 'TCP', 5433, false],
      [web, db, 'UDP', 5432, false],
      [admin, db, 'TCP', 5432, true],
      [ipRef('10.0.9.9'), db, 'TCP', 5432, false], // the admin pod's IP, but not the pod
      [web, admin, 'TCP', 80, false], // web's egress allows only db and DNS
      [web, ipRef('1.1.1.1'), 'UDP', 53, true],
      [web, ipRef('1.1.1.1'), 'TCP', 53, false],
      [web, ipRef('::1'), 'UDP', 53, false], // 0.0.0.0/0 is IPv4 only
      [db, web, 'TCP', 80, true], // web's ingress is not isolated, db's egress neither
      [admin, web, 'SCTP', 1, true],
    ];
    for (const [src, dst, protocol, port, allowed] of cases) {
      assert.equal(
        naiveAllowed(state, src, dst, protocol, port, opts),
        allowed,
        JSON.stringify([src, dst, protocol, port]),
      );
    }
  });

  test('invalid objects throw rather than mean something', () => {
    const state = (spec: Parameters<typeof policy>[2]) =>
      cluster({ pods: [pod('n', 'p')], policies: [policy('n', 'x', spec)] });
    const run = (spec: Parameters<typeof policy>[2]) =>
      naiveAllowed(state(spec), ipRef('1.2.3.4'), podRef('n', 'p'), 'TCP', 80, opts);
    assert.throws(() => run({ ingress: [{ from: [{}] }] }), /empty peer/);
    assert.throws(
      () => run({ ingress: [{ from: [{ ipBlock: { cidr: '1.0.0.0/8' }, podSelector: {} }] }] }),
      /ipBlock/,
    );
    assert.throws(() => run({ ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }), /endPort/);
    assert.throws(() => run({ ingress: [{ ports: [{ port: 'http', endPort: 80 }] }] }), /endPort/);
    assert.throws(() => run({ ingress: [{ from: [{ ipBlock: { cidr: '1.2.3.4' } }] }] }), /mask/);
    assert.throws(
      () => naiveAllowed(state({}), podRef('n', 'missing'), podRef('n', 'p'), 'TCP', 80, opts),
      /no pod/,
    );
  });
});

describe('naive: cluster tiers', () => {
  // Cluster policies are read as written: what the CRD would reject throws, instead of meaning something.
  test('invalid cluster policies throw rather than mean something', () => {
    const run = (clusterPolicy: ReturnType<typeof cnp>) =>
      naiveAllowed(
        cluster({ pods: [pod('n', 'p'), pod('n', 'q')], clusterPolicies: [clusterPolicy] }),
        podRef('n', 'q'),
        podRef('n', 'p'),
        'TCP',
        80,
        opts,
      );
    const everyNamespace = { namespaces: {} };
    const deny = [{ action: 'Deny', from: [everyNamespace] }];
    /** An Admin CNP on every pod with one ingress rule. */
    const admin = (rule: CnpIngressRule) =>
      cnp('x', { tier: 'Admin', subject: everyNamespace, ingress: [rule] });
    assert.throws(() => run(cnp('x', { priority: 1, subject: everyNamespace, ingress: deny })), /tier/);
    assert.throws(() => run(cnp('x', { tier: 'Admin', priority: 1, ingress: deny })), /subject/);
    assert.throws(
      () => run(cnp('x', { tier: 'Admin', subject: { namespaces: {}, pods: {} }, ingress: deny })),
      /exactly one/,
    );
    assert.throws(() => run(admin({ action: 'Allow', from: [everyNamespace] })), /action Allow/);
    assert.throws(
      () => run(banp({ subject: everyNamespace, ingress: [{ action: 'Pass', from: [everyNamespace] }] })),
      /action Pass/,
    );
    assert.throws(
      () => run(admin({ action: 'Deny', from: [everyNamespace], protocols: [{ tcp: {} }] })),
      /protocols entry/,
    );
    assert.throws(
      () => run(admin({ action: 'Deny', from: [{ namespaces: {}, pods: {} }] })),
      /namespaces and pods/,
    );
    const reversed = {
      action: 'Deny',
      from: [everyNamespace],
      ports: [{ portRange: { start: 90, end: 80 } }],
    };
    assert.throws(
      () => run(anp('x', { priority: 1, subject: everyNamespace, ingress: [reversed] })),
      /port range/,
    );
  });
});
