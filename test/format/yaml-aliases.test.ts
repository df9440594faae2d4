/**
 * YAML that netfence writes never uses anchors and aliases (`&a1` … `*a1`), even when the value holds one object
 * twice: a selector read from YAML written with an anchor, or one object reused by the code that built the
 * value. Kubernetes tools, diffs and readers of the output expect each field written out in full.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderPolicy, type PolicyObject } from '../../src/apply/index.ts';
import { toYamlDocument } from '../../src/format/yaml.ts';
import { snapshotText } from '../../src/k8s/snapshot.ts';

/** A policy whose pod selector object is also its ingress peer's. */
function sharing(): PolicyObject {
  const web = { matchLabels: { app: 'web' } };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { podSelector: web, ingress: [{ from: [{ podSelector: web }] }] },
  };
}

const NO_ALIAS = /[&*]a\d/;

describe('YAML output writes a shared object out in full, without anchor and alias', () => {
  test("toYamlDocument (generate, the server's policies read from a cluster)", () => {
    const text = toYamlDocument({ value: sharing() });
    assert.doesNotMatch(text, NO_ALIAS);
    assert.equal(text.match(/app: web/g)?.length, 2);
  });

  test("apply's diff of a policy", () => {
    const text = renderPolicy(sharing());
    assert.doesNotMatch(text, NO_ALIAS);
    assert.equal(text.match(/app: web/g)?.length, 2);
  });

  test('a snapshot', () => {
    const policy = sharing();
    const text = snapshotText(
      [policy, policy] as never,
      {
        context: 'kind',
        server: 'https://127.0.0.1:6443',
        scope: { kind: 'all' },
        takenAt: '2026-12-05T00:00:00Z',
      } as never,
      'yaml',
    );
    assert.doesNotMatch(text, NO_ALIAS);
    assert.equal(text.match(/app: web/g)?.length, 4);
  });
});
