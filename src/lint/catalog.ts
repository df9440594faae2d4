/**
 * The rule catalog: documentation links, and `docs/rules/index.md` generated from the rule modules
 * (`scripts/gen-rule-docs.ts` writes it; a test fails when it is stale).
 */
import type { AnyRule, RuleCategory } from './types.ts';

/** The project's repository: SARIF `informationUri`, and the base of every rule's documentation link. */
export const REPOSITORY_URL = 'https://github.com/netfence/netfence';
/** Where `docs/rules/<id>.md` is published. The one place to change when the repository moves. */
export const RULE_DOCS_BASE = `${REPOSITORY_URL}/blob/main/docs/rules/`;

export function ruleDocsUrl(id: string): string {
  return `${RULE_DOCS_BASE}${id}.md`;
}

export const CATEGORY_TITLES: Readonly<Record<RuleCategory, string>> = {
  isolation: 'Isolation',
  permissive: 'Overly broad rules',
  'dead-code': 'Policies and peers that match nothing',
  ports: 'Ports',
  dns: 'DNS',
  redundancy: 'Redundancy',
  mistakes: 'Common mistakes',
  yaml: 'YAML',
  flows: 'Compared with observed traffic (--flows)',
};

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The Markdown of `docs/rules/index.md`. */
export function renderRuleIndex(rules: readonly AnyRule[]): string {
  const lines = [
    '<!-- Generated from src/lint/rules/*.ts by `node scripts/gen-rule-docs.ts`: do not edit by hand. -->',
    '',
    '# Lint rules',
    '',
    `\`netfence lint\` checks NetworkPolicies, cluster-wide policies (ClusterNetworkPolicy, AdminNetworkPolicy,`,
    `BaselineAdminNetworkPolicy) and Cilium policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy)`,
    `with these ${rules.length} rules. Each page says what the rule finds, why it matters,`,
    'when not to use it, and shows a failing and a passing example. The severity is the default; `netfence.yaml` can',
    'change it or turn the rule off, and a `netfence.io/ignore` annotation suppresses a finding on one object (see',
    '[`netfence lint`](../commands/lint.md)). `netfence lint --list-rules` prints this catalog with the severities in',
    'force.',
  ];
  const categories: RuleCategory[] = [];
  for (const r of rules) if (!categories.includes(r.meta.category)) categories.push(r.meta.category);
  for (const category of categories) {
    lines.push(
      '',
      `## ${CATEGORY_TITLES[category]}`,
      '',
      '| Rule | Severity | Checks that |',
      '| --- | --- | --- |',
    );
    for (const r of rules.filter((x) => x.meta.category === category)) {
      const notes = [
        r.meta.heuristic === true ? 'heuristic' : '',
        r.meta.requiresFlows === true ? 'needs `--flows`' : '',
      ]
        .filter((n) => n !== '')
        .join(', ');
      lines.push(
        `| [\`${r.id}\`](${r.id}.md) | ${r.meta.severity} | ${cell(r.meta.description)}${notes === '' ? '' : ` (${notes})`} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
