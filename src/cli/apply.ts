/**
 * `netfence apply`: deploy NetworkPolicies to a live cluster safely. Validation first (files, then the API
 * server's dry run of every object), the connectivity change computed before anything is written,
 * observed traffic protected (`--flows`), a staged order that never cuts an allowed connection, server-side
 * apply with field manager `netfence`, pruning only what netfence manages, and a rollback record.
 */
import { Command, Option } from 'commander';
import {
  breakingFlows,
  connectivityChange,
  finish,
  newRecord,
  phaseStates,
  planApply,
  policyId,
  pruneCandidates,
  renderPolicy,
  transientCuts,
  unifiedDiff,
  withManagedBy,
  type ApplyPlan,
  type BreakingFlow,
  type Change,
  type DesiredPolicy,
  type Phase,
  type RecordEntry,
  type RollbackRecord,
  type TransientCut,
} from '../apply/index.ts';
import type { ClusterDiff } from '../engine/diff.ts';
import { formatPorts, portsToJson } from '../engine/ports.ts';
import type { FlowEnd } from '../flows/types.ts';
import { readFlows } from '../flows/index.ts';
import { connectionSummary, diffToJson, formatDiffText, policySummary } from '../format/diff.ts';
import { plural } from '../format/plural.ts';
import type * as K8sModule from '../k8s/index.ts';
import type { KubeObject, ReadScope } from '../k8s/index.ts';
import type { PolicyInfo } from '../model/cluster.ts';
import type { NetworkPolicy } from '../model/k8s.ts';
import { formatProblem } from '../model/problem.ts';
import { describeIgnored, loadManifests } from '../parse/index.ts';
import {
  addClusterOptions,
  connectWith,
  progressPrinter,
  withCluster,
  type ClusterStateOptions,
} from './cluster-options.ts';
import { parseBoolean } from './input.ts';
import { ExitCode, UserError, type Io } from './io.ts';
import {
  DEFAULT_RECORD_NAMESPACE,
  DEFAULT_STATE_DIR,
  RECORD_CONFIGMAP,
  RECORD_KEY,
  saveRecord,
} from './rollback.ts';

interface ApplyOptions extends ClusterStateOptions {
  dryRun?: boolean;
  diff?: boolean;
  staged?: boolean;
  prune?: boolean;
  forceConflicts?: boolean;
  flows?: string[];
  acceptBreaking?: boolean;
  record?: boolean;
  recordNamespace: string;
  stateDir: string;
  ipblockMatchesPods: boolean;
  output: 'txt' | 'json';
}

export const APPLY_JSON_SCHEMA_VERSION = 1;

const DONE: Record<Change['action'], string> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  unchanged: 'unchanged',
};

/** The wire form of a policy read from a file: what is sent, with the managed-by label. */
function desiredOf(p: PolicyInfo): NetworkPolicy {
  const metadata: NetworkPolicy['metadata'] = { name: p.name, namespace: p.namespace };
  if (Object.keys(p.labels).length > 0) metadata.labels = { ...p.labels };
  if (Object.keys(p.annotations).length > 0) metadata.annotations = { ...p.annotations };
  return withManagedBy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: p.spec });
}

