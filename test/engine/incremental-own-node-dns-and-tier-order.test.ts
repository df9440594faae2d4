/**
 * The incremental engine's survivors of round 11's folder run (issue #20, round 11), each edit checked against
 * a fresh compile: batches that change nothing on a cluster with own-node classes (pods on a Node with an
 * address), which must answer "no change" rather than recompile, as they do without such classes; the reach
 * by DNS name read afresh after an edit of the classes it was read for; a class pair a cluster policy patch
 * opened into one class of a workload, then the workload's column rebuilt from its other class; Admin and
 * Baseline cluster policies interleaved in the list (each tier in its own priority order).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createIncrementalEngine } from '../../src/engine/incremental.ts';
import { checked, dOverTwoClasses, guardS } from '../support/incremental.ts';
import { describeConnectivity } from '../support/verdicts.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cluster, cnp, cnpCilium, node, ns, pod, policy } from '../support/builders.ts';

const app = (name: string) => ({ matchLabels: { app: name } });
const NO_CHANGE = { touchedClasses: 0, recompiled: false, changes: [] };

describe('incremental engine: own-node classes', () => {
  test('a batch that changes nothing answers no change (no recompile), for each kind of policy', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        nodes: [node('n1', {}, ['192.168.5.1'])],
        pods: [
          pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.5'], nodeName: 'n1' }),
          pod('a', 'db', { app: 'db' }, { ips: ['10.0.0.6'], nodeName: 'n1' }),
        ],
      }),
    );
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 'db-in', {
          podSelector: app('db'),
          ingress: [{ from: [{ podSelector: app('web') }], ports: [{ port: 5432 }] }],
        }),
      ),
    );
    checked(inc, () =>
      inc.updateClusterPolicy(
        cnp('guard', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: {} },
          ingress: [
            {
              action: 'Deny',
              from: [{ pods: { namespaceSelector: {}, podSelector: app('web') } }],
              protocols: [{ tcp: { destinationPort: { number: 22 } } }],
            },
          ],
        }),
      ),
    );
    checked(inc, () =>
      inc.updateCiliumPolicy(
        cnpCilium('a', 'web-out', {
          endpointSelector: app('web'),
          egress: [{ toEndpoints: [app('db')] }],
        }),
      ),
    );
    // The same lists again (new arrays, the same objects in the same order).
    assert.deepEqual(inc.setPolicies([...inc.state.policies]), NO_CHANGE);
    assert.deepEqual(inc.setClusterPolicies([...inc.state.clusterPolicies]), NO_CHANGE);
    assert.deepEqual(inc.setCiliumPolicies([...inc.state.ciliumPolicies]), NO_CHANGE);
    // An id that is not there.
    assert.deepEqual(inc.removePolicy('a/none'), NO_CHANGE);
    assert.deepEqual(inc.removeClusterPolicy('none'), NO_CHANGE);
    assert.deepEqual(inc.removeCiliumPolicy('a/none'), NO_CHANGE);
    // Something changed: recompiled (own-node traffic is not tracked incrementally).
    const update = checked(inc, () => inc.setCiliumPolicies([]));
    assert.equal(update.recompiled, true);
  });
});

describe('incremental engine: reach by DNS name', () => {
  test('an edit after connectivity was read: the edited classes’ DNS reach is read afresh', () => {
    const names = (priority: number, port: number) =>
      cnp(`names-${priority}`, {
        tier: 'Admin',
        priority,
        subject: { pods: { namespaceSelector: {}, podSelector: app('web') } },
        egress: [
          {
            action: 'Accept',
            to: [{ domainNames: ['a.example.com'] }],
            protocols: [{ tcp: { destinationPort: { number: port } } }],
          },
        ],
      });
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'web', { app: 'web' }), pod('a', 'db', { app: 'db' })],
      }),
    );
    const dns = (ports = false) =>
      inc
        .connectivity()
        .domains.map((d) => `${d.src} -> ${d.domain}${ports ? `: ${formatPorts(d.ports)}` : ''}`);
    assert.deepEqual(dns(), []);
    checked(inc, () => inc.updateClusterPolicy(names(1, 443)));
    assert.deepEqual(dns(), ['a/Pod/web -> a.example.com']);
    checked(inc, () => inc.updateClusterPolicy(names(1, 80)));
    assert.deepEqual(dns(true), ['a/Pod/web -> a.example.com: TCP 80']);
    checked(inc, () => inc.removeClusterPolicy('ClusterNetworkPolicy/names-1'));
    assert.deepEqual(dns(), []);
    checked(inc, () =>
      inc.updatePolicy(policy('a', 'deny-out', { podSelector: {}, policyTypes: ['Egress'] })),
    );
    checked(inc, () => inc.updateClusterPolicy(names(2, 53)));
    checked(inc, () =>
      inc.updateCiliumPolicy(
        cnpCilium('a', 'fqdn', {
          endpointSelector: app('db'),
          egress: [{ toFQDNs: [{ matchName: 'b.example.com' }] }],
        }),
      ),
    );
    checked(inc, () => inc.removeCiliumPolicy('CiliumNetworkPolicy/a/fqdn'));
    assert.deepEqual(dns(), ['a/Pod/web -> a.example.com']);
  });
});

describe('incremental engine: workloads over several classes', () => {
  test('a class pair a cluster policy patch opened into one class of a workload, then its column from the other', () => {
    const inc = createIncrementalEngine(dOverTwoClasses());
    // The mirror of round 9's test, which removes the pair: here s reaches d's class v=1 on nothing, then
    // (patched) on everything but TCP 80.
    checked(inc, () => inc.updateClusterPolicy(cnp('guard', guardS(undefined))));
    const edit = checked(inc, () => inc.updateClusterPolicy(cnp('guard', guardS(80))));
    assert.ok((edit.patchedClasses ?? 0) > 0);
    // d's other class isolated on ingress: s still reaches d, through class v=1.
    checked(inc, () =>
      inc.updatePolicy(
        policy('a', 'd2-in', { podSelector: { matchLabels: { v: '2' } }, policyTypes: ['Ingress'] }),
      ),
    );
    assert.ok(
      describeConnectivity(inc.connectivity()).some((l) => l.startsWith('a/Pod/s -> a/Deployment/d')),
    );
  });
});

describe('incremental engine: cluster policies of both tiers', () => {
  test('Admin and Baseline policies interleaved in the list: each tier in its own priority order', () => {
    const inc = createIncrementalEngine(
      cluster({
        namespaces: [ns('a')],
        pods: [pod('a', 'web', { app: 'web' }), pod('a', 'db', { app: 'db' }), pod('a', 'c', { app: 'c' })],
      }),
    );
    const rule = (
      tier: 'Admin' | 'Baseline',
      action: 'Deny' | 'Allow' | 'Accept',
      port: number,
      priority = 1,
    ) =>
      cnp(`${tier}-${action}-${port}-${priority}`, {
        tier,
        priority,
        subject: { pods: { namespaceSelector: {}, podSelector: app('db') } },
        ingress: [
          {
            action,
            from: [{ pods: { namespaceSelector: {}, podSelector: app('web') } }],
            protocols: [{ tcp: { destinationPort: { number: port } } }],
          },
        ],
      });
    checked(inc, () =>
      inc.setClusterPolicies([rule('Baseline', 'Deny', 5432), rule('Admin', 'Accept', 5432)]),
    );
    checked(inc, () =>
      inc.setClusterPolicies([
        rule('Baseline', 'Deny', 5432),
        rule('Baseline', 'Deny', 22),
        rule('Admin', 'Accept', 5432),
        rule('Admin', 'Deny', 22),
      ]),
    );
    checked(inc, () => inc.setClusterPolicies([rule('Baseline', 'Allow', 22), rule('Admin', 'Deny', 22)]));
    checked(inc, () =>
      inc.updatePolicy(policy('a', 'db-in', { podSelector: app('db'), policyTypes: ['Ingress'] })),
    );
    checked(inc, () =>
      inc.setClusterPolicies([
        rule('Baseline', 'Allow', 22),
        rule('Admin', 'Deny', 22),
        rule('Baseline', 'Allow', 80),
      ]),
    );
    // Admin policies of two priorities with a Baseline one between them in the list: the Admin tier's
    // order is by priority (the Accept at 1 first), wherever the Baseline one sits.
    checked(inc, () =>
      inc.setClusterPolicies([
        rule('Admin', 'Deny', 5432, 5),
        rule('Baseline', 'Allow', 22),
        rule('Admin', 'Accept', 5432, 1),
      ]),
    );
    assert.ok(describeConnectivity(inc.connectivity()).some((l) => l.startsWith('a/Pod/web -> a/Pod/db')));
  });
});
