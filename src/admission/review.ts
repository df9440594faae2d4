/**
 * AdmissionReview v1 (admission.k8s.io/v1): the request the API server sends a validating webhook, checked
 * field by field (a malformed review is an answer, never a crash), and the response it expects.
 *
 * https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request
 */

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export const Operation = {
  Create: 'CREATE',
  Update: 'UPDATE',
  Delete: 'DELETE',
  Connect: 'CONNECT',
} as const;
export type Operation = (typeof Operation)[keyof typeof Operation];

/** The kinds the webhook judges, with the API groups each is served in. */
export const ADMITTED_KINDS = {
  NetworkPolicy: ['networking.k8s.io'],
  Namespace: [''],
  Pod: [''],
  Node: [''],
  ClusterNetworkPolicy: ['policy.networking.k8s.io'],
  AdminNetworkPolicy: ['policy.networking.k8s.io'],
  BaselineAdminNetworkPolicy: ['policy.networking.k8s.io'],
  CiliumNetworkPolicy: ['cilium.io'],
  CiliumClusterwideNetworkPolicy: ['cilium.io'],
} as const;
export type AdmittedKind = keyof typeof ADMITTED_KINDS;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The part of `request` the webhook reads. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind & { kind: AdmittedKind };
  operation: Operation;
  /** Absent for cluster-scoped objects. */
  namespace: string | undefined;
  /** Absent on a CREATE whose object has only `generateName`. */
  name: string | undefined;
  /** The object after the change (absent on DELETE). */
  object: Record<string, unknown> | undefined;
  /** The object before the change (UPDATE, DELETE). */
  oldObject: Record<string, unknown> | undefined;
  dryRun: boolean;
  /** `userInfo.username`, for the log. */
  user: string | undefined;
}

/** Why a body is not a review the webhook can answer: an HTTP status and one line. */
export interface ReviewError {
  status: 400 | 422;
  message: string;
  /** The request's uid, when it could be read (for the log). */
  uid?: string;
}

export type ReviewParse = { ok: true; request: AdmissionRequest } | { ok: false; error: ReviewError };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function quote(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const OPERATIONS: readonly string[] = Object.values(Operation);

/** Parses and checks a review's JSON text. */
export function parseReview(text: string): ReviewParse {
  const bad = (message: string, uid?: string): ReviewParse => ({
    ok: false,
    error: uid === undefined ? { status: 400, message } : { status: 400, message, uid },
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return bad(`the body is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(body)) return bad(`expected an AdmissionReview object, got ${quote(body)}`);
  if (body.apiVersion !== ADMISSION_API_VERSION || body.kind !== 'AdmissionReview')
    return bad(
      `expected apiVersion "${ADMISSION_API_VERSION}" and kind "AdmissionReview", got ${quote(body.apiVersion)} and ${quote(body.kind)} (set admissionReviewVersions: ["v1"] in the webhook configuration)`,
    );
  const r = body.request;
  if (!isRecord(r)) return bad('request: missing (an AdmissionReview sent to a webhook has one)');
  if (typeof r.uid !== 'string' || r.uid === '')
    return bad(`request.uid: expected a string, got ${quote(r.uid)}`);
  const uid = r.uid;
  const k = r.kind;
  if (
    !isRecord(k) ||
    typeof k.kind !== 'string' ||
    typeof k.version !== 'string' ||
    typeof k.group !== 'string'
  )
    return bad(`request.kind: expected {group, version, kind}, got ${quote(k)}`, uid);
  if (typeof r.operation !== 'string' || !OPERATIONS.includes(r.operation))
    return bad(`request.operation: expected one of ${OPERATIONS.join(', ')}, got ${quote(r.operation)}`, uid);
  const optionalString = (v: unknown): string | undefined | false =>
    v === undefined || v === null || v === '' ? undefined : typeof v === 'string' ? v : false;
  const namespace = optionalString(r.namespace);
  const name = optionalString(r.name);
  if (namespace === false) return bad(`request.namespace: expected a string, got ${quote(r.namespace)}`, uid);
  if (name === false) return bad(`request.name: expected a string, got ${quote(r.name)}`, uid);
  const optionalObject = (v: unknown): Record<string, unknown> | undefined | false =>
    v === undefined || v === null ? undefined : isRecord(v) ? v : false;
  const object = optionalObject(r.object);
  const oldObject = optionalObject(r.oldObject);
  if (object === false) return bad(`request.object: expected an object, got ${quote(r.object)}`, uid);
  if (oldObject === false)
    return bad(`request.oldObject: expected an object, got ${quote(r.oldObject)}`, uid);
  if (r.dryRun !== undefined && r.dryRun !== null && typeof r.dryRun !== 'boolean')
    return bad(`request.dryRun: expected true or false, got ${quote(r.dryRun)}`, uid);
  const operation = r.operation as Operation;
  if (operation !== 'DELETE' && operation !== 'CONNECT' && object === undefined)
    return bad(`request.object: missing on ${operation}`, uid);
  if (operation === 'UPDATE' && oldObject === undefined)
    return bad('request.oldObject: missing on UPDATE', uid);
  if (operation === 'DELETE' && oldObject === undefined)
    return bad('request.oldObject: missing on DELETE (the API server sends it since Kubernetes 1.15)', uid);
  const groups = (ADMITTED_KINDS as Record<string, readonly string[] | undefined>)[k.kind];
  if (groups === undefined || !groups.includes(k.group)) {
    const known = Object.keys(ADMITTED_KINDS).join(', ');
    return {
      ok: false,
      error: {
        status: 422,
        uid,
        message: `netfence does not judge ${k.group === '' ? '' : `${k.group}/`}${k.kind} (it judges ${known}): remove it from the rules of the ValidatingWebhookConfiguration`,
      },
    };
  }
  const user =
    isRecord(r.userInfo) && typeof r.userInfo.username === 'string' ? r.userInfo.username : undefined;
  return {
    ok: true,
    request: {
      uid,
      kind: { group: k.group, version: k.version, kind: k.kind as AdmittedKind },
      operation,
      namespace,
      name,
      object,
      oldObject,
      dryRun: r.dryRun === true,
      user,
    },
  };
}

/** What the webhook answers one request. */
export interface AdmissionVerdict {
  allowed: boolean;
  /** With a denial: why, shown by kubectl as the error. */
  message?: string;
  /** Admission warnings (kubectl prints each as `Warning: …`). */
  warnings?: readonly string[];
}

/**
 * The AdmissionReview response. The API server limits warnings (each to 120 characters is advised, longer
 * ones are kept but may be cut by clients): they are sent as given.
 */
export function reviewResponse(uid: string, verdict: AdmissionVerdict): Record<string, unknown> {
  const response: Record<string, unknown> = { uid, allowed: verdict.allowed };
  if (!verdict.allowed)
    response.status = { code: 403, reason: 'Forbidden', message: verdict.message ?? 'denied by netfence' };
  if (verdict.warnings !== undefined && verdict.warnings.length > 0)
    response.warnings = [...verdict.warnings];
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}
