/**
 * Deterministic YAML with comments, through the `yaml` package's Document API: the same values and comments
 * always give the same bytes (keys in insertion order, no line folding, flow style only where asked).
 */
import { Document, isCollection, isNode } from 'yaml';

export type YamlPath = readonly (string | number)[];

export interface YamlComment {
  /** The node the comment goes above: a mapping value, a sequence item. */
  path: YamlPath;
  /** One string per comment line, without `#`; an empty string is a blank line. */
  lines: readonly string[];
}

export interface YamlDocumentSpec {
  value: unknown;
  /** Comment lines at the top of the document, followed by a blank line (a file header). */
  header?: readonly string[];
  /** Comment lines directly above the document's first key. */
  comment?: readonly string[];
  /** Comments above nodes inside the document. */
  comments?: readonly YamlComment[];
  /** Collections written in flow style, such as `policyTypes: [Ingress, Egress]`. */
  flow?: readonly YamlPath[];
}

function commentText(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? '' : ` ${l}`)).join('\n');
}

/** One YAML document. Throws (a bug) when a comment or flow path does not exist in the value. */
export function toYamlDocument(spec: YamlDocumentSpec): string {
  // A value that holds one object twice (a selector reused) is written out twice: never as an anchor and alias.
  const doc = new Document(spec.value, { aliasDuplicateObjects: false });
  if (spec.header !== undefined && spec.header.length > 0) doc.commentBefore = commentText(spec.header);
  if (spec.comment !== undefined && spec.comment.length > 0 && isNode(doc.contents)) {
    doc.contents.commentBefore = commentText(spec.comment);
  }
  for (const c of spec.comments ?? []) {
    const node: unknown = doc.getIn(c.path, true);
    if (!isNode(node)) throw new Error(`no YAML node at ${c.path.join('.')} for a comment`);
    node.commentBefore = commentText(c.lines);
  }
  for (const path of spec.flow ?? []) {
    const node: unknown = doc.getIn(path, true);
    if (!isCollection(node)) throw new Error(`no YAML collection at ${path.join('.')} for flow style`);
    node.flow = true;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Several documents, separated by `---`. */
export function toYamlStream(docs: readonly YamlDocumentSpec[]): string {
  return docs.map(toYamlDocument).join('---\n');
}
