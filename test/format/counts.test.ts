/**
 * One definition of "connection" (docs/json-schema.md#connections): an allowed (source, destination) pair of
 * entities. Every output that counts connections gives the JSON summary's number; the human formats, which
 * merge pairs to or from address ranges into one row, label their rows apart.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.ts';
import type { DiffJson as DiffJsonContract } from '../../src/contract/diff.ts';

const V1 = 'examples/webshop';
const V2 = 'examples/webshop-v2';

async function json<T>(args: string[]): Promise<T> {
  const r = await runCli([...args, '-o', 'json']);
  assert.equal(r.stderr.includes('netfence:'), false, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** The data rows of a CSV answer. */
async function csvRows(args: string[]): Promise<number> {
  const r = await runCli([...args, '-o', 'csv']);
  return r.stdout.trimEnd().split('\n').length - 1;
}

describe('analyze: text, markdown and JSON count the same connections', () => {
  test('the header gives the JSON summary count, and the rows shown apart', async () => {
    const { summary } = await json<{ summary: { connections: number } }>(['analyze', V1]);
    const rows = await csvRows(['analyze', V1]);
    assert.ok(rows < summary.connections, 'the example merges address ranges into rows');
    const txt = await runCli(['analyze', V1]);
    assert.match(txt.stdout, new RegExp(`: ${summary.connections} allowed connections in ${rows} rows\\n`));
    const tableRows = txt.stdout.trimEnd().split('\n').length - 3;
    assert.equal(tableRows, rows);
    const md = await runCli(['analyze', V1, '-o', 'md']);
    assert.match(
      md.stdout,
      new RegExp(`^\\*\\*${summary.connections} allowed connections\\*\\* in ${rows} rows `),
    );
  });
});

/** `diff -o json` as the contract types it. */
type DiffJson = Pick<DiffJsonContract, 'summary' | 'connections'>;

describe("diff counts each side's connections as analyze does", () => {
  test('-o json: each side adds up to analyze -o json of that side', async () => {
    const { summary } = await json<DiffJson>(['diff', V1, V2]);
    for (const [side, path] of [
      ['before', V1],
      ['after', V2],
    ] as const) {
      const analyzed = await json<{ summary: { connections: number } }>(['analyze', path]);
      const s = summary[side];
      assert.equal(s.connections, analyzed.summary.connections, side);
      const gone = side === 'before' ? summary.before.removed : summary.after.added;
      assert.equal(s.unchanged + s.changed + gone, s.connections, side);
    }
    assert.deepEqual(
      [summary.added, summary.removed, summary.changed, summary.unchanged],
      [summary.after.added, summary.before.removed, summary.before.changed, summary.before.unchanged],
    );
    // webshop's fraud-check: any address on 443 narrowed to its vendor is one changed connection.
    assert.deepEqual(summary.before, { connections: 221, unchanged: 203, changed: 2, removed: 16 });
    assert.deepEqual(summary.after, { connections: 225, unchanged: 223, changed: 1, added: 1 });
  });

  test('text, markdown and --fail-on give the same counts, and both totals', async () => {
    const { summary } = await json<DiffJson>(['diff', V1, V2]);
    const changed =
      summary.before.changed === summary.after.changed
        ? `${summary.before.changed}`
        : `${summary.before.changed} → ${summary.after.changed}`;
    const line = `+${summary.added} connection, −${summary.removed}, ${changed} changed (${summary.before.connections} → ${summary.after.connections} connections)`;
    const r = await runCli(['diff', V1, V2]);
    assert.match(r.stdout, new RegExp(`^${line.replace(/[+()]/g, '\\$&')};`, 'm'));
    const md = await runCli(['diff', V1, V2, '-o', 'md']);
    assert.ok(md.stdout.startsWith(`**${line}**`), md.stdout.split('\n')[0]);
    // Each section heads its rows: the connections it counts, and the rows when fewer.
    for (const [title, count] of [
      ['Added', `${summary.added}`],
      ['Removed', `${summary.removed}`],
      ['Changed', changed],
    ] as const) {
      const section = new RegExp(
        `^${title} connections \\(([\\d →]+?)(?: in (\\d+) rows)?\\)\\n(?:.*\\n)+?\\n`,
        'm',
      ).exec(`${r.stdout}\n`);
      assert.ok(section, `${title} section`);
      assert.equal(section[1], count, `${title}: connections`);
      const listed = section[0].trimEnd().split('\n').length - 2;
      assert.equal(Number(section[2] ?? section[1]), listed, `${title}: rows listed`);
    }
    const removed = await runCli(['diff', V1, V2, '--fail-on', 'removed']);
    // Every connection the before side changes lost something here (prometheus a port, fraud-check addresses).
    assert.match(
      removed.stderr,
      new RegExp(
        `^netfence: ${summary.removed + summary.before.changed} connections no longer allowed or narrowed \\(${summary.removed} removed, ${summary.before.changed} changed\\) `,
        'm',
      ),
    );
    // The after side's changed connection (prometheus) only lost a port.
    const added = await runCli(['diff', V1, V2, '--fail-on', 'added']);
    assert.match(
      added.stderr,
      new RegExp(
        `^netfence: ${summary.added} connection newly allowed or widened \\(${summary.added} added\\) `,
        'm',
      ),
    );
    const any = await runCli(['diff', V1, V2, '--fail-on', 'any']);
    assert.match(
      any.stderr,
      new RegExp(
        `^netfence: connectivity changed: ${line.split(' (')[0]!.replace(/[+]/g, '\\$&')} \\(--fail-on any\\)`,
        'm',
      ),
    );
  });
});
