/**
 * Explain through the tiers: each side walks Admin tier → NetworkPolicy → Baseline tier → default, port by
 * port, and each part of the query names the step that decided it. One case per way a tier can decide
 * (docs/design/tiers.md has the semantics, quoted from the API).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import {
  explainConnection,
  parsePortQuery,
  type ExplainEnd,
  type Explanation,
  type SideExplanation,
} from '../../src/engine/explain.ts';
import type { TierStep } from '../../src/engine/explain-tiers.ts';
import { missMessage } from '../../src/describe/explain.ts';
import { formatPortList } from '../../src/describe/ports.ts';
import { explanationToText } from '../../src/format/explain.ts';
import { ALL_CONNECTIONS, type PortSet } from '../../src/engine/ports.ts';
import type { ClusterPolicyInfo, Origin } from '../../src/model/cluster.ts';
import type { FieldPath } from '../../src/model/problem.ts';
import {
  anp,
  banp,
  cluster,
  cnp,
  namedPort,
  node,
  ns,
  pod,
  policy,
  type ClusterInput,
} from '../support/builders.ts';

const base: ClusterInput = {
  namespaces: [ns('shop', { team: 'shop' }), ns('data', { team: 'data' })],
  pods: [
    pod('shop', 'web', { app: 'web' }, { ips: ['10.1.0.10'] }),
    pod('data', 'db', { app: 'db' }, { ips: ['10.2.0.20'], namedPorts: [namedPort('pg', 5432)] }),
  ],
};

const SHOP = { namespaces: { matchLabels: { team: 'shop' } } };
const TO_DATA = [{ namespaces: { matchLabels: { team: 'data' } } }];
const TCP = (port: number): { tcp: { destinationPort: { number: number } } } => ({
  tcp: { destinationPort: { number: port } },
});
/** shop isolated for egress by a NetworkPolicy that allows only data on 5432. */
const SHOP_EGRESS_5432 = policy('shop', 'egress', {
  podSelector: {},
  policyTypes: ['Egress'],
  egress: [
    {
      to: [{ namespaceSelector: { matchLabels: { team: 'data' } } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    },
  ],
});

function query(text: string | undefined): PortSet {
  if (text === undefined) return ALL_CONNECTIONS;
  const q = parsePortQuery(text);
  assert.ok(typeof q !== 'string', q as string);
  return q;
}

/** Explains `from` → `to` (a `namespace/pod` or an IP) in the cluster built from `input`. */
function explain(
  input: ClusterInput,
  from: string,
  to: string,
  port?: string,
  options: Partial<EngineOptions> = {},
): Explanation {
  const compiled = compileCluster(cluster(input), options);
  const end = (ref: string): ExplainEnd => {
    if (ref.includes('/')) {
      const [namespace, name] = ref.split('/') as [string, string];
      const classId = compiled.classOfPod(namespace, name);
      assert.ok(classId !== undefined, ref);
      return { kind: 'pod', classId, name: ref, onePod: ref };
    }
    const classId = compiled.addressSpace.classOfIp(ref);
    assert.ok(classId !== undefined, ref);
    return { kind: 'address', classId, name: ref };
  };
  return explainConnection(compiled, end(from), end(to), query(port));
}

function stepText(step: TierStep): string {
  switch (step.kind) {
    case 'rule':
      return `${step.match.tier} ${step.match.policy} ${step.match.path} ${step.match.action}${step.undefinedWith.length > 0 ? ' (undefined)' : ''}`;
    case 'no-match':
      return `${step.tier} no match (${step.policies})`;
    case 'network-policy':
      return step.isolated ? 'np isolated' : 'np not isolated';
    case 'default':
      return 'default';
  }
}

/** Each path of the side as `ports: step → step → allowed|denied`. */
function walk(side: SideExplanation): string[] {
  return side.tiers.paths.map(
    (p) =>
      `${formatPortList(p.ports)}: ${p.steps.map(stepText).join(' → ')} → ${p.allowed ? 'allowed' : 'denied'}`,
  );
}

describe('explain through the tiers: the Admin tier', () => {
  const allowDb = cnp('allow-db', {
    tier: 'Admin',
    priority: 10,
    subject: SHOP,
    egress: [{ name: 'db', action: 'Accept', to: TO_DATA, protocols: [TCP(5432)] }],
  });

  test('an Admin Accept decides its ports: NetworkPolicies are skipped there', () => {
    const x = explain(
      {
        ...base,
        policies: [policy('shop', 'deny', { podSelector: {}, policyTypes: ['Egress'] })],
        clusterPolicies: [allowDb],
      },
      'shop/web',
      'data/db',
    );
    assert.deepEqual(walk(x.egress), [
      '5432/TCP: admin ClusterNetworkPolicy/allow-db spec.egress[0] allow → allowed',
      '1-5431/TCP, 5433-65535/TCP, all UDP ports, all SCTP ports: admin no match (1) → np isolated → denied',
    ]);
    assert.equal(x.verdict, 'partly-allowed');
    assert.equal(formatPortList(x.allowed), '5432/TCP');
    // The destination's ingress: no cluster policy selects db for ingress, no NetworkPolicy: the default.
    assert.deepEqual(walk(x.ingress), [
      'all ports: admin no match (0) → np not isolated → baseline no match (0) → default → allowed',
    ]);
    const seg = x.segments.find((s) => s.allowed)!;
    assert.equal(seg.egress.decidedBy, 'admin');
    assert.equal(seg.egress.tierRule?.policy, 'ClusterNetworkPolicy/allow-db');
  });

  test('an Admin Deny wins over a NetworkPolicy that allows; the closer Admin allow rule is the near miss', () => {
    const x = explain(
      {
        ...base,
        policies: [SHOP_EGRESS_5432],
        clusterPolicies: [
          anp('deny-data', { priority: 5, subject: SHOP, egress: [{ action: 'Deny', to: TO_DATA }] }),
          cnp('allow-http', {
            tier: 'Admin',
            priority: 1,
            subject: SHOP,
            egress: [{ action: 'Accept', to: TO_DATA, protocols: [TCP(80)] }],
          }),
        ],
      },
      'shop/web',
      'data/db',
      '5432/TCP',
    );
    assert.equal(x.verdict, 'denied');
    assert.deepEqual(walk(x.egress), [
      '5432/TCP: admin AdminNetworkPolicy/deny-data spec.egress[0] deny → denied',
    ]);
    // The NetworkPolicy rule allowing 5432 is not cited: NetworkPolicies did not decide.
    assert.deepEqual(x.egress.rules, []);
    assert.deepEqual(x.egress.nearMisses, []);
    assert.deepEqual(
      x.egress.tiers.nearMisses.map((m) => [m.policy, m.path, m.failed, m.reasons.map(missMessage)]),
      [
        [
          'ClusterNetworkPolicy/allow-http',
          'spec.egress[0]',
          'ports',
          ["5432/TCP not in the rule's ports 80/TCP"],
        ],
      ],
    );
  });

  test('an Admin Pass hands its ports to the NetworkPolicies, which decide', () => {
    const x = explain(
      {
        ...base,
        policies: [SHOP_EGRESS_5432],
        clusterPolicies: [
          cnp('pass-data', {
            tier: 'Admin',
            priority: 3,
            subject: SHOP,
            egress: [{ action: 'Pass', to: TO_DATA }],
          }),
          banp({ subject: SHOP, egress: [{ action: 'Deny', to: TO_DATA }] }),
        ],
      },
      'shop/web',
      'data/db',
    );
    assert.deepEqual(walk(x.egress), [
      '5432/TCP: admin ClusterNetworkPolicy/pass-data spec.egress[0] pass → np isolated → allowed',
      '1-5431/TCP, 5433-65535/TCP, all UDP ports, all SCTP ports: admin ClusterNetworkPolicy/pass-data spec.egress[0] pass → np isolated → denied',
    ]);
    assert.equal(formatPortList(x.allowed), '5432/TCP');
    assert.deepEqual(
      x.egress.rules.map((r) => [r.policy, formatPortList(r.ports)]),
      [['shop/egress', '5432/TCP']],
    );
    const denied = x.segments.find((s) => !s.allowed)!;
    assert.equal(denied.egress.decidedBy, 'network-policy');
  });
});

describe('explain through the tiers: near misses are the rules that would have decided first', () => {
  test('an allow rule evaluated after the deciding Deny is no near miss', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          cnp('deny-data', {
            tier: 'Admin',
            priority: 5,
            subject: SHOP,
            egress: [{ action: 'Deny', to: TO_DATA }],
          }),
          // Would allow (the ports fit, a label differs) but comes after the Deny: it cannot change anything.
          cnp('later', {
            tier: 'Admin',
            priority: 9,
            subject: SHOP,
            egress: [{ action: 'Accept', to: [{ namespaces: { matchLabels: { team: 'other' } } }] }],
          }),
          // The same rule before the Deny would have decided.
          cnp('earlier', {
            tier: 'Admin',
            priority: 1,
            subject: SHOP,
            egress: [{ action: 'Accept', to: [{ namespaces: { matchLabels: { team: 'other' } } }] }],
          }),
        ],
      },
      'shop/web',
      'data/db',
      '5432/TCP',
    );
    assert.equal(x.verdict, 'denied');
    assert.deepEqual(
      x.egress.tiers.nearMisses.map((m) => m.policy),
      ['ClusterNetworkPolicy/earlier'],
    );
  });

  test('an allowed side names the deny rules whose ports fit and whose peer came closest', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          cnp('guard', {
            tier: 'Admin',
            priority: 1,
            subject: SHOP,
            egress: [
              { name: 'wrong-port', action: 'Deny', to: TO_DATA, protocols: [TCP(22)] },
              {
                name: 'wrong-pod',
                action: 'Deny',
                to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'dbx' } } } }],
              },
            ],
          }),
        ],
      },
      'shop/web',
      'data/db',
      '5432/TCP',
    );
    assert.equal(x.verdict, 'allowed');
    assert.deepEqual(
      x.egress.tiers.nearMisses.map((m) => [m.ruleName, m.failed, m.reasons.map(missMessage)]),
      [['wrong-pod', 'peer', ['data/db has app=db, not app=dbx']]],
    );
    assert.match(
      explanationToText(x),
      /Nearest cluster policy rules that would deny it:\n {2}- \[Admin\] cnp\/guard egress rule 1 "wrong-pod" Deny/,
    );
  });
});

