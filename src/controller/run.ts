/**
 * `netfence controller` at work: it watches the cluster (src/k8s/watch.ts: list, watch, relist after a
 * watch error), and, while it leads (always, without leader election), keeps the default-deny policy of
 * every namespace (created or repaired within the watch's latency, Events recorded) and re-audits after each
 * quiet spell, writing PolicyReports and the metrics. `/metrics`, `/healthz` and `/readyz` are served by
 * every replica. The default deny and the audit each run one pass at a time (apart, so that a new namespace
 * never waits for reports being written); shutdown waits for the passes under way, then releases the Lease.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from '../k8s/connect.ts';
import {
  CLUSTER_POLICY_REPORT,
  EVENT,
  LEASE,
  POLICY_REPORT,
  createObject,
  getObject,
  replaceObject,
  type StoredObject,
} from '../k8s/controller.ts';
import { ClusterError } from '../k8s/errors.ts';
import type { ClusterWatch, WatchEvent } from '../k8s/watch.ts';
import { createPolicy, deletePolicy, readPolicy, replacePolicy } from '../k8s/write.ts';
import type { NetworkPolicy } from '../model/k8s.ts';
import { audit, newlySkipped, summarize, type AuditResult, type AuditRules } from './audit.ts';
import { exclusions, type ControllerSettings } from './config.ts';
import {
  COMPONENT_LABEL,
  OWNED_LABELS,
  isOwned,
  isUpToDate,
  planDefaultDeny,
  type Action,
} from './default-deny.ts';
import { canonical } from './json.ts';
import { runElection, type Election } from './leader.ts';
import { Metrics } from './metrics.ts';

export type LogEntry = Record<string, unknown> & { msg: string };

export interface ControllerOptions {
  conn: Connection;
  /** Starts the watch (the CLI passes src/k8s's watchCluster). */
  watch: (onEvent: (e: WatchEvent) => void) => ClusterWatch;
  settings: ControllerSettings;
  rules: Omit<AuditRules, 'excluded' | 'blastRadiusTop'>;
  /** The controller's own namespace: its Lease lives there. */
  namespace: string;
  identity: string;
  /** Leader election; undefined: this replica always leads. */
  election?: { leaseName: string; leaseDurationMs: number; renewDeadlineMs: number; retryMs: number };
  host: string;
  port: number;
  log: (entry: LogEntry) => void;
}

export interface RunningController {
  /** `http://127.0.0.1:8080` */
  url: string;
  /** Stops watching and serving; waits for the write under way; releases the Lease. */
  stop(): Promise<void>;
}

/** The name of the PolicyReport in each namespace and of the ClusterPolicyReport. */
export const REPORT_NAME = 'netfence';
const REPORTING_CONTROLLER = 'netfence.io/controller';

const HELP = {
  leader: 'Whether this replica is the leader (1) and writes; followers serve health and metrics only.',
  ready: 'Whether every watched resource has been listed (1).',
  watchErrors: 'Watches that ended with an error, or lists that failed, per resource (each is listed again).',
  actions:
    'Default-deny writes by action: created, repaired, removed; and not-owned (a policy of the name left alone).',
  writeErrors: 'Writes that failed, by object kind (retried at the next change or resync).',
  unprotected: 'Workloads whose pods no NetworkPolicy isolates, per namespace and direction.',
  findings: 'Lint findings of the last audit, by rule and severity.',
  violations: 'Failing pairs of each reachability assertion (spec test) in the last audit.',
  exposed: 'Workloads with each exposure flag in the last audit.',
  blast:
    'Workloads reached (over any number of hops) from each of the top-N workloads with the largest blast radius.',
  audit: 'Time of one audit pass, by phase (state, lint, tests, exposure, blast-radius, total).',
  reconcile: 'Time of one default-deny reconciliation.',
  audits: 'Audit passes completed.',
  reports: 'PolicyReports and ClusterPolicyReports created or updated.',
  lastAudit: 'Unix time of the last completed audit.',
} as const;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isStatus(error: unknown, ...statuses: number[]): boolean {
  return error instanceof ClusterError && error.status !== undefined && statuses.includes(error.status);
}

