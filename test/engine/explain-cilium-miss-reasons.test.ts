/**
 * What `explain` says of Cilium policies (src/engine/explain-cilium.ts), for what mutation testing (issue #20,
 * round 9) found unpinned after round 8: reasons by peer kind (a rule without peers, a Service named without a
 * namespace, a Service selector, a DNS name towards a pod), a named port listed twice, SCTP off under another
 * CNI, the L7 filters of each direction, L7 entries shadowed at L4 (by a NetworkPolicy, by a rule with the same
 * peer only, `host` read for the pod's node), and `explain --to <DNS name>` (the rules that miss, each once, a
 * rule whose ports are all SCTP, deny rules towards some outside addresses). Assertions on the lines that tell
 * the cases apart.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import { domainMatches, explainDomain, explainEntities, parsePortQuery } from '../../src/engine/explain.ts';
import { explainDomainMisses } from '../../src/engine/explain-cilium.ts';
import { ALL_CONNECTIONS, type PortSet } from '../../src/engine/ports.ts';
import { cniEngineOptions } from '../../src/engine/profiles.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { explanationToJson, explanationToText } from '../../src/format/explain.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { cluster, cnpCilium, namedPort, node, ns, pod, policy } from '../support/builders.ts';
import { cniProfile } from '../support/verdicts.ts';

/**
 * Namespace a: web (app=web), db (app=db; named ports pg 5432/TCP, dns 53/UDP), the host-network agent on n1;
 * namespace b: client (app=client). Node n1 at 192.168.0.1.
 */
function state(...ciliumPolicies: CiliumPolicyInfo[]): ClusterState {
  return cluster({
    namespaces: [ns('a'), ns('b')],
    pods: [
      pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
      pod(
        'a',
        'db',
        { app: 'db' },
        { ips: ['10.0.0.2'], namedPorts: [namedPort('pg', 5432), namedPort('dns', 53, 'UDP')] },
      ),
      pod('a', 'agent', { app: 'agent' }, { ips: ['192.168.0.1'], hostNetwork: true }),
      pod('b', 'client', { app: 'client' }, { ips: ['10.0.1.1'] }),
    ],
    nodes: [node('n1', {}, ['192.168.0.1'])],
    ciliumPolicies,
  });
}

