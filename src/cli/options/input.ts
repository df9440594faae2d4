/** Options and loading shared by every command that reads manifests. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { HostNetworkPods, usesEndPort, type EngineOptions } from '../../engine/compile.ts';
import { ciliumHostPolicyWarnings } from '../../engine/cilium-host.ts';
import {
  CniName,
  cniEngineOptions,
  isCniName,
  resolveCniProfile,
  unenforcedClusterPoliciesWarning,
  endPortPoliciesIgnoredWarning,
  ciliumEndPortFields,
  ciliumEndPortPrunedWarning,
  ciliumDefaultDenyIgnoredWarning,
  ciliumDefaultDenyTurnedOff,
  ciliumSctpFields,
  sctpFields,
  sctpIgnoredWarning,
  withOverrides,
  type CniProfile,
} from '../../engine/profiles.ts';
import { suggestName, withDidYouMean } from '../../base/suggest.ts';
import type { ClusterState } from '../../model/cluster.ts';
import { formatProblem } from '../../model/problem.ts';
import {
  cacheMaxBytes,
  describeIgnored,
  loadManifests,
  loadSources,
  openManifestCache,
  UNREAD_CODES,
  type LoadResult,
  type ManifestCache,
  type Source,
} from '../../parse/index.ts';
import type { CacheVariant } from '../../parse/cache.ts';
import { VERSION } from '../version.ts';
import { namespaceName } from './values.ts';
import { cacheFolder, recordInput, unsafeCacheWarning, WARM_SHARE } from '../warm-inputs.ts';
import { readingProgress } from '../progress.ts';
import {
  addClusterOptions,
  checkClusterOptions,
  detectClusterCni,
  loadClusterState,
  printWarnings,
  type ClusterOptions,
} from './cluster.ts';
import { ExitCode, UserError, note, parseBoolean, type Io } from '../io.ts';

export interface InputOptions extends ClusterOptions {
  namespace: string;
  skipInvalid: boolean;
  strict: boolean;
  /** `--ipblock-matches-pods`, when given (else the CNI profile says). */
  ipblockMatchesPods?: boolean;
  /** `--host-network-pods`, when given (else the CNI profile says). */
  hostNetworkPods?: HostNetworkPods;
  /** `--cni`: a profile (`cilium@1.16`), `upstream`, or `auto` (with `--cluster`). */
  cni: string;
  /** `--cni-option key=value`, in order. */
  cniOption: string[];
  /** With `--cni auto`: the profile `loadInput` detected on the cluster. */
  detectedCni?: CniProfile;
  /** Whether to use the manifest cache (`--no-cache` sets it false). */
  cache: boolean;
}

/** The options that choose the CNI profile (every reading command has them). */
export type CniOptions = Pick<
  InputOptions,
  'ipblockMatchesPods' | 'hostNetworkPods' | 'cni' | 'cniOption' | 'detectedCni'
>;

/** The runs told already that their cache folder is not used (a command may read two inputs: diff). */
const warned = new WeakSet<Io>();

/**
 * The manifest cache of a run (src/parse/cache.ts): in the user's cache folder (`NETFENCE_CACHE_DIR`,
 * `$XDG_CACHE_HOME/netfence` or `~/.cache/netfence`); none with `--no-cache`, with `NETFENCE_NO_CACHE=1`, or
 * when the environment names no folder. Its pack is named by the working folder and the `paths` read, and
 * written once the command's answer is out (`Io.afterAnswer`). None either on an input's first run, which
 * keeps only the mark that the input was read (`holdFirst`): a one-off run costs what it costs without the
 * cache. None, with a warning, in a folder that other users can write to (`unsafeCacheWarning`).
 */
