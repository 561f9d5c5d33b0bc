import ts from 'typescript';

import { getDeclarationOrigin, originIsPackage } from '../core/declaration-origin.js';
import { getEnclosingFunction } from '../core/functions.js';
import { someNode } from '../core/some-node.js';
import { getStableReferenceKey } from '../core/stable-reference.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';
import { getProducerContext } from './repetition.js';

/**
 * Queue libraries that accept every task they are given: p-queue has no maximum size (its
 * `size`/`onSizeLessThan` are the backpressure), fastq and `async.queue` buffer whatever is pushed.
 * A producer loop that adds without looking at the queue fills memory as fast as it runs.
 */

export interface QueueApi {
  /** The package that declares the queue's methods. */
  package: string;
  /** The methods that add work. */
  methods: readonly string[];
  /** Members whose use in the producer counts as looking at the backlog (`size`, `onSizeLessThan`). */
  sizeChecks: readonly string[];
  /** How to wait for room, for the message. */
  remedy?: string;
}

export const builtinQueueApis: readonly QueueApi[] = [
  {
    package: 'p-queue',
    methods: ['add', 'addAll'],
    sizeChecks: ['size', 'pending', 'onSizeLessThan', 'onEmpty', 'onIdle'],
    remedy: 'wait for room before adding (`await queue.onSizeLessThan(limit)`)',
  },
  {
    package: 'fastq',
    methods: ['push', 'unshift'],
    sizeChecks: ['length', 'idle', 'saturated', 'empty', 'drain'],
    remedy: 'check `length()` against a limit and wait for `saturated` to pass before pushing',
  },
  {
    package: 'async',
    methods: ['push', 'unshift', 'pushAsync', 'unshiftAsync'],
    sizeChecks: ['length', 'saturated', 'unsaturated', 'drain', 'idle', 'empty', 'running'],
    remedy: 'check `length()` against a limit and wait for `unsaturated()` before pushing',
  },
];

export interface UnboundedEnqueue {
  call: ts.CallExpression;
  /** The queue as written. */
  queue: string;
  api: QueueApi;
  /** Where the producer repeats: a loop, a request handler. */
  producer: string;
}

/** The enqueue `call` makes, if it adds to a library queue from a producer that never looks at the backlog. */
export function getUnboundedEnqueue(call: ts.CallExpression, program: ts.Program, apis: readonly QueueApi[]): UnboundedEnqueue | undefined {
  const callee = unwrapParentheses(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) {
    return undefined;
  }
  const method = callee.name.text;
  const candidates = apis.filter((api) => api.methods.includes(method));
  if (candidates.length === 0 || ts.isAwaitExpression(unwrapParentheses(call).parent)) {
    return undefined;
  }
  const imported = getImportedQueuePackages(call.getSourceFile(), apis);
  if (!candidates.some((candidate) => imported.has(candidate.package))) {
    return undefined;
  }
  const checker = program.getTypeChecker();
  const declarations = checker.getSymbolAtLocation(callee.name)?.getDeclarations() ?? [];
  const api = candidates.find((candidate) => declarations.some((declaration) => originIsPackage(getDeclarationOrigin(declaration, program), candidate.package)));
  if (api === undefined) {
    return undefined;
  }
  const producer = getProducerContext(call, checker);
  if (producer === undefined) {
    return undefined;
  }
  const queueKey = getStableReferenceKey(callee.expression);
  const body = getEnclosingFunction(call)?.body;
  const looksAtBacklog =
    body !== undefined &&
    someNode(
      body,
      (node) => ts.isPropertyAccessExpression(node) && api.sizeChecks.includes(node.name.text) && (queueKey === undefined || getStableReferenceKey(node.expression) === queueKey),
    );
  return looksAtBacklog ? undefined : { call, queue: callee.expression.getText(), api, producer };
}

const importedByFile = new WeakMap<ts.SourceFile, Set<string>>();

/**
 * The queue packages a file imports. A producer is looked at only in a file that imports its
 * queue's package, so the `push` of every array elsewhere costs no checker query.
 */
function getImportedQueuePackages(sourceFile: ts.SourceFile, apis: readonly QueueApi[]): Set<string> {
  let imported = importedByFile.get(sourceFile);
  if (imported === undefined) {
    imported = new Set();
    for (const statement of sourceFile.statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const specifier = statement.moduleSpecifier.text;
        for (const api of apis) {
          if (specifier === api.package || specifier.startsWith(`${api.package}/`)) {
            imported.add(api.package);
          }
        }
      }
    }
    importedByFile.set(sourceFile, imported);
  }
  return imported;
}
