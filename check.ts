import { ESLint, type Linter } from 'eslint';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import plugin from './index.js';

/** What `predictable check` found, for the CLI and for programmatic callers. */
export interface CheckReport {
  results: ESLint.LintResult[];
  /** Problems per rule id (`predictable/...`), only rules that found something. */
  problemsByRule: Map<string, number>;
  /** Files not covered by any tsconfig: linted without types would mean guessing, so skipped. */
  filesOutsideTsconfig: string[];
  /** Files that could not be parsed or linted at all. */
  filesWithFatalErrors: string[];
  filesLinted: number;
  tsconfigRootDir: string;
}

export interface CheckOptions {
  paths: readonly string[];
  cwd: string;
}

/** The files the audit lints; `--staged` narrows git's list with the same globs. */
export const TYPESCRIPT_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

/** typescript-eslint's wording when the project service has no tsconfig that includes a file. */
const OUTSIDE_TSCONFIG_MESSAGE = /was not found by the project service/;

/** The directory of the nearest `tsconfig.json` at or above `start`, the root of typed linting. */
export function findTsconfigRootDir(start: string): string | undefined {
  let directory = existsSync(start) && statSync(start).isFile() ? dirname(start) : start;
  for (;;) {
    if (existsSync(join(directory, 'tsconfig.json'))) {
      return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) {
      return undefined;
    }
    directory = parent;
  }
}

export class CheckUsageError extends Error {
  override name = 'CheckUsageError';
}

/**
 * A zero-config audit: this plugin's recommended rules with typed linting, whatever ESLint
 * configuration the project has or lacks (its own config file is deliberately not loaded, so the
 * audit means the same thing in every repository).
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const paths = options.paths.length === 0 ? ['.'] : options.paths;
  const absolutePaths = paths.map((path) => resolve(options.cwd, path));
  const missing = absolutePaths.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new CheckUsageError(`no such file or directory: ${missing.join(', ')}`);
  }
  const firstPath = absolutePaths[0] ?? options.cwd;
  const tsconfigRootDir = findTsconfigRootDir(firstPath);
  if (tsconfigRootDir === undefined) {
    throw new CheckUsageError(
      `no tsconfig.json at or above ${firstPath}: the rules need type information, so the audit needs a TypeScript project`,
    );
  }

  const config: Linter.Config[] = [
    {
      ...(plugin.configs.recommended as unknown as Linter.Config),
      files: TYPESCRIPT_FILES,
      languageOptions: {
        ...(plugin.configs.recommended.languageOptions as Linter.LanguageOptions),
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      linterOptions: { reportUnusedDisableDirectives: 'off' },
    },
  ];
  const eslint = new ESLint({
    cwd: options.cwd,
    overrideConfigFile: true,
    overrideConfig: config,
    errorOnUnmatchedPattern: false,
    // ESLint lints JavaScript files by default; the rules need types, so only TypeScript counts.
    ignorePatterns: ['**/dist/**', '**/build/**', '**/coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  });
  const lintResults = await eslint.lintFiles(absolutePaths);

  const results: ESLint.LintResult[] = [];
  const filesOutsideTsconfig: string[] = [];
  const filesWithFatalErrors: string[] = [];
  const problemsByRule = new Map<string, number>();
  for (const result of lintResults) {
    const fatal = result.messages.find((message) => message.fatal === true);
    if (fatal !== undefined && OUTSIDE_TSCONFIG_MESSAGE.test(fatal.message)) {
      filesOutsideTsconfig.push(result.filePath);
      continue;
    }
    if (fatal !== undefined) {
      filesWithFatalErrors.push(result.filePath);
    }
    for (const message of result.messages) {
      if (message.ruleId !== null) {
        problemsByRule.set(message.ruleId, (problemsByRule.get(message.ruleId) ?? 0) + 1);
      }
    }
    results.push(result);
  }
  return {
    results,
    problemsByRule,
    filesOutsideTsconfig,
    filesWithFatalErrors,
    filesLinted: results.length,
    tsconfigRootDir,
  };
}

export function countProblems(report: CheckReport): number {
  return report.results.reduce((sum, result) => sum + result.errorCount + result.warningCount, 0);
}

/** Runs ESLint's formatter of that name (`stylish`, `json`, ...) over the report's results. */
export async function formatCheckResults(report: CheckReport, format: string, cwd: string): Promise<string> {
  const eslint = new ESLint({ cwd, overrideConfigFile: true });
  const formatter = await eslint.loadFormatter(format);
  return formatter.format(report.results);
}
