/**
 * The linter's configuration, `netfence.yaml`:
 *
 *     rules:
 *       require-default-deny-egress: off      # off | info | warning | error
 *       no-wide-ipblock: error
 *     excludeNamespaces: [kube-system, "team-*"]
 *     failOn: warning                         # error | warning | info | none
 *
 * Pure: the CLI reads the file; this parses and validates its text, returning problems with positions.
 */
import type { Node, YAMLMap } from 'yaml';
import type { FieldPath, Problem, Result, Severity } from '../model/problem.ts';
import { closestMatch, withSuggestion } from '../base/suggest.ts';
import { yaml } from '../parse/yaml.ts';
import { suggestName } from './text.ts';

export const CONFIG_FILE = 'netfence.yaml';

export const RuleSetting = { off: 'off', info: 'info', warning: 'warning', error: 'error' } as const;
export type RuleSetting = (typeof RuleSetting)[keyof typeof RuleSetting];

/** The lowest severity that makes `netfence lint` exit 1; `none` never does. */
export const FailOn = { error: 'error', warning: 'warning', info: 'info', none: 'none' } as const;
export type FailOn = (typeof FailOn)[keyof typeof FailOn];

export interface LintConfig {
  /** Per rule: a new severity, or `off`. @default every rule at its own severity */
  rules: Readonly<Record<string, RuleSetting>>;
  /** Namespaces whose findings are dropped; `*` matches any characters. @default none */
  excludeNamespaces: readonly string[];
  /** @default the `--fail-on` option, whose default is `error` */
  failOn?: FailOn;
}

export const DEFAULT_CONFIG: LintConfig = { rules: {}, excludeNamespaces: [] };

const TOP_LEVEL = ['rules', 'excludeNamespaces', 'failOn'] as const;
const SETTINGS = Object.values(RuleSetting);
const FAIL_ON = Object.values(FailOn);

const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

/** Whether a finding of `severity` makes the run fail under `failOn`. */
export function failsOn(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && SEVERITY_RANK[severity] >= SEVERITY_RANK[failOn];
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`);
}

/** A predicate for `excludeNamespaces`. */
export function namespaceFilter(patterns: readonly string[]): (namespace: string) => boolean {
  const regexps = patterns.map(globToRegExp);
  return (namespace) => regexps.some((r) => r.test(namespace));
}

interface Located {
  node: Node | undefined;
  keyNode: Node | undefined;
}

/**
 * Parses and validates `netfence.yaml`. Unknown keys, unknown rule ids and unknown severities are errors
 * that name the closest valid value, so that a typo never silently leaves a rule at its default.
 */
export function parseLintConfig(
  text: string,
  file: string,
  knownRules: readonly string[],
): Result<LintConfig> {
  // The `yaml` package is loaded here, when there is a configuration to read, not on every start.
  const { LineCounter, isMap, isScalar, isSeq, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: Problem[] = [];
  const at = (offset: number | undefined, path: FieldPath, code: string, message: string): void => {
    const pos = offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);
    problems.push({ code, severity: 'error', message, file, line: pos.line, column: pos.col, path });
  };
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const reason =
      firstError.code === 'MULTIPLE_DOCS'
        ? 'a configuration is one YAML document, and a `---` line here starts another: keep one'
        : firstError.code === 'RESOURCE_EXHAUSTION'
          ? 'collections nested too deeply to read (thousands of levels)'
          : (firstError.message.split('\n')[0] ?? '');
    at(firstError.pos[0], [], 'config-syntax', `invalid YAML: ${reason}`);
    return { ok: false, problems };
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) {
    return { ok: true, value: DEFAULT_CONFIG, problems };
  }
  if (!isMap(root)) {
    at(root.range?.[0], [], 'config-type', 'must be a mapping with "rules", "excludeNamespaces" or "failOn"');
    return { ok: false, problems };
  }
  const entries = (map: YAMLMap): { key: string; located: Located }[] =>
    map.items.map((pair) => ({
      key: isScalar(pair.key) ? String(pair.key.value) : String(pair.key),
      located: { node: (pair.value as Node | null) ?? undefined, keyNode: pair.key as Node },
    }));

  const rules: Record<string, RuleSetting> = {};
  let excludeNamespaces: string[] = [];
  let failOn: FailOn | undefined;
  for (const { key, located } of entries(root)) {
    const keyOffset = located.keyNode?.range?.[0];
    if (!(TOP_LEVEL as readonly string[]).includes(key)) {
      at(
        keyOffset,
        [key],
        'config-unknown-key',
        withSuggestion(
          `unknown key "${key}": use "rules", "excludeNamespaces" or "failOn"`,
          closestMatch(key, TOP_LEVEL),
        ),
      );
      continue;
    }
    const value = located.node;
    const valueOffset = value?.range?.[0] ?? keyOffset;
    if (key === 'rules') {
      if (value === undefined || (isScalar(value) && value.value === null)) continue;
      if (!isMap(value)) {
        at(
          valueOffset,
          ['rules'],
          'config-type',
          'must be a mapping of rule id to off, info, warning or error',
        );
        continue;
      }
      for (const { key: id, located: rule } of entries(value)) {
        const idOffset = rule.keyNode?.range?.[0];
        if (!knownRules.includes(id)) {
          at(
            idOffset,
            ['rules', id],
            'config-unknown-rule',
            withSuggestion(
              `unknown rule "${id}" (netfence lint --list-rules lists them)`,
              closestMatch(id, knownRules),
            ),
          );
          continue;
        }
        const raw = isScalar(rule.node) ? rule.node.value : undefined;
        // YAML reads a plain `off` as the string "off"; `false` is accepted as off too.
        const setting = raw === false ? 'off' : typeof raw === 'string' ? raw : undefined;
        if (setting === undefined || !(SETTINGS as readonly string[]).includes(setting)) {
          const shown = rule.node === undefined ? 'nothing' : JSON.stringify(raw ?? null);
          at(
            rule.node?.range?.[0] ?? idOffset,
            ['rules', id],
            'config-severity',
            withSuggestion(
              `${shown} is not a setting; use off, info, warning or error`,
              typeof raw === 'string' ? suggestName(raw, SETTINGS) : undefined,
            ),
          );
          continue;
        }
        rules[id] = setting as RuleSetting;
      }
    } else if (key === 'excludeNamespaces') {
      if (value === undefined || (isScalar(value) && value.value === null)) continue;
      if (!isSeq(value)) {
        at(
          valueOffset,
          ['excludeNamespaces'],
          'config-type',
          'must be a list of namespace names, e.g. [kube-system]',
        );
        continue;
      }
      excludeNamespaces = [];
      for (const [i, item] of value.items.entries()) {
        const node = item as Node | null;
        if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
          at(
            node?.range?.[0] ?? valueOffset,
            ['excludeNamespaces', i],
            'config-type',
            'must be a namespace name (a string, "*" matches any characters)',
          );
          continue;
        }
        excludeNamespaces.push(node.value);
      }
    } else {
      const raw = isScalar(value) ? value.value : undefined;
      if (typeof raw !== 'string' || !(FAIL_ON as readonly string[]).includes(raw)) {
        at(
          valueOffset,
          ['failOn'],
          'config-fail-on',
          withSuggestion(
            `${JSON.stringify(raw ?? null)} is not a severity; use error, warning, info or none`,
            typeof raw === 'string' ? suggestName(raw, FAIL_ON) : undefined,
          ),
        );
        continue;
      }
      failOn = raw as FailOn;
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: { rules, excludeNamespaces, ...(failOn === undefined ? {} : { failOn }) },
    problems,
  };
}
