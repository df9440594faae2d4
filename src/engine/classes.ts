/**
 * Pod equivalence classes. Pods with identical selector-relevant attributes (namespace, the labels that
 * some policy's pod selector reads, named ports, host networking, and the address class of their IPs)
 * behave identically under every policy of the cluster, so the engine computes on classes, and the cost
 * grows with distinct classes, not with pods squared. Labels no selector reads do not split classes: without
 * policies, a namespace's pods are one class (or a few, by their named ports).
 */
import type { ClusterState, NamedPort, PodInfo, PolicyInfo } from '../model/cluster.ts';
import type { LabelSelector } from '../model/k8s.ts';
import { CILIUM_SERVICE_ACCOUNT_KEY } from '../model/cilium.ts';
import type { AddressSpace } from './addresses.ts';

export interface PodClass {
  id: number;
  namespace: string;
  /**
   * The labels the policies' pod selectors read (keys in `selectorLabelKeys`), common to the class's pods
   * (all of them with `classesByAllLabels`). A pod's other labels are in `pods`.
   */
  labels: Readonly<Record<string, string>>;
  namedPorts: readonly NamedPort[];
  /**
   * Host-network pods that policies do not police (`hostNetworkPods: 'exempt'`): no policy selects them and
   * no pod selector matches them. With `'policed'` this is false for every class.
   */
  hostNetwork: boolean;
  /**
   * The pods are host-network pods, whatever `hostNetworkPods` says: cluster policies never select them nor
   * match them by selector (the API excludes them), even where NetworkPolicies police them.
   */
  hostNetworkPod: boolean;
  /** Address classes of the pods' IPs (empty when unknown, or when ipBlocks do not match pods). */
  addressClasses: readonly number[];
  /**
   * The node the pods run on, when known (`own-node.ts`: Pods with `spec.nodeName` and that Node with
   * addresses in the input); classes are then split by node. Undefined otherwise (manifests).
   */
  node?: string | undefined;
  /**
   * The pods' service account (`PodInfo.serviceAccount`, `default` when absent), set when a selector reads
   * Cilium's `io.cilium.k8s.policy.serviceaccount` (or with every label): classes are then split by it.
   */
  serviceAccount?: string;
  pods: PodInfo[];
}

export interface ClassIndex {
  classes: PodClass[];
  /** `namespace/name` of a pod → its class id. */
  classOfPod: Map<string, number>;
  /** namespace → [first, end) range of class ids: classes are numbered namespace by namespace. */
  namespaceRange: Map<string, readonly [number, number]>;
}

/** Adds the label keys a selector reads to `into`. */
export function selectorKeys(selector: LabelSelector | undefined, into: Set<string>): void {
  if (selector === undefined) return;
  for (const key of Object.keys(selector.matchLabels ?? {})) into.add(key);
  for (const r of selector.matchExpressions ?? []) into.add(r.key);
}

/** Every pod label key that some policy's pod selector (its own, or a peer's) reads. */
export function selectorLabelKeys(policies: readonly PolicyInfo[]): Set<string> {
  const keys = new Set<string>();
  for (const p of policies) {
    selectorKeys(p.spec.podSelector, keys);
    for (const rule of p.spec.ingress ?? [])
      for (const peer of rule.from ?? []) selectorKeys(peer.podSelector, keys);
    for (const rule of p.spec.egress ?? [])
      for (const peer of rule.to ?? []) selectorKeys(peer.podSelector, keys);
  }
  return keys;
}

/** The pod's labels whose keys are in `keys` (the same object when it has no other). */
function relevantLabels(
  labels: Readonly<Record<string, string>>,
  keys: ReadonlySet<string> | 'all',
): Readonly<Record<string, string>> {
  if (keys === 'all') return labels;
  const all = Object.keys(labels);
  const kept = all.filter((k) => keys.has(k));
  if (kept.length === all.length) return labels;
  const out: Record<string, string> = {};
  for (const k of kept) out[k] = labels[k]!;
  return out;
}

function classKey(
  pod: PodInfo,
  hostNetwork: boolean,
  labels: Readonly<Record<string, string>>,
  addressClasses: readonly number[],
  node: string | undefined,
  serviceAccount: string | undefined,
): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]!}`)
    .join('\u0001');
  const ports = pod.namedPorts
    .map((p) => `${p.name}/${p.protocol}/${p.port}`)
    .sort()
    .join(',');
  const key = `${hostNetwork ? 'H' : pod.hostNetwork ? 'h' : 'P'}\u0002${text}\u0002${ports}\u0002${addressClasses.join(',')}\u0002${serviceAccount ?? ''}`;
  return node === undefined ? key : `${key}\u0002${node}`;
}

export function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function buildClasses(
  state: ClusterState,
  space: AddressSpace,
  ipBlockMatchesPods: boolean,
  /** The label keys that tell pods apart (`selectorLabelKeys` of the policies), or all of them. */
  labelKeys: ReadonlySet<string> | 'all',
  /** Whether host-network pods are exempt from policies (the `hostNetwork` of their classes). */
  hostNetworkExempt = true,
  /** The node a pod runs on, where known (`nodeOfPod`): classes are split by it. */
  nodeOf: (pod: PodInfo) => string | undefined = () => undefined,
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
  const byServiceAccount = labelKeys === 'all' || labelKeys.has(CILIUM_SERVICE_ACCOUNT_KEY);
  for (const namespace of [...byNamespace.keys()].sort()) {
    const first = classes.length;
    const byKey = new Map<string, PodClass>();
    for (const pod of byNamespace.get(namespace)!) {
      const addressClasses = ipBlockMatchesPods
        ? [...new Set(pod.ips.map((ip) => space.classOfIp(ip)).filter((c) => c !== undefined))].sort(
            (a, b) => a - b,
          )
        : [];
      const labels = relevantLabels(pod.labels, labelKeys);
      const hostNetwork = pod.hostNetwork && hostNetworkExempt;
      const node = nodeOf(pod);
      const serviceAccount = byServiceAccount ? (pod.serviceAccount ?? 'default') : undefined;
      const key = classKey(pod, hostNetwork, labels, addressClasses, node, serviceAccount);
      let cls = byKey.get(key);
      if (cls === undefined) {
        cls = {
          ...(serviceAccount === undefined ? {} : { serviceAccount }),
          id: classes.length,
          namespace,
          labels,
          namedPorts: pod.namedPorts,
          hostNetwork,
          hostNetworkPod: pod.hostNetwork,
          addressClasses,
          node,
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
