/**
 * The graph's readability helpers, without a browser: merging the two directions of a pair into one line,
 * what the header says is drawn, one namespace expanded at a time in the overview, the position cache and
 * placement (no two boxes overlap), labels that fit, and the colour-blind-safe palette (also in app.css).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  buildGraph,
  BY_NAMESPACE,
  DEFAULT_OPTIONS,
  connectionCounts,
  headerCounts,
  countOf,
  defaultCollapsed,
  drawnLines,
  drawnSummary,
  groupsOf,
  labelKeys,
  LARGE_WORKLOADS,
  mergeParallel,
  NODES,
  OUTSIDE,
  parseGrouping,
  toggleGroup,
  weakSummary,
  type DrawnEdge,
  type EdgeInput,
  type GraphEdge,
  type GraphInput,
} from '../../ui/lib/graph.ts';
import { portRows, trafficEdge } from '../../ui/lib/traffic.ts';
import { abbreviate, cellNotes, namespaceMatrix, visibleRange, workloadMatrix } from '../../ui/lib/matrix.ts';
import {
  anyOverlap,
  gridAround,
  labelsFit,
  PositionCache,
  separate,
  readingGrid,
  READABLE_ZOOM,
  type Box,
} from '../../ui/lib/layout.ts';
import {
  CSS_VARS,
  difference,
  LEGEND_GROUPS,
  PALETTES,
  type Palette,
  type Vision,
} from '../../ui/lib/palette.ts';
import type { ModelWorkloadJson as WorkloadJson } from '../../src/contract/api.ts';
import type { PortsJson } from '../../src/contract/common.ts';

const tcp = (...ports: number[]): PortsJson => ({ TCP: ports.map((p) => [p, p]), UDP: [], SCTP: [] });

function workload(namespace: string, name: string): WorkloadJson {
  return {
    id: `${namespace}/Deployment/${name}`,
    namespace,
    kind: 'Deployment',
    name,
    displayName: `${namespace}/${name}`,
    pods: [],
    replicas: 1,
    labels: { app: name },
    isolated: { ingress: 'isolated', egress: 'isolated' },
    open: { ingress: false, egress: false },
    policies: [],
    clusterPolicies: [],
    ciliumPolicies: [],
  };
}

const ns = (name: string, workloads: number): GraphInput['namespaces'][number] => ({
  name,
  labels: {},
  implicit: false,
  workloads,
  policies: 1,
});

const a = workload('shop', 'a');
const b = workload('shop', 'b');
const c = workload('data', 'c');
const input: GraphInput = {
  namespaces: [ns('data', 1), ns('shop', 2)],
  workloads: [a, b, c],
  external: [],
  edges: [
    { src: a.id, dst: b.id, ports: tcp(80), summary: 'TCP 80', open: false },
    { src: b.id, dst: a.id, ports: tcp(53), summary: 'TCP 53', open: false },
    { src: b.id, dst: c.id, ports: tcp(5432), summary: 'TCP 5432', open: false },
    { src: c.id, dst: b.id, ports: tcp(5432), summary: 'TCP 5432', open: false },
    { src: a.id, dst: c.id, ports: tcp(1), summary: 'TCP 1', open: true },
  ],
  complete: true,
  groupEdges: [],
};
const options = { ...DEFAULT_OPTIONS, collapsed: new Set<string>() };

describe('one line per pair of nodes', () => {
  test('the two directions of a pair become one line with both ports; a one-way edge stays', () => {
    const g = buildGraph(input, options);
    const lines = mergeParallel(g.edges, () => '');
    assert.deepEqual(
      lines.map((l) => [l.id, l.label, l.edges.length]),
      [
        [`${a.id}>${b.id}`, '→ TCP 80 · ← TCP 53', 2],
        [`${b.id}>${c.id}`, '⇄ TCP 5432', 2],
      ],
    );
    assert.equal(g.hiddenOpen, 1);
  });

  test('edges drawn differently (another status) stay apart', () => {
    const g = buildGraph(input, options);
    const lines = mergeParallel(g.edges, (e: GraphEdge) => (e.source === a.id ? 'observed' : 'denied'));
    assert.deepEqual(
      lines.map((l) => l.edges.length),
      [1, 1, 2],
    );
    assert.deepEqual(
      lines.map((l) => l.label),
      ['TCP 80', 'TCP 53', '⇄ TCP 5432'],
    );
  });

  test('an aggregate line says how many connections it stands for and how open they are', () => {
    const g = buildGraph(input, { ...options, hideOpen: false, collapsed: new Set(['ns:shop', 'ns:data']) });
    const lines = mergeParallel(g.edges, () => '');
    const between = lines.find((l) => l.edges.some((e) => e.source === 'ns:shop' && e.target === 'ns:data'));
    assert.ok(between);
    assert.equal(between.count, 3);
    assert.equal(between.openShare, 1 / 3);
  });
});

describe('connections Cilium filters at L7', () => {
  const l7 = { ports: tcp(5432), summary: 'TCP 5432', policies: ['CiliumNetworkPolicy/data/c'] };
  const filtered: GraphInput = {
    ...input,
    edges: input.edges.map((e) => (e.src === b.id && e.dst === c.id ? { ...e, l7 } : e)),
  };

  test('a line says "filtered at L7", an aggregate how many of its connections are', () => {
    const one = buildGraph(filtered, options);
    assert.equal(one.edges.find((e) => e.id === `${b.id}>${c.id}`)?.label, 'TCP 5432 · filtered at L7');
    assert.equal(one.edges.find((e) => e.id === `${c.id}>${b.id}`)?.label, 'TCP 5432');
    const g = buildGraph(filtered, {
      ...options,
      hideOpen: false,
      collapsed: new Set(['ns:shop', 'ns:data']),
    });
    assert.equal(
      g.edges.find((e) => e.source === 'ns:shop' && e.target === 'ns:data')?.label,
      'TCP 1,5432 (2) · 1 filtered at L7',
    );
  });

  test('the matrix counts them per cell and says so on hover', () => {
    const m = namespaceMatrix(filtered, { namespaces: null, external: false, hideOpen: false });
    const cell = m.cells.get('ns:shop>ns:data');
    assert.ok(cell);
    assert.equal(cell.l7, 1);
    assert.equal(cellNotes(cell), ' (1 unrestricted; 1 allowed at L4, filtered at L7)');
    const w = workloadMatrix(filtered, { namespaces: null, external: false, hideOpen: false });
    assert.ok(typeof w !== 'string');
    assert.equal(cellNotes(w.cells.get(`${b.id}>${c.id}`)!), ' (allowed at L4, filtered at L7)');
    assert.equal(w.cells.get(`${c.id}>${b.id}`)?.l7, 0);
  });
});

/** The lines the canvas draws of a graph (both directions of a pair drawn alike: one line). */
const linesOf = (g: { edges: readonly GraphEdge[] }): DrawnEdge[] => drawnLines(g.edges, () => '');

