/**
 * Cilium's policy CRDs (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy; Cilium v1.20.2) in a real
 * kube-apiserver: every object of test/parse/cilium-cases.ts is sent (server-side dry run, strict field
 * validation) and the API server's answer is checked, status, message and the field named. netfence's side of
 * each case is pinned in test/parse/cilium.test.ts; here the two are compared: netfence accepts what the API
 * server stores and rejects what it rejects, except the cases listed with a `difference` (the Cilium agent
 * rejects more than the CRD: netfence follows the agent there, as a rejected policy is never enforced).
 *
 *   scripts/kube-binaries.sh && scripts/cilium-crds.sh   # once
 *   node scripts/test.ts test/cluster/cilium-crds.test.ts
 *
 * Skips when the binaries or the Cilium copy are missing, unless NETFENCE_REQUIRE_KUBE=1 (CI), where a missing
 * copy fails the test.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installCrds } from '../support/crds.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { ciliumCases, errorFields, type CiliumCase } from '../parse/cilium-cases.ts';
import { skip as noBinaries, startServer } from './setup.ts';

const required = process.env.NETFENCE_REQUIRE_KUBE === '1';
const CRD_DIR = 'pkg/k8s/apis/cilium.io/client/crds/v2';
const CRDS = ['ciliumnetworkpolicies.yaml', 'ciliumclusterwidenetworkpolicies.yaml'];

/** The copy made by scripts/cilium-crds.sh (NETFENCE_CILIUM_DIR, else the cache), or why it is missing. */
function ciliumDir(): string | { skip: string } {
  const dir =
    process.env.NETFENCE_CILIUM_DIR ||
    join(process.env.NETFENCE_CACHE || join(homedir(), '.cache', 'netfence'), 'cilium', 'v1.20.2');
  return CRDS.every((f) => existsSync(join(dir, CRD_DIR, f)))
    ? dir
    : { skip: `the Cilium CRDs are not in ${dir}/${CRD_DIR}: fetch them with scripts/cilium-crds.sh` };
}

const found = ciliumDir();
const skip: string | false =
  noBinaries !== false ? noBinaries : typeof found !== 'string' && !required ? found.skip : false;

let api: ApiServer | undefined;

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

before(async () => {
  if (skip !== false) return;
  if (typeof found !== 'string') throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${found.skip}`);
  api = await startServer({ rbacManifest: null });
  if (api === undefined) return;
  await installCrds(
    api,
    CRDS.map((f) => join(found, CRD_DIR, f)),
  );
});

after(async () => {
  await api?.stop();
});

function pathOf(object: Record<string, unknown>): string {
  return object.kind === 'CiliumClusterwideNetworkPolicy'
    ? '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies'
    : '/apis/cilium.io/v2/namespaces/default/ciliumnetworkpolicies';
}

interface Answer {
  status: number;
  fields: string[];
  message: string;
}

async function send(c: CiliumCase): Promise<Answer> {
  const res = await server().request('POST', `${pathOf(c.object)}?dryRun=All&fieldValidation=Strict`, {
    body: c.object,
  });
  const json = (res.json ?? {}) as { message?: string; details?: { causes?: { field?: string }[] } };
  return {
    status: res.status,
    fields: (json.details?.causes ?? []).map((cause) => cause.field ?? ''),
    message: json.message ?? '',
  };
}

/** What the case expects of the API server, in the shape of an answer (messages compared by their start). */
function expected(c: CiliumCase, answer: Answer): Answer {
  if (c.api === 'accepted') return { status: 201, fields: [], message: '' };
  const name = (c.object.metadata as { name: string }).name;
  if (c.api.status === 400) {
    const prefix = `${String(c.object.kind)} in version "v2" cannot be handled as a ${String(c.object.kind)}: `;
    return { status: 400, fields: answer.fields, message: `${prefix}${c.api.message}` };
  }
  const prefix = `${String(c.object.kind)}.cilium.io "${name}" is invalid: ${c.api.message}`;
  return {
    status: 422,
    fields: c.api.fields,
    message: answer.message.startsWith(prefix) ? answer.message : prefix,
  };
}

describe('Cilium CRDs in a real API server', { skip }, () => {
  test('each case: the API server answers as recorded', async () => {
    const answers: { what: string; answer: Answer }[] = [];
    for (const c of ciliumCases) answers.push({ what: c.what, answer: await send(c) });
    assert.deepEqual(
      answers,
      ciliumCases.map((c, i) => ({ what: c.what, answer: expected(c, answers[i]!.answer) })),
    );
  });

  test('netfence agrees with the API server, except the listed differences (where the agent rejects more)', () => {
    const verdicts = ciliumCases.map((c) => {
      const fields = errorFields(c.object);
      const apiFields = c.api === 'accepted' || c.api.status === 400 ? [] : c.api.fields;
      return {
        what: c.what,
        // Both accept, or both reject; a difference only where the API server accepts and netfence does not.
        agree: (c.api === 'accepted') === (fields.length === 0),
        // A named field of the API server (not <nil>) is among netfence's.
        // A named field of the API server (not <nil>) is among netfence's, or its parent is (a oneOf/anyOf
        // "Required value" that netfence reports once, at the rule set).
        sameField: apiFields
          .filter((f) => f !== '<nil>')
          .every((f) => fields.includes(f) || fields.includes(f.replace(/(\.[^.[]+|\[\d+\])$/, ''))),
        difference: c.difference !== undefined,
      };
    });
    assert.deepEqual(
      verdicts,
      ciliumCases.map((c) => ({
        what: c.what,
        agree: c.difference === undefined,
        sameField: true,
        difference: c.difference !== undefined && c.api === 'accepted',
      })),
    );
  });
});
