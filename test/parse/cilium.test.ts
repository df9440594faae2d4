/**
 * Cilium's policies as input (issue #17): CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy are read
 * from files and standard input (YAML, JSON, Lists) into `ClusterState.ciliumPolicies`, validated as Cilium's
 * CRDs and the agent do (cilium-cases.ts; test/cluster/cilium-crds.test.ts replays the same objects against a
 * real kube-apiserver), with problems located and worded like every other kind's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatProblem } from '../../src/model/problem.ts';
import { describeIgnored, loadManifests } from '../../src/parse/index.ts';
import { load, problems, yaml } from './helpers.ts';
import { ciliumCases, errorFields } from './cilium-cases.ts';

const FIXTURE = 'test/fixtures/cilium/policies.yaml';

/** The CiliumNetworkPolicy `web` (every pod of `default`) with these rule lists (lines 6 on). */
function webPolicy(rules: string): string {
  const indented = rules
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
  return `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web}\nspec:\n  endpointSelector: {}\n${indented}`;
}

describe('cilium policies: the shared cases', () => {
  for (const c of ciliumCases) {
    test(c.what, () => {
      assert.deepEqual(errorFields(c.object), c.netfence);
    });
  }
});

describe('cilium policies: input', () => {
  test('both kinds are read into ciliumPolicies, not ignored, with their namespace defaulted as a NetworkPolicy', async () => {
    const r = await loadManifests([FIXTURE], { defaultNamespace: 'tenant', skipInvalid: false });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.ciliumPolicies.map((p) => [p.id, p.namespace, p.specs.length, p.origin?.line]),
      [
        ['CiliumNetworkPolicy/shop/web', 'shop', 1, 2],
        ['CiliumNetworkPolicy/tenant/no-namespace', 'tenant', 1, 22],
        ['CiliumClusterwideNetworkPolicy/dns', undefined, 1, 30],
      ],
    );
    assert.deepEqual(
      r.state.policies.map((p) => p.id),
      ['shop/deny'],
    );
    assert.equal(r.ignored.count, 0);
    // The defaulted namespace exists (implicitly), as for a NetworkPolicy.
    assert.deepEqual(
      r.state.namespaces.map((n) => [n.name, n.implicit]),
      [
        ['shop', true],
        ['tenant', true],
      ],
    );
  });

  test("the normalized form is the model's: selectors scoped, a CCNP peer naming its namespace kept", async () => {
    const r = await loadManifests([FIXTURE], { defaultNamespace: 'default', skipInvalid: false });
    const [web, , dns] = r.state.ciliumPolicies;
    assert.deepEqual(web?.specs[0]?.subject, {
      kind: 'endpoints',
      selector: { matchLabels: { app: 'web', 'io.kubernetes.pod.namespace': 'shop' } },
    });
    assert.deepEqual(dns?.specs[0]?.egress[0]?.peers, [
      {
        kind: 'endpoints',
        selector: { matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } },
      },
    ]);
    assert.equal(dns?.specs[0]?.egress[0]?.ports?.[0]?.l7, 'dns');
    assert.deepEqual(dns?.specs[0]?.defaultDeny, { ingress: false, egress: false });
    // The origin locates fields for explain's file:line.
    assert.equal(web?.origin?.locate?.(['spec', 'egressDeny', 0])?.line, 20);
  });

  test('JSON, a List and standard input are read like YAML files', async () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumNetworkPolicy',
          metadata: { name: 'a' },
          spec: { endpointSelector: {}, ingress: [{}] },
        },
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumClusterwideNetworkPolicy',
          metadata: { name: 'b' },
          specs: [{ endpointSelector: {}, egress: [{}] }],
        },
      ],
    });
    const r = await loadManifests(['-'], {
      defaultNamespace: 'default',
      skipInvalid: false,
      readStdin: () => Promise.resolve(list),
    });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.state.ciliumPolicies.map((p) => p.id),
      ['CiliumNetworkPolicy/default/a', 'CiliumClusterwideNetworkPolicy/b'],
    );
  });

  test('a CiliumNetworkPolicy of another group is another kind, ignored; another cilium.io version is an error', () => {
    const other = load(
      'apiVersion: example.com/v1\nkind: CiliumNetworkPolicy\nmetadata: {name: x}\nspec: {}\n',
    );
    assert.equal(
      describeIgnored(other.ignored),
      'Ignored 1 object of another kind (CiliumNetworkPolicy (example.com/v1) ×1).',
    );
    assert.deepEqual(other.state.ciliumPolicies, []);
    assert.deepEqual(
      load(
        'apiVersion: cilium.io/v2alpha1\nkind: CiliumNetworkPolicy\nmetadata: {name: x}\nspec: {endpointSelector: {}, ingress: [{}]}\n',
      ).errors.map(formatProblem),
      [
        'policies.yaml:1:1 apiVersion: CiliumNetworkPolicy is not served by "cilium.io/v2alpha1": use "cilium.io/v2"',
      ],
    );
  });

  test('a namespace on a CiliumClusterwideNetworkPolicy is ignored with a warning', () => {
    const r = load(yaml`
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata: {name: x, namespace: shop}
      spec: {endpointSelector: {}, ingress: [{}]}
    `);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['cluster-scoped-namespace'],
    );
    assert.equal(r.state.ciliumPolicies[0]?.id, 'CiliumClusterwideNetworkPolicy/x');
  });
});