describe('the status line counts what is drawn: "connections" always counts connections', () => {
  test('each line one connection: workloads, namespaces, connections, and the unrestricted connections hidden', () => {
    const oneWay: GraphInput = { ...input, edges: input.edges.filter((e) => e.src !== b.id) };
    const g = buildGraph(oneWay, options);
    assert.equal(
      drawnSummary(g, linesOf(g)),
      '3 workloads in 2 namespaces, 2 connections drawn, 1 unrestricted hidden',
    );
  });

  test('a line with an arrow at each end stands for two connections: lines and connections, each named', () => {
    const g = buildGraph(input, options);
    assert.equal(linesOf(g).length, 2);
    assert.equal(
      drawnSummary(g, linesOf(g)),
      '3 workloads in 2 namespaces, 2 lines drawn (4 connections), 1 unrestricted hidden',
    );
  });

  // Two address ranges outside the cluster and two Nodes' addresses, each reached by a and by c.
  const world: GraphInput = {
    ...input,
    external: [
      { id: 'external:0', description: '10.0.0.0/8' },
      { id: 'external:1', description: '203.0.113.0/24' },
      { id: 'external:2', description: '192.168.0.1/32', nodes: ['n1'] },
      { id: 'external:3', description: '192.168.0.2/32', nodes: ['n2'] },
    ],
    edges: [
      ...['external:0', 'external:1', 'external:2', 'external:3'].flatMap((x) => [
        { src: a.id, dst: x, ports: tcp(443), summary: 'TCP 443', open: false },
        { src: c.id, dst: x, ports: tcp(443), summary: 'TCP 443', open: false },
      ]),
    ],
  };

  test('a line into the collapsed outside world stands for one connection per address range it reaches', () => {
    const g = buildGraph(world, { ...options, collapsed: new Set([OUTSIDE]) });
    assert.equal(g.edges.find((e) => e.id === `${a.id}>${OUTSIDE}`)?.count, 2);
    // a and c to the outside (2 lines, 4 connections), and to node n1's and n2's addresses (4 lines).
    assert.equal(drawnSummary(g, linesOf(g)), '3 workloads in 2 namespaces, 6 lines drawn (8 connections)');
  });

  test("a line into the collapsed Nodes' addresses stands for one connection per address", () => {
    const g = buildGraph(world, { ...options, collapsed: new Set([OUTSIDE, NODES]) });
    assert.equal(g.edges.find((e) => e.id === `${c.id}>${NODES}`)?.count, 2);
    assert.equal(drawnSummary(g, linesOf(g)), '3 workloads in 2 namespaces, 4 lines drawn (8 connections)');
    // Expanded, each address is a node: a line is a connection again.
    const open = buildGraph(world, options);
    assert.equal(drawnSummary(open, linesOf(open)), '3 workloads in 2 namespaces, 8 connections drawn');
  });

  test("the overview says which connections are between namespaces, which to the outside or the Nodes' addresses", () => {
    const all: GraphInput = { ...world, edges: [...input.edges, ...world.edges] };
    const g = buildGraph(all, {
      ...options,
      collapsed: new Set(['ns:shop', 'ns:data', OUTSIDE, NODES]),
    });
    // shop ⇄ data (b ⇄ c) is the one link between namespaces; shop and data to the outside world and to the
    // Nodes' addresses are 4 more lines, 2 connections each (a and c reach two address ranges of each group).
    assert.equal(
      drawnSummary(g, linesOf(g)),
      "2 namespaces (3 workloads), 5 links drawn (2 connections between namespaces, 4 to or from outside the cluster, 4 to or from Nodes' addresses), 2 within a collapsed namespace not drawn, 1 unrestricted hidden",
    );
    // Without lines between namespaces, none are claimed.
    const out = buildGraph(world, { ...options, collapsed: new Set(['ns:shop', 'ns:data', OUTSIDE]) });
    assert.equal(
      drawnSummary(out, linesOf(out)),
      "2 namespaces (3 workloads), 6 links drawn (0 connections between namespaces, 4 to or from outside the cluster, 4 to or from Nodes' addresses)",
    );
    // Grouped by a label, the same for groups, in the unit of the Traffic view.
    const byApp = parseGrouping('label:app');
    const grouped = buildGraph(all, {
      ...options,
      grouping: byApp,
      collapsed: new Set(['label:a', 'label:b', 'label:c', OUTSIDE, NODES]),
      unit: 'endpoint pair',
    });
    assert.equal(
      drawnSummary(grouped, linesOf(grouped), byApp, 'endpoint pair'),
      "3 groups by app (3 workloads), 6 links drawn (4 endpoint pairs between groups, 4 to or from outside the cluster, 4 to or from Nodes' addresses), 1 unrestricted hidden",
    );
  });

  test('the overview counts namespaces and the workloads inside them', () => {
    const g = buildGraph(input, { ...options, collapsed: new Set(['ns:shop', 'ns:data']) });
    assert.equal(
      drawnSummary(g, linesOf(g)),
      '2 namespaces (3 workloads), 1 namespace link drawn (2 connections between namespaces), 2 within a collapsed namespace not drawn, 1 unrestricted hidden',
    );
    const one = buildGraph(input, { ...options, collapsed: new Set(['ns:data']) });
    assert.equal(
      drawnSummary(one, linesOf(one)),
      '2 workloads in 1 namespace, 1 collapsed namespace (1 workload), 2 lines drawn (4 connections), 1 unrestricted hidden',
    );
  });

  test("a workload's connections to itself are not drawn: counted, so that the numbers add up to analyze's", () => {
    const self: GraphInput = {
      ...input,
      edges: [...input.edges, { src: c.id, dst: c.id, ports: tcp(7000), summary: 'TCP 7000', open: false }],
    };
    const g = buildGraph(self, { ...options, hideOpen: false });
    // 6 connections: 4 on 2 lines, a → c on a third, c → c not drawn.
    assert.equal(
      drawnSummary(g, linesOf(g)),
      '3 workloads in 2 namespaces, 3 lines drawn (5 connections), 1 within a workload not drawn',
    );
    const both = buildGraph(self, { ...options, hideOpen: false, collapsed: new Set(['ns:shop']) });
    assert.equal(
      drawnSummary(both, linesOf(both)),
      '1 workload in 1 namespace, 1 collapsed namespace (2 workloads), 1 line drawn (3 connections), 3 within a workload or a collapsed namespace not drawn',
    );
  });

  test('the Traffic view counts pairs of endpoints (some observed but denied, not connections)', () => {
    const g = buildGraph(input, options);
    assert.equal(
      drawnSummary(g, linesOf(g), BY_NAMESPACE, 'endpoint pair'),
      '3 workloads in 2 namespaces, 2 lines drawn (4 endpoint pairs), 1 unrestricted hidden',
    );
    assert.equal(weakSummary(linesOf(g), 'endpoint pair'), '2 weaker not drawn (4 endpoint pairs)');
  });

  test("an aggregated Traffic line without ports is labelled with its endpoint pairs, the Graph's with connections", () => {
    const traffic: GraphInput = {
      ...input,
      edges: [
        { src: a.id, dst: c.id, ports: null, summary: 'TCP 80 denied', open: false, status: 'denied' },
        { src: b.id, dst: c.id, ports: tcp(5432), summary: 'TCP 5432', open: false, status: 'observed' },
      ],
    };
    const shop = { ...options, collapsed: new Set(['ns:shop']) };
    const pairs = buildGraph(traffic, { ...shop, unit: 'endpoint pair' });
    assert.equal(pairs.edges.find((e) => e.id === `ns:shop>${c.id}`)?.label, '2 endpoint pairs');
    assert.equal(
      buildGraph(traffic, shop).edges.find((e) => e.id === `ns:shop>${c.id}`)?.label,
      '2 connections',
    );
    assert.equal(countOf(1, 'endpoint pair'), '1 endpoint pair');
    assert.equal(countOf(1200), '1,200 connections');
  });

  test('a partly observed Traffic line is labelled with the ports seen, of those allowed', () => {
    const all: PortsJson = { TCP: [[1, 65535]], UDP: [[1, 65535]], SCTP: [[1, 65535]] };
    const allowed = (src: string, dst: string, ports: PortsJson, summary: string): EdgeInput => ({
      src,
      dst,
      ports,
      summary,
      open: false,
    });
    const seen = (protocol: string, port: number) => ({ protocol, port, count: 2 });
    // a → c: seen on UDP 53 (twice, from two sources), allowed on everything; b → c: seen on all it allows.
    const partly = trafficEdge(
      {
        src: a.id,
        dst: c.id,
        status: 'partly-observed',
        observed: [seen('UDP', 53), seen('UDP', 53)],
        denied: [],
        unobserved: 'TCP all ports; UDP 1-52,54-65535; SCTP all ports',
      },
      allowed(a.id, c.id, all, 'All connections'),
    );
    const observed = trafficEdge(
      {
        src: b.id,
        dst: c.id,
        status: 'observed',
        observed: [seen('TCP', 5432)],
        denied: [],
        unobserved: null,
      },
      allowed(b.id, c.id, tcp(5432), 'TCP 5432'),
    );
    assert.equal(partly.summary, 'UDP 53 of All connections allowed');
    assert.equal(observed.summary, 'TCP 5432');
    const traffic: GraphInput = { ...input, edges: [partly, observed] };
    const label = (g: ReturnType<typeof buildGraph>, id: string): string | undefined =>
      g.edges.find((e) => e.id === id)?.label;
    const g = buildGraph(traffic, { ...options, unit: 'endpoint pair' });
    assert.equal(label(g, `${a.id}>${c.id}`), 'UDP 53 of all allowed');
    assert.equal(label(g, `${b.id}>${c.id}`), 'TCP 5432');
    // Collapsed into one line: the ports seen on both, of the ports allowed on both.
    const shop = buildGraph(traffic, { ...options, collapsed: new Set(['ns:shop']), unit: 'endpoint pair' });
    assert.equal(label(shop, `ns:shop>${c.id}`), 'TCP 5432 · UDP 53 of all allowed (2)');
    // Beside a line never observed, the ports are no longer all seen: no "allowed" claimed.
    const never: EdgeInput = { ...allowed(b.id, c.id, tcp(80), 'TCP 80'), status: 'unobserved' };
    const mixed = buildGraph(
      { ...input, edges: [partly, never] },
      { ...options, collapsed: new Set(['ns:shop']), unit: 'endpoint pair' },
    );
    assert.equal(label(mixed, `ns:shop>${c.id}`), 'TCP 80 · UDP 53 (2)');
    // The port filter matches what the policies allow on a line seen, not only the ports seen.
    const on8080 = buildGraph(traffic, { ...options, port: { protocol: null, port: 8080 } });
    assert.deepEqual(
      on8080.edges.map((e) => e.id),
      [`${a.id}>${c.id}`],
    );
    // A pair observed but denied: labelled with its summary, filtered by the ports denied.
    const denied = trafficEdge(
      {
        src: b.id,
        dst: a.id,
        status: 'denied',
        observed: [],
        denied: [{ ...seen('TCP', 9102), blockedAt: ['ingress of shop/a'], policies: ['shop/deny'] }],
        unobserved: null,
      },
      undefined,
    );
    const withDenied: GraphInput = { ...input, edges: [partly, observed, denied] };
    const label9102 = buildGraph(withDenied, options);
    assert.equal(label(label9102, `${b.id}>${a.id}`), 'TCP 9102 denied');
    const on5432 = buildGraph(withDenied, { ...options, port: { protocol: null, port: 5432 } });
    assert.deepEqual(
      on5432.edges.map((e) => e.id),
      [`${a.id}>${c.id}`, `${b.id}>${c.id}`],
    );
    const on9102 = buildGraph(withDenied, { ...options, port: { protocol: null, port: 9102 } });
    assert.deepEqual(
      on9102.edges.map((e) => e.id),
      [`${a.id}>${c.id}`, `${b.id}>${a.id}`],
    );
  });

  test("the inspector's rows: one per port, the flows of its connections added up; denied ones per stop", () => {
    const at = (port: number, count: number, blockedAt: string[]) => ({
      protocol: 'TCP',
      port,
      count,
      blockedAt,
      policies: [],
    });
    assert.deepEqual(
      portRows([at(443, 1, []), at(80, 2, []), at(443, 3, [])]).map((r) => [r.port, r.count]),
      [
        [80, 2],
        [443, 4],
      ],
    );
    const stops = portRows([at(443, 1, ['egress']), at(443, 1, ['ingress'])], (d) => d.blockedAt.join());
    assert.equal(stops.length, 2);
  });

  test('the weak lines left out of the page count their connections too', () => {
    const g = buildGraph(world, { ...options, collapsed: new Set([OUTSIDE, NODES]) });
    const lines = linesOf(g);
    assert.equal(weakSummary(lines.slice(0, 2)), '2 weaker not drawn (4 connections)');
    assert.equal(weakSummary(lines.slice(0, 1)), '1 weaker not drawn (2 connections)');
  });
});

