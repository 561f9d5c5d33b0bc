import ts from 'typescript';

import { type FlowExit, type FlowInterpreter, type FlowJump, walkControlFlow } from '../core/control-flow.js';
import { getEnclosingFunction, isFunctionBoundary } from '../core/functions.js';
import { isAssignmentTarget } from '../core/side-effects.js';
import { getStableReferenceKey } from '../core/stable-reference.js';
import { isDeclaredOnlyInDefaultLibrary } from '../core/standard-library.js';
import { skipTransparentDown, skipTransparentUp } from '../core/transparent-syntax.js';
import { isThenable } from '../core/types.js';
import { getResourceAcquisition } from '../resources/acquisition.js';
import { createResourceAnalysisContext } from '../resources/context.js';
import { analyzeResourceLifetime, isLeakVerdict } from '../resources/lifetime.js';
import { forEachDirectCall, getLockAcquisition, type LockAcquisition, type LockContext } from './lock-apis.js';

/** What runs while a lock is held, and what in it the lock rule asks about. */
export interface CriticalSection {
  acquisition: LockAcquisition;
  /** `await`, `for await` and `yield` reached while the lock is held, in source order. */
  awaits: ts.Node[];
  /** The awaits that wait for something other than the state the section guards (see {@link findCriticalSection}). */
  unguardedAwaits: ts.Node[];
  /** What the section reads or writes besides its awaits: `this.#entries`, `cache`. */
  guardedState: string[];
  /** The same lock taken again and waited for inside the section; `via` is the local function that takes it. */
  reentries: { call: ts.CallExpression; via: ts.CallExpression | undefined }[];
  /** The first node whose exception leaves the function with the lock held, when some path releases it. */
  releaseSkippedBy: ts.Node | undefined;
  /** The release is in a `finally`, whose `try` starts after what throws. */
  releasedInLateFinally: boolean;
  /** Promises started in an exclusive callback and neither awaited nor returned. */
  floating: ts.Expression[];
}

const Unlocked = 1;
/** Held, and nothing awaited since it was taken. */
const HeldFresh = 2;
/** Held, after an await. */
const HeldAfterWait = 4;
const Locked = HeldFresh | HeldAfterWait;
/** Released on a path that awaited nothing while holding it. */
const ReleasedFresh = 8;

/**
 * The critical section of `acquisition`: the body of an inline exclusive callback, or, for a
 * release function (`const release = await mutex.acquire()`), every path of the enclosing function
 * from the acquisition to a release (`release()`, `mutex.release()`). `undefined` when the section
 * cannot be followed: a callback given by reference, a release function that is not kept in a
 * variable, an acquisition that is not awaited.
 */
export function findCriticalSection(acquisition: LockAcquisition, context: LockContext): CriticalSection | undefined {
  const held = acquisition.form === 'callback' ? getCallbackSection(acquisition, context) : getReleaseFunctionSection(acquisition, context);
  if (held === undefined) {
    return undefined;
  }
  const owner = acquisition.form === 'callback' ? acquisition.callback : getEnclosingFunction(acquisition.call);
  const touches = collectTouches(held.nodes, owner, acquisition, held.releasers, context);
  const outsideAwaits = touches.filter((touch) => !held.awaits.some((awaitNode) => contains(getAwaited(awaitNode), touch.node)));
  const guarding = outsideAwaits.filter((touch) => touch.kind !== 'read');
  const guardedState = [...new Set(guarding.map((touch) => touch.key))];
  const reentries = findReentries(acquisition, held.calls, context);
  const sectionRoot = acquisition.form === 'callback' ? acquisition.callback?.body : owner?.body;
  const unguardedAwaits =
    guardedState.length === 0
      ? []
      : held.awaits.filter((awaitNode) => {
          const awaited = getAwaited(awaitNode);
          if (reentries.some((reentry) => contains(awaited, reentry.via ?? reentry.call))) {
            // Waiting for the lock itself: the re-entry message says why that never ends.
            return false;
          }
          if (waitsForAnotherLock(awaited, context)) {
            return true;
          }
          if (runsACallbackParameter(awaited, context)) {
            // `#withLock(status, operation)`: the operation it is given is the critical section.
            return false;
          }
          const targets = getAwaitTargets(awaited);
          if (targets.some((target) => touches.some((touch) => !contains(awaited, touch.node) && keysOverlap(target, touch.key)))) {
            return false;
          }
          // Between two touches of the guarded state, an await is the middle of a read-modify-write
          // (fetch, then update what was checked), which is what async locks are mostly for. It
          // only costs the other callers for nothing when some path holds the lock without waiting
          // (a cache hit that queues behind a miss's fetch), or when nothing guarded follows it.
          return held.fastPath || sectionRoot === undefined || !guarding.some((touch) => runsAfter(touch.node, awaitNode, sectionRoot));
        });
  return {
    acquisition,
    awaits: held.awaits,
    unguardedAwaits,
    guardedState,
    reentries,
    releaseSkippedBy: held.releaseSkippedBy,
    releasedInLateFinally: held.releasedInFinally,
    floating: acquisition.form === 'callback' ? findFloatingWork(acquisition, context) : [],
  };
}

