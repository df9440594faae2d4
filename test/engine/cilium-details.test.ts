/**
 * How Cilium policies split the address space and which labels they read (src/engine/cilium.ts), for what
 * mutation testing (issue #20, round 7) found unpinned: node addresses set apart by host rule sets, node and
 * entity peers or CIDRs holding a node address (outside their excepts), both families by `world-ipv4`, the
 * label keys of endpoint selectors and of Services, and the CIDR match modes of the profiles.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ciliumCidrMatchesInCluster,
  ciliumUnseenDomains,
  ciliumMentionedCidrs,
  ciliumSelectorLabelKeys,
  ciliumSpaceSplits,
  ciliumSplitCidrs,
} from '../../src/engine/cilium.ts';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { ccnp, cluster, cnpCilium, node, pod } from '../support/builders.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { cniProfile } from '../support/verdicts.ts';

const nodes = [node('n1', {}, ['192.168.0.1', 'fd00::1']), node('n2', {}, ['192.168.1.1'])];
const NODE_CIDRS = ['192.168.0.1/32', 'fd00::1/128', '192.168.1.1/32'];
const state = (...policies: CiliumPolicyInfo[]): ClusterState => cluster({ nodes, ciliumPolicies: policies });
const egress = (rule: object): CiliumPolicyInfo =>
  cnpCilium('a', 'p', { endpointSelector: {}, egress: [rule] });

/** `families nodes | mentioned CIDRs | split CIDRs`. */
function splits(s: ClusterState): string {
  const { families, nodes: n } = ciliumSpaceSplits(s);
  return `${families} ${n} | ${ciliumMentionedCidrs(s).join(' ')} | ${ciliumSplitCidrs(s).join(' ')}`;
}

describe('Cilium policies: where they split the address space', () => {
  test('no Cilium policy, or peers that set nothing apart', () => {
    assert.equal(splits(state()), 'false false |  | ');
    assert.equal(splits(state(egress({ toEntities: ['all'] }))), 'false false |  | ');
    assert.equal(splits(state(egress({ toCIDR: ['10.0.0.0/8'] }))), 'false false | 10.0.0.0/8 | ');
  });

  test('host rule sets, node peers, world-ipv4 and cluster entities set node addresses (and families) apart', () => {
    const nodesOnly = `false true | ${NODE_CIDRS.join(' ')} | ${NODE_CIDRS.join(' ')}`;
    assert.equal(splits(state(ccnp('h', { nodeSelector: {}, ingress: [{}] }))), nodesOnly);
    assert.equal(
      splits(state(cnpCilium('a', 'n', { endpointSelector: {}, ingress: [{ fromNodes: [{}] }] }))),
      nodesOnly,
    );
    assert.equal(splits(state(egress({ toEntities: ['cluster'] }))), nodesOnly);
    const both = `0.0.0.0/0 ::/0 ${NODE_CIDRS.join(' ')}`;
    assert.equal(splits(state(egress({ toEntities: ['world-ipv4'] }))), `true true | ${both} | ${both}`);
  });

  test('a CIDR peer sets node addresses apart when it holds one outside its excepts', () => {
    assert.equal(
      splits(state(egress({ toCIDRSet: [{ cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] }] }))),
      `false true | 192.168.0.0/16 192.168.1.0/24 ${NODE_CIDRS.join(' ')} | ${NODE_CIDRS.join(' ')}`,
    );
    assert.equal(
      splits(state(egress({ toCIDRSet: [{ cidr: '192.168.0.0/16', except: ['192.168.0.0/17'] }] }))),
      'false false | 192.168.0.0/16 192.168.0.0/17 | ',
    );
    assert.equal(
      splits(state(cnpCilium('a', 'd', { endpointSelector: {}, egressDeny: [{ toCIDR: ['fd00::/64'] }] }))),
      `false true | fd00::/64 ${NODE_CIDRS.join(' ')} | ${NODE_CIDRS.join(' ')}`,
    );
  });
});

