import ts from 'typescript';

import { getDeclarationOrigin } from '../core/declaration-origin.js';
import { foldNumber } from '../core/constant-number.js';
import { type FunctionBoundary, getEnclosingFunction, isFunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { someNode } from '../core/some-node.js';
import { skipTransparentDown, unwrapParentheses } from '../core/transparent-syntax.js';
import { isThenable } from '../core/types.js';
import { isGlobalPromise } from '../signals/floating-work.js';

/**
 * Fan-out nothing limits: `Promise.all(items.map(fetchItem))` starts one task per element at once,
 * so a list of 20 000 ids opens 20 000 sockets. Bounded fan-out runs the tasks through a limiter
 * (`p-limit`, `p-map` with `concurrency`, a semaphore) or over a list the code writes out.
 */

export interface UnboundedFanOut {
  /** `Promise.all`, `Promise.allSettled`, … */
  combinator: string;
  /** The list the tasks are made from: `ids`, `this.peers`. */
  source: ts.Expression;
  /** How one task starts, as a reader names it: `fetchItem(…)`, `an async callback`. */
  work: string;
}

const COMBINATORS = new Set(['all', 'allSettled', 'any', 'race']);
/** Packages whose functions run tasks with a concurrency limit. */
const LIMITER_PACKAGES = new Set(['p-limit', 'p-map', 'p-queue', 'p-all', 'p-throttle', 'async-sema', 'bottleneck', 'async-mutex', 'async', 'fastq']);
/** Methods that take a slot of a limiter or a lock before the work runs. */
const SLOT_METHODS = new Set(['acquire', 'runExclusive', 'schedule']);
/**
 * What a fan-out does when it tears things down: closing every connection of a pool at once is
 * bounded by what was opened, and it runs once, at shutdown.
 */
const CLEANUP_METHODS = new Set(['close', 'dispose', 'destroy', 'release', 'end', 'kill', 'terminate', 'disconnect', 'abort', 'quit', 'shutdown', 'stop', 'unsubscribe', 'cancel', 'flush', 'return']);
/** A counted loop up to this many iterations is a fixed handful, not data. */
const SMALL_COUNT = 16;

/** The unbounded fan-out `call` (a `Promise.all`-like call) makes, if it makes one. */
export function getUnboundedFanOut(call: ts.CallExpression, program: ts.Program): UnboundedFanOut | undefined {
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !COMBINATORS.has(callee.name.text) || call.arguments[0] === undefined) {
    return undefined;
  }
  if (!isGlobalPromise(callee.expression, program)) {
    return undefined;
  }
  const checker = program.getTypeChecker();
  const combinator = `Promise.${callee.name.text}`;
  const tasks = skipTransparentDown(call.arguments[0]);
  if (ts.isCallExpression(tasks)) {
    const mapped = getMappedList(tasks);
    if (mapped === undefined || isWrittenOutList(mapped.source, checker)) {
      return undefined;
    }
    const work = describeUnlimitedWork(mapped.callback, checker, program);
    return work === undefined ? undefined : { combinator, source: mapped.source, work };
  }
  if (ts.isIdentifier(tasks)) {
    const pushed = getPromisesPushedInLoop(tasks, call, checker);
    if (pushed === undefined || isLimited(pushed.task, checker, program)) {
      return undefined;
    }
    return { combinator, source: pushed.source, work: `\`${calleeText(pushed.task)}(…)\`` };
  }
  return undefined;
}

/** `xs.map(cb)` and `Array.from(xs, cb)`: the list and the callback. */
function getMappedList(call: ts.CallExpression): { source: ts.Expression; callback: ts.Expression } | undefined {
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) {
    return undefined;
  }
  if (callee.name.text === 'map' && call.arguments[0] !== undefined) {
    return { source: callee.expression, callback: call.arguments[0] };
  }
  if (callee.name.text === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array' && call.arguments[0] !== undefined && call.arguments[1] !== undefined) {
    return { source: call.arguments[0], callback: call.arguments[1] };
  }
  return undefined;
}

