/**
 * Flow endpoints → workloads of the cluster state. Pure.
 *
 * An end is matched, in this order, by the workload the input names (Hubble's `workloads[]`, the CSV
 * `workload` column), by pod name (exactly, or by the names controllers give their pods:
 * `<deployment>-<hash>-<5 chars>`, `<statefulset>-<ordinal>`, `<daemonset>-<5 chars>`,
 * `<cronjob>-<schedule>-<5 chars>`...), then by IP address (pod IPs; Service cluster IPs translate to the
 * Service's workloads and target port). An end with a namespace that matches nothing is unmatched and
 * reported; an address that is no pod's stays an address.
 */
import type { ClusterState, PodInfo, ServiceInfo, WorkloadInfo } from '../model/cluster.ts';
import { parseIp, formatIp } from '../base/ip.ts';
import type { Protocol } from '../model/k8s.ts';
import { compileSelector, selectorMatches } from '../engine/selectors.ts';
import type { FlowEnd, RawEnd } from './types.ts';

export type Resolution =
  /** `id`: the end's small integer, one per distinct end of this matcher (`FlowMatcher.intern`). */
  | { kind: 'end'; end: FlowEnd; id: number }
  /** A Service cluster IP: the connection goes to these workloads, each on its target port. */
  | { kind: 'service'; service: string; ip: string }
  | {
      kind: 'unmatched';
      key: string;
      description: string;
      namespace: string;
      pod?: string;
      workload?: string;
      ip?: string;
    }
  | { kind: 'invalid'; message: string };

/** Pod name suffixes each controller generates, after `<workload name>-`. */
const POD_SUFFIX: Readonly<Record<string, RegExp>> = {
  Deployment: /^[a-z0-9]{1,10}-[a-z0-9]{5}$/,
  ReplicaSet: /^[a-z0-9]{5}$/,
  ReplicationController: /^[a-z0-9]{5}$/,
  DaemonSet: /^[a-z0-9]{5}$/,
  Job: /^[a-z0-9]{5}$/,
  StatefulSet: /^[0-9]+$/,
  CronJob: /^[0-9]+-[a-z0-9]{5}$/,
};

/** When a name alone is ambiguous between kinds, the more common owner wins. */
const KIND_ORDER = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'Job',
  'ReplicaSet',
  'ReplicationController',
  'Pod',
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** A canonical IP text (`::ffff:a.b.c.d` and zero-padded forms compare equal), or undefined. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip.family, ip.value);
}

type Level<T> = Map<string, T>;

/** The map under `key` (absent: the empty text; flow fields are never empty), created when new. */
function level<T>(map: Level<Level<T>>, key: string | undefined): Level<T> {
  const k = key ?? '';
  let next = map.get(k);
  if (next === undefined) {
    next = new Map();
    map.set(own(k), next);
  }
  return next;
}

/**
 * A copy of a text to keep: a field cut from a line is a slice of the whole piece of the capture it was read
 * in, which a kept slice would keep in memory.
 */
export function own(text: string): string {
  return `${text}\u0000`.slice(0, -1);
}

function ownOrAbsent(text: string | undefined): string | undefined {
  return text === undefined ? undefined : own(text);
}

export interface ServiceTarget {
  workload: string;
  port: number;
}

/** An end with its small integer: one object per distinct end of a matcher. */
export interface InternedEnd {
  end: FlowEnd;
  id: number;
}

export class FlowMatcher {
  readonly state: ClusterState;
  private readonly workloadById = new Map<string, WorkloadInfo>();
  /** namespace → workload name → workloads (several kinds may share a name). */
  private readonly byName = new Map<string, Map<string, WorkloadInfo[]>>();
  private readonly podByKey = new Map<string, PodInfo>();
  /** Unique pod IPs (host-network pods share their node's address: they stay addresses). */
  private readonly podByIp = new Map<string, PodInfo | null>();
  private readonly serviceByIp = new Map<string, ServiceInfo>();
  /** Resolutions by namespace, pod, workload kind, workload and IP: a lookup per field, no key text built. */
  private readonly cache: Level<Level<Level<Level<Level<Resolution>>>>> = new Map();
  private readonly podsOfWorkload = new Map<string, PodInfo[]>();
  private readonly targetCache = new Map<string, ServiceTarget[]>();
  /** The ends of `serviceTargets`, interned, by the same key. */
  private readonly targetEndCache = new Map<string, { ends: InternedEnd[]; ports: number[] }>();
  /** Pod name → the fields and resolution of the last end that named it (`resolveFields`). */
  private readonly lastOfPod = new Map<
    string,
    {
      namespace: string | undefined;
      workloadKind: string | undefined;
      workload: string | undefined;
      ip: string | undefined;
      resolution: Resolution;
    }
  >();
  /** Workload ids and (by `x:`) addresses → their interned end. */
  private readonly interned = new Map<string, InternedEnd>();

