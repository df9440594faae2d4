import rule from '../../../src/lint/rules/no-policy-in-empty-namespace.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const policyIn = (namespace: string, marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: deny
    namespace: ${namespace}${marker}
  spec:
    podSelector: {}
`;

ruleTester(rule, {
  valid: [
    {
      name: 'the namespace has workloads',
      yaml: docs(ns('payments'), deploy('payments', 'gateway'), policyIn('payments')),
    },
    {
      // A repository of policies only: the workloads live elsewhere, nothing can be judged.
      name: 'an input without any workload',
      yaml: docs(policyIn('payments')),
    },
  ],
  invalid: [
    {
      // "ledgers" has no workloads either: it is no suggestion.
      name: 'a namespace close only to another empty one',
      yaml: docs(ns('payments'), ns('ledgers'), deploy('payments', 'gateway'), policyIn('ledger', '  # <-')),
      messages: [
        [
          'Namespace "ledger" has no workloads in the input, so policy "deny" protects nothing; check metadata.namespace',
        ],
      ],
    },
    {
      name: 'a misspelled namespace (the message suggests "payments")',
      yaml: docs(ns('payments'), deploy('payments', 'gateway'), policyIn('paymnets', '  # <-')),
    },
    {
      // Bare pods count as workloads: an input of pods alone is judged, and their namespace is suggested.
      name: 'an input with bare pods only',
      yaml: docs(
        ns('payments'),
        yaml`
          apiVersion: v1
          kind: Pod
          metadata: {name: gateway-0, namespace: payments, labels: {app: gateway}}
          spec:
            containers: [{name: gateway, image: example/gateway:1}]
        `,
        policyIn('payment', '  # <-'),
      ),
      messages: [['Did you mean namespace "payments"?']],
    },
  ],
});
