/**
 * The graph's look: cytoscape's stylesheet, themed from the page's CSS variables (whose graph colours come
 * from ui/lib/palette.ts, colour-blind safe in both themes).
 */
import type { StylesheetJson } from 'cytoscape';

export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * The stylesheet; `overlay`: the selection's layer (see Canvas), where a group the selection keeps is drawn
 * as the outline of the group drawn below (its other members show through from the dimmed canvas).
 */
export function style(overlay = false): StylesheetJson {
  const v = cssVar;
  const openness = `mapData(openShare, 0, 1, ${v('--edge')}, ${v('--st-unobserved')})`;
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
    {
      // Policies select some of its pods only: half isolated, half open (a pattern, not a third hue).
      selector: 'node[ingress = "partly"]',
      style: {
        'background-fill': 'linear-gradient',
        'background-gradient-direction': 'to-right',
        'background-gradient-stop-colors': [
          v('--node-isolated'),
          v('--node-isolated'),
          v('--node-open'),
          v('--node-open'),
        ],
        'background-gradient-stop-positions': [0, 50, 50, 100],
      },
    },
    {
      selector: 'node[ingress = "host-network"]',
      style: { 'background-color': v('--node-host'), 'border-style': 'dashed' },
    },
    {
      // The title takes its room above the box (so layouts keep it clear), but the canvas draws it, in
      // HTML above the edges: here it is transparent.
      selector: 'node:parent',
      style: {
        'text-valign': 'top',
        'text-halign': 'center',
        'font-weight': 'bold',
        'font-size': 12,
        'text-opacity': 0,
        'text-margin-y': -2,
        'min-width': 'data(minw)',
        'min-width-bias-left': '50%',
        'min-width-bias-right': '50%',
        'background-color': v('--group-bg'),
        'background-opacity': 1,
        'border-color': v('--group-border'),
        'border-width': 1,
        shape: 'round-rectangle',
        padding: '10px',
      },
    },
    ...(overlay
      ? [
          {
            selector: 'node.group-box',
            style: {
              width: 'data(bw)',
              height: 'data(bh)',
              'text-opacity': 0,
              // Its outline only: its other members show through, dimmed, from the canvas below.
              'background-opacity': 0,
              'border-color': v('--group-border'),
              'border-width': 1,
              shape: 'round-rectangle' as const,
              // Below the lines, as a compound node is.
              'z-compound-depth': 'bottom' as const,
            },
          },
        ]
      : []),
    {
      selector:
        'node[kind = "collapsed-namespace"], node[kind = "collapsed-outside"], node[kind = "collapsed-nodes"]',
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
      // A Node's address: in the cluster (a solid border, the groups' colour), not a pod (a barrel, unfilled).
      selector: 'node[kind = "node-address"], node[kind = "collapsed-nodes"]',
      style: { shape: 'barrel', 'background-color': v('--group-bg'), 'border-style': 'solid' },
    },
    {
      // A destination by DNS name: outside the cluster like an address range, but a name, not addresses.
      selector: 'node[kind = "domain"]',
      style: {
        shape: 'round-rectangle',
        'background-color': v('--outside-node'),
        'border-style': 'dotted',
        'border-width': 2,
        'border-color': v('--node-border'),
      },
    },
    {
      selector: 'edge.by-name',
      style: { 'line-style': 'dotted' },
    },
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        'curve-style': 'bezier',
        // Colour: how open an aggregated line is (the share of its connections neither end restricts).
        'line-color': openness,
        'target-arrow-color': openness,
        'source-arrow-color': openness,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.9,
        // Labels only when asked: hover, selection, or zoomed in far enough for all of them to fit.
        label: '',
        'font-family': v('--font'),
        'font-size': 'data(fs)',
        color: v('--fg-muted'),
        'text-rotation': 'none',
        'text-background-color': v('--bg'),
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
        'loop-direction': '-45deg',
        'loop-sweep': '-60deg',
      },
    },
    {
      selector: 'edge[?both]',
      style: { 'source-arrow-shape': 'triangle' },
    },
    {
      selector: 'edge.open',
      style: {
        width: 1,
        'line-style': 'dashed',
        'line-color': v('--edge-open'),
        'target-arrow-color': v('--edge-open'),
        'source-arrow-color': v('--edge-open'),
        label: '',
      },
    },
    {
      // An Admin tier rule accepted it: NetworkPolicies cannot narrow it. Its own hue and a thicker, cased line.
      selector: 'edge.tier-admin',
      style: {
        width: 3,
        'line-style': 'solid',
        'line-color': v('--edge-admin'),
        'target-arrow-color': v('--edge-admin'),
        'source-arrow-color': v('--edge-admin'),
        'line-outline-width': 1,
        'line-outline-color': v('--bg'),
      },
    },
    {
      selector: 'edge.st-observed',
      style: {
        'line-color': v('--st-observed'),
        'target-arrow-color': v('--st-observed'),
        'source-arrow-color': v('--st-observed'),
        width: 2.5,
        'line-style': 'solid',
      },
    },
    {
      selector: 'edge.st-partly-observed',
      style: {
        'line-color': v('--st-partly'),
        'target-arrow-color': v('--st-partly'),
        'source-arrow-color': v('--st-partly'),
        width: 2.5,
        'line-style': 'solid',
      },
    },
    {
      selector: 'edge.st-unobserved',
      style: {
        'line-color': v('--st-unobserved'),
        'target-arrow-color': v('--st-unobserved'),
        'source-arrow-color': v('--st-unobserved'),
        width: 1.5,
        'line-style': 'dotted',
      },
    },
    {
      selector: 'edge.st-denied',
      style: {
        'line-color': v('--st-denied'),
        'target-arrow-color': v('--st-denied'),
        'source-arrow-color': v('--st-denied'),
        width: 2.5,
        'line-style': 'dashed',
      },
    },
    {
      selector: 'edge.ch-added',
      style: {
        'line-color': v('--ok'),
        'target-arrow-color': v('--ok'),
        'source-arrow-color': v('--ok'),
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
        'source-arrow-color': v('--bad'),
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
        'source-arrow-color': v('--changed'),
        width: 3,
        'line-style': 'solid',
        label: 'data(label)',
      },
    },
    { selector: '.faded', style: { opacity: 0.18 } },
    // Hundreds of lines (an overview): faint, so that the nodes and the thick aggregates stand out.
    { selector: 'edge.crowded', style: { opacity: 0.3, 'arrow-scale': 0.6 } },
    { selector: 'edge.crowded.selected-near', style: { opacity: 1 } },
    // Beyond the strongest lines: drawn only for a selection.
    { selector: 'edge.weak', style: { display: 'none' } },
    { selector: 'edge.weak.selected-near', style: { display: 'element' } },
    { selector: 'edge.labelled, edge.zoom-label', style: { label: 'data(label)' } },
    {
      selector: 'edge.path',
      style: {
        'line-color': v('--bad'),
        'target-arrow-color': v('--bad'),
        'source-arrow-color': v('--bad'),
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
        'source-arrow-color': v('--hop-edge'),
        width: 2.5,
        'line-style': 'solid',
        opacity: 1,
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
        'source-arrow-color': v('--accent'),
        label: 'data(label)',
        'z-index': 20,
        opacity: 1,
      },
    },
  ];
}
