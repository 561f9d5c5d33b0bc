import * as tsutils from 'ts-api-utils';
import ts from 'typescript';

import { getWasmBindgenReleaseMethod, isConvenienceDisposable } from './convenience-disposables.js';
import { getDeclarationOrigin, originIsPackage } from '../core/declaration-origin.js';
import {
  conventionalReleaseMethods,
  findKnownResource,
  getCalleeDescriptor,
  getDrainingReleases,
  isCompletedThroughCallback,
  type KnownResource,
  type ReleaseForm,
} from './known-resources.js';
import { findLearnedReleaseFunction, findLearnedResource } from './learned-resources.js';
import type { ResourceAnalysisContext } from './context.js';
import { typeMatchesSomeSpecifier } from '../core/type-matches-specifier.js';
import {
  getAwaitedType,
  getNonNullishConstituents,
  getTypeDisplayName,
  isThenable,
} from '../core/types.js';
import { type DisposalKind, getDisposalKind, getDisposalMembers } from './disposal.js';
import { skipTransparentDown, skipTransparentUp } from '../core/transparent-syntax.js';
import { getStableReferenceKey } from '../core/stable-reference.js';

/** What kind of resource a value is and how it can be released. */
export interface ResourceKind {
  /** The value's type, after `await` when the acquisition is awaited. */
  type: ts.Type;
  /** The type as a message shows it: `FileHandle`, `PoolClient`. */
  typeName: string;
  /** How `using` would dispose it; `undefined` when the type is not disposable (a table entry). */
  disposal: DisposalKind | undefined;
  /** The table entry that made it a resource, if any. */
  known: KnownResource | undefined;
  /** Calls that release it, besides `[Symbol.dispose]()`/`[Symbol.asyncDispose]()`. */
  releaseForms: readonly ReleaseForm[];
  /** Methods that are exactly the type's disposal (`close` when `[Symbol.asyncDispose]` only calls `this.close()`). */
  ownDisposalMethods: readonly string[];
  /**
   * Holds nothing until it is first read (a mongodb cursor opens on the server then): until the
   * value is used other than configured through its fluent methods, nothing leaks.
   */
  opensOnFirstRead: boolean;
}

/** Where the acquired value goes. */
export type AcquisitionBinding =
  /** `const fh = await open(p)` (also `let`, `var`, `using`, `await using`) */
  | {
      kind: 'variable';
      declaration: ts.VariableDeclaration;
      statement: ts.VariableStatement;
      name: ts.Identifier;
      symbol: ts.Symbol;
      declarationKind: 'const' | 'let' | 'var' | 'using' | 'await using';
    }
  /** `fh = await open(p);` to a local variable declared earlier in the same function */
  | {
      kind: 'assignment';
      assignment: ts.BinaryExpression;
      statement: ts.ExpressionStatement;
      name: ts.Identifier;
      symbol: ts.Symbol;
      declaration: ts.VariableDeclaration;
    }
  /**
   * The value is thrown away: `await open(p);` as a statement, `void open(p)`, a property read of
   * it (`open(p).fd`), the left side of `,` or of `&&` (`open(p) && ready`).
   */
  | { kind: 'discarded' }
  /** `log(await open(p))`: an argument, whose fate the callee decides */
  | { kind: 'argument'; call: ts.CallExpression | ts.NewExpression; argumentIndex: number };

/** One call or `new` whose result must be released, and where that result goes. */
export interface ResourceAcquisition {
  /** The acquiring call or `new` (for a `using` declaration: its initialiser, whatever it is). */
  expression: ts.Expression;
  /** The expression that yields the resource: the call, or the `await` around it. */
  valueExpression: ts.Expression;
  awaited: boolean;
  /** `open()`, `pool.connect()`, `new Worker()`: how messages name the acquisition. */
  acquirer: string;
  /** The function (or source file) whose scope the resource lives in. */
  owner: ts.SignatureDeclaration | ts.SourceFile;
  /** `mutex` in `mutex.acquire()`, for releases like `mutex.release()`. */
  ownerObject: ts.Expression | undefined;
  binding: AcquisitionBinding;
  resource: ResourceKind;
  /**
   * `this.queryRunner` in `const runner = this.queryRunner ?? create()`: the value the variable
   * holds instead whenever it is present, which its owner lent and this scope must not release.
   */
  fallbackOf: ts.Expression | undefined;
}