/** `await second.runExclusive(…)` while holding the first: waiting for another lock while holding one. */
function waitsForAnotherLock(awaited: ts.Node, context: LockContext): boolean {
  let found = false;
  forEachDirectCall(awaited, (call) => {
    found ||= getLockAcquisition(call, context) !== undefined;
  });
  return found;
}

/** `await operation()`, `operation` a parameter of a function the section is in. */
function runsACallbackParameter(awaited: ts.Node, context: LockContext): boolean {
  const call = ts.isExpression(awaited) ? skipTransparentDown(awaited) : awaited;
  if (!ts.isCallExpression(call)) {
    return false;
  }
  const callee = skipTransparentDown(call.expression);
  const declaration = ts.isIdentifier(callee) ? context.checker.getSymbolAtLocation(callee)?.valueDeclaration : undefined;
  return declaration !== undefined && ts.isParameter(declaration) && contains(declaration.parent, call);
}

/**
 * Whether `touch` can run after `awaitNode`: it ends later in the text (a call's arguments, the
 * await among them, run before the call), or both sit in a loop of the section, whose next
 * iteration runs the touch again.
 */
function runsAfter(touch: ts.Node, awaitNode: ts.Node, sectionRoot: ts.Node): boolean {
  const top = skipTransparentUp(touch);
  const time = ts.isCallExpression(top.parent) && top.parent.expression === top ? top.parent.getEnd() : touch.getEnd();
  if (time > awaitNode.getEnd()) {
    return true;
  }
  for (let node: ts.Node = awaitNode; node !== sectionRoot && !ts.isSourceFile(node); node = node.parent) {
    if (ts.isIterationStatement(node, false) && contains(node, touch)) {
      return true;
    }
  }
  return false;
}

/** `acquire()` whose promise is dropped: the code after it runs without the lock. */
export function isUnawaitedAcquisition(acquisition: LockAcquisition): boolean {
  if (acquisition.form !== 'release-function') {
    return false;
  }
  const top = skipTransparentUp(acquisition.call);
  const parent = top.parent;
  return ts.isExpressionStatement(parent) || (ts.isVoidExpression(parent) && ts.isExpressionStatement(skipTransparentUp(parent).parent));
}

interface HeldRegion {
  /** Nodes evaluated (or, for a callback, contained) while the lock is held. */
  nodes: ts.Node[];
  awaits: ts.Node[];
  /** Calls made while the lock is held, nested functions left out. */
  calls: ts.CallExpression[];
  releasers: ts.Symbol[];
  releaseSkippedBy: ts.Node | undefined;
  releasedInFinally: boolean;
  /** Some path returns a value without having awaited while holding the lock (a cache hit): it queues behind the slow paths. */
  fastPath: boolean;
}

