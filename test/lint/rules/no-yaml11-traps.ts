import rule, { mayHaveTrap, yamlTrap } from '../../../src/lint/rules/no-yaml11-traps.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lint } from '../../../src/lint/run.ts';
import { formatPath } from '../../../src/model/problem.ts';
import { buildClusterState, parseManifestText } from '../../../src/parse/index.ts';
import type { ParsedObject } from '../../../src/parse/types.ts';
import { runCli } from '../../support/cli.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('shop'), deploy('shop', 'web'));

ruleTester(rule, {
  valid: [
    {
      name: 'quoted values and plain numbers',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop, labels: {enabled: "yes"}}
          spec:
            podSelector: &web {matchLabels: {app: web, debug: "on"}}
            ingress:
              - ports: [{port: 8080}, {port: "http"}]
        `,
      ),
    },
    {
      // Only what netfence reads is checked: a ConfigMap's data is not.
      name: 'a ConfigMap value',
      yaml: docs(
        base,
        yaml`
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: settings, namespace: shop}
          data:
            feature: on
        `,
      ),
    },
    {
      // The ConfigMap's unquoted on lets the file through the quick text test: the quoted values and keys of
      // the policy are then looked at, and are not traps.
      name: 'quoted values and keys in a file that has an unquoted on elsewhere',
      yaml: docs(
        base,
        yaml`
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: settings, namespace: shop}
          data:
            feature: on
        `,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop, labels: {"yes": "true", 'no': 'off'}, annotations:}
          spec:
            podSelector: &web {matchLabels: {app: web, debug: "on"}}
            ingress:
              - ports: [{port: 8080}]
                from: [{podSelector: {matchLabels: {version: '010', "on": x}}}, {podSelector: *web}]
        `,
      ),
    },
    {
      // Outside policies only labels, selectors and ports are read: a pod's annotations are not, nor is
      // anything of a ConfigMap, its labels included.
      name: 'annotations of a pod, labels of a ConfigMap',
      yaml: docs(
        base,
        yaml`
          apiVersion: v1
          kind: Pod
          metadata:
            name: tool
            namespace: shop
            labels: {app: tool}
            annotations:
              note: on
              off: "x"
          spec:
            containers: [{name: tool, image: example/tool:1}]
        `,
        yaml`
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: flags, namespace: shop, labels: {enabled: on}}
        `,
      ),
    },
  ],
  invalid: [
    {
      name: 'an unquoted on in a selector, and a port with a leading zero',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector:
              matchLabels:
                app: web
                debug: on  # <-
            ingress:
              - ports:
                  - port: 08080  # <-
        `,
      ),
      messageIds: ['boolean', 'leadingZero'],
    },
    {
      // In YAML 1.1, 010 is 8: the cluster would open another port than the one reviewed.
      name: 'a valid octal port, and yes as a key',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata:
            name: web
            namespace: shop
            labels:
              yes: "true"  # <-
          spec:
            podSelector: {}
            egress:
              - ports:
                  - port: 010  # <-
        `,
      ),
      messageIds: ['boolean', 'octal'],
    },
    {
      // Annotation values must be strings: kubectl would read 22:30 as the number 1350 and fail.
      name: 'an annotation with a sexagesimal value',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata:
            name: web
            namespace: shop
            annotations:
              maintenance-window: 22:30  # <-
          spec:
            podSelector: {}
        `,
      ),
      messageIds: ['sexagesimal'],
    },
    {
      // Flow style puts a value right after [ , or ": and right before , ] or }.
      name: 'traps in flow collections without spaces',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {"debug":on}}  # <-
            ingress:
              - from: [{podSelector: {matchExpressions: [{key: tier, operator: In, values: [n,off]}]}}]  # <- <-
                ports: [{"port":010}]  # <-
        `,
      ),
      messageIds: ['boolean', 'boolean', 'boolean', 'octal'],
    },
    {
      // Outside policies: labels (a Namespace, a Pod), a Service selector, matchLabels under another key
      // than selector, and container ports.
      name: 'the fields read of the other kinds',
      yaml: docs(
        yaml`
          apiVersion: v1
          kind: Namespace
          metadata:
            name: shop
            labels: {debug: on}  # <-
        `,
        yaml`
          apiVersion: v1
          kind: Pod
          metadata:
            name: tool
            namespace: shop
            labels: {app: tool, canary: no}  # <-
          spec:
            containers: [{name: tool, image: example/tool:1}]
        `,
        yaml`
          apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: shop}
          spec:
            selector: {app: web, debug: off}  # <-
            ports: [{port: 80}]
        `,
        yaml`
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: shop}
          spec:
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec:
                topologySpreadConstraints:
                  - maxSkew: 1
                    topologyKey: zone
                    whenUnsatisfiable: ScheduleAnyway
                    labelSelector:
                      matchLabels: {app: web, spread: y}  # <-
                containers:
                  - name: web
                    image: example/web:1
                    ports:
                      - containerPort: 08080  # <-
        `,
      ),
      messageIds: ['boolean', 'boolean', 'boolean', 'boolean', 'leadingZero'],
    },
    ...(
      [
        [
          'port',
          '010',
          '010 has a leading zero: YAML 1.1 tools (kubectl, Helm) read the octal number 8, YAML 1.2 reads 10',
        ],
        [
          'port',
          '+010',
          '+010 has a leading zero: YAML 1.1 tools (kubectl, Helm) read the octal number 8, YAML 1.2 reads 10',
        ],
        [
          'port',
          '08080',
          '08080 has a leading zero: YAML 1.1 tools (kubectl, Helm) do not read it as 8080 (it is not valid octal)',
        ],
        ['window', '1:30:15', 'Unquoted value 1:30:15 is the number 5415 (base 60) in YAML 1.1'],
        ['window', '1:5', 'Unquoted value 1:5 is the number 65 (base 60)'],
        ['window', '1:30.25', 'Unquoted value 1:30.25 is the number 90.25 (base 60)'],
        ['window', '-1:30', 'Unquoted value -1:30 is the number -90 (base 60)'],
        ['window', '+1:30', 'Unquoted value +1:30 is the number 90 (base 60)'],
        ['window', '1_000:30', 'Unquoted value 1_000:30 is the number 60030 (base 60)'],
        ['window', 'OFF', 'Unquoted value OFF is the boolean false in YAML 1.1'],
        ['window', 'Yes', 'Unquoted value Yes is the boolean true in YAML 1.1'],
      ] as const
    ).map(([field, token, words]) => ({
      // The only trap of its file: the quick text test must let each kind of token through.
      name: `${token} alone in its file`,
      yaml:
        field === 'port'
          ? yaml`
              apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata: {name: web, namespace: shop}
              spec:
                podSelector: {}
                ingress:
                  - ports:
                      - port: ${token}  # <-
            `
          : yaml`
              apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata:
                name: web
                namespace: shop
                annotations:
                  window: ${token}  # <-
              spec:
                podSelector: {}
            `,
      messages: [[words]],
    })),
  ],
});

