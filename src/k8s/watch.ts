/**
 * A cluster kept in memory: every resource netfence reads (`RESOURCES`) is listed, then watched from the
 * list's resourceVersion; when a watch ends or fails (a timeout, `410 Gone`, a lost connection), the
 * resource is listed again and watched anew. Simple and correct: a relist replaces what is held of that
 * resource, so a missed event never lingers. Never Secrets or ConfigMaps.
 */
import { Watch } from '@kubernetes/client-node';
import { TIER_API_GROUP } from '../model/k8s.ts';
import type { Connection } from './connect.ts';
import { ClusterError } from './errors.ts';
import { convert, fromWatched, isTierResource, listerFor, type ListFn, type Page } from './read.ts';
import { objectId } from './state.ts';
import { RESOURCES, TIER_RESOURCES, type KubeObject, type Resource } from './types.ts';

/** Where the core and apps/batch/networking resources are watched. */
const API_PATH: Record<Exclude<Resource, keyof typeof TIER_RESOURCES>, string> = {
  namespaces: '/api/v1/namespaces',
  pods: '/api/v1/pods',
  deployments: '/apis/apps/v1/deployments',
  replicasets: '/apis/apps/v1/replicasets',
  statefulsets: '/apis/apps/v1/statefulsets',
  daemonsets: '/apis/apps/v1/daemonsets',
  jobs: '/apis/batch/v1/jobs',
  cronjobs: '/apis/batch/v1/cronjobs',
  replicationcontrollers: '/api/v1/replicationcontrollers',
  services: '/api/v1/services',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
  networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies',
  nodes: '/api/v1/nodes',
  ciliumnetworkpolicies: '/apis/cilium.io/v2/ciliumnetworkpolicies',
  ciliumclusterwidenetworkpolicies: '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies',
};

/** A watched resource, or one that could not be listed (left out until the next try). */
export interface WatchEvent {
  resource: Resource;
  kind: 'listed' | 'changed' | 'left-out' | 'error';
  /**
   * For `left-out` and `error`: one line. A resource left out is reported once (and again only if the reason
   * changes), not at each retry; the `listed` event that ends it has a message too (`…: watched now`).
   */
  message?: string;
}

export interface WatchOptions {
  /** Called after each list and each change (the state to answer from is then `objects()`). */
  onEvent?: (event: WatchEvent) => void;
  /** How long to wait before listing a resource again after a failure, in ms. @default 2000 */
  retryMs?: number;
  /** Objects per list request. @default 500 */
  pageSize?: number;
}

export interface ClusterWatch {
  /** Resolves when every resource has been listed once (or left out: not served, or forbidden). */
  ready: Promise<void>;
  /** Whether `ready` has resolved. */
  isReady(): boolean;
  /** Counts every change: equal generations, equal objects. */
  generation(): number;
  /** The objects held, in resource order (the same array until the next change). */
  objects(): readonly KubeObject[];
  /** Ends every watch; no event is reported afterwards. */
  stop(): void;
}

/** A tier kind's lister and watch path, in the first version the API server serves. */
async function tierAccess(
  conn: Connection,
  resource: keyof typeof TIER_RESOURCES,
): Promise<{ first: Page; path: string; list: ListFn }> {
  const versions = TIER_RESOURCES[resource];
  for (const [i, version] of versions.entries()) {
    const list: ListFn = async (page) =>
      (await conn.custom.listClusterCustomObject(
        { group: TIER_API_GROUP, version, plural: resource, ...page },
        conn.options(),
      )) as Page;
    try {
      const first = await conn.call({ verb: 'list', what: resource }, () => list({ limit: 500 }));
      return { first, path: `/apis/${TIER_API_GROUP}/${version}/${resource}`, list };
    } catch (error) {
      if (i < versions.length - 1 && error instanceof ClusterError && error.status === 404) continue;
      throw error;
    }
  }
  throw new ClusterError(`no version of ${resource} is served`, 404, 'NotFound');
}

/** The longest wait before listing a refused resource again. */
export const REFUSED_RETRY_MAX_MS = 30_000;

/**
 * What to do after the `refused`-th refusal in a row (403 Forbidden, 404 Not Found) of a resource: a resource
 * that was listed until then (`served`) keeps what is held at its first refusal and is tried again after
 * `retryMs` (an API server that has just restarted refuses until its authorizer is ready); otherwise what is
 * held is dropped (left out: forbidden, or a CRD not installed) and the waits double from `retryMs` up to 30 s.
 */
export function afterRefusal(
  refused: number,
  served: boolean,
  retryMs: number,
): { drop: boolean; waitMs: number } {
  if (served && refused === 1) return { drop: false, waitMs: retryMs };
  return { drop: true, waitMs: Math.min(REFUSED_RETRY_MAX_MS, retryMs * 2 ** Math.min(refused - 1, 16)) };
}

function keyOf(o: KubeObject): string {
  return objectId(o);
}

