/**
 * The static report of `netfence report --html`: a summary first (counts, unprotected workloads, findings by
 * severity, the largest blast radius), then the web app's page with its script, its styles and a snapshot of
 * the analysis inlined, then why each connection is allowed; one file that opens anywhere, offline (a ticket,
 * a CI artifact), and prints.
 */
import { domainName } from './connectivity.ts';
import { plural } from './plural.ts';

export interface HtmlReportParts {
  /** `dist/ui/index.html`, with its `app.css` link, its `app.js` script and the data marker. */
  indexHtml: string;
  css: string;
  js: string;
  /** The snapshot the app reads instead of the API. */
  data: unknown;
  title: string;
  /** The summary shown before the app, and the explanations after it. */
  summary: ReportSummary;
}

/** What the report says first, in plain HTML (readable without the script, and printed). */
export interface ReportSummary {
  source: string;
  generated: string;
  /** As `/api/model`'s summary: `domains` are (source, DNS name) pairs, counted apart from connections. */
  counts: {
    namespaces: number;
    workloads: number;
    policies: number;
    /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies. */
    ciliumPolicies: number;
    connections: number;
    domains: number;
  };
  /**
   * Workloads with a direction that is not protected (in every pod): no NetworkPolicy isolates it, no Cilium
   * rule set selecting it is in default deny, and no cluster policy (Admin or Baseline tier) denies anything in
   * it, with that direction; `onlyDenies`: the directions only Cilium deny rules restrict.
   */
  unprotected: {
    name: string;
    ingress: boolean;
    egress: boolean;
    onlyDenies: readonly ('ingress' | 'egress')[];
  }[];
  findings: { errors: number; warnings: number; info: number };
  /** The workloads that reach the most others, most first. */
  blastRadius: { name: string; reach: number; direct: number }[];
  /** Every allowed connection with its explanation, or how many were left out (too many to embed). */
  connections: { src: string; dst: string; ports: string; explanation: string }[];
  connectionsLeftOut: number;
  /** Reach by DNS name (cluster policies' `domainNames`, Cilium `toFQDNs`): named destinations, not counted as connections. */
  domains: { src: string; domain: string; ports: string }[];
}

/** Text safe inside `<script>`: no `</script` can close it early. */
export function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

