/**
 * `netfence webhook`: a validating admission webhook. It lists and watches the cluster, and answers each
 * AdmissionReview (NetworkPolicy, cluster policies, Namespace labels; Pods with --pods, Nodes with --nodes) with what the change
 * does: spec assertions it breaks and lint findings it adds deny (or warn, or are only logged).
 */
import { Command, Option } from 'commander';
import { Mode, type AdmissionRules } from '../../admission/decide.ts';
import {
  DEFAULT_MAX_BODY_BYTES,
  startWebhook,
  type LogEntry,
  type RunningWebhook,
} from '../../admission/server.ts';
import {
  checkOpenssl,
  makeSelfSigned,
  readClientCa,
  readKeyPair,
  UnreadableFile,
  watchFiles,
  watchKeyPair,
  type KeyPair,
} from '../../admission/tls.ts';
import { CONFIG_FILE } from '../../lint/config.ts';
import { ExitCode, UserError, firstOf, note, type Io } from '../io.ts';
import { addClusterOptions, connectWith, withCluster, type ClusterOptions } from '../options/cluster.ts';
import { addCniOptions, liveCniProfile, type CniOptions } from '../options/input.ts';
import { listenError, parseListen } from '../options/listen.ts';
import { loadLintConfig } from '../options/lint-config.ts';
import { loadSpecs } from '../options/specs.ts';
import { readReason } from '../../parse/index.ts';
import { collect, wholeNumber } from '../options/values.ts';
import { profileName } from '../../engine/profiles.ts';

interface WebhookOptions extends ClusterOptions, CniOptions {
  listen: { host: string; port: number };
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  selfSigned: boolean;
  san?: string[];
  mode: Mode;
  config?: string | false;
  spec?: string[];
  pods: boolean;
  nodes: boolean;
  maxBody: number;
}

const MODES = Object.values(Mode);

/** The serving pair: mounted files (reloaded when they change), or a self-signed CA and certificate. */
async function servingPair(
  options: WebhookOptions,
  io: Io,
): Promise<{ pair: KeyPair; files?: { cert: string; key: string } }> {
  if (options.selfSigned) {
    if (options.tlsCert !== undefined || options.tlsKey !== undefined)
      throw new UserError(
        '--self-signed makes its own certificate: drop --tls-cert and --tls-key, or --self-signed',
      );
    const missing = await checkOpenssl();
    if (missing !== undefined) throw new UserError(missing);
    const host = options.listen.host;
    const names = [
      ...new Set([
        ...(host === '0.0.0.0' || host === '::' ? [] : [host]),
        'localhost',
        ...(options.san ?? []),
      ]),
    ];
    const made = await makeSelfSigned(names);
    io.stderr(`Self-signed certificate for ${names.join(', ')} in ${made.dir}\n`);
    io.stderr(`CA certificate: ${made.caFile} (the webhook configuration's caBundle is its base64)\n`);
    return { pair: made, files: { cert: made.certFile, key: made.keyFile } };
  }
  if (options.san !== undefined)
    throw new UserError('--san names the self-signed certificate: add --self-signed');
  if (options.tlsCert === undefined || options.tlsKey === undefined)
    throw new UserError(
      'the webhook serves HTTPS: give --tls-cert and --tls-key (a cert-manager Secret, mounted), or --self-signed to try it out',
    );
  try {
    return {
      pair: await readKeyPair(options.tlsCert, options.tlsKey),
      files: { cert: options.tlsCert, key: options.tlsKey },
    };
  } catch (error) {
    throw tlsFileError(error);
  }
}

/** A TLS option's file that cannot be read, or is no certificate, as one line. */
function tlsFileError(error: unknown): UserError {
  if (error instanceof UnreadableFile)
    return new UserError(
      `${error.option}: cannot read "${error.file}": ${readReason(error.cause, error.file)}`,
    );
  return new UserError(error instanceof Error ? error.message : String(error));
}

