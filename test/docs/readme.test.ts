/**
 * Every README output is true: each ```sh block's netfence commands that run offline over the bundled examples
 * are run with the real CLI, and compared with the plain output blocks that follow the block, in order (the
 * first command with the first block, and so on). A line `…` in the README stands for lines left out (the
 * rules of the comparison: test/support/doc-examples.ts). The `$ command` transcripts: transcripts.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  examples,
  inTempCheckout,
  matchesElided,
  offlineArgs,
  outputLines,
  runIn,
  shows,
} from '../support/doc-examples.ts';

/**
 * One test per ```sh block of `file` whose output it shows (commands that run offline only); the commands
 * checked are added to `checked` as the tests run.
 */
function checkOutputs(file: string, checked: string[]): void {
  const markdown = readFileSync(join(ROOT, file), 'utf8');
  for (const ex of examples(markdown)) {
    const pairs = ex.commands.slice(0, ex.outputs.length);
    if (pairs.length === 0 || offlineArgs(pairs[0]!) === undefined) continue;
    test(`${file}: ${pairs.join(' && ')}`, () =>
      inTempCheckout(async (cwd) => {
        for (const [i, command] of pairs.entries()) {
          const args = offlineArgs(command);
          if (args === undefined) continue;
          const r = await runIn(cwd, args);
          const expected = ex.outputs[i]!;
          assert.ok(
            shows(outputLines(expected.text), r),
            `${file}:${expected.line}: the output of \`${command}\` differs:\n--- ${file}\n${expected.text}\n--- actual\n${r.terminal}`,
          );
          checked.push(command);
        }
      }));
  }
}

describe('README outputs', () => {
  test('the matcher: `…` stands for one or more lines, the size of a written report any size, nothing else is skipped', () => {
    assert.ok(matchesElided(['a', '…', 'd'], ['a', 'b', 'c', 'd']));
    assert.ok(!matchesElided(['a', '…', 'd'], ['a', 'd']));
    assert.ok(!matchesElided(['a', 'd'], ['a', 'b', 'd']));
    assert.ok(!matchesElided(['a'], ['a', 'b']));
    assert.ok(!matchesElided(['a …'], ['a b']));
    assert.ok(
      matchesElided(['Wrote w.html (1350 kB): 16 workloads'], ['Wrote w.html (1607 kB): 16 workloads']),
    );
    assert.ok(
      !matchesElided(['Wrote w.html (1350 kB): 16 workloads'], ['Wrote w.html (1607 kB): 17 workloads']),
    );
    assert.ok(!matchesElided(['Wrote w.html (1350 kB)'], ['Wrote x.html (1350 kB)']));
    assert.ok(!matchesElided(['Read w.html (1350 kB)'], ['Read w.html (1607 kB)']));
  });

  const checked: string[] = [];
  checkOutputs('README.md', checked);

  test('the commands whose outputs the README shows are all checked', () => {
    // Guards the finder: a README reshuffle that hides an example from this test fails here.
    for (const sub of [
      'analyze',
      'explain',
      'exposure',
      'test',
      'paths',
      'diff',
      'lint',
      'map',
      'generate',
      'check-flows',
    ])
      assert.ok(
        checked.some((c) => c.split(' ')[1] === sub),
        `no README output of netfence ${sub} was checked (checked: ${checked.join('; ')})`,
      );
  });
});

describe('examples/cilium/README.md outputs', () => {
  const checked: string[] = [];
  checkOutputs('examples/cilium/README.md', checked);

  test('the commands whose outputs the walkthrough shows are all checked', () => {
    for (const sub of ['analyze', 'explain'])
      assert.ok(
        checked.some((c) => c.startsWith(`netfence ${sub} `)),
        `no examples/cilium/README.md output of netfence ${sub} was checked (checked: ${checked.join('; ')})`,
      );
  });
});

describe('docs/tiers.md outputs', () => {
  const checked: string[] = [];
  checkOutputs('docs/tiers.md', checked);

  test('the commands whose outputs docs/tiers.md shows are all checked', () => {
    for (const sub of ['analyze', 'explain', 'exposure', 'test', 'lint'])
      assert.ok(
        checked.some((c) => c.split(' ')[1] === sub),
        `no docs/tiers.md output of netfence ${sub} was checked (checked: ${checked.join('; ')})`,
      );
  });
});
