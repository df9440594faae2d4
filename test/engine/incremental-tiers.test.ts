/**
 * Cluster policy edits in the incremental engine: local when they can be (only the classes the policy
 * selects are touched, a priority change reorders), a full recompile when the address space or the pod
 * classes must change (a new or last CIDR or node address; the first cluster policy matching by address with
 * `ipBlockMatchesPods: false`), and the session's `tryPolicies` with cluster policies, put back afterwards.
 * Each answer is checked against a fresh `compileCluster`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import { computeConnectivity, type Connectivity } from '../../src/engine/connectivity.ts';
import {
  createIncrementalEngine,
  type IncrementalEngine,
  type IncrementalUpdate,
} from '../../src/engine/incremental.ts';
import { openSession } from '../../src/engine/session.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { ClusterNetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, cnp, node, ns, pod, policy } from '../support/builders.ts';

function lines(c: Connectivity): string[] {
  return c.connections.map((x) => `${x.src} -> ${x.dst}: ${formatPorts(x.ports)}`);
}

/** Three namespaces of two pods each (`app=web`, `app=db`, with IPs), and one NetworkPolicy with an ipBlock. */
function base(): ClusterState {
  const pods = ['a', 'b', 'c'].flatMap((n, i) => [
    pod(n, 'web', { app: 'web', tier: 'front' }, { ips: [`10.0.${i}.1`] }),
    pod(n, 'db', { app: 'db' }, { ips: [`10.0.${i}.2`] }),
  ]);
  return cluster({
    namespaces: [ns('a', { env: 'prod' }), ns('b', { env: 'prod' }), ns('c', { env: 'dev' })],
    pods,
    policies: [
      policy('a', 'db-egress', {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }],
      }),
    ],
    nodes: [node('n1', { role: 'worker' }, ['172.16.0.10'])],
  });
}

const denyFrom = (namespace: string): NonNullable<ClusterNetworkPolicySpec['ingress']> => [
  { action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }] },
];

/** The update, after checking that the engine answers what a fresh compile of its state answers. */
function checked(inc: IncrementalEngine, update: IncrementalUpdate, options?: Partial<EngineOptions>) {
  assert.deepEqual(lines(inc.connectivity()), lines(computeConnectivity(compileCluster(inc.state, options))));
  return update;
}