export async function manifestCache(
  options: Pick<InputOptions, 'cache'>,
  io: Io,
  paths: readonly string[],
  variant: CacheVariant,
): Promise<ManifestCache | undefined> {
  const dir = cacheFolder(io.env, !options.cache);
  if (dir === undefined) {
    const warning = warned.has(io) ? undefined : unsafeCacheWarning(io.env, !options.cache);
    if (warning !== undefined) {
      warned.add(io);
      io.stderr(warning);
    }
    return undefined;
  }
  const cache = openManifestCache({
    dir,
    version: VERSION,
    maxBytes: cacheMaxBytes(io.env),
    input: JSON.stringify([process.cwd(), ...paths]),
    deferred: io.afterAnswer !== undefined,
    holdFirst: true,
  });
  io.afterAnswer?.(() => cache.commit());
  return (await cache.begin(variant)) ? cache : undefined;
}

/** After reading with the cache: whether the next run over the same files will find them there (process.ts). */
export async function recordWarmth(result: LoadResult, io: Io): Promise<void> {
  if (io.inputFingerprint === undefined || result.cacheShare === undefined) return;
  const dir = cacheFolder(io.env, false);
  if (dir === undefined) return;
  await recordInput(dir, io.inputFingerprint, result.cacheShare >= WARM_SHARE);
}

/**
 * The CNI profile the options choose: `--cni` (or, for `auto`, the one detected on the cluster), with
 * `--cni-option` overrides, then `--ipblock-matches-pods` and `--host-network-pods` when given (they
 * override the profile's settings of the same name). Throws a UserError for a bad name or setting.
 */
export function cniProfile(options: CniOptions): CniProfile {
  const overrides = [...(options.cniOption ?? [])];
  if (options.ipblockMatchesPods !== undefined) {
    overrides.push(
      `cidr-matches-pods=${String(options.ipblockMatchesPods)}`,
      `cidr-matches-nodes=${String(options.ipblockMatchesPods)}`,
    );
  }
  if (options.hostNetworkPods !== undefined) overrides.push(`host-network-pods=${options.hostNetworkPods}`);
  const detected = options.detectedCni;
  if ((options.cni ?? 'upstream') === 'auto') {
    if (detected === undefined) {
      throw new UserError(
        '--cni auto reads the CNI from the cluster: use it with --cluster, or name the CNI (--cni cilium@1.16)',
      );
    }
    const r = withOverrides(detected, overrides);
    if (!r.ok) throw new UserError(r.message);
    return r.value;
  }
  const spec = options.cni ?? 'upstream';
  const r = resolveCniProfile(spec, overrides);
  if (!r.ok) throw new UserError(withDidYouMean(r.message, cniSuggestion(spec)));
  return r.value;
}

/** For an unknown CNI name in `spec` (`cillium@1.16`, `CILIUM`): the spec with the nearest name (`cilium@1.16`). */
function cniSuggestion(spec: string): string | undefined {
  const at = spec.indexOf('@');
  const name = at < 0 ? spec : spec.slice(0, at);
  if (isCniName(name)) return undefined;
  const closest = suggestName(name, [...Object.values(CniName), 'auto']);
  return closest === undefined ? undefined : closest + (at < 0 ? '' : spec.slice(at));
}

/** With `--cni auto`: detects the cluster's CNI profile once, into `options.detectedCni`. */
export async function detectCniProfile(options: CniOptions & ClusterOptions, io: Io): Promise<void> {
  if (options.cni !== 'auto' || options.detectedCni !== undefined) return;
  const found = await detectClusterCni(options, io);
  const r = resolveCniProfile(found.spec);
  if (!r.ok) throw new Error(`detected CNI ${found.spec}: ${r.message}`);
  let profile = r.value;
  // Settings read from the cluster are taken as the agent took them (no version check); one netfence does not
  // understand is left out, with a warning, rather than failing the run.
  for (const o of found.overrides) {
    const next = withOverrides(profile, [o], false);
    if (next.ok) profile = next.value;
    else io.stderr(`warning: the cluster's CNI setting ${o} is left out: ${next.message}\n`);
  }
  options.detectedCni = profile;
}

