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
    9999/TCP: [Admin] no rule matches (2 policies apply) → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92): the ports fit, the peer does not match
      the IP of a/db is not in networks 203.0.113.0/24, 198.51.100.0/24 (spec.egress[1].to[0].networks, line 94)
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

describe('explain through the tiers: the nearest rules and why they miss', () => {
  test('namespaces, pod labels, nodes, networks, named ports, a pass and a deny of equal priority, protocols, host-network pods and addresses', () => {
    assert.equal(
      explain('b/client', 'a/db', '5432'),
      `b/client → a/db: DENIED on 5432/TCP

Egress of b/client: no NetworkPolicy selects it for egress
  Through the tiers:
    5432/TCP: [Admin] no policy applies → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
Ingress of a/db: no NetworkPolicy selects it for ingress
  Through the tiers:
    5432/TCP: [Admin] no rule matches (3 policies apply) → [NetworkPolicy] not isolated → [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160) → denied
  Nearest cluster policy rules that would allow it:
  - [Admin] anp/db-later ingress rule 0 "client-6100" Allow (test/fixtures/explain/tiers-details.yaml:111): the peer matches, the ports do not
      5432/TCP not in the rule's ports 6100/TCP (spec.ingress[0].ports, line 114)
  - [Admin] anp/db-guard ingress rule 0 "from-c" Allow (test/fixtures/explain/tiers-details.yaml:52): the ports fit, the peer does not match
      namespace "b" has team=b, not team=c (spec.ingress[0].from[0].namespaces, line 54)
  - [Admin] anp/db-guard ingress rule 1 "from-nobody" Allow (test/fixtures/explain/tiers-details.yaml:56): the ports fit, the peer does not match
      b/client has app=client, not app=nobody (spec.ingress[1].from[0].pods.podSelector, line 58)

By port:
  5432/TCP: DENIED
    egress:  allowed (no tier decides)
    ingress: denied by [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160)
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '7050'),
      `b/client → a/db: DENIED on 7050/TCP

Egress of b/client: no NetworkPolicy selects it for egress
  Through the tiers:
    7050/TCP: [Admin] no policy applies → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
Ingress of a/db: no NetworkPolicy selects it for ingress
  Through the tiers:
    7050/TCP: [Admin] anp/db-guard ingress rule 3 "pass-b" Pass (test/fixtures/explain/tiers-details.yaml:64) → [NetworkPolicy] not isolated → [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160) → denied
      undefined: these policies have the same priority and both match, and the API lets the implementation apply either; netfence follows its stable order (ClusterNetworkPolicy before AdminNetworkPolicy, then by name):
        - [Admin] anp/db-guard ingress rule 3 "pass-b" Pass (test/fixtures/explain/tiers-details.yaml:64) (priority 10, netfence applies this one) on 7050/TCP
        - [Admin] anp/db-same ingress rule 0 "deny-b-7050" Deny (test/fixtures/explain/tiers-details.yaml:123) (priority 10) on 7050/TCP
  Nearest cluster policy rules that would allow it:
  - [Admin] anp/db-guard ingress rule 0 "from-c" Allow (test/fixtures/explain/tiers-details.yaml:52): neither the peer nor the ports match
      namespace "b" has team=b, not team=c (spec.ingress[0].from[0].namespaces, line 54)
      7050/TCP not in the rule's ports 5432/TCP (spec.ingress[0].ports, line 55)
  - [Admin] anp/db-guard ingress rule 1 "from-nobody" Allow (test/fixtures/explain/tiers-details.yaml:56): neither the peer nor the ports match
      b/client has app=client, not app=nobody (spec.ingress[1].from[0].pods.podSelector, line 58)
      7050/TCP not in the rule's ports 5432/TCP (spec.ingress[1].ports, line 59)

By port:
  7050/TCP: DENIED
    egress:  allowed (no tier decides)
    ingress: denied by [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160); undefined: at equal priority the implementation may apply anp/db-same spec.ingress[0] Deny instead
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '10250'),
      `a/web → b/client: DENIED on 10250/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    10250/TCP: [Admin] no rule matches (2 policies apply) → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92): the ports fit, the peer does not match
      the IP of b/client is not in networks 203.0.113.0/24, 198.51.100.0/24 (spec.egress[1].to[0].networks, line 94)
Ingress of b/client: no NetworkPolicy selects it for ingress
  Through the tiers:
    10250/TCP: [Admin] no rule matches (1 policy applies) → [NetworkPolicy] not isolated → [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160) → denied
  Nearest cluster policy rules that would allow it:
  - [Admin] cnp/client-in ingress rule 0 "from-web" Accept (test/fixtures/explain/tiers-details.yaml:149): the peer matches, the ports do not
      10250/TCP not in the rule's ports 8443/TCP (spec.ingress[0].protocols, line 152)

By port:
  10250/TCP: DENIED
    egress:  allowed (no tier decides)
    ingress: denied by [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160)
`,
    );
    assert.equal(
      explain('a/web', '203.0.113.9', '443'),
      `a/web → 203.0.113.0/24: DENIED on 443/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    443/TCP: [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92) → denied
  By DNS name: [Admin] cnp/web-names egress rule 0 "api" Accept (test/fixtures/explain/tiers-details.yaml:136) allows api.example.com on 443/TCP. If 203.0.113.0/24 is an address these names resolve to, the rule may allow it: the decision depends on DNS resolution.
  Nearest cluster policy rules that would allow it:
  - [Admin] anp/web-out egress rule 0 "to-nodes" Allow (test/fixtures/explain/tiers-details.yaml:88): neither the peer nor the ports match
      203.0.113.0/24 is not an address of a node labelled role=db (spec.egress[0].to[0].nodes, line 90)
      443/TCP not in the rule's ports 10250/TCP (spec.egress[0].ports, line 91)
Ingress of 203.0.113.0/24: 203.0.113.0/24 is outside the cluster: no ingress policy applies

By port:
  443/TCP: DENIED
    egress:  denied by [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92)
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('a/web', 'b/noip', '53/UDP'),
      `a/web → b/noip: DENIED on 53/UDP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    53/UDP: [Admin] anp/web-out egress rule 2 "to-b" Allow (test/fixtures/explain/tiers-details.yaml:95) → allowed
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92): the ports fit, the peer does not match
      b/noip has no known IP address: a networks peer matches a pod only by its IP (spec.egress[1].to[0].networks, line 94)
Ingress of b/noip: no NetworkPolicy selects it for ingress
  Through the tiers:
    53/UDP: [Admin] no rule matches (1 policy applies) → [NetworkPolicy] not isolated → [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160) → denied
  Nearest cluster policy rules that would allow it:
  - [Admin] cnp/client-in ingress rule 0 "from-web" Accept (test/fixtures/explain/tiers-details.yaml:149): the peer matches, the ports do not
      53/UDP not in the rule's ports 8443/TCP (spec.ingress[0].protocols, line 152)

By port:
  53/UDP: DENIED
    egress:  allowed by [Admin] anp/web-out egress rule 2 "to-b" Allow (test/fixtures/explain/tiers-details.yaml:95)
    ingress: denied by [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160)
`,
    );
    assert.equal(
      explain('a/web', 'b/hostpod', '10250'),
      `a/web → b/hostpod: ALLOWED on 10250/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    10250/TCP: [Admin] no rule matches (2 policies apply) → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92): the ports fit, the peer does not match
      the IP of b/hostpod is not in networks 203.0.113.0/24, 198.51.100.0/24 (spec.egress[1].to[0].networks, line 94)
Ingress of b/hostpod: runs on the host network, where NetworkPolicies do not apply and cluster policies never select host-network pods: allows everything

By port:
  10250/TCP: ALLOWED
    egress:  allowed (no tier decides)
    ingress: allowed (host network)
`,
    );
    assert.equal(
      explain('a/web', 'a/db', '8080'),
      `a/web → a/db: DENIED on 8080/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    8080/TCP: [Admin] no rule matches (2 policies apply) → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92): the ports fit, the peer does not match
      the IP of a/db is not in networks 203.0.113.0/24, 198.51.100.0/24 (spec.egress[1].to[0].networks, line 94)
Ingress of a/db: no NetworkPolicy selects it for ingress
  Through the tiers:
    8080/TCP: [Admin] no rule matches (3 policies apply) → [NetworkPolicy] not isolated → [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160) → denied
  Nearest cluster policy rules that would allow it:
  - [Admin] anp/db-guard ingress rule 0 "from-c" Allow (test/fixtures/explain/tiers-details.yaml:52): neither the peer nor the ports match
      namespace "a" has team=a, not team=c (spec.ingress[0].from[0].namespaces, line 54)
      8080/TCP not in the rule's ports 5432/TCP (spec.ingress[0].ports, line 55)
  - [Admin] anp/db-guard ingress rule 4 "two-peers" Allow (test/fixtures/explain/tiers-details.yaml:68): neither the peer nor the ports match
      namespace "a" has team=a, not team=c (spec.ingress[4].from[1].namespaces, line 72)
      8080/TCP not in the rule's ports 6000/TCP (spec.ingress[4].ports, line 73)
  - [Admin] anp/db-guard ingress rule 5 "two-peers-reversed" Allow (test/fixtures/explain/tiers-details.yaml:74): neither the peer nor the ports match
      namespace "a" has team=a, not team=d (spec.ingress[5].from[0].namespaces, line 77)
      8080/TCP not in the rule's ports 6000/TCP (spec.ingress[5].ports, line 79)
  - [Admin] anp/db-guard ingress rule 1 "from-nobody" Allow (test/fixtures/explain/tiers-details.yaml:56): neither the peer nor the ports match
      namespace "a" has team=a, not team=b (spec.ingress[1].from[0].pods.namespaceSelector, line 58)
      a/web has app=web, not app=nobody (spec.ingress[1].from[0].pods.podSelector, line 58)
      8080/TCP not in the rule's ports 5432/TCP (spec.ingress[1].ports, line 59)
  - [Admin] anp/db-later ingress rule 0 "client-6100" Allow (test/fixtures/explain/tiers-details.yaml:111): neither the peer nor the ports match
      namespace "a" has team=a, not team=b (spec.ingress[0].from[0].pods.namespaceSelector, line 113)
      a/web has app=web, not app=client (spec.ingress[0].from[0].pods.podSelector, line 113)
      8080/TCP not in the rule's ports 6100/TCP (spec.ingress[0].ports, line 114)

By port:
  8080/TCP: DENIED
    egress:  allowed (no tier decides)
    ingress: denied by [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160)
`,
    );
    assert.equal(
      explain('a/web', '192.168.0.1', '10250'),
      `a/web → b/hostpod: ALLOWED on 10250/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    10250/TCP: [Admin] no rule matches (2 policies apply) → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92): the ports fit, the peer does not match
      the IP of b/hostpod is not in networks 203.0.113.0/24, 198.51.100.0/24 (spec.egress[1].to[0].networks, line 94)
