/**
 * `netfence test` output: txt (readable, with the explanation of each failure), json (docs/json-schema.md),
 * md (a pull-request comment), junit (JUnit XML for CI) and tap (TAP version 14).
 */
import type { TestJson } from '../contract/test.ts';
import { stringify } from 'yaml';
import { formatPortList, formatPorts } from '../describe/ports.ts';
import { NO_PORTS, intersectPorts, isEmptyPorts, portsToJson, unionPorts } from '../engine/ports.ts';
import type { RefIndex } from '../engine/refs.ts';
import type { FailedPair, TestResult } from '../testspec/run.ts';
import type { Spec, SpecTest } from '../testspec/spec.ts';
import { explanationToJson, explanationToText } from './explain.ts';
import { mdCell } from './cells.ts';
import { plural } from './plural.ts';

export const TestFormat = { txt: 'txt', json: 'json', md: 'md', junit: 'junit', tap: 'tap' } as const;
export type TestFormat = (typeof TestFormat)[keyof typeof TestFormat];

export const TEST_SCHEMA_VERSION = 1;

export interface SpecReport {
  spec: Spec;
  index: RefIndex;
  results: readonly TestResult[];
}

function portsText(test: SpecTest): string {
  return test.ports === undefined ? 'any port' : test.ports.map((p) => p.text).join(', ');
}

/** `deny: * → data/postgres on any port; except shop/api (held to allow)` */
export function expectationText(test: SpecTest): string {
  const list = (refs: SpecTest['from']): string => refs.map((r) => r.text).join(', ');
  const opposite = test.expect === 'allow' ? 'deny' : 'allow';
  const except = test.except.length === 0 ? '' : `; except ${list(test.except)} (held to ${opposite})`;
  return `${test.expect}: ${list(test.from)} → ${list(test.to)} on ${portsText(test)}${except}`;
}

/** `shop/web → data/postgres is allowed on 5432/TCP (expected deny)` */
export function failureText(index: RefIndex, test: SpecTest, f: FailedPair): string {
  const pair = `${index.displayName(f.src)} → ${index.displayName(f.dst)}`;
  const query = test.ports?.reduce((acc, p) => unionPorts(acc, p.ports), NO_PORTS);
  let what: string;
  if (f.expected === 'allow') {
    if (query === undefined) what = 'is denied on every port';
    else {
      const some = intersectPorts(query, f.allowed);
      what = isEmptyPorts(some)
        ? `is denied on ${formatPortList(query)}`
        : `is allowed only on ${formatPortList(some)} of ${formatPortList(query)}`;
    }
  } else {
    what = `is allowed on ${formatPortList(query === undefined ? f.allowed : intersectPorts(query, f.allowed))}`;
  }
  return `${pair} ${what} (expected ${f.expected}${f.excepted ? ', as an except entry' : ''})`;
}

/**
 * What a passing test's pairs allowed at L4 and filtered at L7 are, in one line, or undefined:
 * `allowed at L4, filtered at L7 on 8080/TCP by CiliumNetworkPolicy/news/api-from-web`, or for several
 * pairs `2 of 4 pairs allowed at L4, filtered at L7 by …; e.g. news/web → news/api on 8080/TCP`.
 */
export function l7Text(index: RefIndex, r: TestResult): string | undefined {
  const first = r.l7[0];
  if (first === undefined) return undefined;
  const policies = [...new Set(r.l7.flatMap((p) => p.policies))].sort().join(', ');
  if (r.pairs === 1) return `allowed at L4, filtered at L7 on ${formatPortList(first.ports)} by ${policies}`;
  const pair = `${index.displayName(first.src)} → ${index.displayName(first.dst)}`;
  return `${r.l7.length} of ${plural(r.pairs, 'pair')} allowed at L4, filtered at L7 by ${policies}; e.g. ${pair} on ${formatPortList(first.ports)}`;
}

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => (l === '' ? '' : `${prefix}${l}`))
    .join('\n');
}

/** `2 of 15 pairs fail`, `1 of 1 pair fails` */
function failCount(r: TestResult): string {
  return `${r.failures.length} of ${plural(r.pairs, 'pair')} fail${r.failures.length === 1 ? 's' : ''}`;
}

function where(test: SpecTest): string {
  return `${test.location.file}:${test.location.line}`;
}

/** Pairs whose explanations read the same but for the pair's own names, explained once. */
export interface ExplanationGroup {
  pairs: FailedPair[];
  /** The explanation of the first pair. */
  text: string;
}