test('yamlTrap reads values as YAML 1.1 would', () => {
  assert.deepEqual(yamlTrap('010'), { messageId: 'octal', data: { text: '010', octal: 8, decimal: 10 } });
  assert.deepEqual(yamlTrap('22:30'), { messageId: 'sexagesimal', data: { text: '22:30', value: 1350 } });
  assert.deepEqual(yamlTrap('N'), { messageId: 'boolean', data: { text: 'N', bool: 'false' } });
  assert.equal(yamlTrap('0'), undefined);
  assert.equal(yamlTrap('true'), undefined, 'true is a boolean in both versions');
  assert.equal(yamlTrap('8080'), undefined);
  // Booleans: y, yes and on (any case) are true, the others false.
  for (const t of ['y', 'Y', 'yes', 'YES', 'on', 'On'])
    assert.deepEqual(yamlTrap(t), { messageId: 'boolean', data: { text: t, bool: 'true' } });
  for (const t of ['n', 'no', 'off', 'OFF'])
    assert.deepEqual(yamlTrap(t), { messageId: 'boolean', data: { text: t, bool: 'false' } });
  // Signs, and digits 8 and 9 before or after octal ones.
  assert.deepEqual(yamlTrap('-010'), { messageId: 'octal', data: { text: '-010', octal: -8, decimal: -10 } });
  assert.deepEqual(yamlTrap('0807'), { messageId: 'leadingZero', data: { text: '0807', decimal: 807 } });
  assert.deepEqual(yamlTrap('0708'), { messageId: 'leadingZero', data: { text: '0708', decimal: 708 } });
  // Base 60: several parts, one-digit parts, a fraction, signs, underscores.
  assert.deepEqual(yamlTrap('010:30'), { messageId: 'sexagesimal', data: { text: '010:30', value: 630 } });
  assert.deepEqual(yamlTrap('-1:30'), { messageId: 'sexagesimal', data: { text: '-1:30', value: -90 } });
  assert.deepEqual(yamlTrap('1_000:30'), {
    messageId: 'sexagesimal',
    data: { text: '1_000:30', value: 60030 },
  });
  assert.deepEqual(yamlTrap('1:30:15'), { messageId: 'sexagesimal', data: { text: '1:30:15', value: 5415 } });
  assert.deepEqual(yamlTrap('1:5'), { messageId: 'sexagesimal', data: { text: '1:5', value: 65 } });
  assert.deepEqual(yamlTrap('1:30.25'), {
    messageId: 'sexagesimal',
    data: { text: '1:30.25', value: 90.25 },
  });
  for (const t of ['x1:30', '1:30x', '1:60', '1:30.x', '1010', 'yess', '+-010'])
    assert.equal(yamlTrap(t), undefined, t);
});

