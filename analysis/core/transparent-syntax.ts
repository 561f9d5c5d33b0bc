import ts from 'typescript';

/**
 * Syntax that wraps a value without changing it at run time: parentheses, `as`, `satisfies`,
 * `<T>` assertions and `!`. The analyses look through it, so `(fh as FileHandle)!.close()` is a
 * release of `fh` and `(items.map)(cb)` a call of `items.map`.
 */
export function isTransparentWrapper(node: ts.Node): node is ts.ParenthesizedExpression | ts.AsExpression | ts.SatisfiesExpression | ts.TypeAssertion | ts.NonNullExpression {
  return (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isTypeAssertionExpression(node) ||
    ts.isNonNullExpression(node)
  );
}

/** The outermost transparent wrapper around `node` (`node` itself when there is none). */
export function skipTransparentUp(node: ts.Expression): ts.Expression;
export function skipTransparentUp(node: ts.Node): ts.Node;
export function skipTransparentUp(node: ts.Node): ts.Node {
  let current = node;
  while (isTransparentWrapper(current.parent)) {
    current = current.parent;
  }
  return current;
}

/** The value inside every transparent wrapper of `node`: the inverse of {@link skipTransparentUp}. */
export function skipTransparentDown(node: ts.Expression): ts.Expression {
  let current = node;
  while (isTransparentWrapper(current)) {
    current = current.expression;
  }
  return current;
}

/** `node` without the parentheses around it, keeping type assertions and `!`. */
export function unwrapParentheses(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current)) {
    current = current.expression;
  }
  return current;
}
