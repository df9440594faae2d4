/** Cilium egress rules that many tests write: DNS lookups through the agent's proxy, and a `toFQDNs` name. */
import type { CiliumEgressRule } from '../../src/model/cilium-wire.ts';

/** Every DNS lookup (53/UDP, `matchPattern: '*'`) sent to Cilium's DNS proxy, which `toFQDNs` names need. */
export const DNS_PROXY_RULE: CiliumEgressRule = {
  toEndpoints: [{}],
  toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
};

/** An egress allow of the DNS name `name` on the TCP ports `ports`. */
export function fqdnRule(name: string, ports: readonly string[]): CiliumEgressRule {
  return {
    toFQDNs: [{ matchName: name }],
    toPorts: [{ ports: ports.map((port) => ({ port, protocol: 'TCP' })) }],
  };
}