/** A list whose length the code fixes: an array literal, a tuple, `Object.keys` of a literal. */
function isWrittenOutList(source: ts.Expression, checker: ts.TypeChecker): boolean {
  const node = skipTransparentDown(source);
  if (ts.isArrayLiteralExpression(node)) {
    return !node.elements.some(ts.isSpreadElement);
  }
  const type = checker.getTypeAtLocation(node);
  if (checker.isTupleType(type)) {
    return true;
  }
  if (ts.isCallExpression(node) && node.arguments[0] !== undefined) {
    const inner = skipTransparentDown(node.arguments[0]);
    if (ts.isObjectLiteralExpression(inner) || ts.isArrayLiteralExpression(inner)) {
      return true;
    }
  }
  return false;
}

/** How each task of a `map` callback starts, or `undefined` when it is limited, cleanup, or not async work. */
function describeUnlimitedWork(callback: ts.Expression, checker: ts.TypeChecker, program: ts.Program): string | undefined {
  const fn = skipTransparentDown(callback);
  if (!isFunctionBoundary(fn)) {
    // `ids.map(fetchItem)`: a function given by name.
    const type = checker.getTypeAtLocation(fn);
    const returnsPromise = type.getCallSignatures().some((signature) => isThenable(signature.getReturnType(), fn, checker));
    if (!returnsPromise || isLimiterValue(fn, checker, program)) {
      return undefined;
    }
    return `\`${calleeText(fn)}(…)\``;
  }
  const signature = checker.getSignatureFromDeclaration(fn);
  if (signature === undefined || !isThenable(signature.getReturnType(), fn, checker)) {
    return undefined;
  }
  const body = fn.body;
  if (!someNode(body, ts.isCallExpression)) {
    return undefined;
  }
  if (someNode(body, (node) => ts.isCallExpression(node) && isLimited(node, checker, program))) {
    return undefined;
  }
  const main = getMainCall(body);
  if (main !== undefined && (isCleanupCall(main) || invokesElement(main, fn) || chainsOnStartedWork(main))) {
    return undefined;
  }
  return main === undefined ? 'an async callback' : `\`${calleeText(main)}(…)\``;
}

