/**
 * The Services a Cilium `toServices` peer stands for (`src/engine/cilium-services.ts`), function by function,
 * for what mutation testing (issue #20) found unpinned: a label source on a service selector's keys, an
 * empty Service selector, and which EndpointSlices and Endpoints objects back a Service.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ciliumSelectedServices,
  ciliumServiceBackends,
  serviceSelector,
} from '../../src/engine/cilium-services.ts';
import { emptyCluster, type ServiceEndpointsInfo, type ServiceInfo } from '../../src/model/cluster.ts';

function service(
  namespace: string,
  name: string,
  selector?: Record<string, string>,
  labels = {},
): ServiceInfo {
  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    labels,
    spec: { ...(selector === undefined ? {} : { selector }), ports: [{ port: 80 }] },
  };
}

function endpoints(
  kind: ServiceEndpointsInfo['kind'],
  namespace: string,
  svc: string,
  addresses: string[],
): ServiceEndpointsInfo {
  return {
    id: `${namespace}/${kind}/${svc}-${addresses.join('-')}`,
    kind,
    namespace,
    name: svc,
    service: svc,
    labels: kind === 'EndpointSlice' ? { 'kubernetes.io/service-name': svc } : {},
    addresses,
  };
}

describe('toServices', () => {
  test('a service selector’s keys with a label source (k8s:, any:) select by the bare key', () => {
    const state = {
      ...emptyCluster(),
      services: [
        service('a', 'api', undefined, { app: 'api' }),
        service('a', 'web', undefined, { app: 'web' }),
      ],
    };
    for (const key of ['k8s:app', 'any:app', 'app']) {
      const selected = ciliumSelectedServices(state, {
        kind: 'serviceSelector',
        selector: { matchLabels: { [key]: 'api' } },
        namespace: 'a',
      });
      assert.deepEqual(
        selected.map((s) => s.id),
        ['a/api'],
        key,
      );
    }
  });

  test('an empty Service selector is no selector', () => {
    assert.equal(serviceSelector(service('a', 'x', {})), undefined);
    assert.equal(serviceSelector(service('a', 'x')), undefined);
    assert.deepEqual(serviceSelector(service('a', 'x', { app: 'x' })), { app: 'x' });
  });

  test('backends: slices and mirrored Endpoints of the Service’s own namespace and name', () => {
    const svc = service('a', 'ext');
    const state = {
      ...emptyCluster(),
      services: [svc],
      serviceEndpoints: [
        endpoints('EndpointSlice', 'a', 'ext', ['192.0.2.1']),
        endpoints('Endpoints', 'a', 'ext', ['192.0.2.2']),
        endpoints('EndpointSlice', 'b', 'ext', ['192.0.2.3']),
        endpoints('Endpoints', 'b', 'ext', ['192.0.2.4']),
        endpoints('EndpointSlice', 'a', 'other', ['192.0.2.5']),
      ],
    };
    assert.deepEqual(ciliumServiceBackends(state, svc), ['192.0.2.1', '192.0.2.2']);
  });

  test('a Service with an empty selector (no selector): its EndpointSlices back it', () => {
    const svc = service('a', 'ext', {});
    const state = {
      ...emptyCluster(),
      services: [svc],
      serviceEndpoints: [endpoints('EndpointSlice', 'a', 'ext', ['192.0.2.1'])],
    };
    assert.deepEqual(ciliumServiceBackends(state, svc), ['192.0.2.1']);
  });

  test('a Service with an empty selector (no selector): its Endpoints object is mirrored and backs it', () => {
    // The API server stores `selector: {}` as no selector (kubernetes/kubernetes#25836), so the mirroring
    // controller mirrors its Endpoints into a slice as for a Service without one.
    const svc = service('a', 'ext', {});
    const state = {
      ...emptyCluster(),
      services: [svc],
      serviceEndpoints: [endpoints('Endpoints', 'a', 'ext', ['192.0.2.2'])],
    };
    assert.deepEqual(ciliumServiceBackends(state, svc), ['192.0.2.2']);
    // A Service with a selector gets its slices from the selector: its Endpoints object is not mirrored.
    const selecting = service('a', 'ext', { app: 'x' });
    assert.deepEqual(ciliumServiceBackends({ ...state, services: [selecting] }, selecting), []);
  });
});
