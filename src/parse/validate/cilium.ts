/**
 * CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (`cilium.io/v2`), checked as the API server checks
 * them with Cilium's CRDs (v1.20.2: `pkg/k8s/apis/cilium.io/client/crds/v2/`; OpenAPI schema and CEL rule)
 * and as the Cilium agent's `Rule.Sanitize` rejects rules (`pkg/policy/api/rule_validation.go`: a rejected
 * policy is not enforced at all). Messages start with the API server's or the agent's wording.
 *
 * Fields netfence reads but does not evaluate (host firewall rules, `fromGroups`, CIDR groups, …) are
 * accepted with a warning. Returns the object as the API reads it: `null` dropped.
 */
import { CiliumEntity, CiliumPolicyKind, foreignSelectorNamespaces } from '../../model/cilium.ts';
import { ciliumPortNumber, isCiliumPortName } from '../../model/cilium.ts';
import { CILIUM_RULE_FIELDS, type CiliumPolicyObject, type CiliumRule } from '../../model/cilium-wire.ts';
import { formatPath, type FieldPath } from '../../model/problem.ts';
import { parseCidr, isWithin } from '../cidr.ts';
import { isMap, type JsonMap } from '../values.ts';
import { asBool, asInt, asList, asMap, asString, checkKnownFields } from './check.ts';
import { checkEnum, checkMaxItems, checkRange, given, required } from './clusterpolicy.ts';
import { checkCiliumLabelKey, validateLabelSelector } from './meta.ts';
import type { Reporter } from './report.ts';

export const CILIUM_API_VERSION = 'cilium.io/v2';

export function isCiliumPolicyKind(kind: string): kind is CiliumPolicyKind {
  return Object.hasOwn(CiliumPolicyKind, kind);
}

const RULE_FIELDS = CILIUM_RULE_FIELDS;
const DIRECTIONS = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
type Direction = (typeof DIRECTIONS)[number];

/** The peer fields of each direction, in the order of the CRD; the agent allows one kind per rule. */
const INGRESS_PEERS = [
  'fromEndpoints',
  'fromCIDR',
  'fromCIDRSet',
  'fromEntities',
  'fromNodes',
  'fromGroups',
] as const;
const EGRESS_PEERS = [
  'toEndpoints',
  'toCIDR',
  'toCIDRSet',
  'toEntities',
  'toServices',
  'toNodes',
  'toGroups',
] as const;

/** The CRD's `Entity` enum (entity.go). `world-ipv4`/`world-ipv6` are known to the agent but not to the CRD. */
const ENTITIES = [
  'all',
  'world',
  'cluster',
  'cluster-mesh',
  'host',
  'init',
  'ingress',
  'unmanaged',
  'remote-node',
  'health',
  'none',
  'kube-apiserver',
] as const;

/** The CRD's `L4Proto` enum for `toPorts[].ports[].protocol`. */
const PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH', 'ANY'] as const;
/** Protocols without ports, which need the agent flag `enable-extended-ip-protocols`. */
const EXTENDED_PROTOCOLS = ['VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH'];
/** The CRD's pattern for `port` (its `^…|…$` anchors only the outer alternatives, as written). */
const PORT_PATTERN =
  /^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;
/** The CRD's patterns for `toFQDNs[]` and `rules.dns[]`. */
const MATCH_NAME = /^([-a-zA-Z0-9_]+[.]?)+$/;
const MATCH_PATTERN = /^([-a-zA-Z0-9_*]+[.]?)+$/;
const ICMP_TYPE =
  /^([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5]|EchoReply|DestinationUnreachable|Redirect|Echo|RouterAdvertisement|RouterSelection|TimeExceeded|ParameterProblem|Timestamp|TimestampReply|Photuris|ExtendedEchoRequest|ExtendedEcho Reply|PacketTooBig|ParameterProblem|EchoRequest|MulticastListenerQuery|MulticastListenerReport|MulticastListenerDone|RouterSolicitation|RouterAdvertisement|NeighborSolicitation|NeighborAdvertisement|RedirectMessage|RouterRenumbering|ICMPNodeInformationQuery|ICMPNodeInformationResponse|InverseNeighborDiscoverySolicitation|InverseNeighborDiscoveryAdvertisement|HomeAgentAddressDiscoveryRequest|HomeAgentAddressDiscoveryReply|MobilePrefixSolicitation|MobilePrefixAdvertisement|DuplicateAddressRequestCodeSuffix|DuplicateAddressConfirmationCodeSuffix)$/;
/** `maxPorts` and `maxICMPFields` of rule_validation.go (also the CRD's `MaxItems`). */
const MAX_PORTS = 40;
const MAX_ICMP_FIELDS = 40;

/** What the agent does not evaluate the way netfence can: one warning each, once per object. */
function notEvaluated(r: Reporter, path: FieldPath, what: string): void {
  r.warn('cilium-not-evaluated', path, `${what}: netfence reads it but does not evaluate it`);
}

/**
 * A list item that is `null`: the API server prunes null fields of a custom resource, not null items of a list,
 * and rejects them ("must be of type object"/"string"); the agent would never see the policy.
 */
