/** What `generate` tells its user: a summary, the verification's verdict, and the JSON form. Pure. */
import type { AllowanceJson, GenerateJson } from '../contract/generate.ts';
import { formatPorts } from '../describe/ports.ts';
import { portsToJson } from '../engine/ports.ts';
import { addressClassOfId } from '../engine/connectivity.ts';
import type { UnobservedAllowance } from '../flows/check.ts';
import { formatCount } from '../base/text.ts';
import {
  connectionJson as observedJson,
  describeEntity,
  flowEndName,
  FLOWS_JSON_SCHEMA_VERSION,
  nodeClassesOf,
  nodesOfIp,
  plural,
  WorkloadNames,
} from './flows.ts';
import type { ObservedConnectionJson } from '../contract/flows.ts';
import type { FlowEnd, ObservedConnection } from '../flows/types.ts';
import type { ClusterState } from '../model/cluster.ts';
import { toNetworkPolicy } from '../generate/policies.ts';
import { toClusterNetworkPolicy } from '../generate/tiers.ts';
import type { GenerateNotice, Generation, LeftOut } from '../generate/types.ts';
import { describeLabels } from '../describe/selectors.ts';
import type { Verification } from '../generate/verify.ts';
import type { CiliumVerification } from '../generate/verify-cilium.ts';
import type { RenderedFile } from './generated.ts';
import { withNodes } from './node-addresses.ts';

/**
 * The names of the report: a workload's display name, an address class as the tables name it and an observed
 * end as map names it (a Node's address as the node's, `192.168.0.2 (an address of node n2)`).
 */
function reportNames(
  state: ClusterState,
  v: Verification,
): { name: (id: string) => string; end: (e: FlowEnd) => string } {
  const names = new WorkloadNames(state);
  const nodesAt = nodeClassesOf(v.addressSpace, state);
  return {
    name: (id) => describeEntity(id, names, v.addressSpace, nodesAt),
    end: flowEndName(names, nodesOfIp(state)),
  };
}

function allowanceLine(u: UnobservedAllowance, name: (id: string) => string): string {
  return `${name(u.src)} → ${name(u.dst)}: ${formatPorts(u.ports)}`;
}

/** The lines printed after generating: what was generated, the verification, what was left out. */
/** Why an observed connection got no rule, in one line. */
export function leftOutMessage(l: LeftOut): string {
  switch (l.reason) {
    case 'denied':
      return 'every attempt was dropped during the capture (--exclude-denied)';
    case 'single-pod-self':
      return "a pod's traffic to itself is not subject to policies";
    case 'host-network':
      return l.blockedAt === undefined
        ? `${l.end} runs on the host network: selectors never match it, and the input has no address of its pods for an ipBlock`
        : `denied at the ${l.blockedAt} of ${l.end}, which netfence leaves alone: it runs on the host network`;
    case 'excluded-namespace':
      return `denied at the ${l.blockedAt} of ${l.end}, which netfence leaves alone: namespace ${l.namespace} is excluded`;
    case 'node-address': {
      const field = l.direction === 'ingress' ? 'fromEntities' : 'toEntities';
      const identities = l.entities.length === 1 ? 'identity' : 'identities';
      const what = l.hostNetwork
        ? `${l.end} runs on the host network${l.nodes.length === 0 ? '' : ` of ${l.nodes.length === 1 ? 'node' : 'nodes'} ${l.nodes.join(', ')}`}: its addresses are its Node's, which`
        : `${withNodes(l.end, l.nodes)} is a Node's address, which`;
      return `${what} NetworkPolicy ipBlocks do not match under ${l.cni} (${l.entities.join(' and ')} ${identities}): allow it with a CiliumNetworkPolicy \`${field}: [${l.entities.join(', ')}]\`, or set \`policy-cidr-match-mode=nodes\``;
    }
  }
}

