import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  emptyStats,
  FlowAggregator,
  FlowMatcher,
  FLOW_COLUMNS,
  observeFlowText,
  parseCsvHeader,
  parseCsvRow,
  type ObservedTraffic,
} from '../../src/flows/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { FIXTURES, loadState } from './support.ts';

let state: ClusterState;
before(async () => {
  state = await loadState(join(FIXTURES, 'cluster.yaml'));
});

/**
 * The general CSV reader alone (`parseCsvRow` and `FlowAggregator.add`, as `FlowInput` read every row
 * before its fast path): the reference. The generator writes no comment lines.
 */
function reference(text: string): Pick<ObservedTraffic, 'connections' | 'unmatched' | 'stats' | 'problems'> {
  const stats = emptyStats();
  const agg = new FlowAggregator(new FlowMatcher(state), stats);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // as observeFlowText reads a text
  const [head, ...rows] = lines;
  const parsed = parseCsvHeader(head!);
  assert.ok(parsed.ok);
  rows.forEach((row, i) => {
    if (row.trim() === '') return; // a blank line, as FlowInput skips it
    const r = parseCsvRow(parsed.header, row);
    stats.records++;
    if (r.kind === 'flow') agg.add(r.record, 'f.csv', i + 2);
    else if (r.kind === 'invalid') agg.invalid('f.csv', i + 2, r.message);
    else stats.otherProtocols++;
  });
  stats.files.push({ name: 'f.csv', format: 'csv', lines: rows.length + 1 });
  const { connections, unmatched } = agg.result();
  return { connections, unmatched, stats, problems: agg.problems };
}

/** Values as captures write them, and near misses of each: the fast path must read or decline them alike. */
const VALUE: Record<string, fc.Arbitrary<string>> = {
  namespace: fc.constantFrom('', 'app', 'db', 'kube-system', 'ghost', ' app', 'app ', '"app"', 'app\u00a0'),
  workload: fc.constantFrom('', 'web', 'api', 'Deployment/api', 'pg', 'nope', ' web', '"a,b"'),
  pod: fc.constantFrom('', 'web-6d4cf56db6-x7k2p', 'pg-0', 'pg-3', 'web-0', 'node-agent-x8k2p'),
  ip: fc.constantFrom(
    '',
    '10.244.2.50',
    '10.96.0.20',
    '203.0.113.7',
    '198.51.100.20',
    '::ffff:10.244.2.50',
    'x',
  ),
  protocol: fc.constantFrom(
    '',
    'TCP',
    'tcp',
    'UDP',
    'udp',
    'Udp',
    '6',
    '17',
    'sctp',
    '132',
    'ICMP',
    'gre',
    'tpc',
    'constructor',
    ' TCP',
  ),
  port: fc.constantFrom(
    '',
    '80',
    '8080',
    '53',
    '5432',
    '443',
    '0',
    '65535',
    '65536',
    '080',
    '00080',
    '8080 ',
    '8o80',
    '-1',
    '1e3',
  ),
  count: fc.constantFrom('', '1', '7', '0', '01', '999999999999999', '9999999999999999999', '1.5', ' 2'),
  denied: fc.constantFrom('', '0', '1', '3', '8', 'x'),
  time: fc.constantFrom(
    '',
    '2026-12-01T09:00:00Z',
    '2026-12-01T09:00:30.250Z',
    '2026-12-01T10:00:00Z',
    '2026-12-01 09:00:00',
    '1796115600',
    'soon',
    '2026-12-01T24:00:00Z',
  ),
};

function valueOf(column: string): fc.Arbitrary<string> {
  const kind = column.replace(/^(src|dst)_/, '').replace(/_seen$/, '');
  return VALUE[kind === 'first' || kind === 'last' ? 'time' : kind] ?? fc.constantFrom('', 'x', '9');
}

/** A header (the flow columns in any order, some left out, an unknown one) and rows for it. */
const CAPTURE = fc
  .record({
    columns: fc.shuffledSubarray([...FLOW_COLUMNS, 'bytes'], { minLength: 3 }),
    keep: fc.boolean(),
  })
  .map(({ columns, keep }) =>
    // Half of the headers keep each side's columns together in their usual order (the side read as one text).
    keep
      ? [...FLOW_COLUMNS.filter((c) => columns.includes(c)), ...(columns.includes('bytes') ? ['bytes'] : [])]
      : columns,
  )
  .filter((columns) => parseCsvHeader(columns.join(',')).ok)
  .chain((columns) =>
    fc
      .array(
        fc.tuple(fc.tuple(...columns.map(valueOf)), fc.constantFrom('', '', '', ',extra', ',,', 'cut')),
        { minLength: 1, maxLength: 12 },
      )
      .map((rows) =>
        [
          columns.join(','),
          ...rows.map(([cells, tail]) =>
            tail === 'cut' ? cells.slice(0, Math.max(1, cells.length - 2)).join(',') : cells.join(',') + tail,
          ),
        ].join('\n'),
      ),
  );

test("the CSV rows' fast path reads every row as the general reader does, or leaves it to it", () => {
  fc.assert(
    fc.property(CAPTURE, (text) => {
      const fast = observeFlowText([{ name: 'f.csv', text }], state);
      const { connections, unmatched, stats, problems } = fast;
      assert.deepEqual({ connections, unmatched, stats, problems }, reference(text));
    }),
    { numRuns: Number(process.env.NETFENCE_CSV_ROWS_RUNS ?? 400) },
  );
});

test('rows with fewer cells than the header: a side cut short is read from its own cells, never from a cached side', () => {
  // Found by the property above (seed -1798527345): the destination's text of a row cut after dst_ip was taken
  // as empty, and the next row with no destination at all got the previous row's.
  const text = [
    'last_seen,src_ip,protocol,bytes,src_workload,port,src_namespace,src_pod,dst_ip,dst_workload,count',
    ',,,,,53,ghost,web-6d4cf56db6-x7k2p,10.244.2.50',
    ',,,,,00080,kube-system,web-6d4cf56db6-x7k2p,',
    ',,,,,,,,,,',
  ].join('\n');
  const { connections, unmatched, stats, problems } = observeFlowText([{ name: 'f.csv', text }], state);
  assert.deepEqual({ connections, unmatched, stats, problems }, reference(text));
  assert.ok(problems.some((p) => p.line === 3 && /no destination/.test(p.message)));
});