Ingress of b/hostpod: runs on the host network, where NetworkPolicies do not apply and cluster policies never select host-network pods: allows everything

By port:
  10250/TCP: ALLOWED
    egress:  allowed (no tier decides)
    ingress: allowed (host network)
`,
    );
    assert.equal(
      explain('b/noip', 'a/db', '5432'),
      `b/noip → a/db: DENIED on 5432/TCP

Egress of b/noip: no NetworkPolicy selects it for egress
  Through the tiers:
    5432/TCP: [Admin] no policy applies → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
Ingress of a/db: no NetworkPolicy selects it for ingress
  Through the tiers:
    5432/TCP: [Admin] no rule matches (3 policies apply) → [NetworkPolicy] not isolated → [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160) → denied
  Nearest cluster policy rules that would allow it:
  - [Admin] anp/db-guard ingress rule 0 "from-c" Allow (test/fixtures/explain/tiers-details.yaml:52): the ports fit, the peer does not match
      namespace "b" has team=b, not team=c (spec.ingress[0].from[0].namespaces, line 54)
  - [Admin] anp/db-guard ingress rule 1 "from-nobody" Allow (test/fixtures/explain/tiers-details.yaml:56): the ports fit, the peer does not match
      b/noip has app=noip, not app=nobody (spec.ingress[1].from[0].pods.podSelector, line 58)

