import { AccessKind, getAccessKind, includesModifier, isTypeReference, unionConstituents } from 'ts-api-utils';
import ts from 'typescript';

import { getCallbackUse, getEnclosingFunction, isFunctionBoundary } from '../core/functions.js';
import { isReassigned } from '../core/is-reassigned.js';
import { parentOf } from '../core/parent.js';
import { someNode } from '../core/some-node.js';
import { isAssignmentOperator } from '../core/side-effects.js';
import { isDeclaredInStandardLibrary, TYPED_ARRAY_NAMES } from '../core/standard-library.js';
import { getStableReferenceKey, getWrittenReferenceKeys, isSameReference, writeAffectsReference } from '../core/stable-reference.js';
import { skipTransparentUp, unwrapParentheses } from '../core/transparent-syntax.js';
import { getNullishParts } from '../core/types.js';
import type { NonNullAssertionSafety } from './assertion-safety.js';
import { findGuard, getConjuncts, getContainer, type Guard, hasInterference, isMethodCallOn } from './guards.js';

/**
 * Is this `x!` an element read that code before it keeps in bounds, in a shape the `for (let i = 0;
 * i < a.length; i++)` proof does not follow?
 *
 * Under `noUncheckedIndexedAccess` every `a[i]` may be missing, and the corpus is full of `!`s whose
 * bound is a `while` condition, an `&&` conjunct, an early `continue`, a length compared before an
 * `every`, or an array built by `.map` over the indexed one. Each proof here answers two questions
 * about the index: is it at least 0, and is it below the length when the read runs?
 *
 * - The index is a literal, the length minus a literal, an iteration callback's index parameter, or
 *   a counter plus a literal. A counter is a `let`/`const` that starts at an integer literal or at a
 *   length (plus a literal) and is only ever written by `++`, `--`, `+= k` or `-= k`, so it is an
 *   integer, never below its start when it only grows and never above it when it only shrinks.
 * - Bounds come from the nearest condition that must hold for the read to run (`if`, `while`, `for`,
 *   `?:`, `&&`, `||`, an earlier `if (…) return/continue/break/throw`), read as integer inequalities:
 *   `i < a.length`, `n > 0`, `a.length !== 0`, `a.length === b.length`, `i < (a?.length ?? 0)`.
 * - Every fact must still hold at the read: nothing in between writes the counter, and nothing
 *   shortens the array: no reassignment, no `pop`/`shift`/`splice`, no write to its `length`, and
 *   no handing it to other code, which could shorten it later. Across an `await` or `yield` another
 *   task runs: an array in a property or a parameter is shared, so a wait ends the proof; a local
 *   variable is reached only through this function's closures, which must not change it either.
 * - The element type itself must not include `undefined` or `null`: a bound says the index exists,
 *   not that the element is defined.
 */
export function getIndexBoundsSafety(assertion: ts.NonNullExpression, program: ts.Program): NonNullAssertionSafety | undefined {
  const expression = unwrapParentheses(assertion.expression);
  const proof: Proof = { program, checker: program.getTypeChecker(), use: expression, counters: new Map() };
  const read = getElementRead(expression);
  if (read !== undefined) {
    const kind = getReadProofKind(read, proof);
    return kind !== undefined && readsPresentElement(read, proof) ? { kind } : undefined;
  }
  return isPresentByLength(expression, proof) ? { kind: 'optional-length-checked' } : undefined;
}

interface Proof {
  program: ts.Program;
  checker: ts.TypeChecker;
  /** The read (or reference) under the `!`: every fact must still hold when it runs. */
  use: ts.Expression;
  counters: Map<ts.Symbol, Counter | undefined>;
}

// --- element reads ------------------------------------------------------------------------------

/** `a[i]`, `a?.[i]`, `a.at(i)`, `s.codePointAt(i)`. */
interface ElementRead {
  sequence: ts.Expression;
  sequenceKey: string;
  index: ts.Expression;
  /** The method name of `.at(i)` and `.codePointAt(i)`. */
  method: ts.MemberName | undefined;
}

const TYPED_ARRAYS: ReadonlySet<string> = new Set(TYPED_ARRAY_NAMES);
const ARRAY_INTERFACES = new Set(['Array', 'ReadonlyArray']);
/** Reads that return `undefined` only for an index outside `[0, length)`, and who declares them. */
const READ_METHODS = new Map<string, ReadonlySet<string>>([
  ['at', new Set([...ARRAY_INTERFACES, 'String', ...TYPED_ARRAYS])],
  ['codePointAt', new Set(['String'])],
]);

