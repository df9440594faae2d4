/**
 * `findRedundancy` (src/lint/checks/redundancy.ts), read directly: which rules and policies it finds, what
 * covers or isolates them, and in which order (issue #20, round 8: the mutants the lint tables left alive).
 * Each case states only what tells it apart: one line per redundant rule or policy.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { findRedundancy, type RuleRef } from '../../src/lint/checks/redundancy.ts';
import type { PodInfo } from '../../src/model/cluster.ts';
import type { NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from '../../src/model/k8s.ts';
import { cluster, namedPort, ns, pod, policy, type ClusterInput } from '../support/builders.ts';

/**
 * shop: web1 and web2 (app=web, named port http 8080 and 9090: two classes), api (http 8080), db, cache;
 * lab: tool (its namespace's only pod).
 */
const base: ClusterInput = {
  namespaces: [ns('shop'), ns('lab')],
  pods: [
    pod('shop', 'web1', { app: 'web' }, { ips: ['10.0.1.1'], namedPorts: [namedPort('http', 8080)] }),
    pod('shop', 'web2', { app: 'web' }, { ips: ['10.0.1.2'], namedPorts: [namedPort('http', 9090)] }),
    pod('shop', 'api', { app: 'api' }, { ips: ['10.0.1.3'], namedPorts: [namedPort('http', 8080)] }),
    pod('shop', 'db', { app: 'db' }, { ips: ['10.0.1.4'] }),
    pod('shop', 'cache', { app: 'cache' }, { ips: ['10.0.1.5'] }),
    pod('lab', 'tool', { app: 'tool' }, { ips: ['10.0.2.1'] }),
  ],
};

/** Pods of shop by app (one app, or several). */
function app(...apps: string[]): NetworkPolicyPeer {
  return apps.length === 1
    ? { podSelector: { matchLabels: { app: apps[0]! } } }
    : { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: apps }] } };
}

function cidr(block: string): NetworkPolicyPeer {
  return { ipBlock: { cidr: block } };
}

function tcp(...ports: (number | string)[]): NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port }));
}

/** A NetworkPolicy of shop (`lab/` before the name: of lab). */
function np(name: string, spec: NetworkPolicySpec): ReturnType<typeof policy> {
  const [namespace, own] = name.includes('/') ? name.split('/') : ['shop', name];
  return policy(namespace!, own!, spec);
}

const web = { matchLabels: { app: 'web' } };

/** Rules nothing covers, so that the policy under test keeps a live rule (else the whole policy is redundant). */
const keepIn = { ingress: [{ from: [app('cache')], ports: tcp(7) }] };
const keepOut = { egress: [{ to: [app('cache')], ports: tcp(7) }] };

function refName(r: RuleRef): string {
  return `${r.policy.info.name} ${r.direction}[${r.rule.index}]`;
}

/** `P ingress[1] <- Q ingress[0]` per rule (`(together)` when no single rule covers it), `P <- Q` per policy. */
function found(
  policies: ReturnType<typeof policy>[],
  pods: PodInfo[] = [],
): { rules: string[]; policies: string[] } {
  const r = findRedundancy(compileCluster(cluster({ ...base, pods: [...base.pods!, ...pods], policies })));
  return {
    rules: r.rules.map(
      (x) => `${refName(x)} <- ${x.coveredBy.map(refName).join(', ')}${x.single ? '' : ' (together)'}`,
    ),
    policies: r.policies.map(
      (p) => `${p.policy.info.name} <- ${p.isolatedBy.map((q) => q.info.name).join(', ')}`,
    ),
  };
}

interface Case {
  name: string;
  policies: ReturnType<typeof policy>[];
  /** Pods added to the base. */
  pods?: PodInfo[];
  rules?: string[];
  redundantPolicies?: string[];
}

