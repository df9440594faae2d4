/**
 * Cilium policies, valid and invalid, with what the API server (Cilium v1.20.2's CRDs) answers and which
 * fields netfence's validation names. test/parse/cilium.test.ts checks netfence's side; test/cluster/
 * cilium-crds.test.ts sends every object to a real kube-apiserver and checks the API server's side, so both
 * sides of each case are pinned by a run, and every difference is listed with its reason (`difference`).
 */
import { stringify } from 'yaml';
import { formatPath } from '../../src/model/problem.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';

type Obj = Record<string, unknown>;

/**
 * The field paths of netfence's errors for an object, read as the file `sent.yaml`, with --strict (as the
 * API server's requests with fieldValidation=Strict). `<nil>` for an error about the whole object.
 */
export function errorFields(object: Obj): string[] {
  const parsed = parseManifestText(stringify(object), 'sent.yaml');
  const built = buildClusterState(parsed.objects, {
    defaultNamespace: 'default',
    skipInvalid: false,
    strict: true,
  });
  return [...parsed.errors, ...built.errors].map((e) => (e.path.length === 0 ? '<nil>' : formatPath(e.path)));
}

export interface CiliumCase {
  what: string;
  object: Obj;
  /** The API server's answer to a create with fieldValidation=Strict. */
  api:
    | 'accepted'
    /** 422: every `details.causes[].field`, and the start of the message after `... is invalid: `. */
    | { status: 422; fields: string[]; message: string }
    /** 400: the strict decoder's unknown field. */
    | { status: 400; message: string };
  /** The field paths of netfence's errors (with --strict), `<nil>` for the whole object. */
  netfence: string[];
  /** Why netfence's verdict differs from the API server's (the agent rejects the policy, …). */
  difference?: string;
}

export function cnp(name: string, spec: Obj | undefined, extra: Obj = {}): Obj {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: 'default' },
    ...(spec === undefined ? {} : { spec }),
    ...extra,
  };
}

