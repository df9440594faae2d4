/** `netfence lint` on manifests with cluster-wide tiers: each tier rule at its file and line, netfence.yaml severities. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { assertValidSarif, docs, yaml } from './helpers.ts';
import { shopDefaultDenyIngress, tierBaseYaml } from './tier-fixtures.ts';

const manifests = docs(
  tierBaseYaml,
  shopDefaultDenyIngress,
  yaml`
    apiVersion: policy.networking.k8s.io/v1beta1
    kind: ClusterNetworkPolicy
    metadata: {name: deny-data}
    spec:
      tier: Admin
      priority: 10
      subject: {namespaces: {}}
      egress:
        - action: Deny
          to: [{namespaces: {matchLabels: {team: data}}}]
    ---
    apiVersion: policy.networking.k8s.io/v1beta1
    kind: ClusterNetworkPolicy
    metadata: {name: shop-to-db}
    spec:
      tier: Admin
      priority: 10
      subject: {namespaces: {matchLabels: {team: shop}}}
      egress:
        - action: Accept  # <- no-tier-priority-overlap
          to: [{pods: {namespaceSelector: {matchLabels: {team: data}}, podSelector: {matchLabels: {app: db}}}}]
    ---
    apiVersion: policy.networking.k8s.io/v1beta1
    kind: ClusterNetworkPolicy
    metadata: {name: shop-egress}
    spec:
      tier: Admin
      priority: 20
      subject: {namespaces: {matchLabels: {team: shop}}}
      egress:
        - action: Deny  # <- no-shadowed-tier-rule
          to: [{namespaces: {matchLabels: {team: data}}}]
    ---
    apiVersion: policy.networking.k8s.io/v1beta1
    kind: ClusterNetworkPolicy
    metadata: {name: delegate-data}
    spec:
      tier: Admin
      priority: 30
      subject: {namespaces: {matchLabels: {team: data}}}
      ingress:
        - action: Pass  # <- no-useless-pass
          from: [{namespaces: {}}]
    ---
    apiVersion: policy.networking.k8s.io/v1beta1
    kind: ClusterNetworkPolicy
    metadata: {name: shop-baseline}
    spec:
      tier: Baseline
      priority: 100
      subject: {namespaces: {matchLabels: {team: shop}}}
      ingress:
        - action: Deny  # <- no-unreachable-baseline-rule
          from: [{namespaces: {matchLabels: {team: data}}}]
    ---
    apiVersion: policy.networking.k8s.io/v1alpha1  # <- no-legacy-tier-api
    kind: AdminNetworkPolicy
    metadata: {name: legacy}
    spec:
      priority: 500
      subject: {namespaces: {matchLabels: {team: shop}}}
      ingress:
        - action: Allow
          from: [{namespaces: {matchLabels: {team: data}}}]
  `,
);

const TIER_RULES = [
  'no-tier-priority-overlap',
  'no-shadowed-tier-rule',
  'no-useless-pass',
  'no-unreachable-baseline-rule',
  'no-legacy-tier-api',
];

/** `rule line` for each `# <- rule` marker of the manifests. */
function marked(text: string): string[] {
  return text
    .split('\n')
    .flatMap((line, i) => {
      const m = /# <- ([a-z0-9-]+)$/.exec(line);
      return m === null ? [] : [`${m[1]!} ${i + 1}`];
    })
    .sort();
}

interface JsonFinding {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
  object: { id: string };
}

function manifestFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-lint-tiers-'));
  writeFileSync(join(dir, 'cluster.yaml'), manifests);
  return join(dir, 'cluster.yaml');
}

async function lintTiers(config?: string): Promise<{ code: number; findings: JsonFinding[] }> {
  const file = manifestFile();
  const dir = join(file, '..');
  const args = ['lint', file, '-o', 'json'];
  if (config !== undefined) {
    writeFileSync(join(dir, 'netfence.yaml'), config);
    args.push('--config', join(dir, 'netfence.yaml'));
  }
  const r = await runCli(args);
  const json = JSON.parse(r.stdout) as { findings: JsonFinding[] };
  return { code: r.code, findings: json.findings.filter((f) => TIER_RULES.includes(f.ruleId)) };
}

test('each tier rule reports at the line of the rule or object it is about', async () => {
  const { code, findings } = await lintTiers();
  assert.equal(code, 1, 'the same-priority overlap is an error');
  assert.deepEqual(findings.map((f) => `${f.ruleId} ${f.line}`).sort(), marked(manifests));
  for (const f of findings) assert.ok(f.file.endsWith('cluster.yaml'));
  assert.deepEqual(findings.map((f) => [f.ruleId, f.severity, f.object.id]).sort(), [
    ['no-legacy-tier-api', 'warning', 'AdminNetworkPolicy/legacy'],
    ['no-shadowed-tier-rule', 'warning', 'ClusterNetworkPolicy/shop-egress'],
    ['no-tier-priority-overlap', 'error', 'ClusterNetworkPolicy/shop-to-db'],
    ['no-unreachable-baseline-rule', 'warning', 'ClusterNetworkPolicy/shop-baseline'],
    ['no-useless-pass', 'info', 'ClusterNetworkPolicy/delegate-data'],
  ]);
});

test('netfence.yaml changes the severity of a tier rule or turns it off', async () => {
  const { code, findings } = await lintTiers(
    'rules:\n  no-legacy-tier-api: error\n  no-tier-priority-overlap: "off"\n  no-useless-pass: warning\n',
  );
  assert.equal(code, 1, 'no-legacy-tier-api is now an error');
  assert.deepEqual(findings.map((f) => [f.ruleId, f.severity]).sort(), [
    ['no-legacy-tier-api', 'error'],
    ['no-shadowed-tier-rule', 'warning'],
    ['no-unreachable-baseline-rule', 'warning'],
    ['no-useless-pass', 'warning'],
  ]);
});

test('SARIF with findings on cluster-scoped objects validates, each at its file and line', async () => {
  const r = await runCli(['lint', manifestFile(), '-o', 'sarif']);
  const sarif = JSON.parse(r.stdout) as {
    runs: {
      results: {
        ruleId: string;
        locations: { physicalLocation: { region: { startLine: number } } }[];
      }[];
    }[];
  };
  assertValidSarif(sarif);
  assert.deepEqual(
    sarif.runs[0]!.results.filter((x) => TIER_RULES.includes(x.ruleId))
      .map((x) => `${x.ruleId} ${x.locations[0]!.physicalLocation.region.startLine}`)
      .sort(),
    marked(manifests),
  );
});
