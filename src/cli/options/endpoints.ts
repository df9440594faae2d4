/** The endpoint options (`--from`, `--to`, `--for`, `--port`) of explain and exposure. */
import { parsePortQuery } from '../../engine/explain.ts';
import type { PortSet } from '../../engine/ports.ts';
import { resolveRefText, type RefIndex, type ResolvedRef } from '../../engine/refs.ts';
import { UserError } from '../io.ts';

export function parsePortOption(text: string): PortSet {
  const parsed = parsePortQuery(text);
  if (typeof parsed === 'string') throw new UserError(`--port: ${parsed}`);
  return parsed;
}

/** Resolves `--from`/`--to`, or throws a one-line UserError with the suggestion. */
export function resolveOption(index: RefIndex, option: string, text: string): ResolvedRef {
  const r = resolveRefText(index, text);
  if (!r.ok) throw new UserError(`${option}: ${r.error.message}`);
  return r.value;
}
