/**
 * Errors from the API server and the network → one line naming the object, the reason and the fix.
 *
 *   cannot apply NetworkPolicy shop/allow-web: forbidden: user "netfence-reader" cannot patch
 *   networkpolicies in namespace "shop" (use a context with write access)
 */
import { errorCode } from '../base/error-code.ts';

/** A failure talking to the cluster, already phrased for the user (one line). */
export class ClusterError extends Error {
  /** HTTP status, when the API server answered. */
  readonly status: number | undefined;
  /** The Status reason (`Forbidden`, `Conflict`, `Invalid`, `NotFound`, `AlreadyExists`...). */
  readonly reason: string | undefined;
  /** The message without `cannot <verb> <object>: `, for reports that already name the object. */
  readonly detail: string;
  /** A 403 of the authorizer (RBAC): the same for every object of the kind, unlike an admission denial. */
  readonly unauthorized: boolean;
  constructor(
    message: string,
    status?: number,
    reason?: string,
    extra: { detail?: string; unauthorized?: boolean } = {},
  ) {
    super(message);
    this.name = 'ClusterError';
    this.status = status;
    this.reason = reason;
    this.detail = extra.detail ?? message;
    this.unauthorized = extra.unauthorized ?? false;
  }
}

/**
 * How a write that threw ends, for a report that says each object's outcome: `failed` when the API server
 * answered (it refused the write), `unknown` when no answer came (a timeout, a connection lost: the server
 * may have done it). `row`: the reason of the report's row; `message`: the line after the report. `done`:
 * what the write does (`applied`, `restored`).
 */
export function writeOutcome(
  error: ClusterError,
  done: string,
): { outcome: 'failed' | 'unknown'; row: string; message: string } {
  if (error.status !== undefined) return { outcome: 'failed', row: error.detail, message: error.message };
  return {
    outcome: 'unknown',
    row: `${error.detail} (may or may not have been ${done})`,
    message: `${error.message} (it may or may not have been ${done})`,
  };
}

/** What was being done, for the message: `apply NetworkPolicy shop/allow-web`, `list pods`. */
export interface Attempt {
  /** `apply`, `delete`, `read`, `list`, `create`, `restore`. */
  verb: string;
  /** `NetworkPolicy shop/allow-web`, `pods in namespace "shop"`, `pods in all namespaces`. */
  what: string;
}

/** Where the request went, for network errors and hints. */
export interface Target {
  server: string;
  context: string;
  /** The request timeout, in milliseconds. */
  timeoutMs: number;
}

