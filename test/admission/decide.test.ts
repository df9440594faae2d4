/**
 * The webhook's decision, pure: the connectivity a change makes, judged by the spec assertions and the lint
 * configuration, answered per mode. Each case is a change a platform team worries about.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decide,
  prepareBaseline,
  skippedWarnings,
  type AdmissionRules,
  type DecisionRecord,
} from '../../src/admission/decide.ts';
import { LiveCluster, type EffectPath } from '../../src/admission/live.ts';
import { parseReview, type AdmissionRequest } from '../../src/admission/review.ts';
import { DEFAULT_CONFIG } from '../../src/lint/config.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import type { LeftOutObject } from '../../src/k8s/state.ts';
import { cniEngineOptions, resolveCniProfile } from '../../src/engine/profiles.ts';
import { NO_LINT, baseObjects, cnp, np, ns, pod, review, spec } from './fixtures.ts';

const ALLOW_ALL_INGRESS = np('data', 'allow-all', { podSelector: {}, ingress: [{}] });

function rules(overrides: Partial<AdmissionRules> = {}): AdmissionRules {
  return { mode: 'deny', lint: NO_LINT, specs: [spec()], ...overrides };
}

function request(body: Record<string, unknown>): AdmissionRequest {
  const parsed = parseReview(JSON.stringify(body));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.request;
}

/**
 * Decides from the whole state (`decide`) and from the incremental engine kept by `LiveCluster`: every case
 * of this file checks that both answer the same.
 */
function judge(
  body: Record<string, unknown>,
  r: AdmissionRules = rules(),
  objects: KubeObject[] = baseObjects(),
): DecisionRecord {
  const whole = decide(prepareBaseline(objects, r), request(body), r);
  const cluster = new LiveCluster(objects, r);
  const live = cluster.decide(request(body));
  assert.deepEqual(live, whole);
  paths.push(cluster.lastPath);
  return live;
}
const paths: (EffectPath | undefined)[] = [];

/** The path the last `judge` took. */
function lastPath(): EffectPath | undefined {
  return paths.at(-1);
}

