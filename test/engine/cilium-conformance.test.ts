/**
 * One test per semantic rule of Cilium's own policies at L3/L4 (CiliumNetworkPolicy,
 * CiliumClusterwideNetworkPolicy; issue #17, docs/design/cilium.md), each named after the rule. Every verdict
 * is written by hand from Cilium's doc comments and docs, never computed, and is checked against both the
 * engine (`allowedBetween`) and the naive reference evaluator (test/support/naive.ts, which reads the
 * policies as written), so a case fails when either one is wrong, and the message says which.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterPolicyInfo, PolicyInfo, ServiceInfo } from '../../src/model/cluster.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';
import { conformanceCluster, endpoint, expectVerdicts, naiveProfileOptions } from '../support/verdicts.ts';
import { naiveAllowed } from '../support/naive.ts';
import { portsContain } from '../../src/engine/ports.ts';
import { cniEngineOptions, resolveCniProfile } from '../../src/engine/profiles.ts';
import { banp, ccnp, cnp, cnpCilium, pod, policy } from '../support/builders.ts';

function service(
  namespace: string,
  name: string,
  selector?: Record<string, string>,
  labels: Record<string, string> = {},
): ServiceInfo {
  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    labels,
    spec: selector === undefined ? { ports: [{ port: 80 }] } : { selector, ports: [{ port: 80 }] },
  };
}

/**
 * The conformance cluster (test/support/verdicts.ts: `prod` with `web`, `db` and a host-network `agent` at
 * node n1's 192.168.0.1; `dev` with `web` and `client`; nodes n1 role=worker, n2 role=control at
 * 192.168.0.2) with services prod/db-svc (selects app=db) and prod/external (no selector).
 */
function state(
  ciliumPolicies: readonly CiliumPolicyInfo[],
  policies: readonly PolicyInfo[] = [],
  clusterPolicies: readonly ClusterPolicyInfo[] = [],
) {
  const s = conformanceCluster({ policies, clusterPolicies, ciliumPolicies });
  s.services.push(service('prod', 'db-svc', { app: 'db' }), service('prod', 'external'));
  return s;
}

const app = (value: string): LabelSelector => ({ matchLabels: { app: value } });
const ALL: LabelSelector = {};
const tcp = (port: string) => ({ ports: [{ port, protocol: 'TCP' }] });
const dns53 = { ports: [{ port: '53', protocol: 'ANY' }] };

/** prod/db's ingress: one Cilium rule set in `prod`. */
const dbIngress = (name: string, rule: Omit<CiliumRule, 'endpointSelector'>) =>
  cnpCilium('prod', name, { endpointSelector: app('db'), ...rule });
/** dev/client's egress. */
const clientEgress = (name: string, rule: Omit<CiliumRule, 'endpointSelector'>) =>
  cnpCilium('dev', name, { endpointSelector: app('client'), ...rule });

