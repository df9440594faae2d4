/**
 * Cilium endpoint peers in words (`describeCiliumPeer`, used by `exposure` and `explain`): the namespace said
 * as a namespace, whatever form its selector takes, never as a label key.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeCiliumPeer } from '../../src/describe/exposure.ts';
import { CILIUM_NAMESPACE_KEY, type CiliumPeerInfo } from '../../src/model/cilium.ts';
import type { LabelSelector } from '../../src/model/k8s.ts';

const endpoints = (selector: LabelSelector): CiliumPeerInfo => ({ kind: 'endpoints', selector });
const ns = (operator: 'In' | 'NotIn' | 'Exists', values?: string[]) => ({
  key: CILIUM_NAMESPACE_KEY,
  operator,
  ...(values === undefined ? {} : { values }),
});

describe('describeCiliumPeer: endpoints and their namespace', () => {
  test('a namespace label: "in namespace shop"', () => {
    assert.equal(
      describeCiliumPeer(endpoints({ matchLabels: { app: 'api', [CILIUM_NAMESPACE_KEY]: 'shop' } })),
      'endpoints labelled app=api in namespace shop',
    );
  });

  test("a clusterwide policy's fromEndpoints: [{}] (Exists on the namespace key): every endpoint in every namespace", () => {
    assert.equal(
      describeCiliumPeer(endpoints({ matchExpressions: [ns('Exists')] })),
      'every endpoint in every namespace',
    );
    assert.equal(
      describeCiliumPeer(endpoints({ matchLabels: { app: 'web' }, matchExpressions: [ns('Exists')] })),
      'endpoints labelled app=web in every namespace',
    );
  });

  test('In and NotIn on the namespace key: the namespaces named', () => {
    assert.equal(
      describeCiliumPeer(
        endpoints({ matchLabels: { app: 'api' }, matchExpressions: [ns('In', ['a', 'b'])] }),
      ),
      'endpoints labelled app=api in namespaces a, b',
    );
    assert.equal(
      describeCiliumPeer(endpoints({ matchExpressions: [ns('In', ['a'])] })),
      'every endpoint in namespace a',
    );
    assert.equal(
      describeCiliumPeer(endpoints({ matchExpressions: [ns('NotIn', ['kube-system'])] })),
      'every endpoint in every namespace but kube-system',
    );
  });

  test('Exists beside a condition that names the namespaces is not said', () => {
    assert.equal(
      describeCiliumPeer(endpoints({ matchExpressions: [ns('Exists'), ns('In', ['a', 'b'])] })),
      'every endpoint in namespaces a, b',
    );
  });

  test('expressions on other keys stay in the label part', () => {
    assert.equal(
      describeCiliumPeer(
        endpoints({
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }, ns('In', ['data'])],
        }),
      ),
      'endpoints labelled tier=db in namespace data',
    );
  });
});
