/**
 * no-cilium-l7-shadowed-by-l4 explains the peers of an L7 entry in groups that read alike (since round 14);
 * before, it explained every (selected pod, peer) pair. Its findings must be the same, byte for byte: random
 * Cilium policy sets (test/support/cilium-arbitraries.ts: NetworkPolicies, named ports, nodes, host-network
 * pods, entities, CIDRs, deny rules, L7 rules of every kind) are linted by both methods, the per-pair one
 * kept in test/lint/l7-shadowed-reference.ts. Seeded: every run sees the same inputs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import rule from '../../src/lint/rules/no-cilium-l7-shadowed-by-l4.ts';
import { referenceRule } from './l7-shadowed-reference.ts';
import { stateFindingsOf } from './rule-details.ts';
import { NAMESPACES, ciliumClusterArb } from '../support/cilium-arbitraries.ts';
import { ccnp, cnpCilium, node, policy } from '../support/builders.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { LabelSelector, NetworkPolicyPeer } from '../../src/model/k8s.ts';

const NUM_RUNS = Number(process.env['NETFENCE_CILIUM_RUNS'] ?? 150);

/**
 * Rule sets aimed at this rule: allow rules with and without L7 rules on a few shared ports (numbers, a named
 * port, TCP, UDP and ANY), wide and narrow peers (every pod of the namespace, labels, entities, CIDRs with
 * excepts, nodes, no peer field), deny rules, and endpoint selectors of a label, a namespace or every pod.
 */
const PORTS = ['80', '8080', 'http', '53'];
const portsArb = fc.array(
  fc.record({ port: fc.constantFrom(...PORTS), protocol: fc.constantFrom('TCP', 'ANY', 'UDP') }),
  { minLength: 1, maxLength: 2 },
);
function peerArb(dir: 'from' | 'to') {
  return fc.constantFrom<Record<string, unknown>>(
    {},
    { [`${dir}Endpoints`]: [{}] },
    { [`${dir}Endpoints`]: [{ matchLabels: { app: 'x' } }] },
    { [`${dir}Endpoints`]: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'b' } }] },
    { [`${dir}Endpoints`]: [{ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['y'] }] }] },
    { [`${dir}Entities`]: ['cluster'] },
    { [`${dir}Entities`]: ['all'] },
    { [`${dir}Entities`]: ['world'] },
    { [`${dir}Entities`]: ['host', 'remote-node'] },
    { [`${dir}Entities`]: ['host'] },
    { [`${dir}Entities`]: ['remote-node'] },
    { [`${dir}CIDR`]: ['0.0.0.0/0'] },
    { [`${dir}CIDR`]: ['10.0.1.0/24', 'fd00::/64'] },
    { [`${dir}CIDRSet`]: [{ cidr: '10.0.0.0/16', except: ['10.0.1.0/28'] }] },
    { [`${dir}Nodes`]: [{ matchLabels: { role: 'worker' } }] },
  );
}
function allowArb(dir: 'from' | 'to') {
  return fc
    .tuple(peerArb(dir), fc.option(portsArb, { nil: undefined }), fc.constantFrom('none', 'http', 'dns'))
    .map(([peer, ports, l7]) => ({
      ...peer,
      ...(ports === undefined
        ? {}
        : {
            toPorts: [
              {
                ports,
                ...(l7 === 'http' ? { rules: { http: [{ method: 'GET' }] } } : {}),
                ...(l7 === 'dns' ? { rules: { dns: [{ matchPattern: '*' }] } } : {}),
              },
            ],
          }),
    }));
}
function denyArb(dir: 'from' | 'to') {
  return fc.tuple(peerArb(dir), portsArb).map(([peer, ports]) => ({ ...peer, toPorts: [{ ports }] }));
}
const shadowingRuleSetArb: fc.Arbitrary<CiliumRule> = fc
  .tuple(
    fc.constantFrom<LabelSelector>(
      {},
      { matchLabels: { app: 'x' } },
      { matchLabels: { team: 'y' } },
      { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'a' } },
    ),
    fc.array(allowArb('from'), { maxLength: 3 }),
    fc.array(allowArb('to'), { maxLength: 3 }),
    fc.array(denyArb('from'), { maxLength: 1 }),
    fc.array(denyArb('to'), { maxLength: 1 }),
  )
  .map(([endpointSelector, ingress, egress, ingressDeny, egressDeny]) => ({
    endpointSelector,
    ...(ingress.length === 0 ? {} : { ingress }),
    ...(egress.length === 0 ? {} : { egress }),
    ...(ingressDeny.length === 0 ? {} : { ingressDeny }),
    ...(egressDeny.length === 0 ? {} : { egressDeny }),
  }));
