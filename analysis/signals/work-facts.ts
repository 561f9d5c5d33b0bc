import { basename } from 'node:path';
import ts from 'typescript';

import { type FunctionBoundary, describeFunction, isFunctionBoundary } from '../core/functions.js';
import { someNode } from '../core/some-node.js';
import { shorten } from '../core/source-text.js';
import { skipTransparentDown } from '../core/transparent-syntax.js';
import { isThenable } from '../core/types.js';
import { isAbortSignalType } from './abort-signal-type.js';
import { findSignalInScope, getSignalReach, isPlatformCall } from './signal-flow.js';
import { foldNumber } from '../core/constant-number.js';
import { getTimerCall } from './timers.js';

/**
 * What a piece of async work does over time, read from its body: does it wait for long (a poller,
 * a long timer, a call that could take a signal and gets none), does it run forever, and can
 * something outside stop it. A floating promise matters only when its work can outlive its
 * caller: a floating `flush()` that writes one buffer is not the zombie poller of the story.
 */

/**
 * Why the work can take long, the first reason in source order:
 * - `loop`: a poller, a loop that waits on a timer between passes and neither walks a collection,
 *   tests a stop flag nor gives up in its `catch`;
 * - `timer`: one awaited timer of ten seconds or more, or of a delay the code does not show
 *   (`await sleep(60_000)`, `await new Promise((r) => setTimeout(r, ms))`);
 * - `unsignalled-call`: in a callback written where it floats, a call of async work whose callee
 *   takes an `AbortSignal` but gets none (`fetch(url)`);
 * - `helper`: a call of a function of the program whose own body waits, for one of these reasons.
 */
export type Wait =
  | { kind: 'loop'; node: ts.IterationStatement }
  | { kind: 'timer'; node: ts.Node }
  | { kind: 'unsignalled-call'; call: ts.CallExpression | ts.NewExpression }
  | { kind: 'helper'; call: ts.CallExpression; callee: FunctionBoundary; inner: Wait };

export interface WorkFacts {
  wait: Wait | undefined;
  /**
   * A loop that ends only with the process: constant condition, no `break` or `return`, an
   * `await` inside, no stop flag and no signal read.
   */
  endlessLoop: ts.IterationStatement | undefined;
  /**
   * Something outside the work can stop it: the body reads an `AbortSignal` it was not handed as
   * its own parameter (`this.#shutdown.signal`, a signal of the enclosing scope). A loop that tests
   * a flag others can set (`while (this.running)`) is not a wait to begin with.
   */
  stoppable: boolean;
  /**
   * The first call of async work in the body itself that takes a signal and gets none: in a named
   * function (where it is not a {@link wait}) only when asked for a race, see {@link getWorkFactsForRace}.
   */
  unsignalledCall: Extract<Wait, { kind: 'unsignalled-call' }> | undefined;
}

/**
 * How deep `helper` waits are followed: the work's body and the functions it calls. Deeper chains
 * ("calls a, which calls b, which sends one request") describe ordinary short work as often as
 * a poller, and a reader cannot check them from the report.
 */
const MAXIMUM_HELPER_DEPTH = 1;

/** Below this delay, in milliseconds, a timer in a loop yields to the event loop rather than polls. */
const SHORTEST_WAIT_MS = 1_000;

/** From this delay on, one awaited timer outside a loop keeps the work alive long after its caller. */
const LONG_SINGLE_WAIT_MS = 10_000;

/** An identifier or property access read as a value (`signal`, `signal.aborted`'s `signal`), not a property name. */
function isSignalRead(node: ts.Node): node is ts.Identifier | ts.PropertyAccessExpression {
  if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node)) {
    return false;
  }
  const parent = node.parent;
  if ((ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node)) {
    return false;
  }
  return true;
}

const SIGNAL_MEMBERS = new Set(['aborted', 'throwIfAborted', 'reason', 'onabort']);

/**
 * Whether a read may be of a signal, judged from the code as written before the checker is asked:
 * a name that says so (`signal`, `abortSignal`, `this.#shutdown.signal`), a value whose `aborted`
 * or `throwIfAborted` is read, or the value of a `signal` option. Typing every name in a body
 * would cost more than the rest of the rule.
 */
function mayBeSignal(node: ts.Identifier | ts.PropertyAccessExpression): boolean {
  const name = ts.isIdentifier(node) ? node.text : node.name.text;
  if (/signal/i.test(name)) {
    return true;
  }
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node && SIGNAL_MEMBERS.has(parent.name.text)) {
    return true;
  }
  return ts.isPropertyAssignment(parent) && parent.initializer === node && /signal/i.test(parent.name.getText());
}

