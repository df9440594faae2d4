import { before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCluster } from '../../src/engine/compile.ts';
import { resolveCniProfile } from '../../src/engine/profiles.ts';
import { computeConnectivity, externalId } from '../../src/engine/connectivity.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { leftOutMessage, noticeText } from '../../src/format/generate.ts';
import {
  portSetOf,
  portsSubset,
  subtractPorts,
  unionPorts,
  NO_PORTS,
  isEmptyPorts,
} from '../../src/engine/ports.ts';
import { observeFlowText, readFlows, type ObservedConnection } from '../../src/flows/index.ts';
import { loadManifests } from '../../src/parse/index.ts';
import {
  DEFAULT_GENERATE_OPTIONS,
  generatePolicies,
  stateWithGenerated,
  verifyGeneration,
  type Generation,
} from '../../src/generate/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { assertGolden, runCli } from '../support/cli.ts';
import { EXAMPLES, FIXTURES, loadState } from '../flows/support.ts';

/** A temporary folder, removed when the test ends. */
function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A host-network pod of the DaemonSet kube-system/node-agent, on `nodeName` when given. */
function agentPod(nodeName: string | undefined): string {
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: node-agent-x8k2p',
    '  namespace: kube-system',
    '  labels: { app: node-agent }',
    '  ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: node-agent, uid: 3f1c2d4e-0000-4000-8000-000000000002, controller: true }]',
    'spec:',
    '  hostNetwork: true',
    ...(nodeName === undefined ? [] : [`  nodeName: ${nodeName}`]),
    '  containers: [{ name: agent, image: registry.example/agent:1.0 }]',
    'status: { phase: Running, podIP: 10.0.0.11, podIPs: [{ ip: 10.0.0.11 }] }',
  ].join('\n');
}

const WEBSHOP = join(EXAMPLES, 'webshop');
const HUBBLE = join(EXAMPLES, 'flows/webshop-hubble.jsonl');
const CSV = join(EXAMPLES, 'flows/webshop.csv');

let webshop: ClusterState;
let observed: ObservedConnection[];
before(async () => {
  webshop = await loadState(WEBSHOP);
  observed = (await readFlows([HUBBLE], webshop)).connections;
});

