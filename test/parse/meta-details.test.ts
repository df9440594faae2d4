/**
 * Object metadata, labels, annotations and label selectors (src/parse/validate/meta.ts) through the public
 * reader: each problem in words, with its path, line, column and code (the three name rules, generateName,
 * namespaces, label and annotation keys and values, Cilium's label sources, selector requirements, how a
 * selector fails to match a template, owner references), and what is kept (null label values and annotations
 * as "", selectors without nulls). Written from the survivors of a mutation run on the file (issue #20,
 * docs/mutation/parse.md "src/parse/validate: the five files under 80%").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { selectorMatches } from '../../src/parse/validate/meta.ts';
import { load, yaml } from './helpers.ts';

/** Every problem of a text (errors, then warnings), as the CLI prints it, with its code. */
function lines(text: string): string[] {
  const r = load(text);
  return [...r.errors, ...r.warnings].map((p) => `${formatProblem(p)} [${p.code}]`);
}

describe('names', () => {
  test('each name rule in its words: a subdomain, a label, a DNS-1035 label; a suggestion that is still invalid is not made', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: Web_App.x
        spec:
          selector: {matchLabels: {app: a}}
          template:
            metadata: {labels: {app: a}}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: Team.A}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: 1_a}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: Web_App.x}
        spec: {ports: [{port: 80}]}
      `),
      [
        'policies.yaml:13:12 metadata.name: "Team.A" is not a valid Namespace name (a DNS-1123 label: lower-case letters, digits and \'-\', at most 63): it contains upper-case letters; it contains ".". Did you mean "team-a"? [invalid-name]',
        'policies.yaml:4:3 warning: metadata.name: "Web_App.x" is not a valid Deployment name (a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253): it contains upper-case letters; it contains "_". Did you mean "web-app.x"? (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error) [invalid-name]',
        'policies.yaml:17:12 warning: metadata.name: "1_a" is not a valid Service name (a DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter, at most 63): it contains "_"; it must start with a letter (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error) [invalid-name]',
        'policies.yaml:22:12 warning: metadata.name: "Web_App.x" is not a valid Service name (a DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter, at most 63): it contains upper-case letters; it contains "_", ".". Did you mean "web-app-x"? (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error) [invalid-name]',
      ],
    );
  });

  test('metadata absent, null, not a mapping, with an unknown field; names absent, null, empty, of the wrong type', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: v1
        kind: Namespace
        metadata: null
        ---
        apiVersion: v1
        kind: Namespace
        metadata: 5
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: a, other: 1}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: null}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: ''}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: 5}
      `),
      [
        'policies.yaml:3:1 metadata: is required: a Namespace needs metadata.name [missing-field]',
        'policies.yaml:7:1 metadata: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:15:12 metadata.name: is required: give the Namespace a name [missing-field]',
        'policies.yaml:19:12 metadata.name: is required: give the Namespace a name [missing-field]',
        'policies.yaml:23:12 metadata.name: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:11:21 warning: metadata.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: name, generateName, namespace, selfLink, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers, managedFields [unknown-field]',
      ],
    );
  });

  test('generateName: used without a name (the prefix may end with -), checked as a prefix', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: v1
        kind: Namespace
        metadata: {name: '', generateName: my-web-}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {generateName: Bad_}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {generateName: ''}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {generateName: web.-}
        spec: {containers: [{name: c, image: i}]}
      `),
      [
        'policies.yaml:7:12 metadata.generateName: "Bad_" is not a valid Namespace name prefix (a DNS-1123 label: lower-case letters, digits and \'-\', at most 63): it contains upper-case letters; it contains "_"; it must start and end with a letter or digit. Did you mean "bad"? [invalid-name]',
        'policies.yaml:11:1 metadata.name: is required: give the Namespace a name [missing-field]',
        'policies.yaml:3:22 warning: metadata.generateName: the API server gives the object a random name starting with "my-web-"; netfence calls it "my-web-xxxxx" [generated-name]',
        'policies.yaml:15:12 warning: metadata.generateName: the API server gives the object a random name starting with "web.-"; netfence calls it "web.-xxxxx" [generated-name]',
      ],
    );
  });

  test("a CronJob's name: at most 52 characters", () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        spec:
          schedule: '* * * * *'
          jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
        spec:
          schedule: '* * * * *'
          jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}
      `),
      [
        'policies.yaml:12:3 metadata.name: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" is 53 characters long: a CronJob name must be no more than 52 characters (its Jobs are named after it with an 11-character suffix) [invalid-name]',
      ],
    );
  });

  test('namespaces: checked for namespaced objects only; empty is none', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: ''}
        spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b, namespace: Bad_}
        spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: c, namespace: Bad_}
      `),
      [
        'policies.yaml:8:21 metadata.namespace: "Bad_" is not a valid namespace name (a DNS-1123 label: lower-case letters, digits and \'-\', at most 63): it contains upper-case letters; it contains "_"; it must start and end with a letter or digit. Did you mean "bad"? [invalid-name]',
      ],
    );
  });
});

describe('labels and annotations', () => {
  test('label keys and values: each reported once, with its suggestion; a bad key is not also a bad value', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: a
          labels: {"Bad Key": "bad value!", "a/": x, "a//": x, "/a": x, "Foo/bar": x, ok: "a b", n: 5, "on": yes}
        spec: {containers: [{name: c, image: i}]}
      `),
      [
        'policies.yaml:5:12 metadata.labels.Bad Key: label key "Bad Key" is not valid ([prefix/]name, the name at most 63 letters, digits, \'-\', \'_\' or \'.\'): it contains " ". Did you mean "Bad-Key"? [invalid-label-key]',
        "policies.yaml:5:37 metadata.labels.a/: label key \"a/\" is not valid ([prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'): the name part is empty [invalid-label-key]",
        "policies.yaml:5:46 metadata.labels.a//: label key \"a//\" is not valid ([prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'): it contains 2 '/', at most one is allowed (prefix/name) [invalid-label-key]",
        "policies.yaml:5:56 metadata.labels./a: label key \"/a\" is not valid ([prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'): the prefix before '/' is empty [invalid-label-key]",
        'policies.yaml:5:65 metadata.labels.Foo/bar: label key "Foo/bar" is not valid ([prefix/]name, the name at most 63 letters, digits, \'-\', \'_\' or \'.\'): the prefix "Foo" is not a DNS subdomain (it contains upper-case letters). Did you mean "foo/bar"? [invalid-label-key]',
        'policies.yaml:5:79 metadata.labels.ok: label value "a b" is not valid (at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit): it contains " ". Did you mean "a-b"? [invalid-label-value]',
        'policies.yaml:5:90 metadata.labels.n: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:5:96 metadata.labels.on: unquoted yes is the boolean true for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "yes" [yaml11-boolean]',
        'policies.yaml:5:90 warning: metadata.labels.n: unquoted key n is the boolean false for kubectl and Helm (YAML 1.1), which send the key "false": quote it: "n" [yaml11-boolean-key]',
      ],
    );
  });

  test('annotations: keys, string values, 256 KiB in all (keys and values)', () => {
    const pod = (name: string, annotations: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  annotations: ${annotations}\nspec: {containers: [{name: c, image: i}]}\n`;
    assert.deepEqual(
      lines(
        [
          pod('a', '{"Bad Key": x, n: 5, e: null, ok: v}'),
          pod('b', '5'),
          pod('c', `{k: ${'x'.repeat(262144 - 1)}}`),
          pod('d', `{k: ${'x'.repeat(262144)}}`),
        ].join('---\n'),
      ),
      [
        `policies.yaml:5:17 metadata.annotations.Bad Key: annotation key "Bad Key" is not valid ([prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'): it contains " ". Did you mean "Bad-Key"? [invalid-label-key]`,
        'policies.yaml:5:31 metadata.annotations.n: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:12:3 metadata.annotations: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:26:3 metadata.annotations: annotations take 262145 bytes in all: they must fit in 262144 (256 KiB) [annotations-too-long]',
      ],
    );
  });

  test('Cilium label keys: one source, letters and digits', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p, namespace: x}
        spec:
          endpointSelector:
            matchLabels: {"a:b:c": "x y", ":a": x, "-x:a": x, "x-:a": x, "-:a": x, "k8s:app": x, a_b: x, "k8s:Bad Key": "x y"}
          ingress: [{}]
      `),
      [
        'policies.yaml:6:19 spec.endpointSelector.matchLabels.a:b:c: label key "a:b:c" is not valid: a valid label key only support \':\' character as a source separator with non empty value (one "source:" prefix at most, e.g. "k8s:app") [invalid-label-key]',
        'policies.yaml:6:35 spec.endpointSelector.matchLabels.:a: label key ":a" is not valid: label source should be a non empty string with only alphanumeric characters ("k8s:", "any:", "reserved:") [invalid-label-key]',
        'policies.yaml:6:44 spec.endpointSelector.matchLabels.-x:a: label key "-x:a" is not valid: label source should be a non empty string with only alphanumeric characters ("k8s:", "any:", "reserved:") [invalid-label-key]',
        'policies.yaml:6:55 spec.endpointSelector.matchLabels.x-:a: label key "x-:a" is not valid: label source should be a non empty string with only alphanumeric characters ("k8s:", "any:", "reserved:") [invalid-label-key]',
        'policies.yaml:6:66 spec.endpointSelector.matchLabels.-:a: label key "-:a" is not valid: label source should be a non empty string with only alphanumeric characters ("k8s:", "any:", "reserved:") [invalid-label-key]',
        'policies.yaml:6:98 spec.endpointSelector.matchLabels.k8s:Bad Key: label key "Bad Key" is not valid ([prefix/]name, the name at most 63 letters, digits, \'-\', \'_\' or \'.\'): it contains " ". Did you mean "Bad-Key"? [invalid-label-key]',
      ],
    );
  });

  test('a label key with a source prefix is not a Kubernetes label key', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: a
          labels: {"k8s:app": x}
        spec: {containers: [{name: c, image: i}]}
      `),
      [
        'policies.yaml:5:12 metadata.labels.k8s:app: label key "k8s:app" is not valid ([prefix/]name, the name at most 63 letters, digits, \'-\', \'_\' or \'.\'): it contains ":". Did you mean "k8s-app"? [invalid-label-key]',
      ],
    );
  });
});

