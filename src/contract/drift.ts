/** `netfence drift -o json` (docs/json-schema.md#drift). */
import type { DiffJson } from './diff.ts';

export type DriftKindJson = 'missing' | 'extra' | 'changed';

export interface DriftPolicyJson {
  drift: DriftKindJson;
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  /** Where the desired policy is (the live one when extra): file and line; null when read from a cluster. */
  file: string | null;
  line: number | null;
  /** Changed only: the spec fields that differ (`spec.ingress[0].ports`), defaults filled in on both sides. */
  fields: readonly string[];
}

export interface DriftJson {
  schemaVersion: 1;
  /** The desired side as shown: a path, `rev:path` (--git), `context A`, a snapshot file. */
  desired: string;
  /** The live side: `live cluster`, `live cluster (context prod)`, a snapshot file. */
  live: string;
  /** Where extra policies are looked for: the namespaces the desired side covers, or null for all (-A). */
  namespaces: readonly string[] | null;
  /** No missing, extra or changed policy, and no connection that differs. */
  inSync: boolean;
  summary: {
    missing: number;
    extra: number;
    changed: number;
    /** Policies on both sides with the same spec. */
    inSync: number;
    /**
     * Not a count of connections (the name is kept within schema version 1): the number of
     * `connectivity.connections` entries, pairs of the two sides' common address classes that differ (0: no
     * connection differs). Connections as `analyze` counts them are `connectivity.summary`'s.
     */
    connections: number;
  };
  policies: readonly DriftPolicyJson[];
  /** The `diff` schema: the live state (before) → the live state with the desired policies (after). */
  connectivity: DiffJson;
}