describe('NetworkPolicy changes', () => {
  test('an allow-all policy that lets tenant-a reach the database is denied, naming test, field and pairs', () => {
    const d = judge(review('CREATE', ALLOW_ALL_INGRESS));
    assert.equal(d.verdict.allowed, false);
    const message = d.verdict.message ?? '';
    assert.match(message, /NetworkPolicy data\/allow-all/);
    assert.match(message, /spec\.ingress\[0\] would open/);
    assert.match(message, /breaking test "tenant-a never reaches the database" \(reachability\.yaml:2\)/);
    // Five tenant-a workloads reach postgres now: three are named, two counted.
    assert.match(message, /tenant-a\/\w+ → data\/postgres on all ports, .* and 2 more pairs/);
    assert.equal((message.match(/ → data\/postgres/g) ?? []).length, 3);
    assert.ok(d.opened >= 5, `opened ${d.opened}`);
    assert.equal(lastPath(), 'engine');
  });

  test('warn mode admits it with the reasons as warnings', () => {
    const d = judge(review('CREATE', ALLOW_ALL_INGRESS), rules({ mode: 'warn' }));
    assert.equal(d.verdict.allowed, true);
    assert.equal(d.verdict.warnings?.length, 1);
    assert.match(d.verdict.warnings[0]!, /^would be denied: .*tenant-a never reaches the database/);
  });

  test('audit mode admits it without warnings, and records the violation', () => {
    const d = judge(review('CREATE', ALLOW_ALL_INGRESS), rules({ mode: 'audit' }));
    assert.deepEqual(d.verdict, { allowed: true });
    assert.equal(d.violations.length, 1);
    assert.match(d.violations[0]!, /tenant-a never reaches the database/);
  });

  test('a dry-run request is answered the same way', () => {
    const wet = judge(review('CREATE', ALLOW_ALL_INGRESS));
    const dry = judge(review('CREATE', ALLOW_ALL_INGRESS, undefined, { dryRun: true }));
    assert.equal(dry.verdict.allowed, false);
    assert.equal(dry.verdict.message, wet.verdict.message);
  });

  test('a policy that opens only what the spec allows is admitted, and counted', () => {
    const web = np('data', 'allow-shop-metrics', {
      podSelector: { matchLabels: { app: 'postgres' } },
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { access: 'db' } } }], ports: [{ port: 9187 }] },
      ],
    });
    const d = judge(review('CREATE', web));
    assert.deepEqual(d.verdict, { allowed: true });
    assert.equal(d.opened, 1);
    assert.deepEqual(d.violations, []);
  });

  test('deleting the policy the API needs is denied: it would cut an expected path', () => {
    const old = baseObjects().find((o) => o.metadata.name === 'allow-db-clients')!;
    const d = judge(review('DELETE', undefined, old));
    assert.equal(d.verdict.allowed, false);
    assert.match(d.verdict.message ?? '', /its deletion would cut shop\/api → data\/postgres/);
    assert.match(d.verdict.message ?? '', /the API reaches the database/);
    assert.equal(d.cut, 1);
  });

  test("the namespace controller's deletes are admitted: refusing them would leave a deleted namespace Terminating", () => {
    // `kubectl delete namespace data`: the namespace controller deletes what it holds, policies first or not.
    // A refusal makes it retry for ever, the namespace stuck in Terminating (NamespaceDeletionContentFailure).
    const old = baseObjects().find((o) => o.metadata.name === 'allow-db-clients')!;
    for (const username of [
      'system:serviceaccount:kube-system:namespace-controller',
      // The controller manager without --use-service-account-credentials.
      'system:kube-controller-manager',
    ]) {
      const d = judge(review('DELETE', undefined, old, { userInfo: { username } }));
      assert.deepEqual(d.verdict, { allowed: true }, username);
      assert.match(d.skipped ?? '', /being deleted/);
    }
    // Someone else deleting it, or the namespace controller creating something: judged as ever.
    const ci = judge(
      review('DELETE', undefined, old, { userInfo: { username: 'system:serviceaccount:ci:deployer' } }),
    );
    assert.equal(ci.verdict.allowed, false);
    const created = judge(
      review('CREATE', ALLOW_ALL_INGRESS, undefined, {
        userInfo: { username: 'system:serviceaccount:kube-system:namespace-controller' },
      }),
    );
    assert.equal(created.verdict.allowed, false);
  });

  test('an update is judged on the fields it changes', () => {
    const old = baseObjects().find((o) => o.metadata.name === 'allow-db-clients')!;
    const widened = np('data', 'allow-db-clients', {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 5432, protocol: 'TCP' }] }],
    });
    const d = judge(review('UPDATE', widened, old));
    assert.equal(d.verdict.allowed, false);
    assert.match(
      d.verdict.message ?? '',
      /spec\.ingress\[0\] would open tenant-a\/\w+ → data\/postgres on 5432\/TCP/,
    );
  });

  test('a change that only keeps an already broken test broken is not blamed for it', () => {
    const objects = [...baseObjects(), ALLOW_ALL_INGRESS];
    const another = np('data', 'allow-all-again', { podSelector: {}, ingress: [{}] });
    const d = judge(review('CREATE', another), rules(), objects);
    assert.equal(d.verdict.allowed, true);
  });
  test('an object netfence cannot analyze is admitted with a warning that says why', () => {
    const bad = np('data', 'bad', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['x'] }] },
      ingress: [{}],
    });
    const d = judge(review('CREATE', bad));
    assert.equal(d.verdict.allowed, true);
    assert.deepEqual(d.verdict.warnings, [
      'netfence cannot analyze data/NetworkPolicy/bad: spec.podSelector.matchExpressions[0].operator: "Bogus" is not a selector operator: use In, NotIn, Exists or DoesNotExist',
    ]);
  });
});

