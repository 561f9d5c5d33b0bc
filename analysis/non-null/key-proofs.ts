import * as tsutils from 'ts-api-utils';
import ts from 'typescript';

import { isFunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { someNode } from '../core/some-node.js';
import { isDeclaredInStandardLibrary, isDeclaredOnlyInDefaultLibrary } from '../core/standard-library.js';
import { getStableReferenceKey, getWrittenReferenceKeys, isSameReference, writeAffectsReference } from '../core/stable-reference.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getNullishParts } from '../core/types.js';
import type { NonNullAssertionSafety } from './assertion-safety.js';
import {
  ARRAY_INTERFACES,
  ensuresMapEntry,
  hasNullableElements,
  hasNullableMapValues,
  isMapHasCall,
  MAP_INTERFACES,
  removesMapEntry,
} from './collection-facts.js';
import { findGuard, getContainer, getReferenceParts, getTestedAsPresent, hasInterference, isMethodCallOn } from './guards.js';

/**
 * Is this `x!` a keyed read whose key came from the collection itself, and why? The kinds are
 * listed on {@link NonNullAssertionSafety}; `expression` is the asserted expression without
 * parentheses. Real code reads `m.get(k)!` inside `for (const k of m.keys())` and
 * `Object.getOwnPropertyDescriptor(o, k)!` inside `for (const k of Reflect.ownKeys(o))`: the entry is
 * there because the key was just enumerated from it, unless the code in between removes it.
 */
export function getKeyProof(expression: ts.Expression, program: ts.Program): NonNullAssertionSafety | undefined {
  const read = getKeyedRead(expression, program);
  if (read !== undefined) {
    if (isEnumeratedKey(read, program)) {
      return { kind: read.store === 'map' ? 'iterated-map-key' : 'own-enumerated-key' };
    }
    if (isEveryCheckedMapGet(read, program)) {
      return { kind: 'every-checked-map-get' };
    }
    if (isReestablishedMapGet(read)) {
      return { kind: 're-established-map-entry' };
    }
  }
  if (isEnumeratedInLoopHeader(expression, program)) {
    return { kind: 'enumerated-in-loop-header' };
  }
  if (isEveryCheckedElement(expression, program)) {
    return { kind: 'every-checked-element' };
  }
  return undefined;
}

// --- the read ---------------------------------------------------------------------------------

/** A read that finds an entry by key: `m.get(k)`, `o[k]` or `Object.getOwnPropertyDescriptor(o, k)`. */
interface KeyedRead {
  node: ts.Expression;
  /** `m` or `o`. */
  collection: ts.Expression;
  collectionKey: string;
  key: ts.Expression;
  keyKey: string;
  /** The entries of a `Map`, or the own properties of an object. */
  store: 'map' | 'object';
  /** The entry's value, or an own property's descriptor (which every own key has, whatever its value). */
  reads: 'value' | 'descriptor';
}

const OBJECT_CONSTRUCTOR = new Set(['ObjectConstructor']);
const ARRAY_CONSTRUCTOR = new Set(['ArrayConstructor']);

function getKeyedRead(expression: ts.Expression, program: ts.Program): KeyedRead | undefined {
  const checker = program.getTypeChecker();
  if (ts.isCallExpression(expression)) {
    const callee = unwrapParentheses(expression.expression);
    const [first, second] = expression.arguments;
    if (!ts.isPropertyAccessExpression(callee) || first === undefined) {
      return undefined;
    }
    if (
      callee.name.text === 'get' &&
      expression.arguments.length === 1 &&
      isDeclaredInStandardLibrary(callee.name, program, MAP_INTERFACES) &&
      // A map of `T | undefined` can hold the key with nothing in it.
      !hasNullableMapValues(callee.expression, checker)
    ) {
      return makeKeyedRead(expression, callee.expression, first, 'map', 'value');
    }
    if (
      callee.name.text === 'getOwnPropertyDescriptor' &&
      second !== undefined &&
      expression.arguments.length === 2 &&
      isDeclaredInStandardLibrary(callee.name, program, OBJECT_CONSTRUCTOR)
    ) {
      return makeKeyedRead(expression, first, second, 'object', 'descriptor');
    }
    return undefined;
  }
  if (
    ts.isElementAccessExpression(expression) &&
    expression.questionDotToken === undefined &&
    isUnspecificKeyType(checker.getTypeAtLocation(expression.argumentExpression)) &&
    !hasNullableElements(expression.expression, checker)
  ) {
    return makeKeyedRead(expression, expression.expression, expression.argumentExpression, 'object', 'value');
  }
  return undefined;
}

function makeKeyedRead(node: ts.Expression, collection: ts.Expression, key: ts.Expression, store: KeyedRead['store'], reads: KeyedRead['reads']): KeyedRead | undefined {
  const collectionKey = getStableReferenceKey(collection);
  const keyKey = getStableReferenceKey(key);
  return collectionKey === undefined || keyKey === undefined ? undefined : { node, collection, collectionKey, key, keyKey, store, reads };
}

/**
 * Is the key typed `string` or `number`, so that `o[k]` reads the index signature that
 * {@link hasNullableElements} answers for? A key narrowed to literals reads declared properties
 * instead, and an optional one can hold `undefined` whatever the index signature says; a `symbol`
 * reads a signature of its own.
 */
function isUnspecificKeyType(type: ts.Type): boolean {
  return tsutils.unionConstituents(type).every((constituent) => (constituent.flags & (ts.TypeFlags.String | ts.TypeFlags.Number)) !== 0);
}

// --- where a key comes from -------------------------------------------------------------------

/** The keys of a collection, as an expression yields them. */
interface Enumeration {
  /** `m` in `m.keys()`, `o` in `Object.keys(o)`. */
  collection: ts.Expression;
  store: 'map' | 'object';
  /**
   * A `Map` iterator reads the map as it goes, so each key it yields is in the map at that moment;
   * `Object.keys(o)` and `[...m.keys()]` copy the keys first, and a key removed later is still in the copy.
   */
  live: boolean;
  /** Each element is a key, an entry `[key, value]` or a value. */
  element: 'key' | 'entry' | 'value';
}

const OBJECT_ENUMERATIONS = new Map<string, Enumeration['element']>([
  ['keys', 'key'],
  ['getOwnPropertyNames', 'key'],
  ['entries', 'entry'],
  ['values', 'value'],
]);

function getEnumeration(expression: ts.Expression, program: ts.Program): Enumeration | undefined {
  const node = unwrapParentheses(expression);
  if (ts.isArrayLiteralExpression(node)) {
    // `[...m.keys()]`
    const [only] = node.elements;
    return node.elements.length === 1 && only !== undefined && ts.isSpreadElement(only) ? copyOf(getEnumeration(only.expression, program)) : undefined;
  }
  if (!ts.isCallExpression(node)) {
    // `for (const [k, v] of m)`
    return isStandardMapType(program.getTypeChecker().getTypeAtLocation(node), program) ? { collection: node, store: 'map', live: true, element: 'entry' } : undefined;
  }
  const callee = unwrapParentheses(node.expression);
  if (!ts.isPropertyAccessExpression(callee)) {
    return undefined;
  }
  const method = callee.name.text;
  const [argument] = node.arguments;
  if (node.arguments.length === 0 && (method === 'keys' || method === 'entries') && isDeclaredInStandardLibrary(callee.name, program, MAP_INTERFACES)) {
    return { collection: callee.expression, store: 'map', live: true, element: method === 'keys' ? 'key' : 'entry' };
  }
  if (argument === undefined || node.arguments.length !== 1) {
    return undefined;
  }
  if (method === 'from' && isDeclaredInStandardLibrary(callee.name, program, ARRAY_CONSTRUCTOR)) {
    return copyOf(getEnumeration(argument, program));
  }
  const element = OBJECT_ENUMERATIONS.get(method);
  if (element !== undefined && isDeclaredInStandardLibrary(callee.name, program, OBJECT_CONSTRUCTOR)) {
    return { collection: argument, store: 'object', live: false, element };
  }
  if (method === 'ownKeys' && isReflectFunction(callee.name, program)) {
    return { collection: argument, store: 'object', live: false, element: 'key' };
  }
  return undefined;
}

/** `[...e]` and `Array.from(e)` of a live map enumeration: the same keys, copied. */
function copyOf(enumeration: Enumeration | undefined): Enumeration | undefined {
  return enumeration?.live === true ? { ...enumeration, live: false } : undefined;
}

/** Iterating the value itself runs the standard map iterator only for a `Map`, not for a subclass that may replace it. */
function isStandardMapType(type: ts.Type, program: ts.Program): boolean {
  const symbol = type.getSymbol();
  return !type.isUnion() && (symbol?.name === 'Map' || symbol?.name === 'ReadonlyMap') && isDeclaredOnlyInDefaultLibrary(symbol, program);
}

/** `Reflect.ownKeys` as the standard library declares it, in `namespace Reflect`. */
function isReflectFunction(name: ts.Node, program: ts.Program): boolean {
  const declarations = program.getTypeChecker().getSymbolAtLocation(name)?.declarations ?? [];
  return (
    declarations.length > 0 &&
    declarations.every(
      (declaration) =>
        program.isSourceFileDefaultLibrary(declaration.getSourceFile()) && ts.isModuleBlock(declaration.parent) && declaration.parent.parent.name.text === 'Reflect',
    )
  );
}

/**
 * How a key variable takes its values from an enumeration: once per key, in a loop body or a
 * callback body (`region`); or once, as `const k = keys.find(…)`, from keys copied at `copiedAt`.
 */
type KeyTaking = { enumeration: Enumeration; region: ts.Node } | { enumeration: Enumeration; copiedAt: number };

/** Array methods that call their callback with each element as its first argument, synchronously. */
const ARRAY_CALLBACK_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex']);
const FIND_METHODS = new Set(['find', 'findLast']);

function getKeyTaking(declaration: ts.Declaration, read: KeyedRead, program: ts.Program): KeyTaking | undefined {
  const loopBinding = getLoopBinding(declaration);
  if (loopBinding !== undefined) {
    const { loop, element } = loopBinding;
    if (ts.isForOfStatement(loop)) {
      const enumeration = loop.awaitModifier === undefined ? getEnumeration(loop.expression, program) : undefined;
      return enumeration?.element === element ? { enumeration, region: loop.statement } : undefined;
    }
    // `for…in` also yields inherited keys, which have no own descriptor; `o[k]` over a record is the
    // bounds-checked-index proof's.
    if (element === 'key' && read.reads === 'descriptor' && isPrivateObjectLiteral(loop.expression, program)) {
      return { enumeration: { collection: loop.expression, store: 'object', live: false, element: 'key' }, region: loop.statement };
    }
    return undefined;
  }
  const callbackBinding = getCallbackBinding(declaration);
  if (callbackBinding !== undefined) {
    const { callee, fn, index } = callbackBinding;
    if (index === 1 && callee.name.text === 'forEach' && isDeclaredInStandardLibrary(callee.name, program, MAP_INTERFACES)) {
      // `m.forEach((value, key) => …)`
      return { enumeration: { collection: callee.expression, store: 'map', live: true, element: 'key' }, region: fn.body };
    }
    const enumeration = index === 0 && isArrayCallbackMethod(callee, program) ? getEnumeration(callee.expression, program) : undefined;
    return enumeration?.element === 'key' ? { enumeration, region: fn.body } : undefined;
  }
  // `const key = Object.keys(o).find(…)`: one of the keys, or `undefined`.
  if (ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined && isConstDeclaration(declaration)) {
    const call = unwrapParentheses(declaration.initializer);
    if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && FIND_METHODS.has(call.expression.name.text) && isArrayCallbackMethod(call.expression, program)) {
      const enumeration = getEnumeration(call.expression.expression, program);
      return enumeration?.element === 'key' ? { enumeration, copiedAt: call.expression.expression.end } : undefined;
    }
  }
  return undefined;
}

