/**
 * The comments a YAML snapshot starts with say what it leaves out: each annotation a snapshot keeps (the ones
 * the analysis reads, `isAnalyzedAnnotation`) is named there, so that the header never says "no annotations but
 * …" of a file that holds others (docs/commands/snapshot.md, "What a snapshot holds").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { isAnalyzedAnnotation, metaFromClient } from '../../src/k8s/convert.ts';
import { snapshotText } from '../../src/k8s/snapshot.ts';

test('the header names every annotation a snapshot keeps, and no other', () => {
  const clientMeta = {
    name: 'web-7d9f8b6c5d',
    namespace: 'shop',
    annotations: {
      'netfence.io/ignore': 'no-allow-all-rule -- health checks',
      'deployment.kubernetes.io/revision': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    },
  } as unknown as V1ObjectMeta;
  const meta = metaFromClient(clientMeta);
  const kept = Object.keys(meta.annotations ?? {});
  assert.deepEqual(kept.sort(), ['deployment.kubernetes.io/revision', 'netfence.io/ignore']);
  const text = snapshotText(
    [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta, spec: {} }] as never,
    {
      context: 'dev',
      server: 'https://127.0.0.1:6443',
      scope: { kind: 'all' },
      takenAt: '2026-12-07T00:00:00Z',
    },
    'yaml',
  );
  const header = text
    .split('\n')
    .filter((line) => line.startsWith('#'))
    .join(' ');
  const said = /no annotations but ([^)]*)\)/.exec(header)?.[1];
  assert.ok(said !== undefined, header);
  const named = said.split(/,? and |, /).map((s) => s.trim());
  for (const key of kept)
    assert.ok(
      named.some((n) => (n.endsWith('/*') ? key.startsWith(n.slice(0, -1)) : key === n)),
      `${key} is kept but the header says: no annotations but ${said}`,
    );
  for (const n of named) assert.ok(isAnalyzedAnnotation(n.endsWith('/*') ? `${n.slice(0, -1)}x` : n), n);
});
