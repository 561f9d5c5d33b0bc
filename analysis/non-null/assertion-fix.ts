import { unionConstituents } from 'ts-api-utils';
import path from 'node:path';
import ts from 'typescript';

import type { TextEdit } from '../core/text-edit.js';
import { getCallbackUse, getEnclosingFunction, getFunctionName } from '../core/functions.js';
import { hasSideEffects } from '../core/side-effects.js';
import { detectStatementStyle, indentOf, inStatementStyle, newlineOf, quoteString, shorten } from '../core/source-text.js';
import { getNullishParts, isAnyOrUnknown } from '../core/types.js';
import { isAssignmentTarget } from '../core/side-effects.js';
import { type CheckPlacementResult, findCheckPlacement } from './check-placement.js';
import { getStableReferenceKey, getWrittenReferenceKeys, writeAffectsReference } from '../core/stable-reference.js';
import { skipTransparentUp, unwrapParentheses } from '../core/transparent-syntax.js';

/**
 * How to replace `x!` with an explicit check, as text edits, or why it cannot be done safely.
 *
 * Shared by the `no-non-null-assertion-in-hot-path` suggestions and the `to-error-returns` codemod,
 * so what the rule offers and what the codemod writes never disagree. The caller chooses what
 * happens when the value is missing (an {@link ErrorPath}); this module decides where the check
 * goes and what it compares against:
 * - `const w = find()!;` keeps its declaration and gets the check after it;
 * - a plain variable `x!` is checked before the statement that uses it;
 * - anything else is hoisted into a `const` before that statement, and the `!` replaced by it;
 * - the comparison follows the declared type (`=== undefined`, `=== null`, `== null`), never
 *   truthiness, which would misfire on `0`, `""` and `false`;
 * - evaluation must not move past anything it depends on: an assertion that runs only sometimes
 *   (a `?:` branch, the right of `&&`/`||`/`??`, after a `?.`, a loop condition) or after code
 *   with side effects is refused with a reason instead.
 */

/** What runs when the value is missing; `message` is already a string literal, quotes included. */
export interface ErrorPath {
  kind: 'throw' | 'return';
  statement(message: string): string;
}

/** `throw new Error("…");`, or another error class that takes a message. */
export function throwErrorPath(errorConstructor = 'Error'): ErrorPath {
  return { kind: 'throw', statement: (message) => `throw new ${errorConstructor}(${message});` };
}

export type ComparisonOperator = '=== undefined' | '=== null' | '== null';

export type NonNullAssertionFix =
  | {
      kind: 'fix';
      edits: TextEdit[];
      /** The message the error path receives, unquoted. */
      message: string;
      comparison: ComparisonOperator;
      /** The name of the `const` the value was hoisted into, if one was added. */
      hoistedName: string | undefined;
      /** Every `const` the fix adds: the hoisted one, and in a chain those of the links before it. */
      hoistedNames: readonly string[];
      /** The statements that go before the use (hoist and check), and the name the use reads instead. */
      checkLines: readonly string[];
      valueName: string;
      /** The asserted expression as the message names it: in a chain, without the links' `!`. */
      readsAs: string;
    }
  | {
      kind: 'refusal';
      reason: string;
      /** The code that runs before the assertion and stopped its check from moving ahead of it. */
      blockedBy?: ts.Node;
    };

export interface NonNullAssertionFixOptions {
  /** How the source file is named in error messages; its base name by default. */
  fileLabel?: string;
  /**
   * Names that other edits of the same run give to new bindings around the assertion: a fix on its
   * own sees only the program as it is, so a codemod that fixes several `!` says what it added.
   */
  takenNames?: ReadonlySet<string>;
  /**
   * The checks of the links before this one in a chain (`record!.value!` for `record!.value!.blob!`):
   * they go first, and the link before reads as the name its check gave it.
   */
  chain?: { lines: readonly string[]; inner: ts.NonNullExpression; innerName: string; innerReadsAs: string } | undefined;
  /** The names the chain's earlier checks hoisted, reported with this fix's own. */
  chainNames?: readonly string[] | undefined;
}

/** The comparison that is true exactly when a value of this type is missing, or `undefined` when it cannot be. */
export function getMissingValueComparison(type: ts.Type): ComparisonOperator | undefined {
  const nullish = getNullishParts(type);
  if (nullish.undefined && nullish.null) {
    return '== null';
  }
  if (nullish.null) {
    return '=== null';
  }
  return nullish.undefined ? '=== undefined' : undefined;
}

