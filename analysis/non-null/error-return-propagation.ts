import { isThenableType, unionConstituents } from 'ts-api-utils';
import ts from 'typescript';

import { getCallbackUse, getEnclosingFunction, isFunctionBoundary, type FunctionBoundary } from '../core/functions.js';
import { hasSideEffects } from '../core/side-effects.js';
import { describePosition, shorten } from '../core/source-text.js';
import { isSameDeclaredSymbol } from '../core/symbols.js';
import type { PackagePublicApi } from '../core/package-public-api.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { type CheckPlacement, type CheckPlacementResult, findCheckPlacement } from './check-placement.js';

export type { CheckPlacement, CheckPlacementResult } from './check-placement.js';

/**
 * Which callers must change when a function starts returning its errors, and can they pass them on?
 *
 * A function F that returns `T | MissingValueError` (or a `Result`) instead of `T` is only an
 * improvement if every caller handles the new case. A caller that can itself return the error
 * passes it on, and its own callers are handled in turn; a caller that cannot (a constructor, a
 * getter, a callback whose signature someone else fixed, module top level, the published API of a
 * package) throws it, explicitly, where it arrives. F itself keeps its signature, and throws, when
 * one of its calls cannot be followed: used as a value, called where a check cannot precede the
 * call without changing what runs when.
 */

export interface CallSite {
  call: ts.CallExpression;
  /** What the caller receives: the call, or `await call` when the function is async. */
  value: ts.Expression;
  /** The function the call is in; `undefined` at module top level or in a class field or static block. */
  caller: FunctionBoundary | undefined;
  /** `return f(x)` / `return await f(x)`: the caller hands the result on as it is. */
  returnedDirectly: boolean;
  placement: CheckPlacement;
}

export type CallSitesResult = { kind: 'calls'; sites: CallSite[] } | { kind: 'refusal'; reason: string };

export interface PropagationSettings {
  program: ts.Program;
  publicApi: PackagePublicApi;
  allowApiChange: boolean;
  /** `result`: the function's returns are wrapped in `ok(…)`, so it needs a body whose returns can be found. */
  mode: 'union' | 'result';
  /** A further reason a function must keep its signature (edits the caller knows about, such as overlapping fixes). */
  getExtraBoundary?: (fn: FunctionBoundary) => string | undefined;
  /** Calls whose result must not be hoisted as part of another call's value (they are rewritten themselves). */
  isRewrittenNode?: (node: ts.Node) => boolean;
}

/** What a call site does with the error it now receives. */
export type CallSiteAction =
  | { kind: 'propagate' }
  | { kind: 'return-existing'; channel: ErrorChannel }
  | { kind: 'throw'; reason: string };

export interface ErrorPropagationPlan {
  /** Functions that now return the error (the origins that could, and the callers that pass it on), with their call sites. */
  converted: Map<FunctionBoundary, CallSite[]>;
  /** Origins that keep their signature and throw instead, with why. */
  throwing: Map<FunctionBoundary, string>;
  actionOf(site: CallSite): CallSiteAction;
}

