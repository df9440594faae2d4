/**
 * `diffClusters` and `diffCiliumPolicies` (`src/engine/diff.ts`), for what mutation testing (issue #20) found
 * unpinned: the engine options a diff passes on to each side (host-network pods, the CNI profile), and the
 * fields of a modified Cilium policy (its labels, `spec`, `specs`, and a move from one form to the other).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffCiliumPolicies, diffClusters } from '../../src/engine/diff.ts';
import { cniEngineOptions, resolveCniProfile } from '../../src/engine/profiles.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { formatPath } from '../../src/model/problem.ts';
import { cluster, cnp, cnpCilium, ns, pod, policy } from '../support/builders.ts';

/** `change src -> dst` for every connection change. */
function changes(d: ReturnType<typeof diffClusters>): string[] {
  return d.connections.map((c) => `${c.change} ${c.src} -> ${c.dst}`);
}

describe('diffClusters: the engine options reach both sides', () => {
  const pods = [pod('a', 'web', { app: 'web' }), pod('a', 'host', { app: 'host' }, { hostNetwork: true })];

  test('host-network pods policed: a policy isolating every pod of the namespace isolates them too', () => {
    const before = cluster({ namespaces: [ns('a')], pods });
    const after = cluster({
      namespaces: [ns('a')],
      pods,
      policies: [policy('a', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] })],
    });
    const removedTo = (d: ReturnType<typeof diffClusters>): string[] =>
      changes(d).filter((c) => c.startsWith('removed') && !c.includes('external'));
    assert.deepEqual(removedTo(diffClusters(before, after)), ['removed a/Pod/host -> a/Pod/web']);
    assert.deepEqual(removedTo(diffClusters(before, after, { hostNetworkPods: 'policed' })), [
      'removed a/Pod/host -> a/Pod/web',
      'removed a/Pod/web -> a/Pod/host',
    ]);
  });

  test('a CNI profile: a kind of cluster policy it does not enforce changes nothing', () => {
    const before = cluster({ namespaces: [ns('a')], pods: [pods[0]!, pod('a', 'db', { app: 'db' })] });
    const deny = cnp('deny-all', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: {} },
      ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }],
    });
    const after = { ...before, clusterPolicies: [deny] };
    assert.deepEqual(changes(diffClusters(before, after)), [
      'removed a/Pod/db -> a/Pod/web',
      'removed a/Pod/web -> a/Pod/db',
    ]);
    const calico = resolveCniProfile('calico@3.31');
    assert.ok(calico.ok);
    // Calico 3.31 enforces AdminNetworkPolicies, not ClusterNetworkPolicies (from 3.32).
    assert.deepEqual(changes(diffClusters(before, after, { cni: cniEngineOptions(calico.value).cni })), []);
  });
});

describe('diffCiliumPolicies: the fields of a modified policy', () => {
  const WEB: CiliumRule = { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] };
  const DB: CiliumRule = { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{}] };
  const fields = (
    before: Parameters<typeof diffCiliumPolicies>[0],
    after: Parameters<typeof diffCiliumPolicies>[1],
  ) =>
    diffCiliumPolicies(before, after).map(
      (c) => `${c.change} ${c.id}: ${c.fields.map(formatPath).join(' ')}`,
    );
  const labelled = (labels: Record<string, string>) =>
    ciliumPolicyInfo({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'a', labels },
      spec: WEB,
    });
  const withSpecs = (specs: CiliumRule[]) =>
    ciliumPolicyInfo({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'a' },
      specs,
    });

  test('the same content in another object: no change', () => {
    assert.deepEqual(fields([cnpCilium('a', 'web', WEB)], [cnpCilium('a', 'web', structuredClone(WEB))]), []);
  });

  test('labels, spec and specs, each by its path', () => {
    assert.deepEqual(fields([labelled({ team: 'x' })], [labelled({ team: 'y' })]), [
      'modified CiliumNetworkPolicy/a/web: metadata.labels.team',
    ]);
    assert.deepEqual(fields([cnpCilium('a', 'web', WEB)], [cnpCilium('a', 'web', DB)]), [
      'modified CiliumNetworkPolicy/a/web: spec.endpointSelector.matchLabels.app',
    ]);
    assert.deepEqual(fields([withSpecs([WEB, WEB])], [withSpecs([WEB, DB])]), [
      'modified CiliumNetworkPolicy/a/web: specs[1].endpointSelector.matchLabels.app',
    ]);
  });

  test('from spec to specs: both fields', () => {
    assert.deepEqual(fields([cnpCilium('a', 'web', WEB)], [withSpecs([WEB])]), [
      'modified CiliumNetworkPolicy/a/web: spec specs',
    ]);
  });
});
