/**
 * check-flows names an observed end with one function wherever it names one: a Node's address reads as the
 * node's in the rows and in the "blocked at" words alike. The engine blocks an observed connection at the
 * side of a workload, so the words reach an address only in the form "open on each side, never for one pod
 * pair" (`explainDenied`'s last case), written here by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkObserved, type FlowCheck } from '../../src/flows/check.ts';
import { observeFlowText } from '../../src/flows/index.ts';
import { openSession } from '../../src/engine/session.ts';
import { formatFlowCheck } from '../../src/format/flows.ts';
import { loadState } from '../flows/support.ts';

test("the 'blocked at' words name a Node's address as the rows do", async () => {
  const state = await loadState('test/fixtures/own-node/cluster.yaml');
  const csv = 'src_ip,dst_namespace,dst_workload,protocol,port,count\n192.168.0.2,shop,web,TCP,80,3\n';
  const traffic = observeFlowText([{ name: 'flows.csv', text: csv }], state);
  const session = openSession(state);
  const check = checkObserved(session, traffic.connections);
  assert.equal(check.denied.length, 1);
  const both: FlowCheck = { ...check, denied: [{ ...check.denied[0]!, blockedAt: ['egress', 'ingress'] }] };
  const decided = { decisions: new Map(), clusterPolicies: 0 };
  const text = formatFlowCheck(both, traffic, state, session.compiled.addressSpace, 'txt', decided);
  assert.match(
    text,
    /^192\.168\.0\.2 \(an address of node n2\) +shop\/web +TCP 80 +3 +- +egress of 192\.168\.0\.2 \(an address of node n2\) and ingress of shop\/web$/m,
  );
});
