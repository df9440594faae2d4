/**
 * `netfence controller`: keeps a default-deny NetworkPolicy in every namespace (repaired when edited or
 * deleted, Events recorded), re-audits the cluster continuously (PolicyReports, Prometheus metrics), and
 * serves /metrics, /healthz and /readyz. With --leader-elect, one replica leads (a Lease) and writes.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import {
  DenyDirections,
  defaultSettings,
  parseSettings,
  selectorOf,
  type ControllerSettings,
} from '../../controller/config.ts';
import { startController, type LogEntry, type RunningController } from '../../controller/run.ts';
import { CONFIG_FILE } from '../../lint/config.ts';
import { ExitCode, UserError, firstOf, note, type Io } from '../io.ts';
import { addClusterOptions, connectWith, withCluster, type ClusterOptions } from '../options/cluster.ts';
import { addCniOptions, liveCniProfile, type CniOptions } from '../options/input.ts';
import { profileName } from '../../engine/profiles.ts';
import { loadLintConfig } from '../options/lint-config.ts';
import { listenError, parseListen } from '../options/listen.ts';
import { loadSpecs } from '../options/specs.ts';
import { readReason } from '../../parse/index.ts';
import { collect, parseDuration as parseDurationOption, wholeNumber } from '../options/values.ts';

interface ControllerOptions extends ClusterOptions, CniOptions {
  listen: { host: string; port: number };
  namespace?: string;
  controllerConfig?: string;
  defaultDeny?: DenyDirections;
  policyName?: string;
  dns: boolean;
  excludeNamespace?: string[];
  excludeSelector?: string[];
  config?: string | false;
  spec?: string[];
  auditDebounce?: number;
  resync?: number;
  top?: number;
  leaderElect: boolean;
  leaseName: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  identity?: string;
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The controller's own namespace: --namespace, the pod's (POD_NAMESPACE, the service account's), else `netfence`. */
function ownNamespace(options: ControllerOptions, io: Io): string {
  if (options.namespace !== undefined) return options.namespace;
  const fromEnv = io.env.POD_NAMESPACE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    const text = readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
    if (text !== '') return text;
  } catch {
    // not in a pod
  }
  return 'netfence';
}

/** Defaults, then the --controller-config file, then the flags given. */
async function settingsOf(
  options: ControllerOptions,
  namespace: string,
  cmd: Command,
): Promise<ControllerSettings> {
  let settings = defaultSettings(namespace);
  if (options.controllerConfig !== undefined) {
    let text: string;
    try {
      text = await readFile(options.controllerConfig, 'utf8');
    } catch (error) {
      throw new UserError(
        `--controller-config: cannot read "${options.controllerConfig}": ${readReason(error, options.controllerConfig)}`,
      );
    }
    const parsed = parseSettings(text, settings);
    if (!parsed.ok)
      throw new UserError(
        parsed.problems
          .map((p) => `${options.controllerConfig!}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`)
          .join('\n'),
      );
    settings = parsed.settings;
  }
  const deny = { ...settings.defaultDeny };
  if (options.defaultDeny !== undefined) deny.directions = options.defaultDeny;
  if (options.policyName !== undefined) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.policyName))
      throw new UserError(
        `--policy-name: not an object name (lowercase letters, digits, '-'): "${options.policyName}"`,
      );
    deny.name = options.policyName;
  }
  if (cmd.getOptionValueSource('dns') === 'cli' && !options.dns) deny.dns = undefined;
  const selectors = [...settings.excludeSelectors];
  for (const text of options.excludeSelector ?? []) {
    const s = selectorOf(text);
    if (typeof s === 'string')
      throw new UserError(`--exclude-selector: ${s} in "${text}" (e.g. netfence.io/default-deny=off)`);
    selectors.push(s);
  }
  return {
    ...settings,
    defaultDeny: deny,
    excludeNamespaces: [...new Set([...settings.excludeNamespaces, ...(options.excludeNamespace ?? [])])],
    excludeSelectors: selectors,
    ...(options.auditDebounce === undefined ? {} : { auditDebounceMs: options.auditDebounce }),
    ...(options.resync === undefined ? {} : { resyncMs: options.resync }),
    ...(options.top === undefined ? {} : { blastRadiusTop: options.top }),
  };
}

