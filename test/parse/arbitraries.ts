/** Random manifests for the parse property tests: objects of random values, written in every YAML style. */
import fc from 'fast-check';
import { stringify } from 'yaml';

/** The text of one to three ConfigMaps with a random `spec`, in one style: block or flow, quoted or not, a List or documents. */
export const manifestTexts: fc.Arbitrary<string> = (() => {
  const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('a', 'b', 'name', 'ports', '1', 'true'));
  const scalar = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('0x10', 'yes', '~', '1e3', '- a', ': b', '#', '"', "'", '\n', ' x '),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: 4 }),
    map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  })).node;
  const style = fc.record({
    flow: fc.boolean(),
    quote: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
    indent: fc.integer({ min: 1, max: 4 }),
    seqIndent: fc.boolean(),
    list: fc.boolean(),
  });
  return fc.tuple(fc.array(value, { minLength: 1, maxLength: 3 }), style).map(([specs, s]) => {
    const objects = specs.map((spec, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `m${i}` },
      spec,
    }));
    const options = {
      collectionStyle: s.flow ? ('flow' as const) : ('block' as const),
      defaultStringType: s.quote as 'PLAIN',
      indent: s.indent,
      indentSeq: s.seqIndent,
    };
    return s.list
      ? stringify({ apiVersion: 'v1', kind: 'List', items: objects }, options)
      : objects.map((o) => stringify(o, options)).join('---\n');
  });
})();
