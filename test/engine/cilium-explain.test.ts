/**
 * Explain with Cilium policies: every verdict names the Cilium policy, the rule set (`spec`/`specs[i]`), the
 * list and rule (`spec.ingressDeny[0]`) and file:line when the policy has an origin; connections through
 * an L7 rule show as allowed at L4, filtered at L7; and the explanation's verdict is `allowedBetween`'s.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, type CompiledCluster } from '../../src/engine/compile.ts';
import { explainConnection, type ExplainEnd } from '../../src/engine/explain.ts';
import { formatPorts } from '../../src/describe/ports.ts';
import { explanationToText } from '../../src/format/explain.ts';
import { portsEqual } from '../../src/engine/ports.ts';
import type { CiliumPolicyInfo } from '../../src/model/cilium.ts';
import type { CiliumIngressRule } from '../../src/model/cilium-wire.ts';
import type { FieldPath } from '../../src/model/problem.ts';
import { ccnp, cnpCilium, policy } from '../support/builders.ts';
import { conformanceCluster } from '../support/verdicts.ts';

const app = (value: string) => ({ matchLabels: { app: value } });

/** The policy with an origin in `file` at `line`; each field path one line further per element. */
function at(p: CiliumPolicyInfo, file: string, line: number): CiliumPolicyInfo {
  return {
    ...p,
    origin: {
      file,
      line,
      column: 1,
      locate: (path: FieldPath) => ({ file, line: line + path.length, column: 1 }),
    },
  };
}

function pod(compiled: CompiledCluster, namespace: string, name: string): ExplainEnd {
  return { kind: 'pod', classId: compiled.classOfPod(namespace, name)!, name: `${namespace}/${name}` };
}

const specs = {
  dbHttp: cnpCilium('prod', 'db', {
    endpointSelector: app('db'),
    ingress: [
      {
        fromEndpoints: [app('web')],
        toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }], rules: { http: [{}] } }],
      },
    ],
    ingressDeny: [{ fromEndpoints: [app('web')], toPorts: [{ ports: [{ port: '5433', protocol: 'TCP' }] }] }],
  }),
  denyDev: ccnp('deny-dev', {
    endpointSelector: app('db'),
    enableDefaultDeny: { ingress: false },
    ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dev' } }] }],
  }),
};

