/**
 * One analysis of one cluster state, as the web UI asks about it: computed once when the state is loaded,
 * the rest (explanations, attack paths, what-if) on request. Every answer is JSON-ready; a bad query is an
 * `ApiError` (a 400 with a one-line message), never a stack trace.
 */
import type {
  ApiPathsJson,
  ExplainAnswerJson,
  ModelJson,
  NamespaceConnectionsJson,
  PathStepJson,
  TrafficJson,
  WhatIfJson,
  WorkloadDetailJson,
} from '../contract/api.ts';
import type { LintJson } from '../contract/lint.ts';
import type { CompiledCluster, EngineOptions } from '../engine/compile.ts';
import { externalId, type Connectivity } from '../engine/connectivity.ts';
import { explainEntities, parsePortQuery } from '../engine/explain.ts';
import { computeExposure } from '../engine/exposure.ts';
import {
  attackPath,
  attackReach,
  blastRadius,
  buildLateralGraph,
  type LateralGraph,
} from '../engine/paths.ts';
import { formatPorts } from '../describe/ports.ts';
import { ALL_CONNECTIONS, type PortSet } from '../engine/ports.ts';
import { resolveRefText, type RefIndex } from '../engine/refs.ts';
import { openSession, type ClusterSession } from '../engine/session.ts';
import { explainToJson, explanationToText } from '../format/explain.ts';
import { exposureToJson } from '../format/exposure.ts';
import { lintToJson } from '../format/lint.ts';
import type { ObservedTraffic } from '../flows/types.ts';
import type { LintConfig } from '../lint/config.ts';
import { RULES } from '../lint/registry.ts';
import { lint } from '../lint/run.ts';
import type { ClusterState } from '../model/cluster.ts';
import type { ParsedObject } from '../parse/types.ts';
import { buildModel, connectionsOfNamespace, type SourceInfo } from './model.ts';
import { renderPolicy } from './sources.ts';
import { trafficOverlay } from './traffic.ts';
import { parseWhatIfRequest, WhatIfRequestError } from './whatif.ts';
import { WhatIfStopped, WhatIfThread } from './whatif-thread.ts';

/** A query the API cannot answer: a 4xx with a one-line message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export interface AnalysisInput {
  state: ClusterState;
  source: SourceInfo;
  engine: EngineOptions;
  /** Namespace of objects that name none (and of new what-if policies). */
  defaultNamespace: string;
  /** The manifests as parsed, for the linter's YAML checks; empty for a cluster. */
  sources: readonly ParsedObject[];
  /** YAML of each policy as written, by id. */
  policyYaml: ReadonlyMap<string, string>;
  lintConfig: LintConfig;
  traffic?: ObservedTraffic | undefined;
  /** Bumped on every reload. */
  version: number;
  watch: boolean;
}

/** A workload whose pods differ is explained per pair of pod classes: keep it to a readable few. */
const MAX_PAIRS = 20;

export class Analysis {
  readonly input: AnalysisInput;
  /** The engine's view of the state: compiled, connectivity and references, each computed once. */
  readonly session: ClusterSession;
  readonly compiled: CompiledCluster;
  readonly connectivity: Connectivity;
  readonly index: RefIndex;
  #model: ModelJson | undefined;
  #lint: LintJson | undefined;
  #graph: LateralGraph | undefined;
  #flows: TrafficJson | undefined;
  #whatIfThread: WhatIfThread | undefined;
  #closed = false;

  constructor(input: AnalysisInput) {
    this.input = input;
    this.session = openSession(input.state, input.engine);
    this.compiled = this.session.compiled;
    this.connectivity = this.session.connectivity('workload');
    this.index = this.session.refs('workload');
  }

  get version(): number {
    return this.input.version;
  }

