/**
 * Small Cilium rule sets (endpoints and chosen entities only) for property tests (test/engine/cilium-counts.test.ts, own-node-property.test.ts):
 * peers over endpoint selectors and the given entities, optional ports, allow and deny rules.
 */
import fc from 'fast-check';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import { selectorArb } from './arbitraries.ts';
import { ccnp, cnpCilium } from './builders.ts';

const endpointSelectorArb = selectorArb({ app: ['x', 'y', ''], team: ['x', 'y'] });

/** 0–2 rules whose peers are endpoints or entities of `entities`, each with one of `ports` (TCP) or none. */
function rulesArb(
  direction: 'from' | 'to',
  entities: readonly string[],
  ports: readonly string[],
): fc.Arbitrary<Record<string, unknown>[]> {
  const peerArb = fc.oneof(
    fc
      .array(endpointSelectorArb, { minLength: 1, maxLength: 2 })
      .map((v) => ({ [`${direction}Endpoints`]: v })),
    fc.subarray([...entities], { minLength: 1, maxLength: 2 }).map((v) => ({ [`${direction}Entities`]: v })),
  );
  return fc.array(
    fc
      .tuple(peerArb, fc.option(fc.constantFrom(...ports), { nil: undefined }))
      .map(([peer, port]): Record<string, unknown> => ({
        ...peer,
        ...(port === undefined ? {} : { toPorts: [{ ports: [{ port, protocol: 'TCP' }] }] }),
      })),
    { maxLength: 2 },
  );
}

/** A rule set selecting pods by label, with allow and deny rules both ways, sometimes `enableDefaultDeny`. */
export function ciliumRuleSetArb(
  entities: readonly string[],
  ports: readonly string[] = ['80', '443', '53'],
): fc.Arbitrary<CiliumRule> {
  return fc
    .tuple(
      endpointSelectorArb,
      rulesArb('from', entities, ports),
      rulesArb('from', entities, ports),
      rulesArb('to', entities, ports),
      rulesArb('to', entities, ports),
      fc.option(fc.record({ ingress: fc.boolean(), egress: fc.boolean() }), { nil: undefined, freq: 3 }),
    )
    .map(([endpointSelector, ingress, ingressDeny, egress, egressDeny, enableDefaultDeny]) => ({
      endpointSelector,
      ...(ingress.length === 0 ? {} : { ingress }),
      ...(ingressDeny.length === 0 ? {} : { ingressDeny }),
      ...(egress.length === 0 ? {} : { egress }),
      ...(egressDeny.length === 0 ? {} : { egressDeny }),
      ...(enableDefaultDeny === undefined ? {} : { enableDefaultDeny }),
    }));
}

/** A CiliumNetworkPolicy in `namespace`, or a CiliumClusterwideNetworkPolicy without one. */
export function ciliumPolicy(
  namespace: string | undefined,
  name: string,
  spec: CiliumRule,
): CiliumPolicyInfo {
  return namespace === undefined ? ccnp(name, spec) : cnpCilium(namespace, name, spec);
}

/** 0–2 Cilium policies (namespaced in `namespaces`, or clusterwide) of `ciliumRuleSetArb(entities, ports)`. */
export function ciliumPoliciesArb(
  namespaces: readonly string[],
  entities: readonly string[],
  ports?: readonly string[],
): fc.Arbitrary<CiliumPolicyInfo[]> {
  return fc
    .array(
      fc.tuple(
        fc.option(fc.constantFrom(...namespaces), { nil: undefined }),
        ciliumRuleSetArb(entities, ports),
      ),
      { maxLength: 2 },
    )
    .map((list) => list.map(([namespace, spec], i) => ciliumPolicy(namespace, `base${i}`, spec)));
}
