/**
 * no-cilium-l7-shadowed-by-l4 with an L7 rule whose peer is every identity: `fromEntities: [all]`, or a rule of
 * `toPorts` alone (no peer field: every peer). The finding names the outside as `any address`; the address
 * classes it lists are the address space's, and nothing else (issue #20, round 15: `src/engine/cilium.ts` gave
 * such a peer a junk address id beside `everything: true`, and the rule then failed to describe its addresses).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/lint/rules/no-cilium-l7-shadowed-by-l4.ts';
import { deploy, docs, ns, yaml } from './helpers.ts';
import { findingsOf } from './rule-details.ts';
import { referenceRule } from './l7-shadowed-reference.ts';

const base = docs(ns('shop'), deploy('shop', 'web'), deploy('shop', 'api'));

/** web's ingress: the L7 entry `l7` (a rule's fields) on 80, and an L4 allow of every identity on 80. */
function webIngress(l7: string): string {
  return docs(
    base,
    yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: web, namespace: shop}
  spec:
    endpointSelector: {matchLabels: {app: web}}
    ingress:
      - fromEntities: [all]
        toPorts: [{ports: [{port: "80", protocol: TCP}]}]
      - ${l7}toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules: {http: [{method: GET}]}
`,
  );
}

/** The messages of the rule's findings on `text`, after checking them against explaining every pair. */
function messages(text: string): string[] {
  const found = findingsOf(rule, text);
  assert.deepEqual(found, findingsOf(referenceRule, text));
  return found.map((f) => f.message);
}

const shadowedByAll =
  'The L7 (http) rules of this ingress entry have no effect for shop/api, shop/web and any address on 80/TCP: CiliumNetworkPolicy/shop/web spec.ingress[0] allows the same peer and port at L4 alone, so Cilium does not filter it at L7; narrow that allow, or give it the same L7 rules';

test('an L7 rule from every entity (all), shadowed by an L4 allow from all: every workload and any address', () => {
  assert.deepEqual(messages(webIngress('fromEntities: [all]\n        ')), [shadowedByAll]);
});

test('an L7 rule of toPorts alone (every peer), shadowed by an L4 allow from all: every workload and any address', () => {
  assert.deepEqual(messages(webIngress('')), [shadowedByAll]);
});
