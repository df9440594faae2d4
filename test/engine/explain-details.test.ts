/**
 * What `explain` says (src/engine/explain.ts), in the text a user reads, for rules that mutation testing
 * (issue #20, round 7) found unpinned: how a peer's namespaces are named (by name, every namespace, by
 * labels, by expression), ipBlock peers with an except (allowing, or the address in the except), pods
 * without an IP against an ipBlock, ipBlocks that match no pod (by option or CNI profile), host-network
 * pods, named ports defined on one protocol only or not at all, the nearest rules in order, NetworkPolicies
 * with endPort that a CNI profile leaves out, a pod to itself under cluster policies, and port queries.
 * Fixture: test/fixtures/explain/details.yaml.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import {
  domainMatches,
  explainDomain,
  explainEntities,
  parsePortQuery,
  type Explanation,
} from '../../src/engine/explain.ts';
import { ALL_CONNECTIONS } from '../../src/engine/ports.ts';
import { cniEngineOptions } from '../../src/engine/profiles.ts';
import { buildRefIndex, resolveRefText, type RefIndex } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { cniProfile } from '../support/verdicts.ts';
import { banp, cluster, pod } from '../support/builders.ts';
import { formatPorts } from '../../src/describe/ports.ts';

const FIXTURE = 'test/fixtures/explain/details.yaml';
let state: ClusterState;
let index: RefIndex;
let ciliumOld: RefIndex;
let ciliumNew: RefIndex;
let noIpBlockPods: RefIndex;
let ownNode: RefIndex;
let ownNodePolicy: RefIndex;

before(async () => {
  const loaded = await loadManifests([FIXTURE], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  state = loaded.state;
  const at = (options: Partial<EngineOptions>): RefIndex =>
    buildRefIndex(compileCluster(state, options), 'pod');
  index = at({});
  ciliumOld = at(cniEngineOptions(cniProfile('cilium@1.15')));
  ciliumNew = at(cniEngineOptions(cniProfile('cilium@1.16')));
  noIpBlockPods = at({ ipBlockMatchesPods: false });
  const own = await loadManifests(['test/fixtures/explain/own-node.yaml'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  assert.deepEqual(own.errors, []);
  ownNode = buildRefIndex(compileCluster(own.state), 'pod');
  ownNodePolicy = buildRefIndex(
    compileCluster(own.state, cniEngineOptions(cniProfile('upstream', 'own-node-traffic=policy'))),
    'pod',
  );
});

function explanations(from: string, to: string, port?: string, on: RefIndex = index): Explanation[] {
  const src = resolveRefText(on, from);
  const dst = resolveRefText(on, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const query = port === undefined ? undefined : parsePortQuery(port);
  assert.ok(typeof query !== 'string');
  return explainEntities(on, src.value.entities[0]!.id, dst.value.entities[0]!.id, query);
}

/** The text of `netfence explain <from> <to> [--port <port>]`, pod by pod. */
function explain(from: string, to: string, port?: string, on: RefIndex = index): string {
  return explanations(from, to, port, on).map(explanationToText).join('\n');
}

