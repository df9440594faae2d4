/**
 * `netfence report --html out.html`: one self-contained page (graph, matrix, findings, and the traffic overlay
 * with --flows) with the analysis inlined, to attach to a ticket or keep as a CI artifact.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import type { StaticDataJson } from '../../contract/api.ts';
import type { ExposureItemJson } from '../../contract/exposure.ts';
import { computeExposure } from '../../engine/exposure.ts';
import { exposureToJson } from '../../format/exposure.ts';
import { renderHtmlReport } from '../../format/html-report.ts';
import { writeFileAtomic } from '../options/output.ts';
import { addInputOptions } from '../options/input.ts';
import { ExitCode, UserError, note, type Io } from '../io.ts';
import { addFlowOptions } from '../options/flows.ts';
import { loadLintConfig } from '../options/lint-config.ts';
import { loadAnalysis, uiAssets, type AnalysisOptions } from '../web.ts';

interface ReportOptions extends Omit<AnalysisOptions, 'watch'> {
  html?: string;
}

/** Above this many workloads the report leaves out the per-workload exposure (the inspector's rules in words). */
const MAX_EXPOSURE_WORKLOADS = 2000;

export function reportCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('report')
    .description(
      'Write a self-contained HTML report (graph, matrix, findings) to attach to a ticket or a CI run',
    )
    .argument('[paths...]', 'manifest files or folders (YAML or JSON), or - for standard input')
    .option('--html <file>', 'write the report to this file (- for standard output)')
    .option(
      '-c, --config <file>',
      'lint configuration for the findings (default: netfence.yaml here, if any)',
    )
    .option('--no-config', 'ignore netfence.yaml');
  addFlowOptions(cmd);
  addInputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
The page works offline: its script, styles and data are inside it. Explanations, attack paths and what-if
editing need netfence serve.

Examples:
  netfence report examples/webshop --html webshop.html
  netfence report --cluster -A --html cluster-$(date +%F).html`,
  );
  cmd.action(async (paths: string[], options: ReportOptions) => {
    if (options.html === undefined || options.html === '') {
      throw new UserError('give the file to write: --html report.html (or --html - for standard output)');
    }
    // Say it before the analysis, not after.
    if (options.html !== '-' && !existsSync(dirname(resolve(options.html)))) {
      throw new UserError(`cannot write "${options.html}": folder "${dirname(options.html)}" does not exist`);
    }
    const lintConfig = await loadLintConfig(options.config, io);
    const analysis = await loadAnalysis(paths, { ...options, watch: false }, io, lintConfig, 1);
    const assets = await uiAssets(io);
    const model = analysis.model();
    const features = model.features;
    const state = analysis.input.state;
    const exposure: Record<string, ExposureItemJson> = {};
    if (state.workloads.length <= MAX_EXPOSURE_WORKLOADS) {
      const all = computeExposure(analysis.index);
      const json = exposureToJson({ index: analysis.index, all, shown: all });
      for (const w of 'workloads' in json ? json.workloads : json.pods) exposure[w.id] = w;
    }
    const data: StaticDataJson = {
      model: { ...model, features: { ...features, static: true, watch: false } },
      lint: analysis.lint(),
      exposure,
      flows: analysis.input.traffic === undefined ? null : analysis.flows(),
      generated: new Date().toISOString(),
    };
    const html = renderHtmlReport({
      indexHtml: assets.get('index.html')!.toString('utf8'),
      css: assets.get('app.css')!.toString('utf8'),
      js: assets.get('app.js')!.toString('utf8'),
      data,
      title: `netfence report · ${analysis.input.source.description}`,
    });
    if (options.html === '-') io.stdout(html);
    else {
      await writeFileAtomic(options.html, html);
      note(
        io,
        `Wrote ${options.html} (${Math.round(html.length / 1024)} kB): ${state.workloads.length} workloads, ${state.policies.length} policies\n`,
      );
    }
    setExit(ExitCode.Ok);
  });
  return cmd;
}
