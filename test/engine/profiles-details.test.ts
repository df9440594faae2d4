/**
 * What the CNI profiles say (src/engine/profiles.ts), pinned for what mutation testing (issue #20, round 7)
 * found unpinned: each CNI's settings at each version boundary of its table (as docs/cni.md gives them), the
 * words `explain` uses for every setting of several profiles (with the override that set it, and Cilium's
 * sources), the endPort words by kinds of policies, the one-line errors of `--cni`/`--cni-option`, and the
 * warnings about cluster policies, endPort and SCTP.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  UPSTREAM_PROFILE,
  ciliumEndPortFields,
  ciliumEndPortPrunedWarning,
  ciliumSctpFields,
  differingSettings,
  endPortIgnoredReason,
  endPortPoliciesIgnoredWarning,
  endPortPolicyIgnoredReason,
  profileName,
  profileRule,
  resolveCniProfile,
  sctpFields,
  sctpFix,
  sctpIgnoredWarning,
  unenforcedClusterPoliciesWarning,
  versionAtLeast,
  type CniProfile,
  type CniSetting,
} from '../../src/engine/profiles.ts';
import type { CiliumPolicyObject } from '../../src/model/cilium-wire.ts';
import { policy } from '../support/builders.ts';

function profile(spec: string, ...overrides: string[]): CniProfile {
  const r = resolveCniProfile(spec, overrides);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

/** The version and the settings that differ from upstream's, as `key=value`. */
function differences(p: CniProfile): string {
  const keys = differingSettings(UPSTREAM_PROFILE.settings, p.settings);
  return `${p.version} ${keys.map((k) => `${k}=${String(p.settings[k])}`).join(' ')}`.trim();
}

const SETTINGS = Object.keys(UPSTREAM_PROFILE.settings) as CniSetting[];
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `ns/p${i}`);

describe('CNI profiles: the settings of each version', () => {
  test('each CNI at the boundaries of its version table', () => {
    const expected: Record<string, string> = {
      upstream: '1.36',
      'upstream@1.30': '1.30',
      cilium: '1.20 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      'cilium@1.14':
        '1.14 cidrMatchesPods=false cidrMatchesNodes=false endPort=first-port sctp=false clusterPolicies= enableDefaultDeny=false',
      'cilium@1.15':
        '1.15 cidrMatchesPods=false cidrMatchesNodes=false endPort=policy-ignored sctp=false clusterPolicies= enableDefaultDeny=false',
      'cilium@1.15.9':
        '1.15.9 cidrMatchesPods=false cidrMatchesNodes=false endPort=policy-ignored sctp=false clusterPolicies= enableDefaultDeny=false',
      'cilium@1.16': '1.16 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      calico: '3.31 clusterPolicies=AdminNetworkPolicy,BaselineAdminNetworkPolicy',
      'calico@3.28': '3.28 clusterPolicies=',
      'calico@3.29': '3.29 clusterPolicies=AdminNetworkPolicy,BaselineAdminNetworkPolicy',
      'calico@3.32': '3.32 clusterPolicies=ClusterNetworkPolicy',
      'ovn-kubernetes': '1.1 clusterPolicies=AdminNetworkPolicy,BaselineAdminNetworkPolicy',
      antrea: '2.5 clusterPolicies=AdminNetworkPolicy,BaselineAdminNetworkPolicy',
      'antrea@1.12': '1.12 clusterPolicies=',
      'antrea@1.13': '1.13 clusterPolicies=AdminNetworkPolicy,BaselineAdminNetworkPolicy',
      'antrea@2.7': '2.7',
    };
    for (const [spec, want] of Object.entries(expected)) assert.equal(differences(profile(spec)), want, spec);
  });
});