function isArrayCallbackMethod(callee: ts.PropertyAccessExpression, program: ts.Program): boolean {
  return ARRAY_CALLBACK_METHODS.has(callee.name.text) && isDeclaredInStandardLibrary(callee.name, program, ARRAY_INTERFACES);
}

function isConstDeclaration(declaration: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(declaration.parent) && getBlockScoping(declaration.parent) === ts.NodeFlags.Const;
}

/** `Const`, `Let`, `Using` or `AwaitUsing` (which includes the `Const` bit), or `None` for `var`. */
function getBlockScoping(list: ts.VariableDeclarationList): ts.NodeFlags {
  return list.flags & ts.NodeFlags.BlockScoped;
}

/** `k` in `for (const k of …)`, or in `for (const [k, v] of …)` (an entry). */
function getLoopBinding(declaration: ts.Declaration): { loop: ts.ForOfStatement | ts.ForInStatement; element: 'key' | 'entry' } | undefined {
  let element: 'key' | 'entry' = 'key';
  let variable: ts.Node = declaration;
  if (ts.isBindingElement(declaration)) {
    const pattern = declaration.parent;
    if (!ts.isArrayBindingPattern(pattern) || pattern.elements[0] !== declaration || declaration.dotDotDotToken !== undefined || declaration.initializer !== undefined) {
      return undefined;
    }
    element = 'entry';
    variable = pattern.parent;
  }
  // A default in the pattern runs each iteration, before the body: `for (const [k, v = m.delete(k)] of m)`.
  const hasDefaults = someNode(variable, (node) => ts.isBindingElement(node) && node.initializer !== undefined);
  if (!ts.isVariableDeclaration(variable) || variable.initializer !== undefined || hasDefaults || !ts.isVariableDeclarationList(variable.parent)) {
    return undefined;
  }
  const list = variable.parent;
  const loop = list.parent;
  const isBlockScoped = getBlockScoping(list) === ts.NodeFlags.Const || getBlockScoping(list) === ts.NodeFlags.Let;
  return isBlockScoped && (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) && loop.initializer === list ? { loop, element } : undefined;
}

