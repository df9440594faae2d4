/**
 * The static report of `netfence report --html`: the web app's page with its script, its styles and a
 * snapshot of the analysis inlined, so that one file opens anywhere, offline (a ticket, a CI artifact).
 */

export interface HtmlReportParts {
  /** `dist/ui/index.html`, with its `app.css` link, its `app.js` script and the data marker. */
  indexHtml: string;
  css: string;
  js: string;
  /** The snapshot the app reads instead of the API. */
  data: unknown;
  title: string;
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
  html = replaceOnce(
    html,
    '<!--netfence:data-->',
    `<script type="application/json" id="netfence-data">${jsonScript(parts.data)}</script>`,
  );
  html = replaceOnce(html, '<title>netfence</title>', `<title>${escapeHtml(parts.title)}</title>`);
  return html;
}
