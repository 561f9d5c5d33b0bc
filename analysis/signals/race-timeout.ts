import ts from 'typescript';

import { type FunctionBoundary, getEnclosingFunction, isFunctionBoundary } from '../core/functions.js';
import { someNode } from '../core/some-node.js';
import { getConstantInitializer } from '../core/symbols.js';
import { skipTransparentDown } from '../core/transparent-syntax.js';
import { isGlobalPromise } from './floating-work.js';
import { getSignalReach, handsSignalToCallback } from './signal-flow.js';
import { foldNumber } from '../core/constant-number.js';
import { getTimerCall } from './timers.js';
import { getCalledFunctionWithBody, getWorkFactsForRace, type WorkFactsCache } from './work-facts.js';

/**
 * `Promise.race([work, timeout])`, the hidden timeout: the race stops waiting when the timer
 * fires, but nothing stops the work, which keeps its connection, its memory and its retries. And
 * when the work wins, a timer nobody clears keeps a one-shot process alive until it fires.
 */

export interface RaceTimeout {
  race: ts.CallExpression;
  /** The element that settles when a timer fires. */
  timeout: ts.Expression;
  /** The timer that element starts, when the code shows it; `undefined` when it is out of sight. */
  timer: ts.CallExpression | undefined;
  /** The first element whose work gets no signal, so it runs on after the timeout wins. */
  unstoppedWork: ts.CallExpression | undefined;
  /** Whether that work's callee takes a signal it was not given. */
  workTakesSignal: boolean;
  /** Whether the timer's handle is dropped, or kept but never passed to `clearTimeout`. */
  timerNeverCleared: boolean;
}

/** The call a `const` was initialised with: `const work = fetchReport(id); … Promise.race([work, …])`. */
function resolveConstantInitializer(expression: ts.Expression, checker: ts.TypeChecker): ts.Expression {
  const node = skipTransparentDown(expression);
  const initializer = ts.isIdentifier(node) ? getConstantInitializer(node, checker) : undefined;
  return initializer === undefined ? node : skipTransparentDown(initializer);
}

function findCallbackTimer(root: ts.Node, program: ts.Program): ts.CallExpression | undefined {
  let found: ts.CallExpression | undefined;
  someNode(root, (node) => {
    if (ts.isCallExpression(node) && getTimerCall(node, program)?.api === 'setTimeout') {
      found = node;
    }
    return found !== undefined;
  });
  return found;
}

/** The returned expression of a function whose body is one `return` (or an arrow's expression). */
function getSingleReturnedExpression(fn: FunctionBoundary): ts.Expression | undefined {
  const body = fn.body;
  if (body === undefined) {
    return undefined;
  }
  if (!ts.isBlock(body)) {
    return body;
  }
  const returns = body.statements.filter(ts.isReturnStatement);
  return returns.length === 1 ? returns[0]?.expression : undefined;
}

/**
 * The timer behind a race element, when the element is a timeout: `new Promise((_, reject) =>
 * setTimeout(…))`, `timers/promises`' `setTimeout(ms)`, or a call of a function of the program that
 * returns one of those (`timeout(ms)`).
 */
function getTimeoutTimer(element: ts.Expression, program: ts.Program, depth = 0): { timer: ts.CallExpression | undefined } | undefined {
  const node = resolveConstantInitializer(element, program.getTypeChecker());
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Promise') {
    const executor = node.arguments?.[0];
    const timer = executor === undefined ? undefined : findCallbackTimer(executor, program);
    return timer === undefined ? undefined : { timer };
  }
  if (!ts.isCallExpression(node)) {
    return undefined;
  }
  // `sleep(ms).then(() => { throw new TimeoutError() })`: the timer is under the continuation.
  const callee = skipTransparentDown(node.expression);
  if (ts.isPropertyAccessExpression(callee) && ['then', 'catch', 'finally'].includes(callee.name.text)) {
    return getTimeoutTimer(callee.expression, program, depth);
  }
  const timer = getTimerCall(node, program);
  if (timer?.api === 'setTimeout' && timer.flavour === 'promise') {
    return getSignalReach(node, program).kind === 'passed' ? undefined : { timer: node };
  }
  if (depth > 0) {
    return undefined;
  }
  const helper = getCalledFunctionWithBody(node, program.getTypeChecker());
  const returned = helper === undefined ? undefined : getSingleReturnedExpression(helper);
  return returned === undefined ? undefined : getTimeoutTimer(returned, program, depth + 1);
}