/** The text of `netfence explain <from> <to> --port <port>`. */
function explain(
  s: ClusterState,
  from: string,
  to: string,
  port: string,
  options: Partial<EngineOptions> = {},
): string {
  const index = buildRefIndex(compileCluster(s, options), 'pod');
  const src = resolveRefText(index, from);
  const dst = resolveRefText(index, to);
  assert.ok(src.ok && dst.ok, `${from} and ${to} resolve`);
  const query = parsePortQuery(port);
  assert.ok(typeof query !== 'string');
  return explainEntities(index, src.value.entities[0]!.id, dst.value.entities[0]!.id, query)
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

const app = (name: string) => ({ matchLabels: { app: name } });
const tcp = (port: string) => ({ ports: [{ port, protocol: 'TCP' }] });
const http = { http: [{ method: 'GET' }] };
const ofDb = (spec: object) => cnpCilium('a', 'p', { endpointSelector: app('db'), ...spec });
const ofWeb = (spec: object) => cnpCilium('a', 'p', { endpointSelector: app('web'), ...spec });

describe('explain: why a Cilium peer misses, by kind', () => {
  test('a rule whose peer list is empty matches no peer', () => {
    const t = explain(state(ofDb({ ingress: [{ fromEndpoints: [] }] })), 'a/web', 'a/db', '5432');
    has(
      t,
      '- CiliumNetworkPolicy/a/p spec.ingress[0]: the ports fit, the peer does not match',
      'the rule has no peer field (an empty rule, or a peer list given as []): it matches no peer',
    );
  });

  test('a Service named without a namespace is named alone', () => {
    const s = state(ofWeb({ egress: [{ toServices: [{ k8sService: { serviceName: 'x' } }] }] }));
    s.services.push({
      id: 'a/x',
      namespace: 'a',
      name: 'x',
      labels: {},
      spec: { selector: { app: 'client' }, ports: [{ port: 80 }] },
    });
    has(explain(s, 'a/web', 'a/db', '80'), 'a/db is not a pod the selector of Service x selects');
  });

  test('a Service selector that selects Services not backed by the pod: a field netfence cannot resolve', () => {
    const s = state(
      ofWeb({
        egress: [{ toServices: [{ k8sServiceSelector: { selector: { matchLabels: { tier: 'x' } } } }] }],
      }),
    );
    s.services.push({
      id: 'a/x',
      namespace: 'a',
      name: 'x',
      labels: { tier: 'x' },
      spec: { selector: { app: 'agent' }, ports: [{ port: 80 }] },
    });
    has(
      explain(s, 'a/web', 'a/db', '80'),
      'the peer sets no field netfence knows (toServices.k8sServiceSelector): an allow rule matches nothing through it',
    );
  });

  test('a DNS name towards a pod: whether its IP is one of the name’s addresses is known at run time', () => {
    const t = explain(
      state(
        ofWeb({
          egress: [
            {
              toEndpoints: [{}],
              toPorts: [
                { ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } },
              ],
            },
            { toFQDNs: [{ matchName: 'api.example.com' }] },
          ],
        }),
      ),
      'a/web',
      'a/db',
      '80',
    );
    has(
      t,
      'the peer is a DNS name (api.example.com): whether the IP of a/db is one of its addresses is only known at run time',
    );
  });
});

describe('explain: why a Cilium rule’s ports miss', () => {
  test('a named port listed in two entries is one reason', () => {
    const t = explain(
      state(ofDb({ ingress: [{ fromEndpoints: [app('web')], toPorts: [tcp('http'), tcp('http')] }] })),
      'a/web',
      'a/db',
      '80',
    );
    const reason =
      'named port "http" (TCP) is not defined on a/db (its named ports: pg 5432/TCP, dns 53/UDP)';
    assert.equal(lines(t).filter((l) => l === reason).length, 1, t);
  });

  test('SCTP off under another CNI names its own setting', () => {
    const t = explain(
      state(
        ofDb({
          ingress: [
            { fromEndpoints: [app('web')], toPorts: [{ ports: [{ port: '5432', protocol: 'SCTP' }] }] },
          ],
        }),
      ),
      'a/web',
      'a/db',
      '80',
      cniEngineOptions(cniProfile('calico', 'sctp=false')),
    );
    has(t, "5432/SCTP in the rule's toPorts: allows nothing under calico (sctp=false) (sctp is off)");
  });
});

