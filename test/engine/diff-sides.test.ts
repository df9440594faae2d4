/**
 * `diffSides` and the policy diff (`src/engine/diff.ts`) on sides written by hand: which pairs count as added,
 * removed, changed or unchanged (L7 filtering included), the order of entities and changes, the entities
 * only one side has, and `valueDiff`'s deepest differing fields. `test/diff/engine.test.ts` checks the same
 * through compiled clusters; here each rule is pinned alone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyCluster, type PolicyInfo, type WorkloadInfo } from '../../src/model/cluster.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';
import type { FieldPath } from '../../src/model/problem.ts';
import { buildAddressSpace } from '../../src/engine/addresses.ts';
import type { CompiledCluster } from '../../src/engine/compile.ts';
import type { Entity } from '../../src/engine/connectivity.ts';
import { diffPolicies, diffSides, valueDiff, type Side } from '../../src/engine/diff.ts';
import { ALL_CONNECTIONS, NO_PORTS, isEmptyPorts, portSetOf, type PortSet } from '../../src/engine/ports.ts';
import { pairKey } from '../../src/base/text.ts';

function workload(namespace: string, kind: WorkloadInfo['kind'], name: string): Entity {
  const id = `${namespace}/${kind}/${name}`;
  return {
    kind: 'workload',
    id,
    workload: { id, namespace, kind, name, labels: {}, pods: [], replicas: 1 },
  };
}

function side(
  entities: Entity[],
  connections: [string, string, PortSet][],
  l7: [string, string, PortSet][] = [],
): Side {
  const keyed = (list: [string, string, PortSet][]) => new Map(list.map(([s, d, p]) => [pairKey(s, d), p]));
  return {
    compiled: {} as CompiledCluster,
    entities,
    connections: keyed(connections),
    l7: keyed(l7),
    own: connections.filter(([, , p]) => !isEmptyPorts(p)).length,
    split: new Map(),
  };
}

const tcp = (...ports: number[]): PortSet =>
  portSetOf(
    'TCP',
    ports.flatMap((p) => [p, p]),
  );
const common = buildAddressSpace([]);

const web = workload('a', 'Deployment', 'web');
const db = workload('a', 'StatefulSet', 'db');
const api = workload('a', 'Deployment', 'api');
const old = workload('a', 'Deployment', 'old');
const fresh = workload('b', 'Deployment', 'fresh');

function diff(before: Side, after: Side) {
  return diffSides(emptyCluster(), emptyCluster(), { before, after }, common, 'workload');
}

describe('diffSides: connections', () => {
  test('added, removed, changed with the ports gained and lost; the same ports unchanged', () => {
    const d = diff(
      side(
        [web, db, api],
        [
          [web.id, db.id, tcp(5432)],
          [api.id, db.id, tcp(5432, 6379)],
          [web.id, api.id, tcp(80)],
        ],
      ),
      side(
        [web, db, api],
        [
          [api.id, db.id, tcp(5432, 9000)],
          [web.id, api.id, tcp(80)],
          [api.id, web.id, ALL_CONNECTIONS],
        ],
      ),
    );
    assert.equal(d.counts.before.unchanged, 1);
    assert.equal(d.counts.after.unchanged, 1);
    assert.deepEqual(
      d.connections.map((c) => [c.change, c.src, c.dst, c.before, c.after, c.added, c.removed]),
      [
        ['changed', api.id, db.id, tcp(5432, 6379), tcp(5432, 9000), tcp(9000), tcp(6379)],
        ['added', api.id, web.id, NO_PORTS, ALL_CONNECTIONS, ALL_CONNECTIONS, NO_PORTS],
        ['removed', web.id, db.id, tcp(5432), NO_PORTS, NO_PORTS, tcp(5432)],
      ],
    );
    assert.ok(d.connections.every((c) => !('l7' in c)));
  });

  test('a pair listed on a side with no ports is no connection there', () => {
    const d = diff(side([web, db], [[web.id, db.id, NO_PORTS]]), side([web, db], [[web.id, db.id, tcp(80)]]));
    assert.deepEqual(
      d.connections.map((c) => c.change),
      ['added'],
    );
    const back = diff(
      side([web, db], [[web.id, db.id, tcp(80)]]),
      side([web, db], [[web.id, db.id, NO_PORTS]]),
    );
    assert.deepEqual(
      back.connections.map((c) => c.change),
      ['removed'],
    );
  });

  test('gaining or losing L7 filtering is a change on the same ports; the same L7 ports are not', () => {
    const ports: [string, string, PortSet][] = [[web.id, db.id, tcp(80)]];
    const gained = diff(side([web, db], ports), side([web, db], ports, [[web.id, db.id, tcp(80)]]));
    assert.deepEqual(
      gained.connections.map((c) => [c.change, c.l7]),
      [['changed', { before: NO_PORTS, after: tcp(80) }]],
    );
    assert.equal(gained.counts.before.unchanged, 0);
    assert.deepEqual([gained.counts.before.changed, gained.counts.after.changed], [1, 1]);
    const lost = diff(side([web, db], ports, [[web.id, db.id, tcp(80)]]), side([web, db], ports));
    assert.deepEqual(
      lost.connections.map((c) => [c.change, c.l7, c.added, c.removed]),
      [['changed', { before: tcp(80), after: NO_PORTS }, NO_PORTS, NO_PORTS]],
    );
    const same = diff(
      side([web, db], ports, [[web.id, db.id, tcp(80)]]),
      side([web, db], ports, [[web.id, db.id, tcp(80)]]),
    );
    assert.deepEqual(same.connections, []);
    assert.equal(same.counts.before.unchanged, 1);
    // Ports and L7 both changed: the L7 ports ride along.
    const both = diff(
      side([web, db], ports, [[web.id, db.id, tcp(80)]]),
      side([web, db], [[web.id, db.id, tcp(80, 81)]], [[web.id, db.id, tcp(80)]]),
    );
    assert.deepEqual(
      both.connections.map((c) => [c.change, c.l7]),
      [['changed', { before: tcp(80), after: tcp(80) }]],
    );
  });

  test('changes in entity order: by source, then destination; outside addresses after every workload', () => {
    const outside = 'external:0';
    const d = diff(
      side([web, db, api], []),
      side(
        [web, db, api],
        [
          [web.id, outside, tcp(443)],
          [outside, api.id, tcp(80)],
          [web.id, db.id, tcp(5432)],
          [api.id, web.id, tcp(80)],
          [web.id, api.id, tcp(80)],
        ],
      ),
    );
    // Workloads by namespace, then name (api, db, web), then kind.
    assert.deepEqual(
      d.connections.map((c) => `${c.src} -> ${c.dst}`),
      [
        `${api.id} -> ${web.id}`,
        `${web.id} -> ${api.id}`,
        `${web.id} -> ${db.id}`,
        `${web.id} -> ${outside}`,
        `${outside} -> ${api.id}`,
      ],
    );
  });
});

describe('diffSides: entities', () => {
  test('every workload of either side by namespace, name and kind, then the address classes; added and removed', () => {
    const webSts = workload('a', 'StatefulSet', 'web');
    const d = diff(side([webSts, web, db, old], []), side([fresh, web, db, api, webSts], []));
    assert.deepEqual(
      d.entities.map((e) => e.id),
      [api.id, db.id, old.id, web.id, webSts.id, fresh.id, 'external:0'],
    );
    assert.deepEqual(d.entitiesAdded, [api.id, fresh.id]);
    assert.deepEqual(d.entitiesRemoved, [old.id]);
    assert.equal(d.byId.get(api.id), api);
    assert.equal(d.byId.get('external:0')?.kind, 'external');
    assert.equal(d.granularity, 'workload');
    assert.equal(d.addressSpace, common);
  });

  test('the after side describes a workload both sides have', () => {
    const before = workload('a', 'Deployment', 'web');
    const after = workload('a', 'Deployment', 'web');
    const d = diff(side([before], []), side([after], []));
    assert.equal(d.byId.get(web.id), after);
  });

  test('pods are ordered by id', () => {
    const pod = (id: string): Entity => ({ kind: 'pod', id, pod: {} as never, workload: undefined });
    const d = diffSides(
      emptyCluster(),
      emptyCluster(),
      { before: side([pod('b/x')], []), after: side([pod('a/z'), pod('a/y')], []) },
      common,
      'pod',
    );
    assert.deepEqual(
      d.entities.map((e) => e.id),
      ['a/y', 'a/z', 'b/x', 'external:0'],
    );
  });
});

describe('policy changes', () => {
  const policy = (
    name: string,
    spec: NetworkPolicySpec,
    labels: Record<string, string> = {},
  ): PolicyInfo => ({
    id: `a/${name}`,
    namespace: 'a',
    name,
    labels,
    annotations: {},
    spec,
  });

  test('added, removed, modified by id; the same object or an equal one is no change', () => {
    const same = policy('same', { podSelector: {} });
    const changed = diffPolicies(
      [policy('gone', {}), same, policy('equal', { podSelector: {} }), policy('mod', { podSelector: {} })],
      [
        same,
        policy('equal', { podSelector: {} }),
        policy('mod', { podSelector: {} }, { team: 'x' }),
        policy('new', {}),
      ],
    );
    assert.deepEqual(
      changed.map((c) => [c.change, c.id, c.fields]),
      [
        ['removed', 'a/gone', []],
        ['modified', 'a/mod', [['metadata', 'labels', 'team']]],
        ['added', 'a/new', []],
      ],
    );
    assert.equal(changed[0]!.after, undefined);
    assert.equal(changed[0]!.before?.name, 'gone');
    assert.equal(changed[2]!.before, undefined);
    assert.equal(changed[2]!.after?.name, 'new');
    assert.equal(changed[1]!.before?.labels['team'], undefined);
    assert.equal(changed[1]!.after?.labels['team'], 'x');
  });

  test('valueDiff: the deepest differing paths; a list of another length, a key only one side has, a type change', () => {
    const fields = (x: unknown, y: unknown): FieldPath[] => {
      const out: FieldPath[] = [];
      valueDiff(x, y, ['spec'], out);
      return out;
    };
    assert.deepEqual(fields({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }), []);
    assert.deepEqual(fields({ a: [1, 2] }, { a: [1, 3] }), [['spec', 'a', 1]]);
    assert.deepEqual(fields({ a: [1, 2] }, { a: [1, 2, 3] }), [['spec', 'a']]);
    assert.deepEqual(fields({ a: 1 }, { b: 1 }), [
      ['spec', 'a'],
      ['spec', 'b'],
    ]);
    assert.deepEqual(fields({ a: { x: 1, y: 2 } }, { a: { x: 1, y: 3 } }), [['spec', 'a', 'y']]);
    assert.deepEqual(fields({ a: [] }, { a: {} }), [['spec', 'a']]);
    assert.deepEqual(fields({ a: {} }, { a: [] }), [['spec', 'a']]);
    assert.deepEqual(fields({ a: null }, { a: {} }), [['spec', 'a']]);
    assert.deepEqual(fields({ a: '1' }, { a: 1 }), [['spec', 'a']]);
    assert.deepEqual(fields({ a: undefined }, {}), [['spec', 'a']]);
    assert.deepEqual(fields(Number.NaN, Number.NaN), []);
  });
});
