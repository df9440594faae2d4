/**
 * What a new user met on the bundled examples (round 13): counts that counted definitions instead of objects,
 * numbers that did not mean what the words around them said, and errors without the fix.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'netfence-new-user-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => join(dir, name);

describe('objects defined again are counted once', () => {
  const copy = at('webshop-copy');
  cpSync('examples/webshop', copy, { recursive: true });

  test('the ignored objects of a folder given twice are counted as once, as its read objects are', async () => {
    const once = await runCli(['analyze', 'examples/webshop']);
    const twice = await runCli(['analyze', 'examples/webshop', copy]);
    assert.equal(twice.code, 0, twice.stderr);
    const ignored = (stderr: string): string | undefined => /^Ignored .*$/m.exec(stderr)?.[0];
    assert.match(ignored(once.stderr) ?? '', /^Ignored 15 objects of other kinds \(ConfigMap ×7,/);
    assert.equal(ignored(twice.stderr), ignored(once.stderr));
    assert.equal(twice.stdout, once.stdout);
  });

  test('lint and diff print the same count', async () => {
    for (const args of [
      ['lint', 'examples/webshop', copy],
      ['diff', 'examples/webshop', copy],
    ]) {
      const r = await runCli(args);
      assert.match(r.stderr, /^Ignored 15 objects of other kinds \(ConfigMap ×7,/m, args.join(' '));
    }
  });

  test('--skip-invalid that skips an object defined twice has nothing left: exit 2', async () => {
    const bad =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {containers: [{name: c, image: i, ports: [{containerPort: 99999}]}]}\n';
    writeFileSync(at('bad1.yaml'), bad);
    writeFileSync(at('bad2.yaml'), bad);
    const r = await runCli(['analyze', '--skip-invalid', at('bad1.yaml'), at('bad2.yaml')]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(
      r.stderr,
      /nothing left to read: --skip-invalid skipped every object of the input \(1 skipped/,
    );
  });
});
