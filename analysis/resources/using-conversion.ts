import * as tsutils from 'ts-api-utils';
import ts from 'typescript';

import { lineOf, shorten } from '../core/source-text.js';
import type { TextEdit } from '../core/text-edit.js';
import { isReassigned } from '../core/is-reassigned.js';
import { supportsTopLevelAwait } from '../core/compiler-options.js';
import type { ResourceAnalysisContext } from './context.js';
import {
  type AcquisitionBinding,
  analyzeResourceLifetime,
  findPromiseEscapingBlock,
  findResourceAcquisitions,
  type ReleaseSite,
  type ResourceAcquisition,
  type ResourceLifetimeVerdict,
} from './lifetime.js';
import { getNonNullishConstituents } from '../core/types.js';
import { getDeclarationKind } from './acquisition.js';

/**
 * Can a manually released resource become a `using` declaration without changing what the
 * program does, and with which text edits? The answer `to-using` applies, built on the verdicts
 * `no-undisposed-resources` reports from, so the codemod converts exactly what the analysis
 * proves is released by hand, and never a resource the rule would then flag.
 *
 * Three shapes convert:
 * - `const x = acquire(); try { body } finally { …other work; x.close(); }`: the declaration
 *   becomes `using`; the `try` is removed when nothing else remains of it, otherwise it keeps its
 *   `catch` and the other work of its `finally`, which still runs before the disposal.
 * - several resources released at the end of one `finally`, in reverse order of acquisition:
 *   consecutive `using` declarations, disposed in that same order.
 * - `const x = acquire(); …; x.close();` with the release last in the block: `using`, release
 *   dropped (it now also runs when the block is left by an exception).
 * When statements after the `try` must still run after the release, the declaration and the
 * body are wrapped in a block of their own, so the disposal happens where the release did.
 *
 * The rule's suggestion is the same rewrite, resource by resource ({@link getUsingRewrite}): what
 * the codemod would change for it, or, for a resource the code does not release on some normal
 * path, the rewrite the codemod refuses to make unattended and leaves to a person.
 */

export type UsingKeyword = 'using' | 'await using';

/** One rewrite on its own: the edits that declare a resource, and those converted with it, with `using`. */
export interface UsingRewrite {
  /** The resources it declares with `using`, in source order: several when they share one `finally`, or end one block. */
  members: { acquisition: ResourceAcquisition; name: string; keyword: UsingKeyword }[];
  /** Whether it removes manual releases (with the `try` around them, when nothing else remains of it). */
  dropsRelease: boolean;
  /** Non-overlapping edits of the source file, sorted. */
  edits: TextEdit[];
}

export interface UsingConversion {
  acquisition: ResourceAcquisition;
  keyword: UsingKeyword;
  /** `const fh → await using fh`, plus what now happens differently on failure. */
  description: string;
  /** This conversion alone, as an editor applies it; {@link UsingConversionPlan.edits} applies them all. */
  rewrite: UsingRewrite;
}

export interface UsingRefusal {
  acquisition: ResourceAcquisition;
  /** Where a reviewer should look: the declaration (or the acquiring call). */
  node: ts.Node;
  /** One sentence: why the codemod left this alone, and what to do about it. */
  reason: string;
  /**
   * For a resource the code does not release on some normal path (never, not on an early exit, not
   * before the loop acquires the next one) that could otherwise be converted: the rewrite a person
   * may choose, knowing that it adds releases the code never made. The codemod does not apply it,
   * since its output must behave as its input does except for leaks on failure; the rule offers it.
   */
  rewrite?: UsingRewrite;
}

export interface UsingConversionPlan {
  conversions: UsingConversion[];
  refusals: UsingRefusal[];
  /** Non-overlapping edits of the source file, sorted, applying every conversion at once. */
  edits: TextEdit[];
}

/**
 * Every resource of `sourceFile` and what to do about it. Resources that are fine as they are
 * (already `using`, or handed on to someone else) are neither converted nor refused.
 */
export function planUsingConversions(sourceFile: ts.SourceFile, context: ResourceAnalysisContext): UsingConversionPlan {
  const refusals: UsingRefusal[] = [];
  const candidates: ReleasedCandidate[] = [];
  const leftToAPerson: { candidate: Candidate; reason: string }[] = [];
  for (const acquisition of findResourceAcquisitions(sourceFile, context)) {
    const verdict = analyzeResourceLifetime(acquisition, context);
    const outcome = classify(verdict, context);
    if (outcome === undefined) continue;
    if ('reason' in outcome) refusals.push(outcome);
    else if (outcome.addsReleases !== undefined) leftToAPerson.push({ candidate: outcome, reason: outcome.addsReleases });
    else if (hasRelease(outcome)) candidates.push(outcome);
  }

  const shaped: ShapedConversion[] = [];
  for (const candidate of candidates.filter((each) => each.assignment !== undefined)) {
    collect(planAssignedInTry(candidate, sourceFile), shaped, refusals);
  }
  const inFinally = groupBy(
    candidates.filter((candidate) => candidate.tryStatement !== undefined && candidate.assignment === undefined),
    (candidate) => candidate.tryStatement,
  );
  for (const group of inFinally.values()) {
    collect(planFinallyGroup(group, sourceFile), shaped, refusals);
  }
  const trailing = groupBy(
    candidates.filter((candidate) => candidate.tryStatement === undefined && candidate.assignment === undefined),
    (candidate) => candidate.block,
  );
  for (const group of trailing.values()) {
    collect(planTrailingGroup(group, sourceFile), shaped, refusals);
  }

  const missing = missingGlobalTypes(context);
  const missingTypeOf = (conversion: ShapedConversion): string | undefined =>
    conversion.members.map((member) => (member.keyword === 'await using' ? missing.async : missing.sync)).find((type) => type !== undefined);
  const accepted: ShapedConversion[] = [];
  for (const conversion of shaped.sort((left, right) => left.declarationStart - right.declarationStart)) {
    const missingType = missingTypeOf(conversion);
    if (missingType !== undefined) {
      for (const member of conversion.members) refusals.push(refuse(member.acquisition, libraryReason(missingType)));
      continue;
    }
    accepted.push(conversion);
  }

  const templates = templateRanges(sourceFile);
  // Each of these is shaped on its own: a person applies one rewrite at a time.
  for (const { candidate, reason } of leftToAPerson) {
    const refusal = refuse(candidate.acquisition, reason);
    const outcome = hasRelease(candidate) ? (candidate.tryStatement === undefined ? planTrailingGroup([candidate], sourceFile) : planFinallyGroup([candidate], sourceFile)) : planDeclarationOnly(candidate, sourceFile);
    refusals.push('conversion' in outcome && missingTypeOf(outcome.conversion) === undefined ? { ...refusal, rewrite: toRewrite(outcome.conversion, sourceFile, templates) } : refusal);
  }

  const edits = mergeEdits(sourceFile, accepted, refusals, templates);
  const conversions = accepted.flatMap((conversion) => {
    const rewrite = toRewrite(conversion, sourceFile, templates);
    return conversion.members.map((member) => ({ acquisition: member.acquisition, keyword: member.keyword, description: member.description, rewrite }));
  });
  return { conversions, refusals: refusals.sort((left, right) => left.node.getStart() - right.node.getStart()), edits };
}

