/**
 * A rule tester in the manner of ESLint's RuleTester: each case is a small YAML input; valid cases must
 * produce no finding of the rule, invalid ones exactly the findings marked in the YAML with a `# <-` comment
 * at the end of the line the finding points at (several markers on one line: `# <- <-`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import AjvDraft04 from 'ajv-draft-04';
import formats from 'ajv-formats';
import { lint } from '../../src/lint/run.ts';
import type { LintConfig } from '../../src/lint/config.ts';
import type { AnyRule, LintResult, ObservedConnection } from '../../src/lint/types.ts';
import type { EngineOptions } from '../../src/engine/compile.ts';
import { cniEngineOptions, resolveCniProfile } from '../../src/engine/profiles.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { formatPath, formatProblem } from '../../src/model/problem.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';

/** Template tag: strips the indentation common to all lines, and the first and last empty lines. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = text
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '')
    .split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return `${lines.map((l) => l.slice(indent)).join('\n')}\n`;
}

/** Documents joined into one multi-document YAML text. */
export function docs(...parts: string[]): string {
  return parts.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('---\n');
}

/** A Namespace; `mark` puts a `# <-` marker on its name (where namespace findings point). */
export function ns(name: string, labels: Record<string, string> = {}, mark = false): string {
  const entries = Object.entries(labels);
  return [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    `  name: ${name}${mark ? '  # <-' : ''}`,
    ...(entries.length === 0 ? [] : ['  labels:', ...entries.map(([k, v]) => `    ${k}: "${v}"`)]),
  ].join('\n');
}

export interface DeployOptions {
  labels?: Record<string, string>;
  /** `http:8080`, `dns:53/UDP` */
  ports?: string[];
  hostNetwork?: boolean;
  annotations?: Record<string, string>;
  /** Put a `# <-` marker on the object's first line (where workload findings point). */
  mark?: boolean;
}

/** A Deployment whose pods carry `app: <name>` (and `labels`). */
export function deploy(namespace: string, name: string, options: DeployOptions = {}): string {
  const labels = { app: name, ...options.labels };
  const labelLines = Object.entries(labels).map(([k, v]) => `        ${k}: "${v}"`);
  const ports = (options.ports ?? []).map((p) => {
    const [, portName, number, protocol] = /^([a-z0-9-]+):(\d+)(?:\/(\w+))?$/.exec(p)!;
    return [
      `            - name: ${portName!}`,
      `              containerPort: ${number!}`,
      `              protocol: ${protocol ?? 'TCP'}`,
    ].join('\n');
  });
  const annotations = Object.entries(options.annotations ?? {});
  return [
    `apiVersion: apps/v1${options.mark === true ? '  # <-' : ''}`,
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    ...(annotations.length === 0
      ? []
      : ['  annotations:', ...annotations.map(([k, v]) => `    ${k}: "${v}"`)]),
    'spec:',
    '  selector:',
    '    matchLabels:',
    `      app: "${name}"`,
    '  template:',
    '    metadata:',
    '      labels:',
    ...labelLines,
    '    spec:',
    ...(options.hostNetwork === true ? ['      hostNetwork: true'] : []),
    '      containers:',
    `        - name: ${name}`,
    `          image: example/${name}:1`,
    ...(ports.length === 0 ? [] : ['          ports:', ...ports]),
  ].join('\n');
}

/** The CoreDNS of a cluster: kube-system/coredns with `k8s-app: kube-dns`, dns 53/UDP and dns-tcp 53/TCP. */
export function coredns(): string {
  return docs(
    ns('kube-system'),
    deploy('kube-system', 'coredns', {
      labels: { 'k8s-app': 'kube-dns' },
      ports: ['dns:53/UDP', 'dns-tcp:53'],
    }),
  );
}

/** The engine options of `netfence lint --cni <spec> [--cni-option ...]`. */
export function cniEngine(spec: string, overrides: string[] = []): Partial<EngineOptions> {
  const profile = resolveCniProfile(spec, overrides);
  if (!profile.ok) throw new Error(profile.message);
  return cniEngineOptions(profile.value);
}

export interface LintTextOptions {
  rules: readonly AnyRule[];
  config?: LintConfig;
  observed?: readonly ObservedConnection[];
  file?: string;
  /** Engine options, e.g. a CNI profile: `{ cni: profile }` (`netfence lint --cni`). */
  engine?: Partial<EngineOptions>;
}

/** Parses, validates and lints a YAML text; the fixture itself must be valid (but for what the rules report). */
export function lintText(text: string, options: LintTextOptions): LintResult {
  const file = options.file ?? 'test.yaml';
  const parsed = parseManifestText(text, file);
  assert.deepEqual(parsed.errors.map(formatProblem), [], 'the fixture must be valid YAML');
  const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
  const superseded = new Set(options.rules.flatMap((r) => r.meta.supersedes ?? []));
  const errors = built.errors.filter((e) => !superseded.has(e.code));
  assert.deepEqual(errors.map(formatProblem), [], 'the fixture must be a valid input');
  return lint(
    {
      state: built.state,
      sources: parsed.objects,
      ...(options.observed === undefined ? {} : { observed: options.observed }),
      ...(options.engine === undefined ? {} : { engine: options.engine }),
    },
    { rules: options.rules, ...(options.config === undefined ? {} : { config: options.config }) },
  );
}

/** The lines marked `# <-` (once per arrow), sorted. */
export function markedLines(text: string): number[] {
  const out: number[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    const marker = /#\s*((?:<-\s*)+)$/.exec(line);
    if (marker !== null) for (let n = (marker[1]!.match(/<-/g) ?? []).length; n > 0; n--) out.push(i + 1);
  }
  return out;
}