function getElementRead(expression: ts.Expression): ElementRead | undefined {
  if (ts.isElementAccessExpression(expression)) {
    const sequenceKey = getStableReferenceKey(expression.expression);
    return sequenceKey === undefined ? undefined : { sequence: expression.expression, sequenceKey, index: expression.argumentExpression, method: undefined };
  }
  if (!ts.isCallExpression(expression) || expression.arguments.length !== 1) {
    return undefined;
  }
  const callee = unwrapParentheses(expression.expression);
  const index = expression.arguments[0];
  if (!ts.isPropertyAccessExpression(callee) || !READ_METHODS.has(callee.name.text) || index === undefined || ts.isSpreadElement(index)) {
    return undefined;
  }
  const sequenceKey = getStableReferenceKey(callee.expression);
  return sequenceKey === undefined ? undefined : { sequence: callee.expression, sequenceKey, index, method: callee.name };
}

function getReadProofKind(read: ElementRead, proof: Proof): 'guarded-index' | 'length-checked-index' | 'callback-index' | undefined {
  const index = parseTerm(read.index);
  if (index === undefined || index.undefinedWhenMissing) {
    return undefined;
  }
  const { base, offset } = index.term;
  if (base === undefined) {
    return offset >= 0 && provesBelowLength(undefined, offset, read, proof) ? 'length-checked-index' : undefined;
  }
  if (base.kind === 'length') {
    // `a[a.length - 1]`: below the length by construction, at least 0 once the length is checked.
    return offset < 0 && isSameReference(base.sequence, read.sequence, proof.checker) && provesLengthAtLeast(read, -offset, proof) ? 'length-checked-index' : undefined;
  }
  if (offset === 0 && isCallbackIndexRead(base.node, read, proof)) {
    return 'callback-index';
  }
  const counter = getCounter(base.node, proof);
  return counter !== undefined && provesAtLeast(base.node, counter, -offset, proof) && provesBelowLength(base.node, offset, read, proof) ? 'guarded-index' : undefined;
}

/**
 * Is every element of the sequence's type present, so that an index in bounds reads a value? Arrays,
 * tuples, strings and typed arrays whose element type has no `undefined` or `null`; a read method must
 * be the standard library's.
 */
function readsPresentElement(read: ElementRead, proof: Proof): boolean {
  const { checker, program } = proof;
  const owners = read.method === undefined ? undefined : READ_METHODS.get(read.method.text);
  if (read.method !== undefined && (owners === undefined || !isDeclaredInStandardLibrary(read.method, program, owners))) {
    return false;
  }
  const type = checker.getNonNullableType(checker.getTypeAtLocation(read.sequence));
  return unionConstituents(type).every((constituent) => {
    if ((constituent.flags & ts.TypeFlags.StringLike) !== 0) {
      return true;
    }
    const apparent = checker.getApparentType(constituent);
    if (!checker.isArrayType(apparent) && !checker.isTupleType(apparent) && !isTypedArray(apparent, proof, 0)) {
      return false;
    }
    const element = checker.getIndexTypeOfType(apparent, ts.IndexKind.Number);
    if (element === undefined) {
      return false;
    }
    const nullish = getNullishParts(element);
    return !nullish.undefined && !nullish.null;
  });
}

/**
 * `Uint8Array` and the other typed arrays of the standard library (which `@types/node` augments), or
 * a type built on one that keeps their `length` (`Buffer`; a subclass with a `length` getter of its
 * own is not one).
 */
function isTypedArray(type: ts.Type, proof: Proof, depth: number): boolean {
  const isStandard = (symbol: ts.Symbol | undefined): boolean =>
    (symbol?.declarations ?? []).some((declaration) => proof.program.isSourceFileDefaultLibrary(declaration.getSourceFile()));
  const symbol = type.getSymbol();
  if (symbol !== undefined && TYPED_ARRAYS.has(symbol.name) && isStandard(symbol)) {
    return true;
  }
  const target = isTypeReference(type) ? type.target : type;
  return (
    depth < 3 &&
    target.isClassOrInterface() &&
    isStandard(type.getProperty('length')) &&
    proof.checker.getBaseTypes(target).some((base) => isTypedArray(base, proof, depth + 1))
  );
}

// --- terms and facts ------------------------------------------------------------------------------

/** A variable, or the length of a sequence named by a stable reference. */
type TermBase = { kind: 'variable'; node: ts.Identifier } | { kind: 'length'; sequence: ts.Expression };

/** `base + offset`, or the constant `offset` when there is no base. */
interface Term {
  base: TermBase | undefined;
  offset: number;
}

interface ParsedTerm {
  term: Term;
  /** A bare `a?.length` (or `a?.length + 1`) is `undefined` or `NaN` when `a` is missing, not a number. */
  undefinedWhenMissing: boolean;
}

/**
 * `3`, `-1`, `i`, `i - 1`, `a.length`, `a?.length`, `a.length - 1`, `(a?.length ?? 0)`, `(a?.length || 0)`.
 * A missing sequence counts as length 0 where a `?? 0` or `|| 0` says so.
 */
