/**
 * `explain --to <DNS name>` (issue #17): a name analyze prints as "api.stripe.com (by DNS name)" is accepted,
 * and the rules that allow it by name are cited; the decision is said to depend on DNS resolution.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { domainMatches } from '../../src/engine/explain.ts';
import { runCli } from '../support/cli.ts';

const FIXTURE = 'test/fixtures/cilium-surfaces/cluster.yaml';

describe('explain --to a DNS name', () => {
  test('allowed by a Cilium toFQDNs rule: cited, exit 0', async () => {
    const r = await runCli(['explain', FIXTURE, '--from', 'batch/job', '--to', 'api.stripe.com']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'batch/job → api.stripe.com (by DNS name): ALLOWED by name on 443/TCP');
    assert.match(
      lines[1]!,
      /^ {2}- CiliumClusterwideNetworkPolicy\/batch-egress spec\.egress\[0\] \(.*cluster\.yaml:\d+\): api\.stripe\.com on 443\/TCP$/,
    );
    assert.match(r.stdout, /depends on DNS resolution/);
  });

  test('no rule by name: said, exit 1; a name without a dot still needs a namespace', async () => {
    const r = await runCli(['explain', FIXTURE, '--from', 'shop/web', '--to', 'api.stripe.com']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /NOT ALLOWED by name/);
    const bare = await runCli(['explain', FIXTURE, '--from', 'shop/web', '--to', 'web']);
    assert.match(bare.stderr, /needs a namespace/);
  });

  test('patterns match within a label, * alone matches every name', () => {
    assert.ok(domainMatches('*.stripe.com', 'api.stripe.com'));
    assert.ok(!domainMatches('*.stripe.com', 'a.b.stripe.org'));
    assert.ok(domainMatches('*', 'example.org'));
    assert.ok(domainMatches('api.stripe.com', 'API.stripe.com.'));
  });

  test("a leading **. matches one or more labels, as Cilium's matchpattern reads it; stars alone every name", () => {
    assert.ok(domainMatches('**.stripe.com', 'a.b.stripe.com'));
    assert.ok(domainMatches('***.stripe.com', 'api.stripe.com'));
    assert.ok(!domainMatches('**.stripe.com', 'stripe.com'));
    assert.ok(!domainMatches('*.stripe.com', 'a.b.stripe.com'));
    assert.ok(domainMatches('**', 'stripe.com'));
    assert.ok(domainMatches('api-*-v2.stripe.com', 'api-eu-v2.stripe.com'));
  });
});
