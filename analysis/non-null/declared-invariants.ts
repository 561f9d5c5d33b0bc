import ts from 'typescript';

import { isAssignmentOperator } from '../core/side-effects.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getNullishParts, isAnyOrUnknown } from '../core/types.js';

/**
 * Invariants a program states in its declarations rather than in a check next to the `!`.
 *
 * These are assumptions, not proofs: the rule takes the program's word where the program gave it
 * once, in a declaration, instead of reporting every read that relies on it. Both are written down
 * in the rule's doc with the shape each one misses.
 *
 * - A never-cleared field: `this.peerConn!` where the class field `peerConn?: RTCPeerConnection`
 *   starts unset and every write anywhere in the program stores a present value. The `!` states
 *   the order of initialisation (set up before used), which no local check shows; a field that is
 *   ever set back to `undefined` or `null`, or starts as `null`, can be missing by design, and
 *   stays reported.
 * - A property required by its declaration: `event.getId()!` where `getId()` only returns
 *   `this.event.event_id`, `event` is a `Partial<IEvent>` and `IEvent` declares `event_id: string`.
 *   The data's own type says the value is there; the optionality comes from a mapped type that
 *   serves partial objects (local echoes, test builders), not from the data.
 * - A field of a decoded protobuf message: `execution.workflowId!` where the protobufjs message
 *   class declares `workflowId: string`; decoding puts every scalar field's default on the message.
 */

// --- Never-cleared fields ------------------------------------------------------------------------

/**
 * Is `expression` a read of a class field declared in the program's own sources that no code in
 * the program ever leaves missing? Writes are found by name in every project file and matched to
 * the field through the checker, so a write through a subclass or another module counts too.
 */
export function isNeverClearedField(expression: ts.Expression, program: ts.Program): boolean {
  const access = unwrapParentheses(expression);
  if (!ts.isPropertyAccessExpression(access) || ts.isOptionalChain(access)) {
    return false;
  }
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(access.name);
  const declarations = symbol?.declarations;
  if (symbol === undefined || declarations === undefined || declarations.length === 0) {
    return false;
  }
  for (const declaration of declarations) {
    if (!ts.isPropertyDeclaration(declaration) || !isProjectSource(declaration.getSourceFile(), program)) {
      return false;
    }
    if (declaration.initializer !== undefined && mayStoreMissing(declaration.initializer, checker)) {
      return false;
    }
  }
  const writes = getPropertyWriteIndex(program).get(access.name.text) ?? [];
  return writes.every((write) => !isWriteOf(write.target, declarations, checker) || !write.mayClear(checker));
}

interface PropertyWrite {
  /** The property name node of the written access, resolved through the checker on demand. */
  readonly target: ts.MemberName | ts.StringLiteralLike;
  /** Can this write leave the property missing? */
  readonly mayClear: (checker: ts.TypeChecker) => boolean;
}

const writeIndexByProgram = new WeakMap<ts.Program, Map<string, PropertyWrite[]>>();

/**
 * Every write to a property in the program's own files, by property name: `o.p = v`, `o.p ??= v`,
 * `o['p'] = v`, `delete o.p`, and destructuring or `for…of` targets, which store values no type
 * of the write describes. Built once per program; resolving a write to its symbol waits until a
 * field with that name is asked about.
 */
function getPropertyWriteIndex(program: ts.Program): Map<string, PropertyWrite[]> {
  const cached = writeIndexByProgram.get(program);
  if (cached !== undefined) {
    return cached;
  }
  const index = new Map<string, PropertyWrite[]>();
  const add = (target: ts.Expression, mayClear: PropertyWrite['mayClear']): void => {
    const name = getWrittenPropertyName(target);
    if (name === undefined) {
      return;
    }
    const list = index.get(name.text) ?? [];
    list.push({ target: name, mayClear });
    index.set(name.text, list);
  };
  const always = (): boolean => true;
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind)) {
      const operator = node.operatorToken.kind;
      const left = unwrapParentheses(node.left);
      const pairs = operator === ts.SyntaxKind.EqualsToken ? getElementwiseAssignment(left, node.right) : undefined;
      if (pairs !== undefined) {
        for (const { target, value } of pairs) {
          add(target, (checker) => mayStoreMissing(value, checker));
        }
      } else if (ts.isObjectLiteralExpression(left) || ts.isArrayLiteralExpression(left)) {
        forEachDestructuringTarget(left, (target) => { add(target, always); });
      } else if (operator === ts.SyntaxKind.EqualsToken || isLogicalAssignment(operator)) {
        // `o.p ??= v` and `o.p ||= v` store `v` when `o.p` is missing, `o.p &&= v` when it is not.
        const value = node.right;
        add(left, (checker) => mayStoreMissing(value, checker));
      }
      // Arithmetic and bitwise compound assignments keep a number a number.
    } else if (ts.isDeleteExpression(node)) {
      add(unwrapParentheses(node.expression), always);
    } else if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) {
      const initializer = unwrapParentheses(node.initializer);
      if (ts.isObjectLiteralExpression(initializer) || ts.isArrayLiteralExpression(initializer)) {
        forEachDestructuringTarget(initializer, (target) => { add(target, always); });
      } else {
        add(initializer, always);
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const sourceFile of program.getSourceFiles()) {
    if (isProjectSource(sourceFile, program)) {
      visit(sourceFile);
    }
  }
  writeIndexByProgram.set(program, index);
  return index;
}

