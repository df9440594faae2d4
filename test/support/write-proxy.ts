/**
 * A plain-HTTP proxy on 127.0.0.1 (port 0) in front of a test kube-apiserver, that decides what happens to
 * each write of a policy: forward it, drop its answer (the server has done it, the client never hears of
 * it), or hold it until a promise settles. With a kubeconfig of the admin that points at it.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ApiServer } from './kube-apiserver.ts';

/** What the proxy does with a real write (not a dry run): forward it, drop the answer, or hold it first. */
export type OnWrite = (index: number, req: IncomingMessage) => 'forward' | 'drop' | Promise<void>;

export interface WriteProxy {
  /** A kubeconfig of the admin, through the proxy (in the folder given). */
  kubeconfig: string;
  close(): Promise<void>;
}

/**
 * Writes are the requests other than GET on NetworkPolicies without dryRun (apply's PATCH and DELETE,
 * rollback's DELETE, PUT and POST), numbered from 0 in the order they come; with `dryRuns`, those with
 * dryRun instead.
 */
export async function startWriteProxy(
  api: ApiServer,
  folder: string,
  onWrite: OnWrite,
  options: { dryRuns?: boolean } = {},
): Promise<WriteProxy> {
  let writes = 0;
  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, drop: boolean): void => {
    const url = new URL(req.url ?? '/', api.url);
    const headers = { ...req.headers, host: url.host };
    const up = httpsRequest(
      url,
      { method: req.method, headers, ca: api.ca, rejectUnauthorized: api.tlsVerified },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          // The server has done the write; the client never hears of it.
          if (drop) req.socket.destroy();
          else res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks));
        });
      },
    );
    up.on('error', (e) => res.writeHead(502).end(String(e)));
    up.end(body);
  };
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '').split('?')[0]!;
      const write =
        req.method !== 'GET' &&
        /\/networkpolicies(\/|$)/.test(path) &&
        (options.dryRuns === true) === (req.url ?? '').includes('dryRun=');
      if (!write) return forward(req, body, res, false);
      const what = onWrite(writes++, req);
      if (what === 'forward' || what === 'drop') return forward(req, body, res, what === 'drop');
      void what.then(() => forward(req, body, res, false));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as AddressInfo).port;
  const kubeconfig = join(folder, `proxy-${port}.kubeconfig`);
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: proxy
  cluster:
    server: http://127.0.0.1:${port}
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: ${api.adminToken}
contexts:
- name: proxy
  context: {cluster: proxy, user: admin, namespace: default}
current-context: proxy
`,
  );
  return {
    kubeconfig,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
