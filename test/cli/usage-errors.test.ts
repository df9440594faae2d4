/**
 * Usage errors are one line in netfence's format, exit 2, naming the bad value and the fix: Commander's own
 * (unknown option or command, missing option or argument) with its "did you mean", values outside an option's
 * choices with the nearest one, and the shared number and duration parsers. And the `--no-X` footer of
 * `--help` names an option the command has.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDuration, wholeNumber } from '../../src/cli/options/values.ts';
import { runCli } from '../support/cli.ts';

const EXAMPLE = 'examples/webshop';

/** Runs `args`, asserts exit 2, nothing on stdout and exactly one `netfence: ` line on stderr; returns it. */
async function usageError(args: readonly string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^netfence: [^\n]+\n$/, `${args.join(' ')}: one line expected, got ${r.stderr}`);
  return r.stderr.trimEnd();
}

describe("Commander's errors, as one line", () => {
  const cases: [string, string[], string][] = [
    [
      'an unknown option',
      ['analyze', '--bogus'],
      'netfence: unknown option "--bogus" (see netfence analyze --help)',
    ],
    [
      'a misspelled option, with the suggestion',
      ['analyze', EXAMPLE, '--skip-invalidd'],
      'netfence: unknown option "--skip-invalidd"; did you mean --skip-invalid? (see netfence analyze --help)',
    ],
    [
      'a missing required option',
      ['explain', EXAMPLE, '--from', 'shop/web'],
      'netfence: required option "--to <peer>" not specified (see netfence explain --help)',
    ],
    [
      'an option without its value',
      ['analyze', EXAMPLE, '-o'],
      'netfence: option "-o, --output <format>" argument missing (see netfence analyze --help)',
    ],
    [
      'report -o: the file goes to --html, its value kept',
      ['report', EXAMPLE, '-o', 'x.html'],
      'netfence: unknown option "-o"; did you mean --html x.html? (see netfence report --help)',
    ],
    [
      'report --output=: the same',
      ['report', EXAMPLE, '--output=x.html'],
      'netfence: unknown option "--output=x.html"; did you mean --html x.html? (see netfence report --help)',
    ],
    [
      'report -ox.html (the value attached to the short option): the same',
      ['report', EXAMPLE, '-ox.html'],
      'netfence: unknown option "-ox.html"; did you mean --html x.html? (see netfence report --help)',
    ],
    [
      'report -ohtml (a format attached): the option and its argument',
      ['report', EXAMPLE, '-ohtml'],
      'netfence: unknown option "-ohtml"; did you mean --html <file>? (see netfence report --help)',
    ],
    [
      'report -o html (a format, as other commands take): the option and its argument',
      ['report', EXAMPLE, '-o', 'html'],
      'netfence: unknown option "-o"; did you mean --html <file>? (see netfence report --help)',
    ],
    [
      'report -o - (standard output, which --html writes to as well)',
      ['report', EXAMPLE, '-o', '-'],
      'netfence: unknown option "-o"; did you mean --html -? (see netfence report --help)',
    ],
    [
      'report -o without a value: the option and its argument',
      ['report', EXAMPLE, '-o'],
      'netfence: unknown option "-o"; did you mean --html <file>? (see netfence report --help)',
    ],
    [
      'an unknown command',
      ['analyse'],
      'netfence: unknown command "analyse"; did you mean analyze? (see netfence --help)',
    ],
  ];
  for (const [what, args, line] of cases) {
    test(what, async () => assert.equal(await usageError(args), line));
  }
});

