import { isTypeReference, unionConstituents } from 'ts-api-utils';
import ts from 'typescript';

import { isAssignmentOperator } from '../core/side-effects.js';
import { isFunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { isDeclaredInStandardLibrary } from '../core/standard-library.js';
import { getStableReferenceKey, getWrittenReferenceKeys, writeAffectsReference } from '../core/stable-reference.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getIndexBoundsSafety } from './index-bounds.js';

/**
 * Is this `x!` provably safe, and why?
 *
 * `!` is a claim the compiler cannot check. Some claims are checked after all, by code TypeScript
 * cannot relate to the assertion; flagging those would teach people to ignore the rule:
 * - `not-nullable`: the type has no `null`/`undefined` to remove (`no-unnecessary-type-assertion`
 *   covers that; `any` and `unknown` are not claims about nullability either);
 * - `bounds-checked-index`: `a[i]!` in `for (let i = 0; i < a.length; i++)`, needed under
 *   `noUncheckedIndexedAccess`, when `i` and `a` are not written in the loop and the element type
 *   itself has no `undefined`;
 * - `guarded-map-get`: `m.get(k)!` after `m.has(k)` (or after `m.set(k, …)` on the only path where
 *   it was missing), with no `delete`, `clear`, reassignment or `await` in between;
 * - `length-checked-removal`: `a.pop()!` / `a.shift()!` in `while (a.length > 0)`, with no other
 *   removal before it in the loop.
 * - `established-before-use`: `x!` right after `if (!x) { x = []; }` (or `Object.defineProperty(o, k,
 *   { value: [] })` for `o[k]`), where TypeScript's narrowing does not reach, with no write in between.
 * - `assignment-target`: `o.x! = v`, `o.x! += v`, `x!++`, `[a!] = …`, `({ k: a! } = …)`, `for (a! of …)`:
 *   the `!` only lets the compiler accept the write; nothing reads the value in a way that can
 *   fail, so there is nothing for a check to test (`o.x!.y = v` does read `o.x`, and is not one).
 * - `guarded-index`: `a[i]!`, `a[n - 1]!`, `a.at(i)!`, `s.codePointAt(i)!` where an integer counter
 *   is kept inside `[0, a.length)` by the nearest condition (`while`, `if`, `&&`, `for`, an early
 *   exit) and by how it starts and moves: `i < a.length` with `i` from 0 up, `n > 0` with `n` from
 *   `a.length` down, also through `(a?.length ?? 0)` and a `const` copy of the length;
 * - `length-checked-index`: `a[k]!` or `a[a.length - k]!` after a check on `a.length`
 *   (`if (a.length === 0) continue;`, `if (a.length !== 1) throw …`);
 * - `callback-index`: `b[i]!` where `i` is the index of `a.forEach`/`every`/`map`/… and `a` is `b`,
 *   or was checked to be no longer than `b` (`a.length === b.length &&`), or one is a `.map` of the other;
 * - `optional-length-checked`: `xs!` where `i < (xs?.length ?? 0)` holds for a non-negative `i`: a
 *   missing `xs` has no index.
 * See `index-bounds.ts` for what may happen between those checks and the read.
 * Definite-assignment declarations (`x!: T`) are no expressions and never reach this question.
 */
export type NonNullAssertionSafety =
  | { kind: 'not-nullable' }
  | { kind: 'bounds-checked-index' }
  | { kind: 'guarded-map-get' }
  | { kind: 'length-checked-removal' }
  | { kind: 'established-before-use' }
  | { kind: 'assignment-target' }
  | { kind: 'guarded-index' }
  | { kind: 'length-checked-index' }
  | { kind: 'callback-index' }
  | { kind: 'optional-length-checked' };

export function getNonNullAssertionSafety(assertion: ts.NonNullExpression, program: ts.Program): NonNullAssertionSafety | undefined {
  const checker = program.getTypeChecker();
  const nullish = getNullishParts(checker.getTypeAtLocation(assertion.expression));
  if (!nullish.undefined && !nullish.null) {
    return { kind: 'not-nullable' };
  }
  if (isAssignmentTarget(assertion)) {
    return { kind: 'assignment-target' };
  }
  const expression = unwrapParentheses(assertion.expression);
  if (ts.isElementAccessExpression(expression) && isBoundsCheckedIndex(expression, checker)) {
    return { kind: 'bounds-checked-index' };
  }
  if (ts.isCallExpression(expression)) {
    if (isGuardedMapGet(expression, program)) {
      return { kind: 'guarded-map-get' };
    }
    if (isLengthCheckedRemoval(expression, program)) {
      return { kind: 'length-checked-removal' };
    }
  }
  if (isEstablishedBeforeUse(expression, checker)) {
    return { kind: 'established-before-use' };
  }
  const indexBounds = getIndexBoundsSafety(assertion, program);
  if (indexBounds !== undefined) {
    return indexBounds;
  }
  return undefined;
}

export interface NullishParts {
  undefined: boolean;
  null: boolean;
}

/**
 * Which of `undefined` (or `void`) and `null` the type can hold. A type parameter or indexed access
 * answers for its constraint; `any`, `unknown` and unconstrained type parameters answer "neither",
 * because a `!` on them is not a claim about a declared absence.
 */
export function getNullishParts(type: ts.Type): NullishParts {
  const parts: NullishParts = { undefined: false, null: false };
  const visit = (current: ts.Type, depth: number): void => {
    for (const constituent of unionConstituents(current)) {
      const flags = constituent.flags;
      if ((flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0) {
        parts.undefined = true;
      } else if ((flags & ts.TypeFlags.Null) !== 0) {
        parts.null = true;
      } else if ((flags & ts.TypeFlags.Instantiable) !== 0 && depth < 5) {
        const constraint = constituent.getConstraint();
        if (constraint !== undefined && constraint !== constituent) {
          visit(constraint, depth + 1);
        }
      }
    }
  };
  visit(type, 0);
  return parts;
}

// --- o.x! = v ------------------------------------------------------------------------------------

/**
 * Is the assertion the place a write goes to: the left of an assignment (compound ones included),
 * the operand of `++`/`--`, an element or property value of a destructuring assignment, or the
 * variable of a `for…of`/`for…in` that declares none?
 */
export function isAssignmentTarget(assertion: ts.NonNullExpression): boolean {
  let node: ts.Node = assertion;
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

// --- a[i]! inside `for (let i = 0; i < a.length; i++)` ----------------------------------------

function isBoundsCheckedIndex(access: ts.ElementAccessExpression, checker: ts.TypeChecker): boolean {
  const index = unwrapParentheses(access.argumentExpression);
  const arrayKey = getStableReferenceKey(access.expression);
  if (!ts.isIdentifier(index) || arrayKey === undefined || hasNullableElements(access.expression, checker)) {
    return false;
  }
  const indexSymbol = checker.getSymbolAtLocation(index);
  for (let node: ts.Node = access, loop = parentOf(access); loop !== undefined; node = loop, loop = parentOf(loop)) {
    if (ts.isForStatement(loop) && loop.statement === node) {
      if (isIndexLoopOver(loop, indexSymbol, arrayKey, checker) && !isWrittenIn(loop.statement, [index.text, arrayKey])) {
        return true;
      }
    } else if (ts.isForOfStatement(loop) && loop.statement === node) {
      // `for (const i of a.keys())`
      const iterated = unwrapParentheses(loop.expression);
      if (
        declaresSymbol(loop.initializer, indexSymbol, checker) &&
        ts.isCallExpression(iterated) &&
        ts.isPropertyAccessExpression(iterated.expression) &&
        iterated.expression.name.text === 'keys' &&
        getStableReferenceKey(iterated.expression.expression) === arrayKey &&
        !isWrittenIn(loop.statement, [arrayKey])
      ) {
        return true;
      }
    } else if (ts.isForInStatement(loop) && loop.statement === node) {
      // `for (const key in record) record[key]!`: the key was just enumerated from that object.
      if (
        declaresSymbol(loop.initializer, indexSymbol, checker) &&
        getStableReferenceKey(loop.expression) === arrayKey &&
        !isWrittenIn(loop.statement, [arrayKey, `${arrayKey}[]`])
      ) {
        return true;
      }
    }
  }
  return false;
}

/** `a[i]` is `T | undefined` under `noUncheckedIndexedAccess`; a bounds check only removes that part. */
function hasNullableElements(array: ts.Expression, checker: ts.TypeChecker): boolean {
  const type = checker.getApparentType(checker.getTypeAtLocation(array));
  const element = checker.getIndexTypeOfType(type, ts.IndexKind.Number) ?? checker.getIndexTypeOfType(type, ts.IndexKind.String);
  if (element === undefined) {
    return true;
  }
  const nullish = getNullishParts(element);
  return nullish.undefined || nullish.null;
}

function declaresSymbol(initializer: ts.ForInitializer, symbol: ts.Symbol | undefined, checker: ts.TypeChecker): boolean {
  if (symbol === undefined || !ts.isVariableDeclarationList(initializer)) {
    return false;
  }
  const declaration = initializer.declarations[0];
  return declaration !== undefined && ts.isIdentifier(declaration.name) && checker.getSymbolAtLocation(declaration.name) === symbol;
}

function isIndexLoopOver(loop: ts.ForStatement, indexSymbol: ts.Symbol | undefined, arrayKey: string, checker: ts.TypeChecker): boolean {
  const initializer = loop.initializer;
  if (indexSymbol === undefined || initializer === undefined || !ts.isVariableDeclarationList(initializer) || loop.condition === undefined || loop.incrementor === undefined) {
    return false;
  }
  const declaration = initializer.declarations.find(
    (candidate) => ts.isIdentifier(candidate.name) && checker.getSymbolAtLocation(candidate.name) === indexSymbol,
  );
  if (declaration?.initializer === undefined || !ts.isIdentifier(declaration.name)) {
    return false;
  }
  const indexName = declaration.name.text;
  const start = unwrapParentheses(declaration.initializer);
  const step = getStep(loop.incrementor, indexName);
  const conditions = getConjuncts(loop.condition);
  if (ts.isNumericLiteral(start) && step === 'up') {
    // i counts up from a non-negative literal; some conjunct must keep it below the length.
    return conditions.some((condition) => isBelowLength(condition, indexName, arrayKey, initializer, checker));
  }
  if (step === 'down' && isLengthMinusOne(start, arrayKey)) {
    return conditions.some((condition) => isNonNegativeCheck(condition, indexName));
  }
  return false;
}

function getStep(incrementor: ts.Expression, indexName: string): 'up' | 'down' | undefined {
  const node = unwrapParentheses(incrementor);
  if ((ts.isPostfixUnaryExpression(node) || ts.isPrefixUnaryExpression(node)) && isNamed(node.operand, indexName)) {
    if (node.operator === ts.SyntaxKind.PlusPlusToken) {
      return 'up';
    }
    if (node.operator === ts.SyntaxKind.MinusMinusToken) {
      return 'down';
    }
  }
  if (ts.isBinaryExpression(node) && isNamed(node.left, indexName) && ts.isNumericLiteral(node.right) && Number(node.right.text) > 0) {
    if (node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) {
      return 'up';
    }
    if (node.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken) {
      return 'down';
    }
  }
  return undefined;
}

export function getConjuncts(condition: ts.Expression): ts.Expression[] {
  const node = unwrapParentheses(condition);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
    return [...getConjuncts(node.left), ...getConjuncts(node.right)];
  }
  return [node];
}

/** `i < a.length`, `a.length > i`, or `i < n` where `n` is declared as `a.length` and never reassigned. */
function isBelowLength(
  condition: ts.Expression,
  indexName: string,
  arrayKey: string,
  initializer: ts.VariableDeclarationList,
  checker: ts.TypeChecker,
): boolean {
  if (!ts.isBinaryExpression(condition)) {
    return false;
  }
  const operator = condition.operatorToken.kind;
  let bound: ts.Expression | undefined;
  if (operator === ts.SyntaxKind.LessThanToken && isNamed(condition.left, indexName)) {
    bound = condition.right;
  } else if (operator === ts.SyntaxKind.GreaterThanToken && isNamed(condition.right, indexName)) {
    bound = condition.left;
  }
  if (bound === undefined) {
    return false;
  }
  if (isLengthOf(bound, arrayKey)) {
    return true;
  }
  const boundNode = unwrapParentheses(bound);
  if (!ts.isIdentifier(boundNode)) {
    return false;
  }
  const boundDeclaration = checker.getSymbolAtLocation(boundNode)?.valueDeclaration;
  if (boundDeclaration === undefined || !ts.isVariableDeclaration(boundDeclaration) || boundDeclaration.initializer === undefined) {
    return false;
  }
  const list = boundDeclaration.parent;
  const isConstant = ts.isVariableDeclarationList(list) && ((list.flags & ts.NodeFlags.Const) !== 0 || list === initializer);
  return isConstant && isLengthOf(boundDeclaration.initializer, arrayKey) && !isWrittenIn(list === initializer ? initializer.parent : list, [boundNode.text]);
}

function isNonNegativeCheck(condition: ts.Expression, indexName: string): boolean {
  if (!ts.isBinaryExpression(condition)) {
    return false;
  }
  const operator = condition.operatorToken.kind;
  const right = unwrapParentheses(condition.right);
  const left = unwrapParentheses(condition.left);
  if (operator === ts.SyntaxKind.GreaterThanEqualsToken && isNamed(left, indexName) && ts.isNumericLiteral(right) && right.text === '0') {
    return true;
  }
  return operator === ts.SyntaxKind.LessThanEqualsToken && isNamed(right, indexName) && ts.isNumericLiteral(left) && left.text === '0';
}

function isLengthOf(expression: ts.Expression, arrayKey: string): boolean {
  const node = unwrapParentheses(expression);
  return ts.isPropertyAccessExpression(node) && node.name.text === 'length' && getStableReferenceKey(node.expression) === arrayKey;
}

function isLengthMinusOne(expression: ts.Expression, arrayKey: string): boolean {
  const node = unwrapParentheses(expression);
  return (
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind === ts.SyntaxKind.MinusToken &&
    isLengthOf(node.left, arrayKey) &&
    ts.isNumericLiteral(node.right) &&
    node.right.text === '1'
  );
}

function isNamed(expression: ts.Expression, name: string): boolean {
  const node = unwrapParentheses(expression);
  return ts.isIdentifier(node) && node.text === name;
}

// --- m.get(k)! after m.has(k) ---------------------------------------------------------------------

const MAP_INTERFACES = new Set(['Map', 'ReadonlyMap', 'WeakMap']);

function isGuardedMapGet(call: ts.CallExpression, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const callee = unwrapParentheses(call.expression);
  const key = call.arguments[0];
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'get' || call.arguments.length !== 1 || key === undefined) {
    return false;
  }
  const mapKey = getStableReferenceKey(callee.expression);
  const keyKey = getStableReferenceKey(key);
  if (mapKey === undefined || keyKey === undefined || !isDeclaredInStandardLibrary(callee.name, program, MAP_INTERFACES)) {
    return false;
  }
  if (hasNullableMapValues(callee.expression, checker)) {
    // `has` says the key is there, not that its value is defined.
    return false;
  }
  const guard = findGuard(call, (condition, polarity) => isMapHasCall(condition, mapKey, keyKey, polarity), (statement) => ensuresMapEntry(statement, mapKey, keyKey));
  if (guard === undefined) {
    return false;
  }
  return !hasInterference(guard, call, (node) => {
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      // Another task can delete the entry while this one waits.
      return true;
    }
    if (isMethodCallOn(node, mapKey, ['delete', 'clear'])) {
      return true;
    }
    return getWrittenReferenceKeys(node).some((written) => writeAffectsReference(written, mapKey) || writeAffectsReference(written, keyKey));
  });
}

