/**
 * Where the data comes from: the local API of `netfence serve`, or the snapshot embedded in a static report
 * (`netfence report --html`), which answers what it holds and says what needs the server.
 */
import type {
  ApiErrorJson,
  ConnectionJson,
  ExplainAnswerJson as ExplainJson,
  ModelJson as Model,
  ReloadProblemJson,
  ApiPathsJson as PathsJson,
  StaticDataJson as StaticData,
  TrafficJson,
  WhatIfJson,
  WhatIfRequestJson,
  WorkloadDetailJson,
} from '../../src/contract/api.ts';
import type { LintJson } from '../../src/contract/lint.ts';
import type { Change } from '../lib/whatif.ts';

/** What the page says when the server does not answer (it stopped). */
export const NOT_ANSWERING = 'netfence serve is not answering: is it still running?';

/** A failed request, with the server's one-line message. */
export class ApiFailure extends Error {}

export interface Api {
  /** A static report: explanations of the allowed connections only, no paths or what-if. */
  readonly isStatic: boolean;
  model(): Promise<Model>;
  lint(): Promise<LintJson>;
  flows(): Promise<TrafficJson>;
  workload(id: string): Promise<WorkloadDetailJson>;
  explain(from: string, to: string): Promise<ExplainJson>;
  paths(from: readonly string[], to: readonly string[]): Promise<PathsJson>;
  connections(namespace: string): Promise<{ connections: ConnectionJson[]; truncated: boolean }>;
  whatIf(changes: readonly Change[]): Promise<WhatIfJson>;
  /**
   * Calls back when the server's analysis changes (`--watch`), when a reload failed, and when the connection to
   * the server is lost (it stopped); once it answers again, as a change of the analysis.
   */
  subscribe(
    onModel: (version: number) => void,
    onProblem: (problem: ReloadProblemJson) => void,
    onLost: () => void,
    /** The version the page shows, when it knows it: a first `hello` with another one is a change too. */
    known?: number,
  ): void;
}

async function get<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch {
    throw new ApiFailure(NOT_ANSWERING);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiFailure(`unexpected answer from the server (${res.status})`);
  }
  if (!res.ok) throw new ApiFailure((body as Partial<ApiErrorJson>).error ?? `error ${res.status}`);
  return body as T;
}

export function serverApi(): Api {
  return {
    isStatic: false,
    model: () => get('/api/model'),
    lint: () => get('/api/lint'),
    flows: () => get('/api/flows'),
    workload: (id) => get(`/api/workload?id=${encodeURIComponent(id)}`),
    explain: (from, to) => get(`/api/explain?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
    paths: (from, to) => {
      const q = new URLSearchParams();
      for (const f of from) q.append('from', f);
      for (const t of to) q.append('to', t);
      return get(`/api/paths?${q.toString()}`);
    },
    connections: (ns) => get(`/api/connections?namespace=${encodeURIComponent(ns)}`),
    whatIf: (changes) =>
      get('/api/whatif', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ changes } satisfies WhatIfRequestJson),
      }),
    subscribe(onModel, onProblem, onLost, known) {
      const source = new EventSource('/api/events');
      let version: number | undefined = known;
      let lost = false;
      const seen = (v: number): void => {
        // Back after a loss: the page fetches the analysis again, whatever its version.
        if (lost || (version !== undefined && v !== version)) onModel(v);
        lost = false;
        version = v;
      };
      source.addEventListener('error', () => {
        lost = true;
        onLost();
      });
      source.addEventListener('hello', (e) =>
        seen((JSON.parse((e as MessageEvent<string>).data) as { version: number }).version),
      );
      source.addEventListener('model', (e) =>
        seen((JSON.parse((e as MessageEvent<string>).data) as { version: number }).version),
      );
      source.addEventListener('problem', (e) =>
        onProblem(JSON.parse((e as MessageEvent<string>).data) as ReloadProblemJson),
      );
    },
  };
}

const NEEDS_SERVER =
  'this is a static report: run netfence serve on the same input for attack paths, what-if and the explanation of denied connections';

export function staticApi(data: StaticData): Api {
  const fail = (): Promise<never> => Promise.reject(new ApiFailure(NEEDS_SERVER));
  return {
    isStatic: true,
    model: () => Promise.resolve(data.model),
    lint: () => Promise.resolve(data.lint),
    flows: () =>
      data.flows === null
        ? Promise.reject(new ApiFailure('no flows in this report'))
        : Promise.resolve(data.flows),
    workload: (id) => {
      const exposure = data.exposure[id];
      return exposure === undefined ? fail() : Promise.resolve({ id, name: exposure.name, exposure });
    },
    explain: (from, to) => {
      const embedded = data.explanations?.[`${from} ${to}`];
      return embedded === undefined ? fail() : Promise.resolve(embedded);
    },
    paths: fail,
    connections: fail,
    whatIf: fail,
    subscribe: () => undefined,
  };
}

/** The static snapshot embedded in the page, if this is a report. */
export function embeddedData(): StaticData | undefined {
  const el = document.getElementById('netfence-data');
  if (el === null || el.textContent === null || el.textContent.trim() === '') return undefined;
  return JSON.parse(el.textContent) as StaticData;
}
