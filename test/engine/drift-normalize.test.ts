/**
 * Drift's normalization and bookkeeping (`src/engine/drift.ts`), part by part: each selector, peer and port
 * field as the API server stores it, `policyTypes` deduplicated and sorted, the namespaces a desired state
 * covers, and the live state with the desired NetworkPolicies and Cilium policies in place.
 * `test/drift/engine.test.ts` and `test/drift/cilium.test.ts` check the comparison as a whole.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compareCiliumPolicies,
  comparePolicies,
  coveredNamespaces,
  normalizeSpec,
  withDesiredPolicies,
} from '../../src/engine/drift.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import { ccnp, cluster, cnpCilium, ns, policy } from '../support/builders.ts';

describe('normalizeSpec, field by field', () => {
  test('selectors: empty matchLabels and matchExpressions dropped, empty values dropped, values kept', () => {
    const spec: NetworkPolicySpec = {
      podSelector: {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'a', operator: 'Exists', values: [] },
          { key: 'b', operator: 'In', values: ['x'] },
          { key: 'c', operator: 'DoesNotExist' },
        ],
      },
    };
    assert.deepEqual(normalizeSpec(spec).podSelector, {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'a', operator: 'Exists' },
        { key: 'b', operator: 'In', values: ['x'] },
        { key: 'c', operator: 'DoesNotExist' },
      ],
    });
    assert.deepEqual(normalizeSpec({ podSelector: { matchLabels: {} } }).podSelector, {});
    assert.deepEqual(normalizeSpec({}).podSelector, {});
  });

  test('peers: both selectors normalized, an ipBlock with its excepts or without an empty list', () => {
    const spec: NetworkPolicySpec = {
      podSelector: {},
      ingress: [
        {
          from: [
            {
              podSelector: {
                matchLabels: {},
                matchExpressions: [{ key: 'k', operator: 'Exists', values: [] }],
              },
              namespaceSelector: { matchLabels: { team: 'a' }, matchExpressions: [] },
            },
            { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
            { ipBlock: { cidr: '192.168.0.0/16' } },
          ],
        },
      ],
      egress: [{ to: [{ podSelector: { matchLabels: {} } }], ports: [] }],
    };
    assert.deepEqual(normalizeSpec(spec), {
      podSelector: {},
      ingress: [
        {
          from: [
            {
              podSelector: { matchExpressions: [{ key: 'k', operator: 'Exists' }] },
              namespaceSelector: { matchLabels: { team: 'a' } },
            },
            { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
            { ipBlock: { cidr: '192.168.0.0/16' } },
          ],
        },
      ],
      egress: [{ to: [{ podSelector: {} }] }],
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  test('ports: the protocol kept or defaulted to TCP; port and endPort kept when set', () => {
    const spec: NetworkPolicySpec = {
      podSelector: {},
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { port: 8000, endPort: 8080 },
            { protocol: 'SCTP' },
            { port: 'http' },
          ],
        },
      ],
    };
    assert.deepEqual(normalizeSpec(spec).egress, [
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 8000, endPort: 8080 },
          { protocol: 'SCTP' },
          { protocol: 'TCP', port: 'http' },
        ],
      },
    ]);
  });

  test('policyTypes as written, deduplicated and sorted; an empty list defaulted like an absent one', () => {
    assert.deepEqual(normalizeSpec({ policyTypes: ['Ingress', 'Egress', 'Ingress'] }).policyTypes, [
      'Egress',
      'Ingress',
    ]);
    assert.deepEqual(normalizeSpec({ policyTypes: ['Egress'], ingress: [{}] }).policyTypes, ['Egress']);
    assert.deepEqual(normalizeSpec({ policyTypes: [], egress: [{}] }).policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(normalizeSpec({ policyTypes: [] }).policyTypes, ['Ingress']);
  });

  test('a rule with from and ports keeps both; an ingress rule with only ports keeps them', () => {
    assert.deepEqual(
      normalizeSpec({
        ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }, { ports: [{ port: 81 }] }],
      }).ingress,
      [
        { from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 80 }] },
        { ports: [{ protocol: 'TCP', port: 81 }] },
      ],
    );
  });
});

describe('coveredNamespaces', () => {
  test('namespaces of the policies, the Cilium policies and the Namespace objects defined, not the implied ones', () => {
    const state = {
      ...cluster({
        namespaces: [ns('prod')],
        policies: [policy('data', 'x', { podSelector: {} })],
      }),
    };
    // A namespace only referred to (no Namespace object) is not covered.
    state.namespaces.push({ ...ns('implied'), implicit: true });
    state.ciliumPolicies = [
      cnpCilium('cil', 'a', { endpointSelector: {} }),
      ccnp('wide', { endpointSelector: {} }),
    ];
    assert.deepEqual(coveredNamespaces(state), ['cil', 'data', 'prod']);
  });
});

describe('the scope of extra policies', () => {
  const rule: CiliumRule = { endpointSelector: {}, ingress: [{}] };

  test('NetworkPolicies: extra in the namespaces in scope, or anywhere with all', () => {
    const live = [policy('in', 'a', { podSelector: {} }), policy('out', 'b', { podSelector: {} })];
    const scoped = comparePolicies([], live, { kind: 'namespaces', namespaces: ['in'] });
    assert.deepEqual(
      scoped.drifts.map((d) => [d.kind, d.id, d.namespace, d.name]),
      [['extra', 'in/a', 'in', 'a']],
    );
    assert.equal(scoped.outOfScope, 1);
    assert.equal(comparePolicies([], live, { kind: 'all' }).drifts.length, 2);
  });

  test('clusterwide Cilium policies: extra with all, or when the desired side has some', () => {
    const live = [ccnp('wide', rule), cnpCilium('in', 'a', rule)];
    const scope = { kind: 'namespaces', namespaces: ['in'] } as const;
    assert.deepEqual(
      compareCiliumPolicies([], live, scope).drifts.map((d) => d.id),
      ['CiliumNetworkPolicy/in/a'],
    );
    assert.deepEqual(
      compareCiliumPolicies([], live, { kind: 'all' }).drifts.map((d) => d.id),
      ['CiliumClusterwideNetworkPolicy/wide', 'CiliumNetworkPolicy/in/a'],
    );
    assert.deepEqual(
      compareCiliumPolicies([ccnp('other', rule)], live, scope).drifts.map((d) => [d.kind, d.id]),
      [
        ['missing', 'CiliumClusterwideNetworkPolicy/other'],
        ['extra', 'CiliumClusterwideNetworkPolicy/wide'],
        ['extra', 'CiliumNetworkPolicy/in/a'],
      ],
    );
    // A CiliumNetworkPolicy outside the namespaces is not extra, clusterwide ones desired or not.
    assert.deepEqual(
      compareCiliumPolicies([ccnp('wide', rule)], [cnpCilium('out', 'b', rule)], scope).drifts.map(
        (d) => d.id,
      ),
      ['CiliumClusterwideNetworkPolicy/wide'],
    );
  });

  test('Cilium policies differing only in specs, or in a spec against none, are changed', () => {
    const one = cnpCilium('in', 'a', rule);
    const other = cnpCilium('in', 'a', { endpointSelector: {}, egress: [{}] });
    const r = compareCiliumPolicies([one], [other], { kind: 'all' });
    assert.deepEqual(
      r.drifts.map((d) => [d.kind, d.fields.map((f) => f.join('.'))]),
      [['changed', ['spec.egress', 'spec.ingress']]],
    );
    assert.equal(compareCiliumPolicies([one], [cnpCilium('in', 'a', rule)], { kind: 'all' }).inSync, 1);
    // `specs` (a list of rule sets) is compared as `spec` is.
    const withSpecs = (specs: CiliumRule[]) =>
      ciliumPolicyInfo({
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'a', namespace: 'in' },
        specs,
      });
    const egress: CiliumRule = { endpointSelector: {}, egress: [{}] };
    assert.deepEqual(
      compareCiliumPolicies([withSpecs([rule])], [withSpecs([rule, egress])], { kind: 'all' }).drifts.map(
        (d) => [d.kind, d.fields.map((f) => f.join('.'))],
      ),
      [['changed', ['specs']]],
    );
    assert.deepEqual(
      compareCiliumPolicies([withSpecs([rule])], [withSpecs([egress])], { kind: 'all' }).drifts.map((d) =>
        d.fields.map((f) => f.join('.')),
      ),
      [['specs.0.egress', 'specs.0.ingress']],
    );
  });
});

describe('withDesiredPolicies', () => {
  test('NetworkPolicies: missing added, changed replaced, extra removed, in id order; the rest as live', () => {
    const keep = policy('a', 'keep', { podSelector: {} });
    const live = cluster({
      policies: [
        policy('a', 'z-extra', { podSelector: {} }),
        keep,
        policy('a', 'changed', { podSelector: {} }),
      ],
    });
    const desiredChanged = policy('a', 'changed', { podSelector: {}, policyTypes: ['Egress'] });
    const desiredNew = policy('a', 'b-new', { podSelector: {} });
    const r = comparePolicies([keep, desiredChanged, desiredNew], live.policies, { kind: 'all' });
    const synced = withDesiredPolicies(live, r.drifts);
    assert.deepEqual(
      synced.policies.map((p) => p.id),
      ['a/b-new', 'a/changed', 'a/keep'],
    );
    assert.equal(synced.policies[0], desiredNew);
    assert.equal(synced.policies[1], desiredChanged);
    assert.equal(synced.policies[2], keep);
    assert.equal(synced.pods, live.pods);
  });

  test('Cilium policies: missing added, changed replaced, extra removed, untouched kept', () => {
    const rule: CiliumRule = { endpointSelector: {}, ingress: [{}] };
    const keep = cnpCilium('a', 'keep', rule);
    const live = {
      ...cluster({}),
      ciliumPolicies: [cnpCilium('a', 'extra', rule), keep, cnpCilium('a', 'changed', rule)],
    };
    const changed = cnpCilium('a', 'changed', { endpointSelector: {}, egress: [{}] });
    const added = ccnp('new', rule);
    const r = compareCiliumPolicies([keep, changed, added], live.ciliumPolicies, { kind: 'all' });
    const synced = withDesiredPolicies(live, r.drifts);
    assert.deepEqual(
      synced.ciliumPolicies.map((p) => p.id),
      ['CiliumNetworkPolicy/a/keep', 'CiliumClusterwideNetworkPolicy/new', 'CiliumNetworkPolicy/a/changed'],
    );
    assert.equal(synced.ciliumPolicies[0], keep);
    assert.equal(synced.ciliumPolicies[2], changed);
    assert.deepEqual(synced.policies, []);
  });
});
