/**
 * The small checks of src/parse/validate (Nodes, Services, EndpointSlices and Endpoints, ports, protocols, the
 * type checks of check.ts and the reporter), each rule through the public reader (`parseManifestText` and
 * `buildClusterState`, by the `load` helper): the exact problems and the facts kept. Written from the
 * survivors of a Stryker run on those files (issue #20, docs/mutation/parse.md "src/parse validate").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem } from '../../src/model/problem.ts';
import { parseManifestText } from '../../src/parse/index.ts';
import { unknownFieldsOf } from '../../src/parse/build.ts';
import { load, problems } from './helpers.ts';

const NODE = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: n\n';

function lines(text: string): string[] {
  return problems(text);
}

describe('Node', () => {
  test('the IPs of status.addresses, InternalIP and ExternalIP, in order, each once; names left out', () => {
    const r = load(
      NODE +
        'status:\n  addresses:\n' +
        '    - {type: InternalIP, address: 10.0.0.2}\n' +
        '    - {type: ExternalIP, address: 10.0.0.1}\n' +
        '    - {type: InternalIP, address: 10.0.0.2}\n' +
        '    - {type: Hostname, address: node-a}\n' +
        '    - {type: InternalDNS, address: 10.0.0.9}\n' +
        '    - {type: ExternalDNS, address: 10.0.0.8}\n' +
        '    - {type: InternalIP, address: "fd00::1"}\n' +
        '    - null\n' +
        '    - {type: Other, address: 10.0.0.7}\n',
    );
    assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
    assert.deepEqual(
      r.state.nodes.map((n) => n.addresses),
      [['10.0.0.2', '10.0.0.1', 'fd00::1']],
    );
  });

  test('without status, or with status null, a Node has no addresses and no problem', () => {
    for (const text of [NODE, NODE + 'status: null\n', NODE + 'status:\n  addresses: null\n']) {
      const r = load(text);
      assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), [], text);
      assert.deepEqual(
        r.state.nodes.map((n) => n.addresses),
        [[]],
        text,
      );
    }
  });

  test('wrong types, missing fields and unknown fields at every level', () => {
    assert.deepEqual(
      lines(
        NODE +
          'spek: {}\n' +
          'spec: []\n' +
          'status:\n' +
          '  adresses: []\n' +
          '  addresses:\n' +
          '    - {type: InternalIP, address: 10.0.0.2, extra: 1}\n' +
          '    - text\n' +
          '    - {address: 10.0.0.3}\n' +
          '    - {type: null, address: null}\n' +
          '    - {type: 5, address: 10.0.0.4}\n' +
          '    - {type: InternalIP, address: [1]}\n' +
          '    - {type: InternalIP}\n',
      ),
      [
        'policies.yaml:6:1 spec: must be a mapping (key: value), got an empty list []',
        'policies.yaml:11:7 status.addresses[1]: must be a mapping (key: value), got "text"',
        'policies.yaml:12:7 status.addresses[2].type: is required: one of InternalIP, ExternalIP, Hostname, InternalDNS, ExternalDNS',
        'policies.yaml:13:8 status.addresses[3].type: is required: one of InternalIP, ExternalIP, Hostname, InternalDNS, ExternalDNS',
        'policies.yaml:13:20 status.addresses[3].address: is required',
        'policies.yaml:14:8 status.addresses[4].type: must be a string, got 5. Quote it: "5"',
        'policies.yaml:15:26 status.addresses[5].address: must be a string, got a list',
        'policies.yaml:16:7 status.addresses[6].address: is required',
        `policies.yaml:5:1 warning: spek: unknown field "spek": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Did you mean "spec"?`,
        `policies.yaml:8:3 warning: status.adresses: unknown field "adresses": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Did you mean "addresses"?`,
        `policies.yaml:10:45 warning: status.addresses[0].extra: unknown field "extra": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Known fields: type, address`,
      ],
    );
  });

  test('a status or an address list of the wrong type', () => {
    assert.deepEqual(lines(NODE + 'status: 3\n'), [
      'policies.yaml:5:1 status: must be a mapping (key: value), got 3',
    ]);
    assert.deepEqual(lines(NODE + 'status:\n  addresses: {a: 1}\n'), [
      'policies.yaml:6:3 status.addresses: must be a list, got a mapping',
    ]);
  });

  test('every field of a Node status the API knows is known', () => {
    const fields = [
      'capacity',
      'allocatable',
      'phase',
      'conditions',
      'addresses',
      'daemonEndpoints',
      'nodeInfo',
      'images',
      'volumesInUse',
      'volumesAttached',
      'config',
      'runtimeHandlers',
      'features',
    ];
    assert.deepEqual(lines(NODE + 'status:\n' + fields.map((f) => `  ${f}: null\n`).join('')), []);
  });
});

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n';
const LENIENT =
  ' (the API server rejects it; netfence reads on, as it does not change connectivity: --strict makes it an error)';

describe('Service', () => {
  test('a spec absent, null or not a mapping', () => {
    const required = 'spec: is required: a Service needs ports (or clusterIP: None, or type: ExternalName)';
    assert.deepEqual(lines(SERVICE), [`policies.yaml:1:1 ${required}`]);
    assert.deepEqual(lines(SERVICE + 'spec: null\n'), [`policies.yaml:5:1 ${required}`]);
    assert.deepEqual(lines(SERVICE + 'spec: 3\n'), [
      'policies.yaml:5:1 spec: must be a mapping (key: value), got 3',
    ]);
  });

  test('the type: one of four, with the closest as a suggestion', () => {
    for (const type of ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'])
      assert.deepEqual(lines(SERVICE + `spec:\n  type: ${type}\n  ports: [{port: 80}]\n`), [], type);
    assert.deepEqual(lines(SERVICE + 'spec:\n  type: Nodeport\n  ports: [{port: 80}]\n'), [
      'policies.yaml:6:3 spec.type: "Nodeport" is not a Service type: use ClusterIP, NodePort, LoadBalancer, ExternalName. Did you mean "NodePort"?',
    ]);
    assert.deepEqual(lines(SERVICE + 'spec:\n  type: Weird\n  ports: [{port: 80}]\n'), [
      'policies.yaml:6:3 spec.type: "Weird" is not a Service type: use ClusterIP, NodePort, LoadBalancer, ExternalName',
    ]);
    assert.deepEqual(lines(SERVICE + 'spec:\n  type: 5\n  ports: [{port: 80}]\n'), [
      'policies.yaml:6:3 spec.type: must be a string, got 5. Quote it: "5"',
    ]);
  });

  test('ports are required but for headless Services (clusterIP: None) and ExternalName', () => {
    const required =
      'spec.ports: is required: at least one port, unless clusterIP is None (headless) or type is ExternalName';
    assert.deepEqual(lines(SERVICE + 'spec:\n  selector: {app: web}\n'), [`policies.yaml:5:1 ${required}`]);
    assert.deepEqual(lines(SERVICE + 'spec:\n  ports: []\n'), [`policies.yaml:6:3 ${required}`]);
    assert.deepEqual(lines(SERVICE + 'spec:\n  clusterIP: none\n'), [`policies.yaml:5:1 ${required}`]);
    assert.deepEqual(lines(SERVICE + 'spec:\n  type: ExternalName\n'), []);
    assert.deepEqual(lines(SERVICE + 'spec:\n  clusterIP: None\n'), []);
  });

  test('port names: required when there are two ports or more, valid, unique; lenient', () => {
    assert.deepEqual(lines(SERVICE + 'spec:\n  ports:\n    - {port: 80}\n'), []);
    assert.deepEqual(lines(SERVICE + "spec:\n  ports:\n    - {port: 80, name: ''}\n"), []);
    const text =
      SERVICE +
      'spec:\n  ports:\n' +
      '    - null\n' +
      '    - 3\n' +
      '    - {port: 80, name: a}\n' +
      '    - {port: 81}\n' +
      "    - {port: 82, name: ''}\n" +
      '    - {port: 83, name: null}\n' +
      '    - {port: 84, name: 7}\n' +
      '    - {port: 85, name: a}\n' +
      '    - {port: 86, name: B_b}\n' +
      '    - {port: 87, name: B_b}\n';
    const required = 'is required when a Service has more than one port';
    const invalid = `"B_b" is not a valid Service port name (a DNS-1123 label: lower-case letters, digits and '-', at most 63): it contains upper-case letters; it contains "_". Did you mean "b-b"?`;
    const duplicate = 'names another port of this Service: port names must be unique';
    assert.deepEqual(lines(text), [
      'policies.yaml:7:7 spec.ports[0]: must be a Service port, got an empty item',
      'policies.yaml:8:7 spec.ports[1]: must be a mapping (key: value), got 3',
      'policies.yaml:13:18 spec.ports[6].name: must be a string, got 7. Quote it: "7"',
      `policies.yaml:10:7 warning: spec.ports[3].name: ${required}${LENIENT}`,
      `policies.yaml:11:18 warning: spec.ports[4].name: ${required}${LENIENT}`,
      `policies.yaml:12:18 warning: spec.ports[5].name: ${required}${LENIENT}`,
      `policies.yaml:14:18 warning: spec.ports[7].name: "a" ${duplicate}${LENIENT}`,
      `policies.yaml:15:18 warning: spec.ports[8].name: ${invalid}${LENIENT}`,
      `policies.yaml:16:18 warning: spec.ports[9].name: ${invalid}${LENIENT}`,
      `policies.yaml:16:18 warning: spec.ports[9].name: "B_b" ${duplicate}${LENIENT}`,
    ]);
    // With --strict an invalid name is an error, and not counted again as a duplicate.
    const strict = load(text, 'policies.yaml', 'default', true);
    assert.deepEqual(
      strict.errors.map((p) => `${p.line}:${p.column} ${p.code}`),
      [
        '7:7 missing-field',
        '8:7 wrong-type',
        '10:7 missing-field',
        '11:18 missing-field',
        '12:18 missing-field',
        '13:18 wrong-type',
        '14:18 duplicate-port-name',
        '15:18 invalid-name',
        '16:18 invalid-name',
      ],
    );
    assert.deepEqual(strict.warnings, []);
  });

  test('port numbers, target ports and protocols', () => {
    const text =
      SERVICE +
      'spec:\n  ports:\n' +
      '    - {name: a}\n' +
      '    - {port: null, name: b}\n' +
      "    - {port: '80', name: c}\n" +
      '    - {port: 0, name: d}\n' +
      '    - {port: 65536, name: e}\n' +
      '    - {port: 65535, name: f, targetPort: 0}\n' +
      '    - {port: 1, name: g, targetPort: 1.5}\n' +
      '    - {port: 2, name: h, targetPort: 70000}\n' +
      "    - {port: 3, name: i, targetPort: '8080'}\n" +
      '    - {port: 4, name: j, targetPort: http}\n' +
      '    - {port: 5, name: k, targetPort: [1]}\n' +
      '    - {port: 6, name: l, targetPort: null, protocol: tcp}\n' +
      '    - {port: 7, name: m, targetPort: -1, protocol: icmp}\n' +
      '    - {port: 8, name: n, targetPort: 65535, protocol: Foo}\n' +
      '    - {port: 9, name: o, targetPort: 1, protocol: SCTP}\n' +
      '    - {port: 10, name: p, targetPort: Web_1, protocol: UDP}\n';
    assert.deepEqual(lines(text), [
      'policies.yaml:7:7 spec.ports[0].port: is required: the port the Service listens on',
      'policies.yaml:8:8 spec.ports[1].port: is required: the port the Service listens on',
      'policies.yaml:9:8 spec.ports[2].port: must be an integer, got "80". Remove the quotes: 80',
      'policies.yaml:10:8 spec.ports[3].port: must be between 1 and 65535, got 0',
      'policies.yaml:11:8 spec.ports[4].port: must be between 1 and 65535, got 65536',
      'policies.yaml:13:26 spec.ports[6].targetPort: must be an integer or a port name, got 1.5',
      'policies.yaml:14:26 spec.ports[7].targetPort: must be between 1 and 65535, got 70000',
      'policies.yaml:15:26 spec.ports[8].targetPort: "8080" is a string, so it is read as a port name, and a port name must contain a letter. Write the number without quotes: 8080',
      'policies.yaml:17:26 spec.ports[10].targetPort: must be an integer or a port name',
      'policies.yaml:18:44 spec.ports[11].protocol: "tcp" is not supported: protocols are case-sensitive. Did you mean "TCP"?',
      'policies.yaml:19:26 spec.ports[12].targetPort: must be between 1 and 65535, got -1',
      'policies.yaml:19:42 spec.ports[12].protocol: "icmp" is not supported (NetworkPolicy cannot filter ICMP): use "TCP", "UDP" or "SCTP"',
      'policies.yaml:20:45 spec.ports[13].protocol: "Foo" is not supported: use "TCP", "UDP" or "SCTP"',
      `policies.yaml:22:27 spec.ports[15].targetPort: "Web_1" is not a valid port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with a letter): it contains upper-case letters; it contains "_". Did you mean "web-1"?`,
    ]);
  });

  test('the spec kept has no null values, at any depth', () => {
    const r = load(
      SERVICE +
        'spec:\n  clusterIP: null\n  selector: {app: web, tier: null}\n  ports:\n    - {port: 80, targetPort: null, name: null}\n',
    );
    assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), []);
    assert.deepEqual(r.state.services[0]?.spec, { selector: { app: 'web' }, ports: [{ port: 80 }] });
  });
});

const SLICE = 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: e\n';
const ENDPOINTS = 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: p\n';
const UNKNOWN = `unknown field`;

/** The backend addresses kept of the one EndpointSlice or Endpoints object of a text, which has no problem. */
function backends(text: string): readonly string[] | undefined {
  const r = load(text);
  assert.deepEqual([...r.errors, ...r.warnings].map(formatProblem), [], text);
  assert.equal(r.state.serviceEndpoints?.length, 1, text);
  return r.state.serviceEndpoints?.[0]?.addresses;
}