describe('a value outside the choices: the choices and the nearest one', () => {
  const cases: [string[], string][] = [
    [['analyze', EXAMPLE, '-o', 'xml'], '--output: unknown value "xml"; use one of txt, json, csv, md, dot'],
    [
      ['analyze', EXAMPLE, '-o', 'jsn'],
      '--output: unknown value "jsn"; use one of txt, json, csv, md, dot; did you mean "json"?',
    ],
    [
      ['analyze', EXAMPLE, '--granularity', 'Pod'],
      '--granularity: unknown value "Pod"; use one of workload, pod; did you mean "pod"?',
    ],
    [
      ['analyze', EXAMPLE, '--host-network-pods', 'exmpt'],
      '--host-network-pods: unknown value "exmpt"; use one of exempt, policed; did you mean "exempt"?',
    ],
    [
      ['generate', EXAMPLE, '--format', 'Cilium'],
      '--format: unknown value "Cilium"; use one of kubernetes, cilium; did you mean "cilium"?',
    ],
    [
      ['map', EXAMPLE, '--flows-format', 'hubbel'],
      '--flows-format: unknown value "hubbel"; use one of auto, hubble, csv, jsonl; did you mean "hubble"?',
    ],
    [
      ['webhook', '--mode', 'wran'],
      '--mode: unknown value "wran"; use one of deny, warn, audit; did you mean "warn"?',
    ],
    [
      ['exposure', EXAMPLE, '--fail-on', 'egress-to-internt'],
      '--fail-on: unknown flag "egress-to-internt"; use one of reachable-from-outside, reachable-from-all-namespaces, egress-to-internet, any (comma-separated); did you mean "egress-to-internet"?',
    ],
    [
      ['drift', EXAMPLE, EXAMPLE, '--fail-on', 'missing,extr'],
      '--fail-on: unknown kind "extr"; use one of missing, extra, changed, connectivity, any (comma-separated); did you mean "extra"?',
    ],
    [
      ['controller', '--default-deny', 'ingres'],
      '--default-deny: unknown value "ingres"; use one of ingress, egress, both, off; did you mean "ingress"?',
    ],
  ];
  for (const [args, message] of cases) {
    test(args.join(' '), async () => assert.equal(await usageError(args), `netfence: ${message}`));
  }

  test('--cni: a misspelled or wrongly cased CNI gets the right name, with its version', async () => {
    for (const [spec, suggestion] of [
      ['cillium', 'cilium'],
      ['CILIUM', 'cilium'],
      ['Calico@3.30', 'calico@3.30'],
      ['aut', 'auto'],
    ]) {
      const line = await usageError(['analyze', EXAMPLE, '--cni', spec!]);
      assert.match(
        line,
        new RegExp(`^netfence: unknown CNI .*"${spec}".*; did you mean "${suggestion}"\\?$`),
      );
    }
    assert.doesNotMatch(await usageError(['analyze', EXAMPLE, '--cni', 'xyz']), /did you mean/);
  });
});

describe('numbers and durations: the bound in the message, the flag in front', () => {
  test('wholeNumber refuses what is below the minimum or not whole, quoting it', () => {
    const atLeastOne = wholeNumber(1);
    assert.equal(atLeastOne('3'), 3);
    for (const bad of ['-1', '0', '2.5', '', 'ten'])
      assert.throws(() => atLeastOne(bad), { message: `expected a whole number of 1 or more, got "${bad}"` });
    assert.equal(wholeNumber(0)('0'), 0);
  });

  test('parseDuration says a duration must be more than 0', () => {
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    for (const zero of ['0s', '0', '0ms'])
      assert.throws(() => parseDuration(zero), {
        message: `a duration must be more than 0 (such as 500ms, 30s, 2m or 1m30s), got "${zero}"`,
      });
  });

  test('-n, --namespace that is not a namespace name: a usage error, also with --skip-invalid', async () => {
    // It was an input error ("run with --skip-invalid to analyze the rest"), and --skip-invalid ran on, exit 0.
    for (const extra of [[], ['--skip-invalid']]) {
      assert.equal(
        await usageError(['analyze', EXAMPLE, '-n', 'Bad_NS', ...extra]),
        'netfence: --namespace: "Bad_NS" is not a valid namespace name: it contains upper-case letters; it contains "_"; did you mean "bad-ns"?',
      );
    }
    assert.equal(
      await usageError(['lint', EXAMPLE, '--namespace', '-']),
      'netfence: --namespace: "-" is not a valid namespace name: it must start and end with a letter or digit',
    );
  });

  test('on the command line, the message names the option', async () => {
    assert.equal(
      await usageError(['analyze', '--cluster', '--page-size', '-1']),
      'netfence: --page-size: expected a whole number of 1 or more, got "-1"',
    );
    assert.equal(
      await usageError(['serve', '--watch-interval', '0s']),
      'netfence: --watch-interval: a duration must be more than 0 (such as 500ms, 30s, 2m or 1m30s), got "0s"',
    );
    // A parser's message that names its option keeps it once.
    assert.equal(
      await usageError(['serve', '--port', 'x']),
      'netfence: invalid --port "x": give a port from 1 to 65535, or 0 for a free one',
    );
    assert.equal(
      await usageError(['analyze', '--cluster', '--request-timeout', 'soon']),
      'netfence: --request-timeout: expected a duration such as 500ms, 30s, 2m or 1m30s, got "soon"',
    );
  });
});