function hasNullableMapValues(map: ts.Expression, checker: ts.TypeChecker): boolean {
  const valueType = getMapValueType(checker.getTypeAtLocation(map), checker, 0);
  if (valueType === undefined) {
    return false;
  }
  const nullish = getNullishParts(valueType);
  return nullish.undefined || nullish.null;
}

function getMapValueType(type: ts.Type, checker: ts.TypeChecker, depth: number): ts.Type | undefined {
  for (const constituent of unionConstituents(type)) {
    const symbolName = constituent.getSymbol()?.name;
    if (symbolName !== undefined && MAP_INTERFACES.has(symbolName) && isTypeReference(constituent)) {
      return checker.getTypeArguments(constituent)[1];
    }
    if (depth < 5 && constituent.isClassOrInterface()) {
      for (const base of checker.getBaseTypes(constituent)) {
        const value = getMapValueType(base, checker, depth + 1);
        if (value !== undefined) {
          return value;
        }
      }
    }
    if (depth < 5 && isTypeReference(constituent) && constituent.target !== constituent && constituent.target.isClassOrInterface()) {
      for (const base of checker.getBaseTypes(constituent.target)) {
        const value = getMapValueType(base, checker, depth + 1);
        if (value !== undefined) {
          return value;
        }
      }
    }
  }
  return undefined;
}

