import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import type ts from 'typescript';

import { shorten } from '../analysis/core/source-text.js';
import { DEFAULT_COLD_FUNCTIONS, DEFAULT_TEST_FILES, describeHotPathReason, getHotPathReason } from '../analysis/non-null/hot-path.js';
import {
  describeEnclosingFunction,
  getChainFix,
  getNonNullAssertionFix,
  getReturnedErrorPath,
  throwErrorPath,
  type ErrorPath,
} from '../analysis/non-null/assertion-fix.js';
import { getInnerChainAssertions, getOuterChainAssertions } from '../analysis/non-null/assertion-chain.js';
import { getNonNullAssertionSafety } from '../analysis/non-null/assertion-safety.js';
import { createRule } from './utils/create-rule.js';
import { getTypeServices } from './utils/type-services.js';

export type Options = [{ hotFunctions?: string[]; coldFunctions?: string[]; testFiles?: string[] }];
export type MessageId =
  | 'nonNullAssertionInHotPath'
  | 'nonNullAssertionChainInHotPath'
  | 'throwMissingValue'
  | 'returnMissingValue'
  | 'throwMissingValues'
  | 'returnMissingValues';

const NON_NULL_ASSERTION_IN_HOT_PATH =
  '`{{expression}}!` asserts a value that can be missing, {{hotPath}}. If it is ever missing, this fails later as a TypeError far from the cause; check it explicitly.';
const NON_NULL_ASSERTION_CHAIN_IN_HOT_PATH =
  '`{{expression}}!` asserts a value that can be missing, {{hotPath}}, {{others}} in `{{chain}}`. If one is ever missing, this fails later as a TypeError far from the cause; check each explicitly.';

export default createRule<Options, MessageId>({
  name: 'no-non-null-assertion-in-hot-path',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow non-null assertions on hot paths, where a wrong assumption takes the service down',
      recommended: true,
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    messages: {
      nonNullAssertionInHotPath: NON_NULL_ASSERTION_IN_HOT_PATH,
      nonNullAssertionChainInHotPath: NON_NULL_ASSERTION_CHAIN_IN_HOT_PATH,
      throwMissingValue: 'Check `{{expression}}` explicitly and throw an error that names it.',
      returnMissingValue: 'Check `{{expression}}` explicitly and return the error, as {{functionName}} already returns errors.',
      throwMissingValues: 'Check each value of `{{chain}}` explicitly and throw an error that names it.',
      returnMissingValues: 'Check each value of `{{chain}}` explicitly and return the error, as {{functionName}} already returns errors.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          hotFunctions: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description:
              'Globs matched against function names (`handle*`, `OrderService.*`): the bodies of matching functions are hot paths, in addition to loops, iteration callbacks, request handlers and functions marked `@hot`.',
          },
          coldFunctions: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description:
              'Globs matched against function names: matching functions run once (start-up, migrations), so their loops and iteration callbacks are not hot paths. Replaces the default list of start-up names; `[]` turns it off. `hotFunctions` wins when both match.',
          },
          testFiles: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description:
              'Globs matched against file paths relative to the project directory: test files, where nothing is a hot path (a failure there fails a test, not a service). `[]` checks tests too.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ hotFunctions: [], coldFunctions: [...DEFAULT_COLD_FUNCTIONS], testFiles: [...DEFAULT_TEST_FILES] }],
  },
  create(context, [{ hotFunctions = [], coldFunctions = [...DEFAULT_COLD_FUNCTIONS], testFiles = [...DEFAULT_TEST_FILES] }]) {
    const services = getTypeServices(context);
    if (services === undefined) {
      return {};
    }
    const program = services.program;

    const isUnchecked = (assertion: ts.NonNullExpression): boolean =>
      getHotPathReason(assertion, program, { hotFunctions, coldFunctions, testFiles }) !== undefined && getNonNullAssertionSafety(assertion, program) === undefined;

    return {
      TSNonNullExpression(node: TSESTree.TSNonNullExpression): void {
        const assertion = services.esTreeNodeToTSNodeMap.get(node);
        const hotPath = getHotPathReason(assertion, program, { hotFunctions, coldFunctions, testFiles });
        if (hotPath === undefined || getNonNullAssertionSafety(assertion, program) !== undefined) {
          return;
        }
        // A chain (`record!.value!.blob!`) is reported once, at its first unchecked link.
        if (getInnerChainAssertions(assertion).some(isUnchecked)) {
          return;
        }
        const links = [assertion, ...getOuterChainAssertions(assertion).filter(isUnchecked)];
        const outermost = links[links.length - 1] ?? assertion;
        // The TypeScript node keeps the parentheses ESTree drops: `(a as T | undefined)!`.
        const expression = shorten(assertion.expression.getText());
        const chain = shorten(outermost.getText());
        const isChain = links.length > 1;
        const suggestions: TSESLint.SuggestionReportDescriptor<MessageId>[] = [];
        const addSuggestion = (messageId: MessageId, errorPath: ErrorPath, data: Record<string, string>): void => {
          const fix = isChain ? getChainFix(links, program, errorPath) : getNonNullAssertionFix(assertion, program, errorPath);
          if (fix.kind === 'fix') {
            suggestions.push({
              messageId,
              data,
              fix: (fixer) => fix.edits.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.text)),
            });
          }
        };
        addSuggestion(isChain ? 'throwMissingValues' : 'throwMissingValue', throwErrorPath(), { expression, chain });
        const returnedErrorPath = getReturnedErrorPath(assertion, program);
        if (returnedErrorPath !== undefined) {
          addSuggestion(isChain ? 'returnMissingValues' : 'returnMissingValue', returnedErrorPath, { expression, chain, functionName: describeEnclosingFunction(assertion) });
        }
        context.report({
          node,
          messageId: isChain ? 'nonNullAssertionChainInHotPath' : 'nonNullAssertionInHotPath',
          data: { expression, hotPath: describeHotPathReason(hotPath), others: describeOtherLinks(links.length - 1), chain },
          suggest: suggestions,
        });
      },
    };
  },
});

/** `as does the \`!\` after it`, `as do the 2 \`!\` after it`. */
function describeOtherLinks(count: number): string {
  return count === 1 ? 'as does the `!` after it' : `as do the ${String(count)} \`!\` after it`;
}
