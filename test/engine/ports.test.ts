/**
 * Port sets (`src/engine/ports.ts`), function by function: each protocol kept apart, the shortcuts for
 * "no ports" and "all connections" agreeing with the general case, and the stable key never merging two
 * different sets. Every set below puts different ports on each protocol, so a mix-up of protocols shows.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ALL_CONNECTIONS,
  ALL_PORTS,
  MAX_PORT,
  MIN_PORT,
  NO_PORTS,
  intersectPorts,
  isAllConnections,
  isEmptyPorts,
  portSetOf,
  portsContain,
  portsEqual,
  portsKey,
  portsSubset,
  portsToJson,
  subtractPorts,
  unionPorts,
  type PortSet,
} from '../../src/engine/ports.ts';

/** A port set written out (a new object, never one of the module's constants). */
function ports(TCP: number[], UDP: number[], SCTP: number[]): PortSet {
  return { TCP, UDP, SCTP };
}

const ALL = [1, 65535];
/** Every port of every protocol, as a new object (not `ALL_CONNECTIONS` itself). */
const allWritten = (): PortSet => ports([...ALL], [...ALL], [...ALL]);
/** Different ports on each protocol. */
const mixed = (): PortSet => ports([80, 80], [53, 53, 5353, 5353], [9000, 9100]);

describe('port set constants', () => {
  test('ports run from 1 to 65535; all connections is every port of TCP, UDP and SCTP', () => {
    assert.equal(MIN_PORT, 1);
    assert.equal(MAX_PORT, 65535);
    assert.deepEqual(ALL_PORTS, [1, 65535]);
    assert.deepEqual(ALL_CONNECTIONS, allWritten());
    assert.deepEqual(NO_PORTS, ports([], [], []));
  });

  test('portSetOf puts the ports on its protocol only', () => {
    assert.deepEqual(portSetOf('TCP', [80, 80]), ports([80, 80], [], []));
    assert.deepEqual(portSetOf('UDP', [53, 53]), ports([], [53, 53], []));
    assert.deepEqual(portSetOf('SCTP', [9000, 9100]), ports([], [], [9000, 9100]));
  });
});

describe('unionPorts', () => {
  test('joins protocol by protocol', () => {
    const a = ports([80, 80], [53, 53], []);
    const b = ports([443, 443], [], [9000, 9000]);
    const want = ports([80, 80, 443, 443], [53, 53], [9000, 9000]);
    assert.deepEqual(unionPorts(a, b), want);
    assert.deepEqual(unionPorts(b, a), want);
  });

  test('with no ports on either side, the other side', () => {
    assert.deepEqual(unionPorts(NO_PORTS, mixed()), mixed());
    assert.deepEqual(unionPorts(mixed(), NO_PORTS), mixed());
    assert.deepEqual(unionPorts(NO_PORTS, NO_PORTS), NO_PORTS);
  });

  test('with all connections on either side, all connections', () => {
    assert.deepEqual(unionPorts(ALL_CONNECTIONS, mixed()), allWritten());
    assert.deepEqual(unionPorts(mixed(), ALL_CONNECTIONS), allWritten());
    assert.deepEqual(unionPorts(NO_PORTS, ALL_CONNECTIONS), allWritten());
    assert.deepEqual(unionPorts(ALL_CONNECTIONS, NO_PORTS), allWritten());
  });
});

describe('intersectPorts', () => {
  test('keeps what both have, protocol by protocol', () => {
    const a = ports([1, 100], [53, 53, 200, 300], [9000, 9100]);
    const b = ports([80, 80, 443, 443], [250, 400], [1, 8999]);
    const want = ports([80, 80], [250, 300], []);
    assert.deepEqual(intersectPorts(a, b), want);
    assert.deepEqual(intersectPorts(b, a), want);
  });

  test('with all connections on either side, the other side', () => {
    assert.deepEqual(intersectPorts(ALL_CONNECTIONS, mixed()), mixed());
    assert.deepEqual(intersectPorts(mixed(), ALL_CONNECTIONS), mixed());
  });

  test('with no ports on either side, no ports', () => {
    assert.equal(isEmptyPorts(intersectPorts(NO_PORTS, mixed())), true);
    assert.equal(isEmptyPorts(intersectPorts(mixed(), NO_PORTS)), true);
    assert.equal(isEmptyPorts(intersectPorts(ALL_CONNECTIONS, NO_PORTS)), true);
    assert.equal(isEmptyPorts(intersectPorts(NO_PORTS, ALL_CONNECTIONS)), true);
  });
});

