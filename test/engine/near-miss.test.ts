/**
 * Near misses (`src/engine/near-miss.ts`): which rules `explain` shows as "closest", in which order, and why a
 * named port allows nothing. The explain tests check whole explanations; these pin the ranking rules one by
 * one: a rule whose peer matched before one whose ports fit, fewer reasons before more, a reason only a
 * different kind of peer could fix weighing three, ties in rule order, at most five, and rules that failed
 * on both only when nothing else missed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { PodClass } from '../../src/engine/classes.ts';
import type { ExplainEnd, MissCode, MissReason } from '../../src/engine/explain.ts';
import { namedPortMiss, namespaceLabelsOf, nearest, type MissCandidate } from '../../src/engine/near-miss.ts';

/** A reason with only its code: the ranking reads nothing else. */
const why = (code: MissCode): MissReason => ({ code }) as unknown as MissReason;
const label = why('pod-labels');
const port = why('port-not-in-rule');

type Rule = { name: string };
const candidate = (name: string, peer: MissReason[], ports: MissReason[]): MissCandidate<Rule> => ({
  rule: { name },
  peer,
  ports,
});
const names = (misses: readonly { name: string }[]): string[] => misses.map((m) => m.name);

describe('nearest', () => {
  test('says what failed and lists the peer reasons, then the port reasons, with the rule', () => {
    const [ports] = nearest([candidate('r', [], [port])]);
    assert.deepEqual(ports, { name: 'r', failed: 'ports', reasons: [port] });
    const [peer] = nearest([candidate('r', [label], [])]);
    assert.deepEqual(peer, { name: 'r', failed: 'peer', reasons: [label] });
    const ns = why('namespace-labels');
    const [both] = nearest([candidate('r', [label, ns], [port])]);
    assert.deepEqual(both, { name: 'r', failed: 'both', reasons: [label, ns, port] });
  });

  test('a rule whose peer matched comes before one whose ports fit, however many reasons each has', () => {
    const list = [
      candidate('peer-failed', [label], []),
      candidate('ports-failed', [], [port, port, port, port, port]),
    ];
    assert.deepEqual(names(nearest(list)), ['ports-failed', 'peer-failed']);
  });

  test('fewer reasons come first', () => {
    assert.deepEqual(names(nearest([candidate('two', [label, label], []), candidate('one', [label], [])])), [
      'one',
      'two',
    ]);
    assert.deepEqual(names(nearest([candidate('two', [], [port, port]), candidate('one', [], [port])])), [
      'one',
      'two',
    ]);
  });

  test('a reason only another kind of peer could fix weighs as three label or address reasons', () => {
    for (const far of ['not-a-pod', 'host-network', 'ipblock-ignores-pods'] as const) {
      const list = [
        candidate(far, [why(far)], []),
        candidate('two labels', [label, label], []),
        candidate('four labels', [label, label, label, label], []),
      ];
      assert.deepEqual(names(nearest(list)), ['two labels', far, 'four labels'], far);
    }
    // The other codes weigh one.
    for (const near of ['outside-cidr', 'in-except', 'namespace-labels', 'other-namespace'] as const) {
      const list = [candidate('two labels', [label, label], []), candidate(near, [why(near)], [])];
      assert.deepEqual(names(nearest(list)), [near, 'two labels'], near);
    }
  });

  test('equal ranks keep the rules in their order', () => {
    const list = ['a', 'b', 'c', 'd'].map((n) => candidate(n, [label], []));
    assert.deepEqual(names(nearest(list)), ['a', 'b', 'c', 'd']);
    const reversed = ['d', 'c', 'b', 'a'].map((n) => candidate(n, [], [port]));
    assert.deepEqual(names(nearest(reversed)), ['d', 'c', 'b', 'a']);
  });

  test('at most five', () => {
    const list = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => candidate(n, [label], []));
    assert.deepEqual(names(nearest(list)), ['a', 'b', 'c', 'd', 'e']);
  });

  test('rules that failed on both only when no rule failed on one alone', () => {
    const both = candidate('both', [label], [port]);
    assert.deepEqual(names(nearest([both, candidate('peer', [why('not-a-pod'), label], [])])), ['peer']);
    assert.deepEqual(names(nearest([both, candidate('ports', [], [port])])), ['ports']);
    const onlyBoth = [candidate('far', [why('host-network')], [port]), candidate('near', [label], [port])];
    assert.deepEqual(names(nearest(onlyBoth)), ['near', 'far']);
    assert.deepEqual(nearest([]), []);
  });
});

describe('namespaceLabelsOf', () => {
  const state = {
    namespaces: [
      { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'a' }, implicit: false },
      { name: 'db', labels: { 'kubernetes.io/metadata.name': 'db' }, implicit: false },
    ],
  } as unknown as ClusterState;

  test('the labels of the namespace named', () => {
    assert.deepEqual(namespaceLabelsOf(state, 'shop'), { 'kubernetes.io/metadata.name': 'shop', team: 'a' });
    assert.deepEqual(namespaceLabelsOf(state, 'db'), { 'kubernetes.io/metadata.name': 'db' });
  });

  test('a namespace not in the state has only its name label', () => {
    assert.deepEqual(namespaceLabelsOf(state, 'other'), { 'kubernetes.io/metadata.name': 'other' });
  });
});

describe('namedPortMiss', () => {
  const dst: ExplainEnd = { kind: 'pod', classId: 0, name: 'shop/web' };
  const at = { path: 'spec.ingress[0].ports[0].port', location: undefined };
  const podClass = (namedPorts: PodClass['namedPorts']): PodClass =>
    ({ id: 0, namespace: 'shop', labels: {}, namedPorts }) as unknown as PodClass;
  const defined = [
    { name: 'http', port: 8080, protocol: 'TCP' as const },
    { name: 'dns', port: 53, protocol: 'UDP' as const },
  ];

  test('towards an address: names resolve only on pods', () => {
    assert.deepEqual(namedPortMiss({ name: 'http', protocol: 'TCP' }, dst, undefined, at), {
      code: 'named-port-to-address',
      port: 'http',
      protocol: 'TCP',
      dst,
      path: 'spec.ingress[0].ports[0].port',
      location: undefined,
    });
  });

  test('none when the pods define the name with that protocol', () => {
    assert.equal(namedPortMiss({ name: 'http', protocol: 'TCP' }, dst, podClass(defined), at), undefined);
    assert.equal(namedPortMiss({ name: 'dns', protocol: 'UDP' }, dst, podClass(defined), at), undefined);
  });

  test('undefined when the name is missing, or defined for another protocol; the names defined listed', () => {
    for (const named of [
      { name: 'metrics', protocol: 'TCP' as const },
      { name: 'http', protocol: 'UDP' as const },
      { name: 'dns', protocol: 'TCP' as const },
    ]) {
      assert.deepEqual(
        namedPortMiss(named, dst, podClass(defined), at),
        {
          code: 'named-port-undefined',
          port: named.name,
          protocol: named.protocol,
          dst,
          path: 'spec.ingress[0].ports[0].port',
          location: undefined,
          defined,
        },
        `${named.name}/${named.protocol}`,
      );
    }
  });
});
