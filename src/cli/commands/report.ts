/**
 * `netfence report --html out.html`: one self-contained page — a summary first, then the app (graph, matrix,
 * findings, and the traffic overlay with --flows) with the analysis inlined, then why each connection is
 * allowed — to attach to a ticket, print, or keep as a CI artifact.
 */
import { plural } from '../../format/plural.ts';
import { policyCounts } from '../../format/connectivity.ts';
import { Command } from 'commander';
import type { ExplainAnswerJson, StaticDataJson } from '../../contract/api.ts';
import type { LintJson } from '../../contract/lint.ts';
import type { ExposureItemJson } from '../../contract/exposure.ts';
import { computeExposure } from '../../engine/exposure.ts';
import { exposureToJson } from '../../format/exposure.ts';
import { formatPorts } from '../../describe/ports.ts';
import { renderHtmlReport, type ReportSummary } from '../../format/html-report.ts';
import { ApiError, type Analysis } from '../../server/analysis.ts';
import {
  checkForceGoesWith,
  checkOutputFile,
  pointOutputFlagTo,
  writeFileAtomic,
} from '../options/output.ts';
import { addInputOptions } from '../options/input.ts';
import { ExitCode, UserError, note, type Io } from '../io.ts';
import { addFlowOptions } from '../options/flows.ts';
import { loadLintConfig } from '../options/lint-config.ts';
import { loadAnalysis, uiAssets, type AnalysisOptions } from '../web.ts';

interface ReportOptions extends Omit<AnalysisOptions, 'watch'> {
  html?: string;
  force: boolean;
}

/** Above this many workloads the report leaves out the per-workload exposure (the inspector's rules in words). */
const MAX_EXPOSURE_WORKLOADS = 2000;
/** Above this many connections the report explains only the first ones (each is some lines of text). */
const MAX_EXPLAINED_CONNECTIONS = 1000;
/** Workloads listed under "Largest blast radius". */
const TOP_BLAST_RADIUS = 5;

/** What the summary says, and every connection's explanation (the app's edge panel reads them). */
function reportSummary(
  analysis: Analysis,
  lintJson: LintJson,
  generated: string,
): { summary: ReportSummary; explanations: Record<string, ExplainAnswerJson> } {
  const model = analysis.model();
  const name = (id: string): string => analysis.index.displayName(id);
  const explanations: Record<string, ExplainAnswerJson> = {};
  const connections: ReportSummary['connections'] = [];
  const all = analysis.connectivity.connections;
  for (const c of all.slice(0, MAX_EXPLAINED_CONNECTIONS)) {
    let text: string;
    try {
      const json = analysis.explain(c.src, c.dst, null);
      explanations[`${c.src} ${c.dst}`] = json;
      text = json.text;
    } catch (error) {
      // A workload whose pods differ too much to explain at once: say so, as serve would.
      if (!(error instanceof ApiError)) throw error;
      text = `${error.message}: run netfence explain --granularity pod`;
    }
    connections.push({ src: name(c.src), dst: name(c.dst), ports: formatPorts(c.ports), explanation: text });
  }
  const ranking = analysis.paths([], [], null).ranking ?? [];
  const findings = lintJson.summary;
  const summary: ReportSummary = {
    source: analysis.input.source.description,
    generated,
    counts: {
      namespaces: model.summary.namespaces,
      workloads: model.summary.workloads,
      policies: model.summary.policies,
      ciliumPolicies: model.ciliumPolicies.length,
      connections: model.summary.connections,
      domains: model.summary.domains,
    },
    // The model's isolation is the tier-combined one: a NetworkPolicy isolates, or a cluster policy denies;
    // a Cilium deny rule alone (a metadata guardrail) takes some traffic out but isolates nothing.
    unprotected: model.workloads.flatMap((w) => {
      const onlyDenies = (['ingress', 'egress'] as const).filter(
        (dir) => w.isolated[dir] === 'isolated' && onlyCiliumDenies(analysis, w.id, dir),
      );
      const ingress = w.isolated.ingress !== 'isolated' || onlyDenies.includes('ingress');
      const egress = w.isolated.egress !== 'isolated' || onlyDenies.includes('egress');
      return ingress || egress ? [{ name: w.displayName, ingress, egress, onlyDenies }] : [];
    }),
    findings: { errors: findings.errors, warnings: findings.warnings, info: findings.info },
    blastRadius: ranking
      .slice(0, TOP_BLAST_RADIUS)
      .map((r) => ({ name: name(r.id), reach: r.reach, direct: r.direct })),
    connections,
    connectionsLeftOut: all.length - connections.length,
    domains: model.domains.map((d) => ({ src: name(d.src), domain: d.domain, ports: d.summary })),
  };
  return { summary, explanations };
}