describe('isolation and combination with NetworkPolicies', () => {
  test('a rule set with ingress rules isolates its endpoints: only what a rule allows gets in', () => {
    const s = state([dbIngress('from-web', { ingress: [{ fromEndpoints: [app('web')] }] })]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'allow',
      'dev/web -> prod/db TCP/5432': 'deny', // the selector is scoped to prod
      'dev/client -> prod/db TCP/5432': 'deny',
      'prod/db -> prod/web TCP/8080': 'allow', // egress is not isolated
    });
  });

  test('an empty rule {} matches nothing: the rule set isolates and allows nothing (deny all)', () => {
    const s = state([dbIngress('deny-all', { ingress: [{}] })]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'deny',
      '8.8.8.8 -> prod/db TCP/5432': 'deny',
    });
  });

  test('allows of NetworkPolicies and Cilium policies add up', () => {
    const np = policy('prod', 'db-from-dev-web', {
      podSelector: app('db'),
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: app('web') }] }],
    });
    const s = state([dbIngress('from-web', { ingress: [{ fromEndpoints: [app('web')] }] })], [np]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'allow', // Cilium
      'dev/web -> prod/db TCP/5432': 'allow', // NetworkPolicy
      'dev/client -> prod/db TCP/5432': 'deny',
    });
  });

  test('a NetworkPolicy isolates on its own: a Cilium rule set with default deny off adds its allows only', () => {
    const np = policy('prod', 'db-closed', { podSelector: app('db'), policyTypes: ['Ingress'] });
    const open = dbIngress('open', {
      enableDefaultDeny: { ingress: false },
      ingress: [{ fromEndpoints: [app('web')] }],
    });
    expectVerdicts(state([open], [np]), {
      'prod/web -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/db TCP/5432': 'deny',
    });
    // Without the NetworkPolicy nothing isolates prod/db: everything gets in.
    expectVerdicts(state([open]), { 'dev/client -> prod/db TCP/5432': 'allow' });
  });

  test('a deny rule wins over a NetworkPolicy allow and over a Cilium allow', () => {
    const np = policy('prod', 'db-from-all', { podSelector: app('db'), ingress: [{}] });
    const s = state(
      [
        dbIngress('allow-all', { ingress: [{ fromEntities: ['all'] }] }),
        dbIngress('deny-web', { ingressDeny: [{ fromEndpoints: [app('web')], toPorts: [tcp('5432')] }] }),
      ],
      [np],
    );
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'deny',
      'prod/web -> prod/db TCP/5433': 'allow',
      'dev/web -> prod/db TCP/5432': 'allow',
    });
  });

  test('deny rules apply even when the class is not isolated (enableDefaultDeny off)', () => {
    const s = state([
      dbIngress('deny-client', {
        enableDefaultDeny: { ingress: false },
        ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dev' } }] }],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> prod/db TCP/5432': 'deny',
      'dev/web -> prod/db UDP/53': 'deny',
      'prod/web -> prod/db TCP/5432': 'allow',
      '8.8.8.8 -> prod/db TCP/5432': 'allow',
    });
  });

  test('enableDefaultDeny is read from Cilium 1.16 on (not in the CRD before) and not with enable-non-default-deny-policies=false', () => {
    // The guardrail idiom: a clusterwide egress deny that must not put every pod in egress default deny.
    const guard = ccnp('deny-metadata', {
      endpointSelector: ALL,
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toCIDR: ['169.254.169.254/32'] }],
    });
    const verdicts = (spec: string, options: string[] = []) => {
      const profile = resolveCniProfile(spec, options);
      assert.ok(profile.ok, spec);
      const s = state([guard]);
      const compiled = compileCluster(s, cniEngineOptions(profile.value));
      return ['prod/db', '8.8.8.8'].map((dst) => ({
        naive: naiveAllowed(
          s,
          endpoint('prod/web'),
          endpoint(dst),
          'TCP',
          443,
          naiveProfileOptions(profile.value),
        ),
        engine: portsContain(compiled.allowedBetween(endpoint('prod/web'), endpoint(dst)), 'TCP', 443),
      }));
    };
    const open = { naive: true, engine: true };
    const closed = { naive: false, engine: false };
    assert.deepEqual(verdicts('cilium@1.16'), [open, open]);
    assert.deepEqual(verdicts('cilium@1.20'), [open, open]);
    // Before 1.16 the field is pruned: the deny rule puts every pod in egress default deny.
    assert.deepEqual(verdicts('cilium@1.15'), [closed, closed]);
    assert.deepEqual(verdicts('cilium@1.14'), [closed, closed]);
    assert.deepEqual(verdicts('cilium@1.17', ['enable-non-default-deny-policies=false']), [closed, closed]);
    assert.equal(resolveCniProfile('cilium@1.16', ['enable-non-default-deny-policies=false']).ok, false);
  });

  test('a deny rule alone puts the endpoint in default deny in its direction', () => {
    const s = state([dbIngress('deny-web', { ingressDeny: [{ fromEndpoints: [app('web')] }] })]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'deny',
      'prod/db -> prod/web TCP/8080': 'allow', // egress untouched
      '8.8.8.8 -> prod/db TCP/5432': 'deny', // default deny, nothing allowed
    });
  });

  test('isolation is per direction', () => {
    const s = state([
      clientEgress('to-db', {
        egress: [
          { toEndpoints: [{ matchLabels: { app: 'db', 'k8s:io.kubernetes.pod.namespace': 'prod' } }] },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/web TCP/8080': 'deny',
      'dev/client -> 8.8.8.8 TCP/443': 'deny',
      'prod/web -> dev/client UDP/53': 'allow', // ingress not isolated
    });
  });

  test('a class no policy of either kind isolates is allowed, then the Baseline tier decides', () => {
    const denyDev = banp({
      subject: { namespaces: { matchLabels: { env: 'prod' } } },
      ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] }],
    });
    const s = state(
      [
        dbIngress('deny-8080', {
          enableDefaultDeny: { ingress: false },
          ingressDeny: [{ toPorts: [tcp('8080')] }],
        }),
      ],
      [],
      [denyDev],
    );
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'allow',
      'prod/web -> prod/db TCP/8080': 'deny', // Cilium deny
      'dev/web -> prod/db TCP/5432': 'deny', // Baseline deny
    });
  });

  test('the Admin tier decides before Cilium policies: an Admin accept wins over a Cilium deny', () => {
    const accept = cnp('accept-web', {
      tier: 'Admin',
      priority: 1,
      subject: { pods: { namespaceSelector: ALL, podSelector: app('db') } },
      ingress: [{ action: 'Accept', from: [{ pods: { namespaceSelector: ALL, podSelector: app('web') } }] }],
    });
    const s = state([dbIngress('deny-all', { ingressDeny: [{ fromEntities: ['all'] }] })], [], [accept]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/db TCP/5432': 'deny',
    });
  });

  test('a pod connecting to its own IP is not subject to Cilium policies', () => {
    const s = state([dbIngress('deny-all', { ingressDeny: [{ fromEntities: ['all'] }] })]);
    expectVerdicts(s, { 'prod/db -> prod/db TCP/5432': 'allow' });
  });
});

