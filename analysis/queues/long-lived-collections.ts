import ts from 'typescript';

import { getEnclosingFunction, type FunctionBoundary } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { isDeclaredOnlyInDefaultLibrary } from '../core/standard-library.js';
import { skipTransparentUp } from '../core/transparent-syntax.js';

/**
 * Collections that live as long as the process or a long-lived object, and every place their file
 * touches them. A collection qualifies when the code shows where it is created and can see all its
 * uses: a module-level variable the module does not export, or a class field (its uses are
 * `this.x` inside the class). What a function does with a local collection ends with the function.
 */

export type CollectionKind = 'array' | 'map' | 'set' | 'object';

export type CollectionScope = 'module' | 'static-field' | 'field';

/**
 * What one use does to the collection:
 * - `grow`: `push`, `unshift`, `set`, `add`, `c[k] = v`, `Object.assign(c, …)`;
 * - `take`: `shift`, `pop`, the consuming end of a queue;
 * - `shrink`: `delete`, `clear`, `splice`, `length = …`, `delete c[k]`, a reassignment;
 * - `read`: anything that leaves its size alone (`get`, `has`, `length`, iteration, `c[k]`);
 * - `escape`: handed elsewhere (an argument, a return value, another variable), where it may be
 *   shrunk out of sight.
 */
export type CollectionUseKind = 'grow' | 'take' | 'shrink' | 'read' | 'escape';

export interface CollectionUse {
  kind: CollectionUseKind;
  /** The reference itself: `queue`, `this.#items`. */
  reference: ts.Expression;
  /** The call or assignment the use is part of (`queue.push(job)`, `cache[k] = v`). */
  site: ts.Expression;
  /** `push`, `set`, `[]=`, … */
  operation: string;
  /** The key or value of a growth, when there is one (`k` of `set(k, v)`, `v` of `add(v)`). */
  key: ts.Expression | undefined;
  /** The function the use runs in; `undefined` at module top level or in a field initializer. */
  fn: FunctionBoundary | undefined;
}

export interface LongLivedCollection {
  kind: CollectionKind;
  scope: CollectionScope;
  /** How code names it: `pending`, `this.#items`, `Registry.entries`. */
  text: string;
  /** Whether code outside the file (or the class) may reach it: exported, or a public field. */
  reachableFromOutside: boolean;
  declaration: ts.VariableDeclaration | ts.PropertyDeclaration | ts.ParameterDeclaration;
  /** The class of a field. */
  owner: ts.ClassLikeDeclaration | undefined;
  uses: CollectionUse[];
}

const GROW_METHODS: Readonly<Record<CollectionKind, ReadonlySet<string>>> = {
  array: new Set(['push', 'unshift']),
  map: new Set(['set']),
  set: new Set(['add']),
  object: new Set(),
};
const TAKE_METHODS: Readonly<Record<CollectionKind, ReadonlySet<string>>> = {
  array: new Set(['shift', 'pop']),
  map: new Set(),
  set: new Set(),
  object: new Set(),
};
const SHRINK_METHODS: Readonly<Record<CollectionKind, ReadonlySet<string>>> = {
  array: new Set(['splice']),
  map: new Set(['delete', 'clear']),
  set: new Set(['delete', 'clear']),
  object: new Set(),
};
/** `Object.keys(c)`, `Array.from(c)`: calls that read what they are given and keep nothing. */
const READING_FUNCTIONS = new Set(['Object.keys', 'Object.values', 'Object.entries', 'Array.from', 'JSON.stringify', 'Array.isArray', 'Object.freeze']);

/** The kind of collection `initializer` creates, when it creates an empty or literal one. */
function getCreatedKind(initializer: ts.Expression | undefined, checker: ts.TypeChecker, program: ts.Program): CollectionKind | undefined {
  if (initializer === undefined) {
    return undefined;
  }
  if (ts.isArrayLiteralExpression(initializer)) {
    return 'array';
  }
  if (ts.isObjectLiteralExpression(initializer)) {
    // A literal with entries is a table or a configuration; an empty one filled later is a dictionary.
    return initializer.properties.length === 0 ? 'object' : undefined;
  }
  if (ts.isNewExpression(initializer) && ts.isIdentifier(initializer.expression)) {
    const name = initializer.expression.text;
    if ((name === 'Map' || name === 'Set') && isDeclaredOnlyInDefaultLibrary(checker.getSymbolAtLocation(initializer.expression), program)) {
      return name === 'Map' ? 'map' : 'set';
    }
  }
  return undefined;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((modifier) => modifier.kind === kind) ?? false);
}

