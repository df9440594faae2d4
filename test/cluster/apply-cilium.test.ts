/**
 * Deploying Cilium's policies (CiliumNetworkPolicy with `spec`, CiliumClusterwideNetworkPolicy with `specs`)
 * to a real kube-apiserver, as the deployer of deploy/rbac/netfence-deployer.yaml: first without Cilium's
 * CRDs (one line, nothing changed), then with them installed as envtest does: dry run, server-side apply
 * (a `status` the agent writes is never compared nor written), update with --diff, rollback, prune (scoped
 * to the kinds and namespaces of the files), and a failure half-way that reports exactly what changed.
 *
 * The tests of this file build on each other, in order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertGolden } from '../support/cli.ts';
import { installCrds } from '../support/crds.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import {
  applyObjects,
  ciliumCrdsFor,
  cli as runOn,
  getObject,
  objectCountQuota,
  stableOutput,
  startServer,
  waitForAccess,
  writeFolder,
} from './setup.ts';

const cilium = ciliumCrdsFor();
const skip = cilium.skip;

const DEPLOYER = 'netfence-deployer';
const CNP = (ns: string): string => `/apis/cilium.io/v2/namespaces/${ns}/ciliumnetworkpolicies`;
const CCNP = '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies';

let api: ApiServer | undefined;
let tmp = '';

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

/** As the deployer of deploy/rbac/netfence-deployer.yaml. */
function cli(args: readonly string[]): ReturnType<typeof runOn> {
  return runOn(server(), args, server().users[DEPLOYER]!.kubeconfig);
}

function stable(text: string): string {
  return stableOutput(server(), tmp, text);
}

function folder(name: string, files: Record<string, string>): string {
  return writeFolder(tmp, name, files);
}

/** A CiliumNetworkPolicy with `spec`: web accepts port `port` from the frontend. */
function cnpYaml(name: string, port: number, namespace = 'shop'): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: frontend
      toPorts:
        - ports:
            - port: "${port}"
              protocol: TCP
`;
}

/** A CiliumClusterwideNetworkPolicy with `specs` only: no pod reaches the world; DNS to the cluster. */
function ccnpYaml(name: string): string {
  return `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: ${name}
specs:
  - endpointSelector: {}
    egressDeny:
      - toEntities:
          - world
  - endpointSelector: {}
    egress:
      - toEntities:
          - cluster