/**
 * The rewrite `no-undisposed-resources` suggests for `acquisition`: the edits of the conversion it
 * is part of, or the rewrite its refusal leaves to a person; `undefined` when there is neither.
 */
export function getUsingRewrite(plan: UsingConversionPlan, acquisition: ResourceAcquisition): UsingRewrite | undefined {
  const isIt = (entry: { acquisition: ResourceAcquisition }): boolean => entry.acquisition.expression === acquisition.expression;
  return plan.conversions.find(isIt)?.rewrite ?? plan.refusals.find(isIt)?.rewrite;
}

// ---------------------------------------------------------------------------------------------
// Which acquisitions are candidates

/** An acquisition that passed every check that concerns it alone. */
interface Candidate {
  acquisition: ResourceAcquisition;
  declaration: ts.VariableStatement;
  name: string;
  /** Where it is declared: a block, or the top level of a module. */
  block: ts.Block | ts.SourceFile;
  /** `undefined` only for a resource the code never releases. */
  release: ReleaseSite | undefined;
  /** The `try` whose `finally` releases it; `undefined` for a release at the end of the block. */
  tryStatement: ts.TryStatement | undefined;
  keyword: UsingKeyword;
  /** What changes on failure, for the report. */
  failureNote: string;
  /**
   * `let fd; try { fd = open(); … } finally { fd?.close(); }`: the assignment that becomes the
   * `using` declaration; {@link declaration} is then the bare `let` that goes away.
   */
  assignment?: ts.ExpressionStatement;
  /**
   * Why converting it adds releases the code never made (it is not released on some normal
   * path), so that only a person should choose to: the codemod's refusal reason.
   */
  addsReleases: string | undefined;
}

type ReleasedCandidate = Candidate & { release: ReleaseSite };

type VariableBinding = Extract<AcquisitionBinding, { kind: 'variable' }>;

function hasRelease(candidate: Candidate): candidate is ReleasedCandidate {
  return candidate.release !== undefined;
}

function refuse(acquisition: ResourceAcquisition, reason: string): UsingRefusal {
  const binding = acquisition.binding;
  return { acquisition, node: binding.kind === 'discarded' || binding.kind === 'argument' ? acquisition.expression : binding.statement, reason };
}

/** The release as a reason quotes it: one line, and short (a callback argument is cut). */
function describeRelease(release: ReleaseSite): string {
  return `\`${shorten(release.call.getText())}\``;
}

/**
 * How a resource whose type has no disposal can still be released by `using`: with the release
 * the code makes, or else one the type has; no method is named that the type does not have.
 */
function describeAdapter(verdict: ResourceLifetimeVerdict, name: string): string {
  const resource = verdict.acquisition.resource;
  const release = verdict.releases.length === 1 ? verdict.releases[0] : undefined;
  const method = resource.releaseForms.find((form) => form.kind === 'method');
  const releaseText = release !== undefined ? shorten(release.call.getText()) : method !== undefined ? `${name}.${method.name}()` : undefined;
  return releaseText === undefined
    ? 'it needs an adapter (a `DisposableStack` whose `defer` callback releases it, or a wrapper type whose disposal is the release)'
    : `it needs an adapter (for example \`using stack = new DisposableStack(); stack.defer(() => ${releaseText});\`, or a wrapper type whose disposal is the release)`;
}

/** `try { c.close(); } catch {}` in the `finally`: `using` never swallows a disposal's error. */
function checkSwallowedError(acquisition: ResourceAcquisition, release: ReleaseSite): UsingRefusal | undefined {
  const finallyBlock = release.finallyOf?.finallyBlock;
  for (let node: ts.Node = release.statement; finallyBlock !== undefined && node !== finallyBlock && !ts.isSourceFile(node); node = node.parent) {
    const parent = node.parent;
    if (ts.isTryStatement(parent) && parent.tryBlock === node && parent.catchClause !== undefined) {
      return refuse(acquisition, `the error of ${describeRelease(release)} is caught on line ${String(lineOf(parent.catchClause))}: \`using\` would let it propagate (combined with the body's error in a \`SuppressedError\`)`);
    }
  }
  return undefined;
}

const escapeWords: Record<string, string> = {
  returned: 'is returned',
  yielded: 'is yielded',
  thrown: 'is thrown',
  stored: 'is stored',
  aliased: 'is assigned to another variable',
  transferred: 'is handed to a call that takes ownership of it',
  'disposable-stack': 'is handed to a DisposableStack',
  captured: 'is captured by a function that may outlive the block',
  piped: 'is piped into another stream',
  listening: 'is listening',
  consumed: 'is consumed by a loop',
  exported: 'is exported',
};

/** A candidate, a refusal, or `undefined` when there is nothing to convert and nothing to say. */
function classify(verdict: ResourceLifetimeVerdict, context: ResourceAnalysisContext): Candidate | UsingRefusal | undefined {
  const { acquisition } = verdict;
  const binding = acquisition.binding;
  if (binding.kind === 'discarded' || binding.kind === 'argument' || (binding.kind === 'variable' && (binding.declarationKind === 'using' || binding.declarationKind === 'await using'))) {
    return undefined;
  }
  if (ts.isSourceFile(acquisition.owner) && verdict.kind === 'never-released') {
    // A module-level resource nobody releases lives as long as the process (a server, a pool):
    // the rule leaves it alone unless `checkModuleTopLevel` is set, and there is no release to convert.
    return undefined;
  }
  if (acquisition.fallbackOf !== undefined && verdict.kind !== 'escapes' && verdict.kind !== 'release-does-nothing') {
    return refuse(
      acquisition,
      `holds \`${acquisition.fallbackOf.getText()}\` instead when that is set, which this scope did not acquire: \`using\` would release it too; release only what was acquired, in a \`finally\` block`,
    );
  }
  switch (verdict.kind) {
    case 'escapes':
    case 'using':
    case 'discarded':
    case 'borrowed-temporary':
    case 'double-dispose':
      // Handed on (a factory, a pool), or already a `using` declaration: nothing to migrate.
      return undefined;
    case 'release-does-nothing':
      // Its release does nothing (a wrapper of a stateless backend): nothing leaks, nothing to migrate.
      return undefined;
    case 'never-released':
      return leaveToAPerson(verdict, context, 'never released here: `using` would start releasing it at the end of the block, which the code never did; decide by hand whether it should be');
    case 'released-in-some-branches': {
      const handedOn = verdict.escapes[0];
      if (verdict.releases.length === 0 && handedOn !== undefined) {
        // Never released here: handed on in some branches (`form.addPart(stream)`), kept in the others.
        return refuse(acquisition, `never released here, and handed on only in some branches (line ${String(lineOf(handedOn.node))}, where it ${escapeWords[handedOn.how] ?? handedOn.how}): \`using\` would release it in the others; decide by hand`);
      }
      return refuse(acquisition, 'released in some branches only: `using` would release it on the others too; decide by hand');
    }
    case 'overwritten':
      return refuse(acquisition, `assigned again on line ${String(lineOf(verdict.overwrite))} while still held, so this value is never released: release it before the assignment, then convert by hand`);
    case 'missed-on-early-exit':
      return leaveToAPerson(
        verdict,
        context,
        `the \`${verdict.exit.getFirstToken()?.getText() ?? 'return'}\` on line ${String(lineOf(verdict.exit))} leaves it unreleased: \`using\` would release it there too; decide by hand`,
      );
    case 'acquired-in-loop-not-released':
      return leaveToAPerson(verdict, context, 'still held when the next iteration acquires another: `using` would release it at the end of each iteration; decide by hand');
    case 'promise-escapes-release-scope':
      return refuse(acquisition, `the promise returned on line ${String(lineOf(verdict.returned))} still uses it after the release; \`await\` it first`);
    case 'released-in-finally':
    case 'acquire-try-gap':
    case 'released-on-every-path':
    case 'released-only-on-success':
      return classifyReleased(verdict, context);
  }
}

