/**
 * The webhook's serving certificate: a mounted cert/key pair (cert-manager writes one into a Secret volume,
 * and swaps it on renewal: the files are polled and reloaded when they change), or a self-signed CA and
 * certificate made with Debian's `openssl` command for trying the webhook out. No hand-written ASN.1.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { errorCode } from '../base/error-code.ts';

const run = promisify(execFile);

export interface KeyPair {
  cert: string;
  key: string;
}

export interface SelfSigned extends KeyPair {
  /** The CA's certificate (PEM): the webhook configuration's `caBundle`, base64-encoded. */
  ca: string;
  /** The folder holding ca.crt, tls.crt and tls.key. */
  dir: string;
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** Whether the `openssl` command runs; the message says how to get it when not. */
export async function checkOpenssl(): Promise<string | undefined> {
  try {
    await run('openssl', ['version']);
    return undefined;
  } catch {
    return '--self-signed needs the openssl command: install it (apt-get install openssl), or give --tls-cert and --tls-key';
  }
}

/**
 * A CA and a serving certificate signed by it, valid for `names` (IP addresses and DNS names: the
 * subjectAltNames the API server checks), for `days` days, in a new folder under `dir` (default the temp
 * folder). ECDSA P-256 keys.
 */
export async function makeSelfSigned(
  names: readonly string[],
  options: { dir?: string; days?: number } = {},
): Promise<SelfSigned> {
  const dir = await mkdtemp(join(options.dir ?? tmpdir(), 'netfence-webhook-'));
  const days = String(options.days ?? 365);
  const f = (name: string): string => join(dir, name);
  const san = names.map((n) => (isIP(n) === 0 ? `DNS:${n}` : `IP:${n}`)).join(',');
  const cn = names[0] ?? 'netfence-webhook';
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...key,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    days,
    '-subj',
    '/CN=netfence webhook test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', ...key, '-keyout', f('tls.key'), '-out', f('tls.csr'), '-subj', `/CN=${cn}`]);
  await writeFile(
    f('ext.cnf'),
    `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('tls.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('tls.crt'),
    '-days',
    days,
    '-extfile',
    f('ext.cnf'),
  ]);
  const [cert, tlsKey, ca] = await Promise.all([
    readFile(f('tls.crt'), 'utf8'),
    readFile(f('tls.key'), 'utf8'),
    readFile(f('ca.crt'), 'utf8'),
  ]);
  return { cert, key: tlsKey, ca, dir, certFile: f('tls.crt'), keyFile: f('tls.key'), caFile: f('ca.crt') };
}

/**
 * A file an option names that cannot be read: its message is one line with the error's code (the reload log's);
 * the CLI says why in words from `option`, `file` and `cause`.
 */
export class UnreadableFile extends Error {
  readonly option: string;
  readonly file: string;
  constructor(option: string, file: string, cause: unknown) {
    super(`${option}: cannot read "${file}" (${errorCode(cause) ?? String(cause)})`, { cause });
    this.name = 'UnreadableFile';
    this.option = option;
    this.file = file;
  }
}

async function readOption(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UnreadableFile(option, file, error);
  }
}

/** Reads a cert/key pair; a one-line message when a file cannot be read. */
export async function readKeyPair(certFile: string, keyFile: string): Promise<KeyPair> {
  return { cert: await readOption(certFile, '--tls-cert'), key: await readOption(keyFile, '--tls-key') };
}

/** Reads the CA bundle that signs the callers' client certificates (PEM, one or more certificates). */
export async function readClientCa(file: string): Promise<string> {
  const text = await readOption(file, '--client-ca');
  try {
    new X509Certificate(text);
  } catch {
    throw new Error(
      `--client-ca: "${file}" holds no PEM certificate (expected -----BEGIN CERTIFICATE-----, the CA that signs the API server's client certificate)`,
    );
  }
  return text;
}

/**
 * Polls `files` (a Secret volume swaps a symlink, which file-system events miss) and calls `reload` with
 * what `load` reads when any of them changes. Returns the function that stops watching.
 */
export function watchFiles<T>(
  files: readonly string[],
  load: () => Promise<T>,
  reload: (value: T) => void,
  onError: (message: string) => void,
  intervalMs = 2000,
): () => void {
  // What each file is now, read before this returns: a file replaced at any time after the call is seen at the
  // next poll (Node's watchFile takes its first reading later, and a change before that reading was missed).
  const seen = new Map(files.map((f) => [f, fileVersion(f)]));
  let pending = false;
  const poll = (): void => {
    let changed = false;
    for (const file of files) {
      const now = fileVersion(file);
      if (now !== seen.get(file)) {
        seen.set(file, now);
        changed = true;
      }
    }
    if (!changed || pending) return;
    pending = true;
    // Files are written one after the other: read them once the last had time to land.
    setTimeout(() => {
      pending = false;
      load().then(reload, (error: unknown) =>
        onError(error instanceof Error ? error.message : String(error)),
      );
    }, 200).unref();
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** A file's identity and version as `stat` gives them through symlinks (`-` when it cannot be read). */
function fileVersion(file: string): string {
  try {
    const s = statSync(file);
    return `${s.dev}:${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return '-';
  }
}

/** Reloads the cert/key pair when either file changes (`watchFiles`). */
export function watchKeyPair(
  certFile: string,
  keyFile: string,
  reload: (pair: KeyPair) => void,
  onError: (message: string) => void,
  intervalMs = 2000,
): () => void {
  return watchFiles([certFile, keyFile], () => readKeyPair(certFile, keyFile), reload, onError, intervalMs);
}