describe('objects of the cluster netfence cannot read', () => {
  const bad = (name: string): KubeObject =>
    np('shop', name, {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['x'] }] },
      ingress: [{}],
    });

  test('each is named in a warning, the decision is unchanged', () => {
    const objects = [...baseObjects(), bad('odd')];
    const d = judge(review('CREATE', ALLOW_ALL_INGRESS), rules(), objects);
    const without = judge(review('CREATE', ALLOW_ALL_INGRESS));
    assert.equal(d.verdict.allowed, false);
    assert.equal(d.verdict.message, without.verdict.message);
    assert.deepEqual(d.verdict.warnings, [
      'netfence left out shop/NetworkPolicy/odd: spec.podSelector.matchExpressions[0].operator: "Bogus" is not a selector operator: use In, NotIn, Exists or DoesNotEx…',
    ]);
    assert.equal(d.warnings[0]!.length, 160);
    const allowed = judge(review('CREATE', np('data', 'quiet', { podSelector: {} })), rules(), objects);
    assert.equal(allowed.verdict.allowed, true);
    assert.equal(allowed.verdict.warnings?.length, 1);
  });

  test('the first few are named, the others counted', () => {
    const objects = [...baseObjects(), ...['e', 'd', 'c', 'b', 'a'].map(bad)];
    const d = judge(review('CREATE', np('data', 'quiet', { podSelector: {} })), rules(), objects);
    const warnings = d.verdict.warnings ?? [];
    assert.deepEqual(
      warnings.slice(0, 3).map((w) => w.slice(0, 'netfence left out shop/NetworkPolicy/a: '.length)),
      ['a', 'b', 'c'].map((n) => `netfence left out shop/NetworkPolicy/${n}: `),
    );
    assert.equal(warnings.length, 4);
    assert.equal(warnings[3], 'netfence left out 2 more objects it cannot read: its answer ignores them');
    const six = judge(review('CREATE', np('data', 'quiet', { podSelector: {} })), rules(), [
      ...objects,
      bad('f'),
    ]);
    assert.equal(
      six.verdict.warnings?.[3],
      'netfence left out 3 more objects it cannot read: its answer ignores them',
    );
    const four = judge(
      review('CREATE', np('data', 'quiet', { podSelector: {} })),
      rules(),
      objects.slice(0, -1),
    );
    assert.equal(
      four.verdict.warnings?.[3],
      'netfence left out 1 more object it cannot read: its answer ignores them',
    );
  });

  test("the request's own object is not warned about twice; in audit mode nothing is sent", () => {
    const objects = [...baseObjects(), bad('odd')];
    const d = judge(review('DELETE', undefined, bad('odd')), rules(), objects);
    assert.deepEqual(d.verdict.warnings, undefined);
    const audit = judge(review('CREATE', ALLOW_ALL_INGRESS), rules({ mode: 'audit' }), objects);
    assert.deepEqual(audit.verdict, { allowed: true });
    assert.equal(audit.warnings.length, 1);
  });

  test('a warning of 160 characters is sent whole, a longer one cut to 160', () => {
    const left = (n: number): LeftOutObject => ({
      id: 'a/NetworkPolicy/b',
      why: 'x'.repeat(n - 'netfence left out a/NetworkPolicy/b: '.length),
    });
    const text = (n: number): string => `netfence left out a/NetworkPolicy/b: ${left(n).why}`;
    assert.equal(text(160).length, 160);
    assert.deepEqual(skippedWarnings([left(160)], 'other'), [text(160)]);
    const [cut] = skippedWarnings([left(161)], 'other');
    assert.equal(cut, text(161).slice(0, 159) + '…');
    assert.deepEqual(skippedWarnings([left(161)], 'a/NetworkPolicy/b'), []);
  });

  test('the live cluster follows them through a sync', () => {
    const r = rules();
    const base = baseObjects();
    const cluster = new LiveCluster(base, r);
    const quiet = (): DecisionRecord =>
      cluster.decide(request(review('CREATE', np('data', 'quiet', { podSelector: {} }))));
    assert.equal(quiet().verdict.warnings, undefined);
    const withBad = [...base, bad('odd')];
    cluster.sync(withBad);
    assert.equal(cluster.lastSync, 'incremental');
    assert.match(quiet().verdict.warnings?.[0] ?? '', /^netfence left out shop\/NetworkPolicy\/odd: /);
    cluster.sync([...base, np('shop', 'odd', { podSelector: {} })]);
    assert.equal(quiet().verdict.warnings, undefined);
    cluster.sync(withBad);
    assert.equal(quiet().verdict.warnings?.length, 1);
    cluster.sync(base);
    assert.equal(cluster.lastSync, 'incremental');
    assert.equal(quiet().verdict.warnings, undefined);
  });
});

