/**
 * `generate --format cilium` under the Cilium profile: a peer at a Node's address (or a host-network workload,
 * whose addresses are its node's), which no ipBlock matches under Cilium, is written as the entity Cilium gives
 * it (`fromEntities`/`toEntities`: `remote-node`, or `host` for the subject's own node), and the verification of
 * the Cilium form checks those connections with the engine's Cilium model: a wrong entity fails it. The
 * NetworkPolicy form keeps leaving such peers out, with the reason.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { resolveCniProfile } from '../../src/engine/profiles.ts';
import { observeFlowText, readFlows, type ObservedConnection } from '../../src/flows/index.ts';
import { toCiliumPolicies, type GeneratedCiliumPolicy } from '../../src/generate/cilium.ts';
import { verifyCiliumGeneration, type CiliumVerification } from '../../src/generate/verify-cilium.ts';
import { dnsNamesOfHubble, reservedEntitiesOfHubble } from '../../src/generate/dns-names.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { isEmptyPorts, NO_PORTS, subtractPorts, type PortSet } from '../../src/engine/ports.ts';
import { openSession, type ClusterSession } from '../../src/engine/session.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import { loadState as loadExample } from '../flows/support.ts';
import { stateWithGenerated, verifyGeneration } from '../../src/generate/verify.ts';
import { renderFiles } from '../../src/format/generated.ts';
import { toNetworkPolicy } from '../../src/generate/policies.ts';
import { DEFAULT_GENERATE_OPTIONS, generatePolicies, type Generation } from '../../src/generate/index.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import type { EngineOptions } from '../../src/engine/compile.ts';
import type { CiliumEgressRule, CiliumPortRule, CiliumRule } from '../../src/model/cilium-wire.ts';

const MANIFESTS = readFileSync('test/fixtures/own-node/entities.yaml', 'utf8');
// From n2's address and from the agent on n2 to web (on n1: remote-node); web to n2's kubelet (remote-node)
// and to its own node's exporter (host); api to web (pods).
const FLOWS = readFileSync('test/fixtures/own-node/flows-entities.csv', 'utf8');

const WEB = 'shop/Pod/web';

/** Nodes n1 (192.168.0.1) and n2 (192.168.0.2), as YAML documents ending with a separator. */
const TWO_NODES = `
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {addresses: [{type: InternalIP, address: 192.168.0.1}]}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
status: {addresses: [{type: InternalIP, address: 192.168.0.2}]}
---
`;

function loadState(manifests = MANIFESTS): ClusterState {
  const parsed = parseManifestText(manifests, 'cluster.yaml');
  const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(built.errors, []);
  return built.state;
}

function cilium(...overrides: string[]): Partial<EngineOptions> {
  const profile = resolveCniProfile('cilium', overrides);
  assert.ok(profile.ok);
  return { cni: profile.value };
}

const portOf = (c: ObservedConnection): string => `${c.protocol}/${c.port}`;

/** `flows` (CSV) generated with Node entities under the Cilium profile: the generation and its Cilium form. */
function generateWithEntities(
  state: ClusterState,
  flows: string,
): { gen: Generation; policies: GeneratedCiliumPolicy[] } {
  const observed = observeFlowText([{ name: 'flows.csv', text: flows }], state).connections;
  const gen = generatePolicies(
    state,
    observed,
    { ...DEFAULT_GENERATE_OPTIONS, nodeEntities: true },
    cilium(),
  );
  return { gen, policies: toCiliumPolicies(gen.policies, new Map()) };
}

/** The `fromEntities`/`toEntities` rules of a policy's spec, with their ports. */
function entityRules(p: GeneratedCiliumPolicy | undefined): string[] {
  const spec = p?.object.spec ?? {};
  return [
    ...(spec.ingress ?? []).flatMap((r) =>
      r.fromEntities === undefined
        ? []
        : [`from ${r.fromEntities.join(',')} ${r.toPorts?.[0]?.ports?.map((x) => x.port).join(',')}`],
    ),
    ...(spec.egress ?? []).flatMap((r) =>
      r.toEntities === undefined
        ? []
        : [`to ${r.toEntities.join(',')} ${r.toPorts?.[0]?.ports?.map((x) => x.port).join(',')}`],
    ),
  ];
}