/** Reads and validates the policy files: invalid input never reaches the server. */
async function readDesired(
  paths: readonly string[],
  defaultNamespace: string,
  io: Io,
): Promise<NetworkPolicy[]> {
  if (paths.length === 0)
    throw new UserError(
      'no input: give the NetworkPolicy files or folders to apply, or - to read standard input',
    );
  const result = await loadManifests([...paths], {
    defaultNamespace,
    skipInvalid: false,
    readStdin: () => io.readStdin(),
  });
  for (const w of result.warnings) io.stderr(`${formatProblem(w)}\n`);
  if (result.errors.length > 0) {
    for (const e of result.errors) io.stderr(`${formatProblem(e)}\n`);
    const n = result.errors.length;
    throw new UserError(
      `${plural(n, 'error')} in the input: nothing was sent to the cluster; fix ${n === 1 ? 'it' : 'them'} first`,
    );
  }
  const s = result.state;
  const others = [
    [s.namespaces.filter((n) => !n.implicit).length, 'Namespace'],
    [s.workloads.length, 'workload'],
    [s.services.length, 'Service'],
  ] as const;
  const left = others.filter(([n]) => n > 0).map(([n, what]) => plural(n, what));
  const ignored = describeIgnored(result.ignored);
  if (left.length > 0 || ignored !== undefined) {
    const what = left.length > 0 ? `left out ${left.join(', ')}` : '';
    io.stderr(
      `apply deploys NetworkPolicies only: ${[what, ignored?.replace(/\.$/, '').toLowerCase()].filter((x) => x !== undefined && x !== '').join('; ')}.\n`,
    );
  }
  if (s.policies.length === 0)
    throw new UserError(`no NetworkPolicies in ${paths.map((p) => `"${p}"`).join(', ')}: nothing to apply`);
  return s.policies.map(desiredOf);
}

function endName(e: FlowEnd): string {
  if (e.kind === 'external') return e.ip;
  const [ns, , name] = e.id.split('/');
  return `${ns ?? ''}/${name ?? e.id}`;
}

function flowLine(b: BreakingFlow, phases: readonly Phase[], final: number): string {
  const c = b.connection;
  const when =
    b.afterPhase === final
      ? 'after the apply'
      : `after phase ${b.afterPhase} (${phases[b.afterPhase - 1]?.title ?? ''})`;
  const by = b.policies.length > 0 ? ` by ${b.policies.join(', ')}` : '';
  return `${endName(c.src)} → ${endName(c.dst)} ${c.protocol} ${c.port} (seen ${c.count.toLocaleString('en-US')}×): denied at ${b.blockedAt.join(' and ')} ${when}${by}`;
}

function cutLine(c: TransientCut, phases: readonly Phase[]): string {
  return `${c.src} → ${c.dst} ${formatPorts(c.ports)}: cut after phase ${c.afterPhase} (${phases[c.afterPhase - 1]?.title ?? ''}), allowed again at the end`;
}

interface Outcome {
  outcome: 'applied' | 'failed' | 'not-attempted' | 'dry-run' | 'unchanged';
  error?: string;
}

/** Reads the live cluster for the impact: every namespace, or (when that is forbidden) the ones touched. */
async function readLive(
  k8s: typeof K8sModule,
  conn: ReturnType<typeof connectWith>,
  namespaces: readonly string[],
  io: Io,
): Promise<{ objects: KubeObject[]; policies: NetworkPolicy[]; scope: ReadScope | 'touched' }> {
  const progress = progressPrinter(io);
  try {
    const read = await k8s.readCluster(conn, {
      scope: { kind: 'all' },
      fullPolicies: true,
      onProgress: progress.update,
    });
    for (const w of read.warnings) io.stderr(`${w}\n`);
    return { objects: read.objects, policies: read.fullPolicies, scope: { kind: 'all' } };
  } catch (error) {
    if (!(error instanceof k8s.ClusterError) || !error.unauthorized) throw error;
    io.stderr(
      `warning: ${error.message.replace(/ \(grant read access.*\)$/, '')}: the connectivity change covers namespaces ${namespaces.map((n) => `"${n}"`).join(', ')} only\n`,
    );
  } finally {
    progress.done();
  }
  const objects: KubeObject[] = [];
  const policies: NetworkPolicy[] = [];
  for (const namespace of namespaces) {
    const read = await k8s.readCluster(conn, { scope: { kind: 'namespace', namespace }, fullPolicies: true });
    for (const w of read.warnings) io.stderr(`${w}\n`);
    objects.push(...read.objects);
    policies.push(...read.fullPolicies);
  }
  return { objects, policies, scope: 'touched' };
}

