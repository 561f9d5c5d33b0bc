import path from 'node:path';

import { minimatch } from 'minimatch';
import ts from 'typescript';

import { type FunctionBoundary, getCallbackUse, getFunctionName, getFunctionNames, isFunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { getRequestHandlerRole, type RequestHandlerRole } from '../core/request-handlers.js';
import { lineOf } from '../core/source-text.js';
import { isDeclaredInStandardLibrary, isDeclaredOnlyInDefaultLibrary, TYPED_ARRAY_NAMES } from '../core/standard-library.js';
import { skipTransparentUp, unwrapParentheses } from '../core/transparent-syntax.js';

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
  | RequestHandlerRole
  | { kind: 'hot-annotation'; functionName: string; line: number }
  | { kind: 'hot-functions-option'; functionName: string; pattern: string; line: number };

export interface HotPathOptions {
  /** Globs matched against function names (`handle*`, `OrderService.*`); matching functions are hot. */
  hotFunctions?: readonly string[];
  /**
   * Globs matched against file paths relative to the program's directory: files of tests, whose
   * loops run over fixed cases and whose failures fail a test, not a service. Nothing in them is hot.
   */
  testFiles?: readonly string[];
}

/** Test and spec files by name, and the folders test runners reserve for tests and mocks. */
export const DEFAULT_TEST_FILES: readonly string[] = ['**/*.test.*', '**/*.spec.*', '**/*.test-d.*', '**/__tests__/**', '**/__mocks__/**'];

/** Why `node` is on a hot path, or `undefined` when it is not (or when that cannot be shown). */
export function getHotPathReason(node: ts.Node, program: ts.Program, options: HotPathOptions = {}): HotPathReason | undefined {
  // Binding sets the parent pointers this walk follows; asking for the checker binds the program.
  program.getTypeChecker();
  if (isTestFile(node.getSourceFile(), program, options.testFiles ?? DEFAULT_TEST_FILES)) {
    return undefined;
  }
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
  const inPlace = getInPlaceRole(fn, program);
  if (inPlace !== undefined) {
    return inPlace;
  }
  const handler = getRequestHandlerRole(fn, checker);
  if (handler !== undefined) {
    return { kind: 'hot', reason: handler };
  }
  return { kind: 'opaque' };
}

/**
 * Whether `fn` runs while the code it is written in runs, before that code goes on: an immediately
 * invoked function, a `Promise` executor, or the callback of a standard-library iteration method.
 * What holds where such a function is written (a checked value, a bound) still holds inside it,
 * unless the function itself changes it.
 */
export function runsWhereWritten(fn: FunctionBoundary, program: ts.Program): boolean {
  return getInPlaceRole(fn, program) !== undefined;
}

function getInPlaceRole(fn: FunctionBoundary, program: ts.Program): Extract<FunctionRole, { kind: 'runs-in-place' | 'iteration-callback' }> | undefined {
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) {
    return undefined;
  }
  const use = skipTransparentUp(fn);
  const parent = use.parent;
  if (ts.isCallExpression(parent) && parent.expression === use) {
    return { kind: 'runs-in-place' };
  }
  const callback = getCallbackUse(fn);
  if (callback !== undefined && ts.isCallExpression(callback.call)) {
    const method = getIterationMethod(callback.call, callback.argumentIndex, program);
    if (method !== undefined) {
      return { kind: 'iteration-callback', reason: { kind: 'iteration-callback', method, line: lineOf(getCalleeNameNode(callback.call)) } };
    }
  }
  if (ts.isNewExpression(parent) && parent.arguments?.[0] === use && isGlobalPromiseConstructor(parent.expression, program)) {
    return { kind: 'runs-in-place' };
  }
  return undefined;
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

/** Library interfaces whose iteration methods call back once per element. */
const COLLECTION_INTERFACES = new Set([
  'Array',
  'ReadonlyArray',
  ...TYPED_ARRAY_NAMES,
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
function getIterationMethod(call: ts.CallExpression, argumentIndex: number, program: ts.Program): string | undefined {
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) {
    return undefined;
  }
  const method = callee.name.text;
  if (method === 'from') {
    // `Array.from(items, mapFn)`: the second argument runs once per element.
    return argumentIndex === 1 && isDeclaredInStandardLibrary(callee.name, program, new Set(['ArrayConstructor', ...TYPED_ARRAY_NAMES.map((name) => `${name}Constructor`)]))
      ? 'Array.from'
      : undefined;
  }
  if (!ITERATION_METHODS.has(method) || argumentIndex !== 0) {
    return undefined;
  }
  return isDeclaredInStandardLibrary(callee.name, program, COLLECTION_INTERFACES) ? method : undefined;
}

function isGlobalPromiseConstructor(expression: ts.Expression, program: ts.Program): boolean {
  if (!ts.isIdentifier(expression) || expression.text !== 'Promise') {
    return false;
  }
  return isDeclaredOnlyInDefaultLibrary(program.getTypeChecker().getSymbolAtLocation(expression), program);
}

// --- small helpers ------------------------------------------------------------------------------

function getCalleeNameNode(call: ts.CallExpression): ts.Node {
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) ? callee.name : callee;
}

const testFileAnswers = new Map<string, WeakMap<ts.SourceFile, boolean>>();

function isTestFile(sourceFile: ts.SourceFile, program: ts.Program, patterns: readonly string[]): boolean {
  if (patterns.length === 0) {
    return false;
  }
  const patternsKey = patterns.join('\0');
  let answers = testFileAnswers.get(patternsKey);
  if (answers === undefined) {
    answers = new WeakMap();
    testFileAnswers.set(patternsKey, answers);
  }
  let answer = answers.get(sourceFile);
  if (answer === undefined) {
    let relative = path.relative(program.getCurrentDirectory(), sourceFile.fileName).split(path.sep).join('/');
    if (relative.startsWith('../')) {
      // `**` never matches `..`: a file outside the directory is matched by its absolute path.
      relative = sourceFile.fileName.split(path.sep).join('/').replace(/^\/+/, '');
    }
    const matchPath = relative;
    answer = patterns.some((pattern) => minimatch(matchPath, pattern, { dot: true, nocomment: true, nonegate: true }));
    answers.set(sourceFile, answer);
  }
  return answer;
}
