import { describe, expect, it } from 'vitest';

import { getNonNullAssertionSafety } from '../../../analysis/non-null/assertion-safety.js';
import { analysisFixtureDirectory, getAnnotatedAssertions, getFixtureSourceFile, loadAnalysisProgram } from '../fixture-program.js';

/**
 * Checks every `x!` of an analysis fixture against the answer written at the end of its line
 * (`// safe: <kind>` or `// unsafe`). `minimum` guards against a fixture that silently lost its
 * assertions, which would make every case pass. `project` is a folder of the analysis fixtures with
 * a tsconfig of its own, for compiler options the main fixture project does not set.
 */
export function describeSafetyFixture(title: string, fixture: string, minimum: number, project?: string): void {
  const program = loadAnalysisProgram(project === undefined ? undefined : `${analysisFixtureDirectory}/${project}`);
  const assertions = getAnnotatedAssertions(getFixtureSourceFile(program, project === undefined ? fixture : `${project}/${fixture}`));

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