export function applyCommand(io: Io, setExit: (code: number) => void): Command {
  const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
  const cmd = new Command('apply')
    .description(
      'Deploy NetworkPolicies to a live cluster with server-side apply, after checking what they change (and break)',
    )
    .argument('[paths...]', 'NetworkPolicy files or folders (YAML or JSON), or - for standard input')
    .option('--dry-run', 'have the API server validate and default every object (dryRun=All); change nothing')
    .option('--diff', 'show each object live vs as it will be stored, and the connectivity change in full')
    .option(
      '--staged',
      'apply allow policies first, then default-deny policies, then prune: never cut an allowed connection',
    )
    .option(
      '--prune',
      'delete policies labelled app.kubernetes.io/managed-by=netfence that the files no longer have (in their namespaces; -A: everywhere)',
    )
    .option(
      '--force-conflicts',
      'take over fields another field manager owns instead of failing with a conflict',
    )
    .option(
      '--flows <file>',
      'observed traffic (Hubble JSON, CSV, JSON Lines; repeatable): refuse to deny any of it',
      collect,
    )
    .option(
      '--accept-breaking',
      'apply even when observed traffic would be denied or a connection cut between phases',
    )
    .option(
      '--record',
      `also store the rollback record in the ConfigMap ${RECORD_CONFIGMAP} (see --record-namespace)`,
    )
    .option(
      '--record-namespace <namespace>',
      `the namespace of the ${RECORD_CONFIGMAP} ConfigMap`,
      DEFAULT_RECORD_NAMESPACE,
    )
    .option('--state-dir <dir>', 'the folder of rollback records (<dir>/rollback/)', DEFAULT_STATE_DIR)
    .addOption(
      new Option('-n, --namespace <namespace>', 'namespace of policies that name none').default(
        'default',
        "the context's namespace",
      ),
    )
    .addOption(
      new Option(
        '--ipblock-matches-pods <bool>',
        'whether ipBlock peers also match pods by their IPs, for the impact',
      )
        .default(true)
        .argParser(parseBoolean),
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['txt', 'json']).default('txt'));
  addClusterOptions(cmd, {
    cluster: 'deploy to the live cluster of the kubeconfig (required)',
    allNamespaces: 'with --prune: prune in every namespace, not only those of the files',
  });
  cmd.addHelpText(
    'after',
    `
Nothing is written until every object passed the API server's dry run and the safety checks. Every write is
a server-side apply by the field manager "netfence"; each run leaves a rollback record that
\`netfence rollback --cluster\` restores.

Exit status: 0 applied (or nothing to do, or a dry run that passed), 1 refused: observed traffic would be
denied or a connection cut between phases (--accept-breaking), 2 invalid input or an API error (the report
says exactly what was and was not applied).

Examples:
  netfence apply examples/webshop/policies --cluster --dry-run --diff
  netfence apply examples/webshop/policies --cluster --staged --flows hubble.jsonl
  netfence apply policies/ --cluster --context prod --staged --prune --record`,
  );
  cmd.action(async (paths: string[], options: ApplyOptions) => {
    if (options.cluster !== true)
      throw new UserError(
        'apply writes to a live cluster: add --cluster (and --context if needed); --dry-run changes nothing',
      );
    const code = await withCluster(async (k8s) => {
      const conn = connectWith(k8s, options, io);
      const defaultNamespace =
        options.namespaceGiven === true ? options.namespace : (conn.namespace ?? 'default');
      const desired = await readDesired(paths, defaultNamespace, io);
      const namespaces = [...new Set(desired.map((d) => d.metadata.namespace!))].sort();
      const live = await readLive(k8s, conn, namespaces, io);
      const liveState = k8s.stateFromObjects(live.objects).state;

      // Prune candidates: only what netfence manages, in scope.
      const prune =
        options.prune === true
          ? pruneCandidates(
              live.policies,
              new Set(desired.map(policyId)),
              options.allNamespaces === true ? { kind: 'all' } : { kind: 'namespaces', namespaces },
            )
          : [];

      // The API server checks every object first: nothing is written unless all pass.
      const checked: DesiredPolicy[] = [];
      const refusals: string[] = [];
      const check = async (run: () => Promise<void>): Promise<boolean> => {
        try {
          await run();
          return true;
        } catch (error) {
          if (!(error instanceof k8s.ClusterError) || error.status === undefined) throw error;
          refusals.push(error.message);
          // Unauthorized once is unauthorized for all: no need to ask again for each object.
          return !error.unauthorized;
        }
      };
      for (const np of desired) {
        const go = await check(async () => {
          const result = await k8s.applyPolicy(conn, np, {
            dryRun: true,
            force: options.forceConflicts === true,
          });
          checked.push({ desired: np, result });
        });
        if (!go) break;
      }
      for (const np of refusals.length > 0 ? [] : prune) {
        const go = await check(() =>
          k8s.deletePolicy(conn, np.metadata.namespace!, np.metadata.name!, { dryRun: true, verb: 'prune' }),
        );
        if (!go) break;
      }
      if (refusals.length > 0) {
        const shown = 5;
        for (const r of refusals.slice(0, Math.min(shown, refusals.length - 1)))
          io.stderr(`netfence: ${r}\n`);
        if (refusals.length - 1 > shown) io.stderr(`netfence: … and ${refusals.length - 1 - shown} more\n`);
        const total = desired.length + prune.length;
        const last = refusals[refusals.length - 1]!;
        throw new UserError(
          refusals.length === 1
            ? `${last}; nothing was changed`
            : `${last} (the API server refused ${refusals.length} of ${plural(total, 'object')} in a dry run: nothing was changed)`,
        );
      }

      const plan = planApply({
        desired: checked,
        live: live.policies,
        prune,
        staged: options.staged === true,
      });
      const states = phaseStates(liveState, plan);
      const final = states[states.length - 1]!;
      const impact = { ipBlockMatchesPods: options.ipblockMatchesPods };
      const change = connectivityChange(liveState, final, impact);
      const cuts = options.staged === true ? transientCuts(states, impact) : [];
      let breaking: BreakingFlow[] = [];
      const flows = options.flows ?? [];
      if (flows.length > 0) {
        const observed = await readFlows(flows, liveState, { readStdin: () => io.readStdin() });
        if (observed.errors.length > 0) throw new UserError(observed.errors.map((e) => e.message).join('; '));
        breaking = breakingFlows(states, observed.connections, impact);
      }

      const report = new Report(io, options, conn, plan, change, live.scope);
      report.plan(cuts, breaking, flows.length > 0);
      if ((cuts.length > 0 || breaking.length > 0) && options.acceptBreaking !== true) {
        const what = [
          breaking.length > 0 ? `deny ${plural(breaking.length, 'observed connection')}` : '',
          cuts.length > 0 ? `cut ${plural(cuts.length, 'allowed connection')} between phases` : '',
        ].filter((x) => x !== '');
        const reason = `refused: this apply would ${what.join(' and ')}; nothing was changed (fix the policies, or --accept-breaking)`;
        report.finish({ refused: reason });
        io.stderr(`netfence: ${reason}\n`);
        return ExitCode.CheckFailed;
      }
      const writes = plan.phases.reduce((n, p) => n + p.changes.length, 0);
      if (options.dryRun === true) {
        report.finish({ dryRun: true });
        return ExitCode.Ok;
      }
      if (writes === 0) {
        report.finish({});
        return ExitCode.Ok;
      }

      // The record first: if netfence stops mid-way, it still knows what to restore.
      let record: RollbackRecord = newRecord(plan, {
        time: new Date(),
        context: conn.context,
        server: conn.server,
      });
      const saveAll = async (r: RollbackRecord): Promise<string> => {
        const path = await saveRecord(options.stateDir, r);
        if (options.record === true)
          await k8s.writeRecordConfigMap(conn, options.recordNamespace, RECORD_CONFIGMAP, {
            [RECORD_KEY]: `${JSON.stringify(r, null, 2)}\n`,
          });
        return path;
      };
      const recordPath = await saveAll(record);

      const outcomes = new Map<string, Outcome>();
      let failed: string | undefined;
      const entries = new Map(record.entries.map((e) => [e.id, e]));
      report.startExecution();
      for (const [i, phase] of plan.phases.entries()) {
        report.phase(i, phase, failed !== undefined);
        for (const c of phase.changes) {
          const entry: RecordEntry = entries.get(c.id)!;
          if (failed !== undefined) {
            outcomes.set(c.id, { outcome: 'not-attempted' });
            entry.outcome = 'not-attempted';
            report.outcome(c, 'not attempted');
            continue;
          }
          try {
            if (c.action === 'delete') {
              await k8s.deletePolicy(conn, c.namespace, c.name, {
                dryRun: false,
                resourceVersion: c.live?.metadata.resourceVersion,
                verb: 'prune',
              });
              entry.resourceVersion = null;
            } else {
              const stored = await k8s.applyPolicy(conn, c.desired!, {
                dryRun: false,
                force: options.forceConflicts === true,
              });
              entry.after = stored;
              entry.resourceVersion = stored.metadata.resourceVersion ?? null;
            }
            entry.outcome = 'applied';
            outcomes.set(c.id, { outcome: 'applied' });
            report.outcome(c, DONE[c.action]);
          } catch (error) {
            if (!(error instanceof k8s.ClusterError)) throw error;
            failed = error.message;
            entry.outcome = 'failed';
            entry.error = error.detail;
            outcomes.set(c.id, { outcome: 'failed', error: error.detail });
            report.outcome(c, 'failed', error.detail);
          }
        }
      }
      record = finish({ ...record, entries: record.entries });
      await saveAll(record);
      report.finish({ outcomes, recordPath, failed });
      if (failed !== undefined) {
        io.stderr(`netfence: ${failed}\n`);
        return ExitCode.Usage;
      }
      return ExitCode.Ok;
    });
    setExit(code);
  });
  return cmd;
}