function parseTerm(expression: ts.Expression): ParsedTerm | undefined {
  const node = unwrapParentheses(expression);
  if (ts.isNumericLiteral(node)) {
    const value = Number(node.text);
    return Number.isSafeInteger(value) ? { term: { base: undefined, offset: value }, undefinedWhenMissing: false } : undefined;
  }
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    const operand = parseTerm(node.operand);
    return operand?.term.base === undefined && operand !== undefined ? { term: { base: undefined, offset: -operand.term.offset }, undefinedWhenMissing: false } : undefined;
  }
  if (ts.isIdentifier(node)) {
    return { term: { base: { kind: 'variable', node }, offset: 0 }, undefinedWhenMissing: false };
  }
  if (ts.isPropertyAccessExpression(node) && node.name.text === 'length') {
    return getStableReferenceKey(node.expression) === undefined
      ? undefined
      : { term: { base: { kind: 'length', sequence: node.expression }, offset: 0 }, undefinedWhenMissing: node.questionDotToken !== undefined };
  }
  if (!ts.isBinaryExpression(node)) {
    return undefined;
  }
  const operator = node.operatorToken.kind;
  const left = parseTerm(node.left);
  const right = parseTerm(node.right);
  if (left === undefined || right === undefined) {
    return undefined;
  }
  if (operator === ts.SyntaxKind.QuestionQuestionToken || operator === ts.SyntaxKind.BarBarToken) {
    const isLength = left.term.base?.kind === 'length' && left.term.offset === 0;
    return isLength && right.term.base === undefined && right.term.offset === 0 ? { term: left.term, undefinedWhenMissing: false } : undefined;
  }
  const undefinedWhenMissing = left.undefinedWhenMissing || right.undefinedWhenMissing;
  if (operator === ts.SyntaxKind.MinusToken && right.term.base === undefined) {
    return { term: { base: left.term.base, offset: left.term.offset - right.term.offset }, undefinedWhenMissing };
  }
  if (operator === ts.SyntaxKind.PlusToken && (left.term.base === undefined || right.term.base === undefined)) {
    return { term: { base: left.term.base ?? right.term.base, offset: left.term.offset + right.term.offset }, undefinedWhenMissing };
  }
  return undefined;
}

/** `lower <= upper`, between integers. */
interface Fact {
  lower: Term;
  upper: Term;
}

const NEGATED_COMPARISONS = new Map<ts.SyntaxKind, ts.SyntaxKind>([
  [ts.SyntaxKind.LessThanToken, ts.SyntaxKind.GreaterThanEqualsToken],
  [ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanToken],
  [ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.LessThanEqualsToken],
  [ts.SyntaxKind.GreaterThanEqualsToken, ts.SyntaxKind.LessThanToken],
  [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken],
  [ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken],
  [ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.EqualsEqualsToken],
]);

/**
 * What a condition says about lengths and counters when it has the value `polarity`. Reading `<` as
 * `+ 1 <=` and a negated `<` as `>=` is right for integers, which lengths and counters are; a fact
 * about a variable is used only once the variable is known to be a counter.
 */
function getFacts(condition: ts.Expression, polarity: boolean): Fact[] {
  const node = unwrapParentheses(condition);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    return getFacts(node.operand, !polarity);
  }
  if (!ts.isBinaryExpression(node) || !NEGATED_COMPARISONS.has(node.operatorToken.kind)) {
    // A truthy `a.length` (or `a?.length`): the sequence is there and not empty.
    const truthy = parseTerm(node);
    return polarity && truthy?.term.base?.kind === 'length' && truthy.term.offset === 0 ? [{ lower: { base: undefined, offset: 1 }, upper: truthy.term }] : [];
  }
  const written = node.operatorToken.kind;
  const operator = polarity ? written : NEGATED_COMPARISONS.get(written);
  const left = parseTerm(node.left);
  const right = parseTerm(node.right);
  if (operator === undefined || left === undefined || right === undefined) {
    return [];
  }
  if (left.undefinedWhenMissing || right.undefinedWhenMissing) {
    // `undefined` fails every comparison but `!==`: the condition says something only if it could
    // not have had this value with the sequence missing.
    const isInequality = written === ts.SyntaxKind.ExclamationEqualsEqualsToken || written === ts.SyntaxKind.ExclamationEqualsToken;
    if ((left.undefinedWhenMissing && right.undefinedWhenMissing) || isInequality === polarity) {
      return [];
    }
  }
  const plusOne = (term: Term): Term => ({ base: term.base, offset: term.offset + 1 });
  switch (operator) {
    case ts.SyntaxKind.LessThanToken:
      return [{ lower: plusOne(left.term), upper: right.term }];
    case ts.SyntaxKind.LessThanEqualsToken:
      return [{ lower: left.term, upper: right.term }];
    case ts.SyntaxKind.GreaterThanToken:
      return [{ lower: plusOne(right.term), upper: left.term }];
    case ts.SyntaxKind.GreaterThanEqualsToken:
      return [{ lower: right.term, upper: left.term }];
    case ts.SyntaxKind.EqualsEqualsEqualsToken:
    case ts.SyntaxKind.EqualsEqualsToken:
      return [
        { lower: left.term, upper: right.term },
        { lower: right.term, upper: left.term },
      ];
    default: {
      // Only `a.length !== 0` says something: a length is never negative.
      const isZero = (term: Term): boolean => term.base === undefined && term.offset === 0;
      const isLength = (term: Term): boolean => term.base?.kind === 'length' && term.offset === 0;
      const length = isLength(left.term) && isZero(right.term) ? left.term : isLength(right.term) && isZero(left.term) ? right.term : undefined;
      return length === undefined ? [] : [{ lower: { base: undefined, offset: 1 }, upper: length }];
    }
  }
}

