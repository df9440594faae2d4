/**
 * The `yaml` package, loaded on first use: it builds nodes and positions, which most runs never ask for (the
 * fast reader reads ordinary manifests), and loading its 70 modules costs about 25 ms of every start.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

export function yaml(): typeof Yaml {
  return (loaded ??= require('yaml') as typeof Yaml);
}
