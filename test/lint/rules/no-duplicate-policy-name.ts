import rule from '../../../src/lint/rules/no-duplicate-policy-name.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('shop'), ns('data'), deploy('shop', 'web'));
const policy = (namespace: string, name: string, marker = ''): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: ${name}${marker}
    namespace: ${namespace}
  spec:
    podSelector: {}
`;

ruleTester(rule, {
  valid: [
    { name: 'distinct names', yaml: docs(base, policy('shop', 'a'), policy('shop', 'b')) },
    // Only NetworkPolicies are compared: a policy named like its Deployment is common.
    { name: 'a policy named like a Deployment of its namespace', yaml: docs(base, policy('shop', 'web')) },
    {
      name: 'the same name in two namespaces',
      yaml: docs(base, policy('shop', 'deny'), policy('data', 'deny')),
    },
    {
      // Multi-chart helm template output: the same policy twice is read once, nothing is lost.
      name: 'the same policy twice, identically',
      yaml: docs(base, policy('shop', 'deny'), policy('shop', 'deny')),
    },
  ],
  invalid: [
    {
      // The parser rejects the second definition; the linter reports it as this rule's finding instead.
      name: 'the same name twice in one namespace: the second one is reported',
      yaml: docs(
        base,
        policy('shop', 'deny'),
        policy('shop', 'deny', '  # <-').replace('{}', '{matchLabels: {app: web}}'),
      ),
      messages: [
        [
          'NetworkPolicy "deny" is already defined in namespace "shop" at test.yaml:29; "kubectl apply" keeps only the last one, so rename one or merge them',
        ],
      ],
    },
    {
      name: 'a policy without a namespace lands in the default namespace',
      yaml: docs(
        base,
        policy('default', 'allow'),
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata:
            name: allow  # <-
          spec:
            podSelector: {}
        `,
      ),
      messages: [
        [
          'NetworkPolicy "allow" is already defined in namespace "default" at test.yaml:29; "kubectl apply" keeps only the last one, so rename one or merge them',
        ],
      ],
    },
  ],
});