function getCallbackSection(acquisition: LockAcquisition, context: LockContext): HeldRegion | undefined {
  const callback = acquisition.callback;
  if (callback?.body === undefined) {
    return undefined;
  }
  // The whole body runs while the lock is held; the walk gives its awaits and calls (nested
  // functions left out) and whether some return serves a value before any await (the fast path).
  const interpreter = new LockFlow(acquisition, undefined, [], context);
  const exits = walkControlFlow(callback.body, HeldFresh, interpreter);
  const isAsync = (ts.getCombinedModifierFlags(callback) & ts.ModifierFlags.Async) !== 0;
  // What nested synchronous callbacks touch (`items.forEach((item) => cache.set(…))`) is state too.
  const nodes: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    nodes.push(node);
    ts.forEachChild(node, visit);
  };
  visit(callback.body);
  return {
    nodes,
    awaits: isAsync ? interpreter.getAwaits() : [],
    calls: [...interpreter.heldNodes].filter(ts.isCallExpression),
    releasers: [],
    releaseSkippedBy: undefined,
    releasedInFinally: false,
    fastPath: isAsync && exits.some((exit) => returnsAValue(exit) && (exit.state & HeldFresh) !== 0),
  };
}

/** What an await point waits for: the awaited expression, the iterated one, the yielded one. */
function getAwaited(node: ts.Node): ts.Node {
  if (ts.isAwaitExpression(node) || ts.isForOfStatement(node)) {
    return node.expression;
  }
  return ts.isYieldExpression(node) ? (node.expression ?? node) : node;
}

/**
 * `return cached`: a path that serves a value. A bare `return` (nothing to do) is not the fast path
 * that matters: callers that find a cached value queue behind callers that fetch one.
 */
function returnsAValue(exit: FlowExit): boolean {
  return exit.kind === 'return' && ((ts.isReturnStatement(exit.node) && exit.node.expression !== undefined) || ts.isExpression(exit.node));
}

/** The iterated expression of a `for await`: the loop waits once it is evaluated. */
function isIteratedByForAwait(node: ts.Node): boolean {
  const parent = node.parent as ts.Node | undefined;
  return parent !== undefined && ts.isForOfStatement(parent) && parent.awaitModifier !== undefined && parent.expression === node;
}

function isAwaitPoint(node: ts.Node): boolean {
  return ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined) || ts.isYieldExpression(node);
}

/** `const release = await m.acquire()`, `const [, release] = await semaphore.acquire()`, `await m.acquire();` */
function getReleaseFunctionSection(acquisition: LockAcquisition, context: LockContext): HeldRegion | undefined {
  const top = skipTransparentUp(acquisition.call);
  if (!ts.isAwaitExpression(top.parent)) {
    return undefined;
  }
  const awaited = skipTransparentUp(top.parent);
  const binding = awaited.parent;
  const releasers: ts.Symbol[] = [];
  let acquiredAt: ts.Node;
  if (ts.isVariableDeclaration(binding) && binding.initializer === awaited) {
    const names = ts.isIdentifier(binding.name)
      ? [binding.name]
      : ts.isArrayBindingPattern(binding.name)
        ? binding.name.elements.slice(1, 2).flatMap((element) => (ts.isBindingElement(element) && ts.isIdentifier(element.name) ? [element.name] : []))
        : [];
    for (const name of names) {
      const symbol = context.checker.getSymbolAtLocation(name);
      if (symbol !== undefined) {
        releasers.push(symbol);
      }
    }
    acquiredAt = binding;
  } else if (ts.isExpressionStatement(binding)) {
    acquiredAt = awaited;
  } else {
    return undefined;
  }
  const owner = getEnclosingFunction(acquisition.call);
  const body = owner?.body;
  if (body === undefined) {
    return undefined;
  }
  const interpreter = new LockFlow(acquisition, acquiredAt, releasers, context);
  const exits = walkControlFlow(body, Unlocked, interpreter);
  const fastPath = exits.some((exit) => returnsAValue(exit) && (exit.state & (HeldFresh | ReleasedFresh)) !== 0);
  // What throws inside the `finally` that releases, before the release, is that block's own
  // business (clean-up that may fail); the gap before the `try` is what a `finally` cannot cover.
  const heldThrows = exits
    .filter((exit) => exit.kind === 'throw' && (exit.state & Locked) !== 0)
    .map((exit) => exit.node)
    .filter((node) => ![...interpreter.releasingFinallyBlocks].some((block) => contains(block, node)))
    .sort((left, right) => left.getStart() - right.getStart());
  // A release function the resource table knows (async-mutex's `Mutex#acquire`) is a resource:
  // where `no-undisposed-resources` reports its release as skipped, it says so, once. That rule
  // takes calls that do not involve the releaser as safe; a lock that leaks waits forever, so here
  // any call that is not the standard library's can throw, and what it finds besides is reported.
  const firstHeldThrow = interpreter.released && !interpreter.handedOff ? heldThrows[0] : undefined;
  const releaseSkippedBy = firstHeldThrow !== undefined && !isReportedAsResourceLeak(acquisition.call, context) ? firstHeldThrow : undefined;
  return {
    nodes: [...interpreter.heldNodes],
    awaits: interpreter.getAwaits(),
    calls: [...interpreter.heldNodes].filter(ts.isCallExpression),
    releasers,
    releaseSkippedBy,
    releasedInFinally: interpreter.releasingFinallyBlocks.size > 0,
    fastPath,
  };
}

