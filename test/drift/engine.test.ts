/**
 * The drift comparison on hand-built states: which policies are missing, extra (in scope) or changed, that
 * what the API server fills in or drops is no change, and the connectivity of the live pods with the desired
 * policies in place.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  comparePolicies,
  computeDrift,
  coveredNamespaces,
  normalizeSpec,
  withDesiredPolicies,
  type PolicyDrift,
} from '../../src/engine/drift.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';
import { formatPath } from '../../src/model/problem.ts';
import { cluster, ns, pod, policy, type ClusterInput } from '../support/builders.ts';

const ALL = { kind: 'all' } as const;
const db = (ports: number[]): NetworkPolicySpec => ({
  podSelector: { matchLabels: { app: 'db' } },
  ingress: [
    { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: ports.map((port) => ({ port })) },
  ],
});
const denyAll: NetworkPolicySpec = { podSelector: {}, policyTypes: ['Ingress'] };

/** `kind id fields…` for each drift. */
const show = (ds: readonly PolicyDrift[]): string[] =>
  ds.map((d) => [d.kind, d.id, ...d.fields.map(formatPath)].join(' '));

describe('normalizeSpec: the spec as the API server stores it', () => {
  test('fills in policyTypes (Ingress, plus Egress only with egress rules), and TCP for a port', () => {
    assert.deepEqual(normalizeSpec({ podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }), {
      podSelector: {},
      ingress: [{ ports: [{ protocol: 'TCP', port: 80 }] }],
      policyTypes: ['Ingress'],
    });
    assert.deepEqual(normalizeSpec({ egress: [{}] }).policyTypes, ['Ingress', 'Egress']);
    // `egress: []` is dropped by the server and does not add Egress (len(egress) == 0).
    assert.deepEqual(normalizeSpec({ egress: [] }), { podSelector: {}, policyTypes: ['Ingress'] });
  });

  test('drops empty lists and selector parts, keeps empty selectors (they select everything)', () => {
    const spec: NetworkPolicySpec = {
      podSelector: { matchLabels: {}, matchExpressions: [] },
      policyTypes: ['Egress', 'Ingress'],
      ingress: [{ from: [], ports: [] }],
      egress: [{ to: [{ namespaceSelector: {}, ipBlock: { cidr: '10.0.0.0/8', except: [] } }] }],
    };
    assert.deepEqual(normalizeSpec(spec), {
      podSelector: {},
      ingress: [{}],
      egress: [{ to: [{ namespaceSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }],
      policyTypes: ['Egress', 'Ingress'],
    });
  });
});

describe('comparePolicies', () => {
  const desired = [
    policy('prod', 'db', db([5432])),
    policy('prod', 'deny', denyAll),
    policy('prod', 'gone', denyAll),
  ];

  test('missing, extra and changed, by id, with the fields that differ', () => {
    const live = [
      policy('prod', 'db', db([5432, 9187])),
      policy('prod', 'deny', denyAll),
      policy('prod', 'debug', { podSelector: {}, ingress: [{}] }),
    ];
    const r = comparePolicies(desired, live, { kind: 'namespaces', namespaces: ['prod'] });
    assert.deepEqual(show(r.drifts), [
      'changed prod/db spec.ingress[0].ports',
      'extra prod/debug',
      'missing prod/gone',
    ]);
    assert.equal(r.inSync, 1);
    assert.equal(r.outOfScope, 0);
    const changed = r.drifts[0]!;
    assert.equal(changed.desired, desired[0]);
    assert.equal(changed.live, live[0]);
  });

  test('what the server filled in (policyTypes, protocol) or dropped (empty lists) is no change', () => {
    const stored = policy('prod', 'db', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'web' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    });
    const r = comparePolicies([desired[0]!], [stored], ALL);
    assert.deepEqual(r.drifts, []);
    assert.equal(r.inSync, 1);
  });

  test('a changed policyTypes is a change (Egress added isolates egress)', () => {
    const live = policy('prod', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    assert.deepEqual(show(comparePolicies([desired[1]!], [live], ALL).drifts), [
      'changed prod/deny spec.policyTypes',
    ]);
  });

  test('extra only in the namespaces in scope; the others are counted, not reported', () => {
    const live = [...desired, policy('dev', 'open', { podSelector: {}, ingress: [{}] })];
    const scoped = comparePolicies(desired, live, { kind: 'namespaces', namespaces: ['prod'] });
    assert.deepEqual(scoped.drifts, []);
    assert.equal(scoped.outOfScope, 1);
    assert.deepEqual(show(comparePolicies(desired, live, ALL).drifts), ['extra dev/open']);
  });

  test('covered namespaces: those of the policies and of the Namespace objects defined', () => {
    const state = cluster({
      namespaces: [ns('prod'), ns('staging')],
      policies: [policy('data', 'x', denyAll)],
    });
    assert.deepEqual(coveredNamespaces(state), ['data', 'prod', 'staging']);
  });
});

describe('computeDrift: connectivity on the live pods', () => {
  const live: ClusterInput = {
    namespaces: [ns('prod')],
    pods: [
      pod('prod', 'web', { app: 'web' }, { ips: ['10.0.1.10'] }),
      pod('prod', 'db', { app: 'db' }, { ips: ['10.0.1.20'] }),
    ],
    policies: [
      policy('prod', 'db', db([5432, 9187])),
      policy('prod', 'web-open', { podSelector: {}, ingress: [{}] }),
    ],
  };

  test('the live state with the desired policies: changed replaced, extra removed, missing added', () => {
    const desired = cluster({
      policies: [policy('prod', 'db', db([5432])), policy('prod', 'deny', denyAll)],
    });
    const state = cluster(live);
    const r = comparePolicies(desired.policies, state.policies, ALL);
    const synced = withDesiredPolicies(state, r.drifts);
    assert.deepEqual(
      synced.policies.map((p) => p.id),
      ['prod/db', 'prod/deny'],
    );
    assert.equal(synced.policies[0], desired.policies[0]);
    assert.equal(synced.pods, state.pods);
  });

  test('reports the connections that differ between live and desired', () => {
    // Desired: only db's policy, on 5432. Live: db also on 9187, and an allow-all that opens db to everyone.
    const desired = cluster({ namespaces: [ns('prod')], policies: [policy('prod', 'db', db([5432]))] });
    const d = computeDrift(
      desired,
      cluster(live),
      { kind: 'namespaces', namespaces: ['prod'] },
      {
        ipBlockMatchesPods: true,
        hostNetworkPods: 'exempt',
      },
      'pod',
    );
    assert.deepEqual(show(d.drifts), ['changed prod/db spec.ingress[0].ports', 'extra prod/web-open']);
    const rows = d.connectivity.connections.map((c) => {
      const name = (id: string): string => {
        const e = d.connectivity.byId.get(id)!;
        return e.kind === 'external' ? d.connectivity.addressSpace.describe(e.address.id) : e.id;
      };
      return `${c.change} ${name(c.src)} → ${name(c.dst)}: ${formatPorts(c.before)} => ${formatPorts(c.after)}`;
    });
    // web keeps all ingress (no desired policy selects it); db only admits web on 5432 (a pod reaches itself).
    assert.deepEqual(rows, [
      'changed prod/web → prod/db: All connections => TCP 5432',
      'removed 0.0.0.0/0; ::/0 → prod/db: All connections => No connections',
    ]);
  });

  test('in sync: no drift and no connection differs', () => {
    const d = computeDrift(cluster(live), cluster(live), ALL, {
      ipBlockMatchesPods: true,
      hostNetworkPods: 'exempt',
    });
    assert.deepEqual(d.drifts, []);
    assert.deepEqual(d.connectivity.connections, []);
    assert.equal(d.inSync, 2);
  });
});
