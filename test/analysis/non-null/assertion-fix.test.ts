import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import type { TextEdit } from '../../../codemods/types.js';
import {
  getNonNullAssertionFix,
  getNonNullAssertionRemoval,
  getReturnedErrorPath,
  throwErrorPath,
  type ErrorPath,
  type NonNullAssertionFix,
  type NonNullAssertionFixOptions,
} from '../../../analysis/non-null/assertion-fix.js';
import { getAnnotatedAssertions, getFixtureSourceFile, loadAnalysisProgram } from '../fixture-program.js';

const program = loadAnalysisProgram();
const sourceFile = getFixtureSourceFile(program, 'non-null-assertion-fix.ts');
const assertions = getAnnotatedAssertions(sourceFile);

function assertionFor(name: string): ts.NonNullExpression {
  const matches = assertions.filter(({ expected }) => expected === `case: ${name}`);
  // The outermost assertion of the line is the one the case is about (`keys[i]!` may sit inside it).
  const entry = matches.sort((a, b) => b.assertion.getWidth() - a.assertion.getWidth())[0];
  if (entry === undefined) {
    throw new Error(`no assertion marked case: ${name}`);
  }
  return entry.assertion;
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

/** The top-level statement around the assertion, after the edits. */
function fixedStatement(name: string, errorPath: ErrorPath = throwErrorPath(), options: NonNullAssertionFixOptions = {}): string {
  const assertion = assertionFor(name);
  const fix = getNonNullAssertionFix(assertion, program, errorPath, options);
  if (fix.kind !== 'fix') {
    throw new Error(`refused: ${fix.reason}`);
  }
  return editedStatement(assertion, fix.edits);
}

function topLevelStatementOf(node: ts.Node): ts.Node {
  let statement = node;
  while (!ts.isSourceFile(statement.parent)) {
    statement = statement.parent;
  }
  return statement;
}

function editedStatement(node: ts.Node, edits: readonly TextEdit[]): string {
  const statement = topLevelStatementOf(node);
  const start = statement.getStart(sourceFile);
  const fixed = applyEdits(sourceFile.text.slice(start, statement.end), edits.map((edit) => ({ ...edit, start: edit.start - start, end: edit.end - start })));
  return fixed.replace(/ \/\/ case: [a-z-]+/g, '');
}

/** The assertion's line after removing its `!`. */
function removedLine(name: string): string {
  const assertion = assertionFor(name);
  const lineOf = (node: ts.Node): number => sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
  const lines = editedStatement(assertion, getNonNullAssertionRemoval(assertion)).split('\n');
  return (lines[lineOf(assertion) - lineOf(topLevelStatementOf(assertion))] ?? '').trim();
}

function refusal(name: string): string {
  const fix: NonNullAssertionFix = getNonNullAssertionFix(assertionFor(name), program, throwErrorPath());
  return fix.kind === 'refusal' ? fix.reason : 'fixed';
}

describe('getNonNullAssertionFix', () => {
  it('keeps a plain const declaration and checks it right after', () => {
    expect(fixedStatement('declaration')).toBe(`export function declaration(): string {
  const warehouse = warehouses.find((w) => w.primary);
  if (warehouse === undefined) throw new Error('warehouses.find((w) => w.primary) is undefined in declaration (non-null-assertion-fix.ts:11:21)');
  return warehouse.id;
}`);
  });

  it('hoists when the declaration has a type annotation, comparing with === null for a T | null', () => {
    expect(fixedStatement('typed-declaration')).toBe(`export function typedDeclaration(): { id: string } {
  const parent2 = findParent('root');
  if (parent2 === null) throw new Error("findParent('root') is null in typedDeclaration (non-null-assertion-fix.ts:16:34)");
  const parent: { id: string } = parent2;
  return parent;
}`);
  });

  it('adds a number to a name the surrounding code already uses', () => {
    expect(fixedStatement('collision')).toBe(`export function collision(key: string): number {
  const cacheValue = 1;
  const cacheValue2 = cache.get(key);
  if (cacheValue2 === undefined) throw new Error('cache.get(key) is undefined in collision (non-null-assertion-fix.ts:22:10)');
  return cacheValue2 + cacheValue;
}`);
  });

  it('compares with == null when the type holds both null and undefined', () => {
    expect(fixedStatement('either-null-or-undefined')).toContain('if (child == null) throw new Error(\'findChild(id) is missing in either');
  });

  it('checks a variable in place instead of copying it', () => {
    expect(fixedStatement('variable')).toBe(`export function variable(maybe: string | undefined): number {
  if (maybe === undefined) throw new Error('maybe is undefined in variable (non-null-assertion-fix.ts:30:10)');
  return maybe.length;
}`);
  });

  it('wraps a statement that is not in a statement list, such as an else-if', () => {
    expect(fixedStatement('else-if')).toBe(`export function elseIf(id: string, flag: boolean): string {
  if (flag) return 'flag';
  else {
    const parent = findParent(id);
    if (parent === null) throw new Error('findParent(id) is null in elseIf (non-null-assertion-fix.ts:35:12)');
    if (parent.id === 'root') return 'root';
  }
  return 'other';
}`);
  });

  it('turns a concise arrow body into a block', () => {
    expect(fixedStatement('concise-arrow')).toBe(`export function conciseArrow(keys: string[]): number[] {
  return keys.map((key) => {
    const cacheValue = cache.get(key);
    if (cacheValue === undefined) throw new Error('cache.get(key) is undefined in the map callback in conciseArrow (non-null-assertion-fix.ts:40:28)');
    return cacheValue * 2;
  });
}`);
  });

  it('hoists out of a template literal and past pure reads', () => {
    expect(fixedStatement('template-literal')).toContain('return `${key}: ${cacheValue.toFixed(2)}`;');
    expect(fixedStatement('pure-before')).toContain('return [offset, cacheValue];');
  });

  it('refuses what would run code that did not run before, or in another order', () => {
    expect(refusal('refuse-nullish')).toBe('the assertion runs only when the left side of `??` is nullish; hoisting it would run it always');
    expect(refusal('refuse-optional-call')).toBe('the assertion runs only after a `?.` in the same chain; hoisting it would run it always');
    expect(refusal('refuse-optional-segment')).toBe('`node?.next!.value` asserts one segment of an optional chain; rewrite the chain by hand');
    expect(refusal('refuse-loop-condition')).toBe('the assertion is in a loop condition, which runs on every iteration');
    expect(refusal('refuse-side-effect-before')).toBe('`track()` runs before the assertion and has side effects; moving the check before it would change the order');
  });

  it('refuses an assertion on a type that is not nullable, whose `!` can simply be removed', () => {
    expect(refusal('not-nullable')).toBe('`value` is not nullable; remove the `!` instead');
    expect(removedLine('not-nullable')).toBe('return value.length;');
  });

  it('refuses an assertion that is the target of an assignment', () => {
    expect(refusal('refuse-assignment-target')).toBe('the assertion is the target of an assignment, where it asserts nothing a check could test');
  });

  it('takes the error path from the caller, as the codemod does for its styles', () => {
    const codemodStyle: ErrorPath = { kind: 'return', statement: (message) => `return new MissingValueError(${message});` };
    expect(fixedStatement('no-error-return', codemodStyle)).toContain(
      'if (cacheValue === undefined) return new MissingValueError(\'cache.get(key) is undefined in noErrors (non-null-assertion-fix.ts:94:10)\');',
    );
  });
});

describe('the hoisted name', () => {
  it('qualifies the name by the receiver when the natural one is declared around the assertion', () => {
    expect(fixedStatement('qualified-by-receiver')).toBe(`export function qualifiedByReceiver(req: Request): string {
  const reqUrl = req.url;
  if (reqUrl === undefined) throw new Error('req.url is undefined in qualifiedByReceiver (non-null-assertion-fix.ts:110:23)');
  const url = new URL(reqUrl, 'http://localhost');
  return url.pathname;
}`);
  });

  it('does not shadow a binding of the module the function sees', () => {
    expect(fixedStatement('outer-binding')).toContain('const headersHost = req.headers.host;');
  });

  it('is not shadowed by a parameter of a callback inside the hoisted expression', () => {
    expect(fixedStatement('nested-parameter')).toContain('const productWarehouse = product.warehouses.find((warehouse) => warehouse.primary);');
  });

  it('takes the property a find callback tests when there is no receiver to qualify by', () => {
    expect(fixedStatement('tested-property')).toContain('const primaryDepot = depots.find((depot) => depot.isPrimary);');
  });

  it('avoids the names other edits of the same run give, then numbers the natural name', () => {
    expect(fixedStatement('qualified-by-receiver', throwErrorPath(), { takenNames: new Set(['reqUrl']) })).toContain('const url2 = req.url;');
    expect(fixedStatement('variable', throwErrorPath(), { takenNames: new Set(['maybe']) })).toContain('if (maybe === undefined)');
  });
});

describe('getNonNullAssertionRemoval', () => {
  it('drops the parentheses the `!` needed where the expression stands alone', () => {
    expect(removedLine('removal-argument')).toBe('use(await loadName());');
    expect(removedLine('removal-initializer')).toBe('const name = await loadName();');
    expect(removedLine('removal-statement')).toBe('await loadName();');
  });

  it('keeps them where precedence needs them', () => {
    expect(removedLine('removal-keeps-precedence')).toBe('return (await loadName()).length;');
  });
});

describe('getReturnedErrorPath', () => {
  const returned = (name: string): string | undefined => getReturnedErrorPath(assertionFor(name), program)?.statement('"missing"');

  it('returns the union\'s own error class when it takes a message', () => {
    expect(returned('return-custom-error')).toBe('return new MissingError("missing");');
  });

  it('returns an Error from a function returning T | Error, async or not', () => {
    expect(returned('return-error')).toBe('return new Error("missing");');
    expect(returned('return-async-error')).toBe('return new Error("missing");');
  });

  it('wraps the error with neverthrow\'s err for a Result', () => {
    expect(returned('return-result')).toBe('return err(new Error("missing"));');
  });

  it('offers nothing for a function without error returns, or from a callback whose return is not the function\'s', () => {
    expect(returned('no-error-return')).toBeUndefined();
    expect(returned('callback-not-the-function')).toBeUndefined();
  });
});
