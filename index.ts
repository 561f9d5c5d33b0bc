import type { TSESLint } from '@typescript-eslint/utils';
import * as typescriptEslintParser from '@typescript-eslint/parser';

import { packageInfo } from './package-info.js';
import { rules } from './rules/index.js';

type RuleName = keyof typeof rules;
type RuleEntry = TSESLint.SharedConfig.RuleEntry;

/** A flat-config preset, shaped as ESLint accepts it and as `typescript-eslint` publishes its own. */
export interface PredictableFlatConfig {
  name: string;
  files: string[];
  plugins: Record<string, TSESLint.FlatConfig.Plugin>;
  languageOptions: TSESLint.FlatConfig.LanguageOptions;
  rules: Record<`predictable/${RuleName}`, RuleEntry>;
}

const ruleNames = Object.keys(rules) as RuleName[];

function presetRules(select: (ruleName: RuleName) => RuleEntry | undefined): Record<`predictable/${RuleName}`, RuleEntry> {
  const entries: [`predictable/${RuleName}`, RuleEntry][] = [];
  for (const ruleName of ruleNames) {
    const entry = select(ruleName);
    if (entry !== undefined) {
      entries.push([`predictable/${ruleName}`, entry]);
    }
  }
  return Object.fromEntries(entries) as Record<`predictable/${RuleName}`, RuleEntry>;
}

const plugin = {
  meta: { name: packageInfo.name, version: packageInfo.version },
  rules,
  configs: {} as Record<'recommended' | 'strict', PredictableFlatConfig>,
};

// Every rule needs the type checker, so the presets turn typed linting on the way
// `typescript-eslint`'s `recommendedTypeChecked` expects users to: the project service finds the
// nearest tsconfig of each file, so no `project` list has to be kept in step by hand. They apply to
// TypeScript files only: typed linting of a file no tsconfig includes (`eslint.config.js` itself,
// a build script) is a parsing error, and the rules have nothing to say about JavaScript anyway.
const typescriptFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
const typedLanguageOptions: TSESLint.FlatConfig.LanguageOptions = {
  parser: typescriptEslintParser,
  parserOptions: { projectService: true },
};

plugin.configs.recommended = {
  name: 'predictable/recommended',
  files: typescriptFiles,
  plugins: { predictable: plugin },
  languageOptions: typedLanguageOptions,
  rules: presetRules((ruleName) => (rules[ruleName].meta.docs?.recommended === true ? 'error' : undefined)),
};

plugin.configs.strict = {
  name: 'predictable/strict',
  files: typescriptFiles,
  plugins: { predictable: plugin },
  languageOptions: typedLanguageOptions,
  rules: presetRules((ruleName) => {
    const strictOptions = rules[ruleName].meta.docs?.strictOptions;
    return strictOptions === undefined ? 'error' : ['error', ...strictOptions];
  }),
};

export default plugin;

