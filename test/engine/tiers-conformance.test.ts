/**
 * One test per semantic rule of the cluster-wide tiers (ClusterNetworkPolicy v1beta1, AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy v1alpha1; issue #15, docs/design/tiers.md), each named after the rule. Every
 * verdict below is written by hand from the API's doc comments, never computed, and is checked against both
 * the engine (`allowedBetween`) and the naive reference evaluator (test/support/naive.ts), so a case fails
 * when either one is wrong, and the message says which.
 */
import { describe, test } from 'node:test';
import type { ClusterPolicyInfo, PolicyInfo } from '../../src/model/cluster.ts';
import type {
  ClusterNetworkPolicySpec,
  CnpEgressRule,
  CnpIngressRule,
  CnpProtocol,
  LabelSelector,
  TierEgressPeer,
  TierSubject,
} from '../../src/model/k8s.ts';
import { conformanceCluster, expectVerdicts, type Verdict, type Verdicts } from '../support/verdicts.ts';
import { anp, banp, cluster, cnp, ns, pod, policy } from '../support/builders.ts';

/** The conformance cluster (test/support/verdicts.ts) with these cluster policies and NetworkPolicies. */
function tiered(clusterPolicies: readonly ClusterPolicyInfo[], policies: readonly PolicyInfo[] = []) {
  return conformanceCluster({ policies, clusterPolicies });
}

// Shorthands for the specs.
const env = (value: string): LabelSelector => ({ matchLabels: { env: value } });
const app = (value: string): LabelSelector => ({ matchLabels: { app: value } });
const inNamespaces = (selector: LabelSelector): TierSubject => ({ namespaces: selector });
const podsOf = (namespace: LabelSelector, pods: LabelSelector): TierSubject => ({
  pods: { namespaceSelector: namespace, podSelector: pods },
});
const namespacesPeer = (selector: LabelSelector): TierEgressPeer => ({ namespaces: selector });
const podsPeer = (namespace: LabelSelector, pods: LabelSelector): TierEgressPeer => ({
  pods: { namespaceSelector: namespace, podSelector: pods },
});
const ALL: LabelSelector = {};
const PROD = inNamespaces(env('prod'));
const EVERY_NAMESPACE = inNamespaces(ALL);
const DEV_PEER = namespacesPeer(env('dev'));

/** A policy spec with one rule: `oneIngress(subject, 'Deny', peer)` denies ingress to `subject` from `peer`. */
const oneIngress = (subject: TierSubject, action: string, ...from: TierEgressPeer[]) => ({
  subject,
  ingress: [{ action, from }],
});
const oneEgress = (subject: TierSubject, action: string, ...to: TierEgressPeer[]) => ({
  subject,
  egress: [{ action, to }],
});
const prodDb = podsOf(env('prod'), app('db'));
const prodWeb = podsOf(env('prod'), app('web'));

function admin(name: string, priority: number, spec: Omit<ClusterNetworkPolicySpec, 'tier' | 'priority'>) {
  return cnp(name, { tier: 'Admin', priority, ...spec });
}

function baseline(name: string, priority: number, spec: Omit<ClusterNetworkPolicySpec, 'tier' | 'priority'>) {
  return cnp(name, { tier: 'Baseline', priority, ...spec });
}

const tcpPort = (number: number): CnpProtocol => ({ tcp: { destinationPort: { number } } });

/** The same spec with `protocols` on each of its rules. */
function onPorts(
  spec: { subject: TierSubject; ingress?: CnpIngressRule[]; egress?: CnpEgressRule[] },
  ...protocols: CnpProtocol[]
) {
  return {
    subject: spec.subject,
    ...(spec.ingress === undefined ? {} : { ingress: spec.ingress.map((r) => ({ ...r, protocols })) }),
    ...(spec.egress === undefined ? {} : { egress: spec.egress.map((r) => ({ ...r, protocols })) }),
  };
}

