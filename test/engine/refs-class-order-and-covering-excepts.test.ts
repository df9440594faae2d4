/**
 * Endpoint references (src/engine/refs.ts) the round-11 mutation analysis found untested (issue #20): a
 * workload whose pods meet their classes in decreasing order still lists them (and is explained) in class
 * order, and address references whose except ranges cover the whole range only when taken in address order:
 * written in either order, or with an except nested in another that ends before it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { explainEntities } from '../../src/engine/explain.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { ns, pod, policy, withWorkloads } from '../support/builders.ts';

describe("a workload's pod classes", () => {
  // `tool` comes first and opens class 0 (no `canary` label); `web-1` opens class 1 (canary); `web-2` is in
  // class 0 again. The Deployment `w1` of the two meets its classes as 1, then 0.
  const state = withWorkloads(
    {
      namespaces: [ns('prod')],
      pods: [
        pod('prod', 'tool', { app: 'tool' }),
        pod('prod', 'web-1', { app: 'web', canary: 'yes' }),
        pod('prod', 'web-2', { app: 'web' }),
      ],
      policies: [policy('prod', 'canary', { podSelector: { matchLabels: { canary: 'yes' } }, ingress: [] })],
    },
    [0, 1, 1],
    false,
  );
  const web = 'prod/Deployment/w1';
  const index = buildRefIndex(compileCluster(state), 'workload');

  test('are listed in class order, whatever order its pods come in', () => {
    const c = index.compiled;
    assert.deepEqual(
      ['tool', 'web-1', 'web-2'].map((name) => c.classOfPod('prod', name)),
      [0, 1, 0],
    );
    assert.deepEqual(index.ends(web), [{ pod: 0 }, { pod: 1 }]);
  });

  test('explain answers one class after the other, in class order', () => {
    const answers = explainEntities(index, 'prod/Pod/tool', web).map((e) => [
      e.verdict,
      e.dst.kind === 'pod' ? e.dst.pods : undefined,
    ]);
    assert.deepEqual(answers, [
      ['allowed', ['tool', 'web-2']],
      ['denied', ['web-1']],
    ]);
  });
});

describe('address references whose excepts cover them', () => {
  const resolved = (async () => {
    const { state } = await loadManifests(['examples/webshop'], {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    return buildRefIndex(compileCluster(state), 'workload');
  })();

  /** The error `text` resolves to (it must fail), or the display names of its classes. */
  async function answer(text: string): Promise<string | string[]> {
    const index = await resolved;
    const r = resolveRefText(index, text);
    return r.ok ? r.value.entities.map((e) => index.displayName(e.id)) : r.error.message;
  }

  test('two halves, written in address order or the other way round: no address is left', async () => {
    for (const text of [
      '8.8.8.0/24 except 8.8.8.0/25, 8.8.8.128/25',
      '8.8.8.0/24 except 8.8.8.128/25, 8.8.8.0/25',
    ])
      assert.equal(await answer(text), `"${text}" leaves no address: its except ranges cover it`);
  });

  test('an except inside an earlier one, ending before it, does not open a gap', async () => {
    for (const text of [
      '8.8.8.0/24 except 8.8.8.0/25, 8.8.8.32/27, 8.8.8.128/25',
      '8.8.8.0/24 except 8.8.8.0/25, 8.8.8.0/26, 8.8.8.128/25',
    ])
      assert.equal(await answer(text), `"${text}" leaves no address: its except ranges cover it`);
    assert.deepEqual(await answer('8.8.8.0/24 except 8.8.8.0/25, 8.8.8.32/27, 8.8.8.192/26'), [
      '0.0.0.0/0 except 10.0.0.0/24, 203.0.113.0/24, 198.51.100.25/32',
    ]);
  });
});
