/**
 * AdmissionReview v1 parsing: what the API server sends is checked field by field, and each problem is one
 * line with the HTTP status the server answers (400: not a review; 422: a kind netfence does not judge).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReview, reviewResponse } from '../../src/admission/review.ts';
import { baseObjects, review } from './fixtures.ts';

const policy = baseObjects().find((o) => o.kind === 'NetworkPolicy')!;

function problem(body: unknown): { status: number; message: string } {
  const parsed = parseReview(typeof body === 'string' ? body : JSON.stringify(body));
  assert.ok(!parsed.ok, 'rejected');
  return parsed.error;
}

function withRequest(changes: Record<string, unknown>): Record<string, unknown> {
  const body = review('UPDATE', policy, policy);
  return { ...body, request: { ...(body.request as Record<string, unknown>), ...changes } };
}

describe('parseReview', () => {
  test('a review of the API server parses, dry run included', () => {
    const parsed = parseReview(JSON.stringify(review('CREATE', policy, undefined, { dryRun: true })));
    assert.ok(parsed.ok);
    assert.equal(parsed.request.kind.kind, 'NetworkPolicy');
    assert.equal(parsed.request.namespace, 'data');
    assert.equal(parsed.request.dryRun, true);
    assert.equal(parsed.request.user, 'alice');
  });

  const cases: [string, unknown, number, RegExp][] = [
    ['not JSON', '{', 400, /the body is not JSON/],
    ['an array', '[]', 400, /expected an AdmissionReview object, got \[\]/],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 400, /request: missing/],
    [
      'an operation that does not exist',
      withRequest({ operation: 'PATCH' }),
      400,
      /request\.operation: expected one of CREATE, UPDATE, DELETE, CONNECT, got "PATCH"/,
    ],
    [
      'an UPDATE without oldObject',
      withRequest({ oldObject: null }),
      400,
      /request\.oldObject: missing on UPDATE/,
    ],
    [
      'a CREATE without object',
      withRequest({ operation: 'CREATE', object: null }),
      400,
      /request\.object: missing on CREATE/,
    ],
    [
      'dryRun that is not a boolean',
      withRequest({ dryRun: 'yes' }),
      400,
      /request\.dryRun: expected true or false, got "yes"/,
    ],
    [
      'a kind without a group',
      withRequest({ kind: { kind: 'NetworkPolicy' } }),
      400,
      /request\.kind: expected \{group, version, kind\}/,
    ],
    [
      'a kind netfence does not judge',
      withRequest({ kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }),
      422,
      /netfence does not judge apps\/Deployment/,
    ],
    [
      'a known kind in another group',
      withRequest({ kind: { group: 'example.com', version: 'v1', kind: 'NetworkPolicy' } }),
      422,
      /does not judge example\.com\/NetworkPolicy/,
    ],
  ];
  for (const [name, body, status, message] of cases) {
    test(name, () => {
      const p = problem(body);
      assert.equal(p.status, status);
      assert.match(p.message, message);
    });
  }
});

describe('reviewResponse', () => {
  test('a denial carries a 403 status with the message; warnings when there are some', () => {
    assert.deepEqual(reviewResponse('u1', { allowed: false, message: 'no', warnings: ['careful'] }), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: 'u1',
        allowed: false,
        status: { code: 403, reason: 'Forbidden', message: 'no' },
        warnings: ['careful'],
      },
    });
    assert.deepEqual(reviewResponse('u2', { allowed: true, warnings: [] }), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u2', allowed: true },
    });
  });
});
