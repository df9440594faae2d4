/**
 * `netfence apply`: deploy NetworkPolicies, cluster policies (ClusterNetworkPolicy, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy) and Cilium policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) to a
 * live cluster safely. Validation first (files, then the API
 * server's dry run of every object), the connectivity change computed before anything is written,
 * observed traffic protected (`--flows`), a staged order that never cuts an allowed connection, server-side
 * apply with field manager `netfence`, pruning only what netfence manages, and a rollback record.
 */
import { Command, Option } from 'commander';
import {
  breakingFlows,
  connectivityChange,
  entryRef,
  finish,
  isCiliumObject,
  isClusterPolicyObject,
  isNamespacedKind,
  namespaceOf,
  newRecord,
  phaseSessions,
  planApply,
  policyId,
  pruneCandidates,
  transientCuts,
  cutConnections,
  withManagedBy,
  type ApplyPlan,
  type BreakingFlow,
  type Change,
  type CiliumObject,
  type ClusterPolicyObject,
  type CustomPolicyObject,
  type DesiredPolicy,
  type PolicyObject,
  type RecordEntry,
  type RollbackRecord,
  type TransientCut,
} from '../../apply/index.ts';
import type { HostNetworkPods } from '../../engine/compile.ts';
import type { ClusterDiff } from '../../engine/diff.ts';
import { openSession } from '../../engine/session.ts';
import { readFlows } from '../../flows/index.ts';
import { ApplyReport, DONE, type Outcome } from '../../format/apply.ts';
import { plural } from '../../format/plural.ts';
import { nodesOfIp } from '../../format/flows.ts';
import type * as K8sModule from '../../k8s/index.ts';
import type { Connection, KubeObject, ReadScope } from '../../k8s/index.ts';
import { leftOutText, type LeftOutObject } from '../../k8s/state.ts';
import type { ClusterPolicyInfo, ClusterState, PolicyInfo } from '../../model/cluster.ts';
import type { NetworkPolicy } from '../../model/k8s.ts';
import { formatProblem } from '../../model/problem.ts';
import { describeIgnored, loadManifests } from '../../parse/index.ts';
import { clusterPolicyInfo } from '../../model/tiers.ts';
import { ciliumPolicyInfo, type CiliumPolicyInfo } from '../../model/cilium.ts';
import {
  addClusterOptions,
  connectWith,
  printWarnings,
  progressPrinter,
  withCluster,
  type ClusterStateOptions,
} from '../options/cluster.ts';
import type { CniProfile } from '../../engine/profiles.ts';
import {
  addReadingOptions,
  checkFound,
  detectCniProfile,
  engineOptions,
  manifestCache,
} from '../options/input.ts';
import { ExitCode, UserError, note, type Io } from '../io.ts';
import { onInterrupt } from '../interrupt.ts';
import {
  DEFAULT_RECORD_NAMESPACE,
  DEFAULT_STATE_DIR,
  RECORD_CONFIGMAP,
  RECORD_KEY,
  removeRecord,
  saveNewRecord,
  saveRecord,
} from '../options/records.ts';

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
  strict: boolean;
  cache: boolean;
  ipblockMatchesPods?: boolean;
  hostNetworkPods?: HostNetworkPods;
  cni: string;
  cniOption: string[];
  detectedCni?: CniProfile;
  output: 'txt' | 'json';
}

/** The wire form of a policy read from a file: what is sent, with the managed-by label. */
function desiredOf(p: PolicyInfo): NetworkPolicy {
  const metadata: NetworkPolicy['metadata'] = { name: p.name, namespace: p.namespace };
  if (Object.keys(p.labels).length > 0) metadata.labels = { ...p.labels };
  if (Object.keys(p.annotations).length > 0) metadata.annotations = { ...p.annotations };
  return withManagedBy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: p.spec });
}

