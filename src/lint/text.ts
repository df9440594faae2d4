/** Small helpers for one-line messages: lists, plurals, selectors, peers. */
import type { Direction } from '../engine/compile.ts';
import { compileSelector } from '../engine/selectors.ts';
import { describeSelector } from '../describe/selectors.ts';
import type { LabelSelector, NetworkPolicyPeer } from '../model/k8s.ts';

/** `a, b, c and 2 more` */
export function listNames(names: readonly string[], max = 3): string {
  if (names.length === 0) return 'none';
  if (names.length <= max) {
    return names.length === 1
      ? names[0]!
      : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
  }
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** `1 rule`, `2 rules` */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `app=web, tier in (a, b)`; `{}` for a selector that matches everything. */
export function selectorText(selector: LabelSelector | undefined): string {
  return describeSelector(compileSelector(selector ?? {}));
}

/** `namespaceSelector team=shop, podSelector app=web`, `ipBlock 10.0.0.0/8 except 10.1.0.0/16` */
export function peerText(peer: NetworkPolicyPeer): string {
  if (peer.ipBlock !== undefined) {
    const except = peer.ipBlock.except ?? [];
    return `ipBlock ${peer.ipBlock.cidr}${except.length > 0 ? ` except ${except.join(', ')}` : ''}`;
  }
  const parts: string[] = [];
  if (peer.namespaceSelector !== undefined)
    parts.push(`namespaceSelector ${selectorText(peer.namespaceSelector)}`);
  if (peer.podSelector !== undefined) parts.push(`podSelector ${selectorText(peer.podSelector)}`);
  return parts.join(', ');
}

/** `from` for ingress rules, `to` for egress rules. */
export function peersField(direction: Direction): 'from' | 'to' {
  return direction === 'ingress' ? 'from' : 'to';
}

export { suggestName } from '../base/suggest.ts';

/** Replaces `{{name}}` placeholders; a missing value is a bug in the rule. */
export function interpolate(template: string, data: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, key: string) => {
    const value = data[key];
    if (value === undefined) throw new Error(`message placeholder {{${key}}} has no value`);
    return String(value);
  });
}