function nullItem(r: Reporter, path: FieldPath, item: unknown, what: string): boolean {
  if (item !== null) return false;
  r.error('missing-field', path, `must be ${what}, got an empty item: the API server rejects null in a list`);
  return true;
}

/** The object without `null` values, as the API server stores it (nulls of non-nullable fields are pruned). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isMap(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/** A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy, as the API server and the agent validate it. */
export function validateCiliumPolicy(
  r: Reporter,
  kind: CiliumPolicyKind,
  object: Readonly<Record<string, unknown>>,
): Pick<CiliumPolicyObject, 'spec' | 'specs'> {
  checkKnownFields(r, [], object, ['apiVersion', 'kind', 'metadata', 'spec', 'specs', 'status']);
  const out: Pick<CiliumPolicyObject, 'spec' | 'specs'> = {};
  const hasSpec = object.spec !== undefined && object.spec !== null;
  const hasSpecs = object.specs !== undefined && object.specs !== null;
  if (!hasSpec && !hasSpecs) {
    r.error(
      'missing-field',
      [],
      `Invalid value: spec or specs must be provided: a ${kind} needs "spec:" (one rule set) or "specs:" (a list of them)`,
    );
    return out;
  }
  const clusterwide = kind === CiliumPolicyKind.CiliumClusterwideNetworkPolicy;
  const metadata = isMap(object.metadata) ? object.metadata : undefined;
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : undefined;
  if (hasSpec) {
    const spec = asMap(r, ['spec'], object.spec);
    if (spec !== undefined && validateRule(r, ['spec'], spec, clusterwide))
      out.spec = withoutNulls(spec) as CiliumRule;
    if (spec !== undefined && !clusterwide) foreignNamespaceSelector(r, ['spec'], spec, namespace);
  }
  if (hasSpecs) {
    const specs = asList(r, ['specs'], object.specs);
    if (specs !== undefined) {
      const rules: CiliumRule[] = [];
      specs.forEach((item, i) => {
        if (nullItem(r, ['specs', i], item, 'a rule set')) return;
        const map = asMap(r, ['specs', i], item);
        if (map !== undefined && validateRule(r, ['specs', i], map, clusterwide))
          rules.push(withoutNulls(map) as CiliumRule);
        if (map !== undefined && !clusterwide) foreignNamespaceSelector(r, ['specs', i], map, namespace);
      });
      out.specs = rules;
    }
  }
  return out;
}

/**
 * A CiliumNetworkPolicy's endpointSelector that names another namespace: the agent drops that match ("illegal
 * namespace match in EndpointSelector") and the rule set selects pods of the policy's own namespace.
 */
function foreignNamespaceSelector(
  r: Reporter,
  path: FieldPath,
  rule: JsonMap,
  namespace: string | undefined,
): void {
  const selector = isMap(rule.endpointSelector) ? rule.endpointSelector : undefined;
  if (selector === undefined) return;
  const own = namespace === undefined ? 'its own namespace' : `namespace "${namespace}"`;
  const report = (at: FieldPath, named: string): void =>
    r.warn(
      'cilium-foreign-namespace-selector',
      at,
      `endpointSelector names namespace "${named}", but a CiliumNetworkPolicy of ${own} always applies in its own namespace: Cilium drops the namespace match (the agent logs "illegal namespace match in EndpointSelector") and the rule set selects the pods of ${own}. Put the policy in namespace "${named}", or make it a CiliumClusterwideNetworkPolicy`,
    );
  for (const f of foreignSelectorNamespaces(selector, namespace))
    report([...path, 'endpointSelector', ...f.path], f.named);
}

/** Entities whose addresses netfence does not know (the API server's, the health endpoints', …). */
const UNKNOWN_ADDRESS_ENTITIES: ReadonlySet<string> = new Set([
  CiliumEntity.KubeApiserver,
  CiliumEntity.Health,
  CiliumEntity.Init,
  CiliumEntity.Ingress,
  CiliumEntity.Unmanaged,
]);

/** The API server's words for a failed `oneOf` (it names the object in the message, at no field). */
function oneOf(path: FieldPath, valid: number): string {
  const found = valid === 0 ? 'none valid' : `${valid} valid alternatives`;
  return `Invalid value: "${formatPath(path)}" must validate one and only one schema (oneOf). Found ${found}`;
}

function selector(r: Reporter, path: FieldPath, raw: unknown): void {
  validateLabelSelector(r, path, raw, checkCiliumLabelKey);
}

