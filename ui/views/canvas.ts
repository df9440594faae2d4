/**
 * The graph renderer: cytoscape.js with the fCoSE layout (compound nodes for namespaces). Every node keeps
 * its position across renders and views (a page-wide cache): filtering, switching views, collapsing or
 * expanding never reshuffles what the user has already placed in their head; only "Re-layout" does.
 * Namespace titles are drawn above the edges (an HTML layer), edge labels only on hover, selection or when
 * zoomed in far enough for all of them to fit, and a selection dims everything outside its neighbourhood.
 *
 * The dimming is one layer, not a style on every element (restyling a thousand elements is what a click
 * cost at scale): the canvas is drawn faint as a whole (CSS opacity, a compositor operation), and a second,
 * passive cytoscape instance above it draws the selection's neighbourhood (a few dozen elements) at full
 * strength, following the main one's viewport and positions. A selection changes nothing in the main
 * instance: any change there (a class, an element added, even an attribute of its container, which cytoscape
 * watches) redraws every element below, which is what a click cost at 5,000 workloads.
 */
import cytoscape, {
  type Collection,
  type Core,
  type EdgeDataDefinition,
  type ElementDefinition,
  type EventObject,
  type LayoutOptions,
} from 'cytoscape';
import fcose from 'cytoscape-fcose';
import {
  BY_NAME,
  countOf,
  l7Text,
  drawnLines,
  NODES,
  OUTSIDE,
  type CountUnit,
  type DrawnEdge,
  type EdgeInput,
  type GraphEdge,
  type GraphNode,
  type GraphResult,
} from '../lib/graph.ts';
import {
  anyOverlap,
  gridAround,
  labelsFit,
  PositionCache,
  separate,
  readingGrid,
  READABLE_ZOOM,
  type Box,
} from '../lib/layout.ts';
import { allowedByText } from '../lib/tiers.ts';
import { style } from './canvas-style.ts';
import { h } from './dom.ts';

cytoscape.use(fcose);

/**
 * Positions by node id, one cache per grouping (by namespace, by a label), shared by every canvas of the
 * page: `positions` is the cache of the grouping drawn last (one canvas is shown at a time).
 */
const caches = new Map<string, PositionCache>();
const cacheFor = (grouping: string): PositionCache => {
  let c = caches.get(grouping);
  if (c === undefined) caches.set(grouping, (c = new PositionCache()));
  return c;
};
let positions = cacheFor('');

/** Above this many drawn lines, labels show on hover and selection only (the fit check would cost too much). */
const MAX_ZOOM_LABELS = 400;

/** Above this many elements, the layout is fCoSE's spectral draft snapped to a grid (forces take seconds). */
const HUGE_LAYOUT = 250;

/** At most this many lines are drawn, the strongest (most connections); a selection shows its own too. */
const MAX_LINES = 600;

/** Above this many drawn lines, lines are drawn faint (a selection brings its own back). */
const CROWDED_LINES = 120;

/** Edge labels' size on screen, in pixels. */
const LABEL_PX = 10;

export interface CanvasHandlers {
  onNode?: (id: string, node: GraphNode) => void;
  onEdge?: (edge: GraphEdge) => void;
  onBackground?: () => void;
  /** Double click on a namespace or the outside group: collapse or expand it. */
  onToggleGroup?: (id: string) => void;
}

/** The lines of a drawing: those in the page, and the weak ones left out (a selection of an end adds them). */
export interface Drawn {
  drawn: DrawnEdge[];
  weak: DrawnEdge[];
}

export interface Decorations {
  nodeClasses?: (n: GraphNode) => string[];
  edgeClasses?: (e: GraphEdge) => string[];
  /**
   * The graph whose layout gives every node its place (the unfiltered graph of the view): laid out once,
   * so that filters and views only hide and show nodes at places that do not change.
   */
  basis?: GraphResult;
  /** Names the grouping drawn (`''`: by namespace): each grouping keeps its own positions. */
  grouping?: string;
  /** The workload ids of a group (by default: its namespace's), to place it where its members were. */
  members?: (group: string) => readonly string[];
  /** What a line's edges are, in its hover text (`connection` when absent; the Traffic view's: `endpoint pair`). */
  unit?: CountUnit;
}

type Rect = { x1: number; y1: number; x2: number; y2: number };

/** What the graph shows, for the browser tests and for debugging from the console: `__netfence.graph()`. */
export interface GraphSnapshot {
  nodes: {
    id: string;
    label: string;
    parent: string | null;
    classes: string[];
    position: { x: number; y: number };
    box: Rect;
  }[];
  edges: {
    id: string;
    label: string;
    classes: string[];
    midpoint: { x: number; y: number };
    /** The drawn label's box on screen, when a label is drawn. */
    labelBox: Rect | null;
  }[];
  /** The weak lines not in the page (a selection of one of their ends adds them). */
  notDrawn: { id: string; source: string; target: string }[];
  /** Namespace titles as drawn on screen (the page's coordinates relative to the canvas). */
  titles: { id: string; text: string; box: Rect; clipped: boolean }[];
  zoom: number;
}

function targetId(e: EventObject): string {
  return (e.target as { id(): string }).id();
}

/** A node's width from its label (cytoscape's `width: label` is deprecated, and the layout needs sizes). */
function labelWidth(n: GraphNode): number {
  const bold =
    n.kind === 'collapsed-namespace' || n.kind === 'collapsed-outside' || n.kind === 'collapsed-nodes';
  return Math.round(Math.max(40, n.label.length * (bold ? 7.8 : 7.2) + 22));
}

