/**
 * Manifests at a git revision, read straight from the object database (`git ls-tree`, `git cat-file`):
 * no checkout, no temporary copy, the working tree untouched. Git runs as a child process with an argument
 * list (no shell), so revision and path names are never interpreted by anything but git.
 */
import { spawn } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { errorCode } from '../base/error-code.ts';
import { suggestName, withDidYouMean } from '../base/suggest.ts';
import { isManifestName, isSkippedEntry } from '../parse/folders.ts';

/** A failure to read from git, with a one-line message for the user. */
export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

/**
 * `A..B` (A and B), `A...B` (the merge base of A and B, and B: what a pull request changes), `A..` or
 * `..B` (HEAD where a side is empty, as git reads it), or `A` alone (A and the working tree).
 */
export interface RevisionRange {
  before: string;
  /** Undefined: the working tree. */
  after: string | undefined;
  /** `A...B`: compare the merge base of A and B with B. */
  mergeBase: boolean;
}

export function parseRevisionRange(text: string): RevisionRange {
  const three = text.indexOf('...');
  if (three >= 0) {
    return {
      before: text.slice(0, three) || 'HEAD',
      after: text.slice(three + 3) || 'HEAD',
      mergeBase: true,
    };
  }
  const two = text.indexOf('..');
  if (two >= 0) {
    return { before: text.slice(0, two) || 'HEAD', after: text.slice(two + 2) || 'HEAD', mergeBase: false };
  }
  return { before: text, after: undefined, mergeBase: false };
}

interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

function git(args: readonly string[], input?: string): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', ['--literal-pathspecs', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      reject(
        errorCode(error) === 'ENOENT'
          ? new GitError('--git needs the git command, and it is not installed (or not on PATH)')
          : error,
      );
    });
    child.on('close', (code) => {
      resolvePromise({
        code: code ?? 1,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8').trim(),
      });
    });
    child.stdin.on('error', () => undefined); // git may exit before reading all of it; `close` reports why
    child.stdin.end(input ?? '');
  });
}

/** The deepest existing folder at or above `path`, and the part of `path` below it. */
async function existingAncestor(path: string): Promise<{ dir: string; rest: string[] }> {
  const rest: string[] = [];
  let cur = path;
  for (;;) {
    try {
      const info = await stat(cur);
      if (info.isDirectory()) return { dir: cur, rest };
      return { dir: dirname(cur), rest: [basename(cur), ...rest] };
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return { dir: cur, rest };
      rest.unshift(basename(cur));
      cur = parent;
    }
  }
}

/** A folder or file of a repository, located in the working tree. */
export interface RepositoryPath {
  /** The repository's top folder. */
  root: string;
  /** The path relative to `root`, with `/` separators; empty for the whole repository. */
  path: string;
}

/** Finds the repository `path` is in (the path need not exist in the working tree, only its parent). */
export async function locateInRepository(path: string): Promise<RepositoryPath> {
  const absolute = resolve(path);
  const { dir, rest } = await existingAncestor(absolute);
  const top = await git(['-C', dir, 'rev-parse', '--show-toplevel']);
  if (top.code !== 0) {
    throw new GitError(
      `"${path}" is not inside a git repository; --git compares two revisions of a folder of a repository`,
    );
  }
  const root = top.stdout.toString('utf8').trim();
  const realRoot = await realpath(root);
  const realDir = await realpath(dir);
  const rel = [relative(realRoot, realDir), ...rest].filter((p) => p !== '').join(sep);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new GitError(`"${path}" is outside the repository ${root}`);
  return { root, path: rel.split(sep).join('/') };
}

