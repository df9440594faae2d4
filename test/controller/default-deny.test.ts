import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSettings, parseSettings, type ControllerSettings } from '../../src/controller/config.ts';
import { defaultDenyPolicy, isUpToDate, planDefaultDeny } from '../../src/controller/default-deny.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import type { NetworkPolicy } from '../../src/model/k8s.ts';
import { DESIRED_SPEC } from './cluster.ts';

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

const OWNED = { 'app.kubernetes.io/managed-by': 'netfence', 'app.kubernetes.io/component': 'default-deny' };

function policy(
  namespace: string,
  spec: NetworkPolicy['spec'],
  labels?: Record<string, string>,
  name = 'netfence-default-deny',
): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, ...(labels === undefined ? {} : { labels }) },
    spec,
  };
}

function settingsFrom(yaml: string): ControllerSettings {
  const parsed = parseSettings(yaml, defaultSettings('netfence'));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.settings;
}

describe('the default-deny policy', () => {
  test('both directions: every pod of the namespace, egress only to kube-dns on 53/UDP and 53/TCP', () => {
    const p = defaultDenyPolicy('shop', defaultSettings('netfence').defaultDeny)!;
    assert.deepEqual(p.metadata, { name: 'netfence-default-deny', namespace: 'shop', labels: OWNED });
    assert.deepEqual(p.spec, DESIRED_SPEC);
  });

  test('ingress only has no egress rule; egress without DNS denies every egress; off is no policy', () => {
    const base = defaultSettings('netfence').defaultDeny;
    assert.deepEqual(defaultDenyPolicy('a', { ...base, directions: 'ingress' })!.spec, {
      podSelector: {},
      policyTypes: ['Ingress'],
    });
    assert.deepEqual(defaultDenyPolicy('a', { ...base, directions: 'egress', dns: undefined })!.spec, {
      podSelector: {},
      policyTypes: ['Egress'],
    });
    assert.equal(defaultDenyPolicy('a', { ...base, directions: 'off' }), undefined);
  });

  test('a custom DNS target from the settings file', () => {
    const s = settingsFrom(
      'defaultDeny: { directions: egress, dns: { namespace: dns, podLabels: { app: coredns } } }',
    );
    const to = defaultDenyPolicy('a', s.defaultDeny)!.spec.egress![0]!.to![0]!;
    assert.deepEqual(to, {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } },
      podSelector: { matchLabels: { app: 'coredns' } },
    });
  });

  test('up to date whatever the order of keys and extra labels; not when the spec or our label differs', () => {
    const desired = defaultDenyPolicy('a', defaultSettings('netfence').defaultDeny)!;
    const reordered = policy(
      'a',
      JSON.parse(
        JSON.stringify({
          policyTypes: desired.spec.policyTypes,
          egress: desired.spec.egress,
          podSelector: {},
        }),
      ) as NetworkPolicy['spec'],
      { ...OWNED, extra: 'x' },
    );
    assert.ok(isUpToDate(reordered, desired));
    assert.ok(!isUpToDate(policy('a', { ...desired.spec, ingress: [{}] }, OWNED), desired));
    assert.ok(
      !isUpToDate(policy('a', desired.spec, { 'app.kubernetes.io/managed-by': 'netfence' }), desired),
    );
  });
});

describe('planning the default deny', () => {
  const settings = settingsFrom(`excludeNamespaces: [legacy]
excludeNamespaceSelectors: ['netfence.io/default-deny=off']`);
  const desired = (n: string): NetworkPolicy => defaultDenyPolicy(n, settings.defaultDeny)!;

  test('creates where missing, repairs what was edited, leaves up-to-date and excluded namespaces alone', () => {
    const actions = planDefaultDeny(
      [
        ns('new'),
        ns('edited'),
        ns('fine'),
        ns('kube-system'),
        ns('netfence'),
        ns('legacy'),
        ns('opted-out', { 'netfence.io/default-deny': 'off' }),
        policy('edited', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] }, OWNED),
        desired('fine'),
      ],
      settings,
    );
    assert.deepEqual(actions, [
      { kind: 'create', namespace: 'new', policy: desired('new') },
      { kind: 'repair', namespace: 'edited', policy: desired('edited') },
    ]);
  });

  test("never writes someone else's policy of the same name; removes its own where it is no longer wanted", () => {
    const actions = planDefaultDeny(
      [
        ns('hand'),
        ns('opted-out', { 'netfence.io/default-deny': 'off' }),
        policy('hand', { podSelector: {} }, { team: 'x' }),
        desired('opted-out'),
        // A label-less policy of the name in an excluded namespace: not ours, not removed.
        ns('legacy'),
        policy('legacy', { podSelector: {} }),
      ],
      settings,
    );
    assert.deepEqual(actions, [
      { kind: 'not-owned', namespace: 'hand', name: 'netfence-default-deny' },
      {
        kind: 'remove',
        namespace: 'opted-out',
        name: 'netfence-default-deny',
        why: 'excluded by the namespace selector {"matchLabels":{"netfence.io/default-deny":"off"}}',
      },
    ]);
  });

  test('a renamed default deny: the new name is created, the old one (ours) removed', () => {
    const renamed = settingsFrom('defaultDeny: { name: baseline-deny }');
    const actions = planDefaultDeny([ns('a'), desired('a')], renamed);
    assert.deepEqual(
      actions.map((a) => [
        a.kind,
        a.namespace,
        a.kind === 'remove' ? a.name : a.kind === 'create' ? a.policy.metadata.name : '',
      ]),
      [
        ['create', 'a', 'baseline-deny'],
        ['remove', 'a', 'netfence-default-deny'],
      ],
    );
  });

  test('directions off removes every default deny it owns', () => {
    const off = settingsFrom('defaultDeny: { directions: off }');
    assert.deepEqual(
      planDefaultDeny([ns('a'), ns('b'), desired('a')], off).map((a) => [a.kind, a.namespace]),
      [['remove', 'a']],
    );
  });
});