const cases: Case[] = [
  {
    name: 'an egress rule covered by an egress rule of another policy',
    policies: [
      np('p', { podSelector: web, ...keepIn, egress: [{ to: [app('api')], ports: tcp(80) }] }),
      np('q', { podSelector: web, egress: [{ to: [app('api')], ports: tcp(80, 443) }] }),
    ],
    rules: ['p egress[0] <- q egress[0]'],
  },
  {
    name: 'an ingress rule is not covered by an egress rule alike (pools are per direction)',
    policies: [
      np('p', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(80) }] }),
      np('q', { podSelector: web, policyTypes: ['Egress'], egress: [{ to: [app('api')], ports: tcp(80) }] }),
    ],
  },
  {
    name: 'of two identical rules of a policy the second is reported',
    policies: [
      np('p', {
        podSelector: web,
        ingress: [
          { from: [app('api')], ports: tcp(80) },
          { from: [app('api')], ports: tcp(80) },
        ],
      }),
    ],
    rules: ['p ingress[1] <- p ingress[0]'],
  },
  {
    name: 'rules in order: policy, then egress before ingress, then position',
    policies: [
      np('p', {
        podSelector: web,
        ingress: [
          { from: [app('api')], ports: tcp(80) },
          { from: [app('api')], ports: tcp(80) },
          { from: [app('api')], ports: tcp(80) },
        ],
        egress: [
          { to: [app('db')], ports: tcp(5432) },
          { to: [app('db')], ports: tcp(5432) },
          { to: [app('db')], ports: tcp(5432) },
        ],
      }),
      np('q', {
        podSelector: web,
        ingress: [
          { from: [app('api')], ports: tcp(80, 443) },
          { from: [app('api')], ports: tcp(80) },
        ],
      }),
    ],
    rules: [
      'p egress[1] <- p egress[0]',
      'p egress[2] <- p egress[0]',
      'p ingress[0] <- q ingress[0]',
      'p ingress[1] <- p ingress[0]',
      'p ingress[2] <- p ingress[0]',
      'q ingress[1] <- p ingress[0]',
    ],
  },
  {
    name: 'redundant policies in order',
    policies: [
      np('d1', { podSelector: web, policyTypes: ['Ingress'] }),
      np('d2', { podSelector: web, policyTypes: ['Ingress'] }),
      np('d3', { podSelector: web, policyTypes: ['Ingress'] }),
    ],
    redundantPolicies: ['d2 <- d1', 'd3 <- d1'],
  },
  {
    name: 'the rules of a redundant policy are not listed as well',
    policies: [
      np('p', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(80) }] }),
      np('q', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(80) }] }),
    ],
    redundantPolicies: ['q <- p'],
  },
  {
    name: 'a namespace-wide default deny is not replaced by one that selects its pods by label',
    policies: [
      np('lab/narrow', { podSelector: { matchLabels: { app: 'tool' } }, policyTypes: ['Ingress'] }),
      np('lab/wide', { podSelector: {}, policyTypes: ['Ingress'] }),
    ],
    redundantPolicies: ['narrow <- wide'],
  },
  {
    name: 'a deny-only egress is not replaced by a policy that allows some egress (and has no ingress rule)',
    policies: [
      np('q', { podSelector: web, policyTypes: ['Egress'], egress: [{ to: [app('api')], ports: tcp(80) }] }),
      np('p', { podSelector: web, policyTypes: ['Egress'] }),
    ],
  },
  {
    name: 'rule numbers: a policy whose egress rule is redundant keeps its ingress rule covering another',
    policies: [
      np('r', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(80) }] }),
      np('p', {
        podSelector: web,
        ingress: [{ from: [app('api')], ports: tcp(80, 443) }],
        egress: [{ to: [app('api')], ports: tcp(80) }],
      }),
      np('q', { podSelector: web, egress: [{ to: [app('api')], ports: tcp(80, 443) }] }),
    ],
    rules: ['p egress[0] <- q egress[0]'],
    redundantPolicies: ['r <- p'],
  },
  {
    name: 'an ipBlock rule covered by a wider block',
    policies: [
      np('p', { podSelector: web, ...keepIn, egress: [{ to: [cidr('10.9.0.0/16')], ports: tcp(443) }] }),
      np('q', { podSelector: web, egress: [{ to: [cidr('10.0.0.0/8')], ports: tcp(443) }] }),
    ],
    rules: ['p egress[0] <- q egress[0]'],
  },
  {
    name: 'two ipBlock peers, each covered by its own rule (targets in address order)',
    policies: [
      np('q1', { podSelector: web, egress: [{ to: [cidr('10.8.0.0/16')], ports: tcp(443) }] }),
      np('q2', { podSelector: web, egress: [{ to: [cidr('10.9.0.0/16')], ports: tcp(443) }] }),
      np('p', {
        podSelector: web,
        ...keepIn,
        egress: [{ to: [cidr('10.9.0.0/16'), cidr('10.8.0.0/16')], ports: tcp(443) }],
      }),
    ],
    rules: ['p egress[0] <- q1 egress[0], q2 egress[0] (together)'],
  },
  {
    name: 'two pod peers, each covered by its own rule (targets in class order)',
    policies: [
      np('q1', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(80) }] }),
      np('q2', { podSelector: web, ingress: [{ from: [app('db')], ports: tcp(80) }] }),
      np('p', { podSelector: web, ...keepOut, ingress: [{ from: [app('db'), app('api')], ports: tcp(80) }] }),
    ],
    rules: ['p ingress[0] <- q1 ingress[0], q2 ingress[0] (together)'],
  },
  {
    name: 'a pod peer and an ipBlock peer, the block not covered (it covers the other rule)',
    policies: [
      np('q', { podSelector: web, egress: [{ to: [app('db')], ports: tcp(443) }] }),
      np('p', {
        podSelector: web,
        ...keepIn,
        egress: [{ to: [app('db'), cidr('10.9.0.0/16')], ports: tcp(443) }],
      }),
    ],
    rules: ['q egress[0] <- p egress[0]'],
  },
  {
    name: 'a rule towards everything, covered by a wider one',
    policies: [
      np('p', { podSelector: web, ...keepIn, egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }),
      np('q', { podSelector: web, egress: [{}] }),
    ],
    rules: ['p egress[0] <- q egress[0]'],
  },
  {
    name: 'a named port resolves per selected class (web2 has http 9090): not covered by 8080',
    policies: [
      np('q', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(8080) }] }),
      np('p', {
        podSelector: web,
        ingress: [{ from: [app('api')], ports: tcp('http') }],
        egress: [{ to: [app('db')], ports: tcp(5432) }],
      }),
    ],
  },
  {
    name: 'a named port some selected class lacks: covered where it resolves',
    policies: [
      np('q', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(8080, 9090) }] }),
      np('p', {
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] },
        ingress: [{ from: [app('api')], ports: tcp('http') }],
      }),
    ],
    rules: ['p ingress[0] <- q ingress[0]'],
  },
  {
    name: 'an egress named port some target lacks: covered where it resolves',
    policies: [
      np('q', { podSelector: web, egress: [{ to: [app('api')], ports: tcp(8080) }] }),
      np('p', { podSelector: web, ...keepIn, egress: [{ to: [app('api', 'db')], ports: tcp('http') }] }),
    ],
    rules: ['p egress[0] <- q egress[0]'],
  },
  {
    name: 'covered at the first selected class only (api)',
    policies: [
      np('q', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [{ from: [app('cache')], ports: tcp(80) }],
      }),
      np('p', {
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'db'] }] },
        ingress: [{ from: [app('cache')], ports: tcp(80) }],
      }),
    ],
    redundantPolicies: ['q <- p'],
  },
  {
    name: 'covered at the second selected class only (db)',
    policies: [
      np('q', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ from: [app('cache')], ports: tcp(80) }],
      }),
      np('p', {
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'db'] }] },
        ingress: [{ from: [app('cache')], ports: tcp(80) }],
      }),
    ],
    redundantPolicies: ['q <- p'],
  },
  {
    name: 'covered by two rules together: a third on another port is not named',
    policies: [
      np('q1', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(80) }] }),
      np('q2', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(443) }] }),
      np('q3', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(22) }] }),
      np('p', { podSelector: web, ...keepOut, ingress: [{ from: [app('api')], ports: tcp(80, 443) }] }),
    ],
    rules: ['p ingress[0] <- q1 ingress[0], q2 ingress[0] (together)'],
  },
  {
    name: 'covered by two rules together at two sources: each named once',
    policies: [
      np('q1', { podSelector: web, ingress: [{ from: [app('api', 'db')], ports: tcp(80) }] }),
      np('q2', { podSelector: web, ingress: [{ from: [app('api', 'db')], ports: tcp(443) }] }),
      np('p', { podSelector: web, ...keepOut, ingress: [{ from: [app('api', 'db')], ports: tcp(80, 443) }] }),
    ],
    rules: ['p ingress[0] <- q1 ingress[0], q2 ingress[0] (together)'],
  },
  {
    name: 'covered by one rule alone: only that one named, though another overlaps',
    policies: [
      np('q1', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(80, 443) }] }),
      np('q2', { podSelector: web, ingress: [{ from: [app('api')], ports: tcp(443, 22) }] }),
      np('p', { podSelector: web, ...keepOut, ingress: [{ from: [app('api')], ports: tcp(80, 443) }] }),
    ],
    rules: ['p ingress[0] <- q1 ingress[0]'],
  },
  {
    name: 'pools per class: a narrow policy of cache (class 5) is not judged with the namespace-wide pool of web1 (class 1)',
    policies: [
      np('p', {
        podSelector: { matchLabels: { app: 'cache' } },
        ingress: [{ from: [app('api')], ports: tcp(80) }],
      }),
      np('n', {
        podSelector: { matchLabels: { app: 'cache' } },
        ingress: [{ from: [app('api')], ports: tcp(80, 443) }],
      }),
      np('w', { podSelector: {}, ingress: [{ from: [app('db')], ports: tcp(5) }] }),
    ],
    redundantPolicies: ['p <- n'],
  },
  {
    name: 'named ports told apart per class: 1a=1 and 2c=3 against 1a=12 and c=3 (which join alike without commas)',
    pods: [
      pod('shop', 'svc1', { app: 'svc' }, { namedPorts: [namedPort('1a', 1), namedPort('2c', 3)] }),
      pod('shop', 'svc2', { app: 'svc' }, { namedPorts: [namedPort('1a', 12), namedPort('c', 3)] }),
    ],
    policies: [
      np('q', {
        podSelector: { matchLabels: { app: 'svc' } },
        ingress: [{ from: [app('api')], ports: tcp(1) }],
      }),
      np('p', {
        podSelector: { matchLabels: { app: 'svc' } },
        ingress: [{ from: [app('api')], ports: tcp('1a') }],
      }),
    ],
  },
  {
    name: 'selecting policies told apart per class: [1, 23] against [1, 2, 3] (which join alike without commas)',
    pods: [pod('shop', 'svc-a', { app: 'svc', n: 'a' }), pod('shop', 'svc-b', { app: 'svc', n: 'b' })],
    policies: Array.from({ length: 24 }, (_, i) => {
      const svc = { matchLabels: { app: 'svc' } };
      if (i === 1)
        return np('p', { podSelector: svc, ...keepOut, ingress: [{ from: [app('api')], ports: tcp(80) }] });
      if (i === 2 || i === 3)
        return np(`b${i}`, { podSelector: { matchLabels: { n: 'b' } }, policyTypes: ['Egress'] });
      if (i === 23)
        return np('a', {
          podSelector: { matchLabels: { n: 'a' } },
          ingress: [{ from: [app('api')], ports: tcp(80, 443) }],
        });
      return np(`none${i}`, { podSelector: { matchLabels: { app: 'none' } } });
    }),
    redundantPolicies: ['b3 <- b2'],
  },
];

describe('findRedundancy', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(found(c.policies, c.pods), {
        rules: c.rules ?? [],
        policies: c.redundantPolicies ?? [],
      });
    });
  }
});
