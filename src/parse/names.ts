/**
 * The API server's name checks (k8s.io/apimachinery `validation`), each returning the reasons a value fails
 * in plain words (empty when valid), with a suggested fix where one is obvious.
 */

const LOWER_ALNUM = /^[a-z0-9]$/;
const ALNUM = /^[A-Za-z0-9]$/;

// The API server's own patterns: a value they accept (within the length limit) has no problem, so the checks
// below, which say why a value fails, run only for values that do.
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** DNS_SUBDOMAIN, '/', LABEL_NAME: a valid prefixed label key but for the lengths of its parts. */
const PREFIXED_LABEL_KEY =
  /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** Lower-case letters and digits in runs joined by single '-': an IANA_SVC_NAME but for its length and letter. */
const PORT_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function invalidChars(value: string, allowed: RegExp): string[] {
  const seen = new Set<string>();
  for (const ch of value) if (!allowed.test(ch)) seen.add(ch);
  return [...seen];
}

function quoteChars(chars: readonly string[]): string {
  return chars.map((c) => JSON.stringify(c)).join(', ');
}

function lengthProblem(value: string, max: number): string[] {
  return value.length > max ? [`it is ${value.length} characters long, more than ${max}`] : [];
}

/** Lower-case letters, digits and '-' (and '.' when `dots`), with a letter or digit at each end of each part. */
function dnsProblems(value: string, max: number, dots: boolean): string[] {
  if (value.length <= max && (dots ? DNS_SUBDOMAIN : DNS_LABEL).test(value)) return [];
  if (value === '') return ['it is empty'];
  const problems = lengthProblem(value, max);
  if (/[A-Z]/.test(value)) problems.push('it contains upper-case letters');
  const others = invalidChars(value, dots ? /[a-zA-Z0-9.-]/ : /[a-zA-Z0-9-]/);
  if (others.length > 0) problems.push(`it contains ${quoteChars(others)}`);
  const parts = dots ? value.split('.') : [value];
  const lowerEnds = (part: string): boolean =>
    LOWER_ALNUM.test(part.slice(0, 1).toLowerCase()) && LOWER_ALNUM.test(part.slice(-1).toLowerCase());
  if (!parts.every(lowerEnds)) {
    problems.push(
      dots
        ? 'each dot-separated part must start and end with a letter or digit'
        : 'it must start and end with a letter or digit',
    );
  }
  return problems;
}

/** Whether `dns1123LabelProblems` finds nothing wrong (without an array to say so). */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** Whether `dns1123SubdomainProblems` finds nothing wrong. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/** Whether `dns1035LabelProblems` finds nothing wrong. */
export function isDns1035Label(value: string): boolean {
  return isDns1123Label(value) && !/^[0-9]/.test(value);
}

/** RFC 1123 label: namespace names, container names, Service port names. */
export function dns1123LabelProblems(value: string): string[] {
  return dnsProblems(value, 63, false);
}

/** RFC 1123 subdomain: names of most objects, label key prefixes. */
export function dns1123SubdomainProblems(value: string): string[] {
  return dnsProblems(value, 253, true);
}

/** RFC 1035 label: Service names (they become DNS names, so they must start with a letter). */
export function dns1035LabelProblems(value: string): string[] {
  const problems = dnsProblems(value, 63, false);
  if (value !== '' && /^[0-9]/.test(value)) problems.push('it must start with a letter');
  return problems;
}

/** A Kubernetes-style name made from any string: lower-case, runs of other characters as '-', trimmed. */
export function suggestDnsName(value: string, max: number, dots: boolean): string | undefined {
  let s = value.toLowerCase().replace(dots ? /[^a-z0-9.]+/g : /[^a-z0-9]+/g, '-');
  if (dots)
    s = s
      .split('.')
      .map((p) => p.replace(/^-+|-+$/g, ''))
      .filter((p) => p !== '')
      .join('.');
  s = s.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, max);
  s = s.replace(/[^a-z0-9]+$/g, '');
  return s === '' || s === value ? undefined : s;
}

