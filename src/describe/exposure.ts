/** Exposure statements and flags in words: `on 8080/TCP`, `pods labelled app=web in namespace shop on all ports (shop/web)`. */
import type { ExposurePorts, FlagReason } from '../engine/exposure.ts';
import { isEmptyPorts } from '../engine/ports.ts';
import { formatPortList } from './ports.ts';
import { describeScope } from './scope.ts';

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

/** One line: why the flag is raised. */
export function describeFlagReason(f: FlagReason): string {
  if (f.why === 'not-isolated') return 'not isolated';
  if (f.why === 'host-network') return 'host network, policies do not apply';
  return f.why
    .map((s) => `${describeScope(s.peer)} ${describeRulePorts(s.rulePorts)} (${s.policy})`)
    .join('; ');
}
