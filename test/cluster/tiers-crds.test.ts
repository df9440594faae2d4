/**
 * The tier CRDs of sigs.k8s.io/network-policy-api in a real kube-apiserver (groundwork for issue #15):
 * they install and serve their kinds, valid objects are stored, and invalid ones are rejected with the
 * field named. The rejection messages asserted here are the ones docs/design/tiers.md records. Every object
 * sent is also given to netfence's own validation (the public parse API, on the same object as YAML, with
 * --strict as the requests use fieldValidation=Strict): it must accept what the API server stores and reject
 * what it rejects, naming the same field, except where docs/design/tiers.md says netfence checks more
 * (the old v0.1.1 AdminNetworkPolicy schema) — those differences are asserted one by one.
 *
 *   scripts/kube-binaries.sh && scripts/network-policy-api.sh && \
 *     NETFENCE_NPAPI_VERSION=v0.1.1 scripts/network-policy-api.sh   # once
 *   node scripts/test.ts test/cluster/tiers-crds.test.ts
 *
 * Skips when the binaries or the module copies are missing, unless NETFENCE_REQUIRE_KUBE=1 (CI).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { formatPath } from '../../src/model/problem.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { connect, readCluster, stateFromObjects } from '../../src/k8s/index.ts';
import { crdFiles, installCrds, networkPolicyApiDir, type InstalledCrd } from '../support/crds.ts';
import type { ApiServer } from '../support/kube-apiserver.ts';
import { skip as noBinaries, startServer } from './setup.ts';

const required = process.env.NETFENCE_REQUIRE_KUBE === '1';
const npapi = networkPolicyApiDir('v0.3.0');
const npapiV1alpha1 = networkPolicyApiDir('v0.1.1');
const missingModule = [npapi, npapiV1alpha1].find((d) => typeof d !== 'string');
const skip: string | false =
  noBinaries !== false ? noBinaries : missingModule !== undefined && !required ? missingModule.skip : false;

function moduleDir(found: string | { skip: string }): string {
  if (typeof found !== 'string') throw new Error(`NETFENCE_REQUIRE_KUBE=1 but ${found.skip}`);
  return found;
}

const GROUP = '/apis/policy.networking.k8s.io';
const CNP = (version: string): string => `${GROUP}/${version}/clusternetworkpolicies`;

let api: ApiServer | undefined;

function server(): ApiServer {
  assert.ok(api !== undefined, 'API server not started');
  return api;
}

before(async () => {
  if (skip !== false) return;
  moduleDir(npapi);
  moduleDir(npapiV1alpha1);
  api = await startServer({ rbacManifest: null });
});

after(async () => {
  await api?.stop();
});

type Obj = Record<string, unknown>;

function cnp(name: string, spec: Obj, version = 'v1beta1'): Obj {
  return {
    apiVersion: `policy.networking.k8s.io/${version}`,
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec,
  };
}

const ADMIN = { tier: 'Admin', priority: 10, subject: { namespaces: {} } } as const;
const fromAll = [{ namespaces: {} }];
const tcpPort = (port: number): Obj => ({ tcp: { destinationPort: { number: port } } });

/** A rule-rich valid spec using every standard-channel peer and protocol form. */
const validSpec: Obj = {
  tier: 'Admin',
  priority: 0,
  subject: { pods: { namespaceSelector: { matchLabels: { team: 'shop' } }, podSelector: {} } },
  ingress: [
    {
      name: 'monitoring',
      action: 'Accept',
      from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      protocols: [tcpPort(9090)],
    },
    {
      action: 'Pass',
      from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } } }],
    },
    { action: 'Deny', from: fromAll },
  ],
  egress: [
    {
      action: 'Accept',
      to: [{ networks: ['10.0.0.0/8', 'fd00::/8'] }],
      protocols: [
        { udp: { destinationPort: { number: 53 } } },
        { sctp: { destinationPort: { range: { start: 3000, end: 3010 } } } },
      ],
    },
    { action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
  ],
};

/**
 * The field paths of netfence's errors for an object, validated as the file `sent.yaml` holding it, with
 * `--strict` (the requests here use fieldValidation=Strict). `<nil>` for an error about the whole object.
 */
