/**
 * The file-system mistakes a new user makes, through the real CLI (round 15): a path under a regular file, a
 * broken symbolic link, a folder where a file is written. Each is one line that quotes the path and says
 * what is wrong with it (exit 2), never an internal error with a stack trace (exit 70), nor a "did you mean"
 * that offers the very name given.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { newRecord, planApply } from '../../src/apply/index.ts';
import { saveNewRecord } from '../../src/cli/options/records.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'netfence-fs-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (...names: string[]): string => join(dir, ...names);

/** A regular file where a folder is expected, a folder where a file is, a symbolic link to nothing. */
const file = at('notes.txt');
writeFileSync(file, 'not a folder\n');
const folder = at('out');
mkdirSync(folder);
const broken = at('broken.yaml');
const nowhere = at('gone', 'policies.yaml');
symlinkSync(nowhere, broken);

const MANIFESTS = 'examples/webshop';
const FLOWS = 'examples/flows/webshop-hubble.jsonl';

async function fails(args: readonly string[], line: string): Promise<void> {
  const r = await runCli([...args, '-q']);
  assert.equal(r.stderr, `netfence: ${line}\n`, args.join(' '));
  assert.equal(r.code, 2, args.join(' '));
}

describe('an output file under a regular file', () => {
  test('report --html: the part that is a file, not a stack trace', async () => {
    await fails(
      ['report', MANIFESTS, '--html', join(file, 'report.html')],
      `cannot write "${join(file, 'report.html')}": "${file}" is a file, not a folder`,
    );
  });

  test('report --html: refused before the manifests are read, as a missing folder is', async () => {
    const target = join(file, 'report.html');
    const r = await runCli(['report', MANIFESTS, '--html', target]);
    // Without -q, reading the manifests notes what it ignored: nothing is read.
    assert.equal(r.stderr, `netfence: cannot write "${target}": "${file}" is a file, not a folder\n`);
    assert.equal(r.code, 2);
  });

  test('test --init -o: the same line', async () => {
    await fails(
      ['test', '--init', MANIFESTS, '-o', join(file, 'tests.yaml')],
      `cannot write "${join(file, 'tests.yaml')}": "${file}" is a file, not a folder`,
    );
  });
});

describe('an output file where a folder stands', () => {
  test('report --html: a file in the folder is offered, not --force', async () => {
    for (const force of [[], ['--force']]) {
      await fails(
        ['report', MANIFESTS, '--html', folder, ...force],
        `cannot write "${folder}": it is a folder; give a file in it, such as "${join(folder, 'report.html')}"`,
      );
    }
  });

  test('test --init -o: the same', async () => {
    for (const force of [[], ['--force']]) {
      await fails(
        ['test', '--init', MANIFESTS, '-o', folder, ...force],
        `cannot write "${folder}": it is a folder; give a file in it, such as "${join(folder, 'reachability.yaml')}"`,
      );
    }
  });
});

describe('generate --output-dir that is, or is under, a regular file', () => {
  test('one line naming the file, not a stack trace', async () => {
    for (const out of [file, join(file, 'policies')]) {
      await fails(
        ['generate', MANIFESTS, '--flows', FLOWS, '--output-dir', out],
        `--output-dir: cannot create "${out}": "${file}" is a file, not a folder`,
      );
    }
  });
});

describe('an input under a regular file', () => {
  const under = join(file, 'x.yaml');

  test('manifests: the part that is a file', async () => {
    await fails(
      ['analyze', under],
      `no manifests found in ${under} (path "${under}" does not exist: "${file}" is a file, not a folder)`,
    );
  });

  test('--flows: the same reason, not the system error', async () => {
    await fails(
      ['map', MANIFESTS, '--flows', under],
      `flows: cannot read "${under}": "${file}" is a file, not a folder`,
    );
  });

  test('test --spec and map --merge: the same reason, not the error code', async () => {
    await fails(
      ['test', MANIFESTS, '--spec', under],
      `--spec: cannot read "${under}": "${file}" is a file, not a folder`,
    );
    await fails(
      ['map', '--merge', under],
      `--merge: cannot read "${under}": "${file}" is a file, not a folder`,
    );
  });

  test('lint --config: the reason too', async () => {
    await fails(
      ['lint', MANIFESTS, '--config', under],
      `cannot read configuration "${under}": "${file}" is a file, not a folder; check the path given to --config`,
    );
  });
});

