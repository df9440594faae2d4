/**
 * `src/engine/cilium-services.ts` after the folder run of issue #20 (round 10): which EndpointSlices and
 * Endpoints objects give a Service its backends, and backends listed in descending order (docs/mutation/engine.md,
 * "`src/engine` slice A").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceEndpointsInfo, ServiceInfo } from '../../src/model/cluster.ts';
import { ciliumServiceBackends } from '../../src/engine/cilium-services.ts';
import { compileCluster } from '../../src/engine/compile.ts';
import { explainEntities } from '../../src/engine/explain.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { explanationToText } from '../../src/format/explain.ts';
import { cnpCilium } from '../support/builders.ts';
import { conformanceCluster, expectVerdicts } from '../support/verdicts.ts';

const legacy: ServiceInfo = {
  id: 'prod/legacy',
  namespace: 'prod',
  name: 'legacy',
  labels: {},
  spec: { ports: [{ port: 5000 }] },
};

function endpoints(
  kind: ServiceEndpointsInfo['kind'],
  name: string,
  addresses: string[],
  labels: Record<string, string>,
): ServiceEndpointsInfo {
  return {
    id: `prod/${kind}/${name}`,
    kind,
    namespace: 'prod',
    name,
    service: kind === 'Endpoints' ? name : labels['kubernetes.io/service-name'],
    labels,
    addresses,
  };
}

describe('ciliumServiceBackends', () => {
  test('an EndpointSlice of the Service counts even when labelled skip-mirror (the label is read on Endpoints objects only)', () => {
    const s = conformanceCluster({});
    const skip = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
    s.serviceEndpoints = [
      endpoints('EndpointSlice', 'legacy-abc', ['198.51.100.7'], {
        'kubernetes.io/service-name': 'legacy',
        ...skip,
      }),
      endpoints('Endpoints', 'legacy', ['198.51.100.8'], skip),
    ];
    assert.deepEqual(ciliumServiceBackends(s, legacy), ['198.51.100.7']);
  });
});

describe('a toServices peer of a Service without a selector', () => {
  test('matches each backend, whatever their order in the EndpointSlice', () => {
    const s = conformanceCluster({
      ciliumPolicies: [
        cnpCilium('dev', 'legacy', {
          endpointSelector: { matchLabels: { app: 'client' } },
          egress: [{ toServices: [{ k8sService: { serviceName: 'legacy', namespace: 'prod' } }] }],
        }),
      ],
    });
    s.services.push(legacy);
    const backends = ['203.0.113.50', '203.0.113.40', '203.0.113.30', '203.0.113.20', '203.0.113.10'];
    s.serviceEndpoints = [
      endpoints('EndpointSlice', 'legacy-abc', backends, { 'kubernetes.io/service-name': 'legacy' }),
    ];
    expectVerdicts(s, {
      ...Object.fromEntries(backends.map((a) => [`dev/client -> ${a} TCP/5000`, 'allow'])),
      'dev/client -> 203.0.113.60 TCP/5000': 'deny',
    });
    // `explain` finds the rule's peer among the backends' address classes (a sorted list, searched).
    const index = buildRefIndex(compileCluster(s), 'pod');
    const firstLine = (to: string): string => {
      const src = resolveRefText(index, 'dev/client');
      const dst = resolveRefText(index, to);
      assert.ok(src.ok && dst.ok);
      const ids = [src.value.entities[0]!.id, dst.value.entities[0]!.id] as const;
      return explainEntities(index, ...ids, undefined)
        .map(explanationToText)[0]!
        .split('\n')[0]!;
    };
    assert.deepEqual(
      backends.map(firstLine),
      backends.map((a) => `dev/client → ${a}/32: ALLOWED on all ports`),
    );
  });
});
