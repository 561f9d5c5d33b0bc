import ts from 'typescript';

import { type FunctionBoundary, isFunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { hasSideEffects } from '../core/side-effects.js';
import { getStableReferenceKey, getWrittenReferenceKeys, writeAffectsReference } from '../core/stable-reference.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getNullishParts } from '../core/types.js';

/**
 * Guards: the conditions that must hold for a use to run (an enclosing `if`, `?:`, `&&`, `while`,
 * an earlier early exit), and whether anything between a guard and its use can undo what the guard
 * showed. Every proof that a `!` is safe is a guard plus "nothing interferes".
 */

export function getConjuncts(condition: ts.Expression): ts.Expression[] {
  const node = unwrapParentheses(condition);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
    return [...getConjuncts(node.left), ...getConjuncts(node.right)];
  }
  return [node];
}

/** The stable references a reference is built from: `o[k].x` is `o`, `k`, `o[k]` and `o[k].x`. */
export function getReferenceParts(reference: ts.Expression): string[] {
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

export function isMethodCallOn(node: ts.Node, objectKey: string, methods: readonly string[]): boolean {
  if (!ts.isCallExpression(node)) {
    return false;
  }
  const callee = unwrapParentheses(node.expression);
  return ts.isPropertyAccessExpression(callee) && methods.includes(callee.name.text) && getStableReferenceKey(callee.expression) === objectKey;
}

// --- what a condition shows present ---------------------------------------------------------------

/**
 * The expression a condition shows to be neither `undefined` nor `null` when it has the value
 * `polarity`: `x` or `x != null` when true, `!x` or `x == null` when false; `x !== undefined` (and
 * `x === undefined` when false) when `x` cannot be `null`.
 */
export function getTestedAsPresent(condition: ts.Expression, polarity: boolean, checker: ts.TypeChecker): ts.Expression | undefined {
  const node = unwrapParentheses(condition);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    return getTestedAsPresent(node.operand, !polarity, checker);
  }
  if (!ts.isBinaryExpression(node)) {
    return polarity ? node : undefined;
  }
  const operator = node.operatorToken.kind;
  const inequality = operator === ts.SyntaxKind.ExclamationEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsEqualsToken;
  const equality = operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsEqualsToken;
  if ((!inequality && !equality) || polarity !== inequality) {
    return undefined;
  }
  const isMissingLiteral = (expression: ts.Expression): boolean => {
    const inner = unwrapParentheses(expression);
    return inner.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(inner) && inner.text === 'undefined');
  };
  const [tested, literal] = isMissingLiteral(node.right) ? [node.left, node.right] : isMissingLiteral(node.left) ? [node.right, node.left] : [];
  if (tested === undefined || literal === undefined) {
    return undefined;
  }
  const loose = operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
  if (loose) {
    return tested;
  }
  // `x !== undefined` leaves `null`, and `x !== null` leaves `undefined`, when the type has it.
  const nullish = getNullishParts(checker.getTypeAtLocation(tested));
  const isNull = unwrapParentheses(literal).kind === ts.SyntaxKind.NullKeyword;
  return (isNull ? nullish.undefined : nullish.null) ? undefined : tested;
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
  /** Functions the search may continue out of, because they run where they are written. */
  crossesFunction: (fn: FunctionBoundary) => boolean = () => false,
): Guard | undefined {
  // The part of a condition that proves the guard: what runs after it, the rest of an `&&` chain
  // included, is "between" the guard and the use.
  const impliedBy = (condition: ts.Expression, polarity: boolean): ts.Expression | undefined =>
    (polarity ? getConjuncts(condition) : getDisjuncts(condition)).find((part) => isCondition(part, polarity));
  const implies = (condition: ts.Expression, polarity: boolean): boolean => {
    const parts = polarity ? getConjuncts(condition) : getDisjuncts(condition);
    const index = parts.findIndex((part) => isCondition(part, polarity));
    // In a statement before the use, every later part ran too: it must not undo the proof.
    return index >= 0 && !parts.slice(index + 1).some(hasSideEffects);
  };
  let child: ts.Node = use;
  for (let node = parentOf(use); node !== undefined; child = node, node = parentOf(node)) {
    if (isFunctionBoundary(node) && crossesFunction(node)) {
      continue;
    }
    if (isFunctionBoundary(node) || ts.isSourceFile(node)) {
      return undefined;
    }
    const container = (): ts.Node => getContainer(node);
    const guardAt = (part: ts.Expression | undefined): Guard | undefined => (part === undefined ? undefined : { end: part.end, container: container() });
    if (ts.isIfStatement(node) && child !== node.expression) {
      const guard = guardAt(impliedBy(node.expression, child === node.thenStatement));
      if (guard !== undefined) {
        return guard;
      }
    } else if (ts.isWhileStatement(node) && child === node.statement) {
      const guard = guardAt(impliedBy(node.expression, true));
      if (guard !== undefined) {
        return guard;
      }
    } else if (ts.isConditionalExpression(node) && child !== node.condition) {
      const guard = guardAt(impliedBy(node.condition, child === node.whenTrue));
      if (guard !== undefined) {
        return guard;
      }
    } else if (ts.isBinaryExpression(node) && child === node.right) {
      const operator = node.operatorToken.kind;
      const guard =
        operator === ts.SyntaxKind.AmpersandAmpersandToken
          ? guardAt(impliedBy(node.left, true))
          : operator === ts.SyntaxKind.BarBarToken
            ? guardAt(impliedBy(node.left, false))
            : undefined;
      if (guard !== undefined) {
        return guard;
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

export function getDisjuncts(condition: ts.Expression): ts.Expression[] {
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

export function alwaysExits(statement: ts.Statement): boolean {
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return last !== undefined && alwaysExits(last);
  }
  return ts.isReturnStatement(statement) || ts.isThrowStatement(statement) || ts.isContinueStatement(statement) || ts.isBreakStatement(statement);
}

/** The topmost node of the function body (or file) that holds `node`: where interference is searched. */
export function getContainer(node: ts.Node): ts.Node {
  let current = node;
  for (let parent = parentOf(current); parent !== undefined && !isFunctionBoundary(parent); parent = parentOf(current)) {
    current = parent;
  }
  return current;
}

/**
 * Does anything between the guard and the use match `interferes`? "Between" is the source text from
 * the end of the guard to the use, plus the whole body of every loop (and callback) that encloses the
 * use inside the guarded region, since a later iteration runs the end of the body before reaching the
 * use again.
 */
export function hasInterference(guard: Guard, use: ts.Node, interferes: (node: ts.Node) => boolean): boolean {
  const ranges: { start: number; end: number }[] = [{ start: guard.end, end: use.getStart() }];
  let child: ts.Node = use;
  for (let node = parentOf(use); node !== undefined && node !== guard.container; child = node, node = parentOf(node)) {
    // A callback the guard reaches into may run again: its whole body runs before a later call's use.
    // The iterable of a `for…of` (or `for…in`) and the initializer of a `for` run once, before the body.
    if ((ts.isIterationStatement(node, false) || isFunctionBoundary(node)) && node.getStart() >= guard.end && !isEvaluatedOnceBeforeBody(node, child)) {
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

function isEvaluatedOnceBeforeBody(loop: ts.Node, child: ts.Node): boolean {
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) {
    return child === loop.expression;
  }
  return ts.isForStatement(loop) && child === loop.initializer;
}

/** Is any of `keys` (or a reference it affects) written anywhere inside `node`? */
export function isWrittenIn(node: ts.Node, keys: readonly string[]): boolean {
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
