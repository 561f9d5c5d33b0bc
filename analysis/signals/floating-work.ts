import ts from 'typescript';

import { getDeclarationOrigin } from '../core/declaration-origin.js';
import { type FunctionBoundary, isFunctionBoundary } from '../core/functions.js';
import { someNode } from '../core/some-node.js';
import { isPlatformType, isThenable } from '../core/types.js';
import { skipTransparentDown } from '../core/transparent-syntax.js';

/**
 * What floats, and what work it starts. typescript-eslint's `no-floating-promises` asks whether a
 * promise is handled; `no-floating-without-abort` asks whether the work behind a promise nobody
 * waits for can be stopped, so it needs the work itself: the call that started it
 * (`settleInvoice(order)` under `.then(…).catch(…)`), the body of an async IIFE, the callback
 * of `Promise.all(ids.map(async (id) => …))`.
 */

/**
 * The work a floating promise stands for:
 * - `call`: a call whose callee does the work, judged by what it is given and, when the program
 *   has its source, by its body;
 * - `closure`: a function written where it runs as the work (an async IIFE, a `then` callback, the
 *   callback of a `map` whose promises float).
 */
export type Work = { kind: 'call'; call: ts.CallExpression | ts.NewExpression } | { kind: 'closure'; fn: FunctionBoundary; call: ts.CallExpression };

const CHAIN_METHODS = new Set(['then', 'catch', 'finally']);
const COMBINATORS = new Set(['all', 'allSettled', 'any', 'race']);
const ARRAY_FACTORIES = new Set(['map', 'flatMap']);

/** Whether `type` is a promise, or an array or tuple of them, which floats just as well. */
function isThenableOrArrayOfThenables(type: ts.Type, node: ts.Node, checker: ts.TypeChecker): boolean {
  if (isThenable(type, node, checker)) {
    return true;
  }
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    const elementType = checker.getIndexTypeOfType(type, ts.IndexKind.Number);
    return elementType !== undefined && isThenable(elementType, node, checker);
  }
  return false;
}

/**
 * Whether a statement detaches its work on purpose, as `no-floating-promises` makes people write
 * it: `void work()`, `work().catch(report)` (or `.then`, `.finally`), an async IIFE, or an unawaited
 * `Promise.all(…)`. A bare `work();` is that rule's report, not this one's; once it is written as
 * a detach, its work is judged here. Deciding this from the syntax keeps the checker away from
 * every other statement, which is most of them.
 */
function isDeliberateDetach(statement: ts.ExpressionStatement): boolean {
  const expression = skipTransparentDown(statement.expression);
  if (ts.isVoidExpression(expression)) {
    return true;
  }
  if (!ts.isCallExpression(expression)) {
    return false;
  }
  const callee = skipTransparentDown(expression.expression);
  if (isFunctionBoundary(callee)) {
    return true;
  }
  return ts.isPropertyAccessExpression(callee) && (CHAIN_METHODS.has(callee.name.text) || (COMBINATORS.has(callee.name.text) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Promise'));
}

/** The promise an expression statement detaches (`void` removed), or `undefined` when it detaches none; see {@link isDeliberateDetach}. */
export function getFloatingExpression(statement: ts.ExpressionStatement, checker: ts.TypeChecker): ts.Expression | undefined {
  if (!isDeliberateDetach(statement)) {
    return undefined;
  }
  let expression = skipTransparentDown(statement.expression);
  if (ts.isVoidExpression(expression)) {
    expression = skipTransparentDown(expression.expression);
  }
  if (!ts.isCallExpression(expression) && !ts.isNewExpression(expression) && !ts.isArrayLiteralExpression(expression)) {
    // A promise kept in a variable was started where it was created; reading it starts nothing.
    return undefined;
  }
  return isThenableOrArrayOfThenables(checker.getTypeAtLocation(expression), expression, checker) ? expression : undefined;
}

/** Whether `expression` names the global `Promise`, not a user's class or variable of that name. */
export function isGlobalPromise(expression: ts.Expression, program: ts.Program): boolean {
  if (!ts.isIdentifier(expression) || expression.text !== 'Promise') {
    return false;
  }
  const declarations = program.getTypeChecker().getSymbolAtLocation(expression)?.getDeclarations() ?? [];
  return declarations.length > 0 && declarations.every((declaration) => getDeclarationOrigin(declaration, program).kind === 'global');
}

function asFunction(expression: ts.Expression | undefined): FunctionBoundary | undefined {
  if (expression === undefined) {
    return undefined;
  }
  const inner = skipTransparentDown(expression);
  return isFunctionBoundary(inner) ? inner : undefined;
}

/** The callback of `xs.map(cb)` / `Array.from(xs, cb)`, whose results are the promises. */
function getArrayFactoryCallback(call: ts.CallExpression): FunctionBoundary | undefined {
  const callee = skipTransparentDown(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) {
    return undefined;
  }
  if (ARRAY_FACTORIES.has(callee.name.text)) {
    return asFunction(call.arguments[0]);
  }
  if (callee.name.text === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array') {
    return asFunction(call.arguments[1]);
  }
  return undefined;
}

/**
 * The work `expression` starts, outermost chain removed: `work().then(f).catch(g)` is `work()`
 * and `f`; `Promise.all([a(), b()])` is `a()` and `b()`; `Promise.all(ids.map(async (id) => …))`
 * is the callback; `(async () => { … })()` is its body.
 */
export function getWorks(expression: ts.Expression, program: ts.Program): Work[] {
  const checker = program.getTypeChecker();
  const node = skipTransparentDown(expression);
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.flatMap((element) => (ts.isSpreadElement(element) ? [] : getWorks(element, program)));
  }
  if (ts.isNewExpression(node)) {
    return [{ kind: 'call', call: node }];
  }
  if (!ts.isCallExpression(node)) {
    return [];
  }
  const callee = skipTransparentDown(node.expression);
  const invoked = asFunction(callee);
  if (invoked !== undefined) {
    return [{ kind: 'closure', fn: invoked, call: node }];
  }
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    if (CHAIN_METHODS.has(method) && isThenable(checker.getTypeAtLocation(callee.expression), callee.expression, checker)) {
      const works = getWorks(callee.expression, program);
      // What runs after the promise settles is work too; a `catch` handler only reports.
      const continuation = method === 'catch' ? undefined : asFunction(node.arguments[0]);
      return continuation === undefined ? works : [...works, { kind: 'closure', fn: continuation, call: node }];
    }
    if (COMBINATORS.has(method) && isGlobalPromise(callee.expression, program)) {
      const argument = node.arguments[0];
      return argument === undefined ? [] : getWorks(argument, program);
    }
    const factoryCallback = getArrayFactoryCallback(node);
    if (factoryCallback !== undefined) {
      return [{ kind: 'closure', fn: factoryCallback, call: node }];
    }
  }
  return [{ kind: 'call', call: node }];
}

