/**
 * `src/engine/cilium.ts` after the folder run of issue #20 (round 10): the protocols of a `toPorts` entry that
 * name no TCP/UDP/SCTP port, and an address class made of several node addresses (docs/testing.md,
 * "`src/engine` slice A").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ciliumProtocols, compileCiliumPorts } from '../../src/engine/cilium.ts';
import { NO_PORTS } from '../../src/engine/ports.ts';
import { compileCluster } from '../../src/engine/compile.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { cluster, cnpCilium, node, pod } from '../support/builders.ts';

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
          egress: [
            {
              toEndpoints: [{}],
              toPorts: [
                { ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } },
              ],
            },
            {
              toFQDNs: [{ matchName: 'api.example.com' }],
              toPorts: [
                {
                  ports: [
                    { port: '80', protocol: 'TCP' },
                    { port: '443', protocol: 'TCP' },
                  ],
                },
              ],
            },
          ],
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
