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

/** The reserved identities written as entities: the API server, and the nodes (the local one, the others). */
const ENTITY_LABELS: readonly (readonly [label: string, entity: string])[] = [
  ['reserved:kube-apiserver', 'kube-apiserver'],
  ['reserved:host', 'host'],
  ['reserved:remote-node', 'remote-node'],
];

/**
 * The addresses Hubble labelled with a reserved identity of `ENTITY_LABELS` (a flow's `source`/`destination`
 * `labels`), with those entities, sorted. An address labelled `reserved:kube-apiserver` is the API server only:
 * `toEntities: [kube-apiserver]` matches it wherever it runs (on a node it also carries host or remote-node).
 */
export function reservedEntitiesOfHubble(texts: readonly string[]): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, Set<string>>();
  const add = (ip: unknown, end: unknown): void => {
    if (typeof ip !== 'string' || !isObject(end)) return;
    const labels = strings(end.labels);
    const found = labels.includes('reserved:kube-apiserver')
      ? ['kube-apiserver']
      : ENTITY_LABELS.filter(([label]) => labels.includes(label)).map(([, entity]) => entity);
    if (found.length === 0) return;
    const set = out.get(ip) ?? new Set<string>();
    for (const e of found) set.add(e);
    out.set(ip, set);
  };
  for (const o of hubbleObjects(texts)) {
    const flow = isObject(o.flow) ? o.flow : o;
    const ip = isObject(flow.IP) ? flow.IP : undefined;
    if (ip === undefined) continue;
    add(ip.source, flow.source);
    add(ip.destination, flow.destination);
  }
  // The API server's identity wins over the node's where one address had both.
  return new Map(
    [...out].map(([ip, set]) => [ip, set.has('kube-apiserver') ? ['kube-apiserver'] : [...set].sort()]),
  );
}

/** The JSON objects of Hubble texts (one per line); other lines are skipped. */
function hubbleObjects(texts: readonly string[]): Json[] {
  const out: Json[] = [];
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const trimmed = line.trim();
      if (!trimmed.startsWith('{')) continue;
      try {
        const o: unknown = JSON.parse(trimmed);
        if (isObject(o)) out.push(o);
      } catch {
        // Not JSON: reading the flows reports it.
      }
    }
  }
  return out;
}

/** The names of every address in the Hubble JSON texts (one object per line), each list sorted. */
export function dnsNamesOfHubble(texts: readonly string[]): DnsNames {
  const out = new Map<string, Set<string>>();
  for (const o of hubbleObjects(texts)) addObject(o, out);
  return new Map([...out].map(([ip, names]) => [ip, [...names].sort()]));
}