By port:
  5432/TCP: DENIED
    egress:  allowed (no tier decides)
    ingress: denied by [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160)
`,
    );
    assert.equal(
      explain('b/hostpod', 'a/db', '5432'),
      `b/hostpod → a/db: ALLOWED on 5432/TCP

Egress of b/hostpod: runs on the host network, where NetworkPolicies do not apply and cluster policies never select host-network pods: allows everything
Ingress of a/db: no NetworkPolicy selects it for ingress
  Through the tiers:
    5432/TCP: [Admin] no rule matches (3 policies apply) → [NetworkPolicy] not isolated → [Baseline] no rule matches (1 policy applies) → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160): the ports fit, the peer does not match
      b/hostpod runs on the host network, where pod and namespace selectors never match (spec.ingress[0].from[0], line 162)

By port:
  5432/TCP: ALLOWED
    egress:  allowed (host network)
    ingress: allowed (no tier decides)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '8443'),
      `a/web → b/client: ALLOWED on 8443/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    8443/TCP: [Admin] no rule matches (2 policies apply) → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92): the ports fit, the peer does not match
      the IP of b/client is not in networks 203.0.113.0/24, 198.51.100.0/24 (spec.egress[1].to[0].networks, line 94)
Ingress of b/client: no NetworkPolicy selects it for ingress
  Through the tiers:
    8443/TCP: [Admin] cnp/client-in ingress rule 0 "from-web" Accept (test/fixtures/explain/tiers-details.yaml:149) → allowed

By port:
  8443/TCP: ALLOWED
    egress:  allowed (no tier decides)
    ingress: allowed by [Admin] cnp/client-in ingress rule 0 "from-web" Accept (test/fixtures/explain/tiers-details.yaml:149)
`,
    );
    assert.equal(
      explain('8.8.8.8', 'a/db', '5432'),
      `0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0 → a/db: ALLOWED on 5432/TCP

Egress of 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0: 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0 is outside the cluster: no egress policy applies
Ingress of a/db: no NetworkPolicy selects it for ingress
  Through the tiers:
    5432/TCP: [Admin] no rule matches (3 policies apply) → [NetworkPolicy] not isolated → [Baseline] no rule matches (1 policy applies) → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160): the ports fit, the peer does not match
      the peer selects pods, and 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0 is outside the cluster (spec.ingress[0].from[0], line 162)

By port:
  5432/TCP: ALLOWED
    egress:  does not apply (outside the cluster)
    ingress: allowed (no tier decides)
`,
    );
    assert.equal(
      explain('a/web', '8.8.8.8', '8080'),
      `a/web → 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0: ALLOWED on 8080/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    8080/TCP: [Admin] no rule matches (2 policies apply) → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92): the ports fit, the peer does not match
      0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0 is not in networks 203.0.113.0/24, 198.51.100.0/24 (spec.egress[1].to[0].networks, line 94)
Ingress of 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0: 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0 is outside the cluster: no ingress policy applies

By port:
  8080/TCP: ALLOWED
    egress:  allowed (no tier decides)
    ingress: does not apply (outside the cluster)
`,
    );
  });

  test('the nearest of two peers (either order), two Admin policies of one pod, networks of two CIDRs, a DNS name', () => {
    assert.equal(
      explain('b/client', 'a/db', '6000'),
      `b/client → a/db: DENIED on 6000/TCP

Egress of b/client: no NetworkPolicy selects it for egress
  Through the tiers:
    6000/TCP: [Admin] no policy applies → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
Ingress of a/db: no NetworkPolicy selects it for ingress
  Through the tiers:
    6000/TCP: [Admin] no rule matches (3 policies apply) → [NetworkPolicy] not isolated → [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160) → denied
  Nearest cluster policy rules that would allow it:
  - [Admin] anp/db-later ingress rule 0 "client-6100" Allow (test/fixtures/explain/tiers-details.yaml:111): the peer matches, the ports do not
      6000/TCP not in the rule's ports 6100/TCP (spec.ingress[0].ports, line 114)
  - [Admin] anp/db-guard ingress rule 4 "two-peers" Allow (test/fixtures/explain/tiers-details.yaml:68): the ports fit, the peer does not match
      namespace "b" has team=b, not team=c (spec.ingress[4].from[1].namespaces, line 72)
  - [Admin] anp/db-guard ingress rule 5 "two-peers-reversed" Allow (test/fixtures/explain/tiers-details.yaml:74): the ports fit, the peer does not match
      namespace "b" has team=b, not team=d (spec.ingress[5].from[0].namespaces, line 77)

By port:
  6000/TCP: DENIED
    egress:  allowed (no tier decides)
    ingress: denied by [Baseline] banp/default ingress rule 0 "deny-all" Deny (test/fixtures/explain/tiers-details.yaml:160)
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '6100'),
      `b/client → a/db: ALLOWED on 6100/TCP

Egress of b/client: no NetworkPolicy selects it for egress
  Through the tiers:
    6100/TCP: [Admin] no policy applies → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
Ingress of a/db: no NetworkPolicy selects it for ingress
  Through the tiers:
    6100/TCP: [Admin] anp/db-later ingress rule 0 "client-6100" Allow (test/fixtures/explain/tiers-details.yaml:111) → allowed

By port:
  6100/TCP: ALLOWED
    egress:  allowed (no tier decides)
    ingress: allowed by [Admin] anp/db-later ingress rule 0 "client-6100" Allow (test/fixtures/explain/tiers-details.yaml:111)
`,
    );
    assert.equal(
      explain('a/web', '198.51.100.7', '443'),
      `a/web → 198.51.100.0/24: DENIED on 443/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    443/TCP: [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92) → denied
  By DNS name: [Admin] cnp/web-names egress rule 0 "api" Accept (test/fixtures/explain/tiers-details.yaml:136) allows api.example.com on 443/TCP. If 198.51.100.0/24 is an address these names resolve to, the rule may allow it: the decision depends on DNS resolution.
  Nearest cluster policy rules that would allow it:
  - [Admin] anp/web-out egress rule 0 "to-nodes" Allow (test/fixtures/explain/tiers-details.yaml:88): neither the peer nor the ports match
      198.51.100.0/24 is not an address of a node labelled role=db (spec.egress[0].to[0].nodes, line 90)
      443/TCP not in the rule's ports 10250/TCP (spec.egress[0].ports, line 91)
Ingress of 198.51.100.0/24: 198.51.100.0/24 is outside the cluster: no ingress policy applies

By port:
  443/TCP: DENIED
    egress:  denied by [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92)
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('a/web', '8.8.8.8', '443'),
      `a/web → 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0: ALLOWED on 443/TCP

Egress of a/web: no NetworkPolicy selects it for egress
  Through the tiers:
    443/TCP: [Admin] no rule matches (2 policies apply) → [NetworkPolicy] not isolated → [Baseline] no policy applies → [default] nothing decided → allowed
  By DNS name: [Admin] cnp/web-names egress rule 0 "api" Accept (test/fixtures/explain/tiers-details.yaml:136) allows api.example.com on 443/TCP. If 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0 is an address these names resolve to, the rule may allow it: the decision depends on DNS resolution.
  Nearest cluster policy rules that would deny it:
  - [Admin] anp/web-out egress rule 1 "to-net" Deny (test/fixtures/explain/tiers-details.yaml:92): the ports fit, the peer does not match
      0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0 is not in networks 203.0.113.0/24, 198.51.100.0/24 (spec.egress[1].to[0].networks, line 94)
Ingress of 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0: 0.0.0.0/0 except 198.51.100.0/24, 203.0.113.0/24, 192.168.0.1/32; ::/0 is outside the cluster: no ingress policy applies

By port:
  443/TCP: ALLOWED
    egress:  allowed (no tier decides)
    ingress: does not apply (outside the cluster)
`,
    );
  });
});
