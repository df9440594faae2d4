/**
 * `ProfileExplainer` (src/engine/profile-explain.ts) part by part: no profile, the pods standing for two ends
 * of one class (a given pod, or any other pod of the class), an address end, every setting named when only
 * several together decide, and the endPort rule's wording by the kinds of policies of the ends' namespaces.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, type CompiledCluster } from '../../src/engine/compile.ts';
import type { ExplainEnd } from '../../src/engine/explain.ts';
import { NO_PORTS, intersectPorts, portSetOf, type PortSet } from '../../src/engine/ports.ts';
import { ProfileExplainer } from '../../src/engine/profile-explain.ts';
import { cniEngineOptions } from '../../src/engine/profiles.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import {
  anp,
  ccnp,
  cluster,
  cnpCilium,
  dbFromWebAddress,
  node,
  ns,
  pod,
  policy,
} from '../support/builders.ts';
import { cniProfile as profile } from '../support/verdicts.ts';

const TCP_80 = portSetOf('TCP', [80, 80]);

/**
 * Three pods of one class (`app: x`), isolated for ingress by a NetworkPolicy; an AdminNetworkPolicy allows
 * them TCP 80 from each other. Cilium enforces no AdminNetworkPolicy, and a pod's traffic to itself (hairpin)
 * is subject to NetworkPolicies only: upstream allows a → b on TCP 80, not a → a; Cilium allows neither.
 */
const trio = cluster({
  namespaces: [ns('shop')],
  pods: ['a', 'b', 'c'].map((n, i) => pod('shop', n, { app: 'x' }, { ips: [`10.1.0.${i + 1}`] })),
  policies: [policy('shop', 'x-isolated', { podSelector: {}, policyTypes: ['Ingress'] })],
  clusterPolicies: [
    anp('x-to-x', {
      priority: 10,
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } } },
      ingress: [
        {
          name: 'from-x',
          action: 'Allow',
          from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } } }],
          ports: [{ portNumber: { port: 80, protocol: 'TCP' } }],
        },
      ],
    }),
  ],
});

const ANP_RULE =
  'clusterPolicies (upstream TCP 80): cilium: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy are not enforced';

function podEnd(compiled: CompiledCluster, namespace: string, name: string, onePod: boolean): ExplainEnd {
  return {
    kind: 'pod',
    classId: compiled.classOfPod(namespace, name)!,
    name: `${namespace}/${name}`,
    ...(onePod ? { onePod: `${namespace}/${name}` } : {}),
  };
}

/** The decisions for `src` → `dst` within `query`, the verdict computed as the CLI does (pods as given). */
function decide(
  compiled: CompiledCluster,
  src: ExplainEnd,
  dst: ExplainEnd,
  allowed: PortSet,
  query: PortSet = TCP_80,
): string[] {
  return new ProfileExplainer(compiled)
    .decisions(src, dst, query, intersectPorts(allowed, query))
    .map((d) => `${d.setting} (upstream ${formatPorts(d.upstream)}): ${d.rule}`);
}

