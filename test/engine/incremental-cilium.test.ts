/**
 * Cilium policies in the incremental engine: an edit of a NetworkPolicy, a CiliumNetworkPolicy or a
 * CiliumClusterwideNetworkPolicy (add, change, remove; one selecting many classes; deny rules) or of a cluster
 * policy on a cluster with Cilium policies recomputes the classes the edit touches, not everything; the first
 * Cilium policy, the last one gone, and a CIDR no policy mentioned before recompile (the address space
 * changes). Every answer is checked against a fresh `compileCluster`, and so is the list of changed
 * connections each update reports.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ipBlockNodeCidrs, mentionedCidrs } from '../../src/engine/compile.ts';
import {
  createIncrementalEngine,
  type IncrementalEngine,
  type IncrementalUpdate,
} from '../../src/engine/incremental.ts';
import { ciliumMentionedCidrs } from '../../src/engine/cilium.ts';
import { tierMentionedCidrs } from '../../src/engine/tiers.ts';
import { checked } from '../support/incremental.ts';
import { parseCidr } from '../../src/base/ip.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { ciliumPolicyInfo, type CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule } from '../../src/model/cilium-wire.ts';
import { specArb } from '../support/arbitraries.ts';
import { NAMESPACES, ciliumClusterArb, ruleSetArb } from '../support/cilium-arbitraries.ts';
import { ccnp, cnp, cnpCilium, policy } from '../support/builders.ts';
import { conformanceCluster, describeConnectivity } from '../support/verdicts.ts';

const NUM_RUNS = Number(process.env['NETFENCE_CILIUM_RUNS'] ?? 60);

/** The distinct CIDRs every policy of the state mentions (what the engine's address space is split at). */
function cidrs(state: ClusterState): string {
  const keys = new Set<string>();
  // NetworkPolicy ipBlocks set apart the Node addresses they hold (`ipBlockNodeCidrs`).
  for (const text of [
    ...mentionedCidrs(state.policies),
    ...ipBlockNodeCidrs(state.policies, state.nodes),
    ...tierMentionedCidrs(state),
    ...ciliumMentionedCidrs(state),
  ]) {
    const parsed = parseCidr(text);
    if (parsed.ok) keys.add(`${parsed.cidr.family}/${parsed.cidr.start}/${parsed.cidr.prefix}`);
  }
  return [...keys].sort().join(' ');
}

/** prod: web, db (endpoints), agent (host network); dev: web, client. Nodes n1, n2. */
function base(ciliumPolicies: CiliumPolicyInfo[]): ClusterState {
  return conformanceCluster({
    policies: [
      policy('prod', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('prod', 'web-from-dev', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }],
      }),
    ],
    ciliumPolicies,
  });
}

const dbFromWeb: CiliumRule = {
  endpointSelector: { matchLabels: { app: 'db' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '5432' }] }] }],
};