/**
 * The edits that drop the `!` of an assertion on a type that is not nullable, and with it the
 * parentheses that were there only for the `!`: `g((await f())!)` becomes `g(await f())`, while
 * `(await f())!.x` keeps them.
 */
export function getNonNullAssertionRemoval(assertion: ts.NonNullExpression): TextEdit[] {
  const bang = { start: assertion.end - 1, end: assertion.end, text: '' };
  const inner = assertion.expression;
  if (!hasRedundantParentheses(assertion)) {
    return [bang];
  }
  const open = inner.getStart();
  return [
    { start: open, end: open + 1, text: '' },
    { start: inner.end - 1, end: assertion.end, text: '' },
  ];
}

function hasRedundantParentheses(assertion: ts.NonNullExpression): boolean {
  return ts.isParenthesizedExpression(assertion.expression) && standsAlone(assertion, assertion.expression.expression);
}

/**
 * Does `expression` read the same without parentheses where `assertion` is: a whole statement,
 * argument, initializer, array element, returned or interpolated value? Not if it holds a comma
 * (one argument would become two), starts a statement the way a declaration or block does, or
 * starts on a later line than its `(`, where `return` would end at the line break.
 */
function standsAlone(assertion: ts.NonNullExpression, expression: ts.Expression): boolean {
  const sourceFile = assertion.getSourceFile();
  if ((ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.CommaToken) || ts.isCommaListExpression(expression)) {
    return false;
  }
  const open = assertion.expression.getStart(sourceFile);
  if (sourceFile.getLineAndCharacterOfPosition(open).line !== sourceFile.getLineAndCharacterOfPosition(expression.getStart(sourceFile)).line) {
    return false;
  }
  const parent = assertion.parent;
  if (ts.isExpressionStatement(parent) || (ts.isArrowFunction(parent) && parent.body === assertion)) {
    // `(function () {})()` or `({}).x` would become a declaration or a block; `(let[0])`, a `let`.
    return !/^(?:\{|function\b|class\b|let\b|async\s+function\b)/.test(expression.getText(sourceFile));
  }
  return (
    ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(assertion) === true) ||
    ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.initializer === assertion) ||
    ts.isArrayLiteralExpression(parent) ||
    ts.isTemplateSpan(parent) ||
    ts.isParenthesizedExpression(parent) ||
    ((ts.isReturnStatement(parent) || ts.isThrowStatement(parent)) && parent.expression === assertion)
  );
}

