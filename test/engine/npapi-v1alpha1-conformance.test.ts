/**
 * The conformance suite of sigs.k8s.io/network-policy-api v0.1.1 (conformance/tests/*.go), the suite of the
 * v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy, case by case, on netfence's engine: all 16
 * tests under their ShortName, each `t.Run` a step in the same order, with the same edits (`Client.Update`
 * after rules were swapped, an action or the priority changed; `Client.Delete` of the NetworkPolicy) and the
 * same probes (`PokeServer`: client pod, protocol, server pod, port, whether it connects): 79 steps, 230
 * probes. The verdicts are the suite's, never netfence's. As in the suite, a test's edits carry over to its
 * later steps.
 *
 * The manifests are the suite's own, unchanged (test/fixtures/npapi-v1alpha1-conformance/, copied from
 * conformance/base), on the cluster its base/manifests.yaml makes, written as the snapshot a cluster gives
 * (the two Pods of each StatefulSet with their IPs, the two Nodes): that folder's README.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { networkPolicyApiDir } from '../support/crds.ts';
import {
  editPolicy,
  deleteObject,
  poke,
  rule,
  runSuite,
  swap,
  type Spec,
  type Suite,
} from './npapi-world.ts';

/** `Client.Update` of an AdminNetworkPolicy after an edit of its spec. */
const anp = (name: string, change: (spec: Spec) => unknown) => editPolicy('AdminNetworkPolicy', name, change);
/** `Client.Update` of the BaselineAdminNetworkPolicy after an edit of its spec. */
const banp = (name: string, change: (spec: Spec) => unknown) =>
  editPolicy('BaselineAdminNetworkPolicy', name, change);

