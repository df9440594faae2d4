/**
 * The YAML as written of policies whose file the parser reads from elsewhere than its first byte: after a
 * byte order mark, and each value of a stream of JSON values (JSON Lines) on its own. The what-if editor
 * showed the second policy of a file with a byte order mark one character off (its `---` line kept, its last
 * character lost), and every policy of a JSON Lines file as the first. A last document of one line (flow
 * style) after a byte order mark and no line break after it; the line starts of a text whose first line is
 * empty; a byte order mark that is the document's own (at the start of a later line inside a quoted scalar of a
 * flow-style document: the parser reads it as part of the annotation's value), with and without a mark before
 * the document, kept. Found by the mutation runs of src/server (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadManifests, parseManifestText } from '../../src/parse/index.ts';
import { withoutMark } from '../../src/parse/index.ts';
import { documentText, lineStarts, readSources } from '../../src/server/sources.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'netfence-sources-'));
  dirs.push(d);
  return d;
}

async function load(path: string) {
  const loaded = await loadManifests([path], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(
    loaded.errors.map((e) => e.message),
    [],
  );
  return loaded.state;
}

const DENY = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata: {namespace: shop, name: deny} # inline comment',
  'spec: {podSelector: {}}',
].join('\n');

const ALLOW = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  namespace: shop',
  '  name: allow',
  'spec:',
  '  podSelector: {}',
  '  ingress: [{}]',
].join('\n');

describe('readSources, where the parser counts from elsewhere', () => {
  test('a file with a byte order mark: each policy as written, without the mark', async () => {
    const dir = tempDir();
    const file = join(dir, 'bom.yaml');
    writeFileSync(file, `\uFEFF${DENY}\n---\n${ALLOW}`);
    const sources = await readSources(await load(file));
    assert.deepEqual([...sources.policyYaml].sort(), [
      ['shop/allow', `${ALLOW}\n`],
      ['shop/deny', `${DENY}\n`],
    ]);
  });

  test('a file with two byte order marks: the parser drops the first, the second is on the first line', async () => {
    const dir = tempDir();
    const file = join(dir, 'two-marks.yaml');
    writeFileSync(file, `\uFEFF\uFEFF${DENY}\n---\n${ALLOW}`);
    const sources = await readSources(await load(file));
    assert.deepEqual([...sources.policyYaml].sort(), [
      ['shop/allow', `${ALLOW}\n`],
      ['shop/deny', `${DENY}\n`],
    ]);
  });

  test('documentText reads the text as given: the caller strips the byte order mark, once', () => {
    // The text after the parser's mark still starts with one: documentText must not take it off again, or
    // the lines the caller counted would be one character off.
    const text = `\uFEFF\uFEFF${DENY}\n---\n${ALLOW}`;
    const file = withoutMark(text);
    assert.equal(file, `\uFEFF${DENY}\n---\n${ALLOW}`);
    assert.equal(withoutMark(DENY), DENY);
    const starts = lineStarts(file);
    const objects = parseManifestText(text, 'two-marks.yaml').objects;
    assert.deepEqual(
      objects.map((o) => documentText(file, starts, o)),
      [`${DENY}\n`, `${ALLOW}\n`],
    );
  });

  test('a byte order mark after ---, after comments or blank lines: the YAML as written without it', async () => {
    // YAML allows a mark at the start of each document; the parser skips it, and the quote started with it.
    const dir = tempDir();
    const cases: [string, string, string][] = [
      ['after-dashes.yaml', `${DENY}\n---\n\uFEFF${ALLOW}`, `${ALLOW}\n`],
      [
        'crlf.yaml',
        `${DENY}\r\n---\r\n\uFEFF${ALLOW.replace(/\n/g, '\r\n')}`,
        `${ALLOW.replace(/\n/g, '\r\n')}\n`,
      ],
      ['comment.yaml', `${DENY}\n---\n\uFEFF# the allow\n\uFEFF${ALLOW}`, `# the allow\n${ALLOW}\n`],
      ['blank.yaml', `${DENY}\n---\n\uFEFF\r\n  \n\uFEFF${ALLOW}`, `\r\n  \n${ALLOW}\n`],
      // A mark after the first content is the document's own.
      ['inside.yaml', `${DENY}\n---\n\uFEFF${ALLOW} # \uFEFFnote`, `${ALLOW} # \uFEFFnote\n`],
    ];
    for (const [name, text, allow] of cases) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const sources = await readSources(await load(file));
      assert.deepEqual(
        [...sources.policyYaml].sort(),
        [
          ['shop/allow', allow],
          ['shop/deny', `${DENY}\n`],
        ],
        name,
      );
    }
  });

  test('a stream of JSON values (JSON Lines): each policy its own line', async () => {
    const dir = tempDir();
    const file = join(dir, 'policies.json');
    const line = (name: string): string =>
      JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { namespace: 'shop', name },
        spec: { podSelector: {} },
      });
    writeFileSync(file, `${line('a')}\n${line('b')}\n  ${line('c')}\n`);
    const sources = await readSources(await load(file));
    assert.deepEqual(
      [...sources.policyYaml],
      [
        ['shop/a', `${line('a')}\n`],
        ['shop/b', `${line('b')}\n`],
        ['shop/c', `${line('c')}\n`],
      ],
    );
  });
});

/** One policy in block style, one in flow style on one line (the last document of the files below). */
const SHORT_DENY =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: shop, name: deny}\nspec: {podSelector: {}}';
const ONE_LINE_ALLOW =
  '{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {namespace: shop, name: allow}, spec: {podSelector: {}, ingress: [{}]}}';

describe('readSources: a last document of one line after a byte order mark', () => {
  test('the line as written, without the mark, with a line break', async () => {
    const dir = tempDir();
    const cases: [string, string, string][] = [
      ['first.yaml', `\uFEFF${ONE_LINE_ALLOW}`, `${ONE_LINE_ALLOW}\n`],
      ['after-dashes.yaml', `${SHORT_DENY}\n---\n\uFEFF${ONE_LINE_ALLOW}`, `${ONE_LINE_ALLOW}\n`],
      [
        'after-empty-line.yaml',
        `${SHORT_DENY}\n---\n\uFEFF\n\uFEFF${ONE_LINE_ALLOW}`,
        `\n${ONE_LINE_ALLOW}\n`,
      ],
      [
        'after-comment.yaml',
        `${SHORT_DENY}\n---\n\uFEFF# the allow\n\uFEFF${ONE_LINE_ALLOW}`,
        `# the allow\n${ONE_LINE_ALLOW}\n`,
      ],
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
    const dir = tempDir();
    const file = join(dir, 'blank-first.yaml');
    writeFileSync(file, `\n${SHORT_DENY}\n---\n${ONE_LINE_ALLOW}\n`);
    const loaded = await loadManifests([file], { defaultNamespace: 'default', skipInvalid: false });
    const sources = await readSources(loaded.state);
    assert.deepEqual([...sources.policyYaml].sort(), [
      ['shop/allow', `${ONE_LINE_ALLOW}\n`],
      ['shop/deny', `${SHORT_DENY}\n`],
    ]);
  });
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
    const dir = tempDir();
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
