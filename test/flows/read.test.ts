import { before, describe as suite, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FlowMatcher, observeFlowText, readFlows, type FlowProgress } from '../../src/flows/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { describe, FIXTURES, loadState } from './support.ts';

/** A temporary folder, removed when the test ends. */
function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'netfence-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let state: ClusterState;
before(async () => {
  state = await loadState(join(FIXTURES, 'cluster.yaml'));
});

suite('reading Hubble flows', () => {
  test('every case of the fixture ends in the map or in a count, never silently dropped', async () => {
    const t = await readFlows([join(FIXTURES, 'hubble.jsonl')], state);
    assert.deepEqual(t.connections.map(describe), [
      'app/Deployment/api → db/StatefulSet/pg TCP 5432 ×1 10:00:03–10:00:03',
      'app/Deployment/api → 203.0.113.7 TCP 443 ×1 10:00:04–10:00:04',
      // Dropped at pg's ingress, and retransmitted: one attempt, denied.
      'app/CronJob/backup → db/StatefulSet/pg TCP 5432 ×1 (1 denied) 10:00:05–10:00:05',
      // Seen at both ends, as a policy-verdict event and as a reply: still one attempt; then a second one,
      // and the first source port reused three minutes later (outside the dedupe window): three.
      'app/Deployment/web → app/Deployment/api TCP 8080 ×3 10:00:01–10:03:20',
      'app/Deployment/web → kube-system/Deployment/coredns UDP 53 ×1 10:00:02–10:00:02',
      // No `workloads` field: matched by the pod name pattern of a Deployment.
      'app/Deployment/worker → app/Deployment/api UDP 8125 ×1 10:00:12–10:00:12',
      '198.51.100.20 → app/Deployment/web TCP 8080 ×2 10:00:13–10:00:14',
    ]);
    const { files, ...counts } = t.stats;
    assert.deepEqual(files, [{ name: join(FIXTURES, 'hubble.jsonl'), format: 'hubble', lines: 23 }]);
    assert.deepEqual(counts, {
      records: 23,
      counted: 10,
      duplicates: 5,
      replies: 2,
      otherEvents: 2,
      nodeLocal: 1,
      otherProtocols: 1,
      unmatched: 1,
      external: 0,
      invalid: 1,
      viaService: 0,
    });
    // Every record is accounted for exactly once.
    const { records, viaService, ...outcomes } = counts;
    assert.equal(
      Object.values(outcomes).reduce((a, b) => a + b, 0),
      records,
    );
    assert.equal(viaService, 0);
    assert.deepEqual(t.unmatched, [
      {
        description: 'app/ghost-6c8f7d9b4-zz9qq (pod)',
        namespace: 'app',
        pod: 'ghost-6c8f7d9b4-zz9qq',
        ip: '10.244.1.99',
        records: 1,
        count: 1,
        example: `${join(FIXTURES, 'hubble.jsonl')}:12`,
      },
    ]);
    assert.deepEqual(t.problems, [
      {
        file: join(FIXTURES, 'hubble.jsonl'),
        line: 21,
        message: 'not JSON: "{"flow":{"time":"2026-12-01T10:00:15Z","verdict":"FORWA"',
      },
    ]);
    assert.deepEqual(t.errors, []);
  });

  test('a gzip capture reads the same as the plain one', async (context) => {
    const dir = tempDir(context);
    const gz = join(dir, 'capture.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(FIXTURES, 'hubble.jsonl'))));
    const plain = await readFlows([join(FIXTURES, 'hubble.jsonl')], state);
    const zipped = await readFlows([gz], state);
    assert.deepEqual(zipped.connections, plain.connections);
  });

  test('a pipe (`--flows <(hubble observe …)`) reads as the file does, on every thread count', async (context) => {
    const dir = tempDir(context);
    const fixture = join(FIXTURES, 'hubble.jsonl');
    const plain = await readFlows([fixture], state);
    for (const threads of [1, 2]) {
      const fifo = join(dir, `pipe-${threads}`);
      execFileSync('mkfifo', [fifo]);
      // The writer opens the pipe when the reader does; it ends when everything is read.
      const writer = spawn('sh', ['-c', `cat "${fixture}" > "${fifo}"`]);
      const written = once(writer, 'exit');
      const piped = await readFlows([fifo], state, { threads, parallelMinBytes: 0 });
      await written;
      assert.deepEqual(piped.errors, [], `threads ${threads}`);
      assert.deepEqual(piped.connections, plain.connections, `threads ${threads}`);
    }
  });

  test('the map is the same however the input is cut into chunks (streams split lines anywhere)', async () => {
    const text = readFileSync(join(FIXTURES, 'hubble.jsonl'), 'utf8');
    // Chunks of 97 bytes: lines are cut anywhere.
    const chunks = function* (): Generator<Uint8Array> {
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97);
    };
    const streamed = await readFlows(['-'], state, { readStdin: chunks });
    assert.deepEqual(streamed.connections, observeFlowText([{ name: 'x', text }], state).connections);
    assert.equal(streamed.stats.files[0]?.name, '<stdin>');
  });

  test('progress is reported with the records and distinct connections so far', async () => {
    const seen: FlowProgress[] = [];
    await readFlows([join(FIXTURES, 'hubble.jsonl')], state, { onProgress: (p) => seen.push(p) });
    const last = seen.at(-1);
    assert.equal(last?.records, 23);
    assert.equal(last?.connections, 7);
    assert.equal(last?.bytes, last?.totalBytes);
  });
});