/** The commit a revision names, or a GitError quoting it. */
export async function resolveRevision(root: string, rev: string): Promise<string> {
  const out = await git([
    '-C',
    root,
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${rev}^{commit}`,
  ]);
  if (out.code !== 0) {
    const meant = await revisionMeant(root, rev);
    throw new GitError(
      meant === undefined
        ? `unknown revision "${rev}" in ${root}; give a branch, tag or commit (git log --oneline lists them)`
        : withDidYouMean(`unknown revision "${rev}" in ${root}`, meant),
    );
  }
  return out.stdout.toString('utf8').trim();
}

/**
 * For a revision git does not know (`mian`, `mian~2`): the branch, tag, remote branch or HEAD its name is
 * closest to, with the same suffix (`main~2`); undefined when none is close.
 */
async function revisionMeant(root: string, rev: string): Promise<string | undefined> {
  const at = rev.search(/[~^@:]/);
  const name = at < 0 ? rev : rev.slice(0, at);
  if (name === '') return undefined;
  const refs = await git([
    '-C',
    root,
    'for-each-ref',
    '--format=%(refname:short)',
    'refs/heads',
    'refs/tags',
    'refs/remotes',
  ]);
  const names =
    refs.code === 0
      ? refs.stdout
          .toString('utf8')
          .split('\n')
          .filter((n) => n !== '')
      : [];
  const meant = suggestName(name, ['HEAD', ...names]);
  return meant === undefined ? undefined : `${meant}${rev.slice(name.length)}`;
}

export async function mergeBase(root: string, a: string, b: string): Promise<string> {
  const out = await git(['-C', root, 'merge-base', a, b]);
  if (out.code !== 0) throw new GitError(`revisions "${a}" and "${b}" have no common ancestor`);
  return out.stdout.toString('utf8').trim();
}

export async function shortCommit(root: string, commit: string): Promise<string> {
  const out = await git(['-C', root, 'rev-parse', '--short', commit]);
  return out.code === 0 ? out.stdout.toString('utf8').trim() : commit.slice(0, 12);
}

/** One manifest read from a revision: its name for messages (`rev:path/in/repo.yaml`) and its text. */
export interface Source {
  file: string;
  text: string;
}

interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  path: string;
}

function parseLsTree(out: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.toString('utf8').split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode = '', type = '', object = ''] = record.slice(0, tab).split(' ');
    entries.push({ mode, type, object, path: record.slice(tab + 1) });
  }
  return entries;
}

/** Whether a file under a folder is read, with the rules `loadManifests` applies to a folder. */
function isManifestUnder(folder: string, path: string): boolean {
  const inside = folder === '' ? path : path.slice(folder.length + 1);
  const parts = inside.split('/');
  return !parts.some(isSkippedEntry) && isManifestName(parts[parts.length - 1]!);
}

/** The order of a depth-first walk with each folder's entries in name order (as `loadManifests` reads). */
function byFolderWalk(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

/** Reads blobs through one `git cat-file --batch`. */
async function readBlobs(root: string, objects: readonly string[]): Promise<string[]> {
  if (objects.length === 0) return [];
  const out = await git(['-C', root, 'cat-file', '--batch'], `${objects.join('\n')}\n`);
  if (out.code !== 0) throw new GitError(`git cat-file failed in ${root}: ${out.stderr}`);
  const texts: string[] = [];
  let at = 0;
  for (const object of objects) {
    const eol = out.stdout.indexOf(0x0a, at);
    const header = out.stdout.subarray(at, eol).toString('utf8').split(' ');
    if (header[0] !== object || header[1] !== 'blob')
      throw new GitError(`git cannot read object ${object} in ${root}`);
    const size = Number(header[2]);
    texts.push(out.stdout.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1;
  }
  return texts;
}

/**
 * The manifests under `repoPath` at `commit`, as `loadManifests` would read them from a checkout: a folder
 * gives its `.yaml`, `.yml` and `.json` files in name order (hidden entries and `node_modules` skipped), a
 * file is read whatever its extension. Undefined when the path does not exist at that revision.
 */
export async function readSourcesAtRevision(
  repo: RepositoryPath,
  commit: string,
  label: string,
): Promise<Source[] | undefined> {
  const args = ['-C', repo.root, 'ls-tree', '-r', '-z', commit];
  if (repo.path !== '') args.push('--', repo.path);
  const out = await git(args);
  if (out.code !== 0) throw new GitError(`git ls-tree failed in ${repo.root}: ${out.stderr}`);
  // Symlinks (120000) and submodules (160000) are not manifests.
  const blobs = parseLsTree(out.stdout).filter((e) => e.type === 'blob' && e.mode !== '120000');
  if (blobs.length === 0) {
    // An existing folder with no files is not distinguishable from a missing one in git: both are absent.
    return undefined;
  }
  const single = blobs.length === 1 && blobs[0]!.path === repo.path;
  const chosen = single
    ? blobs
    : blobs.filter((e) => isManifestUnder(repo.path, e.path)).sort((a, b) => byFolderWalk(a.path, b.path));
  const texts = await readBlobs(
    repo.root,
    chosen.map((e) => e.object),
  );
  return chosen.map((e, i) => ({ file: `${label}:${e.path}`, text: texts[i]! }));
}