describe('generate on the bundled example', () => {
  test('fresh: the YAML and the report (golden files, reviewed)', async () => {
    const r = await runCli([
      'generate',
      'examples/webshop',
      '--flows',
      'examples/flows/webshop-hubble.jsonl',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('generate/webshop-fresh.yaml', r.stdout);
    assertGolden('generate/webshop-fresh.report.txt', r.stderr);
  });

  test('augment: only the rules the existing policies lack (golden files, reviewed)', async () => {
    const r = await runCli([
      'generate',
      'examples/webshop',
      '--flows',
      'examples/flows/webshop-hubble.jsonl',
      '--mode',
      'augment',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('generate/webshop-augment.yaml', r.stdout);
    assertGolden('generate/webshop-augment.report.txt', r.stderr);
  });

  test('deterministic: the same input gives byte-identical output, whatever the order of the flow files', async () => {
    const a = await runCli(['generate', 'examples/webshop', '--flows', HUBBLE, '--flows', CSV]);
    const b = await runCli(['generate', 'examples/webshop', '--flows', CSV, '--flows', HUBBLE]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.ok(a.stdout.length > 10_000);
  });

  test('the engine proves it: every observed connection allowed, nothing else but DNS over TCP and the host network', () => {
    // An independent check of what `verifyGeneration` claims, straight from the engine's connectivity.
    const gen = generatePolicies(webshop, observed, DEFAULT_GENERATE_OPTIONS);
    const compiled = compileCluster(stateWithGenerated(webshop, gen));
    const conn = computeConnectivity(compiled, 'workload');
    const entity = (e: ObservedConnection['src']): string =>
      e.kind === 'workload' ? e.id : externalId(compiled.addressSpace.classOfIp(e.ip)!);
    const allowed = new Map(conn.connections.map((c) => [`${c.src} ${c.dst}`, c.ports]));
    const seen = new Map<string, typeof NO_PORTS>();
    for (const o of observed) {
      const key = `${entity(o.src)} ${entity(o.dst)}`;
      const ports = portSetOf(o.protocol, [o.port, o.port]);
      assert.ok(
        portsSubset(ports, allowed.get(key) ?? NO_PORTS),
        `observed ${key} ${o.protocol} ${o.port} is allowed`,
      );
      seen.set(key, unionPorts(seen.get(key) ?? NO_PORTS, ports));
    }
    const extras: string[] = [];
    for (const c of conn.connections) {
      const rest = subtractPorts(c.ports, seen.get(`${c.src} ${c.dst}`) ?? NO_PORTS);
      if (isEmptyPorts(rest)) continue;
      // node-exporter runs on the host network: no policy applies to it, none was generated for it.
      if (c.src === 'monitoring/DaemonSet/node-exporter' || c.dst === 'monitoring/DaemonSet/node-exporter')
        continue;
      extras.push(`${c.src} → ${c.dst}: ${formatPorts(rest)}`);
    }
    // The workloads seen resolving names over UDP only also get TCP 53, DNS's fallback transport.
    assert.deepEqual(extras, [
      'ingress-nginx/Deployment/ingress-nginx-controller → kube-system/Deployment/coredns: TCP 53',
      'monitoring/StatefulSet/alertmanager → kube-system/Deployment/coredns: TCP 53',
      'monitoring/Deployment/grafana → kube-system/Deployment/coredns: TCP 53',
      'monitoring/StatefulSet/prometheus → kube-system/Deployment/coredns: TCP 53',
      'payments/Deployment/fraud-check → kube-system/Deployment/coredns: TCP 53',
      'shop/Deployment/cart → kube-system/Deployment/coredns: TCP 53',
      'shop/Deployment/catalog → kube-system/Deployment/coredns: TCP 53',
      'shop/Deployment/checkout → kube-system/Deployment/coredns: TCP 53',
      'shop/Deployment/web → kube-system/Deployment/coredns: TCP 53',
    ]);
    const v = verifyGeneration(webshop, gen);
    assert.equal(v.ok, true);
    assert.equal(v.checked, observed.length);
    assert.equal(v.dns.length, extras.length);
  });

  test('augment adds nothing the existing policies already allow, and fixes the denied observed connections', () => {
    const gen = generatePolicies(webshop, observed, { ...DEFAULT_GENERATE_OPTIONS, mode: 'augment' });
    assert.deepEqual(
      gen.policies.map((p) => `${p.namespace}/${p.name}`),
      [
        'data/report-exporter-egress-observed',
        'payments/fraud-check-ingress',
        'payments/payment-gateway-ingress',
      ],
    );
    assert.equal(gen.kept.length, webshop.policies.length);
    assert.equal(gen.alreadyAllowed.length, observed.length - 4);
    const v = verifyGeneration(webshop, gen);
    assert.deepEqual([v.ok, v.missing.length, v.unexpected.length], [true, 0, 0]);
  });
});

describe('generate from a capture with nothing of the workloads in it', () => {
  test('fresh mode refuses (exit 2, nothing written): its policies would deny all traffic; augment adds nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-generate-empty-'));
    try {
      const header = 'src_namespace,src_workload,dst_namespace,dst_workload,protocol,port\n';
      const elsewhere = join(dir, 'elsewhere.csv');
      writeFileSync(elsewhere, `${header}foo,bar,baz,qux,TCP,80\n`);
      const out = join(dir, 'generated');
      const r = await runCli([
        'generate',
        'examples/webshop',
        '--flows',
        elsewhere,
        '--output-dir',
        out,
        '-q',
      ]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /\nnetfence: no observed port of these manifests' workloads to generate from: \S+elsewhere\.csv holds 1 record, none counted \(1 with an in-cluster end that matches no workload\); policies generated from it would deny all traffic of their namespaces, so none were written: give a capture of the workloads of these manifests\n$/,
      );
      assert.deepEqual(readdirSync(dir), ['elsewhere.csv']);
      const headerOnly = join(dir, 'header.csv');
      writeFileSync(headerOnly, header);
      const toStdout = await runCli(['generate', 'examples/webshop', '--flows', headerOnly, '-q']);
      assert.deepEqual([toStdout.code, toStdout.stdout], [2, '']);
      assert.match(toStdout.stderr, /header\.csv holds 0 records; policies generated from it would deny/);
      const augment = await runCli([
        'generate',
        'examples/webshop',
        '--flows',
        headerOnly,
        '--mode',
        'augment',
        '-q',
      ]);
      assert.equal(augment.code, 0, augment.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('generate options', () => {
  let fixture: ClusterState;
  let fixtureObserved: ObservedConnection[];
  before(async () => {
    fixture = await loadState(join(FIXTURES, 'cluster.yaml'));
    fixtureObserved = (await readFlows([join(FIXTURES, 'hubble.jsonl')], fixture)).connections;
  });

  const policyNames = (gen: Generation): string[] => gen.policies.map((p) => `${p.namespace}/${p.name}`);

  test('default-deny per namespace with workloads, one policy per workload and direction', () => {
    const gen = generatePolicies(fixture, fixtureObserved, DEFAULT_GENERATE_OPTIONS);
    assert.deepEqual(policyNames(gen), [
      'app/default-deny',
      'app/api-ingress',
      'app/api-egress',
      'app/backup-egress',
      'app/web-ingress',
      'app/web-egress',
      'app/worker-egress',
      'db/default-deny',
      'db/pg-ingress',
      'kube-system/default-deny',
      'kube-system/coredns-ingress',
    ]);
    // worker is told apart by `tier` (its `release` label looks like a hash, so it is never used).
    assert.deepEqual(gen.policies.find((p) => p.name === 'worker-egress')?.matchLabels, { tier: 'worker' });
    assert.equal(verifyGeneration(fixture, gen).ok, true);
  });

  test('--skip-default-deny and --exclude-namespace', () => {
    const gen = generatePolicies(fixture, fixtureObserved, {
      ...DEFAULT_GENERATE_OPTIONS,
      skipDefaultDeny: ['app'],
      excludeNamespaces: ['kube-system'],
    });
    const names = policyNames(gen);
    assert.equal(names.includes('app/default-deny'), false);
    assert.equal(
      names.some((n) => n.startsWith('kube-system/')),
      false,
    );
    // web still resolves names through coredns, in the namespace left alone.
    assert.deepEqual(gen.dns.clients, ['app/Deployment/web']);
    const v = verifyGeneration(fixture, gen);
    assert.equal(v.ok, true);
    assert.ok(v.unrestricted > 0, 'pairs of unisolated workloads are reported, not failed');
  });

  test('the DNS pods still accept the lookups of a namespace left alone', () => {
    // web (in app, excluded) resolves names through coredns: coredns' ingress must allow it.
    const gen = generatePolicies(fixture, fixtureObserved, {
      ...DEFAULT_GENERATE_OPTIONS,
      excludeNamespaces: ['app'],
    });
    assert.deepEqual(gen.dns.clients, []);
    const dnsRule = gen.policies.find((p) => p.name === 'coredns-ingress')?.rules.find((r) => r.dns);
    assert.deepEqual(dnsRule?.peers, [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      },
    ]);
    assert.equal(verifyGeneration(fixture, gen).ok, true);
  });

  test('--exclude-denied leaves out connections every attempt of which was dropped', () => {
    const gen = generatePolicies(fixture, fixtureObserved, {
      ...DEFAULT_GENERATE_OPTIONS,
      excludeDenied: true,
    });
    assert.deepEqual(
      gen.leftOut.map((l) => [l.reason, l.connection.src.kind === 'workload' ? l.connection.src.id : '']),
      [['denied', 'app/CronJob/backup']],
    );
    assert.deepEqual(gen.leftOut.map(leftOutMessage), [
      'every attempt was dropped during the capture (--exclude-denied)',
    ]);
    assert.equal(policyNames(gen).includes('app/backup-egress'), false);
  });

  test('--aggregate widens outside addresses to their prefix, reported as intended', () => {
    const gen = generatePolicies(fixture, fixtureObserved, { ...DEFAULT_GENERATE_OPTIONS, aggregateV4: 24 });
    assert.deepEqual(gen.aggregated, [
      { cidr: '198.51.100.0/24', addresses: ['198.51.100.20'] },
      { cidr: '203.0.113.0/24', addresses: ['203.0.113.7'] },
    ]);
    const web = gen.policies.find((p) => p.name === 'web-ingress')!;
    assert.deepEqual(
      web.rules.map((r) => r.peers),
      [[{ ipBlock: { cidr: '198.51.100.0/24' } }]],
    );
    assert.equal(verifyGeneration(fixture, gen).ok, true);
  });

  test('--allow-dns: DNS egress for every workload, and DNS ingress from every namespace', () => {
    const gen = generatePolicies(fixture, fixtureObserved, { ...DEFAULT_GENERATE_OPTIONS, allowDns: true });
    assert.deepEqual(gen.dns.clients, [
      'app/Deployment/api',
      'app/CronJob/backup',
      'app/Deployment/web',
      'app/Deployment/worker',
      'db/StatefulSet/pg',
      'kube-system/Deployment/coredns',
    ]);
    const dnsIngress = gen.policies.find((p) => p.name === 'coredns-ingress')!.rules.find((r) => r.dns)!;
    assert.deepEqual(dnsIngress.peers, [{ namespaceSelector: {} }]);
    const v = verifyGeneration(fixture, gen);
    assert.equal(v.ok, true);
    assert.ok(v.dns.length >= 5);
  });

  test('the DNS pods found by what answers on port 53 when the selector matches nothing', () => {
    const gen = generatePolicies(fixture, fixtureObserved, {
      ...DEFAULT_GENERATE_OPTIONS,
      dns: { namespace: 'kube-system', matchLabels: { 'k8s-app': 'coredns' } },
    });
    assert.equal(gen.dns.detected, 'observed');
    assert.deepEqual(gen.dns.workloads, ['kube-system/Deployment/coredns']);
    assert.match(
      gen.notices[0] === undefined ? '' : noticeText(gen.notices[0]),
      /no workload in namespace "kube-system" has the labels k8s-app=coredns/,
    );
    assert.equal(verifyGeneration(fixture, gen).ok, true);
  });

  test("a host-network peer: an ipBlock of its pods' addresses when known, else left out", async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'agent-pod.yaml'), agentPod(undefined));
    const csv =
      'src_namespace,src_workload,dst_namespace,dst_workload,port\napp,api,kube-system,node-agent,9100\n';
    for (const [paths, expected] of [
      [[join(FIXTURES, 'cluster.yaml')], undefined],
      [
        [join(FIXTURES, 'cluster.yaml'), join(dir, 'agent-pod.yaml')],
        [{ ipBlock: { cidr: '10.0.0.11/32' } }],
      ],
    ] as const) {
      const result = await loadManifests([...paths], { defaultNamespace: 'default', skipInvalid: false });
      assert.deepEqual(result.errors, []);
      const traffic = observeFlowText([{ name: 'flows.csv', text: csv }], result.state);
      const gen = generatePolicies(result.state, traffic.connections, DEFAULT_GENERATE_OPTIONS);
      const egress = gen.policies.find((p) => p.name === 'api-egress');
      assert.deepEqual(egress?.rules[0]?.peers, expected);
      assert.deepEqual(
        gen.leftOut.map((l) => l.reason),
        expected === undefined ? ['host-network'] : [],
      );
      for (const l of gen.leftOut)
        assert.match(
          leftOutMessage(l),
          /^\S+ runs on the host network: selectors never match it, and the input/,
        );
      assert.equal(verifyGeneration(result.state, gen).ok, true);
    }
  });

  test("under cilium a host-network peer (its node's addresses) is left out, but with policy-cidr-match-mode=nodes", async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'agent-pod.yaml'), agentPod('n1'));
    // app/api is a Deployment, placed on no node: it may share n1 (host) or not (remote-node).
    const csv =
      'src_namespace,src_workload,dst_namespace,dst_workload,port\napp,api,kube-system,node-agent,9100\n';
    const result = await loadManifests([join(FIXTURES, 'cluster.yaml'), join(dir, 'agent-pod.yaml')], {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    assert.deepEqual(result.errors, []);
    const traffic = observeFlowText([{ name: 'flows.csv', text: csv }], result.state);
    for (const [overrides, expected] of [
      [[], undefined],
      [['policy-cidr-match-mode=nodes'], [{ ipBlock: { cidr: '10.0.0.11/32' } }]],
    ] as const) {
      const profile = resolveCniProfile('cilium', overrides);
      assert.ok(profile.ok);
      const engine = { cni: profile.value };
      const gen = generatePolicies(result.state, traffic.connections, DEFAULT_GENERATE_OPTIONS, engine);
      const egress = gen.policies.find((p) => p.name === 'api-egress');
      assert.deepEqual(egress?.rules[0]?.peers, expected);
      assert.deepEqual(
        gen.leftOut.map((l) => leftOutMessage(l)),
        expected === undefined
          ? [
              "kube-system/node-agent runs on the host network of node n1: its addresses are its Node's, which NetworkPolicy ipBlocks do not match under cilium (host and remote-node identities): allow it with a CiliumNetworkPolicy `toEntities: [host, remote-node]`, or set `policy-cidr-match-mode=nodes`",
            ]
          : [],
      );
      assert.equal(verifyGeneration(result.state, gen, engine).ok, true);
    }
  });

  test('verification catches a generated set that is not exact', () => {
    const gen = generatePolicies(fixture, fixtureObserved, DEFAULT_GENERATE_OPTIONS);
    // One rule fewer: an observed connection is denied.
    const fewer: Generation = {
      ...gen,
      policies: gen.policies.map((p) => (p.name === 'pg-ingress' ? { ...p, rules: p.rules.slice(1) } : p)),
    };
    assert.deepEqual(
      verifyGeneration(fixture, fewer).missing.map(
        (c) => `${c.src.kind === 'workload' ? c.src.id : ''} ${c.port}`,
      ),
      ['app/Deployment/api 5432', 'app/CronJob/backup 5432'],
    );
    // A rule that allows a port never observed.
    const more: Generation = {
      ...gen,
      policies: gen.policies.map((p) =>
        p.name === 'pg-ingress' || p.name === 'api-egress'
          ? {
              ...p,
              rules: p.rules.map((r) => ({
                ...r,
                ports: [...r.ports, { protocol: 'TCP' as const, port: 5433 }],
              })),
            }
          : p,
      ),
    };
    const v = verifyGeneration(fixture, more);
    assert.equal(v.ok, false);
    assert.deepEqual(
      v.unexpected.map((u) => `${u.src} → ${u.dst}: ${formatPorts(u.ports)}`),
      ['app/Deployment/api → db/StatefulSet/pg: TCP 5433', 'app/Deployment/api → external:2: TCP 5433'],
    );
  });
});

describe('generate on the command line', () => {
  const GENERATE_FIXTURE = [
    'generate',
    'test/fixtures/flows/cluster.yaml',
    '--flows',
    'test/fixtures/flows/hubble.jsonl',
  ];
  test('--output-dir with --split workload writes a file per workload, and removes its own stale files', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'README.md'), 'not ours\n');
    const args = [...GENERATE_FIXTURE, '--output-dir', dir];
    const r1 = await runCli([...args, '--split', 'workload']);
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(readdirSync(join(dir, 'app')).sort(), [
      'api.yaml',
      'backup.yaml',
      'default-deny.yaml',
      'web.yaml',
      'worker.yaml',
    ]);
    assert.match(r1.stdout, /^generated 11 policies in 3 namespaces \(fresh mode\) from 7 observed ports\n/);
    assert.match(
      r1.stdout,
      /\nwrote 9 files to .*: app\/api\.yaml, app\/backup\.yaml, app\/default-deny\.yaml/,
    );
    assert.match(
      readFileSync(join(dir, 'app/web.yaml'), 'utf8'),
      /^# NetworkPolicies for app\/web: generated by netfence/,
    );
    const r2 = await runCli([...args, '--split', 'namespace']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(readdirSync(dir).sort(), [
      'README.md',
      'app',
      'app.yaml',
      'db',
      'db.yaml',
      'kube-system',
      'kube-system.yaml',
    ]);
    assert.deepEqual(readdirSync(join(dir, 'app')), []);
    assert.match(r2.stdout, /\nremoved 9 files netfence had generated before: app\/api\.yaml, /);
  });

  test('--output-dir never replaces a file netfence did not write, unless --force', async (t) => {
    const dir = tempDir(t);
    const mine = "# the app team's hand-written policies\n";
    writeFileSync(join(dir, 'app.yaml'), mine);
    const args = [...GENERATE_FIXTURE, '--output-dir', dir];
    const r = await runCli(args);
    assert.deepEqual([r.code, r.stdout], [2, '']);
    assert.equal(
      r.stderr.split('\n').at(-2),
      `netfence: --output-dir: ${join(dir, 'app.yaml')} exists and netfence did not write it; move it away, give another --output-dir, or add --force to replace it`,
    );
    assert.equal(readFileSync(join(dir, 'app.yaml'), 'utf8'), mine);
    assert.deepEqual(readdirSync(dir), ['app.yaml']);
    const forced = await runCli([...args, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(
      readFileSync(join(dir, 'app.yaml'), 'utf8'),
      /^# NetworkPolicies for namespace app: generated by netfence/,
    );
    // Its own files it replaces without --force.
    assert.equal((await runCli(args)).code, 0);
  });

  test('-o json: the policies with the observed connections behind every rule, and the verification', async () => {
    const r = await runCli([
      'generate',
      'test/fixtures/flows/cluster.yaml',
      '--flows',
      'test/fixtures/flows/hubble.jsonl',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      schemaVersion: number;
      summary: { policies: number };
      files: { path: string; policies: string[] }[];
      policies: { id: string; object: { kind: string }; rules: { observed: unknown[] }[] }[];
      verification: { ok: boolean; checked: number };
    };
    assert.equal(json.schemaVersion, 1);
    assert.equal(json.summary.policies, 11);
    assert.deepEqual(
      json.files.map((f) => f.path),
      ['app.yaml', 'db.yaml', 'kube-system.yaml'],
    );
    assert.deepEqual(json.files[1]?.policies, ['db/default-deny', 'db/pg-ingress']);
    const pg = json.policies.find((p) => p.id === 'db/pg-ingress');
    assert.equal(pg?.object.kind, 'NetworkPolicy');
    assert.deepEqual(
      pg?.rules.map((rule) => rule.observed.length),
      [2],
    );
    assert.deepEqual([json.verification.ok, json.verification.checked], [true, 7]);
  });

  test('mistakes in options are one-line errors that quote the value', async () => {
    const base = [
      'generate',
      'test/fixtures/flows/cluster.yaml',
      '--flows',
      'test/fixtures/flows/hubble.jsonl',
    ];
    const cases: [string[], string][] = [
      [
        ['--aggregate', '/33'],
        'netfence: --aggregate expects a prefix length from /0 to /32, like /24; got "/33"\n',
      ],
      [
        ['--dns-selector', 'kube-dns'],
        'netfence: --dns-selector expects key=value pairs separated by commas, like k8s-app=kube-dns; got "kube-dns"\n',
      ],
      [
        ['--skip-default-deny', 'ap'],
        'netfence: --skip-default-deny "ap": no workload of the input is in that namespace (namespaces: app, db, kube-system); did you mean "app"?\n',
      ],
      [
        ['--exclude-namespace', 'payments'],
        'netfence: --exclude-namespace "payments": no workload of the input is in that namespace (namespaces: app, db, kube-system)\n',
      ],
    ];
    for (const [extra, message] of cases) {
      const r = await runCli([...base, ...extra]);
      assert.equal(r.code, 2);
      assert.equal(
        r.stderr
          .split('\n')
          .filter((l) => l.startsWith('netfence:'))
          .join('\n') + '\n',
        message,
      );
    }
    const none = await runCli(['generate', 'test/fixtures/flows/cluster.yaml']);
    assert.deepEqual(
      [none.code, none.stderr],
      [
        2,
        'netfence: no flows: give --flows FILE (Hubble JSON, CSV or JSON Lines), or --flows - for standard input\n',
      ],
    );
  });
});