/** `text` with the display names of the pair replaced, to compare explanations of different pairs. */
function withoutNames(text: string, names: readonly string[]): string {
  let out = text;
  for (const [i, name] of names.entries()) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`${escaped}(?![\\w./-])`, 'g'), `\u0000${i}`);
  }
  return out;
}

/** The explained failures of a test, those with the same explanation (names aside) in one group. */
export function explanationGroups(index: RefIndex, failures: readonly FailedPair[]): ExplanationGroup[] {
  const groups = new Map<string, ExplanationGroup>();
  for (const f of failures) {
    if (f.explanations === undefined) continue;
    const text = f.explanations.map((x) => explanationToText(x).trimEnd()).join('\n\n');
    const key = withoutNames(text, [index.displayName(f.src), index.displayName(f.dst)]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { pairs: [f], text });
    else group.pairs.push(f);
  }
  return [...groups.values()];
}

/** `shop/cart → payments/payment-gateway` */
function pairText(index: RefIndex, f: FailedPair): string {
  return `${index.displayName(f.src)} → ${index.displayName(f.dst)}`;
}

/** A group's explanation, after the other pairs it holds for. */
function groupText(index: RefIndex, g: ExplanationGroup): string {
  if (g.pairs.length === 1) return g.text;
  const others = g.pairs.slice(1).map((f) => pairText(index, f));
  return `The same explanation holds for ${others.join(', ')}:\n${g.text}`;
}

/** The details of a failed test: what was expected, the failing pairs, and why (once per reason), as plain text. */
export function failureDetails(index: RefIndex, r: TestResult): string {
  const lines = [`expected ${expectationText(r.test)}`, `${failCount(r)}:`];
  for (const f of r.failures) lines.push(`  ${failureText(index, r.test, f)}`);
  for (const g of explanationGroups(index, r.failures)) lines.push('', indent(groupText(index, g), '  '));
  const unexplained = r.failures.filter((f) => f.explanations === undefined).length;
  if (unexplained > 0) {
    lines.push(
      '',
      `(${plural(unexplained, 'more failing pair')} not explained: run netfence explain on one)`,
    );
  }
  return lines.join('\n');
}

function totals(reports: readonly SpecReport[]): { tests: number; passed: number; failed: number } {
  const all = reports.flatMap((r) => r.results);
  const failed = all.filter((r) => !r.passed).length;
  return { tests: all.length, passed: all.length - failed, failed };
}

function txt(reports: readonly SpecReport[]): string {
  const out: string[] = [];
  for (const rep of reports) {
    const failed = rep.results.filter((r) => !r.passed).length;
    out.push(
      `${rep.spec.file}: ${plural(rep.results.length, 'test')}, ${rep.results.length - failed} passed, ${failed} failed`,
      '',
    );
    for (const r of rep.results) {
      if (r.passed) {
        const l7 = l7Text(rep.index, r);
        out.push(`PASS  ${r.test.name}${l7 === undefined ? '' : ` (${l7})`}`);
        continue;
      }
      out.push(`FAIL  ${r.test.name} (${where(r.test)})`, indent(failureDetails(rep.index, r), '      '));
    }
    out.push('');
  }
  const t = totals(reports);
  out.push(
    t.failed === 0
      ? `All ${plural(t.tests, 'test')} passed.`
      : `${t.failed} of ${plural(t.tests, 'test')} failed.`,
  );
  return `${out.join('\n')}\n`;
}

function md(reports: readonly SpecReport[]): string {
  const t = totals(reports);
  const out = [
    t.failed === 0
      ? `**Reachability tests**: ✅ all ${plural(t.tests, 'test')} passed`
      : `**Reachability tests**: ❌ ${t.failed} of ${plural(t.tests, 'test')} failed`,
    '',
    '| | Test | Expectation |',
    '| --- | --- | --- |',
  ];
  for (const rep of reports) {
    for (const r of rep.results) {
      const l7 = r.passed ? l7Text(rep.index, r) : undefined;
      const name = l7 === undefined ? r.test.name : `${r.test.name} (${l7})`;
      out.push(`| ${r.passed ? '✅' : '❌'} | ${mdCell(name)} | ${mdCell(expectationText(r.test))} |`);
    }
  }
  for (const rep of reports) {
    for (const r of rep.results) {
      if (r.passed) continue;
      out.push(
        '',
        `<details><summary>❌ ${r.test.name} (${where(r.test)})</summary>`,
        '',
        '```',
        failureDetails(rep.index, r),
        '```',
        '',
        '</details>',
      );
    }
  }
  return `${out.join('\n')}\n`;
}

