/**
 * A rollback that does not end as planned still says exactly what it restored (a real kube-apiserver, a real
 * proxy in front of it, a real process receiving Ctrl+C): a restore's connection is dropped before its answer
 * (the server may have done it), the user presses Ctrl+C while a restore is in flight. Either way the record
 * is left as it was, and the next rollback restores the rest by comparing each object with the one before.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { startWriteProxy } from '../support/write-proxy.ts';
import { cli as runOn, skip, startWithWebshop, stopWithFolder } from './setup.ts';

const V1 = 'examples/webshop/policies';
const NP = '/apis/networking.k8s.io/v1/namespaces';
/** The namespaces of the policies of V1. */
const NAMESPACES = ['shop', 'payments', 'data', 'monitoring', 'ingress-nginx'];

let api: ApiServer | undefined;
let tmp = '';

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

async function allPolicies(): Promise<string[]> {
  const names: string[] = [];
  for (const ns of NAMESPACES) {
    const res = await server().request('GET', `${NP}/${ns}/networkpolicies`);
    assert.equal(res.status, 200, res.text);
    for (const i of (res.json as { items: { metadata: { name: string } }[] }).items)
      names.push(`${ns}/${i.metadata.name}`);
  }
  return names.sort();
}

/**
 * A proxy whose `onWrite` sees the writes between `arm()` and `disarm()` (of the rollback under test),
 * numbered from 0; it forwards the others (the apply's, the next rollback's).
 */
async function rollbackProxy(
  onWrite: (index: number) => 'forward' | 'drop' | Promise<void>,
  options: { dryRuns?: boolean } = {},
): Promise<{ kubeconfig: string; arm(): void; disarm(): void; close(): Promise<void> }> {
  let armed = false;
  let writes = 0;
  const proxy = await startWriteProxy(server(), tmp, () => (armed ? onWrite(writes++) : 'forward'), options);
  return {
    ...proxy,
    arm: () => {
      armed = true;
      writes = 0;
    },
    disarm: () => (armed = false),
  };
}

/** The one record of a state folder. */
function recordOf(dir: string): { id: string; status: string } {
  const files = readdirSync(join(dir, 'rollback'));
  assert.equal(files.length, 1, files.join(', '));
  return JSON.parse(readFileSync(join(dir, 'rollback', files[0]!), 'utf8')) as { id: string; status: string };
}

/**
 * Applies V1 on a cluster without policies, through the proxy (the record names the server the rollback
 * goes to), with its record in the state folder `state`.
 */
async function applied(state: string, kubeconfig: string): Promise<void> {
  for (const ns of NAMESPACES) {
    const res = await server().request('DELETE', `${NP}/${ns}/networkpolicies`);
    assert.equal(res.status, 200, res.text);
  }
  const r = await runOn(server(), ['apply', V1, '--cluster', '--state-dir', state], kubeconfig);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await allPolicies()).length, 21);
}

before(async () => {
  const started = await startWithWebshop('netfence-rollback-interrupted-');
  if (started !== undefined) ({ api, tmp } = started);
});

after(() => stopWithFolder(api, tmp));

