import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule, { MAX_COUNTED } from '../../../src/lint/rules/no-unknown-field.ts';
import { runCli } from '../../support/cli.ts';
import { deploy, docs, lintText, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(
  ns('data'),
  deploy('data', 'db'),
  deploy('data', 'cache'),
  ns('shop'),
  deploy('shop', 'web'),
);
const denyAll = yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: deny-all, namespace: data}
  spec:
    podSelector: {}
    policyTypes: [Ingress]
`;
// Lets shop into db only, on top of a default deny: with the selector misspelled, into every pod of data.
const allowShop = (selectorKey: string, mark = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: allow-shop, namespace: data}
  spec:
    ${selectorKey}: {matchLabels: {app: db}}${mark}
    ingress:
      - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
`;

ruleTester(rule, {
  valid: [
    { name: 'every field known', yaml: docs(base, denyAll, allowShop('podSelector')) },
    {
      name: 'unknown fields of kinds netfence does not read',
      yaml: docs(base, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: data}\ndatta: {}\n'),
    },
  ],
  invalid: [
    {
      name: 'a misspelled podSelector',
      yaml: docs(base, denyAll, allowShop('podSelecter', '  # <-')),
      messageIds: ['typo'],
    },
    {
      name: 'a misspelled field in a peer, and an unknown field nothing is close to',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: p, namespace: data}
          spec:
            podSelector: {}
            ingress:
              - from: [{podSelector: {}, namespaceSelectr: {}}]  # <-
            whatever: 1  # <-
        `,
      ),
      messageIds: ['typo', 'unknown'],
    },
  ],
});

test('no-unknown-field states the consequence, counted against the field spelled right', () => {
  const result = lintText(docs(base, denyAll, allowShop('podSelecter')), { rules: [rule] });
  assert.deepEqual(
    result.findings.map((f) => [f.severity, f.line, f.message]),
    [
      [
        'error',
        76,
        `Unknown field "podSelecter" (did you mean "podSelector"?): spec.podSelector is then empty: this policy selects every pod in data; 1 more connection between workloads is allowed than with the field spelled right. With strict field validation (kubectl's default) the API server rejects the object; with none it drops the field`,
      ],
    ],
  );
});

test('netfence lint reports the typo in txt, JSON and SARIF, and fails', async () => {
  const text = docs(base, denyAll, allowShop('podSelecter'));
  const txt = await runCli(['lint', '-'], { stdin: text });
  assert.equal(txt.code, 1, txt.stderr);
  assert.match(
    txt.stdout,
    /76:3 +error +Unknown field "podSelecter" \(did you mean "podSelector"\?\).* no-unknown-field/,
  );
  const json = await runCli(['lint', '-', '-o', 'json'], { stdin: text });
  const findings = (JSON.parse(json.stdout) as { findings: { ruleId: string; severity: string }[] }).findings;
  assert.deepEqual(
    findings.filter((f) => f.ruleId === 'no-unknown-field').map((f) => f.severity),
    ['error'],
  );
  const sarif = await runCli(['lint', '-', '-o', 'sarif'], { stdin: text });
  const results = (
    JSON.parse(sarif.stdout) as {
      runs: { results: { ruleId: string; level: string; message: { text: string } }[] }[];
    }
  ).runs[0]!.results.filter((r) => r.ruleId === 'no-unknown-field');
  assert.deepEqual(
    results.map((r) => [r.level, /selects every pod in data; 1 more connection/.test(r.message.text)]),
    [['error', true]],
  );
});

test('no-unknown-field counts the consequence of the first typos only', () => {
  const typos = Array.from(
    { length: MAX_COUNTED + 1 },
    (_, i) => yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: p${i}, namespace: data}
      spec:
        podSelector: {}
        ingres: []
    `,
  );
  const result = lintText(docs(base, ...typos), { rules: [rule] });
  const ids = result.findings.map((f) => f.messageId);
  assert.equal(ids.filter((id) => id === 'typo').length, MAX_COUNTED);
  assert.equal(ids.filter((id) => id === 'typoUncounted').length, 1);
  assert.match(
    result.findings.find((f) => f.messageId === 'typoUncounted')!.message,
    /^Unknown field "ingres" \(did you mean "ingress"\?\): spec\.ingress is then absent\. With strict/,
  );
});

test('netfence lint prints the finding, not also the parser warning; with --strict it still lints', async () => {
  const text = docs(base, denyAll, allowShop('podSelecter'));
  const r = await runCli(['lint', '-'], { stdin: text });
  assert.doesNotMatch(r.stderr, /unknown field/);
  const strict = await runCli(['lint', '-', '--strict'], { stdin: text });
  assert.equal(strict.code, 1, strict.stderr);
  assert.match(strict.stdout, /Unknown field "podSelecter" \(did you mean "podSelector"\?\)/);
});
