/**
 * Every view has a URL: the hash holds the view and its state (`#/graph?ns=shop&focus=shop/Deployment/api`),
 * so that a user can share exactly what they are looking at, and the back button goes back.
 */

export const VIEWS = ['graph', 'traffic', 'matrix', 'findings', 'paths', 'whatif'] as const;
export type View = (typeof VIEWS)[number];

export interface Route {
  view: View;
  params: Readonly<Record<string, string>>;
}

export const DEFAULT_ROUTE: Route = { view: 'graph', params: {} };

/** Reads `#/view?a=1&b=2`; anything unknown falls back to the graph. */
export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const name = q < 0 ? h : h.slice(0, q);
  const view = (VIEWS as readonly string[]).includes(name) ? (name as View) : 'graph';
  const params: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(h.slice(q + 1))) if (v !== '') params[k] = v;
  }
  return { view, params };
}

/** Writes a route; empty parameters are left out, the rest keep their order. */
export function formatRoute(route: Route): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(route.params)) if (v !== '') search.set(k, v);
  const s = search.toString().replaceAll('%2F', '/').replaceAll('%3A', ':').replaceAll('%2C', ',');
  return `#/${route.view}${s === '' ? '' : `?${s}`}`;
}

/** The same route with some parameters changed (an empty string or null removes one). */
export function withParams(route: Route, changes: Readonly<Record<string, string | null>>): Route {
  const params = new Map(Object.entries(route.params));
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') params.delete(k);
    else params.set(k, v);
  }
  return { view: route.view, params: Object.fromEntries(params) };
}

/** A comma-separated list parameter. */
export function listParam(route: Route, name: string): string[] {
  const v = route.params[name];
  return v === undefined ? [] : v.split(',').filter((s) => s !== '');
}

/** The `ns` filter: the namespaces shown, or null for every one (`-` shows none). */
export function shownNamespaces(route: Route): Set<string> | null {
  const v = route.params.ns;
  return v === undefined ? null : new Set(v === '-' ? [] : v.split(','));
}

/** What is selected in a view: a workload, an edge, a namespace (or the outside group), or a policy. */
export type Selection =
  { kind: 'node'; id: string } | { kind: 'edge'; src: string; dst: string } | { kind: 'policy'; id: string };

/** `node:shop/Deployment/web`, `edge:src>dst`, `policy:shop/allow-web`. */
export function parseSelection(text: string | undefined): Selection | null {
  if (text === undefined) return null;
  const i = text.indexOf(':');
  if (i < 0) return null;
  const kind = text.slice(0, i);
  const rest = text.slice(i + 1);
  if (kind === 'node' && rest !== '') return { kind: 'node', id: rest };
  if (kind === 'policy' && rest !== '') return { kind: 'policy', id: rest };
  if (kind === 'edge') {
    const j = rest.indexOf('>');
    if (j > 0 && j < rest.length - 1) return { kind: 'edge', src: rest.slice(0, j), dst: rest.slice(j + 1) };
  }
  return null;
}

export function formatSelection(s: Selection | null): string | null {
  if (s === null) return null;
  return s.kind === 'edge' ? `edge:${s.src}>${s.dst}` : `${s.kind}:${s.id}`;
}
