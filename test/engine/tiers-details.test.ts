/**
 * Cluster policy tiers, cases found by mutation testing (issue #20) that the tier tests left open: a rule
 * whose peers mix a `networks` peer with a `pods` peer still matches pods by their IPs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cluster, cnp, ns, pod, podRef } from '../support/builders.ts';

describe('tiers: networks peers beside other peers', () => {
  test('a networks peer in a rule that also has a pods peer matches pods at its addresses', () => {
    const state = cluster({
      namespaces: [ns('a', { team: 'a' }), ns('b', { team: 'b' })],
      pods: [
        pod('a', 'x', { app: 'x' }, { ips: ['10.0.1.1'] }),
        pod('b', 'y', { app: 'y' }, { ips: ['10.0.2.1'] }),
      ],
      clusterPolicies: [
        cnp('deny-b-net', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: { matchLabels: { team: 'a' } } },
          egress: [
            {
              action: 'Deny',
              to: [
                { pods: { namespaceSelector: { matchLabels: { team: 'none' } }, podSelector: {} } },
                { networks: ['10.0.2.0/24'] },
              ],
            },
          ],
        }),
      ],
    });
    // `--ipblock-matches-pods false` is about NetworkPolicy ipBlocks: networks peers still match pod IPs.
    const c = compileCluster(state, { ipBlockMatchesPods: false });
    assert.equal(formatPorts(c.allowedBetween(podRef('a', 'x'), podRef('b', 'y'))), 'No connections');
    assert.equal(formatPorts(c.allowedBetween(podRef('b', 'y'), podRef('a', 'x'))), 'All connections');
  });
});
