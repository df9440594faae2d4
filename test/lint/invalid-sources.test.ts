/**
 * Rules that read the files as written (`ctx.sources`) meet invalid objects too: with --skip-invalid, every
 * object of a file that has a valid one is read, including a NetworkPolicy whose metadata, spec, rules or
 * ports are not maps. Those rules must pass over such objects (not crash) and still judge the valid ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRule } from '../../src/lint/registry.ts';
import { lint } from '../../src/lint/run.ts';
import type { LintResult } from '../../src/lint/types.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { deploy, docs, ns, yaml } from './helpers.ts';

/** Lints `text` as `netfence lint --skip-invalid` does: the state from the valid objects, every object as source. */
function lintSkippingInvalid(text: string, ruleId: string): LintResult {
  const parsed = parseManifestText(text, 'test.yaml');
  assert.deepEqual(parsed.errors, [], 'the fixture is well-formed YAML');
  const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: true });
  assert.ok(built.skipped.length > 0, 'the fixture has invalid objects');
  return lint({ state: built.state, sources: parsed.objects }, { rules: [findRule(ruleId)!] });
}

const base = docs(ns('shop'), deploy('shop', 'web'));
const policy = (name: string): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: ${name}, namespace: shop}
  spec:
    podSelector: {}
`;

test('no-duplicate-policy-name passes over NetworkPolicies whose metadata is not a map, or has no name', () => {
  // Each invalid one twice (with different specs): none is a duplicate of anything.
  const invalid = ['', '[deny]', '{name: "", namespace: shop}', '{name: 5, namespace: shop}'].flatMap(
    (metadata) =>
      ['{}', '{matchLabels: {app: web}}'].map(
        (selector) =>
          `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: ${metadata}\nspec:\n  podSelector: ${selector}\n`,
      ),
  );
  const text = docs(
    base,
    policy('deny'),
    ...invalid,
    policy('deny').replace('{}', '{matchLabels: {app: web}}'),
  );
  const lines = text.split('\n');
  const first = lines.indexOf('apiVersion: networking.k8s.io/v1') + 1;
  const second = lines.findLastIndex((l) => l.startsWith('metadata: {name: deny,')) + 1;
  const result = lintSkippingInvalid(text, 'no-duplicate-policy-name');
  assert.deepEqual(
    result.findings.map((f) => [f.line, f.message]),
    [
      [
        second,
        `NetworkPolicy "deny" is already defined in namespace "shop" at test.yaml:${first}; "kubectl apply" keeps only the last one, so rename one or merge them`,
      ],
    ],
  );
});

test('no-endport-with-named-port passes over specs, rules and ports that are not maps or lists', () => {
  const netpol = (spec: string): string =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: ${spec}\n`;
  const text = docs(
    base,
    netpol(''),
    netpol('[ingress]'),
    netpol('{podSelector: {}, ingress: {ports: [{port: http, endPort: 90}]}}'),
    netpol(
      '{podSelector: {}, ingress: [null, [{port: http, endPort: 90}]], egress: [{ports: {port: http, endPort: 90}}]}',
    ),
    netpol('{podSelector: {}, egress: [{ports: [null, [http], {port: http, endPort: "90"}]}]}'),
    netpol('{podSelector: {}, egress: [{ports: [{port: 80, endPort: 90}, {port: dns, endPort: 90}]}]}'),
    // Another kind of the same shape is not the API server's NetworkPolicy.
    'apiVersion: example.com/v1\nkind: PortPolicy\nmetadata: {name: p, namespace: shop}\nspec: {ingress: [{ports: [{port: http, endPort: 90}]}]}\n',
  );
  const result = lintSkippingInvalid(text, 'no-endport-with-named-port');
  assert.deepEqual(
    result.findings.map((f) => [f.line, f.path.join('.'), f.message]),
    [
      [
        text.split('\n').findIndex((l) => l.includes('{port: dns, endPort: 90}')) + 1,
        'spec.egress.0.ports.1.endPort',
        'endPort 90 cannot be combined with the named port "dns", so the API server rejects this policy; write the first port of the range as a number, or drop endPort',
      ],
    ],
  );
});
