import ts from 'typescript';

/**
 * A walk over JavaScript's structured control flow — blocks, `if`, `switch`, loops, labels,
 * `break`/`continue`/`return`/`throw`, `try`/`catch`/`finally`, and the short-circuits inside
 * expressions (`?:`, `&&`, `||`, `??`) — that carries one client-defined state along every path
 * and reports the state each way out of the body is reached in.
 *
 * The walker knows no semantics. A {@link FlowInterpreter} says what a node does to the state, what
 * may throw, what a condition proves, and how a state changes on the edges that skip code (a jump
 * out of a loop, an exception into a `catch`). The resource analysis is one client: its states are
 * "not acquired, held, released, handed on". A lock analysis is another: "unlocked, locked", with
 * every `await` evaluated while the state has "locked" being a finding, and
 * {@link FlowInterpreter.finallyRan} telling whether a `finally` is what unlocks. A queue analysis
 * uses {@link FlowInterpreter.narrow} for its path guards ("a length check against a bound holds").
 *
 * It works on the TypeScript AST alone, so a rule (through typescript-eslint's node maps) and a
 * codemod (through ts-morph's compiler nodes) get the same answers.
 */

/**
 * A set of possibilities, one bit each, chosen by the client: the union of the states of every path
 * that reaches a point. `0` means no path reaches it, and the walk skips unreachable code.
 */
export type PathState = number;

export type ExitKind = 'end' | 'return' | 'throw';

/** A way out of the walked body and the states paths reach it in. */
export interface FlowExit {
  kind: ExitKind;
  /** The `return`, the node that threw, or the body for the end. */
  node: ts.Node;
  state: PathState;
}

export interface FlowJump {
  kind: 'break' | 'continue';
  label: string | undefined;
  node: ts.Node;
  state: PathState;
}

/** How a statement can complete: normally (in `normal`), by a jump, a `return` or a throw. */
export interface Completion {
  normal: PathState;
  jumps: FlowJump[];
  returns: FlowExit[];
  throws: FlowExit[];
}

/**
 * What a client tells the walker. Every method is asked only on reachable paths, and may be asked
 * more than once for the same node: a loop body is walked again until its state stops growing, so
 * a client records what it saw in sets or maps keyed by node.
 */
export interface FlowInterpreter {
  /**
   * Whether evaluating `node` (or anything in it) can change the state. The walker does not enter
   * untouched expressions; it only asks {@link throws} about their parts. Answering `true` for
   * everything is correct, only slower.
   */
  touches(node: ts.Node): boolean;
  /**
   * The state after `node` ran, its operands already evaluated in order: identifiers, calls and
   * `new` (after callee and arguments), assignments `=` (after the right side), variable
   * declarations (after the initializer), `export` declarations, function and class declarations
   * and expressions (never entered: their bodies run later, if at all), and every other expression.
   */
  evaluated(node: ts.Node, state: PathState): PathState;
  /** Whether `node` itself may throw once its operands are evaluated; functions are never entered. */
  throws(node: ts.Node): boolean;
  /** The state on the branch where `condition` evaluated to `whenTrue`. */
  narrow(condition: ts.Expression, state: PathState, whenTrue: boolean): PathState;
  /** The state a path has after a `break`/`continue` took it out of a loop or a labelled block. */
  leaveByJump(jump: FlowJump): PathState;
  /** The state a path has in a `catch` block it entered because `thrown` threw. */
  enterCatch(thrown: FlowExit): PathState;
  /** A `finally` block ran on paths in `input` and completed as `output` (also asked for cached runs). */
  finallyRan?(statement: ts.TryStatement, input: PathState, output: Completion): void;
}

/**
 * Walks `body` (a block, a source file, or an arrow function's expression body) from
 * `initialState` and returns every exit with the states that reach it: each `return`, each node
 * whose exception leaves the body, and the end (falling off it, or a jump nothing consumed).
 */
export function walkControlFlow(body: ts.Node, initialState: PathState, interpreter: FlowInterpreter): FlowExit[] {
  return new ControlFlowWalker(interpreter).run(body, initialState);
}

/** Loops are walked until their head state stops growing; states are small bit sets, so this bounds it. */
const MAX_LOOP_ITERATIONS = 8;

function emptyCompletion(normal: PathState): Completion {
  return { normal, jumps: [], returns: [], throws: [] };
}

function mergeAbrupt(into: Completion, from: Completion): void {
  into.jumps.push(...from.jumps);
  into.returns.push(...from.returns);
  into.throws.push(...from.throws);
}

class ControlFlowWalker {
  readonly #interpreter: FlowInterpreter;
  readonly #finallyCache = new Map<ts.Block, Map<PathState, Completion>>();

