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
    { name: 'an exporter port pool', yaml: docs(base, withPort('{port: 9100, endPort: 9199}')) },
    { name: 'a range ending below 65535', yaml: docs(base, withPort('{port: 1, endPort: 65534}')) },
    {
      name: 'a range above the privileged ports',
      yaml: docs(base, withPort('{port: 30000, endPort: 65535}')),
    },
  ],
  invalid: [
    { name: '1-65535', yaml: docs(base, withPort('{port: 1, endPort: 65535}  # <-')), messageIds: ['all'] },
    {
      name: '1024-65535, every unprivileged port, over UDP',
      yaml: docs(base, withPort('{protocol: UDP, port: 1024, endPort: 65535}  # <-')),
      messageIds: ['unprivileged'],
    },
  ],
});