export function controllerCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('controller')
    .description(
      'Keep a default-deny policy in every namespace and audit the cluster continuously (PolicyReports, Prometheus metrics)',
    )
    .addOption(
      new Option('--listen <host:port>', 'address of /metrics, /healthz and /readyz (HTTP)')
        .default({ host: '127.0.0.1', port: 8080 }, '127.0.0.1:8080')
        .argParser(parseListen),
    )
    .option(
      '--namespace <name>',
      "the controller's own namespace: its Lease, excluded (default: the pod's, else netfence)",
    )
    .option(
      '--controller-config <file>',
      'settings file (YAML): default deny, exclusions, audit; flags override it',
    )
    .addOption(
      new Option('--default-deny <directions>', 'which directions the default-deny policy isolates').choices(
        Object.values(DenyDirections),
      ),
    )
    .option('--policy-name <name>', 'name of the default-deny policy (default: netfence-default-deny)')
    .option('--no-dns', 'no DNS allowance (egress to kube-dns on 53/UDP and 53/TCP) in the default deny')
    .option(
      '--exclude-namespace <name>',
      'leave this namespace alone (repeatable; kube-system and its own always)',
      collect,
    )
    .option(
      '--exclude-selector <selector>',
      'leave namespaces with these labels alone, e.g. netfence.io/default-deny=off (repeatable)',
      collect,
    )
    .option('-c, --config <file>', `lint configuration of the audit (default: ${CONFIG_FILE} here, if any)`)
    .option('--no-config', `ignore ${CONFIG_FILE}`)
    .option(
      '--spec <file>',
      'reachability spec (netfence test) whose assertions the audit checks (repeatable)',
      collect,
    )
    .addOption(
      new Option(
        '--audit-debounce <duration>',
        'quiet time after a change before the audit runs (default 1s)',
      ).argParser(parseDurationOption),
    )
    .addOption(
      new Option(
        '--resync <duration>',
        'reconcile and re-audit everything this often, changed or not (default 5m)',
      ).argParser(parseDurationOption),
    )
    .addOption(
      new Option('--top <n>', 'workloads in the blast-radius metric (default 10)').argParser(wholeNumber(1)),
    )
    .option('--leader-elect', 'elect one leader with a Lease (run it so with more than one replica)', false)
    .option('--lease-name <name>', 'name of the Lease in its namespace', 'netfence-controller')
    .addOption(
      new Option('--lease-duration <duration>').default(15_000).argParser(parseDurationOption).hideHelp(),
    )
    .addOption(
      new Option('--renew-deadline <duration>').default(10_000).argParser(parseDurationOption).hideHelp(),
    )
    .addOption(
      new Option('--retry-period <duration>').default(2000).argParser(parseDurationOption).hideHelp(),
    )
    .option(
      '--identity <name>',
      'this replica in the Lease and in Events (default: host name and a random suffix)',
    );
  addCniOptions(cmd);
  addClusterOptions(cmd, {
    cluster: 'the cluster to watch and write to (required)',
    allNamespaces: null,
  });
  cmd.addHelpText(
    'after',
    `
The controller watches namespaces, pods, workloads, services, NetworkPolicies, nodes, the cluster policy
tiers and Cilium's policies (when their CRDs are installed); its audit follows the --cni profile (auto:
detected on the cluster at start). It creates the default-deny policy it owns (label
app.kubernetes.io/managed-by=netfence) in each namespace not excluded, repairs it when it is edited or
deleted, and writes a PolicyReport "netfence" per namespace. Logs are JSON lines on stderr. Install it with
deploy/controller/: see docs/enforce.md.

Examples:
  netfence controller --cluster --spec reachability.yaml
  netfence controller --cluster --spec reachability.yaml --cni auto
  netfence controller --cluster --listen 0.0.0.0:8080 --leader-elect --default-deny ingress`,
  );
  cmd.action(async (options: ControllerOptions) => {
    await runController(options, cmd, io, () => firstOf(process, ['SIGINT', 'SIGTERM']));
    setExit(ExitCode.Ok);
  });
  return cmd;
}

async function runController(
  options: ControllerOptions,
  cmd: Command,
  io: Io,
  until: () => Promise<void>,
): Promise<void> {
  if (options.cluster !== true)
    throw new UserError(
      'the controller works on a live cluster: add --cluster (and --context or --kubeconfig)',
    );
  const namespace = ownNamespace(options, io);
  const settings = await settingsOf(options, namespace, cmd);
  const cni = await liveCniProfile(options, io);
  const rules = {
    lint: await loadLintConfig(options.config, io),
    specs: await loadSpecs(options.spec ?? [], io),
    engine: cni.engine,
  };
  const identity = options.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  const log = (entry: LogEntry): void =>
    io.stderr(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  await withCluster(async (k8s) => {
    const conn = connectWith(k8s, options, io);
    let controller: RunningController;
    try {
      controller = await startController({
        conn,
        watch: (onEvent) => k8s.watchCluster(conn, { onEvent }),
        settings,
        rules,
        namespace,
        identity,
        ...(options.leaderElect
          ? {
              election: {
                leaseName: options.leaseName,
                leaseDurationMs: options.leaseDuration,
                renewDeadlineMs: options.renewDeadline,
                retryMs: options.retryPeriod,
              },
            }
          : {}),
        host: options.listen.host,
        port: options.listen.port,
        log,
      });
    } catch (error) {
      throw listenError(error, options.listen);
    }
    io.stdout(
      `netfence controller: serving ${controller.url}/metrics (identity ${identity}, cni ${profileName(cni.profile)})\n`,
    );
    note(
      io,
      `Watching cluster "${conn.context}"; /readyz answers 200 once it is read. Press Ctrl+C to stop.\n`,
    );
    try {
      await until();
    } finally {
      log({ msg: 'stopping' });
      await controller.stop();
      log({ msg: 'stopped' });
    }
  });
}