describe('CNI profiles: the rule of each setting, in words', () => {
  const specs: [string, string[]][] = [
    ['cilium', []],
    ['cilium@1.14', []],
    ['cilium@1.15', []],
    ['calico@3.28', []],
    ['antrea@2.7', []],
    [
      'upstream',
      [
        'cidr-matches-pods=false',
        'cidr-matches-nodes=false',
        'sctp=false',
        'host-network-pods=policed',
        'own-node-traffic=policy',
        'cluster-policies=AdminNetworkPolicy',
      ],
    ],
    [
      'cilium',
      [
        'policy-cidr-match-mode=pods',
        'enable-sctp=true',
        'allow-localhost=policy',
        'enable-host-firewall=true',
        'cluster-name=east',
        'enable-non-default-deny-policies=false',
        'enable-k8s-cluster-network-policy=true',
      ],
    ],
    ['cilium@1.15', ['endport=first-port']],
    ['cilium@1.14', ['endport=range']],
  ];
  test("every setting of several profiles, with the override that set it and Cilium's sources", () => {
    const expected: Record<string, string[]> = {
      cilium: [
        'cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods',
        'cilium: CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes',
        'cilium: NetworkPolicies do not police host-network pods',
        'cilium: traffic from the pod’s own node is always allowed',
        'cilium: endPort is a port range',
        'cilium: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing',
        'cilium: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy are not enforced',
        'cilium: the host firewall is off (enable-host-firewall), so host policies (nodeSelector) are not enforced',
        'cilium: the cluster is named "default" (io.cilium.k8s.policy.cluster)',
        'cilium: enableDefaultDeny of Cilium policies is read',
      ],
      'cilium@1.14': [
        'cilium@1.14: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods',
        'cilium@1.14: CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes',
        'cilium@1.14: NetworkPolicies do not police host-network pods',
        'cilium@1.14: traffic from the pod’s own node is always allowed',
        'cilium@1.14: endPort is ignored: the rule allows only its port (cilium#28684)',
        'cilium@1.14: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing',
        'cilium@1.14: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy are not enforced',
        'cilium@1.14: the host firewall is off (enable-host-firewall), so host policies (nodeSelector) are not enforced',
        'cilium@1.14: the cluster is named "default" (io.cilium.k8s.policy.cluster)',
        'cilium@1.14: enableDefaultDeny is ignored: a rule set is in default deny in each direction it has rules (not in the CRD before 1.16, cilium#30572)',
      ],
      'cilium@1.15': [
        'cilium@1.15: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods',
        'cilium@1.15: CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes',
        'cilium@1.15: NetworkPolicies do not police host-network pods',
        'cilium@1.15: traffic from the pod’s own node is always allowed',
        'cilium@1.15: NetworkPolicies with endPort are not enforced at all (cilium#28704)',
        'cilium@1.15: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing',
        'cilium@1.15: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy are not enforced',
        'cilium@1.15: the host firewall is off (enable-host-firewall), so host policies (nodeSelector) are not enforced',
        'cilium@1.15: the cluster is named "default" (io.cilium.k8s.policy.cluster)',
        'cilium@1.15: enableDefaultDeny is ignored: a rule set is in default deny in each direction it has rules (not in the CRD before 1.16, cilium#30572)',
      ],
      'calico@3.28': [
        'calico@3.28: CIDR rules match pod IPs',
        'calico@3.28: CIDR rules match node IPs (host-network pods)',
        'calico@3.28: NetworkPolicies do not police host-network pods',
        'calico@3.28: traffic from the pod’s own node is always allowed',
        'calico@3.28: endPort is a port range',
        'calico@3.28: SCTP rules are enforced',
        'calico@3.28: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy are not enforced',
        'calico@3.28: host policies (nodeSelector) are not enforced',
        'calico@3.28: the cluster is named "default" (io.cilium.k8s.policy.cluster)',
        'calico@3.28: enableDefaultDeny of Cilium policies is read',
      ],
      'antrea@2.7': [
        'antrea@2.7: CIDR rules match pod IPs',
        'antrea@2.7: CIDR rules match node IPs (host-network pods)',
        'antrea@2.7: NetworkPolicies do not police host-network pods',
        'antrea@2.7: traffic from the pod’s own node is always allowed',
        'antrea@2.7: endPort is a port range',
        'antrea@2.7: SCTP rules are enforced',
        'antrea@2.7: every cluster policy kind is enforced',
        'antrea@2.7: host policies (nodeSelector) are not enforced',
        'antrea@2.7: the cluster is named "default" (io.cilium.k8s.policy.cluster)',
        'antrea@2.7: enableDefaultDeny of Cilium policies is read',
      ],
      'upstream (cidr-matches-pods=false, cidr-matches-nodes=false, sctp=false, host-network-pods=policed, own-node-traffic=policy, cluster-policies=AdminNetworkPolicy)':
        [
          'upstream: CIDR rules do not match pod IPs (cidr-matches-pods=false)',
          'upstream: CIDR rules do not match node IPs (host-network pods) (cidr-matches-nodes=false)',
          'upstream: NetworkPolicies police host-network pods (host-network-pods=policed)',
          'upstream: traffic from the pod’s own node is subject to policy (own-node-traffic=policy)',
          'upstream: endPort is a port range',
          'upstream: SCTP entries of rules allow nothing (sctp=false)',
          'upstream: ClusterNetworkPolicy, BaselineAdminNetworkPolicy are not enforced (cluster-policies=AdminNetworkPolicy)',
          'upstream: host policies (nodeSelector) are not enforced',
          'upstream: the cluster is named "default" (io.cilium.k8s.policy.cluster)',
          'upstream: enableDefaultDeny of Cilium policies is read',
        ],
      'cilium (policy-cidr-match-mode=pods, enable-sctp=true, allow-localhost=policy, enable-host-firewall=true, cluster-name=east, enable-non-default-deny-policies=false, enable-k8s-cluster-network-policy=true)':
        [
          'cilium: CIDR rules match pod IPs (policy-cidr-match-mode=pods)',
          'cilium: CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes (policy-cidr-match-mode=pods)',
          'cilium: NetworkPolicies do not police host-network pods',
          'cilium: allow-localhost=policy: traffic from the pod’s own node is subject to policy (allow-localhost=policy)',
          'cilium: endPort is a port range',
          'cilium: SCTP rules are enforced (enable-sctp=true)',
          'cilium: AdminNetworkPolicy, BaselineAdminNetworkPolicy are not enforced (enable-k8s-cluster-network-policy=true)',
          'cilium: the host firewall is on: host policies (nodeSelector) apply to the selected nodes (enable-host-firewall=true)',
          'cilium: the cluster is named "east" (io.cilium.k8s.policy.cluster) (cluster-name=east)',
          'cilium: enableDefaultDeny is ignored: a rule set is in default deny in each direction it has rules (enable-non-default-deny-policies=false)',
        ],
      'cilium@1.15 (endport=first-port)': [
        'cilium@1.15: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods',
        'cilium@1.15: CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes',
        'cilium@1.15: NetworkPolicies do not police host-network pods',
        'cilium@1.15: traffic from the pod’s own node is always allowed',
        'cilium@1.15: endPort is ignored: the rule allows only its port (endport=first-port)',
        'cilium@1.15: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing',
        'cilium@1.15: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy are not enforced',
        'cilium@1.15: the host firewall is off (enable-host-firewall), so host policies (nodeSelector) are not enforced',
        'cilium@1.15: the cluster is named "default" (io.cilium.k8s.policy.cluster)',
        'cilium@1.15: enableDefaultDeny is ignored: a rule set is in default deny in each direction it has rules (not in the CRD before 1.16, cilium#30572)',
      ],
      'cilium@1.14 (endport=range)': [
        'cilium@1.14: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods',
        'cilium@1.14: CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes',
        'cilium@1.14: NetworkPolicies do not police host-network pods',
        'cilium@1.14: traffic from the pod’s own node is always allowed',
        'cilium@1.14: endPort is a port range (endport=range)',
        'cilium@1.14: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing',
        'cilium@1.14: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy are not enforced',
        'cilium@1.14: the host firewall is off (enable-host-firewall), so host policies (nodeSelector) are not enforced',
        'cilium@1.14: the cluster is named "default" (io.cilium.k8s.policy.cluster)',
        'cilium@1.14: enableDefaultDeny is ignored: a rule set is in default deny in each direction it has rules (not in the CRD before 1.16, cilium#30572)',
      ],
    };
    const got: Record<string, string[]> = {};
    for (const [spec, overrides] of specs) {
      const p = profile(spec, ...overrides);
      got[profileName(p)] = SETTINGS.map((k) => profileRule(p, k));
    }
    assert.deepEqual(got, expected);
  });

  test('Cilium endPort before 1.16: the words by the kinds of policies that use it', () => {
    const expected: Record<string, string> = {
      'cilium@1.14 {"networkPolicies":true,"ciliumPolicies":false}':
        'cilium@1.14: endPort is ignored: the rule allows only its port (cilium#28684)',
      'cilium@1.14 {"networkPolicies":false,"ciliumPolicies":true}':
        'cilium@1.14: CiliumNetworkPolicies have no endPort before 1.16 (the CRD lacks the field, so the API server drops it): the rule allows only its port',
      'cilium@1.14 {"networkPolicies":true,"ciliumPolicies":true}':
        'cilium@1.14: endPort is ignored: the rule allows only its port (cilium#28684); cilium@1.14: CiliumNetworkPolicies have no endPort before 1.16 (the CRD lacks the field, so the API server drops it): the rule allows only its port',
      'cilium@1.14 {"networkPolicies":false,"ciliumPolicies":false}':
        'cilium@1.14: endPort is ignored: the rule allows only its port (cilium#28684)',
      'cilium@1.15 {"networkPolicies":true,"ciliumPolicies":false}':
        'cilium@1.15: NetworkPolicies with endPort are not enforced at all (cilium#28704)',
      'cilium@1.15 {"networkPolicies":false,"ciliumPolicies":true}':
        'cilium@1.15: CiliumNetworkPolicies have no endPort before 1.16 (the CRD lacks the field, so the API server drops it): the rule allows only its port',
      'cilium@1.15 {"networkPolicies":true,"ciliumPolicies":true}':
        'cilium@1.15: NetworkPolicies with endPort are not enforced at all (cilium#28704); cilium@1.15: CiliumNetworkPolicies have no endPort before 1.16 (the CRD lacks the field, so the API server drops it): the rule allows only its port',
      'cilium@1.15 {"networkPolicies":false,"ciliumPolicies":false}':
        'cilium@1.15: NetworkPolicies with endPort are not enforced at all (cilium#28704)',
      'cilium@1.14 (endport=first-port) {"networkPolicies":true,"ciliumPolicies":false}':
        'cilium@1.14: endPort is ignored: the rule allows only its port (endport=first-port)',
      'cilium@1.14 (endport=first-port) {"networkPolicies":false,"ciliumPolicies":true}':
        'cilium@1.14: CiliumNetworkPolicies have no endPort before 1.16 (the CRD lacks the field, so the API server drops it): the rule allows only its port (endport=first-port)',
      'cilium@1.14 (endport=first-port) {"networkPolicies":true,"ciliumPolicies":true}':
        'cilium@1.14: endPort is ignored: the rule allows only its port (endport=first-port); cilium@1.14: CiliumNetworkPolicies have no endPort before 1.16 (the CRD lacks the field, so the API server drops it): the rule allows only its port (endport=first-port)',
      'cilium@1.14 (endport=first-port) {"networkPolicies":false,"ciliumPolicies":false}':
        'cilium@1.14: endPort is ignored: the rule allows only its port (endport=first-port)',
    };
    const got: Record<string, string> = {};
    for (const [spec, overrides] of [
      ['cilium@1.14', []],
      ['cilium@1.15', []],
      ['cilium@1.14', ['endport=first-port']],
    ] as [string, string[]][]) {
      const p = profile(spec, ...overrides);
      for (const kinds of [
        { networkPolicies: true, ciliumPolicies: false },
        { networkPolicies: false, ciliumPolicies: true },
        { networkPolicies: true, ciliumPolicies: true },
        { networkPolicies: false, ciliumPolicies: false },
      ])
        got[`${profileName(p)} ${JSON.stringify(kinds)}`] = profileRule(p, 'endPort', kinds);
    }
    assert.deepEqual(got, expected);
  });
});

