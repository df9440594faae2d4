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

/** Adds the reserved entities of one Hubble JSON object's ends (`ENTITY_LABELS`) to `out`. */
function addEntities(o: Json, out: Map<string, Set<string>>): void {
  const flow = isObject(o.flow) ? o.flow : o;
  const ip = isObject(flow.IP) ? flow.IP : undefined;
  if (ip === undefined) return;
  const add = (address: unknown, end: unknown): void => {
    if (typeof address !== 'string' || !isObject(end)) return;
    const labels = strings(end.labels);
    const found = labels.includes('reserved:kube-apiserver')
      ? ['kube-apiserver']
      : ENTITY_LABELS.filter(([label]) => labels.includes(label)).map(([, entity]) => entity);
    if (found.length === 0) return;
    const set = out.get(address) ?? new Set<string>();
    for (const e of found) set.add(e);
    out.set(address, set);
  };
  add(ip.source, flow.source);
  add(ip.destination, flow.destination);
}

/**
 * What Hubble's records say beside the connections, fed line by line (`line`) or in pieces of text cut anywhere
 * (`text`, then `end`), so that a capture of any size, and standard input as it streams by, is read once:
 * the DNS names outside addresses were seen under (`names`), and the addresses labelled with a reserved identity
 * (`entities`). Lines that are not Hubble JSON are skipped (reading the flows reports them).
 */
export class HubbleNames {
  readonly #names = new Map<string, Set<string>>();
  readonly #entities = new Map<string, Set<string>>();
  #carry = '';

  line(line: string): void {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) return;
    // Most flows carry neither: skip parsing them.
    if (
      !trimmed.includes('destination_names') &&
      !trimmed.includes('"dns"') &&
      !trimmed.includes('reserved:')
    )
      return;
    let o: unknown;
    try {
      o = JSON.parse(trimmed);
    } catch {
      return;
    }
    if (!isObject(o)) return;
    addObject(o, this.#names);
    addEntities(o, this.#entities);
  }

  /** A piece of the text; lines may be cut anywhere between pieces. */
  text(piece: string): void {
    const lines = (this.#carry + piece).split('\n');
    this.#carry = lines.pop() ?? '';
    for (const l of lines) this.line(l);
  }

  /** The end of the pieces given to `text`. */
  end(): void {
    const last = this.#carry;
    this.#carry = '';
    this.line(last);
  }

  /** The names of every address, each list sorted. */
  names(): DnsNames {
    return new Map([...this.#names].map(([ip, names]) => [ip, [...names].sort()]));
  }

  /**
   * The entities of the addresses labelled with a reserved identity, sorted. An address labelled
   * `reserved:kube-apiserver` is the API server only: `toEntities: [kube-apiserver]` matches it wherever it runs
   * (on a node it also carries host or remote-node), so it wins over the node's where one address had both.
   */
  entities(): ReadonlyMap<string, readonly string[]> {
    return new Map(
      [...this.#entities].map(([ip, set]) => [
        ip,
        set.has('kube-apiserver') ? ['kube-apiserver'] : [...set].sort(),
      ]),
    );
  }
}

function ofTexts(texts: readonly string[]): HubbleNames {
  const names = new HubbleNames();
  for (const text of texts) {
    names.text(text);
    names.end();
  }
  return names;
}

/** The names of every address in the Hubble JSON texts (one object per line), each list sorted. */
export function dnsNamesOfHubble(texts: readonly string[]): DnsNames {
  return ofTexts(texts).names();
}

/** The addresses Hubble labelled with a reserved identity of `ENTITY_LABELS` in the texts (`HubbleNames.entities`). */
export function reservedEntitiesOfHubble(texts: readonly string[]): ReadonlyMap<string, readonly string[]> {
  return ofTexts(texts).entities();
}