describe('EndpointSlice', () => {
  test('every address of every endpoint, each once, in order, when a port makes backends', () => {
    assert.deepEqual(
      backends(
        SLICE +
          'addressType: IPv4\nports: [{port: 80, protocol: null, name: null}, {port: null}]\n' +
          'endpoints:\n  - addresses: [10.0.0.2, 10.0.0.1, 10.0.0.2]\n  - addresses: [10.0.0.1, 10.0.0.3]\n  - null\n',
      ),
      ['10.0.0.2', '10.0.0.1', '10.0.0.3'],
    );
    assert.deepEqual(
      backends(
        SLICE +
          "addressType: IPv6\nports: [{port: 0, protocol: SCTP}]\nendpoints:\n  - addresses: ['fd00::2', 'fd00::1']\n",
      ),
      ['fd00::2', 'fd00::1'],
    );
    assert.deepEqual(
      backends(
        SLICE + 'addressType: IPv4\nports:\n  - {protocol: UDP}\nendpoints:\n  - addresses: [10.0.0.1]\n',
      ),
      ['10.0.0.1'],
    );
  });

  test('no backend without a port, with only empty port items, or for FQDN slices', () => {
    assert.deepEqual(backends(SLICE + 'addressType: IPv4\nendpoints:\n  - addresses: [10.0.0.1]\n'), []);
    assert.deepEqual(
      backends(SLICE + 'addressType: IPv4\nports: [null]\nendpoints:\n  - addresses: [10.0.0.1]\n'),
      [],
    );
    assert.deepEqual(
      backends(SLICE + 'addressType: FQDN\nports: [{port: 80}]\nendpoints:\n  - addresses: [a.example]\n'),
      [],
    );
  });

  test('addressType: required, one of three, a string', () => {
    const required = 'addressType: is required: one of IPv4, IPv6, FQDN';
    assert.deepEqual(lines(SLICE), [`policies.yaml:1:1 ${required}`]);
    assert.deepEqual(lines(SLICE + 'addressType: null\n'), [`policies.yaml:5:1 ${required}`]);
    assert.deepEqual(lines(SLICE + 'addressType: IPv5\n'), [
      'policies.yaml:5:1 addressType: "IPv5" is not an address type: use IPv4, IPv6, FQDN',
    ]);
    assert.deepEqual(lines(SLICE + 'addressType: 4\n'), [
      'policies.yaml:5:1 addressType: must be a string, got 4. Quote it: "4"',
    ]);
  });

  test('addresses: IPs of the slice family; endpoints with addresses; unknown fields', () => {
    assert.deepEqual(
      lines(
        SLICE +
          "addressType: IPv4\nports: [{port: 80}]\nendpoints:\n  - addresses: [10.0.0.1, 10.0.0.2, 10.0.0.1, 'fd00::1', x]\n" +
          '  - addresses: [10.0.0.3]\n  - addresses: []\n  - {}\n  - 3\n  - null\n' +
          '  - {addresses: [10.0.0.4], zone: a, hints: {}, nodeName: n, hostname: h, targetRef: {}, conditions: {}, deprecatedTopology: {}, foo: 1}\n',
      ),
      [
        `policies.yaml:8:47 endpoints[0].addresses[3]: "fd00::1" is not an IPv4 address, as the slice's addressType says: use a slice of addressType IPv6`,
        'policies.yaml:8:58 endpoints[0].addresses[4]: "x" is not an IP address (it is not an IPv4 or IPv6 address)',
        'policies.yaml:10:5 endpoints[2].addresses: is required: at least one address',
        'policies.yaml:11:5 endpoints[3].addresses: is required: at least one address',
        'policies.yaml:12:5 endpoints[4]: must be a mapping (key: value), got 3',
        `policies.yaml:14:130 warning: endpoints[6].foo: ${UNKNOWN} "foo": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Known fields: addresses, conditions, hostname, targetRef, deprecatedTopology, nodeName, zone, hints`,
      ],
    );
    assert.deepEqual(
      lines(
        SLICE +
          "addressType: IPv6\nports: [{port: 80}]\nendpoints:\n  - addresses: ['fd00::1', 10.0.0.1, 5]\n",
      ),
      [
        `policies.yaml:8:28 endpoints[0].addresses[1]: "10.0.0.1" is not an IPv6 address, as the slice's addressType says: use a slice of addressType IPv4`,
        'policies.yaml:8:38 endpoints[0].addresses[2]: must be a string, got 5. Quote it: "5"',
      ],
    );
    assert.deepEqual(lines(SLICE + 'addressType: IPv4\nports: 3\nendpoints: 4\nextra: 1\n'), [
      'policies.yaml:6:1 ports: must be a list, got 3',
      'policies.yaml:7:1 endpoints: must be a list, got 4',
      `policies.yaml:8:1 warning: extra: ${UNKNOWN} "extra": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Known fields: apiVersion, kind, metadata, addressType, endpoints, ports`,
    ]);
  });

  test('ports: 0 to 65535, protocols, names and appProtocols strings, unknown fields', () => {
    assert.deepEqual(
      lines(
        SLICE +
          'addressType: IPv4\nports:\n  - {port: -1}\n  - {port: 65536}\n  - {port: 0, protocol: icmp}\n' +
          '  - {port: 65535, name: 3, appProtocol: 4, bar: 1}\n  - null\n  - 3\nendpoints:\n  - addresses: [10.0.0.1]\n',
      ),
      [
        'policies.yaml:7:6 ports[0].port: must be between 0 and 65535, got -1',
        'policies.yaml:8:6 ports[1].port: must be between 0 and 65535, got 65536',
        'policies.yaml:9:15 ports[2].protocol: "icmp" is not supported (NetworkPolicy cannot filter ICMP): use "TCP", "UDP" or "SCTP"',
        'policies.yaml:10:19 ports[3].name: must be a string, got 3. Quote it: "3"',
        'policies.yaml:10:28 ports[3].appProtocol: must be a string, got 4. Quote it: "4"',
        'policies.yaml:12:5 ports[5]: must be a mapping (key: value), got 3',
        `policies.yaml:10:44 warning: ports[3].bar: ${UNKNOWN} "bar": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Known fields: name, port, protocol, appProtocol`,
      ],
    );
  });
});

