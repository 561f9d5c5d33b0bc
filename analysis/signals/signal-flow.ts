import * as tsutils from 'ts-api-utils';
import ts from 'typescript';

import { parentOf } from '../core/parent.js';
import { getNonNullishConstituents, isAnyOrUnknown, isPlatformType } from '../core/types.js';
import type { TextEdit } from '../core/text-edit.js';
import { isAbortSignalType } from './abort-signal-type.js';

/**
 * Does an `AbortSignal` reach a call, and if not, could one? The question behind
 * `no-floating-without-abort`: a fire-and-forget billing task started from a request handler kept
 * polling for 600 s after the client had gone, because nothing could cancel it. In TypeScript the
 * fix is a signal passed down, so the rule needs to know whether the call already gets one, where
 * it would go, and which signal the surrounding code could hand over.
 */

/**
 * How an `AbortSignal` reaches a call:
 * - `passed`: an argument is a signal (`via: 'argument'`), or an object carrying one in a
 *   signal property (`via: 'options-property'`: `{ signal }`, `{ ...init }`, a forwarded `init`);
 *   `signal` is the expression that carries it: the signal itself when the code writes it out,
 *   otherwise the object (`init`, the spread `init` of `{ ...init }`). An object that owns a
 *   signal counts as well: `fetch(request)` is cancelled by `request.signal`;
 * - `accepted-not-passed`: the callee's resolved signature takes a signal as a parameter
 *   (`name` is the parameter) or in a property of an options parameter (`name` is the property,
 *   usually `signal`), at `argumentIndex`, but the call gives none: `fetch(url)`,
 *   `fetch(url, { method: 'POST' })`;
 * - `not-accepted`: there is no place to hand the callee a signal; only wrapping the work helps;
 * - `unknown`: the callee is `any` or unresolved, or the argument where a signal would go is
 *   `any` or spread in; guessing would report code nobody can fix.
 */
export type SignalReach =
  | { kind: 'passed'; via: 'argument' | 'options-property'; argumentIndex: number; signal: ts.Expression }
  | { kind: 'accepted-not-passed'; where: 'parameter' | 'options-property'; name: string; argumentIndex: number }
  | { kind: 'not-accepted' }
  | { kind: 'unknown' };

/** A place in a signature where a signal can go, see {@link SignalReach}. */
interface SignalPlace {
  where: 'parameter' | 'options-property';
  name: string;
  parameterIndex: number;
}

/** Whether a parameter or property of `type` would take an `AbortSignal` (`AbortSignal | number` would). */
function acceptsAbortSignal(type: ts.Type, program: ts.Program): boolean {
  return tsutils.unionConstituents(type).some((part) => isPlatformType(part, 'AbortSignal', program));
}

/**
 * The properties of an options type that take a signal, `signal` first. Only properties whose name
 * mentions a signal are typed: asking for the type of every member of a `Readable` or an
 * `HTMLElement` parameter would cost more than the whole rule. A read-only property is not a
 * place to put a signal but one the object owns (`Request.signal`, `AbortController.signal`):
 * without this, `fetch(url)` would ask for a signal inside its `url`.
 */
function getSignalPropertyNames(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): string[] {
  const names = new Set<string>();
  for (const part of getNonNullishConstituents(type) ?? []) {
    // Node's options are intersections (`{ encoding } & Abortable`), which are not object types themselves.
    if (!tsutils.isObjectType(part) && !tsutils.isIntersectionType(part)) {
      continue;
    }
    for (const property of checker.getPropertiesOfType(part)) {
      const name = property.getName();
      if (
        name.toLowerCase().includes('signal') &&
        acceptsAbortSignal(checker.getTypeOfSymbol(property), program) &&
        (tsutils.isSymbolFlagSet(property, ts.SymbolFlags.Optional) || !tsutils.isPropertyReadonlyInType(part, property.getEscapedName(), checker))
      ) {
        names.add(name);
      }
    }
  }
  return [...names].sort((left, right) => Number(right === 'signal') - Number(left === 'signal'));
}

/** The type one argument at `parameter`'s position must have: a rest parameter's element type. */
function getArgumentTypeOfParameter(parameter: ts.Symbol, checker: ts.TypeChecker): ts.Type {
  const type = checker.getTypeOfSymbol(parameter);
  const declaration = parameter.valueDeclaration;
  if (declaration !== undefined && ts.isParameter(declaration) && declaration.dotDotDotToken !== undefined) {
    return checker.getIndexTypeOfType(type, ts.IndexKind.Number) ?? type;
  }
  return type;
}