describe('explain with Cilium policies', () => {
  test('a deny names the Cilium policy, rule set, list and rule, with file:line', () => {
    const state = conformanceCluster({
      ciliumPolicies: [at(specs.dbHttp, 'db.yaml', 10), at(specs.denyDev, 'deny.yaml', 1)],
    });
    const compiled = compileCluster(state);
    const x = explainConnection(compiled, pod(compiled, 'dev', 'client'), pod(compiled, 'prod', 'db'));
    assert.equal(x.verdict, 'denied');
    const deny = x.ingress.cilium?.denies[0];
    assert.equal(deny?.policy, 'CiliumClusterwideNetworkPolicy/deny-dev');
    assert.equal(deny?.path, 'spec.ingressDeny[0]');
    assert.deepEqual(deny?.location, { file: 'deny.yaml', line: 4, column: 1 });
    const text = explanationToText(x);
    assert.match(text, /Cilium: default deny by CiliumNetworkPolicy\/prod\/db spec \(db\.yaml:11\)/);
    assert.match(
      text,
      /ingress: denied by CiliumClusterwideNetworkPolicy\/deny-dev spec\.ingressDeny\[0\] \(deny\.yaml:4\)/,
    );
  });

  test('a deny rule of the same rule set wins over its allow rule on the ports it covers', () => {
    const state = conformanceCluster({
      ciliumPolicies: [specs.dbHttp],
      policies: [policy('prod', 'db-open', { podSelector: app('db'), ingress: [{}] })],
    });
    const compiled = compileCluster(state);
    const x = explainConnection(compiled, pod(compiled, 'prod', 'web'), pod(compiled, 'prod', 'db'));
    const denied = x.segments.filter((s) => !s.allowed);
    assert.deepEqual(
      denied.map((s) => formatPorts(s.ports)),
      ['TCP 5433'],
    );
    assert.equal(denied[0]!.ingress.cilium[0]?.path, 'spec.ingressDeny[0]');
    const allowed5432 = x.segments.find((s) => s.allowed && formatPorts(s.ports).includes('5432'));
    assert.ok(allowed5432?.ingress.cilium.some((r) => r.path === 'spec.ingress[0]'));
    assert.ok(allowed5432?.ingress.rules.some((r) => r.policy === 'prod/db-open'));
  });

  test('a connection through an L7 rule is allowed at L4 and filtered at L7, in text and JSON', () => {
    const state = conformanceCluster({ ciliumPolicies: [at(specs.dbHttp, 'db.yaml', 10)] });
    const compiled = compileCluster(state);
    const x = explainConnection(compiled, pod(compiled, 'prod', 'web'), pod(compiled, 'prod', 'db'));
    assert.equal(formatPorts(x.allowed), 'TCP 5432');
    assert.deepEqual(
      x.l7.map((f) => `${f.policy} ${f.entryPath} ${f.l7} ${formatPorts(f.ports)}`),
      ['CiliumNetworkPolicy/prod/db spec.ingress[0].toPorts[0] http TCP 5432'],
    );
    assert.match(
      explanationToText(x),
      /Filtered at L7: 5432\/TCP allowed at L4, filtered at L7 by CiliumNetworkPolicy\/prod\/db spec\.ingress\[0\]\.toPorts\[0\] \(http, db\.yaml:/,
    );
  });

  test('the explanation agrees with allowedBetween for every pod pair', () => {
    const state = conformanceCluster({
      ciliumPolicies: [
        specs.dbHttp,
        specs.denyDev,
        ccnp('client', { endpointSelector: app('client'), egress: [{ toEntities: ['cluster'] }] }),
      ],
    });
    const compiled = compileCluster(state);
    for (const s of state.pods) {
      for (const d of state.pods) {
        if (s === d) continue;
        const x = explainConnection(
          compiled,
          pod(compiled, s.namespace, s.name),
          pod(compiled, d.namespace, d.name),
        );
        const want = compiled.allowedBetween(
          { kind: 'pod', namespace: s.namespace, name: s.name },
          { kind: 'pod', namespace: d.namespace, name: d.name },
        );
        assert.ok(
          portsEqual(x.allowed, want),
          `${s.name} -> ${d.name}: ${formatPorts(x.allowed)} vs ${formatPorts(want)}`,
        );
      }
    }
  });

  test('toFQDNs needs the DNS proxy: explain names the toFQDNs rule no DNS rule covers, egress to an address', () => {
    const egress = (withDns: boolean) =>
      cnpCilium('dev', 'to-stripe', {
        endpointSelector: app('client'),
        egress: [
          {
            toFQDNs: [{ matchName: 'api.stripe.com' }],
            toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
          },
          {
            toEndpoints: [{}],
            toPorts: [
              {
                ports: [{ port: '53', protocol: 'ANY' }],
                ...(withDns ? { rules: { dns: [{ matchPattern: '*' }] } } : {}),
              },
            ],
          },
        ],
      });
    const explainTo = (withDns: boolean) => {
      const compiled = compileCluster(conformanceCluster({ ciliumPolicies: [egress(withDns)] }));
      const address = compiled.addressSpace.classOfIp('8.8.8.8')!;
      return explainConnection(compiled, pod(compiled, 'dev', 'client'), {
        kind: 'address',
        classId: address,
        name: '8.8.8.8',
      });
    };
    const plain = explainTo(false);
    const unseen = plain.egress.cilium?.unseenNames ?? [];
    assert.deepEqual(
      unseen.map((u) => `${u.domain} ${u.policy} ${u.path}`),
      ['api.stripe.com CiliumNetworkPolicy/dev/to-stripe spec.egress[0]'],
    );
    assert.match(
      explanationToText(plain),
      /toFQDNs api\.stripe\.com \(CiliumNetworkPolicy\/dev\/to-stripe spec\.egress\[0\][^)]*\) allows nothing: no DNS rule on port 53 covers it/,
    );
    assert.deepEqual(explainTo(true).egress.cilium?.unseenNames, []);
  });
});

