/**
 * The local HTTP server of `netfence serve` (node:http, no framework): the web app's files, a JSON API over
 * the current analysis, and server-sent events when the analysis changes.
 *
 * Security: it binds to loopback unless told otherwise, and then only answers requests whose Host header
 * names the loopback address (no DNS rebinding). Bound to another address it requires a random access
 * token on every request (in the URL once, then in an HttpOnly cookie). The API answers no request a browser
 * says comes from another page (Sec-Fetch-Site), and the what-if endpoint only accepts JSON from the same
 * origin, computes, and writes nothing anywhere (docs/security.md).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ModelJson, ReloadProblemJson } from '../contract/api.ts';
import { ApiError, type Analysis } from './analysis.ts';
import { CONTENT_TYPES, UI_FILES, type UiAssets, type UiFile } from './assets.ts';

export interface ServerOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Required on every request when set. */
  token?: string | undefined;
  assets: UiAssets;
  /** The analysis to answer from; replaced on reload with `session.update`. */
  session: Session;
}

export interface RunningServer {
  /** The URL to open, with the token when there is one. */
  url: string;
  host: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** A problem a reload ran into: the page shows it and keeps the last good analysis. */
export type ReloadProblem = ReloadProblemJson;

type Listener = (event: string, data: unknown) => void;

/** The current analysis, and who to tell when it changes. */
export class Session {
  #analysis: Analysis | undefined;
  #problem: ReloadProblem | undefined;
  readonly #listeners = new Set<Listener>();

  /**
   * No analysis yet (`serve --watch` started on an input that does not load): the API answers 503 with the
   * problem until the first `update`.
   */
  constructor(analysis: Analysis | undefined, problem?: ReloadProblem) {
    this.#analysis = analysis;
    this.#problem = problem;
  }

  get analysis(): Analysis | undefined {
    return this.#analysis;
  }

  /** The analysis' version, 0 before the first. */
  get version(): number {
    return this.#analysis?.version ?? 0;
  }

  get problem(): ReloadProblem | undefined {
    return this.#problem;
  }

