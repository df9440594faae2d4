/**
 * The policy compiler's lookups (src/engine/compile.ts, `PolicyCompiler`): namespaces and pod classes a
 * selector matches (narrowed by the rarest exact label, which must never change the answer), peers, the
 * classes at CIDRs, and the order of cluster policies per class. Written from the mutants that survived the
 * conformance and property tests (docs/mutation/engine.md, issue #20).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ENGINE_OPTIONS, PolicyCompiler, type ClassSet } from '../../src/engine/compile.ts';
import { compileSelector } from '../../src/engine/selectors.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';
import { UPSTREAM_PROFILE, type CniProfile } from '../../src/engine/profiles.ts';
import { anp, banp, cluster, ns, pod, policy } from '../support/builders.ts';

/** Three namespaces, several classes each (every label set a class), and a host-network pod in `c`. */
const state = cluster({
  namespaces: [
    ns('a', { team: 'x', env: 'prod' }),
    ns('b', { team: 'x', env: 'dev' }),
    ns('c', { team: 'y' }),
  ],
  pods: [
    pod('a', 'web', { app: 'web', tier: 'front' }, { ips: ['10.0.0.1'] }),
    pod('a', 'db', { app: 'db', tier: 'data' }, { ips: ['10.0.0.2'] }),
    pod('a', 'cache', { app: 'cache', tier: 'data' }, { ips: ['10.0.0.3'] }),
    pod('b', 'web', { app: 'web', tier: 'front' }, { ips: ['10.0.1.1'] }),
    pod('b', 'db', { app: 'db', tier: 'data' }, { ips: ['10.0.1.2'] }),
    pod('c', 'web', { app: 'web', tier: 'front' }, { ips: ['10.0.2.1'] }),
    pod('c', 'agent', { app: 'web', tier: 'front' }, { ips: ['192.168.0.9'], hostNetwork: true }),
    pod('c', 'job', { app: 'job' }),
    pod('c', 'v6', { app: 'v6' }, { ips: ['fd00::1'] }),
  ],
  // The CIDRs the address space is split at.
  policies: [
    policy('a', 'cidrs', {
      podSelector: {},
      egress: [
        {
          to: [
            { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.1.0/24'] } },
            { ipBlock: { cidr: '10.0.0.0/8' } },
          ],
        },
        { to: [{ ipBlock: { cidr: '10.0.0.0/24' } }, { ipBlock: { cidr: '10.0.2.0/24' } }] },
      ],
    }),
  ],
});

function compiler(options: object = {}): PolicyCompiler {
  return new PolicyCompiler(state, { ...DEFAULT_ENGINE_OPTIONS, classesByAllLabels: true, ...options });
}

/** `namespace/pod,pod` for each class id, sorted; the ids must come ascending (binary searches need it). */
function names(c: PolicyCompiler, ids: readonly number[]): string[] {
  for (let i = 1; i < ids.length; i++)
    assert.ok(ids[i - 1]! < ids[i]!, `ids not ascending: ${ids.join(',')}`);
  return ids
    .map((id) => {
      const cls = c.classes[id]!;
      return `${cls.namespace}/${cls.pods.map((p) => p.name).join(',')}`;
    })
    .sort();
}

function set(c: PolicyCompiler, s: ClassSet): string[] | 'all' {
  return s.all ? 'all' : names(c, s.ids);
}

describe('namespacesMatching', () => {
  const c = compiler();
  const match = (selector: LabelSelector) => c.namespacesMatching(compileSelector(selector)).sort();

  test('exact labels, narrowed by the rarest, still checked against the whole selector', () => {
    assert.deepEqual(match({ matchLabels: { team: 'x' } }), ['a', 'b']);
    assert.deepEqual(match({ matchLabels: { team: 'x', env: 'dev' } }), ['b']);
    assert.deepEqual(match({ matchLabels: { env: 'prod', team: 'y' } }), []);
    assert.deepEqual(match({ matchExpressions: [{ key: 'team', operator: 'In', values: ['y', 'x'] }] }), [
      'a',
      'b',
      'c',
    ]);
    // A value no namespace carries, beside one that some do.
    assert.deepEqual(match({ matchExpressions: [{ key: 'team', operator: 'In', values: ['z', 'y'] }] }), [
      'c',
    ]);
    assert.deepEqual(match({ matchExpressions: [{ key: 'team', operator: 'In', values: ['z'] }] }), []);
  });

  test('requirements that are not In do not narrow', () => {
    assert.deepEqual(match({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }), ['a', 'b']);
    assert.deepEqual(match({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }), ['c']);
    assert.deepEqual(match({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['y'] }] }), [
      'a',
      'b',
    ]);
    assert.deepEqual(
      match({
        matchLabels: { team: 'x' },
        matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }],
      }),
      ['b'],
    );
    assert.deepEqual(match({}), ['a', 'b', 'c']);
  });

  test('the answer is the same on a second call (memoized by key)', () => {
    const sel = compileSelector({ matchLabels: { team: 'x' } });
    assert.deepEqual(c.namespacesMatching(sel).sort(), ['a', 'b']);
    assert.deepEqual(c.namespacesMatching(compileSelector({ matchLabels: { team: 'x' } })).sort(), [
      'a',
      'b',
    ]);
  });
});

