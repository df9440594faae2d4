/**
 * A small cluster as the API server sends it (plain Kubernetes JSON), and AdmissionReviews about it: shared
 * by the decision tests and the server tests.
 */
import type { KubeObject } from '../../src/k8s/types.ts';
import { RULES } from '../../src/lint/registry.ts';
import type { LintConfig } from '../../src/lint/config.ts';
import { parseSpec, type Spec } from '../../src/testspec/spec.ts';

export function ns(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
  };
}

let ip = 10;
export function pod(namespace: string, name: string, labels: Record<string, string>): KubeObject {
  ip++;
  // Valid however many clusters a test file builds.
  const address = `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 5432 }] }] },
    status: { phase: 'Running', podIP: address, podIPs: [{ ip: address }] },
  };
}

export function np(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec,
  };
}

/** A CiliumNetworkPolicy (`namespace` given) or CiliumClusterwideNetworkPolicy (`namespace` undefined). */
export function cnp(namespace: string | undefined, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'cilium.io/v2',
    kind: namespace === undefined ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
    metadata: namespace === undefined ? { name } : { name, namespace },
    spec,
  };
}

/** tenant-a (two workloads, and three more pods), shop/api, and data/postgres behind a default deny. */
export function baseObjects(): KubeObject[] {
  return [
    ns('tenant-a', { tenant: 'a' }),
    ns('shop', { access: 'db' }),
    ns('data'),
    pod('tenant-a', 'web', { app: 'web' }),
    pod('tenant-a', 'worker', { app: 'worker' }),
    pod('tenant-a', 'cron', { app: 'cron' }),
    pod('tenant-a', 'batch', { app: 'batch' }),
    pod('tenant-a', 'admin', { app: 'admin' }),
    pod('shop', 'api', { app: 'api' }),
    pod('data', 'postgres', { app: 'postgres' }),
    np('data', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] }),
    np('data', 'allow-db-clients', {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { access: 'db' } } }],
          ports: [{ port: 5432, protocol: 'TCP' }],
        },
      ],
    }),
  ];
}

export const SPEC_TEXT = `tests:
  - name: tenant-a never reaches the database
    from: tenant-a/*
    to: data/postgres
    expect: deny
  - name: the API reaches the database
    from: shop/api
    to: data/postgres
    port: 5432/TCP
    expect: allow
`;

export function spec(): Spec {
  const parsed = parseSpec(SPEC_TEXT, 'reachability.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.spec;
}

/** Every lint rule off: tests of the spec assertions alone. */
export const NO_LINT: LintConfig = {
  rules: Object.fromEntries(RULES.map((r) => [r.id, 'off'])),
  excludeNamespaces: [],
};

let uid = 0;
/** An AdmissionReview v1 as the API server sends it. */
export function review(
  operation: 'CREATE' | 'UPDATE' | 'DELETE',
  object: KubeObject | undefined,
  oldObject?: KubeObject,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const o = (object ?? oldObject)!;
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
  const version = o.apiVersion.split('/').at(-1)!;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${++uid}`,
      kind: { group, version, kind: o.kind },
      resource: { group, version, resource: `${o.kind.toLowerCase()}s` },
      operation,
      ...(o.metadata.namespace === undefined ? {} : { namespace: o.metadata.namespace }),
      name: o.metadata.name,
      object: object ?? null,
      oldObject: oldObject ?? null,
      dryRun: false,
      userInfo: { username: 'alice' },
      ...extra,
    },
  };
}
