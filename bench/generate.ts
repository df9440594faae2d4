/**
 * Synthetic clusters for the benchmark: a folder of ordinary manifests (Namespaces, Deployments and
 * StatefulSets with replicas and pod templates, Services, NetworkPolicies, and for the adversarial mix real
 * Pods) that any tool reading manifests can analyze. The same tier, mix and seed always write the same bytes.
 *
 *   node bench/generate.ts --tier T1 --mix microseg [--seed 1] [--out bench/out/T1-microseg-s1]
 *
 * Tiers fix the size (pods / workloads / policies / namespaces); mixes fix the kind of policies. "Pods" is the
 * sum of the workloads' replicas: the manifests give pod templates, and netfence computes on one
 * representative pod per workload, so its cost follows workloads and classes, not replicas. Only the
 * adversarial mix writes real Pod objects, each with a unique `pod-id` label that policies select, so that
 * pods cannot be grouped (classes ≈ pods).
 *
 * Layout: one folder per namespace with `workloads.yaml` (the Namespace, its workloads and Services, and
 * Pods) and `networkpolicies.yaml`, for the tiers mix `cluster-policies/clusternetworkpolicies.yaml`, plus
 * `.netfence-bench.json` (hidden, so not read as a manifest) with the parameters and counts.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

/** Bumped whenever the output changes, so that cached clusters in bench/out are regenerated. */
export const GENERATOR_VERSION = 2;

export interface Tier {
  /** Sum of the workloads' replicas (for the adversarial mix, real Pod objects). */
  pods: number;
  workloads: number;
  policies: number;
  /** Including the three shared namespaces: kube-system, monitoring, ingress-nginx. */
  namespaces: number;
}

export const TIERS = {
  T0: { pods: 60, workloads: 20, policies: 30, namespaces: 6 },
  T1: { pods: 3_000, workloads: 1_000, policies: 2_500, namespaces: 100 },
  T2: { pods: 5_400, workloads: 2_000, policies: 13_700, namespaces: 600 },
  T3: { pods: 15_000, workloads: 5_000, policies: 12_500, namespaces: 500 },
  T4: { pods: 50_000, workloads: 10_000, policies: 25_000, namespaces: 1_000 },
  T5: { pods: 150_000, workloads: 50_000, policies: 100_000, namespaces: 5_000 },
} as const satisfies Record<string, Tier>;
export type TierName = keyof typeof TIERS;
export const TIER_NAMES = Object.keys(TIERS) as TierName[];

export const Mix = {
  MultiTenant: 'multitenant',
  Microseg: 'microseg',
  Cidr: 'cidr',
  Ports: 'ports',
  Adversarial: 'adversarial',
  None: 'none',
  Tiers: 'tiers',
  Cilium: 'cilium',
} as const;
export type Mix = (typeof Mix)[keyof typeof Mix];
export const MIXES: readonly Mix[] = Object.values(Mix);

export const MIX_DESCRIPTIONS: Record<Mix, string> = {
  multitenant:
    'default deny, same-namespace allowed, DNS, shared monitoring and ingress namespaces, partner tenants',
  microseg: 'default deny, one ingress and one egress policy per app allowing 1–3 apps on exact ports',
  cidr: 'default deny, ipBlocks with except (nested /8 … /32, IPv4 and IPv6) towards and from outside',
  ports: 'default deny, several named ports per pod, named ports in egress to broad peers, endPort ranges',
  adversarial: 'real Pods, each with a unique pod-id label that the policies select (no two pods alike)',
  none: 'no NetworkPolicy at all: every pod reaches every pod',
  tiers:
    'microseg, plus 200 ClusterNetworkPolicies of both tiers (guardrails, team isolation, egress lockdowns, baseline)',
  cilium:
    'microseg, plus Cilium policies: a world ingress deny per namespace, one CiliumNetworkPolicy per third app (entities, L7, toFQDNs, egress denies), 3 clusterwide',
};

/**
 * The mix whose cluster and NetworkPolicies a mix writes: the tiers mix is microseg plus cluster policies, the
 * cilium mix microseg plus Cilium policies.
 */
function baseMix(mix: Mix): Mix {
  return mix === 'tiers' || mix === 'cilium' ? 'microseg' : mix;
}

// ---------------------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: small, fast, and the same sequence on every platform. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashText(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------------------------------------
// A minimal YAML writer (block style; strings quoted only when a plain scalar could mean something else)

type Json = string | number | boolean | Json[] | { [key: string]: Json };

const PLAIN = /^[A-Za-z_][A-Za-z0-9._/-]*$/;
const SPECIAL = /^(?:true|false|yes|no|on|off|y|n|null)$/i;

function scalar(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v);
  return PLAIN.test(v) && !SPECIAL.test(v) ? v : JSON.stringify(v);
}

function isMap(v: Json): v is { [key: string]: Json } {
  return typeof v === 'object' && !Array.isArray(v);
}

