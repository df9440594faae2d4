/**
 * Endpoint references (src/engine/refs.ts): every accepted form, what it resolves to on the bundled example,
 * and the one-line error, with a did-you-mean, for every way a reference goes wrong.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, type CompiledCluster } from '../../src/engine/compile.ts';
import { describeRef } from '../../src/describe/refs.ts';
import { buildRefIndex, parseRef, resolveRefText } from '../../src/engine/refs.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { cluster, namedPort, ns, pod } from '../support/builders.ts';

let compiled: CompiledCluster;

before(async () => {
  const loaded = await loadManifests(['examples/webshop'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  compiled = compileCluster(loaded.state);
});

/** What a reference resolves to, as display names, or `error <code>: <message>`. */
function resolve(text: string, granularity: 'workload' | 'pod' = 'workload'): string[] | string {
  const index = buildRefIndex(compiled, granularity);
  const r = resolveRefText(index, text);
  return r.ok
    ? r.value.entities.map((e) => index.displayName(e.id))
    : `error ${r.error.code}: ${r.error.message}`;
}

describe('parseRef: the syntax of each form', () => {
  const cases: [string, string][] = [
    ['shop/web', 'workload shop/web'],
    ['shop/deploy/web', 'workload shop/Deployment/web'],
    ['data/StatefulSets/postgres', 'workload data/StatefulSet/postgres'],
    ['*', 'all *'],
    ['shop/*', 'namespace shop/*'],
    ['app.kubernetes.io/name=postgres', 'selector */app.kubernetes.io/name=postgres'],
    ['data/app in (a, b),!canary', 'selector data/app in (a, b), !canary'],
    ['*/tier!=db', 'selector */tier notin (db)'],
    ['203.0.113.7', 'ip 203.0.113.7'],
    ['fd00::1', 'ip fd00::1'],
    ['0.0.0.0/0', 'cidr 0.0.0.0/0'],
    ['10.0.0.0/8, fd00::/8 except 10.1.0.0/16', 'cidr 10.0.0.0/8, fd00::/8 except 10.1.0.0/16'],
  ];
  for (const [text, want] of cases) {
    test(text, () => {
      const r = parseRef(text);
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.equal(`${r.value.kind} ${describeRef(r.value)}`, want);
    });
  }

  const errors: [string, string][] = [
    [
      '',
      'invalid-reference: empty reference: use namespace/workload, namespace/Kind/name, namespace/*, *, a label selector (app=db), an IP or a CIDR',
    ],
    [
      '10.0.0.0/33',
      'invalid-reference: invalid CIDR "10.0.0.0/33": an address, "/" and a prefix length from 0 to 32',
    ],
    [
      '10.0.0.1 except 10.0.0.1/32',
      'invalid-reference: invalid reference "10.0.0.1 except 10.0.0.1/32": use namespace/workload, namespace/Kind/name, namespace/*, *, a label selector (app=db), an IP or a CIDR',
    ],
    [
      'shop/Deploymnet/web',
      'unknown-kind: unknown workload kind "Deploymnet" in "shop/Deploymnet/web" (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, Pod); did you mean "shop/Deployment/web"?',
    ],
    [
      'shop/app=x,,y',
      'invalid-reference: invalid label selector "shop/app=x,,y": empty term (a stray comma?)',
    ],
    [
      'a/b/c/d',
      'invalid-reference: invalid reference "a/b/c/d": use namespace/workload, namespace/Kind/name, namespace/*, *, a label selector (app=db), an IP or a CIDR',
    ],
    [
      'Shop/web',
      'invalid-reference: invalid reference "Shop/web": use namespace/workload, namespace/Kind/name, namespace/*, *, a label selector (app=db), an IP or a CIDR',
    ],
  ];
  for (const [text, want] of errors) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      const r = parseRef(text);
      assert.ok(!r.ok);
      assert.equal(`${r.error.code}: ${r.error.message}`, want);
    });
  }
});