/** The function whose body `node` runs in (arrow, method, accessor, constructor, …) or the source file. */
export function getOwnerScope(node: ts.Node): ts.SignatureDeclaration | ts.SourceFile {
  for (let current = node.parent as ts.Node | undefined; current !== undefined; current = current.parent as ts.Node | undefined) {
    if (ts.isFunctionLike(current) && 'body' in current && current.body !== undefined) {
      return current;
    }
    if (ts.isClassStaticBlockDeclaration(current) || ts.isPropertyDeclaration(current)) {
      // Field initialisers and static blocks belong to the class: the instance owns the value.
      return current as unknown as ts.SignatureDeclaration;
    }
    if (ts.isSourceFile(current)) {
      return current;
    }
  }
  return node.getSourceFile();
}

const declarationKinds: Partial<Record<number, 'const' | 'let' | 'using' | 'await using'>> = {
  [ts.NodeFlags.Const]: 'const',
  [ts.NodeFlags.Let]: 'let',
  [ts.NodeFlags.Using]: 'using',
  [ts.NodeFlags.AwaitUsing]: 'await using',
};

/** `const`, `let`, `var`, `using` or `await using`. */
export function getDeclarationKind(list: ts.VariableDeclarationList): 'const' | 'let' | 'var' | 'using' | 'await using' {
  return declarationKinds[list.flags & ts.NodeFlags.BlockScoped] ?? 'var';
}

/** Where the value of `valueExpression` goes, when it goes somewhere this analysis follows. */
function getBinding(valueExpression: ts.Expression, checker: ts.TypeChecker): AcquisitionBinding | undefined {
  const top = skipTransparentUp(valueExpression);
  const parent = top.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === top && ts.isIdentifier(parent.name)) {
    const list = parent.parent;
    if (!ts.isVariableDeclarationList(list) || !ts.isVariableStatement(list.parent)) {
      return undefined;
    }
    const symbol = checker.getSymbolAtLocation(parent.name);
    if (symbol === undefined) {
      return undefined;
    }
    return {
      kind: 'variable',
      declaration: parent,
      statement: list.parent,
      name: parent.name,
      symbol,
      declarationKind: getDeclarationKind(list),
    };
  }
  if (
    ts.isBinaryExpression(parent) &&
    parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    parent.right === top &&
    ts.isIdentifier(parent.left) &&
    ts.isExpressionStatement(parent.parent)
  ) {
    const symbol = checker.getSymbolAtLocation(parent.left);
    const declaration = symbol?.valueDeclaration;
    if (symbol === undefined || declaration === undefined || !ts.isVariableDeclaration(declaration)) {
      return undefined;
    }
    // A variable of an enclosing function or of the module outlives this call: ownership moved out.
    if (getOwnerScope(declaration) !== getOwnerScope(parent)) {
      return undefined;
    }
    return {
      kind: 'assignment',
      assignment: parent,
      statement: parent.parent,
      name: parent.left,
      symbol,
      declaration,
    };
  }
  if (isDiscardingPosition(top)) {
    return { kind: 'discarded' };
  }
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== top) {
    const argumentIndex = parent.arguments?.indexOf(top) ?? -1;
    return argumentIndex < 0 ? undefined : { kind: 'argument', call: parent, argumentIndex };
  }
  return undefined;
}

/**
 * Where a value is dropped as soon as it is made: a statement of its own, `void`, a property read
 * that is not a method call (`open(p).fd`: the handle itself is gone), the left side of `,`, and
 * the left side of `&&`, whose result is the right side whenever the resource exists.
 */
function isDiscardingPosition(top: ts.Expression): boolean {
  const parent = top.parent;
  if (ts.isExpressionStatement(parent)) {
    return true;
  }
  if (ts.isVoidExpression(parent)) {
    return ts.isExpressionStatement(parent.parent);
  }
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === top) {
    const user = skipTransparentUp(parent).parent;
    return !((ts.isCallExpression(user) || ts.isTaggedTemplateExpression(user)) && skipTransparentDown(ts.isCallExpression(user) ? user.expression : user.tag) === parent);
  }
  if (ts.isBinaryExpression(parent) && parent.left === top) {
    return parent.operatorToken.kind === ts.SyntaxKind.CommaToken || parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken;
  }
  return false;
}

