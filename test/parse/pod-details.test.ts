/**
 * Pod specs (src/parse/validate/pod.ts) through the public reader: the facts kept of a pod (named ports of every
 * container and init container, each once; host networking, node, service account, IPs) and each problem in
 * words, for Pods and a Job's template (restart policies). Written from the survivors of a mutation run on
 * the file (issue #20, docs/mutation/parse.md "src/parse: the validate folder").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { load } from './helpers.ts';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n';
const LENIENT =
  ' (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)';

function lines(text: string): string[] {
  const r = load(text);
  return [...r.errors, ...r.warnings].map(formatProblem);
}

/** The pod of a text without problems, without its origin. */
function pod(text: string): Record<string, unknown> {
  const r = load(text);
  assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
  assert.equal(r.state.pods.length, 1);
  const rest: Record<string, unknown> = { ...r.state.pods[0] };
  delete rest.origin;
  return rest;
}

describe('pod facts', () => {
  test('named ports of every container and init container, each once; host network, node, account, IPs', () => {
    assert.deepEqual(
      pod(
        POD +
          'spec:\n  hostNetwork: true\n  nodeName: n1\n  serviceAccountName: sa\n  serviceAccount: old\n  containers:\n' +
          '    - name: a\n      image: i\n      ports:\n        - {containerPort: 80, name: http}\n' +
          "        - {containerPort: 53, name: dns, protocol: UDP}\n        - {containerPort: 81}\n        - {containerPort: 82, name: ''}\n" +
          '    - name: b\n      image: i\n      ports:\n        - {containerPort: 80, name: http}\n' +
          '        - {containerPort: 8080, name: http2, hostPort: 0}\n        - {containerPort: 8081, name: http3, hostPort: 8081}\n' +
          '  initContainers:\n    - name: init\n      image: i\n      ports: [{containerPort: 9000, name: metrics}]\n' +
          "status:\n  phase: Running\n  podIP: 10.0.0.9\n  podIPs: [{ip: 10.0.0.1}, {ip: 'fd00:0::1'}, {ip: ''}, null, {ip: 10.0.0.1}, {}]\n",
      ),
      {
        name: 'p',
        namespace: 'default',
        labels: {},
        namedPorts: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'http2', port: 8080, protocol: 'TCP' },
          { name: 'http3', port: 8081, protocol: 'TCP' },
          { name: 'metrics', port: 9000, protocol: 'TCP' },
        ],
        ips: ['10.0.0.1', 'fd00::1'],
        hostNetwork: true,
        nodeName: 'n1',
        serviceAccount: 'sa',
        workload: 'default/Pod/p',
        template: false,
      },
    );
  });

  test('podIP when podIPs has none; the deprecated serviceAccount; an empty node name is none', () => {
    const facts = pod(
      POD +
        "spec:\n  serviceAccount: old\n  nodeName: ''\n  containers:\n    - {name: a, image: i}\nstatus:\n  podIPs: []\n  podIP: 10.0.0.9\n",
    );
    assert.deepEqual(facts.ips, ['10.0.0.9']);
    assert.equal(facts.serviceAccount, 'old');
    assert.equal('nodeName' in facts, false);
    assert.equal(facts.hostNetwork, false);
  });

  test('empty names and IPs are none', () => {
    const facts = pod(
      POD +
        "spec:\n  serviceAccountName: ''\n  serviceAccount: old\n  containers:\n    - {name: a, image: i}\nstatus:\n  podIPs: [{ip: ''}]\n  podIP: ''\n",
    );
    assert.deepEqual(facts.ips, []);
    assert.equal('serviceAccount' in facts, false);
  });
});

