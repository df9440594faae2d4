/** checks/ports.ts: where a rule's named ports resolve, and how a rule's ports are worded. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCluster, type CompiledPorts } from '../../src/engine/compile.ts';
import { ALL_CONNECTIONS, NO_PORTS, portSetOf } from '../../src/engine/ports.ts';
import { portsTowardsTarget, portsText } from '../../src/lint/checks/ports.ts';
import { cluster, namedPort, ns, pod } from '../support/builders.ts';

const http: CompiledPorts = { any: false, numeric: NO_PORTS, named: [{ name: 'http', protocol: 'TCP' }] };

test('named ports resolve on the selected class for ingress, on the target pod for egress, nowhere on addresses', () => {
  const compiled = compileCluster(
    cluster({
      namespaces: [ns('shop')],
      pods: [
        pod('shop', 'web', { app: 'web' }, { namedPorts: [namedPort('http', 8080)] }),
        pod('shop', 'api', { app: 'api' }, { namedPorts: [namedPort('http', 9090)] }),
      ],
    }),
  );
  const of = (name: string) => compiled.classes.findIndex((c) => c.pods.some((p) => p.name === name));
  const web = of('web');
  const api = of('api');
  assert.notEqual(web, api);
  assert.deepEqual(
    portsTowardsTarget(compiled, 'ingress', http, web, { pod: api }),
    portSetOf('TCP', [8080, 8080]),
  );
  assert.deepEqual(
    portsTowardsTarget(compiled, 'egress', http, web, { pod: api }),
    portSetOf('TCP', [9090, 9090]),
  );
  assert.deepEqual(portsTowardsTarget(compiled, 'egress', http, web, { address: 0 }), NO_PORTS);
});

test('portsText', () => {
  const cases: [CompiledPorts, string][] = [
    [{ any: true, numeric: NO_PORTS, named: [] }, 'every port'],
    [{ any: false, numeric: ALL_CONNECTIONS, named: [] }, 'every port'],
    [http, 'port "http" (TCP)'],
    [{ ...http, numeric: portSetOf('TCP', [80, 80]) }, 'TCP 80; port "http" (TCP)'],
  ];
  for (const [ports, expected] of cases) assert.equal(portsText(ports), expected);
});
