// Test harness: install CustomResourceDefinitions into the test API server of
// test/support/kube-apiserver.ts, the way envtest does (apply each CRD, then
// wait until it is Established and its kinds are served), and find the
// sigs.k8s.io/network-policy-api module that ships the tier CRDs.
//
// The module comes from scripts/network-policy-api.sh, which copies it into
// ${NETFENCE_NPAPI_CACHE:-${NETFENCE_CACHE:-~/.cache/netfence}/network-policy-api}/<version>/
// (never into the repository). NETFENCE_NPAPI_DIR overrides the v0.3.0 copy and
// NETFENCE_NPAPI_V1ALPHA1_DIR the v0.1.1 one (CI exports both). When a copy is
// absent, networkPolicyApiDir() returns a reason that tests pass to `{ skip }`.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { ApiServer } from './kube-apiserver.ts';

/** v0.3.0 ships the ClusterNetworkPolicy CRD; v0.1.1 is the last to ship the v1alpha1 AdminNetworkPolicy ones. */
export type NetworkPolicyApiVersion = 'v0.3.0' | 'v0.1.1';

const ENV_OVERRIDE: Record<NetworkPolicyApiVersion, string> = {
  'v0.3.0': 'NETFENCE_NPAPI_DIR',
  'v0.1.1': 'NETFENCE_NPAPI_V1ALPHA1_DIR',
};

export function networkPolicyApiCacheDir(): string {
  return (
    process.env.NETFENCE_NPAPI_CACHE ||
    path.join(
      process.env.NETFENCE_CACHE || path.join(os.homedir(), '.cache', 'netfence'),
      'network-policy-api',
    )
  );
}

function isModuleDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'go.mod')) && fs.existsSync(path.join(dir, 'config', 'crd'));
}

/** The directory of the module at `version`, or `{ skip: reason }` when it has not been fetched. */
export function networkPolicyApiDir(version: NetworkPolicyApiVersion): string | { skip: string } {
  const envName = ENV_OVERRIDE[version];
  const fromEnv = process.env[envName];
  if (fromEnv) {
    return isModuleDir(fromEnv)
      ? fromEnv
      : {
          skip: `${envName}=${fromEnv} is not a copy of sigs.k8s.io/network-policy-api (no go.mod, config/crd)`,
        };
  }
  const dir = path.join(networkPolicyApiCacheDir(), version);
  if (fs.existsSync(path.join(dir, '.complete')) && isModuleDir(dir)) return dir;
  return {
    skip:
      `sigs.k8s.io/network-policy-api@${version} not found (looked in ${envName} and ${dir}); ` +
      `fetch it with NETFENCE_NPAPI_VERSION=${version} scripts/network-policy-api.sh`,
  };
}

/** The CRD manifests directly in `dir` (kustomization files and other kinds left out), sorted by name. */
export function crdFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name))
    .filter((file) => /^kind:[ \t]*CustomResourceDefinition[ \t]*$/m.test(fs.readFileSync(file, 'utf8')));
}

/** What a CRD serves: its group, plural and the names of its served versions. */
export interface InstalledCrd {
  name: string;
  kind: string;
  group: string;
  plural: string;
  servedVersions: string[];
  /** `/apis/<group>/<version>/<plural>` for each served version. */
  paths: string[];
}

interface CrdManifest {
  kind?: unknown;
  metadata?: { name?: unknown };
  spec?: {
    group?: unknown;
    names?: { kind?: unknown; plural?: unknown };
    versions?: { name?: unknown; served?: unknown }[];
  };
}