function isPrivateMember(member: ts.PropertyDeclaration | ts.ParameterDeclaration): boolean {
  return ts.isPrivateIdentifier(member.name) || hasModifier(member, ts.SyntaxKind.PrivateKeyword);
}

/** The collections `sourceFile` creates at module level or in class fields, with their uses. */
export function getLongLivedCollections(sourceFile: ts.SourceFile, program: ts.Program): LongLivedCollection[] {
  const checker = program.getTypeChecker();
  const found: LongLivedCollection[] = [];
  for (const statement of sourceFile.statements) {
    if (ts.isVariableStatement(statement)) {
      const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
      for (const declaration of statement.declarationList.declarations) {
        const kind = ts.isIdentifier(declaration.name) ? getCreatedKind(declaration.initializer, checker, program) : undefined;
        if (kind === undefined || !ts.isIdentifier(declaration.name)) {
          continue;
        }
        const collection: LongLivedCollection = {
          kind,
          scope: 'module',
          text: declaration.name.text,
          reachableFromOutside: exported || isExportedByName(sourceFile, declaration.name.text),
          declaration,
          owner: undefined,
          uses: [],
        };
        collectModuleUses(collection, declaration.name, sourceFile, checker);
        found.push(collection);
      }
    }
  }
  visitClasses(sourceFile, (owner) => {
    for (const collection of getFieldCollections(owner, checker, program)) {
      found.push(collection);
    }
  });
  return found;
}

function isExportedByName(sourceFile: ts.SourceFile, name: string): boolean {
  return sourceFile.statements.some(
    (statement) =>
      (ts.isExportDeclaration(statement) &&
        statement.exportClause !== undefined &&
        ts.isNamedExports(statement.exportClause) &&
        statement.exportClause.elements.some((element) => (element.propertyName ?? element.name).text === name)) ||
      (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression) && statement.expression.text === name),
  );
}

function visitClasses(node: ts.Node, visit: (owner: ts.ClassLikeDeclaration) => void): void {
  if (ts.isClassLike(node)) {
    visit(node);
  }
  ts.forEachChild(node, (child) => {
    visitClasses(child, visit);
  });
}

function getFieldCollections(owner: ts.ClassLikeDeclaration, checker: ts.TypeChecker, program: ts.Program): LongLivedCollection[] {
  const fields = new Map<string, LongLivedCollection>();
  const constructorAssignments = new Map<string, ts.Expression>();
  const constructorDeclaration = owner.members.find(ts.isConstructorDeclaration);
  for (const statement of constructorDeclaration?.body?.statements ?? []) {
    if (
      ts.isExpressionStatement(statement) &&
      ts.isBinaryExpression(statement.expression) &&
      statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(statement.expression.left) &&
      statement.expression.left.expression.kind === ts.SyntaxKind.ThisKeyword
    ) {
      constructorAssignments.set(statement.expression.left.name.text, statement.expression.right);
    }
  }
  for (const member of owner.members) {
    if (!ts.isPropertyDeclaration(member) || !(ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name))) {
      continue;
    }
    const name = member.name.text;
    const kind = getCreatedKind(member.initializer ?? constructorAssignments.get(name), checker, program);
    if (kind === undefined) {
      continue;
    }
    const isStatic = hasModifier(member, ts.SyntaxKind.StaticKeyword);
    const className = owner.name?.text;
    fields.set(name, {
      kind,
      scope: isStatic ? 'static-field' : 'field',
      text: isStatic && className !== undefined ? `${className}.${name}` : `this.${name}`,
      reachableFromOutside: !isPrivateMember(member),
      declaration: member,
      owner,
      uses: [],
    });
  }
  if (fields.size > 0) {
    collectFieldUses(owner, fields);
  }
  return [...fields.values()];
}

function collectModuleUses(collection: LongLivedCollection, name: ts.Identifier, sourceFile: ts.SourceFile, checker: ts.TypeChecker): void {
  const symbol = checker.getSymbolAtLocation(name);
  if (symbol === undefined) {
    return;
  }
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node !== name && node.text === name.text && isValueReference(node) && checker.getSymbolAtLocation(node) === symbol) {
      collection.uses.push(classifyUse(node, collection.kind));
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
}

