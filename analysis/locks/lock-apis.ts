import ts from 'typescript';

import { getDeclarationOrigin, originIsPackage } from '../core/declaration-origin.js';
import { isFunctionBoundary } from '../core/functions.js';
import type { ResourceAnalysisContext } from '../resources/context.js';
import { getCalleeDescriptor } from '../resources/known-resources.js';
import { getStableReferenceKey } from '../core/stable-reference.js';
import { skipTransparentDown } from '../core/transparent-syntax.js';
import { type TypeOrValueSpecifier, typeMatchesSomeSpecifier } from '../core/type-matches-specifier.js';

/**
 * How a lock is held: until a release function it hands out is called (`await mutex.acquire()`),
 * or while a callback it is given runs (`mutex.runExclusive(cb)`, `navigator.locks.request(name, cb)`).
 */
export type LockForm = 'release-function' | 'callback';

/** A project's own lock API, declared in the rule's options. */
export interface UserLockSpecifier {
  /** The lock's type, as typescript-eslint's specifiers name it. */
  type: TypeOrValueSpecifier;
  /** The method that takes it. */
  method: string;
  form: LockForm;
}

/** One call that takes a lock. */
export interface LockAcquisition {
  call: ts.CallExpression;
  /** The object the lock belongs to (`this.#mutex`, `navigator.locks`). */
  lock: ts.Expression;
  /** How messages name it: `this.#mutex`, `navigator.locks "orders"`. */
  lockText: string;
  /**
   * Equal for two acquisitions of the same lock (same object, same name or key); `undefined` when
   * the object or the key is not a stable reference, so no comparison is made.
   */
  lockKey: string | undefined;
  form: LockForm;
  /** For the callback form, the function that runs while the lock is held, if it is written inline. */
  callback: ts.FunctionLikeDeclaration | undefined;
  /** An async-mutex `Semaphore` (of any capacity). */
  semaphore: boolean;
  /**
   * Held by several callers at once, so holding it across I/O is what it is for: a `Semaphore`
   * whose capacity is not 1 (or not known), a Web Lock in `shared` mode.
   */
  shared: boolean;
}

interface LockApi {
  module: string;
  /** `Class#method` as {@link getCalleeDescriptor} names it. */
  descriptors: readonly string[];
  form: LockForm;
  /** Which argument is the callback (negative: from the end), for the callback form. */
  callbackArgument?: number;
  /** Which argument names the lock among the object's locks (Web Locks' name, async-lock's key). */
  keyArgument?: number;
  semaphore?: boolean;
}

const lockApis: readonly LockApi[] = [
  { module: 'async-mutex', descriptors: ['Mutex#acquire', 'MutexInterface#acquire'], form: 'release-function' },
  { module: 'async-mutex', descriptors: ['Mutex#runExclusive', 'MutexInterface#runExclusive'], form: 'callback', callbackArgument: 0 },
  { module: 'async-mutex', descriptors: ['Semaphore#acquire', 'SemaphoreInterface#acquire'], form: 'release-function', semaphore: true },
  { module: 'async-mutex', descriptors: ['Semaphore#runExclusive', 'SemaphoreInterface#runExclusive'], form: 'callback', callbackArgument: 0, semaphore: true },
  { module: 'global', descriptors: ['LockManager#request'], form: 'callback', callbackArgument: -1, keyArgument: 0 },
  { module: 'async-lock', descriptors: ['AsyncLock#acquire'], form: 'callback', callbackArgument: 1, keyArgument: 0 },
];

export interface LockContext {
  checker: ts.TypeChecker;
  program: ts.Program;
  userLocks: readonly UserLockSpecifier[];
  /** The resource analysis, made on first use: release functions are resources too. */
  resources?: ResourceAnalysisContext;
}

