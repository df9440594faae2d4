/**
 * Cluster policy wire objects (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy) → the
 * one normalized form the engine reads (`ClusterPolicyInfo`). Pure. It expects an object that validation
 * accepted; on anything else it still returns a value (never throws), failing closed as the API asks for
 * peers it cannot read.
 */
import {
  ClusterPolicyKind,
  Tier,
  TierAction,
  type ClusterPolicyInfo,
  type TierPeerInfo,
  type TierPortInfo,
  type TierRuleInfo,
  type TierSubjectInfo,
} from './cluster.ts';
import type {
  AnpPort,
  CnpProtocol,
  LabelSelector,
  ObjectMeta,
  Protocol,
  TierEgressPeer,
  TierSubject,
  TierWireRule,
} from './k8s.ts';

/** The wire words for actions, per kind, and what they mean. */
const ACTIONS: Record<string, TierAction> = {
  Accept: TierAction.Allow,
  Allow: TierAction.Allow,
  Deny: TierAction.Deny,
  Pass: TierAction.Pass,
};

/** The normalized action of a wire word; `undefined` for a word the API does not have. */
export function tierActionOf(word: string | undefined): TierAction | undefined {
  return word === undefined ? undefined : ACTIONS[word];
}

const EMPTY: LabelSelector = {};

export function subjectInfo(subject: TierSubject | undefined): TierSubjectInfo {
  if (subject?.pods !== undefined) {
    return {
      kind: 'pods',
      namespaceSelector: subject.pods.namespaceSelector ?? EMPTY,
      podSelector: subject.pods.podSelector ?? EMPTY,
    };
  }
  // A subject without a known field cannot be read; `namespaces: {}` is what validation rejects it for, and
  // is never used for an object that reached the state.
  return { kind: 'namespaces', namespaceSelector: subject?.namespaces ?? EMPTY };
}

/** The peer fields this version of netfence knows. */
const PEER_FIELDS = ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'] as const;

export function peerInfo(peer: TierEgressPeer): TierPeerInfo {
  if (peer.namespaces !== undefined) return { kind: 'namespaces', namespaceSelector: peer.namespaces };
  if (peer.pods !== undefined) {
    return {
      kind: 'pods',
      namespaceSelector: peer.pods.namespaceSelector ?? EMPTY,
      podSelector: peer.pods.podSelector ?? EMPTY,
    };
  }
  if (peer.nodes !== undefined) return { kind: 'nodes', nodeSelector: peer.nodes };
  if (peer.networks !== undefined) return { kind: 'networks', cidrs: [...peer.networks] };
  if (peer.domainNames !== undefined) return { kind: 'domainNames', domains: [...peer.domainNames] };
  return {
    kind: 'unknown',
    fields: Object.keys(peer).filter((k) => !(PEER_FIELDS as readonly string[]).includes(k)),
  };
}

function protocolOf(word: string | undefined): Protocol {
  return word === 'UDP' || word === 'SCTP' ? word : 'TCP';
}

/** CNP `protocols` entries → port entries. */
export function cnpPorts(protocols: readonly CnpProtocol[] | undefined): TierPortInfo[] | undefined {
  if (protocols === undefined) return undefined;
  const out: TierPortInfo[] = [];
  for (const p of protocols) {
    if (p.destinationNamedPort !== undefined) {
      out.push({ kind: 'named', name: p.destinationNamedPort });
      continue;
    }
    for (const [field, protocol] of [
      ['tcp', 'TCP'],
      ['udp', 'UDP'],
      ['sctp', 'SCTP'],
    ] as const) {
      const options = p[field];
      if (options === undefined) continue;
      const port = options.destinationPort;
      if (port?.number !== undefined) {
        out.push({ kind: 'range', protocol, start: port.number, end: port.number });
      } else if (port?.range !== undefined) {
        out.push({ kind: 'range', protocol, start: port.range.start, end: port.range.end });
      } else {
        // `tcp: {}` is rejected by the CRD; read as "every port of the protocol", what the API overview says.
        out.push({ kind: 'range', protocol, start: 1, end: 65535 });
      }
    }
  }
  return out;
}

/** ANP/BANP `ports` entries → port entries. */
export function anpPorts(ports: readonly AnpPort[] | undefined): TierPortInfo[] | undefined {
  if (ports === undefined) return undefined;
  const out: TierPortInfo[] = [];
  for (const p of ports) {
    if (p.namedPort !== undefined) out.push({ kind: 'named', name: p.namedPort });
    else if (p.portNumber !== undefined) {
      const port = p.portNumber.port ?? 0;
      out.push({ kind: 'range', protocol: protocolOf(p.portNumber.protocol), start: port, end: port });
    } else if (p.portRange !== undefined) {
      out.push({
        kind: 'range',
        protocol: protocolOf(p.portRange.protocol),
        start: p.portRange.start ?? 1,
        end: p.portRange.end ?? 65535,
      });
    }
  }
  return out;
}

function ruleInfo(kind: ClusterPolicyKind, rule: TierWireRule, index: number): TierRuleInfo {
  return {
    index,
    name: rule.name,
    // An unknown action fails closed (deny); validation reports it.
    action: tierActionOf(rule.action) ?? TierAction.Deny,
    peers: (rule.from ?? rule.to ?? []).map(peerInfo),
    ports: kind === ClusterPolicyKind.ClusterNetworkPolicy ? cnpPorts(rule.protocols) : anpPorts(rule.ports),
  };
}

export interface ClusterPolicyObject {
  apiVersion: string;
  kind: ClusterPolicyKind;
  metadata: ObjectMeta;
  spec: ClusterPolicyInfo['spec'];
}

/** The normalized form of a (validated) cluster policy object. */
export function clusterPolicyInfo(object: ClusterPolicyObject): ClusterPolicyInfo {
  const { kind, spec } = object;
  const name = object.metadata.name ?? '';
  const wire = spec as {
    tier?: string;
    priority?: number;
    subject?: TierSubject;
    ingress?: TierWireRule[];
    egress?: TierWireRule[];
  };
  const tier =
    kind === ClusterPolicyKind.AdminNetworkPolicy
      ? Tier.Admin
      : kind === ClusterPolicyKind.BaselineAdminNetworkPolicy
        ? Tier.Baseline
        : wire.tier === 'Baseline'
          ? Tier.Baseline
          : Tier.Admin;
  return {
    id: `${kind}/${name}`,
    kind,
    apiVersion: object.apiVersion,
    name,
    tier,
    priority: kind === ClusterPolicyKind.BaselineAdminNetworkPolicy ? undefined : (wire.priority ?? 0),
    subject: subjectInfo(wire.subject),
    ingress: (wire.ingress ?? []).map((r, i) => ruleInfo(kind, r, i)),
    egress: (wire.egress ?? []).map((r, i) => ruleInfo(kind, r, i)),
    spec,
    labels: object.metadata.labels ?? {},
    annotations: object.metadata.annotations ?? {},
  };
}