/** A notice of the generation, in one line. */
export function noticeText(n: GenerateNotice): string {
  switch (n.kind) {
    case 'shared-labels':
      return `${n.workload} has no label set that selects only its pods: its policies also select ${n.sharedWith.join(', ')}`;
    case 'dns-observed':
      return `no workload in namespace "${n.dns.namespace}" has the labels ${describeLabels(n.dns.matchLabels)}: using the workloads observed answering DNS, ${n.workloads.join(', ')}`;
    case 'dns-assumed':
      return `the cluster DNS is not in the input: assuming its pods are in namespace "${n.dns.namespace}" with labels ${describeLabels(n.dns.matchLabels)} (--dns-namespace, --dns-selector)`;
    case 'api-server-unknown':
      return `the API server's address is not known: the Baseline policy has no rule for it, so pods no egress policy isolates cannot reach it (give --api-server ADDRESS${n.candidates.length > 0 ? `; observed on TCP 6443: ${n.candidates.join(', ')}` : ''})`;
    case 'priority-taken':
      return `ClusterNetworkPolicy/${n.name} has priority ${n.priority}: ${n.takenBy} already has ${n.preferred} in its tier`;
    case 'baseline-scope':
      return `the Baseline default deny applies to ${n.excluded.length === 0 ? 'every namespace' : `every namespace but ${n.excluded.join(', ')}`}, also to those not in the input: their pods keep only what their NetworkPolicies allow and DNS (--exclude-namespace NS to leave one out)`;
  }
}

/** The engine's check of the Cilium form (src/generate/verify-cilium.ts), as report lines. */
function ciliumVerificationLines(v: CiliumVerification, end: (e: FlowEnd) => string): string[] {
  if (v.ok) {
    const reached = [
      ...(v.named === 0
        ? []
        : [`reaching the ${plural(v.named, 'observed port')} to named addresses by name`]),
      ...(v.byEntity === 0
        ? []
        : [
            `the ${plural(v.byEntity, 'observed port')} of the API server and nodes by entity (Hubble's reserved: labels)`,
          ]),
    ];
    const nodes =
      v.byNodeEntity === 0
        ? ''
        : `, and the ${plural(v.byNodeEntity, 'observed port')} with Nodes' addresses by entity (host, remote-node)`;
    return [
      `verified: as CiliumNetworkPolicies they allow the same${reached.length === 0 ? '' : `, ${reached.join(', and ')}`}${nodes}`,
    ];
  }
  return [
    'verification FAILED: the CiliumNetworkPolicies do not allow what the NetworkPolicies allow (a bug in netfence; please report it)',
    ...v.mismatched.slice(0, 20).map((m) => `  differs: ${m}`),
    ...v.unnamed.map((c) => `  not reached by name: ${end(c.src)} → ${end(c.dst)} ${c.protocol} ${c.port}`),
    ...v.entityMissing.map(
      (c) => `  not allowed by entity: ${end(c.src)} → ${end(c.dst)} ${c.protocol} ${c.port}`,
    ),
  ];
}

/** What `--format cilium` adds to the report: the addresses written as names, and where names came from. */
export interface CiliumGenerationReport {
  verification: CiliumVerification;
  named: readonly { ip: string; names: readonly string[] }[];
  /** Flow inputs that were pipes (`<(…)`), read once for the flows: their DNS names were not read. */
  namesNotRead: readonly string[];
}

/** Observed connections `--exclude-denied` left out: not among `gen.observed`, listed in `gen.leftOut`. */
function excludedDenied(gen: Generation): number {
  return gen.leftOut.filter((l) => l.reason === 'denied').length;
}