/** The lock `call` takes, if it takes one. */
export function getLockAcquisition(call: ts.CallExpression, context: LockContext): LockAcquisition | undefined {
  const callee = skipTransparentDown(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) {
    return undefined;
  }
  const api = findLockApi(call, callee, context);
  if (api === undefined) {
    return undefined;
  }
  const lock = callee.expression;
  const keyArgument = api.keyArgument === undefined ? undefined : call.arguments[api.keyArgument];
  const objectKey = getStableReferenceKey(lock);
  const nameKey = keyArgument === undefined ? '' : getStableReferenceKey(keyArgument);
  const callbackArgument = api.callbackArgument === undefined ? undefined : call.arguments.at(api.callbackArgument);
  const callback = callbackArgument === undefined ? undefined : skipTransparentDown(callbackArgument);
  return {
    call,
    lock,
    lockText: keyArgument === undefined ? lock.getText() : `${lock.getText()} ${keyArgument.getText()}`,
    lockKey: objectKey === undefined || nameKey === undefined ? undefined : `${objectKey}${nameKey === '' ? '' : `[${nameKey}]`}`,
    form: api.form,
    callback: callback !== undefined && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) ? callback : undefined,
    semaphore: api.semaphore === true,
    shared: (api.semaphore === true && !hasCapacityOfOne(lock, context.checker)) || isSharedWebLock(call, api),
  };
}

/** The methods of {@link lockApis}: any other call is not asked about, which keeps a file without locks cheap. */
const lockMethodNames = new Set(lockApis.flatMap((api) => api.descriptors.map((descriptor) => descriptor.slice(descriptor.indexOf('#') + 1))));

function findLockApi(call: ts.CallExpression, callee: ts.PropertyAccessExpression, context: LockContext): LockApi | undefined {
  const method = callee.name.text;
  if (!lockMethodNames.has(method) && !context.userLocks.some((specifier) => specifier.method === method)) {
    return undefined;
  }
  const declaration = context.checker.getResolvedSignature(call)?.getDeclaration();
  if (declaration !== undefined) {
    const descriptor = getCalleeDescriptor(declaration);
    if (descriptor !== undefined) {
      const origin = getDeclarationOrigin(declaration, context.program);
      const api = lockApis.find(
        (candidate) =>
          candidate.descriptors.includes(descriptor) &&
          (candidate.module === 'global' ? origin.kind === 'global' : originIsPackage(origin, candidate.module)),
      );
      if (api !== undefined) {
        return api;
      }
    }
  }
  if (!context.userLocks.some((specifier) => specifier.method === method)) {
    return undefined;
  }
  const receiverType = context.checker.getTypeAtLocation(callee.expression);
  const matching = context.userLocks.filter(
    (specifier) => specifier.method === method && typeMatchesSomeSpecifier(receiverType, [specifier.type], context.program),
  );
  const first = matching[0];
  if (first === undefined) {
    return undefined;
  }
  return first.form === 'callback' ? { module: 'user', descriptors: [], form: 'callback', callbackArgument: -1 } : { module: 'user', descriptors: [], form: first.form };
}

/**
 * `new Semaphore(1)`, also through `withTimeout(new Semaphore(1), ms)`, found where the variable or
 * field the semaphore is read from is initialised. Any other capacity, or one not written there,
 * makes it a concurrency limiter.
 */
function hasCapacityOfOne(lock: ts.Expression, checker: ts.TypeChecker): boolean {
  const target = skipTransparentDown(lock);
  const symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(target) ? target.name : target);
  const declaration = symbol?.valueDeclaration;
  let initializer =
    declaration !== undefined && (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) ? declaration.initializer : undefined;
  while (initializer !== undefined) {
    const value = skipTransparentDown(initializer);
    if (ts.isNewExpression(value)) {
      const capacity = value.arguments?.[0];
      return capacity !== undefined && ts.isNumericLiteral(capacity) && capacity.text === '1';
    }
    initializer = ts.isCallExpression(value) ? value.arguments[0] : undefined;
  }
  return false;
}

/** `navigator.locks.request(name, { mode: 'shared' }, cb)`: readers hold it together. */
function isSharedWebLock(call: ts.CallExpression, api: LockApi): boolean {
  if (api.module !== 'global' || call.arguments.length < 3) {
    return false;
  }
  const options = call.arguments[1];
  return (
    options !== undefined &&
    ts.isObjectLiteralExpression(options) &&
    options.properties.some(
      (property) =>
        ts.isPropertyAssignment(property) &&
        property.name.getText() === 'mode' &&
        ts.isStringLiteralLike(property.initializer) &&
        property.initializer.text === 'shared',
    )
  );
}

/** Calls under `root` that run when `root` runs: not inside the nested functions it defines. */
export function forEachDirectCall(root: ts.Node, callback: (call: ts.CallExpression) => void): void {
  const visit = (node: ts.Node): void => {
    if (node !== root && isFunctionBoundary(node)) {
      return;
    }
    if (ts.isCallExpression(node)) {
      callback(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
}
