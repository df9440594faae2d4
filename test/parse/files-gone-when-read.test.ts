/**
 * `loadManifests` (src/parse/files.ts): why a file that was there when listed cannot be read when it is read
 * (round 15's `readReason` with a path): a file the reader finds gone says what stands at its name now.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests, pathMeant, type LoadOptions } from '../../src/parse/index.ts';

const options: LoadOptions = { defaultNamespace: 'default', skipInvalid: false };
const root = mkdtempSync(join(tmpdir(), 'netfence-files-gone-'));
after(() => rmSync(root, { recursive: true, force: true }));
const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';

test('a file replaced by a broken symbolic link before it is read: where the link points', async () => {
  const file = join(root, 'policies.yaml');
  const nowhere = join(root, 'gone', 'policies.yaml');
  writeFileSync(file, ns);
  // Standard input is asked for before the files given after it are read: the file changes in between.
  const readStdin = (): Promise<string> => {
    unlinkSync(file);
    symlinkSync(nowhere, file);
    return Promise.resolve(ns);
  };
  const r = await loadManifests(['-', file], { ...options, readStdin });
  assert.deepEqual(
    r.errors.map((e) => [e.code, e.file, e.message]),
    [['unreadable-file', file, `cannot read "${file}": it is a broken symbolic link to "${nowhere}"`]],
  );
});

test('standard input that fails as a missing file would: "it does not exist", no path looked at', async () => {
  const readStdin = (): Promise<string> =>
    Promise.reject(Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' }));
  const r = await loadManifests(['-'], { ...options, readStdin });
  assert.deepEqual(
    r.errors.map((e) => [e.code, e.file, e.message]),
    [['unreadable-file', '<stdin>', 'cannot read "<stdin>": it does not exist']],
  );
});

test('a path under a file, with one slash or several at its end: the part that is a file', async () => {
  const file = join(root, 'notes.txt');
  writeFileSync(file, 'not a folder\n');
  for (const path of [`${file}/`, `${file}//`]) {
    const r = await loadManifests([path], options);
    assert.deepEqual(
      r.errors.map((e) => [e.code, e.message]),
      [['path-not-found', `path "${path}" does not exist: "${file}" is a file, not a folder`]],
      path,
    );
  }
});

test('pathMeant never offers a broken symbolic link for itself, and offers the name beside it', () => {
  const folder = join(root, 'links');
  mkdirSync(folder);
  const link = join(folder, 'policies.yaml');
  symlinkSync(join(root, 'nowhere.yaml'), link);
  assert.equal(pathMeant(link), undefined);
  writeFileSync(join(folder, 'policy.yaml'), ns);
  assert.equal(pathMeant(link), join(folder, 'policy.yaml'));
});