/** Lists and watches every resource until `stop()`. */
export function watchCluster(conn: Connection, options: WatchOptions = {}): ClusterWatch {
  const retryMs = options.retryMs ?? 2000;
  const pageSize = options.pageSize ?? 500;
  const held = new Map<Resource, Map<string, KubeObject>>(RESOURCES.map((r) => [r, new Map()]));
  const listedOnce = new Set<Resource>();
  /** Resources not served or forbidden at the last try, with the reason reported. */
  const leftOut = new Map<Resource, string>();
  const aborts = new Set<AbortController>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let generation = 0;
  let cached: { generation: number; objects: KubeObject[] } | undefined;
  let markReady: () => void = () => undefined;
  let ready = false;
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));
  const report = (event: WatchEvent): void => {
    if (!stopped) options.onEvent?.(event);
  };
  const listed = (resource: Resource): void => {
    listedOnce.add(resource);
    if (!ready && listedOnce.size === RESOURCES.length) {
      ready = true;
      markReady();
    }
  };
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const listAll = async (
    resource: Resource,
  ): Promise<{ items: KubeObject[]; resourceVersion: string; path: string }> => {
    let list: ListFn;
    let path: string;
    let page: Page;
    const attempt = { verb: 'list', what: resource };
    if (isTierResource(resource)) {
      const access = await tierAccess(conn, resource);
      ({ list, path } = access);
      page = access.first;
    } else {
      list = listerFor(conn, resource, undefined);
      path = API_PATH[resource];
      page = await conn.call(attempt, () => list({ limit: pageSize }));
    }
    const resourceVersion = page.metadata?.resourceVersion ?? '';
    const items: KubeObject[] = [];
    for (;;) {
      for (const item of page.items) items.push(convert(resource, item));
      const token = page.metadata?._continue;
      if (token === undefined || token === '') break;
      page = await conn.call(attempt, () => list({ limit: pageSize, _continue: token }));
    }
    return { items, resourceVersion, path };
  };

  const watchFrom = (resource: Resource, path: string, resourceVersion: string): Promise<void> =>
    new Promise((resolve) => {
      const watch = new Watch(conn.kubeConfig);
      let controller: AbortController | undefined;
      const finish = (err: unknown): void => {
        if (controller !== undefined) aborts.delete(controller);
        if (err !== null && err !== undefined && !stopped)
          report({
            resource,
            kind: 'error',
            message: `watch of ${resource} ended: ${err instanceof Error ? err.message : JSON.stringify(err)}`,
          });
        resolve();
      };
      watch
        .watch(
          path,
          { resourceVersion, allowWatchBookmarks: true },
          (phase: string, object: unknown) => {
            if (stopped) return;
            const map = held.get(resource)!;
            if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') {
              const o = fromWatched(resource, object);
              if (phase === 'DELETED') map.delete(keyOf(o));
              else map.set(keyOf(o), o);
              generation++;
              report({ resource, kind: 'changed' });
            } else if (phase === 'ERROR') {
              // 410 Gone (the resourceVersion is too old) and the like: list again.
              controller?.abort();
            }
          },
          finish,
        )
        .then((c) => {
          controller = c;
          aborts.add(c);
          if (stopped) c.abort();
        }, finish);
    });

  const run = async (resource: Resource): Promise<void> => {
    /** Refusals (403, 404) in a row, and whether the last try before them listed the resource. */
    let refused = 0;
    let served = false;
    while (!stopped) {
      try {
        const { items, resourceVersion, path } = await listAll(resource);
        if (stopped) return;
        refused = 0;
        served = true;
        held.set(resource, new Map(items.map((o) => [keyOf(o), o])));
        generation++;
        listed(resource);
        const wasLeftOut = leftOut.delete(resource);
        report({ resource, kind: 'listed', ...(wasLeftOut ? { message: `${resource}: watched now` } : {}) });
        await watchFrom(resource, path, resourceVersion);
      } catch (error) {
        if (stopped) return;
        const status = error instanceof ClusterError ? error.status : undefined;
        if (status === 403 || status === 404) {
          refused++;
          const plan = afterRefusal(refused, served, retryMs);
          if (!plan.drop) {
            // Watched until now: most likely refused for a moment (an API server just restarted answers 403
            // until its authorizer has read the RBAC objects). What is held is kept; try again soon.
            report({
              resource,
              kind: 'error',
              message: error instanceof Error ? error.message : String(error),
            });
            await wait(plan.waitMs);
            continue;
          }
          served = false;
          // Forbidden, or not served (a tier CRD not installed): nothing of it is held; try again later.
          if (held.get(resource)!.size > 0) {
            held.set(resource, new Map());
            generation++;
          }
          listed(resource);
          const message = `${resource}: ${status === 403 ? 'forbidden' : 'not served'}`;
          if (leftOut.get(resource) !== message) report({ resource, kind: 'left-out', message });
          leftOut.set(resource, message);
          await wait(plan.waitMs);
          continue;
        }
        report({
          resource,
          kind: 'error',
          message: error instanceof Error ? error.message : String(error),
        });
        await wait(retryMs);
      }
    }
  };
  for (const r of RESOURCES) void run(r);

  return {
    ready: readyPromise,
    isReady: () => ready,
    generation: () => generation,
    objects() {
      if (cached?.generation !== generation)
        cached = { generation, objects: RESOURCES.flatMap((r) => [...held.get(r)!.values()]) };
      return cached.objects;
    },
    stop() {
      stopped = true;
      for (const c of aborts) c.abort();
      for (const t of timers) clearTimeout(t);
      aborts.clear();
      timers.clear();
    },
  };
}
