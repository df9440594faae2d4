/**
 * Details of endpoint references (src/engine/refs.ts) beyond test/explain/refs.test.ts: every kind alias,
 * the name, namespace and label patterns at their edges, each error message and suggestion, kubectl's selector
 * syntax term by term, address lists with `except`, the pod granularity, and what each entity is called
 * (issue #20, mutation testing).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import {
  buildRefIndex,
  parseLabelSelector,
  parseRef,
  resolveRef,
  resolveRefText,
  type EndpointRef,
  type RefIndex,
} from '../../src/engine/refs.ts';
import { formatCidr } from '../../src/base/ip.ts';
import type { ClusterState, WorkloadInfo } from '../../src/model/cluster.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';

/** The parsed reference in a few words, or `error <code>: <message>`. */
function parsed(text: string): string {
  const r = parseRef(text);
  if (!r.ok) return `error ${r.error.code}: ${r.error.message}`;
  return brief(r.value);
}

function brief(v: EndpointRef): string {
  switch (v.kind) {
    case 'all':
      return `all ${v.text}`;
    case 'namespace':
      return `namespace ${v.namespace}`;
    case 'workload':
      return `workload ${v.namespace} ${v.workloadKind ?? '-'} ${v.name}`;
    case 'ip':
      return `ip ${v.ip}`;
    case 'cidr':
      return `cidr ${[v.cidr, ...v.also].map(formatCidr).join(' + ')}${v.except.map((x) => ` - ${formatCidr(x)}`).join('')}`;
    case 'selector':
      return `selector ${v.namespace ?? '*'} [${v.selectorText}] ${JSON.stringify(v.labelSelector)}`;
  }
}

function suggestion(text: string, index?: RefIndex): string | undefined {
  const r = index === undefined ? parseRef(text) : resolveRefText(index, text);
  assert.ok(!r.ok, `${text} should fail`);
  return r.error.suggestion;
}

