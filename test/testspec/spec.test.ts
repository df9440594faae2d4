/**
 * Reachability specs are parsed with positions: every problem names its file, line and column, quotes the bad
 * value and, where there is one, suggests the fix.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPorts } from '../../src/describe/ports.ts';
import { formatProblem } from '../../src/model/problem.ts';
import { parseSpec, type SpecParse } from '../../src/testspec/spec.ts';

/** Inline YAML without the source's indentation, so that line and column numbers read as in the file. */
function yaml(strings: TemplateStringsArray): string {
  const lines = strings.join('').replace(/^\n/, '').split('\n');
  const margin = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return lines.map((l) => l.slice(margin)).join('\n');
}

function problems(r: SpecParse): string[] {
  return r.ok ? r.warnings.map(formatProblem) : r.problems.map(formatProblem);
}

describe('parseSpec: a valid spec', () => {
  test('every field, scalar or list', () => {
    const r = parseSpec(
      yaml`
        tests:
          - name: web reaches the API
            from: shop/web
            to: [shop/api, shop/cart]
            port: [8080/TCP, 53/UDP, 9000-9100, SCTP]
            expect: allow
          - from: "*"
            to: data/postgres
            expect: deny
            except: shop/api
      `,
      'spec.yaml',
    );
    assert.ok(r.ok, problems(r).join('\n'));
    const [a, b] = r.spec.tests;
    assert.deepEqual(
      [
        a!.name,
        a!.from.map((x) => x.text),
        a!.to.map((x) => x.text),
        a!.ports?.map((p) => formatPorts(p.ports)),
        a!.expect,
      ],
      [
        'web reaches the API',
        ['shop/web'],
        ['shop/api', 'shop/cart'],
        ['TCP 8080', 'UDP 53', 'TCP 9000-9100', 'SCTP all ports'],
        'allow',
      ],
    );
    // A test without a name is named after what it checks.
    assert.deepEqual(
      [b!.name, b!.ports, b!.except.map((x) => x.text), b!.location.line],
      ['* → data/postgres: deny', undefined, ['shop/api'], 7],
    );
    assert.equal(r.spec.granularity, 'workload');
  });
});

describe('parseSpec: problems with file:line:column', () => {
  const cases: [string, string, string[]][] = [
    [
      'unknown key, with the closest one',
      yaml`
        tests:
          - form: shop/web
            to: shop/api
            expect: allow
      `,
      [
        'spec.yaml:2:5 tests[0].form: unknown key "form" in a test (name, description, from, to, port, expect, except). Did you mean "from"?',
        'spec.yaml:2:5 tests[0].from: the test has no "from"',
      ],
    ],
    [
      'bad port syntax, protocol and range',
      yaml`
        tests:
          - from: shop/web
            to: shop/api
            port: [8080/TPC, 80800, 2000-1000/TCP, http]
            expect: allow
      `,
      [
        'spec.yaml:4:12 tests[0].port[0]: invalid protocol "TPC" in "8080/TPC": TCP, UDP or SCTP; did you mean "TCP"?',
        'spec.yaml:4:22 tests[0].port[1]: invalid port "80800": ports are 1 to 65535',
        'spec.yaml:4:29 tests[0].port[2]: invalid port range "2000-1000/TCP": the end must not be below the start',
        'spec.yaml:4:44 tests[0].port[3]: invalid port "http": use 8080/TCP, 53/UDP, 8080 (TCP) or 1000-2000/TCP',
      ],
    ],
    [
      'expect must be allow or deny',
      yaml`
        tests:
          - from: shop/web
            to: shop/api
            expect: allowed
      `,
      ['spec.yaml:4:13 tests[0].expect: expect must be allow or deny, not "allowed". Did you mean "allow"?'],
    ],
    [
      'reference syntax',
      yaml`
        tests:
          - from: web
            to: [shop/api, 10.0.0.0/40]
            expect: deny
      `,
      [
        'spec.yaml:2:11 tests[0].from: "web" needs a namespace: write namespace/web',
        'spec.yaml:3:20 tests[0].to[1]: invalid CIDR "10.0.0.0/40": an address, "/" and a prefix length from 0 to 32',
      ],
    ],
    [
      // explain accepts a DNS name as --to; test has no address to check for it: say so, not "needs a namespace".
      'a DNS name',
      yaml`
        tests:
          - from: news/feed-fetcher
            to: feeds.agency.example
            expect: allow
      `,
      [
        'spec.yaml:3:9 tests[0].to: "feeds.agency.example" looks like a DNS name, which test cannot check (reach by name has no address): ask netfence explain --to feeds.agency.example, or test the addresses it resolves to; a workload needs its namespace: namespace/feeds.agency.example',
      ],
    ],
    [
      'not a spec',
      yaml`
        - from: shop/web
      `,
      ['spec.yaml:1:1 a reachability spec is a mapping with a "tests" list (see netfence test --help)'],
    ],
    [
      'unknown top-level key and no tests',
      yaml`
        test:
          - from: shop/web
      `,
      [
        'spec.yaml:1:1 test: unknown key "test" in the spec (tests, granularity). Did you mean "tests"?',
        'spec.yaml:1:1 tests: the spec has no "tests" list',
      ],
    ],
    [
      // A CI gate never passes on empty input: a spec that checks nothing is a problem, not "All 0 tests passed".
      'an empty tests list',
      'tests: []\n',
      [
        'spec.yaml:1:8 tests: "tests" is empty: a spec without tests checks nothing; add a test, or write one of today\'s connectivity with netfence test --init',
      ],
    ],
    [
      'YAML syntax',
      'tests: [\n',
      ['spec.yaml:2:1 Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ],
  ];
  for (const [what, text, want] of cases) {
    test(what, () => {
      const r = parseSpec(text, 'spec.yaml');
      assert.equal(r.ok, false);
      assert.deepEqual(problems(r), want);
    });
  }

  test('a duplicate name is a warning: JUnit and TAP reports identify tests by name', () => {
    const r = parseSpec(
      yaml`
        tests:
          - { name: a, from: shop/web, to: shop/api, expect: allow }
          - { name: a, from: shop/api, to: shop/web, expect: deny }
      `,
      'spec.yaml',
    );
    assert.ok(r.ok);
    assert.deepEqual(problems(r), [
      'spec.yaml:3:5 warning: tests[1].name: test name "a" is also the name of test 1; names identify tests in JUnit and TAP reports',
    ]);
  });
});
