/**
 * Reachability specs: a small YAML file of expectations, parsed with a position for every value so that each
 * problem points at a file, line and column.
 *
 *     tests:
 *       - name: web reaches the API
 *         from: shop/web
 *         to: shop/api
 *         port: 8080/TCP
 *         expect: allow
 *
 * Parsing is pure: it checks the shape and the syntax of references and ports. Whether a workload exists is
 * checked against the cluster by `resolveSpec` (src/testspec/run.ts).
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml';
import { parsePortQuery } from '../engine/explain.ts';
import type { Granularity } from '../engine/connectivity.ts';
import type { PortSet } from '../engine/ports.ts';
import { parseRef, RefErrorCode, type EndpointRef } from '../engine/refs.ts';
import type { FieldPath, Problem, SourceLocation } from '../model/problem.ts';
import { closestMatch, withSuggestion } from '../base/suggest.ts';

export const Expect = { Allow: 'allow', Deny: 'deny' } as const;
export type Expect = (typeof Expect)[keyof typeof Expect];

export interface Located {
  location: SourceLocation;
  path: FieldPath;
}

export interface SpecRef extends Located {
  /** As written. */
  text: string;
  ref: EndpointRef;
}

export interface SpecPort extends Located {
  text: string;
  ports: PortSet;
}

export interface SpecTest extends Located {
  /** 0-based position in `tests`. */
  index: number;
  name: string;
  description: string | undefined;
  from: readonly SpecRef[];
  to: readonly SpecRef[];
  /** Excluded from the check, and held to the opposite verdict. */
  except: readonly SpecRef[];
  /** Undefined: any port (allow: some port is allowed; deny: no port is). */
  ports: readonly SpecPort[] | undefined;
  expect: Expect;
}

export interface Spec {
  file: string;
  granularity: Granularity;
  tests: readonly SpecTest[];
}

export type SpecParse = { ok: true; spec: Spec; warnings: Problem[] } | { ok: false; problems: Problem[] };

const TOP_KEYS = ['tests', 'granularity'] as const;
const TEST_KEYS = ['name', 'description', 'from', 'to', 'port', 'expect', 'except'] as const;

class SpecReader {
  readonly file: string;
  readonly lines: LineCounter;
  readonly problems: Problem[] = [];
  readonly warnings: Problem[] = [];

  constructor(file: string, lines: LineCounter) {
    this.file = file;
    this.lines = lines;
  }

  at(node: Node | undefined | null, fallback: SourceLocation): SourceLocation {
    const range = node?.range;
    if (range === undefined || range === null) return fallback;
    const { line, col } = this.lines.linePos(range[0]);
    return { file: this.file, line, column: col };
  }

  problem(
    code: string,
    message: string,
    location: SourceLocation,
    path: FieldPath,
    severity: 'error' | 'warning' = 'error',
  ): void {
    const p: Problem = {
      code,
      severity,
      message,
      file: location.file,
      line: location.line,
      column: location.column,
      path,
    };
    (severity === 'error' ? this.problems : this.warnings).push(p);
  }

  /** Reports keys outside `allowed`, with the closest allowed key as suggestion. */
  checkKeys(
    map: YAMLMap,
    allowed: readonly string[],
    where: SourceLocation,
    path: FieldPath,
    what: string,
  ): void {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && allowed.includes(key)) continue;
      const loc = this.at(pair.key as Node | null, where);
      const shown = key ?? '?';
      this.problem(
        'unknown-key',
        withSuggestion(
          `unknown key "${shown}" in ${what} (${allowed.join(', ')})`,
          key === undefined ? undefined : suggestKey(key, allowed),
        ),
        loc,
        [...path, shown],
      );
    }
  }
}

/** The closest allowed key; also catches swapped letters (`form` for `from`), which edit distance ranks far. */
function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  const letters = (s: string): string => {
    const out: string[] = [];
    for (let k = 0; k < s.length; k++) out.push(s.charAt(k).toLowerCase());
    return out.sort().join('');
  };
  return closestMatch(key, allowed) ?? allowed.find((a) => letters(a) === letters(key));
}

function valueNode(map: YAMLMap, key: string): Node | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return (pair?.value as Node | null | undefined) ?? undefined;
}

function hasKey(map: YAMLMap, key: string): boolean {
  return map.items.some((p) => isScalar(p.key) && p.key.value === key);
}