/**
 * A resource `using` would start releasing where the code does not: refused with `reason`, but a
 * candidate for a person's rewrite when it passes every other check.
 */
function leaveToAPerson(verdict: ResourceLifetimeVerdict, context: ResourceAnalysisContext, reason: string): Candidate | UsingRefusal {
  const outcome = classifyReleased(verdict, context);
  return 'reason' in outcome ? refuse(verdict.acquisition, reason) : { ...outcome, addsReleases: reason };
}

function classifyReleased(verdict: ResourceLifetimeVerdict, context: ResourceAnalysisContext): Candidate | UsingRefusal {
  const { acquisition } = verdict;
  const binding = acquisition.binding;
  if (binding.kind === 'assignment') {
    return classifyAssignedInTry(verdict, context) ?? refuse(acquisition, 'assigned to a variable declared earlier: `using` needs the acquisition in its declaration');
  }
  if (binding.kind !== 'variable') {
    return refuse(acquisition, 'not kept in a variable');
  }
  const name = binding.name.text;
  if (binding.declarationKind === 'var') {
    return refuse(acquisition, `\`var ${name}\` is function-scoped: \`using\` would release it at the end of its block instead; make it \`const\` first`);
  }
  const list = binding.statement.declarationList;
  if (list.declarations.length !== 1) {
    return refuse(acquisition, 'declared together with other variables: split the declaration first');
  }
  const block = binding.statement.parent;
  if (ts.isSourceFile(block)) {
    if (!ts.isExternalModule(block)) {
      return refuse(acquisition, 'declared at the top level of a script (a file without `import` or `export`), where declarations are globals other files may use: convert by hand, or make the file a module');
    }
  } else if (!ts.isBlock(block)) {
    return refuse(acquisition, 'not declared directly in a block');
  }
  if (binding.declarationKind === 'let' && isReassigned(binding.symbol, acquisition.owner, context.checker)) {
    return refuse(acquisition, `\`${name}\` is reassigned: a \`using\` variable cannot be, and the release would apply to another value`);
  }
  // What the type and the release are decides before where the value goes: those are facts of the
  // code, while an escape (a callback, a `for await`) may be a use the analysis over-reads.
  if (acquisition.resource.disposal === undefined) {
    return refuse(acquisition, `\`${acquisition.resource.typeName}\` has no \`[Symbol.dispose]\`/\`[Symbol.asyncDispose]\`, so \`using\` cannot release it: ${describeAdapter(verdict, name)}`);
  }
  const onlyRelease = verdict.releases.length === 1 ? verdict.releases[0] : undefined;
  const releaseFirst = onlyRelease === undefined ? undefined : checkRelease(acquisition, onlyRelease, name, context) ?? checkSwallowedError(acquisition, onlyRelease);
  if (releaseFirst !== undefined) {
    return releaseFirst;
  }
  const escape = verdict.escapes[0];
  if (escape !== undefined) {
    return refuse(acquisition, `it escapes on line ${String(lineOf(escape.node))}, where it ${escapeWords[escape.how] ?? escape.how}, so it is not this block's to release`);
  }
  if (verdict.releases.length === 0 && verdict.kind === 'never-released') {
    return classifyUnreleased(verdict, context, binding, block);
  }
  if (verdict.releases.length !== 1) {
    return refuse(acquisition, `released in ${String(verdict.releases.length)} places (${verdict.releases.map(describeRelease).join(', ')}): convert by hand`);
  }
  const release = verdict.releases[0] as ReleaseSite;
  const keyword: UsingKeyword = release.isAsync ? 'await using' : 'using';
  const escapingPromise = findPromiseEscapingBlock(acquisition, context);
  if (escapingPromise !== undefined) {
    return refuse(acquisition, `the promise returned on line ${String(lineOf(escapingPromise))} still uses it: \`using\` would release it before that promise settles`);
  }
  const tryStatement = release.finallyOf;
  if (tryStatement !== undefined) {
    if (tryStatement.parent !== block || tryStatement.getStart() < binding.statement.end) {
      return refuse(acquisition, `the \`try\` on line ${String(lineOf(tryStatement))} that releases it is not in the block of the declaration`);
    }
    const finallyBlock = tryStatement.finallyBlock;
    if (finallyBlock === undefined || release.statement.parent !== finallyBlock) {
      return refuse(acquisition, describeNestedRelease(release));
    }
    if (!isPlainReleaseStatement(release)) {
      return refuse(acquisition, `the release ${describeRelease(release)} is part of a larger statement: convert by hand`);
    }
    const failureNote = verdict.kind === 'acquire-try-gap' ? `; it is now also released when line ${String(lineOf(verdict.gap))} throws` : '';
    return { acquisition, declaration: binding.statement, name, block, release, tryStatement, keyword, failureNote, addsReleases: undefined };
  }
  if (release.statement.parent !== block || !isPlainReleaseStatement(release)) {
    return refuse(acquisition, `the release ${describeRelease(release)} is not a statement of the declaration's block and not in a \`finally\`: convert by hand`);
  }
  return {
    acquisition,
    declaration: binding.statement,
    name,
    block,
    release,
    tryStatement: undefined,
    keyword,
    failureNote: '; the release now also runs when an exception leaves the block',
    addsReleases: undefined,
  };
}

/** Whether `release` is what disposing the resource does, and `using` can do it where it is. */
function checkRelease(acquisition: ResourceAcquisition, release: ReleaseSite, name: string, context: ResourceAnalysisContext): UsingRefusal | undefined {
  if (!release.isOwnDisposal) {
    return refuse(
      acquisition,
      `${describeRelease(release)} is not what disposing a \`${acquisition.resource.typeName}\` does (its \`[Symbol.${acquisition.resource.disposal === 'async' ? 'asyncDispose' : 'dispose'}]\` is a different operation), so \`using\` would change how it is released`,
    );
  }
  if (release.call.arguments.length > 0 && !passesOnlyTheResource(release.call, name)) {
    return refuse(
      acquisition,
      `the release ${describeRelease(release)} is called with arguments, and disposal calls it without them, so \`using\` would release it differently`,
    );
  }
  const awaited = isAwaited(release.call);
  const keyword: UsingKeyword = release.isAsync ? 'await using' : 'using';
  const noAwait = release.isAsync ? whyAwaitIsUnavailable(acquisition.owner, context) : undefined;
  if (noAwait !== undefined) {
    return refuse(acquisition, `the release ${describeRelease(release)} is asynchronous but ${noAwait}`);
  }
  if (release.isAsync && !awaited) {
    return refuse(acquisition, `the release ${describeRelease(release)} is not awaited: \`await using\` would wait for it, which the code does not`);
  }
  if (keyword === 'using' && !hasSyncDisposal(acquisition.resource.type, context.checker)) {
    return refuse(acquisition, `the release ${describeRelease(release)} is synchronous but \`${acquisition.resource.typeName}\` only has \`[Symbol.asyncDispose]\`: \`await using\` would wait for the disposal`);
  }
  return undefined;
}

