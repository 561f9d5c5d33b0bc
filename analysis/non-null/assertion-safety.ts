import ts from 'typescript';

import { isAssignmentTarget } from '../core/side-effects.js';
import { parentOf } from '../core/parent.js';
import { isDeclaredInStandardLibrary } from '../core/standard-library.js';
import { getStableReferenceKey, getWrittenReferenceKeys, interruptsRepeatedCall, writeAffectsReference } from '../core/stable-reference.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getNullishParts } from '../core/types.js';
import { ARRAY_INTERFACES, ensuresMapEntry, getLookupKey, hasNullableElements, hasNullableMapValues, isMapHasCall, MAP_INTERFACES, removesMapEntry } from './collection-facts.js';
import { isComparedOnly } from './compared-only.js';
import { isDecodedMessageField, isNeverClearedField, isRequiredByDeclaration } from './declared-invariants.js';
import { isServerRequestField } from './server-request.js';
import { getIndexBoundsSafety } from './index-bounds.js';
import { getKeyProof } from './key-proofs.js';
import { findGuard, getConjuncts, getContainer, getReferenceParts, getTestedAsPresent, hasInterference, isMethodCallOn, isWrittenIn } from './guards.js';
import { isPresenceChecked } from './presence-guard.js';
import { isParticipatingCaptureGroup } from './regexp-groups.js';
import { isRepeatedAssertion } from './repeated-assertion.js';
import { isSplitFirstElement } from './split-first-element.js';
import { isTestedAssignment } from './tested-assignment.js';
import { isPassedWhereMissingIsAllowed, isStoredWhereMissingIsAllowed } from './undefined-accepting-target.js';

