import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { audit, newlySkipped, summarize, type AuditRules } from '../../src/controller/audit.ts';
import { DEFAULT_CONFIG } from '../../src/lint/config.ts';
import { parseSpec } from '../../src/testspec/spec.ts';
import { cniEngineOptions, resolveCniProfile } from '../../src/engine/profiles.ts';
import { cnp, np, ns, pod } from '../admission/fixtures.ts';

const SPEC = `tests:
  - name: the api reaches the database
    from: shop/api
    to: data/postgres
    port: 5432/TCP
    expect: allow
  - name: tenant-a never reaches the database
    from: tenant-a/*
    to: data/postgres
    expect: deny
  - name: the queue is private
    from: shop/api
    to: data/queue
    expect: deny
  - name: the api never reaches the database on 22
    from: shop/api
    to: data/postgres
    port: 22/TCP
    expect: deny
`;

function rules(extra: Partial<AuditRules> = {}): AuditRules {
  const parsed = parseSpec(SPEC, 'reachability.yaml');
  assert.ok(parsed.ok);
  return {
    lint: DEFAULT_CONFIG,
    specs: [parsed.spec],
    blastRadiusTop: 2,
    excluded: (n) => n === 'kube-system',
    ...extra,
  };
}

const objects = [
  ns('shop'),
  ns('data'),
  ns('tenant-a'),
  ns('kube-system'),
  pod('shop', 'api', { app: 'api' }),
  pod('tenant-a', 'web', { app: 'web' }),
  pod('data', 'postgres', { app: 'postgres' }),
  pod('kube-system', 'dns', { app: 'dns' }),
  // data: ingress denied to all but postgres from tenant-a (a mistake the spec catches).
  np('data', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] }),
  np('data', 'allow-tenant', {
    podSelector: { matchLabels: { app: 'postgres' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tenant-a' } } }] },
    ],
  }),
];

describe('the audit', () => {
  const result = audit(objects, rules());

  test('one report per namespace not excluded, and the cluster-wide one', () => {
    assert.deepEqual([...result.reports.keys()].sort(), ['', 'data', 'shop', 'tenant-a']);
  });

  test('each assertion is reported in the namespaces of its destinations: failing pairs named, passing tests too', () => {
    const data = result.reports.get('data')!.filter((r) => r.policy === 'netfence/test');
    const byRule = new Map(data.map((r) => [r.rule, r]));
    const allow = byRule.get('the api reaches the database')!;
    assert.equal(allow.result, 'fail');
    assert.equal(allow.severity, 'high');
    assert.match(allow.message, /shop\/api → data\/postgres denied/);
    assert.deepEqual(allow.resources, [
      { apiVersion: 'v1', kind: 'Pod', name: 'postgres', namespace: 'data' },
    ]);
    assert.deepEqual(allow.properties, { spec: 'reachability.yaml', line: '2' });
    const deny = byRule.get('tenant-a never reaches the database')!;
    assert.equal(deny.result, 'fail');
    assert.match(deny.message, /tenant-a\/web → data\/postgres allowed/);
    const holds = byRule.get('the api never reaches the database on 22')!;
    assert.deepEqual(
      [holds.result, holds.message],
      ['pass', 'the api never reaches the database on 22: holds'],
    );
    assert.deepEqual(
      result.violations.map((v) => [v.test, v.count]),
      [
        ['the api reaches the database', 1],
        ['tenant-a never reaches the database', 1],
        ['the api never reaches the database on 22', 0],
      ],
    );
  });

  test('a test whose references do not resolve is skipped, in the cluster-wide report', () => {
    const skipped = result.reports.get('')!.filter((r) => r.policy === 'netfence/test');
    assert.deepEqual(
      skipped.map((r) => [r.rule, r.result]),
      [['the queue is private', 'skip']],
    );
    assert.match(skipped[0]!.message, /queue/);
  });

  test('unprotected workloads per namespace and direction', () => {
    const key = (u: { namespace: string; direction: string }): string => `${u.namespace} ${u.direction}`;
    const unprotected = new Map(result.unprotected.map((u) => [key(u), u.count]));
    assert.equal(unprotected.get('shop ingress'), 1);
    assert.equal(unprotected.get('data ingress'), undefined, 'the default deny isolates data');
    assert.equal(unprotected.get('data egress'), 1);
    assert.equal(unprotected.get('kube-system ingress'), 1, 'counted even where no report is written');
  });

  test('lint findings: counted by rule and severity as they are reported', () => {
    const lintResults = [...result.reports.values()].flat().filter((r) => r.policy === 'netfence/lint');
    const counted = result.findings.reduce((n, f) => n + f.count, 0);
    const inKubeSystem = counted - lintResults.length;
    assert.ok(counted > 0);
    assert.ok(inKubeSystem >= 0, 'findings of an excluded namespace are counted, not reported');
    for (const r of lintResults) {
      assert.ok(['fail', 'warn'].includes(r.result));
      assert.ok(result.findings.some((f) => f.rule === r.rule));
    }
  });

  test('exposure flags as warnings on the workload, and the blast radius of the top N', () => {
    const exposure = [...result.reports.values()].flat().filter((r) => r.policy === 'netfence/exposure');
    assert.ok(exposure.length > 0);
    for (const r of exposure) assert.equal(r.result, 'warn');
    assert.equal(
      result.exposed.reduce((n, e) => n + e.count, 0),
      exposure.length + countExcludedExposure(),
    );
    assert.equal(result.blastRadius.length, 2);
    assert.ok(result.blastRadius[0]!.reach >= result.blastRadius[1]!.reach);
  });

  test('every phase is timed', () => {
    assert.deepEqual(
      result.durations.map((d) => d.phase),
      ['state', 'lint', 'tests', 'exposure', 'blast-radius'],
    );
    for (const d of result.durations) assert.ok(d.seconds >= 0);
  });

  test('the summary counts results by outcome', () => {
    const results = result.reports.get('data')!;
    const summary = summarize(results);
    assert.equal(summary.pass + summary.fail + summary.warn + summary.error + summary.skip, results.length);
    assert.equal(summary.fail, results.filter((r) => r.result === 'fail').length);
  });

  test('a report over the cap keeps the worst results and counts the others', () => {
    const full = result.reports.get('data')!;
    const small = audit(objects, rules({ maxResults: 2 })).reports.get('data')!;
    assert.equal(small.length, 2);
    const [kept, note] = [
      small.find((r) => r.rule !== 'results-left-out')!,
      small.find((r) => r.rule === 'results-left-out')!,
    ];
    assert.equal(kept.result, 'fail');
    assert.equal(note.result, 'skip');
    assert.match(
      note.message,
      new RegExp(`^${full.length - 1} more results are left out: a report holds 2 at most`),
    );
  });
});

