/**
 * `explain` (issue #20, round 11): two mutants earlier rounds listed as equivalent that are not (see
 * docs/mutation/engine.md, "`src/engine` slice C", "Round 11"): the own-node rule is for a pod's ingress only,
 * also when the source is a host-network pod on its node whose egress a Cilium host policy closes; and a port
 * query whose start is past 65535 says so, whatever its end.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { explainEntities, parsePortQuery } from '../../src/engine/explain.ts';
import { resolveCniProfile } from '../../src/engine/profiles.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import { ccnp, cluster, node, ns, pod } from '../support/builders.ts';

describe('explain: the own-node rule on the egress side of a host-network pod', () => {
  test("a host policy closing the host's egress denies its pod on the same node; no own-node rule there", () => {
    const firewall = resolveCniProfile('cilium', ['enable-host-firewall=true']);
    assert.ok(firewall.ok);
    const state = cluster({
      namespaces: [ns('a')],
      nodes: [node('n1', { role: 'w' }, ['192.168.0.1'])],
      pods: [
        pod('a', 'h', { app: 'h' }, { ips: ['192.168.0.1'], hostNetwork: true, nodeName: 'n1' }),
        pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.3'], nodeName: 'n1' }),
      ],
      // The host may only reach the world: its egress is isolated, and its own pods are not the world.
      ciliumPolicies: [
        ccnp('host', { nodeSelector: { matchLabels: { role: 'w' } }, egress: [{ toEntities: ['world'] }] }),
      ],
    });
    const compiled = compileCluster(state, { cni: firewall.value });
    // What `analyze` says: nothing from the host-network pod to the pod on its node.
    const connectivity = computeConnectivity(compiled, 'pod');
    assert.equal(
      connectivity.connections.filter((c) => c.src === 'a/Pod/h' && c.dst === 'a/Pod/web').length,
      0,
    );
    const index = buildRefIndex(compiled, 'pod');
    const src = resolveRefText(index, 'a/h');
    const dst = resolveRefText(index, 'a/web');
    assert.ok(src.ok && dst.ok);
    const query = parsePortQuery('80');
    assert.ok(typeof query !== 'string');
    const [e] = explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, query);
    assert.ok(e !== undefined);
    assert.equal(e.verdict, 'denied');
    // The egress side (the host's) is closed by the host policy; the own-node rule is the ingress side's only.
    assert.equal(e.egress.ownNode, undefined);
    assert.ok(!explanationToText(e).split('\n')[0]!.includes('ALLOWED'), explanationToText(e));
  });
});

describe('parsePortQuery: a start past 65535', () => {
  test('is out of bounds before the range is checked, whatever the end', () => {
    assert.equal(parsePortQuery('70000-80'), 'invalid port "70000-80": ports are 1 to 65535');
    assert.equal(parsePortQuery('70000-70001/UDP'), 'invalid port "70000-70001/UDP": ports are 1 to 65535');
  });
});
