/**
 * Which CNI a cluster runs (`--cni auto`): from the CNI's agent DaemonSet, each read by its well-known name
 * (no listing), its version from the image tag; for Cilium also the policy settings of the `cilium-config`
 * ConfigMap, read by name only (the read-only role grants `get` on that one name: deploy/rbac).
 */
import type { Connection } from './connect.ts';
import { ClusterError } from './errors.ts';
import { unlessNotFound } from './write.ts';

/** The agent DaemonSets netfence knows, in the order they are looked for: CNI, namespace, name. */
export const CNI_DAEMONSETS: readonly (readonly [cni: string, namespace: string, name: string])[] = [
  ['cilium', 'kube-system', 'cilium'],
  ['calico', 'kube-system', 'calico-node'],
  ['calico', 'calico-system', 'calico-node'],
  ['ovn-kubernetes', 'kube-system', 'ovnkube-node'],
  ['ovn-kubernetes', 'ovn-kubernetes', 'ovnkube-node'],
  ['ovn-kubernetes', 'openshift-ovn-kubernetes', 'ovnkube-node'],
  ['antrea', 'kube-system', 'antrea-agent'],
];

/** The `cilium-config` keys that change what policies mean (docs/cni.md). */
export const CILIUM_POLICY_KEYS = [
  'policy-cidr-match-mode',
  'enable-sctp',
  'allow-localhost',
  'enable-k8s-cluster-network-policy',
  'enable-host-firewall',
  'cluster-name',
  'enable-non-default-deny-policies',
] as const;

export interface DetectedCni {
  /** A profile name of src/engine/profiles.ts. */
  cni: string;
  /** From the image tag (`v1.16.3` → `1.16.3`); undefined when the tag is not a version. */
  version: string | undefined;
  /** `kube-system/cilium`. */
  daemonSet: string;
  image: string;
  /** Settings read from the cluster, as `--cni-option` takes them (`policy-cidr-match-mode=nodes`). */
  options: string[];
  /** Why settings could not be read (the ConfigMap is absent or forbidden), for a warning. */
  warnings: string[];
}

/** `quay.io/cilium/cilium:v1.16.3@sha256:…` → `1.16.3`; undefined for `latest` or no tag. */
export function imageVersion(image: string): string | undefined {
  const name = image.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon <= slash) return undefined;
  const m = /^v?(\d+\.\d+(?:\.\d+)?)/.exec(name.slice(colon + 1));
  return m === null ? undefined : m[1];
}

/** The CNI of the cluster, or undefined when none of the known agent DaemonSets exists. */
export async function detectCni(conn: Connection): Promise<DetectedCni | undefined> {
  for (const [cni, namespace, name] of CNI_DAEMONSETS) {
    const ds = await unlessNotFound(() =>
      conn.call({ verb: 'read', what: `DaemonSet ${namespace}/${name}` }, () =>
        conn.apps.readNamespacedDaemonSet({ name, namespace }, conn.options()),
      ),
    );
    if (ds === undefined) continue;
    const containers = ds.spec?.template.spec?.containers ?? [];
    const agent =
      containers.find((c) => c.name === name || c.name === `${name}-agent` || c.name === 'cilium-agent') ??
      containers[0];
    const image = agent?.image ?? '';
    const found: DetectedCni = {
      cni,
      version: imageVersion(image),
      daemonSet: `${namespace}/${name}`,
      image,
      options: [],
      warnings: [],
    };
    if (cni === 'cilium') await readCiliumConfig(conn, namespace, found);
    return found;
  }
  return undefined;
}

/** The policy settings of `cilium-config` (only that ConfigMap, by name), into `found.options`. */
async function readCiliumConfig(conn: Connection, namespace: string, found: DetectedCni): Promise<void> {
  try {
    const cm = await unlessNotFound(() =>
      conn.call({ verb: 'read', what: `ConfigMap ${namespace}/cilium-config` }, () =>
        conn.core.readNamespacedConfigMap({ name: 'cilium-config', namespace }, conn.options()),
      ),
    );
    if (cm === undefined) {
      found.warnings.push(`ConfigMap ${namespace}/cilium-config not found: Cilium's defaults assumed`);
      return;
    }
    const data = cm.data ?? {};
    for (const key of CILIUM_POLICY_KEYS) {
      const value = data[key];
      if (value !== undefined) found.options.push(`${key}=${value.trim()}`);
    }
  } catch (error) {
    if (!(error instanceof ClusterError) || error.status !== 403) throw error;
    found.warnings.push(
      `cannot read ConfigMap ${namespace}/cilium-config (${error.detail}): Cilium's defaults assumed (grant get on it: deploy/rbac/netfence-readonly.yaml)`,
    );
  }
}
