/**
 * `generate --tier baseline|admin`: ClusterNetworkPolicies beside (or instead of) the default-deny
 * NetworkPolicies. What they say (unit), what the engine makes of them (verification, and an independent
 * look at connectivity), and the command line (golden files, errors).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity, externalId } from '../../src/engine/connectivity.ts';
import { parseApiServer } from '../../src/cli/commands/generate.ts';
import { noticeText } from '../../src/format/generate.ts';
import { renderFiles } from '../../src/format/generated.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { readFlows, type ObservedConnection } from '../../src/flows/index.ts';
import {
  DEFAULT_GENERATE_OPTIONS,
  generatePolicies,
  stateWithGenerated,
  toClusterNetworkPolicy,
  verifyGeneration,
  type GenerateOptions,
  type Generation,
} from '../../src/generate/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { clusterPolicyInfo } from '../../src/model/tiers.ts';
import type { GenerateJson } from '../../src/contract/generate.ts';
import { assertGolden, runCli } from '../support/cli.ts';
import { cnp } from '../support/builders.ts';
import { EXAMPLES, FIXTURES, loadState } from '../flows/support.ts';

const BASELINE: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS, tiers: ['baseline'] };
const ADMIN: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS, tiers: ['admin'] };

const DNS_PODS = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const DNS_PROTOCOLS = [
  { udp: { destinationPort: { number: 53 } } },
  { tcp: { destinationPort: { number: 53 } } },
];

let fixture: ClusterState;
let fixtureObserved: ObservedConnection[];
let webshop: ClusterState;
let webshopObserved: ObservedConnection[];
before(async () => {
  fixture = await loadState(join(FIXTURES, 'cluster.yaml'));
  fixtureObserved = (await readFlows([join(FIXTURES, 'hubble.jsonl')], fixture)).connections;
  webshop = await loadState(join(EXAMPLES, 'webshop'));
  webshopObserved = (await readFlows([join(EXAMPLES, 'flows/webshop-hubble.jsonl')], webshop)).connections;
});

const names = (gen: Generation): string[] => gen.policies.map((p) => `${p.namespace}/${p.name}`);
const cnpNamed = (gen: Generation, name: string) =>
  toClusterNetworkPolicy(gen.clusterPolicies.find((p) => p.name === name)!);

describe('--tier baseline', () => {
  test('one Baseline ClusterNetworkPolicy instead of a default-deny NetworkPolicy per namespace', () => {
    const plain = generatePolicies(fixture, fixtureObserved, DEFAULT_GENERATE_OPTIONS);
    const gen = generatePolicies(fixture, fixtureObserved, BASELINE);
    // The per-workload policies stay; only the default-deny ones go.
    assert.deepEqual(
      names(gen),
      names(plain).filter((n) => !n.endsWith('/default-deny')),
    );
    assert.deepEqual(
      gen.clusterPolicies.map((p) => p.name),
      ['netfence-default-deny'],
    );
    assert.deepEqual(cnpNamed(gen, 'netfence-default-deny'), {
      apiVersion: 'policy.networking.k8s.io/v1beta1',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'netfence-default-deny', labels: { 'app.kubernetes.io/managed-by': 'netfence' } },
      spec: {
        tier: 'Baseline',
        priority: 1000,
        subject: { namespaces: {} },
        ingress: [{ name: 'deny-all', action: 'Deny', from: [{ namespaces: {} }] }],
        egress: [
          { name: 'accept-dns', action: 'Accept', to: [{ pods: DNS_PODS }], protocols: DNS_PROTOCOLS },
          {
            name: 'deny-all',
            action: 'Deny',
            to: [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }],
          },
        ],
      },
    });
  });

  test('--exclude-namespace and --skip-default-deny leave namespaces out of its subject', () => {
    const gen = generatePolicies(fixture, fixtureObserved, {
      ...BASELINE,
      excludeNamespaces: ['kube-system'],
      skipDefaultDeny: ['db'],
    });
    assert.deepEqual(cnpNamed(gen, 'netfence-default-deny').spec.subject, {
      namespaces: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['db', 'kube-system'] },
        ],
      },
    });
    assert.deepEqual(
      gen.notices.map(noticeText).filter((n) => n.startsWith('the Baseline')),
      [
        'the Baseline default deny applies to every namespace but db, kube-system, also to those not in the input: their pods keep only what their NetworkPolicies allow and DNS (--exclude-namespace NS to leave one out)',
      ],
    );
  });

  test('--api-server: an Accept rule before the deny, one per set of ports', () => {
    const gen = generatePolicies(fixture, fixtureObserved, {
      ...BASELINE,
      apiServer: [
        { cidr: '10.0.0.10/32', ports: [6443] },
        { cidr: '10.0.0.11/32', ports: [6443] },
        { cidr: 'fd00::10/128', ports: [443, 6443] },
      ],
    });
    const egress = cnpNamed(gen, 'netfence-default-deny').spec.egress!;
    assert.deepEqual(
      egress.map((r) => r.name),
      ['accept-dns', 'accept-api-server', 'accept-api-server-2', 'deny-all'],
    );
    assert.deepEqual(egress[1], {
      name: 'accept-api-server',
      action: 'Accept',
      to: [{ networks: ['10.0.0.10/32', '10.0.0.11/32'] }],
      protocols: [{ tcp: { destinationPort: { number: 6443 } } }],
    });
    assert.deepEqual(egress[2]?.protocols, [
      { tcp: { destinationPort: { number: 443 } } },
      { tcp: { destinationPort: { number: 6443 } } },
    ]);
    assert.equal(
      gen.notices.some((n) => n.kind === 'api-server-unknown'),
      false,
    );
  });

  test('without --api-server: no rule for it, said in a notice that names what was observed on 6443', () => {
    const gen = generatePolicies(webshop, webshopObserved, BASELINE);
    assert.deepEqual(
      gen.notices.map(noticeText).filter((n) => n.includes('API server')),
      [
        "the API server's address is not known: the Baseline policy has no rule for it, so pods no egress policy isolates cannot reach it (give --api-server ADDRESS; observed on TCP 6443: 10.0.0.10)",
      ],
    );
  });

  test('the DNS pods accept lookups from every pod: the Baseline lets every pod it decides for resolve names', () => {
    const gen = generatePolicies(fixture, fixtureObserved, BASELINE);
    const coredns = gen.policies.find((p) => p.name === 'coredns-ingress')!;
    const dns = coredns.rules.find((r) => r.dns)!;
    assert.deepEqual(dns.peers, [{ namespaceSelector: {} }]);
    assert.deepEqual(dns.notes[0], { kind: 'dns-ingress', everyone: 'baseline' });
    // Without --tier, only the workloads observed resolving names.
    const plain = generatePolicies(fixture, fixtureObserved, DEFAULT_GENERATE_OPTIONS);
    const plainDns = plain.policies.find((p) => p.name === 'coredns-ingress')!.rules.find((r) => r.dns)!;
    assert.notDeepEqual(plainDns.peers, [{ namespaceSelector: {} }]);
  });

  test('a priority another Baseline policy has is skipped; a policy of the same name is replaced', () => {
    const theirs = cnp('platform-baseline', {
      tier: 'Baseline',
      priority: 1000,
      subject: { namespaces: {} },
      ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }],
    });
    const old = cnp('netfence-default-deny', { tier: 'Baseline', priority: 5, subject: { namespaces: {} } });
    const state = { ...fixture, clusterPolicies: [theirs, old] };
    const gen = generatePolicies(state, fixtureObserved, BASELINE);
    assert.equal(gen.clusterPolicies[0]?.priority, 999);
    assert.deepEqual(
      gen.keptClusterPolicies.map((p) => p.id),
      ['ClusterNetworkPolicy/platform-baseline'],
    );
    assert.deepEqual(
      gen.notices.map(noticeText).filter((n) => n.includes('priority')),
      [
        'ClusterNetworkPolicy/netfence-default-deny has priority 999: ClusterNetworkPolicy/platform-baseline already has 1000 in its tier',
      ],
    );
    assert.match(
      renderFiles(gen, 'namespace')[0]!.content,
      /\n# Priority 999: at the end of the Baseline tier, .*; not 1000, which\n# ClusterNetworkPolicy\/platform-baseline has \(equal priorities are undefined\)\.\n/,
    );
  });

  test('the Admin guardrails step down together past a priority another Admin policy has', () => {
    const theirs = cnp('platform-admin', { tier: 'Admin', priority: 1000, subject: { namespaces: {} } });
    const gen = generatePolicies({ ...fixture, clusterPolicies: [theirs] }, fixtureObserved, ADMIN);
    assert.deepEqual(
      gen.clusterPolicies.map((p) => [p.name, p.priority]),
      [
        ['netfence-dns-egress', 999],
        ['netfence-dns-ingress', 998],
      ],
    );
    // Only the policy whose own number another policy has is noted; netfence's own step-down is not.
    assert.deepEqual(
      gen.notices
        .filter((n) => n.kind === 'priority-taken')
        .map((n) => n.kind === 'priority-taken' && n.name),
      ['netfence-dns-egress'],
    );
  });

  test('augment mode writes no cluster policy', () => {
    const gen = generatePolicies(fixture, fixtureObserved, { ...BASELINE, mode: 'augment' });
    assert.deepEqual(gen.clusterPolicies, []);
  });
});

describe('--tier admin', () => {
  test('DNS guardrails beside the default-deny NetworkPolicies', () => {
    const plain = generatePolicies(fixture, fixtureObserved, DEFAULT_GENERATE_OPTIONS);
    const gen = generatePolicies(fixture, fixtureObserved, ADMIN);
    assert.deepEqual(names(gen), names(plain));
    assert.deepEqual(
      gen.clusterPolicies.map((p) => [p.name, p.tier, p.priority]),
      [
        ['netfence-dns-egress', 'Admin', 1000],
        ['netfence-dns-ingress', 'Admin', 999],
      ],
    );
    assert.deepEqual(cnpNamed(gen, 'netfence-dns-egress').spec, {
      tier: 'Admin',
      priority: 1000,
      subject: { namespaces: {} },
      egress: [{ name: 'accept-dns', action: 'Accept', to: [{ pods: DNS_PODS }], protocols: DNS_PROTOCOLS }],
    });
    assert.deepEqual(cnpNamed(gen, 'netfence-dns-ingress').spec, {
      tier: 'Admin',
      priority: 999,
      subject: { pods: DNS_PODS },
      ingress: [
        { name: 'accept-dns', action: 'Accept', from: [{ namespaces: {} }], protocols: DNS_PROTOCOLS },
      ],
    });
  });

  test('a namespace left alone is no subject, and DNS pods in one get no ingress guardrail', () => {
    const gen = generatePolicies(fixture, fixtureObserved, { ...ADMIN, excludeNamespaces: ['kube-system'] });
    assert.deepEqual(
      gen.clusterPolicies.map((p) => p.name),
      ['netfence-dns-egress'],
    );
    assert.deepEqual(cnpNamed(gen, 'netfence-dns-egress').spec.subject, {
      namespaces: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
        ],
      },
    });
  });

  test('both tiers: Admin guardrails first, then the Baseline default deny', () => {
    const gen = generatePolicies(fixture, fixtureObserved, {
      ...DEFAULT_GENERATE_OPTIONS,
      tiers: ['baseline', 'admin'],
    });
    assert.deepEqual(
      gen.clusterPolicies.map((p) => p.name),
      ['netfence-dns-egress', 'netfence-dns-ingress', 'netfence-default-deny'],
    );
  });
});

describe('the YAML of the cluster policies', () => {
  test('first, in _cluster.yaml; every document reads back as the object, and as the engine reads it', () => {
    const gen = generatePolicies(fixture, fixtureObserved, {
      ...DEFAULT_GENERATE_OPTIONS,
      tiers: ['admin', 'baseline'],
      apiServer: [{ cidr: '10.0.0.10/32', ports: [6443] }],
    });
    const files = renderFiles(gen, 'workload');
    assert.equal(files[0]?.path, '_cluster.yaml');
    assert.deepEqual(files[0]?.policies, [
      'ClusterNetworkPolicy/netfence-dns-egress',
      'ClusterNetworkPolicy/netfence-dns-ingress',
      'ClusterNetworkPolicy/netfence-default-deny',
    ]);
    const docs = parseAllDocuments(files[0].content).map((d) => d.toJS() as unknown);
    assert.deepEqual(docs, gen.clusterPolicies.map(toClusterNetworkPolicy));
    const info = clusterPolicyInfo(toClusterNetworkPolicy(gen.clusterPolicies[2]!));
    assert.deepEqual(
      [info.tier, info.priority, info.egress.map((r) => `${r.name} ${r.action}`)],
      ['baseline', 1000, ['accept-dns allow', 'accept-api-server allow', 'deny-all deny']],
    );
    // The namespace files say where their default deny went.
    assert.match(
      files.find((f) => f.path === 'app/api.yaml')!.content,
      /\n# The default deny of namespace app is the Baseline ClusterNetworkPolicy netfence-default-deny \(_cluster\.yaml\)\.\n/,
    );
  });

  test("netfence's reader accepts them as the CRD would: no error, no warning, read back the same", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const gen = generatePolicies(webshop, webshopObserved, {
      ...DEFAULT_GENERATE_OPTIONS,
      tiers: ['admin', 'baseline'],
      apiServer: [
        { cidr: '10.0.0.10/32', ports: [6443] },
        { cidr: 'fd00::/120', ports: [443, 6443] },
      ],
      excludeNamespaces: ['monitoring'],
    });
    const cluster = renderFiles(gen, 'namespace')[0]!;
    writeFileSync(join(dir, cluster.path), cluster.content);
    const read = await loadManifests([dir], { defaultNamespace: 'default', skipInvalid: false });
    assert.deepEqual([read.errors, read.warnings], [[], []]);
    assert.deepEqual(
      read.state.clusterPolicies.map((p) => p.spec),
      gen.clusterPolicies.map((p) => toClusterNetworkPolicy(p).spec),
    );
  });
});

describe('verified by the engine, which evaluates the tiers', () => {
  test('baseline: exactly the observed connections, plus what the report says on purpose', () => {
    const gen = generatePolicies(webshop, webshopObserved, {
      ...BASELINE,
      apiServer: [{ cidr: '10.0.0.10/32', ports: [6443] }],
    });
    const v = verifyGeneration(webshop, gen);
    assert.deepEqual([v.ok, v.missing, v.unexpected], [true, [], []]);
    assert.equal(v.checked, webshopObserved.length);
    // postgres and redis open no connection: no egress policy isolates them, the Baseline decides.
    assert.deepEqual(
      v.apiServer.map((u) => u.src),
      ['data/StatefulSet/postgres', 'data/StatefulSet/redis'],
    );
    // report-exporter (a CronJob nothing connects to) has no ingress policy, and the Baseline cannot deny
    // outside addresses: reported, not hidden.
    assert.deepEqual([...new Set(v.outsideIngress.map((u) => u.dst))], ['data/CronJob/report-exporter']);
  });

  test('baseline: pods no allow policy selects lose the traffic the default deny denies (from the engine)', () => {
    // An independent look at connectivity: postgres may reach nothing but DNS and the API server.
    const gen = generatePolicies(webshop, webshopObserved, {
      ...BASELINE,
      apiServer: [{ cidr: '10.0.0.10/32', ports: [6443] }],
    });
    const compiled = compileCluster(stateWithGenerated(webshop, gen));
    const conn = computeConnectivity(compiled, 'workload');
    const fromPostgres = conn.connections
      .filter((c) => c.src === 'data/StatefulSet/postgres')
      .map((c) => c.dst)
      .filter((d) => d !== 'monitoring/DaemonSet/node-exporter');
    const apiServer = externalId(compiled.addressSpace.classOfIp('10.0.0.10')!);
    assert.deepEqual(fromPostgres.sort(), [apiServer, 'kube-system/Deployment/coredns'].sort());
  });

  test('admin: exactly the observed connections, plus DNS for every pod', () => {
    const gen = generatePolicies(webshop, webshopObserved, ADMIN);
    const v = verifyGeneration(webshop, gen);
    assert.deepEqual([v.ok, v.missing, v.unexpected], [true, [], []]);
    // postgres has default-deny egress and never resolved a name: the Admin guardrail lets it.
    assert.ok(v.dns.some((u) => u.src === 'data/StatefulSet/postgres'));
  });

  test("the input's cluster policies are kept: what they decide is theirs, reported, never a failure", () => {
    const name = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
    // An Admin Deny of shop → data (observed connections), an Admin Accept of web → an outside block.
    const deny = cnp('deny-shop-to-data', {
      tier: 'Admin',
      priority: 20,
      subject: { namespaces: name('data') },
      ingress: [{ name: 'no-shop', action: 'Deny', from: [{ namespaces: name('shop') }] }],
    });
    const accept = cnp('web-to-partner', {
      tier: 'Admin',
      priority: 10,
      subject: {
        pods: {
          namespaceSelector: name('shop'),
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
        },
      },
      egress: [{ name: 'partner', action: 'Accept', to: [{ networks: ['203.0.113.0/24'] }] }],
    });
    const state = { ...webshop, clusterPolicies: [deny, accept] };
    for (const options of [DEFAULT_GENERATE_OPTIONS, BASELINE]) {
      const gen = generatePolicies(state, webshopObserved, options);
      assert.equal(gen.keptClusterPolicies.length, 2);
      const v = verifyGeneration(state, gen);
      assert.deepEqual([v.ok, v.missing, v.unexpected], [true, [], []]);
      assert.deepEqual(
        v.deniedByClusterPolicies.map(
          (c) =>
            `${c.src.kind === 'workload' ? c.src.id : ''} → ${c.dst.kind === 'workload' ? c.dst.id : ''}`,
        ),
        [
          'shop/Deployment/api → data/StatefulSet/redis',
          'shop/Deployment/cart → data/StatefulSet/redis',
          'shop/Deployment/catalog → data/StatefulSet/postgres',
          'shop/Deployment/catalog → data/StatefulSet/redis',
          'shop/Deployment/checkout → data/StatefulSet/postgres',
        ],
      );
      // The block is split into address classes at the addresses the generated ipBlocks name.
      assert.deepEqual([...new Set(v.allowedByClusterPolicies.map((u) => u.src))], ['shop/Deployment/web']);
      assert.ok(v.allowedByClusterPolicies.every((u) => u.dst.startsWith('external:')));
    }
  });

  test('what a generated policy allows too much stays unexpected where a kept cluster policy allows it too', () => {
    // An Admin Accept of payment-gateway → 10.1.0.0/16 and the provider's /24: its networks split the address
    // classes apart from the generated policies' alone, so each class is read again by address.
    const name = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
    const accept = cnp('gateway-to-provider', {
      tier: 'Admin',
      priority: 10,
      subject: {
        pods: {
          namespaceSelector: name('payments'),
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'payment-gateway' } },
        },
      },
      egress: [{ name: 'provider', action: 'Accept', to: [{ networks: ['10.1.0.0/16', '203.0.113.0/24'] }] }],
    });
    const state = { ...webshop, clusterPolicies: [accept] };
    const gen = generatePolicies(state, webshopObserved, DEFAULT_GENERATE_OPTIONS);
    assert.ok(verifyGeneration(state, gen).ok);
    // The gateway's rule to 203.0.113.10 on every port (`ports: []`) instead of TCP 443.
    const provider = (r: Generation['policies'][number]['rules'][number]): boolean =>
      r.peers.some((p) => p.ipBlock?.cidr === '203.0.113.10/32');
    const broken: Generation = {
      ...gen,
      policies: gen.policies.map((p) =>
        p.name === 'payment-gateway-egress'
          ? { ...p, rules: p.rules.map((r) => (provider(r) ? { ...r, ports: [] } : r)) }
          : p,
      ),
    };
    assert.ok(broken.policies.some((p) => p.rules.some((r) => provider(r) && r.ports.length === 0)));
    const v = verifyGeneration(state, broken);
    assert.equal(v.ok, false);
    assert.deepEqual(
      v.unexpected.map((u) => `${u.src} ${formatPorts(u.ports)}`),
      // Its rule names 203.0.113.10 and .11: two address classes.
      [
        'payments/Deployment/payment-gateway TCP 1-442,444-65535; UDP all ports; SCTP all ports',
        'payments/Deployment/payment-gateway TCP 1-442,444-65535; UDP all ports; SCTP all ports',
      ],
    );
  });

  test('a kept Admin Accept of pods into a workload no ingress policy isolates: its, not outside traffic', () => {
    // shop's pods may reach report-exporter (no observed ingress, so no ingress policy; the Baseline denies it).
    const name = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
    const accept = cnp('shop-to-prometheus', {
      tier: 'Admin',
      priority: 10,
      subject: {
        pods: {
          namespaceSelector: name('data'),
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'report-exporter' } },
        },
      },
      ingress: [{ name: 'shop', action: 'Accept', from: [{ namespaces: name('shop') }] }],
    });
    const out = cnp('shop-out-to-exporter', {
      tier: 'Admin',
      priority: 11,
      subject: { namespaces: name('shop') },
      egress: [
        {
          name: 'exporter',
          action: 'Accept',
          to: [
            {
              pods: {
                namespaceSelector: name('data'),
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'report-exporter' } },
              },
            },
          ],
        },
      ],
    });
    const state = { ...webshop, clusterPolicies: [accept, out] };
    const gen = generatePolicies(state, webshopObserved, BASELINE);
    const v = verifyGeneration(state, gen);
    assert.ok(v.ok);
    assert.deepEqual(
      v.allowedByClusterPolicies.map((u) => `${u.src} → ${u.dst}: ${formatPorts(u.ports)}`),
      ['api', 'cart', 'catalog', 'checkout', 'web'].map(
        (w) => `shop/Deployment/${w} → data/CronJob/report-exporter: All connections`,
      ),
    );
    // "From outside the cluster or from host-network pods" holds only those: no pod of shop.
    const outside = new Set(
      v.outsideIngress.map((u) => (u.src.startsWith('external:') ? 'external' : u.src)),
    );
    assert.deepEqual([...outside].sort(), ['external', 'monitoring/DaemonSet/node-exporter']);
  });

  test('verification catches a Baseline policy that does not deny', () => {
    const gen = generatePolicies(webshop, webshopObserved, BASELINE);
    const broken: Generation = {
      ...gen,
      clusterPolicies: gen.clusterPolicies.map((p) => ({
        ...p,
        egress: p.egress.filter((r) => r.action !== 'Deny'),
      })),
    };
    const v = verifyGeneration(webshop, broken);
    assert.equal(v.ok, false);
    assert.ok(v.unexpected.some((u) => u.src === 'data/StatefulSet/postgres'));
  });
});

describe('generate --tier on the command line', () => {
  const WEBSHOP = ['generate', 'examples/webshop', '--flows', 'examples/flows/webshop-hubble.jsonl'];

  test('--tier baseline --api-server: the YAML and the report (golden files, reviewed)', async () => {
    const r = await runCli([...WEBSHOP, '--tier', 'baseline', '--api-server', '10.0.0.10:6443']);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('generate/webshop-baseline.yaml', r.stdout);
    assertGolden('generate/webshop-baseline.report.txt', r.stderr);
  });

  test('--tier admin: the guardrails (golden, reviewed) before the same NetworkPolicies as without it', async () => {
    const [admin, plain] = await Promise.all([runCli([...WEBSHOP, '--tier', 'admin']), runCli(WEBSHOP)]);
    assert.equal(admin.code, 0, admin.stderr);
    const cut = admin.stdout.indexOf('# NetworkPolicies for namespace ');
    assertGolden('generate/webshop-admin.cluster.yaml', admin.stdout.slice(0, cut));
    assert.equal(admin.stdout.slice(cut), plain.stdout);
    assertGolden('generate/webshop-admin.report.txt', admin.stderr);
  });

  test('-o json: the cluster policies as objects, and the verification of the tiers', async () => {
    const r = await runCli([...WEBSHOP, '--tier', 'baseline', '--tier', 'admin', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as GenerateJson;
    assert.deepEqual(
      json.clusterPolicies.map((p) => [p.id, p.role, p.object.spec.tier]),
      [
        ['ClusterNetworkPolicy/netfence-dns-egress', 'dns-egress', 'Admin'],
        ['ClusterNetworkPolicy/netfence-dns-ingress', 'dns-ingress', 'Admin'],
        ['ClusterNetworkPolicy/netfence-default-deny', 'default-deny', 'Baseline'],
      ],
    );
    assert.equal(json.files[0]?.path, '_cluster.yaml');
    assert.equal(json.verification.ok, true);
    assert.deepEqual(
      [...new Set(json.verification.outsideIngress.map((u) => u.dst))],
      ['data/CronJob/report-exporter'],
    );
  });

  test('mistakes are one-line errors that say what to give', async () => {
    const cases: [string[], string][] = [
      [
        ['--tier', 'foo'],
        'netfence: --tier expects baseline or admin (both: --tier baseline --tier admin); got "foo"\n',
      ],
      [
        ['--tier', 'baseline', '--mode', 'augment'],
        'netfence: --tier baseline works with --mode fresh only: augment mode keeps the existing policies and adds only what observed traffic needs\n',
      ],
      [
        ['--api-server', '10.0.0.10'],
        'netfence: --api-server is for the Baseline policy: add --tier baseline (or leave --api-server out)\n',
      ],
      [
        ['--tier', 'baseline', '--api-server', '10.0.0.1/8'],
        'netfence: --api-server expects an address or CIDR with an optional port, like 10.0.0.10 or 10.0.0.10:6443; got "10.0.0.1/8": host bits are set, did you mean 10.0.0.0/8?\n',
      ],
      [
        ['--tier', 'baseline', '--api-server', '10.0.0.10:70000'],
        'netfence: --api-server expects an address or CIDR with an optional port, like 10.0.0.10 or 10.0.0.10:6443; got "10.0.0.10:70000": the port is 1 to 65535\n',
      ],
      [
        ['--tier', 'baseline', '--exclude-namespace', 'Kube_System'],
        'netfence: --exclude-namespace "Kube_System": not a namespace name (lowercase letters, digits and "-", at most 63, starting and ending with a letter or digit)\n',
      ],
    ];
    for (const [extra, message] of cases) {
      const r = await runCli([...WEBSHOP, ...extra]);
      assert.deepEqual(
        [
          r.code,
          r.stderr
            .split('\n')
            .filter((l) => l.startsWith('netfence:'))
            .join('\n') + '\n',
        ],
        [2, message],
      );
    }
  });
});

describe('--output-dir with --tier', () => {
  test('_cluster.yaml beside the namespace files; a later run without --tier removes it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const args = [
      'generate',
      'test/fixtures/flows/cluster.yaml',
      '--flows',
      'test/fixtures/flows/hubble.jsonl',
    ];
    const r1 = await runCli([...args, '--tier', 'baseline', '--output-dir', dir]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ['_cluster.yaml', 'app.yaml', 'db.yaml', 'kube-system.yaml']);
    assert.match(readFileSync(join(dir, '_cluster.yaml'), 'utf8'), /\n {2}name: netfence-default-deny\n/);
    const r2 = await runCli([...args, '--output-dir', dir]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ['app.yaml', 'db.yaml', 'kube-system.yaml']);
    assert.match(r2.stdout, /\nremoved 1 file netfence had generated before: _cluster\.yaml\n/);
  });
});

describe('--api-server values', () => {
  test('an address, a CIDR, with or without a port; IPv6 in brackets when it has one', () => {
    assert.deepEqual(parseApiServer('10.0.0.10'), { cidr: '10.0.0.10/32', ports: [443, 6443] });
    assert.deepEqual(parseApiServer('10.0.0.10:6443'), { cidr: '10.0.0.10/32', ports: [6443] });
    assert.deepEqual(parseApiServer('10.0.0.0/29:443'), { cidr: '10.0.0.0/29', ports: [443] });
    assert.deepEqual(parseApiServer('fd00::1'), { cidr: 'fd00::1/128', ports: [443, 6443] });
    assert.deepEqual(parseApiServer('[fd00::1]:6443'), { cidr: 'fd00::1/128', ports: [6443] });
    assert.throws(() => parseApiServer('api.example.com'), /got "api\.example\.com"$/);
  });

  test('with --tier baseline, a namespace the input does not hold can be left out', async () => {
    // The Baseline policy covers every namespace, also those the input does not hold (a kube-system of
    // which the input has no workload, say): leaving one out must be possible.
    const args = [
      'generate',
      'test/fixtures/flows/cluster.yaml',
      '--flows',
      'test/fixtures/flows/hubble.jsonl',
    ];
    const r = await runCli([...args, '--tier', 'baseline', '--exclude-namespace', 'sandbox']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /operator: NotIn\n\s+values: \[sandbox\]\n/);
    // Without --tier baseline, no policy would cover it: naming it is a mistake worth a message.
    const plain = await runCli([...args, '--exclude-namespace', 'sandbox']);
    assert.equal(plain.code, 2);
  });
});