/**
 * The engine options of the reading options (`--cni`, `--cni-option`, `--ipblock-matches-pods`,
 * `--host-network-pods`). Without `--cni` and `--cni-option` they are exactly what they were before
 * profiles: the two engine options, no profile.
 */
export function engineOptions(options: CniOptions): EngineOptions {
  const profile = cniProfile(options);
  if (profile.cni === 'upstream' && (options.cniOption ?? []).length === 0) {
    return {
      ipBlockMatchesPods: profile.settings.cidrMatchesPods,
      hostNetworkPods: profile.settings.hostNetworkPods,
    };
  }
  return cniEngineOptions(profile);
}

/**
 * The CNI profile and engine options of a command that watches a live cluster (webhook, controller): a bad
 * `--cni` fails at once; `--cni auto` is detected on the cluster once, at start (noted on stderr).
 */
export async function liveCniProfile(
  options: CniOptions & ClusterOptions,
  io: Io,
): Promise<{ profile: CniProfile; engine: EngineOptions }> {
  if (options.cni !== 'auto') cniProfile(options);
  await detectCniProfile(options, io);
  return { profile: cniProfile(options), engine: engineOptions(options) };
}

export { parseBoolean };

export function addInputOptions(cmd: Command): Command {
  cmd
    .addOption(
      new Option(
        '-n, --namespace <namespace>',
        'namespace of objects that name none; with --cluster, the namespace to read',
      )
        .default('default')
        .argParser(namespaceName),
    )
    .option(
      '--skip-invalid',
      'analyze the valid objects and list the invalid ones instead of failing',
      false,
    );
  addReadingOptions(cmd);
  return addClusterOptions(cmd);
}

/**
 * `--strict`, `--ipblock-matches-pods` and `--host-network-pods`: how files are checked and what the engine
 * assumes of the CNI (every reading command has them; `apply` too, for its impact).
 */
export function addReadingOptions(cmd: Command): Command {
  cmd.option(
    '--strict',
    'reject exactly what the API server rejects: also unknown fields and fields that do not change connectivity (container images, owner uids, Service port names, object names), which are otherwise warnings',
    false,
  );
  return addCniOptions(cmd)
    .option(
      '--no-cache',
      'read every file afresh, and keep nothing in the cache (which holds what reading unchanged files gave; NETFENCE_NO_CACHE=1 does the same)',
    )
    .option(
      '--all-warnings',
      'print every warning of the input (by default three of each kind, and a count of the rest)',
    );
}

/**
 * `--cni`, `--cni-option`, `--ipblock-matches-pods` and `--host-network-pods`: what the engine assumes of the
 * CNI (the reading commands, and the webhook and controller, which read a live cluster).
 */
export function addCniOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--cni <profile>',
        'how the CNI reads what the API leaves open: upstream (the API), cilium, calico, ovn-kubernetes or antrea, optionally @version (cilium@1.15); auto: detect it with --cluster (docs/cni.md)',
      ).default('upstream'),
    )
    .addOption(
      new Option(
        '--cni-option <key=value>',
        'override one setting of the profile (repeatable): policy-cidr-match-mode=nodes,pods, enable-sctp=true, endport=first-port, … (docs/cni.md)',
      )
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
        .default([]),
    )
    .addOption(
      new Option(
        '--ipblock-matches-pods <bool>',
        'whether ipBlock peers also match pods (and nodes) by their IPs (default: as the --cni profile says; true for upstream)',
      ).argParser(parseBoolean),
    )
    .addOption(
      new Option(
        '--host-network-pods <mode>',
        'exempt: policies do not apply to host-network pods, as with most CNIs; policed: read the API literally (default: as the --cni profile says; exempt)',
      ).choices(Object.values(HostNetworkPods)),
    );
}

/**
 * Reads the manifests (or, with `--cluster`, the live cluster), reports problems on stderr, and returns the
 * state or throws a UserError.
 */
