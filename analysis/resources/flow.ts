import ts from 'typescript';

import { isSameReference } from '../core/stable-reference.js';

import { type Completion, type FlowExit, type FlowInterpreter, type FlowJump, walkControlFlow } from '../core/control-flow.js';
import { isAssignmentOperator } from '../core/side-effects.js';
import { getWasmBindgenMethodFacts } from './convenience-disposables.js';
import { isInfallibleWrapper, isListedOwnDisposal } from './known-resources.js';
import { returnsThis, type ResourceKind } from './acquisition.js';
import type { ResourceAnalysisContext } from './context.js';
import { isDeclaredOnlyInDefaultLibrary } from '../core/standard-library.js';
import { getNonNullishConstituents, isAnyOrUnknown } from '../core/types.js';
import { isTransparentWrapper, skipTransparentDown } from '../core/transparent-syntax.js';

/**
 * What happens to one resource along every path of its scope: where it is acquired, released or
 * handed on, and in which state every exit leaves it. The paths come from the general control-flow
 * walker (core/control-flow.ts); this file is the resource semantics it is run with.
 *
 * `await`, `yield`, `throw` and calls that touch the value may throw; property reads and calls that
 * do not touch it are assumed not to, because treating them as throwing would make every resource
 * look leaked.
 */

/** The states a path can be in; a `FlowState` is a set of them (bits), one bit per possibility. */
export const FlowState = {
  /** Not acquired yet on this path (or the acquisition returned nothing). */
  Unacquired: 1,
  /** Held and not yet released. */
  Held: 2,
  Released: 4,
  /** Ownership moved elsewhere: returned, stored, handed over. */
  Escaped: 8,
  /** Held on a path that came through a caught exception. */
  HeldAfterThrow: 16,
  /** Held on a path that came through a `break`/`continue` out of a loop or block. */
  HeldAfterJump: 32,
  /** Acquired but holding nothing yet, until first read (`ResourceKind.opensOnFirstRead`). */
  Unopened: 64,
} as const;

export const heldStates = FlowState.Held | FlowState.HeldAfterThrow | FlowState.HeldAfterJump;

function mapHeld(state: number, to: number): number {
  return (state & heldStates) === 0 ? state : (state & ~heldStates) | to;
}

/** How a value left the analysed scope without being released there. */
export type { ExitKind, FlowExit } from '../core/control-flow.js';

/** How a value left the analysed scope without being released there. */
export type EscapeHow =
  | 'returned'
  | 'yielded'
  | 'thrown'
  | 'stored'
  | 'aliased'
  | 'transferred'
  | 'disposable-stack'
  | 'captured'
  | 'piped'
  | 'listening'
  | 'consumed'
  | 'exported';

export interface EscapeSite {
  node: ts.Node;
  how: EscapeHow;
}

/** A call that releases the value. */
export interface ReleaseSite {
  call: ts.CallExpression;
  /** The statement the release call is (part of). */
  statement: ts.Statement;
  /** `[Symbol.dispose]()`, or a method that does exactly what the type's disposal does. */
  isOwnDisposal: boolean;
  /** Awaited, or returns a promise: `using` must then be `await using`. */
  isAsync: boolean;
  /** The `try` whose `finally` block contains the release, when there is one in the same function. */
  finallyOf: ts.TryStatement | undefined;
}

/** The value to follow. */
export interface TrackedValue {
  symbol: ts.Symbol;
  /** The declaration or assignment that acquires it; `undefined` when held from the start (a parameter). */
  acquisitionNode: ts.Node | undefined;
  resource: ResourceKind;
  /** `mutex` for `mutex.acquire()`: `mutex.release()` then releases too. */
  ownerObject: ts.Expression | undefined;
  /** The lent value held instead when present (`this.runner` in `this.runner ?? create()`), see `ResourceAcquisition`. */
  fallbackOf?: ts.Expression | undefined;
}

export interface FlowResult {
  exits: FlowExit[];
  releases: ReleaseSite[];
  escapes: EscapeSite[];
  /** The acquisition ran again (a loop, or a reassignment) while the previous value was held. */
  reacquisitions: { node: ts.Node; state: number }[];
  /** Another assignment to the variable (`d = other`, `d &&= other`) while the value was held. */
  overwrites: ts.Node[];
  /** `break`/`continue` statements that left the loop or block with the value held. */
  heldJumps: ts.Node[];
  /** `try` statements whose `finally` releases the value. */
  releasingTries: ts.TryStatement[];
  /** Where exceptions came from that a `catch` caught while the value was held. */
  caughtHeldThrows: ts.Node[];
}