/**
 * The apply report: the plan, the impact, then each phase's outcomes. Text is written as it happens (a
 * long rollout shows its progress); JSON once, at the end.
 */
class Report {
  private readonly lines: string[] = [];
  private written = 0;
  private readonly json: Record<string, unknown>;
  private readonly io: Io;
  private readonly options: ApplyOptions;
  private readonly planned: ApplyPlan;
  private readonly change: ClusterDiff;

  constructor(
    io: Io,
    options: ApplyOptions,
    conn: { context: string; server: string },
    plan: ApplyPlan,
    change: ClusterDiff,
    scope: ReadScope | 'touched',
  ) {
    this.io = io;
    this.options = options;
    this.planned = plan;
    this.change = change;
    const labels = { before: `live (context "${conn.context}")`, after: 'after apply' };
    this.json = {
      schemaVersion: APPLY_JSON_SCHEMA_VERSION,
      context: conn.context,
      server: conn.server,
      dryRun: options.dryRun === true,
      staged: options.staged === true,
      prune: options.prune === true,
      impactScope: scope === 'touched' ? 'touched-namespaces' : 'all-namespaces',
      phases: plan.phases.map((p, i) => ({
        index: i + 1,
        kind: p.kind,
        title: p.title,
        changes: p.changes.map((c) => c.id),
      })),
      changes: [],
      connectivity: diffToJson(change, labels),
      transientCuts: [],
      breakingFlows: null,
      refused: null,
      record: null,
    };
    const counts = (['create', 'update', 'delete', 'unchanged'] as const)
      .map((a) => [a, plan.changes.filter((c) => c.action === a).length] as const)
      .filter(([, n]) => n > 0)
      .map(([a, n]) => `${n} to ${a === 'unchanged' ? 'leave unchanged' : a}`);
    const mode = options.dryRun === true ? ' (dry run)' : '';
    this.lines.push(
      `Plan for context "${conn.context}" (${conn.server})${mode}: ${plural(plan.changes.length, 'NetworkPolicy', 'NetworkPolicies')}, ${counts.join(', ')}`,
    );
    // The changes, one per line; the unchanged policies only counted (-o json lists them).
    const unchanged = plan.changes.filter((c) => c.action === 'unchanged').length;
    const rows = plan.changes
      .filter((c) => c.action !== 'unchanged')
      .map((c) => {
        const phase = plan.phases.findIndex((p) => p.changes.includes(c));
        const what = c.action === 'delete' ? 'prune' : c.effect;
        return [
          `  ${c.action}`,
          c.id,
          phase < 0 || plan.phases.length < 2 ? what : `${what} (phase ${phase + 1})`,
        ];
      });
    const width = Math.max(0, ...rows.map((r) => r[0]!.length));
    const idWidth = Math.max(0, ...rows.map((r) => r[1]!.length));
    for (const [a, id, w] of rows) this.lines.push(`${a!.padEnd(width)}  ${id!.padEnd(idWidth)}  ${w!}`);
    if (unchanged > 0 && rows.length > 0) this.lines.push(`  … and ${unchanged} unchanged`);
    if (options.diff === true) {
      for (const c of plan.changes) {
        if (c.action === 'unchanged') continue;
        const before = c.live === undefined ? '' : renderPolicy(c.live);
        const after = c.result === undefined ? '' : renderPolicy(c.result);
        const text = unifiedDiff(before, after, {
          before: c.live === undefined ? `${c.id} (absent)` : `${c.id} (live)`,
          after: c.result === undefined ? `${c.id} (deleted)` : `${c.id} (after apply)`,
        });
        this.lines.push('', text.trimEnd());
      }
      this.lines.push('', formatDiffText(change, labels).trimEnd());
    } else {
      const policies = policySummary(change);
      this.lines.push(
        '',
        `Connectivity: ${connectionSummary(change)} (${plural(change.unchanged, 'connection')} unchanged); policies: ${policies ?? 'unchanged'}${change.connections.length > 0 ? ' (--diff shows them)' : ''}`,
      );
    }
    if (scope === 'touched')
      this.lines.push(
        '(computed on the namespaces the policies are in: reading every namespace is forbidden)',
      );
  }

