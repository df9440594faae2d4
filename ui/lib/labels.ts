/**
 * The label filter of the graph, in kubectl's `-l` syntax: `app=web`, `tier!=db`, `team in (a,b)`,
 * `env notin (dev)`, `app`, `!legacy`, joined by commas (all must hold).
 */

export type LabelTerm =
  | { op: 'eq' | 'ne'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'missing'; key: string };

/** Splits at commas outside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/** Parses a selector; returns a message quoting the bad term when it cannot. */
export function parseLabelFilter(text: string): LabelTerm[] | string {
  const terms: LabelTerm[] = [];
  for (const term of splitTerms(text)) {
    let m = /^(.+?)\s*(!=|==|=)\s*(.*)$/.exec(term);
    if (m !== null && KEY.test(m[1]!)) {
      terms.push({ op: m[2] === '!=' ? 'ne' : 'eq', key: m[1]!, value: m[3]!.trim() });
      continue;
    }
    m = /^(.+?)\s+(in|notin)\s*\((.*)\)$/.exec(term);
    if (m !== null && KEY.test(m[1]!)) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      terms.push({ op: m[2] === 'in' ? 'in' : 'notin', key: m[1]!, values });
      continue;
    }
    m = /^(!?)\s*(.+)$/.exec(term);
    if (m !== null && KEY.test(m[2]!)) {
      terms.push({ op: m[1] === '!' ? 'missing' : 'exists', key: m[2]! });
      continue;
    }
    return `cannot read "${term}": use key=value, key!=value, key in (a,b), key or !key`;
  }
  return terms;
}

export function labelsMatch(labels: Readonly<Record<string, string>>, terms: readonly LabelTerm[]): boolean {
  return terms.every((t) => {
    const has = Object.hasOwn(labels, t.key);
    const v = labels[t.key];
    switch (t.op) {
      case 'eq':
        return has && v === t.value;
      case 'ne':
        return !has || v !== t.value;
      case 'in':
        return has && t.values.includes(v!);
      case 'notin':
        return !has || !t.values.includes(v!);
      case 'exists':
        return has;
      case 'missing':
        return !has;
    }
  });
}
