// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What src/admission/ may import (both of its blocks need it: the later one replaces the rule). */
const ADMISSION_LAYERS = {
  regex: '^\\.\\./(?!base/|model/|engine/|describe/|lint/|testspec/|k8s/)',
  message:
    'src/admission/ imports only src/k8s/, src/lint/, src/testspec/, src/describe/, src/engine/, src/model/ and src/base/.',
};

/** What src/controller/ may import (both of its blocks need it: the later one replaces the rule). */
const CONTROLLER_LAYERS = {
  regex: '^\\.\\./(?!base/|model/|engine/|parse/|lint/|testspec/|k8s/)',
  message:
    'src/controller/ imports only src/k8s/, src/lint/, src/testspec/, src/parse/, src/engine/, src/model/ and src/base/.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-artifacts/', 'bench/out/', 'ui/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      // node:test's test() and describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
    },
  },
  {
    // Helpers below everything (IP grammar, intervals, sorted search, suggestions, comparators): they
    // import nothing, not even each other's layers, so that every layer may use them.
    files: ['src/base/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              message: 'src/base/ imports nothing: only its own files (./x.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine is pure: no I/O, no cluster client, no UI. Adapters live around it. It may import the
    // helpers below it (src/base/) and the model, nothing else.
    files: ['src/engine/**/*.ts', 'src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process'],
              message: 'The engine is pure: no I/O.',
            },
            { group: ['@kubernetes/*'], message: 'Only src/k8s talks to a cluster.' },
            {
              regex: '^\\.\\./(?!base/|model/|engine/)',
              message: 'The engine depends on nothing outside the core: only src/base/ and src/model/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Words for engine values (port sets, unions of address classes), shared by src/format/ and the pure
    // layers that may not import it (lint rules). Pure, and only above the engine: the engine returns data
    // and never imports its words.
    files: ['src/describe/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process'],
              message: 'src/describe/ is pure: no I/O.',
            },
            {
              regex: '^\\.\\./(?!base/|model/|engine/|describe/)',
              message: 'src/describe/ imports only src/engine/, src/model/ and src/base/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The parsers sit beside the engine, not above it: files and text in, model out, problems as data.
    files: ['src/parse/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@kubernetes/*'], message: 'Only src/k8s talks to a cluster.' },
            {
              group: [
                '**/engine/**',
                '**/flows/**',
                '**/lint/**',
                '**/generate/**',
                '**/apply/**',
                '**/testspec/**',
                '**/format/**',
                '**/k8s/**',
                '**/git/**',
                '**/server/**',
                '**/cli/**',
                '**/ui/**',
              ],
              message: 'src/parse/ imports only src/base/ and src/model/: it sits beside the engine.',
            },
          ],
        },
      ],
    },
  },
  {
    // Pure layers beside the engine: lint rules, policy generation, apply planning, test specs. They
    // return data; src/format/ turns it into text.
    files: ['src/lint/**/*.ts', 'src/generate/**/*.ts', 'src/apply/**/*.ts', 'src/testspec/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process'],
              message: 'Pure layer: no I/O (do it in src/cli).',
            },
            { group: ['@kubernetes/*'], message: 'Only src/k8s talks to a cluster.' },
            {
              group: ['**/cli/**', '**/server/**', '**/k8s/**'],
              message: 'Pure layer: no commands, server or cluster.',
            },
            {
              group: ['**/format/**'],
              message: 'Pure layer: return data; presentation lives in src/format/, which imports you.',
            },
          ],
        },
      ],
    },
  },
  {
    // The admission webhook: it judges with the pure layers and reads the cluster through src/k8s/; it never
    // imports the commands, the UI's server or the presentation. The review and the decision are pure.
    files: ['src/admission/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ADMISSION_LAYERS,
            { group: ['@kubernetes/*'], message: 'Only src/k8s talks to a cluster.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/admission/decide.ts', 'src/admission/review.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process'],
              message: 'The review and the decision are pure: I/O lives in server.ts and tls.ts.',
            },
            ADMISSION_LAYERS,
            {
              group: ['**/k8s/index.ts', '**/k8s/connect.ts', '**/k8s/watch.ts'],
              message: 'The decision loads no cluster client: import k8s/read.ts, state.ts, types.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The controller: it decides with the pure layers and writes the cluster through src/k8s/ only; the
    // settings, the default-deny plan, the audit and the metrics do no I/O.
    files: ['src/controller/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            CONTROLLER_LAYERS,
            { group: ['@kubernetes/*'], message: 'Only src/k8s talks to a cluster.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/controller/{config,default-deny,audit,json,metrics}.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process'],
              message: 'The settings, the plan, the audit and the metrics are pure: I/O lives in run.ts.',
            },
            CONTROLLER_LAYERS,
            {
              group: [
                '**/k8s/index.ts',
                '**/k8s/connect.ts',
                '**/k8s/watch.ts',
                '**/k8s/write.ts',
                '**/k8s/controller.ts',
              ],
              message: 'The pure parts load no cluster client: import k8s/state.ts, types.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // One command per file; what two commands share is an option group in src/cli/options/ (or a helper
    // in src/cli/), never another command.
    files: ['src/cli/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\./',
              message:
                'A command never imports another command: move what they share to src/cli/options/ (or src/cli/).',
            },
          ],
        },
      ],
    },
  },
  {
    // The JSON contract: types only (test/contract checks it compiles to nothing), and it imports only itself
    // and the Kubernetes wire types, so that the UI's typecheck never pulls in the engine.
    files: ['src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./[a-z-]+\\.ts$|\\.\\./model/k8s\\.ts$)',
              message: 'src/contract imports only its own modules and ../model/k8s.ts.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[importKind='value'], VariableDeclaration, FunctionDeclaration, ClassDeclaration, TSEnumDeclaration, ExpressionStatement",
          message: 'src/contract is type-only: export type and interface only.',
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
