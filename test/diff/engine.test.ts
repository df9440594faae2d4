/**
 * diffClusters on hand-built states: each case changes one thing and asserts exactly which connections
 * and policies the diff reports, with their ports.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffClusters, diffPolicies, valueDiff, type ClusterDiff } from '../../src/engine/diff.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';
import { formatPath, type FieldPath } from '../../src/model/problem.ts';
import { cluster, ns, pod, policy, type ClusterInput } from '../support/builders.ts';

/** prod: web → db on 5432 only (db denies everything else); dev is open. */
const base: ClusterInput = {
  namespaces: [ns('prod'), ns('dev')],
  pods: [
    pod('prod', 'web', { app: 'web' }, { ips: ['10.0.1.10'] }),
    pod('prod', 'db', { app: 'db' }, { ips: ['10.0.1.20'] }),
  ],
  policies: [
    policy('prod', 'db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
    }),
    policy('prod', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [] }),
  ],
};

const dbPorts = (ports: NetworkPolicySpec['ingress']): ClusterInput => ({
  ...base,
  policies: [
    policy('prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: ports! }),
    base.policies![1]!,
  ],
});

/** `change src → dst: before => after` for every change, with display names of the diff. */
function lines(d: ClusterDiff): string[] {
  const name = (id: string): string => {
    const e = d.byId.get(id)!;
    return e.kind === 'external' ? d.addressSpace.describe(e.address.id) : e.id;
  };
  return d.connections.map(
    (c) => `${c.change} ${name(c.src)} → ${name(c.dst)}: ${formatPorts(c.before)} => ${formatPorts(c.after)}`,
  );
}

function diff(before: ClusterInput, after: ClusterInput): ClusterDiff {
  return diffClusters(cluster(before), cluster(after));
}

describe('diffClusters: connections', () => {
  test('identical states have no changes, and count every connection as unchanged', () => {
    const d = diff(base, base);
    assert.deepEqual(d.connections, []);
    assert.deepEqual(d.policies, []);
    // web → db, and each pod → the one address class (no policy mentions a CIDR).
    assert.deepEqual(d.counts.before, { connections: 3, unchanged: 3, changed: 0, gone: 0 });
    assert.deepEqual(d.counts.after, d.counts.before);
  });

  test('a port added to an existing pair is "changed", with the ports gained', () => {
    const d = diff(
      base,
      dbPorts([
        { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }, { port: 9187 }] },
      ]),
    );
    assert.deepEqual(lines(d), ['changed prod/Pod/web → prod/Pod/db: TCP 5432 => TCP 5432,9187']);
    assert.equal(formatPorts(d.connections[0]!.added), 'TCP 9187');
    assert.equal(formatPorts(d.connections[0]!.removed), 'No connections');
  });

  test('a pair that loses every port is "removed", one that gains its first is "added"', () => {
    const removed = diff(base, dbPorts([]));
    assert.deepEqual(lines(removed), ['removed prod/Pod/web → prod/Pod/db: TCP 5432 => No connections']);
    const added = diff(dbPorts([]), base);
    assert.deepEqual(lines(added), ['added prod/Pod/web → prod/Pod/db: No connections => TCP 5432']);
  });

  test('a workload only one side has: all its connections are added (or removed), and it is listed', () => {
    const after: ClusterInput = { ...base, pods: [...base.pods!, pod('dev', 'tool', { app: 'tool' })] };
    const d = diff(base, after);
    assert.deepEqual(d.entitiesAdded, ['dev/Pod/tool']);
    assert.deepEqual(d.entitiesRemoved, []);
    // dev/tool is open (no policy in dev) and web's ingress is closed; db only admits web.
    assert.deepEqual(lines(d), [
      'added dev/Pod/tool → 0.0.0.0/0; ::/0: No connections => All connections',
      'added prod/Pod/db → dev/Pod/tool: No connections => All connections',
      'added prod/Pod/web → dev/Pod/tool: No connections => All connections',
      'added 0.0.0.0/0; ::/0 → dev/Pod/tool: No connections => All connections',
    ]);
    assert.equal(diff(after, base).entitiesRemoved[0], 'dev/Pod/tool');
  });

  test('the outside world is compared on the common refinement of both address spaces', () => {
    // Before: web may reach anywhere on 443. After: only 198.51.100.40/32. The diff must say that every
    // other address lost 443, and that 198.51.100.40/32 is unchanged, although neither side alone has a
    // class for "0.0.0.0/0 except 198.51.100.40/32".
    const egress = (cidr: string): ClusterInput => ({
      ...base,
      policies: [
        ...base.policies!,
        policy('prod', 'web-egress', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr } }], ports: [{ port: 443 }] }],
        }),
      ],
    });
    const d = diff(egress('0.0.0.0/0'), egress('198.51.100.40/32'));
    assert.deepEqual(lines(d), [
      'removed prod/Pod/web → 0.0.0.0/0 except 198.51.100.40/32: TCP 443 => No connections',
    ]);
    // Counted as analyze counts each side (see below): before, web → 0.0.0.0/0 changed and db → each of the
    // two address classes unchanged; after, web → 198.51.100.40/32 and db → each of two classes (.40, and any
    // other address: the after side alone does not tell 0.0.0.0/0 from ::/0) unchanged.
    // web → db is denied on both sides: web's egress allows only 443, db's ingress only 5432.
    assert.deepEqual(d.counts.before, { connections: 3, unchanged: 2, changed: 1, gone: 0 });
    assert.deepEqual(d.counts.after, { connections: 3, unchanged: 3, changed: 0, gone: 0 });
  });

  test('--ipblock-matches-pods=false is passed to both sides', () => {
    const egress: ClusterInput = {
      ...base,
      policies: [
        ...base.policies!,
        policy('prod', 'web-egress', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
        }),
      ],
    };
    // Restricting web's egress to 10.0.0.0/8: with ipBlocks matching pods, web → db keeps 5432.
    assert.ok(!lines(diff(base, egress)).some((l) => l.includes('prod/Pod/db')));
    const d = diffClusters(cluster(base), cluster(egress), { ipBlockMatchesPods: false });
    assert.ok(lines(d).includes('removed prod/Pod/web → prod/Pod/db: TCP 5432 => No connections'));
  });

  test('pod granularity matches pods by namespace/name', () => {
    const d = diffClusters(cluster(base), cluster(dbPorts([])), { granularity: 'pod' });
    assert.equal(d.granularity, 'pod');
    assert.deepEqual(
      d.connections.map((c) => `${c.change} ${c.src} → ${c.dst}`),
      ['removed prod/web → prod/db'],
    );
  });
});

