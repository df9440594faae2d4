/**
 * The DNS names Hubble saw outside addresses under, for `generate --format cilium` (`toFQDNs`): a flow's
 * `destination_names` (the names Cilium's DNS proxy last resolved to its destination address), and the answers
 * of DNS records (`l7.dns`: `query` and `ips`). Pure: it reads the text of a capture; lines that are not Hubble
 * JSON are skipped (reading flows reports them).
 */
import type { DnsNames } from './cilium.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `API.Example.com.` → `api.example.com`. */
export function dnsName(text: string): string {
  return text.trim().toLowerCase().replace(/\.$/, '');
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : [];
}

/** Adds the names of one Hubble JSON object (a flow, or `{flow: ...}`) to `out`. */
function addObject(o: unknown, out: Map<string, Set<string>>): void {
  if (!isObject(o)) return;
  const flow = isObject(o.flow) ? o.flow : o;
  const add = (ip: string, name: string): void => {
    const set = out.get(ip) ?? new Set<string>();
    set.add(dnsName(name));
    out.set(ip, set);
  };
  const ip = isObject(flow.IP) ? flow.IP : undefined;
  if (ip !== undefined && typeof ip.destination === 'string')
    for (const name of strings(flow.destination_names)) add(ip.destination, name);
  const dns = isObject(flow.l7) && isObject(flow.l7.dns) ? flow.l7.dns : undefined;
  if (dns !== undefined && typeof dns.query === 'string' && dns.query.trim() !== '')
    for (const answer of strings(dns.ips)) add(answer, dns.query);
}

/** The names of every address in the Hubble JSON texts (one object per line), each list sorted. */
export function dnsNamesOfHubble(texts: readonly string[]): DnsNames {
  const out = new Map<string, Set<string>>();
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const trimmed = line.trim();
      if (!trimmed.startsWith('{')) continue;
      try {
        addObject(JSON.parse(trimmed), out);
      } catch {
        // Not JSON: reading the flows reports it.
      }
    }
  }
  return new Map([...out].map(([ip, names]) => [ip, [...names].sort()]));
}
