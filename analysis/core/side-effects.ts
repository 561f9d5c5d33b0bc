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