describe('resolveRef on the bundled example', () => {
  test('namespace/workload and namespace/Kind/name name one workload', () => {
    assert.deepEqual(resolve('shop/web'), ['shop/web']);
    assert.deepEqual(resolve('data/sts/postgres'), ['data/postgres']);
  });

  test('namespace/* and label selectors, in one namespace or all', () => {
    assert.deepEqual(resolve('payments/*'), ['payments/fraud-check', 'payments/payment-gateway']);
    assert.deepEqual(resolve('app.kubernetes.io/name in (postgres, redis)'), ['data/postgres', 'data/redis']);
    assert.deepEqual(resolve('shop/app.kubernetes.io/name notin (web,api,cart)'), [
      'shop/catalog',
      'shop/checkout',
    ]);
    assert.equal((resolve('*') as string[]).length, 16);
  });

  test('an address outside the cluster resolves to its address class; a CIDR to every class it overlaps', () => {
    assert.deepEqual(resolve('203.0.113.7'), ['203.0.113.0/24 except 203.0.113.240/28']);
    assert.deepEqual(resolve('203.0.113.0/24'), [
      '203.0.113.0/24 except 203.0.113.240/28',
      '203.0.113.240/28',
    ]);
    // The way analyze names a class resolves back to exactly that class.
    assert.deepEqual(resolve('203.0.113.0/24 except 203.0.113.240/28'), [
      '203.0.113.0/24 except 203.0.113.240/28',
    ]);
    assert.deepEqual(resolve('0.0.0.0/0 except 10.0.0.0/24, 203.0.113.0/24, 198.51.100.25/32'), [
      '0.0.0.0/0 except 10.0.0.0/24, 203.0.113.0/24, 198.51.100.25/32',
    ]);
  });

  test('at pod granularity, a workload name stands for its pods', () => {
    assert.deepEqual(resolve('shop/web', 'pod'), ['shop/web-deployment-template']);
    assert.deepEqual(resolve('shop/web-deployment-template', 'pod'), ['shop/web-deployment-template']);
  });

  const errors: [string, string][] = [
    ['shop/wbe', 'error unknown-workload: no workload "shop/wbe"; did you mean "shop/web"?'],
    ['shpo/web', 'error unknown-workload: no workload "shpo/web"; did you mean "shop/web"?'],
    [
      'web',
      'error missing-namespace: "web" needs a namespace: write namespace/web; did you mean "shop/web"?',
    ],
    [
      'shop/sts/web',
      'error unknown-workload: no StatefulSet "shop/web"; did you mean "shop/Deployment/web"?',
    ],
    ['shp/*', 'error unknown-namespace: no namespace "shp" in the input; did you mean "shop"?'],
    [
      'shop/nothing-like-it',
      'error unknown-workload: no workload "shop/nothing-like-it" (list them with: netfence analyze)',
    ],
    ['shop/app=db', 'error no-match: label selector "app=db" matches no workload in namespace "shop"'],
    ['*/tier!=db,tier', 'error no-match: label selector "tier!=db,tier" matches no workload'],
    [
      '10.0.0.0/24 except 10.0.0.0/16',
      'error no-match: "10.0.0.0/24 except 10.0.0.0/16" leaves no address: its except ranges cover it',
    ],
  ];
  for (const [text, want] of errors) {
    test(`${text}: ${want.split(':')[0]!}`, () => assert.equal(resolve(text), want));
  }
});

test('a pod IP resolves to its pod, and two workloads of one name need their kind', () => {
  const state = cluster({
    namespaces: [ns('prod')],
    pods: [pod('prod', 'web', { app: 'web' }, { ips: ['10.0.1.10'], namedPorts: [namedPort('http', 8080)] })],
  });
  // A Deployment and a StatefulSet both named "web".
  state.workloads.push({ ...state.workloads[0]!, id: 'prod/StatefulSet/web', kind: 'StatefulSet', pods: [] });
  const index = buildRefIndex(compileCluster(state));
  const byIp = resolveRefText(index, '10.0.1.10');
  assert.ok(byIp.ok);
  assert.deepEqual(
    byIp.value.entities.map((e) => e.id),
    ['prod/Pod/web'],
  );
  const ambiguous = resolveRefText(index, 'prod/web');
  assert.ok(!ambiguous.ok);
  assert.equal(
    ambiguous.error.message,
    '"prod/web" names 2 workloads ("prod/Pod/web", "prod/StatefulSet/web"): give the kind',
  );
});
