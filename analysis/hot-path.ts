import { minimatch } from 'minimatch';
import ts from 'typescript';

import { parentOf } from './parent.js';
import { isDeclaredInStandardLibrary } from './standard-library.js';
import { skipTransparentUp, unwrapParentheses } from './transparent-syntax.js';

/**
 * Is this node on a hot path, and why?
 *
 * A hot path is code that runs once per element, per request or per message: a failure there is
 * not a startup crash seen at once, it is an outage that starts when the first unusual input
 * arrives. The answer is a reason the caller can show ("inside a loop at line 12"), or `undefined`.
 *
 * The walk goes outwards from the node and stops at the first function that decides the question:
 * - a loop body (or a loop condition, evaluated as often) is hot wherever it runs, except at module
 *   top level or inside a function marked `@cold`, which run once;
 * - an iteration callback (`items.map(cb)` on an array, typed array, `Map`, `Set` or iterator, found
 *   through the receiver's type) runs once per element of a call made where it is written, so it is
 *   hot unless that call is itself at module top level or in a `@cold` function;
 * - a request or message handler (found through the registering library's types), a function marked
 *   `@hot` or matched by a `hotFunctions` pattern is hot wherever it is written;
 * - an immediately invoked function or a `Promise` executor runs where it is written;
 * - any other function is called from somewhere this analysis cannot see, so it is not hot, even
 *   when it is defined inside a loop: precision first.
 */

export type LoopKind = 'for' | 'for-in' | 'for-of' | 'for-await' | 'while' | 'do-while';

export type HotPathReason =
  | { kind: 'loop'; loopKind: LoopKind; line: number }
  | { kind: 'iteration-callback'; method: string; line: number }
  | { kind: 'request-handler'; framework: string; line: number }
  | { kind: 'request-response-parameters'; framework: string; functionName: string; line: number }
  | { kind: 'message-handler'; event: string; line: number }
  | { kind: 'hot-annotation'; functionName: string; line: number }
  | { kind: 'hot-functions-option'; functionName: string; pattern: string; line: number };

export interface HotPathOptions {
  /** Globs matched against function names (`handle*`, `OrderService.*`); matching functions are hot. */
  hotFunctions?: readonly string[];
}

/** Why `node` is on a hot path, or `undefined` when it is not (or when that cannot be shown). */
export function getHotPathReason(node: ts.Node, program: ts.Program, options: HotPathOptions = {}): HotPathReason | undefined {
  // Binding sets the parent pointers this walk follows; asking for the checker binds the program.
  program.getTypeChecker();
  let found: HotPathReason | undefined;
  let child = node;
  for (let current = parentOf(node); current !== undefined; child = current, current = parentOf(current)) {
    if (ts.isSourceFile(current) || ts.isClassStaticBlockDeclaration(current)) {
      // Module top level (and a static block, which runs when the class is defined) runs once,
      // at load time, where a failure stops the start-up instead of hurting traffic.
      return undefined;
    }
    if (ts.isPropertyDeclaration(current) && current.initializer === child) {
      const isStatic = ts.getCombinedModifierFlags(current) & ts.ModifierFlags.Static;
      return isStatic === 0 ? found : undefined;
    }
    if (found === undefined) {
      const loopKind = getLoopKindRepeating(current, child);
      if (loopKind !== undefined) {
        found = { kind: 'loop', loopKind, line: lineOf(current) };
        continue;
      }
    }
    if (isFunctionBoundary(current)) {
      const role = classifyFunction(current, program, options);
      switch (role.kind) {
        case 'cold':
          return undefined;
        case 'hot':
          return found ?? role.reason;
        case 'iteration-callback':
          // The callback runs inside the call; keep walking to see where that call runs.
          found ??= role.reason;
          break;
        case 'runs-in-place':
          break;
        case 'opaque':
          return found;
      }
    }
  }
  return undefined;
}