/**
 * `[this.resolve, this.reject] = [resolve, reject]` stores each element in its place: the pairs,
 * when every target is a plain reference (no nested pattern, default, spread or hole) and the
 * right side an array literal without spreads.
 */
function getElementwiseAssignment(left: ts.Expression, right: ts.Expression): { target: ts.Expression; value: ts.Expression }[] | undefined {
  const values = unwrapParentheses(right);
  if (!ts.isArrayLiteralExpression(left) || !ts.isArrayLiteralExpression(values) || values.elements.some(ts.isSpreadElement)) {
    return undefined;
  }
  const pairs: { target: ts.Expression; value: ts.Expression }[] = [];
  for (const [position, element] of left.elements.entries()) {
    const target = unwrapParentheses(element);
    const value = values.elements[position];
    const isPlain = !ts.isSpreadElement(target) && !ts.isOmittedExpression(target) && !ts.isBinaryExpression(target) && !ts.isObjectLiteralExpression(target) && !ts.isArrayLiteralExpression(target);
    if (!isPlain || value === undefined) {
      return undefined;
    }
    pairs.push({ target, value });
  }
  return pairs;
}

function isLogicalAssignment(operator: ts.SyntaxKind): boolean {
  return (
    operator === ts.SyntaxKind.QuestionQuestionEqualsToken ||
    operator === ts.SyntaxKind.BarBarEqualsToken ||
    operator === ts.SyntaxKind.AmpersandAmpersandEqualsToken
  );
}

function getWrittenPropertyName(target: ts.Expression): ts.MemberName | ts.StringLiteralLike | undefined {
  const access = unwrapParentheses(skipNonNull(target));
  if (ts.isPropertyAccessExpression(access)) {
    return access.name;
  }
  if (ts.isElementAccessExpression(access) && ts.isStringLiteralLike(access.argumentExpression)) {
    return access.argumentExpression;
  }
  return undefined;
}

function skipNonNull(node: ts.Expression): ts.Expression {
  let current = unwrapParentheses(node);
  while (ts.isNonNullExpression(current)) {
    current = unwrapParentheses(current.expression);
  }
  return current;
}

/** The places a destructuring assignment stores into: `[a.p, ...b.q] = …`, `({ k: o.p = 1 } = …)`. */
function forEachDestructuringTarget(pattern: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression, callback: (target: ts.Expression) => void): void {
  const visitTarget = (node: ts.Expression): void => {
    const target = unwrapParentheses(ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken ? node.left : node);
    if (ts.isObjectLiteralExpression(target) || ts.isArrayLiteralExpression(target)) {
      forEachDestructuringTarget(target, callback);
    } else {
      callback(target);
    }
  };
  if (ts.isArrayLiteralExpression(pattern)) {
    for (const element of pattern.elements) {
      visitTarget(ts.isSpreadElement(element) ? element.expression : element);
    }
    return;
  }
  for (const property of pattern.properties) {
    if (ts.isPropertyAssignment(property)) {
      visitTarget(property.initializer);
    } else if (ts.isSpreadAssignment(property)) {
      visitTarget(property.expression);
    }
  }
}

function isWriteOf(target: PropertyWrite['target'], declarations: readonly ts.Declaration[], checker: ts.TypeChecker): boolean {
  const written = checker.getSymbolAtLocation(target);
  // A write the checker cannot resolve could be to this field: count it.
  return written === undefined || (written.declarations ?? []).some((declaration) => declarations.includes(declaration));
}

/**
 * Can this value be missing? By its type, and also when it is itself asserted (`this.p = v!`),
 * since the assertion is a claim this analysis would otherwise take as a fact.
 */
function mayStoreMissing(value: ts.Expression, checker: ts.TypeChecker): boolean {
  const unwrapped = unwrapParentheses(value);
  if (ts.isNonNullExpression(unwrapped)) {
    return true;
  }
  const type = checker.getTypeAtLocation(unwrapped);
  if (isAnyOrUnknown(type)) {
    return true;
  }
  const nullish = getNullishParts(type);
  return nullish.undefined || nullish.null;
}

function isProjectSource(sourceFile: ts.SourceFile, program: ts.Program): boolean {
  return !sourceFile.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sourceFile);
}

// --- Properties required by their declaration ----------------------------------------------------

/**
 * Is `expression` a read of a property its declaration requires (`event_id: string`), made
 * optional only by the mapped type it is read through (`Partial<IEvent>`), either directly or
 * through a method whose whole body returns such a read (`getId() { return this.event.event_id; }`)?
 */
export function isRequiredByDeclaration(expression: ts.Expression, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  const target = unwrapParentheses(expression);
  if (ts.isCallExpression(target)) {
    if (target.arguments.length !== 0 || ts.isOptionalChain(target)) {
      return false;
    }
    const returned = getSoleReturnedExpression(target, checker);
    return returned !== undefined && isRequiredPropertyRead(returned, checker);
  }
  return isRequiredPropertyRead(target, checker);
}

