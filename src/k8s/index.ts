/**
 * The only part of netfence that talks to a cluster, through the official client
 * (`@kubernetes/client-node`). Everything it returns is plain Kubernetes JSON (`src/model/k8s.ts`); the
 * CLI loads it lazily, so that runs on files never load the client.
 */
export { connect, DEFAULT_TIMEOUT_MS, type Connection, type ConnectOptions } from './connect.ts';
export {
  ClusterError,
  describeError,
  apiStatusOf,
  writeOutcome,
  type ApiStatus,
  type Attempt,
  type Target,
} from './errors.ts';
export {
  readCluster,
  DEFAULT_PAGE_SIZE,
  type ClusterRead,
  type ReadOptions,
  type ReadProgress,
} from './read.ts';
export {
  stateFromObjects,
  objectId,
  leftOutText,
  type ClusterStateResult,
  type LeftOutObject,
} from './state.ts';
export { snapshotText, describeCounts, type SnapshotFormat, type SnapshotInfo } from './snapshot.ts';
export {
  CLUSTER_POLICY_RESOURCES,
  applyObject,
  applyPolicy,
  createObject,
  createPolicy,
  deleteObject,
  deletePolicy,
  listClusterPolicies,
  listCustomPolicies,
  notServedMessage,
  readObject,
  readPolicy,
  readRecordConfigMap,
  replaceObject,
  replacePolicy,
  writeRecordConfigMap,
  type PolicyRef,
  type WriteOptions,
} from './write.ts';
export {
  FIELD_MANAGER,
  KIND_OF,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  RESOURCES,
  type KubeObject,
  type ReadScope,
  type Resource,
  type Workload,
  type WorkloadSpec,
} from './types.ts';
export { detectCni, imageVersion, CNI_DAEMONSETS, type DetectedCni } from './cni.ts';
export { watchCluster, type ClusterWatch, type WatchEvent, type WatchOptions } from './watch.ts';
export { convert as objectOfResource, fromWatched } from './read.ts';