describe('explain through the tiers: near misses in the words of cluster policies', () => {
  test('a networks peer is called networks, not ipBlock', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          cnp('to-db-ip', {
            tier: 'Admin',
            priority: 1,
            subject: SHOP,
            egress: [{ action: 'Accept', to: [{ networks: ['10.1.0.6/32'] }] }],
          }),
          cnp('deny', {
            tier: 'Admin',
            priority: 2,
            subject: SHOP,
            egress: [{ action: 'Deny', to: TO_DATA }],
          }),
        ],
      },
      'shop/web',
      'data/db',
      '5432/TCP',
    );
    assert.equal(x.verdict, 'denied');
    assert.deepEqual(
      x.egress.tiers.nearMisses.map((m) => m.reasons.map(missMessage)),
      [['the IP of data/db is not in networks 10.1.0.6/32']],
    );
  });
});

describe('explain through the tiers: the Baseline tier and the default', () => {
  test('Pass → not isolated → Baseline Deny (the walk of the issue), in text with file:line', () => {
    const origin = (file: string, line: number): Origin => ({
      file,
      line,
      column: 1,
      // Each rule on its own line after the object's first line, for the test.
      locate: (path: FieldPath) => ({ file, line: line + 1 + Number(path[2] ?? 0), column: 1 }),
    });
    const pass: ClusterPolicyInfo = {
      ...cnp('x', {
        tier: 'Admin',
        priority: 1,
        subject: SHOP,
        egress: [
          { action: 'Accept', to: [{ namespaces: { matchLabels: { team: 'none' } } }] },
          { action: 'Deny', to: TO_DATA, protocols: [TCP(1)] },
          { name: 'to-data', action: 'Pass', to: TO_DATA },
        ],
      }),
      origin: origin('tiers.yaml', 1),
    };
    const baseline: ClusterPolicyInfo = {
      ...cnp('default', {
        tier: 'Baseline',
        priority: 100,
        subject: SHOP,
        egress: [{ action: 'Deny', to: TO_DATA }],
      }),
      origin: origin('tiers.yaml', 20),
    };
    const x = explain({ ...base, clusterPolicies: [pass, baseline] }, 'shop/web', 'data/db', '5432/TCP');
    assert.deepEqual(walk(x.egress), [
      '5432/TCP: admin ClusterNetworkPolicy/x spec.egress[2] pass → np not isolated → baseline ClusterNetworkPolicy/default spec.egress[0] deny → denied',
    ]);
    const text = explanationToText(x);
    assert.match(
      text,
      /5432\/TCP: \[Admin\] cnp\/x egress rule 2 "to-data" Pass \(tiers\.yaml:4\) → \[NetworkPolicy\] not isolated → \[Baseline\] cnp\/default egress rule 0 Deny \(tiers\.yaml:21\) → denied/,
    );
    assert.match(text, /egress: +denied by \[Baseline\] cnp\/default egress rule 0 Deny \(tiers\.yaml:21\)/);
    // The Admin Accept whose namespace label does not fit is the nearest rule that would allow it.
    assert.match(
      text,
      /Nearest cluster policy rules that would allow it:\n {2}- \[Admin\] cnp\/x egress rule 0 Accept \(tiers\.yaml:2\): the ports fit, the peer does not match\n {6}namespace "data" has team=data, not team=none/,
    );
  });

  test('a Baseline allow decides its ports, the BaselineAdminNetworkPolicy after it the rest', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          banp({ subject: SHOP, egress: [{ action: 'Deny', to: TO_DATA }] }),
          cnp('base-db', {
            tier: 'Baseline',
            priority: 1,
            subject: SHOP,
            egress: [{ action: 'Accept', to: TO_DATA, protocols: [{ destinationNamedPort: 'pg' }] }],
          }),
        ],
      },
      'shop/web',
      'data/db',
    );
    assert.deepEqual(walk(x.egress), [
      '5432/TCP: admin no match (0) → np not isolated → baseline ClusterNetworkPolicy/base-db spec.egress[0] allow → allowed',
      '1-5431/TCP, 5433-65535/TCP, all UDP ports, all SCTP ports: admin no match (0) → np not isolated → baseline BaselineAdminNetworkPolicy/default spec.egress[0] deny → denied',
    ]);
  });

  test('a NetworkPolicy that isolates overrides the Baseline tier', () => {
    const x = explain(
      {
        ...base,
        policies: [SHOP_EGRESS_5432],
        clusterPolicies: [banp({ subject: SHOP, egress: [{ action: 'Deny', to: TO_DATA }] })],
      },
      'shop/web',
      'data/db',
      '5432/TCP',
    );
    assert.equal(x.verdict, 'allowed');
    assert.deepEqual(walk(x.egress), ['5432/TCP: admin no match (0) → np isolated → allowed']);
  });

  test('a Baseline Pass skips the rest of the Baseline tier: the default allows', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          cnp('base-pass', {
            tier: 'Baseline',
            priority: 1,
            subject: SHOP,
            egress: [{ action: 'Pass', to: TO_DATA }],
          }),
          banp({ subject: SHOP, egress: [{ action: 'Deny', to: TO_DATA }] }),
        ],
      },
      'shop/web',
      'data/db',
      '5432/TCP',
    );
    assert.equal(x.verdict, 'allowed');
    assert.deepEqual(walk(x.egress), [
      '5432/TCP: admin no match (0) → np not isolated → baseline ClusterNetworkPolicy/base-pass spec.egress[0] pass → default → allowed',
    ]);
  });

  test('nothing matches: the default allows, and the segment says no tier decides', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          anp('other', {
            priority: 1,
            subject: SHOP,
            egress: [{ action: 'Deny', to: [{ namespaces: { matchLabels: { team: 'x' } } }] }],
          }),
        ],
      },
      'shop/web',
      'data/db',
      '5432/TCP',
    );
    assert.equal(x.verdict, 'allowed');
    assert.deepEqual(walk(x.egress), [
      '5432/TCP: admin no match (1) → np not isolated → baseline no match (0) → default → allowed',
    ]);
    assert.match(explanationToText(x), /egress: +allowed \(no tier decides\)/);
  });
});

