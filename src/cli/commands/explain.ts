/** `netfence explain`: why a connection is allowed or denied, rule by rule, port range by port range. */
import { Command, Option } from 'commander';
import { isExternalId, type Granularity } from '../../engine/connectivity.ts';
import { domainMatches, explainDomain, explainEntities } from '../../engine/explain.ts';
import { explainDomainMisses } from '../../engine/explain-cilium.ts';
import { parseRef, RefErrorCode } from '../../engine/refs.ts';
import { ALL_CONNECTIONS, type PortSet } from '../../engine/ports.ts';
import type { RefIndex, ResolvedRef } from '../../engine/refs.ts';
import { openSession } from '../../engine/session.ts';
import {
  domainExplainJson,
  domainExplanationJson,
  formatDomainExplanation,
  formatExplanations,
  type ExplainedPair,
  type ExplainFormat,
} from '../../format/explain.ts';
import { ProfileExplainer } from '../../engine/profile-explain.ts';
import { profileName } from '../../engine/profiles.ts';
import { endName } from '../../describe/explain.ts';
import { formatPortList } from '../../describe/ports.ts';
import { isEmptyPorts } from '../../engine/ports.ts';
import type { CniDecisionJson, DomainExplanationJson } from '../../contract/explain.ts';
import { addInputOptions, engineOptions, loadInput, type InputOptions } from '../options/input.ts';
import { parsePortOption, resolveOption } from '../options/endpoints.ts';
import { ExitCode, UserError, type Io } from '../io.ts';

interface ExplainOptions extends InputOptions {
  from: string;
  to: string;
  port?: string;
  output: ExplainFormat;
  granularity: Granularity;
}

/** Explaining a whole namespace against another is a report, not an explanation: keep it to a few pairs. */
const MAX_PAIRS = 20;

/** The name to print for one resolved entity: the address the user typed, or the entity's display name. */
function nameFor(index: RefIndex, ref: ResolvedRef, entityId: string): string | undefined {
  if (ref.ref.kind === 'ip' && isExternalId(entityId)) return ref.ref.ip;
  return index.byId.get(entityId) === undefined ? undefined : index.displayName(entityId);
}

/**
 * Refuses what explain does not do: an end naming several workloads (a CIDR may cover several address
 * ranges), or more than `MAX_PAIRS` pairs.
 */
function checkPairs(index: RefIndex, src: ResolvedRef, dst: ResolvedRef): void {
  for (const [option, r] of [
    ['--from', src],
    ['--to', dst],
  ] as const) {
    if (r.entities.length > 1 && r.ref.kind !== 'cidr') {
      const names = r.entities.slice(0, 5).map((e) => index.displayName(e.id));
      throw new UserError(
        `${option} "${r.ref.text}" matches ${r.entities.length} ${index.granularity}s (${names.join(', ')}${r.entities.length > 5 ? ', …' : ''}); explain takes one: name it, or use netfence test for many`,
      );
    }
  }
  if (src.entities.length * dst.entities.length > MAX_PAIRS) {
    throw new UserError(
      `"${src.ref.text}" → "${dst.ref.text}" is ${src.entities.length * dst.entities.length} pairs; give a narrower CIDR or an IP address`,
    );
  }
}

/** The explanations of every pair of the two ends, each end named as the user typed it when an address. */
function explainPairs(index: RefIndex, src: ResolvedRef, dst: ResolvedRef, query: PortSet): ExplainedPair[] {
  const pairs: ExplainedPair[] = [];
  for (const s of src.entities) {
    for (const d of dst.entities) {
      const names: { src?: string; dst?: string } = {};
      const sn = nameFor(index, src, s.id);
      const dn = nameFor(index, dst, d.id);
      if (sn !== undefined) names.src = sn;
      if (dn !== undefined) names.dst = dn;
      pairs.push({ src: s.id, dst: d.id, explanations: explainEntities(index, s.id, d.id, query, names) });
    }
  }
  return pairs;
}

export function explainCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('explain')
    .description(
      'Explain why a connection is allowed or denied: the policies and rules on each side, and the near misses',
    )
    .argument('[paths...]', 'manifest files or folders (YAML or JSON), or - for standard input')
    .requiredOption(
      '--from <peer>',
      'source: namespace/workload, namespace/Kind/name, namespace/pod (--granularity pod) or an IP address',
    )
    .requiredOption(
      '--to <peer>',
      'destination, in the same forms (a CIDR explains each address range it covers)',
    )
    .option(
      '--port <port>',
      'one port or range: 8080/TCP, 53/UDP, 8080 (TCP), 1000-2000/TCP; default: every protocol and port',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['txt', 'json', 'md']).default('txt'),
    )
    .addOption(
      new Option('--granularity <level>', 'name workloads or pods')
        .choices(['workload', 'pod'])
        .default('workload'),
    );
  addInputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Exit status: 0 when the connection is allowed on some of the ports asked about, 1 when it is denied on all of
them, 2 on bad input.

