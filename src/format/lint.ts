/**
 * Lint output formats: txt (grouped by file, like ESLint's stylish), json (docs/json-schema.md) and SARIF 2.1.0
 * for GitHub code scanning. Also the rule catalog of `--list-rules`. Pure functions from results to text.
 */
import type { FindingJson, LintJson, RuleCatalogEntryJson } from '../contract/lint.ts';
import { CATEGORY_TITLES, REPOSITORY_URL, ruleDocsUrl } from '../lint/catalog.ts';
import { failsOn, type FailOn, type LintConfig } from '../lint/config.ts';
import type { AnyRule, Finding, LintResult } from '../lint/types.ts';
import { formatPath, type Severity } from '../model/problem.ts';
import { plural } from './plural.ts';
import { table } from './table.ts';

export const LintFormat = { txt: 'txt', json: 'json', sarif: 'sarif' } as const;
export type LintFormat = (typeof LintFormat)[keyof typeof LintFormat];

export const LINT_JSON_SCHEMA_VERSION = 1;

export interface LintFormatOptions {
  /** Every registered rule (SARIF declares them all, so that code scanning can close fixed alerts). */
  rules: readonly AnyRule[];
  config: LintConfig;
  failOn: FailOn;
  /** netfence's version, for SARIF. */
  version: string;
  /** A finding's file as a URI relative to the repository root (SARIF). @default the path with `/` separators */
  uri?: (file: string) => string;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};
/** GitHub code scanning ranks security alerts by this score: high, medium, low. */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '7.5', warning: '5.0', info: '2.0' };
const PROBLEM_SEVERITY: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  info: 'recommendation',
};

function count(findings: readonly Finding[], severity: Severity): number {
  return findings.filter((f) => f.severity === severity).length;
}

/** Whether the result makes `netfence lint` exit 1. */
export function lintFailed(result: LintResult, failOn: FailOn): boolean {
  return result.findings.some((f) => failsOn(f.severity, failOn));
}

function formatTxt(result: LintResult): string {
  const byFile = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const key = f.file ?? '(no file)';
    const list = byFile.get(key);
    if (list === undefined) byFile.set(key, [f]);
    else list.push(f);
  }
  const out: string[] = [];
  for (const [file, findings] of byFile) {
    out.push(file);
    const where = findings.map((f) => (f.line === undefined ? '-' : `${f.line}:${f.column ?? 1}`));
    // reduce, not Math.max(...list): a spread of a very long list overflows the stack.
    const width = where.reduce((max, w) => Math.max(max, w.length), 0);
    const sevWidth = findings.reduce((max, f) => Math.max(max, f.severity.length), 0);
    for (const [i, f] of findings.entries()) {
      out.push(`  ${where[i]!.padStart(width)}  ${f.severity.padEnd(sevWidth)}  ${f.message}  ${f.ruleId}`);
    }
    out.push('');
  }
  const n = result.findings.length;
  const parts = [
    plural(count(result.findings, 'error'), 'error'),
    plural(count(result.findings, 'warning'), 'warning'),
    `${count(result.findings, 'info')} info`,
  ];
  const extra: string[] = [];
  if (result.suppressed.length > 0) extra.push(`${result.suppressed.length} suppressed by annotations`);
  if (result.excluded > 0) extra.push(`${result.excluded} in excluded namespaces`);
  const summary =
    n === 0
      ? `No findings (${plural(result.rules.length, 'rule')} checked)`
      : `${plural(n, 'finding')} (${parts.join(', ')})`;
  out.push(`${summary}${extra.length > 0 ? `; ${extra.join(', ')}` : ''}`);
  return `${out.join('\n')}\n`;
}

function findingJson(f: Finding): FindingJson {
  return {
    ruleId: f.ruleId,
    messageId: f.messageId,
    severity: f.severity,
    message: f.message,
    file: f.file ?? null,
    line: f.line ?? null,
    column: f.column ?? null,
    path: formatPath(f.path),
    object: f.object,
    workloads: f.workloads,
    helpUri: ruleDocsUrl(f.ruleId),
  };
}

export function lintToJson(result: LintResult, failOn: FailOn): LintJson {
  return {
    schemaVersion: LINT_JSON_SCHEMA_VERSION,
    summary: {
      findings: result.findings.length,
      errors: count(result.findings, 'error'),
      warnings: count(result.findings, 'warning'),
      info: count(result.findings, 'info'),
      suppressed: result.suppressed.length,
      excluded: result.excluded,
      failOn,
      failed: lintFailed(result, failOn),
    },
    rules: result.rules,
    skippedRules: result.skipped,
    findings: result.findings.map(findingJson),
    suppressed: result.suppressed.map((f) => ({ ...findingJson(f), reason: f.reason })),
  };
}

function defaultUri(file: string): string {
  return file
    .replaceAll('\\', '/')
    .split('/')
    .map((s) => (s === '.' || s === '..' ? s : encodeURIComponent(s)))
    .join('/');
}

/** `require-default-deny-ingress` → `RequireDefaultDenyIngress` (SARIF's readable rule name). */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .map((w) => (w === '' ? '' : `${w[0]!.toUpperCase()}${w.slice(1)}`))
    .join('');
}

