/**
 * The only part of the adapter that touches the file system: paths, folders, standard input.
 * Everything after reading is pure (`parseManifestText`, `buildClusterState`).
 */
import type { Dirent } from 'node:fs';
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Problem } from '../model/problem.ts';
import { isManifestName, isSkippedEntry } from './folders.ts';
import { decodeText } from './decode.ts';
import { loadSources, type Source } from './sources.ts';
import { dropOfferedFiles, takeOfferedFile } from './preread.ts';
import type { LoadOptions, LoadResult } from './types.ts';
import { errorCode } from '../base/error-code.ts';
import { compareText } from '../base/text.ts';
import { closestMatch, withDidYouMean } from '../base/suggest.ts';

/** The file name problems about standard input carry. */
export const STDIN_NAME = '<stdin>';

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return decodeText(Buffer.concat(chunks));
}

function pathProblem(
  code: string,
  file: string,
  message: string,
  severity: 'error' | 'warning' = 'error',
): Problem {
  return { code, severity, message, file, path: [] };
}

/**
 * Why `path` could not be read, for after `cannot read "…": ` (`it does not exist`, `it is a folder`, …): a
 * path that is not there says why when it can (`whyMissing`). Standard input has no path.
 */
export function readReason(error: unknown, path: string | undefined): string {
  switch (errorCode(error)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return (path === undefined ? undefined : whyMissing(path)) ?? 'it does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    case 'ELOOP':
      return 'it is a loop of symbolic links';
    case 'EBADF':
      // Standard input closed, or open for writing only (`netfence analyze - <&-`).
      return 'it is not open for reading: give the input with `< file`, or through a pipe';
    case 'ENXIO':
      // What opening a socket (or a device without its driver) answers.
      return 'it is a socket or a device, not a file';
    case 'ENAMETOOLONG':
      return 'the path is too long for the file system (at most 255 bytes a name, 4,096 the whole path)';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

interface Listing {
  files: string[];
  /** The real path of each file when the walk knows it (a file that is no symlink, in a folder whose real path it read). */
  reals: (string | undefined)[];
  problems: Problem[];
}

/**
 * Manifest files under a folder, depth first in name order; hidden entries and node_modules skipped. Read
 * synchronously, as the files are: an awaited `realpath` and `readdir` per folder (each a round trip through the
 * thread pool) took two to three times the CPU time (T4, 1,000 folders: 100–200 ms against 45–65 ms).
 */
function walk(dir: string, seen: Set<string>, out: Listing): void {
  let real: string;
  try {
    // `.native`: realpath(3), as `fs.promises.realpath` (the JavaScript `realpathSync` resolves otherwise).
    real = realpathSync.native(dir);
  } catch (error) {
    out.problems.push(
      pathProblem('unreadable-path', dir, `cannot read folder "${dir}": ${readReason(error, dir)}`),
    );
    return;
  }
  if (seen.has(real)) return; // a symlink loop, or a folder given twice
  seen.add(real);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    out.problems.push(
      pathProblem('unreadable-path', dir, `cannot read folder "${dir}": ${readReason(error, dir)}`),
    );
    return;
  }
  entries = entries.filter((e) => !isSkippedEntry(e.name)).sort((a, b) => compareText(a.name, b.name));
  // What each entry is (only symlinks need a stat); then folders in name order, depth first.
  const kinds = entries.map((e) => entryKind(e, join(dir, e.name)));
  for (const [i, e] of entries.entries()) {
    const path = join(dir, e.name);
    if (kinds[i] === 'folder') walk(path, seen, out);
    else if (kinds[i] === 'file' && isManifestName(e.name)) {
      out.files.push(path);
      out.reals.push(e.isSymbolicLink() ? undefined : join(real, e.name));
    }
  }
}

/** A folder entry as what it leads to: a symlink is what it points at (nothing when it dangles). */
function entryKind(entry: Dirent, path: string): 'folder' | 'file' | 'other' {
  if (!entry.isSymbolicLink()) return entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other';
  try {
    const info = statSync(path);
    return info.isDirectory() ? 'folder' : info.isFile() ? 'file' : 'other';
  } catch {
    return 'other'; // a dangling symlink inside a folder is not the user's input
  }
}

/** What a binary file reads as: nothing to parse. */
const BINARY: unique symbol = Symbol('binary');
type Text = string | typeof BINARY;

/**
 * Reads manifests from files, folders (recursively: `*.yaml`, `*.yml`, `*.json`, skipping hidden entries
 * and `node_modules`, in name order) and `-` for standard input, and builds the cluster state.
 *
 * Never throws on bad input: a missing path or an unreadable file is a Problem.
 */
export async function loadManifests(paths: string[], options: LoadOptions): Promise<LoadResult> {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const sources: ({ kind: 'file'; path: string } | { kind: 'stdin' })[] = [];
  const seen = new Set<string>();
  let stdinUsed = false;

  for (const path of paths) {
    if (path === '-') {
      if (!stdinUsed) sources.push({ kind: 'stdin' });
      stdinUsed = true;
      continue;
    }
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        const why = whyMissing(path);
        const message = `path "${path}" does not exist`;
        errors.push(
          pathProblem(
            'path-not-found',
            path,
            why === undefined ? withDidYouMean(message, pathMeant(path)) : `${message}: ${why}`,
          ),
        );
      } else
        errors.push(
          pathProblem('unreadable-path', path, `cannot read "${path}": ${readReason(error, path)}`),
        );
      continue;
    }
    if (info.isDirectory()) {
      if (seen.has(await realpath(path).catch(() => path))) continue; // given twice, or inside one given before
      const listing: Listing = { files: [], reals: [], problems: [] };
      walk(path, seen, listing);
      errors.push(...listing.problems);
      if (listing.files.length === 0 && listing.problems.length === 0) {
        warnings.push(
          pathProblem('empty-folder', path, `folder "${path}" has no .yaml, .yml or .json files`, 'warning'),
        );
      }
      const reals = await Promise.all(
        listing.files.map((file, i) => {
          const known = listing.reals[i];
          return known === undefined ? realpath(file).catch(() => file) : Promise.resolve(known);
        }),
      );
      for (const [i, file] of listing.files.entries()) {
        const real = reals[i]!;
        if (seen.has(`file:${real}`)) continue;
        seen.add(`file:${real}`);
        sources.push({ kind: 'file', path: file });
      }
    } else {
      // A file named explicitly is read whatever its extension.
      const real = await realpath(path).catch(() => path);
      if (seen.has(`file:${real}`)) continue;
      seen.add(`file:${real}`);
      sources.push({ kind: 'file', path });
    }
  }

  // Kept and reported in the order given. Files are read synchronously, one after the other: reading 2,000
  // files at once through the thread pool took five to eight times the CPU time (T4: 0.23–0.25 s against
  // 0.03–0.06 s), and the text is read before anything else can run anyway.
  const fileOrder = sources.map((source) => (source.kind === 'stdin' ? STDIN_NAME : source.path));
  const texts = await Promise.all(
    sources.map((source) =>
      source.kind === 'stdin'
        ? (options.readStdin ?? readProcessStdin)().then(
            (text): ReadText => ({ ok: true, text: isBinary(text) ? BINARY : text }),
            (error: unknown): ReadText => ({ ok: false, error }),
          )
        : Promise.resolve(readTextFile(source.path)),
    ),
  );
  dropOfferedFiles();
  const read: Source[] = [];
  const binary: string[] = [];
  for (const [i, file] of fileOrder.entries()) {
    const result = texts[i]!;
    if (!result.ok)
      errors.push(
        pathProblem(
          'unreadable-file',
          file,
          `cannot read "${file}": ${readReason(result.error, sources[i]!.kind === 'file' ? file : undefined)}`,
        ),
      );
    else if (typeof result.text === 'string') read.push({ file, text: result.text });
    else binary.push(file);
  }
  const { cache } = options;
  const variant = { defaultNamespace: options.defaultNamespace, strict: options.strict === true };
  // What earlier runs kept of these texts; the key of each, to keep what this run reads afresh.
  const keys = new Map<Source, string>();
  if (cache !== undefined) {
    const found = await Promise.all(read.map((source) => cache.lookup(source.text, variant)));
    for (const [i, { key, stored }] of found.entries()) {
      const source = read[i]!;
      keys.set(source, key);
      source.stored = stored;
    }
  }
  let cachedChars = 0;
  for (const source of read) if (source.stored !== undefined) cachedChars += source.text.length;
  const loaded = loadSources(
    read,
    {
      ...variant,
      skipInvalid: options.skipInvalid,
      ...(options.keepObjects === undefined ? {} : { keepObjects: options.keepObjects }),
    },
    { errors, warnings, fileOrder },
    options.onProgress,
    cache === undefined
      ? undefined
      : (source, stored) => {
          cache.store(keys.get(source)!, stored);
          cachedChars += source.text.length;
        },
    options.afterFile,
  );
  if (cache !== undefined) {
    await cache.flush();
    const total = read.reduce((n, s) => n + s.text.length, 0);
    loaded.cacheShare = total === 0 ? 1 : cachedChars / total;
  }
  // A binary file (an encrypted secret, a stray image) has no manifests: counted with the files that have none.
  loaded.ignored.files += binary.length;
  if (loaded.found > 0) return loaded;
  return { ...loaded, noManifests: describeNoManifests(paths, loaded, binary, read) };
}

