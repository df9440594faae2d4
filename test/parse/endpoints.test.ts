/**
 * EndpointSlices and Endpoints as input (issue #17): the backends of Services without a selector, which
 * Cilium's `toServices` resolves to. Read into `ClusterState.serviceEndpoints` with the addresses Cilium's agent
 * makes backends of; invalid ones reported at their field.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatProblem } from '../../src/model/problem.ts';
import { load, yaml } from './helpers.ts';

const SLICE = yaml`
  apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata:
    name: payments-x1
    namespace: shop
    labels: {kubernetes.io/service-name: payments}
  addressType: IPv4
  ports: [{name: https, port: 443, protocol: TCP}]
  endpoints:
    - addresses: [203.0.113.10]
      conditions: {ready: true}
    - addresses: [203.0.113.11]
      conditions: {ready: false}
`;

const ENDPOINTS = yaml`
  apiVersion: v1
  kind: Endpoints
  metadata: {name: legacy, namespace: shop}
  subsets:
    - addresses: [{ip: 198.51.100.7}]
      notReadyAddresses: [{ip: 198.51.100.8}]
      ports: [{port: 5432}]
    - addresses: [{ip: 198.51.100.9}]
`;

describe('EndpointSlices and Endpoints', () => {
  test('both kinds are read, not ignored: every address (ready or not), the Service from the label or the name', () => {
    const r = load(`${SLICE}---\n${ENDPOINTS}`);
    assert.deepEqual(r.errors.map(formatProblem), []);
    assert.equal(r.ignored.count, 0);
    assert.deepEqual(
      r.state.serviceEndpoints?.map((e) => [e.id, e.service, e.addresses, e.origin?.line]),
      [
        ['shop/EndpointSlice/payments-x1', 'payments', ['203.0.113.10', '203.0.113.11'], 1],
        // The second subset has no port: Cilium makes no backend of it.
        ['shop/Endpoints/legacy', 'legacy', ['198.51.100.7', '198.51.100.8'], 15],
      ],
    );
    assert.ok(r.state.namespaces.some((n) => n.name === 'shop'));
  });

  test('a slice without ports or of addressType FQDN makes no backend; a slice without the service-name label backs no Service', () => {
    const r = load(yaml`
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: no-ports}
      addressType: IPv4
      endpoints: [{addresses: [203.0.113.1]}]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: names}
      addressType: FQDN
      ports: [{port: 443}]
      endpoints: [{addresses: [api.example.com]}]
    `);
    assert.deepEqual(r.errors.map(formatProblem), []);
    assert.deepEqual(
      r.state.serviceEndpoints?.map((e) => [e.name, e.service, e.addresses]),
      [
        ['names', undefined, []],
        ['no-ports', undefined, []],
      ],
    );
  });

  test('invalid: a missing addressType, an address that is not an IP or not of the slice family, an Endpoints address without ip', () => {
    const r = load(yaml`
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: bad}
      ports: [{port: 443}]
      endpoints: [{addresses: [203.0.113.1]}]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: mixed}
      addressType: IPv4
      ports: [{port: 443, protocol: tcp}]
      endpoints: [{addresses: ["2001:db8::1", not-an-ip]}]
      ---
      apiVersion: v1
      kind: Endpoints
      metadata: {name: legacy}
      subsets: [{addresses: [{hostname: a}], ports: [{port: 80}]}]
    `);
    assert.deepEqual(r.errors.map(formatProblem), [
      'policies.yaml:1:1 addressType: is required: one of IPv4, IPv6, FQDN',
      'policies.yaml:11:21 ports[0].protocol: "tcp" is not supported: protocols are case-sensitive. Did you mean "TCP"?',
      `policies.yaml:12:26 endpoints[0].addresses[0]: "2001:db8::1" is not an IPv4 address, as the slice's addressType says: use a slice of addressType IPv6`,
      'policies.yaml:12:41 endpoints[0].addresses[1]: "not-an-ip" is not an IP address (it is not an IPv4 or IPv6 address)',
      'policies.yaml:17:24 subsets[0].addresses[0].ip: is required',
    ]);
    assert.equal(r.state.serviceEndpoints, undefined);
  });
});