/** The innermost function around `node`, or `undefined` at module top level. */
export function getEnclosingFunction(node: ts.Node): FunctionBoundary | undefined {
  for (let current = parentOf(node); current !== undefined; current = parentOf(current)) {
    if (isFunctionBoundary(current)) {
      return current;
    }
  }
  return undefined;
}

/** A short phrase for a report: "inside a `for…of` loop at line 12". */
export function describeHotPathReason(reason: HotPathReason): string {
  switch (reason.kind) {
    case 'loop':
      return `inside a ${LOOP_LABELS[reason.loopKind]} loop at line ${reason.line}`;
    case 'iteration-callback':
      return `inside a \`${reason.method}\` callback at line ${reason.line}, which runs once per element`;
    case 'request-handler':
      return reason.framework === 'Next.js'
        ? `in a Next.js route handler exported at line ${reason.line}`
        : `in a request handler registered at line ${reason.line} (${reason.framework})`;
    case 'request-response-parameters':
      return `in \`${reason.functionName}\` (line ${reason.line}), a request handler: it takes a ${reason.framework} request and its response`;
    case 'message-handler':
      return `in a '${reason.event}' handler registered at line ${reason.line}`;
    case 'hot-annotation':
      return `in \`${reason.functionName}\`, marked @hot at line ${reason.line}`;
    case 'hot-functions-option':
      return `in \`${reason.functionName}\` (line ${reason.line}), which matches the hotFunctions pattern \`${reason.pattern}\``;
  }
}

const LOOP_LABELS: Record<LoopKind, string> = {
  for: '`for`',
  'for-in': '`for…in`',
  'for-of': '`for…of`',
  'for-await': '`for await…of`',
  while: '`while`',
  'do-while': '`do…while`',
};

/** The loop kind when `child` is a part of `loop` that runs on every iteration. */
function getLoopKindRepeating(loop: ts.Node, child: ts.Node): LoopKind | undefined {
  if (ts.isForStatement(loop)) {
    return child === loop.initializer ? undefined : 'for';
  }
  if (ts.isForOfStatement(loop)) {
    if (child !== loop.statement) {
      return undefined;
    }
    return loop.awaitModifier === undefined ? 'for-of' : 'for-await';
  }
  if (ts.isForInStatement(loop)) {
    return child === loop.statement ? 'for-in' : undefined;
  }
  if (ts.isWhileStatement(loop)) {
    return 'while';
  }
  if (ts.isDoStatement(loop)) {
    return 'do-while';
  }
  return undefined;
}

export type FunctionBoundary =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

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

type FunctionRole =
  | { kind: 'cold' }
  | { kind: 'hot'; reason: HotPathReason }
  | { kind: 'iteration-callback'; reason: HotPathReason }
  | { kind: 'runs-in-place' }
  | { kind: 'opaque' };

function classifyFunction(fn: FunctionBoundary, program: ts.Program, options: HotPathOptions): FunctionRole {
  const checker = program.getTypeChecker();
  const annotation = getHotAnnotation(fn);
  if (annotation === 'cold') {
    return { kind: 'cold' };
  }
  if (annotation === 'hot') {
    return { kind: 'hot', reason: { kind: 'hot-annotation', functionName: getFunctionName(fn) ?? 'this function', line: lineOf(fn) } };
  }
  const patterns = options.hotFunctions ?? [];
  if (patterns.length > 0) {
    const matched = matchHotFunctionPattern(fn, patterns);
    if (matched !== undefined) {
      return { kind: 'hot', reason: { kind: 'hot-functions-option', functionName: matched.name, pattern: matched.pattern, line: lineOf(fn) } };
    }
  }
  if (ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) {
    const use = skipTransparentUp(fn);
    const parent = use.parent;
    if (ts.isCallExpression(parent) && parent.expression === use) {
      return { kind: 'runs-in-place' };
    }
    if (ts.isCallExpression(parent) && parent.arguments.includes(use)) {
      const method = getIterationMethod(parent, use, program);
      if (method !== undefined) {
        return { kind: 'iteration-callback', reason: { kind: 'iteration-callback', method, line: lineOf(getCalleeNameNode(parent)) } };
      }
    }
    if (ts.isNewExpression(parent) && parent.arguments?.[0] === use && isGlobalPromiseConstructor(parent.expression, program)) {
      return { kind: 'runs-in-place' };
    }
  }
  const handler = getHandlerReason(fn, checker) ?? getRequestResponseParametersReason(fn, checker);
  if (handler !== undefined) {
    return { kind: 'hot', reason: handler };
  }
  return { kind: 'opaque' };
}

