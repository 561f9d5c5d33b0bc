import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { type Completion, type FlowExit, type FlowInterpreter, type FlowJump, walkControlFlow } from '../../../analysis/core/control-flow.js';

/**
 * The walker with the smallest client a lock rule would write: `lock()` and `tryLock()` take the
 * lock, `unlock()` releases it, every `await` and every other call may throw. What the client sees
 * is recorded, so each test reads as "on these paths, this ran while the lock was held".
 */
const Unlocked = 1;
const Locked = 2;

function describeState(state: number): string {
  const names = [(state & Unlocked) !== 0 ? 'unlocked' : '', (state & Locked) !== 0 ? 'locked' : ''].filter(Boolean);
  return names.length === 0 ? 'unreachable' : names.join('|');
}

function calleeName(node: ts.Node): string | undefined {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) ? node.expression.text : undefined;
}

interface Observed {
  exits: string[];
  awaitedWhileLocked: string[];
  jumpsOut: string[];
  caught: string[];
  finallyRuns: string[];
}

function walk(body: string): Observed {
  const sourceFile = ts.createSourceFile('file.ts', `async function f() {\n${body}\n}`, ts.ScriptTarget.Latest, true);
  const fn = sourceFile.statements[0] as ts.FunctionDeclaration;
  const text = (node: ts.Node): string => node.getText(sourceFile).replace(/\s+/g, ' ');
  const observed: Observed = { exits: [], awaitedWhileLocked: [], jumpsOut: [], caught: [], finallyRuns: [] };
  const interpreter: FlowInterpreter = {
    touches: () => true,
    evaluated(node, state) {
      if (ts.isAwaitExpression(node) && (state & Locked) !== 0) {
        observed.awaitedWhileLocked.push(text(node));
      }
      const name = calleeName(node);
      if (name === 'lock') return Locked;
      if (name === 'unlock') return Unlocked;
      return state;
    },
    throws: (node) => ts.isAwaitExpression(node) || (ts.isCallExpression(node) && !['lock', 'unlock', 'tryLock'].includes(calleeName(node) ?? '')),
    narrow(condition, state, whenTrue) {
      return calleeName(condition) === 'tryLock' ? (whenTrue ? Locked : Unlocked) : state;
    },
    leaveByJump(jump: FlowJump) {
      observed.jumpsOut.push(`${text(jump.node)} ${describeState(jump.state)}`);
      return jump.state;
    },
    enterCatch(thrown: FlowExit) {
      observed.caught.push(`${text(thrown.node)} ${describeState(thrown.state)}`);
      return thrown.state;
    },
    finallyRan(_statement: ts.TryStatement, input: number, output: Completion) {
      observed.finallyRuns.push(`${describeState(input)} → ${describeState(output.normal)}`);
    },
  };
  const body_ = fn.body;
  if (body_ === undefined) throw new Error('the test function has no body');
  for (const exit of walkControlFlow(body_, Unlocked, interpreter)) {
    observed.exits.push(`${exit.kind} ${exit.kind === 'end' ? '' : `${text(exit.node)} `}${describeState(exit.state)}`);
  }
  return observed;
}

describe('walkControlFlow', () => {
  it('reports what runs while a state holds and the state each exit is reached in', () => {
    const observed = walk('lock(); await read(); unlock();');
    expect(observed.awaitedWhileLocked).toEqual(['await read()']);
    // An exception from the awaited call skips the unlock: that exit leaves the lock held.
    expect(observed.exits).toEqual(['throw read() locked', 'throw await read() locked', 'end unlocked']);
  });

  it('runs `finally` on every way out and tells the client what it did', () => {
    const observed = walk('lock(); try { await read(); return 1; } finally { unlock(); }');
    expect(observed.exits).toEqual(['return return 1; unlocked', 'throw read() unlocked', 'throw await read() unlocked']);
    expect(new Set(observed.finallyRuns)).toEqual(new Set(['locked → unlocked']));
  });

  it('lets a `return` in `finally` replace the way the `try` left', () => {
    const observed = walk('try { lock(); await read(); } finally { return 0; }');
    // The exception of `read()` is swallowed: the only way out is the `finally`'s return.
    expect(observed.exits).toEqual(['return return 0; locked']);
  });

  it('follows exceptions into `catch` with the state they were thrown in', () => {
    const observed = walk('try { lock(); await read(); unlock(); } catch { log(); }');
    expect(observed.caught).toEqual(['read() locked', 'await read() locked']);
    expect(observed.exits).toContain('end unlocked|locked');
  });

  it('hands every jump out of a loop or a labelled block to the client', () => {
    const observed = walk('for (const item of items) { lock(); if (item) break; unlock(); }\nouter: { lock(); break outer; }');
    // A loop body is walked until its state stops growing, so a jump is reported on each pass.
    expect(new Set(observed.jumpsOut)).toEqual(new Set(['break; locked', 'break outer; locked']));
  });

  it('does not treat a `break` out of a `switch` as a jump edge', () => {
    const observed = walk('switch (kind) { case 1: lock(); break; default: unlock(); }');
    expect(observed.jumpsOut).toEqual([]);
    expect(observed.exits).toEqual(['end unlocked|locked']);
  });

  it('narrows on conditions and short-circuits', () => {
    expect(walk('if (tryLock()) { await read(); unlock(); }').awaitedWhileLocked).toEqual(['await read()']);
    expect(walk('if (!ready) return;\nready && lock();').exits).toEqual(['return return; unlocked', 'end unlocked|locked']);
  });

  it('does not run the bodies of functions written inside the walked code', () => {
    const observed = walk('lock(); setTimeout(async () => { await read(); unlock(); });');
    expect(observed.awaitedWhileLocked).toEqual([]);
    expect(observed.exits).toContain('end locked');
  });

  it('reaches a fixed point in loops: a lock taken in one iteration is held at the next one’s await', () => {
    const observed = walk('while (more()) { await read(); lock(); }');
    expect(observed.awaitedWhileLocked).toEqual(['await read()']);
  });

  it('skips code no path reaches', () => {
    const observed = walk('return;\nlock(); await read();');
    expect(observed.awaitedWhileLocked).toEqual([]);
    expect(observed.exits).toEqual(['return return; unlocked']);
  });
});
