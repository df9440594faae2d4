/**
 * Least-privilege NetworkPolicies from observed connections: `generatePolicies` builds them (fresh or
 * augment), `renderFiles` / `renderStream` write readable, deterministic YAML, and `verifyGeneration`
 * proves with the engine that they allow exactly the observed connections. All pure.
 */
export * from './types.ts';
export { generatePolicies, MANAGED_BY, MANAGED_BY_LABEL } from './build.ts';
export {
  renderFiles,
  renderStream,
  toNetworkPolicy,
  toPolicyInfos,
  SplitMode,
  type RenderedFile,
} from './render.ts';
export { verifyGeneration, stateWithGenerated, type Verification } from './verify.ts';
export {
  chooseSelector,
  workloadSelectors,
  stableLabels,
  PREFERRED_LABEL_KEYS,
  UNSTABLE_LABEL_KEYS,
  type WorkloadSelector,
} from './selectors.ts';