describe('destinations by DNS name', () => {
  const dns: GraphInput = {
    ...input,
    domains: [
      { src: a.id, domain: 'api.example.com', ports: tcp(443), summary: 'TCP 443' },
      { src: b.id, domain: 'api.example.com', ports: tcp(443), summary: 'TCP 443' },
      { src: c.id, domain: '*.github.com', ports: tcp(22, 443), summary: 'TCP 22, 443' },
    ],
  };

  test('are nodes of their own in a box of the names, outside the groups, one per name, with a line from each source', () => {
    const g = buildGraph(dns, options);
    assert.deepEqual(
      g.nodes.filter((n) => n.kind === 'domain').map((n) => [n.id, n.label, n.parent]),
      [
        ['dns:*.github.com', '*.github.com (by DNS name)', 'dns-names'],
        ['dns:api.example.com', 'api.example.com (by DNS name)', 'dns-names'],
      ],
    );
    assert.deepEqual(
      g.nodes.filter((n) => n.id === 'dns-names').map((n) => [n.kind, n.label, n.parent, n.count]),
      [['outside', 'by DNS name', null, 2]],
    );
    assert.deepEqual(
      g.edges.filter((e) => e.target.startsWith('dns:')).map((e) => [e.id, e.label, e.open]),
      [
        [`${a.id}>dns:api.example.com`, 'TCP 443', false],
        [`${b.id}>dns:api.example.com`, 'TCP 443', false],
        [`${c.id}>dns:*.github.com`, 'TCP 22,443', false],
      ],
    );
    // Counted apart from connections, as analyze does.
    assert.equal(
      drawnSummary(g, linesOf(g)),
      '3 workloads in 2 namespaces, 2 lines drawn (4 connections), plus 3 by DNS name, 1 unrestricted hidden',
    );
  });

  test('stay apart from the collapsed outside world, follow a collapsed namespace, the port filter and the switch', () => {
    const collapsed = buildGraph(dns, { ...options, collapsed: new Set(['outside', 'ns:shop']) });
    assert.deepEqual(
      collapsed.edges.filter((e) => e.target.startsWith('dns:')).map((e) => [e.id, e.count]),
      [
        ['ns:shop>dns:api.example.com', 2],
        [`${c.id}>dns:*.github.com`, 1],
      ],
    );
    const ssh = buildGraph(dns, { ...options, port: { protocol: 'TCP', port: 22 } });
    assert.deepEqual(
      ssh.nodes.filter((n) => n.kind === 'domain').map((n) => n.id),
      ['dns:*.github.com'],
    );
    const off = buildGraph(dns, { ...options, external: false });
    assert.equal(off.nodes.filter((n) => n.kind === 'domain').length, 0);
    assert.equal(off.edges.filter((e) => e.target.startsWith('dns:')).length, 0);
  });

  test('collapsed, one node stands for every name: lines count workload–name pairs, never connections', () => {
    const one = buildGraph(dns, { ...options, collapsed: new Set(['outside', 'dns-names']) });
    assert.equal(one.nodes.filter((n) => n.kind === 'domain').length, 0);
    assert.deepEqual(
      one.nodes.filter((n) => n.id === 'dns-names').map((n) => [n.kind, n.label, n.count]),
      [['collapsed-outside', 'by DNS name', 2]],
    );
    assert.deepEqual(
      one.edges.filter((e) => e.target === 'dns-names').map((e) => [e.id, e.count]),
      [
        [`${a.id}>dns-names`, 1],
        [`${b.id}>dns-names`, 1],
        [`${c.id}>dns-names`, 1],
      ],
    );
    assert.equal(
      drawnSummary(one, linesOf(one)),
      '3 workloads in 2 namespaces, 2 lines drawn (4 connections), plus 3 by DNS name, 1 unrestricted hidden',
    );
    // With the namespace collapsed too: a line from shop stands for its two workloads' pairs.
    const both = buildGraph(dns, { ...options, collapsed: new Set(['outside', 'dns-names', 'ns:shop']) });
    assert.deepEqual(
      both.edges.filter((e) => e.target === 'dns-names').map((e) => [e.id, e.count]),
      [
        ['ns:shop>dns-names', 2],
        [`${c.id}>dns-names`, 1],
      ],
    );
    assert.match(drawnSummary(both, linesOf(both)), /plus 2 links to DNS names \(3 workload–name pairs\)/);
  });

  test('a focus keeps the names and pairs it draws: the box counts them and its inspector lists them', () => {
    // On a workload: its own names only.
    const onA = buildGraph(dns, { ...options, focus: a.id });
    assert.deepEqual(
      onA.nodes.filter((n) => n.kind === 'domain').map((n) => n.id),
      ['dns:api.example.com'],
    );
    assert.deepEqual(
      onA.domainPairs.map((d) => [d.src, d.domain]),
      [[a.id, 'api.example.com']],
    );
    const box = onA.nodes.find((n) => n.id === 'dns-names');
    assert.equal(box?.count, 1);
    assert.match(box?.title ?? '', /^1 DNS name outside the cluster/);
    // On a name: every source of that name, and no other name.
    const onName = buildGraph(dns, { ...options, focus: 'dns:api.example.com' });
    assert.deepEqual(
      onName.domainPairs.map((d) => d.src),
      [a.id, b.id],
    );
    assert.equal(onName.nodes.find((n) => n.id === 'dns-names')?.count, 1);
    // On the collapsed box: every pair stays.
    const onBox = buildGraph(dns, { ...options, collapsed: new Set(['dns-names']), focus: 'dns-names' });
    assert.equal(onBox.domainPairs.length, 3);
    assert.equal(onBox.nodes.find((n) => n.id === 'dns-names')?.count, 2);
    // With the outside world collapsed (the app's default), a name is still its own node to focus on.
    const outside = new Set(['outside']);
    const onNameOutside = buildGraph(dns, { ...options, collapsed: outside, focus: 'dns:api.example.com' });
    assert.deepEqual(
      onNameOutside.domainPairs.map((d) => d.src),
      [a.id, b.id],
    );
    assert.deepEqual(
      onNameOutside.edges.map((e) => e.id),
      [`${a.id}>dns:api.example.com`, `${b.id}>dns:api.example.com`],
    );
    // The expanded box stands for every name in it.
    const onOpenBox = buildGraph(dns, { ...options, collapsed: outside, focus: 'dns-names' });
    assert.equal(onOpenBox.domainPairs.length, 3);
    assert.equal(onOpenBox.edges.length, 3);
    assert.equal(onOpenBox.nodes.find((n) => n.id === 'dns-names')?.count, 2);
    // Without a focus: every pair.
    const unfocused = buildGraph(dns, options);
    assert.equal(unfocused.domainPairs.length, 3);
  });

  test('collapsed by default on a large cluster only, and expanded alone', () => {
    assert.ok(!defaultCollapsed([], LARGE_WORKLOADS).has('dns-names'));
    assert.ok(defaultCollapsed([], LARGE_WORKLOADS + 1).has('dns-names'));
    // Expanding the names on the overview leaves the namespaces as they are.
    const next = toggleGroup(
      new Set(['dns-names', 'ns:a']),
      'dns-names',
      ['ns:a', 'ns:b'],
      LARGE_WORKLOADS + 1,
    );
    assert.deepEqual([...next].sort(), ['ns:a']);
  });

  test('the header counts them as analyze does', () => {
    assert.equal(
      connectionCounts({ connections: 33, domains: 6 }),
      '33 allowed connections, plus 6 by DNS name',
    );
    assert.equal(connectionCounts({ connections: 1, domains: 0 }), '1 allowed connection');
    assert.equal(connectionCounts({ connections: 2210, domains: 0 }), '2,210 allowed connections');
  });

  test('the counts after them are written and pluralised as the status line writes them', () => {
    assert.equal(
      headerCounts({ workloads: 1000, namespaces: 100, policies: 2500 }, 0, 0),
      ' · 1,000 workloads · 100 namespaces · 2,500 policies',
    );
    assert.equal(
      headerCounts({ workloads: 1, namespaces: 1, policies: 1 }, 1, 1),
      ' · 1 workload · 1 namespace · 1 policy · 1 Cilium policy · 1 cluster policy',
    );
    assert.equal(
      headerCounts({ workloads: 0, namespaces: 2, policies: 0 }, 3, 1200),
      ' · 0 workloads · 2 namespaces · 0 policies · 3 Cilium policies · 1,200 cluster policies',
    );
  });
});

