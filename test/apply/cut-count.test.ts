/**
 * `apply --staged` counts the connections it would cut between phases as `analyze` counts the live state's
 * (docs/json-schema.md "Connections"): one connection is counted once, however many address ranges of the
 * phases' common address classes it is split into and however many phases cut it. Each row stays: one per
 * phase and pair of the common classes, naming the connection it is part of when it is a part.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  connectivityChange,
  cutConnections,
  phaseSessions,
  planApply,
  transientCuts,
  type ApplyPlan,
  type TransientCut,
} from '../../src/apply/index.ts';
import type { ApplyJson } from '../../src/contract/apply.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { openSession, type ClusterSession } from '../../src/engine/session.ts';
import { ApplyReport } from '../../src/format/apply.ts';
import { nodesOfIp } from '../../src/format/flows.ts';
import { externalId } from '../../src/engine/connectivity.ts';
import {
  NO_PORTS,
  intersectPorts,
  isEmptyPorts,
  subtractPorts,
  type PortSet,
} from '../../src/engine/ports.ts';
import fc from 'fast-check';
import { policyInfoOf } from '../../src/apply/impact.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, ns, pod } from '../support/builders.ts';

function np(name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'prod' },
    spec,
  };
}

const WEB = { matchLabels: { app: 'web' } };
const DB = { matchLabels: { app: 'db' } };
/** Live: web's ingress isolated, open to 172.16.0.0/16 on TCP 80. */
const FROM_RANGE = np('x', {
  podSelector: WEB,
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ ipBlock: { cidr: '172.16.0.0/16' } }], ports: [{ port: 80 }] }],
});
/** Live, pruned by the apply: web's ingress denied. */
const DENY_WEB = np('w', { podSelector: WEB, policyTypes: ['Ingress'] });
/** The desired `x`: web's egress only, open to everything (an allow policy): web's ingress rests on `w` alone. */
const X_EGRESS = np('x', { podSelector: WEB, policyTypes: ['Egress'], egress: [{}] });
/** db's egress to 172.16.1.0/24 only: splits 172.16.0.0/16 in the phases' common address classes. */
const DB_TO_SUBNET = np('y', {
  podSelector: DB,
  policyTypes: ['Egress'],
  egress: [{ to: [{ ipBlock: { cidr: '172.16.1.0/24' } }] }],
});
/** A default-deny of db's ingress: a second phase that leaves web's ingress denied. */
const DENY_DB = np('d', { podSelector: DB, policyTypes: ['Ingress'] });

const live = cluster({
  namespaces: [ns('prod')],
  pods: [
    pod('prod', 'web', { app: 'web' }, { ips: ['10.1.0.1'] }),
    pod('prod', 'db', { app: 'db' }, { ips: ['10.1.0.2'] }),
  ],
  policies: [policyInfoOf(FROM_RANGE), policyInfoOf(DENY_WEB)],
});

function staged(desired: NetworkPolicy[]): { plan: ApplyPlan; sessions: ClusterSession[] } {
  const plan = planApply({
    desired: desired.map((p) => ({ desired: p, result: p })),
    live: [FROM_RANGE, DENY_WEB],
    prune: [DENY_WEB],
    staged: true,
  });
  return { plan, sessions: phaseSessions(openSession(live), plan) };
}

function rows(cuts: readonly TransientCut[]): string[][] {
  return cuts.map((c) => [
    String(c.afterPhase),
    c.src,
    c.dst,
    formatPorts(c.ports),
    `${c.connection.src} → ${c.connection.dst}`,
  ]);
}

function report(plan: ApplyPlan, sessions: ClusterSession[], output: 'txt' | 'json'): string {
  let out = '';
  const r = new ApplyReport(
    (text) => (out += text),
    { output, staged: true },
    { context: 'dev', server: 'https://127.0.0.1:6443' },
    plan,
    connectivityChange(sessions),
    'all',
  );
  r.plan(transientCuts(sessions), [], false, nodesOfIp(live));
  r.finish({ refused: 'refused' });
  return out;
}

