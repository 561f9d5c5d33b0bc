import ts from 'typescript';

import { type FunctionBoundary, getCallbackUse, getFunctionName, getFunctionNames, isFunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { getRequestHandlerRole } from '../core/request-handlers.js';
import { someNode } from '../core/some-node.js';
import { getStableReferenceKey } from '../core/stable-reference.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import type { CollectionUse, LongLivedCollection } from './long-lived-collections.js';

/**
 * What bounds a long-lived collection, and which ones nothing bounds: an array used as a queue
 * whose producer never checks its length, and a cache or per-request record that only ever gains
 * entries.
 */

export interface UnboundedArrayQueue {
  collection: LongLivedCollection;
  growth: CollectionUse;
  /** Where the queue is drained: a `shift` or `pop` in another function. */
  drain: CollectionUse;
  /** A length check before the push that neither returns, waits nor evicts: it only observes. */
  observingCheck: ts.IfStatement | undefined;
}

export interface GrowOnlyCollection {
  collection: LongLivedCollection;
  growth: CollectionUse;
  /** `cache`: filled on a miss by the function that reads it; `per-request`: filled by a request handler. */
  shape: 'cache' | 'per-request';
}

const COMPARISONS = new Set([
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** Functions that run once to fill a table: their growth is initialisation, not traffic. */
const INITIALISING_FUNCTION = /^(?:main|init|initiali[sz]e|setup|setUp|bootstrap|configure|register|define|install|load)(?:[A-Z_]|$)/;
/**
 * `emitWarningOnce(message)`, `deprecate(name)`: a set of the diagnostics already shown, keyed by
 * messages the program writes, not by data.
 */
const DIAGNOSTIC_FUNCTION = /[Ww]arn|[Dd]eprecat|(?:^|[a-z])[Ll]og(?:[A-Z]|$)/;
const LISTENER_METHODS = new Set(['on', 'addListener', 'prependListener', 'addEventListener', 'once']);

export interface ArrayQueueOptions {
  /**
   * Report every producer, also a method whose callers decide how often it runs. Otherwise only a
   * producer the code shows to run with traffic (a request handler, an event listener) or one
   * that checks the length and pushes anyway.
   */
  everyProducer: boolean;
  checker: ts.TypeChecker;
}

/** Arrays used as queues (filled in one function, drained by `shift`/`pop` in another) whose growth nothing bounds. */
export function findUnboundedArrayQueues(collections: readonly LongLivedCollection[], options: ArrayQueueOptions): UnboundedArrayQueue[] {
  const found: UnboundedArrayQueue[] = [];
  for (const collection of collections) {
    if (collection.kind !== 'array') {
      continue;
    }
    const takes = collection.uses.filter((use) => use.kind === 'take');
    for (const growth of collection.uses) {
      if (growth.kind !== 'grow' || growth.fn === undefined || isWaiterRegistration(growth)) {
        continue;
      }
      // First in, first out: `push` then `shift`, or `unshift` then `pop`. `push` with `pop` is a
      // stack (a recursion's open frames, an undo history), which its own nesting bounds.
      const takenFrom = growth.operation === 'push' ? 'shift' : 'pop';
      const drain = takes.find((take) => take.operation === takenFrom && take.fn !== undefined && take.fn !== growth.fn);
      if (drain === undefined) {
        continue;
      }
      const bound = findLengthBound(growth, collection);
      if (bound.bounded || !(options.everyProducer || bound.observingCheck !== undefined || runsWithTraffic(growth.fn, options.checker))) {
        continue;
      }
      found.push({ collection, growth, drain, observingCheck: bound.observingCheck });
    }
  }
  return found;
}

/** Caches and per-request records that gain entries and never lose one. */
export interface GrowOnlyOptions {
  /**
   * Report every module-level or static cache. Otherwise a cache only when the code shows that
   * traffic fills it: a request handler adds to it, or it belongs to a class that is a cache
   * (`OrderCache`). A module cache keyed by a function's parameter may be keyed by data (user ids)
   * or by configuration (lock names, rule patterns), which the function does not show.
   */
  everyCache: boolean;
  checker: ts.TypeChecker;
}

export function findGrowOnlyCollections(collections: readonly LongLivedCollection[], options: GrowOnlyOptions): GrowOnlyCollection[] {
  const { checker } = options;
  const found: GrowOnlyCollection[] = [];
  for (const collection of collections) {
    if (!livesWithTheProcess(collection)) {
      continue;
    }
    if (collection.reachableFromOutside || collection.uses.some((use) => use.kind === 'shrink' || use.kind === 'take' || use.kind === 'escape')) {
      continue;
    }
    for (const growth of collection.uses) {
      if (growth.kind !== 'grow' || growth.fn === undefined || !isTrafficFunction(growth.fn)) {
        continue;
      }
      const shape = getGrowthShape(collection, growth, checker);
      if (shape !== undefined && (shape === 'per-request' || options.everyCache || collection.scope === 'field')) {
        found.push({ collection, growth, shape });
        break;
      }
    }
  }
  return found;
}

/**
 * A module-level or static collection lives as long as the process. An instance field lives as
 * long as its object, which the code does not show: most are the state of a short-lived object (a
 * query, a call, one event's relations). Only a class that calls itself a cache (`OrderCache`) is
 * taken to be a long-lived one.
 */
function livesWithTheProcess(collection: LongLivedCollection): boolean {
  if (collection.scope !== 'field') {
    return true;
  }
  const className = collection.owner?.name?.text;
  return className !== undefined && /Cache$/.test(className);
}

/**
 * `onDecryptionKeyMissingError(roomId)`, `handleMessage(message)`: a function named for the event it
 * is called on. Its callers are out of sight, but the name says they call it once per event.
 */
const EVENT_HANDLER_NAME = /^(?:on|handle)[A-Z]/;

/**
 * A request handler, a listener of an emitter's events, or a function named as an event's handler:
 * code that runs as often as traffic comes.
 */
function runsWithTraffic(fn: FunctionBoundary, checker: ts.TypeChecker): boolean {
  const use = getCallbackUse(fn);
  if (use?.calleeName !== undefined && LISTENER_METHODS.has(use.calleeName) && use.argumentIndex >= 1) {
    return true;
  }
  const name = getFunctionNames(fn)[0];
  if (name !== undefined && EVENT_HANDLER_NAME.test(name)) {
    return true;
  }
  return getRequestHandlerRole(fn, checker) !== undefined;
}

function isTrafficFunction(fn: FunctionBoundary): boolean {
  if (ts.isConstructorDeclaration(fn)) {
    return false;
  }
  const fullName = getFunctionName(fn);
  const name = fullName?.slice(fullName.lastIndexOf('.') + 1);
  return name === undefined || !(INITIALISING_FUNCTION.test(name) || DIAGNOSTIC_FUNCTION.test(name));
}

function getGrowthShape(collection: LongLivedCollection, growth: CollectionUse, checker: ts.TypeChecker): GrowOnlyCollection['shape'] | undefined {
  if (growth.fn === undefined) {
    return undefined;
  }
  if (collection.kind !== 'array') {
    if (growth.key === undefined || hasFiniteValues(growth.key, checker) || isReadFromThis(growth.key)) {
      return undefined;
    }
    const readsInSameFunction = collection.uses.some((use) => use.kind === 'read' && use.fn === growth.fn && use.operation !== 'length' && use.operation !== 'size');
    if (readsInSameFunction) {
      return 'cache';
    }
  }
  return getRequestHandlerRole(growth.fn, checker) === undefined ? undefined : 'per-request';
}

/** `this.storageKey`: a key per instance, so the instances bound the collection, not the traffic. */
function isReadFromThis(key: ts.Expression): boolean {
  return getStableReferenceKey(key)?.startsWith('this.') === true;
}

/** Keys of a finite set: a literal, a union of literals, an enum, a boolean. */
function hasFiniteValues(key: ts.Expression, checker: ts.TypeChecker): boolean {
  if (ts.isStringLiteralLike(key) || ts.isNumericLiteral(key)) {
    return true;
  }
  const type = checker.getTypeAtLocation(key);
  const parts = type.isUnion() ? type.types : [type];
  return parts.every((part) => part.isLiteral() || (part.flags & (ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike | ts.TypeFlags.Undefined | ts.TypeFlags.Null)) !== 0);
}

/**
 * A push made inside a `Promise` executor, or of a `resolve` function: a waiter list, one entry per
 * caller that is suspended until it is served, so callers bound it, not producers.
 */
function isWaiterRegistration(growth: CollectionUse): boolean {
  const callbackUse = growth.fn === undefined ? undefined : getCallbackUse(growth.fn);
  if (callbackUse !== undefined && ts.isNewExpression(callbackUse.call) && ts.isIdentifier(callbackUse.call.expression) && callbackUse.call.expression.text === 'Promise') {
    return true;
  }
  const call = growth.site;
  return (
    ts.isCallExpression(call) &&
    call.arguments.some((argument) => someNode(argument, (node) => ts.isIdentifier(node) && (node.text === 'resolve' || node.text === 'reject')))
  );
}

interface LengthBound {
  bounded: boolean;
  observingCheck: ts.IfStatement | undefined;
}

/**
 * Whether the growth runs only while the collection is below a bound on its path: inside a branch
 * of a condition that compares its length with a bound, or after a check of that kind that
 * returns, throws, waits (`await`) or evicts.
 */
function findLengthBound(growth: CollectionUse, collection: LongLivedCollection): LengthBound {
  const key = getStableReferenceKey(growth.reference);
  if (key === undefined) {
    return { bounded: true, observingCheck: undefined };
  }
  const isBoundCheck = (condition: ts.Expression): boolean => comparesLengthWithBound(condition, key, collection);
  let observingCheck: ts.IfStatement | undefined;
  let child: ts.Node = growth.site;
  for (let parent = parentOf(child); parent !== undefined && !isFunctionBoundary(parent); child = parent, parent = parentOf(parent)) {
    if (ts.isIfStatement(parent) && child !== parent.expression && isBoundCheck(parent.expression)) {
      return { bounded: true, observingCheck: undefined };
    }
    if (ts.isConditionalExpression(parent) && child !== parent.condition && isBoundCheck(parent.condition)) {
      return { bounded: true, observingCheck: undefined };
    }
    if (ts.isBinaryExpression(parent) && child === parent.right && isBoundCheck(parent.left)) {
      return { bounded: true, observingCheck: undefined };
    }
    const loopCondition = ts.isWhileStatement(parent) ? parent.expression : ts.isForStatement(parent) ? parent.condition : undefined;
    if (loopCondition !== undefined && child === (parent as ts.IterationStatement).statement && isBoundCheck(loopCondition)) {
      return { bounded: true, observingCheck: undefined };
    }
    if (ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
      for (const statement of parent.statements) {
        if (statement === child) {
          break;
        }
        if ((ts.isWhileStatement(statement) || ts.isDoStatement(statement)) && isBoundCheck(statement.expression)) {
          return { bounded: true, observingCheck: undefined };
        }
        if (ts.isIfStatement(statement) && isBoundCheck(statement.expression)) {
          if (stopsOrMakesRoom(statement.thenStatement, key) || (statement.elseStatement !== undefined && stopsOrMakesRoom(statement.elseStatement, key))) {
            return { bounded: true, observingCheck: undefined };
          }
          observingCheck ??= statement;
        }
      }
    }
  }
  return { bounded: false, observingCheck };
}

/** Leaves the path (`return`, `throw`, `break`, `continue`), waits for room, or takes from the collection. */
function stopsOrMakesRoom(statement: ts.Statement, key: string): boolean {
  return someNode(statement, (node) => {
    if (ts.isReturnStatement(node) || ts.isThrowStatement(node) || ts.isBreakStatement(node) || ts.isContinueStatement(node) || ts.isAwaitExpression(node)) {
      return true;
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      return ['shift', 'pop', 'splice', 'delete', 'clear'].includes(method) && getStableReferenceKey(node.expression.expression) === key;
    }
    return false;
  });
}

function comparesLengthWithBound(condition: ts.Expression, key: string, collection: LongLivedCollection): boolean {
  return someNode(condition, (node) => {
    if (!ts.isBinaryExpression(node) || !COMPARISONS.has(node.operatorToken.kind)) {
      return false;
    }
    const [measured, other] = measuresSize(node.left, key, collection) ? [node.left, node.right] : measuresSize(node.right, key, collection) ? [node.right, node.left] : [];
    if (measured === undefined || other === undefined) {
      return false;
    }
    // `queue.length === 0` or `> 0` asks whether it is empty, not whether it is full.
    const bound = unwrapParentheses(other);
    return !(ts.isNumericLiteral(bound) && Number(bound.text) <= 1);
  });
}

/** `queue.length`, `this.#items.size`, or a getter or method of the class that returns it. */
function measuresSize(expression: ts.Expression, key: string, collection: LongLivedCollection): boolean {
  let node = unwrapParentheses(expression);
  if (ts.isCallExpression(node) && node.arguments.length === 0) {
    node = unwrapParentheses(node.expression);
  }
  if (!ts.isPropertyAccessExpression(node)) {
    return false;
  }
  if ((node.name.text === 'length' || node.name.text === 'size') && getStableReferenceKey(node.expression) === key) {
    return true;
  }
  if (node.expression.kind !== ts.SyntaxKind.ThisKeyword || collection.owner === undefined) {
    return false;
  }
  const memberName = node.name.text;
  const member = collection.owner.members.find(
    (candidate) => (ts.isGetAccessorDeclaration(candidate) || ts.isMethodDeclaration(candidate)) && candidate.name.getText() === memberName,
  );
  const body = member !== undefined && (ts.isGetAccessorDeclaration(member) || ts.isMethodDeclaration(member)) ? member.body : undefined;
  return (
    body !== undefined &&
    someNode(body, (inner) => ts.isPropertyAccessExpression(inner) && (inner.name.text === 'length' || inner.name.text === 'size') && getStableReferenceKey(inner.expression) === key)
  );
}
