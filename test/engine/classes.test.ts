/**
 * Pod equivalence classes (`src/engine/classes.ts`): which pods share a class, and what the class records.
 * Pods that share a class get the same answers, so two pods that policies tell apart must never share one
 * (the engine would then answer for one what holds for the other), and pods that no policy tells apart
 * share one (the cost grows with classes). Found by mutation testing (issue #20): the tests of the engine's
 * answers never looked at the classes themselves.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAddressSpace } from '../../src/engine/addresses.ts';
import { buildClasses, selectorLabelKeys, type ClassIndex } from '../../src/engine/classes.ts';
import { compileCluster, type Endpoint } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState, PolicyInfo } from '../../src/model/cluster.ts';
import { cluster, ipRef, namedPort, node, pod, podRef, policy } from '../support/builders.ts';

/** Each class as `namespace: pod, pod` (pods by name), in class id order. */
function shape(index: ClassIndex): string[] {
  return index.classes.map((c) => `${c.namespace}: ${c.pods.map((p) => p.name).join(', ')}`);
}

function classesOf(
  state: ClusterState,
  keys: ReadonlySet<string> | 'all',
  ipBlockMatchesPods = true,
): ClassIndex {
  return buildClasses(state, buildAddressSpace(['10.0.0.0/8']), ipBlockMatchesPods, keys);
}

function between(state: ClusterState, src: Endpoint, dst: Endpoint, options = {}): string {
  return formatPorts(compileCluster(state, options).allowedBetween(src, dst));
}

describe('selectorLabelKeys', () => {
  test('the keys of every pod selector: the policy’s own, its ingress and its egress peers’, labels and expressions', () => {
    const p = policy('a', 'p', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        { from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }] },
        { from: [{ namespaceSelector: { matchLabels: { team: 'x' } } }] },
      ],
      egress: [
        { to: [{ podSelector: { matchLabels: { role: 'db' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }] },
      ],
    });
    const bare = policy('b', 'q', { podSelector: {} });
    // Namespace selectors read namespace labels, not pod labels: `team` is not among them.
    assert.deepEqual([...selectorLabelKeys([p, bare])].sort(), ['app', 'role', 'tier']);
    assert.deepEqual([...selectorLabelKeys([bare])], []);
  });
});

