/**
 * The snapshot file: a `kind: List` of exactly the objects a cluster read keeps, so that
 * `netfence analyze snapshot.yaml` builds the state `analyze --cluster` built. Pure.
 */
import { stringify } from 'yaml';
import { RESOURCES, KIND_OF, type KubeObject, type ReadScope } from './types.ts';

export interface SnapshotInfo {
  context: string;
  server: string;
  scope: ReadScope;
  /** When the cluster was read (ISO 8601). */
  takenAt: string;
}

export type SnapshotFormat = 'yaml' | 'json';

/** `6 Namespace, 40 Pod, 12 Deployment`: the kinds in resource order. */
export function describeCounts(objects: readonly KubeObject[]): string {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  const parts: string[] = [];
  for (const r of RESOURCES) {
    const kind = KIND_OF[r];
    const n = counts.get(kind);
    if (n !== undefined) parts.push(`${n} ${kind}`);
  }
  return parts.length === 0 ? 'no objects' : parts.join(', ');
}

/**
 * The snapshot text. YAML is written so that YAML 1.1 and 1.2 readers agree (`"yes"`, `"0755"` quoted) and
 * starts with comments saying what it holds; JSON is the bare List.
 */
export function snapshotText(
  objects: readonly KubeObject[],
  info: SnapshotInfo,
  format: SnapshotFormat,
): string {
  const list = { apiVersion: 'v1', kind: 'List', items: objects };
  if (format === 'json') return `${JSON.stringify(list, null, 2)}\n`;
  const scope = info.scope.kind === 'all' ? 'all namespaces' : `namespace "${info.scope.namespace}"`;
  const header = [
    '# netfence snapshot: the objects `netfence analyze --cluster` reads, stripped to what the analysis uses',
    '# (no Secrets, no ConfigMaps, no status but pod phases and IPs and node addresses, no annotations but netfence.io/* and deployment.kubernetes.io/revision).',
    `# context "${info.context}" at ${info.server}, ${scope}, read ${info.takenAt}`,
    `# ${objects.length} objects: ${describeCounts(objects)}`,
    '# Analyze it offline: netfence analyze <this file>',
  ];
  return `${header.join('\n')}\n${stringify(list, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false })}`;
}