export async function loadInput(
  paths: readonly string[],
  options: InputOptions,
  io: Io,
): Promise<ClusterState> {
  checkClusterOptions(options);
  // A bad --cni or --cni-option fails before anything is read (`auto` is checked once detected).
  if (options.cni !== 'auto' || options.cluster !== true) cniProfile(options);
  if (options.cluster === true) {
    const state = await loadClusterState(paths, options, io);
    await detectCniProfile(options, io);
    warnUnenforcedClusterPolicies(state, options, io);
    warnIgnoredFields(state, options, io);
    return state;
  }
  if (paths.length === 0) {
    throw new UserError('no input: give manifest files or folders, or - to read standard input');
  }
  const progress = readingProgress(io);
  const variant = { defaultNamespace: options.namespace, strict: options.strict };
  const result = await loadManifests([...paths], {
    ...variant,
    skipInvalid: options.skipInvalid,
    readStdin: () => io.readStdin(),
    onProgress: progress.update,
    afterFile: io.afterFileRead,
    cache: await manifestCache(options, io, paths, variant),
  });
  progress.done();
  await recordWarmth(result, io);
  const state = reportLoadResult(result, options, io);
  warnUnenforcedClusterPolicies(state, options, io);
  warnIgnoredFields(state, options, io);
  return state;
}

/** One warning line when the CNI profile (`--cni`, or `vsCni`) does not enforce cluster policy kinds the input has. */
export function warnUnenforcedClusterPolicies(state: ClusterState, options: CniOptions, io: Io): void {
  // Cilium host policies: enforced only with the host firewall on, on the Nodes the input has.
  if (state.ciliumPolicies.length > 0)
    for (const line of ciliumHostPolicyWarnings(state, cniProfile(options))) io.stderr(`${line}\n`);
  const endPort = endPortPoliciesIgnoredWarning(
    cniProfile(options),
    state.policies.filter(usesEndPort).map((p) => p.id),
  );
  if (endPort !== undefined) io.stderr(`${endPort}\n`);
  const pruned = ciliumEndPortPrunedWarning(
    cniProfile(options),
    state.ciliumPolicies.filter((p) => ciliumEndPortFields(p.object).length > 0).map((p) => p.id),
  );
  if (pruned !== undefined) io.stderr(`${pruned}\n`);
  if (state.clusterPolicies.length === 0) return;
  const line = unenforcedClusterPoliciesWarning(
    cniProfile(options),
    state.clusterPolicies.map((p) => p.kind),
  );
  if (line !== undefined) io.stderr(`${line}\n`);
}

/**
 * A warning line for each field the CNI profile reads otherwise than written: the policies whose SCTP entries
 * allow nothing (Cilium without enable-sctp), and the Cilium policies whose `enableDefaultDeny: false` is
 * ignored (before 1.16, enable-non-default-deny-policies=false). Not from `lint`, whose rules
 * no-unenforced-sctp and no-cilium-allow-without-default-deny report each field.
 */
export function warnIgnoredFields(state: ClusterState, options: CniOptions, io: Io): void {
  const profile = cniProfile(options);
  const sctp = sctpIgnoredWarning(profile, [
    ...state.policies.filter((p) => sctpFields(p).length > 0).map((p) => p.id),
    // Cilium's own policies count where Cilium enforces them.
    ...(profile.cni === 'cilium' ? state.ciliumPolicies : [])
      .filter((p) => ciliumSctpFields(p.object).length > 0)
      .map((p) => p.id),
  ]);
  if (sctp !== undefined) io.stderr(`${sctp}\n`);
  const defaultDeny = ciliumDefaultDenyIgnoredWarning(
    profile,
    state.ciliumPolicies.filter(ciliumDefaultDenyTurnedOff).map((p) => p.id),
  );
  if (defaultDeny !== undefined) io.stderr(`${defaultDeny}\n`);
}