describe('explain: peers in general terms, per port', () => {
  test('a namespace named by its name label, every namespace, and the ports they allow', () => {
    assert.equal(
      explain('b/client', 'a/db'),
      `b/client → a/db: ALLOWED on 5432/TCP, 8000-8100/TCP, 9999/TCP only; every other port is denied

Egress of b/client: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: isolated, selected by 2 policies for ingress:
  a/db-in     test/fixtures/explain/details.yaml:35
  a/db-range  test/fixtures/explain/details.yaml:77

By port:
  5432/TCP: ALLOWED
    egress:  allowed (not isolated)
    ingress: allowed by a/db-in spec.ingress[0].from[0] (test/fixtures/explain/details.yaml:41): pods labelled app=client in namespace b
  8000-8100/TCP: ALLOWED
    egress:  allowed (not isolated)
    ingress: allowed by a/db-range spec.ingress[0] (test/fixtures/explain/details.yaml:84): anyone (any pod and any address)
  9999/TCP: ALLOWED
    egress:  allowed (not isolated)
    ingress: allowed by a/db-in spec.ingress[2].from[0] (test/fixtures/explain/details.yaml:45): any pod in the cluster
  1-5431/TCP, 5433-7999/TCP, 8101-9998/TCP, 10000-65535/TCP, all UDP ports, all SCTP ports: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule allows it
`,
    );
  });

  test('namespaces by two labels or by an expression, an ipBlock holding the pod IP, the denied rest', () => {
    assert.equal(
      explain('a/web', 'b/client'),
      `a/web → b/client: ALLOWED on 6000/TCP, 7000/TCP, 53/UDP only; every other port is denied

Egress of a/web: isolated, selected by 1 policy for egress:
  a/web-out  test/fixtures/explain/details.yaml:57
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  6000/TCP: ALLOWED
    egress:  allowed by a/web-out spec.egress[5].to[0] (test/fixtures/explain/details.yaml:74): any address in 10.0.0.0/8
    ingress: allowed (not isolated)
  7000/TCP: ALLOWED
    egress:  allowed by a/web-out spec.egress[3].to[0] (test/fixtures/explain/details.yaml:70): any pod in namespaces labelled kubernetes.io/metadata.name=b, team=b
    ingress: allowed (not isolated)
  53/UDP: ALLOWED
    egress:  allowed by a/web-out spec.egress[2].to[0] (test/fixtures/explain/details.yaml:68): any pod in namespaces labelled kubernetes.io/metadata.name notin (a)
    ingress: allowed (not isolated)
  1-5999/TCP, 6001-6999/TCP, 7001-65535/TCP, 1-52/UDP, 54-65535/UDP, all SCTP ports: DENIED
    egress:  denied: no rule allows it
    ingress: allowed (not isolated)
`,
    );
  });

  test('an ipBlock with an except: the address allowed, and the address in the except', () => {
    assert.equal(
      explain('a/web', '203.0.113.5', '443'),
      `a/web → 203.0.113.0/24 except 203.0.113.128/25: ALLOWED on 443/TCP

Egress of a/web: isolated, selected by 1 policy for egress:
  a/web-out  test/fixtures/explain/details.yaml:57
Ingress of 203.0.113.0/24 except 203.0.113.128/25: 203.0.113.0/24 except 203.0.113.128/25 is outside the cluster: no ingress policy applies

By port:
  443/TCP: ALLOWED
    egress:  allowed by a/web-out spec.egress[0].to[0] (test/fixtures/explain/details.yaml:64): any address in 203.0.113.0/24 except 203.0.113.128/25
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('a/web', '203.0.113.200', '443'),
      `a/web → 203.0.113.128/25: DENIED on 443/TCP

Egress of a/web: isolated, selected by 1 policy for egress:
  a/web-out  test/fixtures/explain/details.yaml:57
  No rule allows 443/TCP to 203.0.113.128/25. Nearest rules:
  - a/web-out spec.egress[0] (test/fixtures/explain/details.yaml:64): the ports fit, the peer does not match
      203.0.113.128/25 is in except 203.0.113.128/25 of ipBlock 203.0.113.0/24 (spec.egress[0].to[0].ipBlock.except[0], line 64)
Ingress of 203.0.113.128/25: 203.0.113.128/25 is outside the cluster: no ingress policy applies

By port:
  443/TCP: DENIED
    egress:  denied: no rule allows it
    ingress: does not apply (outside the cluster)
`,
    );
    assert.equal(
      explain('10.0.1.1', 'a/db', '5433'),
      `b/client → a/db: DENIED on 5433/TCP

Egress of b/client: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: isolated, selected by 2 policies for ingress:
  a/db-in     test/fixtures/explain/details.yaml:35
  a/db-range  test/fixtures/explain/details.yaml:77
  No rule allows 5433/TCP from b/client. Nearest rules:
  - a/db-in spec.ingress[0] (test/fixtures/explain/details.yaml:41): the peer matches, the ports do not
      5433/TCP not in the rule's ports 5432/TCP (spec.ingress[0].ports, line 42)
  - a/db-in spec.ingress[2] (test/fixtures/explain/details.yaml:45): the peer matches, the ports do not
      5433/TCP not in the rule's ports 9999/TCP (spec.ingress[2].ports, line 46)
  - a/db-range spec.ingress[0] (test/fixtures/explain/details.yaml:84): the peer matches, the ports do not
      5433/TCP not in the rule's ports 8000-8100/TCP (spec.ingress[0].ports, line 84)
  - a/db-in spec.ingress[1] (test/fixtures/explain/details.yaml:43): the ports fit, the peer does not match
      the IP of b/client is in except 10.0.1.0/28 of ipBlock 10.0.1.0/24 (spec.ingress[1].from[0].ipBlock.except[0], line 43)
  - a/db-in spec.ingress[3] (test/fixtures/explain/details.yaml:47): the ports fit, the peer does not match
      namespace "b" has team=b, not team=c (spec.ingress[3].from[0].namespaceSelector, line 47)

By port:
  5433/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule allows it
`,
    );
  });
});

describe('explain: the nearest rules and why they miss', () => {
  test('a pod without an IP against an ipBlock, a namespace label', () => {
    assert.equal(
      explain('b/noip', 'a/db', '5433'),
      `b/noip → a/db: DENIED on 5433/TCP

Egress of b/noip: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: isolated, selected by 2 policies for ingress:
  a/db-in     test/fixtures/explain/details.yaml:35
  a/db-range  test/fixtures/explain/details.yaml:77
  No rule allows 5433/TCP from b/noip. Nearest rules:
  - a/db-in spec.ingress[2] (test/fixtures/explain/details.yaml:45): the peer matches, the ports do not
      5433/TCP not in the rule's ports 9999/TCP (spec.ingress[2].ports, line 46)
  - a/db-range spec.ingress[0] (test/fixtures/explain/details.yaml:84): the peer matches, the ports do not
      5433/TCP not in the rule's ports 8000-8100/TCP (spec.ingress[0].ports, line 84)
  - a/db-in spec.ingress[1] (test/fixtures/explain/details.yaml:43): the ports fit, the peer does not match
      b/noip has no known IP address: an ipBlock peer matches a pod only by its IP (spec.ingress[1].from[0].ipBlock, line 43)
  - a/db-in spec.ingress[3] (test/fixtures/explain/details.yaml:47): the ports fit, the peer does not match
      namespace "b" has team=b, not team=c (spec.ingress[3].from[0].namespaceSelector, line 47)

By port:
  5433/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule allows it
`,
    );
    assert.equal(
      explain('a/web', 'b/noip', '6000'),
      `a/web → b/noip: DENIED on 6000/TCP

Egress of a/web: isolated, selected by 1 policy for egress:
  a/web-out  test/fixtures/explain/details.yaml:57
  No rule allows 6000/TCP to b/noip. Nearest rules:
  - a/web-out spec.egress[2] (test/fixtures/explain/details.yaml:68): the peer matches, the ports do not
      6000/TCP not in the rule's ports 53/UDP (spec.egress[2].ports, line 69)
  - a/web-out spec.egress[3] (test/fixtures/explain/details.yaml:70): the peer matches, the ports do not
      6000/TCP not in the rule's ports 7000/TCP (spec.egress[3].ports, line 71)
  - a/web-out spec.egress[5] (test/fixtures/explain/details.yaml:74): the ports fit, the peer does not match
      b/noip has no known IP address: an ipBlock peer matches a pod only by its IP (spec.egress[5].to[0].ipBlock, line 74)
Ingress of b/noip: not isolated: no policy selects it for ingress, so it allows everything

By port:
  6000/TCP: DENIED
    egress:  denied: no rule allows it
    ingress: allowed (not isolated)
`,
    );
  });

  test('named ports defined on the destination for another protocol only, or not at all', () => {
    assert.equal(
      explain('a/web', 'a/db', '5432/UDP'),
      `a/web → a/db: DENIED on 5432/UDP

Egress of a/web: isolated, selected by 1 policy for egress:
  a/web-out  test/fixtures/explain/details.yaml:57
  No rule allows 5432/UDP to a/db. Nearest rules:
  - a/web-out spec.egress[4] (test/fixtures/explain/details.yaml:72): the peer matches, the ports do not
      named port "http" (TCP) is not defined on a/db (its named ports: pg 5432/TCP, dns 53/UDP) (spec.egress[4].ports[0], line 73)
  - a/web-out spec.egress[5] (test/fixtures/explain/details.yaml:74): the peer matches, the ports do not
      5432/UDP not in the rule's ports 6000/TCP (spec.egress[5].ports, line 75)
  - a/web-out spec.egress[1] (test/fixtures/explain/details.yaml:66): the peer matches, the ports do not
      named port "pg" (UDP) is not defined on a/db (its named ports: pg 5432/TCP, dns 53/UDP) (spec.egress[1].ports[1], line 67)
      5432/UDP not in the rule's ports 5432/TCP (spec.egress[1].ports, line 67)
Ingress of a/db: isolated, selected by 2 policies for ingress:
  a/db-in     test/fixtures/explain/details.yaml:35
  a/db-range  test/fixtures/explain/details.yaml:77
  No rule allows 5432/UDP from a/web. Nearest rules:
  - a/db-in spec.ingress[2] (test/fixtures/explain/details.yaml:45): the peer matches, the ports do not
      5432/UDP not in the rule's ports 9999/TCP (spec.ingress[2].ports, line 46)
  - a/db-in spec.ingress[4] (test/fixtures/explain/details.yaml:48): the peer matches, the ports do not
      5432/UDP not in the rule's ports 53/UDP (spec.ingress[4].ports, line 49)
  - a/db-range spec.ingress[0] (test/fixtures/explain/details.yaml:84): the peer matches, the ports do not
      5432/UDP not in the rule's ports 8000-8100/TCP (spec.ingress[0].ports, line 84)
  - a/db-in spec.ingress[3] (test/fixtures/explain/details.yaml:47): the ports fit, the peer does not match
      namespace "a" has team=a, not team=c (spec.ingress[3].from[0].namespaceSelector, line 47)

By port:
  5432/UDP: DENIED
    egress:  denied: no rule allows it
    ingress: denied: no rule allows it
`,
    );
    assert.equal(
      explain('a/web', 'a/db', '8080'),
      `a/web → a/db: DENIED on 8080/TCP

Egress of a/web: isolated, selected by 1 policy for egress:
  a/web-out  test/fixtures/explain/details.yaml:57
  No rule allows 8080/TCP to a/db. Nearest rules:
  - a/web-out spec.egress[4] (test/fixtures/explain/details.yaml:72): the peer matches, the ports do not
      named port "http" (TCP) is not defined on a/db (its named ports: pg 5432/TCP, dns 53/UDP) (spec.egress[4].ports[0], line 73)
  - a/web-out spec.egress[5] (test/fixtures/explain/details.yaml:74): the peer matches, the ports do not
      8080/TCP not in the rule's ports 6000/TCP (spec.egress[5].ports, line 75)
  - a/web-out spec.egress[1] (test/fixtures/explain/details.yaml:66): the peer matches, the ports do not
      named port "pg" (UDP) is not defined on a/db (its named ports: pg 5432/TCP, dns 53/UDP) (spec.egress[1].ports[1], line 67)
      8080/TCP not in the rule's ports 5432/TCP (spec.egress[1].ports, line 67)
Ingress of a/db: isolated, selected by 2 policies for ingress:
  a/db-in     test/fixtures/explain/details.yaml:35
  a/db-range  test/fixtures/explain/details.yaml:77

By port:
  8080/TCP: DENIED
    egress:  denied: no rule allows it
    ingress: allowed by a/db-range spec.ingress[0] (test/fixtures/explain/details.yaml:84): anyone (any pod and any address)
`,
    );
  });

  test('a pod in another namespace, its labels, and a host-network pod outside an ipBlock', () => {
    assert.equal(
      explain('a/db', 'a/db', '5432'),
      `a/db → a/db: DENIED on 5432/TCP

Egress of a/db: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: isolated, selected by 2 policies for ingress:
  a/db-in     test/fixtures/explain/details.yaml:35
  a/db-range  test/fixtures/explain/details.yaml:77
  No rule allows 5432/TCP from a/db. Nearest rules:
  - a/db-in spec.ingress[2] (test/fixtures/explain/details.yaml:45): the peer matches, the ports do not
      5432/TCP not in the rule's ports 9999/TCP (spec.ingress[2].ports, line 46)
  - a/db-in spec.ingress[4] (test/fixtures/explain/details.yaml:48): the peer matches, the ports do not
      5432/TCP not in the rule's ports 53/UDP (spec.ingress[4].ports, line 49)
  - a/db-range spec.ingress[0] (test/fixtures/explain/details.yaml:84): the peer matches, the ports do not
      5432/TCP not in the rule's ports 8000-8100/TCP (spec.ingress[0].ports, line 84)
  - a/db-in spec.ingress[3] (test/fixtures/explain/details.yaml:47): the ports fit, the peer does not match
      namespace "a" has team=a, not team=c (spec.ingress[3].from[0].namespaceSelector, line 47)
  - a/db-in spec.ingress[0] (test/fixtures/explain/details.yaml:41): the ports fit, the peer does not match
      namespace "a" has kubernetes.io/metadata.name=a, not kubernetes.io/metadata.name=b (spec.ingress[0].from[0].namespaceSelector, line 41)
      a/db has app=db, not app=client (spec.ingress[0].from[0].podSelector, line 41)

By port:
  5432/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule allows it
`,
    );
    assert.equal(
      explain('a/web', 'a/hostpod', '6000'),
      `a/web → a/hostpod: DENIED on 6000/TCP

Egress of a/web: isolated, selected by 1 policy for egress:
  a/web-out  test/fixtures/explain/details.yaml:57
  No rule allows 6000/TCP to a/hostpod. Nearest rules:
  - a/web-out spec.egress[5] (test/fixtures/explain/details.yaml:74): the ports fit, the peer does not match
      the IP of a/hostpod is not in ipBlock 10.0.0.0/8 (spec.egress[5].to[0].ipBlock.cidr, line 74)
Ingress of a/hostpod: runs on the host network, where NetworkPolicies do not apply: allows everything

By port:
  6000/TCP: DENIED
    egress:  denied: no rule allows it
    ingress: allowed (host network)
`,
    );
    assert.equal(
      explain('b/client', 'a/db', '7000'),
      `b/client → a/db: DENIED on 7000/TCP

Egress of b/client: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: isolated, selected by 2 policies for ingress:
  a/db-in     test/fixtures/explain/details.yaml:35
  a/db-range  test/fixtures/explain/details.yaml:77
  No rule allows 7000/TCP from b/client. Nearest rules:
  - a/db-in spec.ingress[0] (test/fixtures/explain/details.yaml:41): the peer matches, the ports do not
      7000/TCP not in the rule's ports 5432/TCP (spec.ingress[0].ports, line 42)
  - a/db-in spec.ingress[2] (test/fixtures/explain/details.yaml:45): the peer matches, the ports do not
      7000/TCP not in the rule's ports 9999/TCP (spec.ingress[2].ports, line 46)
  - a/db-range spec.ingress[0] (test/fixtures/explain/details.yaml:84): the peer matches, the ports do not
      7000/TCP not in the rule's ports 8000-8100/TCP (spec.ingress[0].ports, line 84)
  - a/db-in spec.ingress[3] (test/fixtures/explain/details.yaml:47): the ports fit, the peer does not match
      namespace "b" has team=b, not team=c (spec.ingress[3].from[0].namespaceSelector, line 47)

By port:
  7000/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule allows it
`,
    );
  });

  test('ipBlocks that match no pod: by option, or by the CNI profile (which names its setting)', () => {
    assert.equal(
      explain('a/web', 'b/client', '6000', noIpBlockPods),
      `a/web → b/client: DENIED on 6000/TCP

Egress of a/web: isolated, selected by 1 policy for egress:
  a/web-out  test/fixtures/explain/details.yaml:57
  No rule allows 6000/TCP to b/client. Nearest rules:
  - a/web-out spec.egress[2] (test/fixtures/explain/details.yaml:68): the peer matches, the ports do not
      6000/TCP not in the rule's ports 53/UDP (spec.egress[2].ports, line 69)
  - a/web-out spec.egress[3] (test/fixtures/explain/details.yaml:70): the peer matches, the ports do not
      6000/TCP not in the rule's ports 7000/TCP (spec.egress[3].ports, line 71)
  - a/web-out spec.egress[5] (test/fixtures/explain/details.yaml:74): the ports fit, the peer does not match
      ipBlock peers do not match pods here (--ipblock-matches-pods=false) (spec.egress[5].to[0].ipBlock, line 74)
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  6000/TCP: DENIED
    egress:  denied: no rule allows it
    ingress: allowed (not isolated)
`,
    );
    assert.equal(
      explain('a/web', 'b/client', '6000', ciliumOld),
      `a/web → b/client: DENIED on 6000/TCP

Egress of a/web: isolated, selected by 1 policy for egress:
  a/web-out  test/fixtures/explain/details.yaml:57
  No rule allows 6000/TCP to b/client. Nearest rules:
  - a/web-out spec.egress[2] (test/fixtures/explain/details.yaml:68): the peer matches, the ports do not
      6000/TCP not in the rule's ports 53/UDP (spec.egress[2].ports, line 69)
  - a/web-out spec.egress[3] (test/fixtures/explain/details.yaml:70): the peer matches, the ports do not
      6000/TCP not in the rule's ports 7000/TCP (spec.egress[3].ports, line 71)
  - a/web-out spec.egress[5] (test/fixtures/explain/details.yaml:74): the ports fit, the peer does not match
      cilium@1.15: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods (spec.egress[5].to[0].ipBlock, line 74)
Ingress of b/client: not isolated: no policy selects it for ingress, so it allows everything

By port:
  6000/TCP: DENIED
    egress:  denied: no rule allows it
    ingress: allowed (not isolated)
`,
    );
  });
});

describe('explain: NetworkPolicies with endPort that a CNI profile leaves out', () => {
  test('cilium@1.15: the policy of the pod, in the direction asked, is named; a policy that isolates hides them', () => {
    assert.equal(
      explain('b/batch', 'b/batch', '85', ciliumOld),
      `b/batch → b/batch: DENIED on 85/TCP

Egress of b/batch: not isolated: selected by b/batch-out, which cilium@1.15 does not enforce (endPort, cilium#28704), so it allows everything
Ingress of b/batch: isolated, selected by 1 policy for ingress:
  b/batch-in-plain  test/fixtures/explain/details.yaml:108
  No rule allows 85/TCP from b/batch. Nearest rules:
  - b/batch-in-plain spec.ingress[0] (test/fixtures/explain/details.yaml:114): the peer matches, the ports do not
      85/TCP not in the rule's ports 80/TCP (spec.ingress[0].ports, line 114)

By port:
  85/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule allows it
`,
    );
    const [x] = explanations('b/batch', 'b/batch', '85', ciliumOld);
    assert.deepEqual(
      [x!.egress.unenforced, x!.ingress.unenforced].map((list) =>
        list?.map((u) => [u.policy, u.profile, u.reason, u.location?.line]),
      ),
      [
        [['b/batch-out', 'cilium@1.15', 'endPort, cilium#28704', 92]],
        [['b/batch-in', 'cilium@1.15', 'endPort, cilium#28704', 100]],
      ],
    );
  });

  test('cilium@1.16 and no profile enforce them', () => {
    assert.equal(
      explain('b/batch', 'b/batch', '85', ciliumNew),
      `b/batch → b/batch: ALLOWED on 85/TCP

Egress of b/batch: isolated, selected by 1 policy for egress:
  b/batch-out  test/fixtures/explain/details.yaml:92
Ingress of b/batch: isolated, selected by 2 policies for ingress:
  b/batch-in        test/fixtures/explain/details.yaml:100
  b/batch-in-plain  test/fixtures/explain/details.yaml:108

By port:
  85/TCP: ALLOWED
    egress:  allowed by b/batch-out spec.egress[0] (test/fixtures/explain/details.yaml:98): anyone (any pod and any address)
    ingress: allowed by b/batch-in spec.ingress[0] (test/fixtures/explain/details.yaml:106): anyone (any pod and any address)
`,
    );
    for (const on of [index, ciliumNew]) {
      const [x] = explanations('b/batch', 'b/batch', '85', on);
      assert.equal(x!.egress.unenforced, undefined);
      assert.equal(x!.ingress.unenforced, undefined);
    }
  });
});

describe('explain: a pod to itself', () => {
  const tiered = cluster({
    pods: [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' })],
    clusterPolicies: [
      banp({
        subject: { namespaces: {} },
        ingress: [{ name: 'deny-all', action: 'Deny', from: [{ namespaces: {} }] }],
      }),
    ],
  });
  const verdict = (granularity: 'pod' | 'workload', from: string, to: string): string[] => {
    const on = buildRefIndex(compileCluster(tiered), granularity);
    const src = resolveRefText(on, from);
    const dst = resolveRefText(on, to);
    assert.ok(src.ok && dst.ok);
    return explainEntities(on, src.value.entities[0]!.id, dst.value.entities[0]!.id).map(
      (x) => `${x.verdict} ${x.ingress.tiers.status}`,
    );
  };

  test('a pod to its own IP: cluster policies do not apply (hairpin); another pod of its class is denied', () => {
    assert.deepEqual(verdict('pod', 'a/x', 'a/x'), ['allowed hairpin']);
    assert.deepEqual(verdict('pod', 'a/y', 'a/x'), ['denied applies']);
  });

  test('a workload to itself is its pods to each other, even with one pod', () => {
    assert.deepEqual(verdict('workload', 'a/x', 'a/x'), ['denied applies']);
  });
});

describe('parsePortQuery', () => {
  const parsed = (text: string): string => {
    const q = parsePortQuery(text);
    return typeof q === 'string' ? q : formatPorts(q);
  };

  test('ports, ranges and protocols, with spaces around', () => {
    assert.equal(parsed(' udp '), 'UDP all ports');
    assert.equal(parsed('Sctp'), 'SCTP all ports');
    assert.equal(parsed('8080'), 'TCP 8080');
    assert.equal(parsed(' 53/udp '), 'UDP 53');
    assert.equal(parsed('1000-2000/TCP'), 'TCP 1000-2000');
    assert.equal(parsed('1'), 'TCP 1');
    assert.equal(parsed('65535'), 'TCP 65535');
    assert.equal(parsed('1-65535'), 'TCP all ports');
  });

  test('one line that quotes the text', () => {
    const usage = 'use 8080/TCP, 53/UDP, 8080 (TCP) or 1000-2000/TCP';
    for (const text of ['udpx', 'xudp', 'x80', '80x', '80-', '80-9x', '80/', '80-90/', 'http']) {
      assert.equal(parsed(text), `invalid port "${text}": ${usage}`);
    }
    assert.equal(parsed('80/icmp'), 'invalid protocol "icmp" in "80/icmp": TCP, UDP or SCTP');
    // A misspelled protocol: the one meant (a swap of two letters is one edit).
    assert.equal(
      parsed('53/upd'),
      'invalid protocol "upd" in "53/upd": TCP, UDP or SCTP; did you mean "UDP"?',
    );
    assert.equal(
      parsed('80/SCPT'),
      'invalid protocol "SCPT" in "80/SCPT": TCP, UDP or SCTP; did you mean "SCTP"?',
    );
    for (const text of ['0', '65536', '0-80', '80-65536', '70000-70001']) {
      assert.equal(parsed(text), `invalid port "${text}": ports are 1 to 65535`);
    }
    assert.equal(parsed('90-80'), 'invalid port range "90-80": the end must not be below the start');
  });
});

describe('explain --to a DNS name: the rules by name', () => {
  test('Cilium toFQDNs names and patterns and cluster policy domainNames, each cited with its ports and line', async () => {
    const loaded = await loadManifests(['test/fixtures/explain/domains.yaml'], {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    assert.deepEqual(loaded.errors, []);
    const compiled = compileCluster(loaded.state);
    const rules = (name: string, port?: string): string[] => {
      const query = port === undefined ? ALL_CONNECTIONS : parsePortQuery(port);
      assert.ok(typeof query !== 'string');
      return explainDomain(compiled, [0], name, query).map(
        (m) =>
          `${m.policy} ${m.path} ${m.domain} ${formatPorts(m.ports)} ${m.location?.file}:${m.location?.line}`,
      );
    };
    const at = (line: number): string => `test/fixtures/explain/domains.yaml:${line}`;
    assert.deepEqual(rules('api.stripe.com'), [
      `ClusterNetworkPolicy/names spec.egress[0] *.stripe.com TCP 443,9000 ${at(31)}`,
      `ClusterNetworkPolicy/names spec.egress[0] api.stripe.com TCP 443,9000 ${at(31)}`,
      `CiliumNetworkPolicy/batch/job-out spec.egress[0] api.stripe.com TCP 443,8443 ${at(14)}`,
      `CiliumNetworkPolicy/batch/job-out spec.egress[0] *.stripe.com TCP 443,8443 ${at(14)}`,
      `CiliumNetworkPolicy/batch/job-out spec.egress[1] **.com TCP 80 ${at(16)}`,
    ]);
    assert.deepEqual(rules('API.STRIPE.COM.', '443'), [
      `ClusterNetworkPolicy/names spec.egress[0] *.stripe.com TCP 443 ${at(31)}`,
      `ClusterNetworkPolicy/names spec.egress[0] api.stripe.com TCP 443 ${at(31)}`,
      `CiliumNetworkPolicy/batch/job-out spec.egress[0] api.stripe.com TCP 443 ${at(14)}`,
      `CiliumNetworkPolicy/batch/job-out spec.egress[0] *.stripe.com TCP 443 ${at(14)}`,
    ]);
    assert.deepEqual(rules('x.y.com'), [
      `CiliumNetworkPolicy/batch/job-out spec.egress[1] **.com TCP 80 ${at(16)}`,
    ]);
    assert.deepEqual(rules('other.example.org'), [
      `CiliumNetworkPolicy/batch/job-out spec.egress[2] other.example.org TCP 80 ${at(18)}`,
    ]);
    assert.deepEqual(rules('nothing.net'), []);
  });

  test('patterns: spaces, case and a final dot do not count; stars only where they stand', () => {
    assert.ok(domainMatches(' API.Stripe.com. ', 'api.stripe.com'));
    assert.ok(domainMatches('*', 'a.b'));
    assert.ok(!domainMatches('a*', 'b.a'));
    assert.ok(!domainMatches('x**.stripe.com', 'a.b.stripe.com'));
    assert.ok(domainMatches('x**.stripe.com', 'xyz.stripe.com'));
    assert.ok(!domainMatches('a.**.com', 'a.b.c.com'));
    assert.ok(domainMatches('a**b.com', 'axxb.com'));
  });
});

describe("explain: the pod's own node, and adjacent ports of two rules", () => {
  test('from the node of an isolated pod: allowed whatever its policies say, unless the profile polices it', () => {
    assert.equal(
      explain('192.168.0.1', 'a/db', '79-81', ownNode),
      `192.168.0.1/32 → a/db: ALLOWED on 79-81/TCP

Egress of 192.168.0.1/32: 192.168.0.1/32 is an address of node n1, not a pod: no pod's egress policy applies
Ingress of a/db: isolated, selected by 1 policy for ingress:
  a/db-in  test/fixtures/explain/own-node.yaml:20
  own node: always allowed (Kubernetes): 192.168.0.1/32 is the pod's node

By port:
  79-81/TCP: ALLOWED
    egress:  does not apply (a node's address)
    ingress: allowed
`,
    );
    assert.equal(
      explain('a/web', 'a/db', '79-82', ownNode),
      `a/web → a/db: ALLOWED on 80-81/TCP only; the rest of 79-82/TCP is denied

Egress of a/web: not isolated: no policy selects it for egress, so it allows everything
Ingress of a/db: isolated, selected by 1 policy for ingress:
  a/db-in  test/fixtures/explain/own-node.yaml:20

By port:
  80/TCP: ALLOWED
    egress:  allowed (not isolated)
    ingress: allowed by a/db-in spec.ingress[0].from[0] (test/fixtures/explain/own-node.yaml:26): pods labelled app=web in namespace a
  81/TCP: ALLOWED
    egress:  allowed (not isolated)
    ingress: allowed by a/db-in spec.ingress[1].from[0] (test/fixtures/explain/own-node.yaml:28): any pod in namespace a
  79/TCP, 82/TCP: DENIED
    egress:  allowed (not isolated)
    ingress: denied: no rule allows it
`,
    );
    assert.equal(
      explain('192.168.0.1', 'a/db', '79-81', ownNodePolicy),
      `192.168.0.1/32 → a/db: DENIED on 79-81/TCP

Egress of 192.168.0.1/32: 192.168.0.1/32 is an address of node n1, not a pod: no pod's egress policy applies
Ingress of a/db: isolated, selected by 1 policy for ingress:
  a/db-in  test/fixtures/explain/own-node.yaml:20
  No rule allows 79-81/TCP from 192.168.0.1/32. Nearest rules:
  - a/db-in spec.ingress[0] (test/fixtures/explain/own-node.yaml:26): the ports fit, the peer does not match
      the peer selects pods, and 192.168.0.1/32 is an address of node n1 (spec.ingress[0].from[0], line 26)
  - a/db-in spec.ingress[1] (test/fixtures/explain/own-node.yaml:28): the ports fit, the peer does not match
      the peer selects pods, and 192.168.0.1/32 is an address of node n1 (spec.ingress[1].from[0], line 28)

By port:
  79-81/TCP: DENIED
    egress:  does not apply (a node's address)
    ingress: denied: no rule allows it
`,
    );
  });
});
