/**
 * `apply`'s report names a Node's address as the node's, as `analyze`'s tables do: in the connections a staged
 * rollout would cut between phases (an address range made of Nodes' addresses alone) and in the observed
 * traffic it would deny (an observed IP of a Node); JSON gives their Nodes (`srcNodes`, `nodes`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  breakingFlows,
  connectivityChange,
  phaseSessions,
  planApply,
  transientCuts,
} from '../../src/apply/index.ts';
import type { ApplyJson } from '../../src/contract/apply.ts';
import { openSession } from '../../src/engine/session.ts';
import { ApplyReport } from '../../src/format/apply.ts';
import { nodesOfIp } from '../../src/format/flows.ts';
import type { ObservedConnection } from '../../src/flows/types.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, node, ns, pod } from '../support/builders.ts';

function np(name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec,
  };
}

// web runs on n1 (192.168.0.1); n2 is 192.168.0.2. No policies yet: everything is allowed.
const live = cluster({
  namespaces: [ns('shop')],
  pods: [pod('shop', 'web', { app: 'web' }, { ips: ['10.0.0.1'], nodeName: 'n1' })],
  nodes: [node('n1', {}, ['192.168.0.1']), node('n2', {}, ['192.168.0.2'])],
});

// The files: web isolated for ingress, open to n2's address on TCP 80.
const DENY: NetworkPolicySpec = { podSelector: {}, policyTypes: ['Ingress'] };
const FROM_N2: NetworkPolicySpec = {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.2/32' } }], ports: [{ port: 80 }] }],
};

/** The report of a staged apply in the wrong order (the default-deny first), with n2 seen on TCP 443. */
function report(output: 'txt' | 'json'): string {
  const files = [np('deny', DENY), np('from-n2', FROM_N2)].map((p) => ({ desired: p, result: p }));
  const plan = planApply({ desired: files, live: [], prune: [], staged: true });
  const wrong = { ...plan, phases: [...plan.phases].reverse() };
  const sessions = phaseSessions(openSession(live), wrong);
  const observed: ObservedConnection[] = [
    {
      src: { kind: 'external', ip: '192.168.0.2' },
      dst: { kind: 'workload', id: 'shop/Pod/web' },
      protocol: 'TCP',
      port: 443,
      count: 3,
      denied: 0,
    },
  ];
  let out = '';
  const r = new ApplyReport(
    (text) => (out += text),
    { output, staged: true },
    { context: 'dev', server: 'https://127.0.0.1:6443' },
    wrong,
    connectivityChange(sessions),
    'all',
  );
  r.plan(transientCuts(sessions), breakingFlows(sessions, observed), true, nodesOfIp(live));
  r.finish({ refused: 'refused' });
  return out;
}

test("apply's cuts between phases and denied observed traffic name a Node's address as the node's", () => {
  const text = report('txt');
  assert.match(
    text,
    /^ {2}192\.168\.0\.2\/32 \(an address of node n2\) → shop\/web TCP 80: cut after phase 1 \(default-deny policies\), allowed again at the end$/m,
  );
  // The count is of observed ports, each line's number is of attempts (docs/json-schema.md "Connections").
  assert.match(
    text,
    /^Observed ports this apply would deny \(1\):\n {2}192\.168\.0\.2 \(an address of node n2\) → shop\/web TCP 443 \(3 attempts\): denied at ingress after phase 1 \(default-deny policies\) by shop\/deny$/m,
  );
});

test('apply -o json: the cut and the denied flow give the Nodes of their address end', () => {
  const json = JSON.parse(report('json')) as ApplyJson;
  assert.deepEqual(
    json.transientCuts.map((c) => [c.src, c.srcNodes, c.dst, c.dstNodes, c.summary]),
    [['192.168.0.2/32', ['n2'], 'shop/web', undefined, 'TCP 80']],
  );
  assert.deepEqual(
    json.breakingFlows?.map((b) => [b.src, b.dst, b.port, b.count]),
    [[{ ip: '192.168.0.2', nodes: ['n2'] }, { workload: 'shop/Pod/web' }, 443, 3]],
  );
});