/** 1–4 of them, named apart from `ciliumClusterArb`'s policies. */
const moreArb = fc
  .array(fc.tuple(fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }), shadowingRuleSetArb), {
    minLength: 1,
    maxLength: 4,
  })
  .map((list) =>
    list.map(([namespace, spec], i) =>
      namespace === undefined ? ccnp(`more${i}`, spec) : cnpCilium(namespace, `more${i}`, spec),
    ),
  );

/**
 * NetworkPolicies on the same ports, from and to peers that overlap (labels, namespaces, addresses), so that
 * two peers can be allowed the same port by different rules.
 */
const npPeerArb = fc.constantFrom<NetworkPolicyPeer>(
  { podSelector: { matchLabels: { app: 'x' } } },
  { podSelector: { matchLabels: { app: 'y' } } },
  { podSelector: {} },
  { namespaceSelector: {} },
  { namespaceSelector: { matchLabels: { team: 'x' } }, podSelector: { matchLabels: { team: 'y' } } },
  { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/28'] } },
  { ipBlock: { cidr: '0.0.0.0/0' } },
);
const npRuleArb = fc
  .tuple(
    fc.array(npPeerArb, { maxLength: 2 }),
    fc.array(fc.constantFrom<string | number>(80, 8080, 'http', 53), { maxLength: 2 }),
  )
  .map(([peers, ports]) => ({ peers, ports: ports.map((port) => ({ port })) }));
const networkPoliciesArb = fc
  .array(
    fc.tuple(
      fc.constantFrom(...NAMESPACES),
      fc.constantFrom<LabelSelector>({}, { matchLabels: { app: 'x' } }, { matchLabels: { team: 'y' } }),
      fc.array(npRuleArb, { maxLength: 2 }),
      fc.array(npRuleArb, { maxLength: 2 }),
    ),
    { maxLength: 3 },
  )
  .map((list) =>
    list.map(([namespace, podSelector, ingress, egress], i) =>
      policy(namespace, `l4-${i}`, {
        podSelector,
        policyTypes: ['Ingress', 'Egress'],
        ingress: ingress.map((r) => ({ from: r.peers, ports: r.ports })),
        egress: egress.map((r) => ({ to: r.peers, ports: r.ports })),
      }),
    ),
  );

test('random Cilium policy sets: the grouped method finds what explaining every pair finds (property)', () => {
  let withFindings = 0;
  fc.assert(
    fc.property(ciliumClusterArb, moreArb, networkPoliciesArb, fc.nat(), (state, more, policies, seed) => {
      // Two more Nodes with an address each (on odd seeds), and pods on the nodes (round the list, some on
      // none), so that `host` and `remote-node` read per node.
      const nodes =
        seed % 2 === 0
          ? state.nodes
          : [
              ...state.nodes,
              node('m0', { role: 'worker' }, ['192.168.9.1']),
              node('m1', {}, ['192.168.9.2']),
            ];
      const pods = state.pods.map((p, i) => {
        const node = nodes[(seed + i) % (nodes.length + 1)];
        return node === undefined ? p : { ...p, nodeName: node.name };
      });
      const input = {
        ...state,
        pods,
        nodes,
        policies: [...state.policies, ...policies],
        ciliumPolicies: [...state.ciliumPolicies, ...more],
      };
      const expected = stateFindingsOf(referenceRule, input);
      assert.deepEqual(stateFindingsOf(rule, input), expected);
      if (expected.length > 0) withFindings++;
    }),
    { numRuns: NUM_RUNS, seed: 1407 },
  );
  // Not vacuous: many of the inputs have findings.
  assert.ok(withFindings >= NUM_RUNS / 10, `${withFindings} of ${NUM_RUNS} inputs with findings`);
});