export function planErrorPropagation(origins: readonly FunctionBoundary[], settings: PropagationSettings): ErrorPropagationPlan {
  const checker = settings.program.getTypeChecker();
  const convertibility = new Map<FunctionBoundary, CallSitesResult>();
  const canConvert = (fn: FunctionBoundary): CallSitesResult => {
    let known = convertibility.get(fn);
    if (known === undefined) {
      const boundary = getSignatureBoundary(fn, settings) ?? settings.getExtraBoundary?.(fn);
      known = boundary !== undefined ? { kind: 'refusal', reason: boundary } : findCallSites(fn, settings);
      convertibility.set(fn, known);
    }
    return known;
  };

  const converted = new Map<FunctionBoundary, CallSite[]>();
  const throwing = new Map<FunctionBoundary, string>();
  const actions = new Map<CallSite, CallSiteAction>();
  const queue: FunctionBoundary[] = [];
  for (const origin of origins) {
    const result = canConvert(origin);
    if (result.kind === 'refusal') {
      throwing.set(origin, result.reason);
    } else if (!converted.has(origin)) {
      converted.set(origin, result.sites);
      queue.push(origin);
    }
  }
  for (let fn = queue.shift(); fn !== undefined; fn = queue.shift()) {
    for (const site of converted.get(fn) ?? []) {
      const caller = site.caller;
      if (caller === undefined) {
        actions.set(site, { kind: 'throw', reason: 'it is at module top level, where there is no caller to return it to' });
        continue;
      }
      const handler = getEnclosingErrorHandler(site.call, caller);
      if (handler !== undefined) {
        actions.set(site, { kind: 'throw', reason: handler });
        continue;
      }
      const channel = getExistingErrorChannel(caller, checker);
      if (channel !== undefined) {
        actions.set(site, { kind: 'return-existing', channel });
        continue;
      }
      const result = canConvert(caller);
      if (result.kind === 'refusal') {
        actions.set(site, { kind: 'throw', reason: result.reason });
        continue;
      }
      actions.set(site, { kind: 'propagate' });
      if (!converted.has(caller)) {
        converted.set(caller, result.sites);
        queue.push(caller);
      }
    }
  }
  return {
    converted,
    throwing,
    actionOf: (site) => actions.get(site) ?? { kind: 'throw', reason: 'the caller was not analysed' },
  };
}

/**
 * Why a check at `node` must throw rather than return the error: in the `try` block of a `try` with
 * a `catch`, a missing value used to end as an exception that the `catch` handled (often a log that
 * keeps telemetry or clean-up from failing the real work), and a returned error would leave the
 * `try` past it. In a `finally`, a `return` would replace what the function returns and swallow an
 * exception in flight. Only the `try` statements of `fn` itself count.
 */
export function getEnclosingErrorHandler(node: ts.Node, fn: FunctionBoundary | undefined): string | undefined {
  let child: ts.Node = node;
  for (let current = node.parent as ts.Node | undefined; current !== undefined && current !== fn; child = current, current = current.parent) {
    if (isFunctionBoundary(current)) return undefined;
    if (!ts.isTryStatement(current)) continue;
    if (child === current.tryBlock && current.catchClause !== undefined) {
      const sourceFile = current.getSourceFile();
      const line = sourceFile.getLineAndCharacterOfPosition(current.catchClause.getStart(sourceFile)).line + 1;
      return `it is inside a \`try\` whose \`catch\` (line ${String(line)}) handled what the missing value used to throw; returned, the error would leave the \`try\` past it`;
    }
    if (child === current.finallyBlock) {
      return 'it is inside a `finally`, where a `return` would replace what the function returns and swallow an exception in flight';
    }
  }
  return undefined;
}

// --- can this function change what it returns? -------------------------------------------------------

