/** `netfence exposure`: who can reach each workload and whom it can reach, in the rules' own general terms. */
import { Command, Option } from 'commander';
import { suggestName, withDidYouMean } from '../../base/suggest.ts';
import type { Granularity } from '../../engine/connectivity.ts';
import { computeExposure, EXPOSURE_FLAGS, type ExposureFlag } from '../../engine/exposure.ts';
import { openSession } from '../../engine/session.ts';
import { formatExposure, type ExposureFormat } from '../../format/exposure.ts';
import { resolveOption } from '../options/endpoints.ts';
import { collect } from '../options/values.ts';
import {
  addInputOptions,
  engineOptions,
  loadInput,
  noWorkloadToCheck,
  type InputOptions,
} from '../options/input.ts';
import { ExitCode, UserError, type Io } from '../io.ts';

interface ExposureOptions extends InputOptions {
  output: ExposureFormat;
  granularity: Granularity;
  for?: string[];
  flagged: boolean;
  failOn?: ExposureFlag[];
}

function parseFlags(value: string, previous: ExposureFlag[] | undefined): ExposureFlag[] {
  const out = [...(previous ?? [])];
  for (const raw of value.split(',')) {
    const flag = raw.trim();
    if (flag === 'any') out.push(...EXPOSURE_FLAGS);
    else if ((EXPOSURE_FLAGS as readonly string[]).includes(flag)) out.push(flag as ExposureFlag);
    else {
      const names = [...EXPOSURE_FLAGS, 'any'];
      throw new UserError(
        withDidYouMean(
          `--fail-on: unknown flag "${flag}"; use one of ${names.join(', ')} (comma-separated)`,
          suggestName(flag, names),
        ),
      );
    }
  }
  return [...new Set(out)];
}

export function exposureCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('exposure')
    .description(
      'For each workload: who can reach it and whom it can reach, stated as the rules state it; flags the exposed ones',
    )
    .argument('[paths...]', 'manifest files or folders (YAML or JSON), or - for standard input')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['txt', 'json', 'md']).default('txt'),
    )
    .addOption(
      new Option('--granularity <level>', 'one entry per workload or per pod')
        .choices(['workload', 'pod'])
        .default('workload'),
    )
    .option(
      '--for <peer>',
      'only these workloads: namespace/workload, namespace/*, a label selector… (repeatable)',
      collect,
    )
    .option('--flagged', 'only the workloads with at least one flag', false)
    .option(
      '--fail-on <flags>',
      `exit 1 when a workload has one of these flags (comma-separated: ${EXPOSURE_FLAGS.join(', ')}, or any)`,
      parseFlags,
    );
  addInputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Flags:
  reachable-from-outside         some address outside the cluster may connect to it
  reachable-from-all-namespaces  pods of any namespace (also ones created later) may connect to it
  egress-to-internet             it may connect to public addresses

Exit status: 0 (it is a report), 1 when --fail-on names a flag some workload has, 2 on bad input.

Example:
  netfence exposure --flagged --fail-on reachable-from-outside examples/webshop`,
  );
  cmd.action(async (paths: string[], options: ExposureOptions) => {
    const state = await loadInput(paths, options, io);
    const session = openSession(state, engineOptions(options));
    const index = session.refs(options.granularity);
    let only: Set<string> | undefined;
    if (options.for !== undefined) {
      only = new Set();
      for (const text of options.for) {
        const r = resolveOption(index, '--for', text);
        for (const e of r.entities) if (e.kind !== 'external') only.add(e.id);
      }
      if (only.size === 0)
        throw new UserError(`--for names only addresses; give workloads (namespace/workload, namespace/*)`);
    }
    const all = computeExposure(index, only);
    if (options.failOn !== undefined && all.length === 0) throw noWorkloadToCheck('--fail-on', state);
    const shown = options.flagged ? all.filter((w) => w.flags.length > 0) : all;
    io.stdout(formatExposure({ index, all, shown }, options.output));
    const failOn = new Set(options.failOn ?? []);
    const failing = all.filter((w) => w.flags.some((f) => failOn.has(f.flag)));
    if (failing.length > 0) {
      io.stderr(
        `netfence: ${failing.length} ${index.granularity}${failing.length === 1 ? '' : 's'} flagged ${[...failOn].join(' or ')}: ${failing
          .map((w) => w.name)
          .join(', ')}\n`,
      );
    }
    setExit(failing.length > 0 ? ExitCode.CheckFailed : ExitCode.Ok);
  });
  return cmd;
}