/** Where `signature` takes a signal, in parameter order. */
function getSignalPlaces(signature: ts.Signature, checker: ts.TypeChecker, program: ts.Program): SignalPlace[] {
  const places: SignalPlace[] = [];
  signature.getParameters().forEach((parameter, parameterIndex) => {
    const type = getArgumentTypeOfParameter(parameter, checker);
    if (acceptsAbortSignal(type, program)) {
      places.push({ where: 'parameter', name: parameter.getName(), parameterIndex });
      return;
    }
    for (const name of getSignalPropertyNames(type, checker, program)) {
      places.push({ where: 'options-property', name, parameterIndex });
    }
  });
  return places;
}

function skipOuterExpressions(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isNonNullExpression(current)) {
    current = current.expression;
  }
  return current;
}

function getStaticPropertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : undefined;
}

/**
 * The expression that puts the signal into the options argument: the value of a written-out
 * `signal` property, the object spread into the literal, or the argument itself.
 */
function findSignalInOptions(argument: ts.Expression, propertyName: string, checker: ts.TypeChecker): ts.Expression {
  const literal = skipOuterExpressions(argument);
  if (!ts.isObjectLiteralExpression(literal)) {
    return argument;
  }
  // The last mention wins, as it does at run time: `{ ...init, signal }` passes `signal`.
  for (const property of [...literal.properties].reverse()) {
    if (ts.isPropertyAssignment(property) && getStaticPropertyName(property.name) === propertyName) {
      return property.initializer;
    }
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === propertyName) {
      return property.name;
    }
    if (ts.isSpreadAssignment(property) && checker.getPropertyOfType(checker.getTypeAtLocation(property.expression), propertyName) !== undefined) {
      return property.expression;
    }
  }
  return argument;
}

/** How `argument` passes a signal, if it does; `propertyNames` are where an options object may carry one. */
function getPassedSignal(
  argument: ts.Expression,
  argumentIndex: number,
  propertyNames: readonly string[],
  checker: ts.TypeChecker,
  program: ts.Program,
): SignalReach | undefined {
  const type = checker.getTypeAtLocation(argument);
  if (isAbortSignalType(type, program)) {
    return { kind: 'passed', via: 'argument', argumentIndex, signal: argument };
  }
  // One part of a union carrying a signal is enough, as `AbortSignal | undefined` is:
  // `signal === undefined ? {} : { signal }` passes the signal whenever there is one.
  const parts = getNonNullishConstituents(type) ?? [];
  for (const name of propertyNames) {
    const carriesSignal = parts.some((part) => {
      const property = checker.getPropertyOfType(part, name);
      return property !== undefined && isAbortSignalType(checker.getTypeOfSymbol(property), program);
    });
    if (carriesSignal) {
      return { kind: 'passed', via: 'options-property', argumentIndex, signal: findSignalInOptions(argument, name, checker) };
    }
  }
  return undefined;
}

/**
 * Whether an `AbortSignal` reaches `call`, and if not, where the callee would take one; see
 * {@link SignalReach}. The checker's resolved signature decides, so an overloaded callee answers
 * for the overload this call picks (`spawn(cmd)` takes options second, `spawn(cmd, args)` third).
 * A signal the call visibly passes counts even when the callee is `any`: that is a fact, not a guess.
 */
export function getSignalReach(call: ts.CallExpression | ts.NewExpression, program: ts.Program): SignalReach {
  const checker = program.getTypeChecker();
  const calleeIsUnknown = isAnyOrUnknown(checker.getTypeAtLocation(call.expression));
  const signature = calleeIsUnknown ? undefined : checker.getResolvedSignature(call);
  const places = signature === undefined ? [] : getSignalPlaces(signature, checker, program);
  const lastParameterIndex = (signature?.getParameters().length ?? 0) - 1;
  const argumentList = call.arguments ?? [];

  for (const [argumentIndex, argument] of argumentList.entries()) {
    if (ts.isSpreadElement(argument)) {
      continue;
    }
    // Arguments beyond the last parameter belong to a rest parameter.
    const parameterIndex = Math.min(argumentIndex, Math.max(lastParameterIndex, 0));
    const propertyNames = new Set(['signal']);
    for (const place of places) {
      if (place.where === 'options-property' && place.parameterIndex === parameterIndex) {
        propertyNames.add(place.name);
      }
    }
    const passed = getPassedSignal(argument, argumentIndex, [...propertyNames], checker, program);
    if (passed !== undefined) {
      return passed;
    }
  }

  if (signature === undefined) {
    return { kind: 'unknown' };
  }
  const place = places[0];
  if (place === undefined) {
    return { kind: 'not-accepted' };
  }
  const firstSpread = argumentList.findIndex((argument) => ts.isSpreadElement(argument));
  if (firstSpread >= 0 && firstSpread <= place.parameterIndex) {
    return { kind: 'unknown' };
  }
  const argumentAtPlace = argumentList[place.parameterIndex];
  if (argumentAtPlace !== undefined && isAnyOrUnknown(checker.getTypeAtLocation(argumentAtPlace))) {
    return { kind: 'unknown' };
  }
  return { kind: 'accepted-not-passed', where: place.where, name: place.name, argumentIndex: place.parameterIndex };
}