  constructor(interpreter: FlowInterpreter) {
    this.#interpreter = interpreter;
  }

  run(body: ts.Node, initialState: PathState): FlowExit[] {
    const completion = ts.isBlock(body) || ts.isSourceFile(body)
      ? this.#statements(body.statements, initialState)
      : this.#expressionBody(body as ts.Expression, initialState);
    const exits: FlowExit[] = [...mergeByNode(completion.returns), ...mergeByNode(completion.throws)];
    const stray = completion.jumps.reduce((state, jump) => state | jump.state, 0);
    if ((completion.normal | stray) !== 0) {
      exits.push({ kind: 'end', node: body, state: completion.normal | stray });
    }
    return exits;
  }

  // ---- statements -------------------------------------------------------------------------

  #statements(statements: readonly ts.Statement[], state: PathState): Completion {
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

  #statement(statement: ts.Statement, state: PathState): Completion {
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
    if (ts.isExpressionStatement(statement) || ts.isExportAssignment(statement)) {
      const completion = emptyCompletion(state);
      completion.normal = this.#expression(statement.expression, state, completion);
      return completion;
    }
    if (ts.isIfStatement(statement)) {
      const completion = emptyCompletion(0);
      const afterCondition = this.#expression(statement.expression, state, completion);
      const thenCompletion = this.#statement(statement.thenStatement, this.#interpreter.narrow(statement.expression, afterCondition, true));
      const elseState = this.#interpreter.narrow(statement.expression, afterCondition, false);
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
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isExportDeclaration(statement)) {
      return emptyCompletion(this.#interpreter.evaluated(statement, state));
    }
    // Declarations without run-time effect (types, imports, empty statements, `debugger`).
    return emptyCompletion(state);
  }

