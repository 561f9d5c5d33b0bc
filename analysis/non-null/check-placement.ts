import ts from 'typescript';

import { getConditionalEvaluation } from '../core/conditional-evaluation.js';
import { isFunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';

/**
 * Where a check of a value goes: after its `const`, before its statement, or in a block that
 * replaces the statement (or a concise arrow body). Both the check that replaces a `!`
 * (assertion-fix.ts) and the check of a call whose callee now returns an error
 * (error-return-propagation.ts) go there, by the same rules: the value must be computed whenever
 * its statement runs, so that computing it first changes nothing but the order of what `earlier`
 * holds, which each caller judges.
 */
export type CheckPlacement =
  | { kind: 'declaration'; statement: ts.VariableStatement; name: string; earlier: ts.Node[] }
  | { kind: 'statement'; statement: ts.Statement; inStatementList: boolean; scope: ts.Node; earlier: ts.Node[] }
  | { kind: 'arrow-body'; body: ts.Expression; scope: ts.Node; earlier: ts.Node[] };

export type CheckPlacementResult = CheckPlacement | { kind: 'refusal'; reason: string };

/** What is being checked, for the refusal reasons: a `!` hoisted into a check, or a call's result. */
export type CheckedValue = 'assertion' | 'call';

const REASONS: Record<CheckedValue, { conditional: (when: string) => string; noStatement: string; subject: string }> = {
  assertion: {
    conditional: (when) => `the assertion runs only ${when}; hoisting it would run it always`,
    noStatement: 'the assertion is not inside a statement the check could precede',
    subject: 'the assertion',
  },
  call: {
    conditional: (when) => `the call runs only ${when}; a check before it would run it always`,
    noStatement: 'the call is not inside a statement a check could follow',
    subject: 'the call',
  },
};

export interface CheckPlacementOptions {
  /**
   * Asked for each node evaluated before the value, level by level on the way out; a reason ends
   * the search with a refusal. Without it, such nodes are only collected in `earlier`.
   */
  refuseEarlier?: (sibling: ts.Node) => string | undefined;
}

export function findCheckPlacement(value: ts.Expression, checked: CheckedValue, options: CheckPlacementOptions = {}): CheckPlacementResult {
  const sourceFile = value.getSourceFile();
  const reasons = REASONS[checked];
  const earlier: ts.Node[] = [];
  let child: ts.Node = value;
  for (let node = parentOf(value); node !== undefined; child = node, node = parentOf(node)) {
    const conditional = getConditionalEvaluation(node, child);
    if (conditional !== undefined) {
      return { kind: 'refusal', reason: reasons.conditional(conditional) };
    }
    if (ts.isArrowFunction(node) && node.body === child && !ts.isBlock(child)) {
      return { kind: 'arrow-body', body: child as ts.Expression, scope: node, earlier };
    }
    if (isFunctionBoundary(node) || ts.isClassElement(node) || ts.isParameter(node) || ts.isDecorator(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      return { kind: 'refusal', reason: reasons.noStatement };
    }
    const childStart = child.getStart(sourceFile);
    const siblings: ts.Node[] = [];
    node.forEachChild((sibling) => {
      if (sibling !== child && sibling.end <= childStart) siblings.push(sibling);
    });
    for (const sibling of siblings) {
      const refusal = options.refuseEarlier?.(sibling);
      if (refusal !== undefined) return { kind: 'refusal', reason: refusal };
      earlier.push(sibling);
    }
    if (ts.isStatement(node) || ts.isExportAssignment(node)) {
      return placementAt(node, child, value, reasons.subject, earlier);
    }
  }
  return { kind: 'refusal', reason: reasons.noStatement };
}

function placementAt(statement: ts.Statement, child: ts.Node, value: ts.Expression, subject: string, earlier: ts.Node[]): CheckPlacementResult {
  if (
    (ts.isForStatement(statement) && (child === statement.condition || child === statement.incrementor)) ||
    ((ts.isWhileStatement(statement) || ts.isDoStatement(statement)) && child === statement.expression)
  ) {
    return { kind: 'refusal', reason: `${subject} is in a loop condition, which runs on every iteration` };
  }
  if ((ts.isForInStatement(statement) || ts.isForOfStatement(statement)) && child !== statement.expression && child !== statement.statement) {
    return { kind: 'refusal', reason: `${subject} is part of a loop header` };
  }
  const parent = statement.parent;
  if (ts.isLabeledStatement(parent)) {
    return { kind: 'refusal', reason: `${subject} is in a labelled statement` };
  }
  const inStatementList = ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isModuleBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent);
  if (inStatementList && ts.isVariableStatement(statement) && (statement.declarationList.flags & ts.NodeFlags.Const) !== 0) {
    const [declaration, ...others] = statement.declarationList.declarations;
    if (
      declaration !== undefined &&
      others.length === 0 &&
      ts.isIdentifier(declaration.name) &&
      declaration.type === undefined &&
      declaration.initializer !== undefined &&
      unwrapParentheses(declaration.initializer) === unwrapParentheses(value)
    ) {
      return { kind: 'declaration', statement, name: declaration.name.text, earlier };
    }
  }
  return { kind: 'statement', statement, inStatementList, scope: inStatementList ? parent : statement, earlier };
}
