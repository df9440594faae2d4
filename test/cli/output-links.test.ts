/**
 * An output file whose name is a symbolic link (round 15), through the real CLI: report --html, test --init -o,
 * snapshot -o (round 16) and generate --output-dir. A link at the name is taken, broken or not: without --force
 * it is refused, saying where it points. With --force the file it points to is written (atomically, beside it), and the link is kept,
 * as a shell's `>` or `cp` would: a team that links `report.html` into a shared folder keeps its link. And an
 * output file in a folder that does not exist is refused before the manifests are read, by every command.
 * `writeFileAtomic` (which every command writes with) follows the links itself.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writeFileAtomic } from '../../src/cli/options/output.ts';
import { caseFolders } from '../support/case-folders.ts';
import { runCli } from '../support/cli.ts';

/** A folder of its own for each case, so that "nothing else written" can be read from its listing. */
const folder = caseFolders('output-links');

const MANIFESTS = 'examples/webshop';
const FLOWS = 'examples/flows/webshop-hubble.jsonl';

/** The commands that write one named file: the arguments that write `out`, and a piece of what they write. */
const WRITERS = [
  { name: 'report --html', args: (out: string) => ['report', MANIFESTS, '--html', out], mark: '<html' },
  { name: 'test --init -o', args: (out: string) => ['test', '--init', MANIFESTS, '-o', out], mark: 'tests:' },
] as const;

async function refused(args: readonly string[], line: string): Promise<void> {
  // Without -q: reading the manifests would note what it ignored, so a one-line stderr shows none was read.
  const r = await runCli(args);
  assert.equal(r.stderr, `netfence: ${line}\n`, args.join(' '));
  assert.equal(r.stdout, '', args.join(' '));
  assert.equal(r.code, 2, args.join(' '));
}

