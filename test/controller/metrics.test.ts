import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { LATENCY_BUCKETS, Metrics } from '../../src/controller/metrics.ts';

describe('the metrics exposition', () => {
  test('gauges, counters and a histogram read back by a Prometheus text-format parser', () => {
    const m = new Metrics();
    m.setGauge('netfence_lint_findings', 'Lint findings.', [
      { labels: { rule: 'no-allow-all', severity: 'error' }, value: 2 },
      { labels: { rule: 'odd "name"\\path\nline', severity: 'info' }, value: 1 },
    ]);
    m.inc('netfence_audits_total', 'Audits.');
    m.inc('netfence_audits_total', 'Audits.');
    m.inc('netfence_actions_total', 'Actions.', { action: 'created' }, 3);
    m.observe('netfence_reconcile_duration_seconds', 'Reconcile time.', {}, 0.003);
    m.observe('netfence_reconcile_duration_seconds', 'Reconcile time.', {}, 2);
    m.observe('netfence_reconcile_duration_seconds', 'Reconcile time.', {}, 100);
    const parsed = parsePrometheusTextFormat(m.text());
    assert.deepEqual(
      parsed.map((f) => [f.name, f.type, f.help]),
      [
        ['netfence_lint_findings', 'GAUGE', 'Lint findings.'],
        ['netfence_audits_total', 'COUNTER', 'Audits.'],
        ['netfence_actions_total', 'COUNTER', 'Actions.'],
        ['netfence_reconcile_duration_seconds', 'HISTOGRAM', 'Reconcile time.'],
      ],
    );
    assert.deepEqual(parsed[0]!.metrics, [
      { labels: { rule: 'no-allow-all', severity: 'error' }, value: '2' },
      { labels: { rule: 'odd "name"\\path\nline', severity: 'info' }, value: '1' },
    ]);
    assert.deepEqual(parsed[1]!.metrics, [{ value: '2' }]);
    assert.deepEqual(parsed[2]!.metrics, [{ labels: { action: 'created' }, value: '3' }]);
    const h = parsed[3]!.metrics[0]!;
    assert.equal(h.count, '3');
    assert.equal(Number(h.sum), 102.003);
    // Cumulative buckets: 3 ms falls in 0.005 and above, 2 s in 2.5 and above, 100 s only in +Inf.
    const bucket = (le: number | string): number => Number(h.buckets?.[String(le)]);
    assert.equal(bucket(0.001), 0);
    assert.equal(bucket(0.005), 1);
    assert.equal(bucket(1), 1);
    assert.equal(bucket(2.5), 2);
    assert.equal(bucket(60), 2);
    assert.equal(bucket('+Inf'), 3);
    assert.equal(Object.keys(h.buckets ?? {}).length, LATENCY_BUCKETS.length + 1);
  });

  test('replacing a gauge drops the series not given again; a declared metric shows before its first value', () => {
    const m = new Metrics();
    m.declare('netfence_audits_total', 'Audits.', 'counter');
    m.setGauge('netfence_unprotected_workloads', 'Unprotected.', [
      { labels: { namespace: 'a' }, value: 1 },
      { labels: { namespace: 'b' }, value: 2 },
    ]);
    m.setGauge('netfence_unprotected_workloads', 'Unprotected.', [{ labels: { namespace: 'b' }, value: 5 }]);
    const parsed = parsePrometheusTextFormat(m.text());
    assert.deepEqual(parsed.find((f) => f.name === 'netfence_unprotected_workloads')?.metrics, [
      { labels: { namespace: 'b' }, value: '5' },
    ]);
    assert.deepEqual(parsed.find((f) => f.name === 'netfence_audits_total')?.metrics, []);
  });

  test('one name, one type', () => {
    const m = new Metrics();
    m.inc('netfence_x', 'X.');
    assert.throws(() => m.set('netfence_x', 'X.', {}, 1), /netfence_x is a counter/);
  });
});
