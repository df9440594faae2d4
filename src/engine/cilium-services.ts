/**
 * Cilium's `toServices` (issue #17): which Services a peer selects and what each stands for, as Cilium's
 * agent resolves them before the policy is enforced (`pkg/policy/k8s/service.go` of Cilium v1.20.2,
 * `processRule`; docs/cilium.md has the semantics):
 *
 * - `k8sService` selects the Service of that name (`serviceRefMatches`), `k8sServiceSelector` the Services
 *   whose own labels its selector matches (`serviceSelectorMatches`; the label source prefix is ignored); both
 *   in the given namespace, or in every namespace without one.
 * - A selected Service with a selector becomes a `toEndpoints` selector: its selector and its namespace (the
 *   pods it selects). One without a selector becomes `toCIDRSet` entries, one per backend address (from its
 *   EndpointSlices, or an Endpoints object that Kubernetes mirrors into one).
 * - Only `egress` rules are resolved: `egressDeny` rules keep their `toServices` unresolved.
 *
 * Services labelled `service.kubernetes.io/service-proxy-name` belong to another service proxy: Cilium (as
 * kube-proxy) does not watch them (`serviceListLabelSelector` in `pkg/k8s/utils/utils.go`), so no
 * `toServices` selects them.
 *
 * Pure: no I/O.
 */
import type { CiliumPeerInfo } from '../model/cilium.ts';
import type { ClusterState, ServiceEndpointsInfo, ServiceInfo } from '../model/cluster.ts';
import type { LabelSelector } from '../model/k8s.ts';
import { compileSelector, selectorMatches } from './selectors.ts';

/** A `toServices` peer. */
export type CiliumServicePeer = Extract<CiliumPeerInfo, { kind: 'service' | 'serviceSelector' }>;

/** The label of a Service that another service proxy handles (Cilium then ignores the Service). */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
/** The label of an Endpoints object that Kubernetes does not mirror into an EndpointSlice. */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

/** A selector key without its label source (`k8s:app`, `any:app`, `app`: `app`): Cilium ignores the source on Services. */
function withoutSource(selector: LabelSelector): LabelSelector {
  const strip = (key: string): string => key.slice(key.indexOf(':') + 1);
  const out: LabelSelector = {};
  if (selector.matchLabels !== undefined)
    out.matchLabels = Object.fromEntries(Object.entries(selector.matchLabels).map(([k, v]) => [strip(k), v]));
  if (selector.matchExpressions !== undefined)
    out.matchExpressions = selector.matchExpressions.map((e) => ({ ...e, key: strip(e.key) }));
  return out;
}

/** The Services a `toServices` peer selects, in the state's order. */
export function ciliumSelectedServices(state: ClusterState, peer: CiliumServicePeer): ServiceInfo[] {
  const selector =
    peer.kind === 'serviceSelector' ? compileSelector(withoutSource(peer.selector)) : undefined;
  return state.services.filter((svc) => {
    if (svc.labels[SERVICE_PROXY_NAME_LABEL] !== undefined) return false;
    if (peer.namespace !== undefined && svc.namespace !== peer.namespace) return false;
    if (peer.kind === 'service') return svc.name === peer.name;
    return selectorMatches(selector!, svc.labels);
  });
}

/** A Service's selector when it has one (an empty selector is none: `len(Selector) == 0`). */
export function serviceSelector(svc: ServiceInfo): Readonly<Record<string, string>> | undefined {
  const selector = svc.spec.selector;
  return selector === undefined || Object.keys(selector).length === 0 ? undefined : selector;
}

/**
 * Whether an EndpointSlice or Endpoints object gives backends to `svc`: a slice labelled with its name; an
 * Endpoints object of its name that Kubernetes mirrors into a slice (the Service has no selector, or an empty
 * one, which the API server stores as none; the object is not labelled `endpointslice.kubernetes.io/skip-mirror: "true"`).
 */
function backsService(e: ServiceEndpointsInfo, svc: ServiceInfo): boolean {
  if (e.namespace !== svc.namespace || e.service !== svc.name) return false;
  if (e.kind === 'EndpointSlice') return true;
  return serviceSelector(svc) === undefined && e.labels[SKIP_MIRROR_LABEL] !== 'true';
}

/** The backend addresses of a Service without a selector, each once, in input order. */
export function ciliumServiceBackends(state: ClusterState, svc: ServiceInfo): string[] {
  const out = new Set<string>();
  for (const e of state.serviceEndpoints ?? []) {
    if (backsService(e, svc)) for (const a of e.addresses) out.add(a);
  }
  return [...out];
}

/**
 * What one Service stands for in a `toServices` peer: the pods of its selector (`selector`, in its namespace),
 * or its backend addresses.
 */
export type CiliumServiceTarget =
  | { service: ServiceInfo; selector: Readonly<Record<string, string>>; backends?: undefined }
  | { service: ServiceInfo; selector?: undefined; backends: readonly string[] };

export function ciliumServiceTargets(state: ClusterState, peer: CiliumServicePeer): CiliumServiceTarget[] {
  return ciliumSelectedServices(state, peer).map((service) => {
    const selector = serviceSelector(service);
    return selector !== undefined
      ? { service, selector }
      : { service, backends: ciliumServiceBackends(state, service) };
  });
}

/**
 * Whether the targets give the rule a peer: a Service with a selector always does (a `toEndpoints`
 * selector, even when it selects no pod), one without only with backends (each is a `toCIDRSet` entry). A
 * `toServices` rule without any is left with no peer at all, which Cilium reads as every peer when the rule
 * has `toPorts` (`pkg/policy/l4.go`: "an empty L3 selects all"), and as nothing without.
 */
export function ciliumServicesResolve(targets: readonly CiliumServiceTarget[]): boolean {
  return targets.some((t) => t.selector !== undefined || t.backends.length > 0);
}
