/**
 * examples/cilium: the newsroom's Cilium policies as netfence reads the files (the entity, the L7 rule, the
 * FQDN rule, the deny are what the README says), and the Cilium lint rules find nothing in it.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { lint } from '../../src/lint/run.ts';
import { RULES } from '../../src/lint/registry.ts';
import { ciliumPolicyInfo } from '../../src/model/cilium.ts';
import type { ClusterState } from '../../src/model/cluster.ts';
import { loadState } from '../flows/support.ts';
import { loadManifests } from '../../src/parse/index.ts';
import { formatProblem } from '../../src/model/problem.ts';

const DIR = new URL('../../examples/cilium/', import.meta.url).pathname;

let state: ClusterState;
before(async () => {
  state = await loadState(DIR);
});

test('the example reads without a warning, and has the four Cilium features the README walks through', async () => {
  const result = await loadManifests([DIR], { defaultNamespace: 'default', skipInvalid: false });
  assert.deepEqual(result.warnings.map(formatProblem), []);
  const byName = new Map(state.ciliumPolicies.map((p) => [p.name, p.specs[0]!]));
  assert.deepEqual(
    [...byName.keys()],
    ['web-from-world', 'api-from-web', 'feed-fetcher-egress', 'deny-cloud-metadata'],
  );
  assert.deepEqual(byName.get('web-from-world')!.ingress[0]!.peers, [{ kind: 'entity', entity: 'world' }]);
  assert.equal(byName.get('api-from-web')!.ingress[0]!.ports?.[0]?.l7, 'http');
  assert.deepEqual(byName.get('feed-fetcher-egress')!.egress[1]!.peers, [
    { kind: 'fqdn', name: 'feeds.agency.example' },
    { kind: 'fqdnPattern', pattern: '*.wire.example' },
  ]);
  const deny = byName.get('deny-cloud-metadata')!;
  assert.deepEqual(deny.egressDeny[0]!.peers, [{ kind: 'cidr', cidr: '169.254.169.254/32', except: [] }]);
  // The guardrail only denies: it must not put every pod in default deny for egress.
  assert.deepEqual(deny.defaultDeny, { ingress: false, egress: false });
});

test('the Cilium lint rules find nothing in the example', () => {
  const rules = RULES.filter((r) => r.id.includes('cilium'));
  assert.ok(rules.length >= 6, `only ${rules.length} Cilium rules found`);
  const result = lint({ state }, { rules });
  assert.deepEqual(
    result.findings.map((f) => `${f.ruleId} ${f.object.id}: ${f.message}`),
    [],
  );
});

test('without the DNS proxy rule, the FQDN rule is reported: the check above can fail', () => {
  const broken = state.ciliumPolicies.map((p) =>
    p.name === 'feed-fetcher-egress'
      ? ciliumPolicyInfo({
          ...p.object,
          spec: { ...p.object.spec, egress: p.object.spec?.egress?.slice(1) ?? [] },
        })
      : p,
  );
  const rules = RULES.filter((r) => r.id === 'require-cilium-dns-proxy-for-fqdn');
  const result = lint({ state: { ...state, ciliumPolicies: broken } }, { rules });
  assert.deepEqual(
    result.findings.map((f) => f.object.id),
    ['news/CiliumNetworkPolicy/feed-fetcher-egress'],
  );
});
