/**
 * Helpers of the cluster tests: start one API server per test file (or skip, with the reason), and put
 * manifests into it the way `kubectl apply --server-side` would, pod statuses included (no kubelet runs:
 * the status subresource is written directly).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifestText } from '../../src/parse/index.ts';
import { parse } from 'yaml';
import {
  apiServerBinaries,
  defaultRbacManifest,
  startApiServer,
  type ApiServer,
  type ApiServerOptions,
} from '../support/kube-apiserver.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { ciliumCrdFiles } from '../support/crds.ts';

const binaries = apiServerBinaries();
const required = process.env.NETFENCE_REQUIRE_KUBE === '1';

/** `{ skip }` for every test of a cluster test file: the reason when the binaries are missing (and allowed). */
export const skip: string | false = 'skip' in binaries && !required ? binaries.skip : false;

/** Starts the file's API server (in `before`); fails when the binaries are required but missing. */
export async function startServer(options: ApiServerOptions = {}): Promise<ApiServer | undefined> {
  if ('skip' in binaries) {
    if (required) throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${binaries.skip}`);
    return undefined;
  }
  return startApiServer({ binaries, ...options });
}

/**
 * An API server holding the bundled example's objects but its NetworkPolicies (the test pods too), for the
 * tests that apply and roll back those policies, and a temporary folder named `tmpPrefix…`; undefined when the
 * binaries are missing (and allowed to be). `stopWithFolder` ends both.
 */
export async function startWithWebshop(
  tmpPrefix: string,
): Promise<{ api: ApiServer; tmp: string } | undefined> {
  const api = await startServer({});
  if (api === undefined) return undefined;
  const tmp = mkdtempSync(join(tmpdir(), tmpPrefix));
  const objects = readObjects(['examples/webshop', 'test/cluster/fixtures/pods.yaml']);
  await applyObjects(
    api,
    objects.filter((o) => o.kind !== 'NetworkPolicy'),
  );
  return { api, tmp };
}

/** Stops the API server and removes the temporary folder, either of which may not have been made. */
export async function stopWithFolder(api: ApiServer | undefined, tmp: string): Promise<void> {
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
}

/**
 * For a cluster test file that needs Cilium's CRDs: `skip` is the reason to skip (the binaries or the CRD files
 * missing, and not required), `files()` the CRD files to install (throws when they are required but missing).
 */
export function ciliumCrdsFor(): { skip: string | false; files(): string[] } {
  const crds = ciliumCrdFiles();
  return {
    skip: skip !== false ? skip : !Array.isArray(crds) && !required ? crds.skip : false,
    files() {
      if (!Array.isArray(crds)) throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${crds.skip}`);
      return crds;
    },
  };
}

/** Creates an object with a POST to `path`, asserting the API server's 201. */
export async function createObject(api: ApiServer, path: string, body: unknown): Promise<void> {
  const res = await api.request('POST', path, { body });
  assert.equal(res.status, 201, `${path}: ${res.text}`);
}

interface Route {
  /** `/api/v1`, `/apis/apps/v1` */
  base: string;
  plural: string;
  namespaced: boolean;
}

const ROUTES: Record<string, Route> = {
  Namespace: { base: '/api/v1', plural: 'namespaces', namespaced: false },
  Pod: { base: '/api/v1', plural: 'pods', namespaced: true },
  Service: { base: '/api/v1', plural: 'services', namespaced: true },
  ConfigMap: { base: '/api/v1', plural: 'configmaps', namespaced: true },
  Secret: { base: '/api/v1', plural: 'secrets', namespaced: true },
  ServiceAccount: { base: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  ReplicationController: { base: '/api/v1', plural: 'replicationcontrollers', namespaced: true },
  Deployment: { base: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  ReplicaSet: { base: '/apis/apps/v1', plural: 'replicasets', namespaced: true },
  StatefulSet: { base: '/apis/apps/v1', plural: 'statefulsets', namespaced: true },
  DaemonSet: { base: '/apis/apps/v1', plural: 'daemonsets', namespaced: true },
  Job: { base: '/apis/batch/v1', plural: 'jobs', namespaced: true },
  CronJob: { base: '/apis/batch/v1', plural: 'cronjobs', namespaced: true },
  NetworkPolicy: { base: '/apis/networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
  Ingress: { base: '/apis/networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  IngressClass: { base: '/apis/networking.k8s.io/v1', plural: 'ingressclasses', namespaced: false },
  RoleBinding: { base: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
};

/** Cilium's agent DaemonSet (kube-system/cilium) with this image, as `--cni auto` finds it (no pod runs it). */
export function ciliumDaemonSet(image: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'cilium', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'cilium' } },
      template: {
        metadata: { labels: { 'k8s-app': 'cilium' } },
        spec: { hostNetwork: true, containers: [{ name: 'cilium-agent', image }] },
      },
    },
  };
}

/** The API path of an object (`…/namespaces/shop/networkpolicies/allow-web`). */
export function objectPath(object: Record<string, unknown>): string {
  const kind = String(object.kind);
  const route = ROUTES[kind];
  assert.ok(route !== undefined, `no route for kind ${kind}`);
  const meta = object.metadata as { name: string; namespace?: string };
  const ns = route.namespaced ? `/namespaces/${meta.namespace ?? 'default'}` : '';
  return `${route.base}${ns}/${route.plural}/${meta.name}`;
}

/** Every manifest file under the given files and folders. */
function manifestFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      const names = readdirSync(p).sort();
      out.push(...manifestFiles(names.filter((n) => !n.startsWith('.')).map((n) => join(p, n))));
    } else if (/\.(ya?ml|json)$/.test(p)) out.push(p);
  }
  return out;
}