describe("a peer at a Node's address is written as its Cilium entity by --format cilium (nodeEntities)", () => {
  let state: ClusterState;
  let observed: ObservedConnection[];
  before(() => {
    state = loadState();
    observed = observeFlowText([{ name: 'flows.csv', text: FLOWS }], state).connections;
    assert.equal(observed.length, 5);
  });

  const generate = (engine: Partial<EngineOptions>, nodeEntities: boolean): Generation =>
    generatePolicies(state, observed, { ...DEFAULT_GENERATE_OPTIONS, nodeEntities }, engine);

  test('the NetworkPolicy form (nodeEntities off) leaves them out, with reason node-address', () => {
    const gen = generate(cilium(), false);
    assert.deepEqual(gen.leftOut.map((l) => `${l.reason} ${portOf(l.connection)}`).sort(), [
      'node-address TCP/10250',
      'node-address TCP/80',
      'node-address TCP/8080',
      'node-address TCP/9100',
    ]);
    const policies = toCiliumPolicies(gen.policies, new Map());
    assert.deepEqual(entityRules(policies.find((p) => p.object.metadata.name === 'web-ingress')), []);
  });

  test('remote-node for another node, host for the own node, each a rule of its own with its ports', () => {
    const gen = generate(cilium(), true);
    assert.deepEqual(gen.leftOut, []);
    const policies = toCiliumPolicies(gen.policies, new Map());
    const web = (name: string) => policies.find((p) => p.object.metadata.name === name);
    // In the order of their peers: workloads (the agent) first, then addresses.
    assert.deepEqual(entityRules(web('web-ingress')), ['from remote-node 8080', 'from remote-node 80']);
    assert.deepEqual(entityRules(web('web-egress')), ['to host 9100', 'to remote-node 10250']);
    const yaml = renderFiles(gen, 'namespace', new Map())
      .map((f) => f.content)
      .join('');
    assert.match(
      yaml,
      /# kube-system\/agent: on the host network of node n2, whose addresses \(its Node's\) CIDR rules do not match \(remote-node identity: every other node\)\n {4}- fromEntities:\n {8}- remote-node\n/,
    );
    // The pod peer stays an endpoint selector.
    assert.deepEqual(
      web('web-ingress')?.object.spec?.ingress?.map((r) => Object.keys(r).sort().join(' ')),
      ['fromEntities toPorts', 'fromEndpoints toPorts', 'fromEntities toPorts'],
    );
  });

  test('the NetworkPolicy rules never hold them: no rule without peers (which would allow everything)', () => {
    const gen = generate(cilium(), true);
    for (const p of gen.policies)
      for (const r of p.rules) assert.ok(r.peers.length > 0 || r.nodeEntities !== undefined, p.name);
    // The NetworkPolicy form of web's ingress: the pod peer only.
    const ingress = toNetworkPolicy(gen.policies.find((p) => p.name === 'web-ingress')!).spec.ingress;
    assert.deepEqual(
      ingress?.map((r) => r.from?.length),
      [1],
    );
    const np = verifyGeneration(state, gen, cilium());
    assert.ok(np.ok);
    // Checked as NetworkPolicies: the connection between pods only; the four by the Cilium form.
    assert.equal(np.checked, 1);
  });

  test('the Cilium form is verified by the engine: every connection written as an entity is allowed', () => {
    const gen = generate(cilium(), true);
    const v = verifyCiliumGeneration(state, gen, toCiliumPolicies(gen.policies, new Map()), cilium());
    assert.deepEqual(v.mismatched, []);
    assert.deepEqual(v.entityMissing, []);
    assert.equal(v.byNodeEntity, 4);
    assert.ok(v.ok);
  });

  /** The Cilium policies with entity `from` replaced by `to` in web's policy `name`. */
  const swapped = (gen: Generation, name: string, from: string, to: string): GeneratedCiliumPolicy[] =>
    toCiliumPolicies(gen.policies, new Map()).map((p) => {
      if (p.object.metadata.name !== name) return p;
      const text = JSON.stringify(p.object).replaceAll(`"${from}"`, `"${to}"`);
      return { ...p, object: JSON.parse(text) as typeof p.object };
    });

  test('a wrong entity fails the verification: host where remote-node is needed', () => {
    const gen = generate(cilium(), true);
    const v = verifyCiliumGeneration(
      state,
      gen,
      swapped(gen, 'web-ingress', 'remote-node', 'host'),
      cilium(),
    );
    assert.equal(v.ok, false);
    assert.deepEqual(v.entityMissing.map(portOf).sort(), ['TCP/80', 'TCP/8080']);
    assert.equal(v.byNodeEntity, 2);
  });

  test('a wrong entity fails the verification: remote-node where host is needed (egress)', () => {
    const gen = generate(cilium(), true);
    const v = verifyCiliumGeneration(state, gen, swapped(gen, 'web-egress', 'host', 'remote-node'), cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(v.entityMissing.map(portOf), ['TCP/9100']);
  });

  test('an entity rule on the wrong port fails the verification', () => {
    const gen = generate(cilium(), true);
    const policies = toCiliumPolicies(gen.policies, new Map()).map((p) => {
      if (p.object.metadata.name !== 'web-egress') return p;
      const text = JSON.stringify(p.object).replace('"10250"', '"10251"');
      return { ...p, object: JSON.parse(text) as typeof p.object };
    });
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(v.entityMissing.map(portOf), ['TCP/10250']);
  });

  test('an entity rule on more ports than observed fails the verification: its pairs differ', () => {
    const gen = generate(cilium(), true);
    const policies = toCiliumPolicies(gen.policies, new Map()).map((p) => {
      if (p.object.metadata.name !== 'web-egress') return p;
      // Every port: the remote-node rule without its toPorts.
      const egress = (p.object.spec?.egress ?? []).map((r) =>
        r.toEntities?.includes('remote-node') === true ? { toEntities: r.toEntities } : r,
      );
      return { ...p, object: { ...p.object, spec: { ...p.object.spec, egress } } };
    });
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(v.entityMissing, []);
    assert.ok(
      v.mismatched.some((m) => m.startsWith(`${WEB} → external:`) && m.includes('(192.168.0.2)')),
      v.mismatched.join('\n'),
    );
  });

  test("under allow-localhost=policy the own node's traffic to the pod is written as host", () => {
    const text = `${FLOWS},,192.168.0.1,shop,web,,TCP,81,1\n`;
    const conns = observeFlowText([{ name: 'flows.csv', text }], state).connections;
    const engine = cilium('allow-localhost=policy');
    const gen = generatePolicies(state, conns, { ...DEFAULT_GENERATE_OPTIONS, nodeEntities: true }, engine);
    assert.deepEqual(gen.leftOut, []);
    const policies = toCiliumPolicies(gen.policies, new Map());
    assert.deepEqual(entityRules(policies.find((p) => p.object.metadata.name === 'web-ingress')), [
      'from remote-node 8080',
      'from host 81',
      'from remote-node 80',
    ]);
    const v = verifyCiliumGeneration(state, gen, policies, engine);
    assert.deepEqual(v.entityMissing, []);
    assert.ok(v.ok);
    const wrong = swapped(gen, 'web-ingress', 'host', 'remote-node');
    assert.deepEqual(verifyCiliumGeneration(state, gen, wrong, engine).entityMissing.map(portOf), ['TCP/81']);
  });

  test('a workload on the node writes no entity where traffic from its own node is always allowed', () => {
    // api runs on n2: the agent on n2 and n2's address reach it whatever the policies (allow-localhost).
    const text = `src_namespace,src_workload,src_ip,dst_namespace,dst_workload,dst_ip,protocol,port,count
kube-system,agent,,shop,api,,TCP,8080,2
`;
    const conns = observeFlowText([{ name: 'flows.csv', text }], state).connections;
    const gen = generatePolicies(state, conns, { ...DEFAULT_GENERATE_OPTIONS, nodeEntities: true }, cilium());
    assert.deepEqual(gen.leftOut, []);
    const policies = toCiliumPolicies(gen.policies, new Map());
    assert.equal(
      policies.some((p) => entityRules(p).length > 0),
      false,
    );
  });
});

describe('a workload whose pods run on two nodes: the verification judges each pod, not the workload', () => {
  // shop/web has a pod on n1 and one on n2; both open TCP 9100 to n1's address. The pod on n1 needs `host`, the
  // pod on n2 `remote-node`: a rule with only one of them lets one pod through, and must fail the verification.
  const manifests = `${TWO_NODES}
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-1
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}
${[
  ['a', 'n1', '10.0.0.1'],
  ['b', 'n2', '10.0.1.1'],
]
  .map(
    ([pod, node, ip]) => `---
apiVersion: v1
kind: Pod
metadata:
  name: web-1-${pod}
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-1, uid: u2, controller: true}]
spec: {nodeName: ${node}, containers: [{name: c, image: x}]}
status: {podIP: ${ip}}
`,
  )
  .join('')}`;
  const flows = `src_namespace,src_workload,src_ip,dst_namespace,dst_workload,dst_ip,protocol,port,count
shop,web,,,,192.168.0.1,TCP,9100,2
`;
  let state: ClusterState;
  let gen: Generation;
  before(() => {
    state = loadState(manifests);
    const observed = observeFlowText([{ name: 'flows.csv', text: flows }], state).connections;
    assert.deepEqual(
      observed.map((c) => `${c.src.kind === 'workload' ? c.src.id : ''} ${portOf(c)}`),
      ['shop/Deployment/web TCP/9100'],
    );
    gen = generatePolicies(state, observed, { ...DEFAULT_GENERATE_OPTIONS, nodeEntities: true }, cilium());
  });

  /** web-egress with its entity rule's entities replaced by `entities`. */
  const withEntities = (entities: string[]): GeneratedCiliumPolicy[] =>
    toCiliumPolicies(gen.policies, new Map()).map((p) => {
      if (p.object.metadata.name !== 'web-egress') return p;
      const egress = (p.object.spec?.egress ?? []).map((r) =>
        r.toEntities === undefined ? r : { ...r, toEntities: entities },
      );
      return { ...p, object: { ...p.object, spec: { ...p.object.spec, egress } } };
    });

  test('generate writes both entities, and the verification passes', () => {
    assert.deepEqual(gen.leftOut, []);
    const policies = toCiliumPolicies(gen.policies, new Map());
    assert.deepEqual(entityRules(policies.find((p) => p.object.metadata.name === 'web-egress')), [
      'to host,remote-node 9100',
    ]);
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.deepEqual(v.entityMissing, []);
    assert.equal(v.byNodeEntity, 1);
    assert.ok(v.ok);
  });

  for (const [entities, missed] of [
    [['host'], 'the pod on n2'],
    [['remote-node'], 'the pod on n1'],
  ] as const) {
    test(`${entities[0]} alone fails the verification: ${missed} is not let through`, () => {
      const v = verifyCiliumGeneration(state, gen, withEntities([...entities]), cilium());
      assert.equal(v.ok, false);
      assert.deepEqual(v.entityMissing.map(portOf), ['TCP/9100']);
      assert.equal(v.byNodeEntity, 0);
    });
  }
});