/**
 * `let fd: FileHandle | undefined; try { fd = await open(p); … } finally { await fd?.close(); }`,
 * the most common real shape of a released handle: a candidate when the variable is declared
 * bare, assigned once as the first statement of the `try`, used nowhere outside it, and released
 * as the whole `finally`. `undefined` when the shape is not this one (the caller refuses as for
 * any earlier declared variable); a refusal when it is, but one condition fails.
 */
function classifyAssignedInTry(verdict: ResourceLifetimeVerdict, context: ResourceAnalysisContext): Candidate | UsingRefusal | undefined {
  const { acquisition } = verdict;
  const binding = acquisition.binding;
  if (binding.kind !== 'assignment' || verdict.kind !== 'released-in-finally') {
    return undefined;
  }
  const tryBlock = binding.statement.parent;
  const tryStatement = tryBlock.parent;
  const declarationList = binding.declaration.parent;
  const declaration = declarationList.parent;
  if (
    !ts.isBlock(tryBlock) ||
    !ts.isTryStatement(tryStatement) ||
    tryStatement.tryBlock !== tryBlock ||
    tryBlock.statements[0] !== binding.statement ||
    verdict.tryStatement !== tryStatement ||
    !ts.isVariableDeclarationList(declarationList) ||
    !ts.isVariableStatement(declaration) ||
    declaration.parent !== tryStatement.parent
  ) {
    return undefined;
  }
  const name = binding.name.text;
  const block = tryStatement.parent;
  if (!ts.isBlock(block) && !(ts.isSourceFile(block) && ts.isExternalModule(block))) {
    return undefined;
  }
  if (getDeclarationKind(declarationList) !== 'let' || declarationList.declarations.length !== 1 || !isBareDeclaration(binding.declaration)) {
    return refuse(acquisition, `\`${name}\` is declared with a value or together with others: \`using\` needs one declaration that acquires it; convert by hand`);
  }
  if (tryStatement.catchClause !== undefined) {
    return refuse(acquisition, `the \`catch\` on line ${String(lineOf(tryStatement.catchClause))} also handles a failure of the acquisition, which \`using\` would leave to the caller: convert by hand`);
  }
  const finallyStatements = tryStatement.finallyBlock?.statements ?? [];
  if (verdict.releases.length !== 1 || finallyStatements.length !== 1 || finallyStatements[0] !== verdict.release.statement || !isPlainReleaseStatement(verdict.release)) {
    return refuse(acquisition, `the \`finally\` on line ${String(lineOf(tryStatement.finallyBlock ?? tryStatement))} does more than release \`${name}\`: convert by hand`);
  }
  const escape = verdict.escapes[0];
  if (escape !== undefined) {
    return refuse(acquisition, `it escapes on line ${String(lineOf(escape.node))}, where it ${escapeWords[escape.how] ?? escape.how}, so it is not this block's to release`);
  }
  const outside = findUseOutside(binding.symbol, tryStatement, binding.declaration, acquisition.owner, context.checker);
  if (outside !== undefined) {
    return refuse(acquisition, `\`${name}\` is used on line ${String(lineOf(outside))}, outside the \`try\` that would become its \`using\` scope: convert by hand`);
  }
  if (writesTo(binding.symbol, tryStatement, context.checker).length !== 1) {
    return refuse(acquisition, `\`${name}\` is assigned more than once: a \`using\` variable cannot be; convert by hand`);
  }
  if (acquisition.resource.disposal === undefined) {
    return refuse(acquisition, `\`${acquisition.resource.typeName}\` has no \`[Symbol.dispose]\`/\`[Symbol.asyncDispose]\`, so \`using\` cannot release it`);
  }
  const releaseRefusal = checkRelease(acquisition, verdict.release, name, context);
  if (releaseRefusal !== undefined) {
    return releaseRefusal;
  }
  return {
    acquisition,
    declaration,
    name,
    block,
    release: verdict.release,
    tryStatement,
    keyword: verdict.release.isAsync ? 'await using' : 'using',
    failureNote: '',
    addsReleases: undefined,
    assignment: binding.statement,
  };
}

/** `let fd;`, `let fd: FileHandle | undefined;`, `let fd = undefined;`. */
function isBareDeclaration(declaration: ts.VariableDeclaration): boolean {
  const initializer = declaration.initializer;
  return initializer === undefined || (ts.isIdentifier(initializer) && initializer.text === 'undefined');
}

/** A reference to `symbol` in `owner` outside `scope` and its own declaration. */
function findUseOutside(symbol: ts.Symbol, scope: ts.Node, declaration: ts.VariableDeclaration, owner: ts.Node, checker: ts.TypeChecker): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined || node === scope) return;
    if (ts.isIdentifier(node) && node !== declaration.name && node.text === symbol.name && checker.getSymbolAtLocation(node) === symbol) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(owner);
  return found;
}

/** The assignments and increments of `symbol` inside `scope`. */
function writesTo(symbol: ts.Symbol, scope: ts.Node, checker: ts.TypeChecker): ts.Node[] {
  const writes: ts.Node[] = [];
  const isIt = (node: ts.Node): boolean => ts.isIdentifier(node) && checker.getSymbolAtLocation(node) === symbol;
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment && isIt(node.left)) {
      writes.push(node);
    }
    if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && isIt(node.operand)) {
      writes.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return writes;
}

/**
 * A resource that is never released, past the checks of {@link classifyReleased} that apply
 * without a release: `using` as its disposal asks, unless that is a timer's (which cancels it).
 */
function classifyUnreleased(verdict: ResourceLifetimeVerdict, context: ResourceAnalysisContext, binding: VariableBinding, block: ts.Block | ts.SourceFile): Candidate | UsingRefusal {
  const { acquisition } = verdict;
  if (acquisition.resource.known?.group === 'timers') {
    return refuse(acquisition, 'disposing a timer cancels it, which the code never asked for: decide by hand');
  }
  const keyword: UsingKeyword = acquisition.resource.disposal === 'async' ? 'await using' : 'using';
  const noAwait = keyword === 'await using' ? whyAwaitIsUnavailable(acquisition.owner, context) : undefined;
  if (noAwait !== undefined) {
    return refuse(acquisition, `\`${acquisition.resource.typeName}\` is disposed asynchronously but ${noAwait}`);
  }
  const escapingPromise = findPromiseEscapingBlock(acquisition, context);
  if (escapingPromise !== undefined) {
    return refuse(acquisition, `the promise returned on line ${String(lineOf(escapingPromise))} still uses it: \`using\` would release it before that promise settles`);
  }
  return {
    acquisition,
    declaration: binding.statement,
    name: binding.name.text,
    block,
    release: undefined,
    tryStatement: undefined,
    keyword,
    failureNote: '',
    addsReleases: undefined,
  };
}

/** `if (c) c.close()` in the `finally` (a swallowed error was refused before, by {@link checkSwallowedError}). */
function describeNestedRelease(release: ReleaseSite): string {
  return `the release ${describeRelease(release)} is conditional or nested in the \`finally\`: convert by hand`;
}

function isPlainReleaseStatement(release: ReleaseSite): boolean {
  const statement = release.statement;
  if (!ts.isExpressionStatement(statement)) return false;
  let expression: ts.Expression = statement.expression;
  if (ts.isAwaitExpression(expression)) expression = expression.expression;
  return expression === release.call;
}