test('objects read without their file text (from a cluster) are checked too', () => {
  const text = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: web, namespace: shop}
    spec:
      podSelector: {matchLabels: {debug: on}}
  `;
  const parsed = parseManifestText(text, 'cluster.yaml');
  // The node as a reader that keeps no text would hand it over.
  const sources = parsed.objects.map((o): ParsedObject => {
    const copy = { ...o, node: o.node, locate: o.locate.bind(o) };
    return Object.fromEntries(
      Object.entries(copy).filter(([k]) => k !== 'fileText'),
    ) as unknown as ParsedObject;
  });
  assert.ok(sources.every((o) => o.fileText === undefined && o.node !== undefined));
  const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: false });
  const result = lint({ state: built.state, sources }, { rules: [rule] });
  assert.deepEqual(
    result.findings.map((f) => `${f.messageId} ${formatPath(f.path)}`),
    ['boolean spec.podSelector.matchLabels.debug'],
  );
});

test('netfence lint prints the finding for a boolean key, not also the parser warning', async () => {
  const text = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: web
      namespace: shop
      labels: {yes: "true", debug: on}
    spec:
      podSelector: {}
  `;
  const r = await runCli(['lint', '-'], { stdin: text });
  assert.doesNotMatch(r.stderr, /unquoted (key )?(yes|on)/);
  assert.match(r.stdout, /Unquoted value yes is the boolean true/);
  assert.match(r.stdout, /Unquoted value on is the boolean true/);
});

test('a mapping key that is not a scalar is left out, and its value with it', () => {
  // `? [a, b]` (a list as a key): no field name to read; invalid as an annotation, so the state leaves the
  // policy out (skipInvalid), but its source is still walked.
  const text = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: web
      namespace: shop
      annotations:
        ? [a, b]
        : yes
        debug: on
    spec:
      podSelector: {}
  `;
  const parsed = parseManifestText(text, 'test.yaml');
  const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: true });
  const result = lint({ state: built.state, sources: parsed.objects }, { rules: [rule] });
  assert.deepEqual(
    result.findings.map((f) => `${f.messageId} ${formatPath(f.path)}`),
    ['boolean metadata.annotations.debug'],
  );
});

test('the quick text test lets every place of a plain scalar through, and no colon inside a value', () => {
  // Where a plain scalar can start: a line, after a space, [, { or ",", and after the : of a quoted key or a
  // flow collection (YAML needs a space after any other key's :).
  for (const token of ['on', 'No', 'y', '010', '-010', '0807', '1:30', '+1:30', '1_000:30', '1:30.25']) {
    for (const text of [
      `${token}\n`,
      `a: ${token}\n`,
      `a:\n  - ${token}\n`,
      `a: [x,${token}]\n`,
      `a: {b: x,${token}: y}\n`,
      `a: {"b":${token}}\n`,
      `a: {'b':${token}}\n`,
      `a: {[x]:${token}}\n`,
      `a: {{x: y}:${token}}\n`,
      `a:\t${token}`,
    ])
      assert.equal(mayHaveTrap(text), true, JSON.stringify(text));
  }
  // A : inside a value starts no scalar: IPv6 addresses (the bench's CIDR mix had most of its files parsed again
  // for nothing), times inside quoted texts, keys and values written without a space.
  for (const text of [
    'spec:\n  egress:\n    - to:\n        - ipBlock: {cidr: "fd00:25:31::/48"}\n',
    'spec:\n  egress:\n    - to:\n        - ipBlock:\n            cidr: fd00:25:31::/48\n            except: [fd00:25:31:7::/64]\n',
    'metadata:\n  annotations: {at: "2026-12-07T08:25:31Z"}\n',
    'data:\n  a:on\n',
  ])
    assert.equal(mayHaveTrap(text), false, JSON.stringify(text));
});

test('a trap after a quoted key in a flow mapping is found (the quick text test lets it through)', () => {
  const text = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: web, namespace: shop, labels: {"enabled":on}}
    spec:
      podSelector: {}
  `;
  const parsed = parseManifestText(text, 'p.yaml');
  const built = buildClusterState(parsed.objects, { defaultNamespace: 'default', skipInvalid: true });
  const result = lint({ state: built.state, sources: parsed.objects }, { rules: [rule] });
  assert.deepEqual(
    result.findings.map((f) => `${f.messageId} ${formatPath(f.path)}`),
    ['boolean metadata.labels.enabled'],
  );
});
