/**
 * `netfence serve --cluster --watch` against a real kube-apiserver: the server runs in-process (through
 * `serve()` with the command's own option parsing), polls the cluster every second, and pushes a change of
 * the cluster's policies to the page over `/api/events`; `/api/model` then answers with the new state.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { serve, serveCommand, type ServeOptions } from '../../src/cli/commands/serve.ts';
import type { Io } from '../../src/cli/io.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { applyObjects, deleteObjects, skip, startServer } from '../cluster/setup.ts';

const NS = 'watch';

const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } };

function deployment(name: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: `example/${name}`, ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

/** api accepts web on TCP 8080 only. */
const apiIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api-ingress', namespace: NS },
  spec: {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ],
  },
};

/** web accepts nothing. */
const webDenyIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web-deny-ingress', namespace: NS },
  spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] },
};

const WEB = `${NS}/Deployment/web`;
const API = `${NS}/Deployment/api`;

interface Model {
  version: number;
  problem: unknown;
  connections: { src: string; dst: string; summary: string }[];
  policies: { id: string; name: string; selects: string[] }[];
}

let api: ApiServer | undefined;
let origin = '';
let stopServing: () => void = () => undefined;
let served: Promise<void> | undefined;
let stderr = '';

before(
  async () => {
    api = await startServer();
    if (api === undefined) return;
    await applyObjects(api, [namespace, deployment('web'), deployment('api'), apiIngress]);

    let stdout = '';
    const io: Io = {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readStdin: () => Promise.resolve(''),
      isTTY: false,
      env: {},
    };
    const until = new Promise<void>((resolve) => (stopServing = resolve));
    const listening = new Promise<void>((resolve, reject) => {
      const cmd = serveCommand(io, () => undefined).exitOverride();
      // The command's own parsing (defaults, --watch-interval, -n), with our `until` instead of Ctrl+C.
      cmd.action(async (paths: string[], options: ServeOptions) => {
        served = serve(paths, options, io, () => {
          resolve();
          return until;
        });
        await served.catch(reject);
      });
      const args = ['--cluster', '--kubeconfig', api!.adminKubeconfig, '-n', NS, '--watch'];
      cmd.parseAsync([...args, '--watch-interval', '1s', '--port', '0'], { from: 'user' }).catch(reject);
    });
    await listening;
    const url = /netfence serve: open (http:\/\/\S+)/.exec(stdout)?.[1];
    assert.ok(url !== undefined, stdout);
    origin = new URL(url).origin;
  },
  { timeout: 180_000 },
);

after(async () => {
  stopServing();
  await served?.catch(() => undefined);
  await api?.stop();
});

async function model(): Promise<Model> {
  const res = await fetch(`${origin}/api/model`);
  assert.equal(res.status, 200);
  return (await res.json()) as Model;
}

/** Every connection of the model, as `src -> dst: summary` lines, sorted. */
function lines(m: Model): string[] {
  return m.connections.map((c) => `${c.src} -> ${c.dst}: ${c.summary}`).sort();
}

const ALL = 'All connections';

test(
  'serve --cluster --watch pushes a change of the cluster to the page',
  { skip, timeout: 120_000 },
  async () => {
    const first = await model();
    assert.equal(first.version, 1);
    assert.equal(first.problem, null);
    assert.deepEqual(
      first.policies.map((p) => [p.id, p.selects]),
      [[`${NS}/api-ingress`, [API]]],
    );
    assert.deepEqual(lines(first), [
      `external:0 -> ${WEB}: ${ALL}`,
      `${API} -> external:0: ${ALL}`,
      `${API} -> ${WEB}: ${ALL}`,
      `${WEB} -> external:0: ${ALL}`,
      `${WEB} -> ${API}: TCP 8080`,
    ]);

    const controller = new AbortController();
    const events = await fetch(`${origin}/api/events`, { signal: controller.signal });
    assert.equal(events.status, 200);
    assert.match(events.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = events.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    /** Reads the stream until `needle` matches, failing after `ms`. */
    const until = async (needle: RegExp, ms: number): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!needle.test(text)) {
        const left = deadline - Date.now();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new Error(`no ${String(needle)} within ${ms} ms; events so far:\n${text}\n${stderr}`)),
            Math.max(left, 0),
          );
        });
        try {
          const { value, done } = (await Promise.race([reader.read(), timeout])) as {
            value: Uint8Array | undefined;
            done: boolean;
          };
          if (done) throw new Error(`events ended before ${String(needle)}`);
          text += decoder.decode(value, { stream: true });
        } finally {
          clearTimeout(timer);
        }
      }
    };
    try {
      await until(/event: hello\ndata: \{"version":1\}\n\n/, 5_000);
      // An unchanged cluster is polled (1 s) without reloading the page.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.doesNotMatch(text, /event: (model|problem)/);

      // web stops accepting anything: api -> web and external -> web go.
      await applyObjects(api!, [webDenyIngress]);
      await until(/event: model\ndata: \{"version":2\}\n\n/, 20_000);
      const second = await model();
      assert.equal(second.version, 2);
      assert.equal(second.problem, null);
      assert.deepEqual(
        second.policies.map((p) => [p.id, p.selects]),
        [
          [`${NS}/api-ingress`, [API]],
          [`${NS}/web-deny-ingress`, [WEB]],
        ],
      );
      assert.deepEqual(lines(second), [
        `${API} -> external:0: ${ALL}`,
        `${WEB} -> external:0: ${ALL}`,
        `${WEB} -> ${API}: TCP 8080`,
      ]);

      // api's policy goes: api accepts everything again, from web and from outside.
      await deleteObjects(api!, [apiIngress]);
      await until(/event: model\ndata: \{"version":3\}\n\n/, 20_000);
      const third = await model();
      assert.equal(third.version, 3);
      assert.deepEqual(
        third.policies.map((p) => [p.id, p.selects]),
        [[`${NS}/web-deny-ingress`, [WEB]]],
      );
      assert.deepEqual(lines(third), [
        `external:0 -> ${API}: ${ALL}`,
        `${API} -> external:0: ${ALL}`,
        `${WEB} -> external:0: ${ALL}`,
        `${WEB} -> ${API}: ${ALL}`,
      ]);

      // One model event per change, no problems.
      assert.equal(text.match(/event: model/g)?.length, 2, text);
      assert.doesNotMatch(text, /event: problem/);
      assert.match(stderr, /netfence: reloaded \(2 workloads, 1 policy\)/);
    } finally {
      await reader.cancel().catch(() => undefined);
      controller.abort();
    }
  },
);