describe('selectors', () => {
  test('matchExpressions: each field checked at its path', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: w}
        spec:
          selector: {matchLabels: null, matchExpressions: 5}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: v}
        spec:
          selector: {matchExpressions: [null, {key: 5, operator: 5, values: 5}, {key: null, operator: null}, {key: "", operator: In, values: [a]}, {key: "Bad Key", operator: Exists}, {key: a, operator: In, values: [5, null, yes, "a b"]}, {key: a, operator: in, values: [a]}]}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
      `),
      [
        "policies.yaml:5:3 spec.selector: must not be empty for a StatefulSet: set matchLabels to the template's labels [empty-selector]",
        'policies.yaml:5:33 spec.selector.matchExpressions: must be a list, got 5 [wrong-type]',
        'policies.yaml:14:33 spec.selector.matchExpressions[0].key: is required: the label key to test [missing-field]',
        'policies.yaml:14:33 spec.selector.matchExpressions[0].operator: is required: one of In, NotIn, Exists, DoesNotExist [invalid-selector]',
        'policies.yaml:14:40 spec.selector.matchExpressions[1].key: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:14:40 spec.selector.matchExpressions[1].key: is required: the label key to test [missing-field]',
        'policies.yaml:14:48 spec.selector.matchExpressions[1].operator: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:14:61 spec.selector.matchExpressions[1].values: must be a list, got 5 [wrong-type]',
        'policies.yaml:14:74 spec.selector.matchExpressions[2].key: is required: the label key to test [missing-field]',
        'policies.yaml:14:85 spec.selector.matchExpressions[2].operator: is required: one of In, NotIn, Exists, DoesNotExist [invalid-selector]',
        'policies.yaml:14:103 spec.selector.matchExpressions[3].key: is required: the label key to test [missing-field]',
        'policies.yaml:14:141 spec.selector.matchExpressions[4].key: label key "Bad Key" is not valid ([prefix/]name, the name at most 63 letters, digits, \'-\', \'_\' or \'.\'): it contains " ". Did you mean "Bad-Key"? [invalid-label-key]',
        'policies.yaml:14:208 spec.selector.matchExpressions[5].values[0]: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:14:217 spec.selector.matchExpressions[5].values[2]: unquoted yes is the boolean true for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "yes" [yaml11-boolean]',
        'policies.yaml:14:222 spec.selector.matchExpressions[5].values[3]: label value "a b" is not valid (at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit): it contains " ". Did you mean "a-b"? [invalid-label-value]',
        'policies.yaml:14:240 spec.selector.matchExpressions[6].operator: "in" is not a selector operator: use In, NotIn, Exists or DoesNotExist. Did you mean "In"? [invalid-selector]',
      ],
    );
  });

  test('values required for In and NotIn, not allowed for Exists and DoesNotExist', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: w}
        spec:
          selector: {matchExpressions: [{key: app, operator: In, values: []}, {key: app, operator: NotIn}, {key: app, operator: In, values: [5]}, {key: app, operator: Exists, values: [5]}, {key: x, operator: DoesNotExist, values: [a]}, {key: app, operator: Exists}]}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
      `),
      [
        'policies.yaml:5:58 spec.selector.matchExpressions[0].values: must be non-empty when operator is In: list the values, or use Exists to match any value [invalid-selector]',
        'policies.yaml:5:71 spec.selector.matchExpressions[1].values: must be non-empty when operator is NotIn: list the values, or use DoesNotExist to match pods without the label [invalid-selector]',
        'policies.yaml:5:134 spec.selector.matchExpressions[2].values[0]: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:5:168 spec.selector.matchExpressions[3].values: must be empty when operator is Exists, got []: remove values, or use In [invalid-selector]',
        'policies.yaml:5:177 spec.selector.matchExpressions[3].values[0]: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:5:215 spec.selector.matchExpressions[4].values: must be empty when operator is DoesNotExist, got ["a"]: remove values, or use NotIn [invalid-selector]',
        'policies.yaml:7:16 spec.template.metadata.labels: selector does not match template labels: the selector requires app In, but the template has app=a. Make them agree [selector-mismatch]',
      ],
    );
  });

  test('a selector matches the template: each operator, failing and passing', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: ok}
        spec:
          selector: {matchExpressions: [{key: app, operator: In, values: [a, b]}, {key: tier, operator: NotIn, values: [db]}, {key: app, operator: Exists}, {key: x, operator: DoesNotExist}, {key: x, operator: NotIn, values: [a]}]}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: in}
        spec:
          selector: {matchExpressions: [{key: app, operator: In, values: [b, c]}]}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: in2}
        spec:
          selector: {matchExpressions: [{key: x, operator: In, values: [b]}]}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: notin}
        spec:
          selector: {matchExpressions: [{key: tier, operator: NotIn, values: [web]}]}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: exists}
        spec:
          selector: {matchExpressions: [{key: x, operator: Exists}]}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: dne}
        spec:
          selector: {matchExpressions: [{key: app, operator: DoesNotExist}]}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: badvalue}
        spec:
          selector: {matchLabels: {app: "a b"}}
          template:
            metadata: {labels: {app: a, tier: web}}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: tmeta}
        spec:
          selector: {matchLabels: {app: a}}
          template:
            metadata: {labels: {app: a}, annotations: 5, other: 1}
            spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: tlabels}
        spec:
          selector: {matchLabels: {app: a}}
          template:
            metadata: {labels: 5}
            spec: {containers: [{name: c, image: i}]}
      `),
      [
        'policies.yaml:16:16 spec.template.metadata.labels: selector does not match template labels: the selector requires app In (b, c), but the template has app=a. Make them agree [selector-mismatch]',
        'policies.yaml:25:16 spec.template.metadata.labels: selector does not match template labels: the selector requires x In (b), but the template has no label "x". Make them agree [selector-mismatch]',
        'policies.yaml:34:16 spec.template.metadata.labels: selector does not match template labels: the selector requires tier NotIn (web), but the template has tier=web. Make them agree [selector-mismatch]',
        'policies.yaml:43:16 spec.template.metadata.labels: selector does not match template labels: the selector requires x Exists, but the template has no label "x". Make them agree [selector-mismatch]',
        'policies.yaml:52:16 spec.template.metadata.labels: selector does not match template labels: the selector requires app DoesNotExist, but the template has app=a. Make them agree [selector-mismatch]',
        "policies.yaml:59:3 spec.selector: must not be empty for a StatefulSet: set matchLabels to the template's labels [empty-selector]",
        'policies.yaml:59:28 spec.selector.matchLabels.app: label value "a b" is not valid (at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit): it contains " ". Did you mean "a-b"? [invalid-label-value]',
        'policies.yaml:70:34 spec.template.metadata.annotations: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:79:16 spec.template.metadata.labels: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:79:16 spec.template.metadata.labels: selector does not match template labels: the selector requires app=a, but the template has no label "app". Make them agree [selector-mismatch]',
        'policies.yaml:70:50 warning: spec.template.metadata.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: name, generateName, namespace, selfLink, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers, managedFields [unknown-field]',
      ],
    );
  });
});

describe('owner references', () => {
  test('each field of an owner reference; one controller', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          ownerReferences:
            - null
            - 5
            - {apiVersion: v1, kind: ReplicaSet, name: r, uid: u, other: 1}
            - {name: ""}
            - {kind: ReplicaSet}
            - {apiVersion: 5, kind: ReplicaSet, name: r2, uid: "", controller: true, blockOwnerDeletion: x}
            - {apiVersion: apps/v1, kind: ReplicaSet, name: r3, uid: u3, controller: true}
            - {apiVersion: apps/v1, kind: ReplicaSet, name: r4, uid: u4, controller: "yes"}
        spec: {containers: [{name: c, image: i}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: q
          ownerReferences: 5
        spec: {containers: [{name: c, image: i}]}
      `),
      [
        'policies.yaml:6:7 metadata.ownerReferences[0]: must be an owner reference, got null [missing-field]',
        'policies.yaml:7:7 metadata.ownerReferences[1]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:9:8 metadata.ownerReferences[3].name: is required in an owner reference [missing-field]',
        'policies.yaml:10:7 metadata.ownerReferences[4].name: is required in an owner reference [missing-field]',
        'policies.yaml:11:8 metadata.ownerReferences[5].apiVersion: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:11:78 metadata.ownerReferences[5].blockOwnerDeletion: must be true or false, got "x" [wrong-type]',
        'policies.yaml:12:66 metadata.ownerReferences[6].controller: only one owner reference can have controller: true; an object has at most one controller [invalid-owner]',
        'policies.yaml:13:66 metadata.ownerReferences[7].controller: must be true or false, got "yes" [wrong-type]',
        'policies.yaml:20:3 metadata.ownerReferences: must be a list, got 5 [wrong-type]',
        'policies.yaml:8:59 warning: metadata.ownerReferences[2].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: apiVersion, kind, name, uid, controller, blockOwnerDeletion [unknown-field]',
        'policies.yaml:9:7 warning: metadata.ownerReferences[3].apiVersion: is required in an owner reference (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error) [missing-field]',
        'policies.yaml:9:7 warning: metadata.ownerReferences[3].kind: is required in an owner reference (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error) [missing-field]',
        'policies.yaml:9:7 warning: metadata.ownerReferences[3].uid: is required in an owner reference (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error) [missing-field]',
        'policies.yaml:10:7 warning: metadata.ownerReferences[4].apiVersion: is required in an owner reference (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error) [missing-field]',
        'policies.yaml:10:7 warning: metadata.ownerReferences[4].uid: is required in an owner reference (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error) [missing-field]',
        'policies.yaml:11:51 warning: metadata.ownerReferences[5].uid: is required in an owner reference (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error) [missing-field]',
      ],
    );
  });
});

