import { existsSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

import { describeFunction, getEnclosingFunction, type FunctionBoundary } from '../analysis/core/functions.js';
import { detectStatementStyle, indentOf, inStatementStyle, newlineOf, shorten } from '../analysis/core/source-text.js';
import {
  forEachOwnReturn,
  getCallbackCallee,
  isPromiseTypeReference,
  planErrorPropagation,
  getEnclosingErrorHandler,
  type CallSite,
  type CallSiteAction,
  type ErrorPropagationPlan,
} from '../analysis/non-null/error-return-propagation.js';
import { getHotPathReason } from '../analysis/non-null/hot-path.js';
import { commonAncestor, isAtOrUnder } from '../paths.js';
import { getInnerChainAssertions, getOuterChainAssertions } from '../analysis/non-null/assertion-chain.js';
import {
  chooseHoistedName,
  getChainFix,
  getNonNullAssertionFix,
  getNonNullAssertionRemoval,
  getReturnedErrorPath,
  throwErrorPath,
  type ErrorPath,
  type NonNullAssertionFix,
  type NonNullAssertionFixOptions,
} from '../analysis/non-null/assertion-fix.js';
import { getNonNullAssertionSafety } from '../analysis/non-null/assertion-safety.js';
import { getPackagePublicApi } from '../analysis/core/package-public-api.js';
import { applyEdits } from './runner.js';
import { createCodemodResult, type Codemod, type CodemodContext, type CodemodFinding, type CodemodResult, type TextEdit } from './types.js';
import { unwrapParentheses } from '../analysis/core/transparent-syntax.js';

/**
 * `to-error-returns`: replace `x!` with an explicit check whose missing case is a value the type
 * system makes callers handle (`T | MissingValueError`, or a neverthrow `Result`), or, where no
 * caller can take it, an explicit throw that names what was missing.
 *
 * For each `!` the analysis selects (what `no-non-null-assertion-in-hot-path` flags, or every one
 * with `--all`), the codemod emits the shared fix of analysis/non-null/assertion-fix.ts with an
 * error path chosen here; for each function that now returns the error, the edits of its callers
 * that analysis/non-null/error-return-propagation.ts plans; once, the `MissingValueError` module.
 */

// A type alias, not an interface: the registry holds `Codemod<Record<string, unknown>>`.
export type ToErrorReturnsOptions = {
  style: 'union' | 'result' | 'throw';
  all: boolean;
  'allow-api-change': boolean;
  'error-module'?: string;
  'result-module': string;
};

const ERROR_CLASS = 'MissingValueError';
const DEFAULT_ERROR_MODULE_NAME = 'missing-value-error.ts';

const ERROR_MODULE_TEXT = `/**
 * A value the code relied on was missing. Returned (or thrown) where a non-null assertion used to
 * claim it was there, so that the caller learns what was missing and where, instead of meeting a
 * TypeError further on.
 */
export class ${ERROR_CLASS} extends Error {
  override readonly name = '${ERROR_CLASS}';
}
`;

const toErrorReturns: Codemod<ToErrorReturnsOptions> = {
  name: 'to-error-returns',
  description: 'Replace non-null assertions with explicit checks that return (or throw) a MissingValueError, and update the callers.',
  options: [
    {
      name: 'style',
      description: 'How a missing value is reported: `union` returns `T | MissingValueError`, `result` a neverthrow `Result`, `throw` throws locally',
      type: 'string',
      choices: ['union', 'result', 'throw'],
      default: 'union',
    },
    { name: 'all', description: 'Rewrite every `x!`, not only those no-non-null-assertion-in-hot-path reports', type: 'boolean', default: false },
    {
      name: 'allow-api-change',
      description: 'Also change what functions of the package’s public API (its package.json entry points) return',
      type: 'boolean',
      default: false,
    },
    {
      name: 'error-module',
      description: 'The module that holds MissingValueError, relative to the tsconfig’s directory (default: an existing one, else next to the first changed file)',
      type: 'string',
    },
    { name: 'result-module', description: 'The module `Result`, `ok` and `err` come from with `--style result`', type: 'string', default: 'neverthrow' },
  ],
  run(context) {
    return new ToErrorReturnsRun(context).run();
  },
};

export default toErrorReturns;

/** An edit that replaces a region with text built from the region's own text after the edits inside it. */
interface RegionEdit {
  start: number;
  end: number;
  build(innerText: string): string;
}

type PlannedEdit = TextEdit | RegionEdit;

/** Where the error of one `!` goes. */
type ErrorDestination =
  | { kind: 'throw'; reason: string | undefined }
  | { kind: 'existing'; path: ErrorPath }
  | { kind: 'return'; fn: FunctionBoundary };

interface Candidate {
  assertion: ts.NonNullExpression;
  /** The `!` this candidate checks: itself, and in a chain (`a!.b!.c!`) the unchecked links after it. */
  links: readonly ts.NonNullExpression[];
  fn: FunctionBoundary | undefined;
  destination: ErrorDestination;
  /** The edits of its check, whatever the error path: what another `!` must not touch. */
  checkEdits: readonly TextEdit[];
}

class ToErrorReturnsRun {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;
  private readonly options: ToErrorReturnsOptions;
  private readonly projectDirectory: string;
  private readonly result: CodemodResult = createCodemodResult();
  private readonly edits = new Map<string, PlannedEdit[]>();
  /** Files that name `MissingValueError`, and the neverthrow names each one uses. */
  private readonly usesErrorClass = new Set<string>();
  private readonly usesResultNames = new Map<string, Set<string>>();
  /**
   * The names this run gives to new `const`s, with the function (or file) that declares each. The
   * program does not know them yet, so each new name is chosen around the ones already given.
   */
  private readonly hoistedNames: { name: string; owner: ts.Node }[] = [];
  /** `!` refused because code before them has side effects, and that code. */
  private readonly orderBlocks: { assertion: ts.NonNullExpression; blockedBy: ts.Node }[] = [];
  private readonly importsToAdd = new Map<string, string[]>();
  /** `!` on values that cannot be missing, dropped once the checks are known (a check may rebuild their statement). */
  private readonly removals: { assertion: ts.NonNullExpression; edits: TextEdit[] }[] = [];

  constructor(private readonly context: CodemodContext<ToErrorReturnsOptions>) {
    this.program = context.program;
    this.checker = this.program.getTypeChecker();
    this.options = context.options;
    const configFilePath = this.program.getCompilerOptions().configFilePath;
    this.projectDirectory = typeof configFilePath === 'string' ? path.dirname(configFilePath) : this.program.getCurrentDirectory();
  }

  run(): CodemodResult {
    const candidates = this.emitRemovals(this.refuseClashingCandidates(this.refuseOrderBlockers(this.collectCandidates())));
    if (this.options.style === 'result' && candidates.some((candidate) => candidate.destination.kind === 'return') && !this.canResolve(this.options['result-module'])) {
      for (const candidate of candidates) {
        this.refuse(candidate.assertion, `--style result needs \`${this.options['result-module']}\` (neverthrow, or the module named by --result-module), which this project does not resolve`);
      }
      return this.result;
    }
    const plan = this.planPropagation(candidates);
    for (const candidate of candidates) {
      this.emitAssertionFix(candidate, plan);
    }
    for (const [fn, sites] of plan.converted) {
      this.emitSignatureChange(fn, plan);
      for (const site of sites) {
        this.emitCallSite(site, plan.actionOf(site));
      }
      // The callee's file and each caller's file go together; two callers of the same function go
      // together only through the callee, which is what a revert's reason then names.
      const calleeFile = fn.getSourceFile().fileName;
      for (const callerFile of new Set(sites.map((site) => site.call.getSourceFile().fileName))) {
        if (callerFile !== calleeFile) this.result.revertTogether.push([calleeFile, callerFile]);
      }
    }
    if (this.usesErrorClass.size > 0 && !this.emitErrorModule()) {
      return this.result;
    }
    this.emitResultImports();
    this.emitImports();
    for (const [filePath, planned] of this.edits) {
      const sourceFile = this.program.getSourceFile(filePath);
      if (sourceFile !== undefined) this.result.edits.set(filePath, composeEdits(sourceFile.text, planned));
    }
    return this.result;
  }

  // --- which `!` and where its error goes ----------------------------------------------------------

  private collectCandidates(): Candidate[] {
    const candidates: Candidate[] = [];
    for (const filePath of this.context.targetFiles) {
      const sourceFile = this.program.getSourceFile(filePath);
      if (sourceFile === undefined) continue;
      const visit = (node: ts.Node): void => {
        // A chain is one candidate, at its first unchecked link, as the rule reports it.
        if (ts.isNonNullExpression(node) && !(this.isUnchecked(node) && getInnerChainAssertions(node).some((inner) => this.isUnchecked(inner)))) {
          const candidate = this.toCandidate(node);
          if (candidate !== undefined) candidates.push(candidate);
        }
        node.forEachChild(visit);
      };
      visit(sourceFile);
    }
    return candidates;
  }

  /** A `!` that gets a check: one the rule reports (or any with --all) that is not provably safe. */
  private isUnchecked(assertion: ts.NonNullExpression): boolean {
    return (this.options.all || getHotPathReason(assertion, this.program) !== undefined) && getNonNullAssertionSafety(assertion, this.program) === undefined;
  }

  private fixOf(links: readonly ts.NonNullExpression[], errorPath: ErrorPath, options: NonNullAssertionFixOptions = {}): NonNullAssertionFix {
    const [first] = links;
    if (first === undefined) throw new Error('a candidate without an assertion');
    return links.length > 1 ? getChainFix(links, this.program, errorPath, options) : getNonNullAssertionFix(first, this.program, errorPath, options);
  }

  private toCandidate(assertion: ts.NonNullExpression): Candidate | undefined {
    if (!this.options.all && getHotPathReason(assertion, this.program) === undefined) {
      return undefined;
    }
    const safety = getNonNullAssertionSafety(assertion, this.program);
    if (safety?.kind === 'not-nullable') {
      this.removals.push({ assertion, edits: getNonNullAssertionRemoval(assertion) });
      return undefined;
    }
    if (safety !== undefined) {
      if (this.options.all) this.refuse(assertion, `left as it is: the \`!\` is provably safe (${safety.kind})`);
      return undefined;
    }
    // Where the check goes does not depend on the error path: ask once, so that a refused `!`
    // never changes what its function returns.
    const links = [assertion, ...getOuterChainAssertions(assertion).filter((outer) => this.isUnchecked(outer))];
    const probe = this.fixOf(links, throwErrorPath(ERROR_CLASS));
    if (probe.kind === 'refusal') {
      this.refuse(assertion, probe.reason);
      if (probe.blockedBy !== undefined) this.orderBlocks.push({ assertion, blockedBy: probe.blockedBy });
      return undefined;
    }
    const fn = getEnclosingFunction(assertion);
    return { assertion, links, fn, destination: this.chooseDestination(assertion, fn), checkEdits: probe.edits };
  }

  /**
   * Drops each needless `!`. One inside code a check rebuilds (an unbraced `else` turned into a
   * block) would need both rewrites combined; both are refused instead, so that a second run meets
   * the same pair and changes nothing.
   */
  private emitRemovals(candidates: readonly Candidate[]): Candidate[] {
    const refusedChecks = new Set<Candidate>();
    for (const { assertion, edits } of this.removals) {
      const sourceFile = assertion.getSourceFile();
      const check = candidates.find((candidate) => candidate.assertion.getSourceFile() === sourceFile && editsIntersect(candidate.checkEdits, edits));
      if (check !== undefined) {
        this.refuse(assertion, `the needless \`!\` stands in code the check of \`${shorten(check.assertion.getText())}\` rewrites; two rewrites in one statement are not combined yet`);
        if (!refusedChecks.has(check)) {
          this.refuse(check.assertion, `its check rewrites code that holds the needless \`${shorten(assertion.getText())}\`; two rewrites in one statement are not combined yet`);
          refusedChecks.add(check);
        }
        continue;
      }
      for (const edit of edits) this.addEdit(sourceFile.fileName, edit);
      const start = assertion.getStart(sourceFile);
      const result = applyEdits(assertion.getText(sourceFile), edits.map((edit) => ({ ...edit, start: edit.start - start, end: edit.end - start })));
      this.convert(assertion, `\`${shorten(assertion.getText())}\` → \`${shorten(result)}\`: the value cannot be missing`);
    }
    return candidates.filter((candidate) => !refusedChecks.has(candidate));
  }

  /**
   * Two checks that rewrite the same code (`a.b!.c!` hoists both links; a check that rebuilds a
   * statement as a block holds the other `!` of that statement) cannot both be applied as planned.
   * Both are refused, so that a second run meets the same two and changes nothing.
   */
  /**
   * A `!` refused because code before it in its statement has side effects may stand after another
   * `!` whose check rewrites that code (`m.get(k)!.set(e.key()!, e)`: hoisting `m.get(k)` leaves a
   * plain read before `e.key()!`). Converting the first would let a second run convert the other;
   * both are refused instead, so that a second run meets the same pair and changes nothing.
   */
  private refuseOrderBlockers(candidates: readonly Candidate[]): Candidate[] {
    return candidates.filter((candidate) => {
      const block = this.orderBlocks.find(({ blockedBy }) => candidate.links.some((link) => isWithin(link, blockedBy)));
      if (block === undefined) return true;
      const sourceFile = block.assertion.getSourceFile();
      const line = sourceFile.getLineAndCharacterOfPosition(block.assertion.getStart(sourceFile)).line + 1;
      this.refuse(
        candidate.assertion,
        `its check rewrites code that runs before \`${shorten(block.assertion.getText())}\` (line ${String(line)}), whose check is refused for that code; two checks in one statement are not combined yet`,
      );
      return false;
    });
  }

  private refuseClashingCandidates(candidates: readonly Candidate[]): Candidate[] {
    const clashing = new Map<Candidate, Candidate>();
    const byFile = new Map<string, Candidate[]>();
    for (const candidate of candidates) {
      const fileName = candidate.assertion.getSourceFile().fileName;
      const inFile = byFile.get(fileName);
      if (inFile === undefined) byFile.set(fileName, [candidate]);
      else inFile.push(candidate);
    }
    for (const inFile of byFile.values()) {
      inFile.forEach((candidate, index) => {
        for (const other of inFile.slice(index + 1)) {
          if (editsIntersect(candidate.checkEdits, other.checkEdits)) {
            if (!clashing.has(candidate)) clashing.set(candidate, other);
            if (!clashing.has(other)) clashing.set(other, candidate);
          }
        }
      });
    }
    for (const [candidate, other] of clashing) {
      const sourceFile = other.assertion.getSourceFile();
      const line = sourceFile.getLineAndCharacterOfPosition(other.assertion.getStart(sourceFile)).line + 1;
      this.refuse(
        candidate.assertion,
        `its check and the check of \`${shorten(other.assertion.getText())}\` (line ${String(line)}) rewrite the same code; two checks in one expression are not combined yet`,
      );
    }
    return candidates.filter((candidate) => !clashing.has(candidate));
  }

  private chooseDestination(assertion: ts.NonNullExpression, fn: FunctionBoundary | undefined): ErrorDestination {
    if (this.options.style === 'throw') return { kind: 'throw', reason: undefined };
    if (fn === undefined) return { kind: 'throw', reason: 'it is at module top level, where there is no caller to return it to' };
    const handler = getEnclosingErrorHandler(assertion, fn);
    if (handler !== undefined) return { kind: 'throw', reason: handler };
    const existing = getReturnedErrorPath(assertion, this.program);
    if (existing !== undefined) return { kind: 'existing', path: existing };
    const callee = getCallbackCallee(fn);
    if (callee !== undefined) {
      const outer = getEnclosingFunction(fn);
      const owner = outer === undefined ? 'the enclosing code' : `\`${describeFunction(outer)}\``;
      return { kind: 'throw', reason: `it is inside a \`${callee}\` callback, whose return value goes to \`${callee}\`, not to ${owner}` };
    }
    return { kind: 'return', fn };
  }

  private planPropagation(candidates: Candidate[]): ErrorPropagationPlan {
    const origins = [...new Set(candidates.flatMap((candidate) => (candidate.destination.kind === 'return' ? [candidate.destination.fn] : [])))];
    const assertions = new Set<ts.Node>(candidates.flatMap((candidate) => candidate.links));
    const originSymbols = new Set(origins.map((fn) => (fn.name !== undefined ? this.checker.getSymbolAtLocation(fn.name) : undefined)));
    const plan = planErrorPropagation(origins, {
      program: this.program,
      publicApi: getPackagePublicApi(this.program, this.projectDirectory),
      allowApiChange: this.options['allow-api-change'],
      mode: this.options.style === 'result' ? 'result' : 'union',
      getExtraBoundary: (fn) => (this.options.style === 'result' ? this.getResultWrapConflict(fn, candidates) : undefined),
      isRewrittenNode: (node) =>
        assertions.has(node) || (ts.isCallExpression(node) && originSymbols.has(this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression))),
    });
    for (const candidate of candidates) {
      if (candidate.destination.kind === 'return') {
        const reason = plan.throwing.get(candidate.destination.fn);
        if (reason !== undefined) candidate.destination = { kind: 'throw', reason: `\`${describeFunction(candidate.destination.fn)}\` keeps its signature: ${reason}` };
      }
    }
    return plan;
  }

  /** With `--style result` every `return` gets `ok(…)`; a check that rebuilds the statement around a `return` leaves no room for it. */
  private getResultWrapConflict(fn: FunctionBoundary, candidates: readonly Candidate[]): string | undefined {
    for (const candidate of candidates) {
      if (candidate.fn !== fn) continue;
      const fix = this.fixOf(candidate.links, throwErrorPath(ERROR_CLASS));
      if (fix.kind !== 'fix') continue;
      const returns: ts.Node[] = [];
      if (fn.body !== undefined && !ts.isBlock(fn.body)) returns.push(fn.body);
      if (fn.body !== undefined) forEachOwnReturn(fn.body, (statement) => returns.push(statement));
      const sourceFile = fn.getSourceFile();
      const rebuilt = returns.find((statement) => fix.edits.some((edit) => edit.end > edit.start && edit.start <= statement.getStart(sourceFile) && statement.end <= edit.end));
      if (rebuilt !== undefined) return `the check of \`${shorten(candidate.assertion.getText())}\` rebuilds \`${shorten(rebuilt.getText())}\` as a block, where its value would also need \`ok(…)\``;
    }
    return undefined;
  }

  // --- edits for one `!` ---------------------------------------------------------------------------------

  private emitAssertionFix(candidate: Candidate, plan: ErrorPropagationPlan): void {
    const { assertion, links, destination } = candidate;
    const errorPath = this.errorPathFor(destination);
    const fix = this.fixOf(links, errorPath, { takenNames: this.namesTakenAround(assertion) });
    if (fix.kind === 'refusal') {
      this.refuse(assertion, fix.reason);
      return;
    }
    const filePath = assertion.getSourceFile().fileName;
    for (const edit of fix.edits) this.addEdit(filePath, edit);
    for (const name of fix.hoistedNames) this.hoistedNames.push({ name, owner: ownerOf(assertion) });
    const expression = `\`${shorten((links[links.length - 1] ?? assertion).getText())}\``;
    switch (destination.kind) {
      case 'throw':
        this.usesErrorClass.add(filePath);
        this.convert(assertion, `${expression} → a check that throws ${ERROR_CLASS}${destination.reason === undefined ? '' : `: ${destination.reason}`}`);
        return;
      case 'existing':
        this.convert(assertion, `${expression} → a check that returns the error, as the function already returns errors`);
        return;
      case 'return': {
        this.usesErrorClass.add(filePath);
        if (this.options.style === 'result') this.useResultName(filePath, 'err');
        const callers = plan.converted.get(destination.fn)?.length ?? 0;
        const updated = callers === 0 ? 'no callers in the project' : `${String(callers)} call site${callers === 1 ? '' : 's'} updated`;
        this.convert(assertion, `${expression} → a check that returns ${ERROR_CLASS} from \`${describeFunction(destination.fn)}\` (${updated})`);
        return;
      }
    }
  }

  private errorPathFor(destination: ErrorDestination): ErrorPath {
    switch (destination.kind) {
      case 'throw':
        return throwErrorPath(ERROR_CLASS);
      case 'existing':
        return destination.path;
      case 'return':
        return {
          kind: 'return',
          statement: (message) => (this.options.style === 'result' ? `return err(new ${ERROR_CLASS}(${message}));` : `return new ${ERROR_CLASS}(${message});`),
        };
    }
  }

  // --- edits for a function that now returns the error --------------------------------------------------

  private emitSignatureChange(fn: FunctionBoundary, plan: ErrorPropagationPlan): void {
    const sourceFile = fn.getSourceFile();
    const filePath = sourceFile.fileName;
    const isAsync = (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
    const style = this.options.style;
    if (fn.type !== undefined) {
      const valueType = isAsync && isPromiseTypeReference(fn.type) ? fn.type.typeArguments[0] : fn.type;
      if (valueType !== undefined) {
        const text = valueType.getText(sourceFile);
        this.addEdit(filePath, {
          start: valueType.getStart(sourceFile),
          end: valueType.end,
          text: style === 'result' ? `Result<${text}, ${ERROR_CLASS}>` : `${needsParentheses(valueType) ? `(${text})` : text} | ${ERROR_CLASS}`,
        });
        this.usesErrorClass.add(filePath);
        if (style === 'result') this.useResultName(filePath, 'Result');
      }
    }
    if (style !== 'result' || fn.body === undefined) return;

    // Every value the function returns becomes `ok(value)`, except a callee's Result handed on as it is.
    const handedOn = new Set<ts.Node>();
    for (const calleeSites of plan.converted.values()) {
      for (const site of calleeSites) {
        if (site.caller === fn && site.returnedDirectly && plan.actionOf(site).kind === 'propagate') handedOn.add(site.value);
      }
    }
    const wrap = (expression: ts.Expression): void => {
      if (handedOn.has(unwrapParentheses(expression))) return;
      this.addEdit(filePath, { start: expression.getStart(sourceFile), end: expression.getStart(sourceFile), text: 'ok(' });
      this.addEdit(filePath, { start: expression.end, end: expression.end, text: ')' });
      this.useResultName(filePath, 'ok');
    };
    if (!ts.isBlock(fn.body)) {
      wrap(fn.body);
      return;
    }
    forEachOwnReturn(fn.body, (statement) => {
      if (statement.expression !== undefined) wrap(statement.expression);
    });
    const last = fn.body.statements[fn.body.statements.length - 1];
    if (last === undefined || (!ts.isReturnStatement(last) && !ts.isThrowStatement(last))) {
      // The end of the body is reachable: a function that returned nothing now returns `ok(undefined)`.
      const closingBrace = fn.body.end - 1;
      const statementStyle = detectStatementStyle(sourceFile);
      this.addEdit(filePath, {
        start: closingBrace,
        end: closingBrace,
        text: `${statementStyle.indentUnit}${inStatementStyle('return ok(undefined);', statementStyle)}${newlineOf(sourceFile.text)}${indentOf(sourceFile, fn)}`,
      });
      this.useResultName(filePath, 'ok');
    }
  }

  // --- edits for one call of a function that now returns the error ----------------------------------------

  private emitCallSite(site: CallSite, action: CallSiteAction): void {
    const sourceFile = site.call.getSourceFile();
    const filePath = sourceFile.fileName;
    const callee = shorten(site.call.expression.getText(sourceFile));
    const callerName = site.caller === undefined ? 'module scope' : `\`${describeFunction(site.caller)}\``;
    if (action.kind === 'propagate' && site.returnedDirectly) {
      this.convertAt(filePath, site.call, `\`${callee}(…)\` in ${callerName}: returned as it is, so ${callerName} now returns the error too`);
      return;
    }
    const style = this.options.style;
    // An exported `const` keeps the type other modules see: check a hoisted value, not the export.
    const placement =
      site.placement.kind === 'declaration' && site.placement.statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) === true
        ? { kind: 'statement' as const, statement: site.placement.statement, inStatementList: true, scope: site.placement.statement.parent }
        : site.placement;
    const name = placement.kind === 'declaration' ? placement.name : chooseHoistedName(site.call, this.program, this.namesTakenAround(site.call));
    if (placement.kind !== 'declaration') this.hoistedNames.push({ name, owner: ownerOf(site.call) });
    const tail = (() => {
      switch (action.kind) {
        case 'throw':
          return `throw ${name};`;
        case 'return-existing':
          return action.channel === 'result' ? `return err(${name});` : `return ${name};`;
        case 'propagate':
          return style === 'result' ? `return err(${name});` : `return ${name};`;
      }
    })();
    if (tail.includes('err(')) this.useResultName(filePath, 'err');
    this.usesErrorClass.add(filePath);
    const statementStyle = detectStatementStyle(sourceFile);
    const check = `if (${name} instanceof ${ERROR_CLASS}) ${inStatementStyle(tail, statementStyle)}`;
    const valueStart = site.value.getStart(sourceFile);
    const valueText = sourceFile.text.slice(valueStart, site.value.end);
    // A Result leaves the neverthrow world through `match`, as must-use-result asks.
    const unwrap = style === 'result' ? '.match((value) => value, (error) => error)' : '';
    const hoisted = unwrap === '' ? valueText : ts.isAwaitExpression(site.value) ? `(${valueText})${unwrap}` : `${valueText}${unwrap}`;
    const newline = newlineOf(sourceFile.text);

    switch (placement.kind) {
      case 'declaration': {
        if (unwrap !== '') {
          if (ts.isAwaitExpression(site.value)) this.addEdit(filePath, { start: valueStart, end: valueStart, text: '(' });
          this.addEdit(filePath, { start: site.value.end, end: site.value.end, text: `${ts.isAwaitExpression(site.value) ? ')' : ''}${unwrap}` });
        }
        this.addEdit(filePath, { start: placement.statement.end, end: placement.statement.end, text: `${newline}${indentOf(sourceFile, placement.statement)}${check}` });
        break;
      }
      case 'statement':
      case 'arrow-body': {
        // `(await f(x))` becomes `name`, not `(name)`.
        let replaced: ts.Node = site.value;
        while (ts.isParenthesizedExpression(replaced.parent)) replaced = replaced.parent;
        // `record(span);` whose result nobody used becomes the hoisted call and its check, with no
        // `recordResult;` left behind as a statement that does nothing.
        const discarded = placement.kind === 'statement' && ts.isExpressionStatement(replaced.parent) && replaced.parent === placement.statement;
        const lines = [inStatementStyle(`const ${name} = ${hoisted};`, statementStyle), check];
        if (placement.kind === 'statement' && placement.inStatementList) {
          const indent = indentOf(sourceFile, placement.statement);
          const start = placement.statement.getStart(sourceFile);
          if (discarded) {
            this.addEdit(filePath, { start, end: placement.statement.end, text: lines.join(`${newline}${indent}`) });
            break;
          }
          this.addEdit(filePath, { start: replaced.getStart(sourceFile), end: replaced.end, text: name });
          this.addEdit(filePath, { start, end: start, text: lines.map((line) => `${line}${newline}${indent}`).join('') });
          break;
        }
        this.addEdit(filePath, { start: replaced.getStart(sourceFile), end: replaced.end, text: name });
        const region = placement.kind === 'statement' ? placement.statement : placement.body;
        const indent = indentOf(sourceFile, region);
        const isArrowBody = placement.kind === 'arrow-body';
        this.addEdit(filePath, {
          start: region.getStart(sourceFile),
          end: region.end,
          build: (inner) =>
            `{${newline}${[...lines, ...(discarded ? [] : [isArrowBody ? inStatementStyle(`return ${inner};`, statementStyle) : inner])].map((line) => `${indent}${statementStyle.indentUnit}${line}`).join(newline)}${newline}${indent}}`,
        });
        break;
      }
    }
    const outcome =
      action.kind === 'throw'
        ? `throws it there: ${action.reason}`
        : action.kind === 'return-existing'
          ? `returns it, as ${callerName} already returns errors`
          : `returns it, so ${callerName} now returns the error too`;
    this.convertAt(filePath, site.call, `\`${callee}(…)\` in ${callerName}: checks for ${ERROR_CLASS} and ${outcome}`);
  }

  /** The names given to `const`s whose scope holds, or lies inside, the one a new `const` at `node` gets. */
  private namesTakenAround(node: ts.Node): Set<string> {
    const owner = ownerOf(node);
    const overlaps = (other: ts.Node): boolean =>
      other.getSourceFile() === owner.getSourceFile() && ((other.pos <= owner.pos && owner.end <= other.end) || (owner.pos <= other.pos && other.end <= owner.end));
    return new Set(this.hoistedNames.filter((entry) => overlaps(entry.owner)).map((entry) => entry.name));
  }

  // --- the MissingValueError module and the imports ----------------------------------------------------

  /** Creates or extends the module that exports MissingValueError and imports it where it is used; `false` when it cannot. */
  private emitErrorModule(): boolean {
    const modulePath = this.findOrPlaceErrorModule();
    if (modulePath === undefined) return false;
    this.result.neededBy.set(modulePath, [...this.usesErrorClass].filter((filePath) => filePath !== modulePath));
    for (const filePath of [...this.usesErrorClass].sort()) {
      if (filePath === modulePath) continue;
      const sourceFile = this.program.getSourceFile(filePath);
      if (sourceFile === undefined || this.checker.resolveName(ERROR_CLASS, sourceFile.statements[0] ?? sourceFile, ts.SymbolFlags.Value, false) !== undefined) continue;
      this.addImport(sourceFile, inStatementStyle(`import { ${ERROR_CLASS} } from '${moduleSpecifier(filePath, modulePath)}';`, detectStatementStyle(sourceFile)));
    }
    return true;
  }

  private findOrPlaceErrorModule(): string | undefined {
    const requested = this.options['error-module'];
    let modulePath: string;
    if (requested !== undefined && requested !== '') {
      modulePath = path.resolve(this.projectDirectory, requested);
      if (!/\.[cm]?tsx?$/.test(modulePath)) modulePath += '.ts';
    } else {
      const existing = this.findExistingErrorClass();
      if (existing !== undefined) return existing;
      modulePath = path.join(placeSharedModule([...this.usesErrorClass], this.projectDirectory), DEFAULT_ERROR_MODULE_NAME);
    }
    const sourceFile = this.program.getSourceFile(modulePath);
    if (sourceFile !== undefined) {
      if (!exportsErrorClass(sourceFile)) {
        const separator = sourceFile.text.length === 0 || sourceFile.text.endsWith('\n\n') ? '' : sourceFile.text.endsWith('\n') ? '\n' : '\n\n';
        this.addEdit(modulePath, { start: sourceFile.text.length, end: sourceFile.text.length, text: `${separator}${ERROR_MODULE_TEXT}` });
        this.result.conversions.push({ filePath: modulePath, line: sourceFile.getLineAndCharacterOfPosition(sourceFile.text.length).line + 1, message: `added ${ERROR_CLASS}` });
      }
      return modulePath;
    }
    if (existsSync(modulePath)) {
      this.result.refusals.push({ filePath: modulePath, line: 1, message: `${modulePath} exists but is not part of the program, so ${ERROR_CLASS} cannot be added to it; nothing was changed` });
      this.result.edits.clear();
      this.result.conversions.length = 0;
      return undefined;
    }
    this.result.createdFiles.set(modulePath, ERROR_MODULE_TEXT);
    const where = requested !== undefined && requested !== '' ? 'where --error-module says' : 'in the closest folder its users share, outside test and fixture folders; --error-module places it elsewhere';
    this.result.conversions.push({ filePath: modulePath, line: 1, message: `created the module that exports ${ERROR_CLASS}, ${where}` });
    return modulePath;
  }

  private findExistingErrorClass(): string | undefined {
    for (const sourceFile of this.program.getSourceFiles()) {
      if (!sourceFile.isDeclarationFile && !this.program.isSourceFileFromExternalLibrary(sourceFile) && exportsErrorClass(sourceFile)) return sourceFile.fileName;
    }
    return undefined;
  }

  private emitResultImports(): void {
    const resultModule = this.options['result-module'];
    for (const [filePath, names] of this.usesResultNames) {
      const sourceFile = this.program.getSourceFile(filePath);
      if (sourceFile === undefined) continue;
      const existing = sourceFile.statements.find(
        (statement): statement is ts.ImportDeclaration =>
          ts.isImportDeclaration(statement) &&
          ts.isStringLiteral(statement.moduleSpecifier) &&
          statement.moduleSpecifier.text === resultModule &&
          statement.importClause?.phaseModifier !== ts.SyntaxKind.TypeKeyword &&
          statement.importClause?.namedBindings !== undefined &&
          ts.isNamedImports(statement.importClause.namedBindings),
      );
      const imported = new Set(
        existing?.importClause?.namedBindings !== undefined && ts.isNamedImports(existing.importClause.namedBindings)
          ? existing.importClause.namedBindings.elements.map((element) => element.name.text)
          : [],
      );
      const missing = [...names].filter((name) => !imported.has(name)).sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
      if (missing.length === 0) continue;
      const specifiers = missing.map((name) => (name === 'Result' ? 'type Result' : name));
      const namedBindings = existing?.importClause?.namedBindings;
      if (namedBindings !== undefined && ts.isNamedImports(namedBindings)) {
        const lastElement = namedBindings.elements[namedBindings.elements.length - 1];
        const position = lastElement?.end ?? namedBindings.getStart(sourceFile) + 1;
        this.addEdit(filePath, { start: position, end: position, text: `${lastElement === undefined ? ' ' : ', '}${specifiers.join(', ')}` });
      } else {
        this.addImport(sourceFile, inStatementStyle(`import { ${specifiers.join(', ')} } from '${resultModule}';`, detectStatementStyle(sourceFile)));
      }
    }
  }

  private addImport(sourceFile: ts.SourceFile, declaration: string): void {
    const pending = this.importsToAdd.get(sourceFile.fileName);
    if (pending === undefined) this.importsToAdd.set(sourceFile.fileName, [declaration]);
    else pending.push(declaration);
  }

  /** One insertion per file, after its last import (or at its top), packages before relative modules. */
  private emitImports(): void {
    for (const [filePath, declarations] of this.importsToAdd) {
      const sourceFile = this.program.getSourceFile(filePath);
      if (sourceFile === undefined) continue;
      const isRelative = (declaration: string): boolean => /from '\./.test(declaration);
      const ordered = [...declarations.filter((declaration) => !isRelative(declaration)), ...declarations.filter(isRelative)];
      const newline = newlineOf(sourceFile.text);
      const imports = sourceFile.statements.filter(ts.isImportDeclaration);
      const last = imports[imports.length - 1];
      if (last !== undefined) {
        this.addEdit(filePath, { start: last.end, end: last.end, text: ordered.map((declaration) => `${newline}${declaration}`).join('') });
      } else {
        this.addEdit(filePath, { start: 0, end: 0, text: `${ordered.join(newline)}${newline}${newline}` });
      }
    }
  }

  private canResolve(specifier: string): boolean {
    const from = this.context.targetFiles[0] ?? path.join(this.projectDirectory, 'index.ts');
    return ts.resolveModuleName(specifier, from, this.program.getCompilerOptions(), ts.sys).resolvedModule !== undefined;
  }

  // --- bookkeeping -----------------------------------------------------------------------------------------

  private addEdit(filePath: string, edit: PlannedEdit): void {
    const list = this.edits.get(filePath);
    if (list === undefined) this.edits.set(filePath, [edit]);
    else list.push(edit);
  }

  private useResultName(filePath: string, name: 'ok' | 'err' | 'Result'): void {
    const names = this.usesResultNames.get(filePath);
    if (names === undefined) this.usesResultNames.set(filePath, new Set([name]));
    else names.add(name);
  }

  private convert(node: ts.Node, message: string): void {
    this.convertAt(node.getSourceFile().fileName, node, message);
  }

  private convertAt(filePath: string, node: ts.Node, message: string): void {
    this.result.conversions.push(finding(filePath, node, message));
  }

  private refuse(node: ts.Node, message: string): void {
    this.result.refusals.push(finding(node.getSourceFile().fileName, node, message));
  }
}

