import ts from 'typescript';

import { getDeclarationOrigin } from '../core/declaration-origin.js';
import { resolveAlias } from '../core/symbols.js';
import { unwrapParentheses } from '../core/transparent-syntax.js';

/**
 * Timers as `no-floating-without-abort` sees them. A timer whose handle nobody keeps cannot be
 * cleared, and a `timers/promises` timer without a signal cannot be cut short: both keep the
 * process (and whatever they close over) alive until they fire, or forever for an interval.
 */

/**
 * A call of the platform's `setTimeout` or `setInterval`:
 * - `callback`: the global or `node:timers` one, which takes a function and returns a handle;
 * - `promise`: the one of `node:timers/promises`, which returns a promise (`setTimeout`) or an
 *   async iterator (`setInterval`) and stops only through the `signal` of its options.
 */
export interface TimerCall {
  api: 'setTimeout' | 'setInterval';
  flavour: 'callback' | 'promise';
  /** The argument that gives the delay: second for a callback timer, first for a promise one. */
  delay: ts.Expression | undefined;
}

const TIMER_NAMES = new Set(['setTimeout', 'setInterval']);

const TIMER_MODULES = new Set(['timers', 'node:timers', 'timers/promises', 'node:timers/promises']);
const timerAliasesByFile = new WeakMap<ts.SourceFile, ReadonlySet<string>>();

/** The local names a file imports a timer under: `sleep` for `import { setTimeout as sleep } from 'node:timers/promises'`. */
function getTimerAliases(sourceFile: ts.SourceFile): ReadonlySet<string> {
  let aliases = timerAliasesByFile.get(sourceFile);
  if (aliases === undefined) {
    const names = new Set<string>();
    for (const statement of sourceFile.statements) {
      const bindings = ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && TIMER_MODULES.has(statement.moduleSpecifier.text) ? statement.importClause?.namedBindings : undefined;
      if (bindings === undefined) {
        continue;
      }
      if (ts.isNamespaceImport(bindings)) {
        names.add(bindings.name.text);
      } else {
        for (const element of bindings.elements) {
          names.add(element.name.text);
        }
      }
    }
    aliases = names;
    timerAliasesByFile.set(sourceFile, aliases);
  }
  return aliases;
}

/**
 * Whether the callee as written can be a timer: `setTimeout`, `globalThis.setInterval`, or a name
 * the file imports from a timers module. Checked before the checker resolves anything, because the
 * rule asks it of every expression statement.
 */
function mayNameTimer(callee: ts.Expression): boolean {
  if (ts.isPropertyAccessExpression(callee)) {
    return TIMER_NAMES.has(callee.name.text) || (ts.isIdentifier(callee.expression) && getTimerAliases(callee.getSourceFile()).has(callee.expression.text));
  }
  return ts.isIdentifier(callee) && (TIMER_NAMES.has(callee.text) || getTimerAliases(callee.getSourceFile()).has(callee.text));
}

/** Whether `call` calls a platform timer, and which one; see {@link TimerCall}. */
export function getTimerCall(call: ts.CallExpression, program: ts.Program): TimerCall | undefined {
  const callee = unwrapParentheses(call.expression);
  if (!mayNameTimer(callee)) {
    return undefined;
  }
  const checker = program.getTypeChecker();
  const symbol = resolveAlias(checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee), checker);
  const name = symbol?.getName();
  if (symbol === undefined || name === undefined || !TIMER_NAMES.has(name)) {
    return undefined;
  }
  const api = name as TimerCall['api'];
  for (const declaration of symbol.getDeclarations() ?? []) {
    const origin = getDeclarationOrigin(declaration, program);
    if (origin.kind === 'global' || (origin.kind === 'package' && origin.name === 'node:timers')) {
      return { api, flavour: 'callback', delay: call.arguments[1] };
    }
    if (origin.kind === 'package' && origin.name === 'node:timers/promises') {
      return { api, flavour: 'promise', delay: call.arguments[0] };
    }
  }
  return undefined;
}