function writeMap(obj: { [key: string]: Json }, indent: string, out: string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = scalar(k);
    if (isMap(v)) {
      if (Object.keys(v).length === 0) out.push(`${indent}${key}: {}`);
      else {
        out.push(`${indent}${key}:`);
        writeMap(v, `${indent}  `, out);
      }
    } else if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${indent}${key}: []`);
      else {
        out.push(`${indent}${key}:`);
        writeSeq(v, indent, out);
      }
    } else out.push(`${indent}${key}: ${scalar(v)}`);
  }
}

function writeSeq(list: Json[], indent: string, out: string[]): void {
  for (const item of list) {
    if (Array.isArray(item)) throw new Error('nested sequences are not written');
    if (!isMap(item)) {
      out.push(`${indent}- ${scalar(item)}`);
    } else if (Object.keys(item).length === 0) {
      out.push(`${indent}- {}`);
    } else {
      const sub: string[] = [];
      writeMap(item, `${indent}  `, sub);
      sub[0] = `${indent}- ${sub[0]!.slice(indent.length + 2)}`;
      out.push(...sub);
    }
  }
}

/** Documents separated by `---`, each ending in a newline. */
export function toYaml(documents: readonly { [key: string]: Json }[]): string {
  const out: string[] = [];
  for (const d of documents) {
    out.push('---');
    writeMap(d, '', out);
  }
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// The cluster

interface Port {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

interface Workload {
  index: number;
  ns: Namespace;
  name: string;
  kind: 'Deployment' | 'StatefulSet';
  replicas: number;
  tier: string;
  labels: Record<string, string>;
  ports: Port[];
  /** Pod ids (adversarial mix: one real Pod each). */
  podIds: number[];
}

interface Namespace {
  index: number;
  name: string;
  labels: Record<string, string>;
  shared: boolean;
  workloads: Workload[];
}

interface Cluster {
  namespaces: Namespace[];
  workloads: Workload[];
  /** The workloads of the tenant namespaces. */
  apps: Workload[];
  tenants: Namespace[];
  coredns: Workload;
  prometheus: Workload;
  ingress: Workload;
}

const WORDS = [
  'web',
  'api',
  'cart',
  'catalog',
  'checkout',
  'auth',
  'search',
  'worker',
  'billing',
  'mailer',
  'gateway',
  'profile',
  'orders',
  'inventory',
  'reports',
  'notify',
];
const STATEFUL = ['postgres', 'redis', 'kafka', 'mongo'];
const TIERS_OF_APPS = ['web', 'api', 'worker', 'batch'];
const ENVS = ['prod', 'staging', 'dev'];
const NAME_LABEL = 'app.kubernetes.io/name';
const NS_LABEL = 'kubernetes.io/metadata.name';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `count` split into `parts` positive integers with random weights (largest remainder), summing exactly. */
function split(count: number, parts: number, random: Random, spread: number): number[] {
  if (parts === 0) return [];
  const base = Math.min(1, Math.floor(count / parts));
  const out = Array.from({ length: parts }, () => base);
  let rest = count - base * parts;
  const weights = out.map(() => 1 + spread * random.next() ** 2);
  const total = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => (w / total) * rest);
  const floors = shares.map(Math.floor);
  for (let i = 0; i < parts; i++) out[i]! += floors[i]!;
  rest -= floors.reduce((a, b) => a + b, 0);
  const order = shares
    .map((s, i) => [s - Math.floor(s), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; i < rest; i++) out[order[i % parts]![1]]!++;
  return out;
}

function appPorts(word: string, mix: Mix, random: Random): Port[] {
  if (STATEFUL.includes(word)) {
    const port = { postgres: 5432, redis: 6379, kafka: 9092, mongo: 27017 }[word]!;
    return [
      { name: 'db', port, protocol: 'TCP' },
      { name: 'metrics', port: 9187, protocol: 'TCP' },
    ];
  }
  if (mix !== 'ports') {
    return [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
    ];
  }
  // Port-heavy: several named ports, numbers differing between apps, so that one name resolves differently.
  const ports: Port[] = [
    { name: 'http', port: random.range(8000, 8099), protocol: 'TCP' },
    { name: 'metrics', port: random.range(9090, 9199), protocol: 'TCP' },
  ];
  if (random.chance(0.6)) ports.push({ name: 'grpc', port: random.range(50051, 50070), protocol: 'TCP' });
  if (random.chance(0.5)) ports.push({ name: 'admin', port: random.range(7000, 7099), protocol: 'TCP' });
  if (random.chance(0.4)) ports.push({ name: 'stats', port: random.range(8125, 8135), protocol: 'UDP' });
  if (random.chance(0.15)) ports.push({ name: 'signal', port: random.range(3868, 3870), protocol: 'SCTP' });
  return ports;
}

function buildCluster(tier: Tier, mix: Mix, random: Random): Cluster {
  const namespaces: Namespace[] = [];
  const workloads: Workload[] = [];
  const addNamespace = (name: string, labels: Record<string, string>, shared: boolean): Namespace => {
    const ns: Namespace = { index: namespaces.length, name, labels, shared, workloads: [] };
    namespaces.push(ns);
    return ns;
  };
  const addWorkload = (
    ns: Namespace,
    name: string,
    kind: Workload['kind'],
    labels: Record<string, string>,
    ports: Port[],
    tierLabel: string,
  ): Workload => {
    const w: Workload = {
      index: workloads.length,
      ns,
      name,
      kind,
      replicas: 1,
      tier: tierLabel,
      labels,
      ports,
      podIds: [],
    };
    workloads.push(w);
    ns.workloads.push(w);
    return w;
  };

  const kubeSystem = addNamespace('kube-system', {}, true);
  const monitoring = addNamespace('monitoring', { role: 'monitoring', team: 'platform' }, true);
  const ingressNs = addNamespace('ingress-nginx', { role: 'ingress', team: 'platform' }, true);
  const coredns = addWorkload(
    kubeSystem,
    'coredns',
    'Deployment',
    { 'k8s-app': 'kube-dns' },
    [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
    'system',
  );
  const prometheus = addWorkload(
    monitoring,
    'prometheus',
    'StatefulSet',
    { [NAME_LABEL]: 'prometheus' },
    [{ name: 'web', port: 9090, protocol: 'TCP' }],
    'system',
  );
  const ingress = addWorkload(
    ingressNs,
    'ingress-nginx-controller',
    'Deployment',
    { [NAME_LABEL]: 'ingress-nginx' },
    [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'https', port: 443, protocol: 'TCP' },
    ],
    'system',
  );

  const tenantCount = tier.namespaces - namespaces.length;
  const tenants: Namespace[] = [];
  const teams = Math.max(1, Math.ceil(tenantCount / 5));
  for (let i = 0; i < tenantCount; i++) {
    const name = `tenant-${pad(i + 1, 4)}`;
    tenants.push(
      addNamespace(
        name,
        { tenant: name, team: `team-${pad((i % teams) + 1, 4)}`, env: random.pick(ENVS) },
        false,
      ),
    );
  }
  const perNamespace = split(tier.workloads - workloads.length, tenantCount, random, 3);
  for (const ns of tenants) {
    const used = new Map<string, number>();
    for (let j = 0; j < perNamespace[ns.index - 3]!; j++) {
      const word = random.chance(0.15) ? random.pick(STATEFUL) : random.pick(WORDS);
      const n = (used.get(word) ?? 0) + 1;
      used.set(word, n);
      const name = n === 1 ? word : `${word}-${n}`;
      const stateful = STATEFUL.includes(word);
      const tierLabel = stateful ? 'data' : word === 'web' ? 'web' : random.pick(TIERS_OF_APPS);
      addWorkload(
        ns,
        name,
        stateful ? 'StatefulSet' : 'Deployment',
        { [NAME_LABEL]: name, 'app.kubernetes.io/part-of': ns.name, tier: tierLabel },
        appPorts(word, mix, random),
        tierLabel,
      );
    }
  }
  const replicas = split(tier.pods, workloads.length, random, 4);
  let podId = 0;
  for (const w of workloads) {
    w.replicas = replicas[w.index]!;
    if (mix === 'adversarial') for (let r = 0; r < w.replicas; r++) w.podIds.push(podId++);
  }
  const apps = workloads.filter((w) => !w.ns.shared);
  return { namespaces, workloads, apps, tenants, coredns, prometheus, ingress };
}

// ---------------------------------------------------------------------------------------------------------
// Workload objects

function selectorOf(w: Workload): Record<string, string> {
  return w.ns.shared ? w.labels : { [NAME_LABEL]: w.labels[NAME_LABEL]! };
}

function containerPorts(w: Workload): Json[] {
  return w.ports.map((p) =>
    p.protocol === 'TCP'
      ? { name: p.name, containerPort: p.port }
      : { name: p.name, containerPort: p.port, protocol: p.protocol },
  );
}

/** A stable pseudo hash for ReplicaSet and pod names (lowercase letters and digits, like the controllers'). */
function nameHash(text: string, length: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = hashText(text);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[h % alphabet.length]!;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return out;
}

/** A stable UUID-shaped uid (owner references require one). */
function uid(text: string): string {
  let hex = '';
  for (let i = 0; hex.length < 32; i++) hex += hashText(`${i}:${text}`).toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function podIp(id: number): string {
  // 10.64.0.0/10: room for four million pods.
  const n = (10 << 24) + (64 << 16) + id;
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function workloadDocuments(w: Workload): { [key: string]: Json }[] {
  const podSpec: Json = {
    containers: [
      {
        name: w.name.replace(/-\d+$/, ''),
        image: `registry.example/${w.ns.name}/${w.name}:1.0.0`,
        ports: containerPorts(w),
      },
    ],
  };
  const spec: { [key: string]: Json } = {
    replicas: w.replicas,
    selector: { matchLabels: selectorOf(w) },
    template: { metadata: { labels: w.labels }, spec: podSpec },
  };
  if (w.kind === 'StatefulSet') spec['serviceName'] = w.name;
  const docs: { [key: string]: Json }[] = [
    {
      apiVersion: 'apps/v1',
      kind: w.kind,
      metadata: { name: w.name, namespace: w.ns.name, labels: w.labels },
      spec,
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: w.name, namespace: w.ns.name },
      spec: {
        selector: selectorOf(w),
        ports: w.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, targetPort: p.name })),
      },
    },
  ];
  if (w.podIds.length > 0) {
    const hash = nameHash(`${w.ns.name}/${w.name}`, 10);
    for (const id of w.podIds) {
      const name =
        w.kind === 'StatefulSet'
          ? `${w.name}-${id - w.podIds[0]!}`
          : `${w.name}-${hash}-${nameHash(`${id}`, 5)}`;
      const owner =
        w.kind === 'StatefulSet'
          ? {
              apiVersion: 'apps/v1',
              kind: 'StatefulSet',
              name: w.name,
              uid: uid(`${w.ns.name}/${w.name}`),
              controller: true,
            }
          : {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: `${w.name}-${hash}`,
              uid: uid(`${w.ns.name}/${w.name}-${hash}`),
              controller: true,
            };
      const extra: Record<string, string> =
        w.kind === 'StatefulSet'
          ? { 'statefulset.kubernetes.io/pod-name': name }
          : { 'pod-template-hash': hash };
      const ip = podIp(id);
      docs.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: w.ns.name,
          labels: { ...w.labels, ...extra, 'pod-id': `p${id}` },
          ownerReferences: [owner],
        },
        spec: podSpec,
        status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
      });
    }
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------------------
// Policies

interface Policy {
  ns: Namespace;
  name: string;
  spec: { [key: string]: Json };
}

type PolicyMaker = (w: Workload, k: number, random: Random) => Policy | undefined;

interface MixPlan {
  /** Policies every tenant namespace gets (default deny first), then the shared namespaces'. */
  base(ns: Namespace): Policy[];
  shared(): Policy[];
  /** The k-th per-workload policy of `w` (k = 0, 1, 2, ...), or undefined to skip. */
  perWorkload: PolicyMaker;
}

const DNS_EGRESS: Json = {
  to: [
    {
      namespaceSelector: { matchLabels: { [NS_LABEL]: 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

function defaultDeny(ns: Namespace): Policy {
  return { ns, name: 'default-deny', spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
}

function allowDns(ns: Namespace): Policy {
  return { ns, name: 'allow-dns', spec: { podSelector: {}, policyTypes: ['Egress'], egress: [DNS_EGRESS] } };
}

function podsOf(w: Workload): Json {
  return { matchLabels: { [NAME_LABEL]: w.labels[NAME_LABEL] ?? w.name } };
}

/** A peer naming workload `w`, as written from a policy in namespace `from`. */
function peerOf(w: Workload, from: Namespace): { [key: string]: Json } {
  const podSelector = w.ns.shared ? { matchLabels: w.labels } : podsOf(w);
  return w.ns === from
    ? { podSelector }
    : { namespaceSelector: { matchLabels: { [NS_LABEL]: w.ns.name } }, podSelector };
}

function mainPort(w: Workload): Port {
  return w.ports[0]!;
}

function sharedPolicies(c: Cluster): Policy[] {
  const kubeSystem = c.coredns.ns;
  const monitoring = c.prometheus.ns;
  const ingress = c.ingress.ns;
  return [
    {
      ns: kubeSystem,
      name: 'coredns',
      spec: {
        podSelector: { matchLabels: c.coredns.labels },
        policyTypes: ['Ingress'],
        ingress: [
          {
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    },
    {
      ns: monitoring,
      name: 'prometheus',
      spec: {
        podSelector: { matchLabels: c.prometheus.labels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { role: 'ingress' } } }], ports: [{ port: 9090 }] },
        ],
        egress: [
          { to: [{ namespaceSelector: {} }], ports: [{ port: 'metrics' }, { port: 9090, endPort: 9199 }] },
          DNS_EGRESS,
        ],
      },
    },
    {
      ns: ingress,
      name: 'ingress-controller',
      spec: {
        podSelector: { matchLabels: c.ingress.labels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 80 }, { port: 443 }] }],
        egress: [
          {
            to: [{ namespaceSelector: {}, podSelector: { matchLabels: { tier: 'web' } } }],
            ports: [{ port: 8080 }],
          },
          { to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ port: 6443 }] },
          DNS_EGRESS,
        ],
      },
    },
  ];
}

/** Callers of each workload: every tenant workload calls 1–3 others, mostly in its own namespace. */
function callGraph(c: Cluster, random: Random): Workload[][] {
  const callers: Workload[][] = c.workloads.map(() => []);
  const apps = c.apps;
  for (const w of apps) {
    const n = random.range(1, 3);
    for (let i = 0; i < n; i++) {
      const local = w.ns.workloads.length > 1 && random.chance(0.7);
      const callee = local ? random.pick(w.ns.workloads) : random.pick(apps);
      if (callee !== w && !callers[callee.index]!.includes(w)) callers[callee.index]!.push(w);
    }
  }
  return callers;
}

function multiTenantPlan(c: Cluster): MixPlan {
  return {
    base: (ns) => [
      defaultDeny(ns),
      {
        ns,
        name: 'allow-same-namespace',
        spec: {
          podSelector: {},
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: {} }] }],
          egress: [{ to: [{ podSelector: {} }] }],
        },
      },
      allowDns(ns),
      {
        ns,
        name: 'allow-monitoring',
        spec: {
          podSelector: {},
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { role: 'monitoring' } },
                  podSelector: { matchLabels: c.prometheus.labels },
                },
              ],
              ports: [{ port: 'metrics' }],
            },
          ],
        },
      },
      {
        ns,
        name: 'allow-ingress-controller',
        spec: {
          podSelector: { matchLabels: { tier: 'web' } },
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { role: 'ingress' } } }], ports: [{ port: 8080 }] },
          ],
        },
      },
    ],
    shared: () => sharedPolicies(c),
    perWorkload: (w, k, random) => {
      const name = w.labels[NAME_LABEL]!;
      switch (k % 3) {
        case 0: {
          const partner = random.pick(c.tenants);
          return {
            ns: w.ns,
            name: `allow-${name}-from-${partner.name}-${k}`,
            spec: {
              podSelector: podsOf(w),
              ingress: [
                {
                  from: [{ namespaceSelector: { matchLabels: { tenant: partner.name } } }],
                  ports: [{ port: mainPort(w).port }],
                },
              ],
            },
          };
        }
        case 1:
          return {
            ns: w.ns,
            name: `allow-${name}-to-team-${k}`,
            spec: {
              podSelector: podsOf(w),
              policyTypes: ['Egress'],
              egress: [
                {
                  to: [{ namespaceSelector: { matchLabels: { team: w.ns.labels['team']! } } }],
                  ports: [{ port: 443 }, { port: 8080 }],
                },
              ],
            },
          };
        default:
          return {
            ns: w.ns,
            name: `allow-${name}-from-prod-api-${k}`,
            spec: {
              podSelector: podsOf(w),
              ingress: [
                {
                  from: [
                    {
                      namespaceSelector: {
                        matchLabels: { team: random.pick(c.tenants).labels['team']!, env: 'prod' },
                      },
                      podSelector: { matchLabels: { tier: 'api' } },
                    },
                  ],
                  ports: [{ port: mainPort(w).port }],
                },
              ],
            },
          };
      }
    },
  };
}

function microsegPlan(c: Cluster, random: Random): MixPlan {
  const callers = callGraph(c, random);
  const callees: Workload[][] = c.workloads.map(() => []);
  for (const w of c.workloads) for (const caller of callers[w.index]!) callees[caller.index]!.push(w);
  const exact = (w: Workload): Json[] => [{ protocol: mainPort(w).protocol, port: mainPort(w).port }];
  return {
    base: (ns) => [defaultDeny(ns), allowDns(ns)],
    shared: () => sharedPolicies(c),
    perWorkload: (w, k, random) => {
      const name = w.labels[NAME_LABEL]!;
      const mine = callers[w.index]!;
      if (k === 0) {
        const from = mine.length > 0 ? mine.slice(0, 3) : [random.pick(c.apps)];
        return {
          ns: w.ns,
          name: `${name}-ingress`,
          spec: {
            podSelector: podsOf(w),
            policyTypes: ['Ingress'],
            ingress: [
              { from: from.map((x) => peerOf(x, w.ns)), ports: exact(w) },
              {
                from: [peerOf(c.prometheus, w.ns)],
                ports: [{ port: w.ports.find((p) => p.name === 'metrics')?.port ?? 9090 }],
              },
            ],
          },
        };
      }
      if (k === 1) {
        const to = callees[w.index]!.slice(0, 3);
        return {
          ns: w.ns,
          name: `${name}-egress`,
          spec: {
            podSelector: podsOf(w),
            policyTypes: ['Egress'],
            egress: to.map((x) => ({ to: [peerOf(x, w.ns)], ports: exact(x) })),
          },
        };
      }
      // More callers than the first policy names, then extra single-peer allowances on the admin port.
      const extra = mine[k + 1];
      let peer = extra ?? random.pick(c.apps);
      if (peer === w) peer = c.apps[(c.apps.indexOf(w) + 1) % c.apps.length]!;
      return {
        ns: w.ns,
        name: `${name}-from-${peer.ns === w.ns ? '' : `${peer.ns.name}-`}${peer.labels[NAME_LABEL]!}-${k}`,
        spec: {
          podSelector: podsOf(w),
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [peerOf(peer, w.ns)],
              ports: extra !== undefined ? exact(w) : [{ port: 7000 + (k % 100) }],
            },
          ],
        },
      };
    },
  };
}

function cidrPlan(c: Cluster, random: Random): MixPlan {
  // A pool of blocks with excepts, nested at several levels (CIDRs are laminar: nested or disjoint).
  const pool: { cidr: string; except: string[] }[] = [];
  const size = Math.max(8, Math.floor(c.workloads.length / 2));
  for (let i = 0; i < size; i++) {
    const a = random.int(64);
    const b = random.int(256);
    const c8 = random.int(16) * 16;
    switch (random.int(6)) {
      case 0:
        pool.push({ cidr: `10.${a}.0.0/16`, except: [`10.${a}.${b}.0/24`] });
        break;
      case 1:
        pool.push({ cidr: `10.${a}.${b}.0/24`, except: [`10.${a}.${b}.${c8}/28`] });
        break;
      case 2:
        pool.push({ cidr: `172.${16 + (a % 16)}.${b}.0/24`, except: [] });
        break;
      case 3:
        pool.push({ cidr: `192.168.${b}.${c8}/28`, except: [`192.168.${b}.${c8 + 1}/32`] });
        break;
      case 4:
        pool.push({ cidr: `2001:db8:${a.toString(16)}:${b.toString(16)}::/64`, except: [] });
        break;
      default:
        pool.push({ cidr: `203.0.${a}.${b}/32`, except: [] });
    }
  }
  const internet = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] };
  const block = (b: { cidr: string; except: string[] }): Json =>
    b.except.length === 0 ? { ipBlock: { cidr: b.cidr } } : { ipBlock: { cidr: b.cidr, except: b.except } };
  return {
    base: (ns) => [
      defaultDeny(ns),
      allowDns(ns),
      {
        ns,
        name: 'allow-same-namespace',
        spec: {
          podSelector: {},
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: {} }] }],
          egress: [{ to: [{ podSelector: {} }] }],
        },
      },
    ],
    shared: () => sharedPolicies(c),
    perWorkload: (w, k, random) => {
      const name = w.labels[NAME_LABEL]!;
      if (k % 2 === 0) {
        const peers = [block(random.pick(pool))];
        if (random.chance(0.5)) peers.push(block(random.pick(pool)));
        if (random.chance(0.2)) peers.push(block(internet));
        return {
          ns: w.ns,
          name: `${name}-egress-${k}`,
          spec: {
            podSelector: podsOf(w),
            policyTypes: ['Egress'],
            egress: [{ to: peers, ports: [{ port: 443 }, { port: 5432 }] }],
          },
        };
      }
      return {
        ns: w.ns,
        name: `${name}-ingress-${k}`,
        spec: {
          podSelector: podsOf(w),
          ingress: [
            {
              from: [block(random.pick(pool)), block(random.pick(pool))],
              ports: [{ port: mainPort(w).port }],
            },
          ],
        },
      };
    },
  };
}

function portsPlan(c: Cluster, random: Random): MixPlan {
  const callers = callGraph(c, random);
  return {
    base: (ns) => [defaultDeny(ns), allowDns(ns)],
    shared: () => sharedPolicies(c),
    perWorkload: (w, k, random) => {
      const name = w.labels[NAME_LABEL]!;
      switch (k % 3) {
        case 0: {
          const mine = callers[w.index]!;
          const from = mine.length > 0 ? mine.slice(0, 3) : [random.pick(c.apps)];
          const low = 30000 + random.int(1000);
          return {
            ns: w.ns,
            name: `${name}-ingress-${k}`,
            spec: {
              podSelector: podsOf(w),
              ingress: [
                {
                  from: from.map((x) => peerOf(x, w.ns)),
                  ports: [
                    { port: 'http' },
                    { port: 'grpc' },
                    { protocol: 'UDP', port: 'stats' },
                    { port: low, endPort: low + random.range(10, 200) },
                  ],
                },
                { from: [peerOf(c.prometheus, w.ns)], ports: [{ port: 'metrics' }] },
              ],
            },
          };
        }
        case 1:
          // Named ports towards broad peers: resolved against every destination class.
          return {
            ns: w.ns,
            name: `${name}-egress-${k}`,
            spec: {
              podSelector: podsOf(w),
              policyTypes: ['Egress'],
              egress: [
                {
                  to: [
                    {
                      namespaceSelector: { matchLabels: { team: w.ns.labels['team']! } },
                      podSelector: { matchLabels: { tier: random.pick(TIERS_OF_APPS) } },
                    },
                  ],
                  ports: [{ port: 'http' }, { port: 'grpc' }, { protocol: 'SCTP', port: 'signal' }],
                },
              ],
            },
          };
        default: {
          const low = 8000 + random.int(50);
          return {
            ns: w.ns,
            name: `${name}-egress-ranges-${k}`,
            spec: {
              podSelector: podsOf(w),
              policyTypes: ['Egress'],
              egress: [
                {
                  to: [{ podSelector: {} }],
                  ports: [
                    { port: low, endPort: low + random.range(1, 99) },
                    { protocol: 'UDP', port: 9000, endPort: 9000 + random.range(1, 100) },
                    { port: 'admin' },
                  ],
                },
              ],
            },
          };
        }
      }
    },
  };
}

function adversarialPlan(c: Cluster): MixPlan {
  const apps = c.apps.filter((w) => w.podIds.length > 0);
  const podPeer = (ids: number[], ns: Namespace, from: Namespace): { [key: string]: Json } => {
    const podSelector: Json =
      ids.length === 1
        ? { matchLabels: { 'pod-id': `p${ids[0]!}` } }
        : { matchExpressions: [{ key: 'pod-id', operator: 'In', values: ids.map((id) => `p${id}`) }] };
    return ns === from
      ? { podSelector }
      : { namespaceSelector: { matchLabels: { [NS_LABEL]: ns.name } }, podSelector };
  };
  return {
    // Ingress isolation only, so that the per-pod allowances make connections; every fourth per-pod policy
    // isolates a pod's egress too.
    base: (ns) => [{ ns, name: 'default-deny-ingress', spec: { podSelector: {}, policyTypes: ['Ingress'] } }],
    shared: () => sharedPolicies(c),
    perWorkload: (w, k, random) => {
      if (w.podIds.length === 0) return undefined;
      const target = w.podIds[k % w.podIds.length]!;
      const peerApp =
        random.chance(0.7) && w.ns.workloads.length > 1 ? random.pick(w.ns.workloads) : random.pick(apps);
      if (peerApp.podIds.length === 0) return undefined;
      const ids = [
        ...new Set(Array.from({ length: random.range(1, 3) }, () => random.pick(peerApp.podIds))),
      ].sort((a, b) => a - b);
      const direction = k % 4 === 3 ? 'egress' : 'ingress';
      return {
        ns: w.ns,
        name: `pod-p${target}-${direction}-${k}`,
        spec: {
          podSelector: { matchLabels: { 'pod-id': `p${target}` } },
          policyTypes: [direction === 'ingress' ? 'Ingress' : 'Egress'],
          [direction]: [
            {
              [direction === 'ingress' ? 'from' : 'to']: [podPeer(ids, peerApp.ns, w.ns)],
              ports: [{ port: mainPort(direction === 'ingress' ? w : peerApp).port }],
            },
          ],
        },
      };
    },
  };
}

function plan(c: Cluster, mix: Mix, random: Random): MixPlan | undefined {
  switch (mix) {
    case 'multitenant':
      return multiTenantPlan(c);
    case 'microseg':
      return microsegPlan(c, random);
    case 'cidr':
      return cidrPlan(c, random);
    case 'ports':
      return portsPlan(c, random);
    case 'adversarial':
      return adversarialPlan(c);
    case 'none':
    case 'tiers':
    case 'cilium':
      return undefined;
  }
}

function buildPolicies(c: Cluster, tier: Tier, mix: Mix, random: Random): Policy[] {
  const p = plan(c, mix, random);
  if (p === undefined) return [];
  const out: Policy[] = [];
  const names = new Set<string>();
  const add = (policy: Policy): void => {
    if (out.length >= tier.policies) return;
    const key = `${policy.ns.name}/${policy.name}`;
    if (names.has(key)) return;
    names.add(key);
    out.push(policy);
  };
  for (const policy of p.shared()) add(policy);
  for (const ns of c.tenants) for (const policy of p.base(ns)) add(policy);
  const apps = c.apps;
  // Round-robin over the apps (in a shuffled order), so that every app gets its first policies before any
  // app gets more.
  const order = [...apps];
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let k = 0; out.length < tier.policies && k < 10_000; k++) {
    const before = out.length;
    for (const w of order) {
      if (out.length >= tier.policies) break;
      const policy = p.perWorkload(w, k, random);
      if (policy !== undefined) add(policy);
    }
    if (out.length === before && k > 10) break;
  }
  return out;
}

function policyDocument(p: Policy): { [key: string]: Json } {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: p.name, namespace: p.ns.name },
    spec: p.spec,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Cluster-wide policies (the tiers mix)

/** How many ClusterNetworkPolicies the tiers mix writes: 200, fewer on tiers with few tenants (T0). */
export const CLUSTER_POLICIES = 200;

interface ClusterPolicy {
  name: string;
  spec: { [key: string]: Json };
}

const TENANTS: Json = { matchExpressions: [{ key: 'tenant', operator: 'Exists' }] };

function namespacesLabelled(labels: Record<string, string>): Json {
  return { namespaces: { matchLabels: labels } };
}

function tcpPort(port: number): Json {
  return { tcp: { destinationPort: { number: port } } };
}

/**
 * What a platform team running both tiers writes (ClusterNetworkPolicy v1beta1, standard channel), over the
 * microseg cluster. Admin: platform guardrails (no cloud metadata, Prometheus always scrapes, no dev or
 * staging into prod), one isolation policy per team at one shared priority (Pass within the team and from the
 * ingress controller, Deny from every other namespace), one egress lockdown per tenant at its own priority
 * (Accept its partner API, Deny the internet). Baseline: DNS, one allowance per team at one shared priority
 * (the team's namespaces to each other), and a default deny. Equal priorities only where the subjects are
 * disjoint (different teams), so no two policies of one priority can decide the same connection.
 */
function buildClusterPolicies(c: Cluster, random: Random): ClusterPolicy[] {
  const total = Math.min(CLUSTER_POLICIES, 4 * c.tenants.length);
  const teams = [...new Set(c.tenants.map((ns) => ns.labels['team']!))];
  const prometheus = c.prometheus;
  const out: ClusterPolicy[] = [
    {
      name: 'platform-deny-cloud-metadata',
      spec: {
        tier: 'Admin',
        priority: 5,
        subject: { namespaces: TENANTS },
        egress: [
          {
            name: 'metadata',
            action: 'Deny',
            to: [{ networks: ['169.254.169.254/32', 'fd00:ec2::254/128'] }],
          },
        ],
      },
    },
    {
      name: 'platform-monitoring-scrape',
      spec: {
        tier: 'Admin',
        priority: 10,
        subject: { namespaces: TENANTS },
        ingress: [
          {
            name: 'prometheus',
            action: 'Accept',
            from: [
              {
                pods: {
                  namespaceSelector: { matchLabels: { [NS_LABEL]: prometheus.ns.name } },
                  podSelector: { matchLabels: prometheus.labels },
                },
              },
            ],
            protocols: [{ tcp: { destinationPort: { range: { start: 9090, end: 9199 } } } }],
          },
        ],
      },
    },
    {
      name: 'platform-prod-from-nonprod',
      spec: {
        tier: 'Admin',
        priority: 15,
        subject: { namespaces: { matchLabels: { env: 'prod' } } },
        ingress: [
          {
            name: 'nonprod',
            action: 'Deny',
            from: [
              {
                namespaces: {
                  matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'staging'] }],
                },
              },
            ],
          },
        ],
      },
    },
  ];
  const baseline: ClusterPolicy[] = [
    {
      name: 'baseline-dns',
      spec: {
        tier: 'Baseline',
        priority: 10,
        subject: { namespaces: TENANTS },
        egress: [
          {
            name: 'kube-dns',
            action: 'Accept',
            to: [
              {
                pods: {
                  namespaceSelector: { matchLabels: { [NS_LABEL]: c.coredns.ns.name } },
                  podSelector: { matchLabels: c.coredns.labels },
                },
              },
            ],
            protocols: [{ udp: { destinationPort: { number: 53 } } }, tcpPort(53)],
          },
        ],
      },
    },
    {
      name: 'baseline-default-deny',
      spec: {
        tier: 'Baseline',
        priority: 1000,
        subject: { namespaces: TENANTS },
        ingress: [{ name: 'all', action: 'Deny', from: [{ namespaces: {} }] }],
        egress: [
          { name: 'all', action: 'Deny', to: [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }] },
        ],
      },
    },
  ];
  const rest = total - out.length - baseline.length;
  const isolated = Math.min(teams.length, Math.floor(rest / 2));
  for (const team of teams.slice(0, isolated)) {
    out.push({
      name: `isolate-${team}`,
      spec: {
        tier: 'Admin',
        priority: 20,
        subject: { namespaces: { matchLabels: { team } } },
        ingress: [
          { name: 'same-team', action: 'Pass', from: [namespacesLabelled({ team })] },
          { name: 'ingress-controller', action: 'Pass', from: [namespacesLabelled({ role: 'ingress' })] },
          { name: 'other-namespaces', action: 'Deny', from: [{ namespaces: {} }] },
        ],
      },
    });
  }
  const allowances = Math.min(teams.length, Math.floor(rest / 4));
  for (const team of teams.slice(teams.length - allowances)) {
    baseline.push({
      name: `baseline-${team}`,
      spec: {
        tier: 'Baseline',
        priority: 100,
        subject: { namespaces: { matchLabels: { team } } },
        ingress: [{ name: 'same-team', action: 'Accept', from: [namespacesLabelled({ team })] }],
        egress: [{ name: 'same-team', action: 'Accept', to: [namespacesLabelled({ team })] }],
      },
    });
  }
  const lockdowns = Math.min(c.tenants.length, rest - isolated - allowances, 900);
  const tenants = [...c.tenants];
  for (let i = tenants.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [tenants[i], tenants[j]] = [tenants[j]!, tenants[i]!];
  }
  for (const [i, ns] of tenants.slice(0, lockdowns).entries()) {
    const partner = `203.0.113.${random.int(256)}/32`;
    out.push({
      name: `lockdown-${ns.name}`,
      spec: {
        tier: 'Admin',
        priority: 100 + i,
        subject: { namespaces: { matchLabels: { [NS_LABEL]: ns.name } } },
        egress: [
          { name: 'partner-api', action: 'Accept', to: [{ networks: [partner] }], protocols: [tcpPort(443)] },
          { name: 'internet', action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] },
        ],
      },
    });
  }
  return [...out, ...baseline];
}

function clusterPolicyDocument(p: ClusterPolicy): { [key: string]: Json } {
  return {
    apiVersion: 'policy.networking.k8s.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: p.name },
    spec: p.spec,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Cilium policies (the cilium mix)

interface CiliumPolicy {
  /** Absent: a CiliumClusterwideNetworkPolicy. */
  ns: Namespace | undefined;
  name: string;
  spec: { [key: string]: Json };
}

const CILIUM_NS = 'k8s:io.kubernetes.pod.namespace';

/** A Cilium endpoint selector for workload `w`'s pods, with its namespace (Cilium's identity label). */
function ciliumPods(w: Workload): Json {
  return { matchLabels: { [NAME_LABEL]: w.labels[NAME_LABEL] ?? w.name, [CILIUM_NS]: w.ns.name } };
}

function ciliumPorts(port: Port, rules?: Json): Json[] {
  const entry: { [key: string]: Json } = { ports: [{ port: String(port.port), protocol: port.protocol }] };
  if (rules !== undefined) entry['rules'] = rules;
  return [entry];
}

/**
 * What a platform team on Cilium adds to the microseg cluster's NetworkPolicies. Per tenant namespace, a
 * deny of the world's ingress (a deny with an entity). Per third app, one CiliumNetworkPolicy mixing what real
 * ones hold: ingress from one caller with HTTP rules on the main port (L7) or at L4 (and, in the caller's
 * namespace, the egress that lets the caller reach it), ingress from the
 * `remote-node` and `health` entities, egress to the `kube-apiserver` entity, to a partner by name (toFQDNs, with
 * the DNS proxy rule), and an egress deny of the world on SMTP. Clusterwide: no pod reaches the cloud metadata
 * service, no data store accepts the world, and every pod accepts the node's health checks (without putting pods
 * in default deny).
 */
function buildCiliumPolicies(c: Cluster, random: Random): CiliumPolicy[] {
  const out: CiliumPolicy[] = [];
  for (const ns of c.tenants) {
    out.push({
      ns,
      name: 'cilium-deny-world-ingress',
      spec: { endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }] },
    });
  }
  const dns: { [key: string]: Json } = {
    toEndpoints: [{ matchLabels: { ...c.coredns.labels, [CILIUM_NS]: c.coredns.ns.name } }],
    toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
  };
  let apps = 0;
  for (const w of c.apps) {
    if (!random.chance(1 / 3)) continue;
    const caller = random.pick(c.apps);
    const port = mainPort(w);
    const http = port.protocol === 'TCP' && apps % 2 === 0;
    const ingress: Json[] = [
      {
        fromEndpoints: [ciliumPods(caller)],
        toPorts: ciliumPorts(port, http ? { http: [{ method: 'GET', path: '/api/.*' }] } : undefined),
      },
      { fromEntities: ['remote-node', 'health'] },
    ];
    const egress: Json[] = [
      { toEntities: ['kube-apiserver'], toPorts: ciliumPorts({ name: 'https', port: 443, protocol: 'TCP' }) },
    ];
    // Every third one reaches a partner by name.
    if (apps % 3 === 0) {
      egress.push(dns, {
        toFQDNs: [{ matchName: `api.partner-${random.int(50)}.example` }],
        toPorts: ciliumPorts({ name: 'https', port: 443, protocol: 'TCP' }),
      });
    }
    // The caller's NetworkPolicies allow its egress to other apps only: open it towards this one, without
    // putting the caller in default deny, so that the ingress allow (and its L7 rules) is reached.
    if (caller !== w)
      out.push({
        ns: caller.ns,
        name: `${caller.labels[NAME_LABEL]!}-to-${w.ns.name}-${w.labels[NAME_LABEL]!}`,
        spec: {
          endpointSelector: podsOf(caller),
          enableDefaultDeny: { egress: false },
          egress: [{ toEndpoints: [ciliumPods(w)], toPorts: ciliumPorts(port) }],
        },
      });
    out.push({
      ns: w.ns,
      name: `${w.labels[NAME_LABEL]!}-cilium`,
      spec: {
        endpointSelector: podsOf(w),
        ingress,
        egress,
        egressDeny: [
          { toEntities: ['world'], toPorts: ciliumPorts({ name: 'smtp', port: 25, protocol: 'TCP' }) },
        ],
      },
    });
    apps++;
  }
  out.push(
    {
      ns: undefined,
      name: 'platform-deny-cloud-metadata',
      spec: {
        endpointSelector: {},
        enableDefaultDeny: { egress: false },
        egressDeny: [{ toCIDR: ['169.254.169.254/32'] }],
      },
    },
    {
      ns: undefined,
      name: 'platform-data-stores-no-world',
      spec: {
        endpointSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'In', values: STATEFUL }] },
        ingressDeny: [{ fromEntities: ['world'] }],
      },
    },
    {
      ns: undefined,
      name: 'platform-health-checks',
      spec: {
        endpointSelector: {},
        enableDefaultDeny: { ingress: false },
        ingress: [{ fromEntities: ['health', 'remote-node'] }],
      },
    },
  );
  return out;
}

function ciliumPolicyDocument(p: CiliumPolicy): { [key: string]: Json } {
  return {
    apiVersion: 'cilium.io/v2',
    kind: p.ns === undefined ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
    metadata: p.ns === undefined ? { name: p.name } : { name: p.name, namespace: p.ns.name },
    spec: p.spec,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Files

export interface GenerateOptions {
  tier: TierName;
  mix: Mix;
  seed: number;
}

export interface GeneratedStats {
  generator: number;
  tier: TierName;
  mix: Mix;
  seed: number;
  namespaces: number;
  workloads: number;
  /** Sum of replicas. */
  pods: number;
  /** Pod objects written (adversarial mix only). */
  podObjects: number;
  services: number;
  policies: number;
  /** ClusterNetworkPolicies (tiers mix only). */
  clusterPolicies: number;
  /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies (cilium mix only). */
  ciliumPolicies: number;
  files: number;
  bytes: number;
}

export interface GeneratedFile {
  /** Relative path, with `/`. */
  path: string;
  text: string;
}

/** The cluster's files, namespace by namespace (a generator, so that T5 never sits in memory as text). */
export function* generateFiles(options: GenerateOptions): Generator<GeneratedFile, GeneratedStats> {
  const tier = TIERS[options.tier];
  const seed = (mix: Mix): number => hashText(`${options.tier}/${mix}`) ^ Math.imul(options.seed, 0x9e3779b1);
  // The tiers mix writes microseg's cluster byte for byte (same random sequence), then its cluster policies.
  const mix = baseMix(options.mix);
  const random = new Random(seed(mix));
  const cluster = buildCluster(tier, mix, random);
  const policies = buildPolicies(cluster, tier, mix, random);
  const clusterPolicies =
    options.mix === 'tiers' ? buildClusterPolicies(cluster, new Random(seed(options.mix))) : [];
  const ciliumPolicies =
    options.mix === 'cilium' ? buildCiliumPolicies(cluster, new Random(seed(options.mix))) : [];
  const ciliumByNamespace = new Map<Namespace, CiliumPolicy[]>();
  for (const p of ciliumPolicies) {
    if (p.ns === undefined) continue;
    const list = ciliumByNamespace.get(p.ns) ?? [];
    list.push(p);
    ciliumByNamespace.set(p.ns, list);
  }
  const byNamespace = new Map<Namespace, Policy[]>();
  for (const p of policies) {
    let list = byNamespace.get(p.ns);
    if (list === undefined) byNamespace.set(p.ns, (list = []));
    list.push(p);
  }
  const stats: GeneratedStats = {
    generator: GENERATOR_VERSION,
    tier: options.tier,
    mix: options.mix,
    seed: options.seed,
    namespaces: cluster.namespaces.length,
    workloads: cluster.workloads.length,
    pods: cluster.workloads.reduce((n, w) => n + w.replicas, 0),
    podObjects: cluster.workloads.reduce((n, w) => n + w.podIds.length, 0),
    services: cluster.workloads.length,
    policies: policies.length,
    clusterPolicies: clusterPolicies.length,
    ciliumPolicies: ciliumPolicies.length,
    files: 0,
    bytes: 0,
  };
  function* counted(files: readonly GeneratedFile[]): Generator<GeneratedFile> {
    for (const f of files) {
      stats.files++;
      stats.bytes += Buffer.byteLength(f.text);
      yield f;
    }
  }
  for (const ns of cluster.namespaces) {
    const nsDoc: { [key: string]: Json } = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: Object.keys(ns.labels).length > 0 ? { name: ns.name, labels: ns.labels } : { name: ns.name },
    };
    const files: GeneratedFile[] = [
      {
        path: `${ns.name}/workloads.yaml`,
        text: toYaml([nsDoc, ...ns.workloads.flatMap(workloadDocuments)]),
      },
    ];
    const mine = byNamespace.get(ns) ?? [];
    if (mine.length > 0)
      files.push({ path: `${ns.name}/networkpolicies.yaml`, text: toYaml(mine.map(policyDocument)) });
    const cilium = ciliumByNamespace.get(ns) ?? [];
    if (cilium.length > 0)
      files.push({ path: `${ns.name}/cilium.yaml`, text: toYaml(cilium.map(ciliumPolicyDocument)) });
    yield* counted(files);
  }
  const clusterwide = ciliumPolicies.filter((p) => p.ns === undefined);
  if (clusterwide.length > 0) {
    yield* counted([
      {
        path: 'cluster-policies/ciliumclusterwidenetworkpolicies.yaml',
        text: toYaml(clusterwide.map(ciliumPolicyDocument)),
      },
    ]);
  }
  if (clusterPolicies.length > 0) {
    yield* counted([
      {
        path: 'cluster-policies/clusternetworkpolicies.yaml',
        text: toYaml(clusterPolicies.map(clusterPolicyDocument)),
      },
    ]);
  }
  return stats;
}

export const STATS_FILE = '.netfence-bench.json';

/** Writes the cluster into `dir` (replacing a previous generated cluster there) and returns its stats. */
export function writeCluster(dir: string, options: GenerateOptions): GeneratedStats {
  if (existsSync(dir)) {
    if (!existsSync(join(dir, STATS_FILE))) {
      throw new Error(`${dir} exists and was not written by bench/generate.ts; choose another --out`);
    }
    rmSync(dir, { recursive: true });
  }
  mkdirSync(dir, { recursive: true });
  const it = generateFiles(options);
  const made = new Set<string>();
  for (;;) {
    const r = it.next();
    if (r.done === true) {
      writeFileSync(join(dir, STATS_FILE), `${JSON.stringify(r.value, null, 2)}\n`);
      return r.value;
    }
    const folder = join(dir, r.value.path.slice(0, r.value.path.lastIndexOf('/')));
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    writeFileSync(join(dir, r.value.path), r.value.text);
  }
}

/** The stats of a generated cluster in `dir`, or undefined when absent or written by another generator version. */
export function readStats(dir: string): GeneratedStats | undefined {
  const file = join(dir, STATS_FILE);
  if (!existsSync(file)) return undefined;
  const stats = JSON.parse(readFileSync(file, 'utf8')) as GeneratedStats;
  return stats.generator === GENERATOR_VERSION ? stats : undefined;
}

export function defaultOutDir(options: GenerateOptions): string {
  return resolve(new URL('out', import.meta.url).pathname, `${options.tier}-${options.mix}-s${options.seed}`);
}

function fail(message: string): never {
  process.stderr.write(`bench/generate: ${message}\n`);
  process.exit(2);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      tier: { type: 'string', default: 'T1' },
      mix: { type: 'string', default: 'microseg' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'usage: node bench/generate.ts --tier T0|T1|T2|T3|T4|T5 --mix MIX [--seed N] [--out DIR]',
        '',
        'tiers (pods / workloads / policies / namespaces):',
        ...TIER_NAMES.map((t) => {
          const x = TIERS[t];
          return `  ${t}  ${x.pods} / ${x.workloads} / ${x.policies} / ${x.namespaces}`;
        }),
        'mixes:',
        ...MIXES.map((m) => `  ${m.padEnd(12)} ${MIX_DESCRIPTIONS[m]}`),
        '',
      ].join('\n'),
    );
    return;
  }
  const tier = values.tier.toUpperCase();
  if (!(tier in TIERS)) fail(`unknown tier "${values.tier}": choose one of ${TIER_NAMES.join(', ')}`);
  const mix = values.mix as Mix;
  if (!MIXES.includes(mix)) fail(`unknown mix "${values.mix}": choose one of ${MIXES.join(', ')}`);
  if (!/^\d+$/.test(values.seed)) fail(`invalid seed "${values.seed}": give a whole number, e.g. --seed 1`);
  const options: GenerateOptions = { tier: tier as TierName, mix, seed: Number(values.seed) };
  const out = values.out === undefined ? defaultOutDir(options) : resolve(values.out);
  const start = performance.now();
  let stats: GeneratedStats;
  try {
    stats = writeCluster(out, options);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  process.stdout.write(
    `${out}: ${stats.namespaces} namespaces, ${stats.workloads} workloads, ${stats.pods} pods` +
      `${stats.podObjects > 0 ? ` (${stats.podObjects} Pod objects)` : ''}, ${stats.policies} policies, ` +
      (stats.clusterPolicies > 0 ? `${stats.clusterPolicies} cluster policies, ` : '') +
      `${stats.files} files, ${(stats.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - start) / 1000).toFixed(1)} s\n`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
