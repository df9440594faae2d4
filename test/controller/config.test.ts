import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSettings, exclusions, parseDuration, parseSettings } from '../../src/controller/config.ts';

describe('controller settings', () => {
  test('defaults: both directions with DNS, kube-system and its own namespace excluded', () => {
    const s = defaultSettings('netfence-system');
    assert.equal(s.defaultDeny.directions, 'both');
    assert.deepEqual(s.defaultDeny.dns, { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } });
    assert.deepEqual(s.excludeNamespaces, ['kube-system', 'netfence-system']);
    const ex = exclusions(s);
    assert.equal(ex.why('kube-system', {}), 'excluded by name');
    assert.equal(ex.why('netfence-system', {}), 'excluded by name');
    assert.equal(ex.why('shop', {}), undefined);
  });

  test('a file adds exclusions (names and selectors) and sets the rest', () => {
    const parsed = parseSettings(
      `defaultDeny: { directions: ingress, name: deny-all, dns: false }
excludeNamespaces: [kube-public]
excludeNamespaceSelectors: ['team in (infra, sre)', '!managed']
auditDebounce: 500ms
resync: 2m
blastRadiusTop: 3
`,
      defaultSettings('netfence'),
    );
    assert.ok(parsed.ok);
    const s = parsed.settings;
    assert.deepEqual(s.defaultDeny, { directions: 'ingress', name: 'deny-all', dns: undefined });
    assert.deepEqual(s.excludeNamespaces, ['kube-system', 'netfence', 'kube-public']);
    assert.deepEqual([s.auditDebounceMs, s.resyncMs, s.blastRadiusTop], [500, 120_000, 3]);
    const ex = exclusions(s);
    assert.match(ex.why('a', { team: 'sre', managed: 'yes' }) ?? '', /namespace selector/);
    assert.match(ex.why('b', { team: 'web' }) ?? '', /namespace selector .*DoesNotExist/);
    assert.equal(ex.why('c', { team: 'web', managed: 'yes' }), undefined);
  });

  test('every problem names its field and quotes the value', () => {
    const parsed = parseSettings(
      `defaultDeny: { directions: sideways, name: Bad_Name, dns: { namespace: kube-system, podLabels: [x] } }
excludeNamespaces: kube-public
excludeNamespaceSelectors: ['a=b,,c']
auditDebounce: soon
blastRadiusTop: -1
typo: 1
`,
      defaultSettings('netfence'),
    );
    assert.ok(!parsed.ok);
    assert.deepEqual(
      parsed.problems.map((p) => p.path),
      [
        'typo',
        'defaultDeny.directions',
        'defaultDeny.name',
        'defaultDeny.dns.podLabels',
        'excludeNamespaces',
        'excludeNamespaceSelectors[0]',
        'auditDebounce',
        'blastRadiusTop',
      ],
    );
    assert.match(parsed.problems[1]!.message, /expected one of ingress, egress, both, off, got "sideways"/);
    assert.match(parsed.problems[6]!.message, /got "soon"/);
  });

  test('an empty file is the defaults; text that is not a map is one problem', () => {
    const base = defaultSettings('netfence');
    assert.deepEqual(parseSettings('', base), { ok: true, settings: base });
    const list = parseSettings('- a', base);
    assert.ok(!list.ok);
    assert.equal(list.problems[0]!.message, 'expected a map of settings');
  });

  test('durations', () => {
    assert.deepEqual(['250ms', '2s', '1.5m', '1h', '5', 'x'].map(parseDuration), [
      250,
      2000,
      90_000,
      3_600_000,
      undefined,
      undefined,
    ]);
  });
});
