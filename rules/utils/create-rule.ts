import { ESLintUtils } from '@typescript-eslint/utils';

/** Extra `meta.docs` fields every rule of this plugin declares; the presets are derived from them. */
export interface PredictableRuleDocs {
  /** Enabled by `configs.recommended` (every rule is enabled by `configs.strict`). */
  recommended?: boolean;
  /** The rule asks the type checker; without type information it reports nothing. */
  requiresTypeChecking: boolean;
  /**
   * Options `configs.strict` uses instead of the defaults, when stricter ones exist.
   * Kept in `meta` so the preset cannot drift from the rule.
   */
  strictOptions?: readonly unknown[];
}

export const REPOSITORY_URL = 'https://github.com/eslint-plugin-predictable/eslint-plugin-predictable';

export function getRuleDocsUrl(ruleName: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/rules/${ruleName}.md`;
}

export const createRule = ESLintUtils.RuleCreator<PredictableRuleDocs>(getRuleDocsUrl);
