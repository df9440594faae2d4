/**
 * Property: on random small clusters, the engine agrees with the naive reference evaluator on every ordered
 * pair of pods and every pod ↔ probe address, for every protocol and every probe port, with ipBlocks matching
 * pods or not; then the same on clusters that also hold cluster-wide policies of both tiers (CNP, ANP, BANP)
 * and Nodes. fast-check prints the shrunk cluster of the first disagreement.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { compileCluster, type Endpoint } from '../../src/engine/compile.ts';
import { portsContain } from '../../src/engine/ports.ts';
import { PROTOCOLS } from '../../src/model/k8s.ts';
import { clusterInputArb, probeIps, probePorts, tieredClusterInputArb } from '../support/arbitraries.ts';
import { cluster, type ClusterInput } from '../support/builders.ts';
import { naiveAllowed } from '../support/naive.ts';

const NUM_RUNS = Number(process.env['NETFENCE_EQUIVALENCE_RUNS'] ?? 300);
const TIERED_RUNS = Number(process.env['NETFENCE_TIERED_EQUIVALENCE_RUNS'] ?? 300);

function describeEndpoint(e: Endpoint): string {
  return e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.ip;
}

/** The first disagreement between engine and naive evaluator, or undefined. */
function firstDisagreement(input: ClusterInput): string | undefined {
  const state = cluster(input);
  const pods: Endpoint[] = state.pods.map((p) => ({ kind: 'pod', namespace: p.namespace, name: p.name }));
  const ips: Endpoint[] = probeIps(input).map((ip) => ({ kind: 'ip', ip }));
  const pairs: [Endpoint, Endpoint][] = [
    ...pods.flatMap((src) => pods.map((dst): [Endpoint, Endpoint] => [src, dst])),
    ...pods.flatMap((p) =>
      ips.flatMap((ip): [Endpoint, Endpoint][] => [
        [p, ip],
        [ip, p],
      ]),
    ),
  ];
  const ports = probePorts(input);
  const variants = [
    { ipBlockMatchesPods: true },
    { ipBlockMatchesPods: false },
    { ipBlockMatchesPods: true, hostNetworkPods: 'policed' as const },
  ];
  for (const options of variants) {
    const { ipBlockMatchesPods } = options;
    const compiled = compileCluster(state, options);
    for (const [src, dst] of pairs) {
      const allowed = compiled.allowedBetween(src, dst);
      for (const protocol of PROTOCOLS) {
        for (const port of ports) {
          const engine = portsContain(allowed, protocol, port);
          const naive = naiveAllowed(state, src, dst, protocol, port, options);
          if (engine !== naive) {
            return (
              `${describeEndpoint(src)} -> ${describeEndpoint(dst)} ${protocol}/${port} ` +
              `(ipBlockMatchesPods: ${ipBlockMatchesPods}, hostNetworkPods: ${options.hostNetworkPods ?? 'exempt'}): engine ${engine ? 'allows' : 'denies'}, naive ${naive ? 'allows' : 'denies'}`
            );
          }
        }
      }
    }
  }
  return undefined;
}

/** The cluster in a few lines, for the failure message (fast-check also prints it in full). */
function summarize(input: ClusterInput): string {
  const lines = [
    ...(input.namespaces ?? []).map((n) => `namespace ${n.name} ${JSON.stringify(n.labels)}`),
    ...(input.pods ?? []).map(
      (p) =>
        `pod ${p.namespace}/${p.name} ${JSON.stringify(p.labels)} ips=${JSON.stringify(p.ips)}` +
        ` namedPorts=${JSON.stringify(p.namedPorts.map((n) => `${n.name}=${n.protocol}/${n.port}`))}` +
        (p.hostNetwork ? ' hostNetwork' : ''),
    ),
    ...(input.policies ?? []).map((p) => `policy ${p.id} ${JSON.stringify(p.spec)}`),
    ...(input.clusterPolicies ?? []).map((p) => `${p.id} ${JSON.stringify(p.spec)}`),
    ...(input.nodes ?? []).map(
      (n) => `node ${n.name} ${JSON.stringify(n.labels)} ${JSON.stringify(n.addresses)}`,
    ),
  ];
  return lines.map((l) => `  ${l}`).join('\n');
}

const PROPERTIES = [
  {
    name: 'the engine agrees with the naive evaluator on random clusters',
    arb: clusterInputArb,
    runs: NUM_RUNS,
  },
  {
    name: 'the engine agrees with the naive evaluator on random clusters with cluster policy tiers',
    arb: tieredClusterInputArb,
    runs: TIERED_RUNS,
  },
];

for (const { name, arb, runs } of PROPERTIES) {
  test(name, () => {
    fc.assert(
      fc.property(arb, (input) => {
        const disagreement = firstDisagreement(input);
        if (disagreement !== undefined) throw new Error(`${disagreement}\n${summarize(input)}`);
      }),
      { numRuns: runs },
    );
  });
}