describe('--cni and --cni-option: one line naming the bad part, or the profile', () => {
  test('unknown CNIs, versions, settings and values; settings of another CNI or version', () => {
    const expected: Record<string, string> = {
      'nope ':
        'unknown CNI "nope" in --cni "nope"; use one of upstream, cilium, calico, ovn-kubernetes, antrea, optionally with @version (cilium@1.16)',
      'cilium@x ': 'version "x" in --cni "cilium@x" is not major.minor[.patch] (e.g. cilium@1.20)',
      'cilium@1 ': 'version "1" in --cni "cilium@1" is not major.minor[.patch] (e.g. cilium@1.20)',
      'cilium sctp': '--cni-option "sctp": sctp takes true or false',
      'cilium nope=1':
        '--cni-option "nope=1": unknown setting "nope"; the settings are cidr-matches-pods, cidr-matches-nodes, host-network-pods, own-node-traffic, endport, sctp, policy-cidr-match-mode, enable-sctp, allow-localhost, cluster-policies, enable-k8s-cluster-network-policy, enable-host-firewall, cluster-name, enable-non-default-deny-policies',
      'cilium enable-sctp=yes': '--cni-option "enable-sctp=yes": enable-sctp takes true or false',
      'cilium policy-cidr-match-mode=bogus':
        '--cni-option "policy-cidr-match-mode=bogus": policy-cidr-match-mode takes a list of nodes and pods (or nothing)',
      'calico enable-sctp=true':
        '--cni-option "enable-sctp=true": enable-sctp is a Cilium setting; use it with --cni cilium',
      'cilium endport=bogus': '--cni-option "endport=bogus": endport takes range, first-port, policy-ignored',
      'cilium host-network-pods=x':
        '--cni-option "host-network-pods=x": host-network-pods takes exempt or policed',
      'cilium own-node-traffic=x':
        '--cni-option "own-node-traffic=x": own-node-traffic takes allowed or policy',
      'cilium allow-localhost=x':
        '--cni-option "allow-localhost=x": allow-localhost takes auto, always or policy',
      'cilium cluster-policies=Foo':
        '--cni-option "cluster-policies=Foo": cluster-policies takes a list of ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy (or none)',
      'cilium@1.19 enable-k8s-cluster-network-policy=true':
        '--cni-option "enable-k8s-cluster-network-policy=true": Cilium enforces ClusterNetworkPolicy from 1.20 on, not in 1.19',
      'cilium@1.16 enable-non-default-deny-policies=false':
        '--cni-option "enable-non-default-deny-policies=false": Cilium has enable-non-default-deny-policies from 1.17 on, not in 1.16',
      'cilium cluster-name=': '--cni-option "cluster-name=": cluster-name takes the cluster name',
      'cilium policy-cidr-match-mode=':
        'ok cilium (policy-cidr-match-mode=) cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      'cilium policy-cidr-match-mode=nodes,pods':
        'ok cilium (policy-cidr-match-mode=nodes,pods) sctp=false clusterPolicies=',
      'cilium cluster-policies=':
        'ok cilium (cluster-policies=) cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      'upstream cluster-policies=ClusterNetworkPolicy,AdminNetworkPolicy':
        'ok upstream (cluster-policies=ClusterNetworkPolicy,AdminNetworkPolicy) clusterPolicies=ClusterNetworkPolicy,AdminNetworkPolicy',
    };
    for (const [key, want] of Object.entries(expected)) {
      const [spec, ...overrides] = key.split(' ').filter((s, i) => i === 0 || s !== '');
      const r = resolveCniProfile(spec!, overrides);
      assert.equal(
        r.ok ? `ok ${profileName(r.value)} ${differences(r.value).replace(/^\S+ ?/, '')}`.trim() : r.message,
        want.trim(),
        key,
      );
    }
  });
});