describe('lint configuration', () => {
  test('a rule at error denies, naming the rule and the field', () => {
    const d = judge(review('CREATE', ALLOW_ALL_INGRESS), rules({ specs: [], lint: DEFAULT_CONFIG }));
    assert.equal(d.verdict.allowed, false);
    assert.match(
      d.verdict.message ?? '',
      /data\/NetworkPolicy\/allow-all: rule no-allow-all-rule \(error\) at spec\.ingress\[0\]/,
    );
  });

  test('the same rule set to warning only warns', () => {
    const lint = {
      rules: { ...NO_LINT.rules, 'no-allow-all-rule': 'warning' as const },
      excludeNamespaces: [],
    };
    const d = judge(review('CREATE', ALLOW_ALL_INGRESS), rules({ specs: [], lint }));
    assert.equal(d.verdict.allowed, true);
    assert.equal(d.verdict.warnings?.length, 1);
    assert.match(d.verdict.warnings[0]!, /rule no-allow-all-rule \(warning\)/);
  });

  test('a copy of a policy is redundant: the rule at warning warns about the copy only', () => {
    const copy = np('data', 'allow-db-clients-copy', {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { access: 'db' } } }],
          ports: [{ port: 5432, protocol: 'TCP' }],
        },
      ],
    });
    const d = judge(review('CREATE', copy), rules({ specs: [], lint: DEFAULT_CONFIG }));
    assert.equal(d.verdict.allowed, true);
    assert.ok(
      d.warnings.some((w) =>
        /data\/NetworkPolicy\/allow-db-clients-copy: rule no-redundant-(policy|rule)/.test(w),
      ),
      d.warnings.join('\n'),
    );
    assert.equal(lastPath(), 'engine');
  });

  test('of two equal policies, the one later by name is the redundant one, wherever the engine holds it', () => {
    const base = baseObjects();
    const other = base.find((o) => o.metadata.name === 'allow-db-clients')!;
    const rename = (name: string): KubeObject => ({ ...other, metadata: { ...other.metadata, name } });
    const r = rules({ specs: [], lint: DEFAULT_CONFIG });
    const later = judge(review('CREATE', rename('allow-db-clients-2')), r, base);
    assert.ok(
      later.warnings.some((w) => /allow-db-clients-2: rule no-redundant-policy/.test(w)),
      later.warnings.join('\n'),
    );
    assert.equal(lastPath(), 'engine');
    // Created last, first by name: the older policy is the redundant one, not this one.
    const earlier = judge(review('CREATE', rename('aaa-db-clients')), r, base);
    assert.deepEqual(earlier.warnings, []);
    assert.equal(lastPath(), 'engine');
  });

  test('an egress policy that forgets DNS is warned about by the DNS rules', () => {
    const egress = np('tenant-a', 'web-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { access: 'db' } } }], ports: [{ port: 8080 }] }],
    });
    const d = judge(review('CREATE', egress), rules({ specs: [], lint: DEFAULT_CONFIG }));
    assert.ok(
      d.warnings.some((w) =>
        /tenant-a\/NetworkPolicy\/web-egress: rule require-dns-egress-(udp|tcp)/.test(w),
      ),
      d.warnings.join('\n'),
    );
    assert.equal(lastPath(), 'engine');
  });

  test('an ipBlock of the whole internet is warned about (a new CIDR: the whole state is built again)', () => {
    const wide = np('tenant-a', 'web-internet', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    const d = judge(review('CREATE', wide), rules({ specs: [], lint: DEFAULT_CONFIG }));
    assert.ok(
      d.warnings.some((w) => /web-internet: rule no-wide-ipblock/.test(w)),
      d.warnings.join('\n'),
    );
    assert.equal(lastPath(), 'whole state');
  });
});

