/**
 * `serve` on a cluster with all three layers (test/fixtures/serve-tiers, its README lists who decides what):
 * the model's cluster policies and what allowed each connection, the layers of `/api/explain`, and what-ifs
 * that add, change and turn off cluster policies.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import type { ConnectionJson, ExplainAnswerJson, ModelJson, WhatIfJson } from '../../src/contract/api.ts';
import { accessToAddress, accessToPod } from '../../src/engine/compile.ts';
import type { ClassEnd } from '../../src/engine/connectivity.ts';
import { ALL_CONNECTIONS, intersectPorts, portsEqual } from '../../src/engine/ports.ts';
import { allowedPorts, decideConnection, type LayerStep } from '../../src/server/tiers.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { serve } from './serve.ts';
import { guardProgress } from '../support/progress.ts';
import { webshopAnalysis } from './support.ts';

const FIXTURE = 'test/fixtures/serve-tiers';
/** A what-if on it: an Admin deny of monitoring into prod. */
const NO_MONITORING = 'test/fixtures/serve-tiers-no-monitoring.yaml';
let analysis: Analysis;
let model: ModelJson;

before(async () => {
  analysis = await webshopAnalysis({ path: FIXTURE });
  model = analysis.model();
});
after(() => analysis.close());

const id = (ref: string): string => {
  const [ns, name] = ref.split('/');
  return `${ns}/Deployment/${name}`;
};
const connection = (src: string, dst: string): ConnectionJson | undefined =>
  model.connections?.find((c) => c.src === id(src) && c.dst === id(dst));
/** A step of the walk as one line: `admin ClusterNetworkPolicy/guardrails#0 deny All connections`. */
const line = (s: LayerStep): string =>
  [
    s.layer,
    s.policy === undefined ? null : `${s.policy.info.id}#${s.rule!.index}`,
    s.action,
    formatPorts(s.ports),
  ]
    .filter((x) => x !== null)
    .join(' ');
/** The walk of both directions between two workloads (one pod class each). */
const layers = (src: string, dst: string): { egress: string[]; ingress: string[] } => {
  const index = analysis.index;
  const [s] = index.ends(id(src));
  const [d] = index.ends(id(dst));
  const walk = decideConnection(analysis.compiled, s!, d!, ALL_CONNECTIONS);
  return { egress: walk.egress.map(line), ingress: walk.ingress.map(line) };
};

