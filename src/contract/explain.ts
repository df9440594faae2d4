/** `netfence explain -o json` (docs/json-schema.md#explain); `test` and `/api/explain` reuse its items. */
import type { GranularityJson, LocationJson, PortsJson } from './common.ts';

/** One end of an explanation: a workload's (or pod's) class of pods, or an address outside the cluster. */
export type ExplainEndJson =
  | { name: string; workload: string; pods: readonly string[] }
  | { name: string; pod: string; pods: readonly string[] }
  | { name: string; external: readonly string[]; addressClass: string };

export type SideStatusJson = 'isolated' | 'not-isolated' | 'host-network' | 'outside-cluster';

export type MissCodeJson =
  | 'port-not-in-rule'
  | 'named-port-undefined'
  | 'named-port-to-address'
  | 'other-namespace'
  | 'namespace-labels'
  | 'pod-labels'
  | 'host-network'
  | 'not-a-pod'
  | 'outside-cidr'
  | 'in-except'
  | 'pod-ip-unknown'
  | 'ipblock-ignores-pods';

export type DirectionJson = 'ingress' | 'egress';

/** A rule allowing part of the query. */
export interface AllowingRuleJson extends LocationJson {
  policy: string;
  direction: DirectionJson;
  /** Index in spec.ingress (or spec.egress). */
  rule: number;
  /** `spec.ingress[0]`. */
  path: string;
  /** Index in from/to; null for a rule without peers. */
  peer: number | null;
  peerDescription: string;
  ports: PortsJson;
}

export interface NearMissJson extends LocationJson {
  policy: string;
  direction: DirectionJson;
  rule: number;
  path: string;
  /** `ports`: the peer matched; `peer`: the ports fit; `both`. */
  failed: 'ports' | 'peer' | 'both';
  reasons: readonly ({ code: MissCodeJson; message: string; path: string } & LocationJson)[];
}

/** One direction: the source's egress, or the destination's ingress. */
export interface ExplainSideJson {
  status: SideStatusJson;
  isolatedBy: readonly ({ policy: string } & LocationJson)[];
  allowed: PortsJson;
  rules: readonly AllowingRuleJson[];
  /** Only when the side is isolated and allows none of the query; nearest first, at most 5. */
  nearMisses: readonly NearMissJson[];
}

export interface SegmentSideJson {
  allowed: boolean;
  rules: readonly { policy: string; path: string }[];
}

/** An item of `explanations`: one pair of classes of pods. */
export interface ExplanationJson {
  src: ExplainEndJson;
  dst: ExplainEndJson;
  verdict: 'allowed' | 'denied' | 'partly-allowed';
  query: PortsJson;
  allowed: PortsJson;
  summary: string;
  egress: ExplainSideJson;
  ingress: ExplainSideJson;
  /** The query split where the deciding rules change; allowed ones first. */
  segments: readonly {
    ports: PortsJson;
    summary: string;
    allowed: boolean;
    egress: SegmentSideJson;
    ingress: SegmentSideJson;
  }[];
}

export interface ExplainJson {
  schemaVersion: 1;
  granularity: GranularityJson;
  /** As given; port null: every port. */
  query: { from: string; to: string; port: string | null };
  explanations: readonly ExplanationJson[];
}