/** Whether a replacement of one list touches text another list replaces (insertions at one point do not clash). */
function editsIntersect(left: readonly TextEdit[], right: readonly TextEdit[]): boolean {
  return left.some((a) => right.some((b) => a.start < b.end && b.start < a.end));
}

function finding(filePath: string, node: ts.Node, message: string): CodemodFinding {
  const sourceFile = node.getSourceFile();
  return { filePath, line: sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1, message };
}

/**
 * Turns planned edits into plain ones: each region is rebuilt from its original text with the edits
 * that fall inside it applied first, smallest region first, so a region may hold another.
 */
function composeEdits(text: string, planned: readonly PlannedEdit[]): TextEdit[] {
  const plain: TextEdit[] = planned.filter((edit): edit is TextEdit => !('build' in edit));
  const regions = planned.filter((edit): edit is RegionEdit => 'build' in edit).sort((a, b) => a.end - a.start - (b.end - b.start));
  for (const region of regions) {
    const inside = plain.filter((edit) => edit.start >= region.start && edit.end <= region.end);
    const outside = plain.filter((edit) => !inside.includes(edit));
    const innerText = applyEdits(
      text.slice(region.start, region.end),
      inside.map((edit) => ({ start: edit.start - region.start, end: edit.end - region.start, text: edit.text })),
    );
    plain.length = 0;
    plain.push(...outside, { start: region.start, end: region.end, text: region.build(innerText) });
  }
  return plain;
}