describe('connections cut between phases, counted as analyze counts the live state', () => {
  test('a range another policy splits in two address classes is one connection, cut once', () => {
    const { plan, sessions } = staged([X_EGRESS, DB_TO_SUBNET]);
    assert.deepEqual(
      plan.phases.map((p) => p.kind),
      ['allow', 'prune'],
    );
    const cuts = transientCuts(sessions);
    assert.deepEqual(rows(cuts), [
      ['1', '172.16.0.0/16 except 172.16.1.0/24', 'prod/web', 'TCP 80', '172.16.0.0/16 → prod/web'],
      ['1', '172.16.1.0/24', 'prod/web', 'TCP 80', '172.16.0.0/16 → prod/web'],
    ]);
    assert.equal(cutConnections(cuts), 1);
    const text = report(plan, sessions, 'txt');
    assert.match(
      text,
      /^Connections cut between phases \(1 in 2 rows\):\n {2}172\.16\.0\.0\/16 except 172\.16\.1\.0\/24 → prod\/web TCP 80 \(part of 172\.16\.0\.0\/16 → prod\/web\): cut after phase 1 \(allow policies\), allowed again at the end\n {2}172\.16\.1\.0\/24 → prod\/web TCP 80 \(part of 172\.16\.0\.0\/16 → prod\/web\): cut after phase 1/m,
    );
    const json = JSON.parse(report(plan, sessions, 'json')) as ApplyJson;
    assert.equal(json.cutConnections, 1);
    assert.deepEqual(
      json.transientCuts.map((c) => [c.src, c.connection]),
      [
        ['172.16.0.0/16 except 172.16.1.0/24', { src: '172.16.0.0/16', dst: 'prod/web' }],
        ['172.16.1.0/24', { src: '172.16.0.0/16', dst: 'prod/web' }],
      ],
    );
  });

  test('a connection cut in two phases is counted once, with a row per phase', () => {
    const { plan, sessions } = staged([X_EGRESS, DENY_DB]);
    assert.deepEqual(
      plan.phases.map((p) => p.kind),
      ['allow', 'deny', 'prune'],
    );
    const cuts = transientCuts(sessions);
    assert.deepEqual(rows(cuts), [
      ['1', '172.16.0.0/16', 'prod/web', 'TCP 80', '172.16.0.0/16 → prod/web'],
      ['2', '172.16.0.0/16', 'prod/web', 'TCP 80', '172.16.0.0/16 → prod/web'],
    ]);
    assert.equal(cutConnections(cuts), 1);
    const text = report(plan, sessions, 'txt');
    // Not split: no row says what it is part of.
    assert.match(
      text,
      /^Connections cut between phases \(1 in 2 rows\):\n {2}172\.16\.0\.0\/16 → prod\/web TCP 80: cut after phase 1 \(allow policies\), allowed again at the end\n {2}172\.16\.0\.0\/16 → prod\/web TCP 80: cut after phase 2 \(default-deny policies\), allowed again at the end$/m,
    );
    assert.equal((JSON.parse(report(plan, sessions, 'json')) as ApplyJson).cutConnections, 1);
  });

  test('one row per connection: the header gives the count alone', () => {
    const { plan, sessions } = staged([X_EGRESS]);
    const cuts = transientCuts(sessions);
    assert.equal(cuts.length, 1);
    assert.equal(cutConnections(cuts), 1);
    assert.match(report(plan, sessions, 'txt'), /^Connections cut between phases \(1\):$/m);
  });
});

// Random staged plans against a simple reference, asked address by address rather than in address classes.

const APPS = ['web', 'db', 'cache'] as const;
const CIDRS = ['172.16.0.0/16', '172.16.1.0/24', '172.16.1.128/25'] as const;
/** One address in each piece the CIDRs make (and one outside them, of each family). */
const PROBES = ['172.16.0.1', '172.16.1.1', '172.16.1.129', '8.8.8.8', '2001:db8::1'] as const;

