/**
 * The cluster tests' harness starts etcd and kube-apiserver on ports it picks free and releases: another process
 * may bind one of them first. Then the start-up picks others instead of failing the test file. Skips without the
 * binaries, unless NETFENCE_REQUIRE_KUBE=1.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { apiServerBinaries, freePorts, startApiServer } from './kube-apiserver.ts';

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
