/**
 * API errors → one line naming the object, the reason and the fix. Without a server: the inputs are what the
 * client throws (an `ApiException` with the Status body as text, or a fetch failure with its cause), as
 * observed from a real API server in test/cluster/*.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { parseDuration } from '../../src/cli/options/cluster.ts';
import { describeError, type Attempt } from '../../src/k8s/errors.ts';

const TARGET = { server: 'https://10.0.0.1:6443', context: 'prod', timeoutMs: 30_000 };
const APPLY: Attempt = { verb: 'apply', what: 'NetworkPolicy shop/allow-web' };
const LIST: Attempt = { verb: 'list', what: 'pods in all namespaces' };

function status(code: number, reason: string, message: string, causes: object[] = []): ApiException<string> {
  const body = JSON.stringify({
    kind: 'Status',
    status: 'Failure',
    message,
    reason,
    details: { causes },
    code,
  });
  return new ApiException(code, 'Unknown API Status Code!', body, {});
}

function fetchFailure(cause: object): Error {
  return Object.assign(new TypeError('fetch failed'), { cause });
}

describe('describeError', () => {
  const cases: [string, unknown, Attempt, string][] = [
    [
      'forbidden by RBAC: the user, the verb, the resource, the namespace, and the fix',
      status(
        403,
        'Forbidden',
        'networkpolicies.networking.k8s.io "allow-web" is forbidden: User "netfence-reader" cannot patch resource "networkpolicies" in API group "networking.k8s.io" in the namespace "shop"',
      ),
      APPLY,
      'cannot apply NetworkPolicy shop/allow-web: forbidden: user "netfence-reader" cannot patch networkpolicies in namespace "shop" (use a context with write access, e.g. deploy/rbac/netfence-deployer.yaml)',
    ],
    [
      'forbidden to write a cluster policy: not the deployer manifest, which deliberately does not grant it',
      status(
        403,
        'Forbidden',
        'clusternetworkpolicies.policy.networking.k8s.io "tenant-default-deny" is forbidden: User "netfence-deployer" cannot patch resource "clusternetworkpolicies" in API group "policy.networking.k8s.io" at the cluster scope',
      ),
      { verb: 'apply', what: 'ClusterNetworkPolicy tenant-default-deny' },
      'cannot apply ClusterNetworkPolicy tenant-default-deny: forbidden: user "netfence-deployer" cannot patch clusternetworkpolicies at the cluster scope (cluster policies need write access of their own, which deploy/rbac/netfence-deployer.yaml deliberately does not grant: use a context of the platform team, docs/commands/apply.md)',
    ],
    [
      'forbidden to delete an AdminNetworkPolicy on rollback: the same',
      status(
        403,
        'Forbidden',
        'adminnetworkpolicies.policy.networking.k8s.io "tenants" is forbidden: User "ci" cannot delete resource "adminnetworkpolicies" in API group "policy.networking.k8s.io" at the cluster scope',
      ),
      { verb: 'restore', what: 'AdminNetworkPolicy tenants' },
      'cannot restore AdminNetworkPolicy tenants: forbidden: user "ci" cannot delete adminnetworkpolicies at the cluster scope (cluster policies need write access of their own, which deploy/rbac/netfence-deployer.yaml deliberately does not grant: use a context of the platform team, docs/commands/apply.md)',
    ],
    [
      'forbidden to read at the cluster scope: the read-only manifest is the fix',
      status(
        403,
        'Forbidden',
        'pods is forbidden: User "ci" cannot list resource "pods" in API group "" at the cluster scope',
      ),
      LIST,
      'cannot list pods in all namespaces: forbidden: user "ci" cannot list pods at the cluster scope (grant read access: deploy/rbac/netfence-readonly.yaml)',
    ],
    [
      'a conflict of server-side apply: the fields and their owner',
      status(
        409,
        'Conflict',
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using networking.k8s.io/v1: .spec.ingress',
        [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-client-side-apply" using networking.k8s.io/v1',
            field: '.spec.ingress',
          },
        ],
      ),
      APPLY,
      'cannot apply NetworkPolicy shop/allow-web: conflict: spec.ingress is owned by "kubectl-client-side-apply"; make the file agree with the live object, or take the fields over with --force-conflicts',
    ],
    [
      'invalid: the field and the message, without the object repeated',
      status(
        422,
        'Invalid',
        'NetworkPolicy.networking.k8s.io "allow-web" is invalid: spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`',
      ),
      APPLY,
      'cannot apply NetworkPolicy shop/allow-web: invalid: spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`',
    ],
    [
      'unauthorized: the credentials of the context',
      new ApiException(401, 'Unauthorized', undefined, {}),
      LIST,
      'cannot list pods in all namespaces: the cluster at https://10.0.0.1:6443 rejected the credentials of context "prod" (401 Unauthorized): log in again or check the kubeconfig\'s user',
    ],
    [
      'connection refused',
      fetchFailure({ code: 'ECONNREFUSED' }),
      LIST,
      'cannot reach the cluster at https://10.0.0.1:6443 (context "prod"): connection refused (is the context right? choose one with --context)',
    ],
    [
      'several addresses, all refused (an AggregateError)',
      fetchFailure(
        Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}),
      ),
      LIST,
      'cannot reach the cluster at https://10.0.0.1:6443 (context "prod"): connection refused (is the context right? choose one with --context)',
    ],
    [
      'a connection closed before the answer (undici): the request may have been done, the cluster was reached',
      fetchFailure(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })),
      APPLY,
      'cannot apply NetworkPolicy shop/allow-web: the connection was closed before the answer came (the cluster at https://10.0.0.1:6443 (context "prod"))',
    ],
    [
      'a connection reset',
      fetchFailure({ code: 'ECONNRESET' }),
      APPLY,
      'cannot apply NetworkPolicy shop/allow-web: the connection was reset (the cluster at https://10.0.0.1:6443 (context "prod"))',
    ],
    [
      'an unknown host',
      fetchFailure({ code: 'ENOTFOUND' }),
      LIST,
      'cannot reach the cluster at https://10.0.0.1:6443 (context "prod"): unknown host (is the context right? choose one with --context)',
    ],
    [
      'a certificate the kubeconfig does not trust',
      fetchFailure({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      LIST,
      'cannot reach the cluster at https://10.0.0.1:6443 (context "prod"): its TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); check certificate-authority in the kubeconfig (is the context right? choose one with --context)',
    ],
    [
      'a timeout (AbortSignal.timeout)',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      LIST,
      'the cluster at https://10.0.0.1:6443 (context "prod") did not answer within 30s when trying to list pods in all namespaces (is the context right? choose one with --context, or raise --request-timeout)',
    ],
    [
      'any other status: the code, the reason and the message',
      status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'),
      LIST,
      'cannot list pods in all namespaces: the API server answered HTTP 503 ServiceUnavailable: the server is currently unable to handle the request',
    ],
  ];
  for (const [name, error, attempt, message] of cases) {
    test(name, () => assert.equal(describeError(error, attempt, TARGET).message, message));
  }

  test('keeps the status, and the detail without the object for reports that name it already', () => {
    const e = describeError(
      status(422, 'Invalid', 'NetworkPolicy.networking.k8s.io "a" is invalid: spec: bad'),
      APPLY,
      TARGET,
    );
    assert.equal(e.status, 422);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.detail, 'invalid: spec: bad');
  });

  test('an RBAC refusal is marked as such (the same for every object); an admission denial is not', () => {
    const rbac = status(
      403,
      'Forbidden',
      'x is forbidden: User "u" cannot patch resource "networkpolicies" in API group "networking.k8s.io" in the namespace "a"',
    );
    assert.equal(describeError(rbac, APPLY, TARGET).unauthorized, true);
    const np = 'count/networkpolicies.networking.k8s.io';
    const quota = status(
      403,
      'Forbidden',
      `networkpolicies "b" is forbidden: exceeded quota: q, requested: ${np}=1, used: ${np}=1, limited: ${np}=1`,
    );
    const e = describeError(quota, APPLY, TARGET);
    assert.equal(e.unauthorized, false);
    assert.equal(
      e.message,
      `cannot apply NetworkPolicy shop/allow-web: exceeded quota: q, requested: ${np}=1, used: ${np}=1, limited: ${np}=1 (raise the ResourceQuota, or remove policies no longer needed)`,
    );
  });

  test('the hint of an exceeded quota names what the quota limits', () => {
    const hint = (limited: string): string =>
      describeError(
        status(
          403,
          'Forbidden',
          `x is forbidden: exceeded quota: q, requested: a=1, used: a=1, limited: ${limited}`,
        ),
        APPLY,
        TARGET,
      ).message.replace(/^.*\(/, '(');
    const cases: [string, string][] = [
      [
        'count/ciliumnetworkpolicies.cilium.io=1',
        '(raise the ResourceQuota, or remove policies no longer needed)',
      ],
      [
        'count/networkpolicies.networking.k8s.io=1,count/adminnetworkpolicies.policy.networking.k8s.io=0',
        '(raise the ResourceQuota, or remove policies no longer needed)',
      ],
      // The rollback record (apply --record): policies free none of it.
      ['count/configmaps=0', '(raise the ResourceQuota, or remove ConfigMaps no longer needed)'],
      [
        'count/configmaps=0,count/networkpolicies.networking.k8s.io=1',
        '(raise the ResourceQuota, or remove ConfigMaps, policies no longer needed)',
      ],
      ['secrets=2', '(raise the ResourceQuota, or remove secrets no longer needed)'],
      ['', '(raise the ResourceQuota)'],
    ];
    for (const [limited, expected] of cases) assert.equal(hint(limited), expected, limited);
  });
});

describe('--request-timeout', () => {
  const ok: [string, number][] = [
    ['30s', 30_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['45', 45_000],
    ['1.5s', 1500],
  ];
  for (const [text, ms] of ok) test(`${text} is ${ms} ms`, () => assert.equal(parseDuration(text), ms));

  test('anything else is refused with an example', () => {
    assert.throws(() => parseDuration('soon'), {
      message: 'expected a duration such as 500ms, 30s, 2m or 1m30s, got "soon"',
    });
    assert.throws(() => parseDuration('0s'), {
      message: 'a duration must be more than 0 (such as 500ms, 30s, 2m or 1m30s), got "0s"',
    });
  });
});
