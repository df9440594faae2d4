/**
 * Pods grouped into their workloads through owner references, and one representative pod for each
 * workload that has no pods in the input. Pure.
 */
import type { PodInfo, WorkloadInfo, WorkloadKindOrPod } from '../model/cluster.ts';
import type { OwnerReference, WorkloadKind } from '../model/k8s.ts';
import { originOf } from './origin.ts';
import { isBuiltInGroup } from './validate/objects.ts';
import type { ValidPod, ValidWorkload } from './validate/objects.ts';
import { compareText } from '../base/text.ts';

/** Labels the controllers add to each pod, which are not part of the workload's own template. */
const PER_POD_LABELS = [
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
];

const DIRECT_OWNERS: readonly string[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicationController',
  'CronJob',
];

interface Group {
  namespace: string;
  kind: WorkloadKindOrPod;
  name: string;
  /** The workload itself, when it is in the input. */
  object: ValidWorkload | undefined;
  /** ReplicaSets (Jobs) in the input that stand for their absent Deployment (CronJob). */
  standIns: ValidWorkload[];
  pods: ValidPod[];
}

export function workloadId(namespace: string, kind: WorkloadKindOrPod, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

function isBuiltInOwner(owner: OwnerReference): boolean {
  return owner.apiVersion === undefined || isBuiltInGroup(owner.apiVersion);
}

/** The Deployment that owns a ReplicaSet, or the CronJob that owns a Job. */
function parentOf(workload: ValidWorkload): string | undefined {
  const owner = workload.owner;
  if (owner === undefined || !isBuiltInOwner(owner)) return undefined;
  if (workload.kind === 'ReplicaSet' && owner.kind === 'Deployment') return owner.name;
  if (workload.kind === 'Job' && owner.kind === 'CronJob') return owner.name;
  return undefined;
}

/** Of several ReplicaSets of one Deployment (old revisions), the current one; of several Jobs, the latest. */
function currentStandIn(standIns: readonly ValidWorkload[]): ValidWorkload | undefined {
  const revision = (w: ValidWorkload): number =>
    Number(w.annotations['deployment.kubernetes.io/revision'] ?? 0) || 0;
  return [...standIns].sort(
    (a, b) =>
      Number((b.facts.replicas ?? 1) > 0) - Number((a.facts.replicas ?? 1) > 0) ||
      revision(b) - revision(a) ||
      compareText(b.name, a.name),
  )[0];
}

export interface Grouping {
  workloads: WorkloadInfo[];
  pods: PodInfo[];
}

export function groupWorkloads(workloads: readonly ValidWorkload[], pods: readonly ValidPod[]): Grouping {
  const byId = new Map<string, ValidWorkload>();
  for (const w of workloads) byId.set(workloadId(w.namespace, w.kind, w.name), w);
  const groups = new Map<string, Group>();
  const groupFor = (namespace: string, kind: WorkloadKindOrPod, name: string): Group => {
    const id = workloadId(namespace, kind, name);
    let group = groups.get(id);
    if (group === undefined) {
      group = { namespace, kind, name, object: undefined, standIns: [], pods: [] };
      groups.set(id, group);
    }
    return group;
  };

  for (const w of workloads) {
    const parent = parentOf(w);
    if (parent === undefined) groupFor(w.namespace, w.kind, w.name).object = w;
    else groupFor(w.namespace, w.kind === 'ReplicaSet' ? 'Deployment' : 'CronJob', parent).standIns.push(w);
  }

  const resolve = (pod: ValidPod): { kind: WorkloadKindOrPod; name: string } => {
    const owner = pod.owner;
    if (owner === undefined || !isBuiltInOwner(owner)) return { kind: 'Pod', name: pod.name };
    const inInput = byId.get(workloadId(pod.namespace, owner.kind as WorkloadKind, owner.name));
    if (owner.kind === 'ReplicaSet') {
      if (inInput !== undefined) {
        const parent = parentOf(inInput);
        return parent === undefined
          ? { kind: 'ReplicaSet', name: owner.name }
          : { kind: 'Deployment', name: parent };
      }
      // The ReplicaSet is not in the input: a Deployment names its ReplicaSets <deployment>-<pod-template-hash>.
      const hash = pod.labels['pod-template-hash'];
      if (
        hash !== undefined &&
        hash !== '' &&
        owner.name.endsWith(`-${hash}`) &&
        owner.name.length > hash.length + 1
      ) {
        return { kind: 'Deployment', name: owner.name.slice(0, -(hash.length + 1)) };
      }
      return { kind: 'ReplicaSet', name: owner.name };
    }
    if (owner.kind === 'Job') {
      if (inInput !== undefined) {
        const parent = parentOf(inInput);
        return parent === undefined ? { kind: 'Job', name: owner.name } : { kind: 'CronJob', name: parent };
      }
      // A CronJob names its Jobs <cronjob>-<scheduled time in minutes>; only trusted when the CronJob is given.
      const match = /^(.+)-[0-9]+$/.exec(owner.name);
      if (match !== null && byId.has(workloadId(pod.namespace, 'CronJob', match[1]!))) {
        return { kind: 'CronJob', name: match[1]! };
      }
      return { kind: 'Job', name: owner.name };
    }
    if (DIRECT_OWNERS.includes(owner.kind)) return { kind: owner.kind as WorkloadKind, name: owner.name };
    // A Node (static pods), or any kind that is not a workload controller: the pod is its own workload.
    return { kind: 'Pod', name: pod.name };
  };

  for (const pod of pods) {
    const { kind, name } = resolve(pod);
    groupFor(pod.namespace, kind, name).pods.push(pod);
  }

  const outWorkloads: WorkloadInfo[] = [];
  const outPods: PodInfo[] = [];
  for (const [id, group] of groups) {
    const podsSorted = [...group.pods].sort((a, b) => compareText(a.name, b.name));
    const standIn = group.object ?? currentStandIn(group.standIns);
    const firstPod = podsSorted[0];
    let labels: Record<string, string>;
    if (group.object !== undefined) labels = group.object.facts.templateLabels;
    else if (group.kind === 'Pod' && firstPod !== undefined) labels = firstPod.labels;
    else if (firstPod !== undefined) labels = withoutPerPodLabels(firstPod.labels);
    else labels = withoutPerPodLabels(standIn?.facts.templateLabels ?? {});
    const source = standIn?.source ?? firstPod?.source;
    const info: WorkloadInfo = {
      id,
      namespace: group.namespace,
      kind: group.kind,
      name: group.name,
      labels,
      pods: podsSorted.map((p) => p.name),
      replicas: podsSorted.length > 0 ? podsSorted.length : standIn?.facts.replicas,
    };
    const annotations =
      group.object?.annotations ?? (group.kind === 'Pod' ? firstPod?.annotations : undefined);
    if (annotations !== undefined) info.annotations = annotations;
    if (source !== undefined) info.origin = originOf(source);
    outWorkloads.push(info);

    for (const pod of podsSorted) {
      outPods.push({
        name: pod.name,
        namespace: pod.namespace,
        labels: pod.labels,
        namedPorts: pod.pod.namedPorts,
        ips: pod.ips,
        hostNetwork: pod.pod.hostNetwork,
        ...(pod.pod.nodeName === undefined ? {} : { nodeName: pod.pod.nodeName }),
        ...(pod.pod.serviceAccount === undefined ? {} : { serviceAccount: pod.pod.serviceAccount }),
        workload: id,
        template: false,
        origin: originOf(pod.source),
      });
    }
    if (podsSorted.length === 0 && standIn !== undefined) {
      const representative: PodInfo = {
        name: `${group.name}-${group.kind.toLowerCase()}-template`,
        namespace: group.namespace,
        labels,
        namedPorts: standIn.facts.pod.namedPorts,
        ips: [],
        hostNetwork: standIn.facts.pod.hostNetwork,
        ...(standIn.facts.pod.serviceAccount === undefined
          ? {}
          : { serviceAccount: standIn.facts.pod.serviceAccount }),
        workload: id,
        template: true,
        origin: originOf(standIn.source),
      };
      outPods.push(representative);
    }
  }
  outWorkloads.sort((a, b) => compareText(a.id, b.id));
  outPods.sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name));
  return { workloads: outWorkloads, pods: outPods };
}

function withoutPerPodLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!PER_POD_LABELS.includes(k)) out[k] = v;
  return out;
}
