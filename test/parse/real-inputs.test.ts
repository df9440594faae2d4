/** Reading inputs people really have: concatenated files, stray fields, duplicates, YAML 1.1 values. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { problems, yaml } from './helpers.ts';

describe('concatenated files', () => {
  test('a missing --- between two objects is named as such', () => {
    const text = yaml`
      apiVersion: v1
      kind: Namespace
      metadata: {name: a}
      apiVersion: v1
      kind: Namespace
      metadata: {name: b}
    `;
    assert.deepEqual(problems(text), [
      'policies.yaml:4:1 invalid YAML: the key "apiVersion" appears twice: is a `---` missing between two documents? Put a line `---` before the second object',
    ]);
  });

  test('a key repeated inside an object is not taken for a missing ---', () => {
    const text = yaml`
      apiVersion: v1
      kind: Namespace
      metadata:
        name: a
        name: b
    `;
    assert.deepEqual(problems(text), [
      'policies.yaml:5:3 invalid YAML: the key "name" appears twice in the same mapping; keep one',
    ]);
  });
});