// --- @hot / @cold ------------------------------------------------------------------------------

const ANNOTATION_PATTERN = /(?:^|[\s*])@(hot|cold)(?=[\s*]|$)/m;

/**
 * `@hot` or `@cold` from the JSDoc comment before the function (or before the declaration that
 * names it). Read from the comment text rather than `ts.getJSDocTags`, because a program built with
 * `jsDocParsingMode: 'none'` has no JSDoc nodes at all.
 */
export function getHotAnnotation(fn: FunctionBoundary): 'hot' | 'cold' | undefined {
  const host = getCommentHost(fn);
  const text = host.getSourceFile().text;
  // An inline `f(/** @cold */ (x) => …)` comment counts as trailing trivia of the `(` before it.
  const ranges = [...(ts.getTrailingCommentRanges(text, host.pos) ?? []), ...(ts.getLeadingCommentRanges(text, host.pos) ?? [])];
  for (let index = ranges.length - 1; index >= 0; index--) {
    const range = ranges[index];
    if (range === undefined || range.kind !== ts.SyntaxKind.MultiLineCommentTrivia) {
      continue;
    }
    const comment = text.slice(range.pos, range.end);
    if (!comment.startsWith('/**')) {
      continue;
    }
    const match = ANNOTATION_PATTERN.exec(comment);
    if (match !== null) {
      return match[1] === 'hot' ? 'hot' : 'cold';
    }
  }
  return undefined;
}

function getCommentHost(fn: FunctionBoundary): ts.Node {
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) {
    return fn;
  }
  const use = skipTransparentUp(fn);
  const parent = use.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === use) {
    const list = parent.parent;
    if (ts.isVariableDeclarationList(list) && list.declarations.length === 1 && ts.isVariableStatement(list.parent)) {
      return list.parent;
    }
    return parent;
  }
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === use) {
    return parent;
  }
  if (ts.isExportAssignment(parent)) {
    return parent;
  }
  return use;
}

// --- names and the hotFunctions option --------------------------------------------------------

/** The name a reader would use for the function: `name`, `Class.method`, or the variable it is assigned to. */
export function getFunctionName(fn: FunctionBoundary): string | undefined {
  const names = getFunctionNames(fn);
  return names[names.length - 1];
}

/** Every name the function goes by, simplest first: `process`, then `OrderService.process`. */
function getFunctionNames(fn: FunctionBoundary): string[] {
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

function getPropertyNameText(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) {
    return name.text;
  }
  return undefined;
}

function matchHotFunctionPattern(fn: FunctionBoundary, patterns: readonly string[]): { name: string; pattern: string } | undefined {
  const names = getFunctionNames(fn);
  for (const pattern of patterns) {
    for (const name of names) {
      if (minimatch(name, pattern, { nocomment: true, nonegate: true, dot: true })) {
        return { name: names[names.length - 1] ?? name, pattern };
      }
    }
  }
  return undefined;
}

// --- iteration callbacks ----------------------------------------------------------------------

const ITERATION_METHODS = new Set([
  'every',
  'filter',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flatMap',
  'forEach',
  'map',
  'reduce',
  'reduceRight',
  'some',
  'sort',
  'toSorted',
]);

const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