describe('collapse and expand', () => {
  const namespaces = [ns('a', 1), ns('b', 1), ns('c', 1)];
  test('small clusters toggle one group and keep the others', () => {
    assert.deepEqual([...toggleGroup(new Set(['ns:a', 'ns:b']), 'ns:a', namespaces, 10)].sort(), ['ns:b']);
    assert.deepEqual([...toggleGroup(new Set(['ns:b']), 'ns:a', namespaces, 10)].sort(), ['ns:a', 'ns:b']);
  });

  test('the overview expands one namespace at a time', () => {
    const all = new Set(['ns:a', 'ns:b', 'ns:c', 'outside']);
    const first = toggleGroup(all, 'ns:a', namespaces, LARGE_WORKLOADS + 1);
    assert.deepEqual([...first].sort(), ['ns:b', 'ns:c', 'outside']);
    const second = toggleGroup(first, 'ns:b', namespaces, LARGE_WORKLOADS + 1);
    assert.deepEqual([...second].sort(), ['ns:a', 'ns:c', 'outside']);
  });
});

describe('grouped by a label', () => {
  const part = 'app.kubernetes.io/part-of';
  const by = { by: 'label', key: part } as const;
  const labelled = (w: WorkloadJson, value?: string): WorkloadJson => ({
    ...w,
    labels: value === undefined ? w.labels : { ...w.labels, [part]: value },
  });
  // shop/a and data/c are part of "store" across namespaces; shop/b has no part-of label.
  const grouped: GraphInput = {
    ...input,
    workloads: [labelled(a, 'store'), labelled(b), labelled(c, 'store')],
  };

  test('groups are the label values sorted, the workloads without it last in "(no <key>)"', () => {
    const more = [...grouped.workloads, labelled(workload('x', 'y'), 'billing')];
    assert.deepEqual(groupsOf(input.namespaces, more, by), [
      { id: 'label:billing', name: 'billing', workloads: 1 },
      { id: 'label:store', name: 'store', workloads: 2 },
      { id: 'nolabel', name: `(no ${part})`, workloads: 1 },
    ]);
    assert.deepEqual(
      groupsOf(input.namespaces, input.workloads, { by: 'namespace' }).map((g) => [g.id, g.workloads]),
      [
        ['ns:data', 1],
        ['ns:shop', 2],
      ],
    );
  });

  test('collapsed groups aggregate the edges of their members, across namespaces', () => {
    const g = buildGraph(grouped, {
      ...options,
      hideOpen: false,
      grouping: by,
      collapsed: new Set(['label:store', 'nolabel']),
    });
    assert.deepEqual(
      g.nodes.map((n) => [n.id, n.kind, n.label, n.count]),
      [
        ['label:store', 'collapsed-namespace', 'store (2)', 2],
        ['nolabel', 'collapsed-namespace', `(no ${part}) (1)`, 1],
      ],
    );
    const edges = new Map(g.edges.map((e) => [e.id, e]));
    // a→b and c→b leave the group; b→a and b→c come back; a→c (open) stays inside.
    assert.equal(edges.get('label:store>nolabel')?.count, 2);
    assert.equal(edges.get('nolabel>label:store')?.count, 2);
    assert.equal(edges.get('label:store>label:store')?.openCount, 1);
    assert.equal(
      drawnSummary(g, linesOf(g), by),
      `2 groups by ${part} (3 workloads), 1 group link drawn (4 connections between groups), 1 within a collapsed group not drawn`,
    );
  });

  test('an expanded group holds its members, named with their namespace', () => {
    const g = buildGraph(grouped, { ...options, grouping: by, collapsed: new Set(['nolabel']) });
    assert.deepEqual(
      g.nodes.filter((n) => n.parent === 'label:store').map((n) => n.label),
      ['shop/a', 'data/c'],
    );
    assert.equal(
      drawnSummary(g, linesOf(g), by),
      `2 workloads in 1 group by ${part}, 1 collapsed group (1 workload), 2 lines drawn (4 connections), 1 unrestricted hidden`,
    );
  });

  test('the overview expands one group at a time', () => {
    const ids = ['label:billing', 'label:store', 'nolabel'];
    const first = toggleGroup(new Set([...ids, 'outside']), 'nolabel', ids, LARGE_WORKLOADS + 1);
    assert.deepEqual([...first].sort(), ['label:billing', 'label:store', 'outside']);
    const second = toggleGroup(first, 'label:store', ids, LARGE_WORKLOADS + 1);
    assert.deepEqual([...second].sort(), ['label:billing', 'nolabel', 'outside']);
  });

  test('the keys workloads have, most common first; the grouping round-trips through the URL', () => {
    assert.deepEqual(labelKeys(grouped.workloads), [
      { key: 'app', workloads: 3 },
      { key: part, workloads: 2 },
    ]);
    assert.deepEqual(parseGrouping(`label:${part}`), by);
    assert.deepEqual(parseGrouping(undefined), { by: 'namespace' });
    assert.deepEqual(parseGrouping('label:'), { by: 'namespace' });
  });
});

