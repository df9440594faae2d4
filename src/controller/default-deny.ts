/**
 * The default-deny policy netfence keeps in every namespace, and what to do about each namespace: create it,
 * repair it (someone edited it), remove it (the namespace is now excluded), or nothing. Pure: the namespaces
 * and NetworkPolicies the controller holds come in, actions come out. Only policies carrying the managed-by
 * label are ever planned for writing: one of the same name without it belongs to someone else and is
 * reported, never touched.
 */
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../k8s/types.ts';
import type { KubeObject } from '../k8s/types.ts';
import { NAMESPACE_NAME_LABEL } from '../model/cluster.ts';
import type { NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicySpec } from '../model/k8s.ts';
import { canonical } from './json.ts';
import { DenyDirections, exclusions, type ControllerSettings, type DefaultDenySettings } from './config.ts';

/** The value of `app.kubernetes.io/managed-by` on what the controller writes (`netfence apply` uses the same). */
export const OWNED_LABELS: Readonly<Record<string, string>> = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
/** Which part of netfence wrote it: the controller, not `netfence apply`. */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const COMPONENT_VALUE = 'default-deny';

export function isOwned(o: { metadata: { labels?: Record<string, string> } }): boolean {
  return o.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

function dnsEgress(dns: NonNullable<DefaultDenySettings['dns']>): NetworkPolicyEgressRule {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dns.namespace } },
        podSelector: { matchLabels: { ...dns.podLabels } },
      },
    ],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
}

/**
 * The spec of the default-deny policy, written out as the API server stores it (protocols and policyTypes
 * explicit), so that the stored object compares equal to it.
 */
export function defaultDenySpec(settings: DefaultDenySettings): NetworkPolicySpec | undefined {
  const { directions } = settings;
  if (directions === DenyDirections.Off) return undefined;
  const ingress = directions === DenyDirections.Ingress || directions === DenyDirections.Both;
  const egress = directions === DenyDirections.Egress || directions === DenyDirections.Both;
  const spec: NetworkPolicySpec = { podSelector: {} };
  if (egress && settings.dns !== undefined) spec.egress = [dnsEgress(settings.dns)];
  spec.policyTypes = [...(ingress ? ['Ingress'] : []), ...(egress ? ['Egress'] : [])];
  return spec;
}

export function defaultDenyPolicy(
  namespace: string,
  settings: DefaultDenySettings,
): NetworkPolicy | undefined {
  const spec = defaultDenySpec(settings);
  if (spec === undefined) return undefined;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: settings.name,
      namespace,
      labels: { ...OWNED_LABELS, [COMPONENT_LABEL]: COMPONENT_VALUE },
    },
    spec,
  };
}

/** Whether the live policy is the desired one: same spec, and the labels the controller sets. */
export function isUpToDate(live: NetworkPolicy, desired: NetworkPolicy): boolean {
  const labels = live.metadata.labels ?? {};
  for (const [k, v] of Object.entries(desired.metadata.labels ?? {})) if (labels[k] !== v) return false;
  return canonical(live.spec) === canonical(desired.spec);
}

export type Action =
  | { kind: 'create'; namespace: string; policy: NetworkPolicy }
  | { kind: 'repair'; namespace: string; policy: NetworkPolicy }
  | { kind: 'remove'; namespace: string; name: string; why: string }
  /** A policy of that name exists without the managed-by label: someone else's, left alone. */
  | { kind: 'not-owned'; namespace: string; name: string };

/** What to do in each namespace. With `directions: off`, every policy the controller owns is removed. */
export function planDefaultDeny(objects: readonly KubeObject[], settings: ControllerSettings): Action[] {
  const excluded = exclusions(settings);
  const name = settings.defaultDeny.name;
  const policies = new Map<string, NetworkPolicy>();
  const ownedElsewhere: NetworkPolicy[] = [];
  for (const o of objects) {
    if (o.kind !== 'NetworkPolicy' || o.metadata.namespace === undefined) continue;
    if (o.metadata.name === name) policies.set(o.metadata.namespace, o);
    else if (isOwned(o) && o.metadata.labels?.[COMPONENT_LABEL] === COMPONENT_VALUE) ownedElsewhere.push(o);
  }
  const actions: Action[] = [];
  for (const o of objects) {
    if (o.kind !== 'Namespace' || o.metadata.name === undefined) continue;
    const namespace = o.metadata.name;
    const live = policies.get(namespace);
    const why = excluded.why(namespace, o.metadata.labels ?? {});
    const desired = why === undefined ? defaultDenyPolicy(namespace, settings.defaultDeny) : undefined;
    if (desired === undefined) {
      if (live !== undefined && isOwned(live))
        actions.push({ kind: 'remove', namespace, name, why: why ?? 'the default deny is off' });
    } else if (live === undefined) actions.push({ kind: 'create', namespace, policy: desired });
    else if (!isOwned(live)) actions.push({ kind: 'not-owned', namespace, name });
    else if (!isUpToDate(live, desired)) actions.push({ kind: 'repair', namespace, policy: desired });
  }
  // A default deny of an earlier name (the setting changed): the controller's own, no longer wanted.
  for (const o of ownedElsewhere)
    actions.push({
      kind: 'remove',
      namespace: o.metadata.namespace!,
      name: o.metadata.name!,
      why: `the default deny is now named "${name}"`,
    });
  return actions;
}