  constructor(state: ClusterState) {
    this.state = state;
    for (const w of state.workloads) {
      this.workloadById.set(w.id, w);
      let names = this.byName.get(w.namespace);
      if (names === undefined) {
        names = new Map<string, WorkloadInfo[]>();
        this.byName.set(w.namespace, names);
      }
      const list = names.get(w.name);
      if (list === undefined) names.set(w.name, [w]);
      else list.push(w);
    }
    for (const list of [...this.byName.values()].flatMap((m) => [...m.values()])) {
      list.sort((a, b) => kindRank(a.kind) - kindRank(b.kind));
    }
    for (const p of state.pods) {
      const list = this.podsOfWorkload.get(p.workload);
      if (list === undefined) this.podsOfWorkload.set(p.workload, [p]);
      else list.push(p);
      if (p.template) continue;
      this.podByKey.set(`${p.namespace}/${p.name}`, p);
      if (p.hostNetwork) continue;
      for (const ip of p.ips) {
        const key = canonicalIp(ip);
        if (key === undefined) continue;
        this.podByIp.set(key, this.podByIp.has(key) ? null : p);
      }
    }
    for (const s of state.services) {
      if (s.spec.selector === undefined || Object.keys(s.spec.selector).length === 0) continue;
      for (const ip of [s.spec.clusterIP, ...(s.spec.clusterIPs ?? [])]) {
        if (ip === undefined || ip === 'None' || ip === '') continue;
        const key = canonicalIp(ip);
        if (key !== undefined) this.serviceByIp.set(key, s);
      }
    }
  }

  workload(id: string): WorkloadInfo | undefined {
    return this.workloadById.get(id);
  }

  /**
   * The one object of an end, with its small integer (the aggregator's key): workloads by id, addresses by
   * their text, so that equal ends are one object whichever way they were found.
   */
  intern(end: FlowEnd): InternedEnd {
    const key = end.kind === 'workload' ? end.id : `x:${end.ip}`;
    let e = this.interned.get(key);
    if (e === undefined) {
      e = { end, id: this.interned.size };
      this.interned.set(key, e);
    }
    return e;
  }

  /** Resolves one end, memoized: the cost grows with distinct endpoints, not with flows. */
  resolve(raw: RawEnd): Resolution {
    return this.resolveFields(raw.namespace, raw.pod, raw.workloadKind, raw.workload, raw.ip);
  }

  /** `resolve` of an end given field by field (absent: undefined), without a `RawEnd` object. */
  resolveFields(
    namespace: string | undefined,
    pod: string | undefined,
    workloadKind: string | undefined,
    workload: string | undefined,
    ip: string | undefined,
  ): Resolution {
    // A pod's flows name it with the same namespace, workload and address: one lookup by the pod's name and
    // four comparisons instead of a lookup per field.
    const last = pod === undefined ? undefined : this.lastOfPod.get(pod);
    if (
      last !== undefined &&
      last.namespace === namespace &&
      last.workloadKind === workloadKind &&
      last.workload === workload &&
      last.ip === ip
    ) {
      return last.resolution;
    }
    const byIp = level(level(level(level(this.cache, namespace), pod), workloadKind), workload);
    const ipKey = ip ?? '';
    let r = byIp.get(ipKey);
    if (pod !== undefined && r !== undefined) {
      this.lastOfPod.set(own(pod), {
        namespace: ownOrAbsent(namespace),
        workloadKind: ownOrAbsent(workloadKind),
        workload: ownOrAbsent(workload),
        ip: ownOrAbsent(ip),
        resolution: r,
      });
    }
    if (r === undefined) {
      // The resolution keeps some of these texts (an unmatched end's names): copies of them.
      const raw: RawEnd = {};
      if (namespace !== undefined) raw.namespace = own(namespace);
      if (pod !== undefined) raw.pod = own(pod);
      if (workloadKind !== undefined) raw.workloadKind = own(workloadKind);
      if (workload !== undefined) raw.workload = own(workload);
      if (ip !== undefined) raw.ip = own(ip);
      r = this.resolveUncached(raw);
      byIp.set(own(ipKey), r);
    }
    return r;
  }

  private endResolution(end: FlowEnd): Resolution {
    const { id, end: interned } = this.intern(end);
    return { kind: 'end', end: interned, id };
  }

  private resolveUncached(raw: RawEnd): Resolution {
    let ip: string | undefined;
    if (raw.ip !== undefined) {
      ip = canonicalIp(raw.ip);
      if (ip === undefined) return { kind: 'invalid', message: `"${raw.ip}" is not an IP address` };
    }
    const ns = raw.namespace;
    if (ns !== undefined) {
      const w = this.byWorkload(ns, raw.workload, raw.workloadKind) ?? this.byPod(ns, raw.pod);
      if (w !== undefined) return this.endResolution({ kind: 'workload', id: w.id });
    }
    if (ip !== undefined) {
      const pod = this.podByIp.get(ip);
      if (pod !== undefined && pod !== null && (ns === undefined || pod.namespace === ns)) {
        return this.endResolution({ kind: 'workload', id: pod.workload });
      }
      if (ns === undefined) {
        const svc = this.serviceByIp.get(ip);
        if (svc !== undefined) return { kind: 'service', service: svc.id, ip };
        return this.endResolution({ kind: 'external', ip });
      }
    }
    if (ns === undefined)
      return { kind: 'invalid', message: 'the endpoint has neither a namespace nor an IP address' };
    const name = raw.pod ?? raw.workload ?? ip ?? '';
    const what = raw.pod !== undefined ? 'pod' : raw.workload !== undefined ? 'workload' : 'IP';
    const out: Resolution = {
      kind: 'unmatched',
      key: `${ns}/${name}`,
      description: `${ns}/${name} (${what})`,
      namespace: ns,
    };
    if (raw.pod !== undefined) out.pod = raw.pod;
    if (raw.workload !== undefined) out.workload = raw.workload;
    if (ip !== undefined) out.ip = ip;
    return out;
  }