/**
 * What the Cilium form allows beyond the NetworkPolicy form, read from the engine's sessions of both forms, as
 * `src → dst: ports` (an address as `(ip)`): pairs of workloads, and of a workload with each of `ips`. The test's
 * own account of what an entity rule allows more, which a passing verification has accepted and which the
 * tests below then widen by a port or an entity to see the verification refuse.
 */
function beyondNetworkPolicies(
  state: ClusterState,
  gen: Generation,
  policies: readonly GeneratedCiliumPolicy[],
  engine: Partial<EngineOptions>,
  ips: readonly string[],
): string[] {
  const kept = new Set(gen.kept.map((p) => p.id));
  const np = openSession(stateWithGenerated(state, gen), engine);
  const cil = openSession(
    {
      ...state,
      policies: state.policies.filter((p) => kept.has(p.id)),
      ciliumPolicies: [...state.ciliumPolicies, ...policies.map((p) => ciliumPolicyInfo(p.object))],
    },
    engine,
  );
  const allowed = (s: ClusterSession): Map<string, PortSet> =>
    new Map(s.connectivity('workload').connections.map((c) => [`${c.src} ${c.dst}`, c.ports]));
  const [npAllowed, cilAllowed] = [allowed(np), allowed(cil)];
  const classOf = (s: ClusterSession, ip: string): string =>
    `external:${s.compiled.addressSpace.classOfIp(ip)}`;
  const ends = [
    ...state.workloads.map((w) => ({ label: w.id, np: w.id, cil: w.id, ip: false })),
    ...ips.map((ip) => ({ label: `(${ip})`, np: classOf(np, ip), cil: classOf(cil, ip), ip: true })),
  ];
  const out: string[] = [];
  for (const a of ends)
    for (const b of ends) {
      if (a.ip && b.ip) continue;
      const more = subtractPorts(
        cilAllowed.get(`${a.cil} ${b.cil}`) ?? NO_PORTS,
        npAllowed.get(`${a.np} ${b.np}`) ?? NO_PORTS,
      );
      if (!isEmptyPorts(more)) out.push(`${a.label} → ${b.label}: ${formatPorts(more)}`);
    }
  return out.sort();
}

