import ts from 'typescript';

import { isAssignmentOperator } from '../core/side-effects.js';
import { isListedOwnDisposal } from './known-resources.js';
import { returnsThis, type ResourceKind } from './acquisition.js';
import type { ResourceAnalysisContext } from './context.js';
import { skipTransparentDown } from '../core/transparent-syntax.js';

/**
 * A walk over JavaScript's structured control flow (blocks, `if`, `switch`, loops, labels,
 * `break`/`continue`/`return`/`throw`, `try`/`catch`/`finally`) that follows one value: where
 * it is acquired, released or handed on, and in which state every exit of its scope leaves it.
 *
 * It works on the TypeScript AST alone, so the rule (through typescript-eslint's node maps) and
 * the codemod (through ts-morph's compiler nodes) get the same answers. Every call, `new`,
 * `await`, `yield` and `throw` may throw; property reads are assumed not to, because treating
 * them as throwing would make every resource look leaked.
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
} as const;

export const heldStates = FlowState.Held | FlowState.HeldAfterThrow | FlowState.HeldAfterJump;

function mapHeld(state: number, to: number): number {
  return (state & heldStates) === 0 ? state : (state & ~heldStates) | to;
}

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

export type ExitKind = 'end' | 'return' | 'throw';

/** A way out of the analysed function and the states paths reach it in. */
export interface FlowExit {
  kind: ExitKind;
  /** The `return`, the expression that threw, or the body for the end. */
  node: ts.Node;
  state: number;
}

/** The value to follow. */
export interface TrackedValue {
  symbol: ts.Symbol;
  /** The declaration or assignment that acquires it; `undefined` when held from the start (a parameter). */
  acquisitionNode: ts.Node | undefined;
  resource: ResourceKind;
  /** `mutex` for `mutex.acquire()`: `mutex.release()` then releases too. */
  ownerObject: ts.Expression | undefined;
}

export interface FlowResult {
  exits: FlowExit[];
  releases: ReleaseSite[];
  escapes: EscapeSite[];
  /** The acquisition ran again (a loop, or a reassignment) while the previous value was held. */
  reacquisitions: { node: ts.Node; state: number }[];
  /** `break`/`continue` statements that left the loop or block with the value held. */
  heldJumps: ts.Node[];
  /** `try` statements whose `finally` releases the value. */
  releasingTries: ts.TryStatement[];
  /** Where exceptions came from that a `catch` caught while the value was held. */
  caughtHeldThrows: ts.Node[];
}

interface Jump {
  kind: 'break' | 'continue';
  label: string | undefined;
  node: ts.Node;
  state: number;
}

interface Completion {
  normal: number;
  jumps: Jump[];
  returns: FlowExit[];
  throws: FlowExit[];
}

function emptyCompletion(normal: number): Completion {
  return { normal, jumps: [], returns: [], throws: [] };
}

function mergeAbrupt(into: Completion, from: Completion): void {
  into.jumps.push(...from.jumps);
  into.returns.push(...from.returns);
  into.throws.push(...from.throws);
}

const exitEventNames = new Set(['exit', 'close', 'end', 'finish']);

/** Decides what one call does to the tracked value; shared with the ownership question. */
export type OwnershipQuestion = (call: ts.CallExpression | ts.NewExpression, argumentIndex: number) => EscapeHow | undefined;

export class ResourceFlowWalker {
  readonly #context: ResourceAnalysisContext;
  readonly #tracked: TrackedValue;
  readonly #owner: ts.Node;
  readonly #takesOwnership: OwnershipQuestion;
  readonly #referencePositions: Set<number>;
  readonly #releases = new Map<ts.Node, ReleaseSite>();
  readonly #escapes = new Map<ts.Node, EscapeSite>();
  readonly #reacquisitions = new Map<ts.Node, number>();
  readonly #heldJumps = new Set<ts.Node>();
  readonly #releasingTries = new Set<ts.TryStatement>();
  readonly #caughtHeldThrows = new Set<ts.Node>();
  readonly #finallyCache = new Map<ts.Block, Map<number, Completion>>();

