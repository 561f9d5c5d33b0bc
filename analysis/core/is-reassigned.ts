import * as tsutils from 'ts-api-utils';
import ts from 'typescript';

/**
 * Whether the variable `symbol` is written anywhere in `scope` after its declaration: `x = …`,
 * `x += …`, `x++`, `[x] = …`, `({ x } = …)`, `for (x of …)`. A `let` that is must not become a
 * `using` declaration: those cannot be reassigned, and a release written for the first value
 * could apply to another one.
 */
export function isReassigned(symbol: ts.Symbol, scope: ts.Node, checker: ts.TypeChecker): boolean {
  const visit = (node: ts.Node): boolean => {
    if (ts.isIdentifier(node) && (tsutils.getAccessKind(node) & tsutils.AccessKind.Write) !== 0 && symbolOf(node, checker) === symbol) {
      return true;
    }
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(scope);
}

/** In `({ x } = value)` the name stands for both the property and the variable: the variable is the one written. */
function symbolOf(identifier: ts.Identifier, checker: ts.TypeChecker): ts.Symbol | undefined {
  const parent = identifier.parent;
  return ts.isShorthandPropertyAssignment(parent) && parent.name === identifier
    ? checker.getShorthandAssignmentValueSymbol(parent)
    : checker.getSymbolAtLocation(identifier);
}