describe('Cilium policies: the pod label keys they read', () => {
  test('endpoint selectors of rule sets and peers (allow and deny), and the selectors of Services', () => {
    const s = cluster({
      ciliumPolicies: [
        cnpCilium('a', 'k', {
          endpointSelector: { matchLabels: { app: 'x' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { role: 'y' } }] }, { fromEntities: ['world'] }],
          egressDeny: [{ toEndpoints: [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }] }],
        }),
        ccnp('h', { nodeSelector: { matchLabels: { hostkey: 'z' } }, ingress: [{}] }),
      ],
    });
    s.services.push({
      id: 'Service/a/s',
      namespace: 'a',
      name: 's',
      labels: {},
      spec: { selector: { svc: 'v' } },
    });
    const keys = new Set<string>();
    ciliumSelectorLabelKeys(s, keys);
    assert.deepEqual([...keys].sort(), ['app', 'io.kubernetes.pod.namespace', 'role', 'svc', 'tier']);
    const none = new Set<string>();
    const noCilium = cluster({});
    noCilium.services.push({
      id: 'Service/a/s',
      namespace: 'a',
      name: 's',
      labels: {},
      spec: { selector: { svc: 'v' } },
    });
    ciliumSelectorLabelKeys(noCilium, none);
    assert.deepEqual([...none], []);
  });
});

describe('Cilium CIDR rules inside the cluster, by profile', () => {
  test("the cilium profile's policy-cidr-match-mode; Cilium's default (neither) under any other or none", () => {
    const at = (o: Partial<EngineOptions>) =>
      JSON.stringify(ciliumCidrMatchesInCluster({ ipBlockMatchesPods: true, ...o }));
    assert.equal(
      at({ cni: cniProfile('cilium', 'policy-cidr-match-mode=nodes') }),
      '{"pods":false,"nodes":true}',
    );
    assert.equal(
      at({ cni: cniProfile('cilium', 'policy-cidr-match-mode=pods') }),
      '{"pods":true,"nodes":false}',
    );
    assert.equal(at({ cni: cniProfile('calico') }), '{"pods":false,"nodes":false}');
    assert.equal(at({}), '{"pods":false,"nodes":false}');
  });
});

describe("Cilium's DNS proxy: which toFQDNs names and patterns a DNS rule lets it see", () => {
  const names = [
    'api.example.com',
    'a.b.example.com',
    'example.com',
    'apixexample.com',
    'api-2.example.com',
    'x_y.example.com',
    '*.example.com',
    '**.example.com',
    'api.*.com',
  ];
  /** The toFQDNs entries (all of `names`) left unseen by a DNS rule with `dns` on `port`/`protocol`. */
  const unseen = (dns: object[], port = '53', protocol = 'UDP'): string[] => {
    const spec = {
      endpointSelector: {},
      egress: [
        { toEndpoints: [{}], toPorts: [{ ports: [{ port, protocol }], rules: { dns } }] },
        {
          toFQDNs: names.map((n) => (n.includes('*') ? { matchPattern: n } : { matchName: n })),
          toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
        },
      ],
    } as unknown as CiliumRule;
    const s = cluster({ pods: [pod('a', 'x')], ciliumPolicies: [cnpCilium('a', 'p', spec)] });
    return ciliumUnseenDomains(compileCluster(s).cilium, 0).map((u) => u.domain);
  };

  test('stars alone see every name; on port 53 over UDP or TCP only', () => {
    for (const pattern of ['*', '*.', '**'])
      assert.deepEqual(unseen([{ matchPattern: pattern }]), [], pattern);
    assert.deepEqual(unseen([{ matchPattern: '*' }], '53', 'TCP'), []);
    assert.deepEqual(unseen([{ matchPattern: '*' }], '5353'), names);
  });

  test('a star within a label, a leading **. over labels, a name, dots that are dots', () => {
    assert.deepEqual(unseen([{ matchPattern: '*.example.com' }]), [
      'a.b.example.com',
      'example.com',
      'apixexample.com',
      '**.example.com',
      'api.*.com',
    ]);
    assert.deepEqual(unseen([{ matchPattern: '**.example.com' }]), [
      'example.com',
      'apixexample.com',
      'api.*.com',
    ]);
    assert.deepEqual(
      unseen([{ matchName: 'api.example.com' }]),
      names.filter((n) => n !== 'api.example.com'),
    );
    assert.deepEqual(unseen([{ matchPattern: 'api*.example.com' }]), [
      'a.b.example.com',
      'example.com',
      'apixexample.com',
      'x_y.example.com',
      '*.example.com',
      '**.example.com',
      'api.*.com',
    ]);
  });
});