/** One rule set (`spec` or `specs[i]`). Returns false when it cannot be read at all. */
function validateRule(r: Reporter, path: FieldPath, map: JsonMap, clusterwide: boolean): boolean {
  checkKnownFields(r, path, map, RULE_FIELDS);
  const subjects = given(map, ['endpointSelector', 'nodeSelector']);
  if (subjects.length !== 1) {
    const fix =
      subjects.length === 0
        ? 'it has neither. Add "endpointSelector: {}" for every pod' +
          (clusterwide ? '' : ' of the namespace')
        : 'it has both. Keep one, or write two rule sets under "specs:"';
    r.error(
      'invalid-union',
      path,
      `${oneOf(path, subjects.length)}: a rule set selects pods with endpointSelector or nodes with nodeSelector; ${fix}`,
    );
  }
  if (map.endpointSelector !== undefined && map.endpointSelector !== null)
    selector(r, [...path, 'endpointSelector'], map.endpointSelector);
  const host = map.nodeSelector !== undefined && map.nodeSelector !== null;
  if (host) {
    selector(r, [...path, 'nodeSelector'], map.nodeSelector);
    if (!clusterwide)
      r.error(
        'cilium-node-selector',
        [...path, 'nodeSelector'],
        'Invalid CiliumNetworkPolicy spec: rule cannot have NodeSelector (the agent rejects the whole policy): host firewall rules belong in a CiliumClusterwideNetworkPolicy',
      );
  }

  const directions = DIRECTIONS.filter((d) => map[d] !== undefined && map[d] !== null);
  if (directions.length === 0) {
    r.error(
      'missing-field',
      path,
      `Invalid value: "${formatPath(path)}" must validate at least one schema (anyOf): a rule set needs ingress, ingressDeny, egress or egressDeny rules; "ingress: [{}]" denies all ingress`,
    );
  }
  let rules = 0;
  // A direction that is not a list has its own error: it is not "empty" too.
  let notList = false;
  for (const direction of directions) {
    const list = asList(r, [...path, direction], map[direction]);
    if (list === undefined) {
      notList = true;
      continue;
    }
    rules += list.length;
    list.forEach((item, i) => validatePeerRule(r, [...path, direction, i], item, direction, host));
  }
  if (directions.length > 0 && rules === 0 && !notList) {
    r.error(
      'cilium-empty-rule-set',
      path,
      `rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny (the agent rejects the whole policy): ${directions.join(' and ')} ${directions.length === 1 ? 'is' : 'are'} empty. Write "${directions[0]}: [{}]" to deny all`,
    );
  }

  const deny = asMap(r, [...path, 'enableDefaultDeny'], map.enableDefaultDeny);
  if (deny !== undefined) {
    checkKnownFields(r, [...path, 'enableDefaultDeny'], deny, ['ingress', 'egress']);
    asBool(r, [...path, 'enableDefaultDeny', 'ingress'], deny.ingress);
    asBool(r, [...path, 'enableDefaultDeny', 'egress'], deny.egress);
  }
  asString(r, [...path, 'description'], map.description);
  validateRuleLabels(r, [...path, 'labels'], map.labels);
  const log = asMap(r, [...path, 'log'], map.log);
  if (log !== undefined) {
    checkKnownFields(r, [...path, 'log'], log, ['value']);
    const value = asString(r, [...path, 'log', 'value'], log.value);
    if (value !== undefined && Array.from(value).length > 32)
      r.error(
        'too-long',
        [...path, 'log', 'value'],
        `Too long: may not be more than 32 bytes: the value has ${Array.from(value).length} characters. Shorten it`,
      );
  }
  return true;
}

function validateRuleLabels(r: Reporter, path: FieldPath, raw: unknown): void {
  const list = asList(r, path, raw);
  (list ?? []).forEach((item, i) => {
    if (nullItem(r, [...path, i], item, 'a rule label')) return;
    const map = asMap(r, [...path, i], item);
    if (map === undefined) return;
    checkKnownFields(r, [...path, i], map, ['key', 'value', 'source']);
    const key = asString(r, [...path, i, 'key'], map.key);
    if (key === undefined && (map.key === undefined || map.key === null))
      required(r, [...path, i, 'key'], 'a rule label needs a key');
    asString(r, [...path, i, 'value'], map.value);
    asString(r, [...path, i, 'source'], map.source);
  });
}

function ruleFields(direction: Direction): readonly string[] {
  const ingress = direction.startsWith('ingress');
  const allow = !direction.endsWith('Deny');
  const peers = ingress ? [...INGRESS_PEERS, 'fromRequires'] : [...EGRESS_PEERS, 'toRequires'];
  return [
    ...peers,
    'icmps',
    'toPorts',
    ...(allow && !ingress ? ['toFQDNs'] : []),
    ...(allow ? ['authentication'] : []),
  ];
}

