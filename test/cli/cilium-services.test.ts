/**
 * Cilium toServices to a Service without a selector (its EndpointSlice read from the file) and host policies,
 * through the CLI (issue #17): `explain` decides them as the engine does, and host policies that Cilium does
 * not enforce by default are said so on stderr, once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.ts';

const FIXTURE = 'test/fixtures/cilium-services/cluster.yaml';
const NOT_ENFORCED =
  "warning: 1 Cilium host policy (nodeSelector: CiliumClusterwideNetworkPolicy/lock-down) not enforced: upstream has Cilium's host firewall off (its default); if the cluster enables it (hostFirewall.enabled), add --cni cilium --cni-option enable-host-firewall=true\n";

describe('toServices and host policies on the command line', () => {
  test('explain: egress to the backend of a Service without a selector is allowed on the rule ports only', async () => {
    const yes = await runCli([
      'explain',
      FIXTURE,
      '--from',
      'shop/web',
      '--to',
      '203.0.113.10',
      '--port',
      '443',
    ]);
    assert.match(yes.stdout, /^shop\/web → 203\.0\.113\.10: ALLOWED on 443\/TCP/);
    const other = await runCli([
      'explain',
      FIXTURE,
      '--from',
      'shop/web',
      '--to',
      '203.0.113.11',
      '--port',
      '443',
    ]);
    assert.match(other.stdout, /DENIED on 443\/TCP/);
  });

  test('a host policy is not enforced without the host firewall: one warning line, and it decides nothing', async () => {
    const r = await runCli([
      'explain',
      FIXTURE,
      '--from',
      '8.8.8.8',
      '--to',
      'monitoring/exporter',
      '--port',
      '9100',
    ]);
    assert.equal(r.stderr, NOT_ENFORCED);
    // lint says it too (its findings go to stdout).
    assert.equal((await runCli(['lint', FIXTURE])).stderr, NOT_ENFORCED);
    assert.match(r.stdout, /ALLOWED on 9100\/TCP/);
  });

  test('with --cni-option enable-host-firewall=true it governs the host-network pods of the selected nodes', async () => {
    const args = ['--cni', 'cilium', '--cni-option', 'enable-host-firewall=true'];
    const explain = (port: string) =>
      runCli([
        'explain',
        FIXTURE,
        '--from',
        '8.8.8.8',
        '--to',
        'monitoring/exporter',
        '--port',
        port,
        ...args,
      ]);
    const r = await explain('9100');
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /DENIED on 9100\/TCP/);
    assert.match((await explain('22')).stdout, /ALLOWED on 22\/TCP/);
    assert.match(r.stdout, /default deny by CiliumClusterwideNetworkPolicy\/lock-down/);
  });
});
