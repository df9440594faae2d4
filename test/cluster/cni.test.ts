/**
 * `--cni auto` against a real kube-apiserver: the CNI is read from its agent DaemonSet (version from the image
 * tag) and Cilium's policy settings from the `cilium-config` ConfigMap, which the read-only role lets
 * netfence `get` by name and nothing more; what is found changes the verdicts; what is missing is a warning.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiServer } from '../support/kube-apiserver.ts';
import {
  applyObjects,
  ciliumDaemonSet,
  cli,
  deleteObjects,
  readObjects,
  skip,
  startServer,
} from './setup.ts';

let api: ApiServer | undefined;

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

function configMap(name: string, data: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kube-system' }, data };
}

/** The cluster's Cilium agent, as the tests start from and put back. */
const AGENT = ciliumDaemonSet('quay.io/cilium/cilium:v1.15.6@sha256:0123456789abcdef');

/** Runs `work` with the agent's DaemonSet changed by `change`, and puts it back. */
async function withAgent(change: () => Promise<void>, work: () => Promise<void>): Promise<void> {
  await change();
  try {
    await work();
  } finally {
    await applyObjects(server(), [AGENT]);
  }
}

const ciliumConfig = configMap('cilium-config', {
  'policy-cidr-match-mode': 'nodes',
  'enable-sctp': 'true',
  'identity-allocation-mode': 'crd',
});

before(async () => {
  api = await startServer();
  if (api === undefined) return;
  await applyObjects(api, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    ...readObjects(['test/fixtures/cni/divergences.yaml']),
    AGENT,
    ciliumConfig,
    configMap('other-config', { secret: 'not for netfence' }),
  ]);
});

after(async () => {
  await api?.stop();
});

/** `explain` as the read-only user, with `--cni auto`. */
function explain(from: string, to: string, port: string) {
  const a = server();
  return cli(
    a,
    ['explain', '--cluster', '-A', '--cni', 'auto', '--from', from, '--to', to, '--port', port],
    a.readonlyKubeconfig,
  );
}