suite('reading the simple formats', () => {
  test('CSV: comments, unknown columns, pods, pod IPs, Service IPs, outside addresses, rows merged', async () => {
    const t = await readFlows([join(FIXTURES, 'flows.csv')], state);
    assert.deepEqual(t.connections.map(describe), [
      // To the Service IP 10.96.0.20:80: its pods, on the target port (http = 8080).
      'app/Deployment/api → app/Deployment/api TCP 8080 ×5',
      // To pg-0's pod IP; times given as epoch seconds.
      'app/Deployment/api → db/StatefulSet/pg TCP 5432 ×40 09:00:00–10:00:00',
      // Two rows of the same connection add up, and their times span both.
      'app/Deployment/web → app/Deployment/api TCP 8080 ×150 09:00:00–11:00:00',
      // The source given by its pod name only.
      'app/Deployment/web → kube-system/Deployment/coredns UDP 53 ×300 09:00:00–10:00:00',
      'app/Deployment/web → 203.0.113.7 TCP 443 ×2',
      '198.51.100.20 → app/Deployment/web TCP 8080 ×7',
    ]);
    assert.deepEqual(
      { ...t.stats, files: undefined },
      {
        files: undefined,
        records: 11,
        counted: 7,
        duplicates: 0,
        replies: 0,
        otherEvents: 0,
        nodeLocal: 0,
        otherProtocols: 1,
        unmatched: 1,
        external: 1,
        invalid: 1,
        viaService: 1,
      },
    );
    assert.deepEqual(t.notices, [`${join(FIXTURES, 'flows.csv')}: ignoring column "bytes"`]);
    assert.deepEqual(
      t.unmatched.map((u) => [u.description, u.count]),
      [['app/ghost (workload)', 4]],
    );
    assert.deepEqual(
      t.problems.map((p) => [p.line, p.message]),
      [[11, 'port "99999" is not a port number 1-65535']],
    );
  });

  test('JSON Lines: pods by name pattern (a CronJob), IPv6 outside addresses, denied counts', async () => {
    const t = await readFlows([join(FIXTURES, 'flows.jsonl')], state);
    assert.deepEqual(t.connections.map(describe), [
      'app/CronJob/backup → db/StatefulSet/pg TCP 5432 ×3 (3 denied)',
      'app/Deployment/web → app/Deployment/api TCP 8080 ×12 09:00:00–10:00:00',
      '2001:db8::7 → app/Deployment/web TCP 8080 ×1',
    ]);
    assert.deepEqual(
      t.problems.map((p) => p.line),
      [4],
    );
  });

  test('several inputs of different formats make one map', async () => {
    const t = await readFlows([join(FIXTURES, 'flows.csv'), join(FIXTURES, 'flows.jsonl')], state);
    assert.deepEqual(
      t.stats.files.map((f) => f.format),
      ['csv', 'jsonl'],
    );
    const webApi = t.connections.find((c) =>
      describe(c).startsWith('app/Deployment/web → app/Deployment/api TCP 8080'),
    );
    assert.equal(webApi?.count, 162);
  });
});