type ReadText = { ok: true; text: Text } | { ok: false; error: unknown };

function readTextFile(path: string): ReadText {
  // Or read already, for the answer cache's key.
  const offered = takeOfferedFile(path);
  let bytes: Buffer;
  try {
    bytes = offered ?? readFileSync(path);
  } catch (error) {
    return { ok: false, error };
  }
  // UTF-16 text (with its mark) has NUL bytes, and is binary only when its characters have a NUL too.
  const text = decodeText(bytes);
  return { ok: true, text: isBinary(text) && isBinary(bytes) ? BINARY : text };
}

/** As git decides: a NUL byte among the first 8,000 bytes makes a file binary. */
function isBinary(content: string | Buffer): boolean {
  return typeof content === 'string'
    ? content.slice(0, 8000).includes('\0')
    : content.subarray(0, 8000).includes(0);
}

/**
 * For a path that does not exist (`examples/webshp`): the entry of its folder whose name is closest
 * (`examples/webshop`), or undefined (none is close, or the folder does not exist either).
 */
export function pathMeant(path: string): string | undefined {
  const name = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(dirname(path));
  } catch {
    return undefined;
  }
  // The name itself is listed when it is a broken symbolic link: never offered for itself.
  const meant = closestMatch(
    name,
    entries.filter((entry) => entry !== name),
  );
  return meant === undefined ? undefined : join(dirname(path), meant);
}