export function getNonNullAssertionFix(
  assertion: ts.NonNullExpression,
  program: ts.Program,
  errorPath: ErrorPath,
  options: NonNullAssertionFixOptions = {},
): NonNullAssertionFix {
  const checker = program.getTypeChecker();
  const sourceFile = assertion.getSourceFile();
  const expression = unwrapParentheses(assertion.expression);
  const comparison = getMissingValueComparison(checker.getTypeAtLocation(assertion.expression));
  if (comparison === undefined) {
    return { kind: 'refusal', reason: `\`${shorten(expression.getText(sourceFile))}\` is not nullable; remove the \`!\` instead` };
  }
  if (isAssignmentTarget(assertion)) {
    return { kind: 'refusal', reason: 'the assertion is the target of an assignment, where it asserts nothing a check could test' };
  }
  const placement = findPlacement(assertion);
  if (placement.kind === 'refusal') {
    return placement;
  }
  const chain = options.chain;
  // In a chain the message names the value without the `!` of the links checked before it.
  const readsAs = chain === undefined ? expression.getText(sourceFile) : chain.innerReadsAs + sourceFile.text.slice(chain.inner.end, expression.end);
  const describedMessage = describeMissingValue(assertion, comparison, options);
  const message = chain === undefined ? describedMessage : describedMessage.replace(shorten(expression.getText(sourceFile)), shorten(readsAs));
  const style = detectStatementStyle(sourceFile);
  const errorStatement = inStatementStyle(errorPath.statement(quoteString(message, style)), style);
  const newline = newlineOf(sourceFile.text);
  const isVariable = ts.isIdentifier(expression);

  if (placement.kind !== 'declaration') {
    // The check of a declaration goes after it, so only the other placements can overtake code.
    const orderProblem = findOrderProblem(assertion, placement.earlier);
    if (orderProblem !== undefined) {
      return { kind: 'refusal', reason: orderProblem.reason, blockedBy: orderProblem.node };
    }
  }

  if (placement.kind === 'declaration') {
    // `const w = find()!;` → `const w = find();` + a check of `w` right after it.
    const indent = indentOf(sourceFile, placement.statement);
    const name = placement.name;
    const chainEdits =
      chain === undefined
        ? []
        : [
            { start: placement.statement.getStart(sourceFile), end: placement.statement.getStart(sourceFile), text: chain.lines.map((line) => `${line}${newline}${indent}`).join('') },
            { start: chain.inner.getStart(sourceFile), end: chain.inner.end, text: chain.innerName },
          ];
    const check = `if (${name} ${comparison}) ${errorStatement}`;
    return {
      kind: 'fix',
      edits: [
        ...chainEdits,
        ...getNonNullAssertionRemoval(assertion),
        { start: placement.statement.end, end: placement.statement.end, text: `${newline}${indent}${check}` },
      ],
      message,
      comparison,
      hoistedName: undefined,
      hoistedNames: options.chain === undefined ? [] : (options.chainNames ?? []),
      checkLines: [...(chain?.lines ?? []), check],
      valueName: name,
      readsAs,
    };
  }

  const expressionText =
    chain === undefined
      ? expression.getText(sourceFile)
      : sourceFile.text.slice(expression.getStart(sourceFile), chain.inner.getStart(sourceFile)) + chain.innerName + sourceFile.text.slice(chain.inner.end, expression.end);
  // `crypto.exportSecrets!()`: a method read into a `const` would be called without its `this`, so
  // the check reads it where it is, on a receiver that cannot change in between.
  const calledMethod = isCalledMember(assertion);
  if (calledMethod && !isStableReceiver(expression, chain)) {
    return { kind: 'refusal', reason: `\`${shorten(expression.getText(sourceFile))}\` is a method called right away on a receiver that is not a plain reference; checking it apart from the call would call it without its \`this\`` };
  }
  const readInPlace = isVariable || calledMethod;
  const valueName = isVariable ? expression.text : calledMethod ? expressionText : chooseHoistedName(expression, program, options.takenNames);
  const check = `if (${valueName} ${comparison}) ${errorStatement}`;
  const prefix = [...(chain?.lines ?? []), ...(readInPlace ? [check] : [inStatementStyle(`const ${valueName} = ${expressionText};`, style), check])];
  const replaceAssertion = { start: assertion.getStart(sourceFile), end: assertion.end, text: valueName };
  const hoistedName = readInPlace ? undefined : valueName;

  if (placement.kind === 'statement' && placement.inStatementList) {
    const indent = indentOf(sourceFile, placement.statement);
    return {
      kind: 'fix',
      edits: [
        { start: placement.statement.getStart(sourceFile), end: placement.statement.getStart(sourceFile), text: prefix.map((line) => `${line}${newline}${indent}`).join('') },
        replaceAssertion,
      ],
      message,
      comparison,
      hoistedName,
      hoistedNames: [...(options.chainNames ?? []), ...(hoistedName === undefined ? [] : [hoistedName])],
      checkLines: prefix,
      valueName,
      readsAs,
    };
  }

  // A statement that is not in a list (`if (c) use(x!);`) or a concise arrow body (`(x) => m.get(x)!`):
  // the replacement becomes a block holding the check.
  const region = placement.kind === 'statement' ? placement.statement : placement.body;
  const indent = indentOf(sourceFile, region);
  const innerIndent = `${indent}${style.indentUnit}`;
  const regionStart = region.getStart(sourceFile);
  const regionText =
    sourceFile.text.slice(regionStart, replaceAssertion.start) + valueName + sourceFile.text.slice(replaceAssertion.end, region.end);
  const finalStatement = placement.kind === 'statement' ? regionText : inStatementStyle(`return ${regionText};`, style);
  const lines = [...prefix, finalStatement].map((line) => `${innerIndent}${line}`);
  return {
    kind: 'fix',
    edits: [{ start: regionStart, end: region.end, text: `{${newline}${lines.join(newline)}${newline}${indent}}` }],
    message,
    comparison,
    hoistedName,
    hoistedNames: [...(options.chainNames ?? []), ...(hoistedName === undefined ? [] : [hoistedName])],
    checkLines: prefix,
    valueName,
    readsAs,
  };
}

/**
 * One fix for the links of a chain (`record!.value!.blob!`, given inner first): each value is
 * hoisted and checked in turn, each hoist reading the one checked before it
 * (`const value = record.value;`), and the use reads the last one. Each check is the one the link
 * would get alone.
 */
