/**
 * The graph renderer: cytoscape.js with the fCoSE layout (compound nodes for namespaces), themed from the
 * page's CSS variables. Positions are remembered by node id across renders and views, so that filtering,
 * switching views or reloading never reshuffles what the user has already placed in their head.
 */
import cytoscape, {
  type Core,
  type ElementDefinition,
  type EventObject,
  type LayoutOptions,
  type StylesheetJson,
} from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { GraphEdge, GraphNode, GraphResult } from '../lib/graph.ts';
import { h } from './dom.ts';

cytoscape.use(fcose);

/** Positions by node id, shared by every canvas of the page. */
const positions = new Map<string, { x: number; y: number }>();

export interface CanvasHandlers {
  onNode?: (id: string, node: GraphNode) => void;
  onEdge?: (edge: GraphEdge) => void;
  onBackground?: () => void;
  /** Double click on a namespace or the outside group: collapse or expand it. */
  onToggleGroup?: (id: string) => void;
}

export interface Decorations {
  nodeClasses?: (n: GraphNode) => string[];
  edgeClasses?: (e: GraphEdge) => string[];
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function style(): StylesheetJson {
  const v = cssVar;
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-family': v('--font'),
        'font-size': 12,
        color: v('--fg'),
        'text-valign': 'center',
        'text-halign': 'center',
        shape: 'round-rectangle',
        width: 'data(w)',
        height: 26,
        'background-color': v('--node-isolated'),
        'border-width': 1,
        'border-color': v('--node-border'),
      },
    },
    {
      selector: 'node[ingress = "open"], node[ingress = "not-isolated"]',
      style: { 'background-color': v('--node-open') },
    },
    { selector: 'node[ingress = "partly"]', style: { 'background-color': v('--node-partly') } },
    { selector: 'node[ingress = "host-network"]', style: { 'background-color': v('--node-host') } },
    {
      selector: 'node:parent',
      style: {
        'text-valign': 'top',
        'text-halign': 'center',
        'font-weight': 'bold',
        'font-size': 12,
        'background-color': v('--group-bg'),
        'background-opacity': 1,
        'border-color': v('--group-border'),
        'border-width': 1,
        shape: 'round-rectangle',
        'padding-top': '10px',
        'padding-bottom': '10px',
        'padding-left': '10px',
        'padding-right': '10px',
        'text-margin-y': -4,
      },
    },
    {
      selector: 'node[kind = "collapsed-namespace"], node[kind = "collapsed-outside"]',
      style: {
        'font-weight': 'bold',
        'font-size': 12,
        height: 34,
        'background-color': v('--group-bg'),
        'border-width': 2,
        'border-style': 'double',
        'border-color': v('--group-border'),
      },
    },
    {
      selector: 'node[kind = "outside"]',
      style: { 'border-style': 'dashed', 'background-color': v('--outside-bg') },
    },
    {
      selector: 'node[kind = "external"], node[kind = "collapsed-outside"]',
      style: { shape: 'round-tag', 'background-color': v('--outside-node'), 'border-style': 'dashed' },
    },
    {
      selector: 'edge',
      style: {
        width: 1.6,
        'curve-style': 'bezier',
        'line-color': v('--edge'),
        'target-arrow-color': v('--edge'),
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.9,
        label: 'data(label)',
        'font-family': v('--font'),
        'font-size': 10,
        color: v('--fg-muted'),
        'text-rotation': 'autorotate',
        'text-background-color': v('--bg'),
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
        'min-zoomed-font-size': 7,
        'loop-direction': '-45deg',
        'loop-sweep': '-60deg',
      },
    },
    {
      selector: 'edge.open',
      style: {
        width: 1,
        'line-style': 'dashed',
        'line-color': v('--edge-open'),
        'target-arrow-color': v('--edge-open'),
        label: '',
      },
    },
    {
      selector: 'edge.st-observed',
      style: { 'line-color': v('--ok'), 'target-arrow-color': v('--ok'), width: 2.5, 'line-style': 'solid' },
    },
    {
      selector: 'edge.st-partly-observed',
      style: {
        'line-color': v('--partly'),
        'target-arrow-color': v('--partly'),
        width: 2.5,
        'line-style': 'solid',
      },
    },
    {
      selector: 'edge.st-unobserved',
      style: {
        'line-color': v('--warn'),
        'target-arrow-color': v('--warn'),
        width: 1.5,
        'line-style': 'dotted',
      },
    },
    {
      selector: 'edge.st-denied',
      style: {
        'line-color': v('--bad'),
        'target-arrow-color': v('--bad'),
        width: 2.5,
        'line-style': 'dashed',
        label: 'data(label)',
      },
    },
    {
      selector: 'edge.ch-added',
      style: {
        'line-color': v('--ok'),
        'target-arrow-color': v('--ok'),
        width: 3,
        'line-style': 'solid',
        label: 'data(label)',
      },
    },
    {
      selector: 'edge.ch-removed',
      style: {
        'line-color': v('--bad'),
        'target-arrow-color': v('--bad'),
        width: 3,
        'line-style': 'dashed',
        label: 'data(label)',
      },
    },
    {
      selector: 'edge.ch-changed',
      style: {
        'line-color': v('--changed'),
        'target-arrow-color': v('--changed'),
        width: 3,
        'line-style': 'solid',
        label: 'data(label)',
      },
    },
    { selector: '.faded', style: { opacity: 0.18 } },
    {
      selector: 'edge.path',
      style: {
        'line-color': v('--bad'),
        'target-arrow-color': v('--bad'),
        width: 3,
        'line-style': 'solid',
        opacity: 1,
        label: 'data(label)',
        'z-index': 10,
      },
    },
    {
      selector: 'edge.tree',
      style: {
        'line-color': v('--hop-edge'),
        'target-arrow-color': v('--hop-edge'),
        width: 2.5,
        'line-style': 'solid',
        opacity: 1,
        label: 'data(label)',
      },
    },
    {
      selector: 'node.hop-0',
      style: { 'background-color': v('--hop0'), color: '#fff', 'font-weight': 'bold' },
    },
    { selector: 'node.hop-1', style: { 'background-color': v('--hop1') } },
    { selector: 'node.hop-2', style: { 'background-color': v('--hop2') } },
    { selector: 'node.hop-3', style: { 'background-color': v('--hop3') } },
    { selector: 'node.unreached', style: { 'background-color': v('--node-host'), opacity: 0.45 } },
    {
      selector: 'node.target',
      style: { 'border-width': 3, 'border-color': v('--bad'), 'border-style': 'double' },
    },
    { selector: 'node.match', style: { 'border-width': 3, 'border-color': v('--accent') } },
    {
      selector: 'node.selected',
      style: {
        'border-width': 3,
        'border-color': v('--accent'),
        'overlay-color': v('--accent'),
        'overlay-opacity': 0.12,
      },
    },
    {
      selector: 'edge.selected',
      style: {
        width: 4,
        'line-color': v('--accent'),
        'target-arrow-color': v('--accent'),
        label: 'data(label)',
        'z-index': 20,
        opacity: 1,
      },
    },
  ];
}

