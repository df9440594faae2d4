/** What serve and report share: loading the analysis the web UI shows, and the UI's files. */
import type { ObservedTraffic } from '../flows/types.ts';
import type { LintConfig } from '../lint/config.ts';
import { Analysis } from '../server/analysis.ts';
import { AssetsError, loadUiAssets, type UiAssets } from '../server/assets.ts';
import type { SourceInfo } from '../server/model.ts';
import { readSources } from '../server/sources.ts';
import { UserError, note, type Io } from './io.ts';
import { loadFlows, reportUnmatched, type FlowOptions } from './options/flows.ts';
import { engineOptions, loadInput, type InputOptions } from './options/input.ts';

/** The options of serve and report that say what to analyze. */
export interface AnalysisOptions extends InputOptions, FlowOptions {
  /** Reload when the input changes (serve --watch); the report is always a snapshot. */
  watch: boolean;
  /** A lint configuration file, `false` for --no-config, undefined for the default. */
  config?: string | false;
}

/** What the input is, for the page header. */
export function describeSource(paths: readonly string[], options: InputOptions): SourceInfo {
  if (options.cluster === true) {
    const where = options.allNamespaces === true ? 'every namespace' : `namespace ${options.namespace}`;
    return {
      kind: 'cluster',
      description: `cluster${options.context === undefined ? '' : ` ${options.context}`}, ${where}`,
    };
  }
  return { kind: 'files', description: paths.map((p) => (p === '-' ? 'standard input' : p)).join(' ') };
}

/** Loads the input, the flows and the manifests' sources, and analyzes them. */
export async function loadAnalysis(
  paths: readonly string[],
  options: AnalysisOptions,
  io: Io,
  lintConfig: LintConfig,
  version: number,
): Promise<Analysis> {
  let stdinText: string | undefined;
  const capturing: Io = { ...io, readStdin: async () => (stdinText = await io.readStdin()) };
  const state = await loadInput(paths, options, capturing);
  let traffic: ObservedTraffic | undefined;
  if (options.flows.length > 0) {
    traffic = await loadFlows(options, paths, state, io);
    reportUnmatched(traffic, io);
  }
  const sources =
    options.cluster === true
      ? { objects: [], policyYaml: new Map<string, string>() }
      : await readSources(state, stdinText);
  return new Analysis({
    state,
    source: describeSource(paths, options),
    engine: engineOptions(options),
    defaultNamespace: options.namespace,
    sources: sources.objects,
    policyYaml: sources.policyYaml,
    lintConfig,
    traffic,
    version,
    watch: options.watch,
  });
}

/** The web UI's files (built from ui/ first in a checkout, saying so); a missing build is a UserError. */
export async function uiAssets(io: Io): Promise<UiAssets> {
  try {
    return await loadUiAssets(() => note(io, 'Building the web UI (once, from ui/)…\n'));
  } catch (error) {
    if (error instanceof AssetsError) throw new UserError(error.message);
    throw error;
  }
}