describe('incremental engine: Cilium policies', () => {
  test('a CiliumNetworkPolicy added, changed and removed touches only the classes it selects', () => {
    const inc = createIncrementalEngine(
      base([ccnp('health', { endpointSelector: {}, ingress: [{ fromEntities: ['host'] }] })]),
    );
    const db = cnpCilium('prod', 'db', dbFromWeb);
    const added = checked(inc, () => inc.updateCiliumPolicy(db));
    assert.equal(added.recompiled, false);
    assert.equal(added.touchedClasses, 1, 'prod/db only');
    assert.ok(added.changes.length > 0);
    const ports = cnpCilium('prod', 'db', {
      ...dbFromWeb,
      ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '5433' }] }] },
      ],
    });
    const changedPorts = checked(inc, () => inc.updateCiliumPolicy(ports));
    assert.equal(changedPorts.recompiled, false);
    assert.equal(changedPorts.touchedClasses, 1);
    const removed = checked(inc, () => inc.removeCiliumPolicy(db.id));
    assert.equal(removed.recompiled, false);
    assert.equal(removed.touchedClasses, 1);
    assert.deepEqual(inc.removeCiliumPolicy(db.id), { touchedClasses: 0, recompiled: false, changes: [] });
  });

  test('a clusterwide deny selecting every endpoint, added, changed and removed, without recompiling', () => {
    const inc = createIncrementalEngine(base([cnpCilium('prod', 'db', dbFromWeb)]));
    const deny = ccnp('no-dev', {
      endpointSelector: {},
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dev' } }] }],
    });
    const added = checked(inc, () => inc.updateCiliumPolicy(deny));
    assert.equal(added.recompiled, false);
    assert.equal(added.touchedClasses, 4, 'every class but the host-network one');
    assert.ok(added.changes.some((c) => c.src.startsWith('dev/') && c.after === undefined));
    const narrowed = ccnp('no-dev', {
      endpointSelector: {},
      ingressDeny: [
        {
          fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dev' } }],
          toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }],
        },
      ],
    });
    // Its rules match the two dev classes only: prod's classes (isolated by a NetworkPolicy) are patched there;
    // dev's, put in default deny by the new deny rule, are rebuilt.
    assert.equal(added.patchedClasses, 2);
    const narrowedUpdate = checked(inc, () => inc.updateCiliumPolicy(narrowed));
    assert.equal(narrowedUpdate.recompiled, false);
    assert.equal(narrowedUpdate.patchedClasses, 4, 'every class keeps its isolation: all patched at dev');
    assert.equal(checked(inc, () => inc.removeCiliumPolicy(deny.id)).recompiled, false);
  });

  test('a NetworkPolicy edit keeps the Cilium rules of the classes it selects', () => {
    const inc = createIncrementalEngine(base([cnpCilium('prod', 'db', dbFromWeb)]));
    const edited = policy('prod', 'db-from-client', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } }] }],
    });
    const update = checked(inc, () => inc.updatePolicy(edited));
    assert.equal(update.recompiled, false);
    assert.equal(update.touchedClasses, 1);
    // prod/web still reaches prod/db on 5432 (Cilium's allow) while dev/client now does too (the NetworkPolicy).
    const lines = describeConnectivity(inc.connectivity());
    assert.ok(
      lines.some((l) => l.startsWith('prod/Pod/web -> prod/Pod/db: TCP 5432')),
      lines.join('\n'),
    );
    assert.equal(checked(inc, () => inc.removePolicy(edited.id)).recompiled, false);
  });

  test('a cluster policy edit on a cluster with a Cilium deny on unisolated classes', () => {
    const state = base([
      ccnp('dev-no-world', {
        endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dev' } },
        egressDeny: [
          { toEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '80' }] }] },
        ],
      }),
    ]);
    const inc = createIncrementalEngine(state);
    const guard = cnp('guard', {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { env: 'dev' } } },
      egress: [
        {
          action: 'Deny',
          to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }],
        },
      ],
    });
    assert.equal(checked(inc, () => inc.updateClusterPolicy(guard)).recompiled, false);
    const allow = cnp('guard', {
      ...guard.spec,
      egress: [
        {
          action: 'Accept',
          to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }],
        },
      ],
    });
    const update = checked(inc, () => inc.updateClusterPolicy(allow));
    assert.equal(update.recompiled, false);
    assert.equal(checked(inc, () => inc.removeClusterPolicy(guard.id)).recompiled, false);
  });

  test('policies with several rule sets (`specs`): an edit before them renumbers theirs, an edit of one rule set', () => {
    const two = (egressPort: string): CiliumPolicyInfo =>
      ciliumPolicyInfo({
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'two', namespace: 'dev' },
        specs: [
          { endpointSelector: { matchLabels: { app: 'web' } }, ingressDeny: [{ fromEndpoints: [{}] }] },
          {
            endpointSelector: { matchLabels: { app: 'client' } },
            egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: egressPort }] }] }],
          },
        ],
      });
    const first = cnpCilium('prod', 'db', dbFromWeb);
    const inc = createIncrementalEngine(base([first, two('80')]));
    const edited = checked(inc, () => inc.updateCiliumPolicy(two('443')));
    assert.equal(edited.recompiled, false);
    assert.equal(edited.touchedClasses, 2, 'dev/web and dev/client');
    // The first policy goes: the other's two rule sets move down, and still select their classes.
    assert.equal(checked(inc, () => inc.removeCiliumPolicy(first.id)).recompiled, false);
    assert.deepEqual(
      inc.compiled.cilium.specs.map((s) => [s.index, s.policy]),
      [
        [0, 0],
        [1, 0],
      ],
    );
    assert.equal(checked(inc, () => inc.updateCiliumPolicy(two('8080'))).recompiled, false);
  });

  test('the first Cilium policy, the last one gone and a new CIDR recompile', () => {
    const inc = createIncrementalEngine(base([]));
    const db = cnpCilium('prod', 'db', dbFromWeb);
    assert.equal(checked(inc, () => inc.updateCiliumPolicy(db)).recompiled, true);
    const cidr = ccnp('no-metadata', {
      endpointSelector: {},
      egressDeny: [{ toCIDR: ['169.254.169.254/32'] }],
    });
    assert.equal(checked(inc, () => inc.updateCiliumPolicy(cidr)).recompiled, true);
    // The same CIDR again, written differently (the host's own bits): no new border, no recompile.
    const same = ccnp('no-metadata-2', {
      endpointSelector: {},
      egressDeny: [{ toCIDR: ['169.254.169.254/32'] }],
    });
    assert.equal(checked(inc, () => inc.updateCiliumPolicy(same)).recompiled, false);
    assert.equal(checked(inc, () => inc.removeCiliumPolicy(same.id)).recompiled, false);
    assert.equal(checked(inc, () => inc.removeCiliumPolicy(cidr.id)).recompiled, true);
    assert.equal(checked(inc, () => inc.removeCiliumPolicy(db.id)).recompiled, true);
  });
});

