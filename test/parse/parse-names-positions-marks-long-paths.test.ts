/**
 * src/parse after round 13 of issue #20 (docs/mutation/parse.md, "Round 13"): the mutants left by earlier rounds
 * outside fast-yaml.ts (static ones never run, and those no test reached).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPortName, portNameProblems } from '../../src/parse/names.ts';
import { parseManifestText } from '../../src/parse/documents.ts';
import { buildClusterState } from '../../src/parse/build.ts';
import { loadManifests } from '../../src/parse/files.ts';
import * as cache from '../../src/parse/cache.ts';
import type { Problem } from '../../src/model/problem.ts';

const tmp = mkdtempSync(join(tmpdir(), 'netfence-parse-edges-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let made = 0;
/** A new empty folder of its own. */
const fresh = (): string => {
  const dir = join(tmp, `d${++made}`);
  mkdirSync(dir);
  return dir;
};

describe('port names', () => {
  test('runs of several characters joined by `-` are valid (PORT_NAME)', () => {
    for (const name of ['grpc-web', 'http-alt', 'a1-b2-c3', 'web-8080']) {
      assert.equal(isPortName(name), true, name);
      assert.deepEqual(portNameProblems(name), [], name);
    }
  });
});

describe('a problem whose field has no position', () => {
  test('is placed at its object, as the object is (a JSON object with a key twice: JSON.parse reads it)', () => {
    // `yaml` refuses the repeated key, so the object has no field positions; JSON.parse keeps the last value.
    const text = [
      '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}',
      '  {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",',
      ' "metadata": {"name": "a", "namespace": "x", "name": "a"}, "spec": {"podSelector": 5}}',
      '',
    ].join('\n');
    const parsed = parseManifestText(text, 'a.json');
    assert.deepEqual(parsed.errors, []);
    const policy = parsed.objects[1]!;
    assert.deepEqual([policy.kind, policy.line, policy.column], ['NetworkPolicy', 2, 3]);
    assert.equal(policy.locate(['spec', 'podSelector']), undefined);
    const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
    assert.deepEqual(
      built.errors.map((e) => [e.code, e.file, e.line, e.column, e.path]),
      [['wrong-type', 'a.json', 2, 3, ['spec', 'podSelector']]],
    );
  });
});

describe('a byte order mark at the start of a later line', () => {
  const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n';
  const read = (text: string) => {
    const r = parseManifestText(text, 'in.yaml');
    return {
      objects: r.objects.map((o) => [o.line, o.column, o.object]),
      errors: r.errors.map((e) => [e.code, e.line, e.column]),
    };
  };

  test('before a marker line with spaces after it: starts the next document', () => {
    assert.deepEqual(read(`${ns}---  \n\uFEFF${ns}`), {
      objects: [
        [1, 1, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }],
        [6, 2, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }],
      ],
      errors: [],
    });
  });

  test('elsewhere: text, as yaml reads it (a line that only ends like a marker, a marker with content)', () => {
    assert.deepEqual(read(`${ns}x: ---\n\uFEFFy: 1\n`), {
      objects: [
        [1, 1, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, x: '---', '\uFEFFy': 1 }],
      ],
      errors: [],
    });
    assert.deepEqual(read(`${ns}\uFEFF--- x\n`), { objects: [], errors: [['yaml-syntax', 5, 1]] });
  });
});

describe('a folder whose path is too long to read', () => {
  test('each is an unreadable-path error, and the folder given is not "empty"', async () => {
    const root = fresh();
    // top/<255 characters>/…/{x,y}…: folders whose paths are 4,096 bytes or more (PATH_MAX), which realpath(3)
    // and readdir refuse (ENAMETOOLONG), inside one just shorter. Made through symlinks kept out of `top` (each
    // to the one before, one level down), so that each mkdir gets a short path.
    const top = join(root, 'top');
    mkdirSync(top);
    writeFileSync(join(top, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
    const a = 'a'.repeat(255);
    let deepest = top;
    let link = join(root, 'l0');
    symlinkSync(top, link);
    for (let level = 1; deepest.length < 3840; level++) {
      mkdirSync(join(link, a));
      deepest = join(deepest, a);
      const next = join(root, `l${level}`);
      symlinkSync(join(link, a), next);
      link = next;
    }
    const tooLong = ['x', 'y'].map((c) => c.repeat(Math.max(1, 4095 - deepest.length)));
    for (const name of tooLong) mkdirSync(join(link, name));
    const paths = tooLong.map((name) => join(deepest, name));
    assert.ok(deepest.length < 4096 && paths.every((p) => p.length >= 4096));
    const r = await loadManifests([top], { defaultNamespace: 'default', skipInvalid: false });
    assert.deepEqual(
      r.errors.map((e) => [e.code, e.severity, e.file, e.message]),
      paths.map((p) => [
        'unreadable-path',
        'error',
        p,
        `cannot read folder "${p}": the path is too long for the file system (at most 255 bytes a name, 4,096 the whole path)`,
      ]),
    );
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(
      r.state.namespaces.map((n) => n.name),
      ['shop'],
    );
  });
});

describe('a folder whose entries cannot be listed', () => {
  test('is an unreadable-path error, not an empty folder (no file descriptor left: EMFILE)', () => {
    const root = fresh();
    // Root reads every folder, so the listing is made to fail another way: a process allowed 64 open files opens
    // /dev/null until it may open no more, then loads the folder. realpath(3) needs no descriptor; readdir does.
    const folder = join(root, 'd');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    const script = [
      "const { openSync } = await import('node:fs');",
      'const { loadManifests } = await import(process.argv[1]);',
      'const fds = [];',
      "try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; }",
      "const r = await loadManifests([process.argv[2]], { defaultNamespace: 'default', skipInvalid: false });",
      'process.stdout.write(JSON.stringify({ errors: r.errors, warnings: r.warnings }));',
    ].join('\n');
    const files = new URL('../../src/parse/files.ts', import.meta.url).href;
    const child = spawnSync(
      'sh',
      [
        '-c',
        'ulimit -n 64 && exec "$0" --input-type=module -e "$1" "$2" "$3"',
        process.execPath,
        script,
        files,
        folder,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    const r = JSON.parse(child.stdout) as { errors: Problem[]; warnings: Problem[] };
    assert.deepEqual(
      r.errors.map((e) => [e.code, e.severity, e.file, e.message]),
      [
        [
          'unreadable-path',
          'error',
          folder,
          `cannot read folder "${folder}": EMFILE: too many open files, scandir '${folder}'`,
        ],
      ],
    );
    assert.deepEqual(r.warnings, []);
  });
});

describe('codeFingerprint in the published package', () => {
  test('is empty: compiled to .js, the code changes only with the version', async () => {
    const root = fresh();
    // The layout of the package: dist/parse/cache.js (this module without its types) beside dist/model/, and
    // package-lock.json above; from a checkout the same call lists the folder's files.
    const source = readFileSync(new URL('../../src/parse/cache.ts', import.meta.url), 'utf8');
    mkdirSync(join(root, 'dist', 'parse'), { recursive: true });
    mkdirSync(join(root, 'dist', 'model'));
    writeFileSync(join(root, 'dist', 'model', 'cluster.js'), 'export {};\n');
    writeFileSync(join(root, 'package-lock.json'), '{}\n');
    const compiled = join(root, 'dist', 'parse', 'cache.js');
    writeFileSync(compiled, stripTypeScriptTypes(source));
    const published = (await import(pathToFileURL(compiled).href)) as typeof cache;
    assert.equal(published.codeFingerprint(['model']), '');
    assert.notEqual(cache.codeFingerprint(['model']), '');
  });
});
