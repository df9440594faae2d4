/**
 * What `explain` says of cluster policies (src/engine/explain-tiers.ts), for the survivors mutation testing
 * (issue #20, round 8) left unanalysed: peers netfence cannot read, Cilium deny rules in a layer that does not
 * isolate, which rules count as evaluated before the deciding one, DNS-name rules that deny, and a network peer
 * matching an address. Clusters are built in code; each test asserts the lines that tell the cases apart, or the
 * walk's paths, not whole texts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { explainEntities, parsePortQuery, type Explanation } from '../../src/engine/explain.ts';
import { isEmptyPorts, portSetOf, portsToJson, unionPorts, type PortSet } from '../../src/engine/ports.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterPolicyInfo, ClusterState } from '../../src/model/cluster.ts';
import type { TierIngressPeer } from '../../src/model/k8s.ts';
import { anp, banp, cluster, cnpCilium, ns, pod } from '../support/builders.ts';

/** Namespace a: db (app=db, 10.0.0.2); namespace b: client (app=client, 10.0.1.1). */
function state(clusterPolicies: ClusterPolicyInfo[], ciliumPolicies: CiliumPolicyInfo[] = []): ClusterState {
  return cluster({
    namespaces: [ns('a'), ns('b')],
    pods: [
      pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
      pod('b', 'client', { app: 'client' }, { ips: ['10.0.1.1'] }),
    ],
    clusterPolicies,
    ciliumPolicies,
  });
}

/** `netfence explain <from> <to> --port <query>`, as explanations. */
function explanations(s: ClusterState, from: string, to: string, query: string | PortSet): Explanation[] {
  const index = buildRefIndex(compileCluster(s), 'pod');
  const src = resolveRefText(index, from);
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const q = typeof query === 'string' ? parsePortQuery(query) : query;
  assert.ok(typeof q !== 'string');
  return explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, q);
}

/** Their text. */
function explain(s: ClusterState, from: string, to: string, query: string | PortSet): string {
  return explanations(s, from, to, query).map(explanationToText).join('\n');
}

const lines = (text: string): string[] => text.split('\n').map((l) => l.trim());

function has(text: string, ...wanted: string[]): void {
  for (const w of wanted) assert.ok(lines(text).includes(w), `missing line: ${w}\n--- in:\n${text}`);
}

function lacks(text: string, ...unwanted: string[]): void {
  for (const u of unwanted)
    assert.ok(!lines(text).some((l) => l.includes(u)), `unexpected: ${u}\n--- in:\n${text}`);
}

const toDb = { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } };
const nobody = { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'nobody' } } } };
/** A peer with a field this version of netfence does not know. */
/** 80/TCP and 443/TCP. */
const WEB = unionPorts(portSetOf('TCP', [80, 80]), portSetOf('TCP', [443, 443]));
const unknownPeer = (field: string): TierIngressPeer => ({ [field]: {} });

/** The walk of one side, path by path: ports as JSON, the steps' kinds, who decided. */
function walk(e: Explanation, direction: 'egress' | 'ingress'): string[] {
  return e[direction].tiers.paths.map(
    (p) =>
      `${JSON.stringify(portsToJson(p.ports))} ${p.steps.map((s) => s.kind).join(' > ')} ${p.decidedBy} ${p.allowed}`,
  );
}

describe('explain-tiers: peers netfence cannot read', () => {
  const s = state([
    anp('u', {
      priority: 1,
      subject: toDb,
      ingress: [
        { name: 'allow', action: 'Allow', from: [unknownPeer('bar')] },
        { name: 'deny', action: 'Deny', from: [unknownPeer('foo')] },
      ],
    }),
  ]);

  test('a deny rule through one matches every peer and decides; an allow rule is a near miss, and why', () => {
    const t = explain(s, 'b/client', 'a/db', '80');
    has(
      t,
      '80/TCP: [Admin] anp/u ingress rule 1 "deny" Deny → denied',
      '- [Admin] anp/u ingress rule 0 "allow" Allow: the ports fit, the peer does not match',
      'the peer sets no field netfence knows (bar): an allow rule matches nothing through it',
    );
    assert.equal(explanations(s, 'b/client', 'a/db', '80')[0]!.verdict, 'denied');
  });
});

describe('explain-tiers: Cilium deny rules where the NetworkPolicy layer does not isolate', () => {
  const denyHttp = cnpCilium('a', 'deny-http', {
    endpointSelector: { matchLabels: { app: 'db' } },
    enableDefaultDeny: { ingress: false },
    ingressDeny: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
  });

  test('the ports they deny are decided in the NetworkPolicy step; the rest goes on to the Baseline tier', () => {
    const s = state(
      [
        banp({
          subject: { namespaces: {} },
          ingress: [{ name: 'allow', action: 'Allow', from: [{ namespaces: {} }] }],
        }),
      ],
      [denyHttp],
    );
    const [e] = explanations(s, 'b/client', 'a/db', WEB);
    assert.deepEqual(walk(e!, 'ingress'), [
      '{"TCP":[[80,80]],"UDP":[],"SCTP":[]} no-match > network-policy network-policy false',
      '{"TCP":[[443,443]],"UDP":[],"SCTP":[]} no-match > network-policy > rule baseline true',
    ]);
  });

  test('when they deny all the query, no path with no ports goes on (no cluster policies)', () => {
    const [e] = explanations(state([], [denyHttp]), 'b/client', 'a/db', '80');
    assert.deepEqual(walk(e!, 'ingress'), [
      '{"TCP":[[80,80]],"UDP":[],"SCTP":[]} network-policy network-policy false',
    ]);
    assert.equal(e!.verdict, 'denied');
  });
});

