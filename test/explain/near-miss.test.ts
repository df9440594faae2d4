/**
 * Denials name the rule that came closest and why it did not match, pointing at the field's line. Each case
 * is one near miss of test/fixtures/explain/near-misses.yaml; the comment on each rule there says which.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { explainEntities, parsePortQuery, type Explanation } from '../../src/engine/explain.ts';
import { missMessage } from '../../src/describe/explain.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { describeScope } from '../../src/describe/scope.ts';
import { ALL_CONNECTIONS, type PortSet } from '../../src/engine/ports.ts';
import { buildRefIndex, resolveRefText, type RefIndex } from '../../src/engine/refs.ts';
import { loadManifests } from '../../src/parse/index.ts';

const FIXTURE = 'test/fixtures/explain/near-misses.yaml';
let index: RefIndex;

before(async () => {
  const loaded = await loadManifests([FIXTURE], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  index = buildRefIndex(compileCluster(loaded.state));
});

function explain(from: string, to: string, port?: string): Explanation {
  const src = resolveRefText(index, from);
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const query: PortSet | string = port === undefined ? ALL_CONNECTIONS : parsePortQuery(port);
  assert.ok(typeof query !== 'string');
  const names = {
    ...(from.includes('/') ? {} : { src: from }),
    ...(to.match(/^[\d.:]+$/) ? { dst: to } : {}),
  };
  const list = explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, query, names);
  assert.equal(list.length, 1);
  return list[0]!;
}

/** The near misses of the isolated side, as `policy path: failed: code@line message` lines. */
function misses(x: Explanation, side: 'egress' | 'ingress'): string[] {
  return x[side].nearMisses.map(
    (m) =>
      `${m.policy} ${m.path}: ${m.failed}: ${m.reasons.map((r) => `${r.code}@${r.location?.line ?? '?'} ${missMessage(r)}`).join(' | ')}`,
  );
}

describe('explain: allowed connections cite the rule, its peer and its line', () => {
  test('the billing API reaches the ledger on its named port', () => {
    const x = explain('billing/api', 'payments/ledger', '8443/TCP');
    assert.equal(x.verdict, 'allowed');
    assert.equal(x.egress.status, 'not-isolated');
    assert.deepEqual(
      x.ingress.rules.map((r) => [
        r.policy,
        r.path,
        r.peer,
        r.location?.line,
        describeScope(r.scope),
        formatPorts(r.ports),
      ]),
      [
        [
          'payments/ledger-ingress',
          'spec.ingress[0]',
          0,
          132,
          'pods labelled app=api in namespaces labelled team=billing',
          'TCP 8443',
        ],
      ],
    );
  });

  test('without --port, each port range is explained on its own', () => {
    const x = explain('billing/api', 'payments/ledger');
    assert.equal(x.verdict, 'partly-allowed');
    assert.deepEqual(
      x.segments.map((s) => [formatPorts(s.ports), s.allowed, s.ingress.rules.map((r) => r.policy)]),
      [
        ['TCP 8443', true, ['payments/ledger-ingress']],
        ['TCP 1-8442,8444-65535; UDP all ports; SCTP all ports', false, []],
      ],
    );
  });
});

describe('explain: denials name the nearest rule and why it missed', () => {
  test('wrong port: the peer matches, the port is not in the rule', () => {
    const x = explain('billing/api', 'payments/ledger', '5432/TCP');
    assert.equal(x.verdict, 'denied');
    assert.deepEqual(
      x.ingress.isolatedBy.map((p) => [p.policy, p.location?.line]),
      [['payments/ledger-ingress', 121]],
    );
    assert.deepEqual(misses(x, 'ingress'), [
      "payments/ledger-ingress spec.ingress[0]: ports: port-not-in-rule@139 5432/TCP not in the rule's ports 8443/TCP",
    ]);
  });

  test('namespace label missing, and the pod selector too: both requirements are named', () => {
    const x = explain('shop/web', 'payments/ledger', '8443/TCP');
    assert.deepEqual(misses(x, 'ingress'), [
      'payments/ledger-ingress spec.ingress[0]: peer: namespace-labels@133 namespace "shop" has team=storefront, not team=billing | pod-labels@136 shop/web has app=web, not app=api',
    ]);
  });

  test('right namespace, wrong pod labels', () => {
    const x = explain('billing/worker', 'payments/ledger', '8443/TCP');
    assert.deepEqual(misses(x, 'ingress'), [
      'payments/ledger-ingress spec.ingress[0]: peer: pod-labels@136 billing/worker has app=worker, not app=api',
    ]);
  });

  test('a named port the destination does not define ranks before a peer in another namespace', () => {
    // The rule whose peer matched (ingress[1]) is nearer than the one whose peer did not (ingress[0]).
    const x = explain('billing/api', 'payments/auditor', '8080/TCP');
    assert.deepEqual(misses(x, 'ingress'), [
      'payments/auditor-ingress spec.ingress[1]: ports: named-port-undefined@168 named port "metrics" (TCP) is not defined on payments/auditor (its named ports: http 8080/TCP)',
      'payments/auditor-ingress spec.ingress[0]: peer: other-namespace@156 billing/api is in namespace "billing"; without a namespaceSelector the peer means pods of the policy\'s namespace "payments"',
    ]);
  });

  test('an address in an ipBlock except names the except entry', () => {
    const x = explain('payments/ledger', '198.51.100.200', '443/TCP');
    assert.equal(x.ingress.status, 'outside-cluster');
    assert.deepEqual(misses(x, 'egress'), [
      'payments/ledger-egress spec.egress[0]: peer: in-except@186 198.51.100.200 is in except 198.51.100.128/25 of ipBlock 198.51.100.0/24',
    ]);
  });

  test('an address outside the ipBlock says so', () => {
    const x = explain('payments/ledger', '203.0.113.9', '443/TCP');
    assert.deepEqual(misses(x, 'egress'), [
      'payments/ledger-egress spec.egress[0]: peer: outside-cidr@184 203.0.113.9 is not in ipBlock 198.51.100.0/24',
    ]);
  });

  test('an unselected workload is not isolated, and nothing is a near miss', () => {
    const x = explain('payments/auditor', 'billing/api', '8080/TCP');
    assert.equal(x.verdict, 'allowed');
    assert.equal(x.ingress.status, 'not-isolated');
    assert.deepEqual([x.egress.nearMisses, x.ingress.nearMisses], [[], []]);
  });
});
