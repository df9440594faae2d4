/**
 * What-if answers of L7 filtering toward addresses when the edit splits an address class (issue #20, round
 * 9): the notes and edges name the policies of the right class. Before the fix, a side's L7 connections were
 * keyed by that side's own address classes, whose ids name other classes in the common address space: a
 * row named the policy of another class, and a removed edge to a split class had no L7 note.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { applyChanges, whatIf } from '../../src/server/whatif.ts';

const OPTIONS = { engine: { ipBlockMatchesPods: true }, defaultNamespace: 'default' };
const OUT = 'CiliumNetworkPolicy/news/l7-out';
const TWO = 'CiliumNetworkPolicy/news/l7-two';

/** A Cilium policy of news/web: egress to `cidrs` on TCP `port`, filtered at L7 (HTTP). */
function l7Egress(name: string, cidrs: string, port: number): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: news
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    - toCIDR: [${cidrs}]
      toPorts:
        - ports: [{ port: '${port}', protocol: TCP }]
          rules:
            http:
              - { method: GET, path: '/' }
`;
}

let state: ClusterState;
before(async () => {
  const loaded = await loadManifests(['examples/cilium'], {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  assert.deepEqual(loaded.errors, []);
  // examples/cilium with two L7 egress policies of web: l7-out to 203.0.113.0/24 on 80, l7-two to
  // 198.51.100.0/24 on 81.
  const added = applyChanges(
    loaded.state,
    [{ yaml: l7Egress('l7-out', '203.0.113.0/24', 80) }, { yaml: l7Egress('l7-two', '198.51.100.0/24', 81) }],
    'default',
  );
  assert.deepEqual(added.problems, []);
  state = added.after;
});

describe('what-if: L7 toward an address class the edit splits', () => {
  test('each row and edge names the policies of its own class', () => {
    // l7-out now to 10.0.0.0/8 and half of its /24 (a class first in the common space: every later id
    // moves by one), l7-two from port 81 to 82.
    const r = whatIf(
      state,
      [
        { target: OUT, yaml: l7Egress('l7-out', '10.0.0.0/8, 203.0.113.0/25', 80) },
        { target: TWO, yaml: l7Egress('l7-two', '198.51.100.0/24', 82) },
      ],
      OPTIONS,
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.rows.map((x) => [x.change, x.src, x.dst, x.l7]),
      [
        ['added', 'news/web', '10.0.0.0/8', `filtered at L7 on TCP 80 by ${OUT}`],
        [
          'changed',
          'news/web',
          '198.51.100.0/24',
          `filtered at L7 on TCP 82 by ${TWO}; no longer filtered at L7 on TCP 81 by ${TWO}`,
        ],
        // Part of web's connection to 203.0.113.0/24, which keeps its /25: a changed connection, as diff counts it.
        [
          'changed',
          'news/web',
          '203.0.113.0/24 except 203.0.113.0/25',
          `no longer filtered at L7 on TCP 80 by ${OUT}`,
        ],
      ],
    );
    const described = new Map(r.external.map((e) => [e.id, e.description]));
    assert.deepEqual(
      r.edges
        .filter((e) => e.src === 'news/Deployment/web' && described.has(e.dst))
        .map((e) => [e.change, described.get(e.dst), e.l7]),
      [
        ['added', '10.0.0.0/8', `filtered at L7 on TCP 80 by ${OUT}`],
        ['changed', '198.51.100.0/24', `filtered at L7 on TCP 82 by ${TWO}`],
        ['removed', '203.0.113.0/24 except 203.0.113.0/25', `filtered at L7 on TCP 80 by ${OUT}`],
        ['unchanged', '203.0.113.0/25', `filtered at L7 on TCP 80 by ${OUT}`],
      ],
    );
  });

  test('a class split in two: both parts keep the policy that filters the whole', () => {
    const r = whatIf(state, [{ target: OUT, yaml: l7Egress('l7-out', '203.0.113.0/25', 80) }], OPTIONS);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.rows.map((x) => [x.change, x.dst, x.l7]),
      // The row is in the section of web's connection to the /24: changed, since it keeps the /25.
      [['changed', '203.0.113.0/24 except 203.0.113.0/25', `no longer filtered at L7 on TCP 80 by ${OUT}`]],
    );
    const described = new Map(r.external.map((e) => [e.id, e.description]));
    assert.deepEqual(
      r.edges
        .filter(
          (e) => e.src === 'news/Deployment/web' && described.get(e.dst)?.startsWith('203.0.113.') === true,
        )
        .map((e) => [e.change, described.get(e.dst), e.l7]),
      [
        ['removed', '203.0.113.0/24 except 203.0.113.0/25', `filtered at L7 on TCP 80 by ${OUT}`],
        ['unchanged', '203.0.113.0/25', `filtered at L7 on TCP 80 by ${OUT}`],
      ],
    );
  });
});