describe('--cni auto on a live cluster', { skip }, () => {
  test('the read-only role gets cilium-config by name, and no other ConfigMap', async () => {
    const a = server();
    const own = await a.request('GET', '/api/v1/namespaces/kube-system/configmaps/cilium-config', {
      token: a.readonlyToken,
    });
    assert.equal(own.status, 200, own.text);
    const other = await a.request('GET', '/api/v1/namespaces/kube-system/configmaps/other-config', {
      token: a.readonlyToken,
    });
    assert.equal(other.status, 403);
    const list = await a.request('GET', '/api/v1/namespaces/kube-system/configmaps', {
      token: a.readonlyToken,
    });
    assert.equal(list.status, 403);
  });

  test('Cilium 1.15 with policy-cidr-match-mode=nodes and enable-sctp: detected, and it decides', async () => {
    // Node IPs match CIDR rules (nodes mode): the host-network exporter reaches db.
    const nodes = await explain('shop/node-exporter', 'shop/db', '9187');
    assert.equal(nodes.code, 0, nodes.stderr + nodes.stdout);
    assert.match(
      nodes.stderr,
      /^CNI: cilium@1\.15\.6 \(DaemonSet kube-system\/cilium; policy-cidr-match-mode=nodes, enable-sctp=true\)\.$/m,
    );
    // Pod IPs still do not.
    const pods = await explain('shop/web', 'shop/db', '5432');
    assert.equal(pods.code, 1);
    assert.match(
      pods.stdout,
      /shop\/web → shop\/db: cilium@1\.15\.6: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods \(policy-cidr-match-mode=nodes\)/,
    );
    // SCTP is enabled; and 1.15 does not enforce the policy with endPort: media is open.
    assert.equal((await explain('shop/web', 'shop/media', '3868/SCTP')).code, 0);
    const open = await explain('shop/db', 'shop/media', '22');
    assert.equal(open.code, 0);
    assert.match(
      open.stdout,
      /cilium@1\.15\.6: NetworkPolicies with endPort are not enforced at all \(cilium#28704\)/,
    );
  });

  test('diff --cluster --cni auto --vs-cni upstream: what the cluster’s CNI changes against the API', async () => {
    const a = server();
    const r = await cli(
      a,
      ['diff', '--cluster', '-A', '--cni', 'auto', '--vs-cni', 'upstream', '-q'],
      a.readonlyKubeconfig,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^--cni cilium@1\.15\.6 \(policy-cidr-match-mode=nodes, enable-sctp=true\) → --vs-cni upstream\n/,
    );
    // Pod IPs by CIDR: only the API's reading admits web into db.
    assert.match(r.stdout, /\n {2}shop\/web +shop\/db +TCP 5432\n/);
  });

  test('--cni-option still overrides what the cluster says', async () => {
    const a = server();
    const r = await cli(
      a,
      [
        'explain',
        '--cluster',
        '-A',
        '--cni',
        'auto',
        '--cni-option',
        'policy-cidr-match-mode=',
        '--from',
        'shop/node-exporter',
        '--to',
        'shop/db',
        '--port',
        '9187',
      ],
      a.readonlyKubeconfig,
    );
    assert.equal(r.code, 1, r.stderr);
  });

  test('settings read from the cluster are taken as the agent took them; one not understood is left out', async () => {
    const a = server();
    // pods mode on a 1.15 agent (a backport, say): the cluster says so, netfence does not argue.
    await applyObjects(a, [
      configMap('cilium-config', {
        'policy-cidr-match-mode': 'pods',
        'allow-localhost': 'sometimes',
        'enable-k8s-cluster-network-policy': 'true',
        'enable-host-firewall': 'true',
      }),
    ]);
    try {
      const r = await explain('shop/web', 'shop/db', '5432');
      assert.equal(r.code, 0, r.stderr);
      // The cluster-policy key is read too (taken as the agent took it, even on 1.15), and the host firewall.
      assert.match(r.stderr + r.stdout, /enable-k8s-cluster-network-policy=true/);
      assert.match(r.stderr + r.stdout, /enable-host-firewall=true/);
      assert.match(
        r.stderr,
        /^warning: the cluster's CNI setting allow-localhost=sometimes is left out: --cni-option "allow-localhost=sometimes": allow-localhost takes auto, always or policy$/m,
      );
    } finally {
      await applyObjects(a, [ciliumConfig]);
    }
  });

  test('without cilium-config: a warning, and Cilium’s defaults', async () => {
    const a = server();
    await deleteObjects(a, [ciliumConfig]);
    try {
      const r = await explain('shop/node-exporter', 'shop/db', '9187');
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^warning: ConfigMap kube-system\/cilium-config not found: Cilium's defaults assumed$/m,
      );
      assert.match(r.stderr, /^CNI: cilium@1\.15\.6 \(DaemonSet kube-system\/cilium\)\.$/m);
    } finally {
      await applyObjects(a, [ciliumConfig]);
    }
  });

  test('an image without a version tag: the newest profile, with a warning', async () => {
    const a = server();
    await withAgent(
      () => applyObjects(a, [ciliumDaemonSet('quay.io/cilium/cilium:latest')]),
      async () => {
        const r = await explain('shop/web', 'shop/media', '8005');
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stderr,
          /^warning: the image of DaemonSet kube-system\/cilium \(quay\.io\/cilium\/cilium:latest\) has no version tag: the newest cilium profile assumed; name it with --cni cilium@<version>$/m,
        );
      },
    );
  });

  test('no known CNI DaemonSet: upstream, with a warning', async () => {
    const a = server();
    await withAgent(
      () => deleteObjects(a, [AGENT]),
      async () => {
        const r = await explain('shop/web', 'shop/db', '5432');
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stderr,
          /^warning: --cni auto found none of the CNI DaemonSets netfence knows \(kube-system\/cilium, /m,
        );
      },
    );
  });
});