describe('parseRef', () => {
  test('every kind alias of kubectl, in any case', () => {
    const cases: [string, string][] = [
      ['deployment', 'Deployment'],
      ['deployments', 'Deployment'],
      ['deploy', 'Deployment'],
      ['replicaset', 'ReplicaSet'],
      ['replicasets', 'ReplicaSet'],
      ['rs', 'ReplicaSet'],
      ['statefulset', 'StatefulSet'],
      ['sts', 'StatefulSet'],
      ['daemonset', 'DaemonSet'],
      ['DS', 'DaemonSet'],
      ['job', 'Job'],
      ['jobs', 'Job'],
      ['cronjob', 'CronJob'],
      ['cj', 'CronJob'],
      ['replicationcontroller', 'ReplicationController'],
      ['rc', 'ReplicationController'],
      ['pod', 'Pod'],
      ['Pods', 'Pod'],
      ['po', 'Pod'],
    ];
    for (const [alias, kind] of cases) assert.equal(parsed(`ns/${alias}/x`), `workload ns ${kind} x`, alias);
  });

  test('the text is trimmed; "*" alone is everything', () => {
    const r = parseRef('  shop/web \t');
    assert.ok(r.ok);
    assert.equal(r.value.text, 'shop/web');
    assert.equal(parsed(' * '), 'all *');
    assert.equal(parsed('   '), parsed(''));
  });

  test('names and namespaces: DNS labels, names may hold dots', () => {
    assert.equal(parsed('a/b'), 'workload a - b');
    assert.equal(parsed('a-1/web.v2-x'), 'workload a-1 - web.v2-x');
    assert.equal(parsed('shop/deploy/b.c'), 'workload shop Deployment b.c');
    for (const bad of ['shop/Web', 'shop/-web', 'shop/web-', 'shop/we_b', 'shop/.web', 'shop/web.']) {
      const name = bad.split('/')[1]!;
      assert.equal(
        parsed(bad),
        `error invalid-reference: invalid name "${name}" in "${bad}": use namespace/workload, namespace/Kind/name, namespace/*, *, a label selector (app=db), an IP or a CIDR`,
      );
    }
    assert.equal(
      parsed('shop/deploy/Web'),
      'error invalid-reference: invalid name "Web" in "shop/deploy/Web": use namespace/workload, namespace/Kind/name, namespace/*, *, a label selector (app=db), an IP or a CIDR',
    );
    assert.match(parsed('shop/deploy/-w'), /^error invalid-reference: invalid name "-w"/);
    for (const bad of ['-shop/web', 'shop-/web', 'sh.op/web', 'sh_op/web', '/web']) {
      assert.equal(
        parsed(bad),
        `error invalid-reference: invalid reference "${bad}": use namespace/workload, namespace/Kind/name, namespace/*, *, a label selector (app=db), an IP or a CIDR`,
        bad,
      );
    }
  });

  test('an unknown kind: the kinds listed, the closest one suggested when there is one', () => {
    assert.equal(suggestion('shop/Deploymnet/web'), 'shop/Deployment/web');
    assert.equal(suggestion('shop/statefulst/db'), 'shop/StatefulSet/db');
    const r = parseRef('shop/zzzzzzzz/web');
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'unknown-kind');
    assert.equal(
      r.error.message,
      'unknown workload kind "zzzzzzzz" in "shop/zzzzzzzz/web" (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, Pod)',
    );
    assert.equal(r.error.suggestion, undefined);
  });

  test('a bare name needs a namespace', () => {
    assert.equal(parsed('web'), 'error missing-namespace: "web" needs a namespace: write namespace/web');
    // Text that starts like an IP is still a name when the whole is not one.
    assert.equal(
      parsed('10.0.0.1a'),
      'error missing-namespace: "10.0.0.1a" needs a namespace: write namespace/10.0.0.1a',
    );
  });

  test('addresses: lists, except in any case and spacing, IPv6', () => {
    assert.equal(parsed('10.0.0.0/8'), 'cidr 10.0.0.0/8');
    assert.equal(parsed('10.0.0.0/8,192.168.0.0/16'), 'cidr 10.0.0.0/8 + 192.168.0.0/16');
    assert.equal(
      parsed('10.0.0.0/8 ,  fd00::/8   EXCEPT\t10.1.0.0/16 , 10.2.0.0/16'),
      'cidr 10.0.0.0/8 + fd00::/8 - 10.1.0.0/16 - 10.2.0.0/16',
    );
    assert.equal(parsed('10.0.0.0/8 Except 10.1.0.0/16'), 'cidr 10.0.0.0/8 - 10.1.0.0/16');
    const r = parseRef('10.0.0.0/8');
    assert.ok(r.ok && r.value.kind === 'cidr');
    assert.deepEqual(r.value.also, []);
    assert.deepEqual(r.value.except, []);
  });

  test('address errors: except twice, a missing mask (with the mask suggested), a bad prefix', () => {
    assert.equal(
      parsed('10.0.0.0/8 except 10.1.0.0/16 except 10.1.1.0/24'),
      'error invalid-reference: invalid address range "10.0.0.0/8 except 10.1.0.0/16 except 10.1.1.0/24": "except" appears twice',
    );
    assert.equal(
      parsed('10.0.0.0/8, 10.1.0.0'),
      'error invalid-reference: CIDR mask is missing in "10.1.0.0" (in "10.0.0.0/8, 10.1.0.0"); did you mean "10.1.0.0/32"?',
    );
    assert.equal(suggestion('fd00::/8 except fd00::1'), 'fd00::1/128');
    assert.equal(suggestion('10.0.0.0/8 except 10.0.0.1'), '10.0.0.1/32');
    assert.equal(
      parsed('10.0.0.0/8 except 10.1.0.0/40'),
      'error invalid-reference: invalid CIDR "10.1.0.0/40" in "10.0.0.0/8 except 10.1.0.0/40": an address, "/" and a prefix length from 0 to 32',
    );
    assert.equal(
      parsed('fd00::/129'),
      'error invalid-reference: invalid CIDR "fd00::/129": an address, "/" and a prefix length from 0 to 128',
    );
    assert.equal(
      parsed('10.0.0.0/8, x'),
      'error invalid-reference: invalid CIDR "x" in "10.0.0.0/8, x": an address, "/" and a prefix length from 0 to 32',
    );
  });

  test('selectors: namespace, "*" or none before the first operator; a dotted head is a key prefix', () => {
    assert.equal(parsed('shop/app=web'), 'selector shop [app=web] {"matchLabels":{"app":"web"}}');
    assert.equal(parsed('*/app=web'), 'selector * [app=web] {"matchLabels":{"app":"web"}}');
    assert.equal(parsed('app=web'), 'selector * [app=web] {"matchLabels":{"app":"web"}}');
    assert.equal(
      parsed('example.com/team=x'),
      'selector * [example.com/team=x] {"matchLabels":{"example.com/team":"x"}}',
    );
    assert.equal(parsed('*/team/x=y'), 'selector * [team/x=y] {"matchLabels":{"team/x":"y"}}');
    assert.equal(
      parsed('shop/example.com/team=x'),
      'selector shop [example.com/team=x] {"matchLabels":{"example.com/team":"x"}}',
    );
    // A slash after the first operator is in the value, not a namespace: here an invalid value.
    assert.equal(
      parsed('app=a/b'),
      'error invalid-reference: invalid label selector "app=a/b": invalid label value "a/b"',
    );
    assert.equal(
      parsed('app in (x/y)'),
      'error invalid-reference: invalid label selector "app in (x/y)": invalid label value "x/y"',
    );
    assert.equal(
      parsed('!x/app'),
      'selector * [!x/app] {"matchExpressions":[{"key":"x/app","operator":"DoesNotExist"}]}',
    );
    assert.equal(
      parsed('Shop/app=web'),
      'error invalid-reference: invalid namespace "Shop" in "Shop/app=web"',
    );
    assert.equal(
      parsed('sh_op/app=web'),
      'error invalid-reference: invalid namespace "sh_op" in "sh_op/app=web"',
    );
  });
});