describe('Namespace label changes', () => {
  test('relabelling tenant-a to access=db opens its pods to the database: denied, naming the label', () => {
    const old = ns('tenant-a', { tenant: 'a' });
    const relabelled = ns('tenant-a', { tenant: 'a', access: 'db' });
    const d = judge(review('UPDATE', relabelled, old));
    assert.equal(d.verdict.allowed, false);
    assert.match(
      d.verdict.message ?? '',
      /Namespace tenant-a: metadata\.labels\["access"\] would open tenant-a\/\w+ → data\/postgres on 5432\/TCP/,
    );
    // A policy's namespaceSelector reads `access`: the state after the change is compiled.
    assert.equal(lastPath(), 'both states compiled');
  });

  test('a relabel that cuts an expected path is denied too, naming the pair it cuts', () => {
    const old = ns('shop', { access: 'db' });
    const d = judge(review('UPDATE', ns('shop', {}), old));
    assert.equal(d.verdict.allowed, false);
    assert.match(
      d.verdict.message ?? '',
      /Namespace shop: metadata\.labels\["access"\] would cut shop\/api → data\/postgres, breaking test "the API reaches the database"/,
    );
    assert.equal(d.cut, 1);
    assert.equal(lastPath(), 'both states compiled');
  });

  test('a label no selector reads changes nothing: admitted without building the state again', () => {
    const old = ns('tenant-a', { tenant: 'a' });
    const relabelled = ns('tenant-a', { tenant: 'a', owner: 'team-a' });
    const d = judge(review('UPDATE', relabelled, old));
    assert.deepEqual(d.verdict, { allowed: true });
    assert.equal(d.opened + d.cut, 0);
    assert.equal(lastPath(), 'no selector reads the labels');
  });

  test('an update that changes no label is admitted without evaluation', () => {
    const old = ns('tenant-a', { tenant: 'a' });
    const annotated = { ...old, metadata: { ...old.metadata, annotations: { owner: 'team-a' } } };
    const d = judge(review('UPDATE', annotated, old));
    assert.deepEqual(d.verdict, { allowed: true });
    assert.equal(d.skipped, 'no label changed');
  });
});

describe('cluster policy tiers', () => {
  const cnp = (action: string): KubeObject => ({
    apiVersion: 'policy.networking.k8s.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'tenant-a-to-db' },
    spec: {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } } },
      ingress: [{ name: 'tenant-a', action, from: [{ namespaces: { matchLabels: { tenant: 'a' } } }] }],
    },
  });

  test('an Admin-tier ClusterNetworkPolicy that accepts tenant-a into data is denied', () => {
    const d = judge(review('CREATE', cnp('Accept')));
    assert.equal(lastPath(), 'engine');
    assert.equal(d.verdict.allowed, false);
    assert.match(
      d.verdict.message ?? '',
      /ClusterNetworkPolicy tenant-a-to-db: .* would open tenant-a\/\w+ → data\/postgres/,
    );
  });

  test('one that denies the same traffic is admitted', () => {
    const d = judge(review('CREATE', cnp('Deny')));
    assert.equal(d.verdict.allowed, true);
  });

  test('an AdminNetworkPolicy that allows it is denied too', () => {
    const anp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'open-db' },
      spec: {
        priority: 5,
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } } },
        ingress: [{ name: 'all', action: 'Allow', from: [{ namespaces: {} }] }],
      },
    } as KubeObject;
    const d = judge(review('CREATE', anp));
    assert.equal(d.verdict.allowed, false);
    assert.match(d.verdict.message ?? '', /AdminNetworkPolicy open-db/);
  });

  test('a BaselineAdminNetworkPolicy cannot open what NetworkPolicies isolate: admitted', () => {
    const banp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: {
        subject: { namespaces: {} },
        ingress: [{ name: 'all', action: 'Allow', from: [{ namespaces: {} }] }],
      },
    } as KubeObject;
    const d = judge(review('CREATE', banp));
    assert.equal(d.verdict.allowed, true);
    assert.equal(d.skipped, undefined);
  });
});

describe('Pods', () => {
  const relabel = (): Record<string, unknown> =>
    review(
      'UPDATE',
      pod('tenant-a', 'web', { app: 'web', access: 'db' }),
      pod('tenant-a', 'web', { app: 'web' }),
    );

  test('are admitted without evaluation unless --pods', () => {
    const d = judge(relabel());
    assert.equal(d.skipped, 'pods are not judged (--pods)');
  });

  test('with --pods, a pod creation is evaluated', () => {
    const d = judge(review('CREATE', pod('shop', 'api-2', { app: 'api' })), rules({ pods: true }));
    assert.equal(d.skipped, undefined);
    assert.equal(d.verdict.allowed, true);
  });
});

