import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { observeFlowText } from '../../src/flows/index.ts';
import { mergeMaps, readMapJson, type MapShard } from '../../src/flows/merge.ts';
import { observedMapToJson } from '../../src/format/flows.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { ObservedTraffic } from '../../src/flows/types.ts';
import { FIXTURES, loadState } from './support.ts';

const NUM_RUNS = 200;
const HEADER =
  'src_namespace,src_workload,src_ip,dst_namespace,dst_workload,dst_ip,protocol,port,count,denied,first_seen,last_seen';

/** Sides of a CSV row: workloads of the fixture, Kind/name, outside addresses, an unknown workload. */
const SIDE = fc.constantFrom(
  'app,web,',
  'app,api,',
  'app,Deployment/worker,',
  'db,pg,',
  'app,ghost,',
  'db,gone,',
  ',,198.51.100.7',
  ',,2001:db8::1',
  ',,203.0.113.9',
);

/** A CSV row: mostly valid flows, some of another protocol, some unreadable. */
const ROW = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({
        src: SIDE,
        dst: SIDE,
        protocol: fc.constantFrom('TCP', 'UDP', 'SCTP', 'ICMP'),
        port: fc.constantFrom(53, 80, 443, 5432, 8080),
        count: fc.integer({ min: 1, max: 5 }),
        denied: fc.integer({ min: 0, max: 5 }),
        first: fc.option(fc.integer({ min: 0, max: 86_400 }), { nil: undefined }),
        span: fc.integer({ min: 0, max: 3_600 }),
      })
      .map(({ src, dst, protocol, port, count, denied, first, span }) => {
        const t = (s: number): string => new Date(Date.UTC(2026, 10, 25) + s * 1000).toISOString();
        const times = first === undefined ? ',' : `${t(first)},${t(first + span)}`;
        return `${src},${dst},${protocol},${port},${count},${Math.min(denied, count)},${times}`;
      }),
  },
  { weight: 1, arbitrary: fc.constantFrom('app,web,,app,api,,TCP,0,1,0,,', 'app,web,,app,api,,TCP,x,1,0,,') },
);

/** Flows split into 1 to 4 non-empty shards, in order. */
const SHARDS = fc.array(fc.array(ROW, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 });

let state: ClusterState;
before(async () => {
  state = await loadState(`${FIXTURES}cluster.yaml`);
});

function csv(rows: readonly string[]): string {
  return `${HEADER}\n${rows.join('\n')}\n`;
}

function map(shards: readonly (readonly string[])[], offset = 0): ObservedTraffic {
  return observeFlowText(
    shards.map((rows, i) => ({ name: `shard-${offset + i}.csv`, text: csv(rows) })),
    state,
  );
}

/** What `map -o json` writes, read back as `--merge` reads it. */
function written(traffic: ObservedTraffic, s: ClusterState = state): MapShard {
  const read = readMapJson(JSON.parse(JSON.stringify(observedMapToJson(traffic, s))));
  assert.ok(read.ok, read.ok ? '' : read.message);
  return read.shard;
}

function merged(shards: readonly MapShard[]): string {
  const { traffic, state: names } = mergeMaps(shards);
  return JSON.stringify(observedMapToJson(traffic, names), null, 2);
}