  plan(cuts: readonly TransientCut[], breaking: readonly BreakingFlow[], flowsGiven: boolean): void {
    const phases = this.planned.phases;
    if (this.options.staged === true && phases.length > 0) {
      const list = phases.map((p, i) => `${i + 1}. ${p.title} (${p.changes.length})`).join(', ');
      this.lines.push(
        `Staged rollout: ${list}.${cuts.length === 0 ? ' No connection allowed before and after is cut in between.' : ''}`,
      );
    }
    if (cuts.length > 0) {
      this.lines.push(`Connections cut between phases (${cuts.length}):`);
      for (const c of cuts) this.lines.push(`  ${cutLine(c, phases)}`);
    }
    if (flowsGiven) {
      this.lines.push(
        breaking.length === 0
          ? 'Observed traffic: every connection the live policies allow stays allowed.'
          : `Observed traffic this apply would deny (${breaking.length}):`,
      );
      for (const b of breaking) this.lines.push(`  ${flowLine(b, phases, phases.length)}`);
    }
    if ((breaking.length > 0 || cuts.length > 0) && this.options.acceptBreaking === true) {
      this.lines.push('Going ahead all the same: --accept-breaking.');
    }
    if (flowsGiven) {
      // Ends as `map` writes them: { workload: id } or { ip }.
      const end = (e: FlowEnd): Record<string, string> =>
        e.kind === 'workload' ? { workload: e.id } : { ip: e.ip };
      this.json.breakingFlows = breaking.map((b) => ({
        src: end(b.connection.src),
        dst: end(b.connection.dst),
        protocol: b.connection.protocol,
        port: b.connection.port,
        count: b.connection.count,
        afterPhase: b.afterPhase,
        blockedAt: b.blockedAt,
        policies: b.policies,
      }));
    }
    this.json.transientCuts = cuts.map((c) => ({
      afterPhase: c.afterPhase,
      src: c.src,
      dst: c.dst,
      ports: portsToJson(c.ports),
      summary: formatPorts(c.ports),
    }));
  }

