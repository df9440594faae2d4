/**
 * The conformance suite of sigs.k8s.io/network-policy-api v0.3.0 (conformance/tests/*.go), case by case, on
 * netfence's engine. Every ClusterNetworkPolicy test of the suite is here under its ShortName, each `t.Run` a
 * step in the same order, with the same edits (rules swapped, an action or priority changed, a named port or
 * a CIDR rule put in, namespace and pod labels set and removed, a NetworkPolicy deleted) and the same probes
 * (`PokeServer`: client pod, protocol, server pod, port, whether it connects): the verdicts are the suite's,
 * never netfence's. As in the suite, a test's edits carry over to its later steps.
 *
 * The manifests are the suite's own (test/fixtures/npapi-conformance/, copied from conformance/base; the
 * host-network ports of its templates rendered as 30000–30007), on the cluster its base/manifests.yaml makes,
 * written as the snapshot a cluster gives (the two Pods of each StatefulSet with their IPs, the two Nodes):
 * test/fixtures/npapi-conformance/README.md. Each state is read by netfence's own reader (`loadSources`)
 * and compiled with the default (`upstream`) profile; a probe asks `allowedBetween` of the two pods.
 */
import {
  deleteObject,
  editPolicy,
  namespaceLabels,
  podIP,
  podLabel,
  poke,
  rule,
  runSuite,
  swap,
  type Spec,
  type Suite,
} from './npapi-world.ts';

const conformanceRoleLabel = 'conformance-role';

/** `PatchClusterNetworkPolicy` after an edit of the policy's spec. */
const edit = (name: string, change: (spec: Spec) => unknown) =>
  editPolicy('ClusterNetworkPolicy', name, change);

