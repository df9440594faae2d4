/**
 * The model's cluster policies in words (src/server/tiers.ts `clusterPoliciesJson`), on every kind of peer
 * and port of test/fixtures/parse/tiers/valid.yaml: the evaluation order (Admin tier by priority, then
 * Baseline), each subject, each rule's peers and ports (a rule of named ports only was shown as
 * "No connectionsport named postgres"), where each policy was read, and the YAML rebuilt when none is given.
 * Found by the mutation run of src/server, fifth round (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { ClusterPolicyJson } from '../../src/contract/api.ts';
import { openSession } from '../../src/engine/session.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { clusterPoliciesJson } from '../../src/server/tiers.ts';

const FIXTURE = 'test/fixtures/parse/tiers/valid.yaml';

let policies: ClusterPolicyJson[];
before(async () => {
  const loaded = await loadManifests([FIXTURE], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  const session = openSession(loaded.state, { ipBlockMatchesPods: true });
  policies = clusterPoliciesJson(
    session.compiled,
    new Map([['ClusterNetworkPolicy/baseline-deny', ['ns/Deployment/x']]]),
    new Map([['BaselineAdminNetworkPolicy/default', 'as: written\n']]),
  );
});

describe('clusterPoliciesJson', () => {
  test('in evaluation order: the Admin tier by priority, then the Baseline tier', () => {
    assert.deepEqual(
      policies.map((p) => [p.id, p.tier, p.priority]),
      [
        ['AdminNetworkPolicy/shop-admin', 'admin', 5],
        ['ClusterNetworkPolicy/platform-guardrails', 'admin', 10],
        ['ClusterNetworkPolicy/baseline-deny', 'baseline', 1000],
        ['BaselineAdminNetworkPolicy/default', 'baseline', null],
      ],
    );
  });

  test('subjects, file and line, what each selects', () => {
    assert.deepEqual(
      policies.map((p) => [p.kind, p.name, p.subject, p.file, p.line, p.selects]),
      [
        ['AdminNetworkPolicy', 'shop-admin', 'namespaces team=shop', FIXTURE, 85, []],
        ['ClusterNetworkPolicy', 'platform-guardrails', 'pods {} in namespaces team=shop', FIXTURE, 2, []],
        ['ClusterNetworkPolicy', 'baseline-deny', 'namespaces {}', FIXTURE, 71, ['ns/Deployment/x']],
        ['BaselineAdminNetworkPolicy', 'default', 'namespaces {}', FIXTURE, 124, []],
      ],
    );
  });

  test('every kind of peer and port in words', () => {
    const rules = (p: ClusterPolicyJson) => ({ ingress: p.ingress, egress: p.egress });
    assert.deepEqual(rules(policies[0]!), {
      ingress: [
        {
          index: 0,
          name: 'monitoring',
          action: 'allow',
          peers: ['namespaces kubernetes.io/metadata.name=monitoring'],
          ports: 'TCP 9090, port named metrics',
        },
      ],
      egress: [
        {
          index: 0,
          name: null,
          action: 'deny',
          peers: ['pods app=db in namespaces {}'],
          ports: 'UDP 1000-2000',
        },
        { index: 1, name: null, action: 'pass', peers: ['networks 192.168.0.0/16'], ports: 'all ports' },
      ],
    });
    assert.deepEqual(rules(policies[1]!), {
      ingress: [
        {
          index: 0,
          name: 'monitoring',
          action: 'allow',
          peers: ['namespaces kubernetes.io/metadata.name=monitoring'],
          ports: 'TCP 9090',
        },
        { index: 1, name: null, action: 'pass', peers: ['pods app=x in namespaces {}'], ports: 'all ports' },
        { index: 2, name: null, action: 'deny', peers: ['namespaces {}'], ports: 'all ports' },
      ],
      egress: [
        {
          index: 0,
          name: null,
          action: 'allow',
          peers: ['networks 10.0.0.0/8, fd00::/8'],
          ports: 'UDP 53; SCTP 3000-3010',
        },
        {
          index: 1,
          name: null,
          action: 'allow',
          peers: ['domainNames example.com, *.example.org (by DNS name)'],
          ports: 'all ports',
        },
        {
          index: 2,
          name: null,
          action: 'allow',
          peers: ['nodes node-role.kubernetes.io/control-plane='],
          ports: 'all ports',
        },
        {
          index: 3,
          name: null,
          action: 'allow',
          peers: ['pods app=db in namespaces {}'],
          ports: 'port named postgres',
        },
        { index: 4, name: null, action: 'deny', peers: ['networks 0.0.0.0/0'], ports: 'all ports' },
      ],
    });
    assert.deepEqual(rules(policies[3]!), {
      ingress: [],
      egress: [{ index: 0, name: null, action: 'allow', peers: ['nodes {}'], ports: 'TCP 10250' }],
    });
  });

  test('the YAML given, or rebuilt from the state (labels only when there are some)', () => {
    assert.equal(policies[3]!.yaml, 'as: written\n');
    assert.match(
      policies[1]!.yaml,
      /^apiVersion: policy\.networking\.k8s\.io\/v1beta1\nkind: ClusterNetworkPolicy\nmetadata:\n {2}name: platform-guardrails\n {2}labels:\n {4}team: platform\nspec:\n/,
    );
    assert.match(
      policies[2]!.yaml,
      /^apiVersion: policy\.networking\.k8s\.io\/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n {2}name: baseline-deny\nspec:\n {2}tier: Baseline\n/,
    );
  });
});