/**
 * Is this `x!` provably safe, and why?
 *
 * `!` is a claim the compiler cannot check. Some claims are checked after all, by code TypeScript
 * cannot relate to the assertion; flagging those would teach people to ignore the rule:
 * - `not-nullable`: the type has no `null`/`undefined` to remove (`no-unnecessary-type-assertion`
 *   covers that; `any` and `unknown` are not claims about nullability either);
 * - `bounds-checked-index`: `a[i]!` in `for (let i = 0; i < a.length; i++)`, needed under
 *   `noUncheckedIndexedAccess`, when `i` and `a` are not written in the loop and the element type
 *   itself has no `undefined`;
 * - `guarded-map-get`: `m.get(k)!` after `m.has(k)` (or after `m.set(k, …)` on the only path where
 *   it was missing), with no `delete`, `clear`, reassignment or `await` in between; a key that is
 *   a method call (`m.get(e.getType())`) only after a check with no call or write in between;
 * - `length-checked-removal`: `a.pop()!` / `a.shift()!` in `while (a.length > 0)`, or after a check
 *   that the element it removes is present (`while (a[0] && …)`, `const first = a[0]; if (!first)
 *   break;`, `a[a.length - 1]` for `pop`), with no other removal before it in the loop.
 * - `established-before-use`: `x!` right after `if (!x) { x = []; }` (or `Object.defineProperty(o, k,
 *   { value: [] })` for `o[k]`), where TypeScript's narrowing does not reach, with no write in between.
 * - `assignment-target`: `o.x! = v`, `o.x! += v`, `x!++`, `[a!] = …`, `({ k: a! } = …)`, `for (a! of …)`:
 *   the `!` only lets the compiler accept the write; nothing reads the value in a way that can
 *   fail, so there is nothing for a check to test (`o.x!.y = v` does read `o.x`, and is not one).
 * - `presence-checked`: `x.p!` where the same `x.p` (or the same call) was checked just before, in
 *   a condition or an early exit, also from inside a callback that runs where it is written, with
 *   nothing in between that could undo it (see presence-guard.ts);
 * - `repeated-assertion`: `x.p!` after an `x.p!.m` that ran on every path to it, outside a hot path
 *   (`for (const t of x.p!.list()) x.p!.remove(t)`), with no write or `await` in between (see
 *   repeated-assertion.ts);
 * - `compared-only`: `a === b!`, `list.includes(x!)`, `map.get(k!)`: a missing value only makes the
 *   comparison false or the lookup miss (see compared-only.ts).
 * - `iterated-map-key`: `m.get(k)!` where `k` comes from iterating the same map (`for (const k of m.keys())`,
 *   `for (const [k, v] of m)`, `m.forEach((v, k) => …)`, `[...m.keys()].forEach((k) => …)`), with no
 *   removal, write of `m` or `k`, or `await` between taking the key and the read (removing that key
 *   after the read is fine), and the map's values have no `undefined` (see key-proofs.ts, as for the
 *   four below).
 * - `own-enumerated-key`: `o[k]!` or `Object.getOwnPropertyDescriptor(o, k)!` where `k` comes from
 *   `Object.keys(o)`, `Object.entries(o)`, `Reflect.ownKeys(o)` (in a loop, a callback or `.find(…)`
 *   checked for `undefined`) or from `for…in` over a `const` object literal nothing else reaches, on
 *   the same terms.
 * - `every-checked-map-get`: `ids.map((id) => m.get(id)!)` after `ids.every((id) => m.has(id))` held,
 *   over the same `const` array, with no removal, change of the array or `await` in between.
 * - `every-checked-element`: `a.map((x) => x.p!)` after `a.every((y) => y.p)` (or `a.every(Boolean)`
 *   and `x!`) held, over the same stable array, with nothing in between that changes the array or waits.
 * - `re-established-map-entry`: `m.get(k)!` after `m.set(k, …)` where whatever removes the entry or
 *   replaces the map in between is always followed by `m.set(k, …)` again before the read.
 * - `enumerated-in-loop-header`: `x!` inside `for (… of Object.keys(x))` (or its callback), which threw
 *   already if `x` was missing, with no write of `x` or `await` in the body.
 * - `guarded-index`: `a[i]!`, `a[n - 1]!`, `a.at(i)!`, `s.codePointAt(i)!` where an integer counter
 *   is kept inside `[0, a.length)` by the nearest condition (`while`, `if`, `&&`, `for`, an early
 *   exit) and by how it starts and moves: `i < a.length` with `i` from 0 up, `n > 0` with `n` from
 *   `a.length` down, also through `(a?.length ?? 0)` and a `const` copy of the length (see
 *   index-bounds.ts, as for the three below);
 * - `length-checked-index`: `a[k]!` or `a[a.length - k]!` after a check on `a.length`
 *   (`if (a.length === 0) continue;`, `if (a.length !== 1) throw …`);
 * - `callback-index`: `b[i]!` where `i` is the index of `a.forEach`/`every`/`map`/… and `a` is `b`,
 *   or was checked to be no longer than `b` (`a.length === b.length &&`), or one is a `.map` of the other;
 * - `optional-length-checked`: `xs!` where `i < (xs?.length ?? 0)` holds for a non-negative `i`: a
 *   missing `xs` has no index.
 * - `tested-assignment`: `while ((x = q.shift()!))`, `if ((x = f()!))`: the value is only tested, and
 *   nothing reads the local `x` on the path where the test failed (see tested-assignment.ts).
 * - `participating-capture-group`: `match[1]!` for a match of a regular expression literal whose
 *   group 1 takes part in every match (not under `?`, `*`, `{0,n}`, `|` or a negative lookaround),
 *   from `matchAll` or a checked `exec`/`match` (see regexp-groups.ts).
 * - `stored-where-missing-allowed`: `this.p = v!` into `p?: string`: the target accepts the missing
 *   value, and the function does not read it again (see undefined-accepting-target.ts).
 * - `passed-where-missing-allowed`: `encodeUri(t, { $k: v! })` into `Record<string, string | undefined>`,
 *   or `f(v!)` into `p?: string`: the callee is declared to take the missing value (same file).
 * - `split-first-element`: `s.split(',')[0]!` (or `s.split(',', 1)[0]!`): splitting by a non-empty
 *   string with a positive or no limit returns at least one element (see split-first-element.ts).
 * - `never-cleared-field` and `required-by-declaration` are assumptions the program states in its
 *   declarations rather than proofs: `this.peerConn!` on a class field that no code ever sets to a
 *   missing value, and `event.getId()!` returning `event_id`, which `IEvent` requires and only
 *   `Partial<IEvent>` makes optional (see declared-invariants.ts).
 * - `decoded-message-field` is one too: `x.workflowId!` on a protobufjs message interface whose
 *   generated class declares `workflowId: string`, the default decoding puts on every message.
 * - `server-request-field`: `req.url!` or `req.method!` on the request a Node server handler is
 *   given, which Node sets on every request it parses (see server-request.ts).
 * Definite-assignment declarations (`x!: T`) are no expressions and never reach this question.
 */
