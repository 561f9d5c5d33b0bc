import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fixture projects may hold their own test files (a package's test/ folder); they are inputs
    // for the codemods, not tests of this project.
    exclude: [...configDefaults.exclude, 'test/fixtures/**'],
    // Typed linting builds a TypeScript program per fixture project; the first test of a file pays
    // for it, so the default five seconds is too short on a two-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
