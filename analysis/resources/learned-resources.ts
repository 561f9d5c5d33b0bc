import ts from 'typescript';

import { getDeclarationOrigin } from '../core/declaration-origin.js';
import { getEnclosingFunction, isFunctionBoundary } from '../core/functions.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getNonNullishConstituents } from '../core/types.js';
import { getDisposalKind } from './disposal.js';
import { conventionalReleaseMethods, getCalleeDescriptor } from './known-resources.js';

/**
 * Types a project treats as resources, learned from how it releases them. Where values of one type
 * are released with the same method in `finally` blocks at several places, and each time by the
 * function that acquired the value, that type is a resource of this project: `QueryRunner`
 * released with `release()`, a `Lease` with `end()`. Acquisitions of it that are not released on
 * every path are then leaks like those of the built-in table, with the sites as the evidence.
 *
 * Only the acquirer's own release counts. A `finally` that releases a parameter is a consumer that
 * took ownership; it shows that someone releases the type, not that its acquirers must. A type
 * that is already disposable needs no learning, and a type of the standard library (`Map`,
 * `WebSocket`) is not this project's to teach.
 *
 * The pass is syntactic over every file of the program that contains `finally`, and asks the
 * checker only about the released variables it finds; it runs once per program.
 */

export interface LearnedResource {
  /**
   * `type`: values of a class or interface, released with a method (`runner.release()`).
   * `release-function`: what a function or method hands out is a function that releases
   * (`const release = await lock.acquire(); … finally { release(); }`).
   */
  kind: 'type' | 'release-function';
  /** The class or interface, or the acquiring function or method. */
  symbol: ts.Symbol;
  /** `QueryRunner`, `QueryLock#acquire`: how messages name it. */
  name: string;
  /** The release method (`release`); empty for a release function, which is called itself. */
  method: string;
  /** The `finally` releases it learned from, in program order. */
  sites: readonly LearnedReleaseSite[];
}

export interface LearnedReleaseSite {
  fileName: string;
  line: number;
  /** The function that acquires and releases the value: a report there does not cite itself. */
  owner: ts.Node;
}

export interface LearnedResourceTable {
  /** Everything learned, most sites first. */
  resources: readonly LearnedResource[];
  /** Learned types, by their class or interface. */
  bySymbol: ReadonlyMap<ts.Symbol, LearnedResource>;
  /** Learned release functions, by the function or method that hands them out. */
  byAcquirer: ReadonlyMap<ts.Symbol, LearnedResource>;
}

export interface LearnResourcesOptions {
  /** How many acquirers must release a type in `finally` before it is learned. */
  minimumSites: number;
}

export const DEFAULT_MINIMUM_LEARNED_SITES = 2;

/**
 * Method names a project's own release is recognised by: those that release a disposable type,
 * and two that only hand-written resources use.
 */
const RELEASE_METHODS: ReadonlySet<string> = new Set([...conventionalReleaseMethods, 'free', 'unlock']);

const tables = new WeakMap<ts.Program, Map<number, LearnedResourceTable>>();

let onLearned: ((table: LearnedResourceTable) => void) | undefined;

/**
 * Calls `listener` with every table learned from now on, until called with `undefined`: how
 * `predictable check` lists what a run learned. Off by default, so a long-lived editor process
 * keeps nothing.
 */
export function listenToLearnedResources(listener: ((table: LearnedResourceTable) => void) | undefined): void {
  onLearned = listener;
}

export function learnResources(program: ts.Program, options: LearnResourcesOptions): LearnedResourceTable {
  let byThreshold = tables.get(program);
  if (byThreshold === undefined) {
    byThreshold = new Map();
    tables.set(program, byThreshold);
  }
  let table = byThreshold.get(options.minimumSites);
  if (table === undefined) {
    table = buildTable(program, options.minimumSites);
    byThreshold.set(options.minimumSites, table);
  }
  return table;
}