describe('what is kept', () => {
  test('null label values and annotations are "", null matchLabels are none, a null value is ""', () => {
    const r = load(yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: n}
      spec:
        podSelector: {matchLabels: null, matchExpressions: [{key: a, operator: Exists}, {key: b, operator: In, values: [null, x]}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
        labels: {a: null, b: x}
        annotations: {e: null, k: v}
      spec: {containers: [{name: c, image: i}]}
    `);
    assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
    assert.deepEqual(r.state.policies[0]!.spec.podSelector, {
      matchExpressions: [
        { key: 'a', operator: 'Exists' },
        { key: 'b', operator: 'In', values: ['', 'x'] },
      ],
    });
    assert.deepEqual(r.state.pods[0]!.labels, { a: '', b: 'x' });
    assert.deepEqual(r.state.workloads[0]!.annotations, { e: '', k: 'v' });
  });
});
describe('more keys and owners', () => {
  test('a Cilium key with a bad value: the source is checked; a key with two problems; an owner name that is null', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p, namespace: x}
        spec:
          endpointSelector:
            matchLabels: {"k8s:app": "a b", "-x:a": "a b", "-a b": x}
          ingress: [{}]
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          ownerReferences: [{apiVersion: v1, kind: ReplicaSet, name: null, uid: u}]
        spec: {containers: [{name: c, image: i}]}
      `),
      [
        'policies.yaml:6:19 spec.endpointSelector.matchLabels.k8s:app: label value "a b" is not valid (at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit): it contains " ". Did you mean "a-b"? [invalid-label-value]',
        'policies.yaml:6:37 spec.endpointSelector.matchLabels.-x:a: label key "-x:a" is not valid: label source should be a non empty string with only alphanumeric characters ("k8s:", "any:", "reserved:") [invalid-label-key]',
        'policies.yaml:6:52 spec.endpointSelector.matchLabels.-a b: label key "-a b" is not valid ([prefix/]name, the name at most 63 letters, digits, \'-\', \'_\' or \'.\'): it contains " "; it must start and end with a letter or digit. Did you mean "a-b"? [invalid-label-key]',
        'policies.yaml:13:56 metadata.ownerReferences[0].name: is required in an owner reference [missing-field]',
      ],
    );
  });
});