describe('a restore whose answer never comes', { skip }, () => {
  test('is reported unknown; the record stays, and the next rollback finds it done by content', async () => {
    const state = join(tmp, 'dropped');
    // The third restore (a delete) reaches the server, which does it; the connection drops before the answer.
    const proxy = await rollbackProxy((i) => (i === 2 ? 'drop' : 'forward'));
    let unknown = '';
    try {
      for (const output of ['json', 'txt'] as const) {
        await applied(state, proxy.kubeconfig);
        proxy.arm();
        const r = await runOn(
          server(),
          ['rollback', '--cluster', '--state-dir', state, '-o', output],
          proxy.kubeconfig,
        );
        assert.equal(r.code, 2, r.stderr);
        assert.match(
          r.stderr,
          /^netfence: rollback stopped: cannot roll back NetworkPolicy \S+: the connection was closed before the answer came \(the cluster at http:\/\/127\.0\.0\.1:\d+ \(context "proxy"\)\) \(it may or may not have been restored\); 2 objects restored before it/,
        );
        if (output === 'json') {
          const json = JSON.parse(r.stdout) as {
            steps: { id: string; outcome: string; error: string | null }[];
          };
          const outcomes = json.steps.map((s) => s.outcome);
          assert.deepEqual(outcomes, [
            'restored',
            'restored',
            'unknown',
            ...Array<string>(18).fill('not-attempted'),
          ]);
          assert.match(json.steps[2]!.error ?? '', /^the connection was closed before the answer came/);
          unknown = json.steps[2]!.id;
          // The server did delete it.
          assert.equal((await allPolicies()).length, 18);
          assert.ok(!(await allPolicies()).includes(unknown));
        } else {
          assert.match(
            r.stdout,
            /\n {2}deleted {10}\S+\n {2}deleted {10}\S+\n {2}unknown {10}\S+: the connection was closed before the answer came .*\(may or may not have been restored\)\n {2}not attempted {4}\S+\n/,
          );
          assert.match(
            r.stdout,
            /\nStopped at the first failure: 2 restored, 1 unknown \(may or may not have been restored\), 18 not attempted\. Record \S+ is not marked rolled-back: netfence rollback --cluster again restores the rest\.\n$/,
          );
        }
        // The record is as the apply left it: the next rollback compares content.
        assert.equal(recordOf(state).status, 'complete');
        proxy.disarm();
        const back = await runOn(server(), ['rollback', '--cluster', '--state-dir', state], proxy.kubeconfig);
        assert.equal(back.code, 0, back.stderr);
        if (output === 'json')
          assert.match(back.stdout, new RegExp(`\\n {2}unchanged {8}${unknown}: already as before\\n`));
        assert.match(back.stdout, /\nRestored 18 objects as they were before /);
        assert.deepEqual(await allPolicies(), []);
        assert.equal(recordOf(state).status, 'rolled-back');
        rmSync(state, { recursive: true });
      }
    } finally {
      await proxy.close();
    }
  });
});

describe('a dry run whose first check gets no answer', { skip }, () => {
  test('says it stopped, what was checked and that nothing was changed (not that every restore was accepted)', async () => {
    const state = join(tmp, 'dry-run');
    // The first dry run of a restore reaches the server; its answer never comes.
    const proxy = await rollbackProxy((i) => (i === 0 ? 'drop' : 'forward'), { dryRuns: true });
    try {
      await applied(state, proxy.kubeconfig);
      // (A dry run deletes nothing: the precondition of a delete is sent in its body, where dryRun must be too.)
      const checked = await runOn(
        server(),
        ['rollback', '--cluster', '--dry-run', '--state-dir', state],
        proxy.kubeconfig,
      );
      assert.equal(checked.code, 0, checked.stderr);
      assert.match(checked.stdout, /\n {2}would delete {5}\S+\n/);
      assert.match(
        checked.stdout,
        /\nDry run: the API server accepted every restore; nothing was changed\.\n$/,
      );
      assert.equal((await allPolicies()).length, 21);
      proxy.arm();
      const r = await runOn(
        server(),
        ['rollback', '--cluster', '--dry-run', '--state-dir', state],
        proxy.kubeconfig,
      );
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stdout,
        /\n {2}failed {11}\S+: the connection was closed before the answer came [^\n]*\)\n {2}not attempted/,
      );
      assert.doesNotMatch(r.stdout, /may or may not|accepted every restore/);
      assert.ok(
        r.stdout.endsWith(
          '\nStopped at the first failure (dry run): 0 accepted, 1 failed, 20 not attempted; nothing was changed.\n',
        ),
        r.stdout,
      );
      assert.equal((await allPolicies()).length, 21);
      assert.equal(recordOf(state).status, 'complete');
      rmSync(state, { recursive: true });
    } finally {
      await proxy.close();
    }
  });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Applies V1 (through a proxy), then runs a rollback of it in a child process that gets Ctrl+C while the
 * proxy holds its second restore; `heard(child, release)` runs once the process said it heard it, and the
 * held restore goes on when `release` is called (or at the end). `check` gets the run, and the kubeconfig
 * of the proxy (now forwarding every write) for the next rollback.
 */
