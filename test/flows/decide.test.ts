/**
 * Which layer decided each observed connection (check-flows on a tiered cluster): the Admin or Baseline rule,
 * the NetworkPolicies, or the default, per direction; computed once per distinct class pair and port.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openSession } from '../../src/engine/session.ts';
import { checkObserved } from '../../src/flows/check.ts';
import { FlowAttributor, decideObserved, type SideDecision } from '../../src/flows/decide.ts';
import { readFlows, type FlowEnd, type ObservedConnection } from '../../src/flows/index.ts';
import { sideDecisionText } from '../../src/format/flows.ts';
import { FIXTURES, loadState } from './support.ts';

const TIERS = new URL('../fixtures/tiers/', import.meta.url).pathname;
const state = await loadState(TIERS);
const session = openSession(state);

const W = {
  aWeb: 'tenant-a/Deployment/web',
  aApi: 'tenant-a/Deployment/api',
  bWeb: 'tenant-b/Deployment/web',
  prometheus: 'monitoring/Deployment/prometheus',
  coredns: 'kube-system/Deployment/coredns',
} as const;

function end(id: string): FlowEnd {
  return id.includes('/') ? { kind: 'workload', id } : { kind: 'external', ip: id };
}

function conn(src: string, dst: string, protocol: 'TCP' | 'UDP', port: number): ObservedConnection {
  return { src: end(src), dst: end(dst), protocol, port, count: 1, denied: 0 };
}

/** `egress: <text> | ingress: <text>` of the single decision of each side. */
function decided(a: FlowAttributor, c: ObservedConnection): { egress: string; ingress: string } {
  const d = a.decide(c);
  const one = (list: SideDecision[]): string => {
    assert.equal(list.length, 1, 'one pod class per workload here');
    return sideDecisionText(list[0]!);
  };
  return { egress: one(d.egress), ingress: one(d.ingress) };
}

describe('flow attribution through the tiers', () => {
  test('each layer is named with its rule, per direction', () => {
    const a = new FlowAttributor(session.compiled);
    assert.deepEqual(decided(a, conn(W.aWeb, W.coredns, 'UDP', 53)), {
      egress: '[Admin] cnp/allow-dns egress rule 0 "dns" Accept',
      ingress: 'default (no policy)',
    });
    // The Admin tier passes monitoring's ingress down to tenant-a's NetworkPolicies.
    assert.deepEqual(decided(a, conn(W.prometheus, W.aApi, 'TCP', 9090)), {
      egress: 'default (no policy)',
      ingress: '[NetworkPolicy] tenant-a/allow-api ingress rule 0',
    });
    assert.deepEqual(decided(a, conn(W.prometheus, W.aWeb, 'TCP', 9090)), {
      egress: 'default (no policy)',
      ingress: '[NetworkPolicy] no rule allows it (tenant-a/allow-web, tenant-a/default-deny-ingress)',
    });
    assert.deepEqual(decided(a, conn(W.bWeb, W.aWeb, 'TCP', 8080)), {
      egress: '[Baseline] cnp/tenant-egress egress rule 1 "no-internet" Deny',
      ingress: '[Admin] cnp/tenant-isolation ingress rule 0 "from-tenant-b" Deny',
    });
    assert.deepEqual(decided(a, conn(W.coredns, W.bWeb, 'TCP', 8080)), {
      egress: 'default (no policy)',
      ingress: '[Baseline] banp/default ingress rule 1 "others" Deny',
    });
    assert.deepEqual(decided(a, conn(W.prometheus, '10.0.0.12', 'TCP', 10250)), {
      egress: '[Admin] cnp/scrape-nodes egress rule 0 "kubelet" Accept',
      // 10.0.0.12 is a node's address: in the cluster, though no pod's policy applies to it.
      ingress: "a node's address",
    });
    // Denied statically; the Baseline allows some names on 443, which may resolve to this address.
    assert.deepEqual(decided(a, conn(W.aWeb, '140.82.112.3', 'TCP', 443)), {
      egress:
        '[Baseline] cnp/tenant-egress egress rule 1 "no-internet" Deny (may be allowed by DNS name: cnp/tenant-egress egress rule 0 "saas" Accept api.example.com, *.github.com)',
      ingress: 'outside the cluster',
    });
  });

  test('the structured decision cites the rule and its location', () => {
    const d = new FlowAttributor(session.compiled).decide(conn(W.bWeb, W.aWeb, 'TCP', 8080));
    const ingress = d.ingress[0]!;
    assert.equal(ingress.allowed, false);
    assert.equal(ingress.decidedBy, 'admin');
    assert.equal(ingress.tierRule?.policy, 'ClusterNetworkPolicy/tenant-isolation');
    assert.equal(ingress.tierRule?.path, 'spec.ingress[0]');
    assert.match(ingress.tierRule?.location?.file ?? '', /admin\.yaml$/);
    assert.equal(d.egress[0]!.decidedBy, 'baseline');
  });

  test('one walk per distinct (source class, destination class, protocol, port), not per connection', () => {
    const a = new FlowAttributor(session.compiled);
    const first = a.decide(conn(W.aWeb, W.coredns, 'UDP', 53));
    assert.equal(a.evaluations, 1);
    // The same classes and port again (another capture row, another count): cached, and the same answer.
    assert.deepEqual(a.decide({ ...conn(W.aWeb, W.coredns, 'UDP', 53), count: 40, denied: 2 }), first);
    assert.equal(a.evaluations, 1);
    // Another port, another protocol, another destination: new walks.
    a.decide(conn(W.aWeb, W.coredns, 'TCP', 53));
    a.decide(conn(W.aWeb, W.coredns, 'UDP', 54));
    a.decide(conn(W.bWeb, W.coredns, 'UDP', 53));
    assert.equal(a.evaluations, 4);
    // Two IPs of the same address class share a walk.
    a.decide(conn(W.aWeb, '140.82.112.3', 'TCP', 443));
    a.decide(conn(W.aWeb, '140.82.112.4', 'TCP', 443));
    assert.equal(a.evaluations, 5);
  });

  test('the decisions agree with the check: both sides allow exactly the allowed connections', async () => {
    const traffic = await readFlows([join(FIXTURES, 'tiers/hubble.jsonl')], state);
    const check = checkObserved(session, traffic.connections);
    const decisions = decideObserved(session.compiled, [
      ...check.allowed,
      ...check.denied.map((d) => d.connection),
    ]);
    assert.equal(check.allowed.length, 4);
    assert.equal(check.denied.length, 4);
    const open = (list: readonly SideDecision[]): boolean => list.some((d) => d.allowed);
    for (const c of check.allowed) {
      const d = decisions.get(c)!;
      assert.ok(open(d.egress) && open(d.ingress));
    }
    for (const { connection, blockedAt } of check.denied) {
      const d = decisions.get(connection)!;
      assert.deepEqual(
        blockedAt,
        (['egress', 'ingress'] as const).filter((side) => !open(d[side])),
      );
    }
  });
});