describe('explain with Cilium policies: near misses (codes and paths)', () => {
  /** The Cilium near misses of a side, as `path failed: code@reasonPath, …`. */
  function misses(
    state: ReturnType<typeof conformanceCluster>,
    from: ExplainEnd | ((c: CompiledCluster) => ExplainEnd),
    to: ExplainEnd | ((c: CompiledCluster) => ExplainEnd),
    side: 'egress' | 'ingress',
  ): string[] {
    const compiled = compileCluster(state);
    const end = (e: ExplainEnd | ((c: CompiledCluster) => ExplainEnd)) =>
      typeof e === 'function' ? e(compiled) : e;
    const x = explainConnection(compiled, end(from), end(to));
    assert.equal(x.verdict, 'denied');
    return (x[side].cilium?.nearMisses ?? []).map(
      (m) => `${m.path} ${m.failed}: ${m.reasons.map((r) => `${r.code}@${r.path}`).join(', ')}`,
    );
  }
  const address =
    (ip: string) =>
    (c: CompiledCluster): ExplainEnd => ({
      kind: 'address',
      classId: c.addressSpace.classOfIp(ip)!,
      name: ip,
    });
  const podEnd = (namespace: string, name: string) => (c: CompiledCluster) => pod(c, namespace, name);

  test('egress to an address: outside the CIDR, in its except, not the entity; a CIDR rule never matches a pod IP', () => {
    const state = conformanceCluster({
      ciliumPolicies: [
        cnpCilium('prod', 'web-out', {
          endpointSelector: app('web'),
          egress: [
            { toCIDRSet: [{ cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] }] },
            { toCIDR: ['198.51.100.0/24'] },
            { toEntities: ['cluster'] },
          ],
        }),
      ],
    });
    assert.deepEqual(misses(state, podEnd('prod', 'web'), address('203.0.113.200'), 'egress'), [
      'spec.egress[0] peer: in-except@spec.egress[0].toCIDRSet[0]',
      'spec.egress[1] peer: outside-cidr@spec.egress[1].toCIDR[0]',
      'spec.egress[2] peer: entity@spec.egress[2].toEntities[0]',
    ]);
    // A pod inside 10.0.0.0/8 still misses a CIDR rule: Cilium's CIDR rules select only outside addresses.
    const toPod = conformanceCluster({
      ciliumPolicies: [
        cnpCilium('prod', 'web-out', { endpointSelector: app('web'), egress: [{ toCIDR: ['10.0.0.0/8'] }] }),
      ],
    });
    assert.deepEqual(misses(toPod, podEnd('prod', 'web'), podEnd('prod', 'db'), 'egress'), [
      'spec.egress[0] peer: ipblock-ignores-pods@spec.egress[0].toCIDR[0]',
    ]);
  });

  test('a named port the destination does not define; a host-network pod an endpoint selector never matches', () => {
    const only = (rule: CiliumIngressRule) =>
      conformanceCluster({
        ciliumPolicies: [cnpCilium('prod', 'db-in', { endpointSelector: app('db'), ingress: [rule] })],
      });
    const named = only({
      fromEndpoints: [app('web')],
      toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }],
    });
    assert.deepEqual(misses(named, podEnd('prod', 'web'), podEnd('prod', 'db'), 'ingress'), [
      'spec.ingress[0] ports: named-port-undefined@spec.ingress[0].toPorts',
    ]);
    const anyPod = only({ fromEndpoints: [{}] });
    assert.deepEqual(misses(anyPod, podEnd('prod', 'agent'), podEnd('prod', 'db'), 'ingress'), [
      'spec.ingress[0] peer: host-network@spec.ingress[0].fromEndpoints[0]',
    ]);
  });
});