  /** Writes the text lines not written yet (text output only). */
  flush(): void {
    if (this.options.output === 'json') return;
    const pending = this.lines.slice(this.written);
    this.written = this.lines.length;
    if (pending.length > 0) this.io.stdout(`${pending.join('\n')}\n`);
  }

  startExecution(): void {
    this.lines.push('');
    this.flush();
  }

  phase(index: number, phase: Phase, skipped: boolean): void {
    const n = this.planned.phases.length;
    this.lines.push(
      `Phase ${index + 1}/${n}: ${phase.title}${skipped ? ' (not started: an earlier write failed)' : ''}`,
    );
  }

  /** `  created        shop/allow-web`, `  failed         shop/allow-api: conflict: …` */
  outcome(c: Change, what: string, detail?: string): void {
    this.lines.push(
      `  ${what.padEnd('not attempted'.length)}  ${c.id}${detail === undefined ? '' : `: ${detail}`}`,
    );
    this.flush();
  }

  finish(end: {
    refused?: string;
    dryRun?: boolean;
    outcomes?: ReadonlyMap<string, Outcome>;
    recordPath?: string;
    failed?: string | undefined;
  }): void {
    const changes = this.planned.changes.filter((c) => c.action !== 'unchanged');
    const outcomeOf = (c: Change): Outcome => {
      if (c.action === 'unchanged') return { outcome: 'unchanged' };
      if (end.dryRun === true) return { outcome: 'dry-run' };
      return end.outcomes?.get(c.id) ?? { outcome: 'not-attempted' };
    };
    this.json.changes = this.planned.changes.map((c) => {
      const phase = this.planned.phases.findIndex((p) => p.changes.includes(c));
      const o = outcomeOf(c);
      const item: Record<string, unknown> = {
        id: c.id,
        namespace: c.namespace,
        name: c.name,
        action: c.action,
        effect: c.effect,
        phase: phase < 0 ? null : phase + 1,
        outcome: o.outcome,
        error: o.error ?? null,
      };
      if (this.options.diff === true)
        item.diff = unifiedDiff(
          c.live === undefined ? '' : renderPolicy(c.live),
          c.result === undefined ? '' : renderPolicy(c.result),
          {
            before: `${c.id} (live)`,
            after: `${c.id} (after apply)`,
          },
        );
      return item;
    });
    this.json.refused = end.refused ?? null;
    this.json.record = end.recordPath ?? null;
    if (end.refused === undefined) {
      if (end.dryRun === true) {
        this.lines.push(
          '',
          changes.length === 0
            ? 'Dry run: nothing to change.'
            : `Dry run: the API server accepted ${changes.length === 1 ? 'the change' : `all ${changes.length} changes`}; nothing was changed.`,
        );
      } else if (changes.length === 0) {
        this.lines.push(
          '',
          `Nothing to apply: ${plural(this.planned.changes.length, 'NetworkPolicy', 'NetworkPolicies')} already as in the files.`,
        );
      } else if (end.failed === undefined) {
        const counts = (['create', 'update', 'delete'] as const)
          .map((a) => [DONE[a], changes.filter((c) => c.action === a).length] as const)
          .filter(([, n]) => n > 0)
          .map(([what, n]) => `${n} ${what}`);
        const unchanged = this.planned.changes.length - changes.length;
        this.lines.push(
          `Applied: ${counts.join(', ')}${unchanged > 0 ? `, ${unchanged} unchanged` : ''}. To undo: netfence rollback --cluster (record ${end.recordPath ?? ''})`,
        );
      } else {
        const count = (o: Outcome['outcome']): number =>
          changes.filter((c) => end.outcomes?.get(c.id)?.outcome === o).length;
        this.lines.push(
          `Stopped at the first failure: ${count('applied')} applied, ${count('failed')} failed, ${count('not-attempted')} not attempted. To undo the applied ones: netfence rollback --cluster (record ${end.recordPath ?? ''})`,
        );
      }
    }
    if (this.options.output === 'json') this.io.stdout(`${JSON.stringify(this.json, null, 2)}\n`);
    else this.flush();
  }
}
