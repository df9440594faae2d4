import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CONFIG_FILE,
  DEFAULT_CONFIG,
  failsOn,
  namespaceFilter,
  parseLintConfig,
} from '../../src/lint/config.ts';
import { RULES } from '../../src/lint/registry.ts';
import { formatProblem } from '../../src/model/problem.ts';
import { yaml } from './helpers.ts';

const ids = RULES.map((r) => r.id);
const parse = (text: string) => parseLintConfig(text, 'netfence.yaml', ids);
const problems = (text: string): string[] => {
  const r = parse(text);
  assert.equal(r.ok, false);
  return r.problems.map(formatProblem);
};

test('an empty file is the default configuration', () => {
  assert.deepEqual(parse(''), { ok: true, value: DEFAULT_CONFIG, problems: [] });
  assert.deepEqual(parse('# nothing yet\n'), { ok: true, value: DEFAULT_CONFIG, problems: [] });
});

test('rules, excluded namespaces and failOn', () => {
  const r = parse(yaml`
    rules:
      require-default-deny-egress: off   # a plain off is the string "off" in YAML 1.2
      no-wide-ipblock: error
      no-split-peer: false
    excludeNamespaces: [kube-system, "team-*"]
    failOn: warning
  `);
  assert.deepEqual(r, {
    ok: true,
    value: {
      rules: { 'require-default-deny-egress': 'off', 'no-wide-ipblock': 'error', 'no-split-peer': 'off' },
      excludeNamespaces: ['kube-system', 'team-*'],
      failOn: 'warning',
    },
    problems: [],
  });
});