/**
 * A signal the code at some node could pass on:
 * - `declaration` is the parameter or constant name that holds it (the binding of a destructured
 *   `{ signal }`), or the object whose `signal` property does (`controller`, `options`, `request`);
 * - `access` says which of the two;
 * - `text` is what to write at the call: `signal`, `controller.signal`, `options?.signal`.
 */
export interface SignalInScope {
  declaration: ts.Identifier;
  access: 'itself' | 'signal-property';
  text: string;
}

function getBindingNames(name: ts.BindingName): ts.Identifier[] {
  if (ts.isIdentifier(name)) {
    return [name];
  }
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : getBindingNames(element.name)));
}

/** The `const` names declared by `statements` before `child`, nearest first. */
function getConstantNamesBefore(statements: readonly ts.Statement[], child: ts.Node): ts.Identifier[] {
  const names: ts.Identifier[] = [];
  for (const statement of statements) {
    if (statement.end > child.pos) {
      break;
    }
    if (ts.isVariableStatement(statement) && tsutils.isNodeFlagSet(statement.declarationList, ts.NodeFlags.Const)) {
      names.push(...statement.declarationList.declarations.flatMap((declaration) => getBindingNames(declaration.name)));
    }
  }
  // The nearest declaration is the most specific: `AbortSignal.any([signal, timeout])` over `signal`.
  return names.reverse();
}

function getStatementsOf(node: ts.Node): readonly ts.Statement[] | undefined {
  if (ts.isBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
    return node.statements;
  }
  return undefined;
}

/** How `name` gives a signal, if its value is one or has a `signal` property that is one. */
function getSignalOfName(name: ts.Identifier, checker: ts.TypeChecker, program: ts.Program): SignalInScope | undefined {
  const type = checker.getTypeAtLocation(name);
  if (isAbortSignalType(type, program)) {
    return { declaration: name, access: 'itself', text: name.text };
  }
  if (isAnyOrUnknown(type)) {
    return undefined;
  }
  const property = checker.getPropertyOfType(checker.getNonNullableType(type), 'signal');
  if (property === undefined || !isAbortSignalType(checker.getTypeOfSymbol(property), program)) {
    return undefined;
  }
  const mayBeMissing = checker.getNonNullableType(type) !== type;
  return { declaration: name, access: 'signal-property', text: `${name.text}${mayBeMissing ? '?.' : '.'}signal` };
}

/**
 * A signal the code at `node` could pass, for a suggestion "pass `signal`": looking outwards from
 * `node`, the `const`s declared before it in each enclosing block and the parameters of each
 * enclosing function (a destructured `{ signal }` included), nearest first. A name counts when it
 * is an `AbortSignal` or has a `signal` property that is one (`controller`, `options`, a web
 * `Request`). Nothing at module level counts: a module-wide signal cancels every request at once,
 * never the one that went away. A name shadowed at `node` is skipped.
 */
