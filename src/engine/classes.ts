/**
 * Pod equivalence classes. Pods with identical selector-relevant attributes (namespace, labels, named
 * ports, host networking, and the address class of their IPs) behave identically under every policy, so the
 * engine computes on classes, and the cost grows with distinct classes, not with pods squared.
 */
import type { ClusterState, NamedPort, PodInfo } from '../model/cluster.ts';
import type { AddressSpace } from './addresses.ts';

export interface PodClass {
  id: number;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  namedPorts: readonly NamedPort[];
  hostNetwork: boolean;
  /** Address classes of the pods' IPs (empty when unknown, or when ipBlocks do not match pods). */
  addressClasses: readonly number[];
  pods: PodInfo[];
}

export interface ClassIndex {
  classes: PodClass[];
  /** `namespace/name` of a pod → its class id. */
  classOfPod: Map<string, number>;
  /** namespace → [first, end) range of class ids: classes are numbered namespace by namespace. */
  namespaceRange: Map<string, readonly [number, number]>;
}

function classKey(pod: PodInfo, addressClasses: readonly number[]): string {
  const labels = Object.keys(pod.labels)
    .sort()
    .map((k) => `${k}=${pod.labels[k]!}`)
    .join('\u0001');
  const ports = pod.namedPorts
    .map((p) => `${p.name}/${p.protocol}/${p.port}`)
    .sort()
    .join(',');
  return `${pod.hostNetwork ? 'H' : 'P'}\u0002${labels}\u0002${ports}\u0002${addressClasses.join(',')}`;
}

export function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function buildClasses(
  state: ClusterState,
  space: AddressSpace,
  ipBlockMatchesPods: boolean,
): ClassIndex {
  const byNamespace = new Map<string, PodInfo[]>();
  for (const pod of state.pods) {
    let list = byNamespace.get(pod.namespace);
    if (list === undefined) byNamespace.set(pod.namespace, (list = []));
    list.push(pod);
  }
  const classes: PodClass[] = [];
  const classOfPod = new Map<string, number>();
  const namespaceRange = new Map<string, readonly [number, number]>();
  for (const namespace of [...byNamespace.keys()].sort()) {
    const first = classes.length;
    const byKey = new Map<string, PodClass>();
    for (const pod of byNamespace.get(namespace)!) {
      const addressClasses = ipBlockMatchesPods
        ? [...new Set(pod.ips.map((ip) => space.classOfIp(ip)).filter((c) => c !== undefined))].sort(
            (a, b) => a - b,
          )
        : [];
      const key = classKey(pod, addressClasses);
      let cls = byKey.get(key);
      if (cls === undefined) {
        cls = {
          id: classes.length,
          namespace,
          labels: pod.labels,
          namedPorts: pod.namedPorts,
          hostNetwork: pod.hostNetwork,
          addressClasses,
          pods: [],
        };
        byKey.set(key, cls);
        classes.push(cls);
      }
      cls.pods.push(pod);
      classOfPod.set(podKey(pod.namespace, pod.name), cls.id);
    }
    namespaceRange.set(namespace, [first, classes.length]);
  }
  return { classes, classOfPod, namespaceRange };
}
