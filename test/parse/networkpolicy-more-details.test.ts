/**
 * NetworkPolicies (src/parse/validate/networkpolicy.ts) through the public reader, the cases the survivors of
 * round 7's mutation run showed missing from networkpolicy-details.test.ts: the object's own fields, a null or
 * non-mapping spec, paths of peer selectors and except lists, an empty destination, ports of the wrong type or
 * null with and without endPort, policyTypes item by item, and the spec kept without absent fields (issue #20,
 * docs/mutation/parse.md "src/parse/validate: the five files under 80%").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { load, yaml } from './helpers.ts';

/** Every problem of a text (errors, then warnings), as the CLI prints it, with its code. */
function lines(text: string): string[] {
  const r = load(text);
  return [...r.errors, ...r.warnings].map((p) => `${formatProblem(p)} [${p.code}]`);
}

describe('networkpolicy', () => {
  test('the object and its spec: unknown fields, a null spec, a spec that is not a mapping', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n1}
        status: {}
        other: 1
        spec: {podSelector: {}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n2}
        spec: null
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n3}
        spec: 5
      `),
      [
        'policies.yaml:16:1 spec: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:5:1 warning: other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: apiVersion, kind, metadata, spec, status [unknown-field]',
        'policies.yaml:11:1 warning: spec: is missing: the policy then selects every pod of its namespace and denies all their ingress. Write "spec: {podSelector: {}}" if that is what you mean [missing-spec]',
      ],
    );
  });

  test('peers: selectors and ipBlocks at their paths; an empty destination', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n4}
        spec:
          podSelector: {}
          ingress:
            - from: [{podSelector: 5}, {namespaceSelector: 6}, {ipBlock: {cidr: 10.0.0.0/8, except: 5}}, {ipBlock: {cidr: 10.0.0.0/8, except: [x]}}]
          egress:
            - to: [{}]
      `),
      [
        'policies.yaml:7:15 spec.ingress[0].from[0].podSelector: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:7:33 spec.ingress[0].from[1].namespaceSelector: must be a mapping (key: value), got 6 [wrong-type]',
        'policies.yaml:7:85 spec.ingress[0].from[2].ipBlock.except: must be a list, got 5 [wrong-type]',
        'policies.yaml:7:136 spec.ingress[0].from[3].ipBlock.except[0]: "x" is not a CIDR: it is not an IPv4 or IPv6 address [invalid-cidr]',
        'policies.yaml:9:12 spec.egress[0].to[0]: must set podSelector, namespaceSelector or ipBlock, got an empty peer: to allow all destinations, remove "to"; for every pod in every namespace, use "namespaceSelector: {}" [invalid-peer]',
      ],
    );
  });

  test('ports: port of the wrong type, null, with endPort', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n5}
        spec:
          podSelector: {}
          ingress:
            - ports: [{port: true}, {port: null}, {port: null, endPort: 5}, {port: 80, endPort: 80}, {port: 80, endPort: 79}, {port: 1.5}, {port: http, endPort: 90}]
      `),
      [
        'policies.yaml:7:16 spec.ingress[0].ports[0].port: must be an integer or a port name, got true [wrong-type]',
        'policies.yaml:7:56 spec.ingress[0].ports[2].endPort: requires port: set port to the first port of the range (endPort is 5) [invalid-end-port]',
        'policies.yaml:7:105 spec.ingress[0].ports[4].endPort: must be ≥ port (80), got 79 [invalid-end-port]',
        'policies.yaml:7:120 spec.ingress[0].ports[5].port: must be an integer or a port name, got 1.5 [wrong-type]',
        'policies.yaml:7:145 spec.ingress[0].ports[6].endPort: cannot be used with a named port ("http"): use a port number [invalid-end-port]',
      ],
    );
  });

  test('policyTypes', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n6}
        spec:
          podSelector: {}
          policyTypes: 5
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n7}
        spec:
          podSelector: {}
          policyTypes: [null, 5]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n8}
        spec:
          podSelector: {}
          policyTypes: [Ingress, Ingress]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n9}
        spec:
          podSelector: {}
          policyTypes: [Ingress, Egress, Ingress]
      `),
      [
        'policies.yaml:6:3 spec.policyTypes: must be a list, got 5 [wrong-type]',
        'policies.yaml:13:17 spec.policyTypes[0]: "" is not a policy type: use "Ingress" or "Egress" [invalid-policy-type]',
        'policies.yaml:13:23 spec.policyTypes[1]: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:27:3 spec.policyTypes: may not have more than 2 values, got 3: use "Ingress", "Egress" or both [invalid-policy-type]',
        'policies.yaml:20:26 warning: spec.policyTypes[1]: "Ingress" is listed twice: remove the duplicate [duplicate-policy-type]',
      ],
    );
  });
});

describe('except entries of an invalid cidr', () => {
  test('are not compared with it', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: n}
        spec:
          podSelector: {}
          ingress:
            - from: [{ipBlock: {cidr: x, except: [10.0.0.0/8]}}]
      `),
      [
        'policies.yaml:7:25 spec.ingress[0].from[0].ipBlock.cidr: "x" is not a CIDR: it is not an IPv4 or IPv6 address [invalid-cidr]',
      ],
    );
  });
});

describe('what is kept', () => {
  test('the spec without the fields not written (no podSelector, peers with only what they set)', () => {
    const r = load(yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: k}
      spec:
        ingress:
          - from: [{namespaceSelector: {}}, {podSelector: {matchLabels: {a: b}}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
            ports: [{port: 80, endPort: 81}, {port: http}]
        egress:
          - to: [{namespaceSelector: {}, podSelector: {}}]
    `);
    assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
    assert.deepEqual(r.state.policies[0]!.spec, {
      ingress: [
        {
          from: [
            { namespaceSelector: {} },
            { podSelector: { matchLabels: { a: 'b' } } },
            { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
          ],
          ports: [{ port: 80, endPort: 81 }, { port: 'http' }],
        },
      ],
      egress: [{ to: [{ podSelector: {}, namespaceSelector: {} }] }],
    });
  });
});