/** Every pod's ingress from every pod and egress to every IPv4 address (so every pod too) denied. */
const DENY_EVERYTHING = {
  subject: EVERY_NAMESPACE,
  ingress: [{ action: 'Deny', from: [namespacesPeer(ALL)] }],
  egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }],
};

/** A NetworkPolicy isolating ingress of prod/db and allowing it from dev/web only. */
const dbFromDevWeb = policy('prod', 'db-from-dev-web', {
  podSelector: app('db'),
  ingress: [{ from: [{ namespaceSelector: env('dev'), podSelector: app('web') }] }],
});

/** A NetworkPolicy isolating ingress of the `app` pods of `prod` and allowing nothing. */
const denyIngressTo = (appName: string) =>
  policy('prod', `deny-${appName}`, { podSelector: app(appName), policyTypes: ['Ingress'] });

const EVERY_PORT = ['TCP/1', 'TCP/80', 'TCP/65535', 'UDP/53', 'SCTP/9'] as const;

function all(pair: string, verdict: Verdict): Verdicts {
  return Object.fromEntries(EVERY_PORT.map((p) => [`${pair} ${p}`, verdict]));
}

describe('tier order', () => {
  test('the Admin tier decides before NetworkPolicy: an Admin Deny wins over a NetworkPolicy allow', () => {
    // "If Admin tier has made a final decision (Accept or Deny) on a connection, then no further evaluation
    // is done."
    const state = tiered(
      [admin('deny-dev', 10, oneIngress(prodDb, 'Deny', DEV_PEER))],
      [policy('prod', 'allow-db', { podSelector: app('db'), ingress: [{}] })],
    );
    expectVerdicts(state, {
      'dev/web -> prod/db TCP/5432': 'deny',
      'dev/client -> prod/db UDP/53': 'deny',
      'prod/web -> prod/db TCP/5432': 'allow',
    });
  });

  test('the Admin tier decides before NetworkPolicy: an Admin Accept wins over NetworkPolicy isolation', () => {
    const state = tiered(
      [admin('web-to-db', 10, oneIngress(prodDb, 'Accept', podsPeer(env('prod'), app('web'))))],
      [denyIngressTo('db')],
    );
    expectVerdicts(state, {
      'prod/web -> prod/db TCP/5432': 'allow',
      'dev/web -> prod/db TCP/5432': 'deny',
    });
  });

  test('NetworkPolicy decides before the Baseline tier for the pods it isolates', () => {
    // "v1.NetworkPolicy always makes a final decision for selected pods."
    const state = tiered(
      [baseline('deny-all', 10, oneIngress(EVERY_NAMESPACE, 'Deny', namespacesPeer(ALL)))],
      [dbFromDevWeb],
    );
    expectVerdicts(state, {
      'dev/web -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/db TCP/5432': 'deny',
      // prod/web is not isolated by any NetworkPolicy: the Baseline Deny applies.
      'prod/db -> prod/web TCP/8080': 'deny',
    });
  });

  test('NetworkPolicy isolation is per direction: the other direction falls through to Baseline', () => {
    // "Further evaluation only happens for Pods not selected by a v1.NetworkPolicy", per direction.
    const state = tiered(
      [
        baseline('deny-dev', 10, {
          subject: PROD,
          ingress: [{ action: 'Deny', from: [DEV_PEER] }],
          egress: [{ action: 'Deny', to: [DEV_PEER] }],
        }),
      ],
      [policy('prod', 'web-open', { podSelector: app('web'), policyTypes: ['Ingress'], ingress: [{}] })],
    );
    expectVerdicts(state, {
      'dev/web -> prod/web TCP/8080': 'allow',
      // Not isolated for ingress: Baseline decides.
      'dev/web -> prod/db TCP/5432': 'deny',
      // prod/web is isolated for ingress only: its egress goes to Baseline.
      'prod/web -> dev/web TCP/9090': 'deny',
    });
  });

  test('no tier decides: allowed (the Kubernetes default)', () => {
    // "If a given connection wasn't allowed or denied by any of the tiers, the default kubernetes policy is
    // applied, which says that all pods can communicate with each other."
    const state = tiered([
      admin('staging', 1, oneIngress(EVERY_NAMESPACE, 'Deny', namespacesPeer(env('staging')))),
      baseline('staging', 1, oneIngress(EVERY_NAMESPACE, 'Deny', namespacesPeer(env('staging')))),
      banp(oneEgress(EVERY_NAMESPACE, 'Deny', { networks: ['172.16.0.0/12'] })),
    ]);
    expectVerdicts(state, {
      ...all('dev/web -> prod/web', 'allow'),
      'prod/web -> 8.8.8.8 TCP/443': 'allow',
      '8.8.8.8 -> prod/web TCP/8080': 'allow',
    });
  });
});

