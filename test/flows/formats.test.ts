import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fastTuple } from '../../src/flows/parser.ts';
import {
  isHubbleObject,
  parseCsvHeader,
  parseCsvRow,
  parseHubbleObject,
  parseSimpleJson,
  parseTime,
  splitCsvLine,
} from '../../src/flows/index.ts';

/** A Hubble flow as `hubble observe -o json` prints it, with fields overridden per case. */
function hubbleFlow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '2026-12-01T10:00:01.123456789Z',
    verdict: 'FORWARDED',
    IP: { source: '10.244.1.10', destination: '10.244.1.20', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } },
    source: {
      namespace: 'app',
      pod_name: 'web-6d4cf56db6-x7k2p',
      labels: ['k8s:app.kubernetes.io/name=web'],
      workloads: [{ name: 'web', kind: 'Deployment' }],
    },
    destination: {
      namespace: 'app',
      pod_name: 'api-7f9c8d6b5-q2w8e',
      labels: ['k8s:app.kubernetes.io/name=api'],
    },
    Type: 'L3_L4',
    event_type: { type: 4, sub_type: 3 },
    traffic_direction: 'EGRESS',
    is_reply: false,
    ...overrides,
  };
}

describe('Hubble flows', () => {
  test('a request flow: ends, protocol, destination port, time, and the 5-tuple that deduplicates it', () => {
    const r = parseHubbleObject(hubbleFlow());
    assert.equal(r.kind, 'flow');
    assert.deepEqual(r.kind === 'flow' ? r.record : undefined, {
      src: {
        ip: '10.244.1.10',
        namespace: 'app',
        pod: 'web-6d4cf56db6-x7k2p',
        workload: 'web',
        workloadKind: 'Deployment',
      },
      dst: { ip: '10.244.1.20', namespace: 'app', pod: 'api-7f9c8d6b5-q2w8e' },
      protocol: 'TCP',
      port: 8080,
      count: 1,
      denied: 0,
      tuple: 'TCP 10.244.1.10 40001 10.244.1.20 8080',
      firstSeen: Date.parse('2026-12-01T10:00:01.123Z'),
      lastSeen: Date.parse('2026-12-01T10:00:01.123Z'),
    });
  });

  test('the jsonpb form wraps the same flow in {"flow": ...}', () => {
    const bare = parseHubbleObject(hubbleFlow());
    const wrapped = parseHubbleObject({ flow: hubbleFlow(), node_name: 'n1', time: '2026-12-01T10:00:01Z' });
    assert.deepEqual(wrapped, bare);
  });

  test('replies are skipped: is_reply, the legacy reply field, and a SYN-ACK when the direction is unknown', () => {
    assert.deepEqual(parseHubbleObject(hubbleFlow({ is_reply: true })), { kind: 'skip', reason: 'reply' });
    const legacy = hubbleFlow({ reply: true });
    delete legacy.is_reply;
    assert.deepEqual(parseHubbleObject(legacy), { kind: 'skip', reason: 'reply' });
    const synAck = hubbleFlow({
      l4: { TCP: { source_port: 8080, destination_port: 40001, flags: { SYN: true, ACK: true } } },
    });
    delete synAck.is_reply;
    assert.deepEqual(parseHubbleObject(synAck), { kind: 'skip', reason: 'reply' });
  });

  test('dropped flows count as denied attempts', () => {
    const r = parseHubbleObject(hubbleFlow({ verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED' }));
    assert.equal(r.kind === 'flow' ? r.record.denied : undefined, 1);
  });

  test('UDP and SCTP flows', () => {
    const udp = parseHubbleObject(hubbleFlow({ l4: { UDP: { source_port: 53001, destination_port: 53 } } }));
    assert.deepEqual(udp.kind === 'flow' ? [udp.record.protocol, udp.record.port] : undefined, ['UDP', 53]);
    const sctp = parseHubbleObject(
      hubbleFlow({ l4: { SCTP: { source_port: 5000, destination_port: 38412 } } }),
    );
    assert.deepEqual(sctp.kind === 'flow' ? [sctp.record.protocol, sctp.record.port] : undefined, [
      'SCTP',
      38412,
    ]);
  });

  test('events that are not L3/L4 flows are skipped, each with its reason', () => {
    assert.deepEqual(parseHubbleObject(hubbleFlow({ Type: 'L7', l7: { type: 'REQUEST' } })), {
      kind: 'skip',
      reason: 'other-event',
    });
    assert.deepEqual(parseHubbleObject({ lost_events: { num_events_lost: '3' } }), {
      kind: 'skip',
      reason: 'other-event',
    });
    assert.deepEqual(parseHubbleObject({ debug_event: { type: 'DBG_CT_VERDICT' } }), {
      kind: 'skip',
      reason: 'other-event',
    });
    assert.deepEqual(parseHubbleObject(hubbleFlow({ l4: { ICMPv4: { type: 8 } } })), {
      kind: 'skip',
      reason: 'other-protocol',
    });
  });

  test('traffic between a pod and its own node (reserved:host) is node-local: always allowed', () => {
    const probe = hubbleFlow({
      source: { identity: 1, labels: ['reserved:host'] },
      traffic_direction: 'INGRESS',
    });
    assert.deepEqual(parseHubbleObject(probe), { kind: 'skip', reason: 'node-local' });
    // A remote node is not the pod's own node: it stays an address.
    const remote = parseHubbleObject(
      hubbleFlow({ destination: { identity: 6, labels: ['reserved:remote-node'] } }),
    );
    assert.deepEqual(remote.kind === 'flow' ? remote.record.dst : undefined, { ip: '10.244.1.20' });
  });

  test('a destination port outside 1-65535 is invalid, quoting it', () => {
    const r = parseHubbleObject(hubbleFlow({ l4: { TCP: { source_port: 1, destination_port: 0 } } }));
    assert.deepEqual(r, { kind: 'invalid', message: 'l4.TCP.destination_port is 0, not a port 1-65535' });
  });

  test('the unparsed fast path finds the same 5-tuple and time as the full parse, on every flow of the example', () => {
    const lines = readFileSync(new URL('../../examples/flows/webshop-hubble.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    let compared = 0;
    for (const line of lines) {
      const fast = fastTuple(line);
      if (fast === undefined) continue;
      const full = parseHubbleObject(JSON.parse(line));
      if (full.kind !== 'flow') continue;
      assert.deepEqual(fast, { key: full.record.tuple, time: full.record.firstSeen });
      compared++;
    }
    assert.ok(compared > 150, `${compared} flows compared`);
    // Drops always take the full path: they may mark an attempt denied.
    assert.equal(fastTuple(lines.find((l) => l.includes('"verdict":"DROPPED"'))!), undefined);
  });

  test('format detection tells Hubble objects from the simple JSON records', () => {
    assert.equal(isHubbleObject(hubbleFlow()), true);
    assert.equal(isHubbleObject({ lost_events: {} }), true);
    assert.equal(isHubbleObject({ src_workload: 'web', port: 80 }), false);
  });
});

describe('the simple CSV and JSON Lines formats', () => {
  test('CSV lines split with RFC 4180 quoting', () => {
    assert.deepEqual(splitCsvLine('a,"b,c",,"say ""hi"""'), ['a', 'b,c', '', 'say "hi"']);
    assert.equal(splitCsvLine('a,"unterminated'), undefined);
  });

  test('the header may name any subset of the columns, in any order, case-insensitively', () => {
    const parsed = parseCsvHeader('PORT,dst_ip,src_ip,bytes');
    const u = undefined;
    assert.deepEqual(parsed, {
      ok: true,
      header: {
        index: { port: 0, dst_ip: 1, src_ip: 2 },
        // By the order of FLOW_COLUMNS: src_namespace, src_workload, src_pod, src_ip, dst_namespace...
        columns: [u, u, u, 2, u, u, u, 1, u, 0, u, u, u, u],
        unknown: ['bytes'],
      },
    });
  });

  test('a header without a port, or without a way to name a side, is refused with a suggestion', () => {
    assert.deepEqual(parseCsvHeader('src_ip,dst_ip,dst_port'), {
      ok: false,
      message:
        'the header has no "port" column (the destination port); found "dst_port". Did you mean "port"?',
    });
    assert.deepEqual(parseCsvHeader('src_ip,dst_workloads,port'), {
      ok: false,
      message:
        'the header identifies no destination: give dst_workload, dst_pod, dst_ip or several of them. Did you mean "dst_workload"?',
    });
    assert.equal(parseCsvHeader('time,bytes').ok, false);
  });

  test('a row: defaults (TCP, count 1), protocol names and numbers, times as ISO 8601, UTC or epoch seconds', () => {
    const header = parseCsvHeader(
      'src_ip,dst_namespace,dst_workload,protocol,port,count,first_seen,last_seen',
    );
    assert.ok(header.ok);
    const row = parseCsvRow(header.header, '203.0.113.9,app,web,17,53,,2026-12-01 09:00:00,1796119200');
    assert.deepEqual(row, {
      kind: 'flow',
      record: {
        src: { ip: '203.0.113.9' },
        dst: { namespace: 'app', workload: 'web' },
        protocol: 'UDP',
        port: 53,
        count: 1,
        denied: 0,
        firstSeen: Date.parse('2026-12-01T09:00:00Z'),
        lastSeen: Date.parse('2026-12-01T10:00:00Z'),
      },
    });
    assert.equal(parseTime('2026-12-01T10:00:00+01:00'), Date.parse('2026-12-01T09:00:00Z'));
    assert.equal(parseTime('1796119200123'), 1796119200123);
    assert.equal(parseTime('yesterday'), undefined);
  });

  test('invalid rows say what is wrong, quoting the value', () => {
    const header = parseCsvHeader('src_namespace,src_workload,dst_ip,protocol,port,count,denied');
    assert.ok(header.ok);
    const message = (line: string): string | undefined => {
      const r = parseCsvRow(header.header, line);
      return r.kind === 'invalid' ? r.message : undefined;
    };
    assert.equal(
      message('app,web,10.0.0.1,TCP4,80,1,0'),
      'protocol "TCP4" is not TCP, UDP or SCTP. Did you mean "TCP"?',
    );
    // Names every object has are not protocols.
    for (const name of ['constructor', '__proto__', 'toString'])
      assert.match(
        message(`app,web,10.0.0.1,${name},80,1,0`) ?? '',
        new RegExp(`^protocol "${name}" is not TCP, UDP or SCTP`),
      );
    assert.equal(message('app,web,10.0.0.1,TCP,http,1,0'), 'port "http" is not a port number 1-65535');
    assert.equal(message('app,web,10.0.0.1,TCP,80,0,0'), 'count "0" is not a positive whole number');
    assert.equal(
      message('app,web,10.0.0.1,TCP,80,2,3'),
      'denied "3" is not a whole number from 0 to count (2)',
    );
    assert.equal(message(',web,10.0.0.1,TCP,80,1,0'), 'src_workload "web" needs src_namespace');
    assert.equal(
      message('app,,10.0.0.1,TCP,80,1,0'),
      'the source is only a namespace ("app"): add src_workload, src_pod or src_ip',
    );
    assert.deepEqual(parseCsvRow(header.header, 'app,web,10.0.0.1,icmp,,1,0'), {
      kind: 'skip',
      reason: 'other-protocol',
    });
  });

  test('JSON Lines records use the same fields, with strings or numbers', () => {
    assert.deepEqual(parseSimpleJson({ src_ip: '10.0.0.1', dst_ip: '10.0.0.2', port: '443', count: 2 }), {
      kind: 'flow',
      record: {
        src: { ip: '10.0.0.1' },
        dst: { ip: '10.0.0.2' },
        protocol: 'TCP',
        port: 443,
        count: 2,
        denied: 0,
      },
    });
    assert.equal(parseSimpleJson({ hello: 1 }).kind, 'invalid');
  });
});
