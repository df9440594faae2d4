/** Object metadata, labels, annotations and label selectors, checked as the API server checks them. */
import type { LabelSelector, LabelSelectorRequirement, OwnerReference } from '../../model/k8s.ts';
import type { FieldPath } from '../../model/problem.ts';
import {
  dns1035LabelProblems,
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  isQualifiedName,
  labelValueProblems,
  qualifiedNameProblems,
  suggestDnsName,
  suggestLabelValue,
} from '../names.ts';
import { closestMatch, withSuggestion } from '../../base/suggest.ts';
import {
  YAML11_BOOLEAN,
  absent,
  asBool,
  asList,
  asMap,
  asString,
  checkKnownFields,
  checkYaml11Key,
  checkYaml11String,
} from './check.ts';
import type { Reporter } from './report.ts';
import { isMap, type JsonMap } from '../values.ts';

export const OBJECT_META_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
] as const;

export type NameRule = 'subdomain' | 'label' | 'dns1035';

const NAME_RULES: Record<
  NameRule,
  {
    describe: string;
    max: number;
    dots: boolean;
    check: (v: string) => string[];
    /** Whether `check` finds nothing (most names): no array made. */
    valid: (v: string) => boolean;
  }
> = {
  subdomain: {
    describe: "a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253",
    max: 253,
    dots: true,
    check: dns1123SubdomainProblems,
    valid: isDns1123Subdomain,
  },
  label: {
    describe: "a DNS-1123 label: lower-case letters, digits and '-', at most 63",
    max: 63,
    dots: false,
    check: dns1123LabelProblems,
    valid: isDns1123Label,
  },
  dns1035: {
    describe: "a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, at most 63",
    max: 63,
    dots: false,
    check: dns1035LabelProblems,
    valid: isDns1035Label,
  },
};

/**
 * Checks a name against a rule; reports `"Web_App" is not a valid Deployment name (...): .... Did you mean
 * "web-app"?`. A `lenient` name does not change connectivity: without `--strict` it is a warning and the name
 * is accepted (true).
 */
export function checkName(
  r: Reporter,
  path: FieldPath,
  value: string,
  rule: NameRule,
  what: string,
  lenient = false,
): boolean {
  const spec = NAME_RULES[rule];
  if (spec.valid(value)) return true;
  const problems = spec.check(value);
  if (problems.length === 0) return true;
  let suggestion = suggestDnsName(value, spec.max, spec.dots);
  if (suggestion !== undefined && spec.check(suggestion).length > 0) suggestion = undefined;
  const message = withSuggestion(
    `${JSON.stringify(value)} is not a valid ${what} (${spec.describe}): ${problems.join('; ')}`,
    suggestion,
  );
  if (!lenient) {
    r.error('invalid-name', path, message);
    return false;
  }
  r.lenient('invalid-name', path, message);
  return !r.strict;
}

function suggestQualifiedName(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1).replace(/\//g, '-');
  const fixedName = suggestLabelValue(name) ?? name;
  const fixedPrefix = prefix === undefined ? undefined : (suggestDnsName(prefix, 253, true) ?? prefix);
  const fixed = fixedPrefix === undefined ? fixedName : `${fixedPrefix}/${fixedName}`;
  return fixed === key || qualifiedNameProblems(fixed).length > 0 ? undefined : fixed;
}

/** Checks a label (or annotation) key; reports at `path`. */
export function checkLabelKey(r: Reporter, path: FieldPath, key: string, what = 'label key'): boolean {
  const problems = qualifiedNameProblems(key);
  if (problems.length === 0) return true;
  r.error(
    'invalid-label-key',
    path,
    withSuggestion(
      `${what} ${JSON.stringify(key)} is not valid ([prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'): ${problems.join('; ')}`,
      suggestQualifiedName(key),
    ),
  );
  return false;
}

/** Checks a label value (also selector values); reports at `path`. */
export function checkLabelValue(r: Reporter, path: FieldPath, value: string): boolean {
  const problems = labelValueProblems(value);
  if (problems.length === 0) return true;
  r.error(
    'invalid-label-value',
    path,
    withSuggestion(
      `label value ${JSON.stringify(value)} is not valid (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit): ${problems.join('; ')}`,
      suggestLabelValue(value),
    ),
  );
  return false;
}

