/**
 * `generate --format cilium`: the translation of generated policies into CiliumNetworkPolicies (selectors as
 * Cilium scopes them, one kind of peer per rule, toFQDNs from Hubble's DNS observations, the DNS proxy rule),
 * the engine's check of the Cilium form (and that it fails on a broken translation), the golden YAML of the
 * bundled example, and the CLI's refusals.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { before, describe, test } from 'node:test';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { compileSelector, selectorMatches } from '../../src/engine/selectors.ts';
import { readFlows, type FlowEnd, type ObservedConnection } from '../../src/flows/index.ts';
import {
  endpointSelectorOf,
  entityAddresses,
  namedAddresses,
  toCiliumPolicies,
  toCiliumPolicy,
  type GeneratedCiliumPolicy,
} from '../../src/generate/cilium.ts';
import { HubbleNames, dnsNamesOfHubble, reservedEntitiesOfHubble } from '../../src/generate/dns-names.ts';
import { verifyCiliumGeneration } from '../../src/generate/verify-cilium.ts';
import { checkObserved } from '../../src/flows/check.ts';
import { openSession } from '../../src/engine/session.ts';
import {
  DEFAULT_GENERATE_OPTIONS,
  generatePolicies,
  type GeneratedPolicy,
  type Generation,
} from '../../src/generate/index.ts';
import { ciliumIdentityLabels, ciliumPolicyInfo, type CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumPolicyObject, CiliumRule } from '../../src/model/cilium-wire.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { assertGolden, runCli } from '../support/cli.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import { formatProblem } from '../../src/model/problem.ts';
import { EXAMPLES, loadState } from '../flows/support.ts';

const HUBBLE = join(EXAMPLES, 'flows/webshop-hubble.jsonl');

describe('dnsNamesOfHubble', () => {
  test('reads destination_names of flows and the answers of DNS records, lowercase without the final dot', () => {
    const names = dnsNamesOfHubble([
      [
        JSON.stringify({
          flow: { IP: { destination: '203.0.113.10' }, destination_names: ['API.Pay.example.'] },
        }),
        JSON.stringify({ l7: { dns: { query: 'cdn.pay.example.', ips: ['203.0.113.10', '2001:db8::1'] } } }),
        'not json',
        JSON.stringify({ flow: { IP: { destination: '198.51.100.1' } } }),
      ].join('\n'),
    ]);
    assert.deepEqual(Object.fromEntries(names), {
      '203.0.113.10': ['api.pay.example', 'cdn.pay.example'],
      '2001:db8::1': ['cdn.pay.example'],
    });
  });
});

describe('reservedEntitiesOfHubble', () => {
  test('the addresses Hubble labels reserved:kube-apiserver, reserved:host or reserved:remote-node, as entities', () => {
    const flow = (src: string, srcLabels: string[], dst: string, dstLabels: string[]) =>
      JSON.stringify({
        flow: {
          IP: { source: src, destination: dst },
          source: { labels: srcLabels },
          destination: { labels: dstLabels },
        },
      });
    const entities = reservedEntitiesOfHubble([
      [
        flow('10.244.1.10', ['k8s:app=web'], '10.0.0.10', ['reserved:kube-apiserver', 'reserved:host']),
        flow('10.244.1.10', ['k8s:app=web'], '10.0.1.11', ['reserved:remote-node']),
        flow('10.0.1.11', ['reserved:host'], '10.244.1.10', ['k8s:app=web']),
        flow('10.244.1.10', ['k8s:app=web'], '8.8.8.8', ['reserved:world']),
        'not json',
      ].join('\n'),
    ]);
    assert.deepEqual(Object.fromEntries(entities), {
      '10.0.0.10': ['kube-apiserver'],
      '10.0.1.11': ['host', 'remote-node'],
    });
  });
});

describe('HubbleNames: a capture read in pieces', () => {
  test('pieces cut anywhere, even inside a line or a character, give the names and entities of the whole', () => {
    const text = `${readFileSync(HUBBLE, 'utf8')}{"flow":{"IP":{"destination":"192.0.2.7"},"destination_names":["Ünïcode.example."]}}`;
    const whole = new HubbleNames();
    whole.text(text);
    whole.end();
    const names = Object.fromEntries(whole.names());
    assert.deepEqual(names['192.0.2.7'], ['ünïcode.example']);
    assert.ok(Object.keys(names).length >= 4, JSON.stringify(names));
    assert.ok(whole.entities().size > 0);
    const bytes = Buffer.from(text);
    for (const size of [1, 7, 64, 4096]) {
      const cut = new HubbleNames();
      const decoder = new TextDecoder();
      for (let i = 0; i < bytes.length; i += size)
        cut.text(decoder.decode(bytes.subarray(i, i + size), { stream: true }));
      cut.text(decoder.decode());
      cut.end();
      assert.deepEqual(Object.fromEntries(cut.names()), names, `pieces of ${size} bytes`);
      assert.deepEqual(Object.fromEntries(cut.entities()), Object.fromEntries(whole.entities()));
    }
  });

  test('the last line needs no newline; lines that are not Hubble JSON are skipped', () => {
    const names = new HubbleNames();
    names.text(
      'time,src\n{not json "destination_names"}\n{"IP":{"destination":"192.0.2.8"},"destination_names":["a.example"]}',
    );
    names.end();
    assert.deepEqual(Object.fromEntries(names.names()), { '192.0.2.8': ['a.example'] });
  });
});

describe('generate --format cilium: DNS names from every kind of flow input', () => {
  const args = ['generate', '--format', 'cilium', join(EXAMPLES, 'webshop')];
  const named = /toFQDNs for 3 outside addresses seen under DNS names/;
  let fromFile: { stdout: string; stderr: string };
  before(async () => {
    fromFile = await runCli([...args, '--flows', HUBBLE]);
    assert.match(fromFile.stderr, named);
    assert.match(fromFile.stdout, /toFQDNs:/);
  });

  test('standard input (hubble observe -o json | netfence generate …): the same policies as from the file', async () => {
    const r = await runCli([...args, '--flows', '-'], { stdin: readFileSync(HUBBLE, 'utf8') });
    assert.equal(r.stdout, fromFile.stdout);
    assert.equal(r.stderr, fromFile.stderr);
  });

  test('standard input as a stream, in a real process', () => {
    const r = spawnSync(
      process.execPath,
      [join(import.meta.dirname, '../../bin/netfence'), ...args, '--flows', '-'],
      {
        input: readFileSync(HUBBLE),
        encoding: 'utf8',
        env: { ...process.env, NETFENCE_NO_CACHE: '1' },
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, fromFile.stdout);
    assert.match(r.stderr, named);
  });

  test('a gzip capture: the same policies as from the plain file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-gen-gz-'));
    try {
      const gz = join(dir, 'webshop-hubble.jsonl.gz');
      writeFileSync(gz, gzipSync(readFileSync(HUBBLE)));
      const r = await runCli([...args, '--flows', gz]);
      assert.equal(r.stdout, fromFile.stdout);
      assert.match(r.stderr, named);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('endpointSelectorOf', () => {
  test('the namespace of a peer as Cilium keys it', () => {
    assert.deepEqual(
      endpointSelectorOf({
        podSelector: { matchLabels: { app: 'db' } },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } },
      }),
      { matchLabels: { app: 'db', 'k8s:io.kubernetes.pod.namespace': 'data' } },
    );
    // Other namespace labels are identity labels under io.cilium.k8s.namespace.labels.
    assert.deepEqual(endpointSelectorOf({ namespaceSelector: { matchLabels: { team: 'a' } } }), {
      matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'a' },
    });
    // Every namespace: without a namespace key Cilium would scope the selector to the policy's namespace.
    assert.deepEqual(endpointSelectorOf({ namespaceSelector: {} }), {
      matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }],
    });
    // No namespaceSelector: the policy's own namespace, which Cilium adds itself.
    assert.deepEqual(endpointSelectorOf({ podSelector: { matchLabels: { app: 'web' } } }), {
      matchLabels: { app: 'web' },
    });
  });
});

function egressPolicy(rules: GeneratedPolicy['rules']): GeneratedPolicy {
  return {
    namespace: 'shop',
    name: 'web-egress',
    kind: 'egress',
    workload: 'shop/Deployment/web',
    matchLabels: { app: 'web' },
    rules,
    note: {
      kind: 'workload',
      direction: 'egress',
      mode: 'fresh',
      namespace: 'shop',
      name: 'web',
      workloadKind: 'Deployment',
      sharedWith: undefined,
    },
  };
}

const dnsRule = {
  peers: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
  notes: [],
  observed: [],
  dns: true,
};
const mixedRule = {
  peers: [
    { podSelector: { matchLabels: { app: 'api' } } },
    { ipBlock: { cidr: '203.0.113.10/32' } },
    { ipBlock: { cidr: '198.51.100.0/24' } },
  ],
  ports: [{ protocol: 'TCP', port: 443 }],
  notes: [],
  observed: [],
  dns: false,
};
const names = new Map([
  ['203.0.113.10', ['api.pay.example']],
  ['198.51.100.0', ['never.example']],
]);

describe('toCiliumPolicy', () => {
  test('one Cilium rule per kind of peer, with the same ports; names only for single addresses', () => {
    const p = toCiliumPolicy(egressPolicy([mixedRule, dnsRule]), names);
    assert.deepEqual(p.object.spec?.egress, [
      {
        toEndpoints: [{ matchLabels: { app: 'api' } }],
        toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
      },
      { toCIDRSet: [{ cidr: '198.51.100.0/24' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      {
        toFQDNs: [{ matchName: 'api.pay.example' }],
        toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
      },
      {
        toEndpoints: [
          { matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } },
        ],
        // The DNS proxy must see the lookups for toFQDNs to learn the names' addresses.
        toPorts: [
          {
            ports: [
              { port: '53', protocol: 'UDP' },
              { port: '53', protocol: 'TCP' },
            ],
            rules: { dns: [{ matchPattern: '*' }] },
          },
        ],
      },
    ]);
    assert.deepEqual(namedAddresses([p]), [{ ip: '203.0.113.10', names: ['api.pay.example'] }]);
  });

  test('without a DNS rule the addresses stay: a name the DNS proxy never sees would allow nothing', () => {
    const p = toCiliumPolicy(egressPolicy([mixedRule]), names);
    assert.deepEqual(
      p.object.spec?.egress?.map((r) => Object.keys(r)[0]),
      ['toEndpoints', 'toCIDRSet'],
    );
    assert.deepEqual(p.object.spec?.egress?.[1]?.toCIDRSet, [
      { cidr: '203.0.113.10/32' },
      { cidr: '198.51.100.0/24' },
    ]);
  });

  test('an address Hubble labelled as the API server or a node is toEntities (CIDR rules never match them)', () => {
    const rule = {
      ...mixedRule,
      peers: [{ ipBlock: { cidr: '10.0.0.10/32' } }, { ipBlock: { cidr: '198.51.100.0/24' } }],
    };
    const entities = new Map([['10.0.0.10', ['kube-apiserver']]]);
    const p = toCiliumPolicy(egressPolicy([rule]), new Map(), entities);
    assert.deepEqual(p.object.spec?.egress, [
      { toCIDRSet: [{ cidr: '198.51.100.0/24' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    assert.deepEqual(entityAddresses([p]), [{ ip: '10.0.0.10', entities: ['kube-apiserver'] }]);
  });

  test('without names, no L7 rule on DNS', () => {
    const p = toCiliumPolicy(egressPolicy([mixedRule, dnsRule]), new Map());
    assert.equal(p.object.spec?.egress?.[2]?.toPorts?.[0]?.rules, undefined);
  });

  test('default deny: every pod, an empty rule in each direction', () => {
    const p = toCiliumPolicy(
      {
        namespace: 'shop',
        name: 'default-deny',
        kind: 'default-deny',
        matchLabels: {},
        rules: [],
        note: { kind: 'default-deny', namespace: 'shop' },
      },
      new Map(),
    );
    assert.deepEqual(p.object.spec, { endpointSelector: {}, ingress: [{}], egress: [{}] });
    const info = ciliumPolicyInfo(p.object);
    assert.deepEqual(info.specs[0]?.defaultDeny, { ingress: true, egress: true });
    assert.deepEqual(
      info.specs[0]?.ingress.map((r) => r.peers),
      [[]],
    );
  });
});

describe('the bundled example as CiliumNetworkPolicies', () => {
  let state: ClusterState;
  let observed: ObservedConnection[];
  let policies: CiliumPolicyInfo[];
  let generated: GeneratedPolicy[];
  before(async () => {
    state = await loadState(join(EXAMPLES, 'webshop'));
    observed = (await readFlows([HUBBLE], state)).connections;
    generated = generatePolicies(state, observed, DEFAULT_GENERATE_OPTIONS).policies;
    const dns = dnsNamesOfHubble([readFileSync(HUBBLE, 'utf8')]);
    const entities = reservedEntitiesOfHubble([readFileSync(HUBBLE, 'utf8')]);
    policies = toCiliumPolicies(generated, dns, entities).map((p) => ciliumPolicyInfo(p.object));
  });

  const identities = (): { workload: string; labels: Record<string, string> }[] => {
    const nsLabels = new Map(state.namespaces.map((n) => [n.name, n.labels]));
    return state.pods
      .filter((p) => !p.hostNetwork)
      .map((p) => ({
        workload: p.workload,
        labels: ciliumIdentityLabels(p.labels, p.namespace, nsLabels.get(p.namespace) ?? {}),
      }));
  };

  test('every policy selects, as Cilium scopes it, the pods its NetworkPolicy form selects', () => {
    const pods = identities();
    for (const [i, info] of policies.entries()) {
      const g = generated[i]!;
      const subject = info.specs[0]!.subject;
      assert.equal(subject.kind, 'endpoints');
      const selector = compileSelector(subject.selector);
      const selected = new Set(
        pods.filter((p) => selectorMatches(selector, p.labels)).map((p) => p.workload),
      );
      if (g.workload !== undefined) assert.ok(selected.has(g.workload), `${info.id} selects ${g.workload}`);
      for (const w of selected)
        assert.ok(w.startsWith(`${g.namespace}/`), `${info.id} stays in ${g.namespace}`);
    }
  });

  test('every observed connection between pods has a Cilium endpoint peer that selects the other end', () => {
    const pods = identities();
    const labelsOf = new Map(pods.map((p) => [p.workload, p.labels]));
    let checked = 0;
    for (const [i, info] of policies.entries()) {
      const g = generated[i]!;
      if (g.kind === 'default-deny') continue;
      const rules = g.kind === 'ingress' ? info.specs[0]!.ingress : info.specs[0]!.egress;
      for (const c of g.rules.flatMap((r) => r.observed)) {
        const other = g.kind === 'ingress' ? c.src : c.dst;
        if (other.kind !== 'workload') continue;
        const labels = labelsOf.get(other.id);
        if (labels === undefined) continue; // host network: selectors never match it
        const matched = rules.some((r) =>
          r.peers.some((p) => p.kind === 'endpoints' && selectorMatches(compileSelector(p.selector), labels)),
        );
        assert.ok(matched, `${info.id}: a peer selects ${other.id}`);
        checked++;
      }
    }
    assert.ok(checked > 40, `checked ${checked} connections`);
  });

  test('the outside hosts Hubble saw under names are toFQDNs, with the DNS proxy rule beside them', () => {
    const fqdn = policies.filter((p) =>
      p.specs[0]!.egress.some((r) => r.peers.some((x) => x.kind === 'fqdn')),
    );
    assert.deepEqual(
      fqdn.map((p) => p.id),
      [
        'CiliumNetworkPolicy/payments/fraud-check-egress',
        'CiliumNetworkPolicy/payments/payment-gateway-egress',
      ],
    );
    for (const p of fqdn)
      assert.ok(
        p.specs[0]!.egress.some((r) => (r.ports ?? []).some((x) => x.l7 === 'dns')),
        `${p.id}: DNS proxy`,
      );
  });
});

/** `netfence generate` of the bundled example with `--format cilium`. */
const WEBSHOP_CILIUM = [
  'generate',
  'examples/webshop',
  '--flows',
  'examples/flows/webshop-hubble.jsonl',
  '--format',
  'cilium',
];