  constructor(
    context: ResourceAnalysisContext,
    tracked: TrackedValue,
    owner: ts.Node,
    takesOwnership: OwnershipQuestion,
  ) {
    this.#context = context;
    this.#tracked = tracked;
    this.#owner = owner;
    this.#takesOwnership = takesOwnership;
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
    const completion = ts.isBlock(body) || ts.isSourceFile(body)
      ? this.#statements(ts.isBlock(body) ? body.statements : body.statements, initialState)
      : this.#expressionBody(body as ts.Expression, initialState);
    const exits: FlowExit[] = [...mergeExits(completion.returns), ...mergeExits(completion.throws)];
    const stray = completion.jumps.reduce((state, jump) => state | jump.state, 0);
    if ((completion.normal | stray) !== 0) {
      exits.push({ kind: 'end', node: body, state: completion.normal | stray });
    }
    return {
      exits,
      releases: [...this.#releases.values()],
      escapes: [...this.#escapes.values()],
      reacquisitions: [...this.#reacquisitions].map(([node, state]) => ({ node, state })),
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

  // ---- statements -------------------------------------------------------------------------

  #statements(statements: readonly ts.Statement[], state: number): Completion {
    const result = emptyCompletion(state);
    for (const statement of statements) {
      if (result.normal === 0) {
        break;
      }
      const completion = this.#statement(statement, result.normal);
      mergeAbrupt(result, completion);
      result.normal = completion.normal;
    }
    return result;
  }

  #statement(statement: ts.Statement, state: number): Completion {
    if (state === 0) {
      return emptyCompletion(0);
    }
    if (ts.isBlock(statement)) {
      return this.#statements(statement.statements, state);
    }
    if (ts.isVariableStatement(statement)) {
      const completion = emptyCompletion(state);
      for (const declaration of statement.declarationList.declarations) {
        completion.normal = this.#variableDeclaration(declaration, completion.normal, completion);
      }
      return completion;
    }
    if (ts.isExpressionStatement(statement)) {
      const completion = emptyCompletion(state);
      completion.normal = this.#expression(statement.expression, state, completion);
      return completion;
    }
    if (ts.isIfStatement(statement)) {
      const completion = emptyCompletion(0);
      const afterCondition = this.#expression(statement.expression, state, completion);
      const thenCompletion = this.#statement(statement.thenStatement, this.#narrow(statement.expression, afterCondition, true));
      const elseState = this.#narrow(statement.expression, afterCondition, false);
      const elseCompletion =
        statement.elseStatement === undefined ? emptyCompletion(elseState) : this.#statement(statement.elseStatement, elseState);
      mergeAbrupt(completion, thenCompletion);
      mergeAbrupt(completion, elseCompletion);
      completion.normal = thenCompletion.normal | elseCompletion.normal;
      return completion;
    }
    if (ts.isReturnStatement(statement)) {
      const completion = emptyCompletion(0);
      const after = statement.expression === undefined ? state : this.#expression(statement.expression, state, completion);
      completion.returns.push({ kind: 'return', node: statement, state: after });
      return completion;
    }
    if (ts.isThrowStatement(statement)) {
      const completion = emptyCompletion(0);
      const after = this.#expression(statement.expression, state, completion);
      completion.throws.push({ kind: 'throw', node: statement, state: after });
      return completion;
    }
    if (ts.isTryStatement(statement)) {
      return this.#try(statement, state);
    }
    if (ts.isBreakStatement(statement) || ts.isContinueStatement(statement)) {
      const completion = emptyCompletion(0);
      completion.jumps.push({
        kind: ts.isBreakStatement(statement) ? 'break' : 'continue',
        label: statement.label?.text,
        node: statement,
        state,
      });
      return completion;
    }
    if (ts.isLabeledStatement(statement)) {
      return this.#labeled(statement, state, []);
    }
    if (ts.isIterationStatement(statement, false)) {
      return this.#loop(statement, state, []);
    }
    if (ts.isSwitchStatement(statement)) {
      return this.#switch(statement, state);
    }
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
      const completion = emptyCompletion(state);
      completion.normal = this.#closure(statement, state);
      return completion;
    }
    if (ts.isExportAssignment(statement)) {
      const completion = emptyCompletion(state);
      completion.normal = this.#expression(statement.expression, state, completion);
      return completion;
    }
    if (ts.isExportDeclaration(statement)) {
      const completion = emptyCompletion(state);
      if (this.references(statement)) {
        completion.normal = this.#escape(statement, 'exported', state);
      }
      return completion;
    }
    // Declarations without run-time effect (types, imports, empty statements, `debugger`).
    return emptyCompletion(state);
  }

  #variableDeclaration(declaration: ts.VariableDeclaration, state: number, completion: Completion): number {
    let after = declaration.initializer === undefined ? state : this.#expression(declaration.initializer, state, completion);
    if (declaration === this.#tracked.acquisitionNode) {
      after = this.#acquire(declaration, after);
    }
    return after;
  }

  #acquire(node: ts.Node, state: number): number {
    if ((state & heldStates) !== 0) {
      this.#reacquisitions.set(node, (this.#reacquisitions.get(node) ?? 0) | state);
    }
    return FlowState.Held;
  }