const SUITE: Suite = {
  CNPAdminTierEgressNamedPort: {
    manifest: 'admin_tier/standard-egress-tcp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' policy for named port",
        edit('egress-tcp', (s) => (rule(s.egress, 5).protocols = [{ destinationNamedPort: 'web' }])),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/8080', 'deny'),
      ],
    ],
  },
  CNPAdminTierEgressNodePeers: {
    manifest: 'admin_tier/experimental-egress-selector-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' rule policy for egress-node-peer",
        poke('gryffindor/harry-potter-1 -> forbidden-forrest/centaur-1 TCP/30000', 'allow'),
      ],
      [
        "Should support a 'pass-egress' rule policy for egress-node-peer",
        poke('gryffindor/harry-potter-1 -> forbidden-forrest/centaur-1 UDP/30002', 'allow'),
      ],
      [
        "Should support a 'deny-egress' rule policy for egress-node-peer",
        poke('gryffindor/harry-potter-1 -> forbidden-forrest/centaur-1 TCP/30001', 'deny'),
        poke('gryffindor/harry-potter-1 -> forbidden-forrest/centaur-1 UDP/30004', 'deny'),
        poke('gryffindor/harry-potter-1 -> forbidden-forrest/centaur-1 SCTP/30006', 'deny'),
      ],
    ],
  },
  CNPAdminTierIngressNamedPort: {
    manifest: 'admin_tier/standard-ingress-udp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-ingress' policy for named port",
        edit('ingress-udp', (s) => (rule(s.ingress, 5).protocols = [{ destinationNamedPort: 'dns' }])),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 UDP/5353', 'deny'),
      ],
    ],
  },
  CNPAdminTierEgressInlineCIDRPeers: {
    manifest: 'admin_tier/standard-egress-inline-cidr-rules.yaml',
    steps: [
      [
        "Should support a 'deny-egress' rule policy for egress-cidr-peer",
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
        namespaceLabels('slytherin', { 'conformance-house': 'denied-namespace-label' }),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9003', 'deny'),
        namespaceLabels('slytherin', { 'conformance-house': 'slytherin' }),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
      ],
      [
        "Should support an 'allow-egress' rule policy for egress-cidr-peer",
        edit('inline-cidr-as-peers-example', (s) =>
          s.egress.unshift({
            name: 'allow-egress-to-specific-podIPs',
            action: 'Accept',
            to: [
              {
                networks: [
                  `${podIP('ravenclaw/luna-lovegood-0')}/32`,
                  `${podIP('hufflepuff/cedric-diggory-0')}/32`,
                ],
              },
            ],
          }),
        ),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 SCTP/9003', 'deny'),
      ],
    ],
  },
  CNPAdminTierEgressSCTP: {
    manifest: 'admin_tier/standard-egress-sctp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' policy for SCTP protocol; ensure rule ordering is respected",
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
      ],
      [
        "Should support an 'allow-egress' policy for SCTP protocol at the specified port",
        poke('ravenclaw/luna-lovegood-0 -> hufflepuff/cedric-diggory-1 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> hufflepuff/cedric-diggory-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support an 'deny-egress' policy for SCTP protocol; ensure rule ordering is respected",
        edit('egress-sctp', (s) => swap(s.egress, 0, 1)),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 SCTP/9003', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support a 'deny-egress' policy for SCTP protocol at the specified port",
        poke('ravenclaw/luna-lovegood-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
      ],
      [
        "Should support an 'pass-egress' policy for SCTP protocol; ensure rule ordering is respected",
        edit('egress-sctp', (s) => swap(s.egress, 0, 2)),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 SCTP/9005', 'allow'),
      ],
      [
        "Should support a 'pass-egress' policy for SCTP protocol at the specified port",
        edit('egress-sctp', (s) => swap(s.egress, 3, 4)),
        poke('ravenclaw/luna-lovegood-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  CNPAdminTierEgressTCP: {
    manifest: 'admin_tier/standard-egress-tcp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' policy for TCP protocol; ensure rule ordering is respected",
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 TCP/8080', 'allow'),
      ],
      [
        "Should support an 'allow-egress' policy for TCP protocol at the specified port",
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'deny'),
      ],
      [
        'Should not affect ingress traffic when only egress rules are specified',
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
      ],
      [
        "Should support an 'deny-egress' policy for TCP protocol; ensure rule ordering is respected",
        edit('egress-tcp', (s) => swap(s.egress, 0, 1)),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 TCP/8080', 'deny'),
      ],
      [
        "Should support a 'deny-egress' policy for TCP protocol at the specified port",
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
      ],
      [
        "Should support an 'pass-egress' policy for TCP protocol; ensure rule ordering is respected",
        edit('egress-tcp', (s) => swap(s.egress, 0, 2)),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 TCP/8080', 'allow'),
      ],
      [
        "Should support a 'pass-egress' policy for TCP protocol at the specified port",
        edit('egress-tcp', (s) => swap(s.egress, 3, 4)),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
      ],
    ],
  },
  CNPAdminTierEgressUDP: {
    manifest: 'admin_tier/standard-egress-udp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' policy for UDP protocol; ensure rule ordering is respected",
        poke('hufflepuff/cedric-diggory-0 -> ravenclaw/luna-lovegood-0 UDP/53', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> ravenclaw/luna-lovegood-0 UDP/5353', 'allow'),
      ],
      [
        "Should support an 'allow-egress' policy for UDP protocol at the specified port",
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 UDP/53', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 UDP/5353', 'deny'),
      ],
      [
        "Should support an 'deny-egress' policy for UDP protocol; ensure rule ordering is respected",
        edit('egress-udp', (s) => swap(s.egress, 0, 1)),
        poke('hufflepuff/cedric-diggory-0 -> ravenclaw/luna-lovegood-1 UDP/53', 'deny'),
        poke('hufflepuff/cedric-diggory-1 -> ravenclaw/luna-lovegood-1 UDP/5353', 'deny'),
      ],
      [
        "Should support a 'deny-egress' policy for UDP protocol at the specified port",
        poke('hufflepuff/cedric-diggory-0 -> slytherin/draco-malfoy-0 UDP/5353', 'deny'),
        poke('hufflepuff/cedric-diggory-1 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
      ],
      [
        "Should support an 'pass-egress' policy for UDP protocol; ensure rule ordering is respected",
        edit('egress-udp', (s) => swap(s.egress, 0, 2)),
        poke('hufflepuff/cedric-diggory-0 -> ravenclaw/luna-lovegood-1 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> ravenclaw/luna-lovegood-1 UDP/53', 'allow'),
      ],
      [
        "Should support a 'pass-egress' policy for UDP protocol at the specified port",
        edit('egress-udp', (s) => swap(s.egress, 3, 4)),
        poke('hufflepuff/cedric-diggory-0 -> slytherin/draco-malfoy-0 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
      ],
    ],
  },
  CNPAdminTierGress: {
    manifest: 'admin_tier/standard-gress-rules-combined.yaml',
    steps: [
      [
        "Should support an 'allow-gress' policy across different protocols",
        // First; let's test egress works!
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        // Second; let's test ingress works!
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
      ],
      [
        "Should support an 'allow-gress' policy across different protocols at the specified ports",
        // First; let's test egress works!
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 SCTP/9005', 'deny'),
        // Second; let's test ingress works!
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 TCP/8080', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 UDP/53', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 SCTP/9003', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support an 'deny-gress' policy across different protocols",
        // First; let's test egress works!
        edit('gress-rules', (s) => {
          swap(s.egress, 0, 1);
          swap(s.ingress, 0, 1);
        }),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'deny'),
        // Second; let's test ingress works!
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 UDP/53', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 SCTP/9003', 'deny'),
      ],
      [
        "Should support a 'deny-gress' policy across different protocols at the specified ports",
        // First; let's test egress works!
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
        // Second; let's test ingress works!
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 UDP/53', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 UDP/5353', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9003', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
      ],
      [
        "Should support an 'pass-gress' policy across different protocols",
        // First; let's test egress works!
        edit('gress-rules', (s) => {
          swap(s.egress, 0, 2);
          swap(s.ingress, 0, 2);
        }),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        // Second; let's test ingress works!
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
      ],
      [
        "Should support a 'pass-gress' policy across different protocols at the specified ports",
        // First; let's test egress works!
        edit('gress-rules', (s) => {
          swap(s.egress, 3, 4);
          swap(s.ingress, 3, 4);
        }),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
        // Second; let's test ingress works!
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 UDP/5353', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  CNPAdminTierIngressSCTP: {
    manifest: 'admin_tier/standard-ingress-sctp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-ingress' policy for SCTP protocol; ensure rule ordering is respected",
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 SCTP/9005', 'allow'),
      ],
      [
        "Should support an 'allow-ingress' policy for SCTP protocol at the specified port",
        poke('hufflepuff/cedric-diggory-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> ravenclaw/luna-lovegood-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support an 'deny-ingress' policy for SCTP protocol; ensure rule ordering is respected",
        edit('ingress-sctp', (s) => swap(s.ingress, 0, 1)),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support a 'deny-ingress' policy for SCTP protocol at the specified port",
        poke('slytherin/draco-malfoy-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'deny'),
        poke('slytherin/draco-malfoy-1 -> ravenclaw/luna-lovegood-0 SCTP/9005', 'allow'),
      ],
      [
        "Should support an 'pass-ingress' policy for SCTP protocol; ensure rule ordering is respected",
        edit('ingress-sctp', (s) => swap(s.ingress, 0, 2)),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 SCTP/9005', 'allow'),
      ],
      [
        "Should support a 'pass-ingress' policy for SCTP protocol at the specified port",
        edit('ingress-sctp', (s) => swap(s.ingress, 3, 4)),
        poke('slytherin/draco-malfoy-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        poke('slytherin/draco-malfoy-1 -> ravenclaw/luna-lovegood-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  CNPAdminTierIngressTCP: {
    manifest: 'admin_tier/standard-ingress-tcp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-ingress' policy for TCP protocol; ensure rule ordering is respected",
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
      [
        "Should support an 'allow-ingress' policy for TCP protocol at the specified port",
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 TCP/8080', 'deny'),
      ],
      [
        'Should not affect egress traffic when only ingress rules are specified',
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
      ],
      [
        "Should support an 'deny-ingress' policy for TCP protocol; ensure rule ordering is respected",
        edit('ingress-tcp', (s) => swap(s.ingress, 0, 1)),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 TCP/8080', 'deny'),
      ],
      [
        "Should support a 'deny-ingress' policy for TCP protocol at the specified port",
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
      [
        "Should support an 'pass-ingress' policy for TCP protocol; ensure rule ordering is respected",
        edit('ingress-tcp', (s) => swap(s.ingress, 0, 2)),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
      [
        "Should support a 'pass-ingress' policy for TCP protocol at the specified port",
        edit('ingress-tcp', (s) => swap(s.ingress, 3, 4)),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
    ],
  },
  CNPAdminTierIngressUDP: {
    manifest: 'admin_tier/standard-ingress-udp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-ingress' policy for UDP protocol; ensure rule ordering is respected",
        poke('ravenclaw/luna-lovegood-0 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> hufflepuff/cedric-diggory-0 UDP/5353', 'allow'),
      ],
      [
        "Should support an 'allow-ingress' policy for UDP protocol at the specified port",
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 UDP/5353', 'deny'),
      ],
      [
        "Should support an 'deny-ingress' policy for UDP protocol; ensure rule ordering is respected",
        edit('ingress-udp', (s) => swap(s.ingress, 0, 1)),
        poke('ravenclaw/luna-lovegood-0 -> hufflepuff/cedric-diggory-1 UDP/53', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> hufflepuff/cedric-diggory-1 UDP/5353', 'deny'),
      ],
      [
        "Should support a 'deny-ingress' policy for UDP protocol at the specified port",
        poke('slytherin/draco-malfoy-0 -> hufflepuff/cedric-diggory-0 UDP/5353', 'deny'),
        poke('slytherin/draco-malfoy-1 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
      ],
      [
        "Should support an 'pass-ingress' policy for UDP protocol; ensure rule ordering is respected",
        edit('ingress-udp', (s) => swap(s.ingress, 0, 2)),
        poke('ravenclaw/luna-lovegood-0 -> hufflepuff/cedric-diggory-1 UDP/5353', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> hufflepuff/cedric-diggory-1 UDP/53', 'allow'),
      ],
      [
        "Should support a 'pass-ingress' policy for UDP protocol at the specified port",
        edit('ingress-udp', (s) => swap(s.ingress, 3, 4)),
        poke('slytherin/draco-malfoy-0 -> hufflepuff/cedric-diggory-0 UDP/5353', 'allow'),
        poke('slytherin/draco-malfoy-1 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
      ],
    ],
  },
  CNPAdminTierIntegration: {
    manifest: 'api_integration/standard-anp-np-banp.yaml',
    steps: [
      [
        'Should Deny traffic from slytherin to gryffindor respecting admin CNP',
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'deny'),
      ],
      [
        'Should Deny traffic to slytherin from gryffindor respecting admin CNP',
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'deny'),
      ],
      [
        "Should support a 'pass-ingress' policy for admin CNP and respect the match for network policy",
        edit('pass-example', (s) => (rule(s.ingress, 0).action = 'Pass')),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
      [
        "Should support a 'pass-egress' policy for admin CNP and respect the match for network policy",
        edit('pass-example', (s) => (rule(s.egress, 0).action = 'Pass')),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
      ],
      [
        "Should support a 'pass-ingress' policy for admin CNP and respect the match for baseline cluster network policy",
        deleteObject('NetworkPolicy', 'gryffindor/allow-gress-from-to-slytherin-to-gryffindor'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'deny'),
      ],
      [
        "Should support a 'pass-egress' policy for admin CNP and respect the match for baseline cluster network policy",
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'deny'),
      ],
    ],
  },
  CNPAdminTierPodSelector: {
    manifest: 'admin_tier/standard-pod-selector-rules.yaml',
    steps: [
      [
        'Should support pod selectors in egress peers',
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/8080', 'deny'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
      ],
      [
        'Should support pod selectors in ingress peers',
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        podLabel('hufflepuff/cedric-diggory-0', conformanceRoleLabel, 'blocked'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        podLabel('hufflepuff/cedric-diggory-0', conformanceRoleLabel, undefined),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        podLabel('hufflepuff/cedric-diggory-1', conformanceRoleLabel, 'blocked'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        podLabel('hufflepuff/cedric-diggory-0', conformanceRoleLabel, undefined),
        podLabel('hufflepuff/cedric-diggory-1', conformanceRoleLabel, undefined),
      ],
      [
        'Should support pod selectors in the subject',
        poke('slytherin/draco-malfoy-0 -> ravenclaw/luna-lovegood-1 TCP/80', 'allow'),
        podLabel('ravenclaw/luna-lovegood-0', conformanceRoleLabel, 'restricted'),
        poke('ravenclaw/luna-lovegood-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        podLabel('ravenclaw/luna-lovegood-0', conformanceRoleLabel, undefined),
        poke('ravenclaw/luna-lovegood-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        podLabel('ravenclaw/luna-lovegood-1', conformanceRoleLabel, 'restricted'),
        poke('ravenclaw/luna-lovegood-1 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        podLabel('ravenclaw/luna-lovegood-0', conformanceRoleLabel, undefined),
        podLabel('ravenclaw/luna-lovegood-1', conformanceRoleLabel, undefined),
      ],
    ],
  },
  CNPAdminTierPortRange: {
    manifest: 'admin_tier/standard-port-range-rules-combined.yaml',
    steps: [
      [
        'Should support egress port range rules across different protocols',
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
      ],
      [
        'Should support ingress port range rules across different protocols',
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 UDP/53', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-0 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
      ],
    ],
  },
  CNPAdminTierPriorityField: {
    manifest: 'admin_tier/standard-priority-field.yaml',
    steps: [
      [
        'Should Deny traffic from slytherin to gryffindor respecting admin CNP',
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'deny'),
      ],
      [
        'Should Deny traffic to slytherin from gryffindor respecting admin CNP',
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'deny'),
      ],
      [
        'Should respect admin CNP priority field; thus passing both ingress and egress traffic over to baseline CNP',
        edit('old-priority-60-new-priority-40-example', (s) => (s.priority = 40)),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
      ],
    ],
  },
  CNPAdminTierSamePriority: {
    manifest: 'admin_tier/standard-same-priority.yaml',
    steps: [
      [
        'Should deny traffic in both directions for each same-priority policy',
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> hufflepuff/cedric-diggory-0 TCP/8080', 'deny'),
        poke('hufflepuff/cedric-diggory-1 -> slytherin/draco-malfoy-0 TCP/8080', 'deny'),
      ],
      [
        "Should not apply one same-priority policy's rules to another policy's subject",
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
        poke('slytherin/draco-malfoy-1 -> hufflepuff/cedric-diggory-0 TCP/80', 'allow'),
        poke('hufflepuff/cedric-diggory-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
      ],
      [
        'Should not affect traffic matching no same-priority policy',
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
      ],
    ],
  },
  CNPBaselineTierEgressNamedPort: {
    manifest: 'baseline_tier/standard-egress-udp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' policy for named port",
        edit('default', (s) => (rule(s.egress, 3).protocols = [{ destinationNamedPort: 'dns' }])),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 UDP/53', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 UDP/5353', 'deny'),
      ],
    ],
  },
  CNPBaselineTierEgressNodePeers: {
    manifest: 'baseline_tier/experimental-egress-selector-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' rule policy for egress-node-peer",
        poke('gryffindor/harry-potter-0 -> forbidden-forrest/centaur-1 TCP/30000', 'allow'),
        poke('gryffindor/harry-potter-1 -> forbidden-forrest/centaur-1 TCP/30001', 'allow'),
      ],
      [
        "Should support a 'deny-egress' rule policy for egress-node-peer",
        poke('gryffindor/harry-potter-1 -> forbidden-forrest/centaur-1 UDP/30004', 'deny'),
        poke('gryffindor/harry-potter-1 -> forbidden-forrest/centaur-1 SCTP/30006', 'deny'),
      ],
    ],
  },
  CNPBaselineTierIngressNamedPort: {
    manifest: 'baseline_tier/standard-ingress-tcp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-ingress' policy for named port",
        edit('default', (s) => (rule(s.ingress, 3).protocols = [{ destinationNamedPort: 'web' }])),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 TCP/8080', 'deny'),
      ],
    ],
  },
  CNPBaselineTierEgressInlineCIDRPeers: {
    manifest: 'baseline_tier/standard-egress-inline-cidr-rules.yaml',
    steps: [
      [
        "Should support a 'deny-egress' rule policy for egress-cidr-peer",
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
        namespaceLabels('slytherin', { 'conformance-house': 'denied-namespace-label' }),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9003', 'deny'),
        namespaceLabels('slytherin', { 'conformance-house': 'slytherin' }),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
      ],
      [
        "Should support an 'allow-egress' rule policy for egress-cidr-peer",
        edit('default', (s) =>
          s.egress.unshift({
            name: 'allow-egress-to-specific-podIPs',
            action: 'Accept',
            to: [
              {
                networks: [
                  `${podIP('ravenclaw/luna-lovegood-0')}/32`,
                  `${podIP('hufflepuff/cedric-diggory-0')}/32`,
                ],
              },
            ],
          }),
        ),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 SCTP/9003', 'deny'),
      ],
    ],
  },
  CNPBaselineTierEgressSCTP: {
    manifest: 'baseline_tier/standard-egress-sctp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' policy for SCTP protocol; ensure rule ordering is respected",
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
      ],
      [
        "Should support an 'allow-egress' policy for SCTP protocol at the specified port",
        poke('ravenclaw/luna-lovegood-0 -> hufflepuff/cedric-diggory-1 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> hufflepuff/cedric-diggory-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support an 'deny-egress' policy for SCTP protocol; ensure rule ordering is respected",
        edit('default', (s) => swap(s.egress, 0, 1)),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 SCTP/9003', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support a 'deny-egress' policy for SCTP protocol at the specified port",
        poke('ravenclaw/luna-lovegood-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  CNPBaselineTierEgressTCP: {
    manifest: 'baseline_tier/standard-egress-tcp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' policy for TCP protocol; ensure rule ordering is respected",
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 TCP/8080', 'allow'),
      ],
      [
        "Should support an 'allow-egress' policy for TCP protocol at the specified port",
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'deny'),
      ],
      [
        'Should not affect ingress traffic when only egress rules are specified',
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
      ],
      [
        "Should support an 'deny-egress' policy for TCP protocol; ensure rule ordering is respected",
        edit('default', (s) => swap(s.egress, 0, 1)),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 TCP/8080', 'deny'),
      ],
      [
        "Should support a 'deny-egress' policy for TCP protocol at the specified port",
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
      ],
    ],
  },
  CNPBaselineTierEgressUDP: {
    manifest: 'baseline_tier/standard-egress-udp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-egress' policy for UDP protocol; ensure rule ordering is respected",
        poke('hufflepuff/cedric-diggory-0 -> ravenclaw/luna-lovegood-0 UDP/53', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> ravenclaw/luna-lovegood-0 UDP/5353', 'allow'),
      ],
      [
        "Should support an 'allow-egress' policy for UDP protocol at the specified port",
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 UDP/53', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 UDP/5353', 'deny'),
      ],
      [
        "Should support an 'deny-egress' policy for UDP protocol; ensure rule ordering is respected",
        edit('default', (s) => swap(s.egress, 0, 1)),
        poke('hufflepuff/cedric-diggory-0 -> ravenclaw/luna-lovegood-1 UDP/53', 'deny'),
        poke('hufflepuff/cedric-diggory-1 -> ravenclaw/luna-lovegood-1 UDP/5353', 'deny'),
      ],
      [
        "Should support a 'deny-egress' policy for UDP protocol at the specified port",
        poke('hufflepuff/cedric-diggory-0 -> slytherin/draco-malfoy-0 UDP/5353', 'deny'),
        poke('hufflepuff/cedric-diggory-1 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
      ],
    ],
  },
  CNPBaselineTierGress: {
    manifest: 'baseline_tier/standard-gress-rules-combined.yaml',
    steps: [
      [
        "Should support an 'allow-gress' policy across different protocols",
        // First; let's test egress works!
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        // Second; let's test ingress works!
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
      ],
      [
        "Should support an 'allow-gress' policy across different protocols at the specified ports",
        // First; let's test egress works!
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 SCTP/9005', 'deny'),
        // Second; let's test ingress works!
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 TCP/8080', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 UDP/53', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 SCTP/9003', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support an 'deny-gress' policy across different protocols",
        // First; let's test egress works!
        edit('default', (s) => {
          swap(s.egress, 0, 1);
          swap(s.ingress, 0, 1);
        }),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'deny'),
        // Second; let's test ingress works!
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 UDP/53', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 SCTP/9003', 'deny'),
      ],
      [
        "Should support a 'deny-gress' policy across different protocols at the specified ports",
        // First; let's test egress works!
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
        // Second; let's test ingress works!
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 UDP/53', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 UDP/5353', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9003', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  CNPBaselineTierIngressSCTP: {
    manifest: 'baseline_tier/standard-ingress-sctp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-ingress' policy for SCTP protocol; ensure rule ordering is respected",
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 SCTP/9005', 'allow'),
      ],
      [
        "Should support an 'allow-ingress' policy for SCTP protocol at the specified port",
        poke('hufflepuff/cedric-diggory-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> ravenclaw/luna-lovegood-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support an 'deny-ingress' policy for SCTP protocol; ensure rule ordering is respected",
        edit('default', (s) => swap(s.ingress, 0, 1)),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support a 'deny-ingress' policy for SCTP protocol at the specified port",
        poke('slytherin/draco-malfoy-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'deny'),
        poke('slytherin/draco-malfoy-1 -> ravenclaw/luna-lovegood-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  CNPBaselineTierIngressTCP: {
    manifest: 'baseline_tier/standard-ingress-tcp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-ingress' policy for TCP protocol; ensure rule ordering is respected",
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
      [
        "Should support an 'allow-ingress' policy for TCP protocol at the specified port",
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 TCP/8080', 'deny'),
      ],
      [
        'Should not affect egress traffic when only ingress rules are specified',
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
      ],
      [
        "Should support an 'deny-ingress' policy for TCP protocol; ensure rule ordering is respected",
        edit('default', (s) => swap(s.ingress, 0, 1)),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 TCP/8080', 'deny'),
      ],
      [
        "Should support a 'deny-ingress' policy for TCP protocol at the specified port",
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
    ],
  },
  CNPBaselineTierIngressUDP: {
    manifest: 'baseline_tier/standard-ingress-udp-rules.yaml',
    steps: [
      [
        "Should support an 'allow-ingress' policy for UDP protocol; ensure rule ordering is respected",
        poke('ravenclaw/luna-lovegood-0 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> hufflepuff/cedric-diggory-0 UDP/5353', 'allow'),
      ],
      [
        "Should support an 'allow-ingress' policy for UDP protocol at the specified port",
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 UDP/5353', 'deny'),
      ],
      [
        "Should support an 'deny-ingress' policy for UDP protocol; ensure rule ordering is respected",
        edit('default', (s) => swap(s.ingress, 0, 1)),
        poke('ravenclaw/luna-lovegood-0 -> hufflepuff/cedric-diggory-1 UDP/53', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> hufflepuff/cedric-diggory-1 UDP/5353', 'deny'),
      ],
      [
        "Should support a 'deny-ingress' policy for UDP protocol at the specified port",
        poke('slytherin/draco-malfoy-0 -> hufflepuff/cedric-diggory-0 UDP/5353', 'deny'),
        poke('slytherin/draco-malfoy-1 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
      ],
    ],
  },
  CNPBaselineTierPodSelector: {
    manifest: 'baseline_tier/standard-pod-selector-rules.yaml',
    steps: [
      [
        'Should support pod selectors in egress peers',
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/8080', 'deny'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
      ],
      [
        'Should support pod selectors in ingress peers',
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        podLabel('hufflepuff/cedric-diggory-0', conformanceRoleLabel, 'blocked'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        podLabel('hufflepuff/cedric-diggory-0', conformanceRoleLabel, undefined),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        podLabel('hufflepuff/cedric-diggory-1', conformanceRoleLabel, 'blocked'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        podLabel('hufflepuff/cedric-diggory-0', conformanceRoleLabel, undefined),
        podLabel('hufflepuff/cedric-diggory-1', conformanceRoleLabel, undefined),
      ],
      [
        'Should support pod selectors in the subject',
        poke('slytherin/draco-malfoy-0 -> ravenclaw/luna-lovegood-1 TCP/80', 'allow'),
        podLabel('ravenclaw/luna-lovegood-0', conformanceRoleLabel, 'restricted'),
        poke('ravenclaw/luna-lovegood-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        podLabel('ravenclaw/luna-lovegood-0', conformanceRoleLabel, undefined),
        poke('ravenclaw/luna-lovegood-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        podLabel('ravenclaw/luna-lovegood-1', conformanceRoleLabel, 'restricted'),
        poke('ravenclaw/luna-lovegood-1 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        podLabel('ravenclaw/luna-lovegood-0', conformanceRoleLabel, undefined),
        podLabel('ravenclaw/luna-lovegood-1', conformanceRoleLabel, undefined),
      ],
    ],
  },
  CNPBaselineTierPortRange: {
    manifest: 'baseline_tier/standard-port-range-rules-combined.yaml',
    steps: [
      [
        'Should support egress port range rules across different protocols',
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
      ],
      [
        'Should support ingress port range rules across different protocols',
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 UDP/53', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-0 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
      ],
    ],
  },
  CNPBaselineTierSamePriority: {
    manifest: 'baseline_tier/standard-same-priority.yaml',
    steps: [
      [
        'Should deny traffic in both directions for each same-priority policy',
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-1 TCP/80', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> hufflepuff/cedric-diggory-1 TCP/8080', 'deny'),
        poke('hufflepuff/cedric-diggory-1 -> slytherin/draco-malfoy-1 TCP/8080', 'deny'),
      ],
      [
        "Should not apply one same-priority policy's rules to another policy's subject",
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-1 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-1 TCP/8080', 'allow'),
        poke('slytherin/draco-malfoy-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'allow'),
        poke('hufflepuff/cedric-diggory-0 -> slytherin/draco-malfoy-1 TCP/80', 'allow'),
      ],
      [
        'Should not affect traffic matching no same-priority policy',
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 TCP/80', 'allow'),
      ],
    ],
  },
};

runSuite('test/fixtures/npapi-conformance', SUITE);