/** The wire form of a cluster policy read from a file, in the apiVersion written, with the managed-by label. */
function desiredOfCluster(p: ClusterPolicyInfo): ClusterPolicyObject {
  const metadata: NetworkPolicy['metadata'] = { name: p.name };
  if (Object.keys(p.labels).length > 0) metadata.labels = { ...p.labels };
  if (Object.keys(p.annotations).length > 0) metadata.annotations = { ...p.annotations };
  return withManagedBy({
    apiVersion: p.apiVersion,
    kind: p.kind,
    metadata,
    spec: p.spec,
  });
}

/**
 * The wire form of a Cilium policy read from a file: name, namespace (CiliumNetworkPolicy), labels,
 * annotations, `spec` and/or `specs` as written (never a `status`), with the managed-by label.
 */
function desiredOfCilium(p: CiliumPolicyInfo): CiliumObject {
  const metadata: NetworkPolicy['metadata'] = { name: p.name };
  if (p.namespace !== undefined) metadata.namespace = p.namespace;
  if (Object.keys(p.labels).length > 0) metadata.labels = { ...p.labels };
  if (Object.keys(p.annotations).length > 0) metadata.annotations = { ...p.annotations };
  const o: CiliumObject = { apiVersion: p.apiVersion, kind: p.kind, metadata };
  if (p.object.spec !== undefined) o.spec = p.object.spec;
  if (p.object.specs !== undefined) o.specs = p.object.specs;
  return withManagedBy(o);
}

/** Reads and validates the policy files: invalid input never reaches the server. */
async function readDesired(
  paths: readonly string[],
  defaultNamespace: string,
  options: Pick<ApplyOptions, 'strict' | 'cache' | 'allWarnings'>,
  io: Io,
): Promise<PolicyObject[]> {
  if (paths.length === 0)
    throw new UserError(
      'no input: give the NetworkPolicy (or cluster or Cilium policy) files or folders to apply, or - to read standard input',
    );
  const result = await loadManifests([...paths], {
    defaultNamespace,
    skipInvalid: false,
    strict: options.strict,
    readStdin: () => io.readStdin(),
    afterFile: io.afterFileRead,
    cache: await manifestCache(options, io, paths, { defaultNamespace, strict: options.strict }),
  });
  checkFound(result, io);
  printWarnings(result.warnings, options, io);
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
    [s.nodes.length, 'Node'],
  ] as const;
  const left = others.filter(([n]) => n > 0).map(([n, what]) => plural(n, what));
  const ignored = describeIgnored(result.ignored);
  if (left.length > 0 || ignored !== undefined) {
    const what = left.length > 0 ? `left out ${left.join(', ')}` : '';
    note(
      io,
      `apply deploys NetworkPolicies, cluster policies and Cilium policies only: ${[what, ignored?.replace(/\.$/, '').toLowerCase()].filter((x) => x !== undefined && x !== '').join('; ')}.\n`,
    );
  }
  if (s.policies.length === 0 && s.clusterPolicies.length === 0 && s.ciliumPolicies.length === 0)
    throw new UserError(
      `no NetworkPolicies, cluster policies or Cilium policies in ${paths.map((p) => `"${p}"`).join(', ')}: nothing to apply`,
    );
  return [
    ...s.policies.map(desiredOf),
    ...s.clusterPolicies.map(desiredOfCluster),
    ...s.ciliumPolicies.map(desiredOfCilium),
  ];
}

/**
 * The live custom policies (cluster policies, Cilium policies) of the kinds (and apiVersions) the files
 * deploy, with all their metadata: CiliumNetworkPolicies in the files' namespaces (every namespace with
 * `-A`, where --prune looks). A kind the cluster does not serve (its CRD is not installed) stops the apply
 * with one line before anything is sent: the policies of the files are one set, and deploying part of it
 * (NetworkPolicies that count on a Baseline default-deny, say) could leave the cluster more open than
 * either the old or the new set.
 */
