/**
 * Random Cilium policies for property tests: CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies with
 * allow and deny rules, `enableDefaultDeny` overrides, endpoint selectors on identity labels, entities, CIDR
 * sets with excepts, node selectors, named ports, ANY and ICMP, L7 rules (http, kafka, dns, `l7proto`, TLS server names), `toFQDNs` names and patterns, DNS proxy rules, `toServices` (with the Services and an EndpointSlice), over the small clusters of
 * `tieredClusterInputArb` (namespaces `a`, `b`, `c`).
 */
import fc from 'fast-check';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type {
  CiliumEgressRule,
  CiliumFQDNSelector,
  CiliumL7Rules,
  CiliumRule,
} from '../../src/model/cilium-wire.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';
import { CIDRS, selectorArb, tieredClusterInputArb } from './arbitraries.ts';
import { ccnp, cluster, cnpCilium } from './builders.ts';

const POD_VOCABULARY = { app: ['x', 'y', ''], team: ['x', 'y'] };
export const NAMESPACES = ['a', 'b', 'c'];
const ENTITIES = [
  'world',
  'world-ipv4',
  'world-ipv6',
  'cluster',
  'cluster-mesh',
  'host',
  'remote-node',
  'all',
  'kube-apiserver',
  'health',
  'unmanaged',
];
export const CIDR_LIST = Object.keys(CIDRS);

/**
 * `toServices` entries: by name (with a selector, without one but with backends, without either, missing) and
 * by the Services' labels (`withServices` adds the Services and the EndpointSlice).
 */
const SERVICE_PEERS = [
  { k8sService: { serviceName: 'x-svc', namespace: 'a' } },
  { k8sService: { serviceName: 'x-svc' } },
  { k8sService: { serviceName: 'outside', namespace: 'b' } },
  { k8sService: { serviceName: 'empty', namespace: 'b' } },
  { k8sService: { serviceName: 'missing' } },
  { k8sServiceSelector: { selector: { matchLabels: { tier: 'data' } } } },
  { k8sServiceSelector: { selector: { matchLabels: { tier: 'data' } }, namespace: 'c' } },
];

/** The Services of SERVICE_PEERS, and the EndpointSlice of b/outside (an outside address, a CIDR edge, IPv6). */
function withServices(state: ClusterState): ClusterState {
  const svc = (
    namespace: string,
    name: string,
    labels: Record<string, string>,
    selector?: Record<string, string>,
  ) => ({
    id: `${namespace}/${name}`,
    namespace,
    name,
    labels,
    spec: { ...(selector === undefined ? {} : { selector }), ports: [{ port: 80 }] },
  });
  state.services.push(
    svc('a', 'x-svc', { tier: 'front' }, { app: 'x' }),
    svc('b', 'outside', { tier: 'data' }),
    svc('b', 'empty', {}),
    svc('c', 'y-svc', { tier: 'data' }, { team: 'y' }),
  );
  state.serviceEndpoints = [
    {
      id: 'b/EndpointSlice/outside-1',
      kind: 'EndpointSlice',
      namespace: 'b',
      name: 'outside-1',
      service: 'outside',
      labels: { 'kubernetes.io/service-name': 'outside' },
      addresses: ['10.0.1.5', '192.0.2.7', 'fd00::5'],
    },
  ];
  return state;
}

/** Endpoint selectors: pod labels, sometimes with the namespace key, a namespace label, or a `k8s:` source. */
const endpointSelectorArb: fc.Arbitrary<LabelSelector> = fc
  .tuple(
    selectorArb(POD_VOCABULARY),
    fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
    fc.option(fc.constantFrom('x', 'y'), { nil: undefined, freq: 4 }),
    fc.boolean(),
  )
  .map(([sel, namespace, team, prefixed]) => {
    const extra: Record<string, string> = {};
    if (namespace !== undefined) extra[`${prefixed ? 'k8s:' : ''}io.kubernetes.pod.namespace`] = namespace;
    if (team !== undefined) extra['io.cilium.k8s.namespace.labels.team'] = team;
    if (Object.keys(extra).length === 0) return sel;
    return { ...sel, matchLabels: { ...sel.matchLabels, ...extra } };
  });

