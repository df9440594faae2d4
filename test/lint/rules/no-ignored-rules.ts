import rule from '../../../src/lint/rules/no-ignored-rules.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('shop'), deploy('shop', 'web'));

ruleTester(rule, {
  valid: [
    {
      name: 'policyTypes lists both directions it has rules for',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Ingress, Egress]
            ingress: [{ports: [{port: 8080}]}]
            egress: [{ports: [{port: 443}]}]
        `,
      ),
    },
    {
      // Without policyTypes, the directions follow from the rules.
      name: 'no policyTypes',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {}
            egress: [{ports: [{port: 443}]}]
        `,
      ),
    },
    {
      // An empty policyTypes is defaulted like an absent one: Ingress, and Egress since there is an egress rule.
      // Both sections are in force (no-egress-deny-without-policy-types checks the empty lists).
      name: 'policyTypes: [] with rules in both directions',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: []
            ingress: []
            egress: [{ports: [{port: 443}]}]
        `,
      ),
    },
    {
      // The usual ingress-only policy: no egress section, nothing ignored.
      name: 'policyTypes [Ingress] with ingress rules only',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Ingress]
            ingress: [{ports: [{port: 8080}]}]
        `,
      ),
    },
  ],
  invalid: [
    {
      name: 'one ingress rule under policyTypes [Egress, Egress]',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Egress, Egress]  # <-
            ingress: [{ports: [{port: 8080}]}]
        `,
      ),
      messageIds: ['ignored'],
      messages: [
        [
          'policyTypes [Egress, Egress] leaves out Ingress, so the rule in spec.ingress is ignored; add Ingress to policyTypes, or remove spec.ingress',
        ],
      ],
    },
    {
      name: 'egress rules under policyTypes [Ingress]',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Ingress]  # <-
            ingress: [{ports: [{port: 8080}]}]
            egress: [{ports: [{port: 443}]}, {ports: [{port: 53, protocol: UDP}]}]
        `,
      ),
      messageIds: ['ignored'],
      messages: [
        [
          'policyTypes [Ingress] leaves out Egress, so the 2 rules in spec.egress are ignored; add Egress to policyTypes, or remove spec.egress',
        ],
      ],
    },
    {
      // "ingress: []" means deny all ingress, but only when the policy affects ingress.
      name: 'a deny-all ingress list under policyTypes [Egress]',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {}
            policyTypes:  # <-
              - Egress
            ingress: []
        `,
      ),
      messageIds: ['ignoredDeny'],
      messages: [
        [
          'policyTypes [Egress] leaves out Ingress, so "ingress: []" (deny all ingress) is ignored; add Ingress to policyTypes',
        ],
      ],
    },
  ],
});