function isSameBase(left: TermBase | undefined, right: TermBase | undefined, checker: ts.TypeChecker): boolean {
  if (left === undefined || right === undefined) {
    return left === right;
  }
  if (left.kind === 'variable' && right.kind === 'variable') {
    const symbol = checker.getSymbolAtLocation(left.node);
    return symbol !== undefined && symbol === checker.getSymbolAtLocation(right.node);
  }
  return left.kind === 'length' && right.kind === 'length' && isSameReference(left.sequence, right.sequence, checker);
}

function isLengthOf(base: TermBase | undefined, sequence: ts.Expression, checker: ts.TypeChecker): boolean {
  return base?.kind === 'length' && isSameReference(base.sequence, sequence, checker);
}

// --- counters ---------------------------------------------------------------------------------------

/** A `let`/`const` that starts at an integer (a literal, or a length plus one) and moves in integer steps. */
interface Counter {
  declaration: ts.VariableDeclaration;
  start: Term;
  increases: boolean;
  decreases: boolean;
}

function getCounter(variable: ts.Identifier, proof: Proof): Counter | undefined {
  const symbol = proof.checker.getSymbolAtLocation(variable);
  if (symbol === undefined) {
    return undefined;
  }
  if (!proof.counters.has(symbol)) {
    proof.counters.set(symbol, findCounter(symbol, proof.checker));
  }
  return proof.counters.get(symbol);
}

function findCounter(symbol: ts.Symbol, checker: ts.TypeChecker): Counter | undefined {
  const declaration = symbol.valueDeclaration;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name) || declaration.initializer === undefined) {
    return undefined;
  }
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0) {
    return undefined;
  }
  const start = parseTerm(declaration.initializer);
  if (start === undefined || start.undefinedWhenMissing || start.term.base?.kind === 'variable') {
    return undefined;
  }
  const counter: Counter = { declaration, start: start.term, increases: false, decreases: false };
  // Every write of the variable, closures included, must be a step.
  const scope = ts.isVariableStatement(list.parent) ? list.parent.parent : list.parent;
  const hasOtherWrite = someNode(scope, (node) => {
    if (!ts.isIdentifier(node) || (getAccessKind(node) & AccessKind.Write) === 0 || getWrittenSymbol(node, checker) !== symbol) {
      return false;
    }
    const step = getCounterStep(node);
    counter.increases ||= step === 'up';
    counter.decreases ||= step === 'down';
    return step === undefined;
  });
  return hasOtherWrite ? undefined : counter;
}

/** In `({ x } = value)` the name stands for both the property and the variable: the variable is the one written. */
function getWrittenSymbol(identifier: ts.Identifier, checker: ts.TypeChecker): ts.Symbol | undefined {
  const parent = identifier.parent;
  return ts.isShorthandPropertyAssignment(parent) && parent.name === identifier ? checker.getShorthandAssignmentValueSymbol(parent) : checker.getSymbolAtLocation(identifier);
}

/** `i++`, `--i`, `i += 2`, `i -= 1`; anything else is no step. */
function getCounterStep(written: ts.Identifier): 'up' | 'down' | undefined {
  const target = skipTransparentUp(written);
  const parent = target.parent;
  if (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) {
    return parent.operator === ts.SyntaxKind.PlusPlusToken ? 'up' : parent.operator === ts.SyntaxKind.MinusMinusToken ? 'down' : undefined;
  }
  if (!ts.isBinaryExpression(parent) || parent.left !== target) {
    return undefined;
  }
  const step = parseTerm(parent.right);
  if (step === undefined || step.term.base !== undefined || step.term.offset <= 0) {
    return undefined;
  }
  return parent.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken ? 'up' : parent.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken ? 'down' : undefined;
}

