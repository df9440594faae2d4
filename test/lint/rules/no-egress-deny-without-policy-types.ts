import rule from '../../../src/lint/rules/no-egress-deny-without-policy-types.ts';
import { deploy, docs, ns, ruleTester, yaml } from '../helpers.ts';

const base = docs(ns('shop'), deploy('shop', 'web'));

/** A NetworkPolicy of namespace shop: `name`, then the lines of its spec (indented by two spaces). */
function netpol(name: string, spec: string): string {
  return docs(
    base,
    yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: ${name}
        namespace: shop
      spec:
    ` + spec.replace(/^/gm, '  '),
  );
}

/** A policy of namespace shop with only `podSelector: {}`, the finding expected on its name. */
function namedOnly(name: string): string {
  return docs(
    base,
    yaml`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: ${name}, namespace: shop}  # <-
      spec:
        podSelector: {}
    `,
  );
}

ruleTester(rule, {
  valid: [
    {
      name: 'egress: [] with policyTypes [Ingress, Egress] denies all egress',
      yaml: netpol('deny-egress', 'podSelector: {}\npolicyTypes: [Ingress, Egress]\negress: []\n'),
    },
    {
      name: 'egress: [] with policyTypes [Egress]',
      yaml: netpol('deny-egress', 'podSelector: {}\npolicyTypes: [Egress]\negress: []\n'),
    },
    {
      // Without policyTypes, an egress rule makes the API server add Egress: the rule is in force.
      name: 'egress rules without policyTypes',
      yaml: netpol('allow-egress', 'podSelector: {}\negress: [{ports: [{port: 443}]}]\n'),
    },
    {
      // The classic ingress default deny, named as the Kubernetes documentation names it.
      name: 'an ingress default deny without policyTypes',
      yaml: netpol('default-deny', 'podSelector: {}\n'),
    },
    {
      name: 'a deny-all ingress policy named so',
      yaml: netpol('deny-all-ingress', 'podSelector: {}\ningress: []\n'),
    },
    {
      // Only the name mentions egress: a policy for an egress gateway's incoming traffic.
      name: 'a name about egress that does not deny',
      yaml: netpol('allow-egress-gateway', 'podSelector: {}\n'),
    },
    {
      // Its egress rule makes the API server add Egress: the policy denies the rest of egress as named.
      name: 'a deny-egress name on a policy with an egress rule',
      yaml: netpol('deny-egress', 'podSelector: {}\negress: [{ports: [{port: 53, protocol: UDP}]}]\n'),
    },
    {
      // `denyall` in one word, but for ingress only.
      name: 'a denyall-ingress name with no egress section',
      yaml: netpol('denyall-ingress', 'podSelector: {}\n'),
    },
    {
      // With ingress rules, the policy is plainly about ingress whatever its name says.
      name: 'a deny-egress name on a policy with ingress rules',
      yaml: netpol('deny-egress-except-web', 'podSelector: {}\ningress: [{ports: [{port: 8080}]}]\n'),
    },
  ],
  invalid: [
    {
      // The trap: no egress rule, so policyTypes becomes [Ingress] and egress stays open; and with no ingress
      // rules either, the policy denies all ingress, which nobody asked for.
      name: 'egress: [] alone, without policyTypes',
      yaml: netpol('deny-egress', 'podSelector: {}\negress: []  # <-\n'),
      messageIds: ['emptyEgressDeniesIngress'],
      messages: [
        [
          '"egress: []" without policyTypes denies no egress but all ingress: the API server sets policyTypes to [Ingress] when there is no egress rule; add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
        ],
      ],
    },
    {
      // The API server defaults an empty policyTypes exactly as an absent one.
      name: 'egress: [] with policyTypes: []',
      yaml: netpol('deny-egress', 'podSelector: {}\npolicyTypes: []\negress: []  # <-\n'),
      messageIds: ['emptyEgressDeniesIngress'],
      messages: [
        [
          '"egress: []" with policyTypes: [] denies no egress but all ingress: the API server sets policyTypes to [Ingress] when there is no egress rule; add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
        ],
      ],
    },
    {
      name: 'egress: [] beside ingress rules, without policyTypes',
      yaml: netpol(
        'web',
        'podSelector: {matchLabels: {app: web}}\ningress: [{ports: [{port: 8080}]}]\negress: []  # <-\n',
      ),
      messageIds: ['emptyEgress'],
      messages: [
        [
          '"egress: []" without policyTypes denies no egress: the API server sets policyTypes to [Ingress] when there is no egress rule; add policyTypes: [Ingress, Egress] to deny all egress',
        ],
      ],
    },
    {
      name: 'egress: [] in block style, beside ingress: []',
      yaml: netpol('lockdown', 'podSelector: {}\ningress: []\negress:  # <-\n  []\n'),
      messageIds: ['emptyEgressDeniesIngress'],
      messages: [
        [
          '"egress: []" without policyTypes denies no egress but all ingress: the API server sets policyTypes to [Ingress] when there is no egress rule; add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
        ],
      ],
    },
    {
      name: 'a deny-egress name with no egress section and no policyTypes',
      yaml: namedOnly('default-deny-egress'),
      messageIds: ['namedDenyEgress'],
      messages: [
        [
          'Policy "default-deny-egress" has no egress section and no policyTypes, so it denies no egress but all ingress (the API server sets policyTypes to [Ingress]); add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
        ],
      ],
    },
    {
      name: 'a deny-all name with no egress section and no policyTypes',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: default-deny-all, namespace: shop}  # <-
          spec:
            podSelector: {}
            ingress: []
        `,
      ),
      messageIds: ['namedDenyEgress'],
      messages: [
        [
          'Policy "default-deny-all" has no egress section and no policyTypes, so it denies no egress but all ingress (the API server sets policyTypes to [Ingress]); add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
        ],
      ],
    },
    {
      // `denyall` in one word (a name of its own, not `deny` + `all`) means egress too.
      name: 'a denyall name with no egress section and no policyTypes',
      yaml: namedOnly('denyall'),
      messageIds: ['namedDenyEgress'],
      messages: [
        [
          'Policy "denyall" has no egress section and no policyTypes, so it denies no egress but all ingress (the API server sets policyTypes to [Ingress]); add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
        ],
      ],
    },
    {
      // An empty policyTypes is defaulted as an absent one; the message quotes what is written.
      name: 'a deny-egress name with policyTypes: [] and no egress section',
      yaml: docs(
        base,
        yaml`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny-egress, namespace: shop}  # <-
          spec:
            podSelector: {}
            policyTypes: []
        `,
      ),
      messages: [
        [
          'Policy "deny-egress" has no egress section and policyTypes: [], so it denies no egress but all ingress (the API server sets policyTypes to [Ingress]); add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
        ],
      ],
    },
    {
      // The finding points at the name, wherever it is written.
      name: 'a deny-egress name in block style',
      yaml: netpol('deny-egress  # <-', 'podSelector: {}\n'),
      messageIds: ['namedDenyEgress'],
    },
    {
      // Naming both directions: egress is meant too.
      name: 'a denyall-ingress-egress name with no egress section',
      yaml: namedOnly('denyall-ingress-egress'),
      messageIds: ['namedDenyEgress'],
      messages: [
        [
          'Policy "denyall-ingress-egress" has no egress section and no policyTypes, so it denies no egress but all ingress (the API server sets policyTypes to [Ingress]); add policyTypes: [Ingress, Egress] to deny both, or policyTypes: [Egress] to deny egress only',
        ],
      ],
    },
  ],
});