describe('incremental engine: cluster policy edits', () => {
  test('an edit touches only the classes its subject selects, before and after, without recompiling', () => {
    const inc = createIncrementalEngine(base());
    const guard = cnp('guard', {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } },
      ingress: denyFrom('c'),
    });
    const added = checked(inc, inc.updateClusterPolicy(guard));
    assert.equal(added.recompiled, false);
    assert.equal(added.touchedClasses, 2);
    assert.deepEqual(
      added.changes.map((c) => `${c.src} -> ${c.dst}: ${c.after === undefined ? 'none' : 'some'}`).sort(),
      [
        'c/Pod/db -> a/Pod/db: none',
        'c/Pod/db -> a/Pod/web: none',
        'c/Pod/web -> a/Pod/db: none',
        'c/Pod/web -> a/Pod/web: none',
      ],
    );
    // The subject moves to namespace b: the classes of a (before) and of b (after).
    const moved = checked(
      inc,
      inc.updateClusterPolicy(
        cnp('guard', {
          tier: 'Admin',
          priority: 10,
          subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } },
          ingress: denyFrom('c'),
        }),
      ),
    );
    assert.equal(moved.recompiled, false);
    assert.equal(moved.touchedClasses, 4);
    assert.equal(moved.changes.length, 8);
    const removed = checked(inc, inc.removeClusterPolicy('ClusterNetworkPolicy/guard'));
    assert.equal(removed.recompiled, false);
    assert.equal(removed.changes.length, 4);
    assert.deepEqual(inc.state.clusterPolicies, []);
    assert.equal(inc.removeClusterPolicy('ClusterNetworkPolicy/guard').changes.length, 0);
  });

  test('a priority change reorders the tier: the deny before the accept wins, and ranks follow', () => {
    const subject = { namespaces: { matchLabels: { env: 'prod' } } };
    const accept = cnp('accept', {
      tier: 'Admin',
      priority: 10,
      subject,
      ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }],
    });
    const deny = (priority: number) =>
      cnp('deny', { tier: 'Admin', priority, subject, ingress: denyFrom('c') });
    const inc = createIncrementalEngine({ ...base(), clusterPolicies: [accept, deny(20)] });
    const allowedFromC = () => lines(inc.connectivity()).filter((l) => /^c\/.* -> [ab]\//.test(l));
    assert.equal(allowedFromC().length, 8);
    const update = checked(inc, inc.updateClusterPolicy(deny(5)));
    assert.equal(update.recompiled, false);
    assert.deepEqual(allowedFromC(), []);
    assert.equal(update.changes.length, 8);
    assert.deepEqual(
      inc.compiled.tierPolicies.map((p) => `${p.info.name} ${p.rank}`),
      ['accept 1', 'deny 0'],
    );
    assert.deepEqual(
      inc.compiled.tierPoliciesOfClass[inc.compiled.classOfPod('a', 'web')!]!.map(
        (i) => inc.compiled.tierPolicies[i]!.info.name,
      ),
      ['deny', 'accept'],
    );
  });

  test('a batch: one gone, one new, the order turned, computed once', () => {
    const one = cnp('one', {
      tier: 'Baseline',
      priority: 1,
      subject: { namespaces: {} },
      ingress: denyFrom('a'),
    });
    const two = cnp('two', { tier: 'Admin', priority: 1, subject: { namespaces: {} }, egress: [] });
    const inc = createIncrementalEngine({ ...base(), clusterPolicies: [one, two] });
    const three = cnp('three', {
      tier: 'Admin',
      priority: 2,
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } },
      egress: [
        {
          action: 'Deny',
          to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } }],
        },
      ],
    });
    const update = checked(inc, inc.setClusterPolicies([three, two]));
    assert.equal(update.recompiled, false);
    assert.deepEqual(
      inc.state.clusterPolicies.map((p) => p.name),
      ['three', 'two'],
    );
    // The same objects in the same order: nothing to do.
    assert.deepEqual(inc.setClusterPolicies([...inc.state.clusterPolicies]), {
      touchedClasses: 0,
      recompiled: false,
      changes: [],
    });
  });

  test('a label key no other policy reads needs no recompile (classes tell pods apart by all labels)', () => {
    const inc = createIncrementalEngine(base());
    const update = checked(
      inc,
      inc.updateClusterPolicy(
        cnp('front', {
          tier: 'Admin',
          priority: 1,
          subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { tier: 'front' } } } },
          egress: [
            {
              action: 'Deny',
              to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { tier: 'front' } } } }],
            },
          ],
        }),
      ),
    );
    assert.equal(update.recompiled, false);
    assert.equal(update.touchedClasses, 3);
    assert.equal(update.changes.length, 6);
  });

  test('a guardrail over every namespace naming one peer is patched at that peer, and later edits see it', () => {
    // Namespace a isolates ingress; the guardrail (every namespace) accepts c/web, then c/db, on TCP 9100.
    const state = base();
    state.policies.push(policy('a', 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] }));
    const scrape = (app: string) =>
      cnp('scrape', {
        tier: 'Admin',
        priority: 10,
        subject: { namespaces: {} },
        ingress: [
          {
            action: 'Accept',
            from: [
              {
                pods: {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'c' } },
                  podSelector: { matchLabels: { app } },
                },
              },
            ],
            protocols: [{ tcp: { destinationPort: { number: 9100 } } }],
          },
        ],
      });
    const inc = createIncrementalEngine({ ...state, clusterPolicies: [scrape('web')] });
    const intoA = () => lines(inc.connectivity()).filter((l) => / -> a\//.test(l));
    assert.deepEqual(intoA(), ['c/Pod/web -> a/Pod/db: TCP 9100', 'c/Pod/web -> a/Pod/web: TCP 9100']);
    const moved = checked(inc, inc.updateClusterPolicy(scrape('db')));
    assert.equal(moved.recompiled, false);
    assert.equal(moved.touchedClasses, 6);
    assert.equal(moved.patchedClasses, 6, 'every class patched at c/web and c/db');
    assert.deepEqual(intoA(), ['c/Pod/db -> a/Pod/db: TCP 9100', 'c/Pod/db -> a/Pod/web: TCP 9100']);
    assert.deepEqual(
      moved.changes.map((c) => `${c.src} -> ${c.dst}`),
      ['c/Pod/db -> a/Pod/db', 'c/Pod/db -> a/Pod/web', 'c/Pod/web -> a/Pod/db', 'c/Pod/web -> a/Pod/web'],
    );
    // c/db's egress rebuilt in full (still open): its row finds a's classes through the patched index.
    checked(
      inc,
      inc.updatePolicy(policy('c', 'db-out', { podSelector: { matchLabels: { app: 'db' } }, egress: [{}] })),
    );
    assert.deepEqual(intoA(), ['c/Pod/db -> a/Pod/db: TCP 9100', 'c/Pod/db -> a/Pod/web: TCP 9100']);
  });

  test('a networks CIDR no policy mentions moves the address classes: a full recompile', () => {
    const inc = createIncrementalEngine(base());
    const egress = (cidr: string): ClusterNetworkPolicySpec => ({
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: {} },
      egress: [{ action: 'Deny', to: [{ networks: [cidr] }] }],
    });
    const fresh = checked(inc, inc.updateClusterPolicy(cnp('out', egress('10.0.1.0/24'))));
    assert.equal(fresh.recompiled, true);
    // The same policy at another priority: its CIDR, even as the only mention, stays.
    const reordered = checked(
      inc,
      inc.updateClusterPolicy(cnp('out', { ...egress('10.0.1.0/24'), priority: 7 })),
    );
    assert.equal(reordered.recompiled, false);
    assert.ok(
      fresh.changes.some((c) => c.src === 'a/Pod/web' && c.dst === 'b/Pod/web' && c.after === undefined),
    );
    // A CIDR a NetworkPolicy already mentions (written differently) keeps the address classes: local.
    const known = checked(inc, inc.updateClusterPolicy(cnp('out', egress('192.168.7.0/16'))));
    assert.equal(known.recompiled, true, 'the last mention of 10.0.1.0/24 went');
    const same = checked(inc, inc.updateClusterPolicy(cnp('other', egress('192.168.0.0/16'))));
    assert.equal(same.recompiled, false);
    const gone = checked(inc, inc.removeClusterPolicy('ClusterNetworkPolicy/other'));
    assert.equal(gone.recompiled, false, 'cnp/out still mentions 192.168.0.0/16');
  });

  test('a nodes peer matching a node address no policy mentions: a full recompile', () => {
    const inc = createIncrementalEngine(base());
    const toNodes = cnp('nodes', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: {} },
      egress: [{ action: 'Deny', to: [{ nodes: { matchLabels: { role: 'worker' } } }] }],
    });
    assert.equal(checked(inc, inc.updateClusterPolicy(toNodes)).recompiled, true);
    assert.equal(checked(inc, inc.removeClusterPolicy(toNodes.id)).recompiled, true);
    // A nodes peer matching no node changes no address class.
    const none = cnp('none', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: {} },
      egress: [{ action: 'Deny', to: [{ nodes: { matchLabels: { role: 'gpu' } } }] }],
    });
    assert.equal(checked(inc, inc.updateClusterPolicy(none)).recompiled, false);
  });

  test('with ipBlockMatchesPods off, the first cluster policy matching by address recompiles', () => {
    const options = { ipBlockMatchesPods: false };
    const state = base();
    const inc = createIncrementalEngine(state, options);
    const byAddress = cnp('by-address', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: {} },
      egress: [{ action: 'Deny', to: [{ networks: ['192.168.0.0/16'] }] }],
    });
    assert.equal(checked(inc, inc.updateClusterPolicy(byAddress), options).recompiled, true);
    const bySelector = cnp('by-selector', {
      tier: 'Admin',
      priority: 2,
      subject: { namespaces: {} },
      ingress: denyFrom('c'),
    });
    assert.equal(checked(inc, inc.updateClusterPolicy(bySelector), options).recompiled, false);
    assert.equal(checked(inc, inc.removeClusterPolicy(byAddress.id), options).recompiled, true);
  });
});

describe('session: tryPolicies with cluster policies', () => {
  test('answers what a fresh compile of the edited state answers, and is put back', () => {
    const state = base();
    const session = openSession(state);
    const guard = cnp('guard', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: {} },
      ingress: denyFrom('b'),
    });
    const edited = { ...state, clusterPolicies: [guard] };
    const expected = lines(computeConnectivity(compileCluster(edited), 'workload'));
    assert.deepEqual(
      session.tryPolicies(state.policies, (e) => lines(e.connectivity), edited.clusterPolicies),
      expected,
    );
    assert.notDeepEqual(expected, lines(computeConnectivity(compileCluster(state), 'workload')));
    assert.deepEqual(
      session.tryPolicies(state.policies, (e) => lines(e.connectivity)),
      lines(computeConnectivity(compileCluster(state), 'workload')),
    );
    assert.deepEqual(session.state.clusterPolicies, []);
  });
});
