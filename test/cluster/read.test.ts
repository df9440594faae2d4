/**
 * Reading a live cluster (a real kube-apiserver; no mocks): what netfence reads there equals what it reads
 * from the same objects in files, a snapshot round-trips, the read-only RBAC suffices for every read
 * command, and failures are one clear line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { run } from '../../src/cli/main.ts';
import { connect, readCluster } from '../../src/k8s/index.ts';
import { runCli } from '../support/cli.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { applyObjects, cli, readObjects, skip, startServer } from './setup.ts';

const FIXTURES = 'test/cluster/fixtures';
/** The same objects as files: the example, the live pods, and the namespaces every API server has. */
const FILES = ['examples/webshop', `${FIXTURES}/pods.yaml`, `${FIXTURES}/system-namespaces.yaml`];

let api: ApiServer | undefined;
let tmp = '';

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

before(async () => {
  api = await startServer({ users: [{ name: 'nobody' }] });
  if (api === undefined) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-read-'));
  await applyObjects(api, readObjects(['examples/webshop', `${FIXTURES}/pods.yaml`]));
});

after(async () => {
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

/** Nulls every `file` and `line` of a JSON value: where an object was written, which a cluster has not. */
function withoutLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocations);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === 'file' || k === 'line' ? null : withoutLocations(v)]),
  );
}

/**
 * Output of the same command on the cluster and on files, made comparable: JSON parsed (label maps come
 * sorted from the API server, in file order from files), and the places in files (`(data.yaml:24)`, the
 * input list of a generated header) taken out. Nothing else may differ.
 */
