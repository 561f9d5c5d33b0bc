import ts from 'typescript';

/** Why `child` runs only sometimes inside `node`, or `undefined` when it runs whenever `node` does. */
export function getConditionalEvaluation(node: ts.Node, child: ts.Node): string | undefined {
  if (ts.isConditionalExpression(node) && child !== node.condition) {
    return 'in one branch of a `?:` expression';
  }
  if (ts.isBinaryExpression(node) && child === node.right) {
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.AmpersandAmpersandToken:
      case ts.SyntaxKind.AmpersandAmpersandEqualsToken:
        return 'when the left side of `&&` is truthy';
      case ts.SyntaxKind.BarBarToken:
      case ts.SyntaxKind.BarBarEqualsToken:
        return 'when the left side of `||` is falsy';
      case ts.SyntaxKind.QuestionQuestionToken:
      case ts.SyntaxKind.QuestionQuestionEqualsToken:
        return 'when the left side of `??` is nullish';
      default:
        return undefined;
    }
  }
  if ((ts.isCallExpression(node) || ts.isElementAccessExpression(node)) && child !== node.expression && isAfterOptionalLink(node)) {
    return 'after a `?.` in the same chain';
  }
  return undefined;
}

/** Is there a `?.` in the chain that leads to this call or element access? */
function isAfterOptionalLink(node: ts.CallExpression | ts.ElementAccessExpression): boolean {
  let current: ts.Node = node;
  while ((current.flags & ts.NodeFlags.OptionalChain) !== 0) {
    if ((ts.isCallExpression(current) || ts.isElementAccessExpression(current) || ts.isPropertyAccessExpression(current)) && current.questionDotToken !== undefined) {
      return true;
    }
    if (ts.isCallExpression(current) || ts.isElementAccessExpression(current) || ts.isPropertyAccessExpression(current) || ts.isNonNullExpression(current)) {
      current = current.expression;
    } else {
      return false;
    }
  }
  return false;
}