describe('selectors', () => {
  test('selectors match identity labels: the namespace under io.kubernetes.pod.namespace, its labels under io.cilium.k8s.namespace.labels', () => {
    const s = state([
      dbIngress('by-namespace-label', {
        ingress: [
          {
            fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.env': 'dev', app: 'web' } }],
          },
        ],
      }),
      ccnp('by-namespace', {
        endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'dev', 'any:app': 'web' } },
        ingress: [
          { fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['client'] }] }] },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'dev/web -> prod/db TCP/5432': 'allow',
      'prod/web -> prod/db TCP/5432': 'deny',
      'dev/client -> dev/web TCP/9090': 'allow',
      'prod/web -> dev/web TCP/9090': 'deny',
    });
  });

  test('identity labels carry the service account (io.cilium.k8s.policy.serviceaccount, default when the pod names none)', () => {
    const s = state([
      dbIngress('by-service-account', {
        ingress: [
          { fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'frontend' } }] },
          {
            fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.policy.serviceaccount': 'default' } }],
            toPorts: [tcp('81')],
          },
        ],
      }),
      // Selecting by service account: the frontend pods only, closed to ingress.
      cnpCilium('prod', 'frontend-closed', {
        endpointSelector: { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'frontend' } },
        ingress: [{}],
      }),
    ]);
    s.pods.push(pod('prod', 'shop', { app: 'shop' }, { ips: ['10.0.1.30'], serviceAccount: 'frontend' }));
    expectVerdicts(s, {
      'prod/shop -> prod/db TCP/5432': 'allow',
      'prod/web -> prod/db TCP/5432': 'deny',
      'prod/web -> prod/db TCP/81': 'allow',
      'prod/shop -> prod/db TCP/81': 'allow', // the first rule: every port
      'dev/client -> prod/db TCP/81': 'deny', // scoped to prod
      'prod/web -> prod/shop TCP/8080': 'deny',
      'prod/db -> prod/web TCP/8080': 'allow', // default account, not selected
    });
  });

  test('identity labels carry the cluster name (io.cilium.k8s.policy.cluster): default, or cluster-name', () => {
    const s = state([
      dbIngress('by-cluster', {
        ingress: [
          {
            fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.cluster': 'default' } }],
            toPorts: [tcp('80')],
          },
          {
            fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.cluster': 'prod-eu1' } }],
            toPorts: [tcp('81')],
          },
        ],
      }),
    ]);
    expectVerdicts(s, { 'prod/web -> prod/db TCP/80': 'allow', 'prod/web -> prod/db TCP/81': 'deny' });
    const named = resolveCniProfile('cilium', ['cluster-name=prod-eu1']);
    assert.ok(named.ok);
    const compiled = compileCluster(s, cniEngineOptions(named.value));
    const probes = [80, 81].map((port) => ({
      naive: naiveAllowed(
        s,
        endpoint('prod/web'),
        endpoint('prod/db'),
        'TCP',
        port,
        naiveProfileOptions(named.value),
      ),
      engine: portsContain(compiled.allowedBetween(endpoint('prod/web'), endpoint('prod/db')), 'TCP', port),
    }));
    assert.deepEqual(probes, [
      { naive: false, engine: false },
      { naive: true, engine: true },
    ]);
  });

  test('a CiliumNetworkPolicy selects and matches in its own namespace; a clusterwide one in every namespace', () => {
    const s = state([
      cnpCilium('prod', 'web', { endpointSelector: app('web'), ingress: [{ fromEndpoints: [ALL] }] }),
      ccnp('client-everywhere', {
        endpointSelector: app('client'),
        ingress: [{ fromEndpoints: [app('web')] }],
      }),
    ]);
    expectVerdicts(s, {
      'prod/db -> prod/web TCP/8080': 'allow',
      'dev/client -> prod/web TCP/8080': 'deny',
      'dev/client -> dev/web TCP/9090': 'allow', // dev/web is not selected
      'prod/web -> dev/client UDP/53': 'allow',
      'dev/web -> dev/client UDP/53': 'allow',
      'prod/db -> dev/client UDP/53': 'deny',
    });
  });

  test('host-network pods are not endpoints: never subjects, never matched by endpoint selectors', () => {
    const s = state([
      ccnp('every-endpoint-closed', { endpointSelector: ALL, ingress: [{ fromEndpoints: [ALL] }] }),
    ]);
    expectVerdicts(s, {
      'prod/web -> prod/agent TCP/80': 'allow', // the agent is not selected
      'prod/agent -> prod/web TCP/8080': 'deny', // nor matched by fromEndpoints {}
      'dev/web -> prod/web TCP/8080': 'allow',
    });
  });
});

