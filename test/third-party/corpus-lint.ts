/**
 * Lints one corpus package with every rule of the plugin at its default options, the way a team
 * that turns a rule on sees it, and returns the findings in the reviewed files' shape.
 */
import { ESLint, type Linter } from 'eslint';
import { relative } from 'node:path';
import tseslint from 'typescript-eslint';

import plugin from '../../index.js';
import { type CorpusPackage, includedPatterns, packageDirectory, prepareSources, repositoryRoot, tsconfigPath } from './corpus.js';

export interface Finding {
  rule: string;
  /** Relative to the package directory, with `/`. */
  file: string;
  line: number;
  column: number;
  messageId: string;
  message: string;
}

export interface CorpusLintResult {
  findings: Finding[];
  filesLinted: number;
  /** Parse errors and other fatal messages: each one is a file nothing was checked in. */
  fatal: string[];
}

/** ESLint's warning for an inline config comment under `noInlineConfig`. */
const INLINE_CONFIG_IGNORED = /has no effect because you have 'noInlineConfig' setting/;

export const ruleNames: readonly string[] = Object.keys(plugin.rules);

export async function lintCorpusPackage(corpusPackage: CorpusPackage): Promise<CorpusLintResult> {
  prepareSources(corpusPackage);
  const cwd = packageDirectory(corpusPackage);
  const eslint = new ESLint({
    // ESLint never lints under node_modules from outside it, whatever the patterns: lint from inside the package.
    cwd,
    ignore: false,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        ignores: ['**/*.d.ts', ...(corpusPackage.leftOut ?? []).map((leftOut) => leftOut.pattern)],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: tsconfigPath(corpusPackage), tsconfigRootDir: repositoryRoot },
        },
        // The packages' own disable comments name rules this config does not load.
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
        // typescript-eslint's rule types and ESLint's config types describe the same objects differently.
        plugins: (plugin.configs.strict as unknown as Linter.Config).plugins ?? {},
        rules: Object.fromEntries((corpusPackage.rules ?? ruleNames).map((ruleName) => [`predictable/${ruleName}`, 'error'])),
      },
    ],
  });
  const results = await eslint.lintFiles([...includedPatterns(corpusPackage)]);
  const findings: Finding[] = [];
  const fatal: string[] = [];
  for (const result of results) {
    const file = relative(cwd, result.filePath).split('\\').join('/');
    for (const message of result.messages) {
      if (message.ruleId === null) {
        // The packages' own disable comments are switched off on purpose (see linterOptions).
        if (message.fatal !== true && INLINE_CONFIG_IGNORED.test(message.message)) continue;
        fatal.push(`${file}:${message.line}:${message.column}: ${message.message}`);
        continue;
      }
      findings.push({
        rule: message.ruleId.replace(/^predictable\//, ''),
        file,
        line: message.line,
        column: message.column,
        messageId: message.messageId ?? '',
        message: message.message,
      });
    }
  }
  return { findings: findings.sort(compareFindings), filesLinted: results.length, fatal };
}

export function compareFindings(left: Finding, right: Finding): number {
  return (
    left.file.localeCompare(right.file) ||
    left.line - right.line ||
    left.column - right.column ||
    left.rule.localeCompare(right.rule) ||
    left.messageId.localeCompare(right.messageId) ||
    left.message.localeCompare(right.message)
  );
}