function comparable(stdout: string): unknown {
  if (/^[[{]/.test(stdout)) {
    const json = withoutLocations(JSON.parse(stdout)) as { findings?: { column: unknown }[] };
    // Lint findings are ordered by file and line, which a cluster has not: compare them as a set.
    if (Array.isArray(json.findings))
      json.findings = json.findings.map((f) => JSON.stringify({ ...f, column: null })).sort() as never;
    return json;
  }
  return stdout
    .replaceAll(/ \((?:examples|test)\/[^()\s]+:\d+\)/g, '')
    .replace(/^(# Reachability spec written by netfence test --init from ).*?(: today's)/, '$1…$2');
}

// When the binaries are missing (and not required), this is the one test the summary counts as skipped,
// with the reason; the suites below are skipped with it.
test('the cluster tests run against a real kube-apiserver', { skip }, async () => {
  const version = await server().request('GET', '/version');
  assert.equal(version.status, 200, version.text);
  assert.match((version.json as { gitVersion: string }).gitVersion, /^v1\.\d+\.\d+/);
});

describe('analyze --cluster', { skip }, () => {
  for (const args of [[], ['-o', 'json'], ['--granularity', 'pod'], ['--granularity', 'pod', '-o', 'json']]) {
    test(`equals analyze of the same objects from files (${args.join(' ') || 'txt'})`, async () => {
      const live = await cli(server(), ['analyze', '--cluster', '-A', ...args]);
      const files = await runCli(['analyze', ...FILES, ...args]);
      assert.equal(live.code, 0, live.stderr);
      assert.equal(files.code, 0, files.stderr);
      if (args.includes('json')) assert.deepEqual(JSON.parse(live.stdout), JSON.parse(files.stdout));
      else assert.equal(live.stdout, files.stdout);
    });
  }

  test('reports what the parse layer reports, without lines: the terminated pod left out', async () => {
    const live = await cli(server(), ['analyze', '--cluster', '-A']);
    assert.equal(
      live.stderr,
      'warning: left out 1 terminated pod (phase Succeeded or Failed: no network presence, and its IP may be reused): data/report-exporter-29397600-q8z4m\n',
    );
  });

  test('-n reads one namespace, without a notice; no -n reads the context namespace, with one', async () => {
    const shop = await cli(server(), ['analyze', '--cluster', '-n', 'shop']);
    assert.equal(shop.code, 0, shop.stderr);
    assert.equal(shop.stderr, '');
    assert.match(shop.stdout, /^6 workloads \(3 pods\) in 1 namespace, 7 policies: /);
    const byDefault = await cli(server(), ['analyze', '--cluster']);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.equal(
      byDefault.stderr,
      'Read namespace "default" of context "netfence-admin@netfence-test" only; -A reads every namespace, -n another one.\n',
    );
    assert.match(byDefault.stdout, /^0 workloads in 1 namespace, 0 policies: 0 allowed connections/);
  });

  test('reads in pages, with a progress line on a terminal', async () => {
    let stderr = '';
    let stdout = '';
    const code = await run(
      ['analyze', '--cluster', '-A', '--page-size', '3', '--kubeconfig', server().adminKubeconfig],
      {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stderr += s),
        readStdin: () => Promise.resolve(''),
        isTTY: true,
        env: {},
      },
    );
    assert.equal(code, 0, stderr);
    const files = await runCli(['analyze', ...FILES]);
    assert.equal(stdout, files.stdout, 'small pages read the same objects');
    // The line is redrawn in place (carriage return, erase line), and erased at the end.
    const ERASE = '\r\u001b[K';
    assert.ok(stderr.startsWith(`${ERASE}Reading the cluster: `), JSON.stringify(stderr.slice(0, 80)));
    assert.match(stderr, /Reading the cluster: \d+ of ~\d+ objects…/);
    assert.ok(
      stderr.includes(`objects…${ERASE}warning: left out 1 terminated pod`),
      'the progress line is erased',
    );
  });

  test('readCluster follows continue tokens: pages of 2 give the objects pages of 500 give', async () => {
    const conn = connect({ kubeconfig: server().adminKubeconfig, env: {} });
    const pages: number[] = [];
    const small = await readCluster(conn, {
      scope: { kind: 'all' },
      pageSize: 2,
      onProgress: (p) => pages.push(p.objects),
    });
    const large = await readCluster(conn, { scope: { kind: 'all' } });
    assert.deepEqual(small.objects, large.objects);
    assert.ok(pages.length > 20, `${pages.length} pages`);
    assert.equal(small.counts.pods, 6);
    assert.equal(small.counts.networkpolicies, 21);
  });

  test('a cluster without the tier CRDs (and without Nodes) reads as before: no warning, none of those kinds', async () => {
    const conn = connect({ kubeconfig: server().adminKubeconfig, env: {} });
    const read = await readCluster(conn, { scope: { kind: 'all' } });
    assert.deepEqual(read.warnings, []);
    assert.deepEqual(
      [
        read.counts.nodes,
        read.counts.clusternetworkpolicies,
        read.counts.adminnetworkpolicies,
        read.counts.baselineadminnetworkpolicies,
      ],
      [0, 0, 0, 0],
    );
  });
});

describe('snapshot', { skip }, () => {
  test('analyzing the snapshot gives what analyze --cluster gives', async () => {
    const file = join(tmp, 'snapshot.yaml');
    const snap = await cli(server(), ['snapshot', '--cluster', '-A', '-o', file]);
    assert.equal(snap.code, 0, snap.stderr);
    assert.equal(snap.stdout, '');
    assert.match(
      snap.stderr,
      /^Wrote .*snapshot\.yaml: 73 objects \(9 Namespace, 6 Pod, 10 Deployment, 4 StatefulSet, 1 DaemonSet, 1 CronJob, 21 Service, 21 NetworkPolicy\) from context "netfence-admin@netfence-test", all namespaces\.\n$/,
    );
    for (const args of [[], ['-o', 'json'], ['--granularity', 'pod']]) {
      const offline = await runCli(['analyze', file, ...args]);
      const live = await cli(server(), ['analyze', '--cluster', '-A', ...args]);
      assert.equal(offline.code, 0, offline.stderr);
      // The same objects in the same order: even JSON is byte for byte the same.
      assert.equal(offline.stdout, live.stdout);
      assert.equal(offline.stderr, live.stderr, 'the same warnings');
    }
  });

  test('holds only what the analysis reads: no Secrets, ConfigMaps, bookkeeping or foreign annotations', async () => {
    const snap = await cli(server(), ['snapshot', '--cluster', '-A']);
    assert.equal(snap.code, 0, snap.stderr);
    assert.match(snap.stdout, /^# netfence snapshot: /);
    const list = parse(snap.stdout) as { kind: string; items: Record<string, unknown>[] };
    assert.equal(list.kind, 'List');
    const kinds = new Set(list.items.map((o) => o.kind));
    assert.deepEqual([...kinds].sort(), [
      'CronJob',
      'DaemonSet',
      'Deployment',
      'Namespace',
      'NetworkPolicy',
      'Pod',
      'Service',
      'StatefulSet',
    ]);
    assert.doesNotMatch(snap.stdout, /not-for-netfence|managedFields|creationTimestamp|resourceVersion/);
    assert.doesNotMatch(snap.stdout, /kubectl\.kubernetes\.io\/restartedAt/);
    const web = list.items.find(
      (o) => (o.metadata as { name: string }).name === 'web-7d9f8b6c5d-fghij',
    ) as Record<string, unknown>;
    // Exactly these fields: the owner for grouping, the ports for named ports, the IPs for ipBlocks.
    assert.deepEqual(web, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-7d9f8b6c5d-fghij',
        namespace: 'shop',
        labels: {
          'app.kubernetes.io/component': 'frontend',
          'app.kubernetes.io/name': 'web',
          'app.kubernetes.io/part-of': 'webshop',
          'app.kubernetes.io/version': '2.14.1',
          'pod-template-hash': '7d9f8b6c5d',
        },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-7d9f8b6c5d',
            uid: '3d7c1f0e-2b9a-4c56-8e1d-0f4a5b6c7d81',
            controller: true,
          },
        ],
        uid: (web.metadata as { uid: string }).uid,
      },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'registry.webshop.example/shop/web:2.14.1',
            ports: [
              { name: 'http', containerPort: 8080, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
            ],
          },
        ],
        restartPolicy: 'Always',
      },
      status: {
        phase: 'Running',
        podIP: '10.244.2.10',
        podIPs: [{ ip: '10.244.2.10' }, { ip: 'fd00:10:244:2::10' }],
      },
    });
    const debug = list.items.find((o) => (o.metadata as { name: string }).name === 'debug')!;
    assert.deepEqual((debug.metadata as { annotations: unknown }).annotations, {
      'netfence.io/ignore': 'require-workload-selected: a throw-away debugging pod',
    });
  });

  test('-o file.json writes JSON; to standard output without -o; paths are refused with a hint', async () => {
    const file = join(tmp, 'snap.json');
    const r = await cli(server(), ['snapshot', '--cluster', '-n', 'data', '-o', file]);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(readFileSync(file, 'utf8')) as { items: { kind: string }[] };
    assert.deepEqual(
      list.items.map((o) => o.kind),
      [
        'Namespace',
        'Pod',
        'Pod',
        'StatefulSet',
        'StatefulSet',
        'CronJob',
        'Service',
        'Service',
        'Service',
        'Service',
      ].concat(['NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy']),
    );
    const wrong = await cli(server(), ['snapshot', '--cluster', 'out.yaml']);
    assert.equal(wrong.code, 2);
    assert.equal(
      wrong.stderr,
      'netfence: snapshot reads the live cluster and takes no paths; to write a file, use -o out.yaml\n',
    );
  });
});