describe('priority and rule order', () => {
  test('a lower priority value is evaluated first (as a number, not by name)', () => {
    // "Policies with lower priority values have higher precedence".
    const acceptFirst = tiered([
      admin('a-deny', 10, oneIngress(PROD, 'Deny', DEV_PEER)),
      admin('b-accept', 9, oneIngress(PROD, 'Accept', DEV_PEER)),
    ]);
    expectVerdicts(acceptFirst, { 'dev/web -> prod/web TCP/8080': 'allow' });
    const denyFirst = tiered([
      admin('a-accept', 10, oneIngress(PROD, 'Accept', DEV_PEER)),
      admin('b-deny', 9, oneIngress(PROD, 'Deny', DEV_PEER)),
    ]);
    expectVerdicts(denyFirst, { 'dev/web -> prod/web TCP/8080': 'deny' });
  });

  test('rules of a policy are evaluated in list order: the first matching rule decides', () => {
    // "a rule that appears at the top of the ingress rules would take the highest precedence."
    const state = tiered([
      admin('web', 10, {
        subject: prodWeb,
        ingress: [
          { action: 'Accept', from: [podsPeer(env('dev'), app('web'))], protocols: [tcpPort(8080)] },
          { action: 'Deny', from: [DEV_PEER] },
          { action: 'Accept', from: [DEV_PEER] },
        ],
      }),
    ]);
    expectVerdicts(state, {
      'dev/web -> prod/web TCP/8080': 'allow',
      'dev/web -> prod/web TCP/9090': 'deny',
      'dev/client -> prod/web TCP/8080': 'deny',
    });
  });

  test('a policy without ingress rules does not affect ingress traffic', () => {
    // "CNPs with no ingress rules do not affect ingress traffic."
    const state = tiered([admin('egress-only', 10, oneEgress(EVERY_NAMESPACE, 'Deny', DEV_PEER))]);
    expectVerdicts(state, {
      'dev/web -> prod/web TCP/8080': 'allow',
      'prod/web -> dev/web TCP/9090': 'deny',
    });
  });

  test('the BaselineAdminNetworkPolicy comes after every Baseline ClusterNetworkPolicy, even priority 1000', () => {
    const state = tiered([
      banp(oneIngress(PROD, 'Deny', DEV_PEER)),
      baseline('last', 1000, oneIngress(PROD, 'Accept', podsPeer(env('dev'), app('web')))),
    ]);
    expectVerdicts(state, {
      'dev/web -> prod/web TCP/8080': 'allow',
      'dev/client -> prod/web TCP/8080': 'deny',
    });
  });

  test('equal priorities (undefined by the API): netfence evaluates CNPs before ANPs, then by name', () => {
    // The API: "the implementation can apply any of the matching policies". netfence's choice, documented
    // at `compareTierOrder` (src/engine/tiers.ts), so that its answer is at least stable.
    const kinds = tiered([
      anp('a-allow', {
        priority: 5,
        subject: PROD,
        ingress: [{ action: 'Allow', from: [DEV_PEER] }],
      }),
      admin('z-deny', 5, oneIngress(PROD, 'Deny', DEV_PEER)),
    ]);
    expectVerdicts(kinds, { 'dev/web -> prod/web TCP/8080': 'deny' });
    const names = tiered([
      admin('b-deny', 5, oneIngress(PROD, 'Deny', DEV_PEER)),
      admin('a-accept', 5, oneIngress(PROD, 'Accept', DEV_PEER)),
    ]);
    expectVerdicts(names, { 'dev/web -> prod/web TCP/8080': 'allow' });
  });
});

