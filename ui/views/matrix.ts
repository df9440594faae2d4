/**
 * The Matrix view: namespace × namespace (how many workload pairs, or workload–address pairs, may connect,
 * shaded by the share of pairs that may) or workload × workload (on which ports). Click a cell to list its
 * connections.
 */
import { addressGroup, namespaceGroup, NODES, OUTSIDE, outsideToggleTitle } from '../lib/graph.ts';
import {
  abbreviate,
  cellKey,
  cellNotes,
  cellPairs,
  cellText,
  namespaceMatrix,
  VIRTUAL_CELLS,
  visibleRange,
  workloadMatrix,
  type Matrix,
  type MatrixCell,
  type MatrixLevel,
} from '../lib/matrix.ts';
import type { Route } from '../lib/route.ts';
import type { ViewContext, ViewInstance } from './app.ts';
import { h, replace } from './dom.ts';
import { groupName, renderAggregate, renderConnection, renderEmpty, renderPolicy } from './inspect.ts';
import { parseSelection, shownNamespaces } from '../lib/route.ts';
import { namespaceCheck } from './namespaces.ts';

export function createMatrixView(ctx: ViewContext, first: Route): ViewInstance {
  const { app } = ctx;
  let route = first;
  const levelName = 'matrix-level';
  const radios = (['namespace', 'workload'] as const).map((level) => {
    const input = h('input', { type: 'radio', name: levelName, value: level, id: `level-${level}` });
    input.addEventListener('change', () =>
      app.set({ level: level === 'namespace' ? null : level, cell: null, sel: null }),
    );
    return { level, input };
  });
  const hideOpen = h('input', { type: 'checkbox', id: 'm-hide-open' });
  hideOpen.addEventListener('change', () => app.set({ open: hideOpen.checked ? 'hide' : null }));
  const showExt = h('input', { type: 'checkbox', id: 'm-show-ext' });
  showExt.addEventListener('change', () => app.set({ ext: showExt.checked ? null : '0' }));
  const nsList = h('ul', { class: 'ns-list' });
  ctx.sidebar.append(
    h(
      'fieldset',
      { class: 'control' },
      h('legend', {}, 'Level'),
      radios.map((r) =>
        h(
          'label',
          { class: 'check', for: r.input.id },
          r.input,
          ` ${r.level === 'namespace' ? 'namespace × namespace' : 'workload × workload'}`,
        ),
      ),
    ),
    h('fieldset', { class: 'control' }, h('legend', {}, 'Namespaces'), nsList),
    h(
      'fieldset',
      { class: 'control' },
      h('legend', {}, 'Filter'),
      h('label', { class: 'check' }, hideOpen, ' Hide unrestricted connections'),
      h(
        'label',
        { class: 'check', title: outsideToggleTitle(app.model.external) },
        showExt,
        ' Show outside the cluster',
      ),
    ),
    h(
      'details',
      { class: 'legend control', open: true },
      h('summary', {}, 'Legend'),
      h(
        'ul',
        { class: 'plain' },
        h('li', {}, h('span', { class: 'swatch cell-restricted' }), ' some connection a policy restricts'),
        h('li', {}, h('span', { class: 'swatch cell-open' }), ' only unrestricted connections'),
        app.model.ciliumPolicies.length === 0
          ? null
          : h(
              'li',
              {},
              h('span', { class: 'l7-mark' }, 'L7'),
              ' allowed at L4, filtered at L7 by a Cilium policy (its HTTP, Kafka or DNS rules decide each request)',
            ),
      ),
      h(
        'p',
        { class: 'muted small' },
        "Rows are sources, columns destinations. At namespace level a cell counts the pairs that may connect: of two workloads, or in the rows and columns nodes and outside the cluster, of a workload and a node's address or an address range; the darker, the larger their share of all such pairs.",
      ),
    ),
  );
  const holder = h('div', { class: 'matrix-holder' });
  ctx.stage.append(holder);
  let grid: { stop(): void } | undefined;

  function draw(): void {
    const level: MatrixLevel = route.params.level === 'workload' ? 'workload' : 'namespace';
    for (const r of radios) r.input.checked = r.level === level;
    hideOpen.checked = route.params.open === 'hide';
    showExt.checked = route.params.ext !== '0';
    const namespaces = shownNamespaces(route);
    replace(
      nsList,
      app.model.namespaces
        .filter((n) => n.workloads > 0)
        .map((n) => h('li', {}, namespaceCheck(app, n, namespaces))),
    );
    const input = app.graphInput();
    const opts = {
      namespaces,
      external: route.params.ext !== '0',
      // The Nodes' addresses are in the cluster: "Show outside the cluster" leaves them shown.
      nodes: true,
      hideOpen: route.params.open === 'hide',
    };
    if (level === 'workload' && !input.complete) {
      const wanted = app.model.namespaces
        .filter((n) => namespaces === null || namespaces.has(n.name))
        .map((n) => n.name);
      if (wanted.length <= 10) void app.ensureNamespaces(wanted).then((changed) => changed && draw());
    }
    const m = level === 'namespace' ? namespaceMatrix(input, opts) : workloadMatrix(input, opts);
    // Rows of workloads (or their namespaces): without any, the address rows alone would say nothing.
    const none =
      typeof m !== 'string' && !m.rows.some((r) => r.group !== NODES && r.group !== OUTSIDE)
        ? app.model.workloads.length === 0
          ? 'The input has no workloads: there is no matrix to draw.'
          : 'No namespace is shown: pick some in the list.'
        : undefined;
    grid?.stop();
    grid = undefined;
    holder.classList.toggle(
      'virtual',
      typeof m !== 'string' && none === undefined && m.rows.length * m.cols.length > VIRTUAL_CELLS,
    );
    if (none !== undefined) replace(holder, h('p', { class: 'notice' }, none));
    else if (typeof m === 'string') replace(holder, h('p', { class: 'notice' }, m));
    else if (m.rows.length * m.cols.length > VIRTUAL_CELLS) {
      grid = virtualGrid(holder, m, route.params.cell, (key) => app.set({ cell: key, sel: null }));
    } else replace(holder, table(m));
    inspect(m);
  }

  function table(m: Matrix): HTMLElement {
    const selected = route.params.cell;
    const label = (id: string): string => m.rows.find((r) => r.id === id)?.label ?? id;
    const shade = (c: MatrixCell): number =>
      m.level === 'namespace' ? Math.min(1, c.count / Math.max(1, c.possible)) : c.label === 'all' ? 1 : 0.55;
    return h(
      'table',
      {
        class: `matrix level-${m.level}`,
        'aria-label': `${m.level} connectivity matrix: rows are sources, columns destinations`,
      },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { class: 'corner', scope: 'col' }, 'from ↓ to →'),
          m.cols.map((c) =>
            h('th', { scope: 'col', class: 'col-head', title: c.label }, h('span', {}, c.label)),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        m.rows.map((r) =>
          h(
            'tr',
            {},
            h(
              'th',
              { scope: 'row', title: r.label },
              r.label,
              m.level === 'namespace' ? h('small', { class: 'muted' }, ` ${r.size}`) : null,
            ),
            m.cols.map((c) => {
              const cell = m.cells.get(cellKey(r.id, c.id));
              if (cell === undefined)
                return h('td', { class: 'empty', 'aria-label': `${r.label} to ${c.label}: none` });
              const open = cell.open === cell.count;
              const key = cellKey(r.id, c.id);
              return h(
                'td',
                {
                  class: `${open ? 'open' : 'restricted'}${selected === key ? ' selected' : ''}`,
                  style: `--shade:${shade(cell).toFixed(2)}`,
                },
                h(
                  'button',
                  {
                    type: 'button',
                    title: `${label(r.id)} → ${label(c.id)}: ${m.level === 'namespace' ? cellPairs(cell) : cell.label}${cellNotes(cell)}`,
                    onclick: () => app.set({ cell: key, sel: null }),
                  },
                  cell.label,
                  cell.l7 === 0 ? null : h('span', { class: 'l7-mark' }, ' L7'),
                ),
              );
            }),
          ),
        ),
      ),
    );
  }

  function inspect(m: Matrix | string): void {
    const sel = parseSelection(route.params.sel);
    if (sel?.kind === 'edge') {
      renderConnection(app, ctx.inspector, sel.src, sel.dst);
      return;
    }
    if (sel?.kind === 'policy') {
      renderPolicy(app, ctx.inspector, sel.id);
      return;
    }
    const cell = route.params.cell;
    if (cell === undefined || typeof m === 'string') {
      renderEmpty(
        ctx.inspector,
        'Click a cell to list its connections; pick one to see which rules allow it.',
      );
      return;
    }
    const [row, col] = cell.split('>') as [string, string];
    if (m.level === 'workload' && !row.startsWith('ns:') && row !== OUTSIDE && row !== NODES) {
      renderConnection(app, ctx.inspector, row, col);
      return;
    }
    const nsOf = new Map(app.model.workloads.map((w) => [w.id, namespaceGroup(w.namespace)]));
    const addressOf = new Map(app.model.external.map((x) => [x.id, x]));
    const group = (id: string): string => nsOf.get(id) ?? addressGroup(addressOf.get(id));
    const members = app
      .edges()
      .edges.filter(
        (e) => group(e.src) === row && group(e.dst) === col && (route.params.open !== 'hide' || !e.open),
      );
    renderAggregate(app, ctx.inspector, `${groupName(row)} → ${groupName(col)}`, members);
  }

  draw();
  return {
    update(next) {
      route = next;
      draw();
    },
    destroy() {
      grid?.stop();
      holder.remove();
    },
  };
}

