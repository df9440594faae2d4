/**
 * The cluster policies netfence ships as examples and benchmarks are ones a real cluster accepts: every object
 * of examples/tiers (its Namespaces, workloads, Services, NetworkPolicies and ClusterNetworkPolicies) and every
 * ClusterNetworkPolicy the benchmark's `tiers` mix writes are created in a real kube-apiserver with the
 * standard-channel CRD of network-policy-api v0.3.0 installed, with strict field validation (an unknown or
 * misspelt field is an error, not dropped).
 *
 * examples/tiers-v1alpha1 is not checked here: its AdminNetworkPolicy shape is that of network-policy-api
 * v0.1.7 and later, and the only release of those CRDs the Go module proxy serves is v0.1.1 (an older shape).
 *
 *   node scripts/test.ts test/cluster/tiers-objects.test.ts   (needs scripts/kube-binaries.sh and
 *                                                              scripts/network-policy-api.sh, once)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeCluster } from '../../bench/generate.ts';
import { crdFiles, installCrds, networkPolicyApiDir } from '../support/crds.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { skip as noBinaries, objectPath, readObjects, startServer } from './setup.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const required = process.env.NETFENCE_REQUIRE_KUBE === '1';
const npapi = networkPolicyApiDir('v0.3.0');
const skip: string | false =
  noBinaries !== false ? noBinaries : typeof npapi !== 'string' && !required ? npapi.skip : false;

const CNPS = '/apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies';

let api: ApiServer | undefined;

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

before(async () => {
  if (skip !== false) return;
  if (typeof npapi !== 'string') throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${npapi.skip}`);
  api = await startServer({ rbacManifest: null });
  await installCrds(server(), crdFiles(join(npapi, 'config', 'crd', 'standard')));
});

after(async () => {
  await api?.stop();
});

type Obj = Record<string, unknown>;

/** The collection an object is created in (cluster policies have no route in setup.ts). */
function collection(object: Obj): string {
  if (object.kind === 'ClusterNetworkPolicy') return CNPS;
  const path = objectPath(object);
  return path.slice(0, path.lastIndexOf('/'));
}

function nameOf(object: Obj): string {
  const meta = object.metadata as { name: string; namespace?: string };
  return `${String(object.kind)} ${meta.namespace === undefined ? '' : `${meta.namespace}/`}${meta.name}`;
}

/**
 * Creates each object with strict field validation (Namespaces for real, so that the namespaced objects have
 * somewhere to go; everything else as a dry run) and returns the answers that were not 201, with their message.
 */
async function rejected(objects: readonly Obj[]): Promise<string[]> {
  const out: string[] = [];
  for (const object of objects) {
    const dryRun = object.kind === 'Namespace' ? '' : 'dryRun=All&';
    const res = await server().request('POST', `${collection(object)}?${dryRun}fieldValidation=Strict`, {
      body: object,
    });
    // A Namespace created by an earlier test of this file (kube-system is always there).
    if (object.kind === 'Namespace' && res.status === 409) continue;
    if (res.status !== 201) out.push(`${nameOf(object)}: HTTP ${res.status} ${res.text}`);
  }
  return out;
}

describe('tier objects in a real API server', { skip }, () => {
  test('every object of examples/tiers is accepted', async () => {
    const objects = readObjects([join(ROOT, 'examples', 'tiers')]);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Namespace',
      'Deployment',
      'StatefulSet',
      'Service',
      'NetworkPolicy',
      'ClusterNetworkPolicy',
    ])
      assert.ok(kinds.has(kind), `examples/tiers has a ${kind}`);
    assert.deepEqual(await rejected(objects), []);
  });

  test("every ClusterNetworkPolicy of the benchmark's tiers mix is accepted", async () => {
    const root = mkdtempSync(join(tmpdir(), 'netfence-tiers-'));
    try {
      // T2 writes the full 200 (T0 and T1 have too few tenants and teams for them).
      const stats = writeCluster(join(root, 'c'), { tier: 'T2', mix: 'tiers', seed: 1 });
      const cnps = readObjects([join(root, 'c', 'cluster-policies')]);
      assert.equal(cnps.length, stats.clusterPolicies);
      assert.equal(cnps.length, 200);
      assert.deepEqual(await rejected(cnps), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
