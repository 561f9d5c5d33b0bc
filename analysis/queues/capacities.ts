import ts from 'typescript';

import { foldNumber } from '../core/constant-number.js';
import { getPropertyNameText } from '../core/functions.js';
import { parentOf } from '../core/parent.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';

/**
 * Capacities written into the code that are too large to bound anything: a queue of 100 000 jobs
 * is unbounded in practice, because memory runs out long before producers are pushed back.
 * A capacity is found by what it is called, where the name says "how many items" (`capacity`,
 * `maxQueueSize`), and by where it is given when the name alone does not (`highWaterMark` counts
 * items only in object mode; `max` and `maxSize` only in the options of a cache or queue).
 */

export interface OversizedCapacity {
  /** The value as written: a literal, a `const`, an expression of those. */
  value: ts.Expression;
  /** The option, parameter or field it sets, as written. */
  name: string;
  amount: number;
}

/** Names (lower case, without `_`) that always mean a number of queued or held items. */
const ITEM_CAPACITY_NAMES = new Set([
  'capacity',
  'queuecapacity',
  'buffercapacity',
  'channelcapacity',
  'maxqueuesize',
  'maxqueuelength',
  'queuesize',
  'queuelimit',
  'maxqueue',
  'maxqueued',
  'maxpending',
  'maxitems',
  'maxentries',
  'maxbacklog',
]);

/** Names that mean an item count only in the options of a cache, queue, pool or channel. */
const CONTAINER_CAPACITY_NAMES = new Set(['max', 'maxsize']);
const CONTAINER_CLASS = /cache|queue|pool|channel|buffer|lru|fifo|ring/i;

function normalize(name: string): string {
  return name.replace(/^#/, '').replaceAll('_', '').toLowerCase();
}

/** The capacities in `sourceFile` above `maxCapacity`. */
export function findOversizedCapacities(sourceFile: ts.SourceFile, checker: ts.TypeChecker, maxCapacity: number): OversizedCapacity[] {
  const found: OversizedCapacity[] = [];
  const consider = (name: string, value: ts.Expression): void => {
    const amount = foldNumber(value, checker);
    if (amount !== undefined && amount > maxCapacity && Number.isFinite(amount)) {
      found.push({ value, name, amount });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
      const name = getPropertyNameText(node.name);
      if (name !== undefined && isCapacityOption(name, node.parent)) {
        consider(name, node.initializer);
      }
    } else if ((ts.isParameter(node) || ts.isPropertyDeclaration(node)) && node.initializer !== undefined && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name))) {
      if (ITEM_CAPACITY_NAMES.has(normalize(node.name.text))) {
        consider(node.name.text, node.initializer);
      }
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.arguments !== undefined) {
      considerPositionalArguments(node, checker, maxCapacity, consider);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

function isCapacityOption(name: string, options: ts.ObjectLiteralExpression): boolean {
  const normalized = normalize(name);
  if (ITEM_CAPACITY_NAMES.has(normalized)) {
    return true;
  }
  const receiver = getConstructedClassName(options);
  if (normalized === 'highwatermark') {
    // Byte streams count bytes: 64 KiB is an ordinary buffer, not 65 536 queued items.
    return receiver === 'CountQueuingStrategy' || options.properties.some((property) => isTrueOption(property, ['objectMode', 'readableObjectMode', 'writableObjectMode']));
  }
  return CONTAINER_CAPACITY_NAMES.has(normalized) && receiver !== undefined && CONTAINER_CLASS.test(receiver);
}

function isTrueOption(property: ts.ObjectLiteralElementLike, names: readonly string[]): boolean {
  if (!ts.isPropertyAssignment(property)) {
    return false;
  }
  const name = getPropertyNameText(property.name);
  return name !== undefined && names.includes(name) && property.initializer.kind === ts.SyntaxKind.TrueKeyword;
}

/** `LRUCache` for `new LRUCache({ max })`: the class an options object is given to. */
function getConstructedClassName(options: ts.ObjectLiteralExpression): string | undefined {
  const parent = parentOf(options);
  if (parent === undefined || !ts.isNewExpression(parent)) {
    return undefined;
  }
  const callee = unwrapParentheses(parent.expression);
  return ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

/**
 * `new Channel(100_000)`: a number written as an argument, whose parameter is a capacity. Only
 * literal arithmetic is folded here, so the checker is asked for a signature only where a large
 * number is written.
 */
function considerPositionalArguments(
  call: ts.NewExpression | ts.CallExpression,
  checker: ts.TypeChecker,
  maxCapacity: number,
  consider: (name: string, value: ts.Expression) => void,
): void {
  const written = (call.arguments ?? []).map((argument) =>
    isLiteralArithmetic(argument) && (foldNumber(argument, checker) ?? 0) > maxCapacity ? argument : undefined,
  );
  if (written.every((argument) => argument === undefined)) {
    return;
  }
  // A signature made up by the checker (of `any`, of a union) has no declaration, whatever its type says.
  const declaration: ts.SignatureDeclaration | undefined = checker.getResolvedSignature(call)?.getDeclaration();
  const parameters = declaration?.parameters;
  if (parameters === undefined) {
    return;
  }
  written.forEach((argument, index) => {
    const parameter = parameters[index];
    if (argument !== undefined && parameter !== undefined && ts.isIdentifier(parameter.name) && ITEM_CAPACITY_NAMES.has(normalize(parameter.name.text))) {
      consider(parameter.name.text, argument);
    }
  });
}

function isLiteralArithmetic(expression: ts.Expression): boolean {
  const node = unwrapParentheses(expression);
  if (ts.isNumericLiteral(node)) {
    return true;
  }
  return ts.isBinaryExpression(node) && isLiteralArithmetic(node.left) && isLiteralArithmetic(node.right);
}