/** Not a property name, a declaration's name or a key of an object literal. */
function isValueReference(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === identifier) {
    return false;
  }
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === identifier) {
    return false;
  }
  return !(ts.isVariableDeclaration(parent) && parent.name === identifier);
}

function collectFieldUses(owner: ts.ClassLikeDeclaration, fields: ReadonlyMap<string, LongLivedCollection>): void {
  const className = owner.name?.text;
  const visit = (node: ts.Node, thisIsOwner: boolean): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const collection = fields.get(node.name.text);
      if (collection !== undefined) {
        const receiver = node.expression;
        const viaThis = receiver.kind === ts.SyntaxKind.ThisKeyword && thisIsOwner;
        const viaClass = collection.scope === 'static-field' && ts.isIdentifier(receiver) && receiver.text === className;
        if (viaThis || viaClass) {
          collection.uses.push(classifyUse(node, collection.kind));
        }
      }
    }
    // A nested class or a non-arrow function has a `this` of its own.
    const ownThis = node !== owner && (ts.isClassLike(node) || ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node));
    ts.forEachChild(node, (child) => {
      visit(child, thisIsOwner && !ownThis);
    });
  };
  for (const member of owner.members) {
    visit(member, true);
  }
}

function callText(callee: ts.Expression): string {
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? `${callee.expression.text}.${callee.name.text}` : '';
}

function isAssignedTo(expression: ts.Expression): ts.BinaryExpression | undefined {
  const outer = skipTransparentUp(expression);
  const parent = outer.parent;
  return ts.isBinaryExpression(parent) &&
    parent.left === outer &&
    parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
    parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ? parent
    : undefined;
}

function classifyUse(reference: ts.Expression, kind: CollectionKind): CollectionUse {
  const fn = getEnclosingFunction(reference);
  const use = (useKind: CollectionUseKind, site: ts.Expression, operation: string, key?: ts.Expression): CollectionUse => ({
    kind: useKind,
    reference,
    site,
    operation,
    key,
    fn,
  });
  const outer = skipTransparentUp(reference);
  const parent = outer.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === outer) {
    const method = parent.name.text;
    const call = parentOf(parent);
    if (call !== undefined && ts.isCallExpression(call) && call.expression === parent) {
      if (GROW_METHODS[kind].has(method)) {
        return use('grow', call, method, call.arguments[0]);
      }
      if (TAKE_METHODS[kind].has(method)) {
        return use('take', call, method);
      }
      if (SHRINK_METHODS[kind].has(method)) {
        return use('shrink', call, method);
      }
      return use('read', call, method);
    }
    if (method === 'length' && isAssignedTo(parent) !== undefined) {
      return use('shrink', parent, 'length =');
    }
    return use('read', parent, method);
  }
  if (ts.isElementAccessExpression(parent) && parent.expression === outer) {
    const parentOfAccess = skipTransparentUp(parent).parent;
    if (ts.isDeleteExpression(parentOfAccess)) {
      return use('shrink', parentOfAccess, 'delete');
    }
    const assignment = isAssignedTo(parent);
    if (assignment !== undefined) {
      return use('grow', assignment, '[]=', parent.argumentExpression);
    }
    return use('read', parent, '[]');
  }
  const assignment = isAssignedTo(reference);
  if (assignment !== undefined) {
    // A field's first value, given in the constructor, is its creation, not a reset.
    return ts.isConstructorDeclaration(fn ?? reference) ? use('read', assignment, '=') : use('shrink', assignment, '=');
  }
  if (ts.isForOfStatement(parent) && parent.expression === outer) {
    return use('read', outer, 'for…of');
  }
  if ((ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.InKeyword) || ts.isSpreadElement(parent) || ts.isTypeOfExpression(parent)) {
    return use('read', outer, 'read');
  }
  if ((ts.isBinaryExpression(parent) && parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken) || ts.isPrefixUnaryExpression(parent) || ts.isIfStatement(parent)) {
    return use('read', outer, 'read');
  }
  if (ts.isCallExpression(parent) && parent.expression !== outer) {
    const callee = callText(parent.expression);
    if (callee === 'Object.assign' && parent.arguments[0] === outer) {
      return use('grow', parent, 'Object.assign');
    }
    if (READING_FUNCTIONS.has(callee)) {
      return use('read', parent, callee);
    }
  }
  return use('escape', outer, 'escape');
}