const exitEventNames = new Set(['exit', 'close', 'end', 'finish']);

/**
 * What a call does with the tracked value passed to it. Answering needs the callee's body walked
 * in turn (lifetime.ts does that, with a cache and a depth bound), so the walker takes it as a
 * policy instead of importing the analysis that uses it.
 */
export interface OwnershipPolicy {
  /** `argumentIndex` is `-1` when the value is inside an object or array literal passed to `call`. */
  ownershipTakenBy(call: ts.CallExpression | ts.NewExpression, argumentIndex: number): EscapeHow | undefined;
  /** Whether passing a value that opens on first read (a lazy cursor) may open it; yes unless told otherwise. */
  opensWhenPassed?(call: ts.CallExpression | ts.NewExpression, argumentIndex: number): boolean;
}

/** For questions that only need the value's references: no call takes it. */
export const callsOnlyBorrow: OwnershipPolicy = { ownershipTakenBy: () => undefined };

export class ResourceFlowWalker implements FlowInterpreter {
  readonly #context: ResourceAnalysisContext;
  readonly #tracked: TrackedValue;
  readonly #owner: ts.Node;
  readonly #ownership: OwnershipPolicy;
  readonly #referencePositions: Set<number>;
  readonly #releases = new Map<ts.Node, ReleaseSite>();
  readonly #escapes = new Map<ts.Node, EscapeSite>();
  readonly #reacquisitions = new Map<ts.Node, number>();
  readonly #overwrites = new Set<ts.Node>();
  readonly #heldJumps = new Set<ts.Node>();
  readonly #releasingTries = new Set<ts.TryStatement>();
  readonly #caughtHeldThrows = new Set<ts.Node>();