export function getChainFix(links: readonly ts.NonNullExpression[], program: ts.Program, errorPath: ErrorPath, options: NonNullAssertionFixOptions = {}): NonNullAssertionFix {
  const taken = new Set(options.takenNames);
  let chain: NonNullAssertionFixOptions['chain'];
  let fix: NonNullAssertionFix = { kind: 'refusal', reason: 'an empty chain' };
  for (const link of links) {
    fix = getNonNullAssertionFix(link, program, errorPath, { ...options, takenNames: taken, chain, chainNames: chain === undefined ? undefined : fix.kind === 'fix' ? fix.hoistedNames : undefined });
    if (fix.kind === 'refusal') {
      // A link whose check cannot go where the others do: fix the first one, and the next report the rest.
      return chain === undefined ? fix : getNonNullAssertionFix(links[0] ?? link, program, errorPath, options);
    }
    taken.add(fix.valueName);
    chain = { lines: fix.checkLines, inner: link, innerName: fix.valueName, innerReadsAs: fix.readsAs };
  }
  return fix;
}

/** `o.m!()` or `o[k]!()`: the asserted member is the callee of a call, which passes `o` as `this`. */
function isCalledMember(assertion: ts.NonNullExpression): boolean {
  const expression = unwrapParentheses(assertion.expression);
  if (!ts.isPropertyAccessExpression(expression) && !ts.isElementAccessExpression(expression)) {
    return false;
  }
  let callee: ts.Node = assertion;
  while (ts.isParenthesizedExpression(callee.parent)) {
    callee = callee.parent;
  }
  return ts.isCallExpression(callee.parent) && callee.parent.expression === callee;
}

/** A receiver a check and the call can both read: a stable reference, or the value a chain's earlier check named. */
function isStableReceiver(member: ts.Expression, chain: NonNullAssertionFixOptions['chain']): boolean {
  if (!ts.isPropertyAccessExpression(member) && !ts.isElementAccessExpression(member)) {
    return false;
  }
  const receiver = unwrapParentheses(member.expression);
  if (chain !== undefined && receiver === chain.inner) {
    return true;
  }
  const argument = ts.isElementAccessExpression(member) ? member.argumentExpression : undefined;
  return getStableReferenceKey(receiver) !== undefined && (argument === undefined || ts.isLiteralExpression(argument) || getStableReferenceKey(argument) !== undefined);
}

// --- where the check goes ---------------------------------------------------------------------------

type Placement = CheckPlacementResult;

function findPlacement(assertion: ts.NonNullExpression): Placement {
  if (ts.isNonNullChain(assertion) && continuesChain(assertion)) {
    return { kind: 'refusal', reason: `\`${shorten(getChainText(assertion))}\` asserts one segment of an optional chain; rewrite the chain by hand` };
  }
  return findCheckPlacement(assertion, 'assertion');
}

/** `a?.b!.c`: the chain goes on after the asserted segment, so the `!` does not cover the whole chain. */
function continuesChain(assertion: ts.NonNullExpression): boolean {
  const parent = assertion.parent;
  return (
    (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent) || ts.isCallExpression(parent) || ts.isNonNullExpression(parent)) &&
    parent.expression === assertion &&
    (parent.flags & ts.NodeFlags.OptionalChain) !== 0
  );
}

function getChainText(assertion: ts.NonNullExpression): string {
  let top: ts.Node = assertion;
  while ((top.parent.flags & ts.NodeFlags.OptionalChain) !== 0 && 'expression' in top.parent && top.parent.expression === top) {
    top = top.parent;
  }
  return top.getText();
}

/**
 * Would checking the value before the statement run it out of order? The nodes evaluated before the
 * assertion in its statement must not have side effects (they would now run after the value), and
 * must not read anything the asserted expression writes.
 */
function findOrderProblem(assertion: ts.NonNullExpression, earlier: readonly ts.Node[]): { reason: string; node: ts.Node } | undefined {
  const sourceFile = assertion.getSourceFile();
  const written = collectWrittenKeys(assertion.expression);
  for (const node of earlier) {
    if (hasSideEffects(node)) {
      return { reason: `\`${shorten(node.getText(sourceFile))}\` runs before the assertion and has side effects; moving the check before it would change the order`, node };
    }
    if (written.length > 0 && readsAnyOf(node, written)) {
      return { reason: `\`${shorten(node.getText(sourceFile))}\` reads what the asserted expression writes; hoisting would change its value`, node };
    }
  }
  return undefined;
}

