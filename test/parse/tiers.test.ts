/**
 * Cluster policy tiers and Nodes as input: ClusterNetworkPolicy (v1beta1, v1alpha2), AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy (v1alpha1) are read, validated as their CRDs do (tiers-cases.ts) and normalized
 * (src/model/tiers.ts); Nodes keep their labels and IP addresses. test/cluster/tiers-crds.test.ts replays
 * the same kinds of objects against a real kube-apiserver.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { formatProblem } from '../../src/model/problem.ts';
import { describeIgnored } from '../../src/parse/index.ts';
import { runCli } from '../support/cli.ts';
import { load, problems } from './helpers.ts';
import { anpYaml, cnpYaml, tierCases } from './tiers-cases.ts';

const FIXTURE = 'test/fixtures/parse/tiers/valid.yaml';

describe('cluster policy tiers: invalid objects', () => {
  for (const c of tierCases) {
    test(c.name, () => {
      assert.deepEqual(problems(c.input), c.expected);
    });
  }

  test('an invalid cluster policy stays out of the state; a valid one is in it', () => {
    const bad = load(cnpYaml('tier: Admin\npriority: 1001\nsubject:\n  namespaces: {}'));
    assert.equal(bad.state.clusterPolicies.length, 0);
    const good = load(cnpYaml('tier: Admin\npriority: 1000\nsubject:\n  namespaces: {}'));
    assert.deepEqual(good.errors, []);
    assert.equal(good.state.clusterPolicies.length, 1);
  });

  test('with --strict an unknown field is an error, as the API server under strict field validation', () => {
    const text = cnpYaml('tier: Admin\npriority: 1\nsubject:\n  namespaces: {}\nprioity: 2');
    assert.equal(load(text).errors.length, 0);
    assert.deepEqual(load(text, 'policies.yaml', 'default', true).errors.map(formatProblem), [
      `policies.yaml:10:3 spec.prioity: unknown field "prioity": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Did you mean "priority"?`,
    ]);
  });

  test('an apiVersion that does not serve the kind names the ones that do', () => {
    const text = cnpYaml('tier: Admin\npriority: 1\nsubject:\n  namespaces: {}', 'p', 'v1alpha1');
    assert.deepEqual(load(text).errors.map(formatProblem), [
      'policies.yaml:1:1 apiVersion: ClusterNetworkPolicy is not served by "policy.networking.k8s.io/v1alpha1": use "policy.networking.k8s.io/v1beta1" or "policy.networking.k8s.io/v1alpha2"',
    ]);
  });

  test('a namespace on a Node is ignored, with a warning, and does not change its id', () => {
    const r = load('apiVersion: v1\nkind: Node\nmetadata:\n  name: n\n  namespace: shop\n');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.warnings.map((w) => [w.object, formatProblem(w)]),
      [
        [
          'Node/n',
          'policies.yaml:5:3 warning: metadata.namespace: Node is cluster-scoped: the API server ignores the namespace "shop", and so does netfence. Remove it',
        ],
      ],
    );
    assert.deepEqual(r.state.namespaces, [], 'no implicit namespace "shop"');
  });

  test('a BaselineAdminNetworkPolicy with a priority: unknown field (it has none)', () => {
    const text = anpYaml('priority: 1\nsubject:\n  namespaces: {}', 'default', 'BaselineAdminNetworkPolicy');
    assert.deepEqual(
      load(text).warnings.map((w) => w.path.join('.')),
      ['spec.priority'],
    );
  });

  test('the same name twice is a duplicate, whatever namespace is written (cluster-scoped)', () => {
    const one = cnpYaml('tier: Admin\npriority: 1\nsubject:\n  namespaces: {}', 'x');
    const two = one
      .replace('  name: x\n', '  name: x\n  namespace: shop\n')
      .replace('priority: 1', 'priority: 2');
    const result = load(`${one}---\n${two}`);
    assert.deepEqual(
      result.errors.map((e) => [e.code, e.line, e.message]),
      [
        [
          'duplicate-object',
          14,
          'ClusterNetworkPolicy "x" is defined twice: first at policies.yaml:1:1. Keep one definition',
        ],
      ],
    );
    // An identical copy is read once, as for other kinds.
    assert.deepEqual(load(`${one}---\n${one}`).errors, []);
    assert.equal(load(`${one}---\n${one}`).state.clusterPolicies.length, 1);
  });
});

describe('cluster policy tiers: valid objects of each kind and version', () => {
  const result = load(readFileSync(FIXTURE, 'utf8'), FIXTURE);

  test('read without problems, and not counted as ignored', () => {
    assert.deepEqual([...result.errors, ...result.warnings].map(formatProblem), []);
    assert.deepEqual(result.ignored, { count: 0, kinds: {}, files: 0 });
    assert.equal(describeIgnored(result.ignored), undefined);
  });

  test('normalized to ClusterPolicyInfo', () => {
    const infos = result.state.clusterPolicies.map((p) => {
      const rest: Partial<typeof p> = { ...p };
      delete rest.spec;
      delete rest.origin;
      return { ...rest, line: p.origin?.line };
    });
    assert.deepEqual(infos, [
      {
        id: 'ClusterNetworkPolicy/platform-guardrails',
        kind: 'ClusterNetworkPolicy',
        apiVersion: 'policy.networking.k8s.io/v1beta1',
        name: 'platform-guardrails',
        tier: 'admin',
        priority: 10,
        subject: { kind: 'pods', namespaceSelector: { matchLabels: { team: 'shop' } }, podSelector: {} },
        ingress: [
          {
            index: 0,
            name: 'monitoring',
            action: 'allow',
            peers: [
              {
                kind: 'namespaces',
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              },
            ],
            ports: [{ kind: 'range', protocol: 'TCP', start: 9090, end: 9090 }],
          },
          {
            index: 1,
            name: undefined,
            action: 'pass',
            peers: [{ kind: 'pods', namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }],
            ports: undefined,
          },
          {
            index: 2,
            name: undefined,
            action: 'deny',
            peers: [{ kind: 'namespaces', namespaceSelector: {} }],
            ports: undefined,
          },
        ],
        egress: [
          {
            index: 0,
            name: undefined,
            action: 'allow',
            peers: [{ kind: 'networks', cidrs: ['10.0.0.0/8', 'fd00::/8'] }],
            ports: [
              { kind: 'range', protocol: 'UDP', start: 53, end: 53 },
              { kind: 'range', protocol: 'SCTP', start: 3000, end: 3010 },
            ],
          },
          {
            index: 1,
            name: undefined,
            action: 'allow',
            peers: [{ kind: 'domainNames', domains: ['example.com', '*.example.org'] }],
            ports: undefined,
          },
          {
            index: 2,
            name: undefined,
            action: 'allow',
            peers: [
              {
                kind: 'nodes',
                nodeSelector: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } },
              },
            ],
            ports: undefined,
          },
          {
            index: 3,
            name: undefined,
            action: 'allow',
            // A CNP pods peer may leave namespaceSelector out: every namespace.
            peers: [{ kind: 'pods', namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } }],
            ports: [{ kind: 'named', name: 'postgres' }],
          },
          {
            index: 4,
            name: undefined,
            action: 'deny',
            peers: [{ kind: 'networks', cidrs: ['0.0.0.0/0'] }],
            ports: undefined,
          },
        ],
        labels: { team: 'platform' },
        annotations: {},
        line: 2,
      },
      {
        id: 'ClusterNetworkPolicy/baseline-deny',
        kind: 'ClusterNetworkPolicy',
        apiVersion: 'policy.networking.k8s.io/v1alpha2',
        name: 'baseline-deny',
        tier: 'baseline',
        priority: 1000,
        subject: { kind: 'namespaces', namespaceSelector: {} },
        ingress: [
          {
            index: 0,
            name: undefined,
            action: 'deny',
            peers: [{ kind: 'namespaces', namespaceSelector: {} }],
            ports: undefined,
          },
        ],
        egress: [],
        labels: {},
        annotations: {},
        line: 71,
      },
      {
        id: 'AdminNetworkPolicy/shop-admin',
        kind: 'AdminNetworkPolicy',
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        name: 'shop-admin',
        tier: 'admin',
        priority: 5,
        subject: { kind: 'namespaces', namespaceSelector: { matchLabels: { team: 'shop' } } },
        ingress: [
          {
            index: 0,
            name: 'monitoring',
            action: 'allow',
            peers: [
              {
                kind: 'namespaces',
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              },
            ],
            ports: [
              { kind: 'range', protocol: 'TCP', start: 9090, end: 9090 },
              { kind: 'named', name: 'metrics' },
            ],
          },
        ],
        egress: [
          {
            index: 0,
            name: undefined,
            action: 'deny',
            peers: [{ kind: 'pods', namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } }],
            ports: [{ kind: 'range', protocol: 'UDP', start: 1000, end: 2000 }],
          },
          {
            index: 1,
            name: undefined,
            action: 'pass',
            peers: [{ kind: 'networks', cidrs: ['192.168.0.0/16'] }],
            ports: undefined,
          },
        ],
        labels: {},
        annotations: {},
        line: 85,
      },
      {
        id: 'BaselineAdminNetworkPolicy/default',
        kind: 'BaselineAdminNetworkPolicy',
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        name: 'default',
        tier: 'baseline',
        priority: undefined,
        subject: { kind: 'namespaces', namespaceSelector: {} },
        ingress: [],
        egress: [
          {
            index: 0,
            name: undefined,
            action: 'allow',
            peers: [{ kind: 'nodes', nodeSelector: {} }],
            // portNumber without protocol: TCP, the CRD's default.
            ports: [{ kind: 'range', protocol: 'TCP', start: 10250, end: 10250 }],
          },
        ],
        labels: {},
        annotations: {},
        line: 124,
      },
    ]);
  });

  test('Nodes: labels and InternalIP/ExternalIP addresses (not hostnames), with their line', () => {
    assert.deepEqual(
      result.state.nodes.map((n) => ({ ...n, origin: n.origin?.line })),
      [
        {
          name: 'node-1',
          labels: { 'node-role.kubernetes.io/control-plane': '' },
          addresses: ['10.0.0.11', '203.0.113.11', 'fd00::11'],
          origin: 139,
        },
        { name: 'node-2', labels: {}, addresses: ['10.0.0.12'], origin: 156 },
      ],
    );
  });

  test('the v0.1.x namespaceSelector peer form is read as the selector it holds', () => {
    const text = anpYaml(
      'priority: 1\nsubject:\n  namespaces: {}\ningress:\n  - action: Deny\n    from:\n      - namespaces: {namespaceSelector: {matchLabels: {team: a}}}\n      - pods: {namespaces: {namespaceSelector: {}}, podSelector: {matchLabels: {app: x}}}',
    );
    const r = load(text);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.state.clusterPolicies[0]?.ingress[0]?.peers, [
      { kind: 'namespaces', namespaceSelector: { matchLabels: { team: 'a' } } },
      { kind: 'pods', namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } },
    ]);
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['old-peer-form', 'old-peer-form'],
    );
  });

  test('a Node address that is not an IP is left out, with a warning', () => {
    const r = load(
      'apiVersion: v1\nkind: Node\nmetadata:\n  name: n\nstatus:\n  addresses:\n    - {type: InternalIP, address: node-a}\n    - {type: InternalIP, address: 10.1.0.1}\n',
    );
    assert.deepEqual(r.state.nodes[0]?.addresses, ['10.1.0.1']);
    assert.deepEqual(r.warnings.map(formatProblem), [
      'policies.yaml:7:26 warning: status.addresses[0].address: "node-a" is of type InternalIP but not an IP address (it is not an IPv4 or IPv6 address): left out, so "nodes" peers do not match it',
    ]);
  });
});

describe('cluster policy tiers: what analyze says about its input', () => {
  test('the kinds are no longer "ignored", and the header counts them', async () => {
    const text = `${readFileSync(FIXTURE, 'utf8')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n`;
    const r = await runCli(['analyze', '-'], { stdin: text });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'Ignored 1 object of another kind (ConfigMap ×1).\n');
    assert.equal(
      r.stdout,
      '0 workloads in 0 namespaces, 0 policies, 4 cluster policies, 2 nodes: 0 allowed connections\n',
    );
  });

  test('without cluster policies or nodes the header is as before', async () => {
    const r = await runCli(['analyze', '-'], {
      stdin: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n',
    });
    assert.equal(r.stdout, '0 workloads in 1 namespace, 0 policies: 0 allowed connections\n');
  });
});

describe('nodes peers without Node objects', () => {
  const cnp = `apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: scrape}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  egress:
  - action: Accept
    to:
    - namespaces: {}
    - nodes: {matchLabels: {role: worker}}
`;
  const nodeYaml = `---
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {role: worker}}
status: {addresses: [{type: InternalIP, address: 10.0.0.1}]}
`;

  test('a nodes peer with no Node in the input is a warning at the peer (it matches no address)', () => {
    assert.deepEqual(problems(cnp), [
      'policies.yaml:12:7 warning: spec.egress[0].to[1].nodes: ClusterNetworkPolicy/scrape selects Nodes, but the input has no Node objects, so this peer matches no address here: add the Nodes (kubectl get nodes -o yaml) or read the cluster with --cluster',
    ]);
  });

  test('with a Node in the input there is no warning', () => {
    assert.deepEqual(problems(cnp + nodeYaml), []);
  });
});
