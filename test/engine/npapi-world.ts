/**
 * The harness of the network-policy-api conformance suites on netfence's engine
 * (npapi-conformance.test.ts for v0.3.0, npapi-v1alpha1-conformance.test.ts for v0.1.1): a cluster read from
 * a fixture folder (its `cluster.yaml` snapshot and one manifest of the suite), the suite's edits of it and
 * its probes (`PokeServer`), each step a `node:test` test in the suite's order, edits carrying over.
 *
 * Each state is read by netfence's own reader (`loadSources`) and compiled with the default (`upstream`)
 * profile; a probe asks `allowedBetween` of the two pods.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { loadSources } from '../../src/parse/index.ts';
import { compileCluster, type CompiledCluster } from '../../src/engine/compile.ts';
import { cniEngineOptions, resolveCniProfile } from '../../src/engine/profiles.ts';
import { portsContain } from '../../src/engine/ports.ts';
import type { Protocol } from '../../src/model/k8s.ts';

/** The suites' namespaces all start with it; a test names them without it. */
const PREFIX = 'network-policy-conformance-';

type Manifest = Record<string, unknown> & {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: { podIP?: string };
};
export type Rule = Record<string, unknown>;
export type Spec = { priority: number; ingress: Rule[]; egress: Rule[] };

/**
 * One step of a conformance test: an edit of the cluster, or a probe and the suite's verdict (then `probe`
 * says which, as `poke` was given them, for a check of the transcription against the suite's source).
 */
export type Op = ((world: World) => void) & { probe?: string };
export type Step = [name: string, ...ops: Op[]];
export type Suite = Record<string, { manifest: string; steps: Step[] }>;

/** The cluster of a test: the base objects and its manifest, edited as the steps go. */
class World {
  readonly objects: Manifest[];
  private compiled: CompiledCluster | undefined;
  constructor(fixtures: string, manifest: string) {
    this.objects = [...readObjects(`${fixtures}/cluster.yaml`), ...readObjects(`${fixtures}/${manifest}`)];
  }
  find(kind: string, ref: string): Manifest {
    const [namespace, name] = ref.includes('/') ? ref.split('/') : [undefined, ref];
    const found = this.objects.find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (namespace === undefined || o.metadata.namespace === PREFIX + namespace),
    );
    assert.ok(found !== undefined, `${kind} ${ref} is in the fixture`);
    return found;
  }
  changed(): void {
    this.compiled = undefined;
  }
  /** The cluster as netfence reads it: the objects written out as YAML, read by `loadSources`. */
  compile(): CompiledCluster {
    if (this.compiled !== undefined) return this.compiled;
    const text = this.objects.map((o) => stringify(o)).join('---\n');
    const loaded = loadSources([{ file: 'conformance.yaml', text }], {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    assert.deepEqual(
      loaded.errors.map((e) => e.message),
      [],
    );
    const profile = resolveCniProfile('upstream', []);
    assert.ok(profile.ok);
    this.compiled = compileCluster(loaded.state, cniEngineOptions(profile.value));
    return this.compiled;
  }
}

function readObjects(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS() as Manifest | null)
    .filter((o): o is Manifest => o !== null);
}

const pod = (ref: string) => {
  const slash = ref.indexOf('/');
  return { kind: 'pod' as const, namespace: PREFIX + ref.slice(0, slash), name: ref.slice(slash + 1) };
};

/** `PokeServer`: `'<ns>/<client> -> <ns>/<server> <PROTOCOL>/<port>'`, namespaces without the suite's prefix. */
export const poke = (probe: string, expected: 'allow' | 'deny'): Op =>
  Object.assign(
    (world: World) => {
      const m = /^(\S+) -> (\S+) (TCP|UDP|SCTP)\/(\d+)$/.exec(probe);
      assert.ok(m !== null, probe);
      const ports = world.compile().allowedBetween(pod(m[1]!), pod(m[2]!));
      const verdict = portsContain(ports, m[3] as Protocol, Number(m[4])) ? 'allow' : 'deny';
      assert.equal(verdict, expected, probe);
    },
    { probe: `${probe} ${expected}` },
  );

/** An update of a cluster policy (`PatchClusterNetworkPolicy`, `Client.Update`) after an edit of its spec. */
export const editPolicy =
  (kind: string, name: string, change: (spec: Spec) => unknown): Op =>
  (world) => {
    change(world.find(kind, name).spec as Spec);
    world.changed();
  };

export function rule(rules: Rule[], index: number): Rule {
  const found = rules[index];
  assert.ok(found !== undefined, `rule ${index}`);
  return found;
}

export function swap(rules: Rule[], i: number, j: number): void {
  const a = rule(rules, i);
  rules[i] = rule(rules, j);
  rules[j] = a;
}

/** `SetPodLabel` / `RemovePodLabel` (undefined). */
export const podLabel =
  (ref: string, key: string, value: string | undefined): Op =>
  (world) => {
    const meta = world.find('Pod', ref).metadata;
    const others = Object.entries(meta.labels ?? {}).filter(([k]) => k !== key);
    meta.labels = Object.fromEntries(value === undefined ? others : [...others, [key, value]]);
    world.changed();
  };

/** `PatchNamespace` with `SetLabels`: the labels replaced. */
export const namespaceLabels =
  (name: string, labels: Record<string, string>): Op =>
  (world) => {
    world.find('Namespace', PREFIX + name).metadata.labels = labels;
    world.changed();
  };

export const deleteObject =
  (kind: string, ref: string): Op =>
  (world) => {
    world.objects.splice(world.objects.indexOf(world.find(kind, ref)), 1);
    world.changed();
  };

/** A pod's IP in the fixture (the suite reads `Status.PodIP`). */
let current: World | undefined;
export function podIP(ref: string): string {
  assert.ok(current !== undefined);
  const ip = current.find('Pod', ref).status?.podIP;
  assert.ok(ip !== undefined, `${ref} has an IP`);
  return ip;
}

/** Each test of the suite a `describe` on a fresh cluster, each of its steps a test, in order. */
export function runSuite(fixtures: string, suite: Suite): void {
  for (const [shortName, { manifest, steps }] of Object.entries(suite)) {
    describe(`${shortName} (${manifest})`, () => {
      const world = new World(fixtures, manifest);
      for (const [name, ...ops] of steps) {
        test(name, () => {
          current = world;
          for (const op of ops) op(world);
        });
      }
    });
  }
}