describe('parseLabelSelector: kubectl -l, term by term', () => {
  const ok: [string, object][] = [
    ['app=web', { matchLabels: { app: 'web' } }],
    ['app==web', { matchLabels: { app: 'web' } }],
    ['app = web', { matchLabels: { app: 'web' } }],
    ['app=', { matchLabels: { app: '' } }],
    ['app=web,app=web', { matchLabels: { app: 'web' } }],
    [
      'app=web,app=db',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] },
    ],
    ['app!=web', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }],
    ['!canary', { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }],
    ['! canary', { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }],
    ['canary', { matchExpressions: [{ key: 'canary', operator: 'Exists' }] }],
    ['app.kubernetes.io/name', { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'Exists' }] }],
    ['app in (a, b ,c)', { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b', 'c'] }] }],
    ['app in(a)', { matchExpressions: [{ key: 'app', operator: 'In', values: ['a'] }] }],
    ['app notin (a,,b)', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a', 'b'] }] }],
    [
      ' tier in (x,y) , app=web , !v ',
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['x', 'y'] },
          { key: 'v', operator: 'DoesNotExist' },
        ],
      },
    ],
    ['A_b.c-D=X_y.Z-1', { matchLabels: { 'A_b.c-D': 'X_y.Z-1' } }],
    ['a=b', { matchLabels: { a: 'b' } }],
  ];
  for (const [text, want] of ok) test(text, () => assert.deepEqual(parseLabelSelector(text), want));

  const bad: [string, string][] = [
    ['app=web,', 'empty term (a stray comma?)'],
    [',app=web', 'empty term (a stray comma?)'],
    ['!-x', 'invalid label key "-x"'],
    ['-x=1', 'invalid label key "-x"'],
    ['x-=1', 'invalid label key "x-"'],
    ['Foo.com/x=1', 'invalid label key "Foo.com/x"'],
    ['app=-web', 'invalid label value "-web"'],
    ['app=web-', 'invalid label value "web-"'],
    [
      'app=w b',
      'cannot read "app=w b" (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)',
    ],
    ['app in (a,-b)', 'invalid label value "-b"'],
    ['app in (a, b_)', 'invalid label value "b_"'],
    ['-app in (a)', 'invalid label key "-app"'],
    ['app in ()', '"app in ()" needs at least one value'],
    ['app notin ( , )', '"app notin ()" needs at least one value'],
    [
      'app in a',
      'cannot read "app in a" (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)',
    ],
    [
      'app in (a)x',
      'cannot read "app in (a)x" (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)',
    ],
    [
      'x app in (a)',
      'cannot read "x app in (a)" (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)',
    ],
    [
      '!a b',
      'cannot read "!a b" (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)',
    ],
    ['-x', 'cannot read "-x" (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)'],
    ['a=b=c', 'invalid label value "b=c"'],
  ];
  for (const [text, want] of bad)
    test(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseLabelSelector(text), want));

  test('commas inside parentheses do not split terms', () => {
    assert.deepEqual(parseLabelSelector('a in (x,y),b notin (z,w)'), {
      matchExpressions: [
        { key: 'a', operator: 'In', values: ['x', 'y'] },
        { key: 'b', operator: 'NotIn', values: ['z', 'w'] },
      ],
    });
  });

  test('an empty selector text is one empty term', () => {
    assert.equal(parseLabelSelector(''), 'empty term (a stray comma?)');
  });
});

