import ts from 'typescript';

import { getCalleeDescriptor } from './known-resources.js';
import { getWasmBindgenMethodFacts } from './convenience-disposables.js';
import { releaseDoesNothing } from './empty-release.js';
import { getDisposalMembers } from './disposal.js';
import { getDeclarationOrigin, normalizeModuleName, originIsPackage } from '../core/declaration-origin.js';
import { describeResource, getDeclarationKind, getOwnerScope, type ResourceAcquisition } from './acquisition.js';
import type { CalleeSpecifier, ResourceAnalysisContext } from './context.js';
import {
  type EscapeHow,
  type EscapeSite,
  FlowState,
  heldStates,
  type FlowResult,
  type ReleaseSite,
  callsOnlyBorrow,
  type OwnershipPolicy,
  ResourceFlowWalker,
  type TrackedValue,
} from './flow.js';
import { parentOf } from '../core/parent.js';
import { isThenable } from '../core/types.js';
import { skipTransparentDown } from '../core/transparent-syntax.js';

export type { EscapeHow, EscapeSite, ReleaseSite } from './flow.js';
export {
  findResourceAcquisitions,
  getResourceAcquisition,
  type AcquisitionBinding,
  type ResourceAcquisition,
  type ResourceKind,
} from './acquisition.js';
export { createResourceAnalysisContext, type ResourceAnalysisContext, type ResourceAnalysisOptions } from './context.js';

/**
 * Where an acquired resource is released, on which paths, or where it goes instead: the answer
 * `no-undisposed-resources` reports from and `to-using` rewrites from, so the two never disagree.
 *
 * ```ts
 * const context = createResourceAnalysisContext(program, options);
 * for (const acquisition of findResourceAcquisitions(sourceFile, context)) {
 *   const verdict = analyzeResourceLifetime(acquisition, context);
 *   if (verdict.kind === 'released-in-finally') { … rewrite to `using` … }
 * }
 * ```
 */

interface VerdictBase {
  acquisition: ResourceAcquisition;
  /** Every call that releases the resource, in source order. */
  releases: readonly ReleaseSite[];
  /** Every place ownership leaves the scope (returned, stored, handed over), in source order. */
  escapes: readonly EscapeSite[];
}

/** The verdicts that need no report. */
export type SafeVerdict =
  /** Declared with `using`/`await using`, and no problem found in its scope. */
  | (VerdictBase & { kind: 'using' })
  /** Released in the `finally` of `tryStatement`, which every path after the acquisition goes through. */
  | (VerdictBase & {
      kind: 'released-in-finally';
      tryStatement: ts.TryStatement;
      /** The release inside that `finally`. */
      release: ReleaseSite;
      /** The other statements of the `finally` block, in order (the codemod must keep them). */
      otherFinallyStatements: readonly ts.Statement[];
    })
  /** Released on every path without a `finally` (for example in both `try` and `catch`). */
  | (VerdictBase & { kind: 'released-on-every-path' })
  /** Ownership moves out of the scope on every path that does not release it. */
  | (VerdictBase & { kind: 'escapes'; how: EscapeHow; node: ts.Node })
  /** Not released on some path, but its class's release does nothing (empty-release.ts): nothing is lost. */
  | (VerdictBase & { kind: 'release-does-nothing'; leak: LeakVerdict['kind'] });

/** The verdicts the rule reports. */
export type LeakVerdict =
  | (VerdictBase & { kind: 'never-released' })
  /** An exception thrown at `throwSite` skips the release. */
  | (VerdictBase & { kind: 'released-only-on-success'; throwSite: ts.Node })
  | (VerdictBase & { kind: 'released-in-some-branches' })
  /** `exit` (`return`, `break`, `continue`) leaves the scope with the resource held. */
  | (VerdictBase & { kind: 'missed-on-early-exit'; exit: ts.Node })
  /** The acquiring call's result is an expression statement. */
  | (VerdictBase & { kind: 'discarded' })
  /** `log(open(p))`: made for a call whose callee (its source read) only borrows it. */
  | (VerdictBase & { kind: 'borrowed-temporary'; call: ts.CallExpression | ts.NewExpression })
  /** `let d = make(); d = make();`: assigned again while still held, so the first is never released. */
  | (VerdictBase & { kind: 'overwritten'; overwrite: ts.Node })
  /** The next iteration acquires again while this one's resource is still held. */
  | (VerdictBase & { kind: 'acquired-in-loop-not-released'; loop: ts.IterationStatement | undefined })
  /** `gap` can throw after the acquisition and before `tryStatement`, whose `finally` releases it. */
  | (VerdictBase & { kind: 'acquire-try-gap'; gap: ts.Node; tryStatement: ts.TryStatement })
  /** `returned` is a promise that still uses the resource, returned without `await` from the scope that releases it. */
  | (VerdictBase & {
      kind: 'promise-escapes-release-scope';
      returned: ts.Expression;
      releasedBy: 'using' | 'finally';
    })
  /** A `using` variable is also released by hand. */
  | (VerdictBase & { kind: 'double-dispose'; release: ReleaseSite });

