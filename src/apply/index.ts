/**
 * Planning a deployment of NetworkPolicies, cluster policies and Cilium policies, purely: staged order, prune set, what changes (objects and
 * connectivity), what it would break, and rollback records. `src/cli/commands/apply.ts` and `rollback.ts` do the
 * I/O around it.
 */
export {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  POLICY_KINDS,
  bodyOf,
  isCiliumObject,
  isClusterPolicyObject,
  isManagedByNetfence,
  isNamespacedKind,
  namespaceOf,
  policyId,
  renderPolicy,
  sameContent,
  userContent,
  withManagedBy,
  type CiliumObject,
  type ClusterPolicyObject,
  type CustomPolicyObject,
  type PolicyObject,
} from './objects.ts';
export { unifiedDiff } from './textdiff.ts';
export {
  Action,
  Effect,
  PhaseKind,
  ciliumEffectOf,
  clusterEffectOf,
  effectOf,
  effectOfObject,
  planApply,
  pruneCandidates,
  type ApplyPlan,
  type Change,
  type DesiredPolicy,
  type Phase,
  type PruneScope,
} from './plan.ts';
export {
  breakingFlows,
  connectivityChange,
  cutConnections,
  editCiliumPolicies,
  editClusterPolicies,
  phaseSessions,
  policyInfoOf,
  transientCuts,
  type BreakingFlow,
  type TransientCut,
} from './impact.ts';
export {
  Outcome,
  RECORD_KIND,
  RECORD_SCHEMA_VERSION,
  RecordStatus,
  StepKind,
  entryRef,
  finish,
  newRecord,
  parseRecord,
  recordIdOf,
  rollbackSteps,
  type RecordEntry,
  type RestoreStep,
  type RollbackRecord,
} from './record.ts';
