/**
 * Every relative link of the project's markdown (README, CONTRIBUTING, CHANGELOG, docs/) leads somewhere: the
 * file exists, and a `#fragment` names a heading of the target as GitHub makes its anchors (lower case,
 * punctuation dropped, spaces to hyphens, `-1`, `-2` for repeated headings). Links inside code are not links.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

/** GitHub's anchor for a heading's text. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The lines of a markdown text outside fenced code blocks, with inline code spans blanked. */
function prose(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) {
      fenced = !fenced;
      return;
    }
    if (!fenced) out.push({ line: i + 1, text: text.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length)) });
  });
  return out;
}

/** The anchors of a markdown text's headings. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (heading === null) continue;
    const base = slug(heading[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The relative link targets of a markdown text, with their lines. */
export function links(markdown: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  for (const { line, text } of prose(markdown)) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) out.push({ line, target });
    }
  }
  return out;
}

function markdownFiles(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? docs(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
    );
  return ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', ...docs('docs')].filter((f) =>
    existsSync(join(ROOT, f)),
  );
}

describe('markdown links', () => {
  test('slug follows GitHub: code marks and punctuation dropped, spaces to hyphens, hyphens and digits kept', () => {
    assert.equal(
      slug('`src/engine`: the folder (issue #20, round 10)'),
      'srcengine-the-folder-issue-20-round-10',
    );
    assert.equal(slug('T1 cold – under 0.5 s'), 't1-cold--under-05-s');
    assert.deepEqual([...anchors('# A\n```\n# not a heading\n```\n## A\n')], ['a', 'a-1']);
  });

  test('a link inside code is not a link', () => {
    assert.deepEqual(links('see [x](a.md) and `[y](b.md)`\n```\n[z](c.md)\n```\n[w](https://example.com)'), [
      { line: 1, target: 'a.md' },
    ]);
  });

  test('every relative link of README, CONTRIBUTING, CHANGELOG and docs/ leads to a file and a heading', () => {
    const files = markdownFiles();
    assert.ok(files.length > 20, `found only ${files.length} markdown files`);
    const cache = new Map<string, Set<string>>();
    const anchorsOf = (file: string): Set<string> => {
      let a = cache.get(file);
      if (a === undefined) cache.set(file, (a = anchors(readFileSync(join(ROOT, file), 'utf8'))));
      return a;
    };
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const { line, target } of links(readFileSync(join(ROOT, file), 'utf8'))) {
        const [path = '', fragment] = target.split('#', 2);
        const to = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
        checked++;
        if (relative(ROOT, join(ROOT, to)).startsWith('..') || !existsSync(join(ROOT, to))) {
          broken.push(`${file}:${line}: ${target} (no such file)`);
        } else if (fragment !== undefined && to.endsWith('.md') && statSync(join(ROOT, to)).isFile()) {
          if (!anchorsOf(to).has(fragment))
            broken.push(`${file}:${line}: ${target} (no such heading in ${to})`);
        }
      }
    }
    assert.ok(checked > 100, `only ${checked} links checked`);
    assert.deepEqual(broken, []);
  });
});