describe('CNI profiles: the warnings', () => {
  test('cluster policy kinds left out, endPort policies ignored or pruned, SCTP entries that allow nothing', () => {
    const expected: Record<string, unknown> = {
      cilium: {
        unenforced: [
          'warning: cilium enforces no AdminNetworkPolicy: 1 policy left out (docs/cni.md)',
          'warning: cilium enforces no ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy: 3 policies left out (docs/cni.md)',
        ],
        endPortReason: [null, null],
        endPortWarning: [null, null, null],
        sctp: [
          'enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries',
          null,
          'warning: cilium: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 1 policy has them (ns/p0); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)',
          'warning: cilium: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 3 policies have them (ns/p0, ns/p1, ns/p2); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)',
        ],
        pruned: [null, null, null],
      },
      'cilium@1.15': {
        unenforced: [
          'warning: cilium@1.15 enforces no AdminNetworkPolicy: 1 policy left out (docs/cni.md)',
          'warning: cilium@1.15 enforces no ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy: 3 policies left out (docs/cni.md)',
        ],
        endPortReason: [
          'endPort, cilium#28704',
          'cilium@1.15 does not enforce NetworkPolicies with endPort (cilium#28704)',
        ],
        endPortWarning: [
          null,
          'warning: cilium@1.15 does not enforce NetworkPolicies with endPort (cilium#28704): 1 policy left out (ns/p0); drop endPort or run Cilium ≥ 1.16 (docs/cni.md)',
          'warning: cilium@1.15 does not enforce NetworkPolicies with endPort (cilium#28704): 4 policies left out (ns/p0, ns/p1, ns/p2, and 1 more); drop endPort or run Cilium ≥ 1.16 (docs/cni.md)',
        ],
        sctp: [
          'enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries',
          null,
          'warning: cilium@1.15: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 1 policy has them (ns/p0); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)',
          'warning: cilium@1.15: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 3 policies have them (ns/p0, ns/p1, ns/p2); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)',
        ],
        pruned: [
          null,
          'warning: the CiliumNetworkPolicy CRD of cilium@1.15 has no endPort (it came with Cilium 1.16): the API server drops it, so 1 Cilium policy allows only the first port of a range (ns/p0); list the ports one by one or run Cilium ≥ 1.16 (docs/cni.md)',
          'warning: the CiliumNetworkPolicy CRD of cilium@1.15 has no endPort (it came with Cilium 1.16): the API server drops it, so 5 Cilium policies allow only the first port of a range (ns/p0, ns/p1, ns/p2, and 2 more); list the ports one by one or run Cilium ≥ 1.16 (docs/cni.md)',
        ],
      },
      'cilium@1.14': {
        unenforced: [
          'warning: cilium@1.14 enforces no AdminNetworkPolicy: 1 policy left out (docs/cni.md)',
          'warning: cilium@1.14 enforces no ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy: 3 policies left out (docs/cni.md)',
        ],
        endPortReason: [null, null],
        endPortWarning: [null, null, null],
        sctp: [
          'enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries',
          null,
          'warning: cilium@1.14: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 1 policy has them (ns/p0); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)',
          'warning: cilium@1.14: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 3 policies have them (ns/p0, ns/p1, ns/p2); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)',
        ],
        pruned: [
          null,
          'warning: the CiliumNetworkPolicy CRD of cilium@1.14 has no endPort (it came with Cilium 1.16): the API server drops it, so 1 Cilium policy allows only the first port of a range (ns/p0); list the ports one by one or run Cilium ≥ 1.16 (docs/cni.md)',
          'warning: the CiliumNetworkPolicy CRD of cilium@1.14 has no endPort (it came with Cilium 1.16): the API server drops it, so 5 Cilium policies allow only the first port of a range (ns/p0, ns/p1, ns/p2, and 2 more); list the ports one by one or run Cilium ≥ 1.16 (docs/cni.md)',
        ],
      },
      'calico@3.28': {
        unenforced: [
          'warning: calico@3.28 enforces no AdminNetworkPolicy: 1 policy left out (docs/cni.md)',
          'warning: calico@3.28 enforces no ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy: 3 policies left out (docs/cni.md)',
        ],
        endPortReason: [null, null],
        endPortWarning: [null, null, null],
        sctp: [
          'drop the SCTP entries, or drop --cni-option sctp=false if the CNI enforces SCTP',
          null,
          null,
          null,
        ],
        pruned: [null, null, null],
      },
      'upstream (sctp=false)': {
        unenforced: [null, null],
        endPortReason: [null, null],
        endPortWarning: [null, null, null],
        sctp: [
          'drop the SCTP entries, or drop --cni-option sctp=false if the CNI enforces SCTP',
          null,
          'warning: upstream (sctp=false): SCTP entries of rules allow nothing: 1 policy has them (ns/p0); drop the SCTP entries, or drop --cni-option sctp=false if the CNI enforces SCTP (docs/cni.md)',
          'warning: upstream (sctp=false): SCTP entries of rules allow nothing: 3 policies have them (ns/p0, ns/p1, ns/p2); drop the SCTP entries, or drop --cni-option sctp=false if the CNI enforces SCTP (docs/cni.md)',
        ],
        pruned: [null, null, null],
      },
      'cilium (endport=policy-ignored)': {
        unenforced: [
          'warning: cilium (endport=policy-ignored) enforces no AdminNetworkPolicy: 1 policy left out (docs/cni.md)',
          'warning: cilium (endport=policy-ignored) enforces no ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy: 3 policies left out (docs/cni.md)',
        ],
        endPortReason: [
          'endPort',
          'cilium (endport=policy-ignored) does not enforce NetworkPolicies with endPort',
        ],
        endPortWarning: [
          null,
          'warning: cilium (endport=policy-ignored) does not enforce NetworkPolicies with endPort: 1 policy left out (ns/p0); drop endPort or run Cilium ≥ 1.16 (docs/cni.md)',
          'warning: cilium (endport=policy-ignored) does not enforce NetworkPolicies with endPort: 4 policies left out (ns/p0, ns/p1, ns/p2, and 1 more); drop endPort or run Cilium ≥ 1.16 (docs/cni.md)',
        ],
        sctp: [
          'enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries',
          null,
          'warning: cilium (endport=policy-ignored): SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 1 policy has them (ns/p0); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)',
          'warning: cilium (endport=policy-ignored): SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 3 policies have them (ns/p0, ns/p1, ns/p2); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)',
        ],
        pruned: [
          null,
          'warning: the CiliumNetworkPolicy CRD of cilium (endport=policy-ignored) has no endPort (it came with Cilium 1.16): the API server drops it, so 1 Cilium policy allows only the first port of a range (ns/p0); list the ports one by one or run Cilium ≥ 1.16 (docs/cni.md)',
          'warning: the CiliumNetworkPolicy CRD of cilium (endport=policy-ignored) has no endPort (it came with Cilium 1.16): the API server drops it, so 5 Cilium policies allow only the first port of a range (ns/p0, ns/p1, ns/p2, and 2 more); list the ports one by one or run Cilium ≥ 1.16 (docs/cni.md)',
        ],
      },
    };
    const got: Record<string, unknown> = {};
    for (const [spec, overrides] of [
      ['cilium', []],
      ['cilium@1.15', []],
      ['cilium@1.14', []],
      ['calico@3.28', []],
      ['upstream', ['sctp=false']],
      ['cilium', ['endport=policy-ignored']],
    ] as [string, string[]][]) {
      const p = profile(spec, ...overrides);
      got[profileName(p)] = {
        unenforced: [
          unenforcedClusterPoliciesWarning(p, ['AdminNetworkPolicy']),
          unenforcedClusterPoliciesWarning(p, [
            'ClusterNetworkPolicy',
            'AdminNetworkPolicy',
            'BaselineAdminNetworkPolicy',
          ]),
        ],
        endPortReason: [endPortIgnoredReason(p), endPortPolicyIgnoredReason(p)],
        endPortWarning: [
          endPortPoliciesIgnoredWarning(p, []),
          endPortPoliciesIgnoredWarning(p, ids(1)),
          endPortPoliciesIgnoredWarning(p, ids(4)),
        ],
        sctp: [
          sctpFix(p),
          sctpIgnoredWarning(p, []),
          sctpIgnoredWarning(p, ids(1)),
          sctpIgnoredWarning(p, ids(3)),
        ],
        pruned: [
          ciliumEndPortPrunedWarning(p, []),
          ciliumEndPortPrunedWarning(p, ids(1)),
          ciliumEndPortPrunedWarning(p, ids(5)),
        ],
      };
    }
    assert.deepEqual(JSON.parse(JSON.stringify(got)), expected);
  });
});

