/**
 * What `netfence apply` tells its user: the plan, the connectivity change, the safety checks (observed
 * traffic, cuts between phases), then each phase's outcomes; as text written as it happens, or one JSON
 * document at the end.
 */
import type { ApplyPlan, BreakingFlow, Change, Phase, TransientCut } from '../apply/index.ts';
import { POLICY_KINDS, cutConnections, isCiliumObject, renderPolicy, unifiedDiff } from '../apply/index.ts';
import type { ApplyChangeJson, ApplyJson } from '../contract/apply.ts';
import type { ClusterDiff } from '../engine/diff.ts';
import { formatCount } from '../base/text.ts';
import { formatPorts } from '../describe/ports.ts';
import { portsToJson } from '../engine/ports.ts';
import type { FlowEnd } from '../flows/types.ts';
import {
  changeSummary,
  clusterPolicySummary,
  connectionSummary,
  diffToJson,
  formatDiffText,
  policySummary,
} from './diff.ts';
import { inRows, plural } from './plural.ts';
import { endJson, type NodesOfIp } from './flows.ts';
import { withNodes } from './node-addresses.ts';

/** The options of `apply` that change what the report says. */
export interface ApplyReportOptions {
  dryRun?: boolean;
  diff?: boolean;
  staged?: boolean;
  prune?: boolean;
  acceptBreaking?: boolean;
  output: 'txt' | 'json';
}

export const APPLY_JSON_SCHEMA_VERSION = 1;

/**
 * `3 NetworkPolicies` when the plan holds only NetworkPolicies (as before cluster policies existed), else
 * `3 policies (2 NetworkPolicies, 1 ClusterNetworkPolicy)`.
 */
export function describePolicies(changes: readonly Change[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  const np = plural(changes.length, 'NetworkPolicy', 'NetworkPolicies');
  if ([...counts.keys()].every((k) => k === 'NetworkPolicy')) return np;
  const parts = POLICY_KINDS.filter((k) => counts.has(k)).map((k) =>
    plural(counts.get(k)!, k, k === 'NetworkPolicy' ? 'NetworkPolicies' : `${k.slice(0, -1)}ies`),
  );
  return `${plural(changes.length, 'policy', 'policies')} (${parts.join(', ')})`;
}

/** `1 added, 1 modified` for the Cilium policies the plan writes (the engine's diff counts the other kinds). */
function ciliumPolicySummary(plan: ApplyPlan): string | undefined {
  const word = { create: 'added', update: 'modified', delete: 'removed' } as const;
  return changeSummary(
    plan.changes.flatMap((c) =>
      isCiliumObject(c) && c.action !== 'unchanged' ? [{ change: word[c.action] }] : [],
    ),
  );
}

export const DONE: Record<Change['action'], string> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  unchanged: 'unchanged',
};

/** `namespace/name` of a workload; an address as is, a Node's as the node's: `192.168.0.2 (an address of node n2)`. */
function endName(e: FlowEnd, nodesOf: NodesOfIp): string {
  if (e.kind === 'external') return withNodes(e.ip, nodesOf(e.ip));
  const [ns, , name] = e.id.split('/');
  return `${ns ?? ''}/${name ?? e.id}`;
}

function flowLine(b: BreakingFlow, phases: readonly Phase[], final: number, nodesOf: NodesOfIp): string {
  const c = b.connection;
  const when =
    b.afterPhase === final
      ? 'after the apply'
      : `after phase ${b.afterPhase} (${phases[b.afterPhase - 1]?.title ?? ''})`;
  const by = b.policies.length > 0 ? ` by ${b.policies.join(', ')}` : '';
  return `${endName(c.src, nodesOf)} → ${endName(c.dst, nodesOf)} ${c.protocol} ${c.port} (${formatCount(c.count)} attempt${c.count === 1 ? '' : 's'}): denied at ${b.blockedAt.join(' and ')} ${when}${by}`;
}

