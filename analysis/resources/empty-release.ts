import ts from 'typescript';

import { getDisposalMembers } from './disposal.js';
import { getNonNullishConstituents } from '../core/types.js';
import { isSameDeclaredSymbol } from '../core/symbols.js';
import { skipTransparentDown } from '../core/transparent-syntax.js';

/**
 * Whether calling each of `members` (method names, or the disposal symbols themselves) on a value
 * of `type` does nothing a leak could lose: the value's class is written in the program, and
 * every such method's body only sets the value's own fields to constants (`this.isReleased =
 * true`), returns nothing (`return Promise.resolve()`), or acts on a field nothing ever sets.
 *
 * A project's connection wrapper for a stateless backend (`release() { this.isReleased = true }`)
 * shares its interface with the pooled ones; skipping its release holds nothing.
 */
export function releaseDoesNothing(type: ts.Type, members: readonly (string | ts.Symbol)[], checker: ts.TypeChecker): boolean {
  const parts = getNonNullishConstituents(type);
  if (parts === undefined || parts.length !== 1 || members.length === 0) {
    return false;
  }
  const [valueType] = parts as [ts.Type];
  const classDeclarations = getClassChain(valueType, checker);
  if (classDeclarations === undefined) {
    return false;
  }
  return members.every((member) => {
    const symbol = typeof member === 'string' ? valueType.getProperty(member) : getDisposalMembers(valueType, checker).find((candidate) => candidate === member);
    const declarations = symbol?.declarations ?? [];
    return (
      declarations.length > 0 &&
      declarations.every(
        (declaration) =>
          ts.isMethodDeclaration(declaration) &&
          declaration.body !== undefined &&
          declaration.body.statements.every((statement) => isInertStatement(statement, classDeclarations, checker)),
      )
    );
  });
}

/** The class declarations of the value and of every class it extends, all written in the program; `undefined` otherwise. */
function getClassChain(type: ts.Type, checker: ts.TypeChecker): ts.ClassLikeDeclaration[] | undefined {
  const chain: ts.ClassLikeDeclaration[] = [];
  let current: ts.Type | undefined = type;
  while (current !== undefined) {
    const declaration = current.getSymbol()?.declarations?.find(ts.isClassLike);
    if (declaration === undefined || declaration.getSourceFile().isDeclarationFile) {
      return undefined;
    }
    chain.push(declaration);
    const bases: ts.BaseType[] = current.isClassOrInterface() ? checker.getBaseTypes(current) : [];
    if (bases.length > 1) {
      return undefined;
    }
    current = bases[0];
  }
  return chain;
}

function isInertStatement(statement: ts.Statement, classChain: readonly ts.ClassLikeDeclaration[], checker: ts.TypeChecker): boolean {
  if (ts.isEmptyStatement(statement)) {
    return true;
  }
  if (ts.isReturnStatement(statement)) {
    const value = statement.expression === undefined ? undefined : skipTransparentDown(statement.expression);
    return value === undefined || isConstant(value) || isResolvedNothing(value);
  }
  if (ts.isExpressionStatement(statement)) {
    const expression = skipTransparentDown(statement.expression);
    return (
      ts.isBinaryExpression(expression) &&
      expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      getOwnFieldName(expression.left) !== undefined &&
      isConstant(skipTransparentDown(expression.right))
    );
  }
  if (ts.isIfStatement(statement) && statement.elseStatement === undefined) {
    // `if (this.databaseConnection) this.databaseConnection.release()` where nothing sets the field.
    const field = getOwnFieldName(skipTransparentDown(statement.expression));
    return field !== undefined && isNeverSet(field, classChain, checker);
  }
  return false;
}

/** `this.name`, the value's own field. */
function getOwnFieldName(expression: ts.Expression): string | undefined {
  return ts.isPropertyAccessExpression(expression) && expression.expression.kind === ts.SyntaxKind.ThisKeyword ? expression.name.text : undefined;
}

function isConstant(expression: ts.Expression): boolean {
  return (
    expression.kind === ts.SyntaxKind.TrueKeyword ||
    expression.kind === ts.SyntaxKind.FalseKeyword ||
    expression.kind === ts.SyntaxKind.NullKeyword ||
    ts.isNumericLiteral(expression) ||
    ts.isStringLiteral(expression) ||
    (ts.isIdentifier(expression) && expression.text === 'undefined') ||
    ts.isVoidExpression(expression)
  );
}

/** `Promise.resolve()`, resolving with nothing. */
function isResolvedNothing(expression: ts.Expression): boolean {
  if (!ts.isCallExpression(expression) || expression.arguments.length > 0) {
    return false;
  }
  const callee = skipTransparentDown(expression.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Promise';
}

/**
 * A field declared without an initializer by a class of the chain, not public (so only the chain
 * itself could set it), and assigned nowhere in the chain's bodies or constructor parameters.
 */
function isNeverSet(field: string, classChain: readonly ts.ClassLikeDeclaration[], checker: ts.TypeChecker): boolean {
  const declaration = classChain
    .flatMap((classDeclaration) => classDeclaration.members)
    .find((member): member is ts.PropertyDeclaration => ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === field);
  if (declaration === undefined || declaration.initializer !== undefined) {
    return false;
  }
  const modifiers = ts.getModifiers(declaration) ?? [];
  if (!modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.PrivateKeyword || modifier.kind === ts.SyntaxKind.ProtectedKeyword)) {
    return false;
  }
  const fieldSymbol = checker.getSymbolAtLocation(declaration.name);
  if (fieldSymbol === undefined) {
    return false;
  }
  const isWrite = (node: ts.Node): boolean => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === field && isSameDeclaredSymbol(checker.getSymbolAtLocation(node.name), fieldSymbol)) {
      let top: ts.Node = node;
      while (ts.isParenthesizedExpression(top.parent) || ts.isNonNullExpression(top.parent)) {
        top = top.parent;
      }
      const parent = top.parent;
      if (ts.isBinaryExpression(parent) && parent.left === top && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
        return true;
      }
      if ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)) {
        return true;
      }
    }
    return ts.forEachChild(node, isWrite) ?? false;
  };
  const assignsItself = (node: ts.Node): boolean =>
    // `Object.assign(this, options)` may set any field.
    (ts.isCallExpression(node) && node.arguments[0]?.kind === ts.SyntaxKind.ThisKeyword && /\bassign$/.test(node.expression.getText())) ||
    (ts.forEachChild(node, assignsItself) ?? false);
  return !classChain.some((classDeclaration) => (ts.forEachChild(classDeclaration, isWrite) ?? false) || assignsItself(classDeclaration));
}
