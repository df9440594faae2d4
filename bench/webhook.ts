/**
 * Load on `netfence webhook` (issue #16): N AdmissionReviews (NetworkPolicy creations, updates and
 * deletions, namespace relabels) sent one after the other over HTTPS to the webhook's server, which holds a
 * synthetic cluster (bench/generate.ts) as its watches would, judged with the default lint configuration and
 * a reachability spec. Prints the latency percentiles (round trip as the client sees it, and the decision's
 * own time from the webhook's log), how each change was computed, the answers, the errors (none expected),
 * and the resident memory before and after the run; then times a few relabels of a namespace label that
 * selectors read (the path that builds the whole state again).
 *
 *   node --expose-gc bench/webhook.ts [--tier T4] [--mix microseg] [--requests 1000] [--seed 1] [--slow 3]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_RULES, type AdmissionRules } from '../src/admission/decide.ts';
import { startWebhook, type LogEntry } from '../src/admission/server.ts';
import { makeSelfSigned } from '../src/admission/tls.ts';
import { fromWatched } from '../src/k8s/read.ts';
import { KIND_OF, type KubeObject, type Resource } from '../src/k8s/types.ts';
import { parseSpec } from '../src/testspec/spec.ts';
import { defaultOutDir, readStats, rng, writeCluster, type Mix, type TierName } from './generate.ts';

const { values } = parseArgs({
  options: {
    tier: { type: 'string', default: 'T4' },
    mix: { type: 'string', default: 'microseg' },
    requests: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    slow: { type: 'string', default: '3' },
  },
});
const options = { tier: values.tier as TierName, mix: values.mix as Mix, seed: Number(values.seed) };
const dir = defaultOutDir(options);
if (readStats(dir) === undefined) writeCluster(dir, options);

type Wire = Record<string, unknown> & {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};
const RESOURCE_OF = new Map(Object.entries(KIND_OF).map(([r, k]) => [k as string, r as Resource]));

/** The cluster's objects as the API server sends them (wire JSON), and as the watch holds them. */
const wire: Wire[] = [];
const walk = (d: string): void => {
  for (const f of readdirSync(d).sort()) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (f.endsWith('.yaml'))
      for (const doc of parseAllDocuments(readFileSync(p, 'utf8'))) wire.push(doc.toJS() as Wire);
  }
};
walk(dir);
const held: KubeObject[] = wire.map((o) => fromWatched(RESOURCE_OF.get(o.kind)!, o));
const namespaces = wire.filter((o) => o.kind === 'Namespace');
const tenants = namespaces.filter((o) => o.metadata.name.startsWith('tenant-'));
const policies = wire.filter((o) => o.kind === 'NetworkPolicy');
const workloadsIn = (ns: string): string[] =>
  wire.filter((o) => o.kind === 'Deployment' && o.metadata.namespace === ns).map((o) => o.metadata.name);

// The organisation's rules: the default lint configuration, and a spec of tenant isolation and monitoring.
const [t1, t2, t3] = [tenants[0]!.metadata.name, tenants[1]!.metadata.name, tenants[2]!.metadata.name];
const specText = `tests:
  - name: ${t1} never reaches ${t2}
    from: ${t1}/*
    to: ${t2}/*
    expect: deny
  - name: ${t2} never reaches ${t3}
    from: ${t2}/*
    to: ${t3}/*
    expect: deny
  - name: ${t3} never reaches ${t1}
    from: ${t3}/*
    to: ${t1}/*
    expect: deny
  - name: nothing in ${t1} is reached from ${t3} on 5432
    from: ${t3}/*
    to: ${t1}/${workloadsIn(t1)[0]!}
    port: 5432/TCP
    expect: deny
`;
const spec = parseSpec(specText, 'bench-spec.yaml');
if (!spec.ok) throw new Error(JSON.stringify(spec.problems));
const rules: AdmissionRules = { ...DEFAULT_RULES, specs: [spec.spec], engine: { ipBlockMatchesPods: true } };

