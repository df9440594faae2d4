/** Helpers of the web app's build tests (test/server/assets-*.test.ts): temporary folders, a small app. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A maker of temporary folders, all removed after the calling file's tests: call it at the top level. */
export function tempDirs(): () => string {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), 'netfence-assets-'));
    dirs.push(d);
    return d;
  };
}

/** A small app in a new folder of `tempDir`, whose `main.ts` is `main` and `app.css` is `css`. */
export function smallApp(
  tempDir: () => string,
  main = "console.log('app here');\n",
  css = '.graph { margin: 0px; }\n',
): string {
  const src = tempDir();
  writeFileSync(join(src, 'main.ts'), main);
  writeFileSync(join(src, 'editor.ts'), "console.log('editor here');\n");
  writeFileSync(join(src, 'app.css'), css);
  writeFileSync(join(src, 'index.html'), '<!doctype html><title>small</title>\n');
  return src;
}