describe('pod problems', () => {
  test('every field of a pod spec, its containers and ports, and its status', () => {
    assert.deepEqual(
      lines(
        POD +
          'spec:\n  restartPolicy: always\n  containers:\n    - null\n    - 3\n    - {image: i}\n' +
          "    - {name: '', image: ' '}\n    - {name: A_b, image: i}\n    - {name: c, image: 5}\n    - {name: c, image: i, ports: 3}\n" +
          '    - {name: d, image: i, ports: [null, 4, {}, {containerPort: 1, hostPort: 70000, protocol: udp}]}\n' +
          "  initContainers: 5\n  hostNetwork: 'x'\n  nodeName: 5\n  serviceAccountName: 6\n" +
          'status:\n  phase: 7\n  podIPs: 8\n  podIP: 9\n',
      ),
      [
        'policies.yaml:6:3 spec.restartPolicy: "always" is not supported for a Pod: use "Always" or "OnFailure" or "Never". Did you mean "Always"?',
        'policies.yaml:8:7 spec.containers[0]: must be a container, got an empty item',
        'policies.yaml:9:7 spec.containers[1]: must be a mapping (key: value), got 3',
        'policies.yaml:13:17 spec.containers[5].image: must be a string, got 5. Quote it: "5"',
        'policies.yaml:14:27 spec.containers[6].ports: must be a list, got 3',
        'policies.yaml:15:35 spec.containers[7].ports[0]: must be a container port, got an empty item',
        'policies.yaml:15:41 spec.containers[7].ports[1]: must be a mapping (key: value), got 4',
        'policies.yaml:15:44 spec.containers[7].ports[2].containerPort: is required: the port number the container listens on',
        'policies.yaml:15:67 spec.containers[7].ports[3].hostPort: must be between 1 and 65535, got 70000',
        'policies.yaml:15:84 spec.containers[7].ports[3].protocol: "udp" is not supported: protocols are case-sensitive. Did you mean "UDP"?',
        'policies.yaml:16:3 spec.initContainers: must be a list, got 5',
        'policies.yaml:17:3 spec.hostNetwork: must be true or false, got "x"',
        'policies.yaml:18:3 spec.nodeName: must be a string, got 5. Quote it: "5"',
        'policies.yaml:19:3 spec.serviceAccountName: must be a string, got 6. Quote it: "6"',
        'policies.yaml:21:3 status.phase: must be a string, got 7. Quote it: "7"',
        'policies.yaml:22:3 status.podIPs: must be a list, got 8',
        'policies.yaml:23:3 status.podIP: must be a string, got 9. Quote it: "9"',
        `policies.yaml:10:7 warning: spec.containers[2].name: is required: every container needs a name${LENIENT}`,
        `policies.yaml:11:8 warning: spec.containers[3].name: is required: every container needs a name${LENIENT}`,
        `policies.yaml:11:18 warning: spec.containers[3].image: is required: the image the container runs, e.g. "nginx:1.27"${LENIENT}`,
        `policies.yaml:12:8 warning: spec.containers[4].name: "A_b" is not a valid container name (a DNS-1123 label: lower-case letters, digits and '-', at most 63): it contains upper-case letters; it contains "_". Did you mean "a-b"?${LENIENT}`,
        `policies.yaml:14:8 warning: spec.containers[6].name: "c" is the name of another container in this pod: container names must be unique${LENIENT}`,
      ],
    );
  });

  test('a spec absent, not a mapping, without containers; a status not a mapping', () => {
    assert.deepEqual(lines(POD), [
      'policies.yaml:1:1 spec: is required: a pod spec with at least one container',
    ]);
    assert.deepEqual(lines(POD + 'spec: 3\n'), [
      'policies.yaml:5:1 spec: must be a mapping (key: value), got 3',
    ]);
    assert.deepEqual(lines(POD + 'spec:\n  restartPolicy: Never\n  containers: []\n'), [
      'policies.yaml:7:3 spec.containers: is required: a pod needs at least one container',
    ]);
    assert.deepEqual(lines(POD + "spec:\n  containers: 3\n  restartPolicy: ''\nstatus: 4\n"), [
      'policies.yaml:6:3 spec.containers: must be a list, got 3',
      'policies.yaml:8:1 status: must be a mapping (key: value), got 4',
    ]);
  });

  test("a Job's pods need a restart policy of OnFailure or Never", () => {
    const job = (name: string, policy: string): string =>
      `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n${policy}      containers: [{name: c, image: i}]\n`;
    assert.deepEqual(
      lines(
        [
          job('j', ''),
          job('k', '      restartPolicy: Always\n'),
          job('l', '      restartPolicy: never\n'),
          job('m', '      restartPolicy: null\n'),
          job('n', "      restartPolicy: ''\n"),
          job('o', '      restartPolicy: Never\n'),
          job('q', '      restartPolicy: OnFailure\n'),
        ].join('---\n'),
      ),
      [
        'policies.yaml:7:5 spec.template.spec.restartPolicy: is required for a Job: "OnFailure" or "Never" (the default "Always" is not allowed)',
        'policies.yaml:17:7 spec.template.spec.restartPolicy: "Always" is not supported for a Job: use "OnFailure" or "Never"',
        'policies.yaml:27:7 spec.template.spec.restartPolicy: "never" is not supported for a Job: use "OnFailure" or "Never". Did you mean "Never"?',
        'policies.yaml:37:7 spec.template.spec.restartPolicy: is required for a Job: "OnFailure" or "Never" (the default "Always" is not allowed)',
        'policies.yaml:47:7 spec.template.spec.restartPolicy: is required for a Job: "OnFailure" or "Never" (the default "Always" is not allowed)',
      ],
    );
  });
});

