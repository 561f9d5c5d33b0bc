import ts from 'typescript';

import { getWrittenReferenceKeys } from './stable-reference.js';

/**
 * Whether evaluating `node` can change anything another expression could observe: a call, `new`, a
 * tagged template, `await`, `yield`, or a write (any assignment, `++`/`--`, `delete`). Functions
 * written inside it are not run by evaluating it, so they do not count. An edit that moves,
 * duplicates or reorders code may only do so with code for which this is `false`.
 */
export function hasSideEffects(node: ts.Node): boolean {
  let found = false;
  const visit = (current: ts.Node): void => {
    if (found || ts.isFunctionExpression(current) || ts.isArrowFunction(current) || ts.isTypeNode(current)) {
      return;
    }
    if (
      ts.isCallExpression(current) ||
      ts.isNewExpression(current) ||
      ts.isTaggedTemplateExpression(current) ||
      ts.isAwaitExpression(current) ||
      ts.isYieldExpression(current) ||
      (ts.isBinaryExpression(current) && isAssignmentOperator(current.operatorToken.kind)) ||
      getWrittenReferenceKeys(current).length > 0
    ) {
      found = true;
      return;
    }
    ts.forEachChild(current, visit);
  };
  visit(node);
  return found;
}

/** `=`, `+=`, `??=` and every other operator that writes its left side. */
export function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/**
 * Is the expression (`o.x!`, `o[k]`) the place a write goes to: the left of an assignment (compound ones included),
 * the operand of `++`/`--`, an element or property value of a destructuring assignment, or the
 * variable of a `for…of`/`for…in` that declares none?
 */
export function isAssignmentTarget(expression: ts.Expression): boolean {
  let node: ts.Node = expression;
  while (ts.isParenthesizedExpression(node.parent)) {
    node = node.parent;
  }
  const parent = node.parent;
  if (ts.isBinaryExpression(parent) && parent.left === node) {
    return isAssignmentOperator(parent.operatorToken.kind);
  }
  if (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) {
    return parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken;
  }
  if ((ts.isForOfStatement(parent) || ts.isForInStatement(parent)) && parent.initializer === node) {
    return true;
  }
  if (ts.isArrayLiteralExpression(parent) || ts.isSpreadElement(parent) || ts.isSpreadAssignment(parent) || (ts.isPropertyAssignment(parent) && parent.initializer === node)) {
    return isDestructuringTarget(parent);
  }
  return false;
}

/**
 * Is this array or object literal, or an element of one, a pattern that receives values: `[a, { k: b }]`
 * in `[a, { k: b }] = …` or `for ([a, b] of …)`, nested patterns and their defaults (`[{ k } = {}] = …`)
 * included, rather than a literal that is only read?
 */
function isDestructuringTarget(node: ts.Node): boolean {
  let current = node;
  for (;;) {
    const parent = current.parent;
    if (ts.isArrayLiteralExpression(parent) || ts.isObjectLiteralExpression(parent) || ts.isSpreadElement(parent) || ts.isSpreadAssignment(parent)) {
      current = parent;
    } else if (ts.isPropertyAssignment(parent) && parent.initializer === current) {
      current = parent;
    } else if (ts.isBinaryExpression(parent) && parent.left === current && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      // `{ k } = {}` inside a pattern is a default; anywhere else it is the destructuring assignment itself.
      const outer = parent.parent;
      if (!ts.isArrayLiteralExpression(outer) && !(ts.isPropertyAssignment(outer) && outer.initializer === parent)) {
        return ts.isArrayLiteralExpression(current) || ts.isObjectLiteralExpression(current);
      }
      current = parent;
    } else {
      const isLoopVariable = (ts.isForOfStatement(parent) || ts.isForInStatement(parent)) && parent.initializer === current;
      return isLoopVariable && (ts.isArrayLiteralExpression(current) || ts.isObjectLiteralExpression(current));
    }
  }
}