describe('verifyCiliumGeneration: the engine checks the Cilium form', () => {
  let state: ClusterState;
  let gen: Generation;
  let policies: GeneratedCiliumPolicy[];
  before(async () => {
    state = await loadState(join(EXAMPLES, 'webshop'));
    const observed = (await readFlows([HUBBLE], state)).connections;
    gen = generatePolicies(state, observed, DEFAULT_GENERATE_OPTIONS);
    const text = readFileSync(HUBBLE, 'utf8');
    policies = toCiliumPolicies(gen.policies, dnsNamesOfHubble([text]), reservedEntitiesOfHubble([text]));
  });

  /** The policies with one of them changed. */
  const edited = (name: string, edit: (spec: CiliumRule) => CiliumRule): GeneratedCiliumPolicy[] =>
    policies.map((p) =>
      p.object.metadata.name === name
        ? { ...p, object: { ...p.object, spec: edit(p.object.spec ?? {}) } }
        : p,
    );

  test('the bundled example: the same connections, the named addresses reached by name', () => {
    const v = verifyCiliumGeneration(state, gen, policies);
    assert.deepEqual(v.mismatched, []);
    assert.deepEqual(v.unnamed, []);
    assert.equal(v.named, 3);
    assert.deepEqual(v.entityMissing, []);
    // The API server (3 connections) and node-exporter at two nodes (2), written as entities.
    assert.equal(v.byEntity, 4);
    assert.ok(v.ok);
  });

  test('check-flows credits toFQDNs by the names and toEntities by the reserved labels Hubble saw: the generated policies pass their own replay', () => {
    const replaced = new Set(gen.replaced.map((p) => p.id));
    const session = openSession({
      ...state,
      policies: state.policies.filter((p) => !replaced.has(p.id)),
      ciliumPolicies: policies.map((p) => ciliumPolicyInfo(p.object)),
    });
    const outside = (list: readonly ObservedConnection[]) =>
      list
        .map((c) => (c.dst.kind === 'external' ? c.dst.ip : ''))
        .filter((ip) => ip.startsWith('198.51.') || ip.startsWith('203.0.'))
        .sort();
    const named = ['198.51.100.40', '203.0.113.10', '203.0.113.11'];
    const without = checkObserved(session, gen.observed);
    assert.deepEqual(outside(without.denied.map((d) => d.connection)), named);
    const withNames = checkObserved(session, gen.observed, {
      names: dnsNamesOfHubble([readFileSync(HUBBLE, 'utf8')]),
    });
    assert.deepEqual(outside(withNames.denied.map((d) => d.connection)), []);
    assert.deepEqual(outside(withNames.allowedByName ?? []), named);
    // The API server and the nodes: allowed by the entities Hubble labelled them with; then nothing is denied.
    const text = readFileSync(HUBBLE, 'utf8');
    const both = checkObserved(session, gen.observed, {
      names: dnsNamesOfHubble([text]),
      entities: reservedEntitiesOfHubble([text]),
    });
    assert.deepEqual(
      both.denied.map((d) => d.connection),
      [],
    );
    assert.deepEqual(
      (both.allowedByEntity ?? []).map((c) => (c.dst.kind === 'external' ? c.dst.ip : '')).sort(),
      ['10.0.0.10', '10.0.0.10', '10.0.1.11', '10.0.1.12'],
    );
  });

  test('the API server is allowed by entity, not by CIDR; losing the entity rule fails the check', () => {
    const controller = policies.find((p) => p.object.metadata.name === 'ingress-nginx-controller-egress');
    const egress = controller?.object.spec?.egress ?? [];
    assert.ok(egress.some((r) => r.toEntities?.includes('kube-apiserver')));
    assert.ok(!egress.some((r) => r.toCIDRSet?.some((c) => c.cidr === '10.0.0.10/32')));
    const v = verifyCiliumGeneration(
      state,
      gen,
      edited('ingress-nginx-controller-egress', (spec) => ({
        ...spec,
        egress: spec.egress?.filter((r) => r.toEntities === undefined) ?? [],
      })),
    );
    assert.ok(!v.ok);
    assert.ok(v.entityMissing.length > 0);
  });

  test('a rule lost in translation is a mismatch', () => {
    // postgres accepts its clients on 5432 only through ingress[0].
    const v = verifyCiliumGeneration(
      state,
      gen,
      edited('postgres-ingress', (spec) => ({ ...spec, ingress: spec.ingress?.slice(1) ?? [] })),
    );
    assert.ok(!v.ok);
    assert.ok(
      v.mismatched.some((m) => m.includes('shop/Deployment/catalog → data/StatefulSet/postgres')),
      v.mismatched.join('\n'),
    );
  });

  test('a name that is not reached is reported with its connection', () => {
    const v = verifyCiliumGeneration(
      state,
      gen,
      edited('fraud-check-egress', (spec) => ({
        ...spec,
        egress: spec.egress?.filter((r) => r.toFQDNs === undefined) ?? [],
      })),
    );
    assert.ok(!v.ok);
    assert.deepEqual(
      v.unnamed.map(
        (c) => `${c.src.kind === 'workload' ? c.src.id : ''} ${c.dst.kind === 'external' ? c.dst.ip : ''}`,
      ),
      ['payments/Deployment/fraud-check 198.51.100.40'],
    );
  });

  test("a name reached by another workload's rule is not reached by the connection's own source", () => {
    // fraud-check's rule of api.riskscore.example moved to payment-gateway's policy: the name is still
    // reached, but not from fraud-check, whose connection to it the policies then deny.
    const fqdn = (r: NonNullable<CiliumRule['egress']>[number]): boolean =>
      r.toFQDNs?.some((f) => f.matchName === 'api.riskscore.example') === true;
    const rule = policies
      .find((p) => p.object.metadata.name === 'fraud-check-egress')
      ?.object.spec?.egress?.find(fqdn);
    assert.ok(rule !== undefined);
    const moved = edited('fraud-check-egress', (spec) => ({
      ...spec,
      egress: spec.egress?.filter((r) => !fqdn(r)) ?? [],
    })).map((p) =>
      p.object.metadata.name === 'payment-gateway-egress'
        ? {
            ...p,
            object: {
              ...p.object,
              spec: { ...p.object.spec, egress: [...(p.object.spec?.egress ?? []), rule] },
            },
          }
        : p,
    );
    const v = verifyCiliumGeneration(state, gen, moved);
    assert.ok(!v.ok);
    assert.deepEqual(
      v.unnamed.map(
        (c) => `${c.src.kind === 'workload' ? c.src.id : ''} ${c.dst.kind === 'external' ? c.dst.ip : ''}`,
      ),
      ['payments/Deployment/fraud-check 198.51.100.40'],
    );
  });

  /** One attempt from `src` to `dst` on TCP `port`, not denied. */
  const once = (src: FlowEnd, dst: FlowEnd, port: number): ObservedConnection => ({
    src,
    dst,
    protocol: 'TCP',
    port,
    count: 1,
    denied: 0,
  });
  /** The example's observed connections and `more`, generated, with their Cilium form. */
  const generateWith = async (
    ...more: ObservedConnection[]
  ): Promise<{ gen: Generation; policies: GeneratedCiliumPolicy[] }> => {
    const observed = [...(await readFlows([HUBBLE], state)).connections, ...more];
    const g = generatePolicies(state, observed, DEFAULT_GENERATE_OPTIONS);
    const text = readFileSync(HUBBLE, 'utf8');
    return {
      gen: g,
      policies: toCiliumPolicies(g.policies, dnsNamesOfHubble([text]), reservedEntitiesOfHubble([text])),
    };
  };

  test('a connection from an address written as an entity is checked by entity too', async () => {
    // The API server (10.0.0.10, Hubble's kube-apiserver) calling a webhook in catalog: written as fromEntities.
    const apiServer: FlowEnd = { kind: 'external', ip: '10.0.0.10' };
    const called = await generateWith(
      once(apiServer, { kind: 'workload', id: 'shop/Deployment/catalog' }, 8443),
    );
    const catalog = (p: GeneratedCiliumPolicy): boolean => p.object.metadata.name === 'catalog-ingress';
    const ingress = called.policies.find(catalog)?.object.spec?.ingress ?? [];
    assert.ok(ingress.some((r) => r.fromEntities?.includes('kube-apiserver')));
    const v = verifyCiliumGeneration(state, called.gen, called.policies);
    assert.equal(v.byEntity, 5);
    assert.ok(v.ok);
    // Without that rule, the connection is one missing its entity.
    const without = called.policies.map((p) =>
      catalog(p)
        ? {
            ...p,
            object: {
              ...p.object,
              spec: { ...p.object.spec, ingress: ingress.filter((r) => !r.fromEntities) },
            },
          }
        : p,
    );
    const missing = verifyCiliumGeneration(state, called.gen, without);
    assert.ok(!missing.ok);
    assert.deepEqual(
      missing.entityMissing.map((c) => `${c.src.kind === 'external' ? c.src.ip : ''} ${c.port}`),
      ['10.0.0.10 8443'],
    );
  });

  test('a workload the cluster state does not hold gets no policy, so its traffic to a name or an entity is not checked', async () => {
    // The build writes no policy for a workload it cannot select; the check of the Cilium form must not then
    // blame the policies for its traffic to an address they write as a name (198.51.100.40) or an entity (the
    // API server, 10.0.0.10).
    const ghost = { kind: 'workload', id: 'payments/Deployment/ghost' } as const;
    const withGhost = await generateWith(
      once(ghost, { kind: 'external', ip: '198.51.100.40' }, 443),
      once(ghost, { kind: 'external', ip: '10.0.0.10' }, 6443),
    );
    assert.ok(!withGhost.gen.policies.some((p) => p.workload === ghost.id));
    const v = verifyCiliumGeneration(state, withGhost.gen, withGhost.policies);
    assert.deepEqual(v.unnamed, []);
    assert.deepEqual(v.entityMissing, []);
    assert.equal(v.named, 3);
    assert.equal(v.byEntity, 4);
    assert.ok(v.ok);
  });
});

