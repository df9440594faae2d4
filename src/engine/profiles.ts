/**
 * CNI behaviour profiles: where the Kubernetes API leaves a NetworkPolicy's meaning open (or where a CNI
 * departs from it), what each CNI does, as data. A profile is a set of `CniSettings`, chosen by CNI and
 * version range; `--cni-option` (or the cluster's `cilium-config`) overrides single settings. Each setting is
 * documented with its source in docs/cni.md. Pure: no I/O.
 *
 *     const profile = resolveCniProfile('cilium@1.15', ['policy-cidr-match-mode=nodes']);
 *     if (profile.ok) compileCluster(state, cniEngineOptions(profile.value));
 */

import type { CiliumPolicyInfo } from '../model/cilium.ts';
import type { CiliumPolicyObject } from '../model/cilium-wire.ts';
import type { ClusterPolicyKind, PolicyInfo } from '../model/cluster.ts';
import type { FieldPath } from '../model/problem.ts';

/** The CNIs with a profile. `upstream` is the Kubernetes API read as netfence always has. */
export const CniName = {
  Upstream: 'upstream',
  Cilium: 'cilium',
  Calico: 'calico',
  OvnKubernetes: 'ovn-kubernetes',
  Antrea: 'antrea',
} as const;
export type CniName = (typeof CniName)[keyof typeof CniName];

/** What an `endPort` does: a port range; only `port` (the end ignored); the whole policy not enforced. */
export const EndPortMode = {
  Range: 'range',
  FirstPort: 'first-port',
  PolicyIgnored: 'policy-ignored',
} as const;
export type EndPortMode = (typeof EndPortMode)[keyof typeof EndPortMode];

/** Traffic from the node a pod runs on: always allowed (the API's docs), or subject to policy. */
export const OwnNodeTraffic = { Allowed: 'allowed', Policy: 'policy' } as const;
export type OwnNodeTraffic = (typeof OwnNodeTraffic)[keyof typeof OwnNodeTraffic];

/** Every divergence a profile sets. */
export interface CniSettings {
  /** Whether `ipBlock` peers match pods (not host-network) by their IPs. */
  cidrMatchesPods: boolean;
  /** Whether `ipBlock` peers match nodes' addresses: host-network pods, whose IP is their node's. */
  cidrMatchesNodes: boolean;
  /** Whether NetworkPolicies apply to host-network pods (`policed`) or not (`exempt`). */
  hostNetworkPods: 'exempt' | 'policed';
  /**
   * Traffic from the pod's own node. netfence does not know which node a pod runs on, so this setting is
   * reported (docs/cni.md) but decides no verdict.
   */
  ownNodeTraffic: OwnNodeTraffic;
  endPort: EndPortMode;
  /** Whether `protocol: SCTP` entries of policy rules allow anything (Cilium: only with `enable-sctp`). */
  sctp: boolean;
  /**
   * The cluster policy kinds the CNI enforces, in `CLUSTER_POLICY_KINDS` order, comma-separated (`''`: none):
   * one string so that settings compare with `===`. Read through `enforcedClusterPolicyKinds`.
   */
  clusterPolicies: string;
  /**
   * Whether Cilium's host firewall is on (`enable-host-firewall`, Helm `hostFirewall.enabled`; off by default):
   * only then do host policies (CiliumClusterwideNetworkPolicy rule sets with `nodeSelector`) apply.
   */
  hostFirewall: boolean;
  /**
   * Cilium's `cluster-name` (`default` unless set): the value of every endpoint's identity label
   * `io.cilium.k8s.policy.cluster`, which selectors may name.
   */
  clusterName: string;
  /**
   * Whether Cilium policies' `enableDefaultDeny` is read. Not before Cilium 1.16 (cilium#30572: the CRD has no
   * such field, the API server prunes it) nor with `enable-non-default-deny-policies=false` (cilium#34940,
   * 1.17): then every rule set is in default deny in each direction it has rules.
   */
  enableDefaultDeny: boolean;
}
export type CniSetting = keyof CniSettings;

/** A CNI's settings for one version range. */
interface VersionRange {
  /** First version (`major.minor`) the range applies to; absent: every earlier one. */
  from?: string;
  settings: Partial<CniSettings>;
}

interface ProfileData {
  /** The version assumed when none is given: the newest the table knows. */
  latest: string;
  /** Settings of every version, before the ranges. */
  base: CniSettings;
  /** Ranges by ascending `from`: each one that applies overrides the base. */
  ranges: readonly VersionRange[];
  /** Why a setting differs from upstream, in the CNI's own words (explain), where the generic words are vaguer. */
  reasons: Partial<Record<CniSetting, string>>;
}

