/**
 * `combineTiers` over NetworkPolicies that isolate a class (src/engine/decisions.ts, `overNetworkPolicies`):
 * the NetworkPolicy's single peers — addresses alone, without pod peers — keep what they allow under an
 * Admin tier that decides other peers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cluster, cnp, ns, pod, policy } from '../support/builders.ts';

describe('NetworkPolicy address peers under an Admin tier', () => {
  test('an egress allow to a CIDR only stays allowed when an Admin rule decides another peer', () => {
    const s = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
        pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.2'] }),
      ],
      policies: [
        policy('a', 'web-out', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '192.0.2.0/24' } }], ports: [{ port: 443 }] }],
        }),
      ],
      clusterPolicies: [
        cnp('web-to-db', {
          tier: 'Admin',
          priority: 1,
          subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
          egress: [
            {
              action: 'Accept',
              to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }],
              protocols: [{ tcp: { destinationPort: { number: 5432 } } }],
            },
          ],
        }),
      ],
    });
    const compiled = compileCluster(s);
    const web = { kind: 'pod' as const, namespace: 'a', name: 'web' };
    assert.equal(formatPorts(compiled.allowedBetween(web, { kind: 'ip', ip: '192.0.2.7' })), 'TCP 443');
    assert.equal(
      formatPorts(compiled.allowedBetween(web, { kind: 'pod', namespace: 'a', name: 'db' })),
      'TCP 5432',
    );
  });
});
