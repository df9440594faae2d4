/**
 * `analyze` writes its answer in pieces (an answer with millions of connections is longer than the longest
 * string V8 allows). The pieces, joined, must be exactly the one-string output: for JSON, byte for byte
 * `JSON.stringify` of the documented (grouped) object.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity, type Granularity } from '../../src/engine/connectivity.ts';
import { computeGroupedConnectivity } from '../../src/engine/grouped.ts';
import {
  ConnectivityFormat,
  analysisSummary,
  formatConnectivityChunks,
  groupedConnectivityToJson,
  groupedJsonChunks,
} from '../../src/format/connectivity.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { cluster, deploymentsYaml } from '../support/builders.ts';
import { clusterInputArb } from '../support/arbitraries.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { noNodes } from '../../src/format/node-addresses.ts';

const EXAMPLE = new URL('../../examples/webshop', import.meta.url).pathname;

function answer(state: ClusterState, granularity: Granularity = 'workload') {
  const compiled = compileCluster(state);
  return {
    conn: computeConnectivity(compiled, granularity),
    grouped: computeGroupedConnectivity(compiled, granularity),
    space: compiled.addressSpace,
    summary: analysisSummary(state),
  };
}

describe('connectivity output in pieces', () => {
  test('JSON pieces join to JSON.stringify of the documented object (webshop, both granularities)', async () => {
    const loaded = await loadManifests([EXAMPLE], { defaultNamespace: 'default', skipInvalid: false });
    for (const granularity of ['workload', 'pod'] as const) {
      const { grouped, space, summary } = answer(loaded.state, granularity);
      assert.ok(grouped.groups.length > 10);
      const expected = `${JSON.stringify(groupedConnectivityToJson(grouped, space, summary), null, 2)}\n`;
      assert.equal([...groupedJsonChunks(grouped, space, summary)].join(''), expected);
      // In small pieces: each at least the size asked for, but the last.
      const pieces = [...groupedJsonChunks(grouped, space, summary, noNodes, 2000)];
      assert.ok(pieces.length > 5, `${pieces.length} pieces`);
      for (const piece of pieces.slice(0, -1)) assert.ok(piece.length >= 2000);
      assert.equal(pieces.join(''), expected);
    }
  });

  test('JSON pieces join to JSON.stringify of the documented object (random clusters, property)', () => {
    fc.assert(
      fc.property(clusterInputArb, fc.integer({ min: 1, max: 400 }), (input, chunkSize) => {
        const { grouped, space, summary } = answer(cluster(input));
        const text = [...groupedJsonChunks(grouped, space, summary, noNodes, chunkSize)].join('');
        const doc = groupedConnectivityToJson(grouped, space, summary);
        assert.equal(text, `${JSON.stringify(doc, null, 2)}\n`);
        assert.deepEqual(JSON.parse(text), doc);
      }),
      { numRuns: 100 },
    );
  });

  test('a large answer comes in several pieces of about a mebibyte, in every table format', () => {
    // 150 workloads and no policy: 22,800 connections, megabytes of txt, csv, md and dot.
    const text = deploymentsYaml(150, 3);
    const { state } = buildClusterState(parseManifestText(text, 'apps.yaml').objects, {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    const { conn, grouped, space, summary } = answer(state);
    // The same answer in JSON is one group: every workload to every other.
    const internal = grouped.groups.filter((g) => g.src[0]!.includes('/Deployment/'));
    assert.equal(internal.length, 1);
    assert.equal(internal[0]!.src.length, 150);
    assert.equal(grouped.pairs, conn.connections.length);
    for (const format of Object.values(ConnectivityFormat)) {
      if (format === 'json') continue;
      const chunks = [...formatConnectivityChunks(conn, space, summary, format)];
      const joined = chunks.join('');
      // No piece near the limit: all but the last at least 1 MiB, none 2 MiB.
      assert.ok(joined.length < 2 << 20 || chunks.length > 1, `${format}: one piece of ${joined.length}`);
      for (const chunk of chunks.slice(0, -1)) assert.ok(chunk.length >= 1 << 20, format);
      for (const chunk of chunks) assert.ok(chunk.length < 2 << 20, format);
      assert.ok(joined.endsWith('\n'), format);
    }
  });
});