const CIDR_FIELDS = ['fromCIDR', 'fromCIDRSet', 'toCIDR', 'toCIDRSet'];

/** The rule set without its CIDR peers (a rule left with no peer field matches every peer). */
function withoutCidrs(spec: CiliumRule): CiliumRule {
  const strip = (rules: unknown): unknown =>
    Array.isArray(rules)
      ? rules.map((r: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(r).filter(([k]) => !CIDR_FIELDS.includes(k))),
        )
      : rules;
  const out: Record<string, unknown> = { ...spec };
  for (const list of ['ingress', 'ingressDeny', 'egress', 'egressDeny'])
    if (list in out) out[list] = strip(out[list]);
  return out;
}

/**
 * A random rule set; two times in three without CIDR peers, so that most edits keep the address space, and
 * half the time selecting every endpoint (of its namespace, or of the cluster), so that most edits touch some.
 */
const editedRuleSetArb = fc.tuple(ruleSetArb, fc.nat(2), fc.boolean()).map(([spec, keep, every]) => {
  const edited = keep === 0 ? spec : withoutCidrs(spec);
  return every ? { ...edited, endpointSelector: {} } : edited;
});

/** One edit of a random sequence. */
type Edit =
  | { kind: 'policy'; namespace: string; slot: number; spec: Parameters<typeof policy>[2] }
  | { kind: 'remove policy'; pick: number }
  | { kind: 'cilium'; namespace: string | undefined; slot: number; spec: CiliumRule }
  | { kind: 'change cilium'; pick: number; spec: CiliumRule }
  | { kind: 'remove cilium'; pick: number }
  | { kind: 'drop cluster policies' };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('policy' as const),
    namespace: fc.constantFrom('a', 'b'),
    slot: fc.nat(1),
    spec: specArb,
  }),
  fc.record({ kind: fc.constant('remove policy' as const), pick: fc.nat(9) }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('cilium' as const),
      namespace: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
      slot: fc.nat(1),
      spec: editedRuleSetArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('change cilium' as const),
      pick: fc.nat(9),
      spec: editedRuleSetArb,
    }),
  },
  fc.record({ kind: fc.constant('remove cilium' as const), pick: fc.nat(9) }),
  fc.constant({ kind: 'drop cluster policies' as const }),
);