  update(analysis: Analysis): void {
    if (analysis !== this.#analysis) this.#analysis?.close();
    this.#analysis = analysis;
    this.#problem = undefined;
    this.#emit('model', { version: analysis.version });
  }

  fail(problem: ReloadProblem): void {
    this.#problem = problem;
    this.#emit('problem', problem);
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: string, data: unknown): void {
    for (const l of this.#listeners) l(event, data);
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const MAX_BODY = 2 * 1024 * 1024;
const TOKEN_COOKIE = 'netfence_token';

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The values of the cookies named `name`. Cookies do not tell ports apart: another server on the same host
 * may have set one of that name too, so every one counts, and one that does not decode is left out (it is
 * not netfence's, whose cookie is encoded).
 */
function cookies(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      out.push(decodeURIComponent(v.join('=')));
    } catch {
      // malformed (%E0%A4%A): not netfence's cookie
    }
  }
  return out;
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  let payload = typeof body === 'string' ? Buffer.from(body) : body;
  const out: Record<string, string> = { ...SECURITY_HEADERS, 'Content-Type': type, ...headers };
  if (payload.length > 16_384 && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    payload = gzipSync(payload);
    out['Content-Encoding'] = 'gzip';
    out.Vary = 'Accept-Encoding';
  }
  out['Content-Length'] = String(payload.length);
  res.writeHead(status, out);
  res.end(req.method === 'HEAD' ? undefined : payload);
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  send(req, res, status, 'application/json; charset=utf-8', JSON.stringify(value), {
    'Cache-Control': 'no-store',
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError('request body too large (2 MB at most)', 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The URL of a request target; a malformed one is a 400. */
function requestUrl(target: string): URL {
  try {
    return new URL(target, 'http://localhost');
  } catch {
    throw new ApiError(`malformed request target: ${JSON.stringify(target.slice(0, 200))}`);
  }
}

/** The request handler. */
function handler(options: ServerOptions) {
  const { assets, session, token } = options;
  const host = options.host ?? '127.0.0.1';
  const loopbackOnly = token === undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let path = req.url ?? '/';
    try {
      // Inside the error handling: a target such as `//[/` makes URL throw, and is a 400, never a crash.
      const url = requestUrl(path);
      path = url.pathname;
      // Bound to loopback without a token: refuse names other than loopback (DNS rebinding).
      const hostHeader = req.headers.host ?? '';
      const hostName = hostHeader.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
      if (loopbackOnly && !isLoopback(hostName)) {
        send(req, res, 403, 'text/plain; charset=utf-8', `netfence serve answers on ${host} only\n`);
        return;
      }
      if (token !== undefined) {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const asked = url.searchParams.get('token') ?? bearer;
        const given = asked === undefined ? cookies(req, TOKEN_COOKIE) : [asked];
        if (!given.some((g) => sameToken(g, token))) {
          const message =
            'netfence serve needs its access token: open the URL it printed (ending in ?token=…)';
          if (path.startsWith('/api/')) sendJson(req, res, 401, { error: message });
          else send(req, res, 401, 'text/plain; charset=utf-8', `${message}\n`);
          return;
        }
      }
      if (
        req.method !== 'GET' &&
        req.method !== 'HEAD' &&
        !(req.method === 'POST' && path === '/api/whatif')
      ) {
        send(req, res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
        return;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204, SECURITY_HEADERS).end();
        return;
      }
      if (!path.startsWith('/api/')) {
        const name = (path === '/' ? 'index.html' : path.slice(1)) as UiFile;
        const body = (UI_FILES as readonly string[]).includes(name) ? assets.get(name) : undefined;
        if (body === undefined) {
          send(req, res, 404, 'text/plain; charset=utf-8', `no such page: ${path}\n`);
          return;
        }
        const headers: Record<string, string> = { 'Cache-Control': 'no-cache' };
        if (token !== undefined && name === 'index.html') {
          headers['Set-Cookie'] =
            `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
        }
        send(req, res, 200, CONTENT_TYPES[name], body, headers);
        return;
      }
      // A page of another site, or of another port of this host, can make the browser send requests here, though
      // it cannot read the answers: refuse them before anything is computed (an expensive question, a stream
      // held open). Browsers say where a request comes from in Sec-Fetch-Site; the app's own requests are
      // `same-origin`, one the user typed or bookmarked `none`; curl and scripts send none.
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none')
        throw new ApiError(`request from another site refused (Sec-Fetch-Site: ${site.slice(0, 40)})`, 403);
      if (path === '/api/events') {
        events(req, res, session);
        return;
      }
      const analysis = session.analysis;
      if (analysis === undefined) {
        // Started by --watch on an input that does not load: nothing to answer from until it does.
        throw new ApiError(
          `the input could not be loaded: ${session.problem?.message ?? 'unknown problem'}. ` +
            'netfence serve --watch analyses it as soon as it loads: fix it, and this page follows',
          503,
        );
      }
      const q = (name: string): string | null => url.searchParams.get(name);
      switch (path) {
        case '/api/model':
          sendJson(req, res, 200, {
            ...analysis.model(),
            problem: session.problem ?? null,
          } satisfies ModelJson);
          return;
        case '/api/connections':
          sendJson(req, res, 200, analysis.connections(q('namespace')));
          return;
        case '/api/explain':
          sendJson(req, res, 200, analysis.explain(q('from'), q('to'), q('port')));
          return;
        case '/api/workload':
          sendJson(req, res, 200, analysis.workload(q('id')));
          return;
        case '/api/lint':
          sendJson(req, res, 200, analysis.lint());
          return;
        case '/api/paths':
          sendJson(
            req,
            res,
            200,
            analysis.paths(url.searchParams.getAll('from'), url.searchParams.getAll('to'), q('maxHops')),
          );
          return;
        case '/api/flows':
          sendJson(req, res, 200, analysis.flows());
          return;
        case '/api/whatif': {
          if (req.method !== 'POST') throw new ApiError('POST the changes as JSON', 405);
          if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
            throw new ApiError('send the changes as Content-Type: application/json', 415);
          const origin = req.headers.origin;
          if (origin !== undefined && origin !== `http://${hostHeader}`)
            throw new ApiError(`cross-origin request from ${origin} refused`, 403);
          let body: unknown;
          try {
            body = JSON.parse(await readBody(req));
          } catch (error) {
            if (error instanceof ApiError) throw error;
            throw new ApiError('the request body is not JSON');
          }
          sendJson(req, res, 200, await analysis.whatIf(body));
          return;
        }
        default:
          throw new ApiError(`no such endpoint: ${path}`, 404);
      }
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ApiError) {
        sendJson(req, res, error.status, { error: error.message });
        return;
      }
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`netfence serve: internal error on ${req.method ?? ''} ${path}:\n${detail}\n`);
      sendJson(req, res, 500, {
        error: 'internal error in netfence (see the terminal running netfence serve)',
      });
    }
  };
}

/** `/api/events`: server-sent events, `model` when the analysis changes, `problem` when a reload fails. */
function events(req: IncomingMessage, res: ServerResponse, session: Session): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  const write = (event: string, data: unknown): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  res.write('retry: 2000\n\n');
  write('hello', { version: session.version });
  if (session.problem !== undefined) write('problem', session.problem);
  const unsubscribe = session.subscribe(write);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
  keepAlive.unref();
  const stop = (): void => {
    clearInterval(keepAlive);
    unsubscribe();
  };
  req.on('close', stop);
  res.on('error', stop);
}

/** Starts the server; resolves once it listens. Rejects with the listen error (port taken, address unknown). */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const handle = handler(options);
  // The handler answers every error itself; should answering fail too, the connection ends, never the process.
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/${options.token === undefined ? '' : `?token=${options.token}`}`;
  return {
    url,
    host,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