function collectWrittenKeys(node: ts.Node): string[] {
  const keys: string[] = [];
  const visit = (current: ts.Node): void => {
    keys.push(...getWrittenReferenceKeys(current));
    ts.forEachChild(current, visit);
  };
  visit(node);
  return keys;
}

function readsAnyOf(node: ts.Node, keys: readonly string[]): boolean {
  let found = false;
  const visit = (current: ts.Node): void => {
    if (found) {
      return;
    }
    if (ts.isExpression(current)) {
      const key = getStableReferenceKey(current);
      if (key !== undefined && keys.some((written) => writeAffectsReference(written, key) || writeAffectsReference(key, written))) {
        found = true;
        return;
      }
    }
    ts.forEachChild(current, visit);
  };
  visit(node);
  return found;
}

// --- the hoisted name -------------------------------------------------------------------------------

/**
 * A name for a value hoisted into a `const` right before the statement that uses `expression`:
 * first the name of what it reads (`req.url` → `url`, `warehouses.find(…)` → `warehouse`,
 * `ordersById.get(id)` → `order`), then that name qualified by the receiver (`reqUrl`,
 * `productWarehouse` for `product.warehouses.find(…)`) or by the property a `find` callback tests
 * (`primaryWarehouse` for `warehouses.find((w) => w.isPrimary)`), and only then a numbered one.
 *
 * A name is free when no binding visible at `expression` and no identifier anywhere in its
 * enclosing function (the file, at module level) uses it: the new `const` then neither redeclares
 * nor shadows a name, nor is shadowed by a parameter or variable of a nested callback. `taken`
 * holds names chosen for other edits of the same run, which the program does not know yet.
 */
export function chooseHoistedName(expression: ts.Expression, program: ts.Program, taken: ReadonlySet<string> = new Set()): string {
  const used = collectUsedNames(expression, program);
  const isFree = (name: string): boolean => !used.has(name) && !taken.has(name);
  const base = sanitizeName(suggestName(expression));
  const qualified = suggestQualifiers(expression).map((qualifier) => sanitizeName(`${qualifier}${upperFirst(base)}`));
  const free = [base, ...qualified].find(isFree);
  if (free !== undefined) {
    return free;
  }
  for (let suffix = 2; ; suffix++) {
    const candidate = `${base}${String(suffix)}`;
    if (isFree(candidate)) {
      return candidate;
    }
  }
}