describe('buildClasses', () => {
  const pods = [
    pod('b', 'b1', { app: 'x', version: '1' }),
    pod('a', 'a1', { app: 'x', version: '1' }),
    pod('a', 'a2', { version: '2', app: 'x' }),
    pod('a', 'a3', { app: 'y' }),
  ];

  test('labels no selector reads do not split classes; classes are numbered namespace by namespace, by name', () => {
    const index = classesOf(cluster({ pods }), new Set(['app']));
    assert.deepEqual(shape(index), ['a: a1, a2', 'a: a3', 'b: b1']);
    assert.deepEqual(
      index.classes.map((c) => c.labels),
      [{ app: 'x' }, { app: 'y' }, { app: 'x' }],
    );
    assert.deepEqual(
      [...index.namespaceRange],
      [
        ['a', [0, 2]],
        ['b', [2, 3]],
      ],
    );
    assert.deepEqual([...index.classOfPod].sort(), [
      ['a/a1', 0],
      ['a/a2', 0],
      ['a/a3', 1],
      ['b/b1', 2],
    ]);
  });

  test('the order labels are written in does not split classes; every label counts with `all`', () => {
    const byVersion = classesOf(cluster({ pods }), new Set(['app', 'version']));
    assert.deepEqual(shape(byVersion), ['a: a1', 'a: a2', 'a: a3', 'b: b1']);
    const same = classesOf(
      cluster({ pods: [pod('a', 'a1', { x: '1', y: '2' }), pod('a', 'a2', { y: '2', x: '1' })] }),
      'all',
    );
    assert.deepEqual(shape(same), ['a: a1, a2']);
    const all = classesOf(cluster({ pods }), 'all');
    assert.deepEqual(shape(all), ['a: a1', 'a: a2', 'a: a3', 'b: b1']);
    assert.deepEqual(all.classes[1]!.labels, { version: '2', app: 'x' });
  });

  test('named ports split classes by name, protocol and number, whatever their order', () => {
    const state = cluster({
      pods: [
        pod('a', 'p1', {}, { namedPorts: [namedPort('http', 80), namedPort('dns', 53, 'UDP')] }),
        pod('a', 'p2', {}, { namedPorts: [namedPort('dns', 53, 'UDP'), namedPort('http', 80)] }),
        pod('a', 'p3', {}, { namedPorts: [namedPort('http', 8080), namedPort('dns', 53, 'UDP')] }),
        pod('a', 'p4', {}, { namedPorts: [namedPort('http', 80), namedPort('dns', 53, 'TCP')] }),
        pod('a', 'p5', {}),
      ],
    });
    assert.deepEqual(shape(classesOf(state, new Set())), ['a: p1, p2', 'a: p3', 'a: p4', 'a: p5']);
  });

  test('address classes: recorded when ipBlocks match pods, ascending; empty otherwise', () => {
    const state = cluster({
      pods: [
        pod('a', 'p1', {}, { ips: ['10.0.0.1', '192.0.2.1'] }),
        pod('a', 'p2', {}, { ips: ['192.0.2.2', '10.0.0.2'] }),
        pod('a', 'p3', {}, { ips: ['10.0.0.3'] }),
      ],
    });
    const matched = classesOf(state, new Set());
    assert.deepEqual(shape(matched), ['a: p1, p2', 'a: p3']);
    const [both, one] = matched.classes.map((c) => c.addressClasses) as [number[], number[]];
    assert.equal(both.length, 2);
    assert.ok(both[0]! < both[1]!, `${both.join(',')} ascending`);
    assert.deepEqual(one, [both.find((a) => a === one[0])]);
    const unmatched = classesOf(state, new Set(), false);
    assert.deepEqual(shape(unmatched), ['a: p1, p2, p3']);
    assert.deepEqual(unmatched.classes[0]!.addressClasses, []);
  });

  test('by default host-network pods are exempt, in classes of their own, and no node splits classes', () => {
    const state = cluster({
      pods: [
        pod('a', 'p1', {}, { nodeName: 'n1' }),
        pod('a', 'h', {}, { hostNetwork: true, nodeName: 'n1' }),
        pod('a', 'p2', {}, { nodeName: 'n2' }),
      ],
    });
    const index = classesOf(state, new Set());
    assert.deepEqual(shape(index), ['a: p1, p2', 'a: h']);
    assert.deepEqual(
      index.classes.map((c) => [c.hostNetwork, c.hostNetworkPod, c.node]),
      [
        [false, false, undefined],
        [true, true, undefined],
      ],
    );
    const policed = buildClasses(state, buildAddressSpace([]), true, new Set(), false);
    assert.deepEqual(
      policed.classes.map((c) => [c.hostNetwork, c.hostNetworkPod]),
      [
        [false, false],
        [false, true],
      ],
    );
  });

  test('service accounts split classes only when a selector reads them (or every label counts)', () => {
    const state = cluster({
      pods: [
        pod('a', 'p1', {}, { serviceAccount: 'web' }),
        pod('a', 'p2', {}),
        pod('a', 'p3', {}, { serviceAccount: 'default' }),
      ],
    });
    const unread = classesOf(state, new Set(['app']));
    assert.deepEqual(shape(unread), ['a: p1, p2, p3']);
    assert.equal(unread.classes[0]!.serviceAccount, undefined);
    for (const keys of [new Set(['io.cilium.k8s.policy.serviceaccount']), 'all' as const]) {
      const read = classesOf(state, keys);
      assert.deepEqual(shape(read), ['a: p1', 'a: p2, p3']);
      assert.deepEqual(
        read.classes.map((c) => c.serviceAccount),
        ['web', 'default'],
      );
    }
  });
});

