/**
 * ClusterNetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy specs (src/parse/validate/
 * clusterpolicy.ts) through the public reader: each problem in words, with its path, line, column and code
 * (the spec, tier, priority and subject of each kind, rule lists and their limits, names, actions and the
 * other kind's word for them, peers and their v0.1.x forms, networks and domain names, protocols and ports).
 * Written from the survivors of a mutation run on the file (issue #20, docs/mutation/parse.md "src/parse/validate:
 * the five files under 80%").
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

describe('specs', () => {
  test('metadata is required, the article following the kind', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        spec: {priority: 1, subject: {namespaces: {}}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        spec: {subject: {namespaces: {}}}
      `),
      [
        'policies.yaml:1:1 metadata: is required: an AdminNetworkPolicy needs metadata.name [missing-field]',
        'policies.yaml:5:1 metadata: is required: a BaselineAdminNetworkPolicy needs metadata.name [missing-field]',
      ],
    );
  });
  test('a spec is required, with the fields of each kind', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p1}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p2}
        other: 1
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p4}
        spec: null
      `),
      [
        'policies.yaml:1:1 spec: Required value: a ClusterNetworkPolicy needs a spec (subject, tier, priority, ingress and/or egress rules) [missing-field]',
        'policies.yaml:5:1 spec: Required value: an AdminNetworkPolicy needs a spec (subject, priority, ingress and/or egress rules) [missing-field]',
        'policies.yaml:10:1 spec: Required value: a BaselineAdminNetworkPolicy needs a spec (subject, ingress and/or egress rules) [missing-field]',
        'policies.yaml:17:1 spec: Required value: a ClusterNetworkPolicy needs a spec (subject, tier, priority, ingress and/or egress rules) [missing-field]',
        'policies.yaml:8:1 warning: other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: apiVersion, kind, metadata, spec, status [unknown-field]',
      ],
    );
  });

  test('a spec that is not a mapping; fields of another kind are unknown', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p5}
        spec: 5
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p6}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: {}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default}
        spec:
          priority: 1
          subject: {namespaces: {}}
      `),
      [
        'policies.yaml:4:1 spec: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:10:3 warning: spec.tier: unknown field "tier": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: priority, subject, ingress, egress [unknown-field]',
        'policies.yaml:18:3 warning: spec.priority: unknown field "priority": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: subject, ingress, egress [unknown-field]',
      ],
    );
  });

  test('tier and priority', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p8}
        spec:
          tier: null
          priority: null
          subject: {namespaces: {}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p9}
        spec:
          tier: 5
          priority: x
          subject: {namespaces: {}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p10}
        spec:
          tier: NetworkPolicy
          priority: -1
          subject: {namespaces: {}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p11}
        spec:
          tier: admin
          priority: 1001
          subject: {namespaces: {}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p12}
        spec:
          tier: Baseline
          priority: 1000
          subject: {namespaces: {}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p13}
        spec:
          priority: 0
          subject: {namespaces: {}}
      `),
      [
        'policies.yaml:5:3 spec.tier: Required value: set tier: Admin (before NetworkPolicies) or Baseline (after them) [missing-field]',
        'policies.yaml:6:3 spec.priority: Required value: set a priority from 0 (evaluated first) to 1000 (last) [missing-field]',
        'policies.yaml:13:3 spec.tier: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:14:3 spec.priority: must be an integer, got "x" [wrong-type]',
        'policies.yaml:21:3 spec.tier: Unsupported value: "NetworkPolicy": supported values: "Admin", "Baseline" (the NetworkPolicy tier is where networking.k8s.io/v1 NetworkPolicies act) [unsupported-value]',
        'policies.yaml:22:3 spec.priority: Invalid value: -1: spec.priority in body should be greater than or equal to 0. Use a priority from 0 (evaluated first) to 1000 (last) [out-of-range]',
        'policies.yaml:29:3 spec.tier: Unsupported value: "admin": supported values: "Admin", "Baseline". Did you mean "Admin"? [unsupported-value]',
        'policies.yaml:30:3 spec.priority: Invalid value: 1001: spec.priority in body should be less than or equal to 1000. Use a priority from 0 (evaluated first) to 1000 (last) [out-of-range]',
      ],
    );
  });

  test('subjects', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p14}
        spec:
          tier: Admin
          priority: 1
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p15}
        spec:
          tier: Admin
          priority: 1
          subject: null
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p16}
        spec:
          tier: Admin
          priority: 1
          subject: 5
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p17}
        spec:
          tier: Admin
          priority: 1
          subject: {other: 1}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p18}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: null}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p19}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: {}, pods: {podSelector: {}}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p20}
        spec:
          tier: Admin
          priority: 1
          subject: {pods: {podSelector: {matchLabels: {a: b}}}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p21}
        spec:
          priority: 1
          subject: {pods: {podSelector: {}}}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p22}
        spec:
          priority: 1
          subject: {pods: 5}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p23}
        spec:
          priority: 1
          subject: {pods: {namespaceSelector: 5, podSelector: null, other: 1}}
      `),
      [
        'policies.yaml:4:1 spec.subject: Required value: say whom the policy applies to: "subject: {namespaces: {}}" for every pod, or "subject: {pods: {...}}" [missing-field]',
        'policies.yaml:14:3 spec.subject: Required value: say whom the policy applies to: "subject: {namespaces: {}}" for every pod, or "subject: {pods: {...}}" [missing-field]',
        'policies.yaml:22:3 spec.subject: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:30:3 spec.subject: Invalid value: 0: spec.subject in body should have at least 1 properties: a subject needs exactly one field; set one of namespaces, pods [invalid-union]',
        'policies.yaml:38:3 spec.subject: Invalid value: 0: spec.subject in body should have at least 1 properties: a subject needs exactly one field; "namespaces:" has no value, which reads as absent. Write "namespaces: {}" [invalid-union]',
        'policies.yaml:46:3 spec.subject: Too many: 2: must have at most 1 item: a subject sets namespaces and pods; it takes exactly one. Keep namespaces (every pod of the namespaces) or pods (by namespace and pod labels), or write two policies [invalid-union]',
        'policies.yaml:61:13 spec.subject.pods.namespaceSelector: Required value: write "namespaceSelector: {}" for pods of every namespace [missing-field]',
        'policies.yaml:68:13 spec.subject.pods: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:75:20 spec.subject.pods.namespaceSelector: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:75:20 spec.subject.pods.namespaceSelector: Required value: write "namespaceSelector: {}" for pods of every namespace [missing-field]',
        'policies.yaml:75:42 spec.subject.pods.podSelector: Required value: write "podSelector: {}" for every pod of the selected namespaces [missing-field]',
        'policies.yaml:30:13 warning: spec.subject.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: namespaces, pods [unknown-field]',
        'policies.yaml:75:61 warning: spec.subject.pods.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: namespaceSelector, podSelector [unknown-field]',
      ],
    );
  });

  test('rule lists: not lists, at most 25 (ClusterNetworkPolicy) or 100 rules', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p24}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: {}}
          ingress: 5
          egress: [{action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}, {action: Accept, to: [{namespaces: {}}]}]
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p25}
        spec:
          priority: 1
          subject: {namespaces: {}}
          ingress: [{action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}, {action: Allow, from: [{namespaces: {}}]}]
          egress: [{action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}, {action: Allow, to: [{namespaces: {}}]}]
      `),
      [
        'policies.yaml:8:3 spec.ingress: must be a list, got 5 [wrong-type]',
        'policies.yaml:9:3 spec.egress: Too many: 26: must have at most 25 items. Merge rules with the same action, or split the policy into two policies [too-many]',
        'policies.yaml:17:3 spec.ingress: Too many: 101: must have at most 100 items. Merge rules with the same action, or split the policy into two policies [too-many]',
      ],
    );
  });
});

describe('rules', () => {
  test('names, actions and peers of rules', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p26}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: {}}
          ingress:
            - 5
            - {name: 5, action: null, from: null}
            - {name: ééééééééééééééééééééééééééééééééééééééééééééééééééé, action: Allow, from: 5, other: 1}
            - {name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, action: 5, from: []}
            - {action: accept, from: [{namespaces: {}}], ports: []}
          egress:
            - {action: Accept}
            - {action: Deny, to: [{namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}, {namespaces: {}}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p27}
        spec:
          priority: 1
          subject: {namespaces: {}}
          ingress:
            - {action: Accept, from: [{namespaces: {}}]}
            - {action: Pass, from: [{namespaces: {}}], protocols: []}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default}
        spec:
          subject: {namespaces: {}}
          ingress:
            - {action: Pass, from: [{namespaces: {}}]}
            - {action: Accept, from: [{namespaces: {}}]}
      `),
      [
        'policies.yaml:9:7 spec.ingress[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:9:7 spec.ingress[0].action: Required value: set action: Accept, Deny, Pass [missing-field]',
        'policies.yaml:9:7 spec.ingress[0].from: Required value: list the sources; "- namespaces: {}" for every pod [missing-field]',
        'policies.yaml:10:8 spec.ingress[1].name: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:10:17 spec.ingress[1].action: Required value: set action: Accept, Deny, Pass [missing-field]',
        'policies.yaml:10:31 spec.ingress[1].from: Required value: list the sources; "- namespaces: {}" for every pod [missing-field]',
        'policies.yaml:11:8 spec.ingress[2].name: Too long: may not be more than 100 bytes: the name has 102. Shorten it [too-long]',
        'policies.yaml:11:67 spec.ingress[2].action: Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass" (Allow is the AdminNetworkPolicy word; a ClusterNetworkPolicy says Accept) [unsupported-value]',
        'policies.yaml:11:82 spec.ingress[2].from: must be a list, got 5 [wrong-type]',
        'policies.yaml:12:116 spec.ingress[3].action: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:12:127 spec.ingress[3].from: Invalid value: 0: spec.ingress[3].from in body should have at least 1 items: list at least one peer; "- namespaces: {}" for every pod [empty-list]',
        'policies.yaml:13:8 spec.ingress[4].action: Unsupported value: "accept": supported values: "Accept", "Deny", "Pass". Did you mean "Accept"? [unsupported-value]',
        'policies.yaml:15:7 spec.egress[0].to: Required value: list the destinations; "- namespaces: {}" for every pod [missing-field]',
        'policies.yaml:16:22 spec.egress[1].to: Too many: 26: must have at most 25 items. Split the rule into two rules with the same action [too-many]',
        'policies.yaml:25:8 spec.ingress[0].action: Unsupported value: "Accept": supported values: "Allow", "Deny", "Pass" (Accept is the ClusterNetworkPolicy word; an AdminNetworkPolicy says Allow) [unsupported-value]',
        'policies.yaml:34:8 spec.ingress[0].action: Unsupported value: "Pass": supported values: "Allow", "Deny" (there is no tier after the baseline to pass to) [unsupported-value]',
        'policies.yaml:35:8 spec.ingress[1].action: Unsupported value: "Accept": supported values: "Allow", "Deny" (Accept is the ClusterNetworkPolicy word; a BaselineAdminNetworkPolicy says Allow) [unsupported-value]',
        'policies.yaml:11:91 warning: spec.ingress[2].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: name, action, from, protocols [unknown-field]',
        'policies.yaml:13:50 warning: spec.ingress[4].ports: unknown field "ports": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: name, action, from, protocols [unknown-field]',
        'policies.yaml:26:48 warning: spec.ingress[1].protocols: unknown field "protocols": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: name, action, from, ports [unknown-field]',
      ],
    );
  });

  test('peers: exactly one field; nodes, networks and domainNames on egress only', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p29}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: {}}
          ingress:
            - action: Accept
              from: [5, {}, {namespaces: null}, {namespaces: {}, pods: {podSelector: {}}}, {nodes: {}}, {pods: {podSelector: 5, other: 1}}, {pods: {}}]
          egress:
            - action: Accept
              to: [{nodes: {matchLabels: 5}}, {networks: []}, {networks: 5}, {networks: [10.0.0.0/8, 10.0.0.0/8, 5, x, 10.0.0.1/8, 010.0.0.0/8, "fd00::/8"]}, {domainNames: ["*.a.com", "a.*.com", localhost, "-a.com", a.com, a.com, "a.com."]}]
            - action: Deny
              to: [{domainNames: [a.com]}, {networks: [10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24, 10.0.3.0/24, 10.0.4.0/24, 10.0.5.0/24, 10.0.6.0/24, 10.0.7.0/24, 10.0.8.0/24, 10.0.9.0/24, 10.0.10.0/24, 10.0.11.0/24, 10.0.12.0/24, 10.0.13.0/24, 10.0.14.0/24, 10.0.15.0/24, 10.0.16.0/24, 10.0.17.0/24, 10.0.18.0/24, 10.0.19.0/24, 10.0.20.0/24, 10.0.21.0/24, 10.0.22.0/24, 10.0.23.0/24, 10.0.24.0/24, 10.0.25.0/24]}]
            - {action: bogus, to: [{domainNames: [a.com]}]}
      `),
      [
        'policies.yaml:10:14 spec.ingress[0].from[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:10:14 spec.ingress[0].from[0]: Invalid value: 0: spec.ingress[0].from[0] in body should have at least 1 properties: a peer needs exactly one field; set one of namespaces, pods [invalid-union]',
        'policies.yaml:10:17 spec.ingress[0].from[1]: Invalid value: 0: spec.ingress[0].from[1] in body should have at least 1 properties: a peer needs exactly one field; set one of namespaces, pods [invalid-union]',
        'policies.yaml:10:21 spec.ingress[0].from[2]: Invalid value: 0: spec.ingress[0].from[2] in body should have at least 1 properties: a peer needs exactly one field; "namespaces:" has no value, which reads as absent. Write "namespaces: {}" [invalid-union]',
        'policies.yaml:10:41 spec.ingress[0].from[3]: Too many: 2: must have at most 1 item: a peer sets namespaces and pods; it takes exactly one. Split it into list items, one field each [invalid-union]',
        'policies.yaml:10:84 spec.ingress[0].from[4]: Invalid value: 0: spec.ingress[0].from[4] in body should have at least 1 properties: a peer needs exactly one field; set one of namespaces, pods [invalid-union]',
        'policies.yaml:10:105 spec.ingress[0].from[5].pods.podSelector: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:10:105 spec.ingress[0].from[5].pods.podSelector: Required value: write "podSelector: {}" for every pod of the selected namespaces [missing-field]',
        'policies.yaml:10:134 spec.ingress[0].from[6].pods.podSelector: Required value: write "podSelector: {}" for every pod of the selected namespaces [missing-field]',
        'policies.yaml:13:21 spec.egress[0].to[0].nodes.matchLabels: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:13:40 spec.egress[0].to[1].networks: Invalid value: 0: spec.egress[0].to[1].networks in body should have at least 1 items: list at least one entry, or remove the peer [empty-list]',
        'policies.yaml:13:56 spec.egress[0].to[2].networks: must be a list, got 5 [wrong-type]',
        'policies.yaml:13:94 spec.egress[0].to[3].networks[1]: Duplicate value: "10.0.0.0/8": remove the second one [duplicate-value]',
        'policies.yaml:13:106 spec.egress[0].to[3].networks[2]: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:13:109 spec.egress[0].to[3].networks[3]: Invalid value: "x": Invalid CIDR format provided: "x" is not a CIDR: it is not an IPv4 or IPv6 address [invalid-cidr]',
        'policies.yaml:13:112 spec.egress[0].to[3].networks[4]: Invalid value: "10.0.0.1/8": Invalid CIDR format provided: it has host bits set. Write "10.0.0.0/8" [invalid-cidr]',
        'policies.yaml:13:124 spec.egress[0].to[3].networks[5]: Invalid value: "010.0.0.0/8": Invalid CIDR format provided: it has leading zeros. Write "10.0.0.0/8" [invalid-cidr]',
        'policies.yaml:13:177 spec.egress[0].to[4].domainNames[1]: Invalid value: "a.*.com": spec.egress[0].to[4].domainNames[1] in body should match \'^(\\*\\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.?$\': \'*\' may only be the first label, alone ("*.example.com") [invalid-domain-name]',
        'policies.yaml:13:188 spec.egress[0].to[4].domainNames[2]: Invalid value: "localhost": spec.egress[0].to[4].domainNames[2] in body should match \'^(\\*\\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.?$\': a domain name needs at least two labels ("example.com"), a single label ("localhost") cannot be matched [invalid-domain-name]',
        "policies.yaml:13:199 spec.egress[0].to[4].domainNames[3]: Invalid value: \"-a.com\": spec.egress[0].to[4].domainNames[3] in body should match '^(\\*\\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.?$': labels are letters, digits, '-' and '_', not starting or ending with '-' [invalid-domain-name]",
        'policies.yaml:13:216 spec.egress[0].to[4].domainNames[5]: Duplicate value: "a.com": remove the second one [duplicate-value]',
        'policies.yaml:15:37 spec.egress[1].to[1].networks: Too many: 26: must have at most 25 items. Split the peer into two peers [too-many]',
        'policies.yaml:16:8 spec.egress[2].action: Unsupported value: "bogus": supported values: "Accept", "Deny", "Pass" [unsupported-value]',
        'policies.yaml:10:85 warning: spec.ingress[0].from[4].nodes: unknown field "nodes": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: namespaces, pods [unknown-field]',
        'policies.yaml:10:121 warning: spec.ingress[0].from[5].pods.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: namespaceSelector, podSelector [unknown-field]',
        'policies.yaml:15:13 warning: spec.egress[1].to[0].domainNames: domainNames in a Deny rule: the API server stores it, but the API says "DomainNames is only supported for Accept rules", so what a network plugin does with it is undefined (it may ignore the peer). netfence reads it as written. Deny by networks, or make it an Accept rule [domain-names-action]',
      ],
    );
  });

  test('AdminNetworkPolicy peers: the v0.1.x forms read or reported', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p30}
        spec:
          priority: 1
          subject: {namespaces: {}}
          ingress:
            - action: Allow
              from:
                - {namespaces: {namespaceSelector: {matchLabels: {a: b}}}}
                - {namespaces: {sameLabels: [a, b]}}
                - {namespaces: {notSameLabels: x}}
                - {namespaces: {namespaceSelector: {}, sameLabels: [], other: 1}}
                - {pods: {namespaces: {namespaceSelector: {}}, podSelector: {}}}
                - {pods: {namespaces: null, podSelector: {}}}
                - {pods: {namespaces: {}, podSelector: 5, other: 1}}
                - {pods: {namespaces: 5}}
                - {pods: {namespaceSelector: {}}}
          egress:
            - {action: Deny, to: [{domainNames: [a.com]}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default}
        spec:
          subject: {namespaces: {}}
          egress:
            - {action: Allow, to: [{domainNames: [a.com]}, {networks: [10.0.0.0/8]}], ports: [{namedPort: http}]}
      `),
      [
        'policies.yaml:11:25 spec.ingress[0].from[1].namespaces.sameLabels: sameLabels (the v0.1.x AdminNetworkPolicy peer) selects the namespaces whose labels ["a","b"] have the same values as the subject pod\'s namespace, a comparison per pair of namespaces that netfence cannot evaluate; network-policy-api v0.3.0 removed it. Write one rule per namespace group with "namespaces: {matchLabels: ...}" instead [unsupported-peer]',
        'policies.yaml:12:25 spec.ingress[0].from[2].namespaces.notSameLabels: notSameLabels (the v0.1.x AdminNetworkPolicy peer) selects the namespaces whose labels [] have values different from the subject pod\'s namespace, a comparison per pair of namespaces that netfence cannot evaluate; network-policy-api v0.3.0 removed it. Write one rule per namespace group with "namespaces: {matchLabels: ...}" instead [unsupported-peer]',
        'policies.yaml:13:12 spec.ingress[0].from[3].namespaces: Too many: 2: must have at most 1 item: sets namespaceSelector and sameLabels; it takes exactly one [invalid-union]',
        'policies.yaml:13:48 spec.ingress[0].from[3].namespaces.sameLabels: sameLabels (the v0.1.x AdminNetworkPolicy peer) selects the namespaces whose labels [] have the same values as the subject pod\'s namespace, a comparison per pair of namespaces that netfence cannot evaluate; network-policy-api v0.3.0 removed it. Write one rule per namespace group with "namespaces: {matchLabels: ...}" instead [unsupported-peer]',
        'policies.yaml:15:19 spec.ingress[0].from[5].pods.namespaces: Required value: write "namespaces: {namespaceSelector: {}}" for pods of every namespace [missing-field]',
        'policies.yaml:16:19 spec.ingress[0].from[6].pods.namespaces: Invalid value: 0: spec.ingress[0].from[6].pods.namespaces in body should have at least 1 properties: a namespaces peer needs exactly one field; set one of namespaceSelector, sameLabels, notSameLabels [invalid-union]',
        'policies.yaml:16:35 spec.ingress[0].from[6].pods.podSelector: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:16:35 spec.ingress[0].from[6].pods.podSelector: Required value: write "podSelector: {}" for every pod of the selected namespaces [missing-field]',
        'policies.yaml:17:12 spec.ingress[0].from[7].pods.podSelector: Required value: write "podSelector: {}" for every pod of the selected namespaces [missing-field]',
        'policies.yaml:17:19 spec.ingress[0].from[7].pods.namespaces: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:18:12 spec.ingress[0].from[8].pods.podSelector: Required value: write "podSelector: {}" for every pod of the selected namespaces [missing-field]',
        'policies.yaml:28:7 spec.egress[0]: Invalid value: networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes: this rule has a networks peer and a named port. Use port numbers, or put the networks peers in a rule of their own [named-port-peer]',
        'policies.yaml:28:28 spec.egress[0].to[0]: Invalid value: 0: spec.egress[0].to[0] in body should have at least 1 properties: a peer needs exactly one field; set one of namespaces, pods, nodes, networks [invalid-union]',
        'policies.yaml:10:25 warning: spec.ingress[0].from[0].namespaces.namespaceSelector: is the v0.1.x form of this peer ("namespaces: {namespaceSelector: ...}"); netfence reads it as the selector it holds, which is what it means, and the v0.3.0 form writes the selector directly: "namespaces: {matchLabels: ...}" [old-peer-form]',
        'policies.yaml:13:64 warning: spec.ingress[0].from[3].namespaces.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: namespaceSelector, sameLabels, notSameLabels [unknown-field]',
        'policies.yaml:14:32 warning: spec.ingress[0].from[4].pods.namespaces.namespaceSelector: is the v0.1.x form of this peer ("namespaces: {namespaceSelector: ...}"); netfence reads it as the selector it holds, which is what it means, and the v0.3.0 form writes the selector directly: "namespaces: {matchLabels: ...}" [old-peer-form]',
        'policies.yaml:16:51 warning: spec.ingress[0].from[6].pods.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: namespaces, podSelector [unknown-field]',
        'policies.yaml:20:28 warning: spec.egress[0].to[0].domainNames: domainNames in a Deny rule: the API server stores it, but the API says "DomainNames is only supported for Allow rules", so what a network plugin does with it is undefined (it may ignore the peer). netfence reads it as written. Deny by networks, or make it an Allow rule [domain-names-action]',
        'policies.yaml:28:29 warning: spec.egress[0].to[0].domainNames: unknown field "domainNames": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: namespaces, pods, nodes, networks [unknown-field]',
      ],
    );
  });
});

describe('ports', () => {
  test('ClusterNetworkPolicy protocols', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p32}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: {}}
          egress:
            - action: Accept
              to: [{networks: [10.0.0.0/8]}]
              protocols:
                - 5
                - {}
                - {tcp: {destinationPort: {number: 80}}, udp: {destinationPort: {number: 53}}}
                - {tcp: 5}
                - {udp: {other: 1}}
                - {sctp: {destinationPort: 5}}
                - {tcp: {destinationPort: {number: 0}}}
                - {tcp: {destinationPort: {number: 70000}}}
                - {tcp: {destinationPort: {range: {start: 10, end: 5}}}}
                - {tcp: {destinationPort: {range: {start: 5, end: 5}}}}
                - {tcp: {destinationPort: {range: {start: 0}}}}
                - {tcp: {destinationPort: {range: {end: null, other: 1}}}}
                - {tcp: {destinationPort: {number: 1, range: {start: 1, end: 2}, other: 1}}}
                - {tcp: {destinationPort: {number: x}}}
                - {destinationNamedPort: 5}
                - {destinationNamedPort: http}
            - action: Accept
              to: [{pods: {podSelector: {}}}]
              protocols: [{destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}, {destinationNamedPort: http}]
      `),
      [
        'policies.yaml:9:7 spec.egress[0]: Invalid value: networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames: this rule has a networks peer and a named port. Use port numbers, or put the networks peers in a rule of their own [named-port-peer]',
        'policies.yaml:12:11 spec.egress[0].protocols[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:12:11 spec.egress[0].protocols[0]: Invalid value: 0: spec.egress[0].protocols[0] in body should have at least 1 properties: a protocols entry needs exactly one field; set one of tcp, udp, sctp, destinationNamedPort [invalid-union]',
        'policies.yaml:13:11 spec.egress[0].protocols[1]: Invalid value: 0: spec.egress[0].protocols[1] in body should have at least 1 properties: a protocols entry needs exactly one field; set one of tcp, udp, sctp, destinationNamedPort [invalid-union]',
        'policies.yaml:14:11 spec.egress[0].protocols[2]: Too many: 2: must have at most 1 item: a protocols entry sets tcp and udp; it takes exactly one. Split it into list items, one field each [invalid-union]',
        'policies.yaml:15:12 spec.egress[0].protocols[3].tcp: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:16:12 spec.egress[0].protocols[4].udp: Invalid value: 0: spec.egress[0].protocols[4].udp in body should have at least 1 properties: give a destinationPort, e.g. "{destinationPort: {number: 443}}"; for every UDP port, "{destinationPort: {range: {start: 1, end: 65535}}}" [invalid-union]',
        'policies.yaml:17:12 spec.egress[0].protocols[5].sctp: Invalid value: 0: spec.egress[0].protocols[5].sctp in body should have at least 1 properties: give a destinationPort, e.g. "{destinationPort: {number: 443}}"; for every SCTP port, "{destinationPort: {range: {start: 1, end: 65535}}}" [invalid-union]',
        'policies.yaml:17:19 spec.egress[0].protocols[5].sctp.destinationPort: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:18:36 spec.egress[0].protocols[6].tcp.destinationPort.number: Invalid value: 0: spec.egress[0].protocols[6].tcp.destinationPort.number in body should be greater than or equal to 1. A port is from 1 to 65535 [out-of-range]',
        'policies.yaml:19:36 spec.egress[0].protocols[7].tcp.destinationPort.number: Invalid value: 70000: spec.egress[0].protocols[7].tcp.destinationPort.number in body should be less than or equal to 65535. A port is from 1 to 65535 [out-of-range]',
        'policies.yaml:20:36 spec.egress[0].protocols[8].tcp.destinationPort.range: Invalid value: Start port must be less than End port: start is 10, end is 5; swap them: start 5, end 10 [invalid-port-range]',
        'policies.yaml:21:36 spec.egress[0].protocols[9].tcp.destinationPort.range: Invalid value: Start port must be less than End port: start is 5, end is 5; for the single port 5, write "number: 5" (CNP) or "portNumber" (ANP) [invalid-port-range]',
        'policies.yaml:22:36 spec.egress[0].protocols[10].tcp.destinationPort.range.end: Required value: give the last port of the range [missing-field]',
        'policies.yaml:22:44 spec.egress[0].protocols[10].tcp.destinationPort.range.start: Invalid value: 0: spec.egress[0].protocols[10].tcp.destinationPort.range.start in body should be greater than or equal to 1. A port is from 1 to 65535 [out-of-range]',
        'policies.yaml:23:36 spec.egress[0].protocols[11].tcp.destinationPort.range.start: Required value: give the first port of the range [missing-field]',
        'policies.yaml:23:44 spec.egress[0].protocols[11].tcp.destinationPort.range.end: Required value: give the last port of the range [missing-field]',
        'policies.yaml:24:18 spec.egress[0].protocols[12].tcp.destinationPort: Too many: 2: must have at most 1 item: a destinationPort sets number and range; it takes exactly one. Split it into list items, one field each [invalid-union]',
        'policies.yaml:25:36 spec.egress[0].protocols[13].tcp.destinationPort.number: must be an integer, got "x" [wrong-type]',
        'policies.yaml:26:12 spec.egress[0].protocols[14].destinationNamedPort: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:30:7 spec.egress[1].protocols: Too many: 26: must have at most 25 items. Use port ranges, or split the rule [too-many]',
        'policies.yaml:16:18 warning: spec.egress[0].protocols[4].udp.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: destinationPort [unknown-field]',
        'policies.yaml:23:55 warning: spec.egress[0].protocols[11].tcp.destinationPort.range.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: start, end [unknown-field]',
        'policies.yaml:24:74 warning: spec.egress[0].protocols[12].tcp.destinationPort.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: number, range [unknown-field]',
      ],
    );
  });

  test('AdminNetworkPolicy ports', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p33}
        spec:
          priority: 1
          subject: {namespaces: {}}
          ingress:
            - action: Allow
              from: [{namespaces: {}}]
              ports:
                - 5
                - {portNumber: {protocol: tcp, port: 80, other: 1}}
                - {portNumber: {port: null}}
                - {portNumber: {port: x}}
                - {portNumber: {port: 0}}
                - {portNumber: 5}
                - {namedPort: 5}
                - {portRange: {protocol: UDP, start: 1, end: 2, other: 1}}
                - {portRange: {start: 2, end: 1}}
                - {portRange: 5}
                - {portNumber: {port: 1}, namedPort: http}
      `),
      [
        'policies.yaml:11:11 spec.ingress[0].ports[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:11:11 spec.ingress[0].ports[0]: Invalid value: 0: spec.ingress[0].ports[0] in body should have at least 1 properties: a ports entry needs exactly one field; set one of portNumber, namedPort, portRange [invalid-union]',
        'policies.yaml:12:25 spec.ingress[0].ports[1].portNumber.protocol: "tcp" is not supported: protocols are case-sensitive. Did you mean "TCP"? [invalid-protocol]',
        'policies.yaml:13:25 spec.ingress[0].ports[2].portNumber.port: Required value: give the port number, 1 to 65535 [missing-field]',
        'policies.yaml:14:25 spec.ingress[0].ports[3].portNumber.port: must be an integer, got "x" [wrong-type]',
        'policies.yaml:15:25 spec.ingress[0].ports[4].portNumber.port: Invalid value: 0: spec.ingress[0].ports[4].portNumber.port in body should be greater than or equal to 1. A port is from 1 to 65535 [out-of-range]',
        'policies.yaml:16:12 spec.ingress[0].ports[5].portNumber: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:17:12 spec.ingress[0].ports[6].namedPort: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:19:12 spec.ingress[0].ports[8].portRange: Invalid value: Start port must be less than End port: start is 2, end is 1; swap them: start 1, end 2 [invalid-port-range]',
        'policies.yaml:20:12 spec.ingress[0].ports[9].portRange: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:21:11 spec.ingress[0].ports[10]: Too many: 2: must have at most 1 item: a ports entry sets portNumber and namedPort; it takes exactly one. Split it into list items, one field each [invalid-union]',
        'policies.yaml:12:50 warning: spec.ingress[0].ports[1].portNumber.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: protocol, port [unknown-field]',
        'policies.yaml:18:57 warning: spec.ingress[0].ports[7].portRange.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: protocol, start, end [unknown-field]',
      ],
    );
  });
});

describe('what is kept', () => {
  test('the spec as the API reads it: ports default to TCP, the v0.1.x peer forms rewritten', () => {
    const r = load(yaml`
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata: {name: a}
      spec:
        priority: 3
        subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: a}}}}
        ingress:
          - name: r
            action: Allow
            from: [{namespaces: {namespaceSelector: {matchLabels: {t: x}}}}, {pods: {namespaces: {namespaceSelector: {}}, podSelector: {}}}]
            ports: [{portNumber: {port: 80}}, {portRange: {start: 1, end: 9}}, {namedPort: http}]
        egress:
          - action: Deny
            to: [{nodes: {}}, {networks: [10.0.0.0/8]}, {domainNames: [a.com]}, {namespaces: {}}, {pods: {namespaceSelector: {}, podSelector: {}}}]
            ports: [{portNumber: {protocol: UDP, port: 53}}, {portRange: {protocol: SCTP, start: 5, end: 6}}]
      ---
      apiVersion: policy.networking.k8s.io/v1beta1
      kind: ClusterNetworkPolicy
      metadata: {name: c}
      spec:
        tier: Baseline
        priority: 0
        subject: {namespaces: {matchLabels: {team: a}}}
        ingress:
          - action: Accept
            from: [{namespaces: {}}, {pods: {namespaceSelector: {}, podSelector: {}}}, {pods: {podSelector: {}}}]
            protocols: [{tcp: {destinationPort: {number: 80}}}, {udp: {destinationPort: {range: {start: 1, end: 2}}}}, {sctp: {destinationPort: {number: 9}}}, {destinationNamedPort: http}]
        egress:
          - action: Pass
            to: [{nodes: {}}, {networks: ["fd00::/8"]}, {domainNames: ["*.a.com"]}]
            protocols: [{tcp: {destinationPort: {number: 443}}}]
    `);
    assert.deepEqual(r.errors.map(formatProblem), []);
    assert.deepEqual(
      r.state.clusterPolicies.map((p) => [p.id, p.spec]),
      [
        [
          'AdminNetworkPolicy/a',
          {
            priority: 3,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'a' } } } },
            ingress: [
              {
                name: 'r',
                action: 'Allow',
                from: [
                  { namespaces: { matchLabels: { t: 'x' } } },
                  { pods: { namespaceSelector: {}, podSelector: {} } },
                ],
                ports: [
                  { portNumber: { protocol: 'TCP', port: 80 } },
                  { portRange: { protocol: 'TCP', start: 1, end: 9 } },
                  { namedPort: 'http' },
                ],
              },
            ],
            egress: [
              {
                action: 'Deny',
                to: [
                  { nodes: {} },
                  { networks: ['10.0.0.0/8'] },
                  { domainNames: ['a.com'] },
                  { namespaces: {} },
                  { pods: { namespaceSelector: {}, podSelector: {} } },
                ],
                ports: [
                  { portNumber: { protocol: 'UDP', port: 53 } },
                  { portRange: { protocol: 'SCTP', start: 5, end: 6 } },
                ],
              },
            ],
          },
        ],
        [
          'ClusterNetworkPolicy/c',
          {
            tier: 'Baseline',
            priority: 0,
            subject: { namespaces: { matchLabels: { team: 'a' } } },
            ingress: [
              {
                action: 'Accept',
                from: [
                  { namespaces: {} },
                  { pods: { namespaceSelector: {}, podSelector: {} } },
                  { pods: { podSelector: {} } },
                ],
                protocols: [
                  { tcp: { destinationPort: { number: 80 } } },
                  { udp: { destinationPort: { range: { start: 1, end: 2 } } } },
                  { sctp: { destinationPort: { number: 9 } } },
                  { destinationNamedPort: 'http' },
                ],
              },
            ],
            egress: [
              {
                action: 'Pass',
                to: [{ nodes: {} }, { networks: ['fd00::/8'] }, { domainNames: ['*.a.com'] }],
                protocols: [{ tcp: { destinationPort: { number: 443 } } }],
              },
            ],
          },
        ],
      ],
    );
  });
});
describe('more', () => {
  test('ClusterNetworkPolicy: a range bound out of range is not compared; fields of entries, peers and subjects at their paths', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p201}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: 5}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: p202}
        spec:
          tier: Admin
          priority: 1
          subject: {namespaces: {}}
          ingress:
            - {action: Accept, from: [{namespaces: 5}], protocols: []}
          egress:
            - action: Accept
              to: [{namespaces: {}}]
              protocols:
                - {tcp: {destinationPort: {range: {start: 70000, end: 80}}}}
                - {tcp: {destinationPort: {range: {start: x, end: 5}}}}
                - {tcp: {destinationPort: {number: 1}}, other: 1}
      `),
      [
        'policies.yaml:7:13 spec.subject.namespaces: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:17:32 spec.ingress[0].from[0].namespaces: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:17:49 spec.ingress[0].protocols: Invalid value: 0: spec.ingress[0].protocols in body should have at least 1 items: remove "protocols" to match every port, or list ports [empty-list]',
        'policies.yaml:22:44 spec.egress[0].protocols[0].tcp.destinationPort.range.start: Invalid value: 70000: spec.egress[0].protocols[0].tcp.destinationPort.range.start in body should be less than or equal to 65535. A port is from 1 to 65535 [out-of-range]',
        'policies.yaml:23:44 spec.egress[0].protocols[1].tcp.destinationPort.range.start: must be an integer, got "x" [wrong-type]',
        'policies.yaml:24:49 warning: spec.egress[0].protocols[2].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: tcp, udp, sctp, destinationNamedPort [unknown-field]',
      ],
    );
  });

  test('AdminNetworkPolicy and BaselineAdminNetworkPolicy: actions, ports, named ports with networks', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: p203}
        spec:
          priority: 1
          subject: {namespaces: {}}
          ingress:
            - {action: bogus, from: [{namespaces: {namespaceSelector: 5}}], ports: []}
            - action: Allow
              from: [{namespaces: {}}]
              ports: [{namedPort: http, other: 1}, {portNumber: {protocol: TCP}}, {portRange: {protocol: tcp, start: 1, end: 2}}]
          egress:
            - {action: Allow, to: [{networks: [10.0.0.0/8]}], ports: [{portNumber: {port: 80}}, {namedPort: http}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default}
        spec:
          subject: {namespaces: {}}
          ingress:
            - {action: bogus, from: [{namespaces: {}}]}
      `),
      [
        'policies.yaml:8:8 spec.ingress[0].action: Unsupported value: "bogus": supported values: "Allow", "Deny", "Pass" [unsupported-value]',
        'policies.yaml:8:44 spec.ingress[0].from[0].namespaces.namespaceSelector: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:8:69 spec.ingress[0].ports: Invalid value: 0: spec.ingress[0].ports in body should have at least 1 items: remove "ports" to match every port, or list ports [empty-list]',
        'policies.yaml:11:45 spec.ingress[1].ports[1].portNumber.port: Required value: give the port number, 1 to 65535 [missing-field]',
        'policies.yaml:11:88 spec.ingress[1].ports[2].portRange.protocol: "tcp" is not supported: protocols are case-sensitive. Did you mean "TCP"? [invalid-protocol]',
        'policies.yaml:13:7 spec.egress[0]: Invalid value: networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames: this rule has a networks peer and a named port. Use port numbers, or put the networks peers in a rule of their own [named-port-peer]',
        'policies.yaml:21:8 spec.ingress[0].action: Unsupported value: "bogus": supported values: "Allow", "Deny" [unsupported-value]',
        'policies.yaml:8:44 warning: spec.ingress[0].from[0].namespaces.namespaceSelector: is the v0.1.x form of this peer ("namespaces: {namespaceSelector: ...}"); netfence reads it as the selector it holds, which is what it means, and the v0.3.0 form writes the selector directly: "namespaces: {matchLabels: ...}" [old-peer-form]',
        'policies.yaml:11:33 warning: spec.ingress[1].ports[0].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: portNumber, namedPort, portRange [unknown-field]',
      ],
    );
  });
});
