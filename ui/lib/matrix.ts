/**
 * The connectivity matrix, pure: namespace × namespace (how many workload pairs may connect, out of how many;
 * workload–address pairs in the rows and columns of the Nodes' addresses and the outside world) or workload ×
 * workload (on which ports), with the Nodes' addresses and the outside world as more rows and columns.
 */
import {
  addressGroup,
  externalLabel,
  namespaceGroup,
  nodeAddressLabel,
  NODES,
  OUTSIDE,
  type AddressJson,
  type GraphInput,
} from './graph.ts';
import { shortPorts, unionPorts } from './ports.ts';
import type { PortsJson } from '../../src/contract/common.ts';

export type MatrixLevel = 'namespace' | 'workload';

/**
 * Above this many workloads the workload matrix asks for a namespace filter instead of drawing. Large matrices
 * are drawn virtualized (only the rows and columns in view exist in the page).
 */
export const MAX_MATRIX_WORKLOADS = 2_000;

/** Above this many cells the matrix is drawn virtualized rather than as a table. */
export const VIRTUAL_CELLS = 2_500;

/** The rows (or columns) of a scrolled axis in view, with `overscan` more on each side: `[first, end)`. */
export function visibleRange(
  offset: number,
  viewport: number,
  size: number,
  count: number,
  overscan = 3,
): [number, number] {
  const first = Math.max(0, Math.floor(offset / size) - overscan);
  const end = Math.min(count, Math.ceil((offset + viewport) / size) + overscan);
  return [Math.min(first, end), end];
}

/** A header short enough for a cell's width: the end of a long name (where names differ), with an ellipsis. */
export function abbreviate(label: string, max: number): string {
  if (label.length <= max) return label;
  return `…${label.slice(label.length - max + 1)}`;
}

export interface MatrixAxis {
  id: string;
  label: string;
  /** Members: workloads of a namespace, address classes of the outside world or the Nodes; 1 for a workload. */
  size: number;
  /** The namespace (or `outside`, or `nodes`) it belongs to, for grouping headers. */
  group: string;
}

export interface MatrixCell {
  row: string;
  col: string;
  /** Workload-level connections in the cell. */
  count: number;
  /** Of `count`, those neither end restricts. */
  open: number;
  /** Pairs that could connect: `rows × cols` members. */
  possible: number;
  /** Of `count`, those Cilium's proxy filters (allowed at L4, filtered at L7; known for workload edges only). */
  l7: number;
  ports: PortsJson;
  label: string;
}

/**
 * What a namespace-level cell counts, out of what: workload pairs, or in the rows and columns nodes and outside
 * the cluster, pairs of a workload and a node's address or an address range (`4 of 4 workload–node-address
 * pairs`).
 */
export function cellPairs(c: MatrixCell): string {
  const ends = [c.row, c.col];
  const what = ends.includes(NODES)
    ? 'workload–node-address'
    : ends.includes(OUTSIDE)
      ? 'workload–address-range'
      : 'workload';
  return `${c.count} of ${c.possible} ${what} pairs`;
}

export interface Matrix {
  level: MatrixLevel;
  rows: MatrixAxis[];
  cols: MatrixAxis[];
  /** Keyed `row>col`. */
  cells: Map<string, MatrixCell>;
  /** The largest count of a cell, for the colour scale. */
  max: number;
}

/** The matrix is drawn from what the graph is drawn from. */
export type MatrixInput = GraphInput;

export interface MatrixOptions {
  namespaces: ReadonlySet<string> | null;
  external: boolean;
  /** Show the Nodes' addresses (in the cluster); as `external` when absent. */
  nodes?: boolean;
  hideOpen: boolean;
}

/** The address classes the options show, the Nodes' first, each with its group (`nodes` or `outside`). */
function shownAddresses(
  input: MatrixInput,
  options: MatrixOptions,
): { x: AddressJson; group: typeof NODES | typeof OUTSIDE }[] {
  const showNodes = options.nodes ?? options.external;
  const all = input.external.map((x) => ({ x, group: addressGroup(x) }));
  return [
    ...(showNodes ? all.filter((a) => a.group === NODES) : []),
    ...(options.external ? all.filter((a) => a.group === OUTSIDE) : []),
  ];
}

/** A cell's hover text beyond its count or ports: the unrestricted ones, those Cilium filters at L7. */
export function cellNotes(c: MatrixCell): string {
  const notes = [
    c.open > 0 ? `${c.open} unrestricted` : '',
    c.l7 === 0
      ? ''
      : c.count === 1
        ? 'allowed at L4, filtered at L7'
        : `${c.l7} allowed at L4, filtered at L7`,
  ].filter((x) => x !== '');
  return notes.length === 0 ? '' : ` (${notes.join('; ')})`;
}

export function cellKey(row: string, col: string): string {
  return `${row}>${col}`;
}

function addCell(
  cells: Map<string, MatrixCell>,
  row: string,
  col: string,
  count: number,
  open: number,
  ports: PortsJson,
  possible: number,
  l7 = 0,
): void {
  const key = cellKey(row, col);
  const cur = cells.get(key);
  if (cur === undefined) cells.set(key, { row, col, count, open, possible, ports, l7, label: '' });
  else {
    cur.count += count;
    cur.open += open;
    cur.l7 += l7;
    cur.ports = unionPorts(cur.ports, ports);
  }
}