describe('pods that policies tell apart get their own answers', () => {
  test('an egress peer’s pod selector splits classes by its labels', () => {
    const state = cluster({
      pods: [pod('a', 'web', { app: 'web' }), pod('a', 'db', { app: 'db' })],
      policies: [
        policy('a', 'to-db', {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }],
        }),
      ],
    });
    assert.equal(between(state, podRef('a', 'web'), podRef('a', 'db')), 'All connections');
    assert.equal(between(state, podRef('a', 'db'), podRef('a', 'web')), 'No connections');
  });

  test('labels whose texts run together are still told apart (a="" bc=d against a=b c=d)', () => {
    const reads: PolicyInfo = policy('a', 'reads', {
      podSelector: { matchLabels: { a: 'b' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { bc: 'd' } } }, { podSelector: { matchLabels: { c: 'd' } } }],
        },
      ],
    });
    const state = cluster({
      pods: [pod('a', 'one', { a: '', bc: 'd' }), pod('a', 'two', { a: 'b', c: 'd' })],
      policies: [reads],
    });
    assert.equal(between(state, podRef('a', 'one'), podRef('a', 'two')), 'All connections');
    assert.equal(between(state, podRef('a', 'two'), podRef('a', 'one')), 'All connections');
    assert.equal(between(state, podRef('a', 'one'), podRef('a', 'one')), 'All connections');
    // `two` is isolated, and only `bc=d` or `c=d` pods may reach it: not a pod labelled a="".
    const other = cluster({ pods: [...state.pods, pod('a', 'three', { a: '' })], policies: [reads] });
    assert.equal(between(other, podRef('a', 'three'), podRef('a', 'two')), 'No connections');
    assert.equal(between(other, podRef('a', 'three'), podRef('a', 'one')), 'All connections');
  });

  test('named ports whose texts run together are still told apart (1a:1 2b:3 against 1a:12 b:3)', () => {
    const state = cluster({
      pods: [
        pod('a', 'one', {}, { namedPorts: [namedPort('1a', 1), namedPort('2b', 3)] }),
        pod('a', 'two', {}, { namedPorts: [namedPort('1a', 12), namedPort('b', 3)] }),
      ],
      policies: [
        policy('a', 'by-name', {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [{ ports: [{ port: '1a' }] }],
        }),
      ],
    });
    assert.equal(between(state, podRef('a', 'two'), podRef('a', 'one')), 'TCP 1');
    assert.equal(between(state, podRef('a', 'one'), podRef('a', 'two')), 'TCP 12');
  });

  test('address classes whose numbers run together are still told apart (1 and 234 against 12 and 34)', () => {
    // 20 IPv4 and 240 IPv6 addresses mentioned: the IPv4 ones are address classes 1–20, the IPv6 ones 21–260.
    const v4 = Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}`);
    const v6 = Array.from({ length: 240 }, (_, i) => `fd00::${(i + 1).toString(16)}`);
    const mention = policy('z', 'mention', {
      podSelector: { matchLabels: { app: 'none' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [...v4.map((ip) => `${ip}/32`), ...v6.map((ip) => `${ip}/128`)].map((cidr) => ({
            ipBlock: { cidr },
          })),
        },
      ],
    });
    const allowOne = policy('a', 'from-one', {
      podSelector: { matchLabels: { app: 'target' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: 'fd00::d6/128' } }] }],
    });
    const state = cluster({
      pods: [
        pod('a', 'one', { app: 'client' }, { ips: ['10.0.0.1', 'fd00::d6'] }),
        pod('a', 'two', { app: 'client' }, { ips: ['10.0.0.12', 'fd00::e'] }),
        pod('a', 'target', { app: 'target' }, { ips: ['10.0.0.20'] }),
      ],
      policies: [mention, allowOne],
    });
    const compiled = compileCluster(state);
    const ids = (ips: string[]): number[] => ips.map((ip) => compiled.addressSpace.classOfIp(ip)!);
    assert.deepEqual(ids(['10.0.0.1', 'fd00::d6', '10.0.0.12', 'fd00::e']), [1, 234, 12, 34]);
    assert.equal(
      formatPorts(compiled.allowedBetween(podRef('a', 'one'), podRef('a', 'target'))),
      'All connections',
    );
    assert.equal(
      formatPorts(compiled.allowedBetween(podRef('a', 'two'), podRef('a', 'target'))),
      'No connections',
    );
  });

  test('a named port resolves on each pod to its own number', () => {
    const state = cluster({
      pods: [
        pod('a', 'one', {}, { namedPorts: [namedPort('http', 8080)] }),
        pod('a', 'two', {}, { namedPorts: [namedPort('http', 9090)] }),
      ],
      policies: [
        policy('a', 'http', {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [{ ports: [{ port: 'http' }] }],
        }),
      ],
    });
    assert.equal(between(state, podRef('a', 'two'), podRef('a', 'one')), 'TCP 8080');
    assert.equal(between(state, podRef('a', 'one'), podRef('a', 'two')), 'TCP 9090');
  });

  test('pods on different nodes: each is reached from its own node only', () => {
    const state = cluster({
      pods: [
        pod('a', 'x1', { app: 'x' }, { nodeName: 'n1', ips: ['10.1.0.1'] }),
        pod('a', 'x2', { app: 'x' }, { nodeName: 'n2', ips: ['10.2.0.1'] }),
      ],
      nodes: [node('n1', {}, ['192.168.0.1']), node('n2', {}, ['192.168.0.2'])],
      policies: [policy('a', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] })],
    });
    assert.equal(between(state, ipRef('192.168.0.1'), podRef('a', 'x1')), 'All connections');
    assert.equal(between(state, ipRef('192.168.0.1'), podRef('a', 'x2')), 'No connections');
    assert.equal(between(state, ipRef('192.168.0.2'), podRef('a', 'x2')), 'All connections');
    assert.equal(between(state, ipRef('192.168.0.2'), podRef('a', 'x1')), 'No connections');
  });

  test('every pod of a class is in the answer', () => {
    const state = cluster({ pods: [pod('a', 'p1', {}), pod('a', 'p2', {}), pod('b', 'q', {})] });
    const conn = computeConnectivity(compileCluster(state), 'pod');
    assert.deepEqual(
      conn.connections
        .filter((c) => !c.dst.startsWith('external:') && !c.src.startsWith('external:'))
        .map((c) => `${c.src} -> ${c.dst}`),
      ['a/p1 -> a/p2', 'a/p1 -> b/q', 'a/p2 -> a/p1', 'a/p2 -> b/q', 'b/q -> a/p1', 'b/q -> a/p2'],
    );
  });
});
