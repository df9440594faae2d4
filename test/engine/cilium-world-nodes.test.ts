/**
 * Node addresses are not `world`, but an address class that holds a node address and outside addresses is
 * partly `world`. When no Cilium peer sets node addresses apart (`ciliumSpaceSplits`), a node address shares
 * its class with outside addresses (the rest of the outside, or a CIDR's block): that class still counts as
 * outside for what egress deny rules deny towards every outside address (`toFQDNs` reach, `explain --to
 * <DNS name>`) and for why a CIDR peer misses an address. Found by mutation testing (issue #20, round 8).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { ciliumSpaceSplits } from '../../src/engine/cilium.ts';
import { explainDomain, explainEntities } from '../../src/engine/explain.ts';
import { ALL_CONNECTIONS, portSetOf } from '../../src/engine/ports.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { NodeInfo } from '../../src/model/cluster.ts';
import { cluster, cnpCilium, node, pod } from '../support/builders.ts';
import { runCli } from '../support/cli.ts';

/** A pod that may look names up and reach api.example.com on TCP 80 and 443 by name, with `extra` rules. */
function fqdnState(extra: object, nodes: readonly NodeInfo[]) {
  return cluster({
    pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] })],
    nodes,
    ciliumPolicies: [
      cnpCilium('a', 'p', {
        endpointSelector: {},
        egress: [
          {
            toEndpoints: [{}],
            toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
          {
            toFQDNs: [{ matchName: 'api.example.com' }],
            toPorts: [
              {
                ports: [
                  { port: '443', protocol: 'TCP' },
                  { port: '80', protocol: 'TCP' },
                ],
              },
            ],
          },
        ],
        ...extra,
      }),
    ],
  });
}

const denyOn443 = (peer: object) => ({
  egressDeny: [{ ...peer, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
});

const NODE = node('n1', {}, ['192.168.0.1']);

function reach(extra: object, nodes: readonly NodeInfo[]): string[] {
  const compiled = compileCluster(fqdnState(extra, nodes));
  return compiled
    .domainReach(compiled.classOfPod('a', 'web')!)
    .map((r) => `${r.domain} ${formatPorts(r.ports)}`);
}

/** The ports `explain --to <name>` finds a/web reaches the DNS name `name` on, by Cilium toFQDNs rules. */
function nameReach(extra: object, nodes: readonly NodeInfo[], name: string): string[] {
  const compiled = compileCluster(fqdnState(extra, nodes));
  return explainDomain(compiled, [compiled.classOfPod('a', 'web')!], name, ALL_CONNECTIONS).map(
    (r) => `${r.domain} ${formatPorts(r.ports)}`,
  );
}

/** `explain` of a/web towards the address `to` on `port`, as text. */
function explainText(extra: object, nodes: readonly NodeInfo[], to: string, port: number): string {
  const index = buildRefIndex(compileCluster(fqdnState(extra, nodes)), 'pod');
  const src = resolveRefText(index, 'a/web');
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok);
  return explainEntities(
    index,
    src.value.entities[0]!.id,
    dst.value.entities[0]!.id,
    portSetOf('TCP', [port, port]),
  )
    .map(explanationToText)
    .join('\n');
}

/** The same cluster as a manifest file, for the CLI. */
function manifest(extraRule: string, withNode: boolean): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: web, namespace: a, labels: { app: web } }
spec: { containers: [{ name: c, image: x }] }
status: { podIP: 10.0.0.1, podIPs: [{ ip: 10.0.0.1 }] }
---
${
  withNode
    ? `apiVersion: v1
kind: Node
metadata: { name: n1 }
status: { addresses: [{ type: InternalIP, address: 192.168.0.1 }] }
---
`
    : ''
}apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: p, namespace: a }
spec:
  endpointSelector: {}
  egress:
    - toEndpoints: [{}]
      toPorts: [{ ports: [{ port: "53", protocol: UDP }], rules: { dns: [{ matchPattern: "*" }] } }]
    - toFQDNs: [{ matchName: api.example.com }]
      toPorts: [{ ports: [{ port: "443", protocol: TCP }, { port: "80", protocol: TCP }] }]
  egressDeny:
    - ${extraRule}
      toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