  constructor(context: ResourceAnalysisContext, tracked: TrackedValue, owner: ts.Node, ownership: OwnershipPolicy) {
    this.#context = context;
    this.#tracked = tracked;
    this.#owner = owner;
    this.#ownership = ownership;
    this.#referencePositions = new Set();
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && node.text === tracked.symbol.getName() && this.#resolvesToTracked(node)) {
        this.#referencePositions.add(node.getStart());
      }
      ts.forEachChild(node, visit);
    };
    visit(owner);
  }

  /** Walks `body` (the owner's body) starting in `initialState`. */
  run(body: ts.Node, initialState: number): FlowResult {
    return {
      exits: walkControlFlow(body, initialState, this),
      releases: [...this.#releases.values()],
      escapes: [...this.#escapes.values()],
      reacquisitions: [...this.#reacquisitions].map(([node, state]) => ({ node, state })),
      overwrites: [...this.#overwrites],
      heldJumps: [...this.#heldJumps],
      releasingTries: [...this.#releasingTries],
      caughtHeldThrows: [...this.#caughtHeldThrows],
    };
  }

  /** Whether `node` contains a reference to the tracked value (closures included). */
  references(node: ts.Node): boolean {
    for (const position of this.#referencePositions) {
      if (position >= node.pos && position < node.end) {
        return true;
      }
    }
    return false;
  }

  #resolvesToTracked(identifier: ts.Identifier): boolean {
    const checker = this.#context.checker;
    const parent = identifier.parent;
    if (ts.isShorthandPropertyAssignment(parent) && parent.name === identifier) {
      return checker.getShorthandAssignmentValueSymbol(parent) === this.#tracked.symbol;
    }
    if (
      (ts.isPropertyAccessExpression(parent) && parent.name === identifier) ||
      (ts.isPropertyAssignment(parent) && parent.name === identifier)
    ) {
      return false;
    }
    return checker.getSymbolAtLocation(identifier) === this.#tracked.symbol;
  }

  /** Whether `expression` (through parentheses and assertions) is the tracked value. */
  isTracked(expression: ts.Node): boolean {
    if (!ts.isExpression(expression)) {
      return false;
    }
    const inner = skipTransparentDown(expression);
    return ts.isIdentifier(inner) && this.#referencePositions.has(inner.getStart());
  }

  // ---- what the control-flow walker asks -------------------------------------------------

  touches(node: ts.Node): boolean {
    return this.references(node) || (this.#tracked.acquisitionNode !== undefined && containsNode(node, this.#tracked.acquisitionNode));
  }

  evaluated(node: ts.Node, state: number): number {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) {
      return this.#closure(node, state);
    }
    if (ts.isVariableDeclaration(node) || (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken)) {
      if (node === this.#tracked.acquisitionNode) {
        return this.#acquire(node, state);
      }
      return ts.isBinaryExpression(node) ? this.#assignment(node, state) : state;
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandEqualsToken) {
      // `d &&= other` assigns whenever `d` holds the resource; `||=` and `??=` never do then.
      return this.#assignment(node, state);
    }
    if (ts.isIdentifier(node)) {
      return this.#reference(node, state);
    }
    if (ts.isCallExpression(node)) {
      return this.#call(node, state);
    }
    if (ts.isExportDeclaration(node)) {
      return this.references(node) ? this.#escape(node, 'exported', state) : state;
    }
    return state;
  }

  /**
   * Places an exception is expected from: `await` and `yield` (I/O, a consumer that stops) and
   * calls that touch the value (`fh.stat()`, `parse(fh)`). Synchronous calls that do not touch it
   * (`performance.now()`, a local helper) are assumed not to throw: counting them would report
   * nearly every resource, and a rule people disable protects no one. Configuring the value through
   * its own fluent methods does not count either (see {@link #isFluentConfiguration}).
   */
  throws(node: ts.Node): boolean {
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      return true;
    }
    if (!(ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node)) || !this.references(node)) {
      return false;
    }
    return !(ts.isCallExpression(node) && (this.#isFluentConfiguration(node) || this.#isTotalStandardFunction(node) || this.#isInfallibleLibraryCall(node)));
  }

  /**
   * Library calls that cannot throw once they type-check: `readline.createInterface({ input })`, a
   * wrapper that checks only its options (known-resources.ts), and a wasm-bindgen method whose
   * generated JavaScript has no `throw` (`identity.isVerified()`: its Rust method returns a plain
   * value, not a `Result`; wasm-bindgen-glue.ts).
   */
  #isInfallibleLibraryCall(call: ts.CallExpression): boolean {
    const declaration = this.#context.checker.getResolvedSignature(call)?.getDeclaration();
    return (
      declaration !== undefined &&
      (isInfallibleWrapper(declaration, this.#context.program) || getWasmBindgenMethodFacts(declaration, this.#context.checker)?.throws === false)
    );
  }

  /**
   * `Boolean(x.prop)`, `Number.isInteger(x.size)`: standard functions defined for every argument,
   * which read no property and call no code of it, so they cannot throw.
   */
  #isTotalStandardFunction(call: ts.CallExpression): boolean {
    const callee = skipTransparentDown(call.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? `${callee.expression.text}.${callee.name.text}` : undefined;
    if (name === undefined || !TOTAL_STANDARD_FUNCTIONS.has(name)) {
      return false;
    }
    const symbol = this.#context.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
    return isDeclaredOnlyInDefaultLibrary(symbol, this.#context.program);
  }

  /** The state on the branch where `condition` is `whenTrue`; a nullish check on the value rules out holding it. */
  narrow(condition: ts.Expression, state: number, whenTrue: boolean): number {
    const presence = this.#presenceTest(condition);
    if (presence === undefined) {
      // `if (isStream(source)) upload(source)` with `source` holding a file stream: the other
      // branch is taken only when the variable holds some other value.
      const outcome = this.#typeTestOutcome(condition);
      return outcome !== undefined && outcome !== whenTrue ? mapHeld(state, FlowState.Unacquired) : state;
    }
    const present = presence === whenTrue;
    return present ? state : mapHeld(state, FlowState.Unacquired);
  }

  /**
   * What `condition` evaluates to whenever the variable holds the resource, when type tests decide
   * it: `true` for a type-predicate call on the value that every value of the resource's type
   * passes (`isStream(x)`), combined through `!`, `&&` and `||`; `undefined` when they do not.
   */
  #typeTestOutcome(condition: ts.Expression): boolean | undefined {
    const test = skipTransparentDown(condition);
    if (ts.isPrefixUnaryExpression(test) && test.operator === ts.SyntaxKind.ExclamationToken) {
      const operand = this.#typeTestOutcome(test.operand);
      return operand === undefined ? undefined : !operand;
    }
    if (ts.isBinaryExpression(test) && (test.operatorToken.kind === ts.SyntaxKind.BarBarToken || test.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)) {
      const decisive = test.operatorToken.kind === ts.SyntaxKind.BarBarToken;
      const left = this.#typeTestOutcome(test.left);
      const right = this.#typeTestOutcome(test.right);
      if (left === decisive || right === decisive) {
        return decisive;
      }
      return left === !decisive && right === !decisive ? !decisive : undefined;
    }
    return this.#resourcePassesTypeTest(test) ? true : undefined;
  }

  /** `test` is a type-predicate call on the value (`isStream(x)`) that every value of the resource's type passes. */
  #resourcePassesTypeTest(test: ts.Expression): boolean {
    if (!ts.isCallExpression(test)) {
      return false;
    }
    const checker = this.#context.checker;
    const signature = checker.getResolvedSignature(test);
    const predicate = signature === undefined ? undefined : checker.getTypePredicateOfSignature(signature);
    if (predicate?.kind !== ts.TypePredicateKind.Identifier) {
      return false;
    }
    const { parameterIndex, type: predicateType } = predicate;
    const argument = test.arguments[parameterIndex];
    const parts = getNonNullishConstituents(this.#tracked.resource.type);
    return (
      argument !== undefined &&
      this.isTracked(argument) &&
      parts !== undefined &&
      parts.length > 0 &&
      parts.every((part) => !isAnyOrUnknown(part) && checker.isTypeAssignableTo(part, predicateType))
    );
  }

  leaveByJump(jump: FlowJump): number {
    if ((jump.state & FlowState.Held) !== 0) {
      this.#heldJumps.add(jump.node);
    }
    return mapHeldOnly(jump.state, FlowState.Held, FlowState.HeldAfterJump);
  }

  enterCatch(thrown: FlowExit): number {
    if ((thrown.state & FlowState.Held) !== 0) {
      this.#caughtHeldThrows.add(thrown.node);
    }
    return mapHeldOnly(thrown.state, FlowState.Held, FlowState.HeldAfterThrow);
  }

  finallyRan(statement: ts.TryStatement, input: number, output: Completion): void {
    if ((input & FlowState.Held) !== 0 && output.normal !== 0 && (output.normal & heldStates) === 0) {
      this.#releasingTries.add(statement);
    }
  }

  // ---- resource semantics -----------------------------------------------------------------

  #acquire(node: ts.Node, state: number): number {
    if ((state & heldStates) !== 0) {
      this.#reacquisitions.set(node, (this.#reacquisitions.get(node) ?? 0) | state);
    }
    return this.#tracked.resource.opensOnFirstRead ? FlowState.Unopened : FlowState.Held;
  }

  /**
   * `cursor.limit(5)`, `cursor.toArray()`: configuring an unopened value through its fluent methods
   * or releasing it does not open it; any other use may read it, and from then on it is held.
   */
  #opens(identifier: ts.Identifier): boolean {
    const access = identifier.parent;
    if ((ts.isCallExpression(access) || ts.isNewExpression(access)) && access.arguments?.includes(identifier) === true) {
      // `filterSoftDeleted(cursor, …)`, whose body only calls `cursor.filter(…)`: still unopened.
      return this.#ownership.opensWhenPassed?.(access, access.arguments.indexOf(identifier)) ?? true;
    }
    const call = access.parent as ts.Node | undefined;
    const isMethodCall = ts.isPropertyAccessExpression(access) && access.expression === identifier && call !== undefined && ts.isCallExpression(call) && call.expression === access;
    if (!isMethodCall) {
      return true;
    }
    // `cursor.project<T>(fields)` is declared to return a `FindCursor<T>`, not `this`: a method
    // returning its own class configures it too.
    const { checker } = this.#context;
    const ownClass = checker.getTypeAtLocation(identifier).getSymbol();
    const returnsOwnClass = ownClass !== undefined && checker.getTypeAtLocation(call).getSymbol() === ownClass;
    return !(this.#returnsThis(call) || returnsOwnClass || this.#isRelease(call));
  }

  /**
   * `d = other` while `d` holds the resource: nothing refers to it any more, so it can no longer be
   * released. Only the plain held state counts: after a release that threw (`HeldAfterThrow`),
   * clearing the variable is the usual clean-up, not a leak.
   */
  #assignment(node: ts.BinaryExpression, state: number): number {
    if (!this.isTracked(node.left) || (state & FlowState.Held) === 0) {
      return state;
    }
    const value = skipTransparentDown(node.right);
    if (ts.isAwaitExpression(value)) {
      const awaited = skipTransparentDown(value.expression);
      if (!ts.isCallExpression(awaited) && !ts.isNewExpression(awaited)) {
        // `socket = await connected`, where `connected` resolves with `socket` itself: a promise
        // made earlier may hand back the very value, so the variable is taken to hold it still.
        return state;
      }
    }
    this.#overwrites.add(node);
    return mapHeld(state, FlowState.Escaped);
  }

  #closure(node: ts.Node, state: number): number {
    if (!this.references(node)) {
      return state;
    }
    // A closure that only uses the value while the call it is passed to runs borrows it; one that
    // is stored or returned may run after this scope ends, so ownership goes with it.
    const position = skipTransparentUpFrom(node);
    const parent = position.parent;
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(position as ts.Expression) === true) {
      return state;
    }
    if (ts.isCallExpression(parent) && parent.expression === position) {
      return state;
    }
    if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) {
      return state;
    }
    return this.#escape(node, 'captured', state);
  }

  #escape(node: ts.Node, how: EscapeHow, state: number): number {
    if ((state & heldStates) === 0) {
      return state;
    }
    if (!this.#escapes.has(node)) {
      this.#escapes.set(node, { node, how });
    }
    return mapHeld(state, FlowState.Escaped);
  }

  #reference(identifier: ts.Identifier, state: number): number {
    if (!this.#referencePositions.has(identifier.getStart())) {
      return state;
    }
    if ((state & FlowState.Unopened) !== 0 && this.#opens(identifier)) {
      state = (state & ~FlowState.Unopened) | FlowState.Held;
    }
    let position: ts.Node = identifier;
    for (;;) {
      const parent: ts.Node = position.parent;
      if (
        isTransparentWrapper(parent) ||
        ts.isAwaitExpression(parent) ||
        (ts.isConditionalExpression(parent) && parent.condition !== position) ||
        (ts.isBinaryExpression(parent) &&
          (parent.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
            parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
            (parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && parent.right === position) ||
            (parent.operatorToken.kind === ts.SyntaxKind.CommaToken && parent.right === position)))
      ) {
        position = parent;
        continue;
      }
      if (this.#isChainedSelfCall(position, parent)) {
        position = parent.parent;
        continue;
      }
      break;
    }
    const parent = position.parent;
    if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === position)) {
      return this.#escape(position, 'returned', state);
    }
    if (ts.isYieldExpression(parent)) {
      return this.#escape(position, 'yielded', state);
    }
    if (ts.isThrowStatement(parent)) {
      return this.#escape(position, 'thrown', state);
    }
    if (ts.isVariableDeclaration(parent) && parent.initializer === position) {
      return ts.isIdentifier(parent.name) ? this.#escape(position, 'aliased', state) : state;
    }
    if (ts.isBinaryExpression(parent) && isAssignmentOperator(parent.operatorToken.kind) && parent.right === position) {
      const target = parent.left;
      if (ts.isIdentifier(target)) {
        const declaration = this.#context.checker.getSymbolAtLocation(target)?.valueDeclaration;
        const local = declaration !== undefined && containsNode(this.#owner, declaration);
        return this.#escape(position, local ? 'aliased' : 'stored', state);
      }
      return this.#escape(position, 'stored', state);
    }
    if (ts.isExportAssignment(parent) || ts.isExportSpecifier(parent)) {
      return this.#escape(position, 'exported', state);
    }
    if (ts.isForOfStatement(parent) && parent.expression === position && this.isTracked(position)) {
      // `for await (const chunk of stream)` destroys the stream when the loop ends, however it ends.
      return this.#escape(position, 'consumed', state);
    }
    if (ts.isSpreadElement(parent) || ts.isSpreadAssignment(parent)) {
      // `{ ...handle }`, `[...handle]`, `f(...handle)` copy its properties or iterate it: the
      // copy holds nothing to release, and the value itself stays here.
      return state;
    }
    if (ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent) || ts.isArrayLiteralExpression(parent)) {
      return this.#literalElement(position, state);
    }
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(position as ts.Expression) === true) {
      if (this.#isRelease(parent)) {
        return state;
      }
      const callee = skipTransparentDown(parent.expression);
      if (ts.isPropertyAccessExpression(callee) && collectionStoreMethods.has(callee.name.text)) {
        return this.#escape(position, 'stored', state);
      }
      if (isRacedAway(parent)) {
        return state;
      }
      const how = this.#ownership.ownershipTakenBy(parent, parent.arguments.indexOf(position as ts.Expression));
      return how === undefined ? state : this.#escape(position, how, state);
    }
    return state;
  }

  /** `{ session }`, `[fh]`: stored in an object, unless the object is only an argument of a call. */
  /**
   * `socket.setTimeout(0)`, `stream.once('error', …)`: a method of the value that returns the value
   * itself (declared to return `this`), so the chain still is the value.
   */
  #isChainedSelfCall(position: ts.Node, parent: ts.Node): boolean {
    if (!ts.isPropertyAccessExpression(parent) || parent.expression !== position) {
      return false;
    }
    const call = parent.parent;
    return ts.isCallExpression(call) && call.expression === parent && this.#returnsThis(call);
  }

  /** The tracked value itself, or a chain of its own methods that return it: `cursor.limit(1)` in `cursor.limit(1).toArray()`. */
  #isSelf(expression: ts.Expression): boolean {
    const value = skipTransparentDown(expression);
    if (this.isTracked(value)) {
      return true;
    }
    if (!ts.isCallExpression(value)) {
      return false;
    }
    const callee = skipTransparentDown(value.expression);
    return ts.isPropertyAccessExpression(callee) && this.#returnsThis(value) && this.#isSelf(callee.expression);
  }

  #returnsThis(call: ts.CallExpression): boolean {
    const declaration = this.#context.checker.getResolvedSignature(call)?.getDeclaration();
    return declaration !== undefined && ts.isFunctionLike(declaration) && returnsThis(declaration);
  }

  /**
   * Configuring the value through its own fluent methods (`socket.setNoDelay(true)`,
   * `cursor.on('change', …)`) is not treated as a place that throws: those calls validate their
   * arguments at most, and treating them as throwing buries the real leaks.
   */
  #isFluentConfiguration(call: ts.CallExpression): boolean {
    let top: ts.Node = call;
    while (ts.isParenthesizedExpression(top.parent)) {
      top = top.parent;
    }
    if (ts.isAwaitExpression(top.parent)) {
      return false;
    }
    const callee = skipTransparentDown(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || !this.#returnsThis(call)) {
      return false;
    }
    const receiver = skipTransparentDown(callee.expression);
    return this.isTracked(receiver) || (ts.isCallExpression(receiver) && this.#isFluentConfiguration(receiver));
  }

  #literalElement(position: ts.Node, state: number): number {
    let literal: ts.Node = position.parent;
    while (
      ts.isPropertyAssignment(literal) ||
      ts.isShorthandPropertyAssignment(literal) ||
      ts.isSpreadAssignment(literal) ||
      ts.isSpreadElement(literal) ||
      ts.isObjectLiteralExpression(literal) ||
      ts.isArrayLiteralExpression(literal) ||
      ts.isParenthesizedExpression(literal)
    ) {
      const parent: ts.Node = literal.parent;
      if (
        (ts.isObjectLiteralExpression(literal) || ts.isArrayLiteralExpression(literal)) &&
        (ts.isCallExpression(parent) || ts.isNewExpression(parent)) &&
        parent.arguments?.includes(literal) === true
      ) {
        // `Promise.all([a.read(), b.read()])`, `query(sql, { session })`: the callee decides.
        const how = this.#ownership.ownershipTakenBy(parent, -1);
        return how === undefined ? state : this.#escape(position, how, state);
      }
      literal = parent;
    }
    return this.#escape(position, 'stored', state);
  }

  /** A call, its callee and arguments evaluated: a release, or a hand-over through `pipe`/`listen`. */
  #call(call: ts.CallExpression, state: number): number {
    if (this.#isRelease(call)) {
      return this.#release(call, state);
    }
    const method = this.#methodCalledOnTracked(call);
    if (method === 'pipe') {
      return this.#escape(call, 'piped', state);
    }
    if (method === 'listen') {
      return this.#escape(call, 'listening', state);
    }
    return state;
  }

  #methodCalledOnTracked(call: ts.CallExpression): string | undefined {
    const callee = skipTransparentDown(call.expression);
    if (ts.isPropertyAccessExpression(callee) && this.isTracked(callee.expression)) {
      return callee.name.text;
    }
    return undefined;
  }

  /** Whether `call` releases the tracked value (see {@link ReleaseForm}). */
  #isRelease(call: ts.CallExpression | ts.NewExpression): boolean {
    if (!ts.isCallExpression(call)) {
      return false;
    }
    return this.getReleaseKind(call) !== undefined;
  }

  /** `own` for `[Symbol.dispose]()` and equivalents, `other` for other releases, `undefined` if not a release. */
  getReleaseKind(call: ts.CallExpression): 'own' | 'other' | undefined {
    const forms = this.#tracked.resource.releaseForms;
    const callee = skipTransparentDown(call.expression);
    const firstArgument = call.arguments[0];
    if (ts.isElementAccessExpression(callee) && this.isTracked(callee.expression)) {
      return isDisposeSymbol(callee.argumentExpression, this.#context.checker) ? 'own' : undefined;
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (this.#isSelf(callee.expression)) {
        if (forms.some((form) => form.kind === 'method' && form.name === name)) {
          return this.#isOwnDisposalMethod(name, call) ? 'own' : 'other';
        }
        if (
          (name === 'on' || name === 'once' || name === 'addListener') &&
          forms.some((form) => form.kind === 'exit-event') &&
          firstArgument !== undefined &&
          ts.isStringLiteralLike(firstArgument) &&
          exitEventNames.has(firstArgument.text)
        ) {
          return 'other';
        }
        return undefined;
      }
      const ownerObject = this.#tracked.ownerObject;
      if (
        ownerObject !== undefined &&
        forms.some((form) => form.kind === 'owner-method' && form.name === name) &&
        skipTransparentDown(callee.expression).getText() === skipTransparentDown(ownerObject).getText()
      ) {
        return 'other';
      }
    }
    if (this.isTracked(callee) && forms.some((form) => form.kind === 'call-resource')) {
      return 'other';
    }
    const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (calleeName !== undefined && firstArgument !== undefined && this.isTracked(firstArgument)) {
      if (forms.some((form) => form.kind === 'function' && form.name === calleeName)) {
        return 'other';
      }
      const secondArgument = call.arguments[1];
      if (
        forms.some((form) => form.kind === 'exit-event') &&
        (calleeName === 'finished' ||
          (calleeName === 'once' && secondArgument !== undefined && ts.isStringLiteralLike(secondArgument) && exitEventNames.has(secondArgument.text)))
      ) {
        return 'other';
      }
    }
    return undefined;
  }

  #isOwnDisposalMethod(name: string, call: ts.CallExpression): boolean {
    const resource = this.#tracked.resource;
    if (resource.disposal === undefined) {
      return false;
    }
    if (resource.ownDisposalMethods.includes(name)) {
      return true;
    }
    // `ChildProcess#kill(signal)` with a signal is not what `[Symbol.dispose]` (SIGTERM) does.
    if (name === 'kill' && call.arguments.length > 0) {
      return false;
    }
    return ownDisposalListed(this.#context, call, name);
  }

  #release(call: ts.CallExpression, state: number): number {
    if (!this.#releases.has(call)) {
      this.#releases.set(call, {
        call,
        statement: getEnclosingStatement(call),
        isOwnDisposal: this.getReleaseKind(call) === 'own',
        isAsync: isAwaitedOrThenable(call, this.#context.checker),
        finallyOf: getEnclosingFinally(call, this.#owner),
      });
    }
    return mapHeld(state, FlowState.Released);
  }

  /** `true` when `condition` is true exactly if the value is present (`fh`, `fh != null`), `false` for the inverse. */
  #presenceTest(condition: ts.Expression): boolean | undefined {
    const inner = skipTransparentDown(condition);
    if (this.isTracked(inner)) {
      return true;
    }
    if (this.#isLentAlternative(inner)) {
      // `if (!this.queryRunner) await queryRunner.release()`: when the lent value is present, the
      // variable holds it, not what this scope acquired.
      return false;
    }
    if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
      const operand = this.#presenceTest(inner.operand);
      return operand === undefined ? undefined : !operand;
    }
    if (ts.isBinaryExpression(inner)) {
      const operator = inner.operatorToken.kind;
      const negated =
        operator === ts.SyntaxKind.ExclamationEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsEqualsToken;
      const equal = operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsEqualsToken;
      if (!negated && !equal) {
        return undefined;
      }
      const isNullishLiteral = (node: ts.Expression): boolean => {
        const value = skipTransparentDown(node);
        return value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === 'undefined');
      };
      if ((this.isTracked(inner.left) && isNullishLiteral(inner.right)) || (this.isTracked(inner.right) && isNullishLiteral(inner.left))) {
        return negated;
      }
      if ((this.#isLentAlternative(inner.left) && isNullishLiteral(inner.right)) || (this.#isLentAlternative(inner.right) && isNullishLiteral(inner.left))) {
        return equal;
      }
      // `if (queryRunner !== this.queryRunner) await queryRunner.release()` after
      // `obtainQueryRunner() { return this.queryRunner || create(); }`: when the value is the one a
      // property holds, it was borrowed from that property's owner, and is not this scope's to release.
      if ((this.isTracked(inner.left) && isPropertyReference(inner.right)) || (this.isTracked(inner.right) && isPropertyReference(inner.left))) {
        return negated;
      }
    }
    return undefined;
  }

  #isLentAlternative(expression: ts.Expression): boolean {
    const lent = this.#tracked.fallbackOf;
    return lent !== undefined && isSameReference(expression, lent, this.#context.checker);
  }
}

