/** `--listen HOST:PORT` of the commands that serve (`webhook`, `controller`). */
import { errorCode } from '../../base/error-code.ts';
import { UserError } from '../io.ts';

/** `127.0.0.1:8443`, `[::1]:8443`, `:8443` (every address). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port > 65535)
    throw new UserError(`--listen: expected host:port such as 127.0.0.1:8443, got "${text}"`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** A failure to listen on `--listen`'s address, as one line; any other error as it is. */
export function listenError(error: unknown, listen: { host: string; port: number }): unknown {
  const code = errorCode(error);
  if (code === 'EADDRINUSE') return new UserError(`--listen: port ${listen.port} is in use`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new UserError(`--listen: "${listen.host}" is not an address of this machine`);
  if (code === 'EACCES')
    return new UserError(`--listen: port ${listen.port} needs privileges: pick one above 1023`);
  return error;
}
