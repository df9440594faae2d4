/**
 * The manifests behind a state, read once more for the server (src/server/sources.ts): the YAML of each
 * policy as written (comments kept, without its `---` line and trailing blank lines), for NetworkPolicies,
 * cluster policies and Cilium policies; nothing for a policy inside a List; standard input; a file gone
 * since it was read; the objects of every file in file-name order. (Found missing by the mutation run of
 * src/server, fifth round: see docs/mutation/server.md.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadManifests } from '../../src/parse/index.ts';
import { readSources, renderPolicy } from '../../src/server/sources.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'netfence-sources-'));
  dirs.push(d);
  return d;
}

const DENY = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata: {namespace: shop, name: deny} # inline comment',
  '# --- a divider in a comment',
  'spec: {podSelector: {}}',
].join('\n');

const ALLOW = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  namespace: shop',
  '  name: allow',
  '  # a comment inside',
  'spec:',
  '  podSelector: {}',
  '  ingress: [{}]',
].join('\n');

const ANP = [
  'apiVersion: policy.networking.k8s.io/v1alpha1',
  'kind: AdminNetworkPolicy',
  'metadata: {name: guard}',
  'spec:',
  '  priority: 10',
  '  subject: {namespaces: {}}',
  '  ingress: [{action: Deny, from: [{namespaces: {}}]}]',
].join('\n');

const CNP = [
  'apiVersion: cilium.io/v2',
  'kind: CiliumNetworkPolicy',
  'metadata: {namespace: shop, name: l7}',
  'spec:',
  '  endpointSelector: {}',
  '  ingress: [{fromEndpoints: [{}]}]',
].join('\n');

const POD = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {namespace: shop, name: web, labels: {app: web}}',
  'spec: {containers: [{name: c, image: i}]}',
].join('\n');

async function load(paths: string[], stdin?: string) {
  const loaded = await loadManifests(paths, {
    defaultNamespace: 'default',
    skipInvalid: false,
    ...(stdin === undefined ? {} : { readStdin: () => Promise.resolve(stdin) }),
  });
  assert.deepEqual(
    loaded.errors.map((e) => e.message),
    [],
  );
  return loaded.state;
}

function withoutOrigin<T extends { origin?: unknown }>(item: T): T {
  const copy = { ...item };
  delete copy.origin;
  return copy;
}

describe('readSources', () => {
  test('each policy as written: comments kept, no --- line, no trailing blank lines, one newline at the end', async () => {
    const dir = tempDir();
    const file = join(dir, 'all.yaml');
    writeFileSync(
      file,
      `${DENY}\n\n\n--- # the second\n${ALLOW}\n   \n---\n${POD}\n---\n${ANP}\n---\n${CNP}\n\n`,
    );
    const state = await load([file]);
    const sources = await readSources(state);
    assert.deepEqual(
      [...sources.policyYaml].sort(([a], [b]) => (a < b ? -1 : 1)),
      [
        ['AdminNetworkPolicy/guard', `${ANP}\n`],
        ['CiliumNetworkPolicy/shop/l7', `${CNP}\n`],
        ['shop/allow', `${ALLOW}\n`],
        ['shop/deny', `${DENY}\n`],
      ],
    );
    assert.deepEqual(
      sources.objects.map((o) => o.kind),
      ['NetworkPolicy', 'NetworkPolicy', 'Pod', 'AdminNetworkPolicy', 'CiliumNetworkPolicy'],
    );
  });

  test('the file of a Cilium policy is read even when nothing else comes from it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'pod.yaml'), `${POD}\n`);
    writeFileSync(join(dir, 'cilium.yaml'), `---\n${CNP}\n`);
    const state = await load([join(dir, 'pod.yaml'), join(dir, 'cilium.yaml')]);
    const sources = await readSources(state);
    assert.deepEqual([...sources.policyYaml], [['CiliumNetworkPolicy/shop/l7', `${CNP}\n`]]);
    assert.deepEqual(
      sources.objects.map((o) => o.kind),
      ['CiliumNetworkPolicy', 'Pod'],
    );
  });

  test('the objects of every file, in file-name order', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'b.yaml'), `${DENY}\n`);
    writeFileSync(join(dir, 'a.yaml'), `${POD}\n---\n${ALLOW}\n`);
    const state = await load([join(dir, 'b.yaml'), join(dir, 'a.yaml')]);
    const sources = await readSources(state);
    assert.deepEqual(
      sources.objects.map((o) => `${o.file}:${o.kind}:${o.line}`),
      [
        `${join(dir, 'a.yaml')}:Pod:1`,
        `${join(dir, 'a.yaml')}:NetworkPolicy:6`,
        `${join(dir, 'b.yaml')}:NetworkPolicy:1`,
      ],
    );
    assert.equal(sources.policyYaml.get('shop/allow'), `${ALLOW}\n`);
    assert.equal(sources.policyYaml.get('shop/deny'), `${DENY}\n`);
  });

  test('a policy inside a List has no YAML as written (its model shows it rebuilt)', async () => {
    const dir = tempDir();
    const file = join(dir, 'list.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- apiVersion: networking.k8s.io/v1',
        '  kind: NetworkPolicy',
        '  metadata: {namespace: shop, name: listed}',
        '  spec: {podSelector: {}}',
        '',
      ].join('\n'),
    );
    const state = await load([file]);
    const sources = await readSources(state);
    assert.deepEqual([...sources.policyYaml], []);
    assert.deepEqual(
      sources.objects.map((o) => o.kind),
      ['NetworkPolicy'],
    );
    assert.match(
      renderPolicy(state.policies[0]!),
      /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/,
    );
  });

  test('standard input: read from the text given, and left out without it', async () => {
    const text = `${DENY}\n---\n${POD}\n`;
    const state = await load(['-'], text);
    const given = await readSources(state, text);
    assert.deepEqual([...given.policyYaml], [['shop/deny', `${DENY}\n`]]);
    assert.deepEqual(
      given.objects.map((o) => o.kind),
      ['NetworkPolicy', 'Pod'],
    );
    const without = await readSources(state);
    assert.deepEqual([...without.policyYaml], []);
    assert.deepEqual(without.objects, []);
  });

  test('a file gone since it was read is left out; the others are read', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.yaml'), `${DENY}\n`);
    writeFileSync(join(dir, 'b.yaml'), `${ALLOW}\n`);
    const state = await load([join(dir, 'a.yaml'), join(dir, 'b.yaml')]);
    rmSync(join(dir, 'a.yaml'));
    const sources = await readSources(state);
    assert.deepEqual([...sources.policyYaml], [['shop/allow', `${ALLOW}\n`]]);
    assert.equal(sources.objects.length, 1);
  });
});

describe('readSources: what is not where it was read', () => {
  test('a policy without an origin (as read from a cluster) has no YAML as written', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.yaml'), `${DENY}\n---\n${CNP}\n`);
    const state = await load([join(dir, 'p.yaml')]);
    const bare = {
      ...state,
      ciliumPolicies: state.ciliumPolicies.map(withoutOrigin),
      policies: state.policies.map(withoutOrigin),
    };
    const sources = await readSources(bare);
    assert.deepEqual([...sources.policyYaml], []);
    assert.deepEqual(sources.objects, []);
  });

  test('a JSON value only JSON.parse reads (a key twice) has no YAML as written, and stops nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'twice.json');
    const policy = (name: string): string =>
      `{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"namespace":"shop","name":"${name}","name":"${name}"},"spec":{"podSelector":{}}}`;
    writeFileSync(file, `${policy('a')}\n${policy('b')}\n`);
    const state = await load([file]);
    assert.equal(state.policies.length, 2);
    const sources = await readSources(state);
    assert.deepEqual([...sources.policyYaml], []);
    assert.equal(sources.objects.length, 2);
  });

  test('a file changed since it was read: a policy no longer where it was has no YAML as written', async () => {
    const dir = tempDir();
    const file = join(dir, 'p.yaml');
    writeFileSync(file, `${DENY}\n---\n${ALLOW}\n`);
    const state = await load([file]);
    writeFileSync(file, `${DENY}\n---\n# moved down a line\n${ALLOW}\n`);
    const sources = await readSources(state);
    assert.deepEqual([...sources.policyYaml], [['shop/deny', `${DENY}\n`]]);
  });
});

describe('renderPolicy', () => {
  test('labels only when the policy has some', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'p.yaml'),
      `${DENY}\n---\n${ALLOW.replace('  name: allow', '  name: allow\n  labels: {team: a}')}\n`,
    );
    const state = await load([join(dir, 'p.yaml')]);
    const byName = new Map(state.policies.map((p) => [p.name, renderPolicy(p)]));
    assert.doesNotMatch(byName.get('deny')!, /labels/);
    assert.match(byName.get('allow')!, /\n {2}labels:\n {4}team: a\n/);
    assert.match(byName.get('allow')!, /\n {2}name: allow\n {2}namespace: shop\n/);
  });
});
