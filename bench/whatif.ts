/**
 * What-if with many policies: how long `serve` takes to answer one `POST /api/whatif` that adds N policies
 * (copies of existing ones under new names, so that they select and allow what real policies do), next to
 * `diffClusters` of the same two states (what `netfence diff` computes). Issue #14: this grew as N^2.2.
 *
 *   node bench/whatif.ts [--tier T1] [--mix microseg] [--policies 400,1600] [--kind copies|cidrs] [--out DIR]
 *
 * The cluster is generated once into bench/out/ (or `--out DIR`). test/bench/whatif.test.ts runs it on T0.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { diffClusters } from '../src/engine/diff.ts';
import { loadManifests } from '../src/parse/index.ts';
import { Analysis } from '../src/server/analysis.ts';
import { buildClusterState, parseManifestText } from '../src/parse/index.ts';
import { defaultOutDir, readStats, writeCluster, type Mix, type TierName } from './generate.ts';

const { values } = parseArgs({
  options: {
    tier: { type: 'string', default: 'T1' },
    mix: { type: 'string', default: 'microseg' },
    policies: { type: 'string', default: '400,1600' },
    /** `copies`: the new policies copy existing ones; `cidrs`: each also allows egress to a CIDR of its own. */
    kind: { type: 'string', default: 'copies' },
    /** Where the generated cluster is (written there first if it is not). */
    out: { type: 'string' },
  },
});
const options = { tier: values.tier as TierName, mix: values.mix as Mix, seed: 1 };
const dir = values.out ?? defaultOutDir(options);
if (readStats(dir) === undefined) writeCluster(dir, options);
const loaded = await loadManifests([dir], { defaultNamespace: 'default', skipInvalid: false });
const state = loaded.state;
const analysis = new Analysis({
  state,
  source: { kind: 'files', description: dir },
  engine: { ipBlockMatchesPods: true },
  defaultNamespace: 'default',
  sources: [],
  policyYaml: new Map(),
  lintConfig: { rules: {}, excludeNamespaces: [] },
  version: 1,
  watch: false,
});
const ms = (start: number): number => Math.round(performance.now() - start);
let start = performance.now();
await analysis.whatIf({ changes: [] });
process.stdout.write(
  `${values.tier} ${values.mix}, ${values.kind}: ${state.policies.length} policies; first what-if (builds the engine) ${ms(start)} ms\n`,
);

for (const n of values.policies.split(',').map(Number)) {
  const yamls = Array.from({ length: n }, (_, i) => {
    const p = state.policies[(i * 7) % state.policies.length]!;
    return stringify({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: p.namespace, name: `${p.name}-whatif-${i}` },
      spec:
        values.kind === 'cidrs'
          ? {
              ...p.spec,
              policyTypes: ['Ingress', 'Egress'],
              egress: [
                ...(p.spec.egress ?? []),
                { to: [{ ipBlock: { cidr: `198.18.${i >> 8}.${i & 255}/32` } }], ports: [{ port: 443 }] },
              ],
            }
          : p.spec,
    });
  });
  const body = { changes: yamls.map((yaml) => ({ yaml })) };
  const bytes = Buffer.byteLength(JSON.stringify(body));
  start = performance.now();
  const answer = await analysis.whatIf(body);
  const whatIfMs = ms(start);
  const added = yamls.flatMap(
    (y) =>
      buildClusterState(parseManifestText(y, 'x').objects, {
        defaultNamespace: 'default',
        skipInvalid: false,
      }).state.policies,
  );
  const after = { ...state, policies: [...state.policies, ...added] };
  start = performance.now();
  diffClusters(state, after);
  const diffMs = ms(start);
  process.stdout.write(
    `${n} added policies (${(bytes / 1e6).toFixed(2)} MB body, ${answer.applied.length} applied): what-if ${whatIfMs} ms, diff ${diffMs} ms\n`,
  );
}
analysis.close();
