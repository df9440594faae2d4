import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';

const CSV = 'examples/flows/webshop.csv';
const dir = mkdtempSync(join(tmpdir(), 'netfence-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The bundled CSV capture in two shards (rows of one connection in both), each mapped to JSON. */
async function shards(): Promise<{ a: string; b: string; ja: string; jb: string }> {
  const [header, ...rows] = readFileSync(CSV, 'utf8').trimEnd().split('\n');
  const a = join(dir, 'a.csv');
  const b = join(dir, 'b.csv');
  writeFileSync(a, `${header}\n${rows.filter((_, i) => i % 3 !== 0).join('\n')}\n`);
  writeFileSync(b, `${header}\n${rows.filter((_, i) => i % 3 === 0).join('\n')}\n`);
  const ja = join(dir, 'a.json');
  const jb = join(dir, 'b.json');
  for (const [csv, json] of [
    [a, ja],
    [b, jb],
  ] as const) {
    const r = await runCli(['map', 'examples/webshop', '--flows', csv, '-o', 'json', '-q']);
    assert.equal(r.code, 0, r.stderr);
    writeFileSync(json, r.stdout);
  }
  return { a, b, ja, jb };
}

describe('netfence map --merge', () => {
  test('the merge of the maps of two shards is the map of both, in every format, without manifests', async () => {
    const { a, b, ja, jb } = await shards();
    for (const format of ['json', 'txt', 'csv', 'md', 'dot']) {
      const whole = await runCli(['map', 'examples/webshop', '--flows', a, '--flows', b, '-o', format, '-q']);
      const merged = await runCli(['map', '--merge', ja, jb, '-o', format]);
      assert.equal(merged.code, 0, merged.stderr);
      assert.equal(merged.stdout, whole.stdout, format);
    }
    const json = JSON.parse((await runCli(['map', '--merge', ja, jb, '-o', 'json'])).stdout) as {
      inputs: { name: string }[];
    };
    assert.deepEqual(
      json.inputs.map((i) => i.name),
      [a, b],
    );
  });

  test('a map can come from standard input, and merging one map gives it back', async () => {
    const { ja, jb } = await shards();
    const text = readFileSync(ja, 'utf8');
    const one = await runCli(['map', '--merge', '-', '-o', 'json'], { stdin: text });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, text);
    const two = await runCli(['map', '--merge', '-', jb, '-o', 'json'], { stdin: text });
    assert.equal(two.stdout, (await runCli(['map', '--merge', ja, jb, '-o', 'json'])).stdout);
  });

  test('what cannot be merged is one line naming the file, exit 2', async () => {
    const { ja } = await shards();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(ja, 'utf8')), schemaVersion: 7 }));
    const check = join(dir, 'check.json');
    writeFileSync(check, '{"schemaVersion":1,"summary":{},"denied":[]}');
    const cases: [string[], string][] = [
      [['map', '--merge', ja, bad], `netfence: --merge: ${bad}: schemaVersion: expected 1, got 7\n`],
      [
        ['map', '--merge', check],
        `netfence: --merge: ${check}: not the JSON of \`netfence map -o json\` (no "connections" and "inputs")\n`,
      ],
      [
        ['map', '--merge', CSV],
        `netfence: --merge: ${CSV}: not JSON; give files written by \`netfence map -o json\`\n`,
      ],
      [
        ['map', '--merge', join(dir, 'none.json')],
        `netfence: --merge: cannot read "${join(dir, 'none.json')}": it does not exist\n`,
      ],
      [['map', '--merge'], 'netfence: --merge: give the files written by `netfence map -o json`\n'],
      [
        ['map', '--merge', ja, '--flows', CSV],
        'netfence: --merge combines map JSON files and reads no flows: drop --flows, or --merge\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, stderr);
    }
  });
});
