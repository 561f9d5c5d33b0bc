import ts from 'typescript';

import { getRepeatableCallKey, getStableReferenceKey, getWrittenReferenceKeys, interruptsRepeatedCall, writeAffectsReference } from '../core/stable-reference.js';
import { isFunctionBoundary } from '../core/functions.js';
import { isReassigned } from '../core/is-reassigned.js';
import { parentOf } from '../core/parent.js';
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
    return isPresentThroughOptionalChainAlias(target, program);
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

/**
 * `const allOf = json?.allOf; if (!Array.isArray(allOf)) continue; … json!`: a constant that
 * holds an optional chain on `json` is `undefined` whenever `json` is missing, so a check that
 * shows the constant present shows `json` present. Both bindings are constant, so nothing between
 * the check and the use (an `await`, a call) can undo it.
 */
function isPresentThroughOptionalChainAlias(target: ts.Expression, program: ts.Program): boolean {
  if (!ts.isIdentifier(target)) {
    return false;
  }
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(target);
  const scope = getDeclaringScope(symbol);
  if (symbol === undefined || scope === undefined || isReassigned(symbol, scope, checker)) {
    return false;
  }
  const aliases = getOptionalChainAliases(symbol, scope, checker);
  if (aliases.length === 0) {
    return false;
  }
  // A chain cut short is `undefined`, never `null`: `alias !== null` does not show `json` present.
  const chainNullish = { undefined: true, null: false };
  const guard = findGuard(
    target,
    (condition, polarity) => aliases.some((alias) => isPresenceTest(condition, alias, polarity, chainNullish)),
    () => false,
    (fn) => runsWhereWritten(fn, program),
  );
  return guard !== undefined;
}

/** The function (or file) a parameter or a variable is declared in: where a write to it would be. */
function getDeclaringScope(symbol: ts.Symbol | undefined): ts.Node | undefined {
  const declaration = symbol?.valueDeclaration;
  if (declaration === undefined || !(ts.isVariableDeclaration(declaration) || ts.isParameter(declaration))) {
    return undefined;
  }
  for (let current = parentOf(declaration); current !== undefined; current = parentOf(current)) {
    if (isFunctionBoundary(current) || ts.isSourceFile(current)) {
      return current;
    }
  }
  return undefined;
}

/** Names of `const` variables in `scope` initialised with an optional chain on the variable `symbol`. */
function getOptionalChainAliases(symbol: ts.Symbol, scope: ts.Node, checker: ts.TypeChecker): string[] {
  const aliases: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer !== undefined &&
      ts.isVariableDeclarationList(node.parent) &&
      (node.parent.flags & ts.NodeFlags.Const) !== 0 &&
      isOptionalChainOn(node.initializer, symbol, checker)
    ) {
      aliases.push(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return aliases;
}

/** `x?.a`, `x?.a.b`, `x?.[k]`, `x?.m()`, with `as` and parentheses around it. */
function isOptionalChainOn(expression: ts.Expression, symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  let current = skipTypeAssertions(expression);
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current) || ts.isCallExpression(current)) {
    const object = skipTypeAssertions(current.expression);
    if (current.questionDotToken !== undefined && ts.isIdentifier(object) && checker.getSymbolAtLocation(object) === symbol) {
      return true;
    }
    if (!ts.isOptionalChain(current)) {
      return false;
    }
    current = object;
  }
  return false;
}

function skipTypeAssertions(expression: ts.Expression): ts.Expression {
  let current = unwrapParentheses(expression);
  while (ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isTypeAssertionExpression(current)) {
    current = unwrapParentheses(current.expression);
  }
  return current;
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
    const operator = node.operatorToken.kind;
    // `a || b` true (or `a && b` false) says one side holds: each side must show the subject present.
    if ((operator === ts.SyntaxKind.BarBarToken && polarity) || (operator === ts.SyntaxKind.AmpersandAmpersandToken && !polarity)) {
      return isPresenceTest(node.left, key, polarity, nullish) && isPresenceTest(node.right, key, polarity, nullish);
    }
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
  if (isPresentLiteral(other)) {
    // `x === 'A'` (or `x == 0`) true, or `x !== 'A'` false, says `x` holds that value, not a missing one.
    return polarity === equality;
  }
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

/** A literal that is neither `null` nor `undefined`, nor loosely equal to them: `'A'`, `0`, `-1`, `true`, `` `x` ``. */
function isPresentLiteral(node: ts.Expression): boolean {
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    return ts.isNumericLiteral(node.operand) || ts.isBigIntLiteral(node.operand);
  }
  return (
    ts.isStringLiteralLike(node) ||
    ts.isNumericLiteral(node) ||
    ts.isBigIntLiteral(node) ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword
  );
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