function finish(level: MatrixLevel, rows: MatrixAxis[], cells: Map<string, MatrixCell>): Matrix {
  let max = 0;
  for (const c of cells.values()) {
    max = Math.max(max, c.count);
    c.label = level === 'namespace' ? String(c.count) : shortPorts(c.ports);
  }
  return { level, rows, cols: rows, cells, max };
}

export function namespaceMatrix(input: MatrixInput, options: MatrixOptions): Matrix {
  const shown = (ns: string): boolean => options.namespaces === null || options.namespaces.has(ns);
  const size = new Map<string, number>();
  for (const w of input.workloads)
    if (shown(w.namespace)) size.set(w.namespace, (size.get(w.namespace) ?? 0) + 1);
  const rows: MatrixAxis[] = input.namespaces
    .filter((n) => (size.get(n.name) ?? 0) > 0)
    .map((n) => ({
      id: namespaceGroup(n.name),
      label: n.name,
      size: size.get(n.name)!,
      group: namespaceGroup(n.name),
    }));
  const addresses = shownAddresses(input, options);
  for (const [id, label] of [
    [NODES, 'nodes'],
    [OUTSIDE, 'outside the cluster'],
  ] as const) {
    const size = addresses.filter((a) => a.group === id).length;
    if (size > 0) rows.push({ id, label, size, group: id });
  }
  const sizeOf = new Map(rows.map((r) => [r.id, r.size]));
  const nsOf = new Map(input.workloads.map((w) => [w.id, namespaceGroup(w.namespace)]));
  const addressOf = new Map(input.external.map((x) => [x.id, x]));
  const group = (id: string): string => nsOf.get(id) ?? addressGroup(addressOf.get(id));
  const cells = new Map<string, MatrixCell>();
  if (input.complete) {
    for (const e of input.edges) {
      if (options.hideOpen && e.open) continue;
      const r = group(e.src);
      const c = group(e.dst);
      if (!sizeOf.has(r) || !sizeOf.has(c) || e.ports === null) continue;
      const possible = sizeOf.get(r)! * sizeOf.get(c)!;
      addCell(cells, r, c, 1, e.open ? 1 : 0, e.ports, possible, e.l7 === undefined ? 0 : 1);
    }
  } else {
    for (const g of input.groupEdges) {
      if (!sizeOf.has(g.src) || !sizeOf.has(g.dst)) continue;
      const count = options.hideOpen ? g.count - g.open : g.count;
      if (count === 0) continue;
      addCell(
        cells,
        g.src,
        g.dst,
        count,
        options.hideOpen ? 0 : g.open,
        g.ports,
        sizeOf.get(g.src)! * sizeOf.get(g.dst)!,
      );
    }
  }
  return finish('namespace', rows, cells);
}

/** The workload matrix, or a message when there are too many workloads to draw one. */
export function workloadMatrix(input: MatrixInput, options: MatrixOptions): Matrix | string {
  const shown = input.workloads.filter(
    (w) => options.namespaces === null || options.namespaces.has(w.namespace),
  );
  if (shown.length > MAX_MATRIX_WORKLOADS) {
    return `${shown.length} workloads are too many for a readable matrix: pick up to ${MAX_MATRIX_WORKLOADS} with the namespace filter, or use the namespace level`;
  }
  const rows: MatrixAxis[] = shown.map((w) => ({
    id: w.id,
    label: w.displayName,
    size: 1,
    group: namespaceGroup(w.namespace),
  }));
  const ids = new Set(rows.map((r) => r.id));
  const cells = new Map<string, MatrixCell>();
  const addresses = shownAddresses(input, options);
  const shownAddress = new Set(addresses.map((a) => a.x.id));
  const external = new Set<string>();
  for (const e of input.edges) {
    if (options.hideOpen && e.open) continue;
    if (e.ports === null) continue;
    const srcOk = ids.has(e.src) || shownAddress.has(e.src);
    const dstOk = ids.has(e.dst) || shownAddress.has(e.dst);
    if (!srcOk || !dstOk || (!ids.has(e.src) && !ids.has(e.dst))) continue;
    for (const x of [e.src, e.dst]) if (!ids.has(x)) external.add(x);
    addCell(cells, e.src, e.dst, 1, e.open ? 1 : 0, e.ports, 1, e.l7 === undefined ? 0 : 1);
  }
  for (const { x, group } of addresses) {
    if (external.has(x.id))
      rows.push({
        id: x.id,
        label: group === NODES ? nodeAddressLabel(x.nodes!) : externalLabel(x.description),
        size: 1,
        group,
      });
  }
  return finish('workload', rows, cells);
}

/**
 * A workload cell's text in `max` characters: its ports as they are (`TCP 53`), without the protocols when
 * that fits (`5432`, `80,443`), else the first port and a `+` (`8080+`); the full text is the cell's tooltip.
 */
export function cellText(label: string, max = 6): string {
  if (label.length <= max) return label;
  const ports = [
    ...new Set(
      label
        .split(/[·,]/)
        .map((p) => p.trim().replace(/^(TCP|UDP|SCTP)\s+/, ''))
        .filter((p) => p !== ''),
    ),
  ];
  const bare = ports.join(',');
  if (bare.length <= max) return bare;
  const first = ports[0] ?? '';
  return first.length < max ? `${first}+` : `${first.slice(0, max - 1)}…`;
}