/** One rule of `ingress`, `ingressDeny`, `egress` or `egressDeny`. */
function validatePeerRule(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  direction: Direction,
  host: boolean,
): void {
  if (nullItem(r, path, raw, 'a rule (write "{}" for a rule without peers)')) return;
  const map = asMap(r, path, raw);
  if (map === undefined) return;
  const ingress = direction.startsWith('ingress');
  const allow = !direction.endsWith('Deny');
  checkKnownFields(r, path, map, ruleFields(direction));

  // One kind of peer per rule (IngressCommonRule/EgressCommonRule.sanitize; toFQDNs too, on egress).
  const peerFields = ingress ? INGRESS_PEERS : allow ? [...EGRESS_PEERS, 'toFQDNs'] : EGRESS_PEERS;
  const used = peerFields.filter((f) => Array.isArray(map[f]) && (map[f] as unknown[]).length > 0);
  if (used.length > 1) {
    r.error(
      'cilium-combined-peers',
      [...path, used[1]!],
      `combining ${upper(used[0]!)} and ${upper(used[1]!)} is not supported yet (the agent rejects the whole policy): a rule has one kind of peer. Put ${used[1]} in a rule of its own (the rules add up)`,
    );
  }

  const requires = ingress ? 'fromRequires' : 'toRequires';
  const requiresList = asList(r, [...path, requires], map[requires]);
  if (requiresList !== undefined)
    checkMaxItems(
      r,
      [...path, requires],
      requiresList,
      0,
      `${requires} is deprecated and no longer accepted: add the required labels to each ${ingress ? 'fromEndpoints' : 'toEndpoints'} selector instead`,
    );

  for (const f of ingress ? ['fromEndpoints', 'fromNodes'] : ['toEndpoints', 'toNodes']) {
    const list = asList(r, [...path, f], map[f]);
    (list ?? []).forEach((item, i) => {
      if (item === null) required(r, [...path, f, i], 'write "{}" to select every endpoint');
      else selector(r, [...path, f, i], item);
    });
    if (f.endsWith('Nodes') && list !== undefined && list.length > 0)
      r.warn(
        'cilium-node-selector-labels',
        [...path, f],
        `${f} needs the agent flag enable-node-selector-labels (off by default): without it the agent rejects the policy`,
      );
  }
  const cidrField = ingress ? 'fromCIDR' : 'toCIDR';
  (asList(r, [...path, cidrField], map[cidrField]) ?? []).forEach((item, i) => {
    if (nullItem(r, [...path, cidrField, i], item, 'a CIDR')) return;
    const text = asString(r, [...path, cidrField, i], item);
    if (text !== undefined) checkCidr(r, [...path, cidrField, i], text);
  });
  const setField = ingress ? 'fromCIDRSet' : 'toCIDRSet';
  (asList(r, [...path, setField], map[setField]) ?? []).forEach((item, i) =>
    validateCidrRule(r, [...path, setField, i], item),
  );
  const entityField = ingress ? 'fromEntities' : 'toEntities';
  (asList(r, [...path, entityField], map[entityField]) ?? []).forEach((item, i) => {
    if (nullItem(r, [...path, entityField, i], item, 'an entity')) return;
    const text = asString(r, [...path, entityField, i], item);
    if (text === undefined) return;
    const hint =
      text === 'world-ipv4' || text === 'world-ipv6'
        ? ' (the agent knows it, but the CRD does not accept it: use "world", or a CIDR 0.0.0.0/0 or ::/0)'
        : '';
    checkEnum(r, [...path, entityField, i], text, ENTITIES, hint);
    if (UNKNOWN_ADDRESS_ENTITIES.has(text))
      notEvaluated(
        r,
        [...path, entityField, i],
        `${entityField} "${text}" stands for addresses the agent learns at run time, which are not in the input; the entity matches no address here`,
      );
  });
  const groupsField = ingress ? 'fromGroups' : 'toGroups';
  const groups = asList(r, [...path, groupsField], map[groupsField]);
  if (groups !== undefined && groups.length > 0)
    notEvaluated(
      r,
      [...path, groupsField],
      `${groupsField} selects addresses of cloud security groups, which are not in the input; the rule matches no address here`,
    );
  if (!ingress) {
    (asList(r, [...path, 'toServices'], map.toServices) ?? []).forEach((item, i) =>
      validateService(r, [...path, 'toServices', i], item),
    );
    if (allow)
      (asList(r, [...path, 'toFQDNs'], map.toFQDNs) ?? []).forEach((item, i) =>
        validateFqdn(r, [...path, 'toFQDNs', i], item),
      );
  }
  if (allow) {
    const auth = asMap(r, [...path, 'authentication'], map.authentication);
    if (auth !== undefined) {
      checkKnownFields(r, [...path, 'authentication'], auth, ['mode']);
      const mode = asString(r, [...path, 'authentication', 'mode'], auth.mode);
      if (mode === undefined)
        required(r, [...path, 'authentication', 'mode'], 'set mode: required or disabled');
      else {
        checkEnum(r, [...path, 'authentication', 'mode'], mode, ['disabled', 'required', 'test-always-fail']);
        // Mutual authentication (SPIFFE handshake between the agents) is a condition on the connection that no
        // manifest decides: the rule's connections are shown allowed, and they additionally need it.
        if (mode === 'required' || mode === 'test-always-fail')
          notEvaluated(
            r,
            [...path, 'authentication', 'mode'],
            `authentication mode "${mode}" lets the rule's connections through only once mutual authentication ${mode === 'required' ? 'succeeds' : 'succeeds, which in this test mode it never does'}; netfence does not model it and shows them allowed without it`,
          );
      }
    }
  }

  const icmps = asList(r, [...path, 'icmps'], map.icmps);
  (icmps ?? []).forEach((item, i) => validateIcmp(r, [...path, 'icmps', i], item));
  const toPorts = asList(r, [...path, 'toPorts'], map.toPorts);
  const withPorts = toPorts !== undefined && toPorts.length > 0;
  if (icmps !== undefined && icmps.length > 0) {
    if (withPorts)
      r.error(
        'cilium-icmp-with-ports',
        [...path, 'icmps'],
        'the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts (the agent rejects the whole policy)',
      );
    else {
      const verb = allow ? 'allows' : 'denies';
      notEvaluated(
        r,
        [...path, 'icmps'],
        `icmps match ICMP, which netfence does not model (its answers are for TCP, UDP and SCTP): the ICMP this rule ${verb} is in no answer, and the rule ${verb} no TCP, UDP or SCTP connection`,
      );
    }
  }
  (toPorts ?? []).forEach((item, i) =>
    validatePortRule(r, [...path, 'toPorts', i], item, { ingress, allow, host }),
  );
}

