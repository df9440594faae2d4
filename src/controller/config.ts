/**
 * What `netfence controller` keeps and reports: the default-deny policy it owns in each namespace (which
 * directions, the DNS allowance, the namespaces left alone) and how it audits. Flags and a YAML file
 * (`--controller-config`) give the same settings; the file's are the defaults, flags override them. Pure:
 * the file's text comes in, the settings or problems (with the field) come out.
 */
import { parse } from 'yaml';
import { parseLabelSelector } from '../engine/refs.ts';
import { compileSelector, selectorMatches, type CompiledSelector } from '../engine/selectors.ts';
import type { LabelSelector } from '../model/k8s.ts';

/** Which directions the default-deny policy isolates. */
export const DenyDirections = { Ingress: 'ingress', Egress: 'egress', Both: 'both', Off: 'off' } as const;
export type DenyDirections = (typeof DenyDirections)[keyof typeof DenyDirections];

/** Where the cluster DNS runs: egress to it on 53/UDP and 53/TCP stays allowed when egress is denied. */
export interface DnsTarget {
  namespace: string;
  podLabels: Record<string, string>;
}

export interface DefaultDenySettings {
  directions: DenyDirections;
  /** The policy's name in each namespace. */
  name: string;
  /** `undefined`: no DNS allowance (pods cannot resolve names). */
  dns: DnsTarget | undefined;
}

export interface ControllerSettings {
  defaultDeny: DefaultDenySettings;
  /** Namespaces netfence writes nothing into (no default deny, no report), by name. */
  excludeNamespaces: readonly string[];
  /** … and by label: a namespace any of these selects is left alone. */
  excludeSelectors: readonly LabelSelector[];
  /** Quiet time after the last change before the audit runs again, in ms. */
  auditDebounceMs: number;
  /** How often everything is reconciled from the held state even without a change, in ms. */
  resyncMs: number;
  /** Workloads of the blast-radius metric (the largest first). */
  blastRadiusTop: number;
}

export const DEFAULT_POLICY_NAME = 'netfence-default-deny';
export const DEFAULT_DNS: DnsTarget = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };

/** The settings without a file or flags; `ownNamespace` is excluded with `kube-system`. */
export function defaultSettings(ownNamespace: string): ControllerSettings {
  return {
    defaultDeny: { directions: DenyDirections.Both, name: DEFAULT_POLICY_NAME, dns: DEFAULT_DNS },
    excludeNamespaces: [...new Set(['kube-system', ownNamespace])],
    excludeSelectors: [],
    auditDebounceMs: 1000,
    resyncMs: 300_000,
    blastRadiusTop: 10,
  };
}

/** One problem of the settings file: the field (`defaultDeny.directions`) and what is wrong. */
export interface SettingsProblem {
  path: string;
  message: string;
}

const DIRECTIONS = Object.values(DenyDirections);
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A label selector in kubectl's syntax (`team=infra,!legacy`), or the reason it is not one. */
export function selectorOf(text: string): LabelSelector | string {
  return parseLabelSelector(text);
}

/** `30s`, `2m`, `500ms`, `1h` → ms, or undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (m === null) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownKeys(raw: Raw, known: readonly string[], at: string, problems: SettingsProblem[]): void {
  for (const key of Object.keys(raw))
    if (!known.includes(key))
      problems.push({
        path: at === '' ? key : `${at}.${key}`,
        message: `unknown setting "${key}" (expected one of ${known.join(', ')})`,
      });
}

function stringList(v: unknown, path: string, problems: SettingsProblem[]): string[] | undefined {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    problems.push({ path, message: `expected a list of strings, got ${JSON.stringify(v)}` });
    return undefined;
  }
  return v;
}

/** The longest a timer of Node.js waits (2^31 − 1 ms): a longer one fires after 1 ms (src/cli/options/values.ts). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function durationAt(v: unknown, path: string, problems: SettingsProblem[]): number | undefined {
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined || ms <= 0)
    problems.push({ path, message: `expected a duration such as 2s or 5m, got ${JSON.stringify(v)}` });
  else if (ms > MAX_TIMER_MS)
    problems.push({
      path,
      message: `a duration must be at most 596h31m (about 24.8 days), got ${JSON.stringify(v)}`,
    });
  return ms;
}

function dnsAt(v: unknown, problems: SettingsProblem[]): DnsTarget | undefined | 'invalid' {
  if (v === false) return undefined;
  if (v === true || v === undefined) return DEFAULT_DNS;
  if (!isRecord(v)) {
    problems.push({
      path: 'defaultDeny.dns',
      message: `expected false, true or {namespace, podLabels}, got ${JSON.stringify(v)}`,
    });
    return 'invalid';
  }
  unknownKeys(v, ['namespace', 'podLabels'], 'defaultDeny.dns', problems);
  const namespace = v.namespace ?? DEFAULT_DNS.namespace;
  const podLabels = v.podLabels ?? DEFAULT_DNS.podLabels;
  if (typeof namespace !== 'string' || !DNS_NAME.test(namespace)) {
    problems.push({
      path: 'defaultDeny.dns.namespace',
      message: `not a namespace name: ${JSON.stringify(namespace)}`,
    });
    return 'invalid';
  }
  if (!isRecord(podLabels) || !Object.values(podLabels).every((s) => typeof s === 'string')) {
    problems.push({
      path: 'defaultDeny.dns.podLabels',
      message: `expected a map of labels such as {k8s-app: kube-dns}, got ${JSON.stringify(podLabels)}`,
    });
    return 'invalid';
  }
  return { namespace, podLabels: podLabels as Record<string, string> };
}

/**
 * The settings of a `--controller-config` file over `base`:
 *
 * ```yaml
 * defaultDeny: { directions: both, name: netfence-default-deny, dns: { namespace: kube-system, podLabels: { k8s-app: kube-dns } } }
 * excludeNamespaces: [kube-public]      # added to kube-system and the controller's own namespace
 * excludeNamespaceSelectors: ['netfence.io/default-deny=off']
 * auditDebounce: 1s
 * resync: 5m
 * blastRadiusTop: 10
 * ```
 */
