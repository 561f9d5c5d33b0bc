import { ESLint, type Rule } from 'eslint';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const exampleDirectory = fileURLToPath(new URL('../examples/leaky-service', import.meta.url));

/**
 * Lints the bundled example service with one rule at its default options and returns what it
 * reports as `file:line messageId`, sorted: the stories a rule must find, and nothing else.
 */
export async function lintExampleService(ruleName: string, rule: unknown): Promise<string[]> {
  const eslint = new ESLint({
    cwd: exampleDirectory,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: exampleDirectory } },
        // A typescript-eslint rule module and an ESLint one are the same object typed two ways.
        plugins: { predictable: { rules: { [ruleName]: rule as Rule.RuleModule } } },
        rules: { [`predictable/${ruleName}`]: 'error' },
      },
    ],
  });
  const results = await eslint.lintFiles(['src/**/*.ts']);
  return results
    .flatMap((result) => result.messages.map((message) => `${relative(exampleDirectory, result.filePath)}:${String(message.line)} ${message.messageId ?? message.message}`))
    .sort();
}