describe('classesInNamespace', () => {
  const c = compiler();
  const inNs = (namespace: string, selector: LabelSelector) =>
    names(c, c.classesInNamespace(namespace, compileSelector(selector)));

  test('exact labels: only the namespace’s classes, sorted by id, each checked against the whole selector', () => {
    assert.deepEqual(inNs('a', { matchLabels: { tier: 'data' } }), ['a/cache', 'a/db']);
    assert.deepEqual(inNs('b', { matchLabels: { tier: 'data' } }), ['b/db']);
    assert.deepEqual(inNs('a', { matchLabels: { tier: 'data', app: 'db' } }), ['a/db']);
    assert.deepEqual(inNs('a', { matchLabels: { tier: 'front', app: 'db' } }), []);
    // Two values: two posting lists, merged in id order.
    assert.deepEqual(
      inNs('a', { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'cache', 'nope'] }] }),
      ['a/cache', 'a/web'],
    );
    assert.deepEqual(inNs('a', { matchExpressions: [{ key: 'app', operator: 'In', values: ['nope'] }] }), []);
    // The first namespace's classes do not spill into the next one's range, nor the other way.
    assert.deepEqual(inNs('b', { matchLabels: { app: 'web' } }), ['b/web']);
    assert.deepEqual(inNs('a', { matchLabels: { app: 'web' } }), ['a/web']);
  });

  test('class ids come out ascending', () => {
    for (const namespace of ['a', 'b', 'c']) {
      const ids = c.classesInNamespace(
        namespace,
        compileSelector({
          matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db', 'cache', 'job'] }],
        }),
      );
      assert.deepEqual(
        [...ids],
        [...ids].sort((x, y) => x - y),
      );
      assert.ok(ids.length > 0);
    }
  });

  test('requirements that are not In do not narrow; host-network pods never match (exempt)', () => {
    assert.deepEqual(inNs('a', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }), [
      'a/cache',
      'a/db',
    ]);
    assert.deepEqual(inNs('a', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }), [
      'a/cache',
      'a/db',
      'a/web',
    ]);
    assert.deepEqual(inNs('c', {}), ['c/job', 'c/v6', 'c/web']);
    assert.deepEqual(inNs('c', { matchLabels: { app: 'web' } }), ['c/web']);
    assert.deepEqual(
      inNs('c', { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'job'] }] }),
      ['c/job', 'c/web'],
    );
  });

  test('a namespace without pods: none', () => {
    assert.deepEqual(inNs('nope', {}), []);
  });

  test('policed host-network pods match pod selectors', () => {
    const p = compiler({ hostNetworkPods: 'policed' });
    assert.deepEqual(names(p, p.classesInNamespace('c', compileSelector({ matchLabels: { app: 'web' } }))), [
      'c/agent',
      'c/web',
    ]);
    assert.deepEqual(names(p, p.classesInNamespace('c', compileSelector({}))), [
      'c/agent',
      'c/job',
      'c/v6',
      'c/web',
    ]);
  });
});