/** The width a group's title needs, in model units at 12 px bold. */
function titleWidth(text: string): number {
  return Math.round(text.length * 7.8 + 24);
}

/** Line width from the connections a line stands for: 1.6 for one, growing with the log of the count. */
function lineWidth(count: number): number {
  return Math.min(9, 1.6 + Math.log2(Math.max(1, count)) * 1.1);
}

/** Starting positions: groups on a grid, their members on a small grid inside; the layout refines them. */
function initialPositions(nodes: readonly GraphNode[]): Map<string, { x: number; y: number }> {
  const groups = new Map<string, GraphNode[]>();
  const tops: string[] = [];
  for (const n of nodes) {
    if (n.parent === null) tops.push(n.id);
    else {
      const list = groups.get(n.parent);
      if (list === undefined) groups.set(n.parent, [n]);
      else list.push(n);
    }
  }
  const out = new Map<string, { x: number; y: number }>();
  const cols = Math.max(1, Math.ceil(Math.sqrt(tops.length)));
  tops.forEach((id, i) => {
    const gx = (i % cols) * 420;
    const gy = Math.floor(i / cols) * 320;
    out.set(id, { x: gx, y: gy });
    const members = groups.get(id) ?? [];
    const mc = Math.max(1, Math.ceil(Math.sqrt(members.length)));
    members.forEach((m, j) => out.set(m.id, { x: gx + (j % mc) * 130, y: gy + Math.floor(j / mc) * 60 }));
  });
  return out;
}

function nodeElements(
  nodes: readonly GraphNode[],
  classes: (n: GraphNode) => string[],
  drawn: ReadonlyMap<string, { x: number; y: number }> = new Map(),
): ElementDefinition[] {
  const start = initialPositions(nodes);
  return nodes.map((n) => ({
    group: 'nodes' as const,
    data: {
      id: n.id,
      label: n.label,
      kind: n.kind,
      ingress: n.ingress ?? '',
      w: labelWidth(n),
      minw: titleWidth(n.label),
      ...(n.parent === null ? {} : { parent: n.parent }),
    },
    classes: classes(n),
    position: drawn.get(n.id) ?? positions.get(n.id) ?? start.get(n.id) ?? { x: 0, y: 0 },
  }));
}

/** The lines beyond the `MAX_LINES` strongest. */
function weakLines(lines: readonly DrawnEdge[]): Set<string> {
  if (lines.length <= MAX_LINES) return new Set();
  const order = [...lines].sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
  return new Set(order.slice(MAX_LINES).map((l) => l.id));
}

/**
 * A connection's hover text: its ports, what allowed it when cluster policies are in play, and whether Cilium's
 * proxy filters it at L7.
 */
function memberText(e: EdgeInput): string {
  const by = e.allowedBy === undefined ? '' : ` (${allowedByText(e.allowedBy)})`;
  return `${e.summary}${by}${e.l7 === undefined ? '' : `, allowed at L4, ${l7Text(e.l7)}`}`;
}

function edgeElements(
  lines: readonly DrawnEdge[],
  classes: (e: GraphEdge) => string[],
  weak: ReadonlySet<string> = new Set(),
  crowded = lines.length > CROWDED_LINES,
  extra: readonly string[] = [],
): ElementDefinition[] {
  return lines.map((l) => ({
    group: 'edges' as const,
    data: {
      id: l.id,
      source: l.source,
      target: l.target,
      label: l.label,
      width: lineWidth(l.count),
      openShare: l.openShare,
      both: l.edges.length === 2,
      fs: LABEL_PX,
    },
    classes: [
      ...(l.edges.every((e) => e.open) ? ['open'] : []),
      ...(crowded ? ['crowded'] : []),
      ...(weak.has(l.id) ? ['weak'] : []),
      ...classes(l.edges[0]!),
      ...extra,
    ],
  }));
}

/** The fCoSE options (its own: cytoscape's types know only the built-in layouts); faster on large graphs. */
function fcoseOptions(elements: number, draft = false): LayoutOptions {
  const large = elements > 400;
  return {
    name: 'fcose',
    quality: draft ? 'draft' : large ? 'default' : 'proof',
    // A large graph starts from fCoSE's spectral layout: refining a grid costs seconds there.
    randomize: large,
    animate: false,
    fit: false,
    nodeDimensionsIncludeLabels: true,
    packComponents: true,
    nodeRepulsion: 16000,
    idealEdgeLength: 115,
    nodeSeparation: 90,
    edgeElasticity: 0.25,
    nestingFactor: 0.15,
    gravity: 0.2,
    gravityCompound: 1.0,
    numIter: large ? 1000 : 2500,
    tile: true,
    tilingPaddingVertical: 20,
    tilingPaddingHorizontal: 20,
  } as LayoutOptions;
}