// --- lower and upper bounds -----------------------------------------------------------------------------

/** `variable >= least` at the use: from where the counter starts if it never goes down, or from a guard. */
function provesAtLeast(variable: ts.Identifier, counter: Counter, least: number, proof: Proof): boolean {
  // A length is never negative, so a counter from `a.length + k` is at least `k`, as one from `k` is.
  if (!counter.decreases && counter.start.offset >= least) {
    return true;
  }
  const base: TermBase = { kind: 'variable', node: variable };
  return provedByGuard(
    proof.use,
    (fact) => fact.lower.base === undefined && isSameBase(fact.upper.base, base, proof.checker) && fact.lower.offset - fact.upper.offset >= least,
    { variables: [variable] },
    proof,
  );
}

/** `read.sequence.length >= least` at the use, from a guard. */
function provesLengthAtLeast(read: ElementRead, least: number, proof: Proof): boolean {
  return provedByGuard(
    proof.use,
    (fact) => fact.lower.base === undefined && isLengthOf(fact.upper.base, read.sequence, proof.checker) && fact.lower.offset - fact.upper.offset >= least,
    { sequences: [mustNotShrink(read.sequence, read.sequenceKey)] },
    proof,
  );
}

/**
 * `index + offset <= read.sequence.length - 1` at the use (`index` absent for a literal): from a
 * counter that counts down from the length, or from a guard that bounds the index by the length or
 * by such a counter (`i < n` with `const n = a.length`).
 */
function provesBelowLength(index: ts.Identifier | undefined, offset: number, read: ElementRead, proof: Proof): boolean {
  const indexBase: TermBase | undefined = index === undefined ? undefined : { kind: 'variable', node: index };
  const own = getLengthOffset(indexBase, read.sequence, read.sequenceKey, proof);
  if (own !== undefined && own + offset <= -1) {
    return true;
  }
  return provedByGuard(
    proof.use,
    (fact) => {
      if (!isSameBase(fact.lower.base, indexBase, proof.checker)) {
        return false;
      }
      const lengthOffset = getLengthOffset(fact.upper.base, read.sequence, read.sequenceKey, proof);
      return lengthOffset !== undefined && offset - fact.lower.offset + fact.upper.offset + lengthOffset <= -1;
    },
    { variables: index === undefined ? [] : [index], sequences: [mustNotShrink(read.sequence, read.sequenceKey)] },
    proof,
  );
}

/**
 * The `k` for which `base <= sequence.length + k` holds at the use: 0 for the length itself, the
 * start of a counter that begins at the length plus `k` and never grows, if the sequence has not been
 * shortened since the counter was declared.
 */
function getLengthOffset(base: TermBase | undefined, sequence: ts.Expression, sequenceKey: string, proof: Proof): number | undefined {
  if (base === undefined) {
    return undefined;
  }
  if (base.kind === 'length') {
    return isSameReference(base.sequence, sequence, proof.checker) ? 0 : undefined;
  }
  const counter = getCounter(base.node, proof);
  if (counter === undefined || counter.increases || !isLengthOf(counter.start.base, sequence, proof.checker)) {
    return undefined;
  }
  const container = getContainer(counter.declaration);
  const keepsLength =
    container === getContainer(proof.use) &&
    holdsUntil({ end: counter.declaration.end, container }, proof.use, { sequences: [mustNotShrink(sequence, sequenceKey)] }, proof.checker);
  return keepsLength ? counter.start.offset : undefined;
}

/**
 * `xs!` where a guard such as `i < (xs?.length ?? 0)` holds with `i >= 0`: a missing `xs` has length
 * 0 there, and no index is below 0.
 */
function isPresentByLength(reference: ts.Expression, proof: Proof): boolean {
  const key = getStableReferenceKey(reference);
  if (key === undefined) {
    return false;
  }
  return provedByGuard(
    proof.use,
    (fact) => {
      const lengthOffset = getLengthOffset(fact.upper.base, reference, key, proof);
      if (lengthOffset === undefined) {
        return false;
      }
      // length >= upper - lengthOffset >= lower.base + lower.offset - upper.offset - lengthOffset >= 1
      const least = 1 - fact.lower.offset + fact.upper.offset + lengthOffset;
      const base = fact.lower.base;
      if (base === undefined) {
        return least <= 0;
      }
      if (base.kind !== 'variable') {
        return false;
      }
      // Only a bound that holds at every moment: the guard may lie before writes to the counter.
      const counter = getCounter(base.node, proof);
      return counter !== undefined && !counter.decreases && counter.start.offset >= least;
    },
    { sequences: [mustNotShrink(reference, key)] },
    proof,
  );
}

// --- iteration callbacks --------------------------------------------------------------------------------