describe('explain-tiers: sides the cluster policies do not apply to', () => {
  test('no cluster policies: the walk has no tier step, only the NetworkPolicy layer and the default', () => {
    const [e] = explanations(state([]), 'b/client', 'a/db', '80');
    assert.equal(e!.ingress.tiers.status, 'no-policies');
    assert.deepEqual(walk(e!, 'ingress'), [
      '{"TCP":[[80,80]],"UDP":[],"SCTP":[]} network-policy > default default true',
    ]);
    for (const side of [e!.egress, e!.ingress])
      for (const p of side.tiers.paths) assert.ok(!isEmptyPorts(p.ports));
  });
});

describe('explain-tiers: the rules evaluated before the deciding one', () => {
  test('a Baseline rule after the Baseline rule that decided is no near miss (the Admin tier matched nothing)', () => {
    const s = state([
      banp({
        subject: { namespaces: {} },
        ingress: [
          { name: 'deny', action: 'Deny', from: [{ namespaces: {} }] },
          { name: 'nobody', action: 'Allow', from: [nobody] },
        ],
      }),
    ]);
    const t = explain(s, 'b/client', 'a/db', '80');
    has(
      t,
      '80/TCP: [Admin] no policy applies → [NetworkPolicy] not isolated → [Baseline] banp/default ingress rule 0 "deny" Deny → denied',
    );
    lacks(t, 'Nearest cluster policy rules', '"nobody"');
  });

  test('a rule before the decision on one port and after it on another is a near miss; one whose peer and ports fit is not', () => {
    const s = state([
      anp('admin', {
        priority: 1,
        subject: toDb,
        ingress: [
          {
            name: 'deny-80',
            action: 'Deny',
            from: [{ namespaces: {} }],
            ports: [{ portNumber: { port: 80, protocol: 'TCP' } }],
          },
          { name: 'nobody', action: 'Allow', from: [nobody] },
          {
            name: 'fits',
            action: 'Allow',
            from: [{ namespaces: {} }],
            ports: [{ portNumber: { port: 80, protocol: 'TCP' } }],
          },
        ],
      }),
      banp({
        subject: { namespaces: {} },
        ingress: [{ name: 'deny', action: 'Deny', from: [{ namespaces: {} }] }],
      }),
    ]);
    const t = explain(s, 'b/client', 'a/db', WEB);
    has(
      t,
      '80/TCP: [Admin] anp/admin ingress rule 0 "deny-80" Deny → denied',
      '- [Admin] anp/admin ingress rule 1 "nobody" Allow: the ports fit, the peer does not match',
      'b/client has app=client, not app=nobody',
    );
    lacks(t, '"fits"');
  });
});

describe('explain-tiers: DNS names and networks', () => {
  test('a deny rule by DNS name is no "By DNS name" note (it allows nothing)', () => {
    const s = state([
      anp('names', {
        priority: 1,
        subject: toDb,
        egress: [{ name: 'deny-api', action: 'Deny', to: [{ domainNames: ['api.example.com'] }] }],
      }),
    ]);
    const t = explain(s, 'a/db', '8.8.8.8', '443');
    lacks(t, 'By DNS name');
    const allow = state([
      anp('names', {
        priority: 1,
        subject: toDb,
        egress: [{ name: 'allow-api', action: 'Allow', to: [{ domainNames: ['api.example.com'] }] }],
      }),
    ]);
    has(
      explain(allow, 'a/db', '8.8.8.8', '443'),
      'By DNS name: [Admin] anp/names egress rule 0 "allow-api" Allow allows api.example.com on 443/TCP. If 0.0.0.0/0; ::/0 is an address these names resolve to, the rule may allow it: the decision depends on DNS resolution.',
    );
  });

  test('a network peer that matches the address: the rule misses by its ports only; one that does not, by its networks', () => {
    // Pods without IPs in classes 0 and 1; 8.8.8.0/24 is address class 1: an address is never read as a pod.
    const s = cluster({
      namespaces: [ns('a'), ns('b')],
      pods: [
        pod('a', 'idle', { app: 'idle' }),
        pod('a', 'idle2', { app: 'idle2' }),
        pod('b', 'db', { app: 'db' }, { ips: ['10.0.1.1'] }),
      ],
      clusterPolicies: [
        anp('net', {
          priority: 1,
          subject: toDb,
          egress: [
            {
              name: 'dns',
              action: 'Allow',
              to: [{ networks: ['8.8.8.0/24'] }],
              ports: [{ portNumber: { port: 53, protocol: 'UDP' } }],
            },
            { name: 'other', action: 'Allow', to: [{ networks: ['9.9.9.0/24'] }] },
          ],
        }),
        banp({
          subject: { namespaces: {} },
          egress: [{ name: 'deny', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }],
        }),
      ],
    });
    const t = explain(s, 'b/db', '8.8.8.8', '443');
    has(
      t,
      '- [Admin] anp/net egress rule 0 "dns" Allow: the peer matches, the ports do not',
      "443/TCP not in the rule's ports 53/UDP",
      '- [Admin] anp/net egress rule 1 "other" Allow: the ports fit, the peer does not match',
      '8.8.8.0/24 is not in networks 9.9.9.0/24',
    );
    lacks(t, 'is not in networks 8.8.8.0/24');
  });
});
