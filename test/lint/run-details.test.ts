/**
 * The lint run's bookkeeping, driven by a probe rule that reports exactly what a test gives it: how each kind
 * of subject is named and located, the suppression annotation's syntax, the order of findings, the shared
 * cache, and the notices about suppressions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lint, parseSuppression } from '../../src/lint/run.ts';
import type { AnyRule, LintInput, ReportDescriptor, RuleContext } from '../../src/lint/types.ts';
import type { Origin } from '../../src/model/cluster.ts';
import type { FieldPath } from '../../src/model/problem.ts';
import { parseManifestText } from '../../src/parse/index.ts';
import type { ParsedObject } from '../../src/parse/types.ts';
import { anp, cluster, ns, pod, policy } from '../support/builders.ts';
import { yaml } from './helpers.ts';

/** A rule `id` that reports what `reports` returns (message `m`: "{{text}}"). */
function probe(id: string, reports: (ctx: RuleContext) => readonly ReportDescriptor[]): AnyRule {
  return {
    id,
    meta: {
      severity: 'warning',
      category: 'mistakes',
      description: 'probe',
      rationale: 'probe',
      fix: 'probe',
      messages: { m: '{{text}}' },
    },
    check: (ctx: RuleContext) => {
      for (const r of reports(ctx)) ctx.report(r);
    },
  };
}

const empty = cluster({});

/** The one object of a YAML text, as parsed. */
function source(text: string): ParsedObject {
  const parsed = parseManifestText(text, 'in.yaml');
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.objects.length, 1);
  return parsed.objects[0]!;
}

const where = (f: { file?: string; line?: number; column?: number }): string =>
  `${f.file ?? '-'}:${f.line ?? '-'}:${f.column ?? '-'}`;

test('an object as written: its name, namespace and id, whatever its metadata holds', () => {
  const unnamed = { kind: 'ConfigMap', namespace: 'dflt', name: '(unnamed)', id: 'dflt/ConfigMap/(unnamed)' };
  const a = { kind: 'ConfigMap', namespace: 'dflt', name: 'a', id: 'dflt/ConfigMap/a' };
  const cases: [string, object][] = [
    ['kind: ConfigMap\nmetadata: {name: a, namespace: b}', { ...a, namespace: 'b', id: 'b/ConfigMap/a' }],
    ['kind: ConfigMap\nmetadata: {name: a}', a],
    ['kind: ConfigMap', unnamed],
    ['kind: ConfigMap\nmetadata: null', unnamed],
    ['kind: ConfigMap\nmetadata: [a]', unnamed],
    ['kind: ConfigMap\nmetadata: {name: 5, namespace: ""}', unnamed],
    ['kind: ConfigMap\nmetadata: {name: "", annotations: null}', unnamed],
    ['kind: ConfigMap\nmetadata: {name: a, annotations: [x]}', a],
    ['kind: ConfigMap\nmetadata: {name: a, annotations: {netfence.io/ignore: 5}}', a],
    [
      'kind: Namespace\nmetadata: {name: a, namespace: b}',
      { kind: 'Namespace', name: 'a', id: 'Namespace/a' },
    ],
    ['kind: Namespace', { kind: 'Namespace', name: '(unnamed)', id: 'Namespace/(unnamed)' }],
  ];
  for (const [text, object] of cases) {
    const s = source(`apiVersion: v1\n${text}\n`);
    const result = lint(
      { state: empty, sources: [s], defaultNamespace: 'dflt' },
      { rules: [probe('probe', () => [{ messageId: 'm', data: { text: 'x' }, subject: { source: s } }])] },
    );
    assert.deepEqual(
      result.findings.map((f) => f.object),
      [object],
      text,
    );
    assert.equal(result.suppressed.length, 0);
  }
});

test('an object as written is located at the path, or at its start when the path is empty or not in it', () => {
  const text = yaml`
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: a
    data:
      k: v
  `;
  const s = source(text);
  const asked: FieldPath[] = [];
  const spied: ParsedObject = { ...s, locate: (path) => (asked.push(path), s.locate(path)) };
  const at = (path: FieldPath): string =>
    where(
      lint(
        { state: empty, sources: [spied] },
        {
          rules: [
            probe('probe', () => [{ messageId: 'm', data: { text: 'x' }, subject: { source: spied }, path }]),
          ],
        },
      ).findings[0]!,
    );
  assert.equal(at(['data', 'k']), 'in.yaml:6:3');
  assert.equal(at(['spec', 'nope']), 'in.yaml:1:1');
  assert.equal(at([]), 'in.yaml:1:1');
  // The empty path is the object's start: its YAML is not walked for it.
  assert.deepEqual(asked, [
    ['data', 'k'],
    ['spec', 'nope'],
  ]);
});

