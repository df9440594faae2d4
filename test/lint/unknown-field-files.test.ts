/**
 * `netfence lint` checks objects again for unknown fields only in the files where reading found some
 * (`LintInput.unknownFieldFiles`): the findings must be those of checking every object, also with a second,
 * identical definition (read once, its warnings not repeated: the reader then gives no list of files).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';

const TYPO = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  podSelecter:
    matchLabels:
      app: web
  policyTypes: [Ingress]
`;

const CLEAN = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-unknown-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function unknownFieldAt(args: string[]): Promise<string[]> {
  const r = await runCli(['lint', ...args, '-o', 'json', '--fail-on', 'none']);
  assert.equal(r.code, 0, r.stderr);
  const { findings } = JSON.parse(r.stdout) as {
    findings: { ruleId: string; file: string; line: number }[];
  };
  return findings
    .filter((f) => f.ruleId === 'no-unknown-field')
    .map((f) => `${f.file.slice(f.file.lastIndexOf('/') + 1)}:${f.line}`);
}

test('unknown fields are found in the files the reader warned about, and only there', async () => {
  const dir = folder({ 'a.yaml': TYPO, 'b.yaml': CLEAN });
  assert.deepEqual(await unknownFieldAt([dir]), ['a.yaml:7']);
});

test('an object defined twice identically is read once, and its unknown field reported once', async () => {
  const dir = folder({ 'a.yaml': CLEAN, 'b.yaml': TYPO, 'c.yaml': TYPO });
  assert.deepEqual(await unknownFieldAt([dir]), ['b.yaml:7']);
});

test('unknown fields in several files are each reported', async () => {
  const dir = folder({ 'a.yaml': TYPO, 'b.yaml': CLEAN, 'c.yaml': TYPO.replaceAll('web', 'db') });
  assert.deepEqual(await unknownFieldAt([dir]), ['a.yaml:7', 'c.yaml:7']);
});
