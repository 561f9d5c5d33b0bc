import { RegExpParser, visitRegExpAST } from '@eslint-community/regexpp';
import type { CapturingGroup, Node as RegExpNode } from '@eslint-community/regexpp/ast';
import ts from 'typescript';

import { isDeclaredInStandardLibrary } from '../core/standard-library.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getNullishParts } from '../core/types.js';

const STRING_INTERFACES: ReadonlySet<string> = new Set(['String']);
const REGEXP_INTERFACES: ReadonlySet<string> = new Set(['RegExp']);

/**
 * Is `expression` `match[n]` where `match` is a successful match of a regular expression literal
 * whose group `n` takes part in every match, so that it is a string? tRPC reads `match[1]!` for each
 * `match` of `path.matchAll(/\{(.*?)\}/g)`. A group takes part in every match unless it sits inside
 * a quantifier that allows zero repetitions, in one of several alternatives, or in a negative
 * lookaround; everything else in the pattern must match for the whole to match.
 *
 * The match comes from `for (const match of s.matchAll(re))` (also through a `const` holding the
 * iterator), or is a `const` from `re.exec(s)` or `s.match(re)` (without the `g` flag, which makes
 * `match` return the matched strings instead) whose type at the read has no `null` left: TypeScript
 * narrowed it, so the read runs only after a check. `re` is the literal or a `const` holding one.
 */
export function isParticipatingCaptureGroup(expression: ts.Expression, program: ts.Program): boolean {
  if (!ts.isElementAccessExpression(expression) || expression.questionDotToken !== undefined) {
    return false;
  }
  const index = unwrapParentheses(expression.argumentExpression);
  const match = unwrapParentheses(expression.expression);
  if (!ts.isNumericLiteral(index) || !Number.isSafeInteger(Number(index.text)) || !ts.isIdentifier(match)) {
    return false;
  }
  const checker = program.getTypeChecker();
  const declaration = checker.getSymbolAtLocation(match)?.valueDeclaration;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || !isConst(declaration)) {
    return false;
  }
  const regexp = getMatchedRegExp(declaration, match, program);
  return regexp !== undefined && groupTakesPartInEveryMatch(regexp, Number(index.text));
}

function isConst(declaration: ts.VariableDeclaration): boolean {
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list)) {
    return false;
  }
  const scoping: ts.NodeFlags = list.flags & ts.NodeFlags.BlockScoped;
  return scoping === ts.NodeFlags.Const;
}

/** The regular expression literal whose successful match `declaration` holds at `use`. */
function getMatchedRegExp(declaration: ts.VariableDeclaration, use: ts.Identifier, program: ts.Program): ts.RegularExpressionLiteral | undefined {
  const loop = declaration.parent.parent;
  if (ts.isForOfStatement(loop) && loop.initializer === declaration.parent && loop.awaitModifier === undefined) {
    return ts.isIdentifier(declaration.name) ? getMatchAllRegExp(loop.expression, program) : undefined;
  }
  const initializer = declaration.initializer;
  if (initializer === undefined || !ts.isIdentifier(declaration.name)) {
    return undefined;
  }
  const nullish = getNullishParts(program.getTypeChecker().getTypeAtLocation(use));
  if (nullish.null || nullish.undefined) {
    return undefined;
  }
  const call = unwrapParentheses(initializer);
  if (!ts.isCallExpression(call) || call.questionDotToken !== undefined || call.arguments.length !== 1) {
    return undefined;
  }
  const callee = unwrapParentheses(call.expression);
  const [argument] = call.arguments;
  if (!ts.isPropertyAccessExpression(callee) || callee.questionDotToken !== undefined || argument === undefined) {
    return undefined;
  }
  if (callee.name.text === 'exec' && isDeclaredInStandardLibrary(callee.name, program, REGEXP_INTERFACES)) {
    return getRegExpLiteral(callee.expression, program);
  }
  if (callee.name.text === 'match' && isDeclaredInStandardLibrary(callee.name, program, STRING_INTERFACES)) {
    const regexp = getRegExpLiteral(argument, program);
    return regexp === undefined || getFlags(regexp).includes('g') ? undefined : regexp;
  }
  return undefined;
}

/** The literal of `s.matchAll(re)`, or of the call a `const` iterator was built with. */
function getMatchAllRegExp(iterated: ts.Expression, program: ts.Program): ts.RegularExpressionLiteral | undefined {
  let node = unwrapParentheses(iterated);
  if (ts.isIdentifier(node)) {
    const declaration = program.getTypeChecker().getSymbolAtLocation(node)?.valueDeclaration;
    if (declaration === undefined || !ts.isVariableDeclaration(declaration) || !isConst(declaration) || declaration.initializer === undefined) {
      return undefined;
    }
    node = unwrapParentheses(declaration.initializer);
  }
  if (!ts.isCallExpression(node) || node.questionDotToken !== undefined || node.arguments.length !== 1) {
    return undefined;
  }
  const callee = unwrapParentheses(node.expression);
  const [argument] = node.arguments;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'matchAll' || argument === undefined || !isDeclaredInStandardLibrary(callee.name, program, STRING_INTERFACES)) {
    return undefined;
  }
  return getRegExpLiteral(argument, program);
}

/** `/re/` itself, or a `const` initialized with it. */
function getRegExpLiteral(expression: ts.Expression, program: ts.Program): ts.RegularExpressionLiteral | undefined {
  const node = unwrapParentheses(expression);
  if (ts.isRegularExpressionLiteral(node)) {
    return node;
  }
  if (!ts.isIdentifier(node)) {
    return undefined;
  }
  const declaration = program.getTypeChecker().getSymbolAtLocation(node)?.valueDeclaration;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || !isConst(declaration) || declaration.initializer === undefined) {
    return undefined;
  }
  const initializer = unwrapParentheses(declaration.initializer);
  return ts.isRegularExpressionLiteral(initializer) ? initializer : undefined;
}

function getFlags(regexp: ts.RegularExpressionLiteral): string {
  return regexp.text.slice(regexp.text.lastIndexOf('/') + 1);
}

function groupTakesPartInEveryMatch(regexp: ts.RegularExpressionLiteral, index: number): boolean {
  if (index === 0) {
    return true;
  }
  let groups: CapturingGroup[];
  try {
    const literal = new RegExpParser().parseLiteral(regexp.text);
    groups = [];
    visitRegExpAST(literal, { onCapturingGroupEnter: (group) => groups.push(group) });
  } catch {
    // A pattern the parser does not know (a newer syntax) proves nothing.
    return false;
  }
  const group = groups[index - 1];
  return group !== undefined && isOnEveryPath(group);
}

/** Does every match of the pattern go through `node`? */
function isOnEveryPath(node: RegExpNode): boolean {
  for (let parent = node.parent; parent !== null; parent = parent.parent) {
    if (parent.type === 'Quantifier' && parent.min === 0) {
      return false;
    }
    // Only a lookahead or a lookbehind holds other nodes.
    if (parent.type === 'Assertion' && (parent.negate || parent.alternatives.length !== 1)) {
      return false;
    }
    if ((parent.type === 'Pattern' || parent.type === 'Group' || parent.type === 'CapturingGroup') && parent.alternatives.length !== 1) {
      return false;
    }
  }
  return true;
}
