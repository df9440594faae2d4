/** Output formats: SARIF valid against the SARIF 2.1.0 schema, the JSON shape, the txt summary, the catalog. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import AjvDraft04 from 'ajv-draft-04';
import formats from 'ajv-formats';
import { formatLint, formatRuleList, lintToSarif } from '../../src/format/lint.ts';
import { DEFAULT_CONFIG } from '../../src/lint/config.ts';
import { RULES } from '../../src/lint/registry.ts';
import type { LintResult } from '../../src/lint/types.ts';
import { deploy, docs, lintText, ns, yaml } from './helpers.ts';

// The SARIF 2.1.0 JSON schema as Microsoft publishes it (test/fixtures/lint/README.md says where from).
const schema = JSON.parse(
  readFileSync(new URL('../fixtures/lint/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
// unicodeRegExp: false, because the schema's own pattern for `language` ("…{2}]?$") is not valid with the
// `u` flag, which ajv uses by default; JSON Schema draft-04 patterns are ECMA 262 without it.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
formats.default(ajv);
const validateSarif = ajv.compile(schema);

const options = { rules: RULES, config: DEFAULT_CONFIG, failOn: 'error' as const, version: '1.2.3' };

function sample(): LintResult {
  return lintText(
    docs(
      ns('shop'),
      deploy('shop', 'web'),
      yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: allow-web
          namespace: shop
          annotations: {netfence.io/ignore: "no-any-namespace -- shared cache, reviewed"}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
            - {}
            - from: [{namespaceSelector: {}}]
              ports: [{port: 8080}]
      `,
    ),
    { rules: RULES, file: 'policies/shop policies.yaml' },
  );
}

test('SARIF output validates against the SARIF 2.1.0 schema', () => {
  const result = sample();
  assert.ok(
    result.findings.length > 0 && result.suppressed.length > 0,
    'the sample has findings and suppressions',
  );
  const sarif = lintToSarif(result, options);
  const valid = validateSarif(sarif);
  assert.deepEqual(validateSarif.errors ?? [], [], 'schema errors');
  assert.equal(valid, true);
  // The schema is not vacuous: a result without a message is rejected.
  const broken = structuredClone(sarif) as { runs: { results: Record<string, unknown>[] }[] };
  delete broken.runs[0]!.results[0]!.message;
  assert.equal(validateSarif(broken), false);
});

test('SARIF: every rule with help and a link, results with physical locations, suppressions', () => {
  const sarif = lintToSarif(sample(), options) as {
    runs: {
      tool: {
        driver: { name: string; version: string; informationUri: string; rules: Record<string, unknown>[] };
      };
      results: Record<string, unknown>[];
    }[];
  };
  const run = sarif.runs[0]!;
  assert.equal(run.tool.driver.name, 'netfence');
  assert.equal(run.tool.driver.version, '1.2.3');
  assert.deepEqual(
    run.tool.driver.rules.map((r) => r.id),
    RULES.map((r) => r.id),
  );
  const allowAll = run.tool.driver.rules.find((r) => r.id === 'no-allow-all-rule')!;
  assert.equal(
    allowAll.helpUri,
    'https://github.com/netfence/netfence/blob/main/docs/rules/no-allow-all-rule.md',
  );
  assert.deepEqual(allowAll.defaultConfiguration, { level: 'error', enabled: true });
  assert.match((allowAll.help as { markdown: string }).markdown, /\*\*How to fix:\*\*/);
  // A flows rule says what it needs in the units of captures: traffic, not connections (allowed pairs).
  const wouldDeny = run.tool.driver.rules.find((r) => r.id === 'flows-would-deny')!;
  assert.match(
    (wouldDeny.help as { text: string }).text,
    /\n\nIt runs only with --flows \(observed traffic\)\.\n\n/,
  );
  const result = run.results.find((r) => r.ruleId === 'no-allow-all-rule')!;
  assert.deepEqual(result.locations, [
    {
      physicalLocation: {
        // Relative, with the space percent-encoded.
        artifactLocation: { uri: 'policies/shop%20policies.yaml' },
        region: { startLine: 33, startColumn: 7 },
      },
      logicalLocations: [
        { fullyQualifiedName: 'shop/NetworkPolicy/allow-web', name: 'allow-web', kind: 'resource' },
      ],
    },
  ]);
  assert.equal(result.level, 'error');
  assert.equal(
    result.ruleIndex,
    RULES.findIndex((r) => r.id === 'no-allow-all-rule'),
  );
  const suppressed = run.results.find((r) => r.ruleId === 'no-any-namespace')!;
  assert.deepEqual(suppressed.suppressions, [
    { kind: 'inSource', status: 'accepted', justification: 'shared cache, reviewed' },
  ]);
});

test('JSON output', () => {
  const json = JSON.parse(formatLint(sample(), 'json', options)) as {
    summary: Record<string, unknown>;
    findings: Record<string, unknown>[];
    suppressed: Record<string, unknown>[];
  };
  assert.deepEqual(json.summary, {
    findings: 4,
    errors: 2,
    warnings: 2,
    info: 0,
    suppressed: 1,
    excluded: 0,
    failOn: 'error',
    failed: true,
  });
  assert.deepEqual(
    json.findings.find((f) => f.ruleId === 'no-allow-all-rule'),
    {
      ruleId: 'no-allow-all-rule',
      messageId: 'ingress',
      severity: 'error',
      message:
        'This ingress rule has no "from" and no "ports", so every pod of the cluster and any address can reach every port of shop/web; list the sources in "from" and the ports in "ports"',
      file: 'policies/shop policies.yaml',
      line: 33,
      column: 7,
      path: 'spec.ingress[0]',
      object: {
        kind: 'NetworkPolicy',
        namespace: 'shop',
        name: 'allow-web',
        id: 'shop/NetworkPolicy/allow-web',
      },
      workloads: ['shop/Deployment/web'],
      helpUri: 'https://github.com/netfence/netfence/blob/main/docs/rules/no-allow-all-rule.md',
    },
  );
  assert.equal(json.suppressed[0]!.reason, 'shared cache, reviewed');
});

test('txt output without findings', () => {
  const result = lintText(docs(ns('shop')), { rules: RULES });
  assert.equal(formatLint(result, 'txt', options), `No findings (${RULES.length - 2} rules checked)\n`);
});

test('the rule catalog shows the severities the configuration sets', () => {
  const text = formatRuleList(
    RULES,
    { rules: { 'no-wide-ipblock': 'error', 'no-split-peer': 'off' }, excludeNamespaces: [] },
    'txt',
  );
  const lines = text.split('\n');
  assert.match(lines[0]!, /^RULE +SEVERITY +CATEGORY +CHECKS THAT$/);
  assert.equal(lines.length, RULES.length + 2);
  assert.match(text, /\nno-wide-ipblock +error \(default warning\) +permissive +Egress ipBlocks/);
  assert.match(text, /\nno-split-peer +off \(default warning\) +mistakes/);
  assert.match(
    text,
    /\nflows-would-deny +error +flows +All traffic observed in the flows is allowed by the policies \(needs --flows\)/,
  );
  const json = JSON.parse(formatRuleList(RULES, DEFAULT_CONFIG, 'json')) as {
    id: string;
    requiresFlows: boolean;
  }[];
  assert.equal(json.length, RULES.length);
  assert.deepEqual(
    json.filter((r) => r.requiresFlows).map((r) => r.id),
    ['flows-would-deny', 'flows-never-observed'],
  );
});
