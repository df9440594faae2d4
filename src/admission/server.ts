/**
 * The webhook's HTTPS server: `POST /validate` answers AdmissionReviews from the cluster state held in
 * memory (never an API call per request), `GET /healthz` and `GET /readyz` (ready once the cluster has been
 * listed). Bad input is a 4xx answer and a log line, never a crash: a body over the limit is 413, one that is
 * not an AdmissionReview 400, a kind netfence does not judge 422. With `clientCa`, `/validate` answers only
 * a caller whose client certificate that CA signed (the API server's, configured by its admission
 * configuration): no certificate is 401, one the CA did not sign 403; the probes stay open (the kubelet
 * sends no certificate).
 */
import { createServer, type Server } from 'node:https';
import { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../k8s/types.ts';
import type { AdmissionRules, DecisionRecord } from './decide.ts';
import { LiveCluster } from './live.ts';
import { parseReview, reviewResponse } from './review.ts';
import type { KeyPair } from './tls.ts';

/** What the API server may send at most: an object and its old version, each up to etcd's 1.5 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The cluster the webhook answers from (a `ClusterWatch`, or fixed objects in tests). */
export interface ObjectSource {
  isReady(): boolean;
  /** Equal generations, equal objects. */
  generation(): number;
  objects(): readonly KubeObject[];
}

/** One line of the log: a JSON object. */
export type LogEntry = Record<string, unknown> & { msg: string };

export interface WebhookOptions {
  /** `127.0.0.1` */
  host: string;
  /** 0: a free port. */
  port: number;
  tls: KeyPair;
  /** The CA (PEM) that signs the callers' client certificates; `undefined`: any caller is answered. */
  clientCa?: string;
  rules: AdmissionRules;
  source: ObjectSource;
  log: (entry: LogEntry) => void;
  /** @default 4 MiB */
  maxBodyBytes?: number;
  /**
   * How often the held cluster catches up with the source between requests (so that a request seldom
   * waits for a rebuild), in ms; 0: only when a request comes. @default 1000
   */
  syncEveryMs?: number;
}

export interface RunningWebhook {
  /** `https://127.0.0.1:8443` */
  url: string;
  port: number;
  /** Replaces the serving certificate for new connections. */
  setKeyPair(pair: KeyPair): void;
  /** Replaces the callers' CA for new connections (only when started with `clientCa`). */
  setClientCa(ca: string): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? `${body}\n` : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The body, or `undefined` when it passed the limit (the rest is drained, not kept). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the server; resolves once it listens. */
export function startWebhook(options: WebhookOptions): Promise<RunningWebhook> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let held: { generation: number; cluster: LiveCluster } | undefined;
  const clusterNow = (): LiveCluster => {
    const generation = options.source.generation();
    if (held === undefined) {
      const started = performance.now();
      held = { generation, cluster: new LiveCluster(options.source.objects(), options.rules) };
      options.log({ msg: 'cluster built', ms: Math.round(performance.now() - started) });
    } else if (held.generation !== generation) {
      const started = performance.now();
      held.cluster.sync(options.source.objects());
      held.generation = generation;
      if (held.cluster.lastSync === 'rebuilt')
        options.log({ msg: 'cluster rebuilt', ms: Math.round(performance.now() - started) });
    }
    return held.cluster;
  };
  const syncEveryMs = options.syncEveryMs ?? 1000;
  const syncTimer =
    syncEveryMs > 0
      ? setInterval(() => {
          if (!options.source.isReady()) return;
          try {
            clusterNow();
          } catch (error) {
            options.log({
              msg: 'sync failed',
              error: error instanceof Error ? error.message : String(error),
            });
          }
        }, syncEveryMs)
      : undefined;
  syncTimer?.unref();

  const validate = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const body = await readBody(req, limit);
    if (body === undefined) {
      options.log({ msg: 'rejected', status: 413, reason: `body over ${limit} bytes` });
      send(res, 413, `the body is over ${limit} bytes`);
      return;
    }
    const parsed = parseReview(body);
    if (!parsed.ok) {
      options.log({
        msg: 'rejected',
        status: parsed.error.status,
        reason: parsed.error.message,
        uid: parsed.error.uid,
      });
      send(res, parsed.error.status, parsed.error.message);
      return;
    }
    const request = parsed.request;
    if (!options.source.isReady()) {
      // Not listed yet: an answer now would be a guess. 503 lets the API server apply failurePolicy.
      options.log({ msg: 'not ready', status: 503, uid: request.uid });
      send(res, 503, 'netfence has not read the cluster yet');
      return;
    }
    let record: DecisionRecord;
    let cluster: LiveCluster;
    try {
      cluster = clusterNow();
      record = cluster.decide(request);
    } catch (error) {
      options.log({
        msg: 'internal error',
        status: 500,
        uid: request.uid,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      send(res, 500, 'netfence could not evaluate this request (see its log)');
      return;
    }
    const name =
      request.namespace === undefined ? request.name : `${request.namespace}/${request.name ?? ''}`;
    options.log({
      msg: 'decision',
      uid: request.uid,
      kind: request.kind.kind,
      name,
      operation: request.operation,
      dryRun: request.dryRun,
      user: request.user,
      mode: options.rules.mode,
      allowed: record.verdict.allowed,
      violations: record.violations,
      warnings: record.warnings,
      opened: record.opened,
      cut: record.cut,
      ...(record.skipped === undefined ? {} : { skipped: record.skipped }),
      ...(cluster.lastPath === undefined ? {} : { computed: cluster.lastPath }),
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
    send(res, 200, reviewResponse(request.uid, record.verdict));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(res, 200, 'ok');
    if (path === '/readyz')
      return options.source.isReady() ? send(res, 200, 'ok') : send(res, 503, 'reading the cluster');
    if (path !== '/validate') return send(res, 404, `no ${path ?? ''}: the webhook answers POST /validate`);
    if (options.clientCa !== undefined) {
      const socket = req.socket;
      if (!(socket instanceof TLSSocket) || !socket.authorized) {
        const certificate = socket instanceof TLSSocket ? socket.getPeerX509Certificate() : undefined;
        const none = certificate === undefined;
        const cn = /(?:^|\n)CN=([^\n]*)/.exec(certificate?.subject ?? '')?.[1] ?? '';
        const reason = none
          ? 'no client certificate'
          : `client certificate "${cn}" not signed by --client-ca (${String((socket as TLSSocket).authorizationError)})`;
        options.log({ msg: 'caller rejected', reason, remote: req.socket.remoteAddress });
        return none
          ? send(res, 401, '/validate answers only the API server: a client certificate is required')
          : send(res, 403, `/validate answers only the API server: ${reason}`);
      }
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, '/validate takes POST');
    }
    validate(req, res).catch((error: unknown) => {
      options.log({ msg: 'request failed', error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) send(res, 400, 'the request could not be read');
      else res.destroy();
    });
  };

  let pair = options.tls;
  let clientCa = options.clientCa;
  const context = () =>
    ({
      cert: pair.cert,
      key: pair.key,
      minVersion: 'TLSv1.2',
      ...(clientCa === undefined ? {} : { ca: clientCa }),
    }) as const;
  const server: Server = createServer(
    {
      ...context(),
      // Asked for, checked per path (the probes have none): a missing or untrusted one is answered, not cut.
      ...(clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: false }),
    },
    handle,
  );
  /** New connections get the current pair and CA; a pair or CA that TLS refuses is undone and thrown. */
  const renew = (undo: () => void): void => {
    try {
      server.setSecureContext(context());
    } catch (error) {
      undo();
      throw error;
    }
  };
  // A client that stalls never holds a socket for long.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.on('tlsClientError', (error) => options.log({ msg: 'tls error', error: error.message }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `https://${host}:${port}`,
        port,
        setKeyPair: (next) => {
          const previous = pair;
          pair = next;
          renew(() => (pair = previous));
        },
        setClientCa: (next) => {
          if (clientCa === undefined) throw new Error('started without a client CA');
          const previous = clientCa;
          clientCa = next;
          renew(() => (clientCa = previous));
        },
        close: () =>
          new Promise<void>((done) => {
            if (syncTimer !== undefined) clearInterval(syncTimer);
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
