/**
 * The graph's colours, in both themes, chosen from the Okabe–Ito colour-blind-safe set: every legend entry
 * stays distinct under protanopia, deuteranopia and tritanopia (test/ui/lib.test.ts checks it with the
 * Machado et al. simulation), and the entries that could still be confused differ by a pattern as well
 * (a workload whose policies select some pods only is drawn half isolated, half open; unobserved
 * connections are dotted, denied ones dashed). app.css holds the same values as CSS variables.
 */

export type Theme = 'light' | 'dark';

export interface Palette {
  /** Workload fills by ingress exposure (`partly` is drawn as half `isolated`, half `open`). */
  nodeIsolated: string;
  nodeOpen: string;
  nodeHost: string;
  /** Connections: restricted by a policy; unrestricted (open to open). */
  edge: string;
  edgeOpen: string;
  /** A connection an Admin tier rule accepted (ClusterNetworkPolicy tier Admin, AdminNetworkPolicy). */
  edgeAdmin: string;
  /** Traffic statuses. */
  observed: string;
  partlyObserved: string;
  unobserved: string;
  denied: string;
}

export const PALETTES: Record<Theme, Palette> = {
  light: {
    nodeIsolated: '#cfe4f7',
    nodeOpen: '#f7c4a3',
    nodeHost: '#a8a8a8',
    edge: '#0b5d94',
    edgeOpen: '#a7acb3',
    edgeAdmin: '#b86e00',
    observed: '#007a58',
    partlyObserved: '#b5579a',
    unobserved: '#e3b505',
    denied: '#c2410c',
  },
  dark: {
    nodeIsolated: '#1f4e79',
    nodeOpen: '#8f4218',
    nodeHost: '#6a6d73',
    edge: '#7fbbe8',
    edgeOpen: '#5b626d',
    edgeAdmin: '#e69f00',
    observed: '#2fbf8f',
    partlyObserved: '#e08cc4',
    unobserved: '#f2d04b',
    denied: '#f07a45',
  },
};

/** The CSS variable of each palette entry. */
export const CSS_VARS: Record<keyof Palette, string> = {
  nodeIsolated: '--node-isolated',
  nodeOpen: '--node-open',
  nodeHost: '--node-host',
  edge: '--edge',
  edgeOpen: '--edge-open',
  edgeAdmin: '--edge-admin',
  observed: '--st-observed',
  partlyObserved: '--st-partly',
  unobserved: '--st-unobserved',
  denied: '--st-denied',
};

/** The entries a legend shows side by side and that must be told apart by colour alone. */
export const LEGEND_GROUPS: readonly (readonly (keyof Palette)[])[] = [
  ['nodeIsolated', 'nodeOpen', 'nodeHost'],
  ['edge', 'edgeOpen', 'edgeAdmin'],
  ['observed', 'partlyObserved', 'unobserved', 'denied'],
];

export type Vision = 'normal' | 'protanopia' | 'deuteranopia' | 'tritanopia';

/** Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB. */
const MACHADO: Record<Exclude<Vision, 'normal'>, readonly number[]> = {
  protanopia: [0.152286, 1.052583, -0.204868, 0.114503, 0.786281, 0.099216, -0.003882, -0.048116, 1.051998],
  deuteranopia: [0.367322, 0.860646, -0.227968, 0.280085, 0.672501, 0.047413, -0.01182, 0.04294, 0.968881],
  tritanopia: [1.255528, -0.076749, -0.178779, -0.078411, 0.930809, 0.147602, 0.004733, 0.691367, 0.3039],
};

function linear(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** A `#rrggbb` colour as CIELAB (D65), as seen with the given colour vision. */
export function lab(hex: string, vision: Vision = 'normal'): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  let rgb = [linear((n >> 16) & 255), linear((n >> 8) & 255), linear(n & 255)] as [number, number, number];
  if (vision !== 'normal') {
    const m = MACHADO[vision];
    const at = (i: number): number => m[i]!;
    const [r, g, b] = rgb;
    const clamp = (v: number): number => Math.min(1, Math.max(0, v));
    rgb = [
      clamp(at(0) * r + at(1) * g + at(2) * b),
      clamp(at(3) * r + at(4) * g + at(5) * b),
      clamp(at(6) * r + at(7) * g + at(8) * b),
    ];
  }
  const [r, g, b] = rgb;
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 / 116) * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** The CIE76 colour difference of two colours as seen with the given colour vision. */
export function difference(a: string, b: string, vision: Vision = 'normal'): number {
  const p = lab(a, vision);
  const q = lab(b, vision);
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}