describe('map --merge', () => {
  test('the merge of the maps of shards is the map of all of them', () => {
    fc.assert(
      fc.property(SHARDS, (shards) => {
        const whole = JSON.stringify(observedMapToJson(map(shards), state), null, 2);
        assert.equal(merged(shards.map((rows, i) => written(map([rows], i)))), whole);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('merging is associative, and commutative but for the order of inputs and problems and the examples', () => {
    fc.assert(
      fc.property(
        fc.array(ROW, { minLength: 1, maxLength: 10 }),
        fc.array(ROW, { minLength: 1, maxLength: 10 }),
        fc.array(ROW, { minLength: 1, maxLength: 10 }),
        (a, b, c) => {
          const [ma, mb, mc] = [written(map([a], 0)), written(map([b], 1)), written(map([c], 2))];
          const again = (shards: MapShard[]): MapShard => {
            const m = mergeMaps(shards);
            return written(m.traffic, m.state);
          };
          assert.equal(merged([again([ma, mb]), mc]), merged([ma, again([mb, mc])]));
          assert.equal(merged([again([ma, mb]), mc]), merged([ma, mb, mc]));
          const unordered = (text: string): unknown => {
            const { inputs, problems, unmatched, ...rest } = JSON.parse(text) as Record<string, unknown[]>;
            const sorted = (list: unknown[]): string[] => list.map((x) => JSON.stringify(x)).sort();
            const withoutExample = unmatched!.map((u) => ({ ...(u as object), example: undefined }));
            return {
              ...rest,
              inputs: sorted(inputs!),
              problems: sorted(problems!),
              unmatched: withoutExample,
            };
          };
          assert.deepEqual(unordered(merged([mb, ma])), unordered(merged([ma, mb])));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('first and last seen are the earliest and latest of the shards; no times stay no times', () => {
    const one = written(map([['app,web,,app,api,,TCP,8080,2,1,2026-11-25T01:00:00Z,2026-11-25T02:00:00Z']]));
    const two = written(map([['app,web,,app,api,,TCP,8080,3,0,2026-11-25T00:30:00Z,2026-11-25T01:30:00Z']]));
    const three = written(map([['app,web,,app,api,,TCP,8080,1,0,,']]));
    const json = JSON.parse(merged([one, two, three])) as { connections: Record<string, unknown>[] };
    assert.deepEqual(json.connections, [
      {
        src: { workload: 'app/Deployment/web' },
        dst: { workload: 'app/Deployment/api' },
        protocol: 'TCP',
        port: 8080,
        count: 6,
        denied: 1,
        firstSeen: '2026-11-25T00:30:00.000Z',
        lastSeen: '2026-11-25T02:00:00.000Z',
      },
    ]);
  });

  test('a document that is not a map is refused with the field at fault', () => {
    const good = JSON.parse(
      JSON.stringify(observedMapToJson(map([['app,web,,app,api,,TCP,8080,1,0,,']]), state)),
    ) as Record<string, unknown>;
    const cases: [unknown, string][] = [
      [[], '(document): expected an object, got []'],
      [{ schemaVersion: 1, connections: [], inputs: {} }, 'inputs: expected a list, got {}'],
      [{ summary: {} }, 'not the JSON of `netfence map -o json` (no "connections" and "inputs")'],
      [{ ...good, schemaVersion: 2 }, 'schemaVersion: expected 1, got 2'],
      [
        { ...good, connections: [{ ...(good.connections as object[])[0], count: -1 }] },
        'connections[0].count: expected a whole number ≥ 0, got -1',
      ],
      [
        { ...good, connections: [{ ...(good.connections as object[])[0], protocol: 'ICMP' }] },
        'connections[0].protocol: expected TCP, UDP or SCTP, got "ICMP"',
      ],
      [
        { ...good, connections: [{ ...(good.connections as object[])[0], firstSeen: 'yesterday' }] },
        'connections[0].firstSeen: expected an ISO 8601 time or null, got "yesterday"',
      ],
      [
        { ...good, connections: [{ ...(good.connections as object[])[0], denied: 2 }] },
        'connections[0].denied: expected at most count (1), got 2',
      ],
      [
        { ...good, stats: { ...(good.stats as object), counted: '1' } },
        'stats.counted: expected a whole number ≥ 0, got "1"',
      ],
      [
        {
          ...good,
          connections: [{ ...(good.connections as object[])[0], dst: { ip: '10.0.0.1', nodes: 'n1' } }],
        },
        'connections[0].dst.nodes: expected a list, got "n1"',
      ],
      [
        {
          ...good,
          connections: [{ ...(good.connections as object[])[0], src: { ip: '10.0.0.1', nodes: [1] } }],
        },
        'connections[0].src.nodes[0]: expected a string, got 1',
      ],
    ];
    for (const [doc, message] of cases) assert.deepEqual(readMapJson(doc), { ok: false, message });
  });

  test("a Node's address keeps its Nodes through the merge: the merged map names them as the map of all does", () => {
    const doc = (src: unknown, port: number): unknown => {
      const m = JSON.parse(
        JSON.stringify(observedMapToJson(map([[`,,198.51.100.7,app,web,,TCP,${port},1,0,,`]]), state)),
      ) as { connections: Record<string, unknown>[] };
      m.connections[0]!.src = src;
      return m;
    };
    const shards = [
      doc({ ip: '198.51.100.7', nodes: ['n1'] }, 80),
      doc({ ip: '198.51.100.7', nodes: ['n0', 'n1'] }, 443),
      doc({ ip: '198.51.100.7' }, 8080),
    ].map((d) => {
      const read = readMapJson(d);
      assert.ok(read.ok, read.ok ? '' : read.message);
      return read.shard;
    });
    assert.deepEqual(
      shards.map((s) => s.nodes.map((n) => [n.name, n.addresses])),
      [
        [['n1', ['198.51.100.7']]],
        [
          ['n0', ['198.51.100.7']],
          ['n1', ['198.51.100.7']],
        ],
        [],
      ],
    );
    const json = JSON.parse(merged(shards)) as { connections: { src: unknown }[] };
    // One address, one set of Nodes, on every connection of it: the Nodes any map named it with.
    assert.deepEqual(
      json.connections.map((c) => c.src),
      [0, 1, 2].map(() => ({ ip: '198.51.100.7', nodes: ['n0', 'n1'] })),
    );
  });
});
