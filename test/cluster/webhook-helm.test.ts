/**
 * The Helm chart deploy/helm/netfence with the real `helm` (built from its Go module by scripts/helm.sh):
 * `helm lint`, `helm template` for each certificate source, what the rendered objects say (fail-open by
 * default, least-privilege RBAC, a locked-down pod, a certificate the API server can check), the rendered
 * rules read by netfence's own parsers, and every rendered object accepted by a real kube-apiserver (server
 * side dry run). Finally the rendered pod's command runs: `netfence webhook` with the chart's arguments,
 * certificate and rules answers a review over TLS, trusted through the rendered caBundle.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { parseLintConfig } from '../../src/lint/config.ts';
import { RULES } from '../../src/lint/registry.ts';
import { parseSpec } from '../../src/testspec/spec.ts';
import { defaultSettings, parseSettings } from '../../src/controller/config.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { applyObjects, skip as kubeSkip, startServer } from './setup.ts';
import { SPEC_TEXT, baseObjects, np, review } from '../admission/fixtures.ts';
import { serviceAccountKubeconfig } from '../controller/cluster.ts';
import { guardProgress } from '../support/progress.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CHART = join(ROOT, 'deploy', 'helm', 'netfence');
const run = promisify(execFile);

/** The helm binary: NETFENCE_HELM (set by .ci/run from scripts/helm.sh), else scripts/helm.sh's default place. */
const helm =
  process.env.NETFENCE_HELM ??
  join(process.env.NETFENCE_CACHE ?? join(homedir(), '.cache', 'netfence'), 'helm', 'v4.3.2', 'bin', 'helm');
const helmSkip: string | false = existsSync(helm)
  ? false
  : process.env.NETFENCE_REQUIRE_HELM === '1'
    ? false
    : `no helm at ${helm} (bash scripts/helm.sh builds it)`;
const skip = helmSkip === false ? kubeSkip : helmSkip;

type K8sObject = Record<string, unknown> & {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
};

async function helmRun(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(helm, [...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code === 'string')
      throw new Error(`cannot run helm at ${helm} (${e.code}): bash scripts/helm.sh builds it`, {
        cause: error,
      });
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `helm template netfence <chart> --namespace netfence` with `--set`s, parsed. */
async function render(...sets: string[]): Promise<K8sObject[]> {
  const r = await helmRun([
    'template',
    'netfence',
    CHART,
    '--namespace',
    'netfence',
    ...sets.flatMap((s) => ['--set', s]),
  ]);
  assert.equal(r.code, 0, r.stderr);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

function one(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(found.length, 1, `${kind} ${name ?? ''}: ${found.length} found`);
  return found[0]!;
}

const hookOf = (objects: readonly K8sObject[]): Record<string, unknown> =>
  (one(objects, 'ValidatingWebhookConfiguration').webhooks as Record<string, unknown>[])[0]!;
const podOf = (objects: readonly K8sObject[]): Record<string, unknown> =>
  ((one(objects, 'Deployment').spec as Record<string, unknown>).template as Record<string, unknown>)
    .spec as Record<string, unknown>;
const containerOf = (objects: readonly K8sObject[]): Record<string, unknown> =>
  (podOf(objects).containers as Record<string, unknown>[])[0]!;

/** The objects of a manifest file of the repository. */
const manifests = (file: string): K8sObject[] =>
  parseAllDocuments(readFileSync(join(ROOT, file), 'utf8'))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);

/** Each rule as "group resource verb [name]" lines: the same grant written differently compares equal. */
const grants = (o: K8sObject): string[] =>
  (
    o.rules as {
      apiGroups: string[];
      resources: string[];
      verbs: string[];
      resourceNames?: string[];
    }[]
  )
    .flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) =>
          r.verbs.flatMap((v) => (r.resourceNames ?? ['*']).map((n) => `${g} ${res} ${v} ${n}`)),
        ),
      ),
    )
    .sort();

const ASSERTIONS = `assertions.reachability\\.yaml=${SPEC_TEXT.replaceAll(',', '\\,')}`;

