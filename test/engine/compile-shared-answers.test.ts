/**
 * The policy compiler (src/engine/compile.ts) where the round-8 mutation run (the 369 mutants never run
 * before) found untested choices: which classes may share an ingress answer when named ports are resolved
 * per class (NetworkPolicies and Admin policies), the compiled rules of a policy, a class no cluster policy
 * selects keeping its NetworkPolicy access, and the Cilium layer `accessArrays` hands to the incremental
 * engine (issue #20).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PolicyCompiler,
  accessArrays,
  buildAccess,
  compileCluster,
  DEFAULT_ENGINE_OPTIONS,
} from '../../src/engine/compile.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import {
  anp,
  cluster,
  cnpCilium,
  namedPort,
  ns,
  pod,
  podRef,
  policy,
  type ClusterInput,
} from '../support/builders.ts';

type Compiled = ReturnType<typeof compileCluster>;
const between = (c: Compiled, src: string, dst: string): string => {
  const [sn, sp] = src.split('/') as [string, string];
  const [dn, dp] = dst.split('/') as [string, string];
  return formatPorts(c.allowedBetween(podRef(sn, sp), podRef(dn, dp)));
};

/** `a/client` and two web pods that give `http` different numbers. */
const base: ClusterInput = {
  namespaces: [ns('a')],
  pods: [
    pod('a', 'client', { app: 'client' }),
    pod('a', 'web1', { app: 'web', v: '1' }, { namedPorts: [namedPort('http', 8081)] }),
    pod('a', 'web2', { app: 'web', v: '2' }, { namedPorts: [namedPort('http', 8082)] }),
  ],
};

describe('ingress named ports resolve per class, whatever else the policies say', () => {
  test('NetworkPolicies: one rule with a named port beside one without, and a second policy without', () => {
    const c = compileCluster(
      cluster({
        ...base,
        policies: [
          policy('a', 'named', {
            podSelector: { matchLabels: { app: 'web' } },
            ingress: [{ ports: [{ port: 'http' }] }, { ports: [{ port: 443 }] }],
          }),
          policy('a', 'numeric', {
            podSelector: { matchLabels: { app: 'web' } },
            ingress: [{ ports: [{ port: 9000 }] }],
          }),
        ],
      }),
    );
    assert.equal(between(c, 'a/client', 'a/web1'), 'TCP 443,8081,9000');
    assert.equal(between(c, 'a/client', 'a/web2'), 'TCP 443,8082,9000');
  });

  test('Admin policies: one with a named port beside one without', () => {
    const c = compileCluster(
      cluster({
        ...base,
        clusterPolicies: [
          anp('web-in', {
            priority: 1,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
            ingress: [
              { name: 'http', action: 'Allow', from: [{ namespaces: {} }], ports: [{ namedPort: 'http' }] },
              { name: 'rest', action: 'Deny', from: [{ namespaces: {} }] },
            ],
          }),
          anp('web-other', {
            priority: 2,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
            ingress: [
              { name: 'none', action: 'Deny', from: [{ namespaces: { matchLabels: { no: 'such' } } }] },
            ],
          }),
        ],
      }),
    );
    assert.equal(between(c, 'a/client', 'a/web1'), 'TCP 8081');
    assert.equal(between(c, 'a/client', 'a/web2'), 'TCP 8082');
  });
});

describe('the compiled policy', () => {
  test('a policy has no rules of a direction it does not affect; an egress rule says so', () => {
    const c = compileCluster(
      cluster({
        ...base,
        policies: [
          policy('a', 'in', {
            podSelector: {},
            policyTypes: ['Ingress'],
            egress: [{ ports: [{ port: 53 }] }],
          }),
          policy('a', 'out', {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ ports: [{ port: 53 }] }],
          }),
        ],
      }),
    );
    assert.deepEqual(c.policies[0]!.egress, []);
    assert.deepEqual(c.policies[1]!.ingress, []);
    assert.deepEqual(
      c.policies[1]!.egress.map((r) => r.direction),
      ['egress'],
    );
  });
});

describe('cluster policies', () => {
  test('a class no cluster policy selects keeps its NetworkPolicy access objects', () => {
    const c = compileCluster(
      cluster({
        ...base,
        clusterPolicies: [
          anp('web-in', {
            priority: 1,
            subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
            ingress: [{ name: 'rest', action: 'Deny', from: [{ namespaces: {} }] }],
            egress: [{ name: 'rest', action: 'Deny', to: [{ namespaces: {} }] }],
          }),
        ],
      }),
    );
    const client = c.classOfPod('a', 'client')!;
    assert.equal(c.ingress[client], c.npIngress[client]);
    assert.equal(c.egress[client], c.npEgress[client]);
    const web = c.classOfPod('a', 'web1')!;
    assert.notEqual(c.ingress[web], c.npIngress[web]);
  });

  test('classes under Admin policies [1, 2, 3] and [1, 23] (24 policies) do not share an answer', () => {
    const quiet = { name: 'none', action: 'Deny', from: [{ namespaces: { matchLabels: { no: 'such' } } }] };
    const subjects: Record<number, object> = {
      1: { matchExpressions: [{ key: 'app', operator: 'In', values: ['x', 'y'] }] },
      2: { matchLabels: { app: 'x' } },
      3: { matchLabels: { app: 'x' } },
      23: { matchLabels: { app: 'y' } },
    };
    const c = compileCluster(
      cluster({
        namespaces: [ns('a')],
        pods: [
          pod('a', 'client', { app: 'client' }),
          pod('a', 'x', { app: 'x' }),
          pod('a', 'y', { app: 'y' }),
        ],
        clusterPolicies: Array.from({ length: 24 }, (_, i) =>
          anp(`p${i}`, {
            priority: i,
            subject: {
              pods: { namespaceSelector: {}, podSelector: subjects[i] ?? { matchLabels: { app: 'none' } } },
            },
            ingress: [i === 23 ? { name: 'all', action: 'Deny', from: [{ namespaces: {} }] } : quiet],
          }),
        ),
      }),
    );
    assert.equal(between(c, 'a/client', 'a/x'), 'All connections');
    assert.equal(between(c, 'a/client', 'a/y'), 'No connections');
  });

  test('accessArrays hands on the Cilium layer only where there are Cilium policies', () => {
    const arrays = (input: ClusterInput) => {
      const c = new PolicyCompiler(cluster(input), DEFAULT_ENGINE_OPTIONS);
      const policies = c.state.policies.map((p, i) => c.compilePolicy(p, i));
      const ofClass: number[][] = c.classes.map(() => []);
      for (const p of policies) for (const id of p.selected) ofClass[id]!.push(p.index);
      return accessArrays(c, buildAccess(c, policies, ofClass), c.compileTiers());
    };
    const admin = anp('deny', {
      priority: 1,
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
      ingress: [{ name: 'rest', action: 'Deny', from: [{ namespaces: {} }] }],
    });
    assert.equal('layer' in arrays({ ...base, clusterPolicies: [admin] }), false);
    const withCilium = arrays({
      ...base,
      clusterPolicies: [admin],
      ciliumPolicies: [
        cnpCilium('a', 'web', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }),
      ],
    });
    assert.notEqual(withCilium.layer, undefined);
  });
});
