/**
 * Input formats and files: multi-document YAML, Lists, JSON, folders, stdin, Helm output, namespaces,
 * terminated pods, and "empty is not absent".
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../../src/model/problem.ts';
import {
  buildClusterState,
  describeIgnored,
  loadManifests,
  parseManifestText,
} from '../../src/parse/index.ts';
import type { LoadOptions } from '../../src/parse/index.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';
import { load, yaml } from './helpers.ts';

const F = join(import.meta.dirname, '../fixtures/parse');
const options: LoadOptions = { defaultNamespace: 'default', skipInvalid: false };

describe('multi-document YAML', () => {
  test('reads every document, skips empty and comment-only ones, counts other kinds', async () => {
    // Empty documents (`---` twice, a comment between separators) are normal in generated output.
    const r = await loadManifests([join(F, 'multi-doc.yaml')], options);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(
      r.state.namespaces.map((n) => ({ name: n.name, implicit: n.implicit, labels: n.labels })),
      [{ name: 'shop', implicit: false, labels: { 'kubernetes.io/metadata.name': 'shop' } }],
    );
    assert.deepEqual(
      r.state.policies.map((p) => [p.id, p.spec]),
      [['shop/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }]],
    );
    const origin = r.state.policies[0]!.origin!;
    assert.deepEqual([origin.line, origin.column], [11, 1]);
    assert.deepEqual(origin.locate?.(['spec', 'policyTypes', 1]), {
      file: join(F, 'multi-doc.yaml'),
      line: 18,
      column: 26,
    });
    assert.deepEqual(r.ignored, { count: 1, kinds: { ConfigMap: 1 }, files: 0 });
  });

  test('a stray non-Kubernetes document next to objects is a warning', () => {
    const r = parseManifestText(
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nfoo: bar\n',
      'mixed.yaml',
    );
    assert.equal(r.objects.length, 1);
    assert.equal(r.nonK8sDocuments, 1);
    assert.deepEqual(r.warnings.map(formatProblem), [
      'mixed.yaml:5:1 warning: this document is not a Kubernetes object (it has no apiVersion and kind): ignored',
    ]);
  });
});

describe('Lists and JSON', () => {
  test('kind: List, a nested NetworkPolicyList, a PodList whose items have no kind', async () => {
    // `kubectl get -o yaml` wraps objects in a List; the API's own *List items carry no apiVersion/kind.
    const r = await loadManifests([join(F, 'list.yaml'), join(F, 'pod-list.json')], options);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.policies.map((p) => [p.id, p.origin?.line, p.origin?.column]),
      [
        ['shop/allow-web', 14, 5],
        ['shop/nested', 28, 9],
      ],
    );
    assert.deepEqual(
      r.state.services.map((s) => [s.id, s.spec]),
      [['shop/web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] }]],
    );
    assert.deepEqual(
      r.state.pods.map((p) => ({ name: p.name, workload: p.workload, ips: p.ips, namedPorts: p.namedPorts })),
      [
        {
          name: 'web-0',
          workload: 'shop/Pod/web-0',
          ips: ['10.1.0.5', 'fd00::5'],
          namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    );
    // Positions inside a List item are the item's own: the Service's port line.
    const service = r.state.services[0]!.origin!;
    assert.deepEqual(service.locate?.(['spec', 'ports', 0, 'targetPort']), {
      file: join(F, 'list.yaml'),
      line: 13,
      column: 11,
    });
  });

  test('a single JSON document, and a stream of JSON values', async () => {
    const r = await loadManifests([join(F, 'single.json'), join(F, 'concatenated.json')], options);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.policies.map((p) => [p.id, p.spec.ingress]),
      [
        [
          'shop/from-json',
          [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
        ],
      ],
    );
    assert.deepEqual(
      r.state.namespaces.map((n) => [n.name, n.implicit]),
      [
        ['one', false],
        ['shop', true],
        ['two', false],
      ],
    );
  });

  test('problems in the second value of a JSON stream point at its line', () => {
    // JSON Lines (one object per line, as `jq -c` writes) is not YAML; positions must still be right.
    const text =
      '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ok"}}\n{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"Bad"}}\n';
    const r = load(text, 'stream.json');
    assert.deepEqual(r.errors.map(formatProblem), [
      `stream.json:2:51 metadata.name: "Bad" is not a valid Namespace name (a DNS-1123 label: lower-case letters, digits and '-', at most 63): it contains upper-case letters. Did you mean "bad"?`,
    ]);
  });

  test('a JSON syntax error in a later value of a stream is reported at its own line and column', () => {
    const ns = (name: string) => `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"${name}"}}`;
    // Lines 3 and 5: the third value starts indented on line 3, its error is two lines further down.
    const text = `${ns('a')}\n${ns('b')}\n  {"apiVersion":"v1",\n   "kind":"Namespace",\n   "metadata":{"name":"c",}}\n`;
    const r = parseManifestText(text, 'stream.json');
    assert.deepEqual(r.errors.map(formatProblem), [
      `stream.json:5:27 invalid JSON: Expected double-quoted property name`,
    ]);
  });

  test('a JSON syntax error whose message has no position is reported where it is', () => {
    // JSON.parse says `Unexpected token '}', "…" is not valid JSON` with no position: it is the `}` after `tru`.
    const stream = `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}\n\n{"apiVersion":"v1","kind":"ConfigMap","data":{"on": tru}}\n`;
    assert.deepEqual(parseManifestText(stream, 'stream.json').errors.map(formatProblem), [
      `stream.json:3:56 invalid JSON: Unexpected token '}', ..."{"on": tru}}" is not valid JSON`,
    ]);
    // Cut short (unbalanced, so not a stream): after the last thing written, not on the blank line after it.
    const cut = '{\n  "apiVersion": "v1",\n  "kind": "Namespace",\n  "metadata": {"name": "a"\n\n';
    assert.deepEqual(parseManifestText(cut, 'cut.json').errors.map(formatProblem), [
      `cut.json:4:27 invalid JSON: Expected ',' or '}' after property value`,
    ]);
  });

  test('a JSON syntax error in a .json file is reported as JSON, with its position', () => {
    const r = parseManifestText(
      '{\n  "apiVersion": "v1",\n  "kind": "Namespace"\n  "metadata": {}\n}\n',
      'bad.json',
    );
    assert.deepEqual(r.errors.map(formatProblem), [
      `bad.json:4:3 invalid JSON: Expected ',' or '}' after property value`,
    ]);
  });
});

describe('folders, stdin, missing paths', () => {
  test('folders are read recursively in name order; hidden entries and node_modules are skipped', async () => {
    // node_modules cannot be committed (it is git-ignored): copy the tree and add one.
    const dir = await mkdtemp(join(tmpdir(), 'netfence-tree-'));
    try {
      await cp(join(F, 'tree'), dir, { recursive: true });
      await mkdir(join(dir, 'node_modules/some-chart'), { recursive: true });
      await writeFile(
        join(dir, 'node_modules/some-chart/ns.yaml'),
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: from-node-modules}\n',
      );
      const r = await loadManifests([dir], options);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(
        [...r.state.policies.map((p) => p.origin?.file), ...r.state.workloads.map((w) => w.origin?.file)],
        [join(dir, 'apps/policy.json'), join(dir, 'apps/backend/api.yml')],
      );
      // "hidden" (in .hidden/) and "from-node-modules" are never read.
      assert.deepEqual(
        r.state.namespaces.map((n) => [n.name, n.labels]),
        [['tree', { team: 'platform', 'kubernetes.io/metadata.name': 'tree' }]],
      );
      // package.json is a file with no Kubernetes objects; the Ingress is an object of another kind.
      assert.deepEqual(r.ignored, { count: 1, kinds: { Ingress: 1 }, files: 1 });
      assert.equal(
        describeIgnored(r.ignored),
        'Ignored 1 object of another kind (Ingress ×1) and 1 file with no Kubernetes objects.',
      );
      // Named explicitly, node_modules is read like any folder.
      const explicit = await loadManifests([join(dir, 'node_modules')], options);
      assert.deepEqual(
        explicit.state.namespaces.map((n) => n.name),
        ['from-node-modules'],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('"-" reads standard input through readStdin', async () => {
    const stdin = yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: from-stdin
      spec:
        podSelector: {}
        ingress:
          - ports:
              - port: 0
    `;
    const r = await loadManifests(['-'], { ...options, readStdin: () => Promise.resolve(stdin) });
    assert.deepEqual(r.errors.map(formatProblem), [
      '<stdin>:9:11 spec.ingress[0].ports[0].port: must be between 1 and 65535, got 0',
    ]);
    assert.deepEqual(r.state.policies, []);
  });

  test('a missing path, an empty folder, and a file given twice', async () => {
    const r = await loadManifests(
      [join(F, 'nope.yaml'), join(F, 'tree/.hidden'), join(F, 'single.json'), join(F, 'single.json')],
      options,
    );
    assert.deepEqual(r.errors.map(formatProblem), [
      `${join(F, 'nope.yaml')} path "${join(F, 'nope.yaml')}" does not exist`,
    ]);
    // .hidden has one .yaml file: a hidden folder given explicitly is read.
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(
      r.state.namespaces.map((n) => n.name),
      ['hidden', 'shop'],
    );
    assert.deepEqual(
      r.state.policies.map((p) => p.id),
      ['shop/from-json'],
    );
  });

  test('a folder given twice is read once, without a warning', async () => {
    const r = await loadManifests([join(F, 'tree'), join(F, 'tree/')], options);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.policies.map((p) => p.id),
      ['tree/api-ingress'],
    );
    assert.equal(r.ignored.files, 1);
  });

  test('symlinks: a linked file or folder is read as what it points at, once; dangling links and loops end', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netfence-links-'));
    try {
      const ns = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`;
      await mkdir(join(dir, 'real'));
      await writeFile(join(dir, 'real/a.yaml'), ns('a'));
      await writeFile(join(dir, 'b.yaml'), ns('b'));
      await symlink(join(dir, 'real'), join(dir, 'linked-folder')); // the same folder again: read once
      await symlink(join(dir, 'b.yaml'), join(dir, 'c-link.yaml')); // the same file again: read once
      await symlink(join(dir, 'gone.yaml'), join(dir, 'dangling.yaml'));
      await symlink(dir, join(dir, 'real/loop')); // back to the top
      const other = await mkdtemp(join(tmpdir(), 'netfence-links-other-'));
      try {
        await writeFile(join(other, 'd.yaml'), ns('d'));
        await symlink(join(other, 'd.yaml'), join(dir, 'real/d-link.yaml'));
        const r = await loadManifests([dir], options);
        assert.deepEqual(r.errors, []);
        assert.deepEqual(r.warnings, []);
        // Name order, depth first: b.yaml, c-link.yaml (b.yaml again: skipped), dangling.yaml (skipped),
        // linked-folder/ (real/, read through the link: a.yaml, d-link.yaml, loop/ back to the top: skipped),
        // real/ (seen). Namespaces come sorted by name.
        assert.deepEqual(
          r.state.namespaces.filter((n) => !n.implicit).map((n) => [n.name, n.origin?.file]),
          [
            ['a', join(dir, 'linked-folder/a.yaml')],
            ['b', join(dir, 'b.yaml')],
            ['d', join(dir, 'linked-folder/d-link.yaml')],
          ],
        );
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a folder without manifests is a warning', async () => {
    const dir = join(F, 'no-manifests');
    const r = await loadManifests([dir], options);
    assert.deepEqual(r.warnings.map(formatProblem), [
      `${dir} warning: folder "${dir}" has no .yaml, .yml or .json files`,
    ]);
    assert.deepEqual(r.ignored, { count: 0, kinds: {}, files: 0 });
    assert.equal(r.found, 0);
    assert.equal(
      r.noManifests,
      `no manifests found in ${dir} (folder "${dir}" has no .yaml, .yml or .json files)`,
    );
  });

  test('a binary file is not parsed: it counts with the files without objects, and is named when nothing else is found', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netfence-binary-'));
    try {
      await writeFile(
        join(dir, 'sealed.yaml'),
        Buffer.concat([Buffer.from('kind: Secret\n'), Buffer.from([0, 1, 2])]),
      );
      const alone = await loadManifests([dir], options);
      assert.deepEqual([alone.errors, alone.warnings, alone.found], [[], [], 0]);
      assert.equal(alone.ignored.files, 1);
      assert.equal(
        alone.noManifests,
        `no manifests found in ${dir} ("${join(dir, 'sealed.yaml')}" is a binary file)`,
      );
      const stdin = await loadManifests(['-'], { ...options, readStdin: () => Promise.resolve('a: 1\n\0') });
      assert.equal(
        stdin.noManifests,
        'no manifests found in standard input (standard input is a binary file)',
      );
      // As git: the first 8,000 bytes decide, not characters (here 4,100 characters of two bytes come first).
      await writeFile(
        join(dir, 'sealed.yaml'),
        `# ${'é'.repeat(4100)}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n# \0\n`,
      );
      const late = await loadManifests([dir], options);
      assert.equal(late.ignored.files, 0);
      assert.doesNotMatch(late.noManifests ?? '', /binary/);
      await writeFile(join(dir, 'sealed.yaml'), Buffer.concat([Buffer.from('a: 1\n'), Buffer.from([0])]));
      const beside = await loadManifests([dir, join(F, 'single.json')], options);
      assert.equal(beside.noManifests, undefined);
      assert.ok(beside.found > 0);
      assert.equal(beside.ignored.files, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('objects that fail to parse are found: the input is invalid, not empty', async () => {
    const r = await loadManifests(['-'], {
      ...options,
      skipInvalid: true,
      readStdin: () => Promise.resolve('apiVersion: v1\nkind: Pod\nmetadata: {name: 7}\n'),
    });
    assert.equal(r.noManifests, undefined);
    assert.equal(r.found, 1);
  });
});

describe('helm template output', () => {
  test('Source comments, a template that renders nothing, objects without a namespace', async () => {
    const r = await loadManifests([join(F, 'helm.yaml')], options);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.ignored, { count: 1, kinds: { ServiceAccount: 1 }, files: 0 });
    assert.deepEqual(
      r.state.workloads.map((w) => [w.id, w.replicas, w.pods]),
      [
        ['default/Deployment/release-shop', 2, []],
        ['default/Pod/release-shop-test-connection', 1, ['release-shop-test-connection']],
      ],
    );
    assert.deepEqual(
      r.state.policies.map((p) => [p.id, p.origin?.line]),
      [['default/release-shop', 70]],
    );
    assert.deepEqual(r.state.namespaces, [
      { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' }, implicit: true },
    ]);
  });
});

describe('namespaces', () => {
  const text = yaml`
    apiVersion: v1
    kind: Namespace
    metadata:
      name: prod
      labels:
        env: prod
        kubernetes.io/metadata.name: wrong
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: a, namespace: prod}
    spec: {}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: b, namespace: staging}
    spec: {}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: c}
    spec: {}
  `;

  test('explicit namespaces get the name label (overriding), referenced ones exist implicitly', () => {
    const r = load(text, 'ns.yaml', 'team');
    assert.deepEqual(
      r.state.namespaces.map((n) => ({ name: n.name, labels: n.labels, implicit: n.implicit })),
      [
        { name: 'prod', labels: { env: 'prod', 'kubernetes.io/metadata.name': 'prod' }, implicit: false },
        { name: 'staging', labels: { 'kubernetes.io/metadata.name': 'staging' }, implicit: true },
        { name: 'team', labels: { 'kubernetes.io/metadata.name': 'team' }, implicit: true },
      ],
    );
    assert.deepEqual(
      r.state.policies.map((p) => p.id),
      ['prod/a', 'staging/b', 'team/c'],
    );
    assert.deepEqual(r.warnings.map(formatProblem), [
      `ns.yaml:7:5 warning: metadata.labels.kubernetes.io/metadata.name: is set by the API server to the namespace's name: "wrong" is replaced with "prod"`,
    ]);
  });

  test('an invalid default namespace is an error without a file', () => {
    const r = buildClusterState([], { defaultNamespace: 'Team_A', skipInvalid: false });
    assert.deepEqual(r.errors.map(formatProblem), [
      'default namespace "Team_A" is not a valid namespace name: it contains upper-case letters; it contains "_"',
    ]);
  });
});

describe('generateName', () => {
  test('an object with only generateName gets a stand-in name, unique per prefix, and a warning', () => {
    // `kubectl create` accepts it (the API picks a random suffix); netfence still needs a name to refer to.
    const r = load(
      yaml`
        apiVersion: v1
        kind: Pod
        metadata: {generateName: migrate-}
        spec: {restartPolicy: Never, containers: [{name: m, image: migrate:1}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {generateName: migrate-}
        spec: {restartPolicy: Never, containers: [{name: m, image: migrate:1}]}
      `,
      'jobs.yaml',
    );
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.pods.map((p) => [p.name, p.workload]),
      [
        ['migrate-xxxx2', 'default/Pod/migrate-xxxx2'],
        ['migrate-xxxxx', 'default/Pod/migrate-xxxxx'],
      ],
    );
    assert.deepEqual(r.warnings.map(formatProblem), [
      'jobs.yaml:3:12 warning: metadata.generateName: the API server gives the object a random name starting with "migrate-"; netfence calls it "migrate-xxxxx"',
      'jobs.yaml:8:12 warning: metadata.generateName: the API server gives the object a random name starting with "migrate-"; netfence calls it "migrate-xxxx2"',
    ]);
  });
});

describe('skipInvalid', () => {
  test('invalid objects and unreadable documents are skipped, the rest is analyzed', async () => {
    const file = join(F, 'skip-invalid.yaml');
    const r = await loadManifests([file], { ...options, skipInvalid: true });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.skipped, [
      {
        object: 'mixed/NetworkPolicy/bad',
        file,
        line: 7,
        reason:
          'spec.ingress[0].ports[0].endPort: must be ≥ port (80), got 70; spec.ingress[0].ports[1].protocol: "tcp" is not supported: protocols are case-sensitive. Did you mean "TCP"?',
      },
      {
        object: 'document',
        file,
        line: 21,
        reason: 'invalid YAML: Nested mappings are not allowed in compact mappings',
      },
    ]);
    assert.deepEqual(
      r.state.policies.map((p) => p.id),
      ['mixed/good'],
    );
    assert.deepEqual(
      r.state.pods.map((p) => p.name),
      ['ok'],
    );
  });

  test('without it, errors are returned and the state holds the valid objects only', async () => {
    const file = join(F, 'skip-invalid.yaml');
    const r = await loadManifests([file], options);
    assert.deepEqual(
      r.errors.map((e) => [e.line, e.code]),
      [
        [15, 'invalid-end-port'],
        [16, 'invalid-protocol'],
        [21, 'yaml-syntax'],
      ],
    );
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(
      r.state.policies.map((p) => p.id),
      ['mixed/good'],
    );
  });
});

describe('terminated pods', () => {
  test('pods in phase Succeeded or Failed are left out, with one warning', async () => {
    // A terminated pod has no network presence, and its IP may already belong to another pod.
    const r = await loadManifests([join(F, 'terminated.yaml')], options);
    assert.deepEqual(
      r.state.pods.map((p) => [p.name, p.ips]),
      [
        ['pending', []],
        ['running', ['10.2.0.1']],
      ],
    );
    assert.deepEqual(r.warnings.map(formatProblem), [
      'warning: left out 2 terminated pods (phase Succeeded or Failed: no network presence, and their IPs may be reused): jobs/done, jobs/crashed',
    ]);
  });
});

describe('empty is not absent', () => {
  test('ingress: [] vs absent, namespaceSelector: {} vs absent, null items as {}', async () => {
    const r = await loadManifests([join(F, 'preserve.yaml')], options);
    assert.deepEqual(r.errors, []);
    const spec = (name: string): NetworkPolicySpec => {
      const found = r.state.policies.find((p) => p.name === name);
      assert.ok(found, name);
      return found.spec;
    };
    // `ingress: []` denies all ingress; no `ingress` field with policyTypes [Egress] leaves ingress alone.
    assert.deepEqual(spec('deny-ingress'), { podSelector: {}, ingress: [] });
    assert.deepEqual(spec('no-ingress-field'), { podSelector: {}, policyTypes: ['Egress'] });
    assert.equal('ingress' in spec('no-ingress-field'), false);
    assert.deepEqual(spec('peers'), {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [
        {
          from: [
            // {} is every namespace; an absent namespaceSelector is the policy's own namespace.
            { namespaceSelector: {} },
            { podSelector: { matchLabels: { app: 'web' } } },
            { namespaceSelector: {}, podSelector: {} },
          ],
        },
        {},
        // "-" with nothing after it is null, which the API decodes as an empty rule (allow all).
        {},
      ],
      egress: [{ to: [], ports: [] }],
    });
    const peers = spec('peers').ingress?.[0]?.from ?? [];
    assert.equal('podSelector' in peers[0]!, false);
    assert.equal('namespaceSelector' in peers[1]!, false);
  });
});

describe('other kinds', () => {
  test('a third-party NetworkPolicy is another kind, not a wrong version', () => {
    // Calico's projectcalico.org/v3 NetworkPolicy shares the name; it is not an outdated networking.k8s.io one.
    const parsed = parseManifestText(
      'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {selector: all()}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
      'crd.yaml',
    );
    const r = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.ignored, {
      count: 3,
      kinds: { 'NetworkPolicy (projectcalico.org/v3)': 1, ConfigMap: 2 },
      files: 0,
    });
    assert.equal(
      describeIgnored(r.ignored),
      'Ignored 3 objects of other kinds (ConfigMap ×2, NetworkPolicy (projectcalico.org/v3) ×1).',
    );
  });

  test('describeIgnored: nothing, files only, one object', () => {
    assert.equal(describeIgnored({ count: 0, kinds: {}, files: 0 }), undefined);
    assert.equal(
      describeIgnored({ count: 0, kinds: {}, files: 2 }),
      'Ignored 2 files with no Kubernetes objects.',
    );
    assert.equal(
      describeIgnored({ count: 1, kinds: { Secret: 1 }, files: 0 }),
      'Ignored 1 object of another kind (Secret ×1).',
    );
  });
});

describe('raw YAML stays reachable', () => {
  test('a linter can see how a scalar was written', () => {
    // `port: 08080` is a string in YAML 1.2 and a number in YAML 1.1: the parser keeps the source for the linter.
    const [object] = parseManifestText(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  ingress:\n    - ports:\n        - port: "80"\n          endPort: 0x50\n',
      'raw.yaml',
    ).objects;
    assert.ok(object !== undefined);
    assert.equal(object.sourceText(['spec', 'ingress', 0, 'ports', 0, 'port']), '"80"');
    assert.equal(object.sourceText(['spec', 'ingress', 0, 'ports', 0, 'endPort']), '0x50');
    const node = object.nodeAt(['spec', 'ingress', 0, 'ports', 0, 'port']);
    assert.equal((node as { type?: string } | undefined)?.type, 'QUOTE_DOUBLE');
    assert.equal(object.document?.contents, object.node);
  });
});
