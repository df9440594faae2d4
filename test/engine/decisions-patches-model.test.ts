/**
 * The patches of the incremental engine (src/engine/decisions.ts: `changedPeers`, `patchTiers`,
 * `patchAccess`) against a model. A patch is the old `Access` with exact values laid over it at a few peers:
 * read at every pod class and address class it must give those values there and the old ones elsewhere;
 * it is the old `Access` itself when no value differs (the engine then skips the class), `np` itself or
 * undefined when the tiers decide nothing or the form changes; its maps stay shared with the old ones where
 * nothing is laid over, hold no entry that lays "nothing" over a peer that had nothing, are read two levels
 * deep at most, and an empty cut map is left out. Seeded random accesses (`accessOfMap` of random peer maps,
 * and patches of patches), walks and peers; and the cases `changedPeers` gives up on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPorts } from '../../src/describe/ports.ts';
import type { PodClass } from '../../src/engine/classes.ts';
import { accessToAddress, accessToPod, type Access } from '../../src/engine/compile.ts';
import {
  accessOfMap,
  changedPeers,
  EVERYTHING,
  isEmptyMap,
  NOTHING,
  OverlayMap,
  patchAccess,
  patchTiers,
  podValue,
  type PeerMap,
  type TierWalk,
} from '../../src/engine/decisions.ts';
import {
  ALL_CONNECTIONS,
  NO_PORTS,
  portSetOf,
  portsEqual,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../../src/engine/ports.ts';
import type { CompiledTierPolicy } from '../../src/engine/tiers.ts';
import { mulberry32 as random } from '../support/random.ts';

function podClasses(n: number): PodClass[] {
  return Array.from(
    { length: n },
    (_, id) =>
      ({
        id,
        namespace: 'ns',
        labels: {},
        namedPorts: [],
        hostNetwork: id % 4 === 3,
        hostNetworkPod: id % 4 === 3,
        addressClasses: [],
        pods: [],
      }) satisfies PodClass,
  );
}

/** Twelve pod classes, of which 3, 7 and 11 run on the host network; five address classes. */
const classes = podClasses(12);
const ADDRESSES = 5;
const ctx = { classes, space: { classes: Array.from({ length: ADDRESSES }) }, namedPortIndex: new Map() };
const RUNS = Number(process.env['NETFENCE_DECISIONS_RUNS'] ?? 600);

function ports(rnd: () => number): PortSet {
  const r = rnd();
  if (r < 0.25) return NO_PORTS;
  if (r < 0.45) return ALL_CONNECTIONS;
  const from = 1 + Math.floor(rnd() * 8);
  const tcp = portSetOf('TCP', [from, from + Math.floor(rnd() * 4)]);
  return rnd() < 0.3 ? unionPorts(tcp, portSetOf('UDP', [from, from])) : tcp;
}

function peerMap(rnd: () => number, empty = 0.08): PeerMap {
  const r = rnd();
  if (r < empty) return NOTHING;
  if (r < empty + 0.08) return EVERYTHING;
  const size = 1 + Math.floor(rnd() * 6);
  const podOverrides = new Map<number, PortSet>();
  const addressOverrides = new Map<number, PortSet>();
  for (let i = 0; i < size; i++) podOverrides.set(Math.floor(rnd() * classes.length), ports(rnd));
  for (let i = 0; i < size / 2; i++) addressOverrides.set(Math.floor(rnd() * ADDRESSES), ports(rnd));
  return { pods: ports(rnd), host: ports(rnd), podOverrides, addressOverrides };
}

function walk(rnd: () => number): TierWalk {
  return { allow: peerMap(rnd, 0.4), deny: peerMap(rnd, 0.4), undecided: peerMap(rnd) };
}

/** Ascending distinct pod classes, 0 to 4 of them. */
function peers(rnd: () => number): number[] {
  const out = new Set<number>();
  const n = Math.floor(rnd() * 5);
  for (let i = 0; i < n; i++) out.add(Math.floor(rnd() * classes.length));
  return [...out].sort((a, b) => a - b);
}