`;
}

describe('Cilium world with node addresses no peer sets apart', () => {
  test('an egress deny of one outside address does not deny every outside address when a Node is in the input', () => {
    // No peer sets node addresses apart: the Node's address shares the class of the rest of the outside.
    assert.equal(ciliumSpaceSplits(fqdnState(denyOn443({ toCIDR: ['8.8.8.8/32'] }), [NODE])).nodes, false);
    assert.deepEqual(reach(denyOn443({ toCIDR: ['8.8.8.8/32'] }), []), ['api.example.com TCP 80,443']);
    assert.deepEqual(reach(denyOn443({ toCIDR: ['8.8.8.8/32'] }), [NODE]), ['api.example.com TCP 80,443']);
  });

  test('an egress deny of every outside address still denies its ports when a Node is in the input', () => {
    // world sets node addresses apart; so does a CIDR holding the node address (CIDR rules miss nodes by default).
    assert.deepEqual(reach(denyOn443({ toEntities: ['world'] }), [NODE]), ['api.example.com TCP 80']);
    assert.deepEqual(reach(denyOn443({ toCIDR: ['0.0.0.0/0', '::/0'] }), [NODE]), ['api.example.com TCP 80']);
    // An except holding node addresses alone: its class is not world, so the deny holds every outside address.
    const exceptOf = (except: string) =>
      denyOn443({ toCIDRSet: [{ cidr: '0.0.0.0/0', except: [except] }, { cidr: '::/0' }] });
    assert.equal(ciliumSpaceSplits(fqdnState(exceptOf('192.168.0.1/32'), [NODE])).nodes, false);
    assert.deepEqual(reach(exceptOf('192.168.0.1/32'), [NODE]), ['api.example.com TCP 80']);
    const two = [NODE, node('n2', {}, ['192.168.0.0'])];
    assert.deepEqual(reach(exceptOf('192.168.0.0/31'), two), ['api.example.com TCP 80']);
  });

  test('an address class holding a node address and outside addresses is partly world: a deny missing it denies no port everywhere', () => {
    const exceptOf = (except: string) =>
      denyOn443({ toCIDRSet: [{ cidr: '0.0.0.0/0', except: [except] }, { cidr: '::/0' }] });
    assert.deepEqual(reach(exceptOf('192.168.0.0/24'), [NODE]), ['api.example.com TCP 80,443']);
    // 192.168.0.0/31 holds the node address 192.168.0.1 and the outside address 192.168.0.0.
    assert.deepEqual(reach(exceptOf('192.168.0.0/31'), [NODE]), ['api.example.com TCP 80,443']);
  });

  test('explain --to a DNS name: an egress deny of one outside address does not take its port when a Node is in the input', () => {
    const deny = denyOn443({ toCIDR: ['8.8.8.8/32'] });
    assert.deepEqual(nameReach(deny, [], 'api.example.com'), ['api.example.com TCP 80,443']);
    assert.deepEqual(nameReach(deny, [NODE], 'api.example.com'), ['api.example.com TCP 80,443']);
    // A deny of every outside address still takes its port.
    assert.deepEqual(nameReach(denyOn443({ toEntities: ['world'] }), [NODE], 'api.example.com'), [
      'api.example.com TCP 80',
    ]);
  });

  test('a CIDR peer misses an outside address sharing a class with a node address as outside its CIDR, not as a node', () => {
    // 1.2.3.4 and the node address 192.168.0.1 are one class here: the CIDR rule misses 1.2.3.4 because it is
    // outside 8.8.8.8/32, not because CIDR rules ignore nodes.
    const allow = {
      egressDeny: [],
      egress: [{ toCIDR: ['8.8.8.8/32'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
    };
    const text = explainText(allow, [NODE], '1.2.3.4', 443);
    assert.equal(text, explainText(allow, [], '1.2.3.4', 443));
    assert.doesNotMatch(text, /node/i);
  });

  test('analyze and explain on the command line: the same reach by name with or without a Node', async () => {
    for (const withNode of [false, true]) {
      const stdin = manifest('toCIDR: [8.8.8.8/32]', withNode);
      const at = `with${withNode ? '' : 'out'} a Node`;
      const explain = await runCli(['explain', '-', '--from', 'a/web', '--to', 'api.example.com'], { stdin });
      assert.equal(explain.code, 0, explain.stderr);
      assert.match(
        explain.stdout,
        /^a\/web → api\.example\.com \(by DNS name\): ALLOWED by name on 80\/TCP, 443\/TCP\n/,
        at,
      );
      const analyze = await runCli(['analyze', '-'], { stdin });
      assert.equal(analyze.code, 0, analyze.stderr);
      assert.match(analyze.stdout, /^a\/web +api\.example\.com \(by DNS name\) +TCP 80,443$/m, at);
      const json = await runCli(['analyze', '-', '-o', 'json'], { stdin });
      const domains = (JSON.parse(json.stdout) as { domains: { domain: string; summary: string }[] }).domains;
      assert.deepEqual(
        domains.map((d) => `${d.domain} ${d.summary}`),
        ['api.example.com TCP 80,443'],
        at,
      );
    }
  });
});
