/**
 * The app shell: header with the views as tabs, a fixed three-column layout (controls, stage, inspector) so
 * that nothing jumps when data arrives, the hash router, the theme, and the data every view shares.
 */
import {
  addressName,
  connectionCounts,
  domainLabel,
  headerCounts,
  isDomainNode,
  type EdgeInput,
  type GraphInput,
} from '../lib/graph.ts';
import { formatRoute, parseRoute, VIEWS, withParams, type Route, type View } from '../lib/route.ts';
import type {
  ConnectionJson,
  ModelJson as Model,
  ReloadProblemJson,
  TrafficJson,
} from '../../src/contract/api.ts';
import type { LintJson } from '../../src/contract/lint.ts';
import { NOT_ANSWERING, type Api } from './api.ts';
import { h, replace } from './dom.ts';

export interface ViewContext {
  app: App;
  sidebar: HTMLElement;
  stage: HTMLElement;
  inspector: HTMLElement;
}

export interface ViewInstance {
  update(route: Route): void;
  destroy(): void;
  /** The theme changed. */
  restyle?(): void;
}

export type ViewFactory = (ctx: ViewContext, route: Route) => ViewInstance;

const TITLES: Record<View, string> = {
  graph: 'Graph',
  traffic: 'Traffic',
  matrix: 'Matrix',
  findings: 'Findings',
  paths: 'Attack paths',
  whatif: 'What-if',
};

export function connectionEdges(list: readonly ConnectionJson[]): EdgeInput[] {
  return list.map((c) => connectionEdge(c));
}

function connectionEdge(c: ConnectionJson): EdgeInput {
  const e: EdgeInput = { src: c.src, dst: c.dst, ports: c.ports, summary: c.summary, open: c.open };
  if (c.allowedBy !== undefined) e.allowedBy = c.allowedBy;
  if (c.l7 !== undefined) e.l7 = c.l7;
  return e;
}

export class App {
  readonly api: Api;
  model: Model;
  route: Route = parseRoute('');
  readonly #factories: Record<View, ViewFactory>;
  readonly #root: HTMLElement;
  readonly #tabs = new Map<View, HTMLButtonElement>();
  readonly #banner: HTMLElement;
  readonly #summary: HTMLElement;
  readonly #sidebar: HTMLElement;
  readonly #stage: HTMLElement;
  readonly #inspector: HTMLElement;
  readonly #inspectorToggle: HTMLButtonElement;
  /** The user's own choice to show or hide the inspector, until the selection changes. */
  #inspectorChoice: { open: boolean; sel: string | undefined } | undefined;
  #view: ViewInstance | undefined;
  #viewName: View | undefined;
  #lint: Promise<LintJson> | undefined;
  #flows: Promise<TrafficJson> | undefined;
  /** Workload-level connections of namespaces loaded on demand (when the model has too many to send). */
  readonly loaded = new Map<string, ConnectionJson[]>();
  #edges: EdgeInput[] | undefined;
  /**
   * The server's events (`--watch`) in the order they came: a number for each. The model shown is the answer
   * to the reload of event #modelAt; the banner says what event #bannerAt (or the answer to its reload) said.
   */
  #events = 0;
  /** The server stopped answering (its events broke off), until an answer to a reload. */
  #lost = false;
  #modelAt = 0;
  #bannerAt = 0;

