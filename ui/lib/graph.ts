/**
 * Graph building, pure: from the model and the view's options (filters, collapsed namespaces, focus) to the
 * nodes and edges the renderer draws. Namespaces are groups; a collapsed namespace (or the outside world, or
 * the Nodes' addresses) is one node, and the connections of its members are aggregated into one edge per pair
 * of visible nodes.
 *
 * Large clusters start with every namespace collapsed: the namespace-level picture stays readable at
 * thousands of workloads, and a namespace expands on demand.
 */
import { labelsMatch, type LabelTerm } from './labels.ts';
import { formatPorts, NO_PORTS, portsMatch, shortPorts, unionPorts, type PortFilter } from './ports.ts';
import type {
  ConnectionJson,
  DomainConnectionJson,
  GroupConnectionJson,
  IsolationJson as Isolation,
  ModelWorkloadJson as WorkloadJson,
  NamespaceJson,
} from '../../src/contract/api.ts';
import type { ExternalRefJson as ExternalJson, PortsJson } from '../../src/contract/common.ts';
import { nodeAddressText } from '../../src/describe/node-address.ts';

/** A workload's ingress: `open` when anyone may connect on every port (not isolated, or an allow-all rule). */
export type Exposure = 'open' | Isolation;

export function exposureOf(w: WorkloadJson): Exposure {
  if (w.isolated.ingress === 'host-network') return 'host-network';
  return w.open.ingress ? 'open' : w.isolated.ingress;
}

/**
 * Above this many workloads the graph starts as an overview of namespaces (one node each, edges aggregated);
 * a namespace expands in place, one at a time. Up to it, every workload is drawn.
 */
export const LARGE_WORKLOADS = 60;

/** The id of the group of addresses outside the cluster. */
export const OUTSIDE = 'outside';
/**
 * The group of the destinations by DNS name: a box around them, or collapsed, one node standing for them all
 * (by default on a large cluster, where dozens of names would push the namespaces down the overview).
 */
export const BY_NAME = 'dns-names';
/**
 * The group of the Nodes' addresses (the model's `external` items with `nodes`): in the cluster, not outside
 * it, as `explain` says (`node-address`). Shown and collapsed apart from the outside world.
 */
export const NODES = 'nodes';

/** An address class of the model: outside the cluster, or (with `nodes`) the addresses of these Nodes. */
export type AddressJson = ExternalJson;

/** The group of an address class: `nodes` when it is Nodes' addresses, else `outside` (also when unknown). */
export function addressGroup(x: AddressJson | undefined): typeof NODES | typeof OUTSIDE {
  return x?.nodes !== undefined && x.nodes.length > 0 ? NODES : OUTSIDE;
}

/** A Node address class's name: `node n1`, `nodes n1, n2` (its address in its title). */
export function nodeAddressLabel(nodes: readonly string[]): string {
  return `${nodes.length === 1 ? 'node' : 'nodes'} ${nodes.join(', ')}`;
}

/** The hover text of a Node address class: `192.168.0.1/32: an address of node n1, in the cluster (not a pod)`. */
export function nodeAddressTitle(x: AddressJson): string {
  const nodes = x.nodes ?? [];
  return `${x.description}: ${nodeAddressText(nodes)}, in the cluster (not a pod)`;
}

/**
 * An address class as `diff` and the what-if's list of changes name it: `192.168.0.2/32 (an address of node n2)`
 * for the Nodes' addresses, its description for an address range outside the cluster.
 */
export function addressName(x: AddressJson): string {
  return addressGroup(x) === NODES ? `${x.description} (${nodeAddressText(x.nodes ?? [])})` : x.description;
}

/**
 * The hover text of "Show outside the cluster": what it hides, and (when there are some) that the Nodes'
 * addresses are not outside, so it leaves them shown.
 */
export function outsideToggleTitle(external: readonly AddressJson[]): string {
  return external.some((x) => addressGroup(x) === NODES)
    ? "The address ranges outside the cluster; the Nodes' addresses are in the cluster and stay shown"
    : 'The address ranges outside the cluster';
}

/** The hover text of the group of the Nodes' addresses. */
function nodesTitle(classes: readonly AddressJson[]): string {
  const nodes = new Set(classes.flatMap((x) => x.nodes ?? [])).size;
  return `${classes.length} address${classes.length === 1 ? '' : 'es'} of ${nodes} node${nodes === 1 ? '' : 's'}: in the cluster, not pods (no pod's NetworkPolicy applies on their side)`;
}

export function namespaceGroup(namespace: string): string {
  return `ns:${namespace}`;
}

/** How workloads are grouped into boxes: by namespace, or by the value of one label. */
export type Grouping = { by: 'namespace' } | { by: 'label'; key: string };

export const BY_NAMESPACE: Grouping = { by: 'namespace' };

/** The id of the group of workloads whose label (of the grouping's key) has this value; `undefined`: without it. */
export function labelGroup(value: string | undefined): string {
  return value === undefined ? 'nolabel' : `label:${value}`;
}