describe('an input that is a broken symbolic link', () => {
  const why = `it is a broken symbolic link to "${nowhere}"`;

  test('manifests: where it points, not "did you mean" the same name', async () => {
    await fails(
      ['analyze', broken],
      `no manifests found in ${broken} (path "${broken}" does not exist: ${why})`,
    );
  });

  test('--flows, test --spec, map --merge and lint --config: the same', async () => {
    await fails(['map', MANIFESTS, '--flows', broken], `flows: cannot read "${broken}": ${why}`);
    await fails(['test', MANIFESTS, '--spec', broken], `--spec: cannot read "${broken}": ${why}`);
    await fails(['map', '--merge', broken], `--merge: cannot read "${broken}": ${why}`);
    await fails(
      ['lint', MANIFESTS, '--config', broken],
      `cannot read configuration "${broken}": ${why}; check the path given to --config`,
    );
  });
});

describe('a missing input', () => {
  test('lint --config: says it does not exist', async () => {
    const missing = at('netfence.yml');
    await fails(
      ['lint', MANIFESTS, '--config', missing],
      `cannot read configuration "${missing}": it does not exist; check the path given to --config`,
    );
  });

  test('lint --config given a folder: says so', async () => {
    await fails(
      ['lint', MANIFESTS, '--config', folder],
      `cannot read configuration "${folder}": it is a folder; check the path given to --config`,
    );
  });
});

describe('a folder named netfence.yaml where lint runs', () => {
  test('no --config was given: the fix is --config FILE or --no-config', async () => {
    const here = at('project');
    mkdirSync(join(here, 'netfence.yaml'), { recursive: true });
    // Its own process, in that folder: the in-process CLI runs in the repository's folder.
    const run = promisify(execFile);
    const failed = await run(
      process.execPath,
      [resolve('bin/netfence'), 'lint', resolve(MANIFESTS), '-q', '--no-cache'],
      { cwd: here },
    ).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    assert.equal(
      failed?.stderr,
      'netfence: cannot read configuration "netfence.yaml": it is a folder; give --config FILE, or --no-config\n',
    );
    assert.equal(failed.code, 2);
  });
});

describe("apply's --state-dir that is, or is under, a regular file", () => {
  test('the rollback record is refused in one line naming the file (before the cluster is written)', async () => {
    const plan = planApply({ desired: [], live: [], prune: [], staged: false });
    const record = newRecord(plan, { time: new Date(0), context: 'kind', server: 'https://10.0.0.1:6443' });
    for (const stateDir of [file, join(file, 'state')]) {
      await assert.rejects(saveNewRecord(stateDir, record), {
        name: 'UserError',
        message: `cannot create "${join(stateDir, 'rollback')}" for the rollback record: "${file}" is a file, not a folder (choose another with --state-dir)`,
      });
    }
  });
});

describe('the files the webhook and the controller read', () => {
  const under = join(file, 'x.yaml');
  const cluster = ['--cluster', '--kubeconfig', '/nonexistent'];

  test('webhook --spec: the reason in words, not the error code', async () => {
    const webhook = ['webhook', ...cluster, '--self-signed'];
    await fails(
      [...webhook, '--spec', under],
      `--spec: cannot read "${under}": "${file}" is a file, not a folder`,
    );
    await fails(
      [...webhook, '--spec', broken],
      `--spec: cannot read "${broken}": it is a broken symbolic link to "${nowhere}"`,
    );
    await fails([...webhook, '--spec', folder], `--spec: cannot read "${folder}": it is a folder`);
  });

  test('webhook --tls-cert, --tls-key and --client-ca: the same', async () => {
    const webhook = ['webhook', ...cluster];
    await fails(
      [...webhook, '--tls-cert', under, '--tls-key', under],
      `--tls-cert: cannot read "${under}": "${file}" is a file, not a folder`,
    );
    await fails(
      [...webhook, '--tls-cert', file, '--tls-key', broken],
      `--tls-key: cannot read "${broken}": it is a broken symbolic link to "${nowhere}"`,
    );
    await fails(
      [...webhook, '--tls-cert', file, '--tls-key', file, '--client-ca', folder],
      `--client-ca: cannot read "${folder}": it is a folder`,
    );
  });

  test('controller --controller-config: the same', async () => {
    const controller = ['controller', ...cluster];
    await fails(
      [...controller, '--controller-config', under],
      `--controller-config: cannot read "${under}": "${file}" is a file, not a folder`,
    );
    await fails(
      [...controller, '--controller-config', folder],
      `--controller-config: cannot read "${folder}": it is a folder`,
    );
  });
});

describe('an input that is a loop of symbolic links', () => {
  const loop = at('loop.yaml');
  symlinkSync(at('loop-back.yaml'), loop);
  symlinkSync(loop, at('loop-back.yaml'));

  test('manifests, --flows and map --merge say so, not ELOOP', async () => {
    const why = 'it is a loop of symbolic links';
    await fails(['analyze', loop], `no manifests found in ${loop} (cannot read "${loop}": ${why})`);
    await fails(['map', MANIFESTS, '--flows', loop], `flows: cannot read "${loop}": ${why}`);
    await fails(['map', '--merge', loop], `--merge: cannot read "${loop}": ${why}`);
  });
});