/** Defaults run before the body each time the function is called: `(value, key, x = m.delete(key)) => …`. */
function hasParameterDefaults(fn: ts.SignatureDeclaration): boolean {
  return fn.parameters.some((parameter) => someNode(parameter, (node) => (ts.isParameter(node) || ts.isBindingElement(node)) && node.initializer !== undefined));
}

/** A parameter of a function written as the first argument of a method call: `keys.forEach((k) => …)`. */
function getCallbackBinding(
  declaration: ts.Declaration,
): { callee: ts.PropertyAccessExpression; fn: ts.ArrowFunction | ts.FunctionExpression; index: number } | undefined {
  if (!ts.isParameter(declaration) || !ts.isIdentifier(declaration.name) || declaration.dotDotDotToken !== undefined || declaration.initializer !== undefined) {
    return undefined;
  }
  const fn = declaration.parent;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) {
    return undefined;
  }
  const call = fn.parent;
  const hasThisParameter = fn.parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === 'this');
  if (!ts.isCallExpression(call) || call.arguments[0] !== fn || hasThisParameter || hasParameterDefaults(fn)) {
    return undefined;
  }
  const callee = unwrapParentheses(call.expression);
  return ts.isPropertyAccessExpression(callee) ? { callee, fn, index: fn.parameters.indexOf(declaration) } : undefined;
}

