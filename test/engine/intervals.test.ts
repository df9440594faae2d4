import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  intersectIntervals,
  intervalsContain,
  subtractIntervals,
  unionIntervals,
} from '../../src/base/intervals.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { ALL_CONNECTIONS, NO_PORTS, portSetOf, portsToJson, unionPorts } from '../../src/engine/ports.ts';

describe('interval sets', () => {
  test('union merges overlapping and adjacent intervals', () => {
    assert.deepEqual(unionIntervals([1, 5, 10, 20], [6, 8, 21, 30]), [1, 8, 10, 30]);
    assert.deepEqual(unionIntervals([1, 5], [3, 4]), [1, 5]);
    assert.deepEqual(unionIntervals([], [3, 4]), [3, 4]);
  });

  test('intersection keeps only shared ports', () => {
    assert.deepEqual(intersectIntervals([1, 10, 20, 30], [5, 25]), [5, 10, 20, 25]);
    assert.deepEqual(intersectIntervals([1, 4], [5, 9]), []);
  });

  test('subtraction splits intervals around holes', () => {
    assert.deepEqual(subtractIntervals([1, 65535], [80, 80, 443, 443]), [1, 79, 81, 442, 444, 65535]);
    assert.deepEqual(subtractIntervals([80, 80], [1, 65535]), []);
    assert.deepEqual(subtractIntervals([1, 10], []), [1, 10]);
  });

  test('membership is inclusive at both ends', () => {
    const set = [80, 80, 8080, 8090];
    assert.equal(intervalsContain(set, 80), true);
    assert.equal(intervalsContain(set, 8090), true);
    assert.equal(intervalsContain(set, 8091), false);
    assert.equal(intervalsContain(set, 81), false);
  });
});

describe('port sets', () => {
  test('print compactly, protocol by protocol', () => {
    const ports = unionPorts(portSetOf('TCP', [80, 80, 8080, 8090]), portSetOf('UDP', [53, 53]));
    assert.equal(formatPorts(ports), 'TCP 80,8080-8090; UDP 53');
    assert.equal(formatPorts(ALL_CONNECTIONS), 'All connections');
    assert.equal(formatPorts(NO_PORTS), 'No connections');
    assert.equal(formatPorts(portSetOf('SCTP', [1, 65535])), 'SCTP all ports');
  });

  test('JSON spells out all three protocols', () => {
    assert.deepEqual(portsToJson(ALL_CONNECTIONS), {
      TCP: [[1, 65535]],
      UDP: [[1, 65535]],
      SCTP: [[1, 65535]],
    });
    assert.deepEqual(portsToJson(portSetOf('UDP', [53, 53])), { TCP: [], UDP: [[53, 53]], SCTP: [] });
  });
});
