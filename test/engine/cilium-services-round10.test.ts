/**
 * `src/engine/cilium-services.ts` after the folder run of issue #20 (round 10): which EndpointSlices and
 * Endpoints objects give a Service its backends (docs/testing.md, "`src/engine` slice A").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceEndpointsInfo, ServiceInfo } from '../../src/model/cluster.ts';
import { ciliumServiceBackends } from '../../src/engine/cilium-services.ts';
import { conformanceCluster } from '../support/verdicts.ts';

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
