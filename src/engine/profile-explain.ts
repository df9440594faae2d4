/**
 * Which rules of a CNI profile decided a verdict: the connection is evaluated again under the real upstream
 * profile (`--cni upstream`); when the allowed ports (within the query) differ, the profile decided, and the
 * settings named are those whose single flip to upstream changes the verdict, or, when no single one does
 * (the verdict needs several together), every setting in which the profile departs from upstream. Comparing
 * with one setting flipped alone would describe combinations no real profile has. Pure: no I/O.
 */
import { formatIp } from '../base/ip.ts';
import {
  compileCluster,
  usesEndPort,
  type CompiledCluster,
  type Endpoint,
  type EngineOptions,
} from './compile.ts';
import type { ExplainEnd } from './explain.ts';
import { intersectPorts, portsEqual, type PortSet } from './ports.ts';
import {
  ciliumEndPortFields,
  cniEngineOptions,
  differingSettings,
  profileRule,
  UPSTREAM_PROFILE,
  withUpstreamSetting,
  type CniProfile,
  type CniSetting,
} from './profiles.ts';

/** A profile rule that changed a verdict: under the upstream profile, `upstream` would be allowed instead. */
export interface ProfileDecision {
  setting: CniSetting;
  /** `cilium: CIDR rules do not match pod IPs unless policy-cidr-match-mode includes pods`. */
  rule: string;
  /** What the upstream profile (`--cni upstream`) allows, within the query. */
  upstream: PortSet;
}

/** Explains, for one compiled state, which profile rules decided (one compilation per setting, kept). */
export class ProfileExplainer {
  readonly #compiled: CompiledCluster;
  readonly #others = new Map<CniSetting | 'upstream', CompiledCluster>();

  constructor(compiled: CompiledCluster) {
    this.#compiled = compiled;
  }

  /** The settings of the profile that depart from upstream and may change a verdict. */
  settings(): CniSetting[] {
    const cni = this.#compiled.options.cni;
    if (cni === undefined) return [];
    return differingSettings(cni.settings, UPSTREAM_PROFILE.settings);
  }

  /** The profile rules that changed what `src` → `dst` is allowed within `query` (`allowed`: the verdict). */
  decisions(src: ExplainEnd, dst: ExplainEnd, query: PortSet, allowed: PortSet): ProfileDecision[] {
    const cni = this.#compiled.options.cni;
    if (cni === undefined) return [];
    const ends = this.#endpoints(src, dst);
    const within = (c: CompiledCluster): PortSet =>
      intersectPorts(c.allowedBetween(ends.src, ends.dst), query);
    const upstream = within(this.#other('upstream', UPSTREAM_PROFILE));
    if (portsEqual(upstream, allowed)) return [];
    const settings = this.settings();
    const alone = settings.filter(
      (s) => !portsEqual(within(this.#other(s, withUpstreamSetting(cni, s))), allowed),
    );
    const state = this.#compiled.state;
    // The policies that may apply to the two ends: those of their namespaces (and cluster-wide ones).
    const namespaces = new Set(
      [src, dst].flatMap((e) => (e.kind === 'pod' ? [this.#compiled.classes[e.classId]!.namespace] : [])),
    );
    const endPortIn = {
      networkPolicies: state.policies.some((p) => namespaces.has(p.namespace) && usesEndPort(p)),
      ciliumPolicies: state.ciliumPolicies.some(
        (p) =>
          (p.namespace === undefined || namespaces.has(p.namespace)) &&
          ciliumEndPortFields(p.object).length > 0,
      ),
    };
    return (alone.length > 0 ? alone : settings).map((setting) => ({
      setting,
      rule: profileRule(cni, setting, endPortIn),
      upstream,
    }));
  }

  /** The state compiled under `profile` (kept by `key`). */
  #other(key: CniSetting | 'upstream', profile: CniProfile): CompiledCluster {
    let other = this.#others.get(key);
    if (other === undefined) {
      const options: Partial<EngineOptions> = { ...this.#compiled.options, ...cniEngineOptions(profile) };
      delete options.onProgress;
      other = compileCluster(this.#compiled.state, options);
      this.#others.set(key, other);
    }
    return other;
  }

  /** Endpoints standing for two explained ends: a pod of each class, an address of each address class. */
  #endpoints(src: ExplainEnd, dst: ExplainEnd): { src: Endpoint; dst: Endpoint } {
    const endpoint = (end: ExplainEnd, avoid?: string): Endpoint => {
      if (end.kind === 'address') {
        const first = this.#compiled.addressSpace.classes[end.classId]!.cover[0]!;
        return { kind: 'ip', ip: formatIp(first.family, first.start) };
      }
      const pods = this.#compiled.classes[end.classId]!.pods;
      const given =
        end.onePod === undefined ? undefined : pods.find((p) => `${p.namespace}/${p.name}` === end.onePod);
      // Two ends of one class of several pods stand for two different pods (not a pod and itself).
      const pod = given ?? pods.find((p) => `${p.namespace}/${p.name}` !== avoid) ?? pods[0]!;
      return { kind: 'pod', namespace: pod.namespace, name: pod.name };
    };
    const s = endpoint(src);
    const avoid =
      s.kind === 'pod' && dst.kind === 'pod' && dst.onePod === undefined
        ? `${s.namespace}/${s.name}`
        : undefined;
    return { src: s, dst: endpoint(dst, avoid) };
  }
}
