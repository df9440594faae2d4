/**
 * Cilium's own policy kinds as they are written (`cilium.io/v2` CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy; Cilium's `pkg/policy/api` Go types and the CRD schema). Plain JSON, optional
 * fields optional, so that absent and empty stay different values (`ingress: []` has no rules; `ingress: [{}]`
 * has one rule that allows nothing, Cilium's "deny all" idiom).
 *
 * Endpoint selectors use Cilium's label keys: `k8s:app`, `any:app` or `app` for a pod label;
 * `k8s:io.kubernetes.pod.namespace` for the namespace; `k8s:io.cilium.k8s.namespace.labels.<key>` for a
 * namespace label; `reserved:<name>` for the special identities. `src/model/cilium.ts` normalizes them.
 */
import type { LabelSelector, ObjectMeta } from './k8s.ts';

/** `TCP`, `UDP`, `SCTP`, `ICMP`, `ICMPv6`, `VRRP`, `IGMP` or `ANY` (absent: `ANY`). */
export type CiliumWireProtocol = string;

export interface CiliumPortProtocol {
  /** A port number (`"80"`), a named port (`"http"`), or `"0"`/absent: every port. */
  port?: string;
  /** The last port of a range starting at `port` (Cilium 1.16+). */
  endPort?: number;
  protocol?: CiliumWireProtocol;
}

/** Layer-7 rules of a port rule: at most one kind is set; netfence never decides them statically. */
export interface CiliumL7Rules {
  http?: unknown[];
  kafka?: unknown[];
  dns?: unknown[];
  l7proto?: string;
  l7?: unknown[];
}

export interface CiliumPortRule {
  ports?: CiliumPortProtocol[];
  rules?: CiliumL7Rules;
  terminatingTLS?: unknown;
  originatingTLS?: unknown;
  serverNames?: string[];
  listener?: unknown;
}

/** A deny rule's ports: no layer-7 part. */
export interface CiliumPortDenyRule {
  ports?: CiliumPortProtocol[];
}

export interface CiliumCIDRRule {
  cidr?: string;
  cidrGroupRef?: string;
  cidrGroupSelector?: LabelSelector;
  except?: string[];
}

export interface CiliumICMPField {
  family?: string;
  type?: number | string;
}

export interface CiliumICMPRule {
  fields?: CiliumICMPField[];
}

export interface CiliumK8sServiceNamespace {
  serviceName?: string;
  namespace?: string;
}

export interface CiliumK8sServiceSelectorNamespace {
  selector?: LabelSelector;
  namespace?: string;
}

export interface CiliumService {
  k8sService?: CiliumK8sServiceNamespace;
  k8sServiceSelector?: CiliumK8sServiceSelectorNamespace;
}

export interface CiliumFQDNSelector {
  matchName?: string;
  matchPattern?: string;
}

/** The peer part shared by ingress and ingressDeny rules. */
export interface CiliumIngressCommon {
  fromEndpoints?: LabelSelector[];
  fromRequires?: LabelSelector[];
  fromCIDR?: string[];
  fromCIDRSet?: CiliumCIDRRule[];
  fromEntities?: string[];
  fromGroups?: unknown[];
  fromNodes?: LabelSelector[];
  icmps?: CiliumICMPRule[];
}

export interface CiliumIngressRule extends CiliumIngressCommon {
  toPorts?: CiliumPortRule[];
  authentication?: unknown;
}

export interface CiliumIngressDenyRule extends CiliumIngressCommon {
  toPorts?: CiliumPortDenyRule[];
}

/** The peer part shared by egress and egressDeny rules. */
export interface CiliumEgressCommon {
  toEndpoints?: LabelSelector[];
  toRequires?: LabelSelector[];
  toCIDR?: string[];
  toCIDRSet?: CiliumCIDRRule[];
  toEntities?: string[];
  toServices?: CiliumService[];
  toGroups?: unknown[];
  toNodes?: LabelSelector[];
  icmps?: CiliumICMPRule[];
}

export interface CiliumEgressRule extends CiliumEgressCommon {
  toPorts?: CiliumPortRule[];
  toFQDNs?: CiliumFQDNSelector[];
  authentication?: unknown;
}

export interface CiliumEgressDenyRule extends CiliumEgressCommon {
  toPorts?: CiliumPortDenyRule[];
}

export interface CiliumDefaultDeny {
  ingress?: boolean;
  egress?: boolean;
}

/** The fields of a Cilium rule (`CiliumRule`), in the order of Cilium's documentation (selector first). */
export const CILIUM_RULE_FIELDS = [
  'endpointSelector',
  'nodeSelector',
  'ingress',
  'ingressDeny',
  'egress',
  'egressDeny',
  'enableDefaultDeny',
  'labels',
  'description',
  'log',
] as const;

/** One rule of a Cilium policy (`spec`, or an item of `specs`): exactly one of the two selectors. */
export interface CiliumRule {
  endpointSelector?: LabelSelector;
  /** CiliumClusterwideNetworkPolicy only: the rule applies to nodes (host firewall). */
  nodeSelector?: LabelSelector;
  ingress?: CiliumIngressRule[];
  ingressDeny?: CiliumIngressDenyRule[];
  egress?: CiliumEgressRule[];
  egressDeny?: CiliumEgressDenyRule[];
  enableDefaultDeny?: CiliumDefaultDeny;
  labels?: unknown[];
  description?: string;
  /** Hubble logging (`value`: a string shown in flows); no effect on connectivity. */
  log?: { value?: string };
}

/** A CiliumNetworkPolicy (namespaced) or CiliumClusterwideNetworkPolicy: `spec`, `specs` or both. */
export interface CiliumPolicyObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: CiliumRule;
  specs?: CiliumRule[];
}
