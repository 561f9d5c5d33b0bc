import ts from 'typescript';

import { getConditionalEvaluation } from '../core/conditional-evaluation.js';
import { isFunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { getStableReferenceKey, getWrittenReferenceKeys, isSameReference, writeAffectsReference } from '../core/stable-reference.js';
import { skipTransparentUp, unwrapParentheses } from '../core/transparent-syntax.js';
import { getContainer, getReferenceParts, hasInterference } from './guards.js';
import { getHotPathReason } from './hot-path.js';

/**
 * Is this `x.p!` a repetition of an `x.p!.m` that ran before it on every path, outside any hot
 * path, with nothing in between that could clear `x.p`? matrix-js-sdk replaces a stream's tracks
 * with `for (const t of this.localUsermediaStream!.getTracks()) this.localUsermediaStream!.removeTrack(t)`:
 * the header dereferenced the stream once, before the loop, and would have thrown there had it
 * been missing, so the assertion in the body claims nothing new. The rule does not report the
 * header, which runs once; reporting the body instead would ask for a check of a claim already tested.
 *
 * The earlier assertion must be dereferenced (`x.p!.m`, `x.p![i]`, `x.p!()`), not just passed on,
 * and evaluated whenever the statement that holds it runs (not behind `&&`, `?:`, `?.` or in a
 * nested statement): in the header of a `for…of`/`for…in` or the condition of an `if`/`while`
 * around the use, or in an earlier statement of a block around it. Between the two, as for a
 * presence check, no write to `x` or `x.p` and no `await` or `yield`, here or in a loop around
 * the use; calls are taken not to clear `x.p`, as TypeScript's own narrowing assumes.
 */
export function isRepeatedAssertion(assertion: ts.NonNullExpression, program: ts.Program): boolean {
  const reference = unwrapParentheses(assertion.expression);
  if (getStableReferenceKey(reference) === undefined) {
    return false;
  }
  const checker = program.getTypeChecker();
  const parts = getReferenceParts(reference);
  const interferes = (node: ts.Node): boolean =>
    ts.isAwaitExpression(node) || ts.isYieldExpression(node) || getWrittenReferenceKeys(node).some((written) => parts.some((part) => writeAffectsReference(written, part)));
  const provesAt = (earlierRoot: ts.Node, end: number, node: ts.Node): boolean => {
    const earlier = findDereference(earlierRoot, reference, checker);
    return earlier !== undefined && getHotPathReason(earlier, program) === undefined && !hasInterference({ end, container: getContainer(node) }, assertion, interferes);
  };
  let child: ts.Node = assertion;
  for (let node = parentOf(assertion); node !== undefined; child = node, node = parentOf(node)) {
    if (isFunctionBoundary(node) || ts.isSourceFile(node)) {
      return false;
    }
    if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && child === node.statement) {
      if (provesAt(node.expression, node.expression.end, node)) {
        return true;
      }
    } else if ((ts.isIfStatement(node) || ts.isWhileStatement(node)) && child !== node.expression) {
      if (provesAt(node.expression, node.expression.end, node)) {
        return true;
      }
    } else if (ts.isBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      const index = node.statements.indexOf(child as ts.Statement);
      for (let previous = index - 1; previous >= 0; previous--) {
        const statement = node.statements[previous];
        if (statement !== undefined && provesAt(statement, statement.end, node)) {
          return true;
        }
      }
    }
  }
  return false;
}

/** An `x.p!` of the same reference inside `root` that is dereferenced whenever `root` runs. */
function findDereference(root: ts.Node, reference: ts.Expression, checker: ts.TypeChecker): ts.NonNullExpression | undefined {
  let found: ts.NonNullExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined || isFunctionBoundary(node) || ts.isClassLike(node)) {
      return;
    }
    if (ts.isNonNullExpression(node) && isSameReference(unwrapParentheses(node.expression), reference, checker) && isDereferenced(node) && alwaysRuns(node, root)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

/** `x!.m`, `x![i]`, `x!()`: a missing `x` throws here. */
function isDereferenced(assertion: ts.NonNullExpression): boolean {
  const outer = skipTransparentUp(assertion);
  const parent = outer.parent;
  return (
    (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent) || ts.isCallExpression(parent)) &&
    parent.expression === outer &&
    parent.questionDotToken === undefined
  );
}

/** Does `node` run whenever `root` does: no branch, short-circuit, `?.`, function or nested statement between them? */
function alwaysRuns(node: ts.Node, root: ts.Node): boolean {
  let child = node;
  for (let parent = parentOf(node); parent !== undefined; child = parent, parent = parentOf(parent)) {
    // A default in a pattern runs only when the value is `undefined`.
    if (getConditionalEvaluation(parent, child) !== undefined || ts.isBindingElement(parent)) {
      return false;
    }
    if (parent === root) {
      return !ts.isStatement(root) || isEvaluatedPart(root, child);
    }
    if (ts.isStatement(parent) || ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isCatchClause(parent)) {
      if (!isEvaluatedPart(parent, child)) {
        return false;
      }
    }
  }
  return false;
}

/** Is `child` the part of `statement` that runs every time the statement does? */
function isEvaluatedPart(statement: ts.Node, child: ts.Node): boolean {
  if (ts.isExpressionStatement(statement) || ts.isVariableStatement(statement) || ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) {
    return true;
  }
  if (ts.isIfStatement(statement) || ts.isWhileStatement(statement) || ts.isSwitchStatement(statement) || ts.isForOfStatement(statement) || ts.isForInStatement(statement)) {
    return child === statement.expression;
  }
  return false;
}
