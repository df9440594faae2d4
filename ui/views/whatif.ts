/**
 * The What-if view: edit a policy's YAML (or add one, or turn one off) and see at once what it changes, as a
 * connectivity diff against the current state: edges added and removed are highlighted, validation problems
 * show inline in the editor, and the edited policies export as YAML. Nothing is ever written to a cluster.
 */
import { addressName, buildGraph, defaultCollapsed, type EdgeInput } from '../lib/graph.ts';
import type { Route } from '../lib/route.ts';
import type { ClusterPolicyJson, WhatIfJson } from '../../src/contract/api.ts';
import {
  changedCount,
  changesHeading,
  exportYaml,
  isChanged,
  isClusterPolicyYaml,
  newClusterPolicyYaml,
  newPolicyYaml,
  policyChangeCounts,
  toRequest,
  type Draft,
} from '../lib/whatif.ts';
import type { App, ViewContext, ViewInstance } from './app.ts';
import { Canvas } from './canvas.ts';
import { debounce, h, replace } from './dom.ts';
import { loadEditor, type EditorHandle } from './editor-api.ts';

/** Drafts survive switching views (not reloading the page). Keyed by policy id, or `new:N`. */
const drafts = new Map<string, Draft>();
let newCount = 0;
let draftsVersion = -1;

/** One policy of the list on the left. */
interface ListItem {
  key: string;
  name: string;
  draft: Draft | undefined;
}

/** The group cluster policies are listed under (they have no namespace). */
const CLUSTER_WIDE = '(cluster-wide)';

const KIND_SHORT: Record<ClusterPolicyJson['kind'], string> = {
  ClusterNetworkPolicy: 'CNP',
  AdminNetworkPolicy: 'ANP',
  BaselineAdminNetworkPolicy: 'BANP',
};

/** A NetworkPolicy, a cluster policy or a Cilium policy of the model, by id. */
function policyOf(app: App, id: string | null): { id: string; yaml: string } | undefined {
  return (
    app.model.policies.find((x) => x.id === id) ??
    app.model.clusterPolicies.find((x) => x.id === id) ??
    app.model.ciliumPolicies.find((x) => x.id === id)
  );
}

function draftOf(app: App, key: string): Draft | undefined {
  const existing = drafts.get(key);
  if (existing !== undefined) return existing;
  const p = policyOf(app, key);
  if (p === undefined) return undefined;
  const d: Draft = { target: p.id, yaml: p.yaml, original: p.yaml };
  drafts.set(key, d);
  return d;
}