function xml(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function junit(reports: readonly SpecReport[]): string {
  const t = totals(reports);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="netfence" tests="${t.tests}" failures="${t.failed}" errors="0">`,
  ];
  for (const rep of reports) {
    const failed = rep.results.filter((r) => !r.passed).length;
    out.push(
      `  <testsuite name="${xml(rep.spec.file)}" tests="${rep.results.length}" failures="${failed}" errors="0" skipped="0">`,
    );
    for (const r of rep.results) {
      const attrs = `name="${xml(r.test.name)}" classname="${xml(rep.spec.file)}" file="${xml(r.test.location.file)}" line="${r.test.location.line}"`;
      if (r.passed) {
        const l7 = l7Text(rep.index, r);
        out.push(
          l7 === undefined
            ? `    <testcase ${attrs}/>`
            : `    <testcase ${attrs}>\n      <system-out>${xml(l7)}</system-out>\n    </testcase>`,
        );
        continue;
      }
      const message = `${failCount(r)}: ${failureText(rep.index, r.test, r.failures[0]!)}`;
      out.push(
        `    <testcase ${attrs}>`,
        `      <failure type="reachability" message="${xml(message)}">${xml(failureDetails(rep.index, r))}</failure>`,
        '    </testcase>',
      );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function tap(reports: readonly SpecReport[]): string {
  const t = totals(reports);
  const out = ['TAP version 14', `1..${t.tests}`];
  let n = 0;
  for (const rep of reports) {
    const prefix = reports.length > 1 ? `${rep.spec.file}: ` : '';
    for (const r of rep.results) {
      n++;
      // A test point's description may not contain "#" unescaped (it would start a directive).
      const name = `${prefix}${r.test.name}`.replaceAll('\\', '\\\\').replaceAll('#', '\\#');
      out.push(`${r.passed ? 'ok' : 'not ok'} ${n} - ${name}`);
      if (r.passed) {
        const l7 = l7Text(rep.index, r);
        if (l7 !== undefined)
          out.push('  ---', indent(stringify({ message: l7 }, { lineWidth: 0 }), '  '), '  ...');
        continue;
      }
      const diag = {
        message: failCount(r),
        severity: 'fail',
        at: { file: r.test.location.file, line: r.test.location.line, column: r.test.location.column },
        expected: expectationText(r.test),
        failures: r.failures.map((f) => failureText(rep.index, r.test, f)),
        explanations: explanationGroups(rep.index, r.failures).map((g) => groupText(rep.index, g)),
      };
      out.push('  ---', indent(stringify(diag, { lineWidth: 0 }), '  '), '  ...');
    }
  }
  return `${out.join('\n')}\n`;
}

export function testReportToJson(reports: readonly SpecReport[]): TestJson {
  return {
    schemaVersion: TEST_SCHEMA_VERSION,
    summary: totals(reports),
    specs: reports.map((rep) => ({
      file: rep.spec.file,
      granularity: rep.spec.granularity,
      tests: rep.results.map((r) => ({
        name: r.test.name,
        description: r.test.description ?? null,
        file: r.test.location.file,
        line: r.test.location.line,
        column: r.test.location.column,
        expect: r.test.expect,
        from: r.test.from.map((x) => x.text),
        to: r.test.to.map((x) => x.text),
        except: r.test.except.map((x) => x.text),
        port: r.test.ports === undefined ? null : r.test.ports.map((p) => p.text),
        passed: r.passed,
        pairs: r.pairs,
        ...(r.l7.length === 0
          ? {}
          : {
              l7: r.l7.map((p) => ({
                src: { id: p.src, name: rep.index.displayName(p.src) },
                dst: { id: p.dst, name: rep.index.displayName(p.dst) },
                ports: portsToJson(p.ports),
                summary: formatPortList(p.ports),
                policies: p.policies,
              })),
              l7Summary: l7Text(rep.index, r)!,
            }),
        failures: r.failures.map((f) => ({
          src: { id: f.src, name: rep.index.displayName(f.src) },
          dst: { id: f.dst, name: rep.index.displayName(f.dst) },
          expected: f.expected,
          excepted: f.excepted,
          allowed: portsToJson(f.allowed),
          summary: formatPorts(f.allowed),
          message: failureText(rep.index, r.test, f),
          explanations:
            f.explanations === undefined
              ? null
              : f.explanations.map((x) => explanationToJson(rep.index, x, f.src, f.dst)),
        })),
      })),
    })),
  };
}

export function formatTestReport(reports: readonly SpecReport[], format: TestFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(testReportToJson(reports), null, 2)}\n`;
    case 'md':
      return md(reports);
    case 'junit':
      return junit(reports);
    case 'tap':
      return tap(reports);
    case 'txt':
      return txt(reports);
  }
}