/** The call a callback is about: an expression body, or the first awaited or returned call. */
function getMainCall(body: ts.ConciseBody): ts.CallExpression | undefined {
  const asCall = (expression: ts.Expression | undefined): ts.CallExpression | undefined => {
    if (expression === undefined) {
      return undefined;
    }
    let node = skipTransparentDown(expression);
    if (ts.isAwaitExpression(node)) {
      node = skipTransparentDown(node.expression);
    }
    return ts.isCallExpression(node) ? node : undefined;
  };
  if (!ts.isBlock(body)) {
    return asCall(body);
  }
  for (const statement of body.statements) {
    const found = ts.isReturnStatement(statement) || ts.isExpressionStatement(statement) ? asCall(statement.expression) : undefined;
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

function isCleanupCall(call: ts.CallExpression): boolean {
  const callee = unwrapParentheses(call.expression);
  return ts.isPropertyAccessExpression(callee) && CLEANUP_METHODS.has(callee.name.text);
}

/** `(result) => result.then(…)`: the work was started before the list was mapped; this only waits for it. */
function chainsOnStartedWork(call: ts.CallExpression): boolean {
  const callee = unwrapParentheses(call.expression);
  return ts.isPropertyAccessExpression(callee) && ['then', 'catch', 'finally'].includes(callee.name.text) && !ts.isCallExpression(skipTransparentDown(callee.expression));
}

/** `(listener) => listener(event)`, `(hook) => hook.run()`: each element is itself the work, written by the program. */
function invokesElement(call: ts.CallExpression, fn: FunctionBoundary): boolean {
  const element = fn.parameters[0]?.name;
  if (element === undefined || !ts.isIdentifier(element)) {
    return false;
  }
  const callee = unwrapParentheses(call.expression);
  return ts.isIdentifier(callee) && callee.text === element.text;
}

/** A call that runs its work through a limiter: `limit(() => …)`, `queue.add(…)`, `semaphore.acquire()`. */
function isLimited(call: ts.CallExpression, checker: ts.TypeChecker, program: ts.Program): boolean {
  const callee = unwrapParentheses(call.expression);
  if (ts.isPropertyAccessExpression(callee) && SLOT_METHODS.has(callee.name.text)) {
    return true;
  }
  return isLimiterValue(callee, checker, program);
}

function isLimiterValue(expression: ts.Expression, checker: ts.TypeChecker, program: ts.Program): boolean {
  const type = checker.getTypeAtLocation(expression);
  const declarations = [...((type.aliasSymbol ?? type.getSymbol())?.getDeclarations() ?? []), ...(checker.getSymbolAtLocation(expression)?.getDeclarations() ?? [])];
  return declarations.some((declaration) => {
    const origin = getDeclarationOrigin(declaration, program);
    return origin.kind === 'package' && LIMITER_PACKAGES.has(origin.name);
  });
}

/** `const tasks = []; for (const x of xs) tasks.push(work(x));`: the pushed task and the list the loop walks. */
function getPromisesPushedInLoop(list: ts.Identifier, combinatorCall: ts.CallExpression, checker: ts.TypeChecker): { task: ts.CallExpression; source: ts.Expression } | undefined {
  const declaration = checker.getSymbolAtLocation(list)?.valueDeclaration;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.initializer === undefined || !ts.isArrayLiteralExpression(declaration.initializer)) {
    return undefined;
  }
  const fn = getEnclosingFunction(combinatorCall);
  if (fn === undefined || getEnclosingFunction(declaration) !== fn || fn.body === undefined) {
    return undefined;
  }
  let found: { task: ts.CallExpression; source: ts.Expression } | undefined;
  someNode(fn.body, (node) => {
    if (
      !ts.isCallExpression(node) ||
      !ts.isPropertyAccessExpression(node.expression) ||
      node.expression.name.text !== 'push' ||
      !ts.isIdentifier(node.expression.expression) ||
      node.expression.expression.text !== list.text
    ) {
      return false;
    }
    const pushed = node.arguments[0] === undefined ? undefined : skipTransparentDown(node.arguments[0]);
    if (pushed === undefined || !ts.isCallExpression(pushed) || !isThenable(checker.getTypeAtLocation(pushed), pushed, checker)) {
      return false;
    }
    const source = getRepeatingLoopSource(node, fn, checker);
    if (source !== undefined) {
      found = { task: pushed, source };
      return true;
    }
    return false;
  });
  return found;
}

/** What the loop around `node` walks (`xs` of `for (const x of xs)`), when it can repeat more than a handful of times. */
function getRepeatingLoopSource(node: ts.Node, fn: FunctionBoundary, checker: ts.TypeChecker): ts.Expression | undefined {
  for (let current = parentOf(node); current !== undefined && current !== fn; current = parentOf(current)) {
    if (ts.isForOfStatement(current)) {
      return isWrittenOutList(current.expression, checker) ? undefined : current.expression;
    }
    if (ts.isForStatement(current) && current.condition !== undefined) {
      const condition = unwrapParentheses(current.condition);
      const count = ts.isBinaryExpression(condition) ? foldNumber(condition.right, checker) : undefined;
      if (count !== undefined && count <= SMALL_COUNT) {
        return undefined;
      }
      return ts.isBinaryExpression(condition) ? condition.right : current.condition;
    }
    if (ts.isWhileStatement(current) || ts.isDoStatement(current)) {
      return current.expression;
    }
  }
  return undefined;
}

function calleeText(expression: ts.Expression): string {
  const node = ts.isCallExpression(expression) ? expression.expression : expression;
  const text = node.getText().replace(/\s+/g, '');
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
