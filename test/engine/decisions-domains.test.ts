/**
 * `domainReach` (src/engine/decisions.ts): a Baseline tier's `domainNames` allow counts only where
 * NetworkPolicies leave the class's egress open, and only on ports the Admin tier leaves undecided for some
 * address; an Admin one on the ports some address still has undecided before it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterPolicyInfo, PolicyInfo } from '../../src/model/cluster.ts';
import { cluster, cnp, ns, pod, policy } from '../support/builders.ts';

const everyPod = { pods: { namespaceSelector: {}, podSelector: {} } };

const baselineNames = cnp('names', {
  tier: 'Baseline',
  priority: 1,
  subject: everyPod,
  egress: [
    {
      action: 'Accept',
      to: [{ domainNames: ['a.example.com'] }],
      protocols: [
        { tcp: { destinationPort: { number: 80 } } },
        { tcp: { destinationPort: { number: 443 } } },
      ],
    },
  ],
});

function domains(clusterPolicies: ClusterPolicyInfo[], policies: PolicyInfo[] = []): string[] {
  const s = cluster({
    namespaces: [ns('a')],
    pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] })],
    policies,
    clusterPolicies,
  });
  return computeConnectivity(compileCluster(s)).domains.map(
    (d) => `${d.src} -> ${d.domain}: ${formatPorts(d.ports)}`,
  );
}

describe('domainReach', () => {
  test('a Baseline domainNames allow counts while NetworkPolicies leave egress open', () => {
    assert.deepEqual(domains([baselineNames]), ['a/Pod/web -> a.example.com: TCP 80,443']);
  });

  test('not when a NetworkPolicy isolates the class for egress', () => {
    const isolated = policy('a', 'egress-deny', { podSelector: {}, policyTypes: ['Egress'] });
    assert.deepEqual(domains([baselineNames], [isolated]), []);
  });

  test('only on the ports the Admin tier leaves undecided for some address', () => {
    const adminDeny80 = cnp('no-80', {
      tier: 'Admin',
      priority: 1,
      subject: everyPod,
      egress: [
        {
          action: 'Deny',
          to: [{ networks: ['0.0.0.0/0', '::/0'] }],
          protocols: [{ tcp: { destinationPort: { number: 80 } } }],
        },
      ],
    });
    assert.deepEqual(domains([adminDeny80, baselineNames]), ['a/Pod/web -> a.example.com: TCP 443']);
  });

  test('an Admin allow rule with names beside other peers names them too', () => {
    const admin = cnp('mixed', {
      tier: 'Admin',
      priority: 1,
      subject: everyPod,
      egress: [
        {
          action: 'Accept',
          to: [{ networks: ['10.9.0.0/16'] }, { domainNames: ['b.example.com'] }],
          protocols: [{ tcp: { destinationPort: { number: 8443 } } }],
        },
      ],
    });
    assert.deepEqual(domains([admin]), ['a/Pod/web -> b.example.com: TCP 8443']);
  });

  test('a Deny rule with names (kept with a warning) reaches no domain', () => {
    const deny = cnp('deny-names', {
      tier: 'Admin',
      priority: 1,
      subject: everyPod,
      egress: [
        {
          action: 'Deny',
          to: [{ domainNames: ['c.example.com'] }],
          protocols: [{ tcp: { destinationPort: { number: 80 } } }],
        },
      ],
    });
    assert.deepEqual(domains([deny]), []);
  });
});
