/** `netfence generate`: least-privilege NetworkPolicies from observed traffic, verified by the engine. */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Command, Option } from 'commander';
import { formatCidr, parseCidr, parseIp } from '../../base/ip.ts';
import { suggestName, withDidYouMean } from '../../base/suggest.ts';
import {
  API_SERVER_PORTS,
  DEFAULT_DNS,
  GENERATE_TIERS,
  generatePolicies,
  verifyGeneration,
  type ApiServerAddress,
  type GenerateMode,
  type GenerateTier,
  type GenerateOptions,
  type Generation,
  type Verification,
} from '../../generate/index.ts';
import { describeGeneration, generationToJson } from '../../format/generate.ts';
import {
  namedAddresses,
  toCiliumPolicies,
  type DnsNames,
  type EntityAddresses,
} from '../../generate/cilium.ts';
import { HubbleNames } from '../../generate/dns-names.ts';
import { verifyCiliumGeneration } from '../../generate/verify-cilium.ts';
import { renderFiles, type RenderedFile, type SplitMode } from '../../format/generated.ts';
import type { ClusterState } from '../../model/cluster.ts';
import { checkForceGoesWith, exists, makeFolder, writeFileAtomic } from '../options/output.ts';
import { collect } from '../options/values.ts';
import { addInputOptions, engineOptions, loadInput, type InputOptions } from '../options/input.ts';
import { ExitCode, UserError, note, type Io } from '../io.ts';
import {
  addFlowOptions,
  checkFlowOptions,
  readHubbleNames,
  loadFlows,
  reportUnmatched,
  requireObserved,
  type FlowOptions,
} from '../options/flows.ts';

interface GenerateCliOptions extends InputOptions, FlowOptions {
  mode: GenerateMode;
  format: 'kubernetes' | 'cilium';
  output: 'yaml' | 'json';
  outputDir?: string;
  force?: boolean;
  split: SplitMode;
  allowDns: boolean;
  dnsNamespace: string;
  dnsSelector: Record<string, string>;
  aggregate?: number;
  aggregateV6?: number;
  skipDefaultDeny: string[];
  excludeNamespace: string[];
  excludeDenied: boolean;
  tier: GenerateTier[];
  apiServer: ApiServerAddress[];
}

function prefixParser(max: number, flag: string): (value: string) => number {
  return (value) => {
    const m = /^\/?([0-9]{1,3})$/.exec(value.trim());
    const n = m === null ? Number.NaN : Number(m[1]);
    if (!(n >= 0 && n <= max)) {
      throw new UserError(`${flag} expects a prefix length from /0 to /${max}, like /24; got "${value}"`);
    }
    return n;
  };
}

/** `--tier baseline` (repeatable). */
function collectTier(value: string, previous: GenerateTier[]): GenerateTier[] {
  const tier = GENERATE_TIERS.find((t) => t === value.trim());
  if (tier === undefined) {
    throw new UserError(
      `--tier expects ${GENERATE_TIERS.join(' or ')} (both: --tier baseline --tier admin); got "${value}"`,
    );
  }
  return previous.includes(tier) ? previous : [...previous, tier];
}

/** `10.0.0.10`, `10.0.0.10:6443`, `10.0.0.0/29`, `10.0.0.0/29:443`, `fd00::1`, `[fd00::1]:6443`. */
export function parseApiServer(value: string): ApiServerAddress {
  const bad = (why: string): UserError =>
    new UserError(
      `--api-server expects an address or CIDR with an optional port, like 10.0.0.10 or 10.0.0.10:6443; got "${value}"${why}`,
    );
  const text = value.trim();
  let address = text;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(text);
  if (bracketed !== null) [, address = '', port] = bracketed;
  else if ((text.match(/:/g) ?? []).length === 1) [address = '', port] = text.split(':');
  const ports = port === undefined ? API_SERVER_PORTS : [Number(port)];
  if (!ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)) throw bad(': the port is 1 to 65535');
  if (address.includes('/')) {
    const parsed = parseCidr(address);
    if (!parsed.ok) throw bad('');
    if (!parsed.canonical) throw bad(`: host bits are set, did you mean ${formatCidr(parsed.cidr)}?`);
    return { cidr: formatCidr(parsed.cidr), ports };
  }
  const ip = parseIp(address);
  if (ip === undefined) throw bad('');
  const parsed = parseCidr(`${address}/${ip.family === 4 ? 32 : 128}`);
  if (!parsed.ok) throw bad('');
  return { cidr: formatCidr(parsed.cidr), ports };
}

function collectApiServer(value: string, previous: ApiServerAddress[]): ApiServerAddress[] {
  return [...previous, parseApiServer(value)];
}

