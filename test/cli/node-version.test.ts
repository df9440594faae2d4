import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { VERSION } from '../../src/cli/version.ts';

const BIN = new URL('../../bin/netfence', import.meta.url).pathname;

/** Node flags that make this Node report another version, as an older Node would. */
function pretend(version: string): string[] {
  const set = (target: string, key: string, value: string): string =>
    `Object.defineProperty(${target}, ${JSON.stringify(key)}, { value: ${JSON.stringify(value)} });`;
  return [
    '--import',
    `data:text/javascript,${encodeURIComponent(set('process.versions', 'node', version) + set('process', 'version', `v${version}`))}`,
  ];
}

/** What the checkout's CLI prints by default: which Node runs it and with which arguments. */
const RAN_ON =
  "process.stdout.write(`ran on ${process.version}: ${process.argv.slice(2).join(' ')}\\n`);\nprocess.exitCode = 3;\n";

/** A checkout of bin/netfence with a CLI (by default `RAN_ON`) in place of netfence's. */
function checkout(withLocalNode: boolean, cli = RAN_ON): string {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-node-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'src/cli'), { recursive: true });
  copyFileSync(BIN, join(dir, 'bin/netfence'));
  writeFileSync(join(dir, 'src/cli/process.ts'), cli);
  if (withLocalNode) {
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    symlinkSync(process.execPath, join(dir, 'node_modules/.bin/node'));
  }
  return dir;
}

describe('bin/netfence on an old Node', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('without the checkout’s Node: one line naming the version needed and the one running, exit 2', () => {
    const dir = checkout(false);
    dirs.push(dir);
    const r = spawnSync(
      process.execPath,
      [...pretend('20.20.2'), join(dir, 'bin/netfence'), 'analyze', '.'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^netfence needs Node\.js 22\.18 or newer to run from a checkout; this is v20\.20\.2 \(npm ci installs Node 24 into node_modules; or run nvm install, which reads \.nvmrc\)\n$/,
    );
  });

  test('22.17 is too old, 22.18 is not', () => {
    const dir = checkout(false);
    dirs.push(dir);
    const old = spawnSync(process.execPath, [...pretend('22.17.1'), join(dir, 'bin/netfence')], {
      encoding: 'utf8',
    });
    assert.equal(old.status, 2);
    assert.match(old.stderr, /this is v22\.17\.1/);
    const fine = spawnSync(process.execPath, [...pretend('22.18.0'), join(dir, 'bin/netfence'), 'x'], {
      encoding: 'utf8',
    });
    assert.equal(fine.stderr, '');
    assert.equal(fine.stdout, 'ran on v22.18.0: x\n');
  });

  test('with node_modules/.bin/node: runs again on it, with the arguments, and exits with its code', () => {
    const dir = checkout(true);
    dirs.push(dir);
    const r = spawnSync(
      process.execPath,
      [...pretend('20.20.2'), join(dir, 'bin/netfence'), 'lint', 'a b', '-o', 'json'],
      { encoding: 'utf8' },
    );
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, `ran on ${process.version}: lint a b -o json\n`);
    assert.equal(r.status, 3);
  });

  test('the Node it runs again gets a young generation of 8 MiB semi-spaces, unless NODE_OPTIONS chose one', () => {
    // The CLI that does the work tells Node's own options and the NODE_OPTIONS it was given.
    const dir = checkout(
      true,
      'process.stdout.write(JSON.stringify([process.execArgv, process.env.NODE_OPTIONS ?? null]));\n',
    );
    dirs.push(dir);
    const run = (nodeOptions?: string, nodeArgs: string[] = []): unknown => {
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      if (nodeOptions !== undefined) env.NODE_OPTIONS = nodeOptions;
      const r = spawnSync(
        process.execPath,
        [...nodeArgs, ...pretend('20.20.2'), join(dir, 'bin/netfence'), 'analyze', '.'],
        { encoding: 'utf8', env },
      );
      assert.equal(r.stderr, '');
      return JSON.parse(r.stdout);
    };
    assert.deepEqual(run(), [['--max-semi-space-size=8'], null]);
    assert.deepEqual(run('--max-old-space-size=4096'), [
      ['--max-semi-space-size=8'],
      '--max-old-space-size=4096',
    ]);
    // The user's choice is kept: a flag on the command line would win over NODE_OPTIONS.
    assert.deepEqual(run('--max-semi-space-size=16'), [[], '--max-semi-space-size=16']);
    // Given to the first Node, the choice is not overridden either (that Node's flags are not passed on).
    assert.deepEqual(run(undefined, ['--max-semi-space-size=16']), [[], null]);
  });

  test('the machine’s own Node, when it is older than 22.18, gets the line or runs on the checkout’s Node', (t) => {
    const system = '/usr/bin/node';
    const version = existsSync(system)
      ? execFileSync(system, ['--version'], { encoding: 'utf8' }).trim()
      : '';
    const [major = 0, minor = 0] = version.slice(1).split('.').map(Number);
    if (version === '' || major > 22 || (major === 22 && minor >= 18)) {
      t.skip(`no Node older than 22.18 at ${system}`);
      return;
    }
    for (const withLocalNode of [false, true]) {
      const dir = checkout(withLocalNode);
      dirs.push(dir);
      const r = spawnSync(system, [join(dir, 'bin/netfence'), '--version'], { encoding: 'utf8' });
      if (withLocalNode) {
        assert.equal(r.stdout, `ran on ${process.version}: --version\n`);
      } else {
        assert.equal(r.status, 2);
        assert.match(
          r.stderr,
          new RegExp(
            `^netfence needs Node\\.js 22\\.18 or newer to run from a checkout; this is ${version}[^\n]*\n$`,
          ),
        );
      }
    }
  });

  test('the real bin/netfence runs on this Node', () => {
    assert.equal(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }), `${VERSION}\n`);
  });
});