function boxOf(id: string, r: Rect): Box {
  return { id, x: (r.x1 + r.x2) / 2, y: (r.y1 + r.y2) / 2, w: r.x2 - r.x1, h: r.y2 - r.y1 };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class Canvas {
  readonly cy: Core;
  readonly element: HTMLElement;
  readonly #tooltip: HTMLElement;
  readonly #titles: HTMLElement;
  #nodes = new Map<string, GraphNode>();
  /** Drawn lines by their id, and the line each graph edge is drawn as. */
  #lines = new Map<string, DrawnEdge>();
  /** What the lines' edges are, in their hover text. */
  #unit: CountUnit = 'connection';
  #lineOf = new Map<string, string>();
  #shape = '';
  /**
   * The lines beyond the strongest are not in the page (styling thousands of hidden lines is what the first
   * paint of a large overview cost): a selection draws those it needs above (`#nearWeak`), and puts them in
   * the main instance after that frame (`#added`, for the pointer: hover and click), removing them after.
   */
  #weak = new Map<string, DrawnEdge[]>();
  #weakIds: ReadonlySet<string> = new Set();
  #added: Collection;
  /**
   * Whether the main instance's drawing is held (`cy.startBatch()`) until after the frame that shows a
   * selection, and the task that releases it.
   */
  #held = false;
  #release = 0;
  #edgeClasses: (e: GraphEdge) => string[] = () => [];
  #crowded = false;
  #members: ((group: string) => readonly string[]) | undefined;
  #selected: readonly string[] = [];
  /** The selection the elements show now (undefined: new elements, none applied yet). */
  #shown: readonly string[] | undefined;
  /** The selection as the last frame drew it (for the benchmark: `__netfence.drawn()`). */
  #drawn: readonly string[] = [];
  /** The selected elements (node or line ids). */
  #picked: ReadonlySet<string> = new Set();
  /**
   * The neighbourhood drawn at full strength above the dimmed canvas (undefined: nothing selected): its
   * elements in the main instance, the ids of everything it holds, and the weak lines it shows.
   */
  #near: Collection | undefined;
  #nearIds: ReadonlySet<string> | undefined;
  #nearWeak: ReadonlyMap<string, DrawnEdge> = new Map();
  /** The nodes the search marks. */
  #matched: ReadonlySet<string> = new Set();
  readonly #parent: HTMLElement;
  readonly #layer: HTMLElement;
  #overlay: Core | undefined;
  #overlayFrame = 0;
  #frame = 0;
  /** The group nodes of the elements drawn (undefined: not looked up since they were added). */
  #parents: cytoscape.NodeSingular[] | undefined;

  constructor(parent: HTMLElement, handlers: CanvasHandlers) {
    this.element = h('div', {
      class: 'canvas',
      role: 'img',
      'aria-label':
        'Connectivity graph. The side panels list the same workloads and connections for keyboard use.',
    });
    this.#layer = h('div', { class: 'canvas-selection', 'aria-hidden': 'true' });
    this.#titles = h('div', { class: 'graph-titles', 'aria-hidden': 'true' });
    this.#tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
    this.#parent = parent;
    parent.append(this.element, this.#layer, this.#titles, this.#tooltip);
    this.cy = cytoscape({
      container: this.element,
      style: style(),
      wheelSensitivity: 0.3,
      minZoom: 0.05,
      maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: false,
      // The page keeps the selection (cytoscape's own would restyle, and redraw, what a click touches).
      autounselectify: true,
      hideEdgesOnViewport: false,
    });
    this.#added = this.cy.collection();
    this.#listen(handlers);
    // The canvas follows its box (the inspector opens and closes, the window resizes).
    new ResizeObserver(() => {
      if (this.cy.destroyed()) return;
      this.cy.resize();
      this.#keepSelectionInView();
      this.#overlay?.resize();
      this.#followViewport();
      this.#scheduleOverlay();
    }).observe(this.element);
  }

  /**
   * After the canvas shrank (the inspector opened beside it), pans just enough to bring the selection back in
   * view: a selected line with both its ends, a node whole.
   */
  #keepSelectionInView(): void {
    let eles = this.cy.collection();
    for (const id of this.#picked) eles = eles.union(this.cy.getElementById(id));
    eles = eles.union(eles.edges().connectedNodes());
    if (eles.empty()) return;
    const b = eles.renderedBoundingBox({ includeLabels: true });
    const w = this.cy.width();
    const h = this.cy.height();
    const margin = 24;
    const shift = (lo: number, hi: number, size: number): number =>
      hi - lo > size - 2 * margin
        ? size / 2 - (lo + hi) / 2
        : lo < margin
          ? margin - lo
          : hi > size - margin
            ? size - margin - hi
            : 0;
    const dx = shift(b.x1, b.x2, w);
    const dy = shift(b.y1, b.y2, h);
    if (dx !== 0 || dy !== 0) this.cy.panBy({ x: dx, y: dy });
  }

  #listen(handlers: CanvasHandlers): void {
    this.cy.on('tap', 'node', (e) => {
      const n = this.#nodes.get(targetId(e));
      if (n !== undefined) handlers.onNode?.(n.id, n);
    });
    this.cy.on('tap', 'edge', (e) => {
      const line = this.#lines.get(targetId(e));
      if (line !== undefined) handlers.onEdge?.(line.edges[0]!);
    });
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) handlers.onBackground?.();
    });
    this.cy.on('dbltap', 'node', (e) => {
      const n = this.#nodes.get(targetId(e));
      if (
        n !== undefined &&
        n.kind !== 'workload' &&
        n.kind !== 'external' &&
        n.kind !== 'node-address' &&
        n.kind !== 'domain'
      )
        handlers.onToggleGroup?.(n.id);
    });
    this.cy.on('dragfree', 'node', () => this.#remember());
    this.cy.on('mouseover', 'node, edge', (e) => this.#hover(e, true));
    this.cy.on('mouseout', 'node, edge', (e) => this.#hover(e, false));
    this.cy.on('tap', () => {
      this.#tooltip.hidden = true;
    });
    this.element.addEventListener('mouseleave', () => {
      this.#tooltip.hidden = true;
    });
    this.cy.on('render', () => this.#scheduleTitles());
    this.cy.on('viewport', () => this.#followViewport());
    this.cy.on('position', 'node', () => this.#scheduleOverlay());
    this.cy.on('zoom', () => this.#scheduleZoomLabels());
  }

  #hover(e: EventObject, on: boolean): void {
    const id = targetId(e);
    const el = this.cy.getElementById(id);
    // Hovering a node shows the labels of its lines; hovering a line, its own.
    const lines = el.isNode() ? el.connectedEdges() : el;
    // A line of the selection keeps its label after the pointer leaves.
    lines.forEach((l) => {
      l.toggleClass('labelled', on || l.hasClass('selected-near'));
    });
    if (on) lines.data('fs', LABEL_PX / this.cy.zoom());
    if (!on) {
      this.#tooltip.hidden = true;
      return;
    }
    const line = this.#lines.get(id);
    const text =
      this.#nodes.get(id)?.title ??
      (line === undefined
        ? ''
        : `${countOf(line.count, this.#unit)}: ${line.edges
            .map((x) => (x.members.length === 1 ? memberText(x.members[0]!) : x.label))
            .join(' · ')}`);
    if (text === '') return;
    this.#tooltip.textContent = text;
    this.#tooltip.hidden = false;
    const p = e.renderedPosition ?? { x: 0, y: 0 };
    this.#tooltip.style.left = `${p.x + 14}px`;
    this.#tooltip.style.top = `${p.y + 14}px`;
  }

  #remember(): void {
    this.cy.nodes().forEach((n) => {
      if (n.isChildless()) positions.set(n.id(), n.position());
    });
  }

  /**
   * Draws a graph; places nodes never seen before (laying out only what has no place yet). Returns the lines
   * drawn and the weak ones left out of the page.
   */
  render(graph: GraphResult, decorations: Decorations = {}): Drawn {
    // Drawing everything anew: nothing waits for a frame.
    this.#unhold();
    positions = cacheFor(decorations.grouping ?? '');
    this.#members = decorations.members;
    this.#unit = decorations.unit ?? 'connection';
    const nodeClasses = decorations.nodeClasses ?? (() => []);
    const edgeClasses = decorations.edgeClasses ?? (() => []);
    const lines = drawnLines(graph.edges, (e) => [e.open, ...edgeClasses(e)].join(' '));
    this.#nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    this.#lines = new Map(lines.map((l) => [l.id, l]));
    this.#lineOf = new Map(lines.flatMap((l) => l.edges.map((e) => [e.id, l.id] as const)));
    const weak = weakLines(lines);
    this.#weakIds = weak;
    this.#weak = new Map();
    for (const l of lines)
      if (weak.has(l.id))
        for (const end of [l.source, l.target]) {
          const list = this.#weak.get(end);
          if (list === undefined) this.#weak.set(end, [l]);
          else list.push(l);
        }
    this.#edgeClasses = edgeClasses;
    this.#crowded = lines.length > CROWDED_LINES;
    if (decorations.basis !== undefined) this.#layoutBasis(decorations.basis);
    const shape = graph.nodes.map((n) => `${n.id}@${n.parent ?? ''}`).join('|');
    const reshaped = shape !== this.#shape;
    this.#shape = shape;
    // The same nodes drawn again (new edges, new classes): where they are drawn now, room made included.
    const drawn = new Map<string, { x: number; y: number }>();
    if (!reshaped)
      this.cy.nodes().forEach((n) => {
        if (n.isChildless()) drawn.set(n.id(), { ...n.position() });
      });
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add([
        ...nodeElements(graph.nodes, nodeClasses, drawn),
        ...edgeElements(
          lines.filter((l) => !weak.has(l.id)),
          edgeClasses,
          weak,
          this.#crowded,
        ),
      ]);
    });
    this.#parents = undefined;
    if (reshaped) this.#place();
    // The elements are new: nothing is marked yet.
    this.#shown = undefined;
    this.#added = this.cy.collection();
    this.#matched = new Set();
    this.#select(this.#selected);
    this.#syncWeak();
    this.#publish();
    if (reshaped) this.fit();
    this.#zoomLabels();
    if (this.#overlay === undefined)
      requestIdleCallback(() => {
        if (!this.cy.destroyed()) this.#ensureOverlay();
      });
    return { drawn: lines.filter((l) => !weak.has(l.id)), weak: lines.filter((l) => weak.has(l.id)) };
  }

  /** Lays out the basis graph once: afterwards every node of it has a place. */
  #layoutBasis(basis: GraphResult): void {
    const leaves = basis.nodes.filter((n) => !basis.nodes.some((m) => m.parent === n.id)).map((n) => n.id);
    if (positions.knows(leaves)) return;
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add([
        ...nodeElements(basis.nodes, () => []),
        // The strongest lines only: the weak ones are not drawn either.
        ...(() => {
          const lines = drawnLines(basis.edges, () => '');
          const weak = weakLines(lines);
          return edgeElements(
            lines.filter((l) => !weak.has(l.id)),
            () => [],
          );
        })(),
      ]);
    });
    this.#runLayout();
  }

  /**
   * Places what has no position: a collapsed group at the centre of its members, the members of a group
   * expanded in place on a grid around it; then moves whole boxes apart until none overlaps another (the
   * groups just expanded stay where they are). Runs the layout only when nothing has a place yet.
   */
  #place(): void {
    const leaves = this.cy.nodes().filter((n) => n.isChildless());
    const unknown = leaves.filter((n) => !positions.has(n.id()));
    if (unknown.nonempty() && unknown.length === leaves.length && !this.#placeCollapsed(unknown)) {
      this.#runLayout();
      return;
    }
    const fixed = new Set<string>();
    this.cy.batch(() => {
      this.#placeCollapsed(unknown);
      for (const parent of this.cy.nodes(':parent').toArray()) {
        const children = parent.children().filter((c) => !positions.has(c.id()));
        if (children.empty()) continue;
        const centre = positions.get(parent.id()) ?? positions.centre(children.map((c) => c.id()));
        if (centre === undefined) continue;
        const grid = gridAround(
          centre,
          children.map((c) => ({ id: c.id(), w: Number(c.data('w')) })),
        );
        children.forEach((c) => {
          const p = grid.get(c.id());
          if (p !== undefined) c.position(p);
        });
        fixed.add(parent.id());
      }
    });
    // What was placed now becomes its home; making room moves boxes for this drawing only, so that they
    // go back home when the group that pushed them collapses again.
    unknown.forEach((n) => {
      positions.set(n.id(), n.position());
    });
    for (const n of this.cy.nodes(':parent').toArray())
      if (!positions.has(n.id())) positions.set(n.id(), n.position());
    this.#separate(fixed);
  }

  /** Collapsed groups without a place go to their members' centre; whether every unknown one got a place. */
  #placeCollapsed(unknown: cytoscape.NodeCollection): boolean {
    let all = true;
    unknown.forEach((n) => {
      const g = this.#nodes.get(n.id());
      if (
        g === undefined ||
        (g.kind !== 'collapsed-namespace' && g.kind !== 'collapsed-outside' && g.kind !== 'collapsed-nodes')
      ) {
        all = false;
        return;
      }
      const members = this.#membersOf(g.id);
      const c = positions.get(g.id) ?? positions.centre(members);
      if (c === undefined) all = false;
      else n.position(c);
    });
    return all;
  }

  /** Ids whose cached positions say where a group was: its members when expanded before. */
  #membersOf(group: string): string[] {
    if (this.#members !== undefined && group !== OUTSIDE && group !== NODES && group !== BY_NAME)
      return [...this.#members(group)];
    const prefix = group.startsWith('ns:') ? `${group.slice(3)}/` : group === BY_NAME ? 'dns:' : 'external:';
    return [...positions.ids()].filter((id) => id.startsWith(prefix));
  }

  /** Moves top-level boxes apart until none overlaps another; `fixed` ones stay. */
  #separate(fixed: ReadonlySet<string>): void {
    const tops = this.cy.nodes().orphans();
    const boxes = tops.map((n) => boxOf(n.id(), n.boundingBox({ includeLabels: true })));
    if (!anyOverlap(boxes)) return;
    const moved = separate(boxes, fixed);
    this.cy.batch(() => {
      for (const [id, p] of moved) {
        const n = this.cy.getElementById(id);
        const b = boxes.find((x) => x.id === id)!;
        const d = { x: p.x - b.x, y: p.y - b.y };
        const leaves = n.isParent() ? n.descendants() : n;
        leaves.forEach((c) => {
          const q = c.position();
          c.position({ x: q.x + d.x, y: q.y + d.y });
        });
      }
    });
  }

  #runLayout(): void {
    const elements = this.cy.elements().length;
    if (this.#isOverview()) {
      // Forces would take seconds and give another picture on every load: a grid in reading order instead.
      const rank = (n: cytoscape.NodeSingular): string => {
        const kind = String(n.data('kind'));
        return `${kind === 'collapsed-namespace' ? 0 : kind === 'collapsed-outside' || kind === 'collapsed-nodes' ? 1 : kind === 'domain' ? 3 : 2}${n.id()}`;
      };
      const nodes = this.cy.nodes().sort((a, b) => rank(a).localeCompare(rank(b)));
      const grid = readingGrid(
        nodes.map((n) => boxOf(n.id(), n.boundingBox({ includeLabels: true }))),
        { w: this.cy.width(), h: this.cy.height() - 36 },
      );
      this.cy.batch(() => {
        for (const [id, p] of grid) this.cy.getElementById(id).position(p);
      });
    } else this.cy.layout(fcoseOptions(elements)).run();
    this.#remember();
    for (const n of this.cy.nodes(':parent').toArray()) positions.set(n.id(), n.position());
  }

  /** Lays the drawn graph out again, from scratch when asked; the new places replace the old ones. */
  layout(fresh = false): void {
    if (fresh) {
      const start = initialPositions([...this.#nodes.values()]);
      this.cy.nodes().forEach((n) => {
        const p = start.get(n.id());
        if (p !== undefined && n.isChildless()) n.position(p);
      });
    }
    this.#runLayout();
    this.fit();
  }

  /**
   * Marks the selection: a node (or a line) and its neighbourhood stay, with their lines' labels; the rest
   * is dimmed. A selected group keeps its members and their neighbours. The main instance is left as it is
   * (the dimming is a CSS opacity, the neighbourhood is drawn above): the frame that shows a selection draws
   * a few dozen elements, whatever the size of the graph.
   */
  select(ids: readonly string[]): void {
    // Already shown (a click marks the canvas before the URL follows and asks again).
    if (this.#shown !== undefined && sameList(this.#shown, ids)) return;
    this.#select(ids);
    this.#hold();
  }

  #select(ids: readonly string[]): void {
    this.#selected = ids;
    this.#shown = ids;
    const weak = this.#weakFor(ids);
    const pickedIds = new Set(ids.map((id) => this.#lineOf.get(id) ?? id));
    // The weak lines in the main instance (for the pointer) belong to the last selection: not read here.
    const isWeak = (e: cytoscape.SingularElementArgument): boolean => this.#weakIds.has(e.id());
    const picked = this.cy.collection();
    for (const id of pickedIds) picked.merge(this.cy.getElementById(id));
    let near: Collection | undefined;
    const core = picked.filter((e) => !isWeak(e)).union(picked.nodes().descendants());
    if (!core.empty() || weak.size > 0) {
      const lines = core
        .edges()
        .union(core.nodes().connectedEdges())
        .filter((e) => !isWeak(e));
      let around = core.union(lines).union(lines.connectedNodes());
      for (const l of weak.values())
        around = around.union(this.cy.getElementById(l.source)).union(this.cy.getElementById(l.target));
      near = around.union(around.nodes().ancestors());
    }
    this.#picked = pickedIds;
    this.#near = near;
    this.#nearWeak = weak;
    this.#nearIds = near === undefined ? undefined : new Set([...near.map((e) => e.id()), ...weak.keys()]);
    // On the parent: cytoscape watches its container's attributes and redraws everything when they change.
    this.#parent.classList.toggle('canvas-dimmed', near !== undefined);
    this.#drawOverlay();
    this.#scheduleTitles();
  }

  /** The weak lines a selection shows: a picked line, the lines of picked nodes (and of their members). */
  #weakFor(ids: readonly string[]): Map<string, DrawnEdge> {
    const need = new Map<string, DrawnEdge>();
    for (const id of ids) {
      const lineId = this.#lineOf.get(id) ?? id;
      const line = this.#lines.get(lineId);
      if (line !== undefined && this.#weakIds.has(lineId)) need.set(lineId, line);
      const node = this.cy.getElementById(id);
      if (!node.isNode()) continue;
      for (const n of node.union(node.descendants()).toArray())
        for (const l of this.#weak.get(n.id()) ?? []) need.set(l.id, l);
    }
    return need;
  }

  /**
   * Holds the main instance's drawing until after the frame that shows the selection. Cytoscape redraws all
   * of it after any click on a node (the node's pressed state, then its release), which at 5,000 workloads
   * took longer than the rest of that frame, for a change nobody sees under the dimming and the copy above.
   * After the frame, the main instance draws again, in a frame of its own, with the weak lines the
   * selection shows (in it for the pointer: hover, click) and without those of the last one.
   */
  #hold(): void {
    if (!this.#held) {
      this.#held = true;
      this.cy.startBatch();
    }
    if (this.#release !== 0) return;
    this.#release = requestAnimationFrame(() =>
      setTimeout(() => {
        this.#release = 0;
        this.#unhold();
        if (!this.cy.destroyed()) this.#syncWeak();
      }, 0),
    );
  }

  #unhold(): void {
    if (!this.#held || this.cy.destroyed()) return;
    this.#held = false;
    this.cy.endBatch();
  }

  #syncWeak(): void {
    const need = this.#nearWeak;
    const gone = this.#added.filter((e) => !need.has(e.id()));
    const have = new Set(this.#added.map((e) => e.id()));
    const add = [...need.values()].filter((l) => !have.has(l.id));
    if (gone.empty() && add.length === 0) return;
    this.cy.batch(() => {
      gone.remove();
      this.#added = this.#added.difference(gone);
      // Drawn (a weak line is not, unless a selection shows it), under the dimming and the copy above.
      if (add.length > 0)
        this.#added = this.#added.union(
          this.cy.add(edgeElements(add, this.#edgeClasses, this.#weakIds, this.#crowded, ['selected-near'])),
        );
    });
  }

  /** Whether an element is dimmed: a selection is shown and the element is not in its neighbourhood. */
  #isDimmed(id: string): boolean {
    return this.#nearIds !== undefined && !this.#nearIds.has(id);
  }

  #scheduleOverlay(): void {
    if (this.#near === undefined || this.#overlayFrame !== 0) return;
    this.#overlayFrame = requestAnimationFrame(() => {
      this.#overlayFrame = 0;
      this.#drawOverlay();
    });
  }

  #followViewport(): void {
    if (this.#overlay !== undefined && this.#near !== undefined)
      this.#overlay.viewport({ zoom: this.cy.zoom(), pan: this.cy.pan() });
  }

  /** The passive instance that draws the selection (made once, ahead of the first click when the page is idle). */
  #ensureOverlay(): Core {
    return (this.#overlay ??= cytoscape({
      container: this.#layer,
      style: style(true),
      minZoom: 0.05,
      maxZoom: 3,
      userZoomingEnabled: false,
      userPanningEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: true,
      autounselectify: true,
    }));
  }

  /**
   * Draws the neighbourhood above the dimmed canvas: copies of its elements, where they are drawn below,
   * marked (the selected ones, the lines labelled), and the weak lines it shows.
   */
  #drawOverlay(): void {
    const near = this.#near;
    if (near === undefined || this.cy.destroyed()) {
      this.#overlay?.elements().remove();
      this.#whenDrawn();
      return;
    }
    const overlay = this.#ensureOverlay();
    const picked = this.#picked;
    const mark = (id: string, classes: string[]): string[] =>
      picked.has(id) ? [...classes, 'selected'] : classes;
    const fs = LABEL_PX / this.cy.zoom();
    const elements: ElementDefinition[] = [];
    near.nodes().forEach((n) => {
      const data: Record<string, unknown> = { ...(n.data() as Record<string, unknown>) };
      delete data.parent;
      if (n.isParent()) {
        // A group: a box where the group is drawn below (only some of its members are copied).
        const b = n.boundingBox({ includeLabels: false, includeOverlays: false });
        elements.push({
          group: 'nodes',
          data: { ...data, bw: b.w - 1, bh: b.h - 1 },
          classes: mark(n.id(), [...n.classes(), 'group-box']),
          position: { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 },
        });
      } else
        elements.push({
          group: 'nodes',
          data,
          classes: mark(n.id(), n.classes()),
          position: { ...n.position() },
        });
    });
    const nearMarks = ['selected-near', 'labelled'];
    near.edges().forEach((e) => {
      const data = e.data() as EdgeDataDefinition;
      elements.push({
        group: 'edges',
        data: { ...data, fs },
        classes: mark(e.id(), [...e.classes().filter((c) => c !== 'labelled'), ...nearMarks]),
      });
    });
    for (const d of edgeElements(
      [...this.#nearWeak.values()],
      this.#edgeClasses,
      this.#weakIds,
      this.#crowded,
      nearMarks,
    ))
      elements.push({
        ...d,
        data: { ...d.data, fs },
        classes: mark(String(d.data.id), d.classes as string[]),
      });
    overlay.batch(() => {
      overlay.elements().remove();
      overlay.add(elements);
    });
    overlay.viewport({ zoom: this.cy.zoom(), pan: this.cy.pan() });
    this.#whenDrawn();
  }

  /** Notes the selection as drawn once the overlay's next frame is (what `__netfence.drawn()` reports). */
  #whenDrawn(): void {
    const shown = this.#shown ?? [];
    const done = (): void => {
      if (this.#shown === shown) this.#drawn = shown;
    };
    // Nothing to draw above: the frame that changes the opacity below shows it.
    if (this.#near === undefined || this.#overlay === undefined) requestAnimationFrame(done);
    else this.#overlay.one('render', done);
  }

  /** Highlights nodes that match a search (restyling only those whose mark changes). */
  mark(ids: ReadonlySet<string>): void {
    const was = this.#matched;
    if (was.size === ids.size && [...ids].every((id) => was.has(id))) return;
    this.#matched = new Set(ids);
    this.cy.batch(() => {
      for (const id of was) if (!ids.has(id)) this.cy.getElementById(id).removeClass('match');
      for (const id of ids) if (!was.has(id)) this.cy.getElementById(id).addClass('match');
    });
  }

  /** Brings a node into view when it is out of it (never moves what the user is already looking at). */
  center(id: string): void {
    const el = this.cy.getElementById(id);
    if (el.empty()) return;
    const box = el.renderedBoundingBox();
    const w = this.cy.width();
    const h = this.cy.height();
    if (box.x1 >= 0 && box.y1 >= 0 && box.x2 <= w && box.y2 <= h) return;
    this.cy.animate({ center: { eles: el } }, { duration: 250 });
  }

  /**
   * Fits the drawing in the view. An overview too large to read whole starts at a readable zoom instead:
   * at its top left, or around the group expanded in it; `whole` (the Fit button) shows all of it.
   */
  fit(whole = false): void {
    // Room at the top for the status line.
    this.cy.fit(undefined, 36);
    if (!whole && this.cy.zoom() < READABLE_ZOOM && this.#isOverview(true)) {
      const open = this.cy.nodes(':parent');
      if (open.nonempty()) {
        this.cy.fit(open, 48);
        this.cy.zoom({
          level: Math.min(1.2, Math.max(READABLE_ZOOM, this.cy.zoom())),
          renderedPosition: { x: this.cy.width() / 2, y: this.cy.height() / 2 },
        });
        this.cy.center(open);
      } else {
        const b = this.cy.elements().boundingBox({ includeLabels: true });
        this.cy.zoom(READABLE_ZOOM);
        // Below the status line (two lines on the overview).
        this.cy.pan({ x: 24 - b.x1 * READABLE_ZOOM, y: 100 - b.y1 * READABLE_ZOOM });
      }
    }
    this.#zoomLabels();
  }

  /**
   * Whether the drawing is a large overview (groups, not workloads): laid out as a grid in reading order;
   * `expanded` counts one group expanded in it as an overview still.
   */
  #isOverview(expanded = false): boolean {
    const parents = this.cy.nodes(':parent');
    if (parents.nonempty() && !(expanded && parents.length === 1)) return false;
    return this.cy.elements().length > HUGE_LAYOUT;
  }

  #scheduleTitles(): void {
    if (this.#frame !== 0) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#drawTitles();
    });
  }

  /** Group titles above the edges: where cytoscape would draw them (above the box), scaled with the zoom. */
  #drawTitles(): void {
    if (this.cy.destroyed()) return;
    const zoom = this.cy.zoom();
    // The groups drawn (found once per drawing: a selector over every node costs at every frame).
    const parents = (this.#parents ??= this.cy.nodes(':parent').toArray());
    const have = new Map(
      [...this.#titles.children].map((c) => [(c as HTMLElement).dataset.id ?? '', c as HTMLElement]),
    );
    for (const p of parents) {
      let el = have.get(p.id());
      have.delete(p.id());
      if (el === undefined) {
        el = h('span', { class: 'graph-title', 'data-id': p.id() });
        this.#titles.append(el);
      }
      el.textContent = String(p.data('label'));
      const b = p.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
      const width = Number(p.data('minw')) - 24;
      el.style.transform = `translate(${(b.x1 + b.x2) / 2 - (width / 2 + 4) * zoom}px, ${b.y2 - 17 * zoom}px) scale(${zoom})`;
      el.classList.toggle('dimmed', this.#isDimmed(p.id()));
    }
    for (const el of have.values()) el.remove();
  }

  #zoomTimer: ReturnType<typeof setTimeout> | undefined;
  #zoomLabelled = false;

  #scheduleZoomLabels(): void {
    clearTimeout(this.#zoomTimer);
    this.#zoomTimer = setTimeout(() => this.#zoomLabels(), 120);
  }

  /** Shows every line's label when, at this zoom, all of them fit without overlapping each other or a node. */
  #zoomLabels(): void {
    if (this.cy.destroyed()) return;
    const edges = this.cy.edges();
    const zoom = this.cy.zoom();
    let fit = edges.nonempty() && edges.length <= MAX_ZOOM_LABELS;
    if (fit) {
      const size = LABEL_PX / zoom;
      const labels = edges.map((e) => {
        const m = e.midpoint();
        const text = String(e.data('label'));
        return { id: e.id(), x: m.x, y: m.y, w: (text.length * 0.62 + 0.6) * size, h: size * 1.5 };
      });
      const obstacles = this.cy
        .nodes()
        .filter((n) => n.isChildless())
        .map((n) => boxOf(n.id(), n.boundingBox({ includeLabels: false })));
      fit = labelsFit(labels, obstacles);
    }
    // Labels keep their size on screen whatever the zoom (only those drawn: restyling costs).
    this.cy.batch(() => {
      if (fit || this.#zoomLabelled) edges.toggleClass('zoom-label', fit);
      this.#zoomLabelled = fit;
      (fit ? edges : edges.filter('.labelled, .selected')).data('fs', LABEL_PX / zoom);
    });
    // The neighbourhood's labels, drawn above, take the new size too.
    this.#scheduleOverlay();
  }

  #publish(): void {
    const w = window as unknown as {
      __netfence?: { graph: () => GraphSnapshot; selection: () => string[]; drawn: () => string[] };
    };
    w.__netfence = {
      graph: () => this.snapshot(),
      selection: () => [...(this.#shown ?? [])],
      drawn: () => [...this.#drawn],
    };
  }

  /** What is drawn (empty once destroyed: a view being replaced). */
  snapshot(): GraphSnapshot {
    const cy = this.cy;
    if (cy.destroyed()) return { nodes: [], edges: [], notDrawn: [], titles: [], zoom: 1 };
    const rect = (r: { x1: number; y1: number; x2: number; y2: number }): Rect => ({
      x1: r.x1,
      y1: r.y1,
      x2: r.x2,
      y2: r.y2,
    });
    const edges: GraphSnapshot['edges'] = [];
    const notDrawn: GraphSnapshot['notDrawn'] = [];
    for (const line of this.#lines.values()) {
      // The neighbourhood's lines as drawn above the dimmed canvas (a weak line only there, or nowhere).
      const above = this.#nearIds?.has(line.id) === true ? this.#overlay?.getElementById(line.id) : undefined;
      const e = above ?? (this.#weakIds.has(line.id) ? cy.collection() : cy.getElementById(line.id));
      if (e.empty()) {
        notDrawn.push({ id: line.id, source: line.source, target: line.target });
        continue;
      }
      const dimmed = this.#isDimmed(line.id);
      const shown = !dimmed && String(e.style('label')) !== '' && Number(e.style('opacity')) > 0.5;
      const labelBox = shown
        ? rect(e.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true }))
        : null;
      for (const x of line.edges)
        edges.push({
          id: x.id,
          label: x.label,
          classes: dimmed ? [...e.classes(), 'dimmed'] : e.classes(),
          midpoint: e.renderedMidpoint(),
          labelBox,
        });
    }
    const canvasBox = this.element.getBoundingClientRect();
    const titles = [...this.#titles.children].map((c) => {
      const el = c as HTMLElement;
      const r = el.getBoundingClientRect();
      const b = cy.getElementById(el.dataset.id ?? '').renderedBoundingBox({ includeLabels: false });
      const box = {
        x1: r.left - canvasBox.left,
        y1: r.top - canvasBox.top,
        x2: r.right - canvasBox.left,
        y2: r.bottom - canvasBox.top,
      };
      return {
        id: el.dataset.id ?? '',
        text: el.textContent ?? '',
        box,
        // Wider than its box, or cut by the canvas's edge.
        clipped:
          box.x1 < b.x1 - 0.5 ||
          box.x2 > b.x2 + 0.5 ||
          box.x1 < 0 ||
          box.y1 < 0 ||
          box.x2 > canvasBox.width ||
          box.y2 > canvasBox.height,
      };
    });
    return {
      nodes: cy.nodes().map((n) => ({
        id: n.id(),
        label: String(n.data('label')),
        parent: n.isChild() ? n.parent().first().id() : null,
        classes: [
          ...n.classes(),
          ...(this.#picked.has(n.id()) ? ['selected'] : []),
          ...(this.#isDimmed(n.id()) ? ['dimmed'] : []),
        ],
        position: { ...n.position() },
        box: rect(n.renderedBoundingBox({ includeLabels: false })),
      })),
      edges,
      notDrawn,
      titles,
      zoom: cy.zoom(),
    };
  }

  /** Re-reads the theme's colours. */
  restyle(): void {
    this.cy.style(style());
    this.#overlay?.style(style(true));
  }

  destroy(): void {
    // Stop pending animations first: one finishing after destroy() touches the torn-down renderer.
    cancelAnimationFrame(this.#frame);
    cancelAnimationFrame(this.#overlayFrame);
    clearTimeout(this.#zoomTimer);
    this.#overlay?.destroy();
    this.#layer.remove();
    this.cy.stop(true, true);
    this.cy.elements().stop(true, true);
    this.cy.destroy();
    this.element.remove();
    this.#titles.remove();
    this.#tooltip.remove();
  }
}
