import { ESLintUtils, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';

import { isUnresolvedModuleSpecifier } from '../analysis/core/module-resolution.js';
import { getTypeServices } from '../rules/utils/type-services.js';

/**
 * Not a finding: `predictable check` runs this next to the rules to learn which imports the program
 * could not resolve, and turns its reports into one warning instead of listing them as problems.
 * It asks the program typescript-eslint already built, so knowing costs no second program.
 */
export const unresolvedImportsRule = ESLintUtils.RuleCreator.withoutDocs({
  meta: {
    type: 'problem',
    messages: { unresolved: '{{specifier}}' },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    const services = getTypeServices(context);
    if (services === undefined) {
      return {};
    }
    const checker = services.program.getTypeChecker();
    function checkSource(source: TSESTree.StringLiteral | null): void {
      if (source === null) {
        return;
      }
      const specifier = services?.esTreeNodeToTSNodeMap.get(source);
      if (specifier !== undefined && ts.isStringLiteralLike(specifier) && isUnresolvedModuleSpecifier(checker, specifier)) {
        context.report({ node: source, messageId: 'unresolved', data: { specifier: source.value } });
      }
    }
    return {
      ImportDeclaration(node) {
        checkSource(node.source);
      },
      ExportAllDeclaration(node) {
        checkSource(node.source);
      },
      ExportNamedDeclaration(node) {
        checkSource(node.source);
      },
    };
  },
});

export const UNRESOLVED_IMPORTS_RULE_ID = 'predictable-check/unresolved-imports';
