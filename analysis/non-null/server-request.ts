import ts from 'typescript';

import { isFunctionBoundary } from '../core/functions.js';
import { isReassigned } from '../core/is-reassigned.js';
import { getNodeServerModule, getRequestHandlerRole } from '../core/request-handlers.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';

/**
 * `req.url!` and `req.method!` where `req` is the request a Node server handler receives. Node
 * types `IncomingMessage` once for both sides of HTTP, so `url` and `method` are optional, but they
 * are set on every request an `http.Server` parses ("only valid for request obtained from
 * http.Server", Node's docs); on a client's response they are missing. So the handler must be
 * one of a Node server (its `createServer` callback, a `'request'` listener, or a function taking
 * that request and its response), `req` its first parameter, never reassigned.
 */
const SERVER_SET_FIELDS = new Set(['url', 'method']);

export function isServerRequestField(expression: ts.Expression, program: ts.Program): boolean {
  const access = unwrapParentheses(expression);
  if (!ts.isPropertyAccessExpression(access) || ts.isOptionalChain(access) || !SERVER_SET_FIELDS.has(access.name.text) || !ts.isIdentifier(access.expression)) {
    return false;
  }
  const checker = program.getTypeChecker();
  const declarations = checker.getSymbolAtLocation(access.name)?.declarations ?? [];
  const declaredOnIncomingMessage = declarations.some(
    (declaration) =>
      ts.isPropertyDeclaration(declaration) &&
      ts.isClassDeclaration(declaration.parent) &&
      declaration.parent.name?.text === 'IncomingMessage' &&
      getNodeServerModule(declaration) !== undefined,
  );
  if (!declaredOnIncomingMessage) {
    return false;
  }
  const request = checker.getSymbolAtLocation(access.expression);
  const parameter = request?.valueDeclaration;
  if (request === undefined || parameter === undefined || !ts.isParameter(parameter) || !isFunctionBoundary(parameter.parent)) {
    return false;
  }
  const handler = parameter.parent;
  if (handler.parameters[0] !== parameter || isReassigned(request, handler, checker)) {
    return false;
  }
  const role = getRequestHandlerRole(handler, checker);
  if (role === undefined) {
    return false;
  }
  return role.kind === 'message-handler' ? role.event === 'request' : role.framework.startsWith('node:');
}
