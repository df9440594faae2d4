/**
 * A Node's address is in the cluster, not outside it: the outputs that list address classes say which classes
 * are Nodes' addresses (`192.168.0.1/32 (an address of node n1)`, JSON `nodes`, dot's `nodes` subgraph). The
 * connections stay as they are: only how an address class is named changes.
 */
import { nodeAddressText } from '../describe/node-address.ts';

/** The Nodes whose addresses make up an address class, sorted; [] for a class holding any other address. */
export type NodesAt = (classId: number) => readonly string[];

/** For outputs of a cluster without Nodes: no class is a Node's address. */
export const noNodes: NodesAt = () => [];

/** The Nodes whose addresses make up a union of classes, sorted; [] when any class of it is not a Node's. */
export function nodesOfUnion(nodesAt: NodesAt, ids: readonly number[]): readonly string[] {
  const nodes = new Set<string>();
  for (const id of ids) {
    const of = nodesAt(id);
    if (of.length === 0) return [];
    for (const n of of) nodes.add(n);
  }
  return [...nodes].sort();
}

/**
 * An address class (or union) as the tables name it, in `explain`'s and `paths`' words:
 * `192.168.0.1/32 (an address of node n1)`, `192.168.0.1/32, 192.168.0.2/32 (addresses of nodes n1, n2)`;
 * `description` alone when it is no Node's address.
 */
export function withNodes(description: string, nodes: readonly string[]): string {
  return nodes.length === 0 ? description : `${description} (${nodeAddressText(nodes)})`;
}