/** Whether `no-undisposed-resources` reports the release function `call` hands out as a leak (it then says so once). */
function isReportedAsResourceLeak(call: ts.CallExpression, context: LockContext): boolean {
  const resources = (context.resources ??= createResourceAnalysisContext(context.program, { learnResources: false }));
  const acquisition = getResourceAcquisition(call, resources);
  return acquisition !== undefined && isLeakVerdict(analyzeResourceLifetime(acquisition, resources));
}

/** "Unlocked, locked" along every path of the function that takes the lock. */
class LockFlow implements FlowInterpreter {
  readonly heldNodes = new Set<ts.Node>();
  readonly heldAwaits = new Set<ts.Node>();
  /** Some path calls the release. */
  released = false;
  /** The release function is handed to other code (stored, passed, returned), which may release it. */
  handedOff = false;
  /** The `finally` blocks that release. */
  readonly releasingFinallyBlocks = new Set<ts.Block>();
  readonly #acquisition: LockAcquisition;
  readonly #acquiredAt: ts.Node | undefined;
  readonly #releasers: readonly ts.Symbol[];
  readonly #context: LockContext;

  constructor(acquisition: LockAcquisition, acquiredAt: ts.Node | undefined, releasers: readonly ts.Symbol[], context: LockContext) {
    this.#acquisition = acquisition;
    this.#acquiredAt = acquiredAt;
    this.#releasers = releasers;
    this.#context = context;
  }

  touches(): boolean {
    return true;
  }

  /** The await points reached while held, in source order; a `for await` as its statement. */
  getAwaits(): ts.Node[] {
    return [...this.heldAwaits].sort((left, right) => left.getStart() - right.getStart());
  }

  evaluated(node: ts.Node, state: number): number {
    if ((state & Locked) !== 0) {
      this.heldNodes.add(node);
      if (isAwaitPoint(node) || isIteratedByForAwait(node)) {
        this.heldAwaits.add(isIteratedByForAwait(node) ? node.parent : node);
        return (state & ~Locked) | HeldAfterWait;
      }
    }
    if (node === this.#acquiredAt) {
      return HeldFresh;
    }
    if (ts.isCallExpression(node) && this.#isRelease(node)) {
      this.released ||= (state & Locked) !== 0;
      const finallyBlock = getEnclosingFinally(node);
      if (finallyBlock !== undefined) {
        this.releasingFinallyBlocks.add(finallyBlock);
      }
      if (state === 0) {
        return state;
      }
      // A release before any await keeps that apart (the fast path); every other path is just unlocked.
      return ((state & (HeldFresh | ReleasedFresh)) !== 0 ? ReleasedFresh : 0) | ((state & (Unlocked | HeldAfterWait)) !== 0 ? Unlocked : 0);
    }
    if (ts.isIdentifier(node) && this.#isReleaser(node) && !this.#isReleaseCallee(node)) {
      this.handedOff = true;
    }
    return state;
  }

