/**
 * policy-assistant (Kubernetes SIG Network's policy analyzer, sigs.k8s.io/network-policy-api/policy-assistant)
 * as a second opinion for test/engine/policy-assistant-differential.test.ts: `pa-verdicts`
 * (scripts/policy-assistant/main.go), built against its packages by scripts/policy-assistant.sh into
 * ${NETFENCE_PA_CACHE:-${NETFENCE_CACHE:-~/.cache/netfence}/policy-assistant}/<version>/bin/ (never into the
 * repository). NETFENCE_POLICY_ASSISTANT names the binary instead (CI exports it). When it is absent, or was
 * built from another main.go, `policyAssistantBinary()` returns a reason that tests pass to `{ skip }`.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Protocol } from '../../src/model/k8s.ts';

/** The default of NETFENCE_PA_VERSION in scripts/policy-assistant.sh. */
export const POLICY_ASSISTANT_VERSION = 'v0.0.0-20260421165353-a17adecd0316';

const DRIVER = fileURLToPath(new URL('../../scripts/policy-assistant/main.go', import.meta.url));

function driverSum(): string {
  return createHash('sha256').update(fs.readFileSync(DRIVER)).digest('hex');
}

/** The path of `pa-verdicts`, or `{ skip: reason }`. */
export function policyAssistantBinary(): string | { skip: string } {
  const fromEnv = process.env['NETFENCE_POLICY_ASSISTANT'];
  const dir = fromEnv
    ? path.dirname(path.dirname(fromEnv))
    : path.join(
        process.env['NETFENCE_PA_CACHE'] ||
          path.join(
            process.env['NETFENCE_CACHE'] || path.join(os.homedir(), '.cache', 'netfence'),
            'policy-assistant',
          ),
        POLICY_ASSISTANT_VERSION,
      );
  const bin = fromEnv || path.join(dir, 'bin', 'pa-verdicts');
  const build = 'build it with scripts/policy-assistant.sh';
  if (!fs.existsSync(bin) || !fs.existsSync(path.join(dir, '.complete'))) {
    return { skip: `policy-assistant's pa-verdicts not found (looked in ${bin}): ${build}` };
  }
  const built = fs.existsSync(path.join(dir, '.driver'))
    ? fs.readFileSync(path.join(dir, '.driver'), 'utf8')
    : '';
  if (built.trim() !== driverSum()) {
    return { skip: `${bin} was built from another scripts/policy-assistant/main.go: ${build} again` };
  }
  return bin;
}

/** A pod (`namespace/name`) or an address outside the cluster. */
export type PaEndpoint = { pod: string } | { ip: string };

export interface PaQuery {
  /** Kubernetes manifests: Namespaces, Pods, NetworkPolicies, AdminNetworkPolicies, a BaselineAdminNetworkPolicy. */
  objects: readonly unknown[];
  endpoints: readonly PaEndpoint[];
  /** Indexes into `endpoints`: source, destination. */
  pairs: readonly (readonly [number, number])[];
  protocols: readonly Protocol[];
  ports: readonly number[];
}

/**
 * policy-assistant's verdict on every pair × protocol × port (in that order of nesting), or the error it gave
 * (policy-assistant panics on objects it finds invalid; pa-verdicts reports the panic).
 */
export function policyAssistantVerdicts(
  bin: string,
  query: PaQuery,
): { verdicts: boolean[] } | { error: string } {
  const run = spawnSync(bin, [], { input: JSON.stringify(query), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.error !== undefined) throw run.error;
  if (run.status !== 0) throw new Error(`pa-verdicts exited with ${String(run.status)}: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as { verdicts?: string; error?: string };
  if (out.error !== undefined) return { error: out.error };
  const verdicts = out.verdicts ?? '';
  const expected = query.pairs.length * query.protocols.length * query.ports.length;
  if (verdicts.length !== expected) throw new Error(`pa-verdicts answered ${verdicts.length} of ${expected}`);
  return { verdicts: Array.from({ length: verdicts.length }, (_, i) => verdicts.charCodeAt(i) === 49) }; // '1'
}
