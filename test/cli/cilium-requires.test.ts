/**
 * A Cilium policy with a non-empty `fromRequires` or `toRequires` (deprecated in Cilium, not modelled by
 * netfence) never vanishes silently: through the public loader and `analyze` / `lint`, it is an error at the
 * field's line and column (the CRD's "at most 0 items", src/parse/validate/cilium.ts), the command exits 2,
 * and with `--skip-invalid` the policy is left out and named. No answer is given by default: the CRD
 * netfence models rejects the object (so a cluster would not hold it either), and on an older Cilium that
 * took it, neither keeping the rest of the rule (allowing more than Cilium, or denying less) nor leaving the
 * policy out (its pods no longer isolated) is what Cilium does.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../../src/model/problem.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { runCli } from '../support/cli.ts';

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: db, namespace: default, labels: {app: db}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
`;

const INGRESS = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: req, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: web}}]
      fromRequires:
        - matchLabels: {env: prod}
`;

const EGRESS_DENY = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: req}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egressDeny:
    - toEndpoints: [{}]
      toRequires: [{matchLabels: {env: prod}}, {}]
`;

const IN_MESSAGE =
  'spec.ingress[0].fromRequires: Too many: 1: must have at most 0 items. fromRequires is deprecated and no longer accepted: add the required labels to each fromEndpoints selector instead';
const OUT_MESSAGE =
  'spec.egressDeny[0].toRequires: Too many: 2: must have at most 0 items. toRequires is deprecated and no longer accepted: add the required labels to each toEndpoints selector instead';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A folder with the two pods and `policy` in cnp.yaml. */
function folder(policy: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-requires-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'pods.yaml'), PODS);
  writeFileSync(join(dir, 'cnp.yaml'), policy);
  return dir;
}

describe('fromRequires and toRequires', () => {
  test('the public loader: an error at the field, the policy not in the state (listed with skipInvalid)', () => {
    for (const [text, at, message] of [
      [INGRESS, 'cnp.yaml:8:7', IN_MESSAGE],
      [EGRESS_DENY, 'cnp.yaml:8:7', OUT_MESSAGE],
    ] as const) {
      const parsed = parseManifestText(text, 'cnp.yaml');
      assert.deepEqual(parsed.errors, []);
      const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
      assert.deepEqual(built.errors.map(formatProblem), [`${at} ${message}`]);
      assert.deepEqual(built.state.ciliumPolicies, []);
      const skipped = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: true });
      assert.deepEqual(skipped.errors, []);
      assert.deepEqual(
        skipped.skipped.map((s) => [s.file, s.line, s.reason]),
        [['cnp.yaml', 1, message]],
      );
      assert.deepEqual(skipped.state.ciliumPolicies, []);
    }
  });

  test('analyze and lint: exit 2 with the error at its line and column', async () => {
    for (const [policy, message] of [
      [INGRESS, IN_MESSAGE],
      [EGRESS_DENY, OUT_MESSAGE],
    ] as const) {
      const dir = folder(policy);
      for (const command of ['analyze', 'lint']) {
        const r = await runCli([command, dir]);
        assert.equal(r.code, 2, `${command}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.equal(
          r.stderr,
          `${join(dir, 'cnp.yaml')}:8:7 ${message}\nnetfence: 1 error in the input; fix it, or run with --skip-invalid to ${command} the rest\n`,
        );
      }
    }
  });

  test('analyze --skip-invalid: the policy is left out and named, not silently', async () => {
    const dir = folder(INGRESS);
    const r = await runCli(['analyze', '--skip-invalid', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      `skipped default/CiliumNetworkPolicy/req (${join(dir, 'cnp.yaml')}:1): ${IN_MESSAGE}\n`,
    );
    assert.match(r.stdout, /^2 workloads \(2 pods\) in 1 namespace, 0 policies: /);
  });
});
