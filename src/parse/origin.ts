import type { ClusterState, Origin } from '../model/cluster.ts';
import type { ParsedObject } from './types.ts';

/** Where an object of the state came from, with its field locator. */
export function originOf(source: ParsedObject): Origin {
  return {
    file: source.file,
    line: source.line,
    column: source.column,
    locate: (path) => source.locate(path),
  };
}

/** Every file the state's objects come from. */
export function originFiles(state: ClusterState): Set<string> {
  const files = new Set<string>();
  for (const o of [
    ...state.namespaces,
    ...state.workloads,
    ...state.pods,
    ...state.policies,
    ...state.services,
    ...state.clusterPolicies,
    ...state.nodes,
  ]) {
    if (o.origin !== undefined) files.add(o.origin.file);
  }
  return files;
}
