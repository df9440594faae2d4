/**
 * The benchmark's synthetic clusters: the generator is deterministic (same tier, mix and seed, same bytes),
 * writes manifests the parser accepts without a problem, and the clusters it writes analyze to the same
 * answer with the optimized engine and the naive reference evaluator. T0 is the tiny tier made for this.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLUSTER_POLICIES,
  GENERATOR_VERSION,
  MIXES,
  STATS_FILE,
  TIERS,
  generateFiles,
  readStats,
  toYaml,
  writeCluster,
  type GenerateOptions,
  type GeneratedFile,
  type GeneratedStats,
} from '../../bench/generate.ts';
import { parse, parseAllDocuments } from 'yaml';
import { compileCluster, type Endpoint } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { portsContain } from '../../src/engine/ports.ts';
import { compileSelector, selectorMatches } from '../../src/engine/selectors.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumPolicyObject } from '../../src/model/cilium-wire.ts';
import {
  PROTOCOLS,
  type ClusterNetworkPolicy,
  type LabelSelector,
  type Namespace,
} from '../../src/model/k8s.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { probeIps, probePorts } from '../support/arbitraries.ts';
import { naiveAllowed } from '../support/naive.ts';

function files(options: GenerateOptions): GeneratedFile[] {
  return [...generateFiles(options)];
}

/** The files and the stats the generator returns at the end. */
function filesAndStats(options: GenerateOptions): { files: GeneratedFile[]; stats: GeneratedStats } {
  const it = generateFiles(options);
  const out: GeneratedFile[] = [];
  for (let r = it.next(); ; r = it.next()) {
    if (r.done === true) return { files: out, stats: r.value };
    out.push(r.value);
  }
}

function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTree(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

async function load(dir: string): Promise<ClusterState> {
  const result = await loadManifests([dir], { defaultNamespace: 'default', skipInvalid: false });
  // The generator writes valid objects only: a problem here is a generator bug.
  assert.deepEqual(result.errors, []);
  // The one kind of warning: the cilium mix's rules through the entities `health` and `kube-apiserver`, which
  // netfence reads but cannot evaluate (their addresses are the agent's, learnt at run time).
  assert.deepEqual(
    result.warnings.filter(
      (w) =>
        !(
          w.code === 'cilium-not-evaluated' && /^(from|to)Entities "(health|kube-apiserver)"/.test(w.message)
        ),
    ),
    [],
  );
  return result.state;
}

/** The documents of the generated files under `folder` (`tenant-0001/`, `cluster-policies/`), as plain data. */
function documents<T>(generated: readonly GeneratedFile[], folder: string): T[] {
  return generated
    .filter((f) => f.path.startsWith(folder))
    .flatMap((f) => parseAllDocuments(f.text).map((d) => d.toJS() as T));
}

/**
 * What the tiers mix promises of its ClusterNetworkPolicies: v1beta1 with unique names, both tiers, every
 * action, `networks` peers, several priorities; and where two policies of one tier share a priority, their
 * subjects (namespace selectors) select disjoint namespaces, so that the API never leaves the order undefined.
 */
function checkClusterPolicies(generated: readonly GeneratedFile[]): ClusterNetworkPolicy[] {
  const cnps = documents<ClusterNetworkPolicy>(generated, 'cluster-policies/');
  // Each namespace's workloads.yaml starts with its Namespace (only that document is read: T2 is 5 MB).
  const namespaces = generated
    .filter((f) => f.path.endsWith('/workloads.yaml'))
    .map((f) => parse(f.text.split('\n---\n')[0]!.replace(/^---\n/, '')) as Namespace);
  assert.ok(namespaces.length > 0 && namespaces.every((ns) => ns.kind === 'Namespace'));
  assert.ok(cnps.every((p) => p.apiVersion === 'policy.networking.k8s.io/v1beta1'));
  assert.equal(new Set(cnps.map((p) => p.metadata.name)).size, cnps.length);
  assert.deepEqual(new Set(cnps.map((p) => p.spec.tier)), new Set(['Admin', 'Baseline']));
  const rules = cnps.flatMap((p) => [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]);
  assert.deepEqual(new Set(rules.map((r) => r.action)), new Set(['Accept', 'Deny', 'Pass']));
  assert.ok(cnps.some((p) => p.spec.egress?.some((r) => r.to?.some((peer) => peer.networks !== undefined))));
  assert.ok(new Set(cnps.map((p) => `${p.spec.tier} ${p.spec.priority}`)).size >= 6);
  const selected = new Map<string, string>();
  for (const p of cnps) {
    const subject = p.spec.subject?.namespaces as LabelSelector;
    const selector = compileSelector(subject);
    for (const ns of namespaces) {
      const labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name ?? '' };
      if (!selectorMatches(selector, labels)) continue;
      const key = `${p.spec.tier} ${p.spec.priority} ${ns.metadata.name}`;
      assert.equal(
        selected.get(key),
        undefined,
        `${p.metadata.name} and ${selected.get(key)} both select ${key}`,
      );
      selected.set(key, p.metadata.name ?? '');
    }
  }
  return cnps;
}

