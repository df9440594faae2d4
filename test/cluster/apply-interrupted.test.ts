/**
 * An apply that does not end as planned still says exactly what it changed (a real kube-apiserver, a real
 * proxy in front of it, a real process receiving Ctrl+C): the rollback record cannot be saved at the end, a
 * write's connection is dropped before its answer (the server may have applied it), the user presses Ctrl+C
 * while a write is in flight.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { startWriteProxy, type OnWrite, type WriteProxy } from '../support/write-proxy.ts';
import { cli as runOn, objectCountQuota, skip, startWithWebshop, stopWithFolder } from './setup.ts';

const V1 = 'examples/webshop/policies';
const NP = '/apis/networking.k8s.io/v1/namespaces';
/** The namespaces of the policies of V1. */
const NAMESPACES = ['shop', 'payments', 'data', 'monitoring', 'ingress-nginx'];
const RECORD_CM = '/api/v1/namespaces/default/configmaps/netfence-rollback';

let api: ApiServer | undefined;
let tmp = '';

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

async function policyNames(namespace: string): Promise<string[]> {
  const res = await server().request('GET', `${NP}/${namespace}/networkpolicies`);
  assert.equal(res.status, 200, res.text);
  return (res.json as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
}

async function deleteAllPolicies(): Promise<void> {
  for (const ns of NAMESPACES) {
    const res = await server().request('DELETE', `${NP}/${ns}/networkpolicies`);
    assert.ok(res.status === 200 || res.status === 404, res.text);
  }
  const cm = await server().request('DELETE', RECORD_CM);
  assert.ok(cm.status === 200 || cm.status === 404, cm.text);
}

/** The one record of a state folder. */
function recordOf(dir: string): { status: string; entries: { id: string; outcome: string }[] } {
  const files = readdirSync(join(dir, 'rollback'));
  assert.equal(files.length, 1, files.join(', '));
  return JSON.parse(readFileSync(join(dir, 'rollback', files[0]!), 'utf8')) as {
    status: string;
    entries: { id: string; outcome: string }[];
  };
}

function startProxy(onWrite: OnWrite): Promise<WriteProxy> {
  return startWriteProxy(server(), tmp, onWrite);
}

before(async () => {
  const started = await startWithWebshop('netfence-apply-interrupted-');
  if (started !== undefined) ({ api, tmp } = started);
});

after(() => stopWithFolder(api, tmp));

describe('the rollback record cannot be saved in the cluster at the end', { skip }, () => {
  test('the report of what was written is printed all the same, with where the record is', async () => {
    await deleteAllPolicies();
    // Creating the ConfigMap (the record before the writes) is allowed; updating it (after) is not.
    const vap = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'frozen-record' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['configmaps'] },
          ],
        },
        validations: [
          { expression: "object.metadata.name != 'netfence-rollback'", message: 'the record is frozen' },
        ],
      },
    };
    const binding = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'frozen-record' },
      spec: { policyName: 'frozen-record', validationActions: ['Deny'] },
    };
    const base = '/apis/admissionregistration.k8s.io/v1';
    const probeCm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'netfence-rollback', namespace: 'default' },
      data: { probe: 'x' },
    };
    assert.equal(
      (await server().request('POST', `${base}/validatingadmissionpolicies`, { body: vap })).status,
      201,
    );
    assert.equal(
      (await server().request('POST', `${base}/validatingadmissionpolicybindings`, { body: binding })).status,
      201,
    );
    // The admission plugin learns of policies through an informer: wait until this one is in force (a
    // dry-run update of a probe ConfigMap of that name is refused), then remove the probe.
    assert.equal(
      (await server().request('POST', '/api/v1/namespaces/default/configmaps', { body: probeCm })).status,
      201,
    );
    await server().until(
      async () => (await server().request('PUT', `${RECORD_CM}?dryRun=All`, { body: probeCm })).status,
      (status) => status !== 200,
      (status) => `the admission policy is not in force (HTTP ${status})`,
    );
    assert.equal((await server().request('DELETE', RECORD_CM)).status, 200);
    try {
      for (const output of ['txt', 'json'] as const) {
        await deleteAllPolicies();
        const state = join(tmp, `frozen-${output}`);
        const r = await runOn(server(), [
          'apply',
          V1,
          '--cluster',
          '--record',
          '--state-dir',
          state,
          '-o',
          output,
        ]);
        assert.equal(r.code, 2, r.stderr);
        const record = recordOf(state);
        assert.equal(record.status, 'complete');
        const path = join(state, 'rollback', readdirSync(join(state, 'rollback'))[0]!);
        assert.equal(
          r.stderr,
          `netfence: the apply wrote what the report says, but cannot write the rollback record ConfigMap default/netfence-rollback: invalid: ValidatingAdmissionPolicy 'frozen-record' with binding 'frozen-record' denied request: the record is frozen; the record of this apply is in ${path}: netfence rollback --cluster --state-dir ${state} undoes it\n`,
        );
        if (output === 'json') {
          const json = JSON.parse(r.stdout) as { changes: { outcome: string }[]; record: string };
          assert.equal(json.changes.length, 21);
          assert.ok(json.changes.every((c) => c.outcome === 'applied'));
          assert.equal(json.record, path);
        } else {
          assert.match(r.stdout, /\nApplied: 21 created\. To undo: netfence rollback --cluster \(record /);
        }
        assert.equal((await policyNames('shop')).length, 7);
        if (output === 'json') {
          const back = await runOn(server(), ['rollback', '--cluster', '--state-dir', state]);
          assert.equal(back.code, 0, back.stderr);
        } else {
          // From the cluster's record (the one saved before the writes, every entry pending): restored by
          // content; that it is rolled back cannot be saved either, which the end of the report says.
          const back = await runOn(server(), [
            'rollback',
            '--cluster',
            '--from-cluster',
            '--state-dir',
            join(tmp, 'elsewhere'),
          ]);
          assert.equal(back.code, 2, back.stderr);
          assert.match(back.stdout, /\nRestored 21 objects as they were before /);
          assert.equal(
            back.stderr,
            "netfence: the rollback restored what the report says, but cannot write the rollback record ConfigMap default/netfence-rollback: invalid: ValidatingAdmissionPolicy 'frozen-record' with binding 'frozen-record' denied request: the record is frozen; the record is not marked rolled-back (a rollback of it again finds every object as before)\n",
          );
        }
        assert.deepEqual(await policyNames('shop'), []);
        await server().request('DELETE', RECORD_CM);
      }
    } finally {
      await server().request('DELETE', `${base}/validatingadmissionpolicybindings/frozen-record`);
      await server().request('DELETE', `${base}/validatingadmissionpolicies/frozen-record`);
    }
  });
});

