/**
 * The Attack paths view: pick a workload as compromised and see its blast radius hop by hop (the first hop
 * that reached each workload), and the shortest path to each chosen target. Without a pick, the workloads
 * ranked by blast radius.
 */
import { buildGraph, defaultCollapsed, namespaceGroup, OUTSIDE, type GraphNode } from '../lib/graph.ts';
import { hopsOf, layers, maxHops, pathText, reachSummary, targetEdges, treeEdges } from '../lib/paths.ts';
import { listParam, parseSelection, type Route } from '../lib/route.ts';
import type { ApiPathsJson as PathsJson } from '../../src/contract/api.ts';
import type { ViewContext, ViewInstance } from './app.ts';
import { Canvas } from './canvas.ts';
import { layoutBasis } from './graph.ts';
import { h, replace } from './dom.ts';
import { renderConnection, renderEmpty, renderPolicy, renderWorkload } from './inspect.ts';

const OUTSIDE_SOURCE = '0.0.0.0/0';

export function createPathsView(ctx: ViewContext, first: Route): ViewInstance {
  const { app } = ctx;
  let route = first;
  let data: PathsJson | undefined;
  let ranking: PathsJson | undefined;
  let failure: string | undefined;
  let queryKey = '';

  const workloads = [...app.model.workloads].sort((a, b) => (a.displayName < b.displayName ? -1 : 1));
  const from = h(
    'select',
    { id: 'p-from' },
    h('option', { value: '' }, '— pick a workload —'),
    h('option', { value: OUTSIDE_SOURCE }, 'an attacker outside the cluster'),
    workloads.map((w) => h('option', { value: w.id }, w.displayName)),
  );
  from.addEventListener('change', () => app.set({ from: from.value || null, hops: null, sel: null }));
  const to = h(
    'select',
    { id: 'p-to', multiple: true, size: 7 },
    workloads.map((w) => h('option', { value: w.id }, w.displayName)),
  );
  to.addEventListener('change', () =>
    app.set({ to: [...to.selectedOptions].map((o) => o.value).join(',') || null }),
  );
  const hops = h('div', { class: 'hops', role: 'group', 'aria-label': 'Hops shown' });
  const reachedList = h('div', { class: 'reached' });
  ctx.sidebar.append(
    h('div', { class: 'control' }, h('label', { for: 'p-from' }, 'Compromised'), from),
    h(
      'div',
      { class: 'control' },
      h('label', { for: 'p-to' }, 'Targets (shortest paths)'),
      to,
      h('small', { class: 'muted' }, 'Ctrl+click to pick several.'),
    ),
    h('div', { class: 'control' }, h('span', { class: 'label' }, 'Hop by hop'), hops),
    reachedList,
  );
  const status = h('div', { class: 'graph-status', role: 'status' });
  const canvas = new Canvas(ctx.stage, {
    onNode: (id) => app.set({ sel: `node:${id}` }),
    onEdge: (e) => app.set({ sel: `edge:${e.source}>${e.target}` }),
    onBackground: () => app.set({ sel: null }),
  });
  ctx.stage.append(status);

  function load(): void {
    const f = route.params.from;
    const targets = listParam(route, 'to');
    const key = `${f ?? ''}|${targets.join(',')}`;
    if (key === queryKey) return;
    queryKey = key;
    data = undefined;
    failure = undefined;
    if (f === undefined) {
      if (ranking === undefined) {
        app.api.paths([], []).then(
          (r) => {
            ranking = r;
            draw();
          },
          (error: unknown) => {
            failure = error instanceof Error ? error.message : String(error);
            draw();
          },
        );
      }
      return;
    }
    app.api.paths([f], targets).then(
      (r) => {
        if (queryKey !== key) return;
        data = r;
        draw();
      },
      (error: unknown) => {
        failure = error instanceof Error ? error.message : String(error);
        draw();
      },
    );
  }

  function draw(): void {
    load();
    from.value = route.params.from ?? '';
    const targets = new Set(listParam(route, 'to'));
    for (const o of to.options) o.selected = targets.has(o.value);
    const hopMap = data === undefined ? new Map<string, number>() : hopsOf(data);
    const deepest = data === undefined ? 0 : maxHops(data);
    const step = route.params.hops === undefined ? Infinity : Number(route.params.hops);
    replace(
      hops,
      data === undefined
        ? h('span', { class: 'muted small' }, 'Pick a compromised workload.')
        : [
            ...Array.from({ length: deepest }, (_, i) =>
              h(
                'button',
                {
                  type: 'button',
                  'aria-pressed': String(step === i + 1),
                  onclick: () => app.set({ hops: String(i + 1) }),
                },
                String(i + 1),
              ),
            ),
            h(
              'button',
              {
                type: 'button',
                'aria-pressed': String(step === Infinity),
                onclick: () => app.set({ hops: null }),
              },
              'all',
            ),
          ],
    );
    const collapsed = defaultCollapsed(app.model.namespaces, app.model.workloads.length);
    const f = route.params.from;
    const fw = app.model.workloads.find((w) => w.id === f);
    if (fw !== undefined) collapsed.delete(namespaceGroup(fw.namespace));
    if (f === OUTSIDE_SOURCE) collapsed.delete(OUTSIDE);
    const graph = buildGraph(app.graphInput(), {
      namespaces: null,
      labels: null,
      port: null,
      hideOpen: false,
      external: f === OUTSIDE_SOURCE,
      collapsed,
      focus: null,
    });
    const tree = data === undefined ? new Set<string>() : treeEdges(data, step);
    const path = data === undefined ? new Set<string>() : targetEdges(data);
    const hopOf = (n: GraphNode): number | undefined => {
      if (n.kind === 'workload') return hopMap.get(n.id);
      if (n.kind === 'collapsed-namespace') {
        const ns = n.id.slice(3);
        const hs = app.model.workloads
          .filter((w) => w.namespace === ns)
          .map((w) => hopMap.get(w.id))
          .filter((x) => x !== undefined);
        return hs.length === 0 ? undefined : Math.min(...hs);
      }
      return undefined;
    };
    canvas.render(
      graph,
      data === undefined
        ? { basis: layoutBasis(app) }
        : {
            basis: layoutBasis(app),
            nodeClasses: (n) => {
              if (n.kind === 'external') return f === OUTSIDE_SOURCE ? ['hop-0'] : [];
              if (n.kind !== 'workload' && n.kind !== 'collapsed-namespace') return [];
              const d = hopOf(n);
              const classes = d === undefined || d > step ? ['unreached'] : [`hop-${Math.min(d, 3)}`];
              if (targets.has(n.id)) classes.push('target');
              return classes;
            },
            edgeClasses: (e) => (path.has(e.id) ? ['path'] : tree.has(e.id) ? ['tree'] : ['faded']),
          },
    );
    if (data === undefined) {
      replace(
        status,
        failure ??
          (f === undefined
            ? 'Pick a compromised workload to see how far an attacker gets from it.'
            : 'Computing…'),
      );
      replace(reachedList);
    } else {
      const ids = new Set(app.model.workloads.map((w) => w.id));
      replace(
        status,
        reachSummary(data, step, (id) => ids.has(id)),
      );
      replace(
        reachedList,
        layers(data).map((ids, d) =>
          d === 0 || d > step
            ? null
            : h(
                'section',
                { class: 'hop-group' },
                h(
                  'h3',
                  {},
                  h('span', { class: `swatch hop-${Math.min(d, 3)}` }),
                  ` hop ${d} (${ids.length})`,
                ),
                h(
                  'ul',
                  { class: 'plain' },
                  ids.map((id) =>
                    h(
                      'li',
                      {},
                      h(
                        'button',
                        { type: 'button', class: 'linkish', onclick: () => app.set({ sel: `node:${id}` }) },
                        app.workloadName(id),
                      ),
                    ),
                  ),
                ),
              ),
        ),
        (data.targets ?? []).length === 0
          ? null
          : h(
              'section',
              { class: 'hop-group' },
              h('h3', {}, 'Targets'),
              h(
                'ul',
                { class: 'plain' },
                (data.targets ?? []).map((t) =>
                  h(
                    'li',
                    {},
                    h('strong', {}, app.workloadName(t.id)),
                    ': ',
                    t.path === null
                      ? h('span', { class: 'verdict-allowed' }, 'not reachable')
                      : h(
                          'span',
                          { class: 'verdict-denied' },
                          pathText(t.path, (id) => app.workloadName(id)),
                        ),
                    // The hops Cilium filters at L7: the path needs those requests, not any.
                    (t.path ?? []).map((s) =>
                      s.l7 === undefined
                        ? null
                        : h(
                            'div',
                            { class: 'small muted hop-l7' },
                            `${app.workloadName(s.src)} → ${app.workloadName(s.dst)}: ${s.summary}, filtered at L7 on ${s.l7.summary} by ${s.l7.policies.join(', ')}`,
                          ),
                    ),
                  ),
                ),
              ),
            ),
      );
    }
    inspect();
  }

  function inspect(): void {
    const sel = parseSelection(route.params.sel);
    canvas.select(sel === null ? [] : sel.kind === 'edge' ? [`${sel.src}>${sel.dst}`] : [sel.id]);
    if (sel?.kind === 'node') {
      const w = app.model.workloads.find((x) => x.id === sel.id);
      if (w !== undefined) {
        const r = data?.reached?.find((x) => x.id === w.id);
        const note =
          r === undefined
            ? null
            : h(
                'p',
                { class: 'verdict verdict-denied' },
                r.hops === 0
                  ? 'Compromised.'
                  : `Reached in ${r.hops} hop${r.hops === 1 ? '' : 's'}${r.via === null ? '' : ` from ${app.workloadName(r.via.from)} on ${r.via.summary}`}.`,
              );
        renderWorkload(
          app,
          ctx.inspector,
          w,
          [
            note,
            h(
              'button',
              { type: 'button', onclick: () => app.set({ from: w.id, hops: null, sel: null }) },
              'Compromise this one',
            ),
          ].filter((x) => x !== null),
        );
        return;
      }
    }
    if (sel?.kind === 'edge') {
      renderConnection(app, ctx.inspector, sel.src, sel.dst);
      return;
    }
    if (sel?.kind === 'policy') {
      renderPolicy(app, ctx.inspector, sel.id);
      return;
    }
    if (route.params.from === undefined && ranking?.ranking !== undefined) {
      replace(
        ctx.inspector,
        h('h2', {}, 'Largest blast radius'),
        h(
          'p',
          { class: 'muted' },
          'Workloads ranked by how many others an attacker holding them could reach, over any number of hops.',
        ),
        ranking.ranking.length === 0
          ? h('p', { class: 'notice' }, 'The input has no workloads: there is nothing to rank.')
          : null,
        h(
          'ol',
          { class: 'ranking' },
          ranking.ranking
            .slice(0, 25)
            .map((r) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', class: 'linkish', onclick: () => app.set({ from: r.id, hops: null }) },
                  app.workloadName(r.id),
                ),
                h(
                  'small',
                  { class: 'muted' },
                  ` reaches ${r.reach} (${r.direct} directly)${r.entryPoint ? ' · entry point from outside' : ''}`,
                ),
              ),
            ),
        ),
      );
      return;
    }
    renderEmpty(
      ctx.inspector,
      'Click a workload to see how it was reached; click a connection to see which rules allow it.',
    );
  }

  draw();
  return {
    update(next) {
      route = next;
      draw();
    },
    destroy() {
      canvas.destroy();
    },
    restyle() {
      canvas.restyle();
    },
  };
}
