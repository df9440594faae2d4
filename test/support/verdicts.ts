/**
 * Hand-written verdicts checked on both evaluators: the naive reference (test/support/naive.ts) and the
 * engine (`allowedBetween`), for the conformance suites (tiers, Cilium policies).
 */
import assert from 'node:assert/strict';
import { compileCluster, type EngineOptions } from '../../src/engine/compile.ts';
import { cniEngineOptions, resolveCniProfile, type CniProfile } from '../../src/engine/profiles.ts';
import { portsContain } from '../../src/engine/ports.ts';
import type { Connectivity } from '../../src/engine/connectivity.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import type { Protocol } from '../../src/model/k8s.ts';
import { naiveAllowed, type NaiveEndpoint, type NaiveOptions } from './naive.ts';
import { cluster, namedPort, node, ns, pod, type ClusterInput } from './builders.ts';

export type Verdict = 'allow' | 'deny';

/**
 * `'<src> -> <dst> <PROTOCOL>/<port>': 'allow' | 'deny'`. An endpoint with a `/` is a pod (`prod/web`),
 * anything else an address (`8.8.8.8`).
 */
export type Verdicts = Readonly<Record<string, Verdict>>;

export function endpoint(text: string): NaiveEndpoint {
  const slash = text.indexOf('/');
  if (slash < 0) return { kind: 'ip', ip: text };
  return { kind: 'pod', namespace: text.slice(0, slash), name: text.slice(slash + 1) };
}

/** Checks every verdict on the naive evaluator, then on the engine. */
export function expectVerdicts(
  state: ClusterState,
  verdicts: Verdicts,
  options: NaiveOptions & Partial<EngineOptions> = { ipBlockMatchesPods: true },
): void {
  const probes = Object.keys(verdicts).map((key) => {
    const m = /^(\S+) -> (\S+) (TCP|UDP|SCTP)\/(\d+)$/.exec(key);
    if (m === null) throw new Error(`bad probe: ${key}`);
    return { key, src: m[1]!, dst: m[2]!, protocol: m[3] as Protocol, port: Number(m[4]) };
  });
  const naive = Object.fromEntries(
    probes.map((p) => [
      p.key,
      naiveAllowed(state, endpoint(p.src), endpoint(p.dst), p.protocol, p.port, options) ? 'allow' : 'deny',
    ]),
  );
  assert.deepEqual(naive, verdicts, 'naive evaluator');
  const compiled = compileCluster(state, options);
  const engine = Object.fromEntries(
    probes.map((p) => [
      p.key,
      portsContain(compiled.allowedBetween(endpoint(p.src), endpoint(p.dst)), p.protocol, p.port)
        ? 'allow'
        : 'deny',
    ]),
  );
  assert.deepEqual(engine, verdicts, 'engine');
}

/**
 * A small cluster: `prod` (env=prod) with `web`, `db` and a host-network `agent` on node `n1`; `dev`
 * (env=dev) with `web` and `client`; two Nodes (n1 role=worker 192.168.0.1, n2 role=control 192.168.0.2).
 * Named ports: prod/web http=TCP/8080, dev/web http=TCP/9090, prod/db sql=TCP/5432, dev/client dns=UDP/53.
 */
export function conformanceCluster(
  policies: Pick<ClusterInput, 'policies' | 'clusterPolicies' | 'ciliumPolicies'>,
): ClusterState {
  return cluster({
    namespaces: [ns('prod', { env: 'prod' }), ns('dev', { env: 'dev' })],
    pods: [
      pod('prod', 'web', { app: 'web' }, { ips: ['10.0.1.10'], namedPorts: [namedPort('http', 8080)] }),
      pod('prod', 'db', { app: 'db' }, { ips: ['10.0.1.20'], namedPorts: [namedPort('sql', 5432)] }),
      pod('prod', 'agent', { app: 'agent' }, { ips: ['192.168.0.1'], hostNetwork: true }),
      pod('dev', 'web', { app: 'web' }, { ips: ['10.0.2.10'], namedPorts: [namedPort('http', 9090)] }),
      pod(
        'dev',
        'client',
        { app: 'client' },
        { ips: ['10.0.2.20'], namedPorts: [namedPort('dns', 53, 'UDP')] },
      ),
    ],
    nodes: [
      node('n1', { role: 'worker' }, ['192.168.0.1']),
      node('n2', { role: 'control' }, ['192.168.0.2']),
    ],
    ...policies,
  });
}

/** Connectivity as lines (connections, then reach by DNS name), to compare two engines' answers. */
export function describeConnectivity(c: Connectivity): string[] {
  return [
    ...c.connections.map((x) => `${x.src} -> ${x.dst}: ${formatPorts(x.ports)}`),
    ...c.domains.map((x) => `${x.src} -> dns:${x.domain}: ${formatPorts(x.ports)}`),
  ];
}

/** A profile as `--cni` and `--cni-option` give it. */
export function cniProfile(spec: string, ...overrides: string[]): CniProfile {
  const r = resolveCniProfile(spec, overrides);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

/** The naive evaluator's options for a CNI profile: the settings as data, read by its own code. */
export function naiveProfileOptions(p: CniProfile): NaiveOptions {
  const s = p.settings;
  return {
    ipBlockMatchesPods: s.cidrMatchesPods,
    hostNetworkPods: s.hostNetworkPods,
    cni: {
      cidrMatchesNodes: s.cidrMatchesNodes,
      endPort: s.endPort,
      sctp: s.sctp,
      // The kinds as docs/cni.md's table lists them, read from the setting's own text.
      clusterPolicies: s.clusterPolicies === '' ? [] : s.clusterPolicies.split(','),
      hostFirewall: s.hostFirewall,
      ownNodeTraffic: s.ownNodeTraffic,
      clusterName: s.clusterName,
      enableDefaultDeny: s.enableDefaultDeny,
    },
  };
}

/**
 * `expectVerdicts` under a CNI profile: the naive evaluator reads its settings as data
 * (`naiveProfileOptions`), the engine the profile itself.
 */
export function expectVerdictsUnder(state: ClusterState, p: CniProfile, verdicts: Verdicts): void {
  const compiled = compileCluster(state, cniEngineOptions(p));
  const naive: Record<string, string> = {};
  const engine: Record<string, string> = {};
  for (const key of Object.keys(verdicts)) {
    const m = /^(\S+) -> (\S+) (TCP|UDP|SCTP)\/(\d+)$/.exec(key);
    if (m === null) throw new Error(`bad probe: ${key}`);
    const [src, dst, protocol, port] = [endpoint(m[1]!), endpoint(m[2]!), m[3] as Protocol, Number(m[4])];
    naive[key] = naiveAllowed(state, src, dst, protocol, port, naiveProfileOptions(p)) ? 'allow' : 'deny';
    engine[key] = portsContain(compiled.allowedBetween(src, dst), protocol, port) ? 'allow' : 'deny';
  }
  assert.deepEqual(naive, verdicts, 'naive evaluator');
  assert.deepEqual(engine, verdicts, 'engine');
}
