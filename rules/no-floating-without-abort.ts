import { typeOrValueSpecifiersSchema } from '@typescript-eslint/type-utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';

import { type FunctionBoundary, getEnclosingFunction, isFunctionBoundary } from '../analysis/core/functions.js';
import { getRequestHandlerRole } from '../analysis/core/request-handlers.js';
import { lineOf, shorten } from '../analysis/core/source-text.js';
import { skipTransparentDown } from '../analysis/core/transparent-syntax.js';
import { type TypeOrValueSpecifier, typeMatchesSomeSpecifier } from '../analysis/core/type-matches-specifier.js';
import { consumesStream, endsTheProcess, getFloatingExpression, getWorks, settlesEnclosingPromise, type Work } from '../analysis/signals/floating-work.js';
import { getRaceTimeout } from '../analysis/signals/race-timeout.js';
import { findSignalInScope, getPassSignalEdit, getSignalReach, handsSignalToCallback, isPlatformCall, type SignalInScope, type SignalReach } from '../analysis/signals/signal-flow.js';
import { foldNumber } from '../analysis/core/constant-number.js';
import { getTimerCall } from '../analysis/signals/timers.js';
import { createWorkFactsCache, describeWait, getCalledFunctionWithBody, getWorkFacts, type WorkFacts } from '../analysis/signals/work-facts.js';
import { createRule } from './utils/create-rule.js';
import { getTypeServices } from './utils/type-services.js';

export interface NoFloatingWithoutAbortOptions {
  /** A discarded `setTimeout` handle is reported from this delay on, in milliseconds (default 10 000). */
  minDelayMs?: number;
  /** Where calls that take a signal are checked when awaited too, not only when floating. */
  checkAwaited?: 'request-handlers' | 'always' | 'never';
  /** The project's fire-and-forget helpers (`fireAndForget(p)`): what they are given floats. */
  detachHelpers?: TypeOrValueSpecifier[];
  /** Calls that take ownership of a promise and stop its work on shutdown (`tasks.track(p)`). */
  taskOwners?: TypeOrValueSpecifier[];
  /** Calls whose work is known to be short, left alone when they float. */
  allow?: TypeOrValueSpecifier[];
}

export type Options = [NoFloatingWithoutAbortOptions];
export type MessageId =
  | 'floatingTakesSignal'
  | 'floatingUnstoppable'
  | 'immortalTask'
  | 'discardedInterval'
  | 'discardedTimeout'
  | 'raceWithoutAbort'
  | 'raceTimerNotCleared'
  | 'signalNotForwarded'
  | 'passSignal';

/** Test registrations of node:test, vitest, jest and mocha: they return promises the runner awaits. */
const TEST_REGISTRATIONS = new Set(['test', 'it', 'describe', 'suite', 'context', 'before', 'after', 'beforeEach', 'afterEach', 'beforeAll', 'afterAll']);
const TEST_MODIFIERS = new Set(['skip', 'only', 'todo', 'each', 'concurrent', 'sequential', 'fails']);

function isTestRegistration(call: ts.CallExpression | ts.NewExpression): boolean {
  let callee: ts.Expression = skipTransparentDown(call.expression);
  // `describe.each(table)(name, fn)`, `test.only(name, fn)`, `t.test(name, fn)`.
  for (;;) {
    if (ts.isCallExpression(callee)) {
      callee = skipTransparentDown(callee.expression);
    } else if (ts.isPropertyAccessExpression(callee) && TEST_MODIFIERS.has(callee.name.text)) {
      callee = skipTransparentDown(callee.expression);
    } else {
      break;
    }
  }
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name !== undefined && TEST_REGISTRATIONS.has(name);
}

/** Whether a body shows work that goes on: a poller, a long wait, or a loop that never ends. */
function showsLongWork(facts: WorkFacts): boolean {
  return facts.wait !== undefined || facts.endlessLoop !== undefined;
}

/** `settleInvoice(order)`, `the async function on line 4`, for messages. */
function describeWork(work: Work): string {
  if (work.kind === 'call') {
    return `\`${shorten(work.call.getText())}\``;
  }
  return skipTransparentDown(work.call.expression) === work.fn
    ? `the async function on line ${String(lineOf(work.fn))}`
    : `the callback on line ${String(lineOf(work.fn))}`;
}

