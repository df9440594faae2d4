/**
 * What `explain` says of Cilium policies (src/engine/explain-cilium.ts), in the text a user reads, for what
 * mutation testing (issue #20, round 7) found unpinned. Fixture: test/fixtures/explain/cilium-details.yaml.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { compileCluster, type CompiledCluster, type EngineOptions } from '../../src/engine/compile.ts';
import { explainDomain, explainEntities, parsePortQuery } from '../../src/engine/explain.ts';
import { ALL_CONNECTIONS } from '../../src/engine/ports.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cniEngineOptions } from '../../src/engine/profiles.ts';
import { buildRefIndex, resolveRefText, type RefIndex } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { cniProfile } from '../support/verdicts.ts';

const FIXTURE = 'test/fixtures/explain/cilium-details.yaml';
let index: RefIndex;
let cilium: RefIndex;
let ciliumPods: RefIndex;
let compiled: CompiledCluster;

before(async () => {
  const loaded = await loadManifests([FIXTURE], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  const at = (options: Partial<EngineOptions>): RefIndex =>
    buildRefIndex(compileCluster(loaded.state, options), 'pod');
  index = at({});
  compiled = compileCluster(loaded.state);
  ciliumPods = at(cniEngineOptions(cniProfile('cilium', 'policy-cidr-match-mode=pods')));
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

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  No Cilium rule allows 7100/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162): the peer matches, the ports do not
      7100/TCP not in the rule's ports 8080/TCP (spec.egress[3].toPorts, line 163)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 7100/TCP from b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the peer matches, the ports do not
      7100/TCP not in the rule's ports 5432/TCP (spec.ingress[0].toPorts, line 52)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      7100/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147): the peer matches, the ports do not
      7100/TCP not in the rule's ports 8080/TCP (spec.ingress[0].toPorts, line 148)
  - CiliumNetworkPolicy/a/db-in spec.ingress[4] (test/fixtures/explain/cilium-details.yaml:59): the ports fit, the peer does not match
      b/client has io.kubernetes.pod.namespace=b, not io.kubernetes.pod.namespace=c (spec.ingress[4].fromEndpoints[0], line 59)

By port:
  7100/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
  });
});

describe('explain: each kind of Cilium peer, allowed or the nearest rules (no profile)', () => {
  test('endpoints, CIDRs with an except, entities, Services, DNS names never resolved, deny rules', () => {
    assert.equal(
      explain('a/web', 'a/db', '5432'),
      `a/web → a/db: DENIED on 5432/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 5432/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      5432/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      5432/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[4] (test/fixtures/explain/cilium-details.yaml:100): the peer matches, the ports do not
      5432/TCP not in the rule's ports 2400/TCP (spec.egress[4].toPorts, line 101)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  - allows 5432/TCP: CiliumNetworkPolicy/a/db-in spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:53), endpoints labelled app=web in namespace a

By port:
  5432/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed by CiliumNetworkPolicy/a/db-in spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:53)
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '7200'),
      `b/client → a/db: DENIED on 7200/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  No Cilium rule allows 7200/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162): the peer matches, the ports do not
      7200/TCP not in the rule's ports 8080/TCP (spec.egress[3].toPorts, line 163)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 7200/TCP from b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the peer matches, the ports do not
      7200/TCP not in the rule's ports 5432/TCP (spec.ingress[0].toPorts, line 52)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      7200/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147): the peer matches, the ports do not
      7200/TCP not in the rule's ports 8080/TCP (spec.ingress[0].toPorts, line 148)
  - CiliumNetworkPolicy/a/db-in spec.ingress[5] (test/fixtures/explain/cilium-details.yaml:61): the ports fit, the peer does not match
      namespace "b" has team=b, not team=c (spec.ingress[5].fromEndpoints[0], line 61)

By port:
  7200/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('a/web', 'a/db', '9999'),
      `a/web → a/db: DENIED on 9999/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 9999/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      9999/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      9999/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[4] (test/fixtures/explain/cilium-details.yaml:100): the peer matches, the ports do not
      9999/TCP not in the rule's ports 2400/TCP (spec.egress[4].toPorts, line 101)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  - denies 9999/TCP: CiliumNetworkPolicy/a/db-in spec.ingressDeny[0] (test/fixtures/explain/cilium-details.yaml:66), endpoints labelled app=web in namespace a
  No Cilium rule allows 9999/TCP from a/web. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:53): the peer matches, the ports do not
      9999/TCP not in the rule's ports 5432/TCP (spec.ingress[1].toPorts, line 54)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      9999/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)

By port:
  9999/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied by CiliumNetworkPolicy/a/db-in spec.ingressDeny[0] (test/fixtures/explain/cilium-details.yaml:66) (a deny rule wins over every allow)
`,
    );
    assert.equal(
      explain('a/web', '203.0.113.5', '443'),
      `a/web → 203.0.113.0/24 except 203.0.113.128/25: ALLOWED on 443/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 443/TCP: CiliumNetworkPolicy/a/web-out spec.egress[2] (test/fixtures/explain/cilium-details.yaml:79), CIDR 203.0.113.0/24 except 203.0.113.128/25
  - toFQDNs api.example.com (CiliumNetworkPolicy/a/web-out spec.egress[0] (test/fixtures/explain/cilium-details.yaml:75)) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups
Ingress of 203.0.113.0/24 except 203.0.113.128/25: 203.0.113.0/24 except 203.0.113.128/25 is outside the cluster: no ingress policy applies

By port:
  443/TCP: ALLOWED
    egress:  allowed by CiliumNetworkPolicy/a/web-out spec.egress[2] (test/fixtures/explain/cilium-details.yaml:79)
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '8443'),
      `a/web → b/client: ALLOWED on 8443/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 8443/TCP: CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77), service b/pay
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  8443/TCP: ALLOWED
    egress:  allowed by CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/noip', '8443'),
      `a/web → b/noip: DENIED on 8443/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 8443/TCP to b/noip. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      8443/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      8443/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[5] (test/fixtures/explain/cilium-details.yaml:102): the peer matches, the ports do not
      8443/TCP not in the rule's ports 2500/TCP (spec.egress[5].toPorts, line 103)
  - CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77): the ports fit, the peer does not match
      b/noip is not a pod the selector of Service b/pay selects (spec.egress[1].toServices[0], line 77)
Ingress of b/noip: not isolated: no policy selects it for ingress, so it allows everything

By port:
  8443/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', '192.168.0.1', '10250'),
      `a/web → 192.168.0.1/32: DENIED on 10250/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - toFQDNs api.example.com (CiliumNetworkPolicy/a/web-out spec.egress[0] (test/fixtures/explain/cilium-details.yaml:75)) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups
  No Cilium rule allows 10250/TCP to 192.168.0.1/32. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      10250/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      10250/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumNetworkPolicy/a/web-out spec.egress[4] (test/fixtures/explain/cilium-details.yaml:83): the ports fit, the peer does not match
      cilium: CIDR rules do not match node addresses unless policy-cidr-match-mode includes nodes (spec.egress[4].toCIDR[0], line 83)
Ingress of 192.168.0.1/32: 192.168.0.1/32 is an address of node n1, not a pod: no pod's ingress policy applies

By port:
  10250/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: does not apply (a node's address)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '53/UDP'),
      `a/web → b/client: ALLOWED on 53/UDP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 53/UDP: CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81), entity cluster
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  53/UDP: ALLOWED
    egress:  allowed by CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', '8.8.8.8', '53/UDP'),
      `a/web → 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: DENIED on 53/UDP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - toFQDNs api.example.com (CiliumNetworkPolicy/a/web-out spec.egress[0] (test/fixtures/explain/cilium-details.yaml:75)) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups
  No Cilium rule allows 53/UDP to 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0. Nearest Cilium rules:
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      53/UDP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the ports fit, the peer does not match
      0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is not a pod or node of the cluster (entity cluster) (spec.egress[3].toEntities[0], line 81)
Ingress of 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster: no ingress policy applies

By port:
  53/UDP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '6000'),
      `b/client → a/db: DENIED on 6000/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  No Cilium rule allows 6000/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162): the peer matches, the ports do not
      6000/TCP not in the rule's ports 8080/TCP (spec.egress[3].toPorts, line 163)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 6000/TCP from b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the peer matches, the ports do not
      6000/TCP not in the rule's ports 5432/TCP (spec.ingress[0].toPorts, line 52)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      6000/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147): the peer matches, the ports do not
      6000/TCP not in the rule's ports 8080/TCP (spec.ingress[0].toPorts, line 148)
  - CiliumNetworkPolicy/a/db-in spec.ingress[2] (test/fixtures/explain/cilium-details.yaml:55): the ports fit, the peer does not match
      cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods (spec.ingress[2].fromCIDRSet[0], line 55)

By port:
  6000/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('b/noip', 'a/db', '6000'),
      `b/noip → a/db: DENIED on 6000/TCP

Egress of b/noip: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 6000/TCP from b/noip. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      6000/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-in spec.ingress[2] (test/fixtures/explain/cilium-details.yaml:55): the ports fit, the peer does not match
      cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods (spec.ingress[2].fromCIDRSet[0], line 55)

By port:
  6000/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('8.8.8.8', 'a/db', '7000'),
      `0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 → a/db: ALLOWED on 7000/TCP

Egress of 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster: no egress policy applies
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  - allows 7000/TCP: CiliumNetworkPolicy/a/db-in spec.ingress[3] (test/fixtures/explain/cilium-details.yaml:57), entity world

By port:
  7000/TCP: ALLOWED
    egress:  does not apply (outside the cluster)
    ingress: allowed by CiliumNetworkPolicy/a/db-in spec.ingress[3] (test/fixtures/explain/cilium-details.yaml:57)
`,
    );
    assert.equal(
      explain('8.8.8.8', 'a/db', '5432'),
      `0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 → a/db: DENIED on 5432/TCP

Egress of 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster: no egress policy applies
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 5432/TCP from 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[3] (test/fixtures/explain/cilium-details.yaml:57): the peer matches, the ports do not
      5432/TCP not in the rule's ports 7000/TCP (spec.ingress[3].toPorts, line 58)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      5432/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the ports fit, the peer does not match
      the peer selects pods, and 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster (spec.ingress[0].fromEndpoints[0], line 51)
  - CiliumNetworkPolicy/a/db-in spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:53): the ports fit, the peer does not match
      the peer selects pods, and 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster (spec.ingress[1].fromEndpoints[0], line 53)

By port:
  5432/TCP: DENIED
    egress:  does not apply (outside the cluster)
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('b/noip', 'a/db', '3868/SCTP'),
      `b/noip → a/db: DENIED on 3868/SCTP

Egress of b/noip: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 3868/SCTP from b/noip. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      3868/SCTP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-in spec.ingress[6] (test/fixtures/explain/cilium-details.yaml:63): the ports fit, the peer does not match
      b/noip has app=noip, not app=nobody (spec.ingress[6].fromEndpoints[0], line 63)
      b/noip is in namespace "b"; a CiliumNetworkPolicy's endpoint selector without k8s:io.kubernetes.pod.namespace means pods of its own namespace "a" (spec.ingress[6].fromEndpoints[0], line 63)

By port:
  3868/SCTP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
  });
});

describe('explain: the same under the cilium profile (CIDR rules match no pod or node, SCTP off)', () => {
  test('endpoints, CIDRs with an except, entities, Services, DNS names never resolved, deny rules', () => {
    assert.equal(
      explain('a/web', 'a/db', '5432', cilium),
      `a/web → a/db: DENIED on 5432/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 5432/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      5432/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      5432/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[4] (test/fixtures/explain/cilium-details.yaml:100): the peer matches, the ports do not
      5432/TCP not in the rule's ports 2400/TCP (spec.egress[4].toPorts, line 101)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  - allows 5432/TCP: CiliumNetworkPolicy/a/db-in spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:53), endpoints labelled app=web in namespace a

By port:
  5432/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed by CiliumNetworkPolicy/a/db-in spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:53)
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '7200', cilium),
      `b/client → a/db: DENIED on 7200/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  No Cilium rule allows 7200/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162): the peer matches, the ports do not
      7200/TCP not in the rule's ports 8080/TCP (spec.egress[3].toPorts, line 163)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 7200/TCP from b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the peer matches, the ports do not
      7200/TCP not in the rule's ports 5432/TCP (spec.ingress[0].toPorts, line 52)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      7200/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147): the peer matches, the ports do not
      7200/TCP not in the rule's ports 8080/TCP (spec.ingress[0].toPorts, line 148)
  - CiliumNetworkPolicy/a/db-in spec.ingress[5] (test/fixtures/explain/cilium-details.yaml:61): the ports fit, the peer does not match
      namespace "b" has team=b, not team=c (spec.ingress[5].fromEndpoints[0], line 61)

By port:
  7200/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('a/web', 'a/db', '9999', cilium),
      `a/web → a/db: DENIED on 9999/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 9999/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      9999/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      9999/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[4] (test/fixtures/explain/cilium-details.yaml:100): the peer matches, the ports do not
      9999/TCP not in the rule's ports 2400/TCP (spec.egress[4].toPorts, line 101)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  - denies 9999/TCP: CiliumNetworkPolicy/a/db-in spec.ingressDeny[0] (test/fixtures/explain/cilium-details.yaml:66), endpoints labelled app=web in namespace a
  No Cilium rule allows 9999/TCP from a/web. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:53): the peer matches, the ports do not
      9999/TCP not in the rule's ports 5432/TCP (spec.ingress[1].toPorts, line 54)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      9999/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)

By port:
  9999/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied by CiliumNetworkPolicy/a/db-in spec.ingressDeny[0] (test/fixtures/explain/cilium-details.yaml:66) (a deny rule wins over every allow)
`,
    );
    assert.equal(
      explain('a/web', '203.0.113.5', '443', cilium),
      `a/web → 203.0.113.0/24 except 203.0.113.128/25: ALLOWED on 443/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 443/TCP: CiliumNetworkPolicy/a/web-out spec.egress[2] (test/fixtures/explain/cilium-details.yaml:79), CIDR 203.0.113.0/24 except 203.0.113.128/25
  - toFQDNs api.example.com (CiliumNetworkPolicy/a/web-out spec.egress[0] (test/fixtures/explain/cilium-details.yaml:75)) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups
Ingress of 203.0.113.0/24 except 203.0.113.128/25: 203.0.113.0/24 except 203.0.113.128/25 is outside the cluster: no ingress policy applies

By port:
  443/TCP: ALLOWED
    egress:  allowed by CiliumNetworkPolicy/a/web-out spec.egress[2] (test/fixtures/explain/cilium-details.yaml:79)
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '8443', cilium),
      `a/web → b/client: ALLOWED on 8443/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 8443/TCP: CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77), service b/pay
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  8443/TCP: ALLOWED
    egress:  allowed by CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/noip', '8443', cilium),
      `a/web → b/noip: DENIED on 8443/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 8443/TCP to b/noip. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      8443/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      8443/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[5] (test/fixtures/explain/cilium-details.yaml:102): the peer matches, the ports do not
      8443/TCP not in the rule's ports 2500/TCP (spec.egress[5].toPorts, line 103)
  - CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77): the ports fit, the peer does not match
      b/noip is not a pod the selector of Service b/pay selects (spec.egress[1].toServices[0], line 77)
Ingress of b/noip: not isolated: no policy selects it for ingress, so it allows everything

By port:
  8443/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', '192.168.0.1', '10250', cilium),
      `a/web → 192.168.0.1/32: DENIED on 10250/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - toFQDNs api.example.com (CiliumNetworkPolicy/a/web-out spec.egress[0] (test/fixtures/explain/cilium-details.yaml:75)) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups
  No Cilium rule allows 10250/TCP to 192.168.0.1/32. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      10250/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      10250/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumNetworkPolicy/a/web-out spec.egress[4] (test/fixtures/explain/cilium-details.yaml:83): the ports fit, the peer does not match
      cilium: CIDR rules do not match node addresses unless policy-cidr-match-mode includes nodes (spec.egress[4].toCIDR[0], line 83)
Ingress of 192.168.0.1/32: 192.168.0.1/32 is an address of node n1, not a pod: no pod's ingress policy applies

By port:
  10250/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: does not apply (a node's address)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '53/UDP', cilium),
      `a/web → b/client: ALLOWED on 53/UDP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 53/UDP: CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81), entity cluster
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  53/UDP: ALLOWED
    egress:  allowed by CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', '8.8.8.8', '53/UDP', cilium),
      `a/web → 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: DENIED on 53/UDP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - toFQDNs api.example.com (CiliumNetworkPolicy/a/web-out spec.egress[0] (test/fixtures/explain/cilium-details.yaml:75)) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups
  No Cilium rule allows 53/UDP to 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0. Nearest Cilium rules:
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      53/UDP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the ports fit, the peer does not match
      0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is not a pod or node of the cluster (entity cluster) (spec.egress[3].toEntities[0], line 81)
Ingress of 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster: no ingress policy applies

By port:
  53/UDP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '6000', cilium),
      `b/client → a/db: DENIED on 6000/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  No Cilium rule allows 6000/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162): the peer matches, the ports do not
      6000/TCP not in the rule's ports 8080/TCP (spec.egress[3].toPorts, line 163)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 6000/TCP from b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the peer matches, the ports do not
      6000/TCP not in the rule's ports 5432/TCP (spec.ingress[0].toPorts, line 52)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      6000/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147): the peer matches, the ports do not
      6000/TCP not in the rule's ports 8080/TCP (spec.ingress[0].toPorts, line 148)
  - CiliumNetworkPolicy/a/db-in spec.ingress[2] (test/fixtures/explain/cilium-details.yaml:55): the ports fit, the peer does not match
      cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods (spec.ingress[2].fromCIDRSet[0], line 55)

By port:
  6000/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('b/noip', 'a/db', '6000', cilium),
      `b/noip → a/db: DENIED on 6000/TCP

Egress of b/noip: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 6000/TCP from b/noip. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      6000/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-in spec.ingress[2] (test/fixtures/explain/cilium-details.yaml:55): the ports fit, the peer does not match
      cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods (spec.ingress[2].fromCIDRSet[0], line 55)

By port:
  6000/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('8.8.8.8', 'a/db', '7000', cilium),
      `0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 → a/db: ALLOWED on 7000/TCP

Egress of 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster: no egress policy applies
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  - allows 7000/TCP: CiliumNetworkPolicy/a/db-in spec.ingress[3] (test/fixtures/explain/cilium-details.yaml:57), entity world

By port:
  7000/TCP: ALLOWED
    egress:  does not apply (outside the cluster)
    ingress: allowed by CiliumNetworkPolicy/a/db-in spec.ingress[3] (test/fixtures/explain/cilium-details.yaml:57)
`,
    );
    assert.equal(
      explain('8.8.8.8', 'a/db', '5432', cilium),
      `0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 → a/db: DENIED on 5432/TCP

Egress of 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster: no egress policy applies
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 5432/TCP from 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[3] (test/fixtures/explain/cilium-details.yaml:57): the peer matches, the ports do not
      5432/TCP not in the rule's ports 7000/TCP (spec.ingress[3].toPorts, line 58)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      5432/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the ports fit, the peer does not match
      the peer selects pods, and 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster (spec.ingress[0].fromEndpoints[0], line 51)
  - CiliumNetworkPolicy/a/db-in spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:53): the ports fit, the peer does not match
      the peer selects pods, and 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster (spec.ingress[1].fromEndpoints[0], line 53)

By port:
  5432/TCP: DENIED
    egress:  does not apply (outside the cluster)
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('b/noip', 'a/db', '3868/SCTP', cilium),
      `b/noip → a/db: DENIED on 3868/SCTP

Egress of b/noip: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 3868/SCTP from b/noip. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      3868/SCTP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)

By port:
  3868/SCTP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
  });

  test('with policy-cidr-match-mode=pods: a pod without an IP, a pod IP in an except', () => {
    assert.equal(
      explain('b/noip', 'a/db', '6000', ciliumPods),
      `b/noip → a/db: DENIED on 6000/TCP

Egress of b/noip: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 6000/TCP from b/noip. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      6000/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-in spec.ingress[2] (test/fixtures/explain/cilium-details.yaml:55): the ports fit, the peer does not match
      b/noip has no known IP address: an ipBlock peer matches a pod only by its IP (spec.ingress[2].fromCIDRSet[0], line 55)

By port:
  6000/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '6000', ciliumPods),
      `b/client → a/db: DENIED on 6000/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  No Cilium rule allows 6000/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162): the peer matches, the ports do not
      6000/TCP not in the rule's ports 8080/TCP (spec.egress[3].toPorts, line 163)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 6000/TCP from b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the peer matches, the ports do not
      6000/TCP not in the rule's ports 5432/TCP (spec.ingress[0].toPorts, line 52)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      6000/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147): the peer matches, the ports do not
      6000/TCP not in the rule's ports 8080/TCP (spec.ingress[0].toPorts, line 148)
  - CiliumNetworkPolicy/a/db-in spec.ingress[2] (test/fixtures/explain/cilium-details.yaml:55): the ports fit, the peer does not match
      the IP of b/client is in except 10.0.1.0/28 of fromCIDRSet 10.0.1.0/24 (spec.ingress[2].fromCIDRSet[0], line 55)

By port:
  6000/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
  });

  test('nodes, groups, Services by selector, namespaces by label or expression in a clusterwide policy', () => {
    assert.equal(
      explain('a/web', 'b/client', '2000', cilium),
      `a/web → b/client: DENIED on 2000/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 2000/TCP to b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77): the peer matches, the ports do not
      2000/TCP not in the rule's ports 8443/TCP (spec.egress[1].toPorts, line 78)
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      2000/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      2000/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[6] (test/fixtures/explain/cilium-details.yaml:104): the peer matches, the ports do not
      2000/TCP not in the rule's ports 2600/TCP (spec.egress[6].toPorts, line 105)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[7] (test/fixtures/explain/cilium-details.yaml:106): the peer matches, the ports do not
      2000/TCP not in the rule's ports 2700/TCP (spec.egress[7].toPorts, line 107)
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2000/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '2100', cilium),
      `a/web → b/client: DENIED on 2100/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 2100/TCP to b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77): the peer matches, the ports do not
      2100/TCP not in the rule's ports 8443/TCP (spec.egress[1].toPorts, line 78)
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      2100/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      2100/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[6] (test/fixtures/explain/cilium-details.yaml:104): the peer matches, the ports do not
      2100/TCP not in the rule's ports 2600/TCP (spec.egress[6].toPorts, line 105)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[7] (test/fixtures/explain/cilium-details.yaml:106): the peer matches, the ports do not
      2100/TCP not in the rule's ports 2700/TCP (spec.egress[7].toPorts, line 107)
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2100/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '2200', cilium),
      `a/web → b/client: ALLOWED on 2200/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 2200/TCP: CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96), services labelled app=pay
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2200/TCP: ALLOWED
    egress:  allowed by CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '2300', cilium),
      `a/web → b/client: DENIED on 2300/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 2300/TCP to b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77): the peer matches, the ports do not
      2300/TCP not in the rule's ports 8443/TCP (spec.egress[1].toPorts, line 78)
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      2300/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      2300/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[6] (test/fixtures/explain/cilium-details.yaml:104): the peer matches, the ports do not
      2300/TCP not in the rule's ports 2600/TCP (spec.egress[6].toPorts, line 105)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[7] (test/fixtures/explain/cilium-details.yaml:106): the peer matches, the ports do not
      2300/TCP not in the rule's ports 2700/TCP (spec.egress[7].toPorts, line 107)
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2300/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '2400', cilium),
      `a/web → b/client: DENIED on 2400/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 2400/TCP to b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[1] (test/fixtures/explain/cilium-details.yaml:77): the peer matches, the ports do not
      2400/TCP not in the rule's ports 8443/TCP (spec.egress[1].toPorts, line 78)
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      2400/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      2400/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[6] (test/fixtures/explain/cilium-details.yaml:104): the peer matches, the ports do not
      2400/TCP not in the rule's ports 2600/TCP (spec.egress[6].toPorts, line 105)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[7] (test/fixtures/explain/cilium-details.yaml:106): the peer matches, the ports do not
      2400/TCP not in the rule's ports 2700/TCP (spec.egress[7].toPorts, line 107)
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2400/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', '192.168.0.1', '2000', cilium),
      `a/web → 192.168.0.1/32: DENIED on 2000/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - toFQDNs api.example.com (CiliumNetworkPolicy/a/web-out spec.egress[0] (test/fixtures/explain/cilium-details.yaml:75)) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups
  No Cilium rule allows 2000/TCP to 192.168.0.1/32. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      2000/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      2000/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[0] (test/fixtures/explain/cilium-details.yaml:92): the ports fit, the peer does not match
      192.168.0.1/32 is not an address of a node labelled role=db (spec.egress[0].toNodes[0], line 92)
Ingress of 192.168.0.1/32: 192.168.0.1/32 is an address of node n1, not a pod: no pod's ingress policy applies

By port:
  2000/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: does not apply (a node's address)
`,
    );
    assert.equal(
      explain('a/web', 'b/noip', '2500', cilium),
      `a/web → b/noip: ALLOWED on 2500/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 2500/TCP: CiliumClusterwideNetworkPolicy/web-misc spec.egress[5] (test/fixtures/explain/cilium-details.yaml:102), endpoints labelled app=noip, in every namespace (it has no k8s:io.kubernetes.pod.namespace)
Ingress of b/noip: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2500/TCP: ALLOWED
    egress:  allowed by CiliumClusterwideNetworkPolicy/web-misc spec.egress[5] (test/fixtures/explain/cilium-details.yaml:102)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/noip', '2000', cilium),
      `a/web → b/noip: DENIED on 2000/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  No Cilium rule allows 2000/TCP to b/noip. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/web-out spec.egress[3] (test/fixtures/explain/cilium-details.yaml:81): the peer matches, the ports do not
      2000/TCP not in the rule's ports 53/UDP (spec.egress[3].toPorts, line 82)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[2] (test/fixtures/explain/cilium-details.yaml:96): the peer matches, the ports do not
      2000/TCP not in the rule's ports 2200/TCP (spec.egress[2].toPorts, line 97)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[5] (test/fixtures/explain/cilium-details.yaml:102): the peer matches, the ports do not
      2000/TCP not in the rule's ports 2500/TCP (spec.egress[5].toPorts, line 103)
  - CiliumClusterwideNetworkPolicy/web-misc spec.egress[0] (test/fixtures/explain/cilium-details.yaml:92): the ports fit, the peer does not match
      b/noip has no known IP address: an ipBlock peer matches a pod only by its IP (spec.egress[0].toNodes[0], line 92)
Ingress of b/noip: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2000/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed (not isolated)
`,
    );
  });

  test('L7 filters, DNS names the proxy sees or not, every namespace or not, groups, a rule of ports only, a rule set that misses the pod', () => {
    assert.equal(
      explain('b/client', 'a/db', '8080', cilium),
      `b/client → a/db: ALLOWED at L4 on 8080/TCP, filtered at L7 on 8080/TCP by CiliumNetworkPolicy/a/db-l7

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  - allows 8080/TCP: CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162), endpoints labelled app=db in namespace a
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  - allows 8080/TCP: CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147), endpoints labelled app=client in namespace b

By port:
  8080/TCP: ALLOWED
    egress:  allowed by CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162)
    ingress: allowed by CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147)
Filtered at L7: 8080/TCP allowed at L4, filtered at L7 by CiliumNetworkPolicy/a/db-l7 spec.ingress[0].toPorts[0] (http, test/fixtures/explain/cilium-details.yaml:148)
`,
    );
    assert.equal(
      explain('b/client', '8.8.8.8', '443', cilium),
      `b/client → 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: DENIED on 443/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  - toFQDNs *.other.org (CiliumNetworkPolicy/b/client-dns spec.egress[1] (test/fixtures/explain/cilium-details.yaml:158)) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups
  No Cilium rule allows 443/TCP to 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[1] (test/fixtures/explain/cilium-details.yaml:158): the ports fit, the peer is not known to match
      the peer is a DNS name (api.example.com): whether 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is one of its addresses is only known at run time (spec.egress[1].toFQDNs[0], line 158)
Ingress of 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster: no ingress policy applies

By port:
  443/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('b/client', '8.8.8.8', '8443', cilium),
      `b/client → 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: DENIED on 8443/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  - denies 8443/TCP: CiliumNetworkPolicy/b/client-dns spec.egressDeny[0] (test/fixtures/explain/cilium-details.yaml:165), entity world
  - toFQDNs *.other.org (CiliumNetworkPolicy/b/client-dns spec.egress[1] (test/fixtures/explain/cilium-details.yaml:158)) allows nothing: no DNS rule on port 53 covers it, so Cilium's DNS proxy never sees its lookups
  No Cilium rule allows 8443/TCP to 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[2] (test/fixtures/explain/cilium-details.yaml:160): the ports fit, the peer is not known to match
      the peer is a DNS name (www.example.com): whether 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is one of its addresses is only known at run time (spec.egress[2].toFQDNs[0], line 160)
Ingress of 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0: 0.0.0.0/0 except 10.0.1.0/24, 192.168.0.0/24, 203.0.113.0/24; ::/0 is outside the cluster: no ingress policy applies

By port:
  8443/TCP: DENIED
    egress:  denied by CiliumNetworkPolicy/b/client-dns spec.egressDeny[0] (test/fixtures/explain/cilium-details.yaml:165) (a deny rule wins over every allow)
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '2600', cilium),
      `a/web → b/client: ALLOWED on 2600/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 2600/TCP: CiliumClusterwideNetworkPolicy/web-misc spec.egress[6] (test/fixtures/explain/cilium-details.yaml:104), endpoints labelled app=client in namespace b
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2600/TCP: ALLOWED
    egress:  allowed by CiliumClusterwideNetworkPolicy/web-misc spec.egress[6] (test/fixtures/explain/cilium-details.yaml:104)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '2700', cilium),
      `a/web → b/client: ALLOWED on 2700/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 2700/TCP: CiliumClusterwideNetworkPolicy/web-misc spec.egress[7] (test/fixtures/explain/cilium-details.yaml:106), endpoints labelled app=client, in every namespace (it has no k8s:io.kubernetes.pod.namespace)
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2700/TCP: ALLOWED
    egress:  allowed by CiliumClusterwideNetworkPolicy/web-misc spec.egress[7] (test/fixtures/explain/cilium-details.yaml:106)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '2800', cilium),
      `a/web → b/client: ALLOWED on 2800/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 2800/TCP: CiliumClusterwideNetworkPolicy/web-misc spec.egress[8] (test/fixtures/explain/cilium-details.yaml:108), endpoints labelled app=client in namespace b
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2800/TCP: ALLOWED
    egress:  allowed by CiliumClusterwideNetworkPolicy/web-misc spec.egress[8] (test/fixtures/explain/cilium-details.yaml:108)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '2900', cilium),
      `a/web → b/client: ALLOWED on 2900/TCP

Egress of a/web: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/web-out spec (test/fixtures/explain/cilium-details.yaml:72), CiliumClusterwideNetworkPolicy/web-misc spec (test/fixtures/explain/cilium-details.yaml:89)
  - allows 2900/TCP: CiliumClusterwideNetworkPolicy/web-misc spec.egress[9] (test/fixtures/explain/cilium-details.yaml:110), endpoints labelled app=client, !other, in every namespace (it has no k8s:io.kubernetes.pod.namespace)
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  2900/TCP: ALLOWED
    egress:  allowed by CiliumClusterwideNetworkPolicy/web-misc spec.egress[9] (test/fixtures/explain/cilium-details.yaml:110)
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '3100', cilium),
      `b/client → a/db: DENIED on 3100/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  No Cilium rule allows 3100/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162): the peer matches, the ports do not
      3100/TCP not in the rule's ports 8080/TCP (spec.egress[3].toPorts, line 163)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 3100/TCP from b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the peer matches, the ports do not
      3100/TCP not in the rule's ports 5432/TCP (spec.ingress[0].toPorts, line 52)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      3100/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147): the peer matches, the ports do not
      3100/TCP not in the rule's ports 8080/TCP (spec.ingress[0].toPorts, line 148)
  - CiliumNetworkPolicy/a/db-more spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:119): the ports fit, the peer does not match
      the peer sets no field netfence knows (fromGroups): an allow rule matches nothing through it (spec.ingress[0].fromGroups, line 119)

By port:
  3100/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '3300', cilium),
      `b/client → a/db: DENIED on 3300/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  No Cilium rule allows 3300/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162): the peer matches, the ports do not
      3300/TCP not in the rule's ports 8080/TCP (spec.egress[3].toPorts, line 163)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  - allows 3300/TCP: CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121), any peer (ports only)

By port:
  3300/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: allowed by CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121)
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '3400', cilium),
      `b/client → a/db: DENIED on 3400/TCP

Egress of b/client: no NetworkPolicy selects it for egress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/b/client-dns spec (test/fixtures/explain/cilium-details.yaml:153)
  No Cilium rule allows 3400/TCP to a/db. Nearest Cilium rules:
  - CiliumNetworkPolicy/b/client-dns spec.egress[3] (test/fixtures/explain/cilium-details.yaml:162): the peer matches, the ports do not
      3400/TCP not in the rule's ports 8080/TCP (spec.egress[3].toPorts, line 163)
Ingress of a/db: no NetworkPolicy selects it for ingress; Cilium policies do:
  Cilium: default deny by CiliumNetworkPolicy/a/db-in spec (test/fixtures/explain/cilium-details.yaml:48), CiliumNetworkPolicy/a/db-more spec (test/fixtures/explain/cilium-details.yaml:116), CiliumNetworkPolicy/a/db-l7 spec (test/fixtures/explain/cilium-details.yaml:144)
  No Cilium rule allows 3400/TCP from b/client. Nearest Cilium rules:
  - CiliumNetworkPolicy/a/db-in spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:51): the peer matches, the ports do not
      3400/TCP not in the rule's ports 5432/TCP (spec.ingress[0].toPorts, line 52)
  - CiliumNetworkPolicy/a/db-more spec.ingress[1] (test/fixtures/explain/cilium-details.yaml:121): the peer matches, the ports do not
      3400/TCP not in the rule's ports 3300/TCP (spec.ingress[1].toPorts, line 121)
  - CiliumNetworkPolicy/a/db-l7 spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:147): the peer matches, the ports do not
      3400/TCP not in the rule's ports 8080/TCP (spec.ingress[0].toPorts, line 148)
  - CiliumNetworkPolicy/a/db-tier spec.ingress[0] (test/fixtures/explain/cilium-details.yaml:129): the peer and the ports match, the rule set does not select the pod
      the rule set does not select a/db: a/db lacks label tier=x (spec.endpointSelector, line 127)

By port:
  3400/TCP: DENIED
    egress:  denied: no rule of the Cilium policies selecting it allows it
    ingress: denied: no rule of the Cilium policies selecting it allows it
`,
    );
  });
});

describe('explain --to a DNS name: Cilium rules the proxy sees, less what deny rules take to every outside address', () => {
  test('a name of a toFQDNs rule, one whose ports a world deny takes, a pattern no DNS rule covers', () => {
    const src = resolveRefText(index, 'b/client');
    assert.ok(src.ok);
    const classes = index.ends(src.value.entities[0]!.id).flatMap((e) => ('pod' in e ? [e.pod] : []));
    const rules = (name: string): string[] =>
      explainDomain(compiled, classes, name, ALL_CONNECTIONS).map(
        (m) => `${m.policy} ${m.path} ${m.domain} ${formatPorts(m.ports)} ${m.location?.line}`,
      );
    assert.deepEqual(rules('api.example.com'), [
      'CiliumNetworkPolicy/b/client-dns spec.egress[1] api.example.com TCP 443 158',
    ]);
    assert.deepEqual(rules('www.example.com'), []);
    assert.deepEqual(rules('x.other.org'), []);
  });
});