/** Whether a syntactic position can bind an acquisition: the cheap test a rule runs first. */
export function isAcquisitionPosition(expression: ts.CallExpression | ts.NewExpression): boolean {
  let top: ts.Expression = skipTransparentUp(expression);
  if (ts.isAwaitExpression(top.parent)) {
    top = skipTransparentUp(top.parent);
  }
  const parent = top.parent;
  return (
    (ts.isVariableDeclaration(parent) && parent.initializer === top) ||
    (ts.isBinaryExpression(parent) && parent.right === top) ||
    isDiscardingPosition(top) ||
    ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== top)
  );
}

/** `open()`, `pool.connect()`, `new Worker()`: a call as messages name it. */
export function getAcquirerText(expression: ts.CallExpression | ts.NewExpression): string {
  const callee = expression.expression;
  const text = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)
    ? `${ts.isIdentifier(callee.expression) || callee.expression.kind === ts.SyntaxKind.ThisKeyword ? callee.expression.getText() : '…'}.${callee.name.text}`
    : ts.isIdentifier(callee)
      ? callee.text
      : 'call';
  return ts.isNewExpression(expression) ? `new ${text}()` : `${text}()`;
}

/** `Promise<this>`, `this`: the call hands back its receiver, not a new resource. */
export function returnsThis(declaration: ts.SignatureDeclaration): boolean {
  const returnType = declaration.type;
  if (returnType === undefined) {
    return false;
  }
  if (returnType.kind === ts.SyntaxKind.ThisType) {
    return true;
  }
  return (
    ts.isTypeReferenceNode(returnType) &&
    (returnType.typeArguments?.some((argument) => argument.kind === ts.SyntaxKind.ThisType) ?? false)
  );
}

/**
 * `fastify.get(path, handler);` declares that it returns a `FastifyInstance`, the type of its
 * receiver: a fluent registration that hands back the same object to chain on, not a new resource
 * thrown away. Only for discarded results: `const copy = handle.clone()` may well be a new one.
 */
function returnsItsReceiverType(expression: ts.CallExpression | ts.NewExpression, type: ts.Type, checker: ts.TypeChecker): boolean {
  const callee = expression.expression;
  if (ts.isNewExpression(expression) || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) {
    return false;
  }
  const receiverSymbol = checker.getTypeAtLocation(callee.expression).getSymbol();
  return receiverSymbol !== undefined && (getNonNullishConstituents(type) ?? []).every((part) => part.getSymbol() === receiverSymbol);
}

/** `pipe<T>(destination: T): T`: the call returns one of its arguments. */
function returnsAnArgument(declaration: ts.SignatureDeclaration): boolean {
  const returnType = declaration.type;
  if (returnType === undefined || !ts.isTypeReferenceNode(returnType) || !ts.isIdentifier(returnType.typeName)) {
    return false;
  }
  const typeName = returnType.typeName.text;
  if (!(declaration.typeParameters?.some((parameter) => parameter.name.text === typeName) ?? false)) {
    return false;
  }
  return declaration.parameters.some(
    (parameter) =>
      parameter.type !== undefined &&
      ts.isTypeReferenceNode(parameter.type) &&
      ts.isIdentifier(parameter.type.typeName) &&
      parameter.type.typeName.text === typeName,
  );
}

function collectReturnedExpressions(body: ts.Node, into: ts.Expression[]): void {
  ts.forEachChild(body, function visit(node) {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) {
      return;
    }
    if (ts.isReturnStatement(node) && node.expression !== undefined) {
      into.push(node.expression);
    }
    ts.forEachChild(node, visit);
  });
}