describe('serve with cluster policy tiers', () => {
  test('the model lists the cluster policies in evaluation order, with their rules in words and YAML as written', () => {
    assert.deepEqual(
      model.clusterPolicies.map((p) => [p.id, p.tier, p.priority]),
      [
        ['ClusterNetworkPolicy/guardrails', 'admin', 10],
        ['ClusterNetworkPolicy/shop-internal', 'admin', 20],
        ['ClusterNetworkPolicy/no-dev-into-prod', 'baseline', 10],
        ['BaselineAdminNetworkPolicy/default', 'baseline', null],
      ],
    );
    const guardrails = model.clusterPolicies[0]!;
    assert.equal(guardrails.subject, 'namespaces env=prod');
    assert.deepEqual(guardrails.ingress, [
      {
        index: 0,
        name: 'no-sandbox',
        action: 'deny',
        peers: ['namespaces kubernetes.io/metadata.name=sandbox'],
        ports: 'all ports',
      },
      {
        index: 1,
        name: 'scrape',
        action: 'allow',
        peers: ['namespaces kubernetes.io/metadata.name=monitoring'],
        ports: 'TCP 9090',
      },
    ]);
    assert.deepEqual(guardrails.selects, [
      'shop/Deployment/api',
      'shop/Deployment/db',
      'shop/Deployment/web',
    ]);
    assert.equal(guardrails.file, `${FIXTURE}/cluster-policies.yaml`);
    assert.equal(guardrails.line, 2);
    // As written, comments included (not rebuilt from the spec).
    assert.match(guardrails.yaml, /^apiVersion: .*\n[^]*priority: 10 # first of the Admin tier\n/);
    assert.deepEqual(model.clusterPolicies[3]!.selects, ['dev/Deployment/app']);
  });

  test('a workload lists the cluster policies selecting it, Admin tier first', () => {
    const db = model.workloads.find((w) => w.id === id('shop/db'))!;
    assert.deepEqual(db.clusterPolicies, [
      'ClusterNetworkPolicy/guardrails',
      'ClusterNetworkPolicy/shop-internal',
      'ClusterNetworkPolicy/no-dev-into-prod',
    ]);
    assert.deepEqual(db.policies, ['shop/db-from-api']);
    assert.deepEqual(model.workloads.find((w) => w.id === id('sandbox/tool'))!.clusterPolicies, []);
  });

  test('each connection says which layer, policy and rule allowed it, per direction', () => {
    assert.deepEqual(connection('monitoring/prom', 'shop/db')?.allowedBy, {
      egress: [{ layer: 'default', policy: null, rule: null }],
      ingress: [{ layer: 'admin', policy: 'ClusterNetworkPolicy/guardrails', rule: 1 }],
    });
    // The Admin Accept on 9090, the default on every other port.
    assert.deepEqual(connection('monitoring/prom', 'shop/web')?.allowedBy?.ingress, [
      { layer: 'admin', policy: 'ClusterNetworkPolicy/guardrails', rule: 1 },
      { layer: 'default', policy: null, rule: null },
    ]);
    assert.deepEqual(connection('shop/api', 'shop/db')?.allowedBy?.ingress, [
      { layer: 'network-policy', policy: null, rule: null },
    ]);
    assert.deepEqual(connection('shop/api', 'shop/web')?.allowedBy?.ingress, [
      { layer: 'default', policy: null, rule: null },
    ]);
    // Denied pairs are not drawn.
    assert.equal(connection('sandbox/tool', 'shop/web'), undefined);
    assert.equal(connection('dev/app', 'shop/web'), undefined);
  });

  test('the walk goes through the layers: Admin, NetworkPolicy, Baseline, default', () => {
    assert.deepEqual(layers('sandbox/tool', 'shop/web').ingress, [
      'admin ClusterNetworkPolicy/guardrails#0 deny All connections',
    ]);
    assert.deepEqual(layers('shop/web', 'shop/db').ingress, [
      'admin ClusterNetworkPolicy/shop-internal#0 pass All connections',
      'network-policy deny All connections',
    ]);
    assert.deepEqual(layers('shop/api', 'shop/db').ingress, [
      'admin ClusterNetworkPolicy/shop-internal#0 pass All connections',
      'network-policy allow TCP 5432',
      'network-policy deny TCP 1-5431,5433-65535; UDP all ports; SCTP all ports',
    ]);
    assert.deepEqual(layers('dev/app', 'shop/web'), {
      egress: ['default allow All connections'],
      ingress: ['baseline ClusterNetworkPolicy/no-dev-into-prod#0 deny All connections'],
    });
    assert.deepEqual(layers('sandbox/tool', 'dev/app').ingress, [
      'baseline BaselineAdminNetworkPolicy/default#0 deny All connections',
    ]);
    // The deciding rules are explain's (src/engine/explain.ts walks the same tiers rule by rule).
    const explained = analysis.explain(id('shop/api'), id('shop/db'), null).explanations[0]!.ingress.tiers
      .paths;
    assert.deepEqual(
      explained.map((p) => p.text),
      [
        '[Admin] cnp/shop-internal ingress rule 0 Pass (test/fixtures/serve-tiers/cluster-policies.yaml:44) → [NetworkPolicy] isolated: a rule allows it → allowed',
        '[Admin] cnp/shop-internal ingress rule 0 Pass (test/fixtures/serve-tiers/cluster-policies.yaml:44) → [NetworkPolicy] isolated: no rule allows it → denied',
      ],
    );
  });

  test('each direction is decided by the layer and rule explain names, for every pair of workloads', () => {
    const key = (layer: string, policy: string | null, rule: number | null, allowed: boolean): string =>
      `${layer} ${policy ?? '-'} ${rule ?? '-'} ${allowed ? 'allow' : 'deny'}`;
    const workloads = model.workloads.map((w) => w.id);
    let compared = 0;
    for (const src of workloads) {
      for (const dst of workloads) {
        // explain reads a workload to itself as a pod to its own IP (hairpin: no tiers); the model, as two pods.
        if (src === dst) continue;
        const [explanation] = analysis.explain(src, dst, null).explanations;
        const [s] = analysis.index.ends(src);
        const [d] = analysis.index.ends(dst);
        const walk = decideConnection(analysis.compiled, s!, d!, ALL_CONNECTIONS);
        for (const dir of ['egress', 'ingress'] as const) {
          const mine = new Set(
            walk[dir]
              .filter((x) => x.action !== 'pass')
              .map((x) =>
                key(x.layer, x.policy?.info.id ?? null, x.rule?.index ?? null, x.action === 'allow'),
              ),
          );
          const theirs = new Set(
            explanation![dir].tiers.paths.map((p) => {
              const last = p.steps.at(-1);
              const rule = last?.kind === 'rule' ? last.match : undefined;
              return key(p.decidedBy, rule?.policy ?? null, rule?.rule ?? null, p.allowed);
            }),
          );
          assert.deepEqual([...mine].sort(), [...theirs].sort(), `${dir} of ${src} → ${dst}`);
          compared++;
        }
      }
    }
    assert.equal(compared, 6 * 5 * 2);
  });

  test('what the walks allow is what the engine allows, for every pair of class ends', () => {
    const compiled = analysis.compiled;
    const ends: ClassEnd[] = [
      ...compiled.classes.map((c) => ({ pod: c.id })),
      ...compiled.addressSpace.classes.map((_, a) => ({ address: a })),
    ];
    let checked = 0;
    for (const src of ends) {
      for (const dst of ends) {
        if ('address' in src && 'address' in dst) continue;
        const walk = decideConnection(compiled, src, dst, ALL_CONNECTIONS);
        const egress = 'pod' in src ? allowedPorts(walk.egress) : ALL_CONNECTIONS;
        const ingress = 'pod' in dst ? allowedPorts(walk.ingress) : ALL_CONNECTIONS;
        const expected = intersectPorts(
          'pod' in src
            ? 'pod' in dst
              ? accessToPod(compiled.egress[src.pod]!, compiled.classes[dst.pod]!)
              : accessToAddress(compiled.egress[src.pod]!, dst.address)
            : ALL_CONNECTIONS,
          'pod' in dst
            ? 'pod' in src
              ? accessToPod(compiled.ingress[dst.pod]!, compiled.classes[src.pod]!)
              : accessToAddress(compiled.ingress[dst.pod]!, src.address)
            : ALL_CONNECTIONS,
        );
        assert.ok(portsEqual(intersectPorts(egress, ingress), expected), JSON.stringify([src, dst]));
        checked++;
      }
    }
    assert.ok(checked > 40);
  });
});

describe('what-if with cluster policies', () => {
  const run = (changes: unknown[]): Promise<WhatIfJson> => analysis.whatIf({ changes });
  const edge = (r: WhatIfJson, src: string, dst: string) =>
    r.edges.find((e) => e.src === id(src) && e.dst === id(dst));
  const DENY_MONITORING = readFileSync(NO_MONITORING, 'utf8');

  test('a new Admin deny removes the edges it denies, even those an Admin Accept allowed', async () => {
    const r = await run([{ yaml: DENY_MONITORING }]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.applied, [0]);
    assert.equal(edge(r, 'monitoring/prom', 'shop/db')?.change, 'removed');
    assert.equal(edge(r, 'monitoring/prom', 'shop/web')?.change, 'removed');
    assert.equal(edge(r, 'monitoring/prom', 'shop/api')?.change, 'removed');
    assert.equal(r.summary.removed, 3);
    assert.equal(r.summary.added, 0);
    // The cluster policy is counted and listed with the policy changes, as `diff` does.
    assert.equal(r.summary.clusterPoliciesAdded, 1);
    assert.equal(r.summary.policiesAdded, 0);
    assert.deepEqual(
      r.clusterPolicies.map((p) => [p.change, p.id, p.tier.after, p.priority.after]),
      [['added', 'ClusterNetworkPolicy/no-monitoring', 'Admin', 1]],
    );
    assert.deepEqual(r.clusterPolicies, r.diff.clusterPolicies);
  });

  test('turning a cluster policy off, and editing one, change the edges it decided', async () => {
    const off = await run([{ target: 'ClusterNetworkPolicy/guardrails' }]);
    assert.deepEqual(off.problems, []);
    assert.equal(edge(off, 'sandbox/tool', 'shop/web')?.change, 'added');
    // Without the Accept, the NetworkPolicy of db decides: monitoring no longer reaches it.
    assert.equal(edge(off, 'monitoring/prom', 'shop/db')?.change, 'removed');
    const banp = model.clusterPolicies.find((p) => p.id === 'BaselineAdminNetworkPolicy/default')!.yaml;
    const edited = await run([
      { target: 'BaselineAdminNetworkPolicy/default', yaml: banp.replace('action: Deny', 'action: Allow') },
    ]);
    assert.deepEqual(edited.problems, []);
    assert.equal(edge(edited, 'sandbox/tool', 'dev/app')?.change, 'added');
    assert.deepEqual(
      [off, edited].map((r) => [
        r.summary.clusterPoliciesRemoved,
        r.summary.clusterPoliciesModified,
        r.clusterPolicies.map((p) => `${p.change} ${p.id}`),
      ]),
      [
        [1, 0, ['removed ClusterNetworkPolicy/guardrails']],
        [0, 1, ['modified BaselineAdminNetworkPolicy/default']],
      ],
    );
  });

  test('an invalid cluster policy is a problem at its line and column, and nothing is applied', async () => {
    const r = await run([{ yaml: DENY_MONITORING.replace('priority: 1', 'priority: 5000') }]);
    assert.deepEqual(r.applied, []);
    assert.equal(r.problems.length, 1);
    const p = r.problems[0]!;
    assert.equal(p.severity, 'error');
    assert.equal(p.path, 'spec.priority');
    assert.deepEqual([p.line, p.column], [8, 3]);
    assert.match(p.message, /5000/);
    assert.ok(r.edges.every((e) => e.change === 'unchanged'));
  });

  test("a new cluster policy may not take an existing one's name", async () => {
    const r = await run([{ yaml: DENY_MONITORING.replace('no-monitoring', 'guardrails') }]);
    assert.deepEqual(r.applied, []);
    assert.match(r.problems[0]!.message, /policy "ClusterNetworkPolicy\/guardrails" already exists/);
    assert.deepEqual([r.problems[0]!.line, r.problems[0]!.path], [5, 'metadata.name']);
  });
});

describe('reach by DNS name in the model', () => {
  test('the model lists it apart from connections, with the count analyze gives', async () => {
    const dns = await webshopAnalysis({ path: 'test/fixtures/tiers' });
    try {
      const m = dns.model();
      const entries = m.domains.map((d) => `${d.src} ${d.domain} ${d.summary}`);
      assert.deepEqual(entries, [
        'tenant-a/Deployment/api *.github.com TCP 443',
        'tenant-a/Deployment/api api.example.com TCP 443',
        'tenant-a/Deployment/web *.github.com TCP 443',
        'tenant-a/Deployment/web api.example.com TCP 443',
        'tenant-b/Deployment/web *.github.com TCP 443',
        'tenant-b/Deployment/web api.example.com TCP 443',
      ]);
      // analyze: `33 allowed connections in 15 rows, plus 6 by DNS name`.
      assert.equal(m.summary.connections, 33);
      assert.equal(m.summary.domains, 6);
      assert.equal(m.connections?.length, 33);
      assert.deepEqual(m.domains[0]!.ports, { TCP: [[443, 443]], UDP: [], SCTP: [] });
    } finally {
      dns.close();
    }
    assert.equal(model.summary.domains, 0);
    assert.deepEqual(model.domains, []);
  });
});

describe('netfence serve on the tiered fixture, over HTTP', () => {
  test('says how many cluster policies it read, and the API carries the tiers', async () => {
    const s = await serve([FIXTURE, '--port', '0']);
    try {
      // Its stderr line may cross the pipe after its URL: waited for until it exits or is stuck, not by a count.
      let stuck: string | undefined;
      const unguard = guardProgress(s.child.pid!, { cpuMs: 60_000, fallbackMs: 300_000 }, (reason) => {
        stuck = reason;
      });
      try {
        while (!/cluster policies/.test(s.stderr())) {
          const exited = s.child.exitCode ?? s.child.signalCode;
          assert.ok(
            exited === null && stuck === undefined,
            `${stuck ?? `exited: ${String(exited)}`}\n${s.stderr()}`,
          );
          await sleep(20);
        }
      } finally {
        unguard();
      }
      assert.match(s.stderr(), /serve-tiers: 6 workloads in 4 namespaces, 1 policy, 4 cluster policies\n/);
      const m = (await (await fetch(`${s.origin}/api/model`)).json()) as ModelJson;
      assert.equal(m.clusterPolicies.length, 4);
      const q = new URLSearchParams({ from: 'sandbox/tool', to: 'shop/web' });
      const x = (await (await fetch(`${s.origin}/api/explain?${q.toString()}`)).json()) as ExplainAnswerJson;
      assert.deepEqual(
        x.explanations.map((e) => e.ingress.tiers.paths.map((p) => p.text)),
        [
          [
            '[Admin] cnp/guardrails ingress rule 0 "no-sandbox" Deny (test/fixtures/serve-tiers/cluster-policies.yaml:14) → denied',
          ],
        ],
      );
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });
});
