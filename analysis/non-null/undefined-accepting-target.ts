import ts from 'typescript';

import { getEnclosingFunction } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { someNode } from '../core/some-node.js';
import { getStableReferenceKey } from '../core/stable-reference.js';
import { skipTransparentUp, unwrapParentheses } from '../core/transparent-syntax.js';
import { getAcceptedNullishParts, getNullishParts } from '../core/types.js';

/**
 * Is this `x = v!` (or `const x: T | undefined = v!`) a statement that stores the value where
 * `undefined` is allowed anyway? matrix-js-sdk writes `this.audioInput = settings.deviceId!` into
 * `audioInput?: string`: a missing value is stored as missing, which every reader of the property
 * already handles, and nothing fails here. The target must accept each missing value the asserted
 * type has (`null` too, if it has `null`), as the checker says for the write; under
 * `exactOptionalPropertyTypes` an optional property accepts no `undefined`.
 *
 * The `!` does still lie to TypeScript, which narrows the target to the assigned type: a later
 * `this.audioInput.length` in the same function would compile and fail. So the function may not
 * read the target again after the write, nor anywhere in a loop around it.
 */
export function isStoredWhereMissingIsAllowed(assertion: ts.NonNullExpression, checker: ts.TypeChecker): boolean {
  const value = skipTransparentUp(assertion);
  const parent = value.parent;
  let target: ts.Node;
  let targetKey: string | undefined;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === value && ts.isExpressionStatement(parent.parent)) {
    target = unwrapParentheses(parent.left);
    targetKey = getStableReferenceKey(parent.left);
  } else if (ts.isVariableDeclaration(parent) && parent.initializer === value && parent.type !== undefined && ts.isIdentifier(parent.name)) {
    target = parent.name;
    targetKey = parent.name.text;
  } else {
    return false;
  }
  if (targetKey === undefined || !(ts.isIdentifier(target) || ts.isPropertyAccessExpression(target))) {
    return false;
  }
  const stored = getNullishParts(checker.getTypeAtLocation(assertion.expression));
  const accepted = getAcceptedNullishParts(target, checker);
  if ((stored.undefined && !accepted.undefined) || (stored.null && !accepted.null)) {
    return false;
  }
  return !isReadLater(parent, targetKey);
}

/** Is the reference `key` read in the function that holds `write`, after it or in a loop around it? */
function isReadLater(write: ts.Node, key: string): boolean {
  const fn = getEnclosingFunction(write);
  const scope = fn?.body ?? write.getSourceFile();
  let from = write.end;
  for (let node = parentOf(write); node !== undefined && node !== fn; node = parentOf(node)) {
    if (ts.isIterationStatement(node, false)) {
      from = Math.min(from, node.getStart());
    }
  }
  return someNode(scope, (node) => node.getStart() >= from && ts.isExpression(node) && !ts.isStringLiteralLike(node) && !isPlainWriteTarget(node) && getStableReferenceKey(node) === key);
}

/** The left of a plain `=`, or a declared name: written, not read. */
function isPlainWriteTarget(node: ts.Expression): boolean {
  const outer = skipTransparentUp(node);
  const parent = outer.parent;
  return (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.left === outer) || (ts.isVariableDeclaration(parent) && parent.name === node);
}