describe('cilium policies: problems', () => {
  test('an error names file, line, column and field, quotes the value and says the fix', () => {
    assert.deepEqual(
      problems(
        webPolicy(yaml`
          ingress:
            - fromEndpoints: [{}]
              fromCIDR: [10.0.0.0/8]
          egress:
            - toPorts:
                - ports: [{port: "80", protocol: tcp}]
            - toCIDR: [10.0.0.1]
        `),
      ),
      [
        'policies.yaml:8:7 spec.ingress[0].fromCIDR: combining FromEndpoints and FromCIDR is not supported yet (the agent rejects the whole policy): a rule has one kind of peer. Put fromCIDR in a rule of its own (the rules add up)',
        'policies.yaml:11:32 spec.egress[0].toPorts[0].ports[0].protocol: Unsupported value: "tcp": supported values: "TCP", "UDP", "SCTP", "VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP", "AH", "ANY" (the values are upper-case). Did you mean "TCP"?',
        'policies.yaml:12:16 spec.egress[1].toCIDR[0]: Invalid value: "10.0.0.1": must be of type cidr: CIDR mask is missing in "10.0.0.1". Did you mean "10.0.0.1/32"?',
      ],
    );
  });

  test('in JSON, a problem is located as in YAML', () => {
    const json = JSON.stringify(
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumClusterwideNetworkPolicy',
        metadata: { name: 'x' },
        spec: { endpointSelector: {}, egress: [{ toEntities: ['wrld'] }] },
      },
      null,
      2,
    );
    assert.deepEqual(problems(json, 'p.json'), [
      'p.json:12:11 spec.egress[0].toEntities[0]: Unsupported value: "wrld": supported values: "all", "world", "cluster", "cluster-mesh", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver". Did you mean "world"?',
    ]);
  });

  test('an unparsable port gets the hint of its kind: out of range, octal, too long a name', () => {
    const hints = (port: string): string[] =>
      problems(webPolicy(`ingress:\n  - toPorts: [{ports: [{port: "${port}", protocol: TCP}]}]`)).map((p) =>
        p.slice(p.indexOf('policy): ') + 'policy): '.length),
      );
    assert.deepEqual(hints('99999'), ['a port number is 0–65535']);
    assert.deepEqual(hints('089'), [
      'a leading 0 makes it octal, where 8 and 9 are not digits; remove the 0',
    ]);
    assert.deepEqual(hints('0777777'), ['a port number is 0–65535 (a leading 0 makes it octal)']);
    assert.deepEqual(hints('a-very-long-port-name'), ['a port name has at most 15 characters']);
  });

  test('a rule list of the wrong type is one error, not also "empty"', () => {
    assert.deepEqual(problems(webPolicy('ingress: "oops"')), [
      'policies.yaml:6:3 spec.ingress: must be a list, got "oops"',
    ]);
  });

  test('a missing port says how to write every port', () => {
    assert.deepEqual(
      problems(
        webPolicy(yaml`
          ingress:
            - toPorts: [{ports: [{protocol: TCP}]}]
        `),
      ),
      [
        'policies.yaml:7:26 spec.ingress[0].toPorts[0].ports[0].port: port must be specified (the agent rejects the whole policy unless enable-extended-ip-protocols is set): write port: "0" for every port',
      ],
    );
  });

  // A host rule set (nodeSelector) is evaluated (under the cilium profile with the host firewall on), so it
  // gets no parse warning; `ciliumHostPolicyWarnings` says when it is not enforced (test/engine/cilium-host.test.ts).
  test('what netfence does not evaluate is accepted with one warning line each', () => {
    const r = load(yaml`
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata: {name: host}
      specs:
        - nodeSelector: {}
          ingress: [{fromEntities: [cluster]}]
        - endpointSelector: {}
          ingress: [{fromGroups: [{aws: {securityGroupsIds: [sg-1]}}]}]
          egress: [{toCIDRSet: [{cidrGroupRef: office}]}]
    `);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings.map(formatProblem), [
      'policies.yaml:8:16 warning: specs[1].ingress[0].fromGroups: fromGroups selects addresses of cloud security groups, which are not in the input; the rule matches no address here: netfence reads it but does not evaluate it',
      'policies.yaml:9:28 warning: specs[1].egress[0].toCIDRSet[0].cidrGroupRef: cidrGroupRef "office" names a CiliumCIDRGroup, which netfence does not read; it matches no address here: netfence reads it but does not evaluate it',
    ]);
    assert.equal(r.state.ciliumPolicies.length, 1);
  });

  test('icmps rules are read with a warning: netfence models no ICMP, so their pings are in no answer', () => {
    const r = load(yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: ping, namespace: a}
      spec:
        endpointSelector: {}
        ingress:
          - fromEntities: [cluster]
            icmps: [{fields: [{type: 8}]}]
        egressDeny:
          - icmps: [{fields: [{type: EchoRequest, family: IPv6}]}]
    `);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings.map(formatProblem), [
      'policies.yaml:8:7 warning: spec.ingress[0].icmps: icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule allows is in no answer, and the rule allows no TCP, UDP or SCTP connection: netfence reads it but does not evaluate it',
      'policies.yaml:10:7 warning: spec.egressDeny[0].icmps: icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule denies is in no answer, and the rule denies no TCP, UDP or SCTP connection: netfence reads it but does not evaluate it',
    ]);
    assert.equal(r.state.ciliumPolicies.length, 1);
  });

  test('entities whose addresses netfence does not know are read with a warning each', () => {
    const r = load(yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: apisrv, namespace: a}
      spec:
        endpointSelector: {}
        egress:
          - toEntities: [kube-apiserver, world, health]
          - toEntities: [unmanaged]
    `);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.warnings.map((w) => `${w.line} ${w.code} ${/"([a-z-]+)"/.exec(w.message)?.[1]}`),
      [
        '7 cilium-not-evaluated kube-apiserver',
        '7 cilium-not-evaluated health',
        '8 cilium-not-evaluated unmanaged',
      ],
    );
    assert.match(
      r.warnings[0]!.message,
      /the entity matches no address here: netfence reads it but does not evaluate it$/,
    );
  });

  test('an endpointSelector naming another namespace is warned about, quoting both namespaces', () => {
    const r = load(yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: wrong-ns, namespace: a}
      specs:
        - endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": b}}
          ingress: [{}]
        - endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": a, app: x}}
          ingress: [{}]
        - endpointSelector:
            matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: In, values: [c]}]
          ingress: [{}]
    `);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.warnings.map((w) => `${w.line} ${w.code} ${/names namespace "(\w+)"/.exec(w.message)?.[1]}`),
      ['5 cilium-foreign-namespace-selector b', '10 cilium-foreign-namespace-selector c'],
    );
    assert.match(
      r.warnings[0]!.message,
      /a CiliumNetworkPolicy of namespace "a" always applies in its own namespace.*Put the policy in namespace "b", or make it a CiliumClusterwideNetworkPolicy$/,
    );
    // The same selector in a clusterwide policy means what it says.
    const ccnp = load(yaml`
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata: {name: ok}
      spec:
        endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": b}}
        ingress: [{}]
    `);
    assert.deepEqual(ccnp.warnings, []);
  });

  test('mutual authentication (authentication mode required) is read with a warning: the connection also needs it', () => {
    const r = load(yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: mtls, namespace: a}
      spec:
        endpointSelector: {}
        ingress:
          - fromEndpoints: [{}]
            authentication: {mode: required}
          - fromEndpoints: [{}]
            authentication: {mode: disabled}
    `);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings.map(formatProblem), [
      'policies.yaml:8:24 warning: spec.ingress[0].authentication.mode: authentication mode "required" lets the rule\'s connections through only once mutual authentication succeeds; netfence does not model it and shows them allowed without it: netfence reads it but does not evaluate it',
    ]);
    assert.equal(r.state.ciliumPolicies.length, 1);
  });

  test('an invalid policy stays out of the state; --skip-invalid keeps the rest', () => {
    const text = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: bad}
      spec: {endpointSelector: {}, ingress: []}
    `;
    const r = load(text);
    assert.deepEqual(r.state.ciliumPolicies, []);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['cilium-empty-rule-set'],
    );
  });
});