/** Cell and header sizes of the virtualized matrix, in pixels. */
const CELL = { w: 44, h: 24, rowHead: 200, colHead: 140 };

function cellTitle(m: Matrix, c: MatrixCell, rows: ReadonlyMap<string, string>): string {
  const what = m.level === 'namespace' ? cellPairs(c) : c.label;
  return `${rows.get(c.row) ?? c.row} → ${rows.get(c.col) ?? c.col}: ${what}${cellNotes(c)}`;
}

/**
 * A matrix too large for a table (a thousand workloads a side): a scrolled area as large as the whole matrix,
 * in which only the rows and columns in view (and a few more) exist, redrawn on scroll; headers stay in
 * view (sticky), abbreviated to fit, with the full name on hover.
 */
function virtualGrid(
  holder: HTMLElement,
  m: Matrix,
  selected: string | undefined,
  pick: (key: string) => void,
): { stop(): void } {
  const labels = new Map(m.rows.map((r) => [r.id, r.label]));
  const layer = h('div', { class: 'vm-layer' });
  const area = h(
    'div',
    {
      class: `vmatrix level-${m.level}`,
      role: 'grid',
      'aria-rowcount': String(m.rows.length),
      'aria-colcount': String(m.cols.length),
      'aria-label': `${m.level} connectivity matrix: rows are sources, columns destinations`,
      style: `width:${CELL.rowHead + m.cols.length * CELL.w}px;height:${CELL.colHead + m.rows.length * CELL.h}px`,
    },
    layer,
  );
  replace(holder, area);
  const shade = (c: MatrixCell): number =>
    m.level === 'namespace' ? Math.min(1, c.count / Math.max(1, c.possible)) : c.label === 'all' ? 1 : 0.55;
  let frame = 0;
  const paint = (): void => {
    frame = 0;
    const top = Math.max(0, holder.scrollTop - 16);
    const left = Math.max(0, holder.scrollLeft - 16);
    const [r0, r1] = visibleRange(top, holder.clientHeight - CELL.colHead, CELL.h, m.rows.length);
    const [c0, c1] = visibleRange(left, holder.clientWidth - CELL.rowHead, CELL.w, m.cols.length);
    const out: HTMLElement[] = [];
    for (let r = r0; r < r1; r++) {
      const row = m.rows[r]!;
      for (let c = c0; c < c1; c++) {
        const col = m.cols[c]!;
        const key = cellKey(row.id, col.id);
        const cell = m.cells.get(key);
        if (cell === undefined) continue;
        const open = cell.open === cell.count;
        out.push(
          h(
            'button',
            {
              type: 'button',
              role: 'gridcell',
              class: `vm-cell ${open ? 'open' : 'restricted'}${selected === key ? ' selected' : ''}`,
              style: `left:${CELL.rowHead + c * CELL.w}px;top:${CELL.colHead + r * CELL.h}px;--shade:${shade(cell).toFixed(2)}`,
              title: cellTitle(m, cell, labels),
              onclick: () => pick(key),
            },
            m.level === 'namespace' ? cell.label : cellText(cell.label),
          ),
        );
      }
    }
    for (let c = c0; c < c1; c++) {
      const col = m.cols[c]!;
      out.push(
        h(
          'div',
          {
            class: 'vm-col',
            role: 'columnheader',
            title: col.label,
            style: `left:${CELL.rowHead + c * CELL.w}px;top:${holder.scrollTop}px`,
          },
          h('span', {}, abbreviate(col.label, 22)),
        ),
      );
    }
    for (let r = r0; r < r1; r++) {
      const row = m.rows[r]!;
      out.push(
        h(
          'div',
          {
            class: 'vm-row',
            role: 'rowheader',
            title: row.label,
            style: `left:${holder.scrollLeft}px;top:${CELL.colHead + r * CELL.h}px`,
          },
          abbreviate(row.label, 28),
        ),
      );
    }
    out.push(
      h(
        'div',
        { class: 'vm-corner', style: `left:${holder.scrollLeft}px;top:${holder.scrollTop}px` },
        `from ↓ to → · ${m.rows.length.toLocaleString('en-US')} × ${m.cols.length.toLocaleString('en-US')}`,
      ),
    );
    replace(layer, out);
  };
  const onScroll = (): void => {
    if (frame === 0) frame = requestAnimationFrame(paint);
  };
  holder.addEventListener('scroll', onScroll, { passive: true });
  paint();
  return {
    stop() {
      cancelAnimationFrame(frame);
      holder.removeEventListener('scroll', onScroll);
    },
  };
}