/** Exposure flags of kube-system's workloads: counted in the metric, written in no report. */
function countExcludedExposure(): number {
  const all = audit(objects, rules({ excluded: () => false }));
  const reported = [...all.reports.values()].flat().filter((r) => r.policy === 'netfence/exposure');
  const withExclusion = audit(objects, rules());
  const kept = [...withExclusion.reports.values()].flat().filter((r) => r.policy === 'netfence/exposure');
  return reported.length - kept.length;
}

describe('the audit under a CNI profile, and with Cilium policies', () => {
  /** The API reaches the database through an ipBlock over the pod addresses only. */
  const byAddress = [
    ...objects.filter((o) => o.metadata.name !== 'allow-tenant'),
    np('data', 'allow-pod-range', {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 5432 }] }],
    }),
  ];
  const apiTest = (r: AuditRules): string | undefined =>
    audit(byAddress, r)
      .reports.get('data')!
      .find((x) => x.rule === 'the api reaches the database')?.result;

  test('upstream: the ipBlock matches pod addresses; cilium: it does not, and the assertion fails', () => {
    assert.equal(apiTest(rules()), 'pass');
    const profile = resolveCniProfile('cilium');
    assert.ok(profile.ok);
    assert.equal(apiTest(rules({ engine: cniEngineOptions(profile.value) })), 'fail');
  });

  test('a CiliumNetworkPolicy allow is audited, and its lint findings name it with its apiVersion', () => {
    const allowApi = cnp('shop', 'api-egress', {
      endpointSelector: { matchLabels: { app: 'api' } },
      enableDefaultDeny: { egress: false },
      egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data' } }] }],
    });
    const allowDb = cnp('data', 'allow-api', {
      endpointSelector: { matchLabels: { app: 'postgres' } },
      ingress: [
        {
          fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', app: 'api' } }],
          toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
        },
      ],
    });
    const before = audit(objects, rules()).reports.get('data')!;
    const after = audit([...objects, allowApi, allowDb], rules());
    const test = (results: readonly { rule: string; result: string }[]): string | undefined =>
      results.find((x) => x.rule === 'the api reaches the database')?.result;
    assert.equal(test(before), 'fail');
    assert.equal(test(after.reports.get('data')!), 'pass');
    const finding = after.reports.get('shop')!.find((x) => x.rule === 'no-cilium-allow-without-default-deny');
    assert.deepEqual(finding?.resources, [
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', name: 'api-egress', namespace: 'shop' },
    ]);
    assert.equal(finding?.properties?.fieldPath, 'spec.enableDefaultDeny.egress');
  });
});