/**
 * Whether some pod class of a workload is isolated in `dir` only by Cilium deny rules: no NetworkPolicy
 * isolates it, no Cilium rule set selecting it is in default deny, and no cluster policy selects it.
 */
function onlyCiliumDenies(analysis: Analysis, id: string, dir: 'ingress' | 'egress'): boolean {
  const compiled = analysis.compiled;
  const classes = analysis.index.ends(id).flatMap((end) => ('pod' in end ? [end.pod] : []));
  return classes.some(
    (c) =>
      !(compiled.policiesOfClass[c] ?? []).some((p) =>
        dir === 'ingress' ? compiled.policies[p]!.affectsIngress : compiled.policies[p]!.affectsEgress,
      ) &&
      (compiled.tierPoliciesOfClass[c] ?? []).length === 0 &&
      !(compiled.cilium.ofClass[c] ?? []).some((i) => compiled.cilium.specs[i]!.info.defaultDeny[dir]),
  );
}

/** The file to write (`-`: standard output), refused before the analysis rather than after it. */
async function checkTarget(options: ReportOptions): Promise<string> {
  const target = options.html;
  if (target === undefined || target === '') {
    throw new UserError('give the file to write: --html report.html (or --html - for standard output)');
  }
  checkForceGoesWith(options.force, target !== '-', '--html <file>', 'the file if it exists');
  if (target !== '-') await checkOutputFile(target, options.force, 'report.html');
  return target;
}

/** Every workload's exposure, by entity id; empty above `MAX_EXPOSURE_WORKLOADS` workloads. */
function exposureById(analysis: Analysis): Record<string, ExposureItemJson> {
  const exposure: Record<string, ExposureItemJson> = {};
  if (analysis.input.state.workloads.length > MAX_EXPOSURE_WORKLOADS) return exposure;
  const all = computeExposure(analysis.index);
  const json = exposureToJson({ index: analysis.index, all, shown: all });
  for (const w of 'workloads' in json ? json.workloads : json.pods) exposure[w.id] = w;
  return exposure;
}

/** The data the page inlines (the app reads it as it reads netfence serve's answers) and its summary. */
function reportData(analysis: Analysis): { data: StaticDataJson; summary: ReportSummary } {
  const model = analysis.model();
  const exposure = exposureById(analysis);
  const generated = new Date().toISOString();
  const lintJson = analysis.lint();
  const { summary, explanations } = reportSummary(analysis, lintJson, generated);
  const data: StaticDataJson = {
    model: { ...model, features: { ...model.features, static: true, watch: false } },
    lint: lintJson,
    exposure,
    explanations,
    flows: analysis.input.traffic === undefined ? null : analysis.flows(),
    generated,
  };
  return { data, summary };
}

export function reportCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('report')
    .description(
      'Write a self-contained HTML report (graph, matrix, findings) to attach to a ticket or a CI run',
    )
    .argument('[paths...]', 'manifest files or folders (YAML or JSON), or - for standard input')
    .option('--html <file>', 'write the report to this file (- for standard output)')
    .option('--force', 'with --html <file>: replace the file if it exists', false)
    .option(
      '-c, --config <file>',
      'lint configuration for the findings (default: netfence.yaml here, if any)',
    )
    .option('--no-config', 'ignore netfence.yaml');
  pointOutputFlagTo(cmd, '--html');
  addFlowOptions(cmd);
  addInputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
The page works offline: its script, styles and data are inside it. It starts with a summary (counts,
unprotected workloads, findings by severity, largest blast radius), and explains every allowed connection
(the first ${MAX_EXPLAINED_CONNECTIONS}); it prints. Attack paths and what-if editing need netfence serve.

Examples:
  netfence report examples/webshop --html webshop.html
  netfence report --cluster -A --html cluster-$(date +%F).html`,
  );
  cmd.action(async (paths: string[], options: ReportOptions) => {
    const target = await checkTarget(options);
    const lintConfig = await loadLintConfig(options.config, io);
    const analysis = await loadAnalysis(paths, { ...options, watch: false }, io, lintConfig, 1);
    const assets = await uiAssets(io);
    const html = renderHtmlReport({
      indexHtml: assets.get('index.html')!.toString('utf8'),
      css: assets.get('app.css')!.toString('utf8'),
      js: assets.get('app.js')!.toString('utf8'),
      ...reportData(analysis),
      title: `netfence report · ${analysis.input.source.description}`,
    });
    if (target === '-') io.stdout(html);
    else {
      const state = analysis.input.state;
      await writeFileAtomic(target, html);
      note(
        io,
        `Wrote ${target} (${Math.round(Buffer.byteLength(html) / 1000)} kB): ${plural(state.workloads.length, 'workload')}, ${policyCounts(state)}\n`,
      );
    }
    setExit(ExitCode.Ok);
  });
  return cmd;
}
