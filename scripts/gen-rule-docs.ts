/**
 * Rule documentation, generated and checked from the rule modules:
 *
 * - docs/rules/index.md, the catalog (from src/lint/registry.ts);
 * - in each docs/rules/<id>.md, the output of `netfence lint` on the page's failing example, between
 *   `<!-- lint-output -->` and `<!-- /lint-output -->`, so that the page always shows what the rule says.
 *
 *   node scripts/gen-rule-docs.ts           write them
 *   node scripts/gen-rule-docs.ts --check   exit 1 if any is stale (test/lint/meta.test.ts does the same)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatLint } from '../src/format/lint.ts';
import { observeFlowText } from '../src/flows/index.ts';
import { renderRuleIndex } from '../src/lint/catalog.ts';
import { DEFAULT_CONFIG } from '../src/lint/config.ts';
import { RULES } from '../src/lint/registry.ts';
import { lint } from '../src/lint/run.ts';
import { cniEngineOptions, resolveCniProfile } from '../src/engine/profiles.ts';
import type { AnyRule, LintResult } from '../src/lint/types.ts';
import { formatProblem } from '../src/model/problem.ts';
import { buildClusterState, parseManifestText } from '../src/parse/index.ts';

export const RULE_DOCS_DIR = new URL('../docs/rules/', import.meta.url);
export const REQUIRED_SECTIONS = ['Failing example', 'Passing example', 'When not to use it'] as const;
const OUTPUT_START = '<!-- lint-output -->';
const OUTPUT_END = '<!-- /lint-output -->';

/** The text of a `## Title` section, up to the next `## `. */
export function section(markdown: string, title: string): string | undefined {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) return undefined;
  const body = markdown.slice(start + title.length + 5);
  const end = body.indexOf('\n## ');
  return end < 0 ? body : body.slice(0, end);
}

/** The first fenced block of a language in a section. */
export function fenced(text: string, language: string): string | undefined {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(text);
  return match?.[1];
}

/** Lints an example (YAML manifests, and flows in the CSV format when the rule needs them) with one rule. */
export function lintExample(rule: AnyRule, example: string): LintResult {
  const manifests = fenced(example, 'yaml');
  if (manifests === undefined) throw new Error(`${rule.id}: the example has no yaml block`);
  const parsed = parseManifestText(manifests, 'example.yaml');
  const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
  const superseded = new Set(rule.meta.supersedes ?? []);
  const problems = [...parsed.errors, ...built.errors.filter((e) => !superseded.has(e.code))];
  if (problems.length > 0)
    throw new Error(`${rule.id}: the example is not valid: ${problems.map(formatProblem).join('; ')}`);
  const flows = fenced(example, 'csv');
  const observed =
    flows === undefined
      ? undefined
      : observeFlowText([{ name: 'flows.csv', text: flows }], built.state).connections;
  // `<!-- cni: cilium@1.15 -->` in the example: linted under that CNI profile (`netfence lint --cni ...`).
  // `<!-- cni-option: enable-sctp=true -->` beside it: an override (`--cni-option ...`), one per comment.
  const cni = /<!-- cni: (\S+) -->/.exec(example)?.[1];
  const overrides = [...example.matchAll(/<!-- cni-option: (\S+) -->/g)].map((m) => m[1]!);
  const profile = cni === undefined ? undefined : resolveCniProfile(cni, overrides);
  if (profile !== undefined && !profile.ok) throw new Error(`${rule.id}: ${profile.message}`);
  return lint(
    {
      state: built.state,
      sources: parsed.objects,
      ...(observed === undefined ? {} : { observed }),
      ...(profile === undefined ? {} : { engine: cniEngineOptions(profile.value) }),
    },
    { rules: [rule] },
  );
}

/** A rule page with the output block of its failing example brought up to date. */
export function refreshRuleDoc(rule: AnyRule, markdown: string): string {
  const failing = section(markdown, 'Failing example');
  if (failing === undefined) return markdown;
  const output = formatLint(lintExample(rule, failing), 'txt', {
    rules: [rule],
    config: DEFAULT_CONFIG,
    failOn: 'error',
    version: '0',
  });
  const start = markdown.indexOf(OUTPUT_START);
  const end = markdown.indexOf(OUTPUT_END);
  if (start < 0 || end < start) throw new Error(`${rule.id}: the page has no ${OUTPUT_START} block`);
  return `${markdown.slice(0, start + OUTPUT_START.length)}\n\`\`\`text\n${output}\`\`\`\n${markdown.slice(end)}`;
}

export function ruleDocFile(id: string): URL {
  return new URL(`${id}.md`, RULE_DOCS_DIR);
}

/** Every generated file with its expected content. */
export function generatedDocs(): { file: URL; content: string }[] {
  return [
    { file: new URL('index.md', RULE_DOCS_DIR), content: renderRuleIndex(RULES) },
    ...RULES.map((rule) => ({
      file: ruleDocFile(rule.id),
      content: refreshRuleDoc(rule, readFileSync(ruleDocFile(rule.id), 'utf8')),
    })),
  ];
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, content } of generatedDocs()) {
    let actual = '';
    try {
      actual = readFileSync(file, 'utf8');
    } catch {
      // missing: stale
    }
    if (actual === content) continue;
    stale++;
    const name = file.pathname.slice(file.pathname.indexOf('docs/'));
    if (check) process.stderr.write(`${name} is stale: run node scripts/gen-rule-docs.ts\n`);
    else {
      writeFileSync(file, content);
      process.stdout.write(`wrote ${name}\n`);
    }
  }
  if (check && stale > 0) process.exitCode = 1;
  if (!check && stale === 0) process.stdout.write('rule docs are up to date\n');
}
