import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../../src/lint/rules/no-policy-selecting-host-network.ts';
import { lint } from '../../../src/lint/run.ts';
import { buildClusterState, parseManifestText } from '../../../src/parse/index.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(
  ns('mon'),
  deploy('mon', 'agent', { labels: { team: 'mon' }, hostNetwork: true }),
  deploy('mon', 'prom', { labels: { team: 'mon' } }),
);
const policy = (selector: string): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: p, namespace: mon}
  spec:
    podSelector: ${selector}
    policyTypes: [Ingress]
`;

ruleTester(rule, {
  valid: [
    {
      name: 'a selector that matches only ordinary pods',
      yaml: docs(base, policy('{matchLabels: {app: prom}}')),
    },
    {
      // Read exempt, it selects nothing: no-policy-selecting-nothing reports it.
      name: 'a selector that matches only host-network pods',
      yaml: docs(base, policy('{matchLabels: {app: agent}}')),
    },
  ],
  invalid: [
    {
      name: 'a selector that matches host-network pods and others',
      yaml: docs(base, policy('{matchLabels: {team: mon}}  # <-')),
      messageIds: ['exempt'],
      messages: [
        [
          'podSelector team=mon also matches host-network pods (mon/agent): most CNIs do not police host-network pods, so the policy has no effect on them (netfence reads it so; --host-network-pods policed if your CNI polices them)',
        ],
      ],
    },
    {
      name: 'an empty selector',
      yaml: docs(base, policy('{}  # <-')),
      messageIds: ['exempt'],
      messages: [
        [
          'podSelector {} also matches host-network pods (mon/agent): most CNIs do not police host-network pods, so the policy has no effect on them (netfence reads it so; --host-network-pods policed if your CNI polices them)',
        ],
      ],
    },
  ],
});

test('no-policy-selecting-host-network with --host-network-pods policed reports every such policy', () => {
  const text = docs(base, policy('{matchLabels: {app: agent}}'));
  const parsed = parseManifestText(text, 'test.yaml');
  const { state } = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
  const run = (hostNetworkPods: 'exempt' | 'policed'): string[] =>
    lint(
      { state, sources: parsed.objects, engine: { ipBlockMatchesPods: true, hostNetworkPods } },
      { rules: [rule] },
    ).findings.map((f) => f.message);
  assert.deepEqual(run('exempt'), []);
  assert.deepEqual(run('policed'), [
    'podSelector app=agent matches host-network pods (mon/agent): netfence applies the policy to them (--host-network-pods policed), but most CNIs do not police host-network pods, so on most clusters it has no effect on them',
  ]);
});
