/**
 * The manifests behind a cluster state, read once more: the parsed objects (the linter's YAML checks read
 * them) and the YAML text of each NetworkPolicy and cluster policy as written, comments included, for the
 * what-if editor.
 */
import { readFile } from 'node:fs/promises';
import type { CiliumPolicyInfo } from '../model/cilium.ts';
import type { ClusterPolicyInfo, ClusterState, PolicyInfo } from '../model/cluster.ts';
import { STDIN_NAME, parseManifestText, withoutMark } from '../parse/index.ts';
import { originFiles } from '../parse/origin.ts';
import type { ParsedObject } from '../parse/types.ts';
import { toYamlDocument } from '../format/yaml.ts';

export interface Sources {
  objects: ParsedObject[];
  /** Policy id (and cluster policy id `Kind/name`, Cilium policy id `Kind/ns/name`) → its YAML document as written. */
  policyYaml: Map<string, string>;
}

/** Where each line of `text` starts (offsets), for `documentText`. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * The text of one YAML document of a file, without its `---` line and trailing blank lines. `file`: the file's
 * text as the parser read it (`withoutMark`: the caller strips the byte order mark, once); `starts`: its
 * `lineStarts`.
 */
export function documentText(
  file: string,
  starts: readonly number[],
  source: ParsedObject,
): string | undefined {
  const doc = source.document;
  if (doc === undefined || source.documentPath.length > 0) return undefined;
  // The parser reads each value of a stream of JSON values (JSON Lines) on its own: the document's offsets
  // count from there. Shift them to where the object starts.
  const at = starts[source.line - 1]! + source.column - 1;
  const base = at - (source.node?.range?.[0] ?? 0);
  const [start, , end] = doc.range;
  const text = withoutLeadingMarks(file.slice(base + start, base + end).replace(/^---[^\n]*\n/, ''));
  const body = text.replace(/\s+$/, '');
  return body === '' ? undefined : `${body}\n`;
}

/** A comment or blank line (with its line break). */
const NO_CONTENT = /^[ \t]*(#[^\n]*)?\r?\n$/;

/**
 * A document's text without the byte order marks that start its lines before its first content (YAML allows
 * one at the start of each document, after `---` or comments; the parser skips it): the YAML as written is
 * quoted without them. A mark further on is the document's own.
 */
function withoutLeadingMarks(body: string): string {
  if (!body.includes('\uFEFF')) return body;
  let out = '';
  let rest = body;
  for (;;) {
    rest = withoutMark(rest);
    const end = rest.indexOf('\n');
    if (end < 0) return out + rest;
    const line = rest.slice(0, end + 1);
    if (!NO_CONTENT.test(line)) return out + rest;
    out += line;
    rest = rest.slice(end + 1);
  }
}

/** Reads every file the state's objects come from; `stdin` is the text read from standard input, if any. */
export async function readSources(state: ClusterState, stdin?: string): Promise<Sources> {
  const files = originFiles(state);
  // And the files of the Cilium policies (`originFiles` leaves them out), for their YAML as written.
  for (const p of state.ciliumPolicies) if (p.origin !== undefined) files.add(p.origin.file);
  const objects: ParsedObject[] = [];
  const policyYaml = new Map<string, string>();
  const byFile = new Map<string, (PolicyInfo | ClusterPolicyInfo | CiliumPolicyInfo)[]>();
  for (const p of [...state.policies, ...state.clusterPolicies, ...state.ciliumPolicies]) {
    if (p.origin === undefined) continue;
    const list = byFile.get(p.origin.file);
    if (list === undefined) byFile.set(p.origin.file, [p]);
    else list.push(p);
  }
  for (const file of [...files].sort()) {
    let text: string;
    if (file === STDIN_NAME) {
      if (stdin === undefined) continue;
      text = stdin;
    } else {
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue; // read a moment ago; if it is gone now, the state still has its objects
      }
    }
    const parsed = parseManifestText(text, file).objects;
    objects.push(...parsed);
    // The parser reads the text without its byte order mark: lines and columns count from there.
    const unmarked = withoutMark(text);
    let starts: number[] | undefined;
    for (const policy of byFile.get(file) ?? []) {
      const origin = policy.origin!;
      const kind = 'kind' in policy ? policy.kind : 'NetworkPolicy';
      const source = parsed.find(
        (o) => o.kind === kind && o.line === origin.line && o.column === origin.column,
      );
      const yaml =
        source === undefined ? undefined : documentText(unmarked, (starts ??= lineStarts(unmarked)), source);
      if (yaml !== undefined) policyYaml.set(policy.id, yaml);
    }
  }
  return { objects, policyYaml };
}

/** A policy as YAML, rebuilt from the state (a policy read from a cluster, or from a List). */
export function renderPolicy(policy: PolicyInfo): string {
  const metadata: Record<string, unknown> = { name: policy.name, namespace: policy.namespace };
  if (Object.keys(policy.labels).length > 0) metadata.labels = policy.labels;
  return toYamlDocument({
    value: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: policy.spec },
  });
}