/** Library interfaces whose iteration methods call back once per element. */
const COLLECTION_INTERFACES = new Set([
  'Array',
  'ReadonlyArray',
  ...TYPED_ARRAYS,
  'Map',
  'ReadonlyMap',
  'Set',
  'ReadonlySet',
  'IteratorObject',
  'Iterator',
]);

/**
 * The method name when `callback` is the per-element callback of an iteration method, decided by
 * where the method is declared (the standard library's collection interfaces), not by its name:
 * `repository.find(cb)` or `emitter.map(cb)` on a user type is not iteration.
 */
function getIterationMethod(call: ts.CallExpression, callback: ts.Expression, program: ts.Program): string | undefined {
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) {
    return undefined;
  }
  const method = callee.name.text;
  if (method === 'from') {
    // `Array.from(items, mapFn)`: the second argument runs once per element.
    return call.arguments[1] === callback && isDeclaredInStandardLibrary(callee.name, program, new Set(['ArrayConstructor', ...TYPED_ARRAYS.map((name) => `${name}Constructor`)]))
      ? 'Array.from'
      : undefined;
  }
  if (!ITERATION_METHODS.has(method) || call.arguments[0] !== callback) {
    return undefined;
  }
  return isDeclaredInStandardLibrary(callee.name, program, COLLECTION_INTERFACES) ? method : undefined;
}

function isGlobalPromiseConstructor(expression: ts.Expression, program: ts.Program): boolean {
  if (!ts.isIdentifier(expression) || expression.text !== 'Promise') {
    return false;
  }
  const declarations = program.getTypeChecker().getSymbolAtLocation(expression)?.declarations ?? [];
  return declarations.length > 0 && declarations.every((declaration) => program.isSourceFileDefaultLibrary(declaration.getSourceFile()));
}

// --- request and message handlers --------------------------------------------------------------

const NODE_SERVER_MODULES = new Set(['http', 'https', 'http2', 'node:http', 'node:https', 'node:http2']);
const SERVER_FACTORIES = new Set(['createServer', 'createSecureServer']);
const LISTENER_METHODS = new Set(['on', 'addListener', 'prependListener', 'addEventListener']);
const HOT_EVENTS = new Set(['request', 'message', 'data', 'connection']);
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all', 'use', 'route', 'on', 'addHook']);
const ROUTE_OPTION_HANDLERS = new Set(['handler', 'preHandler', 'onRequest', 'preValidation']);
const HTTP_VERBS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** Package folders whose route-registration methods take request handlers. */
const FRAMEWORK_PACKAGES: readonly { pattern: RegExp; framework: string }[] = [
  { pattern: /[\\/]node_modules[\\/](?:@types[\\/])?express(?:-serve-static-core)?[\\/]/, framework: 'express' },
  { pattern: /[\\/]node_modules[\\/](?:@types[\\/])?(?:koa|@koa[\\/]router|koa__router|koa-router)[\\/]/, framework: 'koa' },
  { pattern: /[\\/]node_modules[\\/]fastify[\\/]/, framework: 'fastify' },
  { pattern: /[\\/]node_modules[\\/]hono[\\/]/, framework: 'hono' },
];

