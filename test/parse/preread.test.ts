/**
 * src/parse/preread.ts (issue #20, round 10): bytes offered before loading are taken once, as a Buffer over
 * the same memory, and dropped at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropOfferedFiles, offerFiles, takeOfferedFile } from '../../src/parse/preread.ts';

test('offered bytes are taken once; a path never offered gives none', () => {
  const bytes = Buffer.from('kind: A\n');
  offerFiles([['a.yaml', bytes]]);
  assert.equal(takeOfferedFile('b.yaml'), undefined);
  assert.equal(takeOfferedFile('a.yaml'), bytes);
  // Taken: a second read of the same path goes to the disk.
  assert.equal(takeOfferedFile('a.yaml'), undefined);
});

test('a Uint8Array is taken as a Buffer over the same bytes', () => {
  const all = new TextEncoder().encode('..kind: B\n..');
  offerFiles([['b.yaml', all.subarray(2, 10)]]);
  const taken = takeOfferedFile('b.yaml');
  assert.ok(Buffer.isBuffer(taken));
  assert.equal(taken.toString('utf8'), 'kind: B\n');
  all[2] = 'K'.charCodeAt(0);
  assert.equal(taken.toString('utf8'), 'Kind: B\n');
});

test('the last offer of a path wins; what is not taken is dropped', () => {
  offerFiles([
    ['c.yaml', Buffer.from('1')],
    ['c.yaml', Buffer.from('2')],
    ['d.yaml', Buffer.from('3')],
  ]);
  assert.equal(takeOfferedFile('c.yaml')?.toString(), '2');
  dropOfferedFiles();
  assert.equal(takeOfferedFile('d.yaml'), undefined);
});