function isAwaited(call: ts.CallExpression): boolean {
  let top: ts.Node = call;
  while (ts.isParenthesizedExpression(top.parent)) top = top.parent;
  return ts.isAwaitExpression(top.parent);
}

/** Why `await using` cannot be written in `owner`, as the end of a refusal; `undefined` when it can. */
function whyAwaitIsUnavailable(owner: ResourceAcquisition['owner'], context: ResourceAnalysisContext): string | undefined {
  if (!ts.isSourceFile(owner)) {
    return tsutils.includesModifier(ts.getModifiers(owner as ts.HasModifiers), ts.SyntaxKind.AsyncKeyword)
      ? undefined
      : 'the function is not `async`, and `await using` needs an async function';
  }
  return supportsTopLevelAwait(owner, context.program.getCompilerOptions())
    ? undefined
    : 'this module cannot use top-level `await` (it needs `module` `es2022`, `esnext`, `preserve` or `node16`+ with the file as an ES module, and `target` `es2017` or later)';
}


function hasSyncDisposal(type: ts.Type, checker: ts.TypeChecker): boolean {
  return (getNonNullishConstituents(type) ?? []).every((part) =>
    tsutils.intersectionConstituents(part).some((piece) => tsutils.getWellKnownSymbolPropertyOfType(piece, 'dispose', checker) !== undefined),
  );
}

/** The global types a `using` declaration is checked against, when the program lacks them. */
function missingGlobalTypes(context: ResourceAnalysisContext): { sync: string | undefined; async: string | undefined } {
  const has = (name: string): boolean => context.checker.resolveName(name, undefined, ts.SymbolFlags.Type, false) !== undefined;
  return { sync: has('Disposable') ? undefined : 'Disposable', async: has('AsyncDisposable') ? undefined : 'AsyncDisposable' };
}

function libraryReason(missingType: string): string {
  return `this project's \`lib\` has no global \`${missingType}\` type, which \`using\` needs: add \`"esnext.disposable"\` to \`compilerOptions.lib\` (TypeScript 5.2 or later), and on runtimes without \`Symbol.dispose\`/\`Symbol.asyncDispose\` load a polyfill before this code runs`;
}

// ---------------------------------------------------------------------------------------------
// Shapes: which statements change, and how

interface Member {
  acquisition: ResourceAcquisition;
  name: string;
  keyword: UsingKeyword;
  description: string;
}

/**
 * The edits of one conversion: plain replacements of the original text, plus ranges whose lines
 * move one indentation level left or right (summed where conversions nest, so that a `try`
 * inside a converted `try` comes out two levels further left).
 */
interface ShapedConversion {
  members: Member[];
  /** Whether it removes manual releases. */
  dropsRelease: boolean;
  declarationStart: number;
  replacements: TextEdit[];
  indents: IndentChange[];
}

/** Every line that starts after `start` and before `end` gains (or loses) `columns` of `unit`. */
interface IndentChange {
  start: number;
  end: number;
  unit: string;
  direction: 1 | -1;
}

type GroupOutcome = { conversion: ShapedConversion } | { refusals: UsingRefusal[] };

function collect(outcome: GroupOutcome, shaped: ShapedConversion[], refusals: UsingRefusal[]): void {
  if ('conversion' in outcome) shaped.push(outcome.conversion);
  else refusals.push(...outcome.refusals);
}

function refuseAll(group: readonly Candidate[], reason: string): GroupOutcome {
  return { refusals: group.map((candidate) => refuse(candidate.acquisition, reason)) };
}

function groupBy<Key, Value>(values: readonly Value[], keyOf: (value: Value) => Key): Map<Key, Value[]> {
  const groups = new Map<Key, Value[]>();
  for (const value of values) {
    const key = keyOf(value);
    const group = groups.get(key) ?? [];
    group.push(value);
    groups.set(key, group);
  }
  return groups;
}

function toMember(candidate: Candidate): Member {
  const keywordText = candidate.declaration.declarationList.flags & ts.NodeFlags.Const ? 'const' : 'let';
  return {
    acquisition: candidate.acquisition,
    name: candidate.name,
    keyword: candidate.keyword,
    description: `${keywordText} ${candidate.name} → ${candidate.keyword} ${candidate.name}${candidate.failureNote}`,
  };
}

/** `const` → `using`: the keyword of the declaration list. */
function keywordEdit(candidate: Candidate, sourceFile: ts.SourceFile): TextEdit {
  const list = candidate.declaration.declarationList;
  const start = list.getStart(sourceFile);
  const keywordLength = list.flags & ts.NodeFlags.Const ? 'const'.length : 'let'.length;
  return { start, end: start + keywordLength, text: candidate.keyword };
}

/** A resource never released: only the keyword changes. */
function planDeclarationOnly(candidate: Candidate, sourceFile: ts.SourceFile): GroupOutcome {
  return {
    conversion: {
      members: [toMember(candidate)],
      dropsRelease: false,
      declarationStart: candidate.declaration.getStart(sourceFile),
      replacements: [keywordEdit(candidate, sourceFile)],
      indents: [],
    },
  };
}

