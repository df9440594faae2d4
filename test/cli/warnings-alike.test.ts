/**
 * Warnings alike (the same code and message at different places) are printed three times and counted, so
 * that a cluster naming the `health` entity in hundreds of policies does not bury the answer; `--all-warnings`
 * prints each one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatWarnings, WARNINGS_ALIKE_SHOWN } from '../../src/format/problems.ts';
import type { Problem } from '../../src/model/problem.ts';
import { runCli } from '../support/cli.ts';

const rule = (entity: string, field: string) => `  - ${field}: [${entity}]\n`;

/** Five ingress rules from the `health` entity and two egress rules to `kube-apiserver`. */
const INPUT = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
${rule('health', 'fromEntities').repeat(5)}  egress:
${rule('kube-apiserver', 'toEntities').repeat(2)}`;

const HEALTH = 'fromEntities "health" stands for addresses';
const APISERVER = 'toEntities "kube-apiserver" stands for addresses';

function lines(stderr: string, containing: string): string[] {
  return stderr.split('\n').filter((l) => l.includes(containing));
}

test('warnings alike: three are printed in full, the rest counted in one line naming --all-warnings', async () => {
  const r = await runCli(['analyze', '-', '--cni', 'cilium', '-o', 'json'], { stdin: INPUT });
  assert.equal(r.code, 0, r.stderr);
  const health = lines(r.stderr, HEALTH);
  // Three in full (each at its own line of the input), then the count.
  assert.deepEqual(
    health.slice(0, 3).map((l) => l.split(' ')[0]),
    ['<stdin>:20:20', '<stdin>:21:20', '<stdin>:22:20'],
  );
  assert.equal(health.length, 4);
  assert.match(
    health[3]!,
    /^warning: 2 more like this not shown \(5 in all\): fromEntities "health" .*; --all-warnings prints each$/,
  );
  // Fewer than four alike: all printed, no count.
  const apiserver = lines(r.stderr, APISERVER);
  assert.equal(apiserver.length, 2);
  assert.ok(apiserver.every((l) => l.startsWith('<stdin>:')));
  // The count comes after every warning printed in full.
  const all = r.stderr.split('\n');
  assert.ok(all.indexOf(health[3]!) > all.indexOf(apiserver[1]!));
});

test('warnings alike: --all-warnings prints every one and no count', async () => {
  const r = await runCli(['analyze', '-', '--cni', 'cilium', '-o', 'json', '--all-warnings'], {
    stdin: INPUT,
  });
  assert.equal(r.code, 0, r.stderr);
  const health = lines(r.stderr, HEALTH);
  assert.deepEqual(
    health.map((l) => l.split(' ')[0]),
    ['<stdin>:20:20', '<stdin>:21:20', '<stdin>:22:20', '<stdin>:23:20', '<stdin>:24:20'],
  );
  assert.equal(lines(r.stderr, 'not shown').length, 0);
  assert.equal(lines(r.stderr, APISERVER).length, 2);
});

test('warnings alike: lint counts them the same way', async () => {
  const r = await runCli(['lint', '-', '--cni', 'cilium'], { stdin: INPUT });
  assert.equal(lines(r.stderr, HEALTH).length, 4, r.stderr);
  assert.match(lines(r.stderr, HEALTH)[3]!, /^warning: 2 more like this not shown \(5 in all\)/);
  const all = await runCli(['lint', '-', '--cni', 'cilium', '--all-warnings'], { stdin: INPUT });
  assert.equal(lines(all.stderr, HEALTH).length, 5, all.stderr);
});

function warning(code: string, message: string, line: number): Problem {
  return { code, message, severity: 'warning', path: ['spec'], file: 'p.yaml', line, column: 1 };
}

test('warnings alike: the same message under another code, or another message, is another kind', () => {
  const ws = [
    ...[1, 2, 3, 4].map((l) => warning('a', 'same words', l)),
    ...[5, 6, 7, 8].map((l) => warning('b', 'same words', l)),
    ...[9, 10, 11].map((l) => warning('a', 'other words', l)),
  ];
  const out = formatWarnings(ws, false);
  assert.equal(WARNINGS_ALIKE_SHOWN, 3);
  assert.deepEqual(out, [
    'p.yaml:1:1 warning: spec: same words',
    'p.yaml:2:1 warning: spec: same words',
    'p.yaml:3:1 warning: spec: same words',
    'p.yaml:5:1 warning: spec: same words',
    'p.yaml:6:1 warning: spec: same words',
    'p.yaml:7:1 warning: spec: same words',
    'p.yaml:9:1 warning: spec: other words',
    'p.yaml:10:1 warning: spec: other words',
    'p.yaml:11:1 warning: spec: other words',
    'warning: 1 more like this not shown (4 in all): same words; --all-warnings prints each',
    'warning: 1 more like this not shown (4 in all): same words; --all-warnings prints each',
  ]);
  assert.equal(formatWarnings(ws, true).length, ws.length);
  assert.deepEqual(formatWarnings([], false), []);
});

test('warnings alike: apply counts them the same way, before it reaches a cluster', async (t) => {
  // A cluster that answers nothing: the files are read and checked before it is asked.
  const dir = mkdtempSync(join(tmpdir(), 'netfence-warnings-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  );
  const env = { KUBECONFIG: kubeconfig };
  const r = await runCli(['apply', '-', '--cluster', '--cni', 'cilium'], { stdin: INPUT, env });
  assert.equal(lines(r.stderr, HEALTH).length, 4, r.stderr);
  assert.match(lines(r.stderr, HEALTH)[3]!, /^warning: 2 more like this not shown \(5 in all\)/);
  const all = await runCli(['apply', '-', '--cluster', '--cni', 'cilium', '--all-warnings'], {
    stdin: INPUT,
    env,
  });
  assert.equal(lines(all.stderr, HEALTH).length, 5, all.stderr);
});