  model(): ModelJson {
    this.#model ??= buildModel({
      compiled: this.compiled,
      connectivity: this.connectivity,
      index: this.index,
      source: this.input.source,
      policyYaml: this.input.policyYaml,
      renderPolicy,
      version: this.input.version,
      flows: this.input.traffic !== undefined,
      watch: this.input.watch,
    });
    return this.#model;
  }

  connections(namespace: string | null): NamespaceConnectionsJson {
    if (namespace === null || namespace === '') throw new ApiError('give ?namespace=NAME');
    if (!this.input.state.namespaces.some((n) => n.name === namespace))
      throw new ApiError(`no namespace "${namespace}"`, 404);
    return connectionsOfNamespace(this.index, this.connectivity, namespace);
  }

  /** Resolves one end: an entity id (`shop/Deployment/web`, `external:3`), or any reference `explain` takes. */
  #entity(option: string, text: string | null): string {
    if (text === null || text.trim() === '') throw new ApiError(`give ?${option}=namespace/workload`);
    if (this.index.byId.has(text)) return text;
    const r = resolveRefText(this.index, text);
    if (!r.ok) throw new ApiError(`${option}: ${r.error.message}`);
    if (r.value.entities.length > 1 && r.value.ref.kind !== 'cidr') {
      throw new ApiError(
        `${option} "${text}" matches ${r.value.entities.length} workloads; explain takes one: name it`,
      );
    }
    return r.value.entities[0]!.id;
  }

  explain(from: string | null, to: string | null, port: string | null): ExplainAnswerJson {
    let query: PortSet = ALL_CONNECTIONS;
    if (port !== null && port !== '') {
      const parsed = parsePortQuery(port);
      if (typeof parsed === 'string') throw new ApiError(`port: ${parsed}`);
      query = parsed;
    }
    const src = this.#entity('from', from);
    const dst = this.#entity('to', to);
    const explanations = explainEntities(this.index, src, dst, query);
    if (explanations.length > MAX_PAIRS) throw new ApiError('too many pod classes to explain at once');
    const json = explainToJson(this.index, { from: src, to: dst, port: port ?? undefined }, [
      { src, dst, explanations },
    ]);
    return {
      ...json,
      from: { id: src, name: this.index.displayName(src) },
      to: { id: dst, name: this.index.displayName(dst) },
      text: explanations.map(explanationToText).join('\n'),
    };
  }

  /** A workload's labels, selecting policies, and exposure (its rules in plain words). */
  workload(id: string | null): WorkloadDetailJson {
    if (id === null || !this.index.byId.has(id) || this.index.byId.get(id)!.kind !== 'workload') {
      throw new ApiError(`no workload "${id ?? ''}": give ?id=namespace/Kind/name`, 404);
    }
    const exposure = computeExposure(this.index, new Set([id]));
    const json = exposureToJson({ index: this.index, all: exposure, shown: exposure });
    const items = 'workloads' in json ? json.workloads : json.pods;
    return { id, name: this.index.displayName(id), exposure: items[0] ?? null };
  }

  lint(): LintJson {
    this.#lint ??= (() => {
      const config = this.input.lintConfig;
      const result = lint(
        {
          state: this.input.state,
          sources: this.input.sources,
          defaultNamespace: this.input.defaultNamespace,
          engine: this.input.engine,
          ...(this.input.traffic === undefined ? {} : { observed: this.input.traffic.connections }),
        },
        { rules: RULES, config },
      );
      return lintToJson(result, config.failOn ?? 'error');
    })();
    return this.#lint;
  }

  flows(): TrafficJson {
    if (this.input.traffic === undefined) {
      throw new ApiError('no flows: start netfence serve with --flows FILE to see the traffic overlay', 404);
    }
    this.#flows ??= trafficOverlay(this.session, this.input.traffic);
    return this.#flows;
  }

  #resolveAll(
    option: string,
    refs: readonly string[],
    graph: LateralGraph,
  ): { workloads: number[]; addresses: number[] } {
    const workloads = new Set<number>();
    const addresses = new Set<number>();
    for (const text of refs) {
      let entities;
      if (this.index.byId.has(text)) entities = [this.index.byId.get(text)!];
      else {
        const r = resolveRefText(this.index, text);
        if (!r.ok) throw new ApiError(`${option}: ${r.error.message}`);
        entities = r.value.entities;
      }
      for (const e of entities) {
        if (e.kind === 'external') addresses.add(e.address.id);
        else if (e.kind === 'workload') workloads.add(graph.workloadIndex.get(e.id)!);
      }
    }
    return {
      workloads: [...workloads].sort((a, b) => a - b),
      addresses: [...addresses].sort((a, b) => a - b),
    };
  }

  /**
   * Attack paths: without `from`, every workload ranked by blast radius; with it, what the compromised
   * workloads reach hop by hop (the first hop that reached each one), and the shortest path to each target.
   */
  paths(from: readonly string[], to: readonly string[], maxHops: string | null): ApiPathsJson {
    const graph = (this.#graph ??= buildLateralGraph(this.compiled));
    const id = (n: { workload: number } | { address: number }): string =>
      'workload' in n ? graph.workloads[n.workload]!.id : externalId(n.address);
    if (from.length === 0) {
      const ranked = blastRadius(graph)
        .map((r) => ({
          id: graph.workloads[r.workload]!.id,
          reach: r.reach,
          direct: r.direct,
          entryPoint: r.entry.length > 0,
        }))
        .sort((a, b) => b.reach - a.reach || b.direct - a.direct || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { mode: 'rank', workloads: graph.workloads.length, ranking: ranked };
    }
    let hops: number | undefined;
    if (maxHops !== null && maxHops !== '') {
      if (!/^\d+$/.test(maxHops)) throw new ApiError(`maxHops: expected a whole number, got "${maxHops}"`);
      hops = Number(maxHops);
    }
    const sources = this.#resolveAll('from', from, graph);
    const targets = to.length === 0 ? undefined : this.#resolveAll('to', to, graph);
    const reach = attackReach(graph, sources, {
      exits: (targets?.addresses.length ?? 0) > 0,
      ...(hops === undefined ? {} : { maxHops: hops }),
    });
    const reached: { id: string; hops: number; via: { from: string; summary: string } | null }[] = [];
    const unreached: string[] = [];
    for (let w = 0; w < graph.workloads.length; w++) {
      const d = reach.distance[w]!;
      if (d < 0) {
        unreached.push(graph.workloads[w]!.id);
        continue;
      }
      const via = reach.via[w];
      reached.push({
        id: graph.workloads[w]!.id,
        hops: d,
        via: via === undefined ? null : { from: id(via.from), summary: formatPorts(via.ports) },
      });
    }
    reached.sort((a, b) => a.hops - b.hops || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const pathJson = (target: { workload: number } | { address: number }): PathStepJson[] | null => {
      const steps = attackPath(reach, target);
      return steps === undefined
        ? null
        : steps.map((s) => ({
            src: id(s.from),
            dst: id(s.to),
            summary: formatPorts(s.ports),
            ...(s.l7 === undefined
              ? {}
              : { l7: { summary: formatPorts(s.l7.ports), policies: s.l7.policies } }),
          }));
    };
    const isSource = new Set(sources.workloads);
    return {
      mode: targets === undefined ? 'reach' : 'targets',
      from: [
        ...sources.workloads.map((w) => graph.workloads[w]!.id),
        ...sources.addresses.map((a) => externalId(a)),
      ],
      maxHops: hops ?? null,
      workloads: graph.workloads.length,
      reached,
      unreached,
      targets:
        targets === undefined
          ? []
          : [
              ...targets.workloads
                .filter((w) => !isSource.has(w))
                .map((w) => ({ id: graph.workloads[w]!.id, path: pathJson({ workload: w }) })),
              ...targets.addresses.map((a) => ({ id: externalId(a), path: pathJson({ address: a }) })),
            ],
    };
  }

  /**
   * `POST /api/whatif`, computed on a worker thread (`WhatIfThread`) so that the server keeps answering other
   * requests, and stops on Ctrl+C, while a large one computes.
   */
  async whatIf(body: unknown): Promise<WhatIfJson> {
    let changes;
    try {
      changes = parseWhatIfRequest(body);
    } catch (error) {
      if (error instanceof WhatIfRequestError) throw new ApiError(error.message);
      throw error;
    }
    if (this.#closed) throw new ApiError('the analysis was reloaded: try again', 503);
    // A worker that failed (out of memory) is replaced on the next what-if.
    if (this.#whatIfThread === undefined || this.#whatIfThread.stopped)
      this.#whatIfThread = new WhatIfThread(this.input.state, this.input.engine, this.input.defaultNamespace);
    try {
      return await this.#whatIfThread.run(changes);
    } catch (error) {
      if (error instanceof WhatIfStopped) throw new ApiError(`${error.message}: try again`, 503);
      throw error;
    }
  }

  /** Ends the what-if thread, if any: when this analysis is replaced, or the server stops. */
  close(): void {
    this.#closed = true;
    this.#whatIfThread?.close();
    this.#whatIfThread = undefined;
  }
}
