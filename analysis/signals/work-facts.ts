import { basename } from 'node:path';
import ts from 'typescript';

import { type FunctionBoundary, describeFunction, isFunctionBoundary } from '../core/functions.js';
import { shorten } from '../core/source-text.js';
import { skipTransparentDown } from '../core/transparent-syntax.js';
import { isAbortSignalType } from './abort-signal-type.js';
import { getSignalReach } from './signal-flow.js';
import { getTimerCall } from './timers.js';

/**
 * What a piece of async work does over time, read from its body: does it wait for long (a loop
 * that awaits, a timer, a call that could take a signal and gets none), does it run forever, and
 * can something outside stop it. A floating promise matters only when its work can outlive its
 * caller: a floating `flush()` that writes one buffer is not the zombie poller of the story.
 */

/**
 * Why the work can take long, the first reason in source order:
 * - `loop`: a loop that awaits on every turn (`for await`, or an `await` in its body);
 * - `timer`: an awaited timer (`await sleep(5_000)`, `await new Promise((r) => setTimeout(r, ms))`);
 * - `unsignalled-call`: a call whose callee takes an `AbortSignal` but gets none (`fetch(url)`);
 * - `helper`: a call of a function of the program whose own body waits, for one of these reasons.
 */
export type Wait =
  | { kind: 'loop'; node: ts.IterationStatement }
  | { kind: 'timer'; node: ts.Node }
  | { kind: 'unsignalled-call'; call: ts.CallExpression | ts.NewExpression }
  | { kind: 'helper'; call: ts.CallExpression; callee: FunctionBoundary; inner: Wait };

export interface WorkFacts {
  wait: Wait | undefined;
  /** A loop that ends only with the process: constant condition, no `break` or `return`, an `await` inside, no signal read. */
  endlessLoop: ts.IterationStatement | undefined;
  /**
   * Something outside the work can stop it: the body reads an `AbortSignal` it was not handed as
   * its own parameter (`this.#shutdown.signal`, a signal of the enclosing scope), or its loops
   * test a flag others can set (`while (this.running)`).
   */
  stoppable: boolean;
}

/** How deep `helper` waits are followed: the work, what it calls, and what that calls. */
const MAXIMUM_HELPER_DEPTH = 2;

/** An identifier or property access read as a value: not a property name, not the object of a longer access. */
function isSignalRead(node: ts.Node): node is ts.Identifier | ts.PropertyAccessExpression {
  if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node)) {
    return false;
  }
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
    return false;
  }
  if ((ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node)) {
    return false;
  }
  return true;
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

/** Whether `expression` reads state that code outside the current function can change: `this.running`, a module `let`. */
function readsOuterState(expression: ts.Expression, fn: FunctionBoundary, checker: ts.TypeChecker): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionBoundary(node)) {
      return;
    }
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const root = getAccessRoot(node);
      if (root.kind === ts.SyntaxKind.ThisKeyword) {
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
  visit(expression);
  return found;
}

function isExitStatement(statement: ts.Statement): boolean {
  if (ts.isBlock(statement)) {
    const first = statement.statements[0];
    return first !== undefined && isExitStatement(first);
  }
  return ts.isBreakStatement(statement) || ts.isReturnStatement(statement) || ts.isThrowStatement(statement);
}

/** `while (this.running)`, or `if (this.stopped) break;` at the top level of the loop's body. */
function hasStopFlag(loop: ts.IterationStatement, fn: FunctionBoundary, checker: ts.TypeChecker): boolean {
  const condition = ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : ts.isForStatement(loop) ? loop.condition : undefined;
  if (condition !== undefined && readsOuterState(condition, fn, checker)) {
    return true;
  }
  const statements = ts.isBlock(loop.statement) ? loop.statement.statements : [loop.statement];
  return statements.some((statement) => ts.isIfStatement(statement) && isExitStatement(statement.thenStatement) && readsOuterState(statement.expression, fn, checker));
}

function isConstantlyTrue(condition: ts.Expression | undefined): boolean {
  if (condition === undefined) {
    return true;
  }
  const inner = skipTransparentDown(condition);
  return inner.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(inner) && Number(inner.text) !== 0);
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

/** `await new Promise((resolve) => setTimeout(resolve, ms))`: a promise whose executor starts a timer. */
function isTimerPromise(expression: ts.Expression, program: ts.Program): boolean {
  const node = skipTransparentDown(expression);
  if (ts.isCallExpression(node)) {
    return getTimerCall(node, program)?.flavour === 'promise';
  }
  if (!ts.isNewExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'Promise') {
    return false;
  }
  const executor = node.arguments?.[0];
  if (executor === undefined || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor))) {
    return false;
  }
  let found = false;
  const visit = (child: ts.Node): void => {
    if (found) {
      return;
    }
    if (ts.isCallExpression(child) && getTimerCall(child, program)?.flavour === 'callback') {
      found = true;
      return;
    }
    ts.forEachChild(child, visit);
  };
  visit(executor.body);
  return found;
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
  inProgress: Set<FunctionBoundary>;
}