describe('actions', () => {
  test('Accept decides its own direction only: the destination still decides its ingress', () => {
    // Egress Accept: "No further egress ClusterNetworkPolicy or NetworkPolicy rules will be processed but
    // any ingress rules at the destination do apply."
    const state = tiered([
      admin('prod-out', 10, oneEgress(PROD, 'Accept', DEV_PEER)),
      baseline('dev-in', 10, oneIngress(inNamespaces(env('dev')), 'Deny', namespacesPeer(env('prod')))),
    ]);
    expectVerdicts(state, {
      'prod/web -> dev/web TCP/9090': 'deny',
      'dev/client -> dev/web TCP/9090': 'allow',
    });
  });

  test('Accept skips NetworkPolicy in its direction', () => {
    const state = tiered(
      [admin('prod-out', 10, oneEgress(PROD, 'Accept', DEV_PEER))],
      [policy('prod', 'no-egress', { podSelector: {}, policyTypes: ['Egress'] })],
    );
    expectVerdicts(state, {
      'prod/web -> dev/web TCP/9090': 'allow',
      'prod/web -> prod/db TCP/5432': 'deny',
    });
  });

  test('Deny is final: neither NetworkPolicy nor the Baseline tier can allow it back', () => {
    // "Drops the selected traffic. No further ClusterNetworkPolicy or NetworkPolicy rules will be processed."
    const state = tiered(
      [
        admin('no-9090', 10, onPorts(oneEgress(PROD, 'Deny', DEV_PEER), tcpPort(9090))),
        baseline('open', 10, oneEgress(PROD, 'Accept', DEV_PEER)),
      ],
      [policy('prod', 'all-out', { podSelector: {}, egress: [{}] })],
    );
    expectVerdicts(state, {
      'prod/web -> dev/web TCP/9090': 'deny',
      'prod/web -> dev/web TCP/9091': 'allow',
      'prod/web -> dev/web UDP/9090': 'allow',
    });
  });

  test('Pass skips the rest of the Admin tier and hands over to NetworkPolicy', () => {
    // "if an Admin tier CNP uses Pass action, NetworkPolicy evaluation will happen next."
    const state = tiered(
      [
        admin('pass-dev', 1, oneIngress(PROD, 'Pass', DEV_PEER)),
        admin('deny-dev', 2, oneIngress(PROD, 'Deny', DEV_PEER)),
      ],
      [dbFromDevWeb],
    );
    expectVerdicts(state, {
      'dev/web -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/db TCP/5432': 'deny',
      // Not isolated by NetworkPolicy, no Baseline: the default.
      'dev/web -> prod/web TCP/8080': 'allow',
    });
  });

  test('Pass, with no NetworkPolicy isolating the pod, goes on to the Baseline tier', () => {
    // ANP: "If the pod is not selected by any NetworkPolicies then execution is passed to any
    // BaselineAdminNetworkPolicies that select the pod."
    const state = tiered([
      anp('pass-dev', {
        priority: 1,
        subject: PROD,
        ingress: [{ action: 'Pass', from: [DEV_PEER] }],
      }),
      baseline('no-8080', 1, onPorts(oneIngress(PROD, 'Deny', DEV_PEER), tcpPort(8080))),
    ]);
    expectVerdicts(state, {
      'dev/web -> prod/web TCP/8080': 'deny',
      'dev/web -> prod/web TCP/8081': 'allow',
    });
  });

  test('Pass in the Baseline tier skips the rest of it, the BaselineAdminNetworkPolicy too: allowed', () => {
    // "Skips all further ClusterNetworkPolicy rules in the current tier": after Baseline only the default.
    const state = tiered([
      baseline('pass-dev', 1, oneIngress(PROD, 'Pass', DEV_PEER)),
      baseline('deny-all', 2, oneIngress(PROD, 'Deny', namespacesPeer(ALL))),
      banp(oneIngress(EVERY_NAMESPACE, 'Deny', namespacesPeer(ALL))),
    ]);
    expectVerdicts(state, {
      'dev/web -> prod/web TCP/8080': 'allow',
      'prod/db -> prod/web TCP/8080': 'deny',
    });
  });

  test('v1alpha1 Allow is an Accept: an ANP Allow skips NetworkPolicy, a BANP Allow decides Baseline', () => {
    const anpState = tiered(
      [
        anp('web', {
          priority: 1,
          subject: PROD,
          ingress: [{ action: 'Allow', from: [podsPeer(env('dev'), app('web'))] }],
        }),
      ],
      [denyIngressTo('db')],
    );
    expectVerdicts(anpState, {
      'dev/web -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/db TCP/5432': 'deny',
    });
    const banpState = tiered([
      banp({
        subject: PROD,
        ingress: [
          { action: 'Allow', from: [podsPeer(env('dev'), app('web'))] },
          { action: 'Deny', from: [DEV_PEER] },
        ],
      }),
    ]);
    expectVerdicts(banpState, {
      'dev/web -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/db TCP/5432': 'deny',
    });
  });

  test('ANPs and Admin CNPs are one Admin tier, ordered by priority across both kinds', () => {
    const anpFirst = tiered([
      admin('deny-dev', 10, oneIngress(PROD, 'Deny', DEV_PEER)),
      anp('allow-dev', {
        priority: 5,
        subject: PROD,
        ingress: [{ action: 'Allow', from: [DEV_PEER] }],
      }),
    ]);
    expectVerdicts(anpFirst, { 'dev/web -> prod/web TCP/8080': 'allow' });
    const cnpFirst = tiered([
      anp('allow-dev', {
        priority: 10,
        subject: PROD,
        ingress: [{ action: 'Allow', from: [DEV_PEER] }],
      }),
      admin('deny-dev', 5, oneIngress(PROD, 'Deny', DEV_PEER)),
    ]);
    expectVerdicts(cnpFirst, { 'dev/web -> prod/web TCP/8080': 'deny' });
  });

  test('fail closed: a peer netfence cannot read matches nothing in an Allow, everything in a Deny or Pass', () => {
    // "For "Accept" rules, "fail closed" means: "treat the rule as matching no traffic". For "Deny" and
    // "Pass" rules, "fail closed" means: "treat the rule as a 'Deny all' rule"." `sameLabels` is a v0.1.x peer.
    const unreadable = { sameLabels: ['env'] } as unknown as TierEgressPeer;
    const deny = tiered([
      anp('old', {
        priority: 1,
        subject: PROD,
        ingress: [{ action: 'Deny', from: [unreadable] }],
      }),
    ]);
    expectVerdicts(deny, {
      'dev/web -> prod/web TCP/8080': 'deny',
      'prod/db -> prod/web TCP/8080': 'deny',
      '8.8.8.8 -> prod/web TCP/8080': 'deny',
      'prod/web -> dev/web TCP/9090': 'allow',
    });
    const allow = tiered(
      [
        anp('old', {
          priority: 1,
          subject: PROD,
          ingress: [{ action: 'Allow', from: [unreadable, DEV_PEER] }],
        }),
      ],
      [denyIngressTo('db')],
    );
    expectVerdicts(allow, {
      'dev/web -> prod/db TCP/5432': 'allow',
      'prod/web -> prod/db TCP/5432': 'deny',
    });
    const pass = tiered([
      anp('old', {
        priority: 1,
        subject: PROD,
        ingress: [{ action: 'Pass', from: [unreadable] }],
      }),
      admin('deny-all', 2, oneIngress(EVERY_NAMESPACE, 'Deny', namespacesPeer(ALL))),
    ]);
    expectVerdicts(pass, {
      'dev/web -> prod/web TCP/8080': 'allow',
      'prod/web -> dev/web TCP/9090': 'deny',
    });
  });
});

