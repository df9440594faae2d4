/**
 * The small helpers of src/parse that messages and notices are made of (issue #20, mutation testing):
 * `describeValue`, `got`, `shortJson` and `isMap` (values.ts), `describeIgnored` (ignored.ts), and
 * `originOf` / `originFiles` (origin.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeValue, got, isMap, shortJson } from '../../src/parse/values.ts';
import { describeIgnored } from '../../src/parse/ignored.ts';
import { originFiles, originOf } from '../../src/parse/origin.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { emptyCluster, type ClusterState } from '../../src/model/cluster.ts';
import type { ParsedObject } from '../../src/parse/types.ts';

describe('values', () => {
  test('isMap: only plain objects, not null, lists or scalars', () => {
    assert.equal(isMap({}), true);
    assert.equal(isMap({ a: 1 }), true);
    assert.equal(isMap(null), false);
    assert.equal(isMap(undefined), false);
    assert.equal(isMap([]), false);
    assert.equal(isMap([{ a: 1 }]), false);
    assert.equal(isMap('a'), false);
    assert.equal(isMap(1), false);
  });

  test('describeValue: how each kind of value reads in a message', () => {
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue(undefined), 'null');
    assert.equal(describeValue('abc'), '"abc"');
    assert.equal(describeValue(''), '""');
    assert.equal(describeValue('a "b"'), '"a \\"b\\""');
    assert.equal(describeValue(80.5), '80.5');
    assert.equal(describeValue(0), '0');
    assert.equal(describeValue(true), 'true');
    assert.equal(describeValue(false), 'false');
    assert.equal(describeValue(12345678901234567890n), '12345678901234567890');
    assert.equal(describeValue([]), 'an empty list []');
    assert.equal(describeValue([1]), 'a list');
    assert.equal(describeValue({}), 'a mapping {}');
    assert.equal(describeValue({ a: 1 }), 'a mapping');
    assert.equal(describeValue(Symbol('s')), 'symbol');
    assert.equal(
      describeValue(() => 1),
      'function',
    );
  });

  test('got', () => {
    assert.equal(got({ a: 1 }), 'got a mapping');
    assert.equal(got(80.5), 'got 80.5');
    assert.equal(got('abc'), 'got "abc"');
    assert.equal(got(undefined), 'got null');
  });

  test('shortJson: cut with an ellipsis past its length, 60 by default', () => {
    assert.equal(shortJson({ a: 1 }), '{"a":1}');
    assert.equal(shortJson('x'.repeat(58)), `"${'x'.repeat(58)}"`); // 60 characters: kept
    assert.equal(shortJson('x'.repeat(59)), `"${'x'.repeat(58)}…`); // 61: 59 and the ellipsis
    assert.equal(shortJson([1, 2, 3], 5), '[1,2…');
    assert.equal(shortJson([1, 2], 5), '[1,2]');
    // What JSON cannot write reads as String() does.
    assert.equal(shortJson(undefined), 'undefined');
  });
});

describe('describeIgnored', () => {
  test('kinds by count, most first, then by name; both parts joined', () => {
    assert.equal(
      describeIgnored({ count: 6, kinds: { Secret: 1, Ingress: 2, ConfigMap: 2, Job: 1 }, files: 1 }),
      'Ignored 6 objects of other kinds (ConfigMap ×2, Ingress ×2, Job ×1, Secret ×1) and 1 file with no Kubernetes objects.',
    );
    assert.equal(
      describeIgnored({ count: 3, kinds: { A: 1, B: 2 }, files: 0 }),
      'Ignored 3 objects of other kinds (B ×2, A ×1).',
    );
    assert.equal(
      describeIgnored({ count: 0, kinds: {}, files: 1 }),
      'Ignored 1 file with no Kubernetes objects.',
    );
  });
});

const TEXT = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {}
  ingress:
    - ports: [{port: 80}]
`;

describe('origin', () => {
  test('originOf: the object’s file and place, and a locator that asks the object', () => {
    const [, policy] = parseManifestText(TEXT, 'in.yaml').objects as [ParsedObject, ParsedObject];
    const origin = originOf(policy);
    assert.deepEqual([origin.file, origin.line, origin.column], ['in.yaml', 5, 1]);
    assert.deepEqual(origin.locate?.(['spec', 'ingress', 0, 'ports', 0, 'port']), {
      file: 'in.yaml',
      line: 11,
      column: 16,
    });
    assert.deepEqual(origin.locate?.(['spec', 'ingress']), policy.locate(['spec', 'ingress']));
  });

  test('originFiles: the files of every kind of object the state holds, those without an origin left out', () => {
    const at = (file: string) => ({ origin: { file, line: 1, column: 1 } });
    const state = {
      ...emptyCluster(),
      namespaces: [at('ns.yaml'), {}],
      workloads: [at('w.yaml')],
      pods: [at('p.yaml')],
      policies: [at('np.yaml'), at('ns.yaml')],
      services: [at('s.yaml')],
      clusterPolicies: [at('anp.yaml')],
      nodes: [at('n.yaml')],
    } as unknown as ClusterState;
    assert.deepEqual([...originFiles(state)].sort(), [
      'anp.yaml',
      'n.yaml',
      'np.yaml',
      'ns.yaml',
      'p.yaml',
      's.yaml',
      'w.yaml',
    ]);
    assert.deepEqual([...originFiles(emptyCluster())], []);
    const built = buildClusterState(parseManifestText(TEXT, 'in.yaml').objects, {
      defaultNamespace: 'default',
      skipInvalid: false,
    }).state;
    assert.deepEqual([...originFiles(built)], ['in.yaml']);
  });
});
