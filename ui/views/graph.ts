/**
 * The Graph view (and, with flows, the Traffic view): namespaces as groups, workloads as nodes, allowed
 * connections as edges labelled with ports. Filters, search, focus and collapsed namespaces all live in the
 * URL, so that what the user sees can be shared.
 */
import {
  addressGroup,
  buildGraph,
  DEFAULT_OPTIONS,
  defaultCollapsed,
  drawnSummary,
  formatGrouping,
  groupOf,
  groupsOf,
  BY_NAME,
  domainNode,
  isByName,
  isDomainNode,
  isGroupId,
  labelKeys,
  namespaceGroup,
  NODES,
  OUTSIDE,
  outsideToggleTitle,
  parseGrouping,
  plural,
  type Grouping,
  toggleGroup as toggledGroups,
  type CountUnit,
  type EdgeInput,
  type GraphEdge,
  type GraphOptions,
  type GraphResult,
  weakSummary,
} from '../lib/graph.ts';
import { parseLabelFilter } from '../lib/labels.ts';
import { parsePortFilter } from '../lib/ports.ts';
import { allowedByAdmin } from '../lib/tiers.ts';
import { formatSelection, listParam, parseSelection, shownNamespaces, type Route } from '../lib/route.ts';
import { observedPortsText, pairsText, portRows, trafficEdge } from '../lib/traffic.ts';
import type { TrafficEdgeJson, TrafficJson, TrafficStatus } from '../../src/contract/api.ts';
import type { App, ViewContext, ViewInstance } from './app.ts';
import { Canvas, type Drawn } from './canvas.ts';
import { debounce, h, replace } from './dom.ts';
import {
  groupName,
  renderAggregate,
  renderConnection,
  renderDomain,
  renderEmpty,
  renderExternal,
  renderNamespace,
  renderPolicy,
  renderWorkload,
} from './inspect.ts';
import { namespaceCheck } from './namespaces.ts';

const TRAFFIC_STATUSES: readonly TrafficStatus[] = ['observed', 'partly-observed', 'unobserved', 'denied'];
const TRAFFIC_TEXT: Record<TrafficStatus, [string, string]> = {
  observed: ['observed', 'Allowed, and seen in the flows on every allowed port'],
  'partly-observed': ['partly observed', 'Allowed and seen, but some allowed ports were never used'],
  unobserved: ['never observed', 'Allowed but never seen: over-permissive (or missing from the capture)'],
  denied: [
    'observed but denied',
    'Seen in the flows, but the policies deny it: it breaks when they are enforced',
  ],
};

/** The groups of the route's grouping (`group`): the namespaces, or the values of a label. */
let groupIdsCache: { model: unknown; key: string | null; ids: string[] } | undefined;
function groupIds(app: App, grouping: Grouping): string[] {
  const key = formatGrouping(grouping);
  if (groupIdsCache?.model !== app.model || groupIdsCache.key !== key)
    groupIdsCache = {
      model: app.model,
      key,
      ids: groupsOf(app.model.namespaces, app.model.workloads, grouping).map((g) => g.id),
    };
  return groupIdsCache.ids;
}

let basis: { model: unknown; grouping: string | null; graph: GraphResult } | undefined;

/**
 * The unfiltered graph whose layout places every node, the same in Graph, Traffic and Attack paths (built
 * once per model and grouping): whichever of them a page opens first, the workloads get the same places.
 */
export function layoutBasis(app: App, by: Grouping = parseGrouping(undefined)): GraphResult {
  if (basis?.model !== app.model || basis.grouping !== formatGrouping(by)) {
    const graph = buildGraph(
      { ...app.graphInput(), domains: app.model.domains },
      {
        ...DEFAULT_OPTIONS,
        grouping: by,
        collapsed: defaultCollapsed(groupIds(app, by), app.model.workloads.length),
      },
    );
    basis = { model: app.model, grouping: formatGrouping(by), graph };
  }
  return basis.graph;
}

/** The collapsed groups of a route: the `collapsed` list, `none`, or the defaults. */
export function collapsedOf(app: App, route: Route): Set<string> {
  const v = route.params.collapsed;
  if (v === undefined)
    return defaultCollapsed(groupIds(app, parseGrouping(route.params.group)), app.model.workloads.length);
  if (v === 'none') return new Set();
  return new Set(v.split(',').filter((s) => s !== ''));
}

export function formatCollapsed(app: App, route: Route, set: ReadonlySet<string>): string | null {
  const def = defaultCollapsed(groupIds(app, parseGrouping(route.params.group)), app.model.workloads.length);
  if (set.size === def.size && [...set].every((g) => def.has(g))) return null;
  return set.size === 0 ? 'none' : [...set].sort().join(',');
}

