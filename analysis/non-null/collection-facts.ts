import { isTypeReference, unionConstituents } from 'ts-api-utils';
import ts from 'typescript';

import { getRepeatableCallKey, getStableReferenceKey, getWrittenReferenceKeys, writeAffectsReference } from '../core/stable-reference.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getNullishParts } from '../core/types.js';
import { isMethodCallOn } from './guards.js';

/**
 * What the proofs about collections ask: which standard interfaces count, whether elements or map
 * values may themselves be missing (then a bounds check or `has` proves nothing), and which calls
 * test, add or remove an entry.
 */

export const MAP_INTERFACES: ReadonlySet<string> = new Set(['Map', 'ReadonlyMap', 'WeakMap']);
export const ARRAY_INTERFACES: ReadonlySet<string> = new Set(['Array']);

/** `a[i]` is `T | undefined` under `noUncheckedIndexedAccess`; a bounds check only removes that part. */
export function hasNullableElements(array: ts.Expression, checker: ts.TypeChecker): boolean {
  const type = checker.getApparentType(checker.getTypeAtLocation(array));
  const element = checker.getIndexTypeOfType(type, ts.IndexKind.Number) ?? checker.getIndexTypeOfType(type, ts.IndexKind.String);
  if (element === undefined) {
    return true;
  }
  const nullish = getNullishParts(element);
  return nullish.undefined || nullish.null;
}

export function hasNullableMapValues(map: ts.Expression, checker: ts.TypeChecker): boolean {
  const valueType = getMapValueType(checker.getTypeAtLocation(map), checker, 0);
  if (valueType === undefined) {
    return false;
  }
  const nullish = getNullishParts(valueType);
  return nullish.undefined || nullish.null;
}

export function getMapValueType(type: ts.Type, checker: ts.TypeChecker, depth: number): ts.Type | undefined {
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

/**
 * The key a lookup is made with, as the guards compare it: a stable reference, or a method call
 * on one that is repeated with nothing in between (`m.has(event.getType()) … m.get(event.getType())`,
 * see `getRepeatableCallKey`).
 */
export function getLookupKey(key: ts.Expression): string | undefined {
  return getStableReferenceKey(key) ?? getRepeatableCallKey(key);
}

/** `m.has(k)` when `polarity` is true, `!m.has(k)` when false. */
export function isMapHasCall(condition: ts.Expression, mapKey: string, keyKey: string, polarity: boolean): boolean {
  let node = unwrapParentheses(condition);
  if (!polarity) {
    if (!ts.isPrefixUnaryExpression(node) || node.operator !== ts.SyntaxKind.ExclamationToken) {
      return false;
    }
    node = unwrapParentheses(node.operand);
  }
  return isMethodCallOn(node, mapKey, ['has']) && ts.isCallExpression(node) && node.arguments[0] !== undefined && getLookupKey(node.arguments[0]) === keyKey;
}

/** `m.set(k, v)` as a statement, or as the last statement of a block: afterwards the entry exists. */
export function ensuresMapEntry(statement: ts.Statement, mapKey: string, keyKey: string): boolean {
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

/**
 * Can `node` make `m.get(k)` miss an entry that was there: an `await`/`yield` (another task can
 * delete the entry while this one waits), `m.delete(…)`, `m.clear()`, or a write to `m` or `k`?
 */
export function removesMapEntry(node: ts.Node, mapKey: string, keyKey: string): boolean {
  if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
    return true;
  }
  if (isMethodCallOn(node, mapKey, ['delete', 'clear'])) {
    return true;
  }
  return getWrittenReferenceKeys(node).some((written) => writeAffectsReference(written, mapKey) || writeAffectsReference(written, keyKey));
}