async function interruptedRollback(
  state: string,
  worker: 'never' | 'always',
  heard: (child: ChildProcess, release: () => void) => void,
  check: (run: Run, kubeconfig: string) => Promise<void>,
): Promise<void> {
  let child: ChildProcess | undefined;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const proxy = await rollbackProxy(async (i) => {
    if (i !== 1) return;
    child?.kill('SIGINT');
    await held;
  });
  try {
    await applied(state, proxy.kubeconfig);
    proxy.arm();
    const started = spawn(
      process.execPath,
      ['bin/netfence', 'rollback', '--cluster', '--state-dir', state, '--kubeconfig', proxy.kubeconfig],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NETFENCE_WORKER: worker } },
    );
    child = started;
    let told = false;
    const run: Run = { code: null, signal: null, stdout: '', stderr: '' };
    started.stdout.on('data', (c: Buffer) => (run.stdout += c.toString()));
    started.stderr.on('data', (c: Buffer) => {
      run.stderr += c.toString();
      if (!told && run.stderr.includes('stopping after the restore in flight')) {
        told = true;
        heard(started, release);
      }
    });
    [run.code, run.signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      started.on('close', (c, s) => resolve([c, s])),
    );
    assert.ok(told, run.stderr);
    proxy.disarm();
    await check(run, proxy.kubeconfig);
  } finally {
    release();
    await proxy.close();
  }
}

describe('Ctrl+C during the restores', { skip }, () => {
  // On the main thread, and on the worker thread (the main thread relays the signal).
  for (const worker of ['never', 'always'] as const)
    test(`finishes the restore in flight, restores no more, reports what was restored, exits 130 (NETFENCE_WORKER=${worker})`, async () => {
      const state = join(tmp, `interrupted-${worker}`);
      await interruptedRollback(
        state,
        worker,
        (_, release) => release(),
        async ({ code, stdout, stderr }, kubeconfig) => {
          assert.equal(code, 130, stderr);
          assert.equal(
            stderr,
            'netfence: interrupted (Ctrl+C): stopping after the restore in flight; Ctrl+C again to stop at once\n',
          );
          const record = recordOf(state);
          assert.match(stdout, /\n {2}deleted {10}\S+\n {2}deleted {10}\S+\n {2}not attempted {4}\S+\n/);
          assert.ok(
            stdout.endsWith(
              `\nInterrupted (Ctrl+C): 2 restored, 19 not attempted. Record ${record.id} is not marked rolled-back: netfence rollback --cluster again restores the rest.\n`,
            ),
            stdout,
          );
          assert.equal(record.status, 'complete');
          assert.equal((await allPolicies()).length, 19);
          const back = await runOn(server(), ['rollback', '--cluster', '--state-dir', state], kubeconfig);
          assert.equal(back.code, 0, back.stderr);
          assert.match(back.stdout, /\nRestored 19 objects as they were before /);
          assert.deepEqual(await allPolicies(), []);
        },
      );
    });
});

describe('a second Ctrl+C during the restores', { skip }, () => {
  for (const worker of ['never', 'always'] as const)
    test(`stops at once, with the record as it was (NETFENCE_WORKER=${worker})`, async () => {
      const state = join(tmp, `twice-${worker}`);
      // The second restore is held until the end of the test: the process is stopped while it waits.
      await interruptedRollback(
        state,
        worker,
        (child) => child.kill('SIGINT'),
        async ({ code, signal, stdout, stderr }, kubeconfig) => {
          // Ended by the signal itself (a shell says 130), or on the worker thread with exit 130.
          assert.ok(code === 130 || (code === null && signal === 'SIGINT'), `${code} ${signal} ${stderr}`);
          assert.doesNotMatch(stdout, /Interrupted|Restored/);
          assert.equal(recordOf(state).status, 'complete');
          // The held restore never reached the server: one object restored, 20 left.
          assert.equal((await allPolicies()).length, 20);
          const back = await runOn(server(), ['rollback', '--cluster', '--state-dir', state], kubeconfig);
          assert.equal(back.code, 0, back.stderr);
          assert.match(back.stdout, /\nRestored 20 objects as they were before /);
          assert.deepEqual(await allPolicies(), []);
        },
      );
    });
});
