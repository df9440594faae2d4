/**
 * test/support/ports.ts: the ports a server is started (and started again) on are free, distinct and, on Linux,
 * below the kernel's ephemeral range, where no other process's `listen(0)` or outgoing connection takes them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { test } from 'node:test';
import { freePorts } from './ports.ts';

const RANGE = '/proc/sys/net/ipv4/ip_local_port_range';

test('distinct ports below the ephemeral range, each free to listen on', async () => {
  const ports = await freePorts(8);
  assert.equal(ports.length, 8);
  assert.equal(new Set(ports).size, 8, ports.join(' '));
  if (existsSync(RANGE)) {
    // (With no room below the range, 1,000 ports at least, the kernel's free ports.)
    const start = Number(readFileSync(RANGE, 'utf8').trim().split(/\s+/)[0]);
    if (start >= 11_000)
      for (const port of ports)
        assert.ok(port >= 10_000 && port < start, `${port} (ephemeral from ${start})`);
  }
  for (const port of ports) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