/** The identifier or `this` an access path starts from: `options` for `options.init.signal`. */
function getAccessRoot(expression: ts.Expression): ts.Expression {
  let current = skipTransparentDown(expression);
  for (;;) {
    if (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current) || ts.isCallExpression(current)) {
      current = skipTransparentDown(current.expression);
    } else {
      return current;
    }
  }
}

/** Whether `node` is read as a truth value: the whole condition, under `!`, or an operand of `&&` / `||`. */
function isReadAsCondition(node: ts.Node, condition: ts.Expression): boolean {
  let current = node;
  for (;;) {
    if (current === condition) {
      return true;
    }
    const parent = current.parent;
    const isLogical =
      ts.isBinaryExpression(parent) &&
      (parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || parent.operatorToken.kind === ts.SyntaxKind.BarBarToken);
    const isNegation = ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken;
    if (!isLogical && !isNegation && !ts.isParenthesizedExpression(parent)) {
      return false;
    }
    current = parent;
  }
}

/**
 * Whether `condition` reads state that code outside the current function can change: anything on
 * `this` (`this.running`, `this.queue.length`), a module `let`, or a flag of an object the
 * function was handed or can see (`!subscriber.closed`, `socket.destroyed`) read as a truth value.
 * A comparison with a parameter's property (`i < options.retries`) is a bound, not a flag.
 */
function readsOuterState(condition: ts.Expression, fn: FunctionBoundary, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const isDeclaredOutsideOrAsParameter = (declaration: ts.Node): boolean =>
    !declaration.getSourceFile().isDeclarationFile &&
    (!(declaration.pos >= fn.pos && declaration.end <= fn.end) || fn.parameters.some((parameter) => declaration.pos >= parameter.pos && declaration.end <= parameter.end));
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionBoundary(node)) {
      return;
    }
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      // `signal.aborted` is a signal check, judged as one: a flag only if someone passed the signal.
      if (isAbortSignalType(checker.getTypeAtLocation(node.expression), program)) {
        return;
      }
      const root = getAccessRoot(node);
      if (root.kind === ts.SyntaxKind.ThisKeyword) {
        found = true;
        return;
      }
      const declaration = ts.isIdentifier(root) ? checker.getSymbolAtLocation(root)?.valueDeclaration : undefined;
      if (declaration !== undefined && isDeclaredOutsideOrAsParameter(declaration) && isReadAsCondition(node, condition)) {
        found = true;
        return;
      }
    }
    if (ts.isIdentifier(node)) {
      const declaration = checker.getSymbolAtLocation(node)?.valueDeclaration;
      if (
        declaration !== undefined &&
        !declaration.getSourceFile().isDeclarationFile &&
        ts.isVariableDeclaration(declaration) &&
        ts.isVariableDeclarationList(declaration.parent) &&
        (declaration.parent.flags & ts.NodeFlags.Const) === 0 &&
        !(declaration.pos >= fn.pos && declaration.end <= fn.end)
      ) {
        found = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(condition);
  return found;
}

/**
 * `while (this.running)`, or `if (this.stopped) break;` (or `{ log(); return; }`, or a `throw`)
 * anywhere in the loop's own code, a `catch` included: a flag that a stop method sets ends it.
 */
function hasStopFlag(loop: ts.IterationStatement, fn: FunctionBoundary, program: ts.Program): boolean {
  const condition = ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : ts.isForStatement(loop) ? loop.condition : undefined;
  if (condition !== undefined && readsOuterState(condition, fn, program)) {
    return true;
  }
  return containsInOwnCode(loop.statement, (node) => ts.isIfStatement(node) && containsExit(node.thenStatement) && readsOuterState(node.expression, fn, program));
}

/** Whether `node`'s own code has a `return`, `throw` or `break` (any: a give-up leaves the loop or the function). */
function containsExit(node: ts.Node): boolean {
  return isExitNode(node) || containsInOwnCode(node, isExitNode);
}

function isExitNode(node: ts.Node): boolean {
  return ts.isReturnStatement(node) || ts.isThrowStatement(node) || ts.isBreakStatement(node);
}

/**
 * A retry loop that gives up: a `catch` in the loop that can leave it (`if (attempt > 4) throw
 * error;`, `if (backoff < 0) throw e;`). How many attempts that allows is decided by code the rule
 * does not evaluate; such a loop is assumed to be bounded.
 */
function givesUpOnFailure(loop: ts.IterationStatement): boolean {
  return containsInOwnCode(loop.statement, (node) => ts.isCatchClause(node) && containsExit(node.block));
}

/** `for (let i = 0; i < items.length; i++)`, `while (index < queue.size)`: a walk over a collection by index. */
function isBoundByCollection(loop: ts.IterationStatement): boolean {
  const condition = ts.isForStatement(loop) ? loop.condition : ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : undefined;
  if (condition === undefined) {
    return false;
  }
  const inner = skipTransparentDown(condition);
  if (!ts.isBinaryExpression(inner)) {
    return false;
  }
  const comparisons = [ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken];
  const isSize = (side: ts.Expression): boolean => {
    const expression = skipTransparentDown(side);
    return ts.isPropertyAccessExpression(expression) && (expression.name.text === 'length' || expression.name.text === 'size');
  };
  return comparisons.includes(inner.operatorToken.kind) && (isSize(inner.left) || isSize(inner.right));
}

function isConstantlyTrue(condition: ts.Expression | undefined): boolean {
  if (condition === undefined) {
    return true;
  }
  const inner = skipTransparentDown(condition);
  return inner.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(inner) && Number(inner.text) !== 0);
}

