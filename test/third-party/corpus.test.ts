import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';

import { corpusPackages, installedVersion, renderTsconfig, repositoryRoot, tsconfigPath } from './corpus.js';
import { lintCorpusPackage, ruleNames } from './corpus-lint.js';
import { compareWithReviewed, describeComparison, formatPrecision, hasReviewed, precisionByRule, readReviewed } from './reviewed.js';

/**
 * The real-code corpus, checked: every rule over every package, compared with the reviewed
 * verdicts. A new finding, a vanished one or a changed message fails with the list to review; the
 * fix is `npm run corpus`, then a verdict for each new entry (CONTRIBUTING.md says how).
 */
describe('the real-code corpus', () => {
  afterAll(() => {
    // Printed on every run, so CI logs show where each rule stands by its own verdicts.
    console.log(formatPrecision(precisionByRule(corpusPackages.map(readReviewed), ruleNames)));
  });

  it('pins every package exactly in package.json, with its tsconfig in step', () => {
    const manifest = JSON.parse(readFileSync(`${repositoryRoot}/package.json`, 'utf8')) as { devDependencies: Record<string, string> };
    for (const corpusPackage of corpusPackages) {
      expect(manifest.devDependencies[corpusPackage.name], corpusPackage.name).toBe(installedVersion(corpusPackage));
      expect(readFileSync(tsconfigPath(corpusPackage), 'utf8'), `${corpusPackage.name}: run npm run corpus`).toBe(renderTsconfig(corpusPackage));
      expect(hasReviewed(corpusPackage), `${corpusPackage.name} has a reviewed file`).toBe(true);
    }
    expect(corpusPackages.length).toBeGreaterThanOrEqual(10);
  });

  for (const corpusPackage of corpusPackages) {
    it(`${corpusPackage.name}: reports exactly the reviewed findings, each with a verdict`, { timeout: 600_000 }, async () => {
      const result = await lintCorpusPackage(corpusPackage);
      expect(result.filesLinted).toBeGreaterThan(0);
      expect(result.fatal, 'files nothing was checked in').toEqual([]);
      const comparison = compareWithReviewed(result.findings, readReviewed(corpusPackage), installedVersion(corpusPackage));
      expect(describeComparison(corpusPackage, comparison), 'run `npm run corpus` and review what moved').toEqual([]);
    });
  }
});