// prod: web (Deployment, two pods in two classes), db (StatefulSet), a bare pod `tool`; dev: api (Deployment);
// the namespace `empty` has no workload. The Deployment `prod/web` and the Job `prod/web` share a name.
function sample(): ClusterState {
  const base = cluster({
    namespaces: [ns('prod', { team: 'a' }), ns('dev', { team: 'b' }), ns('empty')],
    pods: [
      pod('prod', 'web-1', { app: 'web' }, { ips: ['10.0.1.1'] }),
      pod('prod', 'web-2', { app: 'web', canary: 'yes' }, { ips: ['10.0.1.2'] }),
      pod('prod', 'db-0', { app: 'db' }, { ips: ['10.0.1.3', 'fd00::3'] }),
      pod('prod', 'tool', { app: 'tool' }, { ips: ['::a00:105'] }),
      pod('dev', 'api-1', { app: 'api' }, { ips: ['10.0.2.1'] }),
    ],
    policies: [
      policy('prod', 'canary', { podSelector: { matchLabels: { canary: 'yes' } }, ingress: [] }),
      policy('prod', 'out', {
        podSelector: {},
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['192.168.0.0/16'] } }] }],
        policyTypes: ['Egress'],
      }),
    ],
  });
  const workload = (
    namespace: string,
    kind: WorkloadInfo['kind'],
    name: string,
    pods: string[],
    labels: Record<string, string>,
  ): WorkloadInfo => ({
    id: `${namespace}/${kind}/${name}`,
    namespace,
    kind,
    name,
    labels,
    pods,
    replicas: pods.length,
  });
  const workloads = [
    workload('prod', 'Deployment', 'web', ['web-1', 'web-2'], { app: 'web' }),
    workload('prod', 'Job', 'web', [], { app: 'web-job' }),
    workload('prod', 'StatefulSet', 'db', ['db-0'], { app: 'db' }),
    workload('prod', 'Pod', 'tool', ['tool'], { app: 'tool' }),
    workload('dev', 'Deployment', 'api', ['api-1'], { app: 'api' }),
  ];
  const owner: Record<string, string> = {
    'web-1': 'prod/Deployment/web',
    'web-2': 'prod/Deployment/web',
    'db-0': 'prod/StatefulSet/db',
    tool: 'prod/Pod/tool',
    'api-1': 'dev/Deployment/api',
  };
  return { ...base, pods: base.pods.map((p) => ({ ...p, workload: owner[p.name]! })), workloads };
}

function resolver(granularity: 'workload' | 'pod') {
  const index = buildRefIndex(compileCluster(sample()), granularity);
  return {
    index,
    resolve(text: string): string {
      const r = resolveRefText(index, text);
      if (!r.ok) return `error ${r.error.code}: ${r.error.message}`;
      return r.value.entities.map((e) => e.id).join(' ');
    },
  };
}

