import type ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { describeHotPathReason, getHotPathReason, type HotPathReason } from '../../../analysis/non-null/hot-path.js';
import { getAnnotatedAssertions, getFixtureSourceFile, loadAnalysisProgram } from '../fixture-program.js';

const program = loadAnalysisProgram();
const options = { hotFunctions: ['process*'] };

function answer(reason: HotPathReason | undefined): string {
  return reason === undefined ? 'cold' : `hot: ${reason.kind}`;
}

describe.each(['hot-path.ts', 'app/orders/route.ts'])('getHotPathReason in %s', (file) => {
  const assertions = getAnnotatedAssertions(getFixtureSourceFile(program, file));

  it('finds the annotated assertions', () => {
    expect(assertions.length).toBeGreaterThan(0);
    expect(assertions.filter(({ expected }) => !/^(hot: [a-z-]+|cold)$/.test(expected))).toEqual([]);
  });

  it.each(assertions.map((entry) => [entry.label, entry] as const))('%s', (_label, { assertion, expected }) => {
    expect(answer(getHotPathReason(assertion, program, options))).toBe(expected);
  });
});

describe('getHotPathReason in test files', () => {
  const assertions = getAnnotatedAssertions(getFixtureSourceFile(program, '__tests__/orders.ts'));

  it('finds the annotated assertions', () => {
    expect(assertions.length).toBe(2);
  });

  it.each(assertions.map((entry) => [entry.label, entry] as const))('%s is not hot by default', (_label, { assertion }) => {
    expect(answer(getHotPathReason(assertion, program, options))).toBe('cold');
  });

  it.each(assertions.map((entry) => [entry.label, entry] as const))('%s is hot when tests are checked too', (_label, { assertion, expected }) => {
    expect(answer(getHotPathReason(assertion, program, { ...options, testFiles: [] }))).toBe(expected);
  });

  it('matches the globs against the path from the program directory', () => {
    const [first] = assertions;
    if (first === undefined) throw new Error('no assertion');
    expect(answer(getHotPathReason(first.assertion, program, { testFiles: ['**/app/**'] }))).toBe('hot: loop');
    expect(answer(getHotPathReason(first.assertion, program, { testFiles: ['test/fixtures/analysis/__tests__/*.ts'] }))).toBe('cold');
  });
});

describe('describeHotPathReason', () => {
  const assertions = getAnnotatedAssertions(getFixtureSourceFile(program, 'hot-path.ts'));
  const reasonAtLine = (line: number, hotFunctions = options.hotFunctions): HotPathReason | undefined => {
    const entry = assertions.find(({ label }) => label.startsWith(`hot-path.ts:${line} `));
    if (entry === undefined) {
      throw new Error(`no assertion on line ${line}`);
    }
    return getHotPathReason(entry.assertion, program, { hotFunctions });
  };
  const describeLine = (line: number): string | undefined => {
    const reason = reasonAtLine(line);
    return reason === undefined ? undefined : describeHotPathReason(reason);
  };

  it('names the loop and its line', () => {
    expect(reasonAtLine(19)).toEqual({ kind: 'loop', loopKind: 'while', line: 19 });
    expect(describeLine(19)).toBe('inside a `while` loop at line 19');
  });

  it('names the iteration method, found through the receiver type', () => {
    expect(describeLine(35)).toBe('inside a `some` callback at line 35, which runs once per element');
  });

  it('names the registering library and the line of a handler', () => {
    expect(describeLine(61)).toBe('in a request handler registered at line 60 (node:http)');
    expect(describeLine(73)).toBe('in a request handler registered at line 73 (express)');
    expect(describeLine(64)).toBe("in a 'data' handler registered at line 64");
  });

  it('names the annotated function and the matching pattern', () => {
    expect(describeLine(78)).toBe('in `annotated`, marked @hot at line 77');
    expect(describeLine(82)).toBe('in `annotatedArrow`, marked @hot at line 82');
    expect(describeLine(102)).toBe('in `Worker.processJob` (line 101), which matches the hotFunctions pattern `process*`');
  });

  it('matches hotFunctions patterns against qualified names', () => {
    expect(reasonAtLine(107)).toBeUndefined();
    expect(reasonAtLine(107, ['Worker.plain'])).toMatchObject({ kind: 'hot-functions-option', pattern: 'Worker.plain' });
    expect(reasonAtLine(107, ['plain'])).toMatchObject({ kind: 'hot-functions-option', functionName: 'Worker.plain' });
    expect(reasonAtLine(107, ['Other.*'])).toBeUndefined();
  });
});

describe('handlers found through their parameter types', () => {
  const assertions = getAnnotatedAssertions(getFixtureSourceFile(program, 'hot-path.ts'));
  it('says the function takes a request and its response', () => {
    const entry = assertions.find(({ label }) => label.startsWith('hot-path.ts:120 '));
    const reason = entry === undefined ? undefined : getHotPathReason(entry.assertion, program);
    expect(reason === undefined ? undefined : describeHotPathReason(reason)).toBe(
      'in `productHandler` (line 119), a request handler: it takes a node:http request and its response',
    );
  });
});

describe('the coldFunctions option', () => {
  const assertions = getAnnotatedAssertions(getFixtureSourceFile(program, 'hot-path.ts'));
  const lineOf = (assertion: ts.Node): number => assertion.getSourceFile().getLineAndCharacterOfPosition(assertion.getStart()).line + 1;
  const startUp = assertions.filter(({ assertion }) => lineOf(assertion) >= 134 && lineOf(assertion) < 167);

  it('covers the start-up entry points of the fixture', () => {
    expect(startUp.filter(({ expected }) => expected === 'cold').length).toBe(4);
  });

  it.each(startUp.filter(({ expected }) => expected === 'cold').map((entry) => [entry.label, entry] as const))('%s is hot with coldFunctions: []', (_label, { assertion }) => {
    expect(answer(getHotPathReason(assertion, program, { ...options, coldFunctions: [] }))).toMatch(/^hot: (loop|iteration-callback)$/);
  });

  it('replaces the default names with the given ones', () => {
    const settings = startUp.find(({ label }) => label.includes(':153 '));
    const migrate = startUp.find(({ label }) => label.includes(':136 '));
    if (settings === undefined || migrate === undefined) throw new Error('fixture lines moved');
    expect(answer(getHotPathReason(settings.assertion, program, { coldFunctions: ['StartupClient.settings'] }))).toBe('cold');
    expect(answer(getHotPathReason(migrate.assertion, program, { coldFunctions: ['StartupClient.settings'] }))).toBe('hot: loop');
  });
});

describe('helpers called from a hot path', () => {
  const assertions = getAnnotatedAssertions(getFixtureSourceFile(program, 'hot-path.ts'));
  const describeLine = (line: number): string | undefined => {
    const entry = assertions.find(({ label }) => label.startsWith(`hot-path.ts:${line} `));
    if (entry === undefined) throw new Error(`no assertion on line ${line}`);
    const reason = getHotPathReason(entry.assertion, program, options);
    return reason === undefined ? undefined : describeHotPathReason(reason);
  };

  it('names the helper, the call and why the call is hot', () => {
    expect(describeLine(171)).toBe('in `priceOf` (line 170), called at line 191 inside a `for…of` loop at line 191');
    expect(describeLine(174)).toBe('in `labelOf` (line 173), called at line 193 inside a `map` callback at line 193, which runs once per element');
    expect(describeLine(201)).toBe('in `PriceList.lookup` (line 200), called at line 204 inside a `reduce` callback at line 204, which runs once per element');
  });
});