describe('the rollback record cannot be saved in the cluster before the writes', { skip }, () => {
  test('nothing is written, and the record of the last apply stays the one rollback undoes', async () => {
    await deleteAllPolicies();
    const state = join(tmp, 'no-configmap');
    const first = await runOn(server(), ['apply', V1, '--cluster', '--state-dir', state]);
    assert.equal(first.code, 0, first.stderr);
    const before = readdirSync(join(state, 'rollback'));
    // A namespace whose quota allows no ConfigMap: the record cannot be stored there.
    assert.equal(
      (
        await server().request('POST', '/api/v1/namespaces', {
          body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'records' } },
        })
      ).status,
      201,
    );
    await objectCountQuota(server(), 'records', { 'count/configmaps': '0' });
    const r = await runOn(server(), [
      'apply',
      'examples/webshop-v2/policies',
      '--cluster',
      '--record',
      '--record-namespace',
      'records',
      '--state-dir',
      state,
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^netfence: cannot write the rollback record ConfigMap records\/netfence-rollback: exceeded quota: policies, requested: count\/configmaps=1, used: count\/configmaps=0, limited: count\/configmaps=0 \(raise the ResourceQuota, or remove ConfigMaps no longer needed\); nothing was changed\n$/,
    );
    assert.deepEqual(readdirSync(join(state, 'rollback')), before);
    const back = await runOn(server(), ['rollback', '--cluster', '--state-dir', state]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /\nRestored 21 objects as they were before /);
  });
});

describe('a write whose answer never comes', { skip }, () => {
  test('is reported unknown and recorded pending; rollback undoes it by comparing content', async () => {
    await deleteAllPolicies();
    // The third write reaches the server, which creates the policy; the connection drops before the answer.
    const proxy = await startProxy((i) => (i === 2 ? 'drop' : 'forward'));
    try {
      const state = join(tmp, 'dropped');
      const r = await runOn(
        server(),
        ['apply', V1, '--cluster', '--state-dir', state, '-o', 'json'],
        proxy.kubeconfig,
      );
      assert.equal(r.code, 2, r.stderr);
      const json = JSON.parse(r.stdout) as {
        changes: { id: string; outcome: string; error: string | null }[];
      };
      const outcomes = json.changes.map((c) => c.outcome);
      assert.deepEqual(outcomes.slice(0, 3), ['applied', 'applied', 'unknown']);
      assert.ok(
        outcomes.slice(3).every((o) => o === 'not-attempted'),
        outcomes.join(' '),
      );
      const unknown = json.changes[2]!;
      assert.match(unknown.error ?? '', /the connection was closed before the answer came/);
      assert.match(r.stderr, /may or may not have been applied/);
      const record = recordOf(state);
      assert.equal(record.status, 'partial');
      assert.deepEqual(
        record.entries.slice(0, 4).map((e) => [e.id, e.outcome]),
        [
          [json.changes[0]!.id, 'applied'],
          [json.changes[1]!.id, 'applied'],
          [unknown.id, 'pending'],
          [json.changes[3]!.id, 'not-attempted'],
        ],
      );
      // The server did apply it: rollback deletes it with the two applied.
      const [ns, name] = unknown.id.split('/');
      assert.ok((await policyNames(ns!)).includes(name!));
      const back = await runOn(server(), ['rollback', '--cluster', '--state-dir', state], proxy.kubeconfig);
      assert.equal(back.code, 0, back.stderr);
      for (const ns of NAMESPACES) assert.deepEqual(await policyNames(ns), [], ns);
    } finally {
      await proxy.close();
    }
  });
});

