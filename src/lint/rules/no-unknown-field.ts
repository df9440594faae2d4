import { compileCluster } from '../../engine/compile.ts';
import { computeConnectivity } from '../../engine/connectivity.ts';
import type { FieldPath } from '../../model/problem.ts';
import { formatPath } from '../../model/problem.ts';
import { buildClusterState, unknownFieldsOf } from '../../parse/build.ts';
import type { ParsedObject } from '../../parse/types.ts';
import { RuleCategory, defineRule, type RuleContext } from '../types.ts';

type Json = Readonly<Record<string, unknown>>;

/** Typos whose consequence is counted (each costs an analysis of the whole input); later ones are not. */
export const MAX_COUNTED = 20;

function isMap(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of `object` (a mapping, or a list on the way down) with the key at `path` renamed to `to`; undefined
 * when `to` is there already.
 */
function renamed(object: Json, path: FieldPath, to: string): Json | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  if (rest.length === 0) {
    if (Object.hasOwn(object, to)) return undefined;
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k === head ? to : k, v]));
  }
  const child: unknown = Array.isArray(object) ? (object as unknown[])[head as number] : object[head];
  if (typeof child !== 'object' || child === null) return undefined;
  const inner = renamed(child as Json, rest, to);
  if (inner === undefined) return undefined;
  if (Array.isArray(object)) {
    const copy = [...(object as unknown[])];
    copy[head as number] = inner;
    return copy as unknown as Json;
  }
  return { ...object, [head]: inner };
}

/**
 * `source` read as if it held `object` (a typo fixed): its place and positions stay the source's. A plain
 * object, not one inheriting from `source`: parsed objects are class instances with private fields, which
 * their getters cannot read through another object.
 */
function withObject(source: ParsedObject, object: Record<string, unknown>): ParsedObject {
  return {
    object,
    apiVersion: source.apiVersion,
    kind: source.kind,
    file: source.file,
    line: source.line,
    column: source.column,
    documentIndex: source.documentIndex,
    documentPath: source.documentPath,
    locate: (path) => source.locate(path),
    nodeAt: (path) => source.nodeAt(path),
    sourceText: (path) => source.sourceText(path),
    get document() {
      return source.document;
    },
    get node() {
      return source.node;
    },
  };
}

/** Allowed pairs between workloads, by `src dst` key, with their ports as text. */
function workloadPairs(sources: readonly ParsedObject[], ctx: RuleContext): Map<string, string> {
  const built = buildClusterState(sources, { defaultNamespace: ctx.defaultNamespace, skipInvalid: true });
  const connectivity = computeConnectivity(compileCluster(built.state, ctx.compiled.options));
  const entities = connectivity.byId;
  const pairs = new Map<string, string>();
  for (const c of connectivity.connections) {
    if (entities.get(c.src)?.kind !== 'workload' || entities.get(c.dst)?.kind !== 'workload') continue;
    pairs.set(`${c.src} ${c.dst}`, JSON.stringify(c.ports));
  }
  return pairs;
}

/** How the answer as written compares with the answer with the field spelled right. */
function delta(asIs: ReadonlyMap<string, string>, fixed: ReadonlyMap<string, string>): string {
  let more = 0;
  let fewer = 0;
  let changed = 0;
  for (const [pair, ports] of asIs) {
    const other = fixed.get(pair);
    if (other === undefined) more++;
    else if (other !== ports) changed++;
  }
  for (const pair of fixed.keys()) if (!asIs.has(pair)) fewer++;
  const parts: string[] = [];
  const n = (count: number, what: string): string =>
    `${count} ${what}connection${count === 1 ? '' : 's'} between workloads ${count === 1 ? 'is' : 'are'}`;
  if (more > 0) parts.push(`${n(more, 'more ')} allowed`);
  if (fewer > 0) parts.push(`${n(fewer, 'fewer ')} allowed`);
  if (changed > 0) parts.push(`${n(changed, '')} allowed on other ports`);
  return parts.length === 0
    ? 'the connections between workloads are the same as with the field spelled right'
    : `${parts.join(', ')} than with the field spelled right`;
}

/** What dropping the field means, in words: `spec.podSelector is then empty: this policy selects every pod in data`. */
function consequence(source: ParsedObject, meant: FieldPath, namespace: string): string {
  const field = formatPath(meant);
  if (source.kind === 'NetworkPolicy' && field === 'spec.podSelector')
    return `${field} is then empty: this policy selects every pod in ${namespace}`;
  return `${field} is then absent`;
}

function namespaceOf(source: ParsedObject, fallback: string): string {
  const meta = source.object.metadata;
  const ns = isMap(meta) ? meta.namespace : undefined;
  return typeof ns === 'string' && ns !== '' ? ns : fallback;
}

export default defineRule({
  id: 'no-unknown-field',
  meta: {
    severity: 'error',
    category: RuleCategory.Mistakes,
    description: 'Objects have no unknown fields (a misspelled podSelector, ingress or port)',
    rationale:
      "The API server rejects an unknown field with strict field validation (kubectl's default), and silently drops it without (older kubectl, --validate=false, Helm, some GitOps tools). Dropped, a misspelled podSelecter leaves the policy selecting every pod of its namespace, a misspelled ingres denies all ingress. netfence reads the object as the API server without validation does, and this rule says what the typo changes: it compares the connections with the field dropped and with it spelled right.",
    // The parser's warning (an error with --strict) is this rule's finding in `netfence lint`.
    supersedes: ['unknown-field'],
    fix: 'Spell the field right (the message names the closest known field), or remove it.',
    messages: {
      typo: 'Unknown field "{{key}}" (did you mean "{{suggestion}}"?): {{consequence}}; {{delta}}. With strict field validation (kubectl\'s default) the API server rejects the object; with none it drops the field',
      typoUncounted:
        'Unknown field "{{key}}" (did you mean "{{suggestion}}"?): {{consequence}}. With strict field validation (kubectl\'s default) the API server rejects the object; with none it drops the field',
      unknown:
        'Unknown field "{{key}}": with strict field validation (kubectl\'s default) the API server rejects the object; with none it drops the field. Remove it',
    },
  },
  check(ctx) {
    let asIs: Map<string, string> | undefined;
    // Each consequence is a whole analysis: counted for the first typos only.
    let counted = 0;
    for (const [index, source] of ctx.sources.entries()) {
      if (ctx.unknownFieldFiles?.has(source.file) === false) continue;
      for (const { path, suggestion } of unknownFieldsOf(source, ctx.defaultNamespace)) {
        const key = String(path[path.length - 1]);
        const fixedObject = suggestion === undefined ? undefined : renamed(source.object, path, suggestion);
        if (suggestion === undefined || fixedObject === undefined) {
          ctx.report({ messageId: 'unknown', data: { key }, subject: { source }, path });
          continue;
        }
        const meant = [...path.slice(0, -1), suggestion];
        const data = {
          key,
          suggestion,
          consequence: consequence(source, meant, namespaceOf(source, ctx.defaultNamespace)),
        };
        if (counted >= MAX_COUNTED) {
          ctx.report({ messageId: 'typoUncounted', data, subject: { source }, path });
          continue;
        }
        counted++;
        const fixed = withObject(source, fixedObject);
        const sources = ctx.sources.map((s, i) => (i === index ? fixed : s));
        asIs ??= workloadPairs(ctx.sources, ctx);
        ctx.report({
          messageId: 'typo',
          data: { ...data, delta: delta(asIs, workloadPairs(sources, ctx)) },
          subject: { source },
          path,
        });
      }
    }
  },
});
