/**
 * Rollback records: before `apply` writes, it records the previous state of every object it will touch;
 * `rollback` restores them. The record is plain JSON (a file under `.netfence/rollback/`, and optionally
 * the ConfigMap `netfence-rollback`). Pure: building, checking and planning only.
 */
import { POLICY_KINDS, sameContent, type PolicyObject } from './objects.ts';
import type { ApplyPlan } from './plan.ts';

export const RECORD_SCHEMA_VERSION = 1;
export const RECORD_KIND = 'NetfenceRollbackRecord';

export const Outcome = {
  /**
   * Recorded before the write; still so if netfence stopped mid-way, or the write got no answer (a
   * timeout, a connection lost): rollback compares the live object with the one before.
   */
  Pending: 'pending',
  Applied: 'applied',
  Failed: 'failed',
  NotAttempted: 'not-attempted',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export interface RecordEntry {
  /** `namespace/name`; `Kind/name` for a cluster policy. */
  id: string;
  /**
   * The kind and apiVersion written (a cluster policy's: `ClusterNetworkPolicy`,
   * `policy.networking.k8s.io/v1beta1`; a Cilium policy's: `CiliumNetworkPolicy`, `cilium.io/v2`). Absent in records of NetworkPolicies (and in records written before
   * netfence deployed cluster policies): a NetworkPolicy.
   */
  kind?: PolicyObject['kind'];
  apiVersion?: string;
  /** Empty for a cluster-scoped policy. */
  namespace: string;
  name: string;
  action: 'create' | 'update' | 'delete';
  /** The object before the apply (labels, annotations, spec), or null when it did not exist. */
  before: PolicyObject | null;
  outcome: Outcome;
  /** The object as netfence's write left it (null for a delete, or until written). */
  after: PolicyObject | null;
  /** Its resourceVersion then. */
  resourceVersion: string | null;
  /** Why the write failed, for `failed`; for `pending`, why a write sent got no answer (it may have been done). */
  error?: string;
}

export const RecordStatus = {
  InProgress: 'in-progress',
  Complete: 'complete',
  Partial: 'partial',
  RolledBack: 'rolled-back',
} as const;
export type RecordStatus = (typeof RecordStatus)[keyof typeof RecordStatus];

export interface RollbackRecord {
  schemaVersion: typeof RECORD_SCHEMA_VERSION;
  kind: typeof RECORD_KIND;
  /** Also the file name: `2026-11-26T16-11-22.123Z`. */
  id: string;
  createdAt: string;
  context: string;
  server: string;
  status: RecordStatus;
  /** In the order the apply writes them. */
  entries: RecordEntry[];
}

/** A record id from a time: sortable, and a valid file name everywhere. */
export function recordIdOf(time: Date): string {
  return time.toISOString().replaceAll(':', '-');
}

/** The record of a plan, written before the first write: every entry pending. */
export function newRecord(
  plan: ApplyPlan,
  meta: { time: Date; context: string; server: string },
): RollbackRecord {
  const entries: RecordEntry[] = [];
  for (const phase of plan.phases) {
    for (const c of phase.changes) {
      if (c.action === 'unchanged') continue;
      const object = (c.desired ?? c.live)!;
      entries.push({
        id: c.id,
        ...(c.kind === 'NetworkPolicy' ? {} : { kind: c.kind, apiVersion: object.apiVersion }),
        namespace: c.namespace,
        name: c.name,
        action: c.action,
        before: c.live === undefined ? null : c.live,
        outcome: 'pending',
        after: null,
        resourceVersion: null,
      });
    }
  }
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    kind: RECORD_KIND,
    id: recordIdOf(meta.time),
    createdAt: meta.time.toISOString(),
    context: meta.context,
    server: meta.server,
    status: 'in-progress',
    entries,
  };
}