const cidrSetArb = fc
  .constantFrom(...CIDR_LIST)
  .chain((cidr) =>
    fc
      .subarray([...CIDRS[cidr]!], { maxLength: Math.min(2, CIDRS[cidr]!.length) })
      .map((except) => (except.length === 0 ? { cidr } : { cidr, except })),
  );

const portArb = fc.oneof(
  fc.record(
    {
      port: fc.constantFrom('53', '80', '443', '5000', '8080', '0', 'http', 'dns', 'metrics'),
      protocol: fc.constantFrom('TCP', 'UDP', 'SCTP', 'ANY', 'ICMP'),
    },
    { requiredKeys: ['port'], noNullPrototype: true },
  ),
  fc.constant({ port: '5000', endPort: 5010, protocol: 'TCP' }),
);

/** DNS names and patterns (`toFQDNs`, `rules.dns`), and the names probed. */
const FQDN_SELECTORS: CiliumFQDNSelector[] = [
  { matchName: 'example.com' },
  { matchName: 'api.example.com' },
  { matchPattern: '*.example.com' },
  { matchPattern: '**.example.com' },
  { matchPattern: 'api.*.com' },
  { matchPattern: '*' },
];
export const NAMES = ['example.com', 'api.example.com', 'a.b.example.com', 'api.test.com', 'other.org'];
const fqdnArb = fc.constantFrom(...FQDN_SELECTORS);

/**
 * An entry's L7 part: none, http, kafka, dns (with names: what Cilium's DNS proxy lets `toFQDNs` learn on
 * port 53), an empty http list (no L7 rule: Cilium's `L7Rules.IsEmpty`), or a generic `l7proto`.
 */
const l7Arb: fc.Arbitrary<CiliumL7Rules | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant<CiliumL7Rules>({ http: [{ method: 'GET' }] }) },
  { weight: 1, arbitrary: fc.constant<CiliumL7Rules>({ kafka: [{ topic: 'orders' }] }) },
  { weight: 2, arbitrary: fc.array(fqdnArb, { minLength: 1, maxLength: 2 }).map((dns) => ({ dns })) },
  { weight: 1, arbitrary: fc.constant<CiliumL7Rules>({ http: [] }) },
  { weight: 1, arbitrary: fc.constant<CiliumL7Rules>({ l7proto: 'r2d2', l7: [{ cmd: 'READ' }] }) },
);

function toPortsArb(allow: boolean) {
  return fc.array(
    fc
      .tuple(
        fc.array(portArb, { maxLength: 2 }),
        allow ? l7Arb : fc.constant(undefined),
        // TLS SNI checked by the proxy: L7 too, without `rules`.
        allow
          ? fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, fc.constant(true))
          : fc.constant(false),
      )
      .map(([ports, rules, sni]) => ({
        ...(ports.length === 0 ? {} : { ports }),
        ...(rules === undefined ? {} : { rules }),
        ...(sni ? { serverNames: ['api.example.com'] } : {}),
      })),
    { minLength: 1, maxLength: 2 },
  );
}

/** An egress allow rule sending DNS lookups on port 53 to the proxy, with names. */
const dnsRuleArb: fc.Arbitrary<CiliumEgressRule> = fc
  .tuple(
    fc.constantFrom<CiliumEgressRule>(
      {},
      { toEntities: ['cluster'] },
      { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'a' } }] },
    ),
    fc.constantFrom('UDP', 'TCP', 'ANY'),
    fc.array(fqdnArb, { minLength: 1, maxLength: 2 }),
  )
  .map(([peer, protocol, dns]) => ({
    ...peer,
    toPorts: [{ ports: [{ port: '53', protocol }], rules: { dns } }],
  }));

