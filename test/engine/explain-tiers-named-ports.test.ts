/**
 * What `explain` says of cluster policies (src/engine/explain-tiers.ts), for what mutation testing (issue #20,
 * round 8) found unpinned after round 7, and a named port defined for another protocol the query asks about.
 * Clusters are built in code; each test asserts the lines that tell the cases apart, not whole texts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { explainEntities, parsePortQuery } from '../../src/engine/explain.ts';
import { portSetOf, unionPorts, type PortSet } from '../../src/engine/ports.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import type { ClusterPolicyInfo, ClusterState } from '../../src/model/cluster.ts';
import { anp, banp, cluster, namedPort, ns, pod } from '../support/builders.ts';

/** Namespace a: db (app=db, named port dns 53/UDP); namespace b: client (app=client). A Baseline denying all. */
function state(...clusterPolicies: ClusterPolicyInfo[]): ClusterState {
  return cluster({
    namespaces: [ns('a'), ns('b')],
    pods: [
      pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.2'], namedPorts: [namedPort('dns', 53, 'UDP')] }),
      pod('b', 'client', { app: 'client' }, { ips: ['10.0.1.1'] }),
    ],
    clusterPolicies: [
      ...clusterPolicies,
      banp({
        subject: { namespaces: {} },
        ingress: [{ name: 'deny', action: 'Deny', from: [{ namespaces: {} }] }],
        egress: [{ name: 'deny', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }],
      }),
    ],
  });
}

/** The text of `netfence explain <from> <to>` on `query` (a port as `--port` reads it, or a port set). */
function explain(s: ClusterState, from: string, to: string, query: string | PortSet): string {
  const index = buildRefIndex(compileCluster(s), 'pod');
  const src = resolveRefText(index, from);
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const q = typeof query === 'string' ? parsePortQuery(query) : query;
  assert.ok(typeof q !== 'string');
  return explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, q)
    .map(explanationToText)
    .join('\n');
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
const namespaceNamed = (name: string) => ({
  pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } }, podSelector: {} },
});

describe('explain-tiers: named ports and the protocols the query asks about', () => {
  test('a named port defined for UDP only is no reason on a TCP and UDP query: only the ports are', () => {
    const s = state(
      anp('allow-dns', {
        priority: 10,
        subject: toDb,
        ingress: [
          { name: 'dns', action: 'Allow', from: [{ namespaces: {} }], ports: [{ namedPort: 'dns' }] },
        ],
      }),
    );
    const t = explain(
      s,
      'b/client',
      'a/db',
      unionPorts(portSetOf('TCP', [80, 80]), portSetOf('UDP', [80, 80])),
    );
    has(
      t,
      '- [Admin] anp/allow-dns ingress rule 0 "dns" Allow: the peer matches, the ports do not',
      "80/TCP, 80/UDP not in the rule's ports 53/UDP",
    );
    lacks(t, 'is not defined');
    // On TCP alone, the name is not defined for the protocol asked.
    has(
      explain(s, 'b/client', 'a/db', '80'),
      'named port "dns" (TCP) is not defined on a/db (its named ports: dns 53/UDP)',
    );
  });
});

describe('explain-tiers: a named port no protocol asked defines', () => {
  const s = state(
    anp('allow-nope', {
      priority: 10,
      subject: toDb,
      ingress: [
        { name: 'nope', action: 'Allow', from: [{ namespaces: {} }], ports: [{ namedPort: 'nope' }] },
      ],
    }),
  );

  test('is reported once, with the first protocol asked, and no port list beside it', () => {
    const t = explain(
      s,
      'b/client',
      'a/db',
      unionPorts(portSetOf('TCP', [80, 80]), portSetOf('UDP', [80, 80])),
    );
    has(t, 'named port "nope" (TCP) is not defined on a/db (its named ports: dns 53/UDP)');
    lacks(t, '"nope" (UDP)', "not in the rule's ports");
  });

  test('a policy whose origin cannot locate paths is cited at its own line', () => {
    const [policy] = s.clusterPolicies;
    const at = { file: 't.yaml', line: 3, column: 1 };
    const unlocated = { ...s, clusterPolicies: [{ ...policy!, origin: at }, ...s.clusterPolicies.slice(1)] };
    has(
      explain(unlocated, 'b/client', 'a/db', '80'),
      '- [Admin] anp/allow-nope ingress rule 0 "nope" Allow (t.yaml:3): the peer matches, the ports do not',
    );
  });
});

describe('explain-tiers: near misses', () => {
  const s = state(
    anp('names', {
      priority: 10,
      subject: toDb,
      egress: [
        {
          name: 'api',
          action: 'Allow',
          to: [{ domainNames: ['api.example.com'] }],
          ports: [{ portNumber: { port: 443, protocol: 'TCP' } }],
        },
        { name: 'net', action: 'Allow', to: [{ networks: ['10.9.0.0/16'] }] },
      ],
      ingress: [
        { name: 'two', action: 'Allow', from: [namespaceNamed('c'), namespaceNamed('d')] },
        {
          name: 'port',
          action: 'Allow',
          from: [{ namespaces: {} }],
          ports: [{ portNumber: { port: 9999, protocol: 'TCP' } }],
        },
      ],
    }),
  );

  test('DNS-name rules: a note and a near miss on egress to an address, none on ingress from one', () => {
    has(
      explain(s, 'a/db', '8.8.8.8', '443'),
      'By DNS name: [Admin] anp/names egress rule 0 "api" Allow allows api.example.com on 443/TCP. If 0.0.0.0/0 except 10.9.0.0/16 is an address these names resolve to, the rule may allow it: the decision depends on DNS resolution.',
      'the peer is a DNS name (api.example.com): whether 0.0.0.0/0 except 10.9.0.0/16 is one of its addresses is only known at run time',
    );
    lacks(explain(s, '8.8.8.8', 'a/db', '443'), 'By DNS name', 'api.example.com');
    has(
      explain(s, 'a/db', 'b/client', '443'),
      'the peer is a DNS name (api.example.com): whether the IP of b/client is one of its addresses is only known at run time',
    );
  });

  test('an address is outside a network; a pod, by its IP', () => {
    has(explain(s, 'a/db', '8.8.8.8', '443'), '0.0.0.0/0 except 10.9.0.0/16 is not in networks 10.9.0.0/16');
    has(explain(s, 'a/db', 'b/client', '443'), 'the IP of b/client is not in networks 10.9.0.0/16');
  });

  test('a rule whose peer matches misses by its ports only; of two peers alike, the first is explained', () => {
    const t = explain(s, 'b/client', 'a/db', '443');
    has(
      t,
      '- [Admin] anp/names ingress rule 1 "port" Allow: the peer matches, the ports do not',
      "443/TCP not in the rule's ports 9999/TCP",
      'namespace "b" has kubernetes.io/metadata.name=b, not kubernetes.io/metadata.name=c',
    );
    lacks(t, 'not kubernetes.io/metadata.name=d');
  });
});
