/**
 * The lint run around the cluster policy rules: findings about cluster-scoped objects point at their file and
 * line, are suppressed by their annotation, are never dropped by excludeNamespaces, take their severity from
 * netfence.yaml; and every rule runs on a cluster with tiers without failing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLintConfig } from '../../src/lint/config.ts';
import { RULES, findRule } from '../../src/lint/registry.ts';
import { lint } from '../../src/lint/run.ts';
import type { ClusterPolicyInfo } from '../../src/model/cluster.ts';
import { formatPath } from '../../src/model/problem.ts';
import { anp, banp, cnp, policy } from '../support/builders.ts';
import { allPods, shop, withTiers } from './tier-fixtures.ts';

const legacy = findRule('no-legacy-tier-api')!;

/** An AdminNetworkPolicy as read from `policies.yaml` at line 10, its `apiVersion` at line 10, column 1. */
function located(annotations: Record<string, string> = {}): ClusterPolicyInfo {
  const info = anp('guardrails', { priority: 1, subject: shop, ingress: [{ action: 'Deny', from: [shop] }] });
  return {
    ...info,
    annotations,
    origin: {
      file: 'policies.yaml',
      line: 10,
      column: 1,
      locate: (path) =>
        formatPath(path) === 'apiVersion'
          ? { file: 'policies.yaml', line: 10, column: 1 }
          : formatPath(path) === 'metadata.annotations.netfence.io/ignore'
            ? { file: 'policies.yaml', line: 14, column: 5 }
            : undefined,
    },
  };
}

test('a finding about a cluster policy points at the field in its file, and names the object', () => {
  const result = lint({ state: withTiers({ clusterPolicies: [located()] }) }, { rules: [legacy] });
  assert.deepEqual(
    result.findings.map((f) => [f.file, f.line, f.column, formatPath(f.path), f.object]),
    [
      [
        'policies.yaml',
        10,
        1,
        'apiVersion',
        { kind: 'AdminNetworkPolicy', name: 'guardrails', id: 'AdminNetworkPolicy/guardrails' },
      ],
    ],
  );
});

test('a cluster policy suppresses a finding with its netfence.io/ignore annotation', () => {
  const result = lint(
    {
      state: withTiers({
        clusterPolicies: [located({ 'netfence.io/ignore': 'no-legacy-tier-api -- Calico 3.30 until Q3' })],
      }),
    },
    { rules: [legacy] },
  );
  assert.deepEqual(result.findings, []);
  assert.deepEqual(
    result.suppressed.map((f) => [f.ruleId, f.object.id, f.reason]),
    [['no-legacy-tier-api', 'AdminNetworkPolicy/guardrails', 'Calico 3.30 until Q3']],
  );
  assert.deepEqual(result.notices, []);
});

test('an annotation on a cluster policy that suppresses nothing is a notice at its line', () => {
  const result = lint(
    {
      state: withTiers({
        clusterPolicies: [located({ 'netfence.io/ignore': 'no-useless-pass -- why' })],
      }),
    },
    { rules: [findRule('no-useless-pass')!] },
  );
  assert.deepEqual(
    result.notices.map((n) => [n.code, n.file, n.line, n.object]),
    [['suppression-unused', 'policies.yaml', 14, 'AdminNetworkPolicy/guardrails']],
  );
});

test('excludeNamespaces never drops findings about cluster-scoped objects', () => {
  const result = lint(
    { state: withTiers({ clusterPolicies: [located()] }) },
    { rules: [legacy], config: { rules: {}, excludeNamespaces: ['*'] } },
  );
  assert.deepEqual(
    result.findings.map((f) => f.ruleId),
    ['no-legacy-tier-api'],
  );
  assert.equal(result.excluded, 0);
});

test('netfence.yaml sets the severity of the tier rules, or turns them off', () => {
  const ids = RULES.map((r) => r.id);
  const parsed = parseLintConfig(
    'rules:\n  no-legacy-tier-api: error\n  no-tier-priority-overlap: "off"\n',
    'netfence.yaml',
    ids,
  );
  assert.ok(parsed.ok);
  const state = withTiers({
    clusterPolicies: [
      located(),
      cnp('a', { tier: 'Admin', priority: 1, subject: shop, ingress: [{ action: 'Accept', from: [shop] }] }),
    ],
  });
  const result = lint({ state }, { config: parsed.value });
  const tierFindings = result.findings.filter((f) => f.ruleId.includes('tier'));
  assert.deepEqual(
    tierFindings.map((f) => [f.ruleId, f.severity]),
    [['no-legacy-tier-api', 'error']],
  );
  assert.ok(!result.rules.some((r) => r.id === 'no-tier-priority-overlap'));
  // Without the configuration the overlap (Deny and Accept at priority 1) is an error.
  assert.deepEqual(
    lint({ state })
      .findings.filter((f) => f.ruleId === 'no-tier-priority-overlap')
      .map((f) => f.severity),
    ['error'],
  );
});

test('every rule runs on a cluster with both tiers, NetworkPolicies and every kind of peer', () => {
  const state = withTiers({
    clusterPolicies: [
      cnp('admin', {
        tier: 'Admin',
        priority: 1,
        subject: allPods,
        egress: [
          { action: 'Accept', to: [{ domainNames: ['*.example.com'] }] },
          {
            action: 'Deny',
            to: [{ networks: ['10.0.2.0/24'] }],
            protocols: [{ tcp: { destinationPort: { range: { start: 1, end: 1024 } } } }],
          },
          { action: 'Pass', to: [{ nodes: {} }] },
        ],
        ingress: [{ action: 'Pass', from: [{ pods: { podSelector: { matchLabels: { app: 'web' } } } }] }],
      }),
      anp('legacy', {
        priority: 2,
        subject: shop,
        ingress: [{ action: 'Allow', from: [allPods], ports: [{ namedPort: 'http' }] }],
      }),
      cnp('baseline', {
        tier: 'Baseline',
        priority: 0,
        subject: allPods,
        ingress: [{ action: 'Deny', from: [allPods] }],
      }),
      banp({
        subject: allPods,
        ingress: [{ action: 'Allow', from: [shop] }],
        egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }],
      }),
    ],
    policies: [
      policy('shop', 'web', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ ports: [{ port: 'http' }] }],
      }),
    ],
  });
  const result = lint({ state });
  assert.deepEqual(result.skipped.sort(), ['flows-never-observed', 'flows-would-deny']);
  const ids = new Set(result.findings.map((f) => f.ruleId));
  for (const id of ['no-legacy-tier-api', 'no-shadowed-tier-rule']) assert.ok(ids.has(id), id);
  for (const f of result.findings) assert.ok(!f.message.includes('{{'), f.message);
});