function netfenceErrorFields(object: Obj): string[] {
  const parsed = parseManifestText(stringify(object), 'sent.yaml');
  const built = buildClusterState(parsed.objects, {
    defaultNamespace: 'default',
    skipInvalid: false,
    strict: true,
  });
  return [...parsed.errors, ...built.errors].map((e) => (e.path.length === 0 ? '<nil>' : formatPath(e.path)));
}

/** Creates an object (dry run) and checks the API server and netfence both accept it. */
async function assertAccepted(path: string, object: Obj): Promise<void> {
  const res = await tryCreate(path, object);
  assert.deepEqual(
    { status: res.status, netfence: netfenceErrorFields(object) },
    { status: 201, netfence: [] },
    res.text,
  );
}

/** POST with a server-side dry run and strict field validation; the API server's answer. */
async function tryCreate(path: string, object: Obj): Promise<{ status: number; json: Obj; text: string }> {
  const res = await server().request('POST', `${path}?dryRun=All&fieldValidation=Strict`, { body: object });
  return { status: res.status, json: (res.json ?? {}) as Obj, text: res.text };
}

interface Rejection {
  what: string;
  object: Obj;
  /** `details.causes[].field` of the 422 answer. */
  field: string;
  /** The whole `message` of the 422 answer. */
  message: string;
  /** The field netfence names, when it differs from the API server's (which says `<nil>` for the BANP name). */
  netfenceField?: string;
}

/** Creates each object (dry run) and checks every answer at once: 422, the exact message, the field named. */
async function assertRejected(path: string, rejections: readonly Rejection[]): Promise<void> {
  const answers: {
    what: string;
    status: number;
    message: unknown;
    fieldNamed: boolean;
    netfence: boolean;
  }[] = [];
  for (const r of rejections) {
    const res = await tryCreate(path, r.object);
    const causes = (res.json.details as { causes?: { field?: string }[] } | undefined)?.causes ?? [];
    const fields = netfenceErrorFields(r.object);
    answers.push({
      what: r.what,
      status: res.status,
      message: res.json.message,
      fieldNamed: causes.some((c) => c.field === r.field),
      // netfence rejects it too, naming the same field.
      netfence: fields.includes(r.netfenceField ?? r.field),
    });
  }
  assert.deepEqual(
    answers,
    rejections.map((r) => ({
      what: r.what,
      status: 422,
      message: r.message,
      fieldNamed: true,
      netfence: true,
    })),
  );
}

const invalid = (name: string): string =>
  `ClusterNetworkPolicy.policy.networking.k8s.io "${name}" is invalid: `;

/**
 * How the API server words a schema error when it therefore skipped the CEL rules (x-kubernetes-validations)
 * of the object: the error and a second, field-less one in brackets.
 */
const celSkipped = (error: string): string =>
  `[${error}, <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; ` +
  'correct the existing errors to complete validation]';