/** Every value of an `Access`: each pod class, then each address class. */
function read(a: Access): string[] {
  return [
    ...classes.map((c) => `pod ${c.id}: ${formatPorts(accessToPod(a, c))}`),
    ...Array.from({ length: ADDRESSES }, (_, x) => `address ${x}: ${formatPorts(accessToAddress(a, x))}`),
  ];
}

/** The expected values: `old`'s, with `pods` (pod class → value) and `addresses` in their place. */
function expectedValues(
  old: Access,
  pods: ReadonlyMap<number, PortSet>,
  addresses: ReadonlyMap<number, PortSet>,
): string[] {
  return [
    ...classes.map((c) => `pod ${c.id}: ${formatPorts(pods.get(c.id) ?? accessToPod(old, c))}`),
    ...Array.from(
      { length: ADDRESSES },
      (_, x) => `address ${x}: ${formatPorts(addresses.get(x) ?? accessToAddress(old, x))}`,
    ),
  ];
}

/**
 * The form of a patched map: the old one itself when nothing is laid over it, else an overlay read two levels
 * deep whose layer sets no "no entry" over a peer that had no entry (in the old map or the overlay's base).
 */
function checkPatchedMap(
  next: ReadonlyMap<number, PortSet> | undefined,
  old: ReadonlyMap<number, PortSet> | undefined,
  what: string,
): void {
  // Empty: the one empty map (no overlay of nothing).
  if (next === undefined || next === old || next.size === 0) return;
  assert.ok(next instanceof OverlayMap, `${what}: an overlay`);
  assert.ok(!(next.base instanceof OverlayMap), `${what}: two levels deep`);
  for (const [id, v] of next.over)
    assert.ok(
      v !== undefined || next.base.has(id) || old?.has(id) === true,
      `${what}: no entry laid over peer ${id} that had none`,
    );
}

/** The form of a patch `next` of `old`: what it keeps, and its maps. */
function checkForm(next: Access, old: Access, isolated: boolean, what: string): void {
  assert.equal(next.isolated, isolated, `${what}: isolated`);
  assert.equal(next.everything, old.everything, `${what}: everything kept`);
  assert.equal(next.allPods, old.allPods, `${what}: allPods kept`);
  assert.equal('cutPods' in next, next.cutPods !== undefined, `${what}: no cutPods key without a map`);
  assert.equal('cutAddresses' in next, next.cutAddresses !== undefined, `${what}: no cutAddresses key`);
  if (next.cutPods !== undefined) assert.ok(next.cutPods.size > 0, `${what}: no empty cutPods`);
  if (next.cutAddresses !== undefined)
    assert.ok(next.cutAddresses.size > 0, `${what}: no empty cutAddresses`);
  checkPatchedMap(next.pods, old.pods, `${what}: pods`);
  checkPatchedMap(next.cutPods, old.cutPods, `${what}: cutPods`);
  checkPatchedMap(next.addresses, old.addresses, `${what}: addresses`);
  checkPatchedMap(next.cutAddresses, old.cutAddresses, `${what}: cutAddresses`);
}

/** `patchTiers`'s answer, by its definition. */
function modelTiers(
  old: Access,
  np: Access,
  a: TierWalk,
  b: TierWalk,
  at: readonly number[],
): { kind: 'np' } | { kind: 'none' } | { kind: 'patch'; isolated: boolean; pods: Map<number, PortSet> } {
  const adminDenies = !isEmptyMap(a.deny);
  const adminDecides = adminDenies || !isEmptyMap(a.allow);
  const baselineDenies = !isEmptyMap(b.deny);
  if (!adminDecides && (np.isolated || !baselineDenies))
    return old === np ? { kind: 'np' } : { kind: 'none' };
  const isolated = np.isolated || baselineDenies || adminDenies;
  if (old === np || old.isolated !== isolated) return { kind: 'none' };
  const pods = new Map<number, PortSet>();
  for (const id of at) {
    const cls = classes[id]!;
    const under = np.isolated ? accessToPod(np, cls) : subtractPorts(ALL_CONNECTIONS, podValue(b.deny, cls));
    pods.set(id, unionPorts(podValue(a.allow, cls), subtractPorts(under, podValue(a.deny, cls))));
  }
  return { kind: 'patch', isolated, pods };
}

