/**
 * The server's `Session` on its own (no server, no events stream that could wait forever on a mutant): the
 * current analysis, the reload problem, and what each listener hears. `/api/events` writes what it hears
 * (test/server/http.test.ts); a reload replaces the analysis and must end the old one's what-if thread.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Analysis } from '../../src/server/analysis.ts';
import { Session } from '../../src/server/http.ts';

/** A stand-in analysis that counts how often it was closed. */
function fakeAnalysis(version: number): Analysis & { closed: number } {
  const fake = {
    version,
    closed: 0,
    close(): void {
      fake.closed++;
    },
  };
  return fake as unknown as Analysis & { closed: number };
}

describe('Session', () => {
  test('a reload replaces the analysis, closes the old one, clears the problem, and tells every listener', () => {
    const first = fakeAnalysis(1);
    const session = new Session(first);
    assert.equal(session.analysis, first);
    assert.equal(session.problem, undefined);
    const a: [string, unknown][] = [];
    const b: [string, unknown][] = [];
    session.subscribe((event, data) => a.push([event, data]));
    session.subscribe((event, data) => b.push([event, data]));
    const problem = { message: '1 error in the input', details: ['x.yaml:3:1 bad'] };
    session.fail(problem);
    assert.equal(session.problem, problem);
    assert.equal(session.analysis, first);
    assert.equal(first.closed, 0);
    const second = fakeAnalysis(2);
    session.update(second);
    assert.equal(session.analysis, second);
    assert.equal(session.problem, undefined);
    assert.equal(first.closed, 1);
    assert.equal(second.closed, 0);
    const heard = [
      ['problem', problem],
      ['model', { version: 2 }],
    ];
    assert.deepEqual(a, heard);
    assert.deepEqual(b, heard);
  });

  test('an unsubscribed listener hears nothing more; the others still do', () => {
    const session = new Session(fakeAnalysis(1));
    const a: string[] = [];
    const b: string[] = [];
    const stopA = session.subscribe((event) => a.push(event));
    session.subscribe((event) => b.push(event));
    session.update(fakeAnalysis(2));
    stopA();
    session.fail({ message: 'x', details: [] });
    session.update(fakeAnalysis(3));
    assert.deepEqual(a, ['model']);
    assert.deepEqual(b, ['model', 'problem', 'model']);
  });

  test('updating to the same analysis keeps it open', () => {
    const only = fakeAnalysis(4);
    const session = new Session(only);
    const heard: unknown[] = [];
    session.subscribe((event, data) => heard.push([event, data]));
    session.update(only);
    assert.equal(only.closed, 0);
    assert.equal(session.analysis, only);
    assert.deepEqual(heard, [['model', { version: 4 }]]);
  });
});