/** Rejections of both channels (the standard schema is a subset of the experimental one). */
const cnpRejections: Rejection[] = [
  {
    what: 'a port range with start > end',
    object: cnp('range-reversed', {
      ...ADMIN,
      ingress: [
        {
          action: 'Accept',
          from: fromAll,
          protocols: [{ tcp: { destinationPort: { range: { start: 90, end: 80 } } } }],
        },
      ],
    }),
    field: 'spec.ingress[0].protocols[0].tcp.destinationPort.range',
    message:
      invalid('range-reversed') +
      'spec.ingress[0].protocols[0].tcp.destinationPort.range: Invalid value: Start port must be less than End port',
  },
  {
    what: 'a port range with start = end',
    object: cnp('range-single', {
      ...ADMIN,
      egress: [
        {
          action: 'Deny',
          to: fromAll,
          protocols: [{ udp: { destinationPort: { range: { start: 80, end: 80 } } } }],
        },
      ],
    }),
    field: 'spec.egress[0].protocols[0].udp.destinationPort.range',
    message:
      invalid('range-single') +
      'spec.egress[0].protocols[0].udp.destinationPort.range: Invalid value: Start port must be less than End port',
  },
  {
    what: '26 ingress rules',
    object: cnp('too-many-rules', {
      ...ADMIN,
      ingress: Array.from({ length: 26 }, () => ({ action: 'Deny', from: fromAll })),
    }),
    field: 'spec.ingress',
    message: invalid('too-many-rules') + celSkipped('spec.ingress: Too many: 26: must have at most 25 items'),
  },
  {
    what: 'a non-canonical CIDR (host bits set)',
    object: cnp('cidr-host-bits', {
      ...ADMIN,
      egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.1/8'] }] }],
    }),
    field: 'spec.egress[0].to[0].networks[0]',
    message:
      invalid('cidr-host-bits') +
      'spec.egress[0].to[0].networks[0]: Invalid value: "10.0.0.1/8": Invalid CIDR format provided',
  },
  {
    what: 'a bare IP in networks',
    object: cnp('cidr-bare-ip', { ...ADMIN, egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.1'] }] }] }),
    field: 'spec.egress[0].to[0].networks[0]',
    message:
      invalid('cidr-bare-ip') +
      'spec.egress[0].to[0].networks[0]: Invalid value: "10.0.0.1": Invalid CIDR format provided',
  },
  {
    what: 'priority 1001',
    object: cnp('priority-high', { ...ADMIN, priority: 1001 }),
    field: 'spec.priority',
    message:
      invalid('priority-high') +
      'spec.priority: Invalid value: 1001: spec.priority in body should be less than or equal to 1000',
  },
  {
    what: 'a tier other than Admin or Baseline',
    object: cnp('tier-np', { ...ADMIN, tier: 'NetworkPolicy' }),
    field: 'spec.tier',
    message:
      invalid('tier-np') +
      celSkipped('spec.tier: Unsupported value: "NetworkPolicy": supported values: "Admin", "Baseline"'),
  },
  {
    what: "the AdminNetworkPolicy action word 'Allow'",
    object: cnp('action-allow', { ...ADMIN, ingress: [{ action: 'Allow', from: fromAll }] }),
    field: 'spec.ingress[0].action',
    message:
      invalid('action-allow') +
      celSkipped(
        'spec.ingress[0].action: Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass"',
      ),
  },
  {
    what: 'a subject with both namespaces and pods',
    object: cnp('subject-two', {
      ...ADMIN,
      subject: { namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } },
    }),
    field: 'spec.subject',
    message: invalid('subject-two') + celSkipped('spec.subject: Too many: 2: must have at most 1 item'),
  },
  {
    what: 'a peer with no field',
    object: cnp('peer-empty', { ...ADMIN, ingress: [{ action: 'Deny', from: [{}] }] }),
    field: 'spec.ingress[0].from[0]',
    message:
      invalid('peer-empty') +
      'spec.ingress[0].from[0]: Invalid value: 0: spec.ingress[0].from[0] in body should have at least 1 properties',
  },
  {
    what: 'a rule without peers',
    object: cnp('from-none', { ...ADMIN, ingress: [{ action: 'Deny', from: [] }] }),
    field: 'spec.ingress[0].from',
    message:
      invalid('from-none') +
      'spec.ingress[0].from: Invalid value: 0: spec.ingress[0].from in body should have at least 1 items',
  },
  {
    what: 'port 0',
    object: cnp('port-zero', {
      ...ADMIN,
      ingress: [{ action: 'Deny', from: fromAll, protocols: [tcpPort(0)] }],
    }),
    field: 'spec.ingress[0].protocols[0].tcp.destinationPort.number',
    message:
      invalid('port-zero') +
      'spec.ingress[0].protocols[0].tcp.destinationPort.number: Invalid value: 0: spec.ingress[0].protocols[0].tcp.destinationPort.number in body should be greater than or equal to 1',
  },
  {
    what: 'a protocol without a port (tcp: {}), although the overview says all ports match',
    object: cnp('tcp-empty', {
      ...ADMIN,
      ingress: [{ action: 'Deny', from: fromAll, protocols: [{ tcp: {} }] }],
    }),
    field: 'spec.ingress[0].protocols[0].tcp',
    message:
      invalid('tcp-empty') +
      'spec.ingress[0].protocols[0].tcp: Invalid value: 0: spec.ingress[0].protocols[0].tcp in body should have at least 1 properties',
  },
  {
    what: 'a rule name of 101 characters',
    object: cnp('name-long', {
      ...ADMIN,
      ingress: [{ name: 'n'.repeat(101), action: 'Deny', from: fromAll }],
    }),
    field: 'spec.ingress[0].name',
    message:
      invalid('name-long') + celSkipped('spec.ingress[0].name: Too long: may not be more than 100 bytes'),
  },
];

// When the binaries or the module are missing (and not required), this is the one test the summary counts
// as skipped, with the reason; the suites below are skipped with it.
test('the module copies hold the CRD manifests the suites install', { skip }, () => {
  const crds = (dir: string): string[] => crdFiles(dir).map((f) => f.slice(dir.length + 1));
  const v030 = join(moduleDir(npapi), 'config', 'crd');
  assert.deepEqual(crds(join(v030, 'standard')), ['policy.networking.k8s.io_clusternetworkpolicies.yaml']);
  assert.deepEqual(crds(join(v030, 'experimental')), [
    'policy.networking.k8s.io_clusternetworkpolicies.yaml',
  ]);
  assert.deepEqual(crds(join(moduleDir(npapiV1alpha1), 'config', 'crd')), [
    'policy.networking.k8s.io_adminnetworkpolicies.yaml',
    'policy.networking.k8s.io_baselineadminnetworkpolicies.yaml',
  ]);
});

describe('ClusterNetworkPolicy, standard channel of v0.3.0', { skip }, () => {
  let installed: InstalledCrd[] = [];

  before(async () => {
    installed = await installCrds(server(), crdFiles(join(moduleDir(npapi), 'config', 'crd', 'standard')));
  });

  test('installs one CRD serving v1alpha2 and v1beta1 (stored as v1beta1)', async () => {
    assert.deepEqual(
      installed.map((c) => [c.name, c.kind, c.servedVersions]),
      [['clusternetworkpolicies.policy.networking.k8s.io', 'ClusterNetworkPolicy', ['v1alpha2', 'v1beta1']]],
    );
    const crd = await server().request(
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/clusternetworkpolicies.policy.networking.k8s.io',
    );
    assert.deepEqual((crd.json as { status?: { storedVersions?: unknown } }).status?.storedVersions, [
      'v1beta1',
    ]);
    const discovery = await server().request('GET', `${GROUP}/v1beta1`);
    assert.equal(discovery.status, 200, discovery.text);
    const resources = (
      discovery.json as { resources: { name: string; namespaced: boolean; shortNames?: string[] }[] }
    ).resources;
    const main = resources.find((r) => r.name === 'clusternetworkpolicies');
    assert.deepEqual(main && { namespaced: main.namespaced, shortNames: main.shortNames }, {
      namespaced: false,
      shortNames: ['cnp'],
    });
  });

  test('stores a valid v1beta1 policy and serves it as v1alpha2 too', async () => {
    assert.deepEqual(netfenceErrorFields(cnp('valid-beta', validSpec)), []);
    const created = await server().request('POST', CNP('v1beta1'), { body: cnp('valid-beta', validSpec) });
    assert.equal(created.status, 201, created.text);
    const asAlpha = await server().request('GET', `${CNP('v1alpha2')}/valid-beta`);
    assert.equal(asAlpha.status, 200, asAlpha.text);
    const alpha = asAlpha.json as { apiVersion: string; spec: unknown };
    assert.equal(alpha.apiVersion, 'policy.networking.k8s.io/v1alpha2');
    assert.deepEqual(alpha.spec, validSpec);
  });

  test('stores a valid v1alpha2 policy', async () => {
    const spec = { ...validSpec, tier: 'Baseline', priority: 1000 };
    assert.deepEqual(netfenceErrorFields(cnp('valid-alpha', spec, 'v1alpha2')), []);
    const created = await server().request('POST', CNP('v1alpha2'), {
      body: cnp('valid-alpha', spec, 'v1alpha2'),
    });
    assert.equal(created.status, 201, created.text);
    const list = await server().request('GET', CNP('v1beta1'));
    const names = (list.json as { items: { metadata: { name: string } }[] }).items.map(
      (i) => i.metadata.name,
    );
    assert.deepEqual(names.sort(), ['valid-alpha', 'valid-beta']);
  });

  test('accepts what no schema rule forbids: Pass in the Baseline tier, equal priorities', async () => {
    const baselinePass = cnp('baseline-pass', {
      tier: 'Baseline',
      priority: 10,
      subject: { namespaces: {} },
      egress: [{ action: 'Pass', to: fromAll }],
    });
    await assertAccepted(CNP('v1beta1'), baselinePass);
    const samePriority = cnp('same-priority-as-valid-beta', { ...validSpec });
    await assertAccepted(CNP('v1beta1'), samePriority);
  });

  test('rejects experimental fields: unknown under strict validation, else pruned to an empty peer', async () => {
    const res = await tryCreate(
      CNP('v1beta1'),
      cnp('domain-standard', {
        ...ADMIN,
        egress: [{ action: 'Accept', to: [{ domainNames: ['example.com'] }] }],
      }),
    );
    assert.equal(res.status, 400, res.text);
    assert.equal(
      res.json.message,
      'ClusterNetworkPolicy in version "v1beta1" cannot be handled as a ClusterNetworkPolicy: ' +
        'strict decoding error: unknown field "spec.egress[0].to[0].domainNames"',
    );
    // netfence cannot know a cluster's channel: it validates against the experimental schema, a superset.
    assert.deepEqual(
      netfenceErrorFields(
        cnp('domain-standard', {
          ...ADMIN,
          egress: [{ action: 'Accept', to: [{ domainNames: ['example.com'] }] }],
        }),
      ),
      [],
    );
    // Without strict validation the unknown field is pruned first, and what is left is validated.
    const pruned = await server().request('POST', `${CNP('v1beta1')}?dryRun=All`, {
      body: cnp('domain-standard', {
        ...ADMIN,
        egress: [{ action: 'Accept', to: [{ domainNames: ['example.com'] }] }],
      }),
    });
    assert.equal(pruned.status, 422, pruned.text);
    assert.equal(
      (pruned.json as { message?: unknown }).message,
      invalid('domain-standard') +
        'spec.egress[0].to[0]: Invalid value: 0: spec.egress[0].to[0] in body should have at least 1 properties',
    );
  });

  for (const version of ['v1beta1', 'v1alpha2']) {
    test(`rejects invalid ${version} objects, naming the field`, async () => {
      await assertRejected(
        CNP(version),
        cnpRejections.map((r) => ({
          ...r,
          object: { ...r.object, apiVersion: `policy.networking.k8s.io/${version}` },
        })),
      );
    });
  }
});

describe(
  'ClusterNetworkPolicy, experimental channel of v0.3.0 (replacing the standard one)',
  { skip },
  () => {
    const domainAccept = (name: string): Obj =>
      cnp(name, {
        ...ADMIN,
        egress: [{ action: 'Accept', to: [{ domainNames: ['example.com', '*.example.org'] }] }],
      });

    before(async () => {
      await installCrds(server(), crdFiles(join(moduleDir(npapi), 'config', 'crd', 'experimental')));
      // The CRD was Established already: wait until the new schema is the one that validates.
      await server().until(
        () => tryCreate(CNP('v1beta1'), domainAccept('probe')),
        (res) => res.status === 201,
        (res) => `experimental schema not in force: ${res.text}`,
      );
    });

    test('keeps the policies stored under the standard schema', async () => {
      const list = await server().request('GET', CNP('v1beta1'));
      const names = (list.json as { items: { metadata: { name: string } }[] }).items.map(
        (i) => i.metadata.name,
      );
      assert.deepEqual(names.sort(), ['valid-alpha', 'valid-beta']);
    });

    test('stores domainNames, nodes and destinationNamedPort peers and ports', async () => {
      const spec = {
        ...ADMIN,
        egress: [
          { action: 'Accept', to: [{ domainNames: ['example.com', '*.example.org'] }] },
          {
            action: 'Accept',
            to: [{ nodes: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } } }],
          },
          {
            action: 'Accept',
            to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }],
            protocols: [{ destinationNamedPort: 'postgres' }],
          },
        ],
      };
      assert.deepEqual(netfenceErrorFields(cnp('experimental-peers', spec)), []);
      const created = await server().request('POST', CNP('v1beta1'), {
        body: cnp('experimental-peers', spec),
      });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual((created.json as { spec: unknown }).spec, spec);
    });

    test('accepts what no schema rule forbids: domainNames in a Deny rule', async () => {
      const deny = cnp('domain-deny', {
        ...ADMIN,
        egress: [{ action: 'Deny', to: [{ domainNames: ['example.com'] }] }],
      });
      // netfence warns (the API supports domainNames only in Accept rules), but accepts it as the API server does.
      await assertAccepted(CNP('v1beta1'), deny);
    });

    test('rejects invalid experimental objects, naming the field (v1beta1 and v1alpha2)', async () => {
      const namedPortTo = (peer: Obj): Obj[] => [
        { action: 'Accept', to: [peer], protocols: [{ destinationNamedPort: 'http' }] },
      ];
      const ruleMessage =
        'Invalid value: networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames';
      const pattern = (field: string, value: string): string =>
        `${field}: Invalid value: "${value}": ${field} in body should match ` +
        "'^(\\*\\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.?$'";
      const domain0 = 'spec.egress[0].to[0].domainNames[0]';
      const badDomain = (what: string, name: string, domain: string): Rejection => ({
        what,
        object: cnp(name, { ...ADMIN, egress: [{ action: 'Accept', to: [{ domainNames: [domain] }] }] }),
        field: domain0,
        message: invalid(name) + pattern(domain0, domain),
      });
      const rejections: Rejection[] = [
        {
          what: 'networks with a named port',
          object: cnp('named-networks', { ...ADMIN, egress: namedPortTo({ networks: ['10.0.0.0/8'] }) }),
          field: 'spec.egress[0]',
          message: invalid('named-networks') + `spec.egress[0]: ${ruleMessage}`,
        },
        {
          what: 'nodes with a named port',
          object: cnp('named-nodes', { ...ADMIN, egress: namedPortTo({ nodes: {} }) }),
          field: 'spec.egress[0]',
          message: invalid('named-nodes') + `spec.egress[0]: ${ruleMessage}`,
        },
        {
          what: 'domainNames with a named port',
          object: cnp('named-domains', { ...ADMIN, egress: namedPortTo({ domainNames: ['example.com'] }) }),
          field: 'spec.egress[0]',
          message: invalid('named-domains') + `spec.egress[0]: ${ruleMessage}`,
        },
        badDomain('a partial wildcard domain name', 'domain-partial', '*foo.example.com'),
        badDomain('a domain name with a wildcard inside', 'domain-inner', 'www.*.example.com'),
        badDomain('a single-label domain name', 'domain-single', 'localhost'),
        {
          what: '26 domain names',
          object: cnp('domain-many', {
            ...ADMIN,
            egress: [
              {
                action: 'Accept',
                to: [{ domainNames: Array.from({ length: 26 }, (_, i) => `d${i}.example.com`) }],
              },
            ],
          }),
          field: 'spec.egress[0].to[0].domainNames',
          message:
            invalid('domain-many') +
            celSkipped('spec.egress[0].to[0].domainNames: Too many: 26: must have at most 25 items'),
        },
        {
          what: 'a duplicate domain name (listType=set)',
          object: cnp('domain-dup', {
            ...ADMIN,
            egress: [{ action: 'Accept', to: [{ domainNames: ['a.example.com', 'a.example.com'] }] }],
          }),
          field: 'spec.egress[0].to[0].domainNames[1]',
          message:
            invalid('domain-dup') + 'spec.egress[0].to[0].domainNames[1]: Duplicate value: "a.example.com"',
        },
      ];
      for (const version of ['v1beta1', 'v1alpha2']) {
        await assertRejected(
          CNP(version),
          rejections.map((r) => ({
            ...r,
            object: { ...r.object, apiVersion: `policy.networking.k8s.io/${version}` },
          })),
        );
      }
    });
  },
);