test('a policy is located through its origin, which may not know how to locate a field', () => {
  const asked: FieldPath[] = [];
  const withLocate: Origin = {
    file: 'p.yaml',
    line: 3,
    column: 1,
    locate: (path) => (asked.push(path), { file: 'p.yaml', line: 9, column: 5 }),
  };
  const bare: Origin = { file: 'q.yaml', line: 4, column: 2 };
  const a = { ...policy('shop', 'a', { podSelector: {} }), origin: withLocate };
  const b = { ...policy('shop', 'b', { podSelector: {} }), origin: bare };
  const state = cluster({ namespaces: [ns('shop')], policies: [a, b] });
  const result = lint(
    { state },
    {
      rules: [
        probe('probe', () => [
          { messageId: 'm', data: { text: 'a spec' }, subject: { policy: a }, path: ['spec'] },
          { messageId: 'm', data: { text: 'a' }, subject: { policy: a } },
          { messageId: 'm', data: { text: 'b spec' }, subject: { policy: b }, path: ['spec'] },
        ]),
      ],
    },
  );
  assert.deepEqual(
    result.findings.map((f) => `${f.message} ${where(f)}`),
    ['a p.yaml:3:1', 'a spec p.yaml:9:5', 'b spec q.yaml:4:2'],
  );
  assert.deepEqual(asked, [['spec']]);
});

test('a namespace the input only refers to is located at the start of its first located workload, else policy', () => {
  const origin = (file: string, asked?: FieldPath[]): Origin => ({
    file,
    line: 1,
    column: 1,
    ...(asked === undefined
      ? {}
      : { locate: (path: FieldPath) => (asked.push(path), { file, line: 7, column: 7 }) }),
  });
  const asked: FieldPath[] = [];
  const base = cluster({
    pods: [pod('shop', 'a'), pod('shop', 'b')],
    policies: [
      { ...policy('other', 'p1', { podSelector: {} }), origin: origin('other-policy.yaml') },
      policy('shop', 'p2', { podSelector: {} }),
      { ...policy('shop', 'p3', { podSelector: {} }), origin: origin('shop-policy.yaml', asked) },
    ],
  });
  const shop = base.namespaces.find((n) => n.name === 'shop')!;
  assert.equal(shop.origin, undefined);
  const run = (state: LintInput['state']) =>
    lint(
      { state },
      {
        rules: [
          probe('probe', () => [
            { messageId: 'm', data: { text: 'x' }, subject: { namespace: shop }, path: ['metadata', 'name'] },
          ]),
        ],
      },
    ).findings.map((f) => `${f.object.kind} ${f.object.id} ${where(f)}`);
  // No workload is located: the first policy of the namespace that is.
  assert.deepEqual(run(base), ['Namespace Namespace/shop shop-policy.yaml:1:1']);
  assert.deepEqual(asked, []);
  // The second workload is located, the first is not.
  const workloads = base.workloads.map((w) => (w.name === 'b' ? { ...w, origin: origin('b.yaml') } : w));
  assert.deepEqual(run({ ...base, workloads }), ['Namespace Namespace/shop b.yaml:1:1']);
  // Nothing located in the namespace.
  assert.deepEqual(run({ ...base, policies: base.policies.slice(0, 2) }), ['Namespace Namespace/shop -:-:-']);
});

test('the suppression annotation without rule ids before "--"', () => {
  assert.deepEqual(parseSuppression('-- why'), { rules: [], reason: 'why' });
  assert.deepEqual(parseSuppression('--why'), { rules: [], reason: 'why' });
  assert.deepEqual(parseSuppression(''), { rules: [], reason: '' });
});

test('findings are ordered by file (no file last), then rule, then message', () => {
  const at = (file: string | undefined): Origin | undefined =>
    file === undefined ? undefined : { file, line: 1, column: 1 };
  const pol = (name: string, file?: string) => {
    const origin = at(file);
    return { ...policy('shop', name, { podSelector: {} }), ...(origin === undefined ? {} : { origin }) };
  };
  const nowhere = pol('nowhere');
  const here = pol('here', 'a.yaml');
  const report = (subject: ReportDescriptor['subject'], text: string): ReportDescriptor => ({
    messageId: 'm',
    data: { text },
    subject,
  });
  const state = cluster({ namespaces: [ns('shop')], policies: [nowhere, here] });
  const ordered = (rules: AnyRule[]) =>
    lint({ state }, { rules }).findings.map((f) => `${f.file ?? '-'} ${f.ruleId} ${f.message}`);
  assert.deepEqual(
    ordered([probe('r', () => [report({ policy: nowhere }, 'x'), report({ policy: here }, 'x')])]),
    ['a.yaml r x', '- r x'],
  );
  // Rules apart at one place: by rule id, whatever the messages say.
  assert.deepEqual(
    ordered([
      probe('z', () => [report({ policy: here }, 'a')]),
      probe('a', () => [report({ policy: here }, 'z')]),
    ]),
    ['a.yaml a z', 'a.yaml z a'],
  );
  assert.deepEqual(
    ordered([
      probe('a', () => [report({ policy: here }, 'z')]),
      probe('z', () => [report({ policy: here }, 'a')]),
    ]),
    ['a.yaml a z', 'a.yaml z a'],
  );
});