  #variableDeclaration(declaration: ts.VariableDeclaration, state: PathState, completion: Completion): PathState {
    const after = declaration.initializer === undefined ? state : this.#expression(declaration.initializer, state, completion);
    return this.#interpreter.evaluated(declaration, after);
  }

  #labeled(statement: ts.LabeledStatement, state: PathState, outerLabels: string[]): Completion {
    const labels = [...outerLabels, statement.label.text];
    const inner = statement.statement;
    if (ts.isLabeledStatement(inner)) {
      return this.#labeled(inner, state, labels);
    }
    if (ts.isIterationStatement(inner, false)) {
      return this.#loop(inner, state, labels);
    }
    const completion = this.#statement(inner, state);
    const remaining: FlowJump[] = [];
    for (const jump of completion.jumps) {
      if (jump.kind === 'break' && jump.label !== undefined && labels.includes(jump.label)) {
        completion.normal |= this.#interpreter.leaveByJump(jump);
      } else {
        remaining.push(jump);
      }
    }
    completion.jumps = remaining;
    return completion;
  }

  #loop(statement: ts.IterationStatement, state: PathState, labels: string[]): Completion {
    const completion = emptyCompletion(0);
    let head = state;
    if (ts.isForStatement(statement) && statement.initializer !== undefined) {
      head = ts.isVariableDeclarationList(statement.initializer)
        ? statement.initializer.declarations.reduce((current, declaration) => this.#variableDeclaration(declaration, current, completion), head)
        : this.#expression(statement.initializer, head, completion);
    }
    if (ts.isForOfStatement(statement) || ts.isForInStatement(statement)) {
      head = this.#expression(statement.expression, head, completion);
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
    const consumes = (jump: FlowJump): boolean => jump.label === undefined || labels.includes(jump.label);
    for (let iteration = 0; iteration < MAX_LOOP_ITERATIONS; iteration += 1) {
      let bodyIn = head;
      const iterationCompletion = emptyCompletion(0);
      if (!ts.isDoStatement(statement) && condition !== undefined) {
        const afterCondition = this.#expression(condition, head, iterationCompletion);
        if (!conditionTrue) {
          exitState |= this.#interpreter.narrow(condition, afterCondition, false);
        }
        bodyIn = this.#interpreter.narrow(condition, afterCondition, true);
      } else if (!ts.isDoStatement(statement) && !conditionTrue) {
        exitState |= head;
      }
      const body = this.#statement(statement.statement, bodyIn);
      let next = body.normal;
      for (const jump of body.jumps) {
        if (consumes(jump)) {
          if (jump.kind === 'continue') {
            next |= this.#interpreter.leaveByJump(jump);
          } else {
            breakState |= this.#interpreter.leaveByJump(jump);
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
          exitState |= this.#interpreter.narrow(statement.expression, afterCondition, false);
        }
        next = this.#interpreter.narrow(statement.expression, afterCondition, true);
      }
      mergeAbrupt(completion, iterationCompletion);
      const newHead = head | next;
      if (newHead === head && iteration > 0) {
        break;
      }
      head = newHead;
    }
    completion.normal = exitState | breakState;
    return mergeAbruptByNode(completion);
  }

  /** A `break` out of a `switch` ends the statement like falling off its last clause: not a jump edge. */
  #switch(statement: ts.SwitchStatement, state: PathState): Completion {
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

  #try(statement: ts.TryStatement, state: PathState): Completion {
    const tryCompletion = this.#statement(statement.tryBlock, state);
    let combined: Completion;
    if (statement.catchClause === undefined) {
      combined = tryCompletion;
    } else {
      let caught = 0;
      for (const exit of tryCompletion.throws) {
        caught |= this.#interpreter.enterCatch(exit);
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
    const runFinally = (input: PathState): Completion => {
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
      this.#interpreter.finallyRan?.(statement, input, cached);
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
    for (const exit of [...combined.returns, ...combined.throws]) {
      const finallyCompletion = runFinally(exit.state);
      mergeAbrupt(result, finallyCompletion);
      if (finallyCompletion.normal !== 0) {
        (exit.kind === 'return' ? result.returns : result.throws).push({ ...exit, state: finallyCompletion.normal });
      }
    }
    return mergeAbruptByNode(result);
  }

  #expressionBody(body: ts.Expression, state: PathState): Completion {
    const completion = emptyCompletion(0);
    const after = this.#expression(body, state, completion);
    completion.returns.push({ kind: 'return', node: body, state: after });
    return completion;
  }

  // ---- expressions ------------------------------------------------------------------------

  /** Evaluates `node` in order, recording what may throw into `completion`; returns the state after. */
  #expression(node: ts.Node, state: PathState, completion: Completion): PathState {
    const interpreter = this.#interpreter;
    if (state === 0 || !interpreter.touches(node)) {
      if (this.#mayThrowWithin(node)) {
        completion.throws.push({ kind: 'throw', node, state });
      }
      return state;
    }
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) {
      return interpreter.evaluated(node, state);
    }
    if (ts.isConditionalExpression(node)) {
      const afterCondition = this.#expression(node.condition, state, completion);
      const whenTrue = this.#expression(node.whenTrue, interpreter.narrow(node.condition, afterCondition, true), completion);
      const whenFalse = this.#expression(node.whenFalse, interpreter.narrow(node.condition, afterCondition, false), completion);
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
        const rightIn = operator === ts.SyntaxKind.QuestionQuestionToken ? afterLeft : interpreter.narrow(node.left, afterLeft, rightRuns);
        const skipped = operator === ts.SyntaxKind.QuestionQuestionToken ? afterLeft : interpreter.narrow(node.left, afterLeft, !rightRuns);
        return this.#expression(node.right, rightIn, completion) | skipped;
      }
      if (operator === ts.SyntaxKind.EqualsToken) {
        // A plain identifier on the left is written, not read.
        let after = this.#expression(node.right, state, completion);
        if (!ts.isIdentifier(node.left)) {
          after = this.#expression(node.left, after, completion);
        }
        return this.#evaluatedMayThrow(node, after, completion);
      }
    }
    let after = state;
    if (!ts.isIdentifier(node)) {
      ts.forEachChild(node, (child) => {
        after = this.#expression(child, after, completion);
      });
    }
    return this.#evaluatedMayThrow(node, after, completion);
  }

  #evaluatedMayThrow(node: ts.Node, state: PathState, completion: Completion): PathState {
    const after = this.#interpreter.evaluated(node, state);
    if (this.#interpreter.throws(node)) {
      completion.throws.push({ kind: 'throw', node, state: after });
    }
    return after;
  }

  /** Whether evaluating `node` can throw anywhere inside it (functions and classes are not run). */
  #mayThrowWithin(node: ts.Node): boolean {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) {
      return false;
    }
    if (this.#interpreter.throws(node)) {
      return true;
    }
    return ts.forEachChild(node, (child) => (this.#mayThrowWithin(child) ? true : undefined)) ?? false;
  }
}

/** `completion` with each of its jumps, returns and throws listed once per node. */
function mergeAbruptByNode(completion: Completion): Completion {
  return { normal: completion.normal, jumps: mergeByNode(completion.jumps), returns: mergeByNode(completion.returns), throws: mergeByNode(completion.throws) };
}

/** One entry per node, its state the union of every path that reached it there. */
function mergeByNode<Entry extends { node: ts.Node; state: PathState }>(entries: readonly Entry[]): Entry[] {
  const byNode = new Map<ts.Node, Entry>();
  for (const entry of entries) {
    const existing = byNode.get(entry.node);
    if (existing === undefined) {
      byNode.set(entry.node, { ...entry });
    } else {
      existing.state |= entry.state;
    }
  }
  return [...byNode.values()];
}
