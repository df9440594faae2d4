/**
 * `generate` when every observed port is left out (`--exclude-denied` over a capture whose only flow was
 * dropped): the report says there is no observed port to allow, in the units of its headline, rather than
 * that no connection was observed (one was, and it is listed as left out), and an augment run that adds
 * nothing says it wrote no file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'netfence-generate-nothing-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const dropped = join(dir, 'dropped.jsonl');
const line = readFileSync('examples/flows/webshop-hubble-verdicts.jsonl', 'utf8')
  .split('\n')
  .find((l) => l.includes('"verdict":"DROPPED"'));
assert.ok(line !== undefined, 'the bundled verdicts capture has a dropped flow');
writeFileSync(dropped, `${line}\n`);

const generate = (mode: string, out: string) =>
  runCli([
    ...['generate', 'examples/webshop', '--flows', dropped, '--exclude-denied'],
    ...['--mode', mode, '--output-dir', join(dir, out)],
  ]);

describe('generate with every observed port left out', () => {
  test('fresh: no observed port to allow, the default deny denies all; the left-out port is listed', async () => {
    const r = await generate('fresh', 'fresh');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^generated 6 policies in 6 namespaces \(fresh mode\) from 0 observed ports \(--exclude-denied left out 1 more,/m,
    );
    assert.match(
      r.stdout,
      /^ {2}no observed port to allow: the default-deny policies deny all traffic of these namespaces$/m,
    );
    assert.doesNotMatch(r.stdout, /no connection was observed/);
    assert.match(
      r.stdout,
      /^left out: 1 observed port\n {2}shop\/catalog → data\/redis TCP 6379: every attempt was dropped/m,
    );
    assert.match(r.stdout, /^wrote 6 files to /m);
  });

  test('augment: nothing to add, and no file written is said so', async () => {
    const r = await generate('augment', 'augment');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}no observed port to allow: nothing to add$/m);
    assert.match(
      r.stdout,
      new RegExp(`^wrote no file to ${join(dir, 'augment').replaceAll('/', '\\/')}$`, 'm'),
    );
    assert.equal(existsSync(join(dir, 'augment')), false, 'nothing written, not even the folder');
  });
});
