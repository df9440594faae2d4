/**
 * The bad-input table: every object the API server would reject is rejected for the same reason (with
 * `strict`; without, fields that do not change connectivity are warnings), at the bad field, with a message that quotes the value and says how to fix it. Each case pins the exact text.
 * Kept apart from the test so the same inputs can be replayed against a real API server.
 */
import { yaml } from './helpers.ts';

export interface Case {
  name: string;
  input: string;
  /** Every problem, errors first, as `file:line:col path: message`. */
  expected: string[];
}

export const cases: Case[] = [
  {
    // Without a name an object cannot be created, referred to or reported on.
    name: 'metadata.name missing',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        namespace: prod
      spec: {}
    `,
    expected: ['policies.yaml:3:1 metadata.name: is required: give the NetworkPolicy a name'],
  },
  {
    // Names are DNS subdomains; a mixed-case name with '_' is a classic copy-paste from code.
    name: 'metadata.name not a DNS-1123 subdomain',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: Allow_Web
      spec: {}
    `,
    expected: [
      `policies.yaml:4:3 warning: metadata.name: "Allow_Web" is not a valid NetworkPolicy name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253): it contains upper-case letters; it contains "_". Did you mean "allow-web"? (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)`,
    ],
  },
  {
    // Namespace names are stricter (DNS labels: no dots), unlike most object names.
    name: 'Namespace name not a DNS-1123 label',
    input: yaml`
      apiVersion: v1
      kind: Namespace
      metadata:
        name: team.prod
    `,
    expected: [
      `policies.yaml:4:3 metadata.name: "team.prod" is not a valid Namespace name (a DNS-1123 label: lower-case letters, digits and '-', at most 63): it contains ".". Did you mean "team-prod"?`,
    ],
  },
  {
    // Service names become DNS names and must start with a letter; multi-port Services need port names.
    name: 'Service name not a DNS-1035 label, unnamed ports, bad targetPort',
    input: yaml`
      apiVersion: v1
      kind: Service
      metadata:
        name: 1web
      spec:
        selector: {app: web}
        ports:
          - port: 80
            targetPort: http_x
          - port: 443
    `,
    expected: [
      `policies.yaml:9:7 spec.ports[0].targetPort: "http_x" is not a valid port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with a letter): it contains "_". Did you mean "http-x"?`,
      `policies.yaml:4:3 warning: metadata.name: "1web" is not a valid Service name (a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, at most 63): it must start with a letter (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)`,
      'policies.yaml:8:7 warning: spec.ports[0].name: is required when a Service has more than one port (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)',
      'policies.yaml:10:7 warning: spec.ports[1].name: is required when a Service has more than one port (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)',
    ],
  },
  {
    // A namespace in metadata must itself be a valid namespace name.
    name: 'metadata.namespace invalid',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
        namespace: Prod
      spec: {}
    `,
    expected: [
      `policies.yaml:5:3 metadata.namespace: "Prod" is not a valid namespace name (a DNS-1123 label: lower-case letters, digits and '-', at most 63): it contains upper-case letters. Did you mean "prod"?`,
    ],
  },
  {
    // Label keys are qualified names: one optional DNS prefix, then a name without spaces.
    name: 'label keys in metadata.labels and matchLabels',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
        labels:
          Example.com/team: a
      spec:
        podSelector:
          matchLabels:
            app/web/x: a
            "my app": b
    `,
    expected: [
      `policies.yaml:6:5 metadata.labels.Example.com/team: label key "Example.com/team" is not valid ([prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'): the prefix "Example.com" is not a DNS subdomain (it contains upper-case letters). Did you mean "example.com/team"?`,
      `policies.yaml:10:7 spec.podSelector.matchLabels.app/web/x: label key "app/web/x" is not valid ([prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'): it contains 2 '/', at most one is allowed (prefix/name). Did you mean "app/web-x"?`,
      `policies.yaml:11:7 spec.podSelector.matchLabels.my app: label key "my app" is not valid ([prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'): it contains " ". Did you mean "my-app"?`,
    ],
  },
  {
    // Label values are short tokens; YAML numbers and booleans are not strings and the API refuses them.
    name: 'label values: spaces, unquoted number and boolean',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        podSelector:
          matchLabels:
            app: hello world
            version: 1.10
            enabled: true
    `,
    expected: [
      `policies.yaml:8:7 spec.podSelector.matchLabels.app: label value "hello world" is not valid (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit): it contains " ". Did you mean "hello-world"?`,
      // The hint quotes the value as written (1.10), not as YAML read it (1.1).
      'policies.yaml:9:7 spec.podSelector.matchLabels.version: must be a string, got 1.10. Quote it: "1.10"',
      'policies.yaml:10:7 spec.podSelector.matchLabels.enabled: must be a string, got true. Quote it: "true"',
    ],
  },
  {
    // Operators are case-sensitive; In/NotIn need values, Exists/DoesNotExist must have none.
    name: 'selector operators and values',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        podSelector:
          matchExpressions:
            - key: tier
              operator: in
              values: [web]
            - key: tier
              operator: In
            - key: tier
              operator: Exists
              values: [web]
    `,
    expected: [
      'policies.yaml:9:9 spec.podSelector.matchExpressions[0].operator: "in" is not a selector operator: use In, NotIn, Exists or DoesNotExist. Did you mean "In"?',
      'policies.yaml:11:9 spec.podSelector.matchExpressions[1].values: must be non-empty when operator is In: list the values, or use Exists to match any value',
      'policies.yaml:15:9 spec.podSelector.matchExpressions[2].values: must be empty when operator is Exists, got ["web"]: remove values, or use In',
    ],
  },
  {
    // An empty peer is rejected; "podSelector:" with no value is null, which the API reads as absent.
    name: 'peer with no selector nor ipBlock',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        ingress:
          - from:
              - {}
              - podSelector:
    `,
    expected: [
      'policies.yaml:8:11 spec.ingress[0].from[0]: must set podSelector, namespaceSelector or ipBlock, got an empty peer: to allow all sources, remove "from"; for every pod in every namespace, use "namespaceSelector: {}"',
      'policies.yaml:9:11 spec.ingress[0].from[1]: must set podSelector, namespaceSelector or ipBlock, got an empty peer: "podSelector:" has no value, which reads as absent. Write "podSelector: {}" to select all',
    ],
  },
  {
    // Selectors and ipBlock cannot share a peer (selectors can: they AND together).
    name: 'ipBlock combined with a selector in one peer',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        egress:
          - to:
              - ipBlock:
                  cidr: 10.0.0.0/8
                namespaceSelector: {}
    `,
    expected: [
      'policies.yaml:8:11 spec.egress[0].to[0]: may not combine ipBlock with namespaceSelector: a peer is either selectors or an ipBlock. Split it into two peers (two "- " items)',
    ],
  },
  {
    // CIDRs: a bare address, an out-of-range octet, an IPv6 prefix over 128, a missing cidr.
    name: 'invalid CIDRs, IPv4 and IPv6',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        egress:
          - to:
              - ipBlock: {cidr: 10.0.0.1}
              - ipBlock: {cidr: 10.0.0.256/8}
              - ipBlock: {cidr: "fd00::/129"}
              - ipBlock: {cidr: "2001:db8::g/64"}
              - ipBlock: {}
    `,
    expected: [
      'policies.yaml:8:21 spec.egress[0].to[0].ipBlock.cidr: CIDR mask is missing in "10.0.0.1". Did you mean "10.0.0.1/32"?',
      'policies.yaml:9:21 spec.egress[0].to[1].ipBlock.cidr: "10.0.0.256/8" is not a valid CIDR: 256 is more than 255',
      'policies.yaml:10:21 spec.egress[0].to[2].ipBlock.cidr: "fd00::/129" is not a valid CIDR: the prefix length 129 is more than 128, the maximum for IPv6',
      'policies.yaml:11:21 spec.egress[0].to[3].ipBlock.cidr: "2001:db8::g/64" is not a valid CIDR: "g" is not a group of 1 to 4 hex digits',
      'policies.yaml:12:11 spec.egress[0].to[4].ipBlock.cidr: is required, e.g. "10.0.0.0/8" or "0.0.0.0/0"',
    ],
  },
  {
    // Kubernetes up to 1.35 accepts host bits (it reads the network); 1.36 rejects them. A warning, as the
    // author probably meant something else and the manifest still applies to older clusters.
    name: 'CIDR with host bits set is a warning',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        egress:
          - to:
              - ipBlock:
                  cidr: 10.0.0.1/8
              - ipBlock:
                  cidr: "2001:db8::1/32"
    `,
    expected: [
      'policies.yaml:9:13 warning: spec.egress[0].to[0].ipBlock.cidr: "10.0.0.1/8" has host bits set: Kubernetes 1.36 and later reject it, earlier versions read it as "10.0.0.0/8". Write "10.0.0.0/8"',
      'policies.yaml:11:13 warning: spec.egress[0].to[1].ipBlock.cidr: "2001:db8::1/32" has host bits set: Kubernetes 1.36 and later reject it, earlier versions read it as "2001:db8::/32". Write "2001:db8::/32"',
    ],
  },
  {
    // except must be strictly inside cidr: outside, equal, wider and other-family entries are all rejected.
    name: 'except entries not a strict subset of cidr',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        egress:
          - to:
              - ipBlock:
                  cidr: 10.0.0.0/8
                  except:
                    - 192.168.0.0/16
                    - 10.0.0.0/8
                    - "fd00::/8"
                    - 10.1.0.0/16
                    - 0.0.0.0/0
    `,
    expected: [
      'policies.yaml:11:17 spec.egress[0].to[0].ipBlock.except[0]: "192.168.0.0/16" is not inside cidr "10.0.0.0/8": an except entry must be a strict subset of cidr',
      'policies.yaml:12:17 spec.egress[0].to[0].ipBlock.except[1]: "10.0.0.0/8" is all of cidr "10.0.0.0/8": an except entry must be a strict subset of cidr',
      'policies.yaml:13:17 spec.egress[0].to[0].ipBlock.except[2]: "fd00::/8" is IPv6 but cidr "10.0.0.0/8" is IPv4: an except entry must be a strict subset of cidr',
      'policies.yaml:15:17 spec.egress[0].to[0].ipBlock.except[4]: "0.0.0.0/0" contains all of cidr "10.0.0.0/8": an except entry must be a strict subset of cidr',
    ],
  },
  {
    // Port numbers are 1-65535; 0 is not "any port".
    name: 'port number out of range',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        ingress:
          - ports:
              - port: 70000
              - port: 0
    `,
    expected: [
      'policies.yaml:8:11 spec.ingress[0].ports[0].port: must be between 1 and 65535, got 70000',
      'policies.yaml:9:11 spec.ingress[0].ports[1].port: must be between 1 and 65535, got 0',
    ],
  },
  {
    // A string port is a named port (IANA_SVC_NAME); a quoted number is a string, not a number.
    name: 'named ports: invalid characters, too long, quoted number',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        ingress:
          - ports:
              - port: http_alt
              - port: very-long-port-name
              - port: "80"
    `,
    expected: [
      `policies.yaml:8:11 spec.ingress[0].ports[0].port: "http_alt" is not a valid port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with a letter): it contains "_". Did you mean "http-alt"?`,
      `policies.yaml:9:11 spec.ingress[0].ports[1].port: "very-long-port-name" is not a valid port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with a letter): it is 19 characters long, more than 15. Did you mean "very-long-port"?`,
      'policies.yaml:10:11 spec.ingress[0].ports[2].port: "80" is a string, so it is read as a port name, and a port name must contain a letter. Write the number without quotes: 80',
    ],
  },
  {
    // Protocols are case-sensitive in the API, and ICMP cannot be expressed at all.
    name: 'unknown protocol',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        ingress:
          - ports:
              - protocol: tcp
                port: 80
              - protocol: ICMP
    `,
    expected: [
      'policies.yaml:8:11 spec.ingress[0].ports[0].protocol: "tcp" is not supported: protocols are case-sensitive. Did you mean "TCP"?',
      'policies.yaml:10:11 spec.ingress[0].ports[1].protocol: "ICMP" is not supported (NetworkPolicy cannot filter ICMP): use "TCP", "UDP" or "SCTP"',
    ],
  },
  {
    // endPort needs a numeric port at or below it, and stays within 65535.
    name: 'endPort without port, with a named port, below port, above 65535',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        ingress:
          - ports:
              - endPort: 90
              - port: http
                endPort: 90
              - port: 80
                endPort: 70
              - port: 80
                endPort: 70000
    `,
    expected: [
      'policies.yaml:8:11 spec.ingress[0].ports[0].endPort: requires port: set port to the first port of the range (endPort is 90)',
      'policies.yaml:10:11 spec.ingress[0].ports[1].endPort: cannot be used with a named port ("http"): use a port number',
      'policies.yaml:12:11 spec.ingress[0].ports[2].endPort: must be ≥ port (80), got 70',
      'policies.yaml:14:11 spec.ingress[0].ports[3].endPort: must be between 1 and 65535, got 70000',
    ],
  },
  {
    // Fields of the wrong type: the API's decoder refuses the whole object.
    name: 'wrong types: list as map, map as list, fractional and quoted numbers',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        podSelector: []
        ingress: {}
        egress:
          - ports:
              - port: 80.5
              - port: 80
                endPort: "90"
    `,
    expected: [
      'policies.yaml:6:3 spec.podSelector: must be a mapping (key: value), got an empty list []',
      'policies.yaml:7:3 spec.ingress: must be a list, got a mapping {}. Write "ingress: []" to allow no ingress, or "ingress: [{}]" to allow all; a rule is a list item ("- from: ...")',
      'policies.yaml:10:11 spec.egress[0].ports[0].port: must be an integer or a port name, got 80.5',
      'policies.yaml:12:11 spec.egress[0].ports[1].endPort: must be an integer, got "90". Remove the quotes: 90',
    ],
  },
  {
    // policyTypes values are capitalized; a duplicate is accepted by the API but is a mistake.
    name: 'policyTypes: lower-case value, duplicate',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        policyTypes: [ingress, Egress]
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web2
      spec:
        policyTypes: [Egress, Egress]
    `,
    expected: [
      'policies.yaml:6:17 spec.policyTypes[0]: "ingress" is not a policy type: use "Ingress" or "Egress". Did you mean "Ingress"?',
      'policies.yaml:13:25 warning: spec.policyTypes[1]: "Egress" is listed twice: remove the duplicate',
    ],
  },
  {
    // More than two policyTypes is rejected outright.
    name: 'policyTypes with three values',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        policyTypes: [Ingress, Egress, Ingress]
    `,
    expected: [
      'policies.yaml:6:3 spec.policyTypes: may not have more than 2 values, got 3: use "Ingress", "Egress" or both',
    ],
  },
  {
    // The API server drops unknown fields with a warning: "ingres: []" silently means "no ingress rules".
    name: 'unknown fields in a NetworkPolicy spec are warnings with a suggestion',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        podSelector: {}
        ingres: []
        egress:
          - too: []
            ports:
              - port: 53
                protocl: UDP
    `,
    expected: [
      `policies.yaml:7:3 warning: spec.ingres: unknown field "ingres": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Did you mean "ingress"?`,
      `policies.yaml:9:7 warning: spec.egress[0].too: unknown field "too": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Did you mean "to"?`,
      `policies.yaml:12:11 warning: spec.egress[0].ports[0].protocl: unknown field "protocl": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Did you mean "protocol"?`,
    ],
  },
  {
    // networking.k8s.io/v1 is the only version serving NetworkPolicy since Kubernetes 1.16.
    name: 'NetworkPolicy with a removed apiVersion',
    input: yaml`
      apiVersion: extensions/v1beta1
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        podSelector: {}
    `,
    expected: [
      'policies.yaml:1:1 apiVersion: NetworkPolicy is not served by "extensions/v1beta1" (removed in Kubernetes 1.16): use "networking.k8s.io/v1"',
    ],
  },
  {
    // A name every object has is not a known removed version.
    name: 'NetworkPolicy with apiVersion constructor',
    input: yaml`
      apiVersion: constructor
      kind: NetworkPolicy
      metadata:
        name: web
      spec:
        podSelector: {}
    `,
    expected: [
      'policies.yaml:1:1 apiVersion: NetworkPolicy is not served by "constructor": use "networking.k8s.io/v1"',
    ],
  },
  {
    // The API's "selector does not match template labels", said with the label that differs.
    name: 'Deployment selector does not match the template labels; container ports',
    input: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: webapp
          spec:
            containers:
              - name: web
                image: nginx:1.27
                ports:
                  - containerPort: 70000
                  - containerPort: 80
                    name: HTTP_port
    `,
    expected: [
      'policies.yaml:11:7 spec.template.metadata.labels: selector does not match template labels: the selector requires app=web, but the template has app=webapp. Make them agree',
      'policies.yaml:18:15 spec.template.spec.containers[0].ports[0].containerPort: must be between 1 and 65535, got 70000',
      `policies.yaml:20:15 spec.template.spec.containers[0].ports[1].name: "HTTP_port" is not a valid port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with a letter): it contains upper-case letters; it contains "_". Did you mean "http-port"?`,
    ],
  },
  {
    // apps/v1 requires a selector, and a pod needs a container.
    name: 'DaemonSet without selector nor containers',
    input: yaml`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
      spec:
        template:
          metadata:
            labels: {app: agent}
          spec:
            containers: []
    `,
    expected: [
      `policies.yaml:5:1 spec.selector: is required for a DaemonSet (apps/v1): set matchLabels to the template's labels`,
      'policies.yaml:10:7 spec.template.spec.containers: is required: a pod needs at least one container',
    ],
  },
  {
    // Jobs need restartPolicy OnFailure/Never, and their selector is generated unless manualSelector is set.
    name: 'Job without restartPolicy, with a selector',
    input: yaml`
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: migrate
      spec:
        selector:
          matchLabels: {app: migrate}
        template:
          metadata:
            labels: {app: migrate}
          spec:
            containers:
              - name: m
                image: migrate:1
    `,
    expected: [
      'policies.yaml:6:3 spec.selector: is set, but the API generates the selector of a Job unless manualSelector is true: remove the selector, or set manualSelector: true',
      'policies.yaml:11:5 spec.template.spec.restartPolicy: is required for a Job: "OnFailure" or "Never" (the default "Always" is not allowed)',
    ],
  },
  {
    // CronJob names are capped at 52 characters; the schedule is required.
    name: 'CronJob name too long, schedule missing, restartPolicy Always',
    input: yaml`
      apiVersion: batch/v1
      kind: CronJob
      metadata:
        name: ${'a'.repeat(53)}
      spec:
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: Always
                containers: [{name: c, image: busybox}]
    `,
    expected: [
      `policies.yaml:4:3 metadata.name: "${'a'.repeat(53)}" is 53 characters long: a CronJob name must be no more than 52 characters (its Jobs are named after it with an 11-character suffix)`,
      'policies.yaml:5:1 spec.schedule: is required: a cron schedule such as "*/5 * * * *"',
      'policies.yaml:10:11 spec.jobTemplate.spec.template.spec.restartPolicy: "Always" is not supported for a CronJob: use "OnFailure" or "Never"',
    ],
  },
  {
    // Every container needs an image; the API rejects a pod (or template) without one.
    name: 'container without image, duplicate container names',
    input: yaml`
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
      spec:
        initContainers:
          - name: init
            image: ""
        containers:
          - name: app
          - name: init
            image: busybox
    `,
    expected: [
      // As the API does, the init container is the duplicate: it is checked against the regular containers.
      'policies.yaml:7:7 warning: spec.initContainers[0].name: "init" is the name of another container in this pod: container names must be unique (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)',
      'policies.yaml:8:7 warning: spec.initContainers[0].image: is required: the image the container runs, e.g. "nginx:1.27" (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)',
      'policies.yaml:10:7 warning: spec.containers[0].image: is required: the image the container runs, e.g. "nginx:1.27" (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)',
    ],
  },
  {
    // The second definition would overwrite the first when applied; both locations are named.
    name: 'duplicate object',
    input: yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
      spec: {}
      ---
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
        namespace: default
      spec: {}
    `,
    expected: [
      'policies.yaml:10:3 metadata.name: NetworkPolicy "default/web" is defined twice: first at policies.yaml:1:1. Keep one definition',
    ],
  },
  {
    // A syntax error spoils only its own document; the next one is still read.
    name: 'YAML syntax errors: bad indentation, duplicate key',
    input: yaml`
      apiVersion: v1
      kind: Namespace
      metadata:
        name: a
          labels: {}
      ---
      apiVersion: v1
      kind: Namespace
      metadata:
        name: b
        name: c
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: ok}
    `,
    expected: [
      'policies.yaml:4:9 invalid YAML: Nested mappings are not allowed in compact mappings',
      'policies.yaml:11:3 invalid YAML: the key "name" appears twice in the same mapping; keep one',
    ],
  },
  {
    // Half an object header is a broken manifest, not "some other file".
    name: 'kind missing; List items that are not objects',
    input: yaml`
      apiVersion: v1
      metadata:
        name: x
      ---
      apiVersion: v1
      kind: List
      items:
        - metadata: {name: y}
        - 5
    `,
    expected: [
      'policies.yaml:1:1 kind is missing: every Kubernetes object needs a string apiVersion and kind',
      'policies.yaml:8:5 items[0]: apiVersion and kind are missing: every Kubernetes object needs a string apiVersion and kind',
      'policies.yaml:9:5 items[1]: must be a Kubernetes object, got 5',
    ],
  },
  {
    // The API requires apiVersion, kind, name and uid in owner references, and one controller at most.
    name: 'owner references incomplete, two controllers',
    input: yaml`
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
        ownerReferences:
          - kind: ReplicaSet
            name: rs
            controller: true
          - {apiVersion: v1, kind: Node, name: n, uid: u, controller: true}
      spec:
        containers: [{name: c, image: busybox}]
    `,
    expected: [
      'policies.yaml:9:53 metadata.ownerReferences[1].controller: only one owner reference can have controller: true; an object has at most one controller',
      'policies.yaml:6:7 warning: metadata.ownerReferences[0].apiVersion: is required in an owner reference (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)',
      'policies.yaml:6:7 warning: metadata.ownerReferences[0].uid: is required in an owner reference (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)',
    ],
  },
];
