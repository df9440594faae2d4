/**
 * `netfence rollback`: restore the objects the last `netfence apply` touched, from its rollback record (a
 * local file, or the ConfigMap `netfence-rollback` with `--from-cluster`). Also the record store that
 * `apply` writes to.
 */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import {
  entryRef,
  parseRecord,
  rollbackSteps,
  type PolicyObject,
  type RestoreStep,
  type RollbackRecord,
} from '../../apply/index.ts';
import type * as K8sModule from '../../k8s/index.ts';
import type { Connection } from '../../k8s/index.ts';
import { plural } from '../../format/plural.ts';
import { stoppedBy, stoppedSummary } from '../../format/apply.ts';
import type { RecordListEntryJson, RollbackJson, RollbackStepJson } from '../../contract/apply.ts';
import {
  ROLLBACK_DONE,
  formatRecordList,
  rollbackRow,
  restoreStepJson,
  recordSummary,
  ROLLBACK_WOULD,
} from '../../format/rollback.ts';
import { addClusterOptions, connectWith, withCluster, type ClusterOptions } from '../options/cluster.ts';
import {
  DEFAULT_RECORD_NAMESPACE,
  DEFAULT_STATE_DIR,
  listRecords,
  RECORD_CONFIGMAP,
  RECORD_FOLDER,
  RECORD_KEY,
  saveRecord,
} from '../options/records.ts';
import { ExitCode, UserError, type Io } from '../io.ts';
import { onInterrupt } from '../interrupt.ts';

interface RollbackOptions extends ClusterOptions {
  stateDir: string;
  fromCluster?: boolean;
  recordNamespace: string;
  dryRun?: boolean;
  force?: boolean;
  list?: boolean;
  output: 'txt' | 'json';
}

async function loadRecord(
  options: RollbackOptions,
  io: Io,
  readConfigMap: () => Promise<Record<string, string> | undefined>,
): Promise<{ record: RollbackRecord; path: string | undefined }> {
  if (options.fromCluster === true) {
    const data = await readConfigMap();
    const text = data?.[RECORD_KEY];
    if (text === undefined)
      throw new UserError(
        `no rollback record in the cluster: ConfigMap ${options.recordNamespace}/${RECORD_CONFIGMAP} ${data === undefined ? 'does not exist' : `has no ${RECORD_KEY}`} (apply writes it with --record)`,
      );
    const parsed = parseRecord(text, `ConfigMap ${options.recordNamespace}/${RECORD_CONFIGMAP}`);
    if (!parsed.ok) throw new UserError(parsed.error);
    return { record: parsed.record, path: undefined };
  }
  const records = await listRecords(options.stateDir, io);
  const pending = records.filter((r) => r.record.status !== 'rolled-back');
  const last = pending[pending.length - 1];
  if (last === undefined) {
    const where = join(options.stateDir, RECORD_FOLDER);
    throw new UserError(
      records.length === 0
        ? `no rollback record in "${where}": netfence apply writes one there (give --state-dir if it ran elsewhere, or --from-cluster if it ran with --record)`
        : `every record in "${where}" has been rolled back already (${plural(records.length, 'record')})`,
    );
  }
  return { record: last.record, path: last.path };
}

export function rollbackCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('rollback')
    .description(
      'Restore the NetworkPolicies, cluster policies and Cilium policies the last `netfence apply` changed, as they were before it',
    )
    .option(
      '--dry-run',
      'show what would be restored, and have the API server check it (dryRun=All); change nothing',
    )
    .option('--force', 'also restore objects changed by someone else since the apply, and across servers')
    .option('--list', 'list the rollback records of the state folder, newest last')
    .option('--state-dir <dir>', 'the folder of rollback records (<dir>/rollback/)', DEFAULT_STATE_DIR)
    .option(
      '--from-cluster',
      `read the record from the ConfigMap ${RECORD_CONFIGMAP} (written by apply --record)`,
    )
    .option('--record-namespace <namespace>', 'the namespace of that ConfigMap', DEFAULT_RECORD_NAMESPACE)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['txt', 'json']).default('txt'));
  addClusterOptions(cmd, {
    cluster: 'restore on the live cluster of the kubeconfig (required)',
    allNamespaces: null,
  });
  cmd.addHelpText(
    'after',
    `
Each rollback undoes one apply, the most recent not yet rolled back: run it again to undo the one before.

Exit status: 0 restored (or nothing to restore), 1 refused (objects changed since the apply: see --force),
2 bad usage or an API error (the report says what was, was not and may have been restored), 130 Ctrl+C
during the restores (the first stops after the restore in flight, with the report; a second at once).

Examples:
  netfence rollback --cluster --dry-run
  netfence rollback --cluster
  netfence rollback --cluster --from-cluster --record-namespace netfence`,
  );
  cmd.action(async (options: RollbackOptions) => {
    if (options.list === true) {
      await listAll(options, io);
      setExit(ExitCode.Ok);
      return;
    }
    if (options.cluster !== true)
      throw new UserError('rollback writes to a live cluster: add --cluster (and --context if needed)');
    setExit(await withCluster((k8s) => rollback(k8s, options, io)));
  });
  return cmd;
}

