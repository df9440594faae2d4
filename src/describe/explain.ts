/** Explain's ends and the reasons of its near misses in words. */
import type { ExplainEnd, MissReason, MissedAddress } from '../engine/explain.ts';
import type { Requirement } from '../engine/selectors.ts';
import { formatPortList } from './ports.ts';
import { describeRequirement } from './selectors.ts';

/** `namespace "shop" lacks label team=payments`, `shop/web has app=web, not app=checkout`… */
function requirementMiss(subject: string, r: Requirement, labels: Readonly<Record<string, string>>): string {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'In':
      if (!has) return `${subject} lacks label ${describeRequirement(r)}`;
      return `${subject} has ${r.key}=${value!}, not ${describeRequirement(r)}`;
    case 'NotIn':
      return `${subject} has ${r.key}=${value!}, excluded by ${describeRequirement(r)}`;
    case 'Exists':
      return `${subject} lacks a label ${r.key}`;
    case 'DoesNotExist':
      return `${subject} has label ${r.key}=${value!}, which the selector excludes (!${r.key})`;
  }
}

/** The end's name; one class of a workload whose pods differ: `shop/web (pods web-1, web-2)`. */
export function endName(e: ExplainEnd): string {
  if (e.kind !== 'pod' || e.pods === undefined) return e.name;
  return `${e.name} (pod${e.pods.length === 1 ? '' : 's'} ${e.pods.join(', ')})`;
}

function addressName(a: MissedAddress): string {
  return a.podIp ? `the IP of ${endName(a.end)}` : endName(a.end);
}

/** One line: why the rule missed. */
export function missMessage(r: MissReason): string {
  switch (r.code) {
    case 'port-not-in-rule':
      return `${formatPortList(r.query)} not in the rule's ports ${formatPortList(r.rulePorts)}`;
    case 'named-port-undefined': {
      const defined = r.defined.map((np) => `${np.name} ${np.port}/${np.protocol}`);
      return `named port "${r.port}" (${r.protocol}) is not defined on ${endName(r.dst)} (${defined.length === 0 ? 'it names no ports' : `its named ports: ${defined.join(', ')}`})`;
    }
    case 'named-port-to-address':
      return `named port "${r.port}" (${r.protocol}) resolves only on pods, and ${endName(r.dst)} is outside the cluster`;
    case 'other-namespace':
      return `${endName(r.peer)} is in namespace "${r.namespace}"; without a namespaceSelector the peer means pods of the policy's namespace "${r.policyNamespace}"`;
    case 'namespace-labels':
      return requirementMiss(`namespace "${r.namespace}"`, r.requirement, r.labels);
    case 'pod-labels':
      return requirementMiss(endName(r.peer), r.requirement, r.labels);
    case 'host-network':
      return `${endName(r.peer)} runs on the host network, where pod and namespace selectors never match`;
    case 'not-a-pod':
      return `the peer selects pods, and ${endName(r.peer)} is outside the cluster`;
    case 'pod-ip-unknown':
      return `${endName(r.peer)} has no known IP address: an ipBlock matches a pod only by its IP`;
    case 'ipblock-ignores-pods':
      return `ipBlock peers do not match pods here (--ipblock-matches-pods=false)`;
    case 'outside-cidr':
      return `${addressName(r.address)} is not in ipBlock ${r.cidr}`;
    case 'in-except':
      return `${addressName(r.address)} is in except ${r.except} of ipBlock ${r.cidr}`;
  }
}