/** How a selector's keys are checked: Kubernetes label keys, or Cilium's (`[source:]key`). */
export type KeyCheck = (r: Reporter, path: FieldPath, key: string) => boolean;

/**
 * A Cilium selector key: an optional label source (`k8s:`, `any:`, `reserved:`; letters and digits) before a
 * Kubernetes label key, as the agent checks it (`labels.IsValidCiliumLabelKey`).
 */
export function checkCiliumLabelKey(r: Reporter, path: FieldPath, key: string): boolean {
  const parts = key.split(':');
  if (parts.length > 2) {
    r.error(
      'invalid-label-key',
      path,
      `label key ${JSON.stringify(key)} is not valid: a valid label key only support ':' character as a source separator with non empty value (one "source:" prefix at most, e.g. "k8s:app")`,
    );
    return false;
  }
  if (parts.length === 2 && !/^[A-Za-z0-9]+$/.test(parts[0]!)) {
    r.error(
      'invalid-label-key',
      path,
      `label key ${JSON.stringify(key)} is not valid: label source should be a non empty string with only alphanumeric characters ("k8s:", "any:", "reserved:")`,
    );
    return false;
  }
  return checkLabelKey(r, path, parts[parts.length - 1]!);
}

/** Whether `checkLabelKey` accepts a key without a word. */
export function isLabelKey(key: string): boolean {
  return isQualifiedName(key);
}

/** Whether `checkCiliumLabelKey` accepts a key without a word. */
export function isCiliumLabelKey(key: string): boolean {
  const colon = key.indexOf(':');
  if (colon < 0) return isLabelKey(key);
  if (key.indexOf(':', colon + 1) >= 0 || !/^[A-Za-z0-9]+$/.test(key.slice(0, colon))) return false;
  return isLabelKey(key.slice(colon + 1));
}

// Label keys and values that no check of `validateLabels` reports on, as met: most repeat from object to
// object (`app.kubernetes.io/name`, a workload's name in its labels and in every selector that picks it), and a
// look-up here costs less than the four or five patterns that would accept them again. Keys are property keys
// (internal strings, which refer to no text); values are kept only when shorter than 13 characters, which V8
// makes as copies rather than slices of the text they were read from. Emptied when full.
const PLAIN_LABEL_KEYS = { known: new Set<string>(), accepts: isLabelKey };
const PLAIN_CILIUM_KEYS = { known: new Set<string>(), accepts: isCiliumLabelKey };
const PLAIN_LABEL_VALUES = new Set<string>();
const PLAIN_MAX = 4096;

/** `isLabelKey` (or `isCiliumLabelKey`) of a key that is no YAML 1.1 word. */
function isPlainLabelKey(
  key: string,
  plain: { known: Set<string>; accepts: (key: string) => boolean },
): boolean {
  const { known } = plain;
  if (known.has(key)) return true;
  if (!plain.accepts(key) || YAML11_BOOLEAN.test(key)) return false;
  if (known.size >= PLAIN_MAX) known.clear();
  known.add(key);
  return true;
}

/** `isLabelValue` of a value that is no YAML 1.1 word. */
function isPlainLabelValue(value: string): boolean {
  if (PLAIN_LABEL_VALUES.has(value)) return true;
  if (YAML11_BOOLEAN.test(value) || !isLabelValue(value)) return false;
  if (value.length < 13) {
    if (PLAIN_LABEL_VALUES.size >= PLAIN_MAX) PLAIN_LABEL_VALUES.clear();
    PLAIN_LABEL_VALUES.add(value);
  }
  return true;
}

/** The accepted keys of a key check that has them (`checkLabelKey`, `checkCiliumLabelKey`). */
function plainKeysOf(checkKey: KeyCheck): typeof PLAIN_LABEL_KEYS | undefined {
  return checkKey === checkLabelKey
    ? PLAIN_LABEL_KEYS
    : checkKey === checkCiliumLabelKey
      ? PLAIN_CILIUM_KEYS
      : undefined;
}

