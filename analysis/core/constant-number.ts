import ts from 'typescript';

import { getConstantInitializer } from './symbols.js';
import { unwrapParentheses } from './transparent-syntax.js';

const MAXIMUM_FOLDING_DEPTH = 8;

/**
 * The number `expression` always evaluates to, when the code shows it: a literal (`600_000`), a
 * `const` initialised with one, a literal type, and `+ - * /` of those. `undefined` when it
 * depends on anything else (a parameter, an environment variable).
 */
export function foldNumber(expression: ts.Expression, checker: ts.TypeChecker, depth = 0): number | undefined {
  if (depth > MAXIMUM_FOLDING_DEPTH) {
    return undefined;
  }
  const node = unwrapParentheses(expression);
  if (ts.isNumericLiteral(node)) {
    return Number(node.text);
  }
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    const operand = foldNumber(node.operand, checker, depth + 1);
    return operand === undefined ? undefined : -operand;
  }
  if (ts.isBinaryExpression(node)) {
    const left = foldNumber(node.left, checker, depth + 1);
    const right = foldNumber(node.right, checker, depth + 1);
    if (left === undefined || right === undefined) {
      return undefined;
    }
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
        return left + right;
      case ts.SyntaxKind.MinusToken:
        return left - right;
      case ts.SyntaxKind.AsteriskToken:
        return left * right;
      case ts.SyntaxKind.SlashToken:
        return right === 0 ? undefined : left / right;
      default:
        return undefined;
    }
  }
  const type = checker.getTypeAtLocation(node);
  if (type.isNumberLiteral()) {
    return type.value;
  }
  const initializer = ts.isIdentifier(node) ? getConstantInitializer(node, checker) : undefined;
  if (initializer !== undefined) {
    return foldNumber(initializer, checker, depth + 1);
  }
  return undefined;
}