const upper = (field: string): string => field[0]!.toUpperCase() + field.slice(1);

/** `format: cidr` of the CRD (an address alone is not a CIDR), as `parseCidr` reads it. */
function checkCidr(r: Reporter, path: FieldPath, text: string): ReturnType<typeof parseCidr> {
  const parsed = parseCidr(text);
  if (!parsed.ok)
    r.error(
      'invalid-cidr',
      path,
      `Invalid value: ${JSON.stringify(text)}: must be of type cidr: ${parsed.message}`,
    );
  return parsed;
}

function validateCidrRule(r: Reporter, path: FieldPath, raw: unknown): void {
  if (nullItem(r, path, raw, 'a CIDR rule')) return;
  const map = asMap(r, path, raw);
  if (map === undefined) return;
  checkKnownFields(r, path, map, ['cidr', 'cidrGroupRef', 'cidrGroupSelector', 'except']);
  const set = given(map, ['cidr', 'cidrGroupRef', 'cidrGroupSelector']);
  if (set.length !== 1) {
    r.error(
      'invalid-union',
      path,
      set.length === 0
        ? `${oneOf(path, 0)}: one of cidr, cidrGroupRef, or cidrGroupSelector is required`
        : `${oneOf(path, set.length)}: more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set (it has ${set.join(' and ')}). Split it into two entries`,
    );
  }
  const cidr = asString(r, [...path, 'cidr'], map.cidr);
  const parsed = cidr === undefined ? undefined : checkCidr(r, [...path, 'cidr'], cidr);
  (asList(r, [...path, 'except'], map.except) ?? []).forEach((item, i) => {
    if (nullItem(r, [...path, 'except', i], item, 'a CIDR')) return;
    const text = asString(r, [...path, 'except', i], item);
    if (text === undefined) return;
    const except = checkCidr(r, [...path, 'except', i], text);
    if (parsed?.ok === true && except.ok && !isWithin(except.value, parsed.value))
      r.error(
        'cilium-except-outside',
        [...path, 'except', i],
        `allow CIDR prefix ${cidr ?? ''} does not contain exclude CIDR prefix ${text} (the agent rejects the whole policy): an exception must lie inside the CIDR`,
      );
  });
  const ref = asString(r, [...path, 'cidrGroupRef'], map.cidrGroupRef);
  if (ref !== undefined)
    notEvaluated(
      r,
      [...path, 'cidrGroupRef'],
      `cidrGroupRef ${JSON.stringify(ref)} names a CiliumCIDRGroup, which netfence does not read; it matches no address here`,
    );
  if (map.cidrGroupSelector !== undefined && map.cidrGroupSelector !== null) {
    selector(r, [...path, 'cidrGroupSelector'], map.cidrGroupSelector);
    notEvaluated(
      r,
      [...path, 'cidrGroupSelector'],
      'cidrGroupSelector selects CiliumCIDRGroups, which netfence does not read; it matches no address here',
    );
  }
}

function validateService(r: Reporter, path: FieldPath, raw: unknown): void {
  if (nullItem(r, path, raw, 'a service')) return;
  const map = asMap(r, path, raw);
  if (map === undefined) return;
  checkKnownFields(r, path, map, ['k8sService', 'k8sServiceSelector']);
  const byName = asMap(r, [...path, 'k8sService'], map.k8sService);
  if (byName !== undefined) {
    checkKnownFields(r, [...path, 'k8sService'], byName, ['serviceName', 'namespace']);
    asString(r, [...path, 'k8sService', 'serviceName'], byName.serviceName);
    asString(r, [...path, 'k8sService', 'namespace'], byName.namespace);
  }
  const bySelector = asMap(r, [...path, 'k8sServiceSelector'], map.k8sServiceSelector);
  if (bySelector !== undefined) {
    checkKnownFields(r, [...path, 'k8sServiceSelector'], bySelector, ['selector', 'namespace']);
    if (bySelector.selector === undefined || bySelector.selector === null)
      required(r, [...path, 'k8sServiceSelector', 'selector'], 'write "selector: {matchLabels: {...}}"');
    else validateLabelSelector(r, [...path, 'k8sServiceSelector', 'selector'], bySelector.selector);
    asString(r, [...path, 'k8sServiceSelector', 'namespace'], bySelector.namespace);
  }
}

