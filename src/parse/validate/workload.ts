/**
 * Workload controllers (apps/v1, batch/v1, core/v1 ReplicationController): the pod template, the selector
 * that must match it, and the replica count netfence uses for a workload with no pods in the input.
 */
import type { LabelSelector, WorkloadKind } from '../../model/k8s.ts';
import type { FieldPath } from '../../model/problem.ts';
import { asBool, asInt, asMap, asString } from './check.ts';
import {
  SELECTOR_OPERATORS,
  isEmptySelector,
  selectorMismatch,
  validateLabelSelector,
  validateLabels,
  validateTemplateMetadata,
} from './meta.ts';
import { validatePodSpec } from './pod.ts';
import type { PodSpecFacts, PodSpecRules } from './pod.ts';
import type { Reporter } from './report.ts';

export interface WorkloadFacts {
  templateLabels: Record<string, string>;
  pod: PodSpecFacts;
  /** `spec.replicas` (or `parallelism` for Jobs) with its default; `undefined` for a DaemonSet. */
  replicas: number | undefined;
}

/** Where the pod template of each kind lives. */
export function templatePath(kind: WorkloadKind): FieldPath {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
}

const ARTICLE: Record<WorkloadKind, string> = {
  Deployment: 'a Deployment',
  ReplicaSet: 'a ReplicaSet',
  StatefulSet: 'a StatefulSet',
  DaemonSet: 'a DaemonSet',
  Job: 'a Job',
  CronJob: 'a CronJob',
  ReplicationController: 'a ReplicationController',
};

function restartRules(kind: WorkloadKind): PodSpecRules {
  return kind === 'Job' || kind === 'CronJob'
    ? { restartPolicies: ['OnFailure', 'Never'], restartDefault: undefined, owner: ARTICLE[kind] }
    : { restartPolicies: ['Always'], restartDefault: 'Always', owner: ARTICLE[kind] };
}