/** What the graph shows, for the browser tests and for debugging from the console: `__netfence.graph()`. */
export interface GraphSnapshot {
  nodes: { id: string; label: string; classes: string[] }[];
  edges: { id: string; label: string; classes: string[]; midpoint: { x: number; y: number } }[];
}

function publish(cy: Core): void {
  const w = window as unknown as { __netfence?: { graph: () => GraphSnapshot } };
  w.__netfence = {
    // A view being replaced has destroyed its graph: report it empty until the next one is published.
    graph: () =>
      cy.destroyed()
        ? { nodes: [], edges: [] }
        : {
            nodes: cy
              .nodes()
              .map((n) => ({ id: n.id(), label: String(n.data('label')), classes: n.classes() })),
            edges: cy.edges().map((e) => ({
              id: e.id(),
              label: String(e.data('label')),
              classes: e.classes(),
              midpoint: e.renderedMidpoint(),
            })),
          },
  };
}

function targetId(e: EventObject): string {
  return (e.target as { id(): string }).id();
}

/** A node's width from its label (cytoscape's `width: label` is deprecated, and the layout needs sizes). */
function labelWidth(n: GraphNode): number {
  const bold = n.kind === 'collapsed-namespace' || n.kind === 'collapsed-outside';
  return Math.round(Math.max(40, n.label.length * (bold ? 7.8 : 7.2) + 22));
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

export class Canvas {
  readonly cy: Core;
  readonly element: HTMLElement;
  readonly #tooltip: HTMLElement;
  #nodes = new Map<string, GraphNode>();
  #edges = new Map<string, GraphEdge>();
  #shape = '';

  constructor(parent: HTMLElement, handlers: CanvasHandlers) {
    this.element = h('div', {
      class: 'canvas',
      role: 'img',
      'aria-label':
        'Connectivity graph. The side panels list the same workloads and connections for keyboard use.',
    });
    this.#tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
    parent.append(this.element, this.#tooltip);
    this.cy = cytoscape({
      container: this.element,
      style: style(),
      wheelSensitivity: 0.3,
      minZoom: 0.1,
      maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: false,
    });
    this.cy.on('tap', 'node', (e) => {
      const n = this.#nodes.get(targetId(e));
      if (n !== undefined) handlers.onNode?.(n.id, n);
    });
    this.cy.on('tap', 'edge', (e) => {
      const edge = this.#edges.get(targetId(e));
      if (edge !== undefined) handlers.onEdge?.(edge);
    });
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) handlers.onBackground?.();
    });
    this.cy.on('dbltap', 'node', (e) => {
      const n = this.#nodes.get(targetId(e));
      if (n !== undefined && n.kind !== 'workload' && n.kind !== 'external') handlers.onToggleGroup?.(n.id);
    });
    this.cy.on('dragfree', 'node', () => {
      this.cy.nodes().forEach((n) => {
        positions.set(n.id(), { ...n.position() });
      });
    });
    this.cy.on('mouseover', 'node, edge', (e) => {
      const id = targetId(e);
      const text =
        this.#nodes.get(id)?.title ??
        (() => {
          const edge = this.#edges.get(id);
          if (edge === undefined) return '';
          return `${edge.count} connection${edge.count === 1 ? '' : 's'}: ${edge.members.length === 1 ? edge.members[0]!.summary : edge.label}`;
        })();
      if (text === '') return;
      this.#tooltip.textContent = text;
      this.#tooltip.hidden = false;
      const p = e.renderedPosition ?? { x: 0, y: 0 };
      this.#tooltip.style.left = `${p.x + 14}px`;
      this.#tooltip.style.top = `${p.y + 14}px`;
    });
    const hide = (): void => {
      this.#tooltip.hidden = true;
    };
    this.cy.on('mouseout', 'node, edge', hide);
    this.cy.on('tap', hide);
    this.element.addEventListener('mouseleave', hide);
  }

  /** Draws a graph; lays it out only when its set of nodes changed. */
  render(graph: GraphResult, decorations: Decorations = {}): void {
    this.#nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    this.#edges = new Map(graph.edges.map((e) => [e.id, e]));
    const shape = graph.nodes.map((n) => `${n.id}@${n.parent ?? ''}`).join('|');
    const start = initialPositions(graph.nodes);
    const elements: ElementDefinition[] = [
      ...graph.nodes.map((n) => ({
        group: 'nodes' as const,
        data: {
          id: n.id,
          label: n.label,
          kind: n.kind,
          ingress: n.ingress ?? '',
          w: labelWidth(n),
          ...(n.parent === null ? {} : { parent: n.parent }),
        },
        classes: decorations.nodeClasses?.(n) ?? [],
        position: positions.get(n.id) ?? start.get(n.id) ?? { x: 0, y: 0 },
      })),
      ...graph.edges.map((e) => ({
        group: 'edges' as const,
        data: { id: e.id, source: e.source, target: e.target, label: e.label },
        classes: [...(e.open ? ['open'] : []), ...(decorations.edgeClasses?.(e) ?? [])],
      })),
    ];
    const relayout = shape !== this.#shape;
    this.#shape = shape;
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(elements);
    });
    publish(this.cy);
    const leaves = graph.nodes.filter((n) => !graph.nodes.some((m) => m.parent === n.id));
    const known = leaves.every((n) => positions.has(n.id));
    if (relayout && !known) this.layout();
    else if (relayout) this.cy.fit(undefined, 30);
  }

  /** Runs the layout from the current positions, and remembers the result. */
  layout(fresh = false): void {
    if (fresh) {
      const start = initialPositions([...this.#nodes.values()]);
      this.cy.nodes().forEach((n) => {
        const p = start.get(n.id());
        if (p !== undefined && n.isChildless()) n.position(p);
      });
    }
    // fCoSE's own options: cytoscape's types know only the built-in layouts.
    const options = {
      name: 'fcose',
      quality: 'proof',
      randomize: false,
      animate: false,
      fit: true,
      padding: 30,
      nodeDimensionsIncludeLabels: true,
      packComponents: true,
      nodeRepulsion: 16000,
      idealEdgeLength: 115,
      nodeSeparation: 90,
      edgeElasticity: 0.25,
      nestingFactor: 0.15,
      gravity: 0.2,
      gravityCompound: 1.0,
      numIter: 2500,
      tile: true,
      tilingPaddingVertical: 20,
      tilingPaddingHorizontal: 20,
    } as LayoutOptions;
    this.cy.layout(options).run();
    this.cy.nodes().forEach((n) => {
      positions.set(n.id(), { ...n.position() });
    });
  }

  /** Marks the selection (and fades what is not connected to a selected node, when asked). */
  select(ids: readonly string[]): void {
    this.cy.batch(() => {
      this.cy.elements().removeClass('selected');
      for (const id of ids) this.cy.getElementById(id).addClass('selected');
    });
  }

  /** Highlights nodes that match a search. */
  mark(ids: ReadonlySet<string>): void {
    this.cy.batch(() => {
      this.cy.nodes().forEach((n) => {
        if (ids.has(n.id())) n.addClass('match');
        else n.removeClass('match');
      });
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

  fit(): void {
    this.cy.fit(undefined, 30);
  }

  /** Re-reads the theme's colours. */
  restyle(): void {
    this.cy.style(style());
  }

  destroy(): void {
    // Stop pending animations first: one finishing after destroy() touches the torn-down renderer.
    this.cy.stop(true, true);
    this.cy.elements().stop(true, true);
    this.cy.destroy();
    this.element.remove();
    this.#tooltip.remove();
  }
}