/** A random `Access` (sometimes a patch of one, so that patches of overlays are taken). */
function access(rnd: () => number, isolated: boolean): Access {
  const base = accessOfMap(ctx, peerMap(rnd, 0), isolated);
  if (rnd() < 0.5) return base;
  const pods = new Map<number, PortSet>();
  for (const id of peers(rnd)) pods.set(id, ports(rnd));
  const addresses = new Map<number, PortSet>();
  if (rnd() < 0.5) addresses.set(Math.floor(rnd() * ADDRESSES), ports(rnd));
  return patchAccess(ctx, base, pods, addresses);
}

describe('patchTiers against its definition', () => {
  test('random accesses, walks and peers: the values, np itself, undefined, old itself, the form', () => {
    const rnd = random(8);
    const seen = { np: 0, none: 0, same: 0, patch: 0 };
    for (let run = 0; run < RUNS; run++) {
      const np = access(rnd, rnd() < 0.5);
      const r = rnd();
      const old = r < 0.15 ? np : access(rnd, r < 0.6 ? np.isolated : rnd() < 0.5);
      const a = walk(rnd);
      const b = walk(rnd);
      const at = peers(rnd);
      const what = `run ${run}`;
      const got = patchTiers(
        ctx,
        old,
        np,
        () => a,
        () => b,
        at,
      );
      const want = modelTiers(old, np, a, b, at);
      if (want.kind === 'np') {
        seen.np++;
        assert.equal(got, np, what);
        continue;
      }
      if (want.kind === 'none') {
        seen.none++;
        assert.equal(got, undefined, what);
        continue;
      }
      assert.ok(got !== undefined, what);
      assert.deepEqual(read(got), expectedValues(old, want.pods, new Map()), what);
      const differs = [...want.pods].some(([id, v]) => !portsEqual(v, accessToPod(old, classes[id]!)));
      if (!differs) {
        seen.same++;
        assert.equal(got, old, `${what}: old itself`);
        continue;
      }
      seen.patch++;
      checkForm(got, old, want.isolated, what);
      assert.equal(got.addresses, old.addresses, `${what}: addresses kept`);
      assert.equal(got.cutAddresses, old.cutAddresses, `${what}: cutAddresses kept`);
    }
    // Every outcome is taken.
    for (const [k, n] of Object.entries(seen)) assert.ok(n >= RUNS / 100, `${k}: ${n}`);
  });

  test('tiers that decide nothing: np itself when the class had it, else undefined', () => {
    const np = accessOfMap(ctx, { ...NOTHING, pods: portSetOf('TCP', [80, 80]) }, true);
    const other = accessOfMap(ctx, EVERYTHING, true);
    const quiet: TierWalk = { allow: NOTHING, deny: NOTHING, undecided: EVERYTHING };
    for (const isolated of [true, false]) {
      const n = { ...np, isolated };
      assert.equal(
        patchTiers(
          ctx,
          n,
          n,
          () => quiet,
          () => quiet,
          [0, 1],
        ),
        n,
      );
      assert.equal(
        patchTiers(
          ctx,
          { ...other, isolated },
          n,
          () => quiet,
          () => quiet,
          [0, 1],
        ),
        undefined,
      );
    }
  });

  test('an Admin deny on a class NetworkPolicies leave open isolates it, a Baseline allow does not', () => {
    // Open under NetworkPolicies; the Admin tier denies TCP 80 towards class 0; no Baseline deny.
    const np = accessOfMap(ctx, EVERYTHING, false);
    const deny0: PeerMap = { ...NOTHING, podOverrides: new Map([[0, portSetOf('TCP', [80, 80])]]) };
    const admin: TierWalk = { allow: NOTHING, deny: deny0, undecided: EVERYTHING };
    const baseline: TierWalk = { allow: EVERYTHING, deny: NOTHING, undecided: NOTHING };
    const before = accessOfMap(ctx, EVERYTHING, true);
    const got = patchTiers(
      ctx,
      before,
      np,
      () => admin,
      () => baseline,
      [0],
    );
    assert.ok(got !== undefined);
    assert.equal(got.isolated, true);
    assert.equal(
      formatPorts(accessToPod(got, classes[0]!)),
      formatPorts(subtractPorts(ALL_CONNECTIONS, deny0.podOverrides.get(0)!)),
    );
    assert.equal(formatPorts(accessToPod(got, classes[1]!)), formatPorts(ALL_CONNECTIONS));
    // The class was not isolated before: the form changes, the engine combines afresh.
    assert.equal(
      patchTiers(
        ctx,
        { ...before, isolated: false },
        np,
        () => admin,
        () => baseline,
        [0],
      ),
      undefined,
    );
  });

  test('the old access itself when the walks give a peer the value it had, entries and all', () => {
    // Class 0 had TCP 80 as an entry of its own (nothing broad); the Admin tier allows it TCP 80 again.
    const tcp80 = portSetOf('TCP', [80, 80]);
    const old = accessOfMap(ctx, { ...NOTHING, podOverrides: new Map([[0, tcp80]]) }, true);
    assert.ok(old.pods.has(0));
    const np = accessOfMap(ctx, NOTHING, true);
    const admin: TierWalk = {
      allow: { ...NOTHING, podOverrides: new Map([[0, tcp80]]) },
      deny: NOTHING,
      undecided: EVERYTHING,
    };
    const got = patchTiers(
      ctx,
      old,
      np,
      () => admin,
      () => admin,
      [0, 1],
    );
    assert.equal(got, old);
  });

  test('old cut maps of addresses are kept as they are', () => {
    const old = accessOfMap(
      ctx,
      {
        pods: ALL_CONNECTIONS,
        host: ALL_CONNECTIONS,
        podOverrides: new Map(),
        addressOverrides: new Map([[2, portSetOf('TCP', [1, 100])]]),
      },
      true,
    );
    assert.ok(old.cutAddresses !== undefined);
    const np = accessOfMap(ctx, NOTHING, true);
    const admin: TierWalk = {
      allow: { ...NOTHING, podOverrides: new Map([[0, portSetOf('UDP', [53, 53])]]) },
      deny: NOTHING,
      undecided: EVERYTHING,
    };
    const got = patchTiers(
      ctx,
      old,
      np,
      () => admin,
      () => admin,
      [0],
    );
    assert.ok(got !== undefined && got !== old);
    assert.equal(got.cutAddresses, old.cutAddresses);
    assert.equal(formatPorts(accessToAddress(got, 2)), formatPorts(accessToAddress(old, 2)));
    assert.equal(formatPorts(accessToPod(got, classes[0]!)), 'UDP 53');
  });
});