/**
 * Whether an id names a group (a namespace, a label value, the workloads without the label, the outside, the
 * destinations by DNS name).
 */
export function isGroupId(id: string): boolean {
  return (
    id === OUTSIDE ||
    id === NODES ||
    id === BY_NAME ||
    id === 'nolabel' ||
    id.startsWith('ns:') ||
    id.startsWith('label:')
  );
}

/** The group a workload belongs to. */
export function groupOf(w: Pick<WorkloadJson, 'namespace' | 'labels'>, grouping: Grouping): string {
  return grouping.by === 'namespace' ? namespaceGroup(w.namespace) : labelGroup(w.labels[grouping.key]);
}

/** A group of the grouping: its id, its name, how many workloads it holds. */
export interface GroupInfo {
  id: string;
  name: string;
  workloads: number;
}

/**
 * The groups of a grouping, in drawing order: the namespaces as listed, or the label's values sorted, the
 * workloads without the label last as `(no <key>)`. Groups without workloads are left out.
 */
export function groupsOf(
  namespaces: readonly NamespaceJson[],
  workloads: readonly Pick<WorkloadJson, 'namespace' | 'labels'>[],
  grouping: Grouping,
): GroupInfo[] {
  const count = new Map<string, number>();
  for (const w of workloads) {
    const g = groupOf(w, grouping);
    count.set(g, (count.get(g) ?? 0) + 1);
  }
  if (grouping.by === 'namespace')
    return namespaces
      .map((n) => ({
        id: namespaceGroup(n.name),
        name: n.name,
        workloads: count.get(namespaceGroup(n.name)) ?? 0,
      }))
      .filter((g) => g.workloads > 0);
  const out: GroupInfo[] = [...count]
    .filter(([id]) => id !== 'nolabel')
    .map(([id, n]) => ({ id, name: id.slice('label:'.length), workloads: n }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const none = count.get('nolabel');
  if (none !== undefined) out.push({ id: 'nolabel', name: `(no ${grouping.key})`, workloads: none });
  return out;
}

/** The label keys the workloads have, the most common first (ties by name), with how many have each. */
export function labelKeys(
  workloads: readonly Pick<WorkloadJson, 'labels'>[],
): { key: string; workloads: number }[] {
  const count = new Map<string, number>();
  for (const w of workloads) for (const k of Object.keys(w.labels)) count.set(k, (count.get(k) ?? 0) + 1);
  return [...count]
    .map(([key, n]) => ({ key, workloads: n }))
    .sort((a, b) => b.workloads - a.workloads || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Reads a grouping from the URL's `group` parameter: absent or `namespace`, or `label:<key>`. */
export function parseGrouping(text: string | undefined): Grouping {
  if (text === undefined || !text.startsWith('label:') || text.length === 'label:'.length)
    return BY_NAMESPACE;
  return { by: 'label', key: text.slice('label:'.length) };
}

export function formatGrouping(g: Grouping): string | null {
  return g.by === 'namespace' ? null : `label:${g.key}`;
}

/**
 * What an edge of the input is, to count it: a connection (allowed pair; what-if's too), or in the Traffic view a
 * pair of endpoints (observed, unobserved, or observed but denied: not all of them connections).
 */
export type CountUnit = 'connection' | 'endpoint pair';

/** `3 connections`, `1 endpoint pair`. */
export function countOf(n: number, unit: CountUnit = 'connection'): string {
  return plural(n, unit);
}

/** An edge of the input: a connection, a what-if edge, a traffic edge. */
export interface EdgeInput {
  src: string;
  dst: string;
  /** Null when only a summary is known. */
  ports: PortsJson | null;
  summary: string;
  /** Neither end restricts it. */
  open: boolean;
  /** Traffic or what-if status (`observed`, `added`…). */
  status?: string;
  /** What allowed it per direction (a cluster with cluster policies): the model's `allowedBy`. */
  allowedBy?: ConnectionJson['allowedBy'];
  /** Allowed at L4, filtered at L7 by Cilium's proxy on these ports (the model's `l7`). */
  l7?: NonNullable<ConnectionJson['l7']>;
  /**
   * A Traffic line seen in the flows: the ports the policies allow, `ports` being those seen. A line whose every
   * member has them, and allows more than was seen, is labelled with both (`UDP 53 of all allowed`).
   */
  allowed?: PortsJson;
  /**
   * The ports the port filter matches, when not `ports`: a Traffic line's allowed ports (seen or not), or for a
   * line observed but denied (whose `ports` are null: its label is its summary), the ports denied.
   */
  matches?: PortsJson;
}

/** `filtered at L7 on TCP 8080 by CiliumNetworkPolicy/shop/api`: a connection Cilium's proxy filters. */
export function l7Text(l7: NonNullable<ConnectionJson['l7']>): string {
  return `filtered at L7 on ${l7.summary} by ${l7.policies.join(', ')}`;
}

/** How many of the edges Cilium's proxy filters (allowed at L4, filtered at L7). */
export function l7Count(edges: readonly Pick<EdgeInput, 'l7'>[]): number {
  return edges.reduce((n, e) => n + (e.l7 === undefined ? 0 : 1), 0);
}

/** The node id of a destination by DNS name. */
export function domainNode(domain: string): string {
  return `dns:${domain}`;
}

/** The hover text of the "by DNS name" box. */
function byNameTitle(count: number): string {
  return `${count} DNS name${count === 1 ? '' : 's'} outside the cluster that policies allow by name (the addresses depend on DNS resolution)`;
}

/** Whether a node stands for destinations by DNS name: one (`dns:<name>`), or all of them collapsed. */
export function isByName(id: string): boolean {
  return id === BY_NAME || isDomainNode(id);
}

/** Whether a node id is a destination by DNS name (`dns:<name>`). */
export function isDomainNode(id: string): boolean {
  return id.startsWith('dns:');
}

/** A DNS name as a destination, as `analyze` writes it: `api.example.com (by DNS name)`. */
export function domainLabel(domain: string): string {
  return `${domain} (by DNS name)`;
}

export interface GraphInput {
  namespaces: readonly NamespaceJson[];
  workloads: readonly WorkloadJson[];
  /** The address classes: outside the cluster, and the Nodes' (with `nodes`). */
  external: readonly AddressJson[];
  /**
   * Reach by DNS name (the model's `domains`): drawn as destinations outside the cluster, by name, apart from
   * the address ranges (and whether they are collapsed), when `external` is on.
   */
  domains?: readonly DomainConnectionJson[];
  /** Workload-level edges: every one, or (on very large clusters) those of the namespaces loaded so far. */
  edges: readonly EdgeInput[];
  /** Whether `edges` holds every edge; when not, collapsed-to-collapsed edges come from `groupEdges`. */
  complete: boolean;
  groupEdges: readonly GroupConnectionJson[];
}

export interface GraphOptions {
  /** Namespaces to show; null for all. */
  namespaces: ReadonlySet<string> | null;
  /** Workloads to show by their labels; null for all. */
  labels: readonly LabelTerm[] | null;
  /** Connections to show by protocol and port; null for all. */
  port: PortFilter | null;
  /** Hide connections that neither end restricts. */
  hideOpen: boolean;
  /** Show the addresses outside the cluster. */
  external: boolean;
  /** Show the Nodes' addresses (in the cluster); as `external` when absent. */
  nodes?: boolean;
  /** How workloads are grouped (namespaces when absent). */
  grouping?: Grouping;
  /** Group ids (`ns:<name>`, `label:<value>`, `nolabel`, `outside`, `nodes`, `dns-names`) drawn as one node. */
  collapsed: ReadonlySet<string>;
  /** Show only this node and its neighbours. */
  focus: string | null;
  /** Which status wins when an aggregated edge has members of several: the first of this list present. */
  statusOrder?: readonly string[];
  /** What an edge is, in the labels of aggregated lines (`connection` when absent). */
  unit?: CountUnit;
}

export const DEFAULT_OPTIONS: GraphOptions = {
  namespaces: null,
  labels: null,
  port: null,
  hideOpen: true,
  external: true,
  collapsed: new Set([OUTSIDE]),
  focus: null,
};

export type NodeKind =
  | 'workload'
  | 'external'
  | 'node-address'
  | 'domain'
  | 'namespace'
  | 'outside'
  | 'nodes'
  | 'collapsed-namespace'
  | 'collapsed-outside'
  | 'collapsed-nodes';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** Compound parent: a group id (`ns:<name>`, `label:<value>`, `nolabel`), `outside` or `nodes`. */
  parent: string | null;
  /** Members a collapsed node stands for. */
  count: number;
  /** How exposed a workload's ingress is: open to anyone on every port, or its isolation. */
  ingress: Exposure | null;
  /** Hover text. */
  title: string;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  /** Input edges it stands for. */
  count: number;
  /** Every member is open. */
  open: boolean;
  /** Connections among `count` that neither end restricts. */
  openCount: number;
  status: string | null;
  ports: PortsJson | null;
  /** The input edges aggregated (empty for a group edge from `groupEdges`). */
  members: EdgeInput[];
}

export interface GraphResult {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Workloads hidden by the namespace or label filter, or by the focus. */
  hiddenWorkloads: number;
  /** Unrestricted connections left out (`hideOpen`) between nodes that are shown. */
  hiddenOpen: number;
  /** The workload–name pairs drawn (after the port, namespace and label filters): the "by DNS name" node's. */
  domainPairs: DomainConnectionJson[];
}

/** A short label for an address class: `0.0.0.0/0 except 3 ranges`, `any address`. */
export function externalLabel(description: string): string {
  if (description === '0.0.0.0/0; ::/0') return 'any address';
  const i = description.indexOf(' except ');
  if (i < 0) return description.length > 40 ? `${description.slice(0, 38)}…` : description;
  const holes = description.slice(i + 8).split(', ').length;
  return `${description.slice(0, i)} except ${holes === 1 ? description.slice(i + 8) : `${holes} ranges`}`;
}

/**
 * Group ids to collapse when the URL says nothing: the outside world, and on a large cluster every group
 * (namespaces, or the groups given by their ids), the Nodes' addresses and the destinations by DNS name.
 */
export function defaultCollapsed(
  groups: readonly NamespaceJson[] | readonly string[],
  workloads: number,
): Set<string> {
  const out = new Set([OUTSIDE]);
  if (workloads > LARGE_WORKLOADS) {
    out.add(BY_NAME);
    out.add(NODES);
    for (const g of groups) out.add(typeof g === 'string' ? g : namespaceGroup(g.name));
  }
  return out;
}

/** An edge's label: its ports (and how many connections), marked `L7` when Cilium's proxy filters some. */
function edgeLabel(e: GraphEdge, unit: CountUnit): string {
  const { count, ports } = e;
  const text = ports === null ? (e.members[0]?.summary ?? '') : withAllowed(ports, e.members);
  const base = count === 1 ? text : ports === null ? countOf(count, unit) : `${text} (${count})`;
  const l7 = l7Count(e.members);
  return l7 === 0 ? base : `${base} · ${count === 1 ? '' : `${l7} `}filtered at L7`;
}

/**
 * `UDP 53 of all allowed`: the ports of a Traffic line seen in the flows, and the ports the policies allow when
 * they are more (every member seen, `EdgeInput.allowed`); else the ports alone.
 */
function withAllowed(ports: PortsJson, members: readonly EdgeInput[]): string {
  if (members.length === 0 || members.some((m) => m.allowed === undefined)) return shortPorts(ports);
  const allowed = members.reduce((p, m) => unionPorts(p, m.allowed!), NO_PORTS);
  return formatPorts(allowed) === formatPorts(ports)
    ? shortPorts(ports)
    : `${shortPorts(ports)} of ${shortPorts(allowed)} allowed`;
}

export function buildGraph(input: GraphInput, options: GraphOptions): GraphResult {
  const shownNamespace = (ns: string): boolean => options.namespaces === null || options.namespaces.has(ns);
  const grouping = options.grouping ?? BY_NAMESPACE;
  const byNamespace = grouping.by === 'namespace';
  const workloadById = new Map(input.workloads.map((w) => [w.id, w]));
  const addressById = new Map(input.external.map((x) => [x.id, x]));
  const showNodes = options.nodes ?? options.external;
  /** Whether an address group is shown: the outside world, or the Nodes' addresses. */
  const showAddresses = (g: string): boolean => (g === NODES ? showNodes : options.external);
  const visible = new Set<string>();
  /** Visible workloads per group id. */
  const members = new Map<string, number>();
  for (const w of input.workloads) {
    if (!shownNamespace(w.namespace)) continue;
    if (options.labels !== null && !labelsMatch(w.labels, options.labels)) continue;
    visible.add(w.id);
    const g = groupOf(w, grouping);
    members.set(g, (members.get(g) ?? 0) + 1);
  }
  /** The node an entity is drawn as, or null when hidden. */
  const rep = (id: string): string | null => {
    const w = workloadById.get(id);
    if (w !== undefined) {
      if (!visible.has(id)) return null;
      const g = groupOf(w, grouping);
      return options.collapsed.has(g) ? g : id;
    }
    const g = addressGroup(addressById.get(id));
    if (!showAddresses(g)) return null;
    return options.collapsed.has(g) ? g : id;
  };

  const acc = new Map<string, GraphEdge>();
  const order = options.statusOrder ?? [];
  const add = (
    source: string,
    target: string,
    e: Omit<GraphEdge, 'id' | 'source' | 'target' | 'label'>,
  ): void => {
    const id = `${source}>${target}`;
    const cur = acc.get(id);
    if (cur === undefined) {
      acc.set(id, { id, source, target, label: '', ...e, members: [...e.members] });
      return;
    }
    cur.count += e.count;
    cur.openCount += e.openCount;
    cur.open = cur.open && e.open;
    cur.ports = cur.ports === null || e.ports === null ? null : unionPorts(cur.ports, e.ports);
    cur.members.push(...e.members);
    if (e.status !== null && cur.status !== e.status) {
      const a = cur.status === null ? Infinity : order.indexOf(cur.status);
      const b = order.indexOf(e.status);
      if (b >= 0 && (a < 0 || b < a)) cur.status = e.status;
    }
  };
  let hiddenOpen = 0;
  for (const e of input.edges) {
    const filtered = e.matches ?? e.ports;
    if (options.port !== null && filtered !== null && !portsMatch(filtered, options.port)) continue;
    const s = rep(e.src);
    const d = rep(e.dst);
    if (s === null || d === null) continue;
    if (options.hideOpen && e.open) {
      hiddenOpen++;
      continue;
    }
    // Without every edge, group-to-group pairs come from the namespace-level aggregate below (grouped by
    // label, the view loads every edge first).
    if (!input.complete && byNamespace && isGroupId(s) && isGroupId(d)) continue;
    add(s, d, {
      count: 1,
      open: e.open,
      openCount: e.open ? 1 : 0,
      status: e.status ?? null,
      ports: e.ports,
      members: [e],
    });
  }
  if (!input.complete && byNamespace) {
    const groupShown = (g: string): boolean =>
      g === OUTSIDE || g === NODES
        ? showAddresses(g) && options.collapsed.has(g)
        : options.collapsed.has(g) && (members.get(g) ?? 0) > 0;
    for (const g of input.groupEdges) {
      if (!groupShown(g.src) || !groupShown(g.dst)) continue;
      if (options.port !== null && !portsMatch(g.ports, options.port)) continue;
      if (options.hideOpen && g.open === g.count) {
        hiddenOpen += g.count;
        continue;
      }
      add(g.src, g.dst, {
        count: g.count,
        open: g.open === g.count,
        openCount: g.open,
        status: null,
        ports: g.ports,
        members: [],
      });
    }
  }
  const domains = new Set<string>();
  const domainPairs: DomainConnectionJson[] = [];
  for (const d of options.external ? (input.domains ?? []) : []) {
    if (options.port !== null && !portsMatch(d.ports, options.port)) continue;
    const s = rep(d.src);
    if (s === null) continue;
    const target = options.collapsed.has(BY_NAME) ? BY_NAME : domainNode(d.domain);
    domains.add(d.domain);
    domainPairs.push(d);
    // Allowed by a cluster policy's rule for that name: never unrestricted, so never hidden as such.
    add(s, target, {
      count: 1,
      open: false,
      openCount: 0,
      status: null,
      ports: d.ports,
      members: [{ src: d.src, dst: target, ports: d.ports, summary: d.summary, open: false }],
    });
  }
  let edges = [...acc.values()];
  for (const e of edges) e.label = edgeLabel(e, options.unit ?? 'connection');

  const nodes: GraphNode[] = [];
  const connected = new Set(edges.flatMap((e) => [e.source, e.target]));
  const policiesOf = new Map(input.namespaces.map((n) => [n.name, n.policies]));
  const inGroup = new Map<string, WorkloadJson[]>();
  for (const w of input.workloads) {
    if (!visible.has(w.id)) continue;
    const g = groupOf(w, grouping);
    const list = inGroup.get(g);
    if (list === undefined) inGroup.set(g, [w]);
    else list.push(w);
  }
  // Group boxes are drawn as namespaces are (kinds `namespace` and `collapsed-namespace`), whatever the grouping.
  for (const group of groupsOf(input.namespaces, input.workloads, grouping)) {
    const count = members.get(group.id) ?? 0;
    if (count === 0) continue;
    const g = group.id;
    const plural = `${count} workload${count === 1 ? '' : 's'}`;
    const policies = policiesOf.get(group.name) ?? 0;
    const title = byNamespace
      ? `namespace ${group.name}: ${plural}, ${policies} polic${policies === 1 ? 'y' : 'ies'}`
      : g === 'nolabel'
        ? `${plural} without the label ${grouping.key}`
        : `${grouping.key}=${group.name}: ${plural}`;
    if (options.collapsed.has(g)) {
      nodes.push({
        id: g,
        kind: 'collapsed-namespace',
        label: `${group.name} (${count})`,
        parent: null,
        count,
        ingress: null,
        title,
      });
      continue;
    }
    nodes.push({ id: g, kind: 'namespace', label: group.name, parent: null, count, ingress: null, title });
    for (const w of inGroup.get(g) ?? []) {
      nodes.push({
        id: w.id,
        kind: 'workload',
        // Grouped by label, a group holds workloads of several namespaces.
        label: byNamespace ? w.name : `${w.namespace}/${w.name}`,
        parent: g,
        count: 1,
        ingress: exposureOf(w),
        title: `${w.displayName} (${w.kind})`,
      });
    }
  }
  // The address classes, in two groups: the Nodes' (in the cluster), then the outside world's.
  const addressGroups = [
    {
      id: NODES,
      shown: showNodes,
      label: 'nodes',
      kinds: { box: 'nodes', collapsed: 'collapsed-nodes', member: 'node-address' },
      title: (classes: readonly AddressJson[]): string => nodesTitle(classes),
      member: (x: AddressJson): { label: string; title: string } => ({
        label: nodeAddressLabel(x.nodes!),
        title: nodeAddressTitle(x),
      }),
    },
    {
      id: OUTSIDE,
      shown: options.external,
      label: 'outside the cluster',
      kinds: { box: 'outside', collapsed: 'collapsed-outside', member: 'external' },
      title: (classes: readonly AddressJson[], collapsed: boolean): string =>
        collapsed
          ? `${classes.length} address range${classes.length === 1 ? '' : 's'} outside the cluster`
          : 'addresses outside the cluster',
      member: (x: AddressJson): { label: string; title: string } => ({
        label: externalLabel(x.description),
        title: x.description,
      }),
    },
  ] as const;
  for (const group of addressGroups) {
    if (!group.shown) continue;
    const classes = input.external.filter((x) => addressGroup(x) === group.id);
    const collapsed = options.collapsed.has(group.id);
    // Collapsed, the node stands for every class of the group; expanded, the box holds those with a line.
    const members = collapsed ? classes : classes.filter((x) => connected.has(x.id));
    if (collapsed ? !connected.has(group.id) : members.length === 0) continue;
    nodes.push({
      id: group.id,
      kind: collapsed ? group.kinds.collapsed : group.kinds.box,
      label: group.label,
      parent: null,
      count: members.length,
      ingress: null,
      title: group.title(members, collapsed),
    });
    if (!collapsed)
      for (const x of members)
        nodes.push({
          id: x.id,
          kind: group.kinds.member,
          parent: group.id,
          count: 1,
          ingress: null,
          ...group.member(x),
        });
  }

  if (domains.size > 0) {
    const count = domains.size;
    const title = byNameTitle(count);
    const collapsed = options.collapsed.has(BY_NAME);
    nodes.push({
      id: BY_NAME,
      kind: collapsed ? 'collapsed-outside' : 'outside',
      label: 'by DNS name',
      parent: null,
      count,
      ingress: null,
      title,
    });
    if (!collapsed)
      for (const d of [...domains].sort()) {
        nodes.push({
          id: domainNode(d),
          kind: 'domain',
          label: domainLabel(d),
          parent: BY_NAME,
          count: 1,
          ingress: null,
          title: `${d}: outside the cluster, allowed by DNS name (the addresses depend on DNS resolution)`,
        });
      }
  }

  let hiddenWorkloads = input.workloads.length - visible.size;
  // A name by DNS is its own node whether or not the outside world is collapsed; the box of the names, expanded,
  // stands for every name in it.
  const focusOf = (id: string): string | null =>
    !isByName(id) ? rep(id) : !options.external ? null : options.collapsed.has(BY_NAME) ? BY_NAME : id;
  const focus = options.focus === null ? null : focusOf(options.focus);
  const hit = (id: string | null): boolean =>
    id !== null && (id === focus || (focus === BY_NAME && isByName(id)));
  if (focus !== null && nodes.some((n) => n.id === focus)) {
    edges = edges.filter((e) => hit(e.source) || hit(e.target));
    const keep = new Set([focus, ...edges.flatMap((e) => [e.source, e.target])]);
    const parents = new Set(nodes.filter((n) => keep.has(n.id) && n.parent !== null).map((n) => n.parent!));
    const before = nodes.filter((n) => n.kind === 'workload').length;
    const kept = nodes.filter((n) => keep.has(n.id) || parents.has(n.id));
    hiddenWorkloads += before - kept.filter((n) => n.kind === 'workload').length;
    nodes.length = 0;
    nodes.push(...kept);
    // The names the focus keeps: the "by DNS name" box and its inspector count what is drawn.
    const byName = options.collapsed.has(BY_NAME);
    const focused = domainPairs.filter(
      (d) => hit(rep(d.src)) || hit(byName ? BY_NAME : domainNode(d.domain)),
    );
    domainPairs.length = 0;
    domainPairs.push(...focused);
    const box = nodes.find((n) => n.id === BY_NAME);
    if (box !== undefined) {
      const count = new Set(focused.map((d) => d.domain)).size;
      box.count = count;
      box.title = byNameTitle(count);
    }
  }
  return { nodes, edges, hiddenWorkloads, hiddenOpen, domainPairs };
}

/** One line of the drawing: an edge, or the two edges of a pair of nodes connected both ways, merged. */
export interface DrawnEdge {
  id: string;
  source: string;
  target: string;
  /** The edges it stands for: one, or two (source → target first). */
  edges: GraphEdge[];
  label: string;
  count: number;
  /** Share of its connections that neither end restricts, 0..1. */
  openShare: number;
}

/**
 * Merges the two directions between a pair of nodes into one line with both ports summarized, when they
 * are drawn alike (`look` gives how an edge is drawn: its status, its classes). Keeps the input's order.
 */
export function mergeParallel(edges: readonly GraphEdge[], look: (e: GraphEdge) => string): DrawnEdge[] {
  const byId = new Map(edges.map((e) => [e.id, e]));
  const taken = new Set<string>();
  const out: DrawnEdge[] = [];
  for (const e of edges) {
    if (taken.has(e.id)) continue;
    taken.add(e.id);
    const back = e.source === e.target ? undefined : byId.get(`${e.target}>${e.source}`);
    const pair = back !== undefined && !taken.has(back.id) && look(back) === look(e) ? [e, back] : [e];
    if (pair.length === 2) taken.add(back!.id);
    const count = pair.reduce((n, x) => n + x.count, 0);
    const open = pair.reduce((n, x) => n + x.openCount, 0);
    out.push({
      id: e.id,
      source: e.source,
      target: e.target,
      edges: pair,
      label:
        pair.length === 1
          ? e.label
          : e.label === back!.label
            ? `⇄ ${e.label}`
            : `→ ${e.label} · ← ${back!.label}`,
      count,
      openShare: count === 0 ? 0 : open / count,
    });
  }
  return out;
}

/**
 * `221 allowed connections`, `33 allowed connections, plus 6 by DNS name`: as `analyze`'s header counts them,
 * (source, DNS name) pairs apart from connections.
 */
export function connectionCounts(s: { connections: number; domains: number }): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return `${n(s.connections)} allowed connection${s.connections === 1 ? '' : 's'}${s.domains === 0 ? '' : `, plus ${n(s.domains)} by DNS name`}`;
}

/**
 * The header's other counts, after the connections: ` · 1,000 workloads · 100 namespaces · 2,500 policies` (and
 * the Cilium and cluster policies when there are some), each number written and pluralised as the status line
 * writes it (`1 workload`, not `1 workloads`; `1,000`, not `1000` beside `14,293 allowed connections`).
 */
export function headerCounts(
  s: { workloads: number; namespaces: number; policies: number },
  cilium: number,
  cluster: number,
): string {
  return [
    plural(s.workloads, 'workload'),
    plural(s.namespaces, 'namespace'),
    plural(s.policies, 'policy', 'policies'),
    cilium === 0 ? '' : plural(cilium, 'Cilium policy', 'Cilium policies'),
    cluster === 0 ? '' : plural(cluster, 'cluster policy', 'cluster policies'),
  ]
    .filter((x) => x !== '')
    .map((x) => ` · ${x}`)
    .join('');
}

/**
 * The lines a graph draws: one per pair of nodes (`mergeParallel`), without the loops of a node to itself (a
 * workload's pods among themselves, a collapsed group's members among themselves: a loop on a node says little).
 */
export function drawnLines(edges: readonly GraphEdge[], look: (e: GraphEdge) => string): DrawnEdge[] {
  return mergeParallel(
    edges.filter((e) => e.source !== e.target),
    look,
  );
}

/** `1 workload`, `1,000 workloads`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * What the status line says is drawn: `16 workloads in 6 namespaces, 50 connections drawn, 171 unrestricted
 * hidden` when each line is one connection; else lines and connections, each with its unit: `42 lines drawn (50
 * connections)` (a line into the collapsed outside world, the collapsed Nodes' addresses or a collapsed
 * namespace stands for several connections, a line with an arrow at each end for two), or on the overview,
 * grouped by a label, `8 groups by app.kubernetes.io/part-of (1,000 workloads), 20 group links drawn (310
 * connections between groups)` (the lines into the outside world or the Nodes' addresses counted apart:
 * `overviewLinks`). "connections" always counts connections, as `analyze` and the header do; the
 * connections within one node (not drawn) are counted too, so that what is drawn, within a node and hidden add
 * up to the header's number (before filters). `lines` are the lines drawn (`drawnLines`, the weak ones left
 * out: `weakSummary`). The Traffic view's edges are pairs of endpoints, some observed but denied (not
 * connections): `unit` `endpoint pair` counts them so (`3 lines drawn (4 endpoint pairs)`).
 */
export function drawnSummary(
  result: GraphResult,
  lines: readonly DrawnEdge[],
  grouping: Grouping = BY_NAMESPACE,
  unit: CountUnit = 'connection',
): string {
  let workloads = 0;
  let expanded = 0;
  let collapsed = 0;
  let inside = 0;
  for (const n of result.nodes) {
    if (n.kind === 'workload') workloads++;
    else if (n.kind === 'namespace') expanded++;
    else if (n.kind === 'collapsed-namespace') {
      collapsed++;
      inside += n.count;
    }
  }
  const noun = grouping.by === 'namespace' ? 'namespace' : 'group';
  const by = grouping.by === 'namespace' ? '' : ` by ${grouping.key}`;
  const parts: string[] = [];
  if (workloads > 0) parts.push(`${plural(workloads, 'workload')} in ${plural(expanded, noun)}${by}`);
  if (collapsed > 0)
    parts.push(
      `${plural(collapsed, workloads > 0 ? `collapsed ${noun}` : noun)}${workloads > 0 ? '' : by} (${plural(inside, 'workload')})`,
    );
  if (parts.length === 0) parts.push('nothing to draw');
  const { connections, links, names, pairs } = lineCounts(lines);
  if (workloads === 0 && collapsed > 0) parts.push(overviewLinks(result, lines, noun, unit));
  else if (links === connections) parts.push(`${countOf(connections, unit)} drawn`);
  else parts.push(`${plural(links, 'line')} drawn (${countOf(connections, unit)})`);
  // Lines to DNS names are not connections (no address is known): counted apart, as `analyze` does.
  if (names > 0)
    parts.push(
      `plus ${
        names === pairs
          ? `${pairs.toLocaleString('en-US')} by DNS name`
          : `${plural(names, 'link')} to DNS names (${plural(pairs, 'workload–name pair')})`
      }`,
    );
  // The loops of a node to itself are not drawn: counted, so that the numbers add up to the header's.
  const within = result.edges.reduce((n, e) => (e.source === e.target ? n + e.count : n), 0);
  if (within > 0) {
    const loops = new Set(result.edges.filter((e) => e.source === e.target).map((e) => e.source));
    const kinds = new Set(
      result.nodes.filter((n) => loops.has(n.id)).map((n) => (n.kind === 'workload' ? 'workload' : noun)),
    );
    const where = [...kinds]
      .sort((x, y) => (x === 'workload' ? -1 : y === 'workload' ? 1 : 0))
      .map((k) => (k === 'workload' ? 'a workload' : `a collapsed ${k}`))
      .join(' or ');
    parts.push(`${within.toLocaleString('en-US')} within ${where} not drawn`);
  }
  if (result.hiddenOpen > 0) parts.push(`${result.hiddenOpen.toLocaleString('en-US')} unrestricted hidden`);
  return parts.join(', ');
}

/**
 * The overview's lines: `9 namespace links drawn (28 connections between namespaces)`, or, when some lines join
 * a group to the outside world or to the Nodes' addresses, what each kind of line stands for, so that
 * "between namespaces" counts only those: `13 links drawn (28 connections between namespaces, 12 to or from
 * outside the cluster)`. The lines to DNS names are counted apart (`drawnSummary`).
 */
function overviewLinks(
  result: GraphResult,
  lines: readonly DrawnEdge[],
  noun: string,
  unit: CountUnit,
): string {
  const kinds = new Map(result.nodes.map((n) => [n.id, n.kind]));
  const ends = (l: DrawnEdge): 'outside' | 'nodes' | 'groups' => {
    const at = [kinds.get(l.source), kinds.get(l.target)];
    if (at.some((k) => k === 'nodes' || k === 'collapsed-nodes' || k === 'node-address')) return 'nodes';
    if (at.some((k) => k === 'outside' || k === 'collapsed-outside' || k === 'external')) return 'outside';
    return 'groups';
  };
  const counts = { groups: 0, outside: 0, nodes: 0 };
  let links = 0;
  for (const l of lines) {
    if (isByName(l.target)) continue;
    links++;
    counts[ends(l)] += l.count;
  }
  const between = `${countOf(counts.groups, unit)} between ${noun}s`;
  if (counts.outside === 0 && counts.nodes === 0)
    return `${plural(links, `${noun} link`)} drawn (${between})`;
  const n = (x: number): string => x.toLocaleString('en-US');
  const others = [
    ...(counts.outside > 0 ? [`${n(counts.outside)} to or from outside the cluster`] : []),
    ...(counts.nodes > 0 ? [`${n(counts.nodes)} to or from Nodes' addresses`] : []),
  ];
  return `${plural(links, 'link')} drawn (${[between, ...others].join(', ')})`;
}

/** The connections and the (source, DNS name) pairs some lines stand for, and how many lines of each. */
function lineCounts(lines: readonly DrawnEdge[]): {
  connections: number;
  links: number;
  names: number;
  pairs: number;
} {
  const out = { connections: 0, links: 0, names: 0, pairs: 0 };
  for (const l of lines)
    if (isByName(l.target)) {
      out.names++;
      out.pairs += l.count;
    } else {
      out.links++;
      out.connections += l.count;
    }
  return out;
}

/**
 * What the overview leaves out of the page: `97 weaker not drawn (130 connections)`, the lines standing for the
 * fewest connections (their connections, or `unit`, counted as the drawn ones are).
 */
export function weakSummary(weak: readonly DrawnEdge[], unit: CountUnit = 'connection'): string {
  const { connections, names, pairs } = lineCounts(weak);
  const what = [
    ...(connections > 0 || names === 0 ? [countOf(connections, unit)] : []),
    ...(names > 0 ? [plural(pairs, 'workload–name pair')] : []),
  ];
  return `${weak.length.toLocaleString('en-US')} weaker not drawn (${what.join(', ')})`;
}

/**
 * Collapses or expands a group. On a large cluster (the overview), one group (a namespace, or a label's
 * value) is expanded at a time: expanding one collapses the group expanded before. `groups` are the
 * grouping's groups: namespaces, or group ids.
 */
export function toggleGroup(
  collapsed: ReadonlySet<string>,
  id: string,
  groups: readonly NamespaceJson[] | readonly string[],
  workloads: number,
): Set<string> {
  const next = new Set(collapsed);
  if (!next.has(id)) {
    next.add(id);
    return next;
  }
  next.delete(id);
  if (workloads > LARGE_WORKLOADS && id !== OUTSIDE && id !== NODES && id !== BY_NAME)
    for (const g of groups) {
      const other = typeof g === 'string' ? g : namespaceGroup(g.name);
      if (other !== id) next.add(other);
    }
  return next;
}