/** A declaration or method with a name of its own, as opposed to a callback written at its use. */
function isNamedFunction(fn: FunctionBoundary): boolean {
  return ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isConstructorDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn) || (ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn);
}

/** Whether `node` (not counting nested functions) contains a node `predicate` accepts. */
function containsInOwnCode(node: ts.Node, predicate: (child: ts.Node) => boolean): boolean {
  let found = false;
  const visit = (child: ts.Node): void => {
    if (found || isFunctionBoundary(child)) {
      return;
    }
    if (predicate(child)) {
      found = true;
      return;
    }
    ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/** Whether a `break` or `return` in `loop`'s own code leaves it. */
function hasExit(loop: ts.IterationStatement): boolean {
  const label = ts.isLabeledStatement(loop.parent) ? loop.parent.label.text : undefined;
  let found = false;
  const visit = (node: ts.Node, nestedBreakTarget: boolean): void => {
    if (found || isFunctionBoundary(node)) {
      return;
    }
    if (ts.isReturnStatement(node)) {
      found = true;
      return;
    }
    if (ts.isBreakStatement(node)) {
      if (node.label === undefined ? !nestedBreakTarget : node.label.text === label) {
        found = true;
        return;
      }
    }
    const nested = nestedBreakTarget || ts.isIterationStatement(node, false) || ts.isSwitchStatement(node);
    ts.forEachChild(node, (child) => {
      visit(child, nested);
    });
  };
  ts.forEachChild(loop, (child) => {
    visit(child, false);
  });
  return found;
}

/** Whether a timer's delay may be `threshold` milliseconds or more: unknown, or at least that. */
function mayBeLong(delay: ts.Expression | undefined, checker: ts.TypeChecker, threshold: number): boolean {
  const milliseconds = delay === undefined ? 0 : foldNumber(delay, checker);
  return milliseconds === undefined || milliseconds >= threshold;
}

/**
 * `await sleep(5_000)`, `await new Promise((resolve) => setTimeout(resolve, ms))`: a promise
 * that settles when a timer fires, unless its delay is known to be short (`setTimeout(r, 0)`).
 */
function isLongTimerPromise(expression: ts.Expression, program: ts.Program, threshold: number): boolean {
  const checker = program.getTypeChecker();
  const node = skipTransparentDown(expression);
  if (ts.isCallExpression(node)) {
    const timer = getTimerCall(node, program);
    return timer?.flavour === 'promise' && timer.api === 'setTimeout' && mayBeLong(timer.delay, checker, threshold) && getSignalReach(node, program).kind !== 'passed';
  }
  if (!ts.isNewExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'Promise') {
    return false;
  }
  const executor = node.arguments?.[0];
  if (executor === undefined || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor))) {
    return false;
  }
  return someNode(executor.body, (child) => {
    const timer = ts.isCallExpression(child) ? getTimerCall(child, program) : undefined;
    return timer?.flavour === 'callback' && mayBeLong(timer.delay, checker, threshold);
  });
}

/** The function of the program a call runs, when its source is part of the program. */
export function getCalledFunctionWithBody(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker): FunctionBoundary | undefined {
  const declaration = checker.getResolvedSignature(call)?.getDeclaration() as ts.Node | undefined;
  if (declaration === undefined || !isFunctionBoundary(declaration) || declaration.body === undefined || declaration.getSourceFile().isDeclarationFile) {
    return undefined;
  }
  return declaration;
}

export interface WorkFactsCache {
  facts: Map<FunctionBoundary, WorkFacts>;
  raceFacts: Map<FunctionBoundary, WorkFacts>;
  inProgress: Set<FunctionBoundary>;
}