suite('inputs that cannot be read are errors, as data', () => {
  test('missing files, folders, empty inputs and unknown formats', async (context) => {
    const dir = tempDir(context);
    writeFileSync(join(dir, 'empty.csv'), '');
    writeFileSync(join(dir, 'other.json'), '{"kind":"Pod"}\n');
    writeFileSync(join(dir, 'text.txt'), 'hello world\n');
    const t = await readFlows(
      [join(dir, 'missing.csv'), dir, join(dir, 'empty.csv'), join(dir, 'other.json'), join(dir, 'text.txt')],
      state,
    );
    assert.deepEqual(
      t.errors.map((e) => `${e.file.replace(dir, 'DIR')}:${e.line}: ${e.message.replaceAll(dir, 'DIR')}`),
      [
        'DIR/missing.csv:0: cannot read "DIR/missing.csv": it does not exist',
        'DIR:0: cannot read "DIR": it is a folder (give the flow files themselves)',
        'DIR/empty.csv:0: no flows: the input is empty',
        'DIR/other.json:1: the first JSON line is neither a Hubble flow ("flow", "IP", "l4"...) nor a flow record ("src_namespace", "dst_ip", "port"...)',
        'DIR/text.txt:1: the first line names none of the flow columns (src_namespace, src_workload, src_pod, src_ip, dst_namespace, dst_workload, dst_pod, dst_ip, protocol, port, count, denied, first_seen, last_seen): "hello world"',
      ],
    );
  });
});

suite('matching flow ends to workloads', () => {
  test('by name patterns of each controller, by exact pod, by workload name or Kind/name, by IP', () => {
    const m = new FlowMatcher(state);
    const id = (raw: Parameters<FlowMatcher['resolve']>[0]): string => {
      const r = m.resolve(raw);
      return r.kind === 'end' ? (r.end.kind === 'workload' ? r.end.id : `ip ${r.end.ip}`) : r.kind;
    };
    assert.equal(id({ namespace: 'app', pod: 'web-6d4cf56db6-x7k2p' }), 'app/Deployment/web');
    assert.equal(id({ namespace: 'app', pod: 'backup-29431200-k8d2x' }), 'app/CronJob/backup');
    assert.equal(id({ namespace: 'db', pod: 'pg-0' }), 'db/StatefulSet/pg');
    assert.equal(id({ namespace: 'db', pod: 'pg-3' }), 'db/StatefulSet/pg');
    assert.equal(
      id({ namespace: 'kube-system', pod: 'node-agent-x8k2p' }),
      'kube-system/DaemonSet/node-agent',
    );
    // A Deployment's pods are never <name>-<ordinal>: that is no pod of web.
    assert.equal(id({ namespace: 'app', pod: 'web-0' }), 'unmatched');
    assert.equal(id({ namespace: 'app', workload: 'Deployment/api' }), 'app/Deployment/api');
    assert.equal(id({ namespace: 'app', workload: 'api', workloadKind: 'Deployment' }), 'app/Deployment/api');
    assert.equal(id({ ip: '10.244.2.50' }), 'db/StatefulSet/pg');
    assert.equal(id({ ip: '203.0.113.7' }), 'ip 203.0.113.7');
    assert.equal(id({ ip: '10.96.0.20' }), 'service');
    assert.equal(id({ ip: 'not-an-ip' }), 'invalid');
    // An in-cluster end (it has a namespace) that matches nothing is unmatched, never an outside address.
    assert.equal(id({ namespace: 'app', pod: 'ghost', ip: '10.244.1.99' }), 'unmatched');
  });

  test('a Service IP resolves to its workloads and target port, named or numbered', () => {
    const m = new FlowMatcher(state);
    const r = m.resolve({ ip: '10.96.0.20' });
    assert.equal(r.kind, 'service');
    assert.deepEqual(r.kind === 'service' ? m.serviceTargets(r.service, 'TCP', 80) : undefined, [
      { workload: 'app/Deployment/api', port: 8080 },
    ]);
    // A port the Service does not expose reaches nothing through it.
    assert.deepEqual(r.kind === 'service' ? m.serviceTargets(r.service, 'TCP', 81) : undefined, []);
  });

  test('a Service written with selector: {} (stored as none) resolves to no workload, not to all', () => {
    const id = new FlowMatcher(state).resolve({ ip: '10.96.0.20' });
    assert.equal(id.kind, 'service');
    const emptied: ClusterState = {
      ...state,
      services: state.services.map((s) =>
        id.kind === 'service' && s.id === id.service ? { ...s, spec: { ...s.spec, selector: {} } } : s,
      ),
    };
    const m = new FlowMatcher(emptied);
    assert.deepEqual(id.kind === 'service' ? m.serviceTargets(id.service, 'TCP', 80) : undefined, []);
  });
});
