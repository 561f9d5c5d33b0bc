import ts from 'typescript';

import { type FunctionBoundary, getFunctionName, getPropertyNameText } from './functions.js';
import { parentOf } from './parent.js';
import { lineOf } from './source-text.js';
import { resolveAlias } from './symbols.js';
import { skipTransparentUp, unwrapParentheses } from './transparent-syntax.js';

/**
 * Is this function a request or message handler, and of which framework? Found through the types
 * of the registering call (Node's `http` servers, express, koa, fastify, hono), Next.js route
 * exports, or a request-and-response parameter pair, never through names alone: code that runs once
 * per request is where a crash becomes an outage and a task started there outlives its request.
 */

export type RequestHandlerRole =
  | { kind: 'request-handler'; framework: string; line: number }
  | { kind: 'request-response-parameters'; framework: string; functionName: string; line: number }
  | { kind: 'message-handler'; event: string; line: number };

/** How `fn` is registered or declared as a handler, or `undefined` when nothing shows it is one. */
export function getRequestHandlerRole(fn: FunctionBoundary, checker: ts.TypeChecker): RequestHandlerRole | undefined {
  return getHandlerReason(fn, checker) ?? getRequestResponseParametersReason(fn, checker);
}

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

function getHandlerReason(fn: FunctionBoundary, checker: ts.TypeChecker): RequestHandlerRole | undefined {
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

function getOnMessageAssignmentReason(assignment: ts.BinaryExpression, checker: ts.TypeChecker): RequestHandlerRole | undefined {
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
/**
 * Whether a parameter's written type can be a request or response type: none written (a callback
 * typed by its context), or a reference whose name is one (`IncomingMessage`, `http.ServerResponse`,
 * `express.Request`). An alias of another name (`type Req = IncomingMessage`) is not followed; asking
 * the checker for the type of every parameter of every function costs more than that case is worth.
 */
function mayNameServerType(type: ts.TypeNode | undefined): boolean {
  if (type === undefined) {
    return true;
  }
  if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) {
    return type.types.some(mayNameServerType);
  }
  if (!ts.isTypeReferenceNode(type)) {
    return false;
  }
  const name = ts.isQualifiedName(type.typeName) ? type.typeName.right.text : type.typeName.text;
  return REQUEST_TYPES.has(name) || RESPONSE_TYPES.has(name);
}

function getRequestResponseParametersReason(fn: FunctionBoundary, checker: ts.TypeChecker): RequestHandlerRole | undefined {
  // A request and its response are two parameters; typing the parameters of every other function costs more than the answer.
  if (fn.parameters.length < 2) {
    return undefined;
  }
  let requestFramework: string | undefined;
  let takesResponse = false;
  for (const parameter of fn.parameters) {
    if (!mayNameServerType(parameter.type)) {
      continue;
    }
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

/** `node:http` (or `node:https`, `node:http2`) when `declaration` is in Node's declarations of that module. */
export function getNodeServerModule(declaration: ts.Node): string | undefined {
  for (let node = parentOf(declaration); node !== undefined; node = parentOf(node)) {
    if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name) && NODE_SERVER_MODULES.has(node.name.text)) {
      return node.name.text.startsWith('node:') ? node.name.text : `node:${node.name.text}`;
    }
  }
  return undefined;
}

/** `node:http` when the type is declared in Node's server modules, else the framework package declaring it. */
function getServerTypeFramework(symbol: ts.Symbol): string | undefined {
  for (const declaration of symbol.declarations ?? []) {
    const nodeModule = getNodeServerModule(declaration);
    if (nodeModule !== undefined) {
      return nodeModule;
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
function getNextRouteHandlerReason(fn: FunctionBoundary, checker: ts.TypeChecker): RequestHandlerRole | undefined {
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