function describeCrd(file: string, doc: CrdManifest): InstalledCrd {
  const name = doc.metadata?.name;
  const group = doc.spec?.group;
  const kind = doc.spec?.names?.kind;
  const plural = doc.spec?.names?.plural;
  if (
    doc.kind !== 'CustomResourceDefinition' ||
    typeof name !== 'string' ||
    typeof group !== 'string' ||
    typeof kind !== 'string' ||
    typeof plural !== 'string'
  ) {
    throw new Error(`${file}: not a CustomResourceDefinition with metadata.name, spec.group and spec.names`);
  }
  const servedVersions = (doc.spec?.versions ?? [])
    .filter((v) => v.served === true && typeof v.name === 'string')
    .map((v) => String(v.name));
  if (servedVersions.length === 0) throw new Error(`${file}: CRD ${name} serves no version`);
  return {
    name,
    kind,
    group,
    plural,
    servedVersions,
    paths: servedVersions.map((v) => `/apis/${group}/${v}/${plural}`),
  };
}

function conditionTrue(crd: unknown, type: string): boolean {
  const conditions = (crd as { status?: { conditions?: { type?: string; status?: string }[] } }).status
    ?.conditions;
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/**
 * Server-side applies each CRD manifest (field manager `netfence-test`, forced, so a CRD of another
 * channel is replaced), then waits until every CRD is Established with its names accepted, and until
 * listing each served version of each kind answers 200. Throws with the API server's answer otherwise.
 */
export async function installCrds(api: ApiServer, files: readonly string[]): Promise<InstalledCrd[]> {
  const installed: InstalledCrd[] = [];
  for (const file of files) {
    const doc = parse(fs.readFileSync(file, 'utf8')) as CrdManifest;
    const crd = describeCrd(file, doc);
    const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`;
    const res = await api.request('PATCH', `${crdPath}?fieldManager=netfence-test&force=true`, {
      body: JSON.stringify(doc),
      contentType: 'application/apply-patch+yaml',
    });
    if (res.status !== 200 && res.status !== 201) {
      throw new Error(`applying CRD ${crd.name} from ${file}: HTTP ${res.status} ${res.text}`);
    }
    installed.push(crd);
  }

  // No limit by the clock of its own: `api.until` gives up once kube-apiserver is stuck (or at its last resort).
  for (const crd of installed) {
    const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`;
    /** What is not there yet (undefined: served). */
    const missing = async (): Promise<string | undefined> => {
      const res = await api.request('GET', crdPath);
      if (
        res.status === 200 &&
        conditionTrue(res.json, 'Established') &&
        conditionTrue(res.json, 'NamesAccepted')
      ) {
        const lists = await Promise.all(crd.paths.map((p) => api.request('GET', `${p}?limit=1`)));
        const failing = lists.findIndex((l) => l.status !== 200);
        if (failing === -1) return undefined;
        return `GET ${crd.paths[failing] ?? ''}: HTTP ${lists[failing]?.status ?? 0}`;
      }
      return `CRD ${crd.name}: HTTP ${res.status}, conditions ${JSON.stringify((res.json as { status?: unknown } | undefined)?.status ?? null)}`;
    };
    await api.until(
      missing,
      (last) => last === undefined,
      (last) => `CRD ${crd.name} not served (${last ?? ''})`,
    );
  }
  return installed;
}

const CILIUM_CRD_DIR = 'pkg/k8s/apis/cilium.io/client/crds/v2';
const CILIUM_CRDS = ['ciliumnetworkpolicies.yaml', 'ciliumclusterwidenetworkpolicies.yaml'];

/**
 * The CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy CRD files of the copy scripts/cilium-crds.sh
 * makes (NETFENCE_CILIUM_DIR, else the cache), or `{ skip: reason }` when they are missing.
 */
export function ciliumCrdFiles(): string[] | { skip: string } {
  const dir =
    process.env.NETFENCE_CILIUM_DIR ||
    path.join(
      process.env.NETFENCE_CACHE || path.join(os.homedir(), '.cache', 'netfence'),
      'cilium',
      'v1.20.2',
    );
  const files = CILIUM_CRDS.map((f) => path.join(dir, CILIUM_CRD_DIR, f));
  return files.every((f) => fs.existsSync(f))
    ? files
    : { skip: `the Cilium CRDs are not in ${dir}/${CILIUM_CRD_DIR}: fetch them with scripts/cilium-crds.sh` };
}