/** The position of the index parameter in the callbacks of the array methods that pass one. */
const INDEX_PARAMETERS = new Map([
  ['every', 1],
  ['filter', 1],
  ['find', 1],
  ['findIndex', 1],
  ['findLast', 1],
  ['findLastIndex', 1],
  ['flatMap', 1],
  ['forEach', 1],
  ['map', 1],
  ['some', 1],
  ['reduce', 2],
  ['reduceRight', 2],
]);

/**
 * `b[i]` where `i` is the index an array method passes its callback: the method visits indexes
 * below the length its array had when the call started, so the read is in bounds if `b` is that
 * array or was no shorter then, and nothing in the call shortens `b`. The callback must run during
 * the call (not `async`, the read not in a closure of it) and not reassign `i`.
 */
function isCallbackIndexRead(index: ts.Identifier, read: ElementRead, proof: Proof): boolean {
  const { checker, program } = proof;
  const symbol = checker.getSymbolAtLocation(index);
  const parameter = symbol?.valueDeclaration;
  if (symbol === undefined || parameter === undefined || !ts.isParameter(parameter) || parameter.dotDotDotToken !== undefined) {
    return false;
  }
  const callback = parameter.parent;
  if (!(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) || callback.asteriskToken !== undefined || includesModifier(callback.modifiers, ts.SyntaxKind.AsyncKeyword)) {
    return false;
  }
  const callbackUse = getCallbackUse(callback);
  if (callbackUse === undefined || callbackUse.argumentIndex !== 0 || !ts.isCallExpression(callbackUse.call) || INDEX_PARAMETERS.get(callbackUse.calleeName ?? '') !== callback.parameters.indexOf(parameter)) {
    return false;
  }
  const call = callbackUse.call;
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || getEnclosingFunction(proof.use) !== callback || isReassigned(symbol, callback, checker)) {
    return false;
  }
  const iterated = callee.expression;
  const iteratedKey = getStableReferenceKey(iterated);
  const sequence = mustNotShrink(read.sequence, read.sequenceKey);
  if (iteratedKey === undefined || someNode(call, (node) => changesLength(node, sequence)) || !isDeclaredInStandardLibrary(callee.name, program, ARRAY_INTERFACES)) {
    return false;
  }
  return isSameReference(iterated, read.sequence, checker) || isNoLongerAtCall(iterated, iteratedKey, read, call, proof);
}

/**
 * Is `iterated` no longer than `read.sequence` when `call` starts? A guard compares their lengths
 * (`a.length === b.length && a.every(…)`, `if (a.length !== b.length) throw …;`), or one is a `const`
 * built as `other.map(…)` (or `await Promise.all(other.map(…))`), with neither length changed since.
 */
function isNoLongerAtCall(iterated: ts.Expression, iteratedKey: string, read: ElementRead, call: ts.CallExpression, proof: Proof): boolean {
  const { checker } = proof;
  const preserved: Preserved = { sequences: [mustNotShrink(read.sequence, read.sequenceKey), mustNotGrow(iterated, iteratedKey)] };
  const compared = provedByGuard(
    call,
    (fact) => isLengthOf(fact.lower.base, iterated, checker) && isLengthOf(fact.upper.base, read.sequence, checker) && fact.lower.offset >= fact.upper.offset,
    preserved,
    proof,
  );
  if (compared) {
    return true;
  }
  const mapped = getMappedDeclaration(iterated, read.sequence, proof) ?? getMappedDeclaration(read.sequence, iterated, proof);
  if (mapped === undefined) {
    return false;
  }
  const container = getContainer(mapped);
  return container === getContainer(call) && holdsUntil({ end: mapped.getStart(), container }, call, preserved, checker);
}

/** The `const copy = source.map(…)` (or `= await Promise.all(source.map(…))`) declaration of `copy`. */
function getMappedDeclaration(copy: ts.Expression, source: ts.Expression, proof: Proof): ts.VariableDeclaration | undefined {
  const node = unwrapParentheses(copy);
  const declaration = ts.isIdentifier(node) ? proof.checker.getSymbolAtLocation(node)?.valueDeclaration : undefined;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.initializer === undefined) {
    return undefined;
  }
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || (list.flags & ts.NodeFlags.Const) === 0) {
    return undefined;
  }
  const origin = getSameLengthOrigin(declaration.initializer, proof);
  return origin !== undefined && isSameReference(origin, source, proof.checker) ? declaration : undefined;
}