Examples:
  netfence explain --from shop/web --to data/postgres --port 5432/TCP examples/webshop
  netfence explain --from payments/payment-gateway --to 203.0.113.245 examples/webshop`,
  );
  cmd.action(async (paths: string[], options: ExplainOptions) => {
    const query = options.port === undefined ? ALL_CONNECTIONS : parsePortOption(options.port);
    const state = await loadInput(paths, options, io);
    const session = openSession(state, engineOptions(options));
    const index = session.refs(options.granularity);
    const src = resolveOption(index, '--from', options.from);
    // A DNS name (`api.stripe.com`, as analyze prints a toFQDNs/domainNames destination), not namespace/name.
    const parsed = parseRef(options.to);
    // `203.0.113.300`: a mistyped address (a DNS name's last label is never all digits), not a name.
    if (!parsed.ok && /^[\d.]+$/.test(options.to.trim()) && options.to.includes('.'))
      throw new UserError(
        `--to: "${options.to.trim()}" is not an IP address (four numbers from 0 to 255, like 203.0.113.10) nor a DNS name`,
      );
    if (!parsed.ok && parsed.error.code === RefErrorCode.NoNamespace && options.to.includes('.')) {
      if (options.output === 'md')
        throw new UserError(
          `explain --to a DNS name ("${options.to}") answers in txt or json: drop -o ${options.output}`,
        );
      const name = options.to.trim().toLowerCase().replace(/\.$/, '');
      let allowed = false;
      const answers: DomainExplanationJson[] = [];
      for (const s of src.entities) {
        const classes = index.ends(s.id).flatMap((end) => ('pod' in end ? [end.pod] : []));
        const rules = explainDomain(session.compiled, classes, name, query);
        const misses = explainDomainMisses(session.compiled, classes, name, query, domainMatches);
        allowed ||= rules.length > 0;
        if (options.output === 'json')
          answers.push(
            domainExplanationJson({ name: index.displayName(s.id), id: s.id }, name, query, rules, misses),
          );
        else io.stdout(formatDomainExplanation(index.displayName(s.id), name, query, rules, misses));
      }
      if (options.output === 'json') {
        const query_ = { from: options.from, to: options.to, port: options.port };
        io.stdout(`${JSON.stringify(domainExplainJson(index.granularity, query_, answers), null, 2)}\n`);
      }
      setExit(allowed ? ExitCode.Ok : ExitCode.CheckFailed);
      return;
    }
    const dst = resolveOption(index, '--to', options.to);
    checkPairs(index, src, dst);
    const pairs = explainPairs(index, src, dst, query);
    const text = formatExplanations(
      index,
      { from: options.from, to: options.to, port: options.port },
      pairs,
      options.output,
    );
    const cni = session.options.cni;
    if (cni === undefined) io.stdout(text);
    else {
      const decided = profileDecisions(new ProfileExplainer(session.compiled), pairs);
      if (options.output === 'json') {
        const json = JSON.parse(text) as Record<string, unknown>;
        io.stdout(`${JSON.stringify({ ...json, cni: { profile: profileName(cni), decided } }, null, 2)}\n`);
      } else io.stdout(text + profileDecisionsText(profileName(cni), decided, options.output));
    }
    const anyAllowed = pairs.some((p) => p.explanations.some((x) => x.verdict !== 'denied'));
    setExit(anyAllowed ? ExitCode.Ok : ExitCode.CheckFailed);
  });
  return cmd;
}

/** The CNI profile's rules that changed a verdict, explanation by explanation. */
function profileDecisions(explainer: ProfileExplainer, pairs: readonly ExplainedPair[]): CniDecisionJson[] {
  const out: CniDecisionJson[] = [];
  for (const x of pairs.flatMap((p) => p.explanations)) {
    for (const d of explainer.decisions(x.src, x.dst, x.query, x.allowed)) {
      out.push({
        src: endName(x.src),
        dst: endName(x.dst),
        setting: d.setting,
        rule: d.rule,
        allowed: isEmptyPorts(x.allowed) ? 'none' : formatPortList(x.allowed),
        upstreamAllowed: isEmptyPorts(d.upstream) ? 'none' : formatPortList(d.upstream),
      });
    }
  }
  return out;
}

/**
 * The decisions in words, after the explanations: which profile rule decided, and what the API would give
 * (Markdown: a list, for a pull-request comment).
 */
function profileDecisionsText(
  profile: string,
  decided: readonly CniDecisionJson[],
  format: ExplainFormat,
): string {
  const md = format === 'md';
  const name = md ? `\`${profile}\`` : profile;
  if (decided.length === 0) return `\nCNI profile ${name}: no rule of it changed this verdict.\n`;
  const lines = decided.map((d) =>
    md
      ? `- ${d.src} → ${d.dst}: ${d.rule} (allowed ${d.allowed}; under \`--cni upstream\`, ${d.upstreamAllowed})`
      : `  ${d.src} → ${d.dst}: ${d.rule}\n    allowed ${d.allowed}; under --cni upstream, ${d.upstreamAllowed}`,
  );
  return `\n${md ? '**' : ''}Decided by the CNI profile ${name}:${md ? '**\n' : ''}\n${lines.join('\n')}\n`;
}