function buildTable(program: ts.Program, minimumSites: number): LearnedResourceTable {
  const checker = program.getTypeChecker();
  const candidates = new Map<string, { kind: LearnedResource['kind']; symbol: ts.Symbol; name: string; method: string; sites: LearnedReleaseSite[] }>();
  const symbolIds = new Map<ts.Symbol, number>();
  const idOf = (symbol: ts.Symbol): number => {
    let id = symbolIds.get(symbol);
    if (id === undefined) {
      id = symbolIds.size;
      symbolIds.set(symbol, id);
    }
    return id;
  };
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || program.isSourceFileFromExternalLibrary(sourceFile) || !sourceFile.text.includes('finally')) {
      continue;
    }
    for (const release of findFinallyReleases(sourceFile)) {
      const learnable =
        release.method === ''
          ? getReleaseFunctionAcquirer(release, program, checker)
          : // A release of a `PostgresQueryRunner` also teaches the `QueryRunner` it implements,
            // when that declares the method: acquirers of several implementations add up.
            getLearnableTypeSymbols(release.receiver, release.method, program, checker).map((symbol) => ({ kind: 'type' as const, symbol, name: symbol.getName() }));
      for (const { kind, symbol, name } of learnable) {
        const key = `${kind}:${String(idOf(symbol))}#${release.method}`;
        const entry = candidates.get(key) ?? { kind, symbol, name, method: release.method, sites: [] };
        // One function releasing the same variable in two `finally` blocks is still one acquirer.
        if (!entry.sites.some((site) => site.owner === release.owner)) {
          entry.sites.push({ fileName: sourceFile.fileName, line: sourceFile.getLineAndCharacterOfPosition(release.call.getStart(sourceFile)).line + 1, owner: release.owner });
        }
        candidates.set(key, entry);
      }
    }
  }
  const bySymbol = new Map<ts.Symbol, LearnedResource>();
  const byAcquirer = new Map<ts.Symbol, LearnedResource>();
  for (const entry of candidates.values()) {
    if (entry.sites.length < minimumSites) {
      continue;
    }
    const learned = entry.kind === 'type' ? bySymbol : byAcquirer;
    const known = learned.get(entry.symbol);
    // A type released two ways keeps the way most acquirers use.
    if (known === undefined || known.sites.length < entry.sites.length) {
      learned.set(entry.symbol, entry);
    }
  }
  const resources = [...bySymbol.values(), ...byAcquirer.values()].sort((a, b) => b.sites.length - a.sites.length || a.name.localeCompare(b.name));
  const table = { resources, bySymbol, byAcquirer };
  onLearned?.(table);
  return table;
}

interface FinallyRelease {
  call: ts.CallExpression;
  /** `runner` in `runner.release()`, or `release` in `release()`. */
  receiver: ts.Identifier;
  /** The method called, or empty when the receiver is called itself. */
  method: string;
  owner: ts.Node;
  /** The call or `new` whose value the receiver holds. */
  acquisition: ts.CallExpression | ts.NewExpression;
}