/** `m.has(k)` when `polarity` is true, `!m.has(k)` when false. */
function isMapHasCall(condition: ts.Expression, mapKey: string, keyKey: string, polarity: boolean): boolean {
  let node = unwrapParentheses(condition);
  if (!polarity) {
    if (!ts.isPrefixUnaryExpression(node) || node.operator !== ts.SyntaxKind.ExclamationToken) {
      return false;
    }
    node = unwrapParentheses(node.operand);
  }
  return isMethodCallOn(node, mapKey, ['has']) && ts.isCallExpression(node) && node.arguments[0] !== undefined && getStableReferenceKey(node.arguments[0]) === keyKey;
}

/** `m.set(k, v)` as a statement, or as the last statement of a block: afterwards the entry exists. */
function ensuresMapEntry(statement: ts.Statement, mapKey: string, keyKey: string): boolean {
  if (ts.isBlock(statement)) {
    return statement.statements.some((inner) => ensuresMapEntry(inner, mapKey, keyKey));
  }
  if (!ts.isExpressionStatement(statement)) {
    return false;
  }
  const expression = unwrapParentheses(statement.expression);
  return (
    isMethodCallOn(expression, mapKey, ['set']) &&
    ts.isCallExpression(expression) &&
    expression.arguments[0] !== undefined &&
    getStableReferenceKey(expression.arguments[0]) === keyKey
  );
}