describe('subjects', () => {
  test('a namespaces subject selects every pod of the matching namespaces', () => {
    const state = tiered([admin('prod', 1, oneIngress(PROD, 'Deny', namespacesPeer(ALL)))]);
    expectVerdicts(state, {
      'dev/web -> prod/web TCP/8080': 'deny',
      'dev/web -> prod/db TCP/5432': 'deny',
      'prod/web -> dev/client UDP/53': 'allow',
    });
  });

  test('a pods subject selects by namespace labels AND pod labels', () => {
    const state = tiered([admin('prod-web', 1, oneIngress(prodWeb, 'Deny', namespacesPeer(ALL)))]);
    expectVerdicts(state, {
      'dev/client -> prod/web TCP/8080': 'deny',
      'dev/client -> prod/db TCP/5432': 'allow',
      'dev/client -> dev/web TCP/9090': 'allow',
    });
  });

  test('empty selectors select every namespace and every pod (there is no "policy namespace")', () => {
    // "if empty, it selects all Namespaces" / "if empty, it selects all Pods".
    const state = tiered([admin('all', 1, oneIngress(podsOf(ALL, ALL), 'Deny', podsPeer(ALL, ALL)))]);
    expectVerdicts(state, {
      'dev/web -> prod/db TCP/5432': 'deny',
      'prod/web -> dev/client UDP/53': 'deny',
      // A pods peer never matches an address.
      '8.8.8.8 -> prod/web TCP/8080': 'allow',
    });
  });

  test('an address outside the cluster is never a subject', () => {
    const state = tiered([admin('all', 1, DENY_EVERYTHING)]);
    expectVerdicts(state, {
      '8.8.8.8 -> prod/web TCP/8080': 'allow',
      'prod/web -> 8.8.8.8 TCP/443': 'deny',
    });
  });
});