describe('selectedClasses and peers', () => {
  const c = compiler();

  test('without a namespace selector: the policy’s namespace', () => {
    assert.deepEqual(set(c, c.peerClasses({ podSelector: { matchLabels: { app: 'web' } } }, 'b')), ['b/web']);
    assert.deepEqual(set(c, c.peerClasses({}, 'b')), ['b/db', 'b/web']);
  });

  test('every namespace and every pod: all; either selector narrower: the classes, sorted', () => {
    assert.equal(set(c, c.peerClasses({ namespaceSelector: {}, podSelector: {} }, 'a')), 'all');
    assert.equal(set(c, c.peerClasses({ namespaceSelector: {} }, 'a')), 'all');
    assert.deepEqual(
      set(c, c.peerClasses({ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }, 'a')),
      ['a/web', 'b/web', 'c/web'],
    );
    assert.deepEqual(set(c, c.peerClasses({ namespaceSelector: { matchLabels: { team: 'x' } } }, 'c')), [
      'a/cache',
      'a/db',
      'a/web',
      'b/db',
      'b/web',
    ]);
    const ids = (
      c.peerClasses(
        {
          namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['y', 'x'] }] },
          podSelector: { matchLabels: { app: 'web' } },
        },
        'a',
      ) as { ids: readonly number[] }
    ).ids;
    assert.deepEqual(names(c, ids), ['a/web', 'b/web', 'c/web']);
    assert.deepEqual(
      [...ids],
      [...ids].sort((x, y) => x - y),
    );
  });

  test('the same pod selector under two namespace selectors is not mixed up (memo per namespace selector)', () => {
    const web = { matchLabels: { app: 'web' } };
    assert.deepEqual(
      set(c, c.peerClasses({ namespaceSelector: { matchLabels: { team: 'y' } }, podSelector: web }, 'a')),
      ['c/web'],
    );
    assert.deepEqual(
      set(c, c.peerClasses({ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: web }, 'a')),
      ['b/web'],
    );
    assert.deepEqual(
      set(c, c.peerClasses({ namespaceSelector: { matchLabels: { team: 'y' } }, podSelector: web }, 'a')),
      ['c/web'],
    );
  });

  test('classesMatching (cluster policies): never host-network pods, even where NetworkPolicies police them', () => {
    for (const options of [{}, { hostNetworkPods: 'policed' }]) {
      const p = compiler(options);
      assert.deepEqual(set(p, p.classesMatching({ matchLabels: { team: 'y' } }, {})), [
        'c/job',
        'c/v6',
        'c/web',
      ]);
      assert.deepEqual(
        set(p, p.classesMatching({ matchLabels: { team: 'y' } }, { matchLabels: { app: 'web' } })),
        ['c/web'],
      );
      const all = p.classesMatching({}, {});
      if (options.hostNetworkPods === undefined) assert.equal(all.all, true);
      else
        assert.deepEqual(set(p, all), [
          'a/cache',
          'a/db',
          'a/web',
          'b/db',
          'b/web',
          'c/job',
          'c/v6',
          'c/web',
        ]);
      assert.deepEqual(names(p, p.allPodClasses()), [
        'a/cache',
        'a/db',
        'a/web',
        'b/db',
        'b/web',
        'c/job',
        'c/v6',
        'c/web',
      ]);
    }
  });

  test('selector(): one object for equal selectors', () => {
    const one = c.selector({ matchLabels: { app: 'web' } });
    assert.equal(c.selector({ matchLabels: { app: 'web' } }), one);
    assert.notEqual(c.selector({ matchLabels: { app: 'db' } }), one);
  });
});

