/**
 * src/parse/origin.ts, what mutation testing left (issue #20, round 10): the files a state's objects come
 * from, origins as plain data, and an object kept by its text, which reads the text again for positions and
 * gives none rather than wrong ones when the text no longer has it at its place.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { parseManifestTextExact } from '../../src/parse/documents.ts';
import { originFiles, originOf, originSource, type Rereads } from '../../src/parse/origin.ts';
import type { ParsedObject } from '../../src/parse/types.ts';

const OPTIONS = { defaultNamespace: 'default', skipInvalid: false };

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {team: a}\n';
const CONFIG = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\ndata: {k: v}\n';

function read(text: string, file: string): ParsedObject[] {
  const r = parseManifestText(text, file);
  assert.deepEqual(r.errors, []);
  return r.objects;
}

describe('originFiles', () => {
  test('every file the state’s objects come from, of every kind; objects without an origin add none', () => {
    const files: Record<string, string> = {
      'ns.yaml': NAMESPACE,
      'deploy.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: i}]}\n',
      // In a namespace no file defines: the state's namespace `other` has no origin.
      'pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: other, labels: {app: p}}\nspec: {containers: [{name: c, image: i}]}\nstatus: {phase: Running, podIP: 10.0.0.1}\n',
      'policy.yaml':
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n',
      'service.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
      'anp.yaml':
        'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec:\n  priority: 10\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n',
      'node.yaml': 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n',
    };
    const objects = Object.entries(files).flatMap(([file, text]) => read(text, file));
    const r = buildClusterState(objects, OPTIONS);
    assert.deepEqual(r.errors, []);
    assert.ok(r.state.namespaces.some((n) => n.origin === undefined));
    assert.deepEqual([...originFiles(r.state)].sort(), Object.keys(files).sort());
    // One file, several objects: named once.
    const one = buildClusterState(read(`${NAMESPACE}---\n${CONFIG}`, 'one.yaml'), OPTIONS);
    assert.deepEqual([...originFiles(one.state)], ['one.yaml']);
    assert.deepEqual([...originFiles(buildClusterState([], OPTIONS).state)], []);
  });
});

describe('originOf', () => {
  test('an object read without its text: an origin of file, line and column, and positions', () => {
    const [o] = parseManifestTextExact(`# c\n${NAMESPACE}`, 'e.yaml').objects;
    assert.ok(o !== undefined && o.fileText === undefined);
    const origin = originOf(o);
    assert.deepEqual(JSON.parse(JSON.stringify(origin)), { file: 'e.yaml', line: 2, column: 1 });
    assert.deepEqual(Object.keys(origin).sort(), ['column', 'file', 'line', 'locate']);
    assert.deepEqual(origin.locate?.(['metadata', 'labels', 'team']), {
      file: 'e.yaml',
      line: 6,
      column: 12,
    });
  });

  test('an object kept by its text: the same file, line, column and positions', () => {
    const [o] = read(`# c\n${NAMESPACE}`, 't.yaml');
    assert.ok(o !== undefined && o.fileText !== undefined);
    const origin = originOf(originSource(o, new Map()));
    assert.deepEqual(JSON.parse(JSON.stringify(origin)), { file: 't.yaml', line: 2, column: 1 });
    assert.deepEqual(origin.locate?.(['metadata', 'labels', 'team']), {
      file: 't.yaml',
      line: 6,
      column: 12,
    });
  });
});

describe('originSource: an object kept by its text', () => {
  test('an object read by `yaml` alone is kept as it is', () => {
    const [o] = parseManifestTextExact(NAMESPACE, 'e.yaml').objects;
    assert.ok(o !== undefined);
    assert.equal(originSource(o, new Map()), o);
  });

  test('answers as the object read: its fields, values, positions, nodes and source text', () => {
    const text = `${NAMESPACE}---\n${CONFIG}---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: listed}\n`;
    const objects = read(text, 'f.yaml');
    assert.equal(objects.length, 3);
    const rereads: Rereads = new Map();
    const paths = [['metadata', 'name'], ['metadata'], [], ['data', 'k'], ['missing']];
    for (const o of objects) {
      const kept = originSource(o, rereads);
      assert.notEqual(kept, o);
      assert.equal(originSource(kept, rereads), kept);
      assert.deepEqual(
        [
          kept.file,
          kept.line,
          kept.column,
          kept.apiVersion,
          kept.kind,
          kept.documentIndex,
          kept.documentPath,
        ],
        [o.file, o.line, o.column, o.apiVersion, o.kind, o.documentIndex, o.documentPath],
      );
      assert.equal(kept.fileText, text);
      assert.deepEqual(kept.object, o.object);
      for (const path of paths) {
        assert.deepEqual(kept.locate(path), o.locate(path), `${o.kind} ${path.join('.')}`);
        assert.equal(kept.sourceText?.(path), o.sourceText?.(path));
        assert.deepEqual(kept.nodeAt?.(path)?.range, o.nodeAt?.(path)?.range);
      }
      assert.deepEqual(kept.node?.range, o.node?.range);
      assert.ok(kept.node !== undefined);
      assert.equal(kept.document?.toString(), o.document?.toString());
      assert.ok(kept.document !== undefined);
    }
    // The first object of the file too (not only the last one read again).
    const first = originSource(objects[0]!, new Map());
    assert.deepEqual(first.locate(['metadata', 'labels', 'team']), { file: 'f.yaml', line: 5, column: 12 });
    assert.deepEqual(first.object, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', labels: { team: 'a' } },
    });
  });

  test('a text that no longer has the object at its place: no values and no positions, not wrong ones', () => {
    const [o] = read(NAMESPACE, 'g.yaml');
    assert.ok(o !== undefined);
    /** The object as read, said to come from `fileText`. */
    const from = (fileText: string): ParsedObject =>
      ({
        file: o.file,
        line: o.line,
        column: o.column,
        apiVersion: o.apiVersion,
        kind: o.kind,
        documentIndex: o.documentIndex,
        documentPath: o.documentPath,
        object: o.object,
        fileText,
        locate: () => undefined,
      }) as unknown as ParsedObject;
    const texts: Record<string, string> = {
      // The same kind at another line, same column.
      'a line down': `# added\n${NAMESPACE}`,
      // The same kind and line, another column (a flow mapping after a space).
      'another column': ' {apiVersion: v1, kind: Namespace, metadata: {name: shop}}\n',
      // Another kind at the same place.
      'another kind': NAMESPACE.replace('Namespace', 'ConfigMap'),
      // Nothing at that place.
      'no such document': '# nothing\n',
      'no such object': 'a: b\n',
    };
    for (const [name, text] of Object.entries(texts)) {
      const kept = originSource(from(text), new Map());
      assert.deepEqual(kept.object, {}, name);
      assert.equal(kept.locate(['metadata', 'name']), undefined, name);
      assert.equal(kept.locate([]), undefined, name);
      assert.equal(kept.sourceText?.(['metadata']), undefined, name);
      assert.equal(kept.nodeAt?.(['metadata']), undefined, name);
      assert.equal(kept.document, undefined, name);
      assert.equal(kept.node, undefined, name);
      // Its own fields are what it was made with.
      assert.deepEqual([kept.file, kept.line, kept.column, kept.kind], ['g.yaml', 1, 1, 'Namespace'], name);
    }
    // The text it was read from: found.
    assert.deepEqual(originSource(from(NAMESPACE), new Map()).locate(['metadata', 'name']), {
      file: 'g.yaml',
      line: 4,
      column: 3,
    });
  });
});