/** The name part of a label key: up to 63 letters, digits, '-', '_', '.', alphanumeric at both ends. */
function labelNameProblems(value: string): string[] {
  if (value.length <= 63 && LABEL_NAME.test(value)) return [];
  if (value === '') return ['the name part is empty'];
  const problems = lengthProblem(value, 63).map((p) => `the name part ${p.replace(/^it /, '')}`);
  const others = invalidChars(value, /[A-Za-z0-9_.-]/);
  if (others.length > 0) problems.push(`it contains ${quoteChars(others)}`);
  if (!ALNUM.test(value.slice(0, 1)) || !ALNUM.test(value.slice(-1)))
    problems.push('it must start and end with a letter or digit');
  return problems;
}

/** Whether `qualifiedNameProblems` finds nothing wrong (without an array to say so). */
export function isQualifiedName(value: string): boolean {
  if (value.length <= 63 && LABEL_NAME.test(value)) return true;
  // `prefix/name` with both parts valid (most prefixed keys: app.kubernetes.io/name), without splitting it.
  const slash = value.indexOf('/');
  return slash > 0 && slash <= 253 && value.length - slash - 1 <= 63 && PREFIXED_LABEL_KEY.test(value);
}

/** Label and annotation keys: `[prefix/]name`, prefix a DNS subdomain, name a label name. */
export function qualifiedNameProblems(value: string): string[] {
  if (isQualifiedName(value)) return [];
  const parts = value.split('/');
  if (parts.length > 2) return [`it contains ${parts.length - 1} '/', at most one is allowed (prefix/name)`];
  if (parts.length === 2) {
    const [prefix, name] = parts as [string, string];
    const problems: string[] = [];
    if (prefix === '') problems.push("the prefix before '/' is empty");
    else {
      const prefixProblems = dnsProblems(prefix, 253, true);
      if (prefixProblems.length > 0)
        problems.push(`the prefix "${prefix}" is not a DNS subdomain (${prefixProblems.join(', ')})`);
    }
    return [...problems, ...labelNameProblems(name)];
  }
  return labelNameProblems(value);
}

/** Whether `labelValueProblems` finds nothing wrong (without an array to say so). */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

/** Label values (and selector values): empty, or up to 63 letters, digits, '-', '_', '.', alphanumeric ends. */
export function labelValueProblems(value: string): string[] {
  if (isLabelValue(value)) return [];
  const problems = lengthProblem(value, 63);
  const others = invalidChars(value, /[A-Za-z0-9_.-]/);
  if (others.length > 0) problems.push(`it contains ${quoteChars(others)}`);
  if (!ALNUM.test(value.slice(0, 1)) || !ALNUM.test(value.slice(-1)))
    problems.push('it must start and end with a letter or digit');
  return problems;
}

export function suggestLabelValue(value: string): string | undefined {
  const s = value
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63)
    .replace(/[^A-Za-z0-9]+$/, '');
  return s === '' || s === value ? undefined : s;
}

/** Whether `portNameProblems` finds nothing wrong (without an array to say so). */
export function isPortName(value: string): boolean {
  return value.length <= 15 && PORT_NAME.test(value) && /[a-z]/.test(value);
}

/** IANA_SVC_NAME (RFC 6335): named container ports and named ports in policies. */
export function portNameProblems(value: string): string[] {
  // What the checks below accept (most names): the reasons are looked for only in what this does not.
  if (isPortName(value)) return [];
  if (value === '') return ['it is empty'];
  const problems = value.length > 15 ? [`it is ${value.length} characters long, more than 15`] : [];
  if (/[A-Z]/.test(value)) problems.push('it contains upper-case letters');
  const others = invalidChars(value, /[a-zA-Z0-9-]/);
  if (others.length > 0) problems.push(`it contains ${quoteChars(others)}`);
  if (!/[a-zA-Z]/.test(value)) problems.push('it must contain at least one letter');
  if (value.startsWith('-') || value.endsWith('-')) problems.push("it must not start or end with '-'");
  if (value.includes('--')) problems.push("it must not contain '--'");
  return problems;
}

export function suggestPortName(value: string): string | undefined {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 15)
    .replace(/-+$/, '');
  return s === '' || s === value || !/[a-z]/.test(s) ? undefined : s;
}