/** One rule: 0–2 peer fields (none: L4-only, or `{}`), optional `toPorts`, sometimes `icmps`. */
function ruleArb(direction: 'from' | 'to', allow: boolean) {
  const field = (name: string) => `${direction}${name}`;
  const peerArb = fc.oneof(
    fc.array(endpointSelectorArb, { minLength: 1, maxLength: 2 }).map((v) => ({ [field('Endpoints')]: v })),
    fc
      .array(fc.constantFrom(...ENTITIES), { minLength: 1, maxLength: 2 })
      .map((v) => ({ [field('Entities')]: v })),
    fc.array(cidrSetArb, { minLength: 1, maxLength: 2 }).map((v) => ({ [field('CIDRSet')]: v })),
    fc.constantFrom(...CIDR_LIST).map((c) => ({ [field('CIDR')]: [c] })),
    selectorArb({ role: ['worker', 'control'] }).map((s) => ({ [field('Nodes')]: [s] })),
    ...(direction === 'to' && allow
      ? [fc.array(fqdnArb, { minLength: 1, maxLength: 2 }).map((toFQDNs) => ({ toFQDNs }))]
      : []),
    ...(direction === 'to' ? [fc.constantFrom(...SERVICE_PEERS).map((s) => ({ toServices: [s] }))] : []),
    // An empty selector list selects nothing, even with ports.
    fc.constantFrom('Endpoints', 'Entities', 'CIDR').map((f) => ({ [field(f)]: [] })),
  );
  return fc
    .tuple(
      fc.array(peerArb, { maxLength: 2 }),
      fc.option(
        fc.oneof(
          { weight: 6, arbitrary: toPortsArb(allow) },
          {
            weight: 1,
            arbitrary: fc
              .constant(null)
              .map((): ReturnType<typeof toPortsArb> extends fc.Arbitrary<infer T> ? T : never => []),
          },
        ),
        {
          nil: undefined,
        },
      ),
      fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    )
    .map(([peers, toPorts, icmp]) => ({
      // toServices stands alone in a rule (the agent rejects it beside another peer field).
      ...(Object.assign(
        {},
        ...peers.filter((p) => 'toServices' in p || !peers.some((q) => 'toServices' in q)),
      ) as Record<string, unknown>),
      ...(toPorts === undefined ? {} : { toPorts }),
      ...(icmp ? { icmps: [{ fields: [{ type: 8 }] }] } : {}),
    }));
}

export const ruleSetArb: fc.Arbitrary<CiliumRule> = fc
  .tuple(
    endpointSelectorArb,
    fc.array(ruleArb('from', true), { maxLength: 2 }),
    fc.array(ruleArb('from', false), { maxLength: 2 }),
    fc.array(fc.oneof({ weight: 4, arbitrary: ruleArb('to', true) }, { weight: 1, arbitrary: dnsRuleArb }), {
      maxLength: 2,
    }),
    fc.array(ruleArb('to', false), { maxLength: 2 }),
    fc.option(
      fc.record({ ingress: fc.boolean(), egress: fc.boolean() }, { requiredKeys: [], noNullPrototype: true }),
      { nil: undefined, freq: 3 },
    ),
  )
  .map(([endpointSelector, ingress, ingressDeny, egress, egressDeny, enableDefaultDeny]) => ({
    endpointSelector,
    ...(ingress.length === 0 ? {} : { ingress }),
    ...(ingressDeny.length === 0 ? {} : { ingressDeny }),
    ...(egress.length === 0 ? {} : { egress }),
    ...(egressDeny.length === 0 ? {} : { egressDeny }),
    ...(enableDefaultDeny === undefined ? {} : { enableDefaultDeny }),
  }));

export const ciliumPoliciesArb: fc.Arbitrary<CiliumPolicyInfo[]> = fc
  .array(fc.tuple(fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }), ruleSetArb), {
    minLength: 1,
    maxLength: 3,
  })
  .map((list) =>
    list.map(([namespace, spec], i) =>
      namespace === undefined ? ccnp(`ccnp${i}`, spec) : cnpCilium(namespace, `cnp${i}`, spec),
    ),
  );

export const ciliumClusterArb: fc.Arbitrary<ClusterState> = fc
  .tuple(tieredClusterInputArb, ciliumPoliciesArb, fc.boolean())
  .map(([input, ciliumPolicies, tiers]) =>
    withServices(
      cluster({ ...input, clusterPolicies: tiers ? (input.clusterPolicies ?? []) : [], ciliumPolicies }),
    ),
  );
