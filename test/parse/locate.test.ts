/**
 * The fast locator (src/parse/locate.ts) must give the position `yaml`'s nodes give, for every field path,
 * or decline. These tests compare it with `parseManifestTextExact`'s `locate` on every fixture, every
 * benchmark mix and texts written to catch it out, and check that it does answer for ordinary manifests
 * (a locator that always declines would be correct and useless).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { LineCounter } from 'yaml';
import { parseManifestText, parseManifestTextExact } from '../../src/parse/documents.ts';
import { textLocator, type LocatorReader } from '../../src/parse/locate.ts';
import type { FieldPath } from '../../src/model/problem.ts';
import { MIXES, generateFiles } from '../../bench/generate.ts';
import { manifestTexts } from './arbitraries.ts';
import { manifestsUnder } from './helpers.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Every field path of a value, plus paths that do not exist: a missing key, an index past the end, past a scalar. */
function fieldPaths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...fieldPaths(v, [...prefix, i])));
    out.push([...prefix, value.length], [...prefix, 'name']);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...fieldPaths(v, [...prefix, k]));
    out.push([...prefix, 'missing'], [...prefix, 0]);
  } else {
    out.push([...prefix, 'deeper']);
  }
  return out;
}

interface Tally {
  answered: number;
  declined: number;
}

/**
 * Compares the fast locator with `yaml`'s for every path of every object of `text`, reading the text with the
 * hand-written reader (js-yaml where it declines) and with js-yaml only.
 */
function compare(text: string, file: string, tally: Tally = { answered: 0, declined: 0 }): Tally {
  for (const reader of ['fast', 'events'] as const) compareWith(reader, text, file, tally);
  return tally;
}

function compareWith(reader: LocatorReader, text: string, file: string, tally: Tally): void {
  const fast = parseManifestText(text, file);
  const exact = parseManifestTextExact(text, file);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const locator = textLocator(body, reader);
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  for (const [n, o] of fast.objects.entries()) {
    const theirs = exact.objects[n];
    if (theirs === undefined) continue;
    for (const path of fieldPaths(o.object)) {
      const offset = locator.offset(o.documentIndex, o.documentPath, path);
      const expected = theirs.locate(path);
      // Through the object, as lint asks: the same answer whether or not the locator declined.
      assert.deepEqual(o.locate(path), expected, `${file}: ${JSON.stringify(path)}`);
      if (offset === undefined) {
        tally.declined++;
        continue;
      }
      tally.answered++;
      const { line, col } = lines.linePos(offset);
      assert.deepEqual(
        { file, line, column: col },
        expected,
        `${reader}: ${file} object ${n}: ${JSON.stringify(path)} in ${JSON.stringify(text.slice(0, 200))}`,
      );
    }
  }
}