/** Why `fn` must keep its signature, or `undefined` when it may return an error instead. */
export function getSignatureBoundary(fn: FunctionBoundary, settings: PropagationSettings): string | undefined {
  const checker = settings.program.getTypeChecker();
  if (ts.isConstructorDeclaration(fn)) return 'a constructor cannot return an error';
  if (ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return 'an accessor cannot return an error without changing the property’s type';
  if (fn.asteriskToken !== undefined) return 'a generator yields its values; returning an error would not reach the consumer';
  if (fn.body === undefined) return 'it has no body';
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    const holder = getConstHolder(fn);
    if (holder === undefined) {
      const callee = getCallbackCallee(fn);
      return callee === undefined ? 'its signature is fixed by where it is passed or assigned' : `it is a \`${callee}\` callback, whose signature is fixed by \`${callee}\``;
    }
    if (holder.type !== undefined) return `its signature is fixed by the declared type of \`${holder.name.getText()}\``;
  }
  if (ts.isMethodDeclaration(fn)) {
    if (!ts.isClassLike(fn.parent)) return 'it is a method of an object literal, whose signature is fixed by the object’s type';
    const overridden = getOverriddenMember(fn, checker);
    if (overridden !== undefined) return `it implements or overrides \`${overridden}\`, whose signature it must keep`;
  }
  const symbol = getFunctionSymbol(fn, checker);
  if (symbol === undefined) return 'its callers cannot be found';
  if ((symbol.declarations ?? []).filter((declaration) => isFunctionBoundary(declaration) || ts.isMethodSignature(declaration)).length > 1) {
    return 'it has overloads';
  }
  const isAsync = (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
  const signature = checker.getSignatureFromDeclaration(fn);
  if (!isAsync && signature !== undefined && unionConstituents(checker.getReturnTypeOfSignature(signature)).some((part) => isThenableType(checker, fn, part))) {
    return 'it returns a promise without being `async`, so an error returned by the check would not be inside it';
  }
  if (fn.type !== undefined && isAsync && !isPromiseTypeReference(fn.type)) {
    return `its declared return type \`${fn.type.getText()}\` is not written as \`Promise<…>\``;
  }
  if (!settings.allowApiChange && settings.publicApi.isPublic(fn)) {
    return 'it is part of the package’s public API (pass --allow-api-change to change it anyway)';
  }
  if (settings.mode === 'result' && ts.isBlock(fn.body) && hasReturnWithoutValue(fn.body)) {
    return 'it has a `return;` without a value, which a `Result` cannot carry';
  }
  return undefined;
}

/** The `Promise<…>` of an async function's declared return type, whose argument a codemod can edit. */
export function isPromiseTypeReference(type: ts.TypeNode): type is ts.TypeReferenceNode & { typeArguments: ts.NodeArray<ts.TypeNode> } {
  return ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === 'Promise' && type.typeArguments?.length === 1;
}

function hasReturnWithoutValue(body: ts.Block): boolean {
  let found = false;
  forEachOwnReturn(body, (statement) => {
    if (statement.expression === undefined) found = true;
  });
  return found;
}

/** Every `return` of this function body, not of functions nested in it. */
export function forEachOwnReturn(body: ts.Node, visit: (statement: ts.ReturnStatement) => void): void {
  const walk = (node: ts.Node): void => {
    if (ts.isReturnStatement(node)) visit(node);
    if (isFunctionBoundary(node) || ts.isClassLike(node)) return;
    node.forEachChild(walk);
  };
  body.forEachChild(walk);
}

/** The `const f = () => …` that names an arrow or function expression, if that is where it lives. */
function getConstHolder(fn: ts.ArrowFunction | ts.FunctionExpression): ts.VariableDeclaration | undefined {
  let use: ts.Node = fn;
  while (ts.isParenthesizedExpression(use.parent)) use = use.parent;
  const declaration = use.parent;
  if (
    ts.isVariableDeclaration(declaration) &&
    declaration.initializer === use &&
    ts.isIdentifier(declaration.name) &&
    ts.isVariableDeclarationList(declaration.parent) &&
    (declaration.parent.flags & ts.NodeFlags.Const) !== 0
  ) {
    return declaration;
  }
  return undefined;
}

/** Is the function a callback passed to a call (`items.map((item) => …)`)? Its return value goes to the callee, not to the enclosing function. */
export function getCallbackCallee(fn: FunctionBoundary): string | undefined {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const use = getCallbackUse(fn);
  return use === undefined ? undefined : (use.calleeName ?? 'the call');
}

/** `Base.method` for a method that overrides a base class member or implements an interface member of the same name. */
function getOverriddenMember(method: ts.MethodDeclaration, checker: ts.TypeChecker): string | undefined {
  const owner = method.parent;
  const name = method.name.getText();
  for (const clause of ts.isClassLike(owner) ? (owner.heritageClauses ?? []) : []) {
    for (const heritage of clause.types) {
      const type = checker.getTypeAtLocation(heritage);
      const baseTypes = type.isClassOrInterface() || type.isIntersection() ? [type] : [checker.getApparentType(type)];
      for (const base of baseTypes) {
        if (base.getProperty(name) !== undefined) return `${heritage.expression.getText()}.${name}`;
      }
    }
  }
  return undefined;
}

function getFunctionSymbol(fn: FunctionBoundary, checker: ts.TypeChecker): ts.Symbol | undefined {
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    const holder = getConstHolder(fn);
    return holder === undefined ? undefined : checker.getSymbolAtLocation(holder.name);
  }
  return fn.name === undefined ? undefined : checker.getSymbolAtLocation(fn.name);
}

// --- the calls ---------------------------------------------------------------------------------------

