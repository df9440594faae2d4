/**
 * What `explain` says of Cilium policies (src/engine/explain-cilium.ts), in the text a user reads, for what
 * mutation testing (issue #20, round 7) found unpinned. Fixture: test/fixtures/explain/cilium-details.yaml.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import { explainEntities, parsePortQuery } from '../../src/engine/explain.ts';
import { cniEngineOptions } from '../../src/engine/profiles.ts';
import { buildRefIndex, resolveRefText, type RefIndex } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { cniProfile } from '../support/verdicts.ts';

const FIXTURE = 'test/fixtures/explain/cilium-details.yaml';
let index: RefIndex;
let cilium: RefIndex;

before(async () => {
  const loaded = await loadManifests([FIXTURE], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  const at = (options: Partial<EngineOptions>): RefIndex =>
    buildRefIndex(compileCluster(loaded.state, options), 'pod');
  index = at({});
  cilium = at(cniEngineOptions(cniProfile('cilium')));
});

/** The text of `netfence explain <from> <to> [--port <port>]`, pod by pod. */
function explain(from: string, to: string, port?: string, on: RefIndex = index): string {
  const src = resolveRefText(on, from);
  const dst = resolveRefText(on, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const query = port === undefined ? undefined : parsePortQuery(port);
  assert.ok(typeof query !== 'string');
  return explainEntities(on, src.value.entities[0]!.id, dst.value.entities[0]!.id, query)
    .map(explanationToText)
    .join('\n');
}

describe('explain: Cilium rules under the cilium profile (SCTP off)', () => {
  test('a rule without SCTP entries misses by its ports, not by SCTP being off', () => {
    assert.equal(
      explain('b/client', 'a/db', '7100', cilium),
      `b/client → a/db: DENIED on 7100/TCP

Egress of b/client: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48)
  No Cilium rule allows 7100/TCP from b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the peer matches, the ports do not
      7100/TCP not in the rule's ports 5432/TCP (spec.ingress[0].toPorts, line 52)
  - CiliumNetworkPolicy/a/db-in spec.ingress[4] (test/fixtures/explain/cilium-details.yaml:59): the ports fit, the peer does not match
      b/client has io.kubernetes.pod.namespace=b, not io.kubernetes.pod.namespace=c (spec.ingress[4].fromEndpoints[0], line 59)

By port:
  7100/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
  });
});