function scalarText(node: Node | undefined): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Parses a reachability spec. Problems are data: every one has a file, line and column. */
export function parseSpec(text: string, file: string): SpecParse {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const r = new SpecReader(file, lines);
  const start: SourceLocation = { file, line: 1, column: 1 };
  for (const e of doc.errors) {
    const { line, col } = lines.linePos(e.pos[0]);
    const message =
      e.code === 'MULTIPLE_DOCS'
        ? 'a spec is one YAML document, and a `---` line here starts another: keep one, or put each in a file of its own (--spec is repeatable)'
        : e.code === 'RESOURCE_EXHAUSTION'
          ? 'collections nested too deeply to read (thousands of levels)'
          : e.message.split('\n')[0]!;
    r.problem('yaml-syntax', message, { file, line, column: col }, []);
  }
  if (r.problems.length > 0) return { ok: false, problems: r.problems };
  const root = doc.contents;
  if (!isMap(root)) {
    r.problem(
      'not-a-spec',
      'a reachability spec is a mapping with a "tests" list (see netfence test --help)',
      r.at(root, start),
      [],
    );
    return { ok: false, problems: r.problems };
  }
  r.checkKeys(root, TOP_KEYS, start, [], 'the spec');
  let granularity: Granularity = 'workload';
  const g = valueNode(root, 'granularity');
  if (g !== undefined) {
    const v = scalarText(g);
    if (v === 'workload' || v === 'pod') granularity = v;
    else
      r.problem(
        'invalid-granularity',
        `granularity must be workload or pod, not "${v ?? '?'}"`,
        r.at(g, start),
        ['granularity'],
      );
  }
  const testsNode = valueNode(root, 'tests');
  const tests: SpecTest[] = [];
  if (!isSeq(testsNode)) {
    r.problem(
      'missing-tests',
      hasKey(root, 'tests') ? '"tests" must be a list of tests' : 'the spec has no "tests" list',
      r.at(testsNode ?? root, start),
      ['tests'],
    );
  } else {
    const names = new Map<string, number>();
    testsNode.items.forEach((item, index) => {
      const t = readTest(r, item as Node, index, start);
      if (t === undefined) return;
      const previous = names.get(t.name);
      if (previous !== undefined) {
        r.problem(
          'duplicate-name',
          `test name "${t.name}" is also the name of test ${previous + 1}; names identify tests in JUnit and TAP reports`,
          t.location,
          ['tests', index, 'name'],
          'warning',
        );
      } else names.set(t.name, index);
      tests.push(t);
    });
    // A spec that checks nothing never passes: a CI gate on it would pass whatever the manifests allow.
    if (testsNode.items.length === 0)
      r.problem(
        'no-tests',
        `"tests" is empty: a spec without tests checks nothing; add a test, or write one of today's connectivity with netfence test --init`,
        r.at(testsNode, start),
        ['tests'],
      );
  }
  if (r.problems.length > 0) return { ok: false, problems: r.problems };
  return { ok: true, spec: { file, granularity, tests }, warnings: r.warnings };
}

function readTest(r: SpecReader, node: Node, index: number, start: SourceLocation): SpecTest | undefined {
  const path: FieldPath = ['tests', index];
  const location = r.at(node, start);
  if (!isMap(node)) {
    r.problem('invalid-test', 'each test is a mapping with from, to and expect', location, path);
    return undefined;
  }
  const before = r.problems.length;
  r.checkKeys(node, TEST_KEYS, location, path, 'a test');
  const from = readRefs(r, node, 'from', path, location, true);
  const to = readRefs(r, node, 'to', path, location, true);
  const except = readRefs(r, node, 'except', path, location, false);
  const ports = readPorts(r, node, path, location);
  const expectNode = valueNode(node, 'expect');
  let expect: Expect = 'allow';
  if (expectNode === undefined) {
    r.problem('missing-expect', 'the test has no "expect": write expect: allow or expect: deny', location, [
      ...path,
      'expect',
    ]);
  } else {
    const v = scalarText(expectNode);
    if (v === 'allow' || v === 'deny') expect = v;
    else {
      const suggestion = v === undefined ? undefined : closestMatch(v.replace(/ed$/, ''), ['allow', 'deny']);
      r.problem(
        'invalid-expect',
        withSuggestion(`expect must be allow or deny, not "${v ?? '?'}"`, suggestion),
        r.at(expectNode, location),
        [...path, 'expect'],
      );
    }
  }
  const nameNode = valueNode(node, 'name');
  let name: string | undefined;
  if (nameNode !== undefined) {
    name = scalarText(nameNode);
    if (name === undefined || name.trim() === '') {
      r.problem('invalid-name', 'name must be a non-empty string', r.at(nameNode, location), [
        ...path,
        'name',
      ]);
    }
  }
  const descriptionNode = valueNode(node, 'description');
  const description = descriptionNode === undefined ? undefined : scalarText(descriptionNode);
  if (r.problems.length > before) return undefined;
  const list = (refs: readonly SpecRef[]): string => refs.map((x) => x.text).join(', ');
  return {
    index,
    location,
    path,
    name:
      name ??
      `${list(from)} → ${list(to)}${ports === undefined ? '' : ` on ${ports.map((p) => p.text).join(', ')}`}: ${expect}`,
    description,
    from,
    to,
    except,
    ports,
    expect,
  };
}

