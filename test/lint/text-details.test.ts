/** The message helpers of src/lint/text.ts, called directly: lists, plurals, peers, placeholders. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpolate, listNames, peerText, peersField, plural } from '../../src/lint/text.ts';

test('listNames: none, one, a few, more than the maximum', () => {
  assert.equal(listNames([]), 'none');
  assert.equal(listNames(['a']), 'a');
  assert.equal(listNames(['a', 'b', 'c']), 'a, b and c');
  assert.equal(listNames(['a', 'b', 'c', 'd', 'e']), 'a, b, c and 2 more');
});

test('plural: one and many', () => {
  assert.equal(plural(1, 'rule'), '1 rule');
  assert.equal(plural(2, 'rule'), '2 rules');
  assert.equal(plural(0, 'policy', 'policies'), '0 policies');
});

test('peerText: an ipBlock with and without except, selectors', () => {
  assert.equal(peerText({ ipBlock: { cidr: '10.0.0.0/8' } }), 'ipBlock 10.0.0.0/8');
  assert.equal(peerText({ ipBlock: { cidr: '10.0.0.0/8', except: [] } }), 'ipBlock 10.0.0.0/8');
  assert.equal(
    peerText({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] } }),
    'ipBlock 10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16',
  );
  assert.equal(
    peerText({
      namespaceSelector: { matchLabels: { team: 'shop' } },
      podSelector: { matchLabels: { app: 'web' } },
    }),
    'namespaceSelector team=shop, podSelector app=web',
  );
  assert.equal(peersField('ingress'), 'from');
  assert.equal(peersField('egress'), 'to');
});

test('interpolate: values put in, a missing one is an error naming it', () => {
  assert.equal(interpolate('{{a}} and {{ b }}', { a: 'x', b: 2 }), 'x and 2');
  assert.throws(() => interpolate('{{a}} and {{b}}', { a: 'x' }), {
    message: 'message placeholder {{b}} has no value',
  });
});
