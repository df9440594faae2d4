import rule from '../../../src/lint/rules/no-endport-with-named-port.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('data'), deploy('data', 'postgres', { ports: ['metrics:9187'] }));
const withPort = (port: string): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: scrape, namespace: data}
  spec:
    podSelector: {}
    ingress:
      - ports:
          - ${port}
`;

ruleTester(rule, {
  valid: [
    { name: 'a numeric range', yaml: docs(base, withPort('{port: 9100, endPort: 9199}')) },
    { name: 'a named port without endPort', yaml: docs(base, withPort('{port: metrics}')) },
  ],
  invalid: [
    {
      // The API server rejects the policy: the finding takes the place of the input error.
      name: 'endPort with a named port',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: scrape, namespace: data}
          spec:
            podSelector: {}
            ingress:
              - ports:
                  - port: metrics
                    endPort: 9199  # <-
        `,
      ),
      messages: [
        [
          'endPort 9199 cannot be combined with the named port "metrics", so the API server rejects this policy; write the first port of the range as a number, or drop endPort',
        ],
      ],
    },
  ],
});