  constructor(root: HTMLElement, api: Api, model: Model, factories: Record<View, ViewFactory>) {
    this.api = api;
    this.model = model;
    this.#factories = factories;
    this.#root = root;
    const nav = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Views' });
    for (const v of VIEWS) {
      const disabled = this.#disabledReason(v);
      const tab = h(
        'button',
        {
          class: 'tab',
          role: 'tab',
          id: `tab-${v}`,
          'aria-selected': 'false',
          'aria-controls': 'stage',
          'aria-disabled': disabled === undefined ? null : 'true',
          title: disabled ?? null,
          tabindex: '-1',
          onclick: () => {
            if (disabled === undefined) this.navigate({ view: v, params: this.#carried(v) });
          },
        },
        TITLES[v],
      );
      this.#tabs.set(v, tab);
      nav.append(tab);
    }
    nav.addEventListener('keydown', (e) => {
      const i = VIEWS.indexOf(this.route.view);
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      e.preventDefault();
      for (let k = 1; k <= VIEWS.length; k++) {
        const next = VIEWS[(i + step * k + VIEWS.length) % VIEWS.length]!;
        if (this.#disabledReason(next) === undefined) {
          this.navigate({ view: next, params: this.#carried(next) });
          this.#tabs.get(next)?.focus();
          break;
        }
      }
    });
    const theme = h(
      'button',
      {
        class: 'theme-toggle',
        type: 'button',
        'aria-label': 'Switch between light and dark theme',
        onclick: () => this.toggleTheme(),
      },
      '◐',
    );
    this.#inspectorToggle = h(
      'button',
      {
        class: 'inspector-toggle-button',
        type: 'button',
        'aria-controls': 'inspector',
        title: 'Show or hide the details panel',
        onclick: () => this.#toggleInspector(),
      },
      'Details',
    );
    this.#summary = h('span', { class: 'summary' });
    const header = h(
      'header',
      { class: 'top' },
      h('a', { class: 'brand', href: '#/graph' }, 'netfence'),
      h('span', { class: 'source', title: model.source.description }, model.source.description),
      this.#summary,
      nav,
      this.#inspectorToggle,
      theme,
    );
    this.#banner = h('div', { class: 'banner', role: 'status', hidden: true });
    this.#sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Controls' });
    this.#stage = h('main', { class: 'stage', id: 'stage', role: 'tabpanel' });
    this.#inspector = h('aside', {
      class: 'inspector',
      id: 'inspector',
      'aria-label': 'Details',
      'aria-live': 'polite',
    });
    window.addEventListener('resize', () => this.#layoutInspector());
    replace(
      root,
      header,
      this.#banner,
      h('div', { class: 'layout' }, this.#sidebar, this.#stage, this.#inspector),
    );
    this.#renderSummary();
    this.#showProblem(model.problem);
    window.addEventListener('hashchange', () => this.#onHash());
    document.addEventListener('keydown', (e) => this.#shortcut(e));
    api.subscribe(
      () => void this.reload(),
      (problem) => {
        this.#bannerAt = ++this.#events;
        this.#showProblem(problem);
      },
      () => {
        this.#bannerAt = ++this.#events;
        this.#showBanner(`${NOT_ANSWERING} Showing the last state.`);
        this.#lost = true;
        this.#renderSummary();
      },
    );
    this.#onHash();
  }

  #disabledReason(v: View): string | undefined {
    if (v === 'traffic' && !this.model.features.flows)
      return this.api.isStatic
        ? 'No flows in this report'
        : 'Start netfence serve with --flows FILE to see traffic';
    if (this.api.isStatic && (v === 'paths' || v === 'whatif'))
      return 'Needs netfence serve (this is a static report)';
    return undefined;
  }

  /** Filters that make sense in the next view too. */
  #carried(next: View): Record<string, string> {
    const keep =
      next === 'graph' || next === 'traffic' || next === 'matrix' ? ['ns', 'labels', 'port', 'ext'] : [];
    const out: Record<string, string> = {};
    for (const k of keep) if (this.route.params[k] !== undefined) out[k] = this.route.params[k];
    return out;
  }

  #renderSummary(): void {
    const s = this.model.summary;
    // The connection's state, not the option's: while the server does not answer, the page retries.
    const live = this.#lost
      ? h(
          'span',
          {
            class: 'pill offline',
            title: 'netfence serve is not answering: the page retries, and reloads when it answers again',
          },
          'reconnecting',
        )
      : this.model.features.watch
        ? h('span', { class: 'pill live', title: 'Reloads when the input changes' }, 'live')
        : null;
    const report = this.model.features.static ? h('span', { class: 'pill' }, 'report') : null;
    const cilium = this.model.ciliumPolicies.length;
    // The connections first: on a narrow window the rest gives way (whole in the tooltip).
    const connections = connectionCounts(s);
    const rest = headerCounts(s, cilium, this.model.clusterPolicies.length);
    this.#summary.title = `${connections}${rest}`;
    replace(this.#summary, h('span', { class: 'summary-connections' }, connections), rest, live, report);
  }

  /**
   * A reload's problem: its message, and what the terminal printed before it (each problem of the input at its
   * file, line and column, with the field path: the lines the first load's page lists too).
   */
  #showProblem(problem: ReloadProblemJson | null | undefined): void {
    if (problem === null || problem === undefined) this.#showBanner(undefined);
    else
      this.#showBanner(
        `The input changed but could not be loaded: ${problem.message}. Showing the last good state.`,
        problem.details,
      );
  }

  #showBanner(text: string | undefined, details: readonly string[] = []): void {
    this.#banner.hidden = text === undefined;
    replace(
      this.#banner,
      text === undefined ? null : h('p', {}, text),
      details.length === 0
        ? null
        : h(
            'ul',
            { class: 'details' },
            details.map((d) => h('li', {}, d)),
          ),
    );
  }

