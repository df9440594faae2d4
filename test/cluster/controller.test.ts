/**
 * `netfence controller` against a real kube-apiserver, as the ServiceAccount of deploy/controller/rbac.yaml
 * (its least-privilege RBAC): the default deny appears on a namespace's watch event, is repaired after a
 * delete and after an edit, excluded namespaces and someone else's policy stay untouched, Events are
 * recorded, PolicyReports are written (the wgpolicyk8s.io CRDs of scripts/policy-report-crd.sh), metrics
 * parse with a Prometheus text-format parser, a restart rewrites nothing, two replicas elect one leader and
 * the second takes over, and a restart of the API server mid-watch is survived.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, parseSettings } from '../../src/controller/config.ts';
import { crdFiles, installCrds } from '../support/crds.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { applyObjects, objectPath, readObjects, skip, startServer } from './setup.ts';
import {
  eventually,
  get,
  policyReportDir,
  scrape,
  serviceAccountKubeconfig,
  sleep,
  startController,
  valueOf,
  type Controller,
  DESIRED_SPEC,
} from '../controller/cluster.ts';

const POLICY = 'netfence-default-deny';
const NP = (ns: string): string => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`;
const REPORT = (ns: string): string =>
  `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${ns}/policyreports/netfence`;
const EVENTS = (ns: string): string => `/apis/events.k8s.io/v1/namespaces/${ns}/events`;

const reports = policyReportDir();
const fileSkip: string | false =
  skip !== false
    ? skip
    : typeof reports === 'string' || process.env.NETFENCE_REQUIRE_KUBE === '1'
      ? false
      : reports.skip;

let api: ApiServer | undefined;
let kubeconfig = '';
let tmp = '';
const started: Controller[] = [];

const SPEC = `tests:
  - name: web reaches the api
    from: team-a/web
    to: shop/api
    port: 8080/TCP
    expect: allow
  - name: nothing reaches the api from team-a on 22
    from: team-a/*
    to: shop/api
    port: 22/TCP
    expect: deny
`;

function ns(name: string, labels: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

let ip = 20;
function pod(namespace: string, name: string, labels: Record<string, string>): Record<string, unknown> {
  ip++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: `10.0.1.${ip}`, podIPs: [{ ip: `10.0.1.${ip}` }] },
  };
}

async function json(path: string): Promise<Record<string, unknown> | undefined> {
  const res = await api!.request('GET', path);
  if (res.status === 404) return undefined;
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.json as Record<string, unknown>;
}

interface Policy {
  metadata: { uid: string; resourceVersion: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

const policyOf = async (namespace: string): Promise<Policy | undefined> =>
  (await json(`${NP(namespace)}/${POLICY}`)) as Policy | undefined;

async function events(
  namespace: string,
): Promise<
  { reason: string; type: string; note: string; regarding: { name: string }; reportingController: string }[]
> {
  const list = (await json(EVENTS(namespace))) as { items: never[] };
  return list.items;
}

/** The reconciles a controller has finished: the count of its histogram. */
function reconciles(raw: Awaited<ReturnType<typeof scrape>>['raw']): number {
  const histogram = raw.find((f) => f.name === 'netfence_reconcile_duration_seconds');
  return Number(histogram?.metrics[0]?.count ?? 0);
}

async function createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  const res = await api!.request('POST', '/api/v1/namespaces', { body: ns(name, labels) });
  assert.equal(res.status, 201, res.text);
}

/**
 * The resync is a day, far beyond this file (the default, 5 minutes, is within reach of a loaded machine): a
 * write the tests wait for came from a watch event (or the relist after a watch error), never from a resync.
 * So the waits for it need no limit by the clock, which a loaded machine would meet (a slow one is only slower).
 */
const CONTROLLER_ARGS = [
  '--resync',
  '24h',
  '--audit-debounce',
  '200ms',
  '--exclude-namespace',
  'ignored',
  '--exclude-selector',
  'netfence.io/default-deny=off',
];