/** `k8s-app=kube-dns` or `app.kubernetes.io/name=coredns,app.kubernetes.io/instance=dns`. */
export function parseLabels(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim();
    if (key === '')
      throw new UserError(
        `--dns-selector expects key=value pairs separated by commas, like k8s-app=kube-dns; got "${value}"`,
      );
    out[key] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Files netfence generated earlier in `dir` (by their header), relative to it; `links`: those of them that are
 * symbolic links to such a file (netfence writes files, never links: a link is the user's).
 */
async function previousFiles(dir: string): Promise<{ files: string[]; links: string[] }> {
  const files: string[] = [];
  const links: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.name.endsWith('.yaml')) {
        // One that cannot be read (a broken symbolic link, a link to a folder) is not netfence's.
        const head = (await readFile(path, 'utf8').catch(() => '')).slice(0, 200);
        if (/^# (Cluster|Cilium)?NetworkPolicies for .*: generated by netfence/.test(head))
          (e.isSymbolicLink() ? links : files).push(relative(dir, path));
      }
    }
  };
  await walk(dir);
  return { files: files.sort(), links: links.sort() };
}

/** What writing the files into --output-dir did beyond them: netfence's earlier files removed, links kept. */
interface Cleared {
  /** Files netfence had generated before that this run does not write: removed. */
  removed: string[];
  /** Symbolic links to such files that this run does not write: kept (netfence did not make them). */
  kept: string[];
}

async function writeFiles(dir: string, files: readonly RenderedFile[], force: boolean): Promise<Cleared> {
  const before = await previousFiles(dir);
  // A file of the same name that netfence did not write (the team's own policies) is never replaced silently, nor
  // a symbolic link (netfence never makes one), even to a file netfence wrote: --force writes through it.
  if (!force) {
    const ours = new Set(before.files);
    for (const f of files) {
      const path = join(dir, f.path);
      if (ours.has(f.path) || !(await exists(path))) continue;
      throw new UserError(
        `--output-dir: ${path} exists and netfence did not write it; move it away, give another --output-dir, or add --force to replace it`,
      );
    }
  }
  // No file to write: not even the folder is made.
  const cannot = files.length === 0 ? undefined : await makeFolder(dir);
  if (cannot !== undefined) throw new UserError(`--output-dir: cannot create "${dir}": ${cannot}`);
  for (const f of files) {
    const path = join(dir, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, f.content);
  }
  const written = new Set(files.map((f) => f.path));
  const removed = before.files.filter((p) => !written.has(p));
  for (const p of removed) await rm(join(dir, p));
  // A link is never removed: netfence removes only what it wrote.
  return { removed, kept: before.links.filter((p) => !written.has(p)) };
}

