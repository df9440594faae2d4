/** `--spec FILE` (repeatable) of the commands that hold a cluster to reachability specs (`webhook`, `controller`). */
import { readFile } from 'node:fs/promises';
import { formatProblem, type Problem } from '../../model/problem.ts';
import { readReason } from '../../parse/index.ts';
import { parseSpec, type Spec } from '../../testspec/spec.ts';
import { UserError, type Io } from '../io.ts';

/** Reads and checks the specs; every problem is printed, then one line. */
export async function loadSpecs(files: readonly string[], io: Io): Promise<Spec[]> {
  const specs: Spec[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UserError(`--spec: cannot read "${file}": ${readReason(error, file)}`);
    }
    const parsed = parseSpec(text, file);
    if (parsed.ok) {
      for (const w of parsed.warnings) io.stderr(`${formatProblem(w)}\n`);
      specs.push(parsed.spec);
    } else problems.push(...parsed.problems);
  }
  if (problems.length === 1) throw new UserError(formatProblem(problems[0]!));
  if (problems.length > 1) {
    for (const p of problems) io.stderr(`${formatProblem(p)}\n`);
    throw new UserError(`${problems.length} problems in the specs; fix them and run again`);
  }
  return specs;
}