/** JSON safe inside `<script type="application/json">`. */
export function jsonScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** The summary section before the app. */
export function summaryHtml(s: ReportSummary): string {
  const e = escapeHtml;
  const c = s.counts;
  const unprotected =
    s.unprotected.length === 0
      ? '<p>Every workload is isolated for ingress and egress.</p>'
      : `<p class="muted">A direction is protected when a NetworkPolicy or a Cilium rule set in default deny isolates it, or a cluster policy denies some of its traffic; Cilium deny rules alone do not protect it.</p><table><thead><tr><th>Workload</th><th>Not isolated for</th></tr></thead><tbody>${s.unprotected
          .map((u) => {
            const dir = (d: 'ingress' | 'egress', on: boolean): string =>
              !on ? '' : u.onlyDenies.includes(d) ? `${d} (only Cilium deny rules)` : d;
            return `<tr><td>${e(u.name)}</td><td>${[dir('ingress', u.ingress), dir('egress', u.egress)].filter((x) => x !== '').join(', ')}</td></tr>`;
          })
          .join('')}</tbody></table>`;
  const blast =
    s.blastRadius.length === 0
      ? '<p>No workload reaches another.</p>'
      : `<table><thead><tr><th>Workload</th><th>Reaches (hops)</th><th>Directly</th></tr></thead><tbody>${s.blastRadius
          .map((b) => `<tr><td>${e(b.name)}</td><td>${b.reach}</td><td>${b.direct}</td></tr>`)
          .join('')}</tbody></table>`;
  const domains =
    s.domains.length === 0
      ? []
      : [
          `<h2>Reach by DNS name (${c.domains})</h2>`,
          '<p class="muted">Allowed by cluster policies\' <code>domainNames</code> or Cilium <code>toFQDNs</code> rules: the addresses are whatever the name resolves to, so these are not counted as connections.</p>',
          `<table><thead><tr><th>Workload</th><th>Destination</th><th>Connections</th></tr></thead><tbody>${s.domains
            .map(
              (d) => `<tr><td>${e(d.src)}</td><td>${e(domainName(d.domain))}</td><td>${e(d.ports)}</td></tr>`,
            )
            .join('')}</tbody></table>`,
        ];
  return [
    '<section class="report-summary" id="summary">',
    `<h1>netfence report · ${e(s.source)}</h1>`,
    `<p class="muted">Generated ${e(s.generated)}. Counts are connections: allowed (source, destination) pairs.</p>`,
    '<ul class="report-counts">',
    `<li><strong>${c.namespaces}</strong> namespaces</li>`,
    `<li><strong>${c.workloads}</strong> workloads</li>`,
    `<li><strong>${c.policies}</strong> policies</li>`,
    ...(c.ciliumPolicies === 0
      ? []
      : [
          `<li><strong>${c.ciliumPolicies}</strong> ${c.ciliumPolicies === 1 ? 'Cilium policy' : 'Cilium policies'}</li>`,
        ]),
    `<li><strong>${c.connections}</strong> allowed connections</li>`,
    // Apart from connections, as `analyze` counts them (`, plus 6 by DNS name`).
    ...(c.domains === 0 ? [] : [`<li><strong>${c.domains}</strong> by DNS name</li>`]),
    `<li><strong>${s.unprotected.length}</strong> ${s.unprotected.length === 1 ? 'unprotected workload' : 'unprotected workloads'}</li>`,
    '</ul>',
    `<h2>Findings by severity</h2><p><span class="sev-error">${plural(s.findings.errors, 'error')}</span> · <span class="sev-warning">${plural(s.findings.warnings, 'warning')}</span> · ${s.findings.info} info</p>`,
    `<h2>Unprotected workloads (${s.unprotected.length})</h2>`,
    unprotected,
    `<h2>Largest blast radius</h2>`,
    blast,
    ...domains,
    '<p class="no-print"><a href="#app">The interactive graph, matrix and findings</a> · <a href="#why">Why each connection is allowed</a></p>',
    '</section>',
  ].join('\n');
}

/** Every allowed connection with its explanation, after the app (opened for printing). */
export function explanationsHtml(s: ReportSummary): string {
  const e = escapeHtml;
  const left =
    s.connectionsLeftOut === 0
      ? ''
      : `<p>${plural(s.connectionsLeftOut, 'more connection')} not explained here (too many to embed): run netfence explain or netfence serve.</p>`;
  return [
    '<section class="report-why" id="why">',
    `<h2>Why each connection is allowed (${s.connections.length})</h2>`,
    ...s.connections.map(
      (x) =>
        `<details><summary>${e(x.src)} → ${e(x.dst)}: ${e(x.ports)}</summary><pre>${e(x.explanation)}</pre></details>`,
    ),
    left,
    '</section>',
    // Printed, every explanation shows.
    "<script>addEventListener('beforeprint', () => { for (const d of document.querySelectorAll('.report-why details')) d.open = true; });</script>",
  ].join('\n');
}

/** The page, with every external reference inlined. Throws (a bug) when the template lacks a marker. */
export function renderHtmlReport(parts: HtmlReportParts): string {
  const replaceOnce = (text: string, marker: string, by: string): string => {
    const i = text.indexOf(marker);
    if (i < 0) throw new Error(`the UI template has no ${marker}`);
    return text.slice(0, i) + by + text.slice(i + marker.length);
  };
  let html = parts.indexHtml;
  html = replaceOnce(
    html,
    '<link rel="stylesheet" href="app.css" />',
    `<style>\n${parts.css.replace(/<\/(style)/gi, '<\\/$1')}\n</style>`,
  );
  html = replaceOnce(html, '<script src="app.js"></script>', `<script>\n${scriptSafe(parts.js)}\n</script>`);
  html = replaceOnce(html, '<body>', `<body class="report">\n${summaryHtml(parts.summary)}`);
  html = replaceOnce(
    html,
    '<!--netfence:data-->',
    `${explanationsHtml(parts.summary)}\n<script type="application/json" id="netfence-data">${jsonScript(parts.data)}</script>`,
  );
  html = replaceOnce(html, '<title>netfence</title>', `<title>${escapeHtml(parts.title)}</title>`);
  return html;
}
