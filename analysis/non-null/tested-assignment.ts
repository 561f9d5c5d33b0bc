import ts from 'typescript';

import { type FlowInterpreter, type PathState, walkControlFlow } from '../core/control-flow.js';
import { getEnclosingFunction } from '../core/functions.js';
import { someNode } from '../core/some-node.js';
import { isAssignmentOperator } from '../core/side-effects.js';
import { skipTransparentUp, unwrapParentheses } from '../core/transparent-syntax.js';

/** The variable holds a value some code put there on purpose. */
const ASSIGNED = 1;
/** The variable may hold the `undefined` that ended a `while ((x = q.shift()!))`. */
const FAILED_TEST = 2;

/**
 * Is this `x = v!` the whole condition of an `if`, `while`, `do…while` or `for`, so that the value
 * is tested before anything uses it, and is `x` a local variable that nothing reads on the path
 * where the test failed? rxjs drains its scheduler queue with `while ((action = actions.shift()!))`:
 * an empty queue makes the condition false and ends the loop, and `!` only keeps `action` typed as
 * an action. On the false path the variable does hold `undefined` against its type, so every read
 * of it must come after another write; the control-flow walker follows both paths to show that.
 * A closure could read the variable at any time, so one that mentions it ends the proof.
 */
export function isTestedAssignment(assertion: ts.NonNullExpression, checker: ts.TypeChecker): boolean {
  const value = skipTransparentUp(assertion);
  const assignment = value.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken || assignment.right !== value) {
    return false;
  }
  const target = unwrapParentheses(assignment.left);
  const condition = skipParenthesesUp(assignment);
  if (!ts.isIdentifier(target) || !isStatementCondition(condition)) {
    return false;
  }
  const variable = checker.getSymbolAtLocation(target);
  const fn = getEnclosingFunction(assignment);
  const declaration = variable?.valueDeclaration;
  if (variable === undefined || fn?.body === undefined || declaration === undefined || !(ts.isVariableDeclaration(declaration) || ts.isParameter(declaration))) {
    return false;
  }
  const refersToVariable = (node: ts.Node): boolean => ts.isIdentifier(node) && getReferencedSymbol(node, checker) === variable;
  if (getEnclosingFunction(declaration) !== fn || someNode(fn.body, (node) => refersToVariable(node) && getEnclosingFunction(node) !== fn)) {
    return false;
  }
  let readAfterFailedTest = false;
  const interpreter: FlowInterpreter = {
    touches: () => true,
    evaluated(node, state) {
      if (refersToVariable(node) && (state & FAILED_TEST) !== 0) {
        readAfterFailedTest = true;
      }
      if (node !== assignment && writesVariable(node, refersToVariable)) {
        return state === 0 ? 0 : ASSIGNED;
      }
      return state;
    },
    // Anything but a literal or a name may throw; a path to a `catch` more is only more to check.
    throws: (node) => !ts.isIdentifier(node) && !ts.isLiteralExpression(node),
    narrow(tested, state, whenTrue): PathState {
      if (state === 0 || unwrapParentheses(tested) !== assignment) {
        return state;
      }
      return whenTrue ? ASSIGNED : FAILED_TEST;
    },
    leaveByJump: (jump) => jump.state,
    enterCatch: (thrown) => thrown.state,
  };
  walkControlFlow(fn.body, ASSIGNED, interpreter);
  return !readAfterFailedTest;
}

function skipParenthesesUp(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current.parent)) {
    current = current.parent;
  }
  return current;
}

function isStatementCondition(condition: ts.Expression): boolean {
  const parent = condition.parent;
  return (
    ((ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) && parent.expression === condition) ||
    (ts.isForStatement(parent) && parent.condition === condition)
  );
}

/** `{ x }` names the variable through the property's symbol; the variable is the one read or written. */
function getReferencedSymbol(identifier: ts.Identifier, checker: ts.TypeChecker): ts.Symbol | undefined {
  const parent = identifier.parent;
  return ts.isShorthandPropertyAssignment(parent) && parent.name === identifier ? checker.getShorthandAssignmentValueSymbol(parent) : checker.getSymbolAtLocation(identifier);
}

/**
 * `x = …`, `x += …`, `x++`, or the declaration of `x` with an initializer. A destructuring target
 * does not count, so the variable stays suspect after one: the walk reads it as a use.
 */
function writesVariable(node: ts.Node, refersToVariable: (node: ts.Node) => boolean): boolean {
  if (ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind)) {
    return refersToVariable(unwrapParentheses(node.left));
  }
  if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
    return refersToVariable(unwrapParentheses(node.operand));
  }
  return ts.isVariableDeclaration(node) && node.initializer !== undefined && refersToVariable(node.name);
}