function isRequiredPropertyRead(expression: ts.Expression, checker: ts.TypeChecker): boolean {
  const access = unwrapParentheses(expression);
  if (!ts.isPropertyAccessExpression(access) || isInOptionalChain(access)) {
    return false;
  }
  const declarations = checker.getSymbolAtLocation(access.name)?.declarations;
  if (declarations === undefined || declarations.length === 0) {
    return false;
  }
  return declarations.every((declaration) => {
    if (!(ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration)) || declaration.questionToken !== undefined || declaration.type === undefined) {
      return false;
    }
    const declared = getNullishParts(checker.getTypeFromTypeNode(declaration.type));
    return !declared.undefined && !declared.null;
  });
}

/** `a?.b.c` is missing when `a` is, whatever `c` declares. */
function isInOptionalChain(access: ts.PropertyAccessExpression): boolean {
  for (let current: ts.Expression = access; ; ) {
    if ((ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current) || ts.isCallExpression(current)) && current.questionDotToken !== undefined) {
      return true;
    }
    if (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current) || ts.isCallExpression(current) || ts.isNonNullExpression(current)) {
      current = current.expression;
    } else if (ts.isParenthesizedExpression(current)) {
      current = current.expression;
    } else {
      return false;
    }
  }
}

/** The expression of `{ return <expression>; }`, the whole body of the called method, when it has one. */
function getSoleReturnedExpression(call: ts.CallExpression, checker: ts.TypeChecker): ts.Expression | undefined {
  const declaration = checker.getResolvedSignature(call)?.getDeclaration();
  if (declaration === undefined || !(ts.isMethodDeclaration(declaration) || ts.isGetAccessorDeclaration(declaration)) || declaration.body === undefined) {
    return undefined;
  }
  const statements = declaration.body.statements;
  const only = statements.length === 1 ? statements[0] : undefined;
  return only !== undefined && ts.isReturnStatement(only) && only.expression !== undefined ? only.expression : undefined;
}

// --- Fields of decoded protobuf messages -----------------------------------------------------------

/**
 * Is `expression` a read of a field of a protobufjs message interface (`IWorkflowExecution`, or
 * `WorkflowExecution.$Properties` in newer output) that the generated message class declares as
 * always present? The interface marks every field optional because it also types the plain
 * objects passed to `create` and `encode`; decoding (and `create`) gives each scalar and repeated
 * field its default on the message prototype (`""`, `0`, `Long.ZERO`, `[]`), which the class states
 * as `workflowId: string`. Message-typed and proto3 `optional` fields stay optional in the class,
 * and so stay reported.
 */
export function isDecodedMessageField(expression: ts.Expression, program: ts.Program): boolean {
  const access = unwrapParentheses(expression);
  if (!ts.isPropertyAccessExpression(access) || isInOptionalChain(access)) {
    return false;
  }
  const checker = program.getTypeChecker();
  const declarations = checker.getSymbolAtLocation(access.name)?.declarations;
  if (declarations === undefined || declarations.length === 0) {
    return false;
  }
  return declarations.every((declaration) => {
    if (!ts.isPropertySignature(declaration) || !declaration.getSourceFile().isDeclarationFile || !ts.isInterfaceDeclaration(declaration.parent)) {
      return false;
    }
    const field = getMessageClass(declaration.parent)?.members.find((member) => member.name !== undefined && ts.isIdentifier(member.name) && member.name.text === access.name.text);
    if (field === undefined || !ts.isPropertyDeclaration(field) || field.questionToken !== undefined || field.type === undefined) {
      return false;
    }
    const declared = getNullishParts(checker.getTypeFromTypeNode(field.type));
    return !declared.undefined && !declared.null;
  });
}

/**
 * The generated class of a protobufjs message interface: `class Foo` next to `interface IFoo`, or
 * next to the `namespace Foo` that holds `interface $Properties`; a class with a static `decode`.
 */
function getMessageClass(properties: ts.InterfaceDeclaration): ts.ClassDeclaration | undefined {
  const name = properties.name.text;
  let className: string | undefined;
  let container: ts.Node | undefined;
  if (name === '$Properties' && ts.isModuleBlock(properties.parent) && ts.isIdentifier(properties.parent.parent.name)) {
    className = properties.parent.parent.name.text;
    container = properties.parent.parent.parent;
  } else if (/^I[A-Z]/.test(name)) {
    className = name.slice(1);
    container = properties.parent;
  }
  if (className === undefined || container === undefined || !(ts.isModuleBlock(container) || ts.isSourceFile(container))) {
    return undefined;
  }
  for (const statement of container.statements) {
    if (ts.isClassDeclaration(statement) && statement.name?.text === className && statement.members.some(isStaticDecode)) {
      return statement;
    }
  }
  return undefined;
}

function isStaticDecode(member: ts.ClassElement): boolean {
  return (
    ts.isMethodDeclaration(member) &&
    ts.isIdentifier(member.name) &&
    member.name.text === 'decode' &&
    (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) !== 0
  );
}
