/**
 * Workload controllers (src/parse/validate/workload.ts) through the public reader: each problem of a spec in
 * words, with its path, line, column and code, for every kind (the article in the messages, a CronJob's
 * schedule and jobTemplate, the template, counts, the selector rules of apps/v1, Jobs and
 * ReplicationControllers, restart policies), and what is kept of an accepted workload (its replica count or
 * parallelism, the template's labels, host network and named ports). Written from the survivors of a mutation
 * run on the file (issue #20, docs/mutation/parse.md "src/parse/validate: the five files under 80%").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { load } from './helpers.ts';

/** Every problem of a text (errors, then warnings), as the CLI prints it, with its code. */
function lines(text: string): string[] {
  const r = load(text);
  return [...r.errors, ...r.warnings].map((p) => `${formatProblem(p)} [${p.code}]`);
}

/** The one workload of a text without problems: its replica count and labels, and its template pod. */
function accepted(text: string): {
  replicas: number | undefined;
  labels: Record<string, string>;
  pod: unknown;
} {
  const r = load(text);
  assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
  assert.equal(r.state.workloads.length, 1);
  assert.equal(r.state.pods.length, 1);
  const w = r.state.workloads[0]!;
  const p = r.state.pods[0]!;
  return {
    replicas: w.replicas,
    labels: w.labels,
    pod: { name: p.name, hostNetwork: p.hostNetwork, namedPorts: p.namedPorts, template: p.template },
  };
}