  private byWorkload(
    ns: string,
    name: string | undefined,
    kind: string | undefined,
  ): WorkloadInfo | undefined {
    if (name === undefined) return undefined;
    let wanted = kind;
    let bare = name;
    const slash = name.indexOf('/');
    if (slash > 0 && wanted === undefined) {
      wanted = name.slice(0, slash);
      bare = name.slice(slash + 1);
    }
    const list = this.byName.get(ns)?.get(bare);
    if (list === undefined) return undefined;
    if (wanted !== undefined) {
      const exact = list.find((w) => w.kind.toLowerCase() === wanted.toLowerCase());
      if (exact !== undefined) return exact;
    }
    return list[0];
  }

  private byPod(ns: string, pod: string | undefined): WorkloadInfo | undefined {
    if (pod === undefined) return undefined;
    const real = this.podByKey.get(`${ns}/${pod}`);
    if (real !== undefined) return this.workloadById.get(real.workload);
    const names = this.byName.get(ns);
    if (names === undefined) return undefined;
    // A bare pod given only by its manifest is its own workload.
    const bare = names.get(pod)?.find((w) => w.kind === 'Pod');
    if (bare !== undefined) return bare;
    // The longest workload name that prefixes the pod name with its controller's suffix.
    for (let i = pod.lastIndexOf('-'); i > 0; i = pod.lastIndexOf('-', i - 1)) {
      const candidates = names.get(pod.slice(0, i));
      if (candidates === undefined) continue;
      const suffix = pod.slice(i + 1);
      const w = candidates.find((c) => POD_SUFFIX[c.kind]?.test(suffix) === true);
      if (w !== undefined) return w;
    }
    return undefined;
  }

  /**
   * The workloads behind a Service IP and the port each receives: NetworkPolicy applies after the Service's
   * address translation, so a connection to `service:port` is a connection to its pods on the target port.
   */
  serviceTargets(serviceId: string, protocol: Protocol, port: number): ServiceTarget[] {
    const key = `${serviceId} ${protocol} ${port}`;
    let out = this.targetCache.get(key);
    if (out === undefined) {
      out = this.computeServiceTargets(serviceId, protocol, port);
      this.targetCache.set(key, out);
    }
    return out;
  }

  /** `serviceTargets` as interned ends and their ports (the aggregator's form), memoized alike. */
  serviceTargetEnds(
    serviceId: string,
    protocol: Protocol,
    port: number,
  ): { ends: InternedEnd[]; ports: number[] } {
    const key = `${serviceId} ${protocol} ${port}`;
    let out = this.targetEndCache.get(key);
    if (out === undefined) {
      const targets = this.serviceTargets(serviceId, protocol, port);
      out = {
        ends: targets.map((t) => this.intern({ kind: 'workload', id: t.workload })),
        ports: targets.map((t) => t.port),
      };
      this.targetEndCache.set(key, out);
    }
    return out;
  }

  private computeServiceTargets(serviceId: string, protocol: Protocol, port: number): ServiceTarget[] {
    const svc = this.state.services.find((s) => s.id === serviceId);
    // `selector: {}` is stored as none by the API server: no endpoints come from it (kubernetes#25836).
    const selector = svc?.spec.selector;
    if (svc === undefined || selector === undefined || Object.keys(selector).length === 0) return [];
    const sp = (svc.spec.ports ?? []).find((p) => p.port === port && (p.protocol ?? 'TCP') === protocol);
    if (sp === undefined) return [];
    const compiled = compileSelector({ matchLabels: selector });
    const out: ServiceTarget[] = [];
    for (const w of this.state.workloads) {
      if (w.namespace !== svc.namespace) continue;
      const pods = this.podsOfWorkload.get(w.id) ?? [];
      const pod = pods.find((p) => selectorMatches(compiled, p.labels));
      if (pod === undefined) continue;
      const target = sp.targetPort ?? sp.port;
      if (typeof target === 'number') out.push({ workload: w.id, port: target });
      else {
        const named = pod.namedPorts.find((n) => n.name === target && n.protocol === protocol);
        if (named !== undefined) out.push({ workload: w.id, port: named.port });
      }
    }
    return out;
  }
}
