/**
 * The rule catalog holds together: every rule module is registered, documented (with a failing and a passing
 * example that the rule really fails and passes) and tested, and the generated docs are fresh.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { RULES } from '../../src/lint/registry.ts';
import type { AnyRule } from '../../src/lint/types.ts';
import {
  REQUIRED_SECTIONS,
  fenced,
  generatedDocs,
  lintExample,
  ruleDocFile,
  section,
} from '../../scripts/gen-rule-docs.ts';

const rulesDir = new URL('../../src/lint/rules/', import.meta.url);
const testsDir = new URL('./rules/', import.meta.url);

test('every module in src/lint/rules is registered, under its file name, once', async () => {
  const files = readdirSync(rulesDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
  assert.deepEqual([...RULES.map((r) => r.id)].sort(), files);
  for (const id of files) {
    const module = (await import(new URL(`${id}.ts`, rulesDir).href)) as { default: AnyRule };
    assert.ok(RULES.includes(module.default), `${id}: the registry holds the module's default export`);
    assert.equal(module.default.id, id);
  }
  assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
});

test('rule metadata is complete', () => {
  for (const r of RULES) {
    assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${r.id}: kebab-case`);
    assert.ok(
      r.meta.description.length > 10 && !r.meta.description.endsWith('.'),
      `${r.id}: one-sentence description`,
    );
    assert.ok(r.meta.rationale.length > 40, `${r.id}: rationale`);
    assert.ok(r.meta.fix.length > 10, `${r.id}: fix`);
    assert.ok(Object.keys(r.meta.messages).length > 0, `${r.id}: messages`);
    for (const [id, message] of Object.entries(r.meta.messages as Record<string, string>)) {
      assert.ok(!message.includes('\n'), `${r.id}.${id}: one line`);
    }
  }
});

test('docs/rules/index.md and the example outputs in the rule pages are fresh (node scripts/gen-rule-docs.ts)', () => {
  for (const { file, content } of generatedDocs()) {
    assert.equal(
      readFileSync(file, 'utf8'),
      content,
      `${file.pathname} is stale: run node scripts/gen-rule-docs.ts`,
    );
  }
});

describe('every rule is documented and tested', () => {
  for (const rule of RULES) {
    test(rule.id, () => {
      const file = ruleDocFile(rule.id);
      assert.ok(existsSync(file), `docs/rules/${rule.id}.md exists`);
      const page = readFileSync(file, 'utf8');
      assert.ok(page.startsWith(`# ${rule.id}\n`), 'the page is titled with the rule id');
      for (const title of REQUIRED_SECTIONS)
        assert.ok(section(page, title) !== undefined, `section "${title}"`);

      const failing = lintExample(rule, section(page, 'Failing example')!);
      assert.ok(failing.findings.length > 0, 'the failing example fails');
      for (const f of failing.findings) assert.equal(f.ruleId, rule.id);
      const passing = lintExample(rule, section(page, 'Passing example')!);
      assert.deepEqual(
        passing.findings.map((f) => f.message),
        [],
        'the passing example passes',
      );
      if (rule.meta.requiresFlows === true) {
        assert.ok(
          fenced(section(page, 'Failing example')!, 'csv') !== undefined,
          'a flows rule shows its flows',
        );
      }

      const testFile = new URL(`${rule.id}.ts`, testsDir);
      assert.ok(
        existsSync(testFile),
        `test/lint/rules/${rule.id}.ts exists (run by test/lint/rules.test.ts)`,
      );
      const source = readFileSync(testFile, 'utf8');
      assert.match(source, new RegExp(`rules/${rule.id}\\.ts'`), 'it imports the rule');
      assert.match(source, /valid: \[\s*\{/, 'it has valid cases');
      assert.match(source, /invalid: \[\s*\{/, 'it has invalid cases');
    });
  }
});