/**
 * `for (const k in o)` yields only own keys when `o` is a `const` object literal (its prototype is
 * `Object.prototype`, with nothing enumerable) that no other code can reach to add a prototype or
 * remove a property: every other use of it reads a property or enumerates it, and it is not exported.
 */
function isPrivateObjectLiteral(expression: ts.Expression, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const name = unwrapParentheses(expression);
  if (!ts.isIdentifier(name)) {
    return false;
  }
  const symbol = checker.getSymbolAtLocation(name);
  const declaration = symbol?.valueDeclaration;
  if (symbol === undefined || declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.initializer === undefined || !isConstDeclaration(declaration)) {
    return false;
  }
  const literal = unwrapParentheses(declaration.initializer);
  const statement = declaration.parent.parent;
  if (
    !ts.isObjectLiteralExpression(literal) ||
    literal.properties.some((property) => property.name !== undefined && !ts.isComputedPropertyName(property.name) && property.name.text === '__proto__') ||
    (ts.isVariableStatement(statement) && tsutils.includesModifier(statement.modifiers, ts.SyntaxKind.ExportKeyword))
  ) {
    return false;
  }
  const isOnlyRead = (reference: ts.Identifier): boolean => {
    const parent = reference.parent;
    if (reference === declaration.name || ts.isTypeQueryNode(parent) || (ts.isForInStatement(parent) && parent.expression === reference)) {
      return true;
    }
    if (ts.isCallExpression(parent) && parent.arguments[0] === reference) {
      const callee = unwrapParentheses(parent.expression);
      return ts.isPropertyAccessExpression(callee) && callee.name.text === 'getOwnPropertyDescriptor' && isDeclaredInStandardLibrary(callee.name, program, OBJECT_CONSTRUCTOR);
    }
    // A read of a property; not a call of one, which would hand the object to the method as `this`.
    return (
      (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) &&
      parent.expression === reference &&
      tsutils.getAccessKind(parent) === tsutils.AccessKind.Read &&
      !(ts.isCallExpression(parent.parent) && parent.parent.expression === parent) &&
      !ts.isTaggedTemplateExpression(parent.parent)
    );
  };
  let privateUses = true;
  const visit = (node: ts.Node): void => {
    if (!privateUses) {
      return;
    }
    if (ts.isIdentifier(node) && node.text === name.text) {
      // `{ o }` and `export { o }` name the variable through another symbol: count them as escapes.
      if (ts.isShorthandPropertyAssignment(node.parent) || ts.isExportSpecifier(node.parent) || (checker.getSymbolAtLocation(node) === symbol && !isOnlyRead(node))) {
        privateUses = false;
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(declaration.getSourceFile());
  return privateUses;
}

// --- m.get(k)! / o[k]! where k was enumerated from m / o ------------------------------------------

function isEnumeratedKey(read: KeyedRead, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const declaration = ts.isIdentifier(read.key) ? checker.getSymbolAtLocation(read.key)?.valueDeclaration : undefined;
  const taking = declaration === undefined ? undefined : getKeyTaking(declaration, read, program);
  if (taking === undefined || taking.enumeration.store !== read.store || !isSameReference(taking.enumeration.collection, read.collection, checker)) {
    return false;
  }
  if ('copiedAt' in taking) {
    // `find` returns `undefined` when nothing matched; the read compiles with a key that is not, so a
    // check narrowed the `const` on the way here.
    const keyType = getNullishParts(checker.getTypeAtLocation(read.key));
    const container = getContainer(read.node);
    return (
      declaration !== undefined &&
      !keyType.undefined &&
      !keyType.null &&
      getContainer(declaration) === container &&
      !hasInterference({ end: taking.copiedAt, container }, read.node, interferesBeforeRead(read))
    );
  }
  return isDirectlyInside(read.node, taking.region) && isKeptForEachKey(read, taking.region, taking.enumeration.live);
}

/**
 * Does the key stay in the collection from the moment it is taken to the read? The part of each run
 * of `region` before the read (and the whole of every loop around the read inside it, which runs
 * again before the read) must not remove any key, write the collection or the key, or wait. After the
 * read, the run may remove the key it read: the next run reads another key. It may not remove any
 * other, nor write the collection, which an iterator would not notice; and for a copy of the keys it
 * may not wait, since the next key was copied before the wait.
 */
function isKeptForEachKey(read: KeyedRead, region: ts.Node, live: boolean): boolean {
  const scope = parentOf(region);
  if (scope === undefined || hasInterference({ end: region.getStart(), container: scope }, read.node, interferesBeforeRead(read))) {
    return false;
  }
  const parts = getReadParts(read);
  return !someNode(region, (node) => {
    const removal = getRemoval(node, read);
    if (removal !== undefined) {
      return removal === 'another-key';
    }
    return writesAny(node, parts) || (!live && isSuspension(node));
  });
}

/** Before the read nothing may wait, remove any entry, or write the collection or the key. */
function interferesBeforeRead(read: KeyedRead): (node: ts.Node) => boolean {
  const parts = getReadParts(read);
  return (node) => isSuspension(node) || getRemoval(node, read) !== undefined || writesAny(node, parts);
}

function getReadParts(read: KeyedRead): string[] {
  return [...getReferenceParts(read.collection), ...getReferenceParts(read.key)];
}

/** Does `node` remove entries from the read's collection: the key it reads, or possibly another one? */
function getRemoval(node: ts.Node, read: KeyedRead): 'the-key' | 'another-key' | undefined {
  let removed: ts.Expression | undefined;
  if (read.store === 'map') {
    if (!isMethodCallOn(node, read.collectionKey, ['delete', 'clear']) || !ts.isCallExpression(node)) {
      return undefined;
    }
    removed = node.arguments[0];
  } else if (ts.isDeleteExpression(node)) {
    const target = unwrapParentheses(node.expression);
    if (!(ts.isElementAccessExpression(target) || ts.isPropertyAccessExpression(target)) || getStableReferenceKey(target.expression) !== read.collectionKey) {
      return undefined;
    }
    removed = ts.isElementAccessExpression(target) ? target.argumentExpression : undefined;
  } else if (isMethodCallOn(node, 'Reflect', ['deleteProperty']) && ts.isCallExpression(node) && node.arguments[0] !== undefined) {
    if (getStableReferenceKey(node.arguments[0]) !== read.collectionKey) {
      return undefined;
    }
    removed = node.arguments[1];
  } else {
    return undefined;
  }
  return removed !== undefined && getStableReferenceKey(removed) === read.keyKey ? 'the-key' : 'another-key';
}

// --- ids.map((id) => m.get(id)!) after ids.every((id) => m.has(id)) -------------------------------

const ARRAY_MUTATORS = ['push', 'pop', 'shift', 'unshift', 'splice', 'fill', 'copyWithin', 'sort', 'reverse'];

function isEveryCheckedMapGet(read: KeyedRead, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const declaration = read.store === 'map' && ts.isIdentifier(read.key) ? checker.getSymbolAtLocation(read.key)?.valueDeclaration : undefined;
  const binding = declaration === undefined ? undefined : getCallbackBinding(declaration);
  if (binding === undefined || binding.index !== 0 || !isArrayCallbackMethod(binding.callee, program) || !isDirectlyInside(read.node, binding.fn.body)) {
    return false;
  }
  const array = unwrapParentheses(binding.callee.expression);
  const arrayDeclaration = ts.isIdentifier(array) ? checker.getSymbolAtLocation(array)?.valueDeclaration : undefined;
  if (!ts.isIdentifier(array) || arrayDeclaration === undefined || !ts.isVariableDeclaration(arrayDeclaration) || !isConstDeclaration(arrayDeclaration)) {
    return false;
  }
  const call = binding.fn.parent;
  const guard = findGuard(call, (condition, polarity) => isEveryHasCheck(condition, array, read.collection, polarity, program), () => false);
  if (guard === undefined) {
    return false;
  }
  // Each call of the callback runs after the earlier ones, so nothing in it may remove an entry or change the array.
  const interferes = (node: ts.Node): boolean => removesMapEntry(node, read.collectionKey, read.keyKey) || changesArrayElements(node, array.text);
  return !hasInterference(guard, call, interferes) && !someNode(call, interferes);
}

/** `ids.every((id) => m.has(id))` when `polarity` is true, `!ids.every(…)` when false. */
function isEveryHasCheck(condition: ts.Expression, array: ts.Identifier, map: ts.Expression, polarity: boolean, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  let node = unwrapParentheses(condition);
  if (!polarity) {
    if (!ts.isPrefixUnaryExpression(node) || node.operator !== ts.SyntaxKind.ExclamationToken) {
      return false;
    }
    node = unwrapParentheses(node.operand);
  }
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'every' || !isSameReference(node.expression.expression, array, checker)) {
    return false;
  }
  const [callback] = node.arguments;
  if (
    !isDeclaredInStandardLibrary(node.expression.name, program, ARRAY_INTERFACES) ||
    callback === undefined ||
    !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) ||
    hasParameterDefaults(callback)
  ) {
    return false;
  }
  const [parameter] = callback.parameters;
  const returned = getReturnedExpression(callback);
  const hasCall = returned === undefined ? undefined : unwrapParentheses(returned);
  const mapKey = getStableReferenceKey(map);
  return (
    mapKey !== undefined &&
    parameter !== undefined &&
    ts.isIdentifier(parameter.name) &&
    parameter.dotDotDotToken === undefined &&
    hasCall !== undefined &&
    ts.isCallExpression(hasCall) &&
    ts.isPropertyAccessExpression(hasCall.expression) &&
    isSameReference(hasCall.expression.expression, map, checker) &&
    isMapHasCall(hasCall, mapKey, parameter.name.text, true)
  );
}

/** `x` of `(…) => x` or of `function (…) { return x; }`. */
function getReturnedExpression(fn: ts.ArrowFunction | ts.FunctionExpression): ts.Expression | undefined {
  if (!ts.isBlock(fn.body)) {
    return fn.body;
  }
  const [only] = fn.body.statements;
  return fn.body.statements.length === 1 && only !== undefined && ts.isReturnStatement(only) ? only.expression : undefined;
}

function changesArrayElements(node: ts.Node, arrayKey: string): boolean {
  return (
    isMethodCallOn(node, arrayKey, ARRAY_MUTATORS) ||
    getWrittenReferenceKeys(node).some((written) => writeAffectsReference(written, arrayKey) || writeAffectsReference(arrayKey, written))
  );
}

// --- items.map((item) => item.value!) after items.every((item) => item.value) ---------------------

const ELEMENT_ARRAY_INTERFACES: ReadonlySet<string> = new Set(['Array', 'ReadonlyArray']);

/**
 * `x.p!` (or `x!`) where `x` is the element an array method's callback is given, after
 * `a.every((y) => y.p)` (or `a.every(Boolean)`) held for the same array: zod builds a union's values
 * with `options.every((o) => o._zod.values)` and then `options.flatMap((o) => [...o._zod.values!])`.
 * The check names the same path from its own parameter; it may test truthiness, `!= null`, or
 * `!== undefined` where the value cannot be `null`. The array is a stable reference, so, as for a
 * checked reference, calls in between are taken not to change it; no write to the array, its
 * elements or what it is read from, no method that adds or reorders elements, and no `await` may
 * run between the check and the call, nor inside the call, whose earlier callbacks run before a
 * later element is read; nor may the callback write the element or the path it reads.
 */
function isEveryCheckedElement(expression: ts.Expression, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const path = getElementPath(expression);
  const declaration = path === undefined ? undefined : checker.getSymbolAtLocation(path.root)?.valueDeclaration;
  const binding = declaration === undefined ? undefined : getCallbackBinding(declaration);
  if (path === undefined || binding === undefined || binding.index !== 0 || !isDirectlyInside(expression, binding.fn.body)) {
    return false;
  }
  const { callee, fn } = binding;
  const array = callee.expression;
  const arrayKey = getStableReferenceKey(array);
  if (arrayKey === undefined || !ARRAY_CALLBACK_METHODS.has(callee.name.text) || !isDeclaredInStandardLibrary(callee.name, program, ELEMENT_ARRAY_INTERFACES)) {
    return false;
  }
  const call = fn.parent;
  const guard = findGuard(call, (condition, polarity) => isEveryPresentCheck(condition, polarity, array, path.names, program), () => false);
  if (guard === undefined) {
    return false;
  }
  const arrayParts = getReferenceParts(array);
  const elementParts = getReferenceParts(expression);
  const changesArray = (node: ts.Node): boolean => isSuspension(node) || changesArrayElements(node, arrayKey) || writesAny(node, arrayParts);
  return !hasInterference(guard, call, changesArray) && !someNode(call, (node) => changesArray(node) || writesAny(node, elementParts));
}

/** `x`, `x.p`, `x.p.q`: a parameter and the property names read from it. */
function getElementPath(expression: ts.Expression): { root: ts.Identifier; names: string[] } | undefined {
  const names: string[] = [];
  let node = unwrapParentheses(expression);
  while (ts.isPropertyAccessExpression(node) && node.questionDotToken === undefined && ts.isIdentifier(node.name)) {
    names.unshift(node.name.text);
    node = unwrapParentheses(node.expression);
  }
  return ts.isIdentifier(node) ? { root: node, names } : undefined;
}

/** `a.every((y) => y.p)` (with `names` `['p']`) or `a.every(Boolean)` when `polarity` is true, `!a.every(…)` when false. */
function isEveryPresentCheck(condition: ts.Expression, polarity: boolean, array: ts.Expression, names: readonly string[], program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  let node = unwrapParentheses(condition);
  if (!polarity) {
    if (!ts.isPrefixUnaryExpression(node) || node.operator !== ts.SyntaxKind.ExclamationToken) {
      return false;
    }
    node = unwrapParentheses(node.operand);
  }
  if (!ts.isCallExpression(node) || node.arguments.length !== 1 || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'every') {
    return false;
  }
  const [callback] = node.arguments;
  if (callback === undefined || !isSameReference(node.expression.expression, array, checker) || !isDeclaredInStandardLibrary(node.expression.name, program, ELEMENT_ARRAY_INTERFACES)) {
    return false;
  }
  if (ts.isIdentifier(callback)) {
    return names.length === 0 && callback.text === 'Boolean' && isDeclaredOnlyInDefaultLibrary(checker.getSymbolAtLocation(callback), program);
  }
  // An async callback returns a promise, which is always truthy.
  if (!(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) || hasParameterDefaults(callback) || callback.asteriskToken !== undefined || tsutils.includesModifier(callback.modifiers, ts.SyntaxKind.AsyncKeyword)) {
    return false;
  }
  const [parameter] = callback.parameters;
  const returned = getReturnedExpression(callback);
  const tested = returned === undefined ? undefined : getTestedAsPresent(returned, true, checker);
  const testedPath = tested === undefined ? undefined : getElementPath(tested);
  return (
    parameter !== undefined &&
    ts.isIdentifier(parameter.name) &&
    parameter.dotDotDotToken === undefined &&
    testedPath !== undefined &&
    checker.getSymbolAtLocation(testedPath.root) === checker.getSymbolAtLocation(parameter.name) &&
    testedPath.names.length === names.length &&
    testedPath.names.every((name, index) => name === names[index])
  );
}

// --- m.set(k, v) again after whatever removed the entry ---------------------------------------

/**
 * `m.get(k)!` after `m.set(k, {})` (or `m.has(k)`), where the code in between may remove the entry or
 * replace the map, but always sets the entry again afterwards: matrix-js-sdk flushes a chunk of a
 * map with `await`, replaces the map and sets the current key again, inside the loop that reads it.
 */
function isReestablishedMapGet(read: KeyedRead): boolean {
  if (read.store !== 'map') {
    return false;
  }
  const { collectionKey: mapKey, keyKey } = read;
  const guard = findGuard(read.node, (condition, polarity) => isMapHasCall(condition, mapKey, keyKey, polarity), (statement) => ensuresMapEntry(statement, mapKey, keyKey));
  return (
    guard !== undefined &&
    !hasInterference(guard, read.node, (node) => removesMapEntry(node, mapKey, keyKey) && !isSetAgainAfter(node, read, guard.container))
  );
}

/**
 * Is the entry set again after `node` on every path to the read: a later statement of a block that
 * holds `node` is `m.set(k, v)`, no `break` or `continue` sits between them, no `try` inside the
 * function can catch an exception thrown between them and carry on without it, and the read itself
 * is not between them?
 */
function isSetAgainAfter(node: ts.Node, read: KeyedRead, container: ts.Node): boolean {
  let setAgain = false;
  let child: ts.Node = node;
  for (let parent = parentOf(node); parent !== undefined && child !== container; child = parent, parent = parentOf(parent)) {
    if (isFunctionBoundary(parent) || ts.isTryStatement(parent)) {
      return false;
    }
    if (!setAgain && (ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent))) {
      setAgain = isSetLaterInBlock(parent.statements, child, read);
    }
  }
  return setAgain;
}