test('what the rules are given: the sources (none), one shared value per key, the workloads sorted once', () => {
  let sources: unknown;
  let made = 0;
  const key = Symbol('probe');
  const sharing = (id: string) =>
    probe(id, (ctx) => {
      sources = ctx.sources;
      ctx.shared(key, () => ++made);
      assert.equal(
        ctx.shared(key, () => ++made),
        1,
      );
      return [];
    });
  const state = cluster({ namespaces: [ns('shop')], policies: [policy('shop', 'p', { podSelector: {} })] });
  lint({ state }, { rules: [sharing('a'), sharing('b')] });
  assert.deepEqual(sources, []);
  assert.equal(made, 1);
  const result = lint(
    { state },
    {
      rules: [
        probe('w', () => [
          {
            messageId: 'm',
            data: { text: 'x' },
            subject: { policy: state.policies[0]! },
            workloads: ['b', 'a', 'b'],
          },
        ]),
      ],
    },
  );
  assert.deepEqual(result.findings[0]!.workloads, ['a', 'b']);
});

test('a report with a message id the rule does not define is a bug of the rule', () => {
  const state = cluster({ namespaces: [ns('shop')], policies: [policy('shop', 'p', { podSelector: {} })] });
  assert.throws(
    () =>
      lint(
        { state },
        { rules: [probe('bad', () => [{ messageId: 'nope', subject: { policy: state.policies[0]! } }])] },
      ),
    { message: 'rule bad has no message "nope"' },
  );
});

test('notices about suppression annotations: codes, objects without a place, excluded namespaces, notices off', () => {
  const annotated = (name: string, namespace: string, value: string, origin?: Origin) => ({
    ...policy(namespace, name, { podSelector: {} }),
    annotations: { 'netfence.io/ignore': value },
    ...(origin === undefined ? {} : { origin }),
  });
  const clusterWide = {
    ...anp('wide', { priority: 5, subject: { namespaces: {} }, ingress: [] }),
    annotations: { 'netfence.io/ignore': 'nope -- why' },
  };
  const state = cluster({
    namespaces: [ns('shop'), ns('kube-system')],
    policies: [
      annotated('empty', 'shop', '-- why', { file: 'e.yaml', line: 2, column: 3 }),
      annotated('blank', 'shop', ''),
      annotated('unknown', 'shop', 'nope -- why'),
      annotated('no-reason', 'shop', 'r'),
      annotated('hidden', 'kube-system', 'nope'),
    ],
    clusterPolicies: [clusterWide],
  });
  const rules = [probe('r', () => [])];
  const config = { rules: {}, excludeNamespaces: ['kube-*', '*'] };
  const notices = (options: { notices?: boolean; config?: typeof config } = {}) =>
    lint({ state }, { rules, ...options }).notices.map(
      (n) => `${n.object} ${n.code} ${where(n)} ${n.message}`,
    );
  const everywhere = [
    'shop/NetworkPolicy/empty suppression-empty e.yaml:2:3 netfence.io/ignore names no rule: write "rule-id -- reason"',
    'shop/NetworkPolicy/blank suppression-empty -:-:- netfence.io/ignore names no rule: write "rule-id -- reason"',
    'shop/NetworkPolicy/unknown suppression-unknown-rule -:-:- netfence.io/ignore names unknown rule "nope" (netfence lint --list-rules lists them)',
    'shop/NetworkPolicy/no-reason suppression-unused -:-:- netfence.io/ignore suppresses "r", which reports nothing here: remove it',
    'shop/NetworkPolicy/no-reason suppression-no-reason -:-:- netfence.io/ignore gives no reason: write "r -- why it is fine"',
  ];
  const hidden = [
    'kube-system/NetworkPolicy/hidden suppression-unknown-rule -:-:- netfence.io/ignore names unknown rule "nope" (netfence lint --list-rules lists them)',
    'kube-system/NetworkPolicy/hidden suppression-no-reason -:-:- netfence.io/ignore gives no reason: write "nope -- why it is fine"',
  ];
  const wide =
    'AdminNetworkPolicy/wide suppression-unknown-rule -:-:- netfence.io/ignore names unknown rule "nope" (netfence lint --list-rules lists them)';
  assert.deepEqual(notices(), [...everywhere, ...hidden, wide]);
  // Every namespace excluded: the cluster-wide policy, in none, keeps its notice.
  assert.deepEqual(notices({ config }), [wide]);
  assert.deepEqual(notices({ config: { ...config, excludeNamespaces: ['kube-*'] } }), [...everywhere, wide]);
  assert.deepEqual(notices({ notices: false }), []);
});
