/**
 * A client certificate (clientAuth) signed by the CA of a `makeSelfSigned` folder, made with Debian's
 * openssl: what the API server presents to a webhook when its admission configuration names one.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KeyPair, SelfSigned } from '../../src/admission/tls.ts';

const run = promisify(execFile);

export async function makeClientCert(
  ca: SelfSigned,
  cn: string,
): Promise<KeyPair & { certFile: string; keyFile: string }> {
  const f = (name: string): string => join(ca.dir, `${cn}.${name}`);
  await run('openssl', [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    f('key'),
    '-out',
    f('csr'),
    '-subj',
    `/CN=${cn}`,
  ]);
  await writeFile(
    f('cnf'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('csr'),
    '-CA',
    ca.caFile,
    '-CAkey',
    join(ca.dir, 'ca.key'),
    '-CAcreateserial',
    '-out',
    f('crt'),
    '-days',
    '2',
    '-extfile',
    f('cnf'),
  ]);
  return {
    cert: await readFile(f('crt'), 'utf8'),
    key: await readFile(f('key'), 'utf8'),
    certFile: f('crt'),
    keyFile: f('key'),
  };
}