/**
 * Whether `map` is its own checked form as labels (`validateLabels` would report nothing and copy every entry
 * as it is, in its order): a plain mapping (not a Date or bytes a schema made) of own keys to string values,
 * each key and value one that no check reports on.
 */
function isPlainLabels(map: JsonMap, plainKeys: typeof PLAIN_LABEL_KEYS): boolean {
  if (Object.getPrototypeOf(map) !== Object.prototype) return false;
  for (const key in map) {
    const value = map[key];
    if (
      typeof value !== 'string' ||
      !Object.hasOwn(map, key) ||
      !isPlainLabelKey(key, plainKeys) ||
      !isPlainLabelValue(value)
    )
      return false;
  }
  return true;
}

/**
 * Whether `raw` is its own checked form as a label selector with Kubernetes label keys (`validateLabelSelector`
 * would report nothing and return a copy equal to it, key order included): a plain mapping of at most
 * `matchLabels`, plain labels (a selector with `matchExpressions` is checked, and copied, the long way).
 */
export function isPlainSelector(raw: unknown, checkKey: KeyCheck = checkLabelKey): boolean {
  if (!isMap(raw) || Object.getPrototypeOf(raw) !== Object.prototype) return false;
  const plainKeys = plainKeysOf(checkKey);
  if (plainKeys === undefined) return false;
  for (const key in raw) {
    if (key !== 'matchLabels' || !Object.hasOwn(raw, key)) return false;
    const labels = raw[key];
    if (!isMap(labels) || !isPlainLabels(labels, plainKeys)) return false;
  }
  return true;
}

/**
 * `metadata.labels`, a Service selector, `matchLabels`: a map of valid keys to valid string values. A map
 * that is its own checked form (most) is returned as it is: no copy.
 */
export function validateLabels(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  checkKey: KeyCheck = checkLabelKey,
): Record<string, string> {
  const map = asMap(r, path, raw);
  if (map === undefined) return {};
  const plainKeys = plainKeysOf(checkKey);
  if (plainKeys !== undefined && isPlainLabels(map, plainKeys)) return map as Record<string, string>;
  const labels: Record<string, string> = {};
  // `for in` over own keys: the order of `Object.keys`, without its array.
  for (const key in map) {
    if (!Object.hasOwn(map, key)) continue;
    const value = map[key];
    // An entry that no check below reports on (most): kept without a path for each check.
    if (
      typeof value === 'string' &&
      plainKeys !== undefined &&
      isPlainLabelKey(key, plainKeys) &&
      isPlainLabelValue(value)
    ) {
      labels[key] = value;
      continue;
    }
    // One path for every check of the entry (problems do not change their paths).
    const at = [...path, key];
    const keyOk = checkKey(r, at, key);
    checkYaml11Key(r, at, key);
    // A null label value decodes to "" in the API.
    const text = value === null ? '' : asString(r, at, value);
    if (text === undefined || !keyOk) continue;
    // Kept after the error, so that a selector with it is not also reported as empty.
    if (!checkYaml11String(r, at, text)) labels[key] = text;
    else if (checkLabelValue(r, at, text)) labels[key] = text;
  }
  return labels;
}

/** `metadata.annotations`: valid keys, string values, 256 KiB in all. */
export function validateAnnotations(r: Reporter, path: FieldPath, raw: unknown): Record<string, string> {
  const map = asMap(r, path, raw);
  const annotations: Record<string, string> = {};
  if (map === undefined) return annotations;
  let size = 0;
  for (const [key, value] of Object.entries(map)) {
    const at = [...path, key];
    const keyOk = checkLabelKey(r, at, key, 'annotation key');
    const text = value === null ? '' : asString(r, at, value);
    if (text === undefined || !keyOk) continue;
    size += key.length + text.length;
    annotations[key] = text;
  }
  if (size > 256 * 1024) {
    r.error(
      'annotations-too-long',
      path,
      `annotations take ${size} bytes in all: they must fit in 262144 (256 KiB)`,
    );
  }
  return annotations;
}

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/**
 * A label selector (NetworkPolicy selectors, workload `spec.selector`). Returns it with nulls dropped, as
 * the API reads it.
 */