  throws(node: ts.Node): boolean {
    if (node === this.#acquiredAt) {
      // An acquisition that fails holds nothing.
      return false;
    }
    if (isAwaitPoint(node) || ts.isNewExpression(node)) {
      return true;
    }
    if (!ts.isCallExpression(node) || this.#isRelease(node)) {
      return false;
    }
    // `this.#entries.get(id)`, `Date.now()`: standard-library calls are taken not to throw, as in
    // the resource analysis; a project or package function may.
    const callee = skipTransparentDown(node.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
    return !isDeclaredOnlyInDefaultLibrary(this.#context.checker.getSymbolAtLocation(name), this.#context.program);
  }

  narrow(_condition: ts.Expression, state: number): number {
    return state;
  }

  leaveByJump(jump: FlowJump): number {
    return jump.state;
  }

  enterCatch(thrown: FlowExit): number {
    return thrown.state;
  }

  #isReleaser(identifier: ts.Identifier): boolean {
    const symbol = this.#context.checker.getSymbolAtLocation(identifier);
    return symbol !== undefined && this.#releasers.includes(symbol) && !(ts.isVariableDeclaration(identifier.parent) || ts.isBindingElement(identifier.parent));
  }

  #isReleaseCallee(identifier: ts.Identifier): boolean {
    const top = skipTransparentUp(identifier);
    return ts.isCallExpression(top.parent) && top.parent.expression === top;
  }

  /** `release()`, or `mutex.release()` on the same lock. */
  #isRelease(call: ts.CallExpression): boolean {
    const callee = skipTransparentDown(call.expression);
    if (ts.isIdentifier(callee)) {
      const symbol = this.#context.checker.getSymbolAtLocation(callee);
      return symbol !== undefined && this.#releasers.includes(symbol);
    }
    const lockKey = this.#acquisition.lockKey;
    return (
      ts.isPropertyAccessExpression(callee) &&
      callee.name.text === 'release' &&
      lockKey !== undefined &&
      getStableReferenceKey(callee.expression) === lockKey
    );
  }
}

function getEnclosingFinally(node: ts.Node): ts.Block | undefined {
  for (let current = node; !ts.isSourceFile(current) && !isFunctionBoundary(current); current = current.parent) {
    const parent = current.parent;
    if (ts.isTryStatement(parent) && parent.finallyBlock === current) {
      return parent.finallyBlock;
    }
  }
  return undefined;
}

interface Touch {
  node: ts.Node;
  key: string;
  /**
   * `call` for the object of a method call (`cache.get(id)`), `write` for an assignment target,
   * `read` for any other read: a flag read for logging is not what a lock guards.
   */
  kind: 'call' | 'write' | 'read';
}

/**
 * The shared state the held nodes read or write: property chains rooted at `this` or at a
 * variable or parameter the section did not declare (by the object whose method is called:
 * `this.#entries` for `this.#entries.get(id)`), and outer variables. Locals of the function, the
 * lock and its release function, imports and the standard library's globals are not state.
 */
