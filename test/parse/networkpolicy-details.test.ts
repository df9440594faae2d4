/**
 * NetworkPolicy specs (src/parse/validate/networkpolicy.ts) through the public reader: the spec kept (nulls
 * dropped, a null rule or port read as `{}`), and each problem of peers, ipBlocks and their excepts, rules and
 * ports, in words and with its code. Written from the survivors of a mutation run on the file (issue #20,
 * docs/mutation/parse.md "src/parse: the validate folder").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { load } from './helpers.ts';

const NP = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\n';
const UNKNOWN =
  "with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field";

function lines(text: string): string[] {
  const r = load(text);
  return [...r.errors, ...r.warnings].map(formatProblem);
}

function codes(text: string): string[] {
  const r = load(text);
  return [...r.errors, ...r.warnings].map((p) => `${p.line}:${p.column} ${p.severity} ${p.code}`);
}

describe('NetworkPolicy spec', () => {
  test('the spec kept: null rules and ports read as {}, the rest as written', () => {
    const r = load(
      NP +
        'spec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - null\n' +
        '    - from:\n        - {podSelector: {}, namespaceSelector: {matchLabels: {a: b}}}\n' +
        '        - {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}\n' +
        '      ports:\n        - null\n        - {port: 80, endPort: 90, protocol: UDP}\n        - {port: http}\n  egress: []\n',
    );
    assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
    assert.deepEqual(
      r.state.policies.map((p) => p.spec),
      [
        {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [
            {},
            {
              from: [
                { podSelector: {}, namespaceSelector: { matchLabels: { a: 'b' } } },
                { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
              ],
              ports: [{}, { protocol: 'UDP', port: 80, endPort: 90 }, { port: 'http' }],
            },
          ],
          egress: [],
          policyTypes: ['Ingress', 'Egress'],
        },
      ],
    );
  });

  test('a missing spec is a warning; rule lists of the wrong type say how to write them', () => {
    assert.deepEqual(codes(NP), ['1:1 warning missing-spec']);
    assert.deepEqual(lines(NP), [
      'policies.yaml:1:1 warning: spec: is missing: the policy then selects every pod of its namespace and denies all their ingress. Write "spec: {podSelector: {}}" if that is what you mean',
    ]);
    assert.deepEqual(
      lines(NP + 'spec:\n  podSelector: {}\n  ingress: 3\n  egress: 4\n  policyTypes: null\n'),
      [
        'policies.yaml:7:3 spec.ingress: must be a list, got 3. Write "ingress: []" to allow no ingress, or "ingress: [{}]" to allow all; a rule is a list item ("- from: ...")',
        'policies.yaml:8:3 spec.egress: must be a list, got 4. Write "egress: []" to allow no egress, or "egress: [{}]" to allow all; a rule is a list item ("- to: ...")',
      ],
    );
  });

  test('peers, ipBlocks, excepts, rules and ports: every problem', () => {
    const text =
      NP +
      'spec:\n  podSelector: {}\n  ingress:\n    - from:\n' +
      '        - 3\n        - null\n        - {podSelector: }\n        - {namespaceSelector: null}\n' +
      '        - {ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}\n        - {ipBlock: {cidr: 10.0.0.0/8}, namespaceSelector: {}}\n' +
      "        - {ipBlock: 3}\n        - {ipBlock: {}}\n        - {ipBlock: {cidr: null}}\n        - {ipBlock: {cidr: ''}}\n        - {ipBlock: {cidr: 5}}\n" +
      "        - {ipBlock: {cidr: 10.0.0.0/8, except: ['fd00::/8', 10.0.0.0/8, 0.0.0.0/0, 11.0.0.0/8, null, 5, 10.1.0.0/16, 10.2.0.1/16, 010.3.0.0/16, x]}}\n" +
      '        - {ipBlock: {cidr: 10.0.0.1/8, bad: 1}, foo: 1}\n    - 3\n' +
      '  egress:\n    - to: 3\n      ports: 4\n    - ports: [null, 3]\n      bar: 1\n    - null\n';
    const empty = 'must set podSelector, namespaceSelector or ipBlock, got an empty peer';
    const combine = 'a peer is either selectors or an ipBlock. Split it into two peers (two "- " items)';
    const required = 'is required, e.g. "10.0.0.0/8" or "0.0.0.0/0"';
    const subset = 'an except entry must be a strict subset of cidr';
    assert.deepEqual(lines(text), [
      'policies.yaml:9:11 spec.ingress[0].from[0]: must be a mapping (key: value), got 3',
      `policies.yaml:10:11 spec.ingress[0].from[1]: ${empty}: to allow all sources, remove "from"; for every pod in every namespace, use "namespaceSelector: {}"`,
      `policies.yaml:11:11 spec.ingress[0].from[2]: ${empty}: "podSelector:" has no value, which reads as absent. Write "podSelector: {}" to select all`,
      `policies.yaml:12:11 spec.ingress[0].from[3]: ${empty}: "namespaceSelector:" has no value, which reads as absent. Write "namespaceSelector: {}" to select all`,
      `policies.yaml:13:11 spec.ingress[0].from[4]: may not combine ipBlock with podSelector: ${combine}`,
      `policies.yaml:14:11 spec.ingress[0].from[5]: may not combine ipBlock with namespaceSelector: ${combine}`,
      'policies.yaml:15:12 spec.ingress[0].from[6].ipBlock: must be a mapping (key: value), got 3',
      `policies.yaml:16:12 spec.ingress[0].from[7].ipBlock.cidr: ${required}`,
      `policies.yaml:17:22 spec.ingress[0].from[8].ipBlock.cidr: ${required}`,
      `policies.yaml:18:22 spec.ingress[0].from[9].ipBlock.cidr: ${required}`,
      'policies.yaml:19:22 spec.ingress[0].from[10].ipBlock.cidr: must be a string, got 5. Quote it: "5"',
      `policies.yaml:20:49 spec.ingress[0].from[11].ipBlock.except[0]: "fd00::/8" is IPv6 but cidr "10.0.0.0/8" is IPv4: ${subset}`,
      `policies.yaml:20:61 spec.ingress[0].from[11].ipBlock.except[1]: "10.0.0.0/8" is all of cidr "10.0.0.0/8": ${subset}`,
      `policies.yaml:20:73 spec.ingress[0].from[11].ipBlock.except[2]: "0.0.0.0/0" contains all of cidr "10.0.0.0/8": ${subset}`,
      `policies.yaml:20:84 spec.ingress[0].from[11].ipBlock.except[3]: "11.0.0.0/8" is not inside cidr "10.0.0.0/8": ${subset}`,
      'policies.yaml:20:96 spec.ingress[0].from[11].ipBlock.except[4]: "" is not a CIDR: it is not an IPv4 or IPv6 address',
      'policies.yaml:20:102 spec.ingress[0].from[11].ipBlock.except[5]: must be a string, got 5. Quote it: "5"',
      'policies.yaml:20:145 spec.ingress[0].from[11].ipBlock.except[9]: "x" is not a CIDR: it is not an IPv4 or IPv6 address',
      'policies.yaml:22:7 spec.ingress[1]: must be a mapping (key: value), got 3',
      'policies.yaml:24:7 spec.egress[0].to: must be a list, got 3',
      'policies.yaml:25:7 spec.egress[0].ports: must be a list, got 4',
      'policies.yaml:26:21 spec.egress[1].ports[1]: must be a mapping (key: value), got 3',
      'policies.yaml:20:118 warning: spec.ingress[0].from[11].ipBlock.except[7]: "10.2.0.1/16" has host bits set: Kubernetes 1.36 and later reject it, earlier versions read it as "10.2.0.0/16". Write "10.2.0.0/16"',
      'policies.yaml:20:131 warning: spec.ingress[0].from[11].ipBlock.except[8]: "010.3.0.0/16" has leading zeros: Kubernetes 1.36 and later reject it, earlier versions read it as decimal (other tools as octal). Write "10.3.0.0/16"',
      'policies.yaml:21:22 warning: spec.ingress[0].from[12].ipBlock.cidr: "10.0.0.1/8" has host bits set: Kubernetes 1.36 and later reject it, earlier versions read it as "10.0.0.0/8". Write "10.0.0.0/8"',
      `policies.yaml:21:40 warning: spec.ingress[0].from[12].ipBlock.bad: unknown field "bad": ${UNKNOWN}. Known fields: cidr, except`,
      `policies.yaml:21:49 warning: spec.ingress[0].from[12].foo: unknown field "foo": ${UNKNOWN}. Known fields: podSelector, namespaceSelector, ipBlock`,
      `policies.yaml:27:7 warning: spec.egress[1].bar: unknown field "bar": ${UNKNOWN}. Known fields: to, ports`,
    ]);
    assert.deepEqual(codes(text), [
      '9:11 error wrong-type',
      '10:11 error invalid-peer',
      '11:11 error invalid-peer',
      '12:11 error invalid-peer',
      '13:11 error invalid-peer',
      '14:11 error invalid-peer',
      '15:12 error wrong-type',
      '16:12 error missing-field',
      '17:22 error missing-field',
      '18:22 error missing-field',
      '19:22 error wrong-type',
      '20:49 error invalid-except',
      '20:61 error invalid-except',
      '20:73 error invalid-except',
      '20:84 error invalid-except',
      '20:96 error invalid-cidr',
      '20:102 error wrong-type',
      '20:145 error invalid-cidr',
      '22:7 error wrong-type',
      '24:7 error wrong-type',
      '25:7 error wrong-type',
      '26:21 error wrong-type',
      '20:118 warning cidr-host-bits',
      '20:131 warning cidr-leading-zeros',
      '21:22 warning cidr-host-bits',
      '21:40 warning unknown-field',
      '21:49 warning unknown-field',
      '27:7 warning unknown-field',
    ]);
  });
});