export function parseSettings(
  text: string,
  base: ControllerSettings,
): { ok: true; settings: ControllerSettings } | { ok: false; problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    return {
      ok: false,
      problems: [{ path: '', message: `not YAML: ${(error as Error).message.split('\n')[0]!}` }],
    };
  }
  if (raw === null || raw === undefined) return { ok: true, settings: base };
  if (!isRecord(raw)) return { ok: false, problems: [{ path: '', message: 'expected a map of settings' }] };
  unknownKeys(
    raw,
    [
      'defaultDeny',
      'excludeNamespaces',
      'excludeNamespaceSelectors',
      'auditDebounce',
      'resync',
      'blastRadiusTop',
    ],
    '',
    problems,
  );
  const settings: ControllerSettings = { ...base, defaultDeny: { ...base.defaultDeny } };
  const deny = raw.defaultDeny;
  if (deny !== undefined) {
    if (!isRecord(deny)) problems.push({ path: 'defaultDeny', message: 'expected a map' });
    else {
      unknownKeys(deny, ['directions', 'name', 'dns'], 'defaultDeny', problems);
      if (deny.directions !== undefined) {
        if (DIRECTIONS.includes(deny.directions as DenyDirections))
          settings.defaultDeny.directions = deny.directions as DenyDirections;
        else
          problems.push({
            path: 'defaultDeny.directions',
            message: `expected one of ${DIRECTIONS.join(', ')}, got ${JSON.stringify(deny.directions)}`,
          });
      }
      if (deny.name !== undefined) {
        if (typeof deny.name === 'string' && DNS_NAME.test(deny.name) && deny.name.length <= 253)
          settings.defaultDeny.name = deny.name;
        else
          problems.push({
            path: 'defaultDeny.name',
            message: `not an object name (lowercase letters, digits, '-'): ${JSON.stringify(deny.name)}`,
          });
      }
      if ('dns' in deny) {
        const dns = dnsAt(deny.dns, problems);
        if (dns !== 'invalid') settings.defaultDeny.dns = dns;
      }
    }
  }
  if (raw.excludeNamespaces !== undefined) {
    const names = stringList(raw.excludeNamespaces, 'excludeNamespaces', problems);
    if (names !== undefined) settings.excludeNamespaces = [...new Set([...base.excludeNamespaces, ...names])];
  }
  if (raw.excludeNamespaceSelectors !== undefined) {
    const texts = stringList(raw.excludeNamespaceSelectors, 'excludeNamespaceSelectors', problems) ?? [];
    const selectors: LabelSelector[] = [...base.excludeSelectors];
    texts.forEach((t, i) => {
      const s = selectorOf(t);
      if (typeof s === 'string')
        problems.push({ path: `excludeNamespaceSelectors[${i}]`, message: `${s} in "${t}"` });
      else selectors.push(s);
    });
    settings.excludeSelectors = selectors;
  }
  if (raw.auditDebounce !== undefined) {
    const ms = durationAt(raw.auditDebounce, 'auditDebounce', problems);
    if (ms !== undefined) settings.auditDebounceMs = ms;
  }
  if (raw.resync !== undefined) {
    const ms = durationAt(raw.resync, 'resync', problems);
    if (ms !== undefined) settings.resyncMs = ms;
  }
  if (raw.blastRadiusTop !== undefined) {
    const n = raw.blastRadiusTop;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) settings.blastRadiusTop = n;
    else
      problems.push({ path: 'blastRadiusTop', message: `expected a whole number, got ${JSON.stringify(n)}` });
  }
  return problems.length === 0 ? { ok: true, settings } : { ok: false, problems };
}

/** Decides which namespaces are left alone. */
export interface Exclusions {
  /** Why the namespace is excluded (`by name`, `by label team=infra`), or undefined when it is not. */
  why(name: string, labels: Readonly<Record<string, string>>): string | undefined;
}

export function exclusions(settings: ControllerSettings): Exclusions {
  const names = new Set(settings.excludeNamespaces);
  const selectors: { selector: CompiledSelector; text: string }[] = settings.excludeSelectors.map((s) => ({
    selector: compileSelector(s),
    text: JSON.stringify(s),
  }));
  return {
    why(name, labels) {
      if (names.has(name)) return 'excluded by name';
      const hit = selectors.find((s) => selectorMatches(s.selector, labels));
      return hit === undefined ? undefined : `excluded by the namespace selector ${hit.text}`;
    },
  };
}