function collectTouches(
  nodes: readonly ts.Node[],
  owner: ts.Node | undefined,
  acquisition: LockAcquisition,
  releasers: readonly ts.Symbol[],
  context: LockContext,
): Touch[] {
  const { checker, program } = context;
  const lockKey = getStableReferenceKey(acquisition.lock);
  const touches: Touch[] = [];
  const isStateRoot = (identifier: ts.Identifier): boolean => {
    const symbol = checker.getSymbolAtLocation(identifier);
    if (symbol === undefined || releasers.includes(symbol) || (symbol.flags & ts.SymbolFlags.Alias) !== 0) {
      return false;
    }
    if ((symbol.flags & (ts.SymbolFlags.Variable | ts.SymbolFlags.Property)) === 0 || isDeclaredOnlyInDefaultLibrary(symbol, program)) {
      return false;
    }
    const declaration = symbol.valueDeclaration;
    if (declaration === undefined || declaration.getSourceFile().isDeclarationFile) {
      return false;
    }
    if (ts.isParameter(declaration)) {
      // The exclusive callback's own parameters are the lock handle it is given (`lock.name`).
      return !(acquisition.form === 'callback' && declaration.parent === acquisition.callback);
    }
    const body = owner !== undefined && 'body' in owner ? (owner as ts.FunctionLikeDeclaration).body : undefined;
    return body === undefined || !contains(body, declaration);
  };
  for (const node of new Set(nodes)) {
    let key: string | undefined;
    let kind: Touch['kind'] = 'read';
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      if (isObjectOfAccess(node)) {
        continue;
      }
      const top = skipTransparentUp(node);
      const isCallee = ts.isCallExpression(top.parent) && top.parent.expression === top;
      const object = skipTransparentDown(node.expression);
      const target = isCallee && object.kind !== ts.SyntaxKind.ThisKeyword ? object : node;
      key = getStableReferenceKey(target);
      const root = getRoot(target);
      if (key === undefined || root === undefined || (ts.isIdentifier(root) && !isStateRoot(root))) {
        continue;
      }
      if (isCallee && target === node && ts.isPropertyAccessExpression(node) && isMethod(checker.getSymbolAtLocation(node.name))) {
        // `this.#getUrl(…)`: a method of the class computes; the fields it touches are not visible here.
        continue;
      }
      kind = isCallee ? 'call' : isAssignmentTarget(node) ? 'write' : 'read';
    } else if (ts.isIdentifier(node) && isPlainVariableUse(node) && isStateRoot(node) && isMutableOrModuleVariable(node, checker)) {
      key = node.text;
      kind = isAssignmentTarget(node) ? 'write' : 'read';
    }
    if (key === undefined || key === 'this' || key === lockKey || (lockKey !== undefined && key.startsWith(`${lockKey}.`))) {
      continue;
    }
    touches.push({ node, key, kind });
  }
  return touches;
}

/** `let count` anywhere, or any variable of the module: a `const` local of a function is a value, not state. */
function isMutableOrModuleVariable(identifier: ts.Identifier, checker: ts.TypeChecker): boolean {
  const declaration = checker.getSymbolAtLocation(identifier)?.valueDeclaration;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || !ts.isVariableDeclarationList(declaration.parent)) {
    return false;
  }
  const list = declaration.parent;
  return (list.flags & ts.NodeFlags.Const) === 0 || ts.isSourceFile(list.parent.parent);
}

function isMethod(symbol: ts.Symbol | undefined): boolean {
  return symbol !== undefined && (symbol.flags & ts.SymbolFlags.Method) !== 0;
}

function isObjectOfAccess(node: ts.Expression): boolean {
  const top = skipTransparentUp(node);
  const parent = top.parent;
  return (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === top;
}

/** An identifier read or written as a value, not the name of a property or of a declaration. */
function isPlainVariableUse(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  if ((ts.isPropertyAccessExpression(parent) && (parent.name === identifier || parent.expression === identifier)) || ts.isElementAccessExpression(parent)) {
    return false;
  }
  if (ts.isCallExpression(parent) && parent.expression === identifier) {
    return false;
  }
  return !(ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent) || ts.isPropertyAssignment(parent) || ts.isFunctionLike(parent));
}

function getRoot(expression: ts.Expression): ts.Expression | undefined {
  let node = skipTransparentDown(expression);
  while (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
    node = skipTransparentDown(node.expression);
  }
  return ts.isIdentifier(node) || node.kind === ts.SyntaxKind.ThisKeyword ? node : undefined;
}

/**
 * What an await waits for, as state keys: the objects whose methods it calls (`this.repo` for
 * `await this.repo.fetch(id)`; `this.load` for a method of the class itself). A plain function or a
 * promise variable names no state.
 */
