import { describe, expect, it } from 'vitest';

import type { CorpusPackage } from './corpus.js';
import type { Finding } from './corpus-lint.js';
import type { Rewrite } from './corpus-codemods.js';
import { compareWithReviewed, compareWithReviewedRewrites, describeComparison, isInStep, precisionByRule, type ReviewedFile, updateReviewed, updateReviewedRewrites } from './reviewed.js';

const corpusPackage: CorpusPackage = { name: 'example', why: 'a unit test of the review bookkeeping' };

function finding(line: number, message: string, column = 1): Finding {
  return { rule: 'no-undisposed-resources', file: 'src/a.ts', line, column, messageId: 'neverReleased', message };
}

function reviewed(entries: (Finding & { verdict: string })[]): ReviewedFile {
  return { package: 'example', version: '1.0.0', findings: entries };
}

const trueVerdict = 'True: the socket is never closed when the parse throws.';
const falseVerdict = 'False: the hash is built in memory and holds nothing outside the heap.';

describe('comparing findings with the reviewed file', () => {
  it('is in step when every finding is reviewed with the same message', () => {
    const comparison = compareWithReviewed([finding(3, 'leak')], reviewed([{ ...finding(3, 'leak'), verdict: trueVerdict }]), '1.0.0');
    expect(isInStep(comparison)).toBe(true);
  });

  it('lists new, vanished, changed and unjudged findings', () => {
    const comparison = compareWithReviewed(
      [finding(1, 'new one'), finding(2, 'now worded this way'), finding(4, 'unjudged')],
      reviewed([
        { ...finding(2, 'was worded that way'), verdict: trueVerdict },
        { ...finding(3, 'gone'), verdict: trueVerdict },
        { ...finding(4, 'unjudged'), verdict: 'True' },
      ]),
      '1.0.0',
    );
    expect(describeComparison(corpusPackage, comparison)).toEqual([
      'new, not reviewed: example/src/a.ts:1:1 no-undisposed-resources (neverReleased): new one',
      `no longer reported: example/src/a.ts:3:1 no-undisposed-resources (neverReleased), reviewed as ${trueVerdict}`,
      'message changed: example/src/a.ts:2:1 no-undisposed-resources (neverReleased): now "now worded this way", reviewed "was worded that way"',
      'no verdict (True: … / False: … with a reason): example/src/a.ts:4:1 no-undisposed-resources (neverReleased)',
    ]);
  });

  it('tells apart two findings at one place by their messages', () => {
    const both = [finding(5, '`a!` asserts'), finding(5, '`a!.b()!` asserts')];
    const file = reviewed([
      { ...finding(5, '`a!.b()!` asserts'), verdict: falseVerdict },
      { ...finding(5, '`a!` asserts'), verdict: trueVerdict },
    ]);
    expect(isInStep(compareWithReviewed(both, file, '1.0.0'))).toBe(true);
    expect(updateReviewed(both, file, '1.0.0').findings.map((entry) => entry.verdict).sort()).toEqual([falseVerdict, trueVerdict].sort());
  });

  it('keeps verdicts on update, marks a changed message for review and drops vanished findings', () => {
    const updated = updateReviewed(
      [finding(1, 'kept'), finding(2, 'reworded'), finding(9, 'new')],
      reviewed([
        { ...finding(1, 'kept'), verdict: trueVerdict },
        { ...finding(2, 'worded'), verdict: falseVerdict },
        { ...finding(3, 'gone'), verdict: trueVerdict },
      ]),
      '1.0.0',
    );
    expect(updated.findings.map((entry) => [entry.line, entry.verdict])).toEqual([
      [1, trueVerdict],
      [2, `Review again, the message changed (was: worded). ${falseVerdict}`],
      [9, ''],
    ]);
    expect(isInStep(compareWithReviewed([finding(2, 'reworded')], { ...updated, findings: updated.findings.filter((entry) => entry.line === 2) }, '1.0.0'))).toBe(false);
  });

  it('asks for every verdict again when the package version changed', () => {
    const file = reviewed([{ ...finding(1, 'kept'), verdict: trueVerdict }]);
    expect(isInStep(compareWithReviewed([finding(1, 'kept')], file, '2.0.0'))).toBe(false);
    expect(updateReviewed([finding(1, 'kept')], file, '2.0.0').findings[0]?.verdict).toBe('');
  });

  it('computes precision from the verdicts alone', () => {
    const file = reviewed([
      { ...finding(1, 'a'), verdict: trueVerdict },
      { ...finding(2, 'b'), verdict: falseVerdict },
      { ...finding(3, 'c'), verdict: '' },
    ]);
    expect(precisionByRule([file], ['no-undisposed-resources', 'other'])).toEqual([
      { rule: 'no-undisposed-resources', trueFindings: 1, falseFindings: 1, unreviewed: 1 },
      { rule: 'other', trueFindings: 0, falseFindings: 0, unreviewed: 0 },
    ]);
  });
});

describe('comparing conversions with the reviewed codemod file', () => {
  const conversion = (edit: string | undefined): Rewrite => ({ kind: 'conversion', file: 'src/a.ts', line: 4, message: 'released in finally', ...(edit === undefined ? {} : { edit }) });
  const reviewedRewrites = (entry: Rewrite) => ({ package: 'example', codemod: 'to-using' as const, version: '1.0.0', rewrites: [{ ...entry, verdict: trueVerdict }] });

  it('asks for the verdict again when the rewrite changed under the same message', () => {
    const before = reviewedRewrites(conversion('-  const fh = await open(p);\n+  await using fh = await open(p);'));
    const now = conversion('-  const fh = await open(p);\n+  using fh = await open(p);');
    expect(isInStep(compareWithReviewedRewrites([now], before, '1.0.0'))).toBe(false);
    expect(updateReviewedRewrites([now], before, '1.0.0').rewrites[0]?.verdict).toMatch(/^Review again, the edit changed/);
    expect(isInStep(compareWithReviewedRewrites([conversion('-  const fh = await open(p);\n+  await using fh = await open(p);')], before, '1.0.0'))).toBe(true);
  });

  it('records the current rewrite for an entry reviewed before rewrites were kept, keeping its verdict', () => {
    const before = reviewedRewrites(conversion(undefined));
    const now = conversion('+  await using fh = await open(p);');
    expect(isInStep(compareWithReviewedRewrites([now], before, '1.0.0'))).toBe(false);
    const updated = updateReviewedRewrites([now], before, '1.0.0');
    expect(updated.rewrites[0]).toEqual({ ...now, verdict: trueVerdict });
    expect(isInStep(compareWithReviewedRewrites([now], updated, '1.0.0'))).toBe(true);
  });
});