describe('owners kept', () => {
  test('the controller owner (or the first) groups a pod; an owner of another API group or without a kind is none', () => {
    const pod = (name: string, owners: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  ownerReferences: ${owners}\nspec: {containers: [{name: c, image: i}]}\n`;
    const r = load(
      [
        pod(
          'p1',
          '[{apiVersion: apps/v1, kind: ReplicaSet, name: a, uid: u1}, {apiVersion: apps/v1, kind: ReplicaSet, name: b, uid: u2, controller: true}]',
        ),
        pod(
          'p2',
          '[{apiVersion: apps/v1, kind: ReplicaSet, name: r, uid: u3}, {apiVersion: apps/v1, kind: ReplicaSet, name: s, uid: u4}]',
        ),
        pod(
          'p3',
          '[{apiVersion: v1, name: x, uid: u5, controller: true}, {apiVersion: apps/v1, kind: ReplicaSet, name: t, uid: u6}]',
        ),
        pod('p4', '[{apiVersion: example.com/v1, kind: ReplicaSet, name: r, uid: u7}]'),
      ].join('---\n'),
    );
    assert.deepEqual(r.errors.map(formatProblem), []);
    assert.deepEqual(
      r.state.pods.map((p) => [p.name, p.workload]),
      [
        ['p1', 'default/ReplicaSet/b'],
        ['p2', 'default/ReplicaSet/r'],
        ['p3', 'default/ReplicaSet/t'],
        ['p4', 'default/Pod/p4'],
      ],
    );
  });
});

describe('selectorMatches', () => {
  test('the API semantics: {} matches all; every label and expression must hold', () => {
    assert.equal(selectorMatches({}, {}), true);
    assert.equal(selectorMatches({ matchLabels: { a: 'b' } }, { a: 'b', c: 'd' }), true);
    assert.equal(selectorMatches({ matchLabels: { a: 'b' } }, { a: 'c' }), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, {}), false);
  });
});
