/**
 * Every transcript of the docs is true: the README's and those of docs/ (docs/commands/*.md above all). A
 * transcript is a plain or ```console block of `$ command` lines, each followed by what it printed. The
 * commands run in order in one temp dir (the checkout's `examples` and `test` linked in, so a command writing
 * files writes there) and each output is compared with the page's:
 * - `$ netfence …` runs the real CLI; the page shows its stdout, or stdout and stderr in the order written (what
 *   a terminal shows);
 * - `$ echo $?` shows the exit code of the command before it;
 * - `$ head -N FILE` shows the first N lines of a file an earlier command wrote.
 * The comparison's rules (test/support/doc-examples.ts): a line `…` stands for one or more lines left out, and
 * the size in `Wrote FILE (N kB)` for any size (it changes with every change to the UI bundle).
 *
 * Not run, and why (a command after one not run in the same block is not run either: it may read what the
 * first wrote, or the cluster state it left). The test fails when this list (NOT_RUN) and the pages disagree.
 * - They need a cluster (a live API server, `--cluster`): the README's `apply --cluster --staged`; every
 *   transcript of docs/cluster.md (analyze, snapshot, apply and rollback against a cluster, then
 *   `analyze snapshot.yaml | head -1` on what snapshot fetched); apply.md's four examples; rollback.md's
 *   `rollback --cluster` (and `--dry-run`, `--force`) and `rollback --list`, which lists the records those
 *   cluster runs left; snapshot.md's `snapshot --cluster`, then `head -5 snapshot.yaml` and
 *   `analyze snapshot.yaml | head -1` on what it fetched.
 * - `serve` runs until stopped: serve.md's example.
 * - A shell redirect, on inputs that are not files of the checkout (`deploy/`, `monday.jsonl.gz`): map.md's
 *   `map deploy/ --flows monday.jsonl.gz -o json -q > monday.json` and the two commands after it.
 * - A shell redirect of generated YAML into a file: generate.md's `generate … --mode augment > added.yaml` (the
 *   policies it writes are pinned by the golden files of test/generate).
 *
 * Of the cluster transcripts, those a golden file of test/cluster pins (CLUSTER_GOLDENS) are compared with it
 * instead: the page's output must be the golden's, under the same rules, but for the context's name, the
 * server's address and the record's path (a test cluster's), and a last line `netfence: …` on stderr, which
 * the golden does not hold (test/cluster asserts it apart).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  inTempCheckout,
  matchesElided,
  offlineArgs,
  outputLines,
  runIn,
  shows,
  transcripts,
  type Step,
} from '../support/doc-examples.ts';
import { GOLDEN_DIR } from '../support/cli.ts';
import { loadUiAssets } from '../../src/server/assets.ts';

/** The README and every page of docs/. */
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`)
    .sort(),
];

/** `file: command` of every command of the pages that is not run (the header says why). */
const NOT_RUN = [
  'README.md: netfence apply examples/webshop/policies --cluster --staged',
  'docs/cluster.md: netfence analyze --cluster -A --context dev-readonly',
  'docs/cluster.md: netfence snapshot --cluster -A --context dev-readonly -o snapshot.yaml',
  'docs/cluster.md: netfence analyze snapshot.yaml | head -1',
  'docs/cluster.md: netfence apply examples/webshop/policies --cluster --staged',
  'docs/cluster.md: netfence analyze --cluster -A --context dev-readonly | head -1',
  'docs/cluster.md: netfence apply examples/webshop-v2/policies --cluster --dry-run --diff',
  'docs/cluster.md: netfence apply examples/webshop-v2/policies --cluster --staged --flows examples/flows/webshop-hubble.jsonl',
  'docs/cluster.md: netfence rollback --cluster',
  'docs/commands/apply.md: netfence apply examples/webshop-v2/policies --cluster --dry-run --diff',
  'docs/commands/apply.md: netfence apply examples/webshop-v2/policies --cluster --staged --flows examples/flows/webshop-hubble.jsonl',
  'docs/commands/apply.md: netfence apply examples/webshop/policies --cluster --staged',
  'docs/commands/apply.md: netfence apply examples/webshop/policies --cluster --context dev-readonly',
  'docs/commands/generate.md: netfence generate examples/webshop --flows examples/flows/webshop-hubble.jsonl --mode augment > added.yaml',
  'docs/commands/map.md: netfence map deploy/ --flows monday.jsonl.gz -o json -q > monday.json',
  'docs/commands/map.md: netfence map deploy/ --flows tuesday.jsonl.gz -o json -q > tuesday.json',
  'docs/commands/map.md: netfence map --merge monday.json tuesday.json',
  'docs/commands/rollback.md: netfence rollback --cluster --dry-run',
  'docs/commands/rollback.md: netfence rollback --cluster',
  'docs/commands/rollback.md: netfence rollback --list',
  'docs/commands/rollback.md: netfence rollback --cluster',
  'docs/commands/rollback.md: netfence rollback --cluster --force',
  'docs/commands/serve.md: netfence serve examples/webshop --flows examples/flows/webshop-hubble.jsonl',
  'docs/commands/snapshot.md: netfence snapshot --cluster -A -o snapshot.yaml',
  'docs/commands/snapshot.md: head -5 snapshot.yaml',
  'docs/commands/snapshot.md: netfence analyze snapshot.yaml | head -1',
];

/**
 * `file: command` of the cluster transcripts that a golden file of test/golden pins (the test of test/cluster
 * that writes it runs that command on the bundled example, against a real API server).
 */
const CLUSTER_GOLDENS: Readonly<Record<string, string>> = {
  'docs/cluster.md: netfence apply examples/webshop/policies --cluster --staged': 'cluster/apply-staged.txt',
  'docs/cluster.md: netfence apply examples/webshop-v2/policies --cluster --dry-run --diff':
    'cluster/apply-v2-dry-run-diff.txt',
  'docs/cluster.md: netfence apply examples/webshop-v2/policies --cluster --staged --flows examples/flows/webshop-hubble.jsonl':
    'cluster/apply-v2-flows-refused.txt',
  'docs/commands/apply.md: netfence apply examples/webshop-v2/policies --cluster --dry-run --diff':
    'cluster/apply-v2-dry-run-diff.txt',
  'docs/commands/apply.md: netfence apply examples/webshop-v2/policies --cluster --staged --flows examples/flows/webshop-hubble.jsonl':
    'cluster/apply-v2-flows-refused.txt',
  'docs/commands/apply.md: netfence apply examples/webshop/policies --cluster --staged':
    'cluster/apply-staged.txt',
};

/** A line of a cluster transcript or golden without what differs from cluster to cluster. */
function clusterNeutral(line: string): string {
  return line
    .replace(/context "[^"]*"/g, 'context "C"')
    .replace(/https:\/\/127\.0\.0\.1:(?:\d+|PORT)/g, 'https://S')
    .replace(/\(record [^)]*\)/g, '(record R)');
}

/** Whether a step runs here: a netfence command offline over the checkout, `echo $?` or `head -N FILE`. */
function runnable(command: string): boolean {
  return offlineArgs(command) !== undefined || command === 'echo $?' || /^head -\d+ \S+$/.test(command);
}

/** The steps of a transcript that run: those before the first that does not. */
function runSteps(steps: readonly Step[]): { run: Step[]; notRun: Step[] } {
  const first = steps.findIndex((s) => !runnable(s.command));
  const cut = first === -1 ? steps.length : first;
  return { run: steps.slice(0, cut), notRun: steps.slice(cut) };
}

/** What a step printed, and the exit code of the last netfence command. */
async function perform(
  cwd: string,
  step: Step,
  lastCode: number,
): Promise<{ ok: boolean; code: number; got: string }> {
  if (step.command === 'echo $?')
    return { ok: step.output.join('\n') === String(lastCode), code: 0, got: `${lastCode}\n` };
  const head = /^head -(\d+) (\S+)$/.exec(step.command);
  if (head !== null) {
    const lines = readFileSync(join(cwd, head[2]!), 'utf8').split('\n').slice(0, Number(head[1]));
    return { ok: matchesElided(step.output, lines), code: 0, got: lines.join('\n') };
  }
  const r = await runIn(cwd, offlineArgs(step.command)!);
  return { ok: shows(step.output, r), code: r.code, got: r.terminal };
}

describe('the transcripts of the docs', () => {
  // A fresh checkout has no UI bundle: the first command that needs it (report.md's) builds it and says so on
  // stderr, which no page shows. Built first, the transcripts do not depend on which test file ran before.
  before(() => loadUiAssets());
  const notRun: string[] = [];
  const checked: string[] = [];
  for (const file of PAGES) {
    for (const steps of transcripts(readFileSync(join(ROOT, file), 'utf8'))) {
      const { run, notRun: rest } = runSteps(steps);
      notRun.push(...rest.map((s) => `${file}: ${s.command}`));
      if (run.length === 0) continue;
      checked.push(...run.map((s) => `${file}: ${s.command}`));
      test(`${file}:${run[0]!.line}: ${run.map((s) => s.command).join(' && ')}`, () =>
        inTempCheckout(async (cwd) => {
          let lastCode = 0;
          for (const step of run) {
            const { ok, code, got } = await perform(cwd, step, lastCode);
            lastCode = code;
            assert.ok(
              ok,
              `${file}:${step.line}: the output of \`${step.command}\` differs:\n--- ${file}\n${step.output.join('\n')}\n--- actual\n${got}`,
            );
          }
        }));
    }
  }

  test('the commands not run are the ones the header lists', () => {
    assert.deepEqual(notRun, NOT_RUN);
  });

  test('the cluster transcripts a golden file pins show what it holds', () => {
    const compared: string[] = [];
    for (const file of PAGES) {
      for (const steps of transcripts(readFileSync(join(ROOT, file), 'utf8'))) {
        for (const step of steps) {
          const golden = CLUSTER_GOLDENS[`${file}: ${step.command}`];
          if (golden === undefined) continue;
          compared.push(`${file}: ${step.command}`);
          const expected = outputLines(readFileSync(join(GOLDEN_DIR, golden), 'utf8')).map(clusterNeutral);
          const shown = step.output.map(clusterNeutral);
          const stderrLast = shown.at(-1)?.startsWith('netfence: ') === true ? shown.slice(0, -1) : shown;
          assert.ok(
            matchesElided(shown, expected) || matchesElided(stderrLast, expected),
            `${file}:${step.line}: the output of \`${step.command}\` is not test/golden/${golden}:\n--- ${file}\n${step.output.join('\n')}\n--- golden\n${expected.join('\n')}`,
          );
        }
      }
    }
    assert.deepEqual(compared.sort(), Object.keys(CLUSTER_GOLDENS).sort());
  });

  test('every page with an offline example is checked', () => {
    // Guards the finder: a page reshuffle that hides its examples from this test fails here.
    const pages = new Set(checked.map((c) => c.slice(0, c.indexOf(':'))));
    assert.deepEqual(
      [...pages],
      [
        'docs/cni.md',
        ...[
          'analyze',
          'check-flows',
          'diff',
          'drift',
          'explain',
          'exposure',
          'generate',
          'lint',
          'map',
          'paths',
          'report',
          'test',
        ].map((c) => `docs/commands/${c}.md`),
      ],
    );
  });
});
