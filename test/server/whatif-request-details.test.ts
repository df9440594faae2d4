/**
 * What-if requests and edits in this thread (`parseWhatIfRequest`, `applyChanges`, `incrementalCompiler`):
 * the problems exactly as found (severity, fields present, order within a line), turning off and editing
 * cluster and Cilium policies, where their YAML goes, a target's namespace, the file named for a new policy,
 * and names already taken; an object that is not a policy refused for its kind alone, whatever else is wrong
 * with it; a problem of a change as a whole (the default namespace a new policy would go to) without a line or
 * a column, in the problem and in the API's answer. Found by mutation testing (issue #20, `src/server/whatif.ts`).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { openSession } from '../../src/engine/session.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import {
  applyChanges,
  freshCompiler,
  incrementalCompiler,
  parseWhatIfRequest,
  whatIf,
  WhatIfRequestError,
} from '../../src/server/whatif.ts';

async function load(path: string): Promise<ClusterState> {
  const loaded = await loadManifests([path], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  return loaded.state;
}

let webshop: ClusterState;
let cilium: ClusterState;
let tiers: ClusterState;
before(async () => {
  webshop = await load('examples/webshop');
  cilium = await load('examples/cilium');
  tiers = await load('test/fixtures/parse/tiers/valid.yaml');
});

const ids = (list: readonly { id: string }[]): string[] => list.map((p) => p.id);

function np(name: string, namespace?: string, port: number | string = 80): string {
  return [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    ...(namespace === undefined ? [] : [`  namespace: ${namespace}`]),
    'spec:',
    '  podSelector: {}',
    '  ingress:',
    `    - ports: [{port: ${port}}]`,
    '',
  ].join('\n');
}

const CNP = (name: string): string =>
  [
    'apiVersion: policy.networking.k8s.io/v1beta1',
    'kind: ClusterNetworkPolicy',
    `metadata: {name: ${name}}`,
    'spec:',
    '  tier: Admin',
    '  priority: 50',
    '  subject: {namespaces: {}}',
    '  ingress:',
    '    - {name: all, action: Accept, from: [{namespaces: {}}]}',
    '',
  ].join('\n');

const CILIUM = (name: string, namespace?: string): string =>
  [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    `metadata: {name: ${name}${namespace === undefined ? '' : `, namespace: ${namespace}`}}`,
    'spec:',
    '  endpointSelector: {}',
    '  ingress: [{fromEndpoints: [{}]}]',
    '',
  ].join('\n');

describe('what-if request bodies', () => {
  test('a function is not a body, even with a list of changes', () => {
    assert.throws(() => parseWhatIfRequest(Object.assign(() => 0, { changes: [] })), WhatIfRequestError);
  });
});

describe('applyChanges', () => {
  test('problems: severity, no line or column fields when none, the kind at its path', () => {
    const bad = applyChanges(webshop, [{ yaml: np('x', 'shop', 70000) }, { target: 'no/such' }], 'default');
    assert.deepEqual(bad.applied, []);
    assert.deepEqual(
      bad.problems.map((p) => [p.change, p.severity, p.path]),
      [
        [0, 'error', 'spec.ingress[0].ports[0].port'],
        [1, 'error', ''],
      ],
    );
    assert.deepEqual(bad.problems[1], {
      change: 1,
      severity: 'error',
      message: 'there is no policy "no/such" to change',
      path: '',
    });
    const kind = applyChanges(
      webshop,
      [{ yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' }],
      'default',
    );
    assert.deepEqual(
      kind.problems.map((p) => [p.severity, p.path, p.line, p.column]),
      [['error', 'kind', 1, 1]],
    );
    // A YAML that does not parse says so only (not also that it holds no policy).
    const broken = applyChanges(webshop, [{ yaml: 'a: [\n' }], 'default');
    assert.equal(broken.problems.length, 1);
    assert.equal(broken.problems[0]!.severity, 'error');
    const empty = applyChanges(webshop, [{ yaml: '# nothing\n' }], 'default');
    assert.deepEqual(
      empty.problems.map((p) => p.message),
      ['no policy in this YAML: write one, or remove this new policy'],
    );
  });

  test('problems within a change: by line, then by column', () => {
    // The name taken is found after the ConfigMaps below it, and after the unknown fields to its right.
    const yaml = [
      '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: allow-web, namespace: shop}, spec: {podSelector: {}, foo: 1, bar: 2, ingress: [{ports: [{port: 80}]}]}}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: c}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: d}',
      '',
    ].join('\n');
    const r = applyChanges(webshop, [{ yaml }], 'default');
    assert.deepEqual(
      r.problems.map((p) => [p.severity, p.line, p.column, p.path]),
      [
        ['error', 1, 68, 'metadata.name'],
        ['warning', 1, 127, 'spec.foo'],
        ['warning', 1, 135, 'spec.bar'],
        ['error', 3, 1, 'kind'],
        ['error', 7, 1, 'kind'],
      ],
    );
  });

  test('a name taken by a policy not changed', () => {
    const r = applyChanges(webshop, [{ yaml: np('allow-web', 'shop') }], 'default');
    assert.deepEqual(
      r.problems.map((p) => [p.message, p.line, p.path]),
      [
        [
          'policy "shop/allow-web" already exists: give it another name, or edit "shop/allow-web" itself',
          4,
          'metadata.name',
        ],
      ],
    );
  });

  test('a new policy names its file after its place in the request', () => {
    const r = applyChanges(webshop, [{ target: 'data/allow-redis' }, { yaml: np('fresh') }], 'default');
    assert.deepEqual(r.applied, [0, 1]);
    const fresh = r.after.policies.find((p) => p.id === 'default/fresh')!;
    assert.equal(fresh.origin?.file, 'new policy 2');
    assert.ok(!ids(r.after.policies).includes('data/allow-redis'));
  });

  test('cluster policies: turned off, edited in place, added at the end; lists not edited are the same', () => {
    const before = ids(tiers.clusterPolicies);
    const off = applyChanges(tiers, [{ target: before[0]! }], 'default');
    assert.deepEqual(off.problems, []);
    assert.deepEqual(ids(off.after.clusterPolicies), before.slice(1));
    assert.equal(off.after.ciliumPolicies, tiers.ciliumPolicies);
    assert.equal(off.after.policies.length, tiers.policies.length);
    const name = before[0]!.split('/').at(-1)!;
    const edited = applyChanges(
      tiers,
      [{ target: before[0]!, yaml: CNP(name) }, { yaml: CNP('extra') }],
      'default',
    );
    assert.deepEqual(edited.problems, []);
    assert.deepEqual(ids(edited.after.clusterPolicies), [...before, 'ClusterNetworkPolicy/extra']);
    assert.equal(edited.after.clusterPolicies[0]!.origin?.file, before[0]);
  });

  test('Cilium policies: turned off, edited in place in the target namespace, added at the end', () => {
    const before = ids(cilium.ciliumPolicies);
    const target = 'CiliumNetworkPolicy/news/api-from-web';
    const off = applyChanges(cilium, [{ target }], 'default');
    assert.deepEqual(off.problems, []);
    assert.deepEqual(
      ids(off.after.ciliumPolicies),
      before.filter((id) => id !== target),
    );
    assert.equal(off.after.clusterPolicies, cilium.clusterPolicies);
    const edited = applyChanges(
      cilium,
      [{ target, yaml: CILIUM('api-from-web') }, { yaml: CILIUM('extra', 'news') }],
      'default',
    );
    assert.deepEqual(edited.problems, []);
    assert.deepEqual(ids(edited.after.ciliumPolicies), [...before, 'CiliumNetworkPolicy/news/extra']);
  });

  test("NetworkPolicies in a cluster or Cilium target's YAML are added in the order of the changes", () => {
    const target = 'CiliumNetworkPolicy/news/api-from-web';
    const r = applyChanges(
      cilium,
      [
        { yaml: np('first', 'news') },
        { target, yaml: `${CILIUM('api-from-web')}---\n${np('second', 'news')}` },
      ],
      'default',
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(ids(r.after.policies).slice(-2), ['news/first', 'news/second']);
    assert.ok(ids(r.after.ciliumPolicies).includes(target));
    const cluster = ids(tiers.clusterPolicies)[0]!;
    const t = applyChanges(
      tiers,
      [
        { yaml: np('first', 'shop') },
        { target: cluster, yaml: `${CNP(cluster.split('/').at(-1)!)}---\n${np('second', 'shop')}` },
      ],
      'default',
    );
    assert.deepEqual(t.problems, []);
    assert.deepEqual(ids(t.after.policies).slice(-2), ['shop/first', 'shop/second']);
    assert.deepEqual(ids(t.after.clusterPolicies), ids(tiers.clusterPolicies));
  });
});

describe('applyChanges: where the YAML goes', () => {
  test('new policies only: each added, of every kind', () => {
    const r = applyChanges(
      tiers,
      [{ yaml: np('a', 'shop') }, { yaml: np('b', 'shop') }, { yaml: CNP('extra') }],
      'default',
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(ids(r.after.policies).slice(-2), ['shop/a', 'shop/b']);
    assert.deepEqual(ids(r.after.clusterPolicies), [
      ...ids(tiers.clusterPolicies),
      'ClusterNetworkPolicy/extra',
    ]);
    const c = applyChanges(cilium, [{ yaml: CILIUM('extra', 'news') }], 'default');
    assert.deepEqual(ids(c.after.ciliumPolicies), [
      ...ids(cilium.ciliumPolicies),
      'CiliumNetworkPolicy/news/extra',
    ]);
  });

  test("a NetworkPolicy target's YAML: its cluster and Cilium policies are added beside it", () => {
    const yaml = `${np('allow-web', 'shop')}---\n${CNP('extra')}---\n${CILIUM('extra', 'shop')}`;
    const r = applyChanges(webshop, [{ target: 'shop/allow-web', yaml }], 'default');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(ids(r.after.clusterPolicies), [
      ...ids(webshop.clusterPolicies),
      'ClusterNetworkPolicy/extra',
    ]);
    assert.deepEqual(ids(r.after.ciliumPolicies), [
      ...ids(webshop.ciliumPolicies),
      'CiliumNetworkPolicy/shop/extra',
    ]);
    assert.ok(ids(r.after.policies).includes('shop/allow-web'));
  });

  test("a cluster-wide Cilium target's YAML: a policy without a namespace goes to the default one", () => {
    const target = 'CiliumClusterwideNetworkPolicy/deny-cloud-metadata';
    const r = applyChanges(cilium, [{ target, yaml: np('x') }], 'fallback');
    assert.deepEqual(r.problems, []);
    assert.ok(ids(r.after.policies).includes('fallback/x'));
  });
});

describe('incrementalCompiler', () => {
  test('answers as compiling from scratch, with and without a current session', () => {
    const options = { engine: { ipBlockMatchesPods: true }, defaultNamespace: 'default' };
    const changes = [{ target: 'shop/allow-web' }, { yaml: np('fresh', 'shop', 8080) }];
    const fresh = whatIf(webshop, changes, {
      ...options,
      compiler: freshCompiler(openSession(webshop, options.engine)),
    });
    assert.ok(fresh.summary.removed + fresh.summary.added + fresh.summary.changed > 0);
    const session = openSession(webshop, options.engine);
    assert.deepEqual(whatIf(webshop, changes, { ...options, compiler: incrementalCompiler(session) }), fresh);
    const current = openSession(webshop, options.engine);
    assert.deepEqual(
      whatIf(webshop, changes, {
        ...options,
        compiler: incrementalCompiler(openSession(webshop, options.engine), current),
      }),
      fresh,
    );
  });
});

const KINDS =
  'NetworkPolicy, ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy';

describe('applyChanges: objects that are not policies', () => {
  test('refused for their kind only: their own problems are not reported', () => {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Bad_NS\n  labels: {a: "b c"}\n';
    const service = [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: svc, namespace: shop}',
      'spec:',
      '  selector: {app: "x y"}',
      '  ports: [{port: 70000}]',
      '',
    ].join('\n');
    const r = applyChanges(webshop, [{ yaml: namespace }, { yaml: service }], 'default');
    assert.deepStrictEqual(
      r.problems,
      ['Namespace', 'Service'].map((kind, change) => ({
        change,
        severity: 'error',
        message: `only ${KINDS} objects can be tried here, not ${kind}`,
        line: 1,
        column: 1,
        path: 'kind',
      })),
    );
    assert.deepEqual(r.applied, []);
    assert.equal(r.after.namespaces.length, webshop.namespaces.length);
  });
});

describe('applyChanges: a problem of the change as a whole', () => {
  const POLICY =
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: {}}\n';
  const MESSAGE =
    'default namespace "Bad_NS" is not a valid namespace name: it contains upper-case letters; it contains "_"';

  test('no line nor column in the problem', () => {
    const r = applyChanges(webshop, [{ yaml: POLICY }], 'Bad_NS');
    assert.deepStrictEqual(r.problems, [{ change: 0, severity: 'error', message: MESSAGE, path: '' }]);
    assert.deepEqual(r.applied, []);
  });

  test('null line and column in the answer', () => {
    const r = whatIf(webshop, [{ yaml: POLICY }], {
      engine: { ipBlockMatchesPods: true },
      defaultNamespace: 'Bad_NS',
    });
    assert.deepStrictEqual(r.problems, [
      { change: 0, severity: 'error', message: MESSAGE, line: null, column: null, path: '' },
    ]);
  });
});
