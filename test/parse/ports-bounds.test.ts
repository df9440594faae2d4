/**
 * src/parse/validate/ports.ts (issue #20, round 10): `checkPortNumber` and `checkPortName` called alone, at
 * the bounds their callers' shortcuts take before them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPortName, checkPortNumber } from '../../src/parse/validate/ports.ts';
import { createReporter } from '../../src/parse/validate/report.ts';

const reporter = () =>
  createReporter({ file: 'p.yaml', line: 1, column: 1, locate: () => undefined } as never, 'x');

test('port numbers: 1 and 65535 are valid, 0 and 65536 are not', () => {
  for (const [port, valid] of [
    [1, true],
    [65535, true],
    [0, false],
    [65536, false],
  ] as const) {
    const r = reporter();
    assert.equal(checkPortNumber(r, ['port'], port), valid, String(port));
    assert.deepEqual(
      r.problems.map((p) => p.message),
      valid ? [] : [`must be between 1 and 65535, got ${port}`],
    );
  }
});

test('port names: a valid one, digits only, digits then other characters', () => {
  const check = (name: string): [boolean, string[]] => {
    const r = reporter();
    return [checkPortName(r, ['name'], name), r.problems.map((p) => p.message)];
  };
  assert.deepEqual(check('http'), [true, []]);
  assert.deepEqual(check('80'), [
    false,
    [
      '"80" is a string, so it is read as a port name, and a port name must contain a letter. Write the number without quotes: 80',
    ],
  ]);
  const [ok, [message]] = check('80-');
  assert.equal(ok, false);
  assert.match(
    message!,
    /^"80-" is not a valid port name \(IANA_SVC_NAME: .*\): it must contain at least one letter; it must not start or end with '-'/,
  );
});