/** `complete` when every entry was applied, else `partial`. */
export function finish(record: RollbackRecord): RollbackRecord {
  const complete = record.entries.every((e) => e.outcome === 'applied');
  return { ...record, status: complete ? 'complete' : 'partial' };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kinds a record entry may name. */
const RECORD_KINDS: readonly string[] = POLICY_KINDS;

/** A record entry's kind and apiVersion: what names the object to read, restore or delete. */
export function entryRef(e: RecordEntry): {
  kind: PolicyObject['kind'];
  apiVersion: string;
  namespace: string;
  name: string;
} {
  return {
    kind: e.kind ?? 'NetworkPolicy',
    apiVersion: e.apiVersion ?? 'networking.k8s.io/v1',
    namespace: e.namespace,
    name: e.name,
  };
}

/** Reads a record, or says in one line what is wrong with it. */
export function parseRecord(
  text: string,
  where: string,
): { ok: true; record: RollbackRecord } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      error: `${where} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!isRecord(value) || value.kind !== RECORD_KIND)
    return { ok: false, error: `${where} is not a netfence rollback record (kind ${RECORD_KIND})` };
  if (value.schemaVersion !== RECORD_SCHEMA_VERSION)
    return {
      ok: false,
      error: `${where} has schemaVersion ${JSON.stringify(value.schemaVersion)}; this netfence reads ${RECORD_SCHEMA_VERSION}`,
    };
  if (!Array.isArray(value.entries) || typeof value.id !== 'string' || typeof value.context !== 'string')
    return { ok: false, error: `${where} is incomplete: it needs id, context and entries` };
  for (const [i, e] of value.entries.entries()) {
    if (
      !isRecord(e) ||
      typeof e.namespace !== 'string' ||
      typeof e.name !== 'string' ||
      !['create', 'update', 'delete'].includes(String(e.action)) ||
      !(e.before === null || isRecord(e.before))
    )
      return {
        ok: false,
        error: `${where}: entry ${i} is not an object record (namespace, name, action, before)`,
      };
    if (
      e.kind !== undefined &&
      (typeof e.kind !== 'string' || !RECORD_KINDS.includes(e.kind) || typeof e.apiVersion !== 'string')
    )
      return {
        ok: false,
        error: `${where}: entry ${i} has kind ${JSON.stringify(e.kind)} and apiVersion ${JSON.stringify(e.apiVersion)}: a record entry is of ${RECORD_KINDS.join(', ')}, with its apiVersion`,
      };
  }
  return { ok: true, record: value as unknown as RollbackRecord };
}

export const StepKind = {
  /** Delete what the apply created. */
  Delete: 'delete',
  /** Re-create what the apply deleted (or what someone deleted since). */
  Create: 'create',
  /** Put back the previous labels, annotations and spec. */
  Replace: 'replace',
  /** Already as before. */
  Skip: 'skip',
  /** Changed by someone else since netfence applied it: restored only with --force. */
  Blocked: 'blocked',
} as const;
export type StepKind = (typeof StepKind)[keyof typeof StepKind];

export interface RestoreStep {
  kind: StepKind;
  entry: RecordEntry;
  /** The object to restore (create, replace). */
  target: PolicyObject | undefined;
  /** The live object's resourceVersion: the precondition of the write (replace, delete). */
  resourceVersion: string | undefined;
  /** For skip and blocked: why. */
  reason?: string;
}

/**
 * How to undo a record, given the live objects now (undefined: absent): the entries in reverse order (the
 * last written is undone first, so a staged apply is undone deny first). Entries never applied are left
 * alone; an object changed since netfence wrote it is `blocked` unless `force`.
 */
export function rollbackSteps(
  record: RollbackRecord,
  live: ReadonlyMap<string, PolicyObject | undefined>,
  force: boolean,
): RestoreStep[] {
  const steps: RestoreStep[] = [];
  for (const entry of [...record.entries].reverse()) {
    const current = live.get(entry.id);
    const target = entry.before ?? undefined;
    const rv = current?.metadata.resourceVersion;
    const step = (kind: StepKind, reason?: string): RestoreStep => ({
      kind,
      entry,
      target,
      resourceVersion: rv,
      ...(reason === undefined ? {} : { reason }),
    });
    if (entry.outcome === 'failed' || entry.outcome === 'not-attempted') {
      steps.push(step('skip', `the apply did not change it (${entry.outcome})`));
      continue;
    }
    if (target === undefined ? current === undefined : sameContent(current, target)) {
      steps.push(step('skip', 'already as before'));
      continue;
    }
    if (!force && entry.outcome === 'applied') {
      // Changed since: not as netfence left it (content, not resourceVersion: re-applying the same content
      // elsewhere bumps the version without changing anything).
      const changed =
        entry.action === 'delete' ? current !== undefined : !sameContent(current, entry.after ?? undefined);
      if (changed) {
        const what = current === undefined ? 'deleted' : entry.action === 'delete' ? 're-created' : 'changed';
        steps.push(step('blocked', `${what} since netfence applied it; --force restores it anyway`));
        continue;
      }
    }
    if (target === undefined) steps.push(step('delete'));
    else if (current === undefined) steps.push(step('create'));
    else steps.push(step('replace'));
  }
  return steps;
}
