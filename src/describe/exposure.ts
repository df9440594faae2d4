/** Exposure statements and flags in words: `on 8080/TCP`, `pods labelled app=web in namespace shop on all ports (shop/web)`. */
import type { CiliumExposureStatement, ExposurePorts, FlagReason } from '../engine/exposure.ts';
import { compileSelector } from '../engine/selectors.ts';
import { CILIUM_NAMESPACE_KEY, type CiliumPeerInfo } from '../model/cilium.ts';
import { describeSelector } from './selectors.ts';
import type { LabelSelector } from '../model/k8s.ts';
import { isEmptyPorts } from '../engine/ports.ts';
import { formatPortList } from './ports.ts';
import { describeScope } from './scope.ts';
import { describeTierPeer, describeTierPorts, tierName } from './tier-rules.ts';

/** `on 8080/TCP`, `on all ports`, `on named port metrics/TCP`, `on metrics (9090/TCP)`… */
export function describeRulePorts(p: ExposurePorts): string {
  if (p.any) return 'on all ports';
  const parts: string[] = [];
  if (!isEmptyPorts(p.numeric)) parts.push(formatPortList(p.numeric));
  for (const n of p.named) {
    const r = n.resolution;
    parts.push(
      r.kind === 'egress'
        ? `named port ${n.name}/${n.protocol}`
        : r.kind === 'undefined'
          ? `named port ${n.name}/${n.protocol}, which it does not define`
          : `${n.name} (${r.port}/${n.protocol})`,
    );
  }
  return `on ${parts.join(', ')}`;
}

/** One line: why the flag is raised (cluster policy allow rules first: they are evaluated first). */
export function describeFlagReason(f: FlagReason): string {
  const tiers = f.byTiers.map(
    (s) =>
      `${describeTierPeer(s.peer)} ${describeTierPorts(s.ports)} (${s.policy}, ${tierName(s.tier)} tier)`,
  );
  const cilium = f.byCilium.map((s) => `${describeCiliumStatement(s)} (${s.policy} ${s.path})`);
  const names = f.byName.map(
    (n) => `DNS name ${n.domain} (${n.policy}; the addresses depend on DNS resolution)`,
  );
  let np: string[];
  if (f.why === 'not-isolated')
    np = [tiers.length === 0 && cilium.length === 0 ? 'not isolated' : 'not isolated by NetworkPolicies'];
  else if (f.why === 'host-network') np = ['host network, policies do not apply'];
  else np = f.why.map((s) => `${describeScope(s.peer)} ${describeRulePorts(s.rulePorts)} (${s.policy})`);
  return [...tiers, ...np, ...cilium, ...names].join('; ');
}

/**
 * An endpoint selector in words, its namespace apart: `endpoints labelled app=api in namespace shop`,
 * `every endpoint in every namespace` (a clusterwide policy's `{}`, which the model gives `Exists` on the
 * namespace key), `endpoints labelled tier=db in namespaces a, b` (`In` on the namespace key).
 */
function describeEndpoints(selector: LabelSelector): string {
  const named = selector.matchLabels?.[CILIUM_NAMESPACE_KEY];
  const labels = Object.fromEntries(
    Object.entries(selector.matchLabels ?? {}).filter(([k]) => k !== CILIUM_NAMESPACE_KEY),
  );
  const where: string[] = named === undefined ? [] : [`in namespace ${named}`];
  const expressions = (selector.matchExpressions ?? []).filter((e) => {
    if (e.key !== CILIUM_NAMESPACE_KEY) return true;
    const values = e.values ?? [];
    if (e.operator === 'Exists') return false;
    if (e.operator === 'In' && values.length > 0) {
      where.push(`in namespace${values.length === 1 ? '' : 's'} ${values.join(', ')}`);
      return false;
    }
    if (e.operator === 'NotIn' && values.length > 0) {
      where.push(`in every namespace but ${values.join(', ')}`);
      return false;
    }
    return true;
  });
  // Exists on the namespace key says only that there is one: said when nothing else names them.
  if (
    where.length === 0 &&
    (selector.matchExpressions ?? []).some((e) => e.key === CILIUM_NAMESPACE_KEY && e.operator === 'Exists')
  )
    where.push('in every namespace');
  const rest = describeSelector(
    compileSelector({
      matchLabels: labels,
      ...(expressions.length === 0 ? {} : { matchExpressions: expressions }),
    }),
  );
  const pods = rest === '{}' ? 'every endpoint' : `endpoints labelled ${rest}`;
  return where.length === 0 ? pods : `${pods} ${where.join(' and ')}`;
}

/** A Cilium peer in words: `endpoints labelled app=api in namespace shop`, `entity world`, `DNS name api.stripe.com`. */
export function describeCiliumPeer(p: CiliumPeerInfo): string {
  switch (p.kind) {
    case 'endpoints':
      return describeEndpoints(p.selector);
    case 'nodes':
      return `nodes labelled ${describeSelector(compileSelector(p.selector))}`;
    case 'cidr':
      return p.except.length === 0 ? `CIDR ${p.cidr}` : `CIDR ${p.cidr} except ${p.except.join(', ')}`;
    case 'entity':
      return `entity ${p.entity}`;
    case 'service':
      return `service ${p.namespace === undefined ? '' : `${p.namespace}/`}${p.name}`;
    case 'serviceSelector':
      return `services labelled ${describeSelector(compileSelector(p.selector))}`;
    case 'fqdn':
      return `DNS name ${p.name}`;
    case 'fqdnPattern':
      return `DNS names matching ${p.pattern}`;
    case 'anyPeer':
      return 'any peer';
    case 'unsupported':
      return `${p.field} (not modelled)`;
  }
}

/** One Cilium rule: `allowed from endpoints labelled app=api in namespace shop on 5432/TCP, filtered at L7 (http)`. */
export function describeCiliumStatement(s: CiliumExposureStatement): string {
  const ingress = s.list === 'ingress' || s.list === 'ingressDeny';
  const verb = `${s.deny ? 'denied' : 'allowed'} ${ingress ? 'from' : 'to'}`;
  const peers =
    s.peers.length === 0 ? 'no peer (matches nothing)' : s.peers.map(describeCiliumPeer).join(' or ');
  const named = s.ports.any ? [] : s.ports.named.map((n) => `named port ${n}`);
  const ports = s.ports.any
    ? 'on all ports'
    : `on ${[...(isEmptyPorts(s.ports.ports) ? [] : [formatPortList(s.ports.ports)]), ...named].join(', ') || 'no port'}`;
  const l7 = s.l7.length === 0 ? '' : `, filtered at L7 (${s.l7.join(', ')})`;
  return `${verb} ${peers} ${ports}${l7}`;
}