export function validateLabelSelector(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  checkKey: KeyCheck = checkLabelKey,
): LabelSelector | undefined {
  if (isPlainSelector(raw, checkKey)) return raw as LabelSelector;
  const map = asMap(r, path, raw);
  if (map === undefined) return undefined;
  checkKnownFields(r, path, map, ['matchLabels', 'matchExpressions']);
  const selector: LabelSelector = {};
  if (map.matchLabels !== undefined && map.matchLabels !== null) {
    selector.matchLabels = validateLabels(r, [...path, 'matchLabels'], map.matchLabels, checkKey);
  }
  const expressions =
    map.matchExpressions === undefined || map.matchExpressions === null
      ? undefined
      : asList(r, [...path, 'matchExpressions'], map.matchExpressions);
  if (expressions !== undefined) {
    selector.matchExpressions = expressions.map((item, i) =>
      validateRequirement(r, [...path, 'matchExpressions', i], item, checkKey),
    );
  }
  return selector;
}

function validateRequirement(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
  checkKey: KeyCheck,
): LabelSelectorRequirement {
  const map = raw === null ? {} : (asMap(r, path, raw) ?? {});
  checkKnownFields(r, path, map, ['key', 'operator', 'values']);
  const key = asString(r, [...path, 'key'], map.key) ?? '';
  if (map.key === undefined || map.key === null || key === '') {
    r.error('missing-field', [...path, 'key'], 'is required: the label key to test');
  } else checkKey(r, [...path, 'key'], key);
  const operator = asString(r, [...path, 'operator'], map.operator) ?? '';
  const rawValues = asList(r, [...path, 'values'], map.values);
  const values: string[] = [];
  for (const [i, v] of (rawValues ?? []).entries()) {
    const at = [...path, 'values', i];
    const text = v === null ? '' : asString(r, at, v);
    if (text === undefined) continue;
    if (checkYaml11String(r, at, text)) checkLabelValue(r, at, text);
    values.push(text);
  }
  const requirement: LabelSelectorRequirement = { key, operator };
  if (rawValues !== undefined) requirement.values = values;

  if (map.operator === undefined || map.operator === null) {
    r.error('invalid-selector', [...path, 'operator'], 'is required: one of In, NotIn, Exists, DoesNotExist');
  } else if (
    typeof map.operator === 'string' &&
    !(SELECTOR_OPERATORS as readonly string[]).includes(operator)
  ) {
    r.error(
      'invalid-selector',
      [...path, 'operator'],
      withSuggestion(
        `${JSON.stringify(operator)} is not a selector operator: use In, NotIn, Exists or DoesNotExist`,
        closestMatch(operator, SELECTOR_OPERATORS),
      ),
    );
  } else if (
    (operator === 'In' || operator === 'NotIn') &&
    values.length === 0 &&
    (rawValues?.length ?? 0) === 0
  ) {
    r.error(
      'invalid-selector',
      [...path, 'values'],
      `must be non-empty when operator is ${operator}: list the values, or use ${operator === 'In' ? 'Exists' : 'DoesNotExist'} to match ${operator === 'In' ? 'any value' : 'pods without the label'}`,
    );
  } else if ((operator === 'Exists' || operator === 'DoesNotExist') && (rawValues?.length ?? 0) > 0) {
    r.error(
      'invalid-selector',
      [...path, 'values'],
      `must be empty when operator is ${operator}, got ${JSON.stringify(values)}: remove values, or use ${operator === 'Exists' ? 'In' : 'NotIn'}`,
    );
  }
  return requirement;
}

/** Whether a selector matches a set of labels (the API's semantics: `{}` matches everything). */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selectorMismatch(selector, labels) === undefined;
}