function describeSignalPlace(reach: Extract<SignalReach, { kind: 'accepted-not-passed' }>): string {
  return reach.where === 'parameter' ? `parameter \`${reach.name}\`` : `option \`${reach.name}\``;
}

function describeLoop(loop: ts.IterationStatement): string {
  if (ts.isWhileStatement(loop)) return '`while`';
  if (ts.isDoStatement(loop)) return '`do…while`';
  if (ts.isForOfStatement(loop)) return loop.awaitModifier === undefined ? '`for…of`' : '`for await…of`';
  if (ts.isForInStatement(loop)) return '`for…in`';
  return '`for`';
}

function describeDelay(milliseconds: number): string {
  return milliseconds >= 60_000 && milliseconds % 60_000 === 0
    ? `${String(milliseconds / 60_000)} min`
    : milliseconds >= 1_000
      ? `${String(milliseconds / 1_000)} s`
      : `${String(milliseconds)} ms`;
}

export default createRule<Options, MessageId>({
  name: 'no-floating-without-abort',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow fire-and-forget work, timers and timeouts that nothing can cancel',
      recommended: true,
      requiresTypeChecking: true,
      strictOptions: [{ checkAwaited: 'always' }],
    },
    hasSuggestions: true,
    messages: {
      floatingTakesSignal:
        '{{work}} floats without an AbortSignal although it takes one ({{place}}): once its caller has gone, nothing can stop it. Pass the caller\'s signal, or `AbortSignal.timeout(ms)`.',
      floatingUnstoppable:
        '{{work}} floats and nothing can stop it: {{why}}, and no AbortSignal reaches it. Give it a signal it checks, or hand it to an owner that aborts it on shutdown.',
      immortalTask:
        '{{work}} floats and never ends: its {{loop}} loop (line {{line}}) has no exit and checks no AbortSignal, so it runs as long as the process. Loop until a signal its owner aborts is aborted.',
      discardedInterval:
        'The handle of this `setInterval` is dropped, so nothing can ever clear it: it runs, and keeps what it closes over, as long as the process. Keep the handle and clear it when its owner stops.',
      discardedTimeout:
        'The handle of this `setTimeout` ({{delay}}) is dropped, so nothing can cancel it: it keeps the process and what it closes over alive until it fires. Keep the handle and clear it when its owner stops.',
      raceWithoutAbort:
        '`Promise.race` stops waiting for `{{work}}` when the timeout ({{timeoutLine}}) wins, but nothing stops the work: it gets no AbortSignal and keeps running. {{remedy}}',
      raceTimerNotCleared:
        'The timer of this `Promise.race` timeout ({{timerLine}}) is never cleared: when the work wins, the timer still keeps the process alive until it fires. Clear it in a `finally`, or use `AbortSignal.timeout(ms)`.',
      signalNotForwarded:
        '`{{call}}` takes an AbortSignal ({{place}}) and `{{signal}}` is in scope, but it is not passed: when `{{signal}}` aborts, this call keeps running.',
      passSignal: 'Pass `{{signal}}`.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          minDelayMs: { type: 'number', minimum: 0, description: 'A discarded `setTimeout` handle is reported from this delay on, in milliseconds.' },
          checkAwaited: {
            type: 'string',
            enum: ['request-handlers', 'always', 'never'],
            description: 'Where a call that takes a signal and gets none while one is in scope is reported when it is awaited, not only when it floats.',
          },
          detachHelpers: { ...typeOrValueSpecifiersSchema, description: "The project's fire-and-forget helpers: the work they are given floats." },
          taskOwners: { ...typeOrValueSpecifiersSchema, description: 'Calls that take ownership of a promise and stop its work on shutdown.' },
          allow: { ...typeOrValueSpecifiersSchema, description: 'Calls whose work is known to be short, left alone when they float.' },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ minDelayMs: 10_000, checkAwaited: 'request-handlers', detachHelpers: [], taskOwners: [], allow: [] }],
  },
  create(context, [options]) {
    const services = getTypeServices(context);
    if (services === undefined) {
      return {};
    }
    const { minDelayMs = 10_000, checkAwaited = 'request-handlers', detachHelpers = [], taskOwners = [], allow = [] } = options;
    const program = services.program;
    const checker = program.getTypeChecker();
    const factsCache = createWorkFactsCache();
    const handlerCache = new Map<FunctionBoundary, boolean>();
    /** Calls already reported as the work of a floating statement. */
    const reportedCalls = new Set<ts.Node>();

    const calleeMatches = (call: ts.CallExpression | ts.NewExpression, specifiers: readonly TypeOrValueSpecifier[]): boolean =>
      specifiers.length > 0 && typeMatchesSomeSpecifier(checker.getTypeAtLocation(call.expression), specifiers, program);

    const toNode = (node: ts.Node): TSESTree.Node => services.tsNodeToESTreeNodeMap.get(node);

    const passSignalSuggestion = (
      call: ts.CallExpression | ts.NewExpression,
      reach: Extract<SignalReach, { kind: 'accepted-not-passed' }>,
      signal: SignalInScope | undefined,
    ): TSESLint.SuggestionReportDescriptor<MessageId>[] => {
      const edit = signal === undefined ? undefined : getPassSignalEdit(call, reach, signal);
      if (signal === undefined || edit === undefined) {
        return [];
      }
      return [{ messageId: 'passSignal', data: { signal: signal.text }, fix: (fixer) => fixer.replaceTextRange([edit.start, edit.end], edit.text) }];
    };

    /** Reports `work` when it can outlive its caller with nothing to stop it; whether it did. */
    const judgeWork = (work: Work, reportAt: TSESTree.Node): boolean => {
      let facts: WorkFacts | undefined;
      if (work.kind === 'call') {
        const { call } = work;
        if (isTestRegistration(call) || consumesStream(call, program) || calleeMatches(call, allow) || calleeMatches(call, taskOwners)) {
          return false;
        }
        const reach = getSignalReach(call, program);
        if (reach.kind === 'passed' || reach.kind === 'unknown' || handsSignalToCallback(call, program)) {
          return false;
        }
        // A library's signal-taking call may be a local write that ends at once: it is reported when
        // it is the platform's I/O (`fetch`, `fs.promises`), when the caller has a signal to give,
        // or when its own body, in the program, shows work that goes on.
        const callee = getCalledFunctionWithBody(call, checker);
        const signal = reach.kind === 'accepted-not-passed' ? findSignalInScope(call, program) : undefined;
        if (
          reach.kind === 'accepted-not-passed' &&
          (isPlatformCall(call, program) || signal !== undefined || (callee !== undefined && showsLongWork(getWorkFacts(callee, program, factsCache))))
        ) {
          reportedCalls.add(call);
          context.report({
            node: reportAt,
            messageId: 'floatingTakesSignal',
            data: { work: describeWork(work), place: describeSignalPlace(reach) },
            suggest: passSignalSuggestion(call, reach, signal),
          });
          return true;
        }
        if (callee === undefined) {
          // Work whose body the program does not have, and which takes no signal: how long it runs is unknown.
          return false;
        }
        facts = getWorkFacts(callee, program, factsCache);
      } else {
        facts = getWorkFacts(work.fn, program, factsCache);
      }
      if (facts.stoppable) {
        return false;
      }
      if (facts.endlessLoop !== undefined) {
        context.report({
          node: reportAt,
          messageId: 'immortalTask',
          data: { work: describeWork(work), loop: describeLoop(facts.endlessLoop), line: String(lineOf(facts.endlessLoop)) },
        });
        return true;
      }
      if (facts.wait !== undefined) {
        context.report({
          node: reportAt,
          messageId: 'floatingUnstoppable',
          data: { work: describeWork(work), why: describeWait(facts.wait, work.call.getSourceFile()) },
        });
        return true;
      }
      return false;
    };

    const isInsideRequestHandler = (fn: FunctionBoundary | undefined): boolean => {
      // The handler itself, or a callback written inside it (`ids.map(async (id) => fetch(…))`).
      for (let current = fn, depth = 0; current !== undefined && depth < 4; current = getEnclosingFunction(current), depth++) {
        let known = handlerCache.get(current);
        if (known === undefined) {
          known = getRequestHandlerRole(current, checker) !== undefined;
          handlerCache.set(current, known);
        }
        if (known) {
          return true;
        }
      }
      return false;
    };

    const checkTimerStatement = (expression: ts.Expression, node: TSESTree.Node): void => {
      let inner = skipTransparentDown(expression);
      // `setInterval(tick, 1_000).unref()` drops the handle as well.
      if (ts.isCallExpression(inner) && ts.isPropertyAccessExpression(inner.expression) && ['unref', 'ref'].includes(inner.expression.name.text)) {
        inner = skipTransparentDown(inner.expression.expression);
      }
      if (!ts.isCallExpression(inner)) {
        return;
      }
      const timer = getTimerCall(inner, program);
      if (timer?.flavour !== 'callback') {
        return;
      }
      if (timer.api === 'setInterval') {
        context.report({ node, messageId: 'discardedInterval' });
        return;
      }
      const delay = timer.delay === undefined ? undefined : foldNumber(timer.delay, checker);
      if (delay !== undefined && delay >= minDelayMs) {
        context.report({ node, messageId: 'discardedTimeout', data: { delay: describeDelay(delay) } });
      }
    };

    return {
      ExpressionStatement(node): void {
        const statement = services.esTreeNodeToTSNodeMap.get(node);
        checkTimerStatement(statement.expression, node);
        // At module level the work is the program itself (`main().catch(…)`): there is no caller to outlive.
        const enclosingFunction = getEnclosingFunction(statement);
        if (enclosingFunction === undefined || settlesEnclosingPromise(statement, enclosingFunction)) {
          return;
        }
        const expression = skipTransparentDown(statement.expression);
        let works: Work[] | undefined;
        if (ts.isCallExpression(expression) && calleeMatches(expression, detachHelpers)) {
          works = expression.arguments.flatMap((argument): Work[] => {
            const inner = skipTransparentDown(argument);
            if (isFunctionBoundary(inner)) {
              return [{ kind: 'closure', fn: inner, call: expression }];
            }
            return getWorks(argument, program);
          });
        } else {
          const floating = getFloatingExpression(statement, checker);
          if (floating === undefined) {
            return;
          }
          if (endsTheProcess(floating)) {
            return;
          }
          const root = skipTransparentDown(floating);
          if ((ts.isCallExpression(root) || ts.isNewExpression(root)) && (isTestRegistration(root) || calleeMatches(root, taskOwners) || calleeMatches(root, allow))) {
            return;
          }
          works = getWorks(floating, program);
        }
        for (const work of works) {
          if (judgeWork(work, toNode(work.kind === 'call' ? work.call : work.fn))) {
            return;
          }
        }
      },
      CallExpression(node): void {
        const call = services.esTreeNodeToTSNodeMap.get(node);
        const race = getRaceTimeout(call, program, factsCache);
        if (race !== undefined) {
          if (race.unstoppedWork !== undefined) {
            context.report({
              node: toNode(race.unstoppedWork),
              messageId: 'raceWithoutAbort',
              data: {
                work: shorten(race.unstoppedWork.getText()),
                timeoutLine: `line ${String(lineOf(race.timeout))}`,
                remedy: race.workTakesSignal
                  ? 'Pass it `AbortSignal.timeout(ms)` instead of racing a timer.'
                  : 'Give it a signal to pass on (`AbortSignal.timeout(ms)`), or stop what it started when the timeout wins.',
              },
            });
          }
          if (race.timerNeverCleared && race.timer !== undefined) {
            const sameFile = race.timer.getSourceFile() === call.getSourceFile();
            context.report({
              node: toNode(sameFile ? race.timer : race.timeout),
              messageId: 'raceTimerNotCleared',
              data: { timerLine: sameFile ? `line ${String(lineOf(race.timer))}` : `started by \`${shorten(race.timeout.getText())}\`` },
            });
          }
          return;
        }
        if (checkAwaited === 'never' || reportedCalls.has(call)) {
          return;
        }
        const fn = getEnclosingFunction(call);
        if (fn === undefined || (checkAwaited === 'request-handlers' && !isInsideRequestHandler(fn))) {
          return;
        }
        const reach = getSignalReach(call, program);
        if (reach.kind !== 'accepted-not-passed') {
          return;
        }
        const signal = findSignalInScope(call, program);
        if (signal === undefined) {
          return;
        }
        context.report({
          node,
          messageId: 'signalNotForwarded',
          data: { call: shorten(call.getText()), place: describeSignalPlace(reach), signal: signal.text },
          suggest: passSignalSuggestion(call, reach, signal),
        });
      },
    };
  },
});