describe('explain through the tiers: what the API leaves open', () => {
  test('equal priorities that decide differently are undefined: both outcomes are shown', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          anp('b-deny', { priority: 10, subject: SHOP, egress: [{ action: 'Deny', to: TO_DATA }] }),
          cnp('z-allow', {
            tier: 'Admin',
            priority: 10,
            subject: SHOP,
            egress: [{ action: 'Accept', to: TO_DATA }],
          }),
        ],
      },
      'shop/web',
      'data/db',
      '5432/TCP',
    );
    // netfence's stable order: ClusterNetworkPolicy before AdminNetworkPolicy at equal priority.
    assert.equal(x.verdict, 'allowed');
    const step = x.egress.tiers.paths[0]!.steps[0]!;
    assert.ok(step.kind === 'rule');
    assert.equal(step.match.policy, 'ClusterNetworkPolicy/z-allow');
    assert.deepEqual(
      step.undefinedWith.map((m) => [m.policy, m.action, formatPortList(m.ports)]),
      [['AdminNetworkPolicy/b-deny', 'deny', '5432/TCP']],
    );
    const text = explanationToText(x);
    assert.match(
      text,
      /undefined: these policies have the same priority and both match, and the API lets the implementation apply either/,
    );
    assert.match(text, /- \[Admin\] anp\/b-deny egress rule 0 Deny \(priority 10\) on 5432\/TCP/);
    assert.match(
      text,
      /egress: +allowed by \[Admin\] cnp\/z-allow egress rule 0 Accept; undefined: at equal priority the implementation may apply anp\/b-deny spec\.egress\[0\] Deny instead/,
    );
    assert.deepEqual(
      x.segments.map((s) => s.egress.undefinedWith.map((m) => m.policy)),
      [['AdminNetworkPolicy/b-deny']],
    );
  });

  test('equal priorities that agree are not undefined', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          cnp('a', { tier: 'Admin', priority: 10, subject: SHOP, egress: [{ action: 'Deny', to: TO_DATA }] }),
          cnp('b', { tier: 'Admin', priority: 10, subject: SHOP, egress: [{ action: 'Deny', to: TO_DATA }] }),
        ],
      },
      'shop/web',
      'data/db',
      '5432/TCP',
    );
    assert.deepEqual(walk(x.egress), ['5432/TCP: admin ClusterNetworkPolicy/a spec.egress[0] deny → denied']);
  });

  test('a DNS-name rule to an address: the answer depends on DNS resolution', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          cnp('dns', {
            tier: 'Admin',
            priority: 1,
            subject: SHOP,
            egress: [
              {
                action: 'Accept',
                to: [{ domainNames: ['example.com', '*.example.org'] }],
                protocols: [TCP(443)],
              },
            ],
          }),
          cnp('deny-out', {
            tier: 'Baseline',
            priority: 1,
            subject: SHOP,
            egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }],
          }),
        ],
      },
      'shop/web',
      '203.0.113.10',
      '443/TCP',
    );
    // Statically no address matches a name: denied by the Baseline, with the DNS rule named.
    assert.equal(x.verdict, 'denied');
    assert.deepEqual(
      x.egress.tiers.dnsRules.map((d) => [d.policy, d.path, d.domains.join(' '), formatPortList(d.ports)]),
      [['ClusterNetworkPolicy/dns', 'spec.egress[0]', 'example.com *.example.org', '443/TCP']],
    );
    assert.deepEqual(
      x.egress.tiers.nearMisses.map((m) => m.reasons.map((r) => r.code)),
      [['dns-name']],
    );
    // The near miss does not say the peer does not match, then that it may: it may, at run time.
    assert.deepEqual(x.egress.tiers.nearMisses[0]!.reasons.map(missMessage), [
      'the peer is DNS names (example.com, *.example.org): whether 203.0.113.10 is one of their addresses is only known at run time',
    ]);
    assert.match(
      explanationToText(x),
      /cnp\/dns egress rule 0 Accept: the ports fit, the peer is not known to match\n/,
    );
    assert.doesNotMatch(explanationToText(x), /peer does not match/);
    assert.match(
      explanationToText(x),
      /By DNS name: \[Admin\] cnp\/dns egress rule 0 Accept allows example.com, \*.example.org on 443\/TCP\. If 203\.0\.113\.10 is an address these names resolve to, the rule may allow it: the decision depends on DNS resolution\./,
    );
  });
});

