/**
 * The tier engine's peer maps (src/engine/decisions.ts) against a plain model: a `PeerMap` is a port set per
 * peer (each pod class, each address class), and union, intersection, difference and complement work peer by
 * peer. Seeded random maps (defaults empty, everything or a few ports; overrides of pods, host-network pods and
 * addresses; small and large maps, so that the shared `OverlayMap` path and overlays over overlays are taken)
 * are combined in chains and read back at every peer, and through `accessOfMap` as an `Access`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPorts } from '../../src/describe/ports.ts';
import type { PodClass } from '../../src/engine/classes.ts';
import { accessToAddress, accessToPod } from '../../src/engine/compile.ts';
import {
  accessOfMap,
  AdditiveMap,
  addressValue,
  complementMap,
  EVERYTHING,
  intersectMaps,
  isEmptyMap,
  NOTHING,
  OverlayMap,
  podValue,
  portsForSomeAddress,
  ruleMatch,
  subtractMaps,
  unionMaps,
  type PeerMap,
} from '../../src/engine/decisions.ts';
import {
  ALL_CONNECTIONS,
  intersectPorts,
  NO_PORTS,
  portSetOf,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../../src/engine/ports.ts';
import { mulberry32 as random } from '../support/random.ts';

/** Twelve pod classes, of which 3, 7 and 11 run on the host network; five address classes. */
const classes: PodClass[] = Array.from(
  { length: 12 },
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
const ADDRESSES = 5;
/** Random chains of operations (`NETFENCE_DECISIONS_RUNS` to change it, e.g. for a mutation run). */
const RUNS = Number(process.env['NETFENCE_DECISIONS_RUNS'] ?? 600);
const ctx = { classes, space: { classes: Array.from({ length: ADDRESSES }) }, namedPortIndex: new Map() };

function ports(rnd: () => number): PortSet {
  const r = rnd();
  if (r < 0.25) return NO_PORTS;
  if (r < 0.45) return ALL_CONNECTIONS;
  const from = 1 + Math.floor(rnd() * 8);
  const tcp = portSetOf('TCP', [from, from + Math.floor(rnd() * 4)]);
  return rnd() < 0.3 ? unionPorts(tcp, portSetOf('UDP', [from, from])) : tcp;
}

function peerMap(rnd: () => number): PeerMap {
  const r = rnd();
  if (r < 0.08) return NOTHING;
  if (r < 0.16) return EVERYTHING;
  const size = rnd() < 0.5 ? 1 + Math.floor(rnd() * 2) : 6 + Math.floor(rnd() * 6);
  const podOverrides = new Map<number, PortSet>();
  const addressOverrides = new Map<number, PortSet>();
  for (let i = 0; i < size; i++) podOverrides.set(Math.floor(rnd() * classes.length), ports(rnd));
  for (let i = 0; i < size / 2; i++) addressOverrides.set(Math.floor(rnd() * ADDRESSES), ports(rnd));
  return { pods: ports(rnd), host: ports(rnd), podOverrides, addressOverrides };
}

/** The map read at every peer: each pod class, then each address class. */
function values(m: PeerMap): PortSet[] {
  return [
    ...classes.map((c) => podValue(m, c)),
    ...Array.from({ length: ADDRESSES }, (_, a) => addressValue(m, a)),
  ];
}

const show = (list: PortSet[]): string[] => list.map((p) => formatPorts(p));

/** The map's override maps read the way the engine reads them: get, has, size, every iteration. */
function checkMapReads(m: ReadonlyMap<number, PortSet>, what: string): void {
  const entries = [...m];
  assert.equal(m.size, entries.length, `${what}: size`);
  assert.deepEqual([...m.entries()], entries, what);
  assert.deepEqual(
    [...m.keys()],
    entries.map(([id]) => id),
    what,
  );
  assert.deepEqual(
    [...m.values()],
    entries.map(([, v]) => v),
    what,
  );
  const seen: [number, PortSet][] = [];
  m.forEach((v, id, map) => {
    assert.equal(map, m);
    seen.push([id, v]);
  });
  assert.deepEqual(seen, entries, what);
  assert.equal(new Set(entries.map(([id]) => id)).size, entries.length, `${what}: keys once`);
  for (let id = 0; id < 12; id++) {
    const e = entries.find(([k]) => k === id);
    assert.equal(m.has(id), e !== undefined, `${what}: has ${id}`);
    assert.equal(m.get(id), e?.[1], `${what}: get ${id}`);
  }
}

const OPS = [
  ['union', unionMaps, unionPorts],
  ['intersect', intersectMaps, intersectPorts],
  ['subtract', subtractMaps, subtractPorts],
] as const;

describe('peer maps against the port sets, peer by peer', () => {
  test('union, intersection, difference and complement of random maps, chained', () => {
    const rnd = random(20);
    for (let run = 0; run < RUNS; run++) {
      let m = peerMap(rnd);
      let model = values(m);
      for (let step = 0; step < 4; step++) {
        const other = peerMap(rnd);
        const pick = Math.floor(rnd() * 4);
        const left = rnd() < 0.5;
        if (pick === 3) {
          m = complementMap(classes, m);
          model = model.map((v) => subtractPorts(ALL_CONNECTIONS, v));
        } else {
          const [name, op, portOp] = OPS[pick]!;
          const o = values(other);
          m = left ? op(classes, m, other) : op(classes, other, m);
          model = model.map((v, i) => (left ? portOp(v, o[i]!) : portOp(o[i]!, v)));
          assert.deepEqual(show(values(m)), show(model), `run ${run} step ${step} ${name}`);
        }
        assert.deepEqual(show(values(m)), show(model), `run ${run} step ${step}`);
        checkMapReads(m.podOverrides, `run ${run} step ${step} pods`);
        checkMapReads(m.addressOverrides, `run ${run} step ${step} addresses`);
        assert.equal(
          isEmptyMap(m),
          model.every((v) => formatPorts(v) === formatPorts(NO_PORTS)),
          `run ${run} step ${step} isEmptyMap`,
        );
        const someAddress = model.slice(classes.length).reduce((a, v) => unionPorts(a, v), NO_PORTS);
        assert.equal(
          formatPorts(portsForSomeAddress(m, ADDRESSES)),
          formatPorts(someAddress),
          `run ${run} step ${step} portsForSomeAddress`,
        );
        // As an Access: what it allows towards each peer is the map's value there.
        const access = accessOfMap(ctx, m, true);
        assert.deepEqual(
          show([
            ...classes.map((c) => accessToPod(access, c)),
            ...Array.from({ length: ADDRESSES }, (_, a) => accessToAddress(access, a)),
          ]),
          show(model),
          `run ${run} step ${step} accessOfMap`,
        );
        assert.equal(access.isolated, true);
        assert.equal(accessOfMap(ctx, m, false).isolated, false);
        if (access.cutPods !== undefined) assert.ok(access.cutPods.size > 0);
        if (access.cutAddresses !== undefined) assert.ok(access.cutAddresses.size > 0);
      }
    }
  });

  test('NOTHING and EVERYTHING are the identities; the other operand is returned as it is', () => {
    const rnd = random(7);
    const m = peerMap(rnd);
    assert.equal(unionMaps(classes, NOTHING, m), m);
    assert.equal(unionMaps(classes, m, NOTHING), m);
    assert.equal(intersectMaps(classes, EVERYTHING, m), m);
    assert.equal(intersectMaps(classes, m, EVERYTHING), m);
    assert.equal(subtractMaps(classes, m, NOTHING), m);
    assert.equal(complementMap(classes, NOTHING), EVERYTHING);
    assert.equal(isEmptyMap(NOTHING), true);
    assert.equal(isEmptyMap(EVERYTHING), false);
  });

  test('an empty map with non-empty overrides only at addresses, or only at pods, is not empty', () => {
    const at = (pods: [number, PortSet][], addresses: [number, PortSet][]): PeerMap => ({
      pods: NO_PORTS,
      host: NO_PORTS,
      podOverrides: new Map(pods),
      addressOverrides: new Map(addresses),
    });
    const some = portSetOf('TCP', [80, 80]);
    assert.equal(isEmptyMap(at([[1, NO_PORTS]], [[2, NO_PORTS]])), true);
    assert.equal(
      isEmptyMap(
        at(
          [
            [1, NO_PORTS],
            [2, some],
          ],
          [],
        ),
      ),
      false,
    );
    assert.equal(
      isEmptyMap(
        at(
          [],
          [
            [0, NO_PORTS],
            [1, some],
          ],
        ),
      ),
      false,
    );
    assert.equal(isEmptyMap({ ...at([], []), host: some }), false);
    assert.equal(isEmptyMap({ ...at([], []), pods: some }), false);
  });

  test('portsForSomeAddress: the default counts only while some address class has no override', () => {
    const some = portSetOf('TCP', [80, 80]);
    const m = (n: number): PeerMap => ({
      pods: NO_PORTS,
      host: some,
      podOverrides: new Map(),
      addressOverrides: new Map(Array.from({ length: n }, (_, a) => [a, NO_PORTS] as const)),
    });
    assert.equal(formatPorts(portsForSomeAddress(m(ADDRESSES - 1), ADDRESSES)), 'TCP 80');
    assert.equal(formatPorts(portsForSomeAddress(m(ADDRESSES), ADDRESSES)), formatPorts(NO_PORTS));
  });
});

describe('AdditiveMap', () => {
  test('build: everything for every peer, all pods for pods not on the host network, single peers on top', () => {
    const b = new AdditiveMap();
    const p = (from: number) => portSetOf('TCP', [from, from]);
    b.everything = p(1);
    b.allPods = p(2);
    b.addPod(0, p(3));
    b.addPod(0, p(4));
    b.addPod(3, p(5));
    b.addAddress(1, p(6));
    b.addAddress(1, p(7));
    const m = b.build(classes);
    assert.deepEqual(show(values(m)), [
      'TCP 1-4',
      'TCP 1-2',
      'TCP 1-2',
      'TCP 1,5',
      ...Array.from({ length: 8 }, (_, i) => ((i + 4) % 4 === 3 ? 'TCP 1' : 'TCP 1-2')),
      'TCP 1',
      'TCP 1,6-7',
      'TCP 1',
      'TCP 1',
      'TCP 1',
    ]);
    const access = b.access();
    assert.equal(access.isolated, true);
    assert.deepEqual(
      show([
        ...classes.map((c) => accessToPod(access, c)),
        ...[0, 1, 2].map((a) => accessToAddress(access, a)),
      ]),
      show(values(m)).slice(0, classes.length + 3),
    );
  });
});

describe('OverlayMap', () => {
  test('reads the overlay first; an undefined value there removes the entry', () => {
    const p = (n: number) => portSetOf('TCP', [n, n]);
    const base = new Map<number, PortSet>([
      [1, p(1)],
      [2, p(2)],
      [3, p(3)],
    ]);
    const m = new OverlayMap(
      base,
      new Map<number, PortSet | undefined>([
        [2, undefined],
        [3, p(30)],
        [4, p(4)],
        [5, undefined],
      ]),
    );
    assert.equal(m.size, 3);
    assert.deepEqual(
      [...m].map(([id, v]) => `${id}:${formatPorts(v)}`),
      ['1:TCP 1', '3:TCP 30', '4:TCP 4'],
    );
    checkMapReads(m, 'overlay');
  });
});

describe('ruleMatch', () => {
  test('a peer of listed pod classes matches those classes only, whether or not they cover every pod', () => {
    const rnd = random(3);
    const tcp80 = portSetOf('TCP', [80, 80]);
    const cases: number[][] = [
      classes.map((c) => c.id),
      classes.filter((c) => !c.hostNetwork).map((c) => c.id),
      // Every class but one pod class: as many ids as there are pod classes, and more.
      classes.filter((c) => c.id !== 0).map((c) => c.id),
      classes.filter((c) => c.id !== 0 && c.id !== 3).map((c) => c.id),
    ];
    for (let i = 0; i < 40; i++) cases.push(classes.filter(() => rnd() < 0.7).map((c) => c.id));
    for (const ids of cases) {
      // A fresh array each time (the covering test is kept per array).
      for (const list of [ids, [...ids]]) {
        const rule = {
          direction: 'egress' as const,
          peers: [{ everything: false, pods: { all: false as const, ids: list }, addresses: [] }],
          ports: { any: false, numeric: tcp80, named: [] },
        };
        const m = ruleMatch(ctx, rule, classes[0]!, () => tcp80);
        assert.deepEqual(
          show(values(m)),
          show([
            ...classes.map((c) => (ids.includes(c.id) ? tcp80 : NO_PORTS)),
            ...Array.from({ length: ADDRESSES }, () => NO_PORTS),
          ]),
          `ids ${ids.join(',')}`,
        );
      }
    }
  });
});
