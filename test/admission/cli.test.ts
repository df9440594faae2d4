/**
 * `netfence webhook`'s user errors: each says the fix, without a stack trace, before anything listens or connects.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.ts';

describe('netfence webhook: user errors', () => {
  const cases: [string, string[], RegExp][] = [
    ['without --cluster', ['--self-signed'], /answers from a live cluster: add --cluster/],
    ['without a certificate', ['--cluster'], /give --tls-cert and --tls-key .* or --self-signed/],
    [
      '--self-signed with --tls-cert',
      ['--cluster', '--self-signed', '--tls-cert', 'a.crt', '--tls-key', 'a.key'],
      /--self-signed makes its own certificate/,
    ],
    [
      'a certificate file that is missing',
      ['--cluster', '--tls-cert', 'nope.crt', '--tls-key', 'nope.key'],
      /--tls-cert: cannot read "nope\.crt": it does not exist$/m,
    ],
    [
      'a bad --listen',
      ['--cluster', '--listen', '8443'],
      /--listen: expected host:port such as 127\.0\.0\.1:8443, got "8443"/,
    ],
    [
      'an unknown mode',
      ['--cluster', '--mode', 'block'],
      /--mode.*"block".*deny, warn, audit|Allowed choices are deny, warn, audit/,
    ],
    [
      'a spec that is missing',
      ['--cluster', '--self-signed', '--spec', 'nope.yaml'],
      /--spec: cannot read "nope\.yaml"/,
    ],
    [
      'an unknown CNI profile: the nearest name',
      ['--cluster', '--self-signed', '--cni', 'cillium@1.16'],
      /--cni.*"cillium".*did you mean "cilium@1\.16"|did you mean "cilium@1\.16"/i,
    ],
    [
      'a bad --cni-option',
      ['--cluster', '--self-signed', '--cni', 'cilium', '--cni-option', 'policy-cidr-match-mode=everything'],
      /policy-cidr-match-mode/,
    ],
  ];
  for (const [name, args, expected] of cases) {
    test(name, async () => {
      const r = await runCli(['webhook', ...args, '--kubeconfig', '/nonexistent']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
    });
  }
});