describe('a broken symbolic link at the output name', () => {
  for (const w of WRITERS) {
    test(`${w.name}: taken without --force, where it points said; nothing written`, async () => {
      const at = folder();
      const link = join(at, 'out');
      const target = join(at, 'real');
      symlinkSync(target, link);
      await refused(
        w.args(link),
        `"${link}" exists (a broken symbolic link to "${target}"); add --force to write the file it points to`,
      );
      assert.equal(readlinkSync(link), target);
      assert.deepEqual(readdirSync(at), ['out']);
    });

    test(`${w.name} --force: the file it points to is written, the link kept`, async () => {
      const at = folder();
      const link = join(at, 'out');
      symlinkSync('real', link); // relative: to the link's folder, not the working one
      const r = await runCli([...w.args(link), '--force', '-q']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(lstatSync(link).isSymbolicLink(), 'the link is kept');
      assert.equal(readlinkSync(link), 'real');
      assert.ok(readFileSync(join(at, 'real'), 'utf8').includes(w.mark));
      assert.deepEqual(readdirSync(at).sort(), ['out', 'real'], 'no temporary file left');
    });

    test(`${w.name} --force: a link into a folder that does not exist is refused before the manifests are read`, async () => {
      const at = folder();
      const link = join(at, 'out');
      const target = join(at, 'gone', 'real');
      symlinkSync(target, link);
      await refused(
        [...w.args(link), '--force'],
        `cannot write "${link}": it is a symbolic link to "${target}", whose folder "${join(at, 'gone')}" does not exist`,
      );
      assert.deepEqual(readdirSync(at), ['out']);
    });
  }
});

describe('a symbolic link to a file at the output name', () => {
  for (const w of WRITERS) {
    test(`${w.name}: taken without --force; the file unchanged`, async () => {
      const at = folder();
      const link = join(at, 'out');
      const target = join(at, 'real');
      writeFileSync(target, 'mine\n');
      symlinkSync(target, link);
      await refused(
        w.args(link),
        `"${link}" exists (a symbolic link to "${target}"); add --force to replace the file it points to`,
      );
      assert.equal(readFileSync(target, 'utf8'), 'mine\n');
    });

    test(`${w.name} --force: through a chain of links, the last file replaced, every link kept`, async () => {
      const at = folder();
      mkdirSync(join(at, 'shared'));
      const target = join(at, 'shared', 'real');
      writeFileSync(target, 'mine\n');
      symlinkSync(join('shared', 'real'), join(at, 'middle'));
      symlinkSync('middle', join(at, 'out'));
      const r = await runCli([...w.args(join(at, 'out')), '--force', '-q']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readlinkSync(join(at, 'out')), 'middle');
      assert.equal(readlinkSync(join(at, 'middle')), join('shared', 'real'));
      assert.ok(readFileSync(target, 'utf8').includes(w.mark));
      assert.deepEqual(readdirSync(join(at, 'shared')), ['real'], 'no temporary file left');
    });
  }

  test('links that make a loop: refused, with or without --force (which could not help)', async () => {
    const at = folder();
    symlinkSync('b', join(at, 'a'));
    symlinkSync('a', join(at, 'b'));
    const link = join(at, 'a');
    for (const force of [[], ['--force']]) {
      await refused(
        ['report', MANIFESTS, '--html', link, ...force],
        `cannot write "${link}": it is a loop of symbolic links`,
      );
    }
  });

  test('--force on a link under a regular file: the file in its way named', async () => {
    const at = folder();
    writeFileSync(join(at, 'notes.txt'), 'not a folder\n');
    const link = join(at, 'out');
    const target = join(at, 'notes.txt', 'real');
    symlinkSync(target, link);
    await refused(
      ['test', '--init', MANIFESTS, '-o', link, '--force'],
      `cannot write "${link}": it is a symbolic link to "${target}", and "${join(at, 'notes.txt')}" is a file, not a folder`,
    );
  });
});

describe('generate --output-dir: a symbolic link named as a file to write', () => {
  const generate = (out: string, ...more: string[]) =>
    runCli(['generate', MANIFESTS, '--flows', FLOWS, '--output-dir', out, '-q', ...more]);
  /** Generating into `out` stops on its `shop.yaml`, taken, before anything is written. */
  const takenWithoutForce = async (out: string): Promise<void> => {
    const r = await generate(out);
    assert.equal(
      r.stderr,
      `netfence: --output-dir: ${join(out, 'shop.yaml')} exists and netfence did not write it; move it away, give another --output-dir, or add --force to replace it\n`,
    );
    assert.equal(r.code, 2);
  };

  test('a broken link is taken without --force (not replaced, not an internal error)', async () => {
    const out = folder();
    const target = join(out, 'elsewhere.yaml');
    symlinkSync(target, join(out, 'shop.yaml'));
    await takenWithoutForce(out);
    assert.equal(readlinkSync(join(out, 'shop.yaml')), target);
    assert.equal(existsSync(target), false);
  });

  test('a link to a file netfence generated is taken too (netfence never made the link); nothing written', async () => {
    const at = folder();
    const out = join(at, 'out');
    mkdirSync(out);
    const target = join(at, 'shop.yaml');
    const header =
      '# NetworkPolicies for namespace shop: generated by netfence (fresh mode) from observed traffic.\n';
    writeFileSync(target, header);
    symlinkSync(target, join(out, 'shop.yaml'));
    await takenWithoutForce(out);
    assert.equal(readFileSync(target, 'utf8'), header);
    assert.deepEqual(readdirSync(out), ['shop.yaml']);
  });

  test('--force: the file it points to is written, the link kept', async () => {
    const out = folder();
    symlinkSync('elsewhere.yaml', join(out, 'shop.yaml'));
    const r = await generate(out, '--force');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(join(out, 'shop.yaml')).isSymbolicLink());
    assert.match(readFileSync(join(out, 'elsewhere.yaml'), 'utf8'), /generated by netfence/);
  });

  test('a link to a file netfence generated before, which this run does not write: kept, and said', async () => {
    // netfence writes files, never links: the link is the user's, so it is not removed (nor the file it leads to,
    // which may be in another folder). A file of netfence's own beside it is removed as before.
    const at = folder();
    const out = join(at, 'out');
    mkdirSync(join(at, 'gitops'));
    mkdirSync(out);
    const header =
      '# NetworkPolicies for namespace old: generated by netfence (fresh mode) from observed traffic.\n';
    writeFileSync(join(at, 'gitops', 'old.yaml'), header);
    symlinkSync(join('..', 'gitops', 'old.yaml'), join(out, 'old.yaml'));
    writeFileSync(join(out, 'gone.yaml'), header);
    const r = await generate(out);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(join(out, 'old.yaml')).isSymbolicLink(), 'the link is kept');
    assert.equal(
      readFileSync(join(at, 'gitops', 'old.yaml'), 'utf8'),
      header,
      'the file it leads to as well',
    );
    assert.equal(existsSync(join(out, 'gone.yaml')), false);
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes('removed 1 file netfence had generated before: gone.yaml'), r.stdout);
    assert.ok(
      lines.includes(
        'kept 1 symbolic link to a file netfence had generated before, which this run does not write (netfence removes only files it wrote): old.yaml',
      ),
      r.stdout,
    );
  });

  test('a broken link of another name in the folder is left alone', async () => {
    const out = folder();
    symlinkSync(join(out, 'nowhere.yaml'), join(out, 'dangling.yaml'));
    const r = await generate(out);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(join(out, 'dangling.yaml')).isSymbolicLink());
    assert.ok(existsSync(join(out, 'shop.yaml')));
  });
});

