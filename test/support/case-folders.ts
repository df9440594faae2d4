/** Empty folders for the cases of a test file, under one temporary folder removed after the file's tests. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * A function that makes a new empty folder at each call (so that "nothing left" can be read from its listing),
 * all under a temporary folder named after `prefix`, removed after the tests of the calling file.
 */
export function caseFolders(prefix: string): () => string {
  const dir = mkdtempSync(join(tmpdir(), `netfence-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let cases = 0;
  return () => {
    const path = join(dir, String(++cases));
    mkdirSync(path);
    return path;
  };
}