const head = (apiVersion: string, kind: string) =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: w\n`;
const DEPLOYMENT = head('apps/v1', 'Deployment');
const STATEFULSET = head('apps/v1', 'StatefulSet');
const DAEMONSET = head('apps/v1', 'DaemonSet');
const JOB = head('batch/v1', 'Job');
const CRONJOB = head('batch/v1', 'CronJob');
const RC = head('v1', 'ReplicationController');
/** A template at the indentation of `spec:`'s children, labelled app=a. */
const TEMPLATE =
  '  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: c, image: i}]}\n';
const JOB_TEMPLATE =
  '  template:\n    metadata: {labels: {app: a}}\n    spec: {restartPolicy: Never, containers: [{name: c, image: i}]}\n';
/** A CronJob's jobTemplate spec (flow style) around the given fields. */
const cron = (fields: string, schedule = "'* * * * *'") =>
  `${CRONJOB}spec:\n  schedule: ${schedule}\n  jobTemplate: {spec: {${fields}}}\n`;
const CRON_POD =
  'template: {metadata: {labels: {app: a}}, spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}';

describe('workload specs', () => {
  test('a spec is required, with the kind in the message; a spec that is not a mapping is a type error', () => {
    const kinds: [string, string, string][] = [
      ['apps/v1', 'Deployment', 'a Deployment'],
      ['apps/v1', 'ReplicaSet', 'a ReplicaSet'],
      ['apps/v1', 'StatefulSet', 'a StatefulSet'],
      ['apps/v1', 'DaemonSet', 'a DaemonSet'],
      ['batch/v1', 'Job', 'a Job'],
      ['batch/v1', 'CronJob', 'a CronJob'],
      ['v1', 'ReplicationController', 'a ReplicationController'],
    ];
    for (const [apiVersion, kind, article] of kinds) {
      const missing = `policies.yaml:1:1 spec: is required: ${article} needs a spec with a pod template [missing-field]`;
      assert.deepEqual(lines(head(apiVersion, kind)), [missing], kind);
      assert.deepEqual(lines(head(apiVersion, kind) + 'spec: null\n'), [missing.replace('1:1', '5:1')], kind);
      assert.deepEqual(
        lines(head(apiVersion, kind) + 'spec: 5\n'),
        ['policies.yaml:5:1 spec: must be a mapping (key: value), got 5 [wrong-type]'],
        kind,
      );
    }
  });

  test('the template: required, a mapping, its metadata a mapping', () => {
    const selector = '  selector: {matchLabels: {app: a}}\n';
    assert.deepEqual(lines(DEPLOYMENT + 'spec:\n' + selector + '  template: null\n'), [
      'policies.yaml:7:3 spec.template: is required: the pod template of a Deployment [missing-field]',
    ]);
    assert.deepEqual(lines(DEPLOYMENT + 'spec:\n' + selector + '  template: 5\n'), [
      'policies.yaml:7:3 spec.template: must be a mapping (key: value), got 5 [wrong-type]',
    ]);
    assert.deepEqual(
      lines(
        DEPLOYMENT +
          'spec:\n' +
          selector +
          '  template:\n    metadata: 5\n    spec: {containers: [{name: c, image: i}]}\n',
      ),
      [
        'policies.yaml:8:5 spec.template.metadata: must be a mapping (key: value), got 5 [wrong-type]',
        'policies.yaml:8:5 spec.template.metadata.labels: selector does not match template labels: the selector requires app=a, but the template has no label "app". Make them agree [selector-mismatch]',
      ],
    );
    assert.deepEqual(lines(RC + 'spec: {}\n'), [
      'policies.yaml:5:1 spec.template: is required: the pod template of a ReplicationController [missing-field]',
    ]);
  });

  test("a CronJob's schedule, jobTemplate and its spec, at their paths", () => {
    const missingSchedule =
      'spec.schedule: is required: a cron schedule such as "*/5 * * * *" [missing-field]';
    assert.deepEqual(lines(CRONJOB + "spec:\n  schedule: '  '\n  jobTemplate: null\n"), [
      `policies.yaml:6:3 ${missingSchedule}`,
      'policies.yaml:7:3 spec.jobTemplate: is required: the Job to run on schedule [missing-field]',
    ]);
    assert.deepEqual(lines(CRONJOB + 'spec:\n  schedule: null\n  jobTemplate: 5\n'), [
      `policies.yaml:6:3 ${missingSchedule}`,
      'policies.yaml:7:3 spec.jobTemplate: must be a mapping (key: value), got 5 [wrong-type]',
    ]);
    assert.deepEqual(lines(CRONJOB + "spec:\n  schedule: '*/5 * * * *'\n"), [
      'policies.yaml:5:1 spec.jobTemplate: is required: the Job to run on schedule [missing-field]',
    ]);
    assert.deepEqual(lines(CRONJOB + 'spec:\n  jobTemplate: {}\n'), [
      `policies.yaml:5:1 ${missingSchedule}`,
      'policies.yaml:6:3 spec.jobTemplate.spec: is required: the spec of the Job to run [missing-field]',
    ]);
    assert.deepEqual(lines(cron('').replace('{spec: {}}', '{spec: null}')), [
      'policies.yaml:7:17 spec.jobTemplate.spec: is required: the spec of the Job to run [missing-field]',
    ]);
    assert.deepEqual(lines(cron('').replace('{spec: {}}', '{spec: 5}')), [
      'policies.yaml:7:17 spec.jobTemplate.spec: must be a mapping (key: value), got 5 [wrong-type]',
    ]);
    assert.deepEqual(lines(cron('parallelism: 2')), [
      'policies.yaml:7:17 spec.jobTemplate.spec.template: is required: the pod template of a CronJob [missing-field]',
    ]);
    // A schedule of the wrong type is that error only; the rest of the CronJob is still read.
    assert.deepEqual(
      lines(
        cron(
          'parallelism: -1, template: {metadata: {labels: {app: a}}, spec: {restartPolicy: Always, containers: [{name: c, image: i}]}}',
          '5',
        ),
      ),
      [
        'policies.yaml:6:3 spec.schedule: must be a string, got 5. Quote it: "5" [wrong-type]',
        'policies.yaml:7:24 spec.jobTemplate.spec.parallelism: must be ≥ 0, got -1 [invalid-count]',
        'policies.yaml:7:89 spec.jobTemplate.spec.template.spec.restartPolicy: "Always" is not supported for a CronJob: use "OnFailure" or "Never" [invalid-restart-policy]',
      ],
    );
  });

  test('counts: replicas and parallelism at least 0, each read for its kinds only', () => {
    assert.deepEqual(
      lines(
        DEPLOYMENT +
          'spec:\n  selector: {matchLabels: {app: a}}\n  replicas: -1\n  parallelism: -4\n' +
          TEMPLATE,
      ),
      ['policies.yaml:7:3 spec.replicas: must be ≥ 0, got -1 [invalid-count]'],
    );
    assert.deepEqual(lines(JOB + 'spec:\n  parallelism: -2\n  replicas: -3\n' + JOB_TEMPLATE), [
      'policies.yaml:6:3 spec.parallelism: must be ≥ 0, got -2 [invalid-count]',
    ]);
  });

  test('restart policies: Always only for the apps kinds, OnFailure or Never (required) for Jobs', () => {
    assert.deepEqual(
      lines(
        DEPLOYMENT +
          'spec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n' +
          '    spec: {restartPolicy: Never, containers: [{name: c, image: i}]}\n',
      ),
      [
        'policies.yaml:9:12 spec.template.spec.restartPolicy: "Never" is not supported for a Deployment: use "Always" [invalid-restart-policy]',
      ],
    );
    assert.deepEqual(lines(JOB + 'spec:\n' + TEMPLATE), [
      'policies.yaml:8:5 spec.template.spec.restartPolicy: is required for a Job: "OnFailure" or "Never" (the default "Always" is not allowed) [missing-field]',
    ]);
    for (const [kind, text] of [
      ['StatefulSet', STATEFULSET + 'spec:\n  selector: {matchLabels: {app: a}}\n' + TEMPLATE],
      ['Job OnFailure', JOB + 'spec:\n' + JOB_TEMPLATE.replace('Never', 'OnFailure')],
    ] as const) {
      assert.equal(accepted(text).replicas, 1, kind);
    }
  });
});

describe('selectors', () => {
  test('apps/v1: required, not empty, matching the template', () => {
    const missing =
      "spec.selector: is required for a StatefulSet (apps/v1): set matchLabels to the template's labels [missing-field]";
    assert.deepEqual(lines(STATEFULSET + 'spec:\n' + TEMPLATE), [`policies.yaml:5:1 ${missing}`]);
    assert.deepEqual(lines(STATEFULSET + 'spec:\n  selector: null\n' + TEMPLATE), [
      `policies.yaml:6:3 ${missing}`,
    ]);
    assert.deepEqual(lines(STATEFULSET + 'spec:\n  selector: 5\n' + TEMPLATE), [
      'policies.yaml:6:3 spec.selector: must be a mapping (key: value), got 5 [wrong-type]',
    ]);
    assert.deepEqual(lines(STATEFULSET + 'spec:\n  selector: {}\n' + TEMPLATE), [
      "policies.yaml:6:3 spec.selector: must not be empty for a StatefulSet: set matchLabels to the template's labels [empty-selector]",
    ]);
    assert.deepEqual(
      lines(
        STATEFULSET +
          'spec:\n  selector: {matchExpressions: [{key: app, operator: NotIn, values: [a]}]}\n' +
          TEMPLATE,
      ),
      [
        'policies.yaml:8:16 spec.template.metadata.labels: selector does not match template labels: the selector requires app NotIn (a), but the template has app=a. Make them agree [selector-mismatch]',
      ],
    );
    // Without a template, only the template is reported.
    assert.deepEqual(lines(STATEFULSET + 'spec:\n  selector: {matchLabels: {app: b}}\n'), [
      'policies.yaml:5:1 spec.template: is required: the pod template of a StatefulSet [missing-field]',
    ]);
  });

  test('a selector with an incomplete requirement: only the requirement is reported, not a mismatch', () => {
    // The API server compares only a valid selector with the template; the mismatch used to read
    // 'the selector requires  , but the template has no label ""'.
    const key = 'is required: the label key to test [missing-field]';
    const operator = 'is required: one of In, NotIn, Exists, DoesNotExist [invalid-selector]';
    assert.deepEqual(
      lines(DEPLOYMENT + 'spec:\n  selector: {matchLabels: {app: a}, matchExpressions: [null]}\n' + TEMPLATE),
      [
        `policies.yaml:6:56 spec.selector.matchExpressions[0].key: ${key}`,
        `policies.yaml:6:56 spec.selector.matchExpressions[0].operator: ${operator}`,
      ],
    );
    assert.deepEqual(
      lines(DEPLOYMENT + 'spec:\n  selector: {matchExpressions: [{operator: Exists}]}\n' + TEMPLATE),
      [`policies.yaml:6:33 spec.selector.matchExpressions[0].key: ${key}`],
    );
    assert.deepEqual(
      lines(
        DEPLOYMENT +
          'spec:\n  selector: {matchExpressions: [{key: app, operator: Inn, values: [b]}]}\n' +
          TEMPLATE,
      ),
      [
        'policies.yaml:6:44 spec.selector.matchExpressions[0].operator: "Inn" is not a selector operator: use In, NotIn, Exists or DoesNotExist. Did you mean "In"? [invalid-selector]',
      ],
    );
    assert.deepEqual(
      lines(
        JOB + 'spec:\n  manualSelector: true\n  selector: {matchExpressions: [{key: app}]}\n' + JOB_TEMPLATE,
      ),
      [`policies.yaml:7:33 spec.selector.matchExpressions[0].operator: ${operator}`],
    );
    // A complete requirement the template fails is still a mismatch.
    assert.deepEqual(
      lines(
        DEPLOYMENT +
          'spec:\n  selector: {matchExpressions: [{key: app, operator: DoesNotExist}]}\n' +
          TEMPLATE,
      ),
      [
        'policies.yaml:8:16 spec.template.metadata.labels: selector does not match template labels: the selector requires app DoesNotExist, but the template has app=a. Make them agree [selector-mismatch]',
      ],
    );
  });
  test('ReplicationController: a plain label map, defaulting to the template labels', () => {
    assert.deepEqual(accepted(RC + 'spec:\n  replicas: 2\n' + TEMPLATE), {
      replicas: 2,
      labels: { app: 'a' },
      pod: { name: 'w-replicationcontroller-template', hostNetwork: false, namedPorts: [], template: true },
    });
    assert.deepEqual(lines(RC + 'spec:\n  selector: {app: b}\n' + TEMPLATE), [
      'policies.yaml:8:16 spec.template.metadata.labels: selector does not match template labels: the selector requires app=b, but the template has app=a. Make them agree [selector-mismatch]',
    ]);
    assert.deepEqual(lines(RC + 'spec:\n  selector: {app: a, tier: x}\n' + TEMPLATE), [
      'policies.yaml:8:16 spec.template.metadata.labels: selector does not match template labels: the selector requires tier=x, but the template has no label "tier". Make them agree [selector-mismatch]',
    ]);
    // Without a template, only the template is reported.
    assert.deepEqual(lines(RC + 'spec:\n  selector: {app: a}\n'), [
      'policies.yaml:5:1 spec.template: is required: the pod template of a ReplicationController [missing-field]',
    ]);
    assert.deepEqual(lines(RC + 'spec:\n  selector: 5\n' + TEMPLATE), [
      'policies.yaml:6:3 spec.selector: must be a mapping (key: value), got 5 [wrong-type]',
    ]);
    const missing =
      'spec.selector: is required: set it, or give the template labels, which it defaults to [missing-field]';
    assert.deepEqual(lines(RC + 'spec:\n  template:\n    spec: {containers: [{name: c, image: i}]}\n'), [
      `policies.yaml:5:1 ${missing}`,
    ]);
    assert.deepEqual(
      lines(
        RC +
          'spec:\n  selector: {}\n  template:\n    metadata: {labels: {}}\n    spec: {containers: [{name: c, image: i}]}\n',
      ),
      [`policies.yaml:6:3 ${missing}`],
    );
  });

  test('Jobs: a selector only with manualSelector: true, and then matching the template', () => {
    const generated =
      'is set, but the API generates the selector of a Job unless manualSelector is true: remove the selector, or set manualSelector: true [job-selector]';
    assert.equal(
      accepted(JOB + 'spec:\n  manualSelector: true\n  selector: {matchLabels: {app: a}}\n' + JOB_TEMPLATE)
        .replicas,
      1,
    );
    assert.deepEqual(
      lines(JOB + 'spec:\n  manualSelector: false\n  selector: {matchLabels: {app: a}}\n' + JOB_TEMPLATE),
      [`policies.yaml:7:3 spec.selector: ${generated}`],
    );
    assert.deepEqual(lines(JOB + 'spec:\n  selector: {matchLabels: {app: b}}\n  template: 5\n'), [
      `policies.yaml:6:3 spec.selector: ${generated}`,
      'policies.yaml:7:3 spec.template: must be a mapping (key: value), got 5 [wrong-type]',
    ]);
    assert.deepEqual(lines(JOB + "spec:\n  manualSelector: 'yes'\n" + JOB_TEMPLATE), [
      'policies.yaml:6:3 spec.manualSelector: must be true or false, got "yes" [wrong-type]',
    ]);
    assert.deepEqual(lines(JOB + 'spec:\n  manualSelector: true\n  selector: 5\n' + JOB_TEMPLATE), [
      'policies.yaml:7:3 spec.selector: must be a mapping (key: value), got 5 [wrong-type]',
    ]);
    assert.deepEqual(lines(JOB + 'spec:\n  manualSelector: true\n  selector: {matchLabels: {app: b}}\n'), [
      'policies.yaml:5:1 spec.template: is required: the pod template of a Job [missing-field]',
    ]);
    assert.deepEqual(lines(cron('selector: {matchLabels: {app: b}}, ' + CRON_POD)), [
      `policies.yaml:7:24 spec.jobTemplate.spec.selector: ${generated}`,
    ]);
    assert.deepEqual(lines(cron('manualSelector: true, selector: {matchLabels: {app: b}}, ' + CRON_POD)), [
      'policies.yaml:7:103 spec.jobTemplate.spec.template.metadata.labels: selector does not match template labels: the selector requires app=b, but the template has app=a. Make them agree [selector-mismatch]',
    ]);
  });
});

describe('what is kept of a workload', () => {
  test('replicas (0 is a count), parallelism for Jobs and CronJobs, none for a DaemonSet', () => {
    const selector = '  selector: {matchLabels: {app: a}}\n';
    assert.equal(
      accepted(DEPLOYMENT + 'spec:\n' + selector + '  replicas: 0\n  parallelism: 4\n' + TEMPLATE).replicas,
      0,
    );
    assert.equal(accepted(DEPLOYMENT + 'spec:\n' + selector + '  parallelism: 4\n' + TEMPLATE).replicas, 1);
    assert.equal(accepted(JOB + 'spec:\n  parallelism: 3\n  replicas: 5\n' + JOB_TEMPLATE).replicas, 3);
    assert.equal(accepted(JOB + 'spec:\n  replicas: 5\n' + JOB_TEMPLATE).replicas, 1);
    assert.equal(accepted(cron('parallelism: 2, ' + CRON_POD)).replicas, 2);
    assert.deepEqual(
      accepted(
        DAEMONSET +
          'spec:\n' +
          selector +
          '  replicas: 4\n  template:\n    metadata: {labels: {app: a}}\n' +
          '    spec: {hostNetwork: true, containers: [{name: c, image: i, ports: [{name: p, containerPort: 9}]}]}\n',
      ),
      {
        replicas: undefined,
        labels: { app: 'a' },
        pod: {
          name: 'w-daemonset-template',
          hostNetwork: true,
          namedPorts: [{ name: 'p', port: 9, protocol: 'TCP' }],
          template: true,
        },
      },
    );
  });
});