describe('explain: L7 filters and L7 entries shadowed at L4', () => {
  test('the L7 filter of an egress rule and of an ingress rule, each cited in its own list', () => {
    const egress = explain(
      state(ofWeb({ egress: [{ toEndpoints: [app('db')], toPorts: [{ ...tcp('80'), rules: http }] }] })),
      'a/web',
      'a/db',
      '80',
    );
    has(
      egress,
      'Filtered at L7: 80/TCP allowed at L4, filtered at L7 by CiliumNetworkPolicy/a/p spec.egress[0].toPorts[0] (http)',
    );
    const ingress = explain(
      state(ofDb({ ingress: [{ fromEndpoints: [app('web')], toPorts: [{ ...tcp('80'), rules: http }] }] })),
      'a/web',
      'a/db',
      '80',
    );
    has(
      ingress,
      'Filtered at L7: 80/TCP allowed at L4, filtered at L7 by CiliumNetworkPolicy/a/p spec.ingress[0].toPorts[0] (http)',
    );
  });

  test('in JSON, the L7 filter cites its rule in its own list', () => {
    const l7Paths = (s: ClusterState): string[] => {
      const index = buildRefIndex(compileCluster(s), 'pod');
      const src = resolveRefText(index, 'a/web');
      const dst = resolveRefText(index, 'a/db');
      assert.ok(src.ok && dst.ok);
      const [srcId, dstId] = [src.value.entities[0]!.id, dst.value.entities[0]!.id];
      const json = explanationToJson(
        index,
        explainEntities(index, srcId, dstId, undefined)[0]!,
        srcId,
        dstId,
      );
      return (json.l7 ?? []).map((f) => `${f.path} ${f.entry}`);
    };
    assert.deepEqual(
      l7Paths(
        state(ofWeb({ egress: [{ toEndpoints: [app('db')], toPorts: [{ ...tcp('80'), rules: http }] }] })),
      ),
      ['spec.egress[0] spec.egress[0].toPorts[0]'],
    );
    assert.deepEqual(
      l7Paths(
        state(ofDb({ ingress: [{ fromEndpoints: [app('web')], toPorts: [{ ...tcp('80'), rules: http }] }] })),
      ),
      ['spec.ingress[0] spec.ingress[0].toPorts[0]'],
    );
  });

  test('a NetworkPolicy allowing the peer at L4 shadows an L7 entry', () => {
    const s = state(
      ofDb({ ingress: [{ fromEndpoints: [app('web')], toPorts: [{ ...tcp('80'), rules: http }] }] }),
    );
    s.policies.push(
      policy('a', 'np', {
        podSelector: app('db'),
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: app('web') }], ports: [{ port: 80, protocol: 'TCP' }] }],
      }),
    );
    has(
      explain(s, 'a/web', 'a/db', '80'),
      '- L7 rules of CiliumNetworkPolicy/a/p spec.ingress[0].toPorts[0] (http) filter nothing on 80/TCP: a/np spec.ingress[0] lets the same peer through at L4 alone',
    );
  });

  test('only rules whose peers match the connection: an L4 rule of another peer shadows nothing', () => {
    const t = explain(
      state(
        ofDb({
          ingress: [
            { fromEndpoints: [app('web')], toPorts: [{ ...tcp('80'), rules: http }] },
            { fromEndpoints: [app('client')], toPorts: [tcp('80')] },
          ],
        }),
      ),
      'a/web',
      'a/db',
      '80',
    );
    lacks(t, 'filter nothing');
    has(
      t,
      'Filtered at L7: 80/TCP allowed at L4, filtered at L7 by CiliumNetworkPolicy/a/p spec.ingress[0].toPorts[0] (http)',
    );
  });

  test('an L7 rule of two peers, one of them the connection’s, is shadowed by an L4 rule of that peer', () => {
    const t = explain(
      state(
        ofDb({
          ingress: [
            { fromEndpoints: [app('web'), app('client')], toPorts: [{ ...tcp('80'), rules: http }] },
            { fromEndpoints: [app('web')], toPorts: [tcp('80')] },
          ],
        }),
      ),
      'a/web',
      'a/db',
      '80',
    );
    has(
      t,
      '- L7 rules of CiliumNetworkPolicy/a/p spec.ingress[0].toPorts[0] (http) filter nothing on 80/TCP: CiliumNetworkPolicy/a/p spec.ingress[1] lets the same peer through at L4 alone',
    );
  });

  test('host is read for the pod’s node: rules towards host do not match another node’s address', () => {
    // Fixed (round 9): the shadowing check read `host` as every node, so a connection the verdict denies was
    // said to be let through at L4.
    const s = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'c', { app: 'c' }, { ips: ['10.0.0.1'], nodeName: 'n1' })],
      nodes: [node('n1', {}, ['192.168.0.1']), node('n2', {}, ['192.168.0.2'])],
      ciliumPolicies: [
        cnpCilium('a', 'to-host', {
          endpointSelector: app('c'),
          egress: [
            { toEntities: ['host'], toPorts: [{ ...tcp('80'), rules: http }] },
            { toEntities: ['host'], toPorts: [tcp('80')] },
          ],
        }),
      ],
    });
    const other = explain(s, 'a/c', '192.168.0.2', '80');
    has(other, 'a/c → 192.168.0.2/32: DENIED on 80/TCP');
    lacks(other, 'filter nothing');
    // The nearest rules are listed, as for any address the rules miss (they were taken for matches).
    has(
      other,
      '- CiliumNetworkPolicy/a/to-host spec.egress[0]: the ports fit, the peer does not match',
      "192.168.0.2/32 is not the selected pod's own node (entity host: its addresses and host-network pods)",
      '- CiliumNetworkPolicy/a/to-host spec.egress[1]: the ports fit, the peer does not match',
    );
    has(
      explain(s, 'a/c', '192.168.0.1', '80'),
      '- L7 rules of CiliumNetworkPolicy/a/to-host spec.egress[0].toPorts[0] (http) filter nothing on 80/TCP: CiliumNetworkPolicy/a/to-host spec.egress[1] lets the same peer through at L4 alone',
    );
  });
});

