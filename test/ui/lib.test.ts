/**
 * The web UI's pure modules, without a browser: graph building (filters, collapsed namespaces, aggregation,
 * focus), the matrix, ports and labels filters, routes, attack-path layers, findings and what-if drafts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filterFindings, findingTarget, rulesOf } from '../../ui/lib/findings.ts';
import {
  addressGroup,
  addressName,
  buildGraph,
  DEFAULT_OPTIONS,
  defaultCollapsed,
  exposureOf,
  externalLabel,
  isGroupId,
  LARGE_WORKLOADS,
  nodeAddressLabel,
  nodeAddressTitle,
  outsideToggleTitle,
  toggleGroup,
  type EdgeInput,
  type GraphInput,
  type GraphOptions,
} from '../../ui/lib/graph.ts';
import { labelsMatch, parseLabelFilter } from '../../ui/lib/labels.ts';
import { cellText, namespaceMatrix, workloadMatrix, MAX_MATRIX_WORKLOADS } from '../../ui/lib/matrix.ts';
import { layers, maxHops, pathText, reachSummary, targetEdges, treeEdges } from '../../ui/lib/paths.ts';
import { formatPorts, parsePortFilter, portsMatch, shortPorts, unionPorts } from '../../ui/lib/ports.ts';
import { formatRoute, formatSelection, parseRoute, parseSelection, withParams } from '../../ui/lib/route.ts';
import type { ModelWorkloadJson as WorkloadJson } from '../../src/contract/api.ts';
import type { PortsJson } from '../../src/contract/common.ts';
import type { FindingJson } from '../../src/contract/lint.ts';
import {
  changedCount,
  changesHeading,
  exportYaml,
  isChanged,
  isClusterPolicyYaml,
  newClusterPolicyYaml,
  newPolicyYaml,
  policyChangeCounts,
  toRequest,
  type Draft,
} from '../../ui/lib/whatif.ts';
import { allowedByAdmin, allowedByText } from '../../ui/lib/tiers.ts';

const tcp = (...ports: number[]): PortsJson => ({ TCP: ports.map((p) => [p, p]), UDP: [], SCTP: [] });
const ALL: PortsJson = { TCP: [[1, 65535]], UDP: [[1, 65535]], SCTP: [[1, 65535]] };

function workload(
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  open = false,
): WorkloadJson {
  return {
    id: `${namespace}/Deployment/${name}`,
    namespace,
    kind: 'Deployment',
    name,
    displayName: `${namespace}/${name}`,
    pods: [],
    replicas: 2,
    labels: { app: name, ...labels },
    isolated: { ingress: open ? 'not-isolated' : 'isolated', egress: 'not-isolated' },
    open: { ingress: open, egress: true },
    policies: [],
    clusterPolicies: [],
    ciliumPolicies: [],
  };
}

const ns = (name: string, workloads: number): GraphInput['namespaces'][number] => ({
  name,
  labels: { 'kubernetes.io/metadata.name': name },
  implicit: false,
  workloads,
  policies: 1,
});

const web = workload('shop', 'web', { tier: 'front' });
const api = workload('shop', 'api', { tier: 'back' });
const db = workload('data', 'db');
const dns = workload('kube-system', 'dns', {}, true);
const edge = (src: string, dst: string, ports: PortsJson, open = false): EdgeInput => ({
  src,
  dst,
  ports,
  summary: formatPorts(ports),
  open,
});

/** A small cluster: web → api → db, everyone → dns (unrestricted), api → the internet. */
const base: GraphInput = {
  namespaces: [ns('data', 1), ns('kube-system', 1), ns('shop', 2)],
  workloads: [db, dns, api, web],
  external: [{ id: 'external:0', description: '0.0.0.0/0; ::/0' }],
  edges: [
    edge(web.id, api.id, tcp(8080)),
    edge(api.id, db.id, tcp(5432)),
    edge(web.id, dns.id, ALL, true),
    edge(api.id, dns.id, ALL, true),
    edge(api.id, 'external:0', tcp(443)),
  ],
  complete: true,
  groupEdges: [],
};

const opts = (o: Partial<GraphOptions> = {}): GraphOptions => ({
  ...DEFAULT_OPTIONS,
  collapsed: new Set(),
  ...o,
});
const ids = (list: readonly { id: string }[]): string[] => list.map((x) => x.id).sort();