/** Releases at the end of one `finally`, in reverse order of acquisition. */
function planFinallyGroup(unsorted: readonly ReleasedCandidate[], sourceFile: ts.SourceFile): GroupOutcome {
  const group = [...unsorted].sort((left, right) => left.declaration.getStart() - right.declaration.getStart());
  const first = group[0] as ReleasedCandidate;
  const tryStatement = first.tryStatement as ts.TryStatement;
  const finallyBlock = tryStatement.finallyBlock as ts.Block;
  const block = first.block;
  const statements = finallyBlock.statements;
  const releaseStatements = new Set(group.map((candidate) => candidate.release.statement));
  // The releases must be the last statements of the `finally`, last acquired first released:
  // that is the order the `using` declarations are disposed in, after whatever the `finally` keeps.
  const trailing = statements.slice(statements.length - group.length);
  if (!trailing.every((statement) => releaseStatements.has(statement))) {
    return refuseAll(
      group,
      `the \`finally\` on line ${String(lineOf(finallyBlock))} does other work after the release, which \`using\` would do before it; move that work before the release first`,
    );
  }
  const expectedOrder = [...group].reverse().map((candidate) => candidate.release.statement);
  if (trailing.some((statement, index) => statement !== expectedOrder[index])) {
    return refuseAll(
      group,
      `the \`finally\` on line ${String(lineOf(finallyBlock))} releases ${group.map((candidate) => `\`${candidate.name}\``).join(' and ')} in acquisition order, but \`using\` disposes in reverse: reorder the releases first if that is safe`,
    );
  }
  const remainingFinally = statements.slice(0, statements.length - group.length);
  const keepsTry = remainingFinally.length > 0 || tryStatement.catchClause !== undefined;
  const blockStatements = [...block.statements];
  const firstIndex = blockStatements.indexOf(first.declaration);
  const tryIndex = blockStatements.indexOf(tryStatement);
  const between = blockStatements.slice(firstIndex, tryIndex);
  const following = blockStatements.slice(tryIndex + 1);
  const movedDeclarations = keepsTry ? new Set<string>() : declaredNames(tryStatement.tryBlock.statements);

  const before = blockStatements.slice(0, firstIndex);
  const wrap = needsBlock(following, group, movedDeclarations, [...before, ...between.filter((statement) => !group.some((candidate) => candidate.declaration === statement))]);
  if (wrap) {
    const hiddenAfter = namesUsedIn(between, following);
    if (hiddenAfter !== undefined) {
      return refuseAll(group, `\`${hiddenAfter}\` is used after the \`try\`, and keeping the release where it was needs a block around the declarations: convert by hand`);
    }
    // `function report() { return db.stats(); }` earlier in the scope: hoisted, it sees `db` only
    // while both stay in the same block.
    const hiddenBefore = namesUsedIn(between, before);
    if (hiddenBefore !== undefined) {
      return refuseAll(group, `\`${hiddenBefore}\` is used by code before its declaration, which a block around the declarations would hide it from: convert by hand`);
    }
    const exported = between.find(isModuleLevelOnly);
    if (exported !== undefined) {
      return refuseAll(group, `line ${String(lineOf(exported))} is an \`import\` or \`export\`, which cannot move into the block that keeps the release where it was: convert by hand`);
    }
  }

  const replacements: TextEdit[] = group.map((candidate) => keywordEdit(candidate, sourceFile));
  const indents: IndentChange[] = [];
  const text = sourceFile.text;
  const layout = tryLayout(tryStatement, sourceFile);
  const blockIndent = indentationOf(text, first.declaration.getStart(sourceFile));
  const unit = indentUnit(text, block, blockIndent, layout);
  if (unit === undefined) {
    return refuseAll(group, 'the block is laid out on one line: convert by hand');
  }
  const tryText = text.slice(tryStatement.getStart(sourceFile), tryStatement.end);
  if (layout === undefined && !wrap && !keepsTry && !tryText.includes('\n')) {
    // `try { work(c); } finally { c.close(); }` on one line: its body takes its place.
    const body = tryStatement.tryBlock;
    replacements.push({ start: tryStatement.getStart(sourceFile), end: tryStatement.end, text: text.slice(body.getStart(sourceFile) + 1, body.end - 1).trim() });
    return { conversion: { members: group.map(toMember), dropsRelease: true, declarationStart: first.declaration.getStart(sourceFile), replacements, indents } };
  }
  if (layout === undefined && (wrap || !keepsTry)) {
    return refuseAll(group, `the \`try\` on line ${String(lineOf(tryStatement))} is laid out in a way the codemod does not rewrite (it expects \`try {\` and the closing \`}\` on lines of their own): convert by hand`);
  }
  if (keepsTry) {
    if (remainingFinally.length > 0) {
      for (const statement of releaseStatements) replacements.push(statementRemoval(statement, sourceFile));
    } else {
      // Only the `catch` remains: drop ` finally { … }`.
      replacements.push({ start: (tryStatement.catchClause as ts.CatchClause).end, end: tryStatement.end, text: '' });
    }
  }
  if (layout === undefined) {
    // Only a `finally` to trim in place, which needs no particular layout.
    return { conversion: { members: group.map(toMember), dropsRelease: true, declarationStart: first.declaration.getStart(sourceFile), replacements, indents } };
  }
  const closing = wrap ? `${blockIndent}}\n` : '';
  if (keepsTry) {
    if (wrap) replacements.push({ start: layout.afterEnd, end: layout.afterEnd, text: closing });
  } else {
    replacements.push({ start: layout.tryLineStart, end: layout.bodyStart, text: '' });
    replacements.push({ start: layout.closeLineStart, end: layout.afterEnd, text: closing });
    // With a wrapping block the body stays where it is: the block's level replaces the `try`'s.
    indents.push({ start: layout.bodyStart - 1, end: layout.closeLineStart, unit: layout.bodyUnit, direction: -1 });
  }
  if (wrap) {
    const declarationLineStart = lineStart(text, first.declaration.getStart(sourceFile));
    replacements.push({ start: declarationLineStart, end: declarationLineStart, text: `${blockIndent}{\n${unit}` });
    indents.push({ start: declarationLineStart, end: layout.afterEnd, unit, direction: 1 });
  }
  return {
    conversion: {
      members: group.map(toMember),
      dropsRelease: true,
      declarationStart: first.declaration.getStart(sourceFile),
      replacements,
      indents,
    },
  };
}

/**
 * `let fd; try { fd = open(); body } finally { fd?.close(); }` → `using fd = open(); body`: the
 * `let` goes, the assignment becomes the declaration, and the `try` opens as a plain block when
 * statements after it must still run after the release (otherwise its body takes its place).
 */
function planAssignedInTry(candidate: ReleasedCandidate, sourceFile: ts.SourceFile): GroupOutcome {
  const tryStatement = candidate.tryStatement as ts.TryStatement;
  const assignment = candidate.assignment as ts.ExpressionStatement;
  const statements = [...candidate.block.statements];
  const tryIndex = statements.indexOf(tryStatement);
  const following = statements.slice(tryIndex + 1);
  const before = statements.slice(0, tryIndex).filter((statement) => statement !== candidate.declaration);
  const wrap = needsBlock(following, [candidate], declaredNames(tryStatement.tryBlock.statements), before);
  const layout = tryLayout(tryStatement, sourceFile);
  if (layout === undefined) {
    return refuseAll([candidate], `the \`try\` on line ${String(lineOf(tryStatement))} is laid out in a way the codemod does not rewrite (it expects \`try {\` and the closing \`}\` on lines of their own): convert by hand`);
  }
  const blockIndent = indentationOf(sourceFile.text, tryStatement.getStart(sourceFile));
  const assignmentStart = assignment.getStart(sourceFile);
  const replacements: TextEdit[] = [
    statementRemoval(candidate.declaration, sourceFile),
    { start: layout.tryLineStart, end: layout.bodyStart, text: wrap ? `${blockIndent}{\n` : '' },
    { start: assignmentStart, end: assignmentStart, text: `${candidate.keyword} ` },
    { start: layout.closeLineStart, end: layout.afterEnd, text: wrap ? `${blockIndent}}\n` : '' },
  ];
  // In a block of its own the body keeps its depth; in place of the `try` it moves out one level.
  const indents: IndentChange[] = wrap ? [] : [{ start: layout.bodyStart - 1, end: layout.closeLineStart, unit: layout.bodyUnit, direction: -1 }];
  return {
    conversion: {
      members: [{ ...toMember(candidate), description: `let ${candidate.name}; ${candidate.name} = … → ${candidate.keyword} ${candidate.name} = …` }],
      dropsRelease: true,
      declarationStart: candidate.declaration.getStart(sourceFile),
      replacements,
      indents,
    },
  };
}