function getHandlerReason(fn: FunctionBoundary, checker: ts.TypeChecker): HotPathReason | undefined {
  const nextRoute = getNextRouteHandlerReason(fn, checker);
  if (nextRoute !== undefined) {
    return nextRoute;
  }
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn) && !ts.isMethodDeclaration(fn)) {
    return undefined;
  }
  const use = ts.isMethodDeclaration(fn) ? fn : skipTransparentUp(fn);
  let parent = use.parent;
  if (ts.isBinaryExpression(parent) && parent.right === use && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return getOnMessageAssignmentReason(parent, checker);
  }
  // `fastify.route({ method, url, handler })`: the handler is a property of an options object.
  let argument: ts.Node = use;
  const property = ts.isMethodDeclaration(use) ? use : ts.isPropertyAssignment(parent) ? parent : undefined;
  if (property !== undefined) {
    const name = getPropertyNameText(property.name);
    if (name === undefined || !ROUTE_OPTION_HANDLERS.has(name) || !ts.isObjectLiteralExpression(property.parent)) {
      return undefined;
    }
    argument = skipTransparentUp(property.parent);
    parent = argument.parent;
  }
  if (!ts.isCallExpression(parent) || !parent.arguments.includes(argument as ts.Expression)) {
    return undefined;
  }
  const call = parent;
  const callee = unwrapParentheses(call.expression);
  const calleeName = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
  if (calleeName === undefined || !ts.isIdentifier(calleeName)) {
    return undefined;
  }
  const name = calleeName.text;
  const line = lineOf(calleeName);
  if (SERVER_FACTORIES.has(name) && argument === use) {
    return isDeclaredInNodeServerModule(calleeName, checker) ? { kind: 'request-handler', framework: 'node:http', line } : undefined;
  }
  if (LISTENER_METHODS.has(name) && call.arguments[1] === argument && argument === use) {
    const event = call.arguments[0];
    if (event === undefined || !ts.isStringLiteralLike(event) || !HOT_EVENTS.has(event.text)) {
      return undefined;
    }
    // Typed receivers only: on `any`, `.on('data', cb)` could be anything.
    if (checker.getSymbolAtLocation(calleeName) === undefined) {
      return undefined;
    }
    return event.text === 'request'
      ? { kind: 'request-handler', framework: 'node:http', line }
      : { kind: 'message-handler', event: event.text, line };
  }
  if (ROUTE_METHODS.has(name)) {
    const framework = getFrameworkOfDeclaration(calleeName, checker);
    return framework === undefined ? undefined : { kind: 'request-handler', framework, line };
  }
  return undefined;
}

function getOnMessageAssignmentReason(assignment: ts.BinaryExpression, checker: ts.TypeChecker): HotPathReason | undefined {
  const target = assignment.left;
  if (!ts.isPropertyAccessExpression(target) || target.name.text !== 'onmessage') {
    return undefined;
  }
  return checker.getSymbolAtLocation(target.name) === undefined
    ? undefined
    : { kind: 'message-handler', event: 'message', line: lineOf(target.name) };
}

function isDeclaredInNodeServerModule(name: ts.Identifier, checker: ts.TypeChecker): boolean {
  const declarations = resolveAlias(checker.getSymbolAtLocation(name), checker)?.declarations ?? [];
  return (
    declarations.length > 0 &&
    declarations.every((declaration) => {
      for (let node = parentOf(declaration); node !== undefined; node = parentOf(node)) {
        if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
          return NODE_SERVER_MODULES.has(node.name.text);
        }
      }
      return false;
    })
  );
}

function getFrameworkOfDeclaration(name: ts.Identifier, checker: ts.TypeChecker): string | undefined {
  const declarations = resolveAlias(checker.getSymbolAtLocation(name), checker)?.declarations ?? [];
  for (const declaration of declarations) {
    const fileName = declaration.getSourceFile().fileName;
    const match = FRAMEWORK_PACKAGES.find(({ pattern }) => pattern.test(fileName));
    if (match !== undefined) {
      return match.framework;
    }
  }
  return undefined;
}

const REQUEST_TYPES = new Set(['IncomingMessage', 'Http2ServerRequest', 'Request']);
const RESPONSE_TYPES = new Set(['ServerResponse', 'Http2ServerResponse', 'Response']);

/**
 * A function that takes both a server request and its response is a request handler wherever it
 * is registered. Services often dispatch through a route table of their own
 * (`{ pattern, handler }` looked up inside one `createServer` callback), where no registration call
 * names the handler; its parameter types still do. Both are required: a helper that takes only the
 * response (`sendJson(res, …)`) runs once per request too, but so does everything, and flagging
 * every helper would bury the handlers themselves.
 */
