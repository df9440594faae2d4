/**
 * Cilium endpoint selectors are evaluated on the classes sharing one of their labels (an index by identity
 * label, cilium.ts `CiliumPeers`): these cases pin what that narrowing must not change. Verdicts are written by
 * hand and checked against the engine and the naive reference evaluator (test/support/verdicts.ts).
 */
import { describe, test } from 'node:test';
import { conformanceCluster, expectVerdicts } from '../support/verdicts.ts';
import { cnpCilium } from '../support/builders.ts';

const dbFrom = (from: object) =>
  conformanceCluster({
    ciliumPolicies: [
      cnpCilium('prod', 'db', {
        endpointSelector: { matchLabels: { app: 'db' } },
        ingress: [{ fromEndpoints: [from] }],
      }),
    ],
  });

describe('Cilium endpoint selectors', () => {
  test('`In` with several values selects the classes with any of them', () => {
    const s = dbFrom({
      matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'client', 'web'] }],
    });
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'allow',
      // Scoped to the policy's namespace: dev's pods are not selected.
      'dev/client -> prod/db TCP/5432': 'deny',
      'dev/web -> prod/db TCP/5432': 'deny',
    });
  });

  test('a namespace label with several values, across namespaces', () => {
    const s = dbFrom({
      matchExpressions: [
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['dev', 'prod'] },
        { key: 'app', operator: 'In', values: ['client', 'web'] },
      ],
    });
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'allow',
      'dev/web -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/db TCP/5432': 'allow',
    });
  });

  test('a value no class has selects nothing; `NotIn` and `Exists` alone still see every class', () => {
    expectVerdicts(dbFrom({ matchLabels: { app: 'nowhere' } }), { 'prod/web -> prod/db TCP/5432': 'deny' });
    expectVerdicts(dbFrom({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }), {
      'prod/web -> prod/db TCP/5432': 'allow',
      'dev/web -> prod/db TCP/5432': 'deny',
    });
    expectVerdicts(dbFrom({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }), {
      'prod/web -> prod/db TCP/5432': 'allow',
      // The host-network agent is never an endpoint.
      '192.168.0.1 -> prod/db TCP/5432': 'deny',
    });
  });
});
