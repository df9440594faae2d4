/**
 * Cilium's `toServices` (issue #17), one test per rule of how the agent resolves it (Cilium v1.20.2
 * `pkg/policy/k8s/service.go` `processRule`, `pkg/policy/utils/parserules.go`, `pkg/policy/l4.go`; see
 * docs/cilium.md "toServices"). Every verdict is written by hand and checked on the naive evaluator (which
 * reads the policies as written) and on the engine.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceEndpointsInfo, ServiceInfo } from '../../src/model/cluster.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumRule, CiliumService } from '../../src/model/cilium-wire.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';
import { compileCluster } from '../../src/engine/compile.ts';
import { portsContain } from '../../src/engine/ports.ts';
import { resolveCniProfile } from '../../src/engine/profiles.ts';
import { conformanceCluster, endpoint, expectVerdicts } from '../support/verdicts.ts';
import { cnpCilium } from '../support/builders.ts';

function service(
  namespace: string,
  name: string,
  options: { selector?: Record<string, string>; labels?: Record<string, string> } = {},
): ServiceInfo {
  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    labels: options.labels ?? {},
    spec: {
      ...(options.selector === undefined ? {} : { selector: options.selector }),
      ports: [{ port: 80 }],
    },
  };
}

function slice(
  namespace: string,
  name: string,
  svc: string | undefined,
  addresses: string[],
): ServiceEndpointsInfo {
  return {
    id: `${namespace}/EndpointSlice/${name}`,
    kind: 'EndpointSlice',
    namespace,
    name,
    service: svc,
    labels: svc === undefined ? {} : { 'kubernetes.io/service-name': svc },
    addresses,
  };
}

function endpointsObject(
  namespace: string,
  name: string,
  addresses: string[],
  labels: Record<string, string> = {},
): ServiceEndpointsInfo {
  return {
    id: `${namespace}/Endpoints/${name}`,
    kind: 'Endpoints',
    namespace,
    name,
    service: name,
    labels,
    addresses,
  };
}

/**
 * The conformance cluster (test/support/verdicts.ts: prod/web, prod/db, host-network prod/agent, dev/web,
 * dev/client; nodes 192.168.0.1-2) with:
 * - prod/db-svc (selects app=db; labelled tier=data), prod/web-svc (app=web; tier=front), dev/web-svc
 *   (app=web; tier=front), prod/other-proxy (app=web; handled by another service proxy);
 * - prod/payments (no selector; an EndpointSlice with 203.0.113.10 and 203.0.113.11; labelled tier=data),
 *   prod/legacy (no selector; an Endpoints object with 198.51.100.7), prod/empty (no selector, no backends).
 */
function state(ciliumPolicies: readonly CiliumPolicyInfo[]) {
  const s = conformanceCluster({ ciliumPolicies });
  s.services.push(
    service('prod', 'db-svc', { selector: { app: 'db' }, labels: { tier: 'data' } }),
    service('prod', 'web-svc', { selector: { app: 'web' }, labels: { tier: 'front' } }),
    service('dev', 'web-svc', { selector: { app: 'web' }, labels: { tier: 'front' } }),
    service('prod', 'other-proxy', {
      selector: { app: 'web' },
      labels: { 'service.kubernetes.io/service-proxy-name': 'other' },
    }),
    service('prod', 'payments', { labels: { tier: 'data' } }),
    service('prod', 'legacy'),
    service('prod', 'empty'),
  );
  s.serviceEndpoints = [
    slice('prod', 'payments-abc', 'payments', ['203.0.113.10', '203.0.113.11']),
    endpointsObject('prod', 'legacy', ['198.51.100.7']),
  ];
  return s;
}

const app = (value: string): LabelSelector => ({ matchLabels: { app: value } });
const tcp = (port: string) => ({ ports: [{ port, protocol: 'TCP' }] });
const byName = (serviceName: string, namespace?: string): CiliumService => ({
  k8sService: { serviceName, ...(namespace === undefined ? {} : { namespace }) },
});
const bySelector = (selector: LabelSelector, namespace?: string): CiliumService => ({
  k8sServiceSelector: { selector, ...(namespace === undefined ? {} : { namespace }) },
});
/** dev/client's egress. */
const clientEgress = (name: string, rule: Omit<CiliumRule, 'endpointSelector'>) =>
  cnpCilium('dev', name, { endpointSelector: app('client'), ...rule });

