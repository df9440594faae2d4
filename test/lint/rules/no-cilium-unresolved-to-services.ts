import type { CiliumEgressRule } from '../../../src/model/cilium-wire.ts';
import type { ClusterState, ServiceInfo } from '../../../src/model/cluster.ts';
import rule from '../../../src/lint/rules/no-cilium-unresolved-to-services.ts';
import { cnpCilium } from '../../support/builders.ts';
import { stateRuleTester } from '../helpers.ts';
import { https, shopCluster, web } from '../cilium-fixtures.ts';

function service(name: string, selector?: Record<string, string>): ServiceInfo {
  return {
    id: `data/${name}`,
    namespace: 'data',
    name,
    labels: { tier: 'data' },
    spec: { ...(selector === undefined ? {} : { selector }), ports: [{ port: 443 }] },
  };
}

/** shop/web with one egress (or egressDeny) rule; data/db-svc (selects app=db), data/payments (no selector). */
function webEgress(r: CiliumEgressRule, deny = false, backends: string[] = []): ClusterState {
  const s = shopCluster([
    cnpCilium('shop', 'web', {
      endpointSelector: web,
      ...(deny ? { egressDeny: [r], enableDefaultDeny: { egress: false } } : { egress: [r] }),
    }),
  ]);
  s.services.push(service('db-svc', { app: 'db' }), service('payments'));
  if (backends.length > 0)
    s.serviceEndpoints = [
      {
        id: 'data/EndpointSlice/payments-1',
        kind: 'EndpointSlice',
        namespace: 'data',
        name: 'payments-1',
        service: 'payments',
        labels: { 'kubernetes.io/service-name': 'payments' },
        addresses: backends,
      },
    ];
  return s;
}

const toService = (serviceName: string) => ({ k8sService: { serviceName, namespace: 'data' } });

stateRuleTester(rule, {
  valid: [
    {
      name: 'a Service with a selector',
      state: webEgress({ toServices: [toService('db-svc')], toPorts: https }),
    },
    {
      name: 'a Service without a selector, with backends',
      state: webEgress({ toServices: [toService('payments')], toPorts: https }, false, ['203.0.113.10']),
    },
    {
      name: 'Services by label, one of them with a selector',
      state: webEgress({
        toServices: [{ k8sServiceSelector: { selector: { matchLabels: { tier: 'data' } } } }],
      }),
    },
    {
      // Other peers are not Services: nothing to resolve.
      name: 'a rule with toEndpoints only',
      state: webEgress({ toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: https }),
    },
  ],
  invalid: [
    {
      name: 'Services by a label no Service has',
      state: webEgress({
        toServices: [{ k8sServiceSelector: { selector: { matchLabels: { tier: 'none' } } } }],
      }),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0].toServices'],
      messages: [
        [
          'toServices of spec.egress[0] selects no Service of the input with a selector or backends (none selected): the rule allows nothing; name an existing Service, or give the Service EndpointSlices',
        ],
      ],
    },
    {
      name: 'toServices in egressDeny without toPorts',
      state: webEgress({ toServices: [toService('payments')] }, true),
      findings: ['shop/CiliumNetworkPolicy/web spec.egressDeny[0].toServices'],
      messages: [
        [
          'toServices in spec.egressDeny[0] is never resolved (Cilium resolves toServices in egress rules only): the rule denies nothing; use toEndpoints or toCIDRSet in egressDeny',
        ],
      ],
    },
    {
      name: 'no Service of that name, with toPorts: every destination',
      state: webEgress({ toServices: [toService('missing')], toPorts: https }),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0].toServices'],
      messages: [['spec.egress[0]', 'none selected', 'allows its toPorts to all of them']],
    },
    {
      name: 'a Service without a selector nor backends, without toPorts: nothing',
      state: webEgress({ toServices: [toService('payments')] }),
      findings: ['shop/CiliumNetworkPolicy/web spec.egress[0].toServices'],
      messages: [['data/payments without a selector nor backends', 'the rule allows nothing']],
    },
    {
      name: 'toServices in egressDeny, resolvable or not',
      state: webEgress({ toServices: [toService('db-svc')], toPorts: https }, true),
      findings: ['shop/CiliumNetworkPolicy/web spec.egressDeny[0].toServices'],
      messages: [['spec.egressDeny[0]', 'egress rules only', 'denies its toPorts to all of them']],
    },
  ],
});
