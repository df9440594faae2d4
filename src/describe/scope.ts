/** The peers of policy rules in general terms: "pods labelled app=web in namespace shop". */
import type { PeerScope } from '../engine/explain.ts';
import { describeSelector } from './selectors.ts';

/** "any pod in the cluster", "pods labelled app=web in namespace shop", "any address in 0.0.0.0/0 except 10.0.0.0/8"… */
export function describeScope(scope: PeerScope): string {
  switch (scope.kind) {
    case 'anyone':
      return 'anyone (any pod and any address)';
    case 'addresses':
      return `any address in ${scope.cidr}${scope.except.length === 0 ? '' : ` except ${scope.except.join(', ')}`}`;
    case 'pods': {
      const ns = scope.namespaces;
      if (ns.kind === 'any' && scope.pods === undefined) return 'any pod in the cluster';
      const who = scope.pods === undefined ? 'any pod' : `pods labelled ${describeSelector(scope.pods)}`;
      switch (ns.kind) {
        case 'any':
          return `${who} in any namespace`;
        case 'own':
          return `${who} in namespace ${ns.namespace}`;
        case 'named':
          return `${who} in namespace${ns.names.length === 1 ? '' : 's'} ${ns.names.join(', ')}`;
        case 'labelled':
          return `${who} in namespaces labelled ${describeSelector(ns.selector)}`;
      }
    }
  }
}
