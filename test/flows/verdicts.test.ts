/**
 * `check-flows --verdicts`: Cilium's recorded policy verdicts (Hubble flows) beside netfence's decisions.
 * The recorded capture (examples/flows/webshop-hubble-verdicts.jsonl) runs over the bundled
 * webshop, on a cluster that also had a CiliumNetworkPolicy `data/deny-catalog-redis` (a deny rule) and a
 * CiliumClusterwideNetworkPolicy `allow-prometheus-metrics` the manifests do not hold: both tools agree on
 * most connections and disagree on the two those Cilium policies decide.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { observeFlowText } from '../../src/flows/index.ts';
import { readHubbleVerdict, type VerdictReading } from '../../src/flows/verdicts.ts';
import { compareVerdicts, policyNameOf } from '../../src/flows/verdict-check.ts';
import type { SideDecision } from '../../src/flows/decide.ts';
import type { ObservedConnection } from '../../src/flows/types.ts';
import type { VerdictObservation } from '../../src/flows/verdicts.ts';
import type { CheckFlowsJson, CheckFlowsVerdictsJson, VerdictRowJson } from '../../src/contract/flows.ts';
import { assertGolden, runCli } from '../support/cli.ts';
import { EXAMPLES, loadState } from './support.ts';

const CAPTURE = 'examples/flows/webshop-hubble-verdicts.jsonl';
const WEBSHOP = 'examples/webshop';
const captureLines = readFileSync(CAPTURE, 'utf8').trim().split('\n');

function policy(kind: string, namespace: string | undefined, name: string): Record<string, unknown> {
  return { name, ...(namespace === undefined ? {} : { namespace }), labels: [], revision: 2, kind };
}

function verdictOf(flow: Record<string, unknown>): VerdictReading {
  return readHubbleVerdict({ Type: 'L3_L4', ...flow });
}

describe('reading Cilium verdicts from Hubble flows', () => {
  test('policy-verdict events: allowed, denied, audit, with the policies of their direction', () => {
    assert.deepEqual(
      verdictOf({
        verdict: 'FORWARDED',
        event_type: { type: 5 },
        traffic_direction: 'INGRESS',
        policy_match_type: 2,
        ingress_allowed_by: [policy('NetworkPolicy', 'shop', 'allow-api')],
        // Another direction's list is not this verdict's.
        egress_allowed_by: [policy('NetworkPolicy', 'shop', 'other')],
      }),
      {
        kind: 'policy',
        verdict: {
          outcome: 'allowed',
          direction: 'ingress',
          verdict: 'FORWARDED',
          dropReason: undefined,
          policies: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-api' }],
        },
      },
    );
    const redirected = verdictOf({
      verdict: 'REDIRECTED',
      event_type: { type: 5 },
      traffic_direction: 'EGRESS',
    });
    assert.equal(redirected.kind === 'policy' && redirected.verdict.outcome, 'allowed');
    const denied = verdictOf({
      verdict: 'DROPPED',
      drop_reason_desc: 'POLICY_DENY',
      event_type: { type: 5 },
      traffic_direction: 'EGRESS',
      egress_denied_by: [policy('CiliumClusterwideNetworkPolicy', undefined, 'no-smtp')],
    });
    assert.deepEqual(denied.kind === 'policy' && denied.verdict, {
      outcome: 'denied',
      direction: 'egress',
      verdict: 'DROPPED',
      dropReason: 'POLICY_DENY',
      policies: [{ kind: 'CiliumClusterwideNetworkPolicy', namespace: '', name: 'no-smtp' }],
    });
    const audit = verdictOf({
      verdict: 'AUDIT',
      event_type: { type: 5 },
      traffic_direction: 'INGRESS',
      ingress_denied_by: [policy('CiliumNetworkPolicy', 'data', 'lockdown')],
    });
    assert.equal(audit.kind === 'policy' && audit.verdict.outcome, 'audit');
    assert.equal(audit.kind === 'policy' && audit.verdict.policies[0]?.name, 'lockdown');
  });

  test('drop events count as denials only for a policy reason; numeric enums and the legacy drop_reason read too', () => {
    const drop = verdictOf({
      verdict: 'DROPPED',
      drop_reason_desc: 'POLICY_DENIED',
      event_type: { type: 1, sub_type: 133 },
    });
    assert.equal(drop.kind, 'policy');
    assert.equal(drop.kind === 'policy' && drop.verdict.direction, 'unknown');
    assert.deepEqual(
      verdictOf({ verdict: 'DROPPED', drop_reason_desc: 'CT_MAP_INSERTION_FAILED', event_type: { type: 1 } }),
      { kind: 'other-drop', reason: 'CT_MAP_INSERTION_FAILED' },
    );
    assert.deepEqual(
      verdictOf({ verdict: 'DROPPED', drop_reason_desc: 'constructor', event_type: { type: 1 } }),
      { kind: 'other-drop', reason: 'constructor' },
    );
    // jsonpb with enums as numbers: verdict 2 (DROPPED), drop reason 181 (POLICY_DENY), direction 2 (EGRESS).
    const numeric = verdictOf({
      verdict: 2,
      drop_reason_desc: 181,
      event_type: { type: 5 },
      traffic_direction: 2,
    });
    assert.equal(numeric.kind === 'policy' && numeric.verdict.dropReason, 'POLICY_DENY');
    assert.equal(numeric.kind === 'policy' && numeric.verdict.direction, 'egress');
    const legacy = verdictOf({ verdict: 'DROPPED', drop_reason: 133 });
    assert.equal(legacy.kind === 'policy' && legacy.verdict.dropReason, 'POLICY_DENIED');
    // Without a direction, the names come from whichever list the flow carries for its outcome.
    const undirected = verdictOf({
      verdict: 'DROPPED',
      drop_reason_desc: 'POLICY_DENY',
      event_type: { type: 1 },
      ingress_denied_by: [policy('CiliumNetworkPolicy', 'data', 'deny-x')],
    });
    assert.equal(undirected.kind === 'policy' && undirected.verdict.policies[0]?.name, 'deny-x');
  });

  test('trace points, TRACED, TRANSLATED and ERROR are no policy verdicts', () => {
    assert.deepEqual(
      verdictOf({
        verdict: 'FORWARDED',
        event_type: { type: 4, sub_type: 0 },
        trace_observation_point: 'TO_ENDPOINT',
      }),
      { kind: 'non-policy', verdict: 'FORWARDED (trace)' },
    );
    assert.deepEqual(verdictOf({ verdict: 'TRANSLATED', event_type: { type: 4 } }), {
      kind: 'non-policy',
      verdict: 'TRANSLATED (trace)',
    });
    assert.deepEqual(verdictOf({ verdict: 'TRACED' }), { kind: 'non-policy', verdict: 'TRACED' });
    assert.deepEqual(verdictOf({ verdict: 'ERROR', event_type: { type: 5 } }), {
      kind: 'non-policy',
      verdict: 'ERROR',
    });
    assert.deepEqual(verdictOf({}), { kind: 'none' });
    // A flow without event_type but with the policy fields of a verdict event is one.
    const bare = verdictOf({ verdict: 'FORWARDED', traffic_direction: 'INGRESS', policy_match_type: 1 });
    assert.equal(bare.kind, 'policy');
  });

  test('policy ids the engine cites read as kind, namespace and name', () => {
    assert.deepEqual(policyNameOf('shop/allow-api'), {
      kind: 'NetworkPolicy',
      namespace: 'shop',
      name: 'allow-api',
    });
    assert.deepEqual(policyNameOf('ClusterNetworkPolicy/tenant-isolation'), {
      kind: 'ClusterNetworkPolicy',
      namespace: '',
      name: 'tenant-isolation',
    });
    assert.deepEqual(policyNameOf('CiliumNetworkPolicy/data/deny-catalog-redis'), {
      kind: 'CiliumNetworkPolicy',
      namespace: 'data',
      name: 'deny-catalog-redis',
    });
  });
});

describe('comparing by kind, namespace and name, whatever the engine cites', () => {
  // The engine's decisions as they will cite Cilium policies (CiliumPolicyInfo ids): compared as they come.
  const conn: ObservedConnection = {
    src: { kind: 'workload', id: 'shop/Deployment/catalog' },
    dst: { kind: 'workload', id: 'data/StatefulSet/redis' },
    protocol: 'TCP',
    port: 6379,
    count: 2,
    denied: 2,
  };
  const side = (direction: 'egress' | 'ingress', allowed: boolean, cites: string[]): SideDecision => ({
    direction,
    allowed,
    decidedBy: 'network-policy',
    tierRule: undefined,
    undefinedWith: [],
    rules: cites
      .filter((policy) => !policy.startsWith('Cilium'))
      .map((policy) => ({ policy, direction, rule: 0, path: `spec.${direction}[0]`, location: undefined })),
    // Cilium rules as the engine cites them (CiliumPolicyInfo ids).
    cilium: cites
      .filter((policy) => policy.startsWith('Cilium'))
      .map((policy) => ({
        policy,
        kind: policy.startsWith('CiliumClusterwide')
          ? 'CiliumClusterwideNetworkPolicy'
          : 'CiliumNetworkPolicy',
        spec: 'spec',
        location: undefined,
        list: allowed ? direction : direction === 'ingress' ? 'ingressDeny' : 'egressDeny',
        deny: !allowed,
        rule: 0,
        path: `spec.${allowed ? direction : `${direction}Deny`}[0]`,
      })),
    isolatedBy: [],
    byDnsName: [],
    outside: undefined,
  });
  const cilium = (
    outcome: 'allowed' | 'denied',
    kind: string,
    namespace: string,
    name: string,
  ): VerdictObservation => ({
    direction: 'ingress',
    outcome,
    verdicts: [outcome === 'allowed' ? 'FORWARDED' : 'DROPPED'],
    dropReasons: outcome === 'allowed' ? [] : ['POLICY_DENY'],
    policies: [{ kind, namespace, name }],
    attempts: 2,
  });
  const compare = (ingress: SideDecision, observed: VerdictObservation) => {
    const denied = !ingress.allowed;
    return compareVerdicts(
      [conn],
      {
        allowed: denied ? [] : [conn],
        denied: denied ? [{ connection: conn, blockedAt: ['ingress'], policies: [] }] : [],
        unpoliced: [],
      },
      new Map([[conn, { egress: [side('egress', true, [])], ingress: [ingress] }]]),
      {
        byConnection: new Map([[conn, [observed]]]),
        stats: { policy: 2, otherDrops: {}, nonPolicy: {}, none: 0 },
      },
    );
  };

  test('a Cilium deny rule netfence cites agrees with the policy Hubble names', () => {
    const same = compare(
      side('ingress', false, ['CiliumNetworkPolicy/data/deny-catalog-redis']),
      cilium('denied', 'CiliumNetworkPolicy', 'data', 'deny-catalog-redis'),
    );
    assert.equal(same.rows[0]?.agreement, 'agree');
    assert.deepEqual(same.connections, {
      observed: 1,
      compared: 1,
      agree: 1,
      disagree: 0,
      otherPolicies: 0,
      withoutVerdict: 0,
    });
    const other = compare(
      side('ingress', false, ['CiliumNetworkPolicy/data/deny-catalog-redis']),
      cilium('denied', 'CiliumClusterwideNetworkPolicy', '', 'deny-catalog-redis'),
    );
    assert.equal(other.rows[0]?.agreement, 'other-policies');
    assert.equal(other.connections.otherPolicies, 1);
  });

  test('whether netfence allows a direction comes from the check: the side that does not block allows', () => {
    // Denied at the destination's ingress only: Cilium's egress verdict (allowed) agrees, its ingress one not.
    const egress = compare(side('ingress', false, []), {
      ...cilium('allowed', 'NetworkPolicy', 'shop', 'catalog-egress'),
      direction: 'egress',
    });
    assert.deepEqual(
      egress.rows.map((r) => [r.direction, r.netfence.allowed, r.agreement]),
      [['egress', true, 'agree']],
    );
    const ingress = compare(
      side('ingress', false, []),
      cilium('allowed', 'NetworkPolicy', 'data', 'allow-redis'),
    );
    assert.deepEqual(
      ingress.rows.map((r) => [r.direction, r.netfence.allowed, r.agreement]),
      [['ingress', false, 'netfence-denies']],
    );
    // Even when the explanation of that side says otherwise (an engine layer explain does not name yet):
    // the verdict is the check's, the attribution keeps only the decisions that agree with it.
    const stale = compareVerdicts(
      [conn],
      { allowed: [], denied: [{ connection: conn, blockedAt: ['ingress'], policies: [] }], unpoliced: [] },
      new Map([
        [
          conn,
          { egress: [side('egress', true, [])], ingress: [side('ingress', true, ['data/allow-redis'])] },
        ],
      ]),
      {
        byConnection: new Map([
          [conn, [cilium('denied', 'CiliumNetworkPolicy', 'data', 'deny-catalog-redis')]],
        ]),
        stats: { policy: 1, otherDrops: {}, nonPolicy: {}, none: 0 },
      },
    );
    assert.equal(stale.rows[0]?.agreement, 'agree');
    assert.deepEqual(stale.rows[0]?.netfence.decisions, []);
  });

  test('a cluster-wide Cilium allow netfence cites agrees; the opposite verdict disagrees', () => {
    const allow = compare(
      side('ingress', true, ['CiliumClusterwideNetworkPolicy/allow-prometheus-metrics']),
      cilium('allowed', 'CiliumClusterwideNetworkPolicy', '', 'allow-prometheus-metrics'),
    );
    assert.equal(allow.rows[0]?.agreement, 'agree');
    const opposite = compare(
      side('ingress', true, ['CiliumClusterwideNetworkPolicy/allow-prometheus-metrics']),
      cilium('denied', 'CiliumNetworkPolicy', 'data', 'deny-catalog-redis'),
    );
    assert.equal(opposite.rows[0]?.agreement, 'netfence-allows');
    assert.equal(opposite.connections.disagree, 1);
  });
});

describe('tallying verdicts per connection', async () => {
  const state = await loadState(`${EXAMPLES}webshop`);
  const traffic = observeFlowText([{ name: 'capture', text: captureLines.join('\n') }], state, {
    verdicts: true,
  });
  const byName = (src: string, dst: string, port: number) => {
    const conn = traffic.connections.find(
      (c) =>
        c.src.kind === 'workload' &&
        c.src.id.endsWith(`/${src}`) &&
        c.dst.kind === 'workload' &&
        c.dst.id.endsWith(`/${dst}`) &&
        c.port === port,
    );
    assert.ok(conn, `${src} → ${dst}:${port} observed`);
    return traffic.verdicts!.byConnection.get(conn) ?? [];
  };

  test('an attempt counts once per direction and outcome, however many events report it', () => {
    // Two attempts 90 s apart, each reported by a policy-verdict event (naming the deny policy) and a drop
    // event (naming none).
    const v = byName('catalog', 'redis', 6379);
    assert.equal(v.length, 1);
    assert.equal(v[0]!.attempts, 2);
    assert.deepEqual(v[0]!.verdicts, ['DROPPED']);
    assert.deepEqual(v[0]!.policies, [
      { kind: 'CiliumNetworkPolicy', namespace: 'data', name: 'deny-catalog-redis' },
    ]);
  });

  test('the other observation point of an attempt (a repeat of its 5-tuple) brings its own verdict', () => {
    // The egress verdict comes first; the ingress one is a repeat observation of the same attempt.
    const v = byName('payment-gateway', 'fraud-check', 8000);
    assert.deepEqual(
      v.map((o) => [o.direction, o.outcome, o.policies.map((p) => p.name)]),
      [
        ['egress', 'allowed', ['allow-payment-gateway']],
        ['ingress', 'allowed', ['allow-fraud-check']],
      ],
    );
    assert.ok(traffic.stats.duplicates > 0);
  });

  test('every flow is counted: policy verdicts, other drops, other verdicts; replies apart', () => {
    const s = traffic.verdicts!.stats;
    assert.deepEqual(s.otherDrops, { CT_MAP_INSERTION_FAILED: 1 });
    assert.equal(s.policy, 14);
    assert.equal(traffic.stats.replies, 9);
    assert.equal(
      s.policy + 1 + (s.nonPolicy['FORWARDED (trace)'] ?? 0) + s.none + traffic.stats.replies,
      captureLines.length,
    );
    // Without --verdicts, nothing is tallied (and the map is the same).
    const plain = observeFlowText([{ name: 'capture', text: captureLines.join('\n') }], state);
    assert.equal(plain.verdicts, undefined);
    assert.deepEqual(plain.connections, traffic.connections);
  });
});

describe('netfence check-flows --verdicts', () => {
  test('the recorded capture against the bundled webshop (golden, reviewed): disagreements, exit 1', async () => {
    const r = await runCli(['check-flows', WEBSHOP, '--flows', CAPTURE, '--verdicts']);
    assert.equal(r.code, 1, r.stderr);
    assertGolden('flows/check-flows-verdicts.txt', r.stdout);
    const md = await runCli(['check-flows', WEBSHOP, '--flows', CAPTURE, '--verdicts', '-o', 'md']);
    assert.equal(md.code, 1, md.stderr);
    assertGolden('flows/check-flows-verdicts.md', md.stdout);
  });

  test('json: which tool said what, and the policies each names', async () => {
    const r = await runCli(['check-flows', WEBSHOP, '--flows', CAPTURE, '--verdicts', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const json = JSON.parse(r.stdout) as CheckFlowsVerdictsJson;
    assert.deepEqual(json.summary, {
      observed: 10,
      compared: 8,
      agree: 5,
      disagree: 2,
      otherPolicies: 1,
      withoutVerdict: 2,
      deliveredWithoutVerdict: 1,
      policies: 21,
      clusterPolicies: 0,
      ciliumPolicies: 0,
    });
    const row = (src: string, dst: string, port: number): VerdictRowJson[] =>
      json.rows.filter(
        (x) =>
          'workload' in x.src &&
          x.src.workload.endsWith(`/${src}`) &&
          'workload' in x.dst &&
          x.dst.workload.endsWith(`/${dst}`) &&
          x.port === port,
      );
    const [catalog] = row('catalog', 'redis', 6379);
    assert.equal(catalog?.agreement, 'netfence-allows');
    assert.equal(catalog.direction, 'ingress');
    assert.deepEqual(catalog.netfence.policies, [
      { kind: 'NetworkPolicy', namespace: 'data', name: 'allow-redis' },
    ]);
    assert.deepEqual(catalog.cilium.policies, [
      { kind: 'CiliumNetworkPolicy', namespace: 'data', name: 'deny-catalog-redis' },
    ]);
    assert.equal(catalog.cilium.summary, 'dropped (denied by CiliumNetworkPolicy data/deny-catalog-redis)');
    assert.equal(catalog.cilium.attempts, 2);

    const [metrics] = row('prometheus', 'fraud-check', 9102);
    assert.equal(metrics?.agreement, 'netfence-denies');
    assert.equal(metrics.netfence.allowed, false);
    assert.match(
      metrics.netfence.summary,
      /^denies: \[NetworkPolicy\] no rule allows it \(payments\/allow-fraud-check/,
    );
    assert.deepEqual(metrics.cilium.policies, [
      { kind: 'CiliumClusterwideNetworkPolicy', namespace: null, name: 'allow-prometheus-metrics' },
    ]);

    // Same verdict, one of the two allowing NetworkPolicies named.
    assert.equal(row('prometheus', 'web', 9464)[0]?.agreement, 'other-policies');
    // Both allow, naming the same NetworkPolicy, in each direction.
    assert.deepEqual(
      row('payment-gateway', 'fraud-check', 8000).map((x) => [x.direction, x.agreement]),
      [
        ['egress', 'agree'],
        ['ingress', 'agree'],
      ],
    );
    // Cilium's default deny names no policy: netfence's isolation agrees.
    const [dns] = row('report-exporter', 'coredns', 53);
    assert.equal(dns?.agreement, 'agree');
    assert.equal(dns.cilium.summary, 'dropped (POLICY_DENIED, no policy named)');
    // Audit mode: Cilium's policy denies it, as netfence does.
    const [audit] = row('prometheus', 'payment-gateway', 9102);
    assert.equal(audit?.agreement, 'agree');
    assert.equal(audit.cilium.outcome, 'audit');
    // The non-policy drop is counted apart; the attempt Cilium allowed later is compared.
    assert.deepEqual(json.flows.otherDrops, { CT_MAP_INSERTION_FAILED: 1 });
    assert.deepEqual(
      row('cart', 'redis', 6379).map((x) => [x.agreement, x.cilium.attempts]),
      [['agree', 1]],
    );
    // web → postgres: denied by netfence, delivered with trace events only (no policy verdict): listed apart.
    assert.deepEqual(
      json.deliveredWithoutVerdict.map((c) => [c.src, c.dst, c.port, c.decision.ingress[0]?.allowed]),
      [[{ workload: 'shop/Deployment/web' }, { workload: 'data/StatefulSet/postgres' }, 5432, false]],
    );
    // Disagreements come first.
    assert.deepEqual(
      json.rows.slice(0, 3).map((x) => x.agreement),
      ['netfence-denies', 'netfence-allows', 'other-policies'],
    );
  });

  test('with the Cilium policies the cluster ran, netfence decides as Cilium did and names the same policies', async () => {
    const r = await runCli([
      'check-flows',
      WEBSHOP,
      'test/fixtures/flows/verdicts/cilium-policies.yaml',
      '--flows',
      CAPTURE,
      '--verdicts',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as CheckFlowsVerdictsJson;
    assert.equal(json.summary.ciliumPolicies, 2);
    assert.equal(json.summary.disagree, 0);
    const at = (port: number, src: string): VerdictRowJson | undefined =>
      json.rows.find((x) => x.port === port && 'workload' in x.src && x.src.workload.endsWith(`/${src}`));
    const redis = at(6379, 'catalog');
    assert.equal(redis?.agreement, 'agree');
    assert.equal(
      redis.netfence.summary,
      'denies: [Cilium] denied by CiliumNetworkPolicy/data/deny-catalog-redis spec.ingressDeny[0]',
    );
    assert.deepEqual(redis.netfence.policies, redis.cilium.policies);
    const metrics = at(9102, 'prometheus');
    assert.equal(metrics?.agreement, 'agree');
    assert.equal(metrics.netfence.allowed, true);
    assert.deepEqual(metrics.netfence.policies, [
      { kind: 'CiliumClusterwideNetworkPolicy', namespace: null, name: 'allow-prometheus-metrics' },
    ]);
    assert.deepEqual(metrics.netfence.policies, metrics.cilium.policies);
  });

  test("a Node's address is named as the node's, in the rows and in JSON", async () => {
    // Prometheus' scrape of node-2's kubelet (10.0.0.12), which netfence allows, dropped by Cilium's policy.
    const scrape = readFileSync('test/fixtures/flows/tiers/hubble.jsonl', 'utf8')
      .split('\n')
      .find((l) => l.includes('"destination":"10.0.0.12"'))!
      .replace('"event_type":{"type":4,"sub_type":3}', '"event_type":{"type":5},"policy_match_type":1')
      .replace('"verdict":"FORWARDED"', '"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED"');
    const args = ['check-flows', 'test/fixtures/tiers', '--flows', '-', '--verdicts'];
    const txt = await runCli(args, { stdin: `${scrape}\n` });
    assert.equal(txt.code, 1, txt.stderr);
    assert.match(
      txt.stdout,
      /^monitoring\/prometheus +10\.0\.0\.12 \(an address of node node-2\) +TCP 10250 +egress /m,
    );
    const json = await runCli([...args, '-o', 'json'], { stdin: `${scrape}\n` });
    const rows = (JSON.parse(json.stdout) as CheckFlowsVerdictsJson).rows;
    assert.deepEqual(
      rows.map((r) => [r.agreement, r.dst]),
      [['netfence-allows', { ip: '10.0.0.12', nodes: ['node-2'] }]],
    );
  });

  test('exit 0 when every verdict agrees', async () => {
    const agreeing = captureLines.filter((l) => !/catalog|fraud-check/.test(l)).join('\n');
    const r = await runCli(['check-flows', WEBSHOP, '--flows', '-', '--verdicts'], { stdin: agreeing });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, / 0 disagree/);
    assert.doesNotMatch(r.stdout, /DISAGREEMENTS/);
    // Listed, not failing: no verdict to compare.
    assert.match(r.stdout, /NETFENCE DENIES, DELIVERED WITHOUT A POLICY VERDICT/);
  });

  test('a gate never passes without verdicts: no policy verdict, or no Hubble flows, is an input error', async () => {
    const traceOnly = captureLines.filter((l) => l.includes('"event_type":{"type":4')).join('\n');
    const none = await runCli(['check-flows', WEBSHOP, '--flows', '-', '--verdicts'], { stdin: traceOnly });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no flow of the capture carries a Cilium policy verdict/);
    assert.equal(none.stdout, '');

    const csv = await runCli(['check-flows', WEBSHOP, '--flows', 'examples/flows/webshop.csv', '--verdicts']);
    assert.equal(csv.code, 2);
    assert.match(csv.stderr, /give Hubble flows/);

    const empty = await runCli(['check-flows', WEBSHOP, '--flows', '-', '--verdicts'], { stdin: '' });
    assert.equal(empty.code, 2);

    // Verdicts on endpoints the manifests do not hold: nothing to compare.
    const elsewhere = await runCli([
      'check-flows',
      'test/fixtures/flows/cluster.yaml',
      '--flows',
      CAPTURE,
      '--verdicts',
    ]);
    assert.equal(elsewhere.code, 2, elsewhere.stdout);
    assert.match(elsewhere.stderr, /none is on an observed port of the map/);
  });
});

describe('netfence check-flows (replay) with Cilium policies', () => {
  const args = [
    'check-flows',
    WEBSHOP,
    'test/fixtures/flows/verdicts/cilium-policies.yaml',
    '--flows',
    'examples/flows/webshop-hubble.jsonl',
  ];
  test('the header counts the Cilium policies as --verdicts does, and BLOCKED AT names the deciding deny', async () => {
    const r = await runCli([...args, '-q']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^67 observed ports against 21 policies and 2 Cilium policies: /);
    assert.match(
      r.stdout,
      /shop\/catalog +data\/redis +TCP 6379 .* ingress of data\/redis \(denied by CiliumNetworkPolicy\/data\/deny-catalog-redis spec\.ingressDeny\[0\]\)\n/,
    );
  });

  test('json: the summary counts them too', async () => {
    const r = await runCli([...args, '-o', 'json']);
    const json = JSON.parse(r.stdout) as CheckFlowsJson;
    assert.deepEqual(
      [json.summary.policies, json.summary.clusterPolicies, json.summary.ciliumPolicies],
      [21, 0, 2],
    );
  });
});