/** One row: a pair of the phases' common address classes cut after one phase; a part of a larger live connection names it. */
function cutLine(c: TransientCut, phases: readonly Phase[]): string {
  const part =
    c.connection.src === c.src && c.connection.dst === c.dst
      ? ''
      : ` (part of ${c.connection.src} → ${c.connection.dst})`;
  return `${withNodes(c.src, c.srcNodes)} → ${withNodes(c.dst, c.dstNodes)} ${formatPorts(c.ports)}${part}: cut after phase ${c.afterPhase} (${phases[c.afterPhase - 1]?.title ?? ''}), allowed again at the end`;
}

/** How a run of writes that stopped is said: by Ctrl+C, or at the first failure. */
export function stoppedBy(interrupted: boolean): string {
  return interrupted ? 'Interrupted (Ctrl+C)' : 'Stopped at the first failure';
}

/** The writes of a stopped run (`apply`'s, `rollback`'s restores) by how each ended. */
export interface StoppedCounts {
  /** Done: applied, restored. */
  done: number;
  failed: number;
  /** No answer came: the server may have done it. */
  unknown: number;
  notAttempted: number;
}

/**
 * `Stopped at the first failure: 2 applied, 1 failed, 18 not attempted`, `Interrupted (Ctrl+C): 2 restored, 1
 * unknown (may or may not have been restored), 18 not attempted`: `done` says what a write does. A failure
 * always says how many failed, an interruption only when one did.
 */
export function stoppedSummary(c: StoppedCounts, done: 'applied' | 'restored', interrupted: boolean): string {
  const counts = [
    `${c.done} ${done}`,
    ...(c.failed > 0 || (!interrupted && c.unknown === 0) ? [`${c.failed} failed`] : []),
    ...(c.unknown > 0 ? [`${c.unknown} unknown (may or may not have been ${done})`] : []),
    `${c.notAttempted} not attempted`,
  ];
  return `${stoppedBy(interrupted)}: ${counts.join(', ')}`;
}

export interface Outcome {
  /** `unknown`: the write got no answer (a timeout, a reset connection): the server may have applied it. */
  outcome: 'applied' | 'failed' | 'unknown' | 'not-attempted' | 'dry-run' | 'unchanged';
  error?: string;
}

/**
 * The apply report: the plan, the impact, then each phase's outcomes. Text is written as it happens (a
 * long rollout shows its progress); JSON once, at the end.
 */
export class ApplyReport {
  private readonly lines: string[] = [];
  private written = 0;
  private readonly json: ApplyJson;
  private readonly write: (text: string) => void;
  private readonly options: ApplyReportOptions;
  private readonly planned: ApplyPlan;
  private readonly change: ClusterDiff;