/** The cluster policy kinds, in the order `clusterPolicies` lists them. */
export const CLUSTER_POLICY_KINDS: readonly ClusterPolicyKind[] = [
  'ClusterNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
];

/** `clusterPolicies` of a set of kinds. */
function kindsSetting(kinds: readonly ClusterPolicyKind[]): string {
  return CLUSTER_POLICY_KINDS.filter((k) => kinds.includes(k)).join(',');
}

/** The cluster policy kinds `settings` enforces. */
export function enforcedClusterPolicyKinds(
  settings: Pick<CniSettings, 'clusterPolicies'>,
): ClusterPolicyKind[] {
  return CLUSTER_POLICY_KINDS.filter((k) => settings.clusterPolicies.split(',').includes(k));
}

const ALL_KINDS = kindsSetting(CLUSTER_POLICY_KINDS);
const ANP_BANP = kindsSetting(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);

const UPSTREAM: CniSettings = {
  cidrMatchesPods: true,
  cidrMatchesNodes: true,
  hostNetworkPods: 'exempt',
  ownNodeTraffic: 'allowed',
  endPort: 'range',
  sctp: true,
  clusterPolicies: ALL_KINDS,
  // Cilium's own policies are read with Cilium's defaults under every profile: no host firewall.
  hostFirewall: false,
  clusterName: 'default',
  enableDefaultDeny: true,
};

/** The profiles. Sources for every entry: docs/cni.md. */
export const CNI_PROFILES: Readonly<Record<CniName, ProfileData>> = {
  upstream: { latest: '1.36', base: UPSTREAM, ranges: [], reasons: {} },
  cilium: {
    latest: '1.20',
    // No AdminNetworkPolicy/BaselineAdminNetworkPolicy ever; ClusterNetworkPolicy from 1.20 only with
    // `enable-k8s-cluster-network-policy` (cilium#47227).
    base: { ...UPSTREAM, cidrMatchesPods: false, cidrMatchesNodes: false, sctp: false, clusterPolicies: '' },
    ranges: [
      { settings: { endPort: 'first-port', enableDefaultDeny: false } },
      { from: '1.15', settings: { endPort: 'policy-ignored' } },
      { from: '1.16', settings: { endPort: 'range', enableDefaultDeny: true } },
    ],
    reasons: {
      cidrMatchesPods: 'CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods',
      cidrMatchesNodes: 'CIDR rules do not match node IPs unless policy-cidr-match-mode includes nodes',
      sctp: 'SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing',
      ownNodeTraffic: 'allow-localhost=policy: traffic from the pod’s own node is subject to policy',
      hostFirewall:
        'the host firewall is off (enable-host-firewall), so host policies (nodeSelector) are not enforced',
      enableDefaultDeny:
        'enableDefaultDeny is ignored: a rule set is in default deny in each direction it has rules',
    },
  },
  // Calico, OVN-Kubernetes and Antrea read NetworkPolicies as upstream does (docs/cni.md has the sources);
  // they differ in the cluster policy kinds they enforce (docs/tiers.md: network-policy-api implementations).
  calico: {
    latest: '3.31',
    base: { ...UPSTREAM, clusterPolicies: '' },
    ranges: [
      { from: '3.29', settings: { clusterPolicies: ANP_BANP } },
      { from: '3.32', settings: { clusterPolicies: 'ClusterNetworkPolicy' } },
    ],
    reasons: {},
  },
  'ovn-kubernetes': {
    latest: '1.1',
    base: { ...UPSTREAM, clusterPolicies: ANP_BANP },
    ranges: [],
    reasons: {},
  },
  antrea: {
    latest: '2.5',
    base: { ...UPSTREAM, clusterPolicies: '' },
    ranges: [
      { from: '1.13', settings: { clusterPolicies: ANP_BANP } },
      { from: '2.7', settings: { clusterPolicies: ALL_KINDS } },
    ],
    reasons: {},
  },
};

/** Words for each endPort mode (explain). */
const END_PORT_REASONS: Record<EndPortMode, string> = {
  range: 'endPort is a port range',
  'first-port': 'endPort is ignored: the rule allows only its port',
  'policy-ignored': 'NetworkPolicies with endPort are not enforced at all',
};

/** Where Cilium's endPort readings are documented, cited when the version (not an override) chose them. */
const CILIUM_END_PORT_SOURCES: Partial<Record<EndPortMode, string>> = {
  'first-port': 'cilium#28684',
  'policy-ignored': 'cilium#28704',
};