/** The objects of manifest files, namespaces first (as `kubectl apply` needs them). */
export function readObjects(paths: readonly string[]): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  for (const file of manifestFiles(paths)) {
    const parsed = parseManifestText(readFileSync(file, 'utf8'), file);
    assert.deepEqual(parsed.errors, [], `${file} parses`);
    for (const o of parsed.objects) objects.push({ ...o.object, apiVersion: o.apiVersion, kind: o.kind });
  }
  const rank = (o: Record<string, unknown>): number => (o.kind === 'Namespace' ? 0 : 1);
  return objects.sort((a, b) => rank(a) - rank(b));
}

/**
 * Server-side applies each object as the field manager `test-setup` (so that netfence's own manager sees
 * them as someone else's), then writes pod statuses through the status subresource.
 */
export async function applyObjects(
  api: ApiServer,
  objects: readonly Record<string, unknown>[],
  options: { manager?: string; token?: string } = {},
): Promise<void> {
  const manager = options.manager ?? 'test-setup';
  for (const object of objects) {
    const { status, ...rest } = object;
    const path = objectPath(object);
    const res = await api.request('PATCH', `${path}?fieldManager=${manager}&force=true`, {
      body: JSON.stringify(rest),
      contentType: 'application/apply-patch+yaml',
      ...(options.token === undefined ? {} : { token: options.token }),
    });
    assert.ok(res.status === 200 || res.status === 201, `apply ${path}: HTTP ${res.status} ${res.text}`);
    if (status !== undefined && object.kind === 'Pod') {
      const st = await api.request('PATCH', `${path}/status`, {
        body: { status },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(st.status, 200, `status of ${path}: ${st.text}`);
    }
  }
}

/** Deletes objects (404 is fine). */
export async function deleteObjects(
  api: ApiServer,
  objects: readonly Record<string, unknown>[],
): Promise<void> {
  for (const object of objects) {
    const res = await api.request('DELETE', objectPath(object));
    assert.ok(res.status === 200 || res.status === 404, `delete ${objectPath(object)}: ${res.text}`);
  }
}

/** Runs the CLI against the server with a kubeconfig (the admin's by default). */
export function cli(
  api: ApiServer,
  args: readonly string[],
  kubeconfig = api.adminKubeconfig,
): Promise<CliResult> {
  return runCli([...args, '--kubeconfig', kubeconfig]);
}

/** The live object at an API path (asserting it exists), or undefined on 404. */
export async function getObject(api: ApiServer, path: string): Promise<Record<string, unknown> | undefined> {
  const res = await api.request('GET', path);
  if (res.status === 404) return undefined;
  assert.equal(res.status, 200, res.text);
  return res.json as Record<string, unknown>;
}

/** CLI output made stable for golden files: the server's port, the temp folder and record times vary. */
export function stableOutput(api: ApiServer, tmp: string, text: string): string {
  return text
    .replaceAll(api.url, 'https://127.0.0.1:PORT')
    .replaceAll(tmp, '<tmp>')
    .replaceAll(/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z/g, '<time>');
}

/** A folder `root/name` of manifests (file name → YAML); returns its path. */
export function writeFolder(root: string, name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, yaml] of Object.entries(files)) writeFileSync(join(dir, file), yaml);
  return dir;
}

/**
 * A ResourceQuota `policies` in `namespace` holding object counts (`count/<plural>.<group>` → limit), with
 * nothing used yet: no controller manager runs, so its status is written as the quota controller would.
 */
export async function objectCountQuota(
  api: ApiServer,
  namespace: string,
  hard: Record<string, string>,
): Promise<void> {
  const rq = await api.request('POST', `/api/v1/namespaces/${namespace}/resourcequotas`, {
    body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'policies' }, spec: { hard } },
  });
  assert.equal(rq.status, 201, rq.text);
  const used = Object.fromEntries(Object.keys(hard).map((k) => [k, '0']));
  const status = await api.request(
    'PATCH',
    `/api/v1/namespaces/${namespace}/resourcequotas/policies/status`,
    {
      body: { status: { hard, used } },
      contentType: 'application/merge-patch+json',
    },
  );
  assert.equal(status.status, 200, status.text);
}

/**
 * Waits until `user` may GET `path`: new RBAC bindings reach the authorizer through an informer, a moment
 * after they are stored.
 */
export async function waitForAccess(api: ApiServer, user: string, path: string): Promise<void> {
  await api.until(
    () => api.request('GET', path, { token: api.users[user]!.token }),
    (r) => r.status === 200,
    (r) => `the RBAC of ${user} is not in force: ${r.text}`,
  );
}

/**
 * Binds `user` to the read-only ClusterRole of deploy/rbac without its rules for `apiGroup`: the reader of an
 * older netfence, which did not list that group's kinds yet.
 */
export async function bindReadonlyWithout(api: ApiServer, user: string, apiGroup: string): Promise<void> {
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await api.request('POST', path, { body });
    assert.equal(res.status, 201, `${path}: ${res.text}`);
  };
  const role = readFileSync(defaultRbacManifest, 'utf8')
    .split(/^---$/m)
    .map((d) => parse(d) as { kind?: string; rules?: { apiGroups: string[] }[] } | null)
    .find((d) => d?.kind === 'ClusterRole')!;
  await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    ...role,
    metadata: { name: user },
    rules: role.rules!.filter((r) => !r.apiGroups.includes(apiGroup)),
  });
  await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: user },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  });
}