/** `toFQDNs[]` and `rules.dns[]`: exactly one of matchName and matchPattern. */
function validateFqdn(r: Reporter, path: FieldPath, raw: unknown): void {
  if (nullItem(r, path, raw, 'a name to match')) return;
  const map = asMap(r, path, raw);
  if (map === undefined) return;
  checkKnownFields(r, path, map, ['matchName', 'matchPattern']);
  const set = given(map, ['matchName', 'matchPattern']);
  if (set.length !== 1)
    r.error(
      'invalid-union',
      path,
      `${oneOf(path, set.length)}: set matchName ("api.example.com") or matchPattern ("*.example.com")${set.length > 1 ? ', not both: split it into two entries' : ''}`,
    );
  for (const [field, pattern] of [
    ['matchName', MATCH_NAME],
    ['matchPattern', MATCH_PATTERN],
  ] as const) {
    const text = asString(r, [...path, field], map[field]);
    if (text === undefined) continue;
    if (text.length > 255)
      r.error(
        'too-long',
        [...path, field],
        `Too long: may not be more than 255 bytes: it has ${text.length}`,
      );
    else if (!pattern.test(text))
      r.error(
        'invalid-value',
        [...path, field],
        `Invalid value: ${JSON.stringify(text)}: should match '${pattern.source}': letters, digits, '-', '_' and '.'${field === 'matchPattern' ? ", with '*' as a wildcard" : ''}`,
      );
  }
}

function validateIcmp(r: Reporter, path: FieldPath, raw: unknown): void {
  if (nullItem(r, path, raw, 'an ICMP rule')) return;
  const map = asMap(r, path, raw);
  if (map === undefined) return;
  checkKnownFields(r, path, map, ['fields']);
  const fields = asList(r, [...path, 'fields'], map.fields);
  if (fields === undefined) return;
  checkMaxItems(r, [...path, 'fields'], fields, MAX_ICMP_FIELDS, 'Split them into two icmps entries');
  fields.forEach((item, i) => {
    const at = [...path, 'fields', i];
    if (nullItem(r, at, item, 'an ICMP field')) return;
    const field = asMap(r, at, item);
    if (field === undefined) return;
    checkKnownFields(r, at, field, ['family', 'type']);
    const family = asString(r, [...at, 'family'], field.family);
    if (family !== undefined) checkEnum(r, [...at, 'family'], family, ['IPv4', 'IPv6']);
    const type = field.type;
    if (type === undefined || type === null)
      required(r, [...at, 'type'], 'give the ICMP type, e.g. 8 or EchoRequest');
    // A number is not matched against the pattern (int-or-string: the pattern is for strings).
    else if (
      typeof type === 'number' ? !Number.isInteger(type) : typeof type !== 'string' || !ICMP_TYPE.test(type)
    )
      r.error(
        'invalid-value',
        [...at, 'type'],
        `Invalid value: ${JSON.stringify(type)}: should match the ICMP type pattern: a number from 0 to 255, or a name such as EchoRequest`,
      );
  });
}

const PORT_RULE_FIELDS = ['ports', 'rules', 'terminatingTLS', 'originatingTLS', 'serverNames', 'listener'];

interface PortContext {
  ingress: boolean;
  allow: boolean;
  host: boolean;
}

function validatePortRule(r: Reporter, path: FieldPath, raw: unknown, c: PortContext): void {
  if (nullItem(r, path, raw, 'a port rule')) return;
  const map = asMap(r, path, raw);
  if (map === undefined) return;
  if (!c.allow && map.rules !== undefined && map.rules !== null) {
    r.error(
      'cilium-deny-l7',
      [...path, 'rules'],
      'a deny rule has no layer-7 part: the API server drops "rules" here (or rejects the object under strict field validation), and the deny then covers every request on these ports. Remove "rules", or allow the ports with an L7 rule instead',
    );
  }
  checkKnownFields(
    r,
    path,
    c.allow ? map : Object.fromEntries(Object.entries(map).filter(([k]) => k !== 'rules')),
    c.allow ? PORT_RULE_FIELDS : ['ports'],
  );
  const ports = asList(r, [...path, 'ports'], map.ports) ?? [];
  checkMaxItems(r, [...path, 'ports'], ports, MAX_PORTS, 'too many ports, the max is 40: split the entry');
  const rules = c.allow ? asMap(r, [...path, 'rules'], map.rules) : undefined;
  const l7 = rules === undefined ? [] : validateL7(r, [...path, 'rules'], rules, c);
  const dns = l7.includes('dns');
  /** The protocol of each port, `null` when it was already reported as not in the enum. */
  const protocols: (string | undefined | null)[] = [];
  let zero = false;
  ports.forEach((item, i) => {
    const result = validatePort(r, [...path, 'ports', i], item, dns);
    protocols.push(result.known ? result.protocol : null);
    zero ||= result.zero;
  });
  if (l7.length > 0) {
    const words = l7.map((k) => k.toUpperCase()).join(', ');
    if (zero)
      r.error(
        'cilium-l7-port',
        [...path, 'ports'],
        `L7 rules can not be used when a port is 0 (the agent rejects the whole policy): list the ports the ${words} rules filter`,
      );
    if (dns && ports.length === 0)
      r.error(
        'cilium-l7-port',
        [...path, 'ports'],
        'port 53 must be specified for DNS rules: add "ports: [{port: \\"53\\", protocol: ANY}]"',
      );
    if (!dns) {
      const i = protocols.findIndex((p) => p !== 'TCP' && p !== null);
      if (i >= 0)
        r.error(
          'cilium-l7-protocol',
          [...path, 'ports', i, 'protocol'],
          `L7 rules can only apply to TCP (not ${protocols[i] ?? ''}) except for DNS rules (the agent rejects the whole policy): write "protocol: TCP"`,
        );
    }
  }
  if (!c.allow) return;
  const serverNames = asList(r, [...path, 'serverNames'], map.serverNames);
  if (serverNames !== undefined) {
    if (serverNames.length === 0)
      r.error(
        'empty-list',
        [...path, 'serverNames'],
        'Invalid value: 0: should have at least 1 items: remove serverNames, or list names',
      );
    serverNames.forEach((item, i) => {
      if (nullItem(r, [...path, 'serverNames', i], item, 'a server name')) return;
      const text = asString(r, [...path, 'serverNames', i], item);
      if (text !== undefined && !MATCH_PATTERN.test(text))
        r.error(
          'invalid-value',
          [...path, 'serverNames', i],
          `Invalid value: ${JSON.stringify(text)}: should match '${MATCH_PATTERN.source}'${text === '' ? ' (empty server name is not allowed)' : ''}`,
        );
    });
    const terminating = map.terminatingTLS !== undefined && map.terminatingTLS !== null;
    if (serverNames.length > 0 && l7.length > 0 && !terminating)
      r.error(
        'cilium-server-names',
        [...path, 'serverNames'],
        'ServerNames are not allowed with L7 rules without TLS termination (the agent rejects the whole policy): add terminatingTLS, or drop serverNames',
      );
  }
  for (const tls of ['terminatingTLS', 'originatingTLS'] as const) {
    const value = asMap(r, [...path, tls], map[tls]);
    if (value !== undefined && (value.secret === undefined || value.secret === null))
      required(
        r,
        [...path, tls, 'secret'],
        'name the Secret with the TLS certificate: "secret: {name: ...}"',
      );
  }
  const listener = asMap(r, [...path, 'listener'], map.listener);
  if (listener !== undefined) {
    for (const f of ['envoyConfig', 'name'] as const)
      if (listener[f] === undefined || listener[f] === null)
        required(
          r,
          [...path, 'listener', f],
          f === 'name' ? 'the listener name' : 'the CiliumEnvoyConfig holding the listener',
        );
    if (c.ingress)
      r.error(
        'cilium-listener',
        [...path, 'listener'],
        'Listener is not allowed on ingress (the agent rejects the whole policy): use it in an egress rule',
      );
    else if (l7.length > 0)
      r.error(
        'cilium-listener',
        [...path, 'listener'],
        'Listener is not allowed with L7 rules (the agent rejects the whole policy): keep the listener or the rules',
      );
  }
}

