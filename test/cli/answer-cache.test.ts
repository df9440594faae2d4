import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { answerRecorder } from '../../src/cli/answer-cache.ts';
import { progressLine } from '../../src/cli/progress.ts';

describe('the answer recorder', () => {
  test('keeps standard output and error, not the progress line of a terminal', () => {
    const recorder = answerRecorder();
    const line = progressLine({
      isTTY: true,
      stderr: recorder.stderr,
      stdout: () => undefined,
      readStdin: () => Promise.resolve(''),
      env: {},
    });
    recorder.stderr('warning: one\n');
    line.update('Reading 5 MB of manifests: 40%…');
    line.done();
    recorder.stdout('{"a":');
    recorder.stdout('1}\n');
    const answer = recorder.answer();
    assert.equal(answer?.stdout.toString(), '{"a":1}\n');
    assert.equal(answer?.stderr.toString(), 'warning: one\n');
  });

  test('keeps nothing of an answer longer than the limit', () => {
    const recorder = answerRecorder(10);
    recorder.stdout('12345');
    recorder.stderr('678');
    assert.equal(recorder.answer()?.stdout.toString(), '12345');
    recorder.stdout('9ab');
    assert.equal(recorder.answer(), undefined);
  });
});