function print(io: Io, output: 'txt' | 'json', lines: readonly string[], json: unknown): void {
  if (output === 'json') io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  else io.stdout(`${lines.join('\n')}\n`);
}

type K8s = typeof K8sModule;

/** `--list`: the records of the state folder, newest last. */
async function listAll(options: RollbackOptions, io: Io): Promise<void> {
  const records = await listRecords(options.stateDir, io);
  if (options.output === 'json') {
    io.stdout(
      `${JSON.stringify(
        records.map((r): RecordListEntryJson => ({ path: r.path, ...recordSummary(r.record) })),
        null,
        2,
      )}\n`,
    );
  } else if (records.length === 0) {
    io.stdout(`No rollback records in "${join(options.stateDir, RECORD_FOLDER)}".\n`);
  } else {
    io.stdout(formatRecordList(records));
  }
}

/** Restores the objects of the last record not yet rolled back, unless one changed since (without --force). */
async function rollback(k8s: K8s, options: RollbackOptions, io: Io): Promise<ExitCode> {
  const conn = connectWith(k8s, options, io);
  const { record, path } = await loadRecord(options, io, () =>
    k8s.readRecordConfigMap(conn, options.recordNamespace, RECORD_CONFIGMAP),
  );
  if (record.server !== conn.server && options.force !== true) {
    throw new UserError(
      `record ${record.id} is of ${record.server} (context "${record.context}"), but context "${conn.context}" is ${conn.server}: choose it with --context ${record.context}, or --force`,
    );
  }
  const live = new Map<string, PolicyObject | undefined>();
  for (const e of record.entries) live.set(e.id, await k8s.readObject(conn, entryRef(e)));
  const steps = rollbackSteps(record, live, options.force === true);
  const blocked = steps.filter((s) => s.kind === 'blocked');
  const json: RollbackJson = {
    schemaVersion: 1,
    record: recordSummary(record),
    file: path ?? null,
    dryRun: options.dryRun === true,
    steps: [],
    refused: null,
  };
  const lines: string[] = [
    `Rolling back ${record.id} (${plural(record.entries.length, 'object')}, ${record.status}) on context "${conn.context}" (${conn.server})${options.dryRun === true ? ' — dry run' : ''}`,
  ];
  if (blocked.length > 0) {
    const reason = `${plural(blocked.length, 'object')} changed since the apply; nothing was restored (--force restores ${blocked.length === 1 ? 'it' : 'them'} anyway)`;
    for (const s of blocked) lines.push(rollbackRow('blocked', s.entry.id, s.reason));
    json.refused = reason;
    json.steps = steps.map((s) => restoreStepJson(s, 'not-attempted', undefined));
    print(io, options.output, lines, json);
    io.stderr(`netfence: ${reason}\n`);
    return ExitCode.CheckFailed;
  }
  const signal = onInterrupt(io, 'restore');
  let ended: Restored;
  try {
    ended = await restore(k8s, conn, steps, options, lines, () => signal.interrupted());
  } finally {
    signal.dispose();
  }
  const { outcomes, failure, interrupted } = ended;
  json.steps = outcomes;
  const count = (o: RollbackStepJson['outcome']): number => outcomes.filter((s) => s.outcome === o).length;
  const restored = count('restored');
  // Once objects were restored, the report is printed whatever follows: a record that cannot be marked
  // rolled-back is said after it.
  let unsaved: string | undefined;
  if (failure === undefined && !interrupted && options.dryRun !== true) {
    const done: RollbackRecord = { ...record, status: 'rolled-back' };
    try {
      if (path !== undefined) await saveRecord(options.stateDir, done);
      else
        await k8s.writeRecordConfigMap(conn, options.recordNamespace, RECORD_CONFIGMAP, {
          [RECORD_KEY]: `${JSON.stringify(done, null, 2)}\n`,
        });
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      unsaved = error.message;
    }
    lines.push(
      restored === 0
        ? 'Nothing to restore: every object is as it was before the apply.'
        : `Restored ${plural(restored, 'object')} as they were before ${record.id}.`,
    );
  } else if (options.dryRun === true) {
    const counts = `${count('dry-run')} accepted, ${count('failed')} failed, ${count('not-attempted')} not attempted`;
    lines.push(
      failure === undefined && !interrupted
        ? 'Dry run: the API server accepted every restore; nothing was changed.'
        : `${stoppedBy(interrupted)} (dry run): ${counts}; nothing was changed.`,
    );
  } else {
    // Stopped: the record stays as it was (not rolled back); the next rollback compares each object with
    // the one before, so it restores what this one did not (and an unknown restore if it was not done).
    const counts = {
      done: restored,
      failed: count('failed'),
      unknown: count('unknown'),
      notAttempted: count('not-attempted'),
    };
    lines.push(
      `${stoppedSummary(counts, 'restored', interrupted)}. Record ${record.id} is not marked rolled-back: netfence rollback --cluster again restores the rest.`,
    );
  }
  print(io, options.output, lines, json);
  if (unsaved !== undefined) {
    io.stderr(
      `netfence: the rollback restored what the report says, but ${unsaved}; the record is not marked rolled-back (a rollback of it again finds every object as before)\n`,
    );
    return ExitCode.Usage;
  }
  if (failure !== undefined)
    io.stderr(
      `netfence: rollback stopped: ${failure}; ${plural(restored, 'object')} restored before it (run rollback again once it is fixed)\n`,
    );
  if (interrupted) return ExitCode.Interrupted;
  return failure === undefined ? ExitCode.Ok : ExitCode.Usage;
}

