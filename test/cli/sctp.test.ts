/** SCTP entries that the CNI profile reads as allowing nothing get one warning line from the reading commands. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';

const policy = (name: string, protocol: string): string => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: tel}
spec:
  podSelector: {}
  ingress: [{ports: [{port: 3868, protocol: ${protocol}}]}]
`;
const INPUT = `apiVersion: v1
kind: Namespace
metadata: {name: tel}
${['a', 'b', 'c', 'd'].map((n) => policy(`sctp-${n}`, 'SCTP')).join('')}${policy('tcp', 'TCP')}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: cnp, namespace: tel}
spec:
  endpointSelector: {}
  ingress: [{toPorts: [{ports: [{port: "3868", protocol: SCTP}]}]}]
`;

const sctpLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.includes('SCTP'));

test('SCTP entries under cilium: one warning naming the policies that have them, and the fix', async () => {
  const r = await runCli(['analyze', '-', '--cni', 'cilium', '-o', 'json'], { stdin: INPUT });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(sctpLines(r.stderr), [
    'warning: cilium: SCTP is not enabled (enable-sctp), so SCTP entries of rules allow nothing: 5 policies have them (tel/sctp-a, tel/sctp-b, tel/sctp-c, and 2 more); enable SCTP in Cilium (enable-sctp) and say so with --cni-option enable-sctp=true, or drop the SCTP entries (docs/cni.md)',
  ]);
});

test('SCTP entries: no warning where the profile enforces SCTP', async () => {
  for (const args of [[], ['--cni', 'cilium', '--cni-option', 'enable-sctp=true'], ['--cni', 'calico']]) {
    const r = await runCli(['analyze', '-', ...args, '-o', 'json'], { stdin: INPUT });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sctpLines(r.stderr), [], args.join(' '));
  }
});

test('SCTP entries under an override on another CNI: the override is named', async () => {
  const r = await runCli(['analyze', '-', '--cni', 'calico', '--cni-option', 'sctp=false', '-o', 'json'], {
    stdin: INPUT,
  });
  const [line] = sctpLines(r.stderr);
  assert.match(
    line ?? '',
    /^warning: calico \(sctp=false\): SCTP entries of rules allow nothing: 4 policies have them .*drop --cni-option sctp=false/,
  );
});

test('SCTP entries under cilium: lint reports each entry, without the reading commands’ summary line', async () => {
  const r = await runCli(['lint', '-', '--cni', 'cilium'], { stdin: INPUT });
  assert.deepEqual(sctpLines(r.stderr), [], r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l.includes('no-unenforced-sctp')).length, 5, r.stdout);
});