function exportsErrorClass(sourceFile: ts.SourceFile): boolean {
  return sourceFile.statements.some(
    (statement) =>
      ts.isClassDeclaration(statement) &&
      statement.name?.text === ERROR_CLASS &&
      (ts.getCombinedModifierFlags(statement) & ts.ModifierFlags.Export) !== 0,
  );
}

/** A folder of tests, fixtures or mocks: production code must not import from there. */
const TEST_OR_FIXTURE_FOLDER = /^(?:tests?|__tests__|specs?|__specs__|fixtures?|__fixtures__|mocks?|__mocks__|e2e|testing)$/i;
const TEST_FILE = /\.(?:test|spec|test-d)\.[cm]?[jt]sx?$/;

function isTestOrFixture(relativePath: string): boolean {
  const segments = relativePath.split(/[\\/]/);
  return segments.some((segment) => TEST_OR_FIXTURE_FOLDER.test(segment)) || TEST_FILE.test(relativePath);
}

/**
 * The folder for a module that `users` import: the closest one all of them share, counting only
 * production files when there are any, and never a test or fixture folder, so that no production
 * file imports from tests and the module does not land inside one corner (a vendored library, an
 * adapter) that the rest of the code then depends on. The same files give the same folder whatever
 * order they changed in.
 */
