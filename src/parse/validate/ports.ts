/** Port numbers, port names and protocols, shared by policies, containers and Services. */
import { PROTOCOLS } from '../../model/k8s.ts';
import type { Protocol } from '../../model/k8s.ts';
import type { FieldPath } from '../../model/problem.ts';
import { isPortName, portNameProblems, suggestPortName } from '../names.ts';
import { withSuggestion } from '../../base/suggest.ts';
import { asString } from './check.ts';
import type { JsonMap } from '../values.ts';
import type { Reporter } from './report.ts';

export function checkPortNumber(r: Reporter, path: FieldPath, port: number): boolean {
  if (port >= 1 && port <= 65535) return true;
  r.error('invalid-port', path, `must be between 1 and 65535, got ${port}`);
  return false;
}

/** IANA_SVC_NAME: at most 15 characters, lower-case letters, digits and '-', at least one letter. */
export function checkPortName(r: Reporter, path: FieldPath, name: string): boolean {
  if (isPortName(name)) return true; // (it has a letter)
  if (/^[0-9]+$/.test(name)) {
    r.error(
      'invalid-port-name',
      path,
      `${JSON.stringify(name)} is a string, so it is read as a port name, and a port name must contain a letter. Write the number without quotes: ${name}`,
    );
    return false;
  }
  const problems = portNameProblems(name);
  if (problems.length === 0) return true;
  r.error(
    'invalid-port-name',
    path,
    withSuggestion(
      `${JSON.stringify(name)} is not a valid port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with a letter): ${problems.join('; ')}`,
      suggestPortName(name),
    ),
  );
  return false;
}

/** `validateProtocol(r, [...path, 'protocol'], map.protocol)`, that path made only for a problem. */
export function protocolAt(r: Reporter, path: FieldPath, map: JsonMap): Protocol | undefined {
  const raw = map.protocol;
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'TCP' || raw === 'UDP' || raw === 'SCTP') return raw;
  return validateProtocol(r, [...path, 'protocol'], raw);
}

/** `checkPortNumber(r, [...path, key], port)`, that path made only for a problem. */
export function checkPortNumberAt(r: Reporter, path: FieldPath, key: string, port: number): boolean {
  return (port >= 1 && port <= 65535) || checkPortNumber(r, [...path, key], port);
}

/** `protocol`: TCP, UDP or SCTP, case-sensitive; undefined when absent (the API's default is TCP). */
export function validateProtocol(r: Reporter, path: FieldPath, raw: unknown): Protocol | undefined {
  const text = asString(r, path, raw);
  if (text === undefined) return undefined;
  if ((PROTOCOLS as readonly string[]).includes(text)) return text as Protocol;
  const upper = text.toUpperCase();
  if ((PROTOCOLS as readonly string[]).includes(upper)) {
    r.error(
      'invalid-protocol',
      path,
      `${JSON.stringify(text)} is not supported: protocols are case-sensitive. Did you mean "${upper}"?`,
    );
  } else {
    const icmp = upper.startsWith('ICMP') ? ' (NetworkPolicy cannot filter ICMP)' : '';
    r.error(
      'invalid-protocol',
      path,
      `${JSON.stringify(text)} is not supported${icmp}: use "TCP", "UDP" or "SCTP"`,
    );
  }
  return undefined;
}
