/**
 * Free loopback ports for the servers tests start on a port they name, and may start again on the same one:
 * etcd and kube-apiserver (test/support/kube-apiserver.ts; kube-apiserver is restarted mid-watch), `netfence serve`
 * started again at the page's address (test/ui/serve-connection.test.ts).
 *
 * They are picked below the kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range, 32768–60999 by
 * default). Every `listen(0)` and every outgoing connection of every process on the machine takes its port from
 * that range, so a port released there can be taken again at any moment by another test's connection, and the
 * server started on it again fails with "address already in use"; below the range, only a program that names the
 * port takes it. Elsewhere (no such file, or no room below the range) the kernel picks them, as `listen(0)` does.
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';

/** The lowest port picked: above the ports of well-known services. */
const LOWEST = 10_000;

/** The first port of the kernel's ephemeral range, when there is room below it. */
function ephemeralStart(): number | undefined {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(start);
    return Number.isInteger(port) && port - LOWEST >= 1000 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** Listens on `port` of 127.0.0.1 (0: one the kernel picks): the server, or undefined when the port is taken. */
function hold(port: number): Promise<net.Server | undefined> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(undefined) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * `n` distinct loopback ports, free when picked (all held open at once, then released). Released, one may still be
 * taken by a program that names it before the server binds it: kube-apiserver.ts then starts it again on others.
 */
export async function freePorts(n: number): Promise<number[]> {
  const start = ephemeralStart();
  const servers: net.Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < n) {
      const wanted = start === undefined ? 0 : LOWEST + Math.floor(Math.random() * (start - LOWEST));
      if (ports.includes(wanted)) continue;
      const server = await hold(wanted);
      if (server === undefined) continue;
      servers.push(server);
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
