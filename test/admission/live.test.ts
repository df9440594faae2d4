/**
 * The cluster the webhook holds between requests: watch changes of policies only are applied to its
 * incremental engine, any other change rebuilds it; either way it answers as a decision from the whole
 * state does.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, prepareBaseline, type AdmissionRules } from '../../src/admission/decide.ts';
import { LiveCluster } from '../../src/admission/live.ts';
import { parseReview, type AdmissionRequest } from '../../src/admission/review.ts';
import { DEFAULT_CONFIG } from '../../src/lint/config.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { baseObjects, cnp, np, pod, review, spec } from './fixtures.ts';

const RULES: AdmissionRules = { mode: 'deny', lint: DEFAULT_CONFIG, specs: [spec()] };

function request(body: Record<string, unknown>): AdmissionRequest {
  const parsed = parseReview(JSON.stringify(body));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.request;
}

const OPEN_DATA = np('data', 'allow-tenant-a', {
  podSelector: { matchLabels: { app: 'postgres' } },
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { tenant: 'a' } } }] }],
});
const ALLOW_ALL = np('data', 'allow-all', { podSelector: {}, ingress: [{}] });
const BANP: KubeObject = {
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'BaselineAdminNetworkPolicy',
  metadata: { name: 'default' },
  spec: {
    subject: { namespaces: {} },
    ingress: [
      { name: 'tenant-a', action: 'Allow', from: [{ namespaces: { matchLabels: { tenant: 'a' } } }] },
    ],
  },
};

/** The same request decided by the synced cluster and from the whole state of `objects`. */
function agree(live: LiveCluster, objects: readonly KubeObject[], body: Record<string, unknown>): void {
  const whole = decide(prepareBaseline(objects, RULES), request(body), RULES);
  assert.deepEqual(live.decide(request(body)), whole);
}

