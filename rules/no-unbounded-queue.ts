import type { TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';

import { getEnclosingFunction } from '../analysis/core/functions.js';
import { getRequestHandlerRole } from '../analysis/core/request-handlers.js';
import { lineOf, shorten } from '../analysis/core/source-text.js';
import { findOversizedCapacities } from '../analysis/queues/capacities.js';
import { findGrowOnlyCollections, findUnboundedArrayQueues } from '../analysis/queues/collection-bounds.js';
import { getUnboundedFanOut } from '../analysis/queues/fan-out.js';
import { getListenerLeak } from '../analysis/queues/listener-leaks.js';
import { getLongLivedCollections } from '../analysis/queues/long-lived-collections.js';
import { builtinQueueApis, getUnboundedEnqueue, type QueueApi } from '../analysis/queues/queue-libraries.js';
import { getIgnoredBackpressure } from '../analysis/queues/stream-backpressure.js';
import { createRule } from './utils/create-rule.js';
import { getNodeLocation, isTestFile } from './utils/locations.js';
import { getTypeServices } from './utils/type-services.js';

export interface NoUnboundedQueueOptions {
  /** Long-lived arrays filled in one function and drained with `shift`/`pop` in another, with no length check before the push. */
  arrayQueues?: boolean;
  /** p-queue, fastq and `async.queue` fed from a loop or a request handler that never looks at the backlog. */
  queueLibraries?: boolean;
  /** `Promise.all` and its kin over a list of any length, each element starting its work at once. */
  fanOut?: boolean;
  /**
   * `traffic` (default): report growth the code shows to come with traffic — a request handler, an
   * event listener, a length check that does not stop the push, a class that is a cache.
   * `all`: every unbounded shape, also in library code whose callers decide how often it runs.
   */
  mode?: 'traffic' | 'all';
  /** Capacities, item high-water marks and cache sizes above `maxCapacity`. */
  capacities?: boolean;
  /** Long-lived caches and per-request records that gain entries and never lose one. */
  growOnlyCollections?: boolean;
  /** Listeners added to a long-lived emitter on every request or event, never removed. */
  listeners?: boolean;
  /** `stream.write()` in a loop that ignores its `false`. */
  streamWrites?: boolean;
  /** The largest capacity that still bounds anything (default 10 000). */
  maxCapacity?: number;
  /** Queue libraries besides p-queue, fastq and async. */
  queues?: QueueApi[];
  /** Leave test files alone (default `true`). */
  ignoreInTests?: boolean;
}

export type Options = [NoUnboundedQueueOptions];
export type MessageId =
  | 'arrayQueue'
  | 'queueWithoutBackpressure'
  | 'unboundedFanOut'
  | 'capacityTooLarge'
  | 'growOnlyCollection'
  | 'listenerLeak'
  | 'ignoredBackpressure';

const DEFAULT_MAX_CAPACITY = 10_000;
const KIND_NAMES = { array: 'array', map: 'Map', set: 'Set', object: 'object' } as const;

export default createRule<Options, MessageId>({
  name: 'no-unbounded-queue',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require a real bound on every queue, fan-out and long-lived collection',
      recommended: true,
      requiresTypeChecking: true,
      strictOptions: [{ mode: 'all' }],
    },
    messages: {
      arrayQueue:
        '`{{queue}}` is a queue (filled here, drained by `{{drain}}` on line {{drainLine}}) and nothing bounds it{{observed}}: when producers outpace the consumer it grows until the process runs out of memory, and `shift()` on a long array costs O(n). Check its length against a small bound first and reject, drop with a metric, or wait when it is full.',
      queueWithoutBackpressure:
        '`{{call}}` adds to `{{queue}}` from {{producer}} without looking at its backlog: {{library}} keeps every task it is given, so a fast producer fills memory. {{remedy}}.',
      unboundedFanOut:
        '`{{combinator}}` starts {{work}} for every element of `{{source}}` at once: nothing limits how many run together, so a long list opens as many connections or requests as it has elements. Run them through a limiter (`p-limit`, `p-map` with `concurrency`) or in batches.',
      capacityTooLarge:
        '`{{name}}` of {{amount}} is above {{max}}: a bound this large is reached only after memory is, so it bounds nothing. Use a bound small enough to be hit, and decide what happens when it is (reject, drop with a metric, or wait).',
      growOnlyCollection:
        '`{{collection}}` gains an entry here {{when}} and nothing ever removes one: a long-lived {{kind}} that grows for the life of the process. Bound it (a maximum size with eviction, a TTL sweep, `delete` when an entry is done), or key it weakly (`WeakMap`).',
      listenerLeak:
        '`{{call}}` adds a listener to `{{target}}` on {{repeatedBy}}, and nothing removes it: listeners pile up, each holding what it captured. Use `once`, pass `{ signal }` and abort it when done, or remove the listener when the work ends.',
      ignoredBackpressure:
        'The result of `{{call}}` is ignored in {{loop}}: when `{{stream}}` drains slower than the loop writes, Node buffers every chunk in memory. When `write` returns `false`, wait for `\'drain\'` (`await once(stream, \'drain\')`), or use `pipeline()`.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          arrayQueues: { type: 'boolean', description: 'Report long-lived arrays used as queues whose push no length check bounds.' },
          queueLibraries: { type: 'boolean', description: 'Report p-queue, fastq and async queues fed without looking at their backlog.' },
          fanOut: { type: 'boolean', description: 'Report Promise.all and its kin over lists of any length with no concurrency limit.' },
          mode: { type: 'string', enum: ['traffic', 'all'], description: 'Report only growth the code shows to come with traffic, or every unbounded shape.' },
          capacities: { type: 'boolean', description: 'Report capacities above maxCapacity.' },
          growOnlyCollections: { type: 'boolean', description: 'Report long-lived caches and per-request records nothing shrinks.' },
          listeners: { type: 'boolean', description: 'Report listeners added on every request or event to a long-lived emitter and never removed.' },
          streamWrites: { type: 'boolean', description: 'Report stream.write() in a loop that ignores its false result.' },
          maxCapacity: { type: 'integer', minimum: 1, description: 'The largest capacity that still bounds anything.' },
          queues: {
            type: 'array',
            description: 'Queue libraries besides p-queue, fastq and async: the package, the methods that add work, and the members that look at the backlog.',
            items: {
              type: 'object',
              properties: {
                package: { type: 'string' },
                methods: { type: 'array', items: { type: 'string' }, minItems: 1 },
                sizeChecks: { type: 'array', items: { type: 'string' } },
                remedy: { type: 'string' },
              },
              required: ['package', 'methods', 'sizeChecks'],
              additionalProperties: false,
            },
          },
          ignoreInTests: { type: 'boolean', description: 'Leave test files alone.' },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [
      {
        arrayQueues: true,
        queueLibraries: true,
        fanOut: true,
        mode: 'traffic',
        capacities: true,
        growOnlyCollections: true,
        listeners: true,
        streamWrites: true,
        maxCapacity: DEFAULT_MAX_CAPACITY,
        queues: [],
        ignoreInTests: true,
      },
    ],
  },
  create(context, [options]) {
    const services = getTypeServices(context);
    if (services === undefined) {
      return {};
    }
    if ((options.ignoreInTests ?? true) && isTestFile(context)) {
      return {};
    }
    const program = services.program;
    const checker = program.getTypeChecker();
    const maxCapacity = options.maxCapacity ?? DEFAULT_MAX_CAPACITY;
    const queueApis = [...builtinQueueApis, ...(options.queues ?? [])];
    const locOf = (node: ts.Node): TSESTree.SourceLocation => getNodeLocation(context.sourceCode, node);
    const callText = (call: ts.CallExpression): string => `${shorten(call.expression.getText())}()`;
    const reportedLoops = new Set<ts.Node>();
    const everyShape = options.mode === 'all';
    const runsPerRequest = (node: ts.Node): boolean => {
      const fn = getEnclosingFunction(node);
      return fn !== undefined && getRequestHandlerRole(fn, checker) !== undefined;
    };

    const checkFile = (sourceFile: ts.SourceFile): void => {
      if (options.capacities !== false) {
        for (const capacity of findOversizedCapacities(sourceFile, checker, maxCapacity)) {
          context.report({
            loc: locOf(capacity.value),
            messageId: 'capacityTooLarge',
            data: { name: capacity.name, amount: capacity.amount.toLocaleString('en-US'), max: maxCapacity.toLocaleString('en-US') },
          });
        }
      }
      if (options.arrayQueues === false && options.growOnlyCollections === false) {
        return;
      }
      const collections = getLongLivedCollections(sourceFile, program);
      if (options.arrayQueues !== false) {
        for (const queue of findUnboundedArrayQueues(collections, { everyProducer: everyShape, checker })) {
          context.report({
            loc: locOf(queue.growth.site),
            messageId: 'arrayQueue',
            data: {
              queue: queue.collection.text,
              drain: `${queue.collection.text}.${queue.drain.operation}()`,
              drainLine: String(lineOf(queue.drain.site)),
              observed: queue.observingCheck === undefined ? '' : ` (the length check on line ${String(lineOf(queue.observingCheck))} lets the push happen anyway)`,
            },
          });
        }
      }
      if (options.growOnlyCollections !== false) {
        for (const grown of findGrowOnlyCollections(collections, { everyCache: everyShape, checker })) {
          context.report({
            loc: locOf(grown.growth.site),
            messageId: 'growOnlyCollection',
            data: {
              collection: grown.collection.text,
              when: grown.shape === 'cache' ? 'for every new key' : 'on every request',
              kind: KIND_NAMES[grown.collection.kind],
            },
          });
        }
      }
    };

    return {
      Program(node: TSESTree.Program): void {
        checkFile(services.esTreeNodeToTSNodeMap.get(node));
      },
      CallExpression(node: TSESTree.CallExpression): void {
        const call = services.esTreeNodeToTSNodeMap.get(node);
        if (options.fanOut !== false) {
          const fanOut = getUnboundedFanOut(call, program);
          if (fanOut !== undefined && (everyShape || runsPerRequest(call))) {
            context.report({ node, messageId: 'unboundedFanOut', data: { combinator: fanOut.combinator, work: fanOut.work, source: shorten(fanOut.source.getText()) } });
            return;
          }
        }
        if (options.queueLibraries !== false) {
          const enqueue = getUnboundedEnqueue(call, program, queueApis);
          if (enqueue !== undefined) {
            context.report({
              node,
              messageId: 'queueWithoutBackpressure',
              data: {
                call: callText(call),
                queue: shorten(enqueue.queue),
                producer: enqueue.producer,
                library: enqueue.api.package,
                remedy: capitalise(enqueue.api.remedy ?? 'look at the backlog and wait for room before adding'),
              },
            });
            return;
          }
        }
        if (options.listeners !== false) {
          const leak = getListenerLeak(call, checker);
          if (leak !== undefined) {
            context.report({ node, messageId: 'listenerLeak', data: { call: callText(call), target: shorten(leak.target), repeatedBy: leak.repeatedBy } });
            return;
          }
        }
        if (options.streamWrites !== false) {
          const ignored = getIgnoredBackpressure(call, program);
          if (ignored !== undefined && !reportedLoops.has(ignored.loop.node)) {
            reportedLoops.add(ignored.loop.node);
            context.report({ node, messageId: 'ignoredBackpressure', data: { call: callText(call), loop: ignored.loop.description, stream: shorten(ignored.stream) } });
          }
        }
      },
    };
  },
});

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