export type ResourceLifetimeVerdict = SafeVerdict | LeakVerdict;

const safeKinds = new Set<ResourceLifetimeVerdict['kind']>(['using', 'released-in-finally', 'released-on-every-path', 'escapes', 'release-does-nothing']);

/** Whether the verdict is one the rule reports. */
export function isLeakVerdict(verdict: ResourceLifetimeVerdict): verdict is LeakVerdict {
  return !safeKinds.has(verdict.kind);
}

function getBody(owner: ts.SignatureDeclaration | ts.SourceFile): ts.Node | undefined {
  if (ts.isSourceFile(owner)) {
    return owner;
  }
  return 'body' in owner ? owner.body : undefined;
}

function byPosition(left: ts.Node, right: ts.Node): number {
  return left.getStart() - right.getStart();
}

function isFunctionBoundary(node: ts.Node): boolean {
  return ts.isFunctionLike(node) || ts.isClassLike(node);
}

/** Every function or class nested in `root` (not `root` itself). */
function forEachNestedFunction(root: ts.Node, callback: (node: ts.Node) => void): void {
  ts.forEachChild(root, function visit(node) {
    if (isFunctionBoundary(node)) {
      callback(node);
      return;
    }
    ts.forEachChild(node, visit);
  });
}

/** `return` statements of `root`'s own function, outside nested functions. */
function collectReturns(root: ts.Node, into: ts.ReturnStatement[]): void {
  ts.forEachChild(root, function visit(node) {
    if (isFunctionBoundary(node)) {
      return;
    }
    if (ts.isReturnStatement(node)) {
      into.push(node);
    }
    ts.forEachChild(node, visit);
  });
}

