/**
 * The semantics of a reachability test: every pair of from × to, ports "all of these" for allow and "none of
 * these" for deny, no port meaning "some port" / "nothing", and except entries held to the opposite.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeConnectivity } from '../../src/engine/connectivity.ts';
import { buildRefIndex } from '../../src/engine/refs.ts';
import { formatProblem } from '../../src/model/problem.ts';
import { resolveSpec, runTests } from '../../src/testspec/run.ts';
import { parseSpec } from '../../src/testspec/spec.ts';
import { cluster, namedPort, ns, pod, policy } from '../support/builders.ts';

/**
 * prod: web, api and db. db accepts api on 5432 only; api accepts web on 8080 and 8443; web is not isolated.
 * dev: a tool pod, not isolated.
 */
const state = cluster({
  namespaces: [ns('prod', { env: 'prod' }), ns('dev', { env: 'dev' })],
  pods: [
    pod('prod', 'web', { app: 'web' }),
    pod('prod', 'api', { app: 'api' }, { namedPorts: [namedPort('http', 8080)] }),
    pod('prod', 'db', { app: 'db' }),
    pod('dev', 'tool', { app: 'tool' }, { ips: ['10.1.0.5'] }),
  ],
  policies: [
    policy('prod', 'db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }],
    }),
    policy('prod', 'api', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'web' } } }],
          ports: [{ port: 'http' }, { port: 8443 }],
        },
      ],
    }),
  ],
});

/** Runs one test given as YAML flow mapping; returns `pass` or the failures, one line each. */
function run(testYaml: string): string[] | string {
  const parsed = parseSpec(`tests:\n  - ${testYaml}\n`, 'spec.yaml');
  if (!parsed.ok) return parsed.problems.map(formatProblem).join('\n');
  const compiled = compileCluster(state);
  const index = buildRefIndex(compiled);
  const resolved = resolveSpec(parsed.spec, index);
  if (!resolved.ok) return resolved.problems.map(formatProblem).join('\n');
  const [result] = runTests(resolved.tests, index, computeConnectivity(compiled));
  if (result!.passed) return 'pass';
  return result!.failures.map(
    (f) =>
      `${index.displayName(f.src)} -> ${index.displayName(f.dst)} expected ${f.expected}${f.excepted ? ' (except)' : ''}`,
  );
}

describe('allow', () => {
  test('with ports: every port listed must be allowed', () => {
    assert.equal(run('{ from: prod/web, to: prod/api, port: [8080/TCP, 8443], expect: allow }'), 'pass');
    assert.deepEqual(run('{ from: prod/web, to: prod/api, port: 8080-8443/TCP, expect: allow }'), [
      'prod/web -> prod/api expected allow',
    ]);
  });

  test('without a port: some port is enough', () => {
    assert.equal(run('{ from: prod/web, to: prod/api, expect: allow }'), 'pass');
    assert.deepEqual(run('{ from: prod/web, to: prod/db, expect: allow }'), [
      'prod/web -> prod/db expected allow',
    ]);
  });

  test('many to many: every pair, never a workload with itself', () => {
    // prod/* × prod/* is nine pairs less the three self pairs. web is not isolated; db and api accept one source.
    assert.deepEqual(run('{ from: prod/*, to: prod/*, expect: allow }'), [
      'prod/db -> prod/api expected allow',
      'prod/web -> prod/db expected allow',
    ]);
  });
});

describe('deny', () => {
  test('with ports: none of the ports listed may be allowed', () => {
    assert.equal(run('{ from: prod/api, to: prod/db, port: 5433, expect: deny }'), 'pass');
    assert.deepEqual(run('{ from: prod/api, to: prod/db, port: [5433, 5432], expect: deny }'), [
      'prod/api -> prod/db expected deny',
    ]);
  });

  test('without a port: nothing may be allowed', () => {
    assert.equal(run('{ from: "*", to: prod/db, expect: deny, except: [prod/api] }'), 'pass');
  });

  test('except entries are held to the opposite: an except that is denied fails', () => {
    assert.deepEqual(run('{ from: "*", to: prod/db, expect: deny, except: [prod/api, prod/web] }'), [
      'prod/web -> prod/db expected allow (except)',
    ]);
  });

  test('label selectors and addresses as references', () => {
    assert.equal(run('{ from: "app=tool", to: "prod/app in (api, db)", expect: deny }'), 'pass');
    assert.equal(run('{ from: 0.0.0.0/0, to: prod/app=db, expect: deny }'), 'pass');
    // An IP of a pod is that pod.
    assert.deepEqual(run('{ from: 10.1.0.5, to: prod/web, expect: deny }'), [
      'dev/tool -> prod/web expected deny',
    ]);
  });
});

describe('problems found when resolving against the cluster', () => {
  test('an unknown workload, with the closest one', () => {
    assert.equal(
      run('{ from: prod/wbe, to: prod/api, expect: allow }'),
      'spec.yaml:2:13 tests[0].from: no workload "prod/wbe"; did you mean "prod/web"?',
    );
  });

  test('an except entry outside the test', () => {
    assert.equal(
      run('{ from: prod/web, to: prod/api, expect: allow, except: [dev/tool] }'),
      'spec.yaml:2:61 tests[0].except[0]: except "dev/tool" is in neither "from" nor "to" of this test',
    );
  });

  test('a test with no pair', () => {
    assert.equal(
      run('{ from: prod/web, to: prod/web, expect: deny }'),
      'spec.yaml:2:5 tests[0]: the test checks no pair: a workload is never checked against itself, nor an address against an address',
    );
  });
});
