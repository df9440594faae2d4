import rule from '../../../src/lint/rules/no-full-port-range.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('data'), deploy('data', 'postgres'));
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
    {
      name: 'a rule without ports',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: scrape, namespace: data}
          spec:
            podSelector: {}
            ingress: [{from: [{podSelector: {}}]}]
        `,
      ),
    },
    // A single port, however low, is no range (endPort absent).
    {
      name: 'single ports',
      yaml: docs(base, withPort('{port: 1}'), withPort('{port: 80}').replace('scrape', 'web')),
    },
    { name: 'an exporter port pool', yaml: docs(base, withPort('{port: 9100, endPort: 9199}')) },
    { name: 'a range ending below 65535', yaml: docs(base, withPort('{port: 1, endPort: 65534}')) },
    {
      name: 'a range above the privileged ports',
      yaml: docs(base, withPort('{port: 30000, endPort: 65535}')),
    },
  ],
  invalid: [
    {
      name: '1-65535',
      yaml: docs(base, withPort('{port: 1, endPort: 65535}  # <-')),
      messageIds: ['all'],
      messages: [
        [
          'Port range 1-65535 covers every TCP port, so it restricts nothing; list the ports the pods listen on',
        ],
      ],
    },
    {
      name: '1024-65535, every unprivileged port, over UDP',
      yaml: docs(base, withPort('{protocol: UDP, port: 1024, endPort: 65535}  # <-')),
      messageIds: ['unprivileged'],
      messages: [
        ['Port range 1024-65535 covers every unprivileged UDP port; list the ports the pods listen on'],
      ],
    },
  ],
});
