/** `errorCode`: the code of an error from Node, whatever was thrown. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { errorCode } from '../../src/base/error-code.ts';

test('errorCode reads the code of a system error Node throws', async () => {
  const missing = await readFile('/nonexistent/netfence-error-code-test').catch((e: unknown) => e);
  assert.equal(errorCode(missing), 'ENOENT');
  const folder = await readFile('/').catch((e: unknown) => e);
  assert.equal(errorCode(folder), 'EISDIR');
});

test('errorCode reads a code set on any object', () => {
  assert.equal(errorCode(Object.assign(new Error('folder'), { code: 'EISDIR' })), 'EISDIR');
  assert.equal(errorCode({ code: 'EPIPE' }), 'EPIPE');
  assert.equal(errorCode({ code: '' }), '');
});

test('errorCode is undefined when what was thrown has no code as text', () => {
  for (const thrown of [
    new Error('no code'),
    { code: 404 },
    { code: undefined },
    { code: null },
    { message: 'ENOENT' },
    'ENOENT',
    42,
    null,
    undefined,
  ])
    assert.equal(errorCode(thrown), undefined, JSON.stringify(thrown));
});
