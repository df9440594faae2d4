/** `analyze` on inputs people really have: stray fields, duplicates, concatenated files, host-network pods. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';

function deployment(name: string, replicas: number, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: i}]${extra}}
`;
}

/** `src → dst` rows of the txt output (one per allowed pair), e.g. `default/web → default/web`. */
async function pairs(args: readonly string[], stdin: string): Promise<string[]> {
  const r = await runCli(['analyze', '-', ...args], { stdin });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .split('\n')
    .slice(3)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [src, dst] = l.split(/ {2,}/);
      return `${src} → ${dst}`;
    });
}

describe('analyze: replicas', () => {
  test('a workload with replicas: 0 does not reach itself; one with 2 does', async () => {
    const got = await pairs([], `${deployment('idle', 0)}---\n${deployment('web', 2)}`);
    assert.ok(got.includes('default/web → default/web'), got.join('\n'));
    assert.ok(got.includes('default/idle → default/web'), got.join('\n'));
    assert.ok(!got.includes('default/idle → default/idle'), got.join('\n'));
  });
});

describe('analyze: concatenated files on standard input', () => {
  test('`cat a.yaml b.yaml | netfence analyze -` with a missing --- says so', async () => {
    const a = deployment('web', 1);
    const b = deployment('api', 1);
    const r = await runCli(['analyze', '-'], { stdin: a + b });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^<stdin>:10:1 invalid YAML: the key "apiVersion" appears twice: is a `---` missing between two documents\?/m,
    );
  });
});

describe('analyze: fields that do not change connectivity', () => {
  // A pod as netpol-analyzer's test folders have them: a container without an image.
  const pods = `apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: a}}
spec:
  containers: [{name: c}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: b}}
spec:
  containers: [{name: c, image: i}]
`;

  test('are warnings: the answer is the same as with the field fixed, also with --skip-invalid', async () => {
    const fixed = await pairs([], pods.replace('{name: c}', '{name: c, image: i}'));
    assert.ok(fixed.includes('default/a → default/b'));
    assert.deepEqual(await pairs([], pods), fixed);
    assert.deepEqual(await pairs(['--skip-invalid'], pods), fixed);
    const r = await runCli(['analyze', '-'], { stdin: pods });
    assert.match(r.stderr, /^<stdin>:5:16 warning: spec\.containers\[0\]\.image: is required/m);
  });

  test('--strict rejects them, as the API server does', async () => {
    const r = await runCli(['analyze', '-', '--strict'], { stdin: pods });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^<stdin>:5:16 spec\.containers\[0\]\.image: is required/m);
    const skipped = await runCli(['analyze', '-', '--strict', '--skip-invalid'], { stdin: pods });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stderr, /^skipped default\/Pod\/a /m);
  });
});

describe('analyze: host-network pods', () => {
  const input = `${deployment('agent', 1, ', hostNetwork: true')}---
${deployment('web', 1)}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

  test('a policy selecting a host-network pod gets a warning; exempt by default, policed on request', async () => {
    const r = await runCli(['analyze', '-'], { stdin: input });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^<stdin>:25:3 warning: spec\.podSelector: policy default\/deny-all selects host-network pods of default\/Deployment\/agent: most CNIs do not police host-network pods, so the policy has no effect on them/m,
    );
    // Exempt (the default): the agent stays reachable, web is isolated.
    const exempt = await pairs([], input);
    assert.ok(exempt.includes('default/web → default/agent'), exempt.join('\n'));
    assert.ok(!exempt.includes('default/agent → default/web'), exempt.join('\n'));
    // Policed: the API read literally, the agent is isolated too.
    const policed = await pairs(['--host-network-pods', 'policed'], input);
    assert.ok(!policed.includes('default/web → default/agent'), policed.join('\n'));
    const warned = await runCli(['analyze', '-', '--host-network-pods', 'policed'], { stdin: input });
    assert.match(warned.stderr, /netfence applies it to them \(--host-network-pods policed\)/);
  });
});

describe('analyze: YAML 1.1 booleans', () => {
  test('an unquoted yes as a label value is rejected as kubectl would, and accepted quoted', async () => {
    const bad = deployment('web', 1).replace('{labels: {app: web}}', '{labels: {app: web, enabled: yes}}');
    const r = await runCli(['analyze', '-'], { stdin: bad });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^<stdin>:8:35 spec\.template\.metadata\.labels\.enabled: unquoted yes is the boolean true for kubectl and Helm \(YAML 1\.1\)/m,
    );
    const good = await runCli(['analyze', '-'], { stdin: bad.replace('enabled: yes', 'enabled: "yes"') });
    assert.equal(good.code, 0, good.stderr);
  });
});