describe('explain through the tiers: who cluster policies apply to', () => {
  const nodes = [node('n1', { role: 'worker' }, ['10.0.0.1'])];
  const agent = pod('kube-system', 'agent', { app: 'agent' }, { ips: ['10.0.0.1'], hostNetwork: true });
  const denyAll = (peer: object): ClusterPolicyInfo =>
    cnp('deny-all', { tier: 'Admin', priority: 1, subject: SHOP, egress: [{ action: 'Deny', to: [peer] }] });

  test('a host-network destination matches no namespaces peer, but a nodes peer by its IP', () => {
    const input = { ...base, pods: [...base.pods!, agent], nodes };
    const bySelector = explain(
      { ...input, clusterPolicies: [denyAll({ namespaces: {} })] },
      'shop/web',
      'kube-system/agent',
    );
    assert.equal(bySelector.verdict, 'allowed');
    const byNode = explain(
      { ...input, clusterPolicies: [denyAll({ nodes: {} })] },
      'shop/web',
      'kube-system/agent',
    );
    assert.equal(byNode.verdict, 'denied');
    assert.deepEqual(walk(byNode.egress), [
      'all ports: admin ClusterNetworkPolicy/deny-all spec.egress[0] deny → denied',
    ]);
    // The host-network pod's own ingress: never a subject.
    assert.equal(byNode.ingress.tiers.status, 'host-network');
  });

  test('a host-network source is never a subject', () => {
    const x = explain(
      {
        ...base,
        pods: [...base.pods!, agent],
        nodes,
        clusterPolicies: [
          cnp('deny', {
            tier: 'Admin',
            priority: 1,
            subject: { namespaces: {} },
            egress: [{ action: 'Deny', to: [{ namespaces: {} }] }],
          }),
        ],
      },
      'kube-system/agent',
      'data/db',
    );
    assert.equal(x.egress.tiers.status, 'host-network');
    assert.equal(x.verdict, 'allowed');
    assert.match(
      explanationToText(x),
      /where NetworkPolicies do not apply and cluster policies never select host-network pods/,
    );
  });

  test('where NetworkPolicies police host-network pods, cluster policies still never select them', () => {
    const input: ClusterInput = {
      ...base,
      pods: [...base.pods!, agent],
      nodes,
      clusterPolicies: [
        cnp('deny', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: {} },
          egress: [{ action: 'Deny', to: [{ namespaces: {} }] }],
        }),
      ],
    };
    const x = explain(input, 'kube-system/agent', 'data/db', undefined, { hostNetworkPods: 'policed' });
    assert.equal(x.egress.tiers.status, 'host-network');
    assert.equal(x.verdict, 'allowed');
    // And a namespaces peer does not match it as a destination.
    const y = explain(input, 'shop/web', 'kube-system/agent', undefined, { hostNetworkPods: 'policed' });
    assert.equal(y.verdict, 'allowed');
    assert.match(explanationToText(x), /Cluster policies: never select host-network pods\./);
  });

  test('a pod connecting to itself (hairpin): cluster policies do not apply', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          cnp('deny', {
            tier: 'Admin',
            priority: 1,
            subject: { namespaces: {} },
            egress: [{ action: 'Deny', to: [{ namespaces: {} }] }],
            ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }],
          }),
        ],
      },
      'shop/web',
      'shop/web',
    );
    assert.equal(x.verdict, 'allowed');
    assert.equal(x.egress.tiers.status, 'hairpin');
    assert.equal(x.ingress.tiers.status, 'hairpin');
    assert.match(
      explanationToText(x),
      /Cluster policies: do not apply: the pod connects to its own IP \(hairpin\)\./,
    );
  });

  test('hairpin is one pod, not one class: another pod of the same class is subject to them', () => {
    const input: ClusterInput = {
      ...base,
      pods: [...base.pods!, pod('shop', 'web2', { app: 'web' }, { ips: ['10.1.0.10'] })],
      clusterPolicies: [
        cnp('deny', {
          tier: 'Admin',
          priority: 1,
          subject: { namespaces: {} },
          egress: [{ action: 'Deny', to: [{ namespaces: {} }] }],
        }),
      ],
    };
    const compiled = compileCluster(cluster(input));
    const classId = compiled.classOfPod('shop', 'web')!;
    assert.equal(compiled.classOfPod('shop', 'web2'), classId, 'one class of two pods');
    assert.equal(explain(input, 'shop/web', 'shop/web').verdict, 'allowed');
    assert.equal(explain(input, 'shop/web', 'shop/web2').verdict, 'denied');
    // An end that stands for the class (no one pod): the connection between two of its pods.
    const end: ExplainEnd = { kind: 'pod', classId, name: 'shop/web' };
    const x = explainConnection(compiled, end, end);
    assert.equal(x.egress.tiers.status, 'applies');
    assert.equal(x.verdict, 'denied');
  });

  test('ingress at the destination walks the tiers too', () => {
    const x = explain(
      {
        ...base,
        clusterPolicies: [
          cnp('db-in', {
            tier: 'Admin',
            priority: 1,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } },
            ingress: [
              {
                action: 'Deny',
                from: [
                  {
                    pods: {
                      namespaceSelector: { matchLabels: { team: 'shop' } },
                      podSelector: { matchLabels: { app: 'web' } },
                    },
                  },
                ],
              },
            ],
          }),
        ],
      },
      'shop/web',
      'data/db',
    );
    assert.equal(x.verdict, 'denied');
    assert.deepEqual(walk(x.ingress), [
      'all ports: admin ClusterNetworkPolicy/db-in spec.ingress[0] deny → denied',
    ]);
    assert.deepEqual(walk(x.egress), [
      'all ports: admin no match (0) → np not isolated → baseline no match (0) → default → allowed',
    ]);
  });
});

test('without cluster policies the text says nothing of tiers', () => {
  const x = explain({ ...base, policies: [SHOP_EGRESS_5432] }, 'shop/web', 'data/db');
  assert.equal(x.egress.tiers.status, 'no-policies');
  const text = explanationToText(x);
  assert.doesNotMatch(text, /tier|Admin|Baseline/);
  assert.deepEqual(walk(x.egress), [
    '5432/TCP: np isolated → allowed',
    '1-5431/TCP, 5433-65535/TCP, all UDP ports, all SCTP ports: np isolated → denied',
  ]);
});