export function isMethodCallOn(node: ts.Node, objectKey: string, methods: readonly string[]): boolean {
  if (!ts.isCallExpression(node)) {
    return false;
  }
  const callee = unwrapParentheses(node.expression);
  return ts.isPropertyAccessExpression(callee) && methods.includes(callee.name.text) && getStableReferenceKey(callee.expression) === objectKey;
}

// --- a.pop()! inside `while (a.length > 0)` -------------------------------------------------------

const ARRAY_INTERFACES = new Set(['Array']);

function isLengthCheckedRemoval(call: ts.CallExpression, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'pop' && callee.name.text !== 'shift') || call.arguments.length > 0) {
    return false;
  }
  const arrayKey = getStableReferenceKey(callee.expression);
  if (arrayKey === undefined || !isDeclaredInStandardLibrary(callee.name, program, ARRAY_INTERFACES) || hasNullableElements(callee.expression, checker)) {
    return false;
  }
  const guard = findGuard(call, (condition, polarity) => polarity && isNonEmptyCheck(condition, arrayKey), () => false);
  if (guard === undefined) {
    return false;
  }
  return !hasInterference(guard, call, (node) => {
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      return true;
    }
    if (isMethodCallOn(node, arrayKey, ['pop', 'shift', 'splice'])) {
      return true;
    }
    return getWrittenReferenceKeys(node).some((written) => writeAffectsReference(written, arrayKey) || written === `${arrayKey}.length`);
  });
}

