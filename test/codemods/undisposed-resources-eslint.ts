import { ESLint, type Linter, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';

import rule from '../../rules/no-undisposed-resources.js';

/**
 * ESLint with `no-undisposed-resources` and typed linting over the files under `directory` (their
 * nearest tsconfig, through the project service): how the codemod tests hold the rule against what
 * `to-using` reads and writes. `overrides` follow the base config, for per-folder rule options.
 */
export function createUndisposedResourcesESLint(directory: string, overrides: readonly Linter.Config[] = []): ESLint {
  return new ESLint({
    cwd: directory,
    ignore: false,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: directory } },
        // typescript-eslint's rule type is wider than ESLint's own; the runtime shape is the same.
        plugins: { predictable: { rules: { 'no-undisposed-resources': rule as unknown as Rule.RuleModule } } },
        rules: { 'predictable/no-undisposed-resources': 'error' },
      },
      ...overrides,
    ],
  });
}
