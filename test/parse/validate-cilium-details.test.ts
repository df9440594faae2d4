/**
 * Cilium policies (src/parse/validate/cilium.ts) through the public reader: each problem in words, with its
 * path, line, column and code, and what is kept of an accepted policy. The shared cases of cilium-cases.ts
 * pin the fields of the errors only; these pin the messages, the warnings and the codes. Written from the
 * survivors of a mutation run on the file (issue #20, docs/mutation/parse.md "src/parse/validate: the five files
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
        'policies.yaml:18:9 warning: specs[1].egress[2].icmps: icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule allows is in no answer, and the rule allows no TCP, UDP or SCTP connection: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });
});
describe('rule sets', () => {
  test('spec or specs is required, the kind in the message', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p1, namespace: x}
        spec: null
        specs: null
      `),
      [
        'policies.yaml:1:1 Invalid value: spec or specs must be provided: a CiliumNetworkPolicy needs "spec:" (one rule set) or "specs:" (a list of them) [missing-field]',
      ],
    );
  });

  test('a CiliumClusterwideNetworkPolicy without spec', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: p2}
        status: {}
      `),
      [
        'policies.yaml:1:1 Invalid value: spec or specs must be provided: a CiliumClusterwideNetworkPolicy needs "spec:" (one rule set) or "specs:" (a list of them) [missing-field]',
      ],
    );
  });

  test('spec and specs of the wrong type; unknown top-level fields', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p3, namespace: x}
        spec: 5
        specs: 6
        extra: 1
      `),
      [
        'policies.yaml:4:1 spec: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:5:1 specs: must be a list, got 6 [wrong-type]',
        'policies.yaml:6:1 warning: extra: unknown field "extra": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: apiVersion, kind, metadata, spec, specs, status [unknown-field]',
      ],
    );
  });

  test('specs items that are not mappings', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p4, namespace: x}
        specs: [5, {endpointSelector: {}, ingress: [{}]}]
      `),
      ['policies.yaml:4:9 specs[0]: must be a mapping (key: value), got 5 [wrong-type]'],
    );
  });

  test('neither endpointSelector nor nodeSelector, in a namespaced and a clusterwide policy', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p5, namespace: x}
        specs:
          - ingress: [{}]
          - endpointSelector: null
            nodeSelector: null
            egress: [{}]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: p6}
        spec:
          ingress: [{}]
      `),
      [
        'policies.yaml:5:5 specs[0]: Invalid value: "specs[0]" must validate one and only one schema (oneOf). Found none valid: a rule set selects pods with endpointSelector or nodes with nodeSelector; it has neither. Add "endpointSelector: {}" for every pod of the namespace [invalid-union]',
        'policies.yaml:6:5 specs[1]: Invalid value: "specs[1]" must validate one and only one schema (oneOf). Found none valid: a rule set selects pods with endpointSelector or nodes with nodeSelector; it has neither. Add "endpointSelector: {}" for every pod of the namespace [invalid-union]',
        'policies.yaml:13:1 spec: Invalid value: "spec" must validate one and only one schema (oneOf). Found none valid: a rule set selects pods with endpointSelector or nodes with nodeSelector; it has neither. Add "endpointSelector: {}" for every pod [invalid-union]',
      ],
    );
  });

  test('both selectors; a nodeSelector in a namespaced policy; selectors checked with their paths', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p7, namespace: x}
        spec:
          endpointSelector: {matchLabels: 5}
          nodeSelector: {matchLabels: {a: b}, matchExpressions: 6}
          ingress: [{}]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: p8}
        specs:
          - nodeSelector: {matchLabels: {"k8s:a": b}}
            ingress: [{}]
          - nodeSelector: {matchLabels: 5}
            ingress: [{}]
      `),
      [
        'policies.yaml:4:1 spec: Invalid value: "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives: a rule set selects pods with endpointSelector or nodes with nodeSelector; it has both. Keep one, or write two rule sets under "specs:" [invalid-union]',
        'policies.yaml:5:22 spec.endpointSelector.matchLabels: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:6:3 spec.nodeSelector: Invalid CiliumNetworkPolicy spec: rule cannot have NodeSelector (the agent rejects the whole policy): host firewall rules belong in a CiliumClusterwideNetworkPolicy [cilium-node-selector]',
        'policies.yaml:6:39 spec.nodeSelector.matchExpressions: must be a list, got 6 [wrong-type]',
        'policies.yaml:15:20 specs[1].nodeSelector.matchLabels: must be a mapping (key: value), got 5 [wrong-type]',
      ],
    );
  });

  test('no rule lists at all; lists that are not lists; empty lists', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p9, namespace: x}
        specs:
          - endpointSelector: {}
          - endpointSelector: {}
            ingress: 5
            egress: []
          - endpointSelector: {}
            ingressDeny: []
          - endpointSelector: {}
            ingress: []
            egressDeny: []
          - endpointSelector: {}
            ingress: null
            egress: [{}]
      `),
      [
        'policies.yaml:5:5 specs[0]: Invalid value: "specs[0]" must validate at least one schema (anyOf): a rule set needs ingress, ingressDeny, egress or egressDeny rules; "ingress: [{}]" denies all ingress [missing-field]',
        'policies.yaml:7:5 specs[1].ingress: must be a list, got 5 [wrong-type]',
        'policies.yaml:9:5 specs[2]: rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny (the agent rejects the whole policy): ingressDeny is empty. Write "ingressDeny: [{}]" to deny all [cilium-empty-rule-set]',
        'policies.yaml:11:5 specs[3]: rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny (the agent rejects the whole policy): ingress and egressDeny are empty. Write "ingress: [{}]" to deny all [cilium-empty-rule-set]',
      ],
    );
  });

  test('enableDefaultDeny, description, labels and log', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p10, namespace: x}
        spec:
          endpointSelector: {}
          ingress: [{}]
          enableDefaultDeny: {ingress: "no", egress: 1, other: true}
          description: 5
          labels: [5, {value: 1, source: 2, other: 3}, {key: null}, {key: 4}, {key: k, value: v, source: s}]
          log: {value: "123456789012345678901234567890123", other: 1}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p11, namespace: x}
        specs:
          - endpointSelector: {}
            ingress: [{}]
            enableDefaultDeny: 5
            labels: 6
            log: 7
          - endpointSelector: {}
            ingress: [{}]
            log: {value: "12345678901234567890123456789012"}
          - endpointSelector: {}
            ingress: [{}]
            log: {value: 5}
          - endpointSelector: {}
            ingress: [{}]
            log: {value: "ééééééééééééééééééééééééééééééééé"}
      `),
      [
        'policies.yaml:7:23 spec.enableDefaultDeny.ingress: must be true or false, got "no" [wrong-type]',
        'policies.yaml:7:38 spec.enableDefaultDeny.egress: must be true or false, got 1 [wrong-type]',
        'policies.yaml:8:3 spec.description: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:9:12 spec.labels[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:9:15 spec.labels[1].key: Required value: a rule label needs a key [missing-field]',
        'policies.yaml:9:16 spec.labels[1].value: must be a string, got 1. Quote it: "1" [wrong-type]',
        'policies.yaml:9:26 spec.labels[1].source: must be a string, got 2. Quote it: "2" [wrong-type]',
        'policies.yaml:9:49 spec.labels[2].key: Required value: a rule label needs a key [missing-field]',
        'policies.yaml:9:62 spec.labels[3].key: must be a string, got 4. Quote it: "4" [wrong-type]',
        'policies.yaml:10:9 spec.log.value: Too long: may not be more than 32 bytes: the value has 33 characters. Shorten it [too-long]',
        'policies.yaml:18:5 specs[0].enableDefaultDeny: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:19:5 specs[0].labels: must be a list, got 6 [wrong-type]',
        'policies.yaml:20:5 specs[0].log: must be a mapping (key: value), got 7 [wrong-type]',
        'policies.yaml:26:11 specs[2].log.value: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:29:11 specs[3].log.value: Too long: may not be more than 32 bytes: the value has 33 characters. Shorten it [too-long]',
        'policies.yaml:7:49 warning: spec.enableDefaultDeny.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: ingress, egress [unknown-field]',
        'policies.yaml:9:37 warning: spec.labels[1].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: key, value, source [unknown-field]',
        'policies.yaml:10:53 warning: spec.log.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: value [unknown-field]',
      ],
    );
  });

  test('an endpointSelector naming another namespace (a warning for each rule set; none in a clusterwide policy)', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p12, namespace: x}
        specs:
          - endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: other}}
            ingress: [{}]
          - endpointSelector: 5
            ingress: [{}]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p13}
        spec:
          endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: z}}
          ingress: [{}]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: p14}
        spec:
          endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: z}}
          ingress: [{}]
      `),
      [
        'policies.yaml:7:5 specs[1].endpointSelector: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:5:38 warning: specs[0].endpointSelector.matchLabels.k8s:io.kubernetes.pod.namespace: endpointSelector names namespace "other", but a CiliumNetworkPolicy of namespace "x" always applies in its own namespace: Cilium drops the namespace match (the agent logs "illegal namespace match in EndpointSelector") and the rule set selects the pods of namespace "x". Put the policy in namespace "other", or make it a CiliumClusterwideNetworkPolicy [cilium-foreign-namespace-selector]',
        'policies.yaml:14:36 warning: spec.endpointSelector.matchLabels.k8s:io.kubernetes.pod.namespace: endpointSelector names namespace "z", but a CiliumNetworkPolicy of its own namespace always applies in its own namespace: Cilium drops the namespace match (the agent logs "illegal namespace match in EndpointSelector") and the rule set selects the pods of its own namespace. Put the policy in namespace "z", or make it a CiliumClusterwideNetworkPolicy [cilium-foreign-namespace-selector]',
      ],
    );
  });
});

describe('rules', () => {
  test('a rule that is not a mapping; the fields of each direction', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p15, namespace: x}
        spec:
          endpointSelector: {}
          ingress:
            - 5
            - {toFQDNs: [], toEndpoints: [], authentication: {mode: disabled}, fromRequires: []}
          ingressDeny:
            - {authentication: {mode: disabled}, toFQDNs: [], fromEntities: [world]}
          egress:
            - {toFQDNs: [{matchName: a.b}], fromEndpoints: [], toRequires: []}
          egressDeny:
            - {toFQDNs: [], authentication: {}, toServices: []}
      `),
      [
        'policies.yaml:7:7 spec.ingress[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:8:8 warning: spec.ingress[1].toFQDNs: unknown field "toFQDNs": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: fromEndpoints, fromCIDR, fromCIDRSet, fromEntities, fromNodes, fromGroups, fromRequires, icmps, toPorts, authentication [unknown-field]',
        'policies.yaml:8:21 warning: spec.ingress[1].toEndpoints: unknown field "toEndpoints": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Did you mean "fromEndpoints"? [unknown-field]',
        'policies.yaml:10:8 warning: spec.ingressDeny[0].authentication: unknown field "authentication": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: fromEndpoints, fromCIDR, fromCIDRSet, fromEntities, fromNodes, fromGroups, fromRequires, icmps, toPorts [unknown-field]',
        'policies.yaml:10:42 warning: spec.ingressDeny[0].toFQDNs: unknown field "toFQDNs": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: fromEndpoints, fromCIDR, fromCIDRSet, fromEntities, fromNodes, fromGroups, fromRequires, icmps, toPorts [unknown-field]',
        'policies.yaml:12:37 warning: spec.egress[0].fromEndpoints: unknown field "fromEndpoints": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Did you mean "toEndpoints"? [unknown-field]',
        'policies.yaml:14:8 warning: spec.egressDeny[0].toFQDNs: unknown field "toFQDNs": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: toEndpoints, toCIDR, toCIDRSet, toEntities, toServices, toNodes, toGroups, toRequires, icmps, toPorts [unknown-field]',
        'policies.yaml:14:21 warning: spec.egressDeny[0].authentication: unknown field "authentication": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: toEndpoints, toCIDR, toCIDRSet, toEntities, toServices, toNodes, toGroups, toRequires, icmps, toPorts [unknown-field]',
      ],
    );
  });

  test('one kind of peer per rule', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: p16}
        spec:
          endpointSelector: {}
          ingress:
            - {fromEndpoints: [{}], fromCIDR: [10.0.0.0/8], fromEntities: [world]}
            - {fromEntities: [], fromNodes: [{}]}
            - {fromCIDRSet: [{cidr: 10.0.0.0/8}], fromGroups: [{aws: {}}]}
          egress:
            - {toEndpoints: [{}], toFQDNs: [{matchName: a.b}]}
            - {toServices: [{k8sService: {serviceName: s}}], toNodes: [{}]}
          egressDeny:
            - {toCIDR: [10.0.0.0/8], toGroups: [{aws: {}}]}
      `),
      [
        'policies.yaml:7:29 spec.ingress[0].fromCIDR: combining FromEndpoints and FromCIDR is not supported yet (the agent rejects the whole policy): a rule has one kind of peer. Put fromCIDR in a rule of its own (the rules add up) [cilium-combined-peers]',
        'policies.yaml:9:43 spec.ingress[2].fromGroups: combining FromCIDRSet and FromGroups is not supported yet (the agent rejects the whole policy): a rule has one kind of peer. Put fromGroups in a rule of its own (the rules add up) [cilium-combined-peers]',
        'policies.yaml:11:27 spec.egress[0].toFQDNs: combining ToEndpoints and ToFQDNs is not supported yet (the agent rejects the whole policy): a rule has one kind of peer. Put toFQDNs in a rule of its own (the rules add up) [cilium-combined-peers]',
        'policies.yaml:12:54 spec.egress[1].toNodes: combining ToServices and ToNodes is not supported yet (the agent rejects the whole policy): a rule has one kind of peer. Put toNodes in a rule of its own (the rules add up) [cilium-combined-peers]',
        'policies.yaml:14:30 spec.egressDeny[0].toGroups: combining ToCIDR and ToGroups is not supported yet (the agent rejects the whole policy): a rule has one kind of peer. Put toGroups in a rule of its own (the rules add up) [cilium-combined-peers]',
        'policies.yaml:8:26 warning: spec.ingress[1].fromNodes: fromNodes needs the agent flag enable-node-selector-labels (off by default): without it the agent rejects the policy [cilium-node-selector-labels]',
        'policies.yaml:9:43 warning: spec.ingress[2].fromGroups: fromGroups selects addresses of cloud security groups, which are not in the input; the rule matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:12:54 warning: spec.egress[1].toNodes: toNodes needs the agent flag enable-node-selector-labels (off by default): without it the agent rejects the policy [cilium-node-selector-labels]',
        'policies.yaml:14:30 warning: spec.egressDeny[0].toGroups: toGroups selects addresses of cloud security groups, which are not in the input; the rule matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });

  test('fromRequires and toRequires are no longer accepted', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p17, namespace: x}
        spec:
          endpointSelector: {}
          ingress:
            - {fromRequires: [{}]}
            - {fromRequires: 5}
          egress:
            - {toRequires: [{}, {}]}
      `),
      [
        'policies.yaml:7:8 spec.ingress[0].fromRequires: Too many: 1: must have at most 0 items. fromRequires is deprecated and no longer accepted: add the required labels to each fromEndpoints selector instead [too-many]',
        'policies.yaml:8:8 spec.ingress[1].fromRequires: must be a list, got 5 [wrong-type]',
        'policies.yaml:10:8 spec.egress[0].toRequires: Too many: 2: must have at most 0 items. toRequires is deprecated and no longer accepted: add the required labels to each toEndpoints selector instead [too-many]',
      ],
    );
  });

  test('endpoint and node selectors of peers', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: p18}
        spec:
          endpointSelector: {}
          ingress:
            - {fromEndpoints: [null, {matchLabels: 5}, {}]}
            - {fromNodes: [{matchLabels: {a: b}}]}
            - {fromNodes: []}
            - {fromEndpoints: 5}
          egress:
            - {toEndpoints: [null, {matchExpressions: 5}]}
            - {toNodes: [{}]}
      `),
      [
        'policies.yaml:7:24 spec.ingress[0].fromEndpoints[0]: Required value: write "{}" to select every endpoint [missing-field]',
        'policies.yaml:7:31 spec.ingress[0].fromEndpoints[1].matchLabels: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:10:8 spec.ingress[3].fromEndpoints: must be a list, got 5 [wrong-type]',
        'policies.yaml:12:22 spec.egress[0].toEndpoints[0]: Required value: write "{}" to select every endpoint [missing-field]',
        'policies.yaml:12:29 spec.egress[0].toEndpoints[1].matchExpressions: must be a list, got 5 [wrong-type]',
        'policies.yaml:8:8 warning: spec.ingress[1].fromNodes: fromNodes needs the agent flag enable-node-selector-labels (off by default): without it the agent rejects the policy [cilium-node-selector-labels]',
        'policies.yaml:13:8 warning: spec.egress[1].toNodes: toNodes needs the agent flag enable-node-selector-labels (off by default): without it the agent rejects the policy [cilium-node-selector-labels]',
      ],
    );
  });

  test('CIDRs', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p19, namespace: x}
        spec:
          endpointSelector: {}
          ingress:
            - {fromCIDR: [5, 10.0.0.1, 10.0.0.0/8, "fd00::/8"]}
          egress:
            - {toCIDR: [x/8]}
            - {toCIDR: 5}
      `),
      [
        'policies.yaml:7:19 spec.ingress[0].fromCIDR[0]: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:7:22 spec.ingress[0].fromCIDR[1]: Invalid value: "10.0.0.1": must be of type cidr: CIDR mask is missing in "10.0.0.1". Did you mean "10.0.0.1/32"? [invalid-cidr]',
        'policies.yaml:9:17 spec.egress[0].toCIDR[0]: Invalid value: "x/8": must be of type cidr: "x/8" is not a valid CIDR: it is not an IPv4 or IPv6 address [invalid-cidr]',
        'policies.yaml:10:8 spec.egress[1].toCIDR: must be a list, got 5 [wrong-type]',
      ],
    );
  });

  test('CIDR rules: one of cidr, cidrGroupRef or cidrGroupSelector; exceptions inside the CIDR', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p20, namespace: x}
        spec:
          endpointSelector: {}
          ingress:
            - fromCIDRSet:
                - 5
                - {}
                - {cidr: 10.0.0.0/8, cidrGroupRef: g, cidrGroupSelector: {}}
                - {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 11.0.0.0/8, 5, x, "fd00::/8"], other: 1}
                - {cidr: 5, except: [10.0.0.0/8]}
                - {cidr: y, except: [10.0.0.0/8]}
                - {cidrGroupRef: g, except: [10.0.0.0/8]}
                - {cidrGroupRef: 5}
                - {cidrGroupSelector: {matchLabels: 5}}
                - {cidrGroupSelector: null, cidr: 10.0.0.0/8, except: 5}
          egress:
            - {toCIDRSet: [{cidr: "10.0.0.0/8", except: ["10.0.0.0/8"]}]}
      `),
      [
        'policies.yaml:8:11 spec.ingress[0].fromCIDRSet[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:9:11 spec.ingress[0].fromCIDRSet[1]: Invalid value: "spec.ingress[0].fromCIDRSet[1]" must validate one and only one schema (oneOf). Found none valid: one of cidr, cidrGroupRef, or cidrGroupSelector is required [invalid-union]',
        'policies.yaml:10:11 spec.ingress[0].fromCIDRSet[2]: Invalid value: "spec.ingress[0].fromCIDRSet[2]" must validate one and only one schema (oneOf). Found 3 valid alternatives: more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set (it has cidr and cidrGroupRef and cidrGroupSelector). Split it into two entries [invalid-union]',
        'policies.yaml:11:52 spec.ingress[0].fromCIDRSet[3].except[1]: allow CIDR prefix 10.0.0.0/8 does not contain exclude CIDR prefix 11.0.0.0/8 (the agent rejects the whole policy): an exception must lie inside the CIDR [cilium-except-outside]',
        'policies.yaml:11:64 spec.ingress[0].fromCIDRSet[3].except[2]: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:11:67 spec.ingress[0].fromCIDRSet[3].except[3]: Invalid value: "x": must be of type cidr: "x" is not a CIDR: it is not an IPv4 or IPv6 address [invalid-cidr]',
        'policies.yaml:11:70 spec.ingress[0].fromCIDRSet[3].except[4]: allow CIDR prefix 10.0.0.0/8 does not contain exclude CIDR prefix fd00::/8 (the agent rejects the whole policy): an exception must lie inside the CIDR [cilium-except-outside]',
        'policies.yaml:12:12 spec.ingress[0].fromCIDRSet[4].cidr: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:13:12 spec.ingress[0].fromCIDRSet[5].cidr: Invalid value: "y": must be of type cidr: "y" is not a CIDR: it is not an IPv4 or IPv6 address [invalid-cidr]',
        'policies.yaml:15:12 spec.ingress[0].fromCIDRSet[7].cidrGroupRef: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:16:32 spec.ingress[0].fromCIDRSet[8].cidrGroupSelector.matchLabels: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:17:55 spec.ingress[0].fromCIDRSet[9].except: must be a list, got 5 [wrong-type]',
        'policies.yaml:10:30 warning: spec.ingress[0].fromCIDRSet[2].cidrGroupRef: cidrGroupRef "g" names a CiliumCIDRGroup, which netfence does not read; it matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:10:47 warning: spec.ingress[0].fromCIDRSet[2].cidrGroupSelector: cidrGroupSelector selects CiliumCIDRGroups, which netfence does not read; it matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:11:83 warning: spec.ingress[0].fromCIDRSet[3].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: cidr, cidrGroupRef, cidrGroupSelector, except [unknown-field]',
        'policies.yaml:14:12 warning: spec.ingress[0].fromCIDRSet[6].cidrGroupRef: cidrGroupRef "g" names a CiliumCIDRGroup, which netfence does not read; it matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:16:12 warning: spec.ingress[0].fromCIDRSet[8].cidrGroupSelector: cidrGroupSelector selects CiliumCIDRGroups, which netfence does not read; it matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });

  test('entities', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p21, namespace: x}
        spec:
          endpointSelector: {}
          ingress:
            - {fromEntities: [5, world-ipv4, world-ipv6, World, cluster, all, remote-node, host, kube-apiserver, health, init, ingress, unmanaged, none, cluster-mesh]}
          egress:
            - {toEntities: [world, kube-apiserver, bogus]}
            - {toEntities: 5}
      `),
      [
        'policies.yaml:7:23 spec.ingress[0].fromEntities[0]: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:7:26 spec.ingress[0].fromEntities[1]: Unsupported value: "world-ipv4": supported values: "all", "world", "cluster", "cluster-mesh", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver" (the agent knows it, but the CRD does not accept it: use "world", or a CIDR 0.0.0.0/0 or ::/0) [unsupported-value]',
        'policies.yaml:7:38 spec.ingress[0].fromEntities[2]: Unsupported value: "world-ipv6": supported values: "all", "world", "cluster", "cluster-mesh", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver" (the agent knows it, but the CRD does not accept it: use "world", or a CIDR 0.0.0.0/0 or ::/0) [unsupported-value]',
        'policies.yaml:7:50 spec.ingress[0].fromEntities[3]: Unsupported value: "World": supported values: "all", "world", "cluster", "cluster-mesh", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver". Did you mean "world"? [unsupported-value]',
        'policies.yaml:9:44 spec.egress[0].toEntities[2]: Unsupported value: "bogus": supported values: "all", "world", "cluster", "cluster-mesh", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver" [unsupported-value]',
        'policies.yaml:10:8 spec.egress[1].toEntities: must be a list, got 5 [wrong-type]',
        'policies.yaml:7:90 warning: spec.ingress[0].fromEntities[8]: fromEntities "kube-apiserver" stands for addresses the agent learns at run time, which are not in the input; the entity matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:7:106 warning: spec.ingress[0].fromEntities[9]: fromEntities "health" stands for addresses the agent learns at run time, which are not in the input; the entity matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:7:114 warning: spec.ingress[0].fromEntities[10]: fromEntities "init" stands for addresses the agent learns at run time, which are not in the input; the entity matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:7:120 warning: spec.ingress[0].fromEntities[11]: fromEntities "ingress" stands for addresses the agent learns at run time, which are not in the input; the entity matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:7:129 warning: spec.ingress[0].fromEntities[12]: fromEntities "unmanaged" stands for addresses the agent learns at run time, which are not in the input; the entity matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:9:28 warning: spec.egress[0].toEntities[1]: toEntities "kube-apiserver" stands for addresses the agent learns at run time, which are not in the input; the entity matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });

  test('groups', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p22, namespace: x}
        spec:
          endpointSelector: {}
          ingress:
            - {fromGroups: [{aws: {}}]}
            - {fromGroups: []}
            - {fromGroups: 5}
          egress:
            - {toGroups: [{aws: {}}]}
      `),
      [
        'policies.yaml:9:8 spec.ingress[2].fromGroups: must be a list, got 5 [wrong-type]',
        'policies.yaml:7:8 warning: spec.ingress[0].fromGroups: fromGroups selects addresses of cloud security groups, which are not in the input; the rule matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:11:8 warning: spec.egress[0].toGroups: toGroups selects addresses of cloud security groups, which are not in the input; the rule matches no address here: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });

  test('services', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p23, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toServices:
                - 5
                - {k8sService: {serviceName: 5, namespace: 6, other: 1}, other: 2}
                - {k8sService: 5, k8sServiceSelector: 6}
                - {k8sServiceSelector: {namespace: 5, other: 1}}
                - {k8sServiceSelector: {selector: null}}
                - {k8sServiceSelector: {selector: {matchLabels: 5}}}
                - {k8sService: {serviceName: s, namespace: n}}
            - {toServices: 5}
      `),
      [
        'policies.yaml:8:11 spec.egress[0].toServices[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:9:25 spec.egress[0].toServices[1].k8sService.serviceName: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:9:41 spec.egress[0].toServices[1].k8sService.namespace: must be a string, got 6. Quote it: "6" [wrong-type]',
        'policies.yaml:10:12 spec.egress[0].toServices[2].k8sService: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:10:27 spec.egress[0].toServices[2].k8sServiceSelector: must be a mapping (key: value), got 6 [wrong-type]',
        'policies.yaml:11:12 spec.egress[0].toServices[3].k8sServiceSelector.selector: Required value: write "selector: {matchLabels: {...}}" [missing-field]',
        'policies.yaml:11:33 spec.egress[0].toServices[3].k8sServiceSelector.namespace: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:12:33 spec.egress[0].toServices[4].k8sServiceSelector.selector: Required value: write "selector: {matchLabels: {...}}" [missing-field]',
        'policies.yaml:13:44 spec.egress[0].toServices[5].k8sServiceSelector.selector.matchLabels: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:15:8 spec.egress[1].toServices: must be a list, got 5 [wrong-type]',
        'policies.yaml:9:55 warning: spec.egress[0].toServices[1].k8sService.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: serviceName, namespace [unknown-field]',
        'policies.yaml:9:66 warning: spec.egress[0].toServices[1].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: k8sService, k8sServiceSelector [unknown-field]',
        'policies.yaml:11:47 warning: spec.egress[0].toServices[3].k8sServiceSelector.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: selector, namespace [unknown-field]',
      ],
    );
  });

  test('toFQDNs: one of matchName and matchPattern, their patterns and lengths', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p24, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toFQDNs:
                - 5
                - {}
                - {matchName: a.b, matchPattern: "*.b", other: 1}
                - {matchName: "a b"}
                - {matchPattern: "a b"}
                - {matchName: "*.b"}
                - {matchPattern: "*.example.com."}
                - {matchName: 5}
                - {matchName: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}
                - {matchPattern: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}
            - {toFQDNs: 5}
      `),
      [
        'policies.yaml:8:11 spec.egress[0].toFQDNs[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:9:11 spec.egress[0].toFQDNs[1]: Invalid value: "spec.egress[0].toFQDNs[1]" must validate one and only one schema (oneOf). Found none valid: set matchName ("api.example.com") or matchPattern ("*.example.com") [invalid-union]',
        'policies.yaml:10:11 spec.egress[0].toFQDNs[2]: Invalid value: "spec.egress[0].toFQDNs[2]" must validate one and only one schema (oneOf). Found 2 valid alternatives: set matchName ("api.example.com") or matchPattern ("*.example.com"), not both: split it into two entries [invalid-union]',
        "policies.yaml:11:12 spec.egress[0].toFQDNs[3].matchName: Invalid value: \"a b\": should match '^([-a-zA-Z0-9_]+[.]?)+$': letters, digits, '-', '_' and '.' [invalid-value]",
        "policies.yaml:12:12 spec.egress[0].toFQDNs[4].matchPattern: Invalid value: \"a b\": should match '^([-a-zA-Z0-9_*]+[.]?)+$': letters, digits, '-', '_' and '.', with '*' as a wildcard [invalid-value]",
        "policies.yaml:13:12 spec.egress[0].toFQDNs[5].matchName: Invalid value: \"*.b\": should match '^([-a-zA-Z0-9_]+[.]?)+$': letters, digits, '-', '_' and '.' [invalid-value]",
        'policies.yaml:15:12 spec.egress[0].toFQDNs[7].matchName: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:16:12 spec.egress[0].toFQDNs[8].matchName: Too long: may not be more than 255 bytes: it has 256 [too-long]',
        'policies.yaml:18:8 spec.egress[1].toFQDNs: must be a list, got 5 [wrong-type]',
        'policies.yaml:10:49 warning: spec.egress[0].toFQDNs[2].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: matchName, matchPattern [unknown-field]',
      ],
    );
  });

  test('authentication', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p25, namespace: x}
        spec:
          endpointSelector: {}
          ingress:
            - {authentication: 5}
            - {authentication: {}}
            - {authentication: {mode: 5, other: 1}}
            - {authentication: {mode: bogus}}
            - {authentication: {mode: required}}
            - {authentication: {mode: test-always-fail}}
            - {authentication: {mode: disabled}}
          egress:
            - {authentication: {mode: required}}
      `),
      [
        'policies.yaml:7:8 spec.ingress[0].authentication: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:8:8 spec.ingress[1].authentication.mode: Required value: set mode: required or disabled [missing-field]',
        'policies.yaml:9:25 spec.ingress[2].authentication.mode: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:9:25 spec.ingress[2].authentication.mode: Required value: set mode: required or disabled [missing-field]',
        'policies.yaml:10:25 spec.ingress[3].authentication.mode: Unsupported value: "bogus": supported values: "disabled", "required", "test-always-fail" [unsupported-value]',
        'policies.yaml:9:34 warning: spec.ingress[2].authentication.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: mode [unknown-field]',
        'policies.yaml:11:25 warning: spec.ingress[4].authentication.mode: authentication mode "required" lets the rule\'s connections through only once mutual authentication succeeds; netfence does not model it and shows them allowed without it: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:12:25 warning: spec.ingress[5].authentication.mode: authentication mode "test-always-fail" lets the rule\'s connections through only once mutual authentication succeeds, which in this test mode it never does; netfence does not model it and shows them allowed without it: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:15:25 warning: spec.egress[0].authentication.mode: authentication mode "required" lets the rule\'s connections through only once mutual authentication succeeds; netfence does not model it and shows them allowed without it: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });

  test('icmps', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p26, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - icmps:
                - 5
                - {fields: 5, other: 1}
                - {}
                - fields:
                    - 5
                    - {family: IPv5, type: 300}
                    - {family: 5, type: 8}
                    - {type: 1.5}
                    - {type: -1}
                    - {type: EchoRequest, family: IPv6}
                    - {type: true}
                    - {type: "8"}
                    - {type: "Echo Request"}
                    - {other: 1, type: null}
                    - {family: IPv4}
            - {icmps: [{fields: [{type: 8}]}], toPorts: [{ports: [{port: "80"}]}]}
            - {icmps: [], toPorts: [{ports: [{port: "80"}]}]}
            - {icmps: [{fields: [{type: 8}]}], toPorts: []}
            - {icmps: 5}
      `),
      [
        'policies.yaml:8:11 spec.egress[0].icmps[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:9:12 spec.egress[0].icmps[1].fields: must be a list, got 5 [wrong-type]',
        'policies.yaml:12:15 spec.egress[0].icmps[3].fields[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:13:16 spec.egress[0].icmps[3].fields[1].family: Unsupported value: "IPv5": supported values: "IPv4", "IPv6". Did you mean "IPv4"? [unsupported-value]',
        'policies.yaml:14:16 spec.egress[0].icmps[3].fields[2].family: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:15:16 spec.egress[0].icmps[3].fields[3].type: Invalid value: 1.5: should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest [invalid-value]',
        'policies.yaml:18:16 spec.egress[0].icmps[3].fields[6].type: Invalid value: true: should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest [invalid-value]',
        'policies.yaml:20:16 spec.egress[0].icmps[3].fields[8].type: Invalid value: "Echo Request": should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest [invalid-value]',
        'policies.yaml:21:26 spec.egress[0].icmps[3].fields[9].type: Required value: give the ICMP type, e.g. 8 or EchoRequest [missing-field]',
        'policies.yaml:22:15 spec.egress[0].icmps[3].fields[10].type: Required value: give the ICMP type, e.g. 8 or EchoRequest [missing-field]',
        'policies.yaml:23:8 spec.egress[1].icmps: the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts (the agent rejects the whole policy) [cilium-icmp-with-ports]',
        'policies.yaml:26:8 spec.egress[4].icmps: must be a list, got 5 [wrong-type]',
        'policies.yaml:7:7 warning: spec.egress[0].icmps: icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule allows is in no answer, and the rule allows no TCP, UDP or SCTP connection: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:9:23 warning: spec.egress[0].icmps[1].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: fields [unknown-field]',
        'policies.yaml:21:16 warning: spec.egress[0].icmps[3].fields[9].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: family, type [unknown-field]',
        'policies.yaml:25:8 warning: spec.egress[3].icmps: icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule allows is in no answer, and the rule allows no TCP, UDP or SCTP connection: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });

  test('at most 40 ICMP fields and 40 ports', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p27, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - icmps: [{fields: [{type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}]}]
            - icmps: [{fields: [{type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}, {type: 8}]}]
            - toPorts: [{ports: [{port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}]}]
            - toPorts: [{ports: [{port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}, {port: "1"}]}]
      `),
      [
        'policies.yaml:7:16 spec.egress[0].icmps[0].fields: Too many: 41: must have at most 40 items. Split them into two icmps entries [too-many]',
        'policies.yaml:9:18 spec.egress[2].toPorts[0].ports: Too many: 41: must have at most 40 items. too many ports, the max is 40: split the entry [too-many]',
        'policies.yaml:7:7 warning: spec.egress[0].icmps: icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule allows is in no answer, and the rule allows no TCP, UDP or SCTP connection: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:8:7 warning: spec.egress[1].icmps: icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule allows is in no answer, and the rule allows no TCP, UDP or SCTP connection: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });
});

describe('port rules', () => {
  test('a port rule that is not a mapping; the fields of allow and deny rules', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p28, namespace: x}
        spec:
          endpointSelector: {}
          ingress:
            - toPorts: [5, {ports: 5, other: 1}]
          ingressDeny:
            - toPorts:
                - {ports: [{port: "80"}], rules: {http: [{}]}, serverNames: [a], other: 1}
                - {ports: [{port: "81"}], rules: null}
          egressDeny:
            - toPorts: [{ports: [{port: "80"}], rules: {dns: []}, listener: {}}]
      `),
      [
        'policies.yaml:7:17 spec.ingress[0].toPorts[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:7:21 spec.ingress[0].toPorts[1].ports: must be a list, got 5 [wrong-type]',
        'policies.yaml:10:35 spec.ingressDeny[0].toPorts[0].rules: a deny rule has no layer-7 part: the API server drops "rules" here (or rejects the object under strict field validation), and the deny then covers every request on these ports. Remove "rules", or allow the ports with an L7 rule instead [cilium-deny-l7]',
        'policies.yaml:13:41 spec.egressDeny[0].toPorts[0].rules: a deny rule has no layer-7 part: the API server drops "rules" here (or rejects the object under strict field validation), and the deny then covers every request on these ports. Remove "rules", or allow the ports with an L7 rule instead [cilium-deny-l7]',
        'policies.yaml:7:31 warning: spec.ingress[0].toPorts[1].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: ports, rules, terminatingTLS, originatingTLS, serverNames, listener [unknown-field]',
        'policies.yaml:10:56 warning: spec.ingressDeny[0].toPorts[0].serverNames: unknown field "serverNames": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: ports [unknown-field]',
        'policies.yaml:10:74 warning: spec.ingressDeny[0].toPorts[0].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: ports [unknown-field]',
        'policies.yaml:13:59 warning: spec.egressDeny[0].toPorts[0].listener: unknown field "listener": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: ports [unknown-field]',
      ],
    );
  });

  test('L7 rules: one kind per port rule, TCP ports, no port 0, port 53 for DNS', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p29, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - {ports: [{port: "80", protocol: TCP}], rules: {http: [{}], dns: [{matchName: a.b}]}}
                - {ports: [{port: "0", protocol: TCP}], rules: {http: [{}]}}
                - {ports: [{port: "80", protocol: UDP}, {port: "81", protocol: TCP}], rules: {http: [{}]}}
                - {ports: [{port: "80", protocol: TCP}, {port: "81", protocol: udp}, {port: "82", protocol: SCTP}], rules: {http: [{}]}}
                - {ports: [{port: "80", protocol: TCP}], rules: {http: []}}
                - {rules: {dns: [{matchPattern: "*"}]}}
                - {ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}
                - {ports: [{port: "0", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}
                - {ports: [{port: "53", endPort: 54}], rules: {dns: [{matchPattern: "*"}]}}
                - {ports: [{port: "53", endPort: 53}], rules: {dns: [{matchPattern: "*"}]}}
                - {ports: [{port: "80"}], rules: 5}
                - {ports: [{port: "80"}], rules: {http: 5, other: 1}}
                - {ports: [{port: "80"}], rules: {dns: [5, {matchName: "a b"}]}}
      `),
      [
        'policies.yaml:8:50 spec.egress[0].toPorts[0].rules: Invalid value: "spec.egress[0].toPorts[0].rules" must validate one and only one schema (oneOf). Found 2 valid alternatives: multiple L7 protocol rule types specified in single rule. Put the http and dns rules in two toPorts entries [invalid-union]',
        'policies.yaml:9:12 spec.egress[0].toPorts[1].ports: L7 rules can not be used when a port is 0 (the agent rejects the whole policy): list the ports the HTTP rules filter [cilium-l7-port]',
        'policies.yaml:10:33 spec.egress[0].toPorts[2].ports[0].protocol: L7 rules can only apply to TCP (not UDP) except for DNS rules (the agent rejects the whole policy): write "protocol: TCP" [cilium-l7-protocol]',
        'policies.yaml:11:62 spec.egress[0].toPorts[3].ports[1].protocol: Unsupported value: "udp": supported values: "TCP", "UDP", "SCTP", "VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP", "AH", "ANY" (the values are upper-case). Did you mean "UDP"? [unsupported-value]',
        'policies.yaml:11:91 spec.egress[0].toPorts[3].ports[2].protocol: L7 rules can only apply to TCP (not SCTP) except for DNS rules (the agent rejects the whole policy): write "protocol: TCP" [cilium-l7-protocol]',
        'policies.yaml:13:11 spec.egress[0].toPorts[5].ports: port 53 must be specified for DNS rules: add "ports: [{port: \\"53\\", protocol: ANY}]" [cilium-l7-port]',
        'policies.yaml:15:12 spec.egress[0].toPorts[7].ports: L7 rules can not be used when a port is 0 (the agent rejects the whole policy): list the ports the DNS rules filter [cilium-l7-port]',
        'policies.yaml:16:33 spec.egress[0].toPorts[8].ports[0].endPort: DNS rules do not support port ranges (the agent rejects the whole policy): list port 53 alone [cilium-l7-port]',
        'policies.yaml:18:35 spec.egress[0].toPorts[10].rules: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:19:43 spec.egress[0].toPorts[11].rules.http: must be a list, got 5 [wrong-type]',
        'policies.yaml:20:49 spec.egress[0].toPorts[12].rules.dns[0]: must be a mapping (key: value), got 5 [wrong-type]',
        "policies.yaml:20:53 spec.egress[0].toPorts[12].rules.dns[1].matchName: Invalid value: \"a b\": should match '^([-a-zA-Z0-9_]+[.]?)+$': letters, digits, '-', '_' and '.' [invalid-value]",
        'policies.yaml:19:52 warning: spec.egress[0].toPorts[11].rules.other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: http, dns [unknown-field]',
      ],
    );
  });

  test('where L7 rules are supported: not on host ingress, DNS not on ingress, HTTP not on host egress', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: p30}
        specs:
          - nodeSelector: {}
            ingress: [{toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{}]}}]}]
          - nodeSelector: {}
            ingress: [{toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]}]
          - nodeSelector: {}
            egress: [{toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{}]}}]}]
          - nodeSelector: {}
            egress: [{toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]}]
          - endpointSelector: {}
            ingress: [{toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]}]
          - endpointSelector: {}
            ingress: [{toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{}]}}]}]
      `),
      [
        'policies.yaml:6:73 specs[0].ingress[0].toPorts[0].rules.http: L7 policy is not supported on host ingress yet (the agent rejects the whole policy) [cilium-l7-unsupported]',
        'policies.yaml:8:73 specs[1].ingress[0].toPorts[0].rules.dns: L7 policy is not supported on host ingress yet (the agent rejects the whole policy) [cilium-l7-unsupported]',
        'policies.yaml:10:72 specs[2].egress[0].toPorts[0].rules.http: L7 protocol HTTP is not supported on host egress yet (the agent rejects the whole policy) [cilium-l7-unsupported]',
        "policies.yaml:14:73 specs[4].ingress[0].toPorts[0].rules.dns: L7 protocol DNS is not supported on ingress yet (the agent rejects the whole policy): DNS rules filter a pod's own lookups, in an egress rule [cilium-l7-unsupported]",
      ],
    );
  });

  test('HTTP rules', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p31, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - ports: [{port: "80", protocol: TCP}]
                  rules:
                    http:
                      - 5
                      - {method: 5, path: 6, host: 7, headers: [8, ok], other: 1}
                      - {headers: 5, headerMatches: 6}
                      - headerMatches:
                          - 5
                          - {}
                          - {name: "", mismatch: bogus}
                          - {name: 5, mismatch: 6}
                          - {name: X-A, mismatch: LOG}
                          - {name: X-B, mismatch: REPLACE, value: v}
      `),
      [
        'policies.yaml:11:17 spec.egress[0].toPorts[0].rules.http[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:12:18 spec.egress[0].toPorts[0].rules.http[1].method: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:12:29 spec.egress[0].toPorts[0].rules.http[1].path: must be a string, got 6. Quote it: "6" [wrong-type]',
        'policies.yaml:12:38 spec.egress[0].toPorts[0].rules.http[1].host: must be a string, got 7. Quote it: "7" [wrong-type]',
        'policies.yaml:12:57 spec.egress[0].toPorts[0].rules.http[1].headers[0]: must be a string, got 8. Quote it: "8" [wrong-type]',
        'policies.yaml:13:18 spec.egress[0].toPorts[0].rules.http[2].headers: must be a list, got 5 [wrong-type]',
        'policies.yaml:13:30 spec.egress[0].toPorts[0].rules.http[2].headerMatches: must be a list, got 6 [wrong-type]',
        'policies.yaml:15:21 spec.egress[0].toPorts[0].rules.http[3].headerMatches[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:16:21 spec.egress[0].toPorts[0].rules.http[3].headerMatches[1].name: Required value: the header name [missing-field]',
        'policies.yaml:17:22 spec.egress[0].toPorts[0].rules.http[3].headerMatches[2].name: Required value: the header name [missing-field]',
        'policies.yaml:17:32 spec.egress[0].toPorts[0].rules.http[3].headerMatches[2].mismatch: Unsupported value: "bogus": supported values: "LOG", "ADD", "DELETE", "REPLACE" [unsupported-value]',
        'policies.yaml:18:22 spec.egress[0].toPorts[0].rules.http[3].headerMatches[3].name: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:18:22 spec.egress[0].toPorts[0].rules.http[3].headerMatches[3].name: Required value: the header name [missing-field]',
        'policies.yaml:18:31 spec.egress[0].toPorts[0].rules.http[3].headerMatches[3].mismatch: must be a string, got 6. Quote it: "6" [wrong-type]',
        'policies.yaml:12:65 warning: spec.egress[0].toPorts[0].rules.http[1].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: method, path, host, headers, headerMatches [unknown-field]',
      ],
    );
  });

  test('server names, TLS and listeners', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p32, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - {ports: [{port: "443", protocol: TCP}], serverNames: []}
                - {ports: [{port: "443", protocol: TCP}], serverNames: [5, "", "a b", "*.example.com", ok.example.com]}
                - {ports: [{port: "443", protocol: TCP}], serverNames: 5}
                - {ports: [{port: "443", protocol: TCP}], serverNames: [a.b], rules: {http: [{}]}}
                - {ports: [{port: "443", protocol: TCP}], serverNames: [a.b], rules: {http: [{}]}, terminatingTLS: {secret: {name: s}}}
                - {ports: [{port: "443", protocol: TCP}], serverNames: [a.b], rules: {http: []}}
                - {ports: [{port: "443", protocol: TCP}], terminatingTLS: {}, originatingTLS: {secret: null}}
                - {ports: [{port: "443", protocol: TCP}], terminatingTLS: 5, originatingTLS: {secret: {name: s}}}
                - {ports: [{port: "80", protocol: TCP}], listener: {}}
                - {ports: [{port: "80", protocol: TCP}], listener: {envoyConfig: {kind: CiliumEnvoyConfig, name: e}, name: l}, rules: {http: [{}]}}
                - {ports: [{port: "80", protocol: TCP}], listener: {envoyConfig: {kind: CiliumEnvoyConfig, name: e}, name: l}, rules: {http: []}}
                - {ports: [{port: "80", protocol: TCP}], listener: 5}
          ingress:
            - toPorts:
                - {ports: [{port: "80", protocol: TCP}], listener: {envoyConfig: {kind: CiliumEnvoyConfig, name: e}, name: l}}
      `),
      [
        'policies.yaml:8:51 spec.egress[0].toPorts[0].serverNames: Invalid value: 0: should have at least 1 items: remove serverNames, or list names [empty-list]',
        'policies.yaml:9:65 spec.egress[0].toPorts[1].serverNames[0]: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:9:68 spec.egress[0].toPorts[1].serverNames[1]: Invalid value: "": should match \'^([-a-zA-Z0-9_*]+[.]?)+$\' (empty server name is not allowed) [invalid-value]',
        'policies.yaml:9:72 spec.egress[0].toPorts[1].serverNames[2]: Invalid value: "a b": should match \'^([-a-zA-Z0-9_*]+[.]?)+$\' [invalid-value]',
        'policies.yaml:10:51 spec.egress[0].toPorts[2].serverNames: must be a list, got 5 [wrong-type]',
        'policies.yaml:11:51 spec.egress[0].toPorts[3].serverNames: ServerNames are not allowed with L7 rules without TLS termination (the agent rejects the whole policy): add terminatingTLS, or drop serverNames [cilium-server-names]',
        'policies.yaml:14:51 spec.egress[0].toPorts[6].terminatingTLS.secret: Required value: name the Secret with the TLS certificate: "secret: {name: ...}" [missing-field]',
        'policies.yaml:14:88 spec.egress[0].toPorts[6].originatingTLS.secret: Required value: name the Secret with the TLS certificate: "secret: {name: ...}" [missing-field]',
        'policies.yaml:15:51 spec.egress[0].toPorts[7].terminatingTLS: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:16:50 spec.egress[0].toPorts[8].listener.envoyConfig: Required value: the CiliumEnvoyConfig holding the listener [missing-field]',
        'policies.yaml:16:50 spec.egress[0].toPorts[8].listener.name: Required value: the listener name [missing-field]',
        'policies.yaml:17:50 spec.egress[0].toPorts[9].listener: Listener is not allowed with L7 rules (the agent rejects the whole policy): keep the listener or the rules [cilium-listener]',
        'policies.yaml:19:50 spec.egress[0].toPorts[11].listener: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:22:50 spec.ingress[0].toPorts[0].listener: Listener is not allowed on ingress (the agent rejects the whole policy): use it in an egress rule [cilium-listener]',
      ],
    );
  });
});

describe('ports', () => {
  test('protocols', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p33, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - ports:
                    - 5
                    - {port: "1", protocol: tcp, other: 1}
                    - {port: "2", protocol: icmp}
                    - {port: "3", protocol: ICMPv6}
                    - {port: "4", protocol: bogus}
                    - {port: "5", protocol: 5}
                    - {port: "0", protocol: GRE}
                    - {port: "6", protocol: VRRP}
                    - {protocol: ESP}
                    - {port: "7", protocol: ANY}
                    - {port: "8", protocol: SCTP}
                    - {port: "9", protocol: null}
      `),
      [
        'policies.yaml:9:15 spec.egress[0].toPorts[0].ports[0]: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:10:27 spec.egress[0].toPorts[0].ports[1].protocol: Unsupported value: "tcp": supported values: "TCP", "UDP", "SCTP", "VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP", "AH", "ANY" (the values are upper-case). Did you mean "TCP"? [unsupported-value]',
        'policies.yaml:11:27 spec.egress[0].toPorts[0].ports[2].protocol: Unsupported value: "icmp": supported values: "TCP", "UDP", "SCTP", "VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP", "AH", "ANY" (ICMP is matched with "icmps", not toPorts). Did you mean "IGMP"? [unsupported-value]',
        'policies.yaml:12:27 spec.egress[0].toPorts[0].ports[3].protocol: Unsupported value: "ICMPv6": supported values: "TCP", "UDP", "SCTP", "VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP", "AH", "ANY" (ICMP is matched with "icmps", not toPorts). Did you mean "IPV6"? [unsupported-value]',
        'policies.yaml:13:27 spec.egress[0].toPorts[0].ports[4].protocol: Unsupported value: "bogus": supported values: "TCP", "UDP", "SCTP", "VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP", "AH", "ANY" [unsupported-value]',
        'policies.yaml:14:27 spec.egress[0].toPorts[0].ports[5].protocol: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:16:16 spec.egress[0].toPorts[0].ports[7].port: port must be empty or 0 for VRRP, which has no ports [invalid-port]',
        'policies.yaml:17:15 spec.egress[0].toPorts[0].ports[8].port: port must be specified (the agent rejects the whole policy unless enable-extended-ip-protocols is set): write port: "0" for every port [cilium-port-required]',
        'policies.yaml:10:42 warning: spec.egress[0].toPorts[0].ports[1].other: unknown field "other": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: port, endPort, protocol [unknown-field]',
        'policies.yaml:15:27 warning: spec.egress[0].toPorts[0].ports[6].protocol: GRE has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is GRE: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:16:27 warning: spec.egress[0].toPorts[0].ports[7].protocol: VRRP has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is VRRP: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:17:16 warning: spec.egress[0].toPorts[0].ports[8].protocol: ESP has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is ESP: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });

  test('port values', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p34, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - ports:
                    - {port: 80}
                    - {}
                    - {port: ""}
                    - {port: "a--b"}
                    - {port: "-1"}
                    - {port: "99999"}
                    - {port: "089"}
                    - {port: "0x1F"}
                    - {port: "010"}
                    - {port: "0010"}
                    - {port: "0"}
                    - {port: "00"}
                    - {port: http}
                    - {port: abcdefghijklmnop}
                    - {port: "1_000"}
                    - {port: "0o17"}
                    - {port: "0b101"}
                    - {port: "70000"}
                    - {port: "65535"}
                    - {port: "65536"}
                    - {port: "1a"}
                    - {port: "08"}
      `),
      [
        'policies.yaml:9:16 spec.egress[0].toPorts[0].ports[0].port: must be a string, got 80. Quote it: "80" [wrong-type]',
        'policies.yaml:10:15 spec.egress[0].toPorts[0].ports[1].port: port must be specified (the agent rejects the whole policy unless enable-extended-ip-protocols is set): write port: "0" for every port [cilium-port-required]',
        'policies.yaml:11:16 spec.egress[0].toPorts[0].ports[2].port: port must be specified (the agent rejects the whole policy unless enable-extended-ip-protocols is set): write port: "0" for every port [cilium-port-required]',
        'policies.yaml:12:16 spec.egress[0].toPorts[0].ports[3].port: unable to parse port "a--b" (the agent rejects the whole policy): a port name has letters, digits and single \'-\', with at least one letter [invalid-port]',
        "policies.yaml:13:16 spec.egress[0].toPorts[0].ports[4].port: Invalid value: \"-1\": should match '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$': a port number from 0 to 65535, or a port name (letters, digits and single '-') [invalid-port]",
        'policies.yaml:14:16 spec.egress[0].toPorts[0].ports[5].port: unable to parse port "99999" (the agent rejects the whole policy): a port number is 0–65535 [invalid-port]',
        'policies.yaml:15:16 spec.egress[0].toPorts[0].ports[6].port: unable to parse port "089" (the agent rejects the whole policy): a leading 0 makes it octal, where 8 and 9 are not digits; remove the 0 [invalid-port]',
        'policies.yaml:22:16 spec.egress[0].toPorts[0].ports[13].port: unable to parse port "abcdefghijklmnop" (the agent rejects the whole policy): a port name has at most 15 characters [invalid-port]',
        'policies.yaml:26:16 spec.egress[0].toPorts[0].ports[17].port: unable to parse port "70000" (the agent rejects the whole policy): a port number is 0–65535 [invalid-port]',
        'policies.yaml:28:16 spec.egress[0].toPorts[0].ports[19].port: unable to parse port "65536" (the agent rejects the whole policy): a port number is 0–65535 [invalid-port]',
        'policies.yaml:30:16 spec.egress[0].toPorts[0].ports[21].port: unable to parse port "08" (the agent rejects the whole policy): a leading 0 makes it octal, where 8 and 9 are not digits; remove the 0 [invalid-port]',
        'policies.yaml:17:16 warning: spec.egress[0].toPorts[0].ports[8].port: the agent reads "010" as the octal number 8 (a leading 0); write "8", or "10" if you meant it [cilium-octal-port]',
        'policies.yaml:18:16 warning: spec.egress[0].toPorts[0].ports[9].port: the agent reads "0010" as the octal number 8 (a leading 0); write "8", or "10" if you meant it [cilium-octal-port]',
      ],
    );
  });

  test('endPort', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p35, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - ports:
                    - {port: "80", endPort: 79}
                    - {port: "80", endPort: 80}
                    - {port: "80", endPort: 81}
                    - {port: "80", endPort: 70000}
                    - {port: "80", endPort: -1}
                    - {port: "80", endPort: 0}
                    - {port: "0", endPort: 5}
                    - {port: http, endPort: 5}
                    - {port: "80", endPort: x}
                    - {endPort: 5}
      `),
      [
        'policies.yaml:12:28 spec.egress[0].toPorts[0].ports[3].endPort: Invalid value: 70000: spec.egress[0].toPorts[0].ports[3].endPort in body should be less than or equal to 65535. A port is from 1 to 65535 [out-of-range]',
        'policies.yaml:13:28 spec.egress[0].toPorts[0].ports[4].endPort: Invalid value: -1: spec.egress[0].toPorts[0].ports[4].endPort in body should be greater than or equal to 0. A port is from 1 to 65535 [out-of-range]',
        'policies.yaml:17:28 spec.egress[0].toPorts[0].ports[8].endPort: must be an integer, got "x" [wrong-type]',
        'policies.yaml:18:15 spec.egress[0].toPorts[0].ports[9].port: port must be specified (the agent rejects the whole policy unless enable-extended-ip-protocols is set): write port: "0" for every port [cilium-port-required]',
        'policies.yaml:9:28 warning: spec.egress[0].toPorts[0].ports[0].endPort: endPort 79 is below port 80: the agent reads the entry as port 80 alone. Swap them, or remove endPort [cilium-end-port]',
      ],
    );
  });
});

describe('what is kept of an accepted policy', () => {
  test('spec and specs as the API server stores them: null fields dropped', () => {
    const r = load(yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: a, namespace: x}
      spec:
        endpointSelector: {matchLabels: {app: a}}
        description: null
        ingress: [{fromEndpoints: [{matchLabels: {b: c}}], toPorts: [{ports: [{port: "80", protocol: null}], rules: null}]}]
      specs:
        - endpointSelector: {}
          egress: [{toCIDR: [10.0.0.0/8]}]
      ---
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata: {name: b}
      specs:
        - nodeSelector: {}
          ingress: [{fromEntities: [cluster]}]
          log: null
    `);
    assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
    assert.deepEqual(
      r.state.ciliumPolicies.map((p) => [p.id, p.object]),
      [
        [
          'CiliumNetworkPolicy/x/a',
          {
            apiVersion: 'cilium.io/v2',
            kind: 'CiliumNetworkPolicy',
            metadata: { name: 'a', namespace: 'x' },
            spec: {
              endpointSelector: { matchLabels: { app: 'a' } },
              ingress: [
                { fromEndpoints: [{ matchLabels: { b: 'c' } }], toPorts: [{ ports: [{ port: '80' }] }] },
              ],
            },
            specs: [{ endpointSelector: {}, egress: [{ toCIDR: ['10.0.0.0/8'] }] }],
          },
        ],
        [
          'CiliumClusterwideNetworkPolicy/b',
          {
            apiVersion: 'cilium.io/v2',
            kind: 'CiliumClusterwideNetworkPolicy',
            metadata: { name: 'b' },
            specs: [{ nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] }],
          },
        ],
      ],
    );
  });
});
describe('edge cases', () => {
  test('a policy without metadata, or with a namespace that is not a string: the selector warning names no namespace', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        spec:
          endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: z}}
          ingress: [{}]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: n, namespace: 5}
        spec:
          endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: z}}
          ingress: [{}]
      `),
      [
        'policies.yaml:1:1 metadata: is required: a CiliumNetworkPolicy needs metadata.name [missing-field]',
        'policies.yaml:9:21 metadata.namespace: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:4:36 warning: spec.endpointSelector.matchLabels.k8s:io.kubernetes.pod.namespace: endpointSelector names namespace "z", but a CiliumNetworkPolicy of its own namespace always applies in its own namespace: Cilium drops the namespace match (the agent logs "illegal namespace match in EndpointSelector") and the rule set selects the pods of its own namespace. Put the policy in namespace "z", or make it a CiliumClusterwideNetworkPolicy [cilium-foreign-namespace-selector]',
        'policies.yaml:11:36 warning: spec.endpointSelector.matchLabels.k8s:io.kubernetes.pod.namespace: endpointSelector names namespace "z", but a CiliumNetworkPolicy of its own namespace always applies in its own namespace: Cilium drops the namespace match (the agent logs "illegal namespace match in EndpointSelector") and the rule set selects the pods of its own namespace. Put the policy in namespace "z", or make it a CiliumClusterwideNetworkPolicy [cilium-foreign-namespace-selector]',
      ],
    );
  });

  test('a null rule list is absent: the other, empty, is reported', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p101, namespace: x}
        spec:
          endpointSelector: {}
          ingress: null
          egress: []
      `),
      [
        'policies.yaml:4:1 spec: rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny (the agent rejects the whole policy): egress is empty. Write "egress: [{}]" to deny all [cilium-empty-rule-set]',
      ],
    );
  });

  test('ingressDeny rules are ingress rules: their peers are checked', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p102, namespace: x}
        spec:
          endpointSelector: {}
          ingressDeny:
            - {fromCIDR: [x]}
            - {fromEntities: [bogus]}
            - {fromCIDRSet: 5}
            - {toPorts: 5}
      `),
      [
        'policies.yaml:7:19 spec.ingressDeny[0].fromCIDR[0]: Invalid value: "x": must be of type cidr: "x" is not a CIDR: it is not an IPv4 or IPv6 address [invalid-cidr]',
        'policies.yaml:8:23 spec.ingressDeny[1].fromEntities[0]: Unsupported value: "bogus": supported values: "all", "world", "cluster", "cluster-mesh", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver" [unsupported-value]',
        'policies.yaml:9:8 spec.ingressDeny[2].fromCIDRSet: must be a list, got 5 [wrong-type]',
        'policies.yaml:10:8 spec.ingressDeny[3].toPorts: must be a list, got 5 [wrong-type]',
      ],
    );
  });

  test('fields of another direction are unknown, not checked', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p103, namespace: x}
        spec:
          endpointSelector: {}
          ingress:
            - {toServices: [5], toFQDNs: [5]}
          egressDeny:
            - {toFQDNs: [5]}
      `),
      [
        'policies.yaml:7:8 warning: spec.ingress[0].toServices: unknown field "toServices": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: fromEndpoints, fromCIDR, fromCIDRSet, fromEntities, fromNodes, fromGroups, fromRequires, icmps, toPorts, authentication [unknown-field]',
        'policies.yaml:7:25 warning: spec.ingress[0].toFQDNs: unknown field "toFQDNs": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: fromEndpoints, fromCIDR, fromCIDRSet, fromEntities, fromNodes, fromGroups, fromRequires, icmps, toPorts, authentication [unknown-field]',
        'policies.yaml:9:8 warning: spec.egressDeny[0].toFQDNs: unknown field "toFQDNs": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: toEndpoints, toCIDR, toCIDRSet, toEntities, toServices, toNodes, toGroups, toRequires, icmps, toPorts [unknown-field]',
      ],
    );
  });

  test('an ICMP type that is a list', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p104, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - icmps: [{fields: [{type: [8]}]}]
      `),
      [
        'policies.yaml:7:26 spec.egress[0].icmps[0].fields[0].type: Invalid value: [8]: should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest [invalid-value]',
        'policies.yaml:7:7 warning: spec.egress[0].icmps: icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule allows is in no answer, and the rule allows no TCP, UDP or SCTP connection: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });

  test('L7 rules and the protocols of their ports: absent or null is not TCP; a protocol of the wrong type is that error only', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p105, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - {ports: [{port: "0", protocol: TCP}], rules: {http: [{}], dns: [{matchName: a.b}]}}
                - {ports: [{port: "80"}], rules: {http: [{}]}}
                - {ports: [{port: "81", protocol: null}], rules: {http: [{}]}}
                - {ports: [{port: "82", protocol: 5}], rules: {http: [{}]}}
                - {ports: [null], rules: {http: [{}]}}
                - {ports: [5], rules: {http: [{}]}}
      `),
      [
        'policies.yaml:8:12 spec.egress[0].toPorts[0].ports: L7 rules can not be used when a port is 0 (the agent rejects the whole policy): list the ports the HTTP, DNS rules filter [cilium-l7-port]',
        'policies.yaml:8:49 spec.egress[0].toPorts[0].rules: Invalid value: "spec.egress[0].toPorts[0].rules" must validate one and only one schema (oneOf). Found 2 valid alternatives: multiple L7 protocol rule types specified in single rule. Put the http and dns rules in two toPorts entries [invalid-union]',
        'policies.yaml:9:20 spec.egress[0].toPorts[1].ports[0].protocol: L7 rules can only apply to TCP (not ) except for DNS rules (the agent rejects the whole policy): write "protocol: TCP" [cilium-l7-protocol]',
        'policies.yaml:10:33 spec.egress[0].toPorts[2].ports[0].protocol: L7 rules can only apply to TCP (not ) except for DNS rules (the agent rejects the whole policy): write "protocol: TCP" [cilium-l7-protocol]',
        'policies.yaml:11:33 spec.egress[0].toPorts[3].ports[0].protocol: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:12:20 spec.egress[0].toPorts[4].ports[0]: must be a port, got an empty item: the API server rejects null in a list [missing-field]',
        'policies.yaml:13:20 spec.egress[0].toPorts[5].ports[0]: must be a mapping (key: value), got 5 [wrong-type]',
      ],
    );
  });

  test('server names with L7 rules need terminatingTLS (null is none); an empty list is that error only; listener fields null', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p106, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - {ports: [{port: "443", protocol: TCP}], serverNames: [a.b], rules: {http: [{}]}, terminatingTLS: null}
                - {ports: [{port: "443", protocol: TCP}], serverNames: [], rules: {http: [{}]}}
                - {ports: [{port: "80", protocol: TCP}], listener: {envoyConfig: null, name: null}}
      `),
      [
        'policies.yaml:8:51 spec.egress[0].toPorts[0].serverNames: ServerNames are not allowed with L7 rules without TLS termination (the agent rejects the whole policy): add terminatingTLS, or drop serverNames [cilium-server-names]',
        'policies.yaml:9:51 spec.egress[0].toPorts[1].serverNames: Invalid value: 0: should have at least 1 items: remove serverNames, or list names [empty-list]',
        'policies.yaml:10:61 spec.egress[0].toPorts[2].listener.envoyConfig: Required value: the CiliumEnvoyConfig holding the listener [missing-field]',
        'policies.yaml:10:80 spec.egress[0].toPorts[2].listener.name: Required value: the listener name [missing-field]',
      ],
    );
  });

  test('port values: the type, octal numbers, extended protocols, and why a port cannot be read', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p107, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - ports:
                    - {port: true}
                    - {port: "07"}
                    - {port: "99999", protocol: VRRP}
                    - {port: "100089"}
                    - {port: "0-8"}
                    - {port: "--a1"}
                    - {port: "1--a"}
                    - {port: "0y11111111111111"}
                    - {port: "0x1_0000"}
                    - {port: "0o20_0000"}
                    - {port: "0b10000000000000000"}
                    - {port: "a--bcdefghijklm"}
                    - {port: "a--bcdefghijklmn"}
      `),
      [
        'policies.yaml:9:16 spec.egress[0].toPorts[0].ports[0].port: must be a string, got true. Quote it: "true" [wrong-type]',
        'policies.yaml:9:16 spec.egress[0].toPorts[0].ports[0].port: port must be specified (the agent rejects the whole policy unless enable-extended-ip-protocols is set): write port: "0" for every port [cilium-port-required]',
        'policies.yaml:11:16 spec.egress[0].toPorts[0].ports[2].port: unable to parse port "99999" (the agent rejects the whole policy): a port number is 0–65535 [invalid-port]',
        'policies.yaml:12:16 spec.egress[0].toPorts[0].ports[3].port: unable to parse port "100089" (the agent rejects the whole policy): a port number is 0–65535 [invalid-port]',
        'policies.yaml:13:16 spec.egress[0].toPorts[0].ports[4].port: unable to parse port "0-8" (the agent rejects the whole policy): a port name has letters, digits and single \'-\', with at least one letter [invalid-port]',
        'policies.yaml:14:16 spec.egress[0].toPorts[0].ports[5].port: unable to parse port "--a1" (the agent rejects the whole policy): a port name has letters, digits and single \'-\', with at least one letter [invalid-port]',
        'policies.yaml:15:16 spec.egress[0].toPorts[0].ports[6].port: unable to parse port "1--a" (the agent rejects the whole policy): a port name has letters, digits and single \'-\', with at least one letter [invalid-port]',
        'policies.yaml:16:16 spec.egress[0].toPorts[0].ports[7].port: unable to parse port "0y11111111111111" (the agent rejects the whole policy): a port name has at most 15 characters [invalid-port]',
        'policies.yaml:17:16 spec.egress[0].toPorts[0].ports[8].port: unable to parse port "0x1_0000" (the agent rejects the whole policy): a port number is 0–65535 [invalid-port]',
        'policies.yaml:18:16 spec.egress[0].toPorts[0].ports[9].port: unable to parse port "0o20_0000" (the agent rejects the whole policy): a port number is 0–65535 [invalid-port]',
        'policies.yaml:19:16 spec.egress[0].toPorts[0].ports[10].port: unable to parse port "0b10000000000000000" (the agent rejects the whole policy): a port number is 0–65535 [invalid-port]',
        'policies.yaml:20:16 spec.egress[0].toPorts[0].ports[11].port: unable to parse port "a--bcdefghijklm" (the agent rejects the whole policy): a port name has letters, digits and single \'-\', with at least one letter [invalid-port]',
        'policies.yaml:21:16 spec.egress[0].toPorts[0].ports[12].port: unable to parse port "a--bcdefghijklmn" (the agent rejects the whole policy): a port name has at most 15 characters [invalid-port]',
        'policies.yaml:10:16 warning: spec.egress[0].toPorts[0].ports[1].port: the agent reads "07" as the octal number 7 (a leading 0); write "7" [cilium-octal-port]',
        'policies.yaml:11:31 warning: spec.egress[0].toPorts[0].ports[2].protocol: VRRP has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is VRRP: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });

  test('every protocol without ports is reported as not evaluated; the others are not', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p108, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - toPorts:
                - ports: [{port: "0", protocol: VRRP}, {port: "0", protocol: IGMP}, {port: "0", protocol: GRE}, {port: "0", protocol: IPIP}, {port: "0", protocol: IPV6}, {port: "0", protocol: ESP}, {port: "0", protocol: AH}, {port: "0", protocol: TCP}, {port: "0", protocol: UDP}, {port: "0", protocol: SCTP}, {port: "0", protocol: ANY}]
      `),
      [
        'policies.yaml:8:31 warning: spec.egress[0].toPorts[0].ports[0].protocol: VRRP has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is VRRP: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:8:60 warning: spec.egress[0].toPorts[0].ports[1].protocol: IGMP has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is IGMP: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:8:89 warning: spec.egress[0].toPorts[0].ports[2].protocol: GRE has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is GRE: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:8:117 warning: spec.egress[0].toPorts[0].ports[3].protocol: IPIP has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is IPIP: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:8:146 warning: spec.egress[0].toPorts[0].ports[4].protocol: IPV6 has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is IPV6: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:8:175 warning: spec.egress[0].toPorts[0].ports[5].protocol: ESP has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is ESP: netfence reads it but does not evaluate it [cilium-not-evaluated]',
        'policies.yaml:8:203 warning: spec.egress[0].toPorts[0].ports[6].protocol: AH has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is AH: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });
});
describe('ICMP types', () => {
  test('ICMP types written as strings: numbers 0 to 255 and names', () => {
    assert.deepEqual(
      lines(yaml`
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: p, namespace: x}
        spec:
          endpointSelector: {}
          egress:
            - icmps: [{fields: [{type: "0"}, {type: "10"}, {type: "99"}, {type: "100"}, {type: "199"}, {type: "200"}, {type: "249"}, {type: "250"}, {type: "255"}, {type: "256"}, {type: "x0"}, {type: "300"}, {type: "01"}, {type: "EchoReply"}, {type: "xEchoReply"}]}]
      `),
      [
        'policies.yaml:7:157 spec.egress[0].icmps[0].fields[9].type: Invalid value: "256": should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest [invalid-value]',
        'policies.yaml:7:172 spec.egress[0].icmps[0].fields[10].type: Invalid value: "x0": should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest [invalid-value]',
        'policies.yaml:7:186 spec.egress[0].icmps[0].fields[11].type: Invalid value: "300": should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest [invalid-value]',
        'policies.yaml:7:201 spec.egress[0].icmps[0].fields[12].type: Invalid value: "01": should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest [invalid-value]',
        'policies.yaml:7:236 spec.egress[0].icmps[0].fields[14].type: Invalid value: "xEchoReply": should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest [invalid-value]',
        'policies.yaml:7:7 warning: spec.egress[0].icmps: icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule allows is in no answer, and the rule allows no TCP, UDP or SCTP connection: netfence reads it but does not evaluate it [cilium-not-evaluated]',
      ],
    );
  });
});
