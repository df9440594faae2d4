import type { Node } from 'yaml';
import { WorkloadKind } from '../../model/k8s.ts';
import type { FieldPath } from '../../model/problem.ts';
import type { ParsedObject } from '../../parse/types.ts';
import { YAML11_BOOLEAN } from '../../parse/validate/check.ts';
import { yaml } from '../../parse/yaml.ts';
import { RuleCategory, defineRule, type RuleContext } from '../types.ts';

const TRUE_WORDS = new Set(['y', 'yes', 'on']);
const LEADING_ZERO = /^[-+]?0[0-9]+$/;
const SEXAGESIMAL = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** Kinds whose fields netfence reads: policies are checked whole, the others in their labels and ports. */
const POLICY_KIND = 'NetworkPolicy';
const READ_KINDS = new Set<string>(['Namespace', 'Pod', 'Service', ...Object.values(WorkloadKind)]);
/** In other objects, everything under these keys is checked. */
const CHECKED_KEYS = new Set(['labels', 'matchLabels', 'selector', 'ports']);

/**
 * Text with no token that `yamlTrap` could flag, as a plain scalar stands in the text, has no trap: its nodes
 * need not be built. A plain scalar starts a line, or follows a space, `[`, `{` or `,`, or a `:` right after a
 * quoted key or a flow collection (`{"a":on}`; after any other key, YAML needs a space after the `:`, and `a:on`
 * is one scalar); it ends the line or stands before a space, `,`, `]`, `}` or `:`. A `:` inside a value, as in
 * an IPv6 address (`fd00:25:31::/48`), starts no scalar: such files were parsed again for nothing.
 */
const MAY_HAVE_TRAP =
  /(?:^|[\s[{,]|(?<=["'\]}]):)(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?0[0-9]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)(?=$|[\s,\]}:])/;

/** Whether `text` may hold a trap (`MAY_HAVE_TRAP`): when not, its objects' nodes are not walked. */
export function mayHaveTrap(text: string): boolean {
  return MAY_HAVE_TRAP.test(text);
}

type Trap =
  | { messageId: 'boolean'; data: { text: string; bool: string } }
  | { messageId: 'octal'; data: { text: string; octal: number; decimal: number } }
  | { messageId: 'leadingZero'; data: { text: string; decimal: number } }
  | { messageId: 'sexagesimal'; data: { text: string; value: number } };

export function yamlTrap(text: string): Trap | undefined {
  if (YAML11_BOOLEAN.test(text)) {
    return { messageId: 'boolean', data: { text, bool: String(TRUE_WORDS.has(text.toLowerCase())) } };
  }
  if (LEADING_ZERO.test(text)) {
    const decimal = Number.parseInt(text, 10);
    const digits = text.replace(/^[-+]/, '');
    if (/^0[0-7]+$/.test(digits)) {
      const octal = Number.parseInt(digits, 8) * (text.startsWith('-') ? -1 : 1);
      return { messageId: 'octal', data: { text, octal, decimal } };
    }
    return { messageId: 'leadingZero', data: { text, decimal } };
  }
  if (SEXAGESIMAL.test(text)) {
    const negative = text.startsWith('-');
    const value = text
      .replace(/^[-+]/, '')
      .replaceAll('_', '')
      .split(':')
      .reduce((acc, part) => acc * 60 + Number(part), 0);
    return { messageId: 'sexagesimal', data: { text, value: negative ? -value : value } };
  }
  return undefined;
}

type Report = (trap: Trap, path: FieldPath) => void;

function walk(node: Node | null | undefined, path: FieldPath, checked: boolean, report: Report): void {
  // Loaded on first use: only a file with a token that could be a trap has its nodes walked.
  const { isMap, isPair, isScalar, isSeq } = yaml();
  if (isScalar(node)) {
    if (checked && node.type === 'PLAIN' && typeof node.source === 'string') {
      const trap = yamlTrap(node.source);
      if (trap !== undefined) report(trap, path);
    }
    return;
  }
  if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) walk(item as Node | null, [...path, i], checked, report);
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const childPath = [...path, key];
    if (checked && pair.key.type === 'PLAIN' && typeof pair.key.source === 'string') {
      const trap = yamlTrap(pair.key.source);
      if (trap !== undefined) report(trap, childPath);
    }
    walk(pair.value as Node | null, childPath, checked || CHECKED_KEYS.has(key), report);
  }
}

function checkSource(ctx: RuleContext<Trap['messageId']>, source: ParsedObject): void {
  if (source.node === undefined) return;
  walk(source.node, [], source.kind === POLICY_KIND, (trap, path) => {
    ctx.report({ messageId: trap.messageId, data: trap.data, subject: { source }, path });
  });
}

export default defineRule({
  id: 'no-yaml11-traps',
  meta: {
    severity: 'warning',
    category: RuleCategory.Yaml,
    description:
      'Policies (and the labels and ports they match) hold no value that YAML 1.1 reads differently',
    rationale:
      'netfence reads YAML 1.2, as modern tools do, but kubectl, Helm and client-go use a YAML 1.1 parser, where an unquoted yes, no, on, off, y or n is a boolean, a number with a leading zero is octal (010 is 8) and 1:30 is a number in base 60. The same file can then mean something else on the cluster than in review: a label value "on" becomes true (and the API rejects it), port 010 becomes 8. NetworkPolicies are checked whole; other objects in their labels, selectors and ports.',
    fix: 'Quote the value ("on", "08080"), or write the number without leading zeros.',
    // An unquoted boolean word as a label or selector value is an input error (kubectl's API server rejects
    // it); the linter reports it as this rule's finding instead.
    supersedes: ['yaml11-boolean', 'yaml11-boolean-key'],
    messages: {
      boolean:
        'Unquoted value {{text}} is the boolean {{bool}} in YAML 1.1 (kubectl, Helm) but the string "{{text}}" in YAML 1.2; quote it: "{{text}}"',
      octal:
        '{{text}} has a leading zero: YAML 1.1 tools (kubectl, Helm) read the octal number {{octal}}, YAML 1.2 reads {{decimal}}; write {{decimal}}, or quote it if it is a name',
      leadingZero:
        '{{text}} has a leading zero: YAML 1.1 tools (kubectl, Helm) do not read it as {{decimal}} (it is not valid octal); write {{decimal}}, or quote it if it is a name',
      sexagesimal:
        'Unquoted value {{text}} is the number {{value}} (base 60) in YAML 1.1 (kubectl, Helm) but the string "{{text}}" in YAML 1.2; quote it: "{{text}}"',
    },
  },
  check(ctx) {
    const mayByFile = new Map<string, boolean>();
    for (const source of ctx.sources) {
      if (source.kind !== POLICY_KIND && !READ_KINDS.has(source.kind)) continue;
      const text = source.fileText;
      if (text !== undefined) {
        let may = mayByFile.get(source.file);
        if (may === undefined) mayByFile.set(source.file, (may = mayHaveTrap(text)));
        if (!may) continue;
      }
      checkSource(ctx, source);
    }
  },
});
