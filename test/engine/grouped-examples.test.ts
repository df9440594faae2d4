/**
 * The grouped answer (`src/engine/grouped.ts`) on fixed examples, for the survivors of its first whole-file
 * Stryker run (issue #20, round 10): the ports between two pods of one workload in two classes, a kind that
 * reaches only itself, the order of groups of one source, and the order of a `within` entry's members. The
 * property test compares the groups' pairs with the pairwise answer, which says nothing of the order and
 * of a group standing for no pair.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeGroupedConnectivity, type GroupedConnectivity } from '../../src/engine/grouped.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { cluster, ns, pod, policy, withWorkloads } from '../support/builders.ts';

function groupsOf(state: ClusterState): GroupedConnectivity {
  return computeGroupedConnectivity(compileCluster(state));
}

const text = (g: GroupedConnectivity): { groups: string[]; within: string[] } => ({
  groups: g.groups.map((x) => `${x.src.join(' ')} -> ${x.dst.join(' ')}: ${formatPorts(x.ports)}`),
  within: g.within.map((x) => `${x.members.join(' ')}: ${formatPorts(x.ports)}`),
});

const app = (name: string) => ({ matchLabels: { app: name } });

test("a workload's two pods in two classes talk to each other on both directions' ports", () => {
  // One Deployment of web-1 (v=1) and web-2 (v=2): web-2 reaches web-1 on TCP 80, web-1 reaches web-2 on 443.
  const state = withWorkloads(
    {
      pods: [pod('a', 'web-1', { app: 'web', v: '1' }), pod('a', 'web-2', { app: 'web', v: '2' })],
      policies: [
        policy('a', 'isolate', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
        policy('a', 'v1', {
          podSelector: { matchLabels: { v: '1' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { v: '2' } } }], ports: [{ port: 80 }] }],
          egress: [{ to: [{ podSelector: { matchLabels: { v: '2' } } }], ports: [{ port: 443 }] }],
        }),
        policy('a', 'v2', {
          podSelector: { matchLabels: { v: '2' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { v: '1' } } }], ports: [{ port: 443 }] }],
          egress: [{ to: [{ podSelector: { matchLabels: { v: '1' } } }], ports: [{ port: 80 }] }],
        }),
      ],
    },
    [1],
    false,
  );
  assert.deepEqual(text(groupsOf(state)), { groups: [], within: ['a/Deployment/w1: TCP 80,443'] });
});

test('a workload that reaches only itself is in `within` alone, with no group', () => {
  // Two pods of one Deployment, isolated both ways but for each other on TCP 80.
  const state = withWorkloads(
    {
      pods: [pod('a', 'web-1', { app: 'web' }), pod('a', 'web-2', { app: 'web' })],
      policies: [
        policy('a', 'self', {
          podSelector: app('web'),
          ingress: [{ from: [{ podSelector: app('web') }], ports: [{ port: 80 }] }],
          egress: [{ to: [{ podSelector: app('web') }], ports: [{ port: 80 }] }],
        }),
      ],
    },
    [1],
    false,
  );
  const g = groupsOf(state);
  assert.deepEqual(text(g), { groups: [], within: ['a/Deployment/w1: TCP 80'] });
  assert.equal(g.pairs, 1);
});

test("one source's groups by first destination", () => {
  // p1 reaches p3 on TCP 80 and p2 on TCP 443, p3's class numbered before p2's; nothing else connects.
  const state = cluster({
    namespaces: [ns('a')],
    pods: [
      pod('a', 'p0', { app: 'p0' }),
      pod('a', 'p1', { app: 'p1' }),
      pod('a', 'p3', { app: 'p3' }),
      pod('a', 'p2', { app: 'p2' }),
    ],
    policies: [
      policy('a', 'isolate', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('a', 'from-p1', {
        podSelector: app('p1'),
        egress: [
          { to: [{ podSelector: app('p3') }], ports: [{ port: 80 }] },
          { to: [{ podSelector: app('p2') }], ports: [{ port: 443 }] },
        ],
      }),
      policy('a', 'to-p2', { podSelector: app('p2'), ingress: [{ from: [{ podSelector: app('p1') }] }] }),
      policy('a', 'to-p3', { podSelector: app('p3'), ingress: [{ from: [{ podSelector: app('p1') }] }] }),
      // Reads `app` of p0, so that every pod is a class of its own.
      policy('a', 'p0', { podSelector: app('p0'), policyTypes: ['Ingress'] }),
    ],
  });
  assert.deepEqual(text(groupsOf(state)).groups, [
    'a/Pod/p1 -> a/Pod/p2: TCP 443',
    'a/Pod/p1 -> a/Pod/p3: TCP 80',
  ]);
});

test("a `within` entry's members in entity order, over kinds", () => {
  // Deployments w1, w2, w3 of two pods each; w2's pods carry a label a policy reads, so w1 and w3 are one
  // kind and w2 another. All three talk to themselves on all connections: one `within` entry.
  const pods = ['w1', 'w2', 'w3'].flatMap((w) =>
    ['a', 'b'].map((p) => pod('a', `${w}-${p}`, w === 'w2' ? { app: 'x', special: 'y' } : { app: 'x' })),
  );
  const reads = policy('a', 'special', { podSelector: { matchLabels: { special: 'y' } }, ingress: [{}] });
  const g = groupsOf(withWorkloads({ pods, policies: [reads] }, [1, 1, 2, 2, 3, 3], false));
  assert.deepEqual(text(g).within, ['a/Deployment/w1 a/Deployment/w2 a/Deployment/w3: All connections']);
});