/** An expression that names a value that existed before the call: `this.pool`, `this`, a parameter. */
function isExistingValue(expression: ts.Expression, owner: ts.Node, checker: ts.TypeChecker): boolean {
  const inner = skipTransparentDown(ts.isAwaitExpression(expression) ? expression.expression : expression);
  if (ts.isConditionalExpression(inner)) {
    return isExistingValue(inner.whenTrue, owner, checker) && isExistingValue(inner.whenFalse, owner, checker);
  }
  if (
    ts.isPropertyAccessExpression(inner) ||
    ts.isElementAccessExpression(inner) ||
    inner.kind === ts.SyntaxKind.ThisKeyword ||
    inner.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(inner) && inner.text === 'undefined')
  ) {
    return true;
  }
  if (ts.isIdentifier(inner)) {
    const declaration = checker.getSymbolAtLocation(inner)?.valueDeclaration;
    if (declaration === undefined) {
      return false;
    }
    if (ts.isParameter(declaration) || !isInside(declaration, owner)) {
      return true;
    }
    // `const client = await this.client.connect(); return client;`
    return (
      ts.isVariableDeclaration(declaration) &&
      declaration.initializer !== undefined &&
      (declaration.parent.flags & ts.NodeFlags.Const) !== 0 &&
      isExistingValue(declaration.initializer, owner, checker)
    );
  }
  if (ts.isCallExpression(inner)) {
    // `this.client.connect()` declared to return `this` (or `Promise<this>`) hands back its receiver.
    const callee = skipTransparentDown(inner.expression);
    const declaration = checker.getResolvedSignature(inner)?.getDeclaration();
    return (
      ts.isPropertyAccessExpression(callee) &&
      declaration !== undefined &&
      ts.isFunctionLike(declaration) &&
      returnsThis(declaration) &&
      isExistingValue(callee.expression, owner, checker)
    );
  }
  return false;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}

/**
 * Whether the function's source shows it hands back something that already existed (a getter
 * in method form: `getConnection() { return this.connection; }`): the caller borrows it.
 */
function returnsExistingValue(declaration: ts.SignatureDeclaration, checker: ts.TypeChecker): boolean {
  if (!('body' in declaration) || declaration.body === undefined || declaration.getSourceFile().isDeclarationFile) {
    return false;
  }
  const body = declaration.body as ts.Node;
  const returned: ts.Expression[] = [];
  if (ts.isBlock(body)) {
    collectReturnedExpressions(body, returned);
  } else {
    returned.push(body as ts.Expression);
  }
  return returned.length > 0 && returned.every((expression) => isExistingValue(expression, declaration, checker));
}

const ignoredDisposalPackages = ['vitest', '@vitest/spy', '@vitest/expect', 'jest-mock', '@jest/globals', 'jest', 'sinon', 'node:test', 'node:timers'];

/**
 * Disposable types that are not resources by default: iterators (consumed by `for…of`, spread,
 * destructuring), Node timers (the abort rule owns them), test spies and mocks, and types that
 * hold nothing outside the heap (`convenience-disposables.ts`).
 */
function hasOnlyIgnoredDisposal(type: ts.Type, context: ResourceAnalysisContext): boolean {
  if (isLibIterator(type, context) || isConvenienceDisposable(type, context.checker, context.program)) {
    return true;
  }
  const members = getDisposalMembers(type, context.checker);
  return (
    members.length > 0 &&
    members.every((member) =>
      (member.getDeclarations() ?? []).every((declaration) => {
        const origin = getDeclarationOrigin(declaration, context.program);
        if (origin.kind === 'global') {
          const container = declaration.parent;
          const containerName =
            (ts.isInterfaceDeclaration(container) || ts.isClassLike(container)) && container.name !== undefined
              ? container.name.text
              : '';
          return /Iterator|Generator/.test(containerName);
        }
        return ignoredDisposalPackages.some((name) => originIsPackage(origin, name));
      }),
    )
  );
}

/**
 * Generators and the standard library's iterators inherit `[Symbol.dispose]` from the lib's
 * `Disposable`; they are consumed by `for…of`, spread or destructuring, not released by hand.
 */
