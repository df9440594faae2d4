/**
 * The API server's name checks (src/parse/names.ts) reason by reason, and the fixes they suggest (issue #20,
 * mutation testing): every reason a value can fail for, several at once and in their order, the characters
 * quoted once each in the order they first appear, and the suggestions cut to the length limit.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dns1035LabelProblems,
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  labelValueProblems,
  portNameProblems,
  qualifiedNameProblems,
  suggestDnsName,
  suggestLabelValue,
  suggestPortName,
} from '../../src/parse/names.ts';

const ENDS = 'it must start and end with a letter or digit';
const PART_ENDS = 'each dot-separated part must start and end with a letter or digit';

describe('DNS names', () => {
  test('a DNS-1123 label: every reason, in order, characters quoted once each', () => {
    assert.deepEqual(dns1123LabelProblems('Web_App!'), [
      'it contains upper-case letters',
      'it contains "_", "!"',
      ENDS,
    ]);
    assert.deepEqual(dns1123LabelProblems('a!!b!'), ['it contains "!"', ENDS]);
    assert.deepEqual(dns1123LabelProblems('a b'), ['it contains " "']);
    assert.deepEqual(dns1123LabelProblems('A'), ['it contains upper-case letters']);
    assert.deepEqual(dns1123LabelProblems('a.b'), ['it contains "."']);
    assert.deepEqual(dns1123LabelProblems('.a'), ['it contains "."', ENDS]);
    assert.deepEqual(dns1123LabelProblems('a_'), ['it contains "_"', ENDS]);
    assert.deepEqual(dns1123LabelProblems('ABC-'), ['it contains upper-case letters', ENDS]);
    assert.deepEqual(dns1123LabelProblems('é'), ['it contains "é"', ENDS]);
    // 'İ' lower-cased is two characters ('i' and a combining dot): not a letter or digit at the start.
    assert.deepEqual(dns1123LabelProblems('İa'), ['it contains "İ"', ENDS]);
    assert.deepEqual(dns1123LabelProblems(`${'a'.repeat(65)}/`), [
      'it is 66 characters long, more than 63',
      'it contains "/"',
      ENDS,
    ]);
    // At the limit, but invalid for another reason: not too long.
    assert.deepEqual(dns1123LabelProblems(`${'a'.repeat(62)}_`), ['it contains "_"', ENDS]);
    // Exactly at the limit, valid; digits only, or inner '--', valid.
    assert.deepEqual(dns1123LabelProblems('a'.repeat(63)), []);
    assert.deepEqual(dns1123LabelProblems('12345'), []);
    assert.deepEqual(dns1123LabelProblems('ab--c'), []);
  });

  test('a DNS-1123 subdomain: dots allowed, each part checked at its ends', () => {
    assert.deepEqual(dns1123SubdomainProblems('a.b'), []);
    assert.deepEqual(dns1123SubdomainProblems('a'.repeat(64)), []);
    assert.deepEqual(dns1123SubdomainProblems('a'.repeat(253)), []);
    assert.deepEqual(dns1123SubdomainProblems('a'.repeat(254)), ['it is 254 characters long, more than 253']);
    assert.deepEqual(dns1123SubdomainProblems('Web_App!'), [
      'it contains upper-case letters',
      'it contains "_", "!"',
      PART_ENDS,
    ]);
    assert.deepEqual(dns1123SubdomainProblems('-a.b-'), [PART_ENDS]);
    assert.deepEqual(dns1123SubdomainProblems('a.-b'), [PART_ENDS]);
    assert.deepEqual(dns1123SubdomainProblems('a-.b'), [PART_ENDS]);
    assert.deepEqual(dns1123SubdomainProblems('a.'), [PART_ENDS]);
    assert.deepEqual(dns1123SubdomainProblems('x/y'), ['it contains "/"']);
    // A bad character, or a bad end, in a part after the first.
    assert.deepEqual(dns1123SubdomainProblems('a.b_c'), ['it contains "_"']);
    assert.deepEqual(dns1123SubdomainProblems('a.b-'), [PART_ENDS]);
    // Upper-case ends are reported as upper case, not as bad ends.
    assert.deepEqual(dns1123SubdomainProblems('A.B'), ['it contains upper-case letters']);
    assert.deepEqual(dns1123SubdomainProblems(''), ['it is empty']);
  });

  test('a DNS-1035 label must start with a letter, on top of the DNS-1123 reasons', () => {
    assert.deepEqual(dns1035LabelProblems('9a'), ['it must start with a letter']);
    assert.deepEqual(dns1035LabelProblems('12345'), ['it must start with a letter']);
    assert.deepEqual(dns1035LabelProblems('9A'), [
      'it contains upper-case letters',
      'it must start with a letter',
    ]);
    assert.deepEqual(dns1035LabelProblems('a9'), []);
    assert.deepEqual(dns1035LabelProblems(''), ['it is empty']);
    assert.deepEqual(dns1035LabelProblems('a.b'), ['it contains "."']);
  });

  test('suggested DNS names: lower case, runs of other characters as one "-", ends trimmed, cut to the limit', () => {
    assert.equal(suggestDnsName('My_App.V2', 253, true), 'my-app.v2');
    assert.equal(suggestDnsName('My_App.V2', 63, false), 'my-app-v2');
    assert.equal(suggestDnsName('a  b', 63, false), 'a-b');
    assert.equal(suggestDnsName('a  b', 253, true), 'a-b');
    assert.equal(suggestDnsName('--a--', 63, false), 'a');
    assert.equal(suggestDnsName('.-a-.b.', 253, true), 'a.b');
    assert.equal(suggestDnsName('A..B', 253, true), 'a.b');
    assert.equal(suggestDnsName('a.-', 253, true), 'a');
    assert.equal(suggestDnsName('a'.repeat(70), 63, false), 'a'.repeat(63));
    // Cut at the limit right after a '-': the '-' left at the end goes too.
    assert.equal(suggestDnsName(`${'a'.repeat(62)}-b`, 63, false), 'a'.repeat(62));
    assert.equal(suggestDnsName(`${'a'.repeat(62)}_b`, 63, false), 'a'.repeat(62));
    // Nothing left, or nothing to change: no suggestion.
    assert.equal(suggestDnsName('!!!', 63, false), undefined);
    assert.equal(suggestDnsName('ok', 63, false), undefined);
    assert.equal(suggestDnsName('a.b', 253, true), undefined);
  });
});

describe('label keys and values', () => {
  test('a key without a prefix: the name part, every reason', () => {
    assert.deepEqual(qualifiedNameProblems(''), ['the name part is empty']);
    assert.deepEqual(qualifiedNameProblems('Web_App!'), ['it contains "!"', ENDS]);
    assert.deepEqual(qualifiedNameProblems('a b'), ['it contains " "']);
    assert.deepEqual(qualifiedNameProblems('_a'), [ENDS]);
    assert.deepEqual(qualifiedNameProblems('a.'), [ENDS]);
    assert.deepEqual(qualifiedNameProblems('a'.repeat(63)), []);
    assert.deepEqual(qualifiedNameProblems(`${'a'.repeat(64)}!`), [
      'the name part is 65 characters long, more than 63',
      'it contains "!"',
      ENDS,
    ]);
    assert.deepEqual(qualifiedNameProblems('A_b.9'), []);
  });

  test('a prefixed key: the prefix a DNS subdomain, the name part as without one, both reported', () => {
    assert.deepEqual(qualifiedNameProblems('x/y/z'), [
      "it contains 2 '/', at most one is allowed (prefix/name)",
    ]);
    assert.deepEqual(qualifiedNameProblems('a/b/c/d'), [
      "it contains 3 '/', at most one is allowed (prefix/name)",
    ]);
    assert.deepEqual(qualifiedNameProblems('Bad_/n'), [
      'the prefix "Bad_" is not a DNS subdomain (it contains upper-case letters, it contains "_", each dot-separated part must start and end with a letter or digit)',
    ]);
    assert.deepEqual(qualifiedNameProblems('Bad/-n'), [
      'the prefix "Bad" is not a DNS subdomain (it contains upper-case letters)',
      ENDS,
    ]);
    assert.deepEqual(qualifiedNameProblems('/-n'), ["the prefix before '/' is empty", ENDS]);
    assert.deepEqual(qualifiedNameProblems('a/-n'), [ENDS]);
    assert.deepEqual(qualifiedNameProblems('a.b_c/n'), [
      'the prefix "a.b_c" is not a DNS subdomain (it contains "_")',
    ]);
    assert.deepEqual(qualifiedNameProblems('a.b-/n'), [
      `the prefix "a.b-" is not a DNS subdomain (${PART_ENDS})`,
    ]);
    assert.deepEqual(qualifiedNameProblems(`a/${'n'.repeat(64)}`), [
      'the name part is 64 characters long, more than 63',
    ]);
    // The longest valid prefix and name; one more character in either is too long.
    const prefix = `${'p'.repeat(63)}.${'q'.repeat(63)}.${'r'.repeat(63)}.${'s'.repeat(61)}`;
    assert.equal(prefix.length, 253);
    assert.deepEqual(qualifiedNameProblems(`${prefix}/${'n'.repeat(63)}`), []);
    assert.deepEqual(qualifiedNameProblems(`${prefix}s/n`), [
      `the prefix "${prefix}s" is not a DNS subdomain (it is 254 characters long, more than 253)`,
    ]);
    assert.deepEqual(qualifiedNameProblems(`${prefix}/${'n'.repeat(64)}`), [
      'the name part is 64 characters long, more than 63',
    ]);
    assert.deepEqual(qualifiedNameProblems('example.com/My_Name.1'), []);
  });

  test('label values: empty is valid; every reason', () => {
    assert.deepEqual(labelValueProblems(''), []);
    assert.deepEqual(labelValueProblems('A'), []);
    assert.deepEqual(labelValueProblems('a'.repeat(63)), []);
    assert.deepEqual(labelValueProblems('Web_App!'), ['it contains "!"', ENDS]);
    assert.deepEqual(labelValueProblems('a/b'), ['it contains "/"']);
    assert.deepEqual(labelValueProblems('a.'), [ENDS]);
    assert.deepEqual(labelValueProblems('_a'), [ENDS]);
    assert.deepEqual(labelValueProblems('a'.repeat(64)), ['it is 64 characters long, more than 63']);
    assert.deepEqual(labelValueProblems(`${'a'.repeat(65)}/`), [
      'it is 66 characters long, more than 63',
      'it contains "/"',
      ENDS,
    ]);
  });

  test('suggested label values: other characters as "-", ends trimmed, cut to 63', () => {
    assert.equal(suggestLabelValue('a b!c'), 'a-b-c');
    assert.equal(suggestLabelValue('a  b'), 'a-b');
    assert.equal(suggestLabelValue('-_a'), 'a');
    assert.equal(suggestLabelValue('x__'), 'x');
    assert.equal(suggestLabelValue('Ab_.c'), undefined);
    assert.equal(suggestLabelValue('!!'), undefined);
    assert.equal(suggestLabelValue('a'.repeat(70)), 'a'.repeat(63));
    assert.equal(suggestLabelValue(`${'a'.repeat(62)}-b`), 'a'.repeat(62));
    assert.equal(suggestLabelValue('a.'.repeat(40)), 'a.'.repeat(31) + 'a');
  });
});

describe('port names', () => {
  test('every reason, in order', () => {
    assert.deepEqual(portNameProblems(''), ['it is empty']);
    assert.deepEqual(portNameProblems('Web_App!'), [
      'it contains upper-case letters',
      'it contains "_", "!"',
    ]);
    assert.deepEqual(portNameProblems('-a.b-'), ['it contains "."', "it must not start or end with '-'"]);
    assert.deepEqual(portNameProblems('é'), ['it contains "é"', 'it must contain at least one letter']);
    assert.deepEqual(portNameProblems('a-a-a-a-a-a-a-a-a'), ['it is 17 characters long, more than 15']);
    assert.deepEqual(portNameProblems('a'.repeat(15)), []);
    assert.deepEqual(portNameProblems('A'.repeat(15)), ['it contains upper-case letters']);
    assert.deepEqual(portNameProblems('9a'), []);
    assert.deepEqual(portNameProblems('1--2-'), [
      'it must contain at least one letter',
      "it must not start or end with '-'",
      "it must not contain '--'",
    ]);
    assert.deepEqual(portNameProblems(`${'A'.repeat(16)}_`), [
      'it is 17 characters long, more than 15',
      'it contains upper-case letters',
      'it contains "_"',
    ]);
  });

  test('suggested port names: lower case, "-" joined, cut to 15, with a letter', () => {
    assert.equal(suggestPortName('HTTP_Alt'), 'http-alt');
    assert.equal(suggestPortName('--Web--'), 'web');
    assert.equal(suggestPortName('A'), 'a');
    assert.equal(suggestPortName('a__b'), 'a-b');
    assert.equal(suggestPortName('abcdefghijklmnopqrs'), 'abcdefghijklmno');
    assert.equal(suggestPortName('abcdefghijklmn-opq'), 'abcdefghijklmn');
    assert.equal(suggestPortName('abcdefghijklmn--opq'), 'abcdefghijklmn');
    assert.equal(suggestPortName('http'), undefined);
    assert.equal(suggestPortName('9-9'), undefined);
    assert.equal(suggestPortName('8080'), undefined);
    assert.equal(suggestPortName('__'), undefined);
  });
});
