/**
 * The state's origins keep each object's file text and place, not the values read from it (src/parse/build.ts
 * `TextSource`): positions are the same as the parsed objects', and the values can be collected while the
 * state lives. And a state of many objects builds on the main thread's stack.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import type { FieldPath } from '../../src/model/problem.ts';
import type { Origin } from '../../src/model/cluster.ts';
import type { ParsedObject } from '../../src/parse/types.ts';

const TEXT = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: a}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: List
items:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: db, namespace: shop}
    spec:
      podSelector: {matchLabels: {app: db}}
      ingress:
        - from: [{podSelector: {matchLabels: {app: web}}}]
          ports: [{port: 5432}]
  - apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      selector: {app: web}
      ports: [{port: 80, targetPort: http}]
`;

const PATHS: FieldPath[] = [
  [],
  ['metadata', 'name'],
  ['metadata', 'labels'],
  ['spec', 'podSelector', 'matchLabels', 'app'],
  ['spec', 'ingress', 0, 'from', 0, 'podSelector'],
  ['spec', 'ingress', 0, 'ports', 0, 'port'],
  ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'name'],
  ['spec', 'ports', 0, 'targetPort'],
  ['spec', 'nothing', 'here'],
];

function build(text: string): {
  objects: ParsedObject[];
  state: ReturnType<typeof buildClusterState>['state'];
} {
  const { objects, errors } = parseManifestText(text, 'shop.yaml');
  assert.deepEqual(errors, []);
  const r = buildClusterState(objects, { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(r.errors, []);
  return { objects, state: r.state };
}

describe('origins of the state', () => {
  test('give the positions of the objects read, for every path', () => {
    const { objects, state } = build(TEXT);
    const pairs: [Origin | undefined, string][] = [
      [state.namespaces.find((n) => n.name === 'shop')?.origin, 'Namespace'],
      [state.workloads[0]?.origin, 'Deployment'],
      [state.pods[0]?.origin, 'Deployment'],
      [state.policies[0]?.origin, 'NetworkPolicy'],
      [state.services[0]?.origin, 'Service'],
    ];
    for (const [origin, kind] of pairs) {
      const parsed = objects.find((o) => o.kind === kind)!;
      assert.ok(origin !== undefined, kind);
      assert.deepEqual([origin.file, origin.line, origin.column], [parsed.file, parsed.line, parsed.column]);
      for (const path of PATHS)
        assert.deepEqual(origin.locate?.(path), parsed.locate(path), `${kind} ${path.join('.')}`);
    }
    // Not all at the first line: the positions say something.
    assert.deepEqual(state.policies[0]!.origin?.locate?.(['spec', 'ingress', 0, 'ports', 0, 'port']), {
      file: 'shop.yaml',
      line: 30,
      column: 20,
    });
  });

  test('do not keep the values read', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Built in a function of its own: nothing but the state (and the weak references) outlives it.
    const { state, values } = (() => {
      const built = build(TEXT);
      return { state: built.state, values: built.objects.map((o) => new WeakRef(o.object)) };
    })();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.equal(values.filter((v) => v.deref() !== undefined).length, 0);
    // …and still find positions, reading the text again.
    assert.equal(state.services[0]!.origin?.locate?.(['spec', 'ports', 0, 'targetPort'])?.line, 36);
  });

  test('a state of 200,000 objects builds (no spread of them all as arguments)', () => {
    const objects: ParsedObject[] = [];
    for (let i = 0; i < 200_000; i++) {
      const name = `ns-${i}`;
      objects.push({
        object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        apiVersion: 'v1',
        kind: 'Namespace',
        file: 'many.yaml',
        line: i + 1,
        column: 1,
        locate: () => undefined,
        nodeAt: () => undefined,
        sourceText: () => undefined,
        document: undefined,
        node: undefined,
        documentIndex: i,
        documentPath: [],
      });
    }
    const r = buildClusterState(objects, { defaultNamespace: 'default', skipInvalid: false });
    assert.equal(r.state.namespaces.length, 200_000);
  });
});
