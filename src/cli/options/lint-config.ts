/** The lint configuration option (`-c, --config`, `--no-config`) of lint, serve and report. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CONFIG_FILE, DEFAULT_CONFIG, parseLintConfig, type LintConfig } from '../../lint/config.ts';
import { RULES } from '../../lint/registry.ts';
import { formatProblem } from '../../model/problem.ts';
import { readReason } from '../../parse/index.ts';
import { UserError, type Io } from '../io.ts';

/** The lint configuration: `--config FILE`, else `netfence.yaml` here if there is one; every problem reported. */
export async function loadLintConfig(option: string | false | undefined, io: Io): Promise<LintConfig> {
  if (option === false) return DEFAULT_CONFIG;
  const file = option ?? CONFIG_FILE;
  if (option === undefined && !existsSync(file)) return DEFAULT_CONFIG;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // netfence.yaml found here, unasked: a folder of that name, say.
    const fix =
      option === undefined ? 'give --config FILE, or --no-config' : 'check the path given to --config';
    throw new UserError(`cannot read configuration "${file}": ${readReason(error, file)}; ${fix}`);
  }
  const parsed = parseLintConfig(
    text,
    file,
    RULES.map((r) => r.id),
  );
  if (parsed.ok) return parsed.value;
  if (parsed.problems.length === 1) throw new UserError(formatProblem(parsed.problems[0]!));
  for (const p of parsed.problems) io.stderr(`${formatProblem(p)}\n`);
  throw new UserError(`${parsed.problems.length} errors in ${file}; fix them`);
}
