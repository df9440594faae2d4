/**
 * The incremental engine's paths round 8 left untested (issue #20, round 9), each edit checked against a fresh
 * compile (its connectivity, and the changes it reports): a workload whose pods sit in several classes, its
 * pairs patched by a cluster policy edit (entity pairs are unions over class pairs, a workload's traffic to
 * itself between its classes counts, a class's other members may be single or several pods); a class pair a
 * patch removed, then the workload's row rebuilt from its other class; a row rebuilt one way, then the
 * workload's column from its other class; what a Cilium edit lets a workload's classes send to a CIDR (a
 * union); a Cilium edit patched on egress where the class's NetworkPolicy ingress differs; cluster policies
 * that keep their place in a batch but move to another index (their walks, keyed by index, must go); Cilium
 * rule sets without default deny; a Cilium policy without rule sets removed; a CNI profile under which cluster
 * policies' address peers do not move pod classes; pods on a Node with an address (own-node traffic).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineOptions } from '../../src/engine/compile.ts';
import { createIncrementalEngine } from '../../src/engine/incremental.ts';
import { checked, deployments, dOverTwoClasses, guardS } from '../support/incremental.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { ClusterNetworkPolicySpec, NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, cnp, cnpCilium, namedPort, node, ns, pod, policy } from '../support/builders.ts';
import { cniProfile, describeConnectivity } from '../support/verdicts.ts';

const app = (name: string) => ({ matchLabels: { app: name } });
const tcp = (port: number) => ({ tcp: { destinationPort: { number: port } } });
const port = (p: string) => [{ ports: [{ port: p, protocol: 'TCP' }] }];
const everyPodOf = (selector: object) => ({ pods: { namespaceSelector: {}, podSelector: selector } });

describe('incremental engine: workloads over several classes', () => {
  test('a cluster policy edit patched at a workload whose pods sit in two classes, and a class of two workloads', () => {
    // w: one pod in class {app: w, v: 1}, one in {app: w, v: 2}; k: two pods in class {app: k}, with the bare pod q.
    const state = deployments(
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'w1', { app: 'w', v: '1' }),
          pod('a', 'w2', { app: 'w', v: '2' }),
          pod('a', 'k1', { app: 'k' }),
          pod('a', 'k2', { app: 'k' }),
          pod('a', 'q', { app: 'k' }),
        ],
      }),
      { w: ['w1', 'w2'], k: ['k1', 'k2'] },
    );
    const inc = createIncrementalEngine(state);
    const guard = (rules: [object, number][]): ClusterNetworkPolicySpec => ({
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: {} },
      egress: rules.map(([selector, p]) => ({
        action: 'Deny',
        to: [everyPodOf(selector)],
        protocols: [tcp(p)],
      })),
    });
    checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard([[app('w'), 80]]))));
    // In place, other ports by destination class: the pairs between w's classes differ, their union is all.
    const v1 = { matchLabels: { app: 'w', v: '1' } };
    const v2 = { matchLabels: { app: 'w', v: '2' } };
    const edit = checked(inc, () =>
      inc.updateClusterPolicy(
        cnp(
          'guard',
          guard([
            [v1, 81],
            [v2, 82],
            [app('k'), 81],
          ]),
        ),
      ),
    );
    assert.equal(edit.recompiled, false);
    assert.ok((edit.patchedClasses ?? 0) > 0);
    const lines = describeConnectivity(inc.connectivity());
    // A workload reaches itself between its two pods (two classes, one pod each): every port.
    assert.ok(lines.includes('a/Deployment/w -> a/Deployment/w: All connections'), lines.join('\n'));
    // Two pods of k in one class: k reaches itself; q, alone, does not.
    assert.ok(lines.some((l) => l.startsWith('a/Deployment/k -> a/Deployment/k: ')));
    assert.ok(!lines.some((l) => l.startsWith('a/Pod/q -> a/Pod/q: ')));
  });

  for (const removed of ['1', '2']) {
    test(`a class pair a cluster policy patch removed (class v=${removed}), then the workload's other class rebuilt`, () => {
      const other = removed === '1' ? '2' : '1';
      const state = deployments(
        cluster({
          namespaces: [ns('a')],
          pods: [
            pod('a', 'w1', { app: 'w', v: '1' }),
            pod('a', 'w2', { app: 'w', v: '2' }),
            pod('a', 'db', { app: 'db' }),
          ],
          // db accepts two ports only: the workload's class pairs to it are not every connection.
          policies: [
            policy('a', 'db-in', {
              podSelector: app('db'),
              ingress: [{ ports: [{ port: 80 }, { port: 5432 }] }],
            }),
          ],
        }),
        { w: ['w1', 'w2'] },
      );
      const inc = createIncrementalEngine(state);
      const guard = (p: number | undefined): ClusterNetworkPolicySpec => ({
        tier: 'Admin',
        priority: 1,
        subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { v: removed } } } },
        egress: [
          {
            action: 'Deny',
            to: [everyPodOf(app('db'))],
            ...(p === undefined ? {} : { protocols: [tcp(p)] }),
          },
        ],
      });
      checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard(80))));
      // Every port now: the class pair goes (patched), the workload still reaches db from its other pod.
      const edit = checked(inc, () => inc.updateClusterPolicy(cnp('guard', guard(undefined))));
      assert.ok((edit.patchedClasses ?? 0) > 0);
      // The other class's egress rebuilt: the workload's row is rebuilt from both its classes.
      const open: NetworkPolicySpec = {
        podSelector: { matchLabels: { v: other } },
        policyTypes: ['Egress'],
        egress: [{}],
      };
      checked(inc, () => inc.updatePolicy(policy('a', 'open', open)));
      assert.ok(describeConnectivity(inc.connectivity()).includes('a/Deployment/w -> a/Pod/db: TCP 80,5432'));
    });
  }

  test("one class's row rebuilt out of a source, then the workload's column from its other class", () => {
    const state = deployments(
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'w1', { app: 'w', v: '1' }),
          pod('a', 'w2', { app: 'w', v: '2' }),
          pod('a', 's', { app: 's' }),
          pod('a', 'c', { app: 'c' }),
        ],
        policies: [policy('a', 's-out', { podSelector: app('s'), policyTypes: ['Egress'] })],
      }),
      { w: ['w1', 'w2'] },
    );
    const inc = createIncrementalEngine(state);
    // s may now reach w's pod in class v=1 (s's egress, one way only).
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 's-out', {
          podSelector: app('s'),
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { v: '1' } } }] }],
        }),
      ),
    );
    // Class v=2 accepts only c: s still reaches the workload through class v=1.
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 'v2-in', {
          podSelector: { matchLabels: { v: '2' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: app('c') }] }],
        }),
      ),
    );
    assert.ok(
      describeConnectivity(inc.connectivity()).includes('a/Pod/s -> a/Deployment/w: All connections'),
    );
  });

  test("a source's row rebuilt away from one class of a workload, then the workload's column from its other class", () => {
    const state = deployments(
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'w1', { app: 'w', v: '1' }),
          pod('a', 'w2', { app: 'w', v: '2' }),
          pod('a', 's', { app: 's' }),
          pod('a', 'c', { app: 'c' }),
        ],
        policies: [
          policy('a', 's-out', {
            podSelector: app('s'),
            policyTypes: ['Egress'],
            egress: [{ to: [{ podSelector: { matchLabels: { v: '1' } } }] }],
          }),
        ],
      }),
      { w: ['w1', 'w2'] },
    );
    const inc = createIncrementalEngine(state);
    // s may reach c only: no longer w's pod in class v=1.
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 's-out', {
          podSelector: app('s'),
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: app('c') }] }],
        }),
      ),
    );
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 'v2-in', {
          podSelector: { matchLabels: { v: '2' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: app('c') }] }],
        }),
      ),
    );
    assert.ok(
      !describeConnectivity(inc.connectivity()).some((l) => l.startsWith('a/Pod/s -> a/Deployment/w')),
    );
  });

  test('a class pair a cluster policy patch removed into one class of a workload, then its column from the other', () => {
    // The mirror of round 11's test, which opens the pair: here s reaches d's class v=1 on all but TCP 80, then
    // (patched) on nothing.
    const inc = createIncrementalEngine(dOverTwoClasses());
    checked(inc, () => inc.updateClusterPolicy(cnp('guard', guardS(80))));
    const edit = checked(inc, () => inc.updateClusterPolicy(cnp('guard', guardS(undefined))));
    assert.ok((edit.patchedClasses ?? 0) > 0);
    // d's other class isolated on ingress: s reaches d no more.
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 'd2-in', { podSelector: { matchLabels: { v: '2' } }, policyTypes: ['Ingress'] }),
      ),
    );
    assert.ok(
      !describeConnectivity(inc.connectivity()).some((l) => l.startsWith('a/Pod/s -> a/Deployment/d')),
    );
  });

  test('a Cilium edit of what the classes of a workload send to a CIDR: the workload sends the union', () => {
    const cidr = '203.0.113.0/24';
    const out = (selector: object, p: string): CiliumRule => ({
      endpointSelector: selector,
      egress: [{ toCIDR: [cidr], toPorts: port(p) }],
    });
    const state = deployments(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'w1', { app: 'w', v: '1' }), pod('a', 'w2', { app: 'w', v: '2' })],
        policies: [policy('a', 'deny', { podSelector: {}, policyTypes: ['Egress'] })],
        ciliumPolicies: [
          cnpCilium('a', 'one', out({ matchLabels: { v: '1' } }, '443')),
          cnpCilium('a', 'two', out({ matchLabels: { v: '2' } }, '22')),
        ],
      }),
      { w: ['w1', 'w2'] },
    );
    const inc = createIncrementalEngine(state);
    const edit = checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'both', out(app('w'), '80'))));
    assert.equal(edit.recompiled, false);
    assert.ok((edit.patchedClasses ?? 0) > 0);
    const lines = describeConnectivity(inc.connectivity());
    assert.ok(
      lines.some((l) => l.startsWith('a/Deployment/w -> ') && l.endsWith(': TCP 22,80,443')),
      lines.join('\n'),
    );
  });
});

describe('incremental engine: Cilium edits', () => {
  test("an egress edit patched at its peers where the class's NetworkPolicy ingress allows other ports", () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'web', { app: 'web' }), pod('a', 'db', { app: 'db' })],
        policies: [
          policy('a', 'web', {
            podSelector: app('web'),
            policyTypes: ['Ingress', 'Egress'],
            ingress: [{ from: [{ podSelector: app('db') }], ports: [{ port: 9999 }] }],
            egress: [{ to: [{ podSelector: app('db') }], ports: [{ port: 5432 }] }],
          }),
        ],
        ciliumPolicies: [cnpCilium('a', 'none', { endpointSelector: app('nothing'), egress: [{}] })],
      }),
    );
    const out = (p: string): CiliumRule => ({
      endpointSelector: app('web'),
      egress: [{ toEndpoints: [app('db')], toPorts: port(p) }],
    });
    const added = checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'web-out', out('8080'))));
    assert.equal(added.recompiled, false);
    const edit = checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'web-out', out('8443'))));
    assert.ok((edit.patchedClasses ?? 0) > 0);
    assert.ok(describeConnectivity(inc.connectivity()).includes('a/Pod/web -> a/Pod/db: TCP 5432,8443'));
    const inward = (p: string): CiliumRule => ({
      endpointSelector: app('db'),
      ingress: [{ fromEndpoints: [app('web')], toPorts: port(p) }],
    });
    // The same the other way: db isolated on ingress by a NetworkPolicy that also isolates its egress.
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 'db', {
          podSelector: app('db'),
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: app('web') }], ports: [{ port: 5432 }] }],
          egress: [{ to: [{ podSelector: app('web') }], ports: [{ port: 9999 }] }],
        }),
      ),
    );
    checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'db-in', inward('7000'))));
    const back = checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'db-in', inward('7001'))));
    assert.ok((back.patchedClasses ?? 0) > 0);
  });

  for (const direction of ['ingress', 'egress'] as const) {
    test(`a Cilium rule set with ${direction} rules and no default deny there, added and edited`, () => {
      const inc = createIncrementalEngine(
        cluster({
          namespaces: [ns('a')],
          pods: [pod('a', 'web', { app: 'web' }), pod('a', 'db', { app: 'db' })],
          policies: [policy('a', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
          ciliumPolicies: [cnpCilium('a', 'none', { endpointSelector: app('nothing'), egress: [{}] })],
        }),
      );
      const rule = (p: string): CiliumRule =>
        direction === 'ingress'
          ? {
              endpointSelector: app('db'),
              enableDefaultDeny: { ingress: false },
              ingress: [{ fromEndpoints: [app('web')], toPorts: port(p) }],
            }
          : {
              endpointSelector: app('web'),
              enableDefaultDeny: { egress: false },
              egress: [{ toEndpoints: [app('db')], toPorts: port(p) }],
            };
      // The other way open, so that the rule set alone decides the pair.
      checked(inc, () =>
        inc.updatePolicy(
          policy('a', 'open', {
            podSelector: direction === 'ingress' ? app('web') : app('db'),
            policyTypes: [direction === 'ingress' ? 'Egress' : 'Ingress'],
            ...(direction === 'ingress' ? { egress: [{}] } : { ingress: [{}] }),
          }),
        ),
      );
      checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'rule', rule('80'))));
      assert.ok(describeConnectivity(inc.connectivity()).includes('a/Pod/web -> a/Pod/db: TCP 80'));
      checked(inc, () => inc.updateCiliumPolicy(cnpCilium('a', 'rule', rule('443'))));
      assert.ok(describeConnectivity(inc.connectivity()).includes('a/Pod/web -> a/Pod/db: TCP 443'));
    });
  }

  test('a Cilium policy without rule sets removed while others stay', () => {
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
        ciliumPolicies: [
          empty,
          cnpCilium('a', 'db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [app('web')] }] }),
        ],
      }),
    );
    const update = checked(inc, () => inc.removeCiliumPolicy('CiliumNetworkPolicy/a/empty'));
    assert.deepEqual(update, { touchedClasses: 0, recompiled: false, changes: [] });
    assert.deepEqual(
      inc.state.ciliumPolicies.map((p) => p.id),
      ['CiliumNetworkPolicy/a/db'],
    );
  });
});

describe('incremental engine: cluster policies', () => {
  test('a kept cluster policy moved to the index of a dropped one: walks by index are not reused', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'web', { app: 'web' }),
          pod('a', 'api', { app: 'api' }),
          pod('a', 'db', { app: 'db' }),
        ],
      }),
    );
    const deny = (name: string, subject: string, p: number) =>
      cnp(name, {
        tier: 'Admin',
        priority: 1,
        subject: { pods: { namespaceSelector: {}, podSelector: app(subject) } },
        egress: [{ action: 'Deny', to: [everyPodOf(app('db'))], protocols: [tcp(p)] }],
      });
    const first = deny('first', 'web', 80);
    const second = deny('second', 'api', 81);
    checked(inc, () => inc.setClusterPolicies([first, second]));
    // `second` moves to index 0, where `first`'s walk was kept.
    checked(inc, () => inc.removeClusterPolicy('ClusterNetworkPolicy/first'));
    // An edit that recombines api's egress with its walks.
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 'api-out', { podSelector: app('api'), policyTypes: ['Egress'], egress: [{}] }),
      ),
    );
    const lines = describeConnectivity(inc.connectivity());
    assert.ok(
      lines.includes('a/Pod/api -> a/Pod/db: TCP 1-80,82-65535; UDP all ports; SCTP all ports'),
      lines.join('\n'),
    );
  });

  for (const keepFirst of [false, true])
    test(`kept cluster policies moved to indices whose walk a new policy reaches as the tail of its list${keepFirst ? ', the first index kept' : ''}`, () => {
      const inc = createIncrementalEngine(
        cluster({
          namespaces: [ns('a')],
          pods: [
            pod('a', 's', { app: 's' }),
            pod('a', 't', { app: 't' }),
            pod('a', 'x', { app: 'x' }),
            pod('a', 'y', { app: 'y' }),
            pod('a', 'z', { app: 'z' }),
          ],
        }),
      );
      const deny = (name: string, priority: number, subjects: string[], to: string, p: number) =>
        cnp(name, {
          tier: 'Admin',
          priority,
          subject: {
            pods: {
              namespaceSelector: {},
              podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: subjects }] },
            },
          },
          egress: [{ action: 'Deny', to: [everyPodOf(app(to))], protocols: [tcp(p)] }],
        });
      const a = deny('a', 2, keepFirst ? ['s', 't'] : ['s'], 'x', 80);
      const b = deny('b', 3, keepFirst ? ['s'] : ['s', 't'], 'y', 81);
      const c = deny('c', 4, ['t'], 'z', 82);
      const d = deny('d', 5, ['t'], 'x', 83);
      checked(inc, () => inc.setClusterPolicies([a, b, c, d]));
      // The walk of s was [0, 1] (a then b). Now t's list ends with [0, 1] too: b then c, which both moved, or
      // a (kept in its place) then c (moved). n comes first for t.
      const n = deny('n', 1, ['t'], 'x', 84);
      const update = checked(inc, () => inc.setClusterPolicies(keepFirst ? [a, c, n] : [b, c, n]));
      assert.equal(update.recompiled, false);
      // s and t recombined in full with their walks (the ones kept, or made afresh).
      checked(inc, () =>
        inc.updatePolicy(
          policy('a', 'out', {
            podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['s', 't'] }] },
            policyTypes: ['Egress'],
            egress: [{}],
          }),
        ),
      );
      const lines = describeConnectivity(inc.connectivity());
      assert.ok(
        lines.includes('a/Pod/t -> a/Pod/z: TCP 1-81,83-65535; UDP all ports; SCTP all ports'),
        lines.join('\n'),
      );
    });

  test('patched or combined afresh: a class no cluster policy decides for keeps its access, one that lost its last is recombined', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'web', { app: 'web' }),
          pod('a', 'db', { app: 'db' }),
          pod('a', 'client', { app: 'client' }),
        ],
      }),
    );
    const egress = cnp('egress', {
      tier: 'Admin',
      priority: 1,
      subject: { pods: { namespaceSelector: {}, podSelector: app('web') } },
      egress: [{ action: 'Deny', to: [everyPodOf(app('client'))], protocols: [tcp(80)] }],
    });
    const ingress = (p: number) =>
      cnp('ingress', {
        tier: 'Admin',
        priority: 2,
        subject: { pods: { namespaceSelector: {}, podSelector: app('db') } },
        ingress: [{ action: 'Deny', from: [everyPodOf(app('client'))], protocols: [tcp(p)] }],
      });
    // web's ingress and db's egress: touched, no cluster policy decides there, their accesses stay (patched).
    const first = checked(inc, () => inc.setClusterPolicies([egress, ingress(22)]));
    assert.equal(first.patchedClasses, 2);
    const kept = ingress(23);
    checked(inc, () => inc.setClusterPolicies([egress, kept]));
    // web loses its only cluster policy: its egress is the NetworkPolicy one again, combined afresh.
    const gone = checked(inc, () => inc.setClusterPolicies([kept]));
    assert.equal(gone.touchedClasses, 1);
    assert.equal(gone.patchedClasses, undefined);
  });

  test('two classes under the same cluster policies, one of which reads a named port on ingress, patched', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'a', { app: 'a' }, { namedPorts: [namedPort('http', 8080)] }),
          pod('a', 'b', { app: 'b' }, { namedPorts: [namedPort('http', 9090)] }),
          pod('a', 'client', { app: 'client' }),
        ],
      }),
    );
    const subject = {
      pods: {
        namespaceSelector: {},
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] },
      },
    };
    const named = cnp('named', {
      tier: 'Admin',
      priority: 1,
      subject,
      ingress: [
        { action: 'Deny', from: [everyPodOf(app('client'))], protocols: [{ destinationNamedPort: 'http' }] },
      ],
    });
    const numbered = (p: number) =>
      cnp('numbered', {
        tier: 'Admin',
        priority: 2,
        subject,
        ingress: [{ action: 'Deny', from: [everyPodOf(app('client'))], protocols: [tcp(p)] }],
      });
    checked(inc, () => inc.setClusterPolicies([named, numbered(22)]));
    const edit = checked(inc, () => inc.updateClusterPolicy(numbered(23)));
    assert.equal(edit.patchedClasses, 2);
    const lines = describeConnectivity(inc.connectivity());
    assert.ok(
      lines.includes('a/Pod/client -> a/Pod/b: TCP 1-22,24-9089,9091-65535; UDP all ports; SCTP all ports'),
      lines.join('\n'),
    );
  });

  test('thirteen cluster policies: indices of two digits in the walk keys', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'x', { app: 'x' }), pod('a', 'one', { app: 'one' }), pod('a', 'two', { app: 'two' })],
      }),
    );
    const deny = (i: number, p: number) =>
      cnp(`p${i}`, {
        tier: 'Admin',
        priority: i,
        subject: {
          pods: {
            namespaceSelector: {},
            podSelector: app(i === 1 || i === 2 ? 'one' : i === 12 ? 'two' : 'none'),
          },
        },
        egress: [{ action: 'Deny', to: [everyPodOf(app('x'))], protocols: [tcp(p)] }],
      });
    const all = Array.from({ length: 13 }, (_, i) => deny(i, 1000 + i));
    checked(inc, () => inc.setClusterPolicies(all));
    // Index 12 edited alone (its walk is keyed "12"), then 2 and 12 together (class one's list is [1, 2]).
    checked(inc, () => inc.updateClusterPolicy(deny(12, 1112)));
    checked(inc, () =>
      inc.setClusterPolicies(all.map((p, i) => (i === 2 ? deny(2, 1102) : i === 12 ? deny(12, 1212) : p))),
    );
    const lines = describeConnectivity(inc.connectivity());
    assert.ok(
      lines.includes('a/Pod/two -> a/Pod/x: TCP 1-1211,1213-65535; UDP all ports; SCTP all ports'),
      lines.join('\n'),
    );
    assert.ok(
      lines.includes('a/Pod/one -> a/Pod/x: TCP 1-1000,1002-1101,1103-65535; UDP all ports; SCTP all ports'),
      lines.join('\n'),
    );
  });

  for (const [profile, options] of [
    ['calico, ipBlockMatchesPods on', { cni: cniProfile('calico'), ipBlockMatchesPods: true }],
    ['upstream, ipBlockMatchesPods off', { cni: cniProfile('upstream'), ipBlockMatchesPods: false }],
  ] as const) {
    test(`the first cluster policy with an address peer, a CIDR already split at (${profile}): no recompile`, () => {
      const opts: Partial<EngineOptions> = options;
      const inc = createIncrementalEngine(
        cluster({
          namespaces: [ns('a')],
          pods: [
            pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.5'] }),
            pod('a', 'db', { app: 'db' }, { ips: ['10.0.1.5'] }),
          ],
          policies: [
            policy('a', 'web', {
              podSelector: app('web'),
              policyTypes: ['Egress'],
              egress: [{ to: [{ ipBlock: { cidr: '10.0.1.0/24' } }] }],
            }),
          ],
        }),
        opts,
      );
      const update = checked(
        inc,
        () =>
          inc.updateClusterPolicy(
            cnp('nets', {
              tier: 'Admin',
              priority: 1,
              subject: { namespaces: {} },
              egress: [{ action: 'Deny', to: [{ networks: ['10.0.1.0/24'] }], protocols: [tcp(22)] }],
            }),
          ),
        opts,
      );
      assert.equal(update.recompiled, false);
    });
  }
});

describe('incremental engine: pods on a Node with an address', () => {
  test('edits of every kind keep own-node traffic and the rest as a fresh compile gives them', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        nodes: [node('n1', {}, ['192.168.5.1'])],
        pods: [
          pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.5'], nodeName: 'n1' }),
          pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.6'], nodeName: 'n1' }),
        ],
      }),
    );
    checked(inc, () =>
      inc.updatePolicy(policy('a', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })),
    );
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 'db-in', {
          podSelector: app('db'),
          ingress: [{ from: [{ podSelector: app('web') }], ports: [{ port: 5432 }] }],
        }),
      ),
    );
    checked(inc, () =>
      inc.updateClusterPolicy(
        cnp('guard', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: {} },
          ingress: [{ action: 'Deny', from: [everyPodOf(app('web'))], protocols: [tcp(5432)] }],
        }),
      ),
    );
    checked(inc, () => inc.removePolicy('a/deny'));
  });
});