describe('buildGraph', () => {
  test('namespaces are groups, workloads their children, connections edges labelled with ports', () => {
    const g = buildGraph(base, opts({ hideOpen: false }));
    assert.deepEqual(
      g.nodes.filter((n) => n.kind === 'namespace').map((n) => n.id),
      ['ns:data', 'ns:kube-system', 'ns:shop'],
    );
    assert.equal(g.nodes.find((n) => n.id === web.id)?.parent, 'ns:shop');
    const e = g.edges.find((x) => x.id === `${api.id}>${db.id}`);
    assert.equal(e?.label, 'TCP 5432');
    assert.equal(g.edges.length, 5);
    // The outside world is one group, with only the address ranges that have a connection.
    assert.deepEqual(ids(g.nodes.filter((n) => n.parent === 'outside')), ['external:0']);
    assert.equal(g.nodes.find((n) => n.id === 'external:0')?.label, 'any address');
  });

  test('unrestricted connections are left out by default, and counted', () => {
    const g = buildGraph(base, opts());
    assert.deepEqual(
      ids(g.edges),
      [`${api.id}>${db.id}`, `${api.id}>external:0`, `${web.id}>${api.id}`].sort(),
    );
    assert.equal(g.hiddenOpen, 2);
    // The node says it instead: anyone may reach dns.
    assert.equal(g.nodes.find((n) => n.id === dns.id)?.ingress, 'open');
  });

  test('a collapsed namespace is one node, and its connections are aggregated with their ports merged', () => {
    const g = buildGraph(base, opts({ collapsed: new Set(['ns:shop']), hideOpen: false }));
    const shop = g.nodes.find((n) => n.id === 'ns:shop');
    assert.equal(shop?.kind, 'collapsed-namespace');
    assert.equal(shop?.label, 'shop (2)');
    assert.equal(
      g.nodes.some((n) => n.id === web.id),
      false,
    );
    const toDns = g.edges.find((e) => e.id === `ns:shop>${dns.id}`);
    assert.equal(toDns?.count, 2);
    assert.equal(toDns?.open, true);
    assert.equal(toDns?.label, 'all (2)');
    // web → api stays inside the collapsed node, as a loop.
    assert.equal(g.edges.find((e) => e.id === 'ns:shop>ns:shop')?.label, 'TCP 8080');
  });

  test('port and label filters, and hiding the outside world', () => {
    const byPort = buildGraph(base, opts({ port: { protocol: 'TCP', port: 5432 } }));
    assert.deepEqual(ids(byPort.edges), [`${api.id}>${db.id}`]);
    const terms = parseLabelFilter('tier in (front,back)');
    assert.ok(Array.isArray(terms));
    const byLabel = buildGraph(base, opts({ labels: terms, hideOpen: false }));
    assert.deepEqual(ids(byLabel.nodes.filter((n) => n.kind === 'workload')), [api.id, web.id].sort());
    assert.equal(byLabel.hiddenWorkloads, 2);
    const noOutside = buildGraph(base, opts({ external: false }));
    assert.equal(
      noOutside.nodes.some((n) => n.id === 'outside' || n.id.startsWith('external:')),
      false,
    );
  });

  test('focus keeps one workload and its neighbours, in and out', () => {
    const g = buildGraph(base, opts({ focus: api.id, hideOpen: false }));
    assert.deepEqual(
      ids(g.nodes.filter((n) => n.kind === 'workload')),
      [api.id, db.id, dns.id, web.id].sort(),
    );
    assert.ok(g.edges.every((e) => e.source === api.id || e.target === api.id));
    assert.equal(g.edges.length, 4);
  });

  test('without every edge, collapsed-to-collapsed pairs come from the namespace aggregate', () => {
    // What the UI does on very large clusters: the model sends namespace-level edges only.
    const g = buildGraph(
      {
        ...base,
        edges: [],
        complete: false,
        groupEdges: [
          { src: 'ns:shop', dst: 'ns:data', count: 7, open: 0, ports: tcp(5432), summary: 'TCP 5432' },
          { src: 'ns:shop', dst: 'ns:kube-system', count: 3, open: 3, ports: ALL, summary: 'all' },
        ],
      },
      opts({ collapsed: new Set(['ns:shop', 'ns:data', 'ns:kube-system', 'outside']) }),
    );
    assert.deepEqual(ids(g.edges), ['ns:shop>ns:data']);
    assert.equal(g.edges[0]?.label, 'TCP 5432 (7)');
    // The pair whose connections are all unrestricted is hidden, and counted as such (as with every edge).
    assert.equal(g.hiddenOpen, 3);
  });

  test('aggregated statuses: the first of the status order wins', () => {
    const g = buildGraph(
      {
        ...base,
        edges: [
          { ...edge(web.id, dns.id, ALL), status: 'observed' },
          { ...edge(api.id, dns.id, ALL), status: 'denied' },
        ],
      },
      opts({ collapsed: new Set(['ns:shop']), statusOrder: ['denied', 'observed'] }),
    );
    assert.equal(g.edges[0]?.status, 'denied');
  });

  test("large clusters start aggregated by namespace, their DNS names and the Nodes' addresses in one node each", () => {
    assert.deepEqual([...defaultCollapsed(base.namespaces, 16)], ['outside']);
    assert.deepEqual([...defaultCollapsed(base.namespaces, LARGE_WORKLOADS + 1)].sort(), [
      'dns-names',
      'nodes',
      'ns:data',
      'ns:kube-system',
      'ns:shop',
      'outside',
    ]);
  });

  test('a workload that anyone may reach on every port is open even when policies select it', () => {
    assert.equal(exposureOf({ ...web, open: { ingress: true, egress: true } }), 'open');
    assert.equal(exposureOf(web), 'isolated');
    assert.equal(
      exposureOf({
        ...web,
        isolated: { ingress: 'host-network', egress: 'host-network' },
        open: { ingress: true, egress: true },
      }),
      'host-network',
    );
  });

  test('address class labels stay short', () => {
    assert.equal(externalLabel('10.0.0.0/24'), '10.0.0.0/24');
    assert.equal(
      externalLabel('203.0.113.0/24 except 203.0.113.240/28'),
      '203.0.113.0/24 except 203.0.113.240/28',
    );
    assert.equal(
      externalLabel('0.0.0.0/0 except 10.0.0.0/24, 203.0.113.0/24, 198.51.100.25/32'),
      '0.0.0.0/0 except 3 ranges',
    );
  });
});

