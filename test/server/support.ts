/** The bundled example, analyzed as `netfence serve` analyzes it (without the server around it). */
import { readFlows } from '../../src/flows/index.ts';
import { DEFAULT_CONFIG } from '../../src/lint/config.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { Analysis } from '../../src/server/analysis.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { readSources } from '../../src/server/sources.ts';

export const WEBSHOP = 'examples/webshop';
export const HUBBLE = 'examples/flows/webshop-hubble.jsonl';

export async function webshopAnalysis(
  options: { flows?: boolean; path?: string; version?: number } = {},
): Promise<Analysis> {
  const loaded = await loadManifests([options.path ?? WEBSHOP], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  if (loaded.errors.length > 0) throw new Error(`the example does not load: ${loaded.errors[0]!.message}`);
  const sources = await readSources(loaded.state);
  const traffic = options.flows === true ? await readFlows([HUBBLE], loaded.state) : undefined;
  return new Analysis({
    state: loaded.state,
    source: { kind: 'files', description: WEBSHOP },
    engine: { ipBlockMatchesPods: true },
    defaultNamespace: 'default',
    sources: sources.objects,
    policyYaml: sources.policyYaml,
    lintConfig: DEFAULT_CONFIG,
    traffic,
    version: options.version ?? 1,
    watch: false,
  });
}

/**
 * A what-if body that adds `count` new policies to the example (each allowing one more port into shop/web):
 * seconds of work, for tests of what the server does meanwhile.
 */
export function manyNewPolicies(count: number): string {
  const changes = Array.from({ length: count }, (_, i) => ({
    yaml: [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      `metadata: {namespace: shop, name: many-${i}}`,
      'spec:',
      '  podSelector: {matchLabels: {app: web}}',
      `  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: ${1000 + i}}]}]`,
      '',
    ].join('\n'),
  }));
  return JSON.stringify({ changes });
}

/** An analysis of a state built in a test (as read from a cluster: no files, no policy YAML as written). */
export function analysisOf(
  state: ClusterState,
  options: { version?: number; watch?: boolean } = {},
): Analysis {
  return new Analysis({
    state,
    source: { kind: 'cluster', description: 'context test' },
    engine: { ipBlockMatchesPods: true },
    defaultNamespace: 'default',
    sources: [],
    policyYaml: new Map(),
    lintConfig: DEFAULT_CONFIG,
    version: options.version ?? 1,
    watch: options.watch ?? false,
  });
}