describe('helm lint', { skip: helmSkip }, () => {
  test('the chart passes helm lint --strict with each certificate source', async () => {
    for (const sets of [
      [],
      ['certificates.source=cert-manager'],
      ['certificates.source=secret', 'certificates.secret.name=tls', 'certificates.secret.caBundle=Q0E='],
      ['controller.enabled=true', 'controller.serviceMonitor.enabled=true', ASSERTIONS],
    ]) {
      const r = await helmRun(['lint', CHART, '--strict', ...sets.flatMap((s) => ['--set', s])]);
      assert.equal(r.code, 0, `${sets.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  test('wrong values fail with a message naming the value', async () => {
    for (const [set, message] of [
      ['webhook.failurePolicy=Maybe', /webhook\.failurePolicy: expected Ignore or Fail, got "Maybe"/],
      ['mode=block', /mode: expected deny, warn or audit, got "block"/],
      ['webhook.timeoutSeconds=60', /webhook\.timeoutSeconds: the API server accepts 1 to 30, got 60/],
      [
        'certificates.source=secret',
        /certificates\.secret\.(name|caBundle): .*\(certificates\.source is secret\)/,
      ],
      [
        'controller.enabled=true,controller.defaultDeny.directions=all',
        /controller\.defaultDeny\.directions: expected ingress, egress, both or off, got "all"/,
      ],
    ] as const) {
      const r = await helmRun(['template', 'netfence', CHART, '--set', set]);
      assert.notEqual(r.code, 0, set);
      assert.match(r.stderr, message);
    }
  });
});

describe('helm template', { skip: helmSkip }, () => {
  test('the default release: fail-open, every namespace but kube-system, kube-node-lease and its own', async () => {
    const objects = await render();
    assert.deepEqual(objects.map((o) => o.kind).sort(), [
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Secret',
      'Service',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ]);
    const hook = hookOf(objects);
    assert.equal(hook.failurePolicy, 'Ignore');
    assert.equal(hook.timeoutSeconds, 5);
    assert.equal(hook.sideEffects, 'None');
    assert.deepEqual(
      (hook.namespaceSelector as { matchExpressions: { values: string[] }[] }).matchExpressions[0]!.values,
      ['kube-system', 'kube-node-lease', 'netfence'],
    );
    const resources = (hook.rules as { resources: string[] }[]).flatMap((r) => r.resources);
    assert.deepEqual(resources, [
      'networkpolicies',
      'clusternetworkpolicies',
      'adminnetworkpolicies',
      'baselineadminnetworkpolicies',
      'ciliumnetworkpolicies',
      'ciliumclusterwidenetworkpolicies',
      'namespaces',
    ]);
    const service = one(objects, 'Service');
    assert.deepEqual((hook.clientConfig as { service: unknown }).service, {
      name: service.metadata.name,
      namespace: 'netfence',
      path: '/validate',
      port: 443,
    });
  });

  test('Fail, pods and more exclusions are one value each', async () => {
    const objects = await render(
      'webhook.failurePolicy=Fail',
      'webhook.pods=true',
      'webhook.nodes=true',
      'webhook.excludeNamespaces={kube-system,monitoring}',
      'webhook.timeoutSeconds=10',
    );
    const hook = hookOf(objects);
    assert.equal(hook.failurePolicy, 'Fail');
    assert.equal(hook.timeoutSeconds, 10);
    assert.ok((hook.rules as { resources: string[] }[]).some((r) => r.resources.includes('pods')));
    assert.ok((containerOf(objects).args as string[]).includes('--pods'));
    assert.ok((containerOf(objects).args as string[]).includes('--nodes'));
    const nodes = (hook.rules as { resources: string[]; operations: string[] }[]).find((r) =>
      r.resources.includes('nodes'),
    );
    assert.deepEqual(nodes?.resources, ['nodes', 'nodes/status']);
    assert.deepEqual(nodes?.operations, ['UPDATE']);
    assert.ok(!(containerOf(objects).args as string[]).includes('--client-ca'));
    assert.deepEqual(
      (hook.namespaceSelector as { matchExpressions: { values: string[] }[] }).matchExpressions[0]!.values,
      ['kube-system', 'monitoring', 'netfence'],
    );
  });

  test('webhook.clientCAConfigMap: the ConfigMap mounted and --client-ca naming its ca.crt', async () => {
    const objects = await render('webhook.clientCAConfigMap=apiserver-webhook-ca');
    const args = (containerOf(objects).args as string[]).join(' ');
    assert.match(args, / --client-ca \/client-ca\/ca\.crt/);
    const pod = podOf(objects);
    assert.deepEqual(
      (pod.volumes as { name: string; configMap?: { name: string } }[]).find((v) => v.name === 'client-ca'),
      { name: 'client-ca', configMap: { name: 'apiserver-webhook-ca' } },
    );
    assert.ok(
      (containerOf(objects).volumeMounts as { name: string; mountPath: string }[]).some(
        (m) => m.name === 'client-ca' && m.mountPath === '/client-ca',
      ),
    );
  });

  test('the RBAC only reads, never Secrets, and no ConfigMap but cilium-config by name (cni auto)', async () => {
    const objects = await render();
    const role = one(objects, 'ClusterRole');
    for (const rule of role.rules as { resources: string[]; verbs: string[] }[]) {
      assert.deepEqual(rule.verbs, ['get', 'list', 'watch']);
      for (const r of rule.resources) assert.ok(!['secrets', 'configmaps', '*'].includes(r), r);
    }
    const config = one(objects, 'Role');
    assert.equal(config.metadata.namespace, 'kube-system');
    assert.deepEqual(grants(config), [' configmaps get cilium-config']);
  });

  test("the chart's webhook RBAC and rules are deploy/'s", async () => {
    const objects = await render();
    const readonly = manifests('deploy/rbac/netfence-readonly.yaml');
    assert.deepEqual(
      grants(one(objects, 'ClusterRole', 'netfence-webhook')),
      grants(one(readonly, 'ClusterRole', 'netfence-readonly')),
    );
    assert.deepEqual(
      grants(one(objects, 'Role', 'netfence-cilium-config')),
      grants(one(readonly, 'Role', 'netfence-readonly-cilium-config')),
    );
    const deployed = manifests('deploy/webhook/validating-webhook.yaml');
    assert.deepEqual(hookOf(objects).rules, hookOf(deployed).rules);
  });

  test('cni, cniOptions and webhook.ciliumPolicies: the arguments, the Role and the rules they give', async () => {
    const auto = await render('controller.enabled=true');
    const subjects = one(auto, 'RoleBinding', 'netfence-cilium-config').subjects as { name: string }[];
    assert.deepEqual(
      subjects.map((x) => x.name),
      ['netfence-webhook', 'netfence-controller'],
    );
    const objects = await render(
      'cni=cilium@1.16',
      'cniOptions={policy-cidr-match-mode=pods}',
      'webhook.ciliumPolicies=false',
      'controller.enabled=true',
    );
    for (const name of ['netfence-webhook', 'netfence-controller']) {
      const args = (
        one(objects, 'Deployment', name).spec as {
          template: { spec: { containers: { args: string[] }[] } };
        }
      ).template.spec.containers[0]!.args.join(' ');
      assert.match(args, / --cni cilium@1\.16 --cni-option policy-cidr-match-mode=pods/, name);
    }
    // A named CNI reads no ConfigMap: no Role.
    assert.ok(!objects.some((o) => o.kind === 'Role' && o.metadata.namespace === 'kube-system'));
    const resources = (hookOf(objects).rules as { resources: string[] }[]).flatMap((r) => r.resources);
    assert.ok(!resources.some((r) => r.startsWith('cilium')), resources.join(' '));
  });

  test('the pod runs as non-root on a read-only root filesystem, with the mode and rules as arguments', async () => {
    const objects = await render('mode=warn', ASSERTIONS, 'lint.rules.no-allow-all-rule=warning');
    const pod = podOf(objects);
    assert.equal((pod.securityContext as { runAsNonRoot: boolean }).runAsNonRoot, true);
    const container = containerOf(objects);
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const args = (container.args as string[]).join(' ');
    assert.match(
      args,
      /^webhook --cluster --listen 0\.0\.0\.0:8443 --tls-cert \/tls\/tls\.crt --tls-key \/tls\/tls\.key --mode warn --config \/rules\/netfence\.yaml/,
    );
    assert.match(args, /--spec \/rules\/spec-reachability\.yaml/);
    // The rules as netfence reads them.
    const data = one(objects, 'ConfigMap').data as Record<string, string>;
    const config = parseLintConfig(
      data['netfence.yaml']!,
      'netfence.yaml',
      RULES.map((r) => r.id),
    );
    assert.ok(config.ok, JSON.stringify(config));
    assert.equal(config.value.rules['no-allow-all-rule'], 'warning');
    const spec = parseSpec(data['spec-reachability.yaml']!, 'reachability.yaml');
    assert.ok(spec.ok, JSON.stringify(spec));
    assert.equal(spec.spec.tests.length, 2);
  });

  test('the certificate Helm makes names the Service and is signed by the caBundle', async () => {
    const objects = await render();
    const secret = one(objects, 'Secret');
    const data = secret.data as Record<string, string>;
    const ca = new X509Certificate(Buffer.from(data['ca.crt']!, 'base64'));
    const cert = new X509Certificate(Buffer.from(data['tls.crt']!, 'base64'));
    assert.equal(cert.checkHost('netfence-webhook.netfence.svc'), 'netfence-webhook.netfence.svc');
    assert.ok(cert.verify(ca.publicKey));
    assert.equal((hookOf(objects).clientConfig as { caBundle: string }).caBundle, data['ca.crt']);
    assert.equal(
      ((podOf(objects).volumes as { name: string; secret?: { secretName: string } }[])[0]!.secret ?? {})
        .secretName,
      secret.metadata.name,
    );
  });

  test('with cert-manager: a Certificate for the Service, its CA injected, no caBundle of ours', async () => {
    const objects = await render('certificates.source=cert-manager');
    assert.ok(!objects.some((o) => o.kind === 'Secret'));
    const certificate = one(objects, 'Certificate', 'netfence-webhook');
    assert.deepEqual((certificate.spec as { dnsNames: string[] }).dnsNames, [
      'netfence-webhook.netfence.svc',
      'netfence-webhook.netfence',
    ]);
    const config = one(objects, 'ValidatingWebhookConfiguration');
    assert.equal(
      config.metadata.annotations?.['cert-manager.io/inject-ca-from'],
      'netfence/netfence-webhook',
    );
    assert.equal((hookOf(objects).clientConfig as { caBundle?: string }).caBundle, undefined);
    // An issuer of the user's: no self-signed Issuers of ours.
    const own = await render(
      'certificates.source=cert-manager',
      'certificates.certManager.issuerRef.name=corp-ca',
      'certificates.certManager.issuerRef.kind=ClusterIssuer',
    );
    assert.deepEqual(
      own.filter((o) => o.kind === 'Issuer'),
      [],
    );
    assert.deepEqual((one(own, 'Certificate').spec as { issuerRef: unknown }).issuerRef, {
      name: 'corp-ca',
      kind: 'ClusterIssuer',
    });
  });

  test('controller.enabled=false (the default) renders no controller object', async () => {
    assert.match(readFileSync(join(CHART, 'values.yaml'), 'utf8'), /^controller:\n {2}enabled: false$/m);
    const objects = await render();
    assert.deepEqual(
      objects.filter((o) => /controller/.test(o.metadata.name)).map((o) => `${o.kind}/${o.metadata.name}`),
      [],
    );
  });

  test('the controller: its objects, the same image, leader election only with more than one replica', async () => {
    const objects = await render('controller.enabled=true', ASSERTIONS, 'image.tag=1.2.3');
    const kinds = (list: readonly K8sObject[]): string[] =>
      list.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    const webhookOnly = new Set(kinds(await render(ASSERTIONS, 'image.tag=1.2.3')));
    assert.deepEqual(
      kinds(objects).filter((k) => !webhookOnly.has(k)),
      [
        'ClusterRole/netfence-controller',
        'ClusterRole/netfence-controller-read',
        'ClusterRoleBinding/netfence-controller',
        'ClusterRoleBinding/netfence-controller-read',
        'ConfigMap/netfence-controller',
        'Deployment/netfence-controller',
        'Role/netfence-controller-lease',
        'RoleBinding/netfence-controller-lease',
        'Service/netfence-controller-metrics',
        'ServiceAccount/netfence-controller',
      ],
    );
    const deployment = one(objects, 'Deployment', 'netfence-controller');
    const spec = deployment.spec as { replicas: number; template: { spec: Record<string, unknown> } };
    assert.equal(spec.replicas, 2);
    assert.equal(spec.template.spec.serviceAccountName, 'netfence-controller');
    const container = (spec.template.spec.containers as Record<string, unknown>[])[0]!;
    const webhook = (
      (one(objects, 'Deployment', 'netfence-webhook').spec as { template: { spec: Record<string, unknown> } })
        .template.spec.containers as Record<string, unknown>[]
    )[0]!;
    assert.equal(container.image, 'ghcr.io/netfence/netfence:1.2.3');
    assert.equal(container.image, webhook.image);
    assert.deepEqual(container.securityContext, webhook.securityContext);
    assert.equal(
      (container.args as string[]).join(' '),
      'controller --cluster --listen 0.0.0.0:8080 --controller-config /config/controller.yaml ' +
        '--config /config/netfence.yaml --request-timeout 30s --cni auto --spec /config/spec-reachability.yaml ' +
        '--leader-elect --lease-name netfence-controller',
    );
    const single = await render('controller.enabled=true', 'controller.replicas=1');
    const args = (
      (
        one(single, 'Deployment', 'netfence-controller').spec as {
          template: { spec: Record<string, unknown> };
        }
      ).template.spec.containers as { args: string[] }[]
    )[0]!.args;
    assert.ok(!args.includes('--leader-elect'), args.join(' '));
    // The ServiceMonitor only when asked for.
    assert.ok(!objects.some((o) => o.kind === 'ServiceMonitor'));
    const monitored = await render('controller.enabled=true', 'controller.serviceMonitor.enabled=true');
    const monitor = one(monitored, 'ServiceMonitor', 'netfence-controller');
    assert.deepEqual((monitor.spec as { endpoints: unknown[] }).endpoints, [
      { port: 'metrics', path: '/metrics', interval: '30s' },
    ]);
  });

  test("the controller's settings and rules, as netfence reads them", async () => {
    const objects = await render(
      'controller.enabled=true',
      ASSERTIONS,
      'lint.rules.no-allow-all-rule=error',
      'controller.defaultDeny.directions=egress',
      'controller.defaultDeny.dns=false',
      'controller.excludeNamespaces={legacy}',
      'controller.auditDebounce=5s',
    );
    const data = one(objects, 'ConfigMap', 'netfence-controller').data as Record<string, string>;
    const parsed = parseSettings(data['controller.yaml']!, defaultSettings('netfence'));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.settings.defaultDeny.directions, 'egress');
    assert.equal(parsed.settings.defaultDeny.dns, undefined);
    assert.deepEqual(parsed.settings.excludeNamespaces, ['kube-system', 'netfence', 'legacy']);
    assert.deepEqual(parsed.settings.excludeSelectors, [
      { matchLabels: { 'netfence.io/default-deny': 'off' } },
    ]);
    assert.equal(parsed.settings.auditDebounceMs, 5000);
    const defaults = parseSettings(
      (
        one(await render('controller.enabled=true'), 'ConfigMap', 'netfence-controller').data as Record<
          string,
          string
        >
      )['controller.yaml']!,
      defaultSettings('netfence'),
    );
    assert.ok(defaults.ok, JSON.stringify(defaults));
    assert.deepEqual(defaults.settings.defaultDeny.dns, {
      namespace: 'kube-system',
      podLabels: { 'k8s-app': 'kube-dns' },
    });
    // The same rules as the webhook's.
    const rules = one(objects, 'ConfigMap', 'netfence-webhook-rules').data as Record<string, string>;
    assert.equal(data['netfence.yaml'], rules['netfence.yaml']);
    assert.equal(data['spec-reachability.yaml'], rules['spec-reachability.yaml']);
    const config = parseLintConfig(
      data['netfence.yaml']!,
      'netfence.yaml',
      RULES.map((r) => r.id),
    );
    assert.ok(config.ok, JSON.stringify(config));
    assert.equal(config.value.rules['no-allow-all-rule'], 'error');
  });

  test("the chart's controller RBAC is deploy/controller/rbac.yaml's and deploy/rbac/netfence-readonly.yaml's", async () => {
    const objects = await render('controller.enabled=true');
    const controller = manifests('deploy/controller/rbac.yaml');
    const readonly = manifests('deploy/rbac/netfence-readonly.yaml');
    assert.deepEqual(
      grants(one(objects, 'ClusterRole', 'netfence-controller')),
      grants(one(controller, 'ClusterRole', 'netfence-controller')),
    );
    assert.deepEqual(
      grants(one(objects, 'ClusterRole', 'netfence-controller-read')),
      grants(one(readonly, 'ClusterRole', 'netfence-readonly')),
    );
    assert.deepEqual(
      grants(one(objects, 'Role', 'netfence-controller-lease')),
      grants(one(controller, 'Role', 'netfence-controller-lease')),
    );
    // The manifests' controller Deployment and the chart's run the same command.
    const flags = (o: K8sObject): string[] =>
      (
        o.spec as { template: { spec: { containers: { args: string[] }[] } } }
      ).template.spec.containers[0]!.args.flatMap((a) => a.split('='))
        .filter((a) => a.startsWith('-'))
        .sort();
    const manifestFlags = flags(one(manifests('deploy/controller/deployment.yaml'), 'Deployment'));
    assert.ok(manifestFlags.length >= 5, manifestFlags.join(' '));
    for (const flag of manifestFlags)
      assert.ok(flags(one(objects, 'Deployment', 'netfence-controller')).includes(flag), flag);
  });
});

// Against a real API server.
let api: ApiServer | undefined;
let tmp = '';
const PATHS: Record<string, string> = {
  ServiceAccount: '/api/v1/namespaces/netfence/serviceaccounts',
  ConfigMap: '/api/v1/namespaces/netfence/configmaps',
  Secret: '/api/v1/namespaces/netfence/secrets',
  Service: '/api/v1/namespaces/netfence/services',
  Deployment: '/apis/apps/v1/namespaces/netfence/deployments',
  PodDisruptionBudget: '/apis/policy/v1/namespaces/netfence/poddisruptionbudgets',
  ClusterRole: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  Role: '/apis/rbac.authorization.k8s.io/v1/namespaces/netfence/roles',
  RoleBinding: '/apis/rbac.authorization.k8s.io/v1/namespaces/netfence/rolebindings',
  ValidatingWebhookConfiguration: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
};

/** Where an object is created (a namespaced one in its own namespace: the Role on cilium-config is in kube-system). */
const pathOf = (o: K8sObject): string | undefined =>
  PATHS[o.kind]?.replace('/namespaces/netfence/', `/namespaces/${o.metadata.namespace ?? 'netfence'}/`);

before(async () => {
  if (skip !== false) return;
  api = await startServer();
  if (api === undefined) return;
  tmp = mkdtempSync(join(tmpdir(), 'netfence-helm-'));
  await applyObjects(api, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'netfence' } }]);
  await applyObjects(api, baseObjects() as unknown as Record<string, unknown>[]);
});

after(async () => {
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('the rendered chart in a real API server', { skip }, () => {
  test('every object is accepted (server-side dry run), whatever the values', async () => {
    for (const sets of [
      [ASSERTIONS, 'lint.rules.no-allow-all-rule=warning', 'controller.enabled=true'],
      [
        'webhook.failurePolicy=Fail',
        'webhook.pods=true',
        'webhook.nodes=true',
        'replicas=1',
        'webhook.clientCAConfigMap=apiserver-webhook-ca',
      ],
      ['controller.enabled=true', 'controller.replicas=1', 'controller.defaultDeny.dns=false'],
      ['certificates.source=secret', 'certificates.secret.name=tls', 'certificates.secret.caBundle=Q0E='],
    ]) {
      const objects = await render(...sets);
      if (sets.includes('controller.enabled=true'))
        assert.ok(objects.some((o) => o.metadata.name === 'netfence-controller'));
      for (const o of objects) {
        const path = pathOf(o);
        assert.ok(path !== undefined, `no path for ${o.kind}`);
        const r = await api!.request('POST', `${path}?dryRun=All`, { body: o });
        assert.equal(r.status, 201, `${sets.join(' ')}: ${o.kind} ${o.metadata.name}: ${r.text}`);
      }
    }
  });

  test("the pod's command, certificate and rules serve a review the caBundle trusts", async () => {
    const objects = await render('mode=deny', ASSERTIONS);
    const secret = one(objects, 'Secret').data as Record<string, string>;
    const rules = one(objects, 'ConfigMap').data as Record<string, string>;
    // The pod's mounts, as files.
    mkdirSync(join(tmp, 'tls'));
    mkdirSync(join(tmp, 'rules'));
    for (const key of ['tls.crt', 'tls.key'])
      writeFileSync(join(tmp, 'tls', key), Buffer.from(secret[key]!, 'base64'));
    for (const [key, text] of Object.entries(rules)) writeFileSync(join(tmp, 'rules', key), text);
    const args = (containerOf(objects).args as string[]).map((a) =>
      a
        .replace(/^\/tls\//, `${join(tmp, 'tls')}/`)
        .replace(/^\/rules\//, `${join(tmp, 'rules')}/`)
        .replace(/^0\.0\.0\.0:8443$/, '127.0.0.1:0'),
    );
    const child = spawn(
      process.execPath,
      ['bin/netfence', ...args, '--kubeconfig', api!.readonlyKubeconfig],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NETFENCE_NO_CACHE: '1' },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      let port: string | undefined;
      // Given up when it exits or is stuck (a minute of CPU time, or none for a minute), not by a count.
      let stuck: string | undefined;
      const unguard = guardProgress(child.pid!, { cpuMs: 60_000, fallbackMs: 300_000 }, (reason) => {
        stuck = reason;
      });
      try {
        while (port === undefined || !err.includes('"msg":"ready"')) {
          port = /listening on https:\/\/127\.0\.0\.1:(\d+)\/validate/.exec(out)?.[1];
          assert.ok(
            child.exitCode === null && stuck === undefined,
            `the webhook did not start (${stuck ?? `exited with ${String(child.exitCode)}`}):\n${out}\n${err}`,
          );
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        unguard();
      }
      const ca = Buffer.from((hookOf(objects).clientConfig as { caBundle: string }).caBundle, 'base64');
      const body = JSON.stringify(
        review('CREATE', np('data', 'allow-all', { podSelector: {}, ingress: [{}] })),
      );
      // As the API server calls it: through the Service's name, checked against the caBundle.
      const answer = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: Number(port),
            path: '/validate',
            method: 'POST',
            ca,
            servername: 'netfence-webhook.netfence.svc',
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      const response = (
        JSON.parse(answer) as { response: { allowed: boolean; status?: { message: string } } }
      ).response;
      assert.equal(response.allowed, false, answer);
      assert.match(response.status?.message ?? '', /breaking test "tenant-a never reaches the database"/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('the rendered controller in a real API server', { skip }, () => {
  test("the controller pod's command and RBAC keep a default deny and elect a leader", async () => {
    const objects = await render('controller.enabled=true', ASSERTIONS);
    // Its ServiceAccount and RBAC, for real; then the pod's command as that ServiceAccount.
    for (const o of objects.filter(
      (o) =>
        (o.metadata.name.startsWith('netfence-controller') || o.metadata.name === 'netfence-cilium-config') &&
        ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind),
    )) {
      const r = await api!.request('POST', pathOf(o)!, { body: o });
      assert.equal(r.status, 201, `${o.kind} ${o.metadata.name}: ${r.text}`);
    }
    const kubeconfig = await serviceAccountKubeconfig(api!);
    const config = join(tmp, 'config');
    mkdirSync(config);
    const data = one(objects, 'ConfigMap', 'netfence-controller').data as Record<string, string>;
    for (const [key, text] of Object.entries(data)) writeFileSync(join(config, key), text);
    const container = (
      one(objects, 'Deployment', 'netfence-controller').spec as {
        template: { spec: { containers: { args: string[] }[] } };
      }
    ).template.spec.containers[0]!;
    const args = container.args.map((a) =>
      a.replace(/^\/config\//, `${config}/`).replace(/^0\.0\.0\.0:8080$/, '127.0.0.1:0'),
    );
    const child = spawn(process.execPath, ['bin/netfence', ...args, '--kubeconfig', kubeconfig], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NETFENCE_NO_CACHE: '1', POD_NAMESPACE: 'netfence', NETFENCE_WORKER: 'never' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => (err += d.toString()));
    try {
      // The default deny in a namespace of the cluster, written as the chart's ServiceAccount.
      let policy: { metadata: { labels?: Record<string, string> } } | undefined;
      while (policy === undefined) {
        // No count of tries: the controller's exit fails it, and the runner's limit is the last resort.
        assert.ok(child.exitCode === null, `no default deny in data:\n${err}`);
        const r = await api!.request(
          'GET',
          '/apis/networking.k8s.io/v1/namespaces/data/networkpolicies/netfence-default-deny',
        );
        if (r.status === 200) policy = r.json as typeof policy;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(policy.metadata.labels?.['app.kubernetes.io/managed-by'], 'netfence');
      // Two replicas: the Lease the chart's Role allows, held by this one.
      const lease = await api!.request(
        'GET',
        '/apis/coordination.k8s.io/v1/namespaces/netfence/leases/netfence-controller',
      );
      assert.equal(lease.status, 200, lease.text);
      // Its own namespace (the release's) is left alone.
      const own = await api!.request(
        'GET',
        '/apis/networking.k8s.io/v1/namespaces/netfence/networkpolicies/netfence-default-deny',
      );
      assert.equal(own.status, 404);
      assert.doesNotMatch(err, /forbidden/i);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
