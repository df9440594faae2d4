/**
 * Runs the valid/invalid table of every rule, `test/lint/rules/<rule-id>.ts`, in one process (a process per
 * rule would cost more than the tests). One rule alone: `node --test test/lint/rules/<rule-id>.ts`.
 */
import { readdirSync } from 'node:fs';

const dir = new URL('./rules/', import.meta.url);
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  await import(new URL(file, dir).href);
}