describe('matrix', () => {
  const input = { ...base };
  test('namespace level counts workload pairs out of all pairs', () => {
    const m = namespaceMatrix(input, { namespaces: null, external: true, hideOpen: false });
    assert.deepEqual(
      m.rows.map((r) => `${r.id}:${r.size}`),
      ['ns:data:1', 'ns:kube-system:1', 'ns:shop:2', 'outside:1'],
    );
    const shopToDns = m.cells.get('ns:shop>ns:kube-system');
    assert.deepEqual(
      { count: shopToDns?.count, open: shopToDns?.open, possible: shopToDns?.possible },
      { count: 2, open: 2, possible: 2 },
    );
    assert.equal(m.cells.get('ns:shop>ns:shop')?.possible, 4);
    assert.equal(m.cells.has('ns:data>ns:shop'), false);
  });

  test('workload level shows ports, and refuses more workloads than it can draw', () => {
    const m = workloadMatrix(input, { namespaces: null, external: false, hideOpen: true });
    assert.ok(typeof m !== 'string');
    assert.equal(m.cells.get(`${api.id}>${db.id}`)?.label, 'TCP 5432');
    assert.equal(m.cells.has(`${web.id}>${dns.id}`), false);
    const many = Array.from({ length: MAX_MATRIX_WORKLOADS + 1 }, (_, i) => workload('big', `w${i}`));
    const refused = workloadMatrix(
      { ...input, workloads: many },
      { namespaces: null, external: false, hideOpen: false },
    );
    assert.match(typeof refused === 'string' ? refused : '', /^2001 workloads are too many/);
  });
});

