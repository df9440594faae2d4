/**
 * `netfence paths` on the bundled example and on the lateral-movement fixture: golden outputs of the three
 * modes (ranking, reach from --from, paths to --to), hop counts, exit codes for CI, and user errors.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertGolden, runCli } from '../support/cli.ts';

const EXAMPLE = 'examples/webshop';
const LATERAL = 'test/fixtures/paths/lateral.yaml';

interface Step {
  src: { workload?: string; external?: string[] };
  dst: { workload?: string; external?: string[] };
  summary: string;
}

describe('netfence paths on the bundled example', () => {
  const goldens: [string, string[]][] = [
    ['rank.txt', []],
    ['rank.md', ['-o', 'md']],
    ['rank.json', ['-o', 'json']],
    ['reach-web.txt', ['--from', 'shop/web']],
    ['reach-web.md', ['--from', 'shop/web', '-o', 'md']],
    ['reach-web.json', ['--from', 'shop/web', '-o', 'json']],
    [
      'targets-ingress-postgres.txt',
      ['--from', 'ingress-nginx/ingress-nginx-controller', '--to', 'data/postgres'],
    ],
    ['targets-outside-data.md', ['--to', 'data/*', '-o', 'md']],
  ];
  for (const [name, args] of goldens) {
    test(`${args.join(' ') || '(no options)'} matches paths/webshop-${name}`, async () => {
      const r = await runCli(['paths', EXAMPLE, ...args]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assertGolden(`paths/webshop-${name}`, r.stdout);
    });
  }

  test('ingress-nginx reaches data/postgres in 3 hops, through grafana (open to all) and Prometheus', async () => {
    const r = await runCli([
      'paths',
      EXAMPLE,
      '--from',
      'ingress-nginx/ingress-nginx-controller',
      '--to',
      'data/postgres',
      '-o',
      'json',
    ]);
    // A reachable target fails the check.
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n').at(-2), 'netfence: 1 of 1 target reachable');
    const out = JSON.parse(r.stdout) as {
      mode: string;
      summary: { targets: number; reachable: number };
      targets: { target: { workload: string }; reachable: boolean; hops: number; path: Step[] }[];
    };
    assert.equal(out.mode, 'targets');
    assert.deepEqual(out.summary, { targets: 1, reachable: 1 });
    const [t] = out.targets;
    assert.equal(t!.hops, 3);
    assert.deepEqual(
      t!.path.map((s) => `${s.src.workload!} -[${s.summary}]-> ${s.dst.workload!}`),
      [
        'ingress-nginx/Deployment/ingress-nginx-controller -[All connections]-> monitoring/Deployment/grafana',
        'monitoring/Deployment/grafana -[TCP 9090]-> monitoring/StatefulSet/prometheus',
        'monitoring/StatefulSet/prometheus -[TCP 9100-9199]-> data/StatefulSet/postgres',
      ],
    );
  });

  test('from shop/web every other workload is within 3 hops; the hop counts per workload', async () => {
    const r = await runCli(['paths', EXAMPLE, '--from', 'shop/web', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      summary: { workloads: number; reached: number; maxDistance: number; byHops: Record<string, number> };
      reached: { workload: string; hops: number; path: Step[] }[];
      unreached: string[];
    };
    assert.deepEqual(out.summary, {
      workloads: 16,
      reached: 15,
      unreached: 0,
      maxDistance: 3,
      byHops: { '1': 7, '2': 5, '3': 3 },
    });
    const hops = Object.fromEntries(out.reached.map((x) => [x.workload, x.hops]));
    assert.equal(hops['shop/Deployment/api'], 1);
    assert.equal(hops['payments/Deployment/payment-gateway'], 1); // weakness 6: every pod of shop
    assert.equal(hops['payments/Deployment/fraud-check'], 2);
    assert.equal(hops['data/StatefulSet/postgres'], 3);
    // Every path is as long as its hop count, and chains from shop/web.
    for (const x of out.reached) {
      assert.equal(x.path.length, x.hops);
      assert.equal(x.path[0]!.src.workload, 'shop/Deployment/web');
      assert.equal(x.path.at(-1)!.dst.workload, x.workload);
    }
  });

  test('webshop-v2: the AND/OR fix moves payment-gateway from 1 hop of shop/web to 3', async () => {
    // v2 fixes the AND/OR mistake: only shop/checkout may call payment-gateway. web still reaches checkout
    // through api, so the gateway is 3 hops away instead of 1: fixed, but not contained.
    const r = await runCli([
      'paths',
      'examples/webshop-v2',
      '--from',
      'shop/web',
      '--to',
      'payments/*',
      '-o',
      'json',
    ]);
    const out = JSON.parse(r.stdout) as {
      targets: { target: { workload: string }; hops: number | null; path: Step[] }[];
    };
    assert.deepEqual(
      out.targets.map((t) => `${t.target.workload} ${t.hops}`),
      ['payments/Deployment/fraud-check 4', 'payments/Deployment/payment-gateway 3'],
    );
    assert.deepEqual(
      out.targets[1]!.path.map((s) => s.dst.workload),
      ['shop/Deployment/api', 'shop/Deployment/checkout', 'payments/Deployment/payment-gateway'],
    );
  });
});

describe('netfence paths on a chain, a cycle and a diamond', () => {
  test('the ranking and the tree from outside match their golden files', async () => {
    const rank = await runCli(['paths', LATERAL]);
    assert.equal(rank.code, 0, rank.stderr);
    assertGolden('paths/lateral-rank.txt', rank.stdout);
    const outside = await runCli(['paths', LATERAL, '--from', '0.0.0.0/0']);
    assertGolden('paths/lateral-outside.txt', outside.stdout);
    const top = await runCli(['paths', LATERAL, '--from', 'diamond/top', '--from', 'ring/x']);
    assertGolden('paths/lateral-two-sources.txt', top.stdout);
  });

  test('an unreachable target passes the check (exit 0)', async () => {
    const r = await runCli(['paths', LATERAL, '--from', 'chain/d', '--to', 'chain/a', '--to', 'app=bottom']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'From chain/d: 0 of 2 targets reachable.\n\nchain/a: not reachable\n\ndiamond/bottom: not reachable\n',
    );
  });

  test('--max-hops turns a reachable target into an unreachable one', async () => {
    const far = await runCli(['paths', LATERAL, '--from', 'chain/a', '--to', 'chain/d']);
    assert.equal(far.code, 1);
    assert.match(far.stdout, /^chain\/d: 3 hops$/m);
    const near = await runCli(['paths', LATERAL, '--from', 'chain/a', '--to', 'chain/d', '--max-hops', '2']);
    assert.equal(near.code, 0);
    assert.match(near.stdout, /^From chain\/a: 0 of 1 target reachable within 2 hops\.$/m);
  });

  test('--to without --from starts outside the cluster', async () => {
    const r = await runCli(['paths', LATERAL, '--to', 'chain/c', '--to', 'ring/*']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^From outside the cluster \(every address\): 1 of 4 targets reachable\.$/m);
    assert.match(r.stdout, /^chain\/c: 3 hops$/m);
    assert.match(r.stdout, /^ring\/x: not reachable$/m);
  });

  const limits: [string, string[], number, RegExp | undefined][] = [
    // Largest blast radius is 3 of 10 others (30%).
    ['3', [], 0, undefined],
    ['2', [], 1, /^netfence: 2 workloads reach more than --max-reach 2 \(the most: diamond\/top, 3\)$/m],
    ['30%', [], 0, undefined],
    ['29.5%', [], 1, /^netfence: 2 workloads reach more than --max-reach 29\.5%/m],
    // With --from, the compromised workloads together: chain/a reaches 3.
    [
      '2',
      ['--from', 'chain/a'],
      1,
      /^netfence: the compromised workloads reach 3 of 10 others, more than --max-reach 2$/m,
    ],
    ['3', ['--from', 'chain/a'], 0, undefined],
  ];
  for (const [limit, extra, code, message] of limits) {
    test(`--max-reach ${limit} ${extra.join(' ')} exits ${code}`, async () => {
      const r = await runCli(['paths', LATERAL, '--max-reach', limit, ...extra]);
      assert.equal(r.code, code, r.stderr);
      if (message !== undefined) assert.match(r.stderr, message);
    });
  }

  test('--top shows the first rows of the ranking', async () => {
    const r = await runCli(['paths', LATERAL, '--top', '2']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^1 +diamond\/top +3 \(30%\) +2 *$/m);
    assert.match(r.stdout, /^1 +chain\/a +3 \(30%\) +1 +TCP 443 from 0\.0\.0\.0\/0$/m);
    assert.match(r.stdout, /^… 9 more \(--top 2\)$/m);
    assert.doesNotMatch(r.stdout, /chain\/b/);
  });
});

test('--max-reach with no workload to check is exit 2, never a pass', async () => {
  const r = await runCli(['paths', '-', '--max-reach', '0'], {
    stdin: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n',
  });
  assert.deepEqual(
    [r.code, r.stdout, r.stderr],
    [
      2,
      '',
      'netfence: --max-reach: no workload to check: the input has none (1 namespace, no workload); a gate with nothing to check does not pass\n',
    ],
  );
});

describe('netfence paths: user errors', () => {
  const errors: [string, string[], RegExp][] = [
    [
      'a workload that does not exist',
      ['--from', 'chain/e'],
      /^netfence: --from: no workload "chain\/e"; did you mean "chain\/a"\?$/m,
    ],
    ['a bare name', ['--to', 'bottom'], /^netfence: --to: .*did you mean "diamond\/bottom"\?$/m],
    [
      '--top with --from',
      ['--from', 'chain/a', '--top', '3'],
      /^netfence: --top limits the blast-radius ranking/m,
    ],
    ['--max-hops without --from', ['--max-hops', '2'], /^netfence: --max-hops needs --from or --to/m],
    [
      'a bad --max-reach',
      ['--max-reach', 'lots'],
      /^netfence: invalid --max-reach "lots": give a number of workloads \(5\) or a percentage \(25%\)$/m,
    ],
    [
      'a --max-reach over 100%',
      ['--max-reach', '150%'],
      /^netfence: invalid --max-reach "150%": a percentage of the other workloads is at most 100% \(100% allows every one\)$/m,
    ],
    [
      'a bad --max-hops',
      ['--from', 'chain/a', '--max-hops', '-1'],
      /^netfence: invalid --max-hops "-1": give a whole number/m,
    ],
    [
      // 0 hops reaches nothing: a --to gate with it could never fail.
      '--max-hops 0',
      ['--from', 'chain/a', '--to', 'chain/b', '--max-hops', '0'],
      /^netfence: invalid --max-hops "0": give a whole number of at least 1, e.g\. --max-hops 3$/m,
    ],
    [
      '--top 0',
      ['--top', '0'],
      /^netfence: invalid --top "0": give a whole number of at least 1, e\.g\. --top 3$/m,
    ],
    [
      'targets that are all sources',
      ['--from', 'chain/*', '--to', 'chain/b'],
      /^netfence: every --to workload is also a --from workload/m,
    ],
  ];
  for (const [what, args, message] of errors) {
    test(`${what}: one line, exit 2`, async () => {
      const r = await runCli(['paths', LATERAL, ...args]);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
    });
  }
});