export function ccnp(name: string, spec: Obj): Obj {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

const ALL = { endpointSelector: {} };
const port = (p: Obj): Obj => ({ ...ALL, ingress: [{ toPorts: [{ ports: [p] }] }] });
const AGENT = 'the agent rejects the whole policy (rule_validation.go); the CRD lets it through';

export const ciliumCases: CiliumCase[] = [
  {
    what: 'every peer kind, port forms, L7, deny and default deny (valid)',
    object: cnp('full', {
      endpointSelector: { matchLabels: { app: 'web', 'k8s:tier': 'front' } },
      ingress: [
        {
          fromEndpoints: [
            { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ops', app: 'prom' } },
            { matchExpressions: [{ key: 'any:team', operator: 'In', values: ['a'] }] },
          ],
          toPorts: [
            { ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/' }] } },
          ],
        },
        { fromEntities: ['cluster', 'kube-apiserver'] },
        { fromCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] },
        { toPorts: [{ ports: [{ port: '8000', endPort: 8080, protocol: 'ANY' }, { port: 'metrics' }] }] },
        { icmps: [{ fields: [{ type: 8 }, { family: 'IPv6', type: 'EchoRequest' }] }] },
      ],
      ingressDeny: [{ fromCIDR: ['192.168.0.0/16'] }],
      egress: [
        { toFQDNs: [{ matchName: 'api.example.com' }, { matchPattern: '*.example.com' }] },
        { toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] },
        {
          toEndpoints: [{}],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
        },
      ],
      egressDeny: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '0' }] }] }],
      enableDefaultDeny: { ingress: true, egress: false },
      description: 'web',
    }),
    api: 'accepted',
    netfence: [],
  },
  {
    what: 'specs and a host rule set in a CiliumClusterwideNetworkPolicy (valid)',
    object: ccnp('host', {
      nodeSelector: { matchLabels: { role: 'worker' } },
      ingress: [{ fromEntities: ['cluster'] }],
    }),
    api: 'accepted',
    netfence: [],
  },
  {
    what: 'neither spec nor specs',
    object: cnp('nospec', undefined),
    api: { status: 422, fields: ['<nil>'], message: '<nil>: Invalid value: spec or specs must be provided' },
    netfence: ['<nil>'],
  },
  {
    what: 'both endpointSelector and nodeSelector',
    object: cnp('both', { endpointSelector: {}, nodeSelector: {}, ingress: [{}] }),
    api: {
      status: 422,
      fields: ['<nil>'],
      message:
        '<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives',
    },
    // netfence names the rule set; the node selector of a CNP is also an agent error.
    netfence: ['spec', 'spec.nodeSelector'],
  },
  {
    what: 'neither endpointSelector nor nodeSelector',
    object: cnp('neither', { ingress: [{}] }),
    api: {
      status: 422,
      fields: ['<nil>', 'spec.endpointSelector', '<nil>'],
      message:
        '[<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid',
    },
    netfence: ['spec'],
  },
  {
    what: 'no rule list',
    object: cnp('nodir', { ...ALL }),
    api: {
      status: 422,
      fields: ['<nil>', 'spec.ingress', '<nil>'],
      message: '[<nil>: Invalid value: "": "spec" must validate at least one schema (anyOf)',
    },
    netfence: ['spec'],
  },
  {
    what: 'only empty rule lists',
    object: cnp('emptyingress', { ...ALL, ingress: [] }),
    api: 'accepted',
    netfence: ['spec'],
    difference: AGENT + ': "rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny"',
  },
  {
    what: 'a nodeSelector in a CiliumNetworkPolicy',
    object: cnp('cnp-node', { nodeSelector: {}, ingress: [{}] }),
    api: 'accepted',
    netfence: ['spec.nodeSelector'],
    difference: 'the agent rejects it: "rule cannot have NodeSelector" (CiliumNetworkPolicy.Parse)',
  },
  {
    what: 'a lower-case protocol',
    object: cnp('proto', port({ port: '80', protocol: 'tcp' })),
    api: {
      status: 422,
      fields: ['spec.ingress[0].toPorts[0].ports[0].protocol', '<nil>'],
      message: '[spec.ingress[0].toPorts[0].ports[0].protocol: Unsupported value: "tcp"',
    },
    netfence: ['spec.ingress[0].toPorts[0].ports[0].protocol'],
  },
  {
    what: 'a port name ending with a dash',
    object: cnp('port', port({ port: 'http-' })),
    api: {
      status: 422,
      fields: ['spec.ingress[0].toPorts[0].ports[0].port'],
      message: 'spec.ingress[0].toPorts[0].ports[0].port: Invalid value: "http-"',
    },
    netfence: ['spec.ingress[0].toPorts[0].ports[0].port'],
  },
  {
    what: 'a port as a number',
    object: cnp('portnum', port({ port: 80 })),
    api: {
      status: 422,
      fields: ['spec.ingress[0].toPorts[0].ports[0].port', '<nil>'],
      message: '[spec.ingress[0].toPorts[0].ports[0].port: Invalid value: "integer"',
    },
    netfence: ['spec.ingress[0].toPorts[0].ports[0].port'],
  },
  {
    what: 'port 70000',
    object: cnp('port70000', port({ port: '70000' })),
    api: 'accepted',
    netfence: ['spec.ingress[0].toPorts[0].ports[0].port'],
    difference: `${AGENT} (the pattern's first alternative matches "7000" and is not anchored at the end): "unable to parse port"`,
  },
  {
    what: 'no port',
    object: cnp('noport', port({ protocol: 'TCP' })),
    api: 'accepted',
    netfence: ['spec.ingress[0].toPorts[0].ports[0].port'],
    difference: `${AGENT}: "port must be specified" (unless enable-extended-ip-protocols)`,
  },
  {
    what: 'endPort 70000',
    object: cnp('endport', port({ port: '80', endPort: 70000 })),
    api: {
      status: 422,
      fields: ['spec.ingress[0].toPorts[0].ports[0].endPort'],
      message: 'spec.ingress[0].toPorts[0].ports[0].endPort: Invalid value: 70000',
    },
    netfence: ['spec.ingress[0].toPorts[0].ports[0].endPort'],
  },
  {
    what: '41 ports',
    object: cnp('ports41', {
      ...ALL,
      ingress: [{ toPorts: [{ ports: Array.from({ length: 41 }, (_, i) => ({ port: String(i + 1) })) }] }],
    }),
    api: {
      status: 422,
      fields: ['spec.ingress[0].toPorts[0].ports', '<nil>'],
      message: '[spec.ingress[0].toPorts[0].ports: Too many: 41: must have at most 40 items',
    },
    netfence: ['spec.ingress[0].toPorts[0].ports'],
  },
  {
    what: 'an entity the CRD does not list',
    object: cnp('entity', { ...ALL, egress: [{ toEntities: ['world-ipv4'] }] }),
    api: {
      status: 422,
      fields: ['spec.egress[0].toEntities[0]', '<nil>'],
      message: '[spec.egress[0].toEntities[0]: Unsupported value: "world-ipv4"',
    },
    netfence: ['spec.egress[0].toEntities[0]'],
  },
  {
    what: 'an address where a CIDR belongs',
    object: cnp('cidr', { ...ALL, egress: [{ toCIDR: ['10.0.0.1'] }] }),
    api: {
      status: 422,
      fields: ['spec.egress[0].toCIDR[0]', '<nil>'],
      message:
        '[spec.egress[0].toCIDR[0]: Invalid value: "10.0.0.1": spec.egress[0].toCIDR[0] in body must be of type cidr',
    },
    netfence: ['spec.egress[0].toCIDR[0]'],
  },
  {
    what: 'a CIDR with host bits (valid)',
    object: cnp('cidrhost', { ...ALL, egress: [{ toCIDR: ['10.0.0.1/8'] }] }),
    api: 'accepted',
    netfence: [],
  },
  {
    what: 'cidr and cidrGroupRef in one entry',
    object: cnp('cidrset', { ...ALL, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', cidrGroupRef: 'g' }] }] }),
    api: {
      status: 422,
      fields: ['<nil>'],
      message:
        '<nil>: Invalid value: "": "spec.egress[0].toCIDRSet[0]" must validate one and only one schema (oneOf). Found 2 valid alternatives',
    },
    netfence: ['spec.egress[0].toCIDRSet[0]'],
  },
  {
    what: 'an except outside its CIDR',
    object: cnp('except', {
      ...ALL,
      egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] }] }],
    }),
    api: 'accepted',
    netfence: ['spec.egress[0].toCIDRSet[0].except[0]'],
    difference: `${AGENT}: "allow CIDR prefix ... does not contain exclude CIDR prefix ..."`,
  },
  {
    what: 'a space in an FQDN',
    object: cnp('fqdn', { ...ALL, egress: [{ toFQDNs: [{ matchName: 'a b' }] }] }),
    api: {
      status: 422,
      fields: ['spec.egress[0].toFQDNs[0].matchName'],
      message: 'spec.egress[0].toFQDNs[0].matchName: Invalid value: "a b"',
    },
    netfence: ['spec.egress[0].toFQDNs[0].matchName'],
  },
  {
    what: 'matchName and matchPattern in one FQDN',
    object: cnp('fqdnboth', { ...ALL, egress: [{ toFQDNs: [{ matchName: 'a', matchPattern: '*' }] }] }),
    api: {
      status: 422,
      fields: ['<nil>'],
      message:
        '<nil>: Invalid value: "": "spec.egress[0].toFQDNs[0]" must validate one and only one schema (oneOf). Found 2 valid alternatives',
    },
    netfence: ['spec.egress[0].toFQDNs[0]'],
  },
  {
    what: 'toFQDNs with toEndpoints in one rule',
    object: cnp('fqdn-mixed', {
      ...ALL,
      egress: [{ toEndpoints: [{}], toFQDNs: [{ matchName: 'a.example.com' }] }],
    }),
    api: 'accepted',
    netfence: ['spec.egress[0].toFQDNs'],
    difference: `${AGENT}: "combining ToEndpoints and ToFQDNs is not supported yet"`,
  },
  {
    what: 'fromRequires',
    object: cnp('requires', { ...ALL, ingress: [{ fromRequires: ['x'] }] }),
    api: {
      status: 422,
      fields: ['spec.ingress[0].fromRequires', '<nil>'],
      message: '[spec.ingress[0].fromRequires: Too many: 1: must have at most 0 items',
    },
    netfence: ['spec.ingress[0].fromRequires'],
  },
  {
    what: 'http and dns rules in one entry',
    object: cnp('l7both', {
      ...ALL,
      egress: [
        {
          toPorts: [
            { ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}], dns: [{ matchPattern: '*' }] } },
          ],
        },
      ],
    }),
    api: {
      status: 422,
      fields: ['<nil>'],
      message:
        '<nil>: Invalid value: "": "spec.egress[0].toPorts[0].rules" must validate one and only one schema (oneOf). Found 2 valid alternatives',
    },
    netfence: ['spec.egress[0].toPorts[0].rules'],
  },
  {
    what: 'L7 rules in a deny rule',
    object: cnp('denyrules', {
      ...ALL,
      egressDeny: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{}] } }] }],
    }),
    api: {
      status: 400,
      message: 'strict decoding error: unknown field "spec.egressDeny[0].toPorts[0].rules"',
    },
    netfence: ['spec.egressDeny[0].toPorts[0].rules'],
  },
  {
    what: 'DNS rules on ingress',
    object: cnp('dns-ingress', {
      ...ALL,
      ingress: [
        { toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      ],
    }),
    api: 'accepted',
    netfence: ['spec.ingress[0].toPorts[0].rules.dns'],
    difference: `${AGENT}: "L7 protocol DNS is not supported on ingress yet"`,
  },
  {
    what: 'HTTP rules on a port without protocol TCP',
    object: cnp('http-any', {
      ...ALL,
      ingress: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{ method: 'GET' }] } }] }],
    }),
    api: 'accepted',
    netfence: ['spec.ingress[0].toPorts[0].ports[0].protocol'],
    difference: `${AGENT}: "L7 rules can only apply to TCP (not ) except for DNS rules"`,
  },
  {
    what: 'icmps with toPorts in one rule',
    object: cnp('icmp-ports', {
      ...ALL,
      ingress: [{ icmps: [{ fields: [{ type: 8 }] }], toPorts: [{ ports: [{ port: '80' }] }] }],
    }),
    api: 'accepted',
    netfence: ['spec.ingress[0].icmps'],
    difference: `${AGENT}: "the ICMPs block may only be present without ToPorts"`,
  },
  {
    what: 'an ICMP family in lower case',
    object: cnp('icmpfam', { ...ALL, ingress: [{ icmps: [{ fields: [{ type: 8, family: 'ipv4' }] }] }] }),
    api: {
      status: 422,
      fields: ['spec.ingress[0].icmps[0].fields[0].family', '<nil>'],
      message: '[spec.ingress[0].icmps[0].fields[0].family: Unsupported value: "ipv4"',
    },
    netfence: ['spec.ingress[0].icmps[0].fields[0].family'],
  },
  {
    what: 'a label value with a space',
    object: cnp('label', { endpointSelector: { matchLabels: { app: 'a b' } }, ingress: [{}] }),
    api: {
      status: 422,
      fields: ['spec.endpointSelector.matchLabels.app'],
      message: 'spec.endpointSelector.matchLabels.app: Invalid value: "a b"',
    },
    netfence: ['spec.endpointSelector.matchLabels.app'],
  },
  {
    what: 'a label key with two sources',
    object: cnp('labelkey', { endpointSelector: { matchLabels: { 'a:b:c': 'x' } }, ingress: [{}] }),
    api: 'accepted',
    netfence: ['spec.endpointSelector.matchLabels.a:b:c'],
    difference: 'the agent rejects the selector (labels.IsValidCiliumLabelKey); the CRD does not check keys',
  },
  {
    what: 'a lower-case selector operator',
    object: cnp('op', {
      endpointSelector: { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] },
      ingress: [{}],
    }),
    api: {
      status: 422,
      fields: ['spec.endpointSelector.matchExpressions[0].operator', '<nil>'],
      message: '[spec.endpointSelector.matchExpressions[0].operator: Unsupported value: "in"',
    },
    netfence: ['spec.endpointSelector.matchExpressions[0].operator'],
  },
  {
    what: 'an unknown authentication mode',
    object: cnp('auth', { ...ALL, ingress: [{ authentication: { mode: 'x' } }] }),
    api: {
      status: 422,
      fields: ['spec.ingress[0].authentication.mode', '<nil>'],
      message: '[spec.ingress[0].authentication.mode: Unsupported value: "x"',
    },
    netfence: ['spec.ingress[0].authentication.mode'],
  },
  {
    what: 'a log value of 33 characters',
    object: cnp('log', { ...ALL, ingress: [{}], log: { value: 'x'.repeat(33) } }),
    api: {
      status: 422,
      fields: ['spec.log.value', '<nil>'],
      message: '[spec.log.value: Too long: may not be more than 32 bytes',
    },
    netfence: ['spec.log.value'],
  },
  {
    what: 'an empty serverNames list',
    object: cnp('servernames', {
      ...ALL,
      egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: [] }] }],
    }),
    api: {
      status: 422,
      fields: ['spec.egress[0].toPorts[0].serverNames'],
      message: 'spec.egress[0].toPorts[0].serverNames: Invalid value: 0',
    },
    netfence: ['spec.egress[0].toPorts[0].serverNames'],
  },
  {
    what: 'a misspelt field',
    object: cnp('unknown', { ...ALL, ingres: [{}], ingress: [{}] }),
    api: { status: 400, message: 'strict decoding error: unknown field "spec.ingres"' },
    netfence: ['spec.ingres'],
  },
  {
    what: 'a specs item without a selector',
    object: cnp('specs', undefined, { specs: [{ ingress: [{}] }] }),
    api: {
      status: 422,
      fields: ['<nil>', 'specs[0].endpointSelector', '<nil>'],
      message:
        '[<nil>: Invalid value: "": "specs[0]" must validate one and only one schema (oneOf). Found none valid',
    },
    netfence: ['specs[0]'],
  },
];