describe('layout', () => {
  test('the cache keeps positions and knows the centre of a group of them', () => {
    const cache = new PositionCache();
    cache.set('x', { x: 0, y: 0 });
    cache.set('y', { x: 10, y: 20 });
    assert.deepEqual(cache.centre(['x', 'y', 'z']), { x: 5, y: 10 });
    assert.equal(cache.knows(['x', 'y']), true);
    assert.equal(cache.knows(['x', 'z']), false);
    const p = cache.get('x')!;
    p.x = 99;
    assert.deepEqual(cache.get('x'), { x: 0, y: 0 });
  });

  test('members expanded in place sit on a grid centred on their group', () => {
    const grid = gridAround(
      { x: 100, y: 50 },
      ['a', 'b', 'c', 'd'].map((id) => ({ id, w: 60 })),
    );
    const xs = [...grid.values()].map((p) => p.x);
    const ys = [...grid.values()].map((p) => p.y);
    assert.equal((Math.min(...xs) + Math.max(...xs)) / 2, 100);
    assert.equal((Math.min(...ys) + Math.max(...ys)) / 2, 50);
    assert.equal(new Set([...grid.values()].map((p) => `${p.x},${p.y}`)).size, 4);
  });

  test('separating boxes leaves none overlapping, and never moves the fixed one', () => {
    const boxes: Box[] = [
      { id: 'big', x: 0, y: 0, w: 400, h: 300 },
      { id: 'n1', x: 50, y: 20, w: 80, h: 30 },
      { id: 'n2', x: -150, y: 100, w: 80, h: 30 },
      { id: 'n3', x: 600, y: 0, w: 80, h: 30 },
      { id: 'n4', x: 60, y: 30, w: 80, h: 30 },
    ];
    assert.equal(anyOverlap(boxes), true);
    const moved = separate(boxes, new Set(['big']));
    const after = boxes.map((x) => ({ ...x, ...(moved.get(x.id) ?? {}) }));
    assert.equal(anyOverlap(after), false);
    assert.equal(moved.has('big'), false);
    assert.equal(moved.has('n3'), false, 'a box clear of the others stays');
  });

  test('an overview is a grid in the order given, as wide as the view at a readable zoom, or fills it', () => {
    const boxes: Box[] = Array.from({ length: 100 }, (_, i) => ({
      id: `n${String(i).padStart(3, '0')}`,
      x: 0,
      y: 0,
      w: 60 + (i % 5) * 20,
      h: 34,
    }));
    const grid = readingGrid(boxes, { w: 770, h: 800 });
    const after = boxes.map((b) => ({ ...b, ...grid.get(b.id)! }));
    assert.equal(anyOverlap(after), false);
    // Row by row in the order given.
    const order = [...after].sort((a, b) => a.y - b.y || a.x - b.x).map((b) => b.id);
    assert.deepEqual(
      order,
      boxes.map((b) => b.id),
    );
    // The widest box is 140 units, 160 with the gap: 4 columns fit 770 px at 11/12.
    const cols = new Set(after.map((b) => b.x)).size;
    assert.equal(cols, Math.floor(770 / READABLE_ZOOM / 160));
    assert.ok((cols * 160 - 20) * READABLE_ZOOM <= 770);
    // Few boxes: as many columns as make the grid about as wide as the view is, to fill it when fitted.
    const few = readingGrid(boxes.slice(0, 6), { w: 1200, h: 400 });
    assert.equal(new Set([...few.values()].map((p) => p.x)).size, 3);
  });

  test('labels fit when they overlap neither each other nor a node', () => {
    const node: Box = { id: 'n', x: 0, y: 0, w: 50, h: 20 };
    const l1: Box = { id: 'l1', x: 100, y: 0, w: 40, h: 12 };
    const l2: Box = { id: 'l2', x: 100, y: 40, w: 40, h: 12 };
    assert.equal(labelsFit([l1, l2], [node]), true);
    assert.equal(labelsFit([l1, { ...l2, y: 5 }], [node]), false);
    assert.equal(labelsFit([{ ...l1, x: 20 }], [node]), false);
  });
});