describe('the read-only user', { skip }, () => {
  // Every command that only reads works with deploy/rbac/netfence-readonly.yaml, and gives what it gives on
  // the same objects in files.
  const commands: [string, string[]][] = [
    ['analyze', []],
    ['exposure', []],
    ['paths', []],
    ['paths', ['--from', 'shop/web']],
    ['explain', ['--from', 'shop/web', '--to', 'data/postgres', '--port', '5432/TCP', '-o', 'json']],
    ['map', ['--flows', 'examples/flows/webshop.csv']],
    ['check-flows', ['--flows', 'examples/flows/webshop-hubble.jsonl']],
    ['generate', ['--flows', 'examples/flows/webshop-hubble.jsonl']],
    ['test', ['--init']],
    ['lint', ['-o', 'json']],
  ];
  for (const [command, args] of commands) {
    test(`${command} ${args.join(' ')}`, async () => {
      const live = await cli(server(), [command, '--cluster', '-A', ...args], server().readonlyKubeconfig);
      const files = await runCli([command, ...FILES, ...args]);
      assert.doesNotMatch(live.stderr, /forbidden|cannot/);
      assert.equal(live.code, files.code, live.stderr);
      assert.deepEqual(comparable(live.stdout), comparable(files.stdout));
      if (command === 'test')
        assert.match(
          live.stdout,
          /^# Reachability spec written by netfence test --init from the live cluster \(current context\): /,
        );
    });
  }

  test('snapshot', async () => {
    const r = await cli(server(), ['snapshot', '--cluster', '-A'], server().readonlyKubeconfig);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Snapshot: 73 objects /);
  });
});