`;
}

/** A running pod of shop with the label app=`app` and one IP. */
function livePod(name: string, app: string, ip: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app } },
    spec: { containers: [{ name: app, image: 'registry.example/app:1' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

async function names(path: string): Promise<string[]> {
  const res = await server().request('GET', path);
  assert.equal(res.status, 200, res.text);
  return (res.json as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
}

function portOf(o: Record<string, unknown> | undefined): unknown {
  const spec = o?.spec as { ingress?: { toPorts?: { ports?: { port?: string }[] }[] }[] } | undefined;
  return spec?.ingress?.[0]?.toPorts?.[0]?.ports?.[0]?.port;
}

function recordOf(state: string): {
  status: string;
  entries: { id: string; kind?: string; outcome: string }[];
} {
  const folderPath = join(state, 'rollback');
  const files = readdirSync(folderPath).sort();
  return JSON.parse(readFileSync(join(folderPath, files[files.length - 1]!), 'utf8')) as ReturnType<
    typeof recordOf
  >;
}

before(async () => {
  if (skip !== false) return;
  cilium.files();
  api = await startServer({
    extraRbacManifests: ['deploy/rbac/netfence-deployer.yaml'],
    users: [{ name: DEPLOYER }],
  });
  if (api === undefined) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-apply-cilium-'));
  await applyObjects(api, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quota' } },
    livePod('web', 'web', '10.244.0.10'),
    livePod('frontend', 'frontend', '10.244.0.11'),
    livePod('batch', 'batch', '10.244.0.12'),
  ]);
  await waitForAccess(api, DEPLOYER, '/api/v1/namespaces');
});

after(async () => {
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('a cluster without the Cilium CRDs', { skip }, () => {
  test('one line naming the kinds; nothing is changed, and no record is left', async () => {
    const d = folder('no-crd', { 'cnp.yaml': cnpYaml('web', 8080), 'ccnp.yaml': ccnpYaml('egress') });
    const state = join(tmp, 'state-no-crd');
    const r = await cli(['apply', d, '--cluster', '--state-dir', state]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'netfence: this cluster does not serve CiliumClusterwideNetworkPolicy (cilium.io/v2) or CiliumNetworkPolicy (cilium.io/v2): install Cilium (its CRDs) or leave these out; nothing was changed\n',
    );
    assert.throws(() => readdirSync(join(state, 'rollback')), /ENOENT/);
  });
});

describe('with the Cilium CRDs', { skip }, () => {
  const state = (): string => join(tmp, 'state');
  let v1 = '';

  before(async () => {
    if (api === undefined) return;
    await installCrds(server(), cilium.files());
    v1 = folder('v1', { 'cnp.yaml': cnpYaml('web', 8080), 'ccnp.yaml': ccnpYaml('egress') });
  });

  test('--dry-run: the plan names both kinds, and the connectivity they change; nothing is stored', async () => {
    const r = await cli(['apply', v1, '--cluster', '--dry-run', '--state-dir', state()]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('cluster/apply-cilium-dry-run.txt', stable(r.stdout));
    assert.match(
      r.stdout,
      /2 policies \(1 CiliumNetworkPolicy, 1 CiliumClusterwideNetworkPolicy\), 2 to create/,
    );
    assert.match(r.stdout, /create {2}CiliumNetworkPolicy\/shop\/web +allow\n/);
    assert.match(r.stdout, /create {2}CiliumClusterwideNetworkPolicy\/egress {2}deny\n/);
    // web accepts frontend only (on 8080): batch and the outside lose web; no pod reaches the world.
    assert.match(
      r.stdout,
      /Connectivity: \+0 connections, −\d+, \d+ changed .*; Cilium policies: 2 added \(--diff shows them\)/,
    );
    const diff = await cli(['apply', v1, '--cluster', '--dry-run', '--diff', '--state-dir', state()]);
    assert.equal(diff.code, 0, diff.stderr);
    assertGolden('cluster/apply-cilium-dry-run-diff.txt', stable(diff.stdout));
    assert.doesNotMatch(r.stderr, /left out/);
    assert.deepEqual(await names(CNP('shop')), []);
    assert.deepEqual(await names(CCNP), []);
  });

  test('apply: server-side applied by netfence with the managed-by label; a status is no change', async () => {
    const r = await cli(['apply', v1, '--cluster', '--state-dir', state()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, / created +CiliumNetworkPolicy\/shop\/web\n/);
    assert.match(r.stdout, / created +CiliumClusterwideNetworkPolicy\/egress\n/);
    assert.match(r.stdout, /Applied: 2 created\./);
    for (const path of [`${CNP('shop')}/web`, `${CCNP}/egress`]) {
      const meta = (await getObject(server(), path))?.metadata as {
        labels?: Record<string, string>;
        managedFields?: { manager: string }[];
      };
      assert.equal(meta.labels?.['app.kubernetes.io/managed-by'], 'netfence');
      assert.deepEqual(
        meta.managedFields?.map((f) => f.manager),
        ['netfence'],
      );
    }
    const ccnp = await getObject(server(), `${CCNP}/egress`);
    assert.equal(ccnp?.spec, undefined, 'specs only, as written');
    assert.equal((ccnp?.specs as unknown[]).length, 2);
    assert.equal(portOf(await getObject(server(), `${CNP('shop')}/web`)), '8080');

    // The agent writes a status: it is neither compared nor written back.
    const status = await server().request('PATCH', `${CNP('shop')}/web/status`, {
      body: {
        status: { conditions: [{ type: 'Valid', status: 'True', message: 'Policy validation succeeded' }] },
      },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(status.status, 200, status.text);
    const again = await cli(['apply', v1, '--cluster', '--state-dir', state()]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /Nothing to apply: 2 policies \(1 CiliumNetworkPolicy, 1 CiliumClusterwideNetworkPolicy\) already as in the files\./,
    );
  });

  test("update with --diff: the YAML diff of the spec; the status stays the agent's", async () => {
    const v2 = folder('v2', { 'cnp.yaml': cnpYaml('web', 9090), 'ccnp.yaml': ccnpYaml('egress') });
    const r = await cli(['apply', v2, '--cluster', '--diff', '--state-dir', state()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /update {2}CiliumNetworkPolicy\/shop\/web {2}allow\n/);
    assert.match(r.stdout, /\n- {12}- port: "8080"\n\+ {12}- port: "9090"\n/);
    assert.doesNotMatch(r.stdout, /status|Valid/);
    assert.match(r.stdout, / updated +CiliumNetworkPolicy\/shop\/web\n/);
    const live = await getObject(server(), `${CNP('shop')}/web`);
    assert.equal(portOf(live), '9090');
    assert.deepEqual(
      (live?.status as { conditions?: { type: string }[] } | undefined)?.conditions?.map((c) => c.type),
      ['Valid'],
      'the status stays',
    );
  });

  test('rollback restores the previous version, then the next rollback deletes what the first apply created', async () => {
    const dry = await cli(['rollback', '--cluster', '--dry-run', '--state-dir', state()]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, / would restore +CiliumNetworkPolicy\/shop\/web\n/);
    assert.equal(
      portOf(await getObject(server(), `${CNP('shop')}/web`)),
      '9090',
      'a dry run changes nothing',
    );

    const r = await cli(['rollback', '--cluster', '--state-dir', state(), '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      steps: { id: string; kind: string; namespace: string; step: string; outcome: string }[];
    };
    assert.deepEqual(
      json.steps.map((s) => [s.id, s.kind, s.namespace, s.step, s.outcome]),
      [['CiliumNetworkPolicy/shop/web', 'CiliumNetworkPolicy', 'shop', 'replace', 'restored']],
    );
    assert.equal(portOf(await getObject(server(), `${CNP('shop')}/web`)), '8080');

    const first = await cli(['rollback', '--cluster', '--state-dir', state()]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, / deleted +CiliumNetworkPolicy\/shop\/web\n/);
    assert.match(first.stdout, / deleted +CiliumClusterwideNetworkPolicy\/egress\n/);
    assert.deepEqual(await names(CNP('shop')), []);
    assert.deepEqual(await names(CCNP), []);
  });

  test('--prune deletes managed Cilium policies of the kinds and namespaces of the files, and no other', async () => {
    const all = folder('all', {
      'a.yaml': cnpYaml('a', 80),
      'b.yaml': cnpYaml('b', 81),
      'o.yaml': cnpYaml('o', 82, 'other'),
      'x.yaml': ccnpYaml('x'),
      'y.yaml': ccnpYaml('y'),
    });
    assert.equal((await cli(['apply', all, '--cluster', '--state-dir', state()])).code, 0);
    // One not managed by netfence: never pruned.
    const res = await server().request('POST', CNP('shop'), {
      body: {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'someone-elses', namespace: 'shop' },
        spec: { endpointSelector: {}, ingress: [{}] },
      },
    });
    assert.equal(res.status, 201, res.text);

    // CiliumNetworkPolicies of shop only: no CiliumClusterwideNetworkPolicy, nothing in "other".
    const shop = folder('shop-only', { 'a.yaml': cnpYaml('a', 80) });
    const r = await cli(['apply', shop, '--cluster', '--prune', '--state-dir', state(), '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      changes: { id: string; kind: string; namespace: string; action: string; outcome: string }[];
    };
    assert.deepEqual(
      json.changes.map((c) => [c.id, c.kind, c.namespace, c.action, c.outcome]),
      [
        ['CiliumNetworkPolicy/shop/a', 'CiliumNetworkPolicy', 'shop', 'unchanged', 'unchanged'],
        ['CiliumNetworkPolicy/shop/b', 'CiliumNetworkPolicy', 'shop', 'delete', 'applied'],
      ],
    );
    assert.deepEqual(await names(CNP('shop')), ['a', 'someone-elses']);
    assert.deepEqual(await names(CNP('other')), ['o']);
    assert.deepEqual(await names(CCNP), ['x', 'y']);

    // Clusterwide ones only, with --prune: the CiliumNetworkPolicies are not theirs to prune.
    const x = folder('x-only', { 'x.yaml': ccnpYaml('x') });
    const r2 = await cli(['apply', x, '--cluster', '--prune', '--state-dir', state()]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, / deleted +CiliumClusterwideNetworkPolicy\/y\n/);
    assert.deepEqual(await names(CCNP), ['x']);
    assert.deepEqual(await names(CNP('shop')), ['a', 'someone-elses']);

    // Rolled back: the pruned ones are re-created as they were.
    for (const [pruned, path] of [
      ['CiliumClusterwideNetworkPolicy/y', `${CCNP}/y`],
      ['CiliumNetworkPolicy/shop/b', `${CNP('shop')}/b`],
    ] as const) {
      const back = await cli(['rollback', '--cluster', '--state-dir', state()]);
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, new RegExp(` re-created +${pruned}\\n`));
      assert.ok(await getObject(server(), path));
    }
    assert.equal(portOf(await getObject(server(), `${CNP('shop')}/b`)), '81');
  });

  test('a failure half-way: each object says applied, failed (and why) or not attempted; rollback undoes the applied', async () => {
    // A quota of one CiliumNetworkPolicy: each passes the dry run alone, the second write exceeds it.
    await objectCountQuota(server(), 'quota', { 'count/ciliumnetworkpolicies.cilium.io': '1' });
    const d = folder('quota', {
      'a.yaml': cnpYaml('a', 80, 'quota'),
      'b.yaml': cnpYaml('b', 81, 'quota'),
      'c.yaml': cnpYaml('c', 82, 'quota'),
      'quota.yaml': ccnpYaml('quota-c'),
    });
    const s = join(tmp, 'state-quota');
    const r = await cli(['apply', d, '--cluster', '--state-dir', s]);
    assert.equal(r.code, 2);
    assertGolden('cluster/apply-cilium-partial.txt', stable(r.stdout));
    assert.match(
      r.stderr,
      /^netfence: cannot apply CiliumNetworkPolicy quota\/b: exceeded quota: policies, requested: count\/ciliumnetworkpolicies\.cilium\.io=1/,
    );
    assert.deepEqual(await names(CNP('quota')), ['a']);
    assert.deepEqual(await names(CCNP), ['quota-c', 'x', 'y']);
    const record = recordOf(s);
    assert.equal(record.status, 'partial');
    assert.deepEqual(
      record.entries.map((e) => [e.id, e.kind, e.outcome]),
      [
        ['CiliumClusterwideNetworkPolicy/quota-c', 'CiliumClusterwideNetworkPolicy', 'applied'],
        ['CiliumNetworkPolicy/quota/a', 'CiliumNetworkPolicy', 'applied'],
        ['CiliumNetworkPolicy/quota/b', 'CiliumNetworkPolicy', 'failed'],
        ['CiliumNetworkPolicy/quota/c', 'CiliumNetworkPolicy', 'not-attempted'],
      ],
    );
    const back = await cli(['rollback', '--cluster', '--state-dir', s]);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(await names(CNP('quota')), []);
    assert.deepEqual(await names(CCNP), ['x', 'y']);
  });

  test('drift reports missing, extra and changed Cilium policies, and the connectivity that differs', async () => {
    // Live now: CiliumNetworkPolicies shop/a (port 80), shop/b, shop/someone-elses, other/o; clusterwide x, y.
    const desired = folder('drift', {
      'a.yaml': cnpYaml('a', 99),
      'new.yaml': cnpYaml('new', 443),
      'x.yaml': ccnpYaml('x'),
    });
    const r = await cli(['drift', desired, '--cluster', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      summary: Record<string, number>;
      policies: { drift: string; id: string; namespace: string; fields: string[] }[];
    };
    assert.deepEqual(
      json.policies.map((p) => [p.drift, p.id, p.namespace, p.fields.join(' ')]),
      [
        ['extra', 'CiliumClusterwideNetworkPolicy/y', '', ''],
        ['changed', 'CiliumNetworkPolicy/shop/a', 'shop', 'spec.ingress[0].toPorts[0].ports[0].port'],
        ['extra', 'CiliumNetworkPolicy/shop/b', 'shop', ''],
        ['missing', 'CiliumNetworkPolicy/shop/new', 'shop', ''],
        ['extra', 'CiliumNetworkPolicy/shop/someone-elses', 'shop', ''],
      ],
    );
    assert.equal(json.summary.inSync, 1, 'CiliumClusterwideNetworkPolicy/x');
    // Markdown: no column padding that the temp folder's length would change.
    const text = await cli(['drift', desired, '--cluster', '--fail-on', 'missing', '-o', 'md']);
    assert.equal(text.code, 1);
    assertGolden('cluster/drift-cilium.md', stable(text.stdout));
    assert.equal(text.stderr, 'netfence: drift: 1 policy missing (--fail-on missing)\n');
  });

  test("a live policy's fields the impact leaves out are warned about, as --cluster warns", async () => {
    const groups = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'groups', namespace: 'other' },
      spec: {
        endpointSelector: {},
        ingress: [{ fromGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }] }],
      },
    };
    const made = await server().request('POST', CNP('other'), { body: groups });
    assert.equal(made.status, 201, made.text);
    try {
      const r = await cli(['apply', v1, '--cluster', '--dry-run', '--state-dir', state()]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /cluster:other\/CiliumNetworkPolicy\/groups.*spec\.ingress\[0\]\.fromGroups.*fromGroups selects addresses of cloud security groups/,
      );
    } finally {
      const gone = await server().request('DELETE', `${CNP('other')}/groups`);
      assert.equal(gone.status, 200, gone.text);
    }
  });
});
