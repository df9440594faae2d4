/** How commands write their output files: atomically, with a one-line reason when they cannot. */
import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, mkdir, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { errorCode } from '../../base/error-code.ts';
import { readReason, whyMissing } from '../../parse/index.ts';
import { UserError } from '../io.ts';

/**
 * Writes a file atomically: a temporary file beside it, then a rename over it. Where `path` is a symbolic link,
 * the file it points to (at the end of a chain of links) is the one written, beside which the temporary file
 * is made (the same file system, so the rename is atomic): the link is kept, as a shell's `>` keeps it. A file
 * replaced keeps its permissions, as with `>` (a file only its owner may read stays so, and the temporary file
 * is readable by its owner alone until then); a new one gets 0644 less the umask.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  let file = path;
  let temp: string | undefined;
  try {
    file = await followLinks(path);
    temp = tempPathBeside(file);
    const replaced = await stat(file).catch(() => undefined);
    await writeFile(temp, text, { mode: replaced === undefined ? 0o644 : 0o600 });
    if (replaced !== undefined) await chmod(temp, replaced.mode & 0o777);
    await rename(temp, file);
  } catch (error) {
    if (temp !== undefined) await removeTemp(temp);
    throw writeError(path, error, file);
  }
}

/** How many links `followLinks` follows, as Linux does (its ELOOP after 40). */
const MAX_LINKS = 40;

/**
 * The file that `path` names once its symbolic links are followed (whether or not it exists): `path` itself
 * when it is no link. Links that make a loop (or a chain longer than `MAX_LINKS`) fail with ELOOP.
 */
async function followLinks(path: string): Promise<string> {
  let file = path;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let target: string;
    try {
      if (!(await lstat(file)).isSymbolicLink()) return file;
      target = await readlink(file);
    } catch {
      return file; // Nothing there (the name is free), or nothing to tell: the write says why.
    }
    file = resolve(dirname(file), target);
  }
  throw Object.assign(new Error(`too many symbolic links: ${path}`), { code: 'ELOOP' });
}

/**
 * Writes a file atomically unless something is at `path` already: a temporary file beside it, then a hard link
 * to `path`, which fails when the name is taken (two writers never both get it). Whether it was written.
 * `linkFile` is `link` (a parameter for the tests).
 */
export async function writeFileIfAbsent(
  path: string,
  text: string,
  linkFile: (existing: string, name: string) => Promise<void> = link,
): Promise<boolean> {
  const temp = tempPathBeside(path);
  try {
    await writeFile(temp, text, { mode: 0o644 });
    try {
      await linkFile(temp, path);
    } catch (error) {
      // A file system without hard links (some network shares): an exclusive create, not atomic.
      if (!NO_HARD_LINKS.has(errorCode(error) ?? '')) throw error;
      await writeFile(path, text, { mode: 0o644, flag: 'wx' });
    }
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw writeError(path, error);
  } finally {
    await removeTemp(temp);
  }
}

/** What `link` fails with where the file system has no hard links. */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Removes the temporary file, if it was made: when its folder cannot hold it (`notes.txt/.x.tmp`), removing it
 * fails too, and the reason to tell is the write's.
 */
async function removeTemp(temp: string): Promise<void> {
  await rm(temp, { force: true }).catch(() => undefined);
}

function tempPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Why `path` (a symbolic link to `file`, or `file` itself) could not be written, in one line. A missing name is
 * said as a write meets it (its folder, or the file in its path); the other reasons in the words of a read
 * (`readReason`: permission denied, a folder, a loop of links).
 */
function writeError(path: string, error: unknown, file = path): UserError {
  const code = errorCode(error);
  const reason =
    file !== path && (code === 'ENOENT' || code === 'ENOTDIR')
      ? linkIntoNothing(file)
      : code === 'ENOENT'
        ? `folder "${dirname(path)}" does not exist`
        : code === 'ENOTDIR'
          ? (whyMissing(path) ?? 'a part of its path is a file, not a folder')
          : readReason(error, path);
  return new UserError(`cannot write "${path}": ${reason}`);
}

/** Why a symbolic link cannot be written through: the folder of `file`, where it leads, is missing or a file. */
function linkIntoNothing(file: string): string {
  const why = whyMissing(file);
  return why === undefined
    ? `it is a symbolic link to "${file}", whose folder "${dirname(file)}" does not exist`
    : `it is a symbolic link to "${file}", and ${why}`;
}

/**
 * Refuses `--force` where this run writes no file for it to replace (standard output): ignored, it would let a
 * user believe a file was written, or that a file of the option it goes with (`goesWith`, such as `-o <file>`)
 * may be replaced. Commands that take --force call it before any work.
 */