describe('ports and labels', () => {
  test('port filters', () => {
    assert.deepEqual(parsePortFilter('5432'), { protocol: null, port: 5432 });
    assert.deepEqual(parsePortFilter('53/udp'), { protocol: 'UDP', port: 53 });
    assert.deepEqual(parsePortFilter('TCP/443'), { protocol: 'TCP', port: 443 });
    assert.deepEqual(parsePortFilter('sctp'), { protocol: 'SCTP', port: null });
    assert.equal(parsePortFilter('http'), '"http" is not a port: use 5432, 53/UDP or TCP');
    assert.equal(parsePortFilter('70000'), '"70000" is not a port: use 5432, 53/UDP or TCP');
    const ranges: PortsJson = { TCP: [[9100, 9199]], UDP: [[53, 53]], SCTP: [] };
    assert.equal(portsMatch(ranges, { protocol: null, port: 9121 }), true);
    assert.equal(portsMatch(ranges, { protocol: 'TCP', port: 53 }), false);
    assert.equal(portsMatch(ranges, { protocol: 'UDP', port: null }), true);
  });

  test('union and labels of port sets', () => {
    const u = unionPorts(tcp(80, 443), { TCP: [[81, 90]], UDP: [], SCTP: [] });
    assert.deepEqual(u.TCP, [
      [80, 90],
      [443, 443],
    ]);
    assert.equal(formatPorts(u), 'TCP 80-90,443');
    assert.equal(shortPorts(ALL), 'all');
    assert.equal(shortPorts({ TCP: [[53, 53]], UDP: [[53, 53]], SCTP: [] }), 'TCP 53 · UDP 53');
    assert.equal(shortPorts(tcp(1, 3, 5, 7)), 'TCP 4 ranges');
  });

  test('label selectors in kubectl syntax', () => {
    const labels = { app: 'web', tier: 'front' };
    const ok = (text: string): boolean => {
      const t = parseLabelFilter(text);
      assert.ok(Array.isArray(t), text);
      return labelsMatch(labels, t);
    };
    assert.equal(ok('app=web'), true);
    assert.equal(ok('app==web,tier!=back'), true);
    assert.equal(ok('tier in (back, db)'), false);
    assert.equal(ok('tier notin (back)'), true);
    assert.equal(ok('!legacy'), true);
    assert.equal(ok('app,legacy'), false);
    assert.equal(
      parseLabelFilter('app=web,=x'),
      'cannot read "=x": use key=value, key!=value, key in (a,b), key or !key',
    );
  });
});

describe('routes', () => {
  test('every view has a URL that round-trips, with readable ids', () => {
    const r = parseRoute(
      '#/graph?ns=shop,data&focus=shop/Deployment/api&sel=edge:shop/Deployment/web%3Eshop/Deployment/api',
    );
    assert.equal(r.view, 'graph');
    assert.equal(r.params.ns, 'shop,data');
    assert.deepEqual(parseSelection(r.params.sel), {
      kind: 'edge',
      src: 'shop/Deployment/web',
      dst: 'shop/Deployment/api',
    });
    assert.equal(
      formatRoute(r),
      '#/graph?ns=shop,data&focus=shop/Deployment/api&sel=edge:shop/Deployment/web%3Eshop/Deployment/api',
    );
    assert.deepEqual(parseRoute(formatRoute(r)), r);
    assert.equal(
      formatRoute(withParams(r, { ns: null, focus: '' })),
      '#/graph?sel=edge:shop/Deployment/web%3Eshop/Deployment/api',
    );
    assert.deepEqual(parseRoute('#/nonsense?x=1'), { view: 'graph', params: { x: '1' } });
    assert.deepEqual(parseRoute(''), { view: 'graph', params: {} });
    assert.equal(formatRoute({ view: 'matrix', params: { level: 'workload' } }), '#/matrix?level=workload');
  });

  test('selections', () => {
    assert.deepEqual(parseSelection('node:ns:shop'), { kind: 'node', id: 'ns:shop' });
    assert.deepEqual(parseSelection('policy:data/allow-redis'), { kind: 'policy', id: 'data/allow-redis' });
    assert.equal(parseSelection('edge:>x'), null);
    assert.equal(parseSelection('nonsense'), null);
    assert.equal(formatSelection({ kind: 'edge', src: 'a', dst: 'b' }), 'edge:a>b');
  });
});

