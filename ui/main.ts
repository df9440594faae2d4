/**
 * The netfence web app: connectivity graph, traffic overlay, matrix, findings, attack paths and what-if,
 * served by `netfence serve` or embedded in a static report (`netfence report --html`).
 */
import type { View } from './lib/route.ts';
import { ApiFailure, embeddedData, NOT_ANSWERING, serverApi, staticApi } from './views/api.ts';
import { App, type ViewFactory } from './views/app.ts';
import { h, replace } from './views/dom.ts';
import { createFindingsView } from './views/findings.ts';
import { createGraphView } from './views/graph.ts';
import { createMatrixView } from './views/matrix.ts';
import { createPathsView } from './views/paths.ts';
import { createWhatIfView } from './views/whatif.ts';

const views: Record<View, ViewFactory> = {
  graph: (ctx, route) => createGraphView(ctx, route, false),
  traffic: (ctx, route) => createGraphView(ctx, route, true),
  matrix: createMatrixView,
  findings: createFindingsView,
  paths: createPathsView,
  whatif: createWhatIfView,
};

/** What the page says while `serve --watch` waits for an input that loads (as the server's 503 does). */
const WATCHING = 'netfence serve --watch analyses it as soon as it loads: fix it, and this page follows';

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  const data = embeddedData();
  const api = data === undefined ? serverApi() : staticApi(data);
  try {
    const model = await api.model();
    new App(root, api, model, views);
  } catch (error) {
    const message = error instanceof ApiFailure || error instanceof Error ? error.message : String(error);
    const text = h('p', {}, message);
    const details = h('ul', { class: 'details' });
    replace(root, h('div', { class: 'fatal', role: 'alert' }, h('h1', {}, 'netfence'), text, details));
    // `serve --watch` started on an input that does not load: the page follows the server's events, shows the
    // problem (with what the terminal printed: file and line) and opens the analysis once there is one.
    if (!api.isStatic)
      api.subscribe(
        () => location.reload(),
        (problem) => {
          text.textContent = `the input could not be loaded: ${problem.message}. ${WATCHING}`;
          replace(details, ...problem.details.map((d) => h('li', {}, d)));
        },
        () => {
          text.textContent = NOT_ANSWERING;
        },
        // No analysis (version 0): an analysis made before the events connect opens too.
        0,
      );
  }
}

// A theme the user picked applies before anything is drawn (this script runs in the head).
try {
  const theme = localStorage.getItem('netfence-theme');
  if (theme === 'dark' || theme === 'light') document.documentElement.dataset.theme = theme;
} catch {
  // storage may be off: the system's preference applies
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void start());
else void start();