describe('host-network pods and hairpin', () => {
  test('host-network pods are never subjects', () => {
    // "Note that host-networked pods are not included in subject selection."
    const state = tiered([admin('all', 1, DENY_EVERYTHING)]);
    expectVerdicts(state, {
      'prod/agent -> 8.8.8.8 TCP/443': 'allow',
      'prod/web -> 8.8.8.8 TCP/443': 'deny',
    });
  });

  test('host-network pods are never subjects, even where NetworkPolicies police them', () => {
    // `hostNetworkPods: policed` reads NetworkPolicy literally; the cluster policy API excludes them literally.
    const state = tiered([admin('all', 1, oneEgress(EVERY_NAMESPACE, 'Deny', { networks: ['0.0.0.0/0'] }))]);
    expectVerdicts(
      state,
      { 'prod/agent -> 8.8.8.8 TCP/443': 'allow', 'prod/web -> 8.8.8.8 TCP/443': 'deny' },
      { ipBlockMatchesPods: true, hostNetworkPods: 'policed' },
    );
  });

  test('host-network pods never match namespaces or pods peers', () => {
    // "Note that host-networked pods are not included in this type of peer."
    const state = tiered([
      admin('web', 1, oneIngress(prodWeb, 'Deny', namespacesPeer(ALL), podsPeer(ALL, ALL))),
    ]);
    expectVerdicts(state, {
      'prod/agent -> prod/web TCP/8080': 'allow',
      'prod/db -> prod/web TCP/8080': 'deny',
    });
  });

  test("hairpin: a pod's connection to itself is not subject to cluster policies", () => {
    // "A Pod connecting directly to its own Pod IP is never subject to ClusterNetworkPolicy enforcement."
    const state = tiered([admin('deny-all', 1, DENY_EVERYTHING), baseline('deny-all', 1, DENY_EVERYTHING)]);
    expectVerdicts(state, {
      ...all('prod/web -> prod/web', 'allow'),
      'prod/web -> prod/db TCP/5432': 'deny',
    });
  });

  test('hairpin: NetworkPolicy still decides a pod connection to itself', () => {
    const state = tiered(
      [admin('accept-all', 1, oneIngress(EVERY_NAMESPACE, 'Accept', namespacesPeer(ALL)))],
      [denyIngressTo('db')],
    );
    expectVerdicts(state, {
      'prod/db -> prod/db TCP/5432': 'deny',
      'prod/web -> prod/db TCP/5432': 'allow',
    });
  });
});