function apply(inc: IncrementalEngine, edit: Edit): IncrementalUpdate {
  const { policies, ciliumPolicies } = inc.state;
  switch (edit.kind) {
    case 'policy':
      return inc.updatePolicy(policy(edit.namespace, `edit${edit.slot}`, edit.spec));
    case 'remove policy': {
      const p = policies[edit.pick % Math.max(1, policies.length)];
      return p === undefined ? inc.removePolicy('none/none') : inc.removePolicy(p.id);
    }
    case 'cilium':
      return inc.updateCiliumPolicy(
        edit.namespace === undefined
          ? ccnp(`edit${edit.slot}`, edit.spec)
          : cnpCilium(edit.namespace, `edit${edit.slot}`, edit.spec),
      );
    case 'change cilium': {
      const p = ciliumPolicies[edit.pick % Math.max(1, ciliumPolicies.length)];
      if (p === undefined) return inc.setCiliumPolicies([]);
      return inc.updateCiliumPolicy(
        p.namespace === undefined ? ccnp(p.name, edit.spec) : cnpCilium(p.namespace, p.name, edit.spec),
      );
    }
    case 'remove cilium': {
      const p = ciliumPolicies[edit.pick % Math.max(1, ciliumPolicies.length)];
      return inc.removeCiliumPolicy(p?.id ?? 'none');
    }
    case 'drop cluster policies':
      return inc.setClusterPolicies([]);
  }
}

describe('incremental engine: random edits with Cilium policies (property)', () => {
  test('every update equals a fresh compile, and edits that keep the address space do not recompile', () => {
    let fast = 0;
    let ciliumFast = 0;
    let atPeers = 0;
    const property = fc.property(
      ciliumClusterArb,
      fc.array(editArb, { minLength: 2, maxLength: 6 }),
      (state, edits) => {
        const inc = createIncrementalEngine(state);
        for (const edit of edits) {
          const space = cidrs(inc.state);
          const hadCilium = inc.state.ciliumPolicies.length > 0;
          const update = checked(inc, () => apply(inc, edit));
          const sameSpace = space === cidrs(inc.state) && hadCilium === inc.state.ciliumPolicies.length > 0;
          // The fast path ran wherever the address space stays (cluster policies aside: the last one matching
          // by address makes pod classes forget their addresses); a recompile where it moves.
          if (!sameSpace) assert.equal(update.recompiled, true, `${edit.kind}: not recompiled`);
          else if (edit.kind !== 'drop cluster policies') assert.equal(update.recompiled, false, edit.kind);
          if (!update.recompiled && update.touchedClasses > 0) {
            fast++;
            if (edit.kind.includes('cilium')) ciliumFast++;
            if (edit.kind.includes('cilium') && (update.patchedClasses ?? 0) > 0) atPeers++;
          }
        }
      },
    );
    // The property is not vacuous: many edits went the fast way, Cilium edits among them, some of those
    // recomputing rows at the edit's peers only. Those counts are random (at 20 runs, as under mutation
    // testing, 1 to 4 patched at their peers): more batches of random cases run, each checked, until they are
    // reached, so that the check fails only when a path is (nearly) never taken, not on an unlucky draw.
    const reached = (): boolean =>
      fast >= NUM_RUNS / 3 && ciliumFast >= NUM_RUNS / 6 && atPeers >= NUM_RUNS / 12;
    fc.assert(property, { numRuns: NUM_RUNS });
    for (let batch = 0; batch < 5 && !reached(); batch++) fc.assert(property, { numRuns: NUM_RUNS });
    assert.ok(fast >= NUM_RUNS / 3, `${fast} fast updates`);
    assert.ok(ciliumFast >= NUM_RUNS / 6, `${ciliumFast} fast Cilium updates`);
    assert.ok(atPeers >= NUM_RUNS / 12, `${atPeers} Cilium updates patched at their peers`);
  });
});