export function createWorkFactsCache(): WorkFactsCache {
  return { facts: new Map(), raceFacts: new Map(), inProgress: new Set() };
}

const NOTHING_KNOWN: WorkFacts = { wait: undefined, endlessLoop: undefined, stoppable: false, unsignalledCall: undefined };

/** {@link WorkFacts} of `fn`'s body, cached in `cache`; a function that is being read (recursion) says nothing. */
export function getWorkFacts(fn: FunctionBoundary, program: ts.Program, cache: WorkFactsCache, depth = 0): WorkFacts {
  return getCachedWorkFacts(fn, program, cache, depth, false);
}

/**
 * {@link getWorkFacts} with {@link WorkFacts.unsignalledCall} found in a named function too, which
 * only a race asks for: looking up the signature of every call of every floating body would cost
 * more than the rest of the rule.
 */
export function getWorkFactsForRace(fn: FunctionBoundary, program: ts.Program, cache: WorkFactsCache): WorkFacts {
  return getCachedWorkFacts(fn, program, cache, 0, true);
}

function getCachedWorkFacts(fn: FunctionBoundary, program: ts.Program, cache: WorkFactsCache, depth: number, includeUnsignalledCall: boolean): WorkFacts {
  const facts = includeUnsignalledCall ? cache.raceFacts : cache.facts;
  const known = facts.get(fn);
  if (known !== undefined) {
    return known;
  }
  if (cache.inProgress.has(fn) || fn.body === undefined) {
    return NOTHING_KNOWN;
  }
  cache.inProgress.add(fn);
  try {
    const read = readWorkFacts(fn, program, cache, depth, includeUnsignalledCall);
    // A fact read below the top depth saw fewer helpers; only complete answers are kept.
    if (depth === 0) {
      facts.set(fn, read);
    }
    return read;
  } finally {
    cache.inProgress.delete(fn);
  }
}