export interface RuleCase {
  /** What the case is about, and why it matters. */
  name: string;
  yaml: string;
  observed?: readonly ObservedConnection[];
  config?: LintConfig;
  engine?: Partial<EngineOptions>;
  /** Expected message ids, in line order, when the case is about telling them apart. */
  messageIds?: readonly string[];
  /** Parts each message holds, in line order (for the findings that are about the words). */
  messages?: readonly (readonly string[])[];
}

/** Each finding's message holds the parts listed for it (same order). */
function assertMessages(
  found: readonly { message: string }[],
  messages: readonly (readonly string[])[] | undefined,
): void {
  for (const [i, parts] of (messages ?? []).entries()) {
    for (const part of parts)
      assert.ok(found[i]?.message.includes(part), `"${part}" in: ${found[i]?.message}`);
  }
}

/** Lines of the findings of one rule. */
function findingLines(result: LintResult, ruleId: string): number[] {
  for (const f of result.findings) assert.equal(f.ruleId, ruleId);
  return result.findings.map((f) => f.line ?? 0).sort((a, b) => a - b);
}

export function ruleTester(
  rule: AnyRule,
  cases: { valid: readonly RuleCase[]; invalid: readonly RuleCase[] },
): void {
  describe(rule.id, () => {
    for (const c of cases.valid) {
      test(`valid: ${c.name}`, () => {
        const result = lintText(c.yaml, { rules: [rule], ...c });
        assert.deepEqual(
          result.findings.map((f) => `${f.line ?? '-'}: ${f.message}`),
          [],
          'a valid case has no finding',
        );
      });
    }
    for (const c of cases.invalid) {
      test(`invalid: ${c.name}`, () => {
        const expected = markedLines(c.yaml);
        assert.ok(expected.length > 0, 'an invalid case marks the lines of its findings with # <-');
        const result = lintText(c.yaml, { rules: [rule], ...c });
        assert.deepEqual(
          findingLines(result, rule.id),
          expected,
          result.findings.map((f) => f.message).join('\n'),
        );
        for (const f of result.findings) {
          assert.ok(!f.message.includes('{{'), `message has an unfilled placeholder: ${f.message}`);
          assert.ok(!f.message.includes('\n'), 'messages are one line');
        }
        const inLineOrder = [...result.findings].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
        if (c.messageIds !== undefined) {
          assert.deepEqual(
            inLineOrder.map((f) => f.messageId),
            c.messageIds,
          );
        }
        assertMessages(inLineOrder, c.messages);
      });
    }
  });
}

export interface StateCase {
  /** What the case is about, and why it matters. */
  name: string;
  /** A cluster state built with test/support/builders.ts (objects without a file: findings have no line). */
  state: ClusterState;
  config?: LintConfig;
  observed?: readonly ObservedConnection[];
}

export interface StateInvalidCase extends StateCase {
  /** The findings, as `<object id> <field path>` (`ClusterNetworkPolicy/x spec.egress[1]`), sorted. */
  findings: readonly string[];
  /** Expected message ids, in the order of `findings`. */
  messageIds?: readonly string[];
  /** Text every message (in that order) must contain: the values it quotes. */
  messages?: readonly (readonly string[])[];
}

/** `ClusterNetworkPolicy/x spec.egress[1]` */
function findingRef(f: LintResult['findings'][number]): string {
  return `${f.object.id} ${formatPath(f.path)}`.trim();
}

/**
 * `ruleTester` for inputs given as cluster states rather than YAML (cluster policies built with the test
 * builders): findings are identified by object and field path instead of line.
 */
export function stateRuleTester(
  rule: AnyRule,
  cases: { valid: readonly StateCase[]; invalid: readonly StateInvalidCase[] },
): void {
  const run = (c: StateCase): LintResult =>
    lint(
      { state: c.state, ...(c.observed === undefined ? {} : { observed: c.observed }) },
      { rules: [rule], ...(c.config === undefined ? {} : { config: c.config }) },
    );
  describe(rule.id, () => {
    for (const c of cases.valid) {
      test(`valid: ${c.name}`, () => {
        assert.deepEqual(
          run(c).findings.map((f) => `${findingRef(f)}: ${f.message}`),
          [],
          'a valid case has no finding',
        );
      });
    }
    for (const c of cases.invalid) {
      test(`invalid: ${c.name}`, () => {
        assert.ok(c.findings.length > 0, 'an invalid case lists its findings');
        const found = [...run(c).findings].sort((a, b) =>
          findingRef(a) < findingRef(b) ? -1 : findingRef(a) > findingRef(b) ? 1 : 0,
        );
        for (const f of found) assert.equal(f.ruleId, rule.id);
        assert.deepEqual(found.map(findingRef), c.findings, found.map((f) => f.message).join('\n'));
        for (const f of found) {
          assert.ok(!f.message.includes('{{'), `message has an unfilled placeholder: ${f.message}`);
          assert.ok(!f.message.includes('\n'), 'messages are one line');
        }
        if (c.messageIds !== undefined)
          assert.deepEqual(
            found.map((f) => f.messageId),
            c.messageIds,
          );
        assertMessages(found, c.messages);
      });
    }
  });
}

/**
 * Asserts that a SARIF log validates against the SARIF 2.1.0 JSON schema as Microsoft publishes it
 * (test/fixtures/lint/README.md says where from). `unicodeRegExp: false`: the schema's own pattern for
 * `language` is not valid with the `u` flag, which ajv uses by default.
 */
export function assertValidSarif(sarif: unknown): void {
  const schema = JSON.parse(
    readFileSync(new URL('../fixtures/lint/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  formats.default(ajv);
  const validate = ajv.compile(schema);
  assert.equal(validate(sarif), true, JSON.stringify(validate.errors));
}