describe('snapshot -o: an output name that is taken is refused before the cluster is read, as report and test do', () => {
  // A kubeconfig that does not exist: the output's mistake must be said before it is looked for.
  const snapshot = (out: string, ...more: string[]) =>
    runCli(['snapshot', '--cluster', '--kubeconfig', join(folder(), 'none'), '-o', out, ...more]);
  const noKubeconfig = /^netfence: kubeconfig ".*none" does not exist; check --kubeconfig\n$/;

  test('a file: refused without --force, the file unchanged; --force goes on to the cluster', async () => {
    const at = folder();
    const out = join(at, 'snapshot.yaml');
    writeFileSync(out, 'mine\n');
    await refused(
      ['snapshot', '--cluster', '--kubeconfig', join(at, 'none'), '-o', out],
      `"${out}" exists; add --force to replace it`,
    );
    assert.equal(readFileSync(out, 'utf8'), 'mine\n');
    const forced = await snapshot(out, '--force');
    assert.match(forced.stderr, noKubeconfig);
    assert.equal(forced.code, 2);
  });

  test('a symbolic link, to a file or broken: taken, where it points said', async () => {
    const at = folder();
    const target = join(at, 'real');
    symlinkSync(target, join(at, 'broken'));
    writeFileSync(target, 'mine\n');
    symlinkSync(target, join(at, 'out'));
    const r = await snapshot(join(at, 'out'));
    assert.equal(
      r.stderr,
      `netfence: "${join(at, 'out')}" exists (a symbolic link to "${target}"); add --force to replace the file it points to\n`,
    );
    assert.equal(r.code, 2);
    rmSync(target);
    const broken = await snapshot(join(at, 'broken'));
    assert.equal(
      broken.stderr,
      `netfence: "${join(at, 'broken')}" exists (a broken symbolic link to "${target}"); add --force to write the file it points to\n`,
    );
    assert.match((await snapshot(join(at, 'out'), '--force')).stderr, noKubeconfig);
  });

  test('a folder, or a folder that does not exist: said before the cluster is read; - is standard output', async () => {
    const at = folder();
    const r = await snapshot(at);
    assert.equal(
      r.stderr,
      `netfence: cannot write "${at}": it is a folder; give a file in it, such as "${join(at, 'snapshot.yaml')}"\n`,
    );
    const missing = await snapshot(join(at, 'gone', 'x.yaml'), '--force');
    assert.equal(
      missing.stderr,
      `netfence: cannot write "${join(at, 'gone', 'x.yaml')}": folder "${join(at, 'gone')}" does not exist\n`,
    );
    assert.match((await snapshot('-')).stderr, noKubeconfig);
  });
});

describe('an output file in a folder that does not exist: refused before the manifests are read', () => {
  for (const w of WRITERS) {
    test(`${w.name}: the folder named; manifests that would fail are never read`, async () => {
      const at = folder();
      const out = join(at, 'missing', 'x.yaml');
      const line = `cannot write "${out}": folder "${join(at, 'missing')}" does not exist`;
      // Read, these would fail with "no manifests found": the output's mistake is said first.
      await refused(
        w.args(out).map((a) => (a === MANIFESTS ? join(at, 'none') : a)),
        line,
      );
      // Read, these would note the objects they ignore: nothing is noted.
      await refused(w.args(out), line);
    });
  }
});

describe('writeFileAtomic through a link that cannot be written through (generate --force meets these)', () => {
  test('a link into a folder that does not exist: said so, nothing made', async () => {
    const at = folder();
    const link = join(at, 'out');
    const target = join(at, 'gone', 'real');
    symlinkSync(target, link);
    await assert.rejects(writeFileAtomic(link, 'x\n'), {
      name: 'UserError',
      message: `cannot write "${link}": it is a symbolic link to "${target}", whose folder "${join(at, 'gone')}" does not exist`,
    });
    assert.deepEqual(readdirSync(at), ['out']);
  });

  test('links that make a loop: said so', async () => {
    const at = folder();
    symlinkSync('b', join(at, 'a'));
    symlinkSync('a', join(at, 'b'));
    await assert.rejects(writeFileAtomic(join(at, 'a'), 'x\n'), {
      name: 'UserError',
      message: `cannot write "${join(at, 'a')}": it is a loop of symbolic links`,
    });
    assert.deepEqual(readdirSync(at).sort(), ['a', 'b']);
  });

  test('a link under a regular file: the file in its way named', async () => {
    const at = folder();
    writeFileSync(join(at, 'notes.txt'), 'not a folder\n');
    const link = join(at, 'out');
    symlinkSync(join('notes.txt', 'real'), link);
    await assert.rejects(writeFileAtomic(link, 'x\n'), {
      name: 'UserError',
      message: `cannot write "${link}": it is a symbolic link to "${join(at, 'notes.txt', 'real')}", and "${join(at, 'notes.txt')}" is a file, not a folder`,
    });
  });
});