const SUITE: Suite = {
  AdminNetworkPolicyEgressSCTP: {
    manifest: 'admin_network_policy/core-egress-sctp-rules.yaml',
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
        anp('egress-sctp', (s) => swap(s.egress, 0, 1)),
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
        anp('egress-sctp', (s) => swap(s.egress, 0, 2)),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 SCTP/9005', 'allow'),
      ],
      [
        "Should support a 'pass-egress' policy for SCTP protocol at the specified port",
        anp('egress-sctp', (s) => swap(s.egress, 3, 4)),
        poke('ravenclaw/luna-lovegood-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  AdminNetworkPolicyEgressTCP: {
    manifest: 'admin_network_policy/core-egress-tcp-rules.yaml',
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
        "Should support an 'deny-egress' policy for TCP protocol; ensure rule ordering is respected",
        anp('egress-tcp', (s) => swap(s.egress, 0, 1)),
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
        anp('egress-tcp', (s) => swap(s.egress, 0, 2)),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 TCP/8080', 'allow'),
      ],
      [
        "Should support a 'pass-egress' policy for TCP protocol at the specified port",
        anp('egress-tcp', (s) => swap(s.egress, 3, 4)),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
      ],
    ],
  },
  AdminNetworkPolicyEgressUDP: {
    manifest: 'admin_network_policy/core-egress-udp-rules.yaml',
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
        anp('egress-udp', (s) => swap(s.egress, 0, 1)),
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
        anp('egress-udp', (s) => swap(s.egress, 0, 2)),
        poke('hufflepuff/cedric-diggory-0 -> ravenclaw/luna-lovegood-1 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> ravenclaw/luna-lovegood-1 UDP/53', 'allow'),
      ],
      [
        "Should support a 'pass-egress' policy for UDP protocol at the specified port",
        anp('egress-udp', (s) => swap(s.egress, 3, 4)),
        poke('hufflepuff/cedric-diggory-0 -> slytherin/draco-malfoy-0 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
      ],
    ],
  },
  AdminNetworkPolicyGress: {
    manifest: 'admin_network_policy/core-gress-rules-combined.yaml',
    steps: [
      [
        "Should support an 'allow-gress' policy across different protocols",
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
      ],
      [
        "Should support an 'allow-gress' policy across different protocols at the specified ports",
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 SCTP/9005', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 TCP/8080', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 UDP/53', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 SCTP/9003', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support an 'deny-gress' policy across different protocols",
        anp('gress-rules', (s) => {
          swap(s.egress, 0, 1);
          swap(s.ingress, 0, 1);
        }),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'deny'),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 UDP/53', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 SCTP/9003', 'deny'),
      ],
      [
        "Should support a 'deny-gress' policy across different protocols at the specified ports",
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 UDP/53', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 UDP/5353', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9003', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
      ],
      [
        "Should support an 'pass-gress' policy across different protocols",
        anp('gress-rules', (s) => {
          swap(s.egress, 0, 2);
          swap(s.ingress, 0, 2);
        }),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
      ],
      [
        "Should support a 'pass-gress' policy across different protocols at the specified ports",
        anp('gress-rules', (s) => {
          swap(s.egress, 3, 4);
          swap(s.ingress, 3, 4);
        }),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 UDP/5353', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  AdminNetworkPolicyIngressSCTP: {
    manifest: 'admin_network_policy/core-ingress-sctp-rules.yaml',
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
        anp('ingress-sctp', (s) => swap(s.ingress, 0, 1)),
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
        anp('ingress-sctp', (s) => swap(s.ingress, 0, 2)),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 SCTP/9005', 'allow'),
      ],
      [
        "Should support a 'pass-ingress' policy for SCTP protocol at the specified port",
        anp('ingress-sctp', (s) => swap(s.ingress, 3, 4)),
        poke('slytherin/draco-malfoy-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        poke('slytherin/draco-malfoy-1 -> ravenclaw/luna-lovegood-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  AdminNetworkPolicyIngressTCP: {
    manifest: 'admin_network_policy/core-ingress-tcp-rules.yaml',
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
        "Should support an 'deny-ingress' policy for TCP protocol; ensure rule ordering is respected",
        anp('ingress-tcp', (s) => swap(s.ingress, 0, 1)),
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
        anp('ingress-tcp', (s) => swap(s.ingress, 0, 2)),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
      [
        "Should support a 'pass-ingress' policy for TCP protocol at the specified port",
        anp('ingress-tcp', (s) => swap(s.ingress, 3, 4)),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
    ],
  },
  AdminNetworkPolicyIngressUDP: {
    manifest: 'admin_network_policy/core-ingress-udp-rules.yaml',
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
        anp('ingress-udp', (s) => swap(s.ingress, 0, 1)),
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
        anp('ingress-udp', (s) => swap(s.ingress, 0, 2)),
        poke('ravenclaw/luna-lovegood-0 -> hufflepuff/cedric-diggory-1 UDP/5353', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> hufflepuff/cedric-diggory-1 UDP/53', 'allow'),
      ],
      [
        "Should support a 'pass-ingress' policy for UDP protocol at the specified port",
        anp('ingress-udp', (s) => swap(s.ingress, 3, 4)),
        poke('slytherin/draco-malfoy-0 -> hufflepuff/cedric-diggory-0 UDP/5353', 'allow'),
        poke('slytherin/draco-malfoy-1 -> hufflepuff/cedric-diggory-0 UDP/53', 'allow'),
      ],
    ],
  },
  AdminNetworkPolicyIntegration: {
    manifest: 'api_integration/core-anp-np-banp.yaml',
    steps: [
      [
        'Should Deny traffic from slytherin to gryffindor respecting ANP',
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'deny'),
      ],
      [
        'Should Deny traffic to slytherin from gryffindor respecting ANP',
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'deny'),
      ],
      [
        "Should support a 'pass-ingress' policy for ANP and respect the match for network policy",
        anp('pass-example', (s) => (rule(s.ingress, 0).action = 'Pass')),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
      ],
      [
        "Should support a 'pass-egress' policy for ANP and respect the match for network policy",
        anp('pass-example', (s) => (rule(s.egress, 0).action = 'Pass')),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
      ],
      [
        "Should support a 'pass-ingress' policy for ANP and respect the match for baseline admin network policy",
        deleteObject('NetworkPolicy', 'gryffindor/allow-gress-from-to-slytherin-to-gryffindor'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'deny'),
      ],
      [
        "Should support a 'pass-egress' policy for ANP and respect the match for baseline admin network policy",
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'deny'),
      ],
    ],
  },
  AdminNetworkPolicyPriorityField: {
    manifest: 'admin_network_policy/core-priority-field.yaml',
    steps: [
      [
        'Should Deny traffic from slytherin to gryffindor respecting ANP',
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'deny'),
      ],
      [
        'Should Deny traffic to slytherin from gryffindor respecting ANP',
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'deny'),
      ],
      [
        'Should respect ANP priority field; thus passing both ingress and egress traffic over to BANP',
        anp('old-priority-60-new-priority-40-example', (s) => (s.priority = 40)),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
      ],
    ],
  },
  BaselineAdminNetworkPolicyEgressSCTP: {
    manifest: 'baseline_admin_network_policy/core-egress-sctp-rules.yaml',
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
        banp('default', (s) => swap(s.egress, 0, 1)),
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
  BaselineAdminNetworkPolicyEgressTCP: {
    manifest: 'baseline_admin_network_policy/core-egress-tcp-rules.yaml',
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
        "Should support an 'deny-egress' policy for TCP protocol; ensure rule ordering is respected",
        banp('default', (s) => swap(s.egress, 0, 1)),
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
  BaselineAdminNetworkPolicyEgressUDP: {
    manifest: 'baseline_admin_network_policy/core-egress-udp-rules.yaml',
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
        banp('default', (s) => swap(s.egress, 0, 1)),
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
  BaselineAdminNetworkPolicyGress: {
    manifest: 'baseline_admin_network_policy/core-gress-rules-combined.yaml',
    steps: [
      [
        "Should support an 'allow-gress' policy across different protocols",
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 TCP/80', 'allow'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-0 UDP/53', 'allow'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-0 SCTP/9003', 'allow'),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-0 TCP/80', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 UDP/53', 'allow'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-0 SCTP/9003', 'allow'),
      ],
      [
        "Should support an 'allow-gress' policy across different protocols at the specified ports",
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> hufflepuff/cedric-diggory-1 SCTP/9003', 'allow'),
        poke('gryffindor/harry-potter-1 -> hufflepuff/cedric-diggory-1 SCTP/9005', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 TCP/80', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 TCP/8080', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 UDP/5353', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 UDP/53', 'deny'),
        poke('hufflepuff/cedric-diggory-0 -> gryffindor/harry-potter-1 SCTP/9003', 'allow'),
        poke('hufflepuff/cedric-diggory-1 -> gryffindor/harry-potter-1 SCTP/9005', 'deny'),
      ],
      [
        "Should support an 'deny-gress' policy across different protocols",
        banp('default', (s) => {
          swap(s.egress, 0, 1);
          swap(s.ingress, 0, 1);
        }),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> ravenclaw/luna-lovegood-1 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-0 -> ravenclaw/luna-lovegood-1 SCTP/9003', 'deny'),
        poke('ravenclaw/luna-lovegood-0 -> gryffindor/harry-potter-1 TCP/80', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 UDP/53', 'deny'),
        poke('ravenclaw/luna-lovegood-1 -> gryffindor/harry-potter-1 SCTP/9003', 'deny'),
      ],
      [
        "Should support a 'deny-gress' policy across different protocols at the specified ports",
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 TCP/80', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 TCP/8080', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 UDP/53', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 UDP/5353', 'allow'),
        poke('gryffindor/harry-potter-0 -> slytherin/draco-malfoy-0 SCTP/9003', 'deny'),
        poke('gryffindor/harry-potter-1 -> slytherin/draco-malfoy-0 SCTP/9005', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 TCP/80', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 TCP/8080', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 UDP/53', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 UDP/5353', 'allow'),
        poke('slytherin/draco-malfoy-0 -> gryffindor/harry-potter-0 SCTP/9003', 'deny'),
        poke('slytherin/draco-malfoy-1 -> gryffindor/harry-potter-0 SCTP/9005', 'allow'),
      ],
    ],
  },
  BaselineAdminNetworkPolicyIngressSCTP: {
    manifest: 'baseline_admin_network_policy/core-ingress-sctp-rules.yaml',
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
        banp('default', (s) => swap(s.ingress, 0, 1)),
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
  BaselineAdminNetworkPolicyIngressTCP: {
    manifest: 'baseline_admin_network_policy/core-ingress-tcp-rules.yaml',
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
        "Should support an 'deny-ingress' policy for TCP protocol; ensure rule ordering is respected",
        banp('default', (s) => swap(s.ingress, 0, 1)),
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
  BaselineAdminNetworkPolicyIngressUDP: {
    manifest: 'baseline_admin_network_policy/core-ingress-udp-rules.yaml',
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
        banp('default', (s) => swap(s.ingress, 0, 1)),
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
};

const FIXTURES = 'test/fixtures/npapi-v1alpha1-conformance';
runSuite(FIXTURES, SUITE);

/** The files of a folder and its subfolders, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/**
 * The suite as its Go source says it: per ShortName its manifest, and per `t.Run` its probes in order
 * (`'<client> -> <server> <PROTOCOL>/<port> allow|deny'`, the server the last pod fetched into the variable
 * the probe reads the IP of). The source is regular enough for that: every probe is one `PokeServer` call of
 * the same form.
 */
function suiteOfSource(tests: string): Record<string, { manifest: string; steps: string[][] }> {
  const prefix = 'network-policy-conformance-';
  const out: Record<string, { manifest: string; steps: string[][] }> = {};
  for (const file of readdirSync(tests).filter((f) => f.endsWith('.go') && f !== 'main.go')) {
    const go = readFileSync(join(tests, file), 'utf8');
    const short = /ShortName:\s*"(\w+)"/.exec(go)?.[1];
    const manifest = /Manifests: \[\]string\{"base\/([^"]+)"\}/.exec(go)?.[1];
    assert.ok(short !== undefined && manifest !== undefined, file);
    const steps: string[][] = [];
    const pods = new Map<string, string>();
    const tokens =
      /t\.Run\("([^"]*)"|ObjectKey\{\s*Namespace:\s*"([^"]+)",\s*Name:\s*"([^"]+)",\s*\},\s*(\w+)\)|PokeServer\(t,\s*"([^"]+)",\s*"([^"]+)",\s*"(\w+)",\s*(\w+)\.Status\.PodIP,\s*int32\((\d+)\),\s*s\.TimeoutConfig\.RequestTimeout,\s*(true|false)\)/g;
    for (const m of go.matchAll(tokens)) {
      if (m[1] !== undefined) steps.push([m[1]]);
      else if (m[4] !== undefined) pods.set(m[4], `${m[2]!.slice(prefix.length)}/${m[3]!}`);
      else {
        const client = `${m[5]!.slice(prefix.length)}/${m[6]!}`;
        const verdict = m[10] === 'true' ? 'allow' : 'deny';
        steps.at(-1)!.push(`${client} -> ${pods.get(m[8]!)!} ${m[7]!.toUpperCase()}/${m[9]!} ${verdict}`);
      }
    }
    out[short] = { manifest, steps };
  }
  return out;
}

describe('the transcription is the suite (with network-policy-api v0.1.1 at hand)', () => {
  const module = networkPolicyApiDir('v0.1.1');
  const skip = typeof module === 'string' ? false : module.skip;
  const dir = typeof module === 'string' ? module : '';

  test("the manifests are conformance/base's, byte for byte", { skip }, () => {
    const base = join(dir, 'conformance/base');
    const copied = filesUnder(FIXTURES).filter((f) => f.includes('/'));
    assert.deepEqual(
      copied,
      filesUnder(base).filter((f) => f.includes('/')),
    );
    for (const f of copied)
      assert.equal(readFileSync(join(FIXTURES, f), 'utf8'), readFileSync(join(base, f), 'utf8'), f);
  });

  test('every test, step and probe of conformance/tests/*.go, in order, with its verdict', { skip }, () => {
    const transcribed = Object.fromEntries(
      Object.entries(SUITE).map(([short, { manifest, steps }]) => [
        short,
        {
          manifest,
          steps: steps.map(([name, ...ops]) => [
            name,
            ...ops.flatMap((op) => (op.probe === undefined ? [] : [op.probe])),
          ]),
        },
      ]),
    );
    const source = suiteOfSource(join(dir, 'conformance/tests'));
    assert.deepEqual(transcribed, source);
    assert.equal(Object.values(source).flatMap((t) => t.steps.flatMap((s) => s.slice(1))).length, 230);
  });
});
