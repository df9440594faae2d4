/** Exposure statements and flags in words: `on 8080/TCP`, `pods labelled app=web in namespace shop on all ports (shop/web)`. */
import type { ExposurePorts, FlagReason } from '../engine/exposure.ts';
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
  let np: string[];
  if (f.why === 'not-isolated')
    np = [tiers.length === 0 ? 'not isolated' : 'not isolated by NetworkPolicies'];
  else if (f.why === 'host-network') np = ['host network, policies do not apply'];
  else np = f.why.map((s) => `${describeScope(s.peer)} ${describeRulePorts(s.rulePorts)} (${s.policy})`);
  return [...tiers, ...np].join('; ');
}