function isSetLaterInBlock(statements: ts.NodeArray<ts.Statement>, child: ts.Node, read: KeyedRead): boolean {
  const index = statements.findIndex((statement) => statement === child);
  const setIndex = statements.findIndex((statement, position) => position > index && ensuresMapEntry(statement, read.collectionKey, read.keyKey));
  if (index < 0 || setIndex < 0) {
    return false;
  }
  const between = statements.slice(index, setIndex + 1);
  const readStart = read.node.getStart();
  return (
    !between.some((statement) => statement.getStart() <= readStart && readStart < statement.end) &&
    !between.some((statement) => someNode(statement, (inner) => ts.isBreakStatement(inner) || ts.isContinueStatement(inner)))
  );
}

// --- x! inside `for (… of Object.keys(x))` ------------------------------------------------------

/**
 * `Object.keys(x)` (and `values`, `entries`, `getOwnPropertyNames`, `Reflect.ownKeys`) throws on
 * `null` and `undefined`, so inside the loop it heads, or the callback of the array it returns, `x`
 * is neither, unless the body writes `x` (or what it is read from) or waits, letting other code do it.
 */
function isEnumeratedInLoopHeader(expression: ts.Expression, program: ts.Program): boolean {
  if (getStableReferenceKey(expression) === undefined) {
    return false;
  }
  let child: ts.Node = expression;
  for (let node = parentOf(expression); node !== undefined; child = node, node = parentOf(node)) {
    let enumerated: ts.Expression | undefined;
    if (ts.isForOfStatement(node) && node.statement === child && node.awaitModifier === undefined) {
      enumerated = node.expression;
    } else if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && node.body === child && ts.isCallExpression(node.parent) && node.parent.arguments[0] === node) {
      const callee = unwrapParentheses(node.parent.expression);
      enumerated = ts.isPropertyAccessExpression(callee) && isArrayCallbackMethod(callee, program) ? callee.expression : undefined;
    }
    const enumeration = enumerated === undefined ? undefined : getEnumeration(enumerated, program);
    if (enumeration?.store === 'object' && isSameReference(enumeration.collection, expression, program.getTypeChecker())) {
      // The loop variables' defaults and the callback's parameters run each time too.
      const parts = getReferenceParts(expression);
      const interferes = (inner: ts.Node): boolean => isSuspension(inner) || writesAny(inner, parts);
      return ts.isForOfStatement(node) ? !someNode(node.initializer, interferes) && !someNode(child, interferes) : !someNode(node, interferes);
    }
    if (isFunctionBoundary(node)) {
      return false;
    }
  }
  return false;
}

// --- shared -----------------------------------------------------------------------------------

/** Is `node` inside `region` without a function in between, so that it runs when `region` runs? */
function isDirectlyInside(node: ts.Node, region: ts.Node): boolean {
  for (let current = parentOf(node); current !== undefined; current = parentOf(current)) {
    if (current === region) {
      return true;
    }
    if (isFunctionBoundary(current)) {
      return false;
    }
  }
  return false;
}

/** Can evaluating `node` let other tasks run: `await`, `yield`, `for await`, `await using`? */
function isSuspension(node: ts.Node): boolean {
  return (
    ts.isAwaitExpression(node) ||
    ts.isYieldExpression(node) ||
    (ts.isForOfStatement(node) && node.awaitModifier !== undefined) ||
    (ts.isVariableDeclarationList(node) && getBlockScoping(node) === ts.NodeFlags.AwaitUsing)
  );
}

function writesAny(node: ts.Node, keys: readonly string[]): boolean {
  return getWrittenReferenceKeys(node).some((written) => keys.some((key) => writeAffectsReference(written, key)));
}

