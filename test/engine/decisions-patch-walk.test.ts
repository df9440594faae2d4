/**
 * The survivors of `src/engine/decisions.ts` in round 11's folder run (issue #20, round 11): `patchWalk` (an
 * Admin cluster policy edited in place, behind another one in the same list: the walk of the two patched at
 * the peers the edit changes, checked against a fresh compile), and `overNetworkPolicies` (a class that
 * NetworkPolicies isolate stays isolated under an Admin tier that decides some of its peers, and an Admin
 * deny cuts a peer out of the NetworkPolicies' broad allow).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster, type CompiledCluster } from '../../src/engine/compile.ts';
import { createIncrementalEngine } from '../../src/engine/incremental.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterNetworkPolicySpec } from '../../src/model/k8s.ts';
import { checked } from '../support/incremental.ts';
import { cluster, cnp, cnpCilium, ns, pod, policy, type ClusterInput } from '../support/builders.ts';

const app = (name: string) => ({ matchLabels: { app: name } });
const from = (name: string) => [{ pods: { namespaceSelector: {}, podSelector: app(name) } }];
const tcp = (port: number) => [{ tcp: { destinationPort: { number: port } } }];

const pods = [
  pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] }),
  pod('a', 'api', { app: 'api' }, { ips: ['10.0.0.2'] }),
  pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.3'] }),
];
/** An Admin cluster policy selecting db, with these ingress rules. */
const onDb = (name: string, priority: number, ingress: NonNullable<ClusterNetworkPolicySpec['ingress']>) =>
  cnp(name, {
    tier: 'Admin',
    priority,
    subject: { pods: { namespaceSelector: {}, podSelector: app('db') } },
    ingress,
  });
/** The ports `compiled` allows from the pod `name` to db. */
const towardsDb = (compiled: CompiledCluster, name: string) =>
  formatPorts(
    compiled.allowedBetween(
      { kind: 'pod', namespace: 'a', name },
      { kind: 'pod', namespace: 'a', name: 'db' },
    ),
  );
/** `input` over namespace a and its three pods, compiled. */
const compiled = (input: ClusterInput) => compileCluster(cluster({ namespaces: [ns('a')], pods, ...input }));

describe('decisions: patchWalk', () => {
  test('an Admin policy edited in place behind another: allows, denies and what stays undecided at the changed peers', () => {
    // `first` allows web on 80 and leaves the rest undecided: at web, the edited `second` decides after it.
    const first = onDb('first', 1, [{ action: 'Accept', from: from('web'), protocols: tcp(80) }]);
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods,
        clusterPolicies: [
          first,
          onDb('second', 2, [{ action: 'Accept', from: from('api'), protocols: tcp(8080) }]),
        ],
      }),
    );
    inc.connectivity();
    // The same name, tier and priority: changed in place, so the walk of [first, second] is patched at web
    // and api (the peers of the old and new rules), not rebuilt.
    checked(inc, () =>
      inc.updateClusterPolicy(
        onDb('second', 2, [
          { action: 'Deny', from: from('web'), protocols: tcp(443) },
          { action: 'Accept', from: from('api'), protocols: tcp(9090) },
          { action: 'Deny', from: from('api'), protocols: tcp(8080) },
        ]),
      ),
    );
    // web: 80 allowed by `first`, 443 denied by `second`, the rest undecided (open: nothing isolates db).
    assert.equal(towardsDb(inc.compiled, 'web'), 'TCP 1-442,444-65535; UDP all ports; SCTP all ports');
    // api: 8080 now denied, 9090 allowed.
    assert.equal(towardsDb(inc.compiled, 'api'), 'TCP 1-8079,8081-65535; UDP all ports; SCTP all ports');
  });
});

describe('decisions: overNetworkPolicies', () => {
  test('a class NetworkPolicies isolate stays isolated, and an Admin deny cuts a peer out of their broad allow', () => {
    const c = compiled({
      policies: [
        // db: isolated for ingress; every pod of the namespace on 80 (the broad part), api also on 5432 (a
        // single peer, laid over the shared broad part).
        policy('a', 'db-in', {
          podSelector: app('db'),
          ingress: [
            { from: [{ podSelector: {} }], ports: [{ port: 80 }] },
            { from: [{ podSelector: app('api') }], ports: [{ port: 5432 }] },
          ],
        }),
      ],
      clusterPolicies: [
        onDb('guard', 1, [
          { action: 'Deny', from: from('web'), protocols: tcp(80) },
          { action: 'Accept', from: from('api'), protocols: tcp(9000) },
        ]),
      ],
    });
    // web's 80 is cut out of the broad part; api keeps it, with its own 5432 and the Admin tier's 9000.
    assert.equal(towardsDb(c, 'web'), 'No connections');
    assert.equal(towardsDb(c, 'api'), 'TCP 80,5432,9000');
    // The final access still isolates db (what the server's workload facts show).
    const id = c.classes.find((cls) => cls.pods.some((p) => p.name === 'db'))!.id;
    assert.equal(c.ingress[id]!.isolated, true);
  });

  test('a Cilium deny cut out of a broad allow stays cut under an Admin tier that decides another peer', () => {
    // The Cilium layer (what the tiers read as NetworkPolicies) allows everything but web: a cut, not a
    // single peer added; the Admin tier decides api only.
    const c = compiled({
      ciliumPolicies: [
        cnpCilium('a', 'db-in', {
          endpointSelector: app('db'),
          ingress: [{ fromEntities: ['all'] }],
          ingressDeny: [{ fromEndpoints: [app('web')] }],
        }),
      ],
      clusterPolicies: [onDb('guard', 1, [{ action: 'Deny', from: from('api'), protocols: tcp(9000) }])],
    });
    assert.equal(towardsDb(c, 'web'), 'No connections');
    assert.equal(towardsDb(c, 'api'), 'TCP 1-8999,9001-65535; UDP all ports; SCTP all ports');
  });
});