describe('patchAccess against its definition', () => {
  test('random accesses and values: the values, old itself, the form', () => {
    const rnd = random(9);
    let same = 0;
    for (let run = 0; run < RUNS; run++) {
      const old = access(rnd, rnd() < 0.5);
      const pods = new Map<number, PortSet>();
      for (const id of peers(rnd)) pods.set(id, rnd() < 0.3 ? accessToPod(old, classes[id]!) : ports(rnd));
      const addresses = new Map<number, PortSet>();
      for (let i = Math.floor(rnd() * 3); i > 0; i--) {
        const x = Math.floor(rnd() * ADDRESSES);
        addresses.set(x, rnd() < 0.3 ? accessToAddress(old, x) : ports(rnd));
      }
      const what = `run ${run}`;
      const got = patchAccess(ctx, old, pods, addresses);
      assert.deepEqual(read(got), expectedValues(old, pods, addresses), what);
      const differs =
        [...pods].some(([id, v]) => !portsEqual(v, accessToPod(old, classes[id]!))) ||
        [...addresses].some(([x, v]) => !portsEqual(v, accessToAddress(old, x)));
      if (!differs) {
        same++;
        assert.equal(got, old, `${what}: old itself`);
      } else checkForm(got, old, old.isolated, what);
    }
    assert.ok(same > RUNS / 20, `old itself: ${same}`);
  });

  test('a value that needs a cut and an addition, at a pod class or at an address class alone', () => {
    // The broad part allows TCP 1-10; the new value is TCP 5 and UDP 5: a cut (TCP 1-4, 6-10) and an addition.
    const old = accessOfMap(
      ctx,
      {
        pods: portSetOf('TCP', [1, 10]),
        host: portSetOf('TCP', [1, 10]),
        podOverrides: new Map(),
        addressOverrides: new Map(),
      },
      true,
    );
    const v = unionPorts(portSetOf('TCP', [5, 5]), portSetOf('UDP', [5, 5]));
    const atPod = patchAccess(ctx, old, new Map([[0, v]]), new Map());
    assert.notEqual(atPod, old);
    assert.equal(formatPorts(accessToPod(atPod, classes[0]!)), formatPorts(v));
    const atAddress = patchAccess(ctx, old, new Map(), new Map([[1, v]]));
    assert.notEqual(atAddress, old);
    assert.equal(formatPorts(accessToAddress(atAddress, 1)), formatPorts(v));
    assert.equal(formatPorts(accessToAddress(atAddress, 0)), 'TCP 1-10');
  });

  test('a patch of a patch that only cuts keeps the overlay of additions as it is', () => {
    const tcp = portSetOf('TCP', [1, 10]);
    const base = accessOfMap(
      ctx,
      { pods: tcp, host: tcp, podOverrides: new Map(), addressOverrides: new Map() },
      true,
    );
    // Class 2 gets UDP 5 on top: an overlay of additions.
    const old = patchAccess(ctx, base, new Map([[2, unionPorts(tcp, portSetOf('UDP', [5, 5]))]]), new Map());
    assert.ok(old.pods instanceof OverlayMap);
    // Class 0 loses TCP 6-10: a cut only.
    const got = patchAccess(ctx, old, new Map([[0, portSetOf('TCP', [1, 5])]]), new Map());
    assert.equal(formatPorts(accessToPod(got, classes[0]!)), 'TCP 1-5');
    assert.equal(got.pods, old.pods);
  });
});

