import { describe, expect, it } from 'vitest';

import { getNonNullAssertionSafety } from '../../../analysis/non-null/assertion-safety.js';
import { getAnnotatedAssertions, getFixtureSourceFile, loadAnalysisProgram } from '../fixture-program.js';

const program = loadAnalysisProgram();
const assertions = getAnnotatedAssertions(getFixtureSourceFile(program, 'index-bounds.ts'));

describe('getNonNullAssertionSafety for index reads kept in bounds', () => {
  it('finds the annotated assertions', () => {
    expect(assertions.length).toBeGreaterThan(50);
    expect(assertions.filter(({ expected }) => !/^(safe: [a-z-]+|unsafe)$/.test(expected)).map(({ label }) => label)).toEqual([]);
  });

  it.each(assertions.map((entry) => [entry.label, entry] as const))('%s', (_label, { assertion, expected }) => {
    const safety = getNonNullAssertionSafety(assertion, program);
    expect(safety === undefined ? 'unsafe' : `safe: ${safety.kind}`).toBe(expected);
  });
});
