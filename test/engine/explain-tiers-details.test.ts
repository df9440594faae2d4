/**
 * What `explain` says through the tiers (src/engine/explain-tiers.ts), in the text a user reads, for what
 * mutation testing (issue #20, round 7) found unpinned: the nearest Admin and Baseline rules and why they miss
 * (another namespace, a pod label, a named port, nodes, networks), passes, and ClusterNetworkPolicy protocols.
 * Fixture: test/fixtures/explain/tiers-details.yaml.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { explainEntities, parsePortQuery } from '../../src/engine/explain.ts';
import { buildRefIndex, resolveRefText, type RefIndex } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import { loadManifests } from '../../src/parse/index.ts';

const FIXTURE = 'test/fixtures/explain/tiers-details.yaml';
let index: RefIndex;

before(async () => {
  const loaded = await loadManifests([FIXTURE], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  index = buildRefIndex(compileCluster(loaded.state), 'pod');
});

/** The text of `netfence explain <from> <to> [--port <port>]`, pod by pod. */
function explain(from: string, to: string, port?: string): string {
  const src = resolveRefText(index, from);
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const query = port === undefined ? undefined : parsePortQuery(port);
  assert.ok(typeof query !== 'string');
  return explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, query)
    .map(explanationToText)
    .join('\n');
}

describe('explain through the tiers: named ports of cluster policy rules', () => {
  test('a named port the destination defines is no reason; only the port list is', () => {
    assert.equal(
      explain('a/web', 'a/db', '9999'),
      `a/web → a/db: DENIED on 9999/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    9999/TCP: [Admin] no rule matches (1 policy applies) → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:80): the ports fit, the peer does not match
      the IP of a/db is not in networks 203.0.113.0/24 (spec.egress[1].to[0].networks, line 82)
Ingress of a/db: no NetworkPolicy selects it for ingress
  Through the tiers:
    9999/TCP: [Admin] anp/db-guard ingress rule 2 "deny-web" Deny (test/fixtures/explain/tiers-details.yaml:60) → denied
  Nearest cluster policy rules that would allow it:
  - [Admin] anp/db-guard ingress rule 0 "from-c" Allow (test/fixtures/explain/tiers-details.yaml:52): neither the peer nor the ports match
      namespace "a" has team=a, not team=c (spec.ingress[0].from[0].namespaces, line 54)
      9999/TCP not in the rule's ports 5432/TCP (spec.ingress[0].ports, line 55)
  - [Admin] anp/db-guard ingress rule 1 "from-nobody" Allow (test/fixtures/explain/tiers-details.yaml:56): neither the peer nor the ports match
      namespace "a" has team=a, not team=b (spec.ingress[1].from[0].pods.namespaceSelector, line 58)
      a/web has app=web, not app=nobody (spec.ingress[1].from[0].pods.podSelector, line 58)
      9999/TCP not in the rule's ports 5432/TCP (spec.ingress[1].ports, line 59)

By port:
  9999/TCP: DENIED
    egress:  allowed (no tier decides)
    ingress: denied by [Admin] anp/db-guard ingress rule 2 "deny-web" Deny (test/fixtures/explain/tiers-details.yaml:60)
`,
    );
  });
});