/**
 * Why a path the system does not find (ENOENT, ENOTDIR) is not there, when that can be said: it is a broken
 * symbolic link (`it is a broken symbolic link to "…"`), or a part of it is a file where a folder is needed
 * (`"notes.txt" is a file, not a folder`); else undefined.
 */
export function whyMissing(path: string): string | undefined {
  try {
    if (lstatSync(path).isSymbolicLink()) return `it is a broken symbolic link to "${readlinkSync(path)}"`;
  } catch {
    // Nothing at that name: what is in its way, if anything, is a part of its path.
  }
  if (notUtf8Name(path))
    return 'its name is not valid UTF-8, and Node.js cannot open it by that name: rename it';
  const file = fileInPath(path);
  return file === undefined ? undefined : `"${file}" is a file, not a folder`;
}

/**
 * Whether `path` names an entry of its folder whose name is not UTF-8 (`bad\xffname.yaml`): a folder's listing
 * shows such a name with U+FFFD in place of the bytes, a name that opens nothing.
 */
function notUtf8Name(path: string): boolean {
  const name = basename(path);
  if (!name.includes('\uFFFD')) return false;
  try {
    return readdirSync(dirname(path), { encoding: 'buffer' }).some(
      (raw) => raw.toString('utf8') === name && !raw.equals(Buffer.from(name)),
    );
  } catch {
    return false;
  }
}

/** The first part of `path` (from its root: `notes.txt` of `notes.txt/x/y.yaml`) that is there and is no folder. */
function fileInPath(path: string): string | undefined {
  const parts: string[] = [];
  // `notes.txt/` names a folder as much as `notes.txt/x` does.
  for (let part = path.replace(/(?<=.)[/\\]+$/, ''); ; part = dirname(part)) {
    parts.unshift(part);
    if (dirname(part) === part) break;
  }
  for (const part of parts) {
    let folder: boolean;
    try {
      folder = statSync(part).isDirectory();
    } catch {
      return undefined;
    }
    if (!folder) return part;
  }
  return undefined;
}

/**
 * Why the inputs hold no manifests, in one line: the paths that do not exist, binary files, empty folders, files
 * of other YAML, files with no document at all.
 */
function describeNoManifests(
  paths: readonly string[],
  loaded: LoadResult,
  binary: readonly string[],
  read: readonly Source[],
): string {
  const named = [...new Set(paths)].map((p) => (p === '-' ? 'standard input' : p));
  const reasons = [...loaded.errors, ...loaded.warnings]
    .filter((p) => NOTHING_READ.has(p.code))
    .map((p) => p.message);
  if (binary.length > 0) {
    const shown = binary.slice(0, 3).map((f) => (f === STDIN_NAME ? 'standard input' : `"${f}"`));
    const more = binary.length > 3 ? ` and ${binary.length - 3} more` : '';
    reasons.push(
      `${shown.join(', ')}${more} ${binary.length === 1 ? 'is a binary file' : 'are binary files'}`,
    );
  }
  const other = loaded.ignored.files - binary.length;
  if (other > 0) reasons.push(`${other} file${other === 1 ? '' : 's'} with no Kubernetes objects`);
  // Nothing was found, so every text read holds either documents of other YAML (counted above) or none.
  const blank = read.length - other;
  if (blank > 0) {
    const only = read.length === 1 ? read[0]!.file : undefined;
    const itself = paths.length === 1 && (only === STDIN_NAME ? paths[0] === '-' : only === paths[0]);
    const who = itself
      ? 'it'
      : only === STDIN_NAME
        ? 'standard input'
        : only === undefined
          ? undefined
          : `"${only}"`;
    reasons.push(
      who !== undefined
        ? `${who} is empty or holds only comments`
        : `${blank} file${blank === 1 ? '' : 's'} empty or with only comments`,
    );
  }
  return `no manifests found in ${named.join(', ')}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`;
}

/**
 * The problems of paths that could not be read (missing, unreadable): never skipped, --skip-invalid or not
 * (it skips invalid objects, not missing files).
 */
export const UNREAD_CODES: ReadonlySet<string> = new Set([
  'path-not-found',
  'unreadable-path',
  'unreadable-file',
]);

/** The problems of paths that gave nothing to read. */
const NOTHING_READ = new Set([...UNREAD_CODES, 'empty-folder']);