describe('subtractPorts', () => {
  test('removes protocol by protocol', () => {
    const a = ports([1, 100], [53, 53, 200, 300], [9000, 9100]);
    const b = ports([80, 80], [250, 400], [1, 8999]);
    assert.deepEqual(subtractPorts(a, b), ports([1, 79, 81, 100], [53, 53, 200, 249], [9000, 9100]));
    assert.deepEqual(subtractPorts(b, a), ports([], [301, 400], [1, 8999]));
  });

  test('nothing to remove, or nothing to remove from: the first set as it is', () => {
    assert.deepEqual(subtractPorts(mixed(), NO_PORTS), mixed());
    assert.deepEqual(subtractPorts(mixed(), ports([], [], [])), mixed());
    assert.equal(isEmptyPorts(subtractPorts(NO_PORTS, mixed())), true);
    assert.equal(isEmptyPorts(subtractPorts(ports([], [], []), ALL_CONNECTIONS)), true);
  });

  test('all connections removed leaves nothing; removed from all connections leaves the holes around', () => {
    assert.equal(isEmptyPorts(subtractPorts(mixed(), ALL_CONNECTIONS)), true);
    assert.equal(isEmptyPorts(subtractPorts(ALL_CONNECTIONS, ALL_CONNECTIONS)), true);
    assert.equal(isEmptyPorts(subtractPorts(mixed(), allWritten())), true);
    assert.deepEqual(
      subtractPorts(ALL_CONNECTIONS, mixed()),
      ports([1, 79, 81, 65535], [1, 52, 54, 5352, 5354, 65535], [1, 8999, 9101, 65535]),
    );
  });
});

describe('isEmptyPorts and isAllConnections', () => {
  test('empty only when every protocol is', () => {
    assert.equal(isEmptyPorts(NO_PORTS), true);
    assert.equal(isEmptyPorts(ports([], [], [])), true);
    assert.equal(isEmptyPorts(ports([80, 80], [], [])), false);
    assert.equal(isEmptyPorts(ports([], [53, 53], [])), false);
    assert.equal(isEmptyPorts(ports([], [], [9000, 9000])), false);
    assert.equal(isEmptyPorts(ALL_CONNECTIONS), false);
  });

  test('all connections only when every protocol has every port', () => {
    assert.equal(isAllConnections(ALL_CONNECTIONS), true);
    assert.equal(isAllConnections(allWritten()), true);
    assert.equal(isAllConnections(ports([...ALL], [...ALL], [1, 65534])), false);
    assert.equal(isAllConnections(ports([...ALL], [2, 65535], [...ALL])), false);
    assert.equal(isAllConnections(ports([1, 79, 81, 65535], [...ALL], [...ALL])), false);
    assert.equal(isAllConnections(NO_PORTS), false);
  });
});

describe('comparisons', () => {
  test('portsEqual compares every protocol', () => {
    assert.equal(portsEqual(mixed(), mixed()), true);
    assert.equal(portsEqual(ALL_CONNECTIONS, allWritten()), true);
    assert.equal(portsEqual(mixed(), ports([80, 80], [53, 53, 5353, 5353], [9000, 9101])), false);
    assert.equal(portsEqual(mixed(), ports([80, 80], [53, 53], [9000, 9100])), false);
    assert.equal(portsEqual(mixed(), ports([81, 81], [53, 53, 5353, 5353], [9000, 9100])), false);
  });

  test('portsSubset: a ⊆ b on every protocol', () => {
    assert.equal(portsSubset(mixed(), ALL_CONNECTIONS), true);
    assert.equal(portsSubset(ALL_CONNECTIONS, mixed()), false);
    assert.equal(portsSubset(NO_PORTS, mixed()), true);
    assert.equal(portsSubset(mixed(), mixed()), true);
    const wider = ports([1, 1000], [1, 6000], [9000, 9200]);
    assert.equal(portsSubset(mixed(), wider), true);
    assert.equal(portsSubset(ports([80, 80], [], [9000, 9300]), wider), false);
    assert.equal(portsSubset(ports([80, 80], [7000, 7000], []), wider), false);
    assert.equal(portsSubset(ports([2000, 2000], [], []), wider), false);
  });

  test('portsContain looks at the protocol asked about', () => {
    assert.equal(portsContain(mixed(), 'TCP', 80), true);
    assert.equal(portsContain(mixed(), 'UDP', 80), false);
    assert.equal(portsContain(mixed(), 'UDP', 5353), true);
    assert.equal(portsContain(mixed(), 'SCTP', 9100), true);
    assert.equal(portsContain(mixed(), 'SCTP', 9101), false);
  });
});

describe('forms for output', () => {
  test('JSON: every protocol spelled out as [from, to] pairs', () => {
    assert.deepEqual(portsToJson(mixed()), {
      TCP: [[80, 80]],
      UDP: [
        [53, 53],
        [5353, 5353],
      ],
      SCTP: [[9000, 9100]],
    });
    assert.deepEqual(portsToJson(NO_PORTS), { TCP: [], UDP: [], SCTP: [] });
  });

  test('the key is equal for equal sets and different for different ones', () => {
    assert.equal(portsKey(ALL_CONNECTIONS), portsKey(allWritten()));
    assert.equal(portsKey(mixed()), '80,80|53,53,5353,5353|9000,9100');
    // The separators matter: without them these pairs would share a key.
    assert.notEqual(portsKey(ports([1, 1, 3, 4], [], [])), portsKey(ports([11, 34], [], [])));
    assert.notEqual(portsKey(ports([80, 80], [], [])), portsKey(ports([], [80, 80], [])));
    assert.notEqual(portsKey(ports([], [80, 80], [])), portsKey(ports([], [], [80, 80])));
  });
});
