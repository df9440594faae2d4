/** What `netfence rollback` tells its user: each step's outcome, the record as JSON, the list of records. */
import type { RestoreStep, RollbackRecord, StepKind } from '../apply/index.ts';
import type { RecordSummaryJson, RollbackStepJson } from '../contract/apply.ts';
import { table } from './table.ts';

export const ROLLBACK_DONE: Record<StepKind, string> = {
  delete: 'deleted',
  create: 're-created',
  replace: 'restored',
  skip: 'unchanged',
  blocked: 'blocked',
};

export const ROLLBACK_WOULD: Record<StepKind, string> = {
  delete: 'delete',
  create: 're-create',
  replace: 'restore',
  skip: 'leave',
  blocked: 'leave',
};

/** `  restored         shop/allow-web`, `  blocked          shop/x: changed since …` */
export function rollbackRow(what: string, id: string, detail?: string): string {
  return `  ${what.padEnd('would re-create'.length)}  ${id}${detail === undefined ? '' : `: ${detail}`}`;
}

export function recordSummary(record: RollbackRecord): RecordSummaryJson {
  return {
    id: record.id,
    createdAt: record.createdAt,
    context: record.context,
    server: record.server,
    status: record.status,
    objects: record.entries.length,
  };
}

export function restoreStepJson(
  step: RestoreStep,
  outcome: RollbackStepJson['outcome'],
  error: string | undefined,
): RollbackStepJson {
  return {
    id: step.entry.id,
    kind: step.entry.kind ?? 'NetworkPolicy',
    namespace: step.entry.namespace,
    name: step.entry.name,
    step: step.kind,
    reason: step.reason ?? null,
    outcome,
    error: error ?? null,
  };
}

/** `--list`: the records of the state folder, newest last, as a table. */
export function formatRecordList(records: readonly { record: RollbackRecord }[]): string {
  const rows = records.map((r) => [
    r.record.id,
    r.record.status,
    r.record.context,
    String(r.record.entries.length),
  ]);
  return table(['RECORD', 'STATUS', 'CONTEXT', 'OBJECTS'], rows);
}