/** `this.queryRunner`, `pool.current`: a value some object holds, which that object owns. */
function isPropertyReference(node: ts.Expression): boolean {
  const value = skipTransparentDown(node);
  return ts.isPropertyAccessExpression(value) && (value.expression.kind === ts.SyntaxKind.ThisKeyword || ts.isIdentifier(value.expression));
}

/**
 * `Promise.race([exited(child), timeout])`: the race settles without waiting for the losers, so a
 * callee that releases only when it finishes cannot be trusted to have released anything.
 */
function isRacedAway(call: ts.CallExpression | ts.NewExpression): boolean {
  let node: ts.Node = call;
  while (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent)) {
    node = node.parent;
  }
  const list = node.parent;
  const racer = list.parent as ts.Node | undefined;
  return (
    ts.isArrayLiteralExpression(list) &&
    racer !== undefined &&
    ts.isCallExpression(racer) &&
    ts.isPropertyAccessExpression(racer.expression) &&
    ts.isIdentifier(racer.expression.expression) &&
    racer.expression.expression.text === 'Promise' &&
    (racer.expression.name.text === 'race' || racer.expression.name.text === 'any')
  );
}

/** `Symbol.dispose`, `Symbol.asyncDispose`, or a `const` holding one (`const dispose = Symbol.dispose`). */
function isDisposeSymbol(key: ts.Expression, checker: ts.TypeChecker): boolean {
  const inner = skipTransparentDown(key);
  if (ts.isPropertyAccessExpression(inner)) {
    return ts.isIdentifier(inner.expression) && inner.expression.text === 'Symbol' && (inner.name.text === 'dispose' || inner.name.text === 'asyncDispose');
  }
  if (!ts.isIdentifier(inner)) {
    return false;
  }
  const declaration = checker.getSymbolAtLocation(inner)?.valueDeclaration;
  return (
    declaration !== undefined &&
    ts.isVariableDeclaration(declaration) &&
    ts.isVariableDeclarationList(declaration.parent) &&
    (declaration.parent.flags & ts.NodeFlags.Const) !== 0 &&
    declaration.initializer !== undefined &&
    ts.isPropertyAccessExpression(skipTransparentDown(declaration.initializer)) &&
    isDisposeSymbol(declaration.initializer, checker)
  );
}