  navigate(route: Route, replaceState = false): void {
    const hash = formatRoute(route);
    if (hash === location.hash) return;
    if (replaceState) history.replaceState(null, '', hash);
    else history.pushState(null, '', hash);
    this.#onHash();
  }

  /** Changes parameters of the current route (null removes one). */
  set(changes: Readonly<Record<string, string | null>>, replaceState = false): void {
    this.navigate(withParams(this.route, changes), replaceState);
  }

  #onHash(): void {
    const route = parseRoute(location.hash);
    const view = this.#disabledReason(route.view) === undefined ? route.view : 'graph';
    this.route = { view, params: route.params };
    document.title = `netfence · ${TITLES[view]} · ${this.model.source.description}`;
    for (const [v, tab] of this.#tabs) {
      const on = v === view;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    this.#layoutInspector();
    if (this.#viewName !== view || this.#view === undefined) {
      this.#view?.destroy();
      for (const el of [this.#sidebar, this.#stage, this.#inspector]) el.replaceChildren();
      this.#stage.setAttribute('aria-labelledby', `tab-${view}`);
      this.#root.dataset.view = view;
      this.#viewName = view;
      this.#view = this.#factories[view](
        { app: this, sidebar: this.#sidebar, stage: this.#stage, inspector: this.#inspector },
        this.route,
      );
    } else {
      this.#view.update(this.route);
    }
  }

  /**
   * The inspector takes room only when it has something to say: on a narrow window (under 1280 px) the views
   * with a canvas hide it until something is selected; the Details button shows or hides it anyway.
   */
  #layoutInspector(): void {
    const sel = this.route.params.sel;
    const choice = this.#inspectorChoice;
    if (choice !== undefined && choice.sel !== sel) this.#inspectorChoice = undefined;
    const canvasView = ['graph', 'traffic', 'paths', 'matrix'].includes(this.route.view);
    const open =
      this.#inspectorChoice?.open ?? (!canvasView || window.innerWidth >= 1280 || sel !== undefined);
    this.#root.classList.toggle('inspector-closed', !open);
    this.#inspectorToggle.setAttribute('aria-expanded', String(open));
    this.#inspectorToggle.hidden = !canvasView;
  }

  #toggleInspector(): void {
    const open = this.#root.classList.contains('inspector-closed');
    this.#inspectorChoice = { open, sel: this.route.params.sel };
    this.#layoutInspector();
  }

  #shortcut(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    const typing =
      target !== null &&
      (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
    if (e.key === '/' && !typing) {
      const search = this.#sidebar.querySelector<HTMLInputElement>('input[data-search]');
      if (search !== null) {
        e.preventDefault();
        search.focus();
      }
    } else if (e.key === 'Escape' && !typing && this.route.params.sel !== undefined) {
      this.set({ sel: null });
    }
  }

  toggleTheme(): void {
    const root = document.documentElement;
    const dark =
      root.dataset.theme === 'dark' ||
      (root.dataset.theme === undefined && window.matchMedia('(prefers-color-scheme: dark)').matches);
    root.dataset.theme = dark ? 'light' : 'dark';
    try {
      localStorage.setItem('netfence-theme', root.dataset.theme);
    } catch {
      // storage may be off (a report opened from a file): the theme lasts for this page only
    }
    this.#view?.restyle?.();
  }