async function readLiveCustomPolicies(
  k8s: typeof K8sModule,
  conn: Connection,
  desired: readonly PolicyObject[],
  namespaces: readonly string[],
  allNamespaces: boolean,
): Promise<CustomPolicyObject[]> {
  const wanted = new Map<string, { kind: CustomPolicyObject['kind']; apiVersion: string }>();
  for (const o of desired)
    if (o.kind !== 'NetworkPolicy')
      wanted.set(`${o.kind} ${o.apiVersion}`, { kind: o.kind, apiVersion: o.apiVersion });
  const missing: { kind: string; apiVersion: string }[] = [];
  const byId = new Map<string, CustomPolicyObject>();
  for (const { kind, apiVersion } of [...wanted.values()].sort((a, b) => a.kind.localeCompare(b.kind))) {
    const where = isNamespacedKind(kind) && !allNamespaces ? namespaces : [undefined];
    for (const namespace of where) {
      const list = await k8s.listCustomPolicies(conn, kind, apiVersion, namespace);
      if (list === undefined) {
        missing.push({ kind, apiVersion });
        break;
      }
      for (const o of list) byId.set(policyId(o), o);
    }
  }
  if (missing.length > 0) throw new UserError(`${k8s.notServedMessage(missing)}; nothing was changed`);
  return [...byId.values()];
}

/**
 * The live state with the listed custom policies: cluster policies in place of those of the same kinds it
 * has; Cilium policies in place of those of the same ids (and joining them: the state may lack some when
 * the reader may not list every namespace).
 */
function withLiveCustomPolicies(state: ClusterState, live: readonly CustomPolicyObject[]): ClusterState {
  const cluster = live.filter(isClusterPolicyObject);
  const kinds = new Set(cluster.map((o) => o.kind));
  const cilium = new Map(live.filter(isCiliumObject).map((o) => [policyId(o), ciliumPolicyInfo(o)]));
  return {
    ...state,
    clusterPolicies: [
      ...state.clusterPolicies.filter((p) => !kinds.has(p.kind)),
      ...cluster.map((o) => clusterPolicyInfo(o)),
    ],
    ciliumPolicies: [...state.ciliumPolicies.filter((p) => !cilium.has(p.id)), ...cilium.values()],
  };
}

/**
 * A warning line per live object netfence cannot read (`stateFromObjects`'s `skipped`), left out
 * of the state the impact is measured on (as `--cluster` says it), but for the objects `replaced`
 * (`withLiveCustomPolicies` puts those back, read from their own listing).
 */
export function leftOutWarnings(skipped: readonly LeftOutObject[], replaced: readonly string[]): string[] {
  return skipped.filter((s) => !replaced.includes(s.id)).map((s) => `warning: left out ${leftOutText(s)}\n`);
}

/** Reads the live cluster for the impact: every namespace, or (when that is forbidden) the ones touched. */
async function readLive(
  k8s: typeof K8sModule,
  conn: Connection,
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
      'Deploy NetworkPolicies, cluster policies and Cilium policies to a live cluster with server-side apply, after checking what they change (and break)',
    )
    .argument('[paths...]', 'policy files or folders (YAML or JSON), or - for standard input')
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
    .addOption(new Option('-o, --output <format>', 'output format').choices(['txt', 'json']).default('txt'));
  addReadingOptions(cmd);
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
says exactly what was, was not and may have been applied), or the record not saved after the writes,
130 Ctrl+C during the writes (the first stops after the write in flight, with the report; a second at once).

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
    setExit(await withCluster((k8s) => apply(k8s, paths, options, io)));
  });
  return cmd;
}

type K8s = typeof K8sModule;

/**
 * The whole apply, step by step: read the files, read the cluster, have the API server check every object,
 * plan, measure the impact and refuse what would break, then write phase by phase with a rollback record.
 */
