/**
 * What `explain` says of Cilium policies (src/engine/explain-cilium.ts), for what mutation testing (issue #20,
 * round 8) found unpinned after round 7. Clusters are built in code; each test asserts the lines that tell the
 * cases apart (present or absent), not whole texts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import { explainEntities, parsePortQuery } from '../../src/engine/explain.ts';
import { cniEngineOptions } from '../../src/engine/profiles.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { ccnp, cluster, cnpCilium, namedPort, node, ns, pod } from '../support/builders.ts';
import { cniProfile } from '../support/verdicts.ts';

/**
 * Namespace a (team=x): web (app=web), db (app=db, tier=data; named ports pg 5432/TCP, dns 53/UDP), the
 * host-network agent on n1; namespace b (team=y): client (app=client). Node n1 (role=worker, 192.168.0.1).
 */
function state(...ciliumPolicies: CiliumPolicyInfo[]): ClusterState {
  return cluster({
    namespaces: [ns('a', { team: 'x' }), ns('b', { team: 'y' })],
    pods: [
      pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
      pod(
        'a',
        'db',
        { app: 'db', tier: 'data' },
        { ips: ['10.0.0.2'], namedPorts: [namedPort('pg', 5432), namedPort('dns', 53, 'UDP')] },
      ),
      pod('a', 'agent', { app: 'agent' }, { ips: ['192.168.0.1'], hostNetwork: true }),
      pod('b', 'client', { app: 'client' }, { ips: ['10.0.1.1'] }),
    ],
    nodes: [node('n1', { role: 'worker' }, ['192.168.0.1'])],
    ciliumPolicies,
  });
}

/** The text of `netfence explain <from> <to> [--port <port>]`. */
function explain(
  s: ClusterState,
  from: string,
  to: string,
  port?: string,
  options: Partial<EngineOptions> = {},
): string {
  const index = buildRefIndex(compileCluster(s, options), 'pod');
  const src = resolveRefText(index, from);
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const query = port === undefined ? undefined : parsePortQuery(port);
  assert.ok(typeof query !== 'string');
  return explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, query)
    .map(explanationToText)
    .join('\n');
}

/** The text's lines, trimmed. */
const lines = (text: string): string[] => text.split('\n').map((l) => l.trim());

/** Asserts that each of `wanted` is a line of `text`. */
function has(text: string, ...wanted: string[]): void {
  for (const w of wanted) assert.ok(lines(text).includes(w), `missing line: ${w}\n--- in:\n${text}`);
}

/** Asserts that no line of `text` contains any of `unwanted`. */
function lacks(text: string, ...unwanted: string[]): void {
  for (const u of unwanted)
    assert.ok(!lines(text).some((l) => l.includes(u)), `unexpected: ${u}\n--- in:\n${text}`);
}

const tcp = (port: string) => ({ ports: [{ port, protocol: 'TCP' }] });

describe('explain: Cilium rule sets that miss the pod by one label', () => {
  const s = state(
    cnpCilium('a', 'db-in', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [tcp('5432')] }],
    }),
    // Misses a/db by two labels: not a near miss.
    cnpCilium('a', 'two', {
      endpointSelector: { matchLabels: { app: 'dbx', tier: 'cache' } },
      ingress: [{ fromEntities: ['cluster'] }],
    }),
    // Clusterwide, misses a/db by one label: its rule whose peer and ports match is a near miss, the other not.
    ccnp('one', {
      endpointSelector: { matchLabels: { app: 'db', tier: 'cache' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'nobody' } }] },
        { fromEntities: ['cluster'], toPorts: [tcp('5432')] },
      ],
    }),
    // A host policy's nodeSelector is not an endpoint selector, even when the pod's labels miss it by one.
    ccnp('host', {
      nodeSelector: { matchLabels: { app: 'db', tier: 'x' } },
      ingress: [{ fromEntities: ['cluster'] }],
    }),
    // Two peers: the nearest (one label off) is the one explained.
    ccnp('peers', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'x', team: 'z' } }, { matchLabels: { app: 'nope' } }] },
      ],
    }),
  );
  const text = explain(s, 'b/client', 'a/db', '5432');

  test('a clusterwide rule set one label off is a near miss, its rule whose peer and ports match only', () => {
    has(
      text,
      '- CiliumClusterwideNetworkPolicy/one spec.ingress[1]: the peer and the ports match, the rule set does not select the pod',
      'the rule set does not select a/db: a/db has tier=data, not tier=cache',
    );
    lacks(text, 'CiliumClusterwideNetworkPolicy/one spec.ingress[0]');
  });

  test('a rule set two labels off, and a host policy, are not near misses', () => {
    lacks(text, 'CiliumNetworkPolicy/a/two', 'CiliumClusterwideNetworkPolicy/host', 'tier=x');
  });

  test('of two peers, the one closest to matching is explained', () => {
    has(
      text,
      '- CiliumClusterwideNetworkPolicy/peers spec.ingress[0]: the ports fit, the peer does not match',
      'b/client has app=client, not app=nope',
    );
    lacks(text, 'not app=x', 'team=z');
  });

  test('a host-network pod selected by a host policy: endpoint rule sets one label off are no near misses', () => {
    const host = state(
      ccnp('host', { nodeSelector: { matchLabels: { role: 'worker' } }, egress: [{ toEntities: ['world'] }] }),
      cnpCilium('a', 'agent', {
        endpointSelector: { matchLabels: { app: 'agent', tier: 'x' } },
        egress: [{ toEntities: ['all'] }],
      }),
    );
    const t = explain(
      host,
      'a/agent',
      'a/db',
      '5432',
      cniEngineOptions(cniProfile('cilium', 'enable-host-firewall=true')),
    );
    has(t, '- CiliumClusterwideNetworkPolicy/host spec.egress[0]: the ports fit, the peer does not match');
    lacks(t, 'CiliumNetworkPolicy/a/agent');
  });
});