describe('buildRefIndex', () => {
  test('workloads sorted by id, then address classes; each workload’s pod classes, sorted, once each', () => {
    const { index } = resolver('workload');
    const ids = index.entities.map((e) => e.id);
    const inCluster = ids.filter((id) => !id.startsWith('external:'));
    assert.deepEqual(inCluster, [
      'dev/Deployment/api',
      'prod/Deployment/web',
      'prod/Job/web',
      'prod/Pod/tool',
      'prod/StatefulSet/db',
    ]);
    assert.ok(ids.slice(inCluster.length).every((id) => id.startsWith('external:')));
    assert.equal(ids.length - inCluster.length, index.compiled.addressSpace.classes.length);
    const c = index.compiled;
    const web = [c.classOfPod('prod', 'web-1')!, c.classOfPod('prod', 'web-2')!];
    assert.notEqual(web[0], web[1]);
    assert.deepEqual(
      index.ends('prod/Deployment/web'),
      [...web].sort((a, b) => a - b).map((pod) => ({ pod })),
    );
    assert.deepEqual(index.ends('prod/Job/web'), []);
    assert.deepEqual(index.ends('external:0'), [{ address: 0 }]);
    assert.deepEqual(index.ends('no/such/thing'), []);
    assert.equal(index.byId.get('prod/Pod/tool')?.kind, 'workload');
  });

  test('pods sorted by namespace/name at pod granularity, each with its workload', () => {
    const { index } = resolver('pod');
    const pods = index.entities.filter((e) => e.kind === 'pod');
    assert.deepEqual(
      pods.map((e) => e.id),
      ['dev/api-1', 'prod/db-0', 'prod/tool', 'prod/web-1', 'prod/web-2'],
    );
    const web2 = index.byId.get('prod/web-2');
    assert.ok(web2?.kind === 'pod');
    assert.equal(web2.workload?.id, 'prod/Deployment/web');
    assert.deepEqual(index.ends('prod/web-2'), [{ pod: index.compiled.classOfPod('prod', 'web-2')! }]);
    assert.equal(index.granularity, 'pod');
  });

  test('display names: namespace/name when unique, the full id when two kinds share it, addresses described', () => {
    const { index } = resolver('workload');
    assert.equal(index.displayName('prod/StatefulSet/db'), 'prod/db');
    assert.equal(index.displayName('prod/Deployment/web'), 'prod/Deployment/web');
    assert.equal(index.displayName('prod/Job/web'), 'prod/Job/web');
    assert.equal(index.displayName('external:0'), index.compiled.addressSpace.describe(0));
    assert.equal(index.displayName('not-an-entity'), 'not-an-entity');
    const pods = resolver('pod').index;
    assert.equal(pods.displayName('prod/web-1'), 'prod/web-1');
  });
});