async function apply(k8s: K8s, paths: readonly string[], options: ApplyOptions, io: Io): Promise<ExitCode> {
  const conn = connectWith(k8s, options, io);
  const defaultNamespace =
    options.namespaceGiven === true ? options.namespace : (conn.namespace ?? 'default');
  const desired = await readDesired(paths, defaultNamespace, options, io);
  const namespaces = [
    ...new Set(desired.flatMap((d) => (isNamespacedKind(d.kind) ? [d.metadata.namespace!] : []))),
  ].sort();
  const liveCluster = await readLiveCustomPolicies(
    k8s,
    conn,
    desired,
    namespaces,
    options.allNamespaces === true,
  );
  const live = await readLive(k8s, conn, namespaces, io);
  const built = k8s.stateFromObjects(live.objects);
  const liveState = withLiveCustomPolicies(built.state, liveCluster);
  const replaced = liveCluster.map((o) => k8s.objectId(o));
  // What the impact below leaves out of the live cluster, as `--cluster` says it (fields netfence does not
  // evaluate, a nodes peer without the nodes, ...), and objects it cannot read. Not the terminated pods: they
  // have no network presence, so leaving them out changes no impact.
  printWarnings(built.partial, options, io);
  for (const line of leftOutWarnings(built.skipped, replaced)) io.stderr(line);
  const livePolicies: PolicyObject[] = [...live.policies, ...liveCluster];
  const prune = pruneList(livePolicies, desired, namespaces, options);
  const checked = await dryRunAll(k8s, conn, desired, prune, options, io);
  const plan = planApply({ desired: checked, live: livePolicies, prune, staged: options.staged === true });
  const impact = await assessImpact(liveState, plan, options, io);

  const report = new ApplyReport(
    (text) => io.stdout(text),
    options,
    conn,
    plan,
    impact.change,
    live.scope === 'touched' ? 'touched' : 'all',
  );
  report.plan(impact.cuts, impact.breaking, impact.flowsGiven, nodesOfIp(liveState));
  const refused = refusal(impact, options);
  if (refused !== undefined) {
    report.finish({ refused });
    io.stderr(`netfence: ${refused}\n`);
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
  return execute(k8s, conn, plan, report, options, io);
}

/**
 * Prune candidates: only what netfence manages, of the kinds the files deploy: NetworkPolicies and
 * CiliumNetworkPolicies in the files' namespaces (every one with -A), cluster-scoped policies of those kinds.
 */
function pruneList(
  live: readonly PolicyObject[],
  desired: readonly PolicyObject[],
  namespaces: readonly string[],
  options: ApplyOptions,
): PolicyObject[] {
  if (options.prune !== true) return [];
  return pruneCandidates(
    live,
    new Set(desired.map(policyId)),
    options.allNamespaces === true ? { kind: 'all' } : { kind: 'namespaces', namespaces: [...namespaces] },
    new Set(desired.map((o) => o.kind)),
  );
}

/** What names a live object to delete. */
function refOf(o: PolicyObject): {
  kind: PolicyObject['kind'];
  apiVersion: string;
  namespace: string;
  name: string;
} {
  return {
    kind: o.kind,
    apiVersion: o.apiVersion,
    namespace: namespaceOf(o),
    name: o.metadata.name ?? '',
  };
}

/** The API server checks every object first (dryRun=All): nothing is written unless all pass. */
async function dryRunAll(
  k8s: K8s,
  conn: Connection,
  desired: readonly PolicyObject[],
  prune: readonly PolicyObject[],
  options: ApplyOptions,
  io: Io,
): Promise<DesiredPolicy[]> {
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
      const result = await k8s.applyObject(conn, np, {
        dryRun: true,
        force: options.forceConflicts === true,
      });
      checked.push({ desired: np, result });
    });
    if (!go) break;
  }
  for (const np of refusals.length > 0 ? [] : prune) {
    const go = await check(() => k8s.deleteObject(conn, refOf(np), { dryRun: true, verb: 'prune' }));
    if (!go) break;
  }
  if (refusals.length > 0) {
    const shown = 5;
    for (const r of refusals.slice(0, Math.min(shown, refusals.length - 1))) io.stderr(`netfence: ${r}\n`);
    if (refusals.length - 1 > shown) io.stderr(`netfence: … and ${refusals.length - 1 - shown} more\n`);
    const total = desired.length + prune.length;
    const last = refusals[refusals.length - 1]!;
    throw new UserError(
      refusals.length === 1
        ? `${last}; nothing was changed`
        : `${last} (the API server refused ${refusals.length} of ${plural(total, 'object')} in a dry run: nothing was changed)`,
    );
  }
  return checked;
}

