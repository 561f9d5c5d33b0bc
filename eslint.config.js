// Lints this plugin with the strictest typed configs, with eslint-plugin-eslint-plugin for the rule
// files, and with the plugin's own recommended config (from `dist/`, so run `npm run build` first):
// code that finds undisposed resources should not leak any of its own.
import eslintComments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import js from '@eslint/js';
import eslintPlugin from 'eslint-plugin-eslint-plugin';
import tseslint from 'typescript-eslint';

import predictable from './dist/index.js';

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', 'test/fixtures/', 'examples/', '.predictable-tmp-*/', 'test/third-party/**/src/'],
  },
  js.configs.recommended,
  eslintComments.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Every disable comment says why: `// eslint-disable-next-line rule -- reason`.
      '@eslint-community/eslint-comments/require-description': 'error',
    },
  },
  {
    files: ['rules/**/*.ts'],
    ...eslintPlugin.configs.recommended,
    rules: {
      ...eslintPlugin.configs.recommended.rules,
      'eslint-plugin/require-meta-docs-description': ['error', { pattern: '^(Enforce|Require|Disallow)' }],
      'eslint-plugin/require-meta-schema-default': 'off',
      'no-restricted-syntax': [
        'error',
        {
          // Options are read from `create`'s second parameter, where the defaults have been applied.
          selector: 'MemberExpression[object.name="context"][property.name="options"]',
          message: "Read options from create's second parameter so that defaultOptions apply.",
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    ...predictable.configs.recommended,
    languageOptions: {},
  },
  {
    // The published jscodeshift transforms are CommonJS, because jscodeshift `require`s them;
    // `import x = require()` and a namespace are how TypeScript writes such a module.
    files: ['codemods/jscodeshift/*.cts'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