describe('pod problems: IPs and codes', () => {
  test('podIPs items that are not mappings, IPs that are not strings or not IPs', () => {
    const spec = 'spec:\n  containers: [{name: c, image: i}]\n';
    assert.deepEqual(lines(POD + spec + 'status:\n  podIPs: [3, {ip: 5}, {ip: bad}]\n'), [
      'policies.yaml:8:12 status.podIPs[0]: must be a mapping (key: value), got 3',
      'policies.yaml:8:16 status.podIPs[1].ip: must be a string, got 5. Quote it: "5"',
      'policies.yaml:8:25 warning: status.podIPs[2].ip: "bad" is not an IP address (it is not an IPv4 or IPv6 address): ignored',
    ]);
    assert.deepEqual(lines(POD + spec + 'status:\n  podIP: bad\n'), [
      'policies.yaml:8:3 warning: status.podIP: "bad" is not an IP address (it is not an IPv4 or IPv6 address): ignored',
    ]);
  });

  test('each problem has its code', () => {
    const codes = (text: string): string[] => {
      const r = load(text);
      return [...r.errors, ...r.warnings].map((p) => `${p.line}:${p.column} ${p.severity} ${p.code}`);
    };
    assert.deepEqual(
      codes(POD + 'spec:\n  containers: [{name: c, image: i}]\nstatus:\n  podIPs: [3, {ip: 5}, {ip: bad}]\n'),
      ['8:12 error wrong-type', '8:16 error wrong-type', '8:25 warning invalid-pod-ip'],
    );
    assert.deepEqual(
      codes(
        POD +
          "spec:\n  restartPolicy: always\n  containers:\n    - null\n    - {image: i}\n    - {name: c, image: ''}\n" +
          '    - {name: c, image: i, ports: [null, {}, {containerPort: 1, name: Web_1}]}\n',
      ),
      [
        '6:3 error invalid-restart-policy',
        '8:7 error missing-field',
        '11:35 error missing-field',
        '11:41 error missing-field',
        '11:64 error invalid-port-name',
        '9:7 warning missing-field',
        '10:17 warning missing-field',
        '11:8 warning duplicate-name',
      ],
    );
    assert.deepEqual(codes(POD + 'spec: null\n'), ['5:1 error missing-field']);
    assert.deepEqual(codes(POD + 'spec:\n  containers: []\n'), ['6:3 error missing-field']);
    assert.deepEqual(
      codes(
        'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: i}]\n',
      ),
      ['7:5 error missing-field'],
    );
  });
});

describe('pod problems: null and wrong-type fields', () => {
  test('null is absent: required fields are reported once, wrong types only as such', () => {
    assert.deepEqual(lines(POD + 'spec:\n  containers: null\n'), [
      'policies.yaml:6:3 spec.containers: is required: a pod needs at least one container',
    ]);
    assert.deepEqual(lines(POD + 'spec:\n  nodeName: n\n'), [
      'policies.yaml:5:1 spec.containers: is required: a pod needs at least one container',
    ]);
    assert.deepEqual(
      lines(
        POD +
          'spec:\n  serviceAccount: 5\n  containers:\n    - {name: null, image: null}\n' +
          '    - {name: 5, image: i, ports: [{containerPort: null}, {containerPort: 1, hostPort: x}]}\n',
      ),
      [
        'policies.yaml:6:3 spec.serviceAccount: must be a string, got 5. Quote it: "5"',
        'policies.yaml:9:8 spec.containers[1].name: must be a string, got 5. Quote it: "5"',
        'policies.yaml:9:36 spec.containers[1].ports[0].containerPort: is required: the port number the container listens on',
        'policies.yaml:9:77 spec.containers[1].ports[1].hostPort: must be an integer, got "x"',
        `policies.yaml:8:8 warning: spec.containers[0].name: is required: every container needs a name${LENIENT}`,
        `policies.yaml:8:20 warning: spec.containers[0].image: is required: the image the container runs, e.g. "nginx:1.27"${LENIENT}`,
      ],
    );
    assert.deepEqual(
      lines(
        'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      restartPolicy: 5\n      containers: [{name: c, image: i}]\n',
      ),
      ['policies.yaml:8:7 spec.template.spec.restartPolicy: must be a string, got 5. Quote it: "5"'],
    );
  });
});