/**
 * Throws a UserError when the input holds no manifests (one line that names the inputs), or when a path could
 * not be read (each listed on stderr): --skip-invalid skips invalid objects, not missing files.
 */
export function checkFound(result: LoadResult, io: Io): void {
  if (result.noManifests !== undefined) throw new UserError(result.noManifests);
  const unread = result.errors.filter((e) => UNREAD_CODES.has(e.code));
  if (unread.length === 1) throw new UserError(unread[0]!.message);
  if (unread.length > 1) {
    for (const e of unread) io.stderr(`${formatProblem(e)}\n`);
    throw new UserError(`${unread.length} inputs could not be read (listed above); check the paths`);
  }
}

/** Prints a load's warnings, notice and problems on stderr; returns the state, or throws when input is invalid. */
export function reportLoadResult(
  result: LoadResult,
  options: Pick<InputOptions, 'skipInvalid' | 'allWarnings'>,
  io: Io,
): ClusterState {
  checkFound(result, io);
  printWarnings(result.warnings, options, io);
  const notice = describeIgnored(result.ignored);
  if (notice !== undefined) note(io, `${notice}\n`);
  if (result.errors.length > 0 && !options.skipInvalid) {
    for (const e of result.errors) io.stderr(`${formatProblem(e)}\n`);
    const n = result.errors.length;
    throw new UserError(
      `${n} error${n === 1 ? '' : 's'} in the input; fix ${n === 1 ? 'it' : 'them'}, or run with --skip-invalid to analyze the rest`,
      ExitCode.Usage,
    );
  }
  if (options.skipInvalid) {
    for (const e of result.errors) io.stderr(`${formatProblem(e)}\n`);
    for (const s of result.skipped) io.stderr(`skipped ${s.object} (${s.file}:${s.line}): ${s.reason}\n`);
    checkSomethingLeft(result);
  }
  return result.state;
}

/**
 * The error of a gate (`--fail-on`, `--max-reach`) over input without a workload (a folder with only
 * Namespaces): nothing to check is never a pass.
 */
export function noWorkloadToCheck(flag: string, state: ClusterState): UserError {
  const n = state.namespaces.length;
  return new UserError(
    `${flag}: no workload to check: the input has none (${n} namespace${n === 1 ? '' : 's'}, no workload); a gate with nothing to check does not pass`,
  );
}

/**
 * With --skip-invalid, input whose every object (of the kinds netfence reads) was skipped leaves nothing to
 * check: a stop, never an empty answer that a CI gate takes for a pass.
 */
export function checkSomethingLeft(result: LoadResult): void {
  const n = result.skipped.length;
  // Objects, not definitions: an object defined twice and skipped is skipped once.
  if (n === 0 || result.found - result.repeated - result.ignored.count > n) return;
  throw new UserError(
    `nothing left to read: --skip-invalid skipped every object of the input (${n} skipped, listed above); fix them, or run without --skip-invalid to see each error`,
  );
}

/** Manifests read from somewhere else than files (a git revision), loaded and reported as `loadInput` does. */
export function loadSourcesInput(sources: readonly Source[], options: InputOptions, io: Io): ClusterState {
  const result = loadSources([...sources], {
    defaultNamespace: options.namespace,
    skipInvalid: options.skipInvalid,
    strict: options.strict,
  });
  return reportLoadResult(result, options, io);
}

/** The options for reading files only (the live-cluster ones left out). */
export function fileOptions(options: InputOptions): InputOptions {
  return {
    namespace: options.namespace,
    skipInvalid: options.skipInvalid,
    strict: options.strict,
    ...(options.ipblockMatchesPods === undefined ? {} : { ipblockMatchesPods: options.ipblockMatchesPods }),
    ...(options.hostNetworkPods === undefined ? {} : { hostNetworkPods: options.hostNetworkPods }),
    cni: options.cni,
    cniOption: options.cniOption,
    ...(options.detectedCni === undefined ? {} : { detectedCni: options.detectedCni }),
    cache: options.cache,
  };
}
