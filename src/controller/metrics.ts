/**
 * The controller's Prometheus metrics, in the text exposition format (version 0.0.4), written by hand: a
 * few gauges replaced wholesale after each audit, counters and histograms. No client library: the format
 * is small, and netfence keeps its runtime dependencies to the Kubernetes client (docs/architecture.md).
 */

export type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
}

/** Seconds: from 1 ms to 60 s, for evaluation phases from a small cluster to a large one. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function number(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

const key = (labels: Labels): string => JSON.stringify(Object.entries(labels));

interface Histogram {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export class Metrics {
  readonly #families = new Map<string, Family>();
  /** name → series key → (labels, value) */
  readonly #values = new Map<string, Map<string, { labels: Labels; value: number }>>();
  readonly #histograms = new Map<string, Map<string, Histogram>>();

  #family(name: string, help: string, type: Family['type']): void {
    const known = this.#families.get(name);
    if (known !== undefined && known.type !== type) throw new Error(`metric ${name} is a ${known.type}`);
    if (known === undefined) this.#families.set(name, { name, help, type });
  }

  /** Declares a metric so that it is exposed (with no series) before its first value. */
  declare(name: string, help: string, type: Family['type']): void {
    this.#family(name, help, type);
  }

  /** Replaces every series of a gauge: what is not given is gone (a namespace deleted, a rule fixed). */
  setGauge(name: string, help: string, series: readonly { labels: Labels; value: number }[]): void {
    this.#family(name, help, 'gauge');
    this.#values.set(name, new Map(series.map((s) => [key(s.labels), s])));
  }

  set(name: string, help: string, labels: Labels, value: number): void {
    this.#family(name, help, 'gauge');
    const series = this.#values.get(name) ?? new Map<string, { labels: Labels; value: number }>();
    series.set(key(labels), { labels, value });
    this.#values.set(name, series);
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    this.#family(name, help, 'counter');
    const series = this.#values.get(name) ?? new Map<string, { labels: Labels; value: number }>();
    const k = key(labels);
    series.set(k, { labels, value: (series.get(k)?.value ?? 0) + by });
    this.#values.set(name, series);
  }

  observe(name: string, help: string, labels: Labels, seconds: number): void {
    this.#family(name, help, 'histogram');
    const series = this.#histograms.get(name) ?? new Map<string, Histogram>();
    const k = key(labels);
    const h = series.get(k) ?? { labels, counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
    LATENCY_BUCKETS.forEach((le, i) => {
      if (seconds <= le) h.counts[i]!++;
    });
    h.sum += seconds;
    h.count++;
    series.set(k, h);
    this.#histograms.set(name, series);
  }

  /** The exposition text: `# HELP`, `# TYPE`, then the series, family by family in the order declared. */
  text(): string {
    const lines: string[] = [];
    for (const f of this.#families.values()) {
      lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      lines.push(`# TYPE ${f.name} ${f.type}`);
      if (f.type === 'histogram') {
        for (const h of this.#histograms.get(f.name)?.values() ?? []) {
          LATENCY_BUCKETS.forEach((le, i) =>
            lines.push(`${f.name}_bucket${labelText({ ...h.labels, le: number(le) })} ${h.counts[i]!}`),
          );
          lines.push(`${f.name}_bucket${labelText({ ...h.labels, le: '+Inf' })} ${h.count}`);
          lines.push(`${f.name}_sum${labelText(h.labels)} ${number(h.sum)}`);
          lines.push(`${f.name}_count${labelText(h.labels)} ${h.count}`);
        }
      } else
        for (const s of this.#values.get(f.name)?.values() ?? [])
          lines.push(`${f.name}${labelText(s.labels)} ${number(s.value)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