interface Impact {
  change: ClusterDiff;
  /** Connections allowed before and after but cut between two phases (--staged only). */
  cuts: TransientCut[];
  /** Observed connections (--flows) the apply would deny. */
  breaking: BreakingFlow[];
  flowsGiven: boolean;
}

/** What the plan changes in connectivity, and what it would break on the way or at the end. */
async function assessImpact(
  liveState: ClusterState,
  plan: ApplyPlan,
  options: ApplyOptions,
  io: Io,
): Promise<Impact> {
  // One session per phase state, shared by the three computations: each state is compiled once.
  await detectCniProfile(options, io);
  const sessions = phaseSessions(openSession(liveState, engineOptions(options)), plan);
  const change = connectivityChange(sessions);
  const cuts = options.staged === true ? transientCuts(sessions) : [];
  let breaking: BreakingFlow[] = [];
  const flows = options.flows ?? [];
  if (flows.length > 0) {
    const observed = await readFlows(flows, liveState, { readStdin: () => io.readStdin() });
    if (observed.errors.length > 0) throw new UserError(observed.errors.map((e) => e.message).join('; '));
    breaking = breakingFlows(sessions, observed.connections);
  }
  return { change, cuts, breaking, flowsGiven: flows.length > 0 };
}

/** Why the apply must not go ahead (it breaks something and --accept-breaking is not given), if it must not. */
function refusal(impact: Impact, options: ApplyOptions): string | undefined {
  const { cuts, breaking } = impact;
  if ((cuts.length === 0 && breaking.length === 0) || options.acceptBreaking === true) return undefined;
  const what = [
    breaking.length > 0 ? `deny ${plural(breaking.length, 'observed port')}` : '',
    cuts.length > 0 ? `cut ${plural(cutConnections(cuts), 'allowed connection')} between phases` : '',
  ].filter((x) => x !== '');
  return `refused: this apply would ${what.join(' and ')}; nothing was changed (fix the policies, or --accept-breaking)`;
}

/**
 * Writes the plan phase by phase, stopping at the first failure (or Ctrl+C); the rollback record is saved
 * before and after. Whatever happens once the first write is sent, the report says what was written.
 */
