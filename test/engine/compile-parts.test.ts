/**
 * The small exported parts of the policy compiler (src/engine/compile.ts), each pinned on its own: effective
 * policyTypes, a rule's ports as a CNI reads them, named ports towards a class, the CIDRs the address space
 * is split at, reading an `Access`, the progress reporter, and the host-network selection report. Written from
 * the mutants that survived the conformance and property tests (docs/mutation/engine.md, issue #20).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Direction,
  HostNetworkPods,
  OPEN_ACCESS,
  accessToAddress,
  accessToPod,
  compileCluster,
  compilePorts,
  effectivePolicyTypes,
  hasCuts,
  ipBlockMatchesClass,
  isOpenAccess,
  mentionedCidrs,
  policiesSelectingHostNetwork,
  portsTowardsClass,
  progressReporter,
  usesEndPort,
  type Access,
  type Progress,
} from '../../src/engine/compile.ts';
import type { PodClass } from '../../src/engine/classes.ts';
import { ALL_CONNECTIONS, NO_PORTS, portSetOf, unionPorts } from '../../src/engine/ports.ts';
import { UPSTREAM_PROFILE, type CniProfile } from '../../src/engine/profiles.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cluster, ipRef, namedPort, ns, pod, podRef, policy } from '../support/builders.ts';

const tcp = (first: number, last = first) => portSetOf('TCP', [first, last]);

describe('option values', () => {
  test('the host-network modes and directions are the words the CLI and the rules use', () => {
    // `--host-network-pods` offers `Object.values(HostNetworkPods)`.
    assert.deepEqual(Object.values(HostNetworkPods), ['exempt', 'policed']);
    assert.deepEqual(Object.values(Direction), ['ingress', 'egress']);
  });
});

describe('effectivePolicyTypes', () => {
  test('given types are read as given', () => {
    const p = (types: ('Ingress' | 'Egress')[]) =>
      effectivePolicyTypes(policy('a', 'p', { podSelector: {}, policyTypes: types, egress: [{}] }));
    assert.deepEqual(p(['Ingress']), { ingress: true, egress: false });
    assert.deepEqual(p(['Egress']), { ingress: false, egress: true });
    assert.deepEqual(p(['Ingress', 'Egress']), { ingress: true, egress: true });
  });

  test('absent or empty types: Ingress, and Egress only with an egress rule', () => {
    const p = (spec: object) => effectivePolicyTypes(policy('a', 'p', { podSelector: {}, ...spec }));
    assert.deepEqual(p({}), { ingress: true, egress: false });
    assert.deepEqual(p({ policyTypes: [] }), { ingress: true, egress: false });
    assert.deepEqual(p({ egress: [] }), { ingress: true, egress: false });
    assert.deepEqual(p({ policyTypes: [], egress: [{}] }), { ingress: true, egress: true });
  });
});

describe('compilePorts', () => {
  test('no ports or an empty list: every port and protocol', () => {
    for (const ports of [undefined, []]) {
      const c = compilePorts(ports);
      assert.equal(c.any, true);
      assert.equal(formatPorts(c.numeric), 'All connections');
      assert.deepEqual(c.named, []);
    }
  });

  test('a protocol without a port: every port of it; TCP by default', () => {
    assert.equal(formatPorts(compilePorts([{ protocol: 'UDP' }]).numeric), 'UDP all ports');
    assert.equal(formatPorts(compilePorts([{}]).numeric), 'TCP all ports');
    assert.equal(formatPorts(compilePorts([{ port: 53 }]).numeric), 'TCP 53');
  });

  test('endPort: a range upstream, the first port under first-port', () => {
    const ports = [{ port: 8000, endPort: 8010 }, { port: 9000 }];
    assert.equal(formatPorts(compilePorts(ports).numeric), 'TCP 8000-8010,9000');
    assert.equal(
      formatPorts(compilePorts(ports, { sctp: true, endPort: 'range' }).numeric),
      'TCP 8000-8010,9000',
    );
    assert.equal(
      formatPorts(compilePorts(ports, { sctp: true, endPort: 'first-port' }).numeric),
      'TCP 8000,9000',
    );
  });

  test('SCTP entries allow nothing where the CNI does not enforce SCTP, the others stay', () => {
    const ports = [
      { protocol: 'SCTP' as const, port: 9 },
      { protocol: 'UDP' as const, port: 53 },
    ];
    assert.equal(formatPorts(compilePorts(ports).numeric), 'UDP 53; SCTP 9');
    assert.equal(
      formatPorts(compilePorts(ports, { sctp: true, endPort: 'range' }).numeric),
      'UDP 53; SCTP 9',
    );
    const without = compilePorts(ports, { sctp: false, endPort: 'range' });
    assert.equal(formatPorts(without.numeric), 'UDP 53');
    assert.equal(without.any, false);
    // Only SCTP: nothing at all (not every port).
    assert.equal(
      formatPorts(compilePorts([{ protocol: 'SCTP', port: 9 }], { sctp: false, endPort: 'range' }).numeric),
      'No connections',
    );
    // An SCTP named port is left out too; a UDP one stays.
    assert.deepEqual(
      compilePorts(
        [
          { protocol: 'SCTP', port: 'x' },
          { protocol: 'UDP', port: 'y' },
        ],
        { sctp: false, endPort: 'range' },
      ).named,
      [{ name: 'y', protocol: 'UDP' }],
    );
  });

  test('named ports are kept by name and protocol, apart from the numeric ones', () => {
    const c = compilePorts([{ port: 'http' }, { protocol: 'UDP', port: 'dns' }, { port: 443 }]);
    assert.deepEqual(c.named, [
      { name: 'http', protocol: 'TCP' },
      { name: 'dns', protocol: 'UDP' },
    ]);
    assert.equal(formatPorts(c.numeric), 'TCP 443');
    assert.equal(c.any, false);
  });
});

describe('portsTowardsClass', () => {
  const cls = {
    namedPorts: [namedPort('http', 8080), namedPort('http', 8081, 'UDP'), namedPort('metrics', 9090)],
  } as unknown as PodClass;

  test('a named port resolves to the class port of the same name and protocol only', () => {
    assert.equal(formatPorts(portsTowardsClass(compilePorts([{ port: 'http' }]), cls)), 'TCP 8080');
    assert.equal(
      formatPorts(portsTowardsClass(compilePorts([{ protocol: 'UDP', port: 'http' }]), cls)),
      'UDP 8081',
    );
    assert.equal(formatPorts(portsTowardsClass(compilePorts([{ port: 'grpc' }]), cls)), 'No connections');
    assert.equal(
      formatPorts(
        portsTowardsClass(compilePorts([{ port: 'http' }, { port: 'metrics' }, { port: 22 }]), cls),
      ),
      'TCP 22,8080,9090',
    );
  });
});

describe('usesEndPort', () => {
  test('an endPort in any ingress or egress rule', () => {
    const withPorts = (spec: object) => usesEndPort(policy('a', 'p', { podSelector: {}, ...spec }));
    assert.equal(withPorts({}), false);
    assert.equal(withPorts({ ingress: [{}, { ports: [{ port: 80 }] }] }), false);
    assert.equal(withPorts({ ingress: [{ ports: [{ port: 80, endPort: 90 }] }] }), true);
    assert.equal(withPorts({ egress: [{}, { ports: [{ port: 80 }, { port: 1, endPort: 2 }] }] }), true);
  });
});

describe('mentionedCidrs', () => {
  test('every ipBlock CIDR and except of ingress and egress rules, in order', () => {
    const policies = [
      policy('a', 'p', {
        podSelector: {},
        ingress: [
          {},
          { from: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] },
        ],
        egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }] }],
      }),
      policy('b', 'q', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '8.8.8.8/32' } }] }, {}] }),
    ];
    assert.deepEqual(mentionedCidrs(policies), ['10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16', '8.8.8.8/32']);
  });
});

describe('ipBlockMatchesClass', () => {
  const profile = (cidrMatchesPods: boolean, cidrMatchesNodes: boolean): CniProfile => ({
    ...UPSTREAM_PROFILE,
    settings: { ...UPSTREAM_PROFILE.settings, cidrMatchesPods, cidrMatchesNodes },
  });

  test('without a profile: ipBlockMatchesPods for every pod', () => {
    for (const hostNetwork of [false, true]) {
      assert.equal(ipBlockMatchesClass({ ipBlockMatchesPods: true }, hostNetwork), true);
      assert.equal(ipBlockMatchesClass({ ipBlockMatchesPods: false }, hostNetwork), false);
    }
  });

  test('with a profile: host-network pods as it says of node IPs, the others as ipBlockMatchesPods', () => {
    assert.equal(ipBlockMatchesClass({ ipBlockMatchesPods: false, cni: profile(true, true) }, true), true);
    assert.equal(ipBlockMatchesClass({ ipBlockMatchesPods: true, cni: profile(true, false) }, true), false);
    assert.equal(ipBlockMatchesClass({ ipBlockMatchesPods: false, cni: profile(true, true) }, false), false);
    assert.equal(ipBlockMatchesClass({ ipBlockMatchesPods: true, cni: profile(false, false) }, false), true);
  });
});

describe('reading an Access', () => {
  const cls = (id: number, hostNetwork = false) => ({ id, hostNetwork }) as unknown as PodClass;
  const access = (extra: Partial<Access>): Access => ({
    isolated: true,
    everything: tcp(80),
    allPods: tcp(443),
    pods: new Map([[1, tcp(8080)]]),
    addresses: new Map([[2, tcp(53)]]),
    ...extra,
  });

  test('towards a pod: everything, all pods unless host-network, then its own part', () => {
    const a = access({});
    assert.equal(formatPorts(accessToPod(a, cls(0))), 'TCP 80,443');
    assert.equal(formatPorts(accessToPod(a, cls(1))), 'TCP 80,443,8080');
    assert.equal(formatPorts(accessToPod(a, cls(0, true))), 'TCP 80');
    assert.equal(formatPorts(accessToPod(a, cls(1, true))), 'TCP 80,8080');
  });

  test('a cut takes ports out of the broad part before the pod’s own part is added', () => {
    const a = access({
      cutPods: new Map([
        [1, unionPorts(tcp(80), tcp(8080))],
        [0, tcp(443)],
      ]),
    });
    assert.equal(formatPorts(accessToPod(a, cls(1))), 'TCP 443,8080');
    assert.equal(formatPorts(accessToPod(a, cls(0))), 'TCP 80');
    assert.equal(formatPorts(accessToPod(a, cls(3))), 'TCP 80,443');
    assert.equal(hasCuts(a), true);
  });

  test('towards an address: everything (after its cut), then its own part', () => {
    const a = access({
      cutAddresses: new Map([
        [2, tcp(80)],
        [4, tcp(80)],
      ]),
    });
    assert.equal(formatPorts(accessToAddress(access({}), 2)), 'TCP 53,80');
    assert.equal(formatPorts(accessToAddress(access({}), 3)), 'TCP 80');
    assert.equal(formatPorts(accessToAddress(a, 2)), 'TCP 53');
    assert.equal(formatPorts(accessToAddress(a, 4)), 'No connections');
    assert.equal(formatPorts(accessToAddress(a, 3)), 'TCP 80');
    assert.equal(hasCuts(a), true);
  });

  test('open: everything allowed and nothing cut', () => {
    assert.equal(isOpenAccess(OPEN_ACCESS), true);
    assert.equal(hasCuts(OPEN_ACCESS), false);
    assert.equal(hasCuts(access({})), false);
    assert.equal(isOpenAccess(access({ everything: ALL_CONNECTIONS })), true);
    assert.equal(isOpenAccess(access({})), false);
    assert.equal(
      isOpenAccess(access({ everything: ALL_CONNECTIONS, cutPods: new Map([[0, tcp(1)]]) })),
      false,
    );
    assert.equal(
      isOpenAccess(access({ everything: ALL_CONNECTIONS, cutAddresses: new Map([[0, tcp(1)]]) })),
      false,
    );
    assert.equal(isOpenAccess(access({ everything: NO_PORTS })), false);
  });
});

describe('progressReporter', () => {
  test('nothing under 10,000 items or without a callback', () => {
    const events: Progress[] = [];
    const small = progressReporter((p) => events.push(p), 'policies', 9_999);
    for (let i = 1; i <= 9_999; i++) small(i);
    assert.deepEqual(events, []);
    progressReporter(undefined, 'policies', 20_000)(20_000);
  });

  test('from 10,000 items: every 1% (rounded up) and at the end', () => {
    const events: Progress[] = [];
    const report = progressReporter((p) => events.push(p), 'access', 10_050);
    for (let i = 1; i <= 10_050; i++) report(i);
    // step 101: 101, 202, …, 10,000 (99 events), then the end.
    assert.equal(events.length, 100);
    assert.deepEqual(events[0], { phase: 'access', done: 101, total: 10_050 });
    assert.deepEqual(events[1], { phase: 'access', done: 202, total: 10_050 });
    assert.deepEqual(events.at(-2), { phase: 'access', done: 9_999, total: 10_050 });
    assert.deepEqual(events.at(-1), { phase: 'access', done: 10_050, total: 10_050 });
  });

  test('exactly 10,000 items report; a jump reports once and counts the next step from there', () => {
    const events: Progress[] = [];
    const report = progressReporter((p) => events.push(p), 'connections', 10_000);
    report(99);
    report(100);
    report(150);
    report(199);
    report(250);
    report(349);
    report(350);
    report(10_000);
    assert.deepEqual(
      events.map((e) => e.done),
      [100, 250, 350, 10_000],
    );
  });
});

describe('policiesSelectingHostNetwork', () => {
  test('policies whose podSelector matches host-network pods of their namespace, with their workloads', () => {
    const state = cluster({
      namespaces: [ns('sys'), ns('app')],
      pods: [
        pod('sys', 'agent-b', { app: 'agent' }, { hostNetwork: true }),
        pod('sys', 'agent-a', { app: 'agent' }, { hostNetwork: true }),
        pod('sys', 'web', { app: 'web' }),
        pod('app', 'web', { app: 'agent' }),
      ],
      policies: [
        policy('sys', 'all', { podSelector: {} }),
        policy('sys', 'agents', { podSelector: { matchLabels: { app: 'agent' } } }),
        policy('sys', 'web', { podSelector: { matchLabels: { app: 'web' } } }),
        policy('app', 'all', { podSelector: {} }),
      ],
    });
    const found = policiesSelectingHostNetwork(state);
    assert.deepEqual(
      found.map((f) => [f.policy.id, f.workloads, f.others]),
      [
        ['sys/all', ['sys/Pod/agent-a', 'sys/Pod/agent-b'], true],
        ['sys/agents', ['sys/Pod/agent-a', 'sys/Pod/agent-b'], false],
      ],
    );
  });

  test('none without host-network pods', () => {
    const state = cluster({ pods: [pod('a', 'x')], policies: [policy('a', 'p', { podSelector: {} })] });
    assert.deepEqual(policiesSelectingHostNetwork(state), []);
  });
});

describe('allowedBetween', () => {
  const state = cluster({
    namespaces: [ns('a')],
    pods: [
      pod('a', 'x', { app: 'x' }, { ips: ['10.0.0.1'] }),
      pod('a', 'y', { app: 'y' }, { ips: ['10.0.0.2'] }),
    ],
    policies: [
      policy('a', 'x-in', {
        podSelector: { matchLabels: { app: 'x' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'y' } } }], ports: [{ port: 80 }] }],
      }),
      policy('a', 'y-out', {
        podSelector: { matchLabels: { app: 'y' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: '8.8.8.0/24' } }], ports: [{ protocol: 'UDP', port: 53 }] },
          { to: [{ podSelector: {} }], ports: [{ port: 80 }, { port: 81 }] },
        ],
      }),
    ],
  });
  const compiled = compileCluster(state);
  const between = (
    src: Parameters<typeof compiled.allowedBetween>[0],
    dst: Parameters<typeof compiled.allowedBetween>[1],
  ) => formatPorts(compiled.allowedBetween(src, dst));

  test('pod to pod: the source’s egress and the destination’s ingress', () => {
    assert.equal(between(podRef('a', 'y'), podRef('a', 'x')), 'TCP 80');
    assert.equal(between(podRef('a', 'x'), podRef('a', 'y')), 'All connections');
    // Its own IP (hairpin): y's egress rules still apply.
    assert.equal(between(podRef('a', 'y'), podRef('a', 'y')), 'TCP 80-81');
  });

  test('to and from addresses', () => {
    assert.equal(between(podRef('a', 'y'), ipRef('8.8.8.8')), 'UDP 53');
    assert.equal(between(podRef('a', 'y'), ipRef('1.1.1.1')), 'No connections');
    assert.equal(between(ipRef('1.1.1.1'), podRef('a', 'x')), 'No connections');
    assert.equal(between(ipRef('1.1.1.1'), podRef('a', 'y')), 'All connections');
    assert.equal(between(ipRef('1.1.1.1'), ipRef('8.8.8.8')), 'All connections');
  });

  test('an unknown pod or a malformed address throws, naming it', () => {
    assert.throws(
      () => compiled.allowedBetween(podRef('a', 'z'), podRef('a', 'x')),
      /^Error: unknown pod a\/z$/,
    );
    assert.throws(
      () => compiled.allowedBetween(podRef('a', 'x'), podRef('b', 'x')),
      /^Error: unknown pod b\/x$/,
    );
    assert.throws(
      () => compiled.allowedBetween(ipRef('300.1.1.1'), podRef('a', 'x')),
      /^Error: not an IP address: 300\.1\.1\.1$/,
    );
  });
});
