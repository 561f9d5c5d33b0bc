import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { findSignalInScope, getSignalReach, type SignalInScope, type SignalReach } from '../../../analysis/signals/signal-flow.js';
import { getFixtureSourceFile, loadAnalysisProgram } from '../fixture-program.js';

const program = loadAnalysisProgram();
const sourceFile = getFixtureSourceFile(program, 'signal-flow.ts');

interface AnnotatedCall {
  call: ts.CallExpression | ts.NewExpression;
  expected: string;
  label: string;
}

/**
 * The first call or `new` of every line that ends with `// <prefix>: <answer>`. The fixture
 * annotates calls rather than `x!` assertions, so it cannot use `getAnnotatedAssertions`.
 */
function getAnnotatedCalls(prefix: 'reach' | 'scope'): AnnotatedCall[] {
  const lines = sourceFile.text.split('\n');
  const found = new Map<number, AnnotatedCall>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
      const annotation = new RegExp(`// ${prefix}: (.*)$`).exec(lines[line] ?? '');
      if (annotation?.[1] !== undefined && !found.has(line)) {
        found.set(line, { call: node, expected: annotation[1].trim(), label: `signal-flow.ts:${line + 1} ${node.getText(sourceFile)}` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return [...found.values()];
}

function describeReach(reach: SignalReach): string {
  switch (reach.kind) {
    case 'passed':
      return `passed ${reach.via} ${reach.argumentIndex} ${reach.signal.getText(sourceFile)}`;
    case 'accepted-not-passed':
      return `accepted-not-passed ${reach.where} ${reach.name} ${reach.argumentIndex}`;
    case 'not-accepted':
    case 'unknown':
      return reach.kind;
  }
}

function describeSignalInScope(signal: SignalInScope | undefined): string {
  return signal === undefined ? 'none' : `${signal.text} (${signal.access})`;
}

/** Lines of code that end with an annotation; the fixture's header comment only explains them. */
function countAnnotatedLines(prefix: string): number {
  return sourceFile.text.split('\n').filter((line) => !line.trimStart().startsWith('//') && line.includes(`// ${prefix}: `)).length;
}

describe('getSignalReach', () => {
  const calls = getAnnotatedCalls('reach');

  it('finds a call on every annotated line', () => {
    expect(calls.length).toBe(countAnnotatedLines('reach'));
    expect(calls.filter(({ expected }) => !/^(passed (argument|options-property) \d+ .+|accepted-not-passed (parameter|options-property) \w+ \d+|not-accepted|unknown)$/.test(expected))).toEqual([]);
  });

  it.each(calls.map((entry) => [entry.label, entry] as const))('%s', (_label, { call, expected }) => {
    expect(describeReach(getSignalReach(call, program))).toBe(expected);
  });

  it('answers with the signal expression itself, so a fix can point at it', () => {
    const entry = calls.find(({ expected }) => expected === 'passed options-property 1 AbortSignal.timeout(1000)');
    expect(entry).toBeDefined();
    const reach = entry === undefined ? undefined : getSignalReach(entry.call, program);
    expect(reach?.kind === 'passed' && ts.isCallExpression(reach.signal)).toBe(true);
  });
});

describe('findSignalInScope', () => {
  const calls = getAnnotatedCalls('scope');

  it('finds a call on every annotated line', () => {
    expect(calls.length).toBe(countAnnotatedLines('scope'));
  });

  it.each(calls.map((entry) => [entry.label, entry] as const))('%s', (_label, { call, expected }) => {
    expect(describeSignalInScope(findSignalInScope(call, program))).toBe(expected);
  });

  it('names the declaration, so a suggestion can check it is still in scope', () => {
    const entry = calls.find(({ expected }) => expected === 'cancel (itself)');
    const signal = entry === undefined ? undefined : findSignalInScope(entry.call, program);
    expect(signal?.declaration.text).toBe('cancel');
    expect(signal !== undefined && ts.isBindingElement(signal.declaration.parent)).toBe(true);
  });
});