describe('netfence generate --format cilium', () => {
  test("each file's header says which rules allow more than the observed connections: entity and toFQDNs rules", async () => {
    const r = await runCli(WEBSHOP_CILIUM);
    assert.equal(r.code, 0, r.stderr);
    // The lines after the first of each file's header, up to the observed time range.
    const headers = Object.fromEntries(
      [
        ...r.stdout.matchAll(/^# CiliumNetworkPolicies for namespace (\S+):.*\n((?:# (?!Observed).*\n)*)/gm),
      ].map((m): [string, string[]] => [m[1]!, m[2]!.split('\n').filter((l) => l !== '')]),
    );
    const exact =
      '# Every rule allows exactly the observed ports its comment lists (DNS rules add the other DNS transport).';
    const but = (kinds: string): string =>
      `# Every rule but the ${kinds} allows exactly the observed ports its comment lists (DNS rules add the other DNS transport).`;
    const apiserver = "the API server's addresses";
    assert.deepEqual(headers, {
      data: [exact],
      'ingress-nginx': [
        but('entity rules'),
        `# An entity rule (toEntities/fromEntities: kube-apiserver) allows its ports with the whole identity, not only the observed addresses: kube-apiserver is ${apiserver}.`,
      ],
      'kube-system': [exact],
      monitoring: [
        but('entity rules'),
        `# An entity rule (toEntities/fromEntities: host, kube-apiserver, remote-node) allows its ports with the whole identity, not only the observed addresses: host is the pod's own node (and its host-network pods), kube-apiserver is ${apiserver}, remote-node is every other node (and their host-network pods), of this cluster or a connected one.`,
      ],
      payments: [
        but('toFQDNs rules'),
        '# A toFQDNs rule allows its ports to every address its names resolve to when the pod looks them up, not only the observed addresses.',
      ],
      shop: [exact],
    });
  });

  test('the YAML and the report of the bundled example (golden files, reviewed)', async () => {
    const r = await runCli(WEBSHOP_CILIUM);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('generate/webshop-cilium.yaml', r.stdout);
    // CiliumNetworkPolicies add up with NetworkPolicies: the report says to delete the old ones, not "replace".
    assert.match(
      r.stderr,
      /\n {2}delete the 21 existing NetworkPolicies of those namespaces: Cilium adds the allows of both kinds up\n/,
    );
    assert.doesNotMatch(r.stderr, /they replace/);
    assertGolden('generate/webshop-cilium.report.txt', r.stderr);
    // Every document is a CiliumNetworkPolicy that validation (Cilium's CRD schema and sanitize rules) accepts.
    const parsed = parseManifestText(r.stdout, 'generated.yaml');
    const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
    // The only warnings: the API server entity (Hubble's reserved:kube-apiserver), which netfence reads but
    // cannot evaluate (its addresses are learnt by the agent at run time).
    assert.deepEqual([...parsed.errors, ...built.errors].map(formatProblem), []);
    const warnings = built.warnings.map(formatProblem);
    assert.equal(warnings.length, 2);
    for (const w of warnings)
      assert.match(w, /toEntities\[0\]: toEntities "kube-apiserver" stands for addresses/);
    assert.equal(built.state.ciliumPolicies.length, 33);
    assert.ok(built.state.ciliumPolicies.every((p) => p.kind === 'CiliumNetworkPolicy'));
  });

  test('--output-dir: Cilium files replace the NetworkPolicy files netfence wrote there before', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'netfence-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const base = [
      'generate',
      'test/fixtures/flows/cluster.yaml',
      '--flows',
      'test/fixtures/flows/hubble.jsonl',
    ];
    const r1 = await runCli([...base, '--output-dir', dir, '--split', 'workload']);
    assert.equal(r1.code, 0, r1.stderr);
    const r2 = await runCli([...base, '--output-dir', dir, '--format', 'cilium']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /\nremoved 9 files netfence had generated before: app\/api\.yaml/);
    assert.deepEqual(
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort(),
      ['app.yaml', 'db.yaml', 'kube-system.yaml'],
    );
    assert.match(
      readFileSync(join(dir, 'app.yaml'), 'utf8'),
      /^# CiliumNetworkPolicies for namespace app: generated by netfence/,
    );
    // And back: the Cilium files are netfence's own too.
    const r3 = await runCli([...base, '--output-dir', dir, '--split', 'workload']);
    assert.match(
      r3.stdout,
      /\nremoved 3 files netfence had generated before: app\.yaml, db\.yaml, kube-system\.yaml/,
    );
  });

  test('augment mode: the added policies as CiliumNetworkPolicies, beside the kept NetworkPolicies', async () => {
    const r = await runCli([...WEBSHOP_CILIUM, '--mode', 'augment']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\ngenerated 3 policies in 2 namespaces \(augment mode\)/);
    assert.match(
      r.stderr,
      /\n {2}written as CiliumNetworkPolicies; none of their outside addresses was seen under a DNS name\n/,
    );
    const docs = r.stdout.split(/^---$/m).map((d) => parseDocument(d).toJS() as CiliumPolicyObject);
    assert.deepEqual(
      docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name ?? ''}`),
      [
        'CiliumNetworkPolicy data/report-exporter-egress-observed',
        'CiliumNetworkPolicy payments/fraud-check-ingress',
        'CiliumNetworkPolicy payments/payment-gateway-ingress',
      ],
    );
  });

  test('--tier and -o json are refused with --format cilium, in one line', async () => {
    const base = WEBSHOP_CILIUM;
    const tier = await runCli([...base, '--tier', 'baseline']);
    assert.equal(tier.code, 2);
    assert.match(
      tier.stderr,
      /--tier baseline writes ClusterNetworkPolicies, which --format cilium does not/,
    );
    const json = await runCli([...base, '-o', 'json']);
    assert.equal(json.code, 2);
    assert.match(json.stderr, /-o json describes the NetworkPolicy form/);
  });
});