/**
 * `apply V1` by a real process, given Ctrl+C while its write number `held` (from 0) is in flight: that write is
 * held by the proxy until the process has said it heard the signal.
 */
async function applyWithCtrlC(
  state: string,
  worker: 'never' | 'always',
  held: number,
): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
  kubeconfig: string;
  close(): Promise<void>;
}> {
  let child: ReturnType<typeof spawn> | undefined;
  let stderr = '';
  let stdout = '';
  let told: () => void = () => undefined;
  const heard = new Promise<void>((resolve) => (told = resolve));
  const proxy = await startProxy(async (i) => {
    if (i !== held) return;
    child?.kill('SIGINT');
    await heard;
  });
  try {
    child = spawn(
      process.execPath,
      ['bin/netfence', 'apply', V1, '--cluster', '--state-dir', state, '--kubeconfig', proxy.kubeconfig],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NETFENCE_WORKER: worker } },
    );
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes('stopping after the write in flight')) told();
    });
    const code = await new Promise<number | null>((resolve) => child!.on('close', (c) => resolve(c)));
    return { code, stdout, stderr, kubeconfig: proxy.kubeconfig, close: () => proxy.close() };
  } catch (error) {
    await proxy.close();
    throw error;
  } finally {
    told();
  }
}

describe('Ctrl+C during the writes', { skip }, () => {
  // On the main thread, and on the worker thread a large input runs on (the main thread relays the signal).
  for (const worker of ['never', 'always'] as const)
    test(`finishes the write in flight, writes no more, reports what was written and how to undo, exits 130 (NETFENCE_WORKER=${worker})`, async () => {
      await deleteAllPolicies();
      const state = join(tmp, `interrupted-${worker}`);
      // The second write is held until the process has said it received Ctrl+C.
      const run = await applyWithCtrlC(state, worker, 1);
      try {
        const { code, stdout, stderr } = run;
        assert.equal(code, 130, stderr);
        assert.match(
          stderr,
          /netfence: interrupted \(Ctrl\+C\): stopping after the write in flight; Ctrl\+C again to stop at once\n/,
        );
        assert.match(stdout, /\n {2}created {8}\S+\n {2}created {8}\S+\n {2}not attempted {2}\S+\n/);
        assert.match(
          stdout,
          /\nInterrupted \(Ctrl\+C\): 2 applied, 19 not attempted\. To undo the applied ones: netfence rollback --cluster \(record /,
        );
        const record = recordOf(state);
        assert.equal(record.status, 'partial');
        assert.deepEqual(
          record.entries.map((e) => e.outcome),
          ['applied', 'applied', ...Array<string>(19).fill('not-attempted')],
        );
        const total = (await Promise.all(NAMESPACES.map(policyNames))).flat();
        assert.equal(total.length, 2);
        const back = await runOn(server(), ['rollback', '--cluster', '--state-dir', state], run.kubeconfig);
        assert.equal(back.code, 0, back.stderr);
        assert.deepEqual((await Promise.all(NAMESPACES.map(policyNames))).flat(), []);
      } finally {
        await run.close();
      }
    });

  test('Ctrl+C during the last write stops nothing: the apply completes, exit 0, as rollback', async () => {
    await deleteAllPolicies();
    // The last of the 21 writes is held until the process has said it received Ctrl+C.
    const run = await applyWithCtrlC(join(tmp, 'interrupted-last'), 'never', 20);
    try {
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout, /Interrupted|not attempted/);
      assert.deepEqual(
        recordOf(join(tmp, 'interrupted-last')).entries.map((e) => e.outcome),
        Array<string>(21).fill('applied'),
      );
      assert.equal((await Promise.all(NAMESPACES.map(policyNames))).flat().length, 21);
    } finally {
      await run.close();
    }
  });
});
