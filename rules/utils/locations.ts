import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { relative } from 'node:path';
import type ts from 'typescript';

/** Where a TypeScript node is, as ESLint reports it (the analysis works on TypeScript's nodes). */
export function getNodeLocation(sourceCode: Readonly<TSESLint.SourceCode>, node: ts.Node): TSESTree.SourceLocation {
  return { start: sourceCode.getLocFromIndex(node.getStart()), end: sourceCode.getLocFromIndex(node.getEnd()) };
}

/** Test and spec files by name, and files under `test/`, `tests/` or `__tests__/`. */
const TEST_FILE = /(?:[.-](?:test|spec)\.[cm]?[jt]sx?$)|(?:(?:^|[\\/])(?:__tests__|test|tests)[\\/])/;

/**
 * Whether the file linted is a test. The path is taken relative to where ESLint runs, so a checkout
 * that itself lives under some `test/` folder is not a test.
 */
export function isTestFile(context: Readonly<{ cwd: string; filename: string }>): boolean {
  return TEST_FILE.test(relative(context.cwd, context.filename));
}