/** Every call of `fn` in the program's own files, or why they cannot all be followed. */
export function findCallSites(fn: FunctionBoundary, settings: PropagationSettings): CallSitesResult {
  const { program } = settings;
  const checker = program.getTypeChecker();
  const symbol = getFunctionSymbol(fn, checker);
  if (symbol === undefined) return { kind: 'refusal', reason: 'its callers cannot be found' };
  const isAsync = (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
  // A `#private` method is named with its `#` in the source, which is what the text search needs.
  const name = !ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn) && fn.name !== undefined && ts.isPrivateIdentifier(fn.name) ? fn.name.text : symbol.name;
  const sites: CallSite[] = [];
  let refusal: string | undefined;

  const ownFiles = program.getSourceFiles().filter((sourceFile) => !sourceFile.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sourceFile));
  // `import { name as alias }`: the calls in that file are written with the alias.
  const names = new Set([name]);
  for (const sourceFile of ownFiles) {
    if (!sourceFile.text.includes(name)) continue;
    for (const statement of sourceFile.statements) {
      const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
      if (bindings === undefined || !ts.isNamedImports(bindings)) continue;
      for (const element of bindings.elements) {
        if (element.propertyName !== undefined && element.propertyName.text === name) names.add(element.name.text);
      }
    }
  }

  for (const sourceFile of ownFiles) {
    if (refusal !== undefined) break;
    if (![...names].some((candidate) => sourceFile.text.includes(candidate))) continue;
    const visit = (node: ts.Node): void => {
      if (refusal !== undefined) return;
      if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && names.has(node.text) && !isDeclarationName(node) && resolvesTo(node, symbol, checker)) {
        const site = toCallSite(node, isAsync, settings);
        if (typeof site === 'string') {
          refusal = `${site} (${describePosition(node)})`;
          return;
        }
        if (site !== undefined) sites.push(site);
      }
      node.forEachChild(visit);
    };
    visit(sourceFile);
  }
  return refusal !== undefined ? { kind: 'refusal', reason: refusal } : { kind: 'calls', sites };
}

function isDeclarationName(identifier: ts.Identifier | ts.PrivateIdentifier): boolean {
  const parent = identifier.parent;
  return (
    ((ts.isFunctionDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isVariableDeclaration(parent)) && parent.name === identifier) ||
    ts.isImportSpecifier(parent) ||
    ts.isImportClause(parent) ||
    ts.isExportSpecifier(parent)
  );
}

function resolvesTo(identifier: ts.Identifier | ts.PrivateIdentifier, symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  let found = checker.getSymbolAtLocation(identifier);
  if (found !== undefined && (found.flags & ts.SymbolFlags.Alias) !== 0) found = checker.getAliasedSymbol(found);
  return isSameDeclaredSymbol(found, symbol);
}

/** A call site, `undefined` for a reference that needs no change (`typeof f`), or why the reference cannot be followed. */
function toCallSite(identifier: ts.Identifier | ts.PrivateIdentifier, isAsync: boolean, settings: PropagationSettings): CallSite | string | undefined {
  if (ts.isTypeQueryNode(identifier.parent)) return undefined;
  let callee: ts.Node = identifier;
  if (ts.isPropertyAccessExpression(identifier.parent) && identifier.parent.name === identifier) callee = identifier.parent;
  while (ts.isParenthesizedExpression(callee.parent)) callee = callee.parent;
  const call = callee.parent;
  if (!ts.isCallExpression(call) || call.expression !== callee) {
    return 'it is used as a value there, so what it returns cannot be followed';
  }
  if (call.questionDotToken !== undefined || (ts.isPropertyAccessExpression(callee) && callee.questionDotToken !== undefined)) {
    return 'it is called through `?.` there';
  }
  let value: ts.Expression = call;
  while (ts.isParenthesizedExpression(value.parent)) value = value.parent;
  if (ts.isAwaitExpression(value.parent)) {
    value = value.parent;
  }
  const caller = getEnclosingFunction(call);
  const returnedDirectly = isReturnedDirectly(value);
  if (isAsync && !ts.isAwaitExpression(value)) {
    const callerIsAsync = caller !== undefined && (ts.getCombinedModifierFlags(caller) & ts.ModifierFlags.Async) !== 0;
    if (!returnedDirectly || !callerIsAsync) return 'its promise is not awaited there, so a check cannot see the error';
  }
  const placement = getCheckPlacement(value, settings);
  if (placement.kind === 'refusal') return placement.reason;
  return { call, value, caller, returnedDirectly, placement };
}

