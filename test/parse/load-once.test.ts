/**
 * Loading reads each file once and keeps only what the state needs: the bytes the answer cache read for its
 * key are used instead of reading the file again (src/parse/preread.ts), the values read are returned only with
 * `keepObjects` (lint), and a label entry no check reports on is taken without the checks (`isLabelKey`,
 * `isCiliumLabelKey` agree with the checks they stand for).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadManifests, loadSources } from '../../src/parse/index.ts';
import { offerFiles } from '../../src/parse/preread.ts';
import {
  checkCiliumLabelKey,
  checkLabelKey,
  isCiliumLabelKey,
  isLabelKey,
  validateLabels,
} from '../../src/parse/validate/meta.ts';
import { createReporter } from '../../src/parse/validate/report.ts';
import type { ParsedObject } from '../../src/parse/types.ts';

const options = { defaultNamespace: 'default', skipInvalid: false };
const namespace = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`;

describe('files read once', () => {
  test('bytes offered for a path are read instead of the file, once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netfence-preread-'));
    try {
      const file = join(dir, 'a.yaml');
      await writeFile(file, namespace('on-disk'));
      offerFiles([[file, Buffer.from(namespace('offered'))]]);
      const first = await loadManifests([dir], options);
      assert.deepEqual(
        first.state.namespaces.map((n) => n.name),
        ['offered'],
      );
      // Taken by the first load: the next one reads the file.
      const second = await loadManifests([dir], options);
      assert.deepEqual(
        second.state.namespaces.map((n) => n.name),
        ['on-disk'],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('offered bytes are decoded as the file would be, binary included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netfence-preread-'));
    try {
      const text = join(dir, 'bom.yaml');
      const binary = join(dir, 'blob.yaml');
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(namespace('bom'))]);
      const blob = Buffer.from([0x61, 0, 0xff, 0x0a]);
      await writeFile(text, bytes);
      await writeFile(binary, blob);
      const fromDisk = await loadManifests([dir], options);
      offerFiles([
        [text, new Uint8Array(bytes)],
        [binary, new Uint8Array(blob)],
      ]);
      const offered = await loadManifests([dir], options);
      assert.deepEqual(
        offered.state.namespaces.map((n) => [n.name, n.origin?.line, n.origin?.column]),
        fromDisk.state.namespaces.map((n) => [n.name, n.origin?.line, n.origin?.column]),
      );
      assert.deepEqual(offered.ignored, fromDisk.ignored);
      assert.equal(offered.ignored.files, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('values read, kept only when asked', () => {
  const sources = [
    { file: 'a.yaml', text: `${namespace('a')}---\n${namespace('b')}` },
    { file: 'b.yaml', text: namespace('c') },
  ];

  test('without keepObjects no objects are returned, with it every object as read', () => {
    const plain = loadSources(sources, options);
    const kept = loadSources(sources, { ...options, keepObjects: true });
    assert.equal(plain.objects, undefined);
    assert.deepEqual(
      kept.objects?.map((o: ParsedObject) => [o.file, o.line, o.object.metadata]),
      [
        ['a.yaml', 1, { name: 'a' }],
        ['a.yaml', 5, { name: 'b' }],
        ['b.yaml', 1, { name: 'c' }],
      ],
    );
    assert.deepEqual(
      plain.state.namespaces,
      kept.state.namespaces.map((n) => ({
        ...n,
        origin: plain.state.namespaces.find((p) => p.name === n.name)!.origin,
      })),
    );
  });

  test('a duplicate across files is still compared by its values, read again from the first file', () => {
    const same = loadSources([sources[1]!, { file: 'c.yaml', text: namespace('c') }], options);
    assert.deepEqual(same.errors, []);
    assert.deepEqual(
      same.warnings.map((w) => w.code),
      ['duplicate-merged'],
    );
    const differing = loadSources(
      [sources[1]!, { file: 'c.yaml', text: namespace('c, labels: {team: x}') }],
      options,
    );
    assert.deepEqual(
      differing.errors.map((e) => [e.code, e.file, e.line, e.message]),
      [
        [
          'duplicate-object',
          'c.yaml',
          3,
          'Namespace "c" is defined twice: first at b.yaml:1:1. Keep one definition',
        ],
      ],
    );
  });
});

describe('label keys taken without the checks', () => {
  test('isLabelKey and isCiliumLabelKey accept exactly what the checks accept without a word', () => {
    const chars = fc.constantFrom(...'aZ09-_./: A'.split(''), 'b', 'k', '8', 's');
    const key = fc.oneof(
      fc.string({ unit: chars, maxLength: 14 }),
      fc.string({ unit: chars, minLength: 60, maxLength: 70 }),
      fc.constantFrom('k8s:app', 'any:app.kubernetes.io/name', 'reserved:host', ':app', 'k8s::a', 'a/b/c'),
    );
    const silent = (check: typeof checkLabelKey, k: string): boolean => {
      const r = createReporter({ file: 'x.yaml', line: 1, column: 1, locate: () => undefined } as never, 'x');
      return check(r, ['k'], k) && r.problems.length === 0;
    };
    fc.assert(
      fc.property(key, (k) => {
        assert.equal(isLabelKey(k), silent(checkLabelKey, k), `label key ${JSON.stringify(k)}`);
        assert.equal(isCiliumLabelKey(k), silent(checkCiliumLabelKey, k), `Cilium key ${JSON.stringify(k)}`);
      }),
      { numRuns: 3000 },
    );
  });

  test('an entry taken once without the checks is taken again only where the same checks accept it', () => {
    const reporter = () =>
      createReporter(
        {
          file: 'x.yaml',
          line: 1,
          column: 1,
          locate: () => undefined,
          sourceText: () => undefined,
          nodeAt: () => undefined,
        } as never,
        'x',
      );
    const labels = (map: Record<string, unknown>, check?: typeof checkLabelKey) => {
      const r = reporter();
      const out = validateLabels(r, ['labels'], map, check);
      return { out, codes: r.problems.map((p) => `${p.path.join('.')}: ${p.code}`) };
    };
    // Twice each, the second time from what the first one accepted.
    for (let i = 0; i < 2; i++) {
      // A Cilium key (`k8s:` source prefix) accepted by the Cilium check is no label key.
      assert.deepEqual(labels({ 'k8s:app': 'web' }, checkCiliumLabelKey), {
        out: { 'k8s:app': 'web' },
        codes: [],
      });
      assert.deepEqual(labels({ 'k8s:app': 'web' }).codes, ['labels.k8s:app: invalid-label-key']);
      assert.deepEqual(labels({ app: 'web-frontend' }), { out: { app: 'web-frontend' }, codes: [] });
      // A value accepted elsewhere as a key, and a key as a value, are checked as what they are here.
      assert.deepEqual(labels({ 'app.kubernetes.io/name': 'a/b' }).codes, [
        'labels.app.kubernetes.io/name: invalid-label-value',
      ]);
      assert.deepEqual(labels({ 'web-frontend': 7 }).codes, ['labels.web-frontend: wrong-type']);
    }
  });
});