// The requests: a fixed mix, drawn from the seed.
const random = rng(options.seed);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
let uid = 0;
const reviewOf = (operation: string, object: Wire | undefined, oldObject: Wire | undefined): string => {
  const o = (object ?? oldObject)!;
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `bench-${++uid}`,
      kind: { group, version: o.apiVersion.split('/').at(-1), kind: o.kind },
      operation,
      ...(o.metadata.namespace === undefined ? {} : { namespace: o.metadata.namespace }),
      name: o.metadata.name,
      object: object ?? null,
      oldObject: oldObject ?? null,
      dryRun: random() < 0.3,
      userInfo: { username: 'bench' },
    },
  });
};
type Kind = 'policy update' | 'policy create' | 'policy delete' | 'namespace relabel';
const allowFrom = (ns: string, app: string, from: string, port: number): Wire => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: `bench-allow-${from}-${uid}`, namespace: ns },
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': from } } }],
        ports: [{ port, protocol: 'TCP' }],
      },
    ],
  },
});
const nextRequest = (): { kind: Kind; body: string } => {
  const r = random();
  if (r < 0.35) {
    // An existing policy gets one more ingress rule from another tenant, or a port less.
    const old = pick(policies);
    const spec = old.spec as { ingress?: unknown[] };
    const widened = {
      ...old,
      spec: {
        ...spec,
        ingress: [
          ...(spec.ingress ?? []),
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': pick(tenants).metadata.name },
                },
              },
            ],
            ports: [{ port: 8080, protocol: 'TCP' }],
          },
        ],
      },
    };
    return { kind: 'policy update', body: reviewOf('UPDATE', widened, old) };
  }
  if (r < 0.65) {
    // A new policy: a tenant (sometimes one the spec names) opens an app to another tenant, or a copy.
    const ns = random() < 0.2 ? pick([t1, t2, t3]) : pick(tenants).metadata.name;
    const apps = workloadsIn(ns);
    if (random() < 0.25) {
      const copy = pick(policies.filter((p) => p.metadata.namespace === ns));
      return {
        kind: 'policy create',
        body: reviewOf(
          'CREATE',
          { ...copy, metadata: { ...copy.metadata, name: `bench-copy-${uid}` } },
          undefined,
        ),
      };
    }
    const from = random() < 0.2 ? pick([t1, t2, t3]) : pick(tenants).metadata.name;
    return {
      kind: 'policy create',
      body: reviewOf('CREATE', allowFrom(ns, pick(apps), from, pick([8080, 5432, 6379])), undefined),
    };
  }
  if (r < 0.8) return { kind: 'policy delete', body: reviewOf('DELETE', undefined, pick(policies)) };
  // A tenant moves to another environment, or gets an owner: labels the platform team sets.
  const old = pick(tenants);
  const labels = { ...old.metadata.labels };
  if (random() < 0.5) labels.env = labels.env === 'prod' ? 'staging' : 'prod';
  else labels.owner = `team-${Math.floor(random() * 100)}`;
  return {
    kind: 'namespace relabel',
    body: reviewOf('UPDATE', { ...old, metadata: { ...old.metadata, labels } }, old),
  };
};

const log: LogEntry[] = [];
const tls = await makeSelfSigned(['127.0.0.1']);
const webhook = await startWebhook({
  host: '127.0.0.1',
  port: 0,
  tls,
  rules,
  source: { isReady: () => true, generation: () => 1, objects: () => held },
  log: (e) => log.push(e),
  syncEveryMs: 0,
});
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const post = (body: string): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const req = request(
      `${webhook.url}/validate`,
      { method: 'POST', ca: tls.ca, agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const gc = (globalThis as { gc?: () => void }).gc;
const rss = (): number => {
  gc?.();
  return process.memoryUsage().rss;
};
const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;
const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(1) : Math.round(ms).toString());

process.stdout.write(
  `${values.tier} ${values.mix}: ${held.length} objects (${policies.length} NetworkPolicies, ${namespaces.length} namespaces); rules: default lint configuration, ${spec.spec.tests.length} spec tests\n`,
);
let started = performance.now();
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return Math.round((used.user + used.system) / 1000);
};
const firstCpu = process.cpuUsage();
const first = await post(reviewOf('UPDATE', namespaces[0], namespaces[0]));
process.stdout.write(
  `first request (builds the held cluster and its engine): ${Math.round(performance.now() - started)} ms (${cpuMs(firstCpu)} ms CPU), status ${first.status}\n`,
);
const rssBefore = rss();

