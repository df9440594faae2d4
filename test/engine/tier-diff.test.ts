/**
 * The notes and fields of a modified cluster policy (`src/engine/tier-diff.ts`), for the cases that
 * mutation testing (issue #20) found unpinned by `test/diff/tiers.test.ts`: labels, rules named `""`, rules
 * alike but for their name or their ports, names used twice, and the order the notes come in.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffClusterPolicies } from '../../src/engine/tier-diff.ts';
import type { ClusterPolicyInfo } from '../../src/model/cluster.ts';
import type { ClusterNetworkPolicySpec } from '../../src/model/k8s.ts';
import { formatPath } from '../../src/model/problem.ts';
import { cnp } from '../support/builders.ts';

const SUBJECT = { namespaces: { matchLabels: { env: 'prod' } } };
const DB = { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } };
const DNS = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } };

type Rule = NonNullable<ClusterNetworkPolicySpec['egress']>[number];

/** An Admin CNP `guard` with these egress rules. */
function guard(egress: Rule[]): ClusterPolicyInfo {
  return cnp('guard', { tier: 'Admin', priority: 100, subject: SUBJECT, egress });
}

/** The notes of the one modified policy. */
function notesOf(before: Rule[], after: Rule[]): string[] {
  const changes = diffClusterPolicies([guard(before)], [guard(after)]);
  assert.equal(changes.length, 1);
  assert.equal(changes[0]!.change, 'modified');
  return changes[0]!.notes;
}

const tcp = (port: number) => [{ tcp: { destinationPort: { number: port } } }];

describe('cluster policy diff: what counts as modified', () => {
  test('a change of labels only: modified, the label as its field, no notes', () => {
    const before = guard([{ action: 'Deny', to: [DB] }]);
    const after = { ...before, labels: { team: 'net' } };
    const [c] = diffClusterPolicies([before], [after]);
    assert.equal(c?.change, 'modified');
    assert.deepEqual(c?.fields.map(formatPath), ['metadata.labels.team']);
    assert.deepEqual(c?.notes, []);
  });
});

describe('cluster policy diff: rules', () => {
  test('a rule named "" is named by its index, as an unnamed one', () => {
    assert.deepEqual(
      notesOf([{ name: '', action: 'Deny', to: [DB] }], [{ name: '', action: 'Pass', to: [DB] }]),
      ['egress rule 0 action Deny → Pass'],
    );
    assert.deepEqual(
      notesOf(
        [
          { name: '', action: 'Deny', to: [DB] },
          { name: 'dns', action: 'Accept', to: [DNS] },
        ],
        [
          { name: 'dns', action: 'Accept', to: [DNS] },
          { name: '', action: 'Deny', to: [DB] },
        ],
      ),
      ['egress rules reordered: #0, dns → dns, #1'],
    );
  });

  test('rules named "" are paired by position, not by their empty name', () => {
    assert.deepEqual(
      notesOf(
        [
          { name: '', action: 'Deny', to: [DB] },
          { action: 'Accept', to: [DNS] },
        ],
        [
          { action: 'Pass', to: [DNS] },
          { name: '', action: 'Deny', to: [DB] },
        ],
      ),
      ['egress rule 0 action Deny → Pass', 'egress rule 1 action Accept → Deny'],
    );
  });

  test('two rules alike but for their names, swapped: reordered', () => {
    assert.deepEqual(
      notesOf(
        [
          { name: 'a', action: 'Deny', to: [DB] },
          { name: 'b', action: 'Deny', to: [DB] },
        ],
        [
          { name: 'b', action: 'Deny', to: [DB] },
          { name: 'a', action: 'Deny', to: [DB] },
        ],
      ),
      ['egress rules reordered: a, b → b, a'],
    );
  });

  test('two unnamed rules alike but for their peers, or their ports, swapped: reordered', () => {
    const byPeers: Rule[] = [
      { action: 'Deny', to: [DB] },
      { action: 'Deny', to: [DNS] },
    ];
    assert.deepEqual(notesOf(byPeers, [byPeers[1]!, byPeers[0]!]), [
      'egress rules reordered: #0, #1 → #0, #1',
    ]);
    // And back: whichever of the two sides lists the rules in the order of their content.
    assert.deepEqual(notesOf([byPeers[1]!, byPeers[0]!], byPeers), [
      'egress rules reordered: #0, #1 → #0, #1',
    ]);
    const byPorts: Rule[] = [
      { action: 'Deny', to: [DB], protocols: tcp(80) },
      { action: 'Deny', to: [DB], protocols: tcp(443) },
    ];
    assert.deepEqual(notesOf(byPorts, [byPorts[1]!, byPorts[0]!]), [
      'egress rules reordered: #0, #1 → #0, #1',
    ]);
  });

  test('a name used twice on one side pairs nothing by name', () => {
    // Before: two rules named x; after: one. Paired by position: the first x, whose action changed.
    assert.deepEqual(
      notesOf(
        [
          { name: 'x', action: 'Deny', to: [DB] },
          { name: 'x', action: 'Pass', to: [DNS] },
        ],
        [{ name: 'x', action: 'Pass', to: [DB] }],
      ),
      ['egress rule 1 "x" removed (Pass)', 'egress rule 0 "x" action Deny → Pass'],
    );
    // The other way round: one x before, two after.
    assert.deepEqual(
      notesOf(
        [{ name: 'x', action: 'Deny', to: [DB] }],
        [
          { name: 'x', action: 'Pass', to: [DB] },
          { name: 'x', action: 'Deny', to: [DNS] },
        ],
      ),
      ['egress rule 1 "x" added (Deny)', 'egress rule 0 "x" action Deny → Pass'],
    );
  });

  test('action changes come in the order of the rules after, whether paired by name or by position', () => {
    assert.deepEqual(
      notesOf(
        [
          { action: 'Accept', to: [DNS] },
          { name: 'db', action: 'Deny', to: [DB] },
        ],
        [
          { action: 'Deny', to: [DNS] },
          { name: 'db', action: 'Pass', to: [DB] },
        ],
      ),
      ['egress rule 0 action Accept → Deny', 'egress rule 1 "db" action Deny → Pass'],
    );
  });
});