/** `a.length > 0`, `a.length !== 0`, `a.length >= 1`, `0 < a.length` or a bare `a.length`. */
function isNonEmptyCheck(condition: ts.Expression, arrayKey: string): boolean {
  const node = unwrapParentheses(condition);
  if (isLengthOf(node, arrayKey)) {
    return true;
  }
  if (!ts.isBinaryExpression(node)) {
    return false;
  }
  const left = unwrapParentheses(node.left);
  const right = unwrapParentheses(node.right);
  const isLiteral = (expression: ts.Expression, text: string): boolean => ts.isNumericLiteral(expression) && expression.text === text;
  switch (node.operatorToken.kind) {
    case ts.SyntaxKind.GreaterThanToken:
    case ts.SyntaxKind.ExclamationEqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsToken:
      return (isLengthOf(left, arrayKey) && isLiteral(right, '0')) || (node.operatorToken.kind !== ts.SyntaxKind.GreaterThanToken && isLengthOf(right, arrayKey) && isLiteral(left, '0'));
    case ts.SyntaxKind.GreaterThanEqualsToken:
      return isLengthOf(left, arrayKey) && isLiteral(right, '1');
    case ts.SyntaxKind.LessThanToken:
      return isLiteral(left, '0') && isLengthOf(right, arrayKey);
    default:
      return false;
  }
}