describe('objects netfence cannot read', () => {
  const bad = (namespace: string): ReturnType<typeof np> =>
    np(namespace, 'odd', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['x'] }] },
      ingress: [{}],
    });
  const why =
    'spec.podSelector.matchExpressions[0].operator: "Bogus" is not a selector operator: use In, NotIn, Exists or DoesNotExist';

  test('each is in the result, and an error result of its namespace report names it; the rest is as without it', () => {
    const result = audit([...objects, bad('shop'), bad('kube-system')], rules());
    assert.deepEqual(
      [...result.skipped],
      [
        ['shop/NetworkPolicy/odd', why],
        ['kube-system/NetworkPolicy/odd', why],
      ],
    );
    const shop = result.reports.get('shop')!;
    assert.deepEqual(
      shop.filter((r) => r.rule === 'object-left-out'),
      [
        {
          source: 'netfence',
          policy: 'netfence/audit',
          rule: 'object-left-out',
          result: 'error',
          severity: 'high',
          category: 'audit',
          message: `netfence cannot read shop/NetworkPolicy/odd, so every result here leaves it out: ${why}`,
          resources: [
            { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'odd', namespace: 'shop' },
          ],
        },
      ],
    );
    assert.equal(result.reports.get('kube-system'), undefined);
    const clean = audit(objects, rules());
    assert.equal(clean.skipped.size, 0);
    assert.deepEqual(
      new Map([...result.reports].map(([k, v]) => [k, v.filter((r) => r.rule !== 'object-left-out')])),
      clean.reports,
    );
  });

  test('a namespace netfence cannot read is reported in its own namespace', () => {
    const odd = { ...ns('odd'), metadata: { name: 'odd', labels: { 'bad key!': 'x' } } };
    const result = audit([...objects, odd], rules());
    assert.deepEqual([...result.skipped.keys()], ['Namespace/odd']);
    assert.notEqual(result.skipped.get('Namespace/odd'), '');
    const mine = [...result.reports].filter(([, v]) => v.some((r) => r.rule === 'object-left-out'));
    assert.deepEqual(
      mine.map(([k]) => k),
      ['odd'],
    );
  });

  test('each is logged once per change', () => {
    const a = new Map([['shop/NetworkPolicy/odd', 'x']]);
    assert.deepEqual(newlySkipped(new Map(), a), [{ object: 'shop/NetworkPolicy/odd', reason: 'x' }]);
    assert.deepEqual(newlySkipped(a, new Map(a)), []);
    assert.deepEqual(newlySkipped(a, new Map([['shop/NetworkPolicy/odd', 'y']])), [
      { object: 'shop/NetworkPolicy/odd', reason: 'y' },
    ]);
    assert.deepEqual(newlySkipped(a, new Map()), []);
  });
});

describe('fields netfence reads but does not evaluate', () => {
  test("each is a warning in its object's namespace report, naming the field", () => {
    const groups = cnp('shop', 'groups', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }] }],
    });
    const result = audit([...objects, groups], rules());
    const partly = [...result.reports].flatMap(([namespace, results]) =>
      results.filter((r) => r.rule === 'object-partly-evaluated').map((r) => ({ namespace, ...r })),
    );
    assert.deepEqual(partly, [
      {
        namespace: 'shop',
        source: 'netfence',
        policy: 'netfence/audit',
        rule: 'object-partly-evaluated',
        result: 'warn',
        severity: 'medium',
        category: 'audit',
        message:
          'shop/CiliumNetworkPolicy/groups spec.ingress[0].fromGroups: fromGroups selects addresses of cloud security groups, which are not in the input; the rule matches no address here: netfence reads it but does not evaluate it',
        resources: [
          { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', name: 'groups', namespace: 'shop' },
        ],
      },
    ]);
    assert.equal(result.skipped.size, 0);
  });
});