export type NonNullAssertionSafety =
  | { kind: 'not-nullable' }
  | { kind: 'bounds-checked-index' }
  | { kind: 'guarded-map-get' }
  | { kind: 'length-checked-removal' }
  | { kind: 'established-before-use' }
  | { kind: 'assignment-target' }
  | { kind: 'presence-checked' }
  | { kind: 'compared-only' }
  | { kind: 'repeated-assertion' }
  | { kind: 'iterated-map-key' }
  | { kind: 'own-enumerated-key' }
  | { kind: 'every-checked-map-get' }
  | { kind: 'every-checked-element' }
  | { kind: 're-established-map-entry' }
  | { kind: 'enumerated-in-loop-header' }
  | { kind: 'guarded-index' }
  | { kind: 'length-checked-index' }
  | { kind: 'callback-index' }
  | { kind: 'optional-length-checked' }
  | { kind: 'split-first-element' }
  | { kind: 'tested-assignment' }
  | { kind: 'participating-capture-group' }
  | { kind: 'stored-where-missing-allowed' }
  | { kind: 'passed-where-missing-allowed' }
  | { kind: 'never-cleared-field' }
  | { kind: 'required-by-declaration' }
  | { kind: 'decoded-message-field' }
  | { kind: 'server-request-field' };

export function getNonNullAssertionSafety(assertion: ts.NonNullExpression, program: ts.Program): NonNullAssertionSafety | undefined {
  const checker = program.getTypeChecker();
  const nullish = getNullishParts(checker.getTypeAtLocation(assertion.expression));
  if (!nullish.undefined && !nullish.null) {
    return { kind: 'not-nullable' };
  }
  if (isAssignmentTarget(assertion)) {
    return { kind: 'assignment-target' };
  }
  const expression = unwrapParentheses(assertion.expression);
  if (ts.isElementAccessExpression(expression) && isBoundsCheckedIndex(expression, checker)) {
    return { kind: 'bounds-checked-index' };
  }
  if (ts.isCallExpression(expression)) {
    if (isGuardedMapGet(expression, program)) {
      return { kind: 'guarded-map-get' };
    }
    if (isLengthCheckedRemoval(expression, program)) {
      return { kind: 'length-checked-removal' };
    }
  }
  if (isEstablishedBeforeUse(expression, checker)) {
    return { kind: 'established-before-use' };
  }
  if (isStoredWhereMissingIsAllowed(assertion, checker)) {
    return { kind: 'stored-where-missing-allowed' };
  }
  if (isPassedWhereMissingIsAllowed(assertion, checker)) {
    return { kind: 'passed-where-missing-allowed' };
  }
  if (isTestedAssignment(assertion, checker)) {
    return { kind: 'tested-assignment' };
  }
  if (isSplitFirstElement(expression, program)) {
    return { kind: 'split-first-element' };
  }
  if (isParticipatingCaptureGroup(expression, program)) {
    return { kind: 'participating-capture-group' };
  }
  const indexBounds = getIndexBoundsSafety(assertion, program);
  if (indexBounds !== undefined) {
    return indexBounds;
  }
  const keyProof = getKeyProof(expression, program);
  if (keyProof !== undefined) {
    return keyProof;
  }
  if (isPresenceChecked(expression, program)) {
    return { kind: 'presence-checked' };
  }
  if (isComparedOnly(assertion, program)) {
    return { kind: 'compared-only' };
  }
  if (isRepeatedAssertion(assertion, program)) {
    return { kind: 'repeated-assertion' };
  }
  if (isRequiredByDeclaration(expression, program)) {
    return { kind: 'required-by-declaration' };
  }
  if (isNeverClearedField(expression, program)) {
    return { kind: 'never-cleared-field' };
  }
  if (isDecodedMessageField(expression, program)) {
    return { kind: 'decoded-message-field' };
  }
  if (isServerRequestField(expression, program)) {
    return { kind: 'server-request-field' };
  }
  return undefined;
}

// --- a[i]! inside `for (let i = 0; i < a.length; i++)` ----------------------------------------