/** `rules`: one kind of L7 rules, where the agent supports it. Returns the kinds with rules. */
function validateL7(r: Reporter, path: FieldPath, map: JsonMap, c: PortContext): string[] {
  checkKnownFields(r, path, map, ['http', 'dns']);
  const kinds = given(map, ['http', 'dns']);
  if (kinds.length > 1)
    r.error(
      'invalid-union',
      path,
      `${oneOf(path, kinds.length)}: multiple L7 protocol rule types specified in single rule. Put the http and dns rules in two toPorts entries`,
    );
  const withRules: string[] = [];
  for (const kind of kinds) {
    const list = asList(r, [...path, kind], map[kind]);
    if (list === undefined || list.length === 0) continue;
    withRules.push(kind);
    if (kind === 'dns') list.forEach((item, i) => validateFqdn(r, [...path, 'dns', i], item));
    else list.forEach((item, i) => validateHttp(r, [...path, 'http', i], item));
  }
  const where = c.host ? 'host ' : '';
  for (const kind of withRules) {
    const word = kind.toUpperCase();
    if (c.host && c.ingress)
      r.error(
        'cilium-l7-unsupported',
        [...path, kind],
        'L7 policy is not supported on host ingress yet (the agent rejects the whole policy)',
      );
    else if (kind === 'dns' && c.ingress)
      r.error(
        'cilium-l7-unsupported',
        [...path, kind],
        `L7 protocol ${word} is not supported on ${where}ingress yet (the agent rejects the whole policy): DNS rules filter a pod's own lookups, in an egress rule`,
      );
    else if (kind === 'http' && c.host && !c.ingress)
      r.error(
        'cilium-l7-unsupported',
        [...path, kind],
        `L7 protocol ${word} is not supported on host egress yet (the agent rejects the whole policy)`,
      );
  }
  return withRules;
}

const HTTP_FIELDS = ['method', 'path', 'host', 'headers', 'headerMatches'];

function validateHttp(r: Reporter, path: FieldPath, raw: unknown): void {
  if (nullItem(r, path, raw, 'an HTTP rule')) return;
  const map = asMap(r, path, raw);
  if (map === undefined) return;
  checkKnownFields(r, path, map, HTTP_FIELDS);
  for (const f of ['method', 'path', 'host'] as const) asString(r, [...path, f], map[f]);
  (asList(r, [...path, 'headers'], map.headers) ?? []).forEach((h, i) => {
    if (!nullItem(r, [...path, 'headers', i], h, 'a header')) asString(r, [...path, 'headers', i], h);
  });
  (asList(r, [...path, 'headerMatches'], map.headerMatches) ?? []).forEach((item, i) => {
    if (nullItem(r, [...path, 'headerMatches', i], item, 'a header match')) return;
    const m = asMap(r, [...path, 'headerMatches', i], item);
    if (m === undefined) return;
    const name = asString(r, [...path, 'headerMatches', i, 'name'], m.name);
    if (name === undefined || name === '')
      required(r, [...path, 'headerMatches', i, 'name'], 'the header name');
    const mismatch = asString(r, [...path, 'headerMatches', i, 'mismatch'], m.mismatch);
    if (mismatch !== undefined)
      checkEnum(r, [...path, 'headerMatches', i, 'mismatch'], mismatch, ['LOG', 'ADD', 'DELETE', 'REPLACE']);
  });
}