function sarifRule(rule: AnyRule, config: LintConfig): Record<string, unknown> {
  const setting = config.rules[rule.id] ?? rule.meta.severity;
  const severity: Severity = setting === 'off' ? rule.meta.severity : setting;
  const url = ruleDocsUrl(rule.id);
  const notes = [
    rule.meta.heuristic === true ? 'This rule is a heuristic: it can report code that is correct.' : '',
    rule.meta.requiresFlows === true ? 'It runs only with --flows (observed traffic).' : '',
  ].filter((n) => n !== '');
  return {
    id: rule.id,
    name: ruleName(rule.id),
    shortDescription: { text: rule.meta.description },
    fullDescription: { text: rule.meta.rationale },
    help: {
      text: [rule.meta.rationale, ...notes, `How to fix: ${rule.meta.fix}`, `Documentation: ${url}`].join(
        '\n\n',
      ),
      markdown: [
        `**${rule.meta.description}**`,
        rule.meta.rationale,
        ...notes.map((n) => `_${n}_`),
        `**How to fix:** ${rule.meta.fix}`,
        `[Documentation, with a failing and a passing example](${url})`,
      ].join('\n\n'),
    },
    helpUri: url,
    defaultConfiguration: { level: SARIF_LEVEL[severity], enabled: setting !== 'off' },
    properties: {
      tags: ['security', 'kubernetes', 'networkpolicy', rule.meta.category],
      category: CATEGORY_TITLES[rule.meta.category],
      precision: rule.meta.heuristic === true ? 'medium' : 'high',
      'problem.severity': PROBLEM_SEVERITY[severity],
      'security-severity': SECURITY_SEVERITY[severity],
    },
  };
}

function sarifResult(
  f: Finding,
  ruleIndex: number,
  uri: (file: string) => string,
  reason: string | undefined,
): Record<string, unknown> {
  const physical =
    f.file === undefined
      ? undefined
      : {
          physicalLocation: {
            artifactLocation: { uri: uri(f.file) },
            region: { startLine: f.line ?? 1, startColumn: f.column ?? 1 },
          },
        };
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: SARIF_LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        ...physical,
        logicalLocations: [{ fullyQualifiedName: f.object.id, name: f.object.name, kind: 'resource' }],
      },
    ],
    partialFingerprints: { 'netfenceFinding/v1': `${f.ruleId}:${f.object.id}:${formatPath(f.path)}` },
    properties: { workloads: f.workloads, path: formatPath(f.path) },
    ...(reason === undefined
      ? {}
      : {
          suppressions: [
            { kind: 'inSource', status: 'accepted', ...(reason === '' ? {} : { justification: reason }) },
          ],
        }),
  };
}

/** SARIF 2.1.0, as GitHub code scanning reads it. Suppressed findings are included, marked as suppressed. */
export function lintToSarif(result: LintResult, options: LintFormatOptions): unknown {
  const uri = options.uri ?? defaultUri;
  const index = new Map(options.rules.map((r, i) => [r.id, i]));
  const results = [
    ...result.findings.map((f) => sarifResult(f, index.get(f.ruleId) ?? -1, uri, undefined)),
    ...result.suppressed.map((f) => sarifResult(f, index.get(f.ruleId) ?? -1, uri, f.reason)),
  ];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'netfence',
            version: options.version,
            semanticVersion: options.version,
            informationUri: REPOSITORY_URL,
            rules: options.rules.map((r) => sarifRule(r, options.config)),
          },
        },
        columnKind: 'unicodeCodePoints',
        results,
      },
    ],
  };
}

export function formatLint(result: LintResult, format: LintFormat, options: LintFormatOptions): string {
  switch (format) {
    case 'txt':
      return formatTxt(result);
    case 'json':
      return `${JSON.stringify(lintToJson(result, options.failOn), null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(lintToSarif(result, options), null, 2)}\n`;
  }
}

/** The catalog printed by `netfence lint --list-rules`, with the severities the configuration sets. */
export function formatRuleList(
  rules: readonly AnyRule[],
  config: LintConfig,
  format: 'txt' | 'json',
): string {
  const rows = rules.map((r) => {
    const setting = config.rules[r.id] ?? r.meta.severity;
    return { rule: r, setting };
  });
  if (format === 'json') {
    return `${JSON.stringify(
      rows.map(({ rule, setting }): RuleCatalogEntryJson => ({
        id: rule.id,
        severity: setting,
        defaultSeverity: rule.meta.severity,
        category: rule.meta.category,
        description: rule.meta.description,
        heuristic: rule.meta.heuristic === true,
        requiresFlows: rule.meta.requiresFlows === true,
        helpUri: ruleDocsUrl(rule.id),
      })),
      null,
      2,
    )}\n`;
  }
  return table(
    ['RULE', 'SEVERITY', 'CATEGORY', 'CHECKS THAT'],
    rows.map(({ rule, setting }) => [
      rule.id,
      setting === rule.meta.severity ? setting : `${setting} (default ${rule.meta.severity})`,
      rule.meta.category,
      `${rule.meta.description}${rule.meta.requiresFlows === true ? ' (needs --flows)' : ''}`,
    ]),
  );
}
