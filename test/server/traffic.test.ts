/**
 * The traffic overlay (`/api/flows`) field by field, on a cluster and a capture written by the test: an
 * edge observed on some of its allowed ports, an edge denied on a port beside an allowed one, a pair the
 * policies never allow (an edge only denied, from a pod and from an address outside the cluster), what was
 * left out of the capture and the ends it could not match. Found missing by the whole-folder mutation run of
 * src/server, round 8 (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openSession } from '../../src/engine/session.ts';
import { emptyStats, type ObservedConnection, type ObservedTraffic } from '../../src/flows/types.ts';
import { trafficOverlay } from '../../src/server/traffic.ts';
import { cluster, ns, pod, policy } from '../support/builders.ts';

// app/a may reach app/b on 80 and 443; app/c takes nothing; app/d is open.
const state = cluster({
  namespaces: [ns('app')],
  pods: [
    pod('app', 'a', { app: 'a' }, { ips: ['10.0.0.1'] }),
    pod('app', 'b', { app: 'b' }, { ips: ['10.0.0.2'] }),
    pod('app', 'c', { app: 'c' }, { ips: ['10.0.0.3'] }),
  ],
  policies: [
    policy('app', 'b-from-a', {
      podSelector: { matchLabels: { app: 'b' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port: 80 }, { port: 443 }] },
      ],
    }),
    policy('app', 'c-closed', {
      podSelector: { matchLabels: { app: 'c' } },
      policyTypes: ['Ingress', 'Egress'],
    }),
    policy('app', 'a-out', {
      podSelector: { matchLabels: { app: 'a' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'b' } } }] }],
    }),
  ],
});

const A = 'app/Pod/a';
const B = 'app/Pod/b';
const C = 'app/Pod/c';

function conn(src: string, dst: string, port: number, count: number, denied = 0): ObservedConnection {
  const end = (e: string) =>
    e.includes('/') ? { kind: 'workload' as const, id: e } : { kind: 'external' as const, ip: e };
  return { src: end(src), dst: end(dst), protocol: 'TCP', port, count, denied };
}

function traffic(
  connections: ObservedConnection[],
  stats: Partial<ReturnType<typeof emptyStats>> = {},
): ObservedTraffic {
  return {
    connections,
    unmatched: [],
    stats: {
      ...emptyStats(),
      files: [{ name: 'flows.jsonl', format: 'hubble', lines: connections.length }],
      records: connections.length,
      counted: connections.length,
      ...stats,
    },
    problems: [],
    errors: [],
    notices: [],
  };
}

describe('trafficOverlay', () => {
  const session = openSession(state, { ipBlockMatchesPods: true });

  test('every edge, field by field', () => {
    const overlay = trafficOverlay(
      session,
      traffic([
        conn(A, B, 80, 3), // allowed: b's 443 is not seen
        conn(A, B, 8080, 1), // denied beside the allowed ports
        conn(A, C, 80, 2, 2), // a pair the policies never allow, dropped during the capture too
        conn('203.0.113.9', B, 80, 4), // from outside: denied
        conn(A, A, 9000, 1), // a single pod to itself: no policy can stop it (check-flows counts it apart)
      ]),
    );
    const edges = Object.fromEntries(overlay.edges.map((e) => [`${e.src} ${e.dst}`, e]));
    assert.deepEqual(edges[`${A} ${B}`], {
      src: A,
      dst: B,
      status: 'denied',
      observed: [{ protocol: 'TCP', port: 80, count: 3 }],
      denied: [{ protocol: 'TCP', port: 8080, count: 1, blockedAt: ['ingress'], policies: ['app/b-from-a'] }],
      unobserved: 'TCP 443',
    });
    assert.deepEqual(edges[`${A} ${C}`], {
      src: A,
      dst: C,
      status: 'denied',
      observed: [],
      denied: [
        {
          protocol: 'TCP',
          port: 80,
          count: 2,
          blockedAt: ['egress', 'ingress'],
          policies: ['app/a-out', 'app/c-closed'],
        },
      ],
      unobserved: null,
    });
    const outside = overlay.edges.find((e) => e.dst === B && e.src.startsWith('external:'))!;
    assert.deepEqual(
      { ...outside, src: 'outside' },
      {
        src: 'outside',
        dst: B,
        status: 'denied',
        observed: [],
        denied: [{ protocol: 'TCP', port: 80, count: 4, blockedAt: ['ingress'], policies: ['app/b-from-a'] }],
        unobserved: null,
      },
    );
    // Allowed pairs no flow shows: every allowed port unobserved, nothing observed or denied.
    for (const e of overlay.edges.filter((x) => x.status === 'unobserved')) {
      assert.deepEqual([e.observed, e.denied], [[], []]);
      assert.notEqual(e.unobserved, null);
    }
    assert.deepEqual(overlay.summary, {
      observed: 0,
      partlyObserved: 0,
      unobserved: overlay.edges.length - 3,
      denied: 3,
      connections: 5,
      // Observed ports, as check-flows counts them: A→B 8080 and the outside's worked during the capture.
      // A's traffic to itself is not subject to policies, counted apart as check-flows' JSON and text do.
      ports: { observed: 5, allowed: 1, unpoliced: 1, wouldBeDenied: 2, stillDenied: 1 },
    });
    assert.equal(overlay.leftOut, null);
    assert.deepEqual(overlay.unmatched, []);
  });

  test('observed on every allowed port, or on some; left out and unmatched ends', () => {
    const t = traffic([conn(A, B, 80, 3)], { duplicates: 2 });
    t.unmatched = [
      {
        description: 'app/ghost',
        namespace: 'app',
        pod: 'ghost',
        records: 1,
        count: 1,
        example: 'flows.jsonl:1',
      },
    ];
    const some = trafficOverlay(session, t);
    const ab = some.edges.find((e) => e.src === A && e.dst === B)!;
    assert.deepEqual([ab.status, ab.unobserved, ab.denied], ['partly-observed', 'TCP 443', []]);
    assert.equal(some.leftOut, '2 repeat observations of counted attempts');
    assert.deepEqual(some.unmatched, ['app/ghost']);
    assert.equal(some.summary.partlyObserved, 1);

    const all = trafficOverlay(session, traffic([conn(A, B, 80, 3), conn(A, B, 443, 1)]));
    const ab2 = all.edges.find((e) => e.src === A && e.dst === B)!;
    assert.deepEqual([ab2.status, ab2.unobserved], ['observed', null]);
    assert.equal(all.summary.observed, 1);
  });
});
