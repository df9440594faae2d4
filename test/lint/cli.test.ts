/** `netfence lint` end to end: the bundled example, exit codes, configuration, standard input, flows. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RULES } from '../../src/lint/registry.ts';
import { assertGolden, runCli } from '../support/cli.ts';
import { assertValidSarif, deploy, docs, ns, yaml } from './helpers.ts';

interface JsonFinding {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  message: string;
}

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-lint-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('netfence lint examples/webshop reports the weaknesses the example contains', async () => {
  const r = await runCli(['lint', 'examples/webshop']);
  assert.equal(r.code, 1, 'errors remain: exit 1');
  assert.equal(
    r.stderr,
    'Ignored 15 objects of other kinds (ConfigMap ×7, ServiceAccount ×5, Ingress ×2, IngressClass ×1).\n',
  );
  assertGolden('lint/webshop.txt', r.stdout);
  // The nine weaknesses of examples/README.md, each at the line its "# weakness:" comment describes.
  const json = await runCli(['lint', 'examples/webshop', '-o', 'json']);
  const findings = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings;
  const at = (rule: string, file: string): string[] =>
    findings
      .filter((f) => f.ruleId === rule && f.file === `examples/webshop/${file}`)
      .map((f) => `${f.line}:${f.column}`);
  assert.deepEqual(at('require-default-deny-ingress', '00-namespaces.yaml'), ['44:3', '53:3']); // 1: monitoring (and kube-system)
  assert.deepEqual(at('require-ingress-isolation', 'monitoring.yaml'), ['162:1', '254:1']); // 2: alertmanager (and grafana, 9)
  assert.deepEqual(at('no-allow-all-rule', 'policies/shop.yaml'), ['26:7']); // 3
  assert.deepEqual(at('no-any-namespace', 'policies/data.yaml'), ['54:11']); // 4
  assert.deepEqual(at('no-wide-ipblock', 'policies/payments.yaml'), ['110:13']); // 5
  assert.deepEqual(at('no-split-peer', 'policies/payments.yaml'), ['52:11']); // 6
  assert.deepEqual(at('require-dns-egress-udp', 'policies/data.yaml'), ['94:3']); // 7
  assert.deepEqual(at('no-unknown-named-port', 'policies/payments.yaml'), ['136:11']); // 8
  assert.deepEqual(at('no-policy-selecting-nothing', 'policies/monitoring.yaml'), ['37:3']); // 9
});

test('SARIF output of the example validates and points into the repository', async () => {
  const r = await runCli(['lint', 'examples/webshop', '-o', 'sarif']);
  assert.equal(r.code, 1);
  const sarif = JSON.parse(r.stdout) as {
    runs: {
      results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    }[];
  };
  assertValidSarif(sarif);
  const uris = new Set(
    sarif.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri),
  );
  assert.deepEqual([...uris].sort(), [
    'examples/webshop/00-namespaces.yaml',
    'examples/webshop/data.yaml',
    'examples/webshop/monitoring.yaml',
    'examples/webshop/policies/data.yaml',
    'examples/webshop/policies/monitoring.yaml',
    'examples/webshop/policies/payments.yaml',
    'examples/webshop/policies/shop.yaml',
  ]);
});

test('--fail-on decides the exit code', async () => {
  // Only warnings: require-default-deny-egress.
  const dir = tempDir({
    'all.yaml': docs(
      ns('shop'),
      deploy('shop', 'web'),
      yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: shop}
        spec: {podSelector: {}}
      `,
    ),
  });
  assert.equal((await runCli(['lint', dir])).code, 0);
  assert.equal((await runCli(['lint', dir, '--fail-on', 'warning'])).code, 1);
  assert.equal((await runCli(['lint', 'examples/webshop', '--fail-on', 'none'])).code, 0);
  const bad = await runCli(['lint', dir, '--fail-on', 'warn']);
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    'netfence: --fail-on: unknown value "warn"; use one of error, warning, info, none; did you mean "warning"?\n',
  );
});

test('--list-rules prints the catalog', async () => {
  const r = await runCli(['lint', '--list-rules']);
  assert.equal(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, RULES.length + 1);
  assert.deepEqual(
    lines.slice(1).map((l) => l.split(' ')[0]),
    RULES.map((x) => x.id),
  );
});

test('netfence.yaml: severities, exclusions, failOn; errors are one line', async () => {
  const config = join(
    tempDir({
      'netfence.yaml': yaml`
        rules:
          require-default-deny-egress: off
          require-egress-isolation: off
          no-allow-all-rule: warning
        excludeNamespaces: [kube-system]
        failOn: warning
      `,
    }),
    'netfence.yaml',
  );
  const r = await runCli(['lint', 'examples/webshop', '--config', config, '-o', 'json']);
  assert.equal(r.code, 1);
  const json = JSON.parse(r.stdout) as { summary: Record<string, unknown>; findings: JsonFinding[] };
  assert.equal(json.summary.failOn, 'warning');
  assert.equal(json.summary.excluded, 1); // kube-system's missing default deny (the egress one is off)
  assert.ok(!json.findings.some((f) => f.ruleId.endsWith('egress') && f.ruleId.startsWith('require-')));
  assert.equal(json.findings.find((f) => f.ruleId === 'no-allow-all-rule')?.severity, 'warning');

  const typo = join(tempDir({ 'netfence.yaml': 'rules:\n  no-wide-ipblocks: error\n' }), 'netfence.yaml');
  const bad = await runCli(['lint', 'examples/webshop', '--config', typo]);
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    `netfence: ${typo}:2:3 rules.no-wide-ipblocks: unknown rule "no-wide-ipblocks" (netfence lint --list-rules lists them). Did you mean "no-wide-ipblock"?\n`,
  );
  const missing = await runCli(['lint', 'examples/webshop', '--config', '/nonexistent/netfence.yaml']);
  assert.equal(missing.code, 2);
  assert.equal(
    missing.stderr,
    'netfence: cannot read configuration "/nonexistent/netfence.yaml": it does not exist; check the path given to --config\n',
  );
});

test('a duplicate policy name is a finding, not an input error, unless its rule is off', async () => {
  const policy = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: deny, namespace: shop}
    spec: {podSelector: {}}
  `;
  // The two definitions differ (identical ones are read once, with a note).
  const dir = tempDir({
    'a.yaml': docs(ns('shop'), policy),
    'b.yaml': policy.replace('{}', '{matchLabels: {a: b}}'),
  });
  const r = await runCli(['lint', dir, '-o', 'json']);
  assert.equal(r.code, 1);
  const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
  assert.deepEqual(
    findings.map((f) => `${f.file.slice(dir.length + 1)}:${f.line}:${f.column} ${f.ruleId}`),
    ['b.yaml:3:12 no-duplicate-policy-name'],
  );
  const config = join(
    tempDir({ 'netfence.yaml': 'rules: {no-duplicate-policy-name: off}\n' }),
    'netfence.yaml',
  );
  const off = await runCli(['lint', dir, '--config', config]);
  assert.equal(off.code, 2);
  assert.match(off.stderr, /b\.yaml:3:12 metadata\.name: NetworkPolicy "shop\/deny" is defined twice/);
});

test('input errors are listed whole, as analyze lists them, also those a rule would report', async () => {
  // endPort below its port: its rule (no-endport-with-named-port) reports only endPort with a named port.
  const dir = tempDir({
    'p.yaml': docs(
      ns('shop'),
      yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          podSelector: {}
          ingress:
            - from: [{ipBlock: {cidr: 10.0.0.1}}]
              ports: [{port: 80, endPort: 70}]
      `,
    ),
  });
  const analyze = await runCli(['analyze', dir]);
  const r = await runCli(['lint', dir]);
  assert.equal(r.code, 2);
  const problems = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith(dir));
  assert.equal(problems(analyze.stderr).length, 2);
  assert.deepEqual(problems(r.stderr), problems(analyze.stderr));
  assert.match(
    r.stderr,
    /^netfence: 2 errors in the input; fix them, or run with --skip-invalid to lint the rest$/m,
  );
  // Alone, it stops the run after the rules, with the same advice.
  const alone = tempDir({
    'p.yaml': readFileSync(join(dir, 'p.yaml'), 'utf8').replace('10.0.0.1', '10.0.0.1/32'),
  });
  const one = await runCli(['lint', alone]);
  assert.equal(one.code, 2);
  assert.equal(
    one.stderr,
    `${alone}/p.yaml:13:26 spec.ingress[0].ports[0].endPort: must be ≥ port (80), got 70\n` +
      'netfence: 1 error in the input; fix it, or run with --skip-invalid to lint the rest\n',
  );
});

test('standard input, with the YAML checks', async () => {
  const input = docs(
    ns('shop'),
    yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: web, namespace: shop}
      spec:
        podSelector: {}
        ingress:
          - ports: [{port: 08080}]
    `,
  );
  const r = await runCli(['lint', '-', '--fail-on', 'none'], { stdin: input });
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    [
      '<stdin>',
      '  12:16  warning  08080 has a leading zero: YAML 1.1 tools (kubectl, Helm) do not read it as 8080 (it is not valid octal); write 8080, or quote it if it is a name  no-yaml11-traps',
      '',
      '1 finding (0 errors, 1 warning, 0 info)',
      '',
    ].join('\n'),
  );
});

test('--flows adds the rules that compare the policies with observed traffic', async () => {
  const r = await runCli([
    'lint',
    'examples/webshop',
    '--flows',
    'examples/flows/webshop-hubble.jsonl',
    '-o',
    'json',
  ]);
  assert.equal(r.code, 1);
  const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
  // The DROPPED flows of the capture: Prometheus' scrapes of payments (8), the report job's DNS (7).
  assert.deepEqual(
    findings
      .filter((f) => f.ruleId === 'flows-would-deny')
      .map((f) => `${f.file.slice('examples/webshop/'.length)}:${f.line} ${f.message.split(' would')[0]!}`),
    [
      'policies/data.yaml:94 Observed data/report-exporter → kube-system/coredns on TCP 53; UDP 53',
      'policies/payments.yaml:123 Observed monitoring/prometheus → payments/fraud-check on TCP 9102',
      'policies/payments.yaml:123 Observed monitoring/prometheus → payments/payment-gateway on TCP 9102',
    ],
  );
  assert.ok(findings.some((f) => f.ruleId === 'flows-never-observed'));
});

test('no input is a usage error', async () => {
  const r = await runCli(['lint']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'netfence: no input: give manifest files or folders, or - to read standard input\n');
});
