import ts from 'typescript';

import { parentOf } from '../core/parent.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';

/**
 * The `!` links of one chain: `record!.value!.blob!` is three assertions, each inside the next, and
 * a missing `record` and a missing `blob` are one problem to the reader (and one place to check).
 * A link's expression always starts with the link inside it: the chain grows to the right through
 * property reads, element reads and calls.
 */

/** The assertions inside `assertion`'s own chain, nearest first: `a!.b!` in `a!.b!.c!`, then `a!`. */
export function getInnerChainAssertions(assertion: ts.NonNullExpression): ts.NonNullExpression[] {
  const inner: ts.NonNullExpression[] = [];
  let current = unwrapParentheses(assertion.expression);
  for (;;) {
    if (ts.isNonNullExpression(current)) {
      inner.push(current);
      current = unwrapParentheses(current.expression);
    } else if (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current) || ts.isCallExpression(current)) {
      current = unwrapParentheses(current.expression);
    } else {
      return inner;
    }
  }
}

/** The assertions the chain goes on to after `assertion`, nearest first: `a!.b!`, then `a!.b!.c!`, for `a!`. */
export function getOuterChainAssertions(assertion: ts.NonNullExpression): ts.NonNullExpression[] {
  const outer: ts.NonNullExpression[] = [];
  let child: ts.Node = assertion;
  for (let parent = parentOf(assertion); parent !== undefined; child = parent, parent = parentOf(parent)) {
    if (ts.isParenthesizedExpression(parent)) {
      continue;
    }
    if (ts.isNonNullExpression(parent)) {
      outer.push(parent);
      continue;
    }
    const continuesChain =
      ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === child) ||
      (ts.isCallExpression(parent) && parent.expression === child);
    if (!continuesChain) {
      return outer;
    }
  }
  return outer;
}