function isGlobalPromiseRace(call: ts.CallExpression, program: ts.Program): boolean {
  const callee = skipTransparentDown(call.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'race' && isGlobalPromise(callee.expression, program);
}

/** Whether the handle of `timer` is dropped, or kept in a name nothing passes to `clearTimeout`. */
function isNeverCleared(timer: ts.CallExpression, program: ts.Program): boolean {
  if (getTimerCall(timer, program)?.flavour === 'promise') {
    // A `timers/promises` timer without a signal has no handle at all.
    return true;
  }
  const use = timer.parent;
  if (ts.isExpressionStatement(use) || (ts.isArrowFunction(use) && use.body === timer)) {
    return true;
  }
  const target = ts.isVariableDeclaration(use) && ts.isIdentifier(use.name) ? use.name : ts.isBinaryExpression(use) && use.right === timer ? skipTransparentDown(use.left) : undefined;
  if (target === undefined) {
    return false;
  }
  const name = target.getText();
  let scope: ts.Node | undefined = getEnclosingFunction(timer);
  // The handle is usually cleared by the function that raced it, outside the executor.
  while (scope !== undefined && isFunctionBoundary(scope) && (ts.isArrowFunction(scope) || ts.isFunctionExpression(scope)) && ts.isNewExpression(scope.parent)) {
    scope = getEnclosingFunction(scope) ?? scope.getSourceFile();
  }
  const searched = scope ?? timer.getSourceFile();
  const cleared = someNode(searched, (node) => {
    if (!ts.isCallExpression(node)) {
      return false;
    }
    const callee = skipTransparentDown(node.expression);
    const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    return calleeName === 'clearTimeout' && node.arguments.some((argument) => skipTransparentDown(argument).getText() === name);
  });
  return !cleared;
}

/**
 * The call that does the work of a race element: `fetchReport(id)` for itself, for `await …`, for
 * `fetchReport(id).then(parse)`, or for a `const` initialised with one. `undefined` for a promise
 * started out of sight (`promise.then(…)` on a parameter).
 */
function getRacedCall(element: ts.Expression, checker: ts.TypeChecker): ts.CallExpression | undefined {
  let node = resolveConstantInitializer(element, checker);
  for (;;) {
    if (ts.isAwaitExpression(node)) {
      node = skipTransparentDown(node.expression);
      continue;
    }
    if (!ts.isCallExpression(node)) {
      return undefined;
    }
    const callee = skipTransparentDown(node.expression);
    if (ts.isPropertyAccessExpression(callee) && ['then', 'catch', 'finally'].includes(callee.name.text)) {
      node = resolveConstantInitializer(callee.expression, checker);
      continue;
    }
    return node;
  }
}

/** Below this delay a timer left running after the race ends within a blink; it is not worth a report. */
const SHORTEST_LINGERING_TIMER_MS = 1_000;

/** Whether the timer's delay may be long enough to matter once the work has won: unknown, or a second or more. */
function mayOutlastTheRace(timer: ts.CallExpression, program: ts.Program): boolean {
  const delay = getTimerCall(timer, program)?.delay;
  const milliseconds = delay === undefined ? 0 : foldNumber(delay, program.getTypeChecker());
  return milliseconds === undefined || milliseconds >= SHORTEST_LINGERING_TIMER_MS;
}

/** The race between work and a timer at `call`, when it is one; see {@link RaceTimeout}. */
export function getRaceTimeout(call: ts.CallExpression, program: ts.Program, cache: WorkFactsCache): RaceTimeout | undefined {
  if (!isGlobalPromiseRace(call, program)) {
    return undefined;
  }
  const list = call.arguments[0] === undefined ? undefined : skipTransparentDown(call.arguments[0]);
  if (list === undefined || !ts.isArrayLiteralExpression(list) || list.elements.length < 2) {
    return undefined;
  }
  const checker = program.getTypeChecker();
  let timeout: { element: ts.Expression; timer: ts.CallExpression | undefined } | undefined;
  const others: ts.Expression[] = [];
  for (const element of list.elements) {
    const found = timeout === undefined ? getTimeoutTimer(element, program) : undefined;
    if (found !== undefined) {
      timeout = { element, timer: found.timer };
    } else {
      others.push(element);
    }
  }
  if (timeout === undefined) {
    return undefined;
  }
  let unstoppedWork: ts.CallExpression | undefined;
  let workTakesSignal = false;
  for (const element of others) {
    const inner = getRacedCall(element, checker);
    // `new Promise((resolve) => socket.once('ready', resolve))` waits for an event; it starts no work.
    if (inner === undefined || handsSignalToCallback(inner, program)) {
      continue;
    }
    const reach = getSignalReach(inner, program).kind;
    if (reach === 'accepted-not-passed') {
      unstoppedWork = inner;
      workTakesSignal = true;
      break;
    }
    // A callee that takes no signal is worth a report only when its body shows work that goes on
    // (`terminate()` of a worker, with a timeout as a fallback, is the stop itself).
    const callee = reach === 'not-accepted' ? getCalledFunctionWithBody(inner, checker) : undefined;
    const facts = callee === undefined ? undefined : getWorkFactsForRace(callee, program, cache);
    if (facts !== undefined && (facts.wait ?? facts.unsignalledCall) !== undefined && !facts.stoppable) {
      unstoppedWork = inner;
      break;
    }
  }
  return {
    race: call,
    timeout: timeout.element,
    timer: timeout.timer,
    unstoppedWork,
    workTakesSignal,
    timerNeverCleared: timeout.timer !== undefined && mayOutlastTheRace(timeout.timer, program) && isNeverCleared(timeout.timer, program),
  };
}
