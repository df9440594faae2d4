/**
 * Sequences of edits the incremental engine takes a shortcut for, each checked against a fresh compile (its
 * connectivity, and the changes it reports): a cluster policy on a cluster that had none (the final accesses
 * must stay apart from the NetworkPolicy ones), edited in place (patched) and removed; a Cilium policy with
 * no rule set and then a real one (the Cilium layer apart from the NetworkPolicy accesses); Cilium edits that
 * change what a class allows to or from a CIDR, patched at that address class, then a cluster policy on the
 * same class added and removed (the patched layer is the one the tiers walk around); a Cilium edit on a class
 * it does not isolate (its row recomputed at the edit's peers only, `patchedClasses`); and cluster policy
 * edits on classes with a Cilium deny that nothing isolates.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createIncrementalEngine, type IncrementalUpdate } from '../../src/engine/incremental.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { checked } from '../support/incremental.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { ClusterNetworkPolicySpec } from '../../src/model/k8s.ts';
import { ccnp, cluster, cnp, cnpCilium, ns, pod, policy } from '../support/builders.ts';
import { describeConnectivity } from '../support/verdicts.ts';

const app = (name: string) => ({ matchLabels: { app: name } });
const port = (p: string) => [{ ports: [{ port: p, protocol: 'TCP' }] }];
const inNamespace = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

describe('incremental engine: the shortcuts, edit after edit', () => {
  test('a cluster policy on a cluster that had none, edited in place and removed, egress and ingress', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a'), ns('b')],
        pods: [
          pod('a', 'web', { app: 'web' }),
          pod('a', 'db', { app: 'db' }),
          pod('b', 'client', { app: 'client' }),
        ],
        policies: [],
      }),
    );
    const guard = (to: string[]): ClusterNetworkPolicySpec => ({
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: inNamespace('a') },
      egress: [
        { action: 'Deny', to: to.map((x) => ({ pods: { namespaceSelector: {}, podSelector: app(x) } })) },
      ],
      ingress: [
        { action: 'Deny', from: to.map((x) => ({ pods: { namespaceSelector: {}, podSelector: app(x) } })) },
      ],
    });
    const first = checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard(['client']))));
    assert.equal(first.recompiled, false);
    assert.ok(
      first.changes.some((c) => c.src === 'a/Pod/web' && c.dst === 'b/Pod/client' && c.after === undefined),
    );
    // The same policy, one more peer: patched at the peers of its rules.
    const second = checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard(['client', 'db']))));
    assert.equal(second.recompiled, false);
    assert.ok((second.patchedClasses ?? 0) > 0);
    // Gone: every connection it denied is back, as before it came.
    const gone = checked(inc, () => inc.removeClusterPolicy('ClusterNetworkPolicy/guard'));
    assert.ok(
      gone.changes.some((c) => c.src === 'a/Pod/web' && c.dst === 'b/Pod/client' && c.before === undefined),
    );
    assert.ok(
      gone.changes.some((c) => c.src === 'b/Pod/client' && c.dst === 'a/Pod/web' && c.before === undefined),
    );
  });

  test('a Cilium policy with no rule set, then a real one added and removed', () => {
    const empty = ciliumPolicyInfo({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'empty', namespace: 'a' },
      specs: [],
    });
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'web', { app: 'web' }), pod('a', 'db', { app: 'db' })],
        policies: [policy('a', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
        ciliumPolicies: [empty],
      }),
    );
    const rule: CiliumRule = {
      endpointSelector: app('db'),
      ingress: [{ fromEndpoints: [app('web')], toPorts: port('5432') }],
    };
    const out: CiliumRule = {
      endpointSelector: app('web'),
      egress: [{ toEndpoints: [app('db')], toPorts: port('5432') }],
    };
    assert.equal(checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'db', rule))).recompiled, false);
    assert.equal(checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'web', out))).recompiled, false);
    assert.ok(
      describeConnectivity(inc.connectivity()).includes('a/Pod/web -> a/Pod/db: TCP 5432'),
      'allowed both ways by Cilium',
    );
    assert.equal(checked(inc, () => inc.removeCiliumPolicy('CiliumNetworkPolicy/a/db')).recompiled, false);
    assert.equal(checked(inc, () => inc.removeCiliumPolicy('CiliumNetworkPolicy/a/web')).recompiled, false);
    assert.ok(!describeConnectivity(inc.connectivity()).some((l) => l.startsWith('a/Pod/web -> a/Pod/db')));
  });

  test('Cilium edits of what a class allows from and to a CIDR, then a cluster policy on it added and removed', () => {
    const dbIn = (p: string): CiliumRule => ({
      endpointSelector: app('db'),
      ingress: [
        { fromCIDR: ['192.168.0.0/16'], toPorts: port(p) },
        { fromEndpoints: [app('web')], toPorts: port('5432') },
      ],
    });
    const webOut = (p: string): CiliumRule => ({
      endpointSelector: app('web'),
      egress: [{ toCIDR: ['192.168.0.0/16'], toPorts: port(p) }],
    });
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('prod'), ns('dev')],
        pods: [
          pod('prod', 'web', { app: 'web' }, { ips: ['10.1.0.1'] }),
          pod('prod', 'db', { app: 'db' }, { ips: ['10.1.0.2'] }),
          pod('dev', 'client', { app: 'client' }, { ips: ['10.2.0.1'] }),
        ],
        policies: [
          policy('prod', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
          policy('prod', 'db-from-web', {
            podSelector: app('db'),
            ingress: [{ from: [{ podSelector: app('web') }], ports: [{ port: 8080 }] }],
          }),
          policy('prod', 'web-to-db', {
            podSelector: app('web'),
            policyTypes: ['Egress'],
            egress: [{ to: [{ podSelector: app('db') }], ports: [{ port: 8080 }] }],
          }),
        ],
        ciliumPolicies: [cnpCilium('prod', 'db-in', dbIn('80')), cnpCilium('prod', 'web-out', webOut('80'))],
      }),
    );
    const external = (update: IncrementalUpdate) =>
      update.changes
        .filter((c) => c.src.startsWith('external') || c.dst.startsWith('external'))
        .map(
          (c) =>
            `${c.src.startsWith('external') ? 'from' : 'to'} ${formatPorts(c.before!)} => ${formatPorts(c.after!)}`,
        );
    const into = checked(inc, () => inc.updateCiliumPolicy(cnpCilium('prod', 'db-in', dbIn('443'))));
    assert.equal(into.recompiled, false);
    assert.equal(into.patchedClasses, 1);
    assert.deepEqual(external(into), ['from TCP 80 => TCP 443']);
    const outOf = checked(inc, () => inc.updateCiliumPolicy(cnpCilium('prod', 'web-out', webOut('443'))));
    assert.equal(outOf.recompiled, false);
    assert.equal(outOf.patchedClasses, 1);
    assert.deepEqual(external(outOf), ['to TCP 80 => TCP 443']);
    // An edit whose egress rules match every peer and whose ingress rules few: rows in full one way only.
    const both: CiliumRule = {
      endpointSelector: app('db'),
      ingress: [{ fromCIDR: ['192.168.0.0/16'], toPorts: port('8443') }],
      egress: [{ toEntities: ['all'], toPorts: port('53') }],
    };
    const mixed = checked(inc, () => inc.updateCiliumPolicy(cnpCilium('prod', 'db-in', both)));
    assert.equal(mixed.recompiled, false);
    // A cluster policy on db (the first one: combined over db's Cilium layer), and gone again.
    const guard = cnp('guard', {
      tier: 'Admin',
      priority: 1,
      subject: { pods: { namespaceSelector: {}, podSelector: app('db') } },
      ingress: [{ action: 'Deny', from: [{ pods: { namespaceSelector: {}, podSelector: app('client') } }] }],
      egress: [{ action: 'Deny', to: [{ pods: { namespaceSelector: {}, podSelector: app('client') } }] }],
    });
    assert.equal(checked(inc, () => inc.updateClusterPolicy(guard)).recompiled, false);
    assert.equal(checked(inc, () => inc.removeClusterPolicy(guard.id)).recompiled, false);
    assert.equal(
      checked(inc, () => inc.updateCiliumPolicy(cnpCilium('prod', 'db-in', dbIn('80')))).recompiled,
      false,
    );
    assert.equal(checked(inc, () => inc.updateClusterPolicy(guard)).recompiled, false);
    assert.equal(checked(inc, () => inc.removeClusterPolicy(guard.id)).recompiled, false);
  });

  test('a Cilium deny edit on a class nothing isolates: its row recomputed at the rule peers only', () => {
    const deny = (p: string): CiliumRule => ({
      endpointSelector: app('web'),
      ingressDeny: [{ fromEndpoints: [app('client')], toPorts: port(p) }],
      enableDefaultDeny: { ingress: false, egress: false },
    });
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'web', { app: 'web' }),
          pod('a', 'db', { app: 'db' }),
          pod('a', 'client', { app: 'client' }),
        ],
        policies: [],
        ciliumPolicies: [cnpCilium('a', 'deny', deny('80'))],
      }),
    );
    const update = checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'deny', deny('443'))));
    assert.equal(update.recompiled, false);
    assert.equal(update.touchedClasses, 1);
    assert.equal(update.patchedClasses, 1);
    assert.equal(update.changes.length, 1);
  });

  test('cluster policy edits on classes with a Cilium deny that nothing isolates', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('prod'), ns('dev')],
        pods: [
          pod('prod', 'db', { app: 'db' }),
          pod('dev', 'client', { app: 'client' }),
          pod('dev', 'web', { app: 'web' }),
        ],
        policies: [],
        ciliumPolicies: [
          ccnp('dev-deny', {
            endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dev' } },
            egressDeny: [{ toEndpoints: [app('web')], toPorts: port('80') }],
            ingressDeny: [{ fromEndpoints: [app('db')], toPorts: port('80') }],
            enableDefaultDeny: { ingress: false, egress: false },
          }),
        ],
      }),
    );
    const guard = (action: 'Deny' | 'Accept', tier: 'Admin' | 'Baseline'): ClusterNetworkPolicySpec => ({
      tier,
      priority: 5,
      subject: { namespaces: inNamespace('dev') },
      egress: [{ action, to: [{ pods: { namespaceSelector: {}, podSelector: app('db') } }] }],
      ingress: [{ action, from: [{ pods: { namespaceSelector: {}, podSelector: app('db') } }] }],
    });
    for (const tier of ['Admin', 'Baseline'] as const) {
      assert.equal(
        checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard('Deny', tier)))).recompiled,
        false,
      );
      const edited = checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard('Accept', tier))));
      assert.equal(edited.recompiled, false);
      assert.equal(
        checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard('Deny', tier)))).recompiled,
        false,
      );
      assert.equal(
        checked(inc, () => inc.removeClusterPolicy('ClusterNetworkPolicy/guard')).recompiled,
        false,
      );
    }
  });

  test('a policy with a CIDR that does not parse: a local edit, as a fresh compile reads it', () => {
    const inc = createIncrementalEngine(
      cluster({ namespaces: [ns('a')], pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' })] }),
    );
    const bad = policy('a', 'bad', {
      podSelector: app('x'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: 'not-a-cidr' } }, { podSelector: app('y') }] }],
    });
    assert.equal(checked(inc, () => inc.updatePolicy(bad)).recompiled, false);
    assert.equal(checked(inc, () => inc.removePolicy(bad.id)).recompiled, false);
  });

  test('cluster policy edits on a cluster whose only Cilium policy has no rule set', () => {
    const empty = ciliumPolicyInfo({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'empty', namespace: 'a' },
      specs: [],
    });
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'web', { app: 'web' }), pod('a', 'db', { app: 'db' }), pod('a', 'c', { app: 'c' })],
        policies: [policy('a', 'deny', { podSelector: app('db'), policyTypes: ['Ingress'] })],
        ciliumPolicies: [empty],
      }),
    );
    const guard = (peers: string[]): ClusterNetworkPolicySpec => ({
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: inNamespace('a') },
      ingress: [
        {
          action: 'Deny',
          from: peers.map((x) => ({ pods: { namespaceSelector: {}, podSelector: app(x) } })),
        },
      ],
      egress: [
        { action: 'Deny', to: peers.map((x) => ({ pods: { namespaceSelector: {}, podSelector: app(x) } })) },
      ],
    });
    for (const peers of [['c'], ['c', 'web'], ['web']])
      assert.equal(checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard(peers)))).recompiled, false);
    assert.equal(checked(inc, () => inc.removeClusterPolicy('ClusterNetworkPolicy/guard')).recompiled, false);
  });

  test('a cluster policy rule on a named port that each selected class defines on its own port', () => {
    const http = (p: number) => ({ namedPorts: [{ name: 'http', port: p, protocol: 'TCP' as const }] });
    // Its rules: on the named port only, or with a rule on a numbered port after it.
    for (const numbered of [false, true]) {
      const inc = createIncrementalEngine(
        cluster({
          namespaces: [ns('a')],
          pods: [
            pod('a', 'web1', { app: 'web', v: '1' }, http(8080)),
            pod('a', 'web2', { app: 'web', v: '2' }, http(9090)),
            pod('a', 'client', { app: 'client' }),
            pod('a', 'other', { app: 'other' }),
          ],
        }),
      );
      const guard = (peers: string[]): ClusterNetworkPolicySpec => ({
        tier: 'Admin',
        priority: 1,
        subject: { pods: { namespaceSelector: {}, podSelector: app('web') } },
        ingress: [
          {
            action: 'Deny',
            from: peers.map((x) => ({ pods: { namespaceSelector: {}, podSelector: app(x) } })),
            protocols: [{ destinationNamedPort: 'http' }],
          },
          ...(numbered
            ? [
                {
                  action: 'Deny',
                  from: [{ pods: { namespaceSelector: {}, podSelector: app('other') } }],
                  protocols: [{ tcp: { destinationPort: { number: 22 } } }],
                },
              ]
            : []),
        ],
      });
      for (const peers of [['client'], ['client', 'other'], ['other']])
        assert.equal(
          checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard(peers)))).recompiled,
          false,
        );
      const lines = describeConnectivity(inc.connectivity());
      assert.ok(lines.includes('a/Pod/client -> a/Pod/web1: All connections'), lines.join('\n'));
    }
  });

  test('two pods of one class: a patched pair of the class with itself', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'x1', { app: 'x' }), pod('a', 'x2', { app: 'x' }), pod('a', 'y', { app: 'y' })],
      }),
    );
    const guard = (peers: string[]): ClusterNetworkPolicySpec => ({
      tier: 'Admin',
      priority: 1,
      subject: { pods: { namespaceSelector: {}, podSelector: app('x') } },
      ingress: [
        {
          action: 'Deny',
          from: peers.map((x) => ({ pods: { namespaceSelector: {}, podSelector: app(x) } })),
        },
      ],
    });
    checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard(['x', 'y']))));
    assert.ok(!describeConnectivity(inc.connectivity()).some((l) => l.startsWith('a/Pod/x1 -> a/Pod/x2')));
    const back = checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard(['y']))));
    assert.ok((back.patchedClasses ?? 0) > 0);
    assert.ok(describeConnectivity(inc.connectivity()).includes('a/Pod/x1 -> a/Pod/x2: All connections'));
  });

  test('a cluster policy edit at the peer a Cilium deny (on a class nothing isolates) names too', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('prod'), ns('dev')],
        pods: [pod('prod', 'db', { app: 'db' }), pod('dev', 'client', { app: 'client' })],
        ciliumPolicies: [
          ccnp('dev-deny', {
            endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dev' } },
            egressDeny: [{ toEndpoints: [app('db')], toPorts: port('80') }],
            ingressDeny: [{ fromEndpoints: [app('db')], toPorts: port('80') }],
            enableDefaultDeny: { ingress: false, egress: false },
          }),
        ],
      }),
    );
    const guard = (action: 'Deny' | 'Accept' | 'Pass', ports: number[]): ClusterNetworkPolicySpec => ({
      tier: 'Admin',
      priority: 5,
      subject: { namespaces: inNamespace('dev') },
      egress: [
        {
          action,
          to: [{ pods: { namespaceSelector: {}, podSelector: app('db') } }],
          protocols: ports.map((p) => ({ tcp: { destinationPort: { number: p } } })),
        },
      ],
      ingress: [
        {
          action,
          from: [{ pods: { namespaceSelector: {}, podSelector: app('db') } }],
          protocols: ports.map((p) => ({ tcp: { destinationPort: { number: p } } })),
        },
      ],
    });
    for (const [action, ports] of [
      ['Deny', [443]],
      ['Pass', [443]],
      ['Deny', [443, 8080]],
      ['Pass', [80, 443]],
    ] as const)
      assert.equal(
        checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard(action, [...ports])))).recompiled,
        false,
      );
  });

  test('NetworkPolicies added, updated again, moved, removed and put back: each in its place', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' }), pod('a', 'z', { app: 'z' })],
      }),
    );
    const ids = () => inc.state.policies.map((p) => p.id);
    const ingress = (name: string, target: string) =>
      policy('a', name, { podSelector: app(target), policyTypes: ['Ingress'] });
    const egress = (name: string, target: string) =>
      policy('a', name, { podSelector: app(target), policyTypes: ['Egress'] });
    const local = (edit: () => IncrementalUpdate) => assert.equal(checked(inc, edit).recompiled, false);
    local(() => inc.updatePolicy(ingress('p', 'x')));
    local(() => inc.updatePolicy(ingress('q', 'y')));
    // Again, on another pod: x is released; then egress instead of ingress (and back).
    local(() => inc.updatePolicy(ingress('p', 'z')));
    local(() => inc.updatePolicy(egress('p', 'z')));
    local(() => inc.updatePolicy(ingress('p', 'z')));
    assert.deepEqual(ids(), ['a/p', 'a/q']);
    // The first one gone, the second one edited: in its new place.
    local(() => inc.removePolicy('a/p'));
    local(() => inc.updatePolicy(egress('q', 'y')));
    assert.deepEqual(ids(), ['a/q']);
    // The one removed comes back, after the other.
    local(() => inc.updatePolicy(ingress('p', 'x')));
    local(() => inc.updatePolicy(ingress('r', 'y')));
    assert.deepEqual(ids(), ['a/q', 'a/p', 'a/r']);
    local(() => inc.removePolicy('a/p'));
    local(() => inc.updatePolicy(ingress('p', 'z')));
    assert.deepEqual(ids(), ['a/q', 'a/r', 'a/p']);
    // A batch that drops one and turns the order, then single edits by id.
    local(() => inc.setPolicies([inc.state.policies[2]!, inc.state.policies[0]!]));
    assert.deepEqual(ids(), ['a/p', 'a/q']);
    local(() => inc.updatePolicy(egress('q', 'x')));
    local(() => inc.updatePolicy(ingress('r', 'x')));
    assert.deepEqual(ids(), ['a/p', 'a/q', 'a/r']);
    local(() => inc.removePolicy('a/q'));
    assert.deepEqual(ids(), ['a/p', 'a/r']);
  });

  test('a Cilium deny on a class nothing isolates, gone from it, and an egress edit at pod peers', () => {
    const deny: CiliumRule = {
      endpointSelector: app('web'),
      ingressDeny: [{ fromEndpoints: [app('client')], toPorts: port('80') }],
      egressDeny: [{ toEndpoints: [app('client')], toPorts: port('80') }],
      enableDefaultDeny: { ingress: false, egress: false },
    };
    const out = (p: string): CiliumRule => ({
      endpointSelector: app('db'),
      egress: [{ toEndpoints: [app('web')], toPorts: port(p) }],
    });
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'web', { app: 'web' }),
          pod('a', 'db', { app: 'db' }),
          pod('a', 'client', { app: 'client' }),
        ],
        policies: [policy('a', 'db-out', { podSelector: app('db'), policyTypes: ['Egress'] })],
        ciliumPolicies: [cnpCilium('a', 'deny', deny), cnpCilium('a', 'out', out('80'))],
      }),
    );
    const local = (edit: () => IncrementalUpdate) => assert.equal(checked(inc, edit).recompiled, false);
    local(() => inc.updateCiliumPolicy(cnpCilium('a', 'out', out('443'))));
    assert.ok(describeConnectivity(inc.connectivity()).includes('a/Pod/db -> a/Pod/web: TCP 443'));
    // The deny now selects no pod: web's deny goes.
    local(() => inc.updateCiliumPolicy(cnpCilium('a', 'deny', { ...deny, endpointSelector: app('none') })));
    assert.ok(
      describeConnectivity(inc.connectivity()).includes('a/Pod/client -> a/Pod/web: All connections'),
    );
    local(() => inc.updateCiliumPolicy(cnpCilium('a', 'deny', deny)));
  });

  test('cluster policies swapped in the list, then one more on the class of the one that moved', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' }), pod('a', 'z', { app: 'z' })],
      }),
    );
    const deny = (name: string, priority: number, subject: string, from: string) =>
      cnp(name, {
        tier: 'Admin',
        priority,
        subject: { pods: { namespaceSelector: {}, podSelector: app(subject) } },
        ingress: [{ action: 'Deny', from: [{ pods: { namespaceSelector: {}, podSelector: app(from) } }] }],
      });
    const a = deny('a', 1, 'x', 'y');
    const b = deny('b', 2, 'y', 'z');
    const local = (edit: () => IncrementalUpdate) => assert.equal(checked(inc, edit).recompiled, false);
    local(() => inc.setClusterPolicies([a, b]));
    local(() => inc.setClusterPolicies([b, a]));
    // A third one on y: y's walk is b's then c's, b now first in the list.
    local(() => inc.updateClusterPolicy(deny('c', 3, 'y', 'x')));
    assert.deepEqual(
      describeConnectivity(inc.connectivity()).filter((l) => l.includes('-> a/Pod/y')),
      ['external:0 -> a/Pod/y: All connections'],
    );
  });
});
