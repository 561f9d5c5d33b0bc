import ts from 'typescript';

import { getCallbackUse, getEnclosingFunction, getPropertyNameText } from '../core/functions.js';
import { getRequestHandlerRole } from '../core/request-handlers.js';
import { getStableReferenceKey } from '../core/stable-reference.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';

/**
 * Listeners added again and again to an emitter that outlives the code adding them: one more
 * closure per request or per event, each holding what it captured, until Node warns of a
 * `MaxListenersExceededWarning` or the heap runs out. A listener added once at start-up, to an
 * object made for the occasion, or with `once`, `{ signal }` or a matching removal does not grow.
 */

export interface ListenerLeak {
  call: ts.CallExpression;
  /** The emitter as written: `process`, `this.client`. */
  target: string;
  /** The event, when written as a literal. */
  event: string | undefined;
  /** What runs the registration repeatedly: "each request", "each `message` event of `socket`". */
  repeatedBy: string;
}

const ADD_METHODS = new Set(['on', 'addListener', 'prependListener', 'addEventListener']);
const REMOVE_METHODS = new Set(['off', 'removeListener', 'removeEventListener']);
const GLOBAL_EMITTERS = new Set(['process', 'window', 'document', 'globalThis', 'self']);
/** Events that fire once per emitter: a listener added when they fire is added once. */
const ONE_SHOT_EVENTS = new Set(['connect', 'open', 'ready', 'listening', 'close', 'end', 'finish', 'exit', 'load', 'DOMContentLoaded', 'start', 'started', 'init', 'online', 'spawn', 'secureConnect']);

/** The leak `call` makes, if it adds a listener that nothing removes from a long-lived emitter on every request or event. */
export function getListenerLeak(call: ts.CallExpression, checker: ts.TypeChecker): ListenerLeak | undefined {
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ADD_METHODS.has(callee.name.text) || call.arguments.length < 2 || !ts.isExpressionStatement(call.parent)) {
    return undefined;
  }
  if (call.arguments.slice(2).some(isOnceOrSignalOption)) {
    return undefined;
  }
  const target = callee.expression;
  const targetKey = getStableReferenceKey(target);
  if (targetKey === undefined || !isLongLivedEmitter(target, targetKey, checker)) {
    return undefined;
  }
  const event = getEventName(call.arguments[0]);
  const repeatedBy = getRepeatingContext(call, checker);
  if (repeatedBy === undefined || isRemovedInFile(call.getSourceFile(), targetKey, event)) {
    return undefined;
  }
  return { call, target: target.getText(), event, repeatedBy };
}

function getEventName(argument: ts.Expression | undefined): string | undefined {
  const node = argument === undefined ? undefined : unwrapParentheses(argument);
  return node !== undefined && ts.isStringLiteralLike(node) ? node.text : undefined;
}

function isOnceOrSignalOption(argument: ts.Expression): boolean {
  const node = unwrapParentheses(argument);
  return (
    ts.isObjectLiteralExpression(node) &&
    node.properties.some((property) => {
      const name = property.name === undefined ? undefined : getPropertyNameText(property.name);
      return name === 'signal' || (name === 'once' && ts.isPropertyAssignment(property) && property.initializer.kind === ts.SyntaxKind.TrueKeyword);
    })
  );
}

/** `this`, a field of it, a module-level variable, or the platform's `process`/`window`/`document`. */
function isLongLivedEmitter(target: ts.Expression, key: string, checker: ts.TypeChecker): boolean {
  if (key === 'this' || key.startsWith('this.')) {
    return true;
  }
  const root = key.split(/[.[]/)[0] ?? key;
  let node: ts.Expression = unwrapParentheses(target);
  while (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
    node = unwrapParentheses(node.expression);
  }
  if (!ts.isIdentifier(node)) {
    return false;
  }
  const declaration = checker.getSymbolAtLocation(node)?.valueDeclaration;
  if (declaration === undefined) {
    return GLOBAL_EMITTERS.has(root);
  }
  if (declaration.getSourceFile().isDeclarationFile) {
    return GLOBAL_EMITTERS.has(root);
  }
  // A module-level binding, not a parameter or a local.
  return ts.isVariableDeclaration(declaration) && getEnclosingFunction(declaration) === undefined && ts.isSourceFile(declaration.parent.parent.parent);
}

/** Why the function around `call` runs again and again, or `undefined` when nothing shows it does. */
function getRepeatingContext(call: ts.CallExpression, checker: ts.TypeChecker): string | undefined {
  const fn = getEnclosingFunction(call);
  if (fn === undefined) {
    return undefined;
  }
  const use = getCallbackUse(fn);
  if (use !== undefined && ts.isCallExpression(use.call) && use.calleeName !== undefined && ADD_METHODS.has(use.calleeName) && use.argumentIndex >= 1) {
    const outerEvent = getEventName(use.call.arguments[0]);
    if (outerEvent !== undefined && ONE_SHOT_EVENTS.has(outerEvent)) {
      return undefined;
    }
    const outerCallee = unwrapParentheses(use.call.expression);
    const outerTarget = ts.isPropertyAccessExpression(outerCallee) ? outerCallee.expression.getText() : 'its emitter';
    return outerEvent === undefined ? `each event of \`${outerTarget}\` it handles` : `each \`${outerEvent}\` event of \`${outerTarget}\``;
  }
  return getRequestHandlerRole(fn, checker) === undefined ? undefined : 'each request';
}

const removalsByFile = new WeakMap<ts.SourceFile, Map<string, Set<string>>>();

/** Whether the file removes listeners of `event` (or all of them) from the emitter `targetKey` anywhere. */
function isRemovedInFile(sourceFile: ts.SourceFile, targetKey: string, event: string | undefined): boolean {
  let removals = removalsByFile.get(sourceFile);
  if (removals === undefined) {
    const found = new Map<string, Set<string>>();
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const key = getStableReferenceKey(node.expression.expression);
        if (key !== undefined && (REMOVE_METHODS.has(method) || method === 'removeAllListeners')) {
          const events = found.get(key) ?? new Set<string>();
          events.add(method === 'removeAllListeners' ? '*' : (getEventName(node.arguments[0]) ?? '*'));
          found.set(key, events);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
    removals = found;
    removalsByFile.set(sourceFile, removals);
  }
  const events = removals.get(targetKey);
  return events !== undefined && (events.has('*') || event === undefined || events.has(event));
}
