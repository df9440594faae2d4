import { sameObject } from '../../parse/build.ts';
import type { ParsedObject } from '../../parse/types.ts';
import { RuleCategory, defineRule } from '../types.ts';

function metadataString(source: ParsedObject, field: 'name' | 'namespace'): string | undefined {
  const meta = source.object.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return undefined;
  const value = (meta as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export default defineRule({
  id: 'no-duplicate-policy-name',
  meta: {
    severity: 'error',
    category: RuleCategory.Mistakes,
    description: 'Each NetworkPolicy name is defined once per namespace',
    rationale:
      'Two NetworkPolicies with the same name in the same namespace are one object on the cluster: "kubectl apply" of the folder keeps the last one and silently drops the rules of the other. It usually comes from copying a policy and forgetting to rename it. netfence analyzes the first definition.',
    fix: 'Rename one of the two policies, or merge their rules into one.',
    supersedes: ['duplicate-object'],
    messages: {
      duplicate:
        'NetworkPolicy "{{name}}" is already defined in namespace "{{ns}}" at {{first}}; "kubectl apply" keeps only the last one, so rename one or merge them',
    },
  },
  check(ctx) {
    const first = new Map<string, ParsedObject>();
    for (const source of ctx.sources) {
      if (source.kind !== 'NetworkPolicy') continue;
      const name = metadataString(source, 'name');
      if (name === undefined) continue;
      const ns = metadataString(source, 'namespace') ?? ctx.defaultNamespace;
      const key = `${ns}/${name}`;
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, source);
        continue;
      }
      // The same policy twice (multi-chart helm template output) is read once: nothing is lost.
      if (sameObject(earlier, source)) continue;
      ctx.report({
        messageId: 'duplicate',
        data: { name, ns, first: `${earlier.file}:${earlier.line}` },
        subject: { source },
        path: ['metadata', 'name'],
      });
    }
  },
});