export function createGraphView(ctx: ViewContext, first: Route, traffic: boolean): ViewInstance {
  const { app } = ctx;
  let route = first;
  let result: GraphResult | undefined;
  let trafficData: TrafficJson | undefined;
  let trafficError: string | undefined;

  const status = h('div', { class: 'graph-status', role: 'status' });
  /**
   * A click marks the canvas at once; the URL and the inspector follow once the frame that shows the
   * selection is painted (at scale they take longer than the marking).
   */
  const choose = (sel: string | null, ids: readonly string[]): void => {
    canvas.select(ids);
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (!canvas.cy.destroyed()) app.set({ sel });
      }, 0),
    );
  };
  const canvas: Canvas = new Canvas(ctx.stage, {
    onNode: (id) => choose(`node:${id}`, [id]),
    onEdge: (e) => choose(`edge:${e.source}>${e.target}`, [`${e.source}>${e.target}`]),
    onBackground: () => choose(null, []),
    onToggleGroup: (id) => toggleGroup(id),
  });
  // What an empty canvas means: an input without workloads, or filters that leave none.
  const empty = h('p', { class: 'stage-empty', hidden: true });
  ctx.stage.append(status, empty);

  const grouping = (): Grouping => parseGrouping(route.params.group);
  const toggleGroup = (id: string): void => {
    const set = toggledGroups(
      collapsedOf(app, route),
      id,
      groupIds(app, grouping()),
      app.model.workloads.length,
    );
    app.set({ collapsed: formatCollapsed(app, route, set) });
  };

  /** `f`: show only the selected workload and its neighbours (again: everything). */
  const onKey = (e: KeyboardEvent): void => {
    const t = e.target as HTMLElement | null;
    if (t !== null && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    if (e.key !== 'f' || e.ctrlKey || e.metaKey || e.altKey) return;
    const sel = parseSelection(route.params.sel);
    if (route.params.focus !== undefined) app.set({ focus: null });
    else if (sel?.kind === 'node' && app.model.workloads.some((w) => w.id === sel.id))
      app.set({ focus: sel.id });
  };
  document.addEventListener('keydown', onKey);

  /** Selects a workload found by search, expanding its namespace when it is collapsed. */
  const reveal = (id: string): void => {
    const w = app.model.workloads.find((x) => x.id === id);
    const collapsed = collapsedOf(app, route);
    const g = w === undefined ? undefined : groupOf(w, grouping());
    const expand =
      g !== undefined && collapsed.has(g)
        ? {
            collapsed: formatCollapsed(
              app,
              route,
              toggledGroups(collapsed, g, groupIds(app, grouping()), app.model.workloads.length),
            ),
          }
        : {};
    app.set({ sel: `node:${id}`, focus: null, ...expand });
  };

  // ---- sidebar controls -------------------------------------------------------------------------------
  const search = h('input', {
    type: 'search',
    id: 'search',
    'data-search': true,
    placeholder: 'Search a workload  ( / )',
    'aria-label': 'Search a workload',
    autocomplete: 'off',
  });
  const results = h('ul', { class: 'search-results', 'aria-label': 'Matching workloads' });
  search.addEventListener(
    'input',
    debounce(() => app.set({ q: search.value.trim() || null }, true), 200),
  );
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const first = matches(search.value)[0];
    if (first !== undefined) reveal(first);
  });
  const labels = h('input', {
    type: 'text',
    id: 'labels',
    placeholder: 'app=web, tier!=db',
    'aria-describedby': 'labels-msg',
    autocomplete: 'off',
  });
  const labelsMsg = h('small', { id: 'labels-msg', class: 'field-msg' });
  labels.addEventListener(
    'input',
    debounce(() => app.set({ labels: labels.value.trim() || null }, true), 300),
  );
  const port = h('input', {
    type: 'text',
    id: 'port',
    placeholder: '5432, 53/UDP, TCP',
    'aria-describedby': 'port-msg',
    autocomplete: 'off',
  });
  const portMsg = h('small', { id: 'port-msg', class: 'field-msg' });
  port.addEventListener(
    'input',
    debounce(() => app.set({ port: port.value.trim() || null }, true), 300),
  );
  const showOpen = h('input', { type: 'checkbox', id: 'show-open' });
  showOpen.addEventListener('change', () => app.set({ open: showOpen.checked ? 'show' : null }));
  const showExt = h('input', { type: 'checkbox', id: 'show-ext' });
  showExt.addEventListener('change', () => app.set({ ext: showExt.checked ? null : '0' }));
  const nsList = h('ul', { class: 'ns-list' });
  // Group by: namespace, or the value of a label (typed, or chosen from the keys workloads have).
  const groupBy = h(
    'select',
    { id: 'group-by' },
    h('option', { value: 'namespace' }, 'namespace'),
    h('option', { value: 'label' }, 'label …'),
  );
  const groupKey = h('input', {
    type: 'text',
    id: 'group-key',
    list: 'group-keys',
    placeholder: 'app.kubernetes.io/part-of',
    'aria-label': 'Label key to group by',
    autocomplete: 'off',
  });
  const groupKeys = h('datalist', { id: 'group-keys' });
  const groupByLabel = (key: string): void => {
    if (key === '') return;
    app.set({ group: formatGrouping({ by: 'label', key }), collapsed: null, sel: null, focus: null });
  };
  groupBy.addEventListener('change', () => {
    if (groupBy.value === 'namespace') {
      app.set({ group: null, collapsed: null, sel: null, focus: null });
      return;
    }
    const key = groupKey.value.trim() || (labelKeys(app.model.workloads)[0]?.key ?? '');
    if (key === '') groupKey.hidden = false;
    groupByLabel(key);
    groupKey.focus();
  });
  groupKey.addEventListener('change', () => groupByLabel(groupKey.value.trim()));
  const statusList = h('ul', { class: 'status-list' });

  // The legend follows the grouping (its words) and the drawing (an entry for DNS names when some are drawn).
  const legendBox = h('div', {});
  let legendKey: string | undefined;
  const renderLegend = (by: Grouping, graph: GraphResult): void => {
    const byName = graph.nodes.some((n) => isByName(n.id));
    const key = JSON.stringify([formatGrouping(by), byName]);
    if (key === legendKey) return;
    legendKey = key;
    const was = legendBox.querySelector('details');
    const next = legend({
      traffic,
      adminTier: app.model.clusterPolicies.some((p) => p.tier === 'admin'),
      grouping: by,
      byName,
    });
    if (was !== null) next.open = was.open;
    replace(legendBox, next);
  };

  ctx.sidebar.append(
    h('div', { class: 'control' }, h('label', { for: 'search' }, 'Find'), search, results),
    traffic
      ? h(
          'fieldset',
          { class: 'control' },
          // Pairs, as the status line counts them; the list ends with check-flows' counts of observed ports (3 pairs
          // observed but denied on the bundled example are its 4 still denied observed ports).
          h(
            'legend',
            {
              title:
                'Pairs of endpoints; netfence check-flows counts observed ports: (source, destination, port)',
            },
            'Traffic (endpoint pairs)',
          ),
          statusList,
        )
      : '',
    h('div', { class: 'control' }, h('label', { for: 'group-by' }, 'Group by'), groupBy, groupKey, groupKeys),
    h(
      'fieldset',
      { class: 'control' },
      h('legend', {}, 'Namespaces'),
      nsList,
      h(
        'p',
        { class: 'row' },
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              app.set({
                collapsed: formatCollapsed(
                  app,
                  route,
                  new Set([...groupIds(app, grouping()), OUTSIDE, NODES, BY_NAME]),
                ),
              }),
          },
          'Collapse all',
        ),
        h(
          'button',
          { type: 'button', onclick: () => app.set({ collapsed: formatCollapsed(app, route, new Set()) }) },
          'Expand all',
        ),
      ),
    ),
    h(
      'fieldset',
      { class: 'control' },
      h('legend', {}, 'Filter'),
      h('label', { for: 'labels' }, 'Workload labels'),
      labels,
      labelsMsg,
      h('label', { for: 'port' }, 'Protocol / port'),
      port,
      portMsg,
      h(
        'label',
        {
          class: 'check',
          title:
            'Connections from a workload that may connect anywhere to one that anyone may reach: drawn as the colour of the nodes instead',
        },
        showOpen,
        ' Show unrestricted connections',
      ),
      h(
        'label',
        { class: 'check', title: outsideToggleTitle(app.model.external) },
        showExt,
        ' Show outside the cluster',
      ),
    ),
    h(
      'p',
      { class: 'row' },
      h('button', { type: 'button', onclick: () => canvas.fit(true) }, 'Fit'),
      h('button', { type: 'button', onclick: () => canvas.layout(true) }, 'Re-layout'),
    ),
    legendBox,
  );

  function matches(q: string): string[] {
    const t = q.trim().toLowerCase();
    if (t === '') return [];
    return app.model.workloads
      .filter((w) => w.displayName.toLowerCase().includes(t) || w.id.toLowerCase().includes(t))
      .map((w) => w.id);
  }

  /** What the namespace list shows, to rebuild it only when that changes (hundreds of rows on large clusters). */
  let listed: { key: string; model: unknown } | undefined;

  function renderNamespaces(collapsed: ReadonlySet<string>, shown: ReadonlySet<string> | null): void {
    const byLabel = grouping().by === 'label';
    const key = JSON.stringify([[...collapsed].sort(), shown === null ? null : [...shown].sort(), byLabel]);
    if (listed?.key === key && listed.model === app.model) return;
    listed = { key, model: app.model };
    const items = app.model.namespaces
      .filter((n) => n.workloads > 0)
      .map((n) => {
        const g = namespaceGroup(n.name);
        const isCollapsed = collapsed.has(g);
        return h(
          'li',
          {},
          namespaceCheck(app, n, shown),
          // Grouped by a label, namespaces only filter: the groups collapse and expand on the graph.
          byLabel
            ? null
            : h(
                'button',
                {
                  type: 'button',
                  class: 'icon',
                  'aria-label': `${isCollapsed ? 'Expand' : 'Collapse'} namespace ${n.name}`,
                  title: isCollapsed ? 'Expand' : 'Collapse into one node',
                  onclick: () => toggleGroup(g),
                },
                isCollapsed ? '⊞' : '⊟',
              ),
        );
      });
    replace(nsList, items);
  }

  function renderStatuses(shown: ReadonlySet<TrafficStatus>): void {
    if (!traffic) return;
    if (trafficData === undefined) {
      replace(statusList, h('li', { class: 'muted' }, trafficError ?? 'Loading flows…'));
      return;
    }
    const counts: Record<TrafficStatus, number> = {
      observed: trafficData.summary.observed,
      'partly-observed': trafficData.summary.partlyObserved,
      unobserved: trafficData.summary.unobserved,
      denied: trafficData.summary.denied,
    };
    replace(
      statusList,
      TRAFFIC_STATUSES.map((s) => {
        const box = h('input', { type: 'checkbox', checked: shown.has(s) });
        box.addEventListener('change', () => {
          const next = new Set(shown);
          if (box.checked) next.add(s);
          else next.delete(s);
          app.set({ show: next.size === TRAFFIC_STATUSES.length ? null : [...next].join(',') || '-' });
        });
        return h(
          'li',
          { title: TRAFFIC_TEXT[s][1] },
          h(
            'label',
            { class: 'check' },
            box,
            ' ',
            h('span', { class: `swatch st-${s}` }),
            ` ${TRAFFIC_TEXT[s][0]} `,
            h('small', { class: 'muted', 'data-count': s }, pairsText(counts[s])),
          ),
        );
      }),
      // check-flows' own sentence and unit (observed ports), so that its `4 still denied` reads the same here.
      h(
        'li',
        {
          class: 'small observed-ports',
          title: 'Observed ports: (source, destination, protocol, port), as netfence check-flows counts them',
        },
        observedPortsText(trafficData.summary.ports),
      ),
      h('li', { class: 'muted small' }, trafficData.inputs),
    );
  }

  function edgesFor(shown: ReadonlySet<TrafficStatus>): { edges: EdgeInput[]; complete: boolean } {
    const base = app.edges();
    if (!traffic || trafficData === undefined) return traffic ? { edges: [], complete: true } : base;
    const byKey = new Map(base.edges.map((e) => [`${e.src}>${e.dst}`, e]));
    const edges: EdgeInput[] = [];
    for (const t of trafficData.edges) {
      if (!shown.has(t.status)) continue;
      edges.push(trafficEdge(t, byKey.get(`${t.src}>${t.dst}`)));
    }
    return { edges, complete: true };
  }

  function options(collapsed: Set<string>): {
    opts: GraphOptions;
    errors: { labels?: string; port?: string };
  } {
    const errors: { labels?: string; port?: string } = {};
    const namespaces = shownNamespaces(route);
    let labelTerms = null;
    if (route.params.labels !== undefined) {
      const parsed = parseLabelFilter(route.params.labels);
      if (typeof parsed === 'string') errors.labels = parsed;
      else labelTerms = parsed;
    }
    let portFilter = null;
    if (route.params.port !== undefined) {
      const parsed = parsePortFilter(route.params.port);
      if (typeof parsed === 'string') errors.port = parsed;
      else portFilter = parsed;
    }
    const focus = route.params.focus ?? null;
    // Focusing on a workload shows it even inside a collapsed namespace.
    const fw = focus === null ? undefined : app.model.workloads.find((w) => w.id === focus);
    const by = grouping();
    if (fw !== undefined) collapsed.delete(groupOf(fw, by));
    return {
      opts: {
        grouping: by,
        namespaces,
        labels: labelTerms,
        port: portFilter,
        hideOpen: route.params.open !== 'show',
        external: route.params.ext !== '0',
        // The Nodes' addresses are in the cluster: "Show outside the cluster" leaves them shown.
        nodes: true,
        collapsed,
        focus,
        statusOrder: ['denied', 'unobserved', 'partly-observed', 'observed'],
        unit: traffic ? 'endpoint pair' : 'connection',
      },
      errors,
    };
  }

  let pending = 0;
  /** What the drawing depends on (the selection and the search only decorate it). */
  let drawnKey = '';
  let drawnModel: unknown;
  let drawnTraffic: unknown;
  let lines: Drawn = { drawn: [], weak: [] };

  /** Redraws what the route says: the form, the graph (when what it shows changed), the search, the inspector. */
  function draw(): void {
    const collapsed = collapsedOf(app, route);
    const { opts, errors } = options(collapsed);
    syncForm(opts, errors);
    renderNamespaces(collapsed, opts.namespaces);
    const shown = new Set<TrafficStatus>(
      route.params.show === undefined ? TRAFFIC_STATUSES : (listParam(route, 'show') as TrafficStatus[]),
    );
    renderStatuses(shown);
    loadExpanded(collapsed, opts);
    const rest = Object.entries(route.params).filter(([k]) => k !== 'sel' && k !== 'q');
    const key = JSON.stringify([rest, app.edges().edges.length]);
    if (
      result === undefined ||
      key !== drawnKey ||
      drawnModel !== app.model ||
      drawnTraffic !== trafficData
    ) {
      drawnKey = key;
      drawnModel = app.model;
      drawnTraffic = trafficData;
      result = drawGraph(opts, shown);
      showEmpty(result);
      searched = undefined;
      renderStatus(result, lines, opts.focus, opts.grouping ?? parseGrouping(undefined));
      renderLegend(opts.grouping ?? parseGrouping(undefined), result);
    }
    renderSearch();
    inspect();
  }

  /** Says why nothing is drawn, when nothing is. */
  function showEmpty(graph: GraphResult): void {
    empty.hidden = graph.nodes.length > 0;
    if (!empty.hidden)
      empty.textContent =
        app.model.workloads.length === 0
          ? `The input has no workloads (${plural(app.model.summary.namespaces, 'namespace')}, ${plural(app.model.summary.policies, 'policy', 'policies')}): there is nothing to draw.`
          : 'No workload matches the filters: clear the namespaces, labels or focus to see the graph.';
  }

  /** The model whose label keys the group-by list offers. */
  let keysListed: unknown;

  /** Form fields follow the URL (unless the user is typing in them). */
  function syncForm(opts: GraphOptions, errors: { labels?: string; port?: string }): void {
    if (document.activeElement !== search) search.value = route.params.q ?? '';
    if (document.activeElement !== labels) labels.value = route.params.labels ?? '';
    if (document.activeElement !== port) port.value = route.params.port ?? '';
    labelsMsg.textContent = errors.labels ?? '';
    portMsg.textContent = errors.port ?? '';
    labels.setAttribute('aria-invalid', String(errors.labels !== undefined));
    port.setAttribute('aria-invalid', String(errors.port !== undefined));
    showOpen.checked = !opts.hideOpen;
    showExt.checked = opts.external;
    const by = opts.grouping ?? parseGrouping(undefined);
    // Setting a select's value (even to the same) re-selects its option: only when it changes.
    if (groupBy.value !== by.by) groupBy.value = by.by;
    groupKey.hidden = by.by === 'namespace' && document.activeElement !== groupKey;
    if (document.activeElement !== groupKey) groupKey.value = by.by === 'label' ? by.key : '';
    if (keysListed !== app.model) {
      keysListed = app.model;
      replace(
        groupKeys,
        labelKeys(app.model.workloads).map((k) =>
          h('option', { value: k.key }, `${k.workloads} workload${k.workloads === 1 ? '' : 's'}`),
        ),
      );
    }
  }

  /** Very large clusters: loads the connections of the expanded namespaces, then draws again. */
  function loadExpanded(collapsed: ReadonlySet<string>, opts: GraphOptions): void {
    if (app.model.connections !== null) return;
    // Grouped by a label, a group spans namespaces: every shown namespace's connections are needed.
    const byLabel = opts.grouping?.by === 'label';
    const expanded = app.model.namespaces
      .filter(
        (n) =>
          (byLabel || !collapsed.has(namespaceGroup(n.name))) &&
          (opts.namespaces === null || opts.namespaces.has(n.name)),
      )
      .map((n) => n.name);
    const ticket = ++pending;
    void app.ensureNamespaces(expanded).then((changed) => {
      if (changed && ticket === pending) draw();
    });
  }

  function drawGraph(opts: GraphOptions, shown: ReadonlySet<TrafficStatus>): GraphResult {
    const { edges, complete } = edgesFor(shown);
    const graph = buildGraph(
      {
        namespaces: app.model.namespaces,
        workloads: app.model.workloads,
        external: app.model.external,
        // Flows are between addresses: a DNS name is a destination of the policies only.
        domains: traffic ? [] : app.model.domains,
        edges,
        complete,
        groupEdges: traffic ? [] : app.model.namespaceConnections,
      },
      opts,
    );
    const by = opts.grouping ?? parseGrouping(undefined);
    lines = canvas.render(graph, {
      edgeClasses: (e: GraphEdge) =>
        e.status !== null
          ? [`st-${e.status}`]
          : isByName(e.target)
            ? ['by-name']
            : e.members.length > 0 && e.members.every((m) => allowedByAdmin(m.allowedBy))
              ? ['tier-admin']
              : [],
      basis: layoutBasis(app, by),
      unit: opts.unit ?? 'connection',
      grouping: formatGrouping(by) ?? '',
      ...(by.by === 'label'
        ? { members: (g: string) => app.model.workloads.filter((w) => groupOf(w, by) === g).map((w) => w.id) }
        : {}),
    });
    return graph;
  }

  /** The search drawn last (undefined: the graph was drawn anew since, without the marks). */
  let searched: { q: string | undefined; model: unknown } | undefined;

  /** The search's matches: marked on the graph, listed under the box (again only when the search changes). */
  function renderSearch(): void {
    if (searched !== undefined && searched.q === route.params.q && searched.model === app.model) return;
    searched = { q: route.params.q, model: app.model };
    const q = matches(route.params.q ?? '');
    canvas.mark(new Set(q));
    replace(
      results,
      q
        .slice(0, 12)
        .map((id) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', class: 'linkish', onclick: () => reveal(id) },
              app.workloadName(id),
            ),
          ),
        ),
      q.length > 12 ? h('li', { class: 'muted' }, `and ${q.length - 12} more`) : null,
      route.params.q !== undefined && q.length === 0
        ? h('li', { class: 'muted' }, 'No workload matches.')
        : null,
    );
  }

  /** The status line: what is drawn, what is hidden and why, and the focus. */
  function renderStatus(shown: GraphResult, drawn: Drawn, focus: string | null, by: Grouping): void {
    const focusName = focus === null ? null : app.workloadName(focus);
    const unit: CountUnit = traffic ? 'endpoint pair' : 'connection';
    const text = drawnSummary(shown, drawn.drawn, by, unit);
    const hidden = `${shown.hiddenOpen.toLocaleString('en-US')} unrestricted hidden`;
    replace(
      status,
      shown.hiddenOpen > 0 ? text.slice(0, text.length - hidden.length) : text,
      shown.hiddenOpen > 0
        ? h(
            'button',
            {
              type: 'button',
              class: 'linkish',
              title: 'Show the connections neither end restricts',
              onclick: () => app.set({ open: 'show' }),
            },
            hidden,
          )
        : null,
      drawn.weak.length > 0
        ? h(
            'span',
            {
              title:
                'The lines standing for the most connections are drawn; select a node to see all of its own',
            },
            ` · ${weakSummary(drawn.weak, unit)}`,
          )
        : '',
      shown.hiddenWorkloads > 0 ? ` · ${shown.hiddenWorkloads} workloads hidden by filters` : '',
      focusName === null
        ? null
        : h(
            'span',
            {},
            ` · neighbours of ${focusName} `,
            h(
              'button',
              {
                type: 'button',
                class: 'icon',
                'aria-label': 'Show everything',
                onclick: () => app.set({ focus: null }),
              },
              '✕',
            ),
          ),
    );
  }

  /** What the inspector shows now: redrawn only when the selection or what it shows changes. */
  let inspected:
    Record<'sel' | 'group' | 'model' | 'edges' | 'traffic' | 'trafficError' | 'pairs', unknown> | undefined;

  function inspect(): void {
    const sel = parseSelection(route.params.sel);
    canvas.select(sel === null ? [] : sel.kind === 'edge' ? [`${sel.src}>${sel.dst}`] : [sel.id]);
    // A filter or search change redraws the graph, not the inspector (which would fetch and flicker again).
    const now = {
      sel: route.params.sel,
      // The hints (and group names) speak the grouping's words.
      group: route.params.group,
      model: app.model,
      edges: app.edges().edges.length,
      traffic: trafficData,
      trafficError,
      // The "by DNS name" node counts what the filters leave: its inspector follows each redraw.
      pairs: sel?.kind === 'node' && sel.id === BY_NAME ? result?.domainPairs : undefined,
    };
    if (
      inspected !== undefined &&
      Object.entries(now).every(([k, v]) => inspected![k as keyof typeof now] === v)
    )
      return;
    inspected = now;
    const target = ctx.inspector;
    if (sel === null) {
      renderEmpty(
        target,
        traffic
          ? 'Click a connection to see what the flows show about it, and why the policies allow or deny it.'
          : `Click a workload to see its labels, its policies and who can reach it; click a connection to see which rules allow it. ${collapseHint(grouping())}`,
      );
      return;
    }
    if (sel.kind === 'policy') {
      renderPolicy(app, target, sel.id);
      return;
    }
    if (sel.kind === 'node') {
      const w = app.model.workloads.find((x) => x.id === sel.id);
      if (w !== undefined) {
        renderWorkload(
          app,
          target,
          w,
          [
            h(
              'button',
              { type: 'button', onclick: () => app.set({ focus: w.id }) },
              'Show only its neighbours (f)',
            ),
            app.api.isStatic
              ? null
              : h(
                  'a',
                  { class: 'button', href: `#/paths?from=${encodeURIComponent(w.id)}` },
                  'Attack paths from here',
                ),
          ].filter((x) => x !== null),
        );
        canvas.center(w.id);
        return;
      }
      if (sel.id.startsWith('external:')) {
        renderExternal(app, target, sel.id);
        return;
      }
      if (isDomainNode(sel.id)) {
        renderDomain(app, target, sel.id.slice('dns:'.length), null);
        return;
      }
      const collapsed = collapsedOf(app, route).has(sel.id);
      /** The expand/collapse button of a group the inspector shows, under its title. */
      const groupActions = (id: string, isCollapsed: boolean): void => {
        target
          .querySelector('h2')
          ?.after(
            h(
              'p',
              { class: 'actions' },
              h(
                'button',
                { type: 'button', onclick: () => toggleGroup(id) },
                isCollapsed ? 'Expand' : 'Collapse into one node',
              ),
            ),
          );
      };
      if (sel.id === BY_NAME) {
        // The pairs the graph draws (the port, namespace and label filters applied), as the node counts them.
        const pairs = result?.domainPairs ?? app.model.domains;
        const names = new Set(pairs.map((d) => d.domain));
        renderAggregate(
          app,
          target,
          'by DNS name',
          pairs.slice(0, 200).map((d) => ({
            src: d.src,
            dst: domainNode(d.domain),
            ports: d.ports,
            summary: d.summary,
            open: false,
          })),
          `${names.size} DNS name${names.size === 1 ? '' : 's'} outside the cluster that policies allow by name, from ${pairs.length} workload–name pair${pairs.length === 1 ? '' : 's'} (not counted as connections: the addresses depend on DNS resolution). Double-click the node to ${collapsed ? 'expand' : 'collapse'} it.`,
        );
        groupActions(BY_NAME, collapsed);
        return;
      }
      if (sel.id === OUTSIDE || sel.id === NODES) {
        // The address classes of this group (outside the cluster, or the Nodes'), and their connections.
        const classes = new Set(
          app.model.external.filter((x) => addressGroup(x) === sel.id).map((x) => x.id),
        );
        const n = classes.size;
        const nodes = new Set(app.model.external.flatMap((x) => (classes.has(x.id) ? (x.nodes ?? []) : [])));
        renderAggregate(
          app,
          target,
          groupName(sel.id),
          app
            .edges()
            .edges.filter((e) => classes.has(e.src) || classes.has(e.dst))
            .slice(0, 200),
          `${
            sel.id === OUTSIDE
              ? `${n} address range${n === 1 ? '' : 's'} outside the cluster`
              : `${n} address${n === 1 ? '' : 'es'} of ${nodes.size} node${nodes.size === 1 ? '' : 's'}: in the cluster, not pods (no pod's NetworkPolicy applies on their side)`
          }. Double-click the node to ${collapsed ? 'expand' : 'collapse'} it.`,
        );
        groupActions(sel.id, collapsed);
        return;
      }
      if (!sel.id.startsWith('ns:')) {
        const by = grouping();
        const inside = new Set(app.model.workloads.filter((w) => groupOf(w, by) === sel.id).map((w) => w.id));
        renderAggregate(
          app,
          target,
          nameOf(sel.id),
          app
            .edges()
            .edges.filter((e) => inside.has(e.src) || inside.has(e.dst))
            .slice(0, 200),
          `${inside.size} workload${inside.size === 1 ? '' : 's'}${by.by === 'label' && sel.id !== 'nolabel' ? ` with ${by.key}=${sel.id.slice('label:'.length)}` : ''}. Double-click the node to ${collapsed ? 'expand' : 'collapse'} it.`,
        );
        groupActions(sel.id, collapsed);
        return;
      }
      renderNamespace(app, target, groupName(sel.id), collapsed, () => toggleGroup(sel.id));
      return;
    }
    const edge = result?.edges.find((e) => e.source === sel.src && e.target === sel.dst);
    // A workload, an address class, or any reference explain takes (an address typed in the explain form);
    // not a group, whose line stands for its members' connections.
    const isEntity = (id: string): boolean => !isGroupId(id) && !isDomainNode(id);
    const extra: Node[] = [];
    if (traffic && trafficData !== undefined) {
      const t = trafficData.edges.find((x) => x.src === sel.src && x.dst === sel.dst);
      if (t !== undefined) extra.push(trafficDetail(t));
    }
    if (sel.dst === BY_NAME) {
      const from = new Set((edge?.members ?? []).map((m) => m.src));
      renderAggregate(
        app,
        target,
        `${nameOf(sel.src)} → by DNS name`,
        app.model.domains
          .filter((d) => from.has(d.src))
          .slice(0, 200)
          .map((d) => ({
            src: d.src,
            dst: domainNode(d.domain),
            ports: d.ports,
            summary: d.summary,
            open: false,
          })),
        `${edge?.count ?? 0} workload–name pair${edge?.count === 1 ? '' : 's'}: pick one to see the rule that allows it by name.`,
      );
      return;
    }
    if (isDomainNode(sel.dst)) {
      const one = app.model.workloads.some((w) => w.id === sel.src);
      renderDomain(
        app,
        target,
        sel.dst.slice('dns:'.length),
        one ? sel.src : (edge?.members ?? []).map((m) => m.src),
      );
      return;
    }
    if (isEntity(sel.src) && isEntity(sel.dst)) {
      renderConnection(app, target, sel.src, sel.dst, extra);
      return;
    }
    renderAggregate(
      app,
      target,
      `${nameOf(sel.src)} → ${nameOf(sel.dst)}`,
      edge?.members ?? [],
      edge !== undefined && edge.members.length === 0
        ? `${edge.count} connections: expand the ${grouping().by === 'label' ? 'groups' : 'namespaces'} to list them.`
        : undefined,
    );
  }

  /** A node's name in the inspector: a group's (`(no <key>)` for the workloads without the label) or an id. */
  function nameOf(id: string): string {
    const by = grouping();
    if (id === 'nolabel' && by.by === 'label') return `(no ${by.key})`;
    if (id.startsWith('label:') && by.by === 'label') return `${by.key}=${id.slice('label:'.length)}`;
    return groupName(id);
  }

  function trafficDetail(t: TrafficEdgeJson): HTMLElement {
    const row = (p: { protocol: string; port: number; count: number }): HTMLElement =>
      h('li', {}, `${p.protocol} ${p.port}`, h('small', { class: 'muted' }, ` ×${p.count}`));
    return h(
      'div',
      { class: 'traffic-detail' },
      h('p', { class: `verdict st-${t.status}` }, TRAFFIC_TEXT[t.status][1]),
      t.observed.length > 0
        ? h(
            'section',
            { class: 'insp-section' },
            h('h3', {}, 'Observed, allowed'),
            h('ul', { class: 'plain' }, portRows(t.observed).map(row)),
          )
        : null,
      t.denied.length > 0
        ? h(
            'section',
            { class: 'insp-section' },
            h('h3', {}, 'Observed, denied'),
            h(
              'ul',
              { class: 'plain' },
              portRows(t.denied, (d) => JSON.stringify([d.blockedAt, d.policies])).map((d) =>
                h(
                  'li',
                  {},
                  `${d.protocol} ${d.port}`,
                  h(
                    'small',
                    { class: 'muted' },
                    ` ×${d.count} · stopped at ${d.blockedAt.join(' and ')}${d.policies.length > 0 ? ` by ${d.policies.join(', ')}` : ''}`,
                  ),
                ),
              ),
            ),
          )
        : null,
      t.unobserved === null
        ? null
        : h(
            'section',
            { class: 'insp-section' },
            h('h3', {}, 'Allowed, never observed'),
            h('p', {}, t.unobserved),
          ),
    );
  }

  if (traffic) {
    app.flows().then(
      (t) => {
        trafficData = t;
        draw();
      },
      (error: unknown) => {
        trafficError = error instanceof Error ? error.message : String(error);
        draw();
      },
    );
  }
  draw();

  return {
    update(next) {
      route = next;
      draw();
    },
    destroy() {
      document.removeEventListener('keydown', onKey);
      canvas.destroy();
    },
    restyle() {
      canvas.restyle();
    },
  };
}

/** How to collapse or expand a group, in the words of the grouping. */
function collapseHint(by: Grouping): string {
  return by.by === 'namespace'
    ? 'Double-click a namespace to collapse or expand it.'
    : `Double-click a group (workloads with the same ${by.key}) to collapse or expand it.`;
}

function legend(o: {
  traffic: boolean;
  adminTier: boolean;
  grouping: Grouping;
  byName: boolean;
}): HTMLDetailsElement {
  const { traffic, adminTier } = o;
  const item = (swatch: string, text: string): HTMLElement =>
    h('li', {}, h('span', { class: `swatch ${swatch}` }), ` ${text}`);
  return h(
    'details',
    { class: 'legend control', open: true },
    h('summary', {}, 'Legend'),
    h(
      'ul',
      { class: 'plain' },
      item('node-isolated', 'reachable as its policies allow'),
      item('node-open', 'reachable from anywhere, on every port'),
      item('node-partly', 'policies select some of its pods only'),
      item('node-host', 'host network (policies do not apply)'),
      o.byName
        ? item(
            'node-domain',
            'destination by DNS name: a policy (toFQDNs, domainNames) allows the name; the addresses depend on DNS resolution (not counted as connections)',
          )
        : null,
      traffic ? null : item('edge-restricted', 'connection a policy allows'),
      traffic || !adminTier
        ? null
        : item(
            'edge-admin',
            'accepted by an Admin-tier cluster policy, on some ports or all (NetworkPolicies cannot narrow that)',
          ),
      traffic
        ? null
        : item('edge-open', 'unrestricted (hidden unless asked): open source to open destination'),
      traffic
        ? null
        : item(
            'edge-aggregate',
            `between collapsed ${o.grouping.by === 'namespace' ? 'namespaces' : 'groups'}: thicker for more connections`,
          ),
      traffic ? null : item('edge-mostly-open', 'the more of them unrestricted, the yellower'),
    ),
    h(
      'p',
      { class: 'muted small' },
      `${collapseHint(o.grouping)} Click a workload to highlight its neighbours; f shows only them. Hover a connection for its ports.`,
    ),
  );
}

export { formatSelection };
