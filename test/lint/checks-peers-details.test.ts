/**
 * checks/peers.ts as no-dead-peer uses it: which namespace selectors the input can judge (names pinned,
 * namespaces only referred to, namespaces without workloads), ipBlocks without addresses, host-network pods,
 * and where the message says it looked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRule } from '../../src/lint/registry.ts';
import { lint } from '../../src/lint/run.ts';
import type { NamespaceInfo, PodInfo } from '../../src/model/cluster.ts';
import type { NetworkPolicyPeer } from '../../src/model/k8s.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';

const rule = findRule('no-dead-peer')!;

const NAME = 'kubernetes.io/metadata.name';
const web = pod('shop', 'web', { app: 'web' });
const db = pod('data', 'db', { app: 'db' });

/** The findings of one ingress rule `from` of a policy in `policyNamespace` selecting every pod there. */
function dead(
  from: NetworkPolicyPeer[],
  input: { namespaces?: NamespaceInfo[]; pods?: PodInfo[]; policyNamespace?: string } = {},
): string[] {
  const state = cluster({
    namespaces: input.namespaces ?? [ns('shop', { team: 'shop' }), ns('data', { team: 'data' }), ns('empty')],
    pods: input.pods ?? [web, db],
    policies: [policy(input.policyNamespace ?? 'shop', 'p', { podSelector: {}, ingress: [{ from }] })],
  });
  return lint({ state }, { rules: [rule] }).findings.map((f) => `${f.messageId}: ${f.message}`);
}

const nsIn = (key: string, values: string[]) => ({ matchExpressions: [{ key, operator: 'In', values }] });

test('a namespace selector that matches no namespace: judged unless it pins a name the input lacks', () => {
  const cases: [string, NetworkPolicyPeer, number][] = [
    ['team In [nope]: not a name, judged', { namespaceSelector: nsIn('team', ['nope']) }, 1],
    [
      'a name the input has, and a label no namespace has: judged',
      {
        namespaceSelector: {
          matchLabels: { team: 'nope' },
          matchExpressions: nsIn(NAME, ['shop']).matchExpressions,
        },
      },
      1,
    ],
    [
      'NotIn a name the input lacks: judged',
      {
        namespaceSelector: {
          matchLabels: { team: 'nope' },
          matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['ghost'] }],
        },
      },
      1,
    ],
    [
      'a name the input has and one it lacks: not judged',
      {
        namespaceSelector: {
          matchLabels: { team: 'nope' },
          matchExpressions: nsIn(NAME, ['shop', 'ghost']).matchExpressions,
        },
      },
      0,
    ],
  ];
  for (const [name, peer, count] of cases) {
    const found = dead([peer]);
    assert.equal(found.length, count, `${name}: ${found.join('\n')}`);
    for (const f of found) assert.match(f, /^noNamespace: /);
  }
});

test('namespaces only referred to: judged only when some namespace is defined', () => {
  const peer = { namespaceSelector: { matchLabels: { team: 'nope' } } };
  // shop is defined, data only referred to (by its pod).
  assert.equal(dead([peer], { namespaces: [ns('shop', { team: 'shop' })] }).length, 1);
  // Neither is defined.
  assert.deepEqual(dead([peer], { namespaces: [] }), []);
});

test('namespaces without workloads are not judged, unless one of those a selector matches has some', () => {
  assert.deepEqual(
    dead([
      { namespaceSelector: { matchLabels: { [NAME]: 'empty' } }, podSelector: { matchLabels: { app: 'x' } } },
    ]),
    [],
  );
  assert.deepEqual(dead([{ podSelector: { matchLabels: { app: 'x' } } }], { policyNamespace: 'empty' }), []);
  assert.deepEqual(
    dead([
      {
        namespaceSelector: { matchExpressions: [{ key: NAME, operator: 'In', values: ['shop', 'empty'] }] },
        podSelector: { matchLabels: { app: 'x' } },
      },
    ]),
    [
      'noPod: Peer namespaceSelector kubernetes.io/metadata.name in (empty, shop), podSelector app=x matches no pod in namespaces shop and empty, so it allows nothing; check its labels',
    ],
  );
  assert.deepEqual(dead([{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }]), [
    'noPod: Peer namespaceSelector {}, podSelector app=x matches no pod in namespaces shop, data and empty, so it allows nothing; check its labels',
  ]);
});

test('an ipBlock whose except takes every address is not judged', () => {
  assert.deepEqual(dead([{ ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.0/24'] } }]), []);
});

test('host-network pods: only those the pod selector matches make the peer host-network only', () => {
  const exporter = pod('shop', 'exporter', { app: 'exporter' }, { hostNetwork: true });
  const pods = [web, db, exporter];
  assert.deepEqual(dead([{ podSelector: { matchLabels: { app: 'exporter' } } }], { pods }), [
    'hostNetworkOnly: Peer podSelector app=exporter matches only host-network pods (shop/exporter), which selectors never match; allow their node addresses with an ipBlock instead',
  ]);
  // Not host-network only: no pod at all. (No suggestion: the one close label is the host-network pod's.)
  assert.deepEqual(dead([{ podSelector: { matchLabels: { app: 'x' } } }], { pods }), [
    'noPod: Peer podSelector app=x matches no pod in namespace "shop", so it allows nothing; check its labels',
  ]);
});