function readWorkFacts(fn: FunctionBoundary, program: ts.Program, cache: WorkFactsCache, depth: number, includeUnsignalledCall: boolean): WorkFacts {
  const checker = program.getTypeChecker();
  const body = fn.body;
  if (body === undefined) {
    return NOTHING_KNOWN;
  }
  let wait: Wait | undefined;
  let endlessLoop: ts.IterationStatement | undefined;
  let stoppable = false;
  let unsignalledCall: Extract<Wait, { kind: 'unsignalled-call' }> | undefined;

  const noteWait = (found: Wait): void => {
    wait ??= found;
  };

  // Signals are looked for everywhere in the body, nested callbacks included: `{ signal: this.signal }`
  // handed to a callback's fetch stops the work as well.
  const findSignal = (node: ts.Node): void => {
    if (stoppable) {
      return;
    }
    if (isSignalRead(node) && mayBeSignal(node) && isAbortSignalType(checker.getTypeAtLocation(node), program)) {
      const root = getAccessRoot(node);
      if (root.kind === ts.SyntaxKind.ThisKeyword) {
        stoppable = true;
        return;
      }
      // A signal of the work's own making (`AbortSignal.timeout(30_000)` per request, a local
      // controller) or one it was handed as a parameter the call left out stops nothing from outside.
      const symbol = ts.isIdentifier(root)
        ? ts.isShorthandPropertyAssignment(root.parent) && root.parent.name === root
          ? checker.getShorthandAssignmentValueSymbol(root.parent)
          : checker.getSymbolAtLocation(root)
        : undefined;
      const declaration = symbol?.valueDeclaration;
      if (declaration !== undefined && !(declaration.pos >= fn.pos && declaration.end <= fn.end)) {
        stoppable = true;
        return;
      }
    }
    ts.forEachChild(node, findSignal);
  };
  findSignal(body);

  let timersCount = true;
  const visitWithoutTimers = (node: ts.Node): void => {
    const outer = timersCount;
    timersCount = false;
    try {
      visit(node);
    } finally {
      timersCount = outer;
    }
  };
  const visit = (node: ts.Node): void => {
    if (isFunctionBoundary(node) && node !== fn) {
      // Only code that runs as part of the work: an immediately invoked function or a promise executor.
      const parent = node.parent;
      const invoked = ts.isCallExpression(parent) && skipTransparentDown(parent.expression) === node;
      const executor = ts.isNewExpression(parent) && ts.isIdentifier(parent.expression) && parent.expression.text === 'Promise';
      if (!invoked && !executor) {
        return;
      }
    }
    if (ts.isIterationStatement(node, false)) {
      const condition = ts.isWhileStatement(node) || ts.isDoStatement(node) ? node.expression : ts.isForStatement(node) ? node.condition : undefined;
      const loopExpression = ts.isForOfStatement(node) && node.awaitModifier !== undefined ? skipTransparentDown(node.expression) : undefined;
      const endlessIterable = loopExpression !== undefined && ts.isCallExpression(loopExpression) && isUnsignalledInterval(loopExpression, program);
      const constantlyTrue = ts.isForInStatement(node) || ts.isForOfStatement(node) ? endlessIterable : isConstantlyTrue(condition);
      const awaits = loopExpression !== undefined || containsInOwnCode(node, ts.isAwaitExpression);
      if (awaits && !hasStopFlag(node, fn, program)) {
        if (constantlyTrue && !hasExit(node) && !stoppable) {
          endlessLoop ??= node;
        }
        // A poller waits on a timer between passes. A loop over a collection ends with it, a
        // `for await` over a stream ends when the stream is closed, and a retry loop that gives up
        // in its `catch` is bounded by its give-up rule.
        const polls =
          !ts.isForOfStatement(node) &&
          !ts.isForInStatement(node) &&
          !isBoundByCollection(node) &&
          !givesUpOnFailure(node) &&
          containsInOwnCode(node, (child) => ts.isAwaitExpression(child) && isLongTimerPromise(child.expression, program, SHORTEST_WAIT_MS));
        if (polls) {
          noteWait({ kind: 'loop', node });
        }
      }
      if (awaits) {
        // The loop's own timer was judged with the loop: a stopped or bounded poller waits for nothing.
        ts.forEachChild(node, (child) => {
          visitWithoutTimers(child);
        });
        return;
      }
    }
    if (timersCount && ts.isAwaitExpression(node) && isLongTimerPromise(node.expression, program, LONG_SINGLE_WAIT_MS)) {
      noteWait({ kind: 'timer', node });
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const timer = ts.isCallExpression(node) ? getTimerCall(node, program) : undefined;
      // Only async work counts (`fetch(url)`, not `addEventListener`), and only in a callback
      // written where it floats, where it is the floating call itself one line down. One request
      // a named function sends is short work, not the poller of the story.
      if (
        depth === 0 &&
        (includeUnsignalledCall || !isNamedFunction(fn)) &&
        unsignalledCall === undefined &&
        timer === undefined &&
        isThenable(checker.getTypeAtLocation(node), node, checker) &&
        getSignalReach(node, program).kind === 'accepted-not-passed'
      ) {
        unsignalledCall = { kind: 'unsignalled-call', call: node };
        if (!isNamedFunction(fn) && (isPlatformCall(node, program) || findSignalInScope(node, program) !== undefined)) {
          noteWait(unsignalledCall);
        }
      }
      if (ts.isCallExpression(node) && wait === undefined && depth < MAXIMUM_HELPER_DEPTH && timer === undefined) {
        const callee = getCalledFunctionWithBody(node, checker);
        if (callee !== undefined && callee !== fn) {
          const inner = getWorkFacts(callee, program, cache, depth + 1);
          if (inner.wait !== undefined && inner.wait.kind !== 'unsignalled-call' && !inner.stoppable) {
            noteWait({ kind: 'helper', call: node, callee, inner: inner.wait });
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return { wait, endlessLoop, stoppable, unsignalledCall };
}

/** `setInterval(ms)` of `node:timers/promises` with no signal: an async iterator that never ends by itself. */
export function isUnsignalledInterval(call: ts.CallExpression, program: ts.Program): boolean {
  const timer = getTimerCall(call, program);
  return timer?.api === 'setInterval' && timer.flavour === 'promise' && getSignalReach(call, program).kind !== 'passed';
}

/**
 * `it awaits in a loop (line 23)`, `it calls \`poll\` (line 8), where it waits on a timer
 * (billing.ts:30)`, for messages: a position in another file than `fromFile` names the file.
 */
export function describeWait(wait: Wait, fromFile: ts.SourceFile): string {
  const at = (node: ts.Node): string => {
    const sourceFile = node.getSourceFile();
    const line = String(sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    return sourceFile === fromFile ? `line ${line}` : `${basename(sourceFile.fileName)}:${line}`;
  };
  switch (wait.kind) {
    case 'loop':
      return `it polls in a loop (${at(wait.node)}) that waits on a timer`;
    case 'timer':
      return `it waits on a timer (${at(wait.node)})`;
    case 'unsignalled-call':
      return `it calls \`${shorten(wait.call.getText())}\` (${at(wait.call)}) without the signal that call takes`;
    case 'helper':
      return `it calls \`${describeFunction(wait.callee)}\` (${at(wait.call)}), where ${describeWait(wait.inner, fromFile)}`;
  }
}
