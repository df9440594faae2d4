/**
 * Invalid cluster policies, one case per rule of the CRDs (docs/design/tiers.md, "What the API server
 * rejects") and per check netfence adds. Each pins where the problem is reported and its text. Kept apart from
 * the test so the same inputs can be replayed elsewhere.
 */
export interface TierCase {
  name: string;
  input: string;
  /** Every problem, errors first, as `file:line:col path: message`. */
  expected: string[];
}

/** A ClusterNetworkPolicy (v1beta1) around spec lines written at the indentation of `spec:`'s children. */
export function cnpYaml(spec: string, name = 'p', version = 'v1beta1'): string {
  return `apiVersion: policy.networking.k8s.io/${version}\nkind: ClusterNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${indent(spec)}\n`;
}

export function anpYaml(spec: string, name = 'p', kind = 'AdminNetworkPolicy'): string {
  return `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${indent(spec)}\n`;
}

function indent(spec: string): string {
  return spec
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
}

const ADMIN = 'tier: Admin\npriority: 10\nsubject:\n  namespaces: {}\n';

const ANP = 'priority: 1\nsubject:\n  namespaces: {}\n';

export const tierCases: TierCase[] = [
  {
    // CEL self.start < self.end: a reversed range matches nothing; the API server rejects it.
    name: 'range reversed',
    input: cnpYaml(
      ADMIN +
        'ingress:\n  - action: Accept\n    from: [{namespaces: {}}]\n    protocols:\n      - tcp: {destinationPort: {range: {start: 90, end: 80}}}',
    ),
    expected: [
      'policies.yaml:14:35 spec.ingress[0].protocols[0].tcp.destinationPort.range: Invalid value: Start port must be less than End port: start is 90, end is 80; swap them: start 80, end 90',
    ],
  },
  {
    // A one-port range is rejected too (start must be less than end): the fix is a number.
    name: 'range single',
    input: cnpYaml(
      ADMIN +
        'egress:\n  - action: Deny\n    to: [{namespaces: {}}]\n    protocols:\n      - udp: {destinationPort: {range: {start: 80, end: 80}}}',
    ),
    expected: [
      'policies.yaml:14:35 spec.egress[0].protocols[0].udp.destinationPort.range: Invalid value: Start port must be less than End port: start is 80, end is 80; for the single port 80, write "number: 80" (CNP) or "portNumber" (ANP)',
    ],
  },
  {
    // MaxItems=25 on CNP rules.
    name: '26 rules',
    input: cnpYaml(
      ADMIN +
        'ingress:\n' +
        Array.from({ length: 26 }, () => '  - {action: Deny, from: [{namespaces: {}}]}').join('\n'),
    ),
    expected: [
      'policies.yaml:10:3 spec.ingress: Too many: 26: must have at most 25 items. Merge rules with the same action, or split the policy into two policies',
    ],
  },
  {
    // CEL cidr(self) == cidr(self).masked(): only canonical CIDRs.
    name: 'cidr host bits',
    input: cnpYaml(ADMIN + 'egress:\n  - action: Deny\n    to:\n      - networks: ["10.0.0.1/8"]'),
    expected: [
      'policies.yaml:13:22 spec.egress[0].to[0].networks[0]: Invalid value: "10.0.0.1/8": Invalid CIDR format provided: it has host bits set. Write "10.0.0.0/8"',
    ],
  },
  {
    // isCIDR: a bare IP is not a CIDR.
    name: 'cidr bare',
    input: cnpYaml(ADMIN + 'egress:\n  - action: Deny\n    to:\n      - networks: ["10.0.0.1"]'),
    expected: [
      'policies.yaml:13:22 spec.egress[0].to[0].networks[0]: Invalid value: "10.0.0.1": Invalid CIDR format provided: CIDR mask is missing in "10.0.0.1". Did you mean "10.0.0.1/32"?',
    ],
  },
  {
    // Maximum=1000.
    name: 'priority',
    input: cnpYaml('tier: Admin\npriority: 1001\nsubject:\n  namespaces: {}'),
    expected: [
      'policies.yaml:7:3 spec.priority: Invalid value: 1001: spec.priority in body should be less than or equal to 1000. Use a priority from 0 (evaluated first) to 1000 (last)',
    ],
  },
  {
    // The tier enum has only Admin and Baseline.
    name: 'tier',
    input: cnpYaml('tier: NetworkPolicy\npriority: 10\nsubject:\n  namespaces: {}'),
    expected: [
      'policies.yaml:6:3 spec.tier: Unsupported value: "NetworkPolicy": supported values: "Admin", "Baseline" (the NetworkPolicy tier is where networking.k8s.io/v1 NetworkPolicies act)',
    ],
  },
  {
    // The ANP word in a CNP: a common slip when migrating.
    name: 'action Allow',
    input: cnpYaml(ADMIN + 'ingress:\n  - action: Allow\n    from: [{namespaces: {}}]'),
    expected: [
      'policies.yaml:11:7 spec.ingress[0].action: Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass" (Allow is the AdminNetworkPolicy word; a ClusterNetworkPolicy says Accept)',
    ],
  },
  {
    // The subject is a union: exactly one field.
    name: 'subject two',
    input: cnpYaml(
      'tier: Admin\npriority: 10\nsubject:\n  namespaces: {}\n  pods: {namespaceSelector: {}, podSelector: {}}',
    ),
    expected: [
      'policies.yaml:8:3 spec.subject: Too many: 2: must have at most 1 item: a subject sets namespaces and pods; it takes exactly one. Keep namespaces (every pod of the namespaces) or pods (by namespace and pod labels), or write two policies',
    ],
  },
  {
    // A peer is a union: MinProperties=1.
    name: 'peer empty',
    input: cnpYaml(ADMIN + 'ingress:\n  - action: Deny\n    from: [{}]'),
    expected: [
      'policies.yaml:12:14 spec.ingress[0].from[0]: Invalid value: 0: spec.ingress[0].from[0] in body should have at least 1 properties: a peer needs exactly one field; set one of namespaces, pods',
    ],
  },
  {
    // MinItems=1 on from/to.
    name: 'from empty',
    input: cnpYaml(ADMIN + 'ingress:\n  - action: Deny\n    from: []'),
    expected: [
      'policies.yaml:12:7 spec.ingress[0].from: Invalid value: 0: spec.ingress[0].from in body should have at least 1 items: list at least one peer; "- namespaces: {}" for every pod',
    ],
  },
  {
    // Minimum=1 on port numbers.
    name: 'port 0',
    input: cnpYaml(
      ADMIN +
        'ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols:\n      - tcp: {destinationPort: {number: 0}}',
    ),
    expected: [
      'policies.yaml:14:35 spec.ingress[0].protocols[0].tcp.destinationPort.number: Invalid value: 0: spec.ingress[0].protocols[0].tcp.destinationPort.number in body should be greater than or equal to 1. A port is from 1 to 65535',
    ],
  },
  {
    // MinProperties=1 on tcp: "all TCP ports" is the range 1-65535.
    name: 'tcp empty',
    input: cnpYaml(
      ADMIN + 'ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols:\n      - tcp: {}',
    ),
    expected: [
      'policies.yaml:14:11 spec.ingress[0].protocols[0].tcp: Invalid value: 0: spec.ingress[0].protocols[0].tcp in body should have at least 1 properties: give a destinationPort, e.g. "{destinationPort: {number: 443}}"; for every TCP port, "{destinationPort: {range: {start: 1, end: 65535}}}"',
    ],
  },
  {
    // MaxLength=100 on rule names.
    name: 'name long',
    input: cnpYaml(
      ADMIN + `ingress:\n  - name: ${'n'.repeat(101)}\n    action: Deny\n    from: [{namespaces: {}}]`,
    ),
    expected: [
      'policies.yaml:11:7 spec.ingress[0].name: Too long: may not be more than 100 bytes: the name has 101. Shorten it',
    ],
  },
  {
    // The egress CEL rule: named ports need pods.
    name: 'named port networks',
    input: cnpYaml(
      ADMIN +
        'egress:\n  - action: Accept\n    to: [{networks: ["10.0.0.0/8"]}]\n    protocols: [{destinationNamedPort: http}]',
    ),
    expected: [
      'policies.yaml:11:7 spec.egress[0]: Invalid value: networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames: this rule has a networks peer and a named port. Use port numbers, or put the networks peers in a rule of their own',
    ],
  },
  {
    // The domainNames pattern: wildcards only as a whole first label, at least two labels.
    name: 'domain bad',
    input: cnpYaml(
      ADMIN + 'egress:\n  - action: Accept\n    to: [{domainNames: ["*foo.example.com", "localhost"]}]',
    ),
    expected: [
      'policies.yaml:12:27 spec.egress[0].to[0].domainNames[0]: Invalid value: "*foo.example.com": spec.egress[0].to[0].domainNames[0] in body should match \'^(\\*\\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.?$\': \'*\' may only be the first label, alone ("*.example.com")',
      'policies.yaml:12:47 spec.egress[0].to[0].domainNames[1]: Invalid value: "localhost": spec.egress[0].to[0].domainNames[1] in body should match \'^(\\*\\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.?$\': a domain name needs at least two labels ("example.com"), a single label ("localhost") cannot be matched',
    ],
  },
  {
    // listType=set.
    name: 'domain dup',
    input: cnpYaml(
      ADMIN + 'egress:\n  - action: Accept\n    to: [{domainNames: ["a.example.com", "a.example.com"]}]',
    ),
    expected: [
      'policies.yaml:12:44 spec.egress[0].to[0].domainNames[1]: Duplicate value: "a.example.com": remove the second one',
    ],
  },
  {
    // Stored by the API server, but the API supports domainNames only in Accept rules: a warning.
    name: 'domain deny',
    input: cnpYaml(ADMIN + 'egress:\n  - action: Deny\n    to: [{domainNames: ["a.example.com"]}]'),
    expected: [
      'policies.yaml:12:13 warning: spec.egress[0].to[0].domainNames: domainNames in a Deny rule: the API server stores it, but the API says "DomainNames is only supported for Accept rules", so what a network plugin does with it is undefined (it may ignore the peer). netfence reads it as written. Deny by networks, or make it an Accept rule',
    ],
  },
  {
    // tier, priority, subject and action are required.
    name: 'missing required',
    input: cnpYaml('ingress:\n  - from: [{namespaces: {}}]'),
    expected: [
      'policies.yaml:5:1 spec.tier: Required value: set tier: Admin (before NetworkPolicies) or Baseline (after them)',
      'policies.yaml:5:1 spec.priority: Required value: set a priority from 0 (evaluated first) to 1000 (last)',
      'policies.yaml:5:1 spec.subject: Required value: say whom the policy applies to: "subject: {namespaces: {}}" for every pod, or "subject: {pods: {...}}"',
      'policies.yaml:7:7 spec.ingress[0].action: Required value: set action: Accept, Deny, Pass',
    ],
  },
  {
    // networks is an egress peer: unknown in ingress (dropped), leaving an empty peer.
    name: 'ingress networks',
    input: cnpYaml(ADMIN + 'ingress:\n  - action: Deny\n    from: [{networks: ["10.0.0.0/8"]}]'),
    expected: [
      'policies.yaml:12:14 spec.ingress[0].from[0]: Invalid value: 0: spec.ingress[0].from[0] in body should have at least 1 properties: a peer needs exactly one field; set one of namespaces, pods',
      'policies.yaml:12:15 warning: spec.ingress[0].from[0].networks: unknown field "networks": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: namespaces, pods',
    ],
  },
  {
    // Cluster-scoped: the API server ignores a namespace.
    name: 'namespace on cnp',
    input:
      'apiVersion: policy.networking.k8s.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n',
    expected: [
      'policies.yaml:5:3 warning: metadata.namespace: ClusterNetworkPolicy is cluster-scoped: the API server ignores the namespace "shop", and so does netfence. Remove it',
    ],
  },
  {
    // The BANP CEL rule: only "default".
    name: 'banp name',
    input: anpYaml('subject:\n  namespaces: {}', 'other', 'BaselineAdminNetworkPolicy'),
    expected: [
      'policies.yaml:4:3 metadata.name: Invalid value: Only one baseline admin network policy with metadata.name="default" can be created in the cluster: rename "other" to "default"',
    ],
  },
  {
    // BANP actions are Allow and Deny only.
    name: 'banp pass',
    input: anpYaml(
      'subject:\n  namespaces: {}\negress:\n  - action: Pass\n    to: [{namespaces: {}}]',
      'default',
      'BaselineAdminNetworkPolicy',
    ),
    expected: [
      'policies.yaml:9:7 spec.egress[0].action: Unsupported value: "Pass": supported values: "Allow", "Deny" (there is no tier after the baseline to pass to)',
    ],
  },
  {
    // The v0.1.1 CRD has no action enum and stores Accept; netfence reads the v0.3.0 enum.
    name: 'anp accept',
    input: anpYaml(ANP + 'ingress:\n  - action: Accept\n    from: [{namespaces: {}}]'),
    expected: [
      'policies.yaml:10:7 spec.ingress[0].action: Unsupported value: "Accept": supported values: "Allow", "Deny", "Pass" (Accept is the ClusterNetworkPolicy word; an AdminNetworkPolicy says Allow)',
    ],
  },
  {
    // Maximum=1000 on ANP.
    name: 'anp priority',
    input: anpYaml('priority: 1001\nsubject:\n  namespaces: {}'),
    expected: [
      'policies.yaml:6:3 spec.priority: Invalid value: 1001: spec.priority in body should be less than or equal to 1000. Use a priority from 0 (evaluated first) to 1000 (last)',
    ],
  },
  {
    // A ports entry is a union.
    name: 'anp port two',
    input: anpYaml(
      ANP +
        'ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    ports:\n      - namedPort: http\n        portNumber: {protocol: TCP, port: 80}',
    ),
    expected: [
      'policies.yaml:13:11 spec.ingress[0].ports[0]: Too many: 2: must have at most 1 item: a ports entry sets portNumber and namedPort; it takes exactly one. Split it into list items, one field each',
    ],
  },
  {
    // The v0.1.1 CRD stores a reversed range; the API comment says start < end, netfence checks it.
    name: 'anp range reversed',
    input: anpYaml(
      ANP +
        'egress:\n  - action: Deny\n    to: [{namespaces: {}}]\n    ports:\n      - portRange: {protocol: TCP, start: 90, end: 80}',
    ),
    expected: [
      'policies.yaml:13:11 spec.egress[0].ports[0].portRange: Invalid value: Start port must be less than End port: start is 90, end is 80; swap them: start 80, end 90',
    ],
  },
  {
    // The v0.1.x namespaces peer is a union too, as its CRD says.
    name: 'anp old peer two',
    input: anpYaml(
      ANP + 'ingress:\n  - action: Deny\n    from: [{namespaces: {namespaceSelector: {}, sameLabels: [a]}}]',
    ),
    expected: [
      'policies.yaml:11:15 spec.ingress[0].from[0].namespaces: Too many: 2: must have at most 1 item: sets namespaceSelector and sameLabels; it takes exactly one',
      'policies.yaml:11:51 spec.ingress[0].from[0].namespaces.sameLabels: sameLabels (the v0.1.x AdminNetworkPolicy peer) selects the namespaces whose labels ["a"] have the same values as the subject pod\'s namespace, a comparison per pair of namespaces that netfence cannot evaluate; network-policy-api v0.3.0 removed it. Write one rule per namespace group with "namespaces: {matchLabels: ...}" instead',
    ],
  },
  {
    // v0.1.x sameLabels cannot be evaluated statically per namespace: reported, not guessed.
    name: 'anp sameLabels',
    input: anpYaml(
      ANP +
        'ingress:\n  - action: Deny\n    from: [{pods: {namespaces: {sameLabels: [tenant]}, podSelector: {}}}]',
    ),
    expected: [
      'policies.yaml:11:35 spec.ingress[0].from[0].pods.namespaces.sameLabels: sameLabels (the v0.1.x AdminNetworkPolicy peer) selects the namespaces whose labels ["tenant"] have the same values as the subject pod\'s namespace, a comparison per pair of namespaces that netfence cannot evaluate; network-policy-api v0.3.0 removed it. Write one rule per namespace group with "namespaces: {matchLabels: ...}" instead',
    ],
  },
  {
    // The v0.1.x namespaceSelector form means the same selector: read, with a warning.
    name: 'anp old selector',
    input: anpYaml(
      ANP +
        'ingress:\n  - action: Deny\n    from: [{namespaces: {namespaceSelector: {matchLabels: {team: a}}}}]',
    ),
    expected: [
      'policies.yaml:11:28 warning: spec.ingress[0].from[0].namespaces.namespaceSelector: is the v0.1.x form of this peer ("namespaces: {namespaceSelector: ...}"); netfence reads it as the selector it holds, which is what it means, and the v0.3.0 form writes the selector directly: "namespaces: {matchLabels: ...}"',
    ],
  },
  {
    // MaxItems=100 on ANP rules.
    name: 'anp 101 rules',
    input: anpYaml(
      ANP +
        'ingress:\n' +
        Array.from({ length: 101 }, () => '  - {action: Deny, from: [{namespaces: {}}]}').join('\n'),
    ),
    expected: [
      'policies.yaml:9:3 spec.ingress: Too many: 101: must have at most 100 items. Merge rules with the same action, or split the policy into two policies',
    ],
  },
  {
    // The ANP egress CEL rule.
    name: 'anp named port nodes',
    input: anpYaml(ANP + 'egress:\n  - action: Allow\n    to: [{nodes: {}}]\n    ports: [{namedPort: http}]'),
    expected: [
      'policies.yaml:10:7 spec.egress[0]: Invalid value: networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames: this rule has a nodes peer and a named port. Use port numbers, or put the nodes peers in a rule of their own',
    ],
  },
  {
    // The BANP has no domainNames peer.
    name: 'banp domain',
    input: anpYaml(
      'subject:\n  namespaces: {}\negress:\n  - action: Allow\n    to: [{domainNames: ["a.example.com"]}]',
      'default',
      'BaselineAdminNetworkPolicy',
    ),
    expected: [
      'policies.yaml:10:12 spec.egress[0].to[0]: Invalid value: 0: spec.egress[0].to[0] in body should have at least 1 properties: a peer needs exactly one field; set one of namespaces, pods, nodes, networks',
      'policies.yaml:10:13 warning: spec.egress[0].to[0].domainNames: unknown field "domainNames": with strict field validation (kubectl\'s default) the API server rejects the object; without, it drops the field. Known fields: namespaces, pods, nodes, networks',
    ],
  },
  {
    // ANP pods peers require namespaceSelector (CNP ones do not).
    name: 'anp pods no ns',
    input: anpYaml(ANP + 'ingress:\n  - action: Deny\n    from: [{pods: {podSelector: {}}}]'),
    expected: [
      'policies.yaml:11:15 spec.ingress[0].from[0].pods.namespaceSelector: Required value: write "namespaceSelector: {}" for pods of every namespace',
    ],
  },
];