/** The parts of a Kubernetes `Status` object netfence reads. */
export interface ApiStatus {
  code: number;
  reason: string | undefined;
  message: string | undefined;
  causes: { reason?: string; message?: string; field?: string }[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The Status of an `ApiException` (its body is the response text, or already parsed), if it is one. */
export function apiStatusOf(error: unknown): ApiStatus | undefined {
  if (!isRecord(error) || typeof error.code !== 'number' || !('body' in error)) return undefined;
  let body: unknown = error.body;
  if (typeof body === 'string') {
    const text = body.trim();
    try {
      body = JSON.parse(text);
    } catch {
      body = text === '' ? {} : { message: text };
    }
  }
  const status: ApiStatus = { code: error.code, reason: undefined, message: undefined, causes: [] };
  if (isRecord(body)) {
    if (typeof body.reason === 'string') status.reason = body.reason;
    if (typeof body.message === 'string') status.message = body.message;
    const details = body.details;
    if (isRecord(details) && Array.isArray(details.causes)) {
      status.causes = details.causes.filter(isRecord).map((c) => {
        const cause: ApiStatus['causes'][number] = {};
        if (typeof c.reason === 'string') cause.reason = c.reason;
        if (typeof c.message === 'string') cause.message = c.message;
        if (typeof c.field === 'string') cause.field = c.field;
        return cause;
      });
    }
  }
  if (status.reason === undefined && error.code === 401) status.reason = 'Unauthorized';
  return status;
}

/** `User "x" cannot patch resource "networkpolicies" in API group "…" in the namespace "shop"` → short. */
function forbiddenDetail(message: string | undefined): { text: string; resource: string } | undefined {
  if (message === undefined) return undefined;
  const m =
    /User "([^"]*)" cannot (\S+) resource "([^"]+)"(?: in API group "[^"]*")?(?: in the namespace "([^"]+)"| at the cluster scope)?/.exec(
      message,
    );
  if (m === null) return undefined;
  const [, user, verb, resource, namespace] = m;
  const where = namespace === undefined ? 'at the cluster scope' : `in namespace "${namespace}"`;
  return { text: `user "${user}" cannot ${verb} ${resource} ${where}`, resource: resource! };
}

/** The cluster policy tiers, whose writes deploy/rbac/netfence-deployer.yaml deliberately leaves out. */
const CLUSTER_POLICY_RESOURCES: ReadonlySet<string> = new Set([
  'clusternetworkpolicies',
  'adminnetworkpolicies',
  'baselineadminnetworkpolicies',
]);

/** `conflict with "kubectl-client-side-apply" using networking.k8s.io/v1` → `kubectl-client-side-apply`. */
function conflictManagers(status: ApiStatus): { fields: string[]; managers: string[] } {
  const fields: string[] = [];
  const managers = new Set<string>();
  for (const c of status.causes) {
    if (c.reason !== 'FieldManagerConflict') continue;
    if (c.field !== undefined) fields.push(c.field.replace(/^\./, ''));
    const m = /conflict with "([^"]+)"/.exec(c.message ?? '');
    if (m !== null) managers.add(m[1]!);
  }
  return { fields, managers: [...managers] };
}

/** `NetworkPolicy.networking.k8s.io "a" is invalid: spec.x: Invalid value: …` → `spec.x: Invalid value: …`. */
function invalidDetail(status: ApiStatus): string {
  const message = status.message ?? '';
  const at = message.indexOf(' is invalid: ');
  if (at >= 0) return message.slice(at + ' is invalid: '.length);
  const causes = status.causes.map((c) =>
    c.field === undefined ? c.message : `${c.field}: ${c.message ?? ''}`,
  );
  return causes.length > 0 ? causes.join('; ') : message;
}

/** The resources whose objects are policies netfence writes, as a ResourceQuota counts them. */
const POLICY_RESOURCES: ReadonlySet<string> = new Set([
  'networkpolicies',
  'ciliumnetworkpolicies',
  'ciliumclusterwidenetworkpolicies',
  ...CLUSTER_POLICY_RESOURCES,
]);

/**
 * What to do about an exceeded quota, naming what it limits (`…, limited: count/configmaps=0` → ConfigMaps):
 * the rollback record is a ConfigMap, and removing policies frees none of it.
 */
function quotaHint(text: string): string {
  const limited = /, limited: (.*)$/.exec(text)?.[1] ?? '';
  const names = limited
    .split(',')
    .map((item) => /^(?:count\/)?([a-z0-9-]+)/.exec(item.trim())?.[1])
    .filter((n): n is string => n !== undefined);
  if (names.length === 0) return 'raise the ResourceQuota';
  const what = names.map((n) =>
    POLICY_RESOURCES.has(n) ? 'policies' : n === 'configmaps' ? 'ConfigMaps' : n,
  );
  return `raise the ResourceQuota, or remove ${[...new Set(what)].join(', ')} no longer needed`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The connection was made, then lost before the answer: the request may have been done. */
const CONNECTION_RESET = 'the connection was reset';
const CONNECTION_CLOSED = 'the connection was closed before the answer came';

/** Network-level failures: refused, unknown host, TLS, timeout, a connection lost. */
function networkReason(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (isRecord(e) && !seen.has(e)) {
    seen.add(e);
    const name = typeof e.name === 'string' ? e.name : '';
    if (name === 'TimeoutError') return 'timeout';
    const code = errorCode(e);
    switch (code) {
      case 'ECONNREFUSED':
        return 'connection refused';
      case 'ECONNRESET':
        return CONNECTION_RESET;
      case 'UND_ERR_SOCKET':
        // (undici: the other side closed the connection, e.g. a proxy between, before the answer.)
        return CONNECTION_CLOSED;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return 'unknown host';
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return 'host unreachable';
      case 'ETIMEDOUT':
      case 'UND_ERR_CONNECT_TIMEOUT':
      case 'UND_ERR_HEADERS_TIMEOUT':
        return 'timeout';
      case 'CERT_HAS_EXPIRED':
        return 'its TLS certificate has expired';
      case 'ERR_TLS_CERT_ALTNAME_INVALID':
        return 'its TLS certificate is not valid for that address';
      default:
        if (code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))
          return `its TLS certificate is not trusted (${code}); check certificate-authority in the kubeconfig`;
    }
    // AggregateError (several addresses tried): the first one says it.
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      const inner = networkReason(e.errors[0]);
      if (inner !== undefined) return inner;
    }
    e = e.cause;
  }
  return undefined;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * One line for a failed request: the object and what was tried, the reason, and what to do.
 * Returns a `ClusterError` (never throws).
 */
export function describeError(error: unknown, attempt: Attempt, target: Target): ClusterError {
  if (error instanceof ClusterError) return error;
  const head = `cannot ${attempt.verb} ${attempt.what}`;
  const status = apiStatusOf(error);
  if (status !== undefined) {
    const reason = status.reason;
    const fail = (detail: string, unauthorized = false): ClusterError =>
      new ClusterError(`${head}: ${detail}`, status.code, reason, { detail, unauthorized });
    switch (status.code) {
      case 401:
        return fail(
          `the cluster at ${target.server} rejected the credentials of context "${target.context}" (401 Unauthorized): log in again or check the kubeconfig's user`,
        );
      case 403: {
        const quota = /exceeded quota: (.*)$/s.exec(status.message ?? '');
        if (quota !== null) {
          const text = oneLine(quota[1]!);
          return fail(`exceeded quota: ${text} (${quotaHint(text)})`);
        }
        const rbac = forbiddenDetail(status.message);
        if (rbac === undefined) return fail(`forbidden: ${oneLine(status.message ?? 'forbidden')}`);
        const reads =
          (attempt.verb === 'list' || attempt.verb === 'read') && !attempt.what.includes('ConfigMap');
        const fix = reads
          ? 'grant read access: deploy/rbac/netfence-readonly.yaml'
          : CLUSTER_POLICY_RESOURCES.has(rbac.resource)
            ? 'cluster policies need write access of their own, which deploy/rbac/netfence-deployer.yaml deliberately does not grant: use a context of the platform team, docs/commands/apply.md'
            : 'use a context with write access, e.g. deploy/rbac/netfence-deployer.yaml';
        return fail(`forbidden: ${rbac.text} (${fix})`, true);
      }
      case 404:
        return fail(`not found: ${oneLine(status.message ?? '')}`);
      case 409: {
        if (reason === 'AlreadyExists') return fail('it already exists (created by someone else meanwhile?)');
        const { fields, managers } = conflictManagers(status);
        if (fields.length > 0) {
          const owner =
            managers.length === 0 ? 'another field manager' : managers.map((m) => `"${m}"`).join(', ');
          return fail(
            `conflict: ${fields.join(', ')} ${fields.length === 1 ? 'is' : 'are'} owned by ${owner}; make the file agree with the live object, or take the fields over with --force-conflicts`,
          );
        }
        return fail(
          `conflict: ${oneLine(status.message ?? 'the object changed meanwhile')} (read it again and retry)`,
        );
      }
      case 422:
        return fail(`invalid: ${oneLine(invalidDetail(status))}`);
      default: {
        const text = oneLine(status.message ?? '');
        return fail(
          `the API server answered HTTP ${status.code}${reason === undefined ? '' : ` ${reason}`}${text === '' ? '' : `: ${text}`}`,
        );
      }
    }
  }
  const network = networkReason(error);
  const where = `the cluster at ${target.server} (context "${target.context}")`;
  const hint = 'is the context right? choose one with --context';
  if (network === 'timeout') {
    return new ClusterError(
      `${where} did not answer within ${seconds(target.timeoutMs)} when trying to ${attempt.verb} ${attempt.what} (${hint}, or raise --request-timeout)`,
    );
  }
  // The cluster was reached: no hint about the context, and the request named (a write may have been done).
  if (network === CONNECTION_RESET || network === CONNECTION_CLOSED)
    return new ClusterError(`${head}: ${network} (${where})`, undefined, undefined, {
      detail: `${network} (${where})`,
    });
  if (network !== undefined) return new ClusterError(`cannot reach ${where}: ${network} (${hint})`);
  const message = error instanceof Error ? error.message : String(error);
  return new ClusterError(`${head}: ${oneLine(message)} (${where})`);
}