describe('peers', () => {
  test('networks peers match pod IPs too, host-network pods included', () => {
    // "cluster-internal traffic will be checked against the rule as well".
    const state = tiered([
      admin('web', 1, oneEgress(prodWeb, 'Deny', { networks: ['10.0.2.0/24', '192.168.0.0/24'] })),
    ]);
    expectVerdicts(state, {
      'prod/web -> dev/web TCP/9090': 'deny',
      'prod/web -> 10.0.2.99 TCP/80': 'deny',
      'prod/web -> prod/agent TCP/22': 'deny',
      'prod/web -> prod/db TCP/5432': 'allow',
      'prod/web -> 10.0.3.1 TCP/80': 'allow',
    });
  });

  test('networks 0.0.0.0/0 matches pods whose IPs are unknown: every pod has one (IPv4 assumed)', () => {
    // "if you Accept or Deny traffic to "0.0.0.0/0", that will allow or deny all IPv4 pod-to-pod traffic".
    const state = cluster({
      namespaces: [ns('prod', { env: 'prod' })],
      pods: [pod('prod', 'web', { app: 'web' }), pod('prod', 'db', { app: 'db' })],
      clusterPolicies: [
        admin('all', 1, oneEgress(prodWeb, 'Deny', { networks: ['0.0.0.0/0'] })),
        admin('db', 2, oneEgress(prodDb, 'Deny', { networks: ['10.0.0.0/8'] })),
      ],
    });
    expectVerdicts(state, {
      'prod/web -> prod/db TCP/5432': 'deny',
      'prod/web -> 10.0.3.1 TCP/80': 'deny',
      'prod/db -> prod/web TCP/80': 'allow',
      'prod/db -> 10.0.3.1 TCP/80': 'deny',
    });
  });

  test('nodes peers match the selected Nodes addresses, and the host-network pods on them', () => {
    // "selects the nodeIPs as the peer type by matching on the IPs present in the node.Status.Addresses".
    const state = tiered([
      admin('web', 1, oneEgress(prodWeb, 'Deny', { nodes: { matchLabels: { role: 'worker' } } })),
    ]);
    expectVerdicts(state, {
      'prod/web -> 192.168.0.1 TCP/10250': 'deny',
      'prod/web -> prod/agent TCP/22': 'deny',
      'prod/web -> 192.168.0.2 TCP/10250': 'allow',
      'prod/web -> prod/db TCP/5432': 'allow',
    });
  });

  test('an empty nodes selector selects every Node', () => {
    // "if present but empty, it selects all Nodes."
    const state = tiered([admin('web', 1, oneEgress(prodWeb, 'Deny', { nodes: ALL }))]);
    expectVerdicts(state, {
      'prod/web -> 192.168.0.1 TCP/10250': 'deny',
      'prod/web -> 192.168.0.2 TCP/10250': 'deny',
      'prod/web -> 192.168.0.3 TCP/10250': 'allow',
      'prod/web -> prod/db TCP/5432': 'allow',
    });
  });

  test('domainNames peers match no address netfence can know', () => {
    const state = tiered([
      admin('dns', 1, oneEgress(prodWeb, 'Accept', { domainNames: ['example.com', '*.example.org'] })),
      baseline('no-egress', 1, oneEgress(prodWeb, 'Deny', { networks: ['0.0.0.0/0'] })),
    ]);
    expectVerdicts(state, {
      'prod/web -> 93.184.215.14 TCP/443': 'deny',
      'prod/web -> dev/web TCP/9090': 'deny',
    });
  });
});