describe('ProfileExplainer', () => {
  test('without a CNI profile: no settings and no decisions', () => {
    const compiled = compileCluster(trio);
    const explainer = new ProfileExplainer(compiled);
    assert.deepEqual(explainer.settings(), []);
    const a = podEnd(compiled, 'shop', 'a', true);
    const b = podEnd(compiled, 'shop', 'b', true);
    assert.deepEqual(explainer.decisions(a, b, TCP_80, portSetOf('TCP', [1, 1])), []);
  });

  test('two given pods of one class are those pods, not the first pod of the class twice (a hairpin)', () => {
    const compiled = compileCluster(trio, cniEngineOptions(profile('cilium')));
    const at = (src: string, dst: string, onePod: boolean) =>
      decide(
        compiled,
        podEnd(compiled, 'shop', src, onePod),
        podEnd(compiled, 'shop', dst, onePod),
        compiled.allowedBetween(
          { kind: 'pod', namespace: 'shop', name: src },
          { kind: 'pod', namespace: 'shop', name: dst },
        ),
      );
    assert.deepEqual(at('c', 'b', true), [ANP_RULE]);
    // A given pod to itself: NetworkPolicies only, which deny it under both profiles.
    assert.deepEqual(at('c', 'c', true), []);
    assert.deepEqual(at('a', 'a', true), []);
  });

  test('two ends of one class, no pod given: two different pods of the class', () => {
    const compiled = compileCluster(trio, cniEngineOptions(profile('cilium')));
    const a = podEnd(compiled, 'shop', 'a', false);
    const b = podEnd(compiled, 'shop', 'b', false);
    assert.equal(a.classId, b.classId);
    assert.deepEqual(decide(compiled, a, b, NO_PORTS), [ANP_RULE]);
  });

  test('an address end stands for an address of its class', () => {
    // A node's address to a pod of an isolated namespace: allowed upstream (own node), not under
    // allow-localhost=policy.
    const placed = cluster({
      namespaces: [ns('shop')],
      pods: [pod('shop', 'web', { app: 'web' }, { ips: ['10.1.0.10'], nodeName: 'n1' })],
      nodes: [node('n1', {}, ['192.168.0.1'])],
      policies: [policy('shop', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })],
    });
    const compiled = compileCluster(placed, cniEngineOptions(profile('cilium', 'allow-localhost=policy')));
    const n1: ExplainEnd = {
      kind: 'address',
      classId: compiled.addressSpace.classOfIp('192.168.0.1')!,
      name: '192.168.0.1',
    };
    const web = podEnd(compiled, 'shop', 'web', true);
    const allowed = compiled.allowedBetween(
      { kind: 'ip', ip: '192.168.0.1' },
      { kind: 'pod', namespace: 'shop', name: 'web' },
    );
    assert.deepEqual(
      decide(compiled, n1, web, allowed).map((d) => d.split(':')[0]),
      ['ownNodeTraffic (upstream TCP 80)'],
    );
  });

  test('when no single setting decides but several together do, every differing setting is named', () => {
    // db accepts TCP 79–81 from web's address only. Cilium 1.14 reads CIDR rules without pod IPs and
    // endPort as its first port: flipping one of the two still denies TCP 80; upstream allows it.
    const s = cluster(dbFromWebAddress([{ port: 79, endPort: 81 }]));
    const p = profile('cilium@1.14');
    const compiled = compileCluster(s, cniEngineOptions(p));
    const explainer = new ProfileExplainer(compiled);
    const web = podEnd(compiled, 'shop', 'web', true);
    const db = podEnd(compiled, 'shop', 'db', true);
    const allowed = compiled.allowedBetween(
      { kind: 'pod', namespace: 'shop', name: 'web' },
      { kind: 'pod', namespace: 'shop', name: 'db' },
    );
    const decided = explainer.decisions(web, db, TCP_80, intersectPorts(allowed, TCP_80));
    assert.deepEqual(
      decided.map((d) => d.setting),
      explainer.settings(),
    );
    assert.ok(explainer.settings().includes('cidrMatchesPods') && explainer.settings().includes('endPort'));
    assert.ok(explainer.settings().length > 2);
  });
});