function isBoundsCheckedIndex(access: ts.ElementAccessExpression, checker: ts.TypeChecker): boolean {
  const index = unwrapParentheses(access.argumentExpression);
  const arrayKey = getStableReferenceKey(access.expression);
  if (!ts.isIdentifier(index) || arrayKey === undefined || hasNullableElements(access.expression, checker)) {
    return false;
  }
  const indexSymbol = checker.getSymbolAtLocation(index);
  for (let node: ts.Node = access, loop = parentOf(access); loop !== undefined; node = loop, loop = parentOf(loop)) {
    if (ts.isForStatement(loop) && loop.statement === node) {
      if (isIndexLoopOver(loop, indexSymbol, arrayKey, checker) && !isWrittenIn(loop.statement, [index.text, arrayKey])) {
        return true;
      }
    } else if (ts.isForOfStatement(loop) && loop.statement === node) {
      // `for (const i of a.keys())`
      const iterated = unwrapParentheses(loop.expression);
      if (
        declaresSymbol(loop.initializer, indexSymbol, checker) &&
        ts.isCallExpression(iterated) &&
        ts.isPropertyAccessExpression(iterated.expression) &&
        iterated.expression.name.text === 'keys' &&
        getStableReferenceKey(iterated.expression.expression) === arrayKey &&
        !isWrittenIn(loop.statement, [arrayKey])
      ) {
        return true;
      }
    } else if (ts.isForInStatement(loop) && loop.statement === node) {
      // `for (const key in record) record[key]!`: the key was just enumerated from that object.
      if (
        declaresSymbol(loop.initializer, indexSymbol, checker) &&
        getStableReferenceKey(loop.expression) === arrayKey &&
        !isWrittenIn(loop.statement, [arrayKey, `${arrayKey}[]`])
      ) {
        return true;
      }
    }
  }
  return false;
}

function declaresSymbol(initializer: ts.ForInitializer, symbol: ts.Symbol | undefined, checker: ts.TypeChecker): boolean {
  if (symbol === undefined || !ts.isVariableDeclarationList(initializer)) {
    return false;
  }
  const declaration = initializer.declarations[0];
  return declaration !== undefined && ts.isIdentifier(declaration.name) && checker.getSymbolAtLocation(declaration.name) === symbol;
}

function isIndexLoopOver(loop: ts.ForStatement, indexSymbol: ts.Symbol | undefined, arrayKey: string, checker: ts.TypeChecker): boolean {
  const initializer = loop.initializer;
  if (indexSymbol === undefined || initializer === undefined || !ts.isVariableDeclarationList(initializer) || loop.condition === undefined || loop.incrementor === undefined) {
    return false;
  }
  const declaration = initializer.declarations.find(
    (candidate) => ts.isIdentifier(candidate.name) && checker.getSymbolAtLocation(candidate.name) === indexSymbol,
  );
  if (declaration?.initializer === undefined || !ts.isIdentifier(declaration.name)) {
    return false;
  }
  const indexName = declaration.name.text;
  const start = unwrapParentheses(declaration.initializer);
  const step = getStep(loop.incrementor, indexName);
  const conditions = getConjuncts(loop.condition);
  if (ts.isNumericLiteral(start) && step === 'up') {
    // i counts up from a non-negative literal; some conjunct must keep it below the length.
    return conditions.some((condition) => isBelowLength(condition, indexName, arrayKey, initializer, checker));
  }
  if (step === 'down' && isLengthMinusOne(start, arrayKey)) {
    return conditions.some((condition) => isNonNegativeCheck(condition, indexName));
  }
  return false;
}

function getStep(incrementor: ts.Expression, indexName: string): 'up' | 'down' | undefined {
  const node = unwrapParentheses(incrementor);
  if ((ts.isPostfixUnaryExpression(node) || ts.isPrefixUnaryExpression(node)) && isNamed(node.operand, indexName)) {
    if (node.operator === ts.SyntaxKind.PlusPlusToken) {
      return 'up';
    }
    if (node.operator === ts.SyntaxKind.MinusMinusToken) {
      return 'down';
    }
  }
  if (ts.isBinaryExpression(node) && isNamed(node.left, indexName) && ts.isNumericLiteral(node.right) && Number(node.right.text) > 0) {
    if (node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) {
      return 'up';
    }
    if (node.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken) {
      return 'down';
    }
  }
  return undefined;
}