function nodeContainsCall(root: ts.Node, predicate: (call: ts.CallExpression) => boolean): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) {
      return;
    }
    if (ts.isCallExpression(node) && predicate(node)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

function calleeMatches(
  specifier: CalleeSpecifier | string,
  descriptor: string,
  declaration: ts.Declaration,
  program: ts.Program,
): boolean {
  if (typeof specifier === 'string') {
    return descriptor === specifier || descriptor.endsWith(`#${specifier}`);
  }
  if (specifier.name !== descriptor) {
    return false;
  }
  const origin = getDeclarationOrigin(declaration, program);
  switch (specifier.from) {
    case 'lib':
      return origin.kind === 'global';
    case 'package':
      return originIsPackage(origin, normalizeModuleName(specifier.package ?? '', false));
    case 'file':
      return origin.kind === 'file' && (specifier.path === undefined || origin.path.endsWith(specifier.path));
  }
}

const builtinOwnershipTakers: readonly CalleeSpecifier[] = [
  { from: 'package', package: 'node:stream', name: 'pipeline' },
  { from: 'package', package: 'node:stream/promises', name: 'pipeline' },
];

function getImplementation(declaration: ts.Declaration, checker: ts.TypeChecker): ts.FunctionLikeDeclaration | undefined {
  if (!ts.isFunctionLike(declaration)) {
    return undefined;
  }
  if ('body' in declaration && declaration.body !== undefined) {
    return declaration;
  }
  const name = ts.getNameOfDeclaration(declaration);
  const symbol = name === undefined ? undefined : checker.getSymbolAtLocation(name);
  return symbol?.declarations?.find(
    (candidate): candidate is ts.FunctionLikeDeclaration =>
      ts.isFunctionLike(candidate) && 'body' in candidate && candidate.body !== undefined,
  );
}

/**
 * Whether passing a resource as argument `argumentIndex` of `call` hands it over (`-1`: inside an
 * object or array literal argument). Borrowing is the default; a callee whose source is in the
 * program takes ownership when it releases, stores or returns the parameter on every path.
 */
export function getOwnershipTransfer(
  call: ts.CallExpression | ts.NewExpression,
  argumentIndex: number,
  acquisition: Pick<ResourceAcquisition, 'resource'>,
  context: ResourceAnalysisContext,
): EscapeHow | undefined {
  const declarations = getCalleeDeclarations(call, context.checker);
  if (declarations.length === 0) {
    // An `any`-typed callee could do anything with it; guessing "borrow" would report code we cannot see into.
    const calleeType = context.checker.getTypeAtLocation(call.expression);
    return (calleeType.flags & ts.TypeFlags.Any) !== 0 ? 'transferred' : undefined;
  }
  const answers = declarations.map((declaration) =>
    getOwnershipTransferTo(declaration, argumentIndex, acquisition, context),
  );
  // `new ConnectionType(socket)` with `ConnectionType: typeof A | typeof B`: every candidate must take it.
  return answers.every((answer) => answer !== undefined) ? answers[0] : undefined;
}

/** The declarations a call may run: the resolved one, or every member of a union of callables. */
function getCalleeDeclarations(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker): ts.Declaration[] {
  const resolved = checker.getResolvedSignature(call)?.getDeclaration();
  if (resolved !== undefined) {
    return [resolved];
  }
  const calleeType = checker.getTypeAtLocation(call.expression);
  const declarations: ts.Declaration[] = [];
  for (const part of calleeType.isUnion() ? calleeType.types : [calleeType]) {
    const signatures = ts.isNewExpression(call) ? part.getConstructSignatures() : part.getCallSignatures();
    const declaration = signatures[0]?.getDeclaration();
    if (declaration === undefined) {
      return [];
    }
    declarations.push(declaration);
  }
  return declarations;
}

/** Written under `declare` (`declare function f(…)`, or inside `declare module`/`declare namespace`). */
function isInAmbientContext(node: ts.Node): boolean {
  for (let current = parentOf(node) === undefined ? undefined : node; current !== undefined && !ts.isSourceFile(current); current = parentOf(current)) {
    if (ts.canHaveModifiers(current) && (ts.getModifiers(current) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.DeclareKeyword)) {
      return true;
    }
  }
  return false;
}

/**
 * The function body that receives argument `argumentIndex`, and the plain named parameter it
 * arrives in; `undefined` when it arrives some other way (a rest or destructured parameter, a
 * parameter property, no readable body), which callers treat as "anything may happen to it".
 */
function getReceivingParameter(
  declaration: ts.Declaration,
  argumentIndex: number,
  checker: ts.TypeChecker,
): { implementation: ts.FunctionLikeDeclaration; symbol: ts.Symbol; body: ts.Node } | undefined {
  const implementation = getImplementation(declaration, checker);
  if (implementation === undefined || argumentIndex < 0) {
    return undefined;
  }
  const parameter = implementation.parameters[argumentIndex] ?? implementation.parameters.at(-1);
  if (
    parameter === undefined ||
    parameter.dotDotDotToken !== undefined ||
    !ts.isIdentifier(parameter.name) ||
    (ts.getModifiers(parameter)?.length ?? 0) > 0 ||
    implementation.parameters.indexOf(parameter) !== argumentIndex
  ) {
    return undefined;
  }
  const symbol = checker.getSymbolAtLocation(parameter.name);
  const body = implementation.body;
  return symbol === undefined || body === undefined ? undefined : { implementation, symbol, body };
}

function getOwnershipTransferTo(
  declaration: ts.Declaration,
  argumentIndex: number,
  acquisition: Pick<ResourceAcquisition, 'resource'>,
  context: ResourceAnalysisContext,
): EscapeHow | undefined {
  const { checker, program } = context;
  const descriptor = getCalleeDescriptor(declaration);
  if (descriptor !== undefined) {
    if (/^(Async)?DisposableStack#(use|adopt)$/.test(descriptor) && getDeclarationOrigin(declaration, program).kind === 'global') {
      return 'disposable-stack';
    }
    if ([...builtinOwnershipTakers, ...context.takesOwnership].some((specifier) => calleeMatches(specifier, descriptor, declaration, program))) {
      return 'transferred';
    }
  }
  if (argumentIndex >= 0 && getWasmBindgenMethodFacts(declaration, checker)?.consumedParameters.includes(argumentIndex) === true) {
    // The Rust method takes the value by value: its glue detaches the object, which `free()` then no longer frees.
    return 'consumed';
  }
  const sourceFile = declaration.getSourceFile();
  // A declaration without a body says nothing about what the callee does with the value, wherever
  // it is written (a `.d.ts`, or `declare function` in a `.ts`): it borrows, the default.
  if (sourceFile.isDeclarationFile || program.isSourceFileDefaultLibrary(sourceFile) || isInAmbientContext(declaration)) {
    return undefined;
  }
  if (!ts.isFunctionLike(declaration) || ts.isFunctionTypeNode(declaration) || ts.isMethodSignature(declaration) || ts.isCallSignatureDeclaration(declaration)) {
    // A callback parameter, an interface method: whoever implements it receives the resource.
    return 'transferred';
  }
  const receiving = getReceivingParameter(declaration, argumentIndex, checker);
  if (receiving === undefined) {
    return 'transferred';
  }
  const { implementation, symbol, body } = receiving;
  // On recursion, or too deep, the answer is the one that reports nothing: it takes the value.
  const takes = askAboutCalleeBody(context.ownershipCache, implementation, argumentIndex, context, true, () => {
    const tracked: TrackedValue = { symbol, acquisitionNode: undefined, resource: acquisition.resource, ownerObject: undefined };
    const result = walk(tracked, implementation, body, FlowState.Held, context, acquisition);
    // Every path that completes (returns or falls off the end) must have released, stored or
    // returned it; a callee that throws before storing it is the caller's acquire→try gap.
    return (
      closuresRelease(tracked, implementation, context, acquisition) ||
      (result.exits.every((exit) => exit.kind === 'throw' || (exit.state & heldStates) === 0) &&
        (result.releases.length > 0 || result.escapes.length > 0))
    );
  });
  return takes ? 'transferred' : undefined;
}

/**
 * The answer to a question about what a callee's body does with one of its parameters, cached per
 * function and parameter; `whileAnswering` when the question is already being asked about the
 * function (recursion) or the chain of callees is too long to follow.
 */
function askAboutCalleeBody(
  cache: Map<ts.Node, Map<number, boolean>>,
  implementation: ts.FunctionLikeDeclaration,
  argumentIndex: number,
  context: ResourceAnalysisContext,
  whileAnswering: boolean,
  answer: () => boolean,
): boolean {
  let answers = cache.get(implementation);
  if (answers === undefined) {
    answers = new Map();
    cache.set(implementation, answers);
  }
  const known = answers.get(argumentIndex);
  if (known !== undefined) {
    return known;
  }
  if (context.ownershipInProgress.has(implementation) || context.ownershipInProgress.size > 4) {
    return whileAnswering;
  }
  context.ownershipInProgress.add(implementation);
  let result: boolean;
  try {
    result = answer();
  } finally {
    context.ownershipInProgress.delete(implementation);
  }
  answers.set(argumentIndex, result);
  return result;
}

/**
 * Whether a resource made as argument `argumentIndex` of `call` is only borrowed there: every
 * callee it may run has its source in the program, and none releases, stores or returns it. A
 * callee known only by its declaration (a library, `declare function`) may keep it, so a
 * temporary passed there is not reported (a known miss, unlike a variable, which must still be
 * released by whoever holds it).
 */
function onlyBorrowedBy(
  call: ts.CallExpression | ts.NewExpression,
  argumentIndex: number,
  acquisition: Pick<ResourceAcquisition, 'resource'>,
  context: ResourceAnalysisContext,
): boolean {
  const declarations = getCalleeDeclarations(call, context.checker);
  const readable = declarations.every((declaration) => {
    const implementation = getImplementation(declaration, context.checker);
    return implementation !== undefined && !implementation.getSourceFile().isDeclarationFile && !isInAmbientContext(implementation);
  });
  return declarations.length > 0 && readable && getOwnershipTransfer(call, argumentIndex, acquisition, context) === undefined;
}

/**
 * Whether handing a value that opens on first read (a lazy cursor) to `call` may open it. Only a
 * callee whose source is in the program, and whose body leaves the parameter unopened on every
 * path (configured through its fluent methods at most), keeps it unopened; any other may read it.
 */
function opensWhenPassed(
  call: ts.CallExpression | ts.NewExpression,
  argumentIndex: number,
  acquisition: Pick<ResourceAcquisition, 'resource'>,
  context: ResourceAnalysisContext,
): boolean {
  const declarations = getCalleeDeclarations(call, context.checker);
  return declarations.length === 0 || declarations.some((declaration) => opensIn(declaration, argumentIndex, acquisition, context));
}

function opensIn(
  declaration: ts.Declaration,
  argumentIndex: number,
  acquisition: Pick<ResourceAcquisition, 'resource'>,
  context: ResourceAnalysisContext,
): boolean {
  const sourceFile = declaration.getSourceFile();
  if (sourceFile.isDeclarationFile || context.program.isSourceFileDefaultLibrary(sourceFile) || isInAmbientContext(declaration)) {
    return true;
  }
  const receiving = getReceivingParameter(declaration, argumentIndex, context.checker);
  if (receiving === undefined) {
    return true;
  }
  const { implementation, symbol, body } = receiving;
  return askAboutCalleeBody(context.openingCache, implementation, argumentIndex, context, true, () => {
    const tracked: TrackedValue = { symbol, acquisitionNode: undefined, resource: acquisition.resource, ownerObject: undefined };
    const result = walk(tracked, implementation, body, FlowState.Unopened, context, acquisition);
    return result.exits.some((exit) => (exit.state & ~FlowState.Unopened) !== 0) || closuresReference(tracked, implementation, context);
  });
}

/** A call takes the value when its callee's own body releases, stores or returns it on every path. */
function ownershipDecidedByCallees(acquisition: Pick<ResourceAcquisition, 'resource'>, context: ResourceAnalysisContext): OwnershipPolicy {
  return {
    ownershipTakenBy: (call, argumentIndex) => getOwnershipTransfer(call, argumentIndex, acquisition, context),
    opensWhenPassed: (call, argumentIndex) => opensWhenPassed(call, argumentIndex, acquisition, context),
  };
}

function walk(
  tracked: TrackedValue,
  owner: ts.Node,
  body: ts.Node,
  initialState: number,
  context: ResourceAnalysisContext,
  acquisition: Pick<ResourceAcquisition, 'resource'>,
): FlowResult & { walker: ResourceFlowWalker } {
  const walker = new ResourceFlowWalker(context, tracked, owner, ownershipDecidedByCallees(acquisition, context));
  return { ...walker.run(body, initialState), walker };
}

/** Whether a nested function of `owner` mentions the value: what it does with it is not followed. */
function closuresReference(tracked: TrackedValue, owner: ts.Node, context: ResourceAnalysisContext): boolean {
  const walker = new ResourceFlowWalker(context, tracked, owner, callsOnlyBorrow);
  let referenced = false;
  forEachNestedFunction(getBody(owner as ts.SignatureDeclaration) ?? owner, (nested) => {
    referenced ||= walker.references(nested);
  });
  return referenced;
}

/** A nested function that releases the value (`stream.on('close', () => fh.close())`, `stack.defer(…)`) owns its release. */
function closuresRelease(
  tracked: TrackedValue,
  owner: ts.Node,
  context: ResourceAnalysisContext,
  acquisition: Pick<ResourceAcquisition, 'resource'>,
): boolean {
  const walker = new ResourceFlowWalker(context, tracked, owner, ownershipDecidedByCallees(acquisition, context));
  // `for (const sock of [socket, netSocket]) sock.destroy()`: inside a closure that mentions the
  // value, a call of one of its release methods on anything counts, so aliases do not hide it.
  const releaseMethods = new Set(
    tracked.resource.releaseForms.flatMap((form) => (form.kind === 'method' ? [form.name] : [])),
  );
  let releases = false;
  forEachNestedFunction(getBody(owner as ts.SignatureDeclaration) ?? owner, (nested) => {
    if (!releases && walker.references(nested)) {
      releases = nodeContainsCall(nested, (call) => {
        if (walker.getReleaseKind(call) !== undefined) {
          return true;
        }
        const callee = skipTransparentDown(call.expression);
        return ts.isPropertyAccessExpression(callee) && releaseMethods.has(callee.name.text);
      });
    }
  });
  return releases;
}

/**
 * `await mutex.acquire(); try { … } finally { mutex.release(); }`: the releaser is not needed
 * when the object it came from releases, so a discarded result is not a leak there.
 */
function releasedThroughOwner(acquisition: ResourceAcquisition): boolean {
  const ownerObject = acquisition.ownerObject;
  const names = new Set(acquisition.resource.releaseForms.flatMap((form) => (form.kind === 'owner-method' ? [form.name] : [])));
  const body = getBody(acquisition.owner);
  if (ownerObject === undefined || names.size === 0 || body === undefined) {
    return false;
  }
  const ownerText = skipTransparentDown(ownerObject).getText();
  return nodeContainsCall(body, (call) => {
    const callee = skipTransparentDown(call.expression);
    return (
      ts.isPropertyAccessExpression(callee) &&
      names.has(callee.name.text) &&
      skipTransparentDown(callee.expression).getText() === ownerText
    );
  });
}

function getTrackedValue(acquisition: ResourceAcquisition): TrackedValue | undefined {
  const binding = acquisition.binding;
  if (binding.kind === 'discarded' || binding.kind === 'argument') {
    return undefined;
  }
  return {
    symbol: binding.symbol,
    acquisitionNode: binding.kind === 'variable' ? binding.declaration : binding.assignment,
    resource: acquisition.resource,
    ownerObject: acquisition.ownerObject,
    fallbackOf: acquisition.fallbackOf,
  };
}

function getEnclosingLoop(node: ts.Node, owner: ts.Node): ts.IterationStatement | undefined {
  for (let current = node.parent as ts.Node | undefined; current !== owner && current !== undefined; current = current.parent as ts.Node | undefined) {
    if (ts.isIterationStatement(current, false)) {
      return current;
    }
  }
  return undefined;
}

/** A returned promise that still uses the resource, returned without `await` from inside `scope`. */
function findEscapingPromise(
  scope: ts.Node,
  after: number,
  walker: ResourceFlowWalker,
  checker: ts.TypeChecker,
): ts.Expression | undefined {
  const returns: ts.ReturnStatement[] = [];
  collectReturns(scope, returns);
  for (const statement of returns) {
    const expression = statement.expression;
    if (expression === undefined || statement.pos < after) {
      continue;
    }
    const inner = skipTransparentDown(expression);
    if (ts.isAwaitExpression(inner) || walker.isTracked(inner) || !walker.references(inner)) {
      continue;
    }
    if (isThenable(checker.getTypeAtLocation(inner), inner, checker)) {
      return expression;
    }
  }
  return undefined;
}

/**
 * A `return` after `declaration` in its block that hands out a promise still using the variable,
 * without `await`: turning the declaration into `using` would release it before that promise
 * settles, so the rule does not suggest it there.
 */
export function findPromiseEscapingBlock(
  acquisition: ResourceAcquisition,
  context: ResourceAnalysisContext,
): ts.Expression | undefined {
  const tracked = getTrackedValue(acquisition);
  const binding = acquisition.binding;
  if (tracked === undefined || binding.kind !== 'variable') {
    return undefined;
  }
  const walker = new ResourceFlowWalker(context, tracked, acquisition.owner, callsOnlyBorrow);
  return findEscapingPromise(binding.statement.parent, binding.statement.end, walker, context.checker);
}

function analyzeUsing(acquisition: ResourceAcquisition, tracked: TrackedValue, context: ResourceAnalysisContext): ResourceLifetimeVerdict {
  const binding = acquisition.binding;
  const body = getBody(acquisition.owner);
  if (binding.kind !== 'variable' || body === undefined) {
    return { kind: 'using', acquisition, releases: [], escapes: [] };
  }
  const result = walk(tracked, acquisition.owner, body, FlowState.Unacquired, context, acquisition);
  const release = result.releases[0];
  if (release !== undefined) {
    return { kind: 'double-dispose', acquisition, releases: result.releases, escapes: result.escapes, release };
  }
  const returned = findEscapingPromise(binding.statement.parent, binding.statement.end, result.walker, context.checker);
  if (returned !== undefined) {
    return { kind: 'promise-escapes-release-scope', acquisition, releases: [], escapes: [], returned, releasedBy: 'using' };
  }
  return { kind: 'using', acquisition, releases: [], escapes: [] };
}

/**
 * What happens to the resource `acquisition` acquires, on every path through its scope.
 * Never throws on valid code; anything it cannot model counts as ownership moving elsewhere.
 */
export function analyzeResourceLifetime(
  acquisition: ResourceAcquisition,
  context: ResourceAnalysisContext,
): ResourceLifetimeVerdict {
  const verdict = analyzeReleases(acquisition, context);
  if (isLeakVerdict(verdict) && releasesDoNothing(verdict, context.checker)) {
    return { kind: 'release-does-nothing', acquisition, releases: verdict.releases, escapes: verdict.escapes, leak: verdict.kind };
  }
  return verdict;
}

/**
 * Whether the releases a leak skips do nothing: the ones the code makes elsewhere, or, when it
 * makes none, every release the value's type offers.
 */
function releasesDoNothing(verdict: LeakVerdict, checker: ts.TypeChecker): boolean {
  const { acquisition } = verdict;
  const binding = acquisition.binding;
  const type = 'name' in binding ? checker.getTypeAtLocation(binding.name) : acquisition.resource.type;
  const members: (string | ts.Symbol)[] = [];
  if (verdict.releases.length > 0) {
    for (const release of verdict.releases) {
      const callee = skipTransparentDown(release.call.expression);
      const member = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isElementAccessExpression(callee) ? checker.getSymbolAtLocation(callee) : undefined;
      if (member === undefined) {
        return false;
      }
      members.push(member);
    }
  } else {
    for (const form of acquisition.resource.releaseForms) {
      if (form.kind !== 'method') {
        return false;
      }
      members.push(form.name);
    }
    members.push(...getDisposalMembers(type, checker));
  }
  return releaseDoesNothing(type, members, checker);
}

function analyzeReleases(
  acquisition: ResourceAcquisition,
  context: ResourceAnalysisContext,
): ResourceLifetimeVerdict {
  const tracked = getTrackedValue(acquisition);
  const binding = acquisition.binding;
  if (binding.kind === 'argument') {
    return onlyBorrowedBy(binding.call, binding.argumentIndex, acquisition, context)
      ? { kind: 'borrowed-temporary', acquisition, releases: [], escapes: [], call: binding.call }
      : { kind: 'escapes', acquisition, releases: [], escapes: [], how: 'transferred', node: binding.call };
  }
  if (tracked === undefined) {
    if (releasedThroughOwner(acquisition)) {
      return { kind: 'released-on-every-path', acquisition, releases: [], escapes: [] };
    }
    return { kind: 'discarded', acquisition, releases: [], escapes: [] };
  }
  if (binding.kind === 'variable' && (binding.declarationKind === 'using' || binding.declarationKind === 'await using')) {
    return analyzeUsing(acquisition, tracked, context);
  }
  const owner = acquisition.owner;
  const body = getBody(owner);
  if (body === undefined) {
    return { kind: 'escapes', acquisition, releases: [], escapes: [], how: 'captured', node: acquisition.expression };
  }
  if (closuresRelease(tracked, owner, context, acquisition)) {
    return { kind: 'escapes', acquisition, releases: [], escapes: [], how: 'captured', node: acquisition.expression };
  }
  const result = walk(tracked, owner, body, FlowState.Unacquired, context, acquisition);
  const releases = [...result.releases].sort((left, right) => byPosition(left.call, right.call));
  const escapes = [...result.escapes].sort((left, right) => byPosition(left.node, right.node));
  const heldExits = result.exits.filter((exit) => (exit.state & heldStates) !== 0);
  const base = { acquisition, releases, escapes };
  const firstOverwrite = [...result.overwrites].sort(byPosition)[0];
  if (firstOverwrite !== undefined) {
    return { ...base, kind: 'overwritten', overwrite: firstOverwrite };
  }
  const acquisitionNode = tracked.acquisitionNode ?? acquisition.expression;

  if (heldExits.length === 0 && result.reacquisitions.length === 0) {
    const firstEscape = escapes[0];
    if (releases.length === 0) {
      return firstEscape === undefined
        ? { ...base, kind: 'escapes', how: 'captured', node: acquisition.expression }
        : { ...base, kind: 'escapes', how: firstEscape.how, node: firstEscape.node };
    }
    const finallyRelease = releases.find((release) => release.finallyOf !== undefined);
    if (finallyRelease?.finallyOf !== undefined) {
      const tryStatement = finallyRelease.finallyOf;
      const returned = findEscapingPromise(tryStatement.tryBlock, 0, result.walker, context.checker) ??
        (tryStatement.catchClause === undefined ? undefined : findEscapingPromise(tryStatement.catchClause.block, 0, result.walker, context.checker));
      if (returned !== undefined) {
        return { ...base, kind: 'promise-escapes-release-scope', returned, releasedBy: 'finally' };
      }
      return {
        ...base,
        kind: 'released-in-finally',
        tryStatement,
        release: finallyRelease,
        otherFinallyStatements: tryStatement.finallyBlock?.statements.filter((statement) => statement !== finallyRelease.statement) ?? [],
      };
    }
    return { ...base, kind: 'released-on-every-path' };
  }
  if (releases.length === 0 && escapes.length === 0) {
    return { ...base, kind: 'never-released' };
  }
  const heldJumps = [...result.heldJumps].sort(byPosition);
  const firstJump = heldJumps[0];
  if (result.reacquisitions.length > 0) {
    const afterJump = result.reacquisitions.some((entry) => (entry.state & FlowState.HeldAfterJump) !== 0);
    if (afterJump && firstJump !== undefined) {
      return { ...base, kind: 'missed-on-early-exit', exit: firstJump };
    }
    return { ...base, kind: 'acquired-in-loop-not-released', loop: getEnclosingLoop(acquisitionNode, owner) };
  }
  if (firstJump !== undefined && heldExits.some((exit) => (exit.state & FlowState.HeldAfterJump) !== 0)) {
    return { ...base, kind: 'missed-on-early-exit', exit: firstJump };
  }
  const plainHeld = (state: number): boolean => (state & FlowState.Held) !== 0;
  const normalExits = result.exits.filter((exit) => exit.kind !== 'throw');
  const heldReturns = normalExits.filter((exit) => exit.kind === 'return' && plainHeld(exit.state)).map((exit) => exit.node).sort(byPosition);
  const cleanNormalExit = normalExits.some((exit) => (exit.state & heldStates) === 0 || (exit.state & (FlowState.Released | FlowState.Escaped)) !== 0);
  const firstHeldReturn = heldReturns[0];
  if (firstHeldReturn !== undefined && cleanNormalExit && normalExits.some((exit) => !plainHeld(exit.state))) {
    return { ...base, kind: 'missed-on-early-exit', exit: firstHeldReturn };
  }
  if (normalExits.some((exit) => plainHeld(exit.state))) {
    return { ...base, kind: 'released-in-some-branches' };
  }
  // Only paths through an exception still hold it.
  let heldThrows = result.exits
    .filter((exit) => exit.kind === 'throw' && plainHeld(exit.state))
    .map((exit) => exit.node)
    .sort(byPosition);
  if (releases.length === 0) {
    // A factory that configures the value and hands it on: any call in between could throw, but
    // only an explicit `throw` is certain enough to report.
    heldThrows = heldThrows.filter((node) => ts.isThrowStatement(node));
    if (heldThrows.length === 0) {
      const firstEscape = escapes[0];
      return firstEscape === undefined
        ? { ...base, kind: 'escapes', how: 'captured', node: acquisition.expression }
        : { ...base, kind: 'escapes', how: firstEscape.how, node: firstEscape.node };
    }
  }
  for (const tryStatement of [...result.releasingTries].sort(byPosition)) {
    const tryStart = tryStatement.getStart();
    if (
      tryStart > acquisitionNode.end &&
      heldThrows.length > 0 &&
      heldThrows.every((node) => node.getStart() >= acquisitionNode.end && node.end <= tryStart)
    ) {
      return { ...base, kind: 'acquire-try-gap', gap: heldThrows[0] ?? tryStatement, tryStatement };
    }
  }
  const throwSite = heldThrows[0] ?? [...result.caughtHeldThrows].sort(byPosition)[0] ?? acquisition.expression;
  return { ...base, kind: 'released-only-on-success', throwSite };
}

/**
 * The acquisition a `using`/`await using` declaration makes, whatever its initialiser is
 * (`using stack = new DisposableStack()`, `await using db = this.connect()`), for the checks that
 * apply to `using` scopes: a second, manual release and a promise escaping the scope.
 */
export function getUsingAcquisition(
  declaration: ts.VariableDeclaration,
  context: ResourceAnalysisContext,
): ResourceAcquisition | undefined {
  const list = declaration.parent;
  const initializer = declaration.initializer;
  if (
    initializer === undefined ||
    !ts.isIdentifier(declaration.name) ||
    !ts.isVariableDeclarationList(list) ||
    !ts.isVariableStatement(list.parent) ||
    (list.flags & ts.NodeFlags.Using) === 0
  ) {
    return undefined;
  }
  const symbol = context.checker.getSymbolAtLocation(declaration.name);
  if (symbol === undefined) {
    return undefined;
  }
  const type = context.checker.getTypeAtLocation(declaration.name);
  const inner = skipTransparentDown(ts.isAwaitExpression(initializer) ? initializer.expression : initializer);
  return {
    expression: inner,
    valueExpression: initializer,
    awaited: ts.isAwaitExpression(initializer),
    acquirer: inner.getText().length > 40 ? `${inner.getText().slice(0, 37)}…` : inner.getText(),
    owner: getOwnerScope(declaration),
    ownerObject: undefined,
    fallbackOf: undefined,
    binding: {
      kind: 'variable',
      declaration,
      statement: list.parent,
      name: declaration.name,
      symbol,
      declarationKind: getDeclarationKind(list) === 'await using' ? 'await using' : 'using',
    },
    resource: describeResource(type, undefined, context),
  };
}
