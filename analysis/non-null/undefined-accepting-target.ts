import ts from 'typescript';

import { getEnclosingFunction } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { someNode } from '../core/some-node.js';
import { getStableReferenceKey } from '../core/stable-reference.js';
import { skipTransparentUp, unwrapParentheses } from '../core/transparent-syntax.js';
import { getAcceptedNullishParts, getNullishParts, getNullishPartsAcceptedBy } from '../core/types.js';

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

/**
 * Is this `v!` handed straight to a parameter, or to a property of an object literal handed to one,
 * whose type accepts the missing value? matrix-js-sdk passes `{ $relationType: relationType! }` to
 * `encodeUri(template, variables: Record<string, Optional<string>>)`: the callee is declared to
 * take `null` and `undefined` there, so a missing value reaches code written for it, and the `!`
 * only quiets the compiler. The `!` narrows nothing any reader sees: the value is not stored in a
 * variable, and the literal's own type is gone once it is checked against the parameter.
 *
 * The parameter type is the one of the resolved call. A generic parameter (`f<T>(o: T)`) is
 * instantiated from the argument itself, with the `!` already applied, so it accepts nothing more;
 * a type parameter left over, `any` and `unknown` say nothing about what the callee expects.
 * An object literal stored in an annotated variable (`const o: Vars = { k: v! }`) counts too:
 * readers of `o` see the annotation.
 */
export function isPassedWhereMissingIsAllowed(assertion: ts.NonNullExpression, checker: ts.TypeChecker): boolean {
  const value = skipTransparentUp(assertion);
  if (!reachesDeclaredTypeDirectly(value)) {
    return false;
  }
  const contextual = checker.getContextualType(value);
  if (contextual === undefined || someConstituent(contextual, (part) => (part.flags & ts.TypeFlags.Instantiable) !== 0)) {
    return false;
  }
  const passed = getNullishParts(checker.getTypeAtLocation(assertion.expression));
  const accepted = getNullishPartsAcceptedBy(contextual, checker);
  return !(passed.undefined && !accepted.undefined) && !(passed.null && !accepted.null);
}

/** An argument, or a property value of object literals nested in an argument or an annotated variable's initializer. */
function reachesDeclaredTypeDirectly(value: ts.Expression): boolean {
  let node: ts.Expression = value;
  for (;;) {
    const parent = node.parent;
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(node) === true) {
      return true;
    }
    if (node !== value && ts.isVariableDeclaration(parent) && parent.initializer === node) {
      return parent.type !== undefined;
    }
    if (ts.isPropertyAssignment(parent) && parent.initializer === node && ts.isObjectLiteralExpression(parent.parent)) {
      node = skipTransparentUp(parent.parent);
      continue;
    }
    return false;
  }
}

function someConstituent(type: ts.Type, test: (part: ts.Type) => boolean): boolean {
  return type.isUnionOrIntersection() ? type.types.some((part) => someConstituent(part, test)) : test(type);
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