/** `x.release()`, `await x?.close()`, also under `if (x)`, at the top of `finally` blocks, where `x` is the function's own acquisition. */
function findFinallyReleases(sourceFile: ts.SourceFile): FinallyRelease[] {
  const found: FinallyRelease[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTryStatement(node) && node.finallyBlock !== undefined) {
      for (const statement of node.finallyBlock.statements) {
        for (const call of getReleaseCalls(statement)) {
          const release = toAcquirerRelease(call, getEnclosingFunction(node) ?? sourceFile);
          if (release !== undefined) {
            found.push(release);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

function getReleaseCalls(statement: ts.Statement): ts.CallExpression[] {
  if (ts.isExpressionStatement(statement)) {
    let expression = unwrapParentheses(statement.expression);
    if (ts.isAwaitExpression(expression) || ts.isVoidExpression(expression)) {
      expression = unwrapParentheses(expression.expression);
    }
    return ts.isCallExpression(expression) ? [expression] : [];
  }
  if (ts.isIfStatement(statement) && statement.elseStatement === undefined) {
    return ts.isBlock(statement.thenStatement) ? statement.thenStatement.statements.flatMap(getReleaseCalls) : getReleaseCalls(statement.thenStatement);
  }
  if (ts.isBlock(statement)) {
    return statement.statements.flatMap(getReleaseCalls);
  }
  return [];
}

/** The release, when its receiver is a variable of `owner` that holds what a call or `new` there returned. */
function toAcquirerRelease(call: ts.CallExpression, owner: ts.Node): FinallyRelease | undefined {
  const callee = unwrapParentheses(call.expression);
  let receiver: ts.Expression;
  let method: string;
  if (ts.isIdentifier(callee) && call.arguments.length === 0) {
    receiver = callee;
    method = '';
  } else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) && RELEASE_METHODS.has(callee.name.text)) {
    receiver = unwrapParentheses(callee.expression);
    method = callee.name.text;
  } else {
    return undefined;
  }
  if (!ts.isIdentifier(receiver)) {
    return undefined;
  }
  const acquisition = findAcquisitionOf(receiver.text, owner);
  return acquisition === undefined ? undefined : { call, receiver, method, owner, acquisition };
}

/** The call or `new` a variable declared in `owner` (not in a nested function) is given, if any. */
function findAcquisitionOf(name: string, owner: ts.Node): ts.CallExpression | ts.NewExpression | undefined {
  const found: { declared: boolean; acquisition: ts.CallExpression | ts.NewExpression | undefined } = { declared: false, acquisition: undefined };
  const visit = (node: ts.Node): void => {
    if (node !== owner && isFunctionBoundary(node)) {
      return;
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) {
      found.declared = true;
      found.acquisition ??= node.initializer === undefined ? undefined : getAcquiringCall(node.initializer);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && node.left.text === name) {
      found.acquisition ??= getAcquiringCall(node.right);
    }
    ts.forEachChild(node, visit);
  };
  visit(owner);
  return found.declared ? found.acquisition : undefined;
}

function getAcquiringCall(expression: ts.Expression): ts.CallExpression | ts.NewExpression | undefined {
  let current = unwrapParentheses(expression);
  if (ts.isAwaitExpression(current)) {
    current = unwrapParentheses(current.expression);
  }
  while (ts.isAsExpression(current) || ts.isNonNullExpression(current) || ts.isSatisfiesExpression(current)) {
    current = unwrapParentheses(current.expression);
  }
  return ts.isCallExpression(current) || ts.isNewExpression(current) ? current : undefined;
}

/** The function or method whose call handed out the release function `release()` calls. */
function getReleaseFunctionAcquirer(release: FinallyRelease, program: ts.Program, checker: ts.TypeChecker): { kind: 'release-function'; symbol: ts.Symbol; name: string }[] {
  const parts = getNonNullishConstituents(checker.getTypeAtLocation(release.receiver));
  const released = parts?.length === 1 ? parts[0] : undefined;
  if (!ts.isCallExpression(release.acquisition) || released === undefined || released.getCallSignatures().length === 0 || getDisposalKind(released, checker) !== undefined) {
    return [];
  }
  const declaration = checker.getResolvedSignature(release.acquisition)?.getDeclaration();
  const symbol = declaration?.name === undefined ? undefined : checker.getSymbolAtLocation(declaration.name);
  const name = declaration === undefined ? undefined : getCalleeDescriptor(declaration);
  if (declaration === undefined || symbol === undefined || name === undefined || getDeclarationOrigin(declaration, program).kind === 'global') {
    return [];
  }
  return [{ kind: 'release-function', symbol, name }];
}

/** The class or interface of the released value, and those it extends or implements that declare the method. */
function getLearnableTypeSymbols(receiver: ts.Identifier, method: string, program: ts.Program, checker: ts.TypeChecker): ts.Symbol[] {
  const type = checker.getTypeAtLocation(receiver);
  const parts = getNonNullishConstituents(type);
  const part = parts?.length === 1 ? parts[0] : undefined;
  if (part === undefined || getDisposalKind(part, checker) !== undefined || checker.getPropertyOfType(part, method) === undefined) {
    return [];
  }
  const own = getLearnableSymbol(part, program);
  if (own === undefined) {
    return [];
  }
  const ancestors = getAncestors(own, checker).filter((ancestor) => {
    const declared = checker.getDeclaredTypeOfSymbol(ancestor);
    return getLearnableSymbol(declared, program) === ancestor && checker.getPropertyOfType(declared, method) !== undefined;
  });
  return [own, ...ancestors];
}

/** The classes and interfaces `symbol` extends or implements, transitively. */
function getAncestors(symbol: ts.Symbol, checker: ts.TypeChecker, seen = new Set<ts.Symbol>([symbol])): ts.Symbol[] {
  const found: ts.Symbol[] = [];
  for (const declaration of symbol.declarations ?? []) {
    if (!(ts.isClassLike(declaration) || ts.isInterfaceDeclaration(declaration))) {
      continue;
    }
    for (const clause of declaration.heritageClauses ?? []) {
      for (const heritage of clause.types) {
        const ancestor = checker.getTypeAtLocation(heritage).getSymbol();
        if (ancestor !== undefined && !seen.has(ancestor)) {
          seen.add(ancestor);
          found.push(ancestor, ...getAncestors(ancestor, checker, seen));
        }
      }
    }
  }
  return found;
}

/** The declared class or interface of `type`, unless the standard library declares it. */
export function getLearnableSymbol(type: ts.Type, program: ts.Program): ts.Symbol | undefined {
  const symbol = type.getSymbol();
  const declaration = symbol?.declarations?.find((candidate) => ts.isClassLike(candidate) || ts.isInterfaceDeclaration(candidate));
  if (symbol === undefined || declaration === undefined || getDeclarationOrigin(declaration, program).kind === 'global') {
    return undefined;
  }
  return symbol;
}

/** The learned resource values of `type` are, if any: of its own class or interface, or of one it extends or implements. */
export function findLearnedResource(type: ts.Type, table: LearnedResourceTable, program: ts.Program): LearnedResource | undefined {
  if (table.resources.length === 0) {
    return undefined;
  }
  const parts = getNonNullishConstituents(type);
  const part = parts?.length === 1 ? parts[0] : undefined;
  const symbol = part === undefined ? undefined : getLearnableSymbol(part, program);
  if (symbol === undefined) {
    return undefined;
  }
  // Asked for the declared result of every candidate call: each class's heritage is walked once.
  let answers = inheritedAnswers.get(table);
  if (answers === undefined) {
    answers = new Map();
    inheritedAnswers.set(table, answers);
  }
  if (!answers.has(symbol)) {
    const found = table.bySymbol.get(symbol) ?? getAncestors(symbol, program.getTypeChecker()).map((ancestor) => table.bySymbol.get(ancestor)).find((learned) => learned !== undefined);
    answers.set(symbol, found);
  }
  return answers.get(symbol);
}

const inheritedAnswers = new WeakMap<LearnedResourceTable, Map<ts.Symbol, LearnedResource | undefined>>();

/** The learned release function a call of `declaration` hands out, if any. */
export function findLearnedReleaseFunction(declaration: ts.Declaration, table: LearnedResourceTable, checker: ts.TypeChecker): LearnedResource | undefined {
  if (table.byAcquirer.size === 0) {
    return undefined;
  }
  const name = ts.getNameOfDeclaration(declaration);
  const symbol = name === undefined ? undefined : checker.getSymbolAtLocation(name);
  return symbol === undefined ? undefined : table.byAcquirer.get(symbol);
}