const TOTAL_STANDARD_FUNCTIONS = new Set(['Boolean', 'Object.is', 'Number.isNaN', 'Number.isFinite', 'Number.isInteger', 'Number.isSafeInteger']);

/** Methods that put their argument into a collection: `sessions.add(session)`, `queue.push(conn)`. */
const collectionStoreMethods = new Set(['push', 'unshift', 'add', 'set', 'splice']);

function mapHeldOnly(state: number, from: number, to: number): number {
  return (state & from) === 0 ? state : (state & ~from) | to;
}

function containsNode(container: ts.Node, node: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}

function skipTransparentUpFrom(node: ts.Node): ts.Node {
  let current = node;
  while (ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent) || ts.isSatisfiesExpression(current.parent)) {
    current = current.parent;
  }
  return current;
}

/** The statement `node` is part of: `await fh.close();` for the call `fh.close()`. */
export function getEnclosingStatement(node: ts.Node): ts.Statement {
  let current: ts.Node = node;
  while (!ts.isStatement(current) && (current.parent as ts.Node | undefined) !== undefined) {
    current = current.parent;
  }
  return current as ts.Statement;
}

function getEnclosingFinally(node: ts.Node, owner: ts.Node): ts.TryStatement | undefined {
  for (let current: ts.Node = node; current !== owner && (current.parent as ts.Node | undefined) !== undefined; current = current.parent) {
    if (ts.isFunctionLike(current) && current !== node) {
      return undefined;
    }
    const parent = current.parent;
    if (ts.isTryStatement(parent) && parent.finallyBlock === current) {
      return parent;
    }
  }
  return undefined;
}

function isAwaitedOrThenable(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  let top: ts.Node = call;
  while (ts.isParenthesizedExpression(top.parent)) {
    top = top.parent;
  }
  if (ts.isAwaitExpression(top.parent)) {
    return true;
  }
  const type = checker.getTypeAtLocation(call);
  return checker.getAwaitedType(type) !== type && (type.getProperty('then') !== undefined);
}

function ownDisposalListed(context: ResourceAnalysisContext, call: ts.CallExpression, name: string): boolean {
  const declaration = context.checker.getResolvedSignature(call)?.getDeclaration();
  const owner = declaration?.parent;
  if (owner === undefined || !(ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner))) {
    return false;
  }
  return isListedOwnDisposal(owner, name, context.program);
}