/** A resolved profile: a CNI, its version, and the settings with every override applied. */
export interface CniProfile {
  readonly cni: CniName;
  /** `major.minor` (or longer, as given); the table's newest when none was given. */
  readonly version: string;
  /** Whether the version was given (`cilium@1.16`) or assumed. */
  readonly versionGiven: boolean;
  readonly settings: CniSettings;
  /** The `key=value` overrides applied, as given (`--cni-option`, or read from the cluster). */
  readonly overrides: readonly string[];
}

/** The default profile: today's behaviour, exactly. */
export const UPSTREAM_PROFILE: CniProfile = {
  cni: 'upstream',
  version: CNI_PROFILES.upstream.latest,
  versionGiven: false,
  settings: UPSTREAM,
  overrides: [],
};

export type ProfileResult = { ok: true; value: CniProfile } | { ok: false; message: string };

/** `1.16.3` → [1, 16]; undefined when not a version. */
function versionParts(text: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

/** Whether version `a` is at least `b` (both `major.minor[.patch]`). */
export function versionAtLeast(a: string, b: string): boolean {
  const x = versionParts(a);
  const y = versionParts(b);
  if (x === undefined || y === undefined) return false;
  return x[0] !== y[0] ? x[0] > y[0] : x[1] >= y[1];
}

/** The settings of `cni` at `version`, before overrides. */
export function profileSettings(cni: CniName, version: string): CniSettings {
  const data = CNI_PROFILES[cni];
  let settings = data.base;
  for (const r of data.ranges) {
    if (r.from === undefined || versionAtLeast(version, r.from)) settings = { ...settings, ...r.settings };
  }
  return settings;
}

const BOOLEAN: Record<string, boolean> = { true: true, false: false };

/** The key of an override `key=value`; all of it when it has no `=` (a key alone: an empty value). */
function overrideKey(text: string): string {
  const eq = text.indexOf('=');
  return eq < 0 ? text : text.slice(0, eq);
}

/**
 * One override, `key=value`: the setting names of `CniSettings` in kebab case (`cidr-matches-pods=true`,
 * `endport=first-port`, `sctp=false`, `host-network-pods=policed`, `own-node-traffic=policy`), and Cilium's
 * own configuration keys (`policy-cidr-match-mode=nodes,pods`, `enable-sctp=true`,
 * `allow-localhost=auto|always|policy`), which only the cilium profile takes.
 */
function applyOverride(
  cni: CniName,
  version: string,
  settings: CniSettings,
  text: string,
  /** Whether to refuse a setting the version does not have (not for settings read from the cluster). */
  checkVersion: boolean,
): { ok: true; value: CniSettings } | { ok: false; message: string } {
  const since = (v: string): boolean => !checkVersion || versionAtLeast(version, v);
  const eq = text.indexOf('=');
  const key = overrideKey(text);
  const value = eq < 0 ? '' : text.slice(eq + 1);
  const bool = (): boolean | undefined => BOOLEAN[value];
  const wrong = (expected: string) =>
    ({ ok: false, message: `--cni-option "${text}": ${key} takes ${expected}` }) as const;
  const ciliumOnly = (): { ok: false; message: string } | undefined =>
    cni === 'cilium'
      ? undefined
      : {
          ok: false,
          message: `--cni-option "${text}": ${key} is a Cilium setting; use it with --cni cilium`,
        };
  switch (key) {
    case 'cidr-matches-pods':
    case 'cidr-matches-nodes':
    case 'sctp': {
      const b = bool();
      if (b === undefined) return wrong('true or false');
      const name =
        key === 'sctp' ? 'sctp' : key === 'cidr-matches-pods' ? 'cidrMatchesPods' : 'cidrMatchesNodes';
      return { ok: true, value: { ...settings, [name]: b } };
    }
    case 'host-network-pods':
      if (value !== 'exempt' && value !== 'policed') return wrong('exempt or policed');
      return { ok: true, value: { ...settings, hostNetworkPods: value } };
    case 'own-node-traffic':
      if (value !== 'allowed' && value !== 'policy') return wrong('allowed or policy');
      return { ok: true, value: { ...settings, ownNodeTraffic: value } };
    case 'endport':
      if (!Object.values(EndPortMode).includes(value as EndPortMode))
        return wrong(Object.values(EndPortMode).join(', '));
      return { ok: true, value: { ...settings, endPort: value as EndPortMode } };
    case 'policy-cidr-match-mode': {
      const no = ciliumOnly();
      if (no !== undefined) return no;
      const modes = value === '' ? [] : value.split(/[\s,]+/).filter((m) => m !== '');
      for (const m of modes) {
        if (m !== 'nodes' && m !== 'pods') return wrong('a list of nodes and pods (or nothing)');
        const from = m === 'nodes' ? '1.15' : '1.20';
        if (!since(from))
          return {
            ok: false,
            message: `--cni-option "${text}": Cilium has ${m} mode from ${from} on, not in ${version}`,
          };
      }
      return {
        ok: true,
        value: {
          ...settings,
          cidrMatchesPods: modes.includes('pods'),
          cidrMatchesNodes: modes.includes('nodes'),
        },
      };
    }
    case 'enable-sctp': {
      const no = ciliumOnly();
      if (no !== undefined) return no;
      const b = bool();
      if (b === undefined) return wrong('true or false');
      // SCTP support came with 1.13 (cilium#20033); before it, SCTP had no policy support to enable.
      if (b && !since('1.13'))
        return {
          ok: false,
          message: `--cni-option "${text}": Cilium supports SCTP from 1.13 on, not in ${version}`,
        };
      return { ok: true, value: { ...settings, sctp: b } };
    }
    case 'cluster-policies': {
      const words = value === '' || value === 'none' ? [] : value.split(/[\s,]+/).filter((w) => w !== '');
      const bad = words.find((w) => !(CLUSTER_POLICY_KINDS as readonly string[]).includes(w));
      if (bad !== undefined) return wrong(`a list of ${CLUSTER_POLICY_KINDS.join(', ')} (or none)`);
      return {
        ok: true,
        value: { ...settings, clusterPolicies: kindsSetting(words as ClusterPolicyKind[]) },
      };
    }
    case 'enable-k8s-cluster-network-policy': {
      const no = ciliumOnly();
      if (no !== undefined) return no;
      const b = bool();
      if (b === undefined) return wrong('true or false');
      if (b && !since('1.20'))
        return {
          ok: false,
          message: `--cni-option "${text}": Cilium enforces ClusterNetworkPolicy from 1.20 on, not in ${version}`,
        };
      return { ok: true, value: { ...settings, clusterPolicies: b ? 'ClusterNetworkPolicy' : '' } };
    }
    case 'enable-host-firewall': {
      const no = ciliumOnly();
      if (no !== undefined) return no;
      const b = bool();
      if (b === undefined) return wrong('true or false');
      return { ok: true, value: { ...settings, hostFirewall: b } };
    }
    case 'enable-non-default-deny-policies': {
      const no = ciliumOnly();
      if (no !== undefined) return no;
      const b = bool();
      if (b === undefined) return wrong('true or false');
      if (!since('1.17'))
        return {
          ok: false,
          message: `--cni-option "${text}": Cilium has enable-non-default-deny-policies from 1.17 on, not in ${version}`,
        };
      return { ok: true, value: { ...settings, enableDefaultDeny: b } };
    }
    case 'cluster-name': {
      const no = ciliumOnly();
      if (no !== undefined) return no;
      if (value === '') return wrong('the cluster name');
      return { ok: true, value: { ...settings, clusterName: value } };
    }
    case 'allow-localhost': {
      const no = ciliumOnly();
      if (no !== undefined) return no;
      if (value !== 'auto' && value !== 'always' && value !== 'policy')
        return wrong('auto, always or policy');
      return { ok: true, value: { ...settings, ownNodeTraffic: value === 'policy' ? 'policy' : 'allowed' } };
    }
    default:
      return {
        ok: false,
        message: `--cni-option "${text}": unknown setting "${key}"; the settings are ${OPTION_KEYS.join(', ')}`,
      };
  }
}

/** Every key `--cni-option` takes. */
export const OPTION_KEYS = [
  'cidr-matches-pods',
  'cidr-matches-nodes',
  'host-network-pods',
  'own-node-traffic',
  'endport',
  'sctp',
  'policy-cidr-match-mode',
  'enable-sctp',
  'allow-localhost',
  'cluster-policies',
  'enable-k8s-cluster-network-policy',
  'enable-host-firewall',
  'cluster-name',
  'enable-non-default-deny-policies',
] as const;

/** Whether `name` is a CNI with a profile. */
export function isCniName(name: string): name is CniName {
  return Object.values(CniName).includes(name as CniName);
}

/**
 * The profile of `spec` (`cilium`, `cilium@1.16`, `calico@3.30.2`) with `overrides` (`key=value`) applied
 * in order; a one-line message naming the bad part otherwise.
 */
export function resolveCniProfile(spec: string, overrides: readonly string[] = []): ProfileResult {
  const at = spec.indexOf('@');
  const name = at < 0 ? spec : spec.slice(0, at);
  const given = at < 0 ? undefined : spec.slice(at + 1);
  if (!isCniName(name)) {
    return {
      ok: false,
      message: `unknown CNI "${name}" in --cni "${spec}"; use one of ${Object.values(CniName).join(', ')}, optionally with @version (cilium@1.16)`,
    };
  }
  if (given !== undefined && versionParts(given) === undefined) {
    return {
      ok: false,
      message: `version "${given}" in --cni "${spec}" is not major.minor[.patch] (e.g. ${name}@${CNI_PROFILES[name].latest})`,
    };
  }
  const version = given ?? CNI_PROFILES[name].latest;
  const base: CniProfile = {
    cni: name,
    version,
    versionGiven: given !== undefined,
    settings: profileSettings(name, version),
    overrides: [],
  };
  return withOverrides(base, overrides);
}

/**
 * `profile` with more `key=value` overrides applied in order (after its own). `checkVersion`: refuse a
 * setting the profile's version does not have (settings read from the cluster are taken as they are).
 */
export function withOverrides(
  profile: CniProfile,
  overrides: readonly string[],
  checkVersion = true,
): ProfileResult {
  let settings = profile.settings;
  for (const o of overrides) {
    const r = applyOverride(profile.cni, profile.version, settings, o, checkVersion);
    if (!r.ok) return r;
    settings = r.value;
  }
  return { ok: true, value: { ...profile, settings, overrides: [...profile.overrides, ...overrides] } };
}

/** `cilium@1.16`, `calico`, or `upstream`; with the overrides: `cilium@1.16 (policy-cidr-match-mode=pods)`. */
export function profileName(profile: CniProfile): string {
  const base = profile.versionGiven ? `${profile.cni}@${profile.version}` : profile.cni;
  return profile.overrides.length === 0 ? base : `${base} (${profile.overrides.join(', ')})`;
}

/**
 * Whether CIDR rules (`ipBlock` peers) match a pod by its IP under `profile`: host-network pods have their
 * node's IP, so for them the nodes setting decides. Cilium policy evaluation uses it for `fromCIDR`/`toCIDR`.
 */
export function cidrRulesMatchPod(settings: CniSettings, hostNetworkPod: boolean): boolean {
  return hostNetworkPod ? settings.cidrMatchesNodes : settings.cidrMatchesPods;
}

/** The settings in which two profiles differ. */
export function differingSettings(a: CniSettings, b: CniSettings): CniSetting[] {
  return (Object.keys(a) as CniSetting[]).filter((k) => a[k] !== b[k]);
}

/**
 * The profile's rule for one setting, in words, when it departs from upstream:
 * `cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods`.
 */
export function profileRule(
  profile: CniProfile,
  setting: CniSetting,
  /** For `endPort`: which kinds of policies use it in the input (the reasons differ; default NetworkPolicies). */
  endPortIn: EndPortKinds = { networkPolicies: true, ciliumPolicies: false },
): string {
  if (setting === 'endPort' && profile.cni === 'cilium' && profile.settings.endPort !== 'range') {
    const parts: string[] = [];
    if (endPortIn.networkPolicies || !endPortIn.ciliumPolicies) parts.push(profileRuleText(profile, setting));
    if (endPortIn.ciliumPolicies) {
      const override = profile.overrides.find((o) => o.startsWith('endport='));
      const name = profile.versionGiven ? `${profile.cni}@${profile.version}` : profile.cni;
      parts.push(
        `${name}: CiliumNetworkPolicies have no endPort before 1.16 (the CRD lacks the field, so the API server drops it): the rule allows only its port${override === undefined ? '' : ` (${override})`}`,
      );
    }
    return parts.join('; ');
  }
  return profileRuleText(profile, setting);
}

/** Which kinds of policies of an input use `endPort`. */
export interface EndPortKinds {
  networkPolicies: boolean;
  ciliumPolicies: boolean;
}

function profileRuleText(profile: CniProfile, setting: CniSetting): string {
  const name = profile.versionGiven ? `${profile.cni}@${profile.version}` : profile.cni;
  const value = profile.settings[setting];
  const reasons = CNI_PROFILES[profile.cni].reasons;
  let text: string;
  switch (setting) {
    case 'endPort':
      text = END_PORT_REASONS[profile.settings.endPort];
      break;
    case 'cidrMatchesPods':
      text = value
        ? 'CIDR rules match pod IPs'
        : (reasons.cidrMatchesPods ?? 'CIDR rules do not match pod IPs');
      break;
    case 'cidrMatchesNodes':
      text = value
        ? 'CIDR rules match node IPs (host-network pods)'
        : (reasons.cidrMatchesNodes ?? 'CIDR rules do not match node IPs (host-network pods)');
      break;
    case 'sctp':
      text = value ? 'SCTP rules are enforced' : (reasons.sctp ?? 'SCTP entries of rules allow nothing');
      break;
    case 'hostNetworkPods':
      text =
        value === 'policed'
          ? 'NetworkPolicies police host-network pods'
          : (reasons.hostNetworkPods ?? 'NetworkPolicies do not police host-network pods');
      break;
    case 'clusterPolicies': {
      const off = CLUSTER_POLICY_KINDS.filter(
        (k) => !enforcedClusterPolicyKinds(profile.settings).includes(k),
      );
      text =
        off.length === 0
          ? 'every cluster policy kind is enforced'
          : `${off.join(', ')} ${off.length === 1 ? 'is' : 'are'} not enforced`;
      break;
    }
    case 'hostFirewall':
      text = value
        ? 'the host firewall is on: host policies (nodeSelector) apply to the selected nodes'
        : (reasons.hostFirewall ?? 'host policies (nodeSelector) are not enforced');
      break;
    case 'enableDefaultDeny':
      text = value
        ? 'enableDefaultDeny of Cilium policies is read'
        : (reasons.enableDefaultDeny ?? 'enableDefaultDeny of Cilium policies is ignored');
      break;
    case 'clusterName':
      text = `the cluster is named ${JSON.stringify(value)} (io.cilium.k8s.policy.cluster)`;
      break;
    case 'ownNodeTraffic':
      text =
        value === 'policy'
          ? (reasons.ownNodeTraffic ?? 'traffic from the pod’s own node is subject to policy')
          : 'traffic from the pod’s own node is always allowed';
      break;
  }
  const override = profile.overrides.find((o) => OVERRIDE_SETTINGS[overrideKey(o)]?.includes(setting));
  const source =
    profile.cni !== 'cilium'
      ? undefined
      : setting === 'endPort'
        ? CILIUM_END_PORT_SOURCES[profile.settings.endPort]
        : setting === 'enableDefaultDeny' && !profile.settings.enableDefaultDeny
          ? 'not in the CRD before 1.16, cilium#30572'
          : undefined;
  if (source !== undefined && override === undefined) text += ` (${source})`;
  return `${name}: ${text}${override === undefined ? '' : ` (${override})`}`;
}

/** The settings each override key sets. */
const OVERRIDE_SETTINGS: Readonly<Record<string, readonly CniSetting[]>> = {
  'cidr-matches-pods': ['cidrMatchesPods'],
  'cidr-matches-nodes': ['cidrMatchesNodes'],
  'host-network-pods': ['hostNetworkPods'],
  'own-node-traffic': ['ownNodeTraffic'],
  endport: ['endPort'],
  sctp: ['sctp'],
  'policy-cidr-match-mode': ['cidrMatchesPods', 'cidrMatchesNodes'],
  'enable-sctp': ['sctp'],
  'allow-localhost': ['ownNodeTraffic'],
  'cluster-policies': ['clusterPolicies'],
  'enable-k8s-cluster-network-policy': ['clusterPolicies'],
  'enable-host-firewall': ['hostFirewall'],
  'cluster-name': ['clusterName'],
  'enable-non-default-deny-policies': ['enableDefaultDeny'],
};

/** The same profile with one setting put back to upstream's value (explain: did this setting decide?). */
export function withUpstreamSetting(profile: CniProfile, setting: CniSetting): CniProfile {
  return { ...profile, settings: { ...profile.settings, [setting]: UPSTREAM[setting] } };
}

/**
 * The engine options a profile sets: the profile itself (read by compile for `endPort`, SCTP and CIDR
 * matching of node IPs) and the two options the engine had before profiles, from its settings.
 */
export function cniEngineOptions(profile: CniProfile): {
  cni: CniProfile;
  ipBlockMatchesPods: boolean;
  hostNetworkPods: 'exempt' | 'policed';
} {
  return {
    cni: profile,
    ipBlockMatchesPods: profile.settings.cidrMatchesPods,
    hostNetworkPods: profile.settings.hostNetworkPods,
  };
}

/**
 * The one warning line for the cluster policies `profile` does not enforce, or undefined when it enforces
 * every kind present: `warning: cilium@1.20 enforces no AdminNetworkPolicy, BaselineAdminNetworkPolicy: 2
 * policies left out (docs/cni.md)`.
 */
export function unenforcedClusterPoliciesWarning(
  profile: CniProfile,
  kinds: readonly ClusterPolicyKind[],
): string | undefined {
  const enforced = enforcedClusterPolicyKinds(profile.settings);
  const off = kinds.filter((k) => !enforced.includes(k));
  if (off.length === 0) return undefined;
  const names = CLUSTER_POLICY_KINDS.filter((k) => off.includes(k));
  const n = off.length;
  return `warning: ${profileName(profile)} enforces no ${names.join(', ')}: ${n} ${n === 1 ? 'policy' : 'policies'} left out (docs/cni.md)`;
}

/**
 * Why `profile` does not enforce a NetworkPolicy with `endPort`, or undefined when it does:
 * `cilium@1.15 does not enforce NetworkPolicies with endPort (cilium#28704)`.
 */
export function endPortPolicyIgnoredReason(profile: CniProfile): string | undefined {
  const reason = endPortIgnoredReason(profile);
  if (reason === undefined) return undefined;
  const source = reason === 'endPort' ? '' : ` (${reason.slice('endPort, '.length)})`;
  return `${profileName(profile)} does not enforce NetworkPolicies with endPort${source}`;
}

/**
 * Why `profile` leaves out a NetworkPolicy with `endPort`, in short (explain: "which cilium@1.15 does not
 * enforce (endPort, cilium#28704)"), or undefined when it enforces them.
 */
export function endPortIgnoredReason(profile: CniProfile): string | undefined {
  if (profile.settings.endPort !== 'policy-ignored') return undefined;
  return profile.cni === 'cilium' && !profile.overrides.some((o) => o.startsWith('endport='))
    ? `endPort, ${CILIUM_END_PORT_SOURCES['policy-ignored']}`
    : 'endPort';
}

/** The first three ids, and how many more: `a/x, b/y, c/z, and 2 more` (the warnings' policy lists). */
function firstIds(ids: readonly string[]): string {
  return ids.slice(0, 3).join(', ') + (ids.length > 3 ? `, and ${ids.length - 3} more` : '');
}

/**
 * The one warning line for the NetworkPolicies `profile` leaves out because they use `endPort` (Cilium 1.15),
 * or undefined: `warning: cilium@1.15 does not enforce NetworkPolicies with endPort (cilium#28704): 1 policy
 * left out (b/np-ep); drop endPort or run Cilium ≥ 1.16 (docs/cni.md)`.
 */
export function endPortPoliciesIgnoredWarning(
  profile: CniProfile,
  policyIds: readonly string[],
): string | undefined {
  const reason = endPortPolicyIgnoredReason(profile);
  if (reason === undefined || policyIds.length === 0) return undefined;
  const n = policyIds.length;
  const shown = firstIds(policyIds);
  const fix = profile.cni === 'cilium' ? 'drop endPort or run Cilium ≥ 1.16' : 'drop endPort';
  return `warning: ${reason}: ${n} ${n === 1 ? 'policy' : 'policies'} left out (${shown}); ${fix} (docs/cni.md)`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One `endPort` of a Cilium policy as written: its field path, its `port` and the end. */
export interface CiliumEndPortField {
  path: FieldPath;
  port: string;
  endPort: number;
}

/** A port entry of a Cilium policy as written, its field path, and whether its rule denies. */
interface CiliumPortEntry {
  entry: Record<string, unknown>;
  path: FieldPath;
  deny: boolean;
}

/** Every port entry of a Cilium policy's rule sets (`spec`, `specs[i]`) as written, with its field path. */
function ciliumPortEntries(object: CiliumPolicyObject): CiliumPortEntry[] {
  const raw = object as unknown as Record<string, unknown>;
  const specs: { spec: unknown; path: FieldPath }[] = [{ spec: raw.spec, path: ['spec'] }];
  if (Array.isArray(raw.specs))
    for (const [i, s] of raw.specs.entries()) specs.push({ spec: s, path: ['specs', i] });
  const out: CiliumPortEntry[] = [];
  for (const { spec, path } of specs) {
    if (!isMap(spec)) continue;
    for (const list of ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const) {
      const rules = spec[list];
      if (!Array.isArray(rules)) continue;
      for (const [i, rule] of rules.entries()) {
        if (!isMap(rule) || !Array.isArray(rule.toPorts)) continue;
        for (const [j, entry] of rule.toPorts.entries()) {
          if (!isMap(entry) || !Array.isArray(entry.ports)) continue;
          for (const [k, p] of entry.ports.entries())
            if (isMap(p))
              out.push({
                entry: p,
                path: [...path, list, i, 'toPorts', j, 'ports', k],
                deny: list === 'ingressDeny' || list === 'egressDeny',
              });
        }
      }
    }
  }
  return out;
}

/** Every `endPort` of a Cilium policy's rule sets (`spec`, `specs[i]`), as written. */
export function ciliumEndPortFields(object: CiliumPolicyObject): CiliumEndPortField[] {
  const out: CiliumEndPortField[] = [];
  for (const { entry: p, path } of ciliumPortEntries(object)) {
    if (typeof p.endPort !== 'number') continue;
    out.push({
      path: [...path, 'endPort'],
      port: typeof p.port === 'string' || typeof p.port === 'number' ? String(p.port) : '0',
      endPort: p.endPort,
    });
  }
  return out;
}

/**
 * The field paths of a Cilium policy's `protocol: SCTP` allow entries, as written (a deny entry's SCTP denies
 * nothing more than is already denied: without SCTP the datapath drops it all).
 */
export function ciliumSctpFields(object: CiliumPolicyObject): FieldPath[] {
  return ciliumPortEntries(object)
    .filter(({ entry, deny }) => entry.protocol === 'SCTP' && !deny)
    .map(({ path }) => [...path, 'protocol']);
}

/** The field paths of a NetworkPolicy's `protocol: SCTP` port entries. */
export function sctpFields(info: PolicyInfo): FieldPath[] {
  const out: FieldPath[] = [];
  for (const direction of ['ingress', 'egress'] as const)
    for (const [i, rule] of (info.spec[direction] ?? []).entries())
      for (const [k, port] of (rule.ports ?? []).entries())
        if (port.protocol === 'SCTP') out.push(['spec', direction, i, 'ports', k, 'protocol']);
  return out;
}

/** How to make SCTP entries allow what they say under `profile`: Cilium's setting, or the override. */
export function sctpFix(profile: CniProfile): string {
  return profile.cni === 'cilium'
    ? 'enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries'
    : 'drop the SCTP entries, or drop --cni-option sctp=false if the CNI enforces SCTP';
}

/**
 * The one warning line for the policies whose `protocol: SCTP` entries `profile` reads as allowing nothing
 * (Cilium without `enable-sctp`), or undefined: `warning: cilium: SCTP is not enabled (enable-sctp), so
 * SCTP entries of rules allow nothing: 1 policy has them (shop/sctp); enable SCTP in Cilium … (docs/cni.md)`.
 */
export function sctpIgnoredWarning(profile: CniProfile, policyIds: readonly string[]): string | undefined {
  if (profile.settings.sctp || policyIds.length === 0) return undefined;
  const reason = CNI_PROFILES[profile.cni].reasons.sctp ?? 'SCTP entries of rules allow nothing';
  const n = policyIds.length;
  const shown = firstIds(policyIds);
  return `warning: ${profileName(profile)}: ${reason}: ${n} ${n === 1 ? 'policy has' : 'policies have'} them (${shown}); ${sctpFix(profile)} (docs/cni.md)`;
}

/**
 * Whether a Cilium policy sets `enableDefaultDeny: false` in a direction it has rules in: the only place the
 * field changes the reading (without rules a rule set puts nothing in default deny, and true is the default).
 */
export function ciliumDefaultDenyTurnedOff(policy: CiliumPolicyInfo): boolean {
  return policy.specs.some(
    (s) =>
      s.defaultDeny.ingress !== s.defaultDenyByRules.ingress ||
      s.defaultDeny.egress !== s.defaultDenyByRules.egress,
  );
}

/**
 * The one warning line for the Cilium policies whose `enableDefaultDeny: false` the profile ignores (Cilium
 * before 1.16, `enable-non-default-deny-policies=false`: each direction with rules is in default deny), or
 * undefined. `policyIds`: those for which `ciliumDefaultDenyTurnedOff` holds.
 */
export function ciliumDefaultDenyIgnoredWarning(
  profile: CniProfile,
  policyIds: readonly string[],
): string | undefined {
  if (profile.settings.enableDefaultDeny || policyIds.length === 0) return undefined;
  const n = policyIds.length;
  const shown = firstIds(policyIds);
  return `warning: ${profileRule(profile, 'enableDefaultDeny')}: ${n} Cilium ${n === 1 ? 'policy sets' : 'policies set'} enableDefaultDeny: false in a direction ${n === 1 ? 'it has' : 'they have'} rules in (${shown}), read as default deny there; remove the field, or run a Cilium that reads it (1.16 or later, enable-non-default-deny-policies on) (docs/cni.md)`;
}

/**
 * The one warning line for the Cilium policies whose `endPort` the profile's CRD does not have (Cilium before
 * 1.16: the API server drops the field, the rule allows only its port), or undefined.
 */
export function ciliumEndPortPrunedWarning(
  profile: CniProfile,
  policyIds: readonly string[],
): string | undefined {
  if (profile.cni !== 'cilium' || profile.settings.endPort === 'range' || policyIds.length === 0)
    return undefined;
  const n = policyIds.length;
  const shown = firstIds(policyIds);
  return `warning: the CiliumNetworkPolicy CRD of ${profileName(profile)} has no endPort (it came with Cilium 1.16): the API server drops it, so ${n} Cilium ${n === 1 ? 'policy allows' : 'policies allow'} only the first port of a range (${shown}); list the ports one by one or run Cilium ≥ 1.16 (docs/cni.md)`;
}
