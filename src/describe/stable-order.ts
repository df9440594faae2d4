/**
 * What netfence does where the API leaves the order of equal priorities undefined: its own module, so that the
 * note `analyze` and `test` print (src/cli/undefined-order.ts) does not load explain's words for every run
 * (docs/benchmarks.md, round 13).
 */
export const STABLE_ORDER =
  'netfence follows its stable order (ClusterNetworkPolicy before AdminNetworkPolicy, then by name)';
