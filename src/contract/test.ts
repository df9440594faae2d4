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
  /**
   * Present only when some pair expected to be allowed is allowed at L4 and filtered at L7 by Cilium's proxy
   * (the test passes): each pair, the ports (within the test's) and the policies filtering them.
   */
  l7?: readonly TestL7PairJson[];
  /** With `l7`: the line the text output shows, `allowed at L4, filtered at L7 on 8080/TCP by …`. */
  l7Summary?: string;
}

export interface TestL7PairJson {
  src: { id: string; name: string };
  dst: { id: string; name: string };
  ports: PortsJson;
  summary: string;
  policies: readonly string[];
}

export interface TestJson {
  schemaVersion: 1;
  summary: { tests: number; passed: number; failed: number };
  specs: readonly { file: string; granularity: GranularityJson; tests: readonly TestResultJson[] }[];
}
