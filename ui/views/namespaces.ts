/** The namespace filter of the graph and the matrix: one checkbox per namespace with workloads. */
import type { NamespaceJson } from '../../src/contract/api.ts';
import type { App } from './app.ts';
import { h } from './dom.ts';

/**
 * The checkbox of namespace `n`, labelled with its name and workload count. `shown` is the `ns` filter
 * (null: every namespace); a change writes the new filter to the route.
 */
export function namespaceCheck(
  app: App,
  n: NamespaceJson,
  shown: ReadonlySet<string> | null,
): HTMLLabelElement {
  const box = h('input', {
    type: 'checkbox',
    id: `ns-${n.name}`,
    checked: shown === null || shown.has(n.name),
  });
  box.addEventListener('change', () => {
    const all = app.model.namespaces.filter((x) => x.workloads > 0).map((x) => x.name);
    const next = new Set(shown ?? all);
    if (box.checked) next.add(n.name);
    else next.delete(n.name);
    app.set({ ns: next.size === all.length ? null : [...next].join(',') || '-' });
  });
  return h(
    'label',
    { class: 'check' },
    box,
    ` ${n.name} `,
    h('small', { class: 'muted' }, String(n.workloads)),
  );
}
