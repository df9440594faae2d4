/**
 * The tier engine's peer map operations (decisions.ts), checked peer by peer against the port set operations,
 * where one side's map is large and the other's default keeps its entries (the large map is then shared
 * under an `OverlayMap` of the entries that change), and the composition of two tier walks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPorts } from '../../src/describe/ports.ts';
import type { PodClass } from '../../src/engine/classes.ts';
import {
  composeWalks,
  EVERYTHING,
  intersectMaps,
  NOTHING,
  OverlayMap,
  subtractMaps,
  unionMaps,
  type PeerMap,
  type TierWalk,
} from '../../src/engine/decisions.ts';
import {
  ALL_CONNECTIONS,
  intersectPorts,
  NO_PORTS,
  portSetOf,
  type PortSet,
} from '../../src/engine/ports.ts';

const tcp = (from: number, to: number): PortSet => portSetOf('TCP', [from, to]);

/** Ten pod classes; class 9 runs on the host network. Only `hostNetwork` is read by peer map operations. */
const classes = Array.from(
  { length: 10 },
  (_, id) =>
    ({
      id,
      namespace: 'ns',
      labels: {},
      namedPorts: [],
      hostNetwork: id === 9,
      hostNetworkPod: id === 9,
      addressClasses: [],
      pods: [],
    }) satisfies PodClass,
);

function map(pods: PortSet, overrides: [number, PortSet][], addresses: [number, PortSet][] = []): PeerMap {
  return { pods, host: pods, podOverrides: new Map(overrides), addressOverrides: new Map(addresses) };
}

/** What the map holds for each pod class and the first three address classes. */
function values(m: PeerMap): string[] {
  const pods = classes.map((c) => formatPorts(m.podOverrides.get(c.id) ?? (c.hostNetwork ? m.host : m.pods)));
  const addresses = [0, 1, 2].map((a) => formatPorts(m.addressOverrides.get(a) ?? m.host));
  return [...pods, ...addresses];
}

describe('tier peer maps', () => {
  // A large map (a deny of every other class) and a small one with the default "everything".
  const large = map(
    NO_PORTS,
    [0, 1, 2, 3, 4, 5].map((id) => [id, tcp(1, 1000)]),
    [0, 1, 2].map((a) => [a, tcp(1, 1000)]),
  );
  const small = map(ALL_CONNECTIONS, [[2, tcp(500, 2000)]], [[1, tcp(900, 950)]]);

  test("an intersection keeps the large map's entries and computes the shared ones", () => {
    const out = intersectMaps(classes, large, small);
    assert.ok(out.podOverrides instanceof OverlayMap, 'the large map is shared, not copied');
    assert.equal(
      formatPorts(out.podOverrides.get(2)!),
      formatPorts(intersectPorts(tcp(1, 1000), tcp(500, 2000))),
    );
    assert.equal(formatPorts(out.addressOverrides.get(1)!), formatPorts(tcp(900, 950)));
    assert.deepEqual(values(out), [
      ...[0, 1].map(() => formatPorts(tcp(1, 1000))),
      formatPorts(tcp(500, 1000)),
      ...[3, 4, 5].map(() => formatPorts(tcp(1, 1000))),
      ...[6, 7, 8, 9].map(() => formatPorts(NO_PORTS)),
      formatPorts(tcp(1, 1000)),
      formatPorts(tcp(900, 950)),
      formatPorts(tcp(1, 1000)),
    ]);
    // The same answer with the operands the other way round (no sharing on that side).
    assert.deepEqual(values(intersectMaps(classes, small, large)), values(out));
  });

  test('an operation on a shared map is again exact (an overlay over an overlay)', () => {
    const once = intersectMaps(classes, large, small);
    const twice = intersectMaps(classes, once, map(ALL_CONNECTIONS, [[3, tcp(1, 10)]]));
    assert.equal(formatPorts(twice.podOverrides.get(3)!), formatPorts(tcp(1, 10)));
    assert.equal(formatPorts(twice.podOverrides.get(2)!), formatPorts(tcp(500, 1000)));
    const thrice = subtractMaps(classes, twice, map(NO_PORTS, [[4, tcp(1, 500)]]));
    assert.equal(formatPorts(thrice.podOverrides.get(4)!), formatPorts(tcp(501, 1000)));
    assert.equal(formatPorts(thrice.podOverrides.get(3)!), formatPorts(tcp(1, 10)));
    assert.equal(thrice.podOverrides.size, [...thrice.podOverrides.keys()].length);
    assert.deepEqual(values(unionMaps(classes, thrice, NOTHING)), values(thrice));
  });

  test('a composed walk decides what the first walk leaves undecided as the second does', () => {
    // The first allows class 2 on 1-1000 and passes class 3 on every port; the second denies every class.
    const head: TierWalk = {
      allow: map(NO_PORTS, [[2, tcp(1, 1000)]]),
      deny: NOTHING,
      undecided: map(ALL_CONNECTIONS, [
        [2, intersectPorts(ALL_CONNECTIONS, portSetOf('TCP', [1001, 65535]))],
        [3, NO_PORTS],
      ]),
    };
    const tail: TierWalk = { allow: NOTHING, deny: EVERYTHING, undecided: NOTHING };
    const walk = composeWalks(classes, head, () => tail);
    const deny = values(walk.deny);
    assert.equal(deny[2], formatPorts(portSetOf('TCP', [1001, 65535])), 'class 2 above the allowed ports');
    assert.equal(deny[3], formatPorts(NO_PORTS), 'class 3 was passed: no deny');
    assert.equal(deny[4], formatPorts(ALL_CONNECTIONS));
    assert.equal(values(walk.allow)[2], formatPorts(tcp(1, 1000)));
    assert.ok(values(walk.undecided).every((v) => v === formatPorts(NO_PORTS)));
    // Nothing undecided after the first: the second is not walked.
    const decided: TierWalk = { allow: EVERYTHING, deny: NOTHING, undecided: NOTHING };
    assert.equal(
      composeWalks(classes, decided, () => assert.fail('walked')),
      decided,
    );
  });
});