export function generateCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('generate')
    .description(
      'Write least-privilege NetworkPolicies that allow exactly the traffic observed in flow captures',
    )
    .argument(
      '[paths...]',
      'manifest files or folders (YAML or JSON) of the cluster, or - for standard input',
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'fresh: a complete least-privilege set; augment: keep the existing policies and add only what observed traffic needs',
      )
        .choices(['fresh', 'augment'])
        .default('fresh'),
    )
    .addOption(
      new Option(
        '--format <kind>',
        'kubernetes: NetworkPolicies; cilium: CiliumNetworkPolicies, with toFQDNs for outside addresses Hubble saw under DNS names',
      )
        .choices(['kubernetes', 'cilium'])
        .default('kubernetes'),
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--output-dir <dir>', 'write YAML files into this folder instead of standard output')
    .option('--force', 'with --output-dir: replace files of the same names that netfence did not write')
    .addOption(
      new Option('--split <unit>', 'one file per namespace, or per workload (in a folder per namespace)')
        .choices(['namespace', 'workload'])
        .default('namespace'),
    )
    .option(
      '--allow-dns',
      'allow DNS to the cluster DNS for every workload, not only those observed resolving names',
      false,
    )
    .option('--dns-namespace <namespace>', 'namespace of the cluster DNS pods', DEFAULT_DNS.namespace)
    .addOption(
      new Option('--dns-selector <labels>', 'labels of the cluster DNS pods, key=value[,key=value]')
        .argParser(parseLabels)
        .default({ ...DEFAULT_DNS.matchLabels }, 'k8s-app=kube-dns'),
    )
    .addOption(
      new Option(
        '--aggregate <prefix>',
        'aggregate outside IPv4 addresses to prefixes of this length, e.g. /24',
      ).argParser(prefixParser(32, '--aggregate')),
    )
    .addOption(
      new Option(
        '--aggregate-v6 <prefix>',
        'aggregate outside IPv6 addresses to prefixes of this length, e.g. /64',
      ).argParser(prefixParser(128, '--aggregate-v6')),
    )
    .addOption(
      new Option('--skip-default-deny <namespace>', 'no default-deny policy in this namespace (repeatable)')
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option(
        '--exclude-namespace <namespace>',
        'generate nothing for this namespace and keep its policies (repeatable)',
      )
        .argParser(collect)
        .default([]),
    )
    .option(
      '--exclude-denied',
      'leave out observed ports every attempt of which the cluster dropped during the capture',
      false,
    )
    .addOption(
      new Option(
        '--tier <tier>',
        'also write ClusterNetworkPolicies: baseline (one Baseline default-deny instead of a default-deny NetworkPolicy per namespace) or admin (Admin guardrails that keep DNS working); repeatable',
      )
        .argParser(collectTier)
        .default([]),
    )
    .addOption(
      new Option(
        '--api-server <address>',
        'where pods reach the API server (its endpoints: an IP or CIDR, optional :port; default ports 443 and 6443), for the Baseline policy; repeatable',
      )
        .argParser(collectApiServer)
        .default([]),
    );
  addFlowOptions(cmd);
  addInputOptions(cmd);
  cmd.action(async (paths: string[], options: GenerateCliOptions) => {
    checkFlowOptions(options, paths);
    checkOutputDir(options);
    const state = await loadInput(paths, options, io);
    for (const w of checkNamespaces(state, options)) io.stderr(`warning: ${w}\n`);
    // The DNS names Hubble saw: toFQDNs in --format cilium; in augment mode, what existing policies allow by name.
    const hubble = options.format === 'cilium' || options.mode === 'augment' ? new HubbleNames() : undefined;
    const traffic = await loadFlows(options, paths, state, io, hubble === undefined ? {} : { names: hubble });
    reportUnmatched(traffic, io);
    // Fresh policies from nothing observed would deny all traffic of every namespace (augment mode adds nothing).
    if (options.mode === 'fresh')
      requireObserved(
        traffic,
        'to generate from',
        'policies generated from it would deny all traffic of their namespaces, so none were written',
      );
    const genOptions = generateOptionsOf(options);
    const engine = engineOptions(options);
    const cilium = hubble === undefined ? undefined : await ciliumNames(options, hubble);
    const gen = generatePolicies(state, traffic.connections, genOptions, engine, {
      names: cilium?.names,
      entities: cilium?.entities,
    });
    const verification = verifyGeneration(state, gen, engine);
    const files = renderFiles(
      gen,
      options.split,
      options.format === 'cilium' ? cilium?.names : undefined,
      cilium?.entities,
    );
    const ciliumPolicies =
      cilium === undefined || options.format !== 'cilium'
        ? undefined
        : toCiliumPolicies(gen.policies, cilium.names, cilium.entities);
    const ciliumVerification =
      ciliumPolicies === undefined ? undefined : verifyCiliumGeneration(state, gen, ciliumPolicies, engine);
    const report = describeGeneration(
      state,
      gen,
      verification,
      cilium === undefined || ciliumPolicies === undefined || ciliumVerification === undefined
        ? undefined
        : {
            verification: ciliumVerification,
            named: namedAddresses(ciliumPolicies),
            namesNotRead: cilium.pipes,
          },
    );

    if (!verification.ok || ciliumVerification?.ok === false) {
      // A bug, not a user error: say so loudly, write nothing.
      io.stderr(
        `${report.join('\n')}\nnetfence: the generated policies failed their verification; nothing was written\n`,
      );
      setExit(ExitCode.Internal);
      return;
    }
    await writeOutput(state, gen, verification, files, report, options, io);
    setExit(ExitCode.Ok);
  });
  return cmd;
}

/** --output-dir, refused before any work where it names no folder or goes with -o json (which wrote no file). */
function checkOutputDir(options: GenerateCliOptions): void {
  const dir = options.outputDir;
  checkForceGoesWith(
    options.force,
    dir !== undefined,
    '--output-dir <dir>',
    'files there that netfence did not write',
  );
  if (dir === undefined) return;
  if (dir === '')
    throw new UserError(
      '--output-dir is empty: give the folder to write the files into, e.g. --output-dir policies',
    );
  if (options.output === 'json')
    throw new UserError(
      `--output-dir "${dir}" writes YAML files, -o json prints one JSON document: give one of them (-o yaml is what --output-dir writes)`,
    );
}

/** A DNS-1123 label, what a namespace is named. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The namespaces that --skip-default-deny and --exclude-namespace name must hold workloads of the input (with
 * --tier baseline, whose policy covers every namespace, any namespace name will do); --tier goes with fresh
 * mode, --api-server with --tier baseline.
 */
