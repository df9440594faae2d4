/**
 * Observed traffic: flow captures (Hubble / Cilium JSON, the simple CSV and JSON Lines formats of
 * docs/flows.md) → the observed connection map at workload granularity, matched against a cluster state.
 *
 * `readFlows` streams files and standard input; everything else is pure: `observeFlowText` for text in
 * memory, `FlowObserver` to feed lines from anywhere, and the record parsers.
 */
export type {
  FlowEnd,
  FlowFormat,
  FlowProblem,
  FlowRecord,
  FlowStats,
  ObservedConnection,
  ObservedTraffic,
  RawEnd,
  UnmatchedEndpoint,
} from './types.ts';
export { emptyStats } from './types.ts';
export { readFlows, STDIN_FLOWS, type FlowProgress, type ReadFlowsOptions } from './read.ts';
export { fileLines, inflatedIfGzip } from './stream.ts';
export { FlowObserver, FlowInput, observeFlowText, type ObserveOptions } from './parser.ts';
export { parseHubbleObject, isHubbleObject, type HubbleResult } from './hubble.ts';
export {
  FLOW_COLUMNS,
  parseCsvHeader,
  parseCsvRow,
  parseSimpleJson,
  parseTime,
  splitCsvLine,
} from './simple.ts';
export { FlowMatcher, canonicalIp, type Resolution } from './match.ts';
export { mergeMaps, readMapJson, type MapShard } from './merge.ts';
export {
  DEFAULT_DEDUPE_WINDOW_MS,
  FlowAggregator,
  compareConnections,
  compareEnds,
  connectionKey,
  endKey,
} from './aggregate.ts';
export {
  checkObserved,
  entityOf,
  type DeniedConnection,
  type FlowCheck,
  type Side,
  type UnobservedAllowance,
} from './check.ts';
export { FlowAttributor, decideObserved, type FlowDecision, type SideDecision } from './decide.ts';
export {
  CiliumOutcome,
  VerdictTally,
  readHubbleVerdict,
  type PolicyName,
  type PolicyVerdict,
  type VerdictCapture,
  type VerdictDirection,
  type VerdictObservation,
  type VerdictReading,
  type VerdictStats,
} from './verdicts.ts';
export {
  VerdictAgreement,
  compareVerdicts,
  decidingPolicies,
  isDisagreement,
  policyNameOf,
  type CiliumVerdict,
  type NetfenceVerdict,
  type VerdictComparison,
  type VerdictRow,
} from './verdict-check.ts';