describe('Endpoints', () => {
  test('addresses and notReadyAddresses of the subsets with a port, each once, in order', () => {
    assert.deepEqual(
      backends(
        ENDPOINTS +
          'subsets:\n  - addresses: [{ip: 10.0.0.2}, {ip: 10.0.0.1}]\n    notReadyAddresses: [{ip: 10.0.0.3}, {ip: 10.0.0.2}]\n    ports: [{port: 80}]\n' +
          '  - addresses: [{ip: 10.0.0.9}]\n' +
          '  - addresses: [{ip: 10.0.0.1}, {ip: 10.0.0.4, hostname: h, nodeName: n, targetRef: {}}]\n    ports: [{port: 53, protocol: UDP}]\n' +
          '  - null\n',
      ),
      ['10.0.0.2', '10.0.0.1', '10.0.0.3', '10.0.0.4'],
    );
    assert.deepEqual(
      backends(ENDPOINTS + "subsets:\n  - addresses: [{ip: 'fd00::1'}]\n    ports: [{port: 1}]\n"),
      ['fd00::1'],
    );
  });

  test('every problem of the subsets', () => {
    assert.deepEqual(
      lines(
        ENDPOINTS +
          'subsets:\n  - addresses: [{ip: null}, {hostname: h}, 3, null, {ip: x}, {ip: 10.0.0.1, foo: 1}]\n' +
          '    notReadyAddresses: 5\n    ports: [{port: 80}]\n    bar: 1\n  - 4\nbaz: 1\n',
      ),
      [
        'policies.yaml:6:18 subsets[0].addresses[0].ip: is required',
        'policies.yaml:6:29 subsets[0].addresses[1].ip: is required',
        'policies.yaml:6:44 subsets[0].addresses[2]: must be a mapping (key: value), got 3',
        'policies.yaml:6:54 subsets[0].addresses[4].ip: "x" is not an IP address (it is not an IPv4 or IPv6 address)',
        'policies.yaml:7:5 subsets[0].notReadyAddresses: must be a list, got 5',
        'policies.yaml:10:5 subsets[1]: must be a mapping (key: value), got 4',
        `policies.yaml:6:77 warning: subsets[0].addresses[5].foo: ${UNKNOWN} "foo": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Known fields: ip, hostname, nodeName, targetRef`,
        `policies.yaml:9:5 warning: subsets[0].bar: ${UNKNOWN} "bar": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Known fields: addresses, notReadyAddresses, ports`,
        `policies.yaml:11:1 warning: baz: ${UNKNOWN} "baz": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Known fields: apiVersion, kind, metadata, subsets`,
      ],
    );
    assert.deepEqual(lines(ENDPOINTS + 'subsets: 3\n'), ['policies.yaml:5:1 subsets: must be a list, got 3']);
  });
});

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n';

