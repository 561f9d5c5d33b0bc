import { ESLint, type Linter } from 'eslint';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { expect, it } from 'vitest';

import plugin from '../../index.js';

/**
 * mongodb ships its TypeScript sources (pools, sessions, cursors, `Symbol.asyncDispose`), so
 * they are real third-party code to run the rule over: it must not crash anywhere, and every
 * report must be one a reviewer agreed with (`mongodb.reviewed.json`, one verdict each).
 */
const projectDirectory = fileURLToPath(new URL('mongodb', import.meta.url));
const packageDirectory = fileURLToPath(new URL('../../node_modules/mongodb', import.meta.url));

interface ReviewedReport {
  file: string;
  line: number;
  column: number;
  messageId: string;
  verdict: string;
}

const reviewed = JSON.parse(readFileSync(new URL('mongodb.reviewed.json', import.meta.url), 'utf8')) as ReviewedReport[];

it('lints mongodb/src without crashing and reports exactly the reviewed list', async () => {
  const eslint = new ESLint({
    // ESLint never lints under node_modules, whatever the patterns: lint from inside the package.
    cwd: packageDirectory,
    ignore: false,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: projectDirectory },
        },
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
        // typescript-eslint's rule types and ESLint's config types describe the same objects differently.
        plugins: (plugin.configs.strict as unknown as Linter.Config).plugins ?? {},
        rules: { 'predictable/no-undisposed-resources': 'error' },
      },
    ],
  });
  const results = await eslint.lintFiles(['src/**/*.ts']);
  expect(results.length).toBeGreaterThan(100);

  const fatal = results.flatMap((result) =>
    result.messages.filter((message) => message.fatal === true).map((message) => `${result.filePath}: ${message.message}`),
  );
  expect(fatal).toEqual([]);

  const reported = results
    .flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId === 'predictable/no-undisposed-resources')
        .map((message) => ({
          file: result.filePath.slice(packageDirectory.length + 1),
          line: message.line,
          column: message.column,
          messageId: message.messageId ?? '',
        })),
    )
    .sort((left, right) => left.file.localeCompare(right.file) || left.line - right.line);
  expect(reported).toEqual(reviewed.map(({ file, line, column, messageId }) => ({ file, line, column, messageId })));
  for (const entry of reviewed) {
    expect(entry.verdict.length).toBeGreaterThan(20);
  }
});
