/**
 * One definition of "connection" (docs/json-schema.md#connections): an allowed (source, destination) pair of
 * entities. Every output that counts connections gives the JSON summary's number; the human formats, which
 * merge pairs to or from address ranges into one row, label their rows apart.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.ts';

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

interface DiffJson {
  summary: { added: number; removed: number; changed: number };
  connections: { change: string; addedPorts: unknown; removedPorts: unknown }[];
}

describe('diff: the summary line, each section and --fail-on agree with -o json', () => {
  test('text', async () => {
    const { summary } = await json<DiffJson>(['diff', V1, V2]);
    const r = await runCli(['diff', V1, V2]);
    assert.match(
      r.stdout,
      new RegExp(`^\\+${summary.added} connection, −${summary.removed}, ${summary.changed} changed;`, 'm'),
    );
    // Each section heads its rows: the connections it counts, and the rows when fewer.
    for (const [title, kind] of [
      ['Added', 'added'],
      ['Removed', 'removed'],
      ['Changed', 'changed'],
    ] as const) {
      const section = new RegExp(
        `^${title} connections \\((\\d+)(?: in (\\d+) rows)?\\)\\n(?:.*\\n)+?\\n`,
        'm',
      ).exec(`${r.stdout}\n`);
      assert.ok(section, `${title} section`);
      assert.equal(Number(section[1]), summary[kind], `${title}: connections`);
      const listed = section[0].trimEnd().split('\n').length - 2;
      assert.equal(Number(section[2] ?? section[1]), listed, `${title}: rows listed`);
    }
  });

  test('--fail-on counts the connections -o json lists', async () => {
    const { connections } = await json<DiffJson>(['diff', V1, V2]);
    const lost = connections.filter((c) => c.removedPorts !== null).length;
    const gained = connections.filter((c) => c.addedPorts !== null).length;
    const removed = await runCli(['diff', V1, V2, '--fail-on', 'removed']);
    assert.match(
      removed.stderr,
      new RegExp(`^netfence: ${lost} connections no longer allowed or narrowed `, 'm'),
    );
    const added = await runCli(['diff', V1, V2, '--fail-on', 'added']);
    assert.match(
      added.stderr,
      new RegExp(`^netfence: ${gained} connections? newly allowed or widened `, 'm'),
    );
    const any = await runCli(['diff', V1, V2, '--fail-on', 'any']);
    assert.match(any.stderr, new RegExp(`^netfence: ${connections.length} connections changed `, 'm'));
  });
});
