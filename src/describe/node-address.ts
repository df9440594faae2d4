/**
 * The words for an address that is a node's (`explain`'s status `node-address`). This module imports nothing:
 * the web UI (ui/views/inspect.ts) bundles it, so that the inspector and `explain` say the same words without
 * pulling the engine into the browser.
 */

/** What an address end of status `node-address` is: `an address of node n2`, `addresses of nodes n1, n2`. */
export function nodeAddressText(nodes: readonly string[]): string {
  return nodes.length === 1 ? `an address of node ${nodes[0]}` : `addresses of nodes ${nodes.join(', ')}`;
}