const n = Number(values.requests);
const sent: { kind: Kind; body: string }[] = Array.from({ length: n }, nextRequest);
const latencies: number[] = [];
/** CPU time of the process per request (server and client: one process), robust to a busy machine. */
const cpu: number[] = [];
const byKind = new Map<Kind, number[]>();
let errors = 0;
const logStart = log.length;
started = performance.now();
for (const r of sent) {
  const t = performance.now();
  const c = process.cpuUsage();
  const answer = await post(r.body);
  const ms = performance.now() - t;
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1000);
  latencies.push(ms);
  byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), ms]);
  if (answer.status !== 200) errors++;
}
const totalMs = performance.now() - started;
const rssAfter = rss();

const decisions = log.slice(logStart).filter((e) => e.msg === 'decision');
const serverMs = decisions.map((e) => e.ms as number).sort((a, b) => a - b);
const sorted = [...latencies].sort((a, b) => a - b);
const row = (label: string, list: readonly number[]): string => {
  const s = [...list].sort((a, b) => a - b);
  return `| ${label} | ${s.length} | ${fmt(percentile(s, 50))} | ${fmt(percentile(s, 95))} | ${fmt(percentile(s, 99))} | ${fmt(s.at(-1)!)} |\n`;
};
const count = (key: string): string => {
  const counts = new Map<string, number>();
  for (const e of decisions) {
    const value = JSON.stringify(e[key] ?? '-');
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts].map(([k, v]) => `${k}: ${v}`).join(', ');
};
process.stdout.write(
  `\n| requests | n | p50 ms | p95 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |\n` +
    row('all (round trip)', sorted) +
    [...byKind].map(([k, v]) => row(k, v)).join('') +
    row('all (decision, from the log)', serverMs) +
    row('all (CPU time of the process)', cpu) +
    `\n${n} requests in ${(totalMs / 1000).toFixed(1)} s, ${errors} errors; answers: ${count('allowed')} (allowed); ` +
    `computed: ${count('computed')}\n` +
    `RSS after the first request ${mib(rssBefore)}, after ${n} requests ${mib(rssAfter)} ` +
    `(${rssAfter >= rssBefore ? '+' : ''}${mib(rssAfter - rssBefore)})${gc === undefined ? ' (without --expose-gc: not collected first)' : ''}\n`,
);

// The slow path: a label that selectors read (`role`, which the shared namespaces' policies select on).
const slow = Number(values.slow);
for (let i = 0; i < slow; i++) {
  const old = tenants[i]!;
  const body = reviewOf(
    'UPDATE',
    { ...old, metadata: { ...old.metadata, labels: { ...old.metadata.labels, role: 'monitoring' } } },
    old,
  );
  const t = performance.now();
  const c = process.cpuUsage();
  const answer = await post(body);
  const entry = log.at(-1)!;
  process.stdout.write(
    `relabel ${old.metadata.name} role=monitoring (a key selectors read): ${Math.round(performance.now() - t)} ms (${cpuMs(c)} ms CPU), status ${answer.status}, computed: ${String(entry.computed)}, allowed: ${String(entry.allowed)}\n`,
  );
}
agent.destroy();
await webhook.close();
await rm(tls.dir, { recursive: true, force: true });
