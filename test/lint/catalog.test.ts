/** `docs/rules/index.md` as `renderRuleIndex` writes it, for rule metadata that no rule has today. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderRuleIndex } from '../../src/lint/catalog.ts';
import noWideIpblock from '../../src/lint/rules/no-wide-ipblock.ts';

test('a | in a description is escaped in its table cell, and both notes are listed', () => {
  const rule = {
    ...noWideIpblock,
    meta: { ...noWideIpblock.meta, description: 'Allows a | b', heuristic: true, requiresFlows: true },
  };
  const row = renderRuleIndex([rule])
    .split('\n')
    .find((l) => l.startsWith('| [`no-wide-ipblock`]'));
  assert.equal(
    row,
    `| [\`no-wide-ipblock\`](no-wide-ipblock.md) | ${noWideIpblock.meta.severity} | Allows a \\| b (heuristic, needs \`--flows\`) |`,
  );
});
