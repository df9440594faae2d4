/** Endpoint references (`--from`, `--to`, specs) in their canonical text. */
import { formatCidr } from '../base/ip.ts';
import type { EndpointRef } from '../engine/refs.ts';
import { describeSelector } from './selectors.ts';

/** A reference's canonical text: `shop/Deployment/web`, `data/app=db`, `0.0.0.0/0`. */
export function describeRef(ref: EndpointRef): string {
  switch (ref.kind) {
    case 'all':
      return '*';
    case 'namespace':
      return `${ref.namespace}/*`;
    case 'workload':
      return ref.workloadKind === undefined
        ? `${ref.namespace}/${ref.name}`
        : `${ref.namespace}/${ref.workloadKind}/${ref.name}`;
    case 'selector':
      return `${ref.namespace ?? '*'}/${describeSelector(ref.selector)}`;
    case 'ip':
      return ref.ip;
    case 'cidr': {
      const base = [ref.cidr, ...ref.also].map(formatCidr).join(', ');
      return ref.except.length === 0 ? base : `${base} except ${ref.except.map(formatCidr).join(', ')}`;
    }
  }
}
