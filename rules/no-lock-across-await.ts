import { typeOrValueSpecifiersSchema } from '@typescript-eslint/type-utils';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';

import { findCriticalSection, isUnawaitedAcquisition } from '../analysis/locks/critical-section.js';
import { getLockAcquisition, type LockContext, type UserLockSpecifier } from '../analysis/locks/lock-apis.js';
import { lineOf, shorten } from '../analysis/core/source-text.js';
import { createRule } from './utils/create-rule.js';
import { getNodeLocation, isTestFile } from './utils/locations.js';
import { getTypeServices } from './utils/type-services.js';

export interface NoLockAcrossAwaitOptions {
  /** `guarded-state` (default): awaits of what the section does not guard; `all-awaits`: every await. */
  mode?: 'guarded-state' | 'all-awaits';
  /** Calls allowed to be awaited while held (`appendFile`, `this.log.flush`): what the lock exists to serialise. */
  allowAwaitOf?: string[];
  /** Leave test files alone, where locks serialise whole async tests (default `true`). */
  ignoreInTests?: boolean;
  /** Leave every `Semaphore` alone, also those of capacity 1. */
  ignoreSemaphores?: boolean;
  /** The project's own lock APIs. */
  locks?: UserLockSpecifier[];
}

export type Options = [NoLockAcrossAwaitOptions];
export type MessageId = 'awaitWhileHeld' | 'reentry' | 'releaseSkipped' | 'unawaitedAcquire' | 'floatingInSection';


export default createRule<Options, MessageId>({
  name: 'no-lock-across-await',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow awaiting unrelated work while an async lock is held, re-entering a held lock, and releases an exception can skip',
      recommended: true,
      requiresTypeChecking: true,
      strictOptions: [{ mode: 'all-awaits' }],
    },
    messages: {
      awaitWhileHeld:
        'This `await` waits for {{what}} while `{{lock}}` is held (taken on line {{line}}): every other caller of the lock waits for it too. Do it before taking the lock or after releasing it, and hold the lock only around {{guarded}}.',
      reentry:
        '`{{lock}}` is taken again{{via}} while it is held (taken on line {{line}}): the lock waits for its own release, which never comes.',
      releaseSkipped:
        'The release of `{{lock}}` (taken on line {{line}}) is skipped when line {{throwLine}} throws, and every later caller then waits forever; {{remedy}}.',
      unawaitedAcquire:
        '`{{call}}` is not awaited: the code after it runs without holding the lock, so nothing is exclusive.',
      floatingInSection:
        'This promise is neither awaited nor returned inside the exclusive callback of `{{lock}}`: the lock is released when the callback returns, before this work is done.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          mode: { type: 'string', enum: ['guarded-state', 'all-awaits'], description: 'Which awaits in a critical section are reported: those of work the section does not guard, or all.' },
          allowAwaitOf: { type: 'array', items: { type: 'string' }, description: 'Calls that may be awaited while a lock is held, matched against the callee as written.' },
          ignoreInTests: { type: 'boolean', description: 'Leave test files alone, where locks serialise whole async tests.' },
          ignoreSemaphores: { type: 'boolean', description: 'Leave every Semaphore alone, also those of capacity 1.' },
          locks: {
            type: 'array',
            description: "The project's own lock APIs: the lock's type, the method that takes it, and how it is held.",
            items: {
              type: 'object',
              properties: {
                type: typeOrValueSpecifiersSchema.items,
                method: { type: 'string' },
                form: { type: 'string', enum: ['release-function', 'callback'] },
              },
              required: ['type', 'method', 'form'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ mode: 'guarded-state', allowAwaitOf: [], ignoreInTests: true, ignoreSemaphores: false, locks: [] }],
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
    const lockContext: LockContext = { checker: program.getTypeChecker(), program, userLocks: options.locks ?? [] };
    const allowed = options.allowAwaitOf ?? [];
    const everyAwait = options.mode === 'all-awaits';
    const locOf = (node: ts.Node): TSESTree.SourceLocation => getNodeLocation(context.sourceCode, node);
    const isAllowed = (awaitNode: ts.Node): boolean => {
      const awaited = ts.isAwaitExpression(awaitNode) ? awaitNode.expression : undefined;
      if (awaited === undefined || !ts.isCallExpression(awaited)) {
        return false;
      }
      const callee = awaited.expression.getText().replace(/\s+/g, '');
      return allowed.some((pattern) => callee === pattern || callee.endsWith(`.${pattern}`));
    };
    const describeAwaited = (awaitNode: ts.Node): string => {
      if (ts.isForOfStatement(awaitNode)) {
        return 'the next item of an async iteration';
      }
      if (ts.isYieldExpression(awaitNode)) {
        return 'the consumer of this generator';
      }
      const awaited = ts.isAwaitExpression(awaitNode) ? awaitNode.expression : awaitNode;
      return `\`${shorten(ts.isCallExpression(awaited) ? `${awaited.expression.getText()}()` : awaited.getText())}\``;
    };
    const describeGuarded = (keys: readonly string[]): string => {
      if (keys.length === 0) {
        return 'the state it guards';
      }
      const shown = keys.slice(0, 3).map((key) => `\`${key}\``);
      return `what it guards (${shown.join(', ')}${keys.length > 3 ? ', …' : ''})`;
    };

    return {
      CallExpression(node: TSESTree.CallExpression): void {
        if (node.callee.type !== AST_NODE_TYPES.MemberExpression) {
          return;
        }
        const call = services.esTreeNodeToTSNodeMap.get(node);
        const acquisition = getLockAcquisition(call, lockContext);
        if (acquisition === undefined) {
          return;
        }
        if (options.ignoreSemaphores === true && acquisition.semaphore) {
          return;
        }
        if (isUnawaitedAcquisition(acquisition)) {
          context.report({ node, messageId: 'unawaitedAcquire', data: { call: `${acquisition.call.expression.getText()}()` } });
          return;
        }
        const section = findCriticalSection(acquisition, lockContext);
        if (section === undefined) {
          return;
        }
        const data = { lock: acquisition.lockText, line: String(lineOf(acquisition.call)) };
        if (!acquisition.shared) {
          for (const awaitNode of everyAwait ? section.awaits : section.unguardedAwaits) {
            if (isAllowed(awaitNode)) {
              continue;
            }
            const reported = ts.isForOfStatement(awaitNode) ? awaitNode.expression : awaitNode;
            context.report({
              loc: locOf(reported),
              messageId: 'awaitWhileHeld',
              data: { lock: data.lock, line: data.line, what: describeAwaited(awaitNode), guarded: describeGuarded(section.guardedState) },
            });
          }
        }
        for (const reentry of section.reentries) {
          context.report({
            loc: locOf(reentry.via ?? reentry.call),
            messageId: 'reentry',
            data: { lock: data.lock, line: data.line, via: reentry.via === undefined ? '' : ` by \`${reentry.via.expression.getText()}()\` (line ${String(lineOf(reentry.call))})` },
          });
        }
        if (section.releaseSkippedBy !== undefined) {
          const remedy = section.releasedInLateFinally
            ? 'start the `try` whose `finally` releases it right after taking the lock'
            : 'release it in a `finally` block, or use `runExclusive`';
          context.report({ node, messageId: 'releaseSkipped', data: { lock: data.lock, line: data.line, throwLine: String(lineOf(section.releaseSkippedBy)), remedy } });
        }
        for (const floating of section.floating) {
          context.report({ loc: locOf(floating), messageId: 'floatingInSection', data: { lock: data.lock } });
        }
      },
    };
  },
});