/** The first part of a selector that `labels` do not satisfy, in words, or undefined when they match. */
export function selectorMismatch(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): string | undefined {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const actual = labels[key];
    if (actual === value) continue;
    return actual === undefined
      ? `the selector requires ${key}=${value}, but the template has no label "${key}"`
      : `the selector requires ${key}=${value}, but the template has ${key}=${actual}`;
  }
  for (const e of selector.matchExpressions ?? []) {
    const actual = labels[e.key];
    const values = e.values ?? [];
    const ok =
      e.operator === 'In'
        ? actual !== undefined && values.includes(actual)
        : e.operator === 'NotIn'
          ? actual === undefined || !values.includes(actual)
          : e.operator === 'Exists'
            ? actual !== undefined
            : e.operator === 'DoesNotExist'
              ? actual === undefined
              : false;
    if (ok) continue;
    const wanted = values.length > 0 ? ` (${values.join(', ')})` : '';
    const has = actual === undefined ? `no label "${e.key}"` : `${e.key}=${actual}`;
    return `the selector requires ${e.key} ${e.operator}${wanted}, but the template has ${has}`;
  }
  return undefined;
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

export interface Metadata {
  name: string | undefined;
  namespace: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences: OwnerReference[];
}

/** A kind with its indefinite article: "a Deployment", "an AdminNetworkPolicy". */
export function aKind(kind: string): string {
  return `${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

export interface MetadataRules {
  /** The kind, for messages: "not a valid Deployment name". */
  kind: string;
  nameRule: NameRule;
  namespaced: boolean;
  /** A tighter limit on the name than its rule, with the reason (a CronJob's 52 characters). */
  maxName?: { max: number; why: string };
  /** The name netfence gives an object that only has `generateName` (unique per prefix). */
  generatedName?: string;
}

// The paths of metadata's fields, made once (a problem keeps its path as given; none changes it).
const METADATA: FieldPath = ['metadata'];
const METADATA_NAME: FieldPath = ['metadata', 'name'];
const METADATA_GENERATE_NAME: FieldPath = ['metadata', 'generateName'];
const METADATA_NAMESPACE: FieldPath = ['metadata', 'namespace'];
const METADATA_LABELS: FieldPath = ['metadata', 'labels'];
const METADATA_ANNOTATIONS: FieldPath = ['metadata', 'annotations'];
const METADATA_OWNERS: FieldPath = ['metadata', 'ownerReferences'];

/** `metadata` of a top-level object: name required and valid, namespace, labels, annotations, owners. */
/**
 * The labels and annotations of an object that gives none: one frozen empty mapping shared by every such
 * object (the state keeps them, one object each otherwise: 70,000 at T4), which nothing writes to.
 */
const NO_ENTRIES = Object.freeze({}) as Record<string, string>;

export function validateMetadata(r: Reporter, raw: unknown, rules: MetadataRules): Metadata {
  const path = METADATA;
  const meta: Metadata = {
    name: undefined,
    namespace: undefined,
    labels: NO_ENTRIES,
    annotations: NO_ENTRIES,
    ownerReferences: [],
  };
  if (raw === undefined || raw === null) {
    r.error('missing-field', path, `is required: ${aKind(rules.kind)} needs metadata.name`);
    return meta;
  }
  const map = asMap(r, path, raw);
  if (map === undefined) return meta;
  checkKnownFields(r, path, map, OBJECT_META_FIELDS);

  const name = asString(r, METADATA_NAME, map.name);
  const generateName = absent(map.generateName)
    ? undefined
    : asString(r, METADATA_GENERATE_NAME, map.generateName);
  if (name === undefined || name === '') {
    if (generateName !== undefined && generateName !== '') {
      // The API appends 5 random characters; the prefix may end with '-'.
      const prefixOk = checkName(
        r,
        METADATA_GENERATE_NAME,
        generateName.replace(/-$/, 'a'),
        rules.nameRule,
        `${rules.kind} name prefix`,
      );
      if (prefixOk) {
        meta.name = rules.generatedName ?? `${generateName}xxxxx`;
        r.warn(
          'generated-name',
          METADATA_GENERATE_NAME,
          `the API server gives the object a random name starting with ${JSON.stringify(generateName)}; netfence calls it "${meta.name}"`,
        );
      }
    } else if (map.name === undefined || map.name === null || name === '') {
      r.error('missing-field', METADATA_NAME, `is required: give the ${rules.kind} a name`);
    }
    // A namespace's name is a label its pods are selected by; other names do not change connectivity.
  } else if (
    checkName(r, METADATA_NAME, name, rules.nameRule, `${rules.kind} name`, rules.kind !== 'Namespace')
  ) {
    if (rules.maxName !== undefined && name.length > rules.maxName.max) {
      r.error(
        'invalid-name',
        METADATA_NAME,
        `${JSON.stringify(name)} is ${name.length} characters long: a ${rules.kind} name must be no more than ${rules.maxName.max} characters (${rules.maxName.why})`,
      );
    }
    meta.name = name;
  }

  if (rules.namespaced && !absent(map.namespace)) {
    const namespace = asString(r, METADATA_NAMESPACE, map.namespace);
    if (namespace !== undefined && namespace !== '') {
      if (checkName(r, METADATA_NAMESPACE, namespace, 'label', 'namespace name')) meta.namespace = namespace;
    }
  }
  // (An absent field is looked at no further: no path is made for it.)
  if (!absent(map.labels)) meta.labels = validateLabels(r, METADATA_LABELS, map.labels);
  if (!absent(map.annotations))
    meta.annotations = validateAnnotations(r, METADATA_ANNOTATIONS, map.annotations);
  if (!absent(map.ownerReferences))
    meta.ownerReferences = validateOwnerReferences(r, METADATA_OWNERS, map.ownerReferences);
  return meta;
}

const OWNER_FIELDS = ['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion'] as const;

function validateOwnerReferences(r: Reporter, path: FieldPath, raw: unknown): OwnerReference[] {
  const list = asList(r, path, raw);
  if (list === undefined) return [];
  const owners: OwnerReference[] = [];
  let controllers = 0;
  for (const [i, item] of list.entries()) {
    const itemPath = [...path, i];
    const map = asMap(r, itemPath, item);
    if (map === undefined) {
      if (item === null) r.error('missing-field', itemPath, 'must be an owner reference, got null');
      continue;
    }
    checkKnownFields(r, itemPath, map, OWNER_FIELDS);
    const fields: Partial<Record<'apiVersion' | 'kind' | 'name' | 'uid', string>> = {};
    for (const field of ['apiVersion', 'kind', 'name', 'uid'] as const) {
      const value = asString(r, [...itemPath, field], map[field]);
      if (value === undefined || value === '') {
        // Only the name matters to netfence (an owner without a kind is left out: its pods stand alone).
        if (map[field] === undefined || map[field] === null || value === '') {
          const report = field === 'name' ? r.error.bind(r) : r.lenient.bind(r);
          report('missing-field', [...itemPath, field], `is required in an owner reference`);
        }
      } else fields[field] = value;
    }
    const controller = asBool(r, [...itemPath, 'controller'], map.controller);
    asBool(r, [...itemPath, 'blockOwnerDeletion'], map.blockOwnerDeletion);
    if (controller === true) {
      controllers++;
      if (controllers === 2) {
        r.error(
          'invalid-owner',
          [...itemPath, 'controller'],
          'only one owner reference can have controller: true; an object has at most one controller',
        );
      }
    }
    if (fields.kind === undefined || fields.name === undefined) continue;
    const owner: OwnerReference = { kind: fields.kind, name: fields.name };
    if (fields.apiVersion !== undefined) owner.apiVersion = fields.apiVersion;
    if (fields.uid !== undefined) owner.uid = fields.uid;
    if (controller !== undefined) owner.controller = controller;
    owners.push(owner);
  }
  return owners;
}

/** Metadata of a pod template: labels and annotations only (the rest is ignored or set by the controller). */
export function validateTemplateMetadata(
  r: Reporter,
  path: FieldPath,
  raw: unknown,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const map = asMap(r, path, raw);
  if (map === undefined) return { labels: {}, annotations: {} };
  checkKnownFields(r, path, map, OBJECT_META_FIELDS);
  return {
    labels: absent(map.labels)
      ? {}
      : isMap(map.labels) && isPlainLabels(map.labels, PLAIN_LABEL_KEYS)
        ? (map.labels as Record<string, string>)
        : validateLabels(r, [...path, 'labels'], map.labels),
    annotations: absent(map.annotations)
      ? {}
      : validateAnnotations(r, [...path, 'annotations'], map.annotations),
  };
}
