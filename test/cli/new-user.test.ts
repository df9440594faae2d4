/**
 * What a new user met on the bundled examples (round 13): counts that counted definitions instead of objects,
 * numbers that did not mean what the words around them said, and errors without the fix.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'netfence-new-user-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => join(dir, name);

describe('objects defined again are counted once', () => {
  const copy = at('webshop-copy');
  cpSync('examples/webshop', copy, { recursive: true });

  test('the ignored objects of a folder given twice are counted as once, as its read objects are', async () => {
    const once = await runCli(['analyze', 'examples/webshop']);
    const twice = await runCli(['analyze', 'examples/webshop', copy]);
    assert.equal(twice.code, 0, twice.stderr);
    const ignored = (stderr: string): string | undefined => /^Ignored .*$/m.exec(stderr)?.[0];
    assert.match(ignored(once.stderr) ?? '', /^Ignored 15 objects of other kinds \(ConfigMap ×7,/);
    assert.equal(ignored(twice.stderr), ignored(once.stderr));
    assert.equal(twice.stdout, once.stdout);
  });

  test('lint and diff print the same count', async () => {
    for (const args of [
      ['lint', 'examples/webshop', copy],
      ['diff', 'examples/webshop', copy],
    ]) {
      const r = await runCli(args);
      assert.match(r.stderr, /^Ignored 15 objects of other kinds \(ConfigMap ×7,/m, args.join(' '));
    }
  });

  test('--skip-invalid that skips an object defined twice has nothing left: exit 2', async () => {
    const bad =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {containers: [{name: c, image: i, ports: [{containerPort: 99999}]}]}\n';
    writeFileSync(at('bad1.yaml'), bad);
    writeFileSync(at('bad2.yaml'), bad);
    const r = await runCli(['analyze', '--skip-invalid', at('bad1.yaml'), at('bad2.yaml')]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(
      r.stderr,
      /nothing left to read: --skip-invalid skipped every object of the input \(1 skipped/,
    );
  });
});

describe('generate --exclude-denied: the connections counted are those used, and the ones left out are said', () => {
  const flows = 'examples/flows/webshop-hubble.jsonl';
  const headline = (stderr: string): string => /^generated .*$/m.exec(stderr)?.[0] ?? '';

  test('text: "from N observed connections" counts after the exclusion and says how many it left out', async () => {
    const all = await runCli(['generate', 'examples/webshop', '--flows', flows, '--output-dir', at('all')]);
    const some = await runCli([
      ...['generate', 'examples/webshop', '--flows', flows, '--exclude-denied'],
      ...['--output-dir', at('some')],
    ]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(some.code, 0, some.stderr);
    assert.match(headline(all.terminal), / from 67 observed ports$/);
    assert.match(
      headline(some.terminal),
      / from 63 observed ports \(--exclude-denied left out 4 more, every attempt of which was dropped during the capture\)$/,
    );
    assert.match(some.terminal, /^verified: the generated policies allow exactly the 63 observed ports$/m);
  });

  test('JSON: summary.observed is the same number, summary.excludedDenied the connections left out', async () => {
    const json = async (extra: string[]) => {
      const r = await runCli(['generate', 'examples/webshop', '--flows', flows, '-o', 'json', ...extra]);
      assert.equal(r.code, 0, r.stderr);
      return (
        JSON.parse(r.stdout) as { summary: { observed: number; excludedDenied: number; leftOut: number } }
      ).summary;
    };
    const all = await json([]);
    const some = await json(['--exclude-denied']);
    assert.deepEqual([all.observed, all.excludedDenied], [67, 0]);
    assert.deepEqual([some.observed, some.excludedDenied, some.leftOut], [63, 4, 4]);
  });
});

describe('generate --exclude-namespace with a name close to one of the input', () => {
  test('"dat": exit 2, naming "data"', async () => {
    const r = await runCli([
      ...['generate', 'examples/webshop', '--flows', 'examples/flows/webshop.csv'],
      ...['--exclude-namespace', 'dat'],
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^netfence: --exclude-namespace "dat": no workload of the input is in that namespace \(namespaces: data, ingress-nginx, kube-system, monitoring, payments, shop\); did you mean "data"\?$/m,
    );
  });
});

describe('a kubeconfig whose current context is not among its contexts', () => {
  const kubeconfig = (current: string, contexts: string[]): string => {
    const file = at(`kubeconfig-${current || 'none'}-${contexts.length}`);
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `current-context: "${current}"`,
        'clusters: [{name: c1, cluster: {server: "https://127.0.0.1:1"}}]',
        `contexts: [${contexts.map((c) => `{name: ${c}, context: {cluster: c1, user: u1}}`).join(', ')}]`,
        'users: [{name: u1, user: {token: x}}]',
        '',
      ].join('\n'),
    );
    return file;
  };

  test('names the missing context, lists those it has, and says how to choose one: exit 2, before any request', async () => {
    const file = kubeconfig('prod', ['dev', 'staging']);
    const r = await runCli(['analyze', '--cluster', '--kubeconfig', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `netfence: the current context of ${file}, "prod", is not among its contexts (it has "dev", "staging"): choose one with --context <name>, or make one current with kubectl config use-context <name>\n`,
    );
  });

  test('without a current context: the same ways to choose one', async () => {
    const file = kubeconfig('', ['dev']);
    const r = await runCli(['analyze', '--cluster', '--kubeconfig', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `netfence: ${file} has no current context (it has "dev"): choose one with --context <name>, or make one current with kubectl config use-context <name>\n`,
    );
  });

  test('without any context: says to add one', async () => {
    const file = kubeconfig('prod', []);
    const r = await runCli(['analyze', '--cluster', '--kubeconfig', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `netfence: the current context of ${file}, "prod", is not among its contexts (it has none): add one with kubectl config set-context, or give another --kubeconfig\n`,
    );
  });
});

describe('a misspelled path', () => {
  test('names the file or folder beside it that is closest: exit 2', async () => {
    const r = await runCli(['analyze', 'examples/webshp']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      'netfence: no manifests found in examples/webshp (path "examples/webshp" does not exist; did you mean "examples/webshop"?)\n',
    );
  });

  test('next to a path that holds manifests: the one line names it too', async () => {
    const r = await runCli(['analyze', 'examples/webshop', 'examples/drift/prod.yml']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      'netfence: path "examples/drift/prod.yml" does not exist; did you mean "examples/drift/prod.yaml"?\n',
    );
  });
});

describe('test --spec with a misspelled file', () => {
  test('names the spec file meant before offering to write one: exit 2', async () => {
    const r = await runCli(['test', 'examples/webshop', '--spec', 'examples/webshop-test.yaml']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      'netfence: --spec: no file "examples/webshop-test.yaml"; did you mean "examples/webshop-tests.yaml"? (or write one with: netfence test --init -o examples/webshop-test.yaml <manifests>)\n',
    );
  });
});

describe('explain --to an address with a number above 255', () => {
  test('is a bad address (exit 2), not a DNS name no rule allows (exit 1)', async () => {
    const r = await runCli([
      ...['explain', 'examples/webshop', '--from', 'payments/payment-gateway'],
      ...['--to', '203.0.113.300', '--port', '443', '-q'],
    ]);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'netfence: --to: "203.0.113.300" is not an IP address (four numbers from 0 to 255, like 203.0.113.10) nor a DNS name\n',
    );
  });
});

describe('--flows with a misspelled file', () => {
  test('names the capture meant, and the file once: exit 2', async () => {
    const r = await runCli(['map', 'examples/webshop', '--flows', 'examples/flows/webshop.cvs', '-q']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      'netfence: flows: cannot read "examples/flows/webshop.cvs": it does not exist; did you mean "examples/flows/webshop.csv"?\n',
    );
  });

  test('among several flow inputs, on its own line', async () => {
    const r = await runCli([
      ...['map', 'examples/webshop', '-q'],
      ...['--flows', 'examples/flows/webshop.cvs', '--flows', 'examples/flows/webshop-hubbel.jsonl'],
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^cannot read "examples\/flows\/webshop-hubbel\.jsonl": it does not exist; did you mean "examples\/flows\/webshop-hubble\.jsonl"\?$/m,
    );
  });
});

describe('snapshot given a path', () => {
  test('a folder: the file to write in it, not the folder, is offered for -o', async () => {
    const r = await runCli(['snapshot', 'examples/webshop']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      'netfence: snapshot reads the live cluster and takes no paths; to write a file, use -o examples/webshop/snapshot.yaml\n',
    );
  });

  test('a file name: offered as it is', async () => {
    const r = await runCli(['snapshot', at('out.yaml')]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `netfence: snapshot reads the live cluster and takes no paths; to write a file, use -o ${at('out.yaml')}\n`,
    );
  });
});

describe('generate --tier baseline --exclude-namespace with a name close to one of the input', () => {
  test('goes on (the Baseline policy covers namespaces the input lacks) with a warning naming "data"', async () => {
    const r = await runCli([
      ...['generate', 'examples/webshop', '--flows', 'examples/flows/webshop.csv', '-q'],
      ...['--tier', 'baseline', '--exclude-namespace', 'dat', '--exclude-namespace', 'tenant-x'],
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      'warning: --exclude-namespace "dat": no workload of the input is in that namespace (left out of the Baseline policy as given); did you mean "data"?\n',
    );
  });
});
