import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';

/** Inputs that hold no manifests: exit 2 and one line on stderr, whatever the command, --skip-invalid or not. */
describe('no manifests found: every reading command stops with one line, exit 2', () => {
  let dir = '';
  const at = (name: string): string => join(dir, name);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'netfence-nothing-'));
    mkdirSync(at('empty'));
    mkdirSync(at('docs'));
    writeFileSync(at('docs/README.txt'), 'not a manifest\n');
    mkdirSync(at('secrets'));
    // A git-crypt'ed file: binary, with a .yaml name.
    writeFileSync(
      at('secrets/prod.yaml'),
      Buffer.from([0x00, 0x47, 0x49, 0x54, 0x43, 0x52, 0x59, 0x50, 0x54, 0x00, 0xff]),
    );
    writeFileSync(at('values.yaml'), 'replicaCount: 2\nimage: {tag: latest}\n');
    writeFileSync(at('blank.yaml'), '');
    mkdirSync(at('rendered'));
    writeFileSync(at('rendered/a.yaml'), '# Source: chart/templates/a.yaml\n---\n');
    writeFileSync(at('rendered/b.yaml'), '');
    writeFileSync(at('rendered/values.yaml'), 'replicaCount: 2\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: { name: string; args: () => string[]; stdin?: string; line: () => string }[] = [
    {
      name: 'lint of a missing path with --skip-invalid',
      args: () => ['lint', 'manifests/prod', '--skip-invalid'],
      line: () => 'no manifests found in manifests/prod (path "manifests/prod" does not exist)',
    },
    {
      name: 'lint of a missing path',
      args: () => ['lint', 'manifests/prod'],
      line: () => 'no manifests found in manifests/prod (path "manifests/prod" does not exist)',
    },
    {
      name: 'analyze of an empty folder',
      args: () => ['analyze', at('empty')],
      line: () =>
        `no manifests found in ${at('empty')} (folder "${at('empty')}" has no .yaml, .yml or .json files)`,
    },
    {
      name: 'explain of a folder without manifest files, with --skip-invalid',
      args: () => ['explain', '--from', 'a/b', '--to', 'c/d', at('docs'), '--skip-invalid'],
      line: () =>
        `no manifests found in ${at('docs')} (folder "${at('docs')}" has no .yaml, .yml or .json files)`,
    },
    {
      name: 'exposure of a folder whose only .yaml file is binary (named)',
      args: () => ['exposure', at('secrets')],
      line: () => `no manifests found in ${at('secrets')} ("${at('secrets/prod.yaml')}" is a binary file)`,
    },
    {
      name: 'paths of YAML that holds no Kubernetes object',
      args: () => ['paths', '--from', 'a/b', at('values.yaml')],
      line: () => `no manifests found in ${at('values.yaml')} (1 file with no Kubernetes objects)`,
    },
    {
      name: 'analyze of an empty file',
      args: () => ['analyze', at('blank.yaml')],
      line: () => `no manifests found in ${at('blank.yaml')} (it is empty or holds only comments)`,
    },
    {
      name: 'analyze of a folder whose files are empty, comments, or other YAML',
      args: () => ['analyze', at('rendered')],
      line: () =>
        `no manifests found in ${at('rendered')} (1 file with no Kubernetes objects; 2 files empty or with only comments)`,
    },
    {
      name: 'analyze of a folder whose only file is empty',
      args: () => ['analyze', at('rendered/b.yaml'), at('empty')],
      line: () =>
        `no manifests found in ${at('rendered/b.yaml')}, ${at('empty')} (folder "${at('empty')}" has no .yaml, .yml or .json files; "${at('rendered/b.yaml')}" is empty or holds only comments)`,
    },
    {
      name: 'analyze of empty standard input',
      args: () => ['analyze', '-'],
      stdin: '',
      line: () => 'no manifests found in standard input (it is empty or holds only comments)',
    },
    {
      name: 'analyze of standard input with comments only, with --skip-invalid',
      args: () => ['analyze', '-', '--skip-invalid'],
      stdin: '# nothing rendered\n---\n',
      line: () => 'no manifests found in standard input (it is empty or holds only comments)',
    },
    {
      name: 'diff with an empty side',
      args: () => ['diff', at('empty'), 'examples/webshop'],
      line: () =>
        `no manifests found in ${at('empty')} (folder "${at('empty')}" has no .yaml, .yml or .json files)`,
    },
    {
      name: 'test --spec on a missing path',
      args: () => ['test', '--spec', 'examples/webshop-tests.yaml', 'nope/'],
      line: () => 'no manifests found in nope/ (path "nope/" does not exist)',
    },
    {
      name: 'check-flows with an empty folder',
      args: () => ['check-flows', '--flows', 'examples/flows/webshop.csv', at('empty')],
      line: () =>
        `no manifests found in ${at('empty')} (folder "${at('empty')}" has no .yaml, .yml or .json files)`,
    },
    {
      name: 'serve of an empty folder (before it listens)',
      args: () => ['serve', at('empty'), '--port', '0'],
      line: () =>
        `no manifests found in ${at('empty')} (folder "${at('empty')}" has no .yaml, .yml or .json files)`,
    },
    {
      name: 'generate with flows, of a missing path',
      args: () => ['generate', 'nope', '--flows', 'examples/flows/webshop.csv'],
      line: () => 'no manifests found in nope (path "nope" does not exist)',
    },
    {
      name: 'map with flows, of empty standard input',
      args: () => ['map', '-', '--flows', 'examples/flows/webshop.csv'],
      stdin: '\n',
      line: () => 'no manifests found in standard input (it is empty or holds only comments)',
    },
    {
      name: 'report of several inputs, none with manifests',
      args: () => ['report', '--html', '-', at('empty'), at('secrets'), 'nope'],
      line: () =>
        `no manifests found in ${at('empty')}, ${at('secrets')}, nope (path "nope" does not exist; folder "${at('empty')}" has no .yaml, .yml or .json files; "${at('secrets/prod.yaml')}" is a binary file)`,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await runCli(c.args(), c.stdin === undefined ? {} : { stdin: c.stdin });
      assert.equal(r.stderr, `netfence: ${c.line()}\n`);
      assert.equal(r.stdout, '');
      assert.equal(r.code, 2);
    });
  }

  test('a missing path next to manifests is one line and exit 2, --skip-invalid or not', async () => {
    for (const extra of [[], ['--skip-invalid']]) {
      const r = await runCli(['analyze', 'examples/webshop', 'nope.yaml', ...extra]);
      assert.equal(r.stderr, 'netfence: path "nope.yaml" does not exist\n');
      assert.equal(r.code, 2);
    }
  });

  test('--skip-invalid that skips every object leaves nothing to check: exit 2, never a pass', async () => {
    // A lint gate with --skip-invalid said "No findings" (exit 0) on a file whose one document is broken YAML.
    const broken = at('broken.yaml');
    writeFileSync(broken, 'kind: [\n');
    const policy = at('policy.yaml');
    writeFileSync(
      policy,
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: prod}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 70000}]}]\n',
    );
    for (const [command, path, skipped] of [
      ['lint', broken, 1],
      ['analyze', policy, 1],
      ['test', policy, 1],
    ] as const) {
      const args = command === 'test' ? ['test', '--spec', 'examples/webshop-tests.yaml'] : [command];
      const r = await runCli([...args, path, '--skip-invalid']);
      assert.equal(r.code, 2, `${command}: ${r.stdout}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^skipped /m);
      assert.match(
        r.stderr,
        new RegExp(
          `\nnetfence: nothing left to read: --skip-invalid skipped every object of the input \\(${skipped} skipped, listed above\\); fix them, or run without --skip-invalid to see each error\n$`,
        ),
      );
    }
    // One valid object is enough to go on.
    const r = await runCli([
      'analyze',
      policy,
      at('values.yaml'),
      'examples/webshop/data.yaml',
      '--skip-invalid',
      '-q',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('a binary file next to manifests is counted with the files that have none', async () => {
    const r = await runCli(['analyze', 'examples/webshop/data.yaml', at('secrets')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Ignored .* and 1 file with no Kubernetes objects\.$/m);
  });
});
