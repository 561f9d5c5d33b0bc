import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { createWorkFactsCache, getWorkFacts, type WorkFacts } from '../../../analysis/signals/work-facts.js';
import { getFixtureSourceFile, loadAnalysisProgram } from '../fixture-program.js';

const program = loadAnalysisProgram();
const sourceFile = getFixtureSourceFile(program, 'work-facts.ts');

/** Each exported function with the `// facts:` annotation on the line above it. */
function getAnnotatedFunctions(): { fn: ts.FunctionDeclaration; expected: string }[] {
  const lines = sourceFile.text.split('\n');
  return sourceFile.statements.filter(ts.isFunctionDeclaration).flatMap((fn) => {
    const line = sourceFile.getLineAndCharacterOfPosition(fn.getStart(sourceFile)).line;
    const annotation = /^\/\/ facts: (.*)$/.exec(lines[line - 1] ?? '');
    return annotation?.[1] === undefined ? [] : [{ fn, expected: annotation[1] }];
  });
}

function describeFacts(facts: WorkFacts): string {
  return `wait=${facts.wait?.kind ?? 'none'} endless=${facts.endlessLoop === undefined ? 'no' : 'yes'} stoppable=${facts.stoppable ? 'yes' : 'no'}`;
}

describe('getWorkFacts', () => {
  const annotated = getAnnotatedFunctions();

  it('reads every annotated function of the fixture', () => {
    expect(annotated.length).toBe(sourceFile.text.split('\n').filter((line) => line.startsWith('// facts: ')).length);
    expect(annotated.length).toBeGreaterThan(8);
  });

  it.each(annotated.map(({ fn, expected }) => [fn.name?.text ?? '?', fn, expected] as const))('%s', (_name, fn, expected) => {
    expect(describeFacts(getWorkFacts(fn, program, createWorkFactsCache()))).toBe(expected);
  });
});
