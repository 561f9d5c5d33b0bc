import path from 'node:path';

import { Minimatch, minimatch } from 'minimatch';
import ts from 'typescript';

import { type FunctionBoundary, getCallbackUse, getFunctionName, getFunctionNames, isFunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { getRequestHandlerRole, type RequestHandlerRole } from '../core/request-handlers.js';
import { lineOf } from '../core/source-text.js';
import { isDeclaredInStandardLibrary, isDeclaredOnlyInDefaultLibrary, TYPED_ARRAY_NAMES } from '../core/standard-library.js';
import { isSameDeclaredSymbol } from '../core/symbols.js';
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
 * - a function matched by a `coldFunctions` pattern (by default the names of start-up and migration
 *   entry points: `main`, `init…`, `setup…`, `migrate…`) runs once, like a `@cold` one;
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
  | { kind: 'hot-functions-option'; functionName: string; pattern: string; line: number }
  | { kind: 'called-from-hot-path'; functionName: string; line: number; callLine: number; caller: CallerReason };

/** Why a call site is hot: one level only, so a report names the loop or handler it comes from. */
export type CallerReason = Exclude<HotPathReason, { kind: 'called-from-hot-path' }>;

export interface HotPathOptions {
  /** Globs matched against function names (`handle*`, `OrderService.*`); matching functions are hot. */
  hotFunctions?: readonly string[];
  /**
   * Globs matched against function names; matching functions run once (start-up, migrations), so
   * their loops are not hot. `hotFunctions` wins when both match. Defaults to
   * `DEFAULT_COLD_FUNCTIONS`.
   */
  coldFunctions?: readonly string[];
  /**
   * Globs matched against file paths relative to the program's directory: files of tests, whose
   * loops run over fixed cases and whose failures fail a test, not a service. Nothing in them is hot.
   */
  testFiles?: readonly string[];
}

/** Test and spec files by name, and the folders test runners reserve for tests and mocks. */
export const DEFAULT_TEST_FILES: readonly string[] = ['**/*.test.*', '**/*.spec.*', '**/*.test-d.*', '**/__tests__/**', '**/__mocks__/**'];

/**
 * Names that say a function runs once per process or per migration, not per unit of work. Each
 * stands alone or as the first word of a camel-case or snake-case name (`initCrypto`,
 * `setup_routes`, `migrateOlmSessions`); `start` only in names of whole components, because
 * `startRequest` or `startSpan` run per unit of work.
 */
export const DEFAULT_COLD_FUNCTIONS: readonly string[] = [
  'main',
  'init',
  'init[A-Z_]*',
  'initiali[sz]e',
  'initiali[sz]e[A-Z_]*',
  'setup',
  'setup[A-Z_]*',
  'setUp',
  'setUp[A-Z_]*',
  'bootstrap',
  'bootstrap[A-Z_]*',
  'configure',
  'configure[A-Z_]*',
  'migrate',
  'migrate[A-Z_]*',
  'start',
  'startup',
  'startUp',
  'start{Client,Server,Service,App,Application,Worker}',
];

/** Why `node` is on a hot path, or `undefined` when it is not (or when that cannot be shown). */
export function getHotPathReason(node: ts.Node, program: ts.Program, options: HotPathOptions = {}): HotPathReason | undefined {
  // Binding sets the parent pointers this walk follows; asking for the checker binds the program.
  program.getTypeChecker();
  if (isTestFile(node.getSourceFile(), program, options.testFiles ?? DEFAULT_TEST_FILES)) {
    return undefined;
  }
  return walkOutwards(node, undefined, { program, options, followCallers: true });
}

interface WalkContext {
  program: ts.Program;
  options: HotPathOptions;
  /** Whether a function nothing else decides is hot when its own module calls it from a hot path. */
  followCallers: boolean;
}

function walkOutwards(node: ts.Node, foundBelow: HotPathReason | undefined, context: WalkContext): HotPathReason | undefined {
  let found = foundBelow;
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
      const role = classifyFunction(current, context);
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
    case 'called-from-hot-path':
      return `in \`${reason.functionName}\` (line ${reason.line}), called at line ${reason.callLine} ${describeHotPathReason(reason.caller)}`;
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

function classifyFunction(fn: FunctionBoundary, context: WalkContext): FunctionRole {
  const { program, options } = context;
  const checker = program.getTypeChecker();
  const annotation = getHotAnnotation(fn);
  if (annotation === 'cold') {
    return { kind: 'cold' };
  }
  if (annotation === 'hot') {
    return { kind: 'hot', reason: { kind: 'hot-annotation', functionName: getFunctionName(fn) ?? 'this function', line: lineOf(fn) } };
  }
  const hotMatch = matchFunctionNamePattern(fn, options.hotFunctions ?? []);
  if (hotMatch !== undefined) {
    return { kind: 'hot', reason: { kind: 'hot-functions-option', functionName: hotMatch.name, pattern: hotMatch.pattern, line: lineOf(fn) } };
  }
  if (matchFunctionNamePattern(fn, options.coldFunctions ?? DEFAULT_COLD_FUNCTIONS) !== undefined) {
    return { kind: 'cold' };
  }
  const inPlace = getInPlaceRole(fn, program);
  if (inPlace !== undefined) {
    return inPlace;
  }
  const handler = getRequestHandlerRole(fn, checker);
  if (handler !== undefined) {
    return { kind: 'hot', reason: handler };
  }
  if (context.followCallers) {
    const called = getHotCallerReason(fn, context);
    if (called !== undefined) {
      return { kind: 'hot', reason: called };
    }
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

// --- helpers called from a hot path ----------------------------------------------------------

/**
 * A named function its own module calls from a hot path (`for (const p of products) price(p)`, or
 * `products.map(price)`) runs as often as that call: the helper is hot too. Only the module's own
 * calls are seen, and only one level deep, so the report can name the loop or handler the call
 * comes from; a call from the function itself (recursion) does not count.
 */
function getHotCallerReason(fn: FunctionBoundary, context: WalkContext): HotPathReason | undefined {
  const answers = getCallerAnswers(context);
  const known = answers.get(fn);
  if (known !== undefined) {
    return known ?? undefined;
  }
  const answer = findHotCallSite(fn, context) ?? null;
  answers.set(fn, answer);
  return answer ?? undefined;
}

function findHotCallSite(fn: FunctionBoundary, context: WalkContext): HotPathReason | undefined {
  const nameNode = getNameNode(fn);
  if (nameNode === undefined) {
    return undefined;
  }
  const checker = context.program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(nameNode);
  if (symbol === undefined) {
    return undefined;
  }
  const callSiteContext: WalkContext = { ...context, followCallers: false };
  for (const reference of getCallReferences(fn.getSourceFile()).get(nameNode.text) ?? []) {
    if (!isSameDeclaredSymbol(checker.getSymbolAtLocation(reference.name), symbol) || isInside(reference.call, fn)) {
      continue;
    }
    let caller: HotPathReason | undefined;
    if (reference.argumentIndex === undefined) {
      caller = walkOutwards(reference.call, undefined, callSiteContext);
    } else {
      const method = getIterationMethod(reference.call, reference.argumentIndex, context.program);
      caller =
        method === undefined
          ? undefined
          : walkOutwards(reference.call, { kind: 'iteration-callback', method, line: lineOf(getCalleeNameNode(reference.call)) }, callSiteContext);
    }
    if (caller !== undefined && caller.kind !== 'called-from-hot-path') {
      return { kind: 'called-from-hot-path', functionName: getFunctionName(fn) ?? nameNode.text, line: lineOf(fn), callLine: lineOf(reference.call), caller };
    }
  }
  return undefined;
}

/** The identifier that names the function where it is declared: `f`, a method's name, the variable it initialises. */
function getNameNode(fn: FunctionBoundary): ts.Identifier | ts.PrivateIdentifier | undefined {
  if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) {
    return fn.name !== undefined && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name)) ? fn.name : undefined;
  }
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) {
    return undefined;
  }
  const use = skipTransparentUp(fn);
  const parent = use.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === use) {
    return ts.isIdentifier(parent.name) || ts.isPrivateIdentifier(parent.name) ? parent.name : undefined;
  }
  return undefined;
}

