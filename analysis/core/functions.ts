import ts from 'typescript';

import { parentOf } from './parent.js';
import { skipTransparentUp, unwrapParentheses } from './transparent-syntax.js';

/**
 * Functions as every analysis sees them: which node is one, which one holds a piece of code, what a
 * reader calls it, and whether it is a callback handed to a call.
 */

export type FunctionBoundary =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

/** A function with a body of its own: a declaration, an expression, an arrow, a method, a constructor or an accessor. */
export function isFunctionBoundary(node: ts.Node): node is FunctionBoundary {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/**
 * The function whose call runs `node`, or `undefined` when nothing but loading the module runs it.
 * A class field initializer or a static block is not part of the function the class is written
 * in: it runs when an instance (or the class) is created, so code added there cannot `return` to
 * that function's caller, and the function's name would mislead in a message.
 */
export function getEnclosingFunction(node: ts.Node): FunctionBoundary | undefined {
  for (let current = parentOf(node); current !== undefined; current = parentOf(current)) {
    if (isFunctionBoundary(current)) {
      return current;
    }
    if (ts.isClassStaticBlockDeclaration(current) || ts.isPropertyDeclaration(current) || ts.isSourceFile(current)) {
      return undefined;
    }
  }
  return undefined;
}

/** The call `fn` is passed to as an argument (`items.map((item) => …)`), and where. */
export interface CallbackUse {
  call: ts.CallExpression | ts.NewExpression;
  argumentIndex: number;
  /** `map` for `items.map(cb)`, `setTimeout` for `setTimeout(cb)`; `undefined` for other callees. */
  calleeName: string | undefined;
}

/** How `fn` is handed to a call, when it is written as one of the call's arguments. */
export function getCallbackUse(fn: ts.Node): CallbackUse | undefined {
  const use = skipTransparentUp(fn);
  const call = use.parent;
  if (!(ts.isCallExpression(call) || ts.isNewExpression(call))) {
    return undefined;
  }
  const argumentIndex = call.arguments?.indexOf(use as ts.Expression) ?? -1;
  if (argumentIndex < 0) {
    return undefined;
  }
  const callee = unwrapParentheses(call.expression);
  const calleeName = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  return { call, argumentIndex, calleeName };
}

/** The name a reader would use for the function: `name`, `Class.method`, or the variable it is assigned to. */
export function getFunctionName(fn: FunctionBoundary): string | undefined {
  const names = getFunctionNames(fn);
  return names[names.length - 1];
}

/** `g` or `OrderService.load`, for reports. */
export function describeFunction(fn: FunctionBoundary): string {
  return getFunctionName(fn) ?? 'an anonymous function';
}

/** Every name the function goes by, simplest first: `process`, then `OrderService.process`. */
export function getFunctionNames(fn: FunctionBoundary): string[] {
  if (ts.isConstructorDeclaration(fn)) {
    const className = getClassName(fn.parent);
    return className === undefined ? ['constructor'] : ['constructor', `${className}.constructor`];
  }
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
    const name = getPropertyNameText(fn.name);
    if (name === undefined) {
      return [];
    }
    const owner = ts.isClassLike(fn.parent) ? getClassName(fn.parent) : getObjectLiteralName(fn.parent);
    return owner === undefined ? [name] : [name, `${owner}.${name}`];
  }
  if (fn.name !== undefined) {
    return [fn.name.text];
  }
  const use = skipTransparentUp(fn);
  const parent = use.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === use && ts.isIdentifier(parent.name)) {
    return [parent.name.text];
  }
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === use) {
    const name = getPropertyNameText(parent.name);
    if (name === undefined) {
      return [];
    }
    const owner = ts.isPropertyDeclaration(parent) ? getClassName(parent.parent) : getObjectLiteralName(parent.parent);
    return owner === undefined ? [name] : [name, `${owner}.${name}`];
  }
  return [];
}

/** The text of a property name written as an identifier, a string, a number or a `#private` name. */
export function getPropertyNameText(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) {
    return name.text;
  }
  return undefined;
}

function getClassName(node: ts.Node): string | undefined {
  if (!ts.isClassLike(node)) {
    return undefined;
  }
  if (node.name !== undefined) {
    return node.name.text;
  }
  const parent = node.parent;
  return ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : undefined;
}

function getObjectLiteralName(node: ts.Node): string | undefined {
  const parent = node.parent;
  return ts.isObjectLiteralExpression(node) && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)
    ? parent.name.text
    : undefined;
}
