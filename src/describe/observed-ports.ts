/**
 * How the observed ports of a flow check ended, in the words `netfence check-flows` prints and the web UI's
 * Traffic view shows (ui/lib/traffic.ts bundles this module: it imports only src/base/text.ts), so that the two
 * say the same counts in the same words.
 */
import { formatCount } from '../base/text.ts';

/** A flow check's observed ports (source, destination, protocol, port), counted as every output counts them. */
export interface ObservedPortCounts {
  observed: number;
  allowed: number;
  /** A pod's traffic to itself, which no policy can stop. */
  unpoliced: number;
  /** Denied by the policies, and worked during the capture: what the change breaks. */
  wouldBeDenied: number;
  /** Denied by the policies, and dropped during the capture too. */
  stillDenied: number;
}

/** `63 allowed, 0 would be denied, 4 still denied (dropped during the capture too)`. */
export function observedPortsOutcome(c: ObservedPortCounts): string {
  return (
    `${formatCount(c.allowed)} allowed, ` +
    // Counted apart, as the JSON's `unpoliced` is.
    (c.unpoliced > 0 ? `${formatCount(c.unpoliced)} not subject to policies (a pod to itself), ` : '') +
    `${formatCount(c.wouldBeDenied)} would be denied` +
    (c.stillDenied > 0 ? `, ${formatCount(c.stillDenied)} still denied (dropped during the capture too)` : '')
  );
}