describe('Nodes (--nodes)', () => {
  const node = (labels: Record<string, string>, address = '10.0.0.11'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'worker-1', labels },
    status: { addresses: [{ type: 'InternalIP', address }] },
  });
  // An Admin-tier policy whose egress peer is the nodes labelled role=db: it reads the node label `role`.
  const toDbNodes: KubeObject = {
    apiVersion: 'policy.networking.k8s.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'to-db-nodes' },
    spec: {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'tenant-a' } } },
      egress: [{ name: 'db-nodes', action: 'Accept', to: [{ nodes: { matchLabels: { role: 'db' } } }] }],
    },
  };
  const objects = (): KubeObject[] => [...baseObjects(), node({ zone: 'a' }), toDbNodes];

  test('are admitted without evaluation unless --nodes', () => {
    const d = judge(
      review('UPDATE', node({ zone: 'a', role: 'db' }), node({ zone: 'a' })),
      rules(),
      objects(),
    );
    assert.equal(d.skipped, 'nodes are not judged (--nodes)');
  });

  test('an update that changes no label and no address is admitted without evaluation', () => {
    const old = node({ zone: 'a' });
    const heartbeat = { ...old, metadata: { ...old.metadata, annotations: { 'node.alpha/seen': 'now' } } };
    const d = judge(review('UPDATE', heartbeat, old), rules({ nodes: true }), objects());
    assert.deepEqual(d.verdict, { allowed: true });
    assert.equal(d.skipped, 'no label or address changed');
  });

  test('a label no selector reads is answered at once, like a namespace relabel', () => {
    const d = judge(
      review('UPDATE', node({ zone: 'b' }), node({ zone: 'a' })),
      rules({ nodes: true }),
      objects(),
    );
    assert.deepEqual(d.verdict, { allowed: true });
    assert.equal(d.skipped, undefined);
    assert.equal(lastPath(), 'no selector reads the labels');
  });

  test("a label a cluster policy's nodes peer reads, or a new address, is computed on the state after it", () => {
    const relabel = judge(
      review('UPDATE', node({ zone: 'a', role: 'db' }), node({ zone: 'a' })),
      rules({ nodes: true }),
      objects(),
    );
    assert.equal(relabel.skipped, undefined);
    assert.equal(lastPath(), 'whole state');
    const moved = judge(
      review('UPDATE', node({ zone: 'a' }, '10.0.0.99'), node({ zone: 'a' })),
      rules({ nodes: true }),
      objects(),
    );
    assert.equal(moved.skipped, undefined);
    assert.equal(lastPath(), 'whole state');
  });
});