export function describeGeneration(
  state: ClusterState,
  gen: Generation,
  v: Verification,
  cilium?: CiliumGenerationReport,
): string[] {
  const { name, end } = reportNames(state, v);
  const namespaces = new Set(gen.policies.map((p) => p.namespace)).size;
  const lines: string[] = [];
  const cluster =
    gen.clusterPolicies.length === 0
      ? ''
      : ` and ${plural(gen.clusterPolicies.length, 'ClusterNetworkPolicy', 'ClusterNetworkPolicies')}`;
  const how = [
    `${gen.options.mode} mode`,
    ...(gen.clusterPolicies.length === 0 ? [] : gen.options.tiers.map((t) => `--tier ${t}`)),
  ];
  const denied = excludedDenied(gen);
  lines.push(
    `generated ${plural(gen.policies.length, 'policy', 'policies')} in ${plural(namespaces, 'namespace')}${cluster} (${how.join(', ')}) from ${plural(gen.observed.length, 'observed port')}${denied === 0 ? '' : ` (--exclude-denied left out ${formatCount(denied)} more, every attempt of which was dropped during the capture)`}`,
  );
  if (gen.observed.length === 0) {
    lines.push(
      gen.options.mode === 'fresh'
        ? `  no observed port to allow: the ${gen.options.tiers.includes('baseline') ? 'Baseline default deny denies' : 'default-deny policies deny'} all traffic of these namespaces`
        : '  no observed port to allow: nothing to add',
    );
  }
  const keptCluster = new Set(gen.keptClusterPolicies.map((p) => p.id));
  const replacedCluster = state.clusterPolicies.filter((p) => !keptCluster.has(p.id)).map((p) => p.id);
  if (replacedCluster.length > 0) lines.push(`  they replace the existing ${replacedCluster.join(', ')}`);
  if (gen.options.mode === 'fresh' && gen.replaced.length > 0) {
    // CiliumNetworkPolicies never take NetworkPolicies' place: Cilium adds the allows of both kinds up.
    lines.push(
      cilium === undefined
        ? `  they replace the ${plural(gen.replaced.length, 'existing policy', 'existing policies')} of those namespaces`
        : `  delete the ${plural(gen.replaced.length, 'existing NetworkPolicy', 'existing NetworkPolicies')} of those namespaces: Cilium adds the allows of both kinds up`,
    );
  }
  if (cilium !== undefined) {
    lines.push(
      `  written as CiliumNetworkPolicies; ${cilium.named.length === 0 ? 'none of their outside addresses was seen under a DNS name' : `toFQDNs for ${plural(cilium.named.length, 'outside address', 'outside addresses')} seen under DNS names`}${cilium.namesNotRead.length > 0 ? ` (names not read from ${cilium.namesNotRead.join(', ')}: a pipe is read once, for the flows; save the capture to a file, or give it on standard input)` : ''}`,
    );
    for (const n of cilium.named) lines.push(`    ${n.ip} → ${n.names.join(', ')}`);
  }
  const verified = cilium === undefined ? 'verified' : 'verified as NetworkPolicies';
  // The observed ports with Nodes' addresses are rules of Cilium entities: the NetworkPolicy form has none of
  // them, the Cilium form's verification (next line) counts them.
  const byNode = cilium?.verification.byNodeEntity ?? 0;
  const checkedPorts = `${plural(v.checked, 'observed port')}${byNode === 0 ? '' : " not with a Node's address"}`;
  if (v.ok) {
    if (gen.options.mode === 'fresh') {
      lines.push(
        v.checked === 0 && byNode > 0
          ? `${verified}: the generated policies allow nothing between pods or to outside addresses, as observed: every observed port is with a Node's address`
          : `${verified}: the generated policies allow exactly the ${checkedPorts}`,
      );
    } else {
      const already = gen.alreadyAllowed.length;
      lines.push(
        `${verified}: with the ${plural(gen.kept.length, 'existing policy', 'existing policies')}, the added ones allow all ${checkedPorts} (${formatCount(already)} were already allowed) and nothing else that was not allowed before`,
      );
    }
    if (cilium !== undefined) lines.push(...ciliumVerificationLines(cilium.verification, end));
  } else {
    lines.push(
      'verification FAILED: the generated policies do not allow exactly the observed ports (a bug in netfence; please report it)',
    );
    for (const c of v.missing)
      lines.push(`  denied but observed: ${end(c.src)} → ${end(c.dst)} ${c.protocol} ${c.port}`);
    for (const u of v.unexpected) lines.push(`  allowed but never observed: ${allowanceLine(u, name)}`);
  }
  if (v.deniedByClusterPolicies.length > 0) {
    lines.push(
      `  but cluster policies of the input deny ${formatCount(v.deniedByClusterPolicies.length)} of them: generate keeps those policies, and no NetworkPolicy overrides them (netfence explain shows which)`,
    );
    for (const c of v.deniedByClusterPolicies)
      lines.push(`    ${end(c.src)} → ${end(c.dst)} ${c.protocol} ${c.port}`);
  }
  if (v.dns.length > 0) {
    const onlyTcp = v.dns.every((u) => u.ports.UDP.length === 0);
    lines.push(
      onlyTcp
        ? `  also allowed, on purpose: TCP 53 to the cluster DNS for ${plural(v.dns.length, 'workload')} seen resolving names over UDP only (resolvers retry over TCP)`
        : `  also allowed, on purpose: DNS to the cluster DNS for ${plural(v.dns.length, 'workload')} (${gen.clusterPolicies.length > 0 ? "--tier: the cluster policies' accept-dns" : '--allow-dns'}, or the transport not observed)`,
    );
  }
  if (gen.aggregated.length > 0) {
    const addresses = gen.aggregated.reduce((n, b) => n + b.addresses.length, 0);
    lines.push(
      `  also allowed, on purpose: the whole of ${gen.aggregated.map((b) => b.cidr).join(', ')} (--aggregate), for ${plural(addresses, 'observed address', 'observed addresses')}`,
    );
  }
  if (v.apiServer.length > 0) {
    lines.push(
      `  also allowed, on purpose: the API server at ${gen.options.apiServer.map((a) => a.cidr).join(', ')} (--api-server) for ${plural(new Set(v.apiServer.map((u) => u.src)).size, 'workload')} no egress policy isolates`,
    );
  }
  if (v.outsideIngress.length > 0) {
    const to = [...new Set(v.outsideIngress.map((u) => name(u.dst)))].sort();
    lines.push(
      `  not denied by the Baseline policy: ${plural(v.outsideIngress.length, 'connection')} from outside the cluster or from host-network pods to ${to.join(', ')}, which no ingress policy isolates (cluster policy ingress peers are only namespaces and pods)`,
    );
  }
  if (v.allowedByClusterPolicies.length > 0) {
    lines.push(
      `  also allowed, by cluster policies of the input (kept): ${plural(v.allowedByClusterPolicies.length, 'connection')}:`,
    );
    for (const u of v.allowedByClusterPolicies.slice(0, 10)) lines.push(`    ${allowanceLine(u, name)}`);
  }
  if (v.ownNode.length > 0) {
    lines.push(
      `  also allowed, whatever the policies: ${plural(v.ownNode.length, 'connection')} from the pods' own nodes (traffic from a pod's node is always allowed):`,
    );
    for (const u of v.ownNode.slice(0, 10)) lines.push(`    ${allowanceLine(u, name)}`);
  }
  if (v.hostNetwork.length > 0) {
    lines.push(
      `  also allowed, on purpose: ${plural(v.hostNetwork.length, 'connection')} through node addresses, which host-network workloads share`,
    );
  }
  if (v.shared.length > 0) {
    lines.push(
      `  also allowed: ${plural(v.shared.length, 'connection')} through selectors shared by workloads with the same labels:`,
    );
    for (const u of v.shared.slice(0, 10)) lines.push(`    ${allowanceLine(u, name)}`);
  }
  if (v.unrestricted > 0) {
    const hostNetwork = new Set(state.pods.filter((p) => p.hostNetwork).map((p) => p.workload));
    const why = (id: string): string => {
      const ns = id.slice(0, id.indexOf('/'));
      if (hostNetwork.has(id)) return 'host network';
      if (gen.options.excludeNamespaces.includes(ns)) return 'excluded namespace';
      if (gen.options.mode === 'fresh' && gen.options.skipDefaultDeny.includes(ns)) return 'no default-deny';
      return 'no policy';
    };
    const who = v.unrestrictedWorkloads.map((id) => `${name(id)} (${why(id)})`);
    lines.push(
      `  not restricted by the generated policies: ${plural(v.unrestricted, 'allowed connection')} of ${who.length === 0 ? 'outside addresses' : who.join(', ')}`,
    );
  }
  if (gen.leftOut.length > 0) {
    lines.push(`left out: ${plural(gen.leftOut.length, 'observed port')}`);
    for (const l of gen.leftOut) {
      const c = l.connection;
      lines.push(`  ${end(c.src)} → ${end(c.dst)} ${c.protocol} ${c.port}: ${leftOutMessage(l)}`);
    }
  }
  for (const n of gen.notices) lines.push(`note: ${noticeText(n)}`);
  return lines;
}

