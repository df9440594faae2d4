/**
 * no-unenforced-endport beyond its table (test/lint/rules/no-unenforced-endport.ts): when the message cites
 * the Cilium issue (the version chose the reading, not an `endport=` override), when it advises an upgrade
 * (Cilium before 1.16 only), what an `endport=` override on a Cilium ≥ 1.16 says instead of the version, and
 * that CiliumNetworkPolicies are checked under Cilium only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/no-unenforced-endport.ts';
import { cniEngine as cni, deploy, docs, ns, yaml } from './helpers.ts';
import { findingsOf } from './rule-details.ts';

const input = docs(
  ns('data'),
  deploy('data', 'postgres'),
  yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: scrape, namespace: data}
    spec:
      podSelector: {}
      ingress:
        - ports:
            - port: 9100
              endPort: 9199
  `,
  yaml`
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: {name: scrape, namespace: data}
    spec:
      endpointSelector: {}
      ingress:
        - toPorts:
            - ports:
                - port: "9100"
                  endPort: 9199
                  protocol: TCP
  `,
);
const np = '32 data/NetworkPolicy/scrape spec.ingress[0].ports[0].endPort';
const cnp = '43 data/CiliumNetworkPolicy/scrape spec.ingress[0].toPorts[0].ports[0].endPort';

test('an older Cilium with an override of another setting: the issue is cited', () => {
  assert.deepEqual(findingsOf(rule, input, { engine: cni('cilium@1.14', ['sctp=false']) }), [
    {
      at: np,
      message:
        'endPort 9199 is ignored by cilium@1.14 (sctp=false) (cilium#28684): the rule allows only port 9100; list the ports one by one or run Cilium ≥ 1.16',
      workloads: [],
    },
    {
      at: cnp,
      message:
        'endPort 9199: the CiliumNetworkPolicy CRD of cilium@1.14 (sctp=false) has no endPort (it came with Cilium 1.16), so the API server drops it and the rule allows only port 9100; list the ports one by one or run Cilium ≥ 1.16',
      workloads: [],
    },
  ]);
});

test('Cilium with endport= given: the override, not the version, chose the reading: no issue cited', () => {
  const found = findingsOf(rule, input, { engine: cni('cilium@1.16', ['endport=first-port']) });
  assert.deepEqual(
    found.map((f) => [f.at, f.message]),
    [
      [
        np,
        'endPort 9199 is ignored by cilium@1.16 (endport=first-port): the rule allows only port 9100; list the ports one by one',
      ],
      [
        cnp,
        'endPort 9199: under cilium@1.16 (endport=first-port) the endport=first-port override governs Cilium policies too: their endPort is read as dropped (as by the CRD before Cilium 1.16), so the rule allows only port 9100; list the ports one by one, or drop the override if this Cilium enforces port ranges',
      ],
    ],
  );
});

test('an override on a Cilium before 1.16: the version still explains the CRD and the upgrade advice holds', () => {
  // Cilium 1.14 with the backport of cilium#28704 (docs/cni.md): the override chose the NetworkPolicy reading,
  // the version the CRD's.
  assert.deepEqual(
    findingsOf(rule, input, { engine: cni('cilium@1.14', ['endport=policy-ignored']) }).map((f) => [
      f.at,
      f.message,
    ]),
    [
      [
        np,
        'endPort 9199: cilium@1.14 (endport=policy-ignored) does not enforce NetworkPolicies with endPort, so this whole policy is left out and the pods it selects are not isolated by it; drop endPort or run Cilium ≥ 1.16',
      ],
      [
        cnp,
        'endPort 9199: the CiliumNetworkPolicy CRD of cilium@1.14 (endport=policy-ignored) has no endPort (it came with Cilium 1.16), so the API server drops it and the rule allows only port 9100; list the ports one by one or run Cilium ≥ 1.16',
      ],
    ],
  );
});

test('a newer Cilium, the version assumed, with the last endport= override named', () => {
  assert.deepEqual(
    findingsOf(rule, input, { engine: cni('cilium', ['endport=first-port', 'endport=policy-ignored']) }).map(
      (f) => f.message,
    ),
    [
      'endPort 9199: cilium (endport=first-port, endport=policy-ignored) does not enforce NetworkPolicies with endPort, so this whole policy is left out and the pods it selects are not isolated by it; drop endPort',
      'endPort 9199: under cilium (endport=first-port, endport=policy-ignored) the endport=policy-ignored override governs Cilium policies too: their endPort is read as dropped (as by the CRD before Cilium 1.16), so the rule allows only port 9100; list the ports one by one, or drop the override if this Cilium enforces port ranges',
    ],
  );
});

test('another CNI: no issue, no upgrade advice, and its CiliumNetworkPolicies are not looked at', () => {
  assert.deepEqual(findingsOf(rule, input, { engine: cni('calico', ['endport=first-port']) }), [
    {
      at: np,
      message:
        'endPort 9199 is ignored by calico (endport=first-port): the rule allows only port 9100; list the ports one by one',
      workloads: [],
    },
  ]);
  assert.deepEqual(
    findingsOf(rule, input, { engine: cni('calico', ['endport=policy-ignored']) }).map((f) => f.message),
    [
      'endPort 9199: calico (endport=policy-ignored) does not enforce NetworkPolicies with endPort, so this whole policy is left out and the pods it selects are not isolated by it; drop endPort',
    ],
  );
});

test('another CNI at a version below 1.16: still no upgrade advice (it is about Cilium)', () => {
  assert.deepEqual(
    findingsOf(rule, input, { engine: cni('antrea@1.0', ['endport=first-port']) }).map((f) => f.message),
    [
      'endPort 9199 is ignored by antrea@1.0 (endport=first-port): the rule allows only port 9100; list the ports one by one',
    ],
  );
});

test('a newer Cilium with endport= and another override: the endport= one is named', () => {
  assert.deepEqual(
    findingsOf(rule, input, { engine: cni('cilium@1.16', ['endport=first-port', 'sctp=false']) })
      .map((f) => f.message)
      .filter((m) => m.includes('override')),
    [
      'endPort 9199: under cilium@1.16 (endport=first-port, sctp=false) the endport=first-port override governs Cilium policies too: their endPort is read as dropped (as by the CRD before Cilium 1.16), so the rule allows only port 9100; list the ports one by one, or drop the override if this Cilium enforces port ranges',
    ],
  );
});
