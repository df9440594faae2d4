/**
 * Benchmark of `netfence map` and `netfence generate` on a synthetic capture of 10 million flows. Not a test
 * (not part of `npm test`): it writes gigabytes to a temporary folder and takes minutes. The numbers go into
 * docs/benchmarks.md ("Flows").
 *
 *   node bench/flows.ts [--flows 10000000] [--format hubble|csv|both] [--span 3600] [--keep] [--write-only]
 *
 * `--span` is the seconds the capture's flows spread over (an hour by default): the flows a second, and so
 * the Hubble 5-tuples within the dedupe window, grow with `--flows / --span`. `--flows 1000000 --span 360`
 * writes the first million lines of the 10-million capture (the same lines, the same density), for measuring
 * the memory of a 10-million reading in a tenth of the time and disk.
 *
 * `--write-only` writes the captures and keeps them, without measuring (for bench/flows-read.ts).
 *
 * The synthetic cluster: 50 namespaces × 20 Deployments (1,000 workloads, 3 pods each) and CoreDNS. Each
 * workload calls 4 fixed peers (3 in its namespace, 1 in another) and 2 fixed outside services (of 200
 * addresses), resolves names (UDP 53, 1 in 20 over TCP), and the first workload of each namespace receives
 * customers through 8 load-balancer addresses: about 8,500 distinct connections, as a real cluster of that
 * size has. A Hubble attempt is three lines (the request seen at the source's egress and at the
 * destination's ingress, and the reply) as `hubble observe -o jsonpb` prints them; a CSV row is one attempt
 * (`count` 1). Every run uses the same seed, so the captures are identical. The first tenth of each capture
 * is also written to its own file: the same traffic, a tenth of the flows, to show that memory follows the
 * distinct connections, not the number of flows. Each command runs in its own process under
 * `/usr/bin/time -v` for its wall time and peak memory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const FLOWS = Number(flag('--flows', '10000000'));
const FORMAT = flag('--format', 'both');
const SPAN_MS = Number(flag('--span', '3600')) * 1000;
const WRITE_ONLY = args.includes('--write-only');
const KEEP = args.includes('--keep') || WRITE_ONLY;
const NAMESPACES = 50;
const PER_NAMESPACE = 20;
const PODS = 3;
const OUTSIDE_SERVICES = 200;
const LOAD_BALANCERS = 8;
const ROOT = new URL('..', import.meta.url).pathname;

/** mulberry32: a small deterministic generator, so every run writes the same capture. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Workload {
  ns: string;
  name: string;
  pods: { name: string; ip: string }[];
  peers: number[];
  outside: number[];
  port: number;
}

function cluster(): Workload[] {
  const random = rng(7);
  const out: Workload[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    for (let w = 0; w < PER_NAMESPACE; w++) {
      const i = out.length;
      const name = `w-${String(w).padStart(2, '0')}`;
      const hash = (0x5d8f9c7b + i).toString(36);
      out.push({
        ns: `ns-${String(n).padStart(3, '0')}`,
        name,
        pods: Array.from({ length: PODS }, (_, p) => ({
          name: `${name}-${hash}-${'abcdefghjk'[p]!}${'mnpqrstvwx'[w % 10]!}${'2456789bcd'[n % 10]!}zz`,
          ip: `10.${100 + (i >> 8)}.${i & 255}.${10 + p}`,
        })),
        peers: [],
        outside: [Math.floor(random() * OUTSIDE_SERVICES), Math.floor(random() * OUTSIDE_SERVICES)],
        port: [8080, 5432, 6379, 9090, 50051][w % 5]!,
      });
    }
  }
  for (let i = 0; i < out.length; i++) {
    const base = i - (i % PER_NAMESPACE);
    const peers = new Set<number>();
    while (peers.size < 3) {
      const p = base + Math.floor(random() * PER_NAMESPACE);
      if (p !== i) peers.add(p);
    }
    peers.add(Math.floor(random() * out.length));
    out[i]!.peers = [...peers];
  }
  return out;
}

function manifests(workloads: readonly Workload[]): string {
  const docs: string[] = [];
  for (let n = 0; n < NAMESPACES; n++)
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-${String(n).padStart(3, '0')}\n`);
  const deployment = (ns: string, name: string, labels: string, port: number, protocol = 'TCP'): string =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  replicas: ${PODS}\n  selector:\n    matchLabels:\n${labels}\n  template:\n    metadata:\n      labels:\n${labels.replaceAll('\n', '\n  ').replace(/^/, '  ')}\n    spec:\n      containers:\n        - name: main\n          image: registry.example/${name}:1.0\n          ports:\n            - containerPort: ${port}\n              protocol: ${protocol}\n`;
  for (const w of workloads) {
    docs.push(
      deployment(
        w.ns,
        w.name,
        `      app.kubernetes.io/name: ${w.name}\n      app.kubernetes.io/part-of: ${w.ns}`,
        w.port,
      ),
    );
  }
  docs.push(deployment('kube-system', 'coredns', '      k8s-app: kube-dns', 53, 'UDP'));
  return docs.join('---\n');
}

function endpoint(ns: string, pod: string, workload: string, labels: string): string {
  return `{"ID":1234,"identity":56789,"cluster_name":"bench","namespace":"${ns}","labels":[${labels},"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${ns}","k8s:io.cilium.k8s.policy.cluster=bench","k8s:io.cilium.k8s.policy.serviceaccount=default","k8s:io.kubernetes.pod.namespace=${ns}"],"pod_name":"${pod}","workloads":[{"name":"${workload}","kind":"Deployment"}]}`;
}
const WORLD = '{"identity":2,"labels":["reserved:world"]}';

function hubbleLine(
  time: string,
  src: [string, string],
  dst: [string, string],
  proto: 'TCP' | 'UDP',
  sport: number,
  dport: number,
  direction: 'EGRESS' | 'INGRESS',
  reply: boolean,
): string {
  const flags = proto === 'TCP' ? `,"flags":{${reply ? '"SYN":true,"ACK":true' : '"SYN":true'}}` : '';
  const l4 = `{"${proto}":{"source_port":${sport},"destination_port":${dport}${flags}}}`;
  const flow = `{"time":"${time}","uuid":"00000000-0000-4000-8000-000000000000","verdict":"FORWARDED","IP":{"source":"${src[0]}","destination":"${dst[0]}","ipVersion":"IPv4"},"l4":${l4},"source":${src[1]},"destination":${dst[1]},"Type":"L3_L4","node_name":"bench/worker-1","event_type":{"type":4,"sub_type":${direction === 'EGRESS' ? 3 : 0}},"traffic_direction":"${direction}","is_reply":${reply},"Summary":"${proto}"}`;
  return `{"flow":${flow},"node_name":"bench/worker-1","time":"${time}"}\n`;
}

interface Attempt {
  src: { ip: string; json: string; ns: string; workload: string };
  dst: { ip: string; json: string; ns: string; workload: string };
  proto: 'TCP' | 'UDP';
  port: number;
}

async function writeCaptures(
  workloads: readonly Workload[],
  dir: string,
): Promise<{ hubble: string; csv: string }> {
  const random = rng(11);
  const labelsOf = (w: Workload): string =>
    `"k8s:app.kubernetes.io/name=${w.name}","k8s:app.kubernetes.io/part-of=${w.ns}"`;
  const podEnd = (w: Workload): Attempt['src'] => {
    const pod = w.pods[Math.floor(random() * PODS)]!;
    return { ip: pod.ip, json: endpoint(w.ns, pod.name, w.name, labelsOf(w)), ns: w.ns, workload: w.name };
  };
  const dnsPods = [
    { ip: '10.99.0.2', name: 'coredns-5d78c9869d-abcde' },
    { ip: '10.99.0.3', name: 'coredns-5d78c9869d-fghjk' },
  ];
  const dnsEnd = (): Attempt['dst'] => {
    const pod = dnsPods[Math.floor(random() * 2)]!;
    return {
      ip: pod.ip,
      json: endpoint('kube-system', pod.name, 'coredns', '"k8s:k8s-app=kube-dns"'),
      ns: 'kube-system',
      workload: 'coredns',
    };
  };
  const address = (ip: string): Attempt['src'] => ({ ip, json: WORLD, ns: '', workload: '' });
  const next = (): Attempt => {
    const r = random();
    const w = workloads[Math.floor(random() * workloads.length)]!;
    if (r < 0.2) return { src: podEnd(w), dst: dnsEnd(), proto: random() < 0.05 ? 'TCP' : 'UDP', port: 53 };
    if (r < 0.25) {
      const n = w.outside[Math.floor(random() * w.outside.length)]!;
      return { src: podEnd(w), dst: address(`203.0.${n >> 8}.${n & 255}`), proto: 'TCP', port: 443 };
    }
    if (r < 0.3) {
      const front = workloads[Math.floor(random() * NAMESPACES) * PER_NAMESPACE]!;
      const lb = address(`198.51.100.${10 + Math.floor(random() * LOAD_BALANCERS)}`);
      return { src: lb, dst: podEnd(front), proto: 'TCP', port: front.port };
    }
    const peer = workloads[w.peers[Math.floor(random() * w.peers.length)]!]!;
    return { src: podEnd(w), dst: podEnd(peer), proto: 'TCP', port: peer.port };
  };

  const hubblePath = join(dir, 'capture.jsonl');
  const csvPath = join(dir, 'capture.csv');
  const start = Date.parse('2026-12-01T00:00:00Z');
  const hubble = FORMAT === 'csv' ? undefined : createWriteStream(hubblePath);
  const csv = FORMAT === 'hubble' ? undefined : createWriteStream(csvPath);
  csv?.write(
    'src_namespace,src_workload,src_ip,dst_namespace,dst_workload,dst_ip,protocol,port,count,first_seen,last_seen\n',
  );
  let hubbleLines = 0;
  let csvRows = 0;
  let hubbleBuf = '';
  let csvBuf = '';
  const flush = async (final = false): Promise<void> => {
    if (hubble !== undefined && (final || hubbleBuf.length > 4_000_000)) {
      if (!hubble.write(hubbleBuf)) await once(hubble, 'drain');
      hubbleBuf = '';
    }
    if (csv !== undefined && (final || csvBuf.length > 4_000_000)) {
      if (!csv.write(csvBuf)) await once(csv, 'drain');
      csvBuf = '';
    }
  };
  let sport = 32768;
  for (
    let k = 0;
    (hubble !== undefined && hubbleLines < FLOWS) || (csv !== undefined && csvRows < FLOWS);
    k++
  ) {
    const a = next();
    // About 2,800 flows a second: ten million flows are an hour of a busy cluster.
    const t = start + Math.floor((k * SPAN_MS) / (FLOWS / 3));
    const time = new Date(t).toISOString();
    sport = sport >= 60999 ? 32768 : sport + 1;
    if (hubble !== undefined && hubbleLines < FLOWS) {
      const src: [string, string] = [a.src.ip, a.src.json];
      const dst: [string, string] = [a.dst.ip, a.dst.json];
      if (a.src.ns !== '') hubbleBuf += hubbleLine(time, src, dst, a.proto, sport, a.port, 'EGRESS', false);
      if (a.dst.ns !== '') hubbleBuf += hubbleLine(time, src, dst, a.proto, sport, a.port, 'INGRESS', false);
      hubbleBuf += hubbleLine(
        time,
        dst,
        src,
        a.proto,
        a.port,
        sport,
        a.src.ns !== '' ? 'EGRESS' : 'INGRESS',
        true,
      );
      hubbleLines += (a.src.ns !== '' ? 1 : 0) + (a.dst.ns !== '' ? 1 : 0) + 1;
    }
    if (csv !== undefined && csvRows < FLOWS) {
      const side = (e: Attempt['src']): string => (e.ns === '' ? `,,${e.ip}` : `${e.ns},${e.workload},`);
      csvBuf += `${side(a.src)},${side(a.dst)},${a.proto},${a.port},1,${time},${time}\n`;
      csvRows++;
    }
    await flush();
  }
  await flush(true);
  const ends = [hubble, csv].flatMap((s) =>
    s === undefined ? [] : [new Promise<void>((resolve) => s.end(() => resolve()))],
  );
  await Promise.all(ends);
  return { hubble: hubblePath, csv: csvPath };
}

interface Measure {
  seconds: number;
  peakMiB: number;
}

/** Runs netfence in its own process under /usr/bin/time; standard output goes to `out` (or nowhere). */
function measure(argv: string[], out?: string): Measure {
  const fd = out === undefined ? 'ignore' : openSync(out, 'w');
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, join(ROOT, 'bin/netfence'), ...argv], {
    encoding: 'utf8',
    stdio: ['ignore', fd, 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (typeof fd === 'number') closeSync(fd);
  const stderr = r.stderr;
  if (r.status !== 0) {
    throw new Error(`netfence ${argv.join(' ')} failed (${r.status ?? 'signal'}):\n${stderr.slice(-2000)}`);
  }
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (wall === null || rss === null) throw new Error(`no measurements in:\n${stderr.slice(-2000)}`);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { seconds, peakMiB: Number(rss[1]) / 1024 };
}

/** The first `lines` lines of a file, into another. */
function head(from: string, to: string, lines: number): void {
  const fd = openSync(to, 'w');
  spawnSync('head', ['-n', String(lines), from], { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
}

const dir = mkdtempSync(join(tmpdir(), 'netfence-bench-flows-'));
try {
  const workloads = cluster();
  const clusterPath = join(dir, 'cluster.yaml');
  writeFileSync(clusterPath, manifests(workloads));
  const t0 = Date.now();
  const paths = await writeCaptures(workloads, dir);
  const tenth = Math.floor(FLOWS / 10);
  if (FORMAT !== 'csv') head(paths.hubble, join(dir, 'tenth.jsonl'), tenth);
  if (FORMAT !== 'hubble') head(paths.csv, join(dir, 'tenth.csv'), tenth + 1);
  console.log(`wrote the synthetic captures in ${((Date.now() - t0) / 1000).toFixed(0)} s to ${dir}`);
  if (WRITE_ONLY) process.exit(0);
  const node = execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim();
  console.log(
    `node ${node}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n`,
  );
  console.log(
    '| Input | Flows | Size | Command | Wall time | Throughput | Peak memory (RSS) | Connections |',
  );
  console.log('| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
  const formats = FORMAT === 'both' ? ['hubble', 'csv'] : [FORMAT];
  for (const format of formats) {
    const ext = format === 'hubble' ? 'jsonl' : 'csv';
    const label = format === 'hubble' ? 'Hubble JSON' : 'CSV, a row per flow';
    for (const [flows, path] of [
      [tenth, join(dir, `tenth.${ext}`)],
      [FLOWS, format === 'hubble' ? paths.hubble : paths.csv],
    ] as const) {
      if (!existsSync(path)) continue;
      const size = statSync(path).size;
      const mapOut = join(dir, `map-${format}-${flows}.json`);
      const runs: [string, string[], string | undefined][] = [
        ['map -o json', ['map', clusterPath, '--flows', path, '-o', 'json'], mapOut],
        [
          'generate --output-dir',
          ['generate', clusterPath, '--flows', path, '--output-dir', join(dir, `out-${format}-${flows}`)],
          undefined,
        ],
      ];
      for (const [name, argv, out] of runs) {
        const m = measure(argv, out);
        const connections =
          out === undefined
            ? ''
            : (
                JSON.parse(readFileSync(out, 'utf8')) as { summary: { connections: number } }
              ).summary.connections.toLocaleString('en-US');
        console.log(
          `| ${label} | ${flows.toLocaleString('en-US')} | ${(size / 2 ** 20).toFixed(0)} MiB | \`${name}\` | ${m.seconds.toFixed(1)} s | ${Math.round(flows / m.seconds).toLocaleString('en-US')} flows/s, ${(size / 2 ** 20 / m.seconds).toFixed(0)} MiB/s | ${m.peakMiB.toFixed(0)} MiB | ${connections} |`,
        );
      }
    }
  }
} finally {
  if (KEEP) console.log(`\nkept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