describe('peers', () => {
  test('CIDR rules match only addresses outside the cluster: not pod IPs, not node addresses', () => {
    const s = state([
      dbIngress('from-cidr', {
        ingress: [{ fromCIDRSet: [{ cidr: '0.0.0.0/0', except: ['8.8.4.0/24'] }] }],
      }),
    ]);
    expectVerdicts(s, {
      '8.8.8.8 -> prod/db TCP/5432': 'allow',
      '8.8.4.4 -> prod/db TCP/5432': 'deny', // except
      'prod/web -> prod/db TCP/5432': 'deny', // a pod IP inside 0.0.0.0/0
      'prod/agent -> prod/db TCP/5432': 'deny', // a host-network pod
      '192.168.0.2 -> prod/db TCP/5432': 'deny', // a node address
    });
  });

  test('under the cilium profile with policy-cidr-match-mode=nodes,pods, CIDR rules match nodes and pods too', () => {
    const profile = resolveCniProfile('cilium', ['policy-cidr-match-mode=nodes,pods']);
    assert.ok(profile.ok);
    const s = state([dbIngress('from-cidr', { ingress: [{ fromCIDR: ['0.0.0.0/0'] }] })]);
    const compiled = compileCluster(s, { cni: profile.value });
    const allowed = (src: string) =>
      portsContain(compiled.allowedBetween(endpoint(src), endpoint('prod/db')), 'TCP', 5432);
    assert.deepEqual(['8.8.8.8', 'prod/web', 'prod/agent', '192.168.0.2'].map(allowed), [
      true,
      true,
      true,
      true,
    ]);
    // Cilium's default (no profile, or another CNI's): outside addresses only.
    const plain = compileCluster(s);
    assert.deepEqual(
      ['8.8.8.8', 'prod/web', 'prod/agent', '192.168.0.2'].map((src) =>
        portsContain(plain.allowedBetween(endpoint(src), endpoint('prod/db')), 'TCP', 5432),
      ),
      [true, false, false, false],
    );
  });

  test('entity cluster-mesh: as cluster (netfence sees one cluster)', () => {
    const s = state([clientEgress('to-mesh', { egress: [{ toEntities: ['cluster-mesh'] }] })]);
    expectVerdicts(s, {
      'dev/client -> prod/web TCP/8080': 'allow',
      'dev/client -> 192.168.0.2 TCP/10250': 'allow',
      'dev/client -> 8.8.8.8 TCP/443': 'deny',
    });
  });

  test('toServices without a namespace: the Service of that name in any namespace', () => {
    const s = state([
      clientEgress('to-db-svc', { egress: [{ toServices: [{ k8sService: { serviceName: 'db-svc' } }] }] }),
    ]);
    expectVerdicts(s, {
      'dev/client -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/web TCP/8080': 'deny',
    });
  });

  test('a selector field given as an empty list selects nothing, even with ports', () => {
    const s = state([dbIngress('empty', { ingress: [{ fromEndpoints: [], toPorts: [tcp('5432')] }] })]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'deny',
      '8.8.8.8 -> prod/db TCP/5432': 'deny',
    });
  });

  test('entity world (and world-ipv4, world-ipv6): addresses outside the cluster', () => {
    const s = state([
      clientEgress('to-world', {
        egress: [{ toEntities: ['world-ipv6'] }, { toEntities: ['world'], toPorts: [tcp('443')] }],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> 8.8.8.8 TCP/443': 'allow',
      'dev/client -> 8.8.8.8 TCP/80': 'deny',
      'dev/client -> 2001:db8::1 TCP/80': 'allow',
      'dev/client -> 192.168.0.2 TCP/443': 'deny', // a node
      'dev/client -> prod/web TCP/443': 'deny',
    });
  });

  test('entity cluster: every pod, host-network pods and nodes, not the world', () => {
    const s = state([clientEgress('to-cluster', { egress: [{ toEntities: ['cluster'] }] })]);
    expectVerdicts(s, {
      'dev/client -> prod/web TCP/8080': 'allow',
      'dev/client -> prod/agent TCP/80': 'allow',
      'dev/client -> 192.168.0.2 TCP/10250': 'allow',
      'dev/client -> 8.8.8.8 TCP/443': 'deny',
    });
  });

  test('entities host and remote-node: node addresses and host-network pods (any node: netfence does not know which is local)', () => {
    const s = state([
      dbIngress('from-host', { ingress: [{ fromEntities: ['host'] }] }),
      clientEgress('to-remote', { egress: [{ toEntities: ['remote-node'] }] }),
    ]);
    expectVerdicts(s, {
      'prod/agent -> prod/db TCP/5432': 'allow',
      '192.168.0.2 -> prod/db TCP/5432': 'allow',
      'prod/web -> prod/db TCP/5432': 'deny',
      'dev/client -> prod/agent TCP/80': 'allow',
      'dev/client -> 192.168.0.1 TCP/80': 'allow',
      'dev/client -> 8.8.8.8 TCP/80': 'deny',
    });
  });

  /** The conformance cluster with pods placed: client and agent on n1 (192.168.0.1), db on n2 (192.168.0.2). */
  const placed = (ciliumPolicies: readonly CiliumPolicyInfo[]) => {
    const s = state(ciliumPolicies);
    const nodeOf: Record<string, string> = { client: 'n1', agent: 'n1', db: 'n2' };
    s.pods = s.pods.map((p) => (nodeOf[p.name] === undefined ? p : { ...p, nodeName: nodeOf[p.name]! }));
    return s;
  };

  test('entities host and remote-node where pods’ nodes are known: host is the own node, remote-node the others', () => {
    expectVerdicts(placed([clientEgress('to-host', { egress: [{ toEntities: ['host'] }] })]), {
      'dev/client -> 192.168.0.1 TCP/10250': 'allow',
      'dev/client -> prod/agent TCP/80': 'allow',
      'dev/client -> 192.168.0.2 TCP/10250': 'deny',
      'dev/client -> prod/db TCP/5432': 'deny',
    });
    expectVerdicts(placed([clientEgress('to-remote', { egress: [{ toEntities: ['remote-node'] }] })]), {
      'dev/client -> 192.168.0.1 TCP/10250': 'deny',
      'dev/client -> prod/agent TCP/80': 'deny',
      'dev/client -> 192.168.0.2 TCP/10250': 'allow',
    });
    // db is on n2: its remote nodes are n1 (and the agent on it); a deny of host wins over the own node.
    const deny = (entity: string) =>
      placed([
        dbIngress(`deny-${entity}`, {
          enableDefaultDeny: { ingress: false },
          ingressDeny: [{ fromEntities: [entity] }],
        }),
      ]);
    expectVerdicts(deny('remote-node'), {
      '192.168.0.1 -> prod/db TCP/5432': 'deny',
      'prod/agent -> prod/db TCP/5432': 'deny',
      '192.168.0.2 -> prod/db TCP/5432': 'allow',
    });
    expectVerdicts(deny('host'), {
      '192.168.0.1 -> prod/db TCP/5432': 'allow',
      '192.168.0.2 -> prod/db TCP/5432': 'deny',
    });
  });

  test('own node: traffic from the pod’s own node is allowed through a Cilium default deny (allow-localhost)', () => {
    expectVerdicts(placed([dbIngress('from-web', { ingress: [{ fromEndpoints: [app('web')] }] })]), {
      '192.168.0.2 -> prod/db TCP/5432': 'allow',
      '192.168.0.1 -> prod/db TCP/5432': 'deny',
      'prod/agent -> prod/db TCP/5432': 'deny', // on n1, not db's node
    });
  });

  test('a reserved: endpoint selector is its entity (reserved:host, reserved:remote-node, reserved:world), never scoped to the namespace', () => {
    const reserved = (name: string): LabelSelector => ({ matchLabels: { [`reserved:${name}`]: '' } });
    const s = state([
      dbIngress('reserved-peers', {
        ingress: [
          { fromEndpoints: [reserved('host'), reserved('remote-node')], toPorts: [tcp('9090')] },
          {
            fromEndpoints: [{ matchExpressions: [{ key: 'reserved:world', operator: 'Exists' }] }],
            toPorts: [tcp('443')],
          },
          // A reserved label beside a pod label: no identity has both.
          { fromEndpoints: [{ matchLabels: { 'reserved:world': '', app: 'web' } }], toPorts: [tcp('80')] },
        ],
      }),
      clientEgress('to-apiserver', { egress: [{ toEndpoints: [reserved('kube-apiserver')] }] }),
    ]);
    expectVerdicts(s, {
      'prod/agent -> prod/db TCP/9090': 'allow',
      '192.168.0.2 -> prod/db TCP/9090': 'allow',
      'prod/web -> prod/db TCP/9090': 'deny',
      '8.8.8.8 -> prod/db TCP/443': 'allow',
      '8.8.8.8 -> prod/db TCP/9090': 'deny',
      'prod/web -> prod/db TCP/443': 'deny',
      '8.8.8.8 -> prod/db TCP/80': 'deny',
      'prod/web -> prod/db TCP/80': 'deny',
      // As the entity kube-apiserver: no endpoint netfence models, so still closed to the world.
      'dev/client -> 8.8.8.8 TCP/443': 'deny',
    });
  });

  test('entity all: everything', () => {
    const s = state([clientEgress('to-all', { egress: [{ toEntities: ['all'], toPorts: [tcp('443')] }] })]);
    expectVerdicts(s, {
      'dev/client -> 8.8.8.8 TCP/443': 'allow',
      'dev/client -> prod/agent TCP/443': 'allow',
      'dev/client -> prod/web TCP/443': 'allow',
      'dev/client -> prod/web TCP/80': 'deny',
    });
  });

  test('entities kube-apiserver, health, init, ingress, unmanaged: no endpoint netfence models (matches nothing)', () => {
    const s = state([
      clientEgress('to-special', {
        egress: [{ toEntities: ['kube-apiserver', 'health', 'init', 'ingress', 'unmanaged'] }],
      }),
      dbIngress('deny-special', {
        enableDefaultDeny: { ingress: false },
        ingressDeny: [{ fromEntities: ['kube-apiserver', 'health', 'init', 'ingress', 'unmanaged'] }],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> 192.168.0.1 TCP/6443': 'deny',
      'dev/client -> 8.8.8.8 TCP/443': 'deny',
      'prod/agent -> prod/db TCP/5432': 'allow',
      '192.168.0.2 -> prod/db TCP/5432': 'allow',
    });
  });

  test('nodes peers: the selected nodes addresses and the host-network pods at them', () => {
    const s = state([
      dbIngress('from-worker', { ingress: [{ fromNodes: [{ matchLabels: { role: 'worker' } }] }] }),
    ]);
    expectVerdicts(s, {
      '192.168.0.1 -> prod/db TCP/5432': 'allow',
      'prod/agent -> prod/db TCP/5432': 'allow', // at 192.168.0.1
      '192.168.0.2 -> prod/db TCP/5432': 'deny',
    });
  });

  test('toServices: a service with a selector stands for the pods it selects; one without for nothing known', () => {
    const s = state([
      clientEgress('to-db-svc', {
        egress: [
          { toServices: [{ k8sService: { serviceName: 'db-svc', namespace: 'prod' } }] },
          { toServices: [{ k8sService: { serviceName: 'external', namespace: 'prod' } }] },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/web TCP/8080': 'deny',
      'dev/client -> 8.8.8.8 TCP/80': 'deny',
    });
  });

  test('toFQDNs: a name matches no address (it is reported as reach by DNS name)', () => {
    const s = state([
      clientEgress('to-name', {
        egress: [
          { toFQDNs: [{ matchName: 'API.example.com.' }], toPorts: [tcp('443')] },
          { toEndpoints: [ALL], toPorts: [{ ...dns53, rules: { dns: [{ matchPattern: '*' }] } }] },
        ],
      }),
    ]);
    expectVerdicts(s, { 'dev/client -> 8.8.8.8 TCP/443': 'deny' });
    const compiled = compileCluster(s);
    const client = compiled.classOfPod('dev', 'client')!;
    const reach = compiled.domainReach(client).map((r) => `${r.domain} ${formatPorts(r.ports)}`);
    assert.deepEqual(reach, ['api.example.com TCP 443']);
  });

  /**
   * toFQDNs needs the DNS proxy: a `toFQDNs` selector gets addresses only from lookups Cilium's DNS proxy saw
   * (`pkg/fqdn`), and only an egress L7 `dns` rule on port 53 sends lookups to it (cilium#32567: "no port 53
   * rules to trigger DNS interception, which is also required for ToFQDN rules to work"). Its
   * `matchName`/`matchPattern` must cover the name.
   */
  test('toFQDNs needs the DNS proxy: reachable by name only through a DNS rule on port 53 covering the name', () => {
    const reach = (dnsRule: object | undefined, fqdn: object = { matchName: 'api.stripe.com' }): string[] => {
      const s = state([
        clientEgress('to-stripe', {
          egress: [
            { toFQDNs: [fqdn], toPorts: [tcp('443')] },
            ...(dnsRule === undefined ? [] : [{ toEndpoints: [ALL], toPorts: [dnsRule] }]),
          ],
        }),
      ]);
      const compiled = compileCluster(s);
      return compiled
        .domainReach(compiled.classOfPod('dev', 'client')!)
        .map((r) => `${r.domain} ${formatPorts(r.ports)}`);
    };
    const dns = (...selectors: object[]) => ({ ...dns53, rules: { dns: selectors } });
    // A plain port-53 allow (no `rules: dns`), or no DNS rule at all: the proxy never sees the lookup.
    assert.deepEqual(reach(undefined), []);
    assert.deepEqual(reach(dns53), []);
    // A DNS rule covering the name: by matchName, by matchPattern, by `*`.
    assert.deepEqual(reach(dns({ matchName: 'api.stripe.com' })), ['api.stripe.com TCP 443']);
    assert.deepEqual(reach(dns({ matchPattern: '*.stripe.com' })), ['api.stripe.com TCP 443']);
    assert.deepEqual(reach(dns({ matchPattern: '*' })), ['api.stripe.com TCP 443']);
    // A DNS rule for other names, or a dns rule on another port: not covered.
    assert.deepEqual(reach(dns({ matchName: 'example.com' })), []);
    assert.deepEqual(reach(dns({ matchPattern: '*.com' })), []); // `*` stays within one label
    assert.deepEqual(
      reach({ ports: [{ port: '5353', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }),
      [],
    );
    // A toFQDNs pattern: covered only by a DNS pattern at least as wide.
    assert.deepEqual(reach(dns({ matchPattern: '*.stripe.com' }), { matchPattern: '*.stripe.com' }), [
      '*.stripe.com TCP 443',
    ]);
    assert.deepEqual(reach(dns({ matchName: 'api.stripe.com' }), { matchPattern: '*.stripe.com' }), []);
  });

  test('a port rule without peers applies to every peer', () => {
    const s = state([dbIngress('port-only', { ingress: [{ toPorts: [tcp('5432')] }] })]);
    expectVerdicts(s, {
      'dev/client -> prod/db TCP/5432': 'allow',
      '8.8.8.8 -> prod/db TCP/5432': 'allow',
      'prod/agent -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/db TCP/80': 'deny',
    });
  });

  test('an unsupported peer (fromGroups, fromRequires, cidrGroupRef) matches nothing', () => {
    const s = state([
      dbIngress('groups', {
        ingress: [{ fromGroups: [{ aws: {} }] }, { fromCIDRSet: [{ cidrGroupRef: 'office' }] }],
      }),
    ]);
    expectVerdicts(s, {
      '8.8.8.8 -> prod/db TCP/5432': 'deny',
      'prod/web -> prod/db TCP/5432': 'deny',
    });
  });
});

describe('ports', () => {
  test('protocol ANY (or none) is TCP, UDP and SCTP', () => {
    const s = state([
      dbIngress('any', {
        ingress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }, { ports: [{ port: '99' }] }] }],
      }),
    ]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/53': 'allow',
      'prod/web -> prod/db UDP/53': 'allow',
      'prod/web -> prod/db SCTP/53': 'allow',
      'prod/web -> prod/db SCTP/99': 'allow',
      'prod/web -> prod/db TCP/54': 'deny',
    });
  });

  test('a port range (endPort) and port 0 (every port)', () => {
    const s = state([
      dbIngress('range', {
        ingress: [
          { toPorts: [{ ports: [{ port: '5000', endPort: 5010, protocol: 'TCP' }] }] },
          { toPorts: [{ ports: [{ port: '0', protocol: 'UDP' }] }] },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5005': 'allow',
      'prod/web -> prod/db TCP/5011': 'deny',
      'prod/web -> prod/db UDP/1': 'allow',
      'prod/web -> prod/db SCTP/1': 'deny',
    });
  });

  test('other protocols (ICMP) and icmps rules match no TCP, UDP or SCTP connection', () => {
    const s = state([
      dbIngress('icmp', {
        ingress: [
          { fromEndpoints: [ALL], toPorts: [{ ports: [{ port: '0', protocol: 'ICMP' }] }] },
          { fromEndpoints: [ALL], icmps: [{ fields: [{ type: 8 }] }] },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'deny',
      'prod/web -> prod/db UDP/53': 'deny',
    });
  });

  test('named ports resolve on the destination pod', () => {
    const s = state([
      ccnp('to-http', {
        endpointSelector: app('client'),
        egress: [{ toEndpoints: [app('web')], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
      }),
      ccnp('into-web', {
        endpointSelector: app('web'),
        ingress: [{ toPorts: [{ ports: [{ port: 'http' }] }] }],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> dev/web TCP/9090': 'allow',
      'dev/client -> prod/web TCP/8080': 'allow',
      'dev/client -> prod/web TCP/9090': 'deny',
      'prod/db -> dev/web TCP/9090': 'allow',
      'prod/db -> dev/web UDP/9090': 'deny',
    });
  });

  test('an L7 rule allows at L4 (the connection is marked, see cilium-l7 tests)', () => {
    const s = state([
      dbIngress('http', {
        ingress: [
          {
            fromEndpoints: [app('web')],
            toPorts: [{ ...tcp('5432'), rules: { http: [{ method: 'GET' }] } }],
          },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'allow',
      'prod/web -> prod/db TCP/5433': 'deny',
    });
  });
});