// --- if (!x) x = []; x! ----------------------------------------------------------------------------

function isEstablishedBeforeUse(reference: ts.Expression, checker: ts.TypeChecker): boolean {
  const referenceKey = getStableReferenceKey(reference);
  if (referenceKey === undefined) {
    return false;
  }
  const guard = findGuard(
    reference,
    () => false,
    (statement) =>
      ts.isIfStatement(statement) &&
      statement.elseStatement === undefined &&
      isMissingTest(statement.expression, referenceKey) &&
      establishesReference(statement.thenStatement, referenceKey, checker),
  );
  if (guard === undefined) {
    return false;
  }
  const keyParts = getReferenceParts(reference);
  return !hasInterference(guard, reference, (node) => {
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      return true;
    }
    return getWrittenReferenceKeys(node).some((written) => keyParts.some((part) => writeAffectsReference(written, part)));
  });
}

/** The stable references a reference is built from: `o[k].x` is `o`, `k`, `o[k]` and `o[k].x`. */
function getReferenceParts(reference: ts.Expression): string[] {
  const parts: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isExpression(node)) {
      const key = getStableReferenceKey(node);
      if (key !== undefined && !ts.isStringLiteralLike(node) && !ts.isNumericLiteral(node)) {
        parts.push(key);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(reference);
  return parts;
}

/** `!x`, `x == null`, `x === undefined`, `x === null` (either side). */
function isMissingTest(condition: ts.Expression, referenceKey: string): boolean {
  const node = unwrapParentheses(condition);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    return getStableReferenceKey(node.operand) === referenceKey;
  }
  if (!ts.isBinaryExpression(node)) {
    return false;
  }
  const operator = node.operatorToken.kind;
  if (operator !== ts.SyntaxKind.EqualsEqualsToken && operator !== ts.SyntaxKind.EqualsEqualsEqualsToken) {
    return false;
  }
  const isMissingLiteral = (expression: ts.Expression): boolean => {
    const inner = unwrapParentheses(expression);
    return inner.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(inner) && inner.text === 'undefined');
  };
  return (
    (getStableReferenceKey(node.left) === referenceKey && isMissingLiteral(node.right)) ||
    (getStableReferenceKey(node.right) === referenceKey && isMissingLiteral(node.left))
  );
}

