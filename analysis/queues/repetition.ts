import ts from 'typescript';

import { type FunctionBoundary, getCallbackUse, getEnclosingFunction } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { getRequestHandlerRole } from '../core/request-handlers.js';
import { lineOf } from '../core/source-text.js';

/** What runs a piece of code again and again inside one call of its function: a loop, or an iteration callback. */
export interface Repetition {
  /** The loop statement, or the call an iteration callback is given to. */
  node: ts.Node;
  /** "the `for…of` loop at line 12", "the `forEach` callback at line 8". */
  description: string;
}

const ITERATION_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'some', 'every']);

/** The loop or iteration callback around `node` inside its own function, if there is one. */
export function getRepetition(node: ts.Node): Repetition | undefined {
  const fn = getEnclosingFunction(node);
  let child: ts.Node = node;
  for (let current = parentOf(node); current !== undefined && current !== fn; child = current, current = parentOf(current)) {
    if (ts.isForOfStatement(current) && child === current.statement) {
      return { node: current, description: `the \`for${current.awaitModifier === undefined ? '' : ' await'}…of\` loop at line ${String(lineOf(current))}` };
    }
    if ((ts.isForStatement(current) || ts.isForInStatement(current) || ts.isWhileStatement(current) || ts.isDoStatement(current)) && child === current.statement) {
      return { node: current, description: `the loop at line ${String(lineOf(current))}` };
    }
  }
  const use = fn === undefined ? undefined : getCallbackUse(fn);
  if (use !== undefined && use.calleeName !== undefined && ITERATION_METHODS.has(use.calleeName) && use.argumentIndex === 0) {
    return { node: use.call, description: `the \`${use.calleeName}\` callback at line ${String(lineOf(use.call))}` };
  }
  return undefined;
}

/** A loop around `node`, or a request handler that runs it: where a producer runs faster than any consumer. */
export function getProducerContext(node: ts.Node, checker: ts.TypeChecker): string | undefined {
  const repetition = getRepetition(node);
  if (repetition !== undefined) {
    return repetition.description;
  }
  const fn: FunctionBoundary | undefined = getEnclosingFunction(node);
  return fn !== undefined && getRequestHandlerRole(fn, checker) !== undefined ? 'a request handler' : undefined;
}
