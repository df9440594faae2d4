/**
 * explain's words for Cilium rules (review 2, #23 and #32): the peer through which a rule matched in the words
 * `exposure` uses (not "endpoint selector"), and an SCTP entry under a profile with SCTP off (Cilium's
 * `enable-sctp`) named as the near miss's reason (not "the rule's toPorts allow no TCP, UDP or SCTP port").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertGolden, runCli } from '../support/cli.ts';
import type { ExplainJson } from '../../src/contract/explain.ts';

const FIXTURE = 'test/fixtures/cilium-explain-words/cluster.yaml';

async function explain(args: readonly string[]) {
  return runCli(['explain', FIXTURE, ...args]);
}

/** What the reading commands say of the fixture's SCTP entry under cilium without enable-sctp. */
const SCTP_OFF =
  'warning: cilium: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 1 policy has them (CiliumNetworkPolicy/a/sel); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)\n';

async function json(args: readonly string[]): Promise<ExplainJson> {
  const r = await explain([...args, '-o', 'json']);
  const sctpOff = args.includes('cilium') && !args.includes('enable-sctp=true');
  assert.equal(r.stderr, sctpOff ? SCTP_OFF : '');
  return JSON.parse(r.stdout) as ExplainJson;
}

describe("explain: Cilium rules in exposure's words", () => {
  test('the matching peer says which selector matched (a namespace label here)', async () => {
    const args = ['--from', 'b/other', '--to', 'a/server', '--port', '2000/TCP'];
    const r = await explain(args);
    assert.equal(r.code, 0);
    assertGolden('explain/cilium-peer-words.txt', r.stdout);
    const x = await json(args);
    assert.deepEqual(
      x.explanations[0]!.ingress.cilium?.allows.map((a) => [a.path, a.peer]),
      [['spec.ingress[0]', 'endpoints labelled io.cilium.k8s.namespace.labels.team=b']],
    );
    const same = await json(['--from', 'a/client', '--to', 'a/server', '--port', '3868/SCTP']);
    assert.deepEqual(
      same.explanations[0]!.ingress.cilium?.allows.map((a) => a.peer),
      ['endpoints labelled app=client in namespace a'],
    );
  });

  test('an SCTP entry under --cni cilium: the near miss says enable-sctp is off', async () => {
    const args = ['--cni', 'cilium', '--from', 'a/client', '--to', 'a/server', '--port', '3868/SCTP'];
    const r = await explain(args);
    assert.equal(r.code, 1);
    assertGolden('explain/cilium-sctp-disabled.txt', r.stdout);
    const x = await json(args);
    const misses = x.explanations[0]!.ingress.cilium?.nearMisses ?? [];
    assert.deepEqual(
      misses.map((m) => [m.path, m.failed, m.reasons.map((c) => [c.code, c.message, c.path, c.line])]),
      [
        [
          'spec.ingress[1]',
          'ports',
          [
            [
              'sctp-disabled',
              "3868/SCTP in the rule's toPorts: allows nothing under cilium (enable-sctp is off)",
              'spec.ingress[1].toPorts',
              35,
            ],
          ],
        ],
      ],
    );
  });

  test('an SCTP port the rule does not name: both reasons; SCTP on (enable-sctp=true): no SCTP reason', async () => {
    const other = await json([
      '--cni',
      'cilium',
      '--from',
      'a/client',
      '--to',
      'a/server',
      '--port',
      '3869/SCTP',
    ]);
    assert.deepEqual(
      other.explanations[0]!.ingress.cilium?.nearMisses?.[0]?.reasons.map((c) => c.message),
      [
        "3868/SCTP in the rule's toPorts: allows nothing under cilium (enable-sctp is off)",
        "3869/SCTP not in the rule's ports 3868/SCTP",
      ],
    );
    const on = await json([
      ...['--cni', 'cilium', '--cni-option', 'enable-sctp=true'],
      ...['--from', 'a/client', '--to', 'a/server', '--port', '3869/SCTP'],
    ]);
    assert.deepEqual(
      on.explanations[0]!.ingress.cilium?.nearMisses?.[0]?.reasons.map((c) => c.code),
      ['port-not-in-rule'],
    );
  });
});