function placeSharedModule(users: readonly string[], projectDirectory: string): string {
  const production = users.filter((file) => !isTestOrFixture(path.relative(projectDirectory, file)));
  const basis = (production.length > 0 ? production : users).map((file) => path.dirname(file));
  let directory = commonAncestor(basis);
  if (!isAtOrUnder(directory, projectDirectory)) return projectDirectory;
  while (directory !== projectDirectory && isTestOrFixture(path.relative(projectDirectory, directory))) {
    directory = path.dirname(directory);
  }
  return directory;
}

/** `./missing-value-error.js` from `src/orders.ts` to `src/missing-value-error.ts`: what NodeNext and bundlers both resolve. */
function moduleSpecifier(fromFile: string, toFile: string): string {
  const extension = path.extname(toFile);
  const runtimeExtension = extension === '.mts' ? '.mjs' : extension === '.cts' ? '.cjs' : '.js';
  let relative = path.relative(path.dirname(fromFile), toFile.slice(0, -extension.length) + runtimeExtension).split(path.sep).join('/');
  if (!relative.startsWith('.')) relative = `./${relative}`;
  return relative;
}

/** Where a `const` added before the statement holding `node` is declared: its function, or the file. */
function ownerOf(node: ts.Node): ts.Node {
  return getEnclosingFunction(node) ?? node.getSourceFile();
}

function needsParentheses(type: ts.TypeNode): boolean {
  return ts.isFunctionTypeNode(type) || ts.isConstructorTypeNode(type) || ts.isConditionalTypeNode(type) || ts.isInferTypeNode(type);
}

function isWithin(node: ts.Node, container: ts.Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.getStart() >= container.getStart() && node.end <= container.end;
}