/** A statement of the block (or the statement itself) stores a value that cannot be missing at `referenceKey`. */
function establishesReference(statement: ts.Statement, referenceKey: string, checker: ts.TypeChecker): boolean {
  if (ts.isBlock(statement)) {
    return statement.statements.some((inner) => establishesReference(inner, referenceKey, checker));
  }
  if (!ts.isExpressionStatement(statement)) {
    return false;
  }
  const expression = unwrapParentheses(statement.expression);
  const isPresent = (value: ts.Expression): boolean => {
    const nullish = getNullishParts(checker.getTypeAtLocation(value));
    return !nullish.undefined && !nullish.null && (checker.getTypeAtLocation(value).flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) === 0;
  };
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return getStableReferenceKey(expression.left) === referenceKey && isPresent(expression.right);
  }
  // `Object.defineProperty(o, k, { value: [] })`, the idiom for a non-enumerable property.
  if (ts.isCallExpression(expression) && expression.arguments.length === 3 && getStableReferenceKey(expression.expression) === 'Object.defineProperty') {
    const [object, key, descriptor] = expression.arguments;
    if (object === undefined || key === undefined || descriptor === undefined || !ts.isObjectLiteralExpression(descriptor)) {
      return false;
    }
    const objectKey = getStableReferenceKey(object);
    const propertyKey = getStableReferenceKey(key);
    const value = descriptor.properties.find(
      (property): property is ts.PropertyAssignment => ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === 'value',
    );
    return objectKey !== undefined && propertyKey !== undefined && `${objectKey}[${propertyKey}]` === referenceKey && value !== undefined && isPresent(value.initializer);
  }
  return false;
}

// --- guards and what may happen between a guard and its use ---------------------------------------

/** Where a guard ends: everything from `end` up to the guarded use runs after the guard held. */
export interface Guard {
  end: number;
  /** The function body (or file) that holds both, searched for interference. */
  container: ts.Node;
}

/**
 * The nearest condition that must hold for `use` to run: the `if`/`?:`/`&&`/`while` whose true
 * branch holds it, the `else` of a negated condition, or an earlier statement of an enclosing block
 * (`if (!c) return;`, or one that makes the condition true, such as `m.set(k, v)`).
 */
export function findGuard(
  use: ts.Node,
  isCondition: (condition: ts.Expression, polarity: boolean) => boolean,
  establishes: (statement: ts.Statement) => boolean,
): Guard | undefined {
  const implies = (condition: ts.Expression, polarity: boolean): boolean =>
    polarity ? getConjuncts(condition).some((part) => isCondition(part, true)) : getDisjuncts(condition).some((part) => isCondition(part, false));
  let child: ts.Node = use;
  for (let node = parentOf(use); node !== undefined; child = node, node = parentOf(node)) {
    if (isFunctionBoundary(node) || ts.isSourceFile(node)) {
      return undefined;
    }
    const container = (): ts.Node => getContainer(node);
    if (ts.isIfStatement(node) && child !== node.expression) {
      const polarity = child === node.thenStatement;
      if (implies(node.expression, polarity)) {
        return { end: node.expression.end, container: container() };
      }
    } else if (ts.isWhileStatement(node) && child === node.statement) {
      if (implies(node.expression, true)) {
        return { end: node.expression.end, container: container() };
      }
    } else if (ts.isConditionalExpression(node) && child !== node.condition) {
      if (implies(node.condition, child === node.whenTrue)) {
        return { end: node.condition.end, container: container() };
      }
    } else if (ts.isBinaryExpression(node) && child === node.right) {
      const operator = node.operatorToken.kind;
      if (
        (operator === ts.SyntaxKind.AmpersandAmpersandToken && implies(node.left, true)) ||
        (operator === ts.SyntaxKind.BarBarToken && implies(node.left, false))
      ) {
        return { end: node.left.end, container: container() };
      }
    } else if (ts.isBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      const statements = node.statements;
      const index = statements.indexOf(child as ts.Statement);
      for (let previous = index - 1; previous >= 0; previous--) {
        const statement = statements[previous];
        if (statement !== undefined && (isEarlyExitGuard(statement, implies) || isEstablishingGuard(statement, implies, establishes))) {
          return { end: statement.end, container: container() };
        }
      }
    }
  }
  return undefined;
}

