import type { IgnoredSummary } from './types.ts';
import { compareText } from '../base/text.ts';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A one-line notice about what was not analyzed, or undefined when nothing was ignored, e.g.
 * `Ignored 3 objects of other kinds (ConfigMap ×2, Ingress ×1) and 1 file with no Kubernetes objects.`
 */
export function describeIgnored(ignored: IgnoredSummary): string | undefined {
  const parts: string[] = [];
  if (ignored.count > 0) {
    const kinds = Object.entries(ignored.kinds)
      .sort(([a, x], [b, y]) => y - x || compareText(a, b))
      .map(([kind, n]) => `${kind} ×${n}`)
      .join(', ');
    parts.push(`${plural(ignored.count, 'object of another kind', 'objects of other kinds')} (${kinds})`);
  }
  if (ignored.files > 0) parts.push(`${plural(ignored.files, 'file', 'files')} with no Kubernetes objects`);
  return parts.length === 0 ? undefined : `Ignored ${parts.join(' and ')}.`;
}