interface CallReference {
  /** The name as written at the call: `price` in `price(p)` or `this.price(p)`. */
  name: ts.Identifier | ts.PrivateIdentifier;
  call: ts.CallExpression;
  /** Set when the function is passed by reference (`items.map(price)`) rather than called. */
  argumentIndex: number | undefined;
}

const callReferenceIndex = new WeakMap<ts.SourceFile, Map<string, CallReference[]>>();

/** Every name a module calls or passes to a call, indexed once per file: each helper looks up its own. */
function getCallReferences(sourceFile: ts.SourceFile): Map<string, CallReference[]> {
  let index = callReferenceIndex.get(sourceFile);
  if (index !== undefined) {
    return index;
  }
  const references = new Map<string, CallReference[]>();
  const add = (name: ts.Node, call: ts.CallExpression, argumentIndex: number | undefined): void => {
    if (!ts.isIdentifier(name) && !ts.isPrivateIdentifier(name)) {
      return;
    }
    const list = references.get(name.text) ?? [];
    list.push({ name, call, argumentIndex });
    references.set(name.text, list);
  };
  const nameOf = (expression: ts.Expression): ts.Node => {
    const unwrapped = unwrapParentheses(expression);
    return ts.isPropertyAccessExpression(unwrapped) ? unwrapped.name : unwrapped;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      add(nameOf(node.expression), node, undefined);
      node.arguments.forEach((argument, argumentIndex) => {
        add(nameOf(argument), node, argumentIndex);
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  index = references;
  callReferenceIndex.set(sourceFile, index);
  return index;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}

// Answers depend on the options (a caller may be hot only through `hotFunctions`), so they are kept per program and options.
const callerAnswers = new WeakMap<ts.Program, Map<string, WeakMap<FunctionBoundary, HotPathReason | null>>>();

function getCallerAnswers(context: WalkContext): WeakMap<FunctionBoundary, HotPathReason | null> {
  let byOptions = callerAnswers.get(context.program);
  if (byOptions === undefined) {
    byOptions = new Map();
    callerAnswers.set(context.program, byOptions);
  }
  const { hotFunctions = [], coldFunctions = DEFAULT_COLD_FUNCTIONS, testFiles = DEFAULT_TEST_FILES } = context.options;
  const key = JSON.stringify([hotFunctions, coldFunctions, testFiles]);
  let answers = byOptions.get(key);
  if (answers === undefined) {
    answers = new WeakMap();
    byOptions.set(key, answers);
  }
  return answers;
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

// --- names and the hotFunctions / coldFunctions options -----------------------------------------

function matchFunctionNamePattern(fn: FunctionBoundary, patterns: readonly string[]): { name: string; pattern: string } | undefined {
  if (patterns.length === 0) {
    return undefined;
  }
  const names = getFunctionNames(fn);
  for (const pattern of patterns) {
    const matcher = getNameMatcher(pattern);
    for (const name of names) {
      if (matcher.match(name)) {
        return { name: names[names.length - 1] ?? name, pattern };
      }
    }
  }
  return undefined;
}

// Every function on the walk from every assertion is matched against the patterns: compile each once.
const nameMatchers = new Map<string, Minimatch>();

function getNameMatcher(pattern: string): Minimatch {
  let matcher = nameMatchers.get(pattern);
  if (matcher === undefined) {
    matcher = new Minimatch(pattern, { nocomment: true, nonegate: true, dot: true });
    nameMatchers.set(pattern, matcher);
  }
  return matcher;
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