describe('type checks and the reporter', () => {
  test('booleans: a quoted true or false is told to lose its quotes, other values not', () => {
    const containers = '  containers: [{name: c, image: i}]\n';
    assert.deepEqual(lines(POD + `spec:\n  hostNetwork: 'true'\n${containers}`), [
      'policies.yaml:6:3 spec.hostNetwork: must be true or false, got "true". Remove the quotes: true',
    ]);
    assert.deepEqual(lines(POD + `spec:\n  hostNetwork: 'false'\n${containers}`), [
      'policies.yaml:6:3 spec.hostNetwork: must be true or false, got "false". Remove the quotes: false',
    ]);
    assert.deepEqual(lines(POD + `spec:\n  hostNetwork: 'yes'\n${containers}`), [
      'policies.yaml:6:3 spec.hostNetwork: must be true or false, got "yes"',
    ]);
    assert.deepEqual(lines(POD + `spec:\n  hostNetwork: 1\n${containers}`), [
      'policies.yaml:6:3 spec.hostNetwork: must be true or false, got 1',
    ]);
    assert.deepEqual(lines(POD + `spec:\n  hostNetwork: null\n${containers}`), []);
  });

  test('integers: a quoted integer (signed, with spaces) is told to lose its quotes, other values not', () => {
    assert.deepEqual(
      lines(
        POD +
          "spec:\n  containers: [{name: c, image: i, ports: [{containerPort: ' 80 '}, {containerPort: '-5'}, {containerPort: 1.5}, {containerPort: '8a'}, {containerPort: true}]}]\n",
      ),
      [
        'policies.yaml:6:45 spec.containers[0].ports[0].containerPort: must be an integer, got " 80 ". Remove the quotes: 80',
        'policies.yaml:6:70 spec.containers[0].ports[1].containerPort: must be an integer, got "-5". Remove the quotes: -5',
        'policies.yaml:6:93 spec.containers[0].ports[2].containerPort: must be an integer, got 1.5',
        'policies.yaml:6:115 spec.containers[0].ports[3].containerPort: must be an integer, got "8a"',
        'policies.yaml:6:138 spec.containers[0].ports[4].containerPort: must be an integer, got true',
      ],
    );
  });

  test('strings: a number or boolean is quoted as written in the source', () => {
    assert.deepEqual(
      lines(
        POD +
          'spec:\n  containers: [{name: c, image: i, ports: [{containerPort: 79, name: 1.10}, {containerPort: 81, name: 0x1F}, {containerPort: 82, name: [a]}, {containerPort: 83, name: true}, {containerPort: 84, name: {a: 1}}]}]\n',
      ),
      [
        'policies.yaml:6:64 spec.containers[0].ports[0].name: must be a string, got 1.10. Quote it: "1.10"',
        'policies.yaml:6:97 spec.containers[0].ports[1].name: must be a string, got 0x1F. Quote it: "0x1F"',
        'policies.yaml:6:130 spec.containers[0].ports[2].name: must be a string, got a list',
        'policies.yaml:6:162 spec.containers[0].ports[3].name: must be a string, got true. Quote it: "true"',
        'policies.yaml:6:195 spec.containers[0].ports[4].name: must be a string, got a mapping',
      ],
    );
  });

  test('strings: a tagged number or boolean is quoted without its own quotes; JSON numbers as written', () => {
    assert.deepEqual(
      lines(
        POD +
          'spec:\n  containers: [{name: c, image: i, ports: [{containerPort: 80, name: !!int "5"}, {containerPort: 81, name: !!bool \'true\'}, {containerPort: 82, name: !!int 07}]}]\n',
      ),
      [
        'policies.yaml:6:64 spec.containers[0].ports[0].name: must be a string, got "5". Quote it: "5"',
        `policies.yaml:6:102 spec.containers[0].ports[1].name: must be a string, got 'true'. Quote it: "true"`,
        'policies.yaml:6:144 spec.containers[0].ports[2].name: must be a string, got 07. Quote it: "07"',
      ],
    );
    assert.deepEqual(
      lines(
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80, "name": 1.50}]}]}}',
      ),
      ['policies.yaml:1:148 spec.containers[0].ports[0].name: must be a string, got 1.50. Quote it: "1.50"'],
    );
  });

  test('YAML 1.1 booleans: unquoted values are errors, unquoted keys warnings, quoted ones neither', () => {
    assert.deepEqual(
      lines(
        POD +
          "  labels:\n    app: yes\n    b: 'yes'\n    c: On\n    d: n\n    e: NO\n    f: yesno\n    yes: x\n    'on': y\n    No: z\n    g: Y\n    h: off\n" +
          'spec:\n  containers: [{name: c, image: i}]\n',
      ),
      [
        'policies.yaml:6:5 metadata.labels.app: unquoted yes is the boolean true for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "yes"',
        'policies.yaml:8:5 metadata.labels.c: unquoted On is the boolean true for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "On"',
        'policies.yaml:9:5 metadata.labels.d: unquoted n is the boolean false for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "n"',
        'policies.yaml:10:5 metadata.labels.e: unquoted NO is the boolean false for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "NO"',
        'policies.yaml:13:5 metadata.labels.on: unquoted y is the boolean true for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "y"',
        'policies.yaml:15:5 metadata.labels.g: unquoted Y is the boolean true for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "Y"',
        'policies.yaml:16:5 metadata.labels.h: unquoted off is the boolean false for kubectl and Helm (YAML 1.1), and the API server rejects a boolean here: quote it: "off"',
        'policies.yaml:12:5 warning: metadata.labels.yes: unquoted key yes is the boolean true for kubectl and Helm (YAML 1.1), which send the key "true": quote it: "yes"',
        'policies.yaml:14:5 warning: metadata.labels.No: unquoted key No is the boolean false for kubectl and Helm (YAML 1.1), which send the key "false": quote it: "No"',
      ],
    );
  });

  test('problems carry their code, severity, path and object; unknown fields are errors with --strict', () => {
    const text = NODE + 'foo: 1\nstatus: 2\n';
    assert.deepEqual(load(text, 'policies.yaml', 'default', true).errors, [
      {
        code: 'unknown-field',
        severity: 'error',
        message: `unknown field "foo": with strict field validation (kubectl's default) the API server rejects the object; without, it drops the field. Known fields: apiVersion, kind, metadata, spec, status`,
        file: 'policies.yaml',
        line: 5,
        column: 1,
        path: ['foo'],
        object: 'Node/n',
      },
      {
        code: 'wrong-type',
        severity: 'error',
        message: 'must be a mapping (key: value), got 2',
        file: 'policies.yaml',
        line: 6,
        column: 1,
        path: ['status'],
        object: 'Node/n',
      },
    ]);
    const lenient = load(text);
    assert.deepEqual(
      lenient.warnings.map((p) => [p.code, p.severity, p.object]),
      [['unknown-field', 'warning', 'Node/n']],
    );
    assert.deepEqual(
      lenient.errors.map((p) => [p.code, p.severity]),
      [['wrong-type', 'error']],
    );
    const strictLenient = load(
      SERVICE + 'spec:\n  ports: [{port: 1}, {port: 2}]\n',
      'x.yaml',
      'default',
      true,
    );
    assert.deepEqual(
      strictLenient.errors.map((p) => [p.code, p.severity, p.message, p.object]),
      [0, 1].map(() => [
        'missing-field',
        'error',
        'is required when a Service has more than one port',
        'default/Service/s',
      ]),
    );
    assert.deepEqual(strictLenient.warnings, []);
  });

  test('unknownFieldsOf: each unknown field with the closest known one, of the kinds netfence reads only', () => {
    const objects = parseManifestText(
      NODE +
        'statuss: {}\nzzzzzzzz: 1\nstatus:\n  addresses: [{type: InternalIP, adress: x}]\n' +
        '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nfoo: 1\n',
      'x.yaml',
    ).objects;
    assert.deepEqual(
      objects.map((o) => unknownFieldsOf(o, 'default')),
      [
        [
          { path: ['statuss'], suggestion: 'status' },
          { path: ['zzzzzzzz'], suggestion: undefined },
          { path: ['status', 'addresses', 0, 'adress'], suggestion: 'address' },
        ],
        [],
      ],
    );
  });
});

