/**
 * Bad input, table-driven (the table is in invalid-cases.ts): exact problem texts.
 *
 * Then, opt-in, agreement with a real kube-apiserver: every bad-input case, every fixture and the edge cases
 * of api-agreement.yaml are dry-run against the API, and netfence with `strict` must reject exactly what it
 * rejects. It starts etcd and kube-apiserver (~10 s): NETFENCE_APISERVER_TESTS=1, with the binaries of
 * scripts/kube-binaries.sh. The only accepted difference: CIDRs with host bits or leading zeros, which
 * netfence warns about (clusters before 1.36 accept them) and 1.36+ rejects.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { cases } from './invalid-cases.ts';
import { problems } from './helpers.ts';

describe('invalid input', () => {
  test('the table has at least 20 distinct cases', () => {
    assert.ok(cases.length >= 20, `only ${cases.length} cases`);
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
  });
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(problems(c.input), c.expected);
    });
  }
});

const F = join(import.meta.dirname, '../fixtures/parse');
const FIXTURES = [
  'api-agreement.yaml',
  'grouping.yaml',
  'templates.yaml',
  'preserve.yaml',
  'helm.yaml',
  'list.yaml',
];

const RESOURCES: Record<string, string> = {
  Namespace: 'namespaces',
  Pod: 'pods',
  Service: 'services',
  ReplicationController: 'replicationcontrollers',
  NetworkPolicy: 'networkpolicies',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
};

async function skipReason(): Promise<string | undefined> {
  if (process.env.NETFENCE_APISERVER_TESTS !== '1') return 'set NETFENCE_APISERVER_TESTS=1 to run';
  const { apiServerBinaries } = await import('../support/kube-apiserver.ts');
  const binaries = apiServerBinaries();
  return 'skip' in binaries ? binaries.skip : undefined;
}

const skip = await skipReason();

describe('agreement with kube-apiserver', { skip: skip ?? false }, () => {
  test('netfence rejects exactly the objects the API server rejects', async () => {
    // Imported only when the test runs: skipping costs nothing.
    const { startApiServer } = await import('../support/kube-apiserver.ts');
    const server = await startApiServer({ rbacManifest: null });
    try {
      const inputs: [string, string][] = cases.map((c) => [c.name, c.input]);
      for (const f of FIXTURES) inputs.push([f, readFileSync(join(F, f), 'utf8')]);
      const namespaces = new Set<string>();
      const disagreements: string[] = [];
      let compared = 0;
      for (const [name, input] of inputs) {
        for (const source of parseManifestText(input, 'x.yaml').objects) {
          const resource = RESOURCES[source.kind];
          if (resource === undefined) continue;
          const mine = buildClusterState([source], {
            defaultNamespace: 'default',
            skipInvalid: false,
            strict: true,
          });
          const meta = (source.object.metadata ?? {}) as Record<string, unknown>;
          const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
          if (source.kind !== 'Namespace' && !namespaces.has(ns) && /^[a-z0-9-]+$/.test(ns)) {
            namespaces.add(ns);
            await server.request('POST', '/api/v1/namespaces', {
              body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
            });
          }
          const group = source.apiVersion === 'v1' ? '/api/v1' : `/apis/${source.apiVersion}`;
          const url =
            source.kind === 'Namespace' ? `${group}/${resource}` : `${group}/namespaces/${ns}/${resource}`;
          const body = { ...source.object, apiVersion: source.apiVersion, kind: source.kind };
          const res = await server.request('POST', `${url}?dryRun=All`, { body });
          const message = (res.json as { message?: string } | undefined)?.message ?? res.text;
          const apiRejects = res.status >= 300 && res.status !== 409; // 409: the namespace exists already
          // The request sets no fieldValidation: the API server drops unknown fields (kubectl's Strict rejects).
          // The body is netfence's YAML 1.2 reading: an unquoted `yes` is the string kubectl would not send.
          const netfenceRejects = mine.errors.some(
            (e) => e.code !== 'unknown-field' && e.code !== 'yaml11-boolean',
          );
          compared++;
          if (apiRejects === netfenceRejects) continue;
          const strictCidr =
            /bits set beyond the prefix length|leading 0s/.test(message) &&
            mine.warnings.some((w) => w.code === 'cidr-host-bits' || w.code === 'cidr-leading-zeros');
          if (strictCidr) continue;
          disagreements.push(
            `${name}: ${source.kind} at line ${source.line}: API ${apiRejects ? `rejects (${message})` : 'accepts'}, netfence ${netfenceRejects ? `rejects (${mine.errors.map((e) => e.message).join('; ')})` : 'accepts'}`,
          );
        }
      }
      assert.deepEqual(disagreements, []);
      assert.ok(compared > 80, `compared only ${compared} objects`);
    } finally {
      await server.stop();
    }
  });
});
