import ts from 'typescript';

import { getRepeatableCallKey, getStableReferenceKey, getWrittenReferenceKeys, interruptsRepeatedCall, writeAffectsReference } from '../core/stable-reference.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getNullishParts, type NullishParts } from '../core/types.js';
import { findGuard, getReferenceParts, hasInterference } from './guards.js';
import { runsWhereWritten } from './hot-path.js';

/**
 * `x.p!` where the same `x.p` was just checked: `if (x.p) …`, `x.p && …`, `if (!x.p) return;`,
 * `while (x.p !== null) …`, `x.p ? … : …`. TypeScript narrows such a reference by itself, except
 * inside a callback (`if (o.p) list.forEach(() => use(o.p!))`) or for a call, which it never
 * narrows (`if (t.getFilter()) t.getFilter()!`); that is where people write `!`.
 *
 * It is a proof when nothing between the check and the use can undo it:
 * - no write to the reference or to what it is built from (`x`, `x.p`), in the code between, in a
 *   loop around the use, or in a callback around the use (which may run again);
 * - no `await` or `yield`, where other code runs and may clear a property;
 * - for a call, no other call and no write at all in between: a call may return something else the
 *   second time only if something changed.
 * Calls between the check and a use of a property are assumed not to clear it, as TypeScript's own
 * narrowing assumes; the callbacks followed are those that run where they are written (iteration
 * methods of the standard library, immediately invoked functions, `Promise` executors).
 */
export function isPresenceChecked(reference: ts.Expression, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const target = unwrapParentheses(reference);
  const subject = getCheckedSubject(target);
  if (subject === undefined) {
    return false;
  }
  // Which missing values a comparison with `null` or `undefined` must rule out.
  const nullish = getNullishParts(checker.getTypeAtLocation(target));
  const guard = findGuard(
    target,
    (condition, polarity) => isPresenceTest(condition, subject.key, polarity, nullish),
    () => false,
    (fn) => runsWhereWritten(fn, program),
  );
  if (guard === undefined) {
    return false;
  }
  const parts = getReferenceParts(subject.reference);
  return !hasInterference(guard, target, (node) => {
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      return true;
    }
    if (subject.isCall && interruptsRepeatedCall(node)) {
      return true;
    }
    return getWrittenReferenceKeys(node).some((written) => parts.some((part) => writeAffectsReference(written, part)));
  });
}

interface CheckedSubject {
  /** What a check must test: the reference's key, or the text of a call. */
  key: string;
  /** The part whose writes undo the check: the reference, or the receiver and arguments of a call. */
  reference: ts.Expression;
  isCall: boolean;
}

/** `x.p` by its stable key; `t.getFilter()` (a method call with stable receiver and arguments) by its text. */
function getCheckedSubject(target: ts.Expression): CheckedSubject | undefined {
  const key = getStableReferenceKey(target);
  if (key !== undefined) {
    return { key, reference: target, isCall: false };
  }
  const callKey = getRepeatableCallKey(target);
  return callKey === undefined ? undefined : { key: callKey, reference: target, isCall: true };
}

/** The key of a tested expression; `a?.b` tests `a.b` (truthy only when `a` and `a.b` are present). */
function keyOf(expression: ts.Expression): string | undefined {
  let inner = unwrapParentheses(expression);
  while (ts.isNonNullExpression(inner)) {
    inner = unwrapParentheses(inner.expression);
  }
  if (ts.isPropertyAccessExpression(inner) && inner.questionDotToken !== undefined) {
    const object = keyOf(inner.expression);
    return object === undefined ? undefined : `${object}.${inner.name.text}`;
  }
  return getStableReferenceKey(inner) ?? getRepeatableCallKey(inner);
}

/**
 * Is `condition` true (for `polarity`) only when the subject is present? `x`, `x != null`,
 * `x !== undefined` (when `x` cannot be `null`), `x !== null` (when it cannot be `undefined`),
 * `x instanceof C`, `typeof x === 'string'`, `Array.isArray(x)`, and `x?.y` or `x.y` being truthy
 * (a missing `x` makes them falsy or throws); for `polarity` false, their negations.
 */
function isPresenceTest(condition: ts.Expression, key: string, polarity: boolean, nullish: NullishParts): boolean {
  const node = unwrapParentheses(condition);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    return isPresenceTest(node.operand, key, !polarity, nullish);
  }
  if (ts.isBinaryExpression(node)) {
    return isComparisonTest(node, key, polarity, nullish);
  }
  if (!polarity) {
    return false;
  }
  if (keyOf(node) === key || readsThrough(node, key)) {
    return true;
  }
  if (ts.isCallExpression(node) && getStableReferenceKey(node.expression) === 'Array.isArray' && node.arguments.length === 1) {
    const [argument] = node.arguments;
    return argument !== undefined && keyOf(argument) === key;
  }
  return false;
}

/** `x.y`, `x?.y`, `x[i]`, `x.m()` with `x` the subject: truthy only if `x` is present. */
function readsThrough(node: ts.Expression, key: string): boolean {
  let current: ts.Expression = node;
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current) || ts.isCallExpression(current) || ts.isNonNullExpression(current)) {
    current = unwrapParentheses(current.expression);
    if (keyOf(current) === key) {
      return true;
    }
  }
  return false;
}

function isComparisonTest(node: ts.BinaryExpression, key: string, polarity: boolean, nullish: NullishParts): boolean {
  const operator = node.operatorToken.kind;
  if (operator === ts.SyntaxKind.InstanceOfKeyword) {
    return polarity && keyOf(node.left) === key;
  }
  const equality = operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsEqualsToken;
  const inequality = operator === ts.SyntaxKind.ExclamationEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsEqualsToken;
  if (!equality && !inequality) {
    return false;
  }
  const loose = operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
  const [subjectSide, otherSide] = keyOf(node.left) === key ? [node.left, node.right] : keyOf(node.right) === key ? [node.right, node.left] : [];
  if (subjectSide === undefined || otherSide === undefined) {
    return isTypeofTest(node, key, polarity, equality);
  }
  const other = unwrapParentheses(otherSide);
  const isNull = other.kind === ts.SyntaxKind.NullKeyword;
  const isUndefined = ts.isIdentifier(other) && other.text === 'undefined';
  if (!isNull && !isUndefined) {
    return false;
  }
  // `!==`/`!=` true, or `===`/`==` false, says the subject is not that value.
  if (polarity !== inequality) {
    return false;
  }
  if (loose) {
    return true;
  }
  return isNull ? !nullish.undefined : !nullish.null;
}

/** `typeof x === 'string'` (any type name but `'undefined'` and `'object'`, which `null` also has). */
function isTypeofTest(node: ts.BinaryExpression, key: string, polarity: boolean, equality: boolean): boolean {
  if (polarity !== equality) {
    return false;
  }
  const [typeofSide, literal] = ts.isTypeOfExpression(unwrapParentheses(node.left)) ? [node.left, node.right] : [node.right, node.left];
  const typeofNode = unwrapParentheses(typeofSide);
  const literalNode = unwrapParentheses(literal);
  return (
    ts.isTypeOfExpression(typeofNode) &&
    keyOf(typeofNode.expression) === key &&
    ts.isStringLiteralLike(literalNode) &&
    literalNode.text !== 'undefined' &&
    literalNode.text !== 'object'
  );
}
