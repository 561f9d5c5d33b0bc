import { describe, expect, it } from 'vitest';

import { corpusPackages, installedVersion } from './corpus.js';
import { codemodsOf, describeRunProblems, runCodemodOnCorpusPackage } from './corpus-codemods.js';
import { compareWithReviewedRewrites, describeRewritesComparison, hasReviewedRewrites, readReviewedRewrites } from './reviewed.js';

/**
 * Every codemod over every corpus package, through the real CLI: no errored file, the dry run
 * and the real one agree, `tsc` finds no new error in the rewritten copy, a second run changes
 * nothing, and every conversion and refusal is one a reviewer judged
 * (`<package>.<codemod>.reviewed.json`).
 */
describe('the codemods on the real-code corpus', () => {
  for (const corpusPackage of corpusPackages) {
    for (const codemod of codemodsOf(corpusPackage)) {
      it(`${codemod} on ${corpusPackage.name}`, { timeout: 900_000 }, () => {
        expect(hasReviewedRewrites(corpusPackage, codemod), 'run `npm run corpus` to create the reviewed file').toBe(true);
        const run = runCodemodOnCorpusPackage(corpusPackage, codemod);
        expect(run.dry.counts.scanned).toBeGreaterThan(0);
        expect(describeRunProblems(run)).toEqual([]);
        const comparison = compareWithReviewedRewrites(run.rewrites, readReviewedRewrites(corpusPackage, codemod), installedVersion(corpusPackage));
        expect(describeRewritesComparison(corpusPackage, codemod, comparison), 'run `npm run corpus` and review what moved').toEqual([]);
      });
    }
  }
});