function isLibIterator(type: ts.Type, context: ResourceAnalysisContext): boolean {
  const parts = getNonNullishConstituents(type);
  return (
    parts !== undefined &&
    parts.every((part) => {
      const iteratorSymbol =
        tsutils.getWellKnownSymbolPropertyOfType(part, 'iterator', context.checker) ??
        tsutils.getWellKnownSymbolPropertyOfType(part, 'asyncIterator', context.checker);
      const declarations = getDisposalMembers(part, context.checker).flatMap((member) => member.getDeclarations() ?? []);
      return (
        iteratorSymbol !== undefined &&
        context.checker.getPropertyOfType(part, 'next') !== undefined &&
        declarations.length > 0 &&
        declarations.every((declaration) => getDeclarationOrigin(declaration, context.program).kind === 'global')
      );
    })
  );
}

/**
 * Whether any signature the callee has could return a resource: a table entry, or a declared
 * return type that is disposable or not known until the call is resolved (a type parameter, a
 * conditional type). Answered from the callee's type alone, before resolving the call: resolving
 * checks every argument against every overload, which was most of the time a run spent on calls
 * like `items.map(…)` that cannot return a resource.
 */
function mayReturnAResource(expression: ts.CallExpression | ts.NewExpression, context: ResourceAnalysisContext): boolean {
  const { checker } = context;
  const calleeType = checker.getTypeAtLocation(expression.expression);
  const signatures = ts.isNewExpression(expression) ? calleeType.getConstructSignatures() : calleeType.getCallSignatures();
  if (signatures.length === 0 || (calleeType.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0) {
    return true;
  }
  return signatures.some((signature) => {
    const declaration = signature.getDeclaration() as ts.Declaration | undefined;
    if (declaration === undefined || findKnownResource(declaration, context.knownResources, context.program) !== undefined || findLearnedReleaseFunction(declaration, context.getLearnedResources(), checker) !== undefined) {
      return true;
    }
    const returnType = signature.getReturnType();
    const awaitedReturnType = getAwaitedType(returnType, checker);
    return (
      couldBeDisposable(returnType, checker) ||
      couldBeDisposable(awaitedReturnType, checker) ||
      findLearnedResource(awaitedReturnType, context.getLearnedResources(), context.program) !== undefined
    );
  });
}

function couldBeDisposable(type: ts.Type, checker: ts.TypeChecker): boolean {
  return (getNonNullishConstituents(type) ?? []).some(
    (part) =>
      // `T`, `T & {}`, `ReturnType<F>`: only the resolved call tells.
      tsutils.intersectionConstituents(part).some((piece) => (piece.flags & (ts.TypeFlags.Instantiable | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0) ||
      (tsutils.isObjectType(part) && tsutils.isObjectFlagSet(part, ts.ObjectFlags.Mapped)) ||
      getDisposalKind(part, checker) !== undefined,
  );
}

function getSignatureDeclaration(
  expression: ts.CallExpression | ts.NewExpression,
  checker: ts.TypeChecker,
): ts.Declaration | undefined {
  const declaration = checker.getResolvedSignature(expression)?.getDeclaration();
  if (declaration !== undefined) {
    return declaration;
  }
  if (ts.isNewExpression(expression)) {
    // A class without a declared constructor: name it by the class.
    return checker.getTypeAtLocation(expression).getSymbol()?.declarations?.find(ts.isClassLike);
  }
  return undefined;
}

/**
 * The methods of its own that the type's disposal consists of (`[Symbol.asyncDispose]() { return
 * this.close(); }`), and whether it calls each without arguments: only then is calling it by hand
 * the same operation (`endSession({ force: true })` is not what `endSession()` does).
 */
function getMethodsTheDisposalCalls(type: ts.Type, checker: ts.TypeChecker): { name: string; withoutArguments: boolean }[] {
  const names: { name: string; withoutArguments: boolean }[] = [];
  for (const member of getDisposalMembers(type, checker)) {
    for (const declaration of member.getDeclarations() ?? []) {
      if (!ts.isMethodDeclaration(declaration) || declaration.body?.statements.length !== 1) {
        continue;
      }
      const statement = declaration.body.statements[0];
      let expression =
        statement !== undefined && ts.isExpressionStatement(statement)
          ? statement.expression
          : statement !== undefined && ts.isReturnStatement(statement)
            ? statement.expression
            : undefined;
      if (expression !== undefined && ts.isAwaitExpression(expression)) {
        expression = expression.expression;
      }
      if (
        expression !== undefined &&
        ts.isCallExpression(expression) &&
        ts.isPropertyAccessExpression(expression.expression) &&
        expression.expression.expression.kind === ts.SyntaxKind.ThisKeyword
      ) {
        names.push({ name: expression.expression.name.text, withoutArguments: expression.arguments.length === 0 });
      }
    }
  }
  return names;
}

function hasMethod(type: ts.Type, name: string, checker: ts.TypeChecker): boolean {
  return (getNonNullishConstituents(type) ?? []).some((part) => checker.getPropertyOfType(part, name) !== undefined);
}

/** What kind of resource a value of `type` is, given the table entry that produced it (if any). */
export function describeResource(
  type: ts.Type,
  known: KnownResource | undefined,
  context: ResourceAnalysisContext,
): ResourceKind {
  const { checker } = context;
  const disposal = getDisposalKind(type, checker);
  const wasmBindgenRelease = disposal === undefined ? undefined : getWasmBindgenReleaseMethod(type, checker);
  const disposalCalls = disposal === undefined ? [] : getMethodsTheDisposalCalls(type, checker);
  const ownDisposalMethods = [
    ...disposalCalls.filter((call) => call.withoutArguments).map((call) => call.name),
    ...(wasmBindgenRelease === undefined ? [] : [wasmBindgenRelease]),
  ];
  const releaseForms: ReleaseForm[] = [...(known?.release ?? [])];
  const drainingReleases = disposal === undefined ? [] : (getNonNullishConstituents(type) ?? []).map((part) => getDrainingReleases(part, checker, context.program));
  if (disposal !== undefined) {
    // A method the disposal calls releases even when called differently (`endSession()`), and so
    // does one that reads the resource to its end and closes it (`cursor.toArray()`).
    const draining = drainingReleases.flatMap((entry) => entry.methods);
    for (const name of new Set([...conventionalReleaseMethods, ...disposalCalls.map((call) => call.name), ...ownDisposalMethods, ...draining])) {
      if (hasMethod(type, name, checker) && !releaseForms.some((form) => form.kind === 'method' && form.name === name)) {
        releaseForms.push({ kind: 'method', name });
      }
    }
  }
  return {
    type,
    typeName: getTypeDisplayName(type, checker),
    disposal,
    known,
    releaseForms,
    ownDisposalMethods,
    opensOnFirstRead: drainingReleases.length > 0 && drainingReleases.every((entry) => entry.opensOnFirstRead),
  };
}

/**
 * The acquisition `expression` performs, or `undefined` when it does not acquire a resource (or
 * its result goes somewhere this analysis does not follow: returned, passed on, stored).
 */
export function getResourceAcquisition(
  expression: ts.CallExpression | ts.NewExpression,
  context: ResourceAnalysisContext,
): ResourceAcquisition | undefined {
  if (!isAcquisitionPosition(expression)) {
    return undefined;
  }
  if (ts.isCallExpression(expression) && expression.expression.kind === ts.SyntaxKind.SuperKeyword) {
    return undefined;
  }
  const { checker } = context;
  const top = skipTransparentUp(expression);
  const awaited = ts.isAwaitExpression(top.parent);
  const valueExpression: ts.Expression = awaited ? top.parent : top;
  const fallbackOf = getLentAlternative(valueExpression);
  const binding = getBinding(fallbackOf === undefined ? valueExpression : skipTransparentUp(valueExpression).parent as ts.Expression, checker);
  if (binding === undefined) {
    return undefined;
  }
  const owner = getOwnerScope(expression);
  if (ts.isPropertyDeclaration(owner) || ts.isClassStaticBlockDeclaration(owner)) {
    return undefined;
  }
  if (ts.isSourceFile(owner) && !context.checkModuleTopLevel) {
    return undefined;
  }
  if (!mayReturnAResource(expression, context)) {
    return undefined;
  }
  const declaration = getSignatureDeclaration(expression, checker);
  const callType = checker.getTypeAtLocation(expression);
  if (!awaited && isThenable(callType, expression, checker)) {
    // A pending promise is not the resource yet; `no-floating-promises` owns unawaited calls.
    return undefined;
  }
  const type = awaited ? getAwaitedType(callType, checker) : callType;
  if (getNonNullishConstituents(type) === undefined) {
    return undefined;
  }
  let known: KnownResource | undefined;
  if (declaration !== undefined) {
    known = findKnownResource(declaration, context.knownResources, context.program);
    if (known === undefined && isCompletedThroughCallback(expression, declaration, checker, context.program)) {
      return undefined;
    }
  }
  if (known === undefined) {
    if ((binding.kind === 'discarded' || binding.kind === 'argument') && returnsItsReceiverType(expression, type, checker)) {
      return undefined;
    }
    if (declaration !== undefined) {
      if (
        ts.isFunctionLike(declaration) &&
        (returnsThis(declaration) || returnsAnArgument(declaration) || returnsExistingValue(declaration, checker))
      ) {
        return undefined;
      }
      // Library calls (`Array#pop`, `Map#get`, `Promise.race`) hand back values someone else made.
      if (
        getDeclarationOrigin(declaration, context.program).kind === 'global' &&
        !ts.isConstructorDeclaration(declaration) &&
        !ts.isConstructSignatureDeclaration(declaration) &&
        !ts.isClassLike(declaration)
      ) {
        return undefined;
      }
    }
    if (getDisposalKind(type, checker) === undefined) {
      known = toLearnedEntry(type, declaration, context);
      if (known === undefined) {
        return undefined;
      }
    } else if (hasOnlyIgnoredDisposal(type, context)) {
      return undefined;
    }
  }
  if (typeMatchesSomeSpecifier(type, context.ignore, context.program)) {
    return undefined;
  }
  const callee = expression.expression;
  const ownerObject =
    ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee) ? callee.expression : undefined;
  return {
    expression,
    valueExpression,
    awaited,
    acquirer: getAcquirerText(expression),
    owner,
    ownerObject,
    binding,
    resource: describeResource(type, known, context),
    fallbackOf,
  };
}

/**
 * `this.queryRunner ?? this.dataSource.createQueryRunner()`, `options.client || connect()`: a value
 * some object holds, used when present, and the acquisition otherwise. Only a property read
 * counts: whoever holds the property owns what it holds.
 */
function getLentAlternative(valueExpression: ts.Expression): ts.Expression | undefined {
  const top = skipTransparentUp(valueExpression);
  const parent = top.parent;
  if (
    !ts.isBinaryExpression(parent) ||
    parent.right !== top ||
    (parent.operatorToken.kind !== ts.SyntaxKind.QuestionQuestionToken && parent.operatorToken.kind !== ts.SyntaxKind.BarBarToken)
  ) {
    return undefined;
  }
  const alternative = skipTransparentDown(parent.left);
  return ts.isPropertyAccessExpression(alternative) && getStableReferenceKey(alternative) !== undefined ? alternative : undefined;
}

/**
 * A table entry for what the program teaches is a resource (learned-resources.ts): the release
 * function a learned acquirer hands out, or a value of a learned type.
 */
function toLearnedEntry(type: ts.Type, declaration: ts.Declaration | undefined, context: ResourceAnalysisContext): KnownResource | undefined {
  const table = context.getLearnedResources();
  const releaseFunction = declaration === undefined ? undefined : findLearnedReleaseFunction(declaration, table, context.checker);
  if (releaseFunction !== undefined && type.getCallSignatures().length > 0) {
    return { module: 'learned', acquire: releaseFunction.name, release: [{ kind: 'call-resource' }], learned: releaseFunction };
  }
  const learned = findLearnedResource(type, table, context.program);
  if (learned === undefined) {
    return undefined;
  }
  return {
    module: 'learned',
    acquire: (declaration === undefined ? undefined : getCalleeDescriptor(declaration)) ?? learned.name,
    release: [{ kind: 'method', name: learned.method }],
    learned,
  };
}

/** Every acquisition under `root` (a source file or a function), in source order. */
export function findResourceAcquisitions(root: ts.Node, context: ResourceAnalysisContext): ResourceAcquisition[] {
  const found: ResourceAcquisition[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && isAcquisitionPosition(node)) {
      const acquisition = getResourceAcquisition(node, context);
      if (acquisition !== undefined) {
        found.push(acquisition);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}