/** A cluster policy as `changedPeers` reads it: rules of peers, in one direction. */
function tierPolicy(
  ingress: { everything?: boolean; all?: boolean; ids?: number[]; addresses?: number[] }[][],
): CompiledTierPolicy {
  return {
    ingress: ingress.map((peers) => ({
      peers: peers.map((p) => ({
        everything: p.everything ?? false,
        pods: p.all === true ? { all: true } : { all: false, ids: p.ids ?? [] },
        addresses: p.addresses ?? [],
      })),
    })),
    egress: [],
  } as unknown as CompiledTierPolicy;
}

describe('changedPeers', () => {
  test('the pod classes of every rule, ascending and once', () => {
    const p = tierPolicy([
      [{ ids: [9] }, { ids: [2, 5] }],
      [{ ids: [5, 6] }, { ids: [0] }],
    ]);
    assert.deepEqual(changedPeers(ctx, [p], 'ingress'), [0, 2, 5, 6, 9]);
    assert.deepEqual(changedPeers(ctx, [tierPolicy([[{ ids: [4] }]]), p], 'ingress'), [0, 2, 4, 5, 6, 9]);
    assert.deepEqual(changedPeers(ctx, [p], 'egress'), []);
  });

  test('none when a peer matches every pod, everything, addresses, or every class that is not host-network', () => {
    assert.equal(changedPeers(ctx, [tierPolicy([[{ ids: [1] }, { all: true }]])], 'ingress'), undefined);
    assert.equal(changedPeers(ctx, [tierPolicy([[{ everything: true }]])], 'ingress'), undefined);
    assert.equal(changedPeers(ctx, [tierPolicy([[{ ids: [1], addresses: [0] }]])], 'ingress'), undefined);
    // Classes 3, 7 and 11 are host-network: the nine others are "every pod".
    const all = [0, 1, 2, 4, 5, 6, 8, 9, 10];
    assert.equal(changedPeers(ctx, [tierPolicy([[{ ids: all }]])], 'ingress'), undefined);
    assert.deepEqual(changedPeers(ctx, [tierPolicy([[{ ids: all.slice(1) }]])], 'ingress'), all.slice(1));
  });

  test('none beyond 64 pod classes, all of them up to 64', () => {
    const many = podClasses(100);
    const wide = { classes: many, space: ctx.space, namedPortIndex: ctx.namedPortIndex };
    const ids = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    assert.deepEqual(changedPeers(wide, [tierPolicy([[{ ids: ids(64) }]])], 'ingress'), ids(64));
    assert.equal(changedPeers(wide, [tierPolicy([[{ ids: ids(65) }]])], 'ingress'), undefined);
  });
});
