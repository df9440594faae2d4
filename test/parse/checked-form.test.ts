/**
 * The checked form of a NetworkPolicy spec and of labels, key order included: a value read that is already in
 * its checked form is kept as it is (issue #18, round 10), anything else is copied in the checks' order, nulls
 * dropped. The JSON text is compared, so that a value kept in the order written where the checks write
 * another order would fail.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { load, policy } from './helpers.ts';

/** The JSON of the spec of the one policy of `spec`, which must read without a problem. */
function specJson(spec: string): string {
  const r = load(policy(spec));
  assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
  assert.equal(r.state.policies.length, 1);
  return JSON.stringify(r.state.policies[0]!.spec);
}

describe('the checked form of a NetworkPolicy spec', () => {
  test('written in the checks order: the same', () => {
    assert.equal(
      specJson(
        'podSelector: {matchLabels: {b: "1", a: "2"}}\n' +
          'ingress:\n- from: [{podSelector: {}, namespaceSelector: {matchLabels: {x: w}}}]\n' +
          '  ports: [{protocol: UDP, port: 53}, {port: http}, {}]\n- {}\n' +
          'egress: []\npolicyTypes: [Ingress, Egress]',
      ),
      '{"podSelector":{"matchLabels":{"b":"1","a":"2"}},"ingress":[{"from":[{"podSelector":{},"namespaceSelector":{"matchLabels":{"x":"w"}}}],"ports":[{"protocol":"UDP","port":53},{"port":"http"},{}]},{}],"egress":[],"policyTypes":["Ingress","Egress"]}',
    );
  });

  test('written in another order: the checks order (spec, rules, peers, ports, selectors), labels as written', () => {
    assert.equal(
      specJson(
        'policyTypes: [Egress]\n' +
          'egress:\n- ports: [{port: 53, protocol: UDP}]\n' +
          '  to: [{namespaceSelector: {matchLabels: {z: "1", a: "1"}}, podSelector: {matchLabels: {k8s-app: dns}}}]\n' +
          'podSelector: {matchExpressions: [{key: app, operator: Exists}], matchLabels: {tier: web}}',
      ),
      '{"podSelector":{"matchLabels":{"tier":"web"},"matchExpressions":[{"key":"app","operator":"Exists"}]},"egress":[{"to":[{"podSelector":{"matchLabels":{"k8s-app":"dns"}},"namespaceSelector":{"matchLabels":{"z":"1","a":"1"}}}],"ports":[{"protocol":"UDP","port":53}]}],"policyTypes":["Egress"]}',
    );
  });

  test('in the checks order with a null: the null dropped, at every level', () => {
    assert.equal(
      specJson('podSelector: {}\ningress: null\npolicyTypes: [Ingress]'),
      '{"podSelector":{},"policyTypes":["Ingress"]}',
    );
    assert.equal(specJson('podSelector: {matchLabels: null}'), '{"podSelector":{}}');
    assert.equal(
      specJson(
        'podSelector: {}\ningress:\n- from: [{podSelector: {}, namespaceSelector: null}]\n  ports: null',
      ),
      '{"podSelector":{},"ingress":[{"from":[{"podSelector":{}}]}]}',
    );
    assert.equal(
      specJson('podSelector: {}\negress:\n- to: null\n  ports: [{protocol: TCP, port: null}]'),
      '{"podSelector":{},"egress":[{"ports":[{"protocol":"TCP"}]}]}',
    );
    assert.equal(specJson('podSelector: {}\negress:\n- null'), '{"podSelector":{},"egress":[{}]}');
  });

  test('an ipBlock and an endPort in the checks order: the same', () => {
    assert.equal(
      specJson(
        'podSelector: {}\negress:\n- to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n  ports: [{protocol: TCP, port: 80, endPort: 90}]',
      ),
      '{"podSelector":{},"egress":[{"to":[{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.1.0.0/16"]}}],"ports":[{"protocol":"TCP","port":80,"endPort":90}]}]}',
    );
  });

  test('labels of an object and of a pod template: as written, numeric keys first as in any mapping', () => {
    const r = load(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels: {b: "1", a: "2", "7": x}\n---\n' +
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ns\n  labels: {z: w, "7": x}\n' +
        'spec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n      labels: {app: web, c: d}\n' +
        '    spec:\n      containers: [{name: web, image: nginx}]\n',
    );
    assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
    assert.equal(
      JSON.stringify(r.state.namespaces.map((n) => n.labels)),
      '[{"7":"x","b":"1","a":"2","kubernetes.io/metadata.name":"ns"}]',
    );
    assert.equal(JSON.stringify(r.state.workloads.map((w) => w.labels)), '[{"app":"web","c":"d"}]');
    assert.equal(JSON.stringify(r.state.pods.map((p) => p.labels)), '[{"app":"web","c":"d"}]');
  });
});

describe('objects defined twice, looked up by kind, namespace and name', () => {
  const np = (namespace: string, name: string): string =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec: {podSelector: {}}\n`;
  const duplicates = (text: string): string[] =>
    load(text)
      .errors.filter((p) => p.code === 'duplicate-object')
      .map(formatProblem);

  test('the same kind, namespace and name: defined twice; another namespace or kind: not', () => {
    assert.deepEqual(
      duplicates(`${np('a', 'b')}---\n${np('a', 'b').replace('{}}', '{matchLabels: {x: z}}}')}`),
      [
        'policies.yaml:11:3 metadata.name: NetworkPolicy "a/b" is defined twice: first at policies.yaml:1:1. Keep one definition',
      ],
    );
    assert.deepEqual(duplicates(`${np('a', 'b')}---\n${np('c', 'b')}---\n${np('b', 'a')}`), []);
    assert.deepEqual(
      duplicates(
        `${np('a', 'b')}---\napiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: a}\nspec: {ports: [{port: 80}]}\n`,
      ),
      [],
    );
  });

  test('a namespace or name with a slash: by the whole key, as before (namespace a/b and name c is a, b/c)', () => {
    assert.deepEqual(duplicates(`${np('a/b', 'c')}---\n${np('a', 'b/c')}`), [
      'policies.yaml:11:3 metadata.name: NetworkPolicy "a/b/c" is defined twice: first at policies.yaml:1:1. Keep one definition',
    ]);
  });
});