describe('attack paths', () => {
  const p = {
    mode: 'targets' as const,
    workloads: 4,
    reached: [
      { id: 'w', hops: 0, via: null },
      { id: 'a', hops: 1, via: { from: 'w', summary: 'TCP 8080' } },
      { id: 'd', hops: 2, via: { from: 'a', summary: 'TCP 5432' } },
    ],
    unreached: ['x'],
    targets: [
      {
        id: 'd',
        path: [
          { src: 'w', dst: 'a', summary: 'TCP 8080' },
          { src: 'a', dst: 'd', summary: 'TCP 5432' },
        ],
      },
    ],
  };
  test('hop layers, the breadth-first tree up to a hop, and the path to the targets', () => {
    assert.deepEqual(layers(p), [['w'], ['a'], ['d']]);
    assert.equal(maxHops(p), 2);
    assert.deepEqual([...treeEdges(p, 1)], ['w>a']);
    assert.deepEqual([...treeEdges(p)], ['w>a', 'a>d']);
    assert.deepEqual([...targetEdges(p)], ['w>a', 'a>d']);
  });

  test('the status counts the workloads reached of those not compromised, as `paths` does', () => {
    const isWorkload = (id: string): boolean => !id.startsWith('external:');
    assert.equal(
      reachSummary({ ...p, from: ['w'] }, Infinity, isWorkload),
      '2 of 3 other workloads reachable',
    );
    assert.equal(
      reachSummary({ ...p, from: ['w'] }, 1, isWorkload),
      '1 of 3 other workloads reachable within 1 hop',
    );
    // From outside the cluster (its address classes), every workload may be reached: none is "other".
    const outside = {
      ...p,
      from: ['external:0', 'external:1'],
      reached: [
        { id: 'external:0', hops: 0, via: null },
        { id: 'external:1', hops: 0, via: null },
        { id: 'a', hops: 1, via: { from: 'external:0', summary: 'TCP 443' } },
      ],
    };
    assert.equal(reachSummary(outside, 2, isWorkload), '1 of 4 workloads reachable within 2 hops');
  });

  test('a path reads from the compromised workload, every hop named', () => {
    assert.equal(
      pathText(p.targets[0]!.path, (id) => id.toUpperCase()),
      'W → A → D',
    );
    assert.equal(
      pathText([], (id) => id),
      '',
    );
  });
});

describe('a workload matrix cell', () => {
  test('shows what fits in six characters: the ports, without protocols when needed, or the first and a +', () => {
    assert.equal(cellText('all'), 'all');
    assert.equal(cellText('TCP 53'), 'TCP 53');
    assert.equal(cellText('TCP 5432'), '5432');
    assert.equal(cellText('TCP 53 · UDP 53'), '53');
    assert.equal(cellText('TCP 80,443'), '80,443');
    assert.equal(cellText('TCP 8080,9090'), '8080+');
  });
});

