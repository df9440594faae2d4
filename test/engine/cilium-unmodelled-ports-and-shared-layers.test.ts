/**
 * `src/engine/cilium.ts` after the folder run of issue #20 (round 10): the protocols of a `toPorts` entry that
 * name no TCP/UDP/SCTP port, an address class made of several node addresses, and which classes share the
 * combined Cilium layer (docs/mutation/engine.md, "`src/engine` slice A").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ciliumProtocols, compileCiliumPorts } from '../../src/engine/cilium.ts';
import { NO_PORTS } from '../../src/engine/ports.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import { compileCluster } from '../../src/engine/compile.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cluster, cnpCilium, namedPort, node, pod } from '../support/builders.ts';
import { DNS_PROXY_RULE, fqdnRule } from '../support/cilium-rules.ts';
import { expectVerdicts } from '../support/verdicts.ts';

describe('Cilium port entries of a protocol netfence does not model', () => {
  const sctpOff = { sctp: false, endPortRange: true };

  test('GRE (no ports), and SCTP where the profile has it off, stand for no protocol', () => {
    assert.deepEqual(ciliumProtocols('GRE'), []);
    assert.deepEqual(ciliumProtocols('sctp', sctpOff), []);
    assert.deepEqual(ciliumProtocols('sctp'), ['SCTP']);
  });

  test('their numbered and named ports compile to no port and no name', () => {
    const ports = [
      { kind: 'range', protocol: 'GRE', start: 80, end: 80 },
      { kind: 'named', protocol: 'GRE', name: 'http' },
    ] as const;
    assert.deepEqual(compileCiliumPorts(ports), { any: false, numeric: NO_PORTS, named: [] });
    const sctp = [
      { kind: 'range', protocol: 'SCTP', start: 9000, end: 9000 },
      { kind: 'named', protocol: 'SCTP', name: 'diameter' },
    ] as const;
    assert.deepEqual(compileCiliumPorts(sctp, sctpOff), { any: false, numeric: NO_PORTS, named: [] });
  });
});

describe('an address class made of two node addresses alone', () => {
  test('is not outside the cluster: a deny of every other outside address denies a toFQDNs name', () => {
    // The except is an address class of its own, both of whose addresses are node addresses (no pod is placed
    // on a node and no peer sets node addresses apart, so the space is not split at each node address).
    const state = cluster({
      pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] })],
      nodes: [node('n1', {}, ['192.168.0.2']), node('n2', {}, ['192.168.0.3'])],
      ciliumPolicies: [
        cnpCilium('a', 'p', {
          endpointSelector: {},
          egress: [DNS_PROXY_RULE, fqdnRule('api.example.com', ['80', '443'])],
          egressDeny: [
            {
              toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['192.168.0.2/31'] }, { cidr: '::/0' }],
              toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
            },
          ],
        }),
      ],
    });
    const compiled = compileCluster(state);
    assert.deepEqual(
      compiled
        .domainReach(compiled.classOfPod('a', 'web')!)
        .map((r) => `${r.domain} ${formatPorts(r.ports)}`),
      ['api.example.com TCP 80'],
    );
  });
});

describe('a Node address that is no IP', () => {
  test('is no node address class: `world` is read from the others', () => {
    const state = cluster({
      pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] })],
      nodes: [node('n1', {}, ['node-1.example', '192.168.0.1'])],
      ciliumPolicies: [cnpCilium('a', 'p', { endpointSelector: {}, egress: [{ toEntities: ['world'] }] })],
    });
    expectVerdicts(state, {
      'a/web -> 8.8.8.8 TCP/443': 'allow',
      'a/web -> 192.168.0.1 TCP/443': 'deny',
    });
  });
});

describe('classes that share the combined Cilium layer (applyCilium)', () => {
  const tcp = (port: string) => ({ ports: [{ port, protocol: 'TCP' }] });
  const fromClient = (port: string) => ({
    fromEndpoints: [{ matchLabels: { app: 'client' } }],
    toPorts: [tcp(port)],
  });

  // Two classes that differ only by the number of their named port `http`.
  const namedState = (ciliumPolicies: CiliumPolicyInfo[]) =>
    cluster({
      pods: [
        pod('a', 'client', { app: 'client' }, { ips: ['10.0.0.1'] }),
        pod('a', 'x', { app: 'web' }, { ips: ['10.0.0.2'], namedPorts: [namedPort('http', 8080)] }),
        pod('a', 'y', { app: 'web' }, { ips: ['10.0.0.3'], namedPorts: [namedPort('http', 9090)] }),
      ],
      ciliumPolicies,
    });
  const namedVerdicts = {
    'a/client -> a/x TCP/8080': 'allow',
    'a/client -> a/x TCP/9090': 'deny',
    'a/client -> a/y TCP/9090': 'allow',
    'a/client -> a/y TCP/8080': 'deny',
    'a/client -> a/y TCP/443': 'allow',
  } as const;
  const web = { matchLabels: { app: 'web' } };

  test('not two classes whose ingress named ports differ, when one of their rule sets names a port', () => {
    expectVerdicts(
      namedState([
        cnpCilium('a', 'named', { endpointSelector: web, ingress: [fromClient('http')] }),
        cnpCilium('a', 'numbered', { endpointSelector: web, ingress: [fromClient('443')] }),
      ]),
      namedVerdicts,
    );
  });

  test('nor when one rule of their only rule set names a port', () => {
    expectVerdicts(
      namedState([
        cnpCilium('a', 'both', { endpointSelector: web, ingress: [fromClient('http'), fromClient('443')] }),
      ]),
      namedVerdicts,
    );
  });

  test('not a class selected by rule sets 1 and 2 and one selected by rule set 12', () => {
    // Thirteen rule sets (indexes 0-12): 1 and 2 select a/x, 12 selects a/y, the others no pod.
    const selecting = (i: number) => (i === 1 || i === 2 ? 'x' : i === 12 ? 'y' : 'none');
    const state = cluster({
      pods: [
        pod('a', 'client', { app: 'client' }, { ips: ['10.0.0.1'] }),
        pod('a', 'x', { app: 'x' }, { ips: ['10.0.0.2'] }),
        pod('a', 'y', { app: 'y' }, { ips: ['10.0.0.3'] }),
      ],
      ciliumPolicies: [...Array(13).keys()].map((i) =>
        cnpCilium('a', `p${String(i).padStart(2, '0')}`, {
          endpointSelector: { matchLabels: { app: selecting(i) } },
          ingress: [fromClient(String(8000 + i))],
        }),
      ),
    });
    expectVerdicts(state, {
      'a/client -> a/x TCP/8001': 'allow',
      'a/client -> a/x TCP/8002': 'allow',
      'a/client -> a/y TCP/8012': 'allow',
      'a/client -> a/y TCP/8001': 'deny',
    });
  });
});
