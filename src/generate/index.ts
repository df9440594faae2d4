/**
 * Least-privilege NetworkPolicies from observed connections: `generatePolicies` builds them (fresh or
 * augment), `toNetworkPolicy` makes them Kubernetes objects, and `verifyGeneration` proves with the engine
 * that they allow exactly the observed connections. All pure; src/format/generated.ts writes them as YAML.
 */
export * from './types.ts';
export { generatePolicies } from './build.ts';
export { toClusterNetworkPolicy, toClusterPolicyInfos, CNP_API_VERSION } from './tiers.ts';
export { toNetworkPolicy, toPolicyInfos } from './policies.ts';
export { verifyGeneration, stateWithGenerated, type Verification } from './verify.ts';
export {
  chooseSelector,
  workloadSelectors,
  stableLabels,
  PREFERRED_LABEL_KEYS,
  UNSTABLE_LABEL_KEYS,
  type WorkloadSelector,
} from './selectors.ts';