describe('Cilium policies', () => {
  const POSTGRES = { matchLabels: { app: 'postgres' } };
  /** `fromEndpoints` of the pods of one namespace, as Cilium names it. */
  const fromNamespace = (name: string): Record<string, unknown> => ({
    matchLabels: { 'k8s:io.kubernetes.pod.namespace': name },
  });
  const allowTenant = cnp('data', 'allow-tenant', {
    endpointSelector: POSTGRES,
    ingress: [{ fromEndpoints: [fromNamespace('tenant-a')] }],
  });

  test('a CiliumNetworkPolicy that lets tenant-a reach the database is denied, named by its id', () => {
    const d = judge(review('CREATE', allowTenant));
    assert.equal(d.verdict.allowed, false);
    assert.match(
      d.verdict.message ?? '',
      /CiliumNetworkPolicy\/data\/allow-tenant: spec\.ingress\[0\] would open tenant-a\/\w+ → data\/postgres on all ports, .* and 2 more pairs, breaking test "tenant-a never reaches the database"/,
    );
    assert.equal(lastPath(), 'whole state');
  });

  test('one that opens only what the spec allows is admitted', () => {
    const metrics = cnp('data', 'allow-shop-metrics', {
      endpointSelector: POSTGRES,
      ingress: [{ fromEndpoints: [fromNamespace('shop')], toPorts: [{ ports: [{ port: '9187' }] }] }],
    });
    const d = judge(review('CREATE', metrics));
    assert.deepEqual(d.verdict, { allowed: true });
    assert.equal(d.opened, 1);
  });

  test('a CiliumClusterwideNetworkPolicy deny that cuts an expected path is denied, naming its rule', () => {
    const deny = cnp(undefined, 'deny-shop', {
      endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data' } },
      ingressDeny: [{ fromEndpoints: [fromNamespace('shop')] }],
    });
    const d = judge(review('CREATE', deny));
    assert.equal(d.verdict.allowed, false);
    assert.match(
      d.verdict.message ?? '',
      /CiliumClusterwideNetworkPolicy\/deny-shop: spec\.ingressDeny\[0\] would cut shop\/api → data\/postgres, breaking test "the API reaches the database"/,
    );
    assert.equal(d.cut, 1);
  });

  test('deleting a CiliumNetworkPolicy allow an assertion needs is denied', () => {
    const allowApi = cnp('data', 'allow-api', {
      endpointSelector: POSTGRES,
      ingress: [{ fromEndpoints: [fromNamespace('shop')], toPorts: [{ ports: [{ port: '5432' }] }] }],
    });
    const objects = [...baseObjects().filter((o) => o.metadata.name !== 'allow-db-clients'), allowApi];
    const d = judge(review('DELETE', undefined, allowApi), rules(), objects);
    assert.equal(d.verdict.allowed, false);
    assert.match(
      d.verdict.message ?? '',
      /CiliumNetworkPolicy\/data\/allow-api: its deletion would cut shop\/api → data\/postgres/,
    );
    // The last Cilium policy gone changes the address space (world-ipv4/world-ipv6): the whole state.
    assert.equal(lastPath(), 'whole state');
    // An update that keeps the port is admitted.
    const kept = cnp('data', 'allow-api', {
      endpointSelector: POSTGRES,
      description: 'the API',
      ingress: [{ fromEndpoints: [fromNamespace('shop')], toPorts: [{ ports: [{ port: '5432' }] }] }],
    });
    assert.deepEqual(judge(review('UPDATE', kept, allowApi), rules(), objects).verdict, { allowed: true });
    // With a Cilium policy in the cluster already, the engine edits Cilium policies in place.
    assert.equal(lastPath(), 'engine');
    // A NetworkPolicy request too, Cilium policies and all.
    const metrics = np('data', 'allow-metrics', {
      podSelector: { matchLabels: { app: 'postgres' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { tenant: 'a' } } }], ports: [{ port: 9187 }] }],
    });
    assert.equal(judge(review('CREATE', metrics), rules(), objects).verdict.allowed, false);
    assert.equal(lastPath(), 'engine');
  });

  test('a policy the Cilium agent rejects is denied: it would never be enforced', () => {
    const mixed = cnp('data', 'mixed', {
      endpointSelector: POSTGRES,
      ingressDeny: [{ fromEndpoints: [fromNamespace('tenant-a')], fromCIDR: ['10.0.0.0/24'] }],
    });
    const d = judge(review('CREATE', mixed));
    assert.equal(d.verdict.allowed, false);
    assert.match(
      d.verdict.message ?? '',
      /CiliumNetworkPolicy\/data\/mixed: the Cilium agent would not enforce it: spec\.ingressDeny\[0\]\.fromCIDR: combining FromEndpoints and FromCIDR is not supported yet/,
    );
    const warned = judge(review('CREATE', mixed), rules({ mode: 'warn' }));
    assert.equal(warned.verdict.allowed, true);
    assert.match(warned.verdict.warnings?.[0] ?? '', /^would be denied: CiliumNetworkPolicy\/data\/mixed/);
  });

  test('fields netfence does not evaluate are named in a warning: the answer leaves them out', () => {
    const groups = cnp('data', 'aws-groups', {
      endpointSelector: POSTGRES,
      ingress: [{ fromGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }] }],
    });
    const d = judge(review('CREATE', groups));
    assert.equal(d.verdict.allowed, true);
    assert.equal(d.verdict.warnings?.length, 1, JSON.stringify(d.verdict.warnings));
    assert.match(
      d.verdict.warnings[0]!,
      /^CiliumNetworkPolicy\/data\/aws-groups: spec\.ingress\[0\]\.fromGroups: .*netfence reads it but does not evaluate it, so this answer leaves it out$/,
    );
  });

  test('the CNI profile decides: an ipBlock over the pod addresses opens the database upstream, not with Cilium', () => {
    const byAddress = np('data', 'allow-pod-range', {
      podSelector: { matchLabels: { app: 'postgres' } },
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
    });
    const upstream = judge(review('CREATE', byAddress));
    assert.equal(upstream.verdict.allowed, false);
    assert.match(upstream.verdict.message ?? '', /tenant-a never reaches the database/);
    const profile = resolveCniProfile('cilium');
    assert.ok(profile.ok);
    const cilium = judge(review('CREATE', byAddress), rules({ engine: cniEngineOptions(profile.value) }));
    assert.deepEqual(cilium.verdict, { allowed: true });
  });
});