describe('problem codes', () => {
  /** `line:column severity code` of every problem of a text, errors first. */
  function codes(text: string): string[] {
    const r = load(text);
    return [...r.errors, ...r.warnings].map((p) => `${p.line}:${p.column} ${p.severity} ${p.code}`);
  }

  test('each check reports its own code', () => {
    assert.deepEqual(
      codes(
        NODE +
          'spek: {}\nspec: []\nstatus:\n  adresses: []\n  addresses:\n    - {type: InternalIP, address: 10.0.0.2, extra: 1}\n' +
          '    - text\n    - {address: 10.0.0.3}\n    - {type: 5, address: [1]}\n    - {type: InternalIP, address: x}\n    - {type: InternalIP}\n',
      ),
      [
        '6:1 error wrong-type',
        '11:7 error wrong-type',
        '12:7 error missing-field',
        '13:8 error wrong-type',
        '13:17 error wrong-type',
        '15:7 error missing-field',
        '5:1 warning unknown-field',
        '8:3 warning unknown-field',
        '10:45 warning unknown-field',
        '14:26 warning invalid-node-address',
      ],
    );
    assert.deepEqual(
      codes(
        SERVICE +
          'spec:\n  type: Weird\n  ports:\n    - null\n    - {port: 81}\n    - {port: 85, name: a}\n    - {port: 86, name: a}\n' +
          "    - {port: 87, name: B_b}\n    - {name: c, port: 0, targetPort: 1.5, protocol: tcp}\n    - {name: d, targetPort: '80'}\n" +
          "    - {name: e, port: '1', targetPort: [1]}\n    - {name: f, port: x, targetPort: 0, protocol: 3}\n",
      ),
      [
        '6:3 error invalid-service-type',
        '8:7 error missing-field',
        '13:17 error invalid-port',
        '13:26 error wrong-type',
        '13:43 error invalid-protocol',
        '14:7 error missing-field',
        '14:17 error invalid-port-name',
        '15:17 error wrong-type',
        '15:28 error wrong-type',
        '16:17 error wrong-type',
        '16:41 error wrong-type',
        '9:7 warning missing-field',
        '11:18 warning duplicate-port-name',
        '12:18 warning invalid-name',
      ],
    );
    assert.deepEqual(
      codes(
        SLICE +
          'addressType: IPv5\nports:\n  - {port: -1, name: 3, protocol: x, foo: 1}\nendpoints:\n  - addresses: []\n  - addresses: [x]\n',
      ),
      [
        '5:1 error invalid-address-type',
        '7:6 error invalid-port',
        '7:16 error wrong-type',
        '7:25 error invalid-protocol',
        '9:5 error missing-field',
        '7:38 warning unknown-field',
      ],
    );
    assert.deepEqual(codes(SLICE + 'ports: [{port: 1}]\n'), ['1:1 error missing-field']);
    assert.deepEqual(
      codes(SLICE + "addressType: IPv4\nports: [{port: 1}]\nendpoints:\n  - addresses: ['fd00::1']\n"),
      ['8:17 error invalid-address'],
    );
    assert.deepEqual(codes(ENDPOINTS + 'subsets:\n  - addresses: [{ip: null}, 3, {ip: x, foo: 1}]\n'), [
      '6:18 error missing-field',
      '6:29 error wrong-type',
      '6:33 error invalid-address',
      '6:40 warning unknown-field',
    ]);
    assert.deepEqual(
      codes(
        POD +
          "  labels:\n    a: yes\n    yes: b\nspec:\n  hostNetwork: 'true'\n" +
          "  containers: [{name: c, image: i, ports: [{containerPort: ' 80 ', name: 1}, {containerPort: 1.5, name: [a]}]}]\n",
      ),
      [
        '6:5 error yaml11-boolean',
        '9:3 error wrong-type',
        '10:45 error wrong-type',
        '10:68 error wrong-type',
        '10:79 error wrong-type',
        '10:99 error wrong-type',
        '7:5 warning yaml11-boolean-key',
      ],
    );
  });
});

