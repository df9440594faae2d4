/**
 * The impact of an apply in detail: what the engine keeps of a stored NetworkPolicy, the phase a broken flow
 * is reported at when several states deny it, and the names of a cut towards an address range. (Found
 * missing by mutation testing: see docs/mutation/apply.md.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  breakingFlows,
  phaseSessions,
  planApply,
  policyInfoOf,
  transientCuts,
  type DesiredPolicy,
} from '../../src/apply/index.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { openSession } from '../../src/engine/session.ts';
import type { ObservedConnection } from '../../src/flows/types.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, ns, pod } from '../support/builders.ts';

function np(id: string, spec: NetworkPolicySpec): NetworkPolicy {
  const [namespace, name] = id.split('/') as [string, string];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function desired(p: NetworkPolicy): DesiredPolicy {
  return { desired: p, result: p };
}

const web = { matchLabels: { app: 'web' } };

describe('policyInfoOf', () => {
  test("netfence's own annotations only (the ignore suppressions), the labels, the spec", () => {
    const spec: NetworkPolicySpec = { podSelector: {}, policyTypes: ['Ingress'] };
    const stored: NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'p',
        namespace: 'shop',
        labels: { team: 'a' },
        annotations: {
          'netfence.io/ignore': 'no-allow-all -- reviewed',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
      },
      spec,
    };
    assert.deepEqual(policyInfoOf(stored), {
      id: 'shop/p',
      namespace: 'shop',
      name: 'p',
      spec,
      labels: { team: 'a' },
      annotations: { 'netfence.io/ignore': 'no-allow-all -- reviewed' },
    });
  });

  test('no metadata but the kind: empty strings and maps', () => {
    const spec: NetworkPolicySpec = { podSelector: {} };
    assert.deepEqual(
      policyInfoOf({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {}, spec }),
      {
        id: '/',
        namespace: '',
        name: '',
        spec,
        labels: {},
        annotations: {},
      },
    );
  });
});

describe('breakingFlows over several phases', () => {
  const live = cluster({
    namespaces: [ns('prod')],
    pods: [
      pod('prod', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
      pod('prod', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
      pod('prod', 'cache', { app: 'cache' }, { ips: ['10.0.0.3'] }),
    ],
  });
  const flow = (src: string, dst: string): ObservedConnection => ({
    src: { kind: 'workload', id: `prod/Pod/${src}` },
    dst: { kind: 'workload', id: `prod/Pod/${dst}` },
    protocol: 'TCP',
    port: 5432,
    count: 1,
    denied: 0,
  });

  test('each flow at the first state that denies it, once, even when later states deny it too', () => {
    // Phase 1 (allow): db admits web only, so cache → db is denied from then on. Phase 2 (deny): web's
    // egress is shut too, so web → db goes then.
    const plan = planApply({
      desired: [
        desired(
          np('prod/db', {
            podSelector: { matchLabels: { app: 'db' } },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: web }] }],
          }),
        ),
        desired(np('prod/web-deny', { podSelector: web, policyTypes: ['Egress'] })),
      ],
      live: [],
      prune: [],
      staged: true,
    });
    const breaking = breakingFlows(phaseSessions(openSession(live), plan), [
      flow('cache', 'db'),
      flow('web', 'db'),
    ]);
    assert.deepEqual(
      breaking.map((b) => [b.connection, b.afterPhase, b.blockedAt, b.policies]),
      [
        [flow('cache', 'db'), 1, ['ingress'], ['prod/db']],
        [flow('web', 'db'), 2, ['egress'], ['prod/web-deny']],
      ],
    );
  });
});

describe('transientCuts towards an address range', () => {
  test('the range is named by its addresses, with the ports cut', () => {
    const live = cluster({
      namespaces: [ns('prod')],
      pods: [pod('prod', 'web', { app: 'web' }, { ips: ['10.0.0.1'] })],
    });
    const plan = planApply({
      desired: [
        desired(np('prod/deny', { podSelector: {}, policyTypes: ['Egress'] })),
        desired(
          np('prod/net', {
            podSelector: web,
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }], ports: [{ port: 443 }] }],
          }),
        ),
      ],
      live: [],
      prune: [],
      staged: true,
    });
    const wrong = { ...plan, phases: [...plan.phases].reverse() };
    assert.deepEqual(
      transientCuts(phaseSessions(openSession(live), wrong)).map((c) => [
        c.afterPhase,
        c.src,
        c.dst,
        formatPorts(c.ports),
      ]),
      [[1, 'prod/web', '192.168.0.0/16', 'TCP 443']],
    );
    assert.deepEqual(transientCuts(phaseSessions(openSession(live), plan)), [], 'allow first: nothing cut');
  });
});
