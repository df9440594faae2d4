/** Shared by the flow and generate tests: the fixture cluster, and connections as short strings. */
import assert from 'node:assert/strict';
import { loadManifests } from '../../src/parse/index.ts';
import type { FlowEnd, ObservedConnection } from '../../src/flows/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';

export const FIXTURES = new URL('../fixtures/flows/', import.meta.url).pathname;
export const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

export async function loadState(path: string): Promise<ClusterState> {
  const result = await loadManifests([path], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(result.errors, [], `the manifests of ${path} are valid`);
  return result.state;
}

function end(e: FlowEnd): string {
  return e.kind === 'workload' ? e.id : e.ip;
}

/** `app/Deployment/web → app/Deployment/api TCP 8080 ×3 (1 denied) 10:00:01–10:03:20` */
export function describe(c: ObservedConnection): string {
  const denied = c.denied > 0 ? ` (${c.denied} denied)` : '';
  const time = (t: number | undefined): string =>
    t === undefined ? '-' : new Date(t).toISOString().slice(11, 19);
  const when = c.firstSeen === undefined ? '' : ` ${time(c.firstSeen)}–${time(c.lastSeen)}`;
  return `${end(c.src)} → ${end(c.dst)} ${c.protocol} ${c.port} ×${c.count}${denied}${when}`;
}
