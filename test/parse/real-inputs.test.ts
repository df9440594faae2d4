/** Reading inputs people really have: concatenated files, stray fields, duplicates, YAML 1.1 values. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPath, formatProblem } from '../../src/model/problem.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { LENIENT_NOTE } from '../../src/parse/validate/report.ts';
import { load, problems, yaml } from './helpers.ts';

describe('concatenated files', () => {
  test('a missing --- between two objects is named as such', () => {
    const text = yaml`
      apiVersion: v1
      kind: Namespace
      metadata: {name: a}
      apiVersion: v1
      kind: Namespace
      metadata: {name: b}
    `;
    assert.deepEqual(problems(text), [
      'policies.yaml:4:1 invalid YAML: the key "apiVersion" appears twice: is a `---` missing between two documents? Put a line `---` before the second object',
    ]);
  });

  test('a key repeated inside an object is not taken for a missing ---', () => {
    const text = yaml`
      apiVersion: v1
      kind: Namespace
      metadata:
        name: a
        name: b
    `;
    assert.deepEqual(problems(text), [
      'policies.yaml:5:3 invalid YAML: the key "name" appears twice in the same mapping; keep one',
    ]);
  });
});

describe('fields that do not change connectivity', () => {
  // Each is rejected by the API server, but changes nothing netfence computes.
  const text = yaml`
    apiVersion: v1
    kind: Pod
    metadata:
      name: Web_1
      labels: {app: web}
      ownerReferences:
        - {kind: ReplicaSet, name: web-abc}
    spec:
      containers:
        - name: Main
          ports: [{name: http, containerPort: 80}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports:
        - {name: HTTP, port: 80}
        - {port: 443}
  `;

  test('are warnings: the objects are kept as written', () => {
    const result = load(text);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.warnings.map((w) => `${w.line}:${w.column} ${formatPath(w.path)} ${w.code}`),
      [
        '4:3 metadata.name invalid-name',
        '7:7 metadata.ownerReferences[0].apiVersion missing-field',
        '7:7 metadata.ownerReferences[0].uid missing-field',
        '10:7 spec.containers[0].name invalid-name',
        '10:7 spec.containers[0].image missing-field',
        '19:8 spec.ports[0].name invalid-name',
        '20:7 spec.ports[1].name missing-field',
      ],
    );
    assert.ok(result.warnings.every((w) => w.message.endsWith(LENIENT_NOTE)));
    assert.deepEqual(
      result.state.pods.map((p) => [p.name, p.labels, p.namedPorts]),
      [['Web_1', { app: 'web' }, [{ name: 'http', port: 80, protocol: 'TCP' }]]],
    );
    assert.deepEqual(
      result.state.services.map((s) => s.id),
      ['default/web'],
    );
  });

  test('with strict, they are errors, as the API server rejects them', () => {
    const result = load(text, 'policies.yaml', 'default', true);
    assert.equal(result.errors.length, 7);
    assert.ok(result.errors.every((e) => !e.message.includes(LENIENT_NOTE)));
    assert.deepEqual(result.state.pods, []);
    assert.deepEqual(result.state.services, []);
  });

  test('skipInvalid never drops an object for them', () => {
    const parsed = parseManifestText(text, 'policies.yaml');
    const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: true });
    assert.deepEqual(built.skipped, []);
    assert.equal(built.state.pods.length, 1);
    assert.equal(built.state.services.length, 1);
  });

  test('an unknown field is a warning that names the field meant; with strict, an error', () => {
    const policy = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: db, namespace: data}
      spec:
        podSelecter: {matchLabels: {app: db}}
        policyTypes: [Ingress]
    `;
    const lenient = load(policy);
    assert.deepEqual(lenient.errors, []);
    assert.deepEqual(lenient.warnings.map(formatProblem), [
      `policies.yaml:5:3 warning: spec.podSelecter: unknown field "podSelecter": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Did you mean "podSelector"?`,
    ]);
    // Read as the API server without strict validation reads it: the field dropped, every pod selected.
    assert.equal(lenient.state.policies.length, 1);
    assert.equal(lenient.state.policies[0]?.spec.podSelector, undefined);
    const strict = load(policy, 'policies.yaml', 'default', true);
    assert.deepEqual(
      strict.errors.map((e) => e.code),
      ['unknown-field'],
    );
    assert.deepEqual(strict.state.policies, []);
  });
});

describe('duplicates', () => {
  const deployment = (name: string, extra = ''): string => yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: ${name}${extra}}
    spec:
      selector: {matchLabels: {app: ${name}}}
      template:
        metadata: {labels: {app: ${name}}}
        spec: {containers: [{name: c, image: i}]}
  `;

  test('identical definitions (up to uid, resourceVersion, creationTimestamp, managedFields) merge with one note', () => {
    const a = parseManifestText(`${deployment('web')}---\n${deployment('api')}`, 'a.yaml');
    const b = parseManifestText(
      `${deployment('web', ', uid: 1234, resourceVersion: "7"')}---\n${deployment('api', ', creationTimestamp: null')}`,
      'b.yaml',
    );
    const built = buildClusterState([...a.objects, ...b.objects], {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    assert.deepEqual(built.errors, []);
    assert.deepEqual(built.warnings.map(formatProblem), [
      'b.yaml:1:1 note: 2 objects are defined again, identically (up to uid, resourceVersion, creationTimestamp and managedFields), and read once: default/Deployment/web (b.yaml:1, as at a.yaml:1), default/Deployment/api (b.yaml:10, as at a.yaml:10)',
    ]);
    assert.deepEqual(
      built.state.workloads.map((w) => w.id),
      ['default/Deployment/api', 'default/Deployment/web'],
    );
  });

  test('definitions that differ stay an error naming both places', () => {
    const a = parseManifestText(deployment('web'), 'a.yaml');
    const b = parseManifestText(deployment('web').replace('image: i', 'image: j'), 'b.yaml');
    const built = buildClusterState([...a.objects, ...b.objects], {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    assert.deepEqual(built.errors.map(formatProblem), [
      'b.yaml:3:12 metadata.name: Deployment "default/web" is defined twice: first at a.yaml:1:1. Keep one definition',
    ]);
  });

  test('many differing duplicates between the same two files are one summary line', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const v1 = parseManifestText(names.map((n) => deployment(n)).join('---\n'), 'v1.yaml');
    const v2 = parseManifestText(
      names.map((n) => deployment(n).replace('image: i', 'image: j')).join('---\n'),
      'v2.yaml',
    );
    const built = buildClusterState([...v1.objects, ...v2.objects], {
      defaultNamespace: 'default',
      skipInvalid: false,
    });
    assert.deepEqual(built.errors.map(formatProblem), [
      'v2.yaml:3:12 5 objects of v2.yaml are defined in v1.yaml too, differently: default/Deployment/a (line 3, first at line 3), default/Deployment/b (line 12, first at line 12), default/Deployment/c (line 21, first at line 21) and 2 more. Keep one definition of each (is one of the two files an old copy of the other?)',
    ]);
    // Each object is still left out, and listed one by one with --skip-invalid.
    const skipped = buildClusterState([...v1.objects, ...v2.objects], {
      defaultNamespace: 'default',
      skipInvalid: true,
    });
    assert.equal(skipped.skipped.length, 5);
  });
});

describe('YAML 1.1 booleans', () => {
  test('an unquoted yes, on or n as a label or selector value is rejected, as kubectl would', () => {
    const text = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
        labels: {enabled: yes, quoted: "on", word: yesterday}
      spec:
        podSelector:
          matchLabels: {canary: n}
          matchExpressions:
            - {key: debug, operator: In, values: [off, "no"]}
    `;
    assert.deepEqual(problems(text), [
      'policies.yaml:5:12 metadata.labels.enabled: unquoted yes is the boolean true for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "yes"',
      'policies.yaml:8:19 spec.podSelector.matchLabels.canary: unquoted n is the boolean false for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "n"',
      'policies.yaml:10:45 spec.podSelector.matchExpressions[0].values[0]: unquoted off is the boolean false for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "off"',
    ]);
  });

  test('an unquoted on as a label key is a warning: kubectl sends the key "true"', () => {
    const text = yaml`
      apiVersion: v1
      kind: Namespace
      metadata:
        name: a
        labels: {on: x, "yes": z}
    `;
    assert.deepEqual(problems(text), [
      'policies.yaml:5:12 warning: metadata.labels.on: unquoted key on is the boolean true for kubectl and Helm (YAML 1.1), which send the key "true": quote it: "on"',
    ]);
  });

  test('JSON strings are quoted: no problem', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'a', labels: { enabled: 'yes' } },
    });
    assert.deepEqual(problems(json, 'ns.json'), []);
  });
});