  #labeled(statement: ts.LabeledStatement, state: number, outerLabels: string[]): Completion {
    const labels = [...outerLabels, statement.label.text];
    const inner = statement.statement;
    if (ts.isLabeledStatement(inner)) {
      return this.#labeled(inner, state, labels);
    }
    if (ts.isIterationStatement(inner, false)) {
      return this.#loop(inner, state, labels);
    }
    const completion = this.#statement(inner, state);
    const remaining: Jump[] = [];
    for (const jump of completion.jumps) {
      if (jump.kind === 'break' && jump.label !== undefined && labels.includes(jump.label)) {
        completion.normal |= this.#leaveByJump(jump);
      } else {
        remaining.push(jump);
      }
    }
    completion.jumps = remaining;
    return completion;
  }

  #leaveByJump(jump: Jump): number {
    if ((jump.state & FlowState.Held) !== 0) {
      this.#heldJumps.add(jump.node);
    }
    return mapHeldOnly(jump.state, FlowState.Held, FlowState.HeldAfterJump);
  }

  #loop(statement: ts.IterationStatement, state: number, labels: string[]): Completion {
    const completion = emptyCompletion(0);
    let head = state;
    if (ts.isForStatement(statement) && statement.initializer !== undefined) {
      head = ts.isVariableDeclarationList(statement.initializer)
        ? statement.initializer.declarations.reduce((current, declaration) => this.#variableDeclaration(declaration, current, completion), head)
        : this.#expression(statement.initializer, head, completion);
    }
    if (ts.isForOfStatement(statement) || ts.isForInStatement(statement)) {
      head = this.#expression(statement.expression, head, completion);
      if (ts.isForOfStatement(statement) && this.isTracked(statement.expression)) {
        // `for await (const chunk of stream)` destroys the stream when the loop ends, however it ends.
        head = this.#escape(statement.expression, 'consumed', head);
      }
    }
    const condition = ts.isForStatement(statement)
      ? statement.condition
      : ts.isWhileStatement(statement) || ts.isDoStatement(statement)
        ? statement.expression
        : undefined;
    const conditionTrue = condition === undefined
      ? ts.isForStatement(statement)
      : condition.kind === ts.SyntaxKind.TrueKeyword;
    let exitState = 0;
    let breakState = 0;
    const consumes = (jump: Jump): boolean => jump.label === undefined || labels.includes(jump.label);
    for (let iteration = 0; iteration < 8; iteration += 1) {
      let bodyIn = head;
      const iterationCompletion = emptyCompletion(0);
      if (!ts.isDoStatement(statement) && condition !== undefined) {
        const afterCondition = this.#expression(condition, head, iterationCompletion);
        if (!conditionTrue) {
          exitState |= this.#narrow(condition, afterCondition, false);
        }
        bodyIn = this.#narrow(condition, afterCondition, true);
      } else if (!ts.isDoStatement(statement) && !conditionTrue) {
        exitState |= head;
      }
      const body = this.#statement(statement.statement, bodyIn);
      let next = body.normal;
      for (const jump of body.jumps) {
        if (consumes(jump)) {
          if (jump.kind === 'continue') {
            next |= this.#leaveByJump(jump);
          } else {
            breakState |= this.#leaveByJump(jump);
          }
        } else {
          iterationCompletion.jumps.push(jump);
        }
      }
      iterationCompletion.returns.push(...body.returns);
      iterationCompletion.throws.push(...body.throws);
      if (ts.isForStatement(statement) && statement.incrementor !== undefined && next !== 0) {
        next = this.#expression(statement.incrementor, next, iterationCompletion);
      }
      if (ts.isDoStatement(statement) && next !== 0) {
        const afterCondition = this.#expression(statement.expression, next, iterationCompletion);
        if (statement.expression.kind !== ts.SyntaxKind.TrueKeyword) {
          exitState |= this.#narrow(statement.expression, afterCondition, false);
        }
        next = this.#narrow(statement.expression, afterCondition, true);
      }
      mergeAbrupt(completion, iterationCompletion);
      const newHead = head | next;
      if (newHead === head && iteration > 0) {
        break;
      }
      head = newHead;
    }
    completion.normal = exitState | breakState;
    completion.jumps = dedupeJumps(completion.jumps);
    completion.returns = mergeExits(completion.returns);
    completion.throws = mergeExits(completion.throws);
    return completion;
  }

  #switch(statement: ts.SwitchStatement, state: number): Completion {
    const completion = emptyCompletion(0);
    const afterDiscriminant = this.#expression(statement.expression, state, completion);
    let fallthrough = 0;
    let hasDefault = false;
    let breakState = 0;
    for (const clause of statement.caseBlock.clauses) {
      let entry = afterDiscriminant | fallthrough;
      if (ts.isCaseClause(clause)) {
        entry = this.#expression(clause.expression, entry, completion);
      } else {
        hasDefault = true;
      }
      const clauseCompletion = this.#statements(clause.statements, entry);
      for (const jump of clauseCompletion.jumps) {
        if (jump.kind === 'break' && jump.label === undefined) {
          breakState |= jump.state;
        } else {
          completion.jumps.push(jump);
        }
      }
      completion.returns.push(...clauseCompletion.returns);
      completion.throws.push(...clauseCompletion.throws);
      fallthrough = clauseCompletion.normal;
    }
    completion.normal = fallthrough | breakState | (hasDefault ? 0 : afterDiscriminant);
    return completion;
  }

  #try(statement: ts.TryStatement, state: number): Completion {
    const tryCompletion = this.#statement(statement.tryBlock, state);
    let combined: Completion;
    if (statement.catchClause === undefined) {
      combined = tryCompletion;
    } else {
      let caught = 0;
      for (const exit of tryCompletion.throws) {
        if ((exit.state & FlowState.Held) !== 0) {
          this.#caughtHeldThrows.add(exit.node);
        }
        caught |= mapHeldOnly(exit.state, FlowState.Held, FlowState.HeldAfterThrow);
      }
      const catchCompletion = caught === 0 ? emptyCompletion(0) : this.#statement(statement.catchClause.block, caught);
      combined = {
        normal: tryCompletion.normal | catchCompletion.normal,
        jumps: [...tryCompletion.jumps, ...catchCompletion.jumps],
        returns: [...tryCompletion.returns, ...catchCompletion.returns],
        throws: catchCompletion.throws,
      };
    }
    const finallyBlock = statement.finallyBlock;
    if (finallyBlock === undefined) {
      return combined;
    }
    const result = emptyCompletion(0);
    const runFinally = (input: number): Completion => {
      let byState = this.#finallyCache.get(finallyBlock);
      if (byState === undefined) {
        byState = new Map();
        this.#finallyCache.set(finallyBlock, byState);
      }
      let cached = byState.get(input);
      if (cached === undefined) {
        cached = this.#statement(finallyBlock, input);
        byState.set(input, cached);
      }
      if ((input & FlowState.Held) !== 0 && cached.normal !== 0 && (cached.normal & heldStates) === 0) {
        this.#releasingTries.add(statement);
      }
      return cached;
    };
    // Each way into the `finally` leaves it the same way it came in, unless the `finally` itself
    // jumps, returns or throws.
    if (combined.normal !== 0) {
      const finallyCompletion = runFinally(combined.normal);
      mergeAbrupt(result, finallyCompletion);
      result.normal = finallyCompletion.normal;
    }
    for (const jump of combined.jumps) {
      const finallyCompletion = runFinally(jump.state);
      mergeAbrupt(result, finallyCompletion);
      if (finallyCompletion.normal !== 0) {
        result.jumps.push({ ...jump, state: finallyCompletion.normal });
      }
    }
    for (const exit of combined.returns) {
      const finallyCompletion = runFinally(exit.state);
      mergeAbrupt(result, finallyCompletion);
      if (finallyCompletion.normal !== 0) {
        result.returns.push({ ...exit, state: finallyCompletion.normal });
      }
    }
    for (const exit of combined.throws) {
      const finallyCompletion = runFinally(exit.state);
      mergeAbrupt(result, finallyCompletion);
      if (finallyCompletion.normal !== 0) {
        result.throws.push({ ...exit, state: finallyCompletion.normal });
      }
    }
    result.returns = mergeExits(result.returns);
    result.throws = mergeExits(result.throws);
    result.jumps = dedupeJumps(result.jumps);
    return result;
  }

  #expressionBody(body: ts.Expression, state: number): Completion {
    const completion = emptyCompletion(0);
    const after = this.#expression(body, state, completion);
    completion.returns.push({ kind: 'return', node: body, state: this.isTracked(body) ? this.#escape(body, 'returned', after) : after });
    return completion;
  }

  // ---- expressions ------------------------------------------------------------------------

  /** Evaluates `node` in order, recording what may throw into `completion`; returns the state after. */
  #expression(node: ts.Node, state: number, completion: Completion): number {
    if (state === 0 || !this.#mayMatter(node)) {
      return this.#mayThrow(node) ? this.#throwsHere(node, state, completion) : state;
    }
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) {
      return this.#closure(node, state);
    }
    if (ts.isConditionalExpression(node)) {
      const afterCondition = this.#expression(node.condition, state, completion);
      const whenTrue = this.#expression(node.whenTrue, this.#narrow(node.condition, afterCondition, true), completion);
      const whenFalse = this.#expression(node.whenFalse, this.#narrow(node.condition, afterCondition, false), completion);
      return whenTrue | whenFalse;
    }
    if (ts.isBinaryExpression(node)) {
      const operator = node.operatorToken.kind;
      if (
        operator === ts.SyntaxKind.AmpersandAmpersandToken ||
        operator === ts.SyntaxKind.BarBarToken ||
        operator === ts.SyntaxKind.QuestionQuestionToken
      ) {
        const afterLeft = this.#expression(node.left, state, completion);
        const rightRuns = operator === ts.SyntaxKind.AmpersandAmpersandToken;
        const rightIn = operator === ts.SyntaxKind.QuestionQuestionToken ? afterLeft : this.#narrow(node.left, afterLeft, rightRuns);
        const skipped = operator === ts.SyntaxKind.QuestionQuestionToken ? afterLeft : this.#narrow(node.left, afterLeft, !rightRuns);
        return this.#expression(node.right, rightIn, completion) | skipped;
      }
      if (operator === ts.SyntaxKind.EqualsToken) {
        let after = this.#expression(node.right, state, completion);
        if (!ts.isIdentifier(node.left)) {
          after = this.#expression(node.left, after, completion);
        }
        if (node === this.#tracked.acquisitionNode) {
          return this.#acquire(node, after);
        }
        return after;
      }
    }
    if (ts.isIdentifier(node)) {
      return this.#reference(node, state);
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      return this.#call(node, state, completion);
    }
    let after = state;
    ts.forEachChild(node, (child) => {
      after = this.#expression(child, after, completion);
    });
    if (this.#mayThrowItself(node)) {
      after = this.#throwsHere(node, after, completion);
    }
    return after;
  }

  #mayMatter(node: ts.Node): boolean {
    return this.references(node) || (this.#tracked.acquisitionNode !== undefined && containsNode(node, this.#tracked.acquisitionNode));
  }

  /** Whether evaluating `node` can throw, anywhere inside it (closures excluded). */
  #mayThrow(node: ts.Node): boolean {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) {
      return false;
    }
    if (this.#mayThrowItself(node)) {
      return true;
    }
    return ts.forEachChild(node, (child) => (this.#mayThrow(child) ? true : undefined)) ?? false;
  }

  /**
   * Places an exception is expected from: `await` and `yield` (I/O, a consumer that stops) and
   * calls that touch the value (`fh.stat()`, `parse(fh)`). Synchronous calls that do not touch it
   * (`performance.now()`, a local helper) are assumed not to throw: counting them would report
   * nearly every resource, and a rule people disable protects no one.
   */
  #mayThrowItself(node: ts.Node): boolean {
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      return true;
    }
    return (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node)) && this.references(node);
  }

  #throwsHere(node: ts.Node, state: number, completion: Completion): number {
    completion.throws.push({ kind: 'throw', node, state });
    return state;
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
    let position: ts.Node = identifier;
    for (;;) {
      const parent: ts.Node = position.parent;
      if (
        ts.isParenthesizedExpression(parent) ||
        ts.isAsExpression(parent) ||
        ts.isSatisfiesExpression(parent) ||
        ts.isNonNullExpression(parent) ||
        ts.isTypeAssertionExpression(parent) ||
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
    if (
      ts.isPropertyAssignment(parent) ||
      ts.isShorthandPropertyAssignment(parent) ||
      ts.isArrayLiteralExpression(parent) ||
      ts.isSpreadElement(parent) ||
      ts.isSpreadAssignment(parent)
    ) {
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
      const how = this.#takesOwnership(parent, parent.arguments.indexOf(position as ts.Expression));
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
        const how = this.#takesOwnership(parent, -1);
        return how === undefined ? state : this.#escape(position, how, state);
      }
      literal = parent;
    }
    return this.#escape(position, 'stored', state);
  }

  #call(node: ts.CallExpression | ts.NewExpression, state: number, completion: Completion): number {
    let after = state;
    ts.forEachChild(node, (child) => {
      after = this.#expression(child, after, completion);
    });
    if (ts.isCallExpression(node)) {
      if (this.#isRelease(node)) {
        after = this.#release(node, after);
      } else {
        const method = this.#methodCalledOnTracked(node);
        if (method === 'pipe') {
          after = this.#escape(node, 'piped', after);
        } else if (method === 'listen') {
          after = this.#escape(node, 'listening', after);
        }
      }
    }
    if (ts.isCallExpression(node) && this.#isFluentConfiguration(node)) {
      return after;
    }
    return this.#throwsHere(node, after, completion);
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
      const key = callee.argumentExpression;
      if (
        ts.isPropertyAccessExpression(key) &&
        ts.isIdentifier(key.expression) &&
        key.expression.text === 'Symbol' &&
        (key.name.text === 'dispose' || key.name.text === 'asyncDispose')
      ) {
        return 'own';
      }
      return undefined;
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (this.isTracked(callee.expression)) {
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

  /** The state on the branch where `condition` is `whenTrue`; a nullish check on the value rules out holding it. */
  #narrow(condition: ts.Expression, state: number, whenTrue: boolean): number {
    const presence = this.#presenceTest(condition);
    if (presence === undefined) {
      return state;
    }
    const present = presence === whenTrue;
    return present ? state : mapHeld(state, FlowState.Unacquired);
  }

  /** `true` when `condition` is true exactly if the value is present (`fh`, `fh != null`), `false` for the inverse. */
  #presenceTest(condition: ts.Expression): boolean | undefined {
    const inner = skipTransparentDown(condition);
    if (this.isTracked(inner)) {
      return true;
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
    }
    return undefined;
  }
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

/** Methods that put their argument into a collection: `sessions.add(session)`, `queue.push(conn)`. */
const collectionStoreMethods = new Set(['push', 'unshift', 'add', 'set', 'splice']);

function mapHeldOnly(state: number, from: number, to: number): number {
  return (state & from) === 0 ? state : (state & ~from) | to;
}

function mergeExits(exits: readonly FlowExit[]): FlowExit[] {
  const byNode = new Map<ts.Node, FlowExit>();
  for (const exit of exits) {
    const existing = byNode.get(exit.node);
    if (existing === undefined) {
      byNode.set(exit.node, { ...exit });
    } else {
      existing.state |= exit.state;
    }
  }
  return [...byNode.values()];
}

function dedupeJumps(jumps: readonly Jump[]): Jump[] {
  const byNode = new Map<ts.Node, Jump>();
  for (const jump of jumps) {
    const existing = byNode.get(jump.node);
    if (existing === undefined) {
      byNode.set(jump.node, { ...jump });
    } else {
      existing.state |= jump.state;
    }
  }
  return [...byNode.values()];
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