export function findSignalInScope(node: ts.Node, program: ts.Program): SignalInScope | undefined {
  const checker = program.getTypeChecker();
  const isVisibleAtNode = (name: ts.Identifier): boolean =>
    checker.resolveName(name.text, node, ts.SymbolFlags.Value, false) === checker.getSymbolAtLocation(name);

  const candidates: ts.Identifier[] = [];
  // How many candidates come from inside the outermost enclosing function; the rest are module-level.
  let candidatesInsideFunctions: number | undefined;
  let child = node;
  for (let parent = parentOf(node); parent !== undefined; child = parent, parent = parentOf(parent)) {
    const statements = getStatementsOf(parent);
    if (statements !== undefined) {
      candidates.push(...getConstantNamesBefore(statements, child));
    }
    if (ts.isFunctionLike(parent)) {
      candidates.push(...parent.parameters.flatMap((parameter) => getBindingNames(parameter.name)));
      candidatesInsideFunctions = candidates.length;
    }
    if (ts.isSourceFile(parent) || ts.isModuleBlock(parent)) {
      break;
    }
  }
  for (const name of candidates.slice(0, candidatesInsideFunctions ?? 0)) {
    if (!isVisibleAtNode(name)) {
      continue;
    }
    const signal = getSignalOfName(name, checker, program);
    if (signal !== undefined) {
      return signal;
    }
  }
  return undefined;
}

/**
 * The edit that hands `signal` to `call` where its callee takes one (`reach`), for a suggestion:
 * a new last argument (`fetch(url)` → `fetch(url, { signal })`), or a property added to the
 * object literal already there (`{ method: 'POST' }` → `{ method: 'POST', signal }`). No edit when
 * the place is not at the end of the arguments or holds something other than a literal: writing
 * the argument out would mean guessing what the other ones are.
 */
export function getPassSignalEdit(call: ts.CallExpression | ts.NewExpression, reach: Extract<SignalReach, { kind: 'accepted-not-passed' }>, signal: SignalInScope): TextEdit | undefined {
  const argumentList = call.arguments;
  if (argumentList === undefined || argumentList.hasTrailingComma) {
    return undefined;
  }
  const value = reach.where === 'options-property' ? (reach.name === signal.text ? reach.name : `${reach.name}: ${signal.text}`) : signal.text;
  const written = reach.where === 'options-property' ? `{ ${value} }` : value;
  if (reach.argumentIndex === argumentList.length) {
    const closingParenthesis = call.getEnd() - 1;
    if (call.getSourceFile().text[closingParenthesis] !== ')') {
      return undefined;
    }
    return argumentList.length === 0
      ? { start: closingParenthesis, end: closingParenthesis, text: written }
      : { start: argumentList.end, end: argumentList.end, text: `, ${written}` };
  }
  const existing = argumentList[reach.argumentIndex];
  if (reach.where !== 'options-property' || existing === undefined || !ts.isObjectLiteralExpression(existing) || existing.properties.hasTrailingComma) {
    return undefined;
  }
  const last = existing.properties[existing.properties.length - 1];
  if (last === undefined) {
    return { start: existing.getStart(), end: existing.getEnd(), text: written };
  }
  return { start: last.getEnd(), end: last.getEnd(), text: `, ${value}` };
}

/**
 * Whether `call` hands a signal to a callback it is given: `queue.add(async ({ signal }) => …)`,
 * `withTimeout(async (signal) => …)`. Such a callee owns the cancellation of the work it runs
 * (a queue aborts its jobs when it is cleared), so the work is not left without a way to stop.
 */
export function handsSignalToCallback(call: ts.CallExpression | ts.NewExpression, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  return (call.arguments ?? []).some((argument) => {
    const callback = skipOuterExpressions(argument);
    if (!ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) {
      return false;
    }
    return callback.parameters.some((parameter) => {
      const type = checker.getTypeAtLocation(parameter);
      if (isAbortSignalType(type, program)) {
        return true;
      }
      const parts = getNonNullishConstituents(type) ?? [];
      return parts.some((part) => {
        const property = checker.getPropertyOfType(part, 'signal');
        return property !== undefined && isAbortSignalType(checker.getTypeOfSymbol(property), program);
      });
    });
  });
}

/**
 * Whether `call`'s callee is the platform's own (TypeScript's lib or `@types/node`: `fetch`,
 * `fs.promises`, `timers/promises`, `events.once`), whose signal-taking calls do I/O or wait.
 * A library's signal-taking method may be a local write that ends at once; the platform's are the
 * calls whose missing signal is known to matter.
 */
export function isPlatformCall(call: ts.CallExpression | ts.NewExpression, program: ts.Program): boolean {
  const declaration = program.getTypeChecker().getResolvedSignature(call)?.getDeclaration() as ts.Node | undefined;
  if (declaration === undefined) {
    return false;
  }
  const sourceFile = declaration.getSourceFile();
  return program.isSourceFileDefaultLibrary(sourceFile) || /[\\/]node_modules[\\/]@types[\\/]node[\\/]/.test(sourceFile.fileName);
}