/** Every `step`-th element, so that a large product is sampled evenly and the same way every run. */
function every<T>(list: readonly T[], step: number): T[] {
  return list.filter((_, i) => i % step === 0);
}

describe('bench/generate', () => {
  test('the same tier, mix and seed give the same bytes; another seed another cluster', () => {
    for (const mix of MIXES) {
      const a = files({ tier: 'T0', mix, seed: 1 });
      assert.deepEqual(files({ tier: 'T0', mix, seed: 1 }), a, mix);
      if (mix !== 'none') assert.notDeepEqual(files({ tier: 'T0', mix, seed: 2 }), a, mix);
    }
  });

  test('writes the folder it promises, with its stats, and writes it identically twice', () => {
    const root = mkdtempSync(join(tmpdir(), 'netfence-bench-'));
    try {
      const first = writeCluster(join(root, 'a'), { tier: 'T0', mix: 'microseg', seed: 7 });
      writeCluster(join(root, 'b'), { tier: 'T0', mix: 'microseg', seed: 7 });
      const tree = listTree(join(root, 'a')).sort();
      assert.deepEqual(listTree(join(root, 'b')).sort(), tree);
      for (const f of tree) {
        assert.equal(readFileSync(join(root, 'b', f), 'utf8'), readFileSync(join(root, 'a', f), 'utf8'), f);
      }
      assert.ok(tree.includes(STATS_FILE));
      assert.ok(tree.includes(join('kube-system', 'workloads.yaml')));
      assert.ok(tree.includes(join('tenant-0001', 'networkpolicies.yaml')));
      assert.deepEqual(readStats(join(root, 'a')), first);
      assert.equal(first.generator, GENERATOR_VERSION);
      assert.deepEqual(
        [first.namespaces, first.workloads, first.pods, first.policies],
        [TIERS.T0.namespaces, TIERS.T0.workloads, TIERS.T0.pods, TIERS.T0.policies],
      );
      // A folder it did not write is never replaced.
      assert.throws(
        () => writeCluster(join(root, 'a', 'kube-system'), { tier: 'T0', mix: 'none', seed: 1 }),
        /not written by bench\/generate/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('the tiers mix is the microseg cluster byte for byte, plus its ClusterNetworkPolicies', () => {
    const microseg = files({ tier: 'T0', mix: 'microseg', seed: 3 });
    const { files: tiers, stats } = filesAndStats({ tier: 'T0', mix: 'tiers', seed: 3 });
    assert.deepEqual(
      tiers.filter((f) => !f.path.startsWith('cluster-policies/')),
      microseg,
    );
    assert.deepEqual(
      tiers.filter((f) => f.path.startsWith('cluster-policies/')).map((f) => f.path),
      ['cluster-policies/clusternetworkpolicies.yaml'],
    );
    const cnps = checkClusterPolicies(tiers);
    assert.equal(stats.clusterPolicies, cnps.length);
    assert.equal(stats.policies, TIERS.T0.policies);
    // Microseg (and every other mix) writes none.
    assert.ok(!microseg.some((f) => f.path.startsWith('cluster-policies/')));
  });

  test('the cilium mix is the microseg cluster byte for byte, plus Cilium policies with denies, entities, L7 and names', () => {
    const microseg = files({ tier: 'T0', mix: 'microseg', seed: 3 });
    const { files: cilium, stats } = filesAndStats({ tier: 'T0', mix: 'cilium', seed: 3 });
    const isCilium = (f: GeneratedFile): boolean =>
      f.path.endsWith('/cilium.yaml') || f.path.endsWith('ciliumclusterwidenetworkpolicies.yaml');
    assert.deepEqual(
      cilium.filter((f) => !isCilium(f)),
      microseg,
    );
    const infos = cilium
      .filter(isCilium)
      .flatMap((f) => parseAllDocuments(f.text).map((d) => ciliumPolicyInfo(d.toJS() as CiliumPolicyObject)));
    assert.equal(stats.ciliumPolicies, infos.length);
    assert.equal(infos.filter((p) => p.kind === 'CiliumClusterwideNetworkPolicy').length, 3);
    const specs = infos.flatMap((p) => p.specs);
    const peers = specs
      .flatMap((s) => [...s.ingress, ...s.egress, ...s.ingressDeny, ...s.egressDeny])
      .flatMap((x) => x.peers);
    for (const entity of ['world', 'remote-node', 'health', 'kube-apiserver'])
      assert.ok(
        peers.some((p) => p.kind === 'entity' && p.entity === entity),
        entity,
      );
    assert.ok(
      peers.some((p) => p.kind === 'fqdn'),
      'toFQDNs',
    );
    assert.ok(
      specs.some((s) => s.ingressDeny.length > 0) && specs.some((s) => s.egressDeny.length > 0),
      'denies',
    );
    assert.ok(
      specs.some((s) => s.ingress.some((x) => (x.ports ?? []).some((p) => p.l7 === 'http'))),
      'L7',
    );
    // Every peer and subject is one the model resolves: nothing the engine would have to skip.
    assert.deepEqual(
      peers.filter((p) => p.kind === 'unsupported'),
      [],
    );
  });

  test('the tiers mix writes 200 ClusterNetworkPolicies where there are tenants enough (T2, T4)', () => {
    const cnps = checkClusterPolicies(files({ tier: 'T2', mix: 'tiers', seed: 1 }));
    assert.equal(cnps.length, CLUSTER_POLICIES);
    assert.equal(CLUSTER_POLICIES, 200);
  });

  test('quotes what YAML would otherwise read as another type', () => {
    assert.equal(
      toYaml([{ a: 'true', b: '10.0.0.0/8', c: 80, d: 'web-2', e: [], f: {}, g: [{ h: 'on' }] }]),
      '---\na: "true"\nb: "10.0.0.0/8"\nc: 80\nd: web-2\ne: []\nf: {}\ng:\n- h: "on"\n',
    );
  });

  for (const mix of MIXES) {
    test(`T0 ${mix}: the engine and the naive evaluator agree`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'netfence-bench-'));
      try {
        const stats = writeCluster(join(root, 'c'), { tier: 'T0', mix, seed: 1 });
        const state = await load(join(root, 'c'));
        assert.equal(state.workloads.length, stats.workloads);
        assert.equal(state.policies.length, stats.policies);
        // The tiers mix's cluster policies are read (and valid: `load` asserts no problem), the others have none.
        assert.equal(state.clusterPolicies.length, stats.clusterPolicies);
        assert.equal(stats.clusterPolicies > 0, mix === 'tiers');
        assert.equal(stats.ciliumPolicies > 0, mix === 'cilium');
        // The cilium mix's Cilium policies are read (and valid: `load` asserts no problem).
        assert.equal(state.ciliumPolicies.length, stats.ciliumPolicies);
        // The adversarial mix is the only one with real pods, and none of them look alike.
        const compiled = compileCluster(state);
        if (mix === 'adversarial') {
          assert.equal(state.pods.length, stats.pods);
          assert.equal(compiled.classes.length, stats.pods);
        } else assert.equal(state.pods.length, stats.workloads);

        const pods: Endpoint[] = state.pods.map((p) => ({
          kind: 'pod',
          namespace: p.namespace,
          name: p.name,
        }));
        const ips: Endpoint[] = every(probeIps(state), 3).map((ip) => ({ kind: 'ip', ip }));
        const pairs: [Endpoint, Endpoint][] = [
          ...every(
            pods.flatMap((s) => pods.map((d): [Endpoint, Endpoint] => [s, d])),
            mix === 'adversarial' ? 11 : 1,
          ),
          ...pods.flatMap((p) => ips.map((ip): [Endpoint, Endpoint] => [p, ip])),
          ...pods.flatMap((p) => ips.map((ip): [Endpoint, Endpoint] => [ip, p])),
        ];
        const ports = every(probePorts(state), mix === 'ports' ? 7 : 2);
        const options = { ipBlockMatchesPods: true };
        let allowed = 0;
        for (const [src, dst] of pairs) {
          const ports_ = compiled.allowedBetween(src, dst);
          for (const protocol of PROTOCOLS) {
            for (const port of ports) {
              const engine = portsContain(ports_, protocol, port);
              if (engine) allowed++;
              assert.equal(
                engine,
                naiveAllowed(state, src, dst, protocol, port, options),
                `${JSON.stringify(src)} -> ${JSON.stringify(dst)} ${protocol}/${port}`,
              );
            }
          }
        }
        // The sample is not all denials (nor all allowances, except with no policies).
        assert.ok(allowed > 0);

        // And the workload-level answer is the union over the workloads' pods (a pod never talks to itself).
        const conn = computeConnectivity(compiled, 'workload');
        // The cilium mix's L7 rules are reached: some connection is filtered at L7 (the others have none).
        assert.equal((conn.l7 ?? []).length > 0, mix === 'cilium');
        const byPair = new Map(conn.connections.map((c) => [`${c.src} ${c.dst}`, c.ports]));
        const podsOf = new Map(
          state.workloads.map((w) => [w.id, state.pods.filter((p) => p.workload === w.id)]),
        );
        const workloads = every(state.workloads, mix === 'adversarial' ? 2 : 1);
        for (const a of workloads) {
          for (const b of workloads) {
            const ports = byPair.get(`${a.id} ${b.id}`);
            for (const port of every(probePorts(state), 5)) {
              const naive = podsOf
                .get(a.id)!
                .some((p) =>
                  podsOf
                    .get(b.id)!
                    .some(
                      (q) =>
                        (p !== q || (p.template && a.replicas !== 1)) &&
                        naiveAllowed(
                          state,
                          { kind: 'pod', namespace: p.namespace, name: p.name },
                          { kind: 'pod', namespace: q.namespace, name: q.name },
                          'TCP',
                          port,
                          options,
                        ),
                    ),
                );
              assert.equal(
                ports !== undefined && portsContain(ports, 'TCP', port),
                naive,
                `${a.id} -> ${b.id} TCP/${port}`,
              );
            }
          }
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
