/**
 * src/parse/build.ts, what mutation testing found untested (issue #20, round 8): the default namespace check,
 * ignored kinds, terminated pods, merged and differing duplicates (their notes, summaries and positions),
 * skipped objects' reasons, the order of an object's problems, namespaces, endpoints, Cilium metadata, the
 * check memo and the origins read again from the text.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { StateBuilder, sameObject, unknownFieldsOf } from '../../src/parse/build.ts';
import type { CheckMemo, StoredCheck } from '../../src/parse/build.ts';
import type { ParsedObject } from '../../src/parse/types.ts';

const OPTIONS = { defaultNamespace: 'default', skipInvalid: false };

function parse(text: string, file = 'a.yaml'): ParsedObject[] {
  const parsed = parseManifestText(text, file);
  assert.deepEqual(parsed.errors, []);
  return parsed.objects;
}

function build(
  objects: readonly ParsedObject[],
  options: Partial<typeof OPTIONS> & { strict?: boolean } = {},
) {
  return buildClusterState(objects, { ...OPTIONS, ...options });
}

const pod = (namespace: string, name: string, phase = 'Running'): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {containers: [{name: c, image: i}]}\nstatus: {phase: ${phase}}\n`;

const deployment = (name: string, image = 'i', extra = ''): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}${extra}}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: ${image}}]}\n`;

describe('build: the default namespace', () => {
  test('an invalid default namespace is one error, naming every problem of the name', () => {
    const r = buildClusterState([], { defaultNamespace: 'Bad_NS', skipInvalid: false });
    assert.deepEqual(r.errors, [
      {
        code: 'invalid-default-namespace',
        severity: 'error',
        message:
          'default namespace "Bad_NS" is not a valid namespace name: it contains upper-case letters; it contains "_"',
        path: [],
      },
    ]);
    assert.equal(r.found, 0);
  });

  test('a valid one is no error', () => {
    assert.deepEqual(buildClusterState([], { defaultNamespace: 'shop', skipInvalid: false }).errors, []);
  });
});

describe('build: ignored kinds', () => {
  test('counted by kind; a custom resource named as a built-in kind is shown with its apiVersion', () => {
    const r = build(
      parse(
        'apiVersion: example.com/v1\nkind: NetworkPolicy\nmetadata: {name: x}\n---\n' +
          'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n',
      ),
    );
    assert.deepEqual(r.ignored, {
      count: 3,
      kinds: { 'NetworkPolicy (example.com/v1)': 1, ConfigMap: 2 },
      files: 0,
    });
    assert.equal(r.found, 3);
    assert.deepEqual(r.state.policies, []);
  });
});

describe('build: terminated pods', () => {
  const warnings = (text: string): string[] => build(parse(text)).warnings.map(formatProblem);

  test('one pod: "its IP", in the singular', () => {
    assert.deepEqual(warnings(pod('jobs', 'one', 'Failed') + '---\n' + pod('jobs', 'up')), [
      'warning: left out 1 terminated pod (phase Succeeded or Failed: no network presence, and its IP may be reused): jobs/one',
    ]);
  });

  test('five are all named, from six on the rest are counted', () => {
    const pods = (n: number): string =>
      ['a', 'b', 'c', 'd', 'e', 'f', 'g']
        .slice(0, n)
        .map((name) => pod('j', name, 'Succeeded'))
        .join('---\n');
    assert.deepEqual(warnings(pods(5)), [
      'warning: left out 5 terminated pods (phase Succeeded or Failed: no network presence, and their IPs may be reused): j/a, j/b, j/c, j/d, j/e',
    ]);
    assert.deepEqual(warnings(pods(7)), [
      'warning: left out 7 terminated pods (phase Succeeded or Failed: no network presence, and their IPs may be reused): j/a, j/b, j/c, j/d, j/e and 2 more',
    ]);
    const r = build(parse(pods(7) + '---\n' + pod('j', 'up')));
    assert.deepEqual(
      r.state.pods.map((p) => p.name),
      ['up'],
    );
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.severity, w.path]),
      [['terminated-pods', 'warning', []]],
    );
  });
});

describe('build: duplicates', () => {
  test('one object merged: "1 object is", at the place of the second definition', () => {
    const r = build([
      ...parse(deployment('web')),
      ...parse(`\n\n${deployment('web', 'i', ', uid: x')}`, 'b.yaml'),
    ]);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, [
      {
        code: 'duplicate-merged',
        severity: 'info',
        message:
          'note: 1 object is defined again, identically (up to uid, resourceVersion, creationTimestamp and managedFields), and read once: default/Deployment/web (b.yaml:3, as at a.yaml:1)',
        file: 'b.yaml',
        line: 3,
        column: 1,
        path: [],
      },
    ]);
    assert.equal(r.state.workloads.length, 1);
  });

  test('from four merged objects on, the fourth is counted', () => {
    const text = ['a', 'b', 'c', 'd'].map((n) => deployment(n)).join('---\n');
    const r = build([...parse(text), ...parse(text, 'b.yaml')]);
    assert.deepEqual(r.warnings.map(formatProblem), [
      'b.yaml:1:1 note: 4 objects are defined again, identically (up to uid, resourceVersion, creationTimestamp and managedFields), and read once: default/Deployment/a (b.yaml:1, as at a.yaml:1), default/Deployment/b (b.yaml:10, as at a.yaml:10), default/Deployment/c (b.yaml:19, as at a.yaml:19) and 1 more',
    ]);
  });

  test('three differing duplicates in one file are one summary, without the "old copy" question', () => {
    const text =
      ['a', 'b', 'c'].map((n) => deployment(n)).join('---\n') +
      '---\n' +
      ['a', 'b', 'c'].map((n) => deployment(n, 'j')).join('---\n');
    const r = build(parse(text));
    assert.deepEqual(r.errors.map(formatProblem), [
      'a.yaml:30:12 3 objects of a.yaml are defined twice in it, differently: default/Deployment/a (line 30, first at line 3), default/Deployment/b (line 39, first at line 12), default/Deployment/c (line 48, first at line 21). Keep one definition of each',
    ]);
    assert.deepEqual(r.errors[0]!.path, []);
    assert.equal(r.errors[0]!.object, 'default/Deployment/a');
    assert.equal(r.errors[0]!.code, 'duplicate-object');
    assert.deepEqual(
      r.state.workloads.map((w) => w.id),
      ['default/Deployment/a', 'default/Deployment/b', 'default/Deployment/c'],
    );
  });

  test('a summary keeps the other errors of the run, in their places', () => {
    const text =
      ['a', 'b', 'c'].map((n) => deployment(n)).join('---\n') +
      '---\n' +
      ['a', 'b', 'c'].map((n) => deployment(n, 'j')).join('---\n');
    const bad = 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n';
    const r = build([...parse(bad, '0.yaml'), ...parse(text), ...parse(bad.replace('s}', 't}'), 'z.yaml')]);
    assert.deepEqual(
      r.errors.map((e) => `${e.file}:${e.line} ${e.message.slice(0, 30)}`),
      [
        '0.yaml:1 is required: a Service needs p',
        'a.yaml:30 3 objects of a.yaml are define',
        'z.yaml:1 is required: a Service needs p',
      ],
    );
  });

  test('two differing duplicates stay two errors, each at its metadata.name', () => {
    const text =
      ['a', 'b'].map((n) => deployment(n)).join('---\n') +
      '---\n' +
      ['a', 'b'].map((n) => deployment(n, 'j')).join('---\n');
    assert.deepEqual(build(parse(text)).errors.map(formatProblem), [
      'a.yaml:21:12 metadata.name: Deployment "default/a" is defined twice: first at a.yaml:1:1. Keep one definition',
      'a.yaml:30:12 metadata.name: Deployment "default/b" is defined twice: first at a.yaml:10:1. Keep one definition',
    ]);
  });

  test('groups are per pair of files: two and two duplicates are four errors', () => {
    const two = ['a', 'b'].map((n) => deployment(n)).join('---\n');
    const changed = ['a', 'b'].map((n) => deployment(n, 'j')).join('---\n');
    const r = build([
      ...parse(two),
      ...parse(changed, 'b.yaml'),
      ...parse(changed.replaceAll('j}', 'k}'), 'c.yaml'),
    ]);
    assert.deepEqual(r.errors.map(formatProblem), [
      'b.yaml:3:12 metadata.name: Deployment "default/a" is defined twice: first at a.yaml:1:1. Keep one definition',
      'b.yaml:12:12 metadata.name: Deployment "default/b" is defined twice: first at a.yaml:10:1. Keep one definition',
      'c.yaml:3:12 metadata.name: Deployment "default/a" is defined twice: first at a.yaml:1:1. Keep one definition',
      'c.yaml:12:12 metadata.name: Deployment "default/b" is defined twice: first at a.yaml:10:1. Keep one definition',
    ]);
  });

  test('a cluster-scoped object is named without a namespace', () => {
    const ns = (label: string): string =>
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {team: ${label}}\n`;
    assert.deepEqual(build([...parse(ns('a')), ...parse(ns('b'), 'b.yaml')]).errors.map(formatProblem), [
      'b.yaml:4:3 metadata.name: Namespace "shop" is defined twice: first at a.yaml:1:1. Keep one definition',
    ]);
  });
});

describe('build: invalid objects', () => {
  const bad = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad}
spec:
  podSelector: {matchLabels: {app: 7}}
  policyTypes: [Sideways]
  ingress:
    - ports: [{port: 0}]
`;

  test('skipped with every error in the reason, each after its path', () => {
    const r = build(parse(`\n${bad}`), { skipInvalid: true });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.skipped, [
      {
        object: 'default/NetworkPolicy/bad',
        file: 'a.yaml',
        line: 2,
        reason:
          'spec.podSelector.matchLabels.app: must be a string, got 7. Quote it: "7"; spec.policyTypes[0]: "Sideways" is not a policy type: use "Ingress" or "Egress"; spec.ingress[0].ports[0].port: must be between 1 and 65535, got 0',
      },
    ]);
    assert.deepEqual(r.state.policies, []);
  });

  test("an object's problems in the order of the text: by line, then by column", () => {
    const text = `spec:
  podSelector: {}
  ingress: [{ports: [{protocol: XX, port: 0}]}]
  egress: [{ports: [{port: 0, protocol: XX}]}]
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, labels: {"a b": c}}
`;
    assert.deepEqual(
      build(parse(text)).errors.map((e) => `${e.line}:${e.column} ${e.path.join('.')}`),
      [
        '3:23 spec.ingress.0.ports.0.protocol',
        '3:37 spec.ingress.0.ports.0.port',
        '4:22 spec.egress.0.ports.0.port',
        '4:31 spec.egress.0.ports.0.protocol',
        '7:32 metadata.labels.a b',
      ],
    );
  });

  test('warnings of a valid object are kept, the object too', () => {
    const r = build(
      parse(
        'apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\nspec:\n  template:\n    spec: {restartPolicy: Never, containers: [{name: c, image: i}]}\n',
      ),
      { skipInvalid: true },
    );
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(
      r.warnings.map((w) => [w.severity, w.line, w.column]),
      [['warning', 3, 12]],
    );
    assert.deepEqual(
      r.state.workloads.map((w) => w.id),
      ['default/Job/migrate-xxxxx'],
    );
  });
});

describe('build: what the state keeps', () => {
  const text = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}, annotations: {note: x}}
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: zed}
subsets: [{addresses: [{ip: 10.0.0.1}], ports: [{port: 80}]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc, namespace: alpha, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.2]}]
ports: [{port: 80}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: c, namespace: beta}
spec: {endpointSelector: {}, ingress: [{}]}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: cc, labels: {a: b}, annotations: {n: m}}
spec: {endpointSelector: {}, ingress: [{}]}
`;

  test('namespaces: explicit ones with their labels and the name label, the others implicit, sorted', () => {
    const r = build(parse(text));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.namespaces.map(({ origin, ...n }) => ({
        ...n,
        origin: origin?.locate?.(['metadata', 'name'])?.line,
      })),
      [
        {
          name: 'alpha',
          labels: { 'kubernetes.io/metadata.name': 'alpha' },
          implicit: true,
          origin: undefined,
        },
        {
          name: 'beta',
          labels: { 'kubernetes.io/metadata.name': 'beta' },
          implicit: true,
          origin: undefined,
        },
        {
          name: 'shop',
          labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' },
          implicit: false,
          annotations: { note: 'x' },
          origin: 3,
        },
        { name: 'zed', labels: { 'kubernetes.io/metadata.name': 'zed' }, implicit: true, origin: undefined },
      ],
    );
  });

  test('endpoints: sorted by id; an Endpoints is its service, an EndpointSlice names it in a label', () => {
    const r = build(parse(text));
    assert.deepEqual(
      r.state.serviceEndpoints?.map(({ origin, ...e }) => ({ ...e, line: origin?.line })),
      [
        {
          id: 'alpha/EndpointSlice/web-abc',
          kind: 'EndpointSlice',
          namespace: 'alpha',
          name: 'web-abc',
          service: 'web',
          labels: { 'kubernetes.io/service-name': 'web' },
          addresses: ['10.0.0.2'],
          line: 10,
        },
        {
          id: 'zed/Endpoints/web',
          kind: 'Endpoints',
          namespace: 'zed',
          name: 'web',
          service: 'web',
          labels: {},
          addresses: ['10.0.0.1'],
          line: 5,
        },
      ],
    );
    assert.equal(build(parse(pod('a', 'p'))).state.serviceEndpoints, undefined);
  });

  test('Cilium policies: metadata without empty labels and annotations, a namespace only when namespaced', () => {
    const r = build(parse(text));
    assert.deepEqual(
      r.state.ciliumPolicies.map((c) => [
        c.id,
        c.namespace,
        c.object.metadata,
        c.labels,
        c.annotations,
        c.origin?.line,
      ]),
      [
        ['CiliumNetworkPolicy/beta/c', 'beta', { name: 'c', namespace: 'beta' }, {}, {}, 17],
        [
          'CiliumClusterwideNetworkPolicy/cc',
          undefined,
          { name: 'cc', labels: { a: 'b' }, annotations: { n: 'm' } },
          { a: 'b' },
          { n: 'm' },
          22,
        ],
      ],
    );
  });
});

describe('build: the check memo', () => {
  const np = (name: string, extra = ''): string =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}${extra}}\nspec: {podSelector: {}}\n`;

  function recorder(stored = new Map<string, StoredCheck>()): CheckMemo & { sets: [string, StoredCheck][] } {
    const sets: [string, StoredCheck][] = [];
    return {
      sets,
      get: (source) => stored.get(`${source.kind}/${source.line}`),
      set: (source, check) => void sets.push([`${source.kind}/${source.line}`, check]),
    };
  }

  test('keeps the checks of valid objects without problems, without their source', () => {
    const memo = recorder();
    buildClusterState(parse(np('web')), OPTIONS, memo);
    assert.equal(memo.sets.length, 1);
    const [where, check] = memo.sets[0]!;
    assert.equal(where, 'NetworkPolicy/1');
    assert.equal(check.id, 'default/NetworkPolicy/web');
    assert.equal(check.key, 'NetworkPolicy/default/web');
    assert.equal('source' in check.valid, false);
    assert.equal(check.valid.kind, 'NetworkPolicy');
  });

  test('not those of invalid objects, objects with a warning, or generated names', () => {
    const memo = recorder();
    const job =
      'apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\nspec:\n  template:\n    spec: {restartPolicy: Never, containers: [{name: c, image: i}]}\n';
    const invalid = np('web').replace('podSelector: {}', 'podSelector: 7');
    const r = buildClusterState(
      [...parse(invalid), ...parse(job, 'b.yaml'), ...parse(np('Bad'), 'c.yaml')],
      OPTIONS,
      memo,
    );
    assert.deepEqual(
      [...r.errors, ...r.warnings].map((p) => `${p.file}:${p.severity}`),
      ['a.yaml:error', 'b.yaml:warning', 'c.yaml:warning'],
    );
    assert.equal(r.state.policies.length, 1);
    assert.deepEqual(memo.sets, []);
  });

  test('a known check is used as it is, with no check again, and its id and key', () => {
    const first = recorder();
    buildClusterState(parse(np('web')), OPTIONS, first);
    const [, check] = first.sets[0]!;
    // A stored check for an object whose text now differs: the memo's word is taken (its caller keys it).
    const memo = recorder(new Map([['NetworkPolicy/1', check]]));
    const r = buildClusterState(parse(np('web', ', labels: {"a b": c}')), OPTIONS, memo);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(memo.sets, []);
    assert.deepEqual(
      r.state.policies.map((p) => [p.id, p.labels, p.origin?.line, p.origin?.file]),
      [['default/web', {}, 1, 'a.yaml']],
    );
    // Its key still finds a second definition.
    const twice = buildClusterState(
      [...parse(np('web')), ...parse(np('web', ', labels: {a: b}'), 'b.yaml')],
      OPTIONS,
      recorder(new Map([['NetworkPolicy/1', check]])),
    );
    assert.deepEqual(twice.errors.map(formatProblem), [
      'b.yaml:3:12 metadata.name: NetworkPolicy "default/web" is defined twice: first at a.yaml:1:1. Keep one definition',
    ]);
  });
});

describe('build: nodes peers without Node objects', () => {
  const cnp = (name: string, rules: string): string => `apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {}}
${rules}`;

  test('one warning per policy, at its first nodes peer (only egress peers can be nodes)', () => {
    const text =
      cnp(
        'both',
        `  ingress:
  - action: Accept
    from:
    - namespaces: {}
  egress:
  - action: Accept
    to:
    - namespaces: {}
  - action: Accept
    to:
    - namespaces: {}
    - nodes: {matchLabels: {role: a}}
    - nodes: {matchLabels: {role: b}}
  - action: Accept
    to:
    - nodes: {matchLabels: {role: c}}
`,
      ) +
      '---\n' +
      cnp('none', '  egress:\n  - action: Accept\n    to:\n    - namespaces: {}\n');
    const r = build(parse(text));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, [
      {
        code: 'nodes-peer-without-nodes',
        severity: 'warning',
        message:
          'ClusterNetworkPolicy/both selects Nodes, but the input has no Node objects, so this peer matches no address here: add the Nodes (kubectl get nodes -o yaml) or read the cluster with --cluster',
        path: ['spec', 'egress', 1, 'to', 1, 'nodes'],
        object: 'ClusterNetworkPolicy/both',
        file: 'a.yaml',
        line: 19,
        column: 7,
      },
    ]);
  });

  test('a policy whose only peer is a nodes peer: the warning at it', () => {
    const r = build(parse(cnp('p', '  egress:\n  - action: Accept\n    to:\n    - nodes: {}\n')));
    const policies = r.state.clusterPolicies;
    assert.equal(policies.length, 1);
    assert.deepEqual(
      r.warnings.map((w) => [w.file, w.line, w.column]),
      [['a.yaml', 11, 7]],
    );
  });
});

describe('build: sameObject and unknownFieldsOf', () => {
  test('definitions differing in apiVersion are not the same object', () => {
    const [a] = parse('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n');
    const [b] = parse('apiVersion: v2\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n');
    const [c] = parse(
      'apiVersion: v1\nkind: Service\nmetadata: {name: s, uid: u, managedFields: []}\nspec: {ports: [{port: 80}]}\n',
    );
    const [d] = parse(
      'apiVersion: v1\nkind: Service\nmetadata: {name: s, generation: 2}\nspec: {ports: [{port: 80}]}\n',
    );
    const [e] = parse('apiVersion: v1\nkind: Endpoints\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n');
    assert.equal(sameObject(a!, b!), false);
    assert.equal(sameObject(a!, c!), true);
    assert.equal(sameObject(a!, d!), false);
    assert.equal(sameObject(a!, e!), false);
    const [f] = parse('apiVersion: v1\nkind: Service\nmetadata: 7\n');
    const [g] = parse('apiVersion: v1\nkind: Service\nmetadata: 7\n');
    const [h] = parse('apiVersion: v1\nkind: Service\nmetadata: 8\n');
    assert.equal(sameObject(f!, g!), true);
    assert.equal(sameObject(f!, h!), false);
  });

  test('List items of two apiVersions are not merged, though their values are equal', () => {
    const list = (v: string): string =>
      `apiVersion: ${v}\nkind: CiliumNetworkPolicyList\nitems:\n- metadata: {name: c, namespace: a}\n  spec: {endpointSelector: {}, ingress: [{}]}\n`;
    const r = build([
      ...parse(list('cilium.io/v2')),
      ...parseManifestText(list('cilium.io/v2alpha1'), 'b.yaml').objects,
    ]);
    assert.deepEqual(r.errors.map(formatProblem), [
      'b.yaml:4:3 apiVersion: CiliumNetworkPolicy is not served by "cilium.io/v2alpha1": use "cilium.io/v2"',
      'b.yaml:4:14 metadata.name: CiliumNetworkPolicy "a/c" is defined twice: first at a.yaml:4:3. Keep one definition',
    ]);
    assert.deepEqual(r.warnings, []);
  });

  test('unknownFieldsOf: the unknown fields of a kind netfence reads, none for others', () => {
    const [np] = parse(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n}\nspec: {podSelector: {}, ingres: []}\n',
    );
    const [cm] = parse('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nspec: {ingres: []}\n');
    assert.deepEqual(
      unknownFieldsOf(np!, 'default').map((f) => f.path),
      [['spec', 'ingres']],
    );
    assert.deepEqual(unknownFieldsOf(cm!, 'default'), []);
  });
});

describe('build: StateBuilder', () => {
  test('counts every object added, read or ignored, and gives the same as buildClusterState', () => {
    const objects = parse(`${pod('a', 'p')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`);
    const builder = new StateBuilder(OPTIONS);
    for (const o of objects) builder.add(o);
    const r = builder.finish();
    assert.equal(r.found, 2);
    assert.deepEqual(
      r.state.pods.map((p) => p.name),
      ['p'],
    );
    assert.deepEqual(r.ignored, { count: 1, kinds: { ConfigMap: 1 }, files: 0 });
  });
});

describe('build: names', () => {
  test('an empty or non-string name is "(unnamed)"; an empty name with a generateName is generated', () => {
    const cm = (meta: string): string =>
      `apiVersion: v1\nkind: Service\nmetadata: ${meta}\nspec: {ports: [{port: 80}]}\n`;
    const r = build(
      parse(
        [cm('{name: ""}'), cm('{name: 7}'), cm('{name: "", generateName: web-}'), cm('{}'), cm('7')].join(
          '---\n',
        ),
      ),
      { skipInvalid: true },
    );
    assert.deepEqual(
      r.skipped.map((s) => s.object),
      [
        'default/Service/(unnamed)',
        'default/Service/(unnamed)',
        'default/Service/(unnamed)',
        'default/Service/(unnamed)',
      ],
    );
    assert.deepEqual(
      r.state.services.map((s) => s.id),
      ['default/web-xxxxx'],
    );
  });

  test('a namespace: its own when a non-empty string, else the default one', () => {
    const cm = (meta: string): string =>
      `apiVersion: v1\nkind: Service\nmetadata: ${meta}\nspec: {ports: [{port: 80}]}\n`;
    const r = build(
      parse(
        [cm('{name: a, namespace: ""}'), cm('{name: b, namespace: 7}'), cm('{name: c, namespace: x}')].join(
          '---\n',
        ),
      ),
      {
        skipInvalid: true,
      },
    );
    assert.deepEqual(
      [...r.skipped.map((s) => s.object), ...r.state.services.map((s) => s.id)],
      ['default/Service/b', 'default/a', 'x/c'],
    );
    // Invalid (no ports): named by the raw metadata.
    const bad = (meta: string): string => `apiVersion: v1\nkind: Service\nmetadata: ${meta}\n`;
    assert.deepEqual(
      build(parse([bad('{name: a, namespace: ""}'), bad('{name: b, namespace: x}')].join('---\n')), {
        skipInvalid: true,
      }).skipped.map((s) => s.object),
      ['default/Service/a', 'x/Service/b'],
    );
  });

  test('a name wins over a generateName; an empty generateName is no name', () => {
    const svc = (meta: string): string => `apiVersion: v1\nkind: Service\nmetadata: ${meta}\n`;
    const r = build(parse([svc('{name: a, generateName: g-}'), svc('{generateName: ""}')].join('---\n')), {
      skipInvalid: true,
    });
    assert.deepEqual(
      r.skipped.map((s) => s.object),
      ['default/Service/a', 'default/Service/(unnamed)'],
    );
  });
});

describe('build: generated names, implicit namespaces, sorting', () => {
  const job = (meta: string): string =>
    `apiVersion: batch/v1\nkind: Job\nmetadata: ${meta}\nspec:\n  template:\n    spec: {restartPolicy: Never, containers: [{name: c, image: i}]}\n`;

  test('generated names count per prefix: xxxxx, xxxx2, ..., xxx10; a name like one is no duplicate', () => {
    const texts = [
      ...Array.from({ length: 10 }, () => job('{generateName: a-}')),
      job('{generateName: b-}'),
      job('{name: a-xxxxx}'),
    ];
    const r = build(parse(texts.join('---\n')));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.state.workloads.map((w) => w.name).sort(), [
      'a-xxx10',
      'a-xxxx2',
      'a-xxxx3',
      'a-xxxx4',
      'a-xxxx5',
      'a-xxxx6',
      'a-xxxx7',
      'a-xxxx8',
      'a-xxxx9',
      'a-xxxxx',
      'b-xxxxx',
    ]);
  });

  test('two objects without a name are no duplicates', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {}\n';
    const r = build(parse(`${svc}---\n${svc}`), { skipInvalid: true });
    assert.deepEqual(
      r.skipped.map((s) => [s.object, s.line, s.reason.includes('twice')]),
      [
        ['default/Service/(unnamed)', 1, false],
        ['default/Service/(unnamed)', 5, false],
      ],
    );
  });

  const np = (ns: string, name: string): string =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: {podSelector: {}}\n`;
  const svc = (ns: string, name: string): string =>
    `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: {ports: [{port: 80}]}\n`;

  test('every namespaced kind makes its namespace known; an explicit Namespace keeps its labels', () => {
    const text = [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: p, labels: {team: a}}\n',
      pod('p', 'x'),
      pod('q', 'y'),
      np('n', 'x'),
      svc('s', 'x'),
      'apiVersion: v1\nkind: Endpoints\nmetadata: {name: x, namespace: e}\nsubsets: [{addresses: [{ip: 10.0.0.1}], ports: [{port: 80}]}]\n',
      deployment('w').replace('{name: w}', '{name: w, namespace: w}'),
    ].join('---\n');
    const r = build(parse(text));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.namespaces.map((n) => [n.name, n.implicit, n.labels]),
      [
        ['e', true, { 'kubernetes.io/metadata.name': 'e' }],
        ['n', true, { 'kubernetes.io/metadata.name': 'n' }],
        ['p', false, { team: 'a', 'kubernetes.io/metadata.name': 'p' }],
        ['q', true, { 'kubernetes.io/metadata.name': 'q' }],
        ['s', true, { 'kubernetes.io/metadata.name': 's' }],
        ['w', true, { 'kubernetes.io/metadata.name': 'w' }],
      ],
    );
  });

  test('policies and services sorted by id', () => {
    const r = build(
      parse(
        [np('b', 'z'), np('a', 'y'), np('b', 'a'), svc('b', 'z'), svc('a', 'y'), svc('b', 'a')].join('---\n'),
      ),
    );
    assert.deepEqual(
      r.state.policies.map((p) => p.id),
      ['a/y', 'b/a', 'b/z'],
    );
    assert.deepEqual(
      r.state.services.map((s) => s.id),
      ['a/y', 'b/a', 'b/z'],
    );
  });

  test('Nodes, AdminNetworkPolicies and BaselineAdminNetworkPolicies: in the state; with a Node, no nodes warning', () => {
    const text = [
      'apiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {role: worker}}\nstatus: {addresses: [{type: InternalIP, address: 10.0.0.1}]}\n',
      'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: anp}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - action: Allow\n    to:\n    - nodes: {matchLabels: {role: worker}}\n',
      'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from:\n    - namespaces: {}\n',
    ].join('---\n');
    const r = build(parse(text));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(
      r.state.nodes.map((n) => [n.name, n.labels, n.addresses, n.origin?.line]),
      [['n1', { role: 'worker' }, ['10.0.0.1'], 1]],
    );
    assert.deepEqual(
      r.state.clusterPolicies.map((p) => [p.kind, p.name, p.origin?.line]),
      [
        ['AdminNetworkPolicy', 'anp', 6],
        ['BaselineAdminNetworkPolicy', 'default', 17],
      ],
    );
    assert.deepEqual(r.state.workloads, []);
  });

  test("a summary gives the line of each first definition's name", () => {
    const block = (n: string, image: string): string =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  labels: {a: b}\n  name: ${n}\nspec: {ports: [{port: 80}], selector: {app: ${image}}}\n`;
    const names = ['a', 'b', 'c'];
    const r = build([
      ...parse(names.map((n) => block(n, 'web')).join('---\n')),
      ...parseManifestText(names.map((n) => block(n, 'api')).join('---\n'), 'b.yaml').objects,
    ]);
    assert.deepEqual(r.errors.map(formatProblem), [
      'b.yaml:5:3 3 objects of b.yaml are defined in a.yaml too, differently: default/Service/a (line 5, first at line 5), default/Service/b (line 12, first at line 12), default/Service/c (line 19, first at line 19). Keep one definition of each (is one of the two files an old copy of the other?)',
    ]);
  });
});