/** Releases that end the block: `const c = open(); work(c); c.close();`. */
function planTrailingGroup(unsorted: readonly ReleasedCandidate[], sourceFile: ts.SourceFile): GroupOutcome {
  const group = [...unsorted].sort((left, right) => left.declaration.getStart() - right.declaration.getStart());
  const block = (group[0] as ReleasedCandidate).block;
  const statements = [...block.statements];
  const last = statements.at(-1);
  const end = last !== undefined && isHarmlessReturn(last, group) ? statements.length - 1 : statements.length;
  const trailing = statements.slice(end - group.length, end);
  const expectedOrder = [...group].reverse().map((candidate) => candidate.release.statement);
  if (trailing.some((statement, index) => statement !== expectedOrder[index])) {
    const inOrder = new Set(trailing).size === group.length && group.every((candidate) => trailing.includes(candidate.release.statement));
    return refuseAll(
      group,
      inOrder
        ? `released in acquisition order at the end of the block, but \`using\` disposes in reverse: reorder the releases first if that is safe`
        : 'the release is not the last statement of the block, so `using` would release it later than the code does: convert by hand',
    );
  }
  const replacements: TextEdit[] = group.map((candidate) => keywordEdit(candidate, sourceFile));
  for (const candidate of group) replacements.push(statementRemoval(candidate.release.statement, sourceFile));
  return {
    conversion: {
      members: group.map(toMember),
      dropsRelease: true,
      declarationStart: (group[0] as ReleasedCandidate).declaration.getStart(sourceFile),
      replacements,
      indents: [],
    },
  };
}

/**
 * A `return` whose value is read without calling anything (`return result;`, `return text.length;`)
 * may follow the release: reading it before or after the disposal makes no difference, as long as
 * it does not read the resource itself.
 */
function isHarmlessReturn(statement: ts.Statement, group: readonly Candidate[]): boolean {
  if (!ts.isReturnStatement(statement)) return false;
  const names = new Set(group.map((candidate) => candidate.name));
  const isPlainRead = (expression: ts.Expression): boolean => {
    // `return handle !== undefined`, `return !handle`: the variable is read, the object is not.
    if (isPresenceTest(expression)) return true;
    if (ts.isIdentifier(expression)) return !names.has(expression.text);
    if (ts.isPropertyAccessExpression(expression)) return isPlainRead(expression.expression);
    if (ts.isElementAccessExpression(expression)) return isPlainRead(expression.expression) && isPlainRead(expression.argumentExpression);
    if (ts.isParenthesizedExpression(expression) || ts.isNonNullExpression(expression) || ts.isAsExpression(expression) || ts.isSatisfiesExpression(expression)) {
      return isPlainRead(expression.expression);
    }
    // `doc?.n ?? 0`, `count > 0 ? count : undefined`, `!found`: operators on plain reads call nothing
    // of the resource, which the names check keeps out of them.
    if (ts.isBinaryExpression(expression)) return plainOperators.has(expression.operatorToken.kind) && isPlainRead(expression.left) && isPlainRead(expression.right);
    if (ts.isPrefixUnaryExpression(expression)) return expression.operator !== ts.SyntaxKind.PlusPlusToken && expression.operator !== ts.SyntaxKind.MinusMinusToken && isPlainRead(expression.operand);
    if (ts.isTypeOfExpression(expression)) return isPlainRead(expression.expression);
    if (ts.isConditionalExpression(expression)) return isPlainRead(expression.condition) && isPlainRead(expression.whenTrue) && isPlainRead(expression.whenFalse);
    if (ts.isTemplateExpression(expression)) return expression.templateSpans.every((span) => isPlainRead(span.expression));
    if (ts.isArrayLiteralExpression(expression)) return expression.elements.every((element) => !ts.isSpreadElement(element) && isPlainRead(element));
    if (ts.isObjectLiteralExpression(expression)) {
      return expression.properties.every(
        (property) =>
          (ts.isPropertyAssignment(property) && !ts.isComputedPropertyName(property.name) && isPlainRead(property.initializer)) ||
          (ts.isShorthandPropertyAssignment(property) && !names.has(property.name.text)),
      );
    }
    return ts.isLiteralExpression(expression) || [ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword].includes(expression.kind);
  };
  return statement.expression === undefined || isPlainRead(statement.expression);
}

const isNullishLiteral = (expression: ts.Expression): boolean =>
  expression.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(expression) && expression.text === 'undefined') || ts.isVoidExpression(expression);

/** `x === undefined`, `x != null`, `!x`: whether a variable holds anything, not what it holds. */
function isPresenceTest(expression: ts.Expression): boolean {
  if (ts.isPrefixUnaryExpression(expression)) {
    return expression.operator === ts.SyntaxKind.ExclamationToken && ts.isIdentifier(skipParentheses(expression.operand));
  }
  if (!ts.isBinaryExpression(expression) || !equalityOperators.has(expression.operatorToken.kind)) {
    return false;
  }
  const left = skipParentheses(expression.left);
  const right = skipParentheses(expression.right);
  return (ts.isIdentifier(left) && isNullishLiteral(right)) || (ts.isIdentifier(right) && isNullishLiteral(left));
}

function skipParentheses(expression: ts.Expression): ts.Expression {
  return ts.isParenthesizedExpression(expression) ? skipParentheses(expression.expression) : expression;
}

const equalityOperators = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

const plainOperators = new Set([
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
]);

/**
 * Whether the conversion needs a block of its own: statements after the `try` that ran after the
 * release, or names the unwrapped `try` body would clash with.
 */
function needsBlock(following: readonly ts.Statement[], group: readonly Candidate[], movedNames: ReadonlySet<string>, before: readonly ts.Statement[]): boolean {
  const onlyStatement = following[0];
  if (following.length > 1 || (onlyStatement !== undefined && !isHarmlessReturn(onlyStatement, group))) {
    return true;
  }
  if (movedNames.size === 0) return false;
  const clashes = (statements: readonly ts.Statement[]): boolean => statements.some((statement) => mentionsAny(statement, movedNames));
  return clashes(following) || clashes(before) || group.some((candidate) => movedNames.has(candidate.name));
}

function declaredNames(statements: readonly ts.Statement[]): Set<string> {
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name);
  };
  for (const statement of statements) {
    if (ts.isVariableStatement(statement)) for (const declaration of statement.declarationList.declarations) addBinding(declaration.name);
    else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name !== undefined) names.add(statement.name.text);
  }
  return names;
}

function mentionsAny(node: ts.Node, names: ReadonlySet<string>): boolean {
  if (ts.isIdentifier(node) && names.has(node.text)) return true;
  // `this.handle`, `options.handle`: a property of that name is not the variable.
  if (ts.isPropertyAccessExpression(node)) return mentionsAny(node.expression, names);
  return ts.forEachChild(node, (child) => (mentionsAny(child, names) ? true : undefined)) ?? false;
}

/** A name declared in `moved` (which goes into the new block) that `others` still use. */
function namesUsedIn(moved: readonly ts.Statement[], others: readonly ts.Statement[]): string | undefined {
  const names = declaredNames(moved);
  for (const name of names) {
    if (others.some((statement) => mentionsAny(statement, new Set([name])))) return name;
  }
  return undefined;
}

/** Statements only a module's top level may hold: `import`, `export`, an exported declaration. */
function isModuleLevelOnly(statement: ts.Statement): boolean {
  return (
    ts.isImportDeclaration(statement) ||
    ts.isImportEqualsDeclaration(statement) ||
    ts.isExportDeclaration(statement) ||
    ts.isExportAssignment(statement) ||
    (ts.canHaveModifiers(statement) && tsutils.includesModifier(ts.getModifiers(statement), ts.SyntaxKind.ExportKeyword))
  );
}

// ---------------------------------------------------------------------------------------------
// Text: lines, indentation, and merging the edits of every conversion

interface TryLayout {
  /** Start of the line `try {` is on. */
  tryLineStart: number;
  /** Start of the line after `try {`. */
  bodyStart: number;
  /** Start of the line the body's closing `}` is on. */
  closeLineStart: number;
  /** After the `try` statement and the rest of its line, including the line break. */
  afterEnd: number;
  /** What the body is indented by, relative to `try`. */
  bodyUnit: string;
}