export function webhookCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('webhook')
    .description(
      'Run a validating admission webhook: deny (or warn about) policy and namespace changes that break the rules',
    )
    .addOption(
      new Option('--listen <host:port>', 'address to serve HTTPS on')
        .default({ host: '127.0.0.1', port: 8443 }, '127.0.0.1:8443')
        .argParser(parseListen),
    )
    .option('--tls-cert <file>', 'serving certificate (PEM, with its chain); reloaded when the file changes')
    .option('--tls-key <file>', 'its private key (PEM); reloaded when the file changes')
    .option(
      '--client-ca <file>',
      "CA (PEM) of the API server's client certificate: /validate answers only callers it signed; reloaded when the file changes",
    )
    .option('--self-signed', 'make a CA and a certificate with openssl (for trying it out)', false)
    .option(
      '--san <name>',
      'with --self-signed: another DNS name or IP of the certificate (repeatable)',
      collect,
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'deny: refuse changes that break the rules; warn: admit them with warnings; audit: only log',
      )
        .choices(MODES)
        .default('deny'),
    )
    .option(
      '-c, --config <file>',
      `lint configuration: rules at error deny, at warning warn (default: ${CONFIG_FILE} here, if any)`,
    )
    .option('--no-config', `ignore ${CONFIG_FILE}`)
    .option(
      '--spec <file>',
      'reachability spec (netfence test): a change that breaks one of its tests is denied (repeatable)',
      collect,
    )
    .option(
      '--pods',
      'judge Pod creations and label changes too (every pod change then waits for netfence)',
      false,
    )
    .option(
      '--nodes',
      "judge Node label and address changes too (cluster policies' nodes peers, Cilium's toNodes and host)",
      false,
    )
    .addOption(
      new Option('--max-body <bytes>', 'largest request body accepted')
        .default(DEFAULT_MAX_BODY_BYTES)
        .argParser(wholeNumber(1))
        .hideHelp(),
    );
  addCniOptions(cmd);
  addClusterOptions(cmd, {
    cluster: 'the cluster to watch (required: the webhook answers from its state)',
    allNamespaces: null,
  });
  cmd.addHelpText(
    'after',
    `
The webhook lists and watches namespaces, pods, workloads, services, NetworkPolicies, nodes, the cluster
policy tiers and Cilium's policies (when their CRDs are installed), and answers POST /validate from that
state (GET /healthz, GET /readyz). Its verdicts follow the --cni profile (auto: detected on the cluster at
start). Each decision is logged as one JSON line on stderr. Register it with a
ValidatingWebhookConfiguration: see docs/enforce.md.

Examples:
  netfence webhook --cluster --self-signed --spec reachability.yaml
  netfence webhook --cluster --self-signed --spec reachability.yaml --cni auto
  netfence webhook --cluster --listen 0.0.0.0:8443 --tls-cert /tls/tls.crt --tls-key /tls/tls.key --mode warn`,
  );
  cmd.action(async (options: WebhookOptions) => {
    await runWebhook(options, io, () => firstOf(process, ['SIGINT', 'SIGTERM']));
    setExit(ExitCode.Ok);
  });
  return cmd;
}

/** Runs the webhook until `until` resolves. */
async function runWebhook(options: WebhookOptions, io: Io, until: () => Promise<void>): Promise<void> {
  if (options.cluster !== true)
    throw new UserError(
      'the webhook answers from a live cluster: add --cluster (and --context or --kubeconfig)',
    );
  const specs = await loadSpecs(options.spec ?? [], io);
  const cni = await liveCniProfile(options, io);
  const rules: AdmissionRules = {
    mode: options.mode,
    lint: await loadLintConfig(options.config, io),
    specs,
    pods: options.pods,
    nodes: options.nodes,
    engine: cni.engine,
  };
  const { pair, files } = await servingPair(options, io);
  let clientCa: string | undefined;
  if (options.clientCa !== undefined) {
    try {
      clientCa = await readClientCa(options.clientCa);
    } catch (error) {
      throw tlsFileError(error);
    }
  }
  const log = (entry: LogEntry): void =>
    io.stderr(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  await withCluster(async (k8s) => {
    const conn = connectWith(k8s, options, io);
    // A kind not served (Cilium's or the tiers' CRDs not installed) is logged once and listed again every
    // 30 s: once its CRD is installed, it is watched (and logged so).
    const watch = k8s.watchCluster(conn, {
      onEvent: (e) => {
        if (e.kind === 'error' || e.kind === 'left-out')
          log({
            msg: e.kind === 'error' ? 'watch error' : 'left out',
            resource: e.resource,
            reason: e.message,
          });
        else if (e.kind === 'listed' && e.message !== undefined)
          log({ msg: 'watching', resource: e.resource, reason: e.message });
      },
    });
    let server: RunningWebhook;
    try {
      server = await startWebhook({
        host: options.listen.host,
        port: options.listen.port,
        tls: pair,
        ...(clientCa === undefined ? {} : { clientCa }),
        rules,
        source: watch,
        log,
        maxBodyBytes: options.maxBody,
      });
    } catch (error) {
      watch.stop();
      throw listenError(error, options.listen);
    }
    /** Applies what a watched file now holds, logging `<what> reloaded` or why not. */
    const reloading =
      <T>(what: string, apply: (value: T) => void) =>
      (value: T): void => {
        try {
          apply(value);
          log({ msg: `${what} reloaded` });
        } catch (error) {
          log({
            msg: `${what} not reloaded`,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      };
    const stops = [
      files === undefined
        ? () => undefined
        : watchKeyPair(
            files.cert,
            files.key,
            reloading('certificate', (next: KeyPair) => server.setKeyPair(next)),
            (reason) => log({ msg: 'certificate not reloaded', reason }),
          ),
      options.clientCa === undefined
        ? () => undefined
        : watchFiles(
            [options.clientCa],
            () => readClientCa(options.clientCa!),
            reloading('client CA', (next: string) => server.setClientCa(next)),
            (reason) => log({ msg: 'client CA not reloaded', reason }),
          ),
    ];
    const stopReloading = (): void => stops.forEach((stop) => stop());
    io.stdout(`netfence webhook: listening on ${server.url}/validate (mode ${options.mode})\n`);
    note(
      io,
      `Reading cluster "${conn.context}"; /readyz answers 200 once it is read. Press Ctrl+C to stop.\n`,
    );
    void watch.ready.then(() =>
      log({ msg: 'ready', objects: watch.objects().length, cni: profileName(cni.profile) }),
    );
    try {
      await until();
    } finally {
      stopReloading();
      watch.stop();
      await server.close();
    }
  });
}
