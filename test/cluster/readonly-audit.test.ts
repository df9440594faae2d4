/**
 * What the read-only commands ask of the API server, proven by its audit log: run as the user of
 * deploy/rbac/netfence-readonly.yaml, every command that only reads passes, and the API server records from
 * that user only `get`, `list` and `watch`, none refused, never a Secret, and no ConfigMap but `cilium-config`
 * by name (`--cni auto`). A Secret and another ConfigMap are in the cluster, so that a read of them would show.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { applyObjects, ciliumDaemonSet, cli, readObjects, skip, startServer } from './setup.ts';

const FIXTURES = 'test/cluster/fixtures';

let api: ApiServer | undefined;
let tmp = '';
let auditLog = '';

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

/** Logs every request of the read-only user with its metadata (verb, resource, name, response code). */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    users: [netfence-reader]
  - level: None
`;

interface AuditEvent {
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'netfence-audit-'));
  writeFileSync(join(tmp, 'policy.yaml'), AUDIT_POLICY);
  auditLog = join(tmp, 'audit.log');
  api = await startServer({
    extraApiServerArgs: [
      `--audit-policy-file=${join(tmp, 'policy.yaml')}`,
      `--audit-log-path=${auditLog}`,
      // Each event is written by the request's own handler (no batching, no dropped events).
      '--audit-log-mode=blocking',
    ],
  });
  if (api === undefined) return;
  await applyObjects(api, [
    ...readObjects(['examples/webshop', `${FIXTURES}/pods.yaml`]),
    ciliumDaemonSet('quay.io/cilium/cilium:v1.15.6'),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cilium-config', namespace: 'kube-system' },
      data: { 'policy-cidr-match-mode': 'nodes' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'shop' },
      data: { password: 'not for netfence' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-password', namespace: 'data' },
      stringData: { password: 'not for netfence' },
    },
  ]);
});

after(async () => {
  await api?.stop();
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

/** The audit events of the read-only user so far (the completed stage of each request). */
function readerEvents(): AuditEvent[] {
  return readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((e) => e.user.username === 'netfence-reader' && e.stage === 'ResponseComplete');
}

/** `verb resource[/name] code` of an event, for a message that says which request it was. */
function described(e: AuditEvent): string {
  const ref = e.objectRef;
  const what =
    ref?.resource === undefined
      ? e.requestURI
      : `${ref.resource}${ref.apiGroup ? `.${ref.apiGroup}` : ''}${ref.namespace ? ` in ${ref.namespace}` : ''}${ref.name ? ` ${ref.name}` : ''}`;
  return `${e.verb} ${what} → ${e.responseStatus?.code ?? '?'}`;
}

// Every command that only reads, as docs/cluster.md lists them, on the live cluster with --cni auto where the
// command takes it (it reads the agent's DaemonSet and the cilium-config ConfigMap by name).
const COMMANDS: readonly (readonly string[])[] = [
  ['analyze', '--cluster', '-A', '--cni', 'auto'],
  ['analyze', '--cluster', '-n', 'shop'],
  ['explain', '--cluster', '-A', '--from', 'shop/web', '--to', 'data/postgres', '--port', '5432/TCP'],
  ['exposure', '--cluster', '-A'],
  ['lint', '--cluster', '-A'],
  ['paths', '--cluster', '-A'],
  ['map', '--cluster', '-A', '--flows', 'examples/flows/webshop.csv'],
  ['generate', '--cluster', '-A', '--flows', 'examples/flows/webshop-hubble.jsonl'],
  ['test', '--cluster', '-A', '--init'],
  ['check-flows', '--cluster', '-A', '--flows', 'examples/flows/webshop-hubble.jsonl'],
  ['diff', '--cluster', '-A', 'examples/webshop/policies'],
  ['drift', 'examples/webshop/policies', '--cluster', '-A'],
  ['report', '--cluster', '-A', '--html', '-'],
  ['snapshot', '--cluster', '-A'],
];

describe('the read-only commands, as the API server records them', { skip }, () => {
  const results: { args: readonly string[]; code: number; stderr: string }[] = [];

  before(async () => {
    if (api === undefined) return;
    for (const args of COMMANDS) {
      const r = await cli(server(), args, server().readonlyKubeconfig);
      results.push({ args, code: r.code, stderr: r.stderr });
    }
    // A last request of the reader, after all the commands': once the log holds it, it holds theirs (the event of
    // a request's completion may be written just after its response reaches the client).
    const marker = '/api/v1/namespaces/netfence-audit-marker';
    await server().request('GET', marker, { token: server().readonlyToken });
    await server().until(
      () => Promise.resolve(readerEvents().some((e) => e.requestURI === marker)),
      (found) => found,
      () => 'the audit log records the marker request',
    );
  });

  test('each passes with the read-only role: no refusal, no warning of one', () => {
    assert.equal(results.length, COMMANDS.length);
    for (const r of results) {
      // Exit 0, or 1 for a finding (lint, drift, check-flows report what they find); 2 is an error.
      assert.ok(r.code === 0 || r.code === 1, `${r.args.join(' ')}: exit ${r.code}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /forbidden|cannot|^netfence:/m, r.args.join(' '));
    }
  });

  test('the reader only gets, lists and watches; nothing it asked for was refused', () => {
    const events = readerEvents();
    assert.ok(events.length > COMMANDS.length, `the audit log records the reader: ${events.length} events`);
    const resourceRequests = events.filter((e) => e.objectRef?.resource !== undefined);
    assert.deepEqual(
      resourceRequests.filter((e) => !['get', 'list', 'watch'].includes(e.verb)).map(described),
      [],
    );
    // 404 is the answer for a kind whose CRD is not installed (the cluster policy tiers, Cilium's policies):
    // not a refusal. 401 and 403 would be.
    assert.deepEqual(
      events.filter((e) => e.responseStatus?.code === 401 || e.responseStatus?.code === 403).map(described),
      [],
    );
  });

  test('never a Secret, and no ConfigMap but kube-system/cilium-config by name', () => {
    const events = readerEvents();
    assert.deepEqual(events.filter((e) => e.objectRef?.resource === 'secrets').map(described), []);
    const configMaps = events.filter((e) => e.objectRef?.resource === 'configmaps');
    assert.ok(configMaps.length > 0, '--cni auto reads cilium-config');
    assert.deepEqual(
      [...new Set(configMaps.map(described))],
      ['get configmaps in kube-system cilium-config → 200'],
    );
  });

  test('what is listed is what docs/cluster.md says is read, and no other kind', () => {
    const listed = new Set(
      readerEvents()
        .filter((e) => e.verb === 'list' && e.responseStatus?.code === 200)
        .map((e) => `${e.objectRef?.resource}${e.objectRef?.apiGroup ? `.${e.objectRef.apiGroup}` : ''}`),
    );
    assert.deepEqual([...listed].sort(), [
      'cronjobs.batch',
      'daemonsets.apps',
      'deployments.apps',
      'endpointslices.discovery.k8s.io',
      'jobs.batch',
      'namespaces',
      'networkpolicies.networking.k8s.io',
      'nodes',
      'pods',
      'replicasets.apps',
      'replicationcontrollers',
      'services',
      'statefulsets.apps',
    ]);
  });
});