describe('compilePeer', () => {
  test('an ipBlock matches the pods at its addresses, host-network ones as the options say', () => {
    const peer = { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.1.0/24'] } };
    const exempt = compiler();
    const p = exempt.compilePeer(peer, 3, 'a');
    assert.equal(p.index, 3);
    assert.equal(p.kind, 'ipBlock');
    assert.deepEqual(set(exempt, p.pods), ['a/cache', 'a/db', 'a/web', 'c/agent', 'c/web']);
    assert.ok(p.addresses.length > 0);
    assert.equal(p.namespaceSelector, undefined);
    assert.equal(p.podSelector, undefined);
    const none = compiler({ ipBlockMatchesPods: false });
    assert.deepEqual(set(none, none.compilePeer(peer, 0, 'a').pods), []);
  });

  test('a profile matching node IPs but not pods: the host-network pods only; the other way round: the others', () => {
    const profile = (cidrMatchesPods: boolean, cidrMatchesNodes: boolean): CniProfile => ({
      ...UPSTREAM_PROFILE,
      settings: { ...UPSTREAM_PROFILE.settings, cidrMatchesPods, cidrMatchesNodes },
    });
    const peer = { ipBlock: { cidr: '0.0.0.0/0' } };
    const nodes = compiler({ ipBlockMatchesPods: false, cni: profile(false, true) });
    assert.deepEqual(set(nodes, nodes.compilePeer(peer, 0, 'a').pods), ['c/agent']);
    const pods = compiler({ ipBlockMatchesPods: true, cni: profile(true, false) });
    assert.deepEqual(set(pods, pods.compilePeer(peer, 0, 'a').pods), [
      'a/cache',
      'a/db',
      'a/web',
      'b/db',
      'b/web',
      'c/web',
    ]);
  });

  test('a selector peer keeps its selectors', () => {
    const c = compiler();
    const p = c.compilePeer({ podSelector: { matchLabels: { app: 'db' } } }, 1, 'b');
    assert.equal(p.kind, 'pods');
    assert.deepEqual(set(c, p.pods), ['b/db']);
    assert.deepEqual(p.addresses, []);
    assert.equal(p.namespaceSelector, undefined);
    assert.equal(p.podSelector, c.selector({ matchLabels: { app: 'db' } }));
    const q = c.compilePeer({ namespaceSelector: { matchLabels: { team: 'y' } } }, 0, 'b');
    assert.deepEqual(set(c, q.pods), ['c/job', 'c/v6', 'c/web']);
    assert.equal(q.namespaceSelector, c.selector({ matchLabels: { team: 'y' } }));
    assert.equal(q.podSelector, undefined);
  });
});

describe('atCidrs', () => {
  test('the address classes in the CIDRs and the classes of the pods there; 0.0.0.0/0 also holds pods without IPs', () => {
    const c = compiler();
    const at = c.atCidrs(['10.0.0.0/24', '10.0.2.0/24']);
    assert.deepEqual(names(c, at.pods), ['a/cache', 'a/db', 'a/web', 'c/web']);
    assert.ok(at.addresses.length > 0);
    assert.deepEqual(
      [...at.addresses],
      [...at.addresses].sort((x, y) => x - y),
    );
    assert.equal(c.atCidrs(['10.0.0.0/24', '10.0.2.0/24']), at);
    // CIDRs given in descending order: the address classes still come ascending.
    const reversed = c.atCidrs(['10.0.2.0/24', '10.0.0.0/24']);
    assert.deepEqual([...reversed.addresses], [...at.addresses]);
    assert.deepEqual(names(c, reversed.pods), ['a/cache', 'a/db', 'a/web', 'c/web']);
    assert.deepEqual(names(c, c.atCidrs(['0.0.0.0/0']).pods), [
      'a/cache',
      'a/db',
      'a/web',
      'b/db',
      'b/web',
      'c/agent',
      'c/job',
      'c/web',
    ]);
    // An IPv6-only pod is not in 0.0.0.0/0 (only pods without a known IP are assumed there).
    assert.deepEqual(names(c, c.atCidrs(['::/0']).pods), ['c/v6']);
    assert.deepEqual(names(c, c.atCidrs(['10.0.0.0/8']).pods), [
      'a/cache',
      'a/db',
      'a/web',
      'b/db',
      'b/web',
      'c/web',
    ]);
  });
});

describe('compileTiers', () => {
  const subject = { namespaces: {} };
  const baseline = banp({ subject, ingress: [{ name: 'b', action: 'Deny', from: [{ namespaces: {} }] }] });
  const admin = (name: string, priority: number) =>
    anp(name, { priority, subject, ingress: [{ name, action: 'Pass', from: [{ namespaces: {} }] }] });
  /** The names of the cluster policies of the one class, in the order compiled. */
  const order = (clusterPolicies: ReturnType<typeof anp>[]): string[] => {
    const s = cluster({ namespaces: [ns('a')], pods: [pod('a', 'x')], clusterPolicies });
    const tiers = new PolicyCompiler(s, DEFAULT_ENGINE_OPTIONS).compileTiers();
    assert.deepEqual(
      tiers.policies.map((p) => p.index),
      clusterPolicies.map((_, i) => i),
    );
    return tiers.ofClass[0]!.map((i) => clusterPolicies[i]!.name);
  };

  test('the cluster policies of each class: the Admin tier’s by priority, then the Baseline, whatever the input order', () => {
    const late = admin('late', 20);
    const early = admin('early', 5);
    const expected = ['early', 'late', 'default'];
    assert.deepEqual(order([baseline, late, early]), expected);
    assert.deepEqual(order([late, baseline, early]), expected);
    assert.deepEqual(order([early, late, baseline]), expected);
    assert.deepEqual(order([late, early, baseline]), expected);
    assert.deepEqual(order([baseline, early]), ['early', 'default']);
    assert.deepEqual(order([early, baseline]), ['early', 'default']);
  });
});