describe('failures are one line, naming the cause and the fix', { skip }, () => {
  test('a user without read access', async () => {
    const r = await cli(server(), ['analyze', '--cluster', '-A'], server().users.nobody!.kubeconfig);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'netfence: cannot list namespaces in all namespaces: forbidden: user "nobody" cannot list namespaces at the cluster scope (grant read access: deploy/rbac/netfence-readonly.yaml)\n',
    );
  });

  test('an unknown context, namespace, or kubeconfig', async () => {
    const context = await cli(server(), ['analyze', '--cluster', '--context', 'prod']);
    assert.equal(
      context.stderr,
      `netfence: context "prod" is not in ${server().adminKubeconfig}: it has "netfence-admin@netfence-test"\n`,
    );
    const ns = await cli(server(), ['analyze', '--cluster', '-n', 'shopp']);
    assert.equal(
      ns.stderr,
      'netfence: namespace "shopp" does not exist in context "netfence-admin@netfence-test"; check -n, or use -A for all namespaces\n',
    );
    const file = await runCli(['analyze', '--cluster', '--kubeconfig', join(tmp, 'missing')]);
    assert.equal(
      file.stderr,
      `netfence: kubeconfig "${join(tmp, 'missing')}" does not exist; check --kubeconfig\n`,
    );
    for (const r of [context, ns, file]) assert.equal(r.code, 2);
  });

  test('no kubeconfig at all', async () => {
    let stderr = '';
    const code = await run(['analyze', '--cluster'], {
      stdout: () => undefined,
      stderr: (s) => (stderr += s),
      readStdin: () => Promise.resolve(''),
      isTTY: false,
      env: { HOME: tmp },
    });
    assert.equal(code, 2);
    assert.equal(
      stderr,
      `netfence: no kubeconfig: "${join(tmp, '.kube', 'config')}" does not exist and KUBECONFIG is not set; give --kubeconfig <file>\n`,
    );
  });

  test('bad credentials', async () => {
    const text = readFileSync(server().adminKubeconfig, 'utf8').replace(/token: \S+/, 'token: not-a-token');
    const file = join(tmp, 'bad-token.kubeconfig');
    writeFileSync(file, text);
    const r = await runCli(['analyze', '--cluster', '-A', '--kubeconfig', file]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `netfence: cannot list namespaces in all namespaces: the cluster at ${server().url} rejected the credentials of context "netfence-admin@netfence-test" (401 Unauthorized): log in again or check the kubeconfig's user\n`,
    );
  });

  test("a user's tokenFile (kubectl's field) is read, relative to the kubeconfig; a missing one is named", async () => {
    // kubectl reads users[].user.tokenFile (and trims it); the client library knows only token-file.
    writeFileSync(join(tmp, 'admin.token'), `${server().adminToken}\n`);
    const withFile = (tokenFile: string): string => {
      const file = join(tmp, `token-file-${tokenFile.replaceAll('/', '_')}.kubeconfig`);
      writeFileSync(
        file,
        readFileSync(server().adminKubeconfig, 'utf8').replace(/token: \S+/, `tokenFile: ${tokenFile}`),
      );
      return file;
    };
    const r = await runCli(['analyze', '--cluster', '-A', '--kubeconfig', withFile('admin.token')]);
    assert.equal(r.code, 0, r.stderr);
    const missing = await runCli(['analyze', '--cluster', '-A', '--kubeconfig', withFile('gone.token')]);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      `netfence: cannot read the tokenFile "${join(tmp, 'gone.token')}" of users[netfence-admin] in ${withFile('gone.token')}: it does not exist\n`,
    );
  });

  test('connection refused', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const file = join(tmp, 'refused.kubeconfig');
    writeFileSync(
      file,
      readFileSync(server().adminKubeconfig, 'utf8').replace(server().url, `https://127.0.0.1:${port}`),
    );
    const r = await runCli(['analyze', '--cluster', '-A', '--kubeconfig', file]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `netfence: cannot reach the cluster at https://127.0.0.1:${port} (context "netfence-admin@netfence-test"): connection refused (is the context right? choose one with --context)\n`,
    );
  });

  test('a server that never answers: --request-timeout', async () => {
    // Accepts connections and never says a word (not even the TLS handshake).
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const file = join(tmp, 'silent.kubeconfig');
    writeFileSync(
      file,
      readFileSync(server().adminKubeconfig, 'utf8').replace(server().url, `https://127.0.0.1:${port}`),
    );
    try {
      const r = await runCli([
        'analyze',
        '--cluster',
        '-A',
        '--kubeconfig',
        file,
        '--request-timeout',
        '300ms',
      ]);
      // The message says the client gave up after --request-timeout (not the test runner after its own).
      assert.equal(r.code, 2);
      assert.equal(
        r.stderr,
        `netfence: the cluster at https://127.0.0.1:${port} (context "netfence-admin@netfence-test") did not answer within 0.3s when trying to list namespaces in all namespaces (is the context right? choose one with --context, or raise --request-timeout)\n`,
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('cluster options without --cluster, and files with it', async () => {
    const a = await runCli(['analyze', 'examples/webshop', '-A']);
    assert.equal(a.code, 2);
    assert.equal(a.stderr, 'netfence: --all-namespaces applies to a live cluster: add --cluster\n');
    const b = await cli(server(), ['analyze', '--cluster', 'examples/webshop']);
    assert.equal(b.code, 2);
    assert.equal(
      b.stderr,
      'netfence: --cluster reads the live cluster, not files: drop "examples/webshop", or drop --cluster\n',
    );
  });
});
