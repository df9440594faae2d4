/**
 * CNI profiles (src/engine/profiles.ts), pinned for what mutation testing (issue #20, round 11) found
 * unpinned: the default profile is `--cni upstream` as resolved (explain compares a profile's verdict with the
 * one "under `--cni upstream`", compiled under `UPSTREAM_PROFILE`), and the rule `explain` names for a
 * setting other than endPort stays that setting's rule when the ends' namespace has a Cilium policy using
 * endPort; and the rule names the override that set it when the override is a key alone (`--cni-option
 * cluster-policies`: an empty value), as it does for `cluster-policies=`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster } from '../../src/engine/compile.ts';
import { intersectPorts, portSetOf } from '../../src/engine/ports.ts';
import { ProfileExplainer } from '../../src/engine/profile-explain.ts';
import {
  UPSTREAM_PROFILE,
  cniEngineOptions,
  profileName,
  profileRule,
  resolveCniProfile,
} from '../../src/engine/profiles.ts';
import { cluster, cnpCilium, dbFromWebAddress } from '../support/builders.ts';
import { cniProfile } from '../support/verdicts.ts';

test('the default profile is `--cni upstream` as resolved: its name, no version given, no overrides', () => {
  const resolved = resolveCniProfile('upstream');
  assert.ok(resolved.ok);
  assert.deepEqual(UPSTREAM_PROFILE, resolved.value);
  assert.equal(profileName(UPSTREAM_PROFILE), 'upstream');
});

test('explain names the CIDR rule that decided, not the endPort one, beside a Cilium policy using endPort', () => {
  // db accepts TCP 80 from web's address (an ipBlock): upstream allows it, Cilium 1.15 matches no pod IP
  // by CIDR. The namespace also holds a CiliumNetworkPolicy with endPort (selecting nothing), which Cilium
  // 1.15 reads without it: a setting of the profile, but not the one that decided.
  const s = cluster({
    ...dbFromWebAddress([{ port: 80 }]),
    ciliumPolicies: [
      cnpCilium('shop', 'unused-cnp', {
        endpointSelector: { matchLabels: { app: 'none' } },
        ingress: [{ toPorts: [{ ports: [{ port: '1000', endPort: 1001, protocol: 'TCP' }] }] }],
      }),
    ],
  });
  const compiled = compileCluster(s, cniEngineOptions(cniProfile('cilium@1.15')));
  const tcp80 = portSetOf('TCP', [80, 80]);
  const allowed = compiled.allowedBetween(
    { kind: 'pod', namespace: 'shop', name: 'web' },
    { kind: 'pod', namespace: 'shop', name: 'db' },
  );
  const end = (name: string) => ({
    kind: 'pod' as const,
    classId: compiled.classOfPod('shop', name)!,
    name: `shop/${name}`,
    onePod: `shop/${name}`,
  });
  const explainer = new ProfileExplainer(compiled);
  assert.ok(explainer.settings().includes('endPort'));
  assert.deepEqual(
    explainer.decisions(end('web'), end('db'), tcp80, intersectPorts(allowed, tcp80)).map((d) => d.rule),
    ['cilium@1.15: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods'],
  );
});

test('an override given as a key alone (an empty value) is named in the rule it set, as with `key=`', () => {
  const calico = (override: string) => profileRule(cniProfile('calico', override), 'clusterPolicies');
  const off = 'calico: ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy are not enforced';
  assert.equal(calico('cluster-policies='), `${off} (cluster-policies=)`);
  assert.equal(calico('cluster-policies'), `${off} (cluster-policies)`);
  const cilium = profileRule(cniProfile('cilium', 'policy-cidr-match-mode'), 'cidrMatchesPods');
  assert.equal(
    cilium,
    'cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods (policy-cidr-match-mode)',
  );
});
