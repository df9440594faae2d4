/**
 * Test files are named after the behaviour they test, never after the work round that wrote them
 * (docs/testing.md): `fast-yaml-round15.test.ts` said when its tests came, not what they pin, so the next test of
 * the same behaviour had no file to go to.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

test('no test file is named after a round', () => {
  const named = readdirSync(join(ROOT, 'test'), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /(^|[-_.])round-?\d+([-_.]|$)/i.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
  assert.deepEqual(named, []);
});