function isReturnedDirectly(value: ts.Expression): boolean {
  let node: ts.Node = value;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  return ts.isReturnStatement(node.parent) || (ts.isArrowFunction(node.parent) && node.parent.body === node);
}

// --- where the check of a call's result goes ----------------------------------------------------------

/**
 * Where `if (v instanceof MissingValueError) …` can go for the value of `value`: the same rules as
 * the check of a `!` (analysis/non-null/assertion-fix.ts), applied to a call. The call must run
 * whenever its statement does, and nothing with side effects may run before it in the statement,
 * since hoisting it would move it ahead of that.
 */
export function getCheckPlacement(value: ts.Expression, settings: Pick<PropagationSettings, 'isRewrittenNode'> = {}): CheckPlacementResult {
  const sourceFile = value.getSourceFile();
  if (containsRewrittenNode(value, settings)) {
    return { kind: 'refusal', reason: 'its arguments hold another value that is rewritten; split the expression by hand' };
  }
  return findCheckPlacement(value, 'call', {
    refuseEarlier: (sibling) =>
      hasSideEffects(sibling) ? `\`${shorten(sibling.getText(sourceFile))}\` runs before the call; checking the call first would change the order` : undefined,
  });
}

function containsRewrittenNode(value: ts.Expression, settings: Pick<PropagationSettings, 'isRewrittenNode'>): boolean {
  const isRewritten = settings.isRewrittenNode;
  if (isRewritten === undefined) return false;
  let found = false;
  const call = ts.isAwaitExpression(value) ? unwrapParentheses(value.expression) : value;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (node !== call && isRewritten(node)) {
      found = true;
      return;
    }
    node.forEachChild(visit);
  };
  call.forEachChild(visit);
  return found;
}

// --- does the caller already return errors? ------------------------------------------------------------

/**
 * How a function already returns errors, if it does in a way a `MissingValueError` fits: a union
 * with `Error` (or a supertype of it), or neverthrow's `Result<T, E>` with such an `E`. Such a
 * function passes the error on without changing its signature, so its callers need nothing new.
 */
export type ErrorChannel = 'error-union' | 'result';

export function getExistingErrorChannel(fn: FunctionBoundary, checker: ts.TypeChecker): ErrorChannel | undefined {
  if (ts.isConstructorDeclaration(fn) || ts.isSetAccessorDeclaration(fn) || fn.asteriskToken !== undefined) return undefined;
  const signature = checker.getSignatureFromDeclaration(fn);
  const errorSymbol = checker.resolveName('Error', fn, ts.SymbolFlags.Type, false);
  if (signature === undefined || errorSymbol === undefined) return undefined;
  const errorType = checker.getDeclaredTypeOfSymbol(errorSymbol);
  let returnType = checker.getReturnTypeOfSignature(signature);
  if ((ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0) returnType = checker.getAwaitedType(returnType) ?? returnType;
  const parts = unionConstituents(returnType);
  const acceptsError = (type: ts.Type): boolean => (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) === 0 && checker.isTypeAssignableTo(errorType, type);
  if (parts.length > 1 && parts.some(acceptsError)) return 'error-union';
  const names = parts.map((part) => part.getSymbol()?.name);
  const errPart = parts[names.indexOf('Err')];
  if (parts.length === 2 && names.includes('Ok') && errPart !== undefined && NEVERTHROW_PATH.test(errPart.getSymbol()?.declarations?.[0]?.getSourceFile().fileName ?? '')) {
    const errorArgument = checker.getTypeArguments(errPart as ts.TypeReference)[1];
    const err = checker.resolveName('err', fn, ts.SymbolFlags.Value, false);
    if (errorArgument !== undefined && err !== undefined && unionConstituents(errorArgument).some(acceptsError)) return 'result';
  }
  return undefined;
}

const NEVERTHROW_PATH = /[\\/]node_modules[\\/]neverthrow[\\/]/;