function lineStart(text: string, position: number): number {
  return text.lastIndexOf('\n', position - 1) + 1;
}

function indentationOf(text: string, position: number): string {
  const start = lineStart(text, position);
  return /^[ \t]*/.exec(text.slice(start, position))?.[0] ?? '';
}

function onlyWhitespaceBefore(text: string, position: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, position), position));
}

/** After `position`, blanks and the line break: `undefined` when anything else follows on the line. */
function endOfLine(text: string, position: number): number | undefined {
  const match = /^[ \t]*(\r?\n|$)/.exec(text.slice(position));
  return match === null ? undefined : position + match[0].length;
}

/** The canonical layout: `try {` and `}` on lines of their own, the body on the lines between. */
function tryLayout(tryStatement: ts.TryStatement, sourceFile: ts.SourceFile): TryLayout | undefined {
  const text = sourceFile.text;
  const tryStart = tryStatement.getStart(sourceFile);
  const openBrace = tryStatement.tryBlock.getStart(sourceFile);
  const closeBrace = tryStatement.tryBlock.end - 1;
  const bodyStart = endOfLine(text, openBrace + 1);
  const afterEnd = endOfLine(text, tryStatement.end);
  if (!onlyWhitespaceBefore(text, tryStart) || !onlyWhitespaceBefore(text, closeBrace) || bodyStart === undefined || afterEnd === undefined) {
    return undefined;
  }
  const tryIndent = indentationOf(text, tryStart);
  const firstStatement = tryStatement.tryBlock.statements[0];
  const bodyIndent = firstStatement === undefined ? `${tryIndent}  ` : indentationOf(text, firstStatement.getStart(sourceFile));
  if (!bodyIndent.startsWith(tryIndent) || bodyIndent.length === tryIndent.length) return undefined;
  return { tryLineStart: lineStart(text, tryStart), bodyStart, closeLineStart: lineStart(text, closeBrace), afterEnd, bodyUnit: bodyIndent.slice(tryIndent.length) };
}

/**
 * The indentation one level deeper than `blockIndent`, as the block's own statements show it; at
 * the top level of a module, where nothing encloses the statements, as the `try` body shows it.
 */
function indentUnit(text: string, block: ts.Block | ts.SourceFile, blockIndent: string, layout: TryLayout | undefined): string | undefined {
  if (ts.isSourceFile(block)) {
    return layout?.bodyUnit;
  }
  const parentIndent = indentationOf(text, block.getStart());
  if (!blockIndent.startsWith(parentIndent) || blockIndent.length === parentIndent.length) return undefined;
  return blockIndent.slice(parentIndent.length);
}

/** Removes a statement: its whole lines when it has them to itself, otherwise just its text. */
function statementRemoval(statement: ts.Statement, sourceFile: ts.SourceFile): TextEdit {
  const text = sourceFile.text;
  const start = statement.getStart(sourceFile);
  const after = endOfLine(text, statement.end);
  if (onlyWhitespaceBefore(text, start) && after !== undefined) {
    return { start: lineStart(text, start), end: after, text: '' };
  }
  const previousEnd = statement.getFullStart();
  return { start: previousEnd, end: statement.end, text: '' };
}

/** Positions inside multi-line template literals, whose line starts belong to a string value. */
function templateRanges(sourceFile: ts.SourceFile): [number, number][] {
  const ranges: [number, number][] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      const start = node.getStart(sourceFile);
      if (sourceFile.text.slice(start, node.end).includes('\n')) ranges.push([start, node.end]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return ranges;
}

function overlaps(left: TextEdit, right: TextEdit): boolean {
  return left.start < right.end && right.start < left.end;
}

/**
 * One edit list for the file. Conversions whose edits collide with one accepted before them are
 * refused rather than guessed at.
 */
function mergeEdits(sourceFile: ts.SourceFile, accepted: ShapedConversion[], refusals: UsingRefusal[], templates: readonly [number, number][]): TextEdit[] {
  const replacements: TextEdit[] = [];
  const indents: IndentChange[] = [];
  for (const conversion of [...accepted]) {
    if (conversion.replacements.some((edit) => replacements.some((other) => overlaps(edit, other)))) {
      for (const member of conversion.members) refusals.push(refuse(member.acquisition, 'its rewrite would overlap another conversion: convert by hand'));
      accepted.splice(accepted.indexOf(conversion), 1);
      continue;
    }
    replacements.push(...conversion.replacements);
    indents.push(...conversion.indents);
  }
  return renderEdits(sourceFile.text, replacements, indents, templates);
}

/** The edits of one conversion alone, as an editor applies them. */
function toRewrite(conversion: ShapedConversion, sourceFile: ts.SourceFile, templates: readonly [number, number][]): UsingRewrite {
  return {
    members: conversion.members.map(({ acquisition, name, keyword }) => ({ acquisition, name, keyword })),
    dropsRelease: conversion.dropsRelease,
    edits: renderEdits(sourceFile.text, conversion.replacements, conversion.indents, templates),
  };
}

/**
 * Replacements plus indentation changes as one sorted list of plain edits: an edit at each line
 * start an indentation change covers, except in lines that are removed anyway and in template
 * literals (`templates`).
 */
function renderEdits(text: string, replacements: readonly TextEdit[], indents: readonly IndentChange[], templates: readonly [number, number][]): TextEdit[] {
  const lineEdits: TextEdit[] = [];
  for (let position = text.indexOf('\n') + 1; position > 0 && position < text.length; position = text.indexOf('\n', position) + 1) {
    const changes = indents.filter((change) => position > change.start && position < change.end);
    if (changes.length === 0) continue;
    if (templates.some(([start, end]) => position > start && position < end)) continue;
    if (replacements.some((edit) => position >= edit.start && position < edit.end)) continue;
    const leading = /^[ \t]*/.exec(text.slice(position))?.[0] ?? '';
    if (/^[ \t]*(\r?\n|$)/.test(text.slice(position))) continue;
    // Nested conversions of one file share its indentation unit, so levels add up.
    const levels = changes.reduce((sum, change) => sum + change.direction, 0);
    const unit = (changes[0] as IndentChange).unit;
    if (levels > 0) lineEdits.push({ start: position, end: position, text: unit.repeat(levels) });
    if (levels < 0) lineEdits.push({ start: position, end: position + Math.min(leading.length, unit.length * -levels), text: '' });
  }
  const all = [...replacements, ...lineEdits].sort((left, right) => left.start - right.start || left.end - right.end);
  // Edits that touch (an insertion at the start of a removed range) become one, so their order is unambiguous.
  const merged: TextEdit[] = [];
  for (const edit of all) {
    const previous = merged.at(-1);
    if (previous !== undefined && previous.end === edit.start) {
      merged[merged.length - 1] = { start: previous.start, end: edit.end, text: previous.text + edit.text };
    } else {
      merged.push(edit);
    }
  }
  return merged;
}

/** `closeThing(x)`: a release function whose only argument is the resource itself. */
function passesOnlyTheResource(call: ts.CallExpression, name: string): boolean {
  const [only, ...rest] = call.arguments;
  return rest.length === 0 && only !== undefined && ts.isIdentifier(only) && only.text === name;
}
