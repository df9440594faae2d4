/**
 * src/parse/validate/networkpolicy.ts and meta.ts (issue #20, round 11): a NetworkPolicy spec, rule, peer,
 * port or label selector is kept as read only when checking it would report nothing and copy it equal, key
 * order and prototype included; anything else is checked and copied: unknown fields, fields out of the checks'
 * order, an ipBlock beside a selector, a peer's second selector, an empty protocol, the other direction's peers
 * field, a field left absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterState, parseManifestText } from '../../src/parse/index.ts';
import type { NetworkPolicySpec } from '../../src/model/k8s.ts';

interface Read {
  spec: NetworkPolicySpec | undefined;
  warnings: string[];
  errors: string[];
}

/** The policy of `spec` (YAML lines under `spec:`) as built, with its problems as `path: message`. */
function policy(spec: string, change?: (object: Record<string, unknown>) => void): Read {
  const text = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n${spec}\n`;
  const objects = parseManifestText(text, 'p.yaml').objects;
  if (change !== undefined) for (const o of objects) change(o.object);
  const r = buildClusterState(objects, { defaultNamespace: 'default', skipInvalid: false });
  const line = (p: { path?: readonly (string | number)[]; message: string }): string =>
    `${(p.path ?? []).join('.')}: ${p.message}`;
  return { spec: r.state.policies[0]?.spec, warnings: r.warnings.map(line), errors: r.errors.map(line) };
}

test('unknown fields of a spec and of a rule are reported and dropped, even beside known ones', () => {
  const spec = policy('  podSelector: {}\n  bogus: 1');
  assert.deepEqual(spec.spec, { podSelector: {} });
  assert.equal(spec.warnings.length, 1);
  assert.match(spec.warnings[0]!, /^spec\.bogus: /);
  const rule = policy('  podSelector: {}\n  ingress:\n  - bogus: 1');
  assert.deepEqual(rule.spec, { podSelector: {}, ingress: [{}] });
  assert.equal(rule.warnings.length, 1);
  assert.match(rule.warnings[0]!, /^spec\.ingress\.0\.bogus: /);
  const port = policy('  podSelector: {}\n  ingress:\n  - ports:\n    - bogus: 1');
  assert.deepEqual(port.spec, { podSelector: {}, ingress: [{ ports: [{}] }] });
  assert.match(port.warnings[0]!, /^spec\.ingress\.0\.ports\.0\.bogus: /);
});

test("a rule's fields out of the checks' order are copied in that order", () => {
  const read = policy(
    '  podSelector: {}\n  ingress:\n  - ports: [{port: 80}]\n    from: [{podSelector: {}}]',
  );
  assert.deepEqual(read.warnings, []);
  const rule = read.spec?.ingress?.[0];
  assert.deepEqual(Object.keys(rule ?? {}), ['from', 'ports']);
  assert.equal(
    JSON.stringify(read.spec),
    '{"podSelector":{},"ingress":[{"from":[{"podSelector":{}}],"ports":[{"port":80}]}]}',
  );
});

test("the other direction's peers field in a rule is an unknown field", () => {
  const egress = policy('  podSelector: {}\n  egress:\n  - from: [{podSelector: {}}]');
  assert.deepEqual(egress.spec?.egress, [{}]);
  assert.match(egress.warnings.join('\n'), /^spec\.egress\.0\.from: /);
  const ingress = policy('  podSelector: {}\n  ingress:\n  - to: [{podSelector: {}}]');
  assert.deepEqual(ingress.spec?.ingress, [{}]);
  assert.match(ingress.warnings.join('\n'), /^spec\.ingress\.0\.to: /);
});

test('a peer: an ipBlock beside a selector, and each of its two selectors, are checked', () => {
  const both = policy(
    '  podSelector: {}\n  ingress:\n  - from: [{podSelector: {}, ipBlock: {cidr: 10.0.0.0/8}}]',
  );
  assert.deepEqual(both.errors, [
    'spec.ingress.0.from.0: may not combine ipBlock with podSelector: a peer is either selectors or an ipBlock. Split it into two peers (two "- " items)',
  ]);
  const pods = policy(
    '  podSelector: {}\n  ingress:\n  - from: [{podSelector: {matchLabels: {-bad: x}}, namespaceSelector: {}}]',
  );
  assert.equal(pods.errors.length, 1);
  assert.match(pods.errors[0]!, /^spec\.ingress\.0\.from\.0\.podSelector\.matchLabels/);
  const namespaces = policy(
    '  podSelector: {}\n  ingress:\n  - from: [{podSelector: {}, namespaceSelector: {matchLabels: {-bad: x}}}]',
  );
  assert.equal(namespaces.errors.length, 1);
  assert.match(namespaces.errors[0]!, /^spec\.ingress\.0\.from\.0\.namespaceSelector\.matchLabels/);
});

test('an empty protocol is checked (an error), not kept', () => {
  const read = policy('  podSelector: {}\n  ingress:\n  - ports: [{protocol: "", port: 80}]');
  assert.equal(read.errors.length, 1);
  assert.match(read.errors[0]!, /^spec\.ingress\.0\.ports\.0\.protocol: /);
});

test('a spec checked the long way keeps no key for an absent field', () => {
  const read = policy('  podSelector: {matchExpressions: [{key: app, operator: Exists}]}');
  assert.deepEqual(read.errors, []);
  assert.deepEqual(Object.keys(read.spec ?? {}), ['podSelector']);
  assert.deepEqual(Object.keys(read.spec?.podSelector ?? {}), ['matchExpressions']);
});

test('a misspelt field of a label selector is reported (matchLabel)', () => {
  const read = policy('  podSelector: {matchLabel: {app: web}}');
  assert.equal(read.warnings.length, 1);
  assert.match(read.warnings[0]!, /^spec\.podSelector\.matchLabel: /);
  assert.deepEqual(read.spec, { podSelector: {} });
});

/** A copy of `value` whose mappings have no prototype (as a program, not a parser, may give). */
function withoutPrototypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPrototypes);
  if (typeof value !== 'object' || value === null) return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[k] = withoutPrototypes(v);
  return out;
}

test('mappings that are not plain objects are copied into plain ones', () => {
  const read = policy(
    '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{podSelector: {}}]',
    (o) => {
      o.spec = withoutPrototypes(o.spec);
    },
  );
  assert.deepEqual(read.errors, []);
  const spec = read.spec!;
  assert.equal(Object.getPrototypeOf(spec), Object.prototype);
  assert.equal(Object.getPrototypeOf(spec.podSelector), Object.prototype);
  assert.equal(Object.getPrototypeOf(spec.podSelector!.matchLabels), Object.prototype);
  assert.equal(Object.getPrototypeOf(spec.ingress![0]), Object.prototype);
  assert.deepEqual(spec, {
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ from: [{ podSelector: {} }] }],
  });
  const ports = policy('  ingress:\n  - ports: [{port: 80}]', (o) => {
    o.spec = withoutPrototypes(o.spec);
  }).spec!;
  assert.equal(Object.getPrototypeOf(ports), Object.prototype);
  assert.equal(Object.getPrototypeOf(ports.ingress![0]), Object.prototype);
  assert.equal(Object.getPrototypeOf(ports.ingress![0]!.ports![0]), Object.prototype);
  assert.deepEqual(ports, { ingress: [{ ports: [{ port: 80 }] }] });
});

test("a workload template's labels are checked (meta.ts, validateTemplateMetadata)", () => {
  const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n      labels: {app: web, -bad: x}\n    spec:\n      containers: [{name: c, image: nginx}]\n`;
  const r = buildClusterState(parseManifestText(text, 'd.yaml').objects, {
    defaultNamespace: 'default',
    skipInvalid: false,
  });
  const errors = r.errors.map((e) => `${(e.path ?? []).join('.')}: ${e.message}`);
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /^spec\.template\.metadata\.labels/);
});

test('a port given as a list is a type error, even a list of one port name', () => {
  const read = policy('  podSelector: {}\n  ingress:\n  - ports: [{port: [http]}]');
  assert.equal(read.errors.length, 1);
  assert.match(read.errors[0]!, /^spec\.ingress\.0\.ports\.0\.port: must be an integer or a port name/);
});

test('a field set to undefined (by a program) is absent: no key kept, and the fields after it checked', () => {
  const undefinedField = policy('  podSelector: {}', (o) => {
    o.spec = { podSelector: {}, ingress: undefined };
  });
  assert.deepEqual(undefinedField.spec, { podSelector: {} });
  assert.deepEqual(Object.keys(undefinedField.spec ?? {}), ['podSelector']);
  const onlyUndefined = policy('  podSelector: {}', (o) => {
    o.spec = { ingress: undefined };
  });
  assert.deepEqual(Object.keys(onlyUndefined.spec ?? {}), []);
  const thenUnknown = policy('  podSelector: {}', (o) => {
    o.spec = { podSelector: {}, ingress: undefined, bogus: 1 };
  });
  assert.deepEqual(thenUnknown.spec, { podSelector: {} });
  assert.match(thenUnknown.warnings.join('\n'), /^spec\.bogus: /);
});