describe('resolveRef', () => {
  test('everything, one namespace, and a namespace without workloads', () => {
    const w = resolver('workload');
    assert.equal(
      w.resolve('*'),
      'dev/Deployment/api prod/Deployment/web prod/Job/web prod/Pod/tool prod/StatefulSet/db',
    );
    assert.equal(w.resolve('dev/*'), 'dev/Deployment/api');
    assert.equal(w.resolve('empty/*'), 'error no-match: namespace "empty" has no workloads');
    assert.equal(
      w.resolve('emty/*'),
      'error unknown-namespace: no namespace "emty" in the input; did you mean "empty"?',
    );
    assert.equal(
      w.resolve('zzzzzz/*'),
      'error unknown-namespace: no namespace "zzzzzz" in the input (its namespaces: dev, empty, prod)',
    );
    const p = resolver('pod');
    assert.equal(p.resolve('empty/*'), 'error no-match: namespace "empty" has no pods');
    assert.equal(p.resolve('dev/*'), 'dev/api-1');
  });

  test('"*" on a cluster without workloads', () => {
    const state = cluster({ namespaces: [ns('a')] });
    for (const g of ['workload', 'pod'] as const) {
      const r = resolveRefText(buildRefIndex(compileCluster(state), g), '*');
      assert.ok(!r.ok);
      assert.equal(r.error.message, `"*" matches no ${g}: the input has none`);
      assert.equal(r.error.code, 'no-match');
    }
  });

  test('selectors: by labels of the workload (or pod), in one namespace or all', () => {
    const w = resolver('workload');
    assert.equal(w.resolve('app=web'), 'prod/Deployment/web');
    assert.equal(
      w.resolve('app,!nope'),
      'dev/Deployment/api prod/Deployment/web prod/Job/web prod/Pod/tool prod/StatefulSet/db',
    );
    assert.equal(w.resolve('prod/app in (api, db)'), 'prod/StatefulSet/db');
    assert.equal(w.resolve('dev/app=api'), 'dev/Deployment/api');
    assert.equal(
      w.resolve('dev/app=db'),
      'error no-match: label selector "app=db" matches no workload in namespace "dev"',
    );
    assert.equal(w.resolve('app=nope'), 'error no-match: label selector "app=nope" matches no workload');
    assert.equal(
      w.resolve('prd/app=web'),
      'error unknown-namespace: no namespace "prd" in the input; did you mean "prod"?',
    );
    const p = resolver('pod');
    assert.equal(p.resolve('canary=yes'), 'prod/web-2');
    assert.equal(p.resolve('prod/app=web'), 'prod/web-1 prod/web-2');
    assert.equal(p.resolve('app=nope'), 'error no-match: label selector "app=nope" matches no pod');
  });

  test('an IP: the pods that have it (and their workloads), of the same family only; else its address class', () => {
    const w = resolver('workload');
    assert.equal(w.resolve('10.0.1.2'), 'prod/Deployment/web');
    assert.equal(w.resolve('fd00::3'), 'prod/StatefulSet/db');
    const p = resolver('pod');
    assert.equal(p.resolve('10.0.1.2'), 'prod/web-2');
    // prod/tool has ::a00:105, whose value is that of 10.0.1.5: not the same address.
    const v4 = w.index.compiled.addressSpace.classOfIp('10.0.1.5')!;
    assert.equal(w.resolve('10.0.1.5'), `external:${v4}`);
    assert.equal(p.resolve('10.0.1.5'), `external:${v4}`);
    assert.equal(p.resolve('::a00:105'), 'prod/tool');
    const out = w.index.compiled.addressSpace.classOfIp('192.168.1.1')!;
    assert.equal(w.resolve('192.168.1.1'), `external:${out}`);
  });

  test('a CIDR: the address classes it overlaps, either way round, minus those its except ranges cover', () => {
    const w = resolver('workload');
    const space = w.index.compiled.addressSpace;
    const named = (text: string): string =>
      w
        .resolve(text)
        .split(' ')
        .map((id) => space.describe(Number(id.slice('external:'.length))))
        .join(' | ');
    // The classes: 0.0.0.0/0 except 192.168.0.0/16, 192.168.0.0/16, ::/0.
    assert.equal(named('0.0.0.0/0'), '0.0.0.0/0 except 192.168.0.0/16 | 192.168.0.0/16');
    assert.equal(named('192.168.1.0/24'), '192.168.0.0/16');
    assert.equal(named('8.8.8.8/32'), '0.0.0.0/0 except 192.168.0.0/16');
    assert.equal(named('0.0.0.0/0 except 192.168.0.0/16'), '0.0.0.0/0 except 192.168.0.0/16');
    assert.equal(named('192.168.0.0/16, fd00::/8'), '192.168.0.0/16 | ::/0');
    assert.equal(named('fd00::/8'), '::/0');
    assert.equal(
      w.resolve('192.168.0.0/24 except 192.168.0.0/16'),
      'error no-match: "192.168.0.0/24 except 192.168.0.0/16" leaves no address: its except ranges cover it',
    );
  });

  test('a workload at workload granularity: by name, by kind, two kinds of one name', () => {
    const w = resolver('workload');
    assert.equal(w.resolve('prod/db'), 'prod/StatefulSet/db');
    assert.equal(w.resolve('prod/job/web'), 'prod/Job/web');
    assert.equal(w.resolve('prod/deploy/web'), 'prod/Deployment/web');
    assert.equal(
      w.resolve('prod/web'),
      'error ambiguous-reference: "prod/web" names 2 workloads ("prod/Deployment/web", "prod/Job/web"): give the kind',
    );
    // A pod's name is no workload's name here.
    assert.equal(
      w.resolve('prod/web-1'),
      'error unknown-workload: no workload "prod/web-1" (list them with: netfence analyze)',
    );
    assert.equal(
      w.resolve('prod/deployment/wbe'),
      'error unknown-workload: no Deployment "prod/wbe"; did you mean "prod/Deployment/web"?',
    );
  });

  test('a workload at pod granularity: a pod by name, else the pods of the workloads of that name', () => {
    const p = resolver('pod');
    assert.equal(p.resolve('prod/web-1'), 'prod/web-1');
    assert.equal(p.resolve('prod/web'), 'prod/web-1 prod/web-2');
    assert.equal(p.resolve('prod/deploy/web'), 'prod/web-1 prod/web-2');
    assert.equal(p.resolve('prod/sts/db'), 'prod/db-0');
    // A kind given: the pod of that name is not looked for.
    assert.equal(
      p.resolve('prod/pod/web-1'),
      'error unknown-workload: no Pod "prod/web-1" (list them with: netfence analyze)',
    );
    // The Job has no pod: nothing to resolve to, and the Deployment of that name is suggested.
    assert.equal(
      p.resolve('prod/job/web'),
      'error unknown-workload: no Job "prod/web"; did you mean "prod/Deployment/web"?',
    );
    // Workload names are candidates for a suggestion at pod granularity.
    assert.equal(
      p.resolve('dev/apii'),
      'error unknown-workload: no pod or workload "dev/apii"; did you mean "dev/api"?',
    );
    assert.equal(
      p.resolve('dev/api-2'),
      'error unknown-workload: no pod or workload "dev/api-2"; did you mean "dev/api-1"?',
    );
  });

  test('not found with a kind: the workload of that name and another kind, else the closest of that kind', () => {
    const w = resolver('workload');
    assert.equal(
      w.resolve('prod/sts/web'),
      'error unknown-workload: no StatefulSet "prod/web"; did you mean "prod/Deployment/web"?',
    );
    assert.equal(
      w.resolve('prod/sts/dbb'),
      'error unknown-workload: no StatefulSet "prod/dbb"; did you mean "prod/StatefulSet/db"?',
    );
    assert.equal(
      w.resolve('prod/deploy/apii'),
      'error unknown-workload: no Deployment "prod/apii" (list them with: netfence analyze)',
    );
    assert.equal(
      w.resolve('dve/deploy/api'),
      'error unknown-workload: no Deployment "dve/api"; did you mean "dev/Deployment/api"?',
    );
    assert.equal(
      w.resolve('nowhere/ds/api'),
      'error unknown-namespace: no namespace "nowhere" in the input (its namespaces: dev, empty, prod)',
    );
    assert.equal(
      w.resolve('dev/rc/api'),
      'error unknown-workload: no ReplicationController "dev/api"; did you mean "dev/Deployment/api"?',
    );
  });

  test('not found without a kind: the closest reference, else the namespace, else a hint', () => {
    const w = resolver('workload');
    assert.equal(
      w.resolve('prod/dbb'),
      'error unknown-workload: no workload "prod/dbb"; did you mean "prod/db"?',
    );
    assert.equal(
      w.resolve('prod/toll'),
      'error unknown-workload: no workload "prod/toll"; did you mean "prod/tool"?',
    );
    assert.equal(
      w.resolve('nowhere/xyz'),
      'error unknown-namespace: no namespace "nowhere" in the input (its namespaces: dev, empty, prod)',
    );
    assert.equal(
      w.resolve('prod/nothing-like-it'),
      'error unknown-workload: no workload "prod/nothing-like-it" (list them with: netfence analyze)',
    );
    const r = resolveRefText(w.index, 'prod/dbb');
    assert.ok(!r.ok);
    assert.equal(r.error.suggestion, 'prod/db');
  });

  test('a bare name: the workload of that name, or the closest, with its namespace', () => {
    const w = resolver('workload');
    assert.equal(suggestion('api', w.index), 'dev/api');
    assert.equal(suggestion('apii', w.index), 'dev/api');
    const r = resolveRefText(w.index, ' zzzzzz ');
    assert.ok(!r.ok);
    assert.equal(r.error.message, '"zzzzzz" needs a namespace: write namespace/zzzzzz');
    assert.equal(r.error.suggestion, undefined);
    // The name is trimmed before it is compared.
    assert.equal(suggestion(' apii ', w.index), 'dev/api');
    // Other parse errors pass through unchanged, even when the text is close to a workload's name.
    const close = resolveRefText(w.index, 'api!');
    assert.ok(!close.ok);
    assert.equal(close.error.code, 'invalid-reference');
    assert.equal(close.error.suggestion, undefined);
    const bad = resolveRefText(w.index, 'prod/Web');
    assert.ok(!bad.ok);
    assert.equal(bad.error.code, 'invalid-reference');
    assert.equal(bad.error.suggestion, undefined);
  });

  test('resolveRef keeps the reference it was given', () => {
    const w = resolver('workload');
    const ref = parseRef('dev/*');
    assert.ok(ref.ok);
    const r = resolveRef(w.index, ref.value);
    assert.ok(r.ok);
    assert.equal(r.value.ref, ref.value);
  });
});