  /** `write` receives the text as it happens (or the JSON at the end). */
  constructor(
    write: (text: string) => void,
    options: ApplyReportOptions,
    conn: { context: string; server: string },
    plan: ApplyPlan,
    change: ClusterDiff,
    /** Whether the impact covers every namespace or, when reading them all is forbidden, the touched ones. */
    scope: 'all' | 'touched',
  ) {
    this.write = write;
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
      cutConnections: 0,
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
      `Plan for context "${conn.context}" (${conn.server})${mode}: ${describePolicies(plan.changes)}, ${counts.join(', ')}`,
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
      const clusterPolicies = clusterPolicySummary(change);
      const cilium = ciliumPolicySummary(plan);
      this.lines.push(
        '',
        `Connectivity: ${connectionSummary(change)}; policies: ${policies ?? 'unchanged'}${clusterPolicies === undefined ? '' : `; cluster policies: ${clusterPolicies}`}${cilium === undefined ? '' : `; Cilium policies: ${cilium}`}${change.connections.length > 0 ? ' (--diff shows them)' : ''}`,
      );
    }
    if (scope === 'touched')
      this.lines.push(
        '(computed on the namespaces the policies are in: reading every namespace is forbidden)',
      );
  }

  /** `nodesOf`: the live cluster's Nodes having an observed address (a Node's address reads as the node's). */
  plan(
    cuts: readonly TransientCut[],
    breaking: readonly BreakingFlow[],
    flowsGiven: boolean,
    nodesOf: NodesOfIp,
  ): void {
    const phases = this.planned.phases;
    // Connections as `analyze` counts the live state's; a row per phase and pair of the common address classes.
    const cut = cutConnections(cuts);
    if (this.options.staged === true && phases.length > 0) {
      const list = phases.map((p, i) => `${i + 1}. ${p.title} (${p.changes.length})`).join(', ');
      this.lines.push(
        `Staged rollout: ${list}.${cuts.length === 0 ? ' No connection allowed before and after is cut in between.' : ''}`,
      );
    }
    if (cuts.length > 0) {
      this.lines.push(`Connections cut between phases (${cut}${inRows(cut, cuts.length)}):`);
      for (const c of cuts) this.lines.push(`  ${cutLine(c, phases)}`);
    }
    if (flowsGiven) {
      this.lines.push(
        breaking.length === 0
          ? 'Observed traffic: every observed port the live policies allow stays allowed.'
          : `Observed ports this apply would deny (${breaking.length}):`,
      );
      for (const b of breaking) this.lines.push(`  ${flowLine(b, phases, phases.length, nodesOf)}`);
    }
    if ((breaking.length > 0 || cuts.length > 0) && this.options.acceptBreaking === true) {
      this.lines.push('Going ahead all the same: --accept-breaking.');
    }
    if (flowsGiven) {
      // Ends as `map` writes them: { workload: id }, { ip }, { ip, nodes } for a Node's address.
      this.json.breakingFlows = breaking.map((b) => ({
        src: endJson(b.connection.src, nodesOf),
        dst: endJson(b.connection.dst, nodesOf),
        protocol: b.connection.protocol,
        port: b.connection.port,
        count: b.connection.count,
        afterPhase: b.afterPhase,
        blockedAt: b.blockedAt,
        policies: b.policies,
      }));
    }
    this.json.cutConnections = cut;
    this.json.transientCuts = cuts.map((c) => ({
      afterPhase: c.afterPhase,
      src: c.src,
      dst: c.dst,
      ...(c.srcNodes.length === 0 ? {} : { srcNodes: c.srcNodes }),
      ...(c.dstNodes.length === 0 ? {} : { dstNodes: c.dstNodes }),
      ports: portsToJson(c.ports),
      summary: formatPorts(c.ports),
      connection: { src: c.connection.src, dst: c.connection.dst },
    }));
  }

  /** Writes the text lines not written yet (text output only). */
  flush(): void {
    if (this.options.output === 'json') return;
    const pending = this.lines.slice(this.written);
    this.written = this.lines.length;
    if (pending.length > 0) this.write(`${pending.join('\n')}\n`);
  }

  startExecution(): void {
    this.lines.push('');
    this.flush();
  }

  /** `skipped`: why the phase is not started (`an earlier write failed`, `interrupted`). */
  phase(index: number, phase: Phase, skipped: string | undefined): void {
    const n = this.planned.phases.length;
    this.lines.push(
      `Phase ${index + 1}/${n}: ${phase.title}${skipped === undefined ? '' : ` (not started: ${skipped})`}`,
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
    /** The user pressed Ctrl+C: the writes stopped after the one in flight. */
    interrupted?: boolean;
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
      const item: ApplyChangeJson = {
        id: c.id,
        kind: c.kind,
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
          `Nothing to apply: ${describePolicies(this.planned.changes)} already as in the files.`,
        );
      } else if (end.failed === undefined && end.interrupted !== true) {
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
          changes.filter((c) => (end.outcomes?.get(c.id)?.outcome ?? 'not-attempted') === o).length;
        const unknown = count('unknown');
        const counts = {
          done: count('applied'),
          failed: count('failed'),
          unknown,
          notAttempted: count('not-attempted'),
        };
        const undo = unknown > 0 ? 'the applied ones, and the unknown if it was' : 'the applied ones';
        this.lines.push(
          `${stoppedSummary(counts, 'applied', end.interrupted === true)}. To undo ${undo}: netfence rollback --cluster (record ${end.recordPath ?? ''})`,
        );
      }
    }
    if (this.options.output === 'json') this.write(`${JSON.stringify(this.json, null, 2)}\n`);
    else this.flush();
  }
}
