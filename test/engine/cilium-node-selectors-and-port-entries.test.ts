/**
 * What mutation testing (issue #20, round 8) found unpinned in src/engine/cilium.ts after round 7: node
 * selectors of `fromNodes` peers are not pod label keys, unparsable CIDRs hold no node address, the compiled
 * Cilium policies of a cluster without any, how each CNI profile reads a Cilium port entry (SCTP, `endPort`),
 * `toServices` rules that resolve to nothing, and what exposure reads of a rule's ports.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ciliumPortReading,
  ciliumUnseenDomains,
  ciliumProtocols,
  ciliumSelectorLabelKeys,
  ciliumSpaceSplits,
  ciliumSplitCidrs,
  compileCiliumPorts,
} from '../../src/engine/cilium.ts';
import { compileCluster } from '../../src/engine/compile.ts';
import { computeExposure } from '../../src/engine/exposure.ts';
import { buildRefIndex, resolveRefText } from '../../src/engine/refs.ts';
import { explainEntities } from '../../src/engine/explain.ts';
import { explanationToText } from '../../src/format/explain.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import type { CiliumPortInfo } from '../../src/model/cilium.ts';
import { cluster, cnpCilium, node, ns, pod, policy } from '../support/builders.ts';
import { cniProfile, conformanceCluster, expectVerdicts } from '../support/verdicts.ts';

const range = (protocol: string, start: number, end = start): CiliumPortInfo => ({
  kind: 'range',
  protocol,
  start,
  end,
});

describe('Cilium selectors and CIDRs: what sets things apart', () => {
  test('the node selector of a fromNodes peer is not a pod label key', () => {
    const s = cluster({
      ciliumPolicies: [
        cnpCilium('a', 'n', {
          endpointSelector: { matchLabels: { app: 'x' } },
          ingress: [{ fromNodes: [{ matchLabels: { nodekey: 'z' } }] }],
        }),
      ],
    });
    const keys = new Set<string>();
    ciliumSelectorLabelKeys(s, keys);
    assert.deepEqual([...keys].sort(), ['app', 'io.kubernetes.pod.namespace']);
  });

  test('an unparsable CIDR holds no node address (and does not throw)', () => {
    const s = cluster({
      nodes: [node('n1', {}, ['192.168.0.1'])],
      ciliumPolicies: [cnpCilium('a', 'p', { endpointSelector: {}, egress: [{ toCIDR: ['nonsense'] }] })],
    });
    assert.deepEqual(ciliumSpaceSplits(s), { families: false, nodes: false });
  });

  test('a node address that is not an IP splits nothing', () => {
    const s = cluster({
      nodes: [node('n1', {}, ['192.168.0.1', 'not-an-ip'])],
      ciliumPolicies: [cnpCilium('a', 'p', { endpointSelector: {}, egress: [{ toEntities: ['cluster'] }] })],
    });
    assert.deepEqual(ciliumSplitCidrs(s), ['192.168.0.1/32']);
  });

  test('a cluster without Cilium policies compiles to none: no rule set, no class selected, no outside address', () => {
    const s = cluster({
      pods: [pod('a', 'x'), pod('a', 'y', { app: 'y' })],
      nodes: [node('n1', {}, ['192.168.0.1'])],
      // (An ipBlock, so that the address space has classes outside the cluster.)
      policies: [
        policy('a', 'out', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
      ],
    });
    const compiled = compileCluster(s);
    assert.ok(compiled.addressSpace.classes.length > 0);
    const { cilium } = compiled;
    assert.deepEqual(cilium.specs, []);
    assert.ok(compiled.classes.length > 0);
    assert.deepEqual(
      cilium.ofClass,
      compiled.classes.map(() => []),
    );
    assert.deepEqual(cilium.world, []);
  });
});

describe('Cilium port entries as each profile reads them', () => {
  test('no profile and cilium@1.16 read endPort as a range; earlier Cilium as the port alone; SCTP from the profile', () => {
    assert.deepEqual(ciliumPortReading({ ipBlockMatchesPods: true }), { sctp: true, endPortRange: true });
    assert.deepEqual(ciliumPortReading({ ipBlockMatchesPods: true, cni: cniProfile('cilium@1.16') }), {
      sctp: false,
      endPortRange: true,
    });
    assert.deepEqual(ciliumPortReading({ ipBlockMatchesPods: true, cni: cniProfile('cilium@1.15') }), {
      sctp: false,
      endPortRange: false,
    });
    assert.deepEqual(
      ciliumPortReading({ ipBlockMatchesPods: true, cni: cniProfile('cilium@1.16', 'enable-sctp=true') }),
      { sctp: true, endPortRange: true },
    );
  });

  test('by default (upstream) ANY is TCP, UDP and SCTP, and an endPort makes a range', () => {
    assert.deepEqual(ciliumProtocols('ANY'), ['TCP', 'UDP', 'SCTP']);
    assert.deepEqual(ciliumProtocols('sctp'), ['SCTP']);
    assert.equal(formatPorts(compileCiliumPorts([range('SCTP', 80, 90)]).numeric), 'SCTP 80-90');
  });

  test('an entry without ports is every port of every protocol', () => {
    const every = compileCiliumPorts([]);
    assert.equal(every.any, true);
    assert.deepEqual(every.named, []);
    assert.equal(formatPorts(every.numeric), 'All connections');
  });

  test('without ranges, a port with an endPort is that port alone, but 1-65535 stays every port', () => {
    const noRanges = { sctp: false, endPortRange: false };
    const read = (start: number, end: number) =>
      formatPorts(compileCiliumPorts([range('TCP', start, end)], noRanges).numeric);
    assert.equal(read(80, 90), 'TCP 80');
    assert.equal(read(1, 100), 'TCP 1');
    assert.equal(read(80, 65535), 'TCP 80');
    assert.equal(read(1, 65535), 'TCP all ports');
    assert.equal(
      formatPorts(compileCiliumPorts([range('TCP', 80, 90)], { sctp: false, endPortRange: true }).numeric),
      'TCP 80-90',
    );
  });

  test('exposure: a rule with toPorts is on those ports, one without on any', () => {
    const s = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'x', { app: 'x' })],
      ciliumPolicies: [
        cnpCilium('a', 'p', {
          endpointSelector: {},
          ingress: [
            { fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
            { fromEntities: ['world'] },
          ],
        }),
      ],
    });
    const [x] = computeExposure(buildRefIndex(compileCluster(s)));
    assert.deepEqual(
      x!.ingress.cilium.map((c) => `${c.path} ${c.ports.any ? 'any' : formatPorts(c.ports.ports)}`),
      ['spec.ingress[0] TCP 80', 'spec.ingress[1] any'],
    );
  });
});

describe('Cilium toServices rules that resolve to no Service', () => {
  test('without toPorts they allow nothing; with toPorts, every peer on those ports', () => {
    const to = (rule: object) =>
      conformanceCluster({
        ciliumPolicies: [
          cnpCilium('prod', 'web', {
            endpointSelector: { matchLabels: { app: 'web' } },
            egress: [{ toServices: [{ k8sService: { serviceName: 'none', namespace: 'prod' } }], ...rule }],
          }),
        ],
      });
    expectVerdicts(to({}), {
      'prod/web -> prod/db TCP/5432': 'deny',
      'prod/web -> 8.8.8.8 TCP/5432': 'deny',
    });
    expectVerdicts(to({ toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }), {
      'prod/web -> prod/db TCP/5432': 'allow',
      'prod/web -> 8.8.8.8 TCP/5432': 'allow',
      'prod/web -> prod/db TCP/80': 'deny',
    });
  });
});

describe('Cilium toFQDNs: what a DNS rule lets the proxy see, and the ports left by egress denies', () => {
  /** The toFQDNs entries of `names` no DNS rule `dns` (on 53/UDP) lets the proxy see. */
  const unseen = (dns: object[], names: string[]): string[] => {
    const s = cluster({
      pods: [pod('a', 'x')],
      ciliumPolicies: [
        cnpCilium('a', 'p', {
          endpointSelector: {},
          egress: [
            { toEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns } }] },
            {
              toFQDNs: names.map((n) => (n.includes('*') ? { matchPattern: n } : { matchName: n })),
              toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
            },
          ],
        }),
      ],
    });
    return ciliumUnseenDomains(compileCluster(s).cilium, 0).map((u) => u.domain);
  };

  test('a pattern ending in a star is a star within the last label, not every name', () => {
    assert.deepEqual(unseen([{ matchPattern: 'api.*' }], ['api.example.com', 'api.com']), [
      'api.example.com',
    ]);
  });

  test('a star inside a **. pattern stays a wildcard, which only a wildcard covers', () => {
    assert.deepEqual(unseen([{ matchPattern: '**.api.example.com' }], ['**.api*.example.com']), [
      '**.api*.example.com',
    ]);
    assert.deepEqual(unseen([{ matchPattern: '**.api*.example.com' }], ['**.api*.example.com']), []);
  });

  /** `domain ports` of what pod a/web reaches by name, with `extra` beside a DNS rule and a toFQDNs rule. */
  const reach = (extra: object): string[] => {
    const s = cluster({
      namespaces: [ns('a')],
      pods: [pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.1'] })],
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
                    { port: '443', protocol: 'TCP' },
                    { port: '80', protocol: 'TCP' },
                  ],
                },
              ],
            },
          ],
          ...extra,
        }),
      ],
    });
    const compiled = compileCluster(s);
    return compiled
      .domainReach(compiled.classOfPod('a', 'web')!)
      .map((r) => `${r.domain} ${formatPorts(r.ports)}`);
  };

  test('an egress deny towards every outside address takes its ports; one towards some addresses does not', () => {
    assert.deepEqual(reach({}), ['api.example.com TCP 80,443']);
    const deny = (peer: object) => ({
      egressDeny: [{ ...peer, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
    });
    assert.deepEqual(reach(deny({ toEntities: ['world'] })), ['api.example.com TCP 80']);
    assert.deepEqual(reach(deny({ toCIDR: ['8.8.8.8/32'] })), ['api.example.com TCP 80,443']);
    assert.deepEqual(reach({ egressDeny: [{ toEntities: ['world'] }] }), []);
  });

  test('Cilium rules without toFQDNs reach no name', () => {
    const s = cluster({
      pods: [pod('a', 'web')],
      ciliumPolicies: [cnpCilium('a', 'p', { endpointSelector: {}, egress: [{ toEntities: ['world'] }] })],
    });
    const compiled = compileCluster(s);
    assert.deepEqual(compiled.domainReach(compiled.classOfPod('a', 'web')!), []);
  });
});