function getRequestResponseParametersReason(fn: FunctionBoundary, checker: ts.TypeChecker): HotPathReason | undefined {
  let requestFramework: string | undefined;
  let takesResponse = false;
  for (const parameter of fn.parameters) {
    const symbol = checker.getTypeAtLocation(parameter).getSymbol();
    if (symbol === undefined) {
      continue;
    }
    const isRequest = REQUEST_TYPES.has(symbol.name);
    const isResponse = RESPONSE_TYPES.has(symbol.name);
    if (!isRequest && !isResponse) {
      continue;
    }
    const framework = getServerTypeFramework(symbol);
    if (framework === undefined) {
      continue;
    }
    if (isRequest) {
      requestFramework ??= framework;
    } else {
      takesResponse = true;
    }
  }
  if (requestFramework === undefined || !takesResponse) {
    return undefined;
  }
  return {
    kind: 'request-response-parameters',
    framework: requestFramework,
    functionName: getFunctionName(fn) ?? 'this function',
    line: lineOf(fn),
  };
}

/** `node:http` when the type is declared in Node's server modules, else the framework package declaring it. */
function getServerTypeFramework(symbol: ts.Symbol): string | undefined {
  for (const declaration of symbol.declarations ?? []) {
    for (let node = parentOf(declaration); node !== undefined; node = parentOf(node)) {
      if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name) && NODE_SERVER_MODULES.has(node.name.text)) {
        return node.name.text.startsWith('node:') ? node.name.text : `node:${node.name.text}`;
      }
    }
    const fileName = declaration.getSourceFile().fileName;
    const match = FRAMEWORK_PACKAGES.find(({ pattern }) => pattern.test(fileName));
    if (match !== undefined) {
      return match.framework;
    }
  }
  return undefined;
}

/**
 * Next.js App Router handlers: `export async function GET(request)` in a `route.ts`, or anywhere
 * when the first parameter is declared as a `Request`/`NextRequest`.
 */
function getNextRouteHandlerReason(fn: FunctionBoundary, checker: ts.TypeChecker): HotPathReason | undefined {
  let nameNode: ts.Identifier | undefined;
  let exported: ts.Node;
  if (ts.isFunctionDeclaration(fn)) {
    nameNode = fn.name;
    exported = fn;
  } else if (ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) {
    const use = skipTransparentUp(fn);
    const declaration = use.parent;
    if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== use || !ts.isIdentifier(declaration.name)) {
      return undefined;
    }
    nameNode = declaration.name;
    exported = declaration.parent.parent;
  } else {
    return undefined;
  }
  if (nameNode === undefined || !HTTP_VERBS.has(nameNode.text) || !ts.isSourceFile(exported.parent)) {
    return undefined;
  }
  if (!ts.canHaveModifiers(exported) || !(ts.getModifiers(exported) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) {
    return undefined;
  }
  const isRouteFile = /(?:^|[\\/])route\.[cm]?[jt]sx?$/.test(fn.getSourceFile().fileName);
  const firstParameter = fn.parameters[0];
  const takesRequest =
    firstParameter !== undefined &&
    ['Request', 'NextRequest'].includes(checker.getTypeAtLocation(firstParameter).getSymbol()?.name ?? '');
  return isRouteFile || takesRequest ? { kind: 'request-handler', framework: 'Next.js', line: lineOf(nameNode) } : undefined;
}

// --- small helpers ------------------------------------------------------------------------------

function resolveAlias(symbol: ts.Symbol | undefined, checker: ts.TypeChecker): ts.Symbol | undefined {
  if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) {
    return checker.getAliasedSymbol(symbol);
  }
  return symbol;
}

function getCalleeNameNode(call: ts.CallExpression): ts.Node {
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) ? callee.name : callee;
}

function lineOf(node: ts.Node): number {
  const sourceFile = node.getSourceFile();
  return sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
}
