import { RuleTester } from '@typescript-eslint/rule-tester';
import { fileURLToPath } from 'node:url';
import * as vitest from 'vitest';

RuleTester.afterAll = vitest.afterAll;
RuleTester.describe = vitest.describe;
RuleTester.it = vitest.it;
RuleTester.itOnly = vitest.it.only;

/** The typed fixture project: its tsconfig includes `file.ts`, which every typed case is linted as. */
export const fixtureProjectDirectory = fileURLToPath(new URL('fixtures', import.meta.url));

/**
 * A `RuleTester` whose cases are type-checked as `test/fixtures/file.ts` of a real program, or as
 * `file.ts` of another fixture project (a folder under `test/fixtures` whose tsconfig includes it).
 */
export function createTypedRuleTester(project?: string): RuleTester {
  return new RuleTester({
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: project === undefined ? fixtureProjectDirectory : `${fixtureProjectDirectory}/${project}`,
      },
    },
  });
}

/** A `RuleTester` without type information, as a JS file or a file outside every tsconfig is linted. */
export function createUntypedRuleTester(): RuleTester {
  return new RuleTester();
}