describe('toServices: which Services', () => {
  test('k8sServiceSelector selects Services by their own labels, in its namespace or in every namespace without one', () => {
    expectVerdicts(
      state([
        clientEgress('front', {
          egress: [{ toServices: [bySelector({ matchLabels: { tier: 'front' } }, 'prod')] }],
        }),
      ]),
      {
        'dev/client -> prod/web TCP/8080': 'allow', // prod/web-svc
        'dev/client -> dev/web TCP/9090': 'deny', // dev/web-svc: another namespace
        'dev/client -> prod/db TCP/5432': 'deny', // tier=data
      },
    );
    expectVerdicts(
      state([
        clientEgress('front', {
          egress: [{ toServices: [bySelector({ matchLabels: { 'k8s:tier': 'front' } })] }],
        }),
      ]),
      {
        'dev/client -> prod/web TCP/8080': 'allow',
        'dev/client -> dev/web TCP/9090': 'allow', // no namespace: every namespace
        'dev/client -> prod/db TCP/5432': 'deny',
      },
    );
  });

  test('k8sServiceSelector with matchExpressions, and the empty selector (every Service)', () => {
    const s = state([
      clientEgress('exprs', {
        egress: [
          {
            toServices: [
              bySelector(
                { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] },
                'prod',
              ),
            ],
          },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> prod/db TCP/5432': 'allow', // db-svc, tier=data
      'dev/client -> 203.0.113.10 TCP/443': 'allow', // payments, tier=data
      'dev/client -> 198.51.100.7 TCP/443': 'allow', // legacy: no labels, NotIn matches
      'dev/client -> prod/web TCP/8080': 'deny', // web-svc is tier=front; other-proxy is not watched
    });
    expectVerdicts(state([clientEgress('every', { egress: [{ toServices: [bySelector({}, 'dev')] }] })]), {
      'dev/client -> dev/web TCP/9090': 'allow',
      'dev/client -> prod/web TCP/8080': 'deny',
    });
  });

  test('a Service handled by another service proxy (service-proxy-name label) is not selected', () => {
    const s = state([clientEgress('other', { egress: [{ toServices: [byName('other-proxy', 'prod')] }] })]);
    expectVerdicts(s, { 'dev/client -> prod/web TCP/8080': 'deny' });
  });
});

describe('toServices: what a Service stands for', () => {
  test('a Service with a selector stands for the pods it selects in its namespace, never host-network pods', () => {
    const s = state([clientEgress('web', { egress: [{ toServices: [byName('web-svc', 'dev')] }] })]);
    expectVerdicts(s, {
      'dev/client -> dev/web TCP/9090': 'allow',
      'dev/client -> prod/web TCP/8080': 'deny', // same labels, another namespace
      'dev/client -> prod/agent TCP/80': 'deny',
    });
  });

  test('ports are the backends ports: the rule toPorts match the port after translation, named ports on the backend pod', () => {
    const s = state([
      clientEgress('web-http', {
        egress: [
          { toServices: [byName('web-svc', 'prod')], toPorts: [tcp('http')] },
          { toServices: [byName('db-svc', 'prod')], toPorts: [tcp('5432')] },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> prod/web TCP/8080': 'allow', // the container port named http
      'dev/client -> prod/web TCP/80': 'deny', // the Service's own port is not what is matched
      'dev/client -> prod/db TCP/5432': 'allow',
      'dev/client -> prod/db TCP/80': 'deny',
    });
  });

  test('a Service without a selector stands for its EndpointSlices addresses (toCIDRSet entries)', () => {
    const s = state([
      clientEgress('payments', {
        egress: [{ toServices: [byName('payments', 'prod')], toPorts: [tcp('443')] }],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> 203.0.113.10 TCP/443': 'allow',
      'dev/client -> 203.0.113.11 TCP/443': 'allow',
      'dev/client -> 203.0.113.12 TCP/443': 'deny',
      'dev/client -> 203.0.113.10 TCP/80': 'deny',
      'dev/client -> prod/db TCP/443': 'deny',
    });
  });

  test('an Endpoints object of a Service without a selector counts (Kubernetes mirrors it into an EndpointSlice), unless labelled skip-mirror', () => {
    const policy = clientEgress('legacy', { egress: [{ toServices: [byName('legacy', 'prod')] }] });
    expectVerdicts(state([policy]), { 'dev/client -> 198.51.100.7 TCP/5000': 'allow' });
    const skipped = state([policy]);
    skipped.serviceEndpoints = [
      endpointsObject('prod', 'legacy', ['198.51.100.7'], {
        'endpointslice.kubernetes.io/skip-mirror': 'true',
      }),
    ];
    // Not mirrored: the Service has no backend, and the rule (no toPorts) is left with no peer: nothing.
    expectVerdicts(skipped, { 'dev/client -> 198.51.100.7 TCP/5000': 'deny' });
  });

  test('a backend address inside the cluster (a pod IP, a node) is a CIDR entry: matched only as policy-cidr-match-mode says', () => {
    const s = state([clientEgress('inside', { egress: [{ toServices: [byName('inside', 'prod')] }] })]);
    s.services.push(service('prod', 'inside'));
    s.serviceEndpoints = [slice('prod', 'inside-1', 'inside', ['10.0.1.20', '192.168.0.2'])];
    expectVerdicts(s, {
      'dev/client -> prod/db TCP/5432': 'deny', // 10.0.1.20 is prod/db's IP
      'dev/client -> 192.168.0.2 TCP/10250': 'deny',
    });
    const profile = resolveCniProfile('cilium', ['policy-cidr-match-mode=nodes,pods']);
    assert.ok(profile.ok);
    const compiled = compileCluster(s, { cni: profile.value });
    const allowed = (dst: string, port: number) =>
      portsContain(compiled.allowedBetween(endpoint('dev/client'), endpoint(dst)), 'TCP', port);
    assert.deepEqual(
      [allowed('prod/db', 5432), allowed('192.168.0.2', 10250), allowed('8.8.8.8', 443)],
      [true, true, false],
    );
  });
});

describe('toServices that resolve to nothing', () => {
  test('no Service selected, or one without selector nor backends: with toPorts the rule applies to every peer, without to none', () => {
    const s = state([
      clientEgress('missing', {
        egress: [
          { toServices: [byName('missing', 'prod'), byName('empty', 'prod')], toPorts: [tcp('443')] },
          { toServices: [byName('missing-too', 'prod')] },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> 8.8.8.8 TCP/443': 'allow', // every peer on 443 (cilium/cilium#20067)
      'dev/client -> prod/web TCP/443': 'allow',
      'dev/client -> prod/agent TCP/443': 'allow',
      'dev/client -> 8.8.8.8 TCP/80': 'deny', // the rule without toPorts matches nothing
    });
  });

  test('a Service with a selector that selects no pod still resolves (a toEndpoints entry): nothing beyond', () => {
    const s = state([
      clientEgress('none', { egress: [{ toServices: [byName('nobody', 'prod')], toPorts: [tcp('443')] }] }),
    ]);
    s.services.push(service('prod', 'nobody', { selector: { app: 'nobody' } }));
    expectVerdicts(s, {
      'dev/client -> 8.8.8.8 TCP/443': 'deny',
      'dev/client -> prod/web TCP/443': 'deny',
    });
  });

  test('toServices in egressDeny is never resolved: with toPorts it denies every peer on them, without nothing', () => {
    const s = state([
      clientEgress('deny-db', {
        enableDefaultDeny: { egress: false },
        egressDeny: [
          { toServices: [byName('db-svc', 'prod')], toPorts: [tcp('5432')] },
          { toServices: [byName('web-svc', 'prod')] },
        ],
      }),
    ]);
    expectVerdicts(s, {
      'dev/client -> prod/db TCP/5432': 'deny',
      'dev/client -> dev/web TCP/5432': 'deny', // every peer on 5432, not only db-svc's pods
      'dev/client -> 8.8.8.8 TCP/5432': 'deny',
      'dev/client -> prod/db TCP/80': 'allow',
      'dev/client -> prod/web TCP/8080': 'allow', // web-svc's rule has no toPorts: denies nothing
    });
  });
});