before(async () => {
  if (fileSkip !== false) return;
  api = await startServer({ extraRbacManifests: ['deploy/controller/rbac.yaml'] });
  if (api === undefined) return;
  if (typeof reports !== 'string') throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${reports.skip}`);
  await installCrds(api, crdFiles(reports));
  kubeconfig = await serviceAccountKubeconfig(api);
  tmp = mkdtempSync(join(tmpdir(), 'netfence-controller-'));
  writeFileSync(join(tmp, 'reachability.yaml'), SPEC);
  await applyObjects(api, [
    ns('team-a'),
    ns('shop'),
    ns('skip-me', { 'netfence.io/default-deny': 'off' }),
    ns('ignored'),
    ns('hand'),
    pod('team-a', 'web', { app: 'web' }),
    pod('shop', 'api', { app: 'api' }),
    pod('skip-me', 'open', { app: 'open' }),
    // Someone else's policy of the controller's name: left alone.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: POLICY, namespace: 'hand' },
      spec: { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] },
    },
  ]);
  started.push(
    await startController(kubeconfig, 'first', [
      ...CONTROLLER_ARGS,
      '--spec',
      join(tmp, 'reachability.yaml'),
    ]),
  );
});

after(async () => {
  for (const c of started) await c.stop('SIGKILL');
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('netfence controller on a real API server', { skip: fileSkip }, () => {
  test("deploy/controller's ConfigMap and Deployment pass a server-side dry run, and its settings parse", async () => {
    const objects = readObjects(['deploy/controller/deployment.yaml']);
    assert.deepEqual(
      objects.map((o) => o.kind),
      ['ConfigMap', 'Deployment'],
    );
    for (const o of objects) {
      const res = await api!.request('PATCH', `${objectPath(o)}?dryRun=All&fieldManager=test`, {
        body: JSON.stringify(o),
        contentType: 'application/apply-patch+yaml',
      });
      assert.ok(res.status === 200 || res.status === 201, `${String(o.kind)}: ${res.text}`);
    }
    const data = (objects[0] as { data: Record<string, string> }).data;
    const parsed = parseSettings(data['controller.yaml']!, defaultSettings('netfence'));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.deepEqual(parsed.settings.excludeNamespaces, [
      'kube-system',
      'netfence',
      'kube-node-lease',
      'kube-public',
    ]);
  });

  test('keeps the default deny in the namespaces that existed at start, with the DNS allowance', async () => {
    for (const namespace of ['team-a', 'shop', 'default']) {
      const policy = await eventually(`the default deny of ${namespace}`, () => policyOf(namespace));
      assert.deepEqual(policy.spec, DESIRED_SPEC);
      assert.equal(policy.metadata.labels?.['app.kubernetes.io/managed-by'], 'netfence');
    }
  });

  test('creates the default deny when a namespace appears (its watch event), and records an Event', async () => {
    await createNamespace('team-b');
    // The resync is a day (CONTROLLER_ARGS): the policy comes from the watch event.
    await eventually('the default deny of team-b', () => policyOf('team-b'));
    const event = await eventually('the Created event', async () =>
      (await events('team-b')).find((e) => e.reason === 'DefaultDenyCreated'),
    );
    assert.equal(event.type, 'Normal');
    assert.equal(event.regarding.name, POLICY);
    assert.equal(event.reportingController, 'netfence.io/controller');
  });

  test('repairs the default deny after it is deleted', async () => {
    const before = await eventually('the default deny of team-a', () => policyOf('team-a'));
    const res = await api!.request('DELETE', `${NP('team-a')}/${POLICY}`);
    assert.equal(res.status, 200, res.text);
    const again = await eventually('the default deny of team-a again', async () => {
      const p = await policyOf('team-a');
      return p !== undefined && p.metadata.uid !== before.metadata.uid ? p : undefined;
    });
    assert.deepEqual(again.spec, DESIRED_SPEC);
    await eventually('the Repaired event', async () =>
      (await events('team-a')).find((e) => e.reason === 'DefaultDenyRepaired' && /deleted/.test(e.note)),
    );
  });

  test('repairs the default deny after an edit that opens it', async () => {
    const live = await eventually('the default deny of shop', () => policyOf('shop'));
    const edited = { ...live, spec: { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] } };
    const res = await api!.request('PUT', `${NP('shop')}/${POLICY}`, { body: edited });
    assert.equal(res.status, 200, res.text);
    const editedVersion = (res.json as Policy).metadata.resourceVersion;
    const repaired = await eventually('the repair of shop', async () => {
      const p = await policyOf('shop');
      return p !== undefined && p.metadata.resourceVersion !== editedVersion ? p : undefined;
    });
    assert.deepEqual(repaired.spec, DESIRED_SPEC);
    assert.equal(repaired.metadata.uid, live.metadata.uid, 'updated in place, not re-created');
    await eventually('the Repaired event', async () =>
      (await events('shop')).find((e) => e.reason === 'DefaultDenyRepaired' && /edited/.test(e.note)),
    );
  });

  test('leaves excluded namespaces and a policy it does not own untouched', async () => {
    // A namespace created now is handled after the ones before it: once it has its policy, they were seen.
    await createNamespace('team-c');
    await eventually('the default deny of team-c', () => policyOf('team-c'));
    for (const namespace of ['kube-system', 'netfence', 'ignored', 'skip-me'])
      assert.equal(await policyOf(namespace), undefined, `no default deny in ${namespace}`);
    const hand = await policyOf('hand');
    assert.deepEqual(hand?.spec, { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] });
    assert.equal(hand.metadata.labels, undefined);
    const warning = await eventually('the NotOwned warning', async () =>
      (await events('hand')).find((e) => e.reason === 'DefaultDenyNotOwned'),
    );
    assert.equal(warning.type, 'Warning');
  });

  test('removes its own default deny from a namespace that opts out by label', async () => {
    await createNamespace('opting-out');
    await eventually('the default deny of opting-out', () => policyOf('opting-out'));
    const res = await api!.request('PATCH', '/api/v1/namespaces/opting-out', {
      body: { metadata: { labels: { 'netfence.io/default-deny': 'off' } } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(res.status, 200, res.text);
    await eventually('the removal', async () =>
      (await policyOf('opting-out')) === undefined ? true : undefined,
    );
    const removed = await eventually('the Removed event', async () =>
      (await events('opting-out')).find((e) => e.reason === 'DefaultDenyRemoved'),
    );
    assert.match(removed.note, /excluded by the namespace selector/);
  });

  test('writes a PolicyReport per namespace with the assertions, and none in excluded namespaces', async () => {
    // Once the audit has seen the default deny of shop (it may run before the policies are written).
    const report = await eventually('the report of shop', async () => {
      const r = (await json(REPORT('shop'))) as
        | {
            results?: { policy: string; rule: string; result: string; message: string }[];
            summary: Record<string, number>;
            metadata: { labels: Record<string, string> };
          }
        | undefined;
      return r?.results?.some((x) => x.rule === 'web reaches the api' && x.result === 'fail') === true
        ? r
        : undefined;
    });
    assert.equal(report.metadata.labels['app.kubernetes.io/managed-by'], 'netfence');
    const byRule = new Map(report.results!.map((r) => [r.rule, r]));
    // The default deny cuts team-a/web from shop/api: the allow test fails, the deny test holds.
    assert.equal(byRule.get('web reaches the api')?.result, 'fail');
    assert.match(byRule.get('web reaches the api')!.message, /team-a\/web → shop\/api/);
    assert.equal(byRule.get('nothing reaches the api from team-a on 22')?.result, 'pass');
    assert.equal(report.summary.fail, report.results!.filter((r) => r.result === 'fail').length);
    assert.ok((await json(REPORT('team-a'))) !== undefined, 'team-a has its report');
    for (const namespace of ['skip-me', 'ignored', 'kube-system'])
      assert.equal(await json(REPORT(namespace)), undefined, `no report in ${namespace}`);
    // skip-me has an unprotected pod: it shows in the cluster-wide numbers, not in a report there.
    const cluster = await json('/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/netfence');
    assert.ok(cluster !== undefined, 'the ClusterPolicyReport is written');
  });

  test('serves metrics in the Prometheus text format, and health', async () => {
    const c = started[0]!;
    assert.equal((await get(`${c.url}/healthz`)).status, 200);
    assert.equal((await get(`${c.url}/readyz`)).status, 200);
    assert.equal((await get(`${c.url}/nothing`)).status, 404);
    const { families, raw } = await eventually('an audit with the violation', async () => {
      const m = await scrape(c.url);
      return valueOf(m.families, 'netfence_assertion_violations', { test: 'web reaches the api' }) === 1
        ? m
        : undefined;
    });
    assert.equal(valueOf(families, 'netfence_leader'), 1);
    // Its RBAC (deploy/controller/rbac.yaml) lets it write all it writes.
    assert.equal(families.get('netfence_write_errors_total'), undefined, c.stderr());
    assert.doesNotMatch(c.stderr(), /"msg":"(internal error|report not written|default deny not written)"/);
    assert.equal(valueOf(families, 'netfence_ready'), 1);
    assert.equal(
      valueOf(families, 'netfence_unprotected_workloads', { namespace: 'skip-me', direction: 'ingress' }),
      1,
    );
    assert.equal(
      valueOf(families, 'netfence_unprotected_workloads', { namespace: 'team-a', direction: 'ingress' }),
      undefined,
    );
    assert.equal(
      valueOf(families, 'netfence_assertion_violations', {
        test: 'nothing reaches the api from team-a on 22',
      }),
      0,
    );
    assert.ok(valueOf(families, 'netfence_default_deny_actions_total', { action: 'created' })! >= 4);
    assert.ok(valueOf(families, 'netfence_default_deny_actions_total', { action: 'repaired' })! >= 2);
    assert.equal(valueOf(families, 'netfence_default_deny_actions_total', { action: 'not-owned' }), 1);
    assert.equal(families.get('netfence_blast_radius')?.type, 'GAUGE');
    assert.ok(families.get('netfence_blast_radius')!.samples.length > 0);
    assert.ok(valueOf(families, 'netfence_audits_total')! >= 1);
    // Histograms: the parser keeps the buckets, sum and count of an unlabelled one (it merges labelled ones).
    const reconcile = raw.find((f) => f.name === 'netfence_reconcile_duration_seconds');
    assert.equal(reconcile?.type, 'HISTOGRAM');
    const h = reconcile.metrics[0]!;
    assert.ok(Number(h.count) >= 1);
    assert.equal(h.buckets?.['+Inf'], h.count);
    assert.equal(raw.find((f) => f.name === 'netfence_audit_duration_seconds')?.type, 'HISTOGRAM');
    assert.match(
      (await get(`${c.url}/metrics`)).text,
      /^netfence_audit_duration_seconds_count\{phase="total"\} [1-9]/m,
    );
  });

  test('a restart resumes without duplicates or rewrites', async () => {
    const namespaces = ['team-a', 'team-b', 'team-c', 'shop', 'default'];
    const versions = async (): Promise<string[]> =>
      Promise.all(
        namespaces.flatMap((n) => [
          policyOf(n).then((p) => `np ${n} ${p?.metadata.resourceVersion ?? 'none'}`),
          json(REPORT(n)).then(
            (r) =>
              `report ${n} ${(r?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion ?? 'none'}`,
          ),
        ]),
      );
    const countEvents = async (): Promise<number> => {
      let n = 0;
      for (const namespace of namespaces) n += (await events(namespace)).length;
      return n;
    };
    // Every namespace's policy and report written (team-c's report follows its creation by a debounce).
    await eventually('every report written', async () =>
      (await versions()).some((v) => v.endsWith(' none')) ? undefined : true,
    );
    const first = started[0]!;
    assert.equal(await first.stop('SIGTERM'), 0, 'exits cleanly on SIGTERM');
    assert.match(first.stderr(), /"msg":"stopped"/);
    const before = await versions();
    const eventsBefore = await countEvents();
    const second = await startController(kubeconfig, 'second', [
      ...CONTROLLER_ARGS,
      '--spec',
      join(tmp, 'reachability.yaml'),
    ]);
    started.push(second);
    try {
      // Its passes through, waited for by what they leave, not for a while: audits run one at a time, so once
      // a second one (asked for by an annotation of an excluded namespace, which changes no report) has begun,
      // the first has written all it would write; a reconcile is counted in its histogram once it ended.
      const audits = (): number => second.stderr().split('"msg":"audit"').length - 1;
      await eventually('an audit after the restart', () => (audits() >= 1 ? true : undefined));
      const poke = await api!.request('PATCH', '/api/v1/namespaces/ignored', {
        body: { metadata: { annotations: { 'netfence.test/poke': 'restart' } } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(poke.status, 200, poke.text);
      await eventually('a second audit after the restart', () => (audits() >= 2 ? true : undefined));
      await eventually('a reconcile after the restart', async () =>
        reconciles((await scrape(second.url)).raw) >= 1 ? true : undefined,
      );
      assert.deepEqual(await versions(), before);
      assert.equal(await countEvents(), eventsBefore);
      // Nothing written at all (an update with equal content would not change a resourceVersion).
      const { families } = await scrape(second.url);
      assert.equal(valueOf(families, 'netfence_policy_reports_written_total'), undefined);
      // Someone else's policy in `hand` is warned about again (an Event per start), nothing else.
      assert.deepEqual(
        families.get('netfence_default_deny_actions_total')?.samples.map((x) => x.labels.action),
        ['not-owned'],
      );
      const list = (await json('/apis/networking.k8s.io/v1/networkpolicies')) as {
        items: { metadata: { namespace: string; name: string } }[];
      };
      const ours = list.items
        .filter((p) => p.metadata.name === POLICY)
        .map((p) => p.metadata.namespace)
        .sort();
      assert.deepEqual(ours, [...new Set(ours)], 'one default deny per namespace');
    } finally {
      assert.equal(await second.stop('SIGTERM'), 0);
    }
  });

  test('two replicas elect one leader; the second takes over when the first stops', async () => {
    const election = (leaseDuration: string, renewDeadline: string): string[] => [
      '--leader-elect',
      '--lease-duration',
      leaseDuration,
      '--renew-deadline',
      renewDeadline,
      '--retry-period',
      '300ms',
    ];
    // replica-a's Lease lasts an hour by its record: replica-b takes it over only once a releases it, however
    // long a loaded machine keeps a from renewing it. b's and c's last 3 s, so that c takes over from a b killed
    // without releasing it.
    const a = await startController(kubeconfig, 'replica-a', [...CONTROLLER_ARGS, ...election('1h', '50m')]);
    started.push(a);
    await eventually('replica-a leads', async () =>
      valueOf((await scrape(a.url)).families, 'netfence_leader') === 1 ? true : undefined,
    );
    const b = await startController(kubeconfig, 'replica-b', [...CONTROLLER_ARGS, ...election('3s', '2s')]);
    started.push(b);
    // Time for a wrong takeover to show (a slower machine only gives it less).
    await sleep(1500);
    assert.equal(valueOf((await scrape(b.url)).families, 'netfence_leader'), 0, 'the second replica follows');
    assert.equal((await get(`${b.url}/readyz`)).status, 200, 'a follower is ready and serves');
    const lease = (await json(
      '/apis/coordination.k8s.io/v1/namespaces/netfence/leases/netfence-controller',
    )) as { spec: { holderIdentity: string } };
    assert.equal(lease.spec.holderIdentity, 'replica-a');
    // Only the leader writes: the follower repairs nothing, the leader does.
    await createNamespace('team-d');
    await eventually('the default deny of team-d', () => policyOf('team-d'));
    // The event is written after the policy: wait for it on a busy machine.
    const events = await eventually('the event of team-d', async () => {
      const list = (await json(EVENTS('team-d'))) as { items: { reportingInstance: string }[] };
      return list.items.length > 0 ? list : undefined;
    });
    assert.deepEqual([...new Set(events.items.map((e) => e.reportingInstance))], ['replica-a']);

    assert.equal(await a.stop('SIGTERM'), 0);
    const released = (await json(
      '/apis/coordination.k8s.io/v1/namespaces/netfence/leases/netfence-controller',
    )) as { spec: { holderIdentity?: string } };
    assert.ok(
      released.spec.holderIdentity === '' ||
        released.spec.holderIdentity === undefined ||
        released.spec.holderIdentity === 'replica-b',
      'released on SIGTERM',
    );
    // Released (asserted above), so the follower takes over at its next try rather than after the lease
    // duration; no wall-clock limit is put on it (the machine may be loaded).
    await eventually('replica-b leads', async () =>
      valueOf((await scrape(b.url)).families, 'netfence_leader') === 1 ? true : undefined,
    );
    await createNamespace('team-e');
    await eventually('the default deny of team-e', () => policyOf('team-e'));

    // A leader that dies without releasing: the next one waits for the lease to expire.
    const c = await startController(kubeconfig, 'replica-c', [...CONTROLLER_ARGS, ...election('3s', '2s')]);
    started.push(c);
    await b.stop('SIGKILL');
    await eventually('replica-c leads after the lease expired', async () =>
      valueOf((await scrape(c.url)).families, 'netfence_leader') === 1 ? true : undefined,
    );
    const taken = (await json(
      '/apis/coordination.k8s.io/v1/namespaces/netfence/leases/netfence-controller',
    )) as { spec: { holderIdentity: string; leaseTransitions: number } };
    assert.equal(taken.spec.holderIdentity, 'replica-c');
    assert.ok(taken.spec.leaseTransitions >= 2);
  });

  test('relists after the API server restarts mid-watch, and converges', async () => {
    const c = started.at(-1)!;
    await api!.restartApiServer();
    await createNamespace('team-f');
    const res = await api!.request('DELETE', `${NP('team-c')}/${POLICY}`);
    assert.equal(res.status, 200, res.text);
    // Without a resync (a day here): from the relist after the watch error, and the Lease taken again.
    await eventually('the default deny of team-f', () => policyOf('team-f'));
    await eventually('the default deny of team-c again', () => policyOf('team-c'));
    assert.match(c.stderr(), /"msg":"watch error"/);
    assert.equal((await get(`${c.url}/healthz`)).status, 200);
  });
});
