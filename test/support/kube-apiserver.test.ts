/**
 * The cluster tests' harness starts etcd and kube-apiserver on ports it picks free and releases: another process
 * may bind one of them first. Then the start-up picks others instead of failing the test file. Its waits give up
 * on a server that exits, loops or hangs, never on a slow one by the clock but as a last resort, and quote its
 * log (servers played by shell scripts). The tests of real servers skip without the binaries, unless
 * NETFENCE_REQUIRE_KUBE=1.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { apiServerBinaries, startApiServer } from './kube-apiserver.ts';
import { freePorts } from './ports.ts';

const binaries = apiServerBinaries();
const skip = 'skip' in binaries && process.env.NETFENCE_REQUIRE_KUBE !== '1' ? binaries.skip : false;

/** Listens on `n` loopback ports: taken, as by another process, until closed (its connections cut). */
async function takePorts(n: number): Promise<{ ports: number[]; close(): Promise<void> }> {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  for (let i = 0; i < n; i++) {
    const srv = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(srv);
  }
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

test('a port taken after it was picked: etcd and kube-apiserver start on others', { skip }, async () => {
  if ('skip' in binaries) throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${binaries.skip}`);
  const taken = await takePorts(3);
  // The picks in turn: etcd's two ports (taken), again (free), kube-apiserver's (taken), again (free).
  const scripted: (number[] | null)[] = [taken.ports.slice(0, 2), null, taken.ports.slice(2), null];
  const picked: number[][] = [];
  const pickPorts = async (n: number): Promise<number[]> => {
    const ports = scripted[picked.length] ?? (await freePorts(n));
    picked.push(ports);
    return ports;
  };
  try {
    const api = await startApiServer({ binaries, rbacManifest: null, pickPorts });
    try {
      assert.deepEqual(
        picked.map((p) => p.length),
        [2, 2, 1, 1],
      );
      const port = Number(new URL(api.url).port);
      assert.ok(!taken.ports.includes(port), `${api.url} is on a taken port`);
      assert.equal((await api.request('GET', '/readyz')).status, 200);
      // Each lost its first port, as its log says.
      assert.match(readFileSync(join(api.dir, 'etcd.log'), 'utf8'), /address already in use/);
      assert.match(readFileSync(join(api.dir, 'kube-apiserver.log'), 'utf8'), /address already in use/);
    } finally {
      await api.stop();
    }
  } finally {
    await taken.close();
  }
});

const scripts = mkdtempSync(join(tmpdir(), 'netfence-fake-kube-'));
after(() => rmSync(scripts, { recursive: true, force: true }));

/** An executable shell script standing for a server: `body` after its shebang. */
function fakeServer(name: string, body: string): string {
  const file = join(scripts, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A server that says `line`, then uses CPU time and answers nothing. */
const looping = (line: string): string => fakeServer('looping', `echo '${line}'\nwhile :; do :; done`);

/** The CPU time of a process comes from /proc: elsewhere only the last resort by the clock applies. */
const noProc = existsSync('/proc/self/stat')
  ? false
  : 'no /proc here: the CPU time of a process is not known';

test('etcd that exits fails the start-up at once, with its last log lines', async () => {
  const etcd = fakeServer('exits', "echo 'etcd: unknown flag --unsafe-no-fsync' >&2\nexit 3");
  await assert.rejects(
    startApiServer({ binaries: { etcd, apiserver: etcd }, rbacManifest: null }),
    /^Error: etcd exited with code 3; last log lines:\netcd: unknown flag --unsafe-no-fsync\n/,
  );
});

test(
  'etcd that loops without getting healthy: given up once it used the CPU time allowed',
  { skip: noProc },
  async () => {
    const etcd = looping('etcd: waiting for the member to join');
    await assert.rejects(
      startApiServer({ binaries: { etcd, apiserver: etcd }, rbacManifest: null, patience: { cpuMs: 300 } }),
      /^Error: etcd not healthy at http:\/\/127\.0\.0\.1:\d+\/health \(it used \d+ ms of CPU time in this wait\); last log lines:\netcd: waiting for the member to join\n/,
    );
  },
);

// Given up for want of CPU time or by the clock, a server may not have written its line yet (a loaded machine
// may not have run it at all): its log is not asserted there.
test(
  'etcd that hangs: given up once it used no CPU time for the idle time allowed',
  { skip: noProc },
  async () => {
    const etcd = fakeServer('hangs', "echo 'etcd: taking the data dir lock'\nexec sleep 100000");
    await assert.rejects(
      startApiServer({ binaries: { etcd, apiserver: etcd }, rbacManifest: null, patience: { idleMs: 1000 } }),
      /^Error: etcd not healthy at \S+ \(it used no CPU time for \d+ ms\); last log lines:\n/,
    );
  },
);

test('the last resort by the clock ends a wait on a server that keeps using CPU time', async () => {
  const etcd = looping('etcd: still starting');
  await assert.rejects(
    startApiServer({
      binaries: { etcd, apiserver: etcd },
      rbacManifest: null,
      patience: { cpuMs: Number.MAX_SAFE_INTEGER, idleMs: Number.MAX_SAFE_INTEGER, capMs: 1 },
    }),
    /^Error: etcd not healthy at \S+ \(still waiting at the last resort of 1 ms by the clock\); last log lines:\n/,
  );
});

test(
  "kube-apiserver that loops without getting ready: given up on its CPU time, with its log and etcd's",
  { skip: skip || noProc },
  async () => {
    if ('skip' in binaries) throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${binaries.skip}`);
    const apiserver = looping('kube-apiserver: waiting for the storage');
    await assert.rejects(
      startApiServer({
        binaries: { etcd: binaries.etcd, apiserver },
        rbacManifest: null,
        patience: { cpuMs: 300 },
      }),
      /^Error: kube-apiserver not ready at https:\/\/127\.0\.0\.1:\d+\/readyz \(it used \d+ ms of CPU time in this wait; no answer yet\)\n--- kube-apiserver log \(\S+\) ---\nkube-apiserver: waiting for the storage\n--- etcd log /,
    );
  },
);

/** The pids of the running processes whose command line holds `text` (Linux). */
function pidsRunning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

test(
  'a request to a kube-apiserver that hangs fails once the server used no CPU time for the idle time allowed',
  { skip: skip || noProc },
  async () => {
    if ('skip' in binaries) throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${binaries.skip}`);
    const api = await startApiServer({ binaries, rbacManifest: null, patience: { idleMs: 5000 } });
    const [pid, ...others] = pidsRunning(`--cert-dir=${join(api.dir, 'certs')}`);
    try {
      assert.ok(pid !== undefined && others.length === 0, `one kube-apiserver of ${api.dir}`);
      process.kill(pid, 'SIGSTOP');
      await assert.rejects(
        api.request('GET', '/api/v1/pods'),
        /^Error: GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/pods: no answer \(it used no CPU time for \d+ ms\)$/,
      );
    } finally {
      if (pid !== undefined) process.kill(pid, 'SIGCONT');
      await api.stop();
    }
  },
);