describe('palette', () => {
  const visions: Vision[] = ['normal', 'protanopia', 'deuteranopia', 'tritanopia'];
  test('legend entries are distinct in both themes, for every kind of colour vision', () => {
    for (const theme of ['light', 'dark'] as const) {
      for (const group of LEGEND_GROUPS) {
        for (const [i, x] of group.entries()) {
          for (const y of group.slice(i + 1)) {
            for (const v of visions) {
              const d = difference(PALETTES[theme][x], PALETTES[theme][y], v);
              assert.ok(d >= 20, `${theme} ${x} vs ${y} with ${v}: ΔE ${d.toFixed(1)}`);
            }
          }
        }
      }
    }
  });

  test('the old open and partly oranges would fail the check', () => {
    assert.ok(difference('#fbd9a4', '#fdebc8', 'deuteranopia') < 20);
  });

  test('app.css holds the palette in the light, dark and system-dark blocks', () => {
    const css = readFileSync('ui/app.css', 'utf8');
    const blocks = [...css.matchAll(/--node-isolated:[^}]*\}/g)].map((m) => m[0]);
    assert.equal(blocks.length, 3);
    const expect = (block: string, palette: Palette): void => {
      for (const [key, name] of Object.entries(CSS_VARS) as [keyof Palette, string][]) {
        const m = new RegExp(`${name}: (#[0-9a-f]{6});`).exec(
          css.slice(css.indexOf(block) - 400, css.indexOf(block) + block.length),
        );
        assert.equal(m?.[1], palette[key], name);
      }
    };
    expect(blocks[0]!, PALETTES.light);
    expect(blocks[1]!, PALETTES.dark);
    expect(blocks[2]!, PALETTES.dark);
  });
});

describe('the virtualized matrix', () => {
  test('only the rows in view, and a few more, are drawn', () => {
    assert.deepEqual(visibleRange(0, 600, 24, 1000), [0, 28]);
    assert.deepEqual(visibleRange(24 * 500, 600, 24, 1000), [497, 528]);
    assert.deepEqual(visibleRange(24 * 990, 600, 24, 1000), [987, 1000]);
    assert.deepEqual(visibleRange(0, 600, 24, 5), [0, 5]);
  });

  test('long headers keep their end, where names differ', () => {
    assert.equal(abbreviate('tenant-0001/api', 22), 'tenant-0001/api');
    assert.equal(abbreviate('tenant-0001/Deployment/payments-api', 12), '…ayments-api');
    assert.equal(abbreviate('tenant-0001/Deployment/payments-api', 12).length, 12);
  });
});