function getAwaitTargets(awaitNode: ts.Node): string[] {
  const targets: string[] = [];
  forEachDirectCall(awaitNode, (call) => {
    const callee = skipTransparentDown(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) {
      return;
    }
    const object = skipTransparentDown(callee.expression);
    const key = getStableReferenceKey(object.kind === ts.SyntaxKind.ThisKeyword ? callee : object);
    if (key !== undefined && key !== 'this') {
      targets.push(key);
    }
  });
  return targets;
}

function keysOverlap(target: string, key: string): boolean {
  return key === target || key.startsWith(`${target}.`) || key.startsWith(`${target}[`) || target.startsWith(`${key}.`) || target.startsWith(`${key}[`);
}

function contains(container: ts.Node, node: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

/**
 * The same lock taken again inside its own section and waited for: directly, or by a function of
 * the same file (a method of the same class for a lock held in a field) that the section awaits.
 */
function findReentries(acquisition: LockAcquisition, calls: readonly ts.CallExpression[], context: LockContext): CriticalSection['reentries'] {
  const lockKey = acquisition.lockKey;
  if (lockKey === undefined) {
    return [];
  }
  const found: CriticalSection['reentries'] = [];
  for (const call of calls) {
    if (call === acquisition.call || !isWaitedFor(call, acquisition)) {
      continue;
    }
    const again = getLockAcquisition(call, context);
    if (again !== undefined) {
      if (again.lockKey === lockKey) {
        found.push({ call, via: undefined });
      }
      continue;
    }
    const helper = getLocalHelper(call, acquisition, context);
    if (helper?.body === undefined) {
      continue;
    }
    let inner: ts.CallExpression | undefined;
    forEachDirectCall(helper.body, (candidate) => {
      if (inner === undefined && getLockAcquisition(candidate, context)?.lockKey === lockKey) {
        inner = candidate;
      }
    });
    if (inner !== undefined) {
      found.push({ call: inner, via: call });
    }
  }
  return found;
}

/** Awaited, or returned from the exclusive callback (which the lock then waits for). */
function isWaitedFor(call: ts.CallExpression, acquisition: LockAcquisition): boolean {
  const top = skipTransparentUp(call);
  const parent = top.parent;
  if (ts.isAwaitExpression(parent)) {
    return true;
  }
  const callback = acquisition.callback;
  if (callback === undefined) {
    return false;
  }
  return (ts.isReturnStatement(parent) && getEnclosingFunction(parent) === callback) || (ts.isArrowFunction(parent) && parent === callback && parent.body === top);
}

/**
 * The declaration a call runs, when it is a function of the file the lock is taken in: `this.m()`
 * for a method of the enclosing class (a field's lock is the same object there), or a function
 * declared in the file (for a module-level lock).
 */
function getLocalHelper(call: ts.CallExpression, acquisition: LockAcquisition, context: LockContext): ts.FunctionLikeDeclaration | undefined {
  const declaration = context.checker.getResolvedSignature(call)?.getDeclaration();
  if (declaration === undefined || !ts.isFunctionLike(declaration) || !('body' in declaration) || declaration.getSourceFile() !== call.getSourceFile()) {
    return undefined;
  }
  const callee = skipTransparentDown(call.expression);
  const sameObject = ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword;
  const lockRoot = getRoot(acquisition.lock);
  if (lockRoot?.kind === ts.SyntaxKind.ThisKeyword) {
    return sameObject && ts.isMethodDeclaration(declaration) ? declaration : undefined;
  }
  return ts.isFunctionDeclaration(declaration) ? declaration : undefined;
}

/** Expression statements of an exclusive callback that start a promise nobody waits for. */
function findFloatingWork(acquisition: LockAcquisition, context: LockContext): ts.Expression[] {
  const callback = acquisition.callback;
  if (callback?.body === undefined || !ts.isBlock(callback.body)) {
    return [];
  }
  const floating: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionBoundary(node)) {
      return;
    }
    if (ts.isExpressionStatement(node)) {
      const expression = skipTransparentDown(node.expression);
      if ((ts.isCallExpression(expression) || ts.isNewExpression(expression)) && isThenable(context.checker.getTypeAtLocation(expression), expression, context.checker)) {
        floating.push(expression);
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(callback.body, visit);
  return floating;
}
