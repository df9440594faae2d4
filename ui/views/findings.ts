/**
 * The Findings view: what `netfence lint` finds, with severity, each linked to the policy and workloads it
 * concerns (in the graph, and in the what-if editor).
 */
import { filterFindings, findingTarget, rulesOf, SEVERITIES, type Severity } from '../lib/findings.ts';
import type { Route } from '../lib/route.ts';
import type { FindingJson, LintJson } from '../../src/contract/lint.ts';
import type { ViewContext, ViewInstance } from './app.ts';
import { debounce, h, replace } from './dom.ts';
import { renderEmpty, renderPolicy } from './inspect.ts';

export function createFindingsView(ctx: ViewContext, first: Route): ViewInstance {
  const { app } = ctx;
  let route = first;
  let lint: LintJson | undefined;
  let failure: string | undefined;

  const severity = h(
    'select',
    { id: 'f-severity' },
    SEVERITIES.map((s) =>
      h(
        'option',
        { value: s },
        s === 'error' ? 'errors' : s === 'warning' ? 'errors and warnings' : 'everything',
      ),
    ),
  );
  severity.addEventListener('change', () =>
    app.set({ severity: severity.value === 'info' ? null : severity.value }),
  );
  const rule = h('select', { id: 'f-rule' });
  rule.addEventListener('change', () => app.set({ rule: rule.value === '' ? null : rule.value }));
  const text = h('input', {
    type: 'search',
    id: 'f-text',
    'data-search': true,
    placeholder: 'Search findings  ( / )',
    autocomplete: 'off',
  });
  text.addEventListener(
    'input',
    debounce(() => app.set({ q: text.value.trim() || null }, true), 200),
  );
  const counts = h('p', { class: 'counts' });
  ctx.sidebar.append(
    counts,
    h('div', { class: 'control' }, h('label', { for: 'f-text' }, 'Find'), text),
    h('div', { class: 'control' }, h('label', { for: 'f-severity' }, 'Show'), severity),
    h('div', { class: 'control' }, h('label', { for: 'f-rule' }, 'Rule'), rule),
  );
  const list = h('div', { class: 'findings' });
  ctx.stage.append(list);

  function row(f: FindingJson): HTMLElement {
    const t = findingTarget(f);
    // Where lint prints it: the file, line and column.
    const where =
      f.file === null
        ? ''
        : `${f.file}${f.line === null ? '' : `:${f.line}${f.column === null ? '' : `:${f.column}`}`}`;
    return h(
      'article',
      { class: `finding finding-${f.severity}` },
      h(
        'header',
        {},
        h('span', { class: `sev sev-${f.severity}` }, f.severity),
        ' ',
        h('a', { href: f.helpUri ?? '#', class: 'rule', target: '_blank', rel: 'noopener' }, f.ruleId),
        h('span', { class: 'where' }, where),
      ),
      h('p', {}, f.message),
      h(
        'p',
        { class: 'links' },
        t.policy === null
          ? null
          : h(
              'button',
              { type: 'button', class: 'linkish', onclick: () => app.set({ sel: `policy:${t.policy!}` }) },
              `policy ${t.policy}`,
            ),
        t.policy === null || app.api.isStatic
          ? null
          : h('a', { href: `#/whatif?policy=${encodeURIComponent(t.policy)}` }, 'edit in what-if'),
        t.namespace === null
          ? null
          : h('a', { href: `#/graph?ns=${encodeURIComponent(t.namespace)}` }, `namespace ${t.namespace}`),
        ...t.workloads
          .slice(0, 6)
          .map((w) =>
            h(
              'a',
              { href: `#/graph?focus=${encodeURIComponent(w)}&sel=${encodeURIComponent(`node:${w}`)}` },
              app.workloadName(w),
            ),
          ),
        t.workloads.length > 6 ? h('span', { class: 'muted' }, `and ${t.workloads.length - 6} more`) : null,
      ),
    );
  }

  function draw(): void {
    if (lint === undefined) {
      replace(list, h('p', { class: 'muted' }, failure ?? 'Linting…'));
      renderEmpty(ctx.inspector, '');
      return;
    }
    const sev = (route.params.severity ?? 'info') as Severity;
    severity.value = SEVERITIES.includes(sev) ? sev : 'info';
    const rules = rulesOf(lint.findings);
    // Each entry counts findings, as lint does: "every rule" the findings of every rule, not the rules.
    replace(
      rule,
      h('option', { value: '' }, `every rule (${lint.findings.length})`),
      rules.map((r) => h('option', { value: r.rule }, `${r.rule} (${r.count})`)),
    );
    rule.value = route.params.rule ?? '';
    if (document.activeElement !== text) text.value = route.params.q ?? '';
    const shown = filterFindings(lint.findings, {
      severity: severity.value as Severity,
      rule: route.params.rule ?? null,
      text: route.params.q ?? '',
    });
    const s = lint.summary;
    replace(
      counts,
      h('span', { class: 'sev sev-error' }, `${s.errors} error${s.errors === 1 ? '' : 's'}`),
      ' ',
      h('span', { class: 'sev sev-warning' }, `${s.warnings} warning${s.warnings === 1 ? '' : 's'}`),
      ' ',
      h('span', { class: 'sev sev-info' }, `${s.info} info`),
      s.suppressed > 0 ? h('small', { class: 'muted' }, ` · ${s.suppressed} suppressed`) : null,
    );
    replace(
      list,
      shown.length === 0
        ? h(
            'p',
            { class: 'muted' },
            lint.findings.length === 0 ? 'No findings: nothing to fix.' : 'No finding matches the filter.',
          )
        : shown.map(row),
    );
    const sel = route.params.sel;
    if (sel?.startsWith('policy:') === true) renderPolicy(app, ctx.inspector, sel.slice(7));
    else
      renderEmpty(
        ctx.inspector,
        'Findings link to the policy and the workloads they concern: open one to see it.',
      );
  }

  app.lint().then(
    (l) => {
      lint = l;
      draw();
    },
    (error: unknown) => {
      failure = error instanceof Error ? error.message : String(error);
      draw();
    },
  );
  draw();
  return {
    update(next) {
      route = next;
      draw();
    },
    destroy() {
      list.remove();
    },
  };
}