interface Restored {
  outcomes: RollbackStepJson[];
  /** Why the restores stopped (the line after the report), if one failed or got no answer. */
  failure: string | undefined;
  /** Stopped by Ctrl+C (after the restore in flight). */
  interrupted: boolean;
}

/**
 * Performs the steps in order (dry run with --dry-run), stopping at the first error or Ctrl+C
 * (`interrupted`); one line each.
 */
async function restore(
  k8s: K8s,
  conn: Connection,
  steps: readonly RestoreStep[],
  options: RollbackOptions,
  lines: string[],
  interrupted: () => boolean,
): Promise<Restored> {
  const outcomes: RollbackStepJson[] = [];
  let failure: string | undefined;
  // Whether Ctrl+C left a step not attempted (pressed during the last restore, it stops nothing).
  let stopped = false;
  for (const step of steps) {
    if (failure === undefined && interrupted()) stopped = true;
    if (failure !== undefined || stopped) {
      lines.push(rollbackRow('not attempted', step.entry.id));
      outcomes.push(restoreStepJson(step, 'not-attempted', undefined));
      continue;
    }
    if (step.kind === 'skip') {
      lines.push(rollbackRow('unchanged', step.entry.id, step.reason));
      outcomes.push(restoreStepJson(step, 'unchanged', undefined));
      continue;
    }
    const dryRun = options.dryRun === true;
    try {
      if (step.kind === 'delete')
        await k8s.deleteObject(conn, entryRef(step.entry), {
          dryRun,
          resourceVersion: step.resourceVersion,
          verb: 'roll back',
        });
      else if (step.kind === 'create') await k8s.createObject(conn, step.target!, { dryRun });
      else await k8s.replaceObject(conn, step.target!, step.resourceVersion!, { dryRun });
      lines.push(
        rollbackRow(dryRun ? `would ${ROLLBACK_WOULD[step.kind]}` : ROLLBACK_DONE[step.kind], step.entry.id),
      );
      outcomes.push(restoreStepJson(step, dryRun ? 'dry-run' : 'restored', undefined));
    } catch (error) {
      if (!(error instanceof k8s.ClusterError)) throw error;
      // Unknown (no answer): the object may have been restored; the record stays as it is, and the next
      // rollback compares the live object with the one before.
      const end = dryRun
        ? { outcome: 'failed' as const, row: error.detail, message: error.message }
        : k8s.writeOutcome(error, 'restored');
      failure = end.message;
      lines.push(rollbackRow(end.outcome, step.entry.id, end.row));
      outcomes.push(restoreStepJson(step, end.outcome, error.detail));
    }
  }
  return { outcomes, failure, interrupted: stopped };
}
