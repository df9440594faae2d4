/** The lint run around the rules: severities, exclusions, suppression annotations, locations, order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES, findRule } from '../../src/lint/registry.ts';
import { lint, parseSuppression } from '../../src/lint/run.ts';
import { formatProblem } from '../../src/model/problem.ts';
import { deploy, docs, lintText, ns, yaml } from './helpers.ts';

const rule = (id: string) => findRule(id)!;
const allowAll = (annotation = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: allow-web
    namespace: shop
    annotations: {${annotation}}
  spec:
    podSelector: {matchLabels: {app: web}}
    ingress: [{}]
`;

test('the suppression annotation: rule ids, then "--" and a reason', () => {
  assert.deepEqual(parseSuppression('no-allow-all-rule -- debugging, until 2026-12-01'), {
    rules: ['no-allow-all-rule'],
    reason: 'debugging, until 2026-12-01',
  });
  assert.deepEqual(parseSuppression('a, b  c--why'), { rules: ['a', 'b', 'c'], reason: 'why' });
  assert.deepEqual(parseSuppression('a'), { rules: ['a'], reason: '' });
});

test('a suppressed finding is kept apart, with its reason', () => {
  const result = lintText(
    docs(
      ns('shop'),
      deploy('shop', 'web'),
      allowAll('netfence.io/ignore: "no-allow-all-rule -- public load-balancer checks"'),
    ),
    { rules: [rule('no-allow-all-rule'), rule('require-default-deny-ingress')] },
  );
  assert.deepEqual(
    result.findings.map((f) => f.ruleId),
    ['require-default-deny-ingress'],
  );
  assert.deepEqual(
    result.suppressed.map((f) => [f.ruleId, f.line, f.reason]),
    [['no-allow-all-rule', 32, 'public load-balancer checks']],
  );
  assert.deepEqual(result.notices, []);
});

test('suppressions on a workload and on a namespace', () => {
  const result = lintText(
    docs(
      yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: sandbox
          annotations: {netfence.io/ignore: "require-default-deny-ingress, require-default-deny-egress -- throwaway"}
      `,
      ns('shop'),
      deploy('sandbox', 'toy'),
      deploy('shop', 'web'),
      deploy('shop', 'api', {
        annotations: { 'netfence.io/ignore': 'require-ingress-isolation -- public API' },
      }),
      allowAll(),
    ),
    {
      rules: [
        rule('require-default-deny-ingress'),
        rule('require-default-deny-egress'),
        rule('require-ingress-isolation'),
      ],
    },
  );
  assert.deepEqual(
    result.suppressed.map((f) => `${f.ruleId} ${f.object.id}`),
    [
      'require-default-deny-egress Namespace/sandbox',
      'require-default-deny-ingress Namespace/sandbox',
      'require-ingress-isolation shop/Deployment/api',
    ],
  );
  assert.deepEqual(
    result.findings.map((f) => `${f.ruleId} ${f.object.id}`),
    ['require-default-deny-egress Namespace/shop', 'require-default-deny-ingress Namespace/shop'],
  );
});

test('annotations that suppress nothing, name unknown rules, or give no reason are reported', () => {
  const result = lintText(
    docs(
      ns('shop'),
      deploy('shop', 'web'),
      allowAll('netfence.io/ignore: "no-allow-all-rules, no-any-namespace"'),
    ),
    { rules: RULES },
  );
  assert.deepEqual(result.notices.map(formatProblem), [
    'test.yaml:29:17 warning: metadata.annotations.netfence.io/ignore: netfence.io/ignore names unknown rule "no-allow-all-rules" (netfence lint --list-rules lists them)',
    'test.yaml:29:17 warning: metadata.annotations.netfence.io/ignore: netfence.io/ignore suppresses "no-any-namespace", which reports nothing here: remove it',
    'test.yaml:29:17 warning: metadata.annotations.netfence.io/ignore: netfence.io/ignore gives no reason: write "no-allow-all-rules, no-any-namespace -- why it is fine"',
  ]);
});

test('the configuration changes severities, turns rules off and excludes namespaces', () => {
  const text = docs(
    ns('shop'),
    ns('kube-system'),
    deploy('shop', 'web'),
    deploy('kube-system', 'coredns'),
    allowAll(),
  );
  const result = lintText(text, {
    rules: RULES,
    config: {
      rules: { 'no-allow-all-rule': 'info', 'require-default-deny-egress': 'off' },
      excludeNamespaces: ['kube-*'],
    },
  });
  assert.deepEqual(
    result.findings.map((f) => `${f.severity} ${f.ruleId} ${f.object.id}`),
    [
      'error require-default-deny-ingress Namespace/shop',
      'info no-allow-all-rule shop/NetworkPolicy/allow-web',
    ],
  );
  // kube-system's default-deny-ingress finding
  assert.equal(result.excluded, 1);
  assert.ok(!result.rules.some((r) => r.id === 'require-default-deny-egress'));
  assert.deepEqual(result.skipped, ['flows-would-deny', 'flows-never-observed']);
});

test('the rules that need flows run when observed connections are given', () => {
  const result = lintText(docs(ns('shop'), deploy('shop', 'web')), { rules: RULES, observed: [] });
  assert.deepEqual(result.skipped, []);
  assert.ok(result.rules.some((r) => r.id === 'flows-would-deny'));
});

test('a namespace the input only refers to is located at its first workload', () => {
  const result = lintText(deploy('shop', 'web'), { rules: [rule('require-default-deny-ingress')] });
  assert.deepEqual(
    result.findings.map((f) => [f.object.id, f.file, f.line, f.column]),
    [['Namespace/shop', 'test.yaml', 1, 1]],
  );
});

test('findings are ordered by file, line and column', () => {
  const { state } = {
    state: {
      namespaces: [],
      workloads: [],
      pods: [],
      policies: [],
      services: [],
      clusterPolicies: [],
      nodes: [],
      ciliumPolicies: [],
    },
  };
  assert.deepEqual(lint({ state }).findings, []);
  const result = lintText(docs(ns('b'), ns('a'), deploy('b', 'x'), deploy('a', 'y')), {
    rules: [rule('require-default-deny-ingress'), rule('require-default-deny-egress')],
  });
  assert.deepEqual(
    result.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`),
    [
      '4:3 require-default-deny-egress',
      '4:3 require-default-deny-ingress',
      '9:3 require-default-deny-egress',
      '9:3 require-default-deny-ingress',
    ],
  );
});
