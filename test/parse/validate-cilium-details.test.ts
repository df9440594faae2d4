/**
 * Cilium policies (src/parse/validate/cilium.ts) through the public reader: each problem in words, with its
 * path, line, column and code, and what is kept of an accepted policy. The shared cases of cilium-cases.ts
 * pin the fields of the errors only; these pin the messages, the warnings and the codes. Written from the
 * survivors of a mutation run on the file (issue #20, docs/testing.md "src/parse/validate: the five files
 * under 80%").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { load, yaml } from './helpers.ts';

/** Every problem of a text (errors, then warnings), as the CLI prints it, with its code. */
function lines(text: string): string[] {
  const r = load(text);
  return [...r.errors, ...r.warnings].map((p) => `${formatProblem(p)} [${p.code}]`);
}

const NULL_ITEM = 'got an empty item: the API server rejects null in a list [missing-field]';

describe('null items of lists', () => {
  // A null item used to be accepted and then crash the model (a TypeError reading the rule's fields).
  test('a null rule set, rule, port rule, port, CIDR rule, service, name, ICMP rule or field is an error', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: a, namespace: x}
        specs:
          - null
          - endpointSelector: {}
            labels: [null]
            ingress:
              - null
              - toPorts: [null, {ports: [null]}]
              - fromCIDRSet: [null, {cidr: 10.0.0.0/8, except: [null]}]
              - fromCIDR: [null]
              - fromEntities: [null]
            egressDeny: [null]
            egress:
              - toServices: [null]
              - toFQDNs: [null]
              - icmps: [null, {fields: [null]}]
              - toPorts:
                  - ports: [{port: '80', protocol: TCP}]
                    rules: {http: [null, {headers: [null], headerMatches: [null]}]}
              - toPorts: [{ports: [{port: '53', protocol: ANY}], rules: {dns: [null]}}]
              - toPorts: [{serverNames: [null], terminatingTLS: {secret: {name: s}}}]
      `),
      [
        `policies.yaml:5:5 specs[0]: must be a rule set, ${NULL_ITEM}`,
        `policies.yaml:7:14 specs[1].labels[0]: must be a rule label, ${NULL_ITEM}`,
        `policies.yaml:9:9 specs[1].ingress[0]: must be a rule (write "{}" for a rule without peers), ${NULL_ITEM}`,
        `policies.yaml:10:19 specs[1].ingress[1].toPorts[0]: must be a port rule, ${NULL_ITEM}`,
        `policies.yaml:10:34 specs[1].ingress[1].toPorts[1].ports[0]: must be a port, ${NULL_ITEM}`,
        `policies.yaml:11:23 specs[1].ingress[2].fromCIDRSet[0]: must be a CIDR rule, ${NULL_ITEM}`,
        `policies.yaml:11:57 specs[1].ingress[2].fromCIDRSet[1].except[0]: must be a CIDR, ${NULL_ITEM}`,
        `policies.yaml:12:20 specs[1].ingress[3].fromCIDR[0]: must be a CIDR, ${NULL_ITEM}`,
        `policies.yaml:13:24 specs[1].ingress[4].fromEntities[0]: must be an entity, ${NULL_ITEM}`,
        `policies.yaml:14:18 specs[1].egressDeny[0]: must be a rule (write "{}" for a rule without peers), ${NULL_ITEM}`,
        `policies.yaml:16:22 specs[1].egress[0].toServices[0]: must be a service, ${NULL_ITEM}`,
        `policies.yaml:17:19 specs[1].egress[1].toFQDNs[0]: must be a name to match, ${NULL_ITEM}`,
        `policies.yaml:18:17 specs[1].egress[2].icmps[0]: must be an ICMP rule, ${NULL_ITEM}`,
        `policies.yaml:18:33 specs[1].egress[2].icmps[1].fields[0]: must be an ICMP field, ${NULL_ITEM}`,
        `policies.yaml:21:28 specs[1].egress[3].toPorts[0].rules.http[0]: must be an HTTP rule, ${NULL_ITEM}`,
        `policies.yaml:21:45 specs[1].egress[3].toPorts[0].rules.http[1].headers[0]: must be a header, ${NULL_ITEM}`,
        `policies.yaml:21:68 specs[1].egress[3].toPorts[0].rules.http[1].headerMatches[0]: must be a header match, ${NULL_ITEM}`,
        `policies.yaml:22:72 specs[1].egress[4].toPorts[0].rules.dns[0]: must be a name to match, ${NULL_ITEM}`,
        `policies.yaml:23:34 specs[1].egress[5].toPorts[0].serverNames[0]: must be a server name, ${NULL_ITEM}`,
      ],
    );
  });
});