/** Starts the controller; resolves once `/healthz` listens. */
export async function startController(options: ControllerOptions): Promise<RunningController> {
  const { conn, settings, log } = options;
  const metrics = new Metrics();
  metrics.set('netfence_leader', HELP.leader, {}, 0);
  metrics.set('netfence_ready', HELP.ready, {}, 0);
  metrics.declare('netfence_default_deny_actions_total', HELP.actions, 'counter');
  metrics.declare('netfence_audits_total', HELP.audits, 'counter');
  metrics.declare('netfence_audit_duration_seconds', HELP.audit, 'histogram');
  const excluded = exclusions(settings);

  let stopping = false;
  let leading = options.election === undefined;
  let election: Election | undefined;
  /**
   * Work in order, one at a time per kind: the default deny (quick, a few objects) never waits behind an audit
   * writing its reports.
   */
  const queues = { reconcile: Promise.resolve(), audit: Promise.resolve() };
  let reconcilePending = false;
  let auditPending = false;
  let auditTimer: NodeJS.Timeout | undefined;
  let auditFirstAsked: number | undefined;
  /** Content last written (or found equal) per report key; cleared at each resync. */
  const written = new Map<string, string>();
  /** Policies of the default-deny name that are someone else's, already reported. */
  const notOwnedSeen = new Set<string>();
  /** Namespaces where this process has seen its default deny: one missing there was deleted. */
  const present = new Set<string>();
  let reportsOff: string | undefined;

  const canWrite = (): boolean => leading && !stopping && watch.isReady();

  const enqueue = (which: keyof typeof queues, work: () => Promise<void>): void => {
    queues[which] = queues[which]
      .then(work)
      .catch((error: unknown) => log({ msg: 'internal error', error: message(error) }));
  };

  // ---- Events

  const record = async (
    namespace: string,
    regarding: { apiVersion: string; kind: string; name: string },
    action: string,
    reason: string,
    note: string,
    type: 'Normal' | 'Warning' = 'Normal',
  ): Promise<void> => {
    const name = `${regarding.name}.${randomBytes(8).toString('hex')}`;
    const t = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    try {
      await createObject(
        conn,
        { ...EVENT, namespace, name },
        {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { name, namespace },
          eventTime: t,
          reportingController: REPORTING_CONTROLLER,
          reportingInstance: options.identity.slice(0, 128),
          action,
          reason,
          type,
          regarding: { ...regarding, namespace },
          note: note.slice(0, 1000),
        },
      );
    } catch (error) {
      metrics.inc('netfence_write_errors_total', HELP.writeErrors, { kind: 'Event' });
      log({ msg: 'event not recorded', namespace, reason, error: message(error) });
    }
  };
  const policyRef = (name: string): { apiVersion: string; kind: string; name: string } => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    name,
  });

  // ---- Default deny

  const counted = (action: string): void =>
    metrics.inc('netfence_default_deny_actions_total', HELP.actions, { action });

  const create = async (namespace: string, policy: NetworkPolicy): Promise<void> => {
    const name = policy.metadata.name!;
    const deleted = present.has(namespace);
    try {
      await createPolicy(conn, policy, { dryRun: false });
    } catch (error) {
      // Already there (the watch had not caught up), or the namespace is being deleted: nothing to do.
      if (isStatus(error, 409) || (isStatus(error, 403) && /being terminated/.test(message(error)))) return;
      throw error;
    }
    counted(deleted ? 'repaired' : 'created');
    log({ msg: deleted ? 'default deny repaired' : 'default deny created', namespace, name });
    await record(
      namespace,
      policyRef(name),
      'Create',
      deleted ? 'DefaultDenyRepaired' : 'DefaultDenyCreated',
      deleted
        ? `netfence re-created the default-deny NetworkPolicy ${name}: it had been deleted`
        : `netfence created the default-deny NetworkPolicy ${name}`,
    );
  };

  const apply = async (action: Action): Promise<void> => {
    const { namespace } = action;
    switch (action.kind) {
      case 'create':
        return create(namespace, action.policy);
      case 'repair': {
        const name = action.policy.metadata.name!;
        const live = await readPolicy(conn, namespace, name);
        if (live === undefined) return create(namespace, action.policy);
        if (!isOwned(live) || isUpToDate(live, action.policy)) return;
        try {
          await replacePolicy(conn, action.policy, live.metadata.resourceVersion ?? '', { dryRun: false });
        } catch (error) {
          if (isStatus(error, 409)) return scheduleReconcile(); // changed meanwhile: read it again
          throw error;
        }
        counted('repaired');
        log({ msg: 'default deny repaired', namespace, name });
        await record(
          namespace,
          policyRef(name),
          'Update',
          'DefaultDenyRepaired',
          `netfence restored the default-deny NetworkPolicy ${name}: it had been edited`,
        );
        return;
      }
      case 'remove': {
        const live = await readPolicy(conn, namespace, action.name);
        if (live === undefined || !isOwned(live)) return;
        await deletePolicy(conn, namespace, action.name, {
          dryRun: false,
          resourceVersion: live.metadata.resourceVersion,
        });
        counted('removed');
        log({ msg: 'default deny removed', namespace, name: action.name, why: action.why });
        await record(
          namespace,
          policyRef(action.name),
          'Delete',
          'DefaultDenyRemoved',
          `netfence removed its default-deny NetworkPolicy ${action.name}: ${action.why}`,
        );
        return;
      }
      case 'not-owned': {
        const key = `${namespace}/${action.name}`;
        if (notOwnedSeen.has(key)) return;
        notOwnedSeen.add(key);
        counted('not-owned');
        log({ msg: 'default deny not owned', namespace, name: action.name });
        await record(
          namespace,
          policyRef(action.name),
          'Skip',
          'DefaultDenyNotOwned',
          `NetworkPolicy ${action.name} has no label ${Object.entries(OWNED_LABELS)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}: netfence leaves it alone and keeps no default deny here`,
          'Warning',
        );
        return;
      }
    }
  };

  const reconcile = async (): Promise<void> => {
    reconcilePending = false;
    if (!canWrite()) return;
    const started = performance.now();
    const objects = watch.objects();
    for (const o of objects)
      if (o.kind === 'NetworkPolicy' && o.metadata.name === settings.defaultDeny.name && isOwned(o))
        present.add(o.metadata.namespace ?? '');
    const actions = planDefaultDeny(objects, settings);
    for (const key of notOwnedSeen)
      if (!actions.some((a) => a.kind === 'not-owned' && `${a.namespace}/${a.name}` === key))
        notOwnedSeen.delete(key);
    for (const action of actions) {
      if (!canWrite()) return;
      try {
        await apply(action);
      } catch (error) {
        metrics.inc('netfence_write_errors_total', HELP.writeErrors, { kind: 'NetworkPolicy' });
        log({
          msg: 'default deny not written',
          namespace: action.namespace,
          action: action.kind,
          error: message(error),
        });
      }
    }
    metrics.observe(
      'netfence_reconcile_duration_seconds',
      HELP.reconcile,
      {},
      (performance.now() - started) / 1000,
    );
  };

  function scheduleReconcile(): void {
    if (reconcilePending || stopping) return;
    reconcilePending = true;
    enqueue('reconcile', reconcile);
  }

  // ---- Audit

  const reportBody = (namespace: string, result: AuditResult): StoredObject => {
    const results = result.reports.get(namespace) ?? [];
    return {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: namespace === '' ? 'ClusterPolicyReport' : 'PolicyReport',
      metadata: {
        name: REPORT_NAME,
        ...(namespace === '' ? {} : { namespace }),
        labels: { ...OWNED_LABELS, [COMPONENT_LABEL]: 'audit' },
      },
      summary: summarize(results),
      results,
    };
  };

  const writeReport = async (namespace: string, result: AuditResult): Promise<void> => {
    const body = reportBody(namespace, result);
    const content = canonical({ summary: body.summary, results: body.results });
    if (written.get(namespace) === content) return;
    const address = {
      ...(namespace === '' ? CLUSTER_POLICY_REPORT : POLICY_REPORT),
      ...(namespace === '' ? {} : { namespace }),
      name: REPORT_NAME,
    };
    const live = await getObject(conn, address);
    if (live !== undefined && !isOwned(live)) {
      written.set(namespace, content);
      log({ msg: 'report not owned', namespace, name: REPORT_NAME });
      return;
    }
    if (live !== undefined && canonical({ summary: live.summary, results: live.results ?? [] }) === content) {
      written.set(namespace, content);
      return;
    }
    try {
      if (live === undefined) await createObject(conn, address, body);
      else
        await replaceObject(conn, address, {
          ...body,
          metadata: { ...body.metadata, resourceVersion: live.metadata.resourceVersion ?? '' },
        });
    } catch (error) {
      if (isStatus(error, 403) && /being terminated/.test(message(error))) return;
      if (isStatus(error, 404) && live === undefined && !namespaceGone(namespace)) {
        reportsOff = `the ${body.kind} CRD (wgpolicyk8s.io/v1alpha2) is not installed`;
        log({ msg: 'reports off', reason: reportsOff });
        return;
      }
      throw error;
    }
    written.set(namespace, content);
    metrics.inc('netfence_policy_reports_written_total', HELP.reports, { kind: body.kind! });
  };

  const namespaceGone = (namespace: string): boolean =>
    namespace !== '' && !watch.objects().some((o) => o.kind === 'Namespace' && o.metadata.name === namespace);

  const publish = (result: AuditResult, totalSeconds: number): void => {
    metrics.setGauge(
      'netfence_unprotected_workloads',
      HELP.unprotected,
      result.unprotected.map((u) => ({
        labels: { namespace: u.namespace, direction: u.direction },
        value: u.count,
      })),
    );
    metrics.setGauge(
      'netfence_lint_findings',
      HELP.findings,
      result.findings.map((f) => ({ labels: { rule: f.rule, severity: f.severity }, value: f.count })),
    );
    metrics.setGauge(
      'netfence_assertion_violations',
      HELP.violations,
      result.violations.map((v) => ({ labels: { spec: v.spec, test: v.test }, value: v.count })),
    );
    metrics.setGauge(
      'netfence_exposed_workloads',
      HELP.exposed,
      result.exposed.map((e) => ({ labels: { flag: e.flag }, value: e.count })),
    );
    metrics.setGauge(
      'netfence_blast_radius',
      HELP.blast,
      result.blastRadius.map((b) => ({ labels: { workload: b.workload }, value: b.reach })),
    );
    for (const d of result.durations)
      metrics.observe('netfence_audit_duration_seconds', HELP.audit, { phase: d.phase }, d.seconds);
    metrics.observe('netfence_audit_duration_seconds', HELP.audit, { phase: 'total' }, totalSeconds);
    metrics.inc('netfence_audits_total', HELP.audits);
    metrics.set('netfence_last_audit_timestamp_seconds', HELP.lastAudit, {}, Math.floor(Date.now() / 1000));
  };

  /** The objects the last audit left out (logged once per object and reason). */
  let skippedBefore: ReadonlyMap<string, string> = new Map();
  const runAudit = async (): Promise<void> => {
    auditPending = false;
    if (!canWrite()) return;
    const started = performance.now();
    const objects = watch.objects();
    const labels = new Map<string, Record<string, string>>();
    for (const o of objects)
      if (o.kind === 'Namespace' && o.metadata.name !== undefined)
        labels.set(o.metadata.name, o.metadata.labels ?? {});
    const result = audit(objects, {
      ...options.rules,
      blastRadiusTop: settings.blastRadiusTop,
      excluded: (ns) => excluded.why(ns, labels.get(ns) ?? {}) !== undefined,
    });
    publish(result, (performance.now() - started) / 1000);
    for (const left of newlySkipped(skippedBefore, result.skipped)) log({ msg: 'object left out', ...left });
    skippedBefore = result.skipped;
    log({
      msg: 'audit',
      namespaces: result.reports.size - 1,
      findings: result.findings.reduce((n, f) => n + f.count, 0),
      violations: result.violations.reduce((n, v) => n + v.count, 0),
      leftOut: result.skipped.size,
      ms: Math.round(performance.now() - started),
    });
    if (reportsOff !== undefined) return;
    for (const namespace of result.reports.keys()) {
      if (!canWrite() || reportsOff !== undefined) return;
      try {
        await writeReport(namespace, result);
      } catch (error) {
        metrics.inc('netfence_write_errors_total', HELP.writeErrors, { kind: 'PolicyReport' });
        log({ msg: 'report not written', namespace, error: message(error) });
      }
    }
  };

  const scheduleAudit = (now = false): void => {
    if (stopping) return;
    const t = Date.now();
    auditFirstAsked ??= t;
    if (auditTimer !== undefined) clearTimeout(auditTimer);
    // Debounced, but never put off for more than ten quiet spells under constant churn.
    const wait = now || t - auditFirstAsked > 10 * settings.auditDebounceMs ? 0 : settings.auditDebounceMs;
    auditTimer = setTimeout(() => {
      auditTimer = undefined;
      auditFirstAsked = undefined;
      if (auditPending) return;
      auditPending = true;
      enqueue('audit', runAudit);
    }, wait);
  };

  // ---- Watch, resync, election

  const onEvent = (e: WatchEvent): void => {
    if (e.kind === 'error' || e.kind === 'left-out') {
      if (e.kind === 'error')
        metrics.inc('netfence_watch_errors_total', HELP.watchErrors, { resource: e.resource });
      log({ msg: e.kind === 'error' ? 'watch error' : 'left out', resource: e.resource, reason: e.message });
      return;
    }
    // A kind left out before (its CRD installed since).
    if (e.kind === 'listed' && e.message !== undefined)
      log({ msg: 'watching', resource: e.resource, reason: e.message });
    if (!watch.isReady()) return;
    if (e.resource === 'namespaces' || e.resource === 'networkpolicies') scheduleReconcile();
    scheduleAudit();
  };
  const watch: ClusterWatch = options.watch(onEvent);
  void watch.ready.then(() => {
    if (stopping) return;
    metrics.set('netfence_ready', HELP.ready, {}, 1);
    log({ msg: 'ready', objects: watch.objects().length, leader: leading });
    scheduleReconcile();
    scheduleAudit(true);
  });

  const resync = setInterval(() => {
    written.clear();
    reportsOff = undefined;
    scheduleReconcile();
    scheduleAudit(true);
  }, settings.resyncMs);

  if (options.election !== undefined) {
    const e = options.election;
    const address = { ...LEASE, namespace: options.namespace, name: e.leaseName };
    election = runElection(
      {
        get: () => getObject(conn, address),
        create: (body) => createObject(conn, address, body),
        replace: (body) => replaceObject(conn, address, body),
      },
      e.leaseName,
      options.namespace,
      {
        identity: options.identity,
        leaseDurationMs: e.leaseDurationMs,
        renewDeadlineMs: e.renewDeadlineMs,
        retryMs: e.retryMs,
        onStartedLeading: () => {
          leading = true;
          metrics.set('netfence_leader', HELP.leader, {}, 1);
          log({ msg: 'leading', identity: options.identity });
          written.clear();
          scheduleReconcile();
          scheduleAudit(true);
        },
        onStoppedLeading: () => {
          leading = false;
          metrics.set('netfence_leader', HELP.leader, {}, 0);
          log({ msg: 'not leading', identity: options.identity });
        },
        onError: (reason) => log({ msg: 'election error', reason }),
      },
    );
  } else metrics.set('netfence_leader', HELP.leader, {}, 1);

  // ---- HTTP

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    type = 'text/plain; charset=utf-8',
  ): void => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'GET only\n');
    if (path === '/healthz') return send(res, 200, 'ok\n');
    if (path === '/readyz')
      return watch.isReady() ? send(res, 200, 'ok\n') : send(res, 503, 'reading the cluster\n');
    if (path === '/metrics')
      return send(res, 200, metrics.text(), 'text/plain; version=0.0.4; charset=utf-8');
    return send(res, 404, `no ${path ?? ''}: try /metrics, /healthz or /readyz\n`);
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      stopping = true;
      clearInterval(resync);
      watch.stop();
      void election?.stop();
      reject(error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${host}:${port}`,
    async stop() {
      stopping = true;
      clearInterval(resync);
      if (auditTimer !== undefined) clearTimeout(auditTimer);
      await Promise.all([queues.reconcile, queues.audit]);
      await election?.stop();
      watch.stop();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}