/** `process.exit(…)` somewhere in `node`. */
function callsProcessExit(node: ts.Node): boolean {
  return someNode(node, (child) => {
    if (!ts.isCallExpression(child)) {
      return false;
    }
    const callee = skipTransparentDown(child.expression);
    return ts.isPropertyAccessExpression(callee) && callee.name.text === 'exit' && ts.isIdentifier(callee.expression) && callee.expression.text === 'process';
  });
}

/**
 * Whether the floating chain ends the process when its work settles: `run().then(() =>
 * process.exit(0), () => process.exit(1))`. Such work is the program's main, not a task that can
 * outlive its caller.
 */
export function endsTheProcess(expression: ts.Expression): boolean {
  let node = skipTransparentDown(expression);
  while (ts.isCallExpression(node)) {
    const callee = skipTransparentDown(node.expression);
    if (!ts.isPropertyAccessExpression(callee) || !CHAIN_METHODS.has(callee.name.text)) {
      return false;
    }
    if (node.arguments.some((argument) => asFunction(argument) !== undefined && callsProcessExit(argument))) {
      return true;
    }
    node = skipTransparentDown(callee.expression);
  }
  return false;
}

/**
 * Whether `statement` runs in a `new Promise` executor and hands its result to that promise
 * (`new Promise((resolve, reject) => { (async () => { … resolve(x) })() })`): the work is awaited
 * through the executor's promise, so it does not float.
 */
export function settlesEnclosingPromise(statement: ts.Statement, fn: FunctionBoundary | undefined): boolean {
  if (fn === undefined || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
    return false;
  }
  const parent = fn.parent;
  if (!ts.isNewExpression(parent) || !ts.isIdentifier(parent.expression) || parent.expression.text !== 'Promise' || parent.arguments?.[0] !== fn) {
    return false;
  }
  const settlers = new Set(fn.parameters.flatMap((parameter) => (ts.isIdentifier(parameter.name) ? [parameter.name.text] : [])));
  return someNode(statement, (node) => ts.isIdentifier(node) && settlers.has(node.text));
}

const STREAM_TYPES = ['ReadableStream', 'Readable', 'ReadStream'];

/**
 * Whether `call` is a method of a platform stream (`source.pipeTo(sink)`, `readable.pipe(…)`): the
 * work runs as long as the stream has data, and ends when its source ends or is cancelled. Who
 * can stop the source can stop the pipe; the signal of `pipeTo` is one way among several.
 */
export function consumesStream(call: ts.CallExpression | ts.NewExpression, program: ts.Program): boolean {
  const callee = skipTransparentDown(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) {
    return false;
  }
  const receiverType = program.getTypeChecker().getTypeAtLocation(callee.expression);
  return STREAM_TYPES.some((name) => isPlatformType(receiverType, name, program));
}
