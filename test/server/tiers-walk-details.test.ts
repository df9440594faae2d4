/**
 * The walks of src/server/tiers.ts (`decideDirection`, `decideConnection`, `allowedByOf`) and the words of
 * `clusterPoliciesJson` on a small cluster made for them: named ports on egress and ingress, a rule with two
 * peers of which one matches, a deny rule with an unknown peer (which matches everything), a NetworkPolicy
 * that allows every port, address ends, several allowing rules and policies on one connection, and a cluster
 * policy without an origin. Mutants of the fifth-round run of src/server left alive (docs/mutation/server.md).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClassEnd } from '../../src/engine/connectivity.ts';
import { ALL_CONNECTIONS } from '../../src/engine/ports.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { DEFAULT_CONFIG } from '../../src/lint/config.ts';
import type { TierRuleInfo } from '../../src/model/cluster.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { Analysis } from '../../src/server/analysis.ts';
import { readSources } from '../../src/server/sources.ts';
import {
  allowedByOf,
  clusterPoliciesJson,
  decideConnection,
  type LayerStep,
} from '../../src/server/tiers.ts';
import { webshopAnalysis } from './support.ts';

const deployment = (name: string, ports: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: a}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: x${ports}}]}
`;
const pods = (app: string): string =>
  `{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: ${app}}}}}`;
const tcp = (port: number): string => `{tcp: {destinationPort: {number: ${port}}}}`;
const cnp = (
  name: string,
  tier: string,
  priority: number,
  subject: string,
  rules: string,
): string => `apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  tier: ${tier}
  priority: ${priority}
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: ${subject}}}}}
${rules}`;

const YAML = [
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n',
  deployment('web', ', ports: [{name: http, containerPort: 8080}]'),
  deployment('client', ''),
  deployment('db', ''),
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-client, namespace: a}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
`,
  cnp(
    'egress-client',
    'Admin',
    1,
    'client',
    `  egress:
    - {action: Accept, to: [${pods('db')}, ${pods('web')}], protocols: [{destinationNamedPort: http}]}
    - {action: Deny, to: [{namespaces: {matchLabels: {made: unknown}}}], protocols: [${tcp(9999)}]}
    - {action: Accept, to: [{networks: [10.0.0.0/8]}], protocols: [${tcp(443)}]}
`,
  ),
  cnp(
    'ingress-web',
    'Admin',
    2,
    'web',
    `  ingress:
    - {action: Accept, from: [${pods('client')}], protocols: [{destinationNamedPort: http}]}
    - {action: Accept, from: [${pods('client')}], protocols: [${tcp(81)}]}
    - {action: Accept, from: [${pods('client')}], protocols: [${tcp(82)}]}
`,
  ),
  cnp(
    'ingress-web-2',
    'Admin',
    3,
    'web',
    `  ingress:
    - {action: Accept, from: [${pods('client')}], protocols: [${tcp(83)}]}
`,
  ),
  cnp(
    'words',
    'Baseline',
    10,
    'nothing',
    `  ingress:
    - {action: Accept, from: [{namespaces: {}}], protocols: [{destinationNamedPort: a}, {destinationNamedPort: b}]}
    - {action: Accept, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {range: {start: 1000, end: 2000}}}}, {destinationNamedPort: a}, {destinationNamedPort: b}]}
`,
  ),
].join('---\n');

let dir: string;
let analysis: Analysis;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netfence-tiers-walk-'));
  writeFileSync(join(dir, 'cluster.yaml'), YAML);
  const loaded = await loadManifests([dir], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(loaded.errors, []);
  // The validation refuses a peer of no known field: the parsed policy gets one (as from a newer API version).
  const policy = loaded.state.clusterPolicies.find((p) => p.name === 'egress-client')!;
  const rule = policy.egress[1]!;
  (policy.egress as TierRuleInfo[])[1] = { ...rule, peers: [{ kind: 'unknown', fields: ['foo', 'bar'] }] };
  const sources = await readSources(loaded.state);
  analysis = new Analysis({
    state: loaded.state,
    source: { kind: 'files', description: dir },
    engine: { ipBlockMatchesPods: true },
    defaultNamespace: 'default',
    sources: sources.objects,
    policyYaml: sources.policyYaml,
    lintConfig: DEFAULT_CONFIG,
    version: 1,
    watch: false,
  });
});
after(() => {
  analysis.close();
  rmSync(dir, { recursive: true, force: true });
});

const id = (name: string): string => `a/Deployment/${name}`;
const end = (entity: string): ClassEnd => {
  const ends = analysis.index.ends(entity);
  assert.equal(ends.length, 1);
  return ends[0]!;
};
/** A step as one line: `admin ClusterNetworkPolicy/egress-client#0 allow TCP 8080`. */
const line = (s: LayerStep): string =>
  [
    s.layer,
    s.policy === undefined ? null : `${s.policy.info.id}#${s.rule!.index}`,
    s.action,
    formatPorts(s.ports),
  ]
    .filter((x) => x !== null)
    .join(' ');
