/**
 * What-if drafts, pure: the policies as the user edits them, turned into the request the server checks and
 * into the YAML to export. Nothing here (nor on the server) writes to a cluster.
 */
import type { WhatIfChangeJson } from '../../src/contract/api.ts';
import type { DiffSummaryJson } from '../../src/contract/diff.ts';

export interface Draft {
  /** The policy it changes (`namespace/name`, or `Kind/name` for a cluster policy), or null for a new one. */
  target: string | null;
  /** The YAML as edited; null when the policy is turned off. */
  yaml: string | null;
  /** The YAML it started from (empty for a new policy). */
  original: string;
}

/** One change of the request. */
export type Change = WhatIfChangeJson;

/** Whether a draft changes anything. */
export function isChanged(d: Draft): boolean {
  return d.target === null || d.yaml === null || d.yaml !== d.original;
}

/** The request body of `POST /api/whatif`, and for each change the index of its draft. */
export function toRequest(drafts: readonly Draft[]): { changes: Change[]; draftOf: number[] } {
  const changes: Change[] = [];
  const draftOf: number[] = [];
  drafts.forEach((d, i) => {
    if (!isChanged(d)) return;
    const c: Change = {};
    if (d.target !== null) c.target = d.target;
    if (d.yaml !== null) c.yaml = d.yaml;
    changes.push(c);
    draftOf.push(i);
  });
  return { changes, draftOf };
}

/**
 * The edited and new policies as one YAML stream, ready for `kubectl apply -f`, with a comment listing the
 * policies turned off (to delete).
 */
export function exportYaml(drafts: readonly Draft[]): string {
  const docs = drafts
    .filter((d) => d.yaml !== null && isChanged(d))
    .map((d) => d.yaml!.replace(/\s+$/, '') + '\n');
  const off = drafts.filter((d) => d.yaml === null && d.target !== null).map((d) => d.target!);
  const header = ['# Policies edited in netfence serve (what-if). Review, then apply them yourself.'];
  if (off.length > 0) header.push(`# Turned off (delete them): ${off.join(', ')}`);
  return `${header.join('\n')}\n${docs.map((d) => `---\n${d}`).join('')}`;
}

/** The skeleton of a new policy in a namespace. */
export function newPolicyYaml(namespace: string, name = 'new-policy'): string {
  return [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    '  podSelector: {}',
    '  policyTypes: [Ingress]',
    '  ingress: []',
    '',
  ].join('\n');
}

/** The skeleton of a new ClusterNetworkPolicy: Admin tier, denying nothing yet. */
export function newClusterPolicyYaml(name = 'new-cluster-policy'): string {
  return [
    'apiVersion: policy.networking.k8s.io/v1beta1',
    'kind: ClusterNetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  tier: Admin # or Baseline (after NetworkPolicies)',
    '  priority: 100 # 0-1000, lower first',
    '  subject:',
    '    namespaces: {}',
    '  ingress: []',
    '',
  ].join('\n');
}

/** Whether a draft's YAML is a cluster policy (listed apart from namespaces). */
export function isClusterPolicyYaml(yaml: string): boolean {
  return /^kind:\s*(ClusterNetworkPolicy|AdminNetworkPolicy|BaselineAdminNetworkPolicy|CiliumClusterwideNetworkPolicy)\s*$/m.test(
    yaml,
  );
}

/** `2` when both sides count as many changed connections, else `2 → 1` (before → after), as `diff` writes it. */
export function changedCount(s: Pick<DiffSummaryJson, 'before' | 'after'>): string {
  return s.before.changed === s.after.changed
    ? `${s.before.changed}`
    : `${s.before.changed} → ${s.after.changed}`;
}

/**
 * The heading of the list of changes: connections as the summary (and `analyze`, on each side) counts them,
 * and the rows (a row is pairs to or from address ranges with the same change).
 */
export function changesHeading(
  s: Pick<DiffSummaryJson, 'added' | 'removed' | 'before' | 'after'>,
  rows: number,
): string {
  return `Connection changes (+${s.added}, −${s.removed}, ${changedCount(s)} changed in ${rows} row${rows === 1 ? '' : 's'})`;
}

/**
 * The policy changes of a what-if, as `diff` counts them: `policies: 1 modified · cluster policies: 1 added,
 * 1 removed`; null when no policy changes.
 */
export function policyChangeCounts(
  s: Omit<DiffSummaryJson, 'added' | 'removed' | 'changed' | 'unchanged' | 'before' | 'after'>,
  cilium: readonly { change: 'added' | 'removed' | 'modified' }[] = [],
): string | null {
  const count = (change: string): number => cilium.filter((p) => p.change === change).length;
  const part = (noun: string, added: number, removed: number, modified: number): string | null => {
    const counts = [
      added > 0 ? `${added} added` : null,
      removed > 0 ? `${removed} removed` : null,
      modified > 0 ? `${modified} modified` : null,
    ].filter((x) => x !== null);
    return counts.length === 0 ? null : `${noun}: ${counts.join(', ')}`;
  };
  const parts = [
    part('policies', s.policiesAdded, s.policiesRemoved, s.policiesModified),
    part('cluster policies', s.clusterPoliciesAdded, s.clusterPoliciesRemoved, s.clusterPoliciesModified),
    part('Cilium policies', count('added'), count('removed'), count('modified')),
  ].filter((x) => x !== null);
  return parts.length === 0 ? null : parts.join(' · ');
}