/** `i < a.length`, `a.length > i`, or `i < n` where `n` is declared as `a.length` and never reassigned. */
function isBelowLength(
  condition: ts.Expression,
  indexName: string,
  arrayKey: string,
  initializer: ts.VariableDeclarationList,
  checker: ts.TypeChecker,
): boolean {
  if (!ts.isBinaryExpression(condition)) {
    return false;
  }
  const operator = condition.operatorToken.kind;
  let bound: ts.Expression | undefined;
  if (operator === ts.SyntaxKind.LessThanToken && isNamed(condition.left, indexName)) {
    bound = condition.right;
  } else if (operator === ts.SyntaxKind.GreaterThanToken && isNamed(condition.right, indexName)) {
    bound = condition.left;
  }
  if (bound === undefined) {
    return false;
  }
  if (isLengthOf(bound, arrayKey)) {
    return true;
  }
  const boundNode = unwrapParentheses(bound);
  if (!ts.isIdentifier(boundNode)) {
    return false;
  }
  const boundDeclaration = checker.getSymbolAtLocation(boundNode)?.valueDeclaration;
  if (boundDeclaration === undefined || !ts.isVariableDeclaration(boundDeclaration) || boundDeclaration.initializer === undefined) {
    return false;
  }
  const list = boundDeclaration.parent;
  const isConstant = ts.isVariableDeclarationList(list) && ((list.flags & ts.NodeFlags.Const) !== 0 || list === initializer);
  return isConstant && isLengthOf(boundDeclaration.initializer, arrayKey) && !isWrittenIn(list === initializer ? initializer.parent : list, [boundNode.text]);
}

function isNonNegativeCheck(condition: ts.Expression, indexName: string): boolean {
  if (!ts.isBinaryExpression(condition)) {
    return false;
  }
  const operator = condition.operatorToken.kind;
  const right = unwrapParentheses(condition.right);
  const left = unwrapParentheses(condition.left);
  if (operator === ts.SyntaxKind.GreaterThanEqualsToken && isNamed(left, indexName) && ts.isNumericLiteral(right) && right.text === '0') {
    return true;
  }
  return operator === ts.SyntaxKind.LessThanEqualsToken && isNamed(right, indexName) && ts.isNumericLiteral(left) && left.text === '0';
}

function isLengthOf(expression: ts.Expression, arrayKey: string): boolean {
  const node = unwrapParentheses(expression);
  return ts.isPropertyAccessExpression(node) && node.name.text === 'length' && getStableReferenceKey(node.expression) === arrayKey;
}

function isLengthMinusOne(expression: ts.Expression, arrayKey: string): boolean {
  const node = unwrapParentheses(expression);
  return (
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind === ts.SyntaxKind.MinusToken &&
    isLengthOf(node.left, arrayKey) &&
    ts.isNumericLiteral(node.right) &&
    node.right.text === '1'
  );
}

function isNamed(expression: ts.Expression, name: string): boolean {
  const node = unwrapParentheses(expression);
  return ts.isIdentifier(node) && node.text === name;
}

// --- m.get(k)! after m.has(k) ---------------------------------------------------------------------

function isGuardedMapGet(call: ts.CallExpression, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const callee = unwrapParentheses(call.expression);
  const key = call.arguments[0];
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'get' || call.arguments.length !== 1 || key === undefined) {
    return false;
  }
  const mapKey = getStableReferenceKey(callee.expression);
  const keyKey = getLookupKey(key);
  if (mapKey === undefined || keyKey === undefined || !isDeclaredInStandardLibrary(callee.name, program, MAP_INTERFACES)) {
    return false;
  }
  if (hasNullableMapValues(callee.expression, checker)) {
    // `has` says the key is there, not that its value is defined.
    return false;
  }
  // A key that is a call, `m.get(event.getType())`, is the same key only if nothing is called or
  // written between the check and the read, as for a call the presence guard checked; `m.set(…)`
  // is a call, so only a check can guard it.
  const isCallKey = getStableReferenceKey(key) === undefined;
  const guard = findGuard(
    call,
    (condition, polarity) => isMapHasCall(condition, mapKey, keyKey, polarity),
    (statement) => !isCallKey && ensuresMapEntry(statement, mapKey, keyKey),
  );
  if (guard === undefined) {
    return false;
  }
  return !hasInterference(guard, call, (node) => removesMapEntry(node, mapKey, keyKey) || (isCallKey && interruptsRepeatedCall(node)));
}

// --- a.pop()! inside `while (a.length > 0)` or `while (a[0])` ----------------------------------------

type Removal = 'pop' | 'shift';

