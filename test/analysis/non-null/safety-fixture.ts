import { describe, expect, it } from 'vitest';

import { getNonNullAssertionSafety } from '../../../analysis/non-null/assertion-safety.js';
import { getAnnotatedAssertions, getFixtureSourceFile, loadAnalysisProgram } from '../fixture-program.js';

/**
 * Checks every `x!` of an analysis fixture against the answer written at the end of its line
 * (`// safe: <kind>` or `// unsafe`). `minimum` guards against a fixture that silently lost its
 * assertions, which would make every case pass.
 */
export function describeSafetyFixture(title: string, fixture: string, minimum: number): void {
  const program = loadAnalysisProgram();
  const assertions = getAnnotatedAssertions(getFixtureSourceFile(program, fixture));

  describe(title, () => {
    it('finds the annotated assertions', () => {
      expect(assertions.length).toBeGreaterThan(minimum);
      expect(assertions.filter(({ expected }) => !/^(safe: [a-z-]+|unsafe)$/.test(expected)).map(({ label }) => label)).toEqual([]);
    });

    it.each(assertions.map((entry) => [entry.label, entry] as const))('%s', (_label, { assertion, expected }) => {
      const safety = getNonNullAssertionSafety(assertion, program);
      expect(safety === undefined ? 'unsafe' : `safe: ${safety.kind}`).toBe(expected);
    });
  });
}
