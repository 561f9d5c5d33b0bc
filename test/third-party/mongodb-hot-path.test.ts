import { ESLint, type Rule } from 'eslint';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

import rule from '../../rules/no-non-null-assertion-in-hot-path.js';

/**
 * Runs the rule over the TypeScript sources mongodb ships on npm, a large real codebase written
 * by other people, and compares every non-null assertion in it with a reviewed verdict: reported
 * ones must be real findings, unreported ones must be cold or provably safe. A change in what the
 * rule reports shows up here as a diff to review.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const mongodbDirectory = join(root, 'node_modules/mongodb');
const tsconfigPath = join(root, 'test/third-party/mongodb-hot-path/tsconfig.json');

interface ReviewedAssertion {
  /** `path/inside/src.ts:line:column` of the `x!`. */
  position: string;
  reported: boolean;
  verdict: string;
}

const reviewed = JSON.parse(readFileSync(join(root, 'test/third-party/mongodb-hot-path.reviewed.json'), 'utf8')) as ReviewedAssertion[];

/** Every non-null assertion in the shipped sources, found by parsing alone. */
function findAllAssertions(files: readonly string[]): string[] {
  const positions: string[] = [];
  for (const file of files) {
    const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isNonNullExpression(node)) {
        const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
        positions.push(`${relative(join(mongodbDirectory, 'src'), file)}:${line + 1}:${character + 1}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return positions.sort();
}

describe('no-non-null-assertion-in-hot-path on mongodb/src', () => {
  it('reports exactly the reviewed assertions, without a fatal message', { timeout: 300_000 }, async () => {
    const eslint = new ESLint({
      cwd: mongodbDirectory,
      // ESLint ignores node_modules by default; here it is the code under test.
      ignore: false,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          // mongodb's own disable comments name rules this config does not load.
          linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
          languageOptions: {
            parser: tseslint.parser,
            parserOptions: { project: tsconfigPath, tsconfigRootDir: root },
          },
          // typescript-eslint's rule type is stricter than ESLint's own; the runtime shape is the same.
          plugins: { predictable: { rules: { 'no-non-null-assertion-in-hot-path': rule as unknown as Rule.RuleModule } } },
          rules: { 'predictable/no-non-null-assertion-in-hot-path': 'error' },
        },
      ],
    });
    const results = await eslint.lintFiles(['src/**/*.ts']);
    expect(results.length).toBeGreaterThan(100);

    const fatal = results.flatMap((result) => result.messages.filter((message) => message.fatal === true).map((message) => `${result.filePath}: ${message.message}`));
    expect(fatal).toEqual([]);

    const reported = results
      .flatMap((result) =>
        result.messages
          .filter((message) => message.ruleId === 'predictable/no-non-null-assertion-in-hot-path')
          .map((message) => `${relative(join(mongodbDirectory, 'src'), result.filePath)}:${message.line}:${message.column}`),
      )
      .sort();
    expect(reported).toEqual(reviewed.filter((entry) => entry.reported).map((entry) => entry.position).sort());

    const all = findAllAssertions(results.map((result) => result.filePath));
    expect(all).toEqual(reviewed.map((entry) => entry.position).sort());
  });

  it('has a verdict for every reviewed assertion', () => {
    expect(reviewed.filter((entry) => entry.verdict.trim().length < 20)).toEqual([]);
  });
});
