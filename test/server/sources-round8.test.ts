/**
 * The YAML as written of a policy whose document is one line (flow style) with a byte order mark before it
 * and no line break after it, beyond sources-offsets.test.ts. Found missing by the whole-folder mutation run
 * of src/server, round 8 (docs/mutation/server.md); and the line starts of a text whose first line is empty.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadManifests } from '../../src/parse/index.ts';
import { lineStarts, readSources } from '../../src/server/sources.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const DENY =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: shop, name: deny}\nspec: {podSelector: {}}';
const ALLOW =
  '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {namespace: shop, name: allow}, spec: {podSelector: {}, ingress: [{}]}}';

describe('readSources: a last document of one line after a byte order mark', () => {
  test('the line as written, without the mark, with a line break', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-sources-'));
    dirs.push(dir);
    const cases: [string, string, string][] = [
      ['first.yaml', `\uFEFF${ALLOW}`, `${ALLOW}\n`],
      ['after-dashes.yaml', `${DENY}\n---\n\uFEFF${ALLOW}`, `${ALLOW}\n`],
      ['after-empty-line.yaml', `${DENY}\n---\n\uFEFF\n\uFEFF${ALLOW}`, `\n${ALLOW}\n`],
      ['after-comment.yaml', `${DENY}\n---\n\uFEFF# the allow\n\uFEFF${ALLOW}`, `# the allow\n${ALLOW}\n`],
    ];
    for (const [name, text, allow] of cases) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const loaded = await loadManifests([file], { defaultNamespace: 'default', skipInvalid: false });
      assert.deepEqual(loaded.errors, [], name);
      const sources = await readSources(loaded.state);
      assert.equal(sources.policyYaml.get('shop/allow'), allow, name);
    }
  });
});

describe('lineStarts', () => {
  test('a text starting with a line break: its second line starts at 1', () => {
    assert.deepEqual(lineStarts('\na\n\nb'), [0, 1, 3, 4]);
    assert.deepEqual(lineStarts('a'), [0]);
  });

  test('a file starting with a blank line: each policy as written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-sources-'));
    dirs.push(dir);
    const file = join(dir, 'blank-first.yaml');
    writeFileSync(file, `\n${DENY}\n---\n${ALLOW}\n`);
    const loaded = await loadManifests([file], { defaultNamespace: 'default', skipInvalid: false });
    const sources = await readSources(loaded.state);
    assert.deepEqual([...sources.policyYaml].sort(), [
      ['shop/allow', `${ALLOW}\n`],
      ['shop/deny', `${DENY}\n`],
    ]);
  });
});
