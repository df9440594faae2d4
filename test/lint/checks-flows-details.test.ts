/**
 * checks/flows.ts, called with the context a rule gets: observed ends resolved to workloads (pods' own IPs,
 * not host-network ones) or address classes, rules matching an end through any peer and any class, and the
 * observations left out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointResolver, resolveObserved, ruleMatches, type End } from '../../src/lint/checks/flows.ts';
import { lint } from '../../src/lint/run.ts';
import type { AnyRule, ObservedConnection, RuleContext } from '../../src/lint/types.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';

/** The context lint gives a rule. */
function contextOf(state: ClusterState, observed?: readonly ObservedConnection[]): RuleContext {
  let captured: RuleContext | undefined;
  const probe: AnyRule = {
    id: 'probe',
    meta: {
      severity: 'warning',
      category: 'flows',
      description: '-',
      rationale: '-',
      fix: '-',
      messages: {},
    },
    check: (ctx: RuleContext) => {
      captured = ctx;
    },
  };
  lint({ state, ...(observed === undefined ? {} : { observed }) }, { rules: [probe] });
  return captured!;
}

const base = cluster({
  namespaces: [ns('shop')],
  pods: [
    pod('shop', 'web', { app: 'web' }, { ips: ['10.1.0.1'] }),
    pod('shop', 'node-agent', { app: 'agent' }, { ips: ['10.9.0.1'], hostNetwork: true }),
  ],
  policies: [
    policy('shop', 'p', {
      podSelector: {},
      ingress: [
        { from: [{ ipBlock: { cidr: '192.168.0.0/16' } }, { ipBlock: { cidr: '172.16.0.0/12' } }] },
        {
          from: [
            { podSelector: { matchLabels: { tier: 'gold' } } },
            { podSelector: { matchLabels: { app: 'none' } } },
          ],
        },
      ],
    }),
  ],
});
// One workload of two pods, one of them tier=gold: two classes.
const twoClasses: ClusterState = (() => {
  const gold = pod('shop', 'api-1', { app: 'api', tier: 'gold' }, { ips: ['10.1.0.2'] });
  const plain = pod('shop', 'api-2', { app: 'api' }, { ips: ['10.1.0.3'] });
  const workload = {
    id: 'shop/Deployment/api',
    namespace: 'shop',
    kind: 'Deployment' as const,
    name: 'api',
    labels: { app: 'api' },
    pods: ['api-1', 'api-2'],
    replicas: 2,
  };
  return {
    ...base,
    pods: [...base.pods, { ...gold, workload: workload.id }, { ...plain, workload: workload.id }],
    workloads: [...base.workloads, workload],
  };
})();

const describeEnd = (e: End | undefined): string =>
  e === undefined ? 'none' : e.kind === 'workload' ? `workload ${e.id}` : `address ${e.label}`;

test("an observed address is its pod's workload, unless the pod is on the host network", () => {
  const resolve = endpointResolver(contextOf(base));
  assert.deepEqual(
    ['10.1.0.1', '10.9.0.1', '8.8.8.8', 'not-an-ip'].map((ip) =>
      describeEnd(resolve({ kind: 'external', ip })),
    ),
    ['workload shop/Pod/web', 'address 10.9.0.1', 'address 8.8.8.8', 'none'],
  );
});

test('a rule matches an end when any of its peers does, and a workload when any of its classes does', () => {
  const ctx = contextOf(twoClasses);
  const resolve = endpointResolver(ctx);
  const [byAddress, byPods] = ctx.compiled.policies[0]!.ingress;
  const at = (ip: string) => resolve({ kind: 'external', ip })!;
  assert.equal(ruleMatches(ctx, byAddress!, at('192.168.1.1')), true);
  assert.equal(ruleMatches(ctx, byAddress!, at('8.8.8.8')), false);
  const api = resolve({ kind: 'workload', id: 'shop/Deployment/api' })!;
  assert.equal(api.kind === 'workload' && api.classes.length, 2);
  assert.equal(ruleMatches(ctx, byPods!, api), true);
  assert.equal(ruleMatches(ctx, byPods!, resolve({ kind: 'workload', id: 'shop/Pod/web' })!), false);
});

test('observations with an unknown end, or between two addresses, are left out; none without flows', () => {
  const observed: ObservedConnection[] = [
    {
      src: { kind: 'external', ip: '8.8.8.8' },
      dst: { kind: 'workload', id: 'shop/Pod/web' },
      protocol: 'TCP',
      port: 80,
    },
    {
      src: { kind: 'external', ip: '8.8.8.8' },
      dst: { kind: 'external', ip: '10.9.0.1' },
      protocol: 'TCP',
      port: 80,
    },
    {
      src: { kind: 'workload', id: 'shop/Pod/gone' },
      dst: { kind: 'workload', id: 'shop/Pod/web' },
      protocol: 'TCP',
      port: 80,
    },
  ];
  assert.deepEqual(
    resolveObserved(contextOf(base, observed)).map((r) => `${describeEnd(r.src)} -> ${describeEnd(r.dst)}`),
    ['address 8.8.8.8 -> workload shop/Pod/web'],
  );
  assert.deepEqual(resolveObserved(contextOf(base)), []);
});