export function createWhatIfView(ctx: ViewContext, first: Route): ViewInstance {
  const { app } = ctx;
  let route = first;
  let result: WhatIfJson | undefined;
  let failure: string | undefined;
  let editor: EditorHandle | undefined;
  let editorKey: string | undefined;
  let ticket = 0;
  if (draftsVersion !== app.model.version) {
    // The input changed under the drafts (--watch): keep the edits, but compare against the new state.
    for (const [key, d] of drafts) {
      const p = policyOf(app, d.target);
      if (d.target !== null && p === undefined) drafts.delete(key);
      else if (p !== undefined && !isChanged(d)) d.yaml = p.yaml;
      if (p !== undefined) d.original = p.yaml;
    }
    draftsVersion = app.model.version;
  }

  const policyList = h('div', { class: 'policy-list' });
  const nsSelect = h(
    'select',
    { id: 'w-ns', title: 'Namespace of the new policy' },
    app.model.namespaces.map((n) => h('option', { value: n.name }, n.name)),
  );
  const onlyChanges = h('input', { type: 'checkbox', id: 'w-only' });
  onlyChanges.addEventListener('change', () => app.set({ only: onlyChanges.checked ? 'changes' : null }));
  ctx.sidebar.append(
    h(
      'div',
      { class: 'control' },
      h(
        'p',
        { class: 'row' },
        h('label', { for: 'w-ns' }, 'Namespace'),
        nsSelect,
        h('button', { type: 'button', onclick: () => addPolicy(nsSelect.value) }, 'New policy'),
      ),
      h(
        'p',
        { class: 'row' },
        h(
          'button',
          {
            type: 'button',
            title:
              'A ClusterNetworkPolicy: Admin tier (before NetworkPolicies) or Baseline tier (after them)',
            onclick: () => addClusterPolicy(),
          },
          'New cluster policy',
        ),
      ),
      h(
        'p',
        { class: 'row' },
        h('button', { type: 'button', id: 'w-export', onclick: () => exportDrafts() }, 'Export YAML'),
        h('button', { type: 'button', onclick: () => resetAll() }, 'Reset all'),
      ),
      h('label', { class: 'check' }, onlyChanges, ' Show only what changes'),
    ),
    policyList,
    h(
      'p',
      { class: 'muted small' },
      'Edits stay in this page: nothing is written to files or to the cluster. Export the YAML to apply it yourself.',
    ),
  );
  const summary = h('div', { class: 'graph-status', role: 'status', id: 'whatif-summary' });
  const canvas = new Canvas(ctx.stage, {
    onEdge: (e) => showEdge(e.source, e.target),
    onNode: (id) => showNode(id),
  });
  ctx.stage.append(summary);
  const panel = h('div', { class: 'editor-panel' });
  const changesList = h('div', { class: 'changes' });
  ctx.inspector.append(panel, changesList);

  function addPolicy(namespace: string): void {
    newCount++;
    const key = `new:${newCount}`;
    const yaml = newPolicyYaml(namespace, `new-policy-${newCount}`);
    drafts.set(key, { target: null, yaml, original: '' });
    app.set({ policy: key });
    evaluate();
  }

  function addClusterPolicy(): void {
    newCount++;
    const key = `new:${newCount}`;
    drafts.set(key, {
      target: null,
      yaml: newClusterPolicyYaml(`new-cluster-policy-${newCount}`),
      original: '',
    });
    app.set({ policy: key });
    evaluate();
  }

  function resetAll(): void {
    drafts.clear();
    editorKey = undefined;
    app.set({ policy: null });
    evaluate();
  }

  function exportDrafts(): void {
    const list = [...drafts.values()];
    if (!list.some(isChanged)) return;
    const blob = new Blob([exportYaml(list)], { type: 'application/yaml' });
    const a = h('a', { href: URL.createObjectURL(blob), download: 'netfence-what-if.yaml' });
    document.body.append(a);
    a.click();
    a.remove();
  }

  /** The policies by namespace, with the new ones under the namespace their YAML names. */
  function policiesByNamespace(): Map<string, ListItem[]> {
    const byNs = new Map<string, ListItem[]>();
    for (const p of app.model.policies) {
      const list = byNs.get(p.namespace) ?? [];
      list.push({ key: p.id, name: p.name, draft: drafts.get(p.id) });
      byNs.set(p.namespace, list);
    }
    for (const p of app.model.clusterPolicies) {
      const list = byNs.get(CLUSTER_WIDE) ?? [];
      list.push({ key: p.id, name: `${KIND_SHORT[p.kind]} ${p.name}`, draft: drafts.get(p.id) });
      byNs.set(CLUSTER_WIDE, list);
    }
    for (const p of app.model.ciliumPolicies) {
      const ns = p.namespace ?? CLUSTER_WIDE;
      const list = byNs.get(ns) ?? [];
      const kind = p.namespace === null ? 'CCNP' : 'Cilium';
      list.push({ key: p.id, name: `${kind} ${p.name}`, draft: drafts.get(p.id) });
      byNs.set(ns, list);
    }
    for (const [key, d] of drafts) {
      if (d.target !== null) continue;
      const ns = isClusterPolicyYaml(d.yaml ?? '')
        ? CLUSTER_WIDE
        : (/namespace:\s*([a-z0-9-]+)/.exec(d.yaml ?? '')?.[1] ?? '(new)');
      const list = byNs.get(ns) ?? [];
      list.push({ key, name: /name:\s*([a-z0-9.-]+)/.exec(d.yaml ?? '')?.[1] ?? key, draft: d });
      byNs.set(ns, list);
    }
    return byNs;
  }

  /** The keys of the drafts whose change the server found errors in. */
  function brokenDrafts(): Set<string | undefined> {
    const problemsOf = new Set((result?.problems ?? []).map((p) => p.change));
    const { draftOf: order } = toRequest([...drafts.values()]);
    const keys = [...drafts.keys()];
    return new Set(order.flatMap((draftIndex, change) => (problemsOf.has(change) ? [keys[draftIndex]] : [])));
  }

  /** One policy of the list: its on/off box, its name to edit it, and what the draft does to it. */
  function policyItem(
    { key, name, draft }: ListItem,
    current: string | undefined,
    broken: boolean,
  ): HTMLElement {
    const off = draft !== undefined && draft.yaml === null;
    const box = h('input', {
      type: 'checkbox',
      checked: !off,
      'aria-label': `${off ? 'Turn on' : 'Turn off'} ${key}`,
    });
    box.addEventListener('change', () => toggle(key));
    const state =
      draft === undefined || !isChanged(draft) ? '' : draft.target === null ? 'new' : off ? 'off' : 'edited';
    return h(
      'li',
      { class: `${current === key ? 'current ' : ''}${broken ? 'broken' : ''}` },
      box,
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'linkish',
          'aria-current': current === key ? 'true' : null,
          onclick: () => app.set({ policy: key }),
        },
        name,
      ),
      state === '' ? null : h('span', { class: `pill ${state}` }, state),
    );
  }

  function renderList(): void {
    const current = route.params.policy;
    const broken = brokenDrafts();
    replace(
      policyList,
      [...policiesByNamespace()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([ns, items]) =>
          h(
            'section',
            {},
            h('h3', {}, ns),
            h(
              'ul',
              { class: 'plain' },
              items.map((item) => policyItem(item, current, broken.has(item.key))),
            ),
          ),
        ),
    );
  }

  function toggle(key: string): void {
    const d = draftOf(app, key);
    if (d === undefined) return;
    if (d.yaml === null) d.yaml = d.original === '' ? newPolicyYaml('default') : d.original;
    else if (d.target === null) drafts.delete(key);
    else d.yaml = null;
    editorKey = undefined;
    evaluate();
    drawEditor();
  }

  const evaluate = debounce(() => void run(), 350);

  async function run(): Promise<void> {
    const mine = ++ticket;
    const { changes } = toRequest([...drafts.values()]);
    try {
      const r = await app.api.whatIf(changes);
      if (mine !== ticket) return;
      result = r;
      failure = undefined;
    } catch (error) {
      if (mine !== ticket) return;
      failure = error instanceof Error ? error.message : String(error);
    }
    drawResult();
  }

  function problemsFor(key: string): WhatIfJson['problems'] {
    if (result === undefined) return [];
    const list = [...drafts.values()];
    const { draftOf: order } = toRequest(list);
    const index = [...drafts.keys()].indexOf(key);
    const change = order.indexOf(index);
    return change < 0 ? [] : result.problems.filter((p) => p.change === change);
  }

  /** Remove (a new policy) or turn off and on, and revert an edited one. */
  function editorButtons(key: string, d: Draft): HTMLElement {
    const revert = (): void => {
      d.yaml = d.original;
      editorKey = undefined;
      evaluate();
      drawEditor();
    };
    return h(
      'p',
      { class: 'row' },
      h(
        'button',
        { type: 'button', onclick: () => toggle(key) },
        d.target === null ? 'Remove' : d.yaml === null ? 'Turn on' : 'Turn off',
      ),
      d.target !== null && d.yaml !== null && d.yaml !== d.original
        ? h('button', { type: 'button', onclick: revert }, 'Revert')
        : null,
    );
  }

  function drawEditor(): void {
    const key = route.params.policy;
    if (key === undefined) {
      editor?.destroy();
      editor = undefined;
      editorKey = undefined;
      replace(
        panel,
        h(
          'p',
          { class: 'muted empty' },
          'Pick a policy on the left to edit it, or add a new one. Changes apply as you type.',
        ),
      );
      return;
    }
    const d = draftOf(app, key);
    if (d === undefined) {
      replace(panel, h('p', { class: 'muted' }, `No policy "${key}".`));
      return;
    }
    if (editorKey === key && editor !== undefined) {
      showProblems(key);
      return;
    }
    editor?.destroy();
    editor = undefined;
    editorKey = key;
    const host = h('div', { class: 'editor-host' });
    const problems = h('ul', { class: 'problems', 'aria-live': 'polite' });
    replace(
      panel,
      h('h2', {}, d.target ?? 'New policy'),
      editorButtons(key, d),
      d.yaml === null
        ? h('p', { class: 'notice' }, 'Turned off: the what-if runs without this policy.')
        : null,
      host,
      problems,
    );
    void loadEditor().then(
      (api) => {
        if (editorKey !== key) return;
        editor = api.create(host, d.yaml ?? d.original, {
          readOnly: d.yaml === null,
          label: `YAML of ${d.target ?? 'the new policy'}`,
          onChange: (text) => {
            d.yaml = text;
            renderList();
            evaluate();
          },
        });
        showProblems(key);
      },
      (error: unknown) =>
        replace(host, h('p', { class: 'warn' }, error instanceof Error ? error.message : String(error))),
    );
  }

  function showProblems(key: string): void {
    const list = problemsFor(key);
    editor?.setProblems(
      list
        .filter((p) => p.line !== null)
        .map((p) => ({ line: p.line!, column: p.column ?? 1, severity: p.severity, message: p.message })),
    );
    const ul = panel.querySelector('.problems');
    if (ul === null) return;
    // As the CLI prints a problem (`file:line:column warning: path: message`), the editor's YAML for the file.
    replace(
      ul,
      list.map((p) =>
        h(
          'li',
          { class: `sev-${p.severity}` },
          p.line === null
            ? null
            : h(
                'button',
                { type: 'button', class: 'linkish', onclick: () => editor?.goTo(p.line!, p.column ?? 1) },
                `line ${p.line}, column ${p.column ?? 1}`,
              ),
          p.line === null ? '' : ': ',
          p.severity === 'warning' ? 'warning: ' : '',
          p.path === '' ? p.message : `${p.path}: ${p.message}`,
        ),
      ),
    );
  }

  /** The status line: how many connections the drafts add, remove and change. */
  function drawSummary(r: WhatIfJson): void {
    const s = r.summary;
    const changed = s.added + s.removed + s.before.changed + s.after.changed;
    replace(
      summary,
      failure === undefined ? null : h('span', { class: 'warn' }, `${failure} `),
      changed === 0
        ? [...drafts.values()].some(isChanged)
          ? 'No connection changes.'
          : 'No changes yet: edit a policy, turn one off, or add one.'
        : [
            // Each side's connections as `analyze` counts them, as `netfence diff` does.
            `Connections (${s.before.connections} → ${s.after.connections}): `,
            h('span', { class: 'added' }, `+${s.added} added`),
            ' · ',
            h('span', { class: 'removed' }, `−${s.removed} removed`),
            ' · ',
            h('span', { class: 'changed' }, `${changedCount(s)} changed`),
          ],
      policyChangeCounts(s, r.ciliumPolicies) === null
        ? null
        : ` · ${policyChangeCounts(s, r.ciliumPolicies)}`,
      r.problems.some((p) => p.severity === 'error')
        ? h('span', { class: 'warn' }, ' · some changes have errors and are left out')
        : null,
    );
  }

  /** The graph of the edited state, with what changed highlighted. */
  function drawGraph(r: WhatIfJson, only: boolean): void {
    const edges: EdgeInput[] = r.edges
      .filter((e) => !only || e.change !== 'unchanged')
      .map((e) => ({
        src: e.src,
        dst: e.dst,
        ports: null,
        summary: e.change === 'changed' ? `${e.before ?? ''} → ${e.after ?? ''}` : e.summary,
        open: e.open && e.change === 'unchanged',
        status: e.change,
      }));
    const collapsed = defaultCollapsed(app.model.namespaces, app.model.workloads.length);
    const graph = buildGraph(
      {
        namespaces: app.model.namespaces,
        workloads: app.model.workloads,
        external: r.external,
        edges,
        complete: true,
        groupEdges: [],
      },
      {
        namespaces: null,
        labels: null,
        port: null,
        hideOpen: true,
        external: true,
        collapsed,
        focus: null,
        statusOrder: ['removed', 'added', 'changed', 'unchanged'],
      },
    );
    canvas.render(graph, {
      edgeClasses: (e) => (e.status === null || e.status === 'unchanged' ? [] : [`ch-${e.status}`]),
    });
  }

  /** One row of the list of changes: `+ a → b: TCP 80`, and what Cilium filters at L7 of it. */
  function changeRow(r: WhatIfJson['rows'][number]): HTMLElement {
    const changed = `${r.added === null ? '' : `+${r.added} `}${r.removed === null ? '' : `−${r.removed}`}`;
    return diffItem(r, changed, r.l7);
  }

  /** One change of reach by DNS name: `+ news/feed-fetcher → feeds.example (by DNS name): TCP 443`. */
  function domainRow(d: WhatIfJson['domains'][number]): HTMLElement {
    return diffItem(d, `${d.before ?? ''} → ${d.after ?? ''}`, null);
  }

  function diffItem(
    r: {
      change: 'added' | 'removed' | 'changed';
      src: string;
      dst: string;
      before: string | null;
      after: string | null;
    },
    changed: string,
    note: string | null,
  ): HTMLElement {
    const what = r.change === 'added' ? r.after : r.change === 'removed' ? r.before : changed;
    const sign = r.change === 'added' ? '+' : r.change === 'removed' ? '−' : '~';
    return h(
      'li',
      { class: `row-${r.change}` },
      h('span', { class: `pill ${r.change}` }, sign),
      ` ${r.src} → ${r.dst}: `,
      what,
      note === null ? null : h('small', { class: 'muted' }, ` (${note})`),
    );
  }

  /** One policy change: `~ data/allow-postgres`, `+ ClusterNetworkPolicy/x (Admin, priority 1)` and its notes. */
  function policyRow(
    p:
      | WhatIfJson['policies'][number]
      | WhatIfJson['clusterPolicies'][number]
      | WhatIfJson['ciliumPolicies'][number],
  ): HTMLElement {
    const change = p.change === 'modified' ? 'changed' : p.change;
    const sign = p.change === 'added' ? '+' : p.change === 'removed' ? '−' : '~';
    const place =
      'tier' in p
        ? (() => {
            const tier = p.change === 'removed' ? p.tier.before : p.tier.after;
            const priority = p.change === 'removed' ? p.priority.before : p.priority.after;
            return ` (${tier ?? ''}${priority === null ? '' : `, priority ${priority}`})`;
          })()
        : '';
    const notes = 'notes' in p ? p.notes : [];
    return h(
      'li',
      { class: `row-${change}` },
      h('span', { class: `pill ${change}` }, sign),
      ` ${p.id}${place}`,
      notes.length === 0 ? null : h('small', { class: 'muted' }, `: ${notes.join('; ')}`),
    );
  }

  /** The list of changes beside the editor: the policies changed, then the connections (as counted). */
  function drawChanges(r: WhatIfJson): void {
    const policies = [...r.policies, ...r.clusterPolicies, ...r.ciliumPolicies];
    replace(
      changesList,
      policies.length === 0
        ? null
        : h(
            'section',
            { class: 'insp-section' },
            h('h3', {}, `Policy changes (${policies.length})`),
            h('ul', { class: 'plain policy-changes' }, policies.map(policyRow)),
          ),
      r.rows.length === 0
        ? null
        : h(
            'section',
            { class: 'insp-section' },
            h('h3', {}, changesHeading(r.summary, r.rows.length)),
            h('ul', { class: 'plain diff-rows' }, r.rows.map(changeRow)),
          ),
      r.domains.length === 0
        ? null
        : h(
            'section',
            { class: 'insp-section' },
            h('h3', {}, `By DNS name (${r.domains.length})`),
            h('ul', { class: 'plain diff-rows domain-rows' }, r.domains.map(domainRow)),
          ),
    );
  }

  function drawResult(): void {
    renderList();
    const key = route.params.policy;
    if (key !== undefined) showProblems(key);
    if (result === undefined) {
      replace(summary, failure ?? 'Computing…');
      return;
    }
    drawSummary(result);
    const only = route.params.only === 'changes';
    onlyChanges.checked = only;
    drawGraph(result, only);
    drawChanges(result);
  }

  function showEdge(src: string, dst: string): void {
    const e = result?.edges.find((x) => x.src === src && x.dst === dst);
    if (e === undefined) return;
    // An address end is one of the what-if's address classes (its own split of the addresses), not the model's.
    const name = (id: string): string => {
      const x = result?.external.find((a) => a.id === id);
      return x === undefined ? app.workloadName(id) : addressName(x);
    };
    replace(
      summary,
      `${name(src)} → ${name(dst)}: `,
      e.change === 'unchanged'
        ? `${e.summary} (unchanged)`
        : e.change === 'added'
          ? `newly allowed: ${e.after ?? ''}`
          : e.change === 'removed'
            ? `no longer allowed: ${e.before ?? ''}`
            : `${e.before ?? ''} → ${e.after ?? ''}`,
      e.l7 === null ? null : ` (${e.l7})`,
    );
  }

  function showNode(id: string): void {
    const w = app.model.workloads.find((x) => x.id === id);
    if (w === undefined) return;
    const first = w.policies[0];
    if (first !== undefined) app.set({ policy: first });
  }

  function draw(): void {
    renderList();
    drawEditor();
    if (result !== undefined) drawResult();
  }

  draw();
  void run();
  return {
    update(next) {
      const onlyChanged = next.params.only !== route.params.only;
      route = next;
      draw();
      if (onlyChanged) drawResult();
    },
    destroy() {
      editor?.destroy();
      canvas.destroy();
    },
    restyle() {
      canvas.restyle();
    },
  };
}
