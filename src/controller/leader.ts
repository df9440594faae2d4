/**
 * Leader election over a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it: the holder
 * renews `renewTime` every `retryMs`; a candidate takes the Lease over when its holder is empty (released on
 * shutdown) or when the record has not changed for `leaseDurationMs` by the candidate's own clock (no clock
 * skew between replicas matters). Every write is conditional on the resourceVersion read, so two candidates
 * never both win. A leader that cannot renew for `renewDeadlineMs` steps down.
 */
import { ClusterError } from '../k8s/errors.ts';
import type { StoredObject } from '../k8s/controller.ts';

export interface LeaseStore {
  get(): Promise<StoredObject | undefined>;
  create(body: StoredObject): Promise<StoredObject>;
  replace(body: StoredObject): Promise<StoredObject>;
}

export interface ElectionOptions {
  identity: string;
  /** @default 15000 */
  leaseDurationMs?: number;
  /** @default 10000 */
  renewDeadlineMs?: number;
  /** @default 2000 */
  retryMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  /** A failed try, one line (logged; the election goes on). */
  onError?: (message: string) => void;
  now?: () => Date;
}

export interface Election {
  isLeader(): boolean;
  /** Stops trying; a leader releases the Lease (empties its holder) so that another takes over at once. */
  stop(): Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function runElection(
  store: LeaseStore,
  name: string,
  namespace: string,
  options: ElectionOptions,
): Election {
  const leaseMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryMs = options.retryMs ?? 2000;
  const now = options.now ?? (() => new Date());
  let leader = false;
  let stopped = false;
  let lastRenew = 0;
  /** The record last seen, and when (by this clock) it last changed. */
  let observed: { record: string; at: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const setLeader = (value: boolean): void => {
    if (value === leader) return;
    leader = value;
    if (value) options.onStartedLeading();
    else options.onStoppedLeading();
  };

  const body = (spec: LeaseSpec, resourceVersion?: string): StoredObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec,
  });

  const attempt = async (): Promise<boolean> => {
    const t = now();
    const lease = await store.get();
    const mine: LeaseSpec = {
      holderIdentity: options.identity,
      leaseDurationSeconds: Math.ceil(leaseMs / 1000),
      renewTime: microTime(t),
    };
    if (lease === undefined) {
      await store.create(body({ ...mine, acquireTime: microTime(t), leaseTransitions: 0 }));
      return true;
    }
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const record = JSON.stringify(spec);
    if (observed?.record !== record) observed = { record, at: t.getTime() };
    const holder = spec.holderIdentity ?? '';
    if (holder === options.identity) {
      await store.replace(body({ ...spec, ...mine }, lease.metadata.resourceVersion));
      return true;
    }
    const duration = (spec.leaseDurationSeconds ?? leaseMs / 1000) * 1000;
    if (holder !== '' && observed.at + duration > t.getTime()) return false;
    await store.replace(
      body(
        { ...mine, acquireTime: microTime(t), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 },
        lease.metadata.resourceVersion,
      ),
    );
    return true;
  };

  const tick = async (): Promise<void> => {
    try {
      const won = await attempt();
      if (won) lastRenew = Date.now();
      setLeader(won);
    } catch (error) {
      const conflict =
        error instanceof ClusterError && (error.status === 409 || error.reason === 'AlreadyExists');
      if (!conflict) options.onError?.(error instanceof Error ? error.message : String(error));
      // Someone else wrote first (a conflict), or the API server is unreachable: a leader keeps leading
      // until its renew deadline passes.
      if (leader && (conflict || Date.now() - lastRenew > renewDeadlineMs)) setLeader(false);
    }
  };

  const loop = (): void => {
    if (stopped) return;
    running = tick().then(() => {
      if (!stopped) timer = setTimeout(loop, retryMs);
    });
  };
  loop();

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
      if (!leader) return;
      try {
        const lease = await store.get();
        const spec = (lease?.spec ?? {}) as LeaseSpec;
        if (lease !== undefined && spec.holderIdentity === options.identity)
          await store.replace(
            body(
              { ...spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now()) },
              lease.metadata.resourceVersion,
            ),
          );
      } catch (error) {
        options.onError?.(
          `could not release the lease: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      setLeader(false);
    },
  };
}
