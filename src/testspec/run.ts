/**
 * Running a reachability spec: resolve its references against the cluster, then check every pair.
 *
 * Semantics (docs/commands/test.md):
 * - `from` × `to` are all the pairs checked; a workload is never checked against itself, nor an address
 *   against an address.
 * - `expect: allow` with `port`: every port listed is allowed; without `port`: some port is allowed.
 *   `expect: deny` with `port`: none of the ports listed is allowed; without `port`: nothing is allowed.
 * - A pair with an `except` entity on either side is held to the opposite expectation.
 * - A pair allowed at L4 and filtered at L7 (Cilium `rules:`) satisfies `expect: allow`; the result says so.
 */
import { explainEntities, type Explanation } from '../engine/explain.ts';
import { isExternalId, type Connectivity } from '../engine/connectivity.ts';
import {
  ALL_CONNECTIONS,
  NO_PORTS,
  intersectPorts,
  isEmptyPorts,
  portsSubset,
  unionPorts,
  type PortSet,
} from '../engine/ports.ts';
import { resolveRef, type RefIndex } from '../engine/refs.ts';
import type { Problem } from '../model/problem.ts';
import type { Expect, Spec, SpecRef, SpecTest } from './spec.ts';
import { pairKey } from '../base/text.ts';

/** Explanations are computed for the first failing pairs of each test only: enough to see why. */
export const EXPLAINED_PAIRS_PER_TEST = 3;

export interface ResolvedTest {
  test: SpecTest;
  sources: readonly string[];
  destinations: readonly string[];
  excepted: ReadonlySet<string>;
  /** The union of the test's ports; undefined: any port. */
  query: PortSet | undefined;
}

export interface PairResult {
  src: string;
  dst: string;
  expected: Expect;
  /** What is allowed from `src` to `dst` (every port, not only the ones asked about). */
  allowed: PortSet;
  /** Whether `expected` is the opposite of the test's, because of an `except` entry. */
  excepted: boolean;
  passed: boolean;
}

export interface FailedPair extends PairResult {
  /** For the first failing pairs of a test only (see EXPLAINED_PAIRS_PER_TEST). */
  explanations: readonly Explanation[] | undefined;
}

export interface TestResult {
  test: SpecTest;
  /** Pairs checked. */
  pairs: number;
  failures: readonly FailedPair[];
  passed: boolean;
  /**
   * Pairs expected to be allowed (and allowed) whose ports asked about are allowed at L4 only, then filtered
   * at L7 by Cilium's proxy: the test passes, with this said (docs/commands/test.md).
   */
  l7: readonly L7Pair[];
}

/** A pair allowed at L4 and filtered at L7 on `ports` (within the test's ports) by `policies`. */
export interface L7Pair {
  src: string;
  dst: string;
  ports: PortSet;
  policies: readonly string[];
}

function problemAt(ref: SpecRef, code: string, message: string): Problem {
  return {
    code,
    severity: 'error',
    message,
    file: ref.location.file,
    line: ref.location.line,
    column: ref.location.column,
    path: ref.path,
  };
}

/** Resolves every reference of the spec; problems point at the reference. */
export function resolveSpec(
  spec: Spec,
  index: RefIndex,
): { ok: true; tests: ResolvedTest[] } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const tests: ResolvedTest[] = [];
  for (const test of spec.tests) {
    const before = problems.length;
    const resolve = (refs: readonly SpecRef[]): string[] => {
      const out: string[] = [];
      for (const ref of refs) {
        const r = resolveRef(index, ref.ref);
        if (!r.ok) problems.push(problemAt(ref, r.error.code, r.error.message));
        else for (const e of r.value.entities) if (!out.includes(e.id)) out.push(e.id);
      }
      return out;
    };
    const sources = resolve(test.from);
    const destinations = resolve(test.to);
    const excepted = new Set<string>();
    for (const ref of test.except) {
      const r = resolveRef(index, ref.ref);
      if (!r.ok) {
        problems.push(problemAt(ref, r.error.code, r.error.message));
        continue;
      }
      const ids = r.value.entities
        .map((e) => e.id)
        .filter((id) => sources.includes(id) || destinations.includes(id));
      if (ids.length === 0 && problems.length === before) {
        problems.push(
          problemAt(
            ref,
            'except-not-in-test',
            `except "${ref.text}" is in neither "from" nor "to" of this test`,
          ),
        );
      }
      for (const id of ids) excepted.add(id);
    }
    if (problems.length > before) continue;
    const resolved: ResolvedTest = {
      test,
      sources,
      destinations,
      excepted,
      query:
        test.ports === undefined
          ? undefined
          : test.ports.reduce((acc, p) => unionPorts(acc, p.ports), NO_PORTS),
    };
    if (pairsOf(resolved).length === 0) {
      problems.push({
        code: 'no-pairs',
        severity: 'error',
        message:
          'the test checks no pair: a workload is never checked against itself, nor an address against an address',
        file: test.location.file,
        line: test.location.line,
        column: test.location.column,
        path: test.path,
      });
      continue;
    }
    tests.push(resolved);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, tests };
}

function pairsOf(t: ResolvedTest): [string, string][] {
  const out: [string, string][] = [];
  for (const s of t.sources) {
    for (const d of t.destinations) {
      if (s === d || (isExternalId(s) && isExternalId(d))) continue;
      out.push([s, d]);
    }
  }
  return out;
}

/** Whether `allowed` satisfies `expect` on `query` (undefined: any port). */
export function satisfies(expect: Expect, allowed: PortSet, query: PortSet | undefined): boolean {
  if (expect === 'allow') return query === undefined ? !isEmptyPorts(allowed) : portsSubset(query, allowed);
  return isEmptyPorts(query === undefined ? allowed : intersectPorts(query, allowed));
}

/** Checks every test; `conn` must be `computeConnectivity` of the index's cluster at the index's granularity. */
export function runTests(tests: readonly ResolvedTest[], index: RefIndex, conn: Connectivity): TestResult[] {
  const allowed = new Map<string, PortSet>();
  for (const c of conn.connections) allowed.set(pairKey(c.src, c.dst), c.ports);
  const filtered = new Map<string, { ports: PortSet; policies: readonly string[] }>();
  for (const f of conn.l7 ?? []) filtered.set(pairKey(f.src, f.dst), f);
  return tests.map((t) => {
    const failures: FailedPair[] = [];
    const l7: L7Pair[] = [];
    const pairs = pairsOf(t);
    for (const [src, dst] of pairs) {
      const excepted = t.excepted.has(src) || t.excepted.has(dst);
      const expected: Expect = excepted ? (t.test.expect === 'allow' ? 'deny' : 'allow') : t.test.expect;
      const ports = allowed.get(pairKey(src, dst)) ?? NO_PORTS;
      if (satisfies(expected, ports, t.query)) {
        const f = expected === 'allow' ? filtered.get(pairKey(src, dst)) : undefined;
        const within = f === undefined ? NO_PORTS : intersectPorts(f.ports, t.query ?? ports);
        if (f !== undefined && !isEmptyPorts(within))
          l7.push({ src, dst, ports: within, policies: f.policies });
        continue;
      }
      const explanations =
        failures.length < EXPLAINED_PAIRS_PER_TEST
          ? explainEntities(index, src, dst, t.query ?? ALL_CONNECTIONS)
          : undefined;
      failures.push({ src, dst, expected, allowed: ports, excepted, passed: false, explanations });
    }
    return { test: t.test, pairs: pairs.length, failures, passed: failures.length === 0, l7 };
  });
}