export function validateWorkloadSpec(
  r: Reporter,
  kind: WorkloadKind,
  object: Readonly<Record<string, unknown>>,
): WorkloadFacts {
  const facts: WorkloadFacts = {
    templateLabels: {},
    pod: { namedPorts: [], hostNetwork: false },
    replicas: 1,
  };
  if (object.spec === undefined || object.spec === null) {
    r.error('missing-field', ['spec'], `is required: ${ARTICLE[kind]} needs a spec with a pod template`);
    return facts;
  }
  const spec = asMap(r, ['spec'], object.spec);
  if (spec === undefined) return facts;

  // The spec that holds the template, selector and counts: a CronJob's is its jobTemplate's.
  let jobSpec = spec;
  let jobSpecPath: FieldPath = ['spec'];
  if (kind === 'CronJob') {
    const schedule = asString(r, ['spec', 'schedule'], spec.schedule);
    if (schedule === undefined || schedule.trim() === '') {
      if (spec.schedule === undefined || spec.schedule === null || schedule !== undefined)
        r.error('missing-field', ['spec', 'schedule'], 'is required: a cron schedule such as "*/5 * * * *"');
    }
    const jobTemplate = asMap(r, ['spec', 'jobTemplate'], spec.jobTemplate);
    if (jobTemplate === undefined) {
      if (spec.jobTemplate === undefined || spec.jobTemplate === null)
        r.error('missing-field', ['spec', 'jobTemplate'], 'is required: the Job to run on schedule');
      return facts;
    }
    const inner = asMap(r, ['spec', 'jobTemplate', 'spec'], jobTemplate.spec);
    if (inner === undefined) {
      if (jobTemplate.spec === undefined || jobTemplate.spec === null)
        r.error('missing-field', ['spec', 'jobTemplate', 'spec'], 'is required: the spec of the Job to run');
      return facts;
    }
    jobSpec = inner;
    jobSpecPath = ['spec', 'jobTemplate', 'spec'];
  }

  // The template.
  const tPath = templatePath(kind);
  const template = asMap(r, tPath, jobSpec.template);
  if (template === undefined) {
    if (jobSpec.template === undefined || jobSpec.template === null)
      r.error('missing-field', tPath, `is required: the pod template of ${ARTICLE[kind]}`);
  } else {
    facts.templateLabels = validateTemplateMetadata(r, [...tPath, 'metadata'], template.metadata).labels;
    facts.pod = validatePodSpec(r, [...tPath, 'spec'], template.spec, restartRules(kind));
  }

  // Counts.
  if (kind === 'Job' || kind === 'CronJob') {
    facts.replicas = nonNegative(r, [...jobSpecPath, 'parallelism'], jobSpec.parallelism) ?? 1;
  } else if (kind === 'DaemonSet') {
    facts.replicas = undefined;
  } else {
    facts.replicas = nonNegative(r, ['spec', 'replicas'], spec.replicas) ?? 1;
  }

  // The selector must select the template's pods (compared only when its requirements are complete: one
  // without a key or a known operator is reported already, and the API server compares only a valid selector).
  const labelsPath = [...tPath, 'metadata', 'labels'];
  const mismatch = (message: string): void =>
    r.error(
      'selector-mismatch',
      labelsPath,
      `selector does not match template labels: ${message}. Make them agree`,
    );
  if (kind === 'ReplicationController') {
    const selector = validateLabels(r, ['spec', 'selector'], spec.selector);
    const effective = Object.keys(selector).length > 0 ? selector : facts.templateLabels;
    if (Object.keys(effective).length === 0 && template !== undefined) {
      r.error(
        'missing-field',
        ['spec', 'selector'],
        'is required: set it, or give the template labels, which it defaults to',
      );
    } else if (template !== undefined) {
      const why = selectorMismatch({ matchLabels: effective }, facts.templateLabels);
      if (why !== undefined) mismatch(why);
    }
  } else if (kind === 'Job' || kind === 'CronJob') {
    const manual = asBool(r, [...jobSpecPath, 'manualSelector'], jobSpec.manualSelector);
    const selector = validateLabelSelector(r, [...jobSpecPath, 'selector'], jobSpec.selector);
    if (selector !== undefined && manual !== true) {
      r.error(
        'job-selector',
        [...jobSpecPath, 'selector'],
        'is set, but the API generates the selector of a Job unless manualSelector is true: remove the selector, or set manualSelector: true',
      );
    } else if (selector !== undefined && template !== undefined && comparable(selector)) {
      const why = selectorMismatch(selector, facts.templateLabels);
      if (why !== undefined) mismatch(why);
    }
  } else {
    checkAppsSelector(r, kind, spec, template !== undefined, facts.templateLabels, mismatch);
  }
  return facts;
}

function checkAppsSelector(
  r: Reporter,
  kind: WorkloadKind,
  spec: Readonly<Record<string, unknown>>,
  hasTemplate: boolean,
  templateLabels: Record<string, string>,
  mismatch: (message: string) => void,
): void {
  const path = ['spec', 'selector'];
  const selector: LabelSelector | undefined = validateLabelSelector(r, path, spec.selector);
  if (selector === undefined) {
    if (spec.selector === undefined || spec.selector === null) {
      r.error(
        'missing-field',
        path,
        `is required for ${ARTICLE[kind]} (apps/v1): set matchLabels to the template's labels`,
      );
    }
  } else if (isEmptySelector(selector)) {
    r.error(
      'empty-selector',
      path,
      `must not be empty for ${ARTICLE[kind]}: set matchLabels to the template's labels`,
    );
  } else if (hasTemplate && comparable(selector)) {
    const why = selectorMismatch(selector, templateLabels);
    if (why !== undefined) mismatch(why);
  }
}

/** Whether every requirement of a selector has a key and a known operator (else it is reported already). */
function comparable(selector: LabelSelector): boolean {
  return (selector.matchExpressions ?? []).every(
    (e) => e.key !== '' && (SELECTOR_OPERATORS as readonly string[]).includes(e.operator),
  );
}

function nonNegative(r: Reporter, path: FieldPath, raw: unknown): number | undefined {
  const value = asInt(r, path, raw);
  if (value === undefined || value >= 0) return value;
  r.error('invalid-count', path, `must be ≥ 0, got ${value}`);
  return undefined;
}
