/** `netfence test -o json` (docs/json-schema.md#test). */
import type { GranularityJson, PortsJson } from './common.ts';
import type { ExplanationJson } from './explain.ts';

export type ExpectJson = 'allow' | 'deny';

export interface TestFailureJson {
  src: { id: string; name: string };
  dst: { id: string; name: string };
  /** The test's, or the opposite for a pair with an except entry. */
  expected: ExpectJson;
  excepted: boolean;
  /** Everything allowed, all ports. */
  allowed: PortsJson;
  summary: string;
  message: string;
  /** Null after the first three failing pairs of a test. */
  explanations: readonly ExplanationJson[] | null;
}

export interface TestResultJson {
  name: string;
  /** Null when absent. */
  description: string | null;
  file: string;
  line: number;
  column: number;
  expect: ExpectJson;
  /** As written. */
  from: readonly string[];
  to: readonly string[];
  except: readonly string[];
  /** Null: any port. */
  port: readonly string[] | null;
  passed: boolean;
  /** Pairs checked. */
  pairs: number;
  failures: readonly TestFailureJson[];
}

export interface TestJson {
  schemaVersion: 1;
  summary: { tests: number; passed: number; failed: number };
  specs: readonly { file: string; granularity: GranularityJson; tests: readonly TestResultJson[] }[];
}