describe('the fast locator gives the positions of the yaml nodes', () => {
  test('on every manifest in the examples and test fixtures, every field path', () => {
    const files = [...manifestsUnder(join(ROOT, 'examples')), ...manifestsUnder(join(ROOT, 'test/fixtures'))];
    assert.ok(files.length >= 50, `only ${files.length} files found`);
    const tally: Tally = { answered: 0, declined: 0 };
    for (const file of files) compare(readFileSync(file, 'utf8'), file, tally);
    assert.ok(tally.answered > 10 * tally.declined, JSON.stringify(tally));
  });

  test('on the synthetic clusters of the benchmark, every mix, every field path', () => {
    const tally: Tally = { answered: 0, declined: 0 };
    for (const mix of MIXES)
      for (const file of generateFiles({ tier: 'T0', mix, seed: 5 })) compare(file.text, file.path, tally);
    assert.ok(tally.answered > 10 * tally.declined, JSON.stringify(tally));
  });

  test('answers for the paths lint findings point at in ordinary block YAML', () => {
    const text = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: web',
      '  annotations:',
      '    netfence.io/ignore: "no-any-namespace -- ok"',
      'spec:',
      '  podSelector: {}',
      '  ingress:',
      '    - from:',
      '        - namespaceSelector: {}',
      "          podSelector: {matchLabels: {'app': web}}",
      '      ports:',
      '        - port: "http"',
      '  egress:',
      '  - to:',
      '    - ipBlock:',
      '        cidr: 0.0.0.0/0',
      '',
    ].join('\n');
    const paths: FieldPath[] = [
      ['metadata', 'name'],
      ['metadata', 'annotations', 'netfence.io/ignore'],
      ['spec', 'ingress', 0],
      ['spec', 'ingress', 0, 'from', 0, 'namespaceSelector'],
      ['spec', 'ingress', 0, 'from', 0, 'podSelector', 'matchLabels', 'app'],
      ['spec', 'ingress', 0, 'ports', 0, 'port'],
      ['spec', 'egress', 0, 'to', 0, 'ipBlock', 'cidr'],
      ['spec', 'policyTypes'],
    ];
    for (const reader of ['fast', 'events'] as const)
      for (const path of paths)
        assert.notEqual(
          textLocator(text, reader).offset(0, [], path),
          undefined,
          `${reader} declined ${JSON.stringify(path)}`,
        );
    compare(text, 'in.yaml');
  });

  test('declines, or agrees, on keys and items that are not plain text', () => {
    const pod = 'apiVersion: v1\nkind: Pod\n';
    const texts = [
      ...['080: a', '0x1F: a', '1e3: a', 'true: a', 'True: a', 'null: a', '.5: a', '+1: a', '-0: a'].map(
        (entry) => `${pod}spec:\n  b: 1\n  ${entry}\n`,
      ),
      `${pod}spec:\n  "a": 1\n  'b': 2\n  "c\\u0041": 3\n  'it''s': 4\n  "": 5\n`,
      `${pod}spec:\n  a  : 1\n  b:\n  c: |\n    x\n  d:\n    - |\n      y\n    -\n    - >-\n      z\n    - ""\n    - ''\n`,
      `${pod}spec: {a: [1, "2", '3', {b: c}], "d": {}}\n`,
      `${pod}spec:\n  <<: {a: 1}\n  b: 2\n`,
      `${pod}spec:\n- a\n- - b\n  - c\n-   d: 1\n    e: 2\n`,
      `${pod}metadata:\n  name: x # comment\n  # comment\n  labels: # comment\n    a: b\n`,
      `${pod}spec:\n  a: multi\n    line\n    plain\n  b: "multi\n    line"\n`,
      `apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  a:\r\n    - b: 1\r\n`,
      `\uFEFF${pod}spec:\n  a: 1\n`,
      `${pod}---\n---\n${pod}spec: {a: 1}\n`,
      // Documents are read one at a time, from their `---` line to the next: what comes before the first,
      // markers with content, CRLF, and the texts read whole (directives, `...`).
      `${pod}spec: {a: 1}\n---\n${pod}spec:\n  b: 2\n---\n${pod}metadata: {name: c}\n`,
      `# only a comment\n\n---\n${pod}spec: {a: 1}\n---\n${pod}spec:\n  b: [1, 2]\n`,
      `--- {apiVersion: v1, kind: Pod, spec: {a: 1}}\n--- # comment\n${pod}spec:\n  b: 1\n---\n`,
      `${pod}spec:\n  a: |\n    ---\n    x\n---\n${pod}spec: {b: 1}\n`,
      `apiVersion: v1\r\nkind: Pod\r\nspec: {a: 1}\r\n---\r\n${pod}spec:\r\n  b: 1\r\n`,
      `%YAML 1.2\n---\n${pod}spec: {a: 1}\n---\n${pod}spec: {b: 1}\n`,
      `${pod}spec: {a: 1}\n...\n---\n${pod}spec: {b: 1}\n`,
      `apiVersion: v1\nkind: List\nitems:\n- ${pod.replace('\n', '\n  ')}  spec: {x: 1}\n-   apiVersion: v1\n    kind: Pod\n    spec:\n      y: [1]\n`,
      '{"apiVersion": "v1", "kind": "Pod", "spec": {"a": [1, {"b": null}], "c": "d"}}\n',
    ];
    for (const text of texts) compare(text, 'in.yaml');
  });

  test('on random objects written in every YAML style (property)', () => {
    fc.assert(
      fc.property(manifestTexts, (text) => void compare(text, 'in.yaml')),
      { numRuns: Math.ceil((Number(process.env.NETFENCE_YAML_RUNS ?? 1500) * 200) / 1500) },
    );
  });
});