  /** Every workload-level edge known: all of them, or those of the namespaces loaded so far. */
  edges(): { edges: EdgeInput[]; complete: boolean } {
    if (this.model.connections !== null) {
      this.#edges ??= connectionEdges(this.model.connections);
      return { edges: this.#edges, complete: true };
    }
    const seen = new Set<string>();
    const out: EdgeInput[] = [];
    for (const list of this.loaded.values()) {
      for (const c of list) {
        const key = `${c.src}>${c.dst}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(connectionEdge(c));
      }
    }
    return { edges: out, complete: false };
  }

  /** What the graph and the matrix are built from: the model's entities, every edge known, its group edges. */
  graphInput(): GraphInput {
    const { edges, complete } = this.edges();
    return {
      namespaces: this.model.namespaces,
      workloads: this.model.workloads,
      external: this.model.external,
      edges,
      complete,
      groupEdges: this.model.namespaceConnections,
    };
  }

  /** Loads the connections of namespaces not loaded yet (very large clusters only). */
  async ensureNamespaces(names: Iterable<string>): Promise<boolean> {
    if (this.model.connections !== null) return false;
    let changed = false;
    for (const ns of names) {
      if (this.loaded.has(ns)) continue;
      const r = await this.api.connections(ns);
      this.loaded.set(ns, r.connections);
      changed = true;
    }
    return changed;
  }

  lint(): Promise<LintJson> {
    this.#lint ??= this.api.lint();
    return this.#lint;
  }

  flows(): Promise<TrafficJson> {
    this.#flows ??= this.api.flows();
    return this.#flows;
  }

  /**
   * A workload's, an address range's or a DNS name's name: a Node's address is named as the node's, as `diff`
   * and the what-if's list name it (`192.168.0.2/32 (an address of node n2)`).
   */
  workloadName(id: string): string {
    if (isDomainNode(id)) return domainLabel(id.slice('dns:'.length));
    const w = this.model.workloads.find((x) => x.id === id);
    if (w !== undefined) return w.displayName;
    const x = this.model.external.find((e) => e.id === id);
    return x === undefined ? id : addressName(x);
  }

  /**
   * The server's analysis changed (`--watch`): fetch it, and redraw the current view. Reloads may overlap (two
   * changes in quick succession) and their answers arrive in either order, before or after a later `problem`
   * event: the page follows the newest event by the order of the events, not of the answers' arrival. An answer
   * to a reload older than the one shown is dropped, so the page ends on the newest analysis; an answer (or a
   * failure) older than the banner's event leaves the banner, so a reload asked before a problem and answered
   * after it does not clear the problem's banner (its answer, computed before the problem, says none). By the
   * order of the events, not the model's version, which starts again at 1 when the server is restarted on the
   * same port.
   */
  async reload(): Promise<void> {
    const asked = ++this.#events;
    let model: Model;
    try {
      model = await this.api.model();
    } catch (error) {
      // The server stopped, or answered with an error: the page keeps what it shows, and says so.
      if (asked < this.#bannerAt || asked < this.#modelAt) return;
      this.#bannerAt = asked;
      const why = error instanceof Error ? error.message : String(error);
      this.#showBanner(
        `The input changed, but the page could not fetch the new analysis (${why}). Showing the last state.`,
      );
      return;
    }
    // It answered: the connection is back, whichever answer the page keeps.
    this.#lost = false;
    if (asked < this.#modelAt) {
      this.#renderSummary();
      return;
    }
    this.#modelAt = asked;
    if (asked >= this.#bannerAt) {
      this.#bannerAt = asked;
      this.#showProblem(model.problem);
    }
    this.model = model;
    this.#lint = undefined;
    this.#flows = undefined;
    this.#edges = undefined;
    this.loaded.clear();
    this.#renderSummary();
    this.#view?.destroy();
    this.#view = undefined;
    this.#onHash();
  }
}