describe('explain --to a DNS name: the rules that miss, and what egress denies take', () => {
  const dns = {
    toEndpoints: [{}],
    toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
  };
  /** a/web: a DNS rule, then `rules`. */
  const named = (rules: object[], extra: object = {}): ClusterState =>
    state(ofWeb({ egress: [dns, ...rules], ...extra }));
  const misses = (s: ClusterState, port: string, options: Partial<EngineOptions> = {}): string[] => {
    const compiled = compileCluster(s, options);
    return explainDomainMisses(
      compiled,
      [compiled.classOfPod('a', 'web')!],
      'api.example.com',
      parsePortQuery(port) as PortSet,
      domainMatches,
    ).map((m) => `${m.path} ${m.reasons.map((r) => r.code).join(',')}`);
  };
  const byName = (s: ClusterState): string[] => {
    const compiled = compileCluster(s);
    return explainDomain(
      compiled,
      [compiled.classOfPod('a', 'web')!],
      'api.example.com',
      ALL_CONNECTIONS,
    ).map((m) => `${m.path} ${formatPorts(m.ports)}`);
  };
  const api = (port: string) => ({ toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [tcp(port)] });

  test('each rule that misses is listed; one that allows the port is not', () => {
    const s = named([api('443'), api('8443')]);
    assert.deepEqual(misses(s, '22'), ['spec.egress[1] port-not-in-rule', 'spec.egress[2] port-not-in-rule']);
    assert.deepEqual(misses(s, '443'), ['spec.egress[2] port-not-in-rule']);
  });

  test('a rule whose ports are all SCTP, with SCTP off, has no ports', () => {
    const s = named([
      {
        toFQDNs: [{ matchName: 'api.example.com' }],
        toPorts: [{ ports: [{ port: '443', protocol: 'SCTP' }] }],
      },
    ]);
    assert.deepEqual(misses(s, '443', { cni: cniProfile('cilium') }), ['spec.egress[1] no-ports']);
  });

  test('an egress deny of some outside addresses takes nothing from the name', () => {
    const deny = (peer: object) => ({ egressDeny: [{ ...peer, toPorts: [tcp('443')] }] });
    // One address, or all of IPv6 (the last address class): the name may resolve elsewhere.
    assert.deepEqual(byName(named([api('443')], deny({ toCIDR: ['1.2.3.4/32'] }))), [
      'spec.egress[1] TCP 443',
    ]);
    assert.deepEqual(byName(named([api('443')], deny({ toCIDR: ['::/0'] }))), ['spec.egress[1] TCP 443']);
    // A rule of two peers, one of them world: it denies towards every outside address.
    assert.deepEqual(
      byName(named([api('443')], deny({ toCIDR: ['1.2.3.4/32'], toEntities: ['world'] }))),
      [],
    );
  });
});
