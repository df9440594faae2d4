/**
 * `netfence controller` on a cluster with Cilium (a real kube-apiserver with Cilium's CRDs and a DaemonSet
 * kube-system/cilium standing for the agent), as the ServiceAccount of deploy/controller/rbac.yaml: `--cni
 * auto` detects Cilium and reads cilium-config (the RBAC allows exactly that ConfigMap), the audit follows
 * Cilium's reading of the API (an ipBlock over pod addresses matches no pod) where `--cni upstream` does
 * not, and a Cilium policy's lint finding is reported on the `cilium.io/v2` object.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crdFiles, installCrds } from '../support/crds.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { applyObjects, ciliumCrdsFor, ciliumDaemonSet, startServer } from './setup.ts';
import {
  eventually,
  policyReportDir,
  serviceAccountKubeconfig,
  startController,
  type Controller,
} from '../controller/cluster.ts';
import { SPEC_TEXT, cnp, np, ns, pod } from '../admission/fixtures.ts';

const required = process.env.NETFENCE_REQUIRE_KUBE === '1';
const reports = policyReportDir();
const cilium = ciliumCrdsFor();
const skip: string | false =
  cilium.skip !== false ? cilium.skip : !required && typeof reports !== 'string' ? reports.skip : false;

const REPORT = (namespace: string): string =>
  `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${namespace}/policyreports/netfence`;

interface Report {
  results?: {
    rule: string;
    result: string;
    resources?: { apiVersion: string; kind: string; name: string; namespace?: string }[];
  }[];
}

let api: ApiServer | undefined;
let kubeconfig = '';
let tmp = '';
const started: Controller[] = [];

async function report(namespace: string): Promise<Report | undefined> {
  const res = await api!.request('GET', REPORT(namespace));
  return res.status === 200 ? (res.json as Report) : undefined;
}

/** The result of the spec's test in data's report, once a controller wrote it as `expected`. */
function apiTest(expected: string): Promise<Report> {
  return eventually(`"the API reaches the database" ${expected}`, async () => {
    const r = await report('data');
    return r?.results?.some((x) => x.rule === 'the API reaches the database' && x.result === expected)
      ? r
      : undefined;
  });
}

async function controller(identity: string, cni: string): Promise<Controller> {
  const c = await startController(kubeconfig, identity, [
    '--default-deny',
    'off',
    '--audit-debounce',
    '200ms',
    '--spec',
    join(tmp, 'reachability.yaml'),
    '--cni',
    cni,
  ]);
  started.push(c);
  return c;
}

before(async () => {
  if (skip !== false) return;
  if (typeof reports !== 'string') throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${reports.skip}`);
  const crds = cilium.files();
  api = await startServer({ extraRbacManifests: ['deploy/controller/rbac.yaml'] });
  if (api === undefined) return;
  await installCrds(api, [...crdFiles(reports), ...crds]);
  kubeconfig = await serviceAccountKubeconfig(api);
  tmp = mkdtempSync(join(tmpdir(), 'netfence-controller-cilium-'));
  writeFileSync(join(tmp, 'reachability.yaml'), SPEC_TEXT);
  await applyObjects(api, [
    // Cilium's agent, as --cni auto finds it (no pod runs it here).
    ciliumDaemonSet('quay.io/cilium/cilium:v1.16.3'),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cilium-config', namespace: 'kube-system' },
      data: { 'enable-sctp': 'false' },
    },
    ns('shop') as unknown as Record<string, unknown>,
    ns('data') as unknown as Record<string, unknown>,
    pod('shop', 'api', { app: 'api' }) as unknown as Record<string, unknown>,
    pod('data', 'postgres', { app: 'postgres' }) as unknown as Record<string, unknown>,
    // The API reaches the database only through an ipBlock over the pod addresses.
    np('data', 'by-address', {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 5432 }] }],
    }) as unknown as Record<string, unknown>,
  ]);
  // A Cilium rule set whose allow rules restrict nothing (default deny off, nothing else isolates).
  const open = cnp('shop', 'api-egress', {
    endpointSelector: { matchLabels: { app: 'api' } },
    enableDefaultDeny: { egress: false },
    egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data' } }] }],
  });
  const res = await api.request('POST', '/apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies', {
    body: open,
  });
  assert.equal(res.status, 201, res.text);
});

after(async () => {
  for (const c of started) await c.stop('SIGKILL');
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('netfence controller with --cni on a Cilium cluster', { skip }, () => {
  test('--cni auto: Cilium detected, its settings read, the audit as Cilium enforces', async () => {
    const c = await controller('auto', 'auto');
    assert.match(c.stderr(), /CNI: cilium@1\.16\.3 \(DaemonSet kube-system\/cilium/);
    assert.doesNotMatch(c.stderr(), /cannot read ConfigMap|forbidden/i);
    // Cilium's CIDR rules match no pod: the API does not reach the database.
    await apiTest('fail');
    // The Cilium policy's finding, on its cilium.io/v2 object.
    const shop = await eventually('the report of shop', async () => {
      const r = await report('shop');
      return r?.results?.some((x) => x.rule === 'no-cilium-allow-without-default-deny') ? r : undefined;
    });
    const finding = shop.results!.find((x) => x.rule === 'no-cilium-allow-without-default-deny')!;
    assert.equal(finding.result, 'warn');
    assert.deepEqual(finding.resources, [
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', name: 'api-egress', namespace: 'shop' },
    ]);
    await c.stop();
  });

  test('--cni upstream: the ipBlock matches the pod, the assertion holds', async () => {
    const c = await controller('upstream', 'upstream');
    await apiTest('pass');
    await c.stop();
  });
});
