import ts from 'typescript';

import { getDeclarationOrigin } from '../core/declaration-origin.js';
import { getCallbackUse, getEnclosingFunction } from '../core/functions.js';
import { someNode } from '../core/some-node.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getRepetition, type Repetition } from './repetition.js';

/**
 * `stream.write(chunk)` in a loop that ignores its `false`: a Node writable accepts every chunk and
 * buffers what it cannot pass on, so a loop faster than the socket or the disk holds the whole
 * output in memory. Waiting for `'drain'` when `write` returns `false`, or `pipeline()`, is the
 * backpressure.
 */

export interface IgnoredBackpressure {
  call: ts.CallExpression;
  /** The stream as written. */
  stream: string;
  loop: Repetition;
}

/** The ignored backpressure of `call`, if it is a Node stream's `write` whose result a loop drops. */
export function getIgnoredBackpressure(call: ts.CallExpression, program: ts.Program): IgnoredBackpressure | undefined {
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'write' || !isResultDropped(call)) {
    return undefined;
  }
  const loop = getRepetition(call);
  if (loop === undefined || walksObjectKeys(loop.node)) {
    return undefined;
  }
  const fn = getEnclosingFunction(call);
  if (fn?.body !== undefined && someNode(fn.body, (node) => ts.isStringLiteralLike(node) && node.text === 'drain')) {
    return undefined;
  }
  const checker = program.getTypeChecker();
  const signature = checker.getResolvedSignature(call);
  const declaration = signature?.getDeclaration();
  if (signature === undefined || declaration === undefined || (signature.getReturnType().flags & ts.TypeFlags.BooleanLike) === 0) {
    return undefined;
  }
  const origin = getDeclarationOrigin(declaration, program);
  if (origin.kind !== 'package' || !origin.name.startsWith('node:')) {
    return undefined;
  }
  return { call, stream: callee.expression.getText(), loop };
}

function isResultDropped(call: ts.CallExpression): boolean {
  const parent = call.parent;
  if (ts.isArrowFunction(parent) && parent.body === call) {
    // `rows.forEach((row) => out.write(row))`: forEach drops what its callback returns.
    return getCallbackUse(parent)?.calleeName === 'forEach';
  }
  return ts.isExpressionStatement(parent) || (ts.isVoidExpression(parent) && ts.isExpressionStatement(parent.parent));
}

/** `for (const [name, value] of Object.entries(headers))`: the keys of one object, a handful of lines. */
function walksObjectKeys(loop: ts.Node): boolean {
  if (!ts.isForOfStatement(loop) && !ts.isForInStatement(loop)) {
    return false;
  }
  if (ts.isForInStatement(loop)) {
    return true;
  }
  const source = unwrapParentheses(loop.expression);
  return (
    ts.isCallExpression(source) &&
    ts.isPropertyAccessExpression(source.expression) &&
    ts.isIdentifier(source.expression.expression) &&
    source.expression.expression.text === 'Object' &&
    ['keys', 'values', 'entries'].includes(source.expression.name.text)
  );
}