/** The array an expression has the length of: `a` for `a.map(…)`, `await Promise.all(a)` and `await Promise.all(a.map(…))`. */
function getSameLengthOrigin(expression: ts.Expression, proof: Proof): ts.Expression | undefined {
  const node = unwrapParentheses(expression);
  if (ts.isAwaitExpression(node)) {
    const awaited = unwrapParentheses(node.expression);
    if (!ts.isCallExpression(awaited) || awaited.arguments.length !== 1 || !isPromiseAll(awaited, proof.program)) {
      return undefined;
    }
    const argument = awaited.arguments[0];
    if (argument === undefined || ts.isSpreadElement(argument)) {
      return undefined;
    }
    return getSameLengthOrigin(argument, proof) ?? (getStableReferenceKey(argument) === undefined ? undefined : argument);
  }
  if (!ts.isCallExpression(node)) {
    return undefined;
  }
  const callee = unwrapParentheses(node.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'map' && isDeclaredInStandardLibrary(callee.name, proof.program, ARRAY_INTERFACES)
    ? callee.expression
    : undefined;
}

const PROMISE_CONSTRUCTOR = new Set(['PromiseConstructor']);

function isPromiseAll(call: ts.CallExpression, program: ts.Program): boolean {
  const callee = unwrapParentheses(call.expression);
  return ts.isPropertyAccessExpression(callee) && getStableReferenceKey(callee) === 'Promise.all' && isDeclaredInStandardLibrary(callee.name, program, PROMISE_CONSTRUCTOR);
}

// --- what may happen between a fact and the read ---------------------------------------------------------

/** A sequence whose length a proof read, and the calls that would change it the wrong way. */
interface PreservedSequence {
  expression: ts.Expression;
  key: string;
  methods: readonly string[];
}

interface Preserved {
  /** Counters whose value the proof read. */
  variables?: readonly ts.Identifier[];
  sequences?: readonly PreservedSequence[];
}

function mustNotShrink(expression: ts.Expression, key: string): PreservedSequence {
  return { expression, key, methods: ['pop', 'shift', 'splice'] };
}

function mustNotGrow(expression: ts.Expression, key: string): PreservedSequence {
  return { expression, key, methods: ['push', 'unshift', 'splice'] };
}

/**
 * Does a guard nearest `use` (the one `findGuard` finds, or a `for` condition) say `holds` of some
 * fact, with the fact still true at `use`?
 */
function provedByGuard(use: ts.Node, holds: (fact: Fact) => boolean, preserved: Preserved, proof: Proof): boolean {
  const isCondition = (condition: ts.Expression, polarity: boolean): boolean => getFacts(condition, polarity).some(holds);
  const guards = [findGuard(use, isCondition, () => false), findForConditionGuard(use, isCondition)];
  return guards.some((guard) => {
    const condition = guard === undefined ? undefined : getGuardCondition(use, guard);
    return guard !== undefined && condition !== undefined && holdsUntil(guard, use, preserved, proof.checker, condition);
  });
}

/**
 * The whole condition a guard ends with. The guarded region starts after it, but the parts of it
 * evaluated after the one that proved the fact also run before the use: `if (a.length > 0 && a.pop())`.
 */
function getGuardCondition(use: ts.Node, guard: Guard): ts.Expression | undefined {
  let child: ts.Node = use;
  for (let node = parentOf(use); node !== undefined && !isFunctionBoundary(node) && !ts.isSourceFile(node); child = node, node = parentOf(node)) {
    // The guard ends after the part of the condition that proved it, somewhere inside the condition.
    const endsIn = (condition: ts.Expression): boolean => guard.end > condition.getStart() && guard.end <= condition.end;
    if ((ts.isIfStatement(node) || ts.isWhileStatement(node)) && child !== node.expression && endsIn(node.expression)) {
      return node.expression;
    }
    if (ts.isConditionalExpression(node) && child !== node.condition && endsIn(node.condition)) {
      return node.condition;
    }
    if (ts.isBinaryExpression(node) && child === node.right && endsIn(node.left)) {
      return node.left;
    }
    if (ts.isForStatement(node) && child === node.statement && node.statement.getStart() === guard.end) {
      return node.condition;
    }
    if (ts.isBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      const exit = node.statements.find((statement) => statement.end === guard.end);
      if (exit !== undefined) {
        // `if (…) return;`: the exit runs only on the paths that do not reach the use.
        return ts.isIfStatement(exit) ? exit.expression : undefined;
      }
    }
  }
  return undefined;
}

/**
 * The `for` whose body holds `use` and whose condition implies the fact. The increment runs between
 * one test of the condition and the next, not between the test and the body, so the guarded region
 * starts at the body.
 */
function findForConditionGuard(use: ts.Node, isCondition: (condition: ts.Expression, polarity: boolean) => boolean): Guard | undefined {
  let child: ts.Node = use;
  for (let node = parentOf(use); node !== undefined && !isFunctionBoundary(node) && !ts.isSourceFile(node); child = node, node = parentOf(node)) {
    if (ts.isForStatement(node) && child === node.statement && node.condition !== undefined && getConjuncts(node.condition).some((part) => isCondition(part, true))) {
      return { end: node.statement.getStart(), container: getContainer(node) };
    }
  }
  return undefined;
}

/** Does every fact read at `start` (and in `condition`, the rest of the condition that proved them) still hold at `use`? */
function holdsUntil(start: Guard, use: ts.Node, preserved: Preserved, checker: ts.TypeChecker, condition?: ts.Expression): boolean {
  const variables = preserved.variables ?? [];
  const sequences = preserved.sequences ?? [];
  const changesSequence = (node: ts.Node): boolean => sequences.some((sequence) => changesLength(node, sequence));
  const changes = (node: ts.Node): boolean => {
    const written = getWrittenReferenceKeys(node);
    return variables.some((variable) => written.includes(variable.text)) || changesSequence(node);
  };
  const runsBefore = (predicate: (node: ts.Node) => boolean): boolean => (condition !== undefined && someNode(condition, predicate)) || hasInterference(start, use, predicate);
  if (runsBefore(changes)) {
    return false;
  }
  const waits = (node: ts.Node): boolean => ts.isAwaitExpression(node) || ts.isYieldExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined);
  if (!runsBefore(waits)) {
    return true;
  }
  // Another task runs while this one waits. It can reach a variable of this function only through a
  // closure of it, and a sequence also through wherever it was handed since its declaration; a
  // property or a parameter is shared with code this analysis does not see.
  for (const sequence of sequences) {
    const declaration = getLocalDeclaration(sequence.expression, start.container, checker);
    if (declaration === undefined || hasInterference({ end: declaration.end, container: start.container }, use, changesSequence)) {
      return false;
    }
  }
  if (variables.some((variable) => getLocalDeclaration(variable, start.container, checker) === undefined)) {
    return false;
  }
  let closureChanges = false;
  const visit = (node: ts.Node): void => {
    if (closureChanges) {
      return;
    }
    if (isFunctionBoundary(node)) {
      closureChanges = someNode(node, changes);
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(start.container, visit);
  return !closureChanges;
}

function getLocalDeclaration(reference: ts.Expression, container: ts.Node, checker: ts.TypeChecker): ts.VariableDeclaration | undefined {
  let node = unwrapParentheses(reference);
  while (ts.isNonNullExpression(node)) {
    node = unwrapParentheses(node.expression);
  }
  const declaration = ts.isIdentifier(node) ? checker.getSymbolAtLocation(node)?.valueDeclaration : undefined;
  return declaration !== undefined && ts.isVariableDeclaration(declaration) && getContainer(declaration) === container ? declaration : undefined;
}

/** Can `node` change the sequence's length: reassign it (or what holds it), write `length`, call a method that does, or hand it out? */
function changesLength(node: ts.Node, sequence: PreservedSequence): boolean {
  const written = getWrittenReferenceKeys(node);
  if (written.some((key) => writeAffectsReference(key, sequence.key) || key === `${sequence.key}.length`)) {
    return true;
  }
  return isMethodCallOn(node, sequence.key, sequence.methods) || isHandedOut(node, sequence.key);
}

/**
 * Is `node` the sequence itself, where it is handed to other code (an argument, an initializer, the
 * right of an assignment, a property, an array element, a returned or yielded value)? That code can
 * keep it and change its length later.
 */
function isHandedOut(node: ts.Node, key: string): boolean {
  const isReference = ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node);
  return isReference && getStableReferenceKey(node) === key && isHandingOutPosition(skipTransparentUp(node));
}

function isHandingOutPosition(expression: ts.Expression): boolean {
  const parent = expression.parent;
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    return parent.arguments?.includes(expression) ?? false;
  }
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isParameter(parent)) {
    return parent.initializer === expression;
  }
  if (ts.isBinaryExpression(parent)) {
    const operator = parent.operatorToken.kind;
    if (isAssignmentOperator(operator)) {
      return parent.right === expression;
    }
    const passesValue =
      operator === ts.SyntaxKind.QuestionQuestionToken ||
      operator === ts.SyntaxKind.BarBarToken ||
      operator === ts.SyntaxKind.AmpersandAmpersandToken ||
      (operator === ts.SyntaxKind.CommaToken && parent.right === expression);
    return passesValue && isHandingOutPosition(skipTransparentUp(parent));
  }
  if (ts.isConditionalExpression(parent)) {
    return parent.condition !== expression && isHandingOutPosition(skipTransparentUp(parent));
  }
  return (
    ts.isShorthandPropertyAssignment(parent) ||
    ts.isArrayLiteralExpression(parent) ||
    ts.isReturnStatement(parent) ||
    ts.isYieldExpression(parent) ||
    (ts.isArrowFunction(parent) && parent.body === expression)
  );
}