export function generationToJson(
  state: ClusterState,
  gen: Generation,
  v: Verification,
  files: readonly RenderedFile[],
): GenerateJson {
  // A Node's address carries its Nodes, observed (an IP: `nodes`, as in map) or allowed (a class: `srcNodes`).
  const nodesOf = nodesOfIp(state);
  const connectionJson = (c: ObservedConnection): ObservedConnectionJson => observedJson(c, nodesOf);
  const nodesAt = nodeClassesOf(v.addressSpace, state);
  const nodesOfEntity = (id: string): readonly string[] => {
    const classId = addressClassOfId(id);
    return classId === undefined ? [] : nodesAt(classId);
  };
  const allowance = (u: UnobservedAllowance): AllowanceJson => {
    const srcNodes = nodesOfEntity(u.src);
    const dstNodes = nodesOfEntity(u.dst);
    return {
      src: u.src,
      dst: u.dst,
      ports: portsToJson(u.ports),
      summary: formatPorts(u.ports),
      ...(srcNodes.length === 0 ? {} : { srcNodes }),
      ...(dstNodes.length === 0 ? {} : { dstNodes }),
    };
  };
  return {
    schemaVersion: FLOWS_JSON_SCHEMA_VERSION,
    mode: gen.options.mode,
    summary: {
      policies: gen.policies.length,
      namespaces: new Set(gen.policies.map((p) => p.namespace)).size,
      observed: gen.observed.length,
      excludedDenied: excludedDenied(gen),
      leftOut: gen.leftOut.length,
      alreadyAllowed: gen.alreadyAllowed.length,
      kept: gen.kept.length,
      replaced: gen.replaced.length,
    },
    files: files.map((f) => ({ path: f.path, policies: f.policies })),
    policies: gen.policies.map((p) => ({
      id: `${p.namespace}/${p.name}`,
      kind: p.kind,
      workload: p.workload ?? null,
      object: toNetworkPolicy(p),
      rules: p.rules.map((r) => ({ dns: r.dns, observed: r.observed.map((c) => connectionJson(c)) })),
    })),
    clusterPolicies: gen.clusterPolicies.map((p) => ({
      id: `ClusterNetworkPolicy/${p.name}`,
      role: p.role,
      object: toClusterNetworkPolicy(p),
    })),
    dns: {
      namespace: gen.dns.config.namespace,
      matchLabels: gen.dns.config.matchLabels,
      workloads: gen.dns.workloads,
      detected: gen.dns.detected,
      clients: gen.dns.clients,
    },
    aggregated: gen.aggregated,
    leftOut: gen.leftOut.map((l) => ({
      ...connectionJson(l.connection),
      reason: l.reason,
      message: leftOutMessage(l),
    })),
    notices: gen.notices.map(noticeText),
    verification: {
      ok: v.ok,
      checked: v.checked,
      missing: v.missing.map((c) => connectionJson(c)),
      unexpected: v.unexpected.map(allowance),
      dns: v.dns.map(allowance),
      shared: v.shared.map(allowance),
      aggregated: v.aggregated.map(allowance),
      hostNetwork: v.hostNetwork.map(allowance),
      apiServer: v.apiServer.map(allowance),
      outsideIngress: v.outsideIngress.map(allowance),
      deniedByClusterPolicies: v.deniedByClusterPolicies.map((c) => connectionJson(c)),
      allowedByClusterPolicies: v.allowedByClusterPolicies.map(allowance),
      unrestricted: v.unrestricted,
      unrestrictedWorkloads: v.unrestrictedWorkloads,
      alreadyAllowed: v.alreadyAllowed,
      ownNode: v.ownNode.map(allowance),
    },
  };
}