describe('diffClusters: policies', () => {
  const paths = (list: readonly FieldPath[]): string[] => list.map(formatPath);

  test('added, removed and modified, in id order; annotations alone do not count', () => {
    const before: ClusterState = cluster(base);
    const after: ClusterState = cluster({
      ...base,
      policies: [
        { ...base.policies![0]!, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
        policy('prod', 'allow-dns', {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
        }),
      ],
    });
    const changes = diffPolicies(before.policies, after.policies);
    assert.deepEqual(
      changes.map((c) => `${c.change} ${c.id}`),
      ['added prod/allow-dns', 'removed prod/web'],
    );
  });

  test('modified: the deepest differing fields, labels included; a list that changed length as a whole', () => {
    const x = policy('prod', 'db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
    });
    const y = {
      ...policy('prod', 'db', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { app: 'api' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }],
            ports: [{ port: 5433 }],
          },
        ],
      }),
      labels: { team: 'data' },
    };
    const [change] = diffPolicies([x], [y]);
    assert.equal(change!.change, 'modified');
    assert.deepEqual(paths(change!.fields), [
      'metadata.labels.team',
      'spec.ingress[0].from',
      'spec.ingress[0].ports[0].port',
    ]);
  });

  test('key order does not matter; a value that changed type does', () => {
    const out: FieldPath[] = [];
    valueDiff({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, [], out);
    assert.deepEqual(out, []);
    valueDiff({ port: 80 }, { port: '80' }, ['spec'], out);
    assert.deepEqual(paths(out), ['spec.port']);
  });
});
