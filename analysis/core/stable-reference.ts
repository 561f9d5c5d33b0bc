import ts from 'typescript';
import { isFunctionBoundary } from './functions.js';
import { parentOf } from './parent.js';
import { unwrapParentheses } from './transparent-syntax.js';

/**
 * A key for an expression that names a storage location without running code: `items`, `this.cache`,
 * `order.lines`, or a literal. Two expressions with the same key read the same location unless it is
 * written in between, which is what the guards of `m.has(k)` / `i < a.length` rely on.
 * `undefined` for anything that calls, allocates or uses an optional chain.
 */
export function getStableReferenceKey(expression: ts.Expression): string | undefined {
  let node = unwrapParentheses(expression);
  while (ts.isNonNullExpression(node) && !ts.isNonNullChain(node)) {
    node = unwrapParentheses(node.expression);
  }
  if (ts.isIdentifier(node)) {
    return node.text;
  }
  if (node.kind === ts.SyntaxKind.ThisKeyword) {
    return 'this';
  }
  if (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node)) {
    return JSON.stringify(node.text);
  }
  if (ts.isElementAccessExpression(node) && node.questionDotToken === undefined) {
    // `decrypted[kDecoratedKeys]`, `row["id"]`: a computed key that is itself a stable reference.
    const object = getStableReferenceKey(node.expression);
    const key = getStableReferenceKey(node.argumentExpression);
    return object === undefined || key === undefined ? undefined : `${object}[${key}]`;
  }
  if (ts.isPropertyAccessExpression(node) && node.questionDotToken === undefined) {
    const object = getStableReferenceKey(node.expression);
    return object === undefined ? undefined : `${object}.${node.name.text}`;
  }
  return undefined;
}

/**
 * A key for a method call on a stable receiver with stable arguments (`event.getType()`,
 * `t.getFilter()`), by its text, or `undefined` for any other expression. The same call made again
 * is taken to return the same value while nothing is called or written in between (see
 * {@link interruptsRepeatedCall}): a getter-like method can only answer differently if some state
 * changed, and changing state takes a call or a write.
 */
export function getRepeatableCallKey(expression: ts.Expression): string | undefined {
  const call = unwrapParentheses(expression);
  if (!ts.isCallExpression(call) || call.questionDotToken !== undefined) {
    return undefined;
  }
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || getStableReferenceKey(callee.expression) === undefined) {
    return undefined;
  }
  if (!call.arguments.every((argument) => getStableReferenceKey(argument) !== undefined)) {
    return undefined;
  }
  return call.getText().replace(/\s+/g, '');
}

/** Can `node` make a repeated call (see {@link getRepeatableCallKey}) return something else: a call or a write? */
export function interruptsRepeatedCall(node: ts.Node): boolean {
  return ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node) || getWrittenReferenceKeys(node).length > 0;
}

/** Does a write to `writtenKey` change what `readKey` reads? (`a` and `a.b` both affect `a.b.c` and `a.b[k]`.) */
export function writeAffectsReference(writtenKey: string, readKey: string): boolean {
  return readKey === writtenKey || readKey.startsWith(`${writtenKey}.`) || readKey.startsWith(`${writtenKey}[`);
}

const COMPOUND_ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.AmpersandEqualsToken,
  ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/**
 * The keys of the locations `node` itself writes: the target of an assignment, of `++`/`--`, of
 * `delete`, and every stable reference inside a destructuring target. Empty for other nodes.
 */
export function getWrittenReferenceKeys(node: ts.Node): string[] {
  if (ts.isBinaryExpression(node) && COMPOUND_ASSIGNMENTS.has(node.operatorToken.kind)) {
    return getAssignmentTargetKeys(node.left);
  }
  if (
    (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
    (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
  ) {
    return getAssignmentTargetKeys(node.operand);
  }
  if (ts.isDeleteExpression(node)) {
    const target = unwrapParentheses(node.expression);
    const object = ts.isElementAccessExpression(target) || ts.isPropertyAccessExpression(target) ? target.expression : target;
    const key = getStableReferenceKey(object);
    return key === undefined ? [] : [key];
  }
  if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) {
    return getAssignmentTargetKeys(node.initializer);
  }
  return [];
}

function getAssignmentTargetKeys(target: ts.Expression): string[] {
  const node = unwrapParentheses(target);
  if (ts.isObjectLiteralExpression(node) || ts.isArrayLiteralExpression(node)) {
    const keys: string[] = [];
    const visit = (child: ts.Node): void => {
      if (ts.isExpression(child) && !ts.isObjectLiteralExpression(child) && !ts.isArrayLiteralExpression(child)) {
        const key = getStableReferenceKey(child);
        if (key !== undefined && !ts.isStringLiteralLike(child) && !ts.isNumericLiteral(child)) {
          keys.push(key);
          return;
        }
      }
      ts.forEachChild(child, visit);
    };
    ts.forEachChild(node, visit);
    return keys;
  }
  if (ts.isElementAccessExpression(node)) {
    // `a[i] = v` writes an element of `a`, not `a` itself; report the object so that readers of
    // `a` through an index (`a[i]!`) see it.
    const key = getStableReferenceKey(node.expression);
    const element = getStableReferenceKey(node);
    return key === undefined ? [] : element === undefined ? [`${key}[]`] : [`${key}[]`, element];
  }
  const key = getStableReferenceKey(node);
  return key === undefined ? [] : [key];
}

/**
 * Do the two expressions read the same location? Stable reference keys compare text, and a variable
 * declared in an inner scope (or `this` in a `function` callback) can reuse the text for another value;
 * so the variables each one reads must be the same ones too.
 */
export function isSameReference(first: ts.Expression, second: ts.Expression, checker: ts.TypeChecker): boolean {
  const key = getStableReferenceKey(first);
  if (key === undefined || key !== getStableReferenceKey(second)) {
    return false;
  }
  const firstVariables = getReadVariables(first, checker);
  const secondVariables = getReadVariables(second, checker);
  return firstVariables.length === secondVariables.length && firstVariables.every((variable, index) => variable === secondVariables[index]);
}

/** The variables a reference reads, in order (`o` and `k` for `o[k].x`); for `this`, the function that binds it. */
function getReadVariables(expression: ts.Expression, checker: ts.TypeChecker): (ts.Symbol | ts.Node | undefined)[] {
  const variables: (ts.Symbol | ts.Node | undefined)[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      variables.push(checker.getSymbolAtLocation(node));
    } else if (node.kind === ts.SyntaxKind.ThisKeyword) {
      variables.push(getThisBinder(node));
    } else if (ts.isPropertyAccessExpression(node)) {
      visit(node.expression);
    } else {
      ts.forEachChild(node, visit);
    }
  };
  visit(expression);
  return variables;
}

function getThisBinder(node: ts.Node): ts.Node | undefined {
  for (let current = parentOf(node); current !== undefined; current = parentOf(current)) {
    if ((isFunctionBoundary(current) && !ts.isArrowFunction(current)) || ts.isClassStaticBlockDeclaration(current) || ts.isPropertyDeclaration(current) || ts.isSourceFile(current)) {
      return current;
    }
  }
  return undefined;
}