function isLengthCheckedRemoval(call: ts.CallExpression, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'pop' && callee.name.text !== 'shift') || call.arguments.length > 0) {
    return false;
  }
  const removal: Removal = callee.name.text;
  const arrayKey = getStableReferenceKey(callee.expression);
  if (arrayKey === undefined || !isDeclaredInStandardLibrary(callee.name, program, ARRAY_INTERFACES)) {
    return false;
  }
  const interferes = (node: ts.Node): boolean => {
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      return true;
    }
    if (isMethodCallOn(node, arrayKey, ['pop', 'shift', 'splice'])) {
      return true;
    }
    return getWrittenReferenceKeys(node).some((written) => writeAffectsReference(written, arrayKey) || written === `${arrayKey}.length`);
  };
  if (!hasNullableElements(callee.expression, checker)) {
    const guard = findGuard(call, (condition, polarity) => polarity && isNonEmptyCheck(condition, arrayKey), () => false);
    if (guard !== undefined && !hasInterference(guard, call, interferes)) {
      return true;
    }
  }
  return isCheckedElementRemoval(call, arrayKey, removal, checker, interferes);
}

/**
 * `while (a[0] && …) a.shift()!`, `const first = a[0]; if (!first) break; a.shift()!`, and
 * `a[a.length - 1]` before `a.pop()!`: the element the call removes was just found present, so the
 * call returns it, whatever the element type allows elsewhere in the array. A `const` copy of the
 * element counts when nothing removes anything between the copy and the call.
 */
function isCheckedElementRemoval(
  call: ts.CallExpression,
  arrayKey: string,
  removal: Removal,
  checker: ts.TypeChecker,
  interferes: (node: ts.Node) => boolean,
): boolean {
  const copies: ts.VariableDeclaration[] = [];
  const isCondition = (condition: ts.Expression, polarity: boolean): boolean => {
    const tested = getTestedAsPresent(condition, polarity, checker);
    if (tested === undefined) {
      return false;
    }
    if (isRemovedElement(tested, arrayKey, removal)) {
      return true;
    }
    const copy = getElementCopy(tested, arrayKey, removal, checker);
    if (copy !== undefined) {
      copies.push(copy);
    }
    return copy !== undefined;
  };
  const guard = findGuard(call, isCondition, () => false);
  if (guard === undefined || hasInterference(guard, call, interferes)) {
    return false;
  }
  // Every copy a condition on the way matched must still be the element when the call runs.
  return copies.every((copy) => getContainer(copy) === guard.container && !hasInterference({ end: copy.end, container: guard.container }, call, interferes));
}

/** `a[0]` for `shift`, `a[a.length - 1]` for `pop`. */
function isRemovedElement(expression: ts.Expression, arrayKey: string, removal: Removal): boolean {
  const node = unwrapParentheses(expression);
  if (!ts.isElementAccessExpression(node) || node.questionDotToken !== undefined || getStableReferenceKey(node.expression) !== arrayKey) {
    return false;
  }
  const index = unwrapParentheses(node.argumentExpression);
  return removal === 'shift' ? ts.isNumericLiteral(index) && index.text === '0' : isLengthMinusOne(index, arrayKey);
}

/** The `const first = a[0]` declaration that `expression` (`first`) reads. */
function getElementCopy(expression: ts.Expression, arrayKey: string, removal: Removal, checker: ts.TypeChecker): ts.VariableDeclaration | undefined {
  const node = unwrapParentheses(expression);
  const declaration = ts.isIdentifier(node) ? checker.getSymbolAtLocation(node)?.valueDeclaration : undefined;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.initializer === undefined || !ts.isVariableDeclarationList(declaration.parent)) {
    return undefined;
  }
  const scoping: ts.NodeFlags = declaration.parent.flags & ts.NodeFlags.BlockScoped;
  return scoping === ts.NodeFlags.Const && isRemovedElement(declaration.initializer, arrayKey, removal) ? declaration : undefined;
}

