/**
 * `analyze` writes its answer in pieces (an answer with millions of connections is longer than the longest
 * string V8 allows). The pieces, joined, must be exactly the one-string output: for JSON, byte for byte
 * `JSON.stringify` of the documented object.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity, type Granularity } from '../../src/engine/connectivity.ts';
import {
  ConnectivityFormat,
  connectivityToJson,
  formatConnectivityChunks,
  analysisSummary,
} from '../../src/format/connectivity.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { cluster, deploymentsYaml } from '../support/builders.ts';
import { clusterInputArb } from '../support/arbitraries.ts';
import type { ClusterState } from '../../src/model/cluster.ts';

const EXAMPLE = new URL('../../examples/webshop', import.meta.url).pathname;

function answer(state: ClusterState, granularity: Granularity = 'workload') {
  const compiled = compileCluster(state);
  return {
    conn: computeConnectivity(compiled, granularity),
    space: compiled.addressSpace,
    summary: analysisSummary(state),
  };
}

describe('connectivity output in pieces', () => {
  test('JSON pieces join to JSON.stringify of the documented object (webshop, both granularities)', async () => {
    const loaded = await loadManifests([EXAMPLE], { defaultNamespace: 'default', skipInvalid: false });
    for (const granularity of ['workload', 'pod'] as const) {
      const { conn, space, summary } = answer(loaded.state, granularity);
      assert.ok(conn.connections.length > 10);
      const text = [...formatConnectivityChunks(conn, space, summary, 'json')].join('');
      assert.equal(text, `${JSON.stringify(connectivityToJson(conn, space, summary), null, 2)}\n`);
    }
  });

  test('JSON pieces join to JSON.stringify of the documented object (random clusters, property)', () => {
    fc.assert(
      fc.property(clusterInputArb, (input) => {
        const { conn, space, summary } = answer(cluster(input));
        const text = [...formatConnectivityChunks(conn, space, summary, 'json')].join('');
        assert.equal(text, `${JSON.stringify(connectivityToJson(conn, space, summary), null, 2)}\n`);
        assert.deepEqual(JSON.parse(text), connectivityToJson(conn, space, summary));
      }),
      { numRuns: 100 },
    );
  });

  test('a large answer comes in several pieces of about a mebibyte, in every format', () => {
    // 150 workloads and no policy: 22,800 connections, about 10 MB of JSON.
    const text = deploymentsYaml(150, 3);
    const { state } = buildClusterState(parseManifestText(text, 'apps.yaml').objects, {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    const { conn, space, summary } = answer(state);
    for (const format of Object.values(ConnectivityFormat)) {
      const chunks = [...formatConnectivityChunks(conn, space, summary, format)];
      const joined = chunks.join('');
      // No piece near the limit: all but the last at least 1 MiB, none 2 MiB.
      assert.ok(joined.length < 2 << 20 || chunks.length > 1, `${format}: one piece of ${joined.length}`);
      for (const chunk of chunks.slice(0, -1)) assert.ok(chunk.length >= 1 << 20, format);
      for (const chunk of chunks) assert.ok(chunk.length < 2 << 20, format);
      if (format === 'json') {
        assert.ok(chunks.length > 5, `json: ${chunks.length} pieces for ${joined.length} characters`);
        assert.equal(joined, `${JSON.stringify(connectivityToJson(conn, space, summary), null, 2)}\n`);
      }
      assert.ok(joined.endsWith('\n'), format);
    }
  });
});