/** One `ports[]` entry: port pattern, endPort range, protocol enum, and the agent's parse of the port. */
function validatePort(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  dns: boolean,
): { protocol: string | undefined; known: boolean; zero: boolean } {
  if (nullItem(r, path, raw, 'a port')) return { protocol: undefined, known: false, zero: false };
  const map = asMap(r, path, raw);
  if (map === undefined) return { protocol: undefined, known: false, zero: false };
  checkKnownFields(r, path, map, ['port', 'endPort', 'protocol']);
  const protocol = asString(r, [...path, 'protocol'], map.protocol);
  let known = map.protocol === undefined || map.protocol === null;
  if (protocol !== undefined) {
    const hint = PROTOCOLS.includes(protocol.toUpperCase() as (typeof PROTOCOLS)[number])
      ? ' (the values are upper-case)'
      : protocol.toUpperCase().startsWith('ICMP')
        ? ' (ICMP is matched with "icmps", not toPorts)'
        : '';
    known = checkEnum(r, [...path, 'protocol'], protocol, PROTOCOLS, hint);
    if (known && EXTENDED_PROTOCOLS.includes(protocol))
      notEvaluated(
        r,
        [...path, 'protocol'],
        `${protocol} has no ports and needs the agent flag enable-extended-ip-protocols; no TCP, UDP or SCTP connection is ${protocol}`,
      );
  }
  let port: number | undefined;
  let zero = false;
  if (typeof map.port === 'number') {
    r.error(
      'wrong-type',
      [...path, 'port'],
      `must be a string, got ${String(map.port)}. Quote it: "${String(map.port)}"`,
    );
  } else {
    const text = asString(r, [...path, 'port'], map.port);
    if (text === undefined || text === '') {
      r.error(
        'cilium-port-required',
        [...path, 'port'],
        'port must be specified (the agent rejects the whole policy unless enable-extended-ip-protocols is set): write port: "0" for every port',
      );
    } else if (!PORT_PATTERN.test(text)) {
      r.error(
        'invalid-port',
        [...path, 'port'],
        `Invalid value: ${JSON.stringify(text)}: should match '${PORT_PATTERN.source}': a port number from 0 to 65535, or a port name (letters, digits and single '-')`,
      );
    } else if (!isCiliumPortName(text)) {
      port = ciliumPortNumber(text);
      if (port === undefined)
        r.error(
          'invalid-port',
          [...path, 'port'],
          `unable to parse port ${JSON.stringify(text)} (the agent rejects the whole policy): ${unparsedPortHint(text)}`,
        );
      else if (port === 0) zero = true;
      else if (/^0[0-9]/.test(text))
        r.warn(
          'cilium-octal-port',
          [...path, 'port'],
          `the agent reads ${JSON.stringify(text)} as the octal number ${port} (a leading 0); write "${port}"${String(Number(text)) === String(port) ? '' : `, or "${Number(text)}" if you meant it`}`,
        );
      if (port !== undefined && port !== 0 && protocol !== undefined && EXTENDED_PROTOCOLS.includes(protocol))
        r.error(
          'invalid-port',
          [...path, 'port'],
          `port must be empty or 0 for ${protocol}, which has no ports`,
        );
    }
  }
  const endPort = asInt(r, [...path, 'endPort'], map.endPort);
  if (
    endPort !== undefined &&
    checkRange(r, [...path, 'endPort'], endPort, 0, 65535, 'A port is from 1 to 65535')
  ) {
    if (dns && port !== undefined && endPort > port)
      r.error(
        'cilium-l7-port',
        [...path, 'endPort'],
        'DNS rules do not support port ranges (the agent rejects the whole policy): list port 53 alone',
      );
    else if (port !== undefined && port !== 0 && endPort !== 0 && endPort < port)
      r.warn(
        'cilium-end-port',
        [...path, 'endPort'],
        `endPort ${endPort} is below port ${port}: the agent reads the entry as port ${port} alone. Swap them, or remove endPort`,
      );
  }
  return { protocol, known, zero };
}

/** Why a port that matches the CRD's pattern is neither a port number nor a port name, for the agent. */
function unparsedPortHint(text: string): string {
  // A number written with digits only (or 0x, 0o, 0b): too large, or octal with digits 8 and 9.
  if (/^0[0-9_]*[89]/.test(text))
    return 'a leading 0 makes it octal, where 8 and 9 are not digits; remove the 0';
  if (/^(?:[0-9_]+|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+)$/.test(text)) {
    const octal = /^0[0-9]/.test(text) ? ' (a leading 0 makes it octal)' : '';
    return `a port number is 0–65535${octal}`;
  }
  if (text.length > 15) return 'a port name has at most 15 characters';
  return "a port name has letters, digits and single '-', with at least one letter";
}