const peerArb = fc.oneof(
  fc.constantFrom(...APPS).map((app) => ({ podSelector: { matchLabels: { app } } })),
  fc.constantFrom(...CIDRS).map((cidr) => ({ ipBlock: { cidr } })),
);
const ruleArb = fc.record({
  peers: fc.array(peerArb, { minLength: 1, maxLength: 2 }),
  port: fc.constantFrom<number | undefined>(80, 443, undefined),
});
const specArb = fc
  .record({
    app: fc.constantFrom<string | undefined>(...APPS, undefined),
    ingress: fc.option(fc.array(ruleArb, { maxLength: 2 }), { nil: undefined }),
    egress: fc.option(fc.array(ruleArb, { maxLength: 2 }), { nil: undefined }),
  })
  .filter((s) => s.ingress !== undefined || s.egress !== undefined)
  .map((s): NetworkPolicySpec => {
    const ports = (port: number | undefined) => (port === undefined ? {} : { ports: [{ port }] });
    return {
      podSelector: s.app === undefined ? {} : { matchLabels: { app: s.app } },
      policyTypes: [...(s.ingress ? (['Ingress'] as const) : []), ...(s.egress ? (['Egress'] as const) : [])],
      ...(s.ingress ? { ingress: s.ingress.map((r) => ({ from: r.peers, ...ports(r.port) })) } : {}),
      ...(s.egress ? { egress: s.egress.map((r) => ({ to: r.peers, ...ports(r.port) })) } : {}),
    };
  });
/** Four policy names, each live or not and desired or not (a live one not desired is pruned). */
const planArb = fc.array(
  fc.record({
    live: fc.option(specArb, { nil: undefined }),
    desired: fc.option(specArb, { nil: undefined }),
  }),
  { minLength: 4, maxLength: 4 },
);

const randomLive = (policies: NetworkPolicy[]) =>
  cluster({
    namespaces: [ns('prod')],
    pods: APPS.map((app, i) => pod('prod', app, { app }, { ips: [`10.1.0.${i + 1}`] })),
    policies: policies.map(policyInfoOf),
  });

/** Ports allowed from `src` to `dst` (a workload id, or a probe address) in one state. */
function portsAt(session: ClusterSession, src: string, dst: string): PortSet {
  const conn = session.connectivity('workload');
  const id = (end: string): string =>
    end.includes('/') ? end : externalId(session.compiled.addressSpace.classOfIp(end)!);
  const c = conn.connections.find((x) => x.src === id(src) && x.dst === id(dst));
  return c?.ports ?? NO_PORTS;
}

/** The live connections cut after some phase: each live state's `analyze` connection whose ends hold a cut probe. */
function referenceCount(sessions: readonly ClusterSession[]): number {
  const [first, last] = [sessions[0]!, sessions[sessions.length - 1]!];
  const workloads = APPS.map((app) => `prod/Pod/${app}`);
  const ends = [...workloads, ...PROBES];
  const liveId = (end: string): string =>
    end.includes('/') ? end : externalId(first.compiled.addressSpace.classOfIp(end)!);
  const cut = new Set<string>();
  for (const src of ends) {
    for (const dst of ends) {
      if (!workloads.includes(src) && !workloads.includes(dst)) continue;
      const kept = intersectPorts(portsAt(first, src, dst), portsAt(last, src, dst));
      for (const mid of sessions.slice(1, -1)) {
        if (!isEmptyPorts(subtractPorts(kept, portsAt(mid, src, dst))))
          cut.add(`${liveId(src)} ${liveId(dst)}`);
      }
    }
  }
  return cut.size;
}

test('random staged plans, in any order of their phases: the count is of the live connections cut', () => {
  let withCuts = 0;
  let split = 0;
  fc.assert(
    fc.property(planArb, fc.boolean(), (names, reverse) => {
      const policies = names.map((n, i) => ({
        live: n.live && np(`p${i}`, n.live),
        desired: n.desired && np(`p${i}`, n.desired),
      }));
      const live = policies.flatMap((p) => (p.live ? [p.live] : []));
      const plan = planApply({
        desired: policies.flatMap((p) => (p.desired ? [{ desired: p.desired, result: p.desired }] : [])),
        live,
        prune: policies.flatMap((p) => (p.live && !p.desired ? [p.live] : [])),
        staged: true,
      });
      const ordered = reverse ? { ...plan, phases: [...plan.phases].reverse() } : plan;
      const sessions = phaseSessions(openSession(randomLive(live)), ordered);
      const cuts = transientCuts(sessions);
      assert.equal(cutConnections(cuts), referenceCount(sessions));
      if (cuts.length > 0) withCuts++;
      if (cutConnections(cuts) < cuts.length) split++;
    }),
    { numRuns: 150 },
  );
  // Not vacuous: plans cut, and some connections have several rows (of 150 runs, 24 and 4 at least over 20
  // seeds, about 32 and 9 on average).
  assert.ok(withCuts >= 5, `${withCuts} plans cut`);
  assert.ok(split >= 1, `${split} plans with a connection in several rows`);
});