/** Throws on options that do not go together or name no namespace of the input; returns the warnings. */
function checkNamespaces(state: ClusterState, options: GenerateCliOptions): string[] {
  const warnings: string[] = [];
  if (options.format === 'cilium' && options.tier.length > 0) {
    throw new UserError(
      `--tier ${options.tier[0]} writes ClusterNetworkPolicies, which --format cilium does not: leave out --tier, or use --format kubernetes`,
    );
  }
  if (options.format === 'cilium' && options.output === 'json') {
    throw new UserError(
      '-o json describes the NetworkPolicy form: with --format cilium, write YAML (standard output or --output-dir)',
    );
  }
  if (options.tier.length > 0 && options.mode !== 'fresh') {
    throw new UserError(
      `--tier ${options.tier[0]} works with --mode fresh only: augment mode keeps the existing policies and adds only what observed traffic needs`,
    );
  }
  if (options.apiServer.length > 0 && !options.tier.includes('baseline')) {
    throw new UserError(
      '--api-server is for the Baseline policy: add --tier baseline (or leave --api-server out)',
    );
  }
  const namespaces = new Set(state.workloads.map((w) => w.namespace));
  // The Baseline policy covers every namespace, also those the input does not hold: any name may be left out.
  const baseline = options.tier.includes('baseline');
  for (const [flag, list] of [
    ['--skip-default-deny', options.skipDefaultDeny],
    ['--exclude-namespace', options.excludeNamespace],
  ] as const) {
    for (const ns of list) {
      if (baseline && !NAMESPACE_NAME.test(ns)) {
        throw new UserError(
          `${flag} "${ns}": not a namespace name (lowercase letters, digits and "-", at most 63, starting and ending with a letter or digit)`,
        );
      }
      if (namespaces.has(ns)) continue;
      const meant = suggestName(ns, [...namespaces]);
      if (!baseline) {
        throw new UserError(
          withDidYouMean(
            `${flag} "${ns}": no workload of the input is in that namespace (namespaces: ${[...namespaces].sort().join(', ')})`,
            meant,
          ),
        );
      }
      // A namespace the input does not hold is fine for the Baseline policy, unless it looks like a typo.
      if (meant !== undefined) {
        warnings.push(
          withDidYouMean(
            `${flag} "${ns}": no workload of the input is in that namespace (left out of the Baseline policy as given)`,
            meant,
          ),
        );
      }
    }
  }
  return warnings;
}

/** The DNS names and reserved identities Hubble saw: standard input's were taken as loadFlows read it. */
async function ciliumNames(
  options: GenerateCliOptions,
  hubble: HubbleNames,
): Promise<{ names: DnsNames; entities: EntityAddresses; pipes: string[] }> {
  const pipes = await readHubbleNames(options, hubble);
  return { names: hubble.names(), entities: hubble.entities(), pipes };
}

function generateOptionsOf(options: GenerateCliOptions): GenerateOptions {
  return {
    mode: options.mode,
    skipDefaultDeny: options.skipDefaultDeny,
    excludeNamespaces: options.excludeNamespace,
    allowDns: options.allowDns,
    dns: { namespace: options.dnsNamespace, matchLabels: options.dnsSelector },
    excludeDenied: options.excludeDenied,
    tiers: options.tier,
    // CiliumNetworkPolicies can allow what no ipBlock matches under Cilium: a Node's address, as an entity.
    nodeEntities: options.format === 'cilium',
    apiServer: options.apiServer,
    ...(options.aggregate === undefined ? {} : { aggregateV4: options.aggregate }),
    ...(options.aggregateV6 === undefined ? {} : { aggregateV6: options.aggregateV6 }),
  };
}

/** The policies to stdout (or into the files of --output-dir, with the report), or -o json; the report to stderr. */
async function writeOutput(
  state: ClusterState,
  gen: Generation,
  verification: Verification,
  files: readonly RenderedFile[],
  report: readonly string[],
  options: GenerateCliOptions,
  io: Io,
): Promise<void> {
  if (options.output === 'json') {
    io.stdout(`${JSON.stringify(generationToJson(state, gen, verification, files), null, 2)}\n`);
    note(io, `${report.join('\n')}\n`);
  } else if (options.outputDir !== undefined) {
    const { removed, kept } = await writeFiles(options.outputDir, files, options.force === true);
    const lines = [
      ...report,
      files.length === 0
        ? `wrote no file to ${options.outputDir}`
        : `wrote ${files.length} file${files.length === 1 ? '' : 's'} to ${options.outputDir}: ${files.map((f) => f.path).join(', ')}`,
    ];
    if (removed.length > 0)
      lines.push(
        `removed ${removed.length} file${removed.length === 1 ? '' : 's'} netfence had generated before: ${removed.join(', ')}`,
      );
    if (kept.length > 0)
      lines.push(
        `kept ${kept.length} symbolic link${kept.length === 1 ? ' to a file' : 's to files'} netfence had generated before, which this run does not write (netfence removes only files it wrote): ${kept.join(', ')}`,
      );
    io.stdout(`${lines.join('\n')}\n`);
  } else {
    io.stdout(files.map((f) => f.content).join('---\n'));
    note(io, `${report.join('\n')}\n`);
  }
}
