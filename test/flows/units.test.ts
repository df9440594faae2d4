/**
 * "One number, one meaning" for flow captures (docs/json-schema.md#connections): `map`, `check-flows` and
 * `generate` count the same observed ports — (source, destination, protocol, port) — and call them so, never
 * "connections" (an allowed (source, destination) pair); the ATTEMPTS column counts connection attempts, the
 * `attempts` of `map -o json`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.ts';
import type { CheckFlowsJson, MapJson } from '../../src/contract/flows.ts';

const FLOWS = ['examples/webshop', '--flows', 'examples/flows/webshop-hubble.jsonl', '-q'];

/** The leading number of every row's ATTEMPTS cell (`2 (2 denied)` is 2) of the aligned text table. */
function attemptsColumn(table: string): number[] {
  const lines = table.split('\n');
  const header = lines.findIndex((l) => l.startsWith('SOURCE'));
  assert.ok(header >= 0, table);
  const head = lines[header]!;
  const at = head.indexOf('  ATTEMPTS  ');
  assert.ok(at > 0, head);
  const rows = lines.slice(header + 1).filter((l) => l.trim() !== '' && !l.startsWith('Not in'));
  return rows.map((l) => Number(/^\d+/.exec(l.slice(at + 2))?.[0]));
}

test('map, check-flows and generate count the same observed ports and name them so; ATTEMPTS sums to map’s attempts', async () => {
  const json = await runCli(['map', ...FLOWS, '-o', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const map = JSON.parse(json.stdout) as MapJson;
  const ports = map.summary.connections;
  // A source reaching one destination on several ports: observed ports outnumber (source, destination) pairs.
  const pairs = new Set(map.connections.map((c) => JSON.stringify([c.src, c.dst]))).size;
  assert.ok(ports > pairs, `${ports} observed ports, ${pairs} pairs`);

  const txt = await runCli(['map', ...FLOWS]);
  assert.equal(txt.code, 0, txt.stderr);
  assert.match(txt.stdout, new RegExp(`^${ports} observed ports between `));
  const attempts = attemptsColumn(txt.stdout);
  assert.equal(attempts.length, ports);
  assert.equal(
    attempts.reduce((n, a) => n + a, 0),
    map.summary.attempts,
  );

  const check = await runCli(['check-flows', ...FLOWS]);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, new RegExp(`^${ports} observed ports against 21 policies: `));
  assert.doesNotMatch(check.stdout, /CONNECTIONS|observed connection/);
  const checkJson = JSON.parse(
    (await runCli(['check-flows', ...FLOWS, '-o', 'json'])).stdout,
  ) as CheckFlowsJson;
  assert.equal(checkJson.summary.observed, ports);
  assert.equal(checkJson.summary.allowed + checkJson.summary.unpoliced + checkJson.summary.denied, ports);

  const gen = await runCli(['generate', ...FLOWS.slice(0, -1)]); // the report is on stderr, not under -q
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stderr, new RegExp(` from ${ports} observed ports\\n`));
  assert.match(gen.stdout, /# observed: \S+ → \S+ (TCP|UDP) \d+, \d+ attempts?\b/);
  assert.doesNotMatch(gen.stdout, /# observed: .*, \d+ connections?\b/);
});
