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
import { ANY_EVENT, eventStream } from '../support/event-stream.ts';

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

before(async () => {
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
});

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

test('serve --cluster --watch pushes a change of the cluster to the page', { skip }, async () => {
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

  const events = await eventStream(origin);
  assert.match(events.headers.get('content-type') ?? '', /^text\/event-stream/);
  /**
   * The next event, whole. The server is in this process: its waits are the test's own, so a change it never
   * sends is given up by the clock, as a last resort (5 minutes; a change arrives within 2 polls of 1 s).
   */
  const next = (): Promise<string> => events.next(ANY_EVENT, { lastResortMs: 300_000, detail: () => stderr });
  try {
    assert.equal(await next(), 'event: hello\ndata: {"version":1}\n\n');
    // An unchanged cluster is polled (1 s) without reloading the page: the next event is the change's.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    await applyObjects(api!, [webDenyIngress]);
    assert.equal(await next(), 'event: model\ndata: {"version":2}\n\n');
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
    assert.equal(await next(), 'event: model\ndata: {"version":3}\n\n');
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

    // One model event per change (each the next event), no problems.
    assert.match(stderr, /netfence: reloaded \(2 workloads, 1 policy\)/);
  } finally {
    await events.close();
  }
});
