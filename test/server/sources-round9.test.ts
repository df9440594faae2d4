/**
 * The YAML as written keeps a byte order mark that is the document's own: one at the start of a later line
 * inside a quoted scalar of a flow-style document (the parser reads it as part of the annotation's value), with
 * and without a mark before the document. Found missing by the src/server mutation runs (issue #20, round 9).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadManifests } from '../../src/parse/index.ts';
import { readSources } from '../../src/server/sources.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A flow-style policy over three lines; its annotation's quoted value goes on at the start of line 2. */
const MARKED = [
  '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy,',
  'metadata: {name: marked, namespace: shop, annotations: {note: "first',
  '\uFEFFsecond"}},',
  'spec: {podSelector: {}}}',
  '',
].join('\n');

describe('readSources: a byte order mark inside a document', () => {
  test('kept in the YAML as written, as in the value read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-sources-'));
    dirs.push(dir);
    for (const [name, text] of [
      ['inside.yaml', MARKED],
      ['marked-file.yaml', `\uFEFF${MARKED}`],
      ['after-comment.yaml', `# the policy\n\uFEFF${MARKED}`],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const loaded = await loadManifests([file], { defaultNamespace: 'default', skipInvalid: false });
      assert.deepEqual(loaded.errors, [], name);
      assert.equal(loaded.state.policies[0]?.annotations?.['note'], 'first \uFEFFsecond', name);
      const sources = await readSources(loaded.state);
      // The document's text (a comment before it is not part of it), its mark inside as written.
      assert.equal(sources.policyYaml.get('shop/marked'), MARKED, name);
    }
  });
});