const walk = (src: ClassEnd, dst: ClassEnd): { egress: string[]; ingress: string[] } => {
  const w = decideConnection(analysis.compiled, src, dst, ALL_CONNECTIONS);
  return { egress: w.egress.map(line), ingress: w.ingress.map(line) };
};
/** The external entities (address classes): the one of 10.0.0.0/8 and one outside it. */
const addresses = (): { inside: string; outside: string } => {
  const ext = analysis.index.entities.filter((e) => 'address' in analysis.index.ends(e.id)[0]!);
  const inside = ext.find((e) => analysis.index.displayName(e.id).startsWith('10.0.0.0/8'));
  const outside = ext.find((e) => !analysis.index.displayName(e.id).startsWith('10.0.0.0/8'));
  assert.ok(inside !== undefined && outside !== undefined);
  return { inside: inside.id, outside: outside.id };
};

describe('decideConnection', () => {
  test('between two pods: named ports towards the destination, a rule whose second peer matches, an unknown peer denying', () => {
    assert.deepEqual(walk(end(id('client')), end(id('web'))), {
      egress: [
        'admin ClusterNetworkPolicy/egress-client#0 allow TCP 8080',
        'admin ClusterNetworkPolicy/egress-client#1 deny TCP 9999',
        'default allow TCP 1-8079,8081-9998,10000-65535; UDP all ports; SCTP all ports',
      ],
      ingress: [
        'admin ClusterNetworkPolicy/ingress-web#0 allow TCP 8080',
        'admin ClusterNetworkPolicy/ingress-web#1 allow TCP 81',
        'admin ClusterNetworkPolicy/ingress-web#2 allow TCP 82',
        'admin ClusterNetworkPolicy/ingress-web-2#0 allow TCP 83',
        'default allow TCP 1-80,84-8079,8081-65535; UDP all ports; SCTP all ports',
      ],
    });
  });

  test('a NetworkPolicy allowing every port: one allow step, no empty deny step', () => {
    assert.deepEqual(walk(end(id('client')), end(id('db'))).ingress, [
      'network-policy allow All connections',
    ]);
  });

  test('an address end has no walk of its own, and the pod side is walked', () => {
    const { inside } = addresses();
    assert.deepEqual(walk(end(id('client')), end(inside)), {
      egress: [
        'admin ClusterNetworkPolicy/egress-client#1 deny TCP 9999',
        'admin ClusterNetworkPolicy/egress-client#2 allow TCP 443',
        'default allow TCP 1-442,444-9998,10000-65535; UDP all ports; SCTP all ports',
      ],
      ingress: [],
    });
    assert.deepEqual(walk(end(inside), end(id('web'))), {
      egress: [],
      ingress: ['default allow All connections'],
    });
  });
});

describe('allowedByOf', () => {
  test('undefined without cluster policies', async () => {
    const webshop = await webshopAnalysis();
    try {
      assert.equal(webshop.compiled.tierPolicies.length, 0);
      assert.equal(allowedByOf(webshop.index), undefined);
    } finally {
      webshop.close();
    }
  });

  test('every allowing rule and policy once, rules of one policy and first rules of two policies apart', () => {
    const allowedBy = allowedByOf(analysis.index)!;
    assert.deepEqual(allowedBy(id('client'), id('web'), ALL_CONNECTIONS)!.ingress, [
      { layer: 'admin', policy: 'ClusterNetworkPolicy/ingress-web', rule: 0 },
      { layer: 'admin', policy: 'ClusterNetworkPolicy/ingress-web', rule: 1 },
      { layer: 'admin', policy: 'ClusterNetworkPolicy/ingress-web', rule: 2 },
      { layer: 'admin', policy: 'ClusterNetworkPolicy/ingress-web-2', rule: 0 },
      { layer: 'default', policy: null, rule: null },
    ]);
  });

  test('two address ends are walked apart (the memo keeps them apart)', () => {
    const allowedBy = allowedByOf(analysis.index)!;
    const { inside, outside } = addresses();
    assert.deepEqual(allowedBy(id('client'), inside, ALL_CONNECTIONS)!.egress, [
      { layer: 'admin', policy: 'ClusterNetworkPolicy/egress-client', rule: 2 },
      { layer: 'default', policy: null, rule: null },
    ]);
    assert.deepEqual(allowedBy(id('client'), outside, ALL_CONNECTIONS)!.egress, [
      { layer: 'default', policy: null, rule: null },
    ]);
  });
});

describe('clusterPoliciesJson', () => {
  test('an unknown peer and named ports in words', () => {
    const policies = clusterPoliciesJson(analysis.compiled, new Map(), new Map());
    const byName = new Map(policies.map((p) => [p.name, p]));
    assert.deepEqual(byName.get('egress-client')!.egress[1]!.peers, [
      'unknown peer (foo, bar): matches nothing for an allow rule, everything otherwise',
    ]);
    assert.deepEqual(
      byName.get('words')!.ingress.map((r) => r.ports),
      ['port named a, port named b', 'TCP 1000-2000, port named a, port named b'],
    );
  });

  test('a cluster policy without an origin: no file, no line', () => {
    const compiled = {
      ...analysis.compiled,
      tierPolicies: analysis.compiled.tierPolicies.map((p) => {
        const info = { ...p.info };
        delete info.origin;
        return { ...p, info };
      }),
    };
    const policies = clusterPoliciesJson(compiled, new Map(), new Map());
    assert.equal(policies.length, 4);
    for (const p of policies) assert.deepEqual([p.file, p.line], [null, null]);
  });
});