describe('Cilium host and remote-node for pods of one rule set on different nodes', () => {
  test('each pod reads host as its own node: two pods alike but for their node do not share an answer', () => {
    const s = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'c1', { app: 'c' }, { ips: ['10.0.0.1'], nodeName: 'n1' }),
        pod('a', 'c2', { app: 'c' }, { ips: ['10.0.0.2'], nodeName: 'n2' }),
      ],
      nodes: [node('n1', {}, ['192.168.0.1']), node('n2', {}, ['192.168.0.2'])],
      ciliumPolicies: [
        cnpCilium('a', 'to-host', {
          endpointSelector: { matchLabels: { app: 'c' } },
          egress: [{ toEntities: ['host'] }],
        }),
      ],
    });
    expectVerdicts(s, {
      'a/c1 -> 192.168.0.1 TCP/10250': 'allow',
      'a/c1 -> 192.168.0.2 TCP/10250': 'deny',
      'a/c2 -> 192.168.0.2 TCP/10250': 'allow',
      'a/c2 -> 192.168.0.1 TCP/10250': 'deny',
    });
  });
});

describe('Cilium toServices by selector: the pods of several Services', () => {
  test('every pod of every Service selected is a peer, whatever the order of the Services', () => {
    const s = cluster({
      namespaces: [ns('a')],
      pods: [
        pod('a', 'web', { app: 'web' }, { ips: ['10.0.0.9'] }),
        ...['1', '2', '3', '4'].map((n) => pod('a', `p${n}`, { app: `p${n}` }, { ips: [`10.0.0.${n}`] })),
      ],
      ciliumPolicies: [
        cnpCilium('a', 'to-services', {
          endpointSelector: { matchLabels: { app: 'web' } },
          egress: [
            {
              toServices: [
                { k8sServiceSelector: { selector: { matchLabels: { tier: 'x' } }, namespace: 'a' } },
              ],
            },
          ],
        }),
      ],
    });
    // Services listed in another order than their pods.
    for (const n of ['4', '3', '1', '2'])
      s.services.push({
        id: `Service/a/s${n}`,
        namespace: 'a',
        name: `s${n}`,
        labels: { tier: 'x' },
        spec: { selector: { app: `p${n}` } },
      });
    const compiled = compileCluster(s);
    const index = buildRefIndex(compiled, 'pod');
    for (const n of ['1', '2', '3', '4']) {
      const to = { kind: 'pod', namespace: 'a', name: `p${n}` } as const;
      assert.equal(
        formatPorts(compiled.allowedBetween({ kind: 'pod', namespace: 'a', name: 'web' }, to)),
        'All connections',
        `p${n}`,
      );
      const src = resolveRefText(index, 'a/web');
      const dst = resolveRefText(index, `a/p${n}`);
      assert.ok(src.ok && dst.ok);
      const [text] = explainEntities(
        index,
        src.value.entities[0]!.id,
        dst.value.entities[0]!.id,
        undefined,
      ).map(explanationToText);
      assert.equal(text!.split('\n')[0], `a/web → a/p${n}: ALLOWED on all ports`);
    }
  });
});

describe('Cilium ingressDeny rules with named ports', () => {
  test('a named port of an ingress deny rule is the destination’s (the pod the rule set selects)', () => {
    const s = conformanceCluster({
      ciliumPolicies: [
        cnpCilium('prod', 'db', {
          endpointSelector: { matchLabels: { app: 'db' } },
          ingress: [{ fromEntities: ['all'] }],
          ingressDeny: [
            {
              fromEndpoints: [{ matchLabels: { app: 'web' } }],
              toPorts: [{ ports: [{ port: 'sql', protocol: 'TCP' }] }],
            },
          ],
        }),
      ],
    });
    expectVerdicts(s, {
      'prod/web -> prod/db TCP/5432': 'deny',
      'prod/web -> prod/db TCP/8080': 'allow',
      'dev/client -> prod/db TCP/5432': 'allow',
    });
  });
});