describe('what follows a check', () => {
  test('an endPort out of range is not compared with the port', () => {
    assert.deepEqual(
      lines(
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - {port: 80, endPort: 0}\n',
      ),
      ['policies.yaml:9:22 spec.ingress[0].ports[0].endPort: must be between 1 and 65535, got 0'],
    );
  });

  test('container port names: only valid ones are counted as duplicates; ICMPv6 is told ICMP', () => {
    const text =
      POD +
      'spec:\n  containers:\n    - name: c\n      image: i\n      ports:\n' +
      "        - {containerPort: 1, name: '8080'}\n        - {containerPort: 2, name: '8080'}\n" +
      '        - {containerPort: 3, name: Web_1}\n        - {containerPort: 4, name: Web_1}\n' +
      '        - {containerPort: 5, name: http}\n        - {containerPort: 6, name: http}\n' +
      "        - {containerPort: 'a80', protocol: ICMPv6}\n";
    const invalid = `is not a valid port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with a letter): it contains upper-case letters; it contains "_". Did you mean "web-1"?`;
    const numeric =
      '"8080" is a string, so it is read as a port name, and a port name must contain a letter. Write the number without quotes: 8080';
    assert.deepEqual(lines(text), [
      `policies.yaml:10:30 spec.containers[0].ports[0].name: ${numeric}`,
      `policies.yaml:11:30 spec.containers[0].ports[1].name: ${numeric}`,
      `policies.yaml:12:30 spec.containers[0].ports[2].name: "Web_1" ${invalid}`,
      `policies.yaml:13:30 spec.containers[0].ports[3].name: "Web_1" ${invalid}`,
      'policies.yaml:15:30 spec.containers[0].ports[5].name: "http" names another port of this container: port names must be unique per container',
      'policies.yaml:16:12 spec.containers[0].ports[6].containerPort: must be an integer, got "a80"',
      'policies.yaml:16:34 spec.containers[0].ports[6].protocol: "ICMPv6" is not supported (NetworkPolicy cannot filter ICMP): use "TCP", "UDP" or "SCTP"',
    ]);
    assert.deepEqual(
      load(text).errors.map((p) => p.code),
      [
        'invalid-port-name',
        'invalid-port-name',
        'invalid-port-name',
        'invalid-port-name',
        'duplicate-port-name',
        'wrong-type',
        'invalid-protocol',
      ],
    );
  });

  test('null booleans of an owner reference are absent; y and on keys are told true', () => {
    assert.deepEqual(
      lines(
        POD +
          '  ownerReferences:\n    - {apiVersion: apps/v1, kind: ReplicaSet, name: r, uid: u, controller: null, blockOwnerDeletion: null}\n' +
          "  labels:\n    y: a\n    on: b\n    x: '1'\n" +
          'spec:\n  containers: [{name: c, image: i, ports: [{containerPort: 80, name: http}]}]\n',
      ),
      [
        'policies.yaml:8:5 warning: metadata.labels.y: unquoted key y is the boolean true for kubectl and Helm (YAML 1.1), which send the key "true": quote it: "y"',
        'policies.yaml:9:5 warning: metadata.labels.on: unquoted key on is the boolean true for kubectl and Helm (YAML 1.1), which send the key "true": quote it: "on"',
      ],
    );
  });

  test('a JSON key "yes" is quoted: no warning', () => {
    assert.deepEqual(
      lines('{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "labels": {"yes": "a"}}}\n'),
      [],
    );
  });

  test('an EndpointSlice port with protocol null is TCP and makes backends', () => {
    assert.deepEqual(
      backends(
        SLICE +
          'addressType: IPv4\nports: [{port: 80, protocol: null}]\nendpoints:\n  - addresses: [10.0.0.1]\n',
      ),
      ['10.0.0.1'],
    );
  });

  test('the paths of the wrong-type problems of EndpointSlices, Endpoints and Services', () => {
    const text =
      SLICE +
      "addressType: IPv4\nports: [{port: '80'}]\nendpoints:\n  - addresses: 3\n---\n" +
      ENDPOINTS +
      'subsets:\n  - ports: 3\n---\n' +
      SERVICE +
      'spec:\n  selector: {app: Web_!}\n  clusterIP: 5\n  ports: 3\n---\n' +
      SERVICE.replace('name: s', 'name: t') +
      'spec:\n  ports: [{port: 1, targetPort: 80abc}]\n';
    assert.deepEqual(lines(text), [
      'policies.yaml:6:10 ports[0].port: must be an integer, got "80". Remove the quotes: 80',
      'policies.yaml:8:5 endpoints[0].addresses: must be a list, got 3',
      'policies.yaml:8:5 endpoints[0].addresses: is required: at least one address',
      'policies.yaml:15:5 subsets[0].ports: must be a list, got 3',
      `policies.yaml:22:14 spec.selector.app: label value "Web_!" is not valid (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit): it contains "!"; it must start and end with a letter or digit. Did you mean "Web"?`,
      'policies.yaml:23:3 spec.clusterIP: must be a string, got 5. Quote it: "5"',
      'policies.yaml:24:3 spec.ports: must be a list, got 3',
      'policies.yaml:24:3 spec.ports: is required: at least one port, unless clusterIP is None (headless) or type is ExternalName',
    ]);
    assert.deepEqual(
      load(text).errors.map((p) => p.code),
      [
        'wrong-type',
        'wrong-type',
        'missing-field',
        'wrong-type',
        'invalid-label-value',
        'wrong-type',
        'wrong-type',
        'missing-field',
      ],
    );
    assert.deepEqual(
      load(SERVICE).errors.map((p) => p.code),
      ['missing-field'],
    );
  });

  test('a Node address not an IP: the warning in words', () => {
    assert.deepEqual(lines(NODE + 'status:\n  addresses:\n    - {type: ExternalIP, address: node-a}\n'), [
      'policies.yaml:7:26 warning: status.addresses[0].address: "node-a" is of type ExternalIP but not an IP address (it is not an IPv4 or IPv6 address): left out, so "nodes" peers do not match it',
    ]);
  });
});
