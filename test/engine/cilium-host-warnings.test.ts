/**
 * The warnings about Cilium host policies (`src/engine/cilium-host.ts`) with several policies, for what
 * mutation testing (issue #20) found unpinned: plural wording, names cut after three, a pod rule set beside
 * host rule sets, and a host policy with two rule sets of which one selects a Node.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ciliumHostPolicyWarnings } from '../../src/engine/cilium-host.ts';
import { resolveCniProfile } from '../../src/engine/profiles.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { ccnp, cluster, node } from '../support/builders.ts';

const resolved = resolveCniProfile('cilium', ['enable-host-firewall=true']);
if (!resolved.ok) throw new Error(resolved.message);
const FIREWALL = resolved.value;

const host = (name: string, role: string) =>
  ccnp(name, { nodeSelector: { matchLabels: { role } }, ingress: [{}] });
const nodes = [node('n1', { role: 'worker' }, ['192.168.0.1'])];

describe('host policy warnings with several policies', () => {
  test('no Node in the input: plural wording, the names cut after three', () => {
    const four = cluster({ ciliumPolicies: ['a', 'b', 'c', 'd'].map((n) => host(n, 'worker')) });
    assert.deepEqual(ciliumHostPolicyWarnings(four, FIREWALL), [
      'warning: 4 Cilium host policies (nodeSelector: CiliumClusterwideNetworkPolicy/a, CiliumClusterwideNetworkPolicy/b, CiliumClusterwideNetworkPolicy/c and 1 more) select no host: the input has no Node, so netfence does not know the nodes they apply to (add the Nodes, or use --cluster)',
    ]);
    const three = cluster({ ciliumPolicies: ['a', 'b', 'c'].map((n) => host(n, 'worker')) });
    assert.match(
      ciliumHostPolicyWarnings(three, FIREWALL)[0]!,
      /^warning: 3 Cilium host policies \(nodeSelector: CiliumClusterwideNetworkPolicy\/a, CiliumClusterwideNetworkPolicy\/b, CiliumClusterwideNetworkPolicy\/c\) select no host/,
    );
  });

  test('nodeSelectors that select no Node of the input: plural wording', () => {
    const state = cluster({
      nodes,
      ciliumPolicies: [host('a', 'db'), host('b', 'gpu'), host('ok', 'worker')],
    });
    assert.deepEqual(ciliumHostPolicyWarnings(state, FIREWALL), [
      'warning: the Cilium host policies CiliumClusterwideNetworkPolicy/a, CiliumClusterwideNetworkPolicy/b select no Node of the input (nodeSelector is matched against the node labels Cilium keeps: not kubernetes.io/…, k8s.io/… nor topology.kubernetes.io/…)',
    ]);
  });

  test('a policy whose rule sets select pods is no host policy; one host rule set selecting a Node is enough', () => {
    const specs = (name: string, rules: CiliumRule[]) =>
      ciliumPolicyInfo({
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumClusterwideNetworkPolicy',
        metadata: { name },
        specs: rules,
      });
    const pods = specs('pods', [{ endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }]);
    const mixed = specs('mixed', [
      { nodeSelector: { matchLabels: { role: 'db' } }, ingress: [{}] },
      { nodeSelector: { matchLabels: { role: 'worker' } }, ingress: [{}] },
    ]);
    assert.deepEqual(
      ciliumHostPolicyWarnings(cluster({ nodes, ciliumPolicies: [pods, mixed] }), FIREWALL),
      [],
    );
    assert.deepEqual(ciliumHostPolicyWarnings(cluster({ ciliumPolicies: [pods] }), FIREWALL), []);
  });
});