describe('ports', () => {
  test('a port number matches that protocol and that number only', () => {
    const state = tiered([
      admin('db', 1, onPorts(oneIngress(prodDb, 'Deny', namespacesPeer(ALL)), tcpPort(5432))),
    ]);
    expectVerdicts(state, {
      'dev/web -> prod/db TCP/5432': 'deny',
      'dev/web -> prod/db UDP/5432': 'allow',
      'dev/web -> prod/db TCP/5431': 'allow',
      'dev/web -> prod/db TCP/5433': 'allow',
    });
  });

  test('a port range matches from start to end, both included', () => {
    const state = tiered([
      admin(
        'db',
        1,
        onPorts(oneIngress(prodDb, 'Deny', namespacesPeer(ALL)), {
          udp: { destinationPort: { range: { start: 5000, end: 5010 } } },
        }),
      ),
    ]);
    expectVerdicts(state, {
      'dev/web -> prod/db UDP/4999': 'allow',
      'dev/web -> prod/db UDP/5000': 'deny',
      'dev/web -> prod/db UDP/5010': 'deny',
      'dev/web -> prod/db UDP/5011': 'allow',
      'dev/web -> prod/db TCP/5005': 'allow',
    });
  });

  test("a named port is the destination pod's container port of that name, whatever its protocol", () => {
    // "DestinationNamedPort selects a destination port on a pod based on the ContainerPort name."
    const state = tiered([
      admin(
        'db-out',
        1,
        onPorts(
          oneEgress(prodDb, 'Deny', namespacesPeer(ALL)),
          { destinationNamedPort: 'http' },
          { destinationNamedPort: 'dns' },
        ),
      ),
    ]);
    expectVerdicts(state, {
      'prod/db -> prod/web TCP/8080': 'deny',
      'prod/db -> prod/web TCP/9090': 'allow',
      'prod/db -> dev/web TCP/9090': 'deny',
      'prod/db -> dev/web TCP/8080': 'allow',
      'prod/db -> dev/client UDP/53': 'deny',
      'prod/db -> dev/client TCP/53': 'allow',
    });
  });

  test('a rule without ports matches every port and protocol', () => {
    // "If unspecified, protocol-specific attributes will not be used to match traffic."
    const state = tiered([admin('db', 1, oneIngress(prodDb, 'Deny', DEV_PEER))]);
    expectVerdicts(state, all('dev/web -> prod/db', 'deny'));
  });

  test('ANP ports: portNumber (TCP unless given), portRange, namedPort', () => {
    const state = tiered([
      anp('web', {
        priority: 1,
        subject: prodWeb,
        ingress: [
          {
            action: 'Deny',
            from: [DEV_PEER],
            ports: [
              { portNumber: { port: 80 } },
              { portRange: { protocol: 'UDP', start: 100, end: 200 } },
              { namedPort: 'http' },
            ],
          },
        ],
      }),
    ]);
    expectVerdicts(state, {
      'dev/web -> prod/web TCP/80': 'deny',
      'dev/web -> prod/web UDP/80': 'allow',
      'dev/web -> prod/web UDP/99': 'allow',
      'dev/web -> prod/web UDP/100': 'deny',
      'dev/web -> prod/web UDP/200': 'deny',
      'dev/web -> prod/web UDP/201': 'allow',
      'dev/web -> prod/web TCP/150': 'allow',
      'dev/web -> prod/web TCP/8080': 'deny',
      'dev/web -> prod/web TCP/8081': 'allow',
    });
  });
});