describe(
  'AdminNetworkPolicy and BaselineAdminNetworkPolicy v1alpha1 (CRDs of v0.1.1; v0.3.0 ships none)',
  { skip },
  () => {
    const ANP = `${GROUP}/v1alpha1/adminnetworkpolicies`;
    const BANP = `${GROUP}/v1alpha1/baselineadminnetworkpolicies`;
    const anp = (name: string, spec: Obj): Obj => ({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name },
      spec,
    });
    const banp = (name: string, spec: Obj): Obj => ({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name },
      spec,
    });
    const subject = { namespaces: { matchLabels: { team: 'shop' } } };
    const anyNamespace = [{ namespaces: { namespaceSelector: {} } }];
    const rules = {
      ingress: [
        {
          name: 'monitoring',
          action: 'Allow',
          from: [
            {
              namespaces: {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              },
            },
          ],
          ports: [{ portNumber: { protocol: 'TCP', port: 9090 } }, { namedPort: 'metrics' }],
        },
        { action: 'Deny', from: [{ pods: { namespaces: { sameLabels: ['tenant'] }, podSelector: {} } }] },
      ],
      egress: [
        {
          action: 'Deny',
          to: anyNamespace,
          ports: [{ portRange: { protocol: 'UDP', start: 1000, end: 2000 } }],
        },
      ],
    };
    let installed: InstalledCrd[] = [];

    before(async () => {
      installed = await installCrds(server(), crdFiles(join(moduleDir(npapiV1alpha1), 'config', 'crd')));
    });

    test('installs two CRDs serving v1alpha1', () => {
      assert.deepEqual(
        installed.map((c) => [c.name, c.kind, c.servedVersions]),
        [
          ['adminnetworkpolicies.policy.networking.k8s.io', 'AdminNetworkPolicy', ['v1alpha1']],
          [
            'baselineadminnetworkpolicies.policy.networking.k8s.io',
            'BaselineAdminNetworkPolicy',
            ['v1alpha1'],
          ],
        ],
      );
    });

    test('stores a valid AdminNetworkPolicy (Allow, Deny, Pass) and the BaselineAdminNetworkPolicy "default"', async () => {
      const spec = {
        priority: 5,
        subject,
        ...rules,
        egress: [...rules.egress, { action: 'Pass', to: anyNamespace }],
      };
      const a = await server().request('POST', ANP, { body: anp('valid-anp', spec) });
      assert.equal(a.status, 201, a.text);
      assert.deepEqual((a.json as { spec: unknown }).spec, spec);
      const b = await server().request('POST', BANP, { body: banp('default', { subject, ...rules }) });
      assert.equal(b.status, 201, b.text);
      // The one difference: the v0.1.x sameLabels peer, which netfence reports as unsupported (the
      // namespaceSelector form of the same schema is read, with a warning).
      const sameLabels = 'spec.ingress[1].from[0].pods.namespaces.sameLabels';
      assert.deepEqual(netfenceErrorFields(anp('valid-anp', spec)), [sameLabels]);
      assert.deepEqual(netfenceErrorFields(banp('default', { subject, ...rules })), [sameLabels]);
      const withoutSameLabels = { ...rules, ingress: rules.ingress.slice(0, 1) };
      await assertAccepted(ANP, anp('anp-v03-form', { priority: 6, subject, ...withoutSameLabels }));
      // ("default" exists now: the API server's answer would be a conflict, so netfence's alone.)
      assert.deepEqual(netfenceErrorFields(banp('default', { subject, ...withoutSameLabels })), []);
    });

    test('accepts what this old schema does not check: any action word, a reversed port range', async () => {
      const accept = anp('action-accept', {
        priority: 1,
        subject,
        ingress: [{ action: 'Accept', from: anyNamespace }],
      });
      assert.equal((await tryCreate(ANP, accept)).status, 201);
      // netfence reads the v0.3.0 schema: Accept is not an AdminNetworkPolicy action.
      assert.deepEqual(netfenceErrorFields(accept), ['spec.ingress[0].action']);
      const reversed = anp('range-reversed', {
        priority: 1,
        subject,
        egress: [
          {
            action: 'Deny',
            to: anyNamespace,
            ports: [{ portRange: { protocol: 'TCP', start: 90, end: 80 } }],
          },
        ],
      });
      assert.equal((await tryCreate(ANP, reversed)).status, 201);
      // netfence checks what the API's comment says: start < end.
      assert.deepEqual(netfenceErrorFields(reversed), ['spec.egress[0].ports[0].portRange']);
    });

    test('rejects invalid objects, naming the field', async () => {
      await assertRejected(BANP, [
        {
          what: 'a BaselineAdminNetworkPolicy not named default',
          object: banp('other', { subject }),
          field: '<nil>',
          netfenceField: 'metadata.name',
          message:
            'BaselineAdminNetworkPolicy.policy.networking.k8s.io "other" is invalid: <nil>: Invalid value: ' +
            'Only one baseline admin network policy with metadata.name="default" can be created in the cluster',
        },
      ]);
      await assertRejected(ANP, [
        {
          what: 'priority 1001',
          object: anp('priority-high', { priority: 1001, subject }),
          field: 'spec.priority',
          message:
            'AdminNetworkPolicy.policy.networking.k8s.io "priority-high" is invalid: ' +
            'spec.priority: Invalid value: 1001: spec.priority in body should be less than or equal to 1000',
        },
        {
          what: 'a port with two forms',
          object: anp('port-two', {
            priority: 1,
            subject,
            ingress: [
              {
                action: 'Deny',
                from: anyNamespace,
                ports: [{ namedPort: 'http', portNumber: { protocol: 'TCP', port: 80 } }],
              },
            ],
          }),
          field: 'spec.ingress[0].ports[0]',
          message:
            'AdminNetworkPolicy.policy.networking.k8s.io "port-two" is invalid: ' +
            'spec.ingress[0].ports[0]: Too many: 2: must have at most 1 item',
        },
        {
          what: 'a namespaces peer with two selectors',
          object: anp('peer-two', {
            priority: 1,
            subject,
            ingress: [
              { action: 'Deny', from: [{ namespaces: { namespaceSelector: {}, sameLabels: ['a'] } }] },
            ],
          }),
          field: 'spec.ingress[0].from[0].namespaces',
          message:
            'AdminNetworkPolicy.policy.networking.k8s.io "peer-two" is invalid: ' +
            'spec.ingress[0].from[0].namespaces: Too many: 2: must have at most 1 item',
        },
      ]);
    });

    test('analyze --cluster reads every stored kind and the Nodes, and leaves out what netfence cannot read', async () => {
      const node = await server().request('POST', '/api/v1/nodes', {
        body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { zone: 'a' } } },
      });
      assert.equal(node.status, 201, node.text);
      const status = await server().request('PATCH', '/api/v1/nodes/node-1/status', {
        body: {
          status: {
            addresses: [
              { type: 'InternalIP', address: '10.0.0.11' },
              { type: 'Hostname', address: 'node-1' },
            ],
          },
        },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(status.status, 200, status.text);
      const conn = connect({ kubeconfig: server().adminKubeconfig, env: {} });
      const read = await readCluster(conn, { scope: { kind: 'namespace', namespace: 'default' } });
      assert.deepEqual(read.warnings, []);
      const built = stateFromObjects(read.objects);
      assert.deepEqual(built.state.clusterPolicies.map((p) => `${p.apiVersion} ${p.id} ${p.tier}`).sort(), [
        'policy.networking.k8s.io/v1beta1 ClusterNetworkPolicy/experimental-peers admin',
        'policy.networking.k8s.io/v1beta1 ClusterNetworkPolicy/valid-alpha baseline',
        'policy.networking.k8s.io/v1beta1 ClusterNetworkPolicy/valid-beta admin',
      ]);
      // The v0.1.x sameLabels peer: left out, and said so.
      assert.deepEqual(
        built.skipped.map((s) => `${s.id}: ${s.why.slice(0, s.why.indexOf(':'))}`),
        [
          'AdminNetworkPolicy/valid-anp: spec.ingress[1].from[0].pods.namespaces.sameLabels',
          'BaselineAdminNetworkPolicy/default: spec.ingress[1].from[0].pods.namespaces.sameLabels',
        ],
      );
      assert.deepEqual(built.state.nodes, [
        { name: 'node-1', labels: { zone: 'a' }, addresses: ['10.0.0.11'] },
      ]);
    });
  },
);