function getDisjuncts(condition: ts.Expression): ts.Expression[] {
  const node = unwrapParentheses(condition);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.BarBarToken) {
    return [...getDisjuncts(node.left), ...getDisjuncts(node.right)];
  }
  return [node];
}

/** `if (!condition) return;` (or `throw`, `continue`, `break`) before the use. */
function isEarlyExitGuard(statement: ts.Statement, implies: (condition: ts.Expression, polarity: boolean) => boolean): boolean {
  return ts.isIfStatement(statement) && statement.elseStatement === undefined && implies(statement.expression, false) && alwaysExits(statement.thenStatement);
}

/** `if (!m.has(k)) m.set(k, v);` before the use: on the path where the entry was missing, it was added. */
function isEstablishingGuard(
  statement: ts.Statement,
  implies: (condition: ts.Expression, polarity: boolean) => boolean,
  establishes: (statement: ts.Statement) => boolean,
): boolean {
  if (establishes(statement)) {
    return true;
  }
  return ts.isIfStatement(statement) && statement.elseStatement === undefined && implies(statement.expression, false) && establishes(statement.thenStatement);
}

function alwaysExits(statement: ts.Statement): boolean {
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return last !== undefined && alwaysExits(last);
  }
  return ts.isReturnStatement(statement) || ts.isThrowStatement(statement) || ts.isContinueStatement(statement) || ts.isBreakStatement(statement);
}

export function getContainer(node: ts.Node): ts.Node {
  let current = node;
  for (let parent = parentOf(current); parent !== undefined && !isFunctionBoundary(parent); parent = parentOf(current)) {
    current = parent;
  }
  return current;
}

/**
 * Does anything between the guard and the use match `interferes`? "Between" is the source text from
 * the end of the guard to the use, plus the whole body of every loop that encloses the use inside the
 * guarded region, since a later iteration runs the end of the body before reaching the use again.
 */
export function hasInterference(guard: Guard, use: ts.Node, interferes: (node: ts.Node) => boolean): boolean {
  const ranges: { start: number; end: number }[] = [{ start: guard.end, end: use.getStart() }];
  for (let node = parentOf(use); node !== undefined && node !== guard.container; node = parentOf(node)) {
    if (ts.isIterationStatement(node, false) && node.getStart() >= guard.end) {
      ranges.push({ start: node.getStart(), end: node.end });
    }
  }
  const overlaps = (node: ts.Node): boolean => ranges.some((range) => node.end > range.start && node.getStart() < range.end);
  const contained = (node: ts.Node): boolean => ranges.some((range) => node.getStart() >= range.start && node.end <= range.end);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || !overlaps(node)) {
      return;
    }
    if (contained(node) && interferes(node)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(guard.container);
  return found;
}

/** Is any of `keys` (or a reference it affects) written anywhere inside `node`? */
function isWrittenIn(node: ts.Node, keys: readonly string[]): boolean {
  let found = false;
  const visit = (current: ts.Node): void => {
    if (found) {
      return;
    }
    if (
      getWrittenReferenceKeys(current).some((written) => keys.some((key) => writeAffectsReference(written, key) || written === `${key}.length`)) ||
      keys.some((key) => isMethodCallOn(current, key, ['pop', 'shift', 'splice']))
    ) {
      found = true;
      return;
    }
    ts.forEachChild(current, visit);
  };
  visit(node);
  return found;
}