describe('the help of the flow commands speaks of observed traffic, not connections', () => {
  // A connection is an allowed (source, destination) pair (docs/json-schema.md "Connections").
  test('map, generate and --exclude-denied', async () => {
    // Commander wraps the descriptions at the terminal's width: read them as one line.
    const all = (await runCli(['--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(
      all,
      / map \[options\] \[paths\.\.\.\] Show the traffic observed in flow captures, between workloads \(and outside addresses\): observed ports and their attempts /,
    );
    assert.match(
      all,
      / generate \[options\] \[paths\.\.\.\] Write least-privilege NetworkPolicies that allow exactly the traffic observed in flow captures /,
    );
    const generate = await runCli(['generate', '--help']);
    assert.match(
      generate.stdout.replace(/\s+/g, ' '),
      /--exclude-denied leave out observed ports every attempt of which the cluster dropped during the capture/,
    );
  });
});

describe('the help of apply and rollback names every kind they deploy (docs/commands/apply.md)', () => {
  // apply deploys and rollback restores NetworkPolicies, cluster policies and Cilium policies alike.
  for (const command of ['apply', 'rollback']) {
    test(command, async () => {
      const r = await runCli([command, '--help']);
      assert.equal(r.code, 0);
      const head = r.stdout.slice(0, r.stdout.indexOf('Options:')).replace(/\s+/g, ' ');
      for (const kind of ['NetworkPolicies', 'cluster policies', 'Cilium policies'])
        assert.ok(head.includes(kind), `${command} --help does not name ${kind}: ${head}`);
    });
  }
});

describe('the --no-X footer of --help', () => {
  const footer = /^Every on\/off option --X also takes --no-X \((--no-[a-z-]+)\)\.$/m;

  test('names --no-skip-invalid where the command has --skip-invalid', async () => {
    const r = await runCli(['analyze', '--help']);
    assert.equal(footer.exec(r.stdout)?.[1], '--no-skip-invalid');
  });

  for (const command of ['controller', 'webhook', 'serve', 'apply', 'snapshot']) {
    test(`${command}: names an on/off option of its own`, async () => {
      const r = await runCli([command, '--help']);
      assert.equal(r.code, 0);
      const example = footer.exec(r.stdout)?.[1];
      assert.ok(example !== undefined, r.stdout);
      const option = `--${example.slice('--no-'.length)}`;
      assert.match(r.stdout, new RegExp(`^ +(-[a-zA-Z], )?${option}\\b`, 'm'), `${option} not in the help`);
      if (!r.stdout.includes('--skip-invalid')) assert.doesNotMatch(r.stdout, /--no-skip-invalid/);
    });
  }
});

describe('generate: output options that do not go together, refused before any work', () => {
  const FLOWS = 'examples/flows/webshop-hubble.jsonl';
  test('--output-dir with -o json (which prints one JSON document, and wrote no file)', async () => {
    const dir = `${EXAMPLE}-output-dir-never-made`;
    assert.equal(
      await usageError(['generate', EXAMPLE, '--flows', FLOWS, '--output-dir', dir, '-o', 'json']),
      `netfence: --output-dir "${dir}" writes YAML files, -o json prints one JSON document: give one of them (-o yaml is what --output-dir writes)`,
    );
  });

  test('an empty --output-dir: the folder asked for, not a system error', async () => {
    assert.equal(
      await usageError(['generate', EXAMPLE, '--flows', FLOWS, '--output-dir', '']),
      'netfence: --output-dir is empty: give the folder to write the files into, e.g. --output-dir policies',
    );
  });
});

describe('--force where no file would be replaced: refused before any work, naming the option it goes with', () => {
  // It was ignored: `snapshot --cluster --force` printed to standard output as if --force had not been given.
  const FLOWS = 'examples/flows/webshop-hubble.jsonl';
  const forFile = (option: string): string =>
    `netfence: --force is for ${option}, to replace the file if it exists: give ${option} (or leave --force out); this run writes to standard output`;
  const cases: [string[], string][] = [
    [['snapshot', '--cluster', '--force'], forFile('-o <file>')],
    [['snapshot', '--cluster', '-o', '-', '--force'], forFile('-o <file>')],
    [['report', EXAMPLE, '--html', '-', '--force'], forFile('--html <file>')],
    [['test', EXAMPLE, '--spec', 'examples/webshop-tests.yaml', '--force'], forFile('--init -o <file>')],
    [['test', '--init', EXAMPLE, '--force'], forFile('-o <file>')],
    [['test', '--init', EXAMPLE, '-o', '-', '--force'], forFile('-o <file>')],
    [
      ['generate', EXAMPLE, '--flows', FLOWS, '--force'],
      'netfence: --force is for --output-dir <dir>, to replace files there that netfence did not write: give --output-dir <dir> (or leave --force out); this run writes to standard output',
    ],
  ];
  for (const [args, line] of cases) {
    test(args.join(' '), async () => assert.equal(await usageError(args), line));
  }

  test('--no-force, or no --force, is no error', async () => {
    // The spec runs (examples/webshop fails one of its tests on purpose: exit 1, the report on stdout).
    const r = await runCli(['test', EXAMPLE, '--spec', 'examples/webshop-tests.yaml', '--no-force']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /passed/);
    const report = await runCli(['report', EXAMPLE, '--html', '-', '-q']);
    assert.equal(report.code, 0, report.stderr);
  });
});
