/**
 * `netfence test --init`: a spec that describes today's connectivity exactly, so that a team can freeze what
 * it has and catch regressions.
 *
 * - For each destination, one `allow` test per distinct port set, listing the sources allowed on exactly
 *   those ports.
 * - For each workload isolated for ingress, one `deny` test: nothing but the sources above reaches it (from
 *   any workload or address, `except` the allowed ones).
 * - For each workload isolated for egress, the same from its side: it reaches nothing but its destinations.
 *
 * Addresses outside the cluster are written as their address classes (`0.0.0.0/0 except 10.0.0.0/8`), which
 * resolve back to exactly that class.
 */
import { Document, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isExternalId, type Connectivity } from '../engine/connectivity.ts';
import { intervalPairs, intervalsEqual } from '../base/intervals.ts';
import { formatPorts } from '../describe/ports.ts';
import { ALL_PORTS, isAllConnections, portsKey, type PortSet } from '../engine/ports.ts';
import type { RefIndex } from '../engine/refs.ts';
import { PROTOCOLS } from '../model/k8s.ts';

/** Port items for a spec: `8080/TCP`, `1000-2000/TCP`, `TCP` (every TCP port). */
export function portItems(ports: PortSet): string[] {
  const out: string[] = [];
  for (const p of PROTOCOLS) {
    const iv = ports[p];
    if (iv.length === 0) continue;
    if (intervalsEqual(iv, ALL_PORTS)) out.push(p);
    else for (const [f, t] of intervalPairs(iv)) out.push(`${f === t ? f : `${f}-${t}`}/${p}`);
  }
  return out;
}

/** The "outside world" references: every address of both families. */
const EVERYWHERE = ['*', '0.0.0.0/0', '::/0'];

interface Group {
  dst: string;
  ports: PortSet;
  sources: string[];
}

