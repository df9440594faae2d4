/**
 * The web app's files. The published package ships them prebuilt in `dist/ui/`; in a checkout they are built
 * from `ui/` with esbuild (a devDependency) whenever `dist/ui/` is missing or older than its sources, so that
 * `netfence serve` works right after `npm install`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';

/** The package root: `../../` from both `src/server/` (a checkout) and `dist/server/` (the package). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const UI_SOURCES = join(PACKAGE_ROOT, 'ui');
export const UI_DIST = join(PACKAGE_ROOT, 'dist', 'ui');

/** The files of the built app; `index.html` is written last, so its time says when a build finished. */
export const UI_FILES = ['app.js', 'app.css', 'editor.js', 'index.html'] as const;
export type UiFile = (typeof UI_FILES)[number];

export const CONTENT_TYPES: Readonly<Record<UiFile, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'editor.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'index.html': 'text/html; charset=utf-8',
};

/** The built files, in memory (a few hundred kilobytes). */
export type UiAssets = ReadonlyMap<UiFile, Buffer>;

/** A failure to find or build the app, with the fix in the message. */
export class AssetsError extends Error {}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const s = await stat(join(entry.parentPath, entry.name));
    newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

/** Whether `dist/ui` is missing a file or older than a file of `ui/`. */
export async function uiIsStale(sources = UI_SOURCES, dist = UI_DIST): Promise<boolean> {
  for (const f of UI_FILES) if (!existsSync(join(dist, f))) return true;
  const built = (await stat(join(dist, 'index.html'))).mtimeMs;
  return (await newestSource(sources)) > built;
}

export interface BuildOptions {
  sources?: string;
  outdir?: string;
  /** @default true */
  minify?: boolean;
}

/**
 * Bundles the app with esbuild: `app.js` (views, graph renderer), `editor.js` (the YAML editor of the
 * what-if view, loaded when that view opens), `app.css`, `index.html`. Each file is written beside its
 * place and renamed over it, so that a server reading them never sees half a file.
 */
export async function buildUi(options: BuildOptions = {}): Promise<void> {
  const sources = options.sources ?? UI_SOURCES;
  const outdir = options.outdir ?? UI_DIST;
  let esbuild: typeof Esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new AssetsError(
      'the web UI is not built and esbuild is not installed to build it: run npm install (or npm run build)',
    );
  }
  const result = await esbuild.build({
    entryPoints: {
      app: join(sources, 'main.ts'),
      editor: join(sources, 'editor.ts'),
    },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    minify: options.minify ?? true,
    legalComments: 'none',
    outdir,
    logLevel: 'silent',
  });
  const files = new Map<string, Uint8Array | string>();
  // esbuild gives absolute paths, whatever `outdir` is (relative, or with a final slash).
  for (const f of result.outputFiles) files.set(basename(f.path), f.contents);
  const css = await esbuild.build({
    entryPoints: [join(sources, 'app.css')],
    bundle: true,
    write: false,
    minify: options.minify ?? true,
    outfile: join(outdir, 'app.css'),
    logLevel: 'silent',
  });
  files.set('app.css', css.outputFiles[0]!.contents);
  files.set('index.html', await readFile(join(sources, 'index.html'), 'utf8'));
  await mkdir(outdir, { recursive: true });
  for (const name of UI_FILES) {
    const body = files.get(name);
    if (body === undefined) throw new Error(`the UI build did not produce ${name}`);
    const temp = join(outdir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, body);
      await rename(temp, join(outdir, name));
    } finally {
      await rm(temp, { force: true });
    }
  }
}

/**
 * The app's files: from `dist/ui`, built first when this is a checkout and the build is missing or stale.
 * `onBuild` is told before a build starts (it takes a second or two). `where`: other folders, for tests.
 */
export async function loadUiAssets(
  onBuild?: () => void,
  where: { sources: string; dist: string } = { sources: UI_SOURCES, dist: UI_DIST },
): Promise<UiAssets> {
  if (existsSync(join(where.sources, 'main.ts')) && (await uiIsStale(where.sources, where.dist))) {
    onBuild?.();
    try {
      await buildUi({ sources: where.sources, outdir: where.dist });
    } catch (error) {
      if (error instanceof AssetsError) throw error;
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      throw new AssetsError(`the web UI could not be built from ui/: ${message}`);
    }
  }
  const out = new Map<UiFile, Buffer>();
  for (const name of UI_FILES) {
    try {
      out.set(name, await readFile(join(where.dist, name)));
    } catch {
      throw new AssetsError(
        `the web UI is missing ${join(where.dist, name)}: reinstall netfence, or run npm run build`,
      );
    }
  }
  return out;
}