/** An address end without its class id, which depends on the address space (`(192.168.0.1)`). */
const withoutClass = (text: string): string => text.replaceAll(/external:\d+ \(/g, '(');

/** The verification's `mismatched`, without class ids, sorted. */
const differences = (v: CiliumVerification): string[] => v.mismatched.map(withoutClass).sort();

/** The policies with `edit` applied to the spec of the one named `name`. */
const editSpec = (
  policies: readonly GeneratedCiliumPolicy[],
  name: string,
  edit: (spec: CiliumRule) => CiliumRule,
): GeneratedCiliumPolicy[] =>
  policies.map((p) =>
    p.object.metadata.name === name ? { ...p, object: { ...p.object, spec: edit(p.object.spec ?? {}) } } : p,
  );

describe('the known nodes: what an entity rule allows beyond is within what its entity stands for', () => {
  let state: ClusterState;
  let gen: Generation;
  before(() => {
    state = loadState();
    const observed = observeFlowText([{ name: 'flows.csv', text: FLOWS }], state).connections;
    gen = generatePolicies(state, observed, { ...DEFAULT_GENERATE_OPTIONS, nodeEntities: true }, cilium());
  });

  test('the generated policies: each port of the remote-node rules, with every other node and its host-network pods', () => {
    const policies = toCiliumPolicies(gen.policies, new Map());
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.ok(v.ok);
    // web is on n1: remote-node is n2 (its address and the agent on it), host n1 (9100 observed to it).
    assert.deepEqual(beyondNetworkPolicies(state, gen, policies, cilium(), ['192.168.0.1', '192.168.0.2']), [
      '(192.168.0.2) → shop/Pod/web: TCP 80,8080',
      'kube-system/Pod/agent → shop/Pod/web: TCP 80,8080',
      'shop/Pod/web → (192.168.0.1): TCP 9100',
      'shop/Pod/web → (192.168.0.2): TCP 10250',
      'shop/Pod/web → kube-system/Pod/agent: TCP 10250',
    ]);
  });

  test('remote-node written host and remote-node allows web its own node on 10250: a difference', () => {
    const policies = editSpec(toCiliumPolicies(gen.policies, new Map()), 'web-egress', (spec) => ({
      ...spec,
      egress: (spec.egress ?? []).map((r) =>
        r.toEntities?.join() === 'remote-node' ? { ...r, toEntities: ['host', 'remote-node'] } : r,
      ),
    }));
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(v.entityMissing, []);
    assert.deepEqual(differences(v), [`${WEB} → (192.168.0.1)`]);
  });

  /** web-egress with `rule` added to its egress rules. */
  const withEgress = (rule: CiliumEgressRule): GeneratedCiliumPolicy[] =>
    editSpec(toCiliumPolicies(gen.policies, new Map()), 'web-egress', (spec) => ({
      ...spec,
      egress: [...(spec.egress ?? []), rule],
    }));
  const port10250 = [{ ports: [{ port: '10250', protocol: 'TCP' as const }] }];

  test("a CIDR rule of every address on the remote-node rule's port: a difference, named by its class's first address", () => {
    // Outside addresses are no nodes: no entity rule stands for them.
    const v = verifyCiliumGeneration(
      state,
      gen,
      withEgress({ toCIDR: ['0.0.0.0/0'], toPorts: port10250 }),
      cilium(),
    );
    assert.equal(v.ok, false);
    // 0.0.0.0 begins the class (the first address probed; every address of it is compared alike).
    assert.deepEqual(differences(v), [`${WEB} → (0.0.0.0)`]);
  });

  test("api reaching web on a remote-node rule's port too: a difference (api's pod is on n2, but no node)", () => {
    // api → web TCP 80 is observed (endpoint rules of both policies); TCP 8080 is web's remote-node ingress port.
    const with8080 = <R extends { toPorts?: CiliumPortRule[] }>(r: R): R => ({
      ...r,
      toPorts: [{ ports: [...(r.toPorts?.[0]?.ports ?? []), { port: '8080', protocol: 'TCP' as const }] }],
    });
    const policies = editSpec(
      editSpec(toCiliumPolicies(gen.policies, new Map()), 'web-ingress', (spec) => ({
        ...spec,
        ingress: (spec.ingress ?? []).map((r) => (r.fromEndpoints === undefined ? r : with8080(r))),
      })),
      'api-egress',
      (spec) => ({
        ...spec,
        egress: (spec.egress ?? []).map((r) => (r.toEndpoints === undefined ? r : with8080(r))),
      }),
    );
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(differences(v), [`shop/Pod/api → ${WEB}`]);
  });

  test("the remote-node egress rule on an ingress rule's port too: a difference (ingress rules allow no egress)", () => {
    const v = verifyCiliumGeneration(
      state,
      gen,
      withEgress({ toEntities: ['remote-node'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }),
      cilium(),
    );
    assert.equal(v.ok, false);
    assert.deepEqual(differences(v), [`${WEB} → (192.168.0.2)`, `${WEB} → kube-system/Pod/agent`]);
  });
});

describe('host-network workloads on one node, on two, on none known: each entity rule stands for those it may reach', () => {
  // web on n1; kube-system's host-network local (n1), agent (n1 and n2) and drifter (no node known).
  let state: ClusterState;
  let gen: Generation;
  let policies: GeneratedCiliumPolicy[];
  before(() => {
    state = loadState(readFileSync('test/fixtures/own-node/host-workloads.yaml', 'utf8'));
    ({ gen, policies } = generateWithEntities(
      state,
      readFileSync('test/fixtures/own-node/flows-host-workloads.csv', 'utf8'),
    ));
    assert.equal(gen.observed.length, 3);
  });

  test('host for n1, local and the agent and drifter; remote-node for n2, the agent and drifter: verified', () => {
    assert.deepEqual(entityRules(policies.find((p) => p.object.metadata.name === 'web-egress')), [
      'to host,remote-node 7000',
      'to host 9100',
      'to remote-node 10250',
    ]);
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.deepEqual(differences(v), []);
    assert.deepEqual(v.entityMissing, []);
    assert.ok(v.ok);
    // local is on n1 (host only); the agent on n1 and n2 and drifter on no known node are both entities'.
    assert.deepEqual(beyondNetworkPolicies(state, gen, policies, cilium(), ['192.168.0.1', '192.168.0.2']), [
      `${WEB} → (192.168.0.1): TCP 7000,9100`,
      `${WEB} → (192.168.0.2): TCP 7000,10250`,
      `${WEB} → kube-system/DaemonSet/agent: TCP 7000,9100,10250`,
      `${WEB} → kube-system/Pod/drifter: TCP 7000,9100,10250`,
      `${WEB} → kube-system/Pod/local: TCP 7000,9100`,
    ]);
  });

  test('the remote-node rule written host and remote-node: n1 and local, on n1 only, differ', () => {
    const wide = editSpec(policies, 'web-egress', (spec) => ({
      ...spec,
      egress: (spec.egress ?? []).map((r) =>
        r.toEntities?.join() === 'remote-node' ? { ...r, toEntities: ['host', 'remote-node'] } : r,
      ),
    }));
    const v = verifyCiliumGeneration(state, gen, wide, cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(differences(v), [`${WEB} → (192.168.0.1)`, `${WEB} → kube-system/Pod/local`]);
  });
});

describe('Pods that name their nodes, without the Nodes in the input: the nodes are not known, as the engine reads them', () => {
  // web and local (host network) name n1, the agent (host network) n2; no Node: no pod's node is known.
  const manifests = (
    [
      ['web', 'shop', 'n1', false, '10.0.0.1'],
      ['local', 'kube-system', 'n1', true, '192.168.0.1'],
      ['agent', 'kube-system', 'n2', true, '192.168.0.2'],
    ] as const
  )
    .map(
      ([name, namespace, node, hostNetwork, ip]) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${name}}}
spec: {nodeName: ${node}, hostNetwork: ${hostNetwork}, containers: [{name: c, image: x}]}
status: {podIP: ${ip}}
`,
    )
    .join('---\n');
  const flows = `src_namespace,src_workload,src_ip,dst_namespace,dst_workload,dst_ip,protocol,port,count
kube-system,agent,,shop,web,,TCP,8080,2
`;

  test('the remote-node ingress rule from the agent stands for local too: verified', () => {
    const state = loadState(manifests);
    const { gen, policies } = generateWithEntities(state, flows);
    assert.deepEqual(entityRules(policies.find((p) => p.object.metadata.name === 'web-ingress')), [
      'from remote-node 8080',
    ]);
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.deepEqual(differences(v), []);
    assert.deepEqual(v.entityMissing, []);
    assert.equal(v.byNodeEntity, 1);
    assert.ok(v.ok);
    // The engine reads remote-node as every node for web, whose node it does not know: local on TCP 8080 too.
    assert.deepEqual(beyondNetworkPolicies(state, gen, policies, cilium(), []), [
      'kube-system/Pod/agent → shop/Pod/web: TCP 8080',
      'kube-system/Pod/local → shop/Pod/web: TCP 8080',
    ]);
  });
});

describe('nodes not known (manifests without Pods): [host, remote-node] stand for every node, compared node by node', () => {
  // Nodes n1 and n2; web and the host-network agent are Deployments/DaemonSets whose pods (and so nodes) are not
  // in the input. web opens TCP 10250 to n2's address; n2's address (TCP 80) and the agent (TCP 8080) reach web.
  const manifests = `${TWO_NODES}
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template: {metadata: {labels: {app: agent}}, spec: {hostNetwork: true, containers: [{name: c, image: x}]}}
`;
  const flows = `src_namespace,src_workload,src_ip,dst_namespace,dst_workload,dst_ip,protocol,port,count
shop,web,,,,192.168.0.2,TCP,10250,2
,,192.168.0.2,shop,web,,TCP,80,3
kube-system,agent,,shop,web,,TCP,8080,1
`;
  const web = 'shop/Deployment/web';
  let state: ClusterState;
  let gen: Generation;
  let policies: GeneratedCiliumPolicy[];
  before(() => {
    state = loadState(manifests);
    const observed = observeFlowText([{ name: 'flows.csv', text: flows }], state).connections;
    assert.equal(observed.length, 3);
    gen = generatePolicies(state, observed, { ...DEFAULT_GENERATE_OPTIONS, nodeEntities: true }, cilium());
    policies = toCiliumPolicies(gen.policies, new Map());
  });

  test("Hubble's host label of n1's address: the host rule stands for n2 too (web's node is not known)", () => {
    // Without the Cilium profile, the observed address is an ipBlock, written toEntities: [host] by its label.
    const text = `src_namespace,src_workload,src_ip,dst_namespace,dst_workload,dst_ip,protocol,port,count
shop,web,,,,192.168.0.1,TCP,9100,1
`;
    const observed = observeFlowText([{ name: 'flows.csv', text }], state).connections;
    const entities = new Map([['192.168.0.1', ['host']]]);
    const labelled = generatePolicies(state, observed, DEFAULT_GENERATE_OPTIONS, {}, { entities });
    const written = toCiliumPolicies(labelled.policies, new Map(), entities);
    assert.deepEqual(entityRules(written.find((p) => p.object.metadata.name === 'web-egress')), [
      'to host 9100',
    ]);
    const v = verifyCiliumGeneration(state, labelled, written);
    assert.deepEqual(differences(v), []);
    assert.equal(v.byEntity, 1);
    assert.ok(v.ok);
    // n2's address and the agent: on TCP 9100, as the engine reads host for a pod on a node not known.
    assert.deepEqual(beyondNetworkPolicies(state, labelled, written, {}, ['192.168.0.2']), [
      `${web} → (192.168.0.2): TCP 9100`,
      `${web} → kube-system/DaemonSet/agent: TCP 9100`,
    ]);
  });

  test('each pod class of web needs both entities: remote-node for only one of them (a policy of its label) fails', () => {
    // web-egress's rule written host, and remote-node in a policy of the pods labelled v: a only: the engine reads
    // either as every node, so each class reaches n2; the pods labelled v: b have no remote-node rule.
    const two = loadState(
      manifests.replace(
        'template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}',
        'template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}\n' +
          ['a', 'b']
            .map(
              (v) => `---
apiVersion: v1
kind: Pod
metadata:
  name: web-${v}
  namespace: shop
  labels: {app: web, v: ${v}}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]
spec: {containers: [{name: c, image: x}]}
`,
            )
            .join(''),
      ),
    );
    const { gen: twoGen, policies: generated } = generateWithEntities(two, flows);
    const hostOnly = editSpec(generated, 'web-egress', (spec) => ({
      ...spec,
      egress: (spec.egress ?? []).map((r) =>
        r.toEntities === undefined ? r : { ...r, toEntities: ['host'] },
      ),
    }));
    const webEgress = generated.find((p) => p.object.metadata.name === 'web-egress')!;
    const onlyA: GeneratedCiliumPolicy = {
      ...webEgress,
      object: {
        ...webEgress.object,
        metadata: { ...webEgress.object.metadata, name: 'web-a-egress' },
        spec: {
          endpointSelector: { matchLabels: { app: 'web', v: 'a' } },
          egress: [
            { toEntities: ['remote-node'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] },
          ],
        },
      },
    };
    assert.ok(verifyCiliumGeneration(two, twoGen, generated, cilium()).ok);
    const v = verifyCiliumGeneration(two, twoGen, [...hostOnly, onlyA], cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(differences(v), []);
    assert.deepEqual(v.entityMissing.map(portOf), ['TCP/10250']);
  });

  /** web's policy `name` with the entities of its entity rules replaced by `entities`. */
  const withEntities = (name: string, entities: string[]): GeneratedCiliumPolicy[] =>
    editSpec(policies, name, (spec) => ({
      ...spec,
      ...(spec.egress === undefined
        ? {}
        : {
            egress: spec.egress.map((r) => (r.toEntities === undefined ? r : { ...r, toEntities: entities })),
          }),
      ...(spec.ingress === undefined
        ? {}
        : {
            ingress: spec.ingress.map((r) =>
              r.fromEntities === undefined ? r : { ...r, fromEntities: entities },
            ),
          }),
    }));

  test('generate writes both entities for egress, remote-node for ingress (the own node is let in), and verifies', () => {
    assert.deepEqual(gen.leftOut, []);
    const web = (name: string) => policies.find((p) => p.object.metadata.name === name);
    assert.deepEqual(entityRules(web('web-egress')), ['to host,remote-node 10250']);
    assert.deepEqual(entityRules(web('web-ingress')), ['from remote-node 8080', 'from remote-node 80']);
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.deepEqual(differences(v), []);
    assert.deepEqual(v.entityMissing, []);
    assert.equal(v.byNodeEntity, 3);
    assert.ok(v.ok);
  });

  test("what the entity rules allow beyond the NetworkPolicy form, every node on each rule's ports, is verified", () => {
    const v = verifyCiliumGeneration(state, gen, policies, cilium());
    assert.ok(v.ok);
    // Every node stands for every peer here: n1 (not observed), n2 and the agent, on the ports of every rule.
    assert.deepEqual(beyondNetworkPolicies(state, gen, policies, cilium(), ['192.168.0.1', '192.168.0.2']), [
      '(192.168.0.1) → shop/Deployment/web: TCP 80,8080',
      '(192.168.0.2) → shop/Deployment/web: TCP 80,8080',
      'kube-system/DaemonSet/agent → shop/Deployment/web: TCP 80,8080',
      'shop/Deployment/web → (192.168.0.1): TCP 10250',
      'shop/Deployment/web → (192.168.0.2): TCP 10250',
      'shop/Deployment/web → kube-system/DaemonSet/agent: TCP 10250',
    ]);
  });

  test('an entity rule on every port fails the verification: every node is compared, not only the observed one', () => {
    const wide = editSpec(policies, 'web-egress', (spec) => ({
      ...spec,
      egress: (spec.egress ?? []).map((r) => (r.toEntities === undefined ? r : { toEntities: r.toEntities })),
    }));
    const v = verifyCiliumGeneration(state, gen, wide, cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(differences(v), [
      `${web} → (192.168.0.1)`,
      `${web} → (192.168.0.2)`,
      `${web} → kube-system/DaemonSet/agent`,
    ]);
  });

  test('an entity rule on one more port fails the verification', () => {
    const more = editSpec(policies, 'web-ingress', (spec) => ({
      ...spec,
      ingress: (spec.ingress ?? []).map((r) =>
        r.fromEntities === undefined || r.toPorts?.[0]?.ports?.[0]?.port !== '80'
          ? r
          : {
              ...r,
              toPorts: [
                {
                  ports: [
                    { port: '80', protocol: 'TCP' as const },
                    { port: '81', protocol: 'TCP' as const },
                  ],
                },
              ],
            },
      ),
    }));
    const v = verifyCiliumGeneration(state, gen, more, cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(differences(v), [
      `(192.168.0.1) → ${web}`,
      `(192.168.0.2) → ${web}`,
      `kube-system/DaemonSet/agent → ${web}`,
    ]);
  });

  for (const entity of ['host', 'remote-node']) {
    test(`egress to a Node's address by ${entity} alone fails: web's pods may be on that node or another`, () => {
      const v = verifyCiliumGeneration(state, gen, withEntities('web-egress', [entity]), cilium());
      assert.equal(v.ok, false);
      assert.deepEqual(v.entityMissing.map(portOf), ['TCP/10250']);
      assert.equal(v.byNodeEntity, 2);
    });
  }

  test("ingress from a Node's address or a host-network workload by host fails: from another node, remote-node", () => {
    const v = verifyCiliumGeneration(state, gen, withEntities('web-ingress', ['host']), cilium());
    assert.equal(v.ok, false);
    assert.deepEqual(v.entityMissing.map(portOf).sort(), ['TCP/80', 'TCP/8080']);
    assert.equal(v.byNodeEntity, 1);
  });
});

describe('host-network pods, the bundled example: the pairs with them are compared, not left out', () => {
  const HUBBLE = 'examples/flows/webshop-hubble.jsonl';
  let state: ClusterState;
  let gen: Generation;
  let policies: GeneratedCiliumPolicy[];
  before(async () => {
    state = await loadExample('examples/webshop');
    const observed = (await readFlows([HUBBLE], state)).connections;
    gen = generatePolicies(state, observed, DEFAULT_GENERATE_OPTIONS);
    const text = readFileSync(HUBBLE, 'utf8');
    policies = toCiliumPolicies(gen.policies, dnsNamesOfHubble([text]), reservedEntitiesOfHubble([text]));
  });

  test("Hubble's host and remote-node stand for node-exporter (host network) on their port: verified", () => {
    const v = verifyCiliumGeneration(state, gen, policies);
    assert.ok(v.ok);
    assert.deepEqual(beyondNetworkPolicies(state, gen, policies, {}, []), [
      'monitoring/StatefulSet/prometheus → monitoring/DaemonSet/node-exporter: TCP 9100',
    ]);
  });

  test("the API server's rule written with remote-node too allows node-exporter its port: a difference", () => {
    // kube-apiserver is no node: its rule's port is not one an entity rule of the nodes may allow beyond.
    const wide = editSpec(policies, 'prometheus-egress', (spec) => ({
      ...spec,
      egress: (spec.egress ?? []).map((r) =>
        r.toEntities?.join() === 'kube-apiserver'
          ? { ...r, toEntities: ['kube-apiserver', 'remote-node'] }
          : r,
      ),
    }));
    const v = verifyCiliumGeneration(state, gen, wide);
    assert.equal(v.ok, false);
    assert.deepEqual(v.entityMissing, []);
    assert.deepEqual(differences(v), [
      'monitoring/StatefulSet/prometheus → monitoring/DaemonSet/node-exporter',
    ]);
  });

  test("--exclude-namespace ingress-nginx: its connection to the API server, no policy of netfence's, is not checked", () => {
    // prometheus' rule makes 10.0.0.10 an entity address; ingress-nginx reaches it too, under its kept policies.
    const text = readFileSync(HUBBLE, 'utf8');
    const excluded = generatePolicies(state, gen.observed, {
      ...DEFAULT_GENERATE_OPTIONS,
      excludeNamespaces: ['ingress-nginx'],
    });
    assert.ok(
      excluded.observed.some(
        (c) =>
          c.src.kind === 'workload' &&
          c.src.id.startsWith('ingress-nginx/') &&
          c.dst.kind === 'external' &&
          c.dst.ip === '10.0.0.10',
      ),
    );
    const v = verifyCiliumGeneration(
      state,
      excluded,
      toCiliumPolicies(excluded.policies, dnsNamesOfHubble([text]), reservedEntitiesOfHubble([text])),
    );
    assert.deepEqual(v.entityMissing, []);
    assert.deepEqual(differences(v), []);
    assert.ok(v.ok);
    // prometheus' 3 observed ports by entity (TCP 6443 to it, TCP 9100 to two nodes); 4 with ingress-nginx's.
    assert.equal(v.byEntity, 3);
    assert.equal(verifyCiliumGeneration(state, gen, policies).byEntity, 4);
  });

  test("node-exporter (host network) reaching the API server: no policy of netfence's selects it, not checked", () => {
    const apiServer = gen.observed.find(
      (c) =>
        c.src.kind === 'workload' &&
        c.src.id === 'monitoring/StatefulSet/prometheus' &&
        c.dst.kind === 'external' &&
        c.dst.ip === '10.0.0.10',
    );
    assert.ok(apiServer !== undefined);
    const fromExporter = {
      ...apiServer,
      src: { ...apiServer.src, id: 'monitoring/DaemonSet/node-exporter' },
    };
    const more = generatePolicies(state, [...gen.observed, fromExporter], DEFAULT_GENERATE_OPTIONS);
    const text = readFileSync(HUBBLE, 'utf8');
    const v = verifyCiliumGeneration(
      state,
      more,
      toCiliumPolicies(more.policies, dnsNamesOfHubble([text]), reservedEntitiesOfHubble([text])),
    );
    assert.deepEqual(v.entityMissing, []);
    assert.equal(v.byEntity, 4);
    assert.ok(v.ok);
  });

  test('--exclude-namespace ingress-nginx: its connection to an address prometheus reaches by name is not checked', () => {
    // The API server's address as a DNS name instead: prometheus' rule is a toFQDNs rule of it.
    const names = new Map([['10.0.0.10', ['kubernetes.example']]]);
    const excluded = generatePolicies(state, gen.observed, {
      ...DEFAULT_GENERATE_OPTIONS,
      excludeNamespaces: ['ingress-nginx'],
    });
    const v = verifyCiliumGeneration(state, excluded, toCiliumPolicies(excluded.policies, names, new Map()));
    assert.deepEqual(v.unnamed, []);
    assert.equal(v.named, 1);
    assert.ok(v.ok);
  });

  test('their rule on every port allows node-exporter every port: a difference', () => {
    const wide = editSpec(policies, 'prometheus-egress', (spec) => ({
      ...spec,
      egress: (spec.egress ?? []).map((r) =>
        r.toEntities?.includes('host') === true ? { toEntities: r.toEntities } : r,
      ),
    }));
    const v = verifyCiliumGeneration(state, gen, wide);
    assert.equal(v.ok, false);
    assert.deepEqual(v.entityMissing, []);
    assert.deepEqual(differences(v), [
      'monitoring/StatefulSet/prometheus → monitoring/DaemonSet/node-exporter',
    ]);
  });
});
