/**
 * What every object goes through (src/parse/validate/objects.ts), through the public reader: the apiVersion
 * that serves each kind (the release that removed an old one, the other versions of a kind), the namespace of
 * cluster-scoped and namespaced kinds, the name limits of Jobs, Namespaces' own fields and name label, the
 * name of a BaselineAdminNetworkPolicy; each problem with its path, line, column and code. Written from the
 * survivors of a mutation run on the file (issue #20, docs/mutation/parse.md "src/parse/validate: the five files
 * under 80%").
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

describe('objects', () => {
  test('apiVersions: the served one, the release that removed an old one, the other versions of a kind', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: apps/v1beta1
        kind: Deployment
        metadata: {name: a}
        spec: {}
        ---
        apiVersion: extensions/v1beta1
        kind: NetworkPolicy
        metadata: {name: b}
        spec: {podSelector: {}}
        ---
        apiVersion: apps/v1beta2
        kind: DaemonSet
        metadata: {name: c}
        spec: {}
        ---
        apiVersion: batch/v1beta1
        kind: CronJob
        metadata: {name: d}
        spec: {}
        ---
        apiVersion: batch/v2alpha1
        kind: CronJob
        metadata: {name: e}
        spec: {}
        ---
        apiVersion: v2
        kind: Pod
        metadata: {name: f}
        spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: ClusterNetworkPolicy
        metadata: {name: g}
        spec: {}
        ---
        apiVersion: networking.k8s.io/v2
        kind: Service
        metadata: {name: h}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: v1beta1
        kind: EndpointSlice
        metadata: {name: i}
        addressType: IPv4
        endpoints: []
        ---
        apiVersion: v2
        kind: Endpoints
        metadata: {name: j}
        ---
        apiVersion: v2
        kind: Node
        metadata: {name: k}
        ---
        apiVersion: v2
        kind: Namespace
        metadata: {name: l}
        ---
        apiVersion: v2
        kind: ReplicationController
        metadata: {name: m}
        spec: {}
        ---
        apiVersion: apps/v2
        kind: ReplicaSet
        metadata: {name: n}
        spec: {}
        ---
        apiVersion: apps/v2
        kind: StatefulSet
        metadata: {name: o}
        spec: {}
        ---
        apiVersion: batch/v2
        kind: Job
        metadata: {name: p}
        spec: {}
        ---
        apiVersion: policy.networking.k8s.io/v1
        kind: AdminNetworkPolicy
        metadata: {name: q}
        spec: {}
        ---
        apiVersion: policy.networking.k8s.io/v1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default}
        spec: {}
        ---
        apiVersion: cilium.io/v1
        kind: CiliumNetworkPolicy
        metadata: {name: r}
        spec: {}
        ---
        apiVersion: cilium.io/v3
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: s}
        spec: {}
      `),
      [
        'policies.yaml:1:1 apiVersion: Deployment is not served by "apps/v1beta1" (removed in Kubernetes 1.16): use "apps/v1" [unsupported-api-version]',
        'policies.yaml:4:1 spec.template: is required: the pod template of a Deployment [missing-field]',
        "policies.yaml:4:1 spec.selector: is required for a Deployment (apps/v1): set matchLabels to the template's labels [missing-field]",
        'policies.yaml:6:1 apiVersion: NetworkPolicy is not served by "extensions/v1beta1" (removed in Kubernetes 1.16): use "networking.k8s.io/v1" [unsupported-api-version]',
        'policies.yaml:11:1 apiVersion: DaemonSet is not served by "apps/v1beta2" (removed in Kubernetes 1.16): use "apps/v1" [unsupported-api-version]',
        'policies.yaml:14:1 spec.template: is required: the pod template of a DaemonSet [missing-field]',
        "policies.yaml:14:1 spec.selector: is required for a DaemonSet (apps/v1): set matchLabels to the template's labels [missing-field]",
        'policies.yaml:16:1 apiVersion: CronJob is not served by "batch/v1beta1" (removed in Kubernetes 1.25): use "batch/v1" [unsupported-api-version]',
        'policies.yaml:19:1 spec.schedule: is required: a cron schedule such as "*/5 * * * *" [missing-field]',
        'policies.yaml:19:1 spec.jobTemplate: is required: the Job to run on schedule [missing-field]',
        'policies.yaml:21:1 apiVersion: CronJob is not served by "batch/v2alpha1" (removed in Kubernetes 1.21): use "batch/v1" [unsupported-api-version]',
        'policies.yaml:24:1 spec.schedule: is required: a cron schedule such as "*/5 * * * *" [missing-field]',
        'policies.yaml:24:1 spec.jobTemplate: is required: the Job to run on schedule [missing-field]',
        'policies.yaml:26:1 apiVersion: Pod is not served by "v2": use "v1" [unsupported-api-version]',
        'policies.yaml:31:1 apiVersion: ClusterNetworkPolicy is not served by "policy.networking.k8s.io/v1alpha1": use "policy.networking.k8s.io/v1beta1" or "policy.networking.k8s.io/v1alpha2" [unsupported-api-version]',
        'policies.yaml:34:1 spec.tier: Required value: set tier: Admin (before NetworkPolicies) or Baseline (after them) [missing-field]',
        'policies.yaml:34:1 spec.priority: Required value: set a priority from 0 (evaluated first) to 1000 (last) [missing-field]',
        'policies.yaml:34:1 spec.subject: Required value: say whom the policy applies to: "subject: {namespaces: {}}" for every pod, or "subject: {pods: {...}}" [missing-field]',
        'policies.yaml:36:1 apiVersion: Service is not served by "networking.k8s.io/v2": use "v1" [unsupported-api-version]',
        'policies.yaml:41:1 apiVersion: EndpointSlice is not served by "v1beta1": use "discovery.k8s.io/v1" [unsupported-api-version]',
        'policies.yaml:47:1 apiVersion: Endpoints is not served by "v2": use "v1" [unsupported-api-version]',
        'policies.yaml:51:1 apiVersion: Node is not served by "v2": use "v1" [unsupported-api-version]',
        'policies.yaml:55:1 apiVersion: Namespace is not served by "v2": use "v1" [unsupported-api-version]',
        'policies.yaml:59:1 apiVersion: ReplicationController is not served by "v2": use "v1" [unsupported-api-version]',
        'policies.yaml:62:1 spec.template: is required: the pod template of a ReplicationController [missing-field]',
        'policies.yaml:64:1 apiVersion: ReplicaSet is not served by "apps/v2": use "apps/v1" [unsupported-api-version]',
        'policies.yaml:67:1 spec.template: is required: the pod template of a ReplicaSet [missing-field]',
        "policies.yaml:67:1 spec.selector: is required for a ReplicaSet (apps/v1): set matchLabels to the template's labels [missing-field]",
        'policies.yaml:69:1 apiVersion: StatefulSet is not served by "apps/v2": use "apps/v1" [unsupported-api-version]',
        'policies.yaml:72:1 spec.template: is required: the pod template of a StatefulSet [missing-field]',
        "policies.yaml:72:1 spec.selector: is required for a StatefulSet (apps/v1): set matchLabels to the template's labels [missing-field]",
        'policies.yaml:74:1 apiVersion: Job is not served by "batch/v2": use "batch/v1" [unsupported-api-version]',
        'policies.yaml:77:1 spec.template: is required: the pod template of a Job [missing-field]',
        'policies.yaml:79:1 apiVersion: AdminNetworkPolicy is not served by "policy.networking.k8s.io/v1": use "policy.networking.k8s.io/v1alpha1" [unsupported-api-version]',
        'policies.yaml:82:1 spec.priority: Required value: set a priority from 0 (evaluated first) to 1000 (last) [missing-field]',
        'policies.yaml:82:1 spec.subject: Required value: say whom the policy applies to: "subject: {namespaces: {}}" for every pod, or "subject: {pods: {...}}" [missing-field]',
        'policies.yaml:84:1 apiVersion: BaselineAdminNetworkPolicy is not served by "policy.networking.k8s.io/v1": use "policy.networking.k8s.io/v1alpha1" [unsupported-api-version]',
        'policies.yaml:87:1 spec.subject: Required value: say whom the policy applies to: "subject: {namespaces: {}}" for every pod, or "subject: {pods: {...}}" [missing-field]',
        'policies.yaml:89:1 apiVersion: CiliumNetworkPolicy is not served by "cilium.io/v1": use "cilium.io/v2" [unsupported-api-version]',
        'policies.yaml:92:1 spec: Invalid value: "spec" must validate one and only one schema (oneOf). Found none valid: a rule set selects pods with endpointSelector or nodes with nodeSelector; it has neither. Add "endpointSelector: {}" for every pod of the namespace [invalid-union]',
        'policies.yaml:92:1 spec: Invalid value: "spec" must validate at least one schema (anyOf): a rule set needs ingress, ingressDeny, egress or egressDeny rules; "ingress: [{}]" denies all ingress [missing-field]',
        'policies.yaml:94:1 apiVersion: CiliumClusterwideNetworkPolicy is not served by "cilium.io/v3": use "cilium.io/v2" [unsupported-api-version]',
        'policies.yaml:97:1 spec: Invalid value: "spec" must validate one and only one schema (oneOf). Found none valid: a rule set selects pods with endpointSelector or nodes with nodeSelector; it has neither. Add "endpointSelector: {}" for every pod [invalid-union]',
        'policies.yaml:97:1 spec: Invalid value: "spec" must validate at least one schema (anyOf): a rule set needs ingress, ingressDeny, egress or egressDeny rules; "ingress: [{}]" denies all ingress [missing-field]',
      ],
    );
  });

  test('a namespace on a cluster-scoped object is ignored with a warning (an empty one without); namespaced kinds check theirs', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: v1
        kind: Node
        metadata: {name: a, namespace: Bad_}
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: b, namespace: ''}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: c, namespace: Bad_}
        spec: {endpointSelector: {}, ingress: [{}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: d, namespace: Bad_}
        spec: {priority: 1, subject: {namespaces: {}}, ingress: []}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default, namespace: Bad_}
        spec: {subject: {namespaces: {}}, ingress: []}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: e, namespace: Bad_}
        spec: {}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: f, namespace: Bad_}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: g, namespace: Bad_}
        spec: {schedule: '* * * * *', jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: h, namespace: Bad_}
        spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}
      `),
      [
        'policies.yaml:27:1 spec.tier: Required value: set tier: Admin (before NetworkPolicies) or Baseline (after them) [missing-field]',
        'policies.yaml:27:1 spec.priority: Required value: set a priority from 0 (evaluated first) to 1000 (last) [missing-field]',
        'policies.yaml:27:1 spec.subject: Required value: say whom the policy applies to: "subject: {namespaces: {}}" for every pod, or "subject: {pods: {...}}" [missing-field]',
        'policies.yaml:35:21 metadata.namespace: "Bad_" is not a valid namespace name (a DNS-1123 label: lower-case letters, digits and \'-\', at most 63): it contains upper-case letters; it contains "_"; it must start and end with a letter or digit. Did you mean "bad"? [invalid-name]',
        'policies.yaml:40:21 metadata.namespace: "Bad_" is not a valid namespace name (a DNS-1123 label: lower-case letters, digits and \'-\', at most 63): it contains upper-case letters; it contains "_"; it must start and end with a letter or digit. Did you mean "bad"? [invalid-name]',
        'policies.yaml:3:21 warning: metadata.namespace: Node is cluster-scoped: the API server ignores the namespace "Bad_", and so does netfence. Remove it [cluster-scoped-namespace]',
        'policies.yaml:11:21 warning: metadata.namespace: CiliumClusterwideNetworkPolicy is cluster-scoped: the API server ignores the namespace "Bad_", and so does netfence. Remove it [cluster-scoped-namespace]',
        'policies.yaml:16:21 warning: metadata.namespace: AdminNetworkPolicy is cluster-scoped: the API server ignores the namespace "Bad_", and so does netfence. Remove it [cluster-scoped-namespace]',
        'policies.yaml:21:27 warning: metadata.namespace: BaselineAdminNetworkPolicy is cluster-scoped: the API server ignores the namespace "Bad_", and so does netfence. Remove it [cluster-scoped-namespace]',
        'policies.yaml:26:21 warning: metadata.namespace: ClusterNetworkPolicy is cluster-scoped: the API server ignores the namespace "Bad_", and so does netfence. Remove it [cluster-scoped-namespace]',
      ],
    );
  });

  test("a Job's name: at most 63 characters", () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: batch/v1
        kind: Job
        metadata: {name: jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj}
        spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk}
        spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}
      `),
      [
        'policies.yaml:8:12 metadata.name: "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk" is 64 characters long: a Job name must be no more than 63 characters (it becomes the value of the job-name label of its pods) [invalid-name]',
      ],
    );
  });

  test('Namespaces: their fields, their name label, their ids', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: v1
        kind: Namespace
        metadata: {name: a}
        spec: {}
        status: {}
        other: 1
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: b, labels: {kubernetes.io/metadata.name: b}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: c, labels: {kubernetes.io/metadata.name: x}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {labels: {kubernetes.io/metadata.name: x}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: a}
      `),
      [
        'policies.yaml:18:1 metadata.name: is required: give the Namespace a name [missing-field]',
        'policies.yaml:22:12 metadata.name: Namespace "a" is defined twice: first at policies.yaml:1:1. Keep one definition [duplicate-object]',
        'policies.yaml:6:1 warning: other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: apiVersion, kind, metadata, spec, status [unknown-field]',
        'policies.yaml:14:30 warning: metadata.labels.kubernetes.io/metadata.name: is set by the API server to the namespace\'s name: "x" is replaced with "c" [namespace-name-label]',
      ],
    );
  });

  test('a BaselineAdminNetworkPolicy is named default', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: x}
        spec: {subject: {namespaces: {}}, ingress: []}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {}
        spec: {subject: {namespaces: {}}, ingress: []}
      `),
      [
        'policies.yaml:3:12 metadata.name: Invalid value: Only one baseline admin network policy with metadata.name="default" can be created in the cluster: rename "x" to "default" [invalid-name]',
        'policies.yaml:8:1 metadata.name: is required: give the BaselineAdminNetworkPolicy a name [missing-field]',
      ],
    );
  });
});

describe('objects accepted', () => {
  test('every kind at its served apiVersion (and ClusterNetworkPolicy at v1alpha2); a Namespace named as its label says', () => {
    const r = load(yaml`
      apiVersion: v1
      kind: Namespace
      metadata: {name: b, labels: {kubernetes.io/metadata.name: b}}
      ---
      apiVersion: v1
      kind: Node
      metadata: {name: n}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: p}
      spec: {podSelector: {}}
      ---
      apiVersion: policy.networking.k8s.io/v1alpha2
      kind: ClusterNetworkPolicy
      metadata: {name: c}
      spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: []}
    `);
    assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
    assert.deepEqual(
      r.state.namespaces.map((n) => [n.name, n.implicit]),
      [
        ['b', false],
        ['default', true],
      ],
    );
    assert.equal(r.state.policies.length, 1);
  });
});