describe('LiveCluster.sync', () => {
  test('a policy created in the cluster is applied to the engine: later decisions count it', () => {
    const objects = baseObjects();
    const live = new LiveCluster(objects, RULES);
    // Before: allowing everything into data opens tenant-a → postgres.
    assert.equal(live.decide(request(review('CREATE', ALLOW_ALL))).verdict.allowed, false);
    const after = [...objects, OPEN_DATA];
    live.sync(after);
    assert.equal(live.lastSync, 'incremental');
    assert.ok(live.state.policies.some((p) => p.id === 'data/allow-tenant-a'));
    // tenant-a reaches postgres already: the same request breaks nothing new, and is admitted.
    const d = live.decide(request(review('CREATE', ALLOW_ALL)));
    assert.equal(live.lastPath, 'engine');
    assert.equal(d.violations.filter((v) => v.includes('breaking test')).length, 0);
    agree(live, after, review('CREATE', ALLOW_ALL));
    // Deleting it again is judged against the synced state: it cuts nothing the spec expects.
    agree(live, after, review('DELETE', undefined, OPEN_DATA));
    // A cluster policy is judged with the synced NetworkPolicies too (the Baseline tier under them).
    agree(live, after, review('CREATE', BANP));
    assert.equal(live.lastPath, 'engine');
  });

  test('a policy deleted and one changed in the cluster are applied too', () => {
    const objects = [...baseObjects(), OPEN_DATA];
    const live = new LiveCluster(objects, RULES);
    const narrowed = np('data', 'allow-tenant-a', {
      podSelector: { matchLabels: { app: 'postgres' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { tenant: 'a' } } }], ports: [{ port: 9187 }] }],
    });
    const changed = objects.map((o) => (o === OPEN_DATA ? narrowed : o));
    live.sync(changed);
    assert.equal(live.lastSync, 'incremental');
    agree(live, changed, review('CREATE', ALLOW_ALL));
    const gone = changed.filter((o) => o !== narrowed);
    live.sync(gone);
    assert.equal(live.lastSync, 'incremental');
    assert.ok(!live.state.policies.some((p) => p.id === 'data/allow-tenant-a'));
    agree(live, gone, review('CREATE', ALLOW_ALL));
  });

  test('a pod change rebuilds: a new tenant-a workload is named in the next denial', () => {
    const objects = baseObjects();
    const live = new LiveCluster(objects, RULES);
    const after = [...objects, pod('tenant-a', 'reports', { app: 'reports' })];
    live.sync(after);
    assert.equal(live.lastSync, 'rebuilt');
    const d = live.decide(request(review('CREATE', ALLOW_ALL)));
    assert.match(d.verdict.message ?? '', /and 3 more pairs/);
    agree(live, after, review('CREATE', ALLOW_ALL));
  });

  test('Cilium policies created, changed and deleted in the cluster are applied to the engine', () => {
    const allowApi = cnp('data', 'allow-api', {
      endpointSelector: { matchLabels: { app: 'postgres' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop' } }] }],
    });
    const objects = [...baseObjects(), allowApi];
    const live = new LiveCluster(objects, RULES);
    const tenant = cnp('data', 'allow-tenant', {
      endpointSelector: { matchLabels: { app: 'postgres' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'tenant-a' } }] }],
    });
    // Judged by the engine, as from the whole state: the spec and the Cilium lint rules (a rule set whose
    // allow rules restrict nothing, default deny off).
    agree(live, objects, review('CREATE', tenant));
    assert.equal(live.lastPath, 'engine');
    const open = cnp('shop', 'api-egress', {
      endpointSelector: { matchLabels: { app: 'api' } },
      enableDefaultDeny: { egress: false },
      egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data' } }] }],
    });
    const warned = live.decide(request(review('CREATE', open)));
    assert.equal(live.lastPath, 'engine');
    assert.ok(
      warned.warnings.some((w) => /rule no-cilium-allow-without-default-deny \(warning\)/.test(w)),
      JSON.stringify(warned.warnings),
    );
    agree(live, objects, review('CREATE', open));
    const added = [...objects, tenant];
    live.sync(added);
    assert.equal(live.lastSync, 'incremental');
    assert.ok(live.state.ciliumPolicies.some((p) => p.id === 'CiliumNetworkPolicy/data/allow-tenant'));
    agree(live, added, review('CREATE', ALLOW_ALL));
    agree(live, added, review('DELETE', undefined, tenant));
    assert.equal(live.lastPath, 'engine');
    const gone = added.filter((o) => o !== tenant && o !== allowApi);
    live.sync(gone);
    assert.equal(live.lastSync, 'incremental');
    assert.deepEqual(live.state.ciliumPolicies, []);
    agree(live, gone, review('CREATE', tenant));
  });

  test('the same objects again change nothing', () => {
    const objects = baseObjects();
    const live = new LiveCluster(objects, RULES);
    live.sync(objects);
    assert.equal(live.lastSync, 'unchanged');
  });

  test('objects replaced by equal ones (a relist, a status netfence does not read) change nothing', () => {
    const objects = [...baseObjects(), cnp('data', 'allow-api', { endpointSelector: {}, ingress: [{}] })];
    const live = new LiveCluster(objects, RULES);
    const copies = objects.map((o) => JSON.parse(JSON.stringify(o)) as KubeObject);
    live.sync(copies);
    assert.equal(live.lastSync, 'unchanged');
    // One that did change is still seen.
    const relabelled = copies.map((o) =>
      o.kind === 'Pod' && o.metadata.name === 'web'
        ? { ...o, metadata: { ...o.metadata, labels: { app: 'web', tier: 'front' } } }
        : o,
    );
    live.sync(relabelled);
    assert.equal(live.lastSync, 'rebuilt');
  });

  test('requests leave the engine as the cluster is', () => {
    const objects = baseObjects();
    const live = new LiveCluster(objects, RULES);
    const ids = live.state.policies.map((p) => p.id).sort();
    const first = objects.find((o) => o.metadata.name === 'allow-db-clients');
    live.decide(request(review('CREATE', ALLOW_ALL)));
    live.decide(request(review('DELETE', undefined, first)));
    assert.equal(live.lastPath, 'engine');
    // A deleted policy comes back last: the same policies, in another order.
    assert.deepEqual(live.state.policies.map((p) => p.id).sort(), ids);
    agree(live, objects, review('CREATE', ALLOW_ALL));
    agree(live, objects, review('DELETE', undefined, first));
    // A cluster policy request is undone too: the next one is judged without it.
    live.decide(request(review('CREATE', BANP)));
    agree(live, objects, review('CREATE', ALLOW_ALL));
    agree(live, objects, review('CREATE', BANP));
    assert.equal(live.lastPath, 'engine');
  });
});
