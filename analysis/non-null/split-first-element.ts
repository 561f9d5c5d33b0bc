import ts from 'typescript';

import { isDeclaredInStandardLibrary } from '../core/standard-library.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';

const STRING_INTERFACES: ReadonlySet<string> = new Set(['String']);
/** `split` converts its limit with ToUint32: 2³² wraps to 0, which returns no element at all. */
const LARGEST_LIMIT = 2 ** 32 - 1;

/**
 * Is `expression` `s.split(sep)[0]` or `s.split(sep, n)[0]`, which is always a string? Splitting by a
 * separator that is a non-empty string returns at least one element (`''.split('=')` is `['']`)
 * unless the limit is 0. A regular expression separator that matches the empty string returns `[]`
 * for `''`, and telling which ones do is not worth it here; an empty string separator does the same.
 * `@anthropic-ai/sdk` reads `part.split('=', 1)[0]!` for every query parameter.
 */
export function isSplitFirstElement(expression: ts.Expression, program: ts.Program): boolean {
  if (!ts.isElementAccessExpression(expression) || expression.questionDotToken !== undefined) {
    return false;
  }
  const index = unwrapParentheses(expression.argumentExpression);
  const call = unwrapParentheses(expression.expression);
  if (!ts.isNumericLiteral(index) || index.text !== '0' || !ts.isCallExpression(call) || call.questionDotToken !== undefined) {
    return false;
  }
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.questionDotToken !== undefined || callee.name.text !== 'split') {
    return false;
  }
  const [separator, limit] = call.arguments;
  return (
    separator !== undefined &&
    isNonEmptyStringLiteral(separator) &&
    (limit === undefined || isPositiveLimit(limit)) &&
    call.arguments.length <= 2 &&
    isDeclaredInStandardLibrary(callee.name, program, STRING_INTERFACES)
  );
}

function isNonEmptyStringLiteral(expression: ts.Expression): boolean {
  const node = unwrapParentheses(expression);
  return (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && node.text.length > 0;
}

function isPositiveLimit(expression: ts.Expression): boolean {
  const node = unwrapParentheses(expression);
  if (!ts.isNumericLiteral(node)) {
    return false;
  }
  const value = Number(node.text);
  return Number.isInteger(value) && value >= 1 && value <= LARGEST_LIMIT;
}