test('typos are errors that point at the line and name the closest valid value', () => {
  assert.deepEqual(
    problems(yaml`
      rule:
        no-wide-ipblock: error
    `),
    [
      'netfence.yaml:1:1 rule: unknown key "rule": use "rules", "excludeNamespaces" or "failOn". Did you mean "rules"?',
    ],
  );
  assert.deepEqual(
    problems(yaml`
      rules:
        no-wide-ipblocks: error
        no-allow-all-rule: warn
    `),
    [
      'netfence.yaml:2:3 rules.no-wide-ipblocks: unknown rule "no-wide-ipblocks" (netfence lint --list-rules lists them). Did you mean "no-wide-ipblock"?',
      'netfence.yaml:3:22 rules.no-allow-all-rule: "warn" is not a setting; use off, info, warning or error. Did you mean "warning"?',
    ],
  );
  assert.deepEqual(problems('excludeNamespaces: kube-system\nfailOn: errors\n'), [
    'netfence.yaml:1:20 excludeNamespaces: must be a list of namespace names, e.g. [kube-system]',
    'netfence.yaml:2:9 failOn: "errors" is not a severity; use error, warning, info or none. Did you mean "error"?',
  ]);
  assert.deepEqual(problems('- rules\n'), [
    'netfence.yaml:1:1 must be a mapping with "rules", "excludeNamespaces" or "failOn"',
  ]);
  assert.deepEqual(problems('rules: [\n'), [
    'netfence.yaml:2:1 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
});

test('namespace patterns', () => {
  const excluded = namespaceFilter(['kube-system', 'team-*', 'a.b']);
  assert.deepEqual(['kube-system', 'kube-public', 'team-x', 'team-', 'steam-x', 'a.b', 'axb'].map(excluded), [
    true,
    false,
    true,
    true,
    false,
    true,
    false,
  ]);
});

test('failsOn ranks severities', () => {
  assert.equal(failsOn('error', 'error'), true);
  assert.equal(failsOn('warning', 'error'), false);
  assert.equal(failsOn('warning', 'warning'), true);
  assert.equal(failsOn('info', 'warning'), false);
  assert.equal(failsOn('info', 'info'), true);
  assert.equal(failsOn('error', 'none'), false);
});

test('a file of null alone is the default configuration', () => {
  assert.deepEqual(parse('~\n'), { ok: true, value: DEFAULT_CONFIG, problems: [] });
  assert.deepEqual(parse('null\n'), { ok: true, value: DEFAULT_CONFIG, problems: [] });
  // An empty "rules:" or "excludeNamespaces:" is no setting, not an error.
  assert.deepEqual(parse('rules:\nexcludeNamespaces:\n'), { ok: true, value: DEFAULT_CONFIG, problems: [] });
});

test('rules and excluded namespaces of the wrong type point at the value', () => {
  assert.deepEqual(
    problems(yaml`
      rules: [no-wide-ipblock]
      excludeNamespaces: [kube-system, 5, "", {a: b}]
    `),
    [
      'netfence.yaml:1:8 rules: must be a mapping of rule id to off, info, warning or error',
      'netfence.yaml:2:34 excludeNamespaces[1]: must be a namespace name (a string, "*" matches any characters)',
      'netfence.yaml:2:37 excludeNamespaces[2]: must be a namespace name (a string, "*" matches any characters)',
      'netfence.yaml:2:41 excludeNamespaces[3]: must be a namespace name (a string, "*" matches any characters)',
    ],
  );
  // A rule without a setting: null after the colon; with no value at all (a flow key alone), at its name.
  assert.deepEqual(
    problems(yaml`
      rules:
        no-wide-ipblock:
    `),
    ['netfence.yaml:2:19 rules.no-wide-ipblock: null is not a setting; use off, info, warning or error'],
  );
  assert.deepEqual(problems('rules: {no-wide-ipblock}\n'), [
    'netfence.yaml:1:9 rules.no-wide-ipblock: nothing is not a setting; use off, info, warning or error',
  ]);
});

test('a file or a setting of the wrong type is a config-type error', () => {
  const codes = (text: string): string[] => {
    const r = parse(text);
    assert.equal(r.ok, false);
    return r.problems.map((p) => `${p.code} ${formatProblem(p)}`);
  };
  assert.deepEqual(codes('just text\n'), [
    'config-type netfence.yaml:1:1 must be a mapping with "rules", "excludeNamespaces" or "failOn"',
  ]);
  assert.deepEqual(codes('rules: 5\nexcludeNamespaces:\n  -\n  - kube-system\n'), [
    'config-type netfence.yaml:1:8 rules: must be a mapping of rule id to off, info, warning or error',
    'config-type netfence.yaml:3:4 excludeNamespaces[0]: must be a namespace name (a string, "*" matches any characters)',
  ]);
});

test('the configuration file is netfence.yaml', () => {
  assert.equal(CONFIG_FILE, 'netfence.yaml');
});

test('every problem is an error with its own code', () => {
  const codes = (text: string): string[] => {
    const r = parse(text);
    assert.equal(r.ok, false);
    return r.problems.map((p) => `${p.code} ${p.severity}`);
  };
  assert.deepEqual(codes('rules: [\n'), ['config-syntax error']);
  assert.deepEqual(codes('rule: {}\n'), ['config-unknown-key error']);
  assert.deepEqual(codes('rules: {no-wide-ipblocks: error, no-wide-ipblock: warn}\n'), [
    'config-unknown-rule error',
    'config-severity error',
  ]);
  assert.deepEqual(codes('excludeNamespaces: kube-system\n'), ['config-type error']);
  assert.deepEqual(codes('failOn: errors\n'), ['config-fail-on error']);
});

test('a key alone in a flow mapping has no value: no setting, or failOn at its key', () => {
  assert.deepEqual(parse('{rules, excludeNamespaces}\n'), { ok: true, value: DEFAULT_CONFIG, problems: [] });
  assert.deepEqual(problems('{failOn}\n'), [
    'netfence.yaml:1:2 failOn: null is not a severity; use error, warning, info or none',
  ]);
});

test('a failOn that is not a string gets no suggestion', () => {
  assert.deepEqual(problems('failOn: 5\n'), [
    'netfence.yaml:1:9 failOn: 5 is not a severity; use error, warning, info or none',
  ]);
});
