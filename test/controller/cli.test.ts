/**
 * `netfence controller`'s user errors: each says the fix in one line, before anything listens or connects.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'netfence-controller-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const bad = join(dir, 'controller.yaml');
writeFileSync(bad, 'defaultDeny:\n  directions: sideways\nresync: soon\n');

describe('netfence controller: user errors', () => {
  const cases: [string, string[], RegExp][] = [
    ['without --cluster', [], /works on a live cluster: add --cluster/],
    [
      'a settings file with mistakes: each field and value',
      ['--cluster', '--controller-config', bad],
      /controller\.yaml: defaultDeny\.directions: expected one of ingress, egress, both, off, got "sideways"\n.*controller\.yaml: resync: expected a duration such as 2s or 5m, got "soon"/s,
    ],
    [
      'a settings file that is missing',
      ['--cluster', '--controller-config', join(dir, 'nope.yaml')],
      /--controller-config: cannot read ".*nope\.yaml": it does not exist$/m,
    ],
    [
      'a bad selector',
      ['--cluster', '--exclude-selector', 'a=b,,c'],
      /--exclude-selector: empty term \(a stray comma\?\) in "a=b,,c"/,
    ],
    [
      'a bad duration',
      ['--cluster', '--audit-debounce', 'soon'],
      /--audit-debounce: expected a duration such as 500ms, 30s, 2m or 1m30s, got "soon"/,
    ],
    [
      'a zero duration',
      ['--cluster', '--resync', '0s'],
      /--resync: a duration must be more than 0 .*got "0s"/,
    ],
    [
      'a top of less than 1',
      ['--cluster', '--top', '-1'],
      /--top: expected a whole number of 1 or more, got "-1"/,
    ],
    [
      'a bad policy name',
      ['--cluster', '--policy-name', 'Deny_All'],
      /--policy-name: not an object name .* "Deny_All"/,
    ],
    [
      'unknown directions',
      ['--cluster', '--default-deny', 'sideways'],
      /^netfence: --default-deny: unknown value "sideways"; use one of ingress, egress, both, off$/m,
    ],
    [
      'a bad --listen',
      ['--cluster', '--listen', '8080'],
      /--listen: expected host:port such as 127\.0\.0\.1:8443, got "8080"/,
    ],
    ['a missing kubeconfig', ['--cluster', '--no-config'], /kubeconfig "\/nonexistent" does not exist/],
    [
      'an unknown CNI profile: the nearest name',
      ['--cluster', '--cni', 'cillium@1.16'],
      /--cni.*"cillium".*did you mean "cilium@1\.16"|did you mean "cilium@1\.16"/i,
    ],
    [
      'a bad --cni-option',
      ['--cluster', '--cni', 'cilium', '--cni-option', 'policy-cidr-match-mode=everything'],
      /policy-cidr-match-mode/,
    ],
  ];
  for (const [name, args, expected] of cases) {
    test(name, async () => {
      const r = await runCli(['controller', ...args, '--kubeconfig', '/nonexistent']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
    });
  }
});