/** The names a new `const` at `location` could clash with: the bindings visible there, and every name its function uses. */
function collectUsedNames(location: ts.Node, program: ts.Program): Set<string> {
  const used = new Set<string>();
  // Globals of the standard library and of installed packages only matter where the code names
  // them, which the walk below sees; the project's own bindings matter wherever they are visible.
  for (const symbol of program.getTypeChecker().getSymbolsInScope(location, ts.SymbolFlags.Value | ts.SymbolFlags.Alias)) {
    const declarationFile = symbol.declarations?.[0]?.getSourceFile();
    if (declarationFile !== undefined && !program.isSourceFileDefaultLibrary(declarationFile) && !program.isSourceFileFromExternalLibrary(declarationFile)) {
      used.add(symbol.name);
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && !isPropertyName(node)) {
      used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(getEnclosingFunction(location) ?? location.getSourceFile());
  return used;
}

/** `getUser`, `loadOrder`, `parseConfig`: a function named for what it returns. */
const GETTER_NAME = /^(?:get|find|load|fetch|read|lookup|compute|parse)([A-Z]\w*)$/;

function suggestName(expression: ts.Expression): string {
  const node = unwrapParentheses(expression);
  if (ts.isAwaitExpression(node)) {
    return suggestName(node.expression);
  }
  if (ts.isNonNullExpression(node)) {
    return suggestName(node.expression);
  }
  if (ts.isPropertyAccessExpression(node)) {
    return node.name.text.replace(/^#/, '');
  }
  if (ts.isElementAccessExpression(node)) {
    return singular(nameOf(node.expression));
  }
  if (ts.isCallExpression(node)) {
    const callee = unwrapParentheses(node.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      if (COLLECTION_LOOKUPS.includes(method)) {
        return singular(nameOf(callee.expression).replace(/(?:By[A-Z]\w*|Map|Cache|Index)$/, ''));
      }
      const getter = GETTER_NAME.exec(method);
      if (getter?.[1] !== undefined) {
        return lowerFirst(getter[1]);
      }
      return `${method}Result`;
    }
    if (ts.isIdentifier(callee)) {
      const getter = GETTER_NAME.exec(callee.text);
      return getter?.[1] === undefined ? `${callee.text}Result` : lowerFirst(getter[1]);
    }
  }
  return 'value';
}

/** `url` in `req.url` or `{ url: 1 }` names a property, not a binding a new `const url` could clash with. */
function isPropertyName(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  return (
    (ts.isPropertyAccessExpression(parent) && parent.name === identifier) ||
    (ts.isQualifiedName(parent) && parent.right === identifier) ||
    ((ts.isPropertyAssignment(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent)) &&
      parent.name === identifier)
  );
}

const COLLECTION_LOOKUPS = ['find', 'findLast', 'at', 'pop', 'shift', 'get'];

/**
 * What can qualify the name of the value `expression` reads, best first: the name of its receiver
 * (`req` for `req.url`, `product` for `product.warehouses.find(…)`, whose name comes from
 * `warehouses`), then the property a `find` callback tests (`primary` for `(w) => w.isPrimary`).
 */
function suggestQualifiers(expression: ts.Expression): string[] {
  const node = unwrapParentheses(expression);
  if (ts.isAwaitExpression(node) || ts.isNonNullExpression(node)) {
    return suggestQualifiers(node.expression);
  }
  if (ts.isPropertyAccessExpression(node)) {
    return receiverNameOf(node.expression);
  }
  if (ts.isElementAccessExpression(node)) {
    const collection = unwrapParentheses(node.expression);
    return ts.isPropertyAccessExpression(collection) ? receiverNameOf(collection.expression) : [];
  }
  if (ts.isCallExpression(node)) {
    const callee = unwrapParentheses(node.expression);
    if (!ts.isPropertyAccessExpression(callee)) {
      return [];
    }
    if (!COLLECTION_LOOKUPS.includes(callee.name.text)) {
      return receiverNameOf(callee.expression);
    }
    const collection = unwrapParentheses(callee.expression);
    const receiver = ts.isPropertyAccessExpression(collection) ? receiverNameOf(collection.expression) : [];
    return [...receiver, ...testedPropertyOf(node)];
  }
  return [];
}

/** `req` for `req`, `headers` for `req.headers`; nothing for `this` or anything that has no plain name. */
function receiverNameOf(expression: ts.Expression): string[] {
  const node = unwrapParentheses(expression);
  if (ts.isIdentifier(node)) {
    return [node.text];
  }
  return ts.isPropertyAccessExpression(node) ? [node.name.text.replace(/^#/, '')] : [];
}

/** `primary` for `find((w) => w.primary)`, `find((w) => w.isPrimary)` or `find((w) => w.isPrimary())`. */
function testedPropertyOf(call: ts.CallExpression): string[] {
  const callback = call.arguments[0];
  if (callback === undefined || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) {
    return [];
  }
  const [parameter, ...others] = callback.parameters;
  if (parameter === undefined || others.length > 0 || !ts.isIdentifier(parameter.name)) {
    return [];
  }
  const [onlyStatement, ...moreStatements] = ts.isBlock(callback.body) ? callback.body.statements : [];
  const returned = ts.isBlock(callback.body)
    ? onlyStatement !== undefined && moreStatements.length === 0 && ts.isReturnStatement(onlyStatement)
      ? onlyStatement.expression
      : undefined
    : callback.body;
  let test = returned === undefined ? undefined : unwrapParentheses(returned);
  if (test !== undefined && ts.isCallExpression(test) && test.arguments.length === 0) {
    test = unwrapParentheses(test.expression);
  }
  if (test === undefined || !ts.isPropertyAccessExpression(test) || !ts.isIdentifier(test.expression) || test.expression.text !== parameter.name.text) {
    return [];
  }
  const property = test.name.text.replace(/^#/, '');
  return [lowerFirst(property.replace(/^(?:is|has)(?=[A-Z])/, ''))];
}

function nameOf(expression: ts.Expression): string {
  const node = unwrapParentheses(expression);
  if (ts.isIdentifier(node)) {
    return node.text;
  }
  if (ts.isPropertyAccessExpression(node)) {
    return node.name.text.replace(/^#/, '');
  }
  return 'value';
}

function singular(name: string): string {
  if (/ies$/.test(name) && name.length > 3) {
    return `${name.slice(0, -3)}y`;
  }
  if (/[^s]s$/.test(name) && name.length > 1) {
    return name.slice(0, -1);
  }
  return name === '' || name === 'value' ? 'value' : `${name}Value`;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function sanitizeName(name: string): string {
  const identifier = /^[A-Za-z_$][\w$]*$/.test(name) ? name : 'value';
  const isKeyword = ts.identifierToKeywordKind(ts.factory.createIdentifier(identifier)) !== undefined;
  return isKeyword ? `${identifier}Value` : identifier;
}

// --- the message ------------------------------------------------------------------------------------

/** "`warehouses.find(…)` is undefined in primaryWarehouse (inventory.ts:12:7)": what, where, in which function. */
export function describeMissingValue(assertion: ts.NonNullExpression, comparison: ComparisonOperator, options: NonNullAssertionFixOptions = {}): string {
  const sourceFile = assertion.getSourceFile();
  const start = assertion.getStart(sourceFile);
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(start);
  const fileLabel = options.fileLabel ?? path.basename(sourceFile.fileName);
  const missing = comparison === '=== undefined' ? 'undefined' : comparison === '=== null' ? 'null' : 'missing';
  // The check reads the value without the parentheses the `!` needed, and so does the message.
  const expressionText = shorten(unwrapParentheses(assertion.expression).getText(sourceFile));
  return `${expressionText} is ${missing} in ${describeEnclosingFunction(assertion)} (${fileLabel}:${line + 1}:${character + 1})`;
}

/** `primaryWarehouse`, `OrderService.load`, or `the map callback in loadOrders`. */
export function describeEnclosingFunction(node: ts.Node): string {
  const fn = getEnclosingFunction(node);
  if (fn === undefined) {
    return 'module scope';
  }
  const name = getFunctionName(fn);
  if (name !== undefined) {
    return name;
  }
  const callback = getCallbackUse(fn);
  if (callback !== undefined && ts.isCallExpression(callback.call)) {
    const { call, calleeName } = callback;
    const outer = describeEnclosingFunction(fn);
    const where = outer === 'module scope' ? '' : ` in ${outer}`;
    const event = call.arguments[0];
    if (calleeName !== undefined && event !== undefined && ts.isStringLiteralLike(event) && callback.argumentIndex > 0) {
      if (['on', 'once', 'addListener', 'prependListener', 'addEventListener'].includes(calleeName)) {
        return `the '${event.text}' listener${where}`;
      }
      if (['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all'].includes(calleeName)) {
        return `the ${calleeName.toUpperCase()} ${event.text} handler${where}`;
      }
    }
    return calleeName === undefined ? `a callback${where}` : `the ${calleeName} callback${where}`;
  }
  const use = skipTransparentUp(fn);
  const assignment = use.parent;
  if (ts.isBinaryExpression(assignment) && assignment.right === use && ts.isPropertyAccessExpression(assignment.left)) {
    const outer = describeEnclosingFunction(fn);
    return `the ${assignment.left.name.text} handler${outer === 'module scope' ? '' : ` in ${outer}`}`;
  }
  const outer = describeEnclosingFunction(fn);
  return outer === 'module scope' ? 'an anonymous function' : `an anonymous function in ${outer}`;
}

// --- "return the error instead" ----------------------------------------------------------------------

/**
 * When the function around the assertion already returns errors as values, the path that returns
 * one: `return new Error("…");` for `T | Error` (or a subclass of `Error` in the union that takes a
 * message), `return err(new Error("…"));` for neverthrow's `Result<T, E>` when `err` is in scope.
 * `undefined` when the function does not return errors, or when no error value would type-check.
 */
export function getReturnedErrorPath(assertion: ts.NonNullExpression, program: ts.Program): ErrorPath | undefined {
  const checker = program.getTypeChecker();
  const fn = getEnclosingFunction(assertion);
  if (fn === undefined || ts.isConstructorDeclaration(fn) || ts.isSetAccessorDeclaration(fn) || fn.asteriskToken !== undefined) {
    return undefined;
  }
  const signature = checker.getSignatureFromDeclaration(fn);
  if (signature === undefined) {
    return undefined;
  }
  let returnType = checker.getReturnTypeOfSignature(signature);
  const isAsync = (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
  if (isAsync) {
    returnType = checker.getAwaitedType(returnType) ?? returnType;
  }
  const errorInstanceType = getGlobalErrorType(checker, assertion);
  if (errorInstanceType === undefined) {
    return undefined;
  }
  const constituents = unionConstituents(returnType);
  const errorParts = constituents.filter((part) => !isAnyOrUnknown(part) && checker.isTypeAssignableTo(part, errorInstanceType));
  if (errorParts.length > 0 && errorParts.length < constituents.length) {
    const construction = getErrorConstruction(errorParts, errorInstanceType, checker, assertion);
    return construction === undefined ? undefined : { kind: 'return', statement: (message) => `return ${construction(message)};` };
  }
  const resultError = getNeverthrowErrorType(constituents, checker);
  if (resultError !== undefined && isNeverthrowErr(checker.resolveName('err', assertion, ts.SymbolFlags.Value, false), checker)) {
    const construction = getErrorConstruction(unionConstituents(resultError), errorInstanceType, checker, assertion);
    return construction === undefined ? undefined : { kind: 'return', statement: (message) => `return err(${construction(message)});` };
  }
  return undefined;
}

function getGlobalErrorType(checker: ts.TypeChecker, location: ts.Node): ts.Type | undefined {
  const symbol = checker.resolveName('Error', location, ts.SymbolFlags.Type, false);
  return symbol === undefined ? undefined : checker.getDeclaredTypeOfSymbol(symbol);
}

/**
 * `new X(message)` for an error class of the union that is in scope and takes a message (the
 * function's own error type says more than `Error`), else `new Error(message)` when that fits.
 */
function getErrorConstruction(
  candidates: readonly ts.Type[],
  errorInstanceType: ts.Type,
  checker: ts.TypeChecker,
  location: ts.Node,
): ((message: string) => string) | undefined {
  for (const candidate of candidates) {
    const symbol = candidate.getSymbol();
    if (symbol === undefined || (symbol.flags & ts.SymbolFlags.Class) === 0 || symbol.name === 'Error') {
      continue;
    }
    const inScope = checker.resolveName(symbol.name, location, ts.SymbolFlags.Value, false);
    const resolved = inScope !== undefined && (inScope.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(inScope) : inScope;
    if (resolved !== symbol) {
      continue;
    }
    const constructors = checker.getTypeOfSymbol(symbol).getConstructSignatures();
    const takesMessage = constructors.some((constructor) => {
      const [first, ...rest] = constructor.getParameters();
      const requiredRest = rest.filter((parameter) => {
        const declaration = parameter.valueDeclaration;
        return declaration !== undefined && ts.isParameter(declaration) && declaration.questionToken === undefined && declaration.initializer === undefined && declaration.dotDotDotToken === undefined;
      });
      return first !== undefined && requiredRest.length === 0 && checker.isTypeAssignableTo(checker.getStringType(), checker.getTypeOfSymbol(first));
    });
    if (takesMessage && checker.isTypeAssignableTo(candidate, errorInstanceType)) {
      return (message) => `new ${symbol.name}(${message})`;
    }
  }
  if (candidates.some((candidate) => checker.isTypeAssignableTo(errorInstanceType, candidate))) {
    return (message) => `new Error(${message})`;
  }
  return undefined;
}

const NEVERTHROW_PATH = /[\\/]node_modules[\\/]neverthrow[\\/]/;

/** The `E` of neverthrow's `Result<T, E>` (a union of `Ok` and `Err`). */
function getNeverthrowErrorType(constituents: readonly ts.Type[], checker: ts.TypeChecker): ts.Type | undefined {
  const names = constituents.map((part) => part.getSymbol()?.name);
  if (constituents.length !== 2 || !names.includes('Ok') || !names.includes('Err')) {
    return undefined;
  }
  const errPart = constituents[names.indexOf('Err')];
  const declaration = errPart?.getSymbol()?.declarations?.[0];
  if (errPart === undefined || declaration === undefined || !NEVERTHROW_PATH.test(declaration.getSourceFile().fileName)) {
    return undefined;
  }
  return checker.getTypeArguments(errPart as ts.TypeReference)[1];
}

function isNeverthrowErr(symbol: ts.Symbol | undefined, checker: ts.TypeChecker): boolean {
  const resolved = symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(symbol) : symbol;
  const declaration = resolved?.declarations?.[0];
  return declaration !== undefined && NEVERTHROW_PATH.test(declaration.getSourceFile().fileName);
}