describe('findings', () => {
  const f = (
    ruleId: string,
    severity: FindingJson['severity'],
    object: FindingJson['object'],
    workloads: string[] = [],
  ): FindingJson => ({
    ruleId,
    messageId: 'default',
    severity,
    message: `${ruleId} on ${object.name}`,
    file: 'x.yaml',
    line: 1,
    column: 1,
    path: '',
    object,
    workloads,
    helpUri: `https://example.test/rules/${ruleId}.md`,
  });
  const list = [
    f(
      'no-allow-all-rule',
      'error',
      { kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-web', id: 'shop/NetworkPolicy/allow-web' },
      ['shop/Deployment/web'],
    ),
    f('require-default-deny-egress', 'warning', { kind: 'Namespace', name: 'data', id: 'Namespace/data' }),
    f('require-ingress-isolation', 'warning', {
      kind: 'StatefulSet',
      namespace: 'monitoring',
      name: 'alertmanager',
      id: 'monitoring/StatefulSet/alertmanager',
    }),
  ];
  test('each finding links to its policy, namespace and workloads', () => {
    assert.deepEqual(findingTarget(list[0]!), {
      policy: 'shop/allow-web',
      namespace: 'shop',
      workloads: ['shop/Deployment/web'],
    });
    assert.deepEqual(findingTarget(list[1]!), { policy: null, namespace: 'data', workloads: [] });
    assert.deepEqual(findingTarget(list[2]!), {
      policy: null,
      namespace: 'monitoring',
      workloads: ['monitoring/StatefulSet/alertmanager'],
    });
    // A finding on a cluster policy links the workloads it selects, never the policy's id as a workload.
    const cnp = { kind: 'AdminNetworkPolicy', name: 'legacy', id: 'AdminNetworkPolicy/legacy' };
    assert.deepEqual(findingTarget(f('no-legacy-tier-api', 'warning', cnp)), {
      policy: null,
      namespace: null,
      workloads: [],
    });
    assert.deepEqual(findingTarget(f('no-legacy-tier-api', 'warning', cnp, ['shop/Deployment/web'])), {
      policy: null,
      namespace: null,
      workloads: ['shop/Deployment/web'],
    });
  });
  test('filters by severity, rule and words', () => {
    assert.equal(filterFindings(list, { severity: 'error', rule: null, text: '' }).length, 1);
    assert.equal(
      filterFindings(list, { severity: 'info', rule: 'require-ingress-isolation', text: '' }).length,
      1,
    );
    assert.equal(filterFindings(list, { severity: 'info', rule: null, text: 'ALERTMANAGER' }).length, 1);
    assert.deepEqual(
      rulesOf(list).map((r) => r.rule),
      ['no-allow-all-rule', 'require-default-deny-egress', 'require-ingress-isolation'],
    );
  });
});

describe('what-if drafts', () => {
  const drafts: Draft[] = [
    { target: 'shop/allow-web', yaml: 'kind: NetworkPolicy # edited\n', original: 'kind: NetworkPolicy\n' },
    { target: 'shop/allow-api', yaml: 'same\n', original: 'same\n' },
    { target: 'data/allow-redis', yaml: null, original: 'x\n' },
    { target: null, yaml: 'kind: NetworkPolicy # new\n', original: '' },
  ];
  test('only changed drafts are sent, with the index of their draft', () => {
    assert.deepEqual(drafts.map(isChanged), [true, false, true, true]);
    const { changes, draftOf } = toRequest(drafts);
    assert.deepEqual(changes, [
      { target: 'shop/allow-web', yaml: 'kind: NetworkPolicy # edited\n' },
      { target: 'data/allow-redis' },
      { yaml: 'kind: NetworkPolicy # new\n' },
    ]);
    assert.deepEqual(draftOf, [0, 2, 3]);
  });
  test('the export lists edited and new policies, and names those turned off', () => {
    assert.equal(
      exportYaml(drafts),
      [
        '# Policies edited in netfence serve (what-if). Review, then apply them yourself.',
        '# Turned off (delete them): data/allow-redis',
        '---',
        'kind: NetworkPolicy # edited',
        '---',
        'kind: NetworkPolicy # new',
        '',
      ].join('\n'),
    );
  });
});

describe('what-if counts', () => {
  test('the list heading counts connections as the summary does (each side as analyze), and the rows', () => {
    const webshop = {
      added: 1,
      removed: 16,
      before: { connections: 221, unchanged: 203, changed: 2, removed: 16 },
      after: { connections: 225, unchanged: 223, changed: 1, added: 1 },
    };
    assert.equal(changesHeading(webshop, 16), 'Connection changes (+1, −16, 2 → 1 changed in 16 rows)');
    assert.equal(changedCount(webshop), '2 → 1');
    const same = {
      added: 2,
      removed: 0,
      before: { connections: 5, unchanged: 4, changed: 1, removed: 0 },
      after: { connections: 7, unchanged: 4, changed: 1, added: 2 },
    };
    assert.equal(changesHeading(same, 1), 'Connection changes (+2, −0, 1 changed in 1 row)');
  });

  test('policy changes count NetworkPolicies and cluster policies apart, as diff does', () => {
    const none = {
      policiesAdded: 0,
      policiesRemoved: 0,
      policiesModified: 0,
      clusterPoliciesAdded: 0,
      clusterPoliciesRemoved: 0,
      clusterPoliciesModified: 0,
      ciliumPoliciesAdded: 0,
      ciliumPoliciesRemoved: 0,
      ciliumPoliciesModified: 0,
    };
    assert.equal(policyChangeCounts(none), null);
    assert.equal(policyChangeCounts({ ...none, clusterPoliciesAdded: 1 }), 'cluster policies: 1 added');
    assert.equal(
      policyChangeCounts({
        ...none,
        policiesModified: 2,
        clusterPoliciesRemoved: 1,
        clusterPoliciesModified: 1,
      }),
      'policies: 2 modified · cluster policies: 1 removed, 1 modified',
    );
  });
});

describe('cluster policy tiers in words', () => {
  const admin = { layer: 'admin', policy: 'ClusterNetworkPolicy/guardrails', rule: 1 } as const;
  const none = { layer: 'default', policy: null, rule: null } as const;

  test('what allowed each direction of a connection', () => {
    assert.equal(
      allowedByText({
        egress: [none],
        ingress: [admin, { layer: 'network-policy', policy: null, rule: null }],
      }),
      'egress allowed by default (no policy); ingress allowed by Admin: ClusterNetworkPolicy/guardrails rule 1 (Accept) and NetworkPolicy',
    );
    // An address outside the cluster has no side to decide.
    assert.equal(allowedByText({ egress: [none], ingress: [] }), 'egress allowed by default (no policy)');
  });

  test('an edge is drawn apart when an Admin tier rule accepted it, in either direction', () => {
    assert.equal(allowedByAdmin({ egress: [admin], ingress: [none] }), true);
    assert.equal(allowedByAdmin({ egress: [none], ingress: [{ ...admin, layer: 'baseline' }] }), false);
    assert.equal(allowedByAdmin(undefined), false);
  });

  test('new cluster policies are told from NetworkPolicies', () => {
    assert.equal(isClusterPolicyYaml(newClusterPolicyYaml('x')), true);
    assert.equal(
      isClusterPolicyYaml(
        'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n',
      ),
      true,
    );
    assert.equal(isClusterPolicyYaml(newPolicyYaml('shop')), false);
  });
});

describe("the Nodes' addresses: in the cluster, a group of their own (not outside the cluster)", () => {
  // test/fixtures/own-node/cluster.yaml as the model has it: node n1's address reaches web (the own-node rule).
  const n1 = { id: 'external:1', description: '192.168.0.1/32', nodes: ['n1'] };
  const n2 = { id: 'external:2', description: '192.168.0.2/32', nodes: ['n2'] };
  const internet = { id: 'external:0', description: '0.0.0.0/0 except 192.168.0.1/32, 192.168.0.2/32; ::/0' };
  const input: GraphInput = {
    ...base,
    external: [internet, n1, n2],
    edges: [
      ...base.edges,
      edge('external:1', web.id, ALL),
      edge('external:2', api.id, tcp(8080)),
      edge('external:1', dns.id, ALL, true),
    ],
  };

  test("an address class is the Nodes' when the model names its nodes, else outside", () => {
    assert.equal(addressGroup(n1), 'nodes');
    assert.equal(addressGroup(internet), 'outside');
    assert.equal(addressGroup({ ...internet, nodes: [] }), 'outside');
    assert.equal(addressGroup(undefined), 'outside');
    assert.equal(nodeAddressLabel(['n1']), 'node n1');
    assert.equal(nodeAddressLabel(['n1', 'n2']), 'nodes n1, n2');
    assert.equal(nodeAddressTitle(n1), '192.168.0.1/32: an address of node n1, in the cluster (not a pod)');
    assert.equal(
      nodeAddressTitle({ ...n1, nodes: ['n1', 'n2'] }),
      '192.168.0.1/32: addresses of nodes n1, n2, in the cluster (not a pod)',
    );
    // As diff and the what-if's list of changes name them.
    assert.equal(addressName(n2), '192.168.0.2/32 (an address of node n2)');
    assert.equal(addressName({ ...n1, nodes: ['n1', 'n2'] }), '192.168.0.1/32 (addresses of nodes n1, n2)');
    assert.equal(addressName(internet), internet.description);
    assert.equal(isGroupId('nodes'), true);
    assert.equal(
      outsideToggleTitle(input.external),
      "The address ranges outside the cluster; the Nodes' addresses are in the cluster and stay shown",
    );
    assert.equal(outsideToggleTitle([internet]), 'The address ranges outside the cluster');
  });

  test('expanded: each node address is a node named after its Node, in the box "nodes", not in "outside the cluster"', () => {
    const g = buildGraph(input, opts());
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    assert.deepEqual(
      { ...byId.get('external:1'), title: undefined },
      {
        id: 'external:1',
        kind: 'node-address',
        label: 'node n1',
        parent: 'nodes',
        count: 1,
        ingress: null,
        title: undefined,
      },
    );
    assert.equal(byId.get('external:1')!.title, nodeAddressTitle(n1));
    assert.equal(byId.get('external:2')!.parent, 'nodes');
    assert.deepEqual(byId.get('nodes'), {
      id: 'nodes',
      kind: 'nodes',
      label: 'nodes',
      parent: null,
      count: 2,
      ingress: null,
      title:
        "2 addresses of 2 nodes: in the cluster, not pods (no pod's NetworkPolicy applies on their side)",
    });
    assert.equal(byId.get('external:0')!.parent, 'outside');
    assert.equal(byId.get('outside')!.count, 1);
    assert.deepEqual(
      g.edges.map((e) => e.id).filter((id) => id.startsWith('external:')),
      ['external:1>shop/Deployment/web', 'external:2>shop/Deployment/api'],
    );
  });

  test('collapsed: one node "nodes" whose edges count each connection once, as analyze does', () => {
    const g = buildGraph(input, opts({ collapsed: new Set(['nodes', 'outside']), hideOpen: false }));
    const nodes = g.nodes.find((n) => n.id === 'nodes')!;
    assert.equal(nodes.kind, 'collapsed-nodes');
    assert.equal(nodes.count, 2);
    assert.equal(g.nodes.find((n) => n.id === 'outside')!.title, '1 address range outside the cluster');
    assert.deepEqual(
      g.edges.filter((e) => e.source === 'nodes').map((e) => [e.target, e.count]),
      [
        [web.id, 1],
        [api.id, 1],
        [dns.id, 1],
      ],
    );
    assert.equal(g.edges.filter((e) => e.source === 'outside').length, 0);
    // Every connection is drawn once: as many as the input has.
    assert.equal(
      g.edges.reduce((n, e) => n + e.count, 0),
      input.edges.length,
    );
  });

  test('"Show outside the cluster" off hides the outside only when the view shows the nodes; absent, they follow it', () => {
    const shown = buildGraph(input, opts({ external: false, nodes: true }));
    assert.deepEqual(ids(shown.nodes.filter((n) => n.kind === 'node-address')), ['external:1', 'external:2']);
    assert.equal(
      shown.nodes.some((n) => n.id === 'outside' || n.id === 'external:0'),
      false,
    );
    const hidden = buildGraph(input, opts({ external: false }));
    assert.equal(
      hidden.nodes.some((n) => n.id === 'nodes' || n.kind === 'node-address'),
      false,
    );
    const off = buildGraph(input, opts({ external: true, nodes: false }));
    assert.equal(
      off.nodes.some((n) => n.id === 'nodes'),
      false,
    );
    assert.equal(
      off.nodes.some((n) => n.id === 'external:0'),
      true,
    );
    // A focus on a node address keeps it and its neighbours.
    const focused = buildGraph(input, opts({ focus: 'external:1', hideOpen: false }));
    assert.deepEqual(
      focused.edges.map((e) => e.id),
      ['external:1>shop/Deployment/web', 'external:1>kube-system/Deployment/dns'],
    );
  });

  test('without every edge, the group edges of "nodes" come from the model\'s aggregate', () => {
    const g = buildGraph(
      {
        ...input,
        complete: false,
        edges: [],
        groupEdges: [
          { src: 'nodes', dst: 'ns:shop', count: 2, open: 0, ports: ALL, summary: 'all' },
          { src: 'outside', dst: 'ns:shop', count: 1, open: 0, ports: ALL, summary: 'all' },
        ],
      },
      opts({ collapsed: new Set(['nodes', 'outside', 'ns:shop']), external: false, nodes: true }),
    );
    assert.deepEqual(
      g.edges.map((e) => [e.id, e.count]),
      [['nodes>ns:shop', 2]],
    );
  });

  test('expanding the nodes on a large cluster leaves the namespaces as they are', () => {
    assert.deepEqual(
      [...toggleGroup(new Set(['nodes', 'ns:a']), 'nodes', ['ns:a', 'ns:b'], LARGE_WORKLOADS + 1)],
      ['ns:a'],
    );
  });

  test('the matrix: a row and column "nodes" apart from "outside the cluster", the same connections in all', () => {
    const m = namespaceMatrix(input, { namespaces: null, external: true, nodes: true, hideOpen: false });
    assert.deepEqual(
      m.rows.map((r) => [r.id, r.label, r.size, r.group]),
      [
        ['ns:data', 'data', 1, 'ns:data'],
        ['ns:kube-system', 'kube-system', 1, 'ns:kube-system'],
        ['ns:shop', 'shop', 2, 'ns:shop'],
        ['nodes', 'nodes', 2, 'nodes'],
        ['outside', 'outside the cluster', 1, 'outside'],
      ],
    );
    assert.equal(m.cells.get('nodes>ns:shop')!.count, 2);
    assert.equal(m.cells.get('nodes>ns:shop')!.possible, 4);
    assert.equal(m.cells.get('nodes>ns:kube-system')!.count, 1);
    assert.equal(m.cells.get('ns:shop>outside')!.count, 1);
    const noOutside = namespaceMatrix(input, {
      namespaces: null,
      external: false,
      nodes: true,
      hideOpen: false,
    });
    assert.deepEqual(noOutside.rows.map((r) => r.id).slice(3), ['nodes']);
    const w = workloadMatrix(input, { namespaces: null, external: true, nodes: true, hideOpen: true });
    assert.ok(typeof w !== 'string');
    assert.deepEqual(
      w.rows.slice(4).map((r) => [r.id, r.label, r.group]),
      [
        ['external:1', 'node n1', 'nodes'],
        ['external:2', 'node n2', 'nodes'],
        ['external:0', '0.0.0.0/0 except 2 ranges', 'outside'],
      ],
    );
    const w2 = workloadMatrix(input, { namespaces: null, external: false, hideOpen: true });
    assert.ok(typeof w2 !== 'string');
    assert.equal(w2.rows.length, 4);
  });
});