describe('ProfileExplainer: the endPort rule names the kinds of policies that use endPort', () => {
  /** web → db on TCP 80, allowed in `shop` by a policy of ports 79–81 (a NetworkPolicy, or a Cilium one). */
  function endPortState(extra: Partial<Pick<ClusterState, 'policies' | 'ciliumPolicies'>>, cilium: boolean) {
    const base = cluster({
      namespaces: [ns('shop'), ns('other')],
      pods: [
        pod('shop', 'web', { app: 'web' }, { ips: ['10.1.0.10'] }),
        pod('shop', 'db', { app: 'db' }, { ips: ['10.1.0.20'] }),
        pod('other', 'o', { app: 'o' }, { ips: ['10.1.0.30'] }),
      ],
      policies: cilium
        ? []
        : [
            policy('shop', 'db-np', {
              podSelector: { matchLabels: { app: 'db' } },
              ingress: [
                {
                  from: [{ podSelector: { matchLabels: { app: 'web' } } }],
                  ports: [{ port: 79, endPort: 81 }],
                },
              ],
            }),
          ],
      ciliumPolicies: cilium
        ? [
            cnpCilium('shop', 'db-cnp', {
              endpointSelector: { matchLabels: { app: 'db' } },
              ingress: [
                {
                  fromEndpoints: [{ matchLabels: { app: 'web' } }],
                  toPorts: [{ ports: [{ port: '79', endPort: 81, protocol: 'TCP' }] }],
                },
              ],
            }),
          ]
        : [],
    });
    return {
      ...base,
      policies: [...base.policies, ...(extra.policies ?? [])],
      ciliumPolicies: [...base.ciliumPolicies, ...(extra.ciliumPolicies ?? [])],
    };
  }

  function endPortRule(s: ClusterState): string {
    const compiled = compileCluster(s, cniEngineOptions(profile('cilium@1.14')));
    const allowed = compiled.allowedBetween(
      { kind: 'pod', namespace: 'shop', name: 'web' },
      { kind: 'pod', namespace: 'shop', name: 'db' },
    );
    const decided = new ProfileExplainer(compiled).decisions(
      podEnd(compiled, 'shop', 'web', true),
      podEnd(compiled, 'shop', 'db', true),
      TCP_80,
      intersectPorts(allowed, TCP_80),
    );
    assert.deepEqual(
      decided.map((d) => d.setting),
      ['endPort'],
    );
    return decided[0]!.rule;
  }

  const NP = 'cilium@1.14: endPort is ignored: the rule allows only its port (cilium#28684)';
  const CNP =
    'cilium@1.14: CiliumNetworkPolicies have no endPort before 1.16 (the CRD lacks the field, so the API server drops it): the rule allows only its port';

  /** An endPort policy of namespace `namespace` that selects nothing (it only uses the field). */
  const npUsing = (namespace: string) =>
    policy(namespace, 'unused-np', {
      podSelector: { matchLabels: { app: 'none' } },
      ingress: [{ ports: [{ port: 1000, endPort: 1001 }] }],
    });
  const cnpUsing = (namespace: string | undefined) => {
    const spec = {
      endpointSelector: { matchLabels: { app: 'none' } },
      ingress: [{ toPorts: [{ ports: [{ port: '1000', endPort: 1001, protocol: 'TCP' as const }] }] }],
    };
    return namespace === undefined ? ccnp('unused-ccnp', spec) : cnpCilium(namespace, 'unused-cnp', spec);
  };

  test('a NetworkPolicy of the ends’ namespace only: the NetworkPolicy reason', () => {
    assert.equal(endPortRule(endPortState({}, false)), NP);
    // Cilium policies with endPort in another namespace do not count.
    assert.equal(endPortRule(endPortState({ ciliumPolicies: [cnpUsing('other')] }, false)), NP);
  });

  test('a Cilium policy of the ends’ namespace only: the CRD reason', () => {
    assert.equal(endPortRule(endPortState({}, true)), CNP);
    // NetworkPolicies with endPort in another namespace do not count, nor one of the namespace without it.
    const plain = policy('shop', 'plain', {
      podSelector: { matchLabels: { app: 'none' } },
      ingress: [{ ports: [{ port: 1000 }] }],
    });
    assert.equal(endPortRule(endPortState({ policies: [npUsing('other'), plain] }, true)), CNP);
  });

  test('both kinds: both reasons; a cluster-wide Cilium policy counts in every namespace', () => {
    assert.equal(endPortRule(endPortState({ ciliumPolicies: [cnpUsing('shop')] }, false)), `${NP}; ${CNP}`);
    assert.equal(
      endPortRule(endPortState({ ciliumPolicies: [cnpUsing(undefined)] }, false)),
      `${NP}; ${CNP}`,
    );
    assert.equal(endPortRule(endPortState({ policies: [npUsing('shop')] }, true)), `${NP}; ${CNP}`);
  });

  test('a Cilium policy without endPort does not count', () => {
    const plain = cnpCilium('shop', 'plain', {
      endpointSelector: { matchLabels: { app: 'none' } },
      ingress: [{ toPorts: [{ ports: [{ port: '1000', protocol: 'TCP' }] }] }],
    });
    assert.equal(endPortRule(endPortState({ ciliumPolicies: [plain] }, false)), NP);
  });
});