export function createWorkFactsCache(): WorkFactsCache {
  return { facts: new Map(), inProgress: new Set() };
}

const NOTHING_KNOWN: WorkFacts = { wait: undefined, endlessLoop: undefined, stoppable: false };

/** {@link WorkFacts} of `fn`'s body, cached in `cache`; a function that is being read (recursion) says nothing. */
export function getWorkFacts(fn: FunctionBoundary, program: ts.Program, cache: WorkFactsCache, depth = 0): WorkFacts {
  const known = cache.facts.get(fn);
  if (known !== undefined) {
    return known;
  }
  if (cache.inProgress.has(fn) || fn.body === undefined) {
    return NOTHING_KNOWN;
  }
  cache.inProgress.add(fn);
  try {
    const facts = readWorkFacts(fn, program, cache, depth);
    // A fact read below the top depth saw fewer helpers; only complete answers are kept.
    if (depth === 0) {
      cache.facts.set(fn, facts);
    }
    return facts;
  } finally {
    cache.inProgress.delete(fn);
  }
}

function readWorkFacts(fn: FunctionBoundary, program: ts.Program, cache: WorkFactsCache, depth: number): WorkFacts {
  const checker = program.getTypeChecker();
  const body = fn.body;
  if (body === undefined) {
    return NOTHING_KNOWN;
  }
  let wait: Wait | undefined;
  let endlessLoop: ts.IterationStatement | undefined;
  let stoppable = false;

  const noteWait = (found: Wait): void => {
    wait ??= found;
  };

  // Signals are looked for everywhere in the body, nested callbacks included: `{ signal: this.signal }`
  // handed to a callback's fetch stops the work as well.
  const findSignal = (node: ts.Node): void => {
    if (stoppable) {
      return;
    }
    if (isSignalRead(node) && isAbortSignalType(checker.getTypeAtLocation(node), program)) {
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
      const awaits = (ts.isForOfStatement(node) && node.awaitModifier !== undefined) || containsInOwnCode(node, ts.isAwaitExpression);
      if (awaits) {
        if (hasStopFlag(node, fn, checker)) {
          return;
        }
        const condition = ts.isWhileStatement(node) || ts.isDoStatement(node) ? node.expression : ts.isForStatement(node) ? node.condition : undefined;
        const endlessIterable =
          ts.isForOfStatement(node) && node.awaitModifier !== undefined && ts.isCallExpression(skipTransparentDown(node.expression)) && isUnsignalledInterval(skipTransparentDown(node.expression) as ts.CallExpression, program);
        const constant = ts.isForInStatement(node) || ts.isForOfStatement(node) ? endlessIterable : isConstantlyTrue(condition);
        if (constant && !hasExit(node) && !stoppable) {
          endlessLoop ??= node;
        }
        noteWait({ kind: 'loop', node });
      }
    }
    if (ts.isAwaitExpression(node) && isTimerPromise(node.expression, program)) {
      noteWait({ kind: 'timer', node });
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const timer = ts.isCallExpression(node) ? getTimerCall(node, program) : undefined;
      if (timer === undefined && getSignalReach(node, program).kind === 'accepted-not-passed') {
        noteWait({ kind: 'unsignalled-call', call: node });
      }
      if (ts.isCallExpression(node) && wait === undefined && depth < MAXIMUM_HELPER_DEPTH && timer === undefined) {
        const callee = getCalledFunctionWithBody(node, checker);
        if (callee !== undefined && callee !== fn) {
          const inner = getWorkFacts(callee, program, cache, depth + 1);
          if (inner.wait !== undefined && !inner.stoppable) {
            noteWait({ kind: 'helper', call: node, callee, inner: inner.wait });
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return { wait, endlessLoop, stoppable };
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
      return `it awaits in a loop (${at(wait.node)})`;
    case 'timer':
      return `it waits on a timer (${at(wait.node)})`;
    case 'unsignalled-call':
      return `it calls \`${shorten(wait.call.getText())}\` (${at(wait.call)}) without the signal that call takes`;
    case 'helper':
      return `it calls \`${describeFunction(wait.callee)}\` (${at(wait.call)}), where ${describeWait(wait.inner, fromFile)}`;
  }
}