/** `a.length > 0`, `a.length !== 0`, `a.length >= 1`, `0 < a.length` or a bare `a.length`. */
function isNonEmptyCheck(condition: ts.Expression, arrayKey: string): boolean {
  const node = unwrapParentheses(condition);
  if (isLengthOf(node, arrayKey)) {
    return true;
  }
  if (!ts.isBinaryExpression(node)) {
    return false;
  }
  const left = unwrapParentheses(node.left);
  const right = unwrapParentheses(node.right);
  const isLiteral = (expression: ts.Expression, text: string): boolean => ts.isNumericLiteral(expression) && expression.text === text;
  switch (node.operatorToken.kind) {
    case ts.SyntaxKind.GreaterThanToken:
    case ts.SyntaxKind.ExclamationEqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsToken:
      return (isLengthOf(left, arrayKey) && isLiteral(right, '0')) || (node.operatorToken.kind !== ts.SyntaxKind.GreaterThanToken && isLengthOf(right, arrayKey) && isLiteral(left, '0'));
    case ts.SyntaxKind.GreaterThanEqualsToken:
      return isLengthOf(left, arrayKey) && isLiteral(right, '1');
    case ts.SyntaxKind.LessThanToken:
      return isLiteral(left, '0') && isLengthOf(right, arrayKey);
    default:
      return false;
  }
}

// --- if (!x) x = []; x! ----------------------------------------------------------------------------

function isEstablishedBeforeUse(reference: ts.Expression, checker: ts.TypeChecker): boolean {
  const referenceKey = getStableReferenceKey(reference);
  if (referenceKey === undefined) {
    return false;
  }
  const guard = findGuard(
    reference,
    () => false,
    (statement) =>
      ts.isIfStatement(statement) &&
      statement.elseStatement === undefined &&
      isMissingTest(statement.expression, referenceKey) &&
      establishesReference(statement.thenStatement, referenceKey, checker),
  );
  if (guard === undefined) {
    return false;
  }
  const keyParts = getReferenceParts(reference);
  return !hasInterference(guard, reference, (node) => {
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      return true;
    }
    return getWrittenReferenceKeys(node).some((written) => keyParts.some((part) => writeAffectsReference(written, part)));
  });
}

/** `!x`, `x == null`, `x === undefined`, `x === null` (either side). */
function isMissingTest(condition: ts.Expression, referenceKey: string): boolean {
  const node = unwrapParentheses(condition);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    return getStableReferenceKey(node.operand) === referenceKey;
  }
  if (!ts.isBinaryExpression(node)) {
    return false;
  }
  const operator = node.operatorToken.kind;
  if (operator !== ts.SyntaxKind.EqualsEqualsToken && operator !== ts.SyntaxKind.EqualsEqualsEqualsToken) {
    return false;
  }
  const isMissingLiteral = (expression: ts.Expression): boolean => {
    const inner = unwrapParentheses(expression);
    return inner.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(inner) && inner.text === 'undefined');
  };
  return (
    (getStableReferenceKey(node.left) === referenceKey && isMissingLiteral(node.right)) ||
    (getStableReferenceKey(node.right) === referenceKey && isMissingLiteral(node.left))
  );
}

/** A statement of the block (or the statement itself) stores a value that cannot be missing at `referenceKey`. */
function establishesReference(statement: ts.Statement, referenceKey: string, checker: ts.TypeChecker): boolean {
  if (ts.isBlock(statement)) {
    return statement.statements.some((inner) => establishesReference(inner, referenceKey, checker));
  }
  if (!ts.isExpressionStatement(statement)) {
    return false;
  }
  const expression = unwrapParentheses(statement.expression);
  const isPresent = (value: ts.Expression): boolean => {
    const nullish = getNullishParts(checker.getTypeAtLocation(value));
    return !nullish.undefined && !nullish.null && (checker.getTypeAtLocation(value).flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) === 0;
  };
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return getStableReferenceKey(expression.left) === referenceKey && isPresent(expression.right);
  }
  // `Object.defineProperty(o, k, { value: [] })`, the idiom for a non-enumerable property.
  if (ts.isCallExpression(expression) && expression.arguments.length === 3 && getStableReferenceKey(expression.expression) === 'Object.defineProperty') {
    const [object, key, descriptor] = expression.arguments;
    if (object === undefined || key === undefined || descriptor === undefined || !ts.isObjectLiteralExpression(descriptor)) {
      return false;
    }
    const objectKey = getStableReferenceKey(object);
    const propertyKey = getStableReferenceKey(key);
    const value = descriptor.properties.find(
      (property): property is ts.PropertyAssignment => ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === 'value',
    );
    return objectKey !== undefined && propertyKey !== undefined && `${objectKey}[${propertyKey}]` === referenceKey && value !== undefined && isPresent(value.initializer);
  }
  return false;
}