describe('--cni-option: each setting, the versions that have it, and versions as written', () => {
  test('values, lists, Cilium-only settings, settings newer than the version, later overrides winning', () => {
    const rows: [string, string[], string][] = [
      [
        'cilium@1.14',
        ['policy-cidr-match-mode=nodes'],
        '--cni-option "policy-cidr-match-mode=nodes": Cilium has nodes mode from 1.15 on, not in 1.14',
      ],
      [
        'cilium@1.15',
        ['policy-cidr-match-mode=nodes'],
        'cilium@1.15 (policy-cidr-match-mode=nodes): 1.15 cidrMatchesPods=false endPort=policy-ignored sctp=false clusterPolicies= enableDefaultDeny=false',
      ],
      [
        'cilium@1.19',
        ['policy-cidr-match-mode=pods'],
        '--cni-option "policy-cidr-match-mode=pods": Cilium has pods mode from 1.20 on, not in 1.19',
      ],
      [
        'cilium@1.20',
        ['policy-cidr-match-mode= pods ,, nodes'],
        'cilium@1.20 (policy-cidr-match-mode= pods ,, nodes): 1.20 sctp=false clusterPolicies=',
      ],
      [
        'cilium@1.12',
        ['enable-sctp=true'],
        '--cni-option "enable-sctp=true": Cilium supports SCTP from 1.13 on, not in 1.12',
      ],
      [
        'cilium@1.13',
        ['enable-sctp=true'],
        'cilium@1.13 (enable-sctp=true): 1.13 cidrMatchesPods=false cidrMatchesNodes=false endPort=first-port clusterPolicies= enableDefaultDeny=false',
      ],
      [
        'cilium@1.12',
        ['enable-sctp=false'],
        'cilium@1.12 (enable-sctp=false): 1.12 cidrMatchesPods=false cidrMatchesNodes=false endPort=first-port sctp=false clusterPolicies= enableDefaultDeny=false',
      ],
      [
        'cilium@1.20',
        ['enable-k8s-cluster-network-policy=true'],
        'cilium@1.20 (enable-k8s-cluster-network-policy=true): 1.20 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=ClusterNetworkPolicy',
      ],
      [
        'cilium@1.19',
        ['enable-k8s-cluster-network-policy=false'],
        'cilium@1.19 (enable-k8s-cluster-network-policy=false): 1.19 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      ],
      [
        'cilium@1.17',
        ['enable-non-default-deny-policies=false'],
        'cilium@1.17 (enable-non-default-deny-policies=false): 1.17 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies= enableDefaultDeny=false',
      ],
      [
        'cilium',
        ['enable-host-firewall=true'],
        'cilium (enable-host-firewall=true): 1.20 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies= hostFirewall=true',
      ],
      [
        'cilium',
        ['enable-host-firewall=1'],
        '--cni-option "enable-host-firewall=1": enable-host-firewall takes true or false',
      ],
      [
        'cilium',
        ['allow-localhost=always'],
        'cilium (allow-localhost=always): 1.20 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      ],
      [
        'cilium',
        ['allow-localhost=auto'],
        'cilium (allow-localhost=auto): 1.20 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      ],
      [
        'cilium',
        ['allow-localhost=policy'],
        'cilium (allow-localhost=policy): 1.20 cidrMatchesPods=false cidrMatchesNodes=false ownNodeTraffic=policy sctp=false clusterPolicies=',
      ],
      [
        'calico',
        ['policy-cidr-match-mode=pods'],
        '--cni-option "policy-cidr-match-mode=pods": policy-cidr-match-mode is a Cilium setting; use it with --cni cilium',
      ],
      [
        'calico',
        ['enable-k8s-cluster-network-policy=true'],
        '--cni-option "enable-k8s-cluster-network-policy=true": enable-k8s-cluster-network-policy is a Cilium setting; use it with --cni cilium',
      ],
      [
        'calico',
        ['enable-host-firewall=true'],
        '--cni-option "enable-host-firewall=true": enable-host-firewall is a Cilium setting; use it with --cni cilium',
      ],
      [
        'calico',
        ['enable-non-default-deny-policies=true'],
        '--cni-option "enable-non-default-deny-policies=true": enable-non-default-deny-policies is a Cilium setting; use it with --cni cilium',
      ],
      [
        'calico',
        ['cluster-name=x'],
        '--cni-option "cluster-name=x": cluster-name is a Cilium setting; use it with --cni cilium',
      ],
      [
        'calico',
        ['allow-localhost=auto'],
        '--cni-option "allow-localhost=auto": allow-localhost is a Cilium setting; use it with --cni cilium',
      ],
      [
        'upstream',
        ['cidr-matches-pods=false'],
        'upstream (cidr-matches-pods=false): 1.36 cidrMatchesPods=false',
      ],
      [
        'upstream',
        ['cidr-matches-nodes=false'],
        'upstream (cidr-matches-nodes=false): 1.36 cidrMatchesNodes=false',
      ],
      ['upstream', ['sctp=false'], 'upstream (sctp=false): 1.36 sctp=false'],
      [
        'upstream',
        ['cidr-matches-pods=no'],
        '--cni-option "cidr-matches-pods=no": cidr-matches-pods takes true or false',
      ],
      [
        'upstream',
        ['cidr-matches-nodes='],
        '--cni-option "cidr-matches-nodes=": cidr-matches-nodes takes true or false',
      ],
      [
        'upstream',
        ['host-network-pods=policed'],
        'upstream (host-network-pods=policed): 1.36 hostNetworkPods=policed',
      ],
      ['upstream', ['host-network-pods=exempt'], 'upstream (host-network-pods=exempt): 1.36'],
      [
        'upstream',
        ['own-node-traffic=policy'],
        'upstream (own-node-traffic=policy): 1.36 ownNodeTraffic=policy',
      ],
      ['upstream', ['own-node-traffic=allowed'], 'upstream (own-node-traffic=allowed): 1.36'],
      ['upstream', ['endport=first-port'], 'upstream (endport=first-port): 1.36 endPort=first-port'],
      [
        'upstream',
        ['endport=policy-ignored'],
        'upstream (endport=policy-ignored): 1.36 endPort=policy-ignored',
      ],
      ['upstream', ['cluster-policies=none'], 'upstream (cluster-policies=none): 1.36 clusterPolicies='],
      [
        'upstream',
        ['cluster-policies=AdminNetworkPolicy BaselineAdminNetworkPolicy'],
        'upstream (cluster-policies=AdminNetworkPolicy BaselineAdminNetworkPolicy): 1.36 clusterPolicies=AdminNetworkPolicy,BaselineAdminNetworkPolicy',
      ],
      [
        'upstream',
        ['cluster-policies=BaselineAdminNetworkPolicy,,ClusterNetworkPolicy'],
        'upstream (cluster-policies=BaselineAdminNetworkPolicy,,ClusterNetworkPolicy): 1.36 clusterPolicies=ClusterNetworkPolicy,BaselineAdminNetworkPolicy',
      ],
      ['upstream', ['sctp=false', 'sctp=true'], 'upstream (sctp=false, sctp=true): 1.36'],
      [
        'cilium',
        ['enable-sctp=true=x'],
        '--cni-option "enable-sctp=true=x": enable-sctp takes true or false',
      ],
      [
        'cilium@v1.16.2',
        [],
        'cilium@v1.16.2: v1.16.2 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      ],
      [
        'cilium@1.16-rc1',
        [],
        'cilium@1.16-rc1: 1.16-rc1 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      ],
      [
        'cilium@1.16.2+build',
        [],
        'cilium@1.16.2+build: 1.16.2+build cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      ],
      [
        'cilium@1.16.',
        [],
        'version "1.16." in --cni "cilium@1.16." is not major.minor[.patch] (e.g. cilium@1.20)',
      ],
      [
        'cilium@x1.16',
        [],
        'version "x1.16" in --cni "cilium@x1.16" is not major.minor[.patch] (e.g. cilium@1.20)',
      ],
      [
        'cilium@1.16.2.3',
        [],
        'version "1.16.2.3" in --cni "cilium@1.16.2.3" is not major.minor[.patch] (e.g. cilium@1.20)',
      ],
      [
        'cilium@1.16rc',
        [],
        'version "1.16rc" in --cni "cilium@1.16rc" is not major.minor[.patch] (e.g. cilium@1.20)',
      ],
      [
        'cilium@10.1',
        [],
        'cilium@10.1: 10.1 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      ],
      [
        'cilium@2.0',
        [],
        'cilium@2.0: 2.0 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      ],
      [
        'cilium@1.9',
        [],
        'cilium@1.9: 1.9 cidrMatchesPods=false cidrMatchesNodes=false endPort=first-port sctp=false clusterPolicies= enableDefaultDeny=false',
      ],
      ['calico@4.0', [], 'calico@4.0: 4.0 clusterPolicies=ClusterNetworkPolicy'],
      ['calico@3.100', [], 'calico@3.100: 3.100 clusterPolicies=ClusterNetworkPolicy'],
      ['cilium@', [], 'version "" in --cni "cilium@" is not major.minor[.patch] (e.g. cilium@1.20)'],
      [
        '@1.16',
        [],
        'unknown CNI "" in --cni "@1.16"; use one of upstream, cilium, calico, ovn-kubernetes, antrea, optionally with @version (cilium@1.16)',
      ],
    ];
    for (const [spec, overrides, want] of rows) {
      const r = resolveCniProfile(spec, overrides);
      const got = r.ok ? `${profileName(r.value)}: ${differences(r.value)}` : r.message;
      assert.equal(got, want, `${spec} ${overrides.join(' ')}`);
    }
  });

  test('versions compared by major, then minor; text that is no version is never at least one', () => {
    assert.deepEqual(
      [
        versionAtLeast('1.16', '1.16'),
        versionAtLeast('1.15', '1.16'),
        versionAtLeast('2.0', '1.16'),
        versionAtLeast('1.9', '2.0'),
        versionAtLeast('x', '1.0'),
        versionAtLeast('1.0', 'x'),
      ],
      [true, false, true, false, false, false],
    );
  });

  test('the Cilium CRD words for endPort are for Cilium only', () => {
    assert.equal(
      profileRule(profile('upstream', 'endport=first-port'), 'endPort', {
        networkPolicies: false,
        ciliumPolicies: true,
      }),
      'upstream: endPort is ignored: the rule allows only its port (endport=first-port)',
    );
  });
});

describe('the endPort and SCTP fields of policies as written', () => {
  // A Cilium policy as written, with rule sets in `spec` and `specs`, deny lists, and entries that are no maps.
  const object = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'ports' },
    spec: {
      ingress: [
        {
          toPorts: [
            {
              ports: [
                { port: '80', endPort: 90, protocol: 'TCP' },
                { port: '9', protocol: 'SCTP' },
              ],
            },
          ],
        },
        'not a rule',
        { toPorts: 'no list' },
      ],
      ingressDeny: [{ toPorts: [{ ports: [{ port: '7', protocol: 'SCTP' }] }] }],
    },
    specs: [
      null,
      {
        egress: [
          {
            toPorts: [
              null,
              { ports: [3, { endPort: 100 }, { port: 1000, endPort: 2000, protocol: 'SCTP' }] },
            ],
          },
        ],
        egressDeny: [{ toPorts: [{ ports: [null, { port: '22', endPort: 23, protocol: 'SCTP' }] }] }],
        ingress: 'no list',
      },
      [],
    ],
  } as unknown as CiliumPolicyObject;

  test('Cilium: every endPort with its port (allow and deny rules), SCTP entries of allow rules only', () => {
    assert.deepEqual(ciliumEndPortFields(object), [
      { path: ['spec', 'ingress', 0, 'toPorts', 0, 'ports', 0, 'endPort'], port: '80', endPort: 90 },
      { path: ['specs', 1, 'egress', 0, 'toPorts', 1, 'ports', 1, 'endPort'], port: '0', endPort: 100 },
      { path: ['specs', 1, 'egress', 0, 'toPorts', 1, 'ports', 2, 'endPort'], port: '1000', endPort: 2000 },
      { path: ['specs', 1, 'egressDeny', 0, 'toPorts', 0, 'ports', 1, 'endPort'], port: '22', endPort: 23 },
    ]);
    assert.deepEqual(ciliumSctpFields(object), [
      ['spec', 'ingress', 0, 'toPorts', 0, 'ports', 1, 'protocol'],
      ['specs', 1, 'egress', 0, 'toPorts', 1, 'ports', 2, 'protocol'],
    ]);
  });

  test('NetworkPolicy: the SCTP port entries of both directions', () => {
    const info = policy('a', 'p', {
      podSelector: {},
      ingress: [{ ports: [{ port: 80 }, { port: 9, protocol: 'SCTP' }] }, {}],
      egress: [
        {},
        {
          ports: [
            { port: 3868, protocol: 'SCTP' },
            { port: 53, protocol: 'UDP' },
          ],
        },
      ],
    });
    assert.deepEqual(sctpFields(info), [
      ['spec', 'ingress', 0, 'ports', 1, 'protocol'],
      ['spec', 'egress', 1, 'ports', 0, 'protocol'],
    ]);
    assert.deepEqual(sctpFields(policy('a', 'q', { podSelector: {} })), []);
  });
});

describe('CNI profiles: more edges', () => {
  test('--cni-option: values to check, list separators at the ends, no key or no value, a patch version', () => {
    const rows: [string, string[], string][] = [
      [
        'cilium',
        ['enable-k8s-cluster-network-policy=x'],
        '--cni-option "enable-k8s-cluster-network-policy=x": enable-k8s-cluster-network-policy takes true or false',
      ],
      [
        'cilium',
        ['enable-non-default-deny-policies=x'],
        '--cni-option "enable-non-default-deny-policies=x": enable-non-default-deny-policies takes true or false',
      ],
      [
        'upstream',
        ['cluster-policies=,AdminNetworkPolicy'],
        'upstream (cluster-policies=,AdminNetworkPolicy): 1.36 clusterPolicies=AdminNetworkPolicy',
      ],
      [
        'cilium',
        ['=x'],
        '--cni-option "=x": unknown setting ""; the settings are cidr-matches-pods, cidr-matches-nodes, host-network-pods, own-node-traffic, endport, sctp, policy-cidr-match-mode, enable-sctp, allow-localhost, cluster-policies, enable-k8s-cluster-network-policy, enable-host-firewall, cluster-name, enable-non-default-deny-policies',
      ],
      ['cilium', ['cluster-name'], '--cni-option "cluster-name": cluster-name takes the cluster name'],
      [
        'cilium@1.16.23',
        [],
        'cilium@1.16.23: 1.16.23 cidrMatchesPods=false cidrMatchesNodes=false sctp=false clusterPolicies=',
      ],
    ];
    for (const [spec, overrides, want] of rows) {
      const r = resolveCniProfile(spec, overrides);
      assert.equal(
        r.ok ? `${profileName(r.value)}: ${differences(r.value)}` : r.message,
        want,
        overrides.join(' '),
      );
    }
    const plain = resolveCniProfile('calico');
    assert.ok(plain.ok && profileName(plain.value) === 'calico');
  });

  test('words: one kind left out, endPort as a range, the Cilium CRD words beside another override', () => {
    assert.equal(
      profileRule(profile('antrea@2.6'), 'clusterPolicies'),
      'antrea@2.6: ClusterNetworkPolicy is not enforced',
    );
    const cilium = { networkPolicies: false, ciliumPolicies: true };
    assert.equal(
      profileRule(profile('cilium@1.16'), 'endPort', cilium),
      'cilium@1.16: endPort is a port range',
    );
    assert.equal(
      profileRule(profile('cilium@1.14', 'enable-sctp=true'), 'endPort', cilium),
      'cilium@1.14: CiliumNetworkPolicies have no endPort before 1.16 (the CRD lacks the field, so the API server drops it): the rule allows only its port',
    );
  });

  test('endPort warnings: another CNI set to ignore endPort policies, Cilium with another override', () => {
    const got = (
      [
        ['upstream', ['endport=policy-ignored']],
        ['cilium@1.15', ['enable-sctp=true']],
        ['upstream', ['endport=first-port']],
      ] as [string, string[]][]
    ).map(([spec, overrides]) => {
      const p = profile(spec, ...overrides);
      return [
        spec,
        overrides,
        endPortIgnoredReason(p) ?? null,
        endPortPoliciesIgnoredWarning(p, ['ns/p0']) ?? null,
        ciliumEndPortPrunedWarning(p, ['ns/p0']) ?? null,
      ];
    });
    assert.deepEqual(got, [
      [
        'upstream',
        ['endport=policy-ignored'],
        'endPort',
        'warning: upstream (endport=policy-ignored) does not enforce NetworkPolicies with endPort: 1 policy left out (ns/p0); drop endPort (docs/cni.md)',
        null,
      ],
      [
        'cilium@1.15',
        ['enable-sctp=true'],
        'endPort, cilium#28704',
        'warning: cilium@1.15 (enable-sctp=true) does not enforce NetworkPolicies with endPort (cilium#28704): 1 policy left out (ns/p0); drop endPort or run Cilium ≥ 1.16 (docs/cni.md)',
        'warning: the CiliumNetworkPolicy CRD of cilium@1.15 (enable-sctp=true) has no endPort (it came with Cilium 1.16): the API server drops it, so 1 Cilium policy allows only the first port of a range (ns/p0); list the ports one by one or run Cilium ≥ 1.16 (docs/cni.md)',
      ],
      ['upstream', ['endport=first-port'], null, null, null],
    ]);
  });
});