export function checkForceGoesWith(
  force: boolean | undefined,
  writesFile: boolean,
  goesWith: string,
  replaces: string,
): void {
  if (force !== true || writesFile) return;
  throw new UserError(
    `--force is for ${goesWith}, to replace ${replaces}: give ${goesWith} (or leave --force out); this run writes to standard output`,
  );
}

/**
 * Refuses, before any work, to write a file into a folder that does not exist (or under a file), where a folder
 * stands (offering a file in it, such as `<folder>/<example>`), or over anything at its name without `force`:
 * a symbolic link too, broken or not (where it points is said). With `force`, a link is written through
 * (`writeFileAtomic`): refused when the file it leads to cannot be (its folder missing, or a file). Links that
 * make a loop are refused with `force` or without.
 */
export async function checkOutputFile(path: string, force: boolean, example: string): Promise<void> {
  if (!isFolder(dirname(resolve(path)))) {
    // A file in its path (`notes.txt/report.html`), else a folder that is missing.
    const why = whyMissing(path) ?? `folder "${dirname(path)}" does not exist`;
    throw new UserError(`cannot write "${path}": ${why}`);
  }
  const link = await readlink(path).catch(() => undefined);
  let folder: boolean | undefined;
  try {
    folder = (await stat(path)).isDirectory();
  } catch (error) {
    // Links that make a loop lead to no file, with --force or without.
    if (errorCode(error) === 'ELOOP')
      throw new UserError(`cannot write "${path}": ${readReason(error, path)}`);
    if (link === undefined) return; // Nothing there (or nothing to tell): the write says why.
  }
  if (folder === true)
    throw new UserError(
      `cannot write "${path}": it is a folder; give a file in it, such as "${join(path, example)}"`,
    );
  const broken = folder === undefined;
  if (!force) {
    if (link === undefined) throw new UserError(`"${path}" exists; add --force to replace it`);
    throw new UserError(
      `"${path}" exists (a ${broken ? 'broken ' : ''}symbolic link to "${link}"); add --force to ${broken ? 'write' : 'replace'} the file it points to`,
    );
  }
  // A broken link, to be written through: the file it leads to must be possible.
  if (link === undefined || !broken) return;
  const file = await followLinks(path);
  if (!isFolder(dirname(file))) throw new UserError(`cannot write "${path}": ${linkIntoNothing(file)}`);
}

/**
 * Makes folder `dir` and the folders above it. When it cannot, why, in a few words (`"notes.txt" is a file, not a
 * folder`), for the caller's one line; undefined when it is made.
 */
export async function makeFolder(dir: string): Promise<string | undefined> {
  try {
    await mkdir(dir, { recursive: true });
    return undefined;
  } catch (error) {
    const code = errorCode(error);
    // EEXIST: `dir` is a file; ENOTDIR: a folder above it is. A name in it shows which.
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? whyMissing(join(dir, '_'))
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : undefined;
    return why ?? (error instanceof Error ? error.message : String(error));
  }
}

/** Whether `path` is a folder (or a symbolic link to one). */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether something is at `path` (a file that a command must not replace silently): a symbolic link is, even one
 * that leads nowhere.
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** What Commander calls on an unknown option; public in its code, not in its typings. */
interface UnknownOptionHook {
  unknownOption(flag: string): void;
}

/**
 * `-o x.html` (or `-ox.html`, `--output`, `--out`) on a command that writes its file with another option (`report
 * --html`): the usage error points to that option with the value given, in Commander's "did you mean"
 * form (`unknown option "-o"; did you mean --html x.html?`). Other unknown options are Commander's.
 */
export function pointOutputFlagTo(cmd: Command, option: string): void {
  const hook = cmd as unknown as UnknownOptionHook;
  const commanders = hook.unknownOption.bind(cmd);
  hook.unknownOption = (flag) => {
    // `-o x.html`, `--output=x.html`, and the value attached to the short option: `-ox.html`.
    const match = /^(?:-o|--output|--out)(?:=(.*))?$|^-o(.+)$/.exec(flag);
    if (match === null) {
      commanders(flag);
      return;
    }
    // Commander has set `args` (operands, then the unknown options with what follows them) by now.
    const next = cmd.args[cmd.args.indexOf(flag) + 1];
    const given =
      match[1] ??
      match[2] ??
      (next === undefined || (next.startsWith('-') && next !== '-') ? undefined : next);
    // A file name (`x.html`, `out/report`, `-`), not a format as other commands' -o take (`-o json`).
    const value = given !== undefined && /[./]|^-$/.test(given) ? given : undefined;
    const argument = /<[^>]+>/.exec(cmd.options.find((o) => o.long === option)?.flags ?? '')?.[0];
    const hint = [option, value ?? argument].filter((s) => s !== undefined).join(' ');
    cmd.error(`error: unknown option '${flag}'\n(Did you mean ${hint}?)`, {
      code: 'commander.unknownOption',
    });
  };
}