/** A reference or a list of references. */
function readRefs(
  r: SpecReader,
  map: YAMLMap,
  key: 'from' | 'to' | 'except',
  path: FieldPath,
  where: SourceLocation,
  required: boolean,
): SpecRef[] {
  const node = valueNode(map, key);
  if (node === undefined) {
    if (required) r.problem(`missing-${key}`, `the test has no "${key}"`, where, [...path, key]);
    return [];
  }
  const items: { node: Node; path: FieldPath }[] = isSeq(node)
    ? node.items.map((n, i) => ({ node: n as Node, path: [...path, key, i] }))
    : [{ node, path: [...path, key] }];
  if (items.length === 0 && required)
    r.problem(`empty-${key}`, `"${key}" is an empty list`, r.at(node, where), [...path, key]);
  const out: SpecRef[] = [];
  for (const item of items) {
    const loc = r.at(item.node, where);
    const text = scalarText(item.node);
    if (text === undefined) {
      r.problem(
        'invalid-reference',
        `"${key}" takes references such as shop/web, "*", data/app=db or 0.0.0.0/0`,
        loc,
        item.path,
      );
      continue;
    }
    const parsed = parseRef(text);
    if (!parsed.ok && parsed.error.code === RefErrorCode.NoNamespace && text.includes('.')) {
      // A DNS name (`feeds.agency.example`, as analyze prints a toFQDNs or domainNames destination).
      r.problem(
        'dns-name',
        `"${text}" looks like a DNS name, which test cannot check (reach by name has no address): ask netfence explain --to ${text}, or test the addresses it resolves to; a workload needs its namespace: namespace/${text}`,
        loc,
        item.path,
      );
      continue;
    }
    if (!parsed.ok) {
      r.problem(parsed.error.code, parsed.error.message, loc, item.path);
      continue;
    }
    out.push({ text, ref: parsed.value, location: loc, path: item.path });
  }
  return out;
}

/** `port`: one port or range, or a list of them. */
function readPorts(
  r: SpecReader,
  map: YAMLMap,
  path: FieldPath,
  where: SourceLocation,
): SpecPort[] | undefined {
  const node = valueNode(map, 'port');
  if (node === undefined) return undefined;
  const items: { node: Node; path: FieldPath }[] = isSeq(node)
    ? node.items.map((n, i) => ({ node: n as Node, path: [...path, 'port', i] }))
    : [{ node, path: [...path, 'port'] }];
  if (items.length === 0) {
    r.problem('empty-port', '"port" is an empty list: remove it to test any port', r.at(node, where), [
      ...path,
      'port',
    ]);
  }
  const out: SpecPort[] = [];
  for (const item of items) {
    const loc = r.at(item.node, where);
    const text = scalarText(item.node);
    const parsed =
      text === undefined
        ? 'a port is 8080/TCP, 53/UDP, 8080 (TCP), 1000-2000/TCP or TCP'
        : parsePortQuery(text);
    if (typeof parsed === 'string') {
      r.problem('invalid-port', parsed, loc, item.path);
      continue;
    }
    out.push({ text: text!, ports: parsed, location: loc, path: item.path });
  }
  return out;
}