function quoted(value: string): Scalar {
  const s = new Scalar(value);
  if (value === '*' || /[:,]/.test(value)) s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

function refsNode(refs: readonly string[]): Scalar | YAMLSeq {
  if (refs.length === 1) return quoted(refs[0]!);
  const seq = new YAMLSeq();
  for (const r of refs) seq.items.push(quoted(r));
  return seq;
}

function portsNode(items: readonly string[]): Scalar | YAMLSeq {
  if (items.length === 1) return new Scalar(items[0]!);
  const seq = new YAMLSeq();
  seq.flow = true;
  for (const i of items) seq.items.push(new Scalar(i));
  return seq;
}

/** `a, b and 3 more`, with addresses counted rather than named (their names are long). */
function summarize(ids: readonly string[], name: (id: string) => string): string {
  const workloads = ids.filter((id) => !isExternalId(id)).map(name);
  const addresses = ids.length - workloads.length;
  const parts =
    workloads.length <= 3 ? [...workloads] : [...workloads.slice(0, 2), `${workloads.length - 2} more`];
  if (addresses > 0)
    parts.push(
      addresses === 1 && workloads.length === 0
        ? name(ids[0]!)
        : `${addresses} address range${addresses === 1 ? '' : 's'}`,
    );
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
}

/** The spec text for the connectivity of `index` (workload granularity). `source` names the input in the header. */
export function initSpec(index: RefIndex, conn: Connectivity, source: string): string {
  const name = (id: string): string => index.displayName(id);
  const order = new Map(index.entities.map((e, i) => [e.id, i]));
  const groups = new Map<string, Group>();
  const sourcesOf = new Map<string, string[]>();
  const destinationsOf = new Map<string, string[]>();
  for (const c of conn.connections) {
    if (c.src === c.dst) continue;
    const key = `${c.dst}\u0000${portsKey(c.ports)}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { dst: c.dst, ports: c.ports, sources: [] }));
    g.sources.push(c.src);
    (sourcesOf.get(c.dst) ?? sourcesOf.set(c.dst, []).get(c.dst)!).push(c.src);
    (destinationsOf.get(c.src) ?? destinationsOf.set(c.src, []).get(c.src)!).push(c.dst);
  }
  const tests = new YAMLSeq();
  const add = (fields: [string, Scalar | YAMLSeq][], comment?: string): void => {
    const map = new YAMLMap();
    for (const [k, v] of fields) map.add({ key: new Scalar(k), value: v });
    if (comment !== undefined) map.commentBefore = comment;
    tests.items.push(map);
  };
  const sorted = [...groups.values()].sort(
    (a, b) => order.get(a.dst)! - order.get(b.dst)! || order.get(a.sources[0]!)! - order.get(b.sources[0]!)!,
  );
  let lastDst: string | undefined;
  for (const g of sorted) {
    const srcNames = g.sources.map(name);
    const fields: [string, Scalar | YAMLSeq][] = [
      [
        'name',
        new Scalar(
          `${summarize(g.sources, name)} ${g.sources.length === 1 ? 'reaches' : 'reach'} ${name(g.dst)} on ${isAllConnections(g.ports) ? 'every port' : formatPorts(g.ports)}`,
        ),
      ],
      ['from', refsNode(srcNames)],
      ['to', refsNode([name(g.dst)])],
      ['port', portsNode(portItems(g.ports))],
      ['expect', new Scalar('allow')],
    ];
    add(fields, g.dst !== lastDst ? ` ${name(g.dst)}` : undefined);
    lastDst = g.dst;
  }
  const policed = (id: string, direction: 'ingress' | 'egress'): boolean => {
    const ends = index.ends(id);
    return (
      ends.length > 0 &&
      ends.every(
        (e) =>
          'pod' in e &&
          (direction === 'ingress' ? index.compiled.ingress : index.compiled.egress)[e.pod]!.isolated,
      )
    );
  };
  /** A deny test per workload isolated in `direction`, its allowed peers excepted (`peersOf`). */
  const isolatedTests = (
    direction: 'ingress' | 'egress',
    peersOf: ReadonlyMap<string, readonly string[]>,
    heading: string,
    title: (self: string, peers: readonly string[]) => string,
  ): void => {
    let first = true;
    for (const e of index.entities) {
      if (e.kind === 'external' || !policed(e.id, direction)) continue;
      const ids = peersOf.get(e.id) ?? [];
      const allowed = ids.map(name);
      const self = [name(e.id)];
      const fields: [string, Scalar | YAMLSeq][] = [
        ['name', new Scalar(title(name(e.id), ids))],
        ['from', refsNode(direction === 'ingress' ? EVERYWHERE : self)],
        ['to', refsNode(direction === 'ingress' ? self : EVERYWHERE)],
        ['expect', new Scalar('deny')],
      ];
      if (allowed.length > 0) fields.push(['except', refsNode(allowed)]);
      add(fields, first ? heading : undefined);
      first = false;
    }
  };
  isolatedTests('ingress', sourcesOf, ' Isolated for ingress: nothing else reaches them', (self, ids) =>
    ids.length === 0
      ? `nothing reaches ${self}`
      : `only ${summarize(ids, name)} ${ids.length === 1 ? 'reaches' : 'reach'} ${self}`,
  );
  isolatedTests('egress', destinationsOf, ' Isolated for egress: they reach nothing else', (self, ids) =>
    ids.length === 0 ? `${self} reaches nothing` : `${self} reaches only ${summarize(ids, name)}`,
  );
  const doc = new Document();
  const root = new YAMLMap();
  root.add({ key: new Scalar('tests'), value: tests });
  doc.contents = root;
  doc.commentBefore = [
    ` Reachability spec written by netfence test --init from ${source}: today's connectivity, frozen.`,
    ' Run it with: netfence test --spec <this file> <manifests>. Edit freely: remove what you do not care about,',
    ' turn an allow you did not mean into a deny.',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}