async function execute(
  k8s: K8s,
  conn: Connection,
  plan: ApplyPlan,
  report: ApplyReport,
  options: ApplyOptions,
  io: Io,
): Promise<ExitCode> {
  // The record first: if netfence stops mid-way, it still knows what to restore.
  const created = await saveNewRecord(
    options.stateDir,
    newRecord(plan, { time: new Date(), context: conn.context, server: conn.server }),
  );
  let record: RollbackRecord = created.record;
  try {
    await saveInCluster(k8s, conn, record, options);
  } catch (error) {
    if (!(error instanceof k8s.ClusterError)) throw error;
    // Nothing written: the record of this apply would only hide the last one from rollback.
    await removeRecord(created.path);
    throw new UserError(`${error.message}; nothing was changed`);
  }

  const outcomes = new Map<string, Outcome>();
  let failed: string | undefined;
  const entries = new Map(record.entries.map((e) => [e.id, e]));
  const signal = onInterrupt(io, 'write');
  // Whether Ctrl+C left a change not attempted (pressed during the last write, it stops nothing), as rollback.
  let interrupted = false;
  try {
    report.startExecution();
    const stopped = (): string | undefined =>
      failed !== undefined ? 'an earlier write failed' : signal.interrupted() ? 'interrupted' : undefined;
    for (const [i, phase] of plan.phases.entries()) {
      report.phase(i, phase, stopped());
      for (const c of phase.changes) {
        const entry: RecordEntry = entries.get(c.id)!;
        if (stopped() !== undefined) {
          if (failed === undefined) interrupted = true;
          outcomes.set(c.id, { outcome: 'not-attempted' });
          entry.outcome = 'not-attempted';
          report.outcome(c, 'not attempted');
          continue;
        }
        try {
          await write(k8s, conn, c, entry, options);
          entry.outcome = 'applied';
          outcomes.set(c.id, { outcome: 'applied' });
          report.outcome(c, DONE[c.action]);
        } catch (error) {
          if (!(error instanceof k8s.ClusterError)) throw error;
          const end = k8s.writeOutcome(error, 'applied');
          failed = end.message;
          // Unknown (no answer): the server may have applied it. The entry stays pending, which rollback
          // undoes by comparing the live object with the one before.
          if (end.outcome === 'failed') entry.outcome = 'failed';
          entry.error = error.detail;
          outcomes.set(c.id, { outcome: end.outcome, error: error.detail });
          report.outcome(c, end.outcome, end.row);
        }
      }
    }
    record = finish({ ...record, entries: record.entries });
    const saved = await saveEverywhere(k8s, conn, record, created.path, options);
    report.finish({ outcomes, recordPath: saved.path, failed, interrupted });
    if (failed !== undefined) io.stderr(`netfence: ${failed}\n`);
    if (saved.error !== undefined)
      io.stderr(`netfence: the apply wrote what the report says, but ${saved.error}\n`);
    if (interrupted) return ExitCode.Interrupted;
    return failed === undefined && saved.error === undefined ? ExitCode.Ok : ExitCode.Usage;
  } finally {
    signal.dispose();
  }
}

/** One change: a prune deletes (at the resourceVersion read), the others are server-side applies. */
async function write(
  k8s: K8s,
  conn: Connection,
  c: Change,
  entry: RecordEntry,
  options: ApplyOptions,
): Promise<void> {
  if (c.action === 'delete') {
    await k8s.deleteObject(conn, entryRef(entry), {
      dryRun: false,
      resourceVersion: c.live?.metadata.resourceVersion,
      verb: 'prune',
    });
    entry.resourceVersion = null;
  } else {
    const stored = await k8s.applyObject(conn, c.desired!, {
      dryRun: false,
      force: options.forceConflicts === true,
    });
    entry.after = stored;
    entry.resourceVersion = stored.metadata.resourceVersion ?? null;
  }
}

/**
 * Saves the final record in the state folder, and in the cluster's ConfigMap with --record. Never throws
 * once the writes are done: a record that cannot be saved is said (`error`) after the report, with where
 * the record is that undoes the apply (`path`: the final one, or the one saved before the writes, every
 * entry pending, which rollback undoes by comparing each object with the one before).
 */
async function saveEverywhere(
  k8s: K8s,
  conn: Connection,
  record: RollbackRecord,
  first: string,
  options: ApplyOptions,
): Promise<{ path: string; error?: string }> {
  const undo = (path: string): string =>
    `the record of this apply is in ${path}: netfence rollback --cluster --state-dir ${options.stateDir} undoes it`;
  let path: string;
  try {
    path = await saveRecord(options.stateDir, record);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return { path: first, error: `cannot save its rollback record: ${error.message}; ${undo(first)}` };
  }
  try {
    await saveInCluster(k8s, conn, record, options);
  } catch (error) {
    if (!(error instanceof k8s.ClusterError)) throw error;
    return { path, error: `${error.message}; ${undo(path)}` };
  }
  return { path };
}

/** With --record, the record in the cluster's ConfigMap (the latest apply's: one key). */
async function saveInCluster(
  k8s: K8s,
  conn: Connection,
  record: RollbackRecord,
  options: ApplyOptions,
): Promise<void> {
  if (options.record === true)
    await k8s.writeRecordConfigMap(conn, options.recordNamespace, RECORD_CONFIGMAP, {
      [RECORD_KEY]: `${JSON.stringify(record, null, 2)}\n`,
    });
}
